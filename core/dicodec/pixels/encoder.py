"""Encoding: ``compress``, ``decompress``, ``set_pixel_data`` and ``get_encoder``.

Frames stream: compressing holds the output plus one decoded frame per worker (and
one waiting), never the whole decoded volume.

Examples
--------
>>> import numpy as np
>>> from dicodec import Dataset
>>> from dicodec.pixels import set_pixel_data
>>> ds = Dataset()
>>> set_pixel_data(ds, np.zeros((4, 4), dtype=np.uint16), "MONOCHROME2", 12)
>>> ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.file_meta.TransferSyntaxUID
(16, 12, 11, '1.2.840.10008.1.2.1')
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import CodecError, InvalidValueError, NoCodecAvailableError
from ..plugins.records import EncodedFrame, FrameSpec
from ..plugins.registry import CodecEntry, get_registry
from .workers import default_workers, in_pool_thread, submit

__all__ = ["Encoder", "compress", "decompress", "get_encoder", "set_pixel_data"]


class Encoder:
    """Encoding for one transfer syntax; obtain it with :func:`get_encoder`."""

    def __init__(self, transfer_syntax: str) -> None:
        from ..uid import UID

        self.transfer_syntax = UID(transfer_syntax)

    def __repr__(self) -> str:
        return f"<Encoder for {self.transfer_syntax.name}>"

    @property
    def available_plugins(self) -> list[str]:
        """Installed codecs that can encode this transfer syntax."""
        return [e.name for e in get_registry().candidates(str(self.transfer_syntax), "encode") if e.available]

    @property
    def is_available(self) -> bool:
        """Whether any installed codec encodes this transfer syntax."""
        return bool(self.available_plugins)

    def codecs_for(self, spec: FrameSpec, encoding_plugin: str | Sequence[str] | None = None) -> list[CodecEntry]:
        """Codecs able to encode frames like ``spec``, in the order they will be tried."""
        usable, skipped = [], []
        for entry in get_registry().candidates(str(self.transfer_syntax), "encode", encoding_plugin):
            caps = entry.spec.encode_capabilities or entry.spec.capabilities
            why = entry.unavailable_reason() or caps.refusal(spec)
            if why:
                skipped.append(f"{entry.name}: {why}")
            else:
                usable.append(entry)
        if not usable:
            from .decoder import _install_hint

            hint = _install_hint(str(self.transfer_syntax)) or "pip install the plugin for it"
            detail = ("; ".join(skipped)) or f"no encoder is registered ({hint})"
            raise NoCodecAvailableError(
                f"no installed codec can encode {self.transfer_syntax.name} ({self.transfer_syntax}) "
                f"for this image: {detail}"
            )
        return usable

    def encode(
        self,
        arr: np.ndarray,
        spec: FrameSpec,
        *,
        index: int = 0,
        encoding_plugin: str | Sequence[str] | None = None,
        codecs: list[CodecEntry] | None = None,
        **options: Any,
    ) -> tuple[EncodedFrame, str]:
        """Encode one frame; return ``(EncodedFrame, codec name)``."""
        attempts: list[tuple[str, BaseException]] = []
        for entry in codecs or self.codecs_for(spec, encoding_plugin):
            try:
                result = entry.function("encode")(arr, spec, options)
                if not isinstance(result, EncodedFrame):
                    raise TypeError(f"encode returned {type(result).__name__}, not EncodedFrame")
                return result, entry.name
            except (KeyboardInterrupt, SystemExit, GeneratorExit):
                raise
            except BaseException as exc:
                attempts.append((entry.name, exc))
        tried = "; ".join(f"{n}: {type(e).__name__}: {e}" for n, e in attempts)
        raise CodecError(f"frame {index} could not be encoded ({tried})") from attempts[-1][1]


def get_encoder(transfer_syntax: str) -> Encoder:
    """The :class:`Encoder` for a transfer syntax.

    Examples
    --------
    >>> get_encoder("1.2.840.10008.1.2.5")
    <Encoder for RLE Lossless>
    """
    return Encoder(transfer_syntax)


def _spec_for_array(ds: Any, arr: np.ndarray | None, ts: str) -> tuple[FrameSpec, int]:
    from .description import describe

    desc = describe(ds, None)
    spec = desc.spec
    return FrameSpec(
        rows=spec.rows,
        columns=spec.columns,
        samples_per_pixel=spec.samples_per_pixel,
        bits_allocated=spec.bits_allocated,
        bits_stored=spec.bits_stored,
        pixel_representation=spec.pixel_representation,
        photometric_interpretation=spec.photometric_interpretation,
        planar_configuration=0,  # frames reach the encoder interleaved, whatever the source layout
        transfer_syntax=ts,
        number_of_frames=desc.number_of_frames,
        float_pixels=spec.float_pixels,
    ), desc.number_of_frames


def _source_frames(ds: Any, arr: np.ndarray | None, spec: FrameSpec, n: int, decode_kwargs: dict[str, Any]) -> Iterator[np.ndarray]:
    if arr is not None:
        frames = arr.reshape((n, *spec.shape)) if n > 1 or arr.ndim > len(spec.shape) else arr.reshape((1, *spec.shape))
        yield from frames
        return
    from .decoder import DecodePlan
    from .source import open_source

    with open_source(ds) as source:
        plan = DecodePlan(source, decode_kwargs.get("decoding_plugin"), True, False, True, None)
        for i in range(source.desc.number_of_frames):
            yield plan.one(i)[0]


def compress(
    ds: Any,
    transfer_syntax_uid: str,
    arr: np.ndarray | None = None,
    *,
    encoding_plugin: str | Sequence[str] | None = None,
    encapsulate_ext: bool = False,
    generate_instance_uid: bool = True,
    decoding_plugin: str | Sequence[str] | None = None,
    workers: int | None = None,
    **options: Any,
) -> Any:
    """Compress the pixel data of ``ds`` in place (and return ``ds``).

    Parameters
    ----------
    ds : Dataset
        Its Image Pixel elements describe the frames.
    transfer_syntax_uid : str
        The compressed transfer syntax, e.g. ``RLELossless``.
    arr : numpy.ndarray, optional
        Encode this array instead of the data set's pixel data (same description).
    encoding_plugin : str or list of str, optional
        Only these encoders.
    encapsulate_ext : bool
        Write an Extended Offset Table (chosen automatically when frames pass 4 GiB).
    generate_instance_uid : bool
        Give the result a new SOP Instance UID (it is a new image).
    decoding_plugin : str or list of str, optional
        The decoders for the current pixel data, when it is compressed.
    workers : int, optional
        Threads encoding frames at once. By default the CPU count (at most 8) when
        the chosen encoder releases the GIL, else 1; always 1 for an encoder that
        is not thread-safe. Frames are still taken from the
        source one at a time and written in order; at most ``workers + 1`` decoded
        frames are held at once.
    **options
        Codec options (``jls_error=``, ``j2k_cr=``, ...).

    Notes
    -----
    A lossy encoder's Lossy Image Compression Ratio is computed over all frames
    (their uncompressed size over their compressed size). When the pixel data was
    already lossy, the new ratio and method are appended to the existing values, as
    PS3.3 C.7.6.1.1.5 asks, so the image's history is kept.

    Examples
    --------
    >>> from dicodec import examples
    >>> ds = examples.ct
    >>> _ = ds.compress("1.2.840.10008.1.2.1.98")
    >>> ds.file_meta.TransferSyntaxUID.name
    'Encapsulated Uncompressed Explicit VR Little Endian'
    """
    from .. import encaps
    from ..uid import UID

    uid = UID(transfer_syntax_uid)
    if not uid.is_transfer_syntax:
        from ..plugins.registry import ensure_transfer_syntaxes

        ensure_transfer_syntaxes()  # a plugin may declare it
    if not uid.is_transfer_syntax or not uid.is_encapsulated:
        raise InvalidValueError(f"{uid} ({uid.name}) is not an encapsulated transfer syntax; use decompress()")
    if 0x7FE00010 not in ds and (0x7FE00008 in ds or 0x7FE00009 in ds):
        raise InvalidValueError("Float and Double Float Pixel Data cannot be stored in a compressed transfer syntax")
    spec, n = _spec_for_array(ds, arr, str(uid))
    encoder = Encoder(str(uid))
    codecs = encoder.codecs_for(spec, encoding_plugin)
    if arr is not None:
        expected = (n, *spec.shape) if n > 1 else spec.shape
        if tuple(arr.shape) not in (tuple(expected), (1, *spec.shape)):
            raise InvalidValueError(f"arr has shape {arr.shape}, but the data set describes {expected}")
    caps = codecs[0].spec.capabilities
    if workers is None:
        workers = default_workers() if caps.releases_gil and caps.thread_safe else 1
    elif not caps.thread_safe:
        workers = 1  # the codec says it must not run in two threads at once
    frames = _source_frames(ds, arr, spec, n, {"decoding_plugin": decoding_plugin})
    encoded: list[bytes] = []
    changes: dict[str, Any] = {}
    for result in _encode_frames(encoder, frames, spec, codecs, options, min(workers, n)):
        encoded.append(bytes(result.data) if not isinstance(result.data, bytes) else result.data)
        changes.update(result.changes)
    total = sum(len(f) + 8 + len(f) % 2 for f in encoded)
    if "LossyImageCompressionRatio" in changes:
        changes.update(_lossy_history(ds, changes, n * spec.decoded_length, sum(len(f) for f in encoded)))
    use_ext = encapsulate_ext or total > encaps.MAX_BOT_OFFSET
    if use_ext:
        value, eot, eotl = encaps.encapsulate_extended(encoded)
        ds.add_new(0x7FE00001, "OV", eot)
        ds.add_new(0x7FE00002, "OV", eotl)
    else:
        value = encaps.encapsulate(encoded, has_bot=True)
        for tag in (0x7FE00001, 0x7FE00002):
            if tag in ds:
                del ds[tag]
    from ..dataelem import DataElement

    elem = DataElement(0x7FE00010, "OB", value, is_undefined_length=True, validate=False)
    for tag in (0x7FE00008, 0x7FE00009):
        if tag in ds:
            del ds[tag]
    ds[0x7FE00010] = elem
    meta = ds.ensure_file_meta()
    meta.TransferSyntaxUID = uid
    for keyword, value in changes.items():
        setattr(ds, keyword, value)
    if "PlanarConfiguration" in ds and spec.samples_per_pixel > 1 and "PlanarConfiguration" not in changes:
        ds.PlanarConfiguration = 0
    _new_instance(ds, generate_instance_uid)
    object.__setattr__(ds, "_pixel_cache", None)
    return ds


def _encode_frames(
    encoder: Encoder,
    frames: Iterator[np.ndarray],
    spec: FrameSpec,
    codecs: list[CodecEntry],
    options: dict[str, Any],
    workers: int,
) -> Iterator[EncodedFrame]:
    """Encoded frames in order; with ``workers > 1`` several are encoded at once.

    The source is read in this thread only. Small frames go to the pool in batches
    of about 256 KiB (a pool task costs more than encoding a tiny frame); at most
    ``workers + 1`` batches are taken from the source before their results are
    handed on, so memory stays bounded.
    """
    if workers <= 1 or in_pool_thread():
        for i, frame in enumerate(frames):
            yield encoder.encode(frame, spec, index=i, codecs=codecs, **options)[0]
        return
    from collections import deque
    from concurrent.futures import Future, wait

    per_task = max(1, _BATCH_BYTES // max(spec.decoded_length, 1))

    def encode(batch: list[tuple[int, np.ndarray]]) -> list[EncodedFrame]:
        return [encoder.encode(frame, spec, index=i, codecs=codecs, **options)[0] for i, frame in batch]

    pending: deque[Future[list[EncodedFrame]]] = deque()
    batch: list[tuple[int, np.ndarray]] = []
    try:
        for i, frame in enumerate(frames):
            batch.append((i, frame))
            if len(batch) < per_task:
                continue
            if len(pending) > workers:
                yield from pending.popleft().result()
            pending.append(submit(workers, encode, batch))
            batch = []
        if batch:
            pending.append(submit(workers, encode, batch))
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        wait(pending)  # nothing of this call keeps running after it returns or fails


_BATCH_BYTES = 256 * 1024


def _lossy_history(ds: Any, changes: dict[str, Any], uncompressed: int, compressed: int) -> dict[str, Any]:
    """The lossy attributes for the whole image: overall ratio, earlier steps kept."""
    ratio = f"{uncompressed / max(compressed, 1):.2f}"[:16]
    method = changes.get("LossyImageCompressionMethod")
    if isinstance(method, (list, tuple)):
        method = method[-1] if method else None
    from ..values import _as_list as as_list

    ratios: list[str] = []
    methods: list[str] = []
    if str(ds.get("LossyImageCompression", "")).strip() == "01":
        old_ratios = ds.get("LossyImageCompressionRatio")
        old_methods = ds.get("LossyImageCompressionMethod")
        ratios = [str(r) for r in as_list(old_ratios) if str(r)]
        methods = [str(m) for m in as_list(old_methods) if str(m)]
    result: dict[str, Any] = {"LossyImageCompression": "01"}
    result["LossyImageCompressionRatio"] = [*ratios, ratio] if ratios else ratio
    if method is not None:
        result["LossyImageCompressionMethod"] = [*methods, method] if methods else method
    return result


def decompress(
    ds: Any,
    *,
    as_rgb: bool = True,
    generate_instance_uid: bool = True,
    decoding_plugin: str | Sequence[str] | None = None,
    **options: Any,
) -> Any:
    """Decode the pixel data of ``ds`` in place to Explicit VR Little Endian (and return ``ds``).

    Examples
    --------
    >>> from dicodec import examples
    >>> ds = examples.ct.compress("1.2.840.10008.1.2.1.98")
    >>> ds.decompress().file_meta.TransferSyntaxUID.name
    'Explicit VR Little Endian'
    """
    from .decoder import decode_frames
    from .source import open_source

    with open_source(ds) as source:
        desc = source.desc
        n = desc.number_of_frames
        frames = list(range(n))
        buffer = bytearray(n * desc.spec.decoded_length)
        out = np.frombuffer(buffer, dtype=desc.spec.dtype).reshape((n, *desc.spec.shape))
        _, meta = decode_frames(
            source, frames, decoding_plugin=decoding_plugin, as_rgb=as_rgb, out=out, options=options
        )
    spec = desc.spec
    if spec.bits_allocated == 1:
        from .bits import pack_bits

        data = bytearray(pack_bits(out))
    elif spec.itemsize * 8 != spec.bits_allocated:
        # e.g. Bits Allocated 24 decoded to 32-bit samples: keep the native layout
        data = bytearray(out.astype(out.dtype.newbyteorder("<")).tobytes())
    else:
        if out.dtype.byteorder == ">" or (out.dtype.byteorder == "=" and np.little_endian is False):
            out.byteswap(inplace=True)  # the value is written little endian
        del out
        data = buffer  # the decoded bytes themselves: no second copy of the whole volume
    del buffer
    from ..dataelem import DataElement

    vr = {0x7FE00008: "OF", 0x7FE00009: "OD"}.get(desc.pixel_tag, "OB" if spec.bits_allocated <= 8 else "OW")
    ds[desc.pixel_tag] = DataElement(desc.pixel_tag, vr, data, validate=False)
    for tag in (0x7FE00001, 0x7FE00002):
        if tag in ds:
            del ds[tag]
    meta_ds = ds.ensure_file_meta()
    meta_ds.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    if meta["photometric_interpretation"] != spec.photometric_interpretation:
        ds.PhotometricInterpretation = meta["photometric_interpretation"]
    if spec.samples_per_pixel > 1:
        ds.PlanarConfiguration = 0
    ds.set_original_encoding(False, True, ds.original_character_set)
    _new_instance(ds, generate_instance_uid)
    object.__setattr__(ds, "_pixel_cache", None)
    return ds


def _new_instance(ds: Any, generate: bool) -> None:
    if not generate:
        return
    from ..uid import generate_uid

    uid = generate_uid()
    ds.SOPInstanceUID = uid
    meta = ds.ensure_file_meta()
    meta.MediaStorageSOPInstanceUID = uid


def set_pixel_data(
    ds: Any,
    arr: np.ndarray,
    photometric_interpretation: str,
    bits_stored: int,
    *,
    generate_instance_uid: bool = True,
) -> None:
    """Replace the pixel data with ``arr`` and update every Image Pixel element.

    ``arr`` is ``(rows, cols)``, ``(rows, cols, samples)``, ``(frames, rows, cols)``
    or ``(frames, rows, cols, samples)``; samples are 3 for colour, 1 otherwise. The
    data set becomes Explicit VR Little Endian with native pixel data.
    """
    arr = np.asarray(arr)
    pi = str(photometric_interpretation).strip()
    if pi == "YBR_FULL_422":
        raise InvalidValueError(
            "native YBR_FULL_422 holds subsampled chroma: give the full-resolution array as YBR_FULL "
            "(or RGB) and compress to a JPEG syntax that subsamples"
        )
    colour = pi in ("RGB", "YBR_FULL", "YBR_FULL_422", "YBR_ICT", "YBR_RCT", "HSV", "ARGB", "CMYK")
    samples = 3 if colour else 1
    if colour and (arr.ndim < 3 or arr.shape[-1] != 3):
        raise InvalidValueError(f"{pi} data needs a last axis of 3 samples, not shape {arr.shape}")
    frame_ndim = 3 if colour else 2
    if arr.ndim not in (frame_ndim, frame_ndim + 1):
        raise InvalidValueError(f"an array of shape {arr.shape} does not hold {pi} frames")
    frames = arr.shape[0] if arr.ndim == frame_ndim + 1 else 1
    rows, cols = arr.shape[-frame_ndim], arr.shape[-frame_ndim + 1]
    if arr.dtype.kind == "b":
        arr = arr.astype(np.uint8)
    if arr.dtype.kind == "f":
        if arr.dtype.itemsize not in (4, 8):
            raise InvalidValueError(f"float pixel data must be float32 or float64, not {arr.dtype}")
        bits_allocated = arr.dtype.itemsize * 8
    elif arr.dtype.kind in "iu":
        bits_allocated = 1 if bits_stored == 1 else arr.dtype.itemsize * 8
    else:
        raise InvalidValueError(f"cannot store {arr.dtype} as pixel data")
    if not 1 <= bits_stored <= max(bits_allocated, 1):
        raise InvalidValueError(f"bits_stored {bits_stored} does not fit in {arr.dtype}")
    if arr.dtype.kind in "iu" and bits_allocated > 1:
        lo, hi = (-(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1) if arr.dtype.kind == "i" else (0, (1 << bits_stored) - 1)
        if arr.size and (arr.min() < lo or arr.max() > hi):
            raise InvalidValueError(f"values outside [{lo}, {hi}] do not fit in {bits_stored} bits")
    if bits_allocated == 1:
        from .bits import pack_bits

        if arr.size and arr.max() > 1:
            raise InvalidValueError("1-bit pixel data takes only 0 and 1")
        data = pack_bits(arr.reshape(-1))
    else:
        data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
        if len(data) % 2:
            data += b"\x00"
    from ..dataelem import DataElement

    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = pi
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if arr.dtype.kind == "i" else 0
    if samples > 1:
        ds.PlanarConfiguration = 0
    elif "PlanarConfiguration" in ds:
        del ds.PlanarConfiguration
    if frames > 1 or "NumberOfFrames" in ds:
        ds.NumberOfFrames = frames
    for tag in (0x7FE00001, 0x7FE00002, 0x7FE00008, 0x7FE00009, 0x7FE00010):
        if tag in ds:
            del ds[tag]
    if arr.dtype.kind == "f":
        tag, vr = (0x7FE00008, "OF") if bits_allocated == 32 else (0x7FE00009, "OD")
        for kw in ("BitsStored", "HighBit", "PixelRepresentation"):
            if kw in ds:
                delattr(ds, kw)
    else:
        tag, vr = 0x7FE00010, ("OB" if bits_allocated <= 8 else "OW")
    ds[tag] = DataElement(tag, vr, data, validate=False)
    meta = ds.ensure_file_meta()
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds.set_original_encoding(False, True, ds.original_character_set)
    _new_instance(ds, generate_instance_uid)
    object.__setattr__(ds, "_pixel_cache", None)
