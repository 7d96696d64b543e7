"""Dataset / FileDataset API."""

from __future__ import annotations

import copy
import pickle

import pytest

import dicodec
from dicodec import DataElement, Dataset, FileDataset, Sequence
from dicodec.dataelem import RawDataElement
from dicodec.dataset import FileMetaDataset


def make() -> Dataset:
    ds = Dataset()
    ds.PatientName = "Doe^John"
    ds.PatientID = "12345"
    ds.Rows = 64
    ds.Columns = 32
    ds.ImageType = "ORIGINAL\\PRIMARY"
    item = Dataset(ReferencedSOPInstanceUID="1.2.3")
    ds.ReferencedImageSequence = [item]
    return ds


def test_keyword_and_every_tag_form() -> None:
    ds = make()
    assert ds.PatientID == "12345"
    for key in (0x00100020, (0x0010, 0x0020), "PatientID", "00100020", dicodec.Tag(0x00100020)):
        assert ds[key].value == "12345"
    assert ds[0x0010, 0x0020].value == "12345"
    assert ds.ImageType == ["ORIGINAL", "PRIMARY"]
    assert ds[0x00280010].VR == "US"
    with pytest.raises(KeyError):
        ds[0x00100030]
    with pytest.raises(AttributeError):
        _ = ds.PatientBirthDate


def test_repeating_group_and_private() -> None:
    ds = Dataset()
    ds.add_new(0x60023000, "OW", b"\x01\x02")
    assert ds[0x6002, 0x3000].value == b"\x01\x02"
    assert ds[0x6002, 0x3000].name == "Overlay Data"
    block = ds.private_block(0x0009, "ACME 1.0", create=True)
    block.add_new(0x01, "LO", "secret")
    assert ds[0x00091001].value == "secret"
    assert ds.private_creators(0x0009) == ["ACME 1.0"]
    assert ds.get_private_item(0x0009, 0x01, "ACME 1.0").value == "secret"
    other = ds.private_block(0x0009, "OTHER", create=True)
    assert other.get_tag(0x02) == 0x00091102
    with pytest.raises(KeyError):
        ds.private_block(0x0009, "MISSING")
    with pytest.raises(ValueError):
        ds.private_block(0x0008, "X")
    ds.remove_private_tags()
    assert 0x00091001 not in ds and 0x00090010 not in ds


def test_slices_and_groups() -> None:
    ds = make()
    sub = ds[0x00100000:0x00110000]
    assert [e.keyword for e in sub] == ["PatientName", "PatientID"]
    assert [e.keyword for e in ds.group_dataset(0x0028)] == ["Rows", "Columns"]


def test_mapping_methods() -> None:
    ds = make()
    assert len(ds) == 6
    assert ds.get("PatientID") == "12345"
    assert ds.get("PatientSex", "?") == "?"
    assert ds.get(0x00100020).value == "12345"
    elem = ds.pop("PatientID")
    assert elem.value == "12345" and "PatientID" not in ds
    assert ds.pop(0x00100020, None) is None
    default = ds.setdefault("PatientSex", "O")
    assert default.VR == "CS" and ds.PatientSex == "O"
    assert ds.setdefault("PatientSex", "F").value == "O"
    ds.update({"PatientAge": "042Y", 0x00100040: DataElement(0x00100040, "CS", "M")})
    assert ds.PatientAge == "042Y" and ds.PatientSex == "M"
    tag, last = ds.popitem()
    assert tag == 0x00280011 and last.value == 32
    assert [t for t in ds.keys()] == sorted(ds.keys())
    assert all(isinstance(e, DataElement) for e in ds.values())
    assert ds.dir("patient") == ["PatientAge", "PatientName", "PatientSex"]
    assert "PatientName" in ds.trait_names()
    assert ds.data_element("PatientName").VR == "PN"
    assert ds.data_element("Modality") is None
    del ds.PatientAge
    assert "PatientAge" not in ds
    ds.clear()
    assert len(ds) == 0


def test_copy_deepcopy_pickle_equality() -> None:
    ds = make()
    shallow = ds.copy()
    deep = copy.deepcopy(ds)
    assert shallow == ds and deep == ds
    deep.PatientName = "Other"
    assert ds.PatientName == "Doe^John"
    shallow.PatientSex = "F"  # a new element in the copy only
    assert "PatientSex" not in ds
    shallow.PatientID = "changed"  # elements are shared by a shallow copy, as in pydicom
    assert ds.PatientID == "changed"
    restored = pickle.loads(pickle.dumps(deep))
    assert restored == deep
    assert restored.ReferencedImageSequence[0].parent is restored


def test_walk_iterall_and_deep_nesting() -> None:
    ds = make()
    seen = [e.keyword for e in ds.iterall()]
    assert "ReferencedSOPInstanceUID" in seen
    visited: list[str] = []
    ds.walk(lambda d, e: visited.append(e.keyword))
    assert visited == seen
    top_only: list[str] = []
    ds.walk(lambda d, e: top_only.append(e.keyword), recursive=False)
    assert "ReferencedSOPInstanceUID" not in top_only
    # 3000 levels: no recursion anywhere
    root = Dataset()
    current = root
    for _ in range(3000):
        inner = Dataset()
        current.ReferencedImageSequence = [inner]
        current = inner
    current.PatientID = "bottom"
    assert sum(1 for _ in root.iterall()) == 3001
    assert "bottom" in str(root).splitlines()[-1]
    assert len(list(root.formatted_lines())) == 3001


def test_str_format() -> None:
    ds = make()
    text = str(ds)
    assert "(0010,0010) Patient's Name                      PN: 'Doe^John'" in text
    assert "(0008,1140)  Referenced Image Sequence  1 item(s) ---- " in text
    ds.add_new(0x7FE00010, "OW", b"\x00" * 58564)
    assert "OW: Array of 58564 elements" in str(ds)
    assert "Referenced SOP Instance UID" not in ds.top()


def test_raw_elements_convert_lazily_and_update_raw() -> None:
    raw = RawDataElement(0x00100020, None, 4, b"AB  ", 0, True, True)
    ds = Dataset({0x00100020: raw})
    assert type(ds.get_item(0x00100020)) is RawDataElement
    ds.update_raw_element(0x00100020, value=b"XYZ ")
    assert ds.PatientID == "XYZ"
    with pytest.raises(TypeError):
        ds.update_raw_element(0x00100020, vr="LO")
    with pytest.raises(KeyError):
        ds.update_raw_element(0x00100030, vr="DA")


def test_plain_attributes_and_warning() -> None:
    ds = Dataset()
    ds.my_note = 1
    assert ds.my_note == 1 and "my_note" not in ds.dir()
    with pytest.warns(dicodec.DicodecWarning):
        ds.PatientNmae = "typo"


def test_file_dataset_and_meta() -> None:
    fds = FileDataset("x.dcm", make(), preamble=b"\0" * 128)
    assert fds.filename == "x.dcm" and fds.preamble == b"\0" * 128
    meta = fds.ensure_file_meta()
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    assert isinstance(meta, FileMetaDataset)
    with pytest.raises(ValueError):
        meta.PatientID = "not meta"
    assert fds.ReferencedImageSequence[0].parent is fds


def test_sequence_accepts_only_datasets() -> None:
    seq = Sequence([Dataset()])
    with pytest.raises(TypeError):
        seq.append("x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Sequence(["x"])  # type: ignore[list-item]


def test_original_encoding() -> None:
    ds = make()
    assert ds.original_encoding == (None, None)
    assert not ds.is_original_encoding
    ds.set_original_encoding(False, True, "ISO_IR 100")
    ds.SpecificCharacterSet = "ISO_IR 100"
    assert ds.is_original_encoding
    ds.SpecificCharacterSet = "ISO_IR 192"
    assert not ds.is_original_encoding
