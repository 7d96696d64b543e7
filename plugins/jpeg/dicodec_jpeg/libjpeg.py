"""The ``jpeg.libjpeg`` codec: Thomas Richter's libjpeg through pylibjpeg-libjpeg.

Decode only. pylibjpeg-libjpeg is licensed under the GPL-3.0, so dicodec-jpeg
never depends on it: install it on request with ``pip install
dicodec-jpeg[libjpeg]``. It holds the GIL while it decodes and allocates its own
output, which is then copied into dicodec's array.

Colour follows the same single decision as :mod:`dicodec_jpeg.turbo`
(:func:`dicodec_jpeg.markers.colour_space`): libjpeg is asked for the samples
without a colour transform and YCbCr is reported as ``YBR_FULL``, always: libjpeg's
own YCbCr to RGB conversion differs from the reference decodings by up to 19
(``Issue16.dcm``; tolerance 8), dicodec's conversion of libjpeg's YCbCr stays
within every tolerance of the corpus.

Lossless streams with a point transform are refused (libjpeg 2.5 starts the
prediction at the wrong value for them, so the fallback codec takes the frame).
libjpeg refuses sequential scans whose spectral selection is not 0-63, which
some 12-bit encoders wrote; such streams are repaired on a copy first
(:func:`dicodec_jpeg.markers.repair_sequential_scans`).

Examples
--------
>>> import numpy as np, imagecodecs
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpeg.libjpeg import decode
>>> arr = np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000
>>> data = imagecodecs.jpeg8_encode(arr, lossless=True, bitspersample=16)
>>> spec = FrameSpec(8, 8, bits_allocated=16, bits_stored=16, transfer_syntax="1.2.840.10008.1.2.4.70")
>>> bool((decode(data, spec, None).array == arr).all())
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
from libjpeg.utils import decode as libjpeg_decode

from dicodec.plugins.records import DecodedFrame, FrameSpec

from .frames import check_geometry, produced_sign
from .markers import colour_space, parse_header, repair_sequential_scans, reported_photometric

__all__ = ["decode"]


def decode(
    src: bytes | bytearray | memoryview, spec: FrameSpec, out: np.ndarray | None = None, **options: Any
) -> DecodedFrame:
    """Decode one JPEG frame (Baseline, Extended, Lossless) with libjpeg.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The frame's codestream (fragments joined).
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        C-contiguous ``spec.shape`` / ``spec.dtype`` array to copy the frame into.
    **options
        Ignored.

    Returns
    -------
    DecodedFrame
        As :func:`dicodec_jpeg.turbo.decode`.

    Raises
    ------
    ValueError
        Not a JPEG codestream, its frame header disagrees with ``spec``, or it is
        lossless with a point transform.
    RuntimeError
        libjpeg failed to decode the codestream.
    """
    header = parse_header(src)
    check_geometry(header, spec)
    if header.point_transform:
        # libjpeg 2.5 starts lossless prediction at 2**(P-1) instead of 2**(P-Pt-1)
        # (T.81 H.1.2.1), so every sample comes out wrong: leave such frames to
        # another codec (libjpeg-turbo and GDCM decode them correctly)
        raise ValueError(
            f"jpeg.libjpeg cannot decode lossless JPEG with a point transform "
            f"(Pt = {header.point_transform}): libjpeg mis-predicts such streams"
        )
    space = colour_space(header, spec.photometric_interpretation)
    pi = reported_photometric(space, spec.photometric_interpretation)
    repaired = repair_sequential_scans(src, header)  # libjpeg refuses Se != 63 (WG04 *_JPLY)
    data: bytes | bytearray
    if repaired is not None:
        data = repaired
    else:
        data = src if isinstance(src, (bytes, bytearray)) else bytes(src)  # it takes bytes only
    arr = libjpeg_decode(data, 0, reshape=True)  # 0: no colour transform
    if arr.shape != spec.shape:
        raise ValueError(f"libjpeg decoded a frame of shape {arr.shape}; the data set describes {spec.shape}")
    if out is not None:
        out[...] = arr
        arr = out
    return DecodedFrame(arr, pi, pixel_representation=produced_sign(spec), bits_stored=min(header.precision, spec.bits_stored))
