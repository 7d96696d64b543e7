"""The ``gdcm`` dicodec plugin: declarations only (GDCM is not imported here).

Registered through the entry point ``gdcm = "dicodec_gdcm.plugin"`` in the group
``dicodec.plugins``. It declares one codec, ``gdcm``, backed by python-gdcm:

decode
    JPEG Baseline, Extended (8 and 12 bit), Lossless (Process 14 and SV1),
    JPEG-LS Lossless and Near-Lossless, JPEG 2000 (lossless and lossy), HTJ2K
    (all three syntaxes) and RLE Lossless.
encode
    RLE Lossless, JPEG Baseline and Extended (8-bit), JPEG Lossless (Process 14
    and SV1), JPEG-LS Lossless and Near-Lossless, JPEG 2000 (lossless and lossy).

Its default priority is low (10): GDCM is a fallback backend. It holds the GIL,
is slower than the first-party plugins on every syntax they share, and some
inputs crash it outright (an uncatchable C++ exception or assertion, or heap
corruption); it therefore runs in a worker process (:mod:`dicodec_gdcm.isolation`).
What it must never be given is declared as :class:`Rule` records of
:class:`GdcmCapabilities`, so the core never hands it those frames and reports
the reason instead (``NoCodecAvailableError``, or the next codec). Every rule was
found by a test (a decode/encode matrix run in child processes, valgrind and
glibc's malloc checks); :data:`DECODE_CAPABILITIES` and
:data:`ENCODE_CAPABILITIES` say which, rule by rule.

Examples
--------
>>> from dicodec_gdcm import plugin
>>> [(c.name, c.priority) for c in plugin.dicodec_codecs()]
[('gdcm', 10)]
>>> plugin.DICODEC_API_VERSION
1
"""

from __future__ import annotations

from dataclasses import dataclass

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec, FrameSpec

__all__ = [
    "DECODE_SYNTAXES",
    "DICODEC_API_VERSION",
    "ENCODE_SYNTAXES",
    "MAX_FRAME_BYTES",
    "GdcmCapabilities",
    "Rule",
    "dicodec_codecs",
]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""

MAX_FRAME_BYTES = 2**31 - 1
"""Largest decoded frame GDCM takes in one call (its Python binding sizes buffers with a C int)."""

JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_EXTENDED = "1.2.840.10008.1.2.4.51"
JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JLS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JLS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
J2K = "1.2.840.10008.1.2.4.91"
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
HTJ2K_RPCL = "1.2.840.10008.1.2.4.202"
HTJ2K = "1.2.840.10008.1.2.4.203"
RLE_LOSSLESS = "1.2.840.10008.1.2.5"

JLS_SYNTAXES = (JLS_LOSSLESS, JLS_NEAR_LOSSLESS)
HTJ2K_SYNTAXES = (HTJ2K_LOSSLESS, HTJ2K_RPCL, HTJ2K)
J2K_SYNTAXES = (J2K_LOSSLESS, J2K, *HTJ2K_SYNTAXES)
DECODE_SYNTAXES = (
    JPEG_BASELINE,
    JPEG_EXTENDED,
    JPEG_LOSSLESS,
    JPEG_LOSSLESS_SV1,
    JLS_LOSSLESS,
    JLS_NEAR_LOSSLESS,
    J2K_LOSSLESS,
    J2K,
    HTJ2K_LOSSLESS,
    HTJ2K_RPCL,
    HTJ2K,
    RLE_LOSSLESS,
)
"""Every transfer syntax the ``gdcm`` codec decodes."""

ENCODE_SYNTAXES = (
    JPEG_BASELINE,
    JPEG_EXTENDED,
    JPEG_LOSSLESS,
    JPEG_LOSSLESS_SV1,
    JLS_LOSSLESS,
    JLS_NEAR_LOSSLESS,
    J2K_LOSSLESS,
    J2K,
    RLE_LOSSLESS,
)
"""The transfer syntaxes GDCM encodes conformantly (see :class:`GdcmCapabilities`)."""

_PHOTOMETRIC = frozenset(
    {"MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "YBR_FULL", "YBR_FULL_422", "YBR_ICT", "YBR_RCT"}
)


@dataclass(frozen=True)
class Rule:
    """A kind of frame GDCM must not be given, and why.

    A frame matches when its transfer syntax is one of ``transfer_syntaxes`` and
    every condition given (not ``None``) holds.

    Examples
    --------
    >>> rule = Rule("no 1-bit RLE", (RLE_LOSSLESS,), bits_allocated=frozenset({1}))
    >>> rule.applies(FrameSpec(8, 8, bits_allocated=1, bits_stored=1, transfer_syntax=RLE_LOSSLESS))
    True
    >>> rule.applies(FrameSpec(8, 8, bits_allocated=8, bits_stored=8, transfer_syntax=RLE_LOSSLESS))
    False
    """

    reason: str
    transfer_syntaxes: tuple[str, ...]
    bits_allocated: frozenset[int] | None = None
    bits_stored: frozenset[int] | None = None
    samples_per_pixel: frozenset[int] | None = None
    signed: bool | None = None
    odd_length: bool = False
    smaller_than: tuple[int, int] | None = None

    def applies(self, spec: FrameSpec) -> bool:
        """Whether ``spec`` is a frame this rule refuses.

        ``signed`` matches the Pixel Representation; ``odd_length`` matches frames
        whose native bytes are an odd number; ``smaller_than=(side, nbytes)``
        matches frames with fewer rows or columns than ``side``, or fewer native
        bytes than ``nbytes``.
        """
        if spec.transfer_syntax not in self.transfer_syntaxes:
            return False
        if self.bits_allocated is not None and spec.bits_allocated not in self.bits_allocated:
            return False
        if self.bits_stored is not None and spec.bits_stored not in self.bits_stored:
            return False
        if self.samples_per_pixel is not None and spec.samples_per_pixel not in self.samples_per_pixel:
            return False
        if self.signed is not None and bool(spec.pixel_representation) != self.signed:
            return False
        if self.odd_length and (spec.rows * spec.columns * spec.samples_per_pixel * spec.itemsize) % 2 == 0:
            return False
        if self.smaller_than is not None:
            side, nbytes = self.smaller_than
            size = spec.rows * spec.columns * spec.samples_per_pixel * spec.itemsize
            if min(spec.rows, spec.columns) >= side and size >= nbytes:
                return False
        return True


@dataclass(frozen=True)
class GdcmCapabilities(Capabilities):
    """:class:`Capabilities` with GDCM's own refusal rules.

    Attributes
    ----------
    transfer_syntaxes : tuple of str or None
        Only these syntaxes (the encoder serves fewer than the decoder).
    max_frame_bytes : int
        Largest decoded frame, in bytes.
    rules : tuple of Rule
        Frames refused, each with its reason.

    Examples
    --------
    >>> caps = DECODE_CAPABILITIES
    >>> caps.refusal(FrameSpec(70000, 70000, bits_allocated=8, bits_stored=8, transfer_syntax=J2K))
    'the frame holds 4900000000 bytes; GDCM takes at most 2147483647 per call'
    >>> caps.refusal(FrameSpec(8, 8, bits_allocated=8, bits_stored=7, transfer_syntax=JLS_LOSSLESS))
    'GDCM cannot decode 6- and 7-bit JPEG-LS (it returns no data)'
    >>> caps.refusal(FrameSpec(8, 8, bits_allocated=1, bits_stored=1, transfer_syntax=J2K_LOSSLESS)) is None
    True
    """

    transfer_syntaxes: tuple[str, ...] | None = None
    max_frame_bytes: int = MAX_FRAME_BYTES
    rules: tuple[Rule, ...] = ()

    def refusal(self, spec: FrameSpec) -> str | None:
        """Why GDCM cannot take ``spec``, or ``None`` if it can."""
        if self.transfer_syntaxes is not None and spec.transfer_syntax not in self.transfer_syntaxes:
            return f"GDCM does not encode {spec.transfer_syntax} conformantly"
        size = spec.rows * spec.columns * spec.samples_per_pixel * spec.itemsize
        if size > self.max_frame_bytes:
            return f"the frame holds {size} bytes; GDCM takes at most {self.max_frame_bytes} per call"
        for rule in self.rules:
            if rule.applies(spec):
                return rule.reason
        return super().refusal(spec)


_NOT_J2K = tuple(ts for ts in DECODE_SYNTAXES if ts not in J2K_SYNTAXES)

DECODE_CAPABILITIES = GdcmCapabilities(
    bits_allocated=frozenset({1, 8, 16, 32}),
    bits_stored=(1, 32),
    samples_per_pixel=frozenset({1, 3}),
    photometric_interpretations=_PHOTOMETRIC,
    signed=True,
    releases_gil=False,
    thread_safe=False,
    rules=(
        Rule(
            "GDCM aborts the whole process (an uncatchable C++ exception) on 1-bit RLE",
            (RLE_LOSSLESS,),
            bits_allocated=frozenset({1}),
        ),
        Rule("1-bit data is not JPEG / JPEG-LS coded", _NOT_J2K, bits_allocated=frozenset({1})),
        Rule(
            "GDCM mis-orders the byte segments of 16- and 32-bit colour RLE",
            (RLE_LOSSLESS,),
            bits_allocated=frozenset({16, 32}),
            samples_per_pixel=frozenset({3}),
        ),
        Rule(
            "GDCM cannot decode 6- and 7-bit JPEG-LS (it returns no data)",
            JLS_SYNTAXES,
            bits_stored=frozenset({6, 7}),
        ),
    ),
)
"""What the ``gdcm`` decoder is given (measured on the shared corpus and a synthetic matrix, see the tests).

1-bit JPEG 2000 is decoded into an 8-bit container: decoding it into a 1-bit one
corrupts GDCM's heap (valgrind: invalid writes in ``JPEG2000Codec``), the 8-bit
container is clean."""

_LOSSY_JPEG = (JPEG_BASELINE, JPEG_EXTENDED)
_JPEG = (JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1)

ENCODE_CAPABILITIES = GdcmCapabilities(
    bits_allocated=frozenset({8, 16, 32}),
    bits_stored=(2, 32),
    samples_per_pixel=frozenset({1, 3}),
    photometric_interpretations=frozenset({"MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB"}),
    signed=True,
    planar_configurations=frozenset({0, 1}),
    lossy=True,
    releases_gil=False,
    thread_safe=False,
    transfer_syntaxes=ENCODE_SYNTAXES,
    rules=(
        Rule(
            "GDCM encodes 32-bit samples for RLE only",
            tuple(ts for ts in ENCODE_SYNTAXES if ts != RLE_LOSSLESS),
            bits_allocated=frozenset({32}),
        ),
        Rule(
            "GDCM writes 12- and 16-bit lossy JPEG with sample precision 16, which other decoders reject",
            _LOSSY_JPEG,
            bits_allocated=frozenset({16}),
        ),
        Rule("GDCM cannot encode signed samples with lossy JPEG", _LOSSY_JPEG, signed=True),
        Rule(
            "GDCM cannot encode frames of an odd number of bytes with RLE or JPEG (RLE aborts the process)",
            (RLE_LOSSLESS, *_JPEG),
            odd_length=True,
        ),
        Rule(
            "GDCM aborts the process encoding JPEG-LS with fewer than 8 bits stored in 8 bits allocated",
            JLS_SYNTAXES,
            bits_allocated=frozenset({8}),
            bits_stored=frozenset(range(1, 8)),
        ),
        Rule("GDCM cannot encode JPEG-LS frames smaller than 3 x 3", JLS_SYNTAXES, smaller_than=(3, 0)),
        Rule(
            "GDCM's near-lossless JPEG-LS wraps signed samples at the sign boundary (Bits Stored < 16)",
            (JLS_NEAR_LOSSLESS,),
            signed=True,
            bits_stored=frozenset(range(1, 16)),
        ),
        Rule(
            "GDCM's JPEG 2000 encoder overruns its heap on frames under 1 KiB or 1 pixel wide "
            "(its output buffer is twice the input)",
            (J2K_LOSSLESS, J2K),
            smaller_than=(2, 1024),
        ),
    ),
)
"""What the ``gdcm`` encoder is given (measured by a matrix of bit depths, signedness,
samples and sizes, each run in a child process and decoded by an independent codec).

JPEG 2000 lossless encoding also fails, cleanly, when the codestream would exceed
4 bytes per pixel (GDCM's output buffer): small noise-like colour frames."""


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare the ``gdcm`` codec.

    Returns
    -------
    list of CodecSpec
        One codec with lazy ``"dicodec_gdcm.codec:..."`` references: GDCM is
        imported on the first frame only.

    Examples
    --------
    >>> spec = dicodec_codecs()[0]
    >>> spec.requires, spec.capabilities.releases_gil
    (('gdcm',), False)
    >>> spec.capabilities.refusal(FrameSpec(8, 8, bits_allocated=1, bits_stored=1,
    ...                                     transfer_syntax=RLE_LOSSLESS))
    'GDCM aborts the whole process (an uncatchable C++ exception) on 1-bit RLE'
    """
    return [
        CodecSpec(
            name="gdcm",
            transfer_syntaxes=DECODE_SYNTAXES,
            decode="dicodec_gdcm.codec:decode",
            encode="dicodec_gdcm.codec:encode",
            requires=("gdcm",),
            capabilities=DECODE_CAPABILITIES,
            encode_capabilities=ENCODE_CAPABILITIES,
            priority=10,
            install_hint="pip install dicodec-gdcm",
            description="GDCM (python-gdcm): JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE; a low-priority fallback",
            options={
                "jpeg_quality": "encode JPEG Baseline: quality 1-100 (default 90)",
                "jls_error": "encode JPEG-LS Near-Lossless: NEAR, the largest error (default 2)",
                "j2k_cr": "encode JPEG 2000: compression ratio per quality layer (default 10)",
                "j2k_psnr": "encode JPEG 2000: PSNR in dB per quality layer (instead of j2k_cr)",
                "use_mct": "encode JPEG 2000 RGB: colour transform to YBR_ICT / YBR_RCT (default True)",
                "gdcm_isolation": "False: call GDCM in this process, not its worker (trusted data only)",
            },
        )
    ]
