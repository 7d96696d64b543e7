"""Tests for dicodec.uid and the generated UID registry."""

from __future__ import annotations

import hashlib
import os
import pickle
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import dicodec
from dicodec import uid as uid_module
from dicodec._uid_dict import UID_DICT
from dicodec.uid import (
    DICODEC_ROOT_UID,
    IMPLEMENTATION_CLASS_UID,
    IMPLEMENTATION_VERSION_NAME,
    UID,
    AllTransferSyntaxes,
    DeflatedExplicitVRLittleEndian,
    EncapsulatedUncompressedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000TransferSyntaxes,
    JPEGBaseline8Bit,
    JPEGLSTransferSyntaxes,
    JPEGTransferSyntaxes,
    JPEGXLTransferSyntaxes,
    MPEGTransferSyntaxes,
    PrivateTransferSyntaxes,
    RLETransferSyntaxes,
    TransferSyntaxInfo,
    UncompressedTransferSyntaxes,
    generate_uid,
    register_transfer_syntax,
    transfer_syntax_info,
)

# Expected transfer-syntax properties, written out independently of the table
# in dicodec.uid: name -> (uid, implicit VR, little endian, deflated,
# encapsulated, compressed, lossy).
N, Y = False, True
EXPECTED: dict[str, tuple[str, bool, bool, bool, bool, bool, bool]] = {
    "ImplicitVRLittleEndian": ("1.2.840.10008.1.2", Y, Y, N, N, N, N),
    "ExplicitVRLittleEndian": ("1.2.840.10008.1.2.1", N, Y, N, N, N, N),
    "EncapsulatedUncompressedExplicitVRLittleEndian": ("1.2.840.10008.1.2.1.98", N, Y, N, Y, N, N),
    "DeflatedExplicitVRLittleEndian": ("1.2.840.10008.1.2.1.99", N, Y, Y, N, N, N),
    "ExplicitVRBigEndian": ("1.2.840.10008.1.2.2", N, N, N, N, N, N),
    "JPEGBaseline8Bit": ("1.2.840.10008.1.2.4.50", N, Y, N, Y, Y, Y),
    "JPEGExtended12Bit": ("1.2.840.10008.1.2.4.51", N, Y, N, Y, Y, Y),
    "JPEGLossless": ("1.2.840.10008.1.2.4.57", N, Y, N, Y, Y, N),
    "JPEGLosslessSV1": ("1.2.840.10008.1.2.4.70", N, Y, N, Y, Y, N),
    "JPEGLSLossless": ("1.2.840.10008.1.2.4.80", N, Y, N, Y, Y, N),
    "JPEGLSNearLossless": ("1.2.840.10008.1.2.4.81", N, Y, N, Y, Y, Y),
    "JPEG2000Lossless": ("1.2.840.10008.1.2.4.90", N, Y, N, Y, Y, N),
    "JPEG2000": ("1.2.840.10008.1.2.4.91", N, Y, N, Y, Y, Y),
    "JPEG2000MCLossless": ("1.2.840.10008.1.2.4.92", N, Y, N, Y, Y, N),
    "JPEG2000MC": ("1.2.840.10008.1.2.4.93", N, Y, N, Y, Y, Y),
    "JPIPReferenced": ("1.2.840.10008.1.2.4.94", N, Y, N, Y, Y, Y),
    "JPIPReferencedDeflate": ("1.2.840.10008.1.2.4.95", N, Y, Y, Y, Y, Y),
    "MPEG2MPML": ("1.2.840.10008.1.2.4.100", N, Y, N, Y, Y, Y),
    "MPEG2MPMLF": ("1.2.840.10008.1.2.4.100.1", N, Y, N, Y, Y, Y),
    "MPEG2MPHL": ("1.2.840.10008.1.2.4.101", N, Y, N, Y, Y, Y),
    "MPEG2MPHLF": ("1.2.840.10008.1.2.4.101.1", N, Y, N, Y, Y, Y),
    "MPEG4HP41": ("1.2.840.10008.1.2.4.102", N, Y, N, Y, Y, Y),
    "MPEG4HP41F": ("1.2.840.10008.1.2.4.102.1", N, Y, N, Y, Y, Y),
    "MPEG4HP41BD": ("1.2.840.10008.1.2.4.103", N, Y, N, Y, Y, Y),
    "MPEG4HP41BDF": ("1.2.840.10008.1.2.4.103.1", N, Y, N, Y, Y, Y),
    "MPEG4HP422D": ("1.2.840.10008.1.2.4.104", N, Y, N, Y, Y, Y),
    "MPEG4HP422DF": ("1.2.840.10008.1.2.4.104.1", N, Y, N, Y, Y, Y),
    "MPEG4HP423D": ("1.2.840.10008.1.2.4.105", N, Y, N, Y, Y, Y),
    "MPEG4HP423DF": ("1.2.840.10008.1.2.4.105.1", N, Y, N, Y, Y, Y),
    "MPEG4HP42STEREO": ("1.2.840.10008.1.2.4.106", N, Y, N, Y, Y, Y),
    "MPEG4HP42STEREOF": ("1.2.840.10008.1.2.4.106.1", N, Y, N, Y, Y, Y),
    "HEVCMP51": ("1.2.840.10008.1.2.4.107", N, Y, N, Y, Y, Y),
    "HEVCM10P51": ("1.2.840.10008.1.2.4.108", N, Y, N, Y, Y, Y),
    "JPEGXLLossless": ("1.2.840.10008.1.2.4.110", N, Y, N, Y, Y, N),
    "JPEGXLJPEGRecompression": ("1.2.840.10008.1.2.4.111", N, Y, N, Y, Y, Y),
    "JPEGXL": ("1.2.840.10008.1.2.4.112", N, Y, N, Y, Y, Y),
    "HTJ2KLossless": ("1.2.840.10008.1.2.4.201", N, Y, N, Y, Y, N),
    "HTJ2KLosslessRPCL": ("1.2.840.10008.1.2.4.202", N, Y, N, Y, Y, N),
    "HTJ2K": ("1.2.840.10008.1.2.4.203", N, Y, N, Y, Y, Y),
    "JPIPHTJ2KReferenced": ("1.2.840.10008.1.2.4.204", N, Y, N, Y, Y, Y),
    "JPIPHTJ2KReferencedDeflate": ("1.2.840.10008.1.2.4.205", N, Y, Y, Y, Y, Y),
    "RLELossless": ("1.2.840.10008.1.2.5", N, Y, N, Y, Y, N),
    "SMPTEST211020UncompressedProgressiveActiveVideo": ("1.2.840.10008.1.2.7.1", N, Y, N, N, N, N),
    "SMPTEST211020UncompressedInterlacedActiveVideo": ("1.2.840.10008.1.2.7.2", N, Y, N, N, N, N),
    "SMPTEST211030PCMDigitalAudio": ("1.2.840.10008.1.2.7.3", N, Y, N, N, N, N),
    "DeflatedImageFrameCompression": ("1.2.840.10008.1.2.8.1", N, Y, N, Y, Y, N),
}
RETIRED_TS = {
    "1.2.840.10008.1.2.2",
    *(f"1.2.840.10008.1.2.4.{n}" for n in (52, 53, 54, 55, 56, 58, 59, 60, 61, 62, 63, 64, 65, 66)),
    "1.2.840.10008.1.2.6.1",
    "1.2.840.10008.1.2.6.2",
    "1.2.840.10008.1.20",
}


@pytest.fixture
def private_ts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Undo register_transfer_syntax after the test."""
    monkeypatch.setattr(uid_module, "_TS", dict(uid_module._TS))
    saved = list(PrivateTransferSyntaxes)
    yield
    PrivateTransferSyntaxes[:] = saved


def _env() -> dict[str, str]:
    env = dict(os.environ)
    root = str(Path(next(iter(dicodec.__path__))).parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


class TestUIDBasics:
    def test_is_str(self) -> None:
        u = UID("1.2.3")
        assert isinstance(u, str)
        assert u == "1.2.3"
        assert hash(u) == hash("1.2.3")
        assert {"1.2.3": 1}[u] == 1
        assert repr(u) == "'1.2.3'"

    def test_padding_removed(self) -> None:
        assert UID("1.2.840.10008.1.2\x00") == "1.2.840.10008.1.2"
        assert UID("1.2.3 ") == "1.2.3"
        assert UID("1.2.840.10008.1.2\x00").is_transfer_syntax

    def test_uid_of_uid_is_same_object(self) -> None:
        u = UID("1.2.3")
        assert UID(u) is u

    def test_type_error(self) -> None:
        with pytest.raises(TypeError):
            UID(123)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            UID(b"1.2.3")  # type: ignore[arg-type]

    def test_registry_properties(self) -> None:
        ct = UID("1.2.840.10008.5.1.4.1.1.2")
        assert ct.name == "CT Image Storage"
        assert ct.keyword == "CTImageStorage"
        assert ct.type == "SOP Class"
        assert ct.is_retired is False
        assert not ct.is_transfer_syntax
        assert not ct.is_private

    def test_retired_sop_class(self) -> None:
        assert UID("1.2.840.10008.5.1.4.1.1.5").is_retired  # NM Image Storage (Retired)

    def test_unknown_uid(self) -> None:
        u = UID("1.2.826.0.1.3680043.8.498.1")
        assert u.name == "1.2.826.0.1.3680043.8.498.1"
        assert u.keyword == ""
        assert u.type == ""
        assert u.is_retired is False
        assert u.is_private
        assert u.is_valid
        assert not u.is_transfer_syntax

    @pytest.mark.parametrize(
        "prop",
        [
            "is_implicit_VR",
            "is_little_endian",
            "is_deflated",
            "is_encapsulated",
            "is_compressed",
            "is_lossy",
        ],
    )
    def test_ts_properties_of_non_ts_raise(self, prop: str) -> None:
        with pytest.raises(ValueError, match="not a transfer syntax"):
            getattr(UID("1.2.3.4"), prop)
        with pytest.raises(ValueError):
            getattr(UID("1.2.840.10008.5.1.4.1.1.2"), prop)

    @pytest.mark.parametrize(
        ("value", "valid"),
        [
            ("1.2.840.10008.1.2", True),
            ("0", True),
            ("0.0", True),
            ("2.25.329800735698586629295641978511506172918", True),
            ("1." + "2" * 62, True),
            ("1." + "2" * 63, False),  # 65 characters
            ("", False),
            ("1.02.3", False),
            ("1..2", False),
            ("1.2.", False),
            (".1.2", False),
            ("1.2.a", False),
            ("1.2.-3", False),
            ("1.2 .3", False),
            ("1.2.\u0663", False),  # non-ASCII digit
        ],
    )
    def test_is_valid(self, value: str, valid: bool) -> None:
        assert str.__new__(UID, value).is_valid is valid

    @pytest.mark.parametrize(
        ("value", "private"),
        [
            ("1.2.840.10008.1.2", False),
            ("1.2.840.10008", False),
            ("1.2.840.100081", True),
            ("1.2.840.1000", True),
            ("2.25.1", True),
        ],
    )
    def test_is_private(self, value: str, private: bool) -> None:
        assert UID(value).is_private is private


class TestTransferSyntaxes:
    @pytest.mark.parametrize("keyword", sorted(EXPECTED))
    def test_constant_properties(self, keyword: str) -> None:
        value, implicit, little, deflated, encapsulated, compressed, lossy = EXPECTED[keyword]
        u = getattr(uid_module, keyword)
        assert isinstance(u, UID)
        assert u == value
        assert u.keyword == keyword
        assert u.type == "Transfer Syntax"
        assert u.is_transfer_syntax
        assert u.is_implicit_VR is implicit
        assert u.is_little_endian is little
        assert u.is_deflated is deflated
        assert u.is_encapsulated is encapsulated
        assert u.is_compressed is compressed
        assert u.is_lossy is lossy
        assert u.is_retired is (value in RETIRED_TS)
        assert not u.is_private
        assert u.is_valid
        assert u in AllTransferSyntaxes

    def test_every_standard_ts_has_a_row(self) -> None:
        registry_ts = {u for u, e in UID_DICT.items() if e[1] == "Transfer Syntax"}
        assert registry_ts == set(AllTransferSyntaxes)
        assert len(AllTransferSyntaxes) == 63

    def test_table_agrees_with_registry(self) -> None:
        for u in AllTransferSyntaxes:
            name, uid_type, keyword, retired = UID_DICT[u]
            info = transfer_syntax_info(u)
            assert info is not None
            assert (info.name, info.keyword, info.retired) == (name, keyword, retired), u
            assert uid_type == "Transfer Syntax"

    def test_retired_ones(self) -> None:
        for u in AllTransferSyntaxes:
            assert u.is_retired is (u in RETIRED_TS), u
        retired_jpeg = UID("1.2.840.10008.1.2.4.53")
        assert retired_jpeg.is_lossy and retired_jpeg.is_compressed
        papyrus = UID("1.2.840.10008.1.20")
        assert papyrus.is_implicit_VR and not papyrus.is_encapsulated

    def test_keyword_constants_exist(self) -> None:
        # Every non-retired standard syntax is a module constant named by its keyword.
        for u in AllTransferSyntaxes:
            if not u.is_retired:
                assert getattr(uid_module, u.keyword) == u, u.keyword
                assert u.keyword in uid_module.__all__

    def test_lists(self) -> None:
        assert UncompressedTransferSyntaxes == [
            ExplicitVRLittleEndian,
            ImplicitVRLittleEndian,
            DeflatedExplicitVRLittleEndian,
            ExplicitVRBigEndian,
        ]
        assert EncapsulatedUncompressedExplicitVRLittleEndian not in UncompressedTransferSyntaxes
        assert [u.split(".")[-1] for u in JPEGTransferSyntaxes] == ["50", "51", "57", "70"]
        assert [u.split(".")[-1] for u in JPEGLSTransferSyntaxes] == ["80", "81"]
        assert [u.split(".")[-1] for u in JPEG2000TransferSyntaxes] == [
            "90",
            "91",
            "92",
            "93",
            "201",
            "202",
            "203",
        ]
        assert [u.split(".")[-1] for u in JPEGXLTransferSyntaxes] == ["110", "111", "112"]
        assert RLETransferSyntaxes == ["1.2.840.10008.1.2.5"]
        assert len(MPEGTransferSyntaxes) == 16
        for group in (
            UncompressedTransferSyntaxes,
            JPEGTransferSyntaxes,
            JPEGLSTransferSyntaxes,
            JPEG2000TransferSyntaxes,
            JPEGXLTransferSyntaxes,
            MPEGTransferSyntaxes,
            RLETransferSyntaxes,
        ):
            for u in group:
                assert isinstance(u, UID)
                assert u in AllTransferSyntaxes
        for u in (*JPEGTransferSyntaxes, *JPEG2000TransferSyntaxes, *MPEGTransferSyntaxes):
            assert u.is_compressed

    def test_names(self) -> None:
        assert (
            ImplicitVRLittleEndian.name
            == "Implicit VR Little Endian: Default Transfer Syntax for DICOM"
        )
        assert ExplicitVRBigEndian.name == "Explicit VR Big Endian (Retired)"
        assert JPEGBaseline8Bit.name.startswith("JPEG Baseline (Process 1)")

    def test_transfer_syntax_info(self) -> None:
        info = transfer_syntax_info("1.2.840.10008.1.2.1.99")
        assert info is not None
        assert info.uid == "1.2.840.10008.1.2.1.99"
        assert info.keyword == "DeflatedExplicitVRLittleEndian"
        assert info.deflated and not info.encapsulated and not info.implicit_vr
        assert transfer_syntax_info(DeflatedExplicitVRLittleEndian) is info
        assert transfer_syntax_info("1.2.3") is None


class TestTransferSyntaxInfo:
    def test_immutable(self) -> None:
        info = TransferSyntaxInfo("1.2.3", "Name")
        with pytest.raises(AttributeError):
            info.lossy = True  # type: ignore[misc]
        with pytest.raises(AttributeError):
            del info.name
        with pytest.raises(AttributeError):
            info.extra = 1  # type: ignore[attr-defined]

    def test_defaults(self) -> None:
        info = TransferSyntaxInfo("1.2.3", "Name")
        assert info.keyword == ""
        assert not info.implicit_vr
        assert info.little_endian
        assert not info.deflated
        assert info.encapsulated
        assert not info.lossy
        assert not info.retired

    def test_value_semantics(self) -> None:
        a = TransferSyntaxInfo("1.2.3", "Name", "Kw", lossy=True)
        b = TransferSyntaxInfo("1.2.3", "Name", "Kw", lossy=True)
        c = TransferSyntaxInfo("1.2.3", "Name", "Kw", lossy=False)
        assert a == b
        assert hash(a) == hash(b)
        assert a != c
        assert a != "1.2.3"
        assert len({a, b, c}) == 2
        assert repr(a).startswith("TransferSyntaxInfo(uid='1.2.3', name='Name', keyword='Kw'")
        assert pickle.loads(pickle.dumps(a)) == a


class TestRegister:
    @pytest.mark.usefixtures("private_ts")
    def test_register(self) -> None:
        ts = register_transfer_syntax(
            "1.2.826.0.1.3680043.9.1.1",
            "Vendor Implicit",
            "VendorImplicit",
            implicit_vr=True,
            encapsulated=False,
        )
        assert isinstance(ts, UID)
        assert ts.is_transfer_syntax
        assert ts.is_implicit_VR and ts.is_little_endian
        assert not ts.is_encapsulated and not ts.is_compressed and not ts.is_deflated
        assert ts.name == "Vendor Implicit"
        assert ts.keyword == "VendorImplicit"
        assert ts.type == "Transfer Syntax"
        assert ts.is_private
        assert UID("1.2.826.0.1.3680043.9.1.1").is_implicit_VR
        assert PrivateTransferSyntaxes[-1] == ts
        assert PrivateTransferSyntaxes.count(ts) == 1
        assert ts not in AllTransferSyntaxes

    @pytest.mark.usefixtures("private_ts")
    def test_register_defaults_and_replace(self) -> None:
        ts = register_transfer_syntax("1.2.826.0.1.3680043.9.1.2", "Vendor Codec")
        assert ts.is_encapsulated and ts.is_compressed and not ts.is_lossy
        assert not ts.is_implicit_VR and ts.is_little_endian
        info = transfer_syntax_info(ts)
        assert info is not None and info.keyword == ""
        again = register_transfer_syntax("1.2.826.0.1.3680043.9.1.2", "Vendor Codec 2", lossy=True)
        assert again.is_lossy
        assert again.name == "Vendor Codec 2"
        assert PrivateTransferSyntaxes.count(again) == 1

    @pytest.mark.usefixtures("private_ts")
    def test_register_deflated_big_endian(self) -> None:
        ts = register_transfer_syntax(
            "1.2.826.0.1.3680043.9.1.3",
            "Vendor",
            little_endian=False,
            deflated=True,
            encapsulated=False,
        )
        assert ts.is_deflated and not ts.is_little_endian

    @pytest.mark.usefixtures("private_ts")
    def test_register_errors(self) -> None:
        before = list(PrivateTransferSyntaxes)
        with pytest.raises(ValueError, match="valid"):
            register_transfer_syntax("1.2.03", "Bad")
        with pytest.raises(ValueError, match="valid"):
            register_transfer_syntax("", "Bad")
        with pytest.raises(ValueError, match="standard"):
            register_transfer_syntax("1.2.840.10008.1.2.1", "Override")
        assert PrivateTransferSyntaxes == before

    def test_fixture_cleans_up(self) -> None:
        assert not UID("1.2.826.0.1.3680043.9.1.1").is_transfer_syntax


class TestRegistry:
    def test_added_uids(self) -> None:
        for value, keyword, name in (
            ("1.2.840.10008.1.2.4.110", "JPEGXLLossless", "JPEG XL Lossless"),
            ("1.2.840.10008.1.2.4.111", "JPEGXLJPEGRecompression", "JPEG XL JPEG Recompression"),
            ("1.2.840.10008.1.2.4.112", "JPEGXL", "JPEG XL"),
            (
                "1.2.840.10008.1.2.8.1",
                "DeflatedImageFrameCompression",
                "Deflated Image Frame Compression",
            ),
            (
                "1.2.840.10008.1.2.1.98",
                "EncapsulatedUncompressedExplicitVRLittleEndian",
                "Encapsulated Uncompressed Explicit VR Little Endian",
            ),
        ):
            assert UID_DICT[value] == (name, "Transfer Syntax", keyword, False)

    def test_registry_shape(self) -> None:
        assert len(UID_DICT) > 1800
        keywords = [e[2] for e in UID_DICT.values()]
        assert len(keywords) == len(set(keywords))
        for value, (name, uid_type, keyword, retired) in UID_DICT.items():
            assert str.__new__(UID, value).is_valid, value
            assert value.startswith("1.2.840.10008."), value
            assert name and uid_type and keyword.isidentifier()
            assert isinstance(retired, bool)

    def test_against_pydicom(self) -> None:
        pydicom_uids = pytest.importorskip("pydicom._uid_dict").UID_dictionary
        common = [u for u in UID_DICT if u in pydicom_uids]
        assert len(common) > 400
        for u in common:
            _name, uid_type, keyword, retired = UID_DICT[u]
            theirs = pydicom_uids[u]
            assert (uid_type, keyword, retired) == (theirs[1], theirs[4], bool(theirs[3])), u

    def test_ts_properties_against_pydicom(self) -> None:
        pydicom_uid = pytest.importorskip("pydicom.uid")
        # Where dicodec deliberately differs from pydicom 3.0.2:
        deflated_differs = {
            "1.2.840.10008.1.2.4.95",
            "1.2.840.10008.1.2.4.205",
        }  # data set is deflated
        compressed_differs = {  # not compressed pixel data
            "1.2.840.10008.1.2.1.98",
            "1.2.840.10008.1.2.6.1",
            "1.2.840.10008.1.2.6.2",
            "1.2.840.10008.1.2.7.1",
            "1.2.840.10008.1.2.7.2",
            "1.2.840.10008.1.2.7.3",
            "1.2.840.10008.1.20",
        }
        implicit_differs = {"1.2.840.10008.1.20"}  # Papyrus 3 *Implicit* VR Little Endian
        checked = 0
        for u in AllTransferSyntaxes:
            theirs = pydicom_uid.UID(str(u))
            if not theirs.is_transfer_syntax:
                continue
            checked += 1
            assert (u.is_implicit_VR == theirs.is_implicit_VR) is (u not in implicit_differs), u
            assert u.is_little_endian == theirs.is_little_endian, u
            assert (u.is_deflated == theirs.is_deflated) is (u not in deflated_differs), u
            assert (u.is_compressed == theirs.is_compressed) is (u not in compressed_differs), u
        assert checked >= 58


class TestGenerateUID:
    def test_default(self) -> None:
        u = generate_uid()
        assert isinstance(u, UID)
        assert u.startswith("2.25.")
        assert u.is_valid
        assert len(u) <= 64
        number = int(u[5:])
        assert 0 < number < 2**128
        assert uuid.UUID(int=number).version == 4

    def test_none_prefix(self) -> None:
        assert generate_uid(None).startswith("2.25.")
        assert DICODEC_ROOT_UID == "2.25."

    def test_unique(self) -> None:
        uids = {generate_uid() for _ in range(2000)}
        assert len(uids) == 2000

    def test_deterministic(self) -> None:
        a = generate_uid(entropy_srcs=["patient", "study", "1"])
        b = generate_uid(entropy_srcs=["patient", "study", "1"])
        c = generate_uid(entropy_srcs=["patient", "study", "2"])
        assert a == b
        assert a != c
        assert a.is_valid
        digest = hashlib.sha512(b"patient\x00study\x001").digest()
        assert a == "2.25." + str(int.from_bytes(digest[:16], "big"))

    def test_sources_are_separated(self) -> None:
        assert generate_uid(entropy_srcs=["ab", "c"]) != generate_uid(entropy_srcs=["a", "bc"])

    def test_other_prefix(self) -> None:
        prefix = "1.2.826.0.1.3680043.9.9999."
        u = generate_uid(prefix)
        assert u.startswith(prefix)
        assert u.is_valid
        assert len(u) == 64
        assert generate_uid(prefix) != u
        d1 = generate_uid(prefix, ["x"])
        assert d1 == generate_uid(prefix, ["x"])
        assert d1.is_valid and len(d1) == 64

    def test_short_prefix(self) -> None:
        u = generate_uid("1.")
        assert u.is_valid
        assert len(u) <= 64

    def test_longest_prefix(self) -> None:
        prefix = "1." + "2" * 60 + "."
        assert len(prefix) == 63
        u = generate_uid(prefix)
        assert len(u) == 64
        assert u.is_valid

    @pytest.mark.parametrize(
        "prefix",
        ["1.2.3", "1." + "2" * 61 + ".", "1.02.", ".", "1..", "a.b.", "1.2.3. "],
    )
    def test_bad_prefix(self, prefix: str) -> None:
        with pytest.raises(ValueError):
            generate_uid(prefix)

    def test_prefix_type(self) -> None:
        with pytest.raises(TypeError):
            generate_uid(123)  # type: ignore[arg-type]


def test_implementation_identity() -> None:
    expected = "2.25." + str(uuid.uuid5(uuid.NAMESPACE_URL, "dicodec").int)
    assert expected == IMPLEMENTATION_CLASS_UID
    assert isinstance(IMPLEMENTATION_CLASS_UID, UID)
    assert IMPLEMENTATION_CLASS_UID.is_valid
    assert len(IMPLEMENTATION_VERSION_NAME) <= 16
    assert IMPLEMENTATION_VERSION_NAME == "DICODEC_010"


def test_import_is_light() -> None:
    code = (
        "import sys, dicodec.uid as u\n"
        "heavy = {'uuid', 'hashlib', 'dataclasses', 'numpy', 'typing', 'dicodec._uid_dict',"
        " 'dicodec._dictionary', 'dicodec.datadict'}\n"
        "loaded = heavy & set(sys.modules)\n"
        "assert 'dicodec._uid_dict' not in loaded and 'dicodec._dictionary' not in loaded, loaded\n"
        "assert not loaded - {'typing'}, loaded\n"
        "u.JPEGBaseline8Bit.is_lossy; u.JPEGBaseline8Bit.name; u.JPEGBaseline8Bit.is_retired\n"
        "assert 'dicodec._uid_dict' not in sys.modules\n"
        "u.UID('1.2.840.10008.5.1.4.1.1.2').name\n"
        "assert 'dicodec._uid_dict' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=_env())
