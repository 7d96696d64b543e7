"""Native (uncompressed) frames: bytes ⇄ arrays with numpy.

Serves Implicit/Explicit VR Little Endian, Explicit VR Big Endian, Deflated
Explicit VR Little Endian (its Pixel Data is native once the reader inflated the
data set) and Encapsulated Uncompressed (one native little-endian frame per
fragment); :mod:`dicodec_native.deflate` uses it after inflating a frame.

Frame layout handled here:

* Bits Allocated 1, 8, 16, 32, 64 (integer, signed or not), Float Pixel Data
  (``spec.float_pixels == 32``) and Double Float Pixel Data (64);
* little endian, or big endian when ``spec.transfer_syntax`` is Explicit VR Big
  Endian (1.2.840.10008.1.2.2). The decoded array has ``spec.dtype``, whose byte
  order the core chooses (``FrameSpec.dtype`` currently keeps big-endian data as
  ``'>u2'`` etc., like pydicom): samples are byte-swapped only when the stored and
  the requested byte orders differ, and inside the one copy into ``out``;
* Planar Configuration 1 (colour-by-plane): returned interleaved as
  ``(rows, columns, samples)`` and reported as planar configuration 0;
* YBR_FULL_422 with 3 samples: native data stores ``Y1 Y2 Cb Cr`` per pair of
  pixels (PS3.3 C.7.6.3.1.2); decoding repeats each chroma sample for both pixels
  and reports ``YBR_FULL`` (the values are not colour-converted); encoding
  averages the chroma of each pixel pair (rounding half up), so it is lossless
  only when both pixels of a pair share their chroma.

Unused high bits (Bits Stored < Bits Allocated) are returned as stored; the core
masks or sign-extends them in one place.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_native.native import decode, encode
>>> spec = FrameSpec(rows=2, columns=3, bits_allocated=16, bits_stored=16, pixel_representation=1)
>>> arr = np.arange(-3, 3, dtype=np.int16).reshape(2, 3)
>>> data = encode(arr, spec, {}).data
>>> data[:4].hex()
'fdfffeff'
>>> decode(data, spec, None).array
array([[-3, -2, -1],
       [ 0,  1,  2]], dtype=int16)
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

import numpy as np

from dicodec.pixels.bits import BytesLike, pack_bits, unpack_bits, unpack_bits_into
from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

__all__ = ["BIG_ENDIAN", "BytesLike", "decode", "encode", "stored_dtype"]

BIG_ENDIAN = "1.2.840.10008.1.2.2"
"""Explicit VR Big Endian: the only transfer syntax whose frames are big endian."""


@lru_cache(maxsize=128)
def _dtype(bits_allocated: int, signed: bool, float_pixels: int, big_endian: bool) -> np.dtype:
    if bits_allocated not in (8, 16, 32, 64):
        raise ValueError(
            f"Bits Allocated {bits_allocated} is not supported for native pixel data "
            "(1, 8, 16, 32 or 64)"
        )
    if float_pixels:
        if float_pixels != bits_allocated:
            raise ValueError(
                f"{'Double ' if float_pixels == 64 else ''}Float Pixel Data needs Bits Allocated "
                f"{float_pixels}, not {bits_allocated}"
            )
        kind = "f"
    else:
        kind = "i" if signed else "u"
    order = ">" if big_endian else "<"
    return np.dtype(f"{order}{kind}{bits_allocated // 8}")


def stored_dtype(spec: FrameSpec) -> np.dtype:
    """The numpy dtype of one sample as stored in the frame bytes (explicit byte order).

    Parameters
    ----------
    spec : FrameSpec
        The frame description (Bits Allocated 8, 16, 32 or 64).

    Returns
    -------
    numpy.dtype
        E.g. ``'<i2'``, or ``'>f4'`` for Explicit VR Big Endian Float Pixel Data.

    Raises
    ------
    ValueError
        Unsupported Bits Allocated, or a float size that does not match it.

    Examples
    --------
    >>> from dicodec.plugins.records import FrameSpec
    >>> stored_dtype(FrameSpec(1, 1, bits_allocated=16, transfer_syntax=BIG_ENDIAN)).str
    '>u2'
    >>> stored_dtype(FrameSpec(1, 1, bits_allocated=32, float_pixels=32)).str
    '<f4'
    """
    return _dtype(
        spec.bits_allocated,
        bool(spec.pixel_representation),
        spec.float_pixels,
        spec.transfer_syntax == BIG_ENDIAN,
    )


def _nbytes(src: BytesLike) -> int:
    if isinstance(src, (memoryview, np.ndarray)):
        return int(src.nbytes)
    return len(src)


def _is_ybr422(spec: FrameSpec) -> bool:
    return spec.photometric_interpretation == "YBR_FULL_422" and spec.samples_per_pixel == 3


@lru_cache(maxsize=64)
def _decoded_dtypes(name: str) -> tuple[np.dtype, np.dtype]:
    """``spec.dtype`` as a numpy dtype, and the same with the other byte order."""
    dtype = np.dtype(name)
    return dtype, dtype.newbyteorder("S")


def _check_out(out: np.ndarray, spec: FrameSpec) -> None:
    if out.shape != spec.shape:
        raise ValueError(f"out has shape {out.shape}, expected {spec.shape}")
    accepted = _decoded_dtypes(spec.dtype)
    if out.dtype != accepted[0] and out.dtype != accepted[1]:  # either byte order
        raise ValueError(f"out has dtype {out.dtype}, expected {accepted[0]}")
    if not out.flags.writeable:
        raise ValueError("out is read-only")


def decode(src: BytesLike, spec: FrameSpec, out: np.ndarray | None = None) -> DecodedFrame:
    """Decode one native frame.

    Parameters
    ----------
    src : bytes, bytearray, memoryview or numpy.ndarray
        The frame's bytes: at least ``spec.native_length`` of them; more (padding,
        or the rest of the Pixel Data) are ignored. For Bits Allocated 1 the frame
        must start at bit 0 of ``src``: the core hands over each frame of a 1-bit
        multi-frame image already shifted to a bit-0 start (a frame that is not
        byte-aligned is not this function's concern; see
        :func:`dicodec.pixels.bits.unpack_bits_into` for unpacking at a bit offset).
    spec : FrameSpec
        What the frame is.
    out : numpy.ndarray, optional
        A writable array of ``spec.shape`` and ``spec.dtype`` (either byte order) to
        decode into with exactly one copy (byte swap, plane interleaving and
        chroma upsampling happen inside that copy).

    Returns
    -------
    DecodedFrame
        ``array`` is ``out`` when given. Without ``out``, interleaved data whose
        stored byte order is that of ``spec.dtype`` and whose buffer is suitably
        aligned is returned as a **read-only zero-copy view of src** (it keeps ``src`` alive; copy it or pass
        ``out`` to own a writable array); otherwise a new array is allocated.
        ``photometric_interpretation`` is the data set's (``YBR_FULL`` for expanded
        ``YBR_FULL_422``), ``planar_configuration`` is 0, ``pixel_representation``
        is ``None``.

    Raises
    ------
    ValueError
        ``src`` is shorter than one frame (the message names both lengths),
        ``out`` does not match ``spec``, or the description is unsupported.

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(rows=1, columns=2, samples_per_pixel=3, bits_allocated=8,
    ...                  bits_stored=8, photometric_interpretation="RGB",
    ...                  planar_configuration=1)
    >>> out = np.empty(spec.shape, spec.dtype)
    >>> frame = decode(bytes([1, 2, 10, 20, 100, 200]), spec, out)   # R R G G B B
    >>> frame.array is out, frame.planar_configuration
    (True, 0)
    >>> out.tolist()
    [[[1, 10, 100], [2, 20, 200]]]
    >>> big = FrameSpec(rows=1, columns=2, transfer_syntax="1.2.840.10008.1.2.2")
    >>> decode(b"\\x01\\x02\\x00\\x03", big, None).array.tolist()
    [[258, 3]]
    >>> swapped = np.empty((1, 2), np.uint16)                 # a native-order out
    >>> decode(b"\\x01\\x02\\x00\\x03", big, swapped).array.tolist()
    [[258, 3]]
    """
    expected = spec.native_length
    actual = _nbytes(src)
    if actual < expected:
        raise ValueError(
            f"the frame needs {expected} bytes of native pixel data but only {actual} "
            "are available"
        )
    if out is not None:
        _check_out(out, spec)
    if spec.bits_allocated == 1:
        return _decode_bits(src, spec, out)

    dtype = stored_dtype(spec)
    pi = spec.photometric_interpretation
    if _is_ybr422(spec):
        flat = np.frombuffer(src, dtype=dtype, count=spec.rows * spec.columns * 2)
        return DecodedFrame(_expand_ybr422(flat, spec, out), "YBR_FULL", 0)

    flat = np.frombuffer(src, dtype=dtype, count=spec.pixels)
    if spec.samples_per_pixel > 1 and spec.planar_configuration == 1:
        # one strided copy per plane: ~4× faster than copying a transposed view,
        # whose innermost loop would run over the 3 samples
        if out is None:
            out = np.empty(spec.shape, _decoded_dtypes(spec.dtype)[0])
        planes = flat.reshape(spec.samples_per_pixel, spec.rows, spec.columns)
        for k in range(spec.samples_per_pixel):
            np.copyto(out[..., k], planes[k], casting="equiv")
        return DecodedFrame(out, pi, 0)
    view = flat.reshape(spec.shape)
    if out is None:
        wanted = _decoded_dtypes(spec.dtype)[0]
        if dtype == wanted and view.flags.aligned:
            view.flags.writeable = False
            return DecodedFrame(view, pi, 0)
        out = np.empty(spec.shape, wanted)
    np.copyto(out, view, casting="equiv")
    return DecodedFrame(out, pi, 0)


def _decode_bits(src: BytesLike, spec: FrameSpec, out: np.ndarray | None) -> DecodedFrame:
    planar = spec.samples_per_pixel > 1 and spec.planar_configuration == 1
    if out is None:
        if not planar:  # the unpacked bits are the new array: no further copy
            bits = cast(np.ndarray, unpack_bits(src, count=spec.pixels))
            return DecodedFrame(bits.reshape(spec.shape), spec.photometric_interpretation, 0)
        out = np.empty(spec.shape, np.uint8)
    if planar:
        tmp = np.empty((spec.samples_per_pixel, spec.rows, spec.columns), np.uint8)
        unpack_bits_into(src, tmp)
        out[...] = tmp.transpose(1, 2, 0)
    else:
        unpack_bits_into(src, out)
    return DecodedFrame(out, spec.photometric_interpretation, 0)


def _expand_ybr422(flat: np.ndarray, spec: FrameSpec, out: np.ndarray | None) -> np.ndarray:
    """Upsample native ``Y1 Y2 Cb Cr`` groups into ``(rows, columns, 3)``."""
    if (spec.rows * spec.columns) % 2:
        raise ValueError(
            f"YBR_FULL_422 needs an even number of pixels per frame, not "
            f"{spec.rows} × {spec.columns}"
        )
    result = np.empty(spec.shape, spec.dtype) if out is None or not out.flags.c_contiguous else out
    groups = flat.reshape(-1, 4)
    pairs = result.reshape(-1, 2, 3)  # a view: ``result`` is C-contiguous
    pairs[:, :, 0] = groups[:, 0:2]
    pairs[:, :, 1] = groups[:, 2:3]
    pairs[:, :, 2] = groups[:, 3:4]
    if out is not None and result is not out:
        out[...] = result
        return out
    return result


def _compatible(arr: np.ndarray, target: np.dtype) -> None:
    """Refuse arrays whose values cannot be stored losslessly as ``target``."""
    native = target.newbyteorder("=")
    if arr.dtype == native:
        return
    kind = arr.dtype.kind
    if native.kind == "f":
        if kind not in "fiub":
            raise ValueError(f"cannot encode an array of dtype {arr.dtype} as {native}")
        return
    if kind == "b" or np.can_cast(arr.dtype, native, "safe"):
        return
    if kind not in "iu":
        raise ValueError(f"cannot encode an array of dtype {arr.dtype} as integer pixel data ({native})")
    if arr.size:
        info = np.iinfo(native)
        low, high = arr.min(), arr.max()
        if low < info.min or high > info.max:
            raise ValueError(
                f"values {low}..{high} do not fit {native} (Bits Allocated "
                f"{native.itemsize * 8}, {'signed' if native.kind == 'i' else 'unsigned'})"
            )


def _subsample_ybr422(arr: np.ndarray) -> np.ndarray:
    """``(rows, columns, 3)`` → ``(pairs, 4)`` groups ``Y1 Y2 Cb Cr`` (chroma averaged)."""
    if (arr.shape[0] * arr.shape[1]) % 2:
        raise ValueError(
            f"YBR_FULL_422 needs an even number of pixels per frame, not "
            f"{arr.shape[0]} × {arr.shape[1]}"
        )
    pairs = arr.reshape(-1, 2, 3)
    groups = np.empty((pairs.shape[0], 4), arr.dtype)
    groups[:, 0:2] = pairs[:, :, 0]
    for k in (1, 2):
        a, b = pairs[:, 0, k], pairs[:, 1, k]
        if arr.dtype.kind == "f":
            groups[:, k + 1] = a / 2 + b / 2
        elif arr.dtype.kind == "b":
            groups[:, k + 1] = a | b
        else:  # ceil((a + b) / 2) without overflow: (a >> 1) + (b >> 1) + ((a | b) & 1)
            groups[:, k + 1] = (a >> 1) + (b >> 1) + ((a | b) & 1)
    return groups


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame as native bytes.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``, samples interleaved, any byte order. Integer
        arrays of another dtype are accepted when every value fits the stored
        type; 1-bit frames must hold only 0 and 1.
    spec : FrameSpec
        The target description: little endian, or big endian for Explicit VR Big
        Endian; planes separated when ``spec.planar_configuration`` is 1;
        ``YBR_FULL_422`` subsampled (chroma of each pixel pair averaged).
    options : Mapping, optional
        Ignored (native encoding has no options).

    Returns
    -------
    EncodedFrame
        ``data`` is exactly ``spec.native_length`` bytes, not padded to even
        length (the caller pads the whole Pixel Data value or fragment). For Bits
        Allocated 1 the frame's bits start at bit 0 of ``data``; to store several
        frames whose size is not a multiple of 8 in native Pixel Data, pack the
        whole volume with :func:`dicodec.pixels.bits.pack_bits` instead of joining
        frames. ``changes`` is empty.

    Raises
    ------
    ValueError
        Wrong shape, values that do not fit, or an unsupported description
        (:class:`dicodec.errors.InvalidValueError` for 1-bit values other than 0/1).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(rows=1, columns=2, bits_allocated=16, transfer_syntax="1.2.840.10008.1.2.2")
    >>> encode(np.array([[258, 3]], dtype=np.uint16), spec).data
    b'\\x01\\x02\\x00\\x03'
    >>> encode(np.array([[1, 0, 1]]), FrameSpec(rows=1, columns=3, bits_allocated=1, bits_stored=1)).data
    b'\\x05'
    """
    arr = np.asarray(arr)
    if arr.shape != spec.shape:
        raise ValueError(f"the frame has shape {arr.shape}, expected {spec.shape}")
    planar = spec.samples_per_pixel > 1 and spec.planar_configuration == 1
    if spec.bits_allocated == 1:
        return EncodedFrame(pack_bits(arr.transpose(2, 0, 1) if planar else arr, pad=False))
    target = stored_dtype(spec)
    _compatible(arr, target)
    if _is_ybr422(spec):
        view = _subsample_ybr422(arr)
    elif planar:
        view = arr.transpose(2, 0, 1)
    else:
        view = arr
    if view.dtype != target:
        view = view.astype(target, order="C")
    return EncodedFrame(view.tobytes())
