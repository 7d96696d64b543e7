"""The ``jpegls`` dicodec plugin: declarations only (no numpy or backend import here).

Registered through the entry point ``jpegls = "dicodec_jpegls.plugin"`` in the
group ``dicodec.plugins``. It declares three codecs for JPEG-LS Lossless
(1.2.840.10008.1.2.4.80) and JPEG-LS Near-Lossless (1.2.840.10008.1.2.4.81):

``jpegls.imagecodecs`` (priority 60)
    CharLS 2.4 inside imagecodecs. Decodes every stream in the test corpus,
    straight into the output array, and releases the GIL (frames decode in
    parallel, ``workers=``). Encodes with ``jpegls_encode`` (Bits Stored 8 and
    16, colour with sample interleave) and everything else through the CharLS
    library imagecodecs ships, called with ctypes (GIL released as well); where
    that library is missing, those frames go to the next encoder.
``jpegls.charls`` (priority 50)
    pyjpegls (CharLS 2.4.2, import name ``jpeg_ls``). Holds the GIL; encodes
    everything DICOM allows (P = Bits Stored 2-16, interleave none / line /
    sample, NEAR); decodes into a new buffer, then copies.
``jpegls.libjpeg`` (priority 20, decode only)
    pylibjpeg-libjpeg, an independent JPEG-LS implementation; GPL-3.0, so only
    with the ``[libjpeg]`` extra. About five times slower than CharLS.

Priorities come from measurements on 512 x 512 int16 frames (200-frame CT,
``tests/benchmarks/bench_jpegls.py``): decoding, imagecodecs and pyjpegls run at
the same raw speed (~150 MB/s on the 2-core development machine) but imagecodecs
writes into the output and releases the GIL; libjpeg ~28 MB/s. Encoding,
imagecodecs ~118 MB/s, pyjpegls ~99 MB/s, and only imagecodecs releases the GIL.

Encode options: ``jls_error`` (NEAR, default 0) and ``jls_interleave``
(``"sample"`` default, ``"line"``, ``"none"``).

Examples
--------
>>> from dicodec_jpegls import plugin
>>> [c.name for c in plugin.dicodec_codecs()]
['jpegls.imagecodecs', 'jpegls.charls', 'jpegls.libjpeg']
>>> plugin.DICODEC_API_VERSION
1
"""

from __future__ import annotations

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec

__all__ = ["DICODEC_API_VERSION", "JPEGLS_LOSSLESS", "JPEGLS_NEAR_LOSSLESS", "OPTIONS", "dicodec_codecs"]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""

JPEGLS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JPEGLS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81"
_SYNTAXES = (JPEGLS_LOSSLESS, JPEGLS_NEAR_LOSSLESS)

OPTIONS = {
    "jls_error": "NEAR: largest absolute error per sample, 0 (lossless, default) to min(255, MAXVAL // 2); "
    "above 0 only for JPEG-LS Near-Lossless",
    "jls_interleave": "colour interleave mode: 'sample' (default), 'line' or 'none' (or 2, 1, 0)",
}
"""Encode options accepted by every JPEG-LS encoder here."""

_BITS_ALLOCATED = frozenset({8, 16})
_SAMPLES = frozenset({1, 3})
# PS3.5 Table 8.2.3-1: the Standard Photometric Interpretations JPEG-LS may carry
_ENCODE_PI = frozenset({"MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "YBR_FULL"})

_DECODE_CAPS = dict(bits_allocated=_BITS_ALLOCATED, bits_stored=(1, 16), samples_per_pixel=_SAMPLES, signed=True)
_ENCODE_CAPS = Capabilities(
    bits_allocated=_BITS_ALLOCATED,
    bits_stored=(2, 16),
    samples_per_pixel=_SAMPLES,
    photometric_interpretations=_ENCODE_PI,
    signed=True,
)
# imagecodecs' Python API writes P = 8 or 16 and sample interleave only; the other
# frames go through the CharLS library imagecodecs ships (ctypes, GIL released), or
# are refused (ValueError) when that library is not found
_IMAGECODECS_ENCODE_CAPS = Capabilities(
    bits_allocated=_BITS_ALLOCATED,
    bits_stored=(2, 16),
    samples_per_pixel=_SAMPLES,
    photometric_interpretations=_ENCODE_PI,
    signed=True,
    releases_gil=True,
    thread_safe=True,
)
_HINT = "pip install dicodec-jpegls"


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare the JPEG-LS codecs.

    Returns
    -------
    list of CodecSpec
        Lazy ``"module:function"`` references; nothing is imported here.

    Examples
    --------
    >>> specs = {c.name: c for c in dicodec_codecs()}
    >>> specs["jpegls.imagecodecs"].capabilities.releases_gil
    True
    >>> specs["jpegls.libjpeg"].can_encode
    False
    """
    return [
        CodecSpec(
            name="jpegls.imagecodecs",
            transfer_syntaxes=_SYNTAXES,
            decode="dicodec_jpegls.imagecodecs_backend:decode",
            encode="dicodec_jpegls.imagecodecs_backend:encode",
            requires=("numpy", "imagecodecs"),
            capabilities=Capabilities(**_DECODE_CAPS, releases_gil=True, thread_safe=True),
            encode_capabilities=_IMAGECODECS_ENCODE_CAPS,
            priority=60,
            install_hint=_HINT,
            description="JPEG-LS with CharLS in imagecodecs: decodes into the output, encodes, "
            "releases the GIL",
            options=OPTIONS,
        ),
        CodecSpec(
            name="jpegls.charls",
            transfer_syntaxes=_SYNTAXES,
            decode="dicodec_jpegls.pyjpegls_backend:decode",
            encode="dicodec_jpegls.pyjpegls_backend:encode",
            requires=("numpy", "jpeg_ls"),
            capabilities=Capabilities(**_DECODE_CAPS, releases_gil=False, thread_safe=True),
            encode_capabilities=_ENCODE_CAPS,
            priority=50,
            install_hint=_HINT,
            description="JPEG-LS with CharLS in pyjpegls: every precision and interleave mode",
            options=OPTIONS,
        ),
        CodecSpec(
            name="jpegls.libjpeg",
            transfer_syntaxes=_SYNTAXES,
            decode="dicodec_jpegls.libjpeg_backend:decode",
            requires=("numpy", "libjpeg"),
            capabilities=Capabilities(**_DECODE_CAPS, releases_gil=False, thread_safe=True),
            priority=20,
            install_hint="pip install dicodec-jpegls[libjpeg]  (pylibjpeg-libjpeg, GPL-3.0)",
            description="JPEG-LS decoding with pylibjpeg-libjpeg (independent implementation, GPL-3.0)",
        ),
    ]
