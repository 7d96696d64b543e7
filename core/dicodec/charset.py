"""Specific Character Set (0008,0005) handling.

DICOM text values of VR SH, LO, UC, ST, LT, UT and PN are encoded with the
character set(s) named in *Specific Character Set* (PS3.3 C.12.1.1.2); every
other string VR uses the default repertoire. This module converts the DICOM
defined terms to Python codec names and decodes / encodes element values,
including the ISO 2022 code extension techniques of PS3.5 6.1.2.5 used for
Japanese, Korean and Chinese text (escape sequences that designate a character
set to the G0 or G1 code element).

Main functions:

* :func:`convert_encodings` - defined terms -> list of Python codec names
  (cached; repairs common misspellings with a warning).
* :func:`decode_bytes` - one encoded value -> :class:`str`.
* :func:`encode_string` - the inverse, inserting escape sequences as needed.
* :func:`decode_element_value` - convenience: decode a whole element value of
  a given VR, split it into values and strip the padding.

The default repertoire (no Specific Character Set, ``ISO_IR 6``) is decoded
and encoded as ISO 8859-1, like pydicom does, because files without
(0008,0005) but with Latin-1 text are common.

Examples
--------
>>> from dicodec.charset import convert_encodings, decode_bytes, encode_string
>>> encodings = convert_encodings(["", "ISO 2022 IR 149"])
>>> raw = b"Hong^Gildong=\\x1b$)C\\xfb\\xf3^\\x1b$)C\\xd1\\xce\\xd4\\xd7"
>>> name = decode_bytes(raw, encodings, PN_DELIMITERS)
>>> name
'Hong^Gildong=洪^吉洞'
>>> encode_string(name, encodings) == raw
True
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Sequence
from typing import Any

from dicodec import config
from dicodec.errors import DicodecWarning, InvalidValueError

__all__ = [
    "CHARSET_VRS",
    "DEFAULT_ENCODING",
    "MULTI_VALUE_DELIMITERS",
    "PN_DELIMITERS",
    "TEXT_DELIMITERS",
    "convert_encodings",
    "decode_bytes",
    "decode_element_value",
    "encode_string",
]

DEFAULT_ENCODING = "iso-8859-1"
"""Python codec name used for the default repertoire (``ISO_IR 6`` / no value).

It is ISO 8859-1 spelled differently from the ``"latin_1"`` used for
``ISO_IR 100``, so that the ISO 2022 encoder knows that the default repertoire
has no G1 character set.
"""

TEXT_DELIMITERS: frozenset[int] = frozenset(b"\r\n\t\x0c")
"""Byte values that reset the code extension state in text values (CR, LF, TAB, FF)."""

MULTI_VALUE_DELIMITERS: frozenset[int] = TEXT_DELIMITERS | {0x5C}
""":data:`TEXT_DELIMITERS` plus the value delimiter ``\\``."""

PN_DELIMITERS: frozenset[int] = MULTI_VALUE_DELIMITERS | {0x5E, 0x3D}
"""Delimiters for PN values: ``^``, ``=``, ``\\`` and the text delimiters."""

CHARSET_VRS: frozenset[str] = frozenset({"SH", "LO", "UC", "ST", "LT", "UT", "PN"})
"""The VRs whose values use the Specific Character Set."""

# Every defined term (PS3.3 Tables C.12-2 .. C.12-5) -> Python codec name.
_TERMS: dict[str, str] = {
    "": DEFAULT_ENCODING,
    "ISO_IR 6": DEFAULT_ENCODING,
    "ISO_IR 13": "shift_jis",
    "ISO_IR 100": "latin_1",
    "ISO_IR 101": "iso8859_2",
    "ISO_IR 109": "iso8859_3",
    "ISO_IR 110": "iso8859_4",
    "ISO_IR 126": "iso8859_7",
    "ISO_IR 127": "iso8859_6",
    "ISO_IR 138": "iso8859_8",
    "ISO_IR 144": "iso8859_5",
    "ISO_IR 148": "iso8859_9",
    "ISO_IR 166": "tis_620",
    "ISO_IR 203": "iso8859_15",
    "ISO_IR 192": "utf-8",
    "GB18030": "gb18030",
    "GBK": "gbk",
    "ISO 2022 IR 6": DEFAULT_ENCODING,
    "ISO 2022 IR 13": "shift_jis",
    "ISO 2022 IR 87": "iso2022_jp",
    "ISO 2022 IR 159": "iso2022_jp_2",
    "ISO 2022 IR 100": "latin_1",
    "ISO 2022 IR 101": "iso8859_2",
    "ISO 2022 IR 109": "iso8859_3",
    "ISO 2022 IR 110": "iso8859_4",
    "ISO 2022 IR 126": "iso8859_7",
    "ISO 2022 IR 127": "iso8859_6",
    "ISO 2022 IR 138": "iso8859_8",
    "ISO 2022 IR 144": "iso8859_5",
    "ISO 2022 IR 148": "iso8859_9",
    "ISO 2022 IR 166": "tis_620",
    "ISO 2022 IR 203": "iso8859_15",
    "ISO 2022 IR 149": "euc_kr",
    "ISO 2022 IR 58": "gb2312",
    # accepted by pydicom (from CP 1234 drafts); kept for compatibility
    "ISO 2022 GBK": "gbk",
    "ISO 2022 58": "gb2312",
}

# Python codec names accepted as-is (our own output, and pydicom's spellings).
_CODEC_ALIASES: dict[str, str] = {name: name for name in _TERMS.values()}
_CODEC_ALIASES.update(
    {
        "iso8859": DEFAULT_ENCODING,
        "iso_ir_126": "iso8859_7",
        "iso_ir_127": "iso8859_6",
        "iso_ir_138": "iso8859_8",
        "iso_ir_144": "iso8859_5",
        "iso_ir_148": "iso8859_9",
        "iso_ir_166": "tis_620",
        "iso_ir_58": "gb2312",
        "UTF8": "utf-8",
        "GB18030": "gb18030",
        "GBK": "gbk",
        "GB2312": "gb2312",
    }
)

# Character sets that cannot be combined with code extensions (PS3.3 Table C.12-5).
_STAND_ALONE = frozenset({"utf-8", "gb18030", "gbk"})

# Codecs for which even a single-valued Specific Character Set can carry escapes.
_MULTIBYTE_2022 = frozenset({"iso2022_jp", "iso2022_jp_2", "euc_kr", "gb2312", "iso_ir_58"})

_ESC = 0x1B

# Codecs with a C fast path in bytes.decode / str.encode.
_FAST_CODECS = frozenset({"latin_1", DEFAULT_ENCODING, "utf-8"})
# Codecs known to decode ASCII bytes as ASCII (for the isascii() short cut).
_ASCII_COMPATIBLE = frozenset(_TERMS.values()) | {"iso8859", "iso_ir_58", "UTF8"}

# ---------------------------------------------------------------------------
# convert_encodings
# ---------------------------------------------------------------------------

_convert_cache: dict[tuple[tuple[str, ...], int], tuple[tuple[str, ...], tuple[str, ...]]] = {}

_REPAIR_RE: re.Pattern[str] | None = None


def _warn(message: str, stacklevel: int = 3) -> None:
    warnings.warn(message, DicodecWarning, stacklevel=stacklevel)


def convert_encodings(specific_character_set: str | Sequence[str] | None) -> list[str]:
    """Convert a *Specific Character Set* value to Python codec names.

    Parameters
    ----------
    specific_character_set : str, sequence of str or None
        The value of (0008,0005): one defined term, a multi-valued list of
        them, or ``None`` / ``""`` for the default repertoire. A ``str``
        containing backslashes is split into its values. Leading and trailing
        spaces (value padding) are ignored.

    Returns
    -------
    list of str
        One Python codec name per value, in order. The first value decides
        the initial character set; an empty first value means the default
        repertoire (:data:`DEFAULT_ENCODING`).

    Raises
    ------
    InvalidValueError
        If a term is neither a defined term, nor a recognisable misspelling of
        one, nor a Python text codec, and
        ``settings.reading_validation_mode`` is ``RAISE``.

    Notes
    -----
    Misspellings seen in real files (``"ISO-IR 100"``, ``"ISO_IR100"``,
    ``"ISO IR 192"``, ``"iso_ir 100"``, ``"ISO_IR 87"``, ``"UTF-8"`` ...) are
    repaired with a :class:`~dicodec.errors.DicodecWarning`. Unknown terms are
    replaced by the default repertoire with a warning. Stand-alone character
    sets (``ISO_IR 192``, ``GB18030``, ``GBK``) cannot be combined with code
    extensions: as first value the other values are dropped, elsewhere they
    are dropped (with a warning). Python codec names (e.g. ``"latin_1"``, or
    the output of this function) are accepted. Results are cached; the
    warnings of a bad value are repeated on every call.

    Examples
    --------
    >>> convert_encodings("ISO_IR 100")
    ['latin_1']
    >>> convert_encodings(["", "ISO 2022 IR 87"])
    ['iso-8859-1', 'iso2022_jp']
    >>> convert_encodings(None)
    ['iso-8859-1']
    """
    if not specific_character_set:
        terms: tuple[str, ...] = ("",)
    elif isinstance(specific_character_set, str):
        terms = tuple(specific_character_set.split("\\"))
    else:
        terms = tuple(specific_character_set)
    mode = config.settings.reading_validation_mode
    key = (terms, mode)
    cached = _convert_cache.get(key)
    if cached is None:
        cached = _convert_uncached(terms, mode)
        if len(_convert_cache) > 256:
            _convert_cache.clear()
        _convert_cache[key] = cached
    result, messages = cached
    if mode != config.IGNORE:
        for message in messages:
            _warn(message)
    return list(result)


def _convert_uncached(terms: tuple[str, ...], mode: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    messages: list[str] = []
    codecs_out: list[str] = []
    for term in terms:
        if not isinstance(term, str):
            term = str(term)
        codec = _TERMS.get(term)
        if codec is None:
            codec = _term_to_codec(term.strip(" \x00"), mode, messages)
        codecs_out.append(codec)
    if len(codecs_out) > 1:
        if codecs_out[0] in _STAND_ALONE:
            messages.append(
                f"Specific Character Set '{terms[0].strip()}' does not allow code "
                f"extensions; ignoring {', '.join(repr(t) for t in terms[1:])}"
            )
            del codecs_out[1:]
        else:
            for index in range(len(codecs_out) - 1, 0, -1):
                if codecs_out[index] in _STAND_ALONE:
                    messages.append(
                        f"Specific Character Set '{terms[index].strip()}' cannot be "
                        "used as a code extension; ignoring it"
                    )
                    del codecs_out[index]
    return tuple(codecs_out), tuple(messages)


def _term_to_codec(term: str, mode: int, messages: list[str]) -> str:
    """Map a term that is not an exact defined term; record warnings."""
    codec = _TERMS.get(term)
    if codec is not None:  # only padding differed - padding is allowed
        return codec
    alias = _CODEC_ALIASES.get(term)
    if alias is not None:
        return alias
    repaired = _repair_term(term)
    if repaired is not None:
        messages.append(
            f"Incorrect value for Specific Character Set '{term}' - assuming '{repaired}'"
        )
        return _TERMS[repaired]
    # a Python text codec name (e.g. 'cp1252')?
    try:
        info = codecs.lookup(term)
    except (LookupError, ValueError):  # e.g. an embedded NUL in a damaged value
        info = None
    if info is not None and getattr(info, "_is_text_encoding", True):
        known = {codecs.lookup(name).name: name for name in _TERMS.values() if name}
        name = known.get(info.name, info.name)
        if info.name == "iso8859-1":
            name = "latin_1"
        messages.append(
            f"Specific Character Set '{term}' is not a DICOM defined term - "
            f"using the Python codec '{name}'"
        )
        return name
    message = f"Unknown Specific Character Set '{term}' - using the default repertoire"
    if mode == config.RAISE:
        raise InvalidValueError(message)
    messages.append(message)
    return DEFAULT_ENCODING


def _repair_term(term: str) -> str | None:
    """Return the defined term that `term` is a misspelling of, or None."""
    global _REPAIR_RE
    if _REPAIR_RE is None:
        _REPAIR_RE = re.compile(r"ISO *(2022)? *IR *(\d+)")
    norm = re.sub(r"[\s_\-.]+", " ", term.upper()).strip()
    compact = norm.replace(" ", "")
    if compact in ("UTF8", "ISOIR192", "UNICODE"):
        return "ISO_IR 192"
    if compact in ("GB18030", "GBK"):
        return compact
    if compact in ("GB2312", "ISO2022GB2312"):
        return "ISO 2022 IR 58"
    match = _REPAIR_RE.fullmatch(norm)
    if match is None:
        return None
    number = str(int(match.group(2)))
    first, second = f"ISO_IR {number}", f"ISO 2022 IR {number}"
    if match.group(1):
        first, second = second, first
    for candidate in (first, second):
        if candidate in _TERMS:
            return candidate
    return None


# ---------------------------------------------------------------------------
# ISO 2022 tables (built on first use)
# ---------------------------------------------------------------------------


class _Charset:
    """One graphic character set that can be designated to G0 or G1."""

    __slots__ = ("codec", "escape", "g1", "multibyte", "name")

    def __init__(self, name: str, escape: bytes, g1: bool, codec: str, multibyte: bool):
        self.name = name
        self.escape = escape
        self.g1 = g1
        self.codec = codec
        self.multibyte = multibyte

    def __repr__(self) -> str:
        return f"<charset {self.name}>"


class _Plan:
    """Code extension state for one list of encodings."""

    __slots__ = ("allowed", "candidates", "g0", "g1")

    def __init__(
        self,
        g0: _Charset,
        g1: _Charset | None,
        candidates: tuple[_Charset, ...],
        allowed: frozenset[_Charset],
    ):
        self.g0 = g0
        self.g1 = g1
        self.candidates = candidates
        self.allowed = allowed


class _Tables:
    __slots__ = ("ascii", "by_escape", "repertoires")

    def __init__(self) -> None:
        cs = _Charset
        self.ascii = cs("ISO-IR 6", b"\x1b(B", False, "ascii", False)
        romaji = cs("ISO-IR 14", b"\x1b(J", False, "ascii", False)
        katakana = cs("ISO-IR 13", b"\x1b)I", True, "shift_jis", False)
        jisx0208 = cs("ISO-IR 87", b"\x1b$B", False, "iso2022_jp", True)
        jisx0212 = cs("ISO-IR 159", b"\x1b$(D", False, "iso2022_jp_2", True)
        ksx1001 = cs("ISO-IR 149", b"\x1b$)C", True, "euc_kr", True)
        gb2312 = cs("ISO-IR 58", b"\x1b$)A", True, "gb2312", True)
        single = {
            "latin_1": cs("ISO-IR 100", b"\x1b-A", True, "latin_1", False),
            "iso8859_2": cs("ISO-IR 101", b"\x1b-B", True, "iso8859_2", False),
            "iso8859_3": cs("ISO-IR 109", b"\x1b-C", True, "iso8859_3", False),
            "iso8859_4": cs("ISO-IR 110", b"\x1b-D", True, "iso8859_4", False),
            "iso8859_5": cs("ISO-IR 144", b"\x1b-L", True, "iso8859_5", False),
            "iso8859_6": cs("ISO-IR 127", b"\x1b-G", True, "iso8859_6", False),
            "iso8859_7": cs("ISO-IR 126", b"\x1b-F", True, "iso8859_7", False),
            "iso8859_8": cs("ISO-IR 138", b"\x1b-H", True, "iso8859_8", False),
            "iso8859_9": cs("ISO-IR 148", b"\x1b-M", True, "iso8859_9", False),
            "iso8859_15": cs("ISO-IR 203", b"\x1b-b", True, "iso8859_15", False),
            "tis_620": cs("ISO-IR 166", b"\x1b-T", True, "tis_620", False),
        }
        ascii_ = self.ascii
        # codec -> (initial G0, initial G1, sets it allows to designate)
        rep: dict[str, tuple[_Charset, _Charset | None, tuple[_Charset, ...]]] = {
            DEFAULT_ENCODING: (ascii_, None, (ascii_,)),
            "shift_jis": (romaji, katakana, (romaji, katakana)),
            "iso2022_jp": (ascii_, None, (jisx0208,)),
            "iso2022_jp_2": (ascii_, None, (jisx0212,)),
            "euc_kr": (ascii_, ksx1001, (ksx1001,)),
            "gb2312": (ascii_, gb2312, (gb2312,)),
        }
        for codec, charset in single.items():
            rep[codec] = (ascii_, charset, (ascii_, charset))
        rep["iso_ir_58"] = rep["gb2312"]
        self.repertoires = rep
        everything = [ascii_, romaji, katakana, jisx0208, jisx0212, ksx1001, gb2312]
        everything += single.values()
        self.by_escape = {c.escape: c for c in everything}


_tables_instance: _Tables | None = None
_plan_cache: dict[tuple[str, ...], _Plan | None] = {}


def _tables() -> _Tables:
    global _tables_instance
    if _tables_instance is None:
        _tables_instance = _Tables()
    return _tables_instance


def _plan_for(encodings: Sequence[str]) -> _Plan | None:
    """Return the ISO 2022 plan, or None if the first encoding is stand-alone."""
    key = tuple(encodings)
    try:
        return _plan_cache[key]
    except KeyError:
        pass
    tables = _tables()
    rep = tables.repertoires
    first = _CODEC_ALIASES.get(key[0], key[0]) if key else DEFAULT_ENCODING
    plan: _Plan | None
    if first not in rep:
        plan = None
    else:
        g0, g1, _ = rep[first]
        candidates: list[_Charset] = []
        for name in key:
            entry = rep.get(_CODEC_ALIASES.get(name, name))
            if entry is None:
                continue
            for charset in entry[2]:
                if charset not in candidates:
                    candidates.append(charset)
        allowed = frozenset(candidates) | {tables.ascii, g0}
        plan = _Plan(g0, g1, tuple(candidates), allowed)
    if len(_plan_cache) > 256:
        _plan_cache.clear()
    _plan_cache[key] = plan
    return plan


# ---------------------------------------------------------------------------
# decoding
# ---------------------------------------------------------------------------

_delimiter_regex_cache: dict[
    frozenset[int], tuple[re.Pattern[bytes], re.Pattern[bytes]] | None
] = {}
_GL_RUNS: re.Pattern[bytes] | None = None


def _delimiter_regexes(
    delimiters: frozenset[int] | set[int],
) -> tuple[re.Pattern[bytes], re.Pattern[bytes]] | None:
    """(any delimiter, control-character delimiters only) regexes."""
    key = delimiters if isinstance(delimiters, frozenset) else frozenset(delimiters)
    try:
        return _delimiter_regex_cache[key]
    except KeyError:
        pass
    result: tuple[re.Pattern[bytes], re.Pattern[bytes]] | None = None
    if key:
        every = b"[" + b"".join(re.escape(bytes([d])) for d in sorted(key)) + b"]"
        controls = [d for d in sorted(key) if d < 0x21]
        if controls:
            ctrl = b"[" + b"".join(re.escape(bytes([d])) for d in controls) + b"]"
        else:
            ctrl = b"(?!)"
        result = (re.compile(every), re.compile(ctrl))
    _delimiter_regex_cache[key] = result
    return result


class _DecodeErrors:
    """Collects decoding failures for one value (warn once, or raise)."""

    __slots__ = ("failed", "mode")

    def __init__(self, mode: int):
        self.mode = mode
        self.failed = False

    def decode(self, data: bytes, codec: str) -> str:
        try:
            return data.decode(codec)
        except UnicodeDecodeError as exc:
            if self.mode == config.RAISE:
                raise InvalidValueError(
                    f"Cannot decode {bytes(data)!r} with the character set '{codec}': {exc}"
                ) from exc
            self.failed = True
            return data.decode(codec, errors="replace")


def decode_bytes(
    value: bytes,
    encodings: Sequence[str],
    delimiters: frozenset[int] | set[int] = frozenset(),
) -> str:
    """Decode one encoded text value.

    Parameters
    ----------
    value : bytes
        The encoded value (a whole element value or a part of one).
    encodings : sequence of str
        Python codec names as returned by :func:`convert_encodings`.
    delimiters : set of int
        Byte values at which the ISO 2022 code extension state returns to the
        initial character set (PS3.5 6.1.2.5.3): :data:`PN_DELIMITERS` for PN,
        :data:`TEXT_DELIMITERS` for ST/LT/UT, :data:`MULTI_VALUE_DELIMITERS` for
        a whole SH/LO/UC value. Only relevant with code extensions.

    Returns
    -------
    str
        The decoded text. Padding is not removed.

    Raises
    ------
    InvalidValueError
        If the bytes are not valid in the character set(s), or an escape
        sequence is unknown or designates an undeclared character set, and
        ``settings.reading_validation_mode`` is ``RAISE``. In ``WARN`` mode a
        :class:`~dicodec.errors.DicodecWarning` is issued and undecodable
        bytes become U+FFFD; in ``IGNORE`` mode the same happens silently.

    Notes
    -----
    Without code extensions this is a single ``bytes.decode`` call. With ISO
    2022 code extensions the G0 and G1 designations are tracked separately:
    bytes 0x21-0x7E are decoded with the G0 set and bytes 0xA0-0xFF with the
    G1 set. Escape sequences for character sets that are not declared in
    *Specific Character Set* are still honoured (with a warning); unknown
    escape sequences are kept in the text verbatim (with a warning).

    Examples
    --------
    >>> decode_bytes(b"Buc^J\\xe9r\\xf4me", ["latin_1"])
    'Buc^Jérôme'
    >>> decode_bytes(b"\\x1b$B$d$^$@\\x1b(B^\\x1b$B$?$m$&\\x1b(B",
    ...              ["iso-8859-1", "iso2022_jp"], PN_DELIMITERS)
    'やまだ^たろう'
    """
    if len(encodings) == 1:
        first = encodings[0]
        if first in _FAST_CODECS:
            try:
                return value.decode(first)
            except UnicodeDecodeError as exc:
                return _decode_failed(value, first, exc)
        if first not in _MULTIBYTE_2022:
            if first in _ASCII_COMPATIBLE and value.isascii():
                return value.decode("ascii")  # much faster than most codecs
            try:
                return value.decode(first)
            except UnicodeDecodeError as exc:
                return _decode_failed(value, first, exc)
            except LookupError:
                return _decode_unknown_codec(value, first)
    elif not encodings:
        return decode_bytes(value, (DEFAULT_ENCODING,), delimiters)
    return _decode_extended(value, encodings, delimiters)


def _decode_failed(value: bytes, codec: str, exc: UnicodeDecodeError) -> str:
    mode = config.settings.reading_validation_mode
    message = f"Cannot decode {bytes(value)!r} with the character set '{codec}'"
    if mode == config.RAISE:
        raise InvalidValueError(f"{message}: {exc}") from exc
    if mode == config.WARN:
        _warn(f"{message} - using replacement characters", stacklevel=4)
    return value.decode(codec, errors="replace")


def _decode_unknown_codec(value: bytes, codec: str) -> str:
    mode = config.settings.reading_validation_mode
    message = f"Unknown encoding '{codec}'"
    if mode == config.RAISE:
        raise InvalidValueError(message)
    if mode == config.WARN:
        _warn(f"{message} - using the default repertoire", stacklevel=4)
    return value.decode(DEFAULT_ENCODING)


def _decode_extended(
    value: bytes, encodings: Sequence[str], delimiters: frozenset[int] | set[int]
) -> str:
    """Decode with ISO 2022 code extensions (or a stand-alone first encoding)."""
    if _ESC not in value and encodings[0] in _ASCII_COMPATIBLE and value.isascii():
        return value.decode("ascii")  # G0 starts as ASCII (or JIS X 0201 romaji)
    plan = _plan_for(encodings)
    if plan is None:  # stand-alone or unknown first encoding: no code extensions
        return decode_bytes(value, encodings[:1])
    mode = config.settings.reading_validation_mode
    errors = _DecodeErrors(mode)
    init = (plan.g0, plan.g1)
    if _ESC not in value:
        text = _decode_run(value, plan.g0, plan.g1, errors)
        if errors.failed:
            _report_failure(value, encodings, mode)
        return text

    tables = _tables()
    regexes = _delimiter_regexes(delimiters) if delimiters else None
    out: list[str] = []
    g0, g1 = init
    pos = 0
    end = len(value)
    while pos < end:
        esc = value.find(b"\x1b", pos)
        stop = end if esc < 0 else esc
        if stop > pos:
            g0, g1 = _decode_segment(value[pos:stop], g0, g1, init, regexes, errors, out)
        if esc < 0:
            break
        # parse the escape sequence: ESC, intermediates 0x20-0x2F, final 0x30-0x7E
        j = esc + 1
        while j < end and 0x20 <= value[j] <= 0x2F:
            j += 1
        sequence = value[esc : j + 1] if j < end and 0x30 <= value[j] <= 0x7E else b""
        charset = tables.by_escape.get(sequence) if sequence else None
        if charset is None:
            shown = sequence or value[esc : esc + 4]
            message = f"Unknown escape sequence {shown!r} in {bytes(value)!r}"
            if mode == config.RAISE:
                raise InvalidValueError(message)
            if mode == config.WARN:
                _warn(f"{message} - keeping it as text", stacklevel=5)
            # keep the ESC as a character; what follows is decoded normally
            out.append("\x1b")
            pos = esc + 1
            continue
        if charset not in plan.allowed:
            message = (
                f"Escape sequence {sequence!r} designates {charset.name}, which is "
                f"not declared in Specific Character Set ({', '.join(encodings)})"
            )
            if mode == config.RAISE:
                raise InvalidValueError(message)
            if mode == config.WARN:
                _warn(f"{message} - decoding with it anyway", stacklevel=5)
        if charset.g1:
            g1 = charset
        else:
            g0 = charset
        pos = j + 1
    if errors.failed:
        _report_failure(value, encodings, mode)
    return "".join(out)


def _report_failure(value: bytes, encodings: Sequence[str], mode: int) -> None:
    if mode == config.WARN:
        _warn(
            f"Cannot decode {bytes(value)!r} with the character sets "
            f"{', '.join(encodings)} - using replacement characters",
            stacklevel=5,
        )


def _decode_segment(
    segment: bytes,
    g0: _Charset,
    g1: _Charset | None,
    init: tuple[_Charset, _Charset | None],
    regexes: tuple[re.Pattern[bytes], re.Pattern[bytes]] | None,
    errors: _DecodeErrors,
    out: list[str],
) -> tuple[_Charset, _Charset | None]:
    """Decode bytes without ESC; return the state after them."""
    if regexes is not None and (g0 is not init[0] or g1 is not init[1]):
        # In a multi-byte G0 state printable bytes are parts of characters, so
        # only control-character delimiters can be recognised there.
        regex = regexes[1] if g0.multibyte else regexes[0]
        match = regex.search(segment)
        if match is not None:
            cut = match.start()
            if cut:
                out.append(_decode_run(segment[:cut], g0, g1, errors))
            segment = segment[cut:]
            g0, g1 = init
    if segment:
        out.append(_decode_run(segment, g0, g1, errors))
    return g0, g1


def _decode_run(data: bytes, g0: _Charset, g1: _Charset | None, errors: _DecodeErrors) -> str:
    """Decode bytes in one fixed (G0, G1) state."""
    gr_codec = g1.codec if g1 is not None else "latin_1"
    if not g0.multibyte:
        # G0 is ASCII (or JIS X 0201 romaji, read as ASCII); every G1 codec is
        # an ASCII superset, so one decode call handles both halves.
        return errors.decode(data, gr_codec)
    global _GL_RUNS
    if _GL_RUNS is None:
        _GL_RUNS = re.compile(rb"[\x21-\x7e]+|[^\x21-\x7e]+")
    parts = []
    for match in _GL_RUNS.finditer(data):
        chunk = match.group()
        if 0x21 <= chunk[0] <= 0x7E:
            parts.append(errors.decode(g0.escape + chunk, g0.codec))
        else:
            parts.append(errors.decode(chunk, gr_codec))
    return "".join(parts)


# ---------------------------------------------------------------------------
# encoding
# ---------------------------------------------------------------------------

_ALL_RESET_CHARS = "^=\\\r\n\t\x0c"
_split_regex_cache: dict[str, re.Pattern[str]] = {}
_membership_cache: dict[tuple[str, str], bool] = {}


def encode_string(
    value: str,
    encodings: Sequence[str],
    delimiters: frozenset[int] | set[int] | None = None,
) -> bytes:
    """Encode text with the given character set(s).

    Parameters
    ----------
    value : str
        The text (one value, or several joined with ``\\``).
    encodings : sequence of str
        Python codec names as returned by :func:`convert_encodings`.
    delimiters : set of int, optional
        Characters before which the encoder returns to the initial character
        set, and after which it assumes the decoder did so (PS3.5 6.1.2.5.3).
        Defaults to all of them (``^ = \\`` CR LF TAB FF), which is always safe
        for a decoder; pass the same set as to :func:`decode_bytes` to
        reproduce files that do not re-designate after other characters.

    Returns
    -------
    bytes
        The encoded value (not padded).

    Raises
    ------
    InvalidValueError
        If a character cannot be encoded with any of the character sets and
        ``settings.writing_validation_mode`` is ``RAISE``. Otherwise a
        :class:`~dicodec.errors.DicodecWarning` is issued (``WARN``) and
        unencodable characters become ``?``.

    Notes
    -----
    With code extensions, each character is encoded with the currently
    designated sets if possible, otherwise with the first declared set (in
    the order of *Specific Character Set*) that has it, after the escape
    sequence designating that set. Before each delimiter and at the end the
    initial G0 set is designated again (``ESC ( B``, or ``ESC ( J`` when the
    first value is ``ISO 2022 IR 13``), as are the initial G1 set if the
    first value has one; when the first value is the default repertoire, a G1
    designation is simply repeated after each delimiter, as in the examples
    of PS3.5 Annex H and I. For the default repertoire, characters of ISO
    8859-1 are written as Latin-1 bytes (as pydicom does).

    Examples
    --------
    >>> encode_string("Buc^Jérôme", ["latin_1"])
    b'Buc^J\\xe9r\\xf4me'
    >>> encode_string("やまだ^たろう", ["iso-8859-1", "iso2022_jp"])
    b'\\x1b$B$d$^$@\\x1b(B^\\x1b$B$?$m$&\\x1b(B'
    """
    if len(encodings) == 1:
        first = encodings[0]
        if first not in _MULTIBYTE_2022:
            try:
                return value.encode(first)
            except UnicodeEncodeError as exc:
                return _encode_failed(value, first, exc)
            except LookupError:
                mode = config.settings.writing_validation_mode
                if mode == config.RAISE:
                    raise InvalidValueError(f"Unknown encoding '{first}'") from None
                if mode == config.WARN:
                    _warn(f"Unknown encoding '{first}' - using the default repertoire")
                return encode_string(value, [DEFAULT_ENCODING])
    elif not encodings:
        return encode_string(value, [DEFAULT_ENCODING], delimiters)
    plan = _plan_for(encodings)
    if plan is None:
        return encode_string(value, encodings[:1])
    if value.isascii():
        return value.encode("ascii")
    return _encode_extended(value, plan, encodings, delimiters)


def _encode_failed(value: str, codec: str, exc: UnicodeEncodeError) -> bytes:
    mode = config.settings.writing_validation_mode
    message = f"Cannot encode {value!r} with the character set '{codec}'"
    if mode == config.RAISE:
        raise InvalidValueError(f"{message}: {exc}") from exc
    if mode == config.WARN:
        _warn(f"{message} - using replacement characters", stacklevel=4)
    return value.encode(codec, errors="replace")


def _encode_extended(
    value: str,
    plan: _Plan,
    encodings: Sequence[str],
    delimiters: frozenset[int] | set[int] | None,
) -> bytes:
    if delimiters is None:
        reset_chars = _ALL_RESET_CHARS
    else:
        reset_chars = "".join(chr(d) for d in sorted(delimiters))
    splitter = _split_regex_cache.get(reset_chars)
    if splitter is None:
        if reset_chars:
            splitter = re.compile("([" + re.escape(reset_chars) + "])")
        else:
            splitter = re.compile("(?!)")
        _split_regex_cache[reset_chars] = splitter

    out = bytearray()
    state: list[Any] = [plan.g0, plan.g1]
    failures: list[str] = []
    pieces = splitter.split(value)
    for index, piece in enumerate(pieces):
        if index % 2:  # a delimiter
            _return_to_initial(out, state, plan)
            out += piece.encode("ascii")
        elif piece:
            _encode_piece(piece, state, plan, out, failures)
    _return_to_initial(out, state, plan)
    if failures:
        mode = config.settings.writing_validation_mode
        message = (
            f"Cannot encode {''.join(dict.fromkeys(failures))!r} in {value!r} with "
            f"the character sets {', '.join(encodings)}"
        )
        if mode == config.RAISE:
            raise InvalidValueError(message)
        if mode == config.WARN:
            _warn(f"{message} - using '?' instead", stacklevel=4)
    return bytes(out)


def _return_to_initial(out: bytearray, state: list[Any], plan: _Plan) -> None:
    if state[0] is not plan.g0:
        out += plan.g0.escape
    if state[1] is not plan.g1 and plan.g1 is not None:
        out += plan.g1.escape
    state[0] = plan.g0
    state[1] = plan.g1


def _in_set(charset: _Charset, char: str) -> bool:
    """Whether `char` (not ASCII) is in the graphic set `charset`."""
    key = (charset.name, char)
    known = _membership_cache.get(key)
    if known is not None:
        return known
    try:
        encoded = char.encode(charset.codec)
    except UnicodeEncodeError:
        result = False
    else:
        if charset.multibyte and not charset.g1:  # JIS X 0208 / 0212 in G0
            result = encoded.startswith(charset.escape)
        elif charset.name == "ISO-IR 13":  # JIS X 0201 katakana
            result = len(encoded) == 1 and 0xA1 <= encoded[0] <= 0xDF
        elif charset.g1:
            result = all(b >= 0xA0 for b in encoded)
        else:  # ASCII / romaji
            result = encoded.isascii()
    if len(_membership_cache) > 65536:
        _membership_cache.clear()
    _membership_cache[key] = result
    return result


def _encode_run(charset: _Charset, run: str) -> bytes:
    """Encode characters that are all in `charset`, without escape sequences."""
    if charset.multibyte and not charset.g1:
        encoded = run.encode(charset.codec)
        return encoded[len(charset.escape) : -3]  # strip designation and ESC ( B
    return run.encode(charset.codec)


def _encode_piece(
    piece: str, state: list[Any], plan: _Plan, out: bytearray, failures: list[str]
) -> None:
    """Encode text without delimiters, updating the (G0, G1) `state`."""
    pos = 0
    length = len(piece)
    designated_at = -1
    while pos < length:
        g0: _Charset = state[0]
        g1: _Charset | None = state[1]
        consumed = 0
        if not g0.multibyte:
            # ASCII plus the G1 set: one codec call encodes the longest prefix
            if g1 is None:
                codec = "ascii"
            elif g1.name == "ISO-IR 13":
                codec = ""  # katakana: checked per character below
            else:
                codec = g1.codec
            if codec:
                rest = piece[pos:]
                try:
                    out += rest.encode(codec)
                    consumed = len(rest)
                except UnicodeEncodeError as exc:
                    consumed = exc.start
                    out += rest[:consumed].encode(codec)
            else:
                assert g1 is not None
                end = pos
                while end < length and (piece[end].isascii() or _in_set(g1, piece[end])):
                    end += 1
                out += piece[pos:end].encode("shift_jis")
                consumed = end - pos
        else:
            # multi-byte G0 (JIS X 0208 / 0212): alternate G0 and G1 runs
            end = pos
            while end < length:
                char = piece[end]
                if char.isascii():
                    break
                if _in_set(g0, char):
                    start = end
                    while end < length and not piece[end].isascii() and _in_set(g0, piece[end]):
                        end += 1
                    out += _encode_run(g0, piece[start:end])
                elif g1 is not None and _in_set(g1, char):
                    start = end
                    while (
                        end < length
                        and not piece[end].isascii()
                        and not _in_set(g0, piece[end])
                        and _in_set(g1, piece[end])
                    ):
                        end += 1
                    out += _encode_run(g1, piece[start:end])
                else:
                    break
            consumed = end - pos
        pos += consumed
        if pos >= length:
            break
        # the character at `pos` needs another designation
        char = piece[pos]
        target = _choose_charset(char, plan, state) if designated_at != pos else None
        if target is None:
            if state[1] is None and plan.g1 is None and "\xa0" <= char <= "\xff":
                # default repertoire: Latin-1 bytes, as read back by the decoder
                if state[0].multibyte:
                    out += plan.g0.escape
                    state[0] = plan.g0
                out += char.encode("latin_1")
            else:
                failures.append(char)
                if state[0].multibyte:
                    out += plan.g0.escape
                    state[0] = plan.g0
                out += b"?"
            pos += 1
            continue
        out += target.escape
        state[1 if target.g1 else 0] = target
        designated_at = pos  # never designate twice for the same character


def _choose_charset(char: str, plan: _Plan, state: list[Any]) -> _Charset | None:
    if char.isascii():
        return plan.g0 if not plan.g0.multibyte else _tables().ascii
    for charset in plan.candidates:
        if charset is state[0] or charset is state[1]:
            continue
        if charset.multibyte or charset.g1:
            if _in_set(charset, char):
                return charset
    return None


# ---------------------------------------------------------------------------
# convenience
# ---------------------------------------------------------------------------

_SINGLE_VALUED_TEXT = frozenset({"ST", "LT", "UT", "UR"})


def decode_element_value(value: bytes, vr: str, encodings: Sequence[str]) -> str | list[str]:
    """Decode a whole string element value of the given VR.

    The value is decoded in one piece (so that a ``\\`` byte inside a
    multi-byte character is not mistaken for a value delimiter), then split
    into values at ``\\`` (except for ST, LT, UT and UR), and trailing spaces
    and NULs are removed from each value, as pydicom does. For PN, empty
    trailing component groups are removed too (``"A^B="`` -> ``"A^B"``).

    Parameters
    ----------
    value : bytes
        The raw element value.
    vr : str
        The element's VR. VRs other than SH, LO, UC, ST, LT, UT and PN use
        the default repertoire whatever `encodings` says.
    encodings : sequence of str
        Python codec names as returned by :func:`convert_encodings`.

    Returns
    -------
    str or list of str
        One string, or a list when the value has more than one value.

    Examples
    --------
    >>> decode_element_value(b"Buc^J\\xe9r\\xf4me\\\\Smith ", "PN", ["latin_1"])
    ['Buc^Jérôme', 'Smith']
    >>> decode_element_value(b"line 1\\\\2 ", "LT", ["latin_1"])
    'line 1\\\\2'
    """
    if vr not in CHARSET_VRS:
        encodings = (DEFAULT_ENCODING,)
    if vr in _SINGLE_VALUED_TEXT:
        return decode_bytes(value, encodings, TEXT_DELIMITERS).rstrip("\x00 ")
    delimiters = PN_DELIMITERS if vr == "PN" else MULTI_VALUE_DELIMITERS
    items = decode_bytes(value, encodings, delimiters).split("\\")
    items = [item.rstrip("\x00 ") for item in items]
    if vr == "PN":  # no empty trailing component groups: 'A^B=' -> 'A^B'
        items = [item.rstrip("=") if item.endswith("=") else item for item in items]
    return items[0] if len(items) == 1 else items
