"""File-sets (dicodec.fileset): reading DICOMDIRs, searching, changing and writing them.

pydicom is the oracle: it must read what we write (same instances, same paths, same
record offsets), and our reading of the corpus DICOMDIRs must match its reading.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import warnings
from pathlib import Path

import pytest

import dicodec
from dicodec import examples
from dicodec.dataset import Dataset, FileDataset, FileMetaDataset
from dicodec.errors import DicodecError, DicodecWarning, InvalidDicomError, WriteError
from dicodec.fileset import (
    MEDIA_STORAGE_DIRECTORY_STORAGE,
    DICOMDIRError,
    FileInstance,
    FileSet,
    FileSetError,
    MissingFileError,
    RecordNode,
    is_conformant_file_id,
    record_type_for,
)
from dicodec.uid import generate_uid
from tests.corpus import corpus_path, corpus_rows, params

pydicom = pytest.importorskip("pydicom")
from pydicom import fileset as pd_fileset  # noqa: E402

EXAMPLES = ["ct", "mr", "rgb_color", "ybr_color", "palette", "overlay", "multiframe", "waveform"]
DICOMDIR_ROWS = [r for r in corpus_rows() if r["is_dicomdir"] == "True"]
CT = "1.2.840.10008.5.1.4.1.1.2"


# --------------------------------------------------------------------------- helpers
def make_ds(
    patient: str = "PAT1",
    study: str = "S1",
    series: int = 1,
    number: int = 1,
    sop_class: str = CT,
    modality: str = "CT",
    **extra: object,
) -> FileDataset:
    """A small instance without pixel data (fast to make in bulk)."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = f"Test^{patient}"
    ds.PatientID = patient
    ds.StudyInstanceUID = generate_uid(entropy_srcs=["fs-test", patient, study])
    ds.StudyDate = "20240101"
    ds.StudyTime = "120000"
    ds.StudyID = study
    ds.AccessionNumber = ""
    ds.StudyDescription = f"Study {study}"
    ds.Modality = modality
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=["fs-test", patient, study, str(series)])
    ds.SeriesNumber = series
    ds.InstanceNumber = number
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid(
        entropy_srcs=["fs-test", patient, study, str(series), str(number)]
    )
    for key, value in extra.items():
        setattr(ds, key, value)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    return FileDataset(None, ds, preamble=b"\x00" * 128, file_meta=meta, is_implicit_VR=False)


def sha(path: str | os.PathLike[str]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def record_signature(record: Dataset) -> dict[int, object]:
    """A record's elements outside group 0x0004 (the offsets and File IDs may change)."""
    out: dict[int, object] = {}
    for elem in record:
        if elem.tag >> 16 == 0x0004:
            continue
        value = elem.value
        out[int(elem.tag)] = str(value) if elem.VR != "SQ" else len(value)
    return out


def tree_signature(fs: FileSet) -> list[tuple[object, ...]]:
    return [
        (node.record_type, node.depth, len(node.children), record_signature(node.record))
        for node in fs.tree.walk()
    ]


def check_offsets_with_pydicom(dicomdir: str | os.PathLike[str], fs: FileSet) -> None:
    """Every offset in the file points at an item pydicom located, and the chains match ours."""
    ds = pydicom.dcmread(os.fspath(dicomdir))
    assert ds.file_meta.MediaStorageSOPClassUID == MEDIA_STORAGE_DIRECTORY_STORAGE
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert ds.FileSetConsistencyFlag == 0
    records = list(ds.DirectoryRecordSequence)
    by_tell = {r.seq_item_tell: r for r in records}
    assert len(by_tell) == len(records)
    first = ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity
    last = ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity
    nodes = {node.offset: node for node in fs.tree.walk()}
    assert set(nodes) == set(by_tell)
    if not records:
        assert first == last == 0
        return
    assert first == fs.tree.children[0].offset
    assert last == fs.tree.children[-1].offset

    def chain(offset: int) -> list[int]:
        out = []
        while offset:
            out.append(offset)
            offset = by_tell[offset].OffsetOfTheNextDirectoryRecord
        return out

    assert chain(first) == [n.offset for n in fs.tree.children]
    for offset, node in nodes.items():
        record = by_tell[offset]
        assert record.DirectoryRecordType == node.record_type
        lower = record.OffsetOfReferencedLowerLevelDirectoryEntity
        assert chain(lower) == [c.offset for c in node.children]


def find_element(data: bytes, start: int, tag: int, vr: bytes = b"UL") -> int:
    """Position of the value of explicit-VR element ``tag`` in the item starting at ``start``."""
    header = struct.pack("<HH", tag >> 16, tag & 0xFFFF) + vr
    pos = data.index(header, start)
    return pos + 8


def patch(path: str | os.PathLike[str], position: int, fmt: str, value: int) -> None:
    data = bytearray(Path(path).read_bytes())
    struct.pack_into(fmt, data, position, value)
    Path(path).write_bytes(bytes(data))


@pytest.fixture
def written(tmp_path: Path) -> tuple[FileSet, Path]:
    """A File-set of every base example, written to tmp_path/fs."""
    fs = FileSet()
    fs.ID = "DICODEC TEST"
    for name in EXAMPLES:
        fs.add(examples.get(name))
    root = tmp_path / "fs"
    fs.write(root)
    return fs, root


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): sha(p) for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------- the corpus
@pytest.mark.parametrize("row", params(DICOMDIR_ROWS))
def test_corpus_reads(row: dict[str, str]) -> None:
    path = corpus_path(row)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DicodecWarning)
        fs = FileSet(path)
    ds = dicodec.dcmread(path)
    n_records = len(ds.DirectoryRecordSequence)
    assert len(list(fs.tree.walk())) == n_records
    assert len(fs) + len(fs.missing) == sum(1 for n in fs.tree.walk() if n.instance is not None)
    for inst in fs:
        assert os.path.isabs(inst.path) and os.path.isfile(inst.path)
        assert inst.load(stop_before_pixels=True) is not None
    for inst in fs.missing:
        with pytest.raises(MissingFileError, match=f"offset {inst.node.offset}"):
            inst.load()
    text = str(fs)
    assert "DICOM File-set" in text and "Managed instances" in text


@pytest.mark.parametrize("row", params(DICOMDIR_ROWS))
def test_corpus_matches_pydicom(row: dict[str, str]) -> None:
    path = corpus_path(row)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = pd_fileset.FileSet(os.fspath(path))
    except (ValueError, KeyError, AttributeError) as exc:
        pytest.skip(f"pydicom cannot read it: {exc}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DicodecWarning)
        ours = FileSet(path)
    assert sorted((i.path, i.SOPInstanceUID) for i in ours) == sorted(
        (i.path, str(i.SOPInstanceUID)) for i in theirs
    )
    assert ours.ID == (theirs.ID or None)
    assert ours.UID == theirs.UID
    for inst in ours:
        mine = [n.record_type for n in reversed([inst.node, *inst.node.ancestors])]
        match = next(i for i in theirs if i.SOPInstanceUID == inst.SOPInstanceUID)
        node, chain = match.node, []
        while not node.is_root:
            chain.append(node.record_type)
            node = node.parent
        assert mine == chain[::-1]


@pytest.mark.parametrize("row", params(DICOMDIR_ROWS))
def test_corpus_copy_round_trip(row: dict[str, str], tmp_path: Path) -> None:
    path = corpus_path(row)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DicodecWarning)
        original = FileSet(path)
        copied = original.copy(tmp_path / "copy")
        again = FileSet(tmp_path / "copy" / "DICOMDIR", missing="ignore")
    for fs in (copied, again):
        assert tree_signature(fs) == tree_signature(original)
        assert fs.ID == original.ID and fs.UID == original.UID
        assert len(fs) == len(original) and len(fs.missing) == len(original.missing)
    for a, b in zip(original, again, strict=True):
        assert sha(a.path) == sha(b.path)
        assert a.SOPInstanceUID == b.SOPInstanceUID
        assert is_conformant_file_id(b.file_id or [])
        if a.file_id is not None and is_conformant_file_id(a.file_id):
            assert a.FileID == b.FileID  # conformant File IDs are kept
    for a, b in zip(original.missing, again.missing, strict=True):
        assert a.FileID == b.FileID  # records whose files are missing travel unchanged
    check_offsets_with_pydicom(tmp_path / "copy" / "DICOMDIR", again)
    # pydicom reads the copy (unless the records themselves lack what pydicom requires)
    records_ok = all(
        n.record_type not in ("PATIENT", "STUDY", "SERIES") or n.key is not None
        for n in original.tree.walk()
    ) and any(n.record_type == "PATIENT" for n in original.tree.walk())
    if records_ok:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = pd_fileset.FileSet(os.fspath(tmp_path / "copy" / "DICOMDIR"))
        assert sorted((i.path, str(i.SOPInstanceUID)) for i in theirs) == sorted(
            (i.path, i.SOPInstanceUID) for i in again
        )


@pytest.mark.parametrize("row", params(DICOMDIR_ROWS))
def test_corpus_write_in_place(row: dict[str, str], tmp_path: Path) -> None:
    src = corpus_path(row)
    work = tmp_path / "work"
    shutil.copytree(src.parent, work)
    for p in work.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    dicomdir = work / src.name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DicodecWarning)
        before = FileSet(dicomdir)
        hashes = [sha(inst.path) for inst in before]
        before.write()
        after = FileSet(dicomdir, missing="ignore")
    assert tree_signature(after) == tree_signature(before)
    assert [sha(i.path) for i in after] == hashes
    for inst in after:
        assert is_conformant_file_id(inst.file_id or [])
    if row["relpath"].endswith("bbmri.dcmdir"):  # non-conformant File IDs were renamed
        assert [i.FileID for i in after] == [f"ST000000/SE000000/IM00000{n}" for n in range(4)]
        assert not (work / "bbmri-53323131.dcm").exists()
        assert (work / "bbmri-53323707.dcm").exists()  # not referenced: left alone
    check_offsets_with_pydicom(dicomdir, after)


def test_tiny_alpha_find() -> None:
    rows = [r for r in DICOMDIR_ROWS if "TINY_ALPHA" in r["relpath"]]
    if not rows:
        pytest.skip("corpus absent")
    fs = FileSet(corpus_path(rows[0]))
    assert len(fs) == 50
    assert fs.find_values("PatientID") == ["77654033"] or len(fs.find_values("PatientID")) == 1
    patient = fs.find_values("PatientID")[0]
    assert len(fs.find(PatientID=patient, Modality="CT")) == 50
    assert fs.find(PatientID=patient, Modality="MR") == []
    assert fs.find_values("InstanceNumber") == sorted(fs.find_values("InstanceNumber"))
    assert fs.descriptor_file_id == "README"


def test_clunie_character_sets() -> None:
    rows = [r for r in DICOMDIR_ROWS if "DavidClunie" in r["relpath"]]
    if not rows:
        pytest.skip("corpus absent")
    with pytest.warns(DicodecWarning):
        fs = FileSet(corpus_path(rows[0]))
    names = {str(i.PatientName) for i in fs}
    assert "שרון^דבורה" in names
    assert any("Люкceмбypг" in n for n in names)
    assert len(fs.missing) == 4
    with pytest.raises(MissingFileError, match=r"IMAGE record at offset \d+") as info:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DicodecWarning)
            FileSet(corpus_path(rows[0]), missing="raise")
    assert isinstance(info.value, InvalidDicomError) and isinstance(info.value, FileNotFoundError)


# ------------------------------------------------------------ built from scratch
def test_scratch_round_trip(written: tuple[FileSet, Path]) -> None:
    fs, root = written
    again = FileSet(root / "DICOMDIR")
    assert len(again) == len(EXAMPLES) == len(fs)
    assert again.ID == "DICODEC TEST"
    assert again.path == str(root)
    assert tree_signature(again) == tree_signature(fs)
    types = {n.record_type for n in again.tree.walk()}
    assert types == {"PATIENT", "STUDY", "SERIES", "IMAGE", "WAVEFORM"}
    counts = {
        t: sum(1 for n in again.tree.walk() if n.record_type == t)
        for t in ("PATIENT", "STUDY", "SERIES")
    }
    assert counts == {"PATIENT": 5, "STUDY": 5, "SERIES": 8}
    for name in EXAMPLES:
        original = examples.get(name)
        (inst,) = again.find(SOPInstanceUID=original.SOPInstanceUID)
        loaded = inst.load()
        assert loaded.SOPInstanceUID == original.SOPInstanceUID
        assert loaded.get("PixelData") == original.get("PixelData")
        assert inst.TransferSyntaxUID == "1.2.840.10008.1.2.1"
        assert inst.SOPClassUID == original.SOPClassUID
        assert is_conformant_file_id(inst.file_id or [])
        assert len(inst.file_id or []) <= 8
    check_offsets_with_pydicom(root / "DICOMDIR", again)


def test_pydicom_reads_scratch(written: tuple[FileSet, Path]) -> None:
    fs, root = written
    theirs = pd_fileset.FileSet(os.fspath(root / "DICOMDIR"))
    assert theirs.ID == "DICODEC TEST"
    assert sorted((i.path, str(i.SOPInstanceUID)) for i in theirs) == sorted(
        (i.path, i.SOPInstanceUID) for i in fs
    )
    assert len(theirs.find(PatientID="DICODEC-MR-0001")) == 2
    assert sorted(theirs.find_values("Modality")) == fs.find_values("Modality")
    assert "PATIENT" in str(theirs)
    for inst in theirs:
        assert inst.load().SOPInstanceUID == inst.SOPInstanceUID


def test_dicomdir_header(written: tuple[FileSet, Path]) -> None:
    _, root = written
    ds = dicodec.dcmread(root / "DICOMDIR")
    assert ds.file_meta.MediaStorageSOPClassUID == MEDIA_STORAGE_DIRECTORY_STORAGE
    assert ds.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    assert ds.FileSetID == "DICODEC TEST"
    assert ds.FileSetConsistencyFlag == 0
    assert ds.original_encoding == (False, True)
    assert not ds[0x00041220].is_undefined_length
    assert {e.tag >> 16 for e in ds} == {0x0004}


@pytest.mark.filterwarnings("ignore:The DICOMDIR dataset uses an invalid")
def test_pydicom_implicit_dicomdir_is_read(tmp_path: Path) -> None:
    """A DICOMDIR pydicom writes in implicit VR (non-conformant but seen in the wild)."""
    theirs = pd_fileset.FileSet()
    for name in ("ct", "mr", "waveform"):
        theirs.add(examples.get_path(name))
    theirs.write(os.fspath(tmp_path / "pd"), force_implicit=True)
    ds = dicodec.dcmread(tmp_path / "pd" / "DICOMDIR")
    assert ds.original_encoding == (True, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DicodecWarning)
        ours = FileSet(tmp_path / "pd" / "DICOMDIR")
    reread = pd_fileset.FileSet(os.fspath(tmp_path / "pd" / "DICOMDIR"))
    assert sorted((i.path, i.SOPInstanceUID) for i in ours) == sorted(
        (i.path, str(i.SOPInstanceUID)) for i in reread
    )
    assert {n.record_type for n in ours.tree.walk()} >= {"IMAGE", "WAVEFORM"}


# ----------------------------------------------------------------- the instances
def test_file_instance_api(written: tuple[FileSet, Path]) -> None:
    _, root = written
    fs = FileSet(root)
    (mr,) = fs.find(Modality="MR", SeriesNumber=2)
    assert isinstance(mr, FileInstance)
    assert os.path.isabs(mr.path) and mr.path.startswith(str(root))
    assert mr.FileID == "/".join(mr.file_id or [])
    assert mr.ReferencedFileID == (mr.file_id if len(mr.file_id or []) > 1 else mr.FileID)
    assert mr.SOPInstanceUID == examples.mr.SOPInstanceUID
    assert mr.PatientID == "DICODEC-MR-0001"  # from the PATIENT record
    assert mr.StudyDate == "20240115"  # from the STUDY record
    assert mr.Modality == "MR"  # from the SERIES record
    assert mr.InstanceNumber == 1  # from its own record
    assert "PatientName" in mr and "Rows" in mr and "BitsStored" not in mr
    assert mr["Modality"].value == "MR" and mr.get("BitsStored", "?") == "?"
    with pytest.raises(AttributeError):
        _ = mr.BitsStored
    with pytest.raises(AttributeError):
        mr.PatientID = "changed"
    assert mr.patient is not None and mr.patient.record_type == "PATIENT"
    assert mr.study is not None and mr.study.StudyDescription == "MR HEAD"
    assert mr.series is not None and mr.series.SeriesNumber == 2
    assert [r.DirectoryRecordType for r in mr.records] == ["PATIENT", "STUDY", "SERIES", "IMAGE"]
    assert isinstance(mr.node, RecordNode) and mr.node.instance is mr
    assert mr.node.parent is mr.series and mr.series.parent is mr.study
    assert mr.exists and not mr.is_staged and mr.file_set is fs
    assert mr in fs and mr.SOPInstanceUID in fs and "1.2.3" not in fs
    assert "IMAGE" in repr(mr) and "RecordNode" in repr(mr.node)


def test_iteration_and_len(written: tuple[FileSet, Path]) -> None:
    _, root = written
    fs = FileSet(root)
    assert len(fs) == len(list(fs)) == len(EXAMPLES)
    assert all(isinstance(i, FileInstance) for i in fs)
    assert [i.node.depth for i in fs] == [4] * len(EXAMPLES)


def test_find(written: tuple[FileSet, Path]) -> None:
    _, root = written
    fs = FileSet(root)
    assert len(fs.find()) == len(EXAMPLES)
    assert len(fs.find(PatientID="DICODEC-SC-0001")) == 3
    assert len(fs.find(PatientID="DICODEC-SC-0001", SeriesNumber=2)) == 1
    assert len(fs.find(PatientName="Müller^Anna")) == 2
    assert len(fs.find(Modality=lambda m: m in ("CT", "MR"))) == 4
    assert fs.find(PatientID="nobody") == []
    with pytest.warns(DicodecWarning, match="load=True"):
        assert fs.find(Manufacturer="dicodec") == []
    assert len(fs.find(load=True, Manufacturer="dicodec")) == len(EXAMPLES)
    assert len(fs.find(load=True, Modality="OT", BitsAllocated=8)) == 3
    with pytest.raises(ValueError, match="keyword"):
        fs.find(NotAKeyword=1)


def test_find_values(written: tuple[FileSet, Path]) -> None:
    _, root = written
    fs = FileSet(root)
    assert fs.find_values("Modality") == ["CT", "ECG", "MR", "OT"]
    assert fs.find_values("PatientID") == sorted(fs.find_values("PatientID"))
    assert len(fs.find_values("PatientID")) == 5
    assert fs.find_values("SeriesNumber") == [1, 2, 3]
    assert fs.find_values(0x00080060) == ["CT", "ECG", "MR", "OT"]
    sc = fs.find(PatientID="DICODEC-SC-0001")
    assert fs.find_values("SeriesNumber", instances=sc) == [1, 2, 3]
    assert fs.find_values("PhotometricInterpretation", load=True) == [
        "MONOCHROME2",
        "PALETTE COLOR",
        "RGB",
        "YBR_FULL",
    ]
    both = fs.find_values(["Modality", "BitsStored"], load=True)
    assert isinstance(both, dict) and both["BitsStored"] == [8, 12, 16]
    with pytest.warns(DicodecWarning):
        assert fs.find_values("BitsStored") == []


def test_summary_text(written: tuple[FileSet, Path]) -> None:
    _, root = written
    text = str(FileSet(root))
    for expected in (
        "File-set ID: DICODEC TEST",
        f"Root directory: {root}",
        "Managed instances: 8 (5 patients, 5 studies, 8 series)",
        "PATIENT: PatientID='DICODEC-CT-0001', PatientName='Example^CT'",
        "STUDY: StudyDate=20240115, StudyDescription='CT CHEST'",
        "SERIES: Modality=CT, SeriesNumber=1",
        "IMAGE: InstanceNumber=1, CT Image Storage, PT000000/ST000000/SE000000/IM000000",
        "WAVEFORM: InstanceNumber=1, General ECG Waveform Storage",
    ):
        assert expected in text
    lines = text.splitlines()
    assert lines[
        lines.index("  PATIENT: PatientID='DICODEC-CT-0001', PatientName='Example^CT'") + 1
    ].startswith("    STUDY")
    fs = FileSet()
    for n in range(7):
        fs.add(make_ds(number=n))
    assert "... and 2 more IMAGE records" in fs.summary(max_instances=5)
    assert "Changes staged for write(): 7 additions" in str(fs)
    assert "(staged for addition)" in str(fs)
    assert "ROOT" in repr(fs.tree) and "FileSet" in repr(fs)


# ---------------------------------------------------------------------- changes
def test_add_builds_hierarchy() -> None:
    fs = FileSet()
    a = fs.add(make_ds("P1", "S1", 1, 1))
    b = fs.add(make_ds("P1", "S1", 1, 2))
    c = fs.add(make_ds("P1", "S1", 2, 1))
    d = fs.add(make_ds("P1", "S2", 1, 1))
    e = fs.add(make_ds("P2", "S1", 1, 1))
    assert len(fs) == 5 and fs.is_staged
    assert [(n.record_type, len(n.children)) for n in fs.tree.children] == [
        ("PATIENT", 2),
        ("PATIENT", 1),
    ]
    assert a.series is b.series and a.series is not c.series and a.study is c.study
    assert d.study is not a.study and e.patient is not a.patient
    assert all(i.is_staged and i.FileID is None and os.path.isfile(i.path) for i in fs)
    assert a.load().InstanceNumber == 1


def test_add_keeps_a_snapshot(tmp_path: Path) -> None:
    ds = make_ds()
    fs = FileSet()
    fs.add(ds)
    ds.PatientName = "Changed^Later"
    fs.write(tmp_path / "fs")
    assert str(FileSet(tmp_path / "fs").find()[0].load().PatientName) == "Test^PAT1"


def test_add_path_and_dataset_without_meta(tmp_path: Path) -> None:
    path = examples.get_path("ct")
    fs = FileSet()
    inst = fs.add(path)
    assert inst.path == os.path.abspath(path)  # copied only at write()
    bare = Dataset()
    for elem in make_ds("P9"):
        bare[elem.tag] = elem
    raw = fs.add(bare)  # no file meta, no known encoding: written as Explicit VR LE
    assert raw.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    fs.write(tmp_path / "fs")
    again = FileSet(tmp_path / "fs")
    assert sha(again.find(Modality="CT", PatientID="DICODEC-CT-0001")[0].path) == sha(path)
    assert again.find(PatientID="P9")[0].load().file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"


def test_add_errors() -> None:
    fs = FileSet()
    fs.add(make_ds())
    with pytest.raises(FileSetError, match="already in the File-set"):
        fs.add(make_ds())
    with pytest.raises(FileSetError, match="PatientID"):
        fs.add(make_ds("", number=5))
    no_uid = make_ds(number=6)
    del no_uid.SOPInstanceUID
    del no_uid.file_meta.MediaStorageSOPInstanceUID
    with pytest.raises(FileSetError, match="SOP Instance UID"):
        fs.add(no_uid)
    dicomdir = make_ds(number=7, sop_class=MEDIA_STORAGE_DIRECTORY_STORAGE)
    with pytest.raises(FileSetError, match="DICOMDIR"):
        fs.add(dicomdir)
    no_study_id = make_ds(number=8, study="S8")
    del no_study_id.StudyID
    with pytest.warns(DicodecWarning, match="StudyID"):
        inst = fs.add(no_study_id)
    assert "StudyID" in inst.study and inst.study.StudyID in ("", None)
    with pytest.raises(TypeError):
        fs.add(42)  # type: ignore[arg-type]
    assert issubclass(FileSetError, DicodecError)


def test_record_types() -> None:
    sr = make_ds(sop_class="1.2.840.10008.5.1.4.1.1.88.33")
    assert record_type_for(sr) == "SR DOCUMENT"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.88.59")) == "KEY OBJECT DOC"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.11.1")) == "PRESENTATION"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.481.2")) == "RT DOSE"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.481.5")) == "RT PLAN"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.481.10")) == "RADIOTHERAPY"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.104.1")) == "ENCAP DOC"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.9.1.1")) == "WAVEFORM"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.39.1")) == "PALETTE"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.66.1")) == "REGISTRATION"
    assert record_type_for(make_ds(sop_class="1.2.3.4", modality="PLAN")) == "PLAN"
    assert record_type_for(make_ds(sop_class="1.2.840.10008.5.1.4.1.1.4")) == "IMAGE"
    assert record_type_for(make_ds(sop_class="1.2.3.4.5")) == "IMAGE"


def test_other_record_types_round_trip(tmp_path: Path) -> None:
    fs = FileSet()
    code = Dataset(
        CodeValue="18748-4", CodingSchemeDesignator="LN", CodeMeaning="Diagnostic Imaging Report"
    )
    sr = make_ds(
        "P1",
        number=2,
        series=2,
        modality="SR",
        sop_class="1.2.840.10008.5.1.4.1.1.88.11",
        CompletionFlag="COMPLETE",
        VerificationFlag="UNVERIFIED",
        ContentDate="20240101",
        ContentTime="120000",
        ConceptNameCodeSequence=[code],
    )
    fs.add(make_ds("P1"))
    fs.add(sr)
    palette = Dataset(
        SOPClassUID="1.2.840.10008.5.1.4.39.1",
        SOPInstanceUID=generate_uid(entropy_srcs=["palette"]),
        ContentLabel="HOT",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", DicodecWarning)
        fs.add(palette)
    fs.write(tmp_path / "fs")
    again = FileSet(tmp_path / "fs")
    kinds = [(n.record_type, n.depth) for n in again.tree.walk()]
    assert ("SR DOCUMENT", 4) in kinds and ("PALETTE", 1) in kinds
    (sr_inst,) = again.find(CompletionFlag="COMPLETE")
    assert sr_inst.ConceptNameCodeSequence[0].CodeValue == "18748-4"
    assert sr_inst.FileID.endswith("/SR000000")
    (pal,) = again.find(ContentLabel="HOT")
    assert pal.FileID == "PA000000" and pal.patient is None
    check_offsets_with_pydicom(tmp_path / "fs" / "DICOMDIR", again)
    theirs = pd_fileset.FileSet(os.fspath(tmp_path / "fs" / "DICOMDIR"))
    assert len(theirs) == 3


def test_remove_and_write(written: tuple[FileSet, Path]) -> None:
    fs, root = written
    (ct,) = fs.find(Modality="CT")
    ct_path = ct.path
    ct_dir = Path(ct_path).parent
    fs.remove(ct)
    assert len(fs) == len(EXAMPLES) - 1 and ct not in fs
    assert os.path.exists(ct_path)  # nothing happens before write()
    assert "1 removal" in str(fs)
    with pytest.raises(FileSetError):
        fs.remove(ct)
    fs.write()
    assert not os.path.exists(ct_path) and not ct_dir.exists()
    assert not (root / "PT000000").exists()  # the emptied folders went too
    again = FileSet(root)
    assert len(again) == len(EXAMPLES) - 1
    assert "DICODEC-CT-0001" not in again.find_values("PatientID")
    check_offsets_with_pydicom(root / "DICOMDIR", again)


def test_remove_staged_addition(tmp_path: Path) -> None:
    fs = FileSet()
    a = fs.add(make_ds(number=1))
    b = fs.add(make_ds(number=2))
    staged = a.path
    fs.remove([a])
    assert not os.path.exists(staged) and len(fs) == 1
    fs.write(tmp_path / "fs")
    assert [i.SOPInstanceUID for i in FileSet(tmp_path / "fs")] == [b.SOPInstanceUID]
    fs.remove(b)
    assert fs.tree.children == []
    fs.write()
    empty = FileSet(tmp_path / "fs")
    assert len(empty) == 0 and list(empty.tree.walk()) == []
    check_offsets_with_pydicom(tmp_path / "fs" / "DICOMDIR", empty)
    assert os.listdir(tmp_path / "fs") == ["DICOMDIR"]


def test_add_to_existing_series_goes_next_to_siblings(written: tuple[FileSet, Path]) -> None:
    _, root = written
    fs = FileSet(root)
    ct = examples.ct
    ct.SOPInstanceUID = generate_uid(entropy_srcs=["second ct"])
    ct.file_meta.MediaStorageSOPInstanceUID = ct.SOPInstanceUID
    ct.InstanceNumber = 2
    new = fs.add(ct)
    (old,) = fs.find(Modality="CT", InstanceNumber=1)
    assert new.series is old.series
    fs.write()
    assert new.FileID == "PT000000/ST000000/SE000000/IM000001"
    assert not new.is_staged and os.path.isfile(new.path)
    again = FileSet(root)
    assert len(again.find(Modality="CT")) == 2
    assert old.FileID in [i.FileID for i in again]  # existing File IDs are kept
    check_offsets_with_pydicom(root / "DICOMDIR", again)


def test_write_updates_instances_in_place(written: tuple[FileSet, Path]) -> None:
    fs, root = written
    assert not fs.is_staged
    for inst in fs:
        assert not inst.is_staged and inst.path.startswith(str(root)) and inst.node.offset
    assert fs.dicomdir_path == str(root / "DICOMDIR")


def test_restructure(written: tuple[FileSet, Path]) -> None:
    fs, root = written
    before = {i.SOPInstanceUID: sha(i.path) for i in fs}
    old_ids = {i.FileID for i in fs}
    fs.write(restructure=True)
    again = FileSet(root)
    assert {i.SOPInstanceUID: sha(i.path) for i in again} == before
    assert not old_ids & {i.FileID for i in again}
    assert all(is_conformant_file_id(i.file_id or []) for i in again)
    assert {p.name for p in root.iterdir()} == {"DICOMDIR"} | {
        i.file_id[0] for i in again if i.file_id
    }


def test_many_instances_file_ids(tmp_path: Path) -> None:
    fs = FileSet()
    for n in range(40):
        fs.add(make_ds("P1", "S1", 1 + n // 20, n))
    fs.write(tmp_path / "fs")
    again = FileSet(tmp_path / "fs")
    ids = [i.FileID for i in again]
    assert len(set(ids)) == 40
    assert all(is_conformant_file_id(i) for i in ids)
    assert {i.rsplit("/", 1)[0] for i in ids} == {
        "PT000000/ST000000/SE000000",
        "PT000000/ST000000/SE000001",
    }


def test_case_insensitive_file_ids(written: tuple[FileSet, Path]) -> None:
    _, root = written
    fs = FileSet(root)
    (ct,) = fs.find(Modality="CT")
    lower = Path(ct.path).with_name(Path(ct.path).name.lower())
    os.rename(ct.path, lower)
    again = FileSet(root)
    (ct2,) = again.find(Modality="CT")
    assert ct2.path == str(lower) and ct2.exists
    again.write()  # the file gets a File ID matching its name on disk
    (ct3,) = FileSet(root).find(Modality="CT")
    assert os.path.isfile(ct3.path) and is_conformant_file_id(ct3.file_id or [])
    assert not lower.exists()


# ------------------------------------------------------------------------ copy
def test_copy_leaves_original_alone(written: tuple[FileSet, Path], tmp_path: Path) -> None:
    fs, root = written
    extra = fs.add(make_ds("PX", modality="OT"))
    (ct,) = fs.find(Modality="CT")
    fs.remove(ct)
    before = snapshot(root)
    signature = tree_signature(fs)
    copied = fs.copy(tmp_path / "copy")
    assert snapshot(root) == before
    assert tree_signature(fs) == signature and fs.is_staged and extra.is_staged
    assert len(copied) == len(EXAMPLES) and copied.path == str(tmp_path / "copy")
    assert "PX" in copied.find_values("PatientID") and "DICODEC-CT-0001" not in copied.find_values(
        "PatientID"
    )
    for inst in copied:
        assert inst.path.startswith(str(tmp_path / "copy"))
    with pytest.raises(FileSetError, match="own"):
        fs.copy(root)
    with pytest.raises(FileSetError, match="already holds a DICOMDIR"):
        fs.copy(tmp_path / "copy")


def test_copy_of_new_file_set(tmp_path: Path) -> None:
    fs = FileSet()
    fs.add(make_ds())
    copied = fs.copy(tmp_path / "a")
    assert fs.path is None and fs.is_staged and len(copied) == 1
    fs.write(tmp_path / "b")
    assert FileSet(tmp_path / "b").UID == copied.UID == fs.UID


# -------------------------------------------------------------------- writing
def test_write_path_rules(written: tuple[FileSet, Path], tmp_path: Path) -> None:
    fs, root = written
    with pytest.raises(FileSetError, match="copy"):
        fs.write(tmp_path / "elsewhere")
    fs.write(root)  # its own folder is fine
    with pytest.raises(FileSetError, match="needs a path"):
        FileSet().write()
    other = FileSet()
    other.add(make_ds())
    with pytest.raises(FileSetError, match="already holds a DICOMDIR"):
        other.write(root)


def test_write_is_atomic_when_the_dicomdir_fails(
    written: tuple[FileSet, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fs, root = written
    before = snapshot(root)
    fs.add(make_ds("NEW", modality="OT"))
    fs.remove(fs.find(Modality="CT"))

    def broken(path: str, data: bytes) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("dicodec.fileset._atomic_write", broken)
    with pytest.raises(WriteError, match="disk full"):
        fs.write()
    assert snapshot(root) == before
    monkeypatch.undo()
    assert len(FileSet(root)) == len(EXAMPLES)
    fs.write()  # the staged changes are still there and now succeed
    assert "NEW" in FileSet(root).find_values("PatientID")


def test_write_is_atomic_when_a_copy_fails(
    written: tuple[FileSet, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fs, root = written
    before = snapshot(root)
    for n in range(3):
        fs.add(make_ds("NEW", number=n))
    import dicodec.fileset as module

    real = module._place_file
    calls = []

    def flaky(src: str, dst: str, link: bool) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise PermissionError("denied")
        real(src, dst, link)

    monkeypatch.setattr(module, "_place_file", flaky)
    with pytest.raises(WriteError, match="denied"):
        fs.write()
    assert snapshot(root) == before
    assert not any(Path(p).exists() for p in calls)


def test_write_missing_source(written: tuple[FileSet, Path]) -> None:
    fs, root = written
    (mr,) = fs.find(Modality="MR", SeriesNumber=2)
    os.unlink(mr.path)
    fs.add(make_ds("NEW"))
    before = snapshot(root)
    with pytest.raises(MissingFileError, match=rf"IMAGE record at offset {mr.node.offset}"):
        fs.write()
    assert snapshot(root) == before
    with pytest.raises(MissingFileError):
        mr.load()


def test_missing_policy(written: tuple[FileSet, Path], tmp_path: Path) -> None:
    _, root = written
    (ct,) = FileSet(root).find(Modality="CT")
    os.unlink(ct.path)
    with pytest.warns(DicodecWarning, match="do not exist"):
        fs = FileSet(root)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = FileSet(root, missing="ignore")
    assert len(quiet) == len(EXAMPLES) - 1 and len(quiet.missing) == 1
    with pytest.raises(MissingFileError, match=f"offset {ct.node.offset}"):
        FileSet(root, missing="raise")
    with pytest.raises(ValueError):
        FileSet(root, missing="maybe")  # type: ignore[arg-type]
    (gone,) = fs.missing
    assert not gone.exists and "[missing]" in str(fs) and "Missing files: 1 record" in str(fs)
    with pytest.warns(DicodecWarning, match="missing"):
        copied = fs.copy(tmp_path / "copy")
    assert [i.FileID for i in copied.missing] == [gone.FileID]
    fs.remove(fs.missing)  # repair: drop the dangling record
    fs.write()
    repaired = FileSet(root)
    assert repaired.missing == [] and len(repaired) == len(EXAMPLES) - 1


def test_readding_a_missing_instance_repairs_it(written: tuple[FileSet, Path]) -> None:
    _, root = written
    (ct,) = FileSet(root).find(Modality="CT")
    os.unlink(ct.path)
    fs = FileSet(root, missing="ignore")
    fs.add(examples.ct)
    fs.write()
    again = FileSet(root)
    assert again.missing == [] and len(again) == len(EXAMPLES)


def test_identification_attributes(tmp_path: Path) -> None:
    fs = FileSet()
    fs.ID = "MY_SET 1"
    fs.descriptor_file_id = ["README"]
    fs.descriptor_character_set = "ISO_IR 100"
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "README").write_text("hello")
    fs.add(make_ds())
    fs.write(tmp_path / "fs")
    again = FileSet(tmp_path / "fs")
    assert (again.ID, again.descriptor_file_id, again.descriptor_character_set) == (
        "MY_SET 1",
        "README",
        "ISO_IR 100",
    )
    copied = again.copy(tmp_path / "copy")
    assert (
        tmp_path / "copy" / "README"
    ).read_text() == "hello" and copied.descriptor_file_id == "README"
    with pytest.raises(dicodec.InvalidValueError):
        fs.ID = "lower case"
    with pytest.raises(dicodec.InvalidValueError):
        fs.ID = "X" * 17
    with pytest.raises(dicodec.InvalidValueError):
        fs.UID = "not a uid"
    with pytest.raises(dicodec.InvalidValueError):
        fs.descriptor_file_id = "readme.txt"


def test_conformant_file_ids() -> None:
    assert is_conformant_file_id(["A"])
    assert is_conformant_file_id("PT000000/ST000000")
    assert is_conformant_file_id(["A_1"] * 8)
    assert not is_conformant_file_id(["A"] * 9)
    assert not is_conformant_file_id(["ABCDEFGHI"])
    assert not is_conformant_file_id(["abc"])
    assert not is_conformant_file_id(["A-1"])
    assert not is_conformant_file_id([])


def test_deep_private_trees_stay_within_eight_levels(tmp_path: Path) -> None:
    from dicodec.fileset import _Planner

    parent = RecordNode(None, "ROOT")
    node = parent
    for _ in range(12):
        child = RecordNode(Dataset(), "PRIVATE")
        node._append(child)
        node = child
    leaf = RecordNode(Dataset(), "IMAGE")
    node._append(leaf)
    parts = _Planner(str(tmp_path)).new_file_id(leaf)
    assert len(parts) == 8 and is_conformant_file_id(parts)


# ------------------------------------------------------------- damaged DICOMDIRs
def small_set(tmp_path: Path) -> tuple[Path, FileSet]:
    fs = FileSet()
    for n in range(3):
        fs.add(make_ds("P1", "S1", 1, n))
    fs.add(make_ds("P2", "S1", 1, 0))
    root = tmp_path / "fs"
    fs.write(root)
    return root / "DICOMDIR", FileSet(root)


def test_bad_next_offset(tmp_path: Path) -> None:
    dicomdir, fs = small_set(tmp_path)
    image = fs.find(PatientID="P1")[0].node
    data = dicomdir.read_bytes()
    patch(dicomdir, find_element(data, image.offset, 0x00041400), "<L", 123456)
    with pytest.raises(
        DICOMDIRError, match=rf"IMAGE record at offset {image.offset}.*123456"
    ) as info:
        FileSet(dicomdir)
    assert info.value.offset == image.offset and info.value.tag == 0x00041400
    assert isinstance(info.value, InvalidDicomError)


def test_bad_lower_offset(tmp_path: Path) -> None:
    dicomdir, fs = small_set(tmp_path)
    series = fs.find(PatientID="P1")[0].series
    assert series is not None
    patch(dicomdir, find_element(dicomdir.read_bytes(), series.offset, 0x00041420), "<L", 7)
    with pytest.raises(
        DICOMDIRError, match=rf"SERIES record at offset {series.offset}.*\(0004,1420\)"
    ):
        FileSet(dicomdir)


def test_bad_root_offset(tmp_path: Path) -> None:
    dicomdir, _ = small_set(tmp_path)
    data = dicomdir.read_bytes()
    position = data.index(b"\x04\x00\x00\x12UL") + 8
    patch(dicomdir, position, "<L", 99)
    with pytest.raises(DICOMDIRError, match=r"\(0004,1200\)"):
        FileSet(dicomdir)


@pytest.mark.parametrize("kind", ["self", "sibling", "child-to-parent"])
def test_loops_raise(tmp_path: Path, kind: str) -> None:
    dicomdir, fs = small_set(tmp_path)
    images = [i.node for i in fs.find(PatientID="P1")]
    data = dicomdir.read_bytes()
    if kind == "self":
        patch(dicomdir, find_element(data, images[1].offset, 0x00041400), "<L", images[1].offset)
    elif kind == "sibling":
        patch(dicomdir, find_element(data, images[2].offset, 0x00041400), "<L", images[0].offset)
    else:
        patient = images[0].ancestors[-1]
        patch(dicomdir, find_element(data, images[0].offset, 0x00041420), "<L", patient.offset)
    with pytest.raises(DICOMDIRError, match="loop"):
        FileSet(dicomdir)


def test_root_chain_loop(tmp_path: Path) -> None:
    dicomdir, fs = small_set(tmp_path)
    second_patient = fs.tree.children[1]
    patch(
        dicomdir,
        find_element(dicomdir.read_bytes(), second_patient.offset, 0x00041400),
        "<L",
        fs.tree.children[0].offset,
    )
    with pytest.raises(
        DICOMDIRError, match=rf"PATIENT record at offset {second_patient.offset}.*loop"
    ):
        FileSet(dicomdir)


def test_unsafe_file_id(tmp_path: Path) -> None:
    dicomdir, _ = small_set(tmp_path)
    data = dicomdir.read_bytes()
    marker = b"PT000000\\ST000000\\SE000000\\IM000000"
    assert marker in data
    Path(dicomdir).write_bytes(
        data.replace(
            marker, b"..\\..\\..\\..\\..\\..\\..\\etc\\passwd"[: len(marker)].ljust(len(marker))
        )
    )
    with pytest.raises(DICOMDIRError, match="unsafe"):
        FileSet(dicomdir)


def test_not_a_dicomdir(tmp_path: Path) -> None:
    with pytest.raises(DICOMDIRError, match="not a DICOMDIR"):
        FileSet(examples.get_path("ct"))
    (tmp_path / "x").write_bytes(b"not dicom at all")
    with pytest.raises(InvalidDicomError):
        FileSet(tmp_path / "x")
    with pytest.raises(FileNotFoundError):
        FileSet(tmp_path / "absent")


def test_truncated_dicomdir(tmp_path: Path) -> None:
    dicomdir, fs = small_set(tmp_path)
    data = dicomdir.read_bytes()
    last = list(fs.tree.walk())[-1]
    dicomdir.write_bytes(data[: last.offset + 20])
    with pytest.raises(InvalidDicomError):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DicodecWarning)
            FileSet(dicomdir)


def test_undefined_length_items_with_nested_sequences(tmp_path: Path) -> None:
    """Records in undefined-length items, holding a nested sequence, as some writers emit."""
    dicomdir, fs = small_set(tmp_path)
    ds = pydicom.dcmread(os.fspath(dicomdir))
    icon = pydicom.Dataset()
    icon.Rows = 1
    icon.Columns = 1
    for record in ds.DirectoryRecordSequence:
        if record.DirectoryRecordType == "SERIES":
            record.IconImageSequence = pydicom.Sequence([icon])
    # rewrite with undefined lengths: offsets change, so recompute them from pydicom's tells
    from pydicom.filebase import DicomBytesIO

    def encode() -> bytes:
        buf = DicomBytesIO()
        buf.is_little_endian, buf.is_implicit_VR = True, False
        pydicom.dcmwrite(buf, ds, enforce_file_format=True)
        return buf.getvalue()

    old_offsets = [r.seq_item_tell for r in ds.DirectoryRecordSequence]
    for record in ds.DirectoryRecordSequence:
        record.is_undefined_length_sequence_item = True
    ds.DirectoryRecordSequence.is_undefined_length = True
    for elem in ds.iterall():
        if elem.VR == "SQ":
            elem.is_undefined_length = True
    for _ in range(3):  # offsets depend on sizes only: iterate to a fixed point
        out = tmp_path / "undefined"
        out.write_bytes(encode())
        tells = [r.seq_item_tell for r in pydicom.dcmread(os.fspath(out)).DirectoryRecordSequence]
        mapping = dict(zip(old_offsets, tells, strict=True)) | {0: 0}
        for record in ds.DirectoryRecordSequence:
            record.OffsetOfTheNextDirectoryRecord = mapping[record.OffsetOfTheNextDirectoryRecord]
            record.OffsetOfReferencedLowerLevelDirectoryEntity = mapping[
                record.OffsetOfReferencedLowerLevelDirectoryEntity
            ]
        ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = mapping[
            ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity
        ]
        ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = mapping[
            ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity
        ]
        old_offsets = tells
    shutil.copyfile(out, dicomdir)
    assert b"\xfe\xff\x00\xe0\xff\xff\xff\xff" in dicomdir.read_bytes()
    again = FileSet(dicomdir)
    assert tree_signature(again)[0] == tree_signature(fs)[0]
    assert [i.SOPInstanceUID for i in again] == [i.SOPInstanceUID for i in fs]
    series = again.find(PatientID="P1")[0].series
    assert series is not None and series.IconImageSequence[0].Rows == 1
    copied = again.copy(tmp_path / "copy")
    check_offsets_with_pydicom(tmp_path / "copy" / "DICOMDIR", copied)


def test_inactive_records_are_skipped(tmp_path: Path) -> None:
    dicomdir, fs = small_set(tmp_path)
    image = fs.find(PatientID="P1")[1].node
    patch(dicomdir, find_element(dicomdir.read_bytes(), image.offset, 0x00041410, b"US"), "<H", 0)
    with pytest.warns(DicodecWarning, match="inactive"):
        again = FileSet(dicomdir)
    assert len(again) == 3 and image.instance is not None
    assert image.instance.SOPInstanceUID not in again


def test_orphan_records_warn(tmp_path: Path) -> None:
    dicomdir, fs = small_set(tmp_path)
    first_image = fs.find(PatientID="P1")[0].node
    patch(dicomdir, find_element(dicomdir.read_bytes(), first_image.offset, 0x00041400), "<L", 0)
    with pytest.warns(DicodecWarning, match="2 directory record"):
        again = FileSet(dicomdir)
    assert len(again) == 2


def test_dicomdir_read_by_dcmread(written: tuple[FileSet, Path]) -> None:
    _, root = written
    ds = dicodec.dcmread(root / "DICOMDIR")
    assert len(FileSet(ds)) == len(EXAMPLES)
    with pytest.raises(FileSetError):
        FileSet(dicodec.dcmread((root / "DICOMDIR").read_bytes()))


def test_corrupted_dicomdirs_fail_cleanly(tmp_path: Path) -> None:
    """Random damage to the records gives a dicodec error or a readable File-set: no other exception, no hang."""
    import random

    dicomdir, fs = small_set(tmp_path)
    data = dicomdir.read_bytes()
    start = min(n.offset for n in fs.tree.walk())
    rng = random.Random(1234)
    outcomes = {"read": 0, "error": 0}
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 6)):
            position = rng.randrange(start - 12, len(damaged))
            damaged[position] = rng.randrange(256)
        if rng.random() < 0.2:
            damaged = damaged[: rng.randrange(start, len(damaged))]
        dicomdir.write_bytes(bytes(damaged))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                FileSet(dicomdir, missing="ignore")
                outcomes["read"] += 1
            except DicodecError:
                outcomes["error"] += 1
    assert outcomes["read"] and outcomes["error"]
