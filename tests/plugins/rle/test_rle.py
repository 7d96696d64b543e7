"""Tests for the dicodec-rle plugin: the rle.c codec and the rle.pylibjpeg fallback.

Oracles (test-only): pydicom 3.0.2's RLE decoder and encoder, pylibjpeg-rle, and
the corpus references in ../shared/corpus/manifest.csv.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import itertools
import struct
import subprocess
import sys
import tracemalloc
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dicodec
from dicodec.errors import CodecError
from dicodec.pixels import get_decoder, iter_pixels, pixel_array
from dicodec.plugins import get_registry
from dicodec.plugins.records import FrameSpec

from ...corpus import corpus_path, corpus_rows, params

dicodec_rle = pytest.importorskip("dicodec_rle")

from dicodec_rle import _rle, codec, plugin  # noqa: E402

RLE = "1.2.840.10008.1.2.5"
COMBOS = [(b, s) for b in (1, 8, 16, 32, 64) for s in (1, 3) if not (b == 64 and s == 3)]
RLE_ROWS = [r for r in corpus_rows("pixels") if r["transfer_syntax"] == RLE]


def spec_for(
    rows: int, cols: int, bits: int, samples: int = 1, signed: int = 0, **kw: Any
) -> FrameSpec:
    pi = "RGB" if samples == 3 else "MONOCHROME2"
    return FrameSpec(
        rows=rows,
        columns=cols,
        samples_per_pixel=samples,
        bits_allocated=bits,
        bits_stored=bits,
        pixel_representation=signed,
        photometric_interpretation=kw.pop("pi", pi),
        transfer_syntax=RLE,
        **kw,
    )


def image(spec: FrameSpec, kind: str, seed: int) -> np.ndarray:
    """A random, smooth or constant frame for ``spec``."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(spec.dtype)
    if spec.bits_allocated == 1:
        if kind == "random":
            return rng.integers(0, 2, spec.shape, dtype=np.uint8)
        if kind == "constant":
            return np.full(spec.shape, seed % 2, np.uint8)
        yy, xx = np.mgrid[: spec.rows, : spec.columns]
        blob = (yy - spec.rows / 2) ** 2 + (xx - spec.columns / 3) ** 2 < (
            spec.rows * spec.columns
        ) / 5
        arr = blob.astype(np.uint8)
        return np.repeat(arr[..., None], 3, axis=2) if spec.samples_per_pixel == 3 else arr
    raw_dtype = np.dtype(f"u{dtype.itemsize}")
    if kind == "random":
        raw = rng.integers(0, 256, (*spec.shape, dtype.itemsize), dtype=np.uint8)
        return raw.view(raw_dtype).reshape(spec.shape).view(dtype)
    if kind == "constant":
        value = rng.integers(0, 256, dtype.itemsize, dtype=np.uint8).view(raw_dtype)[0]
        return np.full(spec.shape, value, raw_dtype).view(dtype)
    # smooth: slow gradients with a little noise, so both run kinds occur
    yy, xx = np.mgrid[: spec.rows, : spec.columns].astype(np.float64)
    base = (yy * 3 + xx * 5) / 4 + rng.integers(0, 3, (spec.rows, spec.columns))
    if spec.samples_per_pixel == 3:
        base = np.stack([base, base * 2, base / 2 + 7], axis=-1)
    return (base.astype(np.int64) % (1 << min(dtype.itemsize * 8 - 1, 62))).astype(dtype)


def stored_segments(arr: np.ndarray, spec: FrameSpec) -> list[bytes]:
    """Independent oracle: the byte segments (PS3.5 G.2) of one frame, unencoded."""
    if spec.bits_allocated == 1:
        planes = arr.reshape(-1, spec.samples_per_pixel).T
        return [np.packbits(p, bitorder="little").tobytes() for p in planes]
    size = np.dtype(spec.dtype).itemsize
    raw = np.ascontiguousarray(arr).astype(np.dtype(spec.dtype).newbyteorder(">"))
    b = raw.view(np.uint8).reshape(-1, spec.samples_per_pixel, size)
    return [b[:, s, k].tobytes() for s in range(spec.samples_per_pixel) for k in range(size)]


def packbits_decode(seg: bytes) -> bytes:
    """Independent PackBits decoder (the one in PS3.5 G.3.2)."""
    out = bytearray()
    i = 0
    while i < len(seg):
        h = seg[i]
        i += 1
        if h < 128:
            out += seg[i : i + h + 1]
            i += h + 1
        elif h > 128:
            if i < len(seg):
                out += bytes([seg[i]]) * (257 - h)
            i += 1
    return bytes(out)


def segments_of(frame: bytes) -> list[bytes]:
    offsets = [*codec.parse_header(frame), len(frame)]
    return [frame[a:b] for a, b in itertools.pairwise(offsets)]


# ------------------------------------------------------------ declarations


def test_plugin_declares_two_codecs_lazily() -> None:
    specs = {c.name: c for c in plugin.dicodec_codecs()}
    assert set(specs) == {"rle.c", "rle.pylibjpeg"}
    ours = specs["rle.c"]
    assert ours.priority > specs["rle.pylibjpeg"].priority
    assert ours.decode == "dicodec_rle.codec:decode" and ours.encode == "dicodec_rle.codec:encode"
    assert ours.capabilities.releases_gil and ours.capabilities.thread_safe
    assert ours.capabilities.bits_allocated == frozenset({1, 8, 16, 32, 64})
    assert specs["rle.pylibjpeg"].requires == ("pylibjpeg-rle", "numpy")
    assert not specs["rle.pylibjpeg"].capabilities.releases_gil
    assert 1 not in (specs["rle.pylibjpeg"].capabilities.bits_allocated or ())


def test_discovery_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from dicodec.plugins import get_registry\n"
        "reg = get_registry(); reg.ensure_loaded()\n"
        "assert 'rle.c' in reg.codecs, sorted(reg.codecs)\n"
        "bad = [m for m in ('dicodec_rle._rle', 'dicodec_rle.codec', 'rle', 'rle.rle') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_entry_point_and_priority_order() -> None:
    eps = importlib.metadata.entry_points(group="dicodec.plugins")
    assert any(ep.name == "rle" and ep.value == "dicodec_rle.plugin" for ep in eps)
    decoders = [
        e.name for e in get_registry().candidates(RLE, "decode") if e.name.startswith("rle.")
    ]
    encoders = [
        e.name for e in get_registry().candidates(RLE, "encode") if e.name.startswith("rle.")
    ]
    assert decoders[0] == "rle.c" and encoders[0] == "rle.c"
    assert get_registry().candidates(RLE, "encode")[0].name == "rle.c"


# ------------------------------------------------------------------ corpus


@pytest.mark.parametrize("row", params(RLE_ROWS))
def test_corpus_matches_reference(row: dict[str, str]) -> None:
    arr = pixel_array(corpus_path(row), decoding_plugin="rle.c", fallback=False)
    assert "x".join(map(str, arr.shape)) == row["ref_shape"]
    assert str(arr.dtype) == row["ref_dtype"]
    assert hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest() == row["ref_sha256"]


@pytest.mark.parametrize("row", params([r for r in RLE_ROWS if r["bits_allocated"] != "1"]))
def test_corpus_pylibjpeg_codec_agrees(row: dict[str, str]) -> None:
    pytest.importorskip("rle")
    ours = pixel_array(corpus_path(row), decoding_plugin="rle.c", fallback=False)
    theirs = pixel_array(corpus_path(row), decoding_plugin="rle.pylibjpeg", fallback=False)
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("row", params([r for r in RLE_ROWS if r["bits_allocated"] == "1"]))
def test_corpus_1bit_reencodes_byte_identical(row: dict[str, str]) -> None:
    """pydicom-data's liver_rle.dcm: our encoder reproduces every frame exactly."""
    from dicodec import encaps

    ds = dicodec.dcmread(corpus_path(row))
    n = int(ds.get("NumberOfFrames", 1) or 1)
    frames = list(encaps.generate_frames(ds.PixelData, number_of_frames=n))
    arr = pixel_array(ds).reshape(n, int(ds.Rows), int(ds.Columns))
    for i in range(n):
        assert codec.encode_frame(arr[i], bits_allocated=1) == bytes(frames[i])
        # one segment holding the frame packed on its own
        (seg,) = segments_of(bytes(frames[i]))
        assert (
            packbits_decode(seg)[: (arr[i].size + 7) // 8]
            == np.packbits(arr[i], bitorder="little").tobytes()
        )


# -------------------------------------------------------------- round trips


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    combo=st.sampled_from(COMBOS),
    rows=st.integers(1, 24),
    cols=st.integers(1, 40),
    kind=st.sampled_from(["random", "smooth", "constant"]),
    signed=st.integers(0, 1),
    order=st.sampled_from([">", "<"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_round_trip_every_bits_and_samples(
    combo: tuple[int, int], rows: int, cols: int, kind: str, signed: int, order: str, seed: int
) -> None:
    bits, samples = combo
    spec = spec_for(rows, cols, bits, samples, signed if bits > 1 else 0)
    arr = image(spec, kind, seed)
    frame = codec.encode(arr, spec, {"rle_segment_order": order}).data
    assert len(frame) % 2 == 0
    segments = segments_of(frame)
    assert len(segments) == (1 if bits == 1 else bits // 8) * samples
    assert all(len(s) % 2 == 0 for s in segments)
    out = np.empty(spec.shape, spec.dtype)
    result = codec.decode(frame, spec, out, rle_segment_order=order)
    assert result is out  # the short form: out holds the frame as specified
    np.testing.assert_array_equal(out, arr)
    # the segments hold the byte planes of PS3.5 G.2 (reversed within a sample for "<")
    expected = stored_segments(arr, spec)
    if order == "<" and bits > 8:
        per = bits // 8
        expected = [expected[s * per + (per - 1 - k)] for s in range(samples) for k in range(per)]
    assert [
        packbits_decode(s)[: len(e)] for s, e in zip(segments, expected, strict=True)
    ] == expected


@pytest.mark.parametrize(("bits", "samples"), COMBOS)
@pytest.mark.parametrize("kind", ["random", "smooth", "constant"])
def test_round_trip_larger_frames(bits: int, samples: int, kind: str) -> None:
    spec = spec_for(37, 301, bits, samples)  # odd sizes: partial chunks and bytes
    arr = image(spec, kind, bits * 10 + samples)
    frame = codec.encode(arr, spec, {}).data
    np.testing.assert_array_equal(codec.decode(frame, spec).array, arr)
    # many chunks of the multi-segment decoder
    spec = spec_for(130, 257, bits, samples)
    arr = image(spec, kind, 7)
    np.testing.assert_array_equal(codec.decode(codec.encode(arr, spec, {}).data, spec).array, arr)


# ------------------------------------------------------------------ oracles


@settings(max_examples=40, deadline=None)
@given(
    combo=st.sampled_from([c for c in COMBOS if c[0] > 1]),
    rows=st.integers(1, 16),
    cols=st.integers(1, 300),
    kind=st.sampled_from(["random", "smooth", "constant"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_encoder_matches_pydicom_and_pylibjpeg(
    combo: tuple[int, int], rows: int, cols: int, kind: str, seed: int
) -> None:
    """Byte-identical to both reference encoders, and both reference decoders agree."""
    from pydicom.pixels.decoders.rle import _rle_decode_frame
    from pydicom.pixels.encoders.native import _encode_frame

    bits, samples = combo
    spec = spec_for(rows, cols, bits, samples)
    arr = image(spec, kind, seed)
    ours = bytes(codec.encode(arr, spec, {}).data)

    class Runner:
        bits_allocated, samples_per_pixel, rows, columns = bits, samples, spec.rows, spec.columns

        def get_option(self, name: str, default: Any = None) -> Any:
            return default

    le = np.ascontiguousarray(arr).astype(np.dtype(spec.dtype).newbyteorder("<"))
    assert ours == _encode_frame(le.tobytes(), Runner())
    planar = _rle_decode_frame(ours, rows, cols, samples, bits, ">")
    ref = np.frombuffer(planar, np.dtype(spec.dtype).newbyteorder("<")).reshape(samples, rows, cols)
    np.testing.assert_array_equal(np.moveaxis(ref, 0, -1).reshape(spec.shape), arr)

    rle = pytest.importorskip("rle")
    from rle.rle import decode_frame

    assert ours == bytes(
        rle.encode_pixel_data(
            le.tobytes(),
            rows=rows,
            columns=cols,
            samples_per_pixel=samples,
            bits_allocated=bits,
            byteorder="<",
        )
    )
    planar = decode_frame(ours, rows * cols, bits, "<")
    ref = np.frombuffer(planar, np.dtype(spec.dtype).newbyteorder("<")).reshape(samples, rows, cols)
    np.testing.assert_array_equal(np.moveaxis(ref, 0, -1).reshape(spec.shape), arr)


@settings(max_examples=30, deadline=None)
@given(rows=st.integers(1, 20), cols=st.integers(1, 70), seed=st.integers(0, 2**32 - 1))
def test_1bit_matches_pydicom_segment_encoder(rows: int, cols: int, seed: int) -> None:
    """1-bit: the frame packed on its own, encoded in rows of Columns bytes, as pydicom does."""
    from pydicom.pixels.decoders.rle import _rle_decode_segment
    from pydicom.pixels.encoders.native import _encode_segment

    spec = spec_for(rows, cols, 1)
    arr = image(spec, "random" if seed % 2 else "smooth", seed)
    packed = np.packbits(arr.ravel(), bitorder="little").tobytes()
    frame = codec.encode_frame(arr, bits_allocated=1)
    assert frame[:8] == struct.pack("<2I", 1, 64)
    assert frame[64:] == bytes(_encode_segment(packed, cols))
    assert bytes(_rle_decode_segment(frame[64:])) == packed
    np.testing.assert_array_equal(codec.decode_frame(frame, rows, cols, bits_allocated=1), arr)


def test_1bit_one_byte_per_pixel_segments_are_read() -> None:
    """pylibjpeg-rle 2.2 writes 1-bit segments with one byte per pixel: accept them."""
    arr = (np.arange(7 * 9).reshape(7, 9) % 3 == 0).astype(np.uint8)
    unpacked = codec.encode_frame(arr, bits_allocated=8)  # exactly that layout
    np.testing.assert_array_equal(codec.decode_frame(unpacked, 7, 9, bits_allocated=1), arr)
    rle = pytest.importorskip("rle")
    theirs = rle.encode_pixel_data(
        np.packbits(arr.ravel(), bitorder="little").tobytes(),
        rows=7,
        columns=9,
        samples_per_pixel=1,
        bits_allocated=1,
    )
    np.testing.assert_array_equal(codec.decode_frame(theirs, 7, 9, bits_allocated=1), arr)


def test_1bit_frames_packed_separately_through_compress() -> None:
    """Rows x Columns not a multiple of 8: each frame still starts on a byte."""
    rng = np.random.default_rng(5)
    arr = rng.integers(0, 2, (3, 5, 7), dtype=np.uint8)
    ds = dicodec.examples.ct
    ds.set_pixel_data(arr, "MONOCHROME2", 1)
    ds.compress(RLE)
    from dicodec import encaps

    frames = list(encaps.generate_frames(ds.PixelData, number_of_frames=3))
    for i, frame in enumerate(frames):
        (seg,) = segments_of(bytes(frame))
        assert packbits_decode(seg)[:5] == np.packbits(arr[i].ravel(), bitorder="little").tobytes()
    np.testing.assert_array_equal(pixel_array(ds), arr)


# ------------------------------------------------------- through dicodec


@pytest.mark.parametrize(("bits", "samples"), [(8, 1), (16, 1), (8, 3), (16, 3), (32, 1)])
def test_dataset_compress_uses_rle_c_and_pydicom_reads_it(bits: int, samples: int) -> None:
    pydicom = pytest.importorskip("pydicom")
    rng = np.random.default_rng(bits + samples)
    dtype = np.dtype(f"u{bits // 8}")
    shape = (3, 20, 30, 3) if samples == 3 else (3, 20, 30)
    arr = (
        rng.integers(0, 4, shape) * 3
        + np.arange(30).reshape(1, 1, 30, *([1] if samples == 3 else []))
    ).astype(dtype)
    ds = dicodec.examples.ct
    ds.set_pixel_data(arr, "RGB" if samples == 3 else "MONOCHROME2", bits)
    ds.compress(RLE)
    assert ds.file_meta.TransferSyntaxUID == RLE
    got, meta = get_decoder(RLE).as_array(ds)
    assert meta["codecs"] == ["rle.c"] * 3
    np.testing.assert_array_equal(got, arr)
    buf = io.BytesIO()
    dicodec.dcmwrite(buf, ds, enforce_file_format=True)
    theirs = pydicom.dcmread(io.BytesIO(buf.getvalue()))
    np.testing.assert_array_equal(theirs.pixel_array, arr)


def test_compress_ybr_full_422_becomes_ybr_full() -> None:
    spec = spec_for(4, 6, 8, 3, pi="YBR_FULL_422")
    result = codec.encode(image(spec, "smooth", 1), spec, {})
    assert result.changes == {"PhotometricInterpretation": "YBR_FULL"}


def test_compress_with_pylibjpeg_gives_same_bytes() -> None:
    pytest.importorskip("rle")
    arr = image(spec_for(40, 50, 16, 1, 1), "smooth", 3)
    a = dicodec.examples.ct
    a.set_pixel_data(arr, "MONOCHROME2", 16)
    b = dicodec.examples.ct
    b.set_pixel_data(arr, "MONOCHROME2", 16)
    a.compress(RLE, encoding_plugin="rle.c")
    b.compress(RLE, encoding_plugin="rle.pylibjpeg")
    assert a.PixelData == b.PixelData


def test_workers_and_iteration_agree() -> None:
    arr = np.stack([image(spec_for(64, 48, 16, 1, 1), "smooth", i) for i in range(6)])
    ds = dicodec.examples.ct
    ds.set_pixel_data(arr, "MONOCHROME2", 16)
    ds.compress(RLE)
    np.testing.assert_array_equal(pixel_array(ds, workers=2), arr)
    np.testing.assert_array_equal(pixel_array(ds, workers=1), arr)
    np.testing.assert_array_equal(np.stack(list(iter_pixels(ds))), arr)
    for i in range(6):
        np.testing.assert_array_equal(get_decoder(RLE).as_array(ds, index=i)[0], arr[i])


def test_segment_order_option_through_pixel_array() -> None:
    arr = image(spec_for(10, 12, 16, 1, 0), "random", 9)
    ds = dicodec.examples.ct
    ds.set_pixel_data(arr, "MONOCHROME2", 16)
    ds.compress(RLE, rle_segment_order="<")
    np.testing.assert_array_equal(pixel_array(ds, rle_segment_order="<"), arr)
    np.testing.assert_array_equal(pixel_array(ds), arr.byteswap())  # read as the standard order
    with pytest.raises(CodecError):
        pixel_array(ds, rle_segment_order="?", fallback=False)


# ------------------------------------------------------------------ buffers


def test_decode_accepts_buffers_without_copying() -> None:
    spec = spec_for(256, 256, 16, 1)
    arr = image(spec, "random", 4)
    frame = bytes(codec.encode(arr, spec, {}).data)
    big = bytearray(b"\xff" * 10) + frame + bytearray(b"\xee" * 10)
    out = np.empty(spec.shape, spec.dtype)
    for src in (frame, bytearray(frame), memoryview(big)[10:-10], np.frombuffer(frame, np.uint8)):
        out[...] = 0
        codec.decode(src, spec, out)
        np.testing.assert_array_equal(out, arr)
    tracemalloc.start()
    try:
        codec.decode(memoryview(big)[10:-10], spec, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4096, peak  # neither src nor the frame was copied by Python


def test_decode_into_checks_out() -> None:
    spec = spec_for(4, 4, 16, 1)
    frame = codec.encode(np.zeros(spec.shape, np.uint16), spec, {}).data
    with pytest.raises(ValueError, match="buffer holds 16 bytes but the frame has 32"):
        _rle.decode_into(frame, np.empty(16, np.uint8), 4, 4, 1, 16)
    with pytest.raises(BufferError):
        _rle.decode_into(frame, bytes(32), 4, 4, 1, 16)  # read-only
    with pytest.raises(ValueError, match="not C-contiguous"):
        _rle.decode_into(frame, np.empty((4, 8), np.uint16)[:, ::2], 4, 4, 1, 16)
    with pytest.raises(ValueError, match="Bits Allocated 12"):
        _rle.decode_into(frame, np.empty(32, np.uint8), 4, 4, 1, 12)
    with pytest.raises(ValueError, match="Bits Allocated 64 with Samples per Pixel 3"):
        _rle.decode_into(frame, np.empty(4 * 4 * 24, np.uint8), 4, 4, 3, 64)


def test_encode_checks_input() -> None:
    spec = spec_for(2, 3, 16, 1)
    with pytest.raises(ValueError, match="shape"):
        codec.encode(np.zeros((3, 2), np.uint16), spec, {})
    with pytest.raises(ValueError, match="Bits Allocated is 16"):
        codec.encode(np.zeros((2, 3), np.uint8), spec, {})
    with pytest.raises(ValueError, match="only the values 0 and 1"):
        codec.encode(np.full((2, 3), 2, np.uint8), spec_for(2, 3, 1), {})
    with pytest.raises(ValueError, match="rle_segment_order"):
        codec.encode(np.zeros((2, 3), np.uint16), spec, {"rle_segment_order": "big"})
    big_endian = np.arange(6, dtype=">u2").reshape(2, 3)
    frame = codec.encode(big_endian, spec, {}).data
    np.testing.assert_array_equal(codec.decode(frame, spec).array, big_endian)
    floats = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    frame = codec.encode_frame(floats)
    out = np.empty((2, 3), np.float32)
    codec.decode_frame(frame, 2, 3, bits_allocated=32, out=out)
    np.testing.assert_array_equal(out, floats)


# ------------------------------------------------------------ malformed data


def frame_of(
    segments: list[bytes], count: int | None = None, offsets: list[int] | None = None
) -> bytes:
    if offsets is None:
        offsets, pos = [], 64
        for s in segments:
            offsets.append(pos)
            pos += len(s)
    n = len(segments) if count is None else count
    head = struct.pack("<I", n) + b"".join(struct.pack("<I", o) for o in offsets)
    return head + bytes(64 - len(head)) + b"".join(segments)


SPEC8 = spec_for(2, 4, 8)  # 8 bytes, 1 segment
SPEC16 = spec_for(2, 4, 16)  # 2 segments of 8 bytes
GOOD8 = b"\xf9\x05\x00\x07"  # 8 x 05 ... then a literal 07 (overflow: 9 bytes)


@pytest.mark.parametrize(
    ("src", "spec", "message"),
    [
        (
            b"\x01\x00\x00\x00" + bytes(20),
            SPEC8,
            "84 bytes long|24 bytes long, shorter than its 64-byte header",
        ),
        (
            frame_of([b"\xf9\x05"], count=3, offsets=[64, 66, 68]),
            SPEC8,
            "declares 3 segments but the image needs 1",
        ),
        (
            frame_of([b"\xf9\x05", b"\xf9\x06"], count=2, offsets=[64, 64 + 4000]),
            SPEC16,
            "RLE segment 2 of 2: its offset 4064 is past the end of the 68-byte frame",
        ),
        (
            frame_of([b"\xf9\x05", b"\xf9\x06"], offsets=[66, 64]),
            SPEC16,
            "RLE segment 2 of 2: its offset 64 does not follow the previous segment's offset 66",
        ),
        (
            frame_of([b"\xf9\x05", b"\xf9\x06"], offsets=[64, 64]),
            SPEC16,
            "RLE segment 2 of 2: its offset 64 does not follow",
        ),
        (
            frame_of([b"\xf9\x05"], offsets=[12]),
            SPEC8,
            "RLE segment 1 of 1: its offset 12 points into the 64-byte header",
        ),
        (
            frame_of([b"\xfb\x05"]),
            SPEC8,
            r"RLE segment 1 of 1 \(offset 64\) decodes to 6 bytes but 8 are needed",
        ),
        (
            frame_of([b"\xfb\x05\x04\x01"]),
            SPEC8,
            "7 bytes but 8 are needed .its last run is cut off",
        ),
        (
            frame_of([b"\xf9\x05", b"\xfa\x06"]),
            SPEC16,
            r"RLE segment 2 of 2 \(offset 66\) decodes to 7 bytes",
        ),
        (frame_of([b"\xf9\x05\xfe\x01"]), SPEC8, "decodes to 11 bytes but only 8 are needed"),
        (
            frame_of([b"\xf6\x05"]),
            SPEC8,
            "decodes to 11 bytes but only 8 are needed",
        ),  # run overflows
        (
            frame_of([b"\xf9\x05", b"\xf9\x06\x02\x01\x02\x03"]),
            SPEC16,
            r"RLE segment 2 of 2 \(offset 66\) decodes to 11 bytes",
        ),
        (
            frame_of([b"\xfd\x05"]),
            spec_for(4, 4, 1),
            "decodes to 4 bytes; a bit-packed 1-bit frame needs 2",
        ),
    ],
    ids=[
        "header-short",
        "count-more-than-exist",
        "offset-past-end",
        "offsets-decreasing",
        "offsets-equal",
        "offset-in-header",
        "short",
        "truncated-run",
        "second-short",
        "long-runs",
        "run-overflows",
        "second-long",
        "1bit-length",
    ],
)
def test_malformed_frames_raise_naming_the_segment(
    src: bytes, spec: FrameSpec, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        codec.decode(src, spec)


def test_run_overflow_and_padding_tolerance() -> None:
    # one extra decoded byte (non-conformant padding) is tolerated, the pad byte too
    np.testing.assert_array_equal(
        codec.decode(frame_of([b"\xf8\x05"]), SPEC8).array, np.full((2, 4), 5)
    )
    np.testing.assert_array_equal(
        codec.decode(frame_of([b"\xf9\x05\x00"]), SPEC8).array, np.full((2, 4), 5)
    )
    # 0x80 is a no-operation anywhere
    np.testing.assert_array_equal(
        codec.decode(frame_of([b"\x80\xfd\x05\x80\xfd\x06\x80"]), SPEC8).array,
        [[5, 5, 5, 5], [6, 6, 6, 6]],
    )
    # more is an error unless rle_lenient
    src = frame_of([b"\xf9\x05\x7f" + bytes(128)])
    with pytest.raises(ValueError, match="decodes to 136 bytes"):
        codec.decode(src, SPEC8)
    np.testing.assert_array_equal(
        codec.decode(src, SPEC8, rle_lenient=True).array, np.full((2, 4), 5)
    )
    # a run crossing a chunk boundary of the multi-segment decoder, then overflowing
    spec = spec_for(1, 3000, 16)
    seg = b"\x81\x01" * 23 + b"\xc9\x01"  # 2944 + 56 = 3000
    np.testing.assert_array_equal(
        codec.decode(frame_of([seg, seg]), spec).array, np.full((1, 3000), 0x0101)
    )
    with pytest.raises(ValueError, match="RLE segment 1 of 2"):
        codec.decode(frame_of([b"\x81\x01" * 23 + b"\xc5\x01", seg]), spec)


def test_malformed_frame_through_dicodec_names_frame_and_segment() -> None:
    arr = np.stack([image(spec_for(8, 8, 16, 1), "random", i) for i in range(3)])
    ds = dicodec.examples.ct
    ds.set_pixel_data(arr, "MONOCHROME2", 16)
    ds.compress(RLE)
    from dicodec import encaps

    frames = [bytes(f) for f in encaps.generate_frames(ds.PixelData, number_of_frames=3)]
    frames[1] = frames[1][:-20]  # truncate frame 1
    ds.PixelData = encaps.encapsulate(frames)
    with pytest.raises(
        CodecError, match=r"frame 1 .*rle\.c: ValueError: RLE segment 2 of 2"
    ) as info:
        pixel_array(ds, decoding_plugin="rle.c", fallback=False)
    assert isinstance(info.value.__cause__, ValueError)
    np.testing.assert_array_equal(pixel_array(ds, index=0), arr[0])


@settings(max_examples=150, deadline=None)
@given(
    data=st.binary(min_size=0, max_size=200), combo=st.sampled_from(COMBOS), lenient=st.booleans()
)
def test_garbage_never_crashes(data: bytes, combo: tuple[int, int], lenient: bool) -> None:
    bits, samples = combo
    spec = spec_for(3, 5, bits, samples)
    nseg = (1 if bits == 1 else bits // 8) * samples
    # a plausible header in front of the garbage so the segment decoder runs
    head = struct.pack("<I", nseg) + b"".join(struct.pack("<I", 64 + 2 * k) for k in range(nseg))
    for src in (data, head + bytes(64 - len(head)) + data):
        try:
            codec.decode(src, spec, rle_lenient=lenient)
        except ValueError as exc:
            assert str(exc)


@pytest.mark.parametrize(("bits", "samples"), [(8, 1), (16, 1), (8, 3), (16, 3), (32, 3), (64, 1)])
@pytest.mark.parametrize("order", [">", "<"])
def test_pylibjpeg_codec_agrees_in_both_orders(bits: int, samples: int, order: str) -> None:
    pytest.importorskip("rle")
    from dicodec_rle import pylibjpeg

    spec = spec_for(9, 11, bits, samples)
    arr = image(spec, "random", bits + samples)
    ours = codec.encode(arr, spec, {"rle_segment_order": order}).data
    assert pylibjpeg.encode(arr, spec, {"rle_segment_order": order}).data == ours
    np.testing.assert_array_equal(
        pylibjpeg.decode(ours, spec, None, rle_segment_order=order).array, arr
    )
    out = np.empty(spec.shape, spec.dtype)
    assert pylibjpeg.decode(ours, spec, out, rle_segment_order=order).array is out
    np.testing.assert_array_equal(out, arr)
