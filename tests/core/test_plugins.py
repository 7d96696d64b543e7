"""The plugin system end to end: discovery, selection, blocking, isolation, fallback.

Two kinds of plugins are used:

* real distributions, built with pip from source folders and installed into
  temporary ``--target`` directories that are put on ``sys.path`` (or on
  ``PYTHONPATH`` of a subprocess): the example plugin of the documentation,
  ``docs/examples/dicodec-example-xor``, and small variants written here (one
  raising on import, one for a future hook API, one declaring a codec name that
  is already taken, one with a malformed API version);
* plugins built in-process with :func:`dicodec.plugins.register`, when a test
  needs exact control over priorities and names.

Every test starts and ends with a fresh registry, no preference, no block, no
configuration file and no ``DICODEC_*`` environment variable (fixture
``isolated``).
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dicodec import config, encaps, examples
from dicodec import uid as uid_module
from dicodec.errors import (
    CodecError,
    DicodecError,
    NoCodecAvailableError,
    PluginError,
)
from dicodec.pixels import get_decoder, get_encoder, pixel_array
from dicodec.plugins import (
    Capabilities,
    CodecSpec,
    DecodedFrame,
    EncodedFrame,
    FrameSpec,
    TransferSyntaxSpec,
    block,
    get_registry,
    hookimpl,
    register,
    report,
    reset_registry,
    unblock,
)
from dicodec.uid import UID

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "dicodec-example-xor"

XOR_TS = "2.25.123001583857849241845464878018864455740"
"""The private transfer syntax of the example plugin (its ``plugin.XOR_TS``)."""
XOR_KEY = 0x5A
RLE = "1.2.840.10008.1.2.5"
TEST_TS = "2.25.189808512438088886294837229033457635899"
"""A private transfer syntax the in-process test plugins declare: raw little-endian frames."""
EXPLICIT_LE = "1.2.840.10008.1.2.1"

PRIVATE_SYNTAXES = (XOR_TS, TEST_TS)
TEST_MODULE_PREFIXES = ("dicodec_example_xor", "dicodec_test_")


class PanicException(BaseException):
    """Stands in for the exception a Rust extension raises on a panic (a BaseException)."""


# ---------------------------------------------------------------------------
# building and installing distributions
# ---------------------------------------------------------------------------
def _local_backend_builds_wheels() -> bool:
    """Whether the running environment's setuptools can build a wheel without isolation.

    setuptools 61+ reads ``[project]``; before 70.1 it needs the ``wheel`` package
    for ``bdist_wheel``.
    """
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    match = re.match(r"(\d+)\.(\d+)", version)
    if match is None:
        return False
    major_minor = (int(match.group(1)), int(match.group(2)))
    if major_minor < (61, 0):
        return False
    return major_minor >= (70, 1) or importlib.util.find_spec("wheel") is not None


_ENVIRONMENT_PROBLEMS = (
    "invalid command 'bdist_wheel'",
    "No matching distribution found",
    "Could not find a version that satisfies",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
)


def pip_install(sources: list[Path], target: Path) -> None:
    """``pip install --no-deps --target target sources...`` (one pip run).

    Uses ``--no-build-isolation`` when the installed setuptools can build wheels,
    so nothing is downloaded; otherwise pip builds in an isolated environment.
    Skips the calling test if the build backend cannot be obtained; fails it on
    any other pip error (e.g. a broken ``pyproject.toml``).
    """
    cmd = [
        sys.executable, "-m", "pip", "install", "--no-deps", "--no-input",
        "--disable-pip-version-check", "--target", str(target),
    ]
    if _local_backend_builds_wheels():
        cmd.append("--no-build-isolation")
    cmd += [str(s) for s in sources]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        if any(problem in output for problem in _ENVIRONMENT_PROBLEMS):
            pytest.skip(f"cannot build distributions in this environment:\n{output[-2000:]}")
        pytest.fail(f"pip install failed ({' '.join(cmd)}):\n{output[-4000:]}")


def write_distribution(root: Path, dist: str, package: str, entry_name: str, plugin_source: str) -> Path:
    """Write a one-module plugin distribution (pyproject + package) and return its folder."""
    folder = root / dist
    (folder / package).mkdir(parents=True)
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "{dist}"
            version = "0.0.1"
            requires-python = ">=3.10"

            [project.entry-points."dicodec.plugins"]
            "{entry_name}" = "{package}.plugin"

            [tool.setuptools]
            packages = ["{package}"]
            """
        ),
        encoding="utf-8",
    )
    (folder / package / "__init__.py").write_text("", encoding="utf-8")
    (folder / package / "plugin.py").write_text(textwrap.dedent(plugin_source), encoding="utf-8")
    return folder


BROKEN_SOURCE = """\
    from dicodec.plugins import hookimpl

    DICODEC_API_VERSION = 1
    raise RuntimeError("the acme backend exploded while importing")
    """

FUTURE_SOURCE = """\
    from dicodec.plugins import hookimpl
    from dicodec.plugins.records import CodecSpec

    DICODEC_API_VERSION = 99

    @hookimpl
    def dicodec_codecs():
        return [CodecSpec("future.codec", ("1.2.840.10008.1.2.5",), decode="dicodec_test_future.plugin:decode")]
    """

DUPE_SOURCE = """\
    from dicodec.plugins import hookimpl
    from dicodec.plugins.records import CodecSpec

    DICODEC_API_VERSION = 1

    @hookimpl
    def dicodec_codecs():
        # "native.numpy" is already declared by the dicodec-native distribution
        return [CodecSpec("native.numpy", ("1.2.840.10008.1.2.1",), decode="dicodec_test_dupe.plugin:decode")]
    """

STRING_VERSION_SOURCE = """\
    DICODEC_API_VERSION = "1.0"
    """


@pytest.fixture(scope="session")
def xor_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example distribution, built by pip and installed into a target directory.

    It is built from a copy, so that no ``build/`` or ``*.egg-info`` lands in the
    repository.
    """
    work = tmp_path_factory.mktemp("xor")
    source = work / "src"
    shutil.copytree(
        EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__", ".pytest_cache")
    )
    target = work / "site"
    pip_install([source], target)
    return target


@pytest.fixture(scope="session")
def variants_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three misbehaving distributions: broken on import, future API, duplicate codec name."""
    work = tmp_path_factory.mktemp("variants")
    sources = [
        write_distribution(work / "src", "dicodec-test-broken", "dicodec_test_broken", "broken", BROKEN_SOURCE),
        write_distribution(work / "src", "dicodec-test-future", "dicodec_test_future", "future", FUTURE_SOURCE),
        # sorted after "native", so the native plugin keeps its codec and this one fails
        write_distribution(work / "src", "dicodec-test-dupe", "dicodec_test_dupe", "zz-dupe", DUPE_SOURCE),
    ]
    target = work / "site"
    pip_install(sources, target)
    return target


@pytest.fixture(scope="session")
def string_version_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A distribution declaring ``DICODEC_API_VERSION = "1.0"`` (a string)."""
    work = tmp_path_factory.mktemp("strversion")
    source = write_distribution(
        work / "src", "dicodec-test-strversion", "dicodec_test_strversion", "strversion", STRING_VERSION_SOURCE
    )
    target = work / "site"
    pip_install([source], target)
    return target


# ---------------------------------------------------------------------------
# isolation of every test
# ---------------------------------------------------------------------------
def _forget_test_state() -> None:
    config.reload_preferences()
    reset_registry()
    for name in [m for m in sys.modules if m.startswith(TEST_MODULE_PREFIXES)]:
        del sys.modules[name]
    # Transfer syntaxes taught by test plugins are process-wide: forget them.
    for ts in PRIVATE_SYNTAXES:
        uid_module._TS.pop(ts, None)
        while ts in uid_module.PrivateTransferSyntaxes:
            uid_module.PrivateTransferSyntaxes.remove(ts)


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A fresh registry; no preferences, blocks, config file or DICODEC_* variables."""
    for name in ("DICODEC_PREFER", "DICODEC_BLOCK", "DICODEC_DISABLE_AUTOLOAD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DICODEC_CONFIG", str(tmp_path / "no-such-config.ini"))
    _forget_test_state()
    yield
    _forget_test_state()


@pytest.fixture
def xor_installed(xor_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example distribution on ``sys.path``, with the registry reset so it is discovered."""
    monkeypatch.syspath_prepend(str(xor_site))  # also invalidates the import caches
    importlib.invalidate_caches()
    reset_registry()
    return xor_site


@pytest.fixture
def variants_installed(variants_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The misbehaving distributions on ``sys.path``."""
    monkeypatch.syspath_prepend(str(variants_site))
    importlib.invalidate_caches()
    reset_registry()
    return variants_site


def subprocess_env(*sites: Path, **extra: str) -> dict[str, str]:
    """The environment for a child interpreter that sees ``sites`` and no user settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DICODEC_")}
    paths = [str(s) for s in sites]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["DICODEC_CONFIG"] = os.devnull + ".missing.ini"
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def last_json(proc: subprocess.CompletedProcess[str]) -> Any:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def discover() -> None:
    """Load the entry-point plugins now.

    Needed before naming a private transfer syntax: UID lookups do not trigger
    discovery (tested below).
    """
    get_registry().ensure_loaded()


def plugin_rows() -> dict[str, dict[str, Any]]:
    return {row["name"]: row for row in report()}


# ---------------------------------------------------------------------------
# in-process plugins
# ---------------------------------------------------------------------------
def make_plugin(
    name: str,
    codecs: list[CodecSpec] | None = None,
    syntaxes: list[TransferSyntaxSpec] | None = None,
    api_version: Any = 1,
) -> types.ModuleType:
    """A plugin module object with the given declarations."""
    module = types.ModuleType(name)
    module.DICODEC_API_VERSION = api_version  # type: ignore[attr-defined]
    if codecs is not None:
        declared = list(codecs)
        module.dicodec_codecs = hookimpl(lambda: declared)  # type: ignore[attr-defined]
    if syntaxes is not None:
        declared_ts = list(syntaxes)
        module.dicodec_transfer_syntaxes = hookimpl(lambda: declared_ts)  # type: ignore[attr-defined]
    return module


TEST_SYNTAX = TransferSyntaxSpec(TEST_TS, "Raw Test Frames", keyword="RawTestFrames")


def raw_encode(arr: np.ndarray, spec: FrameSpec, options: Any = None) -> EncodedFrame:
    """Encode a frame as its little-endian bytes."""
    return EncodedFrame(np.ascontiguousarray(arr, dtype=np.dtype(spec.dtype).newbyteorder("<")).tobytes())


def raw_decoder(name: str, log: list[str] | None = None) -> Callable[..., DecodedFrame]:
    """A decode function for raw little-endian frames that records its calls in ``log``."""

    def decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None, **options: Any) -> DecodedFrame:
        if log is not None:
            log.append(name)
        data = np.frombuffer(src, dtype=np.dtype(spec.dtype).newbyteorder("<"), count=spec.pixels)
        if out is None:
            out = np.empty(spec.shape, spec.dtype)
        out[...] = data.reshape(spec.shape)
        return DecodedFrame(out, spec.photometric_interpretation)

    return decode


def codec(name: str, decode: Any = None, *, priority: int = 50, ts: str = TEST_TS, **kwargs: Any) -> CodecSpec:
    """A CodecSpec for ``ts`` (raw encoder; ``decode`` defaults to a raw decoder)."""
    return CodecSpec(
        name,
        (ts,),
        decode=decode if decode is not None else raw_decoder(name),
        encode=raw_encode,
        priority=priority,
        **kwargs,
    )


def frames_dataset(frames: int = 5) -> tuple[Any, np.ndarray]:
    """A multi-frame 16-bit data set whose frame ``k`` holds ``k * 100 + (0..63)``; and its array."""
    arr = (np.arange(frames, dtype=np.uint16)[:, None, None] * 100 + np.arange(64, dtype=np.uint16).reshape(8, 8))
    ds = examples.get("multiframe")
    ds.set_pixel_data(arr, "MONOCHROME2", 12)
    return ds, arr


def in_test_ts(ds: Any) -> Any:
    """``ds`` compressed to :data:`TEST_TS` by a throw-away raw codec (needs TEST_TS registered)."""
    return ds.compress(TEST_TS, encoding_plugin=_first_codec_for(TEST_TS))


def _first_codec_for(ts: str) -> str:
    return get_registry().candidates(ts, "encode")[0].name


def first_candidate(ts: str = TEST_TS) -> str:
    return get_registry().candidates(ts, "decode")[0].name


@pytest.fixture
def precedence_plugins() -> dict[str, list[str]]:
    """Three raw codecs for TEST_TS in two plugins, registered in an order that decides nothing.

    ``prec.beta`` has priority 60; ``prec.alpha`` and ``prec.gamma`` 50, so by
    priority then name the order is beta, alpha, gamma.
    """
    log: list[str] = []
    one = make_plugin(
        "prec_one",
        [
            codec("prec.gamma", raw_decoder("prec.gamma", log)),
            codec("prec.beta", raw_decoder("prec.beta", log), priority=60),
        ],
        [TEST_SYNTAX],
    )
    two = make_plugin("prec_two", [codec("prec.alpha", raw_decoder("prec.alpha", log))])
    register(one)
    register(two)
    return {"log": log}


# ---------------------------------------------------------------------------
# a small, real RLE Lossless codec (PS3.5 Annex G) for the fallback tests
# ---------------------------------------------------------------------------
def _packbits_literal(data: bytes) -> bytes:
    out = bytearray()
    for start in range(0, len(data), 128):
        chunk = data[start : start + 128]
        out.append(len(chunk) - 1)
        out += chunk
    if len(out) % 2:
        out.append(0x80)  # a no-op header byte pads the segment to an even length
    return bytes(out)


def _unpackbits(segment: bytes, length: int) -> bytes:
    out = bytearray()
    pos = 0
    while len(out) < length and pos < len(segment):
        header = segment[pos]
        pos += 1
        if header < 128:
            out += segment[pos : pos + header + 1]
            pos += header + 1
        elif header > 128:
            out += segment[pos : pos + 1] * (257 - header)
            pos += 1
    if len(out) < length:
        raise ValueError(f"RLE segment decodes to {len(out)} bytes, expected {length}")
    return bytes(out[:length])


def rle_encode(arr: np.ndarray, spec: FrameSpec, options: Any = None) -> EncodedFrame:
    """Encode one frame as RLE Lossless: one segment per byte plane, most significant first."""
    samples = np.ascontiguousarray(arr, dtype=np.dtype(spec.dtype).newbyteorder(">")).reshape(-1, spec.samples_per_pixel)
    planes = samples.view(np.uint8).reshape(samples.shape[0], spec.samples_per_pixel, spec.itemsize)
    segments = [
        _packbits_literal(planes[:, s, b].tobytes())
        for s in range(spec.samples_per_pixel)
        for b in range(spec.itemsize)
    ]
    offsets, position = [], 64
    for segment in segments:
        offsets.append(position)
        position += len(segment)
    header = np.zeros(16, dtype="<u4")
    header[0] = len(segments)
    header[1 : 1 + len(segments)] = offsets
    return EncodedFrame(header.tobytes() + b"".join(segments))


def rle_decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None, **options: Any) -> DecodedFrame:
    """Decode one RLE Lossless frame."""
    data = bytes(src)
    header = np.frombuffer(data[:64], dtype="<u4")
    count = int(header[0])
    if count != spec.samples_per_pixel * spec.itemsize:
        raise ValueError(f"{count} RLE segments, expected {spec.samples_per_pixel * spec.itemsize}")
    bounds = [int(o) for o in header[1 : 1 + count]] + [len(data)]
    pixels = spec.rows * spec.columns
    planes = np.empty((pixels, spec.samples_per_pixel, spec.itemsize), dtype=np.uint8)
    for k in range(count):
        plane = _unpackbits(data[bounds[k] : bounds[k + 1]], pixels)
        planes[:, k // spec.itemsize, k % spec.itemsize] = np.frombuffer(plane, dtype=np.uint8)
    values = planes.reshape(-1).view(np.dtype(spec.dtype).newbyteorder(">")).reshape(spec.shape)
    if out is None:
        out = np.empty(spec.shape, spec.dtype)
    out[...] = values
    return DecodedFrame(out, spec.photometric_interpretation)


def register_test_rle(log: list[str] | None = None) -> None:
    """Register ``testrle.numpy`` (priority 50) for RLE Lossless."""

    def decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None, **options: Any) -> DecodedFrame:
        if log is not None:
            log.append("testrle.numpy")
        return rle_decode(src, spec, out)

    register(make_plugin("testrle", [CodecSpec("testrle.numpy", (RLE,), decode=decode, encode=rle_encode)]))


def test_the_test_rle_codec_round_trips() -> None:
    spec = FrameSpec(rows=3, columns=50, samples_per_pixel=3, bits_allocated=16, bits_stored=16,
                     photometric_interpretation="RGB", transfer_syntax=RLE)
    arr = np.random.default_rng(1).integers(0, 65535, spec.shape, dtype=np.uint16)
    data = rle_encode(arr, spec).data
    assert int.from_bytes(data[:4], "little") == 6
    np.testing.assert_array_equal(rle_decode(data, spec).array, arr)
    # a replicate run (header 0xFE = 257 - 254 -> 3 copies)
    assert _unpackbits(b"\xfe\x07\x01\x01\x02", 5) == b"\x07\x07\x07\x01\x02"


# ===========================================================================
# the example distribution: discovery, transfer syntax, round trip
# ===========================================================================
def test_example_distribution_is_discovered_through_its_entry_point(xor_installed: Path) -> None:
    assert "dicodec_example_xor" not in sys.modules
    rows = plugin_rows()
    xor = rows["xor"]
    assert xor["status"] == "loaded", xor["error"]
    assert (xor["distribution"], xor["version"]) == ("dicodec-example-xor", "0.1.0")
    assert [c["name"] for c in xor["codecs"]] == ["xor.numpy"]
    codec_row = xor["codecs"][0]
    assert codec_row["transfer_syntaxes"] == [XOR_TS, RLE]
    assert (codec_row["decode"], codec_row["encode"], codec_row["available"]) == (True, True, True)
    assert codec_row["priority"] == 5
    assert rows["native"]["status"] == "loaded"
    # discovery imported the declarations only, not the numpy codec module
    assert "dicodec_example_xor.plugin" in sys.modules
    assert "dicodec_example_xor.codec" not in sys.modules


def test_example_distribution_is_not_installed_by_install_all() -> None:
    spec = importlib.util.spec_from_file_location("install_all_under_test", ROOT / "tools" / "install_all.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = module.packages(include_contrib=True)
    assert not any("docs" in a or "example" in a for a in args), args
    assert "plugins/native" in args


def test_example_distribution_passes_its_own_tests_and_doctests(xor_site: Path, tmp_path: Path) -> None:
    """The tests and doctests the plugin author's guide shows, run against the installed copy."""
    shutil.copytree(EXAMPLE / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules",
            str(tmp_path / "tests"), str(xor_site / "dicodec_example_xor"),
        ],
        capture_output=True, text=True, env=subprocess_env(xor_site), cwd=tmp_path, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary) and "skipped" not in summary, summary


def test_cli_lists_the_example_plugin(xor_site: Path, tmp_path: Path) -> None:
    env = subprocess_env(xor_site)
    proc = subprocess.run(
        [sys.executable, "-m", "dicodec", "plugins"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert re.search(r"^xor  \[dicodec-example-xor 0\.1\.0\]  loaded$", out, re.M), out
    assert re.search(r"^  xor\.numpy  decode/encode  priority 5  available$", out, re.M), out
    assert f"{XOR_TS}  XOR 0x5A (dicodec example)" in out
    assert f"{RLE}  RLE Lossless" in out

    proc = subprocess.run(
        [sys.executable, "-m", "dicodec", "plugins", "--json"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert rows["xor"]["codecs"][0]["name"] == "xor.numpy"


def test_cli_without_the_example_does_not_list_it(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dicodec", "plugins"],
        capture_output=True, text=True, env=subprocess_env(), cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "native.numpy" in proc.stdout
    assert "xor" not in proc.stdout


def test_private_transfer_syntax_is_taught_by_the_plugin(xor_installed: Path) -> None:
    assert not UID(XOR_TS).is_transfer_syntax  # nothing discovered yet
    get_registry().ensure_loaded()
    uid = UID(XOR_TS)
    assert uid.is_transfer_syntax
    assert uid.name == "XOR 0x5A (dicodec example)"
    assert uid.is_encapsulated and uid.is_compressed and not uid.is_lossy
    assert uid.is_little_endian and not uid.is_implicit_VR
    assert uid in uid_module.PrivateTransferSyntaxes


def test_private_transfer_syntax_is_known_once_anything_needs_it(xor_installed: Path) -> None:
    # UID itself never triggers discovery (printing a data set must not load plugins);
    # reading, describing or compressing does, as the tests below show.
    from dicodec.pixels.description import describe

    ds = examples.get("ct")
    ds.file_meta.TransferSyntaxUID = XOR_TS
    describe(ds)
    assert UID(XOR_TS).is_transfer_syntax


def test_compress_to_a_private_syntax_before_discovery(xor_installed: Path) -> None:
    ds = examples.get("ct").compress(XOR_TS)
    assert ds.file_meta.TransferSyntaxUID == XOR_TS


@pytest.mark.parametrize("name", ["ct", "mr", "rgb_color", "multiframe", "palette"])
def test_round_trip_through_the_example_codec(xor_installed: Path, name: str) -> None:
    discover()
    original = examples.get(name)
    expected = original.pixel_array
    ds = examples.get(name).compress(XOR_TS)
    assert ds.file_meta.TransferSyntaxUID == XOR_TS
    frames = encaps.generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1) or 1))
    first = next(iter(frames))
    # the stored frame really is the XOR-ed little-endian bytes
    assert bytes(first[:4]) == bytes(b ^ XOR_KEY for b in expected.reshape(-1).astype(expected.dtype.newbyteorder("<")).tobytes()[:4])
    decoded = ds.pixel_array
    assert decoded.dtype == expected.dtype
    np.testing.assert_array_equal(decoded, expected)
    arr, meta = get_decoder(XOR_TS).as_array(ds)
    assert meta["codecs"] == ["xor.numpy"] * meta["number_of_frames"]
    np.testing.assert_array_equal(arr, expected)


def test_round_trip_through_a_file(xor_installed: Path, tmp_path: Path) -> None:
    import dicodec

    discover()
    path = tmp_path / "xor.dcm"
    examples.get("ct").compress(XOR_TS).save_as(path, enforce_file_format=True)
    ds = dicodec.dcmread(path)
    assert ds.file_meta.TransferSyntaxUID == XOR_TS
    np.testing.assert_array_equal(ds.pixel_array, examples.get("ct").pixel_array)
    np.testing.assert_array_equal(pixel_array(str(path)), examples.get("ct").pixel_array)


def test_fresh_process_decodes_a_private_transfer_syntax_file(xor_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "xor.dcm"
    sys.path.insert(0, str(xor_site))
    try:
        reset_registry()
        discover()
        examples.get("ct").compress(XOR_TS).save_as(path, enforce_file_format=True)
    finally:
        sys.path.remove(str(xor_site))
    proc = run_python(
        f"""
        import json, dicodec
        ds = dicodec.dcmread({str(path)!r})
        print(json.dumps([int(ds.pixel_array.sum()), str(ds.file_meta.TransferSyntaxUID)]))
        """,
        subprocess_env(xor_site),
        tmp_path,
    )
    assert last_json(proc) == [int(examples.get("ct").pixel_array.sum()), XOR_TS]


def test_example_plugin_does_not_take_over_real_rle(xor_installed: Path) -> None:
    register_test_rle()
    ds, arr = frames_dataset(3)
    # xor.numpy (priority 5) comes after a real RLE codec (testrle.numpy, priority 50,
    # or one of an installed RLE plugin) both to encode and to decode
    ds.compress(RLE)
    encoders = [e.name for e in get_encoder(RLE).codecs_for(FrameSpec(8, 8, transfer_syntax=RLE))]
    decoders = [e.name for e in get_registry().candidates(RLE, "decode")]
    assert encoders.index("xor.numpy") > encoders.index("testrle.numpy")
    assert decoders.index("xor.numpy") > decoders.index("testrle.numpy")
    out, meta = get_decoder(RLE).as_array(ds)
    np.testing.assert_array_equal(out, arr)
    assert "xor.numpy" not in meta["codecs"]


def test_example_plugin_refuses_to_write_rle(xor_installed: Path) -> None:
    ds, _ = frames_dataset(1)
    with pytest.raises(CodecError, match=r"frame 0 could not be encoded \(xor\.numpy: ValueError") as info:
        ds.compress(RLE, encoding_plugin="xor.numpy")
    assert isinstance(info.value.__cause__, ValueError)


# ===========================================================================
# selecting the example codec
# ===========================================================================
@pytest.fixture
def xor_with_rival(xor_installed: Path) -> dict[str, Any]:
    """A second decoder for XOR_TS, ``rival.xor`` (priority 50), which wins by default."""
    from dicodec_example_xor.codec import decode as xor_decode

    log: list[str] = []

    def rival(src: Any, spec: FrameSpec, out: np.ndarray | None = None, **options: Any) -> DecodedFrame:
        log.append("rival.xor")
        return xor_decode(src, spec, out)

    register(make_plugin("rival", [CodecSpec("rival.xor", (XOR_TS,), decode=rival)]))
    ds = examples.get("mr").compress(XOR_TS)
    return {"ds": ds, "log": log, "expected": examples.get("mr").pixel_array}


def decoded_by(ds: Any, **kwargs: Any) -> str:
    _, meta = get_decoder(str(ds.file_meta.TransferSyntaxUID)).as_array(ds, **kwargs)
    assert len(set(meta["codecs"])) == 1
    return str(meta["codecs"][0])


def test_without_preference_the_higher_priority_rival_wins(xor_with_rival: dict[str, Any]) -> None:
    ds = xor_with_rival["ds"]
    assert [e.name for e in get_registry().candidates(XOR_TS, "decode")] == ["rival.xor", "xor.numpy"]
    assert decoded_by(ds) == "rival.xor"
    np.testing.assert_array_equal(ds.pixel_array, xor_with_rival["expected"])
    assert xor_with_rival["log"] == ["rival.xor", "rival.xor"]


def test_prefer_context_selects_the_example_codec(xor_with_rival: dict[str, Any]) -> None:
    ds = xor_with_rival["ds"]
    with config.prefer("xor.numpy", transfer_syntax=XOR_TS):
        assert decoded_by(ds) == "xor.numpy"
        np.testing.assert_array_equal(pixel_array(ds), xor_with_rival["expected"])
    assert decoded_by(ds) == "rival.xor"
    with config.prefer("xor"):  # a plugin name, for every transfer syntax
        assert decoded_by(ds) == "xor.numpy"


def test_dicodec_prefer_environment_selects_the_example_codec(
    xor_with_rival: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ds = xor_with_rival["ds"]
    monkeypatch.setenv("DICODEC_PREFER", f"{XOR_TS}=xor.numpy,rival.xor; *=native.numpy")
    config.reload_preferences()
    assert config.preference_for(XOR_TS) == ("xor.numpy", "rival.xor")
    assert decoded_by(ds) == "xor.numpy"
    monkeypatch.setenv("DICODEC_PREFER", "xor.numpy")  # no "ts=": applies to every syntax
    config.reload_preferences()
    assert decoded_by(ds) == "xor.numpy"


def test_config_file_selects_the_example_codec(
    xor_with_rival: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "dicodec.ini"
    path.write_text(f"[prefer]\n{XOR_TS} = xor.numpy\n", encoding="utf-8")
    monkeypatch.setenv("DICODEC_CONFIG", str(path))
    config.reload_preferences()
    assert decoded_by(xor_with_rival["ds"]) == "xor.numpy"


def test_set_preference_selects_the_example_codec(xor_with_rival: dict[str, Any]) -> None:
    ds = xor_with_rival["ds"]
    config.set_preference("xor.numpy", XOR_TS)
    assert decoded_by(ds) == "xor.numpy"
    config.set_preference(None, XOR_TS)
    assert decoded_by(ds) == "rival.xor"


def test_per_call_decoding_plugin_selects_the_example_codec(xor_with_rival: dict[str, Any]) -> None:
    ds = xor_with_rival["ds"]
    assert decoded_by(ds, decoding_plugin="xor.numpy") == "xor.numpy"
    assert decoded_by(ds, decoding_plugin=["xor.numpy", "rival.xor"]) == "xor.numpy"
    assert decoded_by(ds, decoding_plugin="xor") == "xor.numpy"  # a plugin name selects its codecs
    np.testing.assert_array_equal(pixel_array(ds, decoding_plugin="xor.numpy"), xor_with_rival["expected"])
    assert xor_with_rival["log"] == []


# ===========================================================================
# precedence: per-call > context > user configuration > priority > name
# ===========================================================================
def test_default_order_is_priority_then_name_not_registration_order(
    precedence_plugins: dict[str, list[str]],
) -> None:
    assert [e.name for e in get_registry().candidates(TEST_TS, "decode")] == ["prec.beta", "prec.alpha", "prec.gamma"]


def test_precedence_layer_by_layer(
    precedence_plugins: dict[str, list[str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ds, arr = frames_dataset(2)
    in_test_ts(ds)
    # configuration file < environment < set_preference: together "the user's configuration"
    path = tmp_path / "config.ini"
    path.write_text(f"[prefer]\n{TEST_TS} = prec.gamma\n", encoding="utf-8")
    monkeypatch.setenv("DICODEC_CONFIG", str(path))
    config.reload_preferences()
    assert decoded_by(ds) == "prec.gamma"
    monkeypatch.setenv("DICODEC_PREFER", f"{TEST_TS}=prec.alpha")
    config.reload_preferences()
    assert decoded_by(ds) == "prec.alpha"
    config.set_preference(["prec.gamma"], TEST_TS)
    assert decoded_by(ds) == "prec.gamma"
    # a context preference beats the user's configuration; the innermost wins
    with config.prefer("prec.alpha", transfer_syntax=TEST_TS):
        assert decoded_by(ds) == "prec.alpha"
        with config.prefer("prec.beta"):
            assert decoded_by(ds) == "prec.beta"
            # the per-call argument beats everything
            assert decoded_by(ds, decoding_plugin="prec.gamma") == "prec.gamma"
        assert decoded_by(ds) == "prec.alpha"
    # and everything unwinds in order
    assert decoded_by(ds) == "prec.gamma"
    config.set_preference(None, TEST_TS)
    assert decoded_by(ds) == "prec.alpha"
    monkeypatch.delenv("DICODEC_PREFER")
    config.reload_preferences()
    assert decoded_by(ds) == "prec.gamma"
    monkeypatch.setenv("DICODEC_CONFIG", str(tmp_path / "gone.ini"))
    config.reload_preferences()
    assert decoded_by(ds) == "prec.beta"
    np.testing.assert_array_equal(ds.pixel_array, arr)


def test_preferences_rank_several_names_and_plugin_names(precedence_plugins: dict[str, list[str]]) -> None:
    with config.prefer("prec.gamma", "prec.alpha", transfer_syntax=TEST_TS):
        assert [e.name for e in get_registry().candidates(TEST_TS, "decode")] == [
            "prec.gamma", "prec.alpha", "prec.beta",
        ]
    with config.prefer("prec_two"):
        assert first_candidate() == "prec.alpha"
    # a preference for another transfer syntax does not apply here
    with config.prefer("prec.gamma", transfer_syntax=RLE):
        assert first_candidate() == "prec.beta"
    # names that are not installed are ignored by preferences (they may be installed later)
    with config.prefer("not.installed", "prec.gamma"):
        assert first_candidate() == "prec.gamma"


def test_per_call_list_is_the_exact_order_tried(precedence_plugins: dict[str, list[str]]) -> None:
    order = [e.name for e in get_registry().candidates(TEST_TS, "decode", ["prec.gamma", "prec.beta"])]
    assert order == ["prec.gamma", "prec.beta"]  # only these, in this order


def test_unknown_codec_name_lists_the_valid_names(precedence_plugins: dict[str, list[str]]) -> None:
    ds, _ = frames_dataset(1)
    in_test_ts(ds)
    with pytest.raises(PluginError) as info:
        pixel_array(ds, decoding_plugin="prec.delta")
    message = str(info.value)
    assert "unknown codec 'prec.delta'" in message
    for name in ("prec.alpha", "prec.beta", "prec.gamma", "native.numpy"):
        assert name in message
    assert isinstance(info.value, DicodecError)
    # native data, and encoding, check names too
    with pytest.raises(PluginError, match=r"valid names: .*native\.numpy"):
        pixel_array(examples.ct, decoding_plugin="nativ.numpy")
    with pytest.raises(PluginError, match=r"unknown codec 'prec\.delta'"):
        frames_dataset(1)[0].compress(TEST_TS, encoding_plugin=["prec.alpha", "prec.delta"])


def test_duplicate_codec_name_in_process_names_both_plugins(precedence_plugins: dict[str, list[str]]) -> None:
    clash = make_plugin("prec_three", [codec("prec.alpha")])
    with pytest.raises(PluginError) as info:
        register(clash)
    message = str(info.value)
    assert "'prec.alpha'" in message and "prec_two" in message and "prec_three" in message
    # the first declaration is untouched
    assert get_registry().codecs["prec.alpha"].plugin.name == "prec_two"


def test_refused_plugin_leaves_no_pluggy_registration(precedence_plugins: dict[str, list[str]]) -> None:
    clash = make_plugin("prec_three", [codec("prec.alpha")])
    with pytest.raises(PluginError):
        register(clash)
    bad_ts = make_plugin("bad_ts", syntaxes=[TransferSyntaxSpec(RLE, "RLE, again")])
    with pytest.raises(Exception):  # noqa: B017 - which class is the subject of the next test
        register(bad_ts)
    assert not get_registry().pm.is_registered(clash)
    assert not get_registry().pm.is_registered(bad_ts)


def test_plugin_redefining_a_standard_transfer_syntax_is_refused() -> None:
    bad_ts = make_plugin("bad_ts", syntaxes=[TransferSyntaxSpec(RLE, "RLE, again")])
    with pytest.raises(PluginError):
        register(bad_ts)
    assert UID(RLE).name == "RLE Lossless"


def test_context_preference_is_not_seen_by_other_threads(precedence_plugins: dict[str, list[str]]) -> None:
    seen: dict[str, str] = {}

    def other() -> None:
        seen["thread"] = first_candidate()
        seen["thread_pref"] = ",".join(config.preference_for(TEST_TS))

    with config.prefer("prec.gamma", transfer_syntax=TEST_TS):
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        seen["main"] = first_candidate()
    assert seen == {"thread": "prec.beta", "thread_pref": "", "main": "prec.gamma"}


def test_set_preference_is_seen_by_other_threads(precedence_plugins: dict[str, list[str]]) -> None:
    seen: list[str] = []
    config.set_preference("prec.alpha", TEST_TS)
    thread = threading.Thread(target=lambda: seen.append(first_candidate()))
    thread.start()
    thread.join()
    assert seen == ["prec.alpha"]


def test_context_preference_is_local_to_an_asyncio_task(precedence_plugins: dict[str, list[str]]) -> None:
    async def scenario() -> tuple[str, str, str]:
        entered = asyncio.Event()
        checked = asyncio.Event()

        async def chooser() -> str:
            with config.prefer("prec.gamma", transfer_syntax=TEST_TS):
                entered.set()
                await checked.wait()  # the other task runs while this preference is active
                return first_candidate()

        async def bystander() -> str:
            await entered.wait()
            try:
                return first_candidate()
            finally:
                checked.set()

        inside, beside = await asyncio.gather(chooser(), bystander())
        return inside, beside, first_candidate()

    assert asyncio.run(scenario()) == ("prec.gamma", "prec.beta", "prec.beta")


# ===========================================================================
# blocking
# ===========================================================================
def test_block_by_plugin_and_codec_name(xor_installed: Path) -> None:
    discover()
    ds = examples.get("ct").compress(XOR_TS)
    block("xor")
    assert plugin_rows()["xor"]["status"] == "blocked"
    assert plugin_rows()["xor"]["codecs"][0]["blocked"] is True
    assert get_registry().candidates(XOR_TS, "decode") == []
    with pytest.raises(NoCodecAvailableError):
        pixel_array(ds)
    unblock("xor")
    np.testing.assert_array_equal(pixel_array(ds), examples.get("ct").pixel_array)
    block("xor.numpy")
    assert plugin_rows()["xor"]["codecs"][0]["blocked"] is True
    with pytest.raises(NoCodecAvailableError):
        pixel_array(ds)


def test_blocked_codec_is_not_used_even_when_named_per_call(xor_installed: Path) -> None:
    discover()
    ds = examples.get("ct").compress(XOR_TS)
    block("xor.numpy")
    with pytest.raises(DicodecError):
        pixel_array(ds, decoding_plugin="xor.numpy")


def test_error_for_a_blocked_codec_says_it_is_blocked(xor_installed: Path) -> None:
    discover()
    ds = examples.get("ct").compress(XOR_TS)
    block("xor")
    with pytest.raises(NoCodecAvailableError, match="blocked"):
        pixel_array(ds)


def test_dicodec_block_environment_does_not_even_import_the_plugin(
    xor_installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DICODEC_BLOCK", "xor, some.other")
    reset_registry()
    rows = plugin_rows()
    assert rows["xor"]["status"] == "blocked"
    assert rows["xor"]["codecs"] == []
    assert "dicodec_example_xor.plugin" not in sys.modules
    assert "xor.numpy" not in get_registry().codecs
    assert rows["native"]["status"] == "loaded"


def test_dicodec_block_environment_for_a_codec_name(xor_installed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DICODEC_BLOCK", "xor.numpy")
    reset_registry()
    assert plugin_rows()["xor"]["status"] == "loaded"
    assert "xor.numpy" in get_registry().codec_names(RLE, "decode")
    assert "xor.numpy" not in [e.name for e in get_registry().candidates(RLE, "decode")]
    assert get_registry().candidates(XOR_TS, "decode") == []


# ===========================================================================
# isolation: broken, incompatible and clashing plugins
# ===========================================================================
def test_plugin_raising_on_import_is_reported_and_skipped(variants_installed: Path) -> None:
    import dicodec

    rows = plugin_rows()
    broken = rows["broken"]
    assert broken["status"] == "failed"
    assert broken["distribution"] == "dicodec-test-broken"
    assert broken["error"] == "RuntimeError: the acme backend exploded while importing"
    assert broken["codecs"] == []
    # everything else keeps working
    assert rows["native"]["status"] == "loaded"
    raw = examples.get("ct")
    np.testing.assert_array_equal(raw.pixel_array, examples.get("ct").pixel_array)
    ds = examples.get("multiframe").compress("1.2.840.10008.1.2.1.98")
    assert dicodec.dcmread(examples.get_path("ct")).Rows == 512
    arr, meta = get_decoder(ds.file_meta.TransferSyntaxUID).as_array(ds)
    assert meta["codecs"] == ["native.encapsulated"] * 10
    np.testing.assert_array_equal(arr, examples.get("multiframe").pixel_array)


def test_incompatible_api_version_is_reported_and_not_loaded(variants_installed: Path) -> None:
    future = plugin_rows()["future"]
    assert future["status"] == "incompatible"
    assert "99" in future["error"] and "1" in future["error"]
    assert future["codecs"] == []
    assert "future.codec" not in get_registry().codecs
    assert "future.codec" not in get_registry().codec_names()


def test_duplicate_codec_name_across_distributions_names_both(variants_installed: Path) -> None:
    rows = plugin_rows()
    dupe = rows["zz-dupe"]
    assert dupe["status"] == "failed"
    assert "'native.numpy'" in dupe["error"]
    assert "dicodec-native" in dupe["error"] and "dicodec-test-dupe" in dupe["error"]
    assert get_registry().codecs["native.numpy"].plugin.distribution == "dicodec-native"


def test_isolation_in_a_fresh_interpreter(variants_site: Path, tmp_path: Path) -> None:
    path = tmp_path / "ct.dcm"
    examples.get("ct").save_as(path, enforce_file_format=True)
    proc = run_python(
        f"""
        import json, sys
        import dicodec
        ds = dicodec.dcmread({str(path)!r})
        total = int(ds.pixel_array.sum())
        from dicodec.plugins import report
        print(json.dumps([total, {{r["name"]: r["status"] for r in report()}}]))
        """,
        subprocess_env(variants_site),
        tmp_path,
    )
    total, statuses = last_json(proc)
    assert total == int(examples.get("ct").pixel_array.sum())
    mine = {k: v for k, v in statuses.items() if k in ("broken", "future", "native", "zz-dupe")}
    assert mine == {"broken": "failed", "future": "incompatible", "native": "loaded", "zz-dupe": "failed"}
    proc = subprocess.run(
        [sys.executable, "-m", "dicodec", "plugins"],
        capture_output=True, text=True, env=subprocess_env(variants_site), cwd=tmp_path, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "broken  [dicodec-test-broken 0.0.1]  failed" in proc.stdout
    assert "    error: RuntimeError: the acme backend exploded while importing" in proc.stdout
    assert "future  [dicodec-test-future 0.0.1]  incompatible" in proc.stdout


def test_incompatible_in_process_plugin_is_refused() -> None:
    module = make_plugin("from_the_future", [codec("future.inproc")], api_version=99)
    with pytest.raises(PluginError, match="not loaded: written for hook API 99"):
        register(module)
    assert "future.inproc" not in get_registry().codecs
    assert plugin_rows()["from_the_future"]["status"] == "incompatible"


def test_malformed_api_version_in_process_is_a_plugin_error() -> None:
    with pytest.raises(PluginError):
        register(make_plugin("malformed_version", [codec("malformed.codec")], api_version="1.0"))


def test_malformed_api_version_entry_point_is_isolated(string_version_site: Path, tmp_path: Path) -> None:
    proc = run_python(
        """
        import json
        from dicodec import examples
        from dicodec.plugins import report
        total = int(examples.ct.pixel_array.sum())
        print(json.dumps({r["name"]: r["status"] for r in report()}))
        """,
        subprocess_env(string_version_site),
        tmp_path,
    )
    statuses = last_json(proc)
    assert statuses["strversion"] in ("failed", "incompatible")
    assert statuses["native"] == "loaded"


# ===========================================================================
# autoload off, explicit registration
# ===========================================================================
def test_disable_autoload_loads_nothing_but_register_works(xor_site: Path, tmp_path: Path) -> None:
    proc = run_python(
        """
        import json, sys
        import dicodec
        import dicodec.plugins as plugins
        from dicodec import examples
        before = [r["name"] for r in plugins.report()]
        imported = sorted(m for m in sys.modules if m.startswith(("dicodec_native", "dicodec_example_xor")))
        try:
            examples.ct.pixel_array
            native = "decoded"
        except dicodec.errors.NoCodecAvailableError:
            native = "no codec"
        import dicodec_native.plugin, dicodec_example_xor.plugin
        plugins.register(dicodec_native.plugin, name="native")
        plugins.register(dicodec_example_xor.plugin, name="xor")
        ds = examples.ct.compress(dicodec_example_xor.plugin.XOR_TS)
        same = bool((ds.pixel_array == examples.ct.pixel_array).all())
        after = {r["name"]: r["status"] for r in plugins.report()}
        print(json.dumps([before, imported, native, after, same]))
        """,
        subprocess_env(xor_site, DICODEC_DISABLE_AUTOLOAD="1"),
        tmp_path,
    )
    before, imported, native, after, same = last_json(proc)
    assert before == []
    assert imported == []
    assert native == "no codec"
    assert after == {"native": "loaded", "xor": "loaded"}
    assert same is True


def test_disable_autoload_off_values_still_autoload(monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("0", "", "false"):
        monkeypatch.setenv("DICODEC_DISABLE_AUTOLOAD", value)
        reset_registry()
        assert "native" in plugin_rows(), value
    monkeypatch.setenv("DICODEC_DISABLE_AUTOLOAD", "1")
    reset_registry()
    assert plugin_rows() == {}


# ===========================================================================
# lazy discovery
# ===========================================================================
def test_import_and_dcmread_do_not_discover_plugins(xor_site: Path, tmp_path: Path) -> None:
    ct = tmp_path / "ct.dcm"
    examples.get("ct").save_as(ct, enforce_file_format=True)
    proc = run_python(
        f"""
        import json, sys

        def plugin_modules():
            return sorted(m for m in sys.modules if m.startswith(("dicodec_native", "dicodec_example_xor")))

        import dicodec
        after_import = plugin_modules()
        ds = dicodec.dcmread({str(ct)!r})
        after_read = plugin_modules()
        ds.pixel_array
        after_decode = plugin_modules()
        print(json.dumps([after_import, after_read, after_decode]))
        """,
        subprocess_env(xor_site),
        tmp_path,
    )
    after_import, after_read, after_decode = last_json(proc)
    assert after_import == []
    assert after_read == []
    # the first decode discovers every plugin, importing only their declaration modules
    assert "dicodec_native.plugin" in after_decode
    assert "dicodec_example_xor.plugin" in after_decode
    assert "dicodec_example_xor.codec" not in after_decode


def test_codec_module_is_imported_on_first_use_only(xor_installed: Path) -> None:
    discover()
    ds = examples.get("ct").compress(XOR_TS)  # compress imports the encoder: forget it again
    del sys.modules["dicodec_example_xor.codec"]
    reset_registry()
    report()
    assert "dicodec_example_xor.codec" not in sys.modules
    assert ds.pixel_array.shape == (512, 512)
    assert "dicodec_example_xor.codec" in sys.modules


# ===========================================================================
# fallback, failures and capabilities
# ===========================================================================
def _flaky(log: list[str]) -> Callable[..., DecodedFrame]:
    """Decodes raw frames, but raises ValueError on the frame whose first sample is 300."""
    good = raw_decoder("fb.flaky", log)

    def decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None, **options: Any) -> DecodedFrame:
        if int.from_bytes(bytes(src[:2]), "little") == 300:
            log.append("fb.flaky")
            raise ValueError("corrupt stream at byte 17")
        return good(src, spec, out)

    return decode


def _raiser(name: str, exc: BaseException, log: list[str]) -> Callable[..., DecodedFrame]:
    def decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None, **options: Any) -> DecodedFrame:
        log.append(name)
        raise exc

    return decode


@pytest.fixture
def fallback_setup() -> dict[str, Any]:
    """Codecs for TEST_TS: flaky (90) > value error (80) > panic (70) > good (10)."""
    log: list[str] = []
    register(
        make_plugin(
            "fallback",
            [
                codec("fb.flaky", _flaky(log), priority=90),
                codec("fb.valueerror", _raiser("fb.valueerror", ValueError("bad marker"), log), priority=80),
                codec("fb.panic", _raiser("fb.panic", PanicException("rust panicked: index out of bounds"), log), priority=70),
                codec("fb.good", raw_decoder("fb.good", log), priority=10),
            ],
            [TEST_SYNTAX],
        )
    )
    ds, arr = frames_dataset(5)
    ds.compress(TEST_TS, encoding_plugin="fb.good")
    log.clear()
    return {"ds": ds, "arr": arr, "log": log}


def test_meta_names_the_codec_of_each_frame_after_a_fallback(fallback_setup: dict[str, Any]) -> None:
    ds, arr, log = fallback_setup["ds"], fallback_setup["arr"], fallback_setup["log"]
    out, meta = get_decoder(TEST_TS).as_array(ds, workers=1)
    np.testing.assert_array_equal(out, arr)
    assert meta["codecs"] == ["fb.flaky", "fb.flaky", "fb.flaky", "fb.good", "fb.flaky"]
    # frame 3: flaky failed, then the value error and panic codecs, then the good one
    assert log == ["fb.flaky"] * 3 + ["fb.flaky", "fb.valueerror", "fb.panic", "fb.good"] + ["fb.flaky"]


def test_value_error_and_panic_fall_back_to_the_next_codec(fallback_setup: dict[str, Any]) -> None:
    ds, arr, log = fallback_setup["ds"], fallback_setup["arr"], fallback_setup["log"]
    out, meta = get_decoder(TEST_TS).as_array(ds, decoding_plugin=["fb.valueerror", "fb.panic", "fb.good"])
    np.testing.assert_array_equal(out, arr)
    assert meta["codecs"] == ["fb.good"] * 5
    assert log == ["fb.valueerror", "fb.panic", "fb.good"] * 5


def test_without_fallback_the_first_error_is_a_codec_error(fallback_setup: dict[str, Any]) -> None:
    ds, log = fallback_setup["ds"], fallback_setup["log"]
    with pytest.raises(CodecError) as info:
        pixel_array(ds, indices=[3], fallback=False)
    message = str(info.value)
    assert message.startswith("frame 3 could not be decoded")
    assert "fb.flaky: ValueError: corrupt stream at byte 17" in message
    assert "fb.good" not in message
    assert isinstance(info.value.__cause__, ValueError)
    assert [name for name, _ in info.value.attempts] == ["fb.flaky"]  # type: ignore[attr-defined]
    assert log == ["fb.flaky"]


def test_when_every_codec_fails_the_error_lists_each_attempt(fallback_setup: dict[str, Any]) -> None:
    ds = fallback_setup["ds"]
    with pytest.raises(CodecError) as info:
        pixel_array(ds, index=3, decoding_plugin=["fb.flaky", "fb.valueerror", "fb.panic"])
    message = str(info.value)
    assert message.startswith("frame 3 could not be decoded")
    for part in (
        "fb.flaky: ValueError: corrupt stream at byte 17",
        "fb.valueerror: ValueError: bad marker",
        "fb.panic: PanicException: rust panicked: index out of bounds",
    ):
        assert part in message
    assert isinstance(info.value.__cause__, PanicException)
    attempts = info.value.attempts  # type: ignore[attr-defined]
    assert [(n, type(e).__name__) for n, e in attempts] == [
        ("fb.flaky", "ValueError"), ("fb.valueerror", "ValueError"), ("fb.panic", "PanicException"),
    ]


def test_panic_without_fallback_is_wrapped_not_propagated(fallback_setup: dict[str, Any]) -> None:
    with pytest.raises(CodecError, match=r"frame 0 could not be decoded .*fb\.panic: PanicException") as info:
        pixel_array(fallback_setup["ds"], decoding_plugin="fb.panic", fallback=False)
    assert isinstance(info.value.__cause__, PanicException)


def test_keyboard_interrupt_is_not_swallowed() -> None:
    log: list[str] = []
    register(
        make_plugin(
            "interrupt",
            [
                codec("int.stop", _raiser("int.stop", KeyboardInterrupt(), log), priority=90),
                codec("int.good", raw_decoder("int.good", log)),
            ],
            [TEST_SYNTAX],
        )
    )
    ds, _ = frames_dataset(1)
    ds.compress(TEST_TS, encoding_plugin="int.good")
    with pytest.raises(KeyboardInterrupt):
        pixel_array(ds)
    assert log == ["int.stop"]


def test_real_rle_data_falls_back_from_the_example_codec(xor_installed: Path) -> None:
    log: list[str] = []
    register_test_rle(log)
    ds, arr = frames_dataset(2)
    ds.compress(RLE, encoding_plugin="testrle.numpy")
    with config.prefer("xor.numpy", "testrle.numpy", transfer_syntax=RLE):
        out, meta = get_decoder(RLE).as_array(ds)
        np.testing.assert_array_equal(out, arr)
        assert meta["codecs"] == ["testrle.numpy", "testrle.numpy"]
        with pytest.raises(CodecError) as info:
            pixel_array(ds, fallback=False)
    message = str(info.value)
    assert message.startswith("frame 0 could not be decoded (xor.numpy: ValueError: xor.numpy cannot decode")
    assert isinstance(info.value.__cause__, ValueError)
    assert log == ["testrle.numpy", "testrle.numpy"]


def test_capabilities_skip_a_codec_before_calling_it() -> None:
    log: list[str] = []
    register(
        make_plugin(
            "caps",
            [
                codec(
                    "cap.only8",
                    raw_decoder("cap.only8", log),
                    priority=90,
                    capabilities=Capabilities(bits_allocated=frozenset({8})),
                ),
                codec(
                    "cap.missing",
                    raw_decoder("cap.missing", log),
                    priority=80,
                    requires=("dicodec_no_such_backend_4711",),
                    install_hint="pip install dicodec-nosuch[fast]",
                ),
                codec("cap.unsigned", raw_decoder("cap.unsigned", log), priority=70,
                      capabilities=Capabilities(signed=False)),
                codec("cap.any", raw_decoder("cap.any", log), priority=10),
            ],
            [TEST_SYNTAX],
        )
    )
    ds, arr = frames_dataset(2)  # 16-bit unsigned
    ds.compress(TEST_TS, encoding_plugin="cap.any")
    out, meta = get_decoder(TEST_TS).as_array(ds)
    np.testing.assert_array_equal(out, arr)
    assert meta["codecs"] == ["cap.unsigned", "cap.unsigned"]
    assert log == ["cap.unsigned", "cap.unsigned"]
    # only refusing / unavailable codecs: NoCodecAvailableError names each and why
    with pytest.raises(NoCodecAvailableError) as info:
        pixel_array(ds, decoding_plugin=["cap.only8", "cap.missing"])
    message = str(info.value)
    assert "Raw Test Frames" in message
    assert "cap.only8: Bits Allocated 16 is not one of [8]" in message
    assert "cap.missing: missing dicodec_no_such_backend_4711 (pip install dicodec-nosuch[fast])" in message
    assert log == ["cap.unsigned", "cap.unsigned"]  # neither was called
    # when another codec fails, the skipped ones are listed as not tried
    register(make_plugin("caps_bad", [codec("cap.bad", _raiser("cap.bad", ValueError("nope"), log), priority=95)]))
    with pytest.raises(CodecError, match=r"cap\.bad: ValueError: nope; not tried: cap\.only8 \(Bits Allocated 16"):
        pixel_array(ds, decoding_plugin=["cap.bad", "cap.only8"])
    # the report says why a codec is unavailable
    row = next(c for c in plugin_rows()["caps"]["codecs"] if c["name"] == "cap.missing")
    assert row["available"] is False
    assert row["reason"] == "missing dicodec_no_such_backend_4711 (pip install dicodec-nosuch[fast])"


def test_no_codec_for_a_transfer_syntax_says_what_to_install() -> None:
    ds, _ = frames_dataset(1)
    register(make_plugin("ts_only", syntaxes=[TEST_SYNTAX]))
    # the data set claims a transfer syntax that no codec serves
    ds.PixelData = encaps.encapsulate([b"\x00" * 128])
    ds.file_meta.TransferSyntaxUID = TEST_TS
    with pytest.raises(NoCodecAvailableError, match="no codec is registered for Raw Test Frames"):
        pixel_array(ds)


# ===========================================================================
# dicodec.plugins.frames.fill_out: the copy every library-backed codec makes
# ===========================================================================
def test_fill_out_writes_into_the_given_array_and_keeps_bits_through_a_view() -> None:
    from dicodec.plugins.frames import fill_out

    spec = FrameSpec(rows=2, columns=3, samples_per_pixel=1, bits_allocated=16, bits_stored=16, pixel_representation=1)
    out = np.zeros(spec.shape, np.int16)
    library = np.array([0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF], dtype=np.uint16)
    assert fill_out(out, library, spec, as_dtype=np.uint16) is out
    assert out.ravel().tolist() == [0, 1, 32767, -32768, -2, -1]  # the same bits, read signed


def test_fill_out_widens_a_smaller_container_and_allocates_when_needed() -> None:
    from dicodec.plugins.frames import fill_out

    spec = FrameSpec(rows=2, columns=2, samples_per_pixel=3, bits_allocated=16, bits_stored=8,
                     photometric_interpretation="RGB")
    samples = np.arange(12, dtype=np.uint8) + 250  # wraps: 250..255, 0..5
    out = fill_out(None, samples, spec)
    assert out.dtype == np.uint16 and out.shape == (2, 2, 3)
    assert out.ravel().tolist() == samples.astype(np.uint16).tolist()


def test_fill_out_names_the_library_when_the_sample_count_is_wrong() -> None:
    from dicodec.plugins.frames import fill_out

    spec = FrameSpec(rows=4, columns=4, bits_allocated=8, bits_stored=8)
    with pytest.raises(ValueError, match="libbar decoded 15 samples, the frame has 16"):
        fill_out(np.empty((4, 4), np.uint8), np.zeros(15, np.uint8), spec, library="libbar")
