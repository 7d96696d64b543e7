"""Encoding with dicodec-jpeg2k: exact round trips, the codestreams written, lossy targets."""

from __future__ import annotations

import io
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dicodec
from dicodec import examples
from dicodec.errors import CodecError, NoCodecAvailableError
from dicodec.pixels import get_encoder, pixel_array
from dicodec.plugins.records import FrameSpec

from .helpers import (
    ALL,
    HTJ2K,
    HTJ2K_LOSSLESS,
    HTJ2K_RPCL,
    J2K,
    J2K_LOSSLESS,
    LOSSLESS,
    frames,
    smooth_image,
    tlm_lengths,
    walk,
)

pytest.importorskip("dicodec_jpeg2k")
imagecodecs = pytest.importorskip("imagecodecs")
openjpeg = pytest.importorskip("openjpeg")

from dicodec_jpeg2k import common, imagecodecs_backend, openjpeg_backend  # noqa: E402

HT = (HTJ2K_LOSSLESS, HTJ2K_RPCL, HTJ2K)
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)


def encoders_for(spec: FrameSpec) -> list[Any]:
    """Every backend able to encode ``spec``."""
    out: list[Any] = [imagecodecs_backend]
    if (
        spec.transfer_syntax in (J2K_LOSSLESS, J2K)
        and min(spec.rows, spec.columns) >= openjpeg_backend.MIN_SIZE
        and spec.bits_stored > 1
    ):
        out.append(openjpeg_backend)
    return out


def check_codestream(cs: bytes, spec: FrameSpec, mct: bool, lossy: bool) -> None:
    """The markers of a codestream we wrote, read with the test's own walker."""
    w = walk(cs)
    ht = spec.transfer_syntax in HT
    assert w.eoc, "the codestream ends with EOC"
    assert len(w.precision) == spec.samples_per_pixel
    if ht:
        container = 8 if spec.bits_allocated <= 8 else 16
        assert w.precision == [container] * spec.samples_per_pixel  # OpenJPH declares the container
        assert w.has(0xFF50) and w.rsiz & 0x4000, "HTJ2K needs CAP and the Part 15 Rsiz bit"
        assert w.progression == "RPCL"
    else:
        assert w.precision == [spec.bits_stored] * spec.samples_per_pixel
        assert not w.has(0xFF50) and not w.rsiz & 0x4000
        assert w.progression in ("LRCP", "RPCL")  # imagecodecs' PSNR mode writes RPCL
    assert w.signed == [bool(spec.pixel_representation)] * spec.samples_per_pixel
    assert w.reversible is not lossy
    assert w.mct is mct
    if spec.transfer_syntax == HTJ2K_RPCL:
        assert w.has(0xFF55), ".202 needs TLM marker segments"
        assert tlm_lengths(w) == [psot for _, psot, _, _ in w.tile_parts]
        assert len(w.tile_parts) == w.levels + 1, "one tile-part per resolution"
        assert [tp for _, _, tp, _ in w.tile_parts] == list(range(w.levels + 1))
    else:
        assert not w.has(0xFF55)


def decode_everywhere(cs: bytes, spec: FrameSpec) -> list[np.ndarray]:
    """The frame decoded by both codecs and by the raw libraries."""
    results = [imagecodecs_backend.decode(cs, spec, None).array, openjpeg_backend.decode(cs, spec, None).array]
    results.append(imagecodecs.jpeg2k_decode(cs).reshape(spec.shape))
    if spec.transfer_syntax in HT:
        results.append(imagecodecs.htj2k_decode(cs, planar=False).reshape(spec.shape))
    return results


# ------------------------------------------------------------------ lossless


@given(frame=frames(LOSSLESS), use_mct=st.booleans())
@SLOW
def test_lossless_round_trip_every_combination(frame: tuple[FrameSpec, np.ndarray], use_mct: bool) -> None:
    """Every Bits Allocated / Stored, signedness, samples and colour transform: exact with every decoder."""
    spec, arr = frame
    for backend in encoders_for(spec):
        encoded = backend.encode(arr, spec, {"use_mct": use_mct})
        cs = bytes(encoded.data)
        mct = use_mct and spec.photometric_interpretation == "RGB" and spec.bits_stored > 1
        check_codestream(cs, spec, mct=mct, lossy=False)
        expected_pi = "YBR_RCT" if mct else spec.photometric_interpretation
        assert encoded.changes == {"PhotometricInterpretation": expected_pi}
        for decoded in decode_everywhere(cs, spec):
            np.testing.assert_array_equal(decoded.astype(np.int64), arr.astype(np.int64))


@given(frame=frames(LOSSLESS, min_side=32, max_side=48))
@settings(deadline=None, max_examples=40)
def test_both_jpeg2000_encoders_write_the_same_image(frame: tuple[FrameSpec, np.ndarray]) -> None:
    spec, arr = frame
    spec = spec.replace(transfer_syntax=J2K_LOSSLESS)
    if spec.bits_stored == 1:
        with pytest.raises(ValueError, match="cannot encode 1-bit samples reliably"):
            openjpeg_backend.encode(arr, spec, {})
        return
    a = bytes(imagecodecs_backend.encode(arr, spec, {}).data)
    b = bytes(openjpeg_backend.encode(arr, spec, {}).data)
    np.testing.assert_array_equal(imagecodecs.jpeg2k_decode(a), imagecodecs.jpeg2k_decode(b))


@pytest.mark.parametrize("ts", LOSSLESS)
@pytest.mark.parametrize("codec", ["jpeg2k.imagecodecs", "jpeg2k.openjpeg"])
@pytest.mark.parametrize("name", ["ct", "mr", "rgb_color", "ybr_color", "palette", "multiframe"])
def test_data_set_round_trip(ts: str, codec: str, name: str) -> None:
    ds = getattr(examples, name)
    ref = pixel_array(ds)
    if codec == "jpeg2k.openjpeg" and (ts in HT or min(ds.Rows, ds.Columns) < 32):
        with pytest.raises(NoCodecAvailableError if ts in HT else CodecError):
            ds.compress(ts, encoding_plugin=codec)
        return
    ds.compress(ts, encoding_plugin=codec)
    assert ds.file_meta.TransferSyntaxUID == ts
    assert ds.get("LossyImageCompression") in (None, "00")
    np.testing.assert_array_equal(pixel_array(ds), ref)
    # written, read back, and decoded by pydicom (a test-only oracle) too
    buf = io.BytesIO()
    dicodec.dcmwrite(buf, ds)
    buf.seek(0)
    np.testing.assert_array_equal(pixel_array(dicodec.dcmread(buf)), ref)
    pydicom = pytest.importorskip("pydicom")
    buf.seek(0)
    np.testing.assert_array_equal(pydicom.dcmread(buf).pixel_array, ref)


@pytest.mark.parametrize("ts", [J2K_LOSSLESS, HTJ2K_LOSSLESS, HTJ2K_RPCL])
def test_one_bit_frames(ts: str) -> None:
    """Bits Allocated 1: one 0/1 sample per byte in the codestream (precision 1 for JPEG 2000)."""
    bits = (smooth_image(64, 48, 1, 8, 7) > 128).astype(np.uint8)
    ds = examples.mr
    ds.set_pixel_data(np.stack([bits, 1 - bits]), "MONOCHROME2", 1)
    assert ds.BitsAllocated == 1
    ds.compress(ts, encoding_plugin="jpeg2k.imagecodecs")
    np.testing.assert_array_equal(pixel_array(ds), np.stack([bits, 1 - bits]))
    from dicodec.encaps import generate_frames

    cs = next(generate_frames(ds.PixelData, number_of_frames=2))
    assert walk(cs).precision == [1 if ts == J2K_LOSSLESS else 8]


@pytest.mark.parametrize("samples", [1, 3])
def test_one_bit_noise(samples: int) -> None:
    """Noisy 1-bit frames: OpenJPEG cannot code them after a wavelet, nor colour-transform them."""
    shape = (300, 260) if samples == 1 else (300, 260, 3)
    arr = np.random.default_rng(11).integers(0, 2, shape).astype(np.uint8)
    spec = FrameSpec(300, 260, samples_per_pixel=samples, bits_allocated=8, bits_stored=1,
                     photometric_interpretation="MONOCHROME2" if samples == 1 else "RGB",
                     transfer_syntax=J2K_LOSSLESS)
    frame = imagecodecs_backend.encode(arr, spec, {})
    assert frame.changes["PhotometricInterpretation"] == spec.photometric_interpretation
    w = walk(bytes(frame.data))
    assert (w.levels, w.mct, w.precision) == (0, False, [1] * samples)
    for decoded in decode_everywhere(bytes(frame.data), spec):
        np.testing.assert_array_equal(decoded, arr)
    with pytest.raises(ValueError, match="cannot encode 1-bit samples reliably"):
        openjpeg_backend.encode(arr, spec, {})


def test_ybr_full_422_frames_are_written_as_ybr_full() -> None:
    spec = FrameSpec(8, 8, samples_per_pixel=3, bits_allocated=8, bits_stored=8,
                     photometric_interpretation="YBR_FULL_422", transfer_syntax=J2K_LOSSLESS)
    arr = smooth_image(8, 8, 3, 8, 8)
    frame = imagecodecs_backend.encode(arr, spec, {})
    assert frame.changes["PhotometricInterpretation"] == "YBR_FULL"
    assert not walk(bytes(frame.data)).mct


# ------------------------------------------------------------------ lossy


@st.composite
def lossy_frames(draw: st.DrawFn) -> tuple[FrameSpec, np.ndarray, dict[str, Any]]:
    ts = draw(st.sampled_from([J2K, HTJ2K]))
    bits = draw(st.sampled_from([8, 12, 16]))
    samples = 3 if bits == 8 and draw(st.booleans()) else 1
    rows, columns = draw(st.integers(32, 96)), draw(st.integers(32, 96))
    arr = smooth_image(rows, columns, samples, bits, draw(st.integers(0, 1000)))
    spec = FrameSpec(
        rows=rows, columns=columns, samples_per_pixel=samples,
        bits_allocated=8 if bits == 8 else 16, bits_stored=bits,
        photometric_interpretation="RGB" if samples == 3 else "MONOCHROME2", transfer_syntax=ts,
    )
    if draw(st.booleans()):
        layers = 1 if ts == HTJ2K else draw(st.integers(1, 3))
        ratios = sorted(draw(st.lists(st.floats(2, 40), min_size=layers, max_size=layers, unique=True)), reverse=True)
        options: dict[str, Any] = {"j2k_cr": ratios}
    else:
        low = {8: 28.0, 12: 40.0, 16: 50.0}[bits]
        layers = 1 if ts == HTJ2K else draw(st.integers(1, 2))
        psnrs = sorted(draw(st.lists(st.floats(low, low + 14), min_size=layers, max_size=layers, unique=True)))
        options = {"j2k_psnr": psnrs}
    options["use_mct"] = draw(st.booleans())
    return spec, arr, options


def smallest_codestream(arr: np.ndarray, spec: FrameSpec, layers: int, mct: bool) -> int:
    """Bytes of the smallest lossy codestream the library writes for this frame."""
    if spec.transfer_syntax == HTJ2K:
        levels = min(5, int(np.log2(min(spec.rows, spec.columns))))
        return len(imagecodecs.htj2k_encode(arr, level=1.0, reversible=False, planar=False, rgb=mct, resolutions=levels))
    ratios = [1e6 * (layers - i) for i in range(layers)]
    return len(openjpeg.encode(arr, bits_stored=spec.bits_stored, compression_ratios=ratios))


@given(lossy_frames())
@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_lossy_encodes_meet_the_requested_ratio_or_psnr(case: tuple[FrameSpec, np.ndarray, dict[str, Any]]) -> None:
    spec, arr, options = case
    backends = [imagecodecs_backend] if spec.transfer_syntax == HTJ2K else [openjpeg_backend]
    if spec.transfer_syntax == J2K and "j2k_psnr" in options and len(options["j2k_psnr"]) == 1:
        backends.append(imagecodecs_backend)
    for backend in backends:
        try:
            frame = backend.encode(arr, spec, options)
        except ValueError as exc:
            # only a ratio beyond the smallest codestream the library writes may be refused
            assert "compression ratio" in str(exc), exc
            mct = options["use_mct"] and spec.samples_per_pixel == 3
            smallest = smallest_codestream(arr, spec, len(options["j2k_cr"]), mct)
            assert common.uncompressed_size(spec) / smallest < options["j2k_cr"][-1]
            continue
        cs = bytes(frame.data)
        ratio = common.uncompressed_size(spec) / len(cs)
        decoded = imagecodecs_backend.decode(cs, spec, None).array
        if "j2k_cr" in options:
            assert ratio >= options["j2k_cr"][-1]
            assert walk(cs).layers == len(options["j2k_cr"])
        else:
            assert common.psnr(arr, decoded, spec.bits_stored) >= options["j2k_psnr"][-1]
            assert walk(cs).layers == len(options["j2k_psnr"])
        mct = options["use_mct"] and spec.samples_per_pixel == 3
        check_codestream(cs, spec, mct=mct, lossy=True)
        assert frame.changes == {
            "PhotometricInterpretation": "YBR_ICT" if mct else spec.photometric_interpretation,
            "LossyImageCompression": "01",
            "LossyImageCompressionRatio": round(ratio, 2),
            "LossyImageCompressionMethod": "ISO_15444_15" if spec.transfer_syntax == HTJ2K else "ISO_15444_1",
        }
        # the pylibjpeg decoder agrees with imagecodecs' OpenJPEG exactly, OpenJPH within rounding
        np.testing.assert_array_equal(openjpeg_backend.decode(cs, spec, None).array, decoded)


@pytest.mark.parametrize("ts, method", [(J2K, "ISO_15444_1"), (HTJ2K, "ISO_15444_15")])
def test_lossy_changes_reach_the_data_set(ts: str, method: str) -> None:
    ds = examples.ct
    ref = pixel_array(ds)
    ds.compress(ts, encoding_plugin="jpeg2k", j2k_cr=[10])
    assert ds.LossyImageCompression == "01"
    assert ds.LossyImageCompressionMethod == method
    assert float(ds.LossyImageCompressionRatio) >= 10
    assert ds.PhotometricInterpretation == "MONOCHROME2"
    diff = np.abs(pixel_array(ds).astype(int) - ref)
    assert 0 < diff.max() < 200


def test_rgb_lossy_becomes_ybr_ict_and_without_mct_stays_rgb() -> None:
    for use_mct, pi in ((True, "YBR_ICT"), (False, "RGB")):
        for ts in (J2K, HTJ2K):
            ds = examples.rgb_color.compress(ts, encoding_plugin="jpeg2k", j2k_psnr=[40], use_mct=use_mct)
            assert ds.PhotometricInterpretation == pi
            arr, meta = dicodec.pixels.get_decoder(ts).as_array(ds)
            assert meta["photometric_interpretation"] == "RGB"
            assert common.psnr(pixel_array(examples.rgb_color), arr, 8) >= 40


def test_j2k_cr_falls_back_to_pylibjpeg_openjpeg() -> None:
    """imagecodecs' OpenJPEG binding has no rate control: jpeg2k.openjpeg takes over."""
    ds = examples.ct
    with pytest.raises(CodecError, match="PSNR target only"):
        ds.compress(J2K, encoding_plugin="jpeg2k.imagecodecs", j2k_cr=[10])
    # this plugin's codecs in priority order: imagecodecs refuses, pylibjpeg-openjpeg encodes
    examples.ct.compress(J2K, encoding_plugin="jpeg2k", j2k_cr=[20, 10])


def test_unreachable_targets_raise_clearly() -> None:
    arr = smooth_image(40, 40, 3, 8, 9)
    spec = FrameSpec(40, 40, samples_per_pixel=3, bits_allocated=8, bits_stored=8,
                     photometric_interpretation="RGB", transfer_syntax=J2K)
    with pytest.raises(ValueError, match=r"did not reach a PSNR of 90\.0 dB"):
        openjpeg_backend.encode(arr, spec, {"j2k_psnr": [90]})
    with pytest.raises(ValueError, match=r"cannot reach a PSNR of 90\.0 dB"):
        imagecodecs_backend.encode(arr, spec.replace(transfer_syntax=HTJ2K), {"j2k_psnr": [90]})
    with pytest.raises(ValueError, match=r"cannot reach a compression ratio of 100000\.0"):
        imagecodecs_backend.encode(arr, spec.replace(transfer_syntax=HTJ2K), {"j2k_cr": [100000]})


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "ts, options, message",
    [
        (J2K_LOSSLESS, {"j2k_cr": [10]}, "is lossless"),
        (HTJ2K_RPCL, {"j2k_psnr": [40]}, "is lossless"),
        (J2K, {}, "is lossy here"),
        (HTJ2K, {}, "is lossy here"),
        (J2K, {"j2k_cr": [10], "j2k_psnr": [40]}, "not both"),
        (J2K, {"j2k_cr": [5, 10]}, "must decrease"),
        (J2K, {"j2k_cr": [0.5]}, "at least 1"),
        (J2K, {"j2k_psnr": [40, 30]}, "must increase"),
        (J2K, {"j2k_psnr": [-3]}, "must be positive"),
        (J2K, {"j2k_cr": "ten"}, "must be a number"),
        (J2K, {"j2k_cr": [float("nan")]}, "finite numbers"),
        (J2K, {"j2k_cr": [True]}, "finite numbers"),
        (J2K_LOSSLESS, {"use_mct": "yes"}, "use_mct must be True or False"),
        (HTJ2K, {"j2k_cr": [20, 10]}, "OpenJPH writes a single quality layer"),
    ],
)
def test_bad_options_are_refused(ts: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(CodecError, match=message):
        examples.ct.compress(ts, encoding_plugin="jpeg2k", **options)


@pytest.mark.parametrize("backend", [imagecodecs_backend, openjpeg_backend])
def test_bad_frames_are_refused(backend: Any) -> None:
    spec = FrameSpec(32, 32, bits_allocated=16, bits_stored=12, transfer_syntax=J2K_LOSSLESS)
    with pytest.raises(ValueError, match=r"sample values \[4096, 4096\] are outside the range of Bits Stored 12"):
        backend.encode(np.full((32, 32), 4096, np.uint16), spec, {})
    with pytest.raises(ValueError, match="has shape"):
        backend.encode(np.zeros((3, 3), np.uint16), spec, {})
    with pytest.raises(ValueError, match="cannot JPEG 2000 encode float"):
        backend.encode(np.zeros((32, 32), np.float32), spec, {})
    with pytest.raises(ValueError, match="Samples per Pixel 2"):
        backend.encode(np.zeros((32, 32, 2), np.uint16), spec.replace(samples_per_pixel=2), {})


def test_pylibjpeg_openjpeg_is_not_offered_for_htj2k_or_small_frames() -> None:
    spec = FrameSpec(64, 64, bits_allocated=16, bits_stored=16, transfer_syntax=HTJ2K_LOSSLESS)
    refused = re.escape("jpeg2k.openjpeg: this codec encodes 1.2.840.10008.1.2.4.90, 1.2.840.10008.1.2.4.91 only")
    # (a core with CodecSpec.encode_transfer_syntaxes does not even list it)
    with pytest.raises(NoCodecAvailableError, match=f"{refused}|no encoder is registered"):
        get_encoder(HTJ2K_LOSSLESS).codecs_for(spec, "jpeg2k.openjpeg")
    assert [e.name for e in get_encoder(HTJ2K_LOSSLESS).codecs_for(spec, "jpeg2k")] == ["jpeg2k.imagecodecs"]
    assert [e.name for e in get_encoder(J2K).codecs_for(spec.replace(transfer_syntax=J2K), "jpeg2k")] == [
        "jpeg2k.imagecodecs", "jpeg2k.openjpeg"
    ]
    with pytest.raises(ValueError, match="smaller than 32 × 32"):
        openjpeg_backend.encode(np.zeros((16, 64), np.uint16), spec.replace(rows=16, transfer_syntax=J2K_LOSSLESS), {})
    with pytest.raises(ValueError, match="encodes JPEG 2000"):
        openjpeg_backend.encode(np.zeros((64, 64), np.uint16), spec, {})


@pytest.mark.parametrize("ts", ALL)
def test_encoder_availability(ts: str) -> None:
    assert "jpeg2k.imagecodecs" in get_encoder(ts).available_plugins
