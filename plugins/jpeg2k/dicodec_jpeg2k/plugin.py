"""The ``jpeg2k`` dicodec plugin: declarations only (no codec library is imported here).

Registered through the entry point ``jpeg2k = "dicodec_jpeg2k.plugin"`` in the
group ``dicodec.plugins``. It declares two codecs for JPEG 2000 Lossless
(…4.90), JPEG 2000 (…4.91), HTJ2K Lossless (…4.201), HTJ2K Lossless RPCL
(…4.202) and HTJ2K (…4.203):

``jpeg2k.imagecodecs`` (priority 60)
    imagecodecs: OpenJPEG for JPEG 2000 and lossy HTJ2K, OpenJPH for lossless
    HTJ2K (chosen per codestream), decoding straight into the output array with
    the GIL released, so ``workers=`` decodes frames in parallel. Encodes all
    five syntaxes (JPEG 2000 lossless or with one PSNR layer; HTJ2K lossless, or
    lossy with ``j2k_cr`` / ``j2k_psnr``).
``jpeg2k.openjpeg`` (priority 40)
    pylibjpeg-openjpeg: decodes all five syntaxes holding the GIL; encodes JPEG
    2000 with every option (quality layers by ratio or PSNR). Used first for JPEG
    2000 encoding options imagecodecs lacks (``j2k_cr``, several layers), by
    fallback.

Priorities come from ``tests/benchmarks/bench_jpeg2k.py`` (``priorities``
section): single-threaded, imagecodecs decodes lossless HTJ2K 2.1-2.3× faster than
pylibjpeg-openjpeg (OpenJPH), lossy HTJ2K and JPEG 2000 as fast or up to 1.16×
(both are OpenJPEG 2.5); it releases the GIL, so only it scales with ``workers=``.

Examples
--------
>>> from dicodec_jpeg2k import plugin
>>> [c.name for c in plugin.dicodec_codecs()]
['jpeg2k.imagecodecs', 'jpeg2k.openjpeg']
>>> plugin.DICODEC_API_VERSION
1
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec, FrameSpec

__all__ = [
    "DICODEC_API_VERSION",
    "HTJ2K_SYNTAXES",
    "J2K_SYNTAXES",
    "SYNTAXES",
    "dicodec_codecs",
]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""

J2K_SYNTAXES = ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91")
HTJ2K_SYNTAXES = ("1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203")
SYNTAXES = J2K_SYNTAXES + HTJ2K_SYNTAXES

_PHOTOMETRIC = frozenset(
    {"MONOCHROME1", "MONOCHROME2", "PALETTE COLOR", "RGB", "YBR_FULL", "YBR_FULL_422", "YBR_RCT", "YBR_ICT"}
)
_DECODE = Capabilities(
    bits_allocated=frozenset({1, 8, 16, 32}),
    bits_stored=(1, 32),
    samples_per_pixel=frozenset({1, 3}),
    photometric_interpretations=_PHOTOMETRIC,
    signed=True,
    releases_gil=True,
    thread_safe=True,
)
_ENCODE = Capabilities(
    bits_allocated=frozenset({1, 8, 16}),
    bits_stored=(1, 16),
    samples_per_pixel=frozenset({1, 3}),
    photometric_interpretations=_PHOTOMETRIC,
    signed=True,
    planar_configurations=frozenset({0, 1}),
    lossy=True,
)
_HAS_ENCODE_SYNTAXES = "encode_transfer_syntaxes" in {f.name for f in fields(CodecSpec)}
_OPTIONS = {
    "j2k_cr": "compression ratio per quality layer, decreasing (…4.91, …4.203)",
    "j2k_psnr": "PSNR in dB per quality layer, increasing (…4.91, …4.203)",
    "use_mct": "colour-transform RGB to YBR_RCT / YBR_ICT (default True)",
}


@dataclass(frozen=True)
class SyntaxCapabilities(Capabilities):
    """:class:`Capabilities` that also refuse frames of other transfer syntaxes.

    One codec name serves decoding of all five syntaxes, but pylibjpeg-openjpeg
    encodes only JPEG 2000; the encoder's capabilities say so before it is tried.

    Examples
    --------
    >>> caps = SyntaxCapabilities(transfer_syntaxes=J2K_SYNTAXES)
    >>> caps.refusal(FrameSpec(8, 8, transfer_syntax=HTJ2K_SYNTAXES[0]))
    'this codec encodes 1.2.840.10008.1.2.4.90, 1.2.840.10008.1.2.4.91 only'
    """

    transfer_syntaxes: tuple[str, ...] | None = None

    def refusal(self, spec: FrameSpec) -> str | None:
        """Why this codec cannot take ``spec``, or ``None``."""
        if self.transfer_syntaxes is not None and spec.transfer_syntax not in self.transfer_syntaxes:
            return f"this codec encodes {', '.join(self.transfer_syntaxes)} only"
        return super().refusal(spec)


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare ``jpeg2k.imagecodecs`` and ``jpeg2k.openjpeg``.

    Returns
    -------
    list of CodecSpec
        Lazy ``"module:function"`` references; neither imagecodecs nor openjpeg
        is imported until a frame needs them.

    Examples
    --------
    >>> specs = {c.name: c for c in dicodec_codecs()}
    >>> specs["jpeg2k.imagecodecs"].capabilities.releases_gil
    True
    >>> specs["jpeg2k.openjpeg"].requires
    ('openjpeg',)
    """
    openjpeg_encode = SyntaxCapabilities(
        bits_allocated=frozenset({8, 16}),
        bits_stored=(2, 16),  # 1-bit samples after 5 wavelet levels: OpenJPEG fails or mis-codes
        samples_per_pixel=_ENCODE.samples_per_pixel,
        photometric_interpretations=_ENCODE.photometric_interpretations,
        planar_configurations=_ENCODE.planar_configurations,
        lossy=True,
        transfer_syntaxes=J2K_SYNTAXES,
    )
    # a core that knows per-purpose syntaxes gets them declared; the capabilities
    # above refuse HTJ2K encoding either way
    openjpeg_extra = {"encode_transfer_syntaxes": J2K_SYNTAXES} if _HAS_ENCODE_SYNTAXES else {}
    return [
        CodecSpec(
            name="jpeg2k.imagecodecs",
            transfer_syntaxes=SYNTAXES,
            decode="dicodec_jpeg2k.imagecodecs_backend:decode",
            encode="dicodec_jpeg2k.imagecodecs_backend:encode",
            requires=("imagecodecs",),
            capabilities=_DECODE,
            encode_capabilities=_ENCODE,
            priority=60,
            install_hint="pip install dicodec-jpeg2k[imagecodecs]",
            description="JPEG 2000 / HTJ2K with imagecodecs (OpenJPEG, OpenJPH), releases the GIL",
            options={**_OPTIONS, "j2k_threads": "decode: OpenJPEG threads per frame (0 = all cores)"},
        ),
        CodecSpec(
            name="jpeg2k.openjpeg",
            transfer_syntaxes=SYNTAXES,
            decode="dicodec_jpeg2k.openjpeg_backend:decode",
            encode="dicodec_jpeg2k.openjpeg_backend:encode",
            requires=("openjpeg",),
            capabilities=Capabilities(
                bits_allocated=frozenset({1, 8, 16, 32}),
                bits_stored=(1, 32),
                samples_per_pixel=frozenset({1, 3}),
                photometric_interpretations=_PHOTOMETRIC,
                signed=True,
                releases_gil=False,
                thread_safe=True,
            ),
            encode_capabilities=openjpeg_encode,
            priority=40,
            install_hint="pip install dicodec-jpeg2k[openjpeg]",
            description="JPEG 2000 / HTJ2K with pylibjpeg-openjpeg (encodes JPEG 2000 only)",
            options=_OPTIONS,
            **openjpeg_extra,
        ),
    ]
