"""Tests for dicodec.tag."""

from __future__ import annotations

import pickle

import pytest

from dicodec.errors import DicodecError, InvalidValueError
from dicodec.tag import (
    BaseTag,
    ItemDelimiterTag,
    ItemTag,
    SequenceDelimiterTag,
    Tag,
    TagLike,
    TagType,
)


class TestBaseTag:
    def test_is_int(self) -> None:
        t = BaseTag(0x00100010)
        assert isinstance(t, int)
        assert int(t) == 0x00100010
        assert type(int(t)) is int

    def test_group_element(self) -> None:
        t = BaseTag(0x7FE00010)
        assert t.group == 0x7FE0
        assert t.element == 0x0010
        assert t.elem == 0x0010
        assert type(t.group) is int
        assert type(t.element) is int

    def test_str_repr(self) -> None:
        t = BaseTag(0x7FE0000A)
        assert str(t) == "(7FE0,000A)"
        assert repr(t) == "(7FE0,000A)"
        assert f"{t}" == "(7FE0,000A)"
        assert f"{t:08X}" == "7FE0000A"
        assert f"{t:#x}" == "0x7fe0000a"
        assert str(BaseTag(0)) == "(0000,0000)"
        assert str(BaseTag(0xFFFFFFFF)) == "(FFFF,FFFF)"

    def test_json_key(self) -> None:
        assert BaseTag(0x00100010).json_key == "00100010"
        assert BaseTag(0x7FE0000A).json_key == "7FE0000A"
        assert BaseTag(0x1).json_key == "00000001"

    @pytest.mark.parametrize(
        ("value", "private", "creator"),
        [
            (0x00100010, False, False),
            (0x00090010, True, True),
            (0x000900FF, True, True),
            (0x0009000F, True, False),
            (0x00090100, True, False),
            (0x00091001, True, False),
            (0x00110000, True, False),
            (0xFFFEE000, False, False),
        ],
    )
    def test_private_flags(self, value: int, private: bool, creator: bool) -> None:
        t = BaseTag(value)
        assert t.is_private is private
        assert t.is_private_creator is creator

    def test_private_creator(self) -> None:
        assert BaseTag(0x00091001).private_creator == 0x00090010
        assert BaseTag(0x0009FF01).private_creator == 0x000900FF
        assert BaseTag(0x00291120).private_creator == 0x00290011
        assert isinstance(BaseTag(0x00091001).private_creator, BaseTag)

    def test_private_creator_of_public_tag_raises(self) -> None:
        with pytest.raises(ValueError, match="not a private tag"):
            _ = BaseTag(0x00101001).private_creator
        with pytest.raises(DicodecError):
            _ = BaseTag(0x00101001).private_creator

    def test_is_group_length(self) -> None:
        assert BaseTag(0x00080000).is_group_length
        assert not BaseTag(0x00080001).is_group_length

    def test_equality_and_hash(self) -> None:
        t = BaseTag(0x00100010)
        assert t == 0x00100010
        assert 0x00100010 == t
        assert t == BaseTag(0x00100010)
        assert hash(t) == hash(0x00100010)
        assert {t: 1}[0x00100010] == 1
        assert {0x00100010: 1}[t] == 1
        assert t != 0x00100020
        assert not (t != 0x00100010)

    def test_compare_with_tuple(self) -> None:
        t = Tag(0x00100010)
        assert t == (0x10, 0x10)
        assert t == [0x10, 0x10]
        assert (0x10, 0x10) == t
        assert t != (0x10, 0x20)
        assert not (t != (0x10, 0x10))
        assert t < (0x10, 0x20)
        assert t <= (0x10, 0x10)
        assert t > (0x08, 0xFFFF)
        assert t >= (0x10, 0x10)
        assert not (t < (0x10, 0x10))

    def test_compare_with_keyword_and_hex(self) -> None:
        t = Tag(0x00100010)
        assert t == "PatientName"
        assert t != "PatientID"
        assert t == "(0010,0010)"
        assert t == "0x00100010"
        assert t < "PatientID"

    def test_compare_with_unrelated(self) -> None:
        t = Tag(0x00100010)
        assert t != "NotAKeywordAtAll"
        assert not (t == "NotAKeywordAtAll")
        assert t != (1, 2, 3)
        assert t != object()
        assert t != None  # noqa: E711
        with pytest.raises(TypeError):
            _ = t < object()
        with pytest.raises(TypeError):
            _ = t < "NotAKeywordAtAll"

    def test_sorting(self) -> None:
        tags = [BaseTag(0x7FE00010), BaseTag(0x00080016), BaseTag(0x00100010)]
        assert sorted(tags) == [0x00080016, 0x00100010, 0x7FE00010]

    def test_arithmetic_gives_plain_int(self) -> None:
        t = BaseTag(0x00100010)
        assert type(t + 1) is int
        assert t + 1 == 0x00100011

    def test_pickle(self) -> None:
        t = BaseTag(0x00100010)
        u = pickle.loads(pickle.dumps(t))
        assert type(u) is BaseTag
        assert u == t


class TestTag:
    def test_int(self) -> None:
        t = Tag(0x00100010)
        assert type(t) is BaseTag
        assert t == 0x00100010
        assert Tag(0) == 0
        assert Tag(0xFFFFFFFF) == 0xFFFFFFFF

    def test_basetag_returned_as_is(self) -> None:
        t = BaseTag(0x00100010)
        assert Tag(t) is t

    def test_two_ints(self) -> None:
        assert Tag(0x0010, 0x0010) == 0x00100010
        assert Tag(0xFFFF, 0xFFFF) == 0xFFFFFFFF
        assert Tag(0, 0) == 0

    def test_tuple_and_list(self) -> None:
        assert Tag((0x0028, 0x0010)) == 0x00280010
        assert Tag([0x7FE0, 0x0010]) == 0x7FE00010
        assert Tag(("0x0028", "0010")) == 0x00280010

    def test_keyword(self) -> None:
        assert Tag("PatientName") == 0x00100010
        assert Tag("PixelData") == 0x7FE00010
        assert Tag("  PatientID ") == 0x00100020

    def test_repeater_keyword(self) -> None:
        assert Tag("OverlayData") == 0x60003000
        assert Tag("CurveData") == 0x50003000

    @pytest.mark.parametrize(
        "text",
        [
            "0x00100010",
            "0X00100010",
            "00100010",
            "(0010,0010)",
            "0010,0010",
            "(0010, 0010)",
            "0x100010",
        ],
    )
    def test_hex_strings(self, text: str) -> None:
        assert Tag(text) == 0x00100010

    def test_hex_lower_case(self) -> None:
        assert Tag("7fe00010") == 0x7FE00010
        assert Tag("(7fe0,0010)") == 0x7FE00010

    def test_other_int_like(self) -> None:
        class Index:
            def __index__(self) -> int:
                return 0x00100010

        assert Tag(Index()) == 0x00100010  # type: ignore[arg-type]

        class MyInt(int):
            pass

        t = Tag(MyInt(0x00100010))
        assert type(t) is BaseTag
        assert t == 0x00100010

    @pytest.mark.parametrize(
        "bad",
        [-1, 0x100000000, 2**40],
    )
    def test_int_out_of_range(self, bad: int) -> None:
        with pytest.raises(ValueError, match="range"):
            Tag(bad)
        with pytest.raises(InvalidValueError):
            Tag(bad)

    @pytest.mark.parametrize(
        ("group", "elem"),
        [(-1, 0), (0, -1), (0x10000, 0), (0, 0x10000)],
    )
    def test_pair_out_of_range(self, group: int, elem: int) -> None:
        with pytest.raises(ValueError, match="range"):
            Tag(group, elem)
        with pytest.raises(ValueError, match="range"):
            Tag((group, elem))

    def test_unknown_keyword(self) -> None:
        with pytest.raises(ValueError, match="NotAKeyword"):
            Tag("NotAKeyword")
        with pytest.raises(InvalidValueError):
            Tag("NotAKeyword")

    @pytest.mark.parametrize(
        "bad",
        [
            "",
            "   ",
            "()",
            "0x",
            "(0010,)",
            "(,0010)",
            "(00100,0010)",
            "0x123456789",
            "1234",
            "ABCDEF",
            "(0010,00G0)",
        ],
    )
    def test_bad_strings(self, bad: str) -> None:
        with pytest.raises(ValueError):
            Tag(bad)

    def test_wrong_length_sequence(self) -> None:
        with pytest.raises(ValueError, match="group, element"):
            Tag((1, 2, 3))  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            Tag([])

    @pytest.mark.parametrize("bad", [1.5, None, b"00100010", {0x10: 0x10}, object()])
    def test_wrong_types(self, bad: object) -> None:
        with pytest.raises(TypeError):
            Tag(bad)  # type: ignore[arg-type]

    def test_wrong_types_in_pair(self) -> None:
        with pytest.raises(TypeError):
            Tag((1.0, 2))  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Tag(0x10, 1.5)  # type: ignore[arg-type]

    def test_import_does_not_load_dictionary(self) -> None:
        import subprocess
        import sys

        code = (
            "import sys, dicodec.tag, dicodec.uid\n"
            "t = dicodec.tag.Tag(0x00100010); dicodec.tag.Tag('0x00100010')\n"
            "assert 'dicodec._dictionary' not in sys.modules, 'dictionary loaded'\n"
            "assert 'dicodec._uid_dict' not in sys.modules, 'uid registry loaded'\n"
            "dicodec.uid.ImplicitVRLittleEndian.is_implicit_VR\n"
            "dicodec.uid.ImplicitVRLittleEndian.name\n"
            "assert 'dicodec._uid_dict' not in sys.modules, 'uid registry loaded by a TS'\n"
            "assert 'dicodec.datadict' not in sys.modules, 'datadict imported'\n"
            "assert 'numpy' not in sys.modules, 'numpy imported'\n"
            "dicodec.tag.Tag('PatientName')\n"
            "assert 'dicodec._dictionary' in sys.modules\n"
        )
        subprocess.run([sys.executable, "-c", code], check=True, env=_env())


def _env() -> dict[str, str]:
    import os
    from pathlib import Path

    import dicodec

    env = dict(os.environ)
    root = str(Path(next(iter(dicodec.__path__))).parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_constants() -> None:
    assert ItemTag == 0xFFFEE000
    assert ItemDelimiterTag == 0xFFFEE00D
    assert SequenceDelimiterTag == 0xFFFEE0DD
    for t in (ItemTag, ItemDelimiterTag, SequenceDelimiterTag):
        assert type(t) is BaseTag
    assert str(ItemTag) == "(FFFE,E000)"


def test_aliases() -> None:
    assert TagType is BaseTag
    assert set(TagLike.__args__) == {int, tuple[int, int], str}
