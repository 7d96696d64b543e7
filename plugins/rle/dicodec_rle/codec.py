"""RLE Lossless (1.2.840.10008.1.2.5, PS3.5 Annex G) with dicodec's own C codec.

The frame functions :func:`decode` and :func:`encode` follow dicodec's codec
contract (see :mod:`dicodec.plugins.hookspecs`); :func:`decode_frame`,
:func:`encode_frame` and :func:`parse_header` are the same codec for plain
arrays and bytes, without a :class:`~dicodec.plugins.records.FrameSpec`.

Every call runs in C with the GIL released (:mod:`dicodec_rle._rle`, built
from ``src/rle_core.c``), reads ``src`` through the buffer protocol without
copying it and decodes straight into the output array: interleaved samples,
native byte order, one byte (0 or 1) per pixel for Bits Allocated 1.

Codec options
-------------
``rle_segment_order`` : ``">"`` (default) or ``"<"``
    The order of a sample's byte segments. The standard puts the most
    significant byte first (``">"``); ``"<"`` reads (or writes) files made by
    encoders that used the other order.
``rle_lenient`` : bool, default ``False``
    Decode only: accept segments that decode to more bytes than the frame
    needs (the excess is ignored). By default one extra byte is tolerated
    (odd-length segments padded by some encoders) and more is an error.

Examples
--------
>>> import numpy as np
>>> from dicodec_rle.codec import decode_frame, encode_frame
>>> arr = np.arange(12, dtype=np.int16).reshape(3, 4) - 6
>>> data = encode_frame(arr)
>>> data[:8].hex()   # 2 segments; the first starts at byte 64
'0200000040000000'
>>> np.array_equal(decode_frame(data, 3, 4, bits_allocated=16, pixel_representation=1), arr)
True
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import numpy as np

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from . import _rle

__all__ = [
    "RLE_LOSSLESS",
    "decode",
    "decode_frame",
    "encode",
    "encode_frame",
    "parse_header",
]

RLE_LOSSLESS = "1.2.840.10008.1.2.5"
"""The RLE Lossless Transfer Syntax UID."""

_decode_into = _rle.decode_into
_encode = _rle.encode
_LE = _rle.FLAG_LE_SEGMENTS
_LENIENT = _rle.FLAG_LENIENT
_OPTIONS = ("rle_segment_order", "rle_lenient")


def _flags(options: Mapping[str, Any]) -> int:
    """The C flags for codec ``options`` (unknown options are ignored)."""
    flags = 0
    order = options.get("rle_segment_order", ">")
    if order == "<":
        flags |= _LE
    elif order != ">":
        raise ValueError(f"rle_segment_order must be '>' or '<', not {order!r}")
    if options.get("rle_lenient", False):
        flags |= _LENIENT
    return flags


def decode(
    src: bytes | bytearray | memoryview,
    spec: FrameSpec,
    out: np.ndarray | None = None,
    **options: Any,
) -> DecodedFrame | np.ndarray:
    """Decode one RLE Lossless frame (dicodec's decode contract).

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The frame: RLE header and segments (its fragments joined). Read in
        place, never copied.
    spec : FrameSpec
        The frame's description (rows, columns, samples, Bits Allocated).
    out : numpy.ndarray, optional
        Writable C-contiguous array of ``spec.shape`` and ``spec.dtype`` to
        decode into; allocated when not given.
    **options
        ``rle_segment_order`` (``">"`` or ``"<"``) and ``rle_lenient`` (bool);
        see the module documentation. Other options are ignored.

    Returns
    -------
    numpy.ndarray or DecodedFrame
        ``out`` itself when it was given, holding the frame exactly as ``spec``
        describes it (interleaved samples, native byte order; RLE stores no colour
        transform); otherwise a DecodedFrame of a new array.

    Raises
    ------
    ValueError
        Malformed data; the message names the RLE segment (the core adds the
        frame number).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(rows=2, columns=3, bits_allocated=8, bits_stored=8,
    ...                  transfer_syntax=RLE_LOSSLESS)
    >>> arr = np.array([[1, 1, 1], [2, 3, 4]], dtype=np.uint8)
    >>> frame = encode(arr, spec, {}).data
    >>> decode(frame, spec).array.tolist()
    [[1, 1, 1], [2, 3, 4]]
    >>> decode(frame[:68], spec)
    Traceback (most recent call last):
    ...
    ValueError: RLE segment 1 of 1 (offset 64) decodes to 4 bytes but 6 are needed (its last run is cut off by the end of the segment)
    """
    if out is None:
        frame = np.empty(spec.shape, spec.dtype)
        _decode_into(src, frame, spec.rows, spec.columns, spec.samples_per_pixel, spec.bits_allocated,
                     _flags(options) if options else 0)  # fmt: skip
        return DecodedFrame(frame, spec.photometric_interpretation)
    _decode_into(
        src,
        out,
        spec.rows,
        spec.columns,
        spec.samples_per_pixel,
        spec.bits_allocated,
        _flags(options) if options else 0,
    )
    return out  # exactly as the spec describes: the short form of DecodedFrame(out, ...)


def _frame_array(arr: np.ndarray, bits_allocated: int) -> np.ndarray:
    """``arr`` as the C-contiguous native-order buffer the C encoder reads."""
    a = np.asarray(arr)
    if bits_allocated == 1:
        if a.dtype.kind not in "biu":
            raise ValueError(f"1-bit pixel data must be integers 0 and 1, not {a.dtype}")
        if a.dtype != np.uint8:
            if a.size and (a.min() < 0 or a.max() > 1):
                raise ValueError("1-bit pixel data takes only the values 0 and 1")
            a = a.astype(np.uint8)
        elif a.size and a.max() > 1:
            raise ValueError("1-bit pixel data takes only the values 0 and 1")
        return np.ascontiguousarray(a)
    if a.dtype.kind not in "biuf":
        raise ValueError(f"cannot RLE encode {a.dtype} pixel data")
    if a.dtype.kind == "b":
        a = a.astype(np.uint8)
    if a.dtype.itemsize * 8 != bits_allocated:
        raise ValueError(
            f"the array holds {a.dtype.itemsize * 8}-bit samples ({a.dtype}) but Bits Allocated is "
            f"{bits_allocated}"
        )
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    return np.ascontiguousarray(a)


def encode(
    arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None
) -> EncodedFrame:
    """Encode one frame as RLE Lossless (dicodec's encode contract).

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``: interleaved samples; for Bits Allocated 1,
        one value 0 or 1 per pixel. Integer or float samples of Bits Allocated
        bits, any byte order.
    spec : FrameSpec
        The frame's description.
    options : Mapping, optional
        ``rle_segment_order``: ``">"`` (default, as the standard requires) or
        ``"<"`` to write the non-conformant order. Other options are ignored.

    Returns
    -------
    EncodedFrame
        The RLE frame: a 64-byte header (16 little-endian uint32: the segment
        count and the offsets) and one even-length segment per byte of each
        sample. ``changes`` sets Photometric Interpretation ``YBR_FULL`` for
        ``YBR_FULL_422`` input, since RLE stores every sample of every pixel.

    Raises
    ------
    ValueError
        The array does not match ``spec`` or RLE cannot hold the image (more
        than 15 segments).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(rows=1, columns=6, bits_allocated=8, bits_stored=8,
    ...                  transfer_syntax=RLE_LOSSLESS)
    >>> frame = encode(np.array([[7, 7, 7, 1, 2, 3]], np.uint8), spec, {}).data
    >>> frame[64:].hex()    # replicate 3 x 07, then a literal run of 3 bytes
    'fe0702010203'
    """
    if tuple(arr.shape) != spec.shape:
        raise ValueError(f"the array has shape {tuple(arr.shape)} but the frame is {spec.shape}")
    flags = _flags(options) & _LE if options else 0
    a = _frame_array(arr, spec.bits_allocated)
    data = _encode(a, spec.rows, spec.columns, spec.samples_per_pixel, spec.bits_allocated, flags)
    changes: dict[str, Any] = {}
    if spec.samples_per_pixel == 3 and spec.photometric_interpretation == "YBR_FULL_422":
        changes["PhotometricInterpretation"] = "YBR_FULL"
    return EncodedFrame(data, changes)


def decode_frame(
    src: bytes | bytearray | memoryview,
    rows: int,
    columns: int,
    samples_per_pixel: int = 1,
    bits_allocated: int = 8,
    pixel_representation: int = 0,
    *,
    out: np.ndarray | None = None,
    rle_segment_order: str = ">",
    rle_lenient: bool = False,
) -> np.ndarray:
    """Decode one RLE Lossless frame to an array, without a data set.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The RLE frame.
    rows, columns, samples_per_pixel, bits_allocated : int
        The image geometry (Bits Allocated 1, 8, 16, 32 or 64).
    pixel_representation : int
        0 for unsigned, 1 for signed samples (chooses the dtype).
    out : numpy.ndarray, optional
        Array to decode into (writable, C-contiguous, the right size).
    rle_segment_order : {">", "<"}
        Byte order of the segments (``">"``: most significant first, standard).
    rle_lenient : bool
        Ignore data decoded past a segment's end.

    Returns
    -------
    numpy.ndarray
        ``(rows, columns)`` or ``(rows, columns, samples)``; ``uint8`` 0/1 for
        1-bit data, else ``(u)int8/16/32/64`` in native byte order.

    Examples
    --------
    >>> frame = encode_frame(np.array([[0, 1, 1, 0, 1]], np.uint8), bits_allocated=1)
    >>> decode_frame(frame, 1, 5, bits_allocated=1).tolist()
    [[0, 1, 1, 0, 1]]
    """
    if out is None:
        if bits_allocated == 1:
            dtype = np.dtype(np.uint8)
        else:
            kind = "i" if pixel_representation else "u"
            dtype = np.dtype(f"{kind}{max(bits_allocated // 8, 1)}")
        shape = (rows, columns) if samples_per_pixel == 1 else (rows, columns, samples_per_pixel)
        out = np.empty(shape, dtype)
    flags = _flags({"rle_segment_order": rle_segment_order, "rle_lenient": rle_lenient})
    _decode_into(src, out, rows, columns, samples_per_pixel, bits_allocated, flags)
    return out


def encode_frame(
    arr: np.ndarray, bits_allocated: int | None = None, *, rle_segment_order: str = ">"
) -> bytes:
    """Encode one frame given as an array, without a data set.

    Parameters
    ----------
    arr : numpy.ndarray
        ``(rows, columns)`` or ``(rows, columns, samples)`` (samples 1 or 3).
    bits_allocated : int, optional
        Defaults to the dtype's size in bits; give 1 for 0/1 bit data.
    rle_segment_order : {">", "<"}
        Segment order to write (``">"`` is the standard's).

    Returns
    -------
    bytes
        The RLE frame.

    Examples
    --------
    >>> frame = encode_frame(np.zeros((4, 4), np.uint16))
    >>> len(frame), frame[64:].hex()   # two segments of 4 rows "fd 00"
    (80, 'fd00fd00fd00fd00fd00fd00fd00fd00')
    """
    a = np.asarray(arr)
    if a.ndim == 2:
        samples = 1
    elif a.ndim == 3 and a.shape[2] in (1, 3):
        samples = a.shape[2]
    else:
        raise ValueError(f"a frame is (rows, columns) or (rows, columns, 1 or 3), not {a.shape}")
    bits = bits_allocated if bits_allocated is not None else a.dtype.itemsize * 8
    a = _frame_array(a, bits)
    flags = _flags({"rle_segment_order": rle_segment_order})
    return _encode(a, a.shape[0], a.shape[1], samples, bits, flags)


def parse_header(src: bytes | bytearray | memoryview) -> list[int]:
    """The segment offsets in an RLE frame's 64-byte header.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        At least the first 64 bytes of the frame.

    Returns
    -------
    list of int
        One offset per segment, in header order.

    Raises
    ------
    ValueError
        ``src`` is shorter than 64 bytes or declares more than 15 segments.

    Examples
    --------
    >>> parse_header(encode_frame(np.zeros((2, 2, 3), np.uint8)))
    [64, 68, 72]
    """
    head = bytes(memoryview(src)[:64])
    if len(head) < 64:
        raise ValueError(f"an RLE header has 64 bytes; got {len(head)}")
    count, *offsets = struct.unpack("<16I", head)
    if count > 15:
        raise ValueError(f"the RLE header declares {count} segments; at most 15 are allowed")
    return list(offsets[:count])
