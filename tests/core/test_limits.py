"""Safety limits: each refusal is a LimitExceeded naming the setting, before allocation."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import dicodec
from dicodec import Dataset, config, dcmread, dcmwrite, encaps, examples
from dicodec.errors import DicodecError, InvalidDicomError, LimitExceeded
from dicodec.framereader import FrameReader
from dicodec.pixels import pixel_array

DEFLATED = "1.2.840.10008.1.2.1.99"


def _nested(depth: int) -> Dataset:
    ds = Dataset()
    ds.PatientID = "top"
    current = ds
    for _ in range(depth):
        item = Dataset()
        current.ReferencedImageSequence = [item]
        current = item
    current.CodeMeaning = "bottom"
    return ds


def _nested_bytes(depth: int) -> bytes:
    """Explicit VR LE body: ``depth`` undefined-length sequences inside each other."""
    seq = struct.pack("<HH2sHL", 0x0008, 0x1140, b"SQ", 0, 0xFFFFFFFF)
    item = struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
    return (seq + item) * depth


def _part10(body: bytes, transfer_syntax: str = "1.2.840.10008.1.2.1") -> bytes:
    ds = Dataset()
    meta = ds.ensure_file_meta()
    meta.TransferSyntaxUID = transfer_syntax
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = "1.2.3"
    buf = io.BytesIO()
    dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue() + body


def _depth(ds: Dataset) -> int:
    depth = 0
    while "ReferencedImageSequence" in ds:
        ds = ds.ReferencedImageSequence[0]
        depth += 1
    return depth


# ----------------------------------------------------------------- sequence depth


def test_depth_at_the_limit_reads_writes_and_prints() -> None:
    limit = config.settings.max_sequence_depth
    ds = _nested(limit)
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=False, little_endian=True)
    back = dcmread(buf.getvalue(), force=True)
    assert _depth(back) == limit
    # Everything recursive a user does with an accepted data set still works.
    assert "bottom" in str(back)
    text = back.to_json()
    assert _depth(Dataset.from_json(text)) == limit


def test_depth_past_the_limit_is_refused_and_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config.settings, "max_sequence_depth", 5)
    buf = io.BytesIO()
    dcmwrite(buf, _nested(6), implicit_vr=False, little_endian=True)
    with pytest.raises(LimitExceeded, match=r"max_sequence_depth \(5\).*DICODEC_MAX_SEQUENCE_DEPTH") as info:
        dcmread(buf.getvalue(), force=True)
    assert "(0008,1140)" in str(info.value) and "offset" in str(info.value)
    buf = io.BytesIO()
    dcmwrite(buf, _nested(5), implicit_vr=False, little_endian=True)
    assert _depth(dcmread(buf.getvalue(), force=True)) == 5


def test_hostile_nesting_stops_early() -> None:
    data = _part10(_nested_bytes(200_000))
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded, match="max_sequence_depth"):
            dcmread(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * len(data) + (1 << 20)


def test_json_depth_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _nested(4).to_json()
    monkeypatch.setattr(config.settings, "max_sequence_depth", 3)
    with pytest.raises(LimitExceeded, match=r"max_sequence_depth \(3\)") as info:
        Dataset.from_json(text)
    assert "(0008,1140) at nesting depth 4" in str(info.value)  # where it happened
    monkeypatch.setattr(config.settings, "max_sequence_depth", 4)
    assert _depth(Dataset.from_json(text)) == 4


def test_json_nesting_beyond_the_json_module_is_a_dicodec_error() -> None:
    text = '{"00081140": {"vr": "SQ", "Value": [' * 100_000
    with pytest.raises(DicodecError):
        Dataset.from_json(text)
    with pytest.raises(DicodecError):
        Dataset.from_json("[" * 100_000)


# ----------------------------------------------------------------- deflate


def _deflated_file(ds: Dataset) -> bytes:
    meta = ds.ensure_file_meta()
    meta.TransferSyntaxUID = DEFLATED
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = "1.2.3"
    buf = io.BytesIO()
    dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def test_deflate_bomb_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 64 MiB of one private OB value compress to ~64 KiB.
    ds = Dataset()
    ds.add_new(0x00091010, "OB", bytes(64 * 1024 * 1024))
    data = _deflated_file(ds)
    del ds
    assert len(data) < 200_000
    monkeypatch.setattr(config.settings, "max_inflated_bytes", 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded, match=r"max_inflated_bytes \(1048576\).*DICODEC_MAX_INFLATED_BYTES"):
            dcmread(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # the limit plus the compressed input, never the 64 MiB


def test_deflated_data_at_the_limit_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    body = struct.pack("<HH2sH", 0x0010, 0x0020, b"LO", 4) + b"ID42"
    data = _deflated_file(Dataset(PatientID="ID42"))
    monkeypatch.setattr(config.settings, "max_inflated_bytes", len(body))
    assert dcmread(data).PatientID == "ID42"
    monkeypatch.setattr(config.settings, "max_inflated_bytes", len(body) - 1)
    with pytest.raises(LimitExceeded):
        dcmread(data)


# ----------------------------------------------------------------- fragments


def _many_fragments(n: int) -> bytes:
    return encaps.encapsulate([b"\xff\xd8\xff\xd9"] * n, has_bot=False)


def test_fragment_limit_in_encaps(monkeypatch: pytest.MonkeyPatch) -> None:
    value = _many_fragments(50)
    assert encaps.get_nr_fragments(value) == 50
    monkeypatch.setattr(config.settings, "max_fragments", 49)
    with pytest.raises(LimitExceeded, match=r"max_fragments \(49\).*DICODEC_MAX_FRAGMENTS"):
        encaps.parse_items(value)
    with pytest.raises(LimitExceeded):
        list(encaps.generate_frames(value, number_of_frames=50))
    monkeypatch.setattr(config.settings, "max_fragments", 50)
    assert len(list(encaps.generate_frames(value, number_of_frames=50))) == 50


def test_empty_items_flood_is_refused_before_the_table_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    value = struct.pack("<HHL", 0xFFFE, 0xE000, 0) * 2_000_001
    monkeypatch.setattr(config.settings, "max_fragments", 1000)
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceeded):
            encaps.parse_items(value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_fragment_limit_in_frame_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "rle.dcm"
    examples.get("rle").save_as(path)
    assert encaps.get_nr_fragments(dcmread(path).PixelData) == 1
    monkeypatch.setattr(config.settings, "max_fragments", 0)
    with pytest.raises(LimitExceeded, match="max_fragments"):
        FrameReader(path)
    with pytest.raises(LimitExceeded, match="max_fragments"):
        pixel_array(str(path))


# ----------------------------------------------------------------- element lengths


def test_element_longer_than_the_file_never_allocates_its_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    body = struct.pack("<HH2sHL", 0x0009, 0x1010, b"OB", 0, 0xFFFFFFF0) + b"abcd"
    data = _part10(body)
    tracemalloc.start()
    try:
        with pytest.warns(dicodec.errors.DicodecWarning, match=r"\(0009,1010\) at offset \d+: value truncated"):
            ds = dcmread(data)
        assert ds[0x00091010].value == b"abcd"
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024
    monkeypatch.setattr(config.settings, "reading_validation_mode", config.RAISE)
    with pytest.raises(InvalidDicomError, match=r"\(0009,1010\)"):
        dcmread(data)


def test_limits_come_from_the_environment() -> None:
    code = (
        "from dicodec import config; s = config.settings; "
        "print(s.max_sequence_depth, s.max_fragments, s.max_inflated_bytes, s.max_frames, s.max_frame_bytes)"
    )
    env = {
        **os.environ,
        "DICODEC_MAX_SEQUENCE_DEPTH": "7",
        "DICODEC_MAX_FRAGMENTS": "8",
        "DICODEC_MAX_INFLATED_BYTES": "9",
        "DICODEC_MAX_FRAMES": "10",
        "DICODEC_MAX_FRAME_BYTES": "11",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["7", "8", "9", "10", "11"]
