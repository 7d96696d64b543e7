"""Tests for dicodec.datadict and the generated dictionary tables."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dicodec import datadict
from dicodec._dictionary import DICOM_DICT, REPEATING_DICT, REPEATING_KEYWORD_TAGS
from dicodec._private_dict import PRIVATE_DICT
from dicodec.datadict import (
    add_dict_entries,
    add_dict_entry,
    add_private_dict_entries,
    add_private_dict_entry,
    dictionary_description,
    dictionary_has_tag,
    dictionary_is_retired,
    dictionary_keyword,
    dictionary_VM,
    dictionary_VR,
    get_entry,
    get_private_entry,
    keyword_for_tag,
    private_dictionary_description,
    private_dictionary_VM,
    private_dictionary_VR,
    repeater_has_keyword,
    repeater_has_tag,
    tag_for_keyword,
)
from dicodec.tag import BaseTag

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO.parent / "shared" / "dictionary"
VALID_VRS = {
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD",
    "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI",
    "UL", "UN", "UR", "US", "UT", "UV", "NONE", "US or SS", "OB or OW", "US or SS or OW",
}  # fmt: skip


@pytest.fixture
def isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let a test change the dictionaries without affecting other tests."""
    datadict._load()
    datadict._keywords()
    private = datadict._private()
    monkeypatch.setattr(datadict, "_DICT", dict(datadict._DICT))
    monkeypatch.setattr(datadict, "_VR", dict(datadict._VR))
    monkeypatch.setattr(datadict, "_KEYWORDS", dict(datadict._keywords()))
    monkeypatch.setattr(datadict, "_PRIVATE", {k: dict(v) for k, v in private.items()})
    datadict._REPEATER_CACHE.clear()
    yield
    datadict._REPEATER_CACHE.clear()


# ------------------------------------------------------------ generated data


class TestGeneratedTables:
    def test_sizes(self) -> None:
        assert len(DICOM_DICT) > 5200
        assert len(REPEATING_DICT) == 88
        assert len(PRIVATE_DICT) > 100

    def test_entry_shapes(self) -> None:
        for tag, entry in DICOM_DICT.items():
            assert 0 <= tag <= 0xFFFFFFFF
            vr, vm, name, retired, keyword = entry
            assert vr in VALID_VRS, (hex(tag), vr)
            assert vm, hex(tag)
            assert name, hex(tag)
            assert isinstance(retired, bool)
            assert keyword == "" or keyword.isidentifier(), keyword

    def test_no_private_tags_in_public_dict(self) -> None:
        assert not [hex(t) for t in DICOM_DICT if (t >> 16) & 1]

    def test_keywords_unique(self) -> None:
        keywords = [e[4] for e in DICOM_DICT.values() if e[4]]
        keywords += [e[4] for e in REPEATING_DICT.values()]
        assert len(keywords) == len(set(keywords))

    def test_masks(self) -> None:
        for mask, entry in REPEATING_DICT.items():
            assert len(mask) == 8
            assert set(mask) <= set("0123456789ABCDEFx"), mask
            assert "x" in mask
            assert entry[0] in VALID_VRS
        assert "1000xxxx" not in REPEATING_DICT  # bogus merged row, dropped

    def test_repeating_keyword_tags(self) -> None:
        assert set(REPEATING_KEYWORD_TAGS) == {e[4] for e in REPEATING_DICT.values()}
        for keyword, tag in REPEATING_KEYWORD_TAGS.items():
            assert tag not in DICOM_DICT
            assert tag & 0xFFFF != 0
            assert get_entry(tag)[4] == keyword
            assert repeater_has_tag(tag)

    def test_unnamed_tags_get_names_from_keywords(self) -> None:
        assert DICOM_DICT[0x0008001D][2] == "Sensitive Content Code Sequence"
        assert DICOM_DICT[0x00102162][2] == "Ethnic Groups"
        assert DICOM_DICT[0x00100014][2] == "Third Person Pronouns Sequence"

    def test_private_table_shapes(self) -> None:
        for creator, entries in PRIVATE_DICT.items():
            assert creator
            for key, (vr, vm, name, retired) in entries.items():
                assert len(key) == 8, (creator, key)
                assert vr in VALID_VRS, (creator, key, vr)
                assert vm and name
                assert retired is False
                group = key[:4]
                assert group.endswith("xx") or int(group, 16) & 1, (creator, key)

    @pytest.mark.skipif(not SOURCE.is_dir(), reason="source tables not available")
    def test_generator_reproduces_committed_files(self, tmp_path: Path) -> None:
        subprocess.run(
            [
                sys.executable,
                str(REPO / "tools" / "gen_dictionary.py"),
                str(SOURCE),
                "--out",
                str(tmp_path),
                "-q",
            ],
            check=True,
        )
        package = REPO / "core" / "dicodec"
        for name in ("_dictionary.py", "_private_dict.py", "_uid_dict.py"):
            assert (tmp_path / name).read_text() == (package / name).read_text(), name

    def test_split_camel(self) -> None:
        spec = importlib.util.spec_from_file_location(
            "gen_dictionary", REPO / "tools" / "gen_dictionary.py"
        )
        assert spec is not None and spec.loader is not None
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
        assert (
            gen.split_camel("ParallelReductionFactorInPlane")
            == "Parallel Reduction Factor in Plane"
        )
        assert gen.split_camel("SOPClassUID") == "SOP Class UID"
        assert gen.split_camel("NumberOfFrames") == "Number of Frames"
        assert gen.split_camel("OfFirst") == "Of First"
        assert gen.split_camel("SH_ZOOM") == "SH ZOOM"
        assert gen.split_camel("Echo1Time") == "Echo 1 Time"


# ------------------------------------------------------------ public lookups


class TestGetEntry:
    def test_plain(self) -> None:
        assert get_entry(0x00100010) == ("PN", "1", "Patient's Name", False, "PatientName")
        assert get_entry(0x7FE00010)[4] == "PixelData"
        assert get_entry(0x00080040) == ("US", "1", "Data Set Type", True, "DataSetType")

    def test_any_tag_form(self) -> None:
        expected = get_entry(0x00100010)
        assert get_entry(BaseTag(0x00100010)) == expected
        assert get_entry((0x0010, 0x0010)) == expected
        assert get_entry("PatientName") == expected
        assert get_entry("(0010,0010)") == expected

    def test_unknown(self) -> None:
        with pytest.raises(KeyError, match=r"\(0011,1001\)"):
            get_entry(0x00111001)
        with pytest.raises(KeyError):
            get_entry(0x00100009)
        with pytest.raises(KeyError):
            get_entry(0x00090100)  # private, neither creator nor data element

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError):
            get_entry("NoSuchKeyword")
        with pytest.raises(TypeError):
            get_entry(1.5)  # type: ignore[arg-type]

    def test_item_tags(self) -> None:
        for tag in (0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD):
            assert dictionary_VR(tag) == "NONE"
        assert dictionary_keyword(0xFFFEE0DD) == "SequenceDelimitationItem"

    @pytest.mark.parametrize("group", [0x0008, 0x0010, 0x0009, 0x7FE0, 0x1001, 0xFFFF])
    def test_generic_group_length(self, group: int) -> None:
        assert get_entry(group << 16) == ("UL", "1", "Group Length", False, "")

    def test_named_group_lengths(self) -> None:
        assert get_entry(0x00020000)[4] == "FileMetaInformationGroupLength"
        assert get_entry(0x00000000)[4] == "CommandGroupLength"

    @pytest.mark.parametrize("tag", [0x00090010, 0x000900FF, 0x00290011, 0x7FE10010])
    def test_private_creator(self, tag: int) -> None:
        assert get_entry(tag) == ("LO", "1", "Private Creator", False, "")
        assert dictionary_VR(tag) == "LO"

    def test_private_data_elements_unknown(self) -> None:
        for tag in (0x00091001, 0x0009000F, 0x00090100, 0x7FE11010):
            assert not dictionary_has_tag(tag)
            with pytest.raises(KeyError):
                dictionary_VR(tag)

    def test_unnamed_retired(self) -> None:
        assert get_entry(0x00180061) == ("DS", "1", "Retired (unnamed)", True, "")
        assert get_entry(0x00080202) == ("UN", "1", "Retired (unnamed)", True, "")
        assert keyword_for_tag(0x00180061) == ""

    def test_edition_specific(self) -> None:
        # DCMTK 2026b values win over the older sources.
        assert dictionary_is_retired(0x00102160)  # EthnicGroup, retired in 2026b
        assert dictionary_keyword(0x003A0320) == "SummarizedFilterLookupTableSequence"
        assert dictionary_VR(0x00283006) == "US or SS or OW"


class TestRepeaters:
    @pytest.mark.parametrize(
        ("tag", "vr", "keyword", "retired"),
        [
            (0x60003000, "OB or OW", "OverlayData", False),
            (0x60023000, "OB or OW", "OverlayData", False),
            (0x601E3000, "OB or OW", "OverlayData", False),
            (0x60FE0010, "US", "OverlayRows", False),
            (0x60020050, "SS", "OverlayOrigin", False),
            (0x50043000, "OB or OW", "CurveData", True),
            (0x50002600, "SQ", "CurveReferencedOverlaySequence", True),
            (0x7F020010, "OB or OW", "VariablePixelData", True),
            (0x7F000011, "US", "VariableNextDataGroup", True),
            (0x00203105, "CS", "SourceImageIDs", True),
            (0x00280410, "US", "RowsForNthOrderCoefficients", True),
            (0x002804F1, "US", "ColumnsForNthOrderCoefficients", True),
            (0x00280813, "AT", "CodeTableLocation", True),
            (0x00280808, "AT", "ImageDataLocation", True),
            (0x10000010, "US", "EscapeTriplet", True),
            (0x1000ABC3, "US", "HuffmanTableTriplet", True),
            (0x10000005, "US", "ShiftTableTriplet", True),
            (0x10101234, "US", "ZonalMap", True),
        ],
    )
    def test_masks(self, tag: int, vr: str, keyword: str, retired: bool) -> None:
        entry = get_entry(tag)
        assert entry[0] == vr
        assert entry[4] == keyword
        assert entry[3] is retired
        assert dictionary_VR(tag) == vr
        assert dictionary_VR(tag) == vr  # cached
        assert repeater_has_tag(tag)
        assert keyword_for_tag(tag) == keyword

    def test_exact_entry_wins_over_mask(self) -> None:
        # (0028,0400) lies inside (0028,04x0) but is Transform Label.
        assert dictionary_keyword(0x00280400) == "TransformLabel"
        assert not repeater_has_tag(0x00280400)
        # (7FE0,0010) lies inside (7Fxx,0010) but is Pixel Data.
        assert dictionary_keyword(0x7FE00010) == "PixelData"
        assert dictionary_VR(0x7FE00010) == "OB or OW"
        assert not repeater_has_tag(0x7FE00010)

    def test_odd_groups_are_private_not_repeaters(self) -> None:
        for tag in (0x60013000, 0x50033000, 0x60FF1500):
            assert not repeater_has_tag(tag)
            with pytest.raises(KeyError):
                dictionary_VR(tag)
        # (7F01,0010) would be Variable Pixel Data if odd groups matched; it is
        # a private creator element instead.
        assert not repeater_has_tag(0x7F010010)
        assert dictionary_description(0x7F010010) == "Private Creator"

    def test_not_matching(self) -> None:
        assert not repeater_has_tag(0x10000006)  # (1000,xxx6) is not defined
        assert not dictionary_has_tag(0x10000006)
        assert not repeater_has_tag(0x61003000)
        assert not repeater_has_tag(0x00100010)

    def test_keywords(self) -> None:
        assert tag_for_keyword("OverlayData") == 0x60003000
        assert tag_for_keyword("CurveData") == 0x50003000
        assert tag_for_keyword("VariablePixelData") == 0x7F000010
        assert tag_for_keyword("EscapeTriplet") == 0x10000010
        assert tag_for_keyword("ZonalMap") == 0x10100004
        assert tag_for_keyword("RowsForNthOrderCoefficients") == 0x00280410
        assert repeater_has_keyword("OverlayData")
        assert repeater_has_keyword("SourceImageIDs")
        assert not repeater_has_keyword("PatientName")
        assert not repeater_has_keyword("NoSuchKeyword")


class TestSmallFunctions:
    def test_has_tag(self) -> None:
        assert dictionary_has_tag(0x00100010)
        assert dictionary_has_tag("PatientName")
        assert dictionary_has_tag(0x60023000)
        assert dictionary_has_tag(0x00080000)
        assert not dictionary_has_tag(0x00100009)

    def test_vr_vm_description_keyword_retired(self) -> None:
        assert dictionary_VR(0x00280106) == "US or SS"
        assert dictionary_VR("LUTData") == "US or SS or OW"
        assert dictionary_VM(0x00080008) == "2-n"
        assert dictionary_description(0x00100010) == "Patient's Name"
        assert dictionary_keyword(0x00100020) == "PatientID"
        assert dictionary_is_retired(0x00080040) is True
        assert dictionary_is_retired(0x00100010) is False
        for func in (
            dictionary_VR,
            dictionary_VM,
            dictionary_description,
            dictionary_keyword,
            dictionary_is_retired,
        ):
            with pytest.raises(KeyError):
                func(0x00100009)

    def test_dictionary_vr_forms(self) -> None:
        assert dictionary_VR(BaseTag(0x00100010)) == "PN"
        assert dictionary_VR((0x0010, 0x0010)) == "PN"
        assert dictionary_VR([0x0010, 0x0010]) == "PN"  # type: ignore[arg-type]
        assert dictionary_VR("PatientName") == "PN"
        with pytest.raises(TypeError):
            dictionary_VR(0x00100010 * 1.0)  # type: ignore[arg-type]

    def test_keyword_for_tag(self) -> None:
        assert keyword_for_tag(0x00100010) == "PatientName"
        assert keyword_for_tag(0x00091001) == ""
        assert keyword_for_tag(0x00100009) == ""
        assert keyword_for_tag(0x00080000) == ""
        assert keyword_for_tag("NoSuchKeyword") == ""

    def test_tag_for_keyword(self) -> None:
        assert tag_for_keyword("PatientName") == 0x00100010
        assert tag_for_keyword("PixelData") == 0x7FE00010
        assert tag_for_keyword("NoSuchKeyword") is None
        assert tag_for_keyword("") is None
        assert tag_for_keyword("patientname") is None

    def test_every_keyword_round_trips(self) -> None:
        for tag, entry in DICOM_DICT.items():
            if entry[4]:
                assert tag_for_keyword(entry[4]) == tag
                assert keyword_for_tag(tag) == entry[4]
                assert dictionary_VR(tag) == entry[0]


# ----------------------------------------------------------- private lookups


class TestPrivate:
    def test_lookup(self) -> None:
        assert get_private_entry(0x00091001, "GEMS_IDEN_01") == ("LO", "1", "Full Fidelity", False)
        assert private_dictionary_VR(0x00091001, "GEMS_IDEN_01") == "LO"
        assert private_dictionary_VM(0x00091001, "GEMS_IDEN_01") == "1"
        assert private_dictionary_description(0x00091001, "GEMS_IDEN_01") == "Full Fidelity"

    def test_block_is_ignored(self) -> None:
        expected = get_private_entry(0x00091001, "GEMS_IDEN_01")
        for tag in (0x00091101, 0x00094F01, 0x0009FF01):
            assert get_private_entry(tag, "GEMS_IDEN_01") == expected

    def test_tag_forms(self) -> None:
        expected = get_private_entry(0x00091001, "GEMS_IDEN_01")
        assert get_private_entry((0x0009, 0x1001), "GEMS_IDEN_01") == expected
        assert get_private_entry("(0009,1001)", "GEMS_IDEN_01") == expected

    def test_creator_padding(self) -> None:
        assert private_dictionary_VR(0x00091001, "GEMS_IDEN_01 ") == "LO"

    def test_fixed_block_entries(self) -> None:
        # PHILIPS MR/PART reuses low bytes in blocks 10, 11 and 12.
        creator = "PHILIPS MR/PART"
        assert private_dictionary_description(0x00191000, creator) == "Field of View"
        assert private_dictionary_description(0x00191100, creator) == "Number of Stacks"
        assert private_dictionary_description(0x001912E0, creator) == "Prepulse Type"
        assert private_dictionary_description(0x001910E0, creator) == "Percentage of Scan Completed"
        with pytest.raises(KeyError):
            get_private_entry(0x00191300, creator)
        # Entries in a single block are still block-agnostic.
        assert private_dictionary_description(0x00191008, creator) == "Patient Position"
        assert private_dictionary_description(0x00191308, creator) == "Patient Position"
        # Identical entries in two blocks collapse to one block-agnostic entry.
        assert private_dictionary_description(0x0019150B, creator) == "LR Offcenter"

    def test_four_digit_elements(self) -> None:
        assert get_private_entry(0x00251010, "CMR42 CIRCLECVI")[2] == "Workspace ID"
        assert get_private_entry(0x00291010, "OCULUS Optikgeraete GmbH")[0] == "OB"

    def test_group_ranges(self) -> None:
        for group in (0x6001, 0x6003, 0x60FF):
            assert (
                private_dictionary_description((group << 16) | 0x1010, "PAPYRUS 3.0")
                == "Overlay Rows"
            )
        assert private_dictionary_VR(0x70011004, "DLX_ANNOT_01") == "ST"
        assert private_dictionary_VR(0x70FF1005, "DLX_ANNOT_01") == "IS"

    def test_pseudo_vrs(self) -> None:
        assert private_dictionary_VR(0x7FE11010, "SPI-P Release 1") == "OB or OW"
        assert private_dictionary_VR(0x7FE11060, "GEMS_Ultrasound_MovieGroup_001") == "OB or OW"

    def test_line_without_version_field(self) -> None:
        assert private_dictionary_VR(0x004110B3, "PAPYRUS") == "UL"
        assert private_dictionary_VM(0x004110B3, "PAPYRUS") == "1-n"

    def test_unknown(self) -> None:
        with pytest.raises(KeyError, match="creator"):
            get_private_entry(0x00091001, "NO SUCH CREATOR")
        with pytest.raises(KeyError):
            get_private_entry(0x000910FE, "GEMS_IDEN_01")
        with pytest.raises(KeyError):
            private_dictionary_VR(0x000910FE, "GEMS_IDEN_01")


# ------------------------------------------------------------------ updating


@pytest.mark.usefixtures("isolated")
class TestAdd:
    def test_add_dict_entry(self) -> None:
        assert not dictionary_has_tag(0x00F20010)
        add_dict_entry(0x00F20010, "LO", "DicodecTestOne", "Dicodec Test One", VM="1-n")
        assert get_entry(0x00F20010) == ("LO", "1-n", "Dicodec Test One", False, "DicodecTestOne")
        assert dictionary_VR(0x00F20010) == "LO"
        assert tag_for_keyword("DicodecTestOne") == 0x00F20010
        assert BaseTag(0x00F20010) == "DicodecTestOne"

    def test_add_overrides_vr_cache(self) -> None:
        assert dictionary_VR(0x00100010) == "PN"
        add_dict_entry(0x00100010, "LO", "PatientName", "Patient's Name")
        assert dictionary_VR(0x00100010) == "LO"

    def test_replacing_keyword(self) -> None:
        add_dict_entry(0x00F20012, "UL", "DicodecOld", "Old")
        add_dict_entry(0x00F20012, "UL", "DicodecNew", "New", is_retired=True)
        assert tag_for_keyword("DicodecOld") is None
        assert tag_for_keyword("DicodecNew") == 0x00F20012
        assert dictionary_is_retired(0x00F20012)

    def test_add_inside_repeating_group(self) -> None:
        assert dictionary_keyword(0x60023000) == "OverlayData"
        add_dict_entry(0x60023000, "OW", "DicodecOverlayTwo", "Overlay Two")
        assert dictionary_VR(0x60023000) == "OW"
        assert dictionary_keyword(0x60043000) == "OverlayData"

    def test_add_dict_entries(self) -> None:
        add_dict_entries(
            {
                0x00F20020: ("US", "1", "Dicodec A", False, "DicodecA"),
                (0x00F2, 0x0021): ("SS", "2", "Dicodec B", True, "DicodecB"),
            }
        )
        assert dictionary_VR("DicodecA") == "US"
        assert get_entry(0x00F20021) == ("SS", "2", "Dicodec B", True, "DicodecB")

    def test_private_rejected(self) -> None:
        with pytest.raises(ValueError, match="private"):
            add_dict_entry(0x00F11010, "LO", "DicodecPriv", "Private")
        with pytest.raises(ValueError):
            add_dict_entries(
                {
                    0x00F20030: ("US", "1", "Dicodec C", False, "DicodecC"),
                    0x00F11010: ("US", "1", "Dicodec D", False, "DicodecD"),
                }
            )
        assert not dictionary_has_tag(0x00F20030)

    def test_add_private_dict_entry(self) -> None:
        add_private_dict_entry("DICODEC TEST", 0x00111001, "DS", "Test Value", VM="1-n")
        assert get_private_entry(0x00111001, "DICODEC TEST") == ("DS", "1-n", "Test Value", False)
        assert private_dictionary_VR(0x00112201, "DICODEC TEST") == "DS"

    def test_add_private_dict_entries(self) -> None:
        add_private_dict_entries(
            "GEMS_IDEN_01",
            {
                0x000910FE: ("UL", "1", "Dicodec Extra", False),
                "0009xxFD": ("SS", "2", "Mask Form", False),
            },
        )
        assert private_dictionary_description(0x000911FE, "GEMS_IDEN_01") == "Dicodec Extra"
        assert private_dictionary_VM(0x000910FD, "GEMS_IDEN_01") == "2"
        # existing entries are kept
        assert private_dictionary_VR(0x00091001, "GEMS_IDEN_01") == "LO"

    def test_add_private_errors(self) -> None:
        with pytest.raises(ValueError, match="not a private tag"):
            add_private_dict_entry("DICODEC TEST", 0x00101001, "DS", "Public")
        with pytest.raises(ValueError):
            add_private_dict_entry("DICODEC TEST", "0009x001", "DS", "Bad mask")
        with pytest.raises(ValueError):
            add_private_dict_entry("DICODEC TEST", "0009xxx1", "DS", "Bad mask")


# ------------------------------------------------------- pydicom as an oracle

# Tags where the 2026b-based table knowingly differs from pydicom 3.0.2
# (tag -> (our VR, our keyword, pydicom VR, pydicom keyword)).
KNOWN_DIFFERENCES = {
    # No VR in PS3.6 (retired, blank rows): we say UN, pydicom says OB.
    0x00080202: ("UN", "", "OB", ""),
    0x00189445: ("UN", "", "OB", ""),
    0x00280020: ("UN", "", "OB", ""),
    # DCMTK 2026b gives LUT Data the VR "US or SS or OW".
    0x00283006: ("US or SS or OW", "LUTData", "US or OW", "LUTData"),
    # Keywords gained a "...Sequence" suffix in a later edition.
    0x003A0320: ("SQ", "SummarizedFilterLookupTableSequence", "SQ", "SummarizedFilterLookupTable"),
    0x003A0325: ("SQ", "AnalogFilterTypeCodeSequence", "SQ", "AnalogFilterType"),
}


class TestAgainstPydicom:
    def test_public_dictionary(self) -> None:
        pydicom_dict = pytest.importorskip("pydicom._dicom_dict")
        theirs = pydicom_dict.DicomDictionary
        common = [t for t in DICOM_DICT if t in theirs]
        assert len(common) > 5000
        differences = {}
        for tag in common:
            ours = DICOM_DICT[tag]
            other = theirs[tag]
            if (ours[0], ours[4]) != (other[0], other[4]):
                differences[tag] = (ours[0], ours[4], other[0], other[4])
        print(f"{len(common)} common tags, {len(differences)} known differences")
        assert differences == KNOWN_DIFFERENCES
        # Every pydicom tag is known here as well.
        assert not [hex(t) for t in theirs if not dictionary_has_tag(t)]

    def test_repeaters(self) -> None:
        pydicom_dict = pytest.importorskip("pydicom._dicom_dict")
        theirs = pydicom_dict.RepeatersDictionary
        assert set(theirs) == set(REPEATING_DICT)
        for mask, entry in REPEATING_DICT.items():
            assert (entry[0], entry[4]) == (theirs[mask][0], theirs[mask][4]), mask

    def test_public_api_agrees(self) -> None:
        pd = pytest.importorskip("pydicom.datadict")
        for tag in (
            0x00100010,
            0x60023000,
            0x50043000,
            0x7F020010,
            0x00280106,
            0x7FE00010,
            0x00203105,
        ):
            assert dictionary_VR(tag) == pd.dictionary_VR(tag)
            assert keyword_for_tag(tag) == pd.keyword_for_tag(tag)
        for keyword in ("PatientName", "PixelData", "ReferencedSOPInstanceUID", "SOPClassUID"):
            assert tag_for_keyword(keyword) == pd.tag_for_keyword(keyword)
