"""Frame decode and encode with GDCM (python-gdcm): imported only when a frame needs it.

GDCM is driven the way its own ``gdcm.ImageReader`` would drive it, one frame at a
time: the frame's codestream becomes the single fragment of a
``gdcm.SequenceOfFragments`` in a ``gdcm.Image`` that is told the geometry, the
transfer syntax and a pixel container matching what the codestream holds; GDCM
hands back the decoded bytes. Encoding builds a native ``gdcm.Image`` **owned by a
``gdcm.ImageWriter``** (GDCM corrupts its heap otherwise) and converts it with
``gdcm.ImageChangeTransferSyntax``.

:func:`decode` and :func:`encode` (the functions dicodec calls) run GDCM in a
worker process (:mod:`dicodec_gdcm.isolation`): GDCM aborts the whole process on
many malformed codestreams. :func:`decode_here` and :func:`encode_here` call GDCM
in this process. Hazards that are known in advance are also kept away by
:mod:`dicodec_gdcm.plugin`'s capability declaration, so those frames are never
attempted: 1-bit RLE, 16/32-bit colour RLE, 6/7-bit JPEG-LS, frames of 2^31 bytes
or more (GDCM's Python buffers are sized by a C ``int``; checked again here for
callers that bypass the registry), and the encoder's own list.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> spec = FrameSpec(32, 48, bits_allocated=16, bits_stored=12, transfer_syntax="1.2.840.10008.1.2.5")
>>> arr = np.arange(32 * 48, dtype=np.uint16).reshape(32, 48) % 4096
>>> frame = encode(arr, spec, {})
>>> bool((decode(frame.data, spec, None).array == arr).all())
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dicodec.plugins.frames import fill_out
from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from . import isolation
from .headers import j2k_header, jpeg_header, jpeg_photometric

__all__ = ["MAX_BYTES", "decode", "decode_here", "encode", "encode_here"]

MAX_BYTES = 2**31 - 1
"""The largest buffer GDCM's Python binding passes in one call (a C ``int`` length)."""

JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_EXTENDED = "1.2.840.10008.1.2.4.51"
JPEG_LOSSLESS = "1.2.840.10008.1.2.4.57"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_SYNTAXES = (JPEG_BASELINE, JPEG_EXTENDED, JPEG_LOSSLESS, JPEG_LOSSLESS_SV1)
JLS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JLS_NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81"
JLS_SYNTAXES = (JLS_LOSSLESS, JLS_NEAR_LOSSLESS)
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
J2K = "1.2.840.10008.1.2.4.91"
HTJ2K_SYNTAXES = ("1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203")
J2K_SYNTAXES = (J2K_LOSSLESS, J2K, *HTJ2K_SYNTAXES)
RLE_LOSSLESS = "1.2.840.10008.1.2.5"


def _check_size(spec: FrameSpec, what: str) -> None:
    size = spec.rows * spec.columns * spec.samples_per_pixel * max(spec.itemsize, 1)
    if size > MAX_BYTES:
        raise ValueError(
            f"GDCM cannot {what} a frame of {size} bytes: its Python binding is limited to "
            f"{MAX_BYTES} bytes (2^31 - 1) per call; use another codec for frames this large"
        )


def _container(precision: int) -> int:
    """Bits Allocated of the container GDCM decodes ``precision``-bit samples into."""
    return 8 if precision <= 8 else 16 if precision <= 16 else 32


def _photometric(name: str) -> Any:
    import gdcm

    pi = gdcm.PhotometricInterpretation.GetPIType(name)
    if pi == gdcm.PhotometricInterpretation.PI_END:
        raise ValueError(f"GDCM does not know the Photometric Interpretation {name!r}")
    return gdcm.PhotometricInterpretation(pi)


def _transfer_syntax(uid: str) -> Any:
    import gdcm

    ts = gdcm.TransferSyntax.GetTSType(str(uid))
    if ts == gdcm.TransferSyntax.TS_END:
        raise ValueError(f"GDCM does not know the transfer syntax {uid}")
    return gdcm.TransferSyntax(ts)


def _decode_plan(src: bytes, spec: FrameSpec) -> tuple[int, int, int | None, int | None, str, int]:
    """(bits allocated, bits stored, produced sign, produced precision, PI, planar) for GDCM."""
    ts = spec.transfer_syntax
    pi = spec.photometric_interpretation
    bits_allocated, bits_stored = spec.bits_allocated, spec.bits_stored
    sign: int | None = None
    precision: int | None = None
    planar = spec.planar_configuration if spec.samples_per_pixel > 1 else 0
    if ts in J2K_SYNTAXES:
        h = j2k_header(src)
        if (h.rows, h.columns, h.components) != (spec.rows, spec.columns, spec.samples_per_pixel):
            raise ValueError(
                f"the JPEG 2000 codestream is {h.rows}x{h.columns} with {h.components} components; "
                f"the data set says {spec.rows}x{spec.columns} with {spec.samples_per_pixel}"
            )
        precision, sign = h.precision, int(h.signed)
        bits_allocated, bits_stored = _container(h.precision), h.precision
        if pi in ("YBR_ICT", "YBR_RCT"):
            pi = "RGB"  # GDCM (OpenJPEG) undoes the component transform
        planar = 0
    elif ts in JLS_SYNTAXES:
        jh = jpeg_header(src)
        if jh.precision in (6, 7):
            raise ValueError(f"GDCM cannot decode {jh.precision}-bit JPEG-LS (it returns no data)")
        precision, sign = jh.precision, 0  # JPEG-LS samples carry no sign
        bits_allocated, bits_stored = _container(jh.precision), jh.precision
        planar = 0
    elif ts in JPEG_SYNTAXES:
        jh = jpeg_header(src)
        precision = jh.precision
        # the codestream's precision, not Bits Stored: GDCM would clear the bits above
        # Bits Stored, and the values decoders agree on keep them
        bits_allocated, bits_stored = _container(jh.precision), jh.precision
        pi = jpeg_photometric(jh, pi)
        planar = 0
    elif ts == RLE_LOSSLESS:
        # RLE segments hold the native bytes: decode them as they are (like every RLE
        # decoder). GDCM aborts the process when Bits Stored < Bits Allocated = 8 and
        # mis-shifts 32-bit samples with Bits Stored < 32.
        bits_stored = bits_allocated
        planar = 0  # GDCM interleaves the RLE segments whatever the data set says
    if precision is not None and precision > max(spec.bits_allocated, 8):
        raise ValueError(
            f"the codestream's sample precision {precision} does not fit Bits Allocated {spec.bits_allocated}"
        )
    if bits_allocated == 8 and bits_stored < 8 and ts not in J2K_SYNTAXES:
        # GDCM's JPEG, JPEG-LS and RLE codecs abort the process (an assertion in
        # ImageCodec.cxx) on an 8-bit container with fewer bits stored. The samples
        # decode the same with Bits Stored 8, unsigned: dicodec sign-extends them at
        # the codestream's precision
        bits_stored = 8
        if precision is not None:
            sign = 0
    if bits_allocated not in (8, 16, 32):
        # GDCM aborts the process on 1-bit RLE and corrupts its heap decoding into a
        # 1-bit container: never hand it one, even when called outside the registry
        raise ValueError(f"GDCM is not given {bits_allocated}-bit containers ({ts}): it crashes on them")
    return bits_allocated, bits_stored, sign, precision, pi, planar


def decode(
    src: bytes | bytearray | memoryview, spec: FrameSpec, out: np.ndarray | None = None, **options: Any
) -> DecodedFrame:
    """Decode one frame with GDCM, in its worker process unless isolation is off.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        One frame's codestream.
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        C-contiguous array of ``spec.shape`` / ``spec.dtype`` to decode into.
    **options
        ``gdcm_isolation=False`` decodes in this process (see
        :mod:`dicodec_gdcm.isolation`); other options are ignored.

    Returns
    -------
    DecodedFrame
        See :func:`decode_here`.

    Raises
    ------
    ValueError
        The frame is too large, its header is unreadable, or GDCM refused it.
    dicodec_gdcm.isolation.GdcmCrashed
        GDCM crashed or hung on the frame (only its worker process died).

    Examples
    --------
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(64, 64, bits_allocated=16, bits_stored=16, transfer_syntax="1.2.840.10008.1.2.4.80")
    >>> decode(b"\\xff\\xd8\\xff\\xf7" + bytes(40), spec, None)
    Traceback (most recent call last):
    ...
    ValueError: JPEG marker segment FFF7 at byte 2 is truncated
    """
    _check_size(spec, "decode")
    if not isolation.enabled(options):
        return decode_here(src, spec, out)
    _decode_plan(bytes(memoryview(src)[: 1 << 20]), spec)  # unreadable headers are refused here, not in the worker
    result = isolation.call("decode", spec, src, {}, out)
    assert isinstance(result, DecodedFrame)
    if result.planar_configuration == 1 or out is None or result.array is out:
        return result
    flat = out.reshape(-1)
    arr = result.array.reshape(-1)
    flat[...] = arr if arr.dtype == flat.dtype else arr.astype(flat.dtype)
    return DecodedFrame(
        out,
        result.photometric_interpretation,
        pixel_representation=result.pixel_representation,
        bits_stored=result.bits_stored,
    )


def decode_here(src: bytes | bytearray | memoryview, spec: FrameSpec, out: np.ndarray | None = None) -> DecodedFrame:
    """Decode one frame with GDCM in this process.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        One frame's codestream.
    spec : FrameSpec
        What the data set says the frame is.
    out : numpy.ndarray, optional
        C-contiguous array of ``spec.shape`` / ``spec.dtype`` to decode into.

    Returns
    -------
    DecodedFrame
        ``out`` (or a new array), its colour space (``RGB`` for JPEG 2000
        ``YBR_ICT`` / ``YBR_RCT``, the codestream's YCbCr reported as ``YBR_FULL``),
        and the signedness/precision the codestream carries.

    Raises
    ------
    ValueError
        The frame is too large for GDCM, its header is unreadable, or GDCM
        reports a failure or returns a buffer of the wrong size.

    Examples
    --------
    >>> from dicodec.plugins.records import FrameSpec
    >>> decode_here(b"\\xff\\xd8garbage", FrameSpec(8, 8, bits_allocated=8, bits_stored=8,
    ...        transfer_syntax="1.2.840.10008.1.2.4.50"))
    Traceback (most recent call last):
    ...
    ValueError: the JPEG codestream has no frame header (SOF marker) before its first scan
    """
    import gdcm

    _check_size(spec, "decode")
    data = bytes(src)
    bits_allocated, bits_stored, sign, precision, pi, planar = _decode_plan(data, spec)

    fragment = gdcm.Fragment()
    fragment.SetByteStringValue(data)
    fragments = gdcm.SequenceOfFragments.New()
    fragments.AddFragment(fragment)
    element = gdcm.DataElement(gdcm.Tag(0x7FE0, 0x0010))
    element.SetValue(fragments.__ref__())

    image = gdcm.Image()
    image.SetNumberOfDimensions(2)
    image.SetDimensions((spec.columns, spec.rows, 1))
    image.SetDataElement(element)
    image.SetPhotometricInterpretation(_photometric(spec.photometric_interpretation))
    if spec.samples_per_pixel > 1:
        image.SetPlanarConfiguration(planar)
    image.SetTransferSyntax(_transfer_syntax(spec.transfer_syntax))
    image.SetPixelFormat(
        gdcm.PixelFormat(spec.samples_per_pixel, bits_allocated, bits_stored, bits_stored - 1, spec.pixel_representation)
    )
    expected = image.GetBufferLength()
    raw = image.GetBuffer()
    if not isinstance(raw, str) or not raw:
        raise ValueError(f"GDCM could not decode the {spec.transfer_syntax} frame (it returned no data)")
    buf = raw.encode("utf-8", "surrogateescape")
    del raw
    samples = spec.rows * spec.columns * spec.samples_per_pixel
    itemsize = _container(bits_allocated) // 8
    if len(buf) != samples * itemsize or len(buf) != expected:
        raise ValueError(
            f"GDCM returned {len(buf)} bytes for a {spec.rows}x{spec.columns}x{spec.samples_per_pixel} frame "
            f"of {itemsize}-byte samples ({samples * itemsize} expected)"
        )
    kind = "i" if spec.pixel_representation else "u"
    arr = np.frombuffer(buf, dtype=np.dtype(f"<{kind}{itemsize}"))
    if planar == 1 and spec.samples_per_pixel > 1:
        planes = arr.reshape(spec.samples_per_pixel, spec.rows, spec.columns)
        return DecodedFrame(planes, pi, planar_configuration=1, pixel_representation=sign, bits_stored=precision)
    return DecodedFrame(fill_out(out, arr, spec, library="GDCM"), pi, pixel_representation=sign, bits_stored=precision)


def _lossy_changes(spec: FrameSpec, method: str, encoded: int) -> dict[str, Any]:
    raw = spec.rows * spec.columns * spec.samples_per_pixel * spec.itemsize
    ratio = raw / max(encoded, 1)
    return {
        "LossyImageCompression": "01",
        "LossyImageCompressionRatio": [f"{ratio:.4g}"[:16]],
        "LossyImageCompressionMethod": [method],
    }


def encode(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame with GDCM, in its worker process unless isolation is off.

    Takes the options of :func:`encode_here`, plus ``gdcm_isolation=False`` to run
    GDCM in this process (see :mod:`dicodec_gdcm.isolation`).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(32, 32, bits_allocated=8, bits_stored=8, transfer_syntax="1.2.840.10008.1.2.5")
    >>> len(encode(np.zeros((32, 32), np.uint8), spec, {}).data) > 64
    True
    """
    options = dict(options or {})
    _check_size(spec, "encode")
    if not isolation.enabled(options):
        return encode_here(arr, spec, options)
    data = np.ascontiguousarray(arr, dtype=np.dtype(spec.dtype).newbyteorder("<"))
    result = isolation.call("encode", spec, data.reshape(-1).view(np.uint8).data, options)
    assert isinstance(result, EncodedFrame)
    return result


def encode_here(arr: np.ndarray, spec: FrameSpec, options: Mapping[str, Any] | None = None) -> EncodedFrame:
    """Encode one frame with GDCM's ``ImageChangeTransferSyntax``, in this process.

    Parameters
    ----------
    arr : numpy.ndarray
        One frame of ``spec.shape``, interleaved samples.
    spec : FrameSpec
        The frame's description; ``spec.transfer_syntax`` is the target.
    options : Mapping
        ``jpeg_quality`` (1-100, JPEG Baseline / Extended, default 90);
        ``jls_error`` (JPEG-LS Near-Lossless NEAR, default 2);
        ``j2k_cr`` (JPEG 2000 compression ratio(s), default 10) or ``j2k_psnr``
        (quality layer PSNR in dB); ``use_mct`` (JPEG 2000 RGB colour transform,
        default True).

    Returns
    -------
    EncodedFrame
        The codestream and the data set changes (Photometric Interpretation for
        colour JPEG 2000 / JPEG Baseline, Lossy Image Compression for lossy syntaxes).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.plugins.records import FrameSpec
    >>> spec = FrameSpec(8, 8, bits_allocated=8, bits_stored=8, transfer_syntax="1.2.840.10008.1.2.4.80")
    >>> frame = encode_here(np.full((8, 8), 7, np.uint8), spec, {})
    >>> bytes(frame.data[:2]).hex()
    'ffd8'
    """
    import gdcm

    options = options or {}
    _check_size(spec, "encode")
    ts = spec.transfer_syntax
    pi = spec.photometric_interpretation
    data = np.ascontiguousarray(arr, dtype=np.dtype(spec.dtype).newbyteorder("<")).tobytes()
    if len(data) % 2:
        # a DICOM value has an even length: GDCM fails (JPEG) or aborts the process
        # (RLE, an assertion in RLECodec.cxx) on an odd one; pad it as a file would
        data += b"\x00"

    writer = gdcm.ImageWriter()  # the image must be owned by a writer: GDCM's heap depends on it
    image = writer.GetImage()
    image.SetNumberOfDimensions(2)
    image.SetDimensions((spec.columns, spec.rows, 1))
    image.SetPhotometricInterpretation(_photometric(pi))
    image.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.ExplicitVRLittleEndian))
    image.SetPixelFormat(
        gdcm.PixelFormat(
            spec.samples_per_pixel, spec.bits_allocated, spec.bits_stored, spec.bits_stored - 1, spec.pixel_representation
        )
    )
    if spec.samples_per_pixel > 1:
        image.SetPlanarConfiguration(0)
    element = gdcm.DataElement(gdcm.Tag(0x7FE0, 0x0010))
    element.SetByteStringValue(data)
    image.SetDataElement(element)

    changes: dict[str, Any] = {}
    converter = gdcm.ImageChangeTransferSyntax()
    converter.SetTransferSyntax(_transfer_syntax(ts))
    codec: Any = None
    if ts in (JPEG_BASELINE, JPEG_EXTENDED):
        codec = gdcm.JPEGCodec()
        codec.SetLossless(False)
        codec.SetQuality(float(options.get("jpeg_quality", 90)))
    elif ts == JLS_NEAR_LOSSLESS:
        codec = gdcm.JPEGLSCodec()
        codec.SetLossless(False)
        codec.SetLossyError(int(options.get("jls_error", 2)))
    elif ts == J2K:
        codec = gdcm.JPEG2000Codec()
        psnr = options.get("j2k_psnr")
        if psnr is not None:
            values = [float(v) for v in (psnr if isinstance(psnr, (list, tuple)) else [psnr])]
            for i, v in enumerate(values):
                codec.SetQuality(i, v)
        else:
            cr = options.get("j2k_cr", 10)
            values = [float(v) for v in (cr if isinstance(cr, (list, tuple)) else [cr])]
            for i, v in enumerate(values):
                codec.SetRate(i, v)
        codec.SetReversible(False)
    if ts in J2K_SYNTAXES and spec.samples_per_pixel == 3 and pi == "RGB":
        if codec is None:
            codec = gdcm.JPEG2000Codec()
        use_mct = bool(options.get("use_mct", True))
        codec.SetMCT(use_mct)
        if use_mct:
            changes["PhotometricInterpretation"] = "YBR_ICT" if ts == J2K else "YBR_RCT"
    if codec is not None:
        converter.SetUserCodec(codec)
    converter.SetInput(image)
    if not converter.Change():
        raise ValueError(f"GDCM could not encode this {spec.bits_allocated}-bit {pi} frame as {ts}")
    output = converter.GetOutput()
    fragments = output.GetDataElement().GetSequenceOfFragments()
    if fragments is None or fragments.GetNumberOfFragments() < 1:
        raise ValueError(f"GDCM produced no encapsulated {ts} data")
    pieces = []
    for i in range(fragments.GetNumberOfFragments()):
        raw = fragments.GetFragment(i).GetByteValue().GetBuffer()
        pieces.append(raw.encode("utf-8", "surrogateescape"))
    encoded = b"".join(pieces)
    if ts in (JPEG_BASELINE, JPEG_EXTENDED) and spec.samples_per_pixel == 3:
        # GDCM codes RGB as 4:2:0 YCbCr but leaves the image's Photometric
        # Interpretation at RGB: say what the codestream holds
        header = jpeg_header(encoded)
        if len(set(header.sampling)) > 1:
            changes["PhotometricInterpretation"] = "YBR_FULL_422"
        else:
            changes["PhotometricInterpretation"] = jpeg_photometric(header, "YBR_FULL")
    if ts in (JPEG_BASELINE, JPEG_EXTENDED):
        changes.update(_lossy_changes(spec, "ISO_10918_1", len(encoded)))
    elif ts == JLS_NEAR_LOSSLESS and int(options.get("jls_error", 2)) > 0:
        changes.update(_lossy_changes(spec, "ISO_14495_1", len(encoded)))
    elif ts == J2K:
        changes.update(_lossy_changes(spec, "ISO_15444_1", len(encoded)))
    return EncodedFrame(encoded, changes)
