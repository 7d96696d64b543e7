"""The ``jpeg`` dicodec plugin: declarations only (no codec library is imported here).

Registered through the entry point ``jpeg = "dicodec_jpeg.plugin"`` in the group
``dicodec.plugins``. It declares two codecs for JPEG Baseline (``...4.50``),
JPEG Extended (``...4.51``), JPEG Lossless (``...4.57``) and JPEG Lossless SV1
(``...4.70``):

``jpeg.turbo`` (priority 60, the default)
    libjpeg-turbo 3 through imagecodecs: decode and encode, 8/12-bit DCT and
    2-16-bit lossless, releases the GIL (frames decode in parallel).
``jpeg.libjpeg`` (priority 30)
    Thomas Richter's libjpeg through pylibjpeg-libjpeg: decode only, holds the
    GIL. GPL-3.0, so only installed on request: ``pip install dicodec-jpeg[libjpeg]``.

Examples
--------
>>> from dicodec_jpeg import plugin
>>> [(c.name, c.priority, c.can_encode) for c in plugin.dicodec_codecs()]
[('jpeg.turbo', 60, True), ('jpeg.libjpeg', 30, False)]
>>> plugin.DICODEC_API_VERSION
1
"""

from __future__ import annotations

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec

from .options import BASELINE, EXTENDED, LOSSLESS, LOSSLESS_SV1, OPTIONS

__all__ = ["DICODEC_API_VERSION", "JPEG_SYNTAXES", "dicodec_codecs"]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""

JPEG_SYNTAXES = (BASELINE, EXTENDED, LOSSLESS, LOSSLESS_SV1)
"""JPEG Baseline, Extended, Lossless and Lossless SV1."""

_PHOTOMETRIC = frozenset(
    {"MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "YBR_FULL", "YBR_FULL_422"}
)


def _capabilities(*, releases_gil: bool, lossy: bool = False) -> Capabilities:
    """What both codecs accept: 8/16-bit containers, 2-16-bit samples, 1 or 3 samples."""
    return Capabilities(
        bits_allocated=frozenset({8, 16}),
        bits_stored=(2, 16),
        samples_per_pixel=frozenset({1, 3}),
        photometric_interpretations=_PHOTOMETRIC,
        signed=True,
        lossy=lossy,
        releases_gil=releases_gil,
        thread_safe=True,
    )


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare the ``jpeg.turbo`` and ``jpeg.libjpeg`` codecs.

    Returns
    -------
    list of CodecSpec
        Lazy ``"module:function"`` references; nothing is imported.

    Examples
    --------
    >>> specs = {c.name: c for c in dicodec_codecs()}
    >>> specs["jpeg.turbo"].capabilities.releases_gil, specs["jpeg.libjpeg"].capabilities.releases_gil
    (True, False)
    >>> specs["jpeg.libjpeg"].install_hint
    'pip install dicodec-jpeg[libjpeg]'
    """
    return [
        CodecSpec(
            name="jpeg.turbo",
            transfer_syntaxes=JPEG_SYNTAXES,
            decode="dicodec_jpeg.turbo:decode",
            encode="dicodec_jpeg.turbo:encode",
            requires=("imagecodecs", "numpy"),
            capabilities=_capabilities(releases_gil=True),
            # lossy for Baseline / Extended; Lossless and Lossless SV1 are exact
            encode_capabilities=_capabilities(releases_gil=True, lossy=True),
            priority=60,
            install_hint="pip install dicodec-jpeg",
            description="JPEG Baseline/Extended/Lossless with libjpeg-turbo 3 (imagecodecs); decode and encode",
            options=OPTIONS,
        ),
        CodecSpec(
            name="jpeg.libjpeg",
            transfer_syntaxes=JPEG_SYNTAXES,
            decode="dicodec_jpeg.libjpeg:decode",
            requires=("pylibjpeg-libjpeg", "numpy"),
            capabilities=_capabilities(releases_gil=False),  # a plain Cython call: holds the GIL
            priority=30,
            install_hint="pip install dicodec-jpeg[libjpeg]",
            description="JPEG Baseline/Extended/Lossless with libjpeg (pylibjpeg-libjpeg, GPL-3.0); decode only",
        ),
    ]
