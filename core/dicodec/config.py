"""Run-time settings.

Examples
--------
>>> from dicodec import config
>>> config.settings.reading_validation_mode == config.WARN
True
"""

from __future__ import annotations

import configparser
import contextlib
import contextvars
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from .changes import changed

__all__ = [
    "ANY",
    "IGNORE",
    "RAISE",
    "WARN",
    "Settings",
    "limit_message",
    "prefer",
    "preference_for",
    "reload_preferences",
    "set_preference",
    "settings",
]

IGNORE = 0
"""Accept invalid values silently."""
WARN = 1
"""Accept invalid values and emit a :class:`~dicodec.errors.DicodecWarning`."""
RAISE = 2
"""Raise :class:`~dicodec.errors.InvalidValueError` on invalid values."""


@dataclass
class Settings:
    """Global settings; change them on :data:`settings`.

    Attributes
    ----------
    reading_validation_mode : int
        What to do with invalid values found while reading (default ``WARN``;
        ``DICODEC_READING_VALIDATION`` may set ``ignore``/``warn``/``raise``).
    writing_validation_mode : int
        What to do with invalid values set by the user and written (default ``RAISE``).
    max_array_bytes : int
        Largest decoded pixel array dicodec will allocate (default 16 GiB; environment
        ``DICODEC_MAX_ARRAY_BYTES``). An image description claiming more is refused
        with :class:`~dicodec.errors.LimitExceeded` before anything is allocated.
    max_frame_bytes : int
        Largest single decoded frame (default 4 GiB; ``DICODEC_MAX_FRAME_BYTES``).
    max_frames : int
        Largest Number of Frames accepted (default 1,000,000; ``DICODEC_MAX_FRAMES``).
    max_inflated_bytes : int
        Largest size a deflated data set may inflate to (default 2 GiB;
        ``DICODEC_MAX_INFLATED_BYTES``): inflation stops there, so a deflate bomb costs
        at most this much memory.
    max_sequence_depth : int
        Deepest nesting of sequences accepted by the readers (Part 10 and DICOM JSON;
        default 128; ``DICODEC_MAX_SEQUENCE_DEPTH``). Real data sets nest a handful of
        levels; thousands of levels only come from hostile files and would make every
        recursive operation on the data set (printing, writing, JSON) fail later.
    max_fragments : int
        Most items an encapsulated Pixel Data value may hold (default 4,000,000;
        ``DICODEC_MAX_FRAGMENTS``). The table of fragments is built before any frame
        is decoded; this bounds its memory.

    Element lengths are checked against the bytes that remain in the file before a
    value is read, so a length that claims more than the file holds never allocates;
    that is a damaged file (:class:`~dicodec.errors.InvalidDicomError` in strict mode,
    a warning and a truncated value otherwise), not a limit.

    Every refusal names the setting, so it can be raised where the data is trusted:

    Examples
    --------
    >>> from dicodec import config
    >>> config.settings.max_sequence_depth
    128
    >>> config.settings.max_sequence_depth = 1000  # trusted, deeply nested data
    >>> config.settings.max_sequence_depth = 128
    """

    reading_validation_mode: int = WARN
    writing_validation_mode: int = RAISE
    max_array_bytes: int = 16 * 1024**3
    max_frame_bytes: int = 4 * 1024**3
    max_frames: int = 1_000_000
    max_inflated_bytes: int = 2 * 1024**3
    max_sequence_depth: int = 128
    max_fragments: int = 4_000_000


def _mode_from_env(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip().lower()
    return {"ignore": IGNORE, "warn": WARN, "raise": RAISE}.get(value, default)


def _int_from_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


settings = Settings(
    reading_validation_mode=_mode_from_env("DICODEC_READING_VALIDATION", WARN),
    writing_validation_mode=_mode_from_env("DICODEC_WRITING_VALIDATION", RAISE),
    max_array_bytes=_int_from_env("DICODEC_MAX_ARRAY_BYTES", 16 * 1024**3),
    max_frame_bytes=_int_from_env("DICODEC_MAX_FRAME_BYTES", 4 * 1024**3),
    max_frames=_int_from_env("DICODEC_MAX_FRAMES", 1_000_000),
    max_inflated_bytes=_int_from_env("DICODEC_MAX_INFLATED_BYTES", 2 * 1024**3),
    max_sequence_depth=_int_from_env("DICODEC_MAX_SEQUENCE_DEPTH", 128),
    max_fragments=_int_from_env("DICODEC_MAX_FRAGMENTS", 4_000_000),
)


def limit_message(what: str, setting: str, value: int) -> str:
    """The text of a :class:`~dicodec.errors.LimitExceeded`: what, which limit, how to raise it.

    Examples
    --------
    >>> limit_message("the data set nests 200 sequences", "max_sequence_depth", 128)  # doctest: +NORMALIZE_WHITESPACE
    'the data set nests 200 sequences: more than dicodec.config.settings.max_sequence_depth (128);
    raise it (or set DICODEC_MAX_SEQUENCE_DEPTH) if the data is trusted'
    """
    return (
        f"{what}: more than dicodec.config.settings.{setting} ({value}); "
        f"raise it (or set DICODEC_{setting.upper()}) if the data is trusted"
    )


# ------------------------------------------------------------ codec preferences

ANY = "*"
"""Preference key that applies to every transfer syntax."""

_user_prefs: dict[str, tuple[str, ...]] = {}
_user_lock = threading.Lock()
_context_prefs: contextvars.ContextVar[tuple[dict[str, tuple[str, ...]], ...]] = contextvars.ContextVar(
    "dicodec_prefer", default=()
)
_loaded_external: dict[str, tuple[str, ...]] | None = None


def _parse_pref_text(text: str) -> dict[str, tuple[str, ...]]:
    """``"a,b"`` or ``"1.2.840.10008.1.2.4.90=a,b; *=c"`` → {ts: names}."""
    out: dict[str, tuple[str, ...]] = {}
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        ts, sep, names = part.partition("=")
        if not sep:
            ts, names = ANY, part
        out[ts.strip()] = tuple(n.strip() for n in names.split(",") if n.strip())
    return out


def _external_prefs() -> dict[str, tuple[str, ...]]:
    global _loaded_external
    if _loaded_external is None:
        prefs: dict[str, tuple[str, ...]] = {}
        path = os.environ.get("DICODEC_CONFIG") or os.path.join(
            os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "dicodec", "config.ini"
        )
        if os.path.isfile(path):
            parser = configparser.ConfigParser()
            parser.optionxform = str  # type: ignore[assignment,method-assign]
            try:
                parser.read(path)
            except configparser.Error:
                parser = configparser.ConfigParser()
            if parser.has_section("prefer"):
                for ts, names in parser.items("prefer"):
                    prefs[ts.strip()] = tuple(n.strip() for n in names.split(",") if n.strip())
        prefs.update(_parse_pref_text(os.environ.get("DICODEC_PREFER", "")))
        _loaded_external = prefs
    return _loaded_external


def set_preference(names: str | list[str] | tuple[str, ...] | None, transfer_syntax: str = ANY) -> None:
    """Prefer these codecs (in order) for a transfer syntax, process-wide.

    ``None`` removes the preference. Overrides ``DICODEC_PREFER`` and the config file
    (``$DICODEC_CONFIG`` or ``~/.config/dicodec/config.ini``, section ``[prefer]``).

    Examples
    --------
    >>> from dicodec import config
    >>> config.set_preference(["jpeg2k.openjpeg"], "1.2.840.10008.1.2.4.90")
    >>> config.preference_for("1.2.840.10008.1.2.4.90")
    ('jpeg2k.openjpeg',)
    >>> config.set_preference(None, "1.2.840.10008.1.2.4.90")
    """
    with _user_lock:
        if names is None:
            _user_prefs.pop(transfer_syntax, None)
        else:
            _user_prefs[transfer_syntax] = (names,) if isinstance(names, str) else tuple(names)
    changed()  # cached decode plans chose codecs under the old preferences


@contextlib.contextmanager
def prefer(*names: str, transfer_syntax: str = ANY) -> Iterator[None]:
    """Prefer codecs within a ``with`` block; context-local (threads and tasks don't see it).

    Examples
    --------
    >>> from dicodec import config
    >>> with config.prefer("rle.c", "rle.numpy", transfer_syntax="1.2.840.10008.1.2.5"):
    ...     config.preference_for("1.2.840.10008.1.2.5")
    ('rle.c', 'rle.numpy')
    """
    token = _context_prefs.set((*_context_prefs.get(), {transfer_syntax: tuple(names)}))
    try:
        yield
    finally:
        _context_prefs.reset(token)


def preference_for(transfer_syntax: str, purpose: str = "decode") -> tuple[str, ...]:
    """The preferred codec names for a transfer syntax: context, then user, then environment/file."""
    layers = _context_prefs.get()
    if layers:
        for layer in reversed(layers):
            if transfer_syntax in layer:
                return layer[transfer_syntax]
            if ANY in layer:
                return layer[ANY]
    prefs = _user_prefs  # reads need no lock: the dict is only ever replaced item by item
    if prefs:
        found = prefs.get(transfer_syntax) or prefs.get(ANY)
        if found is not None:
            return found
    ext = _loaded_external
    if ext is None:
        ext = _external_prefs()
    if not ext:
        return ()
    return ext.get(transfer_syntax) or ext.get(ANY) or ()


def reload_preferences() -> None:
    """Re-read ``DICODEC_PREFER`` and the config file, and forget :func:`set_preference` calls."""
    global _loaded_external
    with _user_lock:
        _user_prefs.clear()
        _loaded_external = None
    changed()
