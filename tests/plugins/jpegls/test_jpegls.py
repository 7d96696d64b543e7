"""Tests for the dicodec-jpegls plugin: JPEG-LS Lossless (…4.80) and Near-Lossless (…4.81)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dicodec
from dicodec import Dataset
from dicodec.errors import CodecError, DicodecError, NoCodecAvailableError
from dicodec.pixels import get_decoder, iter_pixels, pixel_array, set_pixel_data
from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

from ...corpus import corpus_path, corpus_rows, params

pytest.importorskip("dicodec_jpegls")

from dicodec_jpegls import common, libcharls, plugin
from dicodec_jpegls.codestream import parse_header

LOSSLESS = "1.2.840.10008.1.2.4.80"
NEAR_LOSSLESS = "1.2.840.10008.1.2.4.81"
SYNTAXES = (LOSSLESS, NEAR_LOSSLESS)


def _backend(name: str) -> Any:
    """The backend module of a codec, or skip when its library is missing."""
    module, library = {
        "jpegls.imagecodecs": ("imagecodecs_backend", "imagecodecs"),
        "jpegls.charls": ("pyjpegls_backend", "jpeg_ls"),
        "jpegls.libjpeg": ("libjpeg_backend", "libjpeg"),
    }[name]
    pytest.importorskip(library)
    return __import__(f"dicodec_jpegls.{module}", fromlist=["decode"])


DECODERS = ("jpegls.imagecodecs", "jpegls.charls", "jpegls.libjpeg")
ENCODERS = ("jpegls.imagecodecs", "jpegls.charls")


def make_spec(
    rows: int = 16,
    columns: int = 16,
    samples: int = 1,
    bits_allocated: int = 16,
    bits_stored: int = 16,
    signed: int = 0,
    ts: str = LOSSLESS,
) -> FrameSpec:
    return FrameSpec(
        rows=rows,
        columns=columns,
        samples_per_pixel=samples,
        bits_allocated=bits_allocated,
        bits_stored=bits_stored,
        pixel_representation=signed,
        photometric_interpretation="RGB" if samples == 3 else "MONOCHROME2",
        transfer_syntax=ts,
    )


def decode(name: str, data: Any, spec: FrameSpec, *, with_out: bool = True) -> np.ndarray:
    """Decode through a backend and apply the core's one correction step, as the core does."""
    from dicodec.pixels.corrections import finish_frame

    out = np.full(spec.shape, 77, spec.dtype)
    result = _backend(name).decode(data, spec, out if with_out else None)
    assert isinstance(result, DecodedFrame)
    if with_out:
        assert result.array is out
    finish_frame(result, spec, out, raw=True, as_rgb=False, native=False)
    return out


def encode(name: str, arr: np.ndarray, spec: FrameSpec, **options: Any) -> EncodedFrame:
    result = _backend(name).encode(arr, spec, options)
    assert isinstance(result, EncodedFrame)
    return result


def header(data: Any) -> Any:
    return parse_header(bytes(data))


# ------------------------------------------------------------------ the plugin
def test_entry_point_is_discoverable() -> None:
    eps = importlib.metadata.entry_points(group="dicodec.plugins")
    found = [ep for ep in eps if ep.name == "jpegls"]
    assert found and found[0].value == "dicodec_jpegls.plugin"
    assert found[0].load() is plugin
    assert found[0].dist is not None and found[0].dist.name == "dicodec-jpegls"


def test_libjpeg_is_an_opt_in_extra() -> None:
    requires = importlib.metadata.requires("dicodec-jpegls") or []
    defaults = [r for r in requires if "extra ==" not in r]
    extras = [r for r in requires if "extra ==" in r]
    assert not any("libjpeg" in r for r in defaults), defaults
    assert any(r.startswith("pylibjpeg-libjpeg") and 'extra == "libjpeg"' in r for r in extras), extras
    assert any(r.startswith("imagecodecs") for r in defaults) and any(r.startswith("pyjpegls") for r in defaults)


def test_plugin_declares_lazy_codecs() -> None:
    assert plugin.DICODEC_API_VERSION == 1
    specs = {c.name: c for c in plugin.dicodec_codecs()}
    assert list(specs) == ["jpegls.imagecodecs", "jpegls.charls", "jpegls.libjpeg"]
    for spec in specs.values():
        assert spec.transfer_syntaxes == SYNTAXES
        assert isinstance(spec.decode, str) and spec.decode.startswith("dicodec_jpegls.")
        assert spec.capabilities.thread_safe and spec.capabilities.signed
        assert spec.capabilities.bits_allocated == frozenset({8, 16})
    ic, charls, lj = specs.values()
    assert ic.priority > charls.priority > lj.priority
    assert ic.capabilities.releases_gil and not charls.capabilities.releases_gil and not lj.capabilities.releases_gil
    assert ic.can_encode and charls.can_encode and not lj.can_encode
    assert "[libjpeg]" in lj.install_hint and "GPL" in lj.install_hint
    assert set(ic.options) == set(charls.options) == {"jls_error", "jls_interleave"}
    assert charls.encode_capabilities is not None and charls.encode_capabilities.bits_stored == (2, 16)
    assert ic.encode_capabilities is not None and ic.encode_capabilities.bits_stored == (2, 16)
    assert ic.encode_capabilities.releases_gil and not charls.encode_capabilities.releases_gil
    refusal = charls.encode_capabilities.refusal(make_spec(samples=3, bits_allocated=8, bits_stored=8).replace(
        photometric_interpretation="YBR_FULL_422"))
    assert refusal is not None and "YBR_FULL_422" in refusal
    assert ic.capabilities.refusal(make_spec(bits_allocated=32, bits_stored=32)) is not None


def test_plugin_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, dicodec_jpegls.plugin as p; p.dicodec_codecs(); "
        "print(sorted(m for m in ('numpy', 'imagecodecs', 'jpeg_ls', '_CharLS', 'libjpeg') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_registry_order_and_functions() -> None:
    from dicodec.plugins import get_registry

    reg = get_registry()
    reg.ensure_loaded()
    if "jpegls" not in reg.plugins:  # autoload disabled in this environment
        reg.register(plugin, name="jpegls")
    for ts in SYNTAXES:
        names = [e.name for e in reg.candidates(ts, "decode") if e.name.startswith("jpegls.")]
        assert names == list(DECODERS)
        names = [e.name for e in reg.candidates(ts, "encode") if e.name.startswith("jpegls.")]
        assert names == list(ENCODERS)
        for entry in reg.candidates(ts, "decode"):
            if entry.name.startswith("jpegls.") and entry.available:
                assert entry.function("decode") is _backend(entry.name).decode


# ------------------------------------------------------------------ corpus
JLS_ROWS = [r for r in corpus_rows("pixels") if r["transfer_syntax"] in SYNTAXES]


def _check_reference(arr: np.ndarray, row: dict[str, str]) -> None:
    arr = np.ascontiguousarray(arr)
    assert "x".join(map(str, arr.shape)) == row["ref_shape"]
    assert str(arr.dtype) == row["ref_dtype"]
    assert row["tolerance"] in ("", "0")
    assert hashlib.sha256(arr.tobytes()).hexdigest() == row["ref_sha256"], row["relpath"]


@pytest.mark.parametrize("row", params(JLS_ROWS))
def test_corpus_decodes_with_the_default_codecs(row: dict[str, str]) -> None:
    arr, meta = get_decoder(row["transfer_syntax"]).as_array(str(corpus_path(row)))
    _check_reference(arr, row)
    assert set(meta["codecs"]) == {"jpegls.imagecodecs"}


def test_corpus_covers_the_files_decoders_disagree_on() -> None:
    names = {r["relpath"].rsplit("/", 1)[-1] for r in JLS_ROWS}
    if not names:
        pytest.skip("../shared/corpus is absent")
    assert {"MR1_JLSL", "JLSL_08_07_0_1F.dcm", "SC_rgb_jls_lossy_line.dcm", "SC_rgb_jls_lossy_sample.dcm",
            "CT2_JLSN", "MR1_JLSN", "RG2_JLSN.dcm"} <= names


@pytest.mark.parametrize("codec", ["jpegls.charls", "jpegls.libjpeg"])
@pytest.mark.parametrize("row", params(JLS_ROWS))
def test_corpus_decodes_with_each_other_backend(codec: str, row: dict[str, str]) -> None:
    _backend(codec)
    path = str(corpus_path(row))
    if codec == "jpegls.charls" and row["relpath"].endswith("MR1_JLSL"):
        # pyjpegls' CharLS 2.4.2 rejects this valid stream: a CodecError naming the frame
        with pytest.raises(CodecError, match=r"frame 0 .*jpegls\.charls.*leading start byte"):
            pixel_array(path, decoding_plugin=codec)
        return
    _check_reference(pixel_array(path, decoding_plugin=codec), row)


def test_fallback_when_a_backend_is_wrong() -> None:
    rows = [r for r in JLS_ROWS if r["relpath"].endswith("MR1_JLSL")]
    if not rows:
        pytest.skip("../shared/corpus is absent")
    _backend("jpegls.charls")
    path = str(corpus_path(rows[0]))
    arr, meta = get_decoder(LOSSLESS).as_array(path, decoding_plugin=["jpegls.charls", "jpegls.imagecodecs"])
    _check_reference(arr, rows[0])
    assert meta["codecs"] == ["jpegls.imagecodecs"]
    with pytest.raises(CodecError) as info:
        pixel_array(path, decoding_plugin=["jpegls.charls", "jpegls.imagecodecs"], fallback=False)
    assert [name for name, _ in info.value.attempts] == ["jpegls.charls"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("row", params([r for r in JLS_ROWS if r["frames"] not in ("", "1")]))
def test_corpus_multiframe_in_threads_and_one_at_a_time(row: dict[str, str]) -> None:
    path = str(corpus_path(row))
    _check_reference(pixel_array(path, workers=2), row)
    frames = np.stack([f for f in iter_pixels(path)])
    _check_reference(frames, row)


# ------------------------------------------------------------------ round trips
@st.composite
def frames(draw: st.DrawFn, encoder: str) -> tuple[np.ndarray, FrameSpec, dict[str, Any]]:
    samples = draw(st.sampled_from([1, 1, 3]))
    bits_allocated = draw(st.sampled_from([8, 16]))
    if encoder == "jpegls.imagecodecs" and not libcharls.available():
        bits_stored = draw(st.sampled_from([8, bits_allocated]))
    else:
        bits_stored = draw(st.integers(2, bits_allocated))
    signed = draw(st.integers(0, 1))
    ts = draw(st.sampled_from(SYNTAXES))
    near = 0 if ts == LOSSLESS else draw(st.integers(0, min(12, ((1 << bits_stored) - 1) // 2)))
    spec = make_spec(draw(st.integers(1, 20)), draw(st.integers(1, 20)), samples, bits_allocated, bits_stored, signed, ts)
    lo, hi = common.sample_range(spec, near if signed else 0)
    dtype = np.dtype(spec.dtype)
    value = st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi, 0, min(hi, 1), max(lo, -1), (lo + hi) // 2]))
    arr = draw(hnp.arrays(dtype, spec.shape, elements=value))
    options: dict[str, Any] = {"jls_error": near}
    if samples == 3:
        full = encoder == "jpegls.charls" or libcharls.available()
        choices = ["sample", "line", "none", 0, 1, 2] if full else ["sample", 2]
        options["jls_interleave"] = draw(st.sampled_from([*choices, None]))
    return arr, spec, options


def _check_round_trip(encoder: str, arr: np.ndarray, spec: FrameSpec, options: dict[str, Any]) -> None:
    result = encode(encoder, arr, spec, **options)
    near = options.get("jls_error") or 0
    info = header(result.data)
    assert (info.precision, info.rows, info.columns, info.components, info.near) == (
        spec.bits_stored, spec.rows, spec.columns, spec.samples_per_pixel, near)
    assert not info.spiff
    if spec.samples_per_pixel == 3:
        wanted = options.get("jls_interleave")
        assert info.interleave == {None: 2, "sample": 2, "line": 1, "none": 0}.get(wanted, wanted)
    if near:
        assert result.changes["LossyImageCompression"] == "01"
        assert result.changes["LossyImageCompressionMethod"] == "ISO_14495_1"
        assert float(result.changes["LossyImageCompressionRatio"]) > 0
    else:
        assert not result.changes
    for decoder in DECODERS:
        try:
            _backend(decoder)
        except pytest.skip.Exception:
            continue
        got = decode(decoder, result.data, spec)
        assert got.dtype == arr.dtype
        err = np.abs(got.astype(np.int64) - arr.astype(np.int64))
        assert int(err.max(initial=0)) <= near, (decoder, near)
        lo, hi = common.sample_range(spec)
        assert int(got.min()) >= lo and int(got.max()) <= hi


@pytest.mark.parametrize("encoder", ENCODERS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_hypothesis(encoder: str, data: st.DataObject) -> None:
    """Lossless is exact, near-lossless within NEAR for every sample, for every decoder."""
    _backend(encoder)
    arr, spec, options = data.draw(frames(encoder))
    _check_round_trip(encoder, arr, spec, options)


@pytest.mark.parametrize("encoder", ENCODERS)
@pytest.mark.parametrize("bits", [8, 12, 16])
@pytest.mark.parametrize("near", [1, 3, 10])
def test_signed_near_lossless_around_zero(encoder: str, bits: int, near: int) -> None:
    """Values near zero are the unsigned range's ends: errors must not cross to the other side."""
    if encoder == "jpegls.imagecodecs" and bits == 12 and not libcharls.available():
        pytest.skip("no CharLS library for P = 12")
    spec = make_spec(32, 32, bits_allocated=8 if bits == 8 else 16, bits_stored=bits, signed=1, ts=NEAR_LOSSLESS)
    rng = np.random.default_rng(bits * 100 + near)
    arr = rng.integers(-3 * near - 2, 3 * near + 3, spec.shape).astype(spec.dtype)
    arr[::2, ::3] = 0
    arr[1::4, ::2] = -1
    _check_round_trip(encoder, arr, spec, {"jls_error": near})
    # -1 and 0 are the two ends of the unsigned range: clamping keeps each on its side of zero
    for value in (-1, 0):
        field = np.full(spec.shape, value, spec.dtype)
        field[::3, ::5] = value - 1 if value < 0 else value + 1  # some texture
        got = decode("jpegls.imagecodecs", encode(encoder, field, spec, jls_error=near).data, spec)
        assert int(np.abs(got.astype(int) - field).max()) <= near
        assert (got < 0).all() if value < 0 else (got >= 0).all()


@pytest.mark.parametrize("encoder", ENCODERS)
def test_signed_near_lossless_refuses_the_ends_of_the_range(encoder: str) -> None:
    spec = make_spec(4, 4, bits_stored=16, signed=1, ts=NEAR_LOSSLESS)
    for bad in (32767, -32768, 32765, -32766):
        arr = np.zeros(spec.shape, np.int16)
        arr[1, 2] = bad
        with pytest.raises(ValueError, match=r"from -32765 to 32764"):
            encode(encoder, arr, spec, jls_error=3)
    arr = np.array([[-32765, 32764]], np.int16)
    spec1 = make_spec(1, 2, bits_stored=16, signed=1, ts=NEAR_LOSSLESS)
    _check_round_trip(encoder, arr, spec1, {"jls_error": 3})
    # lossless takes the whole range
    full = np.array([[-32768, 32767, -1, 0]], np.int16)
    _check_round_trip(encoder, full, make_spec(1, 4, bits_stored=16, signed=1), {})


@pytest.mark.parametrize("encoder", ENCODERS)
def test_values_outside_bits_stored_are_refused(encoder: str) -> None:
    spec = make_spec(2, 2, bits_stored=16 if encoder == "jpegls.imagecodecs" else 12)
    with pytest.raises(ValueError, match="holds values from 0 to"):
        encode(encoder, np.array([[0, 1], [2, 70000]], np.int64), spec)
    with pytest.raises(ValueError, match="holds values from -1 to"):
        encode(encoder, np.array([[0, -1], [2, 3]], np.int16), spec)
    with pytest.raises(ValueError, match="integer samples"):
        encode(encoder, np.zeros(spec.shape, np.float32), spec)
    with pytest.raises(ValueError, match="shape"):
        encode(encoder, np.zeros((3, 2), np.uint16), spec)


@pytest.mark.parametrize("encoder", ENCODERS)
def test_other_integer_dtypes_are_converted(encoder: str) -> None:
    spec = make_spec(3, 5, bits_stored=16, signed=1)
    arr = np.arange(-7, 8, dtype=np.int64).reshape(3, 5) * 1000
    assert (decode("jpegls.imagecodecs", encode(encoder, arr, spec).data, spec) == arr).all()
    spec8 = make_spec(3, 5, bits_allocated=16, bits_stored=8)  # 8-bit samples in a 16-bit container
    arr8 = np.arange(15, dtype=np.uint16).reshape(3, 5) * 17
    data = encode(encoder, arr8, spec8).data
    assert header(data).precision == 8
    for decoder in DECODERS:
        if decoder == "jpegls.libjpeg":
            pytest.importorskip("libjpeg")
        assert (decode(decoder, data, spec8) == arr8).all()


def test_imagecodecs_writes_every_precision_and_interleave_with_libcharls() -> None:
    if not libcharls.available():
        pytest.skip("no CharLS shared library next to imagecodecs")
    assert libcharls.version().startswith("2.") and libcharls.library_path()
    spec = make_spec(5, 7, bits_stored=12)
    arr = np.arange(35, dtype=np.uint16).reshape(5, 7) * 117
    data = encode("jpegls.imagecodecs", arr, spec).data
    assert isinstance(data, bytes) and header(data).precision == 12
    rgb = make_spec(5, 7, 3, 8, 8, ts=NEAR_LOSSLESS)
    colour = np.random.default_rng(1).integers(0, 256, rgb.shape).astype(np.uint8)
    for ilv in ("none", "line"):
        data = encode("jpegls.imagecodecs", colour, rgb, jls_interleave=ilv, jls_error=1).data
        assert header(data).interleave_name == ilv and header(data).near == 1
        assert int(np.abs(decode("jpegls.charls", data, rgb).astype(int) - colour).max()) <= 1
    with pytest.raises(ValueError, match="uint8 or uint16"):
        libcharls.encode(np.zeros((2, 2), np.int16), 12)
    with pytest.raises(RuntimeError, match="CharLS"):
        libcharls.encode(np.zeros((2, 2), np.uint16), 17)


def test_imagecodecs_refuses_what_it_cannot_write_without_libcharls(monkeypatch: pytest.MonkeyPatch) -> None:
    _backend("jpegls.imagecodecs")
    monkeypatch.setitem(libcharls._STATE, "lib", None)
    assert not libcharls.available()
    with pytest.raises(ValueError, match=r"Bits Stored 12, interleave 'none'.*jpegls\.charls encodes it"):
        encode("jpegls.imagecodecs", np.zeros((2, 2), np.uint16), make_spec(2, 2, bits_stored=12))
    rgb = make_spec(2, 2, 3, 8, 8)
    for ilv, name in (("line", "line"), ("none", "none"), (0, "none"), (1, "line")):
        with pytest.raises(ValueError, match=f"interleave '{name}'"):
            encode("jpegls.imagecodecs", np.zeros(rgb.shape, np.uint8), rgb, jls_interleave=ilv)
    # what jpegls_encode writes itself still works
    assert header(encode("jpegls.imagecodecs", np.zeros((2, 2), np.uint16), make_spec(2, 2)).data).precision == 16
    # and dicodec falls back to jpegls.charls
    ds = Dataset()
    arr = np.arange(2 * 6 * 6, dtype=np.uint16).reshape(2, 6, 6) * 50
    set_pixel_data(ds, arr, "MONOCHROME2", 12)
    ds.compress(LOSSLESS)
    assert (pixel_array(ds) == arr).all()


def test_libcharls_can_be_turned_off() -> None:
    code = "from dicodec_jpegls import libcharls; print(libcharls.available(), repr(libcharls.library_path()))"
    env = {**__import__("os").environ, "DICODEC_JPEGLS_NO_LIBCHARLS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False ''"


@pytest.mark.parametrize("encoder", ENCODERS)
def test_encode_options_are_validated(encoder: str) -> None:
    arr = np.zeros((4, 4), np.uint8)
    spec = make_spec(4, 4, bits_allocated=8, bits_stored=8)
    with pytest.raises(ValueError, match=r"jls_error=2 is lossy: encode to JPEG-LS Near-Lossless"):
        encode(encoder, arr, spec, jls_error=2)
    near_spec = spec.replace(transfer_syntax=NEAR_LOSSLESS)
    with pytest.raises(ValueError, match="outside 0-127"):
        encode(encoder, arr, near_spec, jls_error=128)
    with pytest.raises(ValueError, match="outside 0-127"):
        encode(encoder, arr, near_spec, jls_error=-1)
    for bad in (True, 1.5, "2"):
        with pytest.raises(ValueError, match="must be an integer"):
            encode(encoder, arr, near_spec, jls_error=bad)
    rgb = make_spec(2, 2, 3, 8, 8)
    for bad_ilv in ("planar", 3, -1, 2.0):
        with pytest.raises(ValueError, match="jls_interleave"):
            encode(encoder, np.zeros(rgb.shape, np.uint8), rgb, jls_interleave=bad_ilv)
    # NEAR 0 on near-lossless is lossless: no lossy changes; unknown options are ignored
    result = encode(encoder, arr, near_spec, jls_error=0, j2k_cr=[10])
    assert result.changes == {}
    # a mono frame ignores jls_interleave
    assert header(encode(encoder, arr, spec, jls_interleave="line").data).interleave == 0


def test_lossy_changes_ratio_matches_the_stream() -> None:
    spec = make_spec(64, 64, bits_stored=16, signed=1, ts=NEAR_LOSSLESS)
    arr = (np.arange(64 * 64).reshape(64, 64) % 500 - 250).astype(np.int16)
    result = encode("jpegls.imagecodecs", arr, spec, jls_error=4)
    ratio = float(result.changes["LossyImageCompressionRatio"])
    assert ratio == pytest.approx(64 * 64 * 2 / len(result.data), rel=0.01)


def test_pyjpegls_tiny_and_noisy_frames_encode() -> None:
    """pyjpegls sizes its output at 2x the input; the retry gives it room."""
    rng = np.random.default_rng(5)
    for shape, samples in (((1, 1), 1), ((2, 3), 1), ((5, 7, 3), 3), ((3, 2, 3), 3)):
        spec = make_spec(shape[0], shape[1], samples, 8, 8)
        arr = rng.integers(0, 256, spec.shape).astype(np.uint8)
        for ilv in ("sample", "line", "none"):
            data = encode("jpegls.charls", arr, spec, jls_interleave=ilv).data
            assert (decode("jpegls.imagecodecs", data, spec) == arr).all()


# ------------------------------------------------------------------ decode details
@pytest.mark.parametrize("decoder", DECODERS)
def test_decode_without_out_allocates(decoder: str) -> None:
    spec = make_spec(8, 9, bits_stored=12, signed=1)
    arr = (np.arange(72).reshape(8, 9) * 50 - 1800).astype(np.int16)
    data = encode("jpegls.charls", arr, spec).data
    assert (decode(decoder, data, spec, with_out=False) == arr).all()


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize("ilv", ["none", "line", "sample"])
def test_colour_interleave_modes_decode_into_out(decoder: str, ilv: str) -> None:
    spec = make_spec(6, 10, 3, 8, 8)
    arr = np.random.default_rng(2).integers(0, 256, spec.shape).astype(np.uint8)
    data = encode("jpegls.charls", arr, spec, jls_interleave=ilv).data
    assert header(data).interleave_name == ilv
    assert (decode(decoder, data, spec) == arr).all()


@pytest.mark.parametrize("decoder", DECODERS)
def test_precision_above_bits_stored(decoder: str) -> None:
    """Some encoders write P = 16 for 12-bit data (e.g. the emri and CP246 corpus files)."""
    values = np.array([[0, 1, 2047], [-2048, -1, 5]], np.int16)
    data = encode("jpegls.imagecodecs", values.view(np.uint16) & 0x0FFF, make_spec(2, 3, bits_stored=16)).data
    assert header(data).precision == 16
    assert (decode(decoder, data, make_spec(2, 3, bits_stored=12, signed=1)) == values).all()
    # unsigned data with P > Bits Stored is returned as stored (no masking)
    unsigned = np.array([[0, 4095, 17]], np.uint16)
    data = encode("jpegls.imagecodecs", unsigned, make_spec(1, 3, bits_stored=16)).data
    assert (decode(decoder, data, make_spec(1, 3, bits_stored=12)) == unsigned).all()


@pytest.mark.parametrize("decoder", DECODERS)
def test_bad_codestreams_raise(decoder: str) -> None:
    spec = make_spec(16, 16, bits_stored=12)
    arr = np.random.default_rng(3).integers(0, 4096, spec.shape).astype(np.uint16)
    data = bytes(encode("jpegls.charls", arr, spec).data)
    cases = {
        "truncated": data[: len(data) // 2],
        "no EOI": data[:-2],
        "garbage": b"\x00" * 100,
        "JPEG": b"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x10\x00\x10\x01\x01\x11\x00\xff\xd9",
        "scan damaged": data[:40] + bytes(20) + data[60:],
    }
    for name, bad in cases.items():
        if name == "scan damaged" and decoder == "jpegls.libjpeg":
            continue  # libjpeg decodes damaged entropy-coded data without noticing
        with pytest.raises(Exception) as info:  # any exception: the core wraps it
            decode(decoder, bad, spec)
        assert not isinstance(info.value, (SystemError, MemoryError)), name
    for other, why in (
        (make_spec(16, 8, bits_stored=12), "16 x 16"),
        (make_spec(16, 16, 3, 16, 12), "1 component"),
        (make_spec(16, 16, bits_allocated=8, bits_stored=8), "12-bit samples"),
    ):
        with pytest.raises(ValueError, match=why):
            decode(decoder, data, other)


@pytest.mark.parametrize("decoder", DECODERS)
def test_decode_accepts_any_buffer_and_options(decoder: str) -> None:
    spec = make_spec(4, 4, bits_allocated=8, bits_stored=8)
    arr = np.arange(16, dtype=np.uint8).reshape(4, 4)
    data = bytes(encode("jpegls.charls", arr, spec).data) + b"\x00"  # padded to even length
    for src in (data, bytearray(data), memoryview(data)):
        out = np.empty(spec.shape, spec.dtype)
        _backend(decoder).decode(src, spec, out, some_option=1)
        assert (out == arr).all()


# ------------------------------------------------------------------ public API
@pytest.mark.parametrize("bits_stored", [7, 8, 10, 12, 16])
@pytest.mark.parametrize("signed", [0, 1])
def test_dataset_compress_round_trip(bits_stored: int, signed: int) -> None:
    dtype = (np.int8 if signed else np.uint8) if bits_stored <= 8 else (np.int16 if signed else np.uint16)
    lo, hi = (-(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1) if signed else (0, (1 << bits_stored) - 1)
    rng = np.random.default_rng(bits_stored)
    arr = rng.integers(lo, hi + 1, (3, 24, 20)).astype(dtype)
    arr[0, :2, :2] = lo
    arr[1, :2, :2] = hi
    ds = Dataset()
    set_pixel_data(ds, arr, "MONOCHROME2", bits_stored)
    ds.compress(LOSSLESS)
    assert ds.file_meta.TransferSyntaxUID == LOSSLESS and "LossyImageCompression" not in ds
    got, meta = get_decoder(LOSSLESS).as_array(ds, workers=2)
    assert got.dtype == arr.dtype and (got == arr).all()
    assert meta["codecs"] == ["jpegls.imagecodecs"] * 3
    ds.decompress()
    assert (pixel_array(ds) == arr).all()


def test_dataset_compress_near_lossless_multiframe_colour() -> None:
    rgb = dicodec.examples.rgb_color
    ref = rgb.pixel_array.copy()
    for ilv in ("none", "line", "sample"):
        ds = dicodec.examples.rgb_color
        ds.compress(NEAR_LOSSLESS, jls_error=3, jls_interleave=ilv)
        assert ds.LossyImageCompression == "01" and ds.LossyImageCompressionMethod == "ISO_14495_1"
        assert float(ds.LossyImageCompressionRatio) > 1
        assert ds.PlanarConfiguration == 0
        assert int(np.abs(pixel_array(ds).astype(int) - ref).max()) <= 3


def test_lossy_ratio_covers_every_frame_and_history_is_kept() -> None:
    rng = np.random.default_rng(11)
    # frames of very different compressibility: a per-frame ratio would be far off
    arr = np.zeros((3, 64, 64), np.uint16)
    arr[1] = rng.integers(0, 4096, (64, 64))
    arr[2] = rng.integers(0, 16, (64, 64))
    ds = Dataset()
    set_pixel_data(ds, arr, "MONOCHROME2", 12)
    ds.compress(NEAR_LOSSLESS, jls_error=2)
    sizes = [len(f) for f in dicodec.encaps.generate_frames(ds.PixelData, number_of_frames=3)]
    assert float(ds.LossyImageCompressionRatio) == pytest.approx(arr.nbytes / sum(sizes), abs=0.01)
    first_ratio = str(ds.LossyImageCompressionRatio)
    ds.decompress()
    assert ds.LossyImageCompression == "01"  # decoding keeps the history
    ds.compress(NEAR_LOSSLESS, jls_error=4)
    assert list(ds.LossyImageCompressionMethod) == ["ISO_14495_1", "ISO_14495_1"]
    ratios = [str(r) for r in ds.LossyImageCompressionRatio]
    assert len(ratios) == 2 and ratios[0] == first_ratio and float(ratios[1]) > 1
    ds.decompress()
    ds.compress(LOSSLESS)  # a lossless step adds nothing
    assert len(ds.LossyImageCompressionRatio) == 2


def test_dataset_compress_error_names_the_frame_and_reason() -> None:
    ds = Dataset()
    set_pixel_data(ds, np.array([[[0, 1]], [[2047, 0]]], np.int16), "MONOCHROME2", 12)
    with pytest.raises(DicodecError, match=r"frame 1 could not be encoded .*takes values from -2046 to 2045"):
        ds.compress(NEAR_LOSSLESS, jls_error=2)
    with pytest.raises(DicodecError, match="jls_error=2 is lossy"):
        ds.compress(LOSSLESS, jls_error=2)


def test_decode_error_names_the_frame() -> None:
    ds = Dataset()
    set_pixel_data(ds, np.arange(3 * 8 * 8, dtype=np.uint16).reshape(3, 8, 8), "MONOCHROME2", 12)
    ds.compress(LOSSLESS)
    from dicodec import encaps

    frames = list(encaps.generate_frames(ds.PixelData, number_of_frames=3))
    frames[2] = frames[2][:-6]  # truncate the last frame
    from dicodec.dataelem import DataElement

    ds[0x7FE00010] = DataElement(0x7FE00010, "OB", encaps.encapsulate(frames), is_undefined_length=True)
    object.__setattr__(ds, "_pixel_cache", None)
    with pytest.raises(CodecError, match=r"frame 2 could not be decoded .*truncated"):
        pixel_array(ds)
    assert pixel_array(ds, index=1).shape == (8, 8)


def test_pydicom_reads_what_we_write_and_we_read_what_it_writes() -> None:
    pydicom = pytest.importorskip("pydicom")
    pytest.importorskip("jpeg_ls")
    import io

    ct = dicodec.examples.ct
    ref = ct.pixel_array.copy()
    ct.compress(NEAR_LOSSLESS, jls_error=2)
    buf = io.BytesIO()
    dicodec.dcmwrite(buf, ct)
    buf.seek(0)
    theirs = pydicom.dcmread(buf).pixel_array
    ours = pixel_array(ct)
    assert (theirs == ours).all() and int(np.abs(ours.astype(int) - ref).max()) <= 2

    pds = pydicom.dcmread(dicodec.examples.get_path("ct"))
    pds.compress(pydicom.uid.JPEGLSLossless, encoding_plugin="pyjpegls")
    buf = io.BytesIO()
    pds.save_as(buf)
    buf.seek(0)
    assert (pixel_array(dicodec.dcmread(buf)) == ref).all()


def test_no_codec_for_unsupported_layouts() -> None:
    ds = Dataset()
    set_pixel_data(ds, np.zeros((4, 4), np.uint32), "MONOCHROME2", 20)
    with pytest.raises(NoCodecAvailableError, match="Bits Allocated 32"):
        ds.compress(LOSSLESS)


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.integers(0, 10_000))
def test_mutated_streams_never_crash(junk: bytes, where: int) -> None:
    """Damaged frames raise (or decode to something); they never crash or hang."""
    spec = make_spec(12, 10, 3, 8, 8)
    arr = np.random.default_rng(9).integers(0, 256, spec.shape).astype(np.uint8)
    data = bytes(encode("jpegls.charls", arr, spec, jls_interleave="line").data)
    k = where % len(data)
    mutated = data[:k] + junk + data[k + len(junk) :]
    assume(mutated != data)
    for decoder in DECODERS:
        try:
            _backend(decoder)
        except pytest.skip.Exception:
            continue
        try:
            decode(decoder, mutated, spec)
        except Exception:  # raising is the expected outcome
            pass


@pytest.mark.parametrize("codec", ENCODERS)
def test_encoders_and_decoders_are_thread_safe(codec: str) -> None:
    """Concurrent calls give the bytes and pixels of sequential ones (imagecodecs runs them GIL-free)."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(11)
    spec = make_spec(48, 40, bits_stored=12, signed=1, ts=NEAR_LOSSLESS)
    frames = [rng.integers(-2000, 2000, spec.shape).astype(np.int16) for _ in range(16)]
    options = [{"jls_error": i % 3} for i in range(16)]
    sequential = [bytes(encode(codec, f, spec, **o).data) for f, o in zip(frames, options, strict=True)]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda k: bytes(encode(codec, frames[k], spec, **options[k]).data), range(16)))
    assert parallel == sequential
    with ThreadPoolExecutor(4) as pool:
        decoded = list(pool.map(lambda data: decode("jpegls.imagecodecs", data, spec), parallel))
    for got, ref, opt in zip(decoded, frames, options, strict=True):
        assert int(np.abs(got.astype(int) - ref).max()) <= opt["jls_error"]


def test_compress_with_workers_when_the_core_has_it() -> None:
    import inspect

    from dicodec.pixels import compress

    if "workers" not in inspect.signature(compress).parameters:
        pytest.skip("this dicodec core encodes frames one after another (no compress(workers=))")
    arr = np.random.default_rng(12).integers(0, 4096, (9, 32, 24)).astype(np.uint16)
    datasets = []
    for workers in (1, 2):
        ds = Dataset()
        set_pixel_data(ds, arr, "MONOCHROME2", 12, generate_instance_uid=False)
        ds.compress(NEAR_LOSSLESS, jls_error=1, workers=workers, generate_instance_uid=False)
        datasets.append(ds)
    assert datasets[0].PixelData == datasets[1].PixelData
    assert int(np.abs(pixel_array(datasets[1]).astype(int) - arr).max()) <= 1
