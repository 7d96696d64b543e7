"""JPEG-LS with pyjpegls (CharLS; import name ``jpeg_ls``): ``jpegls.charls``.

pyjpegls holds the GIL and decodes into a new buffer, which is copied into the
output array. It encodes everything DICOM allows: a precision P equal to Bits
Stored (2-16), every interleave mode, and NEAR up to ``min(255, MAXVAL // 2)``;
that is why it backs up ``jpegls.imagecodecs`` for encoding.

Two pyjpegls quirks are handled here:

* its encoder sizes the output at twice the input, which is too small for tiny
  or noisy frames ("The destination buffer is too small"); such frames are
  encoded again with a larger buffer (the raw ``_CharLS._encode`` with padded
  input: CharLS reads only the frame's bytes);
* its decoder (CharLS 2.4.2) rejects some valid streams that CharLS 2.4.3 reads
  (WG04 ``MR1_JLSL``: "the leading start byte (0xFF) for a JPEG marker was not
  found"); dicodec falls back to another codec for those.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpegls import pyjpegls_backend as jls
>>> spec = FrameSpec(8, 8, bits_allocated=16, bits_stored=12,
...                  transfer_syntax="1.2.840.10008.1.2.4.80")
>>> arr = np.arange(64, dtype=np.uint16).reshape(8, 8) * 60
>>> frame = jls.encode(arr, spec, {})
>>> bytes(frame.data[4:7]).hex()    # SOF55 length 11, P = 12
'000b0c'
>>> bool((jls.decode(frame.data, spec).array == arr).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jpeg_ls
import numpy as np

from dicodec.plugins.frames import fill_out
from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from .codestream import check_end, parse_header
from .common import check_frame, encode_params, finished, lossy_changes, prepare_samples

__all__ = ["decode", "encode"]

_DTYPES = {1: np.dtype("<u1"), 2: np.dtype("<u2")}


def decode(
    src: bytes | bytearray | memoryview, spec: FrameSpec, out: np.ndarray | None = None, **options: Any
) -> DecodedFrame:
    """Decode one JPEG-LS frame with pyjpegls (CharLS) and copy it into ``out``.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The frame's codestream.
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        C-contiguous array of ``spec.shape`` and ``spec.dtype``.
    **options
        Accepted and ignored.

    Returns
    -------
    DecodedFrame
        As :func:`dicodec_jpegls.imagecodecs_backend.decode`.

    Raises
    ------
    ValueError
        The codestream is not JPEG-LS or does not fit the data set.
    RuntimeError
        CharLS found the codestream corrupt.
    """
    info = parse_header(src)
    check_frame(info, spec)
    check_end(src)
    data = jpeg_ls.decode_from_buffer(src if isinstance(src, bytes) else bytes(src))
    samples = np.frombuffer(data, _DTYPES[info.itemsize])
    if spec.samples_per_pixel > 1 and info.interleave == 0 and samples.size == spec.pixels:
        samples = samples.reshape(spec.samples_per_pixel, spec.rows, spec.columns).transpose(1, 2, 0)
    # the library's samples carry no sign: their bits go in as they are, the core reinterprets
    return finished(fill_out(out, samples, spec, as_dtype=_DTYPES[spec.itemsize], library="pyjpegls"), spec)


def _encode_padded(src: bytes, spec: FrameSpec, near: int, ilv: int) -> bytes | bytearray:
    """pyjpegls with room for the worst case: CharLS's LIMIT is at most 4x the input."""
    import _CharLS  # pyjpegls' extension module

    padded = src + bytes(3 * len(src) + 4096)
    return _CharLS._encode(padded, near, ilv, spec.rows, spec.columns, spec.samples_per_pixel, spec.bits_stored)


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame as JPEG-LS with pyjpegls (CharLS), P = Bits Stored.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``, samples interleaved.
    spec : FrameSpec
        Its description (Bits Stored 2-16).
    options : Mapping, optional
        ``jls_error`` (NEAR) and ``jls_interleave`` (``"sample"``, ``"line"``,
        ``"none"``); see :func:`dicodec_jpegls.common.encode_params`.

    Returns
    -------
    EncodedFrame
        The codestream and, with NEAR above 0, the Lossy Image Compression changes.

    Raises
    ------
    ValueError
        Bad options or values.
    RuntimeError
        CharLS refused the parameters.
    """
    near, ilv = encode_params(spec, options)
    samples = prepare_samples(arr, spec, near)
    if spec.samples_per_pixel > 1 and ilv == 0:
        samples = samples.transpose(2, 0, 1)  # one plane per component
    src = samples.tobytes()
    try:
        data = jpeg_ls.encode_buffer(
            src, spec.rows, spec.columns, spec.samples_per_pixel, spec.bits_stored, near, ilv
        )
    except RuntimeError as exc:
        if "too small" not in str(exc):
            raise
        data = _encode_padded(src, spec, near, ilv)
    return EncodedFrame(data, lossy_changes(spec, near, len(data)))
