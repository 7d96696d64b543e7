"""Encoding with dicodec-jpeg: lossless round trips, lossy quality, data set changes."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dicodec
from dicodec import Dataset, encaps, examples
from dicodec.errors import CodecError, NoCodecAvailableError
from dicodec.pixels import pixel_array
from dicodec.pixels.corrections import ybr_to_rgb
from dicodec.plugins.records import FrameSpec

imagecodecs = pytest.importorskip("imagecodecs")
pytest.importorskip("dicodec_jpeg")

from dicodec_jpeg import turbo  # noqa: E402
from dicodec_jpeg.markers import parse_header  # noqa: E402
from dicodec_jpeg.options import settings_for  # noqa: E402

from .helpers import (  # noqa: E402
    BASELINE,
    EXTENDED,
    LOSSLESS,
    LOSSLESS_SV1,
    SC_CLASS,
    gdcm_decode,
    psnr,
    smooth_grey,
    smooth_rgb,
)

HAVE_LIBJPEG = importlib.util.find_spec("libjpeg") is not None
HAVE_GDCM = importlib.util.find_spec("gdcm") is not None
DECODERS = ["jpeg.turbo", *(["jpeg.libjpeg"] if HAVE_LIBJPEG else [])]


def dataset(arr: np.ndarray, pi: str, bits_stored: int) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = SC_CLASS
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.9.9999.8.1"
    ds.set_pixel_data(arr, pi, bits_stored)
    return ds


def frames_of(ds: Dataset) -> list[bytes]:
    n = int(getattr(ds, "NumberOfFrames", 1) or 1)
    return list(encaps.generate_frames(ds.PixelData, number_of_frames=n))


# ---------------------------------------------------------------- lossless round trips
@st.composite
def lossless_cases(draw: st.DrawFn) -> tuple[np.ndarray, str, int, int, str]:
    samples = draw(st.sampled_from([1, 1, 3]))
    bits = draw(st.integers(2, 16))
    allocated = 8 if bits <= 8 and draw(st.booleans()) else 16
    signed = samples == 1 and draw(st.booleans())
    if samples == 1:
        pi = draw(st.sampled_from(["MONOCHROME2", "MONOCHROME1"]))
    else:
        pi = draw(st.sampled_from(["RGB", "YBR_FULL"]))
    nframes = draw(st.integers(1, 3))
    rows, columns = draw(st.integers(1, 17)), draw(st.integers(1, 17))
    if signed:
        low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        low, high = 0, (1 << bits) - 1
    dtype = np.dtype(f"{'i' if signed else 'u'}{allocated // 8}")
    shape: tuple[int, ...] = (rows, columns) if samples == 1 else (rows, columns, 3)
    if nframes > 1:
        shape = (nframes, *shape)
    arr = draw(hnp.arrays(dtype, shape, elements=st.integers(low, high)))
    predictor = draw(st.integers(1, 7))
    ts = LOSSLESS if predictor > 1 or draw(st.booleans()) else LOSSLESS_SV1
    return arr, pi, bits, predictor, ts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lossless_cases())
def test_lossless_round_trip_is_exact(case: tuple[np.ndarray, str, int, int, str]) -> None:
    arr, pi, bits, predictor, ts = case
    ds = dataset(arr, pi, bits)
    ds.compress(ts, encoding_plugin="jpeg.turbo", jpeg_predictor=predictor)
    assert ds.file_meta.TransferSyntaxUID == ts
    assert "LossyImageCompression" not in ds
    assert ds.PhotometricInterpretation == pi
    for frame in frames_of(ds):
        h = parse_header(frame)
        assert h.lossless and h.predictor == predictor and h.precision == bits
    for codec in DECODERS:
        out = pixel_array(ds, decoding_plugin=codec, fallback=False, raw=True)
        assert out.dtype == arr.dtype and np.array_equal(out, arr), codec


@pytest.mark.parametrize("predictor", range(1, 8))
def test_every_predictor_on_a_real_image(predictor: int) -> None:
    ct = examples.ct
    original = pixel_array(ct)
    ts = LOSSLESS_SV1 if predictor == 1 else LOSSLESS
    ds = examples.get("ct")
    ds.compress(ts, jpeg_predictor=predictor, encoding_plugin="jpeg.turbo")
    assert parse_header(frames_of(ds)[0]).predictor == predictor
    assert np.array_equal(pixel_array(ds, decoding_plugin="jpeg.turbo"), original)


def test_lossless_file_round_trip_and_gdcm(tmp_path: Path) -> None:
    mr = examples.mr  # 12-bit unsigned in 16
    ds = examples.get("mr")
    ds.compress(LOSSLESS, jpeg_predictor=7, encoding_plugin="jpeg.turbo")
    path = tmp_path / "mr_jpll.dcm"
    ds.save_as(path, enforce_file_format=True)
    again = dicodec.dcmread(path)
    assert again.file_meta.TransferSyntaxUID == LOSSLESS
    assert np.array_equal(pixel_array(path, decoding_plugin="jpeg.turbo"), pixel_array(mr))
    if HAVE_GDCM:
        assert np.array_equal(gdcm_decode(path, (mr.Rows, mr.Columns), np.uint16), pixel_array(mr))


def test_lossless_ybr_422_input_becomes_ybr_full() -> None:
    """The core hands YBR_FULL_422 frames to encoders upsampled: lossless keeps them as YBR_FULL."""
    arr = pixel_array(examples.ybr_color, raw=True)
    spec = FrameSpec(100, 100, 3, 8, 8, photometric_interpretation="YBR_FULL_422", transfer_syntax=LOSSLESS_SV1)
    frame = turbo.encode(arr, spec, {})
    assert frame.changes == {"PhotometricInterpretation": "YBR_FULL"}
    h = parse_header(frame.data)
    assert h.component_ids == (0, 1, 2) and not h.jfif and h.adobe_transform is None and not h.subsampled
    decoded = turbo.decode(frame.data, spec.replace(photometric_interpretation="YBR_FULL"), None)
    assert decoded.photometric_interpretation == "YBR_FULL" and np.array_equal(decoded.array, arr)


def test_palette_colour_lossless_only() -> None:
    ds = examples.get("palette")
    raw = dicodec.pixels.get_decoder(ds.file_meta.TransferSyntaxUID).as_array(ds, raw=True)[0]
    ds.compress(LOSSLESS_SV1, encoding_plugin="jpeg.turbo")
    assert ds.PhotometricInterpretation == "PALETTE COLOR"
    assert np.array_equal(dicodec.pixels.get_decoder(LOSSLESS_SV1).as_array(ds, raw=True, decoding_plugin="jpeg.turbo")[0], raw)
    lossy = examples.get("palette")
    with pytest.raises(CodecError, match="PALETTE COLOR"):
        lossy.compress(BASELINE, encoding_plugin="jpeg.turbo")


# ---------------------------------------------------------------- lossy
def _ratio(ds: Dataset) -> float:
    return float(ds.LossyImageCompressionRatio)


@pytest.mark.parametrize(
    "photometric, sampling",
    [("YBR_FULL_422", ((2, 1), (1, 1), (1, 1))), ("YBR_FULL", ((1, 1),) * 3), ("RGB", ((1, 1),) * 3)],
)
def test_baseline_rgb(photometric: str, sampling: tuple[tuple[int, int], ...], tmp_path: Path) -> None:
    rgb = smooth_rgb(96, 128)
    ds = dataset(rgb, "RGB", 8)
    ds.compress(BASELINE, jpeg_photometric=photometric, jpeg_quality=90, encoding_plugin="jpeg.turbo")
    assert ds.PhotometricInterpretation == photometric
    assert ds.LossyImageCompression == "01" and ds.LossyImageCompressionMethod == "ISO_10918_1"
    frame = frames_of(ds)[0]
    assert _ratio(ds) == pytest.approx(rgb.nbytes / len(frame), abs=0.01)
    h = parse_header(frame)
    assert h.process == "baseline" and h.sampling == sampling
    assert (h.adobe_transform == 0) == (photometric == "RGB") and h.jfif == (photometric != "RGB")
    decoded = pixel_array(ds, decoding_plugin="jpeg.turbo")
    assert psnr(decoded, rgb, 255) > 38
    # independent decoders: libjpeg-turbo itself, libjpeg, GDCM (test-only)
    assert np.abs(imagecodecs.jpeg8_decode(frame).astype(int) - decoded).max() <= 1
    if HAVE_LIBJPEG:
        assert psnr(pixel_array(ds, decoding_plugin="jpeg.libjpeg"), rgb, 255) > 38
    if HAVE_GDCM:
        path = tmp_path / "rgb.dcm"
        ds.save_as(path, enforce_file_format=True)
        gdcm_out = gdcm_decode(path, rgb.shape, np.uint8)  # GDCM returns the coded samples
        if photometric != "RGB":
            gdcm_out = ybr_to_rgb(gdcm_out.copy())
        assert psnr(gdcm_out, rgb, 255) > 38
        assert np.abs(gdcm_out.astype(int) - decoded).max() <= 1


def test_baseline_greyscale_and_quality_option(tmp_path: Path) -> None:
    grey = smooth_grey(128, 96)
    sizes = {}
    for quality in (30, 75, 95):
        ds = dataset(grey, "MONOCHROME2", 8)
        ds.compress(BASELINE, jpeg_quality=quality, encoding_plugin="jpeg.turbo")
        assert "PhotometricInterpretation" in ds and ds.PhotometricInterpretation == "MONOCHROME2"
        sizes[quality] = len(frames_of(ds)[0])
        decoded = pixel_array(ds, decoding_plugin="jpeg.turbo")
        assert psnr(decoded, grey, 255) > (30 if quality == 30 else 36)
    assert sizes[30] < sizes[75] < sizes[95]
    if HAVE_GDCM:
        path = tmp_path / "grey.dcm"
        ds.save_as(path, enforce_file_format=True)
        assert np.abs(gdcm_decode(path, grey.shape, np.uint8).astype(int) - decoded).max() <= 1


def test_default_quality_is_90() -> None:
    grey = smooth_grey(64, 64)
    a, b = dataset(grey, "MONOCHROME2", 8), dataset(grey, "MONOCHROME2", 8)
    a.compress(BASELINE, encoding_plugin="jpeg.turbo")
    b.compress(BASELINE, jpeg_quality=90, encoding_plugin="jpeg.turbo")
    assert frames_of(a) == frames_of(b)


def test_extended_12_bit(tmp_path: Path) -> None:
    mr = examples.mr
    original = pixel_array(mr)
    ds = examples.get("mr")
    ds.compress(EXTENDED, jpeg_quality=95, encoding_plugin="jpeg.turbo")
    h = parse_header(frames_of(ds)[0])
    assert (h.process, h.precision) == ("extended", 12)
    assert ds.LossyImageCompression == "01" and _ratio(ds) > 1
    decoded = pixel_array(ds, decoding_plugin="jpeg.turbo")
    assert decoded.dtype == np.uint16 and psnr(decoded, original, 4095) > 45
    if HAVE_LIBJPEG:
        assert psnr(pixel_array(ds, decoding_plugin="jpeg.libjpeg"), original, 4095) > 45
    if HAVE_GDCM:
        path = tmp_path / "mr12.dcm"
        ds.save_as(path, enforce_file_format=True)
        assert np.abs(gdcm_decode(path, original.shape, np.uint16).astype(int) - decoded).max() <= 1


def test_extended_8_bit_colour_and_multiframe() -> None:
    frames = np.stack([smooth_rgb(48, 64, seed=k) for k in range(3)])
    ds = dataset(frames, "RGB", 8)
    ds.compress(EXTENDED, jpeg_photometric="YBR_FULL", encoding_plugin="jpeg.turbo")
    assert ds.NumberOfFrames == 3 and ds.PhotometricInterpretation == "YBR_FULL"
    assert all(parse_header(f).precision == 8 for f in frames_of(ds))
    assert psnr(pixel_array(ds, decoding_plugin="jpeg.turbo"), frames, 255) > 38


def test_ybr_full_input_is_not_transformed_again() -> None:
    rgb = smooth_rgb(64, 64)
    ybr = pixel_array(examples.ybr_color, raw=True)
    del rgb
    ds = dataset(ybr, "YBR_FULL", 8)
    ds.compress(BASELINE, jpeg_photometric="YBR_FULL", jpeg_quality=95, encoding_plugin="jpeg.turbo")
    assert ds.PhotometricInterpretation == "YBR_FULL"
    assert psnr(pixel_array(ds, raw=True, decoding_plugin="jpeg.turbo"), ybr, 255) > 38
    with pytest.raises(CodecError, match="needs RGB input"):
        dataset(ybr, "YBR_FULL", 8).compress(BASELINE, jpeg_photometric="RGB", encoding_plugin="jpeg.turbo")


# ---------------------------------------------------------------- refusals and options
@pytest.mark.parametrize(
    "ts, arr, pi, bits, options, message",
    [
        (BASELINE, np.zeros((8, 8), np.uint16), "MONOCHROME2", 12, {}, "JPEG Baseline encodes 8-bit samples"),
        (EXTENDED, np.zeros((8, 8), np.uint16), "MONOCHROME2", 16, {}, "up to 12-bit samples"),
        (BASELINE, np.zeros((8, 8), np.int8), "MONOCHROME2", 8, {}, "signed samples"),
        (BASELINE, np.zeros((8, 8), np.uint8), "MONOCHROME2", 8, {"jpeg_quality": 0}, "jpeg_quality must be"),
        (BASELINE, np.zeros((8, 8), np.uint8), "MONOCHROME2", 8, {"jpeg_quality": "high"}, "jpeg_quality must be"),
        (LOSSLESS, np.zeros((8, 8), np.uint8), "MONOCHROME2", 8, {"jpeg_predictor": 8}, "jpeg_predictor must be"),
        (LOSSLESS_SV1, np.zeros((8, 8), np.uint8), "MONOCHROME2", 8, {"jpeg_predictor": 2}, "uses predictor 1"),
        (BASELINE, np.zeros((8, 8, 3), np.uint8), "RGB", 8, {"jpeg_photometric": "YBR_ICT"}, "jpeg_photometric must be"),
        (LOSSLESS, np.zeros((8, 8, 3), np.uint8), "RGB", 8, {"jpeg_photometric": "YBR_FULL"}, "without a colour transform"),
        (BASELINE, np.zeros((8, 8), np.uint8), "MONOCHROME2", 8, {"jpeg_photometric": "RGB"}, "single-sample"),
    ],
)
def test_refusals_name_the_problem(
    ts: str, arr: np.ndarray, pi: str, bits: int, options: dict[str, Any], message: str
) -> None:
    ds = dataset(arr, pi, bits)
    with pytest.raises(CodecError, match=message):
        ds.compress(ts, encoding_plugin="jpeg.turbo", **options)


def test_one_bit_data_is_refused_by_capabilities() -> None:
    ds = dataset(np.zeros((8, 8), np.uint8), "MONOCHROME2", 1)
    with pytest.raises(NoCodecAvailableError, match="Bits Allocated 1 is not one of"):
        ds.compress(LOSSLESS_SV1, encoding_plugin="jpeg.turbo")


def test_values_above_bits_stored_are_refused() -> None:
    spec = FrameSpec(4, 4, bits_allocated=16, bits_stored=10, transfer_syntax=LOSSLESS_SV1)
    with pytest.raises(ValueError, match="do not fit in 10-bit"):
        turbo.encode(np.full((4, 4), 1024, np.uint16), spec, {})


def test_settings_are_per_transfer_syntax() -> None:
    grey16 = FrameSpec(4, 4, bits_allocated=16, bits_stored=8, transfer_syntax=EXTENDED)
    assert settings_for(grey16, {}).precision == 12
    assert settings_for(grey16.replace(bits_allocated=8), {}).precision == 8
    assert settings_for(grey16.replace(transfer_syntax=LOSSLESS), {}).precision == 8
    with pytest.raises(ValueError, match="not a JPEG transfer syntax"):
        settings_for(grey16.replace(transfer_syntax="1.2.840.10008.1.2.4.80"), {})


def test_encode_accepts_unknown_options_and_none() -> None:
    spec = FrameSpec(8, 8, bits_allocated=8, bits_stored=8, transfer_syntax=BASELINE)
    frame = turbo.encode(np.zeros((8, 8), np.uint8), spec, {"j2k_cr": [10], "jpeg_quality": None})
    assert frame.changes["LossyImageCompression"] == "01"
    assert turbo.encode(np.zeros((8, 8), np.uint8), spec, None).data == frame.data
