"""The ``waveform`` dicodec plugin: declarations only (nothing heavy is imported).

Registered through the entry point ``waveform = "dicodec_waveform.plugin"`` in
the group ``dicodec.plugins``. It declares one bulk-data handler of kind
``"waveform"``, which :meth:`dicodec.Dataset.waveform_array` calls as
``waveform_array(ds, index)``.

Examples
--------
>>> from dicodec_waveform import plugin
>>> [(h.name, h.kind) for h in plugin.dicodec_bulk_data_handlers()]
[('waveform.numpy', 'waveform')]
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
    """Declare the numpy waveform handler (a lazy reference; numpy is not imported here).

    Examples
    --------
    >>> dicodec_bulk_data_handlers()[0].function
    'dicodec_waveform.handler:waveform_array'
    """
    return [
        BulkDataSpec(
            name="waveform.numpy",
            kind="waveform",
            function="dicodec_waveform.handler:waveform_array",
            requires=("numpy",),
            priority=50,
            description="Waveform Data of each multiplex group, every sample interpretation, scaled",
        )
    ]
