"""Bytes to Python values and back, for every VR, in either byte order.

The reader keeps element values as raw bytes; :func:`convert_value` turns them
into Python values the first time an element is used, and :func:`encode_value`
turns values back into bytes for writing.

Examples
--------
>>> from dicodec.values import convert_value, encode_value
>>> convert_value("US", b"\\x01\\x00\\x02\\x00", True, None)
[1, 2]
>>> encode_value("DS", ["1.5", "2"], True, None)
b'1.5\\\\2 '
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Sequence
from typing import Any

from .errors import DicodecWarning, InvalidValueError
from .vr import BYTES_VRS, CHARSET_VRS, NUMERIC_VRS, TEXT_VRS

__all__ = ["convert_value", "empty_value_for_vr", "encode_value"]

_PN_DELIMITERS = frozenset({0x5E, 0x3D})  # '^', '='
_TEXT_DELIMITERS = frozenset({0x0D, 0x0A, 0x09, 0x0C})
_MULTI_DELIMITERS = frozenset({0x5C})


def _is_default(encodings: Sequence[str] | None) -> bool:
    return not encodings or (len(encodings) == 1 and encodings[0] in _DEFAULT_CODECS)


_DEFAULT_CODECS = frozenset({"iso-8859-1", "iso8859", "latin_1", "latin-1", "ascii"})
# Encodings in which a 0x5C byte is always a backslash (safe to split bytes on it)
_BACKSLASH_SAFE = _DEFAULT_CODECS | {"utf-8", "utf_8"} | {f"iso8859_{i}" for i in range(2, 16)} | {"tis_620"}


def empty_value_for_vr(vr: str) -> Any:
    """The value an element of ``vr`` holds when its length is zero.

    Examples
    --------
    >>> empty_value_for_vr("LO"), empty_value_for_vr("US")
    ('', None)
    """
    if vr == "SQ":
        from .sequence import Sequence as DicomSequence

        return DicomSequence()
    if vr == "PN":
        from .valuerep import PersonName

        return PersonName("")
    if vr in ("DS", "IS") or vr not in _STRING_SET:
        return None
    return ""


_STRING_SET = frozenset(
    ["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"]
)


def _decode_text(raw: bytes, vr: str, encodings: Sequence[str] | None) -> str:
    if vr in CHARSET_VRS and not _is_default(encodings):
        from .charset import decode_bytes

        delims = _TEXT_DELIMITERS if vr in TEXT_VRS else _MULTI_DELIMITERS
        return decode_bytes(raw, encodings or ["iso8859"], delims)
    return raw.decode("latin-1")


def _multi(values: list[Any], constructor: Any) -> Any:
    """A MultiValue of already-converted values (the constructor applies to later additions)."""
    from .valuerep import MultiValue

    mv: Any = MultiValue.__new__(MultiValue)
    mv._constructor = constructor
    list.extend(mv, values)
    return mv


def convert_value(
    vr: str,
    raw: bytes,
    is_little_endian: bool,
    encodings: Sequence[str] | None,
) -> Any:
    """Convert the raw bytes of one element value to its Python value.

    Parameters
    ----------
    vr : str
        The element's two-letter VR (not ``SQ``: sequences are parsed by the reader).
    raw : bytes
        The value bytes as stored in the file.
    is_little_endian : bool
        Byte order of binary values.
    encodings : sequence of str or None
        Python codecs from Specific Character Set; ``None`` for the default repertoire.

    Returns
    -------
    object
        ``None`` or ``''`` when empty, a single value for VM 1, a ``MultiValue``
        otherwise; bytes for the OB/OW/UN family.

    Examples
    --------
    >>> convert_value("CS", b"ORIGINAL\\\\PRIMARY ", True, None)
    ['ORIGINAL', 'PRIMARY']
    """
    if not raw:
        return empty_value_for_vr(vr)
    if vr in BYTES_VRS:
        return raw
    numeric = NUMERIC_VRS.get(vr)
    if numeric is not None:
        code, size = numeric
        count, rest = divmod(len(raw), size)
        if rest:
            raise InvalidValueError(
                f"value length {len(raw)} is not a multiple of {size}, the size of one {vr} value"
            )
        fmt = ("<" if is_little_endian else ">") + (str(count) if count > 1 else "") + code
        vals = struct.unpack(fmt, raw)
        return vals[0] if count == 1 else _multi(list(vals), _numeric_type(vr))
    if vr == "AT":
        count, rest = divmod(len(raw), 4)
        if rest:
            raise InvalidValueError(f"AT value length {len(raw)} is not a multiple of 4")
        from .tag import BaseTag

        halves = struct.unpack(("<" if is_little_endian else ">") + f"{2 * count}H", raw)
        tags = [BaseTag((halves[2 * i] << 16) | halves[2 * i + 1]) for i in range(count)]
        return tags[0] if count == 1 else _multi(tags, BaseTag)
    if vr == "PN":
        from .valuerep import PersonName

        if _is_default(encodings) or b"\\" not in raw or not _needs_decoded_split(encodings):
            parts = raw.rstrip(b" \x00").split(b"\\")
        else:
            text = _decode_text(raw, "LO", encodings)
            parts = [p.encode("utf-8") for p in text.rstrip(" \x00").split("\\")]
            encodings = ["utf_8"]
        names = [PersonName(p, encodings=list(encodings) if encodings else None) for p in parts]
        return names[0] if len(names) == 1 else _multi(names, PersonName)
    text = _decode_text(raw, vr, encodings)
    if vr in TEXT_VRS:
        return text.rstrip(" \x00") if vr != "UR" else text.rstrip(" ")
    if vr == "UI":
        items = text.rstrip("\x00 ").split("\\")
        items = [s.strip("\x00 ") for s in items]
    elif vr in ("DS", "IS"):
        items = [s.strip(" \x00") for s in text.split("\\")]
        return _number_strings(vr, items)
    elif vr == "AE":
        items = [s.strip(" ") for s in text.rstrip("\x00").split("\\")]
    else:
        items = [s.rstrip(" \x00") for s in text.split("\\")]
    if vr == "UI":
        from .uid import UID

        uids = [UID(s) for s in items]
        return uids[0] if len(uids) == 1 else _multi(uids, UID)
    return items[0] if len(items) == 1 else _multi(items, str)


def _needs_decoded_split(encodings: Sequence[str] | None) -> bool:
    # ISO 2022 two-byte sets and GB18030/GBK can hold 0x5C inside a character.
    return any(e not in _BACKSLASH_SAFE for e in encodings or ())


def _numeric_type(vr: str) -> type:
    return float if vr in ("FL", "FD") else int


def _number_strings(vr: str, items: list[str]) -> Any:
    from .config import RAISE, settings
    from .valuerep import IS, DSfloat

    cls: Any = IS if vr == "IS" else DSfloat
    mode = settings.reading_validation_mode

    def number(s: str) -> Any:
        if not s:
            return None
        try:
            return cls(s, validation_mode=mode)
        except (ValueError, OverflowError):
            if mode == RAISE:
                raise
            # not a number at all: keep the text so nothing is lost
            warnings.warn(f"{s!r} is not a valid {vr} value; kept as text", DicodecWarning, stacklevel=6)
            return s

    vals = [number(s) for s in items]
    if len(vals) == 1:
        return vals[0]
    return _multi(vals, cls)


# --------------------------------------------------------------------- writing
def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _encode_text(text: str, vr: str, encodings: Sequence[str] | None) -> bytes:
    if vr in CHARSET_VRS and not _is_default(encodings):
        from .charset import encode_string

        return encode_string(text, encodings or ["iso8859"])
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        # Not representable in the default repertoire: keep the data as UTF-8
        # rather than losing it; the caller should set Specific Character Set.
        return text.encode("utf-8")


def encode_value(vr: str, value: Any, is_little_endian: bool, encodings: Sequence[str] | None) -> bytes:
    """Encode a Python value as the bytes of one element value, padded to even length.

    Parameters
    ----------
    vr : str
        The element's VR (not ``SQ``).
    value : object
        The value, as :func:`convert_value` returns it or as a user set it.
    is_little_endian : bool
        Byte order for binary VRs.
    encodings : sequence of str or None
        Python codecs from Specific Character Set.

    Examples
    --------
    >>> encode_value("UI", "1.2.3", True, None)
    b'1.2.3\\x00'
    """
    if value is None:
        return b""
    if vr in BYTES_VRS:
        data = bytes(value)
        return data + b"\x00" if len(data) % 2 else data
    numeric = NUMERIC_VRS.get(vr)
    if numeric is not None:
        if isinstance(value, (bytes, bytearray)):
            return bytes(value)
        vals = _as_list(value)
        code = numeric[0]
        try:
            return struct.pack(("<" if is_little_endian else ">") + f"{len(vals)}{code}", *vals)
        except struct.error as exc:
            raise InvalidValueError(f"cannot encode {value!r} as {vr}: {exc}") from exc
    if vr == "AT":
        vals = _as_list(value)
        halves: list[int] = []
        for t in vals:
            t = int(t)
            halves += [t >> 16, t & 0xFFFF]
        return struct.pack(("<" if is_little_endian else ">") + f"{len(halves)}H", *halves)
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    elif vr == "PN":
        from .valuerep import PersonName

        parts = []
        for v in _as_list(value):
            pn = v if isinstance(v, PersonName) else PersonName(str(v))
            parts.append(pn.encode(list(encodings) if encodings else None))
        data = b"\\".join(parts)
    elif vr in TEXT_VRS:
        data = _encode_text(str(value), vr, encodings)
    else:
        strings = ["" if v is None else str(v) for v in _as_list(value)]
        data = _encode_text("\\".join(strings), vr, encodings)
    if len(data) % 2:
        data += b"\x00" if vr == "UI" else b" "
    return data
