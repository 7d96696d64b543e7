"""Data elements: the converted :class:`DataElement` and the reader's :class:`RawDataElement`.

Examples
--------
>>> from dicodec.dataelem import DataElement
>>> elem = DataElement(0x00100010, "PN", "Doe^John")
>>> elem.keyword, elem.VM
('PatientName', 1)
>>> print(elem)
(0010,0010) Patient's Name                      PN: 'Doe^John'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .changes import changed
from .errors import DicodecWarning, InvalidDicomError, InvalidValueError
from .tag import BaseTag, Tag
from .vr import BYTES_VRS, NUMERIC_VRS, STRING_VRS, TEXT_VRS

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import Dataset

__all__ = ["DataElement", "RawDataElement", "convert_raw_element"]

_SUMMARY_VRS = BYTES_VRS | {"UT", "UC", "LT", "ST"} | set(NUMERIC_VRS)
_MAX_SHOWN = 16  # longer binary or long text values are summarised in str(ds)


class RawDataElement(NamedTuple):
    """An element as read: value bytes not yet converted.

    ``VR`` is ``None`` for implicit VR data; ``value`` is ``None`` for a deferred read.
    """

    tag: int
    VR: str | None
    length: int
    value: bytes | None
    value_tell: int
    is_implicit_VR: bool
    is_little_endian: bool


def _validate(vr: str, value: Any) -> None:
    from .config import IGNORE, settings

    mode = settings.writing_validation_mode
    if mode != IGNORE and vr in STRING_VRS and value:  # empty values are always valid
        from .valuerep import validate_value

        validate_value(vr, value, mode)


class DataElement:
    """One DICOM data element: tag, VR and Python value.

    Parameters
    ----------
    tag : int or tuple or str
        Anything :func:`dicodec.tag.Tag` accepts.
    VR : str
        The two-letter Value Representation.
    value : object
        The value; strings with backslashes are split for multi-valued VRs,
        lists become a ``MultiValue``, ``SQ`` values become a ``Sequence``.
    file_value_tell : int, optional
        Offset of the value in the file it was read from.
    is_undefined_length : bool
        Whether the element was read with undefined length.

    Examples
    --------
    >>> from dicodec.dataelem import DataElement
    >>> DataElement("ImageType", "CS", "ORIGINAL\\\\PRIMARY").value
    ['ORIGINAL', 'PRIMARY']
    """

    __slots__ = ("_value", "_vr", "file_tell", "is_undefined_length", "private_creator", "tag")

    def __init__(
        self,
        tag: int | tuple[int, int] | str,
        VR: str,
        value: Any,
        file_value_tell: int | None = None,
        is_undefined_length: bool = False,
        *,
        validate: bool = True,
    ) -> None:
        self.tag: BaseTag = tag if type(tag) is BaseTag else Tag(tag)
        self._vr: str = str(VR)
        self.file_tell = file_value_tell
        self.is_undefined_length = is_undefined_length
        self.private_creator: str | None = None
        self._value: Any = None
        if validate:
            self.value = value
        else:
            self._value = value

    @classmethod
    def _from_converted(cls, tag: int, vr: str, value: Any, tell: int | None) -> DataElement:
        elem = cls.__new__(cls)
        elem.tag = BaseTag(tag)
        elem._vr = vr
        elem._value = value
        elem.file_tell = tell
        elem.is_undefined_length = False
        elem.private_creator = None
        return elem

    # ------------------------------------------------------------------ value
    @property
    def value(self) -> Any:
        """The element's value (assigning converts it as the VR requires)."""
        return self._value

    @value.setter
    def value(self, val: Any) -> None:
        self._value = self._convert(val)
        changed()

    @property
    def VR(self) -> str:
        """The two-letter Value Representation."""
        return self._vr

    @VR.setter
    def VR(self, vr: str) -> None:
        self._vr = vr
        changed()

    def _convert(self, val: Any) -> Any:
        vr = self.VR
        if vr == "SQ":
            from .sequence import Sequence

            if isinstance(val, Sequence):
                return val
            return Sequence(val or [])
        if val is None:
            return None
        if isinstance(val, str) and vr in STRING_VRS:
            if "\\" in val and vr not in TEXT_VRS:
                val = val.split("\\")
            elif vr not in ("DS", "IS", "PN", "UI"):
                _validate(vr, val)
                return val
        if isinstance(val, (list, tuple)):
            from .valuerep import MultiValue

            return MultiValue(_ValueConverter(vr), val)
        return _convert_one(vr, val)

    @property
    def VM(self) -> int:
        """Value Multiplicity: 0 when empty, the number of values otherwise."""
        v = self._value
        if v is None:
            return 0
        if isinstance(v, (str, bytes, bytearray)) or (self.VR == "PN" and not isinstance(v, list)):
            return 1 if v else 0
        if self.VR == "SQ" or isinstance(v, list):
            return len(v)
        return 1

    @property
    def is_empty(self) -> bool:
        """True when the element holds no value."""
        return self.VM == 0

    @property
    def empty_value(self) -> Any:
        """The value this element holds when empty."""
        from .values import empty_value_for_vr

        return empty_value_for_vr(self.VR)

    def clear(self) -> None:
        """Set the value to the VR's empty value."""
        self._value = self.empty_value
        changed()

    # --------------------------------------------------------------- naming
    @property
    def is_private(self) -> bool:
        """True for elements in an odd group."""
        return self.tag.is_private

    @property
    def keyword(self) -> str:
        """The dictionary keyword, or ``''`` for private and unknown tags."""
        from .datadict import keyword_for_tag

        return keyword_for_tag(self.tag)

    @property
    def name(self) -> str:
        """The element's name as printed by ``str(ds)``."""
        from . import datadict

        tag = self.tag
        if tag.is_private:
            if tag.is_private_creator:
                return "Private Creator"
            if self.private_creator:
                try:
                    return "[" + datadict.private_dictionary_description(tag, self.private_creator) + "]"
                except KeyError:
                    pass
            return "Private tag data"
        try:
            return datadict.dictionary_description(tag)
        except KeyError:
            return "Group Length" if tag & 0xFFFF == 0 else "Unknown element"

    def description(self) -> str:
        """Same as :attr:`name`."""
        return self.name

    @property
    def is_retired(self) -> bool:
        """True for retired standard elements."""
        from .datadict import dictionary_is_retired

        try:
            return bool(dictionary_is_retired(self.tag))
        except KeyError:
            return False

    # ------------------------------------------------------------- printing
    @property
    def repval(self) -> str:
        """A short printable form of the value; long arrays are summarised."""
        v = self._value
        if self.VR in _SUMMARY_VRS and v is not None:
            try:
                n = len(v)
            except TypeError:
                n = 0
            if n > (_MAX_SHOWN if self.VR in BYTES_VRS or self.VR in NUMERIC_VRS else 1024):
                return f"Array of {n} elements"
        if self.VR == "SQ":
            return f"<Sequence, length {len(v)}>"
        from .uid import UID

        if isinstance(v, UID):
            return v.name if v.is_transfer_syntax or v.name != str(v) else repr(str(v))
        return repr(v)

    def __str__(self) -> str:
        return f"{self.tag} {self.name[:35]:<35} {self.VR}: {self.repval}"

    def __repr__(self) -> str:
        return str(self) if self.VR != "SQ" else repr(self._value)

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in DataElement.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    # ------------------------------------------------------------ comparison
    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if isinstance(other, DataElement):
            return self.tag == other.tag and self.VR == other.VR and self._value == other._value
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None  # type: ignore[assignment]

    def __lt__(self, other: DataElement) -> bool:
        return self.tag < other.tag

    # ----------------------------------------------------------------- JSON
    def to_json_dict(
        self,
        bulk_data_element_handler: Callable[[DataElement], str] | None = None,
        bulk_data_threshold: int = 1024,
    ) -> dict[str, Any]:
        """This element in the DICOM JSON model (PS3.18 F.2)."""
        from .jsonrep import element_to_json_dict

        return element_to_json_dict(self, bulk_data_element_handler, bulk_data_threshold)


def _convert_one(vr: str, val: Any) -> Any:
    """Convert one user-supplied value to the type its VR uses."""
    if val is None:
        return None
    if vr == "DS":
        from .valuerep import DSfloat

        return val if isinstance(val, DSfloat) else DSfloat(val)
    if vr == "IS":
        from .valuerep import IS

        return val if isinstance(val, IS) else IS(val)
    if vr == "PN":
        from .valuerep import PersonName

        return val if isinstance(val, PersonName) else PersonName(val)
    if vr == "UI":
        from .uid import UID

        if isinstance(val, str):
            _validate(vr, val)
            return val if isinstance(val, UID) else UID(val)
    if vr == "AT":
        return Tag(val)
    if vr in STRING_VRS and isinstance(val, str):
        _validate(vr, val)
    return val



class _ValueConverter:
    """The (picklable) type constructor of a MultiValue of one VR."""

    __slots__ = ("vr",)

    def __init__(self, vr: str) -> None:
        self.vr = vr

    def __call__(self, val: Any) -> Any:
        return _convert_one(self.vr, val)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_ValueConverter, (self.vr,))


# ------------------------------------------------------------------ conversion
_US_OR_SS_DESCRIPTORS = frozenset({0x00283002, 0x00281101, 0x00281102, 0x00281103})


def _lookup(ds: Dataset | None, tag: int) -> Any:
    """Find an element value in ``ds`` or its parents (for VR resolution)."""
    while ds is not None:
        if tag in ds._dict:
            try:
                return ds[tag].value
            except Exception:
                return None
        ds = ds.parent
    return None


def resolve_ambiguous_vr(
    tag: int, vr: str, ds: Dataset | None, is_encapsulated: bool = False, is_implicit: bool = False
) -> str:
    """Pick one VR for a dictionary entry such as ``'US or SS'`` from the data set context.

    Examples
    --------
    >>> resolve_ambiguous_vr(0x00280106, "US or SS", None)
    'US'
    """
    if " or " not in vr:
        return vr
    if vr == "US or SS":
        if tag in _US_OR_SS_DESCRIPTORS:
            return "US"
        return "SS" if _lookup(ds, 0x00280103) == 1 else "US"
    if vr == "OB or OW":
        if tag == 0x7FE00010:
            if is_encapsulated:
                return "OB"
            if is_implicit:
                return "OW"  # PS3.5 A.1: implicit VR Pixel Data is OW
            bits = _lookup(ds, 0x00280100)
            return "OB" if isinstance(bits, int) and bits <= 8 else "OW"
        if tag == 0x54001010:
            bits = _lookup(ds, 0x5400100A)
            return "OB" if isinstance(bits, int) and bits <= 8 else "OW"
        return "OW"
    if vr == "US or SS or OW":
        return "OW"
    if vr == "US or OW":
        return "OW"
    return vr.split(" or ")[0]


def _implicit_vr(tag: int, ds: Dataset | None, private_creator: str | None, length: int, implicit: bool = True) -> str:
    from . import datadict

    try:
        vr = datadict.dictionary_VR(tag)
    except KeyError:
        if tag >> 16 & 1:
            if 0x0010 <= tag & 0xFFFF <= 0x00FF:
                return "LO"
            if private_creator:
                try:
                    return datadict.private_dictionary_VR(tag, private_creator)
                except KeyError:
                    pass
        elif tag & 0xFFFF == 0:
            return "UL"
        return "UN"
    if not vr or vr == "NONE":
        return "UN"
    return resolve_ambiguous_vr(tag, vr, ds, length == 0xFFFFFFFF, implicit)


def convert_raw_element(raw: RawDataElement, ds: Dataset | None) -> DataElement:
    """Convert a :class:`RawDataElement` to a :class:`DataElement` in the context of ``ds``.

    Implicit VRs come from the dictionaries; ``UN`` elements whose tag is known are
    re-read with the dictionary VR; ambiguous dictionary VRs are resolved from the
    data set; a value that does not fit its VR is kept as bytes with a warning.
    """
    tag = raw.tag
    vr = raw.VR
    implicit_un = False
    private_creator = None
    if tag >> 16 & 1 and ds is not None and tag & 0xFFFF >= 0x1000:
        private_creator = ds._private_creator_of(tag)
    little = raw.is_little_endian
    if vr is None:
        vr = _implicit_vr(tag, ds, private_creator, raw.length)
    elif vr == "UN":
        known = _implicit_vr(tag, ds, private_creator, raw.length)
        if known != "UN":
            vr = known
            implicit_un = True
    value_bytes = raw.value
    if value_bytes is None:
        if ds is None:
            raise InvalidDicomError("deferred element has no data set to read from", tag=tag)
        value_bytes = ds._read_deferred(raw)
    if vr == "UN" and value_bytes[:4] in (b"\xfe\xff\x00\xe0", b"\xfe\xff\xdd\xe0") and len(value_bytes) >= 8:
        # An unknown element whose value is a list of items: a sequence in implicit VR LE
        # (private sequences written as UN, PS3.5 6.2.2 note). Keep the bytes if it is not.
        from .filereader import parse_sequence_value

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", DicodecWarning)
                seq = parse_sequence_value(tag, value_bytes, True, True)
        except (DicodecWarning, InvalidDicomError, ValueError, IndexError):
            seq = None
        if seq is not None:
            for item in seq:
                item.parent = ds
            elem = DataElement._from_converted(tag, "SQ", seq, raw.value_tell)
            elem.private_creator = private_creator
            return elem
    if vr == "SQ":
        from .filereader import parse_sequence_value

        seq = parse_sequence_value(tag, value_bytes, raw.is_implicit_VR or implicit_un, little)
        for item in seq:
            item.parent = ds
        elem = DataElement._from_converted(tag, "SQ", seq, raw.value_tell)
        elem.private_creator = private_creator
        return elem
    encodings = ds._character_set if ds is not None else None
    from .values import convert_value

    try:
        value = convert_value(vr, value_bytes, little, encodings)
    except InvalidValueError as exc:
        warnings.warn(
            f"{BaseTag(tag)}: {exc}; the value is kept as raw bytes",
            DicodecWarning,
            stacklevel=4,
        )
        value = value_bytes
    elem = DataElement._from_converted(tag, vr, value, raw.value_tell)
    elem.private_creator = private_creator
    elem.is_undefined_length = raw.length == 0xFFFFFFFF
    return elem
