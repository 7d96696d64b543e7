"""Reading and writing: encodings, preamble/meta, deflate, errors, atomic writes."""

from __future__ import annotations

import io
import os
import struct
import warnings
from pathlib import Path

import pytest

import dicodec
from dicodec import Dataset, dcmread, dcmwrite
from dicodec.errors import InvalidDicomError, WriteError


def sample() -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.PatientName = "Müller^Jürgen"
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientID = "ID1"
    ds.Rows = 2
    ds.Columns = 2
    ds.BitsAllocated = 16
    ds.PixelRepresentation = 1
    ds.SmallestImagePixelValue = -5
    ds.WindowCenter = ["40", "400"]
    ds.InstanceNumber = "7"
    ds.ImagePositionPatient = [1.5, -2.25, 3.0]
    ds.FrameIncrementPointer = 0x00181063
    ds.RealWorldValueLUTData = [1.0, 2.5]
    inner = Dataset(CodeValue="T-1", CodingSchemeDesignator="SRT")
    inner.ConceptCodeSequence = [Dataset(CodeMeaning="deep")]
    ds.AnatomicRegionSequence = [inner, Dataset(CodeValue="T-2")]
    ds.add_new(0x7FE00010, "OW", struct.pack("<4h", 1, -2, 3, -4))
    return ds


ENCODINGS = [(True, True), (False, True), (False, False)]


@pytest.mark.parametrize("implicit,little", ENCODINGS)
def test_round_trip_every_native_encoding(implicit: bool, little: bool) -> None:
    ds = sample()
    if not little:
        ds[0x7FE00010].value = struct.pack(">4h", 1, -2, 3, -4)
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=implicit, little_endian=little)
    back = dcmread(buf.getvalue(), force=True)
    assert back.original_encoding == (implicit, little)
    for elem in ds.iterall():
        if elem.VR != "SQ":
            assert back[elem.tag].value == elem.value if elem.tag in back else True
    assert back.PatientName == "Müller^Jürgen"
    assert back.SmallestImagePixelValue == -5
    assert back.AnatomicRegionSequence[0].ConceptCodeSequence[0].CodeMeaning == "deep"
    assert back.WindowCenter == [40, 400]
    assert back.FrameIncrementPointer == 0x00181063


def test_part10_enforced_and_meta() -> None:
    ds = sample()
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=False, little_endian=True, enforce_file_format=True)
    data = buf.getvalue()
    assert data[:128] == b"\0" * 128 and data[128:132] == b"DICM"
    back = dcmread(io.BytesIO(data))
    meta = back.file_meta
    assert meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert meta.MediaStorageSOPInstanceUID == "1.2.3.4.5"
    assert meta.FileMetaInformationVersion == b"\x00\x01"
    assert meta.ImplementationClassUID
    group_length = meta[0x00020000].value
    assert group_length == len(data) - 132 - 12 - len(_body(back))


def _body(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    from dicodec.filewriter import write_dataset

    write_dataset(buf, ds, False, True)
    return buf.getvalue()


def test_deflated_round_trip(tmp_path: Path) -> None:
    ds = sample()
    meta = ds.ensure_file_meta()
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1.99"
    path = tmp_path / "deflated.dcm"
    dcmwrite(path, ds, enforce_file_format=True)
    raw = path.read_bytes()
    assert "Jürgen".encode("latin-1") not in raw  # the body is compressed
    back = dcmread(path)
    assert back.PatientID == "ID1" and back.AnatomicRegionSequence[1].CodeValue == "T-2"


def test_write_as_read_keeps_raw_bytes(tmp_path: Path) -> None:
    ds = sample()
    path = tmp_path / "a.dcm"
    dcmwrite(path, ds, implicit_vr=False, little_endian=True, enforce_file_format=True)
    first = path.read_bytes()
    again = dcmread(path)
    out = tmp_path / "b.dcm"
    again.save_as(out)
    assert out.read_bytes() == first


def test_stop_before_pixels_specific_tags_and_defer(tmp_path: Path) -> None:
    ds = sample()
    ds.add_new(0x00091010, "OB", b"x" * 5000)
    ds.private_block(0x0009, "ME", create=True)
    path = tmp_path / "s.dcm"
    dcmwrite(path, ds, implicit_vr=False, little_endian=True, enforce_file_format=True)
    assert 0x7FE00010 not in dcmread(path, stop_before_pixels=True)
    only = dcmread(path, specific_tags=["PatientID", 0x00280010])
    assert set(only.keys()) == {0x00080005, 0x00100020, 0x00280010}
    lazy = dcmread(path, defer_size="1 KB")
    assert lazy.get_item(0x00091010, keep_deferred=True).value is None
    assert lazy[0x00091010].value == b"x" * 5000
    with open(path, "rb") as fh:
        lazy2 = dcmread(fh, defer_size=100)
        assert lazy2[0x00091010].value == b"x" * 5000


def test_no_preamble_files_and_force() -> None:
    ds = Dataset(PatientID="X", Modality="CT")
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=True, little_endian=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert dcmread(buf.getvalue()).PatientID == "X"
    with pytest.raises(InvalidDicomError):
        dcmread(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)


def test_truncated_file_names_tag_and_offset() -> None:
    ds = sample()
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=False, little_endian=True, enforce_file_format=True)
    data = buf.getvalue()
    cut = data[: data.index("Jürgen".encode("latin-1")) + 2]
    # by default a damaged file reads what it can, and the warning says where
    with pytest.warns(dicodec.DicodecWarning, match=r"\(0010,0010\) at offset \d+"):
        partial = dcmread(cut)
    assert partial.SOPInstanceUID == "1.2.3.4.5"
    # strict reading refuses it, naming the tag and the offset
    from dicodec import config

    old = config.settings.reading_validation_mode
    config.settings.reading_validation_mode = config.RAISE
    try:
        with pytest.raises(InvalidDicomError, match=r"tag \(0010,0010\).*offset \d+"):
            dcmread(cut)
    finally:
        config.settings.reading_validation_mode = old


def test_garbage_never_escapes_as_other_errors() -> None:
    import random

    rng = random.Random(7)
    ds = sample()
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=False, little_endian=True, enforce_file_format=True)
    good = bytearray(buf.getvalue())
    for _ in range(300):
        bad = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            bad[rng.randrange(132, len(bad))] = rng.randrange(256)
        bad = bad[: rng.randrange(140, len(bad) + 1)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                back = dcmread(bytes(bad))
                for _ in back.iterall():
                    pass
            except dicodec.DicodecError:
                pass


def test_atomic_write_and_overwrite(tmp_path: Path) -> None:
    ds = sample()
    path = tmp_path / "x.dcm"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        dcmwrite(path, ds, implicit_vr=True, little_endian=True, overwrite=False)
    ds.add_new(0x00280011, "US", 70000)  # cannot be encoded as US
    with pytest.raises(dicodec.InvalidValueError):
        dcmwrite(path, ds, implicit_vr=True, little_endian=True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.dcm"]


def test_encoding_errors() -> None:
    ds = Dataset(PatientID="1")
    with pytest.raises(WriteError):
        dcmwrite(io.BytesIO(), ds)
    with pytest.raises(WriteError):
        dcmwrite(io.BytesIO(), ds, implicit_vr=True, little_endian=False)
    meta = ds.ensure_file_meta()
    meta.TransferSyntaxUID = "1.2.840.10008.1.2"
    with pytest.raises(WriteError):
        dcmwrite(io.BytesIO(), ds, implicit_vr=False)
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=False, little_endian=True, enforce_file_format=False) if False else None
    read_le = dcmread(_written(sample(), True), force=True)
    with pytest.raises(WriteError, match="byte order"):
        dcmwrite(io.BytesIO(), read_le, implicit_vr=False, little_endian=False)


def _written(ds: Dataset, little: bool) -> bytes:
    buf = io.BytesIO()
    dcmwrite(buf, ds, implicit_vr=False, little_endian=little)
    return buf.getvalue()


def test_undefined_length_sequences_and_un(tmp_path: Path) -> None:
    # An undefined-length UN element holding a sequence (PS3.5 6.2.2), explicit VR LE
    item = struct.pack("<HHL", 0x0008, 0x0100, 4) + b"T-1 "
    un_seq = (
        struct.pack("<HH2s2xL", 0x0008, 0x2218, b"UN", 0xFFFFFFFF)
        + struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
        + item
        + struct.pack("<HHL", 0xFFFE, 0xE00D, 0)
        + struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    )
    ds = dcmread(un_seq, force=True)
    assert ds[0x00082218].VR == "SQ"
    assert ds.AnatomicRegionSequence[0].CodeValue == "T-1"


def test_dicodec_show(tmp_path: Path) -> None:
    from dicodec.cli import main

    path = tmp_path / "x.dcm"
    dcmwrite(path, sample(), implicit_vr=False, little_endian=True, enforce_file_format=True)
    assert main(["show", os.fspath(path)]) == 0
    assert main(["show", os.fspath(tmp_path / "missing.dcm")]) == 1
