"""Helpers shared by the processing modules: errors, LUT data, table application."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import DicodecError

if TYPE_CHECKING:  # pragma: no cover
    from ...dataset import Dataset

__all__ = ["ProcessingError", "apply_table", "is_little_endian", "lut_descriptor", "lut_values"]

_CHUNK = 1 << 18
"""Elements per chunk when a whole-range table cannot be used."""


class ProcessingError(DicodecError, ValueError):
    """The pixel data or the data set cannot be processed as asked (also a ``ValueError``)."""


def is_little_endian(ds: Dataset | None) -> bool:
    """Byte order of the raw OB/OW values of ``ds``: as read, else from its transfer syntax.

    Data sets built in memory hold little-endian values (dicodec's convention).
    """
    if ds is None:
        return True
    little = None
    encoding = getattr(ds, "original_encoding", None)
    if encoding is not None:
        little = encoding[1]
    if little is None:
        meta = ds.__dict__.get("file_meta") if hasattr(ds, "__dict__") else None
        ts = None if meta is None else meta.get("TransferSyntaxUID")
        if ts is not None:
            little = str(ts) != "1.2.840.10008.1.2.2"
    return True if little is None else bool(little)


def lut_descriptor(value: Any, name: str, signed_first: bool) -> tuple[int, int, int]:
    """``(entries, first mapped value, bits per entry)`` from a LUT descriptor value.

    ``entries`` 0 means 65536 (PS3.3 C.11.1.1.1); a first mapped value stored as
    US is reinterpreted as signed when the pixel data are signed.
    """
    if value is None:
        raise ProcessingError(f"{name} is missing or empty")
    try:
        entries, first, bits = (int(v) for v in value)
    except (TypeError, ValueError) as exc:
        raise ProcessingError(f"{name} must have three values, got {value!r}") from exc
    entries = entries or 65536
    if signed_first and first >= 0x8000:
        first -= 0x10000
    if not 1 <= bits <= 16:
        raise ProcessingError(f"{name}: {bits} bits per entry is not supported (1-16)")
    return entries, first, bits


def lut_values(value: Any, entries: int, bits: int, little_endian: bool, name: str) -> np.ndarray:
    """The entries of a LUT data element (US values or OW bytes) as an unsigned array.

    OW data holding ``entries`` bytes (one or two padding bytes allowed) are 8-bit
    entries; ``2 * entries`` bytes are 16-bit words. Big-endian OW data are
    byte-swapped per 16-bit word, also when they pack 8-bit entries.
    """
    if value is None:
        raise ProcessingError(f"{name} is missing or empty")
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        if len(raw) >= 2 * entries:
            data = np.frombuffer(raw, dtype="<u2" if little_endian else ">u2", count=entries)
            return data.astype(np.uint16)
        if len(raw) >= entries and bits <= 8:
            if not little_endian:
                even = len(raw) - len(raw) % 2
                swapped = np.frombuffer(raw[:even], dtype="<u2").byteswap().tobytes() + raw[even:]
                raw = swapped
            return np.frombuffer(raw, dtype=np.uint8, count=entries).copy()
        raise ProcessingError(
            f"{name} holds {len(raw)} bytes, too few for {entries} entries of {bits} bits"
        )
    values = np.asarray(list(value) if not isinstance(value, int) else [value], dtype=np.int64)
    if values.size < entries:
        raise ProcessingError(f"{name} holds {values.size} values, too few for {entries} entries")
    if values.size and (values.min() < 0 or values.max() > 0xFFFF):
        raise ProcessingError(f"{name} holds values outside 0-65535")
    return values[:entries].astype(np.uint16)


def _native(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.byteorder not in ("=", "|") and arr.dtype.itemsize > 1:
        return arr.astype(arr.dtype.newbyteorder("="))
    return arr


def apply_table(arr: np.ndarray, table: np.ndarray, first: int) -> np.ndarray:
    """Map ``arr`` through ``table`` (``(n,)`` or ``(n, c)``): ``table[clip(v - first, 0, n-1)]``.

    Values below ``first`` take entry 0 and values past the end the last entry
    (PS3.3 C.11.1.1.1). Integer arrays of at most 16 bits are mapped with one
    gather through a table covering their whole range; other arrays (wider
    integers, floats rounded to the nearest integer) are mapped in chunks, so no
    temporary larger than a chunk is made.
    """
    arr = _native(np.asarray(arr))
    n = table.shape[0]
    out = np.empty(arr.shape + table.shape[1:], dtype=table.dtype)
    if arr.dtype.kind in "iub" and arr.dtype.itemsize <= 2:
        if arr.dtype.kind == "b":
            arr = arr.view(np.uint8)
        unsigned = np.dtype(f"u{arr.dtype.itemsize}")
        values = np.arange(1 << (8 * arr.dtype.itemsize), dtype=unsigned)
        if arr.dtype.kind == "i":
            values = values.view(arr.dtype)
        index = np.clip(values.astype(np.int64) - first, 0, n - 1)
        full = np.take(table, index, axis=0)
        codes = arr.view(unsigned)
        if not codes.flags.c_contiguous:
            np.take(full, codes, axis=0, out=out, mode="wrap")
            return out
        flat_codes = codes.reshape(-1)
        flat_out = out.reshape((-1, *table.shape[1:]))
        for start, stop in _chunks(flat_codes.size):  # take() converts indices to intp: by chunks
            np.take(full, flat_codes[start:stop], axis=0, out=flat_out[start:stop], mode="wrap")
        return out
    if arr.dtype.kind not in "iuf":
        raise ProcessingError(f"cannot apply a lookup table to an array of dtype {arr.dtype}")
    flat_in = arr.reshape(-1)
    flat_out = out.reshape((-1, *table.shape[1:]))
    for start, stop in _chunks(flat_in.size):
        part = flat_in[start:stop]
        if part.dtype.kind == "f":
            part = np.rint(part)
            part = np.nan_to_num(part, nan=float(first), posinf=float(first + n), neginf=float(first))
            index = np.clip(part - first, 0, n - 1).astype(np.intp)
        else:
            index = np.clip(part.astype(np.int64) - first, 0, n - 1)
        np.take(table, index, axis=0, out=flat_out[start:stop], mode="wrap")
    return out


def _chunks(size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, size, _CHUNK):
        yield start, min(size, start + _CHUNK)
