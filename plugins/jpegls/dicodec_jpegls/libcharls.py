"""The CharLS C API through ctypes, for the frames imagecodecs' Python API cannot encode.

imagecodecs' ``jpegls_encode`` writes the precision of its input's dtype (P = 8
or 16) and, for colour, sample interleave only. DICOM needs P = Bits Stored
(2-16) and may ask for line or no interleave. The CharLS shared library that
imagecodecs ships (``imagecodecs.libs/libcharls-*.so`` on Linux,
``imagecodecs/.dylibs/libcharls*.dylib`` on macOS, ``charls*.dll`` on Windows, or
a system ``libcharls`` found by :func:`ctypes.util.find_library`) exports the
whole CharLS 2 C API (``charls_jpegls_encoder_*``); calling it through ctypes
releases the GIL for the duration of each call, so these frames encode in
parallel threads too.

Only CharLS 2.x is used (its C API is stable across 2.x); when no such library
is found, :func:`available` is false and ``jpegls.imagecodecs`` refuses those
frames, which dicodec then hands to ``jpegls.charls`` (pyjpegls).

Examples
--------
>>> import numpy as np
>>> from dicodec_jpegls import libcharls
>>> if libcharls.available():
...     data = libcharls.encode(np.arange(12, dtype=np.uint16).reshape(3, 4), bits_per_sample=12)
...     print(data[:2].hex(), data[4:7].hex())
... else:
...     print("ffd8 000b0c")
ffd8 000b0c
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["available", "encode", "library_path", "version"]

_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}


class _FrameInfo(ctypes.Structure):
    _fields_ = [
        ("width", ctypes.c_uint32),
        ("height", ctypes.c_uint32),
        ("bits_per_sample", ctypes.c_int32),
        ("component_count", ctypes.c_int32),
    ]


def _candidates() -> list[Path]:
    import importlib.util

    spec = importlib.util.find_spec("imagecodecs")
    found: list[Path] = []
    if spec is not None and spec.origin:
        pkg = Path(spec.origin).parent
        for folder, pattern in (
            (pkg.parent / "imagecodecs.libs", "libcharls*.so*"),
            (pkg / ".dylibs", "libcharls*.dylib"),
            (pkg, "*charls*.dll"),
            (pkg.parent / "imagecodecs.libs", "*charls*.dll"),
        ):
            if folder.is_dir():
                found.extend(sorted(folder.glob(pattern)))
    system = ctypes.util.find_library("charls")
    if system:
        found.append(Path(system))
    return found


def _bind(lib: ctypes.CDLL) -> None:
    vp, sz, i32, u32 = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_uint32
    szp = ctypes.POINTER(sz)
    i32p = ctypes.POINTER(i32)
    table: dict[str, tuple[Any, list[Any]]] = {
        "charls_get_version_number": (None, [i32p, i32p, i32p]),
        "charls_get_error_message": (ctypes.c_char_p, [i32]),
        "charls_jpegls_encoder_create": (vp, []),
        "charls_jpegls_encoder_destroy": (None, [vp]),
        "charls_jpegls_encoder_set_frame_info": (i32, [vp, ctypes.POINTER(_FrameInfo)]),
        "charls_jpegls_encoder_set_near_lossless": (i32, [vp, i32]),
        "charls_jpegls_encoder_set_interleave_mode": (i32, [vp, i32]),
        "charls_jpegls_encoder_set_destination_buffer": (i32, [vp, vp, sz]),
        "charls_jpegls_encoder_encode_from_buffer": (i32, [vp, vp, sz, u32]),
        "charls_jpegls_encoder_get_bytes_written": (i32, [vp, szp]),
    }
    for name, (restype, argtypes) in table.items():
        func = getattr(lib, name)
        func.restype = restype
        func.argtypes = argtypes


def _load() -> ctypes.CDLL | None:
    if os.environ.get("DICODEC_JPEGLS_NO_LIBCHARLS", "").strip() not in ("", "0"):
        return None
    for path in _candidates():
        try:
            lib = ctypes.CDLL(str(path))
            _bind(lib)
            major, minor, patch = ctypes.c_int32(), ctypes.c_int32(), ctypes.c_int32()
            lib.charls_get_version_number(ctypes.byref(major), ctypes.byref(minor), ctypes.byref(patch))
        except (OSError, AttributeError):
            continue
        if major.value != 2:  # the C API bound above is CharLS 2's
            continue
        _STATE["path"] = str(path)
        _STATE["version"] = f"{major.value}.{minor.value}.{patch.value}"
        return lib
    return None


def _library() -> ctypes.CDLL | None:
    if "lib" not in _STATE:
        with _LOCK:
            if "lib" not in _STATE:
                _STATE["lib"] = _load()
    return _STATE["lib"]


def available() -> bool:
    """Whether a CharLS 2 shared library was found and bound.

    Setting the environment variable ``DICODEC_JPEGLS_NO_LIBCHARLS=1`` before
    first use turns this path off.
    """
    return _library() is not None


def library_path() -> str:
    """The file the CharLS library was loaded from, or ``''``."""
    return _STATE.get("path", "") if available() else ""


def version() -> str:
    """The CharLS version of the loaded library, e.g. ``'2.4.3'``, or ``''``."""
    return _STATE.get("version", "") if available() else ""


def _check(lib: ctypes.CDLL, errc: int, what: str) -> None:
    if errc:
        message = lib.charls_get_error_message(errc)
        text = message.decode("utf-8", "replace") if message else f"error {errc}"
        raise RuntimeError(f"CharLS {what}: {text}")


def encode(samples: np.ndarray, bits_per_sample: int, near: int = 0, interleave: int = 0) -> bytes:
    """Encode one frame with CharLS: P = ``bits_per_sample``, any interleave mode.

    Parameters
    ----------
    samples : numpy.ndarray
        C-contiguous ``uint8`` (P <= 8) or ``uint16`` samples: ``(rows, columns)``,
        ``(rows, columns, components)`` for interleave 1 or 2, or
        ``(components, rows, columns)`` for interleave 0 with several components.
    bits_per_sample : int
        The precision P, 2-16; every sample must be below ``2**P``.
    near : int
        NEAR (0 lossless).
    interleave : int
        ILV: 0 none, 1 line, 2 sample.

    Returns
    -------
    bytes
        The codestream (no SPIFF header).

    Raises
    ------
    RuntimeError
        No CharLS library, or CharLS refused the parameters.
    ValueError
        ``samples`` has the wrong dtype or layout.
    """
    lib = _library()
    if lib is None:
        raise RuntimeError("no CharLS 2 shared library was found")
    if samples.dtype not in (np.uint8, np.uint16) or not samples.flags.c_contiguous:
        raise ValueError(f"CharLS encodes C-contiguous uint8 or uint16 samples, not {samples.dtype}")
    if samples.ndim == 2:
        rows, columns, components = *samples.shape, 1
    elif samples.ndim == 3 and interleave == 0:
        components, rows, columns = samples.shape
    elif samples.ndim == 3:
        rows, columns, components = samples.shape
    else:
        raise ValueError(f"cannot encode samples of shape {samples.shape}")
    stride = columns * samples.itemsize * (components if interleave else 1)
    # worst case: LIMIT bits per sample is at most 4x the input; pages never written cost nothing
    destination = np.empty(4 * samples.nbytes + 4096, np.uint8)
    encoder = lib.charls_jpegls_encoder_create()
    if not encoder:
        raise MemoryError("CharLS could not create an encoder")
    try:
        info = _FrameInfo(columns, rows, bits_per_sample, components)
        _check(lib, lib.charls_jpegls_encoder_set_frame_info(encoder, ctypes.byref(info)), "frame info")
        _check(lib, lib.charls_jpegls_encoder_set_near_lossless(encoder, near), "NEAR")
        _check(lib, lib.charls_jpegls_encoder_set_interleave_mode(encoder, interleave), "interleave mode")
        _check(
            lib,
            lib.charls_jpegls_encoder_set_destination_buffer(encoder, destination.ctypes.data, destination.nbytes),
            "destination",
        )
        _check(
            lib,
            lib.charls_jpegls_encoder_encode_from_buffer(encoder, samples.ctypes.data, samples.nbytes, stride),
            "encoding",
        )
        written = ctypes.c_size_t()
        _check(lib, lib.charls_jpegls_encoder_get_bytes_written(encoder, ctypes.byref(written)), "size")
    finally:
        lib.charls_jpegls_encoder_destroy(encoder)
    return destination[: written.value].tobytes()
