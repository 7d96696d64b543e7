"""Value classes: dicodec.valuerep (pydicom, test-only, is the oracle where sensible)."""

from __future__ import annotations

import copy
import datetime
import math
import pickle
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dicodec import config
from dicodec.charset import DEFAULT_ENCODING
from dicodec.errors import DicodecWarning, InvalidValueError
from dicodec.valuerep import (
    DA,
    DT,
    IS,
    TM,
    DSfloat,
    MultiValue,
    PersonName,
    format_ds,
    is_valid_ds,
    is_valid_is,
    parse_da,
    parse_dt,
    parse_tm,
    validate_value,
)

pydicom = pytest.importorskip("pydicom")
pv = pydicom.valuerep


@pytest.fixture(autouse=True)
def _modes() -> Iterator[None]:
    reading, writing = (
        config.settings.reading_validation_mode,
        config.settings.writing_validation_mode,
    )
    config.settings.reading_validation_mode = config.WARN
    config.settings.writing_validation_mode = config.RAISE
    yield
    config.settings.reading_validation_mode = reading
    config.settings.writing_validation_mode = writing


def no_warnings() -> Any:
    context = warnings.catch_warnings()
    context.__enter__()
    warnings.simplefilter("error")
    return context


# ---------------------------------------------------------------- IS
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("  0001 ", 1),
        ("-42", -42),
        ("+7", 7),
        ("2147483647", 2**31 - 1),
        ("-2147483648", -(2**31)),
    ],
)
def test_is_valid_strings(text: str, value: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        number = IS(text)
    assert number == value and isinstance(number, int)
    assert str(number) == text  # written back unchanged
    assert number.original_string == text
    assert repr(number) == repr(pv.IS(text)) == f"'{value}'"
    assert hash(number) == hash(value)
    assert is_valid_is(text)


def test_is_float_like_strings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert IS("1.0") == 1 and str(IS("1.0")) == "1.0"
        assert IS(" -2.000 ") == -2
    assert not is_valid_is("1.0")
    with pytest.warns(DicodecWarning, match="VR IS: '1.5'"):
        half = IS("1.5")
    assert half == 1 and str(half) == "1.5"
    config.settings.reading_validation_mode = config.RAISE
    with pytest.raises(InvalidValueError, match="IS"):
        IS("1.5")
    IS("1.5", validation_mode=config.IGNORE)


@pytest.mark.parametrize(
    "text", ["1234567890123", "2147483648", "-2147483649", " 1e3", "1" + " " * 12]
)
def test_is_invalid_strings_warn_or_raise(text: str) -> None:
    with pytest.warns(DicodecWarning, match="Invalid value for VR IS"):
        IS(text)
    with pytest.raises(InvalidValueError):
        IS(text, validation_mode=config.RAISE)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert str(IS(text, validation_mode=config.IGNORE)) == text
    assert not is_valid_is(text)


@pytest.mark.parametrize("text", ["", "  ", "abc", "1,5", "0x10", "1_000", "١٢", "nan"])
def test_is_non_numbers_always_raise(text: str) -> None:
    with pytest.raises(InvalidValueError):
        IS(text, validation_mode=config.IGNORE)


def test_is_from_numbers() -> None:
    assert IS(5) == 5 and str(IS(5)) == "5" and IS(5).original_string is None
    assert IS(3.0) == 3
    assert IS(Decimal("4")) == 4
    with pytest.raises(InvalidValueError):
        IS(2.5)
    with pytest.warns(DicodecWarning):
        IS(2**40)
    copied = IS(IS(" 9"))
    assert str(copied) == " 9"


def test_is_equality_and_pickle() -> None:
    number = IS(" 12")
    assert number == 12 and number == 12.0 and number == "12" and number != 13
    assert number in {12}
    for clone in (pickle.loads(pickle.dumps(number)), copy.deepcopy(number), copy.copy(number)):
        assert clone == 12 and str(clone) == " 12" and type(clone) is IS


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" 0123456789+-", min_size=1, max_size=14))
def test_is_valid_is_matches_pydicom(text: str) -> None:
    text = text.rstrip(" ")
    assume(text)
    ok, _ = pv.validate_length_and_type_and_regex("IS", text)
    if ok:
        ok = -(2**31) <= int(text) < 2**31
    assert is_valid_is(text) == ok


# ---------------------------------------------------------------- DS
@pytest.mark.parametrize(
    "text", ["1", "1.5", " 1.50 ", "-.5", "+3.", "1e3", "1.0E-05", "1.0 ", "0.12345678901234"]
)
def test_ds_valid_strings(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        number = DSfloat(text)
    assert number == float(text) and isinstance(number, float)
    assert str(number) == text
    assert repr(number) == repr(pv.DSfloat(text))
    assert hash(number) == hash(float(text))
    assert is_valid_ds(text)


@pytest.mark.parametrize("text", [" nan", "inf", "1.00000000000000001", "1e400", "1.5" + " " * 14])
def test_ds_invalid_strings(text: str) -> None:
    assert is_valid_ds(text) == (text == "1e400")  # valid syntax, but too large for a float
    with pytest.warns(DicodecWarning, match="Invalid value for VR DS"):
        number = DSfloat(text)
    assert str(number) == text
    with pytest.raises(InvalidValueError):
        DSfloat(text, validation_mode=config.RAISE)


@pytest.mark.parametrize("text", ["", " ", "1,5", "abc", "1_0", "１"])
def test_ds_non_numbers_always_raise(text: str) -> None:
    with pytest.raises(InvalidValueError):
        DSfloat(text, validation_mode=config.IGNORE)


def test_ds_auto_format() -> None:
    number = DSfloat("0.333333333333333333", auto_format=True)
    assert str(number) == "0.33333333333333"
    assert number == float("0.333333333333333333")
    assert DSfloat(number).auto_format


def test_ds_from_numbers() -> None:
    assert str(DSfloat(1.5)) == "1.5"
    assert str(DSfloat(1 / 3)) == "0.33333333333333"
    assert repr(DSfloat(1 / 3)) == "'0.33333333333333'"
    assert DSfloat(1 / 3).original_string is None
    assert str(DSfloat(5)) == "5.0"
    assert str(DSfloat(Decimal("1.25"))) == "1.25"
    with pytest.warns(DicodecWarning):
        DSfloat(float("nan"))
    assert str(DSfloat(DSfloat(" 2.50"))) == " 2.50"


def test_ds_equality_and_pickle() -> None:
    number = DSfloat(" 2.50")
    assert number == 2.5 and number == "2.50" and number != 2.6
    for clone in (pickle.loads(pickle.dumps(number)), copy.deepcopy(number)):
        assert clone == 2.5 and str(clone) == " 2.50" and type(clone) is DSfloat


def test_dsdecimal() -> None:
    from dicodec import valuerep

    cls = valuerep.DSdecimal
    value = cls(" 1.10")
    assert value == Decimal("1.10") and str(value) == " 1.10" and repr(value) == "'1.10'"
    assert cls(0.1) == Decimal("0.1")
    assert str(cls(1 / 3)) == "0.33333333333333"
    with pytest.warns(DicodecWarning):
        cls("1.00000000000000001")
    with pytest.raises(InvalidValueError):
        cls("abc")
    clone = pickle.loads(pickle.dumps(value))
    assert clone == value and str(clone) == " 1.10"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" 0123456789+-.eE", min_size=1, max_size=18))
def test_is_valid_ds_matches_pydicom(text: str) -> None:
    text = text.rstrip(" ")
    assume(text)
    assert is_valid_ds(text) == pv.is_valid_ds(text)


@settings(max_examples=1000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_ds(value: float) -> None:
    text = format_ds(value)
    assert len(text) <= 16 and is_valid_ds(text)
    if len(repr(value)) <= 16:
        assert float(text) == value
    # at least as precise as pydicom's formatting
    theirs = pv.format_number_as_ds(value)
    assert abs(float(text) - value) <= abs(float(theirs) - value)
    assert str(DSfloat(value)) == text


def test_format_ds_examples() -> None:
    assert format_ds(math.pi) == "3.14159265358979"
    assert format_ds(-math.pi * 1e20) == "-3.1415926536e20"
    assert format_ds(1e-30 / 3) == "3.3333333333e-31"
    assert format_ds(1.7976931348623157e308) == "1.7976931348e308"  # rounding up would overflow
    assert format_ds(-1.7976931348623157e308) == "-1.797693134e308"
    assert format_ds(Decimal("1.10")) == "1.10"
    assert format_ds(100) == "100"
    with pytest.raises(InvalidValueError):
        format_ds(float("inf"))


# ---------------------------------------------------------------- DA / TM / DT
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20240131", datetime.date(2024, 1, 31)),
        ("2024.01.31", datetime.date(2024, 1, 31)),
        ("19000101 ", datetime.date(1900, 1, 1)),
    ],
)
def test_da(text: str, expected: datetime.date) -> None:
    value = parse_da(text)
    assert value == expected and isinstance(value, DA) and isinstance(value, datetime.date)
    assert str(value) == text and value.original_string == text
    assert repr(value) == f'"{text}"'
    assert DA(text) == pv.DA(text.strip())
    if text == text.strip():
        assert repr(value) == repr(pv.DA(text))


@pytest.mark.parametrize(
    "text", ["", "2024013", "20240231", "2024-01-31", "20241301", "abcdefgh", "２０２４０１３１"]
)
def test_da_invalid(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_da(text)


def test_da_from_objects() -> None:
    assert str(DA(datetime.date(2024, 1, 31))) == "20240131"
    assert str(DA(datetime.datetime(2024, 1, 31, 7, 0))) == "20240131"
    assert str(DA(2024, 1, 31)) == "20240131"
    assert str(DA(DA("2024.01.31"))) == "2024.01.31"
    with pytest.raises(InvalidValueError):
        DA(2024, 2, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07", datetime.time(7)),
        ("0709", datetime.time(7, 9)),
        ("070907", datetime.time(7, 9, 7)),
        ("070907.0705", datetime.time(7, 9, 7, 70500)),
        ("070907.123456", datetime.time(7, 9, 7, 123456)),
        ("070907.", datetime.time(7, 9, 7)),
        ("07:09:07.5", datetime.time(7, 9, 7, 500000)),
        ("235959 ", datetime.time(23, 59, 59)),
    ],
)
def test_tm(text: str, expected: datetime.time) -> None:
    value = parse_tm(text)
    assert value == expected and isinstance(value, TM)
    assert str(value) == text
    if ":" not in text:
        assert value == pv.TM(text.strip())


@pytest.mark.parametrize(
    "text", ["", "7", "070", "240000", "076000", "0709.5", "070907.1234567", "07090a"]
)
def test_tm_invalid(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_tm(text)


def test_tm_leap_second_and_objects() -> None:
    with pytest.warns(DicodecWarning, match="leap second"):
        assert parse_tm("235960") == datetime.time(23, 59, 59)
    assert str(TM(datetime.time(7, 9))) == "070900"
    assert str(TM(datetime.time(7, 9, 1, 5))) == "070901.000005"
    assert str(TM(7, 9)) == "070900"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", datetime.datetime(2024, 1, 1)),
        ("202402", datetime.datetime(2024, 2, 1)),
        ("20240131", datetime.datetime(2024, 1, 31)),
        ("2024013107", datetime.datetime(2024, 1, 31, 7)),
        ("20240131070907", datetime.datetime(2024, 1, 31, 7, 9, 7)),
        ("20240131070907.123456", datetime.datetime(2024, 1, 31, 7, 9, 7, 123456)),
        (
            "20240131070907.123456+0100",
            datetime.datetime(
                2024, 1, 31, 7, 9, 7, 123456, datetime.timezone(datetime.timedelta(hours=1))
            ),
        ),
        (
            "2024-0530",
            datetime.datetime(
                2024, 1, 1, tzinfo=datetime.timezone(-datetime.timedelta(hours=5, minutes=30))
            ),
        ),
    ],
)
def test_dt(text: str, expected: datetime.datetime) -> None:
    value = parse_dt(text)
    assert value == expected and value.utcoffset() == expected.utcoffset()
    assert isinstance(value, DT) and str(value) == text
    assert value == pv.DT(text)
    assert repr(value) == f'"{text}"'


@pytest.mark.parametrize(
    "text",
    ["", "202", "20240", "2024013", "20240131.5", "20241331", "20240131+01", "20240131+2500"],
)
def test_dt_invalid(text: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_dt(text)


def test_dt_from_objects_and_pickle() -> None:
    tz = datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))
    value = DT(datetime.datetime(2024, 1, 31, 7, 9, 7, 120, tz))
    assert str(value) == "20240131070907.000120-0330"
    assert parse_dt(str(value)) == value
    assert str(DT(2024, 1, 31)) == "20240131000000"
    for item in (DT("2024013107+0100"), DA("2024.01.31"), TM("0709")):
        for clone in (pickle.loads(pickle.dumps(item)), copy.deepcopy(item), copy.copy(item)):
            assert clone == item and str(clone) == str(item) and type(clone) is type(item)


# ---------------------------------------------------------------- PersonName
def test_person_name_components() -> None:
    pn = PersonName("Adams^John Robert Quincy^^Rev.^B.A. M.Div.")
    assert pn.family_name == "Adams"
    assert pn.given_name == "John Robert Quincy"
    assert pn.middle_name == ""
    assert pn.name_prefix == "Rev."
    assert pn.name_suffix == "B.A. M.Div."
    assert pn.components == ("Adams^John Robert Quincy^^Rev.^B.A. M.Div.",)
    assert pn.ideographic == pn.phonetic == ""
    assert pn.formatted("%(family_name)s, %(given_name)s") == "Adams, John Robert Quincy"
    assert pn.family_comma_given() == "Adams, John Robert Quincy"
    theirs = pv.PersonName("Adams^John Robert Quincy^^Rev.^B.A. M.Div.")
    for name in (
        "family_name",
        "given_name",
        "middle_name",
        "name_prefix",
        "name_suffix",
        "components",
    ):
        assert getattr(pn, name) == getattr(theirs, name)


def test_person_name_from_bytes_is_lazy() -> None:
    raw = b"Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B "
    pn = PersonName(raw, encodings=[DEFAULT_ENCODING, "iso2022_jp"])
    assert pn._text is None
    assert pn.original_string == raw
    assert pn.ideographic == "山田^太郎"
    assert pn.phonetic == "やまだ^たろう"
    assert str(pn) == "Yamada^Tarou=山田^太郎=やまだ^たろう"
    assert pn.encode() is raw
    assert pn.encode([DEFAULT_ENCODING, "iso2022_jp"]) is raw
    assert pn.encode(["utf-8"]) == str(pn).encode("utf-8")
    assert pn.decode() is pn


def test_person_name_trailing_groups_and_padding() -> None:
    assert (
        str(PersonName(b"Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe6\x9d\xb1= ", ["utf-8"]))
        == "Wang^XiaoDong=王^小東"
    )
    assert PersonName("A^B==").components == ("A^B",)
    assert PersonName("=B").components == ("", "B")
    assert PersonName("").components == ()


def test_person_name_behaves_like_a_string() -> None:
    pn = PersonName(b"Buc^J\xe9r\xf4me", ["latin_1"])
    assert pn == "Buc^Jérôme" and "Buc^Jérôme" == pn
    assert pn == PersonName("Buc^Jérôme") and pn != "Buc"
    assert hash(pn) == hash("Buc^Jérôme") and {pn: 1}["Buc^Jérôme"] == 1
    assert len(pn) == 10 and list(pn)[:3] == ["B", "u", "c"] and "Jé" in pn
    assert repr(pn) == "'Buc^Jérôme'" == repr(pv.PersonName("Buc^Jérôme"))
    assert bool(pn) and not PersonName("") and not PersonName(b"")
    assert pn.encode(["latin_1"]) == b"Buc^J\xe9r\xf4me"
    assert PersonName("Buc^Jérôme").encode(["latin_1"]) == b"Buc^J\xe9r\xf4me"


def test_person_name_decode_with_other_encodings() -> None:
    pn = PersonName(b"\xc4neas")
    assert str(pn) == "Äneas"
    greek = pn.decode(["iso8859_7"])
    assert str(greek) == "Δneas" and greek.original_string == b"\xc4neas"
    assert str(PersonName(pn, encodings=["iso8859_7"])) == "Δneas"
    assert str(PersonName(pn)) == "Äneas"


def test_person_name_copy_and_pickle() -> None:
    pn = PersonName(b"Hong^Gildong=\x1b$)C\xfb\xf3", [DEFAULT_ENCODING, "euc_kr"])
    for clone in (pickle.loads(pickle.dumps(pn)), copy.deepcopy(pn), copy.copy(pn)):
        assert clone == pn and clone.encode() == pn.encode() and clone.encodings == pn.encodings


def test_person_name_validation() -> None:
    long = "A" * 65
    with pytest.warns(DicodecWarning, match="VR PN"):
        PersonName(long)
    with pytest.warns(DicodecWarning, match="VR PN"):
        PersonName(long.encode())
    with pytest.raises(InvalidValueError):
        PersonName(long, validation_mode=config.RAISE)
    with pytest.warns(DicodecWarning, match="component groups"):
        PersonName("a=b=c=d" + "x" * 60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PersonName("A" * 64 + "=" + "B" * 64)


def test_from_named_components() -> None:
    pn = PersonName.from_named_components(
        family_name="Hong",
        given_name="Gildong",
        ideographic="洪^吉洞",
        phonetic="홍^길동",
        encodings=[DEFAULT_ENCODING, "euc_kr"],
    )
    assert str(pn) == "Hong^Gildong=洪^吉洞=홍^길동"
    assert pn.encode() == (
        b"Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7=\x1b$)C\xc8\xab^\x1b$)C\xb1\xe6\xb5\xbf"
    )
    kwargs = dict(
        family_name="Hong",
        given_name="Gildong",
        family_name_ideographic="洪",
        given_name_ideographic="吉洞",
        family_name_phonetic="홍",
        given_name_phonetic="길동",
    )
    ours = PersonName.from_named_components(**kwargs, encodings=[DEFAULT_ENCODING, "euc_kr"])
    theirs = pv.PersonName.from_named_components(**kwargs, encodings=["iso8859", "euc_kr"])
    assert ours == pn and str(ours) == str(theirs)
    assert ours.encode() == theirs.encode()
    simple = dict(
        family_name="Adams", given_name="John Robert Quincy", name_prefix="Rev.", name_suffix="B.A."
    )
    assert str(PersonName.from_named_components(**simple)) == str(
        pv.PersonName.from_named_components(**simple)
    )
    assert (
        str(PersonName.from_named_components(family_name=b"J\xe9", encodings=["latin_1"])) == "Jé"
    )
    with pytest.raises(InvalidValueError):
        PersonName.from_named_components(family_name="a^b")
    with pytest.raises(InvalidValueError):
        PersonName.from_named_components(ideographic="a=b")
    with pytest.raises(InvalidValueError):
        PersonName.from_named_components(ideographic="a", family_name_ideographic="b")


# ---------------------------------------------------------------- MultiValue
def test_multivalue_applies_the_constructor() -> None:
    values = MultiValue(IS, ["1", " 2"])
    values.append("3")
    values.insert(0, "0")
    values.extend(["4"])
    values += ["5"]
    values[1] = "10"
    values[2:3] = ["20", "21"]
    assert values == [0, 10, 20, 21, 3, 4, 5]
    assert all(type(v) is IS for v in values)
    assert values.type_constructor is IS
    assert isinstance(values, list)
    with pytest.raises(InvalidValueError):
        values.append("x")


@pytest.mark.parametrize(
    ("constructor", "theirs_constructor", "items"),
    [
        (IS, pv.IS, ["1", "2", "3"]),
        (DSfloat, pv.DSfloat, ["1.5", "2", "-0.25"]),
        (str, str, ["ORIGINAL", "PRIMARY"]),
        (PersonName, pv.PersonName, ["Doe^John", "Roe^Jane"]),
        (bytes, bytes, [b"a", b"b"]),
        (str, str, []),
    ],
)
def test_multivalue_str_and_repr_match_pydicom(
    constructor: Any, theirs_constructor: Any, items: list[Any]
) -> None:
    ours = MultiValue(constructor, items)
    theirs = pydicom.multival.MultiValue(theirs_constructor, items)
    assert str(ours) == str(theirs)
    assert repr(ours) == repr(theirs)


def test_multivalue_copy_and_pickle() -> None:
    values = MultiValue(DSfloat, ["1.50", "2"])
    for clone in (pickle.loads(pickle.dumps(values)), copy.deepcopy(values), copy.copy(values)):
        assert clone == values and type(clone) is MultiValue
        assert str(clone) == "[1.50, 2]"
        clone.append("3")
        assert type(clone[-1]) is DSfloat


# ---------------------------------------------------------------- validate_value
VALID = [
    ("AE", "STORESCP"),
    ("AE", "A" * 16),
    ("AS", "045Y"),
    ("CS", "ORIGINAL_1 2"),
    ("CS", "ORIGINAL "),
    ("DA", "20240131"),
    ("DA", "20240101-20240131"),
    ("DA", "-20240131"),
    ("DS", "1e3"),
    ("DS", " 1.5 "),
    ("DT", "20240131070907.123456+0100"),
    ("DT", "2024-0500"),
    ("DT", "2024-2025"),
    ("IS", "-2147483648"),
    ("LO", "x" * 64),
    ("LT", "line 1\r\nline 2\\ with backslash" + "x" * 10000),
    ("PN", "A" * 64 + "=" + "B" * 64),
    ("SH", "x" * 16),
    ("ST", "x" * 1024),
    ("TM", "070907.123456"),
    ("TM", "07-08"),
    ("UI", "1.2.840.10008.1.2.1\x00"),
    ("UC", "x" * 100000),
    ("UT", "x" * 100000),
    ("UR", "http://example.com/a?b=c"),
    ("LO", ["a", "b"]),
    ("US", 70000),  # not a string VR: not checked here
]
INVALID = [
    ("AE", "A" * 17),
    ("AE", "a\\b"),
    ("AS", "45Y"),
    ("AS", "045X"),
    ("CS", "original"),
    ("CS", "A" * 17),
    ("CS", "A" * 16 + "  "),
    ("DA", "2024.01.31"),
    ("DA", "20240231"),
    ("DA", "20240101-20240131-20240201"),
    ("DS", " nan"),
    ("DS", "1" * 17),
    ("DT", "20240131070907.1234567"),
    ("IS", "1.5"),
    ("IS", "2147483648"),
    ("LO", "x" * 65),
    ("LO", "a\nb"),
    ("LT", "x" * 10241),
    ("PN", "A" * 65),
    ("PN", "a=b=c=d"),
    ("SH", "x" * 17),
    ("ST", "x" * 1025),
    ("TM", "240000"),
    ("TM", "07:09:07"),
    ("UI", "1.02.3"),
    ("UI", "1." + "2" * 63),
    ("UR", "has space inside"),
    ("LO", ["ok", "x" * 65]),
]


@pytest.mark.parametrize(("vr", "value"), VALID)
def test_validate_value_valid(vr: str, value: Any) -> None:
    validate_value(vr, value, config.RAISE)


@pytest.mark.parametrize(("vr", "value"), INVALID)
def test_validate_value_invalid(vr: str, value: Any) -> None:
    with pytest.raises(InvalidValueError, match=f"VR {vr}"):
        validate_value(vr, value, config.RAISE)
    with pytest.warns(DicodecWarning, match=f"VR {vr}"):
        validate_value(vr, value, config.WARN)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_value(vr, value, config.IGNORE)


def test_validate_value_message_names_the_value() -> None:
    with pytest.raises(InvalidValueError, match="'original'"):
        validate_value("CS", "original", config.RAISE)


def test_validate_value_agrees_with_pydicom_on_shared_rules() -> None:
    samples = [
        v
        for v in VALID + INVALID
        if v[0] in ("AS", "CS", "DS", "IS", "UI") and isinstance(v[1], str) and "\x00" not in v[1]
    ]
    for vr, value in samples:
        ours = True
        try:
            validate_value(vr, value, config.RAISE)
        except InvalidValueError:
            ours = False
        theirs = True
        try:
            pv.validate_value(vr, value, pydicom.config.RAISE)
        except ValueError:
            theirs = False
        if vr == "IS" and theirs:
            theirs = -(2**31) <= int(value) < 2**31
        assert ours == theirs, (vr, value)


def test_validate_value_objects() -> None:
    with pytest.raises(InvalidValueError):
        validate_value("IS", IS("1.5", validation_mode=config.IGNORE), config.RAISE)
    validate_value("IS", IS("12"), config.RAISE)
    validate_value("DS", 1.5, config.RAISE)
    with pytest.raises(InvalidValueError):
        validate_value("DS", float("inf"), config.RAISE)
    validate_value("PN", PersonName("Doe^John"), config.RAISE)
    validate_value("SH", b"x" * 16, config.RAISE)
    with pytest.raises(InvalidValueError):
        validate_value("SH", b"x" * 17, config.RAISE)
    validate_value("SH", "漢" * 16, config.RAISE)
