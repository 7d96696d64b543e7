"""The dicodec-pylibjpeg bridge: discovery, failure isolation, fake plugins, real plugins.

Fake pylibjpeg plugins are real :mod:`importlib.metadata` distributions: a
``*.dist-info`` folder with ``METADATA`` and ``entry_points.txt`` next to the
module, in a temporary folder put on ``sys.path`` (or ``PYTHONPATH`` for a child
interpreter). Oracles for the real plugins: the first-party codecs (``rle.c``,
``jpeg2k.imagecodecs``), pylibjpeg's own API and the corpus references.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dicodec
from dicodec import examples
from dicodec.errors import CodecError
from dicodec.pixels import get_decoder, pixel_array, set_pixel_data
from dicodec.plugins import get_registry
from dicodec.plugins.records import FrameSpec
from dicodec.plugins.registry import reset_registry

from ...corpus import CORPUS, corpus_path, corpus_rows

pytest.importorskip("dicodec_pylibjpeg")

from dicodec_pylibjpeg import bridge, plugin

RLE = "1.2.840.10008.1.2.5"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
FAKE_MODULES = ("fakejpeg", "brokenjpeg", "fakecounter")


def has_distribution(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


# ---------------------------------------------------------------------------
# fake pylibjpeg plugins
# ---------------------------------------------------------------------------
FAKE_SOURCE = '''\
"""A fake pylibjpeg plugin: decodes every frame to 42s and records its calls."""
CALLS = []


def decode_pixel_data(src, **kwargs):
    CALLS.append(dict(kwargs, nbytes=len(src)))
    n = kwargs["rows"] * kwargs["columns"] * kwargs["samples_per_pixel"]
    itemsize = 1 if kwargs["bits_allocated"] <= 8 else 2
    return bytearray(([42] + [0] * (itemsize - 1)) * n)  # little endian


def encode_pixel_data(src, **kwargs):
    CALLS.append(dict(kwargs, encoded=len(src)))
    return b"FAKE" + bytes(src)
'''

BROKEN_SOURCE = '''\
"""A pylibjpeg plugin that fails on import."""
import fakecounter

fakecounter.IMPORTS += 1
raise RuntimeError("brokenjpeg cannot be imported")
'''


def write_distribution(site: Path, dist: str, module: str, source: str, entry_points: str) -> None:
    """A minimal installed distribution: ``<module>.py`` and ``<dist>-1.0.dist-info``."""
    (site / f"{module}.py").write_text(source)
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    (info / "RECORD").write_text("")


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``pylibjpeg-fake`` (works), ``pylibjpeg-broken`` (raises on import)."""
    site = tmp_path_factory.mktemp("pylibjpeg-fakes")
    (site / "fakecounter.py").write_text("IMPORTS = 0\n")
    write_distribution(
        site,
        "pylibjpeg-fake",
        "fakejpeg",
        FAKE_SOURCE,
        f"""\
        [pylibjpeg.pixel_data_decoders]
        {RLE} = fakejpeg:decode_pixel_data
        not-a-uid = fakejpeg:decode_pixel_data

        [pylibjpeg.pixel_data_encoders]
        {RLE} = fakejpeg:encode_pixel_data
        """,
    )
    write_distribution(
        site,
        "pylibjpeg-broken",
        "brokenjpeg",
        BROKEN_SOURCE,
        f"""\
        [pylibjpeg.pixel_data_decoders]
        {RLE} = brokenjpeg:decode_pixel_data
        {J2K_LOSSLESS} = brokenjpeg:decode_pixel_data
        """,
    )
    return site


def _forget() -> None:
    reset_registry()
    for name in FAKE_MODULES:
        sys.modules.pop(name, None)


@pytest.fixture
def fakes(fake_site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The fake distributions on ``sys.path`` and a registry that discovers them."""
    monkeypatch.syspath_prepend(str(fake_site))
    importlib.invalidate_caches()
    _forget()
    yield fake_site
    _forget()


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    yield
    reset_registry()


def rle_dataset() -> dicodec.Dataset:
    ds = examples.ct
    return ds.compress(RLE, encoding_plugin="rle.c")


def child_env(*sites: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DICODEC_")}
    env["PYTHONPATH"] = os.pathsep.join([*(str(s) for s in sites), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["DICODEC_CONFIG"] = os.devnull + ".missing.ini"
    return env


# ---------------------------------------------------------------------------
# declarations
# ---------------------------------------------------------------------------
def test_entry_point_is_registered_and_loaded() -> None:
    eps = importlib.metadata.entry_points(group="dicodec.plugins")
    assert any(ep.name == "pylibjpeg" and ep.value == "dicodec_pylibjpeg.plugin" for ep in eps)
    report = {p["name"]: p for p in get_registry().report()}
    assert report["pylibjpeg"]["status"] == "loaded"
    names = {c["name"] for c in report["pylibjpeg"]["codecs"]}
    for dist in ("pylibjpeg-openjpeg", "pylibjpeg-libjpeg", "pylibjpeg-rle"):
        if has_distribution(dist):
            assert plugin.codec_name(dist) in names


def test_discovery_imports_no_backend() -> None:
    code = (
        "import sys, dicodec\n"
        "from dicodec.plugins import get_registry\n"
        "reg = get_registry(); reg.ensure_loaded()\n"
        "assert any(n.startswith('pylibjpeg.') for n in reg.codecs), sorted(reg.codecs)\n"
        "mods = ('openjpeg', 'libjpeg', 'rle', 'pylibjpeg', 'dicodec_pylibjpeg.bridge')\n"
        "print([m for m in mods if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_codecs_mirror_the_pylibjpeg_entry_points() -> None:
    specs = {s.name: s for s in plugin.dicodec_codecs()}
    for group, purpose in ((plugin.DECODER_GROUP, "decode"), (plugin.ENCODER_GROUP, "encode")):
        for ep in importlib.metadata.entry_points(group=group):
            spec = specs[plugin.codec_name(ep.dist.name)]
            assert ep.name in spec.transfer_syntaxes
            caps = spec.capabilities if purpose == "decode" else spec.encode_capabilities
            frame = FrameSpec(64, 64, bits_allocated=8, bits_stored=8, transfer_syntax=ep.name)
            assert caps is not None and caps.refusal(frame) is None
    for spec in specs.values():
        assert spec.priority == plugin.PRIORITY < 50
        assert spec.requires and spec.install_hint.startswith("pip install ")
        assert not spec.capabilities.releases_gil


@pytest.mark.skipif(not has_distribution("pylibjpeg-openjpeg"), reason="pylibjpeg-openjpeg is not installed")
def test_a_decode_only_syntax_is_refused_for_encoding() -> None:
    spec = {s.name: s for s in plugin.dicodec_codecs()}["pylibjpeg.openjpeg"]
    htj2k = FrameSpec(8, 8, bits_allocated=8, bits_stored=8, transfer_syntax="1.2.840.10008.1.2.4.201")
    assert spec.capabilities.refusal(htj2k) is None
    assert spec.encode_capabilities is not None
    assert "no function for" in (spec.encode_capabilities.refusal(htj2k) or "")


@pytest.mark.parametrize(
    ("dist", "name"),
    [
        ("pylibjpeg-openjpeg", "pylibjpeg.openjpeg"),
        ("pylibjpeg_libjpeg", "pylibjpeg.libjpeg"),
        ("PyLibJPEG.RLE", "pylibjpeg.rle"),
        ("acme-codec", "pylibjpeg.acme-codec"),
        ("pylibjpeg", "pylibjpeg.pylibjpeg"),
    ],
)
def test_codec_names(dist: str, name: str) -> None:
    assert plugin.codec_name(dist) == name


# ---------------------------------------------------------------------------
# the fake plugin through the bridge
# ---------------------------------------------------------------------------
def test_fake_plugins_are_discovered_without_importing_them(fakes: Path) -> None:
    found = {p.name: p for p in plugin.discover()}
    assert set(found["pylibjpeg.fake"].decoders) == {RLE}
    assert set(found["pylibjpeg.fake"].encoders) == {RLE}
    assert any("not-a-uid" in why for why in found["pylibjpeg.fake"].skipped)
    assert set(found["pylibjpeg.broken"].decoders) == {RLE, J2K_LOSSLESS}
    codecs = {e.name for e in get_registry().candidates(RLE, "decode")}
    assert {"pylibjpeg.fake", "pylibjpeg.broken"} <= codecs
    assert not {"fakejpeg", "brokenjpeg"} & set(sys.modules)


def test_decoding_plugin_calls_the_fake(fakes: Path) -> None:
    ds = rle_dataset()
    arr = pixel_array(ds, decoding_plugin="pylibjpeg.fake")
    fake = sys.modules["fakejpeg"]
    assert arr.shape == (ds.Rows, ds.Columns) and (arr == 42).all()
    call = fake.CALLS[-1]
    assert call["rows"] == ds.Rows and call["columns"] == ds.Columns and call["version"] == 2
    assert call["bits_allocated"] == 16 and call["transfer_syntax_uid"] == RLE and call["nbytes"] > 0


def test_codec_options_reach_the_fake(fakes: Path) -> None:
    pixel_array(rle_dataset(), decoding_plugin="pylibjpeg.fake", my_option=7)
    assert sys.modules["fakejpeg"].CALLS[-1]["my_option"] == 7


def test_encoding_plugin_calls_the_fake(fakes: Path) -> None:
    ds = examples.ct.compress(RLE, encoding_plugin="pylibjpeg.fake")
    frame = next(dicodec.encaps.generate_frames(ds.PixelData, number_of_frames=1))
    assert frame[:4] == b"FAKE" and len(frame) == 4 + ds.Rows * ds.Columns * 2
    call = sys.modules["fakejpeg"].CALLS[-1]
    assert call["rows"] == ds.Rows and call["byteorder"] == "<"


def test_broken_plugin_fails_its_own_frames_with_a_clear_error(fakes: Path) -> None:
    with pytest.raises(CodecError) as info:
        pixel_array(rle_dataset(), decoding_plugin="pylibjpeg.broken")
    text = str(info.value)
    assert "pylibjpeg-broken" in text and "brokenjpeg cannot be imported" in text
    cause = info.value.__cause__
    assert isinstance(cause, ImportError) and isinstance(cause.__cause__, RuntimeError)


def test_broken_plugin_does_not_hide_the_others(fakes: Path) -> None:
    ds = rle_dataset()
    arr, meta = get_decoder(RLE).as_array(ds, decoding_plugin=["pylibjpeg.broken", "pylibjpeg.fake"])
    assert (arr == 42).all() and meta["codecs"] == ["pylibjpeg.fake"]
    if has_distribution("pylibjpeg-rle"):  # a real plugin next to the broken one still works
        expected = pixel_array(ds, decoding_plugin="rle.c")
        np.testing.assert_array_equal(pixel_array(ds, decoding_plugin="pylibjpeg.rle"), expected)


@pytest.mark.skipif(not has_distribution("pylibjpeg"), reason="pylibjpeg is not installed")
def test_pylibjpeg_itself_is_hidden_by_the_broken_plugin(fakes: Path) -> None:
    """The failure the bridge fixes: pylibjpeg's own loader dies on the first broken plugin."""
    from pylibjpeg.utils import get_pixel_data_decoders

    with pytest.raises(RuntimeError, match="brokenjpeg cannot be imported"):
        get_pixel_data_decoders()


def test_a_failed_load_is_remembered_not_retried(fakes: Path) -> None:
    ds = rle_dataset()
    for _ in range(3):
        with pytest.raises(CodecError):
            pixel_array(ds, decoding_plugin="pylibjpeg.broken")
    assert sys.modules["fakecounter"].IMPORTS == 1


def test_probe_reports_each_entry_point(fakes: Path) -> None:
    report = plugin.probe()
    assert report["pylibjpeg.fake"][f"decode {RLE}"] == "ok"
    assert "brokenjpeg cannot be imported" in report["pylibjpeg.broken"][f"decode {J2K_LOSSLESS}"]
    assert any("not-a-uid" in v for v in report["pylibjpeg.fake"].values())


def test_cli_lists_the_fake_and_the_broken_plugin(fake_site: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "dicodec", "plugins"], capture_output=True, text=True, env=child_env(fake_site), check=True
    ).stdout
    assert "pylibjpeg.fake" in out and "pylibjpeg.broken" in out
    if has_distribution("pylibjpeg-openjpeg"):
        assert "pylibjpeg.openjpeg" in out


def test_fresh_interpreter_decodes_with_the_fake(fake_site: Path) -> None:
    code = (
        "from dicodec import examples\n"
        "from dicodec.pixels import pixel_array\n"
        f"ds = examples.ct.compress({RLE!r}, encoding_plugin='rle.c')\n"
        "arr = pixel_array(ds, decoding_plugin=['pylibjpeg.broken', 'pylibjpeg.fake'])\n"
        "print(int(arr.min()), int(arr.max()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=child_env(fake_site), check=True)
    assert out.stdout.split() == ["42", "42"]


def test_a_plugin_without_distribution_name_still_gets_a_codec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ep = importlib.metadata.EntryPoint(RLE, "nameless.mod:decode", plugin.DECODER_GROUP)
    monkeypatch.setattr(plugin, "_entry_points", lambda group: [ep] if group == plugin.DECODER_GROUP else [])
    found = plugin.discover()
    assert [p.name for p in found] == ["pylibjpeg.nameless"]


# ---------------------------------------------------------------------------
# the bridge's adaptation
# ---------------------------------------------------------------------------
def test_result_of_the_wrong_size_is_an_error() -> None:
    spec = FrameSpec(4, 4, bits_allocated=16, bits_stored=16)
    with pytest.raises(ValueError, match="not a whole number of samples"):
        bridge.decode(lambda src, **kw: b"\x00" * 17, b"", spec, None)
    with pytest.raises(ValueError, match="not a whole number of samples"):
        bridge.decode(lambda src, **kw: np.zeros(5, np.uint16), b"", spec, None)


def test_version1_arrays_are_accepted() -> None:
    spec = FrameSpec(2, 3, bits_allocated=16, bits_stored=12)
    values = np.arange(6, dtype=np.uint16).reshape(2, 3) * 100
    out = np.empty(spec.shape, spec.dtype)
    result = bridge.decode(lambda src, **kw: values, b"", spec, out)
    assert result.array is out and (out == values).all()


def test_rle_output_is_reported_colour_by_plane() -> None:
    spec = FrameSpec(2, 2, 3, 8, 8, photometric_interpretation="RGB", transfer_syntax=RLE)
    planes = bytes([1] * 4 + [2] * 4 + [3] * 4)
    result = bridge.decode(lambda src, **kw: planes, b"", spec, None)
    assert result.planar_configuration == 1 and result.array.shape == (3, 2, 2)


def test_j2k_signedness_and_colour_are_reported() -> None:
    siz = bytes.fromhex("ff4fff51002f0000" + "00000002" * 2 + "00000000" * 2 + "00000002" * 2 + "00000000" * 2 + "0003" + "070101" * 3)
    spec = FrameSpec(2, 2, 3, 8, 8, photometric_interpretation="YBR_RCT", transfer_syntax=J2K_LOSSLESS)
    result = bridge.decode(lambda src, **kw: bytes(12), siz, spec, None)
    assert result.photometric_interpretation == "RGB"
    assert result.pixel_representation == 0 and result.bits_stored == 8


def test_truncated_jpeg_ls_is_refused_before_the_plugin_runs() -> None:
    """libjpeg returns a damaged image for a cut JPEG-LS stream; the bridge refuses it."""
    spec = FrameSpec(8, 8, bits_allocated=16, bits_stored=12, transfer_syntax="1.2.840.10008.1.2.4.80")
    ds = dicodec.Dataset()
    set_pixel_data(ds, np.arange(64, dtype=np.uint16).reshape(8, 8), "MONOCHROME2", 12)
    ds.compress(spec.transfer_syntax, encoding_plugin="jpegls.imagecodecs")
    frame = next(dicodec.encaps.generate_frames(ds.PixelData, number_of_frames=1))
    calls: list[int] = []

    def plugin_func(src: bytes, **kw: Any) -> bytes:
        calls.append(1)
        return bytes(128)

    with pytest.raises(ValueError, match="truncated"):
        bridge.decode(plugin_func, frame[:-6], spec, None)
    assert not calls
    assert bridge.decode(plugin_func, frame, spec, None).array.shape == (8, 8)


def test_header_geometry_must_match_the_data_set() -> None:
    ds = dicodec.Dataset()
    set_pixel_data(ds, np.zeros((16, 24), np.uint8), "MONOCHROME2", 8)
    ds.compress(J2K_LOSSLESS, encoding_plugin="jpeg2k.imagecodecs")
    frame = next(dicodec.encaps.generate_frames(ds.PixelData, number_of_frames=1))
    spec = FrameSpec(24, 16, bits_allocated=8, bits_stored=8, transfer_syntax=J2K_LOSSLESS)
    with pytest.raises(ValueError, match="16x24"):
        bridge.decode(lambda src, **kw: bytes(384), frame, spec, None)


def test_libjpeg_point_transform_is_refused() -> None:
    sof3 = bytes.fromhex("ffd8" "ffc3000b08000800080101 1100".replace(" ", ""))
    sos = bytes.fromhex("ffda00080101000100" "02")  # Ss = 1, Al = 2
    data = sof3 + sos + bytes(8) + b"\xff\xd9"
    spec = FrameSpec(8, 8, bits_allocated=8, bits_stored=8, transfer_syntax="1.2.840.10008.1.2.4.70")
    with pytest.raises(ValueError, match="point transform"):
        bridge.decode(lambda src, **kw: bytes(64), data, spec, None, distribution="pylibjpeg-libjpeg")
    assert bridge.decode(lambda src, **kw: bytes(64), data, spec, None, distribution="acme").array.shape == (8, 8)


def test_lossy_j2k_options_are_mapped() -> None:
    spec = FrameSpec(4, 4, 1, 16, 12, transfer_syntax="1.2.840.10008.1.2.4.91")
    kwargs, _ = bridge.encode_kwargs(spec, {"j2k_psnr": 50})
    assert kwargs["signal_noise_ratios"] == [50.0] and "compression_ratios" not in kwargs
    with pytest.raises(ValueError, match="lossy"):
        bridge.encode_kwargs(spec.replace(transfer_syntax=J2K_LOSSLESS), {"j2k_cr": [10]})


# ---------------------------------------------------------------------------
# the real pylibjpeg plugins
# ---------------------------------------------------------------------------
def _bridge_rows(codec: str, limit_bytes: int = 3_000_000) -> list[Any]:
    registry = get_registry()
    registry.ensure_loaded()
    entry = registry.codecs.get(codec)
    if entry is None or not entry.available:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{codec} is not installed"))]
    rows = [
        r
        for r in corpus_rows("pixels")
        if r["transfer_syntax"] in entry.spec.transfer_syntaxes
        and entry.spec.capabilities.refusal(
            FrameSpec(1, 1, bits_allocated=int(r["bits_allocated"] or 8), bits_stored=int(r["bits_stored"] or 8),
                      transfer_syntax=r["transfer_syntax"])
        ) is None
        and int(r["rows"] or 0) * int(r["columns"] or 0) * int(r["frames"] or 1) * 2 <= limit_bytes
        # pylibjpeg-libjpeg refuses the 12-bit streams whose scan header says Se = 0
        and "JPLY" not in r["relpath"] and "JPEG-lossy" not in r["relpath"]
    ]
    return [pytest.param(r, id=f"{codec}:{r['relpath']}") for r in rows] or [
        pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus is absent"))
    ]


CORPUS_CASES = [p for c in ("pylibjpeg.openjpeg", "pylibjpeg.libjpeg", "pylibjpeg.rle") for p in _bridge_rows(c)]
reset_registry()


@pytest.mark.parametrize("row", CORPUS_CASES)
def test_corpus_through_the_bridge(row: dict[str, str]) -> None:
    codec = next(
        e.name
        for e in get_registry().candidates(row["transfer_syntax"], "decode")
        if e.name.startswith("pylibjpeg.")
    )
    arr = np.ascontiguousarray(pixel_array(corpus_path(row), decoding_plugin=codec))
    assert "x".join(map(str, arr.shape)) == row["ref_shape"] and str(arr.dtype) == row["ref_dtype"]
    tol = int(row["tolerance"] or 0)
    if tol == 0:
        assert hashlib.sha256(arr.tobytes()).hexdigest() == row["ref_sha256"]
    else:
        key = hashlib.sha1(row["relpath"].encode()).hexdigest()
        ref = np.load(CORPUS / "reference" / f"{key}.npz")["ref"]
        assert int(np.abs(arr.astype(np.int64) - ref.astype(np.int64)).max()) <= tol


def _spec(rows: int, cols: int, samples: int, bits: int, bits_stored: int, signed: int, ts: str) -> FrameSpec:
    return FrameSpec(
        rows, cols, samples, bits, bits_stored, signed,
        photometric_interpretation="RGB" if samples == 3 else "MONOCHROME2", transfer_syntax=ts,
    )


@st.composite
def frames(draw: Any, bits: tuple[int, ...], stored_min: int, min_size: int = 1) -> tuple[FrameSpec, np.ndarray]:
    ba = draw(st.sampled_from(bits))
    bs = draw(st.integers(stored_min, ba))
    signed = draw(st.integers(0, 1))
    samples = 1 if ba == 64 else draw(st.sampled_from((1, 3)))  # RLE has at most 15 segments
    rows, cols = draw(st.integers(min_size, min_size + 23)), draw(st.integers(min_size, min_size + 23))
    spec = _spec(rows, cols, samples, ba, bs, signed, "")
    lo, hi = (-(1 << (bs - 1)), (1 << (bs - 1)) - 1) if signed else (0, (1 << bs) - 1)
    seed = draw(st.integers(0, 2**32 - 1))
    arr = np.random.default_rng(seed).integers(lo, hi, spec.shape, endpoint=True, dtype=np.dtype(spec.dtype))
    return spec, arr


@pytest.mark.skipif(not has_distribution("pylibjpeg-rle"), reason="pylibjpeg-rle is not installed")
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames((8, 16, 32, 64), 1))
def test_rle_round_trip_against_rle_c(case: tuple[FrameSpec, np.ndarray]) -> None:
    spec, arr = case
    spec = spec.replace(transfer_syntax=RLE)
    reg = get_registry()
    reg.ensure_loaded()
    encoded = reg.codecs["pylibjpeg.rle"].function("encode")(arr, spec, {})
    out = np.empty(spec.shape, spec.dtype)
    reg.codecs["rle.c"].function("decode")(bytes(encoded.data), spec, out)
    np.testing.assert_array_equal(out, arr)
    theirs = reg.codecs["rle.c"].function("encode")(arr, spec, {})
    decoded = reg.codecs["pylibjpeg.rle"].function("decode")(bytes(theirs.data), spec, None)
    from dicodec.pixels.corrections import finish_frame

    back = np.empty(spec.shape, spec.dtype)
    finish_frame(decoded, spec, back, raw=True, as_rgb=False, native=False)
    np.testing.assert_array_equal(back, arr)


@pytest.mark.skipif(not has_distribution("pylibjpeg-openjpeg"), reason="pylibjpeg-openjpeg is not installed")
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames((8, 16), 2, 32))
def test_j2k_lossless_round_trip_against_imagecodecs(case: tuple[FrameSpec, np.ndarray]) -> None:
    spec, arr = case
    spec = spec.replace(transfer_syntax=J2K_LOSSLESS)
    reg = get_registry()
    reg.ensure_loaded()
    ds = dicodec.Dataset()
    set_pixel_data(ds, arr, spec.photometric_interpretation, spec.bits_stored)
    ds.compress(J2K_LOSSLESS, encoding_plugin="pylibjpeg.openjpeg")
    if spec.samples_per_pixel == 3:
        assert ds.PhotometricInterpretation == "YBR_RCT"
    for decoder in ("jpeg2k.imagecodecs", "pylibjpeg.openjpeg"):
        if decoder in reg.codecs:
            np.testing.assert_array_equal(pixel_array(ds, decoding_plugin=decoder), arr)


@pytest.mark.skipif(not has_distribution("pylibjpeg-openjpeg"), reason="pylibjpeg-openjpeg is not installed")
@pytest.mark.parametrize(("bits_stored", "signed"), [(17, 0), (20, 1), (24, 0)])
def test_j2k_beyond_16_bits_round_trips(bits_stored: int, signed: int) -> None:
    lo, hi = (-(1 << (bits_stored - 1)), 1 << (bits_stored - 1)) if signed else (0, 1 << bits_stored)
    arr = np.random.default_rng(bits_stored).integers(lo, hi, (40, 48)).astype(np.int32 if signed else np.uint32)
    ds = dicodec.Dataset()
    set_pixel_data(ds, arr, "MONOCHROME2", bits_stored)
    ds.compress(J2K_LOSSLESS, encoding_plugin="pylibjpeg.openjpeg")
    np.testing.assert_array_equal(pixel_array(ds, decoding_plugin="pylibjpeg.openjpeg"), arr)
    np.testing.assert_array_equal(pixel_array(ds, decoding_plugin="jpeg2k.imagecodecs"), arr)
