"""Decoding with dicodec-jpeg2k: corpus, corrections, colour, threads, bad data."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dicodec
from dicodec import examples
from dicodec.dataelem import DataElement
from dicodec.encaps import encapsulate, generate_frames
from dicodec.errors import CodecError
from dicodec.pixels import get_decoder, iter_pixels, pixel_array
from dicodec.plugins.records import FrameSpec

from ...corpus import CORPUS, corpus_path, corpus_rows, params
from .helpers import HTJ2K, HTJ2K_LOSSLESS, HTJ2K_RPCL, J2K, J2K_LOSSLESS, smooth_image

pytest.importorskip("dicodec_jpeg2k")
imagecodecs = pytest.importorskip("imagecodecs")
openjpeg = pytest.importorskip("openjpeg")

from dicodec_jpeg2k import imagecodecs_backend, openjpeg_backend  # noqa: E402

CODECS = ["jpeg2k.imagecodecs", "jpeg2k.openjpeg"]
BACKENDS = {"jpeg2k.imagecodecs": imagecodecs_backend, "jpeg2k.openjpeg": openjpeg_backend}
SYNTAXES = ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203")
PIXEL_ROWS = [r for r in corpus_rows("pixels") if r["transfer_syntax"] in SYNTAXES]
ERROR_ROWS = [r for r in corpus_rows("decode-error") if r["transfer_syntax"] in SYNTAXES]


def reference(row: dict[str, str]) -> np.ndarray:
    key = hashlib.sha1(row["relpath"].encode()).hexdigest()
    return np.load(CORPUS / "reference" / f"{key}.npz")["ref"]


def check_against_manifest(arr: np.ndarray, row: dict[str, str]) -> None:
    arr = np.ascontiguousarray(arr)
    assert "x".join(map(str, arr.shape)) == row["ref_shape"]
    assert str(arr.dtype) == row["ref_dtype"]
    tolerance = int(row["tolerance"] or 0)
    if tolerance == 0:
        assert hashlib.sha256(arr.tobytes()).hexdigest() == row["ref_sha256"]
    else:
        diff = np.abs(arr.astype(np.int64) - reference(row).astype(np.int64)).max()
        assert diff <= tolerance


def encapsulated(frames: list[bytes], template: np.ndarray, pi: str, bits_stored: int, ts: str, **elements: Any) -> Any:
    """A data set holding ``frames`` as encapsulated Pixel Data of syntax ``ts``."""
    ds = examples.mr
    ds.set_pixel_data(np.zeros_like(template), pi, bits_stored)  # the description only
    ds[0x7FE00010] = DataElement(0x7FE00010, "OB", encapsulate(frames), is_undefined_length=True, validate=False)
    ds.file_meta.TransferSyntaxUID = ts
    for keyword, value in elements.items():
        setattr(ds, keyword, value)
    return ds


# ------------------------------------------------------------------ corpus


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("row", params(PIXEL_ROWS))
def test_corpus_decodes_to_the_reference(row: dict[str, str], codec: str) -> None:
    arr = pixel_array(corpus_path(row), decoding_plugin=codec)
    check_against_manifest(arr, row)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("row", params(ERROR_ROWS))
def test_corrupt_corpus_files_raise_a_codec_error(row: dict[str, str], codec: str) -> None:
    with pytest.raises(CodecError, match="frame 0") as info:
        pixel_array(corpus_path(row), decoding_plugin=codec)
    assert isinstance(info.value.__cause__, ValueError)


def test_default_codec_is_imagecodecs_for_every_syntax() -> None:
    for ts in SYNTAXES:
        assert get_decoder(ts).available_plugins[:2] == CODECS


# ------------------------------------------------ SIZ / Pixel Representation

TOSHIBA = "pylibjpeg-data/ds/JPEG2000Lossless/"


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "name, siz_signed, ds_signed",
    [("TOSHIBA_J2K_SIZ0_PixRep1.dcm", 0, 1), ("TOSHIBA_J2K_SIZ1_PixRep0.dcm", 1, 0), ("TOSHIBA_J2K_OpenJPEGv2Regression.dcm", 0, 1)],
)
def test_siz_signedness_is_reported_when_it_differs(codec: str, name: str, siz_signed: int, ds_signed: int) -> None:
    path = CORPUS / "files" / TOSHIBA / name
    if not path.exists():
        pytest.skip("corpus absent")
    ds = dicodec.dcmread(path)
    frame = next(generate_frames(ds.PixelData, number_of_frames=1))
    spec = FrameSpec(512, 512, bits_allocated=16, bits_stored=16, pixel_representation=ds_signed, transfer_syntax=J2K_LOSSLESS)
    decoded = BACKENDS[codec].decode(frame, spec, None)
    assert decoded.pixel_representation == siz_signed
    assert decoded.bits_stored == 16
    assert decoded.array.dtype == np.dtype("int16" if ds_signed else "uint16")
    # same-signedness frames report nothing (the core then leaves lossy overshoot alone)
    same = BACKENDS[codec].decode(frame, spec.replace(pixel_representation=siz_signed), None)
    assert same.pixel_representation is None


@pytest.mark.parametrize("codec", CODECS)
def test_unsigned_codestream_in_signed_data_set_is_sign_extended(codec: str) -> None:
    """SIZ unsigned 12-bit, Pixel Representation 1: the core reinterprets at the codestream precision."""
    values = np.array([[0, 1, 2047, 2048, 4095] * 8] * 32, dtype=np.uint16)
    spec = FrameSpec(32, 40, bits_allocated=16, bits_stored=12, transfer_syntax=J2K_LOSSLESS)
    cs = bytes(imagecodecs_backend.encode(values, spec, {}).data)
    ds = encapsulated([cs], values.astype(np.int16), "MONOCHROME2", 12, J2K_LOSSLESS, PixelRepresentation=1)
    arr = pixel_array(ds, decoding_plugin=codec)
    assert arr.dtype == np.int16
    assert arr[0, :5].tolist() == [0, 1, 2047, -2048, -1]


@pytest.mark.parametrize("codec", CODECS)
def test_signed_codestream_in_unsigned_data_set_is_masked(codec: str) -> None:
    """SIZ signed 12-bit, Pixel Representation 0, Bits Stored 12: two's complement read as unsigned."""
    values = np.array([[0, 1, -1, -2048, 2047] * 8] * 32, dtype=np.int16)
    spec = FrameSpec(32, 40, bits_allocated=16, bits_stored=12, pixel_representation=1, transfer_syntax=J2K_LOSSLESS)
    cs = bytes(imagecodecs_backend.encode(values, spec, {}).data)
    ds = encapsulated([cs], values.view(np.uint16) & 0xFFF, "MONOCHROME2", 12, J2K_LOSSLESS, PixelRepresentation=0)
    arr = pixel_array(ds, decoding_plugin=codec)
    assert arr.dtype == np.uint16
    assert arr[0, :5].tolist() == [0, 1, 4095, 2048, 2047]


@pytest.mark.parametrize("codec", CODECS)
def test_precision_below_the_container_is_widened(codec: str) -> None:
    """An 8-bit codestream in a Bits Allocated 16 data set decodes through one widening copy."""
    values = smooth_image(40, 36, 1, 8, 1)
    spec8 = FrameSpec(40, 36, bits_allocated=8, bits_stored=8, transfer_syntax=HTJ2K_LOSSLESS)
    cs = bytes(imagecodecs_backend.encode(values, spec8, {}).data)
    spec16 = spec8.replace(bits_allocated=16)
    out = np.full(spec16.shape, 0xABCD, np.uint16)
    decoded = BACKENDS[codec].decode(cs, spec16, out)
    assert decoded.array is out and decoded.bits_stored == 8
    np.testing.assert_array_equal(out, values)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("bits, signed", [(20, False), (24, True), (17, False)])
def test_bits_allocated_32(codec: str, bits: int, signed: bool) -> None:
    """Precision above 16 (written by pylibjpeg-openjpeg) decodes into 32-bit containers."""
    lo, hi = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    arr = np.random.default_rng(bits).integers(lo, hi, (40, 36)).astype(np.int32 if signed else np.uint32)
    cs = openjpeg.encode(arr, bits_stored=bits)
    spec = FrameSpec(40, 36, bits_allocated=32, bits_stored=bits, pixel_representation=int(signed), transfer_syntax=J2K_LOSSLESS)
    out = np.empty(spec.shape, spec.dtype)
    decoded = BACKENDS[codec].decode(cs, spec, out)
    # decoded in place exactly as specified: out itself (the short form), or a frame saying so
    assert decoded is out or (decoded.array is out and decoded.bits_stored == bits)
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize("codec", CODECS)
def test_precision_above_the_container_is_refused(codec: str) -> None:
    spec = FrameSpec(40, 40, bits_allocated=16, bits_stored=16, transfer_syntax=J2K_LOSSLESS)
    cs = bytes(imagecodecs_backend.encode(np.zeros((40, 40), np.uint16), spec, {}).data)
    with pytest.raises(ValueError, match="16-bit samples, more than Bits Allocated 8"):
        BACKENDS[codec].decode(cs, spec.replace(bits_allocated=8, bits_stored=8), None)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "change, message",
    [({"rows": 41}, r"40 × 40 \(columns × rows\) but the data set says 40 × 41"), ({"samples_per_pixel": 3, "photometric_interpretation": "RGB"}, "1 component")],
)
def test_geometry_mismatch_is_refused_before_decoding(codec: str, change: dict[str, Any], message: str) -> None:
    spec = FrameSpec(40, 40, bits_allocated=16, bits_stored=16, transfer_syntax=J2K_LOSSLESS)
    cs = bytes(imagecodecs_backend.encode(np.zeros((40, 40), np.uint16), spec, {}).data)
    with pytest.raises(ValueError, match=message):
        BACKENDS[codec].decode(cs, spec.replace(**change), None)


# ------------------------------------------------------------------ colour


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("ts, pi", [(J2K_LOSSLESS, "YBR_RCT"), (HTJ2K_LOSSLESS, "YBR_RCT"), (J2K, "YBR_ICT"), (HTJ2K, "YBR_ICT")])
def test_colour_transformed_frames_come_back_as_rgb(codec: str, ts: str, pi: str) -> None:
    rgb = smooth_image(48, 40, 3, 8, 2)
    ds = examples.rgb_color
    ds.set_pixel_data(rgb, "RGB", 8)
    options = {} if pi == "YBR_RCT" else {"j2k_psnr": [45]}
    ds.compress(ts, encoding_plugin="jpeg2k.imagecodecs", **options)
    assert ds.PhotometricInterpretation == pi
    arr, meta = get_decoder(ts).as_array(ds, decoding_plugin=codec)
    assert meta["photometric_interpretation"] == "RGB"
    limit = 0 if pi == "YBR_RCT" else 12
    assert np.abs(arr.astype(int) - rgb).max() <= limit


@pytest.mark.parametrize("codec", CODECS)
def test_ybr_full_without_transform_is_converted_by_the_core(codec: str) -> None:
    ybr = pixel_array(examples.ybr_color, raw=True)
    ds = examples.ybr_color.compress(J2K_LOSSLESS, encoding_plugin="jpeg2k.imagecodecs")
    assert ds.PhotometricInterpretation == "YBR_FULL"
    raw = pixel_array(ds, raw=True, decoding_plugin=codec)
    np.testing.assert_array_equal(raw, ybr)
    np.testing.assert_array_equal(pixel_array(ds, decoding_plugin=codec), pixel_array(examples.ybr_color))


# --------------------------------------------- the OpenJPH / OpenJPEG choice


def _htj2k_08_rgb() -> tuple[dict[str, str], bytes]:
    rows = [r for r in PIXEL_ROWS if r["relpath"].endswith("HTJ2K_08_RGB.dcm")]
    if not rows:
        pytest.skip("corpus absent")
    ds = dicodec.dcmread(corpus_path(rows[0]))
    return rows[0], next(generate_frames(ds.PixelData, number_of_frames=1))


def test_openjph_wraps_lossy_htj2k_so_it_is_not_used_for_it() -> None:
    """OpenJPH 0.26 wraps overshooting irreversible samples (255 → 0) on HTJ2K_08_RGB; OpenJPEG clamps."""
    row, frame = _htj2k_08_rgb()
    ref = reference(row)
    wrapped = np.abs(imagecodecs.htj2k_decode(frame).astype(int) - ref).max()
    clamped = np.abs(imagecodecs.jpeg2k_decode(frame).astype(int) - ref).max()
    if wrapped <= int(row["tolerance"]):
        pytest.skip("this OpenJPH clamps irreversible output now; the routing is still correct")
    assert wrapped == 255 and clamped <= 1
    for codec in (None, *CODECS):
        arr = pixel_array(corpus_path(row), **({"decoding_plugin": codec} if codec else {}))
        assert np.abs(arr.astype(int) - ref).max() <= int(row["tolerance"])


def test_reversible_htj2k_goes_to_openjph_and_irreversible_to_openjpeg(monkeypatch: pytest.MonkeyPatch) -> None:
    arr = smooth_image(64, 64, 1, 16, 3)
    lossless = FrameSpec(64, 64, bits_allocated=16, bits_stored=16, transfer_syntax=HTJ2K_RPCL)
    lossy = lossless.replace(transfer_syntax=HTJ2K)
    cs_lossless = bytes(imagecodecs_backend.encode(arr, lossless, {}).data)
    cs_lossy = bytes(imagecodecs_backend.encode(arr, lossy, {"j2k_cr": 5}).data)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("wrong library")

    with monkeypatch.context() as m:
        m.setattr(imagecodecs, "jpeg2k_decode", refuse)
        np.testing.assert_array_equal(imagecodecs_backend.decode(cs_lossless, lossless).array, arr)
    with monkeypatch.context() as m:
        m.setattr(imagecodecs, "htj2k_decode", refuse)
        assert np.abs(imagecodecs_backend.decode(cs_lossy, lossy).array.astype(int) - arr).max() < 2000


# ------------------------------------------------------- out=, threads, API


@pytest.mark.parametrize("ts", [J2K_LOSSLESS, HTJ2K_LOSSLESS])
def test_imagecodecs_decodes_straight_into_out(ts: str) -> None:
    arr = smooth_image(256, 256, 1, 16, 4).astype(np.int16) - 20000
    spec = FrameSpec(256, 256, bits_allocated=16, bits_stored=16, pixel_representation=1, transfer_syntax=ts)
    cs = bytes(imagecodecs_backend.encode(arr, spec, {}).data)
    out = np.empty(spec.shape, spec.dtype)
    imagecodecs_backend.decode(cs, spec, out)  # warm up imports and caches
    tracemalloc.start()
    try:
        decoded = imagecodecs_backend.decode(memoryview(cs), spec, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decoded is out  # in place and exactly as specified: the short form
    assert peak < arr.nbytes // 8, f"decoding into out allocated {peak} bytes"
    np.testing.assert_array_equal(out, arr)


@pytest.mark.parametrize("ts", [J2K_LOSSLESS, HTJ2K_RPCL])
def test_workers_decode_frames_in_parallel_with_identical_results(ts: str) -> None:
    ds = examples.multiframe
    ref = pixel_array(ds)
    ds.compress(ts, encoding_plugin="jpeg2k.imagecodecs")
    one, _ = get_decoder(ts).as_array(ds, workers=1)
    two, meta2 = get_decoder(ts).as_array(ds, workers=2)
    np.testing.assert_array_equal(one, ref)
    np.testing.assert_array_equal(two, ref)
    assert meta2["codecs"] == ["jpeg2k.imagecodecs"] * len(ref)
    frames = [f for f, _ in get_decoder(ts).iter_array(ds)]
    np.testing.assert_array_equal(np.stack(frames), ref)
    np.testing.assert_array_equal(np.stack(list(iter_pixels(ds))), ref)


def test_j2k_threads_option() -> None:
    ds = examples.ct.compress(J2K_LOSSLESS, encoding_plugin="jpeg2k.imagecodecs")
    ref = pixel_array(examples.ct)
    for threads in (0, 1, 2):
        np.testing.assert_array_equal(pixel_array(ds, decoding_plugin="jpeg2k.imagecodecs", j2k_threads=threads), ref)
    with pytest.raises(CodecError, match="j2k_threads must be a non-negative integer"):
        pixel_array(ds, decoding_plugin="jpeg2k.imagecodecs", j2k_threads=-1, fallback=False)


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "ndarray"])
def test_decode_accepts_buffers(codec: str, kind: str) -> None:
    arr = smooth_image(40, 40, 1, 8, 5)
    spec = FrameSpec(40, 40, bits_allocated=8, bits_stored=8, transfer_syntax=J2K_LOSSLESS)
    cs = bytes(imagecodecs_backend.encode(arr, spec, {}).data)
    src: Any = {"bytes": cs, "bytearray": bytearray(cs), "memoryview": memoryview(cs), "ndarray": np.frombuffer(cs, np.uint8)}[kind]
    np.testing.assert_array_equal(BACKENDS[codec].decode(src, spec, None).array, arr)


# ------------------------------------------------------------------ bad data

_FUZZ = textwrap.dedent(
    """
    import sys
    import numpy as np
    from dicodec.plugins.records import FrameSpec
    from dicodec_jpeg2k import imagecodecs_backend as ic, openjpeg_backend as oj
    rng = np.random.default_rng(0)
    arr = rng.normal(1000, 100, (48, 40)).astype(np.uint16)
    counts = {}
    for ts, opts in [("1.2.840.10008.1.2.4.90", {}), ("1.2.840.10008.1.2.4.202", {}), ("1.2.840.10008.1.2.4.203", {"j2k_cr": [8]})]:
        spec = FrameSpec(48, 40, bits_allocated=16, bits_stored=16, transfer_syntax=ts)
        good = bytes(ic.encode(arr, spec, opts).data)
        for seed in range(int(sys.argv[1])):
            r = np.random.default_rng(seed)
            b = bytearray(good)
            mode = seed % 4
            if mode == 0:
                b = b[: int(r.integers(0, len(b)))]
            elif mode == 1:
                for _ in range(int(r.integers(1, 8))):
                    b[int(r.integers(0, len(b)))] = int(r.integers(0, 256))
            elif mode == 2:
                i = int(r.integers(0, len(b))); j = int(r.integers(i, len(b)))
                b[i:j] = r.integers(0, 256, j - i).astype(np.uint8).tobytes()
            else:
                b[int(r.integers(2, 60))] ^= 0xFF
            for name, backend in (("ic", ic), ("oj", oj)):
                try:
                    backend.decode(bytes(b), spec, np.empty(spec.shape, spec.dtype))
                    key = (name, "decoded")
                except Exception:
                    key = (name, "raised")
                counts[key] = counts.get(key, 0) + 1
    print(sorted(counts.items()))
    """
)


def test_corrupt_codestreams_raise_or_decode_but_never_crash(tmp_path: Path) -> None:
    """Truncated, overwritten and bit-flipped codestreams, in a child process so a crash shows."""
    script = tmp_path / "fuzz.py"
    script.write_text(_FUZZ)
    proc = subprocess.run([sys.executable, str(script), "150"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"the decoder process died ({proc.returncode}): {proc.stderr[-2000:]}"
    assert "raised" in proc.stdout


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("data", [b"", b"\xff\x4f", b"not a codestream at all", bytes(100)])
def test_garbage_raises_value_error(codec: str, data: bytes) -> None:
    spec = FrameSpec(8, 8, bits_allocated=8, bits_stored=8, transfer_syntax=HTJ2K_LOSSLESS)
    with pytest.raises(ValueError):
        BACKENDS[codec].decode(data, spec, None)
