"""The ``jpeg2k.openjpeg`` codec: OpenJPEG through pylibjpeg-openjpeg.

Decoding
    JPEG 2000 and HTJ2K codestreams (OpenJPEG 2.5 decodes both), JP2 files too.
    pylibjpeg-openjpeg reads through a Python file object and holds the GIL for
    the whole call, so frames run one after another; the result is copied once
    into the frame's ``out`` array.

Encoding
    JPEG 2000 only (…4.90, …4.91): precision = Bits Stored (2-16), signed or
    unsigned; lossless with the reversible 5/3 wavelet, lossy with the 9/7 wavelet
    and one quality layer per ``j2k_cr`` ratio or ``j2k_psnr`` value; RGB frames
    get the colour transform (YBR_RCT / YBR_ICT) unless ``use_mct=False``.
    pylibjpeg-openjpeg always writes 6 resolutions (5 decomposition levels), LRCP,
    64 × 64 code blocks, so frames need at least 32 rows and 32 columns; smaller
    ones raise and dicodec falls back to ``jpeg2k.imagecodecs``.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpeg2k import openjpeg_backend as oj
>>> spec = FrameSpec(rows=64, columns=64, bits_allocated=16, bits_stored=12,
...                  transfer_syntax="1.2.840.10008.1.2.4.90")
>>> arr = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) % 4096
>>> frame = oj.encode(arr, spec, {})
>>> bool((oj.decode(frame.data, spec).array == arr).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any

import numpy as np
import openjpeg

from dicodec.plugins.frames import fill_out
from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from . import common
from .codestream import parse

__all__ = ["MIN_SIZE", "decode", "encode"]

MIN_SIZE = 32
"""Smallest number of rows and columns pylibjpeg-openjpeg can encode (6 resolutions)."""

_COLOUR_SPACE = {"RGB": 1, "YBR_FULL": 3, "YBR_FULL_422": 3}
"""pylibjpeg-openjpeg's ``photometric_interpretation`` codes (1 = sRGB enables the MCT)."""


def decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None, **options: Any) -> DecodedFrame:
    """Decode one JPEG 2000 or HTJ2K frame with pylibjpeg-openjpeg.

    Parameters
    ----------
    src : bytes, bytearray, memoryview or numpy.ndarray
        The frame's codestream (or a JP2 file).
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        Array of ``spec.shape`` / ``spec.dtype`` to decode into.
    **options
        Ignored (``j2k_threads`` is an imagecodecs option).

    Returns
    -------
    DecodedFrame
        As :func:`dicodec_jpeg2k.imagecodecs_backend.decode`.

    Raises
    ------
    ValueError
        The codestream disagrees with the data set or is not a codestream.
    RuntimeError
        OpenJPEG could not decode it.
    """
    data = common.as_bytes(src)
    info = parse(data)
    target = common.reconcile(info, spec)
    arr = openjpeg.decode(BytesIO(data), j2k_format=2 if info.jp2 else 0, reshape=False)
    arr = arr.view(target.dtype)
    # straight through a view when the containers match, else a widening copy
    out = fill_out(out, arr, spec, as_dtype=target.dtype if target.direct else None, library="OpenJPEG")
    return DecodedFrame(
        out,
        target.photometric_interpretation,
        pixel_representation=target.pixel_representation,
        bits_stored=target.bits_stored,
    )


def _decode_array(data: bytes) -> np.ndarray:
    return openjpeg.decode(BytesIO(data), j2k_format=0)


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame as a JPEG 2000 codestream with pylibjpeg-openjpeg.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``.
    spec : FrameSpec
        The frame description; ``spec.transfer_syntax`` must be …4.90 or …4.91.
    options : Mapping, optional
        ``j2k_cr`` (ratios, decreasing, one per quality layer) or ``j2k_psnr``
        (dB, increasing, one per layer) for …4.91; ``use_mct`` (default ``True``).

    Returns
    -------
    EncodedFrame
        The codestream and its data set changes.

    Raises
    ------
    ValueError
        An HTJ2K syntax, a frame smaller than 32 × 32, or bad options / frame.
    RuntimeError
        OpenJPEG failed.
    """
    if spec.transfer_syntax not in common.J2K_SYNTAXES:
        raise ValueError(
            "pylibjpeg-openjpeg encodes JPEG 2000 (…4.90, …4.91) only; HTJ2K needs "
            "imagecodecs (pip install dicodec-jpeg2k[imagecodecs])"
        )
    if spec.bits_stored < 2:
        raise ValueError(
            "pylibjpeg-openjpeg cannot encode 1-bit samples reliably (it always applies "
            "5 wavelet levels, after which OpenJPEG fails or mis-codes them); "
            "jpeg2k.imagecodecs encodes them without a wavelet"
        )
    if min(spec.rows, spec.columns) < MIN_SIZE:
        raise ValueError(
            f"pylibjpeg-openjpeg cannot encode a frame smaller than {MIN_SIZE} × {MIN_SIZE} "
            f"({spec.columns} × {spec.rows}): it always writes 6 resolutions"
        )
    plan = common.encode_plan(arr, spec, options)
    colour = 2 if spec.samples_per_pixel == 1 else 1 if plan.mct else _COLOUR_SPACE.get(spec.photometric_interpretation, 0)

    def run(ratios: tuple[float, ...], psnrs: tuple[float, ...]) -> bytes:
        return bytes(
            openjpeg.encode(
                plan.array,
                bits_stored=plan.precision,
                photometric_interpretation=colour,
                use_mct=plan.mct,
                compression_ratios=list(ratios) or None,
                signal_noise_ratios=list(psnrs) or None,
                codec_format=0,
            )
        )

    data = common.encode_to_target(run, plan, spec, _decode_array, "OpenJPEG")
    return EncodedFrame(data, common.lossy_changes(plan, spec, len(data)))
