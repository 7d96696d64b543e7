"""What every JPEG 2000 backend shares: reconciling codestream and data set, options.

Decoding
    :func:`reconcile` compares the codestream's SIZ/COD parameters
    (:func:`dicodec_jpeg2k.codestream.parse`) with the :class:`FrameSpec` once per
    frame, refuses frames whose geometry disagrees, and says which dtype the
    backend produces, whether it can write straight into the core's ``out`` array,
    and what to report in :class:`~dicodec.plugins.records.DecodedFrame`
    (signedness and precision from SIZ; ``"RGB"`` after an inverse colour
    transform), so the core corrects the frame in one place.

Encoding
    :func:`encode_plan` checks the frame and the options (``j2k_cr``, ``j2k_psnr``,
    ``use_mct``) against the transfer syntax and returns what to ask the backend
    for, and :func:`lossy_changes` the data set changes a lossy frame implies.

Examples
--------
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpeg2k.codestream import CodestreamInfo
>>> spec = FrameSpec(rows=4, columns=4, bits_allocated=16, bits_stored=16,
...                  pixel_representation=1, transfer_syntax=J2K_LOSSLESS)
>>> info = CodestreamInfo(columns=4, rows=4, components=1, precisions=(16,), signs=(False,))
>>> target = reconcile(info, spec)
>>> target.dtype, target.direct, target.pixel_representation, target.bits_stored
(dtype('uint16'), True, 0, 16)
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from dicodec.plugins.records import FrameSpec

from .codestream import CodestreamInfo

__all__ = [
    "HTJ2K",
    "HTJ2K_LOSSLESS",
    "HTJ2K_LOSSLESS_RPCL",
    "HTJ2K_SYNTAXES",
    "J2K",
    "J2K_LOSSLESS",
    "J2K_SYNTAXES",
    "LOSSLESS_SYNTAXES",
    "SYNTAXES",
    "EncodePlan",
    "Target",
    "as_bytes",
    "decode_threads",
    "encode_plan",
    "encode_to_target",
    "lossy_changes",
    "psnr",
    "reconcile",
]

J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
"""JPEG 2000 Image Compression (Lossless Only)."""
J2K = "1.2.840.10008.1.2.4.91"
"""JPEG 2000 Image Compression (lossy, or lossless)."""
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
"""High-Throughput JPEG 2000 Image Compression (Lossless Only)."""
HTJ2K_LOSSLESS_RPCL = "1.2.840.10008.1.2.4.202"
"""High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)."""
HTJ2K = "1.2.840.10008.1.2.4.203"
"""High-Throughput JPEG 2000 Image Compression (lossy, or lossless)."""

J2K_SYNTAXES = (J2K_LOSSLESS, J2K)
HTJ2K_SYNTAXES = (HTJ2K_LOSSLESS, HTJ2K_LOSSLESS_RPCL, HTJ2K)
SYNTAXES = J2K_SYNTAXES + HTJ2K_SYNTAXES
LOSSLESS_SYNTAXES = (J2K_LOSSLESS, HTJ2K_LOSSLESS, HTJ2K_LOSSLESS_RPCL)
LOSSY_SYNTAXES = (J2K, HTJ2K)

_COLOUR_TRANSFORMED = ("YBR_RCT", "YBR_ICT")
_MCT_INPUT = ("RGB", "YBR_RCT", "YBR_ICT")
_THREADED_PIXELS = 512 * 512
"""Frames at least this large use the library's own threads when not in a worker pool."""
_CPUS = max(1, min(os.cpu_count() or 1, 8))
_DTYPES = {(s, n): np.dtype(f"{'i' if s else 'u'}{n}") for s in (0, 1) for n in (1, 2, 4)}
_MAIN = threading.main_thread()


def as_bytes(src: Any) -> bytes | bytearray | memoryview:
    """A contiguous byte buffer of ``src`` without copying when possible.

    Examples
    --------
    >>> as_bytes(bytearray(b"ab"))
    bytearray(b'ab')
    >>> bytes(as_bytes(np.frombuffer(b"ab", np.uint8)))
    b'ab'
    """
    if isinstance(src, (bytes, bytearray)):
        return src
    if isinstance(src, np.ndarray):
        return np.ascontiguousarray(src).reshape(-1).view(np.uint8).data
    mv = memoryview(src)
    if not mv.c_contiguous:
        return mv.tobytes()
    return mv.cast("B") if mv.format != "B" or mv.ndim != 1 else mv


# ------------------------------------------------------------------ decoding


class Target(NamedTuple):
    """How a backend should decode one frame, and what to report about it.

    Attributes
    ----------
    dtype : numpy.dtype
        What the backend produces: the codestream's signedness and the smallest
        container holding its precision.
    direct : bool
        ``dtype`` has the itemsize of the frame's ``out`` array, so the backend can
        decode straight into ``out.view(dtype)``.
    photometric_interpretation : str
        The colour space of the decoded samples (``"RGB"`` after an inverse RCT/ICT).
    pixel_representation : int or None
        The codestream's signedness when it differs from the data set's.
    bits_stored : int
        The codestream's precision.
    plain : bool
        Decoded in place, the frame is exactly what the data set describes (its
        colour space and signedness): a backend may answer with ``out`` itself.
    """

    dtype: np.dtype
    direct: bool
    photometric_interpretation: str
    pixel_representation: int | None
    bits_stored: int
    plain: bool = False


def reconcile(info: CodestreamInfo, spec: FrameSpec) -> Target:
    """Check the codestream against the frame description; decide how to decode.

    Parameters
    ----------
    info : CodestreamInfo
        The parsed main header of the frame.
    spec : FrameSpec
        What the data set says the frame is.

    Returns
    -------
    Target

    Raises
    ------
    ValueError
        The codestream's size or number of components differs from the data set,
        its components differ from each other (precision, sign, subsampling), or
        its precision needs a larger container than Bits Allocated gives.

    Examples
    --------
    >>> from dicodec_jpeg2k.codestream import CodestreamInfo
    >>> info = CodestreamInfo(columns=8, rows=8, components=3, precisions=(8,) * 3,
    ...                       signs=(False,) * 3, mct=True)
    >>> spec = FrameSpec(rows=8, columns=8, samples_per_pixel=3, bits_allocated=8,
    ...                  bits_stored=8, photometric_interpretation="YBR_RCT")
    >>> reconcile(info, spec).photometric_interpretation
    'RGB'
    >>> reconcile(info, spec.replace(rows=4))
    Traceback (most recent call last):
    ...
    ValueError: the JPEG 2000 codestream is 8 × 8 (columns × rows) but the data set says 8 × 4
    """
    last = _last_target
    if last is not None and last[0] is info and last[1] is spec:
        return last[2]  # the next frame of the same image (parse() hands back the same info)
    target = _reconcile(info, spec)
    _remember(info, spec, target)
    return target


_last_target: tuple[CodestreamInfo, FrameSpec, Target] | None = None


def _remember(info: CodestreamInfo, spec: FrameSpec, target: Target) -> None:
    global _last_target
    _last_target = (info, spec, target)


def _reconcile(info: CodestreamInfo, spec: FrameSpec) -> Target:
    if info.columns != spec.columns or info.rows != spec.rows:
        raise ValueError(
            f"the JPEG 2000 codestream is {info.columns} × {info.rows} (columns × rows) "
            f"but the data set says {spec.columns} × {spec.rows}"
        )
    if info.components != spec.samples_per_pixel:
        raise ValueError(
            f"the JPEG 2000 codestream has {info.components} component(s) "
            f"but Samples per Pixel is {spec.samples_per_pixel}"
        )
    if not info.uniform:
        raise ValueError(
            "the JPEG 2000 codestream's components differ in precision, signedness or "
            f"subsampling (precisions {list(info.precisions)}, signed {list(info.signs)}, "
            f"subsampling {list(info.subsampling)}); dicodec needs uniform components"
        )
    precision = info.precision
    itemsize = 1 if precision <= 8 else 2 if precision <= 16 else 4 if precision <= 32 else 8
    if itemsize > spec.itemsize:
        raise ValueError(
            f"the JPEG 2000 codestream holds {precision}-bit samples, more than "
            f"Bits Allocated {spec.bits_allocated} can hold"
        )
    if itemsize == 8:
        raise ValueError(f"JPEG 2000 samples of {precision} bits are not supported (at most 32)")
    signed = int(info.signed)
    direct = itemsize == spec.itemsize
    photometric = decoded_photometric(info, spec)
    sign = None if signed == spec.pixel_representation else signed
    return Target(
        _DTYPES[signed, itemsize],
        direct,
        photometric,
        sign,
        precision,
        direct and sign is None and photometric == spec.photometric_interpretation,
    )


def decoded_photometric(info: CodestreamInfo, spec: FrameSpec) -> str:
    """The colour space a decoder returns for this frame.

    JPEG 2000 decoders apply the inverse multiple component transform (RCT or
    ICT) themselves, so a colour-transformed frame comes out as RGB, and a frame
    labelled YBR_RCT / YBR_ICT is returned as RGB (PS3.5 8.2.4). Full-resolution
    components labelled YBR_FULL_422 hold YBR_FULL samples.

    Examples
    --------
    >>> from dicodec_jpeg2k.codestream import CodestreamInfo
    >>> info = CodestreamInfo(columns=1, rows=1, components=3, precisions=(8,) * 3,
    ...                       signs=(False,) * 3)
    >>> decoded_photometric(info, FrameSpec(1, 1, samples_per_pixel=3,
    ...                     photometric_interpretation="YBR_FULL_422"))
    'YBR_FULL'
    """
    pi = spec.photometric_interpretation
    if spec.samples_per_pixel == 3:
        if info.mct or pi in _COLOUR_TRANSFORMED:
            return "RGB"
        if pi == "YBR_FULL_422":
            return "YBR_FULL"
    return pi


def decode_threads(spec: FrameSpec, requested: int | None = None) -> int:
    """Threads a library may use for one frame.

    A frame decoded outside a worker pool (in the main thread: ``pixel_array``
    with one worker, ``iter_pixels``) of at least 512 × 512 samples may use every
    core; inside dicodec's frame pool (``workers=``) or any other thread, one.

    Examples
    --------
    >>> decode_threads(FrameSpec(64, 64))
    1
    >>> decode_threads(FrameSpec(64, 64), 3)
    3
    """
    if requested is not None:
        if isinstance(requested, bool) or not isinstance(requested, int) or requested < 0:
            raise ValueError(f"j2k_threads must be a non-negative integer, not {requested!r}")
        return requested or _CPUS
    if spec.pixels >= _THREADED_PIXELS and threading.current_thread() is _MAIN:
        return _CPUS
    return 1


# ------------------------------------------------------------------ encoding


@dataclass(frozen=True)
class EncodePlan:
    """What to ask an encoder for.

    Attributes
    ----------
    array : numpy.ndarray
        The frame, C-contiguous, native byte order, in the dtype to encode
        (``uint8`` for Bits Allocated 1).
    precision : int
        Bits per sample to declare in SIZ (Bits Stored).
    signed : bool
        Pixel Representation 1.
    reversible : bool
        5/3 reversible wavelet (lossless) or 9/7 irreversible (lossy).
    mct : bool
        Apply the multiple component transform (RCT if reversible, ICT if not).
    compression_ratios : tuple of float
        One per quality layer, decreasing (lossy), or empty.
    psnr : tuple of float
        One per quality layer, increasing (lossy), or empty.
    photometric_interpretation : str
        The Photometric Interpretation of the encoded frame.
    htj2k : bool
        The transfer syntax is a High-Throughput one.
    """

    array: np.ndarray
    precision: int
    signed: bool
    reversible: bool
    mct: bool
    compression_ratios: tuple[float, ...]
    psnr: tuple[float, ...]
    photometric_interpretation: str
    htj2k: bool

    @property
    def lossy(self) -> bool:
        """Whether the frame is encoded irreversibly."""
        return not self.reversible

    @property
    def layers(self) -> int:
        """Quality layers requested."""
        return max(1, len(self.compression_ratios), len(self.psnr))


def _number_list(name: str, value: Any) -> tuple[float, ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, (int, float)) and not isinstance(value, bool) else value
    try:
        out = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a list of numbers, not {value!r}") from None
    if any(isinstance(v, bool) for v in values) or not all(math.isfinite(v) for v in out):
        raise ValueError(f"{name} must hold finite numbers, not {value!r}")
    return out


def lossy_options(options: Mapping[str, Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Validated ``(j2k_cr, j2k_psnr)`` quality layers from the codec options.

    Raises
    ------
    ValueError
        Both are given, or the values are not usable: ratios must be at least 1
        and decreasing (the first layer is the most compressed), PSNR values
        positive and increasing.

    Examples
    --------
    >>> lossy_options({"j2k_cr": [20, 5]})
    ((20.0, 5.0), ())
    >>> lossy_options({"j2k_psnr": 45})
    ((), (45.0,))
    >>> lossy_options({"j2k_cr": [5, 20]})
    Traceback (most recent call last):
    ...
    ValueError: j2k_cr must decrease from layer to layer (the first layer is the most compressed), not [5.0, 20.0]
    """
    cr = _number_list("j2k_cr", options.get("j2k_cr"))
    psnr = _number_list("j2k_psnr", options.get("j2k_psnr"))
    if cr and psnr:
        raise ValueError("give j2k_cr or j2k_psnr, not both")
    if cr:
        if min(cr) < 1:
            raise ValueError(f"j2k_cr values must be at least 1, not {list(cr)}")
        if any(b >= a for a, b in itertools.pairwise(cr)):
            raise ValueError(
                "j2k_cr must decrease from layer to layer (the first layer is the most "
                f"compressed), not {list(cr)}"
            )
    if psnr:
        if min(psnr) <= 0:
            raise ValueError(f"j2k_psnr values must be positive, not {list(psnr)}")
        if any(b <= a for a, b in itertools.pairwise(psnr)):
            raise ValueError(f"j2k_psnr must increase from layer to layer, not {list(psnr)}")
    if len(cr) > 100 or len(psnr) > 100:
        raise ValueError("at most 100 quality layers are supported")
    return cr, psnr


def encode_plan(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None) -> EncodePlan:
    """Check one frame and the options against the transfer syntax.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape`` (interleaved samples).
    spec : FrameSpec
        The frame description; ``spec.transfer_syntax`` is the target syntax.
    options : Mapping
        ``j2k_cr`` (compression ratio per quality layer), ``j2k_psnr`` (PSNR in dB
        per layer, peak ``2**BitsStored - 1``), ``use_mct`` (default ``True``:
        RGB is colour-transformed and becomes YBR_RCT / YBR_ICT; never at Bits
        Stored 1, which OpenJPEG cannot transform).

    Returns
    -------
    EncodePlan

    Raises
    ------
    ValueError
        Lossy options for a lossless syntax, none for a lossy one, a frame that
        does not match ``spec``, samples outside the Bits Stored range, or an
        unsupported Bits Allocated / Samples per Pixel.

    Examples
    --------
    >>> spec = FrameSpec(rows=2, columns=2, samples_per_pixel=3, bits_allocated=8,
    ...                  bits_stored=8, photometric_interpretation="RGB", transfer_syntax=J2K)
    >>> plan = encode_plan(np.zeros((2, 2, 3), np.uint8), spec, {"j2k_cr": [10]})
    >>> plan.reversible, plan.mct, plan.photometric_interpretation
    (False, True, 'YBR_ICT')
    >>> encode_plan(np.zeros((2, 2, 3), np.uint8), spec, {})
    Traceback (most recent call last):
    ...
    ValueError: JPEG 2000 (1.2.840.10008.1.2.4.91) is lossy here: give j2k_cr=[ratio, ...] or j2k_psnr=[dB, ...]
    """
    options = options or {}
    ts = spec.transfer_syntax
    if ts not in SYNTAXES:
        raise ValueError(f"{ts} is not a JPEG 2000 or HTJ2K transfer syntax")
    cr, psnr = lossy_options(options)
    name = _SYNTAX_NAMES[ts]
    if ts in LOSSLESS_SYNTAXES:
        if cr or psnr:
            raise ValueError(f"{name} ({ts}) is lossless: j2k_cr / j2k_psnr need JPEG 2000 (…4.91) or HTJ2K (…4.203)")
        reversible = True
    else:
        if not (cr or psnr):
            raise ValueError(f"{name} ({ts}) is lossy here: give j2k_cr=[ratio, ...] or j2k_psnr=[dB, ...]")
        reversible = False
    if spec.float_pixels:
        raise ValueError("JPEG 2000 cannot encode Float or Double Float Pixel Data")
    if spec.bits_allocated not in (1, 8, 16):
        raise ValueError(f"Bits Allocated {spec.bits_allocated} is not supported for encoding (1, 8 or 16)")
    if spec.samples_per_pixel not in (1, 3):
        raise ValueError(f"Samples per Pixel {spec.samples_per_pixel} is not supported (1 or 3)")
    if not 1 <= spec.bits_stored <= max(spec.bits_allocated, 1):
        raise ValueError(f"Bits Stored {spec.bits_stored} does not fit Bits Allocated {spec.bits_allocated}")
    if spec.pixel_representation and spec.bits_allocated == 1:
        raise ValueError("1-bit pixel data cannot be signed")
    arr = np.asarray(arr)
    if arr.shape != spec.shape:
        if arr.size != spec.pixels:
            raise ValueError(f"the frame has shape {arr.shape}, the data set describes {spec.shape}")
        arr = arr.reshape(spec.shape)
    if arr.dtype.kind not in "biu":
        raise ValueError(f"cannot JPEG 2000 encode {arr.dtype} samples")
    dtype = np.dtype(spec.dtype).newbyteorder("=")
    precision = spec.bits_stored
    signed = bool(spec.pixel_representation)
    if arr.size:
        lo, hi = (-(1 << (precision - 1)), (1 << (precision - 1)) - 1) if signed else (0, (1 << precision) - 1)
        amin, amax = int(arr.min()), int(arr.max())
        if amin < lo or amax > hi:
            raise ValueError(
                f"sample values [{amin}, {amax}] are outside the range of Bits Stored {precision} "
                f"{'signed' if signed else 'unsigned'} [{lo}, {hi}]"
            )
    arr = np.ascontiguousarray(arr, dtype=dtype)
    use_mct = options.get("use_mct", True)
    if not isinstance(use_mct, (bool, np.bool_)):
        raise ValueError(f"use_mct must be True or False, not {use_mct!r}")
    pi = spec.photometric_interpretation
    mct = False
    if spec.samples_per_pixel == 3 and pi in _MCT_INPUT:
        # OpenJPEG fails or mis-codes the colour transform of 1-bit components
        mct = bool(use_mct) and precision > 1
        pi = ("YBR_RCT" if reversible else "YBR_ICT") if mct else "RGB"
    elif pi == "YBR_FULL_422":
        pi = "YBR_FULL"
    return EncodePlan(
        array=arr,
        precision=precision,
        signed=signed,
        reversible=reversible,
        mct=mct,
        compression_ratios=cr,
        psnr=psnr,
        photometric_interpretation=pi,
        htj2k=ts in HTJ2K_SYNTAXES,
    )


_SYNTAX_NAMES = {
    J2K_LOSSLESS: "JPEG 2000 Lossless",
    J2K: "JPEG 2000",
    HTJ2K_LOSSLESS: "HTJ2K Lossless",
    HTJ2K_LOSSLESS_RPCL: "HTJ2K Lossless RPCL",
    HTJ2K: "HTJ2K",
}


def uncompressed_size(spec: FrameSpec) -> int:
    """Bytes of one frame at Bits Allocated (1-bit frames counted packed).

    Examples
    --------
    >>> uncompressed_size(FrameSpec(512, 512, bits_allocated=16))
    524288
    """
    if spec.bits_allocated == 1:
        return (spec.pixels + 7) // 8
    return spec.pixels * spec.bits_allocated // 8


def lossy_changes(plan: EncodePlan, spec: FrameSpec, size: int) -> dict[str, Any]:
    """The data set changes of one encoded frame.

    Always the Photometric Interpretation; for an irreversible frame also Lossy
    Image Compression ``"01"``, the achieved ratio (uncompressed bytes at Bits
    Allocated ÷ codestream bytes, two decimals) and the method
    (``ISO_15444_1`` for JPEG 2000, ``ISO_15444_15`` for HTJ2K).

    Examples
    --------
    >>> spec = FrameSpec(rows=8, columns=8, bits_allocated=8, bits_stored=8, transfer_syntax=HTJ2K)
    >>> plan = encode_plan(np.zeros((8, 8), np.uint8), spec, {"j2k_cr": 4})
    >>> lossy_changes(plan, spec, 16)["LossyImageCompressionMethod"]
    'ISO_15444_15'
    """
    changes: dict[str, Any] = {"PhotometricInterpretation": plan.photometric_interpretation}
    if plan.lossy:
        changes["LossyImageCompression"] = "01"
        changes["LossyImageCompressionRatio"] = round(uncompressed_size(spec) / max(size, 1), 2)
        changes["LossyImageCompressionMethod"] = "ISO_15444_15" if plan.htj2k else "ISO_15444_1"
    return changes


def psnr(original: np.ndarray, decoded: np.ndarray, bits_stored: int) -> float:
    """Peak signal-to-noise ratio in dB, peak ``2**bits_stored - 1`` (OpenJPEG's definition).

    Examples
    --------
    >>> a = np.zeros((4, 4), np.uint8)
    >>> psnr(a, a, 8)
    inf
    >>> round(psnr(a, a + 1, 8), 2)
    48.13
    """
    diff = original.astype(np.float64) - decoded.astype(np.float64)
    mse = float(np.mean(diff * diff)) if diff.size else 0.0
    if mse == 0:
        return math.inf
    peak = float((1 << bits_stored) - 1)
    return 10.0 * math.log10(peak * peak / mse)


_TARGET_ATTEMPTS = 6


def encode_to_target(
    run: Callable[[tuple[float, ...], tuple[float, ...]], bytes],
    plan: EncodePlan,
    spec: FrameSpec,
    decode: Callable[[bytes], np.ndarray],
    backend: str,
) -> bytes:
    """Encode until the codestream meets the requested ratio or PSNR.

    OpenJPEG's rate control lands near, not always at, its targets: its ratios
    count precision bits rather than Bits Allocated and may overshoot the byte
    budget slightly, and its PSNR is estimated before quantisation. This checks
    the result (bytes at Bits Allocated ÷ codestream bytes for ``j2k_cr``; PSNR of
    the decoded frame, peak ``2**BitsStored - 1``, for ``j2k_psnr``; the last
    layer, i.e. the whole codestream, is what is checked) and tightens every
    layer's target by the shortfall (secant steps for PSNR), at most six encodes.

    Parameters
    ----------
    run : callable
        ``run(ratios, psnrs) -> bytes`` encodes with these layer targets.
    plan : EncodePlan
        The frame and its requested targets.
    spec : FrameSpec
        The frame description.
    decode : callable
        ``decode(codestream) -> ndarray`` (used for PSNR only).
    backend : str
        Named in the error.

    Raises
    ------
    ValueError
        The target was not met after six encodes.

    Examples
    --------
    >>> spec = FrameSpec(rows=10, columns=10, bits_allocated=8, bits_stored=8, transfer_syntax=J2K)
    >>> plan = encode_plan(np.zeros((10, 10), np.uint8), spec, {"j2k_cr": [4]})
    >>> seen = []
    >>> def run(ratios, psnrs):
    ...     seen.append(ratios[0])
    ...     return bytes(int(100 / ratios[0]) + 2)   # an encoder that overshoots by 2 bytes
    >>> len(encode_to_target(run, plan, spec, None, "demo")) <= 25, len(seen)
    (True, 2)
    """
    ratios, psnrs = plan.compression_ratios, plan.psnr
    size = uncompressed_size(spec)
    if not (ratios or psnrs):
        return run(ratios, psnrs)
    achieved = 0.0
    if ratios:
        target = ratios[-1]
        for attempt in range(_TARGET_ATTEMPTS):
            data = run(ratios, psnrs)
            achieved = size / max(len(data), 1)
            if achieved >= target:
                return data
            # rate allocation is coarse (whole coding passes): ask for the shortfall
            # plus a margin that doubles with every miss
            factor = target / achieved * (1 + 0.01 * 2**attempt)
            ratios = tuple(r * factor for r in ratios)
    else:
        # achieved PSNR rises with the requested one, but more slowly (OpenJPEG's
        # estimate is optimistic): secant steps up until the target is met, then
        # bisection between the last miss and the best hit to avoid overshooting
        target = psnrs[-1]
        best: bytes | None = None
        miss: float | None = None
        hit: float | None = None
        history: list[tuple[float, float]] = []
        request = target
        # OpenJPEG's achieved PSNR is a step function of the request, not always
        # monotone: guided steps first, then one request far above the target
        for attempt in range(_TARGET_ATTEMPTS + 1):
            if attempt == _TARGET_ATTEMPTS:
                if best is not None:
                    break
                request = target + 40.0
            layers = tuple(p + request - target for p in psnrs)
            data = run(ratios, layers)
            achieved = psnr(plan.array, decode(data).reshape(plan.array.shape), spec.bits_stored)
            if achieved >= target:
                if best is None or len(data) < len(best):
                    best = data
                hit = request if hit is None else min(hit, request)
                if miss is None or achieved - target < 0.25:
                    return best
            else:
                miss = request if miss is None else max(miss, request)
                history.append((request, achieved))
            if hit is not None and miss is not None and hit > miss:
                request = (hit + miss) / 2
                continue
            slope = 0.5
            if len(history) > 1:
                (r0, a0), (r1, a1) = history[-2], history[-1]
                if r1 > r0 and a1 > a0:
                    slope = min(1.0, max(0.1, (a1 - a0) / (r1 - r0)))
            request += max((target - achieved) / slope, 0.25 * 2 ** len(history)) + 0.05
        if best is not None:
            return best
    what = "a compression ratio of" if ratios else "a PSNR of"
    unit = "" if ratios else " dB"
    hint = "" if ratios else "; irreversible coding may not get there: lower j2k_psnr or use a lossless syntax"
    raise ValueError(
        f"{backend} did not reach {what} {target}{unit} on this frame "
        f"(reached {achieved:.2f}{unit}{hint})"
    )


def check_layers(values: Sequence[float], backend: str, limit: int = 1) -> None:
    """Refuse more quality layers than a backend writes.

    Examples
    --------
    >>> check_layers([10, 5], "OpenJPH")
    Traceback (most recent call last):
    ...
    ValueError: OpenJPH writes a single quality layer; 2 were requested ([10, 5])
    """
    if len(values) > limit:
        shown = [int(v) if float(v).is_integer() else v for v in values]
        raise ValueError(f"{backend} writes a single quality layer; {len(values)} were requested ({shown})")
