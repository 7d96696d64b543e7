"""Encoding options of the JPEG codecs, checked once per frame.

=====================  =====================================================================
option                 meaning
=====================  =====================================================================
``jpeg_quality``       1-100, lossy processes only (default 90)
``jpeg_photometric``   colour output of a lossy process: ``"YBR_FULL_422"`` (default:
                       YCbCr with 2:1 horizontally subsampled chrominance),
                       ``"YBR_FULL"`` (YCbCr, no subsampling) or ``"RGB"`` (no colour
                       transform; RGB input only)
``jpeg_predictor``     lossless predictor 1-7 for JPEG Lossless (``...4.57``, default 1);
                       JPEG Lossless SV1 (``...4.70``) is predictor 1 by definition
=====================  =====================================================================

Examples
--------
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpeg.options import settings_for
>>> spec = FrameSpec(4, 4, bits_allocated=16, bits_stored=12, transfer_syntax="1.2.840.10008.1.2.4.57")
>>> s = settings_for(spec, {"jpeg_predictor": 7})
>>> s.lossless, s.precision, s.predictor
(True, 12, 7)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dicodec.plugins.records import FrameSpec

__all__ = [
    "BASELINE",
    "DEFAULT_QUALITY",
    "EXTENDED",
    "LOSSLESS",
    "LOSSLESS_SV1",
    "OPTIONS",
    "EncodeSettings",
    "lossy_changes",
    "settings_for",
]

BASELINE = "1.2.840.10008.1.2.4.50"
EXTENDED = "1.2.840.10008.1.2.4.51"
LOSSLESS = "1.2.840.10008.1.2.4.57"
LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"

DEFAULT_QUALITY = 90
"""libjpeg quality used when ``jpeg_quality`` is not given."""

OPTIONS = {
    "jpeg_quality": "lossy quality 1-100 (default 90)",
    "jpeg_photometric": "lossy colour output: YBR_FULL_422 (default), YBR_FULL or RGB",
    "jpeg_predictor": "lossless predictor 1-7 for JPEG Lossless ...4.57 (default 1)",
}
"""The encoding options, as shown by ``dicodec plugins``."""

_MONO = frozenset({"MONOCHROME1", "MONOCHROME2"})
_YBR_IN = frozenset({"YBR_FULL", "YBR_FULL_422"})


@dataclass(frozen=True)
class EncodeSettings:
    """How one frame is to be encoded.

    Attributes
    ----------
    lossless : bool
        Process 14 (``...4.57`` / ``...4.70``) rather than a DCT process.
    precision : int
        JPEG sample precision P: 8 (Baseline), 8 or 12 (Extended), Bits Stored
        (Lossless).
    quality : int
        libjpeg quality for DCT processes.
    predictor : int
        Lossless predictor selection value (0 for DCT processes).
    photometric : str
        The Photometric Interpretation of the encoded frame.
    input_space, jpeg_space : str
        libjpeg colour spaces of the given samples and of the codestream
        (``"GRAYSCALE"``, ``"RGB"``, ``"YCbCr"``, or ``"UNKNOWN"`` for lossless
        YCbCr: coded as they are, without colour markers).
    subsampling : str
        ``"422"`` or ``"444"`` for YCbCr codestreams, ``""`` otherwise.
    """

    lossless: bool
    precision: int
    quality: int
    predictor: int
    photometric: str
    input_space: str
    jpeg_space: str
    subsampling: str


def _int_option(options: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = options.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or (not isinstance(value, (int,)) and not hasattr(value, "__index__")):
        raise ValueError(f"{name} must be an integer from {low} to {high}, not {value!r}")
    value = int(value)
    if not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, not {value!r}")
    return value


def settings_for(spec: FrameSpec, options: Mapping[str, Any]) -> EncodeSettings:
    """Check ``spec`` and ``options`` against the transfer syntax; return the settings.

    Raises
    ------
    ValueError
        The frame cannot be encoded with the process the transfer syntax names
        (Bits Allocated / Stored, signedness, samples, Photometric Interpretation),
        or an option is out of range. The message names what is wrong.

    Examples
    --------
    >>> spec = FrameSpec(4, 4, 3, 8, 8, photometric_interpretation="RGB",
    ...                  transfer_syntax="1.2.840.10008.1.2.4.50")
    >>> s = settings_for(spec, {"jpeg_photometric": "YBR_FULL"})
    >>> s.photometric, s.jpeg_space, s.subsampling, s.quality
    ('YBR_FULL', 'YCbCr', '444', 90)
    >>> settings_for(spec.replace(transfer_syntax="1.2.840.10008.1.2.4.70"), {"jpeg_predictor": 3})
    Traceback (most recent call last):
    ...
    ValueError: JPEG Lossless SV1 (1.2.840.10008.1.2.4.70) uses predictor 1; use JPEG Lossless (1.2.840.10008.1.2.4.57) for jpeg_predictor=3
    """
    ts = spec.transfer_syntax
    if spec.float_pixels:
        raise ValueError("JPEG cannot encode Float or Double Float Pixel Data")
    if spec.samples_per_pixel not in (1, 3):
        raise ValueError(f"JPEG encoding takes 1 or 3 samples per pixel, not {spec.samples_per_pixel}")
    if spec.bits_allocated not in (8, 16):
        raise ValueError(f"JPEG encoding takes Bits Allocated 8 or 16, not {spec.bits_allocated}")
    bits = spec.bits_stored
    lossless = ts in (LOSSLESS, LOSSLESS_SV1)
    predictor = 0
    quality = DEFAULT_QUALITY
    if ts == BASELINE:
        if spec.bits_allocated != 8 or bits > 8:
            raise ValueError(
                f"JPEG Baseline encodes 8-bit samples (Bits Allocated 8); this frame has Bits "
                f"Allocated {spec.bits_allocated}, Bits Stored {bits}: use JPEG Extended or Lossless"
            )
        precision = 8
    elif ts == EXTENDED:
        if bits > 12:
            raise ValueError(
                f"JPEG Extended encodes up to 12-bit samples; Bits Stored is {bits}: use JPEG Lossless"
            )
        precision = 8 if bits <= 8 and spec.bits_allocated == 8 else 12
    elif lossless:
        if not 2 <= bits <= 16:
            raise ValueError(f"JPEG Lossless encodes 2 to 16-bit samples; Bits Stored is {bits}")
        precision = bits
        predictor = _int_option(options, "jpeg_predictor", 1, 1, 7)
        if ts == LOSSLESS_SV1 and predictor != 1:
            raise ValueError(
                f"JPEG Lossless SV1 ({LOSSLESS_SV1}) uses predictor 1; use JPEG Lossless "
                f"({LOSSLESS}) for jpeg_predictor={predictor}"
            )
    else:
        raise ValueError(f"{ts} is not a JPEG transfer syntax this codec encodes")
    if not lossless:
        quality = _int_option(options, "jpeg_quality", DEFAULT_QUALITY, 1, 100)
        if spec.pixel_representation:
            raise ValueError(
                "signed samples (Pixel Representation 1) cannot be encoded with a lossy JPEG "
                "process; use JPEG Lossless"
            )
    pi = spec.photometric_interpretation.strip()
    wanted = options.get("jpeg_photometric")
    subsampling = ""
    if spec.samples_per_pixel == 1:
        if pi not in _MONO and not (lossless and pi == "PALETTE COLOR"):
            raise ValueError(
                f"Photometric Interpretation {pi!r} cannot be encoded with "
                f"{'JPEG Lossless' if lossless else 'a lossy JPEG process'}"
            )
        if wanted not in (None, pi):
            raise ValueError(f"jpeg_photometric={wanted!r} does not apply to single-sample data")
        return EncodeSettings(lossless, precision, quality, predictor, pi, "GRAYSCALE", "GRAYSCALE", "")
    if pi not in ("RGB", *_YBR_IN):
        raise ValueError(f"Photometric Interpretation {pi!r} cannot be encoded with JPEG")
    input_space = "RGB" if pi == "RGB" else "YCbCr"
    if lossless:
        # a colour transform would lose information: the samples are coded as they are.
        # RGB gets RGB component IDs and an APP14 "no transform" marker. YCbCr samples
        # are coded as colour space UNKNOWN (component IDs 0, 1, 2, no JFIF or APP14
        # marker): libjpeg-turbo would subsample a YCbCr codestream's chrominance even
        # in lossless mode, and RGB markers would contradict the YBR_FULL label.
        photometric = "RGB" if pi == "RGB" else "YBR_FULL"
        if wanted not in (None, pi, photometric):
            raise ValueError(
                f"JPEG Lossless codes the samples without a colour transform: "
                f"jpeg_photometric={wanted!r} cannot be produced from {pi}"
            )
        space = "RGB" if pi == "RGB" else "UNKNOWN"
        return EncodeSettings(True, precision, quality, predictor, photometric, space, space, "")
    photometric = "YBR_FULL_422" if wanted is None else str(wanted).strip()
    if photometric == "YBR_FULL_422":
        subsampling = "422"
    elif photometric == "YBR_FULL":
        subsampling = "444"
    elif photometric == "RGB":
        if input_space != "RGB":
            raise ValueError(f"jpeg_photometric='RGB' needs RGB input, not {pi}")
    else:
        raise ValueError(
            f"jpeg_photometric must be 'YBR_FULL_422', 'YBR_FULL' or 'RGB', not {wanted!r}"
        )
    jpeg_space = "RGB" if photometric == "RGB" else "YCbCr"
    return EncodeSettings(False, precision, quality, 0, photometric, input_space, jpeg_space, subsampling)


def lossy_changes(spec: FrameSpec, encoded_length: int) -> dict[str, Any]:
    """The Lossy Image Compression attributes for one frame encoded in ``encoded_length`` bytes.

    The ratio is the frame's uncompressed size (Bits Allocated per sample) over
    its encoded size, as PS3.3 C.7.6.1.1.5 defines it.

    Examples
    --------
    >>> lossy_changes(FrameSpec(100, 100, bits_allocated=8), 1000)
    {'LossyImageCompression': '01', 'LossyImageCompressionRatio': '10.00', 'LossyImageCompressionMethod': 'ISO_10918_1'}
    """
    uncompressed = spec.rows * spec.columns * spec.samples_per_pixel * spec.bits_allocated / 8
    ratio = uncompressed / max(encoded_length, 1)
    return {
        "LossyImageCompression": "01",
        "LossyImageCompressionRatio": f"{ratio:.2f}"[:16],
        "LossyImageCompressionMethod": "ISO_10918_1",
    }
