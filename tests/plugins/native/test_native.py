"""Tests for the dicodec-native plugin (native, encapsulated uncompressed, deflate)."""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import subprocess
import sys
import tracemalloc
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dicodec.errors import InvalidValueError
from dicodec.pixels.bits import pack_bits, unpack_bits_into
from dicodec.plugins.records import FrameSpec

from ...corpus import corpus_path, corpus_rows, params

dicodec_native = pytest.importorskip("dicodec_native")

from dicodec_native import deflate, native, plugin  # noqa: E402

IVRLE = "1.2.840.10008.1.2"
EVRLE = "1.2.840.10008.1.2.1"
EVRBE = "1.2.840.10008.1.2.2"
DEFLATED_DS = "1.2.840.10008.1.2.1.99"
ENCAPS_UNCOMPRESSED = "1.2.840.10008.1.2.1.98"
DEFLATE_FRAME = "1.2.840.10008.1.2.8.1"
NATIVE_SYNTAXES = (IVRLE, EVRLE, EVRBE, DEFLATED_DS, ENCAPS_UNCOMPRESSED)
ALL_SYNTAXES = (*NATIVE_SYNTAXES, DEFLATE_FRAME)


def codec(ts: str) -> Any:
    """The module whose decode/encode serves ``ts``."""
    return deflate if ts == DEFLATE_FRAME else native


def stored(arr: np.ndarray, spec: FrameSpec) -> bytes:
    """Independent oracle for the native byte layout of one frame."""
    planar = spec.samples_per_pixel > 1 and spec.planar_configuration == 1
    a = arr.transpose(2, 0, 1) if planar else arr
    if spec.bits_allocated == 1:
        return np.packbits(np.ascontiguousarray(a).ravel(), bitorder="little").tobytes()
    dtype = np.dtype(spec.dtype)
    dtype = dtype.newbyteorder(">") if spec.transfer_syntax == EVRBE else dtype.newbyteorder("<")
    return np.ascontiguousarray(a).astype(dtype).tobytes()


@st.composite
def specs(draw: st.DrawFn, syntaxes: tuple[str, ...] = ALL_SYNTAXES) -> FrameSpec:
    ts = draw(st.sampled_from(syntaxes))
    float_pixels = draw(st.sampled_from([0, 0, 0, 32, 64]))
    if float_pixels:
        bits, signed = float_pixels, 0
    else:
        bits = draw(st.sampled_from([1, 8, 16, 32, 64]))
        signed = 0 if bits == 1 else draw(st.integers(0, 1))
    samples = draw(st.sampled_from([1, 1, 2, 3, 4]))
    return FrameSpec(
        rows=draw(st.integers(1, 12)),
        columns=draw(st.integers(1, 12)),
        samples_per_pixel=samples,
        bits_allocated=bits,
        bits_stored=draw(st.integers(1, bits)),
        pixel_representation=signed,
        photometric_interpretation="MONOCHROME2" if samples == 1 else "RGB",
        planar_configuration=draw(st.integers(0, 1)),
        transfer_syntax=ts,
        float_pixels=float_pixels,
    )


@st.composite
def frames(draw: st.DrawFn, syntaxes: tuple[str, ...] = ALL_SYNTAXES) -> tuple[FrameSpec, np.ndarray]:
    spec = draw(specs(syntaxes))
    elements = st.integers(0, 1) if spec.bits_allocated == 1 else None
    arr = draw(hnp.arrays(np.dtype(spec.dtype), spec.shape, elements=elements))
    return spec, arr


# ------------------------------------------------------------------ round trips
@given(frames())
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_round_trip_every_combination(frame: tuple[FrameSpec, np.ndarray]) -> None:
    spec, arr = frame
    mod = codec(spec.transfer_syntax)
    encoded = mod.encode(arr, spec, {})
    assert isinstance(encoded.data, bytes) and dict(encoded.changes) == {}
    native_bytes = stored(arr, spec)
    if mod is native:
        assert encoded.data == native_bytes
        assert len(encoded.data) == spec.native_length
    else:
        assert zlib.decompress(encoded.data, -15) == native_bytes  # raw deflate, no header

    out = np.empty(spec.shape, spec.dtype)
    result = mod.decode(encoded.data, spec, out)
    assert result.array is out
    assert out.tobytes() == arr.tobytes()  # bitwise: NaN payloads survive too
    assert result.planar_configuration == 0
    assert result.photometric_interpretation == spec.photometric_interpretation
    assert result.pixel_representation is None

    fresh = mod.decode(encoded.data, spec, None).array
    assert fresh.shape == spec.shape and fresh.dtype == np.dtype(spec.dtype)
    assert fresh.tobytes() == arr.tobytes()
    swapped = np.empty(spec.shape, np.dtype(spec.dtype).newbyteorder("S"))  # other byte order
    assert mod.decode(encoded.data, spec, swapped).array is swapped
    np.testing.assert_array_equal(swapped, arr)


@pytest.mark.parametrize("ts", [EVRLE, EVRBE])
@pytest.mark.parametrize(
    ("bits", "signed", "samples", "planar", "float_pixels"),
    [
        (1, 0, 1, 0, 0),
        (8, 0, 1, 0, 0),
        (8, 1, 1, 0, 0),
        (8, 0, 3, 0, 0),
        (8, 0, 3, 1, 0),
        (16, 0, 1, 0, 0),
        (16, 1, 1, 0, 0),
        (16, 0, 3, 1, 0),
        (32, 0, 1, 0, 0),
        (32, 1, 3, 0, 0),
        (32, 0, 1, 0, 32),
        (64, 0, 1, 0, 64),
    ],
)
def test_encoded_bytes_decode_in_pydicom(
    ts: str, bits: int, signed: int, samples: int, planar: int, float_pixels: int
) -> None:
    """pydicom (test-only oracle) reads what we encode, and we read it back identically."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.pixels import pixel_array
    from pydicom.uid import UID

    spec = FrameSpec(
        rows=5, columns=7, samples_per_pixel=samples, bits_allocated=bits, bits_stored=bits,
        pixel_representation=signed, photometric_interpretation="RGB" if samples == 3 else "MONOCHROME2",
        planar_configuration=planar, transfer_syntax=ts, float_pixels=float_pixels,
    )
    rng = np.random.default_rng(bits * 10 + samples)
    native_dtype = np.dtype(spec.dtype).newbyteorder("=")
    if bits == 1:
        arr = rng.integers(0, 2, spec.shape).astype(np.uint8)
    elif float_pixels:
        arr = rng.normal(size=spec.shape).astype(native_dtype)
    else:
        info = np.iinfo(native_dtype)
        arr = rng.integers(info.min, info.max, spec.shape, dtype=native_dtype, endpoint=True)
    data = native.encode(arr, spec, {}).data

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = UID(ts)
    ds.Rows, ds.Columns, ds.SamplesPerPixel = spec.rows, spec.columns, samples
    ds.BitsAllocated = bits
    ds.PhotometricInterpretation = spec.photometric_interpretation
    if samples > 1:
        ds.PlanarConfiguration = planar
    padded = data + b"\x00" * (len(data) % 2)
    if float_pixels:
        ds.FloatPixelData = padded if float_pixels == 32 else None
        if float_pixels == 64:
            del ds.FloatPixelData
            ds.DoubleFloatPixelData = padded
    else:
        ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits - 1, signed
        ds.PixelData = padded
        ds["PixelData"].VR = "OB" if bits <= 8 else "OW"
    ref = pixel_array(ds, raw=True)
    np.testing.assert_array_equal(ref, arr)
    np.testing.assert_array_equal(native.decode(padded, spec, None).array, ref)


# ------------------------------------------------------------------ decode into out
def _spec512(**kw: Any) -> FrameSpec:
    base: dict[str, Any] = {"rows": 512, "columns": 512, "bits_allocated": 16, "bits_stored": 16,
                            "pixel_representation": 1}
    base.update(kw)
    return FrameSpec(**base)


@pytest.mark.parametrize(
    "spec",
    [
        _spec512(),
        _spec512(transfer_syntax=EVRBE),
        _spec512(samples_per_pixel=3, bits_allocated=8, bits_stored=8, pixel_representation=0,
                 photometric_interpretation="RGB", planar_configuration=1),
        _spec512(bits_allocated=1, bits_stored=1, pixel_representation=0),
        _spec512(bits_allocated=32, bits_stored=32, float_pixels=32, transfer_syntax=EVRBE),
        _spec512(samples_per_pixel=3, bits_allocated=8, bits_stored=8, pixel_representation=0,
                 photometric_interpretation="YBR_FULL_422"),
    ],
    ids=["int16", "int16-BE", "rgb-planar", "1bit", "float32-BE", "ybr422"],
)
def test_decode_into_out_leaves_no_copy_behind(spec: FrameSpec) -> None:
    rng = np.random.default_rng(0)
    src = rng.integers(0, 256, spec.native_length, dtype=np.uint8).tobytes()
    if spec.float_pixels:
        src = rng.normal(size=spec.pixels).astype(">f4").tobytes()
    out = np.empty(spec.shape, spec.dtype)
    native.decode(src, spec, out)  # warm caches
    tracemalloc.start()
    try:
        result = native.decode(src, spec, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.array is out
    # no frame-sized temporary (1-bit unpacking needs one byte-per-pixel scratch: 256 KiB)
    limit = spec.pixels + 16 * 1024 if spec.bits_allocated == 1 else 64 * 1024
    assert peak < limit, peak
    np.testing.assert_array_equal(out, native.decode(src, spec, None).array)


def test_decode_without_out_is_a_read_only_view_when_possible() -> None:
    spec = FrameSpec(rows=4, columns=4, bits_allocated=16, bits_stored=16)
    src = bytearray(np.arange(16, dtype="<u2").tobytes())
    result = native.decode(src, spec, None).array
    assert np.shares_memory(result, np.frombuffer(src, np.uint8))
    assert not result.flags.writeable
    big = spec.replace(transfer_syntax=EVRBE)
    if np.dtype(big.dtype).isnative:  # the core asks for a byte swap: a new array
        assert not np.shares_memory(native.decode(src, big, None).array, np.frombuffer(src, np.uint8))
    else:  # the core keeps big-endian data as is ('>u2'): a view again
        assert np.shares_memory(native.decode(src, big, None).array, np.frombuffer(src, np.uint8))
    # planar and 1-bit need a new array (owned and writable)
    planar = FrameSpec(rows=2, columns=2, samples_per_pixel=2, bits_allocated=16, bits_stored=16,
                       photometric_interpretation="RGB", planar_configuration=1)
    for other in (planar, spec.replace(bits_allocated=1, bits_stored=1)):
        arr = native.decode(src, other, None).array
        assert not np.shares_memory(arr, np.frombuffer(src, np.uint8))
        assert arr.flags.writeable and arr.dtype == np.dtype(other.dtype)


def test_decode_unaligned_source_returns_aligned_copy() -> None:
    spec = FrameSpec(rows=3, columns=5, bits_allocated=32, bits_stored=32)
    values = np.arange(15, dtype="<u4")
    buf = b"\x00" + values.tobytes()
    result = native.decode(memoryview(buf)[1:], spec, None).array
    assert result.flags.aligned
    np.testing.assert_array_equal(result.ravel(), values)


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "ndarray"])
def test_decode_accepts_buffers(kind: str) -> None:
    spec = FrameSpec(rows=2, columns=2, bits_allocated=16, bits_stored=16, transfer_syntax=EVRBE)
    raw = b"\x00\x01\x00\x02\x00\x03\x01\x00"
    src: Any = {"bytes": raw, "bytearray": bytearray(raw), "memoryview": memoryview(raw),
                "ndarray": np.frombuffer(raw, np.uint8)}[kind]
    assert native.decode(src, spec, None).array.tolist() == [[1, 2], [3, 256]]


@pytest.mark.parametrize("order", [">", "<"])
def test_decode_big_endian_into_either_byte_order(order: str) -> None:
    """``out`` may be big endian (pydicom's '>u2' convention) or native (swapped in the copy)."""
    spec = FrameSpec(rows=1, columns=2, bits_allocated=16, bits_stored=16, transfer_syntax=EVRBE)
    out = np.empty(spec.shape, order + "u2")
    assert native.decode(b"\x01\x02\x00\x03", spec, out).array is out
    assert out.tolist() == [[258, 3]]
    assert out.tobytes() == (b"\x01\x02\x00\x03" if order == ">" else b"\x02\x01\x03\x00")


def test_decode_into_non_contiguous_out() -> None:
    spec = FrameSpec(rows=2, columns=3, bits_allocated=8, bits_stored=8)
    base = np.zeros((2, 6), np.uint8)
    out = base[:, ::2]
    native.decode(bytes(range(1, 7)), spec, out)
    assert base.tolist() == [[1, 0, 2, 0, 3, 0], [4, 0, 5, 0, 6, 0]]


def test_decode_rejects_mismatched_out() -> None:
    spec = FrameSpec(rows=2, columns=2, bits_allocated=16, bits_stored=16)
    with pytest.raises(ValueError, match="shape"):
        native.decode(bytes(8), spec, np.empty((4,), np.uint16))
    with pytest.raises(ValueError, match="dtype"):
        native.decode(bytes(8), spec, np.empty((2, 2), np.int16))
    ro = np.empty((2, 2), np.uint16)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        native.decode(bytes(8), spec, ro)


# ------------------------------------------------------------------ lengths
@given(frames(NATIVE_SYNTAXES), st.integers(1, 9))
def test_padding_is_ignored(frame: tuple[FrameSpec, np.ndarray], extra: int) -> None:
    spec, arr = frame
    data = native.encode(arr, spec, {}).data + b"\xff" * extra
    assert native.decode(data, spec, None).array.tobytes() == arr.tobytes()


@pytest.mark.parametrize(
    "spec",
    [
        FrameSpec(rows=4, columns=4, bits_allocated=16, bits_stored=12),
        FrameSpec(rows=4, columns=4, bits_allocated=16, bits_stored=16, transfer_syntax=EVRBE),
        FrameSpec(rows=3, columns=3, bits_allocated=1, bits_stored=1),
        FrameSpec(rows=2, columns=2, samples_per_pixel=3, bits_allocated=8, bits_stored=8,
                  photometric_interpretation="RGB", planar_configuration=1),
        FrameSpec(rows=2, columns=2, bits_allocated=64, bits_stored=64, float_pixels=64),
        FrameSpec(rows=2, columns=2, samples_per_pixel=3, bits_allocated=8, bits_stored=8,
                  photometric_interpretation="YBR_FULL_422"),
    ],
)
def test_short_frame_raises_naming_both_lengths(spec: FrameSpec) -> None:
    short = bytes(spec.native_length - 1)
    with pytest.raises(ValueError, match=rf"needs {spec.native_length} bytes.* only {len(short)}"):
        native.decode(short, spec, None)
    with pytest.raises(ValueError, match=rf"needs {spec.native_length} bytes"):
        native.decode(short, spec, np.empty(spec.shape, spec.dtype))


def test_unsupported_descriptions_raise() -> None:
    with pytest.raises(ValueError, match="Bits Allocated 12"):
        native.decode(bytes(100), FrameSpec(rows=2, columns=2, bits_allocated=12, bits_stored=12), None)
    with pytest.raises(ValueError, match="Float Pixel Data needs Bits Allocated 32"):
        native.decode(bytes(100), FrameSpec(rows=2, columns=2, bits_allocated=16, float_pixels=32), None)


# ------------------------------------------------------------------ encode specifics
def test_encode_big_endian_and_planar_layout() -> None:
    spec = FrameSpec(rows=1, columns=2, samples_per_pixel=3, bits_allocated=16, bits_stored=16,
                     photometric_interpretation="RGB", planar_configuration=1, transfer_syntax=EVRBE)
    arr = np.array([[[1, 2, 3], [4, 5, 6]]], dtype=np.uint16)
    assert native.encode(arr, spec, {}).data == np.array([1, 4, 2, 5, 3, 6], ">u2").tobytes()
    le = spec.replace(transfer_syntax=EVRLE, planar_configuration=0)
    assert native.encode(arr, le, {}).data == np.arange(1, 7, dtype="<u2").tobytes()


def test_encode_accepts_other_dtypes_when_values_fit() -> None:
    spec = FrameSpec(rows=1, columns=3, bits_allocated=16, bits_stored=16, pixel_representation=1)
    assert native.encode(np.array([[-1, 0, 300]]), spec, {}).data == np.array([-1, 0, 300], "<i2").tobytes()
    with pytest.raises(ValueError, match="do not fit"):
        native.encode(np.array([[-1, 0, 40000]]), spec, {})
    with pytest.raises(ValueError, match="do not fit"):
        native.encode(np.array([[-1, 0, 1]]), spec.replace(pixel_representation=0), {})
    with pytest.raises(ValueError, match="cannot encode"):
        native.encode(np.array([[0.5, 0, 1]]), spec, {})
    with pytest.raises(ValueError, match="shape"):
        native.encode(np.zeros((3, 1), np.int16), spec, {})
    as_float = FrameSpec(rows=1, columns=3, bits_allocated=32, bits_stored=32, float_pixels=32)
    assert native.encode(np.array([[1, 2, 3]]), as_float, {}).data == np.array([1, 2, 3], "<f4").tobytes()


def test_encode_one_bit_rejects_non_binary() -> None:
    spec = FrameSpec(rows=1, columns=3, bits_allocated=1, bits_stored=1)
    with pytest.raises(InvalidValueError):
        native.encode(np.array([[0, 2, 1]], np.uint8), spec, {})


def test_one_bit_frames_of_a_multi_frame_volume() -> None:
    """Frames of 3×3 1-bit images are not byte aligned: the core unpacks at bit offsets."""
    spec = FrameSpec(rows=3, columns=3, bits_allocated=1, bits_stored=1, number_of_frames=5)
    volume = np.random.default_rng(3).integers(0, 2, (5, 3, 3), dtype=np.uint8)
    pixel_data = pack_bits(volume)
    for i in range(5):
        out = np.empty(spec.shape, np.uint8)
        unpack_bits_into(pixel_data, out, bit_offset=i * spec.pixels)
        np.testing.assert_array_equal(out, volume[i])
        # what native.decode expects: the frame's bits shifted to start at bit 0
        shifted = pack_bits(volume[i], pad=False)
        np.testing.assert_array_equal(native.decode(shifted, spec, None).array, volume[i])
    assert native.decode(pixel_data, spec, None).array.tolist() == volume[0].tolist()


# ------------------------------------------------------------------ YBR_FULL_422
def _ybr422(rows: int = 2, columns: int = 4, bits: int = 8, ts: str = EVRLE) -> FrameSpec:
    return FrameSpec(rows=rows, columns=columns, samples_per_pixel=3, bits_allocated=bits,
                     bits_stored=bits, photometric_interpretation="YBR_FULL_422", transfer_syntax=ts)


def test_ybr_full_422_decode_upsamples_chroma() -> None:
    spec = _ybr422(rows=1, columns=4)
    assert spec.native_length == 8
    result = native.decode(bytes([10, 11, 100, 200, 12, 13, 101, 201]), spec, None)
    assert result.photometric_interpretation == "YBR_FULL"
    assert result.array.tolist() == [[[10, 100, 200], [11, 100, 200], [12, 101, 201], [13, 101, 201]]]


@given(st.sampled_from([8, 16]), st.sampled_from([EVRLE, EVRBE, DEFLATE_FRAME]), st.data())
def test_ybr_full_422_round_trip_when_pairs_share_chroma(bits: int, ts: str, data: st.DataObject) -> None:
    spec = _ybr422(rows=data.draw(st.integers(1, 6)), columns=2 * data.draw(st.integers(1, 6)), bits=bits, ts=ts)
    dtype = np.dtype(spec.dtype)
    y = data.draw(hnp.arrays(dtype, (spec.rows, spec.columns)))
    chroma = data.draw(hnp.arrays(dtype, (spec.rows, spec.columns // 2, 2)))
    arr = np.empty(spec.shape, dtype)
    arr[..., 0] = y
    arr[..., 1:] = np.repeat(chroma, 2, axis=1)
    mod = codec(ts)
    encoded = mod.encode(arr, spec, {}).data
    if mod is native:
        assert len(encoded) == spec.native_length
    np.testing.assert_array_equal(mod.decode(encoded, spec, None).array, arr)


def test_ybr_full_422_encode_averages_chroma() -> None:
    spec = _ybr422(rows=1, columns=2)
    arr = np.array([[[1, 10, 255], [2, 13, 254]]], np.uint8)
    assert native.encode(arr, spec, {}).data == bytes([1, 2, 12, 255])
    signed = spec.replace(bits_allocated=16, bits_stored=16, pixel_representation=1)
    arr16 = np.array([[[1, -3, 32767], [2, -4, 32767]]], np.int16)
    assert native.encode(arr16, signed, {}).data == np.array([1, 2, -3, 32767], "<i2").tobytes()


def test_ybr_full_422_odd_pixel_count_raises() -> None:
    spec = _ybr422(rows=1, columns=3)
    with pytest.raises(ValueError, match="even number of pixels"):
        native.decode(bytes(spec.native_length), spec, None)
    with pytest.raises(ValueError, match="even number of pixels"):
        native.encode(np.zeros(spec.shape, np.uint8), spec, {})


# ------------------------------------------------------------------ deflate
def _raw_deflate(data: bytes, level: int = 6) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def test_deflate_accepts_raw_zlib_and_gzip() -> None:
    spec = FrameSpec(rows=16, columns=16, bits_allocated=16, bits_stored=16, transfer_syntax=DEFLATE_FRAME)
    arr = np.arange(256, dtype=np.uint16).reshape(16, 16)
    plain = arr.astype("<u2").tobytes()
    for stream in (_raw_deflate(plain), zlib.compress(plain), gzip.compress(plain)):
        np.testing.assert_array_equal(deflate.decode(stream, spec, None).array, arr)
        np.testing.assert_array_equal(deflate.decode(stream + b"\x00", spec, None).array, arr)  # padded


def test_deflate_raw_stream_that_looks_like_zlib_falls_back() -> None:
    # a raw stored block whose first two bytes pass the zlib header check (0x7801 % 31 == 0)
    raw = bytes([0x78, 0x01, 0x00, 0xFE, 0xFF, 0x41, 0x01, 0x00, 0x00, 0xFF, 0xFF])
    assert zlib.decompress(raw, -15) == b"A"
    assert deflate.inflate(raw, 1) == b"A"


def test_deflate_encode_is_raw_with_level_option() -> None:
    spec = FrameSpec(rows=64, columns=64, bits_allocated=8, bits_stored=8, transfer_syntax=DEFLATE_FRAME)
    arr = (np.arange(64 * 64) % 7).astype(np.uint8).reshape(64, 64)
    fast = deflate.encode(arr, spec, {"deflate_level": 0}).data
    best = deflate.encode(arr, spec, {"deflate_level": 9}).data
    default = deflate.encode(arr, spec, {}).data
    assert len(best) < len(fast) and len(default) < len(fast)
    for data in (fast, best, default):
        assert zlib.decompress(data, -15) == arr.tobytes()
    for bad in (10, -2, "9", 1.5, True):
        with pytest.raises(ValueError, match="deflate_level"):
            deflate.encode(arr, spec, {"deflate_level": bad})


@pytest.mark.parametrize("wrap", ["raw", "zlib", "gzip"])
def test_deflate_bomb_is_refused_without_allocating(wrap: str) -> None:
    spec = FrameSpec(rows=64, columns=64, bits_allocated=8, bits_stored=8, transfer_syntax=DEFLATE_FRAME)
    payload = bytes(20_000_000)
    bomb = {"raw": lambda: _raw_deflate(payload, 9), "zlib": lambda: zlib.compress(payload, 9),
            "gzip": lambda: gzip.compress(payload, 9)}[wrap]()
    assert len(bomb) < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="more than 4160 bytes"):
            deflate.decode(bomb, spec, None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, peak


def test_deflate_truncated_and_corrupt_streams() -> None:
    spec = FrameSpec(rows=32, columns=32, bits_allocated=16, bits_stored=16, transfer_syntax=DEFLATE_FRAME)
    data = _raw_deflate(np.random.default_rng(1).integers(0, 4096, 1024).astype("<u2").tobytes())
    with pytest.raises(ValueError, match="the frame needs 2048"):
        deflate.decode(data[: len(data) // 2], spec, None)
    with pytest.raises(ValueError, match="ends after 1024 bytes"):
        deflate.decode(_raw_deflate(bytes(1024)), spec, None)
    with pytest.raises(ValueError, match="corrupt"):
        deflate.decode(b"\xff" * 100, spec, None)


def test_deflate_decode_into_out_and_threads() -> None:
    spec = FrameSpec(rows=128, columns=128, bits_allocated=16, bits_stored=16, pixel_representation=1,
                     transfer_syntax=DEFLATE_FRAME)
    rng = np.random.default_rng(5)
    volume = rng.integers(-1000, 1000, (16, 128, 128), dtype=np.int16)
    streams = [deflate.encode(f, spec, {}).data for f in volume]
    out = np.empty_like(volume)
    views = list(out)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: deflate.decode(streams[i], spec, views[i]), range(16)))
    assert all(r.array is views[i] for i, r in enumerate(results))
    np.testing.assert_array_equal(out, volume)


# ------------------------------------------------------------------ real files
NATIVE_CORPUS = [
    r for r in corpus_rows("pixels")
    if r["transfer_syntax"] in (IVRLE, EVRLE, EVRBE, DEFLATED_DS, ENCAPS_UNCOMPRESSED, DEFLATE_FRAME)
]


def _frame_spec(ds: Any, ts: str) -> tuple[FrameSpec, str]:
    keyword = next(k for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData") if k in ds)
    spec = FrameSpec(
        rows=ds.Rows,
        columns=ds.Columns,
        samples_per_pixel=ds.get("SamplesPerPixel", 1),
        bits_allocated=ds.BitsAllocated,
        bits_stored=ds.get("BitsStored", ds.BitsAllocated),
        pixel_representation=ds.get("PixelRepresentation", 0),
        photometric_interpretation=ds.PhotometricInterpretation,
        planar_configuration=ds.get("PlanarConfiguration", 0) or 0,
        transfer_syntax=ts,
        number_of_frames=int(ds.get("NumberOfFrames", 1) or 1),
        float_pixels={"PixelData": 0, "FloatPixelData": 32, "DoubleFloatPixelData": 64}[keyword],
    )
    return spec, keyword


@pytest.mark.parametrize("row", params(NATIVE_CORPUS))
def test_corpus_files_decode_like_the_reference(row: dict[str, str]) -> None:
    """Frame by frame, as the core will call us; pydicom only parses the data set."""
    import pydicom
    from pydicom.encaps import generate_frames

    ts = row["transfer_syntax"]
    path = corpus_path(row)
    ds = pydicom.dcmread(path)
    spec, keyword = _frame_spec(ds, ts)
    nframes = spec.number_of_frames
    value = ds[keyword].value
    if ts == EVRBE and spec.bits_allocated == 8 and ds[keyword].VR == "OW":
        # 8-bit data in an OW value is byte-swapped pairwise across the whole value:
        # the core undoes that before cutting frames (the codec never sees the VR)
        value = np.frombuffer(value[: len(value) // 2 * 2], ">u2").astype("<u2").tobytes()
    out = np.empty((nframes, *spec.shape), spec.dtype)
    if ts in (DEFLATE_FRAME, ENCAPS_UNCOMPRESSED):
        for i, frame in enumerate(generate_frames(value, number_of_frames=nframes)):
            dst = out[i]
            assert codec(ts).decode(frame, spec, dst).array is dst
    elif spec.bits_allocated == 1:
        for i in range(nframes):
            unpack_bits_into(value, out[i], bit_offset=i * spec.pixels)
        assert native.decode(value, spec, None).array.tolist() == out[0].tolist()
    else:
        length = spec.native_length
        for i in range(nframes):
            dst = out[i]
            assert native.decode(memoryview(value)[i * length :], spec, dst).array is dst
    arr = out[0] if nframes == 1 else out

    # the corrections the core applies (sign extension of Bits Stored, colour)
    if spec.pixel_representation and spec.bits_stored < spec.bits_allocated and not spec.float_pixels:
        shift = 8 * arr.itemsize - spec.bits_stored
        arr = (arr << shift) >> shift
    if spec.photometric_interpretation.startswith("YBR"):
        from pydicom.pixels import pixel_array

        np.testing.assert_array_equal(arr, pixel_array(path, raw=True))
        return
    ref = np.ascontiguousarray(arr.astype(row["ref_dtype"]))
    assert "x".join(map(str, ref.shape)) == row["ref_shape"]
    assert hashlib.sha256(ref.tobytes()).hexdigest() == row["ref_sha256"]


# ------------------------------------------------------------------ the plugin
def test_entry_point_is_discoverable() -> None:
    eps = importlib.metadata.entry_points(group="dicodec.plugins")
    found = [ep for ep in eps if ep.name == "native"]
    assert found and found[0].value == "dicodec_native.plugin"
    assert found[0].load() is plugin


def test_plugin_declares_lazy_codecs() -> None:
    assert plugin.DICODEC_API_VERSION == 1
    specs_by_name = {c.name: c for c in plugin.dicodec_codecs()}
    assert set(specs_by_name) == {"native.numpy", "native.encapsulated", "native.deflate"}
    assert set(specs_by_name["native.numpy"].transfer_syntaxes) == {IVRLE, EVRLE, EVRBE, DEFLATED_DS}
    assert specs_by_name["native.encapsulated"].transfer_syntaxes == (ENCAPS_UNCOMPRESSED,)
    assert specs_by_name["native.deflate"].transfer_syntaxes == (DEFLATE_FRAME,)
    for spec in specs_by_name.values():
        assert isinstance(spec.decode, str) and isinstance(spec.encode, str)
        assert spec.capabilities.thread_safe and spec.priority == 50
    assert not specs_by_name["native.numpy"].capabilities.releases_gil
    assert specs_by_name["native.deflate"].capabilities.releases_gil
    assert "deflate_level" in specs_by_name["native.deflate"].options
    refusal = specs_by_name["native.numpy"].capabilities.refusal(FrameSpec(2, 2, bits_allocated=12))
    assert refusal is not None and "12" in refusal


def test_plugin_module_does_not_import_numpy() -> None:
    code = "import sys, dicodec_native.plugin; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_registry_resolves_our_functions() -> None:
    from dicodec.plugins.registry import Registry

    reg = Registry()
    reg.ensure_loaded()
    if "native" not in reg.plugins:  # autoload disabled in this environment
        reg.register(plugin, name="native")
    assert reg.plugins["native"].status == "loaded"
    for ts, name, mod in [
        (IVRLE, "native.numpy", native),
        (EVRBE, "native.numpy", native),
        (DEFLATED_DS, "native.numpy", native),
        (ENCAPS_UNCOMPRESSED, "native.encapsulated", native),
        (DEFLATE_FRAME, "native.deflate", deflate),
    ]:
        for purpose in ("decode", "encode"):
            entries = [e for e in reg.candidates(ts, purpose) if e.name == name]
            assert entries and entries[0].available
            assert entries[0].function(purpose) is getattr(mod, purpose)
