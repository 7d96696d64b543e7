"""Decoding with dicodec-jpeg: the corpus, colour, lossless variants, robustness."""

from __future__ import annotations

import hashlib
import importlib.util
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dicodec import DicodecError
from dicodec.errors import CodecError
from dicodec.pixels import get_decoder, iter_pixels, pixel_array
from dicodec.pixels.corrections import ybr_to_rgb
from dicodec.plugins.records import FrameSpec

from ...corpus import corpus_path, corpus_rows, params

imagecodecs = pytest.importorskip("imagecodecs")
pytest.importorskip("dicodec_jpeg")

try:  # pylibjpeg-libjpeg is GPL-3: an opt-in extra, usually absent
    from dicodec_jpeg import libjpeg as libjpeg_codec
except ImportError:
    libjpeg_codec = None  # type: ignore[assignment]
from dicodec_jpeg import turbo  # noqa: E402
from dicodec_jpeg.markers import parse_header  # noqa: E402

from .helpers import (  # noqa: E402
    BASELINE,
    EXTENDED,
    JPEG_SYNTAXES,
    LOSSLESS,
    LOSSLESS_SV1,
    HintSpec,
    jpeg_dataset,
    reference,
    smooth_grey,
    smooth_rgb,
)
from .ljpeg_oracle import encode_lossless  # noqa: E402
from .restart import encode_with_restarts  # noqa: E402

HAVE_LIBJPEG = importlib.util.find_spec("libjpeg") is not None
CODECS = [
    "jpeg.turbo",
    pytest.param("jpeg.libjpeg", marks=pytest.mark.skipif(not HAVE_LIBJPEG, reason="pylibjpeg-libjpeg absent")),
]
MODULES = {"jpeg.turbo": turbo, "jpeg.libjpeg": libjpeg_codec if HAVE_LIBJPEG else None}
OURS = ["jpeg.turbo", *(["jpeg.libjpeg"] if HAVE_LIBJPEG else [])]
"""This plugin's codecs only (other plugins, e.g. contrib GDCM, are not under test here)."""
LOSSY_TOLERANCE = {"jpeg.turbo": 0, "jpeg.libjpeg": 2}
"""Largest difference from libjpeg-turbo's own lossy decode (libjpeg's IDCT rounds differently)."""

JPEG_PIXELS = [r for r in corpus_rows("pixels") if r["transfer_syntax"] in JPEG_SYNTAXES]
JPEG_ERRORS = [r for r in corpus_rows("decode-error") if r["transfer_syntax"] in JPEG_SYNTAXES]


# ---------------------------------------------------------------- the corpus
@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("row", params(JPEG_PIXELS))
def test_corpus_file_matches_reference(row: dict[str, str], codec: str) -> None:
    """Every .50/.51/.57/.70 file: exact for lossless, within the tolerance for lossy."""
    arr, meta = get_decoder(row["transfer_syntax"]).as_array(
        str(corpus_path(row)), decoding_plugin=codec, fallback=False
    )
    arr = np.ascontiguousarray(arr)
    assert "x".join(map(str, arr.shape)) == row["ref_shape"] and str(arr.dtype) == row["ref_dtype"]
    assert set(meta["codecs"]) == {codec}
    tolerance = int(row["tolerance"] or 0)
    if tolerance == 0:
        assert hashlib.sha256(arr.tobytes()).hexdigest() == row["ref_sha256"]
    else:
        diff = np.abs(arr.astype(np.int64) - reference(row).astype(np.int64)).max()
        assert diff <= tolerance


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("row", params(JPEG_ERRORS))
def test_corpus_malformed_file_raises_library_error(row: dict[str, str], codec: str) -> None:
    with pytest.raises(DicodecError):
        pixel_array(str(corpus_path(row)), decoding_plugin=codec)


def test_corrupt_stream_error_names_frame_and_keeps_cause() -> None:
    rows = [r for r in JPEG_ERRORS if r["relpath"].endswith("genFile.dcm")]
    if not rows:
        pytest.skip("genFile.dcm is not in the corpus")
    with pytest.raises(CodecError, match=r"frame 0 could not be decoded \(jpeg\.turbo: ValueError") as info:
        pixel_array(str(corpus_path(rows[0])), decoding_plugin="jpeg.turbo")
    assert isinstance(info.value.__cause__, ValueError)


# ---------------------------------------------------------------- decode() itself
def _spec(**kw: Any) -> FrameSpec:
    base: dict[str, Any] = dict(rows=32, columns=48, bits_allocated=8, bits_stored=8, transfer_syntax=BASELINE)
    base.update(kw)
    return FrameSpec(**base)


@pytest.mark.parametrize("codec", CODECS)
def test_decodes_straight_into_out(codec: str) -> None:
    grey = smooth_grey(32, 48)
    data = imagecodecs.jpeg8_encode(grey, 90)
    out = np.full((32, 48), 7, np.uint8)
    frame = MODULES[codec].decode(data, _spec(), out)
    assert frame.array is out
    assert np.abs(out.astype(int) - imagecodecs.jpeg8_decode(data)).max() <= LOSSY_TOLERANCE[codec]


def test_turbo_writes_into_out_without_a_temporary() -> None:
    """The libjpeg-turbo decoder fills the caller's array itself (imagecodecs ``out=``)."""
    data = imagecodecs.jpeg8_encode(smooth_grey(32, 48, 12), lossless=True, bitspersample=12)
    out = np.zeros((32, 48), np.int16)  # a signed container is viewed, not copied
    frame = turbo.decode(data, _spec(bits_allocated=16, bits_stored=12, pixel_representation=1), out)
    assert frame.array is out and frame.pixel_representation == 0 and frame.bits_stored == 12


def test_precision_smaller_than_container_is_copied() -> None:
    grey = smooth_grey(32, 48)
    data = imagecodecs.jpeg8_encode(grey, lossless=True)
    out = np.zeros((32, 48), np.uint16)
    frame = turbo.decode(data, _spec(bits_allocated=16, bits_stored=8), out)
    assert frame.array.dtype == np.uint8 and np.array_equal(frame.array, grey)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "kw, message",
    [
        ({"rows": 31}, "the JPEG frame is 32 x 48"),
        ({"columns": 40}, "describes 32 x 40"),
        ({"samples_per_pixel": 3, "photometric_interpretation": "RGB"}, "with 3 sample"),
    ],
)
def test_geometry_mismatch_raises(codec: str, kw: dict[str, Any], message: str) -> None:
    data = imagecodecs.jpeg8_encode(smooth_grey(32, 48), 90)
    with pytest.raises(ValueError, match=message):
        MODULES[codec].decode(data, _spec(**kw), None)


def test_height_in_dnl_marker_is_refused_by_turbo() -> None:
    data = bytearray(imagecodecs.jpeg8_encode(smooth_grey(32, 48), 90))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = b"\x00\x00"  # Y = 0: the height would follow in a DNL segment
    with pytest.raises(ValueError, match="DNL"):
        turbo.decode(bytes(data), _spec(), None)


def test_precision_above_container_raises() -> None:
    data = imagecodecs.jpeg8_encode(smooth_grey(32, 48, 12), lossless=True, bitspersample=12)
    with pytest.raises(ValueError, match="12 bits of precision"):
        turbo.decode(data, _spec(), None)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("cut", [0.3, 0.7])
def test_truncated_or_damaged_stream_raises_codec_error(codec: str, cut: float) -> None:
    data = imagecodecs.jpeg8_encode(smooth_grey(64, 64), 90)
    bad = data[: int(len(data) * cut)]
    ds = jpeg_dataset([bad], rows=64, columns=64)
    try:
        arr = pixel_array(ds, decoding_plugin=codec, fallback=False)
    except CodecError as exc:
        assert "frame 0" in str(exc) and codec in str(exc)
    else:  # libjpeg-turbo pads a stream cut inside the entropy data (a warning in libjpeg)
        assert arr.shape == (64, 64)


@pytest.mark.parametrize("codec", CODECS)
def test_garbage_is_a_codec_error(codec: str) -> None:
    ds = jpeg_dataset([b"\xff\xd8" + bytes(range(256)) * 4], rows=64, columns=64)
    with pytest.raises(CodecError, match="frame 0"):
        pixel_array(ds, decoding_plugin=codec, fallback=False)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2000), st.integers(0, 255))
def test_mutated_streams_never_crash(position: int, value: int) -> None:
    data = bytearray(imagecodecs.jpeg8_encode(smooth_grey(24, 24), 75))
    data[position % len(data)] = value
    ds = jpeg_dataset([bytes(data)], rows=24, columns=24)
    try:
        pixel_array(ds, decoding_plugin=OURS)
    except DicodecError:
        pass


# ---------------------------------------------------------------- stream variants
@pytest.mark.parametrize("codec", CODECS)
def test_trailing_garbage_after_eoi(codec: str) -> None:
    grey = smooth_grey(32, 48)
    data = imagecodecs.jpeg8_encode(grey, 90)
    ds = jpeg_dataset([data + b"\x00\x00garbage after EOI\xff"], rows=32, columns=48)
    arr = pixel_array(ds, decoding_plugin=codec, fallback=False)
    assert np.abs(arr.astype(int) - imagecodecs.jpeg8_decode(data)).max() <= LOSSY_TOLERANCE[codec]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("fragments", [2, 5])
def test_multi_fragment_frames(codec: str, fragments: int) -> None:
    frames = [imagecodecs.jpeg8_encode(smooth_grey(32, 48, seed=k), 90) for k in range(3)]
    ds = jpeg_dataset(frames, rows=32, columns=48, fragments_per_frame=fragments)
    expected = np.stack([imagecodecs.jpeg8_decode(f) for f in frames])
    arr = pixel_array(ds, decoding_plugin=codec, fallback=False)
    assert np.abs(arr.astype(int) - expected).max() <= LOSSY_TOLERANCE[codec]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("subsampling", ["444", "422"])
def test_lossy_restart_markers(codec: str, subsampling: str) -> None:
    data, expected_ybr = encode_with_restarts(smooth_rgb(48, 64), subsampling=subsampling)
    assert parse_header(data).restart_interval > 0 and b"\xff\xd4" in data
    ds = jpeg_dataset([data], rows=48, columns=64, samples=3, photometric="YBR_FULL_422")
    raw = pixel_array(ds, decoding_plugin=codec, fallback=False, raw=True)
    assert np.abs(raw.astype(int) - expected_ybr).max() <= LOSSY_TOLERANCE[codec]


@pytest.mark.parametrize("codec", CODECS)
def test_lossy_restart_markers_greyscale(codec: str) -> None:
    data, expected = encode_with_restarts(smooth_grey(48, 64))
    ds = jpeg_dataset([data], rows=48, columns=64)
    arr = pixel_array(ds, decoding_plugin=codec, fallback=False)
    assert np.abs(arr.astype(int) - expected).max() <= LOSSY_TOLERANCE[codec]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("predictor", range(1, 8))
@pytest.mark.parametrize("bits", [2, 8, 12, 16])
def test_lossless_every_predictor_from_an_independent_encoder(codec: str, predictor: int, bits: int) -> None:
    rng = np.random.default_rng(predictor * 100 + bits)
    dtype = np.uint8 if bits <= 8 else np.uint16
    arr = rng.integers(0, 1 << bits, (9, 13), dtype=np.int64).astype(dtype)
    arr[0, 0], arr[-1, -1] = 0, (1 << bits) - 1
    data = encode_lossless(arr, bits, predictor=predictor, restart_rows=4)
    ts = LOSSLESS_SV1 if predictor == 1 else LOSSLESS
    ds = jpeg_dataset([data], rows=9, columns=13, bits_allocated=8 if bits <= 8 else 16, bits_stored=bits, transfer_syntax=ts)
    assert np.array_equal(pixel_array(ds, decoding_plugin=codec, fallback=False), arr)


@pytest.mark.parametrize("point_transform", [1, 3, 6])
@pytest.mark.parametrize("predictor", [1, 4, 7])
def test_lossless_point_transform(point_transform: int, predictor: int) -> None:
    rng = np.random.default_rng(point_transform)
    arr = rng.integers(0, 1 << 12, (10, 12)).astype(np.uint16)
    data = encode_lossless(arr, 12, predictor=predictor, point_transform=point_transform)
    ds = jpeg_dataset([data], rows=10, columns=12, bits_allocated=16, bits_stored=12, transfer_syntax=LOSSLESS)
    expected = (arr >> point_transform) << point_transform
    assert np.array_equal(pixel_array(ds, decoding_plugin="jpeg.turbo", fallback=False), expected)
    # libjpeg mis-predicts these streams, so it declines them and the fallback decodes
    arr2, meta = get_decoder(LOSSLESS).as_array(ds, decoding_plugin=["jpeg.libjpeg", "jpeg.turbo"])
    assert np.array_equal(arr2, expected) and meta["codecs"] == ["jpeg.turbo"]


@pytest.mark.skipif(not HAVE_LIBJPEG, reason="pylibjpeg-libjpeg absent")
def test_libjpeg_refuses_point_transform_naming_it() -> None:
    data = encode_lossless(np.zeros((4, 4), np.uint8), 8, point_transform=1)
    with pytest.raises(ValueError, match="point transform"):
        libjpeg_codec.decode(data, _spec(rows=4, columns=4, transfer_syntax=LOSSLESS), None)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("bits", [12, 16])
def test_signed_lossless(codec: str, bits: int) -> None:
    rng = np.random.default_rng(bits)
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    arr = rng.integers(low, high + 1, (16, 20)).astype(np.int16)
    arr[0, :3] = [low, -1, high]
    pattern = (arr.astype(np.int64) & ((1 << bits) - 1)).astype(np.uint16)
    data = encode_lossless(pattern, bits, predictor=6)
    ds = jpeg_dataset([data], rows=16, columns=20, bits_allocated=16, bits_stored=bits, signed=1, transfer_syntax=LOSSLESS)
    out = pixel_array(ds, decoding_plugin=codec, fallback=False)
    assert out.dtype == np.int16 and np.array_equal(out, arr)


@pytest.mark.parametrize("codec", CODECS)
def test_lossless_colour_with_restarts(codec: str) -> None:
    rgb = smooth_rgb(12, 10)
    data = encode_lossless(rgb, 8, predictor=5, restart_rows=5)
    ds = jpeg_dataset([data], rows=12, columns=10, samples=3, photometric="RGB", transfer_syntax=LOSSLESS)
    assert np.array_equal(pixel_array(ds, decoding_plugin=codec, fallback=False), rgb)


# ---------------------------------------------------------------- colour
def _strip_to_bare_rgb(data: bytes) -> bytes:
    """An RGB-coded stream without APP14 and with component IDs 1, 2, 3: no marker says RGB."""
    out = bytearray(data[:2])
    pos = 2
    renumber = {82: 1, 71: 2, 66: 3}
    while True:
        marker, length = data[pos + 1], (data[pos + 2] << 8) | data[pos + 3]
        seg = bytearray(data[pos : pos + 2 + length])
        pos += 2 + length
        if marker == 0xEE:  # APP14 Adobe: dropped
            continue
        if marker == 0xC0:  # frame header: Ci at 10 + 3k
            for k in range(seg[9]):
                seg[10 + 3 * k] = renumber[seg[10 + 3 * k]]
        if marker == 0xDA:  # scan header: Csj at 5 + 2j
            for k in range(seg[4]):
                seg[5 + 2 * k] = renumber[seg[5 + 2 * k]]
            return bytes(out + seg) + data[pos:]
        out += seg


@pytest.mark.parametrize("codec", CODECS)
def test_markerless_rgb_stream_is_not_transformed(codec: str) -> None:
    """The libjpeg-turbo trap: by default it treats a marker-less stream as YCbCr."""
    rgb = smooth_rgb(32, 48)
    coded = imagecodecs.jpeg8_encode(rgb, 95, outcolorspace="RGB")
    bare = _strip_to_bare_rgb(coded)
    h = parse_header(bare)
    assert h.component_ids == (1, 2, 3) and h.adobe_transform is None and not h.jfif
    samples = imagecodecs.jpeg8_decode(coded)  # the RGB samples as coded
    trap = imagecodecs.jpeg8_decode(bare)  # what libjpeg-turbo does on its own
    assert np.abs(trap.astype(int) - samples).max() > 40
    ds = jpeg_dataset([bare], rows=32, columns=48, samples=3, photometric="RGB")
    arr, meta = get_decoder(BASELINE).as_array(ds, decoding_plugin=codec, fallback=False)
    assert meta["photometric_interpretation"] == "RGB"
    assert np.abs(arr.astype(int) - samples).max() <= LOSSY_TOLERANCE[codec]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("dataset_pi", ["YBR_FULL_422", "YBR_FULL", "RGB"])
def test_ycbcr_is_converted_once(codec: str, dataset_pi: str) -> None:
    """A JFIF stream is YCbCr whatever the data set says; RGB comes out once converted."""
    rgb = smooth_rgb(32, 48)
    data = imagecodecs.jpeg8_encode(rgb, 95, subsampling="422")
    ds = jpeg_dataset([data], rows=32, columns=48, samples=3, photometric=dataset_pi)
    arr, meta = get_decoder(BASELINE).as_array(ds, decoding_plugin=codec, fallback=False)
    assert meta["photometric_interpretation"] == "RGB"
    turbo_rgb = imagecodecs.jpeg8_decode(data)  # libjpeg-turbo's own conversion
    assert np.abs(arr.astype(int) - turbo_rgb).max() <= (1 if codec == "jpeg.turbo" else 3)
    raw, meta = get_decoder(BASELINE).as_array(ds, decoding_plugin=codec, fallback=False, raw=True)
    assert meta["photometric_interpretation"] == "YBR_FULL"
    ycc = imagecodecs.jpeg8_decode(data, colorspace="YCbCr", outcolorspace="YCbCr")
    assert np.abs(raw.astype(int) - ycc).max() <= LOSSY_TOLERANCE[codec]
    kept = pixel_array(ds, decoding_plugin=codec, fallback=False, as_rgb=False)
    assert np.array_equal(kept, raw)


@pytest.mark.parametrize("codec", CODECS)
def test_adobe_rgb_marker_wins_over_ybr_dataset(codec: str) -> None:
    rgb = smooth_rgb(32, 48)
    data = imagecodecs.jpeg8_encode(rgb, 95, outcolorspace="RGB")
    ds = jpeg_dataset([data], rows=32, columns=48, samples=3, photometric="YBR_FULL_422")
    arr, meta = get_decoder(BASELINE).as_array(ds, decoding_plugin=codec, fallback=False)
    assert meta["photometric_interpretation"] == "RGB"
    assert np.abs(arr.astype(int) - imagecodecs.jpeg8_decode(data)).max() <= LOSSY_TOLERANCE[codec]


def test_rgb_hint_lets_libjpeg_turbo_convert() -> None:
    """With the ``as_rgb`` hint (proposed core change) libjpeg-turbo converts during the decode."""
    rgb = smooth_rgb(32, 48)
    data = imagecodecs.jpeg8_encode(rgb, 90, subsampling="422")
    base = dict(rows=32, columns=48, samples_per_pixel=3, bits_allocated=8, bits_stored=8,
                photometric_interpretation="YBR_FULL_422", transfer_syntax=BASELINE)
    plain = turbo.decode(data, HintSpec(**base), None)
    hinted = turbo.decode(data, HintSpec(**base, as_rgb=True), None)
    assert plain.photometric_interpretation == "YBR_FULL" and hinted.photometric_interpretation == "RGB"
    converted = ybr_to_rgb(plain.array.copy())
    assert np.abs(hinted.array.astype(int) - converted).max() <= 1
    if HAVE_LIBJPEG:  # libjpeg's own conversion is not accurate enough: it ignores the hint
        assert libjpeg_codec.decode(data, HintSpec(**base, as_rgb=True), None).photometric_interpretation == "YBR_FULL"


def test_rgb_hint_is_ignored_for_lossless_and_rgb_streams() -> None:
    rgb = smooth_rgb(16, 16)
    base = dict(rows=16, columns=16, samples_per_pixel=3, bits_allocated=8, bits_stored=8, as_rgb=True)
    ll_spec = HintSpec(**base, photometric_interpretation="YBR_FULL", transfer_syntax=LOSSLESS)
    ll = turbo.encode(rgb, ll_spec, {}).data
    frame = turbo.decode(ll, ll_spec, None)
    assert frame.photometric_interpretation == "YBR_FULL" and np.array_equal(frame.array, rgb)
    coded_rgb = imagecodecs.jpeg8_encode(rgb, 95, outcolorspace="RGB")
    frame = turbo.decode(coded_rgb, HintSpec(**base, photometric_interpretation="RGB"), None)
    assert frame.photometric_interpretation == "RGB"


# ---------------------------------------------------------------- 12-bit, frames, threads
@pytest.mark.parametrize("codec", CODECS)
def test_extended_12_bit(codec: str) -> None:
    grey = smooth_grey(40, 56, 12)
    data = imagecodecs.jpeg8_encode(grey, 95, bitspersample=12)
    ds = jpeg_dataset([data], rows=40, columns=56, bits_allocated=16, bits_stored=12, transfer_syntax=EXTENDED)
    arr = pixel_array(ds, decoding_plugin=codec, fallback=False)
    assert arr.dtype == np.uint16
    assert np.abs(arr.astype(int) - imagecodecs.jpeg8_decode(data)).max() <= LOSSY_TOLERANCE[codec]


def test_workers_give_the_same_frames_and_iter_pixels_agrees() -> None:
    frames = [imagecodecs.jpeg8_encode(smooth_rgb(48, 64, seed=k), 85) for k in range(8)]
    ds = jpeg_dataset(frames, rows=48, columns=64, samples=3, photometric="YBR_FULL_422")
    one = pixel_array(ds, workers=1, decoding_plugin=OURS)
    two, meta = get_decoder(BASELINE).as_array(ds, workers=2, decoding_plugin=OURS)
    assert np.array_equal(one, two) and meta["codecs"] == ["jpeg.turbo"] * 8
    assert get_decoder(BASELINE).available_plugins[0] == "jpeg.turbo"
    for k, frame in enumerate(iter_pixels(ds, decoding_plugin=OURS)):
        assert np.array_equal(frame, one[k])


def test_default_codec_is_turbo_for_every_syntax() -> None:
    for ts in JPEG_SYNTAXES:
        assert get_decoder(ts).available_plugins[0] == "jpeg.turbo"
