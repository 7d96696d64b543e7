"""Packing and unpacking of 1-bit pixel data (Bits Allocated 1).

PS3.5 8.1.1 (and Annex D) stores 1-bit samples little-endian *within each byte*:
the first pixel is the least significant bit of the first byte, the ninth pixel
the least significant bit of the second byte, and so on. Frames of a multi-frame
image follow each other without byte alignment, so frame ``k`` of a
``rows × columns`` image starts at bit ``k * rows * columns`` of the Pixel Data,
which is not a byte boundary when ``rows * columns % 8 != 0``.

Everything here is vectorised with :func:`numpy.packbits` /
:func:`numpy.unpackbits` (``bitorder="little"``); there are no Python loops.

Examples
--------
>>> import numpy as np
>>> from dicodec.pixels.bits import pack_bits, unpack_bits, unpack_bits_into
>>> pack_bits(np.array([1, 0, 0, 0, 0, 0, 0, 0, 1, 1]))
b'\\x01\\x03'
>>> unpack_bits(b"\\x05")
array([1, 0, 1, 0, 0, 0, 0, 0], dtype=uint8)
>>> out = np.empty(3, dtype=np.uint8)
>>> unpack_bits_into(b"\\x05", out, bit_offset=1)
array([0, 1, 0], dtype=uint8)
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np

from ..errors import InvalidValueError

__all__ = ["pack_bits", "unpack_bits", "unpack_bits_into"]

BytesLike: TypeAlias = bytes | bytearray | memoryview | np.ndarray
"""Anything exposing a contiguous byte buffer."""


def _as_uint8(src: BytesLike) -> np.ndarray:
    """A flat ``uint8`` view of ``src`` (no copy for contiguous buffers)."""
    if isinstance(src, np.ndarray):
        if not src.flags.c_contiguous:
            src = np.ascontiguousarray(src)
        return src.reshape(-1).view(np.uint8)
    return np.frombuffer(src, dtype=np.uint8)


def pack_bits(arr: np.ndarray, pad: bool = True) -> bytes:
    """Pack an array of 0s and 1s into bytes, first value in the least significant bit.

    Parameters
    ----------
    arr : numpy.ndarray
        Values 0 or 1 of any integer, boolean or floating dtype and any shape; read in
        C order (for a multi-frame volume ``(frames, rows, columns)`` this packs the
        frames back to back with no byte alignment, as native Pixel Data requires).
    pad : bool, optional
        Pad the result with a zero byte to even length (as a whole Pixel Data value
        must be). Default ``True``.

    Returns
    -------
    bytes
        ``ceil(arr.size / 8)`` bytes (plus one when padding); unused high bits of the
        last byte are zero.

    Raises
    ------
    dicodec.errors.InvalidValueError
        ``arr`` holds a value other than 0 or 1, or has a non-numeric dtype.

    Examples
    --------
    >>> import numpy as np
    >>> pack_bits(np.array([0, 1, 0, 0, 0, 0, 0, 0]))
    b'\\x02\\x00'
    >>> pack_bits(np.array([0, 1, 0, 0, 0, 0, 0, 0]), pad=False)
    b'\\x02'
    >>> pack_bits(np.ones((2, 5), dtype=bool), pad=False)
    b'\\xff\\x03'
    """
    flat = np.asarray(arr).reshape(-1)
    kind = flat.dtype.kind
    if flat.size:
        if kind == "b":
            pass
        elif kind == "u":
            if flat.max() > 1:
                raise InvalidValueError("pack_bits: values must be 0 or 1, found a value > 1")
        elif kind == "i":
            if flat.max() > 1 or flat.min() < 0:
                raise InvalidValueError("pack_bits: values must be 0 or 1")
        elif kind == "f":
            nonzero = flat != 0
            if np.any(nonzero & (flat != 1)):
                raise InvalidValueError("pack_bits: values must be 0 or 1")
            flat = nonzero
        else:
            raise InvalidValueError(f"pack_bits: cannot pack an array of dtype {flat.dtype}")
    packed = np.packbits(flat, bitorder="little").tobytes()
    if pad and len(packed) % 2:
        packed += b"\x00"
    return packed


def unpack_bits(
    src: BytesLike, as_array: bool = True, *, count: int | None = None
) -> np.ndarray | bytes:
    """Unpack bytes into one value (0 or 1) per bit, least significant bit first.

    Parameters
    ----------
    src : bytes, bytearray, memoryview or numpy.ndarray
        Packed 1-bit data.
    as_array : bool, optional
        Return a ``uint8`` array (default); if ``False``, return ``bytes`` with one
        byte (0 or 1) per bit.
    count : int, optional
        Unpack only the first ``count`` bits (default: ``8 * len(src)``).

    Returns
    -------
    numpy.ndarray or bytes
        A 1-D ``uint8`` array of ``count`` values, or its bytes.

    Raises
    ------
    ValueError
        ``count`` is negative or larger than the bits in ``src``.

    Examples
    --------
    >>> unpack_bits(b"\\x02\\x80")
    array([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], dtype=uint8)
    >>> unpack_bits(b"\\x03", as_array=False, count=3)
    b'\\x01\\x01\\x00'
    """
    buf = _as_uint8(src)
    if count is not None and not 0 <= count <= 8 * buf.size:
        raise ValueError(f"count {count} is outside 0-{8 * buf.size} for {buf.size} bytes")
    bits = np.unpackbits(buf, count=count, bitorder="little")
    return bits if as_array else bits.tobytes()


def unpack_bits_into(
    src: BytesLike, out: np.ndarray, bit_offset: int = 0, count: int | None = None
) -> np.ndarray:
    """Unpack ``count`` bits starting at any bit of ``src`` into ``out``.

    Bit ``k`` of ``src`` is bit ``k % 8`` (least significant first) of byte
    ``k // 8``, so frame ``i`` of a 1-bit multi-frame image is unpacked with
    ``bit_offset=i * rows * columns``.

    Parameters
    ----------
    src : bytes, bytearray, memoryview or numpy.ndarray
        Packed 1-bit data (e.g. the whole Pixel Data value).
    out : numpy.ndarray
        A writable ``uint8`` array of any shape; its first ``count`` elements in
        C order are written, the rest are left alone.
    bit_offset : int, optional
        The bit of ``src`` where unpacking starts (default 0).
    count : int, optional
        Number of bits to unpack (default ``out.size``).

    Returns
    -------
    numpy.ndarray
        ``out``.

    Raises
    ------
    ValueError
        ``src`` holds fewer than ``bit_offset + count`` bits, ``count`` exceeds
        ``out.size``, ``bit_offset`` is negative, or ``out`` is not ``uint8``.

    Examples
    --------
    >>> import numpy as np
    >>> out = np.zeros((2, 3), dtype=np.uint8)
    >>> unpack_bits_into(b"\\xb4\\x01", out, bit_offset=5)   # bits 5..10
    array([[1, 0, 1],
           [1, 0, 0]], dtype=uint8)
    """
    if out.dtype != np.uint8:
        raise ValueError(f"out must be a uint8 array, not {out.dtype}")
    if count is None:
        count = out.size
    if count < 0 or count > out.size:
        raise ValueError(f"count {count} is outside 0-{out.size} (the size of out)")
    if bit_offset < 0:
        raise ValueError(f"bit_offset must be >= 0, not {bit_offset}")
    buf = _as_uint8(src)
    end_bit = bit_offset + count
    if end_bit > 8 * buf.size:
        raise ValueError(
            f"need {end_bit} bits ({(end_bit + 7) // 8} bytes) to unpack {count} bits at "
            f"bit offset {bit_offset}, but the data holds {buf.size} bytes"
        )
    if count == 0:
        return out
    first = bit_offset // 8
    shift = bit_offset - 8 * first
    # np.unpackbits has no ``out=``: one temporary of ``count + shift`` bytes is the
    # fastest way measured (np.take through a 256×8 table is ~10× slower).
    bits = np.unpackbits(buf[first : (end_bit + 7) // 8], count=shift + count, bitorder="little")
    if out.flags.c_contiguous:
        out.reshape(-1)[:count] = bits[shift:]
    elif count == out.size:
        out[...] = bits[shift:].reshape(out.shape)
    else:
        flat = out.reshape(-1)  # a copy for non-contiguous out: write back through ravel order
        flat[:count] = bits[shift:]
        out[...] = flat.reshape(out.shape)
    return out
