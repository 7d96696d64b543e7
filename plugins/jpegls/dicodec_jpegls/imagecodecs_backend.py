"""JPEG-LS with CharLS inside imagecodecs: ``jpegls.imagecodecs``.

Decoding writes straight into the core's output array (``jpegls_decode(out=)``)
with the GIL released, so frames decode in parallel threads. Only when the
codestream's layout differs from the output (colour by plane, 8-bit samples in
a 16-bit container, a size the data set does not describe) is the header read
and the frame decoded into a temporary array first, or refused with a message.

Encoding uses ``jpegls_encode``, which writes the sample precision of its
input's dtype (P = 8 or 16) and, for colour, sample interleave only; the SPIFF
header it writes in front of the stream is dropped. The other frames (Bits
Stored 2-7 and 9-15, line or no interleave) are encoded with the same CharLS
library through its C API (:mod:`dicodec_jpegls.libcharls`, GIL released too);
if that library cannot be found they are refused with a ``ValueError`` naming
the reason, and dicodec goes on to the next encoder (``jpegls.charls``).

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpegls import imagecodecs_backend as jls
>>> spec = FrameSpec(64, 64, bits_allocated=16, bits_stored=16, pixel_representation=1,
...                  transfer_syntax="1.2.840.10008.1.2.4.80")
>>> arr = np.arange(-2048, 2048, dtype=np.int16).reshape(64, 64)
>>> frame = jls.encode(arr, spec, {})
>>> bytes(frame.data[:4]).hex()
'ffd8fff7'
>>> out = np.empty(spec.shape, spec.dtype)
>>> decoded = jls.decode(frame.data, spec, out)
>>> decoded.array is out, decoded.pixel_representation, decoded.bits_stored
(True, 0, 16)
>>> bool((out == arr).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import imagecodecs
import numpy as np

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from . import libcharls
from .codestream import INTERLEAVE_NAMES, check_end, parse_header, strip_spiff
from .common import check_frame, encode_params, finished, lossy_changes, prepare_samples

__all__ = ["decode", "encode"]

if not getattr(getattr(imagecodecs, "JPEGLS", None), "available", False):  # pragma: no cover
    raise ImportError("this imagecodecs build has no JPEG-LS (CharLS) codec")

_jpegls_decode = imagecodecs.jpegls_decode
_jpegls_encode = imagecodecs.jpegls_encode
_UNSIGNED = {1: np.dtype(np.uint8), 2: np.dtype(np.uint16)}


def decode(
    src: bytes | bytearray | memoryview, spec: FrameSpec, out: np.ndarray | None = None, **options: Any
) -> DecodedFrame:
    """Decode one JPEG-LS frame with imagecodecs (CharLS), into ``out`` when given.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The frame's codestream.
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        C-contiguous array of ``spec.shape`` and ``spec.dtype``.
    **options
        Accepted and ignored (this codec has no decode options).

    Returns
    -------
    DecodedFrame
        ``out`` (or a new array), unsigned values reported as
        ``pixel_representation=0`` with ``bits_stored`` for signed data sets.

    Raises
    ------
    ValueError
        The codestream is not JPEG-LS or does not fit the data set.
    imagecodecs.JpeglsError
        CharLS found the codestream corrupt.
    """
    if out is None:
        out = np.empty(spec.shape, spec.dtype)
    target = out.view(_UNSIGNED[out.itemsize]) if out.dtype.kind == "i" else out
    check_end(src)
    try:
        _jpegls_decode(src, out=target)
    except ValueError:
        # imagecodecs refuses an ``out`` that does not match the stream (checked
        # before decoding): colour by plane, another precision or another size
        _decode_other(src, spec, target)
    return finished(out, spec)


def _decode_other(src: bytes | bytearray | memoryview, spec: FrameSpec, target: np.ndarray) -> None:
    info = parse_header(src)
    check_frame(info, spec)
    # the header matches the data set, so this allocation is bounded by the frame;
    # colour by plane comes back as a (rows, columns, samples) view of the planes
    target[...] = _jpegls_decode(src)


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame as JPEG-LS with imagecodecs (CharLS).

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``, samples interleaved.
    spec : FrameSpec
        Its description: P = Bits Stored (2-16), 1 or 3 samples per pixel.
    options : Mapping, optional
        ``jls_error`` (NEAR) and ``jls_interleave``; see
        :func:`dicodec_jpegls.common.encode_params`.

    Returns
    -------
    EncodedFrame
        The codestream (no SPIFF header) and, with NEAR above 0, the Lossy Image
        Compression changes.

    Raises
    ------
    ValueError
        Bad options or values, or a frame this encoder cannot write as described
        because the CharLS library was not found (dicodec then tries the next
        encoder).
    """
    near, ilv = encode_params(spec, options)
    samples_per_pixel = spec.samples_per_pixel
    if samples_per_pixel not in (1, 3):
        raise ValueError(f"JPEG-LS in DICOM has 1 or 3 samples per pixel, not {samples_per_pixel}")
    python_api = spec.bits_stored in (8, 16) and (samples_per_pixel == 1 or ilv == 2)
    if not python_api and not libcharls.available():
        raise ValueError(
            f"imagecodecs writes JPEG-LS with a precision of 8 or 16 bits and sample interleave only "
            f"(Bits Stored {spec.bits_stored}, interleave {INTERLEAVE_NAMES[ilv]!r}), and no CharLS "
            "library was found for the rest: jpegls.charls encodes it"
        )
    samples = prepare_samples(arr, spec, near)
    if python_api:
        data: bytes | memoryview = strip_spiff(_jpegls_encode(samples, level=near))
    else:
        if samples_per_pixel > 1 and ilv == 0:
            samples = np.ascontiguousarray(samples.transpose(2, 0, 1))  # one plane per component
        data = libcharls.encode(samples, spec.bits_stored, near, ilv)
    return EncodedFrame(data, lossy_changes(spec, near, len(data)))
