"""Fuzz targets for dicodec: one plain function per target, ``fuzz_<name>(data: bytes) -> None``.

Every target feeds ``data`` to dicodec through a public entry point and swallows
:class:`dicodec.DicodecError` (and its subclasses) only. Any other exception
(``IndexError``, ``struct.error``, ``zlib.error``, ``RecursionError``,
``MemoryError``, ``ValueError``, ...) propagates: that is a finding. Hangs and huge
allocations are findings too; the fuzzer catches them (``-timeout``, ``-rss_limit_mb``).

The functions need neither atheris nor the shared corpus: the regression tests in
``tests/hardening/test_fuzz_regressions.py`` call them directly, and
``fuzz/run_fuzz.py`` runs them under atheris / libFuzzer.

Input layouts
-------------
dcmread, framereader, dicomdir
    A whole file (Part 10 or a bare data set; for ``dicomdir`` a DICOMDIR).
deflate
    Byte 0 selects the mode; the rest is the body of a Deflated Explicit VR Little
    Endian file (1.2.840.10008.1.2.1.99) behind a fixed File Meta header. Even mode:
    the rest is the raw deflate stream as stored in the file. Odd mode: the rest is
    the *inflated* data set and the target deflates it first (so the mutations reach
    the data set parser behind the inflater, not only zlib).
json
    DICOM JSON text (UTF-8 bytes).
encaps
    Byte 0: Number of Frames (0 = not given); byte 1: flags (bit 0: an Extended
    Offset Table follows: byte 2 = entries k, then 8k bytes offsets, 8k bytes
    lengths); the rest is an encapsulated Pixel Data value.
codec_<name>
    A 10-byte frame description (see :func:`frame_header`) and one encoded frame,
    decoded by codec ``<name>`` through ``get_decoder(ts).as_array`` on a data set
    built around the frame (the path users hit).
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import dicodec
from dicodec import DicodecError

MiB = 1024 * 1024

LIMITS = {
    "max_array_bytes": 64 * MiB,
    "max_frame_bytes": 64 * MiB,
    "max_frames": 10_000,
    # being added to dicodec.config.settings: set when present
    "max_inflated_bytes": 64 * MiB,
    "max_sequence_depth": 200,
    "max_fragments": 100_000,
    "max_element_bytes": 64 * MiB,
}

_CONFIGURED = False


def configure() -> None:
    """Small limits, warnings off; idempotent and cheap."""
    global _CONFIGURED
    warnings.simplefilter("ignore")
    if _CONFIGURED:
        return
    settings = dicodec.config.settings
    for name, value in LIMITS.items():
        if hasattr(settings, name):
            setattr(settings, name, value)
    _CONFIGURED = True


# ----------------------------------------------------------------- helpers
def _touch(ds: Any) -> None:
    """Access every element value (sequence items included) the way a user would."""
    for elem in ds.iterall():
        if elem.VR == "SQ":
            continue  # iterall visits the items' elements
        value = elem.value
        if isinstance(value, (bytes, bytearray, memoryview)):
            continue
        str(value)


def _decode_pixels(ds: Any) -> None:
    """Decode the pixel data, overlays and waveforms when present (errors: DicodecError only)."""
    for tag in (0x7FE00010, 0x7FE00008, 0x7FE00009):
        if tag in ds:
            try:
                ds.pixel_array  # noqa: B018 - touching decodes
            except DicodecError:
                pass
            break
    for group in range(0x6000, 0x6020, 2):
        if (group << 16) | 0x3000 in ds:
            try:
                ds.overlay_array(group)
            except DicodecError:
                pass
    if 0x54000100 in ds:
        try:
            ds.waveform_array(0)
        except DicodecError:
            pass


def _read_and_use(data: bytes | bytearray, force: bool) -> None:
    ds = dicodec.dcmread(io.BytesIO(data), force=force)
    _touch(ds)
    if getattr(ds, "file_meta", None) is not None:
        _touch(ds.file_meta)
    _decode_pixels(ds)


# ----------------------------------------------------------------- dcmread
def fuzz_dcmread(data: bytes) -> None:
    """dcmread from bytes (normal, then force=True), every value, then the pixels."""
    configure()
    try:
        _read_and_use(data, False)
        return
    except DicodecError:
        pass
    try:
        _read_and_use(data, True)
    except DicodecError:
        pass


# ----------------------------------------------------------------- deflate
DEFLATED_TS = "1.2.840.10008.1.2.1.99"


def _meta_element(elem: int, vr: bytes, value: bytes) -> bytes:
    if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT", b"UC", b"UR"):
        return struct.pack("<HH2sHL", 2, elem, vr, 0, len(value)) + value
    return struct.pack("<HH2sH", 2, elem, vr, len(value)) + value


def _uid(value: str) -> bytes:
    raw = value.encode()
    return raw + b"\0" if len(raw) % 2 else raw


def part10_header(transfer_syntax: str) -> bytes:
    """Preamble, ``DICM`` and a File Meta group naming ``transfer_syntax``."""
    body = (
        _meta_element(0x0001, b"OB", b"\0\1")
        + _meta_element(0x0002, b"UI", _uid("1.2.840.10008.5.1.4.1.1.7"))
        + _meta_element(0x0003, b"UI", _uid("1.2.826.0.1.3680043.8.498.1"))
        + _meta_element(0x0010, b"UI", _uid(transfer_syntax))
        + _meta_element(0x0012, b"UI", _uid("1.2.826.0.1.3680043.8.498.2"))
    )
    group_length = _meta_element(0x0000, b"UL", struct.pack("<L", len(body)))
    return b"\0" * 128 + b"DICM" + group_length + body


DEFLATE_HEADER = part10_header(DEFLATED_TS)


def deflate_raw(data: bytes) -> bytes:
    """Raw deflate (no zlib header), as the Deflated transfer syntax stores it."""
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def fuzz_deflate(data: bytes) -> None:
    """dcmread of a Deflated Explicit VR Little Endian file whose body is the input."""
    configure()
    if not data:
        return
    body = bytes(data[1:])
    if data[0] & 1:
        body = deflate_raw(body)
    try:
        _read_and_use(DEFLATE_HEADER + body, False)
    except DicodecError:
        pass


# ----------------------------------------------------------------- JSON
def fuzz_json(data: bytes) -> None:
    """Dataset.from_json on the input, every value, and back to JSON."""
    configure()
    try:
        ds = dicodec.Dataset.from_json(bytes(data))
        _touch(ds)
        ds.to_json_dict()
    except DicodecError:
        pass


# ----------------------------------------------------------------- encapsulation
def fuzz_encaps(data: bytes) -> None:
    """Every parser of :mod:`dicodec.encaps` on an encapsulated Pixel Data value."""
    configure()
    try:
        _encaps(data)
    except DicodecError:
        pass


def _encaps(data: bytes) -> None:
    from dicodec import encaps

    if len(data) < 2:
        return
    nframes = data[0] or None
    flags = data[1]
    rest = memoryview(bytes(data))[2:]
    eot = eot_lengths = None
    if flags & 1 and len(rest) >= 1:
        k = rest[0]
        eot = bytes(rest[1 : 1 + 8 * k])
        eot_lengths = bytes(rest[1 + 8 * k : 1 + 16 * k]) if flags & 2 else None
        rest = rest[1 + 16 * k :] if flags & 2 else rest[1 + 8 * k :]
    buf = bytes(rest)
    for call in (
        lambda: encaps.parse_items(buf),
        lambda: encaps.parse_basic_offsets(buf),
        lambda: encaps.parse_fragments(buf),
        lambda: encaps.get_nr_fragments(buf),
        lambda: list(encaps.generate_fragments(buf)),
    ):
        try:
            call()
        except DicodecError:
            pass
    try:
        table = encaps.frame_table(buf, nframes, extended_offsets=eot, extended_lengths=eot_lengths)
    except DicodecError:
        return
    total = len(table)
    for i in range(min(total, 8)):
        table.frame_bytes(buf, i)
        table.frame_view(buf, i)
    try:
        frames = list(
            encaps.generate_frames(
                buf, number_of_frames=nframes, extended_offsets=eot, extended_lengths=eot_lengths
            )
        )
    except DicodecError:
        return
    if total:
        index = (flags >> 2) % total
        got = encaps.get_frame(
            buf, index, number_of_frames=nframes, extended_offsets=eot, extended_lengths=eot_lengths
        )
        if got != frames[index]:
            raise AssertionError(f"get_frame({index}) disagrees with generate_frames")
    if flags & 0x80 and total:  # build_frame_table from scanned items, as FrameReader does
        items = encaps.parse_items(buf)
        bot = buf[items[0][0] : items[0][0] + items[0][1]]
        encaps.build_frame_table(items, bot, nframes, lambda off, n: buf[off : off + n])


# ----------------------------------------------------------------- FrameReader
_TMPDIR: str | None = None


def _tmpdir() -> str:
    global _TMPDIR
    if _TMPDIR is None or not os.path.isdir(_TMPDIR):
        _TMPDIR = tempfile.mkdtemp(prefix="dicodec-fuzz-")
    return _TMPDIR


def _use_reader(reader: Any) -> None:
    from dicodec.framereader import FrameInfo

    n = reader.number_of_frames
    info = FrameInfo.from_dict(reader.frame_info.to_dict())
    for i in sorted({0, n - 1}) if n else ():
        reader.read_frame_raw(i)
        try:
            reader.read_frame(i)
        except DicodecError:
            pass
    if n:
        again = dicodec.FrameReader(reader.fp, frame_info=info)
        again.read_frame_raw(n - 1)


def fuzz_framereader(data: bytes) -> None:
    """FrameReader on a BytesIO (odd length) or a file path (even length); read frames."""
    configure()
    try:
        if len(data) % 2:
            with dicodec.FrameReader(io.BytesIO(bytes(data))) as reader:
                _use_reader(reader)
        else:
            path = os.path.join(_tmpdir(), "frames.dcm")
            with open(path, "wb") as fh:
                fh.write(data)
            with dicodec.FrameReader(path) as reader:
                _use_reader(reader)
    except DicodecError:
        pass


# ----------------------------------------------------------------- DICOMDIR
def fuzz_dicomdir(data: bytes) -> None:
    """FileSet on a DICOMDIR holding the input; walk the records and summarise."""
    configure()
    from dicodec.fileset import FileSet

    root = os.path.join(_tmpdir(), "fileset")
    os.makedirs(root, exist_ok=True)
    path = os.path.join(root, "DICOMDIR")
    with open(path, "wb") as fh:
        fh.write(data)
    try:
        fs = FileSet(path, missing="ignore")
        for node in fs.tree.walk():
            node.key  # noqa: B018 - touching is the point
        for instance in fs:
            instance.path  # noqa: B018
        fs.find()
        fs.summary(max_instances=20)
        str(fs)
    except DicodecError:
        pass


# ----------------------------------------------------------------- codecs
BITS_ALLOCATED = (8, 16, 1, 32, 64, 24)
PHOTOMETRIC = (
    "MONOCHROME2",
    "MONOCHROME1",
    "RGB",
    "YBR_FULL",
    "YBR_FULL_422",
    "YBR_ICT",
    "YBR_RCT",
    "PALETTE COLOR",
)
FRAME_HEADER = struct.Struct("<HHBBBBBB")
MAX_DECODED = 1 * MiB  # keep executions fast: larger declared frames are skipped


def frame_header(
    rows: int,
    columns: int,
    samples: int = 1,
    bits_allocated: int = 8,
    bits_stored: int | None = None,
    signed: bool = False,
    planar: int = 0,
    photometric: str = "MONOCHROME2",
    ts_index: int = 0,
    mode: int = 0,
) -> bytes:
    """The 10-byte frame description that starts a codec-target input.

    ``rows``, ``columns`` (uint16 LE); samples (bit 0 of byte 4: 1 = three samples);
    Bits Allocated index into :data:`BITS_ALLOCATED` (byte 5); Bits Stored - 1
    (byte 6, taken modulo Bits Allocated); flags (byte 7: bit 0 signed, bit 1 planar,
    bits 2-4 photometric index into :data:`PHOTOMETRIC`); the transfer syntax index
    into the codec's syntaxes (byte 8); mode (byte 9: bit 0 raw, bit 1 as_rgb=False,
    bit 4 the whole user path (a data set and ``get_decoder().as_array``) instead of
    the codec's decode function as the core calls it; with bit 4: bit 2 decode through
    the all-frames path, bit 3 two frames).
    """
    bits_stored = bits_allocated if bits_stored is None else bits_stored
    flags = int(signed) | (planar & 1) << 1 | PHOTOMETRIC.index(photometric) << 2
    return FRAME_HEADER.pack(
        rows,
        columns,
        1 if samples == 3 else 0,
        BITS_ALLOCATED.index(bits_allocated),
        (bits_stored - 1) & 0xFF,
        flags,
        ts_index,
        mode,
    )


def _codec_entry(name: str) -> Any:
    from dicodec.plugins import get_registry

    registry = get_registry()
    registry.ensure_loaded()
    entry = registry.codecs.get(name)
    if entry is None or not entry.available:
        return None
    return entry


# exception types that mean a bug in the code behind a codec, even when the core
# has wrapped them in CodecError (backends signal bad data with their own errors,
# ValueError or RuntimeError)
BUG_TYPES: tuple[type[BaseException], ...] = (
    IndexError,
    KeyError,
    AttributeError,
    TypeError,
    ZeroDivisionError,
    NameError,
    AssertionError,
    RecursionError,
    MemoryError,
    OverflowError,
    SystemError,
    struct.error,
)

STRICT_CODECS = os.environ.get("DICODEC_FUZZ_STRICT_CODECS", "1") not in ("0", "", "false")


def _bug_cause(exc: BaseException) -> BaseException | None:
    seen = set()
    cause: BaseException | None = exc.__cause__
    attempts = getattr(exc, "attempts", None) or []
    for _, inner in attempts:
        if isinstance(inner, BUG_TYPES):
            return inner
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, BUG_TYPES):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


_NATIVE = frozenset(
    ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"]
)


def decode_codec_input(name: str, data: bytes) -> Any:
    """Decode a codec-target input with codec ``name``; return the array (or None if skipped).

    Mode bit 4 clear (the default): the frame goes to the codec's registered decode
    function exactly as the core's ``FrameDecoder`` hands it over (same FrameSpec,
    ``out`` array and ``finish_frame`` corrections), and an exception from it is what
    the core would wrap in CodecError. Mode bit 4 set: the whole user path,
    ``get_decoder(ts).as_array`` on a data set built around the frame.
    """
    import numpy as np

    from dicodec.plugins.records import FrameSpec

    entry = _codec_entry(name)
    if entry is None or len(data) < FRAME_HEADER.size:
        return None
    rows, cols, s, b, bs, flags, ts_i, mode = FRAME_HEADER.unpack_from(data)
    rows, cols = rows or 1, cols or 1
    samples = 3 if s & 1 else 1
    bits = BITS_ALLOCATED[b % len(BITS_ALLOCATED)]
    bits_stored = 1 + bs % bits
    photometric = PHOTOMETRIC[(flags >> 2) % len(PHOTOMETRIC)]
    itemsize = 1 if bits <= 8 else 2 if bits <= 16 else 4 if bits <= 32 else 8
    nframes = 2 if mode & 8 else 1
    if rows * cols * samples * itemsize * nframes > MAX_DECODED:
        return None
    syntaxes = entry.spec.transfer_syntaxes
    ts = syntaxes[ts_i % len(syntaxes)]
    frame = bytes(data[FRAME_HEADER.size :])
    raw, as_rgb = bool(mode & 1), not mode & 2
    if mode & 16:
        return _decode_user_path(
            name, ts, frame, rows, cols, samples, bits, bits_stored, flags, photometric, mode
        )
    spec = FrameSpec(
        rows=rows,
        columns=cols,
        samples_per_pixel=samples,
        bits_allocated=bits,
        bits_stored=bits_stored,
        pixel_representation=flags & 1,
        photometric_interpretation=photometric,
        planar_configuration=(flags >> 1) & 1 if samples > 1 else 0,
        transfer_syntax=ts,
        number_of_frames=1,
    )
    if entry.spec.capabilities.refusal(spec):
        return None  # the core would not hand this frame to this codec
    if ts in _NATIVE and len(frame) < spec.native_length:
        return None  # the core checks the native length before any codec runs
    call_spec = spec.replace(as_rgb=True) if as_rgb and not raw and samples == 3 else spec
    out = np.empty(spec.shape, dtype=spec.dtype)
    from dicodec.pixels.corrections import finish_frame

    func = entry.function("decode")
    try:
        result = func(frame, call_spec, out)  # a DecodedFrame, or out itself (checked by finish_frame)
        finish_frame(result, call_spec, out, raw=raw, as_rgb=as_rgb, native=ts in _NATIVE)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # what FrameDecoder.decode wraps in CodecError
        if STRICT_CODECS and isinstance(exc, BUG_TYPES):
            raise
        if not STRICT_CODECS or isinstance(exc, DicodecError):
            return None
        bug = _bug_cause(exc)
        if bug is not None:
            raise bug from exc
        return None
    return out


def _decode_user_path(
    name: str,
    ts: str,
    frame: bytes,
    rows: int,
    cols: int,
    samples: int,
    bits: int,
    bits_stored: int,
    flags: int,
    photometric: str,
    mode: int,
) -> Any:
    from dicodec.dataset import Dataset, FileMetaDataset
    from dicodec.encaps import encapsulate
    from dicodec.pixels import get_decoder
    from dicodec.uid import UID

    nframes = 2 if mode & 8 else 1
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    ds.Rows = rows
    ds.Columns = cols
    ds.SamplesPerPixel = samples
    ds.BitsAllocated = bits
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = flags & 1
    ds.PhotometricInterpretation = photometric
    if samples > 1:
        ds.PlanarConfiguration = (flags >> 1) & 1
    if nframes > 1:
        ds.NumberOfFrames = nframes
    if UID(ts).is_encapsulated:
        ds.add_new(0x7FE00010, "OB", encapsulate([frame] * nframes))
    else:
        if len(frame) % 2:
            frame += b"\0"
        ds.add_new(0x7FE00010, "OB" if bits <= 8 else "OW", frame)
    decoder = get_decoder(ts)
    kwargs = {
        "decoding_plugin": name,
        "fallback": False,
        "raw": bool(mode & 1),
        "as_rgb": not mode & 2,
    }
    if mode & 4:
        arr, _ = decoder.as_array(ds, **kwargs)
    else:
        arr, _ = decoder.as_array(ds, index=nframes - 1, **kwargs)
    return arr


def fuzz_codec(name: str, data: bytes) -> None:
    """One frame through codec ``name`` (see :func:`frame_header` for the input layout)."""
    configure()
    try:
        decode_codec_input(name, data)
    except DicodecError as exc:
        if STRICT_CODECS:
            bug = _bug_cause(exc)
            if bug is not None:
                raise bug from exc
        return


def fuzz_codec_native_numpy(data: bytes) -> None:
    fuzz_codec("native.numpy", data)


def fuzz_codec_native_encapsulated(data: bytes) -> None:
    fuzz_codec("native.encapsulated", data)


def fuzz_codec_native_deflate(data: bytes) -> None:
    fuzz_codec("native.deflate", data)


def fuzz_codec_rle_c(data: bytes) -> None:
    fuzz_codec("rle.c", data)


def fuzz_codec_rle_pylibjpeg(data: bytes) -> None:
    fuzz_codec("rle.pylibjpeg", data)


def fuzz_codec_jpeg_turbo(data: bytes) -> None:
    fuzz_codec("jpeg.turbo", data)


def fuzz_codec_jpeg_libjpeg(data: bytes) -> None:
    fuzz_codec("jpeg.libjpeg", data)


def fuzz_codec_jpeg2k_openjpeg(data: bytes) -> None:
    fuzz_codec("jpeg2k.openjpeg", data)


def fuzz_codec_jpeg2k_imagecodecs(data: bytes) -> None:
    fuzz_codec("jpeg2k.imagecodecs", data)


def fuzz_codec_jpegls_charls(data: bytes) -> None:
    fuzz_codec("jpegls.charls", data)


def fuzz_codec_jpegls_imagecodecs(data: bytes) -> None:
    fuzz_codec("jpegls.imagecodecs", data)


def fuzz_codec_jpegls_libjpeg(data: bytes) -> None:
    fuzz_codec("jpegls.libjpeg", data)


def fuzz_codec_pylibjpeg_libjpeg(data: bytes) -> None:
    fuzz_codec("pylibjpeg.libjpeg", data)


def fuzz_codec_pylibjpeg_openjpeg(data: bytes) -> None:
    fuzz_codec("pylibjpeg.openjpeg", data)


def fuzz_codec_pylibjpeg_rle(data: bytes) -> None:
    fuzz_codec("pylibjpeg.rle", data)


# ----------------------------------------------------------------- registry
CODEC_TARGETS = {
    "codec_native_numpy": "native.numpy",
    "codec_native_encapsulated": "native.encapsulated",
    "codec_native_deflate": "native.deflate",
    "codec_rle_c": "rle.c",
    "codec_rle_pylibjpeg": "rle.pylibjpeg",
    "codec_jpeg_turbo": "jpeg.turbo",
    "codec_jpeg_libjpeg": "jpeg.libjpeg",
    "codec_jpeg2k_openjpeg": "jpeg2k.openjpeg",
    "codec_jpeg2k_imagecodecs": "jpeg2k.imagecodecs",
    "codec_jpegls_charls": "jpegls.charls",
    "codec_jpegls_imagecodecs": "jpegls.imagecodecs",
    "codec_jpegls_libjpeg": "jpegls.libjpeg",
    "codec_pylibjpeg_libjpeg": "pylibjpeg.libjpeg",
    "codec_pylibjpeg_openjpeg": "pylibjpeg.openjpeg",
    "codec_pylibjpeg_rle": "pylibjpeg.rle",
}
"""Codec target → codec name (every registered decoder except ``gdcm``, which runs in a subprocess)."""

TARGETS: dict[str, Callable[[bytes], None]] = {
    "dcmread": fuzz_dcmread,
    "deflate": fuzz_deflate,
    "json": fuzz_json,
    "encaps": fuzz_encaps,
    "framereader": fuzz_framereader,
    "dicomdir": fuzz_dicomdir,
    **{t: globals()["fuzz_" + t] for t in CODEC_TARGETS},
}


def missing_codec_targets() -> list[str]:
    """Registered decoders (other than gdcm) that have no target here: should be empty."""
    from dicodec.plugins import get_registry

    known = set(CODEC_TARGETS.values()) | {"gdcm"}
    return sorted(n for n in get_registry().codec_names(purpose="decode") if n not in known)


def preload() -> None:
    """Import every module the targets reach (so atheris can instrument them at import)."""
    import dicodec.dataelem
    import dicodec.dataset
    import dicodec.encaps
    import dicodec.filereader
    import dicodec.fileset
    import dicodec.filewriter
    import dicodec.framereader
    import dicodec.jsonrep
    import dicodec.pixels
    import dicodec.pixels.decoder
    import dicodec.sequence
    import dicodec.valuerep  # noqa: F401
    from dicodec.plugins import get_registry

    registry = get_registry()
    registry.ensure_loaded()
    for entry in registry.codecs.values():
        if entry.name == "gdcm" or not entry.available:
            continue
        try:
            entry.function("decode")
        except Exception:
            pass
    for kind in ("overlay", "waveform"):
        try:
            registry.bulk_handler(kind)
        except Exception:
            pass
