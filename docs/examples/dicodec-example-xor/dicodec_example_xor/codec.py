"""The frame functions of the ``xor.numpy`` codec.

dicodec imports this module on the first decode or encode, through the lazy
references ``"dicodec_example_xor.codec:decode"`` and ``":encode"`` declared in
:mod:`dicodec_example_xor.plugin`. It is the only module of the package that
imports numpy.

The encoded form of one frame is the frame's native bytes (samples interleaved,
little endian, one sample per ``spec.itemsize`` bytes) with every byte XOR-ed
with :data:`~dicodec_example_xor.plugin.XOR_KEY`. The data set's encapsulation
(items, Basic Offset Table, the pad byte of odd-length frames) is the core's job.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_example_xor.codec import decode, encode
>>> from dicodec_example_xor.plugin import XOR_TS
>>> spec = FrameSpec(rows=2, columns=2, bits_allocated=16, bits_stored=16,
...                  pixel_representation=1, transfer_syntax=XOR_TS)
>>> arr = np.array([[0, 1], [-1, 256]], dtype=np.int16)
>>> data = encode(arr, spec, {}).data
>>> data.hex()
'5a5a5b5aa5a55a5b'
>>> decode(data, spec, None).array.tolist()
[[0, 1], [-1, 256]]
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from .plugin import XOR_KEY, XOR_TS

__all__ = ["decode", "encode"]

_LITTLE = sys.byteorder == "little"


def _stream_dtype(spec: FrameSpec) -> np.dtype:
    """The dtype of one sample in the encoded stream: ``spec.dtype``, little endian."""
    return np.dtype(spec.dtype).newbyteorder("<")


def _check_syntax(spec: FrameSpec, what: str) -> None:
    # The codec is also declared (with a low priority) for RLE Lossless, only to
    # demonstrate selection and fallback. It must never pretend to understand or
    # to write RLE: raise, so that the core moves on to the next candidate.
    if spec.transfer_syntax != XOR_TS:
        raise ValueError(f"xor.numpy cannot {what} {spec.transfer_syntax} frames, only {XOR_TS}")


def decode(
    src: bytes | bytearray | memoryview,
    spec: FrameSpec,
    out: np.ndarray | None = None,
    **options: Any,
) -> DecodedFrame:
    """Decode one XOR-ed frame.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The frame's encoded bytes (possibly followed by the one pad byte that
        makes an odd-length fragment even).
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        A writable C-contiguous array of ``spec.shape`` and ``spec.dtype`` to fill;
        allocated when ``None``.
    **options
        Codec options passed by the caller (``pixel_array(..., name=value)``);
        this codec has none and ignores them.

    Returns
    -------
    DecodedFrame
        ``out`` (or the new array), with the data set's photometric interpretation:
        XOR neither converts colour nor changes signedness, so there is nothing for
        the core to correct.

    Raises
    ------
    ValueError
        The frame is not an XOR frame, or its length does not match ``spec``.
    """
    _check_syntax(spec, "decode")
    expected = spec.decoded_length
    view = memoryview(src).cast("B")
    if len(view) not in (expected, expected + (expected % 2)):
        raise ValueError(
            f"an XOR frame of {spec.rows} x {spec.columns} x {spec.samples_per_pixel} samples of "
            f"{spec.itemsize} bytes has {expected} bytes, not {len(view)}"
        )
    if out is None:
        out = np.empty(spec.shape, dtype=spec.dtype)
    elif not out.flags.c_contiguous or out.nbytes != expected:
        raise ValueError(f"out must be a C-contiguous array of {expected} bytes")
    # XOR straight into out's memory: no temporary frame-sized array.
    out_bytes = out.reshape(-1).view(np.uint8)
    np.bitwise_xor(np.frombuffer(view, dtype=np.uint8, count=expected), np.uint8(XOR_KEY), out=out_bytes)
    if out.dtype.itemsize > 1 and (out.dtype.byteorder == ">" or (out.dtype.byteorder == "=" and not _LITTLE)):
        out.byteswap(inplace=True)  # the stream is little endian
    return DecodedFrame(
        array=out,
        photometric_interpretation=spec.photometric_interpretation,
        planar_configuration=0,
    )


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame by XOR-ing its little-endian bytes.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape`` (samples interleaved), with ``spec.dtype``'s
        kind and item size.
    spec : FrameSpec
        What the frame is.
    options : Mapping, optional
        Codec options; this codec has none and ignores them.

    Returns
    -------
    EncodedFrame
        The XOR-ed bytes. For YBR_FULL_422 data the core hands over full-resolution
        frames, so the data set must say ``YBR_FULL`` afterwards: that change is
        returned, not applied here.

    Raises
    ------
    ValueError
        ``arr`` does not match ``spec``, or ``spec`` is not the XOR syntax.
    """
    _check_syntax(spec, "encode")
    arr = np.asarray(arr)
    if tuple(arr.shape) != spec.shape:
        raise ValueError(f"xor.numpy got a frame of shape {arr.shape}, expected {spec.shape}")
    target = _stream_dtype(spec)
    if arr.dtype.kind != target.kind or arr.dtype.itemsize != target.itemsize:
        raise ValueError(f"xor.numpy got {arr.dtype} samples, expected {np.dtype(spec.dtype)}")
    stream = np.ascontiguousarray(arr, dtype=target).reshape(-1).view(np.uint8) ^ np.uint8(XOR_KEY)
    changes: dict[str, Any] = {}
    if spec.photometric_interpretation == "YBR_FULL_422" and spec.samples_per_pixel == 3:
        changes["PhotometricInterpretation"] = "YBR_FULL"
    return EncodedFrame(stream.tobytes(), changes)
