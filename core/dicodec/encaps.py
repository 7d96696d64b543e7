"""Encapsulated Pixel Data (PS3.5 A.4): items, fragments, Basic and Extended Offset Tables.

An encapsulated Pixel Data value is a sequence of items: the first is the Basic
Offset Table (possibly empty), the rest are fragments of the frames' codestreams.
These functions take that value (``ds.PixelData``) as bytes or memoryview.

Examples
--------
>>> from dicodec import encaps
>>> value = encaps.encapsulate([b"frame-one!", b"frame-two!"])
>>> encaps.get_nr_fragments(value)
2
>>> encaps.get_frame(value, 1, number_of_frames=2)
b'frame-two!'
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from .config import limit_message, settings
from .errors import InvalidDicomError, LimitExceeded, warn

__all__ = [
    "FrameTable",
    "build_frame_table",
    "encapsulate",
    "encapsulate_extended",
    "fragment_frame",
    "frame_table",
    "generate_fragments",
    "generate_frames",
    "get_frame",
    "get_nr_fragments",
    "itemize_fragment",
    "itemize_frame",
    "parse_basic_offsets",
    "parse_fragments",
    "parse_items",
    "scan_items",
]

_ITEM = 0xFFFEE000
_SEQ_END = 0xFFFEE0DD
_HEADER = struct.Struct("<HHL")
MAX_BOT_OFFSET = 0xFFFFFFFF


def _too_many_fragments(offset: int) -> LimitExceeded:
    return LimitExceeded(
        limit_message(
            f"encapsulated Pixel Data holds more fragments than allowed (offset {offset})",
            "max_fragments",
            settings.max_fragments,
        )
    )


def parse_items(buffer: bytes | bytearray | memoryview, start: int = 0) -> list[tuple[int, int]]:
    """(offset, length) of every item's value, the Basic Offset Table item first.

    Parsing stops at a Sequence Delimitation Item or the end of the buffer.

    Raises
    ------
    InvalidDicomError
        An item tag is wrong or an item runs past the end; the message names the offset.
    LimitExceeded
        More fragments than ``dicodec.config.settings.max_fragments``.

    Examples
    --------
    >>> from dicodec.encaps import encapsulate, parse_items
    >>> parse_items(encapsulate([b"ab", b"cd"]))
    [(8, 8), (24, 2), (34, 2)]
    """
    view = memoryview(buffer)
    end = len(view)
    items = scan_items(lambda off, n: view[off : off + n], start, end)
    off, length = items[-1]
    pos = off + length
    if pos + 8 > end and pos < end and any(bytes(view[pos:end])):
        raise InvalidDicomError("encapsulated Pixel Data ends inside an item header", offset=pos)
    return items


def scan_items(
    read: Callable[[int, int], bytes | memoryview], start: int, end: int, *, cut_last: bool = False
) -> list[tuple[int, int]]:
    """:func:`parse_items` over data reached by positioned reads (a file), headers only.

    Parameters
    ----------
    read : callable
        ``read(offset, n)`` returns ``n`` bytes at ``offset``; only 8-byte item
        headers are read, never fragment contents.
    start, end : int
        Where the Pixel Data value starts, and where the data ends (the value's end,
        or the end of the file for undefined length).
    cut_last : bool
        Accept a last fragment cut short by the end of the file (with a warning)
        instead of raising.

    Returns
    -------
    list of (int, int)
        (offset, length) of every item's value, in the offsets of ``read``.

    Raises
    ------
    InvalidDicomError
        Wrong item tags, undefined or overlong item lengths, no items.
    LimitExceeded
        More fragments than ``dicodec.config.settings.max_fragments``.

    Examples
    --------
    >>> from dicodec.encaps import encapsulate, scan_items
    >>> value = encapsulate([b"ab", b"cd"])
    >>> scan_items(lambda off, n: value[off : off + n], 0, len(value))
    [(8, 8), (24, 2), (34, 2)]
    """
    items: list[tuple[int, int]] = []
    max_items = settings.max_fragments + 1  # + the Basic Offset Table item
    pos = start
    while pos + 8 <= end:
        g, e, n = _HEADER.unpack(read(pos, 8))
        tag = (g << 16) | e
        if tag == _SEQ_END:
            break
        if tag != _ITEM:
            raise InvalidDicomError(
                f"expected an Item tag (FFFE,E000) in encapsulated Pixel Data, found ({g:04X},{e:04X})",
                offset=pos,
            )
        if len(items) >= max_items:
            raise _too_many_fragments(pos)
        if n == 0xFFFFFFFF:
            raise InvalidDicomError("an encapsulated item has undefined length", offset=pos)
        if pos + 8 + n > end:
            if cut_last and items:
                warn(f"the last fragment is cut short at offset {pos}")
                items.append((pos + 8, end - pos - 8))
                break
            raise InvalidDicomError(
                f"item of {n} bytes runs past the end of the Pixel Data ({end - pos - 8} left)", offset=pos
            )
        items.append((pos + 8, n))
        pos += 8 + n
    if not items:
        raise InvalidDicomError("encapsulated Pixel Data has no Basic Offset Table item", offset=start)
    return items


def parse_basic_offsets(buffer: bytes | bytearray | memoryview) -> list[int]:
    """The offsets in the Basic Offset Table (empty list when the table is empty).

    Examples
    --------
    >>> from dicodec.encaps import encapsulate, parse_basic_offsets
    >>> parse_basic_offsets(encapsulate([b"ab", b"cd"]))
    [0, 10]
    """
    off, length = parse_items(buffer)[0]
    if length % 4:
        raise InvalidDicomError(f"the Basic Offset Table length {length} is not a multiple of 4", offset=off - 8)
    return list(struct.unpack_from(f"<{length // 4}L", buffer, off))


def parse_fragments(buffer: bytes | bytearray | memoryview) -> tuple[int, list[int]]:
    """The number of fragments and the offset of each fragment's item header.

    Offsets are relative to the first byte after the Basic Offset Table item, as
    Basic Offset Table entries are.
    """
    items = parse_items(buffer)
    first = items[0][0] + items[0][1]
    return len(items) - 1, [off - 8 - first for off, _ in items[1:]]


def get_nr_fragments(buffer: bytes | bytearray | memoryview) -> int:
    """The number of fragments (items after the Basic Offset Table)."""
    return len(parse_items(buffer)) - 1


def generate_fragments(buffer: bytes | bytearray | memoryview) -> Iterator[bytes]:
    """Yield each fragment's bytes."""
    view = memoryview(buffer)
    for off, length in parse_items(buffer)[1:]:
        yield bytes(view[off : off + length])


_JPEG_SOI = b"\xff\xd8"
_J2K_SOC = b"\xff\x4f\xff\x51"
_JP2_SIG = b"\x00\x00\x00\x0cjP  "


def _starts_frame(head: bytes) -> bool:
    if head.startswith((_JPEG_SOI, _J2K_SOC, _JP2_SIG)):
        return True
    # RLE header: segment count 1..15 and first offset 64
    if len(head) >= 8:
        count, first = struct.unpack_from("<LL", head)
        return 1 <= count <= 15 and first == 64
    return False


def _ends_frame(tail: bytes) -> bool:
    return tail.rstrip(b"\x00").endswith(b"\xff\xd9")


@dataclass(frozen=True)
class FrameTable:
    """Where each frame's fragments are: computed once, reused for every frame.

    Attributes
    ----------
    frames : tuple of tuple of (offset, length)
        For frame *i*, the (offset, length) of each of its fragments' values within
        the Pixel Data value.
    method : str
        How the boundaries were found: ``"extended"``, ``"basic"``, ``"one-per-frame"``,
        ``"single-frame"``, ``"markers"``.
    """

    frames: tuple[tuple[tuple[int, int], ...], ...]
    method: str

    def __len__(self) -> int:
        return len(self.frames)

    def frame_bytes(self, buffer: bytes | bytearray | memoryview, index: int) -> bytes:
        """The joined fragments of frame ``index``."""
        if not 0 <= index < len(self.frames):
            raise IndexError(f"frame {index} is out of range: there are {len(self.frames)} frames")
        view = memoryview(buffer)
        parts = self.frames[index]
        if len(parts) == 1:
            off, length = parts[0]
            return bytes(view[off : off + length])
        return b"".join(view[off : off + length] for off, length in parts)

    def frame_view(self, buffer: bytes | bytearray | memoryview, index: int) -> bytes | bytearray | memoryview:
        """Frame ``index`` without a copy when it is a single fragment."""
        parts = self.frames[index]
        if len(parts) == 1:
            off, length = parts[0]
            return memoryview(buffer)[off : off + length]
        return self.frame_bytes(buffer, index)


def frame_table(
    buffer: bytes | bytearray | memoryview,
    number_of_frames: int | None = None,
    *,
    extended_offsets: Sequence[int] | bytes | None = None,
    extended_lengths: Sequence[int] | bytes | None = None,
) -> FrameTable:
    """Find the fragments of every frame.

    Uses, in order: the Extended Offset Table, the Basic Offset Table, one fragment
    per frame when the counts agree, everything as one frame for a single frame,
    and finally the frame start and end markers of JPEG, JPEG 2000 and RLE.
    Only item headers are read, never the fragment contents (apart from the first
    and last bytes of fragments when markers are needed).

    Raises
    ------
    InvalidDicomError
        The tables and the data disagree, or frames cannot be told apart; the
        message names the frame or offset.
    """
    view = memoryview(buffer)
    items = parse_items(buffer)
    bot_off, bot_len = items[0]
    return build_frame_table(
        items,
        bytes(view[bot_off : bot_off + bot_len]),
        number_of_frames,
        lambda off, n: bytes(view[off : off + n]),
        extended_offsets=extended_offsets,
        extended_lengths=extended_lengths,
    )


def build_frame_table(
    items: list[tuple[int, int]],
    bot: bytes,
    number_of_frames: int | None,
    read: Callable[[int, int], bytes],
    *,
    extended_offsets: Sequence[int] | bytes | None = None,
    extended_lengths: Sequence[int] | bytes | None = None,
) -> FrameTable:
    """:func:`frame_table` from already-scanned item headers.

    ``items`` are the (value offset, length) of every item, Basic Offset Table
    first; ``bot`` is the table's bytes; ``read(offset, n)`` returns bytes of the
    data (used only to look at fragment starts and ends when markers are needed).
    Offsets may be relative to any origin (a buffer, or a file).
    """
    bot_off, bot_len = items[0]
    fragments = items[1:]
    first = bot_off + bot_len  # offsets in the tables are relative to here
    if not fragments:
        raise InvalidDicomError("encapsulated Pixel Data has no fragments", offset=first)
    starts = {off - 8 - first: i for i, (off, _) in enumerate(fragments)}
    nframes = number_of_frames

    def from_offsets(offsets: Sequence[int], lengths: Sequence[int] | None, method: str) -> FrameTable:
        frames = []
        for i, start in enumerate(offsets):
            if start not in starts:
                raise InvalidDicomError(
                    f"the {method} offset table points frame {i} at {start}, which is not a fragment boundary",
                    offset=first + start,
                )
            j = starts[start]
            stop = offsets[i + 1] if i + 1 < len(offsets) else None
            parts = []
            while j < len(fragments):
                off, length = fragments[j]
                if stop is not None and off - 8 - first >= stop:
                    break
                parts.append((off, length))
                j += 1
            if lengths is not None and sum(p[1] for p in parts) < lengths[i]:
                raise InvalidDicomError(
                    f"frame {i}: the Extended Offset Table length {lengths[i]} exceeds its fragments",
                    offset=first + start,
                )
            if lengths is not None and len(parts) == 1 and parts[0][1] >= lengths[i]:
                parts = [(parts[0][0], int(lengths[i]))]
            frames.append(tuple(parts))
        if nframes is not None and len(frames) < nframes:
            raise InvalidDicomError(
                f"the {method} offset table lists {len(frames)} frames but Number of Frames is {nframes}"
            )
        return FrameTable(tuple(frames), method)

    if extended_offsets is not None:
        offs = _as_uint64(extended_offsets)
        lens = _as_uint64(extended_lengths) if extended_lengths is not None else None
        return from_offsets(offs, lens, "extended")
    if bot_len:
        if bot_len % 4:
            raise InvalidDicomError(f"the Basic Offset Table length {bot_len} is not a multiple of 4", offset=bot_off - 8)
        offs = list(struct.unpack(f"<{bot_len // 4}L", bot))
        if offs and offs[0] == 0 and offs == sorted(offs) and all(o in starts for o in offs):
            return from_offsets(offs, None, "basic")
        # a damaged table: fall through to the other methods
    if nframes is None or nframes == len(fragments):
        if nframes is None and len(fragments) > 1:
            return _by_markers(read, fragments, None)
        return FrameTable(tuple((f,) for f in fragments), "one-per-frame")
    if nframes == 1:
        return FrameTable((tuple(fragments),), "single-frame")
    if len(fragments) < nframes:
        raise InvalidDicomError(
            f"{len(fragments)} fragments cannot hold {nframes} frames (frame {len(fragments)} onwards is missing)"
        )
    return _by_markers(read, fragments, nframes)


def _by_markers(read: Callable[[int, int], bytes], fragments: list[tuple[int, int]], nframes: int | None) -> FrameTable:
    groups: list[list[tuple[int, int]]] = []
    for off, length in fragments:
        head = read(off, min(length, 8))
        if not groups or _starts_frame(head):
            groups.append([(off, length)])
        else:
            groups[-1].append((off, length))
    if nframes is None or len(groups) >= nframes:
        return FrameTable(tuple(tuple(g) for g in groups), "markers")
    groups = []
    current: list[tuple[int, int]] = []
    for off, length in fragments:
        current.append((off, length))
        tail = read(max(off, off + length - 16), min(length, 16))
        if _ends_frame(tail):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    if len(groups) >= nframes:
        return FrameTable(tuple(tuple(g) for g in groups), "markers")
    raise InvalidDicomError(
        f"cannot find the boundaries of {nframes} frames in {len(fragments)} fragments: no offset table, "
        f"and the codestream markers suggest {len(groups)} frames"
    )


def _as_uint64(values: Sequence[int] | bytes) -> list[int]:
    if isinstance(values, (bytes, bytearray, memoryview)):
        data = bytes(values)
        if len(data) % 8:
            raise InvalidDicomError(f"an Extended Offset Table of {len(data)} bytes is not a multiple of 8")
        return list(struct.unpack(f"<{len(data) // 8}Q", data))
    return [int(v) for v in values]


def generate_frames(
    buffer: bytes | bytearray | memoryview,
    *,
    number_of_frames: int | None = None,
    extended_offsets: Sequence[int] | bytes | None = None,
    extended_lengths: Sequence[int] | bytes | None = None,
) -> Iterator[bytes]:
    """Yield each frame's codestream (fragments joined).

    Examples
    --------
    >>> from dicodec.encaps import encapsulate, generate_frames
    >>> value = encapsulate([b"abcd", b"efgh"], fragments_per_frame=2)
    >>> list(generate_frames(value, number_of_frames=2))
    [b'abcd', b'efgh']
    """
    table = frame_table(
        buffer, number_of_frames, extended_offsets=extended_offsets, extended_lengths=extended_lengths
    )
    for i in range(len(table)):
        yield table.frame_bytes(buffer, i)


def get_frame(
    buffer: bytes | bytearray | memoryview,
    index: int,
    *,
    number_of_frames: int | None = None,
    extended_offsets: Sequence[int] | bytes | None = None,
    extended_lengths: Sequence[int] | bytes | None = None,
) -> bytes:
    """The codestream of frame ``index`` (0-based).

    Raises
    ------
    IndexError
        ``index`` is past the last frame.
    """
    table = frame_table(
        buffer, number_of_frames, extended_offsets=extended_offsets, extended_lengths=extended_lengths
    )
    return table.frame_bytes(buffer, index)


def fragment_frame(frame: bytes, nr_fragments: int = 1) -> Iterator[bytes]:
    """Split a frame into exactly ``nr_fragments`` even-length fragments.

    The frame is padded with one 0x00 if its length is odd; fragment sizes differ by
    at most two bytes.

    Raises
    ------
    ValueError
        Fewer than two bytes would be left per fragment.

    Examples
    --------
    >>> list(fragment_frame(b"abcdef", 2))
    [b'abcd', b'ef']
    >>> [len(f) for f in fragment_frame(bytes(14), 5)]
    [4, 4, 2, 2, 2]
    """
    if nr_fragments < 1:
        raise ValueError("nr_fragments must be at least 1")
    data = bytes(frame) + (b"\x00" if len(frame) % 2 else b"")
    words = len(data) // 2
    if nr_fragments > max(words, 1):
        raise ValueError(f"a frame of {len(frame)} bytes cannot be split into {nr_fragments} fragments of even length")
    base, extra = divmod(words, nr_fragments)
    pos = 0
    for i in range(nr_fragments):
        size = 2 * (base + (1 if i < extra else 0))
        yield data[pos : pos + size]
        pos += size


def itemize_fragment(fragment: bytes) -> bytes:
    """One fragment as an item: tag, length, value (padded to even length)."""
    if len(fragment) % 2:
        fragment = fragment + b"\x00"
    return _HEADER.pack(0xFFFE, 0xE000, len(fragment)) + fragment


def itemize_frame(frame: bytes, nr_fragments: int = 1) -> Iterator[bytes]:
    """Yield the items of one frame split into ``nr_fragments`` fragments."""
    for piece in fragment_frame(frame, nr_fragments):
        yield itemize_fragment(piece)


def encapsulate(frames: Iterable[bytes], fragments_per_frame: int = 1, has_bot: bool = True) -> bytes:
    """An encapsulated Pixel Data value from frame codestreams.

    Raises
    ------
    ValueError
        With ``has_bot=True`` when an offset would exceed 2**32 - 1: use
        :func:`encapsulate_extended` (``Dataset.compress`` does so automatically).
    """
    body = bytearray()
    offsets = []
    for frame in frames:
        offsets.append(len(body))
        for item in itemize_frame(bytes(frame), fragments_per_frame):
            body += item
    if has_bot:
        if offsets and offsets[-1] > MAX_BOT_OFFSET:
            raise ValueError("the frames are too large for a Basic Offset Table: use encapsulate_extended()")
        bot = struct.pack(f"<{len(offsets)}L", *offsets)
    else:
        bot = b""
    return _HEADER.pack(0xFFFE, 0xE000, len(bot)) + bot + bytes(body)


def encapsulate_extended(frames: Sequence[bytes]) -> tuple[bytes, bytes, bytes]:
    """Encapsulated data with an empty Basic Offset Table, plus the Extended Offset Table.

    Returns
    -------
    (pixel_data, extended_offset_table, extended_offset_table_lengths)
        Values for (7FE0,0010), (7FE0,0001) and (7FE0,0002).
    """
    offsets, lengths = [], []
    pos = 0
    for frame in frames:
        offsets.append(pos)
        n = len(frame) + len(frame) % 2
        lengths.append(len(frame))
        pos += 8 + n
    value = encapsulate(frames, 1, has_bot=False)
    return value, struct.pack(f"<{len(offsets)}Q", *offsets), struct.pack(f"<{len(lengths)}Q", *lengths)
