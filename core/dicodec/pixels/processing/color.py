"""Colour-space conversion between RGB and full-range YCbCr (YBR_FULL, YBR_FULL_422).

The equations are those of ITU-T T.871 section 7 (JFIF), which PS3.3 C.7.6.3.1.2
refers to, written with exact integer coefficients so that every result is the
correctly rounded value (round half up) of the real-valued formula, clipped to the
sample range. For ``n``-bit samples the chroma offset is ``2**(n-1)``:

* RGB → YCbCr::

      Y  = round((299 R + 587 G + 114 B) / 1000)
      Cb = round((-299 R - 587 G + 886 B) / 1772) + 2**(n-1)
      Cr = round((701 R - 587 G - 114 B) / 1402) + 2**(n-1)

* YCbCr → RGB (``Cb' = Cb - 2**(n-1)``, ``Cr' = Cr - 2**(n-1)``)::

      R = Y + round(1.402 Cr')
      G = Y + round((-0.202008 Cb' - 0.419198 Cr') / 0.587)
      B = Y + round(1.772 Cb')

Nothing here makes a floating-point copy of a series: frames are converted in place
in blocks of 16,384 pixels, with about half a megabyte of temporaries.
8-bit YCbCr → RGB uses one 512 KiB table (built on first use) indexed by the
(Cb, Cr) byte pair: a single gather and four vector operations per block.

Examples
--------
>>> import numpy as np
>>> from dicodec.pixels.processing import convert_color_space
>>> rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128]]], dtype=np.uint8)
>>> ybr = convert_color_space(rgb, "RGB", "YBR_FULL")
>>> ybr.tolist()
[[[76, 85, 255], [150, 44, 21], [29, 255, 107], [128, 128, 128]]]
>>> convert_color_space(ybr, "YBR_FULL", "RGB").tolist()
[[[254, 0, 0], [0, 255, 1], [0, 0, 254], [128, 128, 128]]]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

import numpy as np

from ._common import ProcessingError

__all__ = [
    "convert_color_space",
    "rgb_to_ybr_full_inplace",
    "subsample_chroma_422_inplace",
    "ybr_full_to_rgb_inplace",
]

_BLOCK = 1 << 14
"""Pixels converted per block (the temporaries of one block, ~0.5 MB, stay in the L2 cache)."""

_SPACES = ("RGB", "YBR_FULL", "YBR_FULL_422")
_BLOCK_WIDE = 1 << 14
"""Pixels per block for the int64 paths (16-bit data, RGB → YCbCr)."""
_SPREAD = np.uint64(0x0001_0001_0001_0001)
_EXCEPTION_FLAG = 0x8000
_FLAG_WORD = np.array([0, 0, 0, _EXCEPTION_FLAG], dtype=np.uint16).view(np.uint64)[0]
"""The exception flag in lane 3 of a table word, whatever the machine's byte order."""
_FLOAT32_ERROR = 2e-4
"""Bound on the rounding error of the float32 formulation for 8-bit data (see _exceptions)."""


# --------------------------------------------------------------------------- public
def convert_color_space(
    arr: np.ndarray,
    current: str,
    desired: str,
    per_frame: bool = False,
    *,
    bits_stored: int | None = None,
) -> np.ndarray:
    """Convert images between RGB, YBR_FULL and YBR_FULL_422, in integer arithmetic.

    Parameters
    ----------
    arr : numpy.ndarray
        ``(rows, columns, 3)`` or ``(frames, rows, columns, 3)`` (any leading axes),
        samples interleaved in the last axis; ``uint8`` or ``uint16`` (either byte
        order). YBR_FULL_422 data must already be upsampled to one (Y, Cb, Cr)
        triple per pixel, as :func:`dicodec.pixels.pixel_array` returns it.
    current, desired : str
        ``"RGB"``, ``"YBR_FULL"`` or ``"YBR_FULL_422"`` (values of (0028,0004)
        *Photometric Interpretation*).
    per_frame : bool, optional
        If ``True``, convert ``arr`` in place and return it (no allocation beyond
        one block of temporaries). If ``False`` (default), ``arr`` is left unchanged
        and the result is a new array. Either way the work is done frame by frame,
        in blocks; no floating-point copy of the series is made.
    bits_stored : int, optional
        Significant bits per sample (default: the dtype's size, 8 or 16). Sets the
        chroma offset ``2**(bits_stored - 1)`` and the clipping range.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``arr``.

        * YCbCr → RGB and RGB → YBR_FULL: the correctly rounded values of the
          T.871 equations (see the module documentation), clipped.
        * RGB → YBR_FULL_422: as YBR_FULL, then each horizontal pair of pixels
          gets the rounded mean of its two chroma values (what a YBR_FULL_422
          encoder stores); an odd last column keeps its own. pydicom 3.0 returns
          YBR_FULL values here.
        * YBR_FULL → YBR_FULL_422 subsamples the chroma the same way;
          YBR_FULL_422 → YBR_FULL and same-space requests copy (or, with
          ``per_frame=True``, return ``arr`` itself).

    Raises
    ------
    ProcessingError (a ValueError)
        Unsupported dtype, shape or ``bits_stored``.
    NotImplementedError
        A conversion between other colour spaces.

    Notes
    -----
    An 8-bit round trip RGB → YBR_FULL → RGB returns every one of the 2**24
    colours within 1 of the original (checked exhaustively by the test suite).

    Examples
    --------
    >>> import numpy as np
    >>> ybr = np.array([[[128, 128, 128], [76, 85, 255]]], dtype=np.uint8)
    >>> convert_color_space(ybr, "YBR_FULL", "RGB").tolist()
    [[[128, 128, 128], [254, 0, 0]]]
    >>> frames = np.zeros((2, 4, 4, 3), dtype=np.uint16) + 2048
    >>> convert_color_space(frames, "YBR_FULL", "RGB", per_frame=True, bits_stored=12) is frames
    True
    >>> convert_color_space(frames, "RGB", "YBR_FULL", bits_stored=12)[0, 0, 0].tolist()
    [2048, 2048, 2048]
    """
    current = str(current).strip().upper()
    desired = str(desired).strip().upper()
    if current not in _SPACES or desired not in _SPACES:
        raise NotImplementedError(f"Conversion from {current} to {desired} is not supported")
    bits = _check(arr, bits_stored)
    out = arr if per_frame else arr.copy()
    if current == desired or (current, desired) == ("YBR_FULL_422", "YBR_FULL"):
        return out
    if current == "RGB":
        _for_each_frame(out, lambda f: rgb_to_ybr_full_inplace(f, bits))
        if desired == "YBR_FULL_422":
            _for_each_frame(out, subsample_chroma_422_inplace)
    elif desired == "RGB":
        _for_each_frame(out, lambda f: _ybr_to_rgb(f, bits, emulate_float32=False))
    else:  # YBR_FULL -> YBR_FULL_422
        _for_each_frame(out, subsample_chroma_422_inplace)
    return out


def ybr_full_to_rgb_inplace(frame: np.ndarray, bits: int = 8) -> np.ndarray:
    """Convert YBR_FULL samples to RGB in place, as dicodec's decoder has always done.

    For 8-bit data the result is bit-for-bit that of the float32 formulation used by
    :func:`dicodec.pixels.corrections.ybr_to_rgb` (and pydicom 3.0): the float32
    matrix product of PS3.3 C.7.6.3.1.2, ``floor(x + 0.5)``, clipped — for every
    one of the 2**24 inputs (the test suite checks all of them). It is computed
    exactly in integers; the few (Cb, Cr) pairs whose exact value is a rounding
    tie, where float32 rounding decides differently for different Y, are looked
    up in a small table built on first use from that very formulation.

    For ``bits > 8`` the result is the exact, correctly rounded value (round half
    up), which can differ by 1 from the float32 formulation where float32 loses
    precision.

    Parameters
    ----------
    frame : numpy.ndarray
        ``(..., 3)`` ``uint8`` or ``uint16`` samples; converted in place (a
        non-contiguous array is converted through one frame-sized buffer).
    bits : int, optional
        Significant bits per sample (default 8): the chroma offset is
        ``2**(bits - 1)`` and results are clipped to ``[0, 2**bits - 1]``.

    Returns
    -------
    numpy.ndarray
        ``frame``.

    Examples
    --------
    >>> import numpy as np
    >>> px = np.array([[[40, 78, 178], [100, 128, 128]]], dtype=np.uint8)
    >>> convert_color_space(px, "YBR_FULL", "RGB").tolist()  # exact: G = 40 - 18.5, rounded up
    [[[110, 22, 0], [100, 100, 100]]]
    >>> ybr_full_to_rgb_inplace(px).tolist()  # as float32 rounds this tie
    [[[110, 21, 0], [100, 100, 100]]]
    """
    _check(frame, bits)
    return _ybr_to_rgb(frame, bits, emulate_float32=True)


def rgb_to_ybr_full_inplace(frame: np.ndarray, bits: int = 8) -> np.ndarray:
    """Convert RGB samples to YBR_FULL in place (correctly rounded T.871 equations).

    Parameters
    ----------
    frame : numpy.ndarray
        ``(..., 3)`` ``uint8`` or ``uint16`` samples.
    bits : int, optional
        Significant bits per sample (default 8).

    Returns
    -------
    numpy.ndarray
        ``frame``.

    Examples
    --------
    >>> import numpy as np
    >>> rgb_to_ybr_full_inplace(np.array([[0, 0, 255]], dtype=np.uint8)).tolist()
    [[29, 255, 107]]
    """
    _check(frame, bits)
    return _blockwise(frame, bits, _rgb_to_ybr_block)


def subsample_chroma_422_inplace(frame: np.ndarray) -> np.ndarray:
    """Give each horizontal pixel pair the rounded mean of its Cb and of its Cr, in place.

    This is the horizontal 2:1 chroma subsampling of YBR_FULL_422 (PS3.3
    C.7.6.3.1.2), kept at full width: the result can be written as native
    YBR_FULL_422 data without losing anything more.

    Parameters
    ----------
    frame : numpy.ndarray
        ``(rows, columns, 3)`` (or with leading axes) YCbCr samples.

    Returns
    -------
    numpy.ndarray
        ``frame``.

    Examples
    --------
    >>> import numpy as np
    >>> f = np.array([[[9, 10, 20], [9, 13, 21], [9, 7, 7]]], dtype=np.uint8)
    >>> subsample_chroma_422_inplace(f)[..., 1:].tolist()
    [[[12, 21], [12, 21], [7, 7]]]
    """
    if frame.ndim < 2 or frame.shape[-1] != 3:
        raise ProcessingError(f"expected samples in the last axis of length 3, got shape {frame.shape}")
    pairs = frame.shape[-2] // 2 * 2
    if pairs == 0 or frame.size == 0:
        return frame
    wider = np.uint16 if frame.dtype.itemsize == 1 else np.uint32
    for one in _frames(frame):
        chroma = one[..., :pairs, 1:]
        even = chroma[..., 0::2, :]
        odd = chroma[..., 1::2, :]
        mean = even.astype(wider)
        mean += odd
        mean += 1
        mean >>= 1
        even[...] = mean
        odd[...] = mean
    return frame


# --------------------------------------------------------------------------- helpers
def _check(arr: np.ndarray, bits: int | None) -> int:
    if not isinstance(arr, np.ndarray):
        raise ProcessingError(f"expected a numpy.ndarray, got {type(arr).__name__}")
    if arr.dtype.kind != "u" or arr.dtype.itemsize not in (1, 2):
        raise ProcessingError(
            f"Invalid ndarray.dtype '{arr.dtype}' for color space conversion: must be uint8 or uint16"
        )
    if arr.ndim < 2 or arr.shape[-1] != 3:
        raise ProcessingError(
            f"color space conversion needs samples in the last axis of length 3, got shape {arr.shape}"
        )
    top = arr.dtype.itemsize * 8
    bits = top if bits is None else int(bits)
    if not 1 < bits <= top:
        raise ProcessingError(f"bits_stored must be between 2 and {top} for {arr.dtype}, got {bits}")
    return bits


def _frames(arr: np.ndarray) -> Iterator[np.ndarray]:
    """Views of the ``(rows, columns, 3)`` frames of ``arr`` (never copies)."""
    if arr.ndim <= 3:
        yield arr
        return
    for index in np.ndindex(*arr.shape[:-3]):
        yield arr[index]


def _for_each_frame(arr: np.ndarray, fn: Callable[[np.ndarray], object]) -> None:
    """Apply ``fn`` to each frame (a C-contiguous series is one stream of blocks)."""
    if arr.flags.c_contiguous:
        fn(arr)
        return
    for frame in _frames(arr):
        fn(frame)


def _blockwise(
    frame: np.ndarray, bits: int, block_fn: Callable[[np.ndarray, int], None], block: int = _BLOCK_WIDE
) -> np.ndarray:
    """Run ``block_fn(pixels (k, 3), bits)`` over blocks of ``frame``, in place."""
    if frame.size == 0:
        return frame
    if not frame.flags.c_contiguous:
        for sub in _frames(frame):
            tmp = np.ascontiguousarray(sub)
            _blockwise(tmp, bits, block_fn, block)
            sub[...] = tmp
        return frame
    flat = frame.reshape(-1, 3)
    for start in range(0, flat.shape[0], block):
        block_fn(flat[start : start + block], bits)
    return frame


def _wide(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    wide = block.astype(np.int64)
    return wide[:, 0], wide[:, 1], wide[:, 2]


def _rgb_to_ybr_block(block: np.ndarray, bits: int) -> None:
    r, g, b = _wide(block)
    half = 1 << (bits - 1)
    top = (1 << bits) - 1
    y = 299 * r + 587 * g + 114 * b
    y += 500
    y //= 1000
    cb = 886 * b - 299 * r - 587 * g
    cb += 886 + 1772 * half
    cb //= 1772
    cr = 701 * r - 587 * g - 114 * b
    cr += 701 + 1402 * half
    cr //= 1402
    for i, channel in enumerate((y, cb, cr)):
        np.clip(channel, 0, top, out=channel)
        block[:, i] = channel


def _ybr_to_rgb_exact_block(block: np.ndarray, bits: int) -> None:
    y, cb, cr = _wide(block)
    half = 1 << (bits - 1)
    top = (1 << bits) - 1
    cb -= half
    cr -= half
    r = 1402 * cr
    r += 500
    r //= 1000
    g = -202008 * cb - 419198 * cr
    g += 293500
    g //= 587000
    b = 1772 * cb
    b += 500
    b //= 1000
    for i, channel in enumerate((r, g, b)):
        channel += y
        np.clip(channel, 0, top, out=channel)
        block[:, i] = channel


def _ybr_to_rgb(frame: np.ndarray, bits: int, *, emulate_float32: bool) -> np.ndarray:
    if frame.dtype.itemsize != 1 or bits != 8:
        return _blockwise(frame, bits, _ybr_to_rgb_exact_block)
    if frame.size == 0:
        return frame
    if not frame.flags.c_contiguous:
        for sub in _frames(frame):
            tmp = np.ascontiguousarray(sub)
            _ybr_to_rgb(tmp, bits, emulate_float32=emulate_float32)
            sub[...] = tmp
        return frame
    _ybr_to_rgb_u8(frame.reshape(-1), emulate_float32)
    return frame


def _ybr_to_rgb_u8(buf: np.ndarray, emulate_float32: bool) -> None:
    """8-bit YCbCr → RGB over a contiguous byte buffer of interleaved triples, in place.

    One table lookup per pixel gives the three offsets (R, G, B) - Y, each biased by
    256, in the 16-bit lanes of a uint64; multiplying Y by 0x0001000100010001 puts
    it in every lane, so one uint64 addition forms all three sums. Clipping the
    lanes to [256, 511] and keeping their low bytes gives R, G and B. (Every step
    works on contiguous or simply strided arrays: numpy is much slower with
    unaligned multi-byte views.)
    """
    table = _table_u8(emulate_float32)
    exceptions = _exceptions() if emulate_float32 else {}
    n = buf.size // 3
    pixels = buf.reshape(n, 3)
    # bytes (Cb, Cr) of each pixel as the little-endian uint16 index Cb | Cr << 8
    cbcr = np.ndarray((n,), dtype="<u2", buffer=buf, offset=1, strides=(3,))
    size = min(n, _BLOCK)
    index = np.empty(size, np.intp)
    sums = np.empty(size, np.uint64)
    spread = np.empty(size, np.uint64)
    low = np.empty((size, 4), np.uint8)
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        k = stop - start
        block = pixels[start:stop]
        idx, s, y, b = index[:k], sums[:k], spread[:k], low[:k]
        np.copyto(idx, cbcr[start:stop])
        np.take(table, idx, out=s, mode="wrap")
        flagged = None
        if exceptions and np.bitwise_or.reduce(s) & _FLAG_WORD:
            flagged = np.flatnonzero(s & _FLAG_WORD)
            flagged_y = block[flagged, 0]
            flagged_pairs = idx[flagged]
        np.copyto(y, block[:, 0])
        y *= _SPREAD
        s += y
        lanes = s.view(np.int16)
        np.clip(lanes, 256, 511, out=lanes)
        np.copyto(b.reshape(-1), lanes, casting="unsafe")
        block[:, 0] = b[:, 0]
        block[:, 1] = b[:, 1]
        block[:, 2] = b[:, 2]
        if flagged is not None:
            for pair in np.unique(flagged_pairs):
                which = flagged_pairs == pair
                block[flagged[which]] = exceptions[int(pair)][flagged_y[which]]


# --------------------------------------------------------------------------- tables
def _offsets_u8() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact offsets (R - Y, G - Y, B - Y) for every (Cb, Cr), shaped [Cr, Cb]."""
    c = np.arange(256, dtype=np.int64) - 128
    cr = c[:, None]
    cb = c[None, :]
    r = (1402 * cr + 500) // 1000 + 0 * cb
    g = (-202008 * cb - 419198 * cr + 293500) // 587000
    b = (1772 * cb + 500) // 1000 + 0 * cr
    return r, g, b


@lru_cache(maxsize=2)
def _table_u8(emulate_float32: bool) -> np.ndarray:
    """uint64[65536] indexed by ``Cb | Cr << 8``: lanes R-Y+256, G-Y+256, B-Y+256, flag."""
    r, g, b = _offsets_u8()
    lanes = np.zeros((256, 256, 4), np.uint16)
    lanes[..., 0] = r + 256
    lanes[..., 1] = g + 256
    lanes[..., 2] = b + 256
    if emulate_float32:
        for pair in _exceptions():
            lanes[pair >> 8, pair & 0xFF, 3] = _EXCEPTION_FLAG
    table = lanes.reshape(65536, 4).view(np.uint64).reshape(65536)
    table.flags.writeable = False
    return table


def _float32_formulation(ybr: np.ndarray) -> np.ndarray:
    """The float32 YBR_FULL → RGB conversion of dicodec's decoder and pydicom 3.0 (8-bit).

    A float32 matrix product with the PS3.3 C.7.6.3.1.2 coefficients, then
    ``floor(x + 0.5)`` and clipping; only used to build :func:`_exceptions`.
    """
    f = ybr.astype(np.float32)
    f[..., 1:] -= 128
    m = np.array(
        [[1.0, 1.0, 1.0], [0.0, -0.114 * 1.772 / 0.587, 1.772], [1.402, -0.299 * 1.402 / 0.587, 0.0]],
        dtype=np.float32,
    )
    out = f @ m
    out += 0.5
    np.floor(out, out=out)
    np.clip(out, 0, 255, out=out)
    return out.astype(np.uint8)


@lru_cache(maxsize=1)
def _exceptions() -> dict[int, np.ndarray]:
    """(Cb | Cr << 8) → uint8[256, 3]: the float32 results, per Y, where they are not exact.

    Float32 evaluation of an 8-bit sample stays within ``_FLOAT32_ERROR`` of the
    exact value (values below 512, four roundings of at most 2**-15 each), so it
    can only round differently from the exact formula where the exact value lies
    that close to a rounding boundary. Those (Cb, Cr) pairs are evaluated with the
    float32 formulation for all 256 Y values; the pairs where any result differs
    from the exact one are kept. On x86-64 with numpy's float32 matrix product
    this is a single pair, (Cb, Cr) = (78, 178), an exact tie for G.
    """
    c = np.arange(256, dtype=np.int64) - 128
    cr = c[:, None]
    cb = c[None, :]

    def near(numerator: np.ndarray, denominator: int) -> np.ndarray:
        rem = numerator % denominator
        dist = np.minimum(rem, denominator - rem) / denominator
        return dist < _FLOAT32_ERROR

    suspicious = (
        near(1402 * cr + 500 + 0 * cb, 1000)
        | near(-202008 * cb - 419198 * cr + 293500, 587000)
        | near(1772 * cb + 500 + 0 * cr, 1000)
    )
    crs, cbs = np.nonzero(suspicious)
    if crs.size == 0:
        return {}
    y = np.arange(256, dtype=np.uint8)
    grid = np.empty((crs.size, 256, 3), np.uint8)
    grid[..., 0] = y[None, :]
    grid[..., 1] = cbs[:, None]
    grid[..., 2] = crs[:, None]
    exact = grid.copy()
    _ybr_to_rgb_exact_block(exact.reshape(-1, 3), 8)
    ref = _float32_formulation(grid)
    differs = np.any(ref != exact, axis=(1, 2))
    out: dict[int, np.ndarray] = {}
    for i in np.flatnonzero(differs):
        values = ref[i].copy()
        values.flags.writeable = False
        out[int(cbs[i]) | int(crs[i]) << 8] = values
    return out
