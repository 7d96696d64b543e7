"""Python classes for DICOM value representations.

* :class:`PersonName` - a PN value, decoded lazily from its raw bytes.
* :class:`DA`, :class:`DT`, :class:`TM` - :mod:`datetime` subclasses that keep
  the DICOM string they were parsed from; :func:`parse_da`, :func:`parse_dt`,
  :func:`parse_tm` build them.
* :class:`IS`, :class:`DSfloat` and :class:`DSdecimal` - numbers that keep
  their original string so that values read from a file are written back
  unchanged; :func:`format_ds` gives a valid DS string for any finite float.
* :class:`MultiValue` - the list type of multi-valued elements.
* :func:`validate_value` - checks a value against its VR (lengths, characters).

Construction from strings read from a file uses
``settings.reading_validation_mode`` unless a ``validation_mode`` is given:
``IGNORE`` accepts invalid values silently, ``WARN`` issues a
:class:`~dicodec.errors.DicodecWarning`, ``RAISE`` raises
:class:`~dicodec.errors.InvalidValueError`.

Examples
--------
>>> from dicodec.valuerep import IS, DSfloat, PersonName
>>> IS("  0001 ") + 1
2
>>> str(IS("  0001 "))
'  0001 '
>>> DSfloat("1.50") == 1.5
True
>>> PersonName("Adams^John").given_name
'John'
"""

from __future__ import annotations

import datetime
import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, SupportsIndex, TypeVar, overload

from dicodec import config
from dicodec.charset import DEFAULT_ENCODING, PN_DELIMITERS, decode_bytes, encode_string
from dicodec.errors import DicodecWarning, InvalidValueError

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = [
    "DA",
    "DT",
    "IS",
    "TM",
    "DSdecimal",
    "DSfloat",
    "MultiValue",
    "PersonName",
    "format_ds",
    "is_valid_ds",
    "is_valid_is",
    "parse_da",
    "parse_dt",
    "parse_tm",
    "validate_value",
]

T = TypeVar("T")

_IS_MIN = -(2**31)
_IS_MAX = 2**31 - 1


def _warn(message: str, stacklevel: int = 3) -> None:
    warnings.warn(message, DicodecWarning, stacklevel=stacklevel)


def _report(message: str, mode: int, stacklevel: int = 4) -> None:
    """Warn or raise `message` according to the validation `mode`."""
    if mode == config.RAISE:
        raise InvalidValueError(message)
    if mode == config.WARN:
        _warn(message, stacklevel)


# ---------------------------------------------------------------------------
# regular expressions (compiled on first use)
# ---------------------------------------------------------------------------

_DS_PATTERN = r" *[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)? *"
_IS_PATTERN = r" *[+-]?[0-9]+ *"
_regex_cache: dict[str, re.Pattern[str]] = {}
_IS_CHARS = frozenset("0123456789+- ")
_DS_CHARS = frozenset("0123456789+-.eE ")


def _regex(pattern: str) -> re.Pattern[str]:
    compiled = _regex_cache.get(pattern)
    if compiled is None:
        compiled = _regex_cache[pattern] = re.compile(pattern)
    return compiled


# ---------------------------------------------------------------------------
# IS, DS
# ---------------------------------------------------------------------------


def is_valid_is(s: str) -> bool:
    """Return whether `s` is a valid Integer String (PS3.5 Table 6.2-1).

    At most 12 characters (spaces included), an optionally
    signed decimal integer with optional leading/trailing spaces, in
    [-2**31, 2**31 - 1]. ``"1.0"`` is *not* valid (though :class:`IS`
    accepts it).

    Parameters
    ----------
    s : str
        The string to check.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_valid_is(" -42 "), is_valid_is("1.0"), is_valid_is("4294967296")
    (True, False, False)
    """
    if len(s) > 12 or not _regex(_IS_PATTERN).fullmatch(s):
        return False
    return _IS_MIN <= int(s) <= _IS_MAX


def is_valid_ds(s: str) -> bool:
    """Return whether `s` is a valid Decimal String (PS3.5 Table 6.2-1).

    At most 16 characters (spaces included), a fixed or
    floating point number (``"1"``, ``"-.5"``, ``"1e3"``, ``"1.0E-05"``) with
    optional leading/trailing spaces. ``nan`` and ``inf`` are not valid.

    Parameters
    ----------
    s : str
        The string to check.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_valid_ds("1e3"), is_valid_ds("1.0 "), is_valid_ds(" nan")
    (True, True, False)
    """
    return len(s) <= 16 and _regex(_DS_PATTERN).fullmatch(s) is not None


def _compact_exponent(text: str) -> str:
    """'1.5e+07' -> '1.5e7', '2e-05' -> '2e-5'."""
    mantissa, sep, exponent = text.partition("e")
    if not sep:
        return text
    sign = "-" if exponent.startswith("-") else ""
    digits = exponent.lstrip("+-").lstrip("0") or "0"
    return f"{mantissa}e{sign}{digits}"


def format_ds(value: float | int | Decimal) -> str:
    """Return the most precise valid DS string for `value` (at most 16 chars).

    The shortest string that reads back as the same float is used when it
    fits; otherwise the value is rounded to as many significant digits as fit
    in 16 characters, in fixed or scientific notation, whichever keeps more.

    Parameters
    ----------
    value : float, int or Decimal
        A finite number.

    Returns
    -------
    str
        A valid Decimal String.

    Raises
    ------
    InvalidValueError
        If `value` is infinite or NaN.

    Examples
    --------
    >>> format_ds(1.5)
    '1.5'
    >>> format_ds(1 / 3)
    '0.33333333333333'
    >>> format_ds(-1.2345678901234567e-20)
    '-1.23456789e-20'
    >>> format_ds(123456789.123456789)
    '123456789.123457'
    """
    number = float(value)
    if not math.isfinite(number):
        raise InvalidValueError(f"{value!r} cannot be written as a DICOM decimal string (DS)")
    if not isinstance(value, float):
        # int or Decimal: their own form if it fits and is valid (not str(),
        # which IS / DSdecimal override)
        if isinstance(value, int):
            text = int.__repr__(value)
        else:
            from decimal import Decimal

            text = Decimal.__str__(value)
        if len(text) <= 16 and is_valid_ds(text):
            return text
    text = repr(number)
    if len(text) <= 16:
        return text
    text = _compact_exponent(text)
    if len(text) <= 16:
        return text
    for digits in range(16, 0, -1):
        general = _compact_exponent(f"{number:.{digits}g}")
        if len(general) <= 16:
            break
        general = _strip_mantissa(f"{number:.{digits - 1}e}")
        if len(general) <= 16:
            break
    if math.isfinite(float(general)):
        return general
    # rounding up overflowed (numbers next to the largest float): truncate
    mantissa, _, exponent = f"{number:.16e}".partition("e")
    exponent = _compact_exponent("1e" + exponent)[1:]
    return _strip_mantissa(mantissa[: 16 - len(exponent)] + exponent)


def _strip_mantissa(text: str) -> str:
    """'1.2300e+05' -> '1.23e5'."""
    mantissa, _, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return _compact_exponent(f"{mantissa}e{exponent}")


class IS(int):
    """An Integer String (IS) value: an :class:`int` that keeps its string.

    Parameters
    ----------
    value : str, int, float or Decimal
        A DICOM IS string (leading/trailing spaces allowed), or a number with
        an integral value.
    validation_mode : int, optional
        What to do with an invalid string (too long, out of range, not an
        integer such as ``"1.5"``); default ``settings.reading_validation_mode``.
        In ``WARN``/``IGNORE`` mode such a value is kept (``"1.5"`` has the
        value 1 and is written back as ``"1.5"``). A string that is not a
        number at all always raises :class:`~dicodec.errors.InvalidValueError`,
        as does a blank string (keep blank values as ``""``).

    Attributes
    ----------
    original_string : str or None
        The string the value was made from, exactly (written back as is).

    Notes
    -----
    ``"1.0"``, ``"-2.000"`` and the like are accepted without a warning: they
    are common in real files and the value is unambiguous. Equality and hash
    are those of the integer; a string compares equal to the value's string.

    Examples
    --------
    >>> IS("  0001 ") == 1
    True
    >>> str(IS("  0001 "))
    '  0001 '
    >>> repr(IS(" 12"))
    "'12'"
    >>> IS("1.0")
    '1'
    """

    original_string: str | None = None

    def __new__(cls, value: str | int | float | Decimal, validation_mode: int | None = None) -> IS:
        if isinstance(value, str):
            # fast path: only digits, signs and spaces, int() accepts it, fits
            if len(value) <= 12 and _IS_CHARS.issuperset(value):
                try:
                    number = int(value)
                except ValueError:
                    pass
                else:
                    if _IS_MIN <= number <= _IS_MAX:
                        obj = int.__new__(cls, number)
                        obj.original_string = value
                        return obj
            return cls._from_string(value, validation_mode)
        if isinstance(value, int):
            obj = int.__new__(cls, value)
            if isinstance(value, IS):
                obj.original_string = value.original_string
            elif not _IS_MIN <= value <= _IS_MAX:
                _check_range(value, validation_mode)
            return obj
        number_f = float(value)
        if not math.isfinite(number_f) or number_f != int(number_f):
            raise InvalidValueError(f"{value!r} is not an integer; cannot make an IS value")
        obj = int.__new__(cls, int(number_f))
        if not _IS_MIN <= obj <= _IS_MAX:
            _check_range(obj, validation_mode)
        return obj

    @classmethod
    def _from_string(cls, value: str, validation_mode: int | None) -> IS:
        if validation_mode is None:
            validation_mode = config.settings.reading_validation_mode
        text = value.strip(" ")
        if not text:
            raise InvalidValueError("A blank string is not an IS value")
        problem = ""
        if _regex(_IS_PATTERN).fullmatch(value):
            number = int(text)
        else:
            number_f = _parse_float(text, "IS")
            if not math.isfinite(number_f):
                raise InvalidValueError(f"{value!r} is not a valid IS value")
            number = int(number_f)
            if not _regex(r" *[+-]?[0-9]+\.0* *").fullmatch(value):
                problem = "not an integer"  # "1.0" is common and unambiguous: accepted
        obj = int.__new__(cls, number)
        obj.original_string = value
        if validation_mode != config.IGNORE:
            if not problem and len(value) > 12:
                problem = "longer than 12 characters"
            if not problem and not _IS_MIN <= number <= _IS_MAX:
                problem = "outside [-2**31, 2**31 - 1]"
            if problem:
                _report(f"Invalid value for VR IS: {value!r} ({problem})", validation_mode)
        return obj

    def __str__(self) -> str:
        if self.original_string is not None:
            return self.original_string
        return int.__repr__(self)

    def __repr__(self) -> str:
        return f"'{int.__repr__(self)}'"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self).strip(" ") == other.strip(" ")
        return int.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = int.__hash__


def _check_range(value: int, validation_mode: int | None) -> None:
    if validation_mode is None:
        validation_mode = config.settings.reading_validation_mode
    _report(f"Invalid value for VR IS: {value} (outside [-2**31, 2**31 - 1])", validation_mode, 5)


def _parse_float(text: str, vr: str) -> float:
    if not text.isascii() or "_" in text:
        raise InvalidValueError(f"{text!r} is not a valid {vr} value")
    try:
        return float(text)
    except ValueError:
        raise InvalidValueError(f"{text!r} is not a valid {vr} value") from None


class DSfloat(float):
    """A Decimal String (DS) value as a :class:`float` that keeps its string.

    Parameters
    ----------
    value : str, int, float or Decimal
        A DICOM DS string (leading/trailing spaces allowed) or a number.
    auto_format : bool, optional
        If True and `value` is an invalid string (e.g. longer than 16
        characters), write it back with :func:`format_ds` instead of keeping
        the string. Numbers are always written with :func:`format_ds`.
    validation_mode : int, optional
        What to do with an invalid string (too long, bad characters, ``nan``);
        default ``settings.reading_validation_mode``. Strings that are not
        numbers at all (and blank strings) always raise
        :class:`~dicodec.errors.InvalidValueError`.

    Attributes
    ----------
    original_string : str or None
        The string the value was made from (None when made from a number).

    Examples
    --------
    >>> DSfloat(" 1.50 ") == 1.5
    True
    >>> str(DSfloat(" 1.50 ")), repr(DSfloat(" 1.50 "))
    (' 1.50 ', "'1.50'")
    >>> str(DSfloat(1 / 3))
    '0.33333333333333'
    """

    original_string: str | None = None
    auto_format: bool = False

    def __new__(
        cls,
        value: str | int | float | Decimal,
        auto_format: bool = False,
        validation_mode: int | None = None,
    ) -> DSfloat:
        if isinstance(value, str):
            try:
                obj = float.__new__(cls, value)
            except ValueError:
                raise InvalidValueError(f"{value!r} is not a valid DS value") from None
            # float() accepted it, so with only these characters it is a
            # valid decimal string (same language as the PS3.5 definition)
            if len(value) <= 16 and _DS_CHARS.issuperset(value) and math.isfinite(obj):
                obj.original_string = value
                return obj
            obj._invalid_string(value, auto_format, validation_mode)
            return obj
        obj = float.__new__(cls, value)
        if isinstance(value, DSfloat):
            obj.original_string = value.original_string
            if value.auto_format:
                obj.auto_format = True
        elif not math.isfinite(obj):
            mode = (
                config.settings.reading_validation_mode
                if validation_mode is None
                else validation_mode
            )
            _report(f"Invalid value for VR DS: {value!r} (not finite)", mode)
        if auto_format:
            obj.auto_format = True
        return obj

    def _invalid_string(self, value: str, auto_format: bool, validation_mode: int | None) -> None:
        mode = (
            config.settings.reading_validation_mode if validation_mode is None else validation_mode
        )
        if not value.strip(" "):
            raise InvalidValueError("A blank string is not a DS value")
        if "_" in value or not value.isascii():
            raise InvalidValueError(f"{value!r} is not a valid DS value")
        if auto_format and math.isfinite(self):
            self.auto_format = True
            self.original_string = format_ds(self)
            return
        self.original_string = value
        if mode != config.IGNORE:
            reason = (
                "not finite"
                if not math.isfinite(self)
                else (
                    "longer than 16 characters"
                    if _regex(_DS_PATTERN).fullmatch(value.strip(" "))
                    else "not a decimal string"
                )
            )
            _report(f"Invalid value for VR DS: {value!r} ({reason})", mode, 5)

    def __str__(self) -> str:
        if self.original_string is not None:
            return self.original_string
        if math.isfinite(self):
            return format_ds(self)
        return float.__repr__(self)

    def __repr__(self) -> str:
        return f"'{str(self).strip(' ')}'"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self).strip(" ") == other.strip(" ")
        return float.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = float.__hash__


if TYPE_CHECKING:

    class DSdecimal(Decimal):
        """A Decimal String (DS) value as a :class:`decimal.Decimal`."""

        original_string: str | None
        auto_format: bool

        def __new__(
            cls,
            value: str | int | float | Decimal,
            auto_format: bool = False,
            validation_mode: int | None = None,
        ) -> DSdecimal: ...


def _build_dsdecimal() -> type:
    """Create :class:`DSdecimal` (importing :mod:`decimal` only when needed)."""
    from decimal import Decimal, InvalidOperation

    class DSdecimal(Decimal):
        """A Decimal String (DS) value as a :class:`decimal.Decimal`.

        Like :class:`DSfloat`, but exact: the value is the decimal number
        written in the string. Made from a float, the value is that of
        :func:`format_ds` of the float.

        Parameters
        ----------
        value : str, int, float or Decimal
            A DICOM DS string or a number.
        auto_format : bool, optional
            Write invalid strings back with :func:`format_ds`.
        validation_mode : int, optional
            Default ``settings.reading_validation_mode``.

        Examples
        --------
        >>> from dicodec.valuerep import DSdecimal
        >>> DSdecimal("1.10") + DSdecimal("2.20")
        Decimal('3.30')
        >>> str(DSdecimal(" 1.10"))
        ' 1.10'
        """

        original_string: str | None = None
        auto_format: bool = False

        def __new__(
            cls,
            value: str | int | float | Decimal,
            auto_format: bool = False,
            validation_mode: int | None = None,
        ) -> DSdecimal:
            mode = (
                config.settings.reading_validation_mode
                if validation_mode is None
                else validation_mode
            )
            if isinstance(value, str):
                text = value.strip(" ")
                if not text:
                    raise InvalidValueError("A blank string is not a DS value")
                if "_" in text or not text.isascii():
                    raise InvalidValueError(f"{value!r} is not a valid DS value")
                try:
                    obj = Decimal.__new__(cls, text)
                except InvalidOperation:
                    raise InvalidValueError(f"{value!r} is not a valid DS value") from None
                obj.original_string = value
                if not is_valid_ds(value):
                    if auto_format and obj.is_finite():
                        obj.auto_format = True
                        obj.original_string = format_ds(obj)
                    else:
                        _report(f"Invalid value for VR DS: {value!r}", mode)
                return obj
            if isinstance(value, float):
                if not math.isfinite(value):
                    _report(f"Invalid value for VR DS: {value!r} (not finite)", mode)
                    return Decimal.__new__(cls, value)
                return Decimal.__new__(cls, format_ds(value))
            obj = Decimal.__new__(cls, value)
            if isinstance(value, DSdecimal):
                obj.original_string = value.original_string
                obj.auto_format = value.auto_format
            elif not obj.is_finite():
                _report(f"Invalid value for VR DS: {value!r} (not finite)", mode)
            if auto_format:
                obj.auto_format = True
            return obj

        def __str__(self) -> str:
            if self.original_string is not None:
                return self.original_string
            if self.is_finite():
                return format_ds(self)
            return Decimal.__str__(self)

        def __repr__(self) -> str:
            return f"'{str(self).strip(' ')}'"

        def __eq__(self, other: object) -> bool:
            if isinstance(other, str):
                return str(self).strip(" ") == other.strip(" ")
            return Decimal.__eq__(self, other)

        def __ne__(self, other: object) -> bool:
            return not self == other

        __hash__ = Decimal.__hash__

        def __reduce__(self) -> tuple[Any, ...]:
            return (_rebuild_dsdecimal, (Decimal(self), self.original_string, self.auto_format))

    DSdecimal.__module__ = __name__
    DSdecimal.__qualname__ = "DSdecimal"
    return DSdecimal


def _rebuild_dsdecimal(value: Any, original: str | None, auto_format: bool) -> Any:
    cls = _dsdecimal_class()
    obj = cls(value)
    obj.original_string = original
    obj.auto_format = auto_format
    return obj


def _dsdecimal_class() -> Any:
    cls = globals().get("DSdecimal")
    if cls is None:
        cls = _build_dsdecimal()
        globals()["DSdecimal"] = cls
    return cls


def __getattr__(name: str) -> Any:
    if name == "DSdecimal":
        return _dsdecimal_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# DA, DT, TM
# ---------------------------------------------------------------------------


def _digits(text: str) -> bool:
    return text.isdigit() and text.isascii()


def _leap_second(original: str) -> None:
    if config.settings.reading_validation_mode != config.IGNORE:
        _warn(
            f"The leap second in {original!r} cannot be represented by datetime; using 59",
            stacklevel=5,
        )


class DA(datetime.date):
    """A DICOM date (VR DA): a :class:`datetime.date` that keeps its string.

    Parameters
    ----------
    value : str, datetime.date or int
        ``"YYYYMMDD"`` (or the ACR-NEMA form ``"YYYY.MM.DD"``), a
        :class:`datetime.date` (or :class:`datetime.datetime`, whose date is
        used), or ``year, month, day`` as for :class:`datetime.date`.

    Attributes
    ----------
    original_string : str
        The string parsed, or the DICOM form of the date.

    Raises
    ------
    InvalidValueError
        If the string is not a valid date.

    Examples
    --------
    >>> DA("2024.01.31")
    "2024.01.31"
    >>> DA("20240131") == datetime.date(2024, 1, 31)
    True
    >>> str(DA(datetime.date(2024, 1, 31)))
    '20240131'
    """

    __slots__ = ("original_string",)
    original_string: str

    def __new__(cls, *args: Any, **kwargs: Any) -> DA:
        if len(args) == 1 and not kwargs:
            value = args[0]
            if isinstance(value, str):
                return _parse_da(cls, value)
            if isinstance(value, datetime.date):
                obj = datetime.date.__new__(cls, value.year, value.month, value.day)
                if isinstance(value, DA):
                    obj.original_string = value.original_string
                else:
                    obj.original_string = f"{value.year:04}{value.month:02}{value.day:02}"
                return obj
        try:
            obj = datetime.date.__new__(cls, *args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise InvalidValueError(f"Cannot make a DA value from {args!r}: {exc}") from exc
        obj.original_string = f"{obj.year:04}{obj.month:02}{obj.day:02}"
        return obj

    def __str__(self) -> str:
        return self.original_string

    def __repr__(self) -> str:
        return f'"{self.original_string}"'

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.original_string,))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return self.__reduce__()


def _parse_da(cls: type[DA], value: str) -> DA:
    text = value.strip(" ")
    if len(text) == 8 and _digits(text):
        year, month, day = text[:4], text[4:6], text[6:]
    elif len(text) == 10 and text[4] == "." and text[7] == "." and _digits(text.replace(".", "")):
        year, month, day = text[:4], text[5:7], text[8:]
    else:
        raise InvalidValueError(f"Invalid value for VR DA: {value!r}")
    try:
        obj = datetime.date.__new__(cls, int(year), int(month), int(day))
    except ValueError as exc:
        raise InvalidValueError(f"Invalid value for VR DA: {value!r} ({exc})") from None
    obj.original_string = value
    return obj


def parse_da(s: str) -> DA:
    """Parse a DICOM DA string.

    Parameters
    ----------
    s : str
        ``"YYYYMMDD"`` or the ACR-NEMA ``"YYYY.MM.DD"``; padding spaces are
        allowed. Range matching forms (``"20240101-"``) are not accepted.

    Returns
    -------
    DA

    Raises
    ------
    InvalidValueError
        If `s` is blank or not a valid date.

    Examples
    --------
    >>> parse_da("20240131").month
    1
    """
    return _parse_da(DA, s)


class TM(datetime.time):
    """A DICOM time (VR TM): a :class:`datetime.time` that keeps its string.

    Parameters
    ----------
    value : str, datetime.time or int
        ``"HH"``, ``"HHMM"``, ``"HHMMSS"`` or ``"HHMMSS.F"`` with 1-6 fraction
        digits (also the ACR-NEMA ``"HH:MM:SS.frac"``), a :class:`datetime.time`,
        or the arguments of :class:`datetime.time`. A leap second (``60``) is
        read as 59 with a warning.

    Attributes
    ----------
    original_string : str
        The string parsed, or the DICOM form ``HHMMSS[.FFFFFF]``.

    Raises
    ------
    InvalidValueError
        If the string is not a valid time.

    Examples
    --------
    >>> TM("070907.0705").microsecond
    70500
    >>> str(TM(datetime.time(7, 9)))
    '070900'
    """

    __slots__ = ("original_string",)
    original_string: str

    def __new__(cls, *args: Any, **kwargs: Any) -> TM:
        if len(args) == 1 and not kwargs:
            value = args[0]
            if isinstance(value, str):
                return _parse_tm(cls, value)
            if isinstance(value, datetime.time):
                obj = datetime.time.__new__(
                    cls, value.hour, value.minute, value.second, value.microsecond, value.tzinfo
                )
                if isinstance(value, TM):
                    obj.original_string = value.original_string
                else:
                    obj.original_string = _format_tm(obj)
                return obj
        try:
            obj = datetime.time.__new__(cls, *args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise InvalidValueError(f"Cannot make a TM value from {args!r}: {exc}") from exc
        obj.original_string = _format_tm(obj)
        return obj

    def __str__(self) -> str:
        return self.original_string

    def __repr__(self) -> str:
        return f'"{self.original_string}"'

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.original_string,))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return self.__reduce__()


def _format_tm(value: datetime.time) -> str:
    text = f"{value.hour:02}{value.minute:02}{value.second:02}"
    if value.microsecond:
        text += f".{value.microsecond:06}"
    return text


def _split_time(text: str, value: str, vr: str) -> tuple[int, int, int, int, bool]:
    """Parse 'HH[MM[SS[.F{1,6}]]]' -> (h, m, s, us, leap)."""
    main, dot, fraction = text.partition(".")
    if (
        len(main) not in (2, 4, 6)
        or not _digits(main)
        or (dot and (len(main) != 6 or len(fraction) > 6 or (fraction and not _digits(fraction))))
    ):
        raise InvalidValueError(f"Invalid value for VR {vr}: {value!r}")
    hour = int(main[:2])
    minute = int(main[2:4]) if len(main) >= 4 else 0
    second = int(main[4:6]) if len(main) == 6 else 0
    if hour > 23 or minute > 59 or second > 60:
        raise InvalidValueError(f"Invalid value for VR {vr}: {value!r}")
    leap = second == 60
    microsecond = int(fraction.ljust(6, "0")) if fraction else 0
    return hour, minute, 59 if leap else second, microsecond, leap


def _parse_tm(cls: type[TM], value: str) -> TM:
    text = value.strip(" ")
    if ":" in text:  # ACR-NEMA HH:MM:SS.frac
        parts = text.split(":")
        if len(parts) > 3 or not all(len(p) >= 2 for p in parts):
            raise InvalidValueError(f"Invalid value for VR TM: {value!r}")
        text = "".join(parts)
    hour, minute, second, microsecond, leap = _split_time(text, value, "TM")
    if leap:
        _leap_second(value)
    obj = datetime.time.__new__(cls, hour, minute, second, microsecond)
    obj.original_string = value
    return obj


def parse_tm(s: str) -> TM:
    """Parse a DICOM TM string.

    Parameters
    ----------
    s : str
        ``HH[MM[SS[.F{1,6}]]]`` or ACR-NEMA ``HH:MM:SS.frac``; padding allowed.

    Returns
    -------
    TM

    Raises
    ------
    InvalidValueError
        If `s` is blank or not a valid time.

    Examples
    --------
    >>> parse_tm("0709").minute
    9
    """
    return _parse_tm(TM, s)


class DT(datetime.datetime):
    """A DICOM date time (VR DT): a :class:`datetime.datetime` keeping its string.

    Parameters
    ----------
    value : str, datetime.datetime or int
        ``YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]`` (missing parts default
        to their minimum; ``&ZZXX`` is a UTC offset such as ``+0100``), a
        :class:`datetime.datetime`, or the arguments of
        :class:`datetime.datetime`.

    Attributes
    ----------
    original_string : str
        The string parsed, or the DICOM form
        ``YYYYMMDDHHMMSS[.FFFFFF][&ZZXX]``.

    Raises
    ------
    InvalidValueError
        If the string is not a valid date time.

    Examples
    --------
    >>> dt = DT("20240131070907.123456+0100")
    >>> dt.utcoffset()
    datetime.timedelta(seconds=3600)
    >>> str(DT(datetime.datetime(2024, 1, 31, 7, 9)))
    '20240131070900'
    """

    __slots__ = ("original_string",)
    original_string: str

    def __new__(cls, *args: Any, **kwargs: Any) -> DT:
        if len(args) == 1 and not kwargs:
            value = args[0]
            if isinstance(value, str):
                return _parse_dt(cls, value)
            if isinstance(value, datetime.datetime):
                obj = datetime.datetime.__new__(
                    cls,
                    value.year,
                    value.month,
                    value.day,
                    value.hour,
                    value.minute,
                    value.second,
                    value.microsecond,
                    value.tzinfo,
                )
                if isinstance(value, DT):
                    obj.original_string = value.original_string
                else:
                    obj.original_string = _format_dt(obj)
                return obj
        try:
            obj = datetime.datetime.__new__(cls, *args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise InvalidValueError(f"Cannot make a DT value from {args!r}: {exc}") from exc
        obj.original_string = _format_dt(obj)
        return obj

    def __str__(self) -> str:
        return self.original_string

    def __repr__(self) -> str:
        return f'"{self.original_string}"'

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.original_string,))

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return self.__reduce__()


def _format_dt(value: datetime.datetime) -> str:
    text = (
        f"{value.year:04}{value.month:02}{value.day:02}"
        f"{value.hour:02}{value.minute:02}{value.second:02}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06}"
    offset = value.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        minutes = abs(minutes)
        text += f"{sign}{minutes // 60:02}{minutes % 60:02}"
    return text


def _parse_dt(cls: type[DT], value: str) -> DT:
    text = value.strip(" ")
    tzinfo: datetime.timezone | None = None
    if len(text) > 5 and text[-5] in "+-":
        zone = text[-4:]
        if not _digits(zone) or int(zone[:2]) > 23 or int(zone[2:]) > 59:
            raise InvalidValueError(f"Invalid value for VR DT: {value!r} (bad UTC offset)")
        minutes = int(zone[:2]) * 60 + int(zone[2:])
        if text[-5] == "-":
            minutes = -minutes
        tzinfo = datetime.timezone(datetime.timedelta(minutes=minutes))
        text = text[:-5]
    main, dot, fraction = text.partition(".")
    if len(main) not in (4, 6, 8, 10, 12, 14) or not _digits(main) or (dot and len(main) != 14):
        raise InvalidValueError(f"Invalid value for VR DT: {value!r}")
    year = int(main[:4])
    month = int(main[4:6]) if len(main) >= 6 else 1
    day = int(main[6:8]) if len(main) >= 8 else 1
    hour = minute = second = microsecond = 0
    leap = False
    if len(main) >= 10:
        hour, minute, second, microsecond, leap = _split_time(
            main[8:] + dot + fraction, value, "DT"
        )
    try:
        obj = datetime.datetime.__new__(
            cls, year, month, day, hour, minute, second, microsecond, tzinfo
        )
    except ValueError as exc:
        raise InvalidValueError(f"Invalid value for VR DT: {value!r} ({exc})") from None
    if leap:
        _leap_second(value)
    obj.original_string = value
    return obj


def parse_dt(s: str) -> DT:
    """Parse a DICOM DT string.

    Parameters
    ----------
    s : str
        ``YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]``; padding allowed.

    Returns
    -------
    DT
        Timezone-aware when the string has a UTC offset.

    Raises
    ------
    InvalidValueError
        If `s` is blank or not a valid date time.

    Examples
    --------
    >>> parse_dt("2024").year
    2024
    """
    return _parse_dt(DT, s)


# ---------------------------------------------------------------------------
# PersonName
# ---------------------------------------------------------------------------

_PN_PARTS = ("family_name", "given_name", "middle_name", "name_prefix", "name_suffix")


def _as_encodings(encodings: str | Sequence[str] | None) -> tuple[str, ...] | None:
    if encodings is None:
        return None
    if isinstance(encodings, str):
        return (encodings,)
    return tuple(encodings)


def _trim_groups(text: str) -> str:
    """Remove empty trailing component groups ('A^B==' -> 'A^B')."""
    if text.endswith("="):
        groups = text.split("=")
        while groups and not groups[-1]:
            groups.pop()
        return "=".join(groups)
    return text


class PersonName:
    """A Person Name (PN) value.

    Parameters
    ----------
    value : str, bytes or PersonName
        The decoded name (``"Family^Given^Middle^Prefix^Suffix"``, up to three
        ``=``-separated component groups: alphabetic, ideographic, phonetic),
        or the raw encoded bytes, which are decoded on first use.
    encodings : sequence of str, optional
        Python codec names (see :func:`dicodec.charset.convert_encodings`)
        used to decode `value` if it is bytes, and the default for
        :meth:`encode`. The default repertoire if not given.
    validation_mode : int, optional
        For the check of the group length (64 characters at most); default
        ``settings.reading_validation_mode``.

    Examples
    --------
    >>> pn = PersonName(b"Yamada^Tarou=\\x1b$B;3ED\\x1b(B^\\x1b$BB@O:\\x1b(B",
    ...                 encodings=["iso-8859-1", "iso2022_jp"])
    >>> pn.family_name, pn.ideographic
    ('Yamada', '山田^太郎')
    >>> pn == "Yamada^Tarou=山田^太郎"
    True
    >>> pn.formatted("%(given_name)s %(family_name)s")
    'Tarou Yamada'
    """

    __slots__ = ("_encodings", "_raw", "_text")

    def __init__(
        self,
        value: str | bytes | PersonName,
        encodings: str | Sequence[str] | None = None,
        validation_mode: int | None = None,
    ) -> None:
        self._encodings: tuple[str, ...] | None = _as_encodings(encodings)
        self._raw: bytes | None
        self._text: str | None
        if isinstance(value, PersonName):
            self._raw = value._raw
            self._text = value._text
            if self._encodings is None:
                self._encodings = value._encodings
            elif self._raw is not None and self._encodings != value._encodings:
                self._text = None  # decode again with the new encodings
            return
        if isinstance(value, (bytes, bytearray, memoryview)):
            self._raw = bytes(value)
            self._text = None
            if len(self._raw) > 64:  # only then can a group be too long
                self._validate(validation_mode)
        elif isinstance(value, str):
            self._raw = None
            self._text = _trim_groups(value)
            if len(value) > 64:
                self._validate(validation_mode)
        else:
            raise TypeError(f"PersonName needs str or bytes, not {type(value).__name__}")

    def _validate(self, validation_mode: int | None) -> None:
        mode = (
            config.settings.reading_validation_mode if validation_mode is None else validation_mode
        )
        if mode == config.IGNORE:
            return
        groups = str(self).split("=")
        problem = ""
        if len(groups) > 3:
            problem = f"{len(groups)} component groups (at most 3)"
        elif any(len(group) > 64 for group in groups):
            problem = "a component group is longer than 64 characters"
        if problem:
            _report(f"Invalid value for VR PN: {str(self)!r} ({problem})", mode, 5)

    # -- the text -------------------------------------------------------
    def __str__(self) -> str:
        text = self._text
        if text is None:
            assert self._raw is not None
            decoded = decode_bytes(self._raw, self._encodings or (DEFAULT_ENCODING,), PN_DELIMITERS)
            text = self._text = _trim_groups(decoded.rstrip("\x00 "))
        return text

    def __repr__(self) -> str:
        return repr(str(self))

    @property
    def original_string(self) -> bytes | None:
        """The raw bytes the name was made from (None if made from a str)."""
        return self._raw

    @property
    def encodings(self) -> tuple[str, ...] | None:
        """The Python codec names given for decoding / encoding, if any."""
        return self._encodings

    @property
    def components(self) -> tuple[str, ...]:
        """The component groups (alphabetic, ideographic, phonetic) present."""
        text = str(self)
        return tuple(text.split("=")) if text else ()

    def _group(self, index: int) -> str:
        groups = str(self).split("=")
        return groups[index] if index < len(groups) else ""

    def _part(self, index: int) -> str:
        parts = self._group(0).split("^")
        return parts[index] if index < len(parts) else ""

    @property
    def alphabetic(self) -> str:
        """The alphabetic component group (``"Family^Given..."``)."""
        return self._group(0)

    @property
    def ideographic(self) -> str:
        """The ideographic component group."""
        return self._group(1)

    @property
    def phonetic(self) -> str:
        """The phonetic component group."""
        return self._group(2)

    @property
    def family_name(self) -> str:
        """The family name of the alphabetic group."""
        return self._part(0)

    @property
    def given_name(self) -> str:
        """The given name of the alphabetic group."""
        return self._part(1)

    @property
    def middle_name(self) -> str:
        """The middle name of the alphabetic group."""
        return self._part(2)

    @property
    def name_prefix(self) -> str:
        """The name prefix of the alphabetic group."""
        return self._part(3)

    @property
    def name_suffix(self) -> str:
        """The name suffix of the alphabetic group."""
        return self._part(4)

    def formatted(self, fmt: str) -> str:
        """Return the name formatted with ``%``-style named fields.

        Parameters
        ----------
        fmt : str
            A format using any of ``%(family_name)s``, ``%(given_name)s``,
            ``%(middle_name)s``, ``%(name_prefix)s``, ``%(name_suffix)s``,
            ``%(ideographic)s``, ``%(phonetic)s``, ``%(alphabetic)s``.

        Returns
        -------
        str

        Examples
        --------
        >>> PersonName("Doe^John^^Dr.").formatted("%(name_prefix)s %(family_name)s")
        'Dr. Doe'
        """
        fields = {name: getattr(self, name) for name in _PN_PARTS}
        fields["ideographic"] = self.ideographic
        fields["phonetic"] = self.phonetic
        fields["alphabetic"] = self.alphabetic
        return fmt % fields

    def family_comma_given(self) -> str:
        """Return ``"Family, Given"``.

        Examples
        --------
        >>> PersonName("Doe^John").family_comma_given()
        'Doe, John'
        """
        return f"{self.family_name}, {self.given_name}"

    # -- bytes ------------------------------------------------------------
    def encode(self, encodings: str | Sequence[str] | None = None) -> bytes:
        """Return the encoded name.

        Parameters
        ----------
        encodings : sequence of str, optional
            Python codec names; default: those given at construction, or the
            default repertoire.

        Returns
        -------
        bytes
            The original bytes if the name was made from bytes and
            `encodings` is not given or equals the original encodings;
            otherwise the name encoded with
            :func:`~dicodec.charset.encode_string` (unpadded).

        Examples
        --------
        >>> PersonName("Buc^Jérôme").encode(["latin_1"])
        b'Buc^J\\xe9r\\xf4me'
        """
        wanted = _as_encodings(encodings)
        if self._raw is not None and (wanted is None or wanted == self._encodings):
            return self._raw
        if wanted is None:
            wanted = self._encodings or (DEFAULT_ENCODING,)
        return encode_string(str(self), wanted, PN_DELIMITERS)

    def decode(self, encodings: str | Sequence[str] | None = None) -> PersonName:
        """Return this name decoded with other `encodings`.

        Parameters
        ----------
        encodings : sequence of str, optional
            Python codec names. If not given or the same, ``self`` is returned.

        Returns
        -------
        PersonName
            A name with the same raw bytes (encoding the text first if the
            name was made from a str) decoded with `encodings`.

        Examples
        --------
        >>> str(PersonName(b"Buc^J\\xe9r\\xf4me").decode(["latin_1"]))
        'Buc^Jérôme'
        """
        wanted = _as_encodings(encodings)
        if wanted is None or wanted == self._encodings:
            return self
        raw = self._raw if self._raw is not None else self.encode()
        return PersonName(raw, wanted)

    # -- str-like behaviour ---------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, PersonName):
            return str(self) == str(other)
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(str(self))

    def __bool__(self) -> bool:
        return bool(str(self))

    def __len__(self) -> int:
        return len(str(self))

    def __iter__(self) -> Iterator[str]:
        return iter(str(self))

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str) and item in str(self)

    def __getstate__(self) -> tuple[Any, ...]:
        return (self._raw, self._text, self._encodings)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self._raw, self._text, self._encodings = state

    @classmethod
    def from_named_components(
        cls,
        family_name: str | bytes = "",
        given_name: str | bytes = "",
        middle_name: str | bytes = "",
        name_prefix: str | bytes = "",
        name_suffix: str | bytes = "",
        *,
        ideographic: str | bytes = "",
        phonetic: str | bytes = "",
        family_name_ideographic: str | bytes = "",
        given_name_ideographic: str | bytes = "",
        middle_name_ideographic: str | bytes = "",
        name_prefix_ideographic: str | bytes = "",
        name_suffix_ideographic: str | bytes = "",
        family_name_phonetic: str | bytes = "",
        given_name_phonetic: str | bytes = "",
        middle_name_phonetic: str | bytes = "",
        name_prefix_phonetic: str | bytes = "",
        name_suffix_phonetic: str | bytes = "",
        encodings: str | Sequence[str] | None = None,
    ) -> PersonName:
        """Build a name from its named components.

        Parameters
        ----------
        family_name, given_name, middle_name, name_prefix, name_suffix : str or bytes
            The alphabetic components.
        ideographic, phonetic : str or bytes
            A whole ideographic / phonetic group (``"山田^太郎"``); or give its
            components with the ``*_ideographic`` / ``*_phonetic`` keywords
            (as in pydicom), not both.
        family_name_ideographic, ..., name_suffix_phonetic : str or bytes
            The components of the ideographic and phonetic groups.
        encodings : sequence of str, optional
            Python codec names, used to decode components given as bytes and
            for :meth:`encode`.

        Returns
        -------
        PersonName

        Raises
        ------
        InvalidValueError
            If a component contains ``^``, ``=`` or ``\\`` (a whole group may
            contain ``^``), or both a group and its components are given.

        Examples
        --------
        >>> pn = PersonName.from_named_components(
        ...     family_name="Hong", given_name="Gildong",
        ...     ideographic="洪^吉洞", phonetic="홍^길동",
        ...     encodings=["iso-8859-1", "euc_kr"])
        >>> str(pn)
        'Hong^Gildong=洪^吉洞=홍^길동'
        >>> PersonName.from_named_components(family_name="Adams", name_prefix="Rev.")
        'Adams^^^Rev.'
        """
        codecs = _as_encodings(encodings) or (DEFAULT_ENCODING,)

        def text(part: str | bytes) -> str:
            return decode_bytes(part, codecs, PN_DELIMITERS) if isinstance(part, bytes) else part

        def group(parts: Sequence[str | bytes], whole: str | bytes, label: str) -> str:
            items = [text(p) for p in parts]
            for item in items:
                for bad in ("^", "=", "\\"):
                    if bad in item:
                        raise InvalidValueError(
                            f"A person name component may not contain {bad!r}: {item!r}"
                        )
            joined = "^".join(items).rstrip("^")
            whole_text = text(whole)
            if whole_text:
                if joined:
                    raise InvalidValueError(
                        f"Give either the {label} group or its components, not both"
                    )
                for bad in ("=", "\\"):
                    if bad in whole_text:
                        raise InvalidValueError(
                            f"A person name group may not contain {bad!r}: {whole_text!r}"
                        )
                return whole_text
            return joined

        groups = [
            group(
                (family_name, given_name, middle_name, name_prefix, name_suffix), "", "alphabetic"
            ),
            group(
                (
                    family_name_ideographic,
                    given_name_ideographic,
                    middle_name_ideographic,
                    name_prefix_ideographic,
                    name_suffix_ideographic,
                ),
                ideographic,
                "ideographic",
            ),
            group(
                (
                    family_name_phonetic,
                    given_name_phonetic,
                    middle_name_phonetic,
                    name_prefix_phonetic,
                    name_suffix_phonetic,
                ),
                phonetic,
                "phonetic",
            ),
        ]
        return cls("=".join(groups).rstrip("="), encodings=_as_encodings(encodings))


# ---------------------------------------------------------------------------
# MultiValue
# ---------------------------------------------------------------------------


class MultiValue(list[T]):
    """The value of a multi-valued element: a :class:`list` whose items are
    passed through a type constructor whenever they are added.

    Parameters
    ----------
    type_constructor : callable
        Converts one item (e.g. :class:`IS`, :class:`DSfloat`, :class:`str`);
        it must accept items that already have the type.
    iterable : iterable, optional
        The initial items.

    Notes
    -----
    ``str()`` and ``repr()`` match pydicom: ``['a', 'b']`` for strings and
    bytes, ``[1, 2.5]`` for other items (using their ``str()``), and ``""``
    for an empty value.

    Examples
    --------
    >>> values = MultiValue(IS, ["1", "2"])
    >>> values.append("3")
    >>> values, values[2] + 1
    ([1, 2, 3], 4)
    >>> MultiValue(str, ["ORIGINAL", "PRIMARY"])
    ['ORIGINAL', 'PRIMARY']
    """

    __slots__ = ("_constructor",)

    def __init__(self, type_constructor: Callable[[Any], T], iterable: Iterable[Any] = ()) -> None:
        self._constructor = type_constructor
        super().__init__(type_constructor(item) for item in iterable)

    @property
    def type_constructor(self) -> Callable[[Any], T]:
        """The callable applied to added items."""
        return self._constructor

    def append(self, item: Any) -> None:
        super().append(self._constructor(item))

    def insert(self, index: SupportsIndex, item: Any) -> None:
        super().insert(index, self._constructor(item))

    def extend(self, items: Iterable[Any]) -> None:
        super().extend([self._constructor(item) for item in items])

    def __iadd__(self, items: Iterable[Any]) -> MultiValue[T]:  # type: ignore[override,misc]
        self.extend(items)
        return self

    @overload
    def __setitem__(self, index: SupportsIndex, value: Any) -> None: ...

    @overload
    def __setitem__(self, index: slice, value: Iterable[Any]) -> None: ...

    def __setitem__(self, index: SupportsIndex | slice, value: Any) -> None:
        if isinstance(index, slice):
            super().__setitem__(index, [self._constructor(item) for item in value])
        else:
            super().__setitem__(index, self._constructor(value))

    def __str__(self) -> str:
        if not self:
            return ""
        items = (repr(x) if isinstance(x, (str, bytes)) else str(x) for x in self)
        return f"[{', '.join(items)}]"

    __repr__ = __str__

    def __reduce__(self) -> tuple[Any, ...]:
        return (MultiValue, (self._constructor, list(self)))


# ---------------------------------------------------------------------------
# validate_value
# ---------------------------------------------------------------------------

_MAX_LENGTH = {
    "AE": 16,
    "CS": 16,
    "DS": 16,
    "IS": 12,
    "LO": 64,
    "LT": 10240,
    "SH": 16,
    "ST": 1024,
    "UI": 64,
    "AS": 4,
    "DA": 8,
    "DT": 26,
    "TM": 14,
}
_TEXT_CONTROLS_OK = frozenset({"ST", "LT", "UT"})
_STRING_VRS = frozenset(
    {
        "AE",
        "AS",
        "CS",
        "DA",
        "DS",
        "DT",
        "IS",
        "LO",
        "LT",
        "PN",
        "SH",
        "ST",
        "TM",
        "UC",
        "UI",
        "UR",
        "UT",
    }
)


def _check_string(vr: str, text: str) -> str:
    """Return why `text` is not a valid single value of `vr` ('' if valid)."""
    if vr == "UI":
        text = text.rstrip("\x00")
    value = text
    if vr in ("DA", "DT", "TM"):
        return _check_date_time(vr, value)
    limit = _MAX_LENGTH.get(vr)
    if limit is not None and len(value) > limit:
        return f"longer than {limit} characters"
    if vr in _TEXT_CONTROLS_OK:
        if any(c < " " and c not in "\r\n\t\x0c\x1b" for c in value):
            return "contains control characters"
        return ""
    if vr in ("LO", "SH", "UC", "PN"):
        if "\\" in value:
            return "contains a backslash"
        if any(c < " " and c != "\x1b" for c in value):
            return "contains control characters"
        if vr == "PN":
            groups = value.split("=")
            if len(groups) > 3:
                return f"{len(groups)} component groups (at most 3)"
            if any(len(g) > 64 for g in groups):
                return "a component group is longer than 64 characters"
        return ""
    if vr == "AE":
        if not value.strip(" "):
            return "blank (only spaces)" if value else ""
        if not all(" " <= c <= "~" for c in value) or "\\" in value:
            return "contains characters other than printable ASCII"
        return ""
    if vr == "AS":
        if not _regex(r"[0-9]{3}[DWMY]").fullmatch(value):
            return "not of the form nnnD, nnnW, nnnM or nnnY"
        return ""
    if vr == "CS":
        if not _regex(r"[A-Z0-9 _]*").fullmatch(value):
            return "only upper case letters, digits, space and underscore are allowed"
        return ""
    if vr == "DS":
        return "" if _regex(_DS_PATTERN).fullmatch(value) else "not a decimal string"
    if vr == "IS":
        if not _regex(_IS_PATTERN).fullmatch(value):
            return "not an integer string"
        if not _IS_MIN <= int(value) <= _IS_MAX:
            return "outside [-2**31, 2**31 - 1]"
        return ""
    if vr == "UI":
        if not _regex(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*").fullmatch(value):
            return "not a UID (digits and dots, no leading zeros)"
        return ""
    if vr == "UR":
        if not _regex(r"[A-Za-z0-9_:/?#\[\]@!$&'()*+,;=%\-.~]*").fullmatch(value):
            return "contains characters not allowed in a URI"
    return ""


def _check_date_time(vr: str, value: str) -> str:
    """Check a DA/DT/TM value, or a range of them ('A-B', 'A-', '-B')."""
    if _date_time_ok(vr, value):
        return ""
    # DT offsets use '-' too, so try every '-' as the range separator
    for index, char in enumerate(value):
        if char == "-":
            first, second = value[:index], value[index + 1 :]
            if (first.strip(" ") or second.strip(" ")) and all(
                not part.strip(" ") or _date_time_ok(vr, part) for part in (first, second)
            ):
                return ""
    limit = _MAX_LENGTH[vr]
    if len(value) > limit and "-" not in value:
        return f"longer than {limit} characters"
    return "not a valid value or range"


def _date_time_ok(vr: str, value: str) -> bool:
    text = value.strip(" ")
    if not text or len(text) > _MAX_LENGTH[vr]:
        return False
    if (vr == "DA" and "." in text) or (vr == "TM" and ":" in text):
        return False  # ACR-NEMA forms are readable but not valid DICOM
    parse = {"DA": parse_da, "DT": parse_dt, "TM": parse_tm}[vr]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DicodecWarning)
            parse(text)
    except InvalidValueError:
        return False
    return True


def validate_value(VR: str, value: Any, validation_mode: int) -> None:
    """Check `value` against the rules of its VR; warn or raise if invalid.

    Checks the maximum length (AE 16, AS 4, CS 16, DA 8, DS 16, DT 26, IS 12,
    LO 64, LT 10240, PN 64 per component group, SH 16, ST 1024, TM 14, UI 64;
    UC, UR and UT unlimited) and the allowed characters / form (AS
    ``nnnD|W|M|Y``, CS upper case, digits, space and ``_``, DS/IS numbers, UI
    digits and dots, DA/DT/TM dates and times or ranges of them, no
    backslash or control characters in SH/LO/UC/PN). Trailing padding
    (spaces) counts towards the length (as it does in the file), except a
    trailing NUL of UI. Other VRs are not checked.

    Parameters
    ----------
    VR : str
        The value representation.
    value : str, bytes, number, or a list of them
        One value, or several (each is checked). Bytes are read as Latin-1;
        for SH/LO/UC/ST/LT/UT/PN only their length in bytes is checked, and
        only when they are ASCII.
    validation_mode : int
        ``IGNORE`` (no check), ``WARN`` or ``RAISE``.

    Raises
    ------
    InvalidValueError
        If the value is invalid and `validation_mode` is ``RAISE``; with
        ``WARN`` a :class:`~dicodec.errors.DicodecWarning` is issued. The
        message names the VR and the value.

    Examples
    --------
    >>> from dicodec.config import RAISE
    >>> validate_value("CS", "ORIGINAL", RAISE)
    >>> validate_value("CS", "original", RAISE)
    Traceback (most recent call last):
    ...
    dicodec.errors.InvalidValueError: Invalid value for VR CS: 'original' (only upper case letters, digits, space and underscore are allowed)
    """
    if validation_mode == config.IGNORE or value is None:
        return
    if VR not in _STRING_VRS:
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            validate_value(VR, item, validation_mode)
        return
    if isinstance(value, (bytes, bytearray)):
        if VR in ("SH", "LO", "UC", "ST", "LT", "UT", "PN") and not bytes(value).isascii():
            return
        text = bytes(value).decode("latin_1")
        if "\\" in text and VR not in _TEXT_CONTROLS_OK:
            validate_value(VR, text.split("\\"), validation_mode)
            return
    elif isinstance(value, (IS, DSfloat, PersonName)):
        text = str(value)
    elif isinstance(value, (int, float)) and VR in ("IS", "DS"):
        if VR == "IS" and isinstance(value, int):
            if not _IS_MIN <= value <= _IS_MAX:
                _report(
                    f"Invalid value for VR IS: {value!r} (outside [-2**31, 2**31 - 1])",
                    validation_mode,
                    3,
                )
            return
        if VR == "DS" and not math.isfinite(value):
            _report(f"Invalid value for VR DS: {value!r} (not finite)", validation_mode, 3)
        return
    elif isinstance(value, (datetime.date, datetime.time)):
        return
    else:
        text = str(value)
    problem = _check_string(VR, text)
    if problem:
        _report(f"Invalid value for VR {VR}: {text!r} ({problem})", validation_mode, 3)
