"""The ``jpeg2k.imagecodecs`` codec: OpenJPEG and OpenJPH through imagecodecs.

Decoding (every call releases the GIL, so dicodec decodes frames in parallel)

* JPEG 2000 codestreams, and irreversible (9/7) HTJ2K codestreams: OpenJPEG
  (``imagecodecs.jpeg2k_decode``).
* Reversible (5/3) HTJ2K codestreams: OpenJPH (``imagecodecs.htj2k_decode``),
  about twice as fast as OpenJPEG on them. OpenJPH 0.26 does not clamp
  irreversible reconstructions to the sample range (a lossy 8-bit sample that
  overshoots 255 wraps to 0, as on ``HTJ2K_08_RGB.dcm``), so lossy HTJ2K goes to
  OpenJPEG, which clamps. The choice is made per codestream from its COD marker.

Both decode straight into the frame's ``out`` array when the codestream's
container matches Bits Allocated.

Encoding

* JPEG 2000 (…4.90, …4.91): OpenJPEG (``imagecodecs.jpeg2k_encode``), precision =
  Bits Stored, 5 decomposition levels (fewer for small images, none for 1-bit
  samples), 64 × 64 code blocks, LRCP. imagecodecs exposes a single quality layer with a PSNR target
  only, so ``j2k_cr`` or several layers raise here and dicodec falls back to
  ``jpeg2k.openjpeg``.
* HTJ2K (…4.201, …4.202, …4.203): OpenJPH (``imagecodecs.htj2k_encode``), RPCL
  progression; …4.202 also gets TLM marker segments and one tile-part per
  resolution, as PS3.5 8.2.14 asks of the RPCL option. OpenJPH declares the
  container's precision (8 or 16 bits) in SIZ, whatever Bits Stored is (the
  DICOMHTJ2K reference files do the same); lossless round trips are exact. OpenJPH
  has no rate control, so ``j2k_cr`` / ``j2k_psnr`` (one layer) are met by
  searching the quantisation step.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpeg2k import imagecodecs_backend as ic
>>> spec = FrameSpec(rows=64, columns=64, bits_allocated=16, bits_stored=12,
...                  transfer_syntax="1.2.840.10008.1.2.4.202")
>>> arr = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) % 4096
>>> frame = ic.encode(arr, spec, {})
>>> bool((ic.decode(frame.data, spec).array == arr).all())
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, cast

import imagecodecs
import numpy as np

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from . import common
from .codestream import parse

__all__ = ["decode", "encode", "htj2k_encode", "jpeg2k_encode"]

_RESOLUTIONS = 6
"""Resolutions (decomposition levels + 1) of the JPEG 2000 codestreams written."""


def decode(
    src: Any,
    spec: FrameSpec,
    out: np.ndarray | None = None,
    *,
    j2k_threads: int | None = None,
    **options: Any,
) -> DecodedFrame | np.ndarray:
    """Decode one JPEG 2000 or HTJ2K frame.

    Parameters
    ----------
    src : bytes, bytearray, memoryview or numpy.ndarray
        The frame's codestream (or a JP2 file).
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        Array of ``spec.shape`` / ``spec.dtype`` to decode into.
    j2k_threads : int, optional
        Threads OpenJPEG may use for this frame (0 = every core). Default: every
        core for frames of 512 × 512 samples or more decoded outside a worker pool,
        else 1. OpenJPH is single-threaded.

    Returns
    -------
    DecodedFrame or numpy.ndarray
        ``photometric_interpretation`` is ``"RGB"`` for colour-transformed
        frames; ``pixel_representation`` and ``bits_stored`` come from SIZ.
        When ``out`` was given and the frame is exactly what ``spec`` describes
        (same colour space and signedness, decoded in place), ``out`` itself.

    Raises
    ------
    ValueError
        The codestream disagrees with the data set (see
        :func:`dicodec_jpeg2k.common.reconcile`) or is not a codestream.
    imagecodecs.Jpeg2kError, imagecodecs.Htj2kError
        The library could not decode it.
    """
    data = cast(bytes, common.as_bytes(src))  # imagecodecs takes any contiguous buffer
    info = parse(data)
    target = common.reconcile(info, spec)
    given = out is not None
    if out is None:
        out = np.empty(spec.shape, spec.dtype)
    dst = out.view(target.dtype) if target.direct else None
    if info.htj2k and info.reversible and not info.jp2:
        common.decode_threads(spec, j2k_threads)  # checks the option; OpenJPH runs in one thread
        result = imagecodecs.htj2k_decode(data, planar=False, out=dst)
    else:
        threads = common.decode_threads(spec, j2k_threads)
        result = imagecodecs.jpeg2k_decode(data, numthreads=threads, out=dst)
    if dst is None:
        out[...] = result.reshape(spec.shape)
    elif result.shape != spec.shape:  # pragma: no cover - guarded by reconcile
        raise ValueError(f"the decoder returned shape {result.shape}, expected {spec.shape}")
    if given and target.plain:
        return out  # exactly as the spec describes: the short form of DecodedFrame(out, ...)
    return DecodedFrame(
        out,
        target.photometric_interpretation,
        pixel_representation=target.pixel_representation,
        bits_stored=target.bits_stored,
    )


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame as JPEG 2000 (OpenJPEG) or HTJ2K (OpenJPH).

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``.
    spec : FrameSpec
        The frame description; ``spec.transfer_syntax`` chooses the format.
    options : Mapping, optional
        ``j2k_cr`` / ``j2k_psnr`` (lossy syntaxes only, one quality layer),
        ``use_mct`` (default ``True``).

    Returns
    -------
    EncodedFrame
        The codestream; ``changes`` holds the Photometric Interpretation and, for
        lossy frames, Lossy Image Compression, its ratio and method.

    Raises
    ------
    ValueError
        Bad options or frame (:func:`dicodec_jpeg2k.common.encode_plan`),
        ``j2k_cr`` or several layers for JPEG 2000, or a target OpenJPH cannot reach.
    """
    plan = common.encode_plan(arr, spec, options)
    data = htj2k_encode(plan, spec) if plan.htj2k else jpeg2k_encode(plan, spec)
    return EncodedFrame(data, common.lossy_changes(plan, spec, len(data)))


def _resolutions(spec: FrameSpec) -> int:
    if spec.bits_stored == 1:
        # no wavelet for 1-bit samples: OpenJPEG's 2 guard bits cannot hold the
        # 5/3 coefficients of noisy binary data (the encode fails), and binary
        # masks code smaller without it
        return 1
    smallest = max(1, min(spec.rows, spec.columns))
    return max(1, min(_RESOLUTIONS, int(math.log2(smallest)) + 1))


def _decompositions(spec: FrameSpec) -> int:
    smallest = max(1, min(spec.rows, spec.columns))
    return max(1, min(_RESOLUTIONS - 1, int(math.log2(smallest))))


def jpeg2k_encode(plan: common.EncodePlan, spec: FrameSpec) -> bytes:
    """A JPEG 2000 codestream of ``plan`` with imagecodecs' OpenJPEG binding.

    Raises
    ------
    ValueError
        ``j2k_cr`` was asked for, or more than one quality layer.
    """
    if plan.compression_ratios:
        raise ValueError(
            "imagecodecs' OpenJPEG encoder takes a PSNR target only; j2k_cr needs "
            "pylibjpeg-openjpeg (pip install dicodec-jpeg2k[openjpeg])"
        )
    common.check_layers(plan.psnr, "imagecodecs' OpenJPEG encoder")
    resolutions = _resolutions(spec)
    samples = plan.array
    if plan.precision <= 8 and samples.dtype.itemsize > 1:
        # imagecodecs ignores bitspersample <= 8 for 16-bit arrays: hand it bytes
        samples = samples.astype(np.int8 if plan.signed else np.uint8)

    def run(ratios: tuple[float, ...], psnrs: tuple[float, ...]) -> bytes:
        level: Any = psnrs[0] if psnrs else None
        return bytes(
            imagecodecs.jpeg2k_encode(
                samples,
                level=level,
                codecformat="J2K",
                planar=False,
                bitspersample=plan.precision,
                resolutions=resolutions,
                reversible=plan.reversible,
                mct=plan.mct,
                numthreads=1,
            )
        )

    data = common.encode_to_target(run, plan, spec, imagecodecs.jpeg2k_decode, "OpenJPEG")
    if plan.precision == 1:
        # OpenJPEG's 1-bit coding has failed silently before: check it (binary frames are cheap)
        back = imagecodecs.jpeg2k_decode(data).reshape(plan.array.shape)
        if not np.array_equal(back, plan.array):
            raise ValueError("OpenJPEG mis-coded this 1-bit frame")
    return data


# ------------------------------------------------------------------ HTJ2K

_STEP_MIN = 1e-6
_STEP_MAX = 1.0
_SEARCH_STEPS = 14


def _htj2k(plan: common.EncodePlan, spec: FrameSpec, step: float | None) -> bytes:
    rpcl = spec.transfer_syntax == common.HTJ2K_LOSSLESS_RPCL
    kwargs: dict[str, Any] = {}
    if rpcl:
        kwargs = {"tlm": True, "tilepart": 1}  # HTJ2K.TILEPART.RESOLUTIONS
    return bytes(
        imagecodecs.htj2k_encode(
            plan.array,
            level=step,
            rgb=plan.mct,
            planar=False if spec.samples_per_pixel > 1 else None,
            resolutions=_decompositions(spec),
            reversible=plan.reversible,
            **kwargs,
        )
    )


def htj2k_encode(plan: common.EncodePlan, spec: FrameSpec) -> bytes:
    """An HTJ2K codestream of ``plan`` with OpenJPH.

    Lossless plans are encoded once. A lossy plan searches the quantisation step
    (log-scale bisection, at most 16 encodes) for the finest step whose
    codestream meets ``j2k_cr`` (ratio of Bits Allocated bytes to codestream
    bytes at least the target) or ``j2k_psnr`` (measured after decoding with
    OpenJPEG, peak ``2**BitsStored - 1``).

    Raises
    ------
    ValueError
        More than one quality layer, or a target OpenJPH cannot reach.
    """
    if plan.reversible:
        return _htj2k(plan, spec, None)
    targets = plan.compression_ratios or plan.psnr
    common.check_layers(targets, "OpenJPH")
    target = targets[0]
    if plan.compression_ratios:
        budget = common.uncompressed_size(spec) / target

        def good(data: bytes) -> bool:
            return len(data) <= budget

        what = f"a compression ratio of {target}"
    else:

        def good(data: bytes) -> bool:
            decoded = imagecodecs.jpeg2k_decode(data).reshape(plan.array.shape)
            return common.psnr(plan.array, decoded, spec.bits_stored) >= target

        what = f"a PSNR of {target} dB"
    # quality falls as the step grows: find the largest step with enough quality
    # (PSNR) or the smallest step within budget (ratio)
    lo, hi = math.log(_STEP_MIN), math.log(_STEP_MAX)
    if plan.compression_ratios:
        best = _htj2k(plan, spec, _STEP_MAX)
        if not good(best):
            raise ValueError(f"OpenJPH cannot reach {what} on this frame (at most {common.uncompressed_size(spec) / len(best):.2f})")
        for _ in range(_SEARCH_STEPS):
            mid = (lo + hi) / 2
            data = _htj2k(plan, spec, math.exp(mid))
            if good(data):
                best, hi = data, mid
            else:
                lo = mid
        return best
    best = _htj2k(plan, spec, _STEP_MIN)
    if not good(best):
        raise ValueError(f"OpenJPH cannot reach {what} on this frame")
    for _ in range(_SEARCH_STEPS):
        mid = (lo + hi) / 2
        data = _htj2k(plan, spec, math.exp(mid))
        if good(data):
            best, lo = data, mid
        else:
            hi = mid
    return best
