"""The RLE C core under AddressSanitizer and UndefinedBehaviorSanitizer.

Compiles ``fuzz/rle/driver.c`` with ``plugins/rle/src/rle_core.c`` using
``gcc -fsanitize=address,undefined`` (twice: with the SIMD paths and with the
portable scalar paths) and runs it over the corpus RLE frames, synthetic frames
of every Bits Allocated / Samples per Pixel, and thousands of mutated copies.
A sanitizer report aborts the driver, which fails the test. Skips cleanly when
gcc or its sanitizer runtimes are missing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

dicodec_rle = pytest.importorskip("dicodec_rle")

ROOT = Path(__file__).resolve().parents[3]
SRC = ROOT / "plugins" / "rle" / "src"
FUZZ = ROOT / "fuzz" / "rle"
DRIVER = FUZZ / "driver.c"
SUMMARY_KEYS = ("records", "ok", "errors", "mutated", "mutated_ok", "roundtrips", "random_images")


def load_fuzz_module(name: str) -> Any:
    """Import fuzz/rle/<name>.py (the fuzz folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"rle_fuzz_{name}", FUZZ / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(tmp_path: Path, name: str, *defines: str) -> Path:
    exe = tmp_path / name
    cmd = [
        "gcc", "-std=c99", "-g", "-O1", "-Wall", "-Wextra", "-Werror",
        "-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer",
        *defines, f"-I{SRC}", str(DRIVER), str(SRC / "rle_core.c"), "-o", str(exe),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        if "asan" in proc.stderr or "ubsan" in proc.stderr or "sanitize" in proc.stderr:
            pytest.skip(f"gcc has no sanitizer runtime here: {proc.stderr.strip()[:200]}")
        pytest.fail(f"the driver does not compile:\n{proc.stderr}")
    return exe


def run(exe: Path, seeds: Path, *args: str) -> dict[str, int]:
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=86"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    proc = subprocess.run(
        [str(exe), *args, str(seeds)], capture_output=True, text=True, env=env, timeout=900
    )
    assert proc.returncode == 0, f"driver exited {proc.returncode}:\n{proc.stderr[-4000:]}"
    words = proc.stdout.split()
    summary = {k: int(words[words.index(k) + 1]) for k in SUMMARY_KEYS}
    return summary


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    data, valid = load_fuzz_module("make_seeds").driver_records()
    path = tmp_path_factory.mktemp("rle-seeds") / "seeds.bin"
    path.write_bytes(data)
    return path, valid


def test_asan_ubsan_simd_build(seeds: tuple[Path, int], tmp_path: Path) -> None:
    path, valid = seeds
    exe = build(tmp_path, "rle_driver")
    summary = run(exe, path, "-n", "120", "-s", "1", "-r", "400")
    assert summary["ok"] == valid  # every genuine frame decodes and round-trips
    assert summary["errors"] == summary["records"] - valid
    assert summary["mutated"] >= 3000
    assert summary["random_images"] >= 300


def test_asan_ubsan_scalar_build(seeds: tuple[Path, int], tmp_path: Path) -> None:
    path, valid = seeds
    exe = build(tmp_path, "rle_driver_scalar", "-DRLE_NO_SIMD")
    summary = run(exe, path, "-n", "40", "-s", "2", "-r", "200")
    assert summary["ok"] == valid
    assert summary["mutated"] >= 1000


def test_fuzz_target_runs_on_seeds_and_garbage() -> None:
    """fuzz_decode.TestOneInput accepts its seeds and random inputs without surprises."""
    import numpy as np

    target = load_fuzz_module("fuzz_decode")
    seeds = load_fuzz_module("make_seeds")
    inputs = seeds.synthetic_seeds() + seeds.corpus_seeds(100_000)
    assert len(inputs) >= 40
    rng = np.random.default_rng(3)
    for data in inputs:
        target.TestOneInput(data)
        mutated = bytearray(data)
        for _ in range(20):
            m = bytearray(mutated)
            for _ in range(int(rng.integers(1, 5))):
                m[int(rng.integers(0, len(m)))] = int(rng.integers(0, 256))
            target.TestOneInput(bytes(m[: int(rng.integers(0, len(m) + 1))]))


def test_atheris_smoke_run(tmp_path: Path) -> None:
    """The atheris target starts and runs a few hundred inputs (uninstrumented build)."""
    pytest.importorskip("atheris")
    seeds = tmp_path / "seeds"
    subprocess.run([sys.executable, str(FUZZ / "make_seeds.py"), str(seeds), "--max-bytes", "20000"],
                   check=True, capture_output=True)  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "DICODEC_RLE_FUZZ_EXT")}
    proc = subprocess.run(
        [sys.executable, str(FUZZ / "fuzz_decode.py"), str(seeds), "-runs=500", "-max_len=30000"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done 500 runs" in proc.stderr
