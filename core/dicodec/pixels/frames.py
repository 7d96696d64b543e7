"""Where each frame's encoded bytes come from: a value in memory, or a file.

A file is read with positioned reads (``os.pread``), so several threads can read
frames of one file at once, and only the frames asked for are read.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..encaps import FrameTable, build_frame_table, frame_table, scan_items
from ..errors import InvalidDicomError, warn
from .description import PixelDescription

__all__ = ["FileFrames", "MemoryFrames"]



def _check_native_length(available: int, desc: PixelDescription) -> None:
    spec = desc.spec
    n = desc.number_of_frames
    if spec.native_length * n > available:
        # a header claiming far more than the data holds: say so in terms of the limit when it is absurd
        from .description import check_allocation

        check_allocation(spec, n)
    if spec.bits_allocated == 1:
        needed = (n * spec.pixels + 7) // 8
        per_frame_bits = spec.pixels
        if available < needed:
            missing = (available * 8) // per_frame_bits
            raise InvalidDicomError(
                f"the Pixel Data holds {available} bytes but {n} frames of 1-bit data need {needed}: "
                f"frame {missing} is incomplete",
                tag=desc.pixel_tag,
            )
        return
    frame_len = spec.native_length
    needed = n * frame_len
    if available < needed:
        raise InvalidDicomError(
            f"the Pixel Data holds {available} bytes but {n} frames of {frame_len} bytes need {needed}: "
            f"frame {available // frame_len} is incomplete",
            tag=desc.pixel_tag,
        )
    if available >= needed + frame_len and available > needed + 1:
        warn(
            f"the Pixel Data holds {available // frame_len} frames' worth of bytes but Number of Frames is {n}; "
            "the excess is ignored"
        )


def _shift_bits(chunk: bytes | memoryview, shift: int, nbits: int) -> bytes:
    """Bits ``shift .. shift+nbits`` of ``chunk`` (LSB-first order) as bytes starting at bit 0."""
    bits = np.unpackbits(np.frombuffer(chunk, dtype=np.uint8), bitorder="little")[shift : shift + nbits]
    return np.packbits(bits, bitorder="little").tobytes()


def swapped_words(desc: PixelDescription, vr: str) -> bool:
    """Whether the value's 16-bit words are byte-swapped: 8-bit (or 1-bit) native data in OW of a big-endian data set."""
    return (
        not desc.encapsulated
        and desc.transfer_syntax == "1.2.840.10008.1.2.2"
        and vr == "OW"
        and desc.spec.bits_allocated <= 8
    )


def swap_words(data: bytes | bytearray | memoryview) -> bytes:
    """``data`` with the bytes of every 16-bit word exchanged (an odd last byte is padded with 0)."""
    raw = bytes(data)
    if len(raw) % 2:
        raw += b"\x00"
    return np.frombuffer(raw, dtype=np.uint16).byteswap().tobytes()


def read_unswapped(read: Callable[[int, int], bytes | memoryview], start: int, n: int, end: int) -> bytes:
    """``n`` bytes from ``start`` of a word-swapped value, as they were before the swap.

    ``read(offset, count)`` reads the value at value offsets; ``end`` is the value's
    length. Whole words around ``start .. start + n`` are read and swapped back.
    """
    lo = start & ~1
    hi = min(start + n + ((start + n) & 1), end)
    data = swap_words(read(lo, hi - lo))
    return data[start - lo : start - lo + n]


class MemoryFrames:
    """Frames of a Pixel Data value held in memory."""

    def __init__(self, value: bytes | bytearray | memoryview, desc: PixelDescription, table: FrameTable | None = None):
        self.value = value
        self.desc = desc
        self.table = table
        if desc.encapsulated:
            if self.table is None:
                self.table = frame_table(
                    value,
                    desc.number_of_frames,
                    extended_offsets=desc.extended_offsets,
                    extended_lengths=desc.extended_lengths,
                )
            if len(self.table) > desc.number_of_frames:
                warn(
                    f"the Pixel Data holds {len(self.table)} frames but Number of Frames is "
                    f"{desc.number_of_frames}; the excess is ignored"
                )
        else:
            _check_native_length(len(value), desc)
        self.frame_length = desc.spec.native_length
        self._volume: np.ndarray | None = None
        self._view = memoryview(value)

    @property
    def identity_layout(self) -> bool:
        """Whether native frame bytes are already the decoded layout (copy and done)."""
        return _identity(self.desc)

    def get(self, index: int) -> bytes | bytearray | memoryview:
        """The encoded bytes of frame ``index``."""
        table = self.table
        if table is not None:
            parts = table.frames[index]
            if len(parts) == 1:  # the common case, without a call: a view of the value
                off, length = parts[0]
                return self._view[off : off + length]
            return table.frame_bytes(self.value, index)
        spec = self.desc.spec
        if spec.bits_allocated == 1:
            start_bit = index * spec.pixels
            first, shift = divmod(start_bit, 8)
            last = (start_bit + spec.pixels + 7) // 8
            chunk = memoryview(self.value)[first:last]
            return _shift_bits(chunk, shift, spec.pixels) if shift else chunk
        n = self.frame_length
        return memoryview(self.value)[index * n : (index + 1) * n]

    @property
    def volume(self) -> np.ndarray:
        """All native frames as one read-only array view of the value (identity layout only)."""
        if self._volume is None:
            spec = self.desc.spec
            n = self.desc.number_of_frames
            vol = np.frombuffer(self.value, dtype=spec.dtype, count=n * spec.pixels).reshape((n, *spec.shape))
            vol.flags.writeable = False
            self._volume = vol
        return self._volume

    def read_into(self, first: int, out: Any) -> None:
        """Copy consecutive native frames into ``out`` (identity layout only)."""
        k = out.shape[0] if out.ndim > len(self.desc.spec.shape) else 1
        np.copyto(out, self.volume[first : first + k].reshape(out.shape))

    def copy_frame(self, index: int) -> np.ndarray:
        """A new array holding native frame ``index`` (identity layout only)."""
        return self.volume[index].copy()

    def close(self) -> None:
        """Nothing to release for memory."""


class FileFrames:
    """Frames read from a file on demand, with positioned reads."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        offset: int,
        length: int,
        desc: PixelDescription,
        word_swapped: bool = False,
    ):
        self.path = os.fspath(path)
        self.word_swapped = word_swapped
        self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            self.size = os.fstat(self.fd).st_size
            self.offset = offset
            self.desc = desc
            self.table: FrameTable | None = None
            self.frame_length = desc.spec.native_length
            # one read-ahead window per thread: the frame pool's workers read interleaved
            # frames, and one shared window would be replaced back and forth between them
            self._windows = threading.local()
            self.read_ahead = False  # set for sequential decoding of many frames
            if desc.encapsulated:
                self.table = self._scan(offset, length)
            else:
                available = min(length, self.size - offset) if length != 0xFFFFFFFF else self.size - offset
                _check_native_length(available, desc)
                self.value_length = available
        except BaseException:
            os.close(self.fd)
            raise

    def read(self, offset: int, n: int) -> bytes:
        """``n`` bytes at ``offset`` (raising if the file is shorter)."""
        data = os.pread(self.fd, n, offset)
        while len(data) < n:
            more = os.pread(self.fd, n - len(data), offset + len(data))
            if not more:
                raise InvalidDicomError(f"the file ends {n - len(data)} bytes early", offset=offset + len(data))
            data += more
        return data

    def _scan(self, offset: int, length: int) -> FrameTable:
        end = self.size if length == 0xFFFFFFFF else min(self.size, offset + length)
        items = scan_items(self.read, offset, end, cut_last=True)
        bot = self.read(items[0][0], items[0][1]) if items[0][1] else b""
        desc = self.desc
        table = build_frame_table(
            items,
            bot,
            desc.number_of_frames,
            self.read,
            extended_offsets=desc.extended_offsets,
            extended_lengths=desc.extended_lengths,
        )
        if len(table) > desc.number_of_frames:
            warn(
                f"the Pixel Data holds {len(table)} frames but Number of Frames is {desc.number_of_frames}; "
                "the excess is ignored"
            )
        return table

    @property
    def identity_layout(self) -> bool:
        """Whether native frame bytes are already the decoded layout."""
        return _identity(self.desc)

    _READ_AHEAD = 1 << 20

    def _span(self, off: int, n: int) -> bytes | memoryview:
        """Bytes ``off .. off+n``; with :attr:`read_ahead` through this thread's window of 1 MiB."""
        if not self.read_ahead:
            return self.read(off, n)
        local = self._windows
        window = getattr(local, "window", None)
        if window is not None:
            start, data = window
            if start <= off and off + n <= start + len(data):
                return memoryview(data)[off - start : off - start + n]
        if n >= self._READ_AHEAD:
            return self.read(off, n)
        size = min(max(n, self._READ_AHEAD), self.size - off)
        data = self.read(off, size)
        local.window = (off, data)
        return memoryview(data)[:n]

    def get(self, index: int) -> bytes | memoryview:
        """The encoded bytes of frame ``index`` (read from the file now)."""
        if self.table is not None:
            parts = self.table.frames[index]
            if len(parts) == 1:
                return self._span(*parts[0])
            return b"".join(self._span(off, n) for off, n in parts)
        spec = self.desc.spec
        if spec.bits_allocated == 1:
            start_bit = index * spec.pixels
            first, shift = divmod(start_bit, 8)
            last = (start_bit + spec.pixels + 7) // 8
            chunk = self._native(first, last - first)
            return _shift_bits(chunk, shift, spec.pixels) if shift else chunk
        n = self.frame_length
        return self._native(index * n, n)

    def _native(self, start: int, n: int) -> bytes:
        """``n`` bytes of the native value from value offset ``start``."""
        if self.word_swapped:
            return read_unswapped(lambda off, k: self.read(self.offset + off, k), start, n, self.value_length)
        return self.read(self.offset + start, n)

    def read_into(self, first_frame: int, out: Any) -> None:
        """Read consecutive native frames straight into ``out`` (identity layout only)."""
        view = memoryview(out).cast("B")
        if self.word_swapped:
            view[:] = self._native(first_frame * self.frame_length, len(view))
            return
        pos = self.offset + first_frame * self.frame_length
        done = 0
        total = len(view)
        while done < total:
            n = os.preadv(self.fd, [view[done:]], pos + done)
            if n <= 0:
                raise InvalidDicomError(f"the file ends {total - done} bytes early", offset=pos + done)
            done += n

    def close(self) -> None:
        """Close the file and drop the read-ahead windows."""
        self._windows = threading.local()
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover
            pass


def _identity(desc: PixelDescription) -> bool:
    spec = desc.spec
    if desc.encapsulated or spec.bits_allocated not in (8, 16, 32, 64):
        return False
    if spec.samples_per_pixel > 1 and spec.planar_configuration == 1:
        return False
    if spec.photometric_interpretation == "YBR_FULL_422" and spec.samples_per_pixel == 3:
        return False
    return spec.itemsize * 8 == spec.bits_allocated

