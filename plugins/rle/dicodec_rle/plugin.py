"""The ``rle`` dicodec plugin: declarations only (nothing is imported here).

Registered through the entry point ``rle = "dicodec_rle.plugin"`` in the group
``dicodec.plugins``. It declares two codecs for RLE Lossless
(1.2.840.10008.1.2.5):

``rle.c`` (priority 80)
    dicodec's own C codec (:mod:`dicodec_rle.codec`): decodes and encodes Bits
    Allocated 1, 8, 16, 32 and 64 with 1 or 3 samples, releases the GIL for
    the whole frame, so frames decode in parallel threads. The default.
``rle.pylibjpeg`` (priority 30)
    pylibjpeg-rle (import name ``rle``), when installed: a second opinion and
    a fallback. It holds the GIL, and its 1-bit format is not the standard's
    (one byte per pixel), so it serves Bits Allocated 8-64 only.

Choose one with ``decoding_plugin="rle.pylibjpeg"`` / ``encoding_plugin=...``,
or ``dicodec.config.prefer(...)``.

Examples
--------
>>> from dicodec_rle import plugin
>>> [(c.name, c.priority) for c in plugin.dicodec_codecs()]
[('rle.c', 80), ('rle.pylibjpeg', 30)]
>>> plugin.DICODEC_API_VERSION
1
"""

from __future__ import annotations

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec

__all__ = ["DICODEC_API_VERSION", "RLE_LOSSLESS", "dicodec_codecs"]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""

RLE_LOSSLESS = "1.2.840.10008.1.2.5"

_OPTIONS = {
    "rle_segment_order": "'>' (default): most significant byte segment first, as the standard "
    "requires; '<' for files written in the other order",
    "rle_lenient": "decode only: ignore data decoded past a segment's expected length "
    "(default False: more than 1 extra byte is an error)",
}


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare the RLE Lossless codecs.

    Returns
    -------
    list of CodecSpec
        ``rle.c`` and ``rle.pylibjpeg``, with lazy ``"module:function"``
        references: nothing is imported until a frame is decoded.

    Examples
    --------
    >>> specs = {c.name: c for c in dicodec_codecs()}
    >>> specs["rle.c"].capabilities.releases_gil, specs["rle.pylibjpeg"].requires
    (True, ('pylibjpeg-rle', 'numpy'))
    """
    return [
        CodecSpec(
            name="rle.c",
            transfer_syntaxes=(RLE_LOSSLESS,),
            decode="dicodec_rle.codec:decode",
            encode="dicodec_rle.codec:encode",
            requires=("numpy",),
            capabilities=Capabilities(
                bits_allocated=frozenset({1, 8, 16, 32, 64}),
                samples_per_pixel=frozenset({1, 3}),
                releases_gil=True,
                thread_safe=True,
            ),
            priority=80,
            install_hint="pip install dicodec-rle",
            description="RLE Lossless in C (dicodec-rle): every Bits Allocated, releases the GIL",
            options=_OPTIONS,
        ),
        CodecSpec(
            name="rle.pylibjpeg",
            transfer_syntaxes=(RLE_LOSSLESS,),
            decode="dicodec_rle.pylibjpeg:decode",
            encode="dicodec_rle.pylibjpeg:encode",
            requires=("pylibjpeg-rle", "numpy"),
            capabilities=Capabilities(
                bits_allocated=frozenset({8, 16, 32, 64}),
                samples_per_pixel=frozenset({1, 3}),
                releases_gil=False,
                thread_safe=True,
            ),
            priority=30,
            install_hint="pip install dicodec-rle[pylibjpeg]",
            description="RLE Lossless with pylibjpeg-rle (Rust; holds the GIL)",
            options={"rle_segment_order": _OPTIONS["rle_segment_order"]},
        ),
    ]
