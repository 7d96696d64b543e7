"""The DICOM JSON model (PS3.18 Annex F), in both directions.

:meth:`Dataset.to_json_dict <dicodec.dataset.Dataset.to_json_dict>` and
:meth:`Dataset.from_json <dicodec.dataset.Dataset.from_json>` are the usual way in;
the functions here do the work. Sequences are walked with an explicit stack, so
items may nest as deeply as the data does without hitting Python's recursion limit.

What is written, per VR:

* strings (AE AS CS DA DT LO LT SH ST TM UC UI UR UT) as JSON strings; an empty
  value inside a multi-valued element as ``null`` (F.2.5);
* PN as objects holding the non-empty groups ``Alphabetic``, ``Ideographic`` and
  ``Phonetic``;
* AT as ``"GGGGEEEE"`` strings;
* US SS UL SL SV UV FL FD as numbers; IS as integers; DS as numbers, integral when
  the decimal string is an integer, and as the original string when it is not a
  finite number or not a number at all (F.2.3 allows strings for DS and IS);
* OB OD OF OL OV OW UN as ``InlineBinary`` (base64), or as ``BulkDataURI`` when a
  bulk data handler is given and the base64 text would be longer than the threshold;
* SQ as an array of item objects.

Elements without a value have no ``"Value"`` key. Group length elements
``(gggg,0000)`` are left out, as F.2.2 requires; they are accepted when reading.

Examples
--------
>>> from dicodec import Dataset
>>> ds = Dataset(PatientName="Doe^Jane", Rows=512)
>>> d = ds.to_json_dict()
>>> d["00100010"]
{'vr': 'PN', 'Value': [{'Alphabetic': 'Doe^Jane'}]}
>>> d["00280010"]
{'vr': 'US', 'Value': [512]}
>>> Dataset.from_json(d) == ds
True
"""

from __future__ import annotations

import base64
import binascii
import inspect
import itertools
import json
import math
import re
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from .dataelem import DataElement, resolve_ambiguous_vr
from .errors import DicodecWarning, InvalidValueError, LimitExceeded
from .tag import BaseTag
from .vr import ALL_VRS, BYTES_VRS, CHARSET_VRS, STRING_VRS, TEXT_VRS

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import Dataset

__all__ = [
    "JSON_VALUE_KEYS",
    "dataset_from_json",
    "dataset_to_json_dict",
    "element_to_json_dict",
]

JSON_VALUE_KEYS: tuple[str, str, str] = ("Value", "InlineBinary", "BulkDataURI")
"""The keys of an attribute object that may hold its value (at most one is present)."""

_PN_GROUPS = ("Alphabetic", "Ideographic", "Phonetic")
_INT_VRS = frozenset({"US", "SS", "UL", "SL", "SV", "UV"})
_FLOAT_VRS = frozenset({"FL", "FD"})
_INT_RANGES: dict[str, tuple[int, int]] = {
    "US": (0, 0xFFFF),
    "SS": (-0x8000, 0x7FFF),
    "UL": (0, 0xFFFFFFFF),
    "SL": (-0x80000000, 0x7FFFFFFF),
    "SV": (-(1 << 63), (1 << 63) - 1),
    "UV": (0, (1 << 64) - 1),
}
_INT_TEXT = re.compile(r"[+-]?[0-9]+\Z")
_HEX8 = re.compile(r"[0-9A-Fa-f]{8}\Z")

# ------------------------------------------------------------------ helpers


def _where(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _as_items(value: Any) -> list[Any]:
    """The element value as a list of single values (empty for no value)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return [value] if len(value) else []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


# ------------------------------------------------------------- to JSON


class _Pending(NamedTuple):
    """An item whose JSON object is created but not yet filled."""

    item: Dataset
    out: dict[str, Any]


def _number_from_text(vr: str, text: str) -> int | float | str | None:
    """A DS or IS string as a JSON number, or as the string when it is no such number.

    Integer strings become integers (also for DS); IS strings such as ``"1.0"``
    become integers; anything that is not a finite number of the VR's kind stays
    a string, as F.2.3 allows for DS and IS.
    """
    text = text.strip(" \x00")
    if not text:
        return None
    if _INT_TEXT.match(text):
        return int(text)
    if "_" in text:  # float() accepts digit separators; DICOM does not
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    if vr == "IS":
        return int(number) if number.is_integer() else text
    return number


def _ds_is_json(vr: str, v: Any) -> int | float | str | None:
    """One DS or IS value in its JSON form."""
    if v is None:
        return None
    if isinstance(v, bool):
        raise TypeError(f"a {vr} value cannot be a bool")
    if isinstance(v, str):
        return _number_from_text(vr, v)
    if getattr(v, "original_string", None) is not None:
        # Read from a file or made from a string: keep what the string says.
        return _number_from_text(vr, str(v))
    if isinstance(v, int):
        return int(v)
    number = float(v)
    if not math.isfinite(number):
        return str(v).strip(" ") or None
    if vr == "IS":
        if not number.is_integer():
            raise ValueError(f"{v!r} is not an integer")
        return int(number)
    # A DS made from a number: an integral value is written as an integer.
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _pn_json(v: Any) -> dict[str, str] | None:
    """One PN value as an object of its non-empty component groups."""
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        raise TypeError("an undecoded PN value (bytes) cannot be written as JSON")
    groups = str(v).split("=")
    if len(groups) > 3:  # not valid DICOM; keep the surplus in the last group, losslessly
        groups = [groups[0], groups[1], "=".join(groups[2:])]
    obj = {name: text for name, text in zip(_PN_GROUPS, groups, strict=False) if text}
    return obj or None


def _string_json(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        raise TypeError("an undecoded string value (bytes) cannot be written as JSON")
    s = str(v)
    return s if s else None


def _values_json(vr: str, value: Any) -> list[Any]:
    """The ``"Value"`` array of a non-sequence, non-binary element (empty when no value)."""
    if vr in ("DS", "IS") and isinstance(value, (bytes, bytearray)):
        # Kept as bytes by the reader because it is not a valid number string:
        # F.2.3 lets DS and IS travel as strings.
        text = bytes(value).decode("latin-1")
        values = [_number_from_text(vr, part) for part in text.split("\\")]
        return [] if values == [None] else values
    items = _as_items(value)
    if not items:
        return []
    if vr in _INT_VRS:
        out: list[Any] = []
        for v in items:
            if v is None:
                out.append(None)
            elif isinstance(v, (bytes, bytearray)):
                raise TypeError(f"an undecoded {vr} value (bytes) cannot be written as JSON")
            elif isinstance(v, float) and not v.is_integer():
                raise ValueError(f"{v!r} is not an integer")
            else:
                out.append(int(v))
        return out
    if vr in _FLOAT_VRS:
        out = []
        for v in items:
            if v is None:
                out.append(None)
            elif isinstance(v, (bytes, bytearray)):
                raise TypeError(f"an undecoded {vr} value (bytes) cannot be written as JSON")
            else:
                out.append(float(v))
        return out
    if vr in ("DS", "IS"):
        out = [_ds_is_json(vr, v) for v in items]
    elif vr == "PN":
        out = [_pn_json(v) for v in items]
    elif vr == "AT":
        out = [None if v is None else f"{int(v):08X}" for v in items]
    elif vr in STRING_VRS:
        out = [_string_json(v) for v in items]
    else:  # pragma: no cover - every VR is handled above
        raise TypeError(f"unknown VR {vr!r}")
    if len(out) == 1 and out[0] is None:
        return []
    return out


def _element_json(
    elem: DataElement,
    handler: Callable[[DataElement], str] | None,
    threshold: int,
    ds: Dataset | None,
) -> tuple[dict[str, Any], list[_Pending]]:
    """The attribute object of one element and the sequence items still to fill."""
    vr = elem.VR
    if " or " in vr:
        vr = resolve_ambiguous_vr(elem.tag, vr, ds)
    if vr not in ALL_VRS:
        raise InvalidValueError(f"{_where(elem.tag)}: {vr!r} is not a valid VR")
    entry: dict[str, Any] = {"vr": vr}
    value = elem.value
    if vr == "SQ":
        from .dataset import Dataset

        if value is None:
            value = ()
        elif not isinstance(value, list) or not all(isinstance(i, Dataset) for i in value):
            raise InvalidValueError(
                f"{_where(elem.tag)}: an SQ value must be a list of data sets, "
                f"not {type(value).__name__}"
            )
        pending = []
        objects: list[dict[str, Any]] = []
        for item in value:
            obj: dict[str, Any] = {}
            objects.append(obj)
            pending.append(_Pending(item, obj))
        if objects:
            entry["Value"] = objects
        return entry, pending
    if vr in BYTES_VRS:
        if value is None:
            return entry, []
        try:
            data = value if isinstance(value, bytes) else bytes(value)
        except (TypeError, ValueError) as exc:
            raise InvalidValueError(
                f"{_where(elem.tag)}: a {vr} value must be bytes-like, not {type(value).__name__}"
            ) from exc
        if not data:
            return entry, []
        # The threshold applies to the base64 text: 4 characters per 3 bytes.
        if handler is not None and 4 * ((len(data) + 2) // 3) > threshold:
            entry["BulkDataURI"] = handler(elem)
        else:
            entry["InlineBinary"] = base64.b64encode(data).decode("ascii")
        return entry, []
    try:
        values = _values_json(vr, value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidValueError(
            f"{_where(elem.tag)}: the {vr} value {value!r:.80} cannot be written as JSON: {exc}"
        ) from exc
    if values:
        entry["Value"] = values
    return entry, []


def _fill(
    stack: list[_Pending],
    handler: Callable[[DataElement], str] | None,
    threshold: int,
    suppress: bool,
) -> None:
    """Fill the JSON objects of the pending data sets, depth first, without recursion."""
    while stack:
        ds, out = stack.pop()
        for tag in ds.keys():
            if not tag & 0xFFFF:
                continue  # group length: not part of the JSON model (F.2.2)
            try:
                elem = ds[tag]
                entry, pending = _element_json(elem, handler, threshold, ds)
            except Exception as exc:
                if not suppress:
                    raise
                warnings.warn(
                    f"{_where(tag)} is left out of the JSON: {exc}", DicodecWarning, stacklevel=4
                )
                continue
            out[tag.json_key] = entry
            if pending:
                stack.extend(reversed(pending))


def element_to_json_dict(
    elem: DataElement,
    bulk_data_element_handler: Callable[[DataElement], str] | None,
    bulk_data_threshold: int,
) -> dict[str, Any]:
    """One element as a DICOM JSON attribute object (PS3.18 F.2).

    Parameters
    ----------
    elem : DataElement
        The element; a sequence is converted with all its items.
    bulk_data_element_handler : callable or None
        Called with a binary element (OB, OD, OF, OL, OV, OW, UN) whose base64 text
        would be longer than `bulk_data_threshold`; returns its ``BulkDataURI``.
        Without a handler binary values are always written inline.
    bulk_data_threshold : int
        The longest base64 text written inline when a handler is given.

    Returns
    -------
    dict
        ``{"vr": ...}`` plus one of ``"Value"``, ``"InlineBinary"`` or
        ``"BulkDataURI"`` when the element has a value.

    Raises
    ------
    InvalidValueError
        If the value cannot be written in the JSON model (the message names the tag).

    Examples
    --------
    >>> from dicodec.dataelem import DataElement
    >>> element_to_json_dict(DataElement(0x00200032, "DS", ["1", "2.5", "-3"]), None, 1024)
    {'vr': 'DS', 'Value': [1, 2.5, -3]}
    >>> element_to_json_dict(DataElement(0x00091010, "OB", b"\\x01\\x02"), None, 1024)
    {'vr': 'OB', 'InlineBinary': 'AQI='}
    """
    entry, pending = _element_json(elem, bulk_data_element_handler, bulk_data_threshold, None)
    _fill(list(reversed(pending)), bulk_data_element_handler, bulk_data_threshold, False)
    return entry


def dataset_to_json_dict(
    ds: Dataset,
    bulk_data_threshold: int = 1024,
    bulk_data_element_handler: Callable[[DataElement], str] | None = None,
    suppress_invalid_tags: bool = False,
) -> dict[str, Any]:
    """A data set as a DICOM JSON model object (PS3.18 F.2).

    Parameters
    ----------
    ds : Dataset
        The data set; elements are converted through ``ds[tag]`` as needed.
    bulk_data_threshold : int
        The longest base64 text written inline when a handler is given.
    bulk_data_element_handler : callable or None
        Returns the ``BulkDataURI`` of a binary element whose base64 text would be
        longer than `bulk_data_threshold`.
    suppress_invalid_tags : bool
        Leave out (with a :class:`~dicodec.errors.DicodecWarning`) elements whose
        value cannot be read or written as JSON, instead of raising.

    Returns
    -------
    dict
        Keys are ``"GGGGEEEE"`` tags in ascending order; group lengths are left out.

    Raises
    ------
    InvalidValueError
        For a value that cannot be written, unless `suppress_invalid_tags` is set.

    Examples
    --------
    >>> from dicodec import Dataset
    >>> item = Dataset(ReferencedSOPInstanceUID="1.2.3")
    >>> ds = Dataset(ImageType=["ORIGINAL", "PRIMARY"], ReferencedImageSequence=[item])
    >>> dataset_to_json_dict(ds)["00081140"]
    {'vr': 'SQ', 'Value': [{'00081155': {'vr': 'UI', 'Value': ['1.2.3']}}]}
    >>> dataset_to_json_dict(ds)["00080008"]["Value"]
    ['ORIGINAL', 'PRIMARY']
    """
    out: dict[str, Any] = {}
    _fill(
        [_Pending(ds, out)], bulk_data_element_handler, bulk_data_threshold, suppress_invalid_tags
    )
    return out


# ----------------------------------------------------------- from JSON


class _Path(NamedTuple):
    """Where an item sits, for error messages: built only when an error is reported."""

    parent: _Path | None
    tag: int
    position: int


def _describe(path: _Path | None, tag: int) -> str:
    parts = [_where(tag)]
    while path is not None:
        parts.append(f"{_where(path.tag)}[{path.position}]")
        path = path.parent
    return " > ".join(reversed(parts))


class _ElementError(Exception):
    """A problem with one attribute object; turned into InvalidValueError with its path."""


BulkDataHandler = Callable[[str, str, str], Any]


def _wrap_uri_handler(handler: Callable[..., Any] | None) -> BulkDataHandler | None:
    """Call `handler` as (tag, vr, uri), whichever of the two forms it takes."""
    if handler is None:
        return None
    try:
        params = list(inspect.signature(handler).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature: assume the full form
        return handler
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return handler
    positional = [
        p
        for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    required = [p for p in positional if p.default is inspect.Parameter.empty]
    if len(positional) >= 3 and len(required) <= 3:
        return handler
    if len(positional) >= 1 and len(required) <= 1:
        uri_only = handler

        def call(tag: str, vr: str, uri: str) -> Any:
            return uri_only(uri)

        return call
    raise TypeError("bulk_data_uri_handler must take (uri) or (tag, vr, uri)")


def _dictionary_vr(tag: int, ds: Dataset) -> str:
    """The VR for an attribute object without ``"vr"``: from the dictionaries."""
    from . import datadict

    try:
        vr = datadict.dictionary_VR(tag)
    except KeyError:
        vr = "UN"
        if tag >> 16 & 1 and tag & 0xFFFF >= 0x1000:
            creator_tag = (tag & 0xFFFF0000) | ((tag >> 8) & 0xFF)
            if creator_tag in ds:
                creator = ds[creator_tag].value
                if isinstance(creator, bytes):
                    creator = creator.decode("latin-1")
                if isinstance(creator, str) and creator.strip(" \x00"):
                    try:
                        vr = datadict.private_dictionary_VR(tag, creator.strip(" \x00"))
                    except KeyError:
                        pass
    if " or " in vr:
        vr = resolve_ambiguous_vr(tag, vr, ds)
    if vr not in ALL_VRS:  # "NONE" (item tags) or private entries such as "US or SS"
        vr = "UN"
    return vr


def _empty_value(vr: str) -> Any:
    from .values import empty_value_for_vr

    return empty_value_for_vr(vr)


def _pn_from_json(v: Any) -> str:
    if isinstance(v, str):
        warnings.warn(
            "a PN value is a plain string, not an object of component groups; it is used as is",
            DicodecWarning,
            stacklevel=6,
        )
        return v
    if not isinstance(v, dict):
        raise _ElementError(f"a PN value must be an object, not {type(v).__name__}")
    unknown = set(v) - set(_PN_GROUPS)
    if unknown:
        raise _ElementError(f"unknown PN component group(s) {sorted(unknown)}")
    groups = []
    for name in _PN_GROUPS:
        text = v.get(name)
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise _ElementError(
                f"the PN group {name!r} must be a string, not {type(text).__name__}"
            )
        groups.append(text)
    while groups and not groups[-1]:
        groups.pop()
    return "=".join(groups)


def _int_from_json(vr: str, v: Any) -> int:
    if isinstance(v, bool):
        raise _ElementError(f"a {vr} value must be a number, not a bool")
    if isinstance(v, float):
        if not v.is_integer():
            raise _ElementError(f"the {vr} value {v!r} is not an integer")
        v = int(v)
    elif isinstance(v, str) and vr in ("SV", "UV") and _INT_TEXT.match(v.strip()):
        v = int(v.strip())  # F.2.3: SV and UV may be strings
    if not isinstance(v, int):
        raise _ElementError(f"a {vr} value must be a number, not {type(v).__name__}")
    low, high = _INT_RANGES[vr]
    if not low <= v <= high:
        raise _ElementError(f"the {vr} value {v} is out of range")
    return v


def _one_from_json(vr: str, v: Any) -> Any:
    """One entry of a ``"Value"`` array as the Python value for a DataElement."""
    if v is None:
        if vr == "PN" or (vr in STRING_VRS and vr not in ("DS", "IS")):
            return ""
        return None
    if vr == "PN":
        return _pn_from_json(v)
    if vr in ("DS", "IS"):
        if isinstance(v, str):
            v = v.strip(" ")
            return v if v else None
        if not _is_number(v):
            raise _ElementError(
                f"a {vr} value must be a number or a string, not {type(v).__name__}"
            )
        if vr == "IS" and isinstance(v, float):
            if not v.is_integer():
                raise _ElementError(f"the IS value {v!r} is not an integer")
            return int(v)
        return v
    if vr in STRING_VRS:
        if not isinstance(v, str):
            raise _ElementError(f"a {vr} value must be a string, not {type(v).__name__}")
        return v
    if vr in _INT_VRS:
        return _int_from_json(vr, v)
    if vr in _FLOAT_VRS:
        if not _is_number(v):
            raise _ElementError(f"a {vr} value must be a number, not {type(v).__name__}")
        return float(v)
    if vr == "AT":
        if not isinstance(v, str) or not _HEX8.match(v):
            raise _ElementError(f"an AT value must be an 8-digit hex string, not {v!r:.40}")
        return BaseTag(int(v, 16))
    raise _ElementError(f"a {vr} element cannot have a 'Value' array; use 'InlineBinary'")


def _values_from_json(vr: str, values: list[Any]) -> Any:
    """A ``"Value"`` array as the value for a DataElement (single, list or empty)."""
    if not values:
        return _empty_value(vr)
    out = [_one_from_json(vr, v) for v in values]
    if len(out) == 1:
        only = out[0]
        return _empty_value(vr) if only is None or only == "" else only
    return out


def _value_from_bytes(vr: str, data: bytes) -> Any:
    """Bytes from InlineBinary or a bulk data handler as the value of a ``vr`` element."""
    if vr in BYTES_VRS:
        return data
    if vr == "SQ":
        raise _ElementError("a sequence cannot be given as binary data")
    from .values import convert_value

    # Character data in bulk data is UTF-8 (PS3.18 F.2.2 note 4); binary data is
    # little endian.
    try:
        return convert_value(vr, data, True, ["utf_8"] if vr in CHARSET_VRS else None)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise _ElementError(f"the binary data is not a valid {vr} value: {exc}") from exc


def _decode_base64(value: Any) -> bytes:
    # PS3.18 gives a string, but its own example wraps it in an array: take both.
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str):
        raise _ElementError(f"'InlineBinary' must be a base64 string, not {type(value).__name__}")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _ElementError(f"'InlineBinary' is not valid base64: {exc}") from exc


def _bulk_value(key: str, vr: str, uri: Any, handler: BulkDataHandler | None) -> Any:
    if isinstance(uri, list) and len(uri) == 1:
        uri = uri[0]
    if not isinstance(uri, str):
        raise _ElementError(f"'BulkDataURI' must be a string, not {type(uri).__name__}")
    if handler is None:
        warnings.warn(
            f"({key[:4]},{key[4:]}): no bulk_data_uri_handler was given to fetch {uri!r}; "
            "the element is left empty",
            DicodecWarning,
            stacklevel=5,
        )
        return _empty_value(vr)
    result = handler(key, vr, uri)
    if result is None:
        return _empty_value(vr)
    if isinstance(result, (bytes, bytearray, memoryview)):
        return _value_from_bytes(vr, bytes(result))
    if vr == "SQ" or vr in BYTES_VRS:
        raise _ElementError(
            f"the bulk data handler returned {type(result).__name__}, not bytes, for a {vr} element"
        )
    return _values_from_json(vr, result if isinstance(result, list) else [result])


def _lenient_element(tag: int, vr: str, value: Any, exc: Exception) -> DataElement:
    """An element whose value failed validation, kept as given (reading-mode policy).

    JSON input is treated like file input: the reading validation mode decides
    whether an invalid value raises, warns or passes. DS and IS strings that are not
    numbers at all are kept as text, as the file reader keeps them.
    """
    from .config import IGNORE, RAISE, settings

    mode = settings.reading_validation_mode
    if mode == RAISE:
        raise _ElementError(f"invalid {vr} value {value!r:.80}: {exc}") from exc
    items = value if isinstance(value, list) else [value]
    converted: Any
    if vr in ("DS", "IS"):
        from .valuerep import IS, DSfloat

        cls: Any = IS if vr == "IS" else DSfloat

        def number(v: Any) -> Any:
            if v is None:
                return None
            try:
                return cls(v, validation_mode=IGNORE)
            except (TypeError, ValueError, OverflowError):
                if isinstance(v, str):
                    return v
                raise _ElementError(f"invalid {vr} value {value!r:.80}: {exc}") from exc

        converted = _multi(cls, [number(v) for v in items])
    elif vr == "PN":
        from .valuerep import PersonName

        converted = _multi(PersonName, [PersonName(v) for v in items])
    elif vr == "UI":
        from .uid import UID

        converted = _multi(UID, [UID(v) for v in items])
    elif vr in STRING_VRS:
        if vr not in TEXT_VRS and len(items) == 1 and "\\" in items[0]:
            items = items[0].split("\\")
        converted = _multi(str, items)
    else:
        raise _ElementError(f"invalid {vr} value {value!r:.80}: {exc}") from exc
    if mode != IGNORE:
        warnings.warn(
            f"{_where(tag)}: the {vr} value {value!r:.80} is not valid ({exc}); it is kept as given",
            DicodecWarning,
            stacklevel=6,
        )
    return DataElement(tag, vr, converted, validate=False)


def _multi(constructor: Any, values: list[Any]) -> Any:
    """One value, or a MultiValue of values already converted (as the reader makes it)."""
    if len(values) == 1:
        return values[0]
    from .valuerep import MultiValue

    multi: Any = MultiValue(constructor)
    list.extend(multi, values)  # the constructor applies to later additions only
    return multi


def _make_element(tag: int, vr: str, value: Any) -> DataElement:
    if value is None or (isinstance(value, (str, bytes, list)) and not value):
        # Already the VR's empty value: nothing to convert or check.
        return DataElement(tag, vr, _empty_value(vr), validate=False)
    try:
        return DataElement(tag, vr, value)
    except (ValueError, TypeError, OverflowError) as exc:
        return _lenient_element(tag, vr, value, exc)


def _element_from_json(
    tag: int,
    key: str,
    entry: Any,
    ds: Dataset,
    handler: BulkDataHandler | None,
    cls: type[Dataset],
) -> tuple[DataElement, list[tuple[Any, Dataset, int]]]:
    """The element of one attribute object, and the (object, item, index) of its items."""
    if not isinstance(entry, dict):
        raise _ElementError(f"an attribute must be a JSON object, not {type(entry).__name__}")
    vr = entry.get("vr")
    if vr is None:
        vr = _dictionary_vr(tag, ds)
    elif not isinstance(vr, str) or vr not in ALL_VRS:
        raise _ElementError(f"{vr!r} is not a valid VR")
    else:
        vr = str.__str__(vr)  # a plain str, also for str-based VR enums (pydicom's JSON)
    present = [k for k in JSON_VALUE_KEYS if k in entry]
    if len(present) > 1:
        raise _ElementError(f"an attribute may hold only one of {present}")
    if not present:
        return DataElement(tag, vr, _empty_value(vr), validate=False), []
    which = present[0]
    raw = entry[which]
    if which == "Value":
        if not isinstance(raw, list):
            raise _ElementError(f"'Value' must be an array, not {type(raw).__name__}")
        if vr == "SQ":
            items: list[tuple[Any, Dataset, int]] = []
            for index, obj in enumerate(raw):
                if obj is not None and not isinstance(obj, dict):
                    raise _ElementError(
                        f"item {index} of a sequence must be a JSON object, not {type(obj).__name__}"
                    )
                items.append((obj or {}, cls(), index))
            elem = DataElement(tag, "SQ", [item for _, item, _ in items])
            return elem, items
        if vr in BYTES_VRS:
            if raw:
                raise _ElementError(
                    f"a {vr} element cannot have a 'Value' array; use 'InlineBinary'"
                )
            return _make_element(tag, vr, _empty_value(vr)), []
        return _make_element(tag, vr, _values_from_json(vr, raw)), []
    if which == "InlineBinary":
        return _make_element(tag, vr, _value_from_bytes(vr, _decode_base64(raw))), []
    return _make_element(tag, vr, _bulk_value(key, vr, raw, handler)), []


def _parse_keys(obj: dict[str, Any], path: _Path | None) -> list[tuple[int, str]]:
    """The (tag, key) pairs of a JSON data set object, in tag order."""
    keyed = []
    for key in obj:
        if not isinstance(key, str) or not _HEX8.match(key):
            where = f" in {_describe(path.parent, path.tag)}[{path.position}]" if path else ""
            raise InvalidValueError(f"{key!r}{where} is not a tag: keys must be 8 hex digits")
        keyed.append((int(key, 16), key))
    keyed.sort()
    for (a, key_a), (b, key_b) in itertools.pairwise(keyed):
        if a == b:
            raise InvalidValueError(f"the tag {_where(a)} appears twice ({key_a!r}, {key_b!r})")
    return keyed


def dataset_from_json(
    json_dataset: dict[str, Any] | str | bytes | bytearray,
    bulk_data_uri_handler: Callable[..., Any] | None = None,
    cls: type[Dataset] | None = None,
) -> Dataset:
    """A data set from a DICOM JSON model object (PS3.18 F.2).

    Parameters
    ----------
    json_dataset : dict, str, bytes or bytearray
        The JSON object, or its text.
    bulk_data_uri_handler : callable, optional
        Fetches the value of a ``BulkDataURI``; called as ``handler(tag, vr, uri)``
        (``tag`` as ``"GGGGEEEE"``) or ``handler(uri)``, whichever it takes. It
        returns bytes (decoded for the VR: little endian, UTF-8 text), a value, a
        list of values, or ``None`` for no value. Without a handler such elements
        are left empty, with a warning.
    cls : type, optional
        The class of the data set and of sequence items (default
        :class:`~dicodec.dataset.Dataset`).

    Returns
    -------
    Dataset

    Raises
    ------
    InvalidValueError
        For text that is not JSON, keys that are not tags, unknown VRs, a ``Value``
        that is not an array, values of the wrong JSON type and invalid base64; the
        message names the tag (and the items it sits in). Values of the right type
        that break their VR's rules follow
        :attr:`~dicodec.config.Settings.reading_validation_mode`.
    LimitExceeded
        Sequences nest deeper than
        :attr:`~dicodec.config.Settings.max_sequence_depth`.

    Examples
    --------
    >>> ds = dataset_from_json('{"00100010": {"vr": "PN", "Value": [{"Alphabetic": "Doe^J"}]}}')
    >>> str(ds.PatientName)
    'Doe^J'
    >>> dataset_from_json({"00280010": {"Value": [256]}}).Rows
    256
    """
    if cls is None:
        from .dataset import Dataset

        cls = Dataset
    data: Any = json_dataset
    if isinstance(data, (str, bytes, bytearray)):
        try:
            data = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidValueError(f"not a valid JSON text: {exc}") from exc
        except RecursionError as exc:  # the json module parses nested arrays recursively
            raise InvalidValueError(
                "the JSON text nests too deeply for the json module; parse it with a "
                "parser that allows deep nesting and pass the resulting dict"
            ) from exc
    if not isinstance(data, dict):
        raise InvalidValueError(
            f"a DICOM JSON data set must be a JSON object, not {type(data).__name__}"
        )
    from .config import limit_message, settings

    handler = _wrap_uri_handler(bulk_data_uri_handler)
    max_depth = settings.max_sequence_depth
    root = cls()
    stack: list[tuple[dict[str, Any], Dataset, _Path | None, int]] = [(data, root, None, 0)]
    while stack:
        obj, ds, path, depth = stack.pop()
        for tag, key in _parse_keys(obj, path):
            try:
                elem, items = _element_from_json(tag, key, obj[key], ds, handler, cls)
            except _ElementError as exc:
                raise InvalidValueError(f"{_describe(path, tag)}: {exc}") from exc.__cause__
            except InvalidValueError as exc:
                raise InvalidValueError(f"{_describe(path, tag)}: {exc}") from exc
            ds.add(elem)
            if items and depth >= max_depth:
                raise LimitExceeded(
                    limit_message(
                        f"sequence {_where(tag)} at nesting depth {depth + 1} holds items",
                        "max_sequence_depth",
                        max_depth,
                    )
                )
            for item_obj, item, index in reversed(items):
                stack.append((item_obj, item, _Path(path, tag, index), depth + 1))
    return root
