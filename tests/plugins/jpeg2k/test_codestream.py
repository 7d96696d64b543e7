"""The main-header parser of dicodec-jpeg2k (SIZ, COD, CAP, TLM, JP2 unwrapping)."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dicodec
from dicodec.encaps import generate_frames

from ...corpus import corpus_path, corpus_rows, params
from .helpers import walk

pytest.importorskip("dicodec_jpeg2k")

from dicodec_jpeg2k.codestream import PROGRESSION_ORDERS, find_codestream, parse

J2K_ROWS = [
    r
    for r in corpus_rows("pixels")
    if r["transfer_syntax"].startswith(("1.2.840.10008.1.2.4.9", "1.2.840.10008.1.2.4.20"))
]


def segment(marker: int, body: bytes) -> bytes:
    return struct.pack(">HH", marker, len(body) + 2) + body


def siz(columns: int, rows: int, comps: list[tuple[int, bool]], rsiz: int = 0, origin: int = 0) -> bytes:
    # one tile covering the image from the reference grid's origin (A.5.1: XTsiz + XTOsiz > XOsiz)
    body = struct.pack(
        ">HIIIIIIIIH", rsiz, columns + origin, rows + origin, origin, origin, columns + origin, rows + origin, 0, 0, len(comps)
    )
    for precision, signed in comps:
        body += bytes([(precision - 1) | (0x80 if signed else 0), 1, 1])
    return segment(0xFF51, body)


def cod(order: int = 0, layers: int = 1, mct: int = 0, levels: int = 5, reversible: bool = True) -> bytes:
    return segment(0xFF52, bytes([0, order]) + struct.pack(">H", layers) + bytes([mct, levels, 4, 4, 0, int(reversible)]))


SOC = b"\xff\x4f"
SOT = b"\xff\x90"


@given(
    columns=st.integers(1, 70000),
    rows=st.integers(1, 70000),
    comps=st.lists(st.tuples(st.integers(1, 38), st.booleans()), min_size=1, max_size=4),
    order=st.integers(0, 4),
    layers=st.integers(1, 20),
    mct=st.booleans(),
    levels=st.integers(0, 32),
    reversible=st.booleans(),
    origin=st.integers(0, 1000),
    ht=st.booleans(),
    tlm=st.booleans(),
)
@settings(max_examples=200)
def test_parse_reads_what_was_written(
    columns: int, rows: int, comps: list[tuple[int, bool]], order: int, layers: int, mct: bool,
    levels: int, reversible: bool, origin: int, ht: bool, tlm: bool,
) -> None:
    cs = SOC + siz(columns, rows, comps, rsiz=0x4000 if ht else 0, origin=origin)
    if ht:
        cs += segment(0xFF50, b"\x00\x02\x00\x00\x00\x02")
    cs += cod(order, layers, int(mct), levels, reversible)
    if tlm:
        cs += segment(0xFF55, b"\x00\x60" + bytes(6))
    info = parse(cs + SOT)
    assert (info.columns, info.rows, info.components) == (columns, rows, len(comps))
    assert info.precisions == tuple(p for p, _ in comps)
    assert info.signs == tuple(s for _, s in comps)
    assert info.progression == PROGRESSION_ORDERS[order]
    assert (info.layers, info.mct, info.levels, info.reversible) == (layers, mct, levels, reversible)
    assert info.htj2k is ht and info.tlm is tlm and info.jp2 is False and info.offset == 0
    assert info.uniform is (len(set(comps)) == 1)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not a JPEG 2000 codestream"),
        (b"\x89PNG\r\n\x1a\n", "not a JPEG 2000 codestream"),
        (SOC, "ends at byte 2 without a tile"),
        (SOC + b"\xff\x51\x00", "truncated at byte 2"),
        (SOC + b"\xff\x51\x00\x30" + bytes(10), "truncated at byte 2"),
        (SOC + segment(0xFF52, bytes(10)) + SOT, "no SIZ marker"),
        (SOC + b"\x12\x34" + SOT, "expected a marker, found 1234"),
        (SOC + segment(0xFF51, bytes(20)) + SOT, "SIZ marker segment at byte 2 is too short"),
        (SOC + siz(0, 5, [(8, False)]) + SOT, "declares an empty image"),
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 4, 4, 0, 0, 4, 4, 0, 0, 0)) + SOT, "declares 0 components"),
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 4, 4, 0, 0, 4, 4, 0, 0, 3) + b"\x07\x01\x01") + SOT, "too short for its 3 components"),
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 4, 4, 0, 0, 4, 4, 0, 0, 1) + b"\x7f\x01\x01") + SOT, "precision of 128 bits"),
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 4, 4, 0, 0, 4, 4, 0, 0, 1) + b"\x07\x00\x01") + SOT, "zero subsampling"),
        # tile grids that cannot cover the image (OpenJPH divides by the tile size: SIGFPE)
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 4, 4, 0, 0, 0, 4, 0, 0, 1) + b"\x07\x01\x01") + SOT, "impossible tile grid"),
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 4, 4, 0, 0, 4, 0, 0, 0, 1) + b"\x07\x01\x01") + SOT, "impossible tile grid"),
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 9, 9, 5, 5, 2, 2, 0, 0, 1) + b"\x07\x01\x01") + SOT, "impossible tile grid"),
        (SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 9, 9, 2, 2, 4, 4, 3, 3, 1) + b"\x07\x01\x01") + SOT, "impossible tile grid"),
        (SOC + siz(4, 4, [(8, False)]) + segment(0xFF52, bytes(3)) + SOT, "COD marker segment at byte 45 is too short"),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\x00\x00\x00\x08ftyp", "no contiguous codestream box"),
    ],
)
def test_parse_rejects_malformed_headers(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(data)


@given(st.binary(max_size=300))
@settings(max_examples=300)
def test_parse_never_fails_with_anything_but_value_error(tail: bytes) -> None:
    for data in (tail, SOC + tail, SOC + siz(3, 3, [(8, False)]) + tail):
        try:
            parse(data)
        except ValueError:
            pass


def test_jp2_file_is_unwrapped_to_its_codestream() -> None:
    cs = SOC + siz(5, 3, [(12, True)]) + cod(2) + SOT
    jp2 = (
        b"\x00\x00\x00\x0cjP  \r\n\x87\n"
        + struct.pack(">I4s", 20, b"ftyp") + b"jp2 " + bytes(4) + b"jp2 "
        + struct.pack(">I4s", 8 + len(cs), b"jp2c") + cs
    )
    assert find_codestream(jp2) == (40, True)
    info = parse(jp2)
    assert (info.columns, info.rows, info.precision, info.signed, info.jp2, info.offset) == (5, 3, 12, True, True, 40)
    # extended (64-bit) and to-the-end box lengths
    ext = jp2[:32] + struct.pack(">I4sQ", 1, b"jp2c", 16 + len(cs)) + cs
    assert parse(ext).offset == 48
    end = jp2[:32] + struct.pack(">I4s", 0, b"jp2c") + cs
    assert parse(end).offset == 40


def test_parse_accepts_every_buffer_type() -> None:
    cs = SOC + siz(2, 2, [(8, False)]) + SOT
    for buf in (cs, bytearray(cs), memoryview(cs), np.frombuffer(cs, np.uint8)):
        assert parse(buf).columns == 2


@pytest.mark.parametrize("row", params(J2K_ROWS))
def test_corpus_headers_agree_with_the_data_sets(row: dict[str, str]) -> None:
    """Every JPEG 2000 / HTJ2K frame in the corpus parses; SIZ matches the data set's geometry."""
    ds = dicodec.dcmread(corpus_path(row))
    frames = list(generate_frames(ds.PixelData, number_of_frames=int(row["frames"] or 1)))
    for frame in frames:
        info = parse(frame)
        assert (info.columns, info.rows, info.components) == (
            int(row["columns"]), int(row["rows"]), int(row["samples_per_pixel"])
        )
        assert info.htj2k is row["transfer_syntax"].startswith("1.2.840.10008.1.2.4.20")
        if not info.jp2:  # the independent walker agrees on the main header
            w = walk(bytes(frame))
            assert w.precision == list(info.precisions) and w.signed == list(info.signs)
            assert w.progression == info.progression and w.reversible == info.reversible


def test_a_repeated_main_header_is_parsed_once() -> None:
    """Frames that share their main header byte for byte share one parse; any other frame is parsed."""
    header = SOC + siz(6, 4, [(12, True)]) + cod(2)
    first = parse(header + SOT + b"tile data of frame 1")
    again = parse(memoryview(header + SOT + b"other tile data, another length"))
    assert again is first
    # the same bytes without a tile right after them: a different header, parsed afresh
    longer = parse(header + segment(0xFF64, b"\x00\x01comment") + SOT)
    assert longer is not first and longer.markers[-1] == 0xFF64
    # one byte changed in SIZ: parsed, and what it says is read
    other = parse(SOC + siz(6, 4, [(13, True)]) + cod(2) + SOT)
    assert other.precision == 13
    assert parse(header + SOT).precision == 12


def test_the_header_memory_never_hides_a_bad_header() -> None:
    good = SOC + siz(4, 4, [(8, False)]) + SOT
    parse(good)
    # same length as the good header, tile width 0: OpenJPH would divide by it
    bad = SOC + segment(0xFF51, struct.pack(">HIIIIIIIIH", 0, 4, 4, 0, 0, 0, 4, 0, 0, 1) + b"\x07\x01\x01") + SOT
    assert len(bad) == len(good)
    with pytest.raises(ValueError, match="impossible tile grid"):
        parse(bad)
    assert parse(good).columns == 4
