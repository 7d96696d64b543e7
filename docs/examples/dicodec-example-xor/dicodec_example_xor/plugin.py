"""The ``xor`` dicodec plugin: declarations only.

dicodec imports this module when it first needs its codec registry, because the
distribution names it under the ``dicodec.plugins`` entry-point group::

    [project.entry-points."dicodec.plugins"]
    xor = "dicodec_example_xor.plugin"

It must stay cheap and must not fail: it imports only :mod:`dicodec.plugins`
(no numpy, no codec backend). The frame functions are given as lazy
``"module:function"`` strings that dicodec resolves on first use.

What it declares
----------------
* :data:`XOR_TS`, a private transfer syntax ("XOR 0x5A"): encapsulated Pixel Data
  whose frames are the little-endian native frame bytes XOR-ed with
  :data:`XOR_KEY`.
* the codec ``xor.numpy``, which decodes and encodes :data:`XOR_TS`. It is also
  declared for RLE Lossless with a low priority, which makes it a convenient
  second candidate when demonstrating codec selection and fallback: it never
  understands real RLE data (the frame length does not match) and refuses to
  write RLE, so a real RLE codec, with the default priority 50, always wins.

Examples
--------
>>> from dicodec_example_xor import plugin
>>> plugin.DICODEC_API_VERSION
1
>>> [c.name for c in plugin.dicodec_codecs()]
['xor.numpy']
>>> plugin.dicodec_transfer_syntaxes()[0].uid == plugin.XOR_TS
True
"""

from __future__ import annotations

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec, TransferSyntaxSpec

__all__ = [
    "DICODEC_API_VERSION",
    "LOW_PRIORITY",
    "RLE_LOSSLESS",
    "XOR_KEY",
    "XOR_TS",
    "dicodec_codecs",
    "dicodec_transfer_syntaxes",
]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for (a different major version is
reported as "incompatible" by ``dicodec plugins`` and not loaded)."""

XOR_TS = "2.25.123001583857849241845464878018864455740"
"""The private transfer syntax UID.

A ``2.25.<integer>`` UID (PS3.5 B.2) made from a name-based UUID, so nobody needs
an organisation root: ``uuid.uuid5(uuid.NAMESPACE_URL,
"https://github.com/dicodec/dicodec-example-xor#transfer-syntax").int``.
"""

XOR_KEY = 0x5A
"""Every byte of a frame is XOR-ed with this value."""

RLE_LOSSLESS = "1.2.840.10008.1.2.5"
"""RLE Lossless, served with :data:`LOW_PRIORITY` (see the module docstring)."""

LOW_PRIORITY = 5
"""Below the default priority (50) of every real codec."""


@hookimpl
def dicodec_transfer_syntaxes() -> list[TransferSyntaxSpec]:
    """Teach dicodec the private XOR transfer syntax.

    Returns
    -------
    list of TransferSyntaxSpec
        One record: Explicit VR Little Endian data sets with encapsulated,
        lossless Pixel Data.

    Examples
    --------
    >>> ts = dicodec_transfer_syntaxes()[0]
    >>> ts.name, ts.encapsulated, ts.lossy
    ('XOR 0x5A (dicodec example)', True, False)
    """
    return [
        TransferSyntaxSpec(
            uid=XOR_TS,
            name="XOR 0x5A (dicodec example)",
            keyword="XORExample",
            implicit_vr=False,
            little_endian=True,
            encapsulated=True,
            lossy=False,
        )
    ]


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare the ``xor.numpy`` codec.

    Returns
    -------
    list of CodecSpec
        One record. Its functions are lazy references, its requirement (numpy) is
        checked by name without importing it, and its capabilities let dicodec
        skip frames it cannot take (1-bit data, Bits Allocated 24, ...) before
        calling it.

    Examples
    --------
    >>> spec = dicodec_codecs()[0]
    >>> spec.decode
    'dicodec_example_xor.codec:decode'
    >>> sorted(spec.capabilities.bits_allocated)
    [8, 16, 32, 64]
    """
    return [
        CodecSpec(
            name="xor.numpy",
            transfer_syntaxes=(XOR_TS, RLE_LOSSLESS),
            decode="dicodec_example_xor.codec:decode",
            encode="dicodec_example_xor.codec:encode",
            requires=("numpy",),
            capabilities=Capabilities(
                bits_allocated=frozenset({8, 16, 32, 64}),
                # numpy's XOR holds the GIL for small arrays; claim only what is true.
                releases_gil=False,
                thread_safe=True,
            ),
            priority=LOW_PRIORITY,
            install_hint="pip install dicodec-example-xor",
            description="example: frames XOR-ed with 0x5A (also a low-priority RLE stand-in that always fails)",
        )
    ]
