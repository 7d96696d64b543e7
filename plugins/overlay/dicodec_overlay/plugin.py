"""The ``overlay`` dicodec plugin: declarations only (nothing heavy is imported).

Registered through the entry point ``overlay = "dicodec_overlay.plugin"`` in the
group ``dicodec.plugins``. It declares one bulk-data handler of kind
``"overlay"``, which :meth:`dicodec.Dataset.overlay_array` calls as
``get_overlay_array(ds, group)``.

Examples
--------
>>> from dicodec_overlay import plugin
>>> [(h.name, h.kind) for h in plugin.dicodec_bulk_data_handlers()]
[('overlay.numpy', 'overlay')]
>>> plugin.DICODEC_API_VERSION
1
"""

from __future__ import annotations

from dicodec.plugins import hookimpl
from dicodec.plugins.records import BulkDataSpec

__all__ = ["DICODEC_API_VERSION", "dicodec_bulk_data_handlers"]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""


@hookimpl
def dicodec_bulk_data_handlers() -> list[BulkDataSpec]:
    """Declare the numpy overlay handler (a lazy reference; numpy is not imported here).

    Examples
    --------
    >>> dicodec_bulk_data_handlers()[0].function
    'dicodec_overlay.handler:get_overlay_array'
    """
    return [
        BulkDataSpec(
            name="overlay.numpy",
            kind="overlay",
            function="dicodec_overlay.handler:get_overlay_array",
            requires=("numpy",),
            priority=50,
            description="Overlay Data (60xx,3000), single and multi-frame, and overlays in Pixel Data bits",
        )
    ]
