"""DICOM tags: the (group, element) pair that names a data element.

A tag is stored as one 32-bit integer, ``group << 16 | element``.
:class:`BaseTag` is an :class:`int` that knows how to print itself and answer
questions about its group and element; :func:`Tag` turns anything that names a
tag (an int, a pair, a keyword, a hex string) into a :class:`BaseTag`.

Examples
--------
>>> from dicodec.tag import Tag
>>> t = Tag("PatientName")
>>> t
(0010,0010)
>>> t.group, t.element
(16, 16)
>>> t == (0x0010, 0x0010)
True
>>> Tag(0x00091001).private_creator
(0009,0010)
"""

from __future__ import annotations

from .errors import InvalidValueError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "BaseTag",
    "ItemDelimiterTag",
    "ItemTag",
    "SequenceDelimiterTag",
    "Tag",
    "TagLike",
    "TagType",
]

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
# dicodec.datadict.tag_for_keyword, imported on first use (it loads the tables).
_tag_for_keyword: Callable[[str], int | None] | None = None


class BaseTag(int):
    """A DICOM tag: an :class:`int` holding ``group << 16 | element``.

    It compares and hashes like the plain integer, so ``BaseTag(0x00100010)``
    and ``0x00100010`` are the same dictionary key. It also compares equal to
    anything :func:`Tag` accepts, such as a ``(group, element)`` tuple or a
    keyword. Create tags with :func:`Tag`, which checks its argument; calling
    ``BaseTag`` directly does no range check.

    Examples
    --------
    >>> t = BaseTag(0x7FE00010)
    >>> str(t), t.json_key
    ('(7FE0,0010)', '7FE00010')
    >>> t == (0x7FE0, 0x0010), t == "PixelData", t < (0x7FE0, 0x0011)
    (True, True, True)
    """

    __slots__ = ()

    # ------------------------------------------------------------ comparison
    def __eq__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__eq__(self, other)
        value = _coerce_other(other)
        if value is None:
            return NotImplemented
        return int(self) == value

    def __ne__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__ne__(self, other)
        value = _coerce_other(other)
        if value is None:
            return NotImplemented
        return int(self) != value

    def __lt__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__lt__(self, other)
        value = _coerce_other(other)
        if value is None:
            return NotImplemented
        return int(self) < value

    def __le__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__le__(self, other)
        value = _coerce_other(other)
        if value is None:
            return NotImplemented
        return int(self) <= value

    def __gt__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__gt__(self, other)
        value = _coerce_other(other)
        if value is None:
            return NotImplemented
        return int(self) > value

    def __ge__(self, other: object) -> bool:
        if isinstance(other, int):
            return int.__ge__(self, other)
        value = _coerce_other(other)
        if value is None:
            return NotImplemented
        return int(self) >= value

    __hash__ = int.__hash__

    # -------------------------------------------------------------- printing
    def __str__(self) -> str:
        return f"({self >> 16:04X},{self & 0xFFFF:04X})"

    __repr__ = __str__

    def __format__(self, format_spec: str) -> str:
        if not format_spec:
            return self.__str__()
        return int.__format__(int(self), format_spec)

    # ------------------------------------------------------------ properties
    @property
    def group(self) -> int:
        """The group number (the upper 16 bits)."""
        return self >> 16

    @property
    def element(self) -> int:
        """The element number (the lower 16 bits)."""
        return self & 0xFFFF

    elem = element

    @property
    def is_private(self) -> bool:
        """True for a tag in an odd group (a private tag)."""
        return (self >> 16) & 1 == 1

    @property
    def is_private_creator(self) -> bool:
        """True for a private creator element: odd group, element 0x0010 to 0x00FF."""
        return (self >> 16) & 1 == 1 and 0x0010 <= self & 0xFFFF <= 0x00FF

    @property
    def private_creator(self) -> BaseTag:
        """The tag of the private creator element that reserves this tag's block.

        For a private data element ``(gggg,xxyy)`` this is ``(gggg,00xx)``. The
        value is only meaningful for private data elements (element 0x1000 or
        above).

        Raises
        ------
        ValueError
            If the tag is not private (its group is even).
        """
        if not (self >> 16) & 1:
            raise InvalidValueError(f"{self} is not a private tag, so it has no private creator")
        return BaseTag((self & 0xFFFF0000) | ((self & 0xFFFF) >> 8))

    @property
    def is_group_length(self) -> bool:
        """True for a group length element ``(gggg,0000)``."""
        return self & 0xFFFF == 0

    @property
    def json_key(self) -> str:
        """The tag as used for keys in the DICOM JSON model: ``"GGGGEEEE"``."""
        return f"{int(self):08X}"


TagType = BaseTag
"""Alias of :class:`BaseTag` for annotations."""

TagLike = int | tuple[int, int] | str
"""Anything that names a tag: an int, a ``(group, element)`` pair or a string."""


def _coerce_other(other: object) -> int | None:
    """The tag value of a comparison operand, or ``None`` if it names no tag."""
    if isinstance(other, (tuple, list, str)):
        try:
            return int(Tag(other))
        except (TypeError, ValueError):
            return None
    return None


def _part(value: object, what: str) -> int:
    """One group or element number, from an int or a hex string."""
    if isinstance(value, int):
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if text[:2] in ("0x", "0X"):
            text = text[2:]
        if not text or len(text) > 4 or not _HEX_DIGITS.issuperset(text):
            raise InvalidValueError(f"{value!r} is not a valid {what} number")
        number = int(text, 16)
    elif hasattr(value, "__index__"):
        number = value.__index__()
    else:
        raise TypeError(f"the {what} must be an int or a hex string, not {type(value).__name__}")
    if not 0 <= number <= 0xFFFF:
        raise InvalidValueError(f"the {what} must be in the range 0 to 0xFFFF, not {number:#x}")
    return number


def _from_string(text: str) -> BaseTag:
    """A tag from a keyword or a hex string."""
    s = text.strip()
    if s[:1] == "(" and s[-1:] == ")":
        s = s[1:-1]
    if "," in s:
        group, _, elem = s.partition(",")
        return BaseTag(_part(group, "group") << 16 | _part(elem, "element"))
    prefixed = s[:2] in ("0x", "0X")
    digits = s[2:] if prefixed else s
    if digits and len(digits) <= 8 and _HEX_DIGITS.issuperset(digits):
        if not prefixed and len(s) != 8:
            # Bare hex must be all eight digits, so that a short keyword-like
            # word is never read as a number.
            raise InvalidValueError(
                f"{text!r} is neither a keyword nor a tag; write hex tags as "
                "'0x00100010', '00100010' or '(0010,0010)'"
            )
        return BaseTag(int(digits, 16))
    global _tag_for_keyword
    if _tag_for_keyword is None:
        from .datadict import tag_for_keyword

        _tag_for_keyword = tag_for_keyword
    tag = _tag_for_keyword(s)
    if tag is None:
        raise InvalidValueError(f"{text!r} is not a known DICOM keyword or a hex tag")
    return BaseTag(tag)


def Tag(
    arg: int | str | tuple[int, int] | tuple[str, str] | list[int] | list[str],
    arg2: int | None = None,
) -> BaseTag:
    """Return a :class:`BaseTag` for anything that names a tag.

    Parameters
    ----------
    arg : int, str, tuple or list
        One of: the tag as an int (``0x00100010``); a :class:`BaseTag` (returned
        as is); a ``(group, element)`` pair of ints or hex strings; a keyword
        (``"PatientName"``); or a hex string (``"0x00100010"``, ``"00100010"``,
        ``"(0010,0010)"`` or ``"0010,0010"``). The group, when ``arg2`` is
        given.
    arg2 : int, optional
        The element, when ``arg`` is the group.

    Returns
    -------
    BaseTag
        The tag.

    Raises
    ------
    ValueError
        (:class:`~dicodec.errors.InvalidValueError`) for an unknown keyword, an
        unreadable string or a number out of range.
    TypeError
        For an argument of the wrong type.

    Examples
    --------
    >>> Tag(0x00100010), Tag(0x10, 0x20), Tag((0x0028, 0x0010))
    ((0010,0010), (0010,0020), (0028,0010))
    >>> Tag("PixelData"), Tag("0x7FE00010"), Tag("(7fe0,0010)")
    ((7FE0,0010), (7FE0,0010), (7FE0,0010))
    >>> Tag("NoSuchKeyword")
    Traceback (most recent call last):
    ...
    dicodec.errors.InvalidValueError: 'NoSuchKeyword' is not a known DICOM keyword or a hex tag
    """
    if arg2 is None:
        if type(arg) is int:
            if 0 <= arg <= 0xFFFFFFFF:
                return BaseTag(arg)
            raise InvalidValueError(f"a tag must be in the range 0 to 0xFFFFFFFF, not {arg:#x}")
        if type(arg) is BaseTag:
            return arg
        if isinstance(arg, str):
            return _from_string(arg)
        if isinstance(arg, (tuple, list)):
            if len(arg) != 2:
                raise InvalidValueError(
                    f"a tag sequence must hold (group, element), not {len(arg)} values"
                )
            return BaseTag(_part(arg[0], "group") << 16 | _part(arg[1], "element"))
        if isinstance(arg, int) or hasattr(arg, "__index__"):
            value = arg.__index__()
            if 0 <= value <= 0xFFFFFFFF:
                return BaseTag(value)
            raise InvalidValueError(f"a tag must be in the range 0 to 0xFFFFFFFF, not {value:#x}")
        raise TypeError(
            f"a tag must be an int, a (group, element) pair or a string, not {type(arg).__name__}"
        )
    return BaseTag(_part(arg, "group") << 16 | _part(arg2, "element"))


ItemTag = BaseTag(0xFFFEE000)
"""(FFFE,E000): starts an item of a sequence or an encapsulated fragment."""
ItemDelimiterTag = BaseTag(0xFFFEE00D)
"""(FFFE,E00D): ends an item of undefined length."""
SequenceDelimiterTag = BaseTag(0xFFFEE0DD)
"""(FFFE,E0DD): ends a sequence of undefined length."""
