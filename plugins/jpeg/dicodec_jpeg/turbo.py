"""The ``jpeg.turbo`` codec: libjpeg-turbo 3 through imagecodecs.

libjpeg-turbo 3 decodes and encodes every process DICOM uses for JPEG: Baseline
(8-bit), Extended (8 and 12-bit) and Lossless (Process 14, predictors 1-7, any
point transform, 2-16 bits), with restart markers. imagecodecs releases the GIL
for the whole decode and writes straight into the frame's slot of dicodec's
output array.

Colour: :func:`dicodec_jpeg.markers.colour_space` decides what the samples are;
the decoder tells libjpeg-turbo that the codestream is in that space *and* that
the output is too, so the library never converts on its own (its default turns
any marker-less 3-component stream into "RGB" through a YCbCr transform).
YCbCr comes back as ``YBR_FULL`` and dicodec converts it to RGB once, unless the
frame spec carries ``as_rgb=True`` (the caller wants RGB, not the codec's raw
samples; a proposed core field, absent from FrameSpec today): then libjpeg-turbo's
SIMD conversion, within 1 of dicodec's and free where dicodec's costs as much as
the decode itself, does it during the decode.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpeg.turbo import decode, encode
>>> spec = FrameSpec(rows=16, columns=16, bits_allocated=16, bits_stored=12,
...                  transfer_syntax="1.2.840.10008.1.2.4.70")
>>> arr = np.arange(256, dtype=np.uint16).reshape(16, 16) * 16
>>> frame = encode(arr, spec, {})
>>> bool((decode(frame.data, spec, None).array == arr).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import imagecodecs
import numpy as np

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from .frames import check_geometry, produced_sign
from .markers import colour_space, parse_header, reported_photometric
from .options import EncodeSettings, lossy_changes, settings_for

__all__ = ["decode", "encode"]

_CS = {"RGB": "RGB", "YCbCr": "YCbCr", "GRAY": "GRAYSCALE"}


def decode(
    src: bytes | bytearray | memoryview, spec: FrameSpec, out: np.ndarray | None = None, **options: Any
) -> DecodedFrame:
    """Decode one JPEG frame (Baseline, Extended, Lossless) with libjpeg-turbo.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The frame's codestream (fragments joined). Bytes after EOI are ignored.
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        C-contiguous ``spec.shape`` / ``spec.dtype`` array to decode into.
    **options
        Ignored (this decoder takes no options).

    Returns
    -------
    DecodedFrame
        ``photometric_interpretation`` is ``"YBR_FULL"`` for YCbCr samples,
        ``"RGB"`` for RGB samples (or YCbCr converted because ``spec.as_rgb``),
        else the data set's value. ``pixel_representation`` follows (JPEG samples are
        unsigned, see :func:`produced_sign`) and ``bits_stored`` the precision the
        signed values extend from.

    Raises
    ------
    ValueError
        Not a JPEG codestream, or its frame header disagrees with ``spec``.
    imagecodecs.Jpeg8Error
        libjpeg-turbo refused the codestream (corrupt, unsupported process).

    Examples
    --------
    >>> import numpy as np, imagecodecs
    >>> from dicodec.plugins.records import FrameSpec
    >>> rgb = np.zeros((8, 8, 3), np.uint8); rgb[..., 0] = 200
    >>> data = imagecodecs.jpeg8_encode(rgb, 95)            # a JFIF YCbCr stream
    >>> spec = FrameSpec(8, 8, 3, 8, 8, photometric_interpretation="YBR_FULL_422")
    >>> frame = decode(data, spec)
    >>> frame.photometric_interpretation, frame.array[0, 0].tolist()
    ('YBR_FULL', [60, 94, 228])
    """
    header = parse_header(src)
    check_geometry(header, spec)
    space = colour_space(header, spec.photometric_interpretation)
    pi = reported_photometric(space, spec.photometric_interpretation)
    kwargs: dict[str, Any] = {}
    if header.components == 3:
        outspace = space
        if space == "YCbCr" and getattr(spec, "as_rgb", False) and not header.lossless:
            outspace, pi = "RGB", "RGB"
        kwargs = {"colorspace": _CS[space], "outcolorspace": _CS[outspace]}
    if header.rows == 0:
        raise ValueError("the JPEG frame gives its height in a DNL marker, which libjpeg-turbo does not support")
    wide = header.precision > 8
    target = None
    if out is not None and out.dtype.itemsize == (2 if wide else 1) and out.flags.c_contiguous:
        target = out
    arr = imagecodecs.jpeg8_decode(src, out=target, **kwargs)  # type: ignore[arg-type]  # any buffer
    return DecodedFrame(
        arr,
        pi,
        pixel_representation=produced_sign(spec),
        bits_stored=min(header.precision, spec.bits_stored),
    )


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame as JPEG Baseline, Extended or Lossless with libjpeg-turbo.

    The process follows ``spec.transfer_syntax``: ``...4.50`` Baseline (8-bit),
    ``...4.51`` Extended (8 or 12-bit), ``...4.57`` Lossless (any predictor),
    ``...4.70`` Lossless first-order prediction (predictor 1).

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``.
    spec : FrameSpec
        The frame description.
    options : Mapping, optional
        ``jpeg_quality`` (1-100, default 90), ``jpeg_photometric`` (colour lossy
        output: ``"YBR_FULL_422"`` default, ``"YBR_FULL"`` or ``"RGB"``),
        ``jpeg_predictor`` (1-7, ``...4.57`` only, default 1). See
        :mod:`dicodec_jpeg.options`.

    Returns
    -------
    EncodedFrame
        With the data set changes: ``PhotometricInterpretation`` when it changes,
        and for lossy processes ``LossyImageCompression`` ``"01"``,
        ``LossyImageCompressionRatio`` and ``LossyImageCompressionMethod``
        ``"ISO_10918_1"``.

    Raises
    ------
    ValueError
        The frame cannot be encoded with this process (bits, signedness, colour),
        or an option is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(16, 16, 3, 8, 8, photometric_interpretation="RGB",
    ...                  transfer_syntax="1.2.840.10008.1.2.4.50")
    >>> frame = encode(np.full((16, 16, 3), 128, np.uint8), spec, {"jpeg_quality": 80})
    >>> frame.changes["PhotometricInterpretation"], frame.changes["LossyImageCompressionMethod"]
    ('YBR_FULL_422', 'ISO_10918_1')
    """
    settings = settings_for(spec, options or {})
    data = _encode_with(arr, spec, settings)
    changes: dict[str, Any] = {}
    if settings.photometric != spec.photometric_interpretation:
        changes["PhotometricInterpretation"] = settings.photometric
    if not settings.lossless:
        changes.update(lossy_changes(spec, len(data)))
    return EncodedFrame(data, changes)


def _encode_with(arr: np.ndarray, spec: FrameSpec, s: EncodeSettings) -> bytes:
    frame = np.asarray(arr)
    if frame.shape != spec.shape:
        raise ValueError(f"the frame has shape {frame.shape}; the data set describes {spec.shape}")
    if frame.dtype.kind not in "iu":
        raise ValueError(f"JPEG encodes integer samples, not {frame.dtype}")
    container = np.uint8 if s.precision <= 8 else np.uint16
    mask = (1 << s.precision) - 1
    if frame.dtype.kind == "i":
        if not s.lossless:
            raise ValueError("signed samples cannot be encoded with a lossy JPEG process; use a lossless one")
        # lossless JPEG stores the two's complement bit pattern of Bits Stored bits
        samples = (frame.astype(np.int64) & mask).astype(container)
    else:
        if frame.size and int(frame.max()) > mask:
            raise ValueError(
                f"sample values up to {int(frame.max())} do not fit in {s.precision}-bit JPEG "
                f"samples (Bits Stored {spec.bits_stored})"
            )
        samples = np.ascontiguousarray(frame, dtype=container)
    kwargs: dict[str, Any] = {"bitspersample": s.precision}
    if spec.samples_per_pixel == 3:
        kwargs["colorspace"] = s.input_space
        kwargs["outcolorspace"] = s.jpeg_space
        if s.subsampling:
            kwargs["subsampling"] = s.subsampling
    if s.lossless:
        kwargs.update(lossless=True, predictor=s.predictor)
        return bytes(imagecodecs.jpeg8_encode(samples, **kwargs))
    return bytes(imagecodecs.jpeg8_encode(samples, s.quality, **kwargs))
