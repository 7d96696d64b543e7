"""Calling pylibjpeg plugin functions as dicodec frame functions.

pylibjpeg's pixel-data functions speak pydicom's language: a decoder is
``func(src: bytes, version=2, **kwargs) -> bytearray | ndarray`` where ``kwargs``
are the image-pixel options pydicom's decode runner keeps (``rows``,
``columns``, ``samples_per_pixel``, ``bits_allocated``, ``bits_stored``,
``pixel_representation``, ``photometric_interpretation``,
``planar_configuration``, ...); an encoder is ``func(src: bytes, **kwargs) ->
bytes`` with the frame's native little-endian bytes. This module builds those
keyword arguments from a :class:`~dicodec.plugins.records.FrameSpec` and turns
the answer into a :class:`~dicodec.plugins.records.DecodedFrame`.

What the returned bytes hold depends on the codestream family, as pydicom's own
pylibjpeg plugin documents it, and is *reported* to dicodec (never corrected
here):

* JPEG 2000 / HTJ2K: samples interleaved, in a container sized by the
  codestream's precision, signed as the codestream says; ``YBR_ICT`` /
  ``YBR_RCT`` come back as RGB.
* JPEG-LS: interleaved, container by precision, never signed.
* JPEG: interleaved, samples as coded (no colour transform with ``version=2``):
  YCbCr or RGB as the markers say.
* RLE Lossless: one plane per sample (colour-by-plane), native byte order.
* anything else (a syntax dicodec's bridge has no rule for): interleaved, as the
  data set describes.

The container size is always taken from the length of what came back.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> def fake_decoder(src, **kwargs):            # a pylibjpeg-style decoder
...     return bytearray(kwargs["rows"] * kwargs["columns"] * [7])
>>> spec = FrameSpec(2, 3, bits_allocated=8, bits_stored=8, transfer_syntax="1.2.3.4")
>>> decode(fake_decoder, b"", spec, None).array.tolist()
[[7, 7, 7], [7, 7, 7]]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

__all__ = ["decode", "decode_kwargs", "encode", "encode_kwargs"]

JPEG_SYNTAXES = frozenset(
    {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70"}
)
JLS_SYNTAXES = frozenset({"1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81"})
J2K_SYNTAXES = frozenset(
    {
        "1.2.840.10008.1.2.4.90",
        "1.2.840.10008.1.2.4.91",
        "1.2.840.10008.1.2.4.201",
        "1.2.840.10008.1.2.4.202",
        "1.2.840.10008.1.2.4.203",
    }
)
LOSSY_J2K = frozenset({"1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.203"})
RLE = "1.2.840.10008.1.2.5"
_RGB_IDS = ((0x52, 0x47, 0x42), (0x72, 0x67, 0x62))
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xF7})


def decode_kwargs(spec: FrameSpec, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The keyword arguments a pylibjpeg decoder gets for a frame like ``spec``.

    The same names pydicom's decode runner passes (its ``runner.options``), plus
    ``version=2`` (return the decoded bytes) and the caller's codec options.

    Examples
    --------
    >>> from dicodec.plugins.records import FrameSpec
    >>> kw = decode_kwargs(FrameSpec(4, 5, transfer_syntax="1.2.840.10008.1.2.5"))
    >>> kw["rows"], kw["columns"], kw["version"], kw["transfer_syntax_uid"]
    (4, 5, 2, '1.2.840.10008.1.2.5')
    """
    kwargs: dict[str, Any] = {
        "rows": spec.rows,
        "columns": spec.columns,
        "samples_per_pixel": spec.samples_per_pixel,
        "bits_allocated": spec.bits_allocated,
        "bits_stored": spec.bits_stored,
        "pixel_representation": spec.pixel_representation,
        "photometric_interpretation": spec.photometric_interpretation,
        "planar_configuration": spec.planar_configuration,
        "number_of_frames": spec.number_of_frames,
        "transfer_syntax_uid": spec.transfer_syntax,
        "pixel_keyword": "PixelData",
        "byteorder": "<",
    }
    kwargs.update(options or {})
    kwargs["version"] = 2
    return kwargs


def _j2k_siz(src: bytes) -> tuple[int, bool, int, int, int] | None:
    """(precision, signed, rows, columns, components) from a JPEG 2000 SIZ segment, or None."""
    pos = src.find(b"\xff\x4f\xff\x51", 0, 65536)
    if pos < 0 or len(src) < pos + 4 + 41:
        return None
    siz = pos + 4
    u32 = [int.from_bytes(src[siz + 4 + 4 * k : siz + 8 + 4 * k], "big") for k in range(4)]
    components = int.from_bytes(src[siz + 36 : siz + 38], "big")
    ssiz = src[siz + 38]
    return (ssiz & 0x7F) + 1, bool(ssiz & 0x80), u32[1] - u32[3], u32[0] - u32[2], components


def _jpeg_sof(src: bytes) -> dict[str, Any] | None:
    """Frame header facts of a JPEG / JPEG-LS stream: precision, size, component ids,
    lossless, colour markers, and the first scan's point transform (``None`` if unreadable)."""
    n = min(len(src), 1 << 20)
    if n < 4 or src[0] != 0xFF or src[1] != 0xD8:
        return None
    pos, jfif, adobe = 2, False, None
    info: dict[str, Any] | None = None
    while pos + 4 <= n:
        if src[pos] != 0xFF:
            pos += 1
            continue
        marker = src[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7 or marker == 0x00:
            pos += 2
            continue
        if marker == 0xD9:
            break
        length = int.from_bytes(src[pos + 2 : pos + 4], "big")
        seg = pos + 4
        if marker in _SOF and info is None and seg + 6 <= n:
            nf = src[seg + 5]
            info = {
                "precision": src[seg],
                "rows": int.from_bytes(src[seg + 1 : seg + 3], "big"),
                "columns": int.from_bytes(src[seg + 3 : seg + 5], "big"),
                "ids": tuple(src[seg + 6 + 3 * k] for k in range(nf) if seg + 6 + 3 * k < n),
                "lossless": marker in (0xC3, 0xC7, 0xCB, 0xCF, 0xF7),
                "jpeg_ls": marker == 0xF7,
                "jfif": jfif,
                "adobe": adobe,
                "point_transform": 0,
            }
        elif marker == 0xDA:
            if info is not None and length >= 6 and seg + length - 2 <= n:
                info["point_transform"] = src[seg + length - 3] & 0x0F
            break
        elif marker == 0xE0 and src[seg : seg + 5] == b"JFIF\x00":
            jfif = True
        elif marker == 0xEE and src[seg : seg + 5] == b"Adobe" and length >= 14:
            adobe = src[seg + 11]
        pos += 2 + max(length, 2)
    if info is not None:
        info["jfif"], info["adobe"] = jfif, adobe
    return info


def _check_jpeg(info: dict[str, Any] | None, data: bytes, spec: FrameSpec, distribution: str) -> None:
    """Refuse what a wrapped decoder would turn into a wrong image without an error."""
    if info is None:
        raise ValueError("not a JPEG codestream: no frame header (SOF) before the first scan")
    if info["rows"] == 0:
        # height from a DNL marker: libjpeg then grows its buffers without bound (found by fuzzing)
        raise ValueError("the JPEG frame header declares 0 rows (height from a DNL marker): not supported")
    if info["columns"] != spec.columns or info["rows"] != spec.rows:
        raise ValueError(
            f"the JPEG frame header says {info['rows']}x{info['columns']}; the data set says {spec.rows}x{spec.columns}"
        )
    if len(info["ids"]) != spec.samples_per_pixel:
        raise ValueError(f"the JPEG frame has {len(info['ids'])} components; the data set says {spec.samples_per_pixel}")
    if info["jpeg_ls"] and b"\xff\xd9" not in data[-64:] and data.rfind(b"\xff\xd9") < 0:
        # FF D9 cannot occur inside JPEG-LS scan data (bit stuffing): without it the
        # stream is cut short, and libjpeg returns the damaged image without an error
        raise ValueError(f"the JPEG-LS codestream ({len(data)} bytes) has no end-of-image marker (FF D9): it is truncated")
    if (
        distribution.lower().replace("_", "-") == "pylibjpeg-libjpeg"
        and info["lossless"]
        and not info["jpeg_ls"]
        and info["point_transform"]
    ):
        raise ValueError(
            f"pylibjpeg-libjpeg mis-predicts lossless JPEG with a point transform (Pt = {info['point_transform']})"
        )


def _jpeg_photometric(info: dict[str, Any], pi: str) -> str:
    """The colour space of undecorrelated JPEG samples (see :mod:`dicodec_pylibjpeg.bridge`)."""
    if len(info["ids"]) != 3 or info["lossless"]:
        return pi
    if info["adobe"] is not None:
        ybr = info["adobe"] != 0
    elif info["jfif"]:
        ybr = True
    elif info["ids"] in _RGB_IDS:
        ybr = False
    else:
        ybr = pi.strip().upper() != "RGB"
    return "YBR_FULL" if ybr else "RGB"


def decode(
    func: Callable[..., Any],
    src: bytes | bytearray | memoryview,
    spec: FrameSpec,
    out: np.ndarray | None = None,
    *,
    distribution: str = "",
    **options: Any,
) -> DecodedFrame:
    """Decode one frame with the pylibjpeg decoder ``func``.

    Parameters
    ----------
    func : callable
        A function registered in ``pylibjpeg.pixel_data_decoders``.
    src : bytes, bytearray or memoryview
        One frame's codestream.
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        Where to write the frame.
    distribution : str
        The wrapped distribution, for checks that apply to one plugin only.
    **options
        Passed on to ``func`` (after the image-pixel keyword arguments).

    Returns
    -------
    DecodedFrame

    Raises
    ------
    ValueError
        ``func`` returned something that is not a whole frame; or, checked before
        ``func`` runs, a JPEG / JPEG-LS / JPEG 2000 header that disagrees with
        ``spec``, a JPEG-LS stream without its end marker (truncated), or a stream
        the wrapped plugin is known to decode wrongly.

    Examples
    --------
    >>> from dicodec.plugins.records import FrameSpec
    >>> decode(lambda src, **kw: b"123", b"", FrameSpec(2, 2, bits_allocated=8, bits_stored=8))
    Traceback (most recent call last):
    ...
    ValueError: the pylibjpeg decoder returned 3 bytes for a 2x2 frame with 1 sample(s) per pixel (not a whole number of samples)
    """
    data = bytes(src)
    ts = spec.transfer_syntax
    pi = spec.photometric_interpretation
    sign: int | None = None
    precision: int | None = None
    planar = 0
    if ts in J2K_SYNTAXES:
        siz = _j2k_siz(data)
        if siz is None:
            raise ValueError("no JPEG 2000 codestream: the SOC and SIZ markers (FF 4F FF 51) are missing")
        precision, signed, rows, columns, components = siz
        if (rows, columns, components) != (spec.rows, spec.columns, spec.samples_per_pixel):
            raise ValueError(
                f"the JPEG 2000 codestream is {rows}x{columns} with {components} components; "
                f"the data set says {spec.rows}x{spec.columns} with {spec.samples_per_pixel}"
            )
        sign = int(signed)
        if pi in ("YBR_ICT", "YBR_RCT"):
            pi = "RGB"
    elif ts in JLS_SYNTAXES:
        info = _jpeg_sof(data)
        _check_jpeg(info, data, spec, distribution)
        assert info is not None
        sign = 0
        precision = info["precision"]
    elif ts in JPEG_SYNTAXES:
        info = _jpeg_sof(data)
        _check_jpeg(info, data, spec, distribution)
        assert info is not None
        pi = _jpeg_photometric(info, pi)
    elif ts == RLE:
        planar = 1
    result = func(data, **decode_kwargs(spec, options))
    samples = spec.rows * spec.columns * spec.samples_per_pixel
    if isinstance(result, np.ndarray):
        if result.size == samples:  # one value per sample (pylibjpeg's version 1 API)
            return _finish(np.ascontiguousarray(result).reshape(-1), spec, out, pi, planar, sign, precision)
        result = np.ascontiguousarray(result).tobytes()  # raw bytes in an array
    buf = memoryview(result).cast("B")
    if samples == 0 or len(buf) % samples:
        raise ValueError(
            f"the pylibjpeg decoder returned {len(buf)} bytes for a {spec.rows}x{spec.columns} frame with "
            f"{spec.samples_per_pixel} sample(s) per pixel (not a whole number of samples)"
        )
    itemsize = len(buf) // samples
    if itemsize not in (1, 2, 4, 8):
        raise ValueError(f"the pylibjpeg decoder returned {itemsize}-byte samples")
    kind = "i" if spec.pixel_representation else "u"
    flat = np.frombuffer(buf, dtype=np.dtype(f"<{kind}{itemsize}"))
    return _finish(flat, spec, out, pi, planar, sign, precision)


def _finish(
    flat: np.ndarray, spec: FrameSpec, out: np.ndarray | None, pi: str, planar: int, sign: int | None, precision: int | None
) -> DecodedFrame:
    if planar and spec.samples_per_pixel > 1:
        planes = flat.reshape(spec.samples_per_pixel, spec.rows, spec.columns)
        if planes.dtype != np.dtype(spec.dtype):
            planes = planes.astype(spec.dtype)
        return DecodedFrame(planes, pi, planar_configuration=1, pixel_representation=sign, bits_stored=precision)
    if out is None:
        out = np.empty(spec.shape, dtype=spec.dtype)
    target = out.reshape(-1)
    if flat.dtype == target.dtype:
        target[...] = flat
    else:
        target[...] = flat.astype(target.dtype, copy=False)
    return DecodedFrame(out, pi, pixel_representation=sign, bits_stored=precision)


def encode_kwargs(spec: FrameSpec, options: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(keyword arguments for a pylibjpeg encoder, data set changes) for a frame like ``spec``.

    dicodec's option names are mapped to pylibjpeg's: ``j2k_cr`` →
    ``compression_ratios``, ``j2k_psnr`` → ``signal_noise_ratios``. For JPEG 2000
    RGB frames ``use_mct`` (default True) asks for the colour transform and the
    Photometric Interpretation becomes ``YBR_RCT`` (lossless) or ``YBR_ICT``.

    Examples
    --------
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(4, 4, 3, 8, 8, photometric_interpretation="RGB", transfer_syntax="1.2.840.10008.1.2.4.91")
    >>> kw, changes = encode_kwargs(spec, {"j2k_cr": [20]})
    >>> kw["compression_ratios"], kw["photometric_interpretation"], changes["PhotometricInterpretation"]
    ([20.0], 'YBR_ICT', 'YBR_ICT')
    """
    ts = spec.transfer_syntax
    opts = dict(options)
    changes: dict[str, Any] = {}
    kwargs: dict[str, Any] = {
        "rows": spec.rows,
        "columns": spec.columns,
        "samples_per_pixel": spec.samples_per_pixel,
        "bits_allocated": spec.bits_allocated,
        "bits_stored": spec.bits_stored,
        "pixel_representation": spec.pixel_representation,
        "photometric_interpretation": spec.photometric_interpretation,
        "planar_configuration": 0,
        "number_of_frames": 1,
        "transfer_syntax_uid": ts,
        "byteorder": "<",
    }
    if ts in J2K_SYNTAXES:
        cr = opts.pop("j2k_cr", None)
        psnr = opts.pop("j2k_psnr", None)
        use_mct = bool(opts.pop("use_mct", True))
        if ts in LOSSY_J2K:
            if cr is None and psnr is None:
                cr = [10]
            if cr is not None:
                kwargs["compression_ratios"] = [float(v) for v in (cr if isinstance(cr, (list, tuple)) else [cr])]
            else:
                kwargs["signal_noise_ratios"] = [float(v) for v in (psnr if isinstance(psnr, (list, tuple)) else [psnr])]
        elif cr is not None or psnr is not None:
            raise ValueError(f"j2k_cr / j2k_psnr make lossy data: use {sorted(LOSSY_J2K)[0]}, not {ts}")
        if spec.samples_per_pixel == 3 and spec.photometric_interpretation == "RGB" and use_mct:
            new_pi = "YBR_ICT" if ts in LOSSY_J2K else "YBR_RCT"
            kwargs["photometric_interpretation"] = new_pi
            changes["PhotometricInterpretation"] = new_pi
        kwargs["use_mct"] = use_mct
    kwargs.update(opts)
    return kwargs, changes


def encode(func: Callable[..., Any], arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any]) -> EncodedFrame:
    """Encode one frame with the pylibjpeg encoder ``func``.

    Parameters
    ----------
    func : callable
        A function registered in ``pylibjpeg.pixel_data_encoders``.
    arr : numpy.ndarray
        One frame of ``spec.shape``, interleaved samples.
    spec : FrameSpec
        The frame's description; ``spec.transfer_syntax`` is the target.
    options : Mapping
        dicodec codec options (see :func:`encode_kwargs`); others are passed on.

    Returns
    -------
    EncodedFrame

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> frame = encode(lambda src, **kw: bytes(src)[::-1], np.arange(4, dtype=np.uint8).reshape(2, 2),
    ...                FrameSpec(2, 2, bits_allocated=8, bits_stored=8), {})
    >>> bytes(frame.data)
    b'\\x03\\x02\\x01\\x00'
    """
    kwargs, changes = encode_kwargs(spec, options)
    if spec.bits_allocated == 1:
        dtype = np.dtype(np.uint8)
    elif spec.transfer_syntax in J2K_SYNTAXES:
        # JPEG 2000 encoders take samples in a container sized by Bits Stored
        size = 1 if spec.bits_stored <= 8 else 2 if spec.bits_stored <= 16 else 4
        dtype = np.dtype(f"<{'i' if spec.pixel_representation else 'u'}{size}")
    else:
        dtype = np.dtype(spec.dtype).newbyteorder("<")
    data = np.ascontiguousarray(arr).astype(dtype, copy=False).tobytes()
    encoded = func(data, **kwargs)
    if not isinstance(encoded, (bytes, bytearray, memoryview)):
        raise TypeError(f"the pylibjpeg encoder returned {type(encoded).__name__}, not bytes")
    if spec.transfer_syntax in LOSSY_J2K:
        ratio = len(data) / max(len(encoded), 1)
        changes.update(
            {
                "LossyImageCompression": "01",
                "LossyImageCompressionRatio": [f"{ratio:.4g}"],
                "LossyImageCompressionMethod": ["ISO_15444_1" if spec.transfer_syntax.endswith(".91") else "ISO_15444_15"],
            }
        )
    return EncodedFrame(encoded, changes)
