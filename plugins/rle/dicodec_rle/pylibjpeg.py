"""RLE Lossless through pylibjpeg-rle (import name ``rle``): the ``rle.pylibjpeg`` codec.

pylibjpeg-rle decodes a frame to a planar, byte-ordered ``bytearray``; this
module copies it into the interleaved output. It holds the GIL. Its 1-bit
format (one byte per pixel in the segment) is not the standard's bit-packed
one, so the codec is declared for Bits Allocated 8, 16, 32 and 64 only.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> spec = FrameSpec(rows=2, columns=2, bits_allocated=16, bits_stored=16,
...                  transfer_syntax="1.2.840.10008.1.2.5")
>>> arr = np.array([[1, 256], [65535, 7]], np.uint16)
>>> decode(encode(arr, spec, {}).data, spec).array.tolist()
[[1, 256], [65535, 7]]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from rle.rle import decode_frame as _decode_frame
from rle.rle import encode_frame as _encode_frame

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

__all__ = ["decode", "encode"]


def _order(options: Mapping[str, Any]) -> str:
    order = options.get("rle_segment_order", ">")
    if order not in (">", "<"):
        raise ValueError(f"rle_segment_order must be '>' or '<', not {order!r}")
    return order


def decode(
    src: bytes | bytearray | memoryview,
    spec: FrameSpec,
    out: np.ndarray | None = None,
    **options: Any,
) -> DecodedFrame:
    """Decode one frame with pylibjpeg-rle (see :func:`dicodec_rle.codec.decode`).

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The RLE frame.
    spec : FrameSpec
        The frame's description.
    out : numpy.ndarray, optional
        Array of ``spec.shape`` / ``spec.dtype`` to fill.
    **options
        ``rle_segment_order`` (``">"`` or ``"<"``).

    Returns
    -------
    DecodedFrame
    """
    # With segments stored least significant first, asking pylibjpeg-rle for
    # big-endian output puts every byte back in little-endian order.
    byteorder = ">" if _order(options) == "<" else "<"
    data = _decode_frame(bytes(src), spec.rows * spec.columns, spec.bits_allocated, byteorder)
    dtype = np.dtype(spec.dtype).newbyteorder("<")
    planes = np.frombuffer(data, dtype).reshape(spec.samples_per_pixel, spec.rows, spec.columns)
    if out is None:
        out = np.empty(spec.shape, spec.dtype)
    if spec.samples_per_pixel == 1:
        out[...] = planes[0]
    else:
        out[...] = np.moveaxis(planes, 0, -1)
    return DecodedFrame(out, spec.photometric_interpretation)


def encode(
    arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None
) -> EncodedFrame:
    """Encode one frame with pylibjpeg-rle (see :func:`dicodec_rle.codec.encode`).

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``, interleaved samples.
    spec : FrameSpec
        The frame's description.
    options : Mapping, optional
        ``rle_segment_order`` (``">"`` or ``"<"``).

    Returns
    -------
    EncodedFrame
    """
    if tuple(arr.shape) != spec.shape:
        raise ValueError(f"the array has shape {tuple(arr.shape)} but the frame is {spec.shape}")
    a = np.asarray(arr)
    if a.dtype.itemsize * 8 != spec.bits_allocated:
        raise ValueError(
            f"the array holds {a.dtype} samples but Bits Allocated is {spec.bits_allocated}"
        )
    order = _order(options or {})
    # pylibjpeg-rle writes the most significant byte first of data in `byteorder`;
    # handing it data of the opposite order writes the segments least significant first.
    native = "<" if np.little_endian else ">"
    byteorder = native if order == ">" else ("<" if native == ">" else ">")
    src = np.ascontiguousarray(a, a.dtype.newbyteorder("=")).tobytes()
    data = _encode_frame(
        src, spec.rows, spec.columns, spec.samples_per_pixel, spec.bits_allocated, byteorder
    )
    changes: dict[str, Any] = {}
    if spec.samples_per_pixel == 3 and spec.photometric_interpretation == "YBR_FULL_422":
        changes["PhotometricInterpretation"] = "YBR_FULL"
    return EncodedFrame(bytes(data), changes)
