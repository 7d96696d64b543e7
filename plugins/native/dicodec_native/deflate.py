"""Deflated Image Frame Compression (1.2.840.10008.1.2.8.1) with zlib.

Each frame of the encapsulated Pixel Data is that frame's native little-endian
bytes compressed with deflate. PS3.5 8.2.16 specifies the raw deflate format of
RFC 1951 (no zlib header or checksum), which is what real files carry (the
``liver_deflate.dcm`` frames of pydicom-data start with ``ed 9b``); decoding also
accepts zlib-wrapped (RFC 1950) and gzip-wrapped (RFC 1952) frames. Encoding
writes raw deflate.

Inflating is bounded: it never produces more than the frame's native length
plus :data:`SLACK` bytes, so a "deflate bomb" cannot allocate more memory than
the frame it claims to be. zlib releases the GIL while it works.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_native.deflate import decode, encode
>>> spec = FrameSpec(rows=64, columns=64, bits_allocated=8, bits_stored=8,
...                  transfer_syntax="1.2.840.10008.1.2.8.1")
>>> arr = np.zeros(spec.shape, np.uint8)
>>> data = encode(arr, spec, {"deflate_level": 9}).data
>>> len(data) < 100
True
>>> bool((decode(data, spec, None).array == arr).all())
True
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from dicodec.pixels.bits import BytesLike
from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from . import native

__all__ = ["SLACK", "decode", "deflate", "encode", "inflate"]

SLACK = 64
"""Bytes an inflated frame may exceed its native length by (padding written by encoders)."""


def _wbits(head: bytes) -> int:
    """The zlib ``wbits`` for a stream starting with ``head``: raw, zlib or gzip."""
    if len(head) >= 2:
        if head[0] == 0x1F and head[1] == 0x8B:  # gzip; raw deflate never starts 0x1F
            return 31
        cmf, flg = head[0], head[1]
        if cmf & 0x0F == 8 and cmf >> 4 <= 7 and ((cmf << 8) | flg) % 31 == 0:
            return 15
    return -15


def _inflate(src: bytes | bytearray | memoryview, wbits: int, limit: int) -> tuple[bytes, bool]:
    d = zlib.decompressobj(wbits)
    data = d.decompress(src, limit + 1)
    return data, d.eof


def inflate(src: BytesLike, expected: int, slack: int = SLACK) -> bytes:
    """Inflate one frame, refusing to produce more than ``expected + slack`` bytes.

    Parameters
    ----------
    src : bytes, bytearray, memoryview or numpy.ndarray
        A raw deflate stream, or a zlib- or gzip-wrapped one (detected from its
        header; a zlib-looking stream that fails is retried as raw deflate).
    expected : int
        The frame's native length in bytes.
    slack : int, optional
        How many extra bytes are tolerated (default :data:`SLACK`).

    Returns
    -------
    bytes
        At least ``expected`` and at most ``expected + slack`` bytes.

    Raises
    ------
    ValueError
        The stream inflates to more than ``expected + slack`` bytes (a deflate
        bomb, or the wrong frame description), ends before ``expected`` bytes, or
        is corrupt.

    Examples
    --------
    >>> import zlib
    >>> inflate(zlib.compress(b"abcd"), 4)
    b'abcd'
    >>> raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    >>> inflate(raw.compress(b"abcd") + raw.flush(), 4)
    b'abcd'
    >>> inflate(zlib.compress(bytes(10**6)), 4)
    Traceback (most recent call last):
    ...
    ValueError: the deflated frame inflates to more than 68 bytes (4 expected); refusing to inflate further
    """
    limit = expected + slack
    if isinstance(src, np.ndarray):
        src = np.ascontiguousarray(src).data
    head = bytes(memoryview(src).cast("B")[:2])
    wbits = _wbits(head)
    try:
        data, eof = _inflate(src, wbits, limit)
    except zlib.error as exc:
        if wbits == -15:
            raise ValueError(f"the deflated frame is corrupt: {exc}") from exc
        try:
            data, eof = _inflate(src, -15, limit)
        except zlib.error:
            raise ValueError(f"the deflated frame is corrupt: {exc}") from exc
    if len(data) > limit:
        raise ValueError(
            f"the deflated frame inflates to more than {limit} bytes ({expected} expected); "
            "refusing to inflate further"
        )
    if len(data) < expected:
        state = "ends" if eof else "is truncated"
        raise ValueError(
            f"the deflated frame {state} after {len(data)} bytes; the frame needs {expected}"
        )
    return data


def deflate(data: bytes, level: int = -1) -> bytes:
    """Compress ``data`` as raw deflate (RFC 1951), as PS3.5 8.2.16 requires.

    Parameters
    ----------
    data : bytes
        Native frame bytes.
    level : int, optional
        zlib level 0-9, or -1 for zlib's default (6).

    Returns
    -------
    bytes

    Raises
    ------
    ValueError
        ``level`` is outside -1..9.

    Examples
    --------
    >>> len(deflate(bytes(1000), 9)) < 20
    True
    """
    if not isinstance(level, int) or isinstance(level, bool) or not -1 <= level <= 9:
        raise ValueError(f"deflate_level must be an integer from -1 to 9, not {level!r}")
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def decode(src: BytesLike, spec: FrameSpec, out: np.ndarray | None = None) -> DecodedFrame:
    """Decode one Deflated Image Frame Compression frame.

    Parameters
    ----------
    src : bytes, bytearray, memoryview or numpy.ndarray
        The frame's deflated bytes (all its fragments joined).
    spec : FrameSpec
        What the frame is (little-endian native layout once inflated).
    out : numpy.ndarray, optional
        Array of ``spec.shape`` / ``spec.dtype`` to decode into.

    Returns
    -------
    DecodedFrame
        As :func:`dicodec_native.native.decode`; without ``out`` the array may be a
        read-only view of the inflated bytes.

    Raises
    ------
    ValueError
        Corrupt, truncated or oversized stream, or ``out`` does not match.

    Examples
    --------
    >>> import zlib
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(rows=1, columns=2, bits_allocated=16,
    ...                  transfer_syntax="1.2.840.10008.1.2.8.1")
    >>> decode(zlib.compress(b"\\x01\\x00\\x02\\x00"), spec, None).array
    array([[1, 2]], dtype=uint16)
    """
    return native.decode(inflate(src, spec.native_length), spec, out)


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame: native little-endian bytes, then raw deflate.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``.
    spec : FrameSpec
        The frame description.
    options : Mapping, optional
        ``deflate_level``: zlib level 0-9 or -1 (default, zlib's 6).

    Returns
    -------
    EncodedFrame
        The raw deflate stream; ``changes`` is empty.

    Raises
    ------
    ValueError
        As :func:`dicodec_native.native.encode`, or a bad ``deflate_level``.

    Examples
    --------
    >>> import numpy as np, zlib
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(rows=1, columns=2, bits_allocated=16,
    ...                  transfer_syntax="1.2.840.10008.1.2.8.1")
    >>> zlib.decompress(encode(np.array([[1, 2]]), spec).data, -15)
    b'\\x01\\x00\\x02\\x00'
    """
    level = (options or {}).get("deflate_level", -1)
    frame = native.encode(arr, spec, options)
    return EncodedFrame(deflate(frame.data, level))
