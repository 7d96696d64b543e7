"""The ``native`` dicodec plugin: declarations only (no numpy import here).

Registered through the entry point ``native = "dicodec_native.plugin"`` in the
group ``dicodec.plugins``. It declares three codecs:

``native.numpy``
    Implicit VR Little Endian, Explicit VR Little Endian, Explicit VR Big Endian
    and Deflated Explicit VR Little Endian (the data set is deflated; its Pixel
    Data is native once inflated by the reader).
``native.encapsulated``
    Encapsulated Uncompressed Explicit VR Little Endian: each frame is one
    fragment holding the native little-endian frame bytes.
``native.deflate``
    Deflated Image Frame Compression: each frame is the native frame deflated
    (raw deflate, RFC 1951); zlib-wrapped frames are accepted on decode.

Examples
--------
>>> from dicodec_native import plugin
>>> [c.name for c in plugin.dicodec_codecs()]
['native.numpy', 'native.encapsulated', 'native.deflate']
>>> plugin.DICODEC_API_VERSION
1
"""

from __future__ import annotations

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec

__all__ = [
    "DEFLATED_IMAGE_FRAME",
    "DICODEC_API_VERSION",
    "ENCAPSULATED_UNCOMPRESSED",
    "NATIVE_SYNTAXES",
    "dicodec_codecs",
]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""

IMPLICIT_VR_LE = "1.2.840.10008.1.2"
EXPLICIT_VR_LE = "1.2.840.10008.1.2.1"
EXPLICIT_VR_BE = "1.2.840.10008.1.2.2"
DEFLATED_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1.99"
ENCAPSULATED_UNCOMPRESSED = "1.2.840.10008.1.2.1.98"
DEFLATED_IMAGE_FRAME = "1.2.840.10008.1.2.8.1"

NATIVE_SYNTAXES = (IMPLICIT_VR_LE, EXPLICIT_VR_LE, EXPLICIT_VR_BE, DEFLATED_EXPLICIT_VR_LE)
"""Transfer syntaxes whose Pixel Data is native (not encapsulated)."""

_BITS = frozenset({1, 8, 16, 32, 64})
_HINT = "pip install dicodec-native"


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare the native, encapsulated-uncompressed and deflate codecs.

    Returns
    -------
    list of CodecSpec
        Lazy ``"module:function"`` references; nothing numpy-heavy is imported.

    Examples
    --------
    >>> specs = {c.name: c for c in dicodec_codecs()}
    >>> specs["native.deflate"].transfer_syntaxes
    ('1.2.840.10008.1.2.8.1',)
    >>> specs["native.deflate"].capabilities.releases_gil
    True
    """
    return [
        CodecSpec(
            name="native.numpy",
            transfer_syntaxes=NATIVE_SYNTAXES,
            decode="dicodec_native.native:decode",
            encode="dicodec_native.native:encode",
            requires=("numpy",),
            # numpy copies hold the GIL for their setup; state it honestly.
            capabilities=Capabilities(bits_allocated=_BITS, releases_gil=False, thread_safe=True),
            priority=50,
            install_hint=_HINT,
            description="native (uncompressed) pixel data, little and big endian, with numpy",
        ),
        CodecSpec(
            name="native.encapsulated",
            transfer_syntaxes=(ENCAPSULATED_UNCOMPRESSED,),
            decode="dicodec_native.native:decode",
            encode="dicodec_native.native:encode",
            requires=("numpy",),
            capabilities=Capabilities(bits_allocated=_BITS, releases_gil=False, thread_safe=True),
            priority=50,
            install_hint=_HINT,
            description="Encapsulated Uncompressed: one native frame per fragment, with numpy",
        ),
        CodecSpec(
            name="native.deflate",
            transfer_syntaxes=(DEFLATED_IMAGE_FRAME,),
            decode="dicodec_native.deflate:decode",
            encode="dicodec_native.deflate:encode",
            requires=("numpy", "zlib"),
            capabilities=Capabilities(bits_allocated=_BITS, releases_gil=True, thread_safe=True),
            priority=50,
            install_hint=_HINT,
            description="Deflated Image Frame Compression (raw deflate per frame), with zlib",
            options={"deflate_level": "zlib compression level 0-9, or -1 for zlib's default (6)"},
        ),
    ]
