"""The one place where decoded frames are corrected to what the data set says.

Codecs report what they produced (:class:`~dicodec.plugins.records.DecodedFrame`);
this module reconciles it with the :class:`~dicodec.plugins.records.FrameSpec`:
planar layout, signedness (JPEG-LS and some JPEG 2000 streams carry none), unused
high bits, and YCbCr to RGB.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..plugins.records import DecodedFrame, FrameSpec

__all__ = [
    "apply_j2k_sign_correction",
    "apply_jls_sign_correction",
    "apply_sign_correction",
    "correct_unused_bits",
    "finish_frame",
    "ybr_to_rgb",
]


def correct_unused_bits(arr: np.ndarray, bits_stored: int, signed: bool) -> None:
    """Clear (unsigned) or sign-extend (signed) the bits above ``bits_stored``, in place.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([0x0FFF, 0xF800], dtype=np.uint16).view(np.int16)
    >>> correct_unused_bits(a, 12, True); a.tolist()
    [-1, -2048]
    """
    bits = arr.dtype.itemsize * 8
    if bits_stored >= bits or arr.dtype.kind not in "iu":
        return
    if signed:
        shift = bits - bits_stored
        np.left_shift(arr, shift, out=arr)
        np.right_shift(arr, shift, out=arr)
    else:
        np.bitwise_and(arr, (1 << bits_stored) - 1, out=arr)


def apply_sign_correction(arr: np.ndarray, bits_stored: int) -> None:
    """Reinterpret unsigned codec output as two's complement of ``bits_stored`` bits, in place."""
    correct_unused_bits(arr, bits_stored, True)


def apply_j2k_sign_correction(arr: np.ndarray, precision: int, signed: bool) -> None:
    """Reinterpret samples decoded with the other signedness, at the codestream's precision, in place.

    A JPEG 2000 codestream whose SIZ signedness disagrees with Pixel Representation
    holds ``precision``-bit samples: read them as two's complement (``signed``) or as
    unsigned ``precision``-bit numbers; :func:`finish_frame` then keeps the result to
    Bits Stored.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([4095, 2048], dtype=np.uint16).view(np.int16)   # SIZ unsigned, data set signed
    >>> apply_j2k_sign_correction(a, 12, True); a.tolist()
    [-1, -2048]
    >>> b = np.array([-1, -2048], dtype=np.int16).view(np.uint16)    # SIZ signed, data set unsigned
    >>> apply_j2k_sign_correction(b, 12, False); b.tolist()
    [4095, 2048]
    """
    correct_unused_bits(arr, precision, signed)


def apply_jls_sign_correction(arr: np.ndarray, bits_stored: int, signed: bool) -> None:
    """JPEG-LS carries no sign: reinterpret decoded ``bits_stored``-bit samples, in place.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([4095, 1], dtype=np.uint16).view(np.int16)
    >>> apply_jls_sign_correction(a, 12, True); a.tolist()
    [-1, 1]
    """
    correct_unused_bits(arr, bits_stored, signed)


def ybr_to_rgb(arr: np.ndarray, bits: int = 8) -> np.ndarray:
    """Convert one YBR_FULL frame ``(rows, cols, 3)`` to RGB, in place where possible.

    Uses the PS3.3 C.7.6.3.1.2 matrix, rounding half up and clipping to the range.
    """
    offset = 1 << (bits - 1)
    top = (1 << bits) - 1
    f = arr.astype(np.float32)
    f[..., 1:] -= offset
    m = np.array(
        [[1.0, 1.0, 1.0], [0.0, -0.114 * 1.772 / 0.587, 1.772], [1.402, -0.299 * 1.402 / 0.587, 0.0]],
        dtype=np.float32,
    )
    out = f @ m
    out += 0.5
    np.floor(out, out=out)
    np.clip(out, 0, top, out=out)
    arr[...] = out.astype(arr.dtype)
    return arr


def upsample_422(src: np.ndarray, spec: FrameSpec, out: np.ndarray) -> None:
    """Expand native YBR_FULL_422 samples (Y Y Cb Cr per pixel pair) to (rows, cols, 3)."""
    pairs = src.reshape(spec.rows, spec.columns // 2, 4)
    out[:, 0::2, 0] = pairs[..., 0]
    out[:, 1::2, 0] = pairs[..., 1]
    out[:, 0::2, 1] = pairs[..., 2]
    out[:, 1::2, 1] = pairs[..., 2]
    out[:, 0::2, 2] = pairs[..., 3]
    out[:, 1::2, 2] = pairs[..., 3]


def finish_frame(
    decoded: DecodedFrame | np.ndarray, spec: FrameSpec, out: np.ndarray, *, raw: bool, as_rgb: bool, native: bool
) -> str:
    """Make ``out`` hold the corrected frame; return its photometric interpretation.

    ``decoded`` is what a codec's decode returned: a DecodedFrame, or ``out`` itself
    (the short form of ``DecodedFrame(out, spec.photometric_interpretation)``).
    """
    if decoded is out:
        decoded = DecodedFrame(out, spec.photometric_interpretation)
    elif not isinstance(decoded, DecodedFrame):
        raise TypeError(f"decode returned {type(decoded).__name__}, not DecodedFrame")
    arr: Any = decoded.array
    pi = decoded.photometric_interpretation
    if (
        arr is out
        and decoded.pixel_representation is None
        and not decoded.planar_configuration
        and not (native and spec.bits_stored < spec.bits_allocated)
        and (raw or not as_rgb or spec.samples_per_pixel != 3 or pi not in ("YBR_FULL", "YBR_FULL_422"))
    ):
        return pi  # decoded in place, nothing to correct (most frames of most codecs)
    if decoded.planar_configuration == 1 and spec.samples_per_pixel > 1 and arr.ndim == 3 and arr.shape[0] == spec.samples_per_pixel:
        out[...] = np.moveaxis(arr, 0, -1)
    elif arr is not out:
        if arr.shape != out.shape:
            arr = arr.reshape(out.shape)
        out[...] = arr
    if out.dtype.kind in "iu":
        produced_signed = decoded.pixel_representation
        signed = bool(spec.pixel_representation)
        if produced_signed is not None and produced_signed != spec.pixel_representation:
            # the codestream's signedness differs (JPEG-LS has none, some JPEG 2000 disagree):
            # reinterpret at the codestream's precision, then keep to Bits Stored
            apply_j2k_sign_correction(out, decoded.bits_stored or spec.bits_stored, signed)
        if spec.bits_stored < spec.bits_allocated and (native or produced_signed is not None):
            correct_unused_bits(out, spec.bits_stored, signed)
    if not raw and as_rgb and spec.samples_per_pixel == 3 and pi in ("YBR_FULL", "YBR_FULL_422"):
        bits = min(spec.bits_stored, out.dtype.itemsize * 8)
        if out.dtype.itemsize == 1 and bits == 8:
            from .processing.color import ybr_full_to_rgb_inplace

            ybr_full_to_rgb_inplace(out, 8)  # identical to ybr_to_rgb for every 8-bit input, faster
        else:
            ybr_to_rgb(out, bits)
        pi = "RGB"
    return pi
