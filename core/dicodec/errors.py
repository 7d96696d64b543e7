"""The dicodec exception hierarchy.

Every error dicodec raises on bad input derives from :class:`DicodecError`, so a
caller can catch one class. Backend failures (zlib, struct, codec libraries) are
wrapped in a subclass with the original exception kept as ``__cause__``.

Examples
--------
>>> import dicodec
>>> try:
...     dicodec.dcmread(b"not a DICOM file")
... except dicodec.DicodecError as exc:
...     print(type(exc).__name__)
InvalidDicomError
"""

from __future__ import annotations

__all__ = [
    "CodecError",
    "DicodecError",
    "DicodecWarning",
    "InvalidDicomError",
    "InvalidValueError",
    "LimitExceeded",
    "NoCodecAvailableError",
    "PluginError",
    "UnsupportedTransferSyntaxError",
    "WriteError",
    "warn",
]


class DicodecError(Exception):
    """Base class of every error dicodec raises for bad input or failed work."""


class InvalidDicomError(DicodecError):
    """The bytes are not a readable DICOM data set.

    Parameters
    ----------
    message : str
        What is wrong.
    tag : int, optional
        The element being read when the problem was found.
    offset : int, optional
        The byte offset in the file or buffer where the problem was found.
    """

    def __init__(self, message: str, *, tag: int | None = None, offset: int | None = None):
        parts = [message]
        where = []
        if tag is not None:
            where.append(f"tag ({tag >> 16:04X},{tag & 0xFFFF:04X})")
        if offset is not None:
            where.append(f"offset {offset}")
        if where:
            parts.append(" at " + ", ".join(where))
        super().__init__("".join(parts))
        self.tag = tag
        self.offset = offset


class InvalidValueError(DicodecError, ValueError):
    """An element value does not satisfy its Value Representation."""


class UnsupportedTransferSyntaxError(DicodecError):
    """The transfer syntax is unknown or not handled by the requested operation."""


class NoCodecAvailableError(DicodecError):
    """No installed codec can decode or encode the data."""


class CodecError(DicodecError):
    """A codec failed on a frame; the backend's own exception is ``__cause__``."""


class LimitExceeded(DicodecError):
    """A configured safety limit would be exceeded (see :mod:`dicodec.config`)."""


class PluginError(DicodecError):
    """A plugin is broken, incompatible, or clashes with another plugin."""


class WriteError(DicodecError):
    """A data set cannot be written as requested."""


class DicodecWarning(UserWarning):
    """Warnings about unusual but readable data."""


def warn(message: str, category: type[Warning] = DicodecWarning) -> None:
    """Warn, pointing at the first caller outside dicodec (not at dicodec's internals).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as seen:
    ...     warnings.simplefilter("always")
    ...     warn("odd data")
    >>> str(seen[0].message)
    'odd data'
    """
    import os
    import sys
    import warnings

    here = os.path.dirname(os.path.abspath(__file__))
    level = 2  # stacklevel 1 would be this function; 2 is its caller
    frame = sys._getframe(1)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(here) and "contextlib" not in filename:
            break
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)
