"""Encapsulated Pixel Data (``dicodec.encaps``): items, fragments, offset tables and frame
boundaries, checked byte for byte against PS3.5 A.4 and against pydicom 3 (the oracle).

Tests marked ``xfail(strict=True)`` document a known bug (see their reason).
"""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest

from dicodec import encaps
from dicodec.encaps import (
    FrameTable,
    build_frame_table,
    encapsulate,
    encapsulate_extended,
    fragment_frame,
    frame_table,
    generate_fragments,
    generate_frames,
    get_frame,
    get_nr_fragments,
    itemize_fragment,
    itemize_frame,
    parse_basic_offsets,
    parse_fragments,
    parse_items,
)
from dicodec.errors import DicodecError, InvalidDicomError

ITEM = b"\xfe\xff\x00\xe0"
SEQ_DELIM = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"


def item(value: bytes) -> bytes:
    """One item exactly as given (no padding): tag, 32-bit length, value."""
    return ITEM + struct.pack("<L", len(value)) + value


def bot(*offsets: int) -> bytes:
    return item(struct.pack(f"<{len(offsets)}L", *offsets))


def jpeg(i: int, size: int = 12) -> bytes:
    """A fake JPEG codestream: SOI, filler, EOI (``size`` bytes)."""
    return b"\xff\xd8" + bytes([i + 1]) * (size - 4) + b"\xff\xd9"


def j2k(i: int, size: int = 16) -> bytes:
    """A fake JPEG 2000 codestream: SOC SIZ, filler, EOC."""
    return b"\xff\x4f\xff\x51" + bytes([i + 1]) * (size - 6) + b"\xff\xd9"


def rle(i: int, size: int = 80) -> bytes:
    """A fake RLE frame: header with one segment at offset 64, then data."""
    header = struct.pack("<16L", 1, 64, *([0] * 14))
    return header + bytes([i + 1]) * (size - 64)


FRAMES = [jpeg(i) for i in range(3)]


# ------------------------------------------------------------------ items


class TestItems:
    def test_encapsulate_layout(self) -> None:
        value = encapsulate([b"ab", b"cdef"])
        assert value == bot(0, 10) + item(b"ab") + item(b"cdef")

    def test_parse_items(self) -> None:
        value = encapsulate([b"ab", b"cdef"])
        assert parse_items(value) == [(8, 8), (24, 2), (34, 4)]
        assert parse_items(memoryview(value)) == [(8, 8), (24, 2), (34, 4)]

    def test_parse_items_with_start(self) -> None:
        value = b"\x00" * 6 + encapsulate([b"ab"])
        assert parse_items(value, 6) == [(14, 4), (26, 2)]

    def test_empty_bot(self) -> None:
        value = encapsulate([b"ab", b"cd"], has_bot=False)
        assert value.startswith(ITEM + b"\x00\x00\x00\x00")
        assert parse_basic_offsets(value) == []

    def test_parse_basic_offsets(self) -> None:
        assert parse_basic_offsets(encapsulate(FRAMES)) == [0, 20, 40]

    def test_parse_fragments(self) -> None:
        value = encapsulate(FRAMES, fragments_per_frame=2)
        count, offsets = parse_fragments(value)
        assert count == 6
        assert offsets == [0, 14, 28, 42, 56, 70]  # 12-byte frames: 6 + 6

    def test_get_nr_fragments_and_generate_fragments(self) -> None:
        value = encapsulate(FRAMES, fragments_per_frame=2)
        assert get_nr_fragments(value) == 6
        fragments = list(generate_fragments(value))
        assert b"".join(fragments[0:2]) == FRAMES[0]
        assert all(isinstance(f, bytes) for f in fragments)

    def test_sequence_delimiter_ends_parsing(self) -> None:
        value = encapsulate([b"ab"]) + SEQ_DELIM + b"trailing garbage"
        assert len(parse_items(value)) == 2

    def test_trailing_zero_padding_is_ignored(self) -> None:
        value = encapsulate([b"ab"]) + b"\x00\x00\x00"
        assert len(parse_items(value)) == 2

    def test_itemize_fragment_pads_odd_values(self) -> None:
        assert itemize_fragment(b"abc") == ITEM + b"\x04\x00\x00\x00abc\x00"
        assert itemize_fragment(b"") == ITEM + b"\x00\x00\x00\x00"

    def test_itemize_frame(self) -> None:
        items = list(itemize_frame(b"abcdefgh", 2))
        assert items == [item(b"abcd"), item(b"efgh")]

    def test_encapsulate_accepts_any_buffer(self) -> None:
        value = encapsulate([bytearray(b"ab"), memoryview(b"cd")])
        assert list(generate_fragments(value)) == [b"ab", b"cd"]

    def test_encapsulate_empty(self) -> None:
        assert encapsulate([]) == item(b"")
        with pytest.raises(InvalidDicomError, match="no fragments"):
            frame_table(encapsulate([]), 1)


# ------------------------------------------------------------------ damaged items


class TestDamagedItems:
    def test_wrong_item_tag_names_the_offset(self) -> None:
        value = bytearray(encapsulate([b"ab", b"cd"]))
        value[26:28] = b"\x00\x00"  # tag of the second fragment (at offset 26)
        with pytest.raises(InvalidDicomError, match=r"found \(0000,E000\) at offset 26"):
            parse_items(bytes(value))
        with pytest.raises(InvalidDicomError, match="at offset 26"):
            list(generate_frames(bytes(value), number_of_frames=2))
        with pytest.raises(InvalidDicomError, match="at offset 26"):
            get_frame(bytes(value), 0, number_of_frames=2)

    def test_item_running_past_the_end(self) -> None:
        value = encapsulate([b"abcdef"])[:-2]
        with pytest.raises(
            InvalidDicomError, match=r"item of 6 bytes runs past the end.*\(4 left\) at offset 12"
        ):
            parse_items(value)

    def test_undefined_length_item(self) -> None:
        value = bot() + ITEM + b"\xff\xff\xff\xff" + b"abcd"
        with pytest.raises(InvalidDicomError, match="undefined length at offset 8"):
            parse_items(value)

    def test_ends_inside_an_item_header(self) -> None:
        value = encapsulate([b"ab"]) + b"\xfe\xff\x00"
        with pytest.raises(InvalidDicomError, match="ends inside an item header at offset 22"):
            parse_items(value)

    def test_no_items(self) -> None:
        with pytest.raises(InvalidDicomError, match="no Basic Offset Table item"):
            parse_items(b"")

    def test_not_an_item_at_all(self) -> None:
        with pytest.raises(InvalidDicomError, match=r"found \(0010,0010\) at offset 0"):
            parse_items(b"\x10\x00\x10\x00PN\x04\x00ABCD")

    def test_bot_length_not_a_multiple_of_four(self) -> None:
        value = item(b"\x00\x00") + item(b"ab")
        with pytest.raises(InvalidDicomError, match="not a multiple of 4 at offset 0"):
            parse_basic_offsets(value)
        with pytest.raises(InvalidDicomError, match="not a multiple of 4"):
            frame_table(value, 1)

    def test_errors_are_dicodec_errors(self) -> None:
        assert issubclass(InvalidDicomError, DicodecError)


# ------------------------------------------------------------------ frame boundaries


class TestFrameTable:
    def test_basic_offset_table(self) -> None:
        value = encapsulate(FRAMES, fragments_per_frame=2)
        table = frame_table(value, 3)
        assert table.method == "basic"
        assert len(table) == 3
        assert [table.frame_bytes(value, i) for i in range(3)] == FRAMES

    def test_one_fragment_per_frame_without_bot(self) -> None:
        frames = [b"not-a-codestream" + bytes([i]) * 4 for i in range(4)]
        value = encapsulate(frames, has_bot=False)
        table = frame_table(value, 4)
        assert table.method == "one-per-frame"
        assert [table.frame_bytes(value, i) for i in range(4)] == frames

    def test_single_frame_of_many_fragments(self) -> None:
        value = encapsulate([b"x" * 40], fragments_per_frame=4, has_bot=False)
        table = frame_table(value, 1)
        assert table.method == "single-frame"
        assert table.frame_bytes(value, 0) == b"x" * 40

    @pytest.mark.parametrize(("make", "name"), [(jpeg, "jpeg"), (j2k, "j2k"), (rle, "rle")])
    def test_start_markers(self, make: Callable[[int], bytes], name: str) -> None:
        frames = [make(i) for i in range(3)]
        value = encapsulate(frames, fragments_per_frame=2, has_bot=False)
        table = frame_table(value, 3)
        assert table.method == "markers", name
        assert [table.frame_bytes(value, i) for i in range(3)] == frames
        assert list(generate_frames(value, number_of_frames=3)) == frames

    def test_end_markers(self) -> None:
        # fragments that do not start with SOI/SOC: only the EOI / EOC markers tell frames apart
        frames = [b"\x01\x02\x03\x04\x05\x06\xff\xd9", b"\x07\x08\x09\x0a\x0b\x0c\xff\xd9"]
        value = encapsulate(frames, fragments_per_frame=2, has_bot=False)
        table = frame_table(value, 2)
        assert table.method == "markers"
        assert [table.frame_bytes(value, i) for i in range(2)] == frames

    def test_end_marker_followed_by_padding(self) -> None:
        frames = [jpeg(0, 11), jpeg(1, 11)]  # odd: padded with 0x00 after EOI
        value = encapsulate(frames, fragments_per_frame=2, has_bot=False)
        got = list(generate_frames(value, number_of_frames=2))
        assert [g.rstrip(b"\x00") for g in got] == frames

    def test_markers_without_number_of_frames(self) -> None:
        value = encapsulate(FRAMES, fragments_per_frame=2, has_bot=False)
        assert list(generate_frames(value)) == FRAMES

    def test_without_markers_the_boundaries_are_unknown(self) -> None:
        frames = [bytes([i]) * 20 for i in range(3)]
        value = encapsulate(frames, fragments_per_frame=2, has_bot=False)
        with pytest.raises(
            InvalidDicomError, match="cannot find the boundaries of 3 frames in 6 fragments"
        ):
            frame_table(value, 3)

    def test_too_few_fragments(self) -> None:
        value = encapsulate(FRAMES, has_bot=False)
        with pytest.raises(
            InvalidDicomError,
            match=r"3 fragments cannot hold 4 frames \(frame 3 onwards is missing\)",
        ):
            frame_table(value, 4)

    def test_bot_listing_too_few_frames(self) -> None:
        with pytest.raises(
            InvalidDicomError, match="basic offset table lists 3 frames but Number of Frames is 4"
        ):
            frame_table(encapsulate(FRAMES), 4)

    def test_excess_frames_with_a_bot(self) -> None:
        value = encapsulate(FRAMES)
        table = frame_table(value, 2)
        assert len(table) == 3  # the caller warns and ignores the excess
        assert table.frame_bytes(value, 1) == FRAMES[1]

    @pytest.mark.parametrize("fragments_per_frame", (1, 2))
    def test_excess_frames_without_a_bot(self, fragments_per_frame: int) -> None:
        frames = [jpeg(i) for i in range(4)]
        value = encapsulate(frames, fragments_per_frame=fragments_per_frame, has_bot=False)
        table = frame_table(value, 3)
        assert len(table) == 4
        assert [table.frame_bytes(value, i) for i in range(3)] == frames[:3]

    def test_damaged_bot_falls_back(self) -> None:
        value = bot(0, 999) + item(b"ab") + item(b"cd")  # 999 is not a fragment boundary
        table = frame_table(value, 2)
        assert table.method == "one-per-frame"
        assert [table.frame_bytes(value, i) for i in range(2)] == [b"ab", b"cd"]

    def test_unsorted_bot_falls_back(self) -> None:
        value = bot(10, 0) + item(b"ab") + item(b"cd")
        assert frame_table(value, 2).method == "one-per-frame"

    def test_frame_view_avoids_copies(self) -> None:
        value = encapsulate(FRAMES)
        table = frame_table(value, 3)
        view = table.frame_view(value, 1)
        assert isinstance(view, memoryview) and bytes(view) == FRAMES[1]
        multi = encapsulate(FRAMES, fragments_per_frame=2)
        assert table.frame_view(value, 0) == FRAMES[0]
        assert frame_table(multi, 3).frame_view(multi, 2) == FRAMES[2]

    def test_frame_index_out_of_range(self) -> None:
        value = encapsulate(FRAMES)
        table = frame_table(value, 3)
        with pytest.raises(IndexError, match="frame 3 is out of range: there are 3 frames"):
            table.frame_bytes(value, 3)
        with pytest.raises(IndexError):
            get_frame(value, 3, number_of_frames=3)
        with pytest.raises(IndexError):
            get_frame(value, -1, number_of_frames=3)

    def test_only_headers_and_marker_bytes_are_read(self) -> None:
        """build_frame_table reads fragment starts/ends only when markers are needed."""
        value = encapsulate(FRAMES * 10, fragments_per_frame=2, has_bot=False)
        items = parse_items(value)
        reads: list[tuple[int, int]] = []

        def read(offset: int, n: int) -> bytes:
            reads.append((offset, n))
            return value[offset : offset + n]

        table = build_frame_table(items, b"", 30, read)
        assert len(table) == 30
        assert all(n <= 16 for _, n in reads)
        reads.clear()
        build_frame_table(
            parse_items(encapsulate(FRAMES * 10)), encapsulate(FRAMES * 10)[8:128], 30, read
        )
        assert reads == []

    def test_frame_table_is_a_value(self) -> None:
        value = encapsulate(FRAMES)
        table = frame_table(value, 3)
        assert isinstance(table, FrameTable)
        assert table == frame_table(value, 3)
        with pytest.raises(AttributeError):
            table.method = "x"  # type: ignore[misc]


# ------------------------------------------------------------------ get_frame / generate_frames


class TestGetFrame:
    @pytest.mark.parametrize("has_bot", (True, False))
    @pytest.mark.parametrize("fragments_per_frame", (1, 3))
    def test_every_layout(self, has_bot: bool, fragments_per_frame: int) -> None:
        frames = [jpeg(i, 24) for i in range(5)]
        value = encapsulate(frames, fragments_per_frame=fragments_per_frame, has_bot=has_bot)
        assert list(generate_frames(value, number_of_frames=5)) == frames
        for i in (0, 2, 4):
            assert get_frame(value, i, number_of_frames=5) == frames[i]

    def test_odd_frames_come_back_padded(self) -> None:
        frames = [b"abc", b"defgh"]
        value = encapsulate(frames, has_bot=True)
        assert list(generate_frames(value, number_of_frames=2)) == [b"abc\x00", b"defgh\x00"]

    def test_odd_length_items_are_accepted(self) -> None:
        # not allowed by PS3.5, but seen in the wild: read them as they are
        value = bot() + item(b"abc") + item(b"defgh")
        assert list(generate_frames(value, number_of_frames=2)) == [b"abc", b"defgh"]
        assert get_frame(value, 1, number_of_frames=2) == b"defgh"

    def test_memoryview_input(self) -> None:
        value = memoryview(encapsulate(FRAMES))
        assert get_frame(value, 2, number_of_frames=3) == FRAMES[2]


# ------------------------------------------------------------------ fragment_frame


class TestFragmentFrame:
    def test_even_split(self) -> None:
        assert list(fragment_frame(b"abcdef", 2)) == [b"abcd", b"ef"]
        assert list(fragment_frame(b"abcdefgh", 4)) == [b"ab", b"cd", b"ef", b"gh"]

    def test_every_fragment_is_even(self) -> None:
        for size in range(1, 40):
            for n in range(1, size // 2 + 1):
                pieces = list(fragment_frame(bytes(range(size)), n))
                assert all(len(p) % 2 == 0 for p in pieces)
                assert b"".join(pieces)[:size] == bytes(range(size))

    def test_one_fragment(self) -> None:
        assert list(fragment_frame(b"abc")) == [b"abc\x00"]

    def test_invalid_counts(self) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            list(fragment_frame(b"abcd", 0))
        with pytest.raises(ValueError, match="cannot be split into 3 fragments"):
            list(fragment_frame(b"abcd", 3))

    @pytest.mark.parametrize(("size", "n"), [(14, 5), (10, 4), (30, 7)])
    def test_exactly_the_requested_number(self, size: int, n: int) -> None:
        assert len(list(fragment_frame(bytes(size), n))) == n
        value = encapsulate([bytes(size)], fragments_per_frame=n)
        assert get_nr_fragments(value) == n


# ------------------------------------------------------------------ Extended Offset Table


class TestExtendedOffsetTable:
    def test_encapsulate_extended(self) -> None:
        frames = [b"abc", b"defgh", b"ij"]
        value, offsets, lengths = encapsulate_extended(frames)
        assert value == encapsulate(frames, has_bot=False)
        assert struct.unpack("<3Q", offsets) == (0, 12, 26)
        assert struct.unpack("<3Q", lengths) == (3, 5, 2)

    def test_frames_by_extended_offsets(self) -> None:
        frames = [b"abc", b"defgh", b"ij"]
        value, offsets, lengths = encapsulate_extended(frames)
        table = frame_table(value, 3, extended_offsets=offsets, extended_lengths=lengths)
        assert table.method == "extended"
        # the lengths trim the padding of odd frames
        assert [table.frame_bytes(value, i) for i in range(3)] == frames
        got = list(
            generate_frames(
                value, number_of_frames=3, extended_offsets=offsets, extended_lengths=lengths
            )
        )
        assert got == frames
        assert get_frame(value, 1, extended_offsets=offsets, extended_lengths=lengths) == b"defgh"

    def test_extended_offsets_as_lists(self) -> None:
        value, _, _ = encapsulate_extended([b"ab", b"cd"])
        assert list(generate_frames(value, extended_offsets=[0, 10], extended_lengths=[2, 2])) == [
            b"ab",
            b"cd",
        ]

    def test_extended_offsets_without_lengths(self) -> None:
        value, offsets, _ = encapsulate_extended([b"ab", b"cd"])
        assert list(generate_frames(value, extended_offsets=offsets)) == [b"ab", b"cd"]

    def test_extended_offset_not_at_a_fragment(self) -> None:
        value, _, _ = encapsulate_extended([b"ab", b"cd"])
        with pytest.raises(
            InvalidDicomError,
            match=r"points frame 1 at 9, which is not a fragment boundary at offset 17",
        ):
            frame_table(value, 2, extended_offsets=[0, 9])

    def test_extended_length_longer_than_the_fragments(self) -> None:
        value, offsets, _ = encapsulate_extended([b"ab", b"cd"])
        with pytest.raises(
            InvalidDicomError, match="frame 1: the Extended Offset Table length 9 exceeds"
        ):
            frame_table(value, 2, extended_offsets=offsets, extended_lengths=[2, 9])

    def test_extended_table_of_bad_size(self) -> None:
        value, _, _ = encapsulate_extended([b"ab", b"cd"])
        with pytest.raises(InvalidDicomError, match="not a multiple of 8"):
            frame_table(value, 2, extended_offsets=b"\x00" * 12)

    def test_extended_table_listing_too_few_frames(self) -> None:
        value, offsets, lengths = encapsulate_extended([b"ab", b"cd"])
        with pytest.raises(InvalidDicomError, match="lists 2 frames but Number of Frames is 3"):
            frame_table(value, 3, extended_offsets=offsets, extended_lengths=lengths)

    def test_multi_fragment_frames_with_extended_offsets(self) -> None:
        frames = [jpeg(i, 20) for i in range(3)]
        value = encapsulate(frames, fragments_per_frame=2, has_bot=False)
        offsets = [0, 36, 72]  # each frame: two items of 8 + 10 bytes
        table = frame_table(value, 3, extended_offsets=offsets, extended_lengths=[20, 20, 20])
        assert [table.frame_bytes(value, i) for i in range(3)] == frames

    def test_bot_is_refused_past_four_gib(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(encaps, "MAX_BOT_OFFSET", 15)  # pretend 15 bytes is 2**32 - 1
        with pytest.raises(ValueError, match="use encapsulate_extended"):
            encapsulate([b"ab", b"cd", b"ef"])  # offsets 0, 10, 20
        encapsulate([b"ab", b"cd"])  # the last offset, 10, still fits
        encapsulate([b"ab", b"cd", b"ef"], has_bot=False)


# ------------------------------------------------------------------ pydicom parity


class TestPydicomParity:
    """The same bytes as pydicom 3's encaps module (the test oracle)."""

    @pytest.fixture
    def pyencaps(self):  # type: ignore[no-untyped-def]
        return pytest.importorskip("pydicom.encaps")

    @pytest.mark.parametrize("has_bot", (True, False))
    def test_encapsulate(self, pyencaps, has_bot: bool) -> None:  # type: ignore[no-untyped-def]
        frames = [jpeg(i, 13) for i in range(4)]
        assert encapsulate(frames, has_bot=has_bot) == pyencaps.encapsulate(frames, has_bot=has_bot)

    def test_encapsulate_fragments(self, pyencaps) -> None:  # type: ignore[no-untyped-def]
        frames = [jpeg(i, 24) for i in range(3)]
        assert encapsulate(frames, 2) == pyencaps.encapsulate(frames, 2)

    def test_encapsulate_extended(self, pyencaps) -> None:  # type: ignore[no-untyped-def]
        frames = [jpeg(i, 13) for i in range(4)]
        value, offsets, lengths = encapsulate_extended(frames)
        theirs = pyencaps.encapsulate_extended(frames)
        assert (value, offsets) == theirs[:2]
        # lengths: dicodec records each codestream's own length (13), pydicom the padded
        # item length (14); both find the same frames
        assert struct.unpack("<4Q", lengths) == (13,) * 4
        assert struct.unpack("<4Q", theirs[2]) == (14,) * 4

    def test_itemize_frame(self, pyencaps) -> None:  # type: ignore[no-untyped-def]
        assert list(itemize_frame(b"abcdefgh", 2)) == list(pyencaps.itemize_frame(b"abcdefgh", 2))

    @pytest.mark.parametrize("has_bot", (True, False))
    @pytest.mark.parametrize("fragments_per_frame", (1, 2))
    def test_generate_frames(self, pyencaps, has_bot: bool, fragments_per_frame: int) -> None:  # type: ignore[no-untyped-def]
        frames = [jpeg(i, 24) for i in range(3)]
        value = encapsulate(frames, fragments_per_frame, has_bot=has_bot)
        theirs = list(pyencaps.generate_frames(value, number_of_frames=3))
        assert list(generate_frames(value, number_of_frames=3)) == theirs
        assert get_frame(value, 2, number_of_frames=3) == pyencaps.get_frame(
            value, 2, number_of_frames=3
        )

    def test_parse_basic_offsets(self, pyencaps) -> None:  # type: ignore[no-untyped-def]
        from io import BytesIO

        value = encapsulate([jpeg(i) for i in range(5)])
        assert parse_basic_offsets(value) == pyencaps.parse_basic_offsets(BytesIO(value))
