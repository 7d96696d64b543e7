"""Tests for the JPEG-LS header reader of dicodec-jpegls (pure Python, no backend needed)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("dicodec_jpegls")

from dicodec_jpegls.codestream import JlsInfo, check_end, parse_header, strip_spiff


def sof55(p: int, y: int, x: int, nf: int) -> bytes:
    comps = b"".join(bytes([i + 1, 0x11, 0]) for i in range(nf))
    return b"\xff\xf7" + struct.pack(">HBHHB", 8 + 3 * nf, p, y, x, nf) + comps


def sos(ns: int, near: int, ilv: int) -> bytes:
    comps = b"".join(bytes([i + 1, 0]) for i in range(ns))
    return b"\xff\xda" + struct.pack(">HB", 6 + 2 * ns, ns) + comps + bytes([near, ilv, 0])


def lse_preset(maxval: int) -> bytes:
    return b"\xff\xf8" + struct.pack(">HBHHHHH", 13, 1, maxval, 3, 7, 21, 64)


def lse_oversize(y: int, x: int) -> bytes:
    return b"\xff\xf8" + struct.pack(">HBB", 12, 4, 4) + struct.pack(">II", y, x)


SOI, EOI = b"\xff\xd8", b"\xff\xd9"


def test_minimal_stream() -> None:
    info = parse_header(SOI + sof55(12, 4, 6, 1) + sos(1, 2, 0) + b"\x00" + EOI)
    assert info == JlsInfo(12, 4, 6, 1, 2, 0)
    assert info.itemsize == 2 and info.max_value == 4095 and info.interleave_name == "none"


def test_colour_preset_and_names() -> None:
    info = parse_header(SOI + sof55(8, 10, 20, 3) + lse_preset(200) + sos(3, 0, 2))
    assert (info.components, info.interleave_name, info.maxval, info.max_value, info.itemsize) == (3, "sample", 200, 200, 1)
    assert parse_header(SOI + sof55(8, 1, 1, 3) + sos(3, 0, 1)).interleave_name == "line"


def test_app_com_fill_bytes_and_oversize_dimensions_are_read() -> None:
    app = b"\xff\xe0\x00\x04ab" + b"\xff\xfe\x00\x05xyz"
    stream = SOI + app + b"\xff\xff" + sof55(16, 0, 0, 1) + lse_oversize(70000, 80000) + sos(1, 0, 0)
    info = parse_header(memoryview(bytearray(stream)))
    assert (info.rows, info.columns, info.precision) == (70000, 80000, 16)


def test_spiff_header_is_reported_and_stripped() -> None:
    spiff = b"\xff\xe8\x00\x20SPIFF\x00" + bytes(24) + b"\xff\xe8\x00\x08\x00\x00\x00\x01\xff\xd8"
    body = sof55(8, 2, 2, 1) + sos(1, 0, 0) + b"\x00" + EOI
    stream = SOI + spiff + body
    assert parse_header(stream).spiff
    stripped = bytes(strip_spiff(stream))
    assert stripped == SOI + body
    assert not parse_header(stripped).spiff
    assert strip_spiff(SOI + body) == SOI + body


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (b"", "starts with nothing"),
        (b"DICM....", "starts with 44 49"),
        (SOI + b"\xff\xc0\x00\x11" + bytes(15), "JPEG frame header SOF0"),
        (SOI + b"\xff\xc3\x00\x0b" + bytes(9), "JPEG frame header SOF3"),
        (SOI + b"\xff\xf9\x00\x0b" + bytes(9), "Part 2"),
        (SOI + sof55(12, 4, 4, 1), "before its first scan"),
        (SOI + sof55(12, 4, 4, 1) + EOI, "EOI at byte 15"),
        (SOI + sos(1, 0, 0), "before the frame header"),
        (SOI + sof55(12, 4, 4, 1)[:-2], "past the end"),
        (SOI + sof55(1, 4, 4, 1) + sos(1, 0, 0), "precision 1 is outside 2-16"),
        (SOI + sof55(17, 4, 4, 1) + sos(1, 0, 0), "precision 17"),
        (SOI + sof55(8, 4, 4, 1) + sos(1, 0, 3), "interleave mode 3"),
        (SOI + sof55(8, 4, 4, 1) + sof55(8, 4, 4, 1) + sos(1, 0, 0), "second frame header"),
        (SOI + b"\x00\x00", "expected a marker at byte 2"),
        (SOI + b"\xff\xd0\x00\x00", "outside a scan"),
        (SOI + b"\xff\xe0\x00\x01" + bytes(4), "has length 1"),
        (SOI + b"\xff\xf7\x00\x0b\x08\x00\x04\x00\x04\x02\x01\x11\x00" + sos(1, 0, 0), "declares 2 components"),
        (SOI + SOI + sof55(8, 4, 4, 1) + sos(1, 0, 0), "second start-of-image"),
    ],
)
def test_bad_headers_raise_value_error(stream: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_header(stream)


def test_check_end() -> None:
    body = SOI + sof55(8, 4, 4, 1) + sos(1, 0, 0) + b"\x12\x34"
    check_end(body + EOI)
    check_end(memoryview(body + EOI + bytes(3)))
    check_end(body + EOI + bytes(200))  # long padding: found by the full search
    check_end(memoryview(body + EOI + bytes(200)))
    with pytest.raises(ValueError, match="truncated"):
        check_end(body)
    with pytest.raises(ValueError, match="truncated"):
        check_end(memoryview(body + bytes(100)))


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200), st.integers(0, 40))
def test_parse_header_raises_only_value_error(junk: bytes, cut: int) -> None:
    """Any input: a JlsInfo or a ValueError, never another exception or a hang."""
    valid = SOI + sof55(8, 3, 3, 1) + lse_preset(255) + sos(1, 1, 0)
    for stream in (junk, SOI + junk, valid[:cut] + junk, valid[: len(valid) - cut % len(valid)]):
        try:
            info = parse_header(stream)
        except ValueError:
            continue
        assert isinstance(info, JlsInfo) and 2 <= info.precision <= 16 and info.interleave <= 2
