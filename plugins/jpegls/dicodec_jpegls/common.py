"""What every JPEG-LS backend shares: frame checks, encode options, sample preparation.

JPEG-LS carries no sign. Signed samples are stored as their two's complement
bit patterns in the unsigned Bits Stored range (``-1`` with Bits Stored 12 is
stored as ``0xFFF``), which is what DICOM writers (pydicom with pyjpegls, GDCM,
DCMTK) do; decoders therefore return unsigned values, and the backends here
report ``pixel_representation=0`` with the data set's ``bits_stored`` so the
core sign-extends from Bits Stored, in one place
(:func:`dicodec.pixels.corrections.finish_frame`). Extending from Bits Stored
rather than from the codestream's precision P is deliberate: some encoders
write P = 16 for 12-bit data (the extension is the same either way) and some
write a P below Bits Stored for data that is all non-negative (extending from
P would turn large values negative).

Near-lossless coding keeps every reconstructed sample within NEAR of the
original *in the unsigned domain* and clamps it to [0, 2**P - 1]. For signed
data the two's complement mapping is continuous around zero (-1 is 2**P - 1,
0 is 0, and clamping keeps them on their side), but not at the signed extremes:
the largest positive value (2**(P-1) - 1) sits next to the most negative one
(2**(P-1)) in the unsigned domain, and an error of NEAR can carry one into the
other. The encoders therefore refuse signed near-lossless frames whose values
come within NEAR of the signed range's ends, naming the safe range (pydicom
does the same); values near zero are fine.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> spec = FrameSpec(2, 2, bits_allocated=16, bits_stored=12, pixel_representation=1,
...                  transfer_syntax=JPEGLS_NEAR_LOSSLESS)
>>> prepare_samples(np.array([[-1, 0], [1, -2048]], np.int16), spec, near=0).tolist()
[[4095, 0], [1, 2048]]
>>> encode_params(spec, {"jls_error": 3})
(3, 0)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dicodec.plugins.records import DecodedFrame, FrameSpec

from .codestream import INTERLEAVE_NAMES, JlsInfo

__all__ = [
    "JPEGLS_LOSSLESS",
    "JPEGLS_NEAR_LOSSLESS",
    "LOSSY_METHOD",
    "check_frame",
    "encode_params",
    "finished",
    "lossy_changes",
    "prepare_samples",
    "sample_range",
]

JPEGLS_LOSSLESS = "1.2.840.10008.1.2.4.80"
"""JPEG-LS Lossless Image Compression."""
JPEGLS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81"
"""JPEG-LS Lossy (Near-Lossless) Image Compression."""
LOSSY_METHOD = "ISO_14495_1"
"""Lossy Image Compression Method (0028,2114) of JPEG-LS near-lossless coding."""

_INTERLEAVE_BY_NAME = {name: i for i, name in enumerate(INTERLEAVE_NAMES)}
_UNSIGNED = {1: np.dtype(np.uint8), 2: np.dtype(np.uint16)}


def check_frame(info: JlsInfo, spec: FrameSpec) -> None:
    """Raise if the codestream's header does not fit the data set's description.

    Parameters
    ----------
    info : JlsInfo
        From :func:`~dicodec_jpegls.codestream.parse_header`.
    spec : FrameSpec
        What the data set says the frame is.

    Raises
    ------
    ValueError
        Another size, another number of components, or a precision wider than
        Bits Allocated; the message gives both sides.

    Examples
    --------
    >>> from dicodec_jpegls.codestream import JlsInfo
    >>> check_frame(JlsInfo(12, 4, 4, 1, 0, 0), FrameSpec(4, 4, bits_allocated=8, bits_stored=8))
    Traceback (most recent call last):
    ...
    ValueError: the JPEG-LS codestream has 12-bit samples, which do not fit Bits Allocated 8
    """
    if info.rows == 0:  # height from a DNL marker: decoders grow buffers without bound on it
        raise ValueError("the JPEG-LS frame header declares 0 rows (height from a DNL marker): not supported")
    if info.columns != spec.columns or info.rows != spec.rows:
        raise ValueError(
            f"the JPEG-LS codestream is {info.rows} x {info.columns} (rows x columns), "
            f"the data set says {spec.rows} x {spec.columns}"
        )
    if info.components != spec.samples_per_pixel:
        raise ValueError(
            f"the JPEG-LS codestream has {info.components} component(s), "
            f"the data set says Samples per Pixel {spec.samples_per_pixel}"
        )
    if info.precision > 8 * spec.itemsize:
        raise ValueError(
            f"the JPEG-LS codestream has {info.precision}-bit samples, "
            f"which do not fit Bits Allocated {spec.bits_allocated}"
        )


def finished(out: np.ndarray, spec: FrameSpec) -> DecodedFrame:
    """The :class:`DecodedFrame` of a JPEG-LS frame decoded into ``out``.

    JPEG-LS values are unsigned: for signed data sets the frame is reported as
    unsigned with the data set's Bits Stored, so the core sign-extends from
    Bits Stored. Unsigned frames are reported as specified, and the core leaves
    them alone (a near-lossless stream whose precision exceeds Bits Stored may
    overshoot 2**BitsStored - 1 by up to NEAR; masking would wrap such values).

    Examples
    --------
    >>> import numpy as np
    >>> spec = FrameSpec(1, 2, bits_stored=12, pixel_representation=1)
    >>> f = finished(np.zeros((1, 2), np.int16), spec)
    >>> f.pixel_representation, f.bits_stored
    (0, 12)
    """
    if spec.pixel_representation:
        return DecodedFrame(out, spec.photometric_interpretation, 0, 0, spec.bits_stored)
    return DecodedFrame(out, spec.photometric_interpretation)


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, not {value!r}")
    return int(value)


def encode_params(spec: FrameSpec, options: Mapping[str, Any] | None) -> tuple[int, int]:
    """Validate the JPEG-LS encode options: return ``(near, interleave)``.

    Parameters
    ----------
    spec : FrameSpec
        The frame (its transfer syntax decides whether NEAR may be above 0).
    options : Mapping
        ``jls_error`` — NEAR, the largest absolute error allowed per sample
        (default 0, lossless; at most ``min(255, (2**BitsStored - 1) // 2)``;
        above 0 only for JPEG-LS Near-Lossless, 1.2.840.10008.1.2.4.81).
        ``jls_interleave`` — for colour: ``"sample"`` (default, ILV 2),
        ``"line"`` (1) or ``"none"`` (0, one scan per component); given as a
        name or its ILV number. Ignored for one sample per pixel (always none).
        Other keys are ignored.

    Returns
    -------
    tuple of int
        NEAR and the ILV value.

    Raises
    ------
    ValueError
        A value out of range, or ``jls_error`` above 0 for JPEG-LS Lossless.

    Examples
    --------
    >>> spec = FrameSpec(2, 2, samples_per_pixel=3, bits_allocated=8, bits_stored=8,
    ...                  photometric_interpretation="RGB", transfer_syntax=JPEGLS_LOSSLESS)
    >>> encode_params(spec, {"jls_interleave": "line"})
    (0, 1)
    >>> encode_params(spec, {"jls_error": 2})
    Traceback (most recent call last):
    ...
    ValueError: jls_error=2 is lossy: encode to JPEG-LS Near-Lossless (1.2.840.10008.1.2.4.81), not JPEG-LS Lossless
    """
    options = options or {}
    raw_near = options.get("jls_error")
    near = 0 if raw_near is None else _as_int("jls_error", raw_near)
    precision = spec.bits_stored
    limit = min(255, ((1 << precision) - 1) // 2)
    if not 0 <= near <= limit:
        raise ValueError(
            f"jls_error={near} is outside 0-{limit}, the NEAR values JPEG-LS allows for {precision}-bit samples"
        )
    if near and spec.transfer_syntax == JPEGLS_LOSSLESS:
        raise ValueError(
            f"jls_error={near} is lossy: encode to JPEG-LS Near-Lossless ({JPEGLS_NEAR_LOSSLESS}), not JPEG-LS Lossless"
        )
    if spec.samples_per_pixel == 1:
        return near, 0
    ilv = options.get("jls_interleave")
    if ilv is None:
        return near, 2
    if isinstance(ilv, str):
        key = ilv.strip().lower()
        if key not in _INTERLEAVE_BY_NAME:
            raise ValueError(f"jls_interleave={ilv!r} is not one of 'none', 'line', 'sample' (or 0, 1, 2)")
        return near, _INTERLEAVE_BY_NAME[key]
    value = _as_int("jls_interleave", ilv)
    if value not in (0, 1, 2):
        raise ValueError(f"jls_interleave={ilv!r} is not one of 'none', 'line', 'sample' (or 0, 1, 2)")
    return near, value


def sample_range(spec: FrameSpec, near: int = 0) -> tuple[int, int]:
    """The values a JPEG-LS frame of ``spec`` may hold: ``(lowest, highest)``.

    For signed near-lossless data the range is narrowed by NEAR at both ends,
    so no reconstructed value can wrap from one end of the signed range to the
    other (see the module notes).

    Examples
    --------
    >>> sample_range(FrameSpec(1, 1, bits_stored=12, pixel_representation=1), near=2)
    (-2046, 2045)
    >>> sample_range(FrameSpec(1, 1, bits_allocated=8, bits_stored=8), near=2)
    (0, 255)
    """
    bits = spec.bits_stored
    if spec.pixel_representation:
        return -(1 << (bits - 1)) + near, (1 << (bits - 1)) - 1 - near
    return 0, (1 << bits) - 1


def prepare_samples(arr: np.ndarray, spec: FrameSpec, near: int = 0) -> np.ndarray:
    """The samples a JPEG-LS encoder takes: unsigned, C-contiguous, P = Bits Stored.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape`` (samples interleaved), any integer dtype.
    spec : FrameSpec
        Its description: Bits Stored is the JPEG-LS precision P.
    near : int
        NEAR; for signed data the allowed range shrinks by NEAR at both ends.

    Returns
    -------
    numpy.ndarray
        ``uint8`` for P <= 8, else ``uint16``; signed values as their two's
        complement in P bits. A view of ``arr`` when no conversion is needed.

    Raises
    ------
    ValueError
        Wrong shape, a non-integer dtype, or values outside the range Bits Stored
        and Pixel Representation allow (for signed near-lossless: that range
        narrowed by NEAR at both ends).

    Examples
    --------
    >>> import numpy as np
    >>> spec = FrameSpec(1, 3, bits_allocated=8, bits_stored=8, pixel_representation=1,
    ...                  transfer_syntax=JPEGLS_NEAR_LOSSLESS)
    >>> prepare_samples(np.array([[-1, 0, 1]], np.int8), spec, near=1).tolist()
    [[255, 0, 1]]
    >>> prepare_samples(np.array([[127, 0, 1]], np.int8), spec, near=1)
    Traceback (most recent call last):
    ...
    ValueError: signed near-lossless JPEG-LS with Bits Stored 8 and jls_error=1 takes values from -127 to 126 (an error could otherwise wrap from one end of the signed range to the other); this frame holds values from 0 to 127
    """
    arr = np.asarray(arr)
    if arr.shape != spec.shape:
        if arr.size == spec.pixels and arr.ndim == len(spec.shape) + 1 and arr.shape[-1] == 1:
            arr = arr.reshape(spec.shape)
        else:
            raise ValueError(f"the frame has shape {arr.shape}, the data set describes {spec.shape}")
    if arr.dtype.kind not in "ui":
        raise ValueError(f"JPEG-LS encodes integer samples, not {arr.dtype}")
    bits = spec.bits_stored
    if not 2 <= bits <= 16:
        raise ValueError(f"JPEG-LS encodes Bits Stored 2-16, not {bits}")
    signed = bool(spec.pixel_representation)
    lo, hi = sample_range(spec, near if signed else 0)
    info = np.iinfo(arr.dtype)
    if info.min < lo or info.max > hi:  # the dtype can hold values out of range: look
        amin, amax = (int(arr.min()), int(arr.max())) if arr.size else (lo, hi)
        if amin < lo or amax > hi:
            if signed and near:
                raise ValueError(
                    f"signed near-lossless JPEG-LS with Bits Stored {bits} and jls_error={near} takes values "
                    f"from {lo} to {hi} (an error could otherwise wrap from one end of the signed range to "
                    f"the other); this frame holds values from {amin} to {amax}"
                )
            kind = "signed" if signed else "unsigned"
            raise ValueError(
                f"{kind} Bits Stored {bits} holds values from {lo} to {hi}; "
                f"this frame holds values from {amin} to {amax}"
            )
    target = _UNSIGNED[1 if bits <= 8 else 2]
    if arr.dtype == target:
        return np.ascontiguousarray(arr)
    if signed and arr.dtype.kind == "i" and arr.dtype.itemsize == target.itemsize and bits == 8 * target.itemsize:
        return np.ascontiguousarray(arr).view(target)  # two's complement is the P-bit pattern
    # values are within range: a wrapping cast gives the two's complement, then keep P bits
    out = arr.astype(target, order="C")
    if signed and bits < 8 * target.itemsize:
        np.bitwise_and(out, (1 << bits) - 1, out=out)
    return out


def lossy_changes(spec: FrameSpec, near: int, encoded_length: int) -> dict[str, Any]:
    """The data set changes of a frame encoded with NEAR (none when NEAR is 0).

    Lossy Image Compression (0028,2110) "01", Lossy Image Compression Ratio
    (0028,2112) from the native frame size over the encoded size, and Lossy Image
    Compression Method (0028,2114) "ISO_14495_1".

    Examples
    --------
    >>> spec = FrameSpec(10, 10, bits_allocated=8, bits_stored=8)
    >>> lossy_changes(spec, 2, 25)
    {'LossyImageCompression': '01', 'LossyImageCompressionRatio': '4.00', 'LossyImageCompressionMethod': 'ISO_14495_1'}
    >>> lossy_changes(spec, 0, 25)
    {}
    """
    if not near:
        return {}
    native = spec.rows * spec.columns * spec.samples_per_pixel * spec.itemsize
    ratio = native / max(encoded_length, 1)
    return {
        "LossyImageCompression": "01",
        "LossyImageCompressionRatio": f"{ratio:.2f}",
        "LossyImageCompressionMethod": LOSSY_METHOD,
    }
