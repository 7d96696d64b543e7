"""JPEG-LS decoding with pylibjpeg-libjpeg (Thomas Richter's libjpeg): ``jpegls.libjpeg``.

An independent implementation of ISO/IEC 14495-1 (not CharLS), so it is a
useful last resort when a CharLS build rejects a stream. It holds the GIL, is
several times slower than CharLS, and decodes only. libjpeg also decodes JPEG
(ITU-T T.81) streams; the header is checked first so that a JPEG stream in a
JPEG-LS data set is refused rather than silently decoded.

pylibjpeg-libjpeg is GPL-3.0 licensed: it is installed only on request, with the
``libjpeg`` extra (``pip install dicodec-jpegls[libjpeg]``).

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpegls import libjpeg_backend, pyjpegls_backend
>>> spec = FrameSpec(4, 4, bits_allocated=8, bits_stored=8,
...                  transfer_syntax="1.2.840.10008.1.2.4.80")
>>> arr = np.arange(16, dtype=np.uint8).reshape(4, 4)
>>> data = pyjpegls_backend.encode(arr, spec, {}).data
>>> bool((libjpeg_backend.decode(data, spec).array == arr).all())
True
"""

from __future__ import annotations

from typing import Any

import libjpeg
import numpy as np

from dicodec.plugins.frames import fill_out
from dicodec.plugins.records import DecodedFrame, FrameSpec

from .codestream import check_end, parse_header
from .common import check_frame, finished

__all__ = ["decode"]

_UNSIGNED = {1: np.dtype(np.uint8), 2: np.dtype(np.uint16)}


def decode(
    src: bytes | bytearray | memoryview, spec: FrameSpec, out: np.ndarray | None = None, **options: Any
) -> DecodedFrame:
    """Decode one JPEG-LS frame with libjpeg and copy it into ``out``.

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
        libjpeg found the codestream corrupt.
    """
    info = parse_header(src)
    check_frame(info, spec)
    check_end(src)
    image = libjpeg.decode(src if isinstance(src, bytes) else bytes(src), colour_transform=0)
    # the library's samples carry no sign: their bits go in as they are, the core reinterprets
    return finished(fill_out(out, image, spec, as_dtype=_UNSIGNED[spec.itemsize], library="libjpeg"), spec)
