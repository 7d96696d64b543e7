"""The RLE C extension (``dicodec_rle._rle``) under leak checkers.

``rle_workload.py`` encodes and decodes frames of every layout and drives every error
path of ``_rle.c`` / ``rle_core.c`` (broken frames, bad arguments). It runs:

* in-process, with ``tracemalloc``: repeated rounds must not grow the memory Python
  allocated (a leaked ``bytes`` result or reference shows up here), and buffers passed
  to a failing call must be resizable afterwards (no unreleased buffer export);
* under LeakSanitizer: the extension built from ``plugins/rle/src`` with
  ``-fsanitize=address`` and loaded into Python with ``libasan`` preloaded
  (``detect_leaks=1``); no AddressSanitizer error and no leak whose stack passes
  through our sources;
* under valgrind memcheck: the installed extension, ``PYTHONMALLOC=malloc``,
  ``--leak-check=full``; no definite leak and no invalid read/write/free or use of
  uninitialised memory whose stack passes through the extension (CPython's own reports
  are ignored).

Skips cleanly without gcc / libasan / valgrind. CI runs one workload round under
valgrind and three under LeakSanitizer. The long version is
``DICODEC_RLE_VALGRIND_ROUNDS=20 DICODEC_STRESS_SELFCHECK=1``: more rounds, and two
self-checks that build deliberately leaking copies of the extension and require the
LeakSanitizer and valgrind checks to report them (so the filters are known to work).
"""

from __future__ import annotations

import gc
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ._data import env_flag, env_int

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SRC = ROOT / "plugins" / "rle" / "src"
WORKLOAD = HERE / "rle_workload.py"
OUR_FILES = ("_rle.c", "rle_core.c")
VALGRIND_ROUNDS = env_int("DICODEC_RLE_VALGRIND_ROUNDS", 1)
LEAK_ANCHOR = "    return PyLong_FromSize_t(rle_decoded_size(rows, columns, samples, bits));"


def leaky_copy(tmp: Path, source: str, leak: str) -> Path:
    """A copy of the extension's sources in ``tmp/src`` with ``leak`` before LEAK_ANCHOR."""
    bad = tmp / "src"
    bad.mkdir()
    for f in SRC.iterdir():
        shutil.copy(f, bad / f.name)
    (bad / "_rle.c").write_text(source.replace(LEAK_ANCHOR, leak + LEAK_ANCHOR))
    return bad


def installed_extension() -> Path:
    spec = importlib.util.find_spec("dicodec_rle._rle")
    if spec is None or not spec.origin:
        pytest.skip("dicodec_rle._rle is not installed")
    return Path(spec.origin)


def run_workload(
    ext: Path | None, rounds: int, env: dict[str, str], prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    cmd = [*(prefix or []), sys.executable, str(WORKLOAD), "--rounds", str(rounds)]
    if ext is not None:
        cmd += ["--ext", str(ext)]
    full_env = dict(os.environ)
    full_env.update(env)
    return subprocess.run(cmd, capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=3600)


def summary(proc: subprocess.CompletedProcess[str]) -> dict[str, int]:
    m = re.search(r"ops (\d+) roundtrips (\d+) errors (\d+)", proc.stdout)
    assert m, (
        f"the workload did not finish:\nstdout {proc.stdout[-2000:]}\nstderr {proc.stderr[-4000:]}"
    )
    return {"ops": int(m[1]), "roundtrips": int(m[2]), "errors": int(m[3])}


# ----------------------------------------------------------------- in-process


def test_workload_does_not_grow_python_memory() -> None:
    pytest.importorskip("dicodec_rle._rle")
    sys.path.insert(0, str(HERE))
    try:
        import rle_workload
    finally:
        sys.path.remove(str(HERE))
    import random

    work = rle_workload.Workload(rle_workload.load(None), random.Random(5))
    work.round()  # warm: interned strings, exception types, caches
    gc.collect()
    tracemalloc.start()
    try:
        work.round()
        gc.collect()
        after_one, _ = tracemalloc.get_traced_memory()
        for _ in range(3):
            work.round()
        gc.collect()
        after_four, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 3 rounds = ~20 000 calls: a leaked object per call would be hundreds of KiB
    assert after_four - after_one < 16 * 1024, (after_one, after_four)
    assert work.roundtrips >= 4 * 100 and work.errors >= 4 * 5000


# ----------------------------------------------------------------- LeakSanitizer


def build_asan(tmp: Path, src_dir: Path) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    libasan = subprocess.run(
        ["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True
    ).stdout.strip()
    if not libasan or not os.path.isabs(libasan) or not os.path.exists(libasan):
        pytest.skip("gcc has no libasan.so here")
    target = tmp / f"_rle{sysconfig.get_config_var('EXT_SUFFIX')}"
    cmd = ["gcc", "-std=c99", "-g", "-O1", "-fPIC", "-shared", "-fno-omit-frame-pointer", "-fsanitize=address",
           f"-I{src_dir}", f"-I{sysconfig.get_paths()['include']}",
           str(src_dir / "_rle.c"), str(src_dir / "rle_core.c"), "-o", str(target)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        if "asan" in proc.stderr or "sanitize" in proc.stderr:
            pytest.skip(f"gcc cannot build with AddressSanitizer here: {proc.stderr[:200]}")
        pytest.fail(f"the extension does not compile:\n{proc.stderr}")
    return target


def run_lsan(ext: Path, rounds: int) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    libasan = subprocess.run(
        ["gcc", "-print-file-name=libasan.so"], capture_output=True, text=True
    ).stdout.strip()
    env = {
        "LD_PRELOAD": libasan,
        "ASAN_OPTIONS": "detect_leaks=1:exitcode=86:abort_on_error=0:fast_unwind_on_malloc=0",
        "PYTHONMALLOC": "malloc",
    }
    proc = run_workload(ext, rounds, env)
    if proc.returncode and "ASan runtime does not come first" in proc.stderr:
        pytest.skip(f"libasan cannot be preloaded into Python here: {proc.stderr[:300]}")
    # one block per leak report: "Direct leak of ... allocated from:" + its stack
    blocks = re.split(r"\n(?=(?:Direct|Indirect) leak of )", proc.stderr)
    ours = [
        b
        for b in blocks
        if re.match(r"(Direct|Indirect) leak of ", b) and any(f in b for f in OUR_FILES)
    ]
    return proc, ours


def test_extension_under_leak_sanitizer(tmp_path: Path) -> None:
    installed_extension()
    ext = build_asan(tmp_path, SRC)
    proc, ours = run_lsan(ext, 3)
    assert "ERROR: AddressSanitizer" not in proc.stderr, proc.stderr[-6000:]
    assert not ours, "leaks through the RLE extension:\n" + "\n".join(ours[:5])
    done = summary(proc)
    assert done["roundtrips"] >= 300 and done["errors"] >= 15000, done
    # Python itself leaks nothing LSan sees here, so the whole process must be clean
    assert proc.returncode == 0, proc.stderr[-6000:]


@pytest.mark.skipif(
    not env_flag("DICODEC_STRESS_SELFCHECK"),
    reason="long version only (DICODEC_STRESS_SELFCHECK=1)",
)
def test_leak_sanitizer_check_catches_a_leak(tmp_path: Path) -> None:
    """A copy of the extension that leaks 1234 bytes per decoded_size() call is caught."""
    installed_extension()
    source = (SRC / "_rle.c").read_text()
    if LEAK_ANCHOR not in source:
        pytest.skip("src/_rle.c changed: update LEAK_ANCHOR for this self-check")
    bad = leaky_copy(tmp_path, source, "    { volatile char *p = malloc(1234); if (p) p[0] = 1; p = NULL; }\n")
    ext = build_asan(tmp_path, bad)
    proc, ours = run_lsan(ext, 1)
    assert ours and "decoded_size" in ours[0], proc.stderr[-3000:]


# ----------------------------------------------------------------- valgrind


def valgrind_errors(xml_path: Path, ext: Path) -> list[str]:
    """valgrind errors whose stack passes through the extension (by object or source file)."""
    found = []
    for error in ET.parse(xml_path).getroot().iter("error"):
        kind = error.findtext("kind", "")
        frames = []
        for frame in error.iter("frame"):
            obj = frame.findtext("obj", "")
            fn = frame.findtext("fn", "")
            file = frame.findtext("file", "")
            line = frame.findtext("line", "")
            frames.append((obj, fn, file, line))
        if any(
            os.path.basename(obj) == ext.name or file in OUR_FILES for obj, _, file, _ in frames
        ):
            what = error.findtext("what", "") or error.findtext("xwhat/text", "")
            stack = "\n".join(
                f"    {fn} ({file}:{line}) {os.path.basename(obj)}"
                for obj, fn, file, line in frames[:12]
            )
            found.append(f"{kind}: {what}\n{stack}")
    return found


def run_valgrind(
    ext: Path, rounds: int, tmp: Path
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed")
    xml_path = tmp / "valgrind.xml"
    prefix = ["valgrind", "--tool=memcheck", "--leak-check=full", "--show-leak-kinds=definite",
              "--errors-for-leak-kinds=definite", "--num-callers=40", "--xml=yes",
              f"--xml-file={xml_path}"]  # fmt: skip
    proc = run_workload(ext, rounds, {"PYTHONMALLOC": "malloc"}, prefix)
    if not xml_path.exists() or xml_path.stat().st_size == 0:
        pytest.skip(f"valgrind could not run Python here: {proc.stderr[-500:]}")
    return proc, valgrind_errors(xml_path, ext)


def test_extension_under_valgrind(tmp_path: Path) -> None:
    ext = installed_extension()
    proc, ours = run_valgrind(ext, VALGRIND_ROUNDS, tmp_path)
    done = summary(proc)
    assert not ours, f"valgrind errors through {ext.name}:\n" + "\n\n".join(ours[:5])
    assert done["roundtrips"] >= 100 * VALGRIND_ROUNDS, done
    print(f"valgrind: {done} on {ext.name}, no errors through our code", file=sys.stderr)


@pytest.mark.skipif(
    not env_flag("DICODEC_STRESS_SELFCHECK"),
    reason="long version only (DICODEC_STRESS_SELFCHECK=1)",
)
def test_valgrind_check_catches_a_leak(tmp_path: Path) -> None:
    """A copy of the extension that drops a bytes object per decoded_size() call is caught."""
    source = (SRC / "_rle.c").read_text()
    if LEAK_ANCHOR not in source or shutil.which("gcc") is None:
        pytest.skip("src/_rle.c changed or gcc is missing")
    bad = leaky_copy(tmp_path, source, "    (void)PyBytes_FromStringAndSize(NULL, 1000);  /* a lost reference */\n")
    ext = tmp_path / f"_rle{sysconfig.get_config_var('EXT_SUFFIX')}"
    subprocess.run(["gcc", "-std=c99", "-g", "-O2", "-fPIC", "-shared", f"-I{bad}",
                    f"-I{sysconfig.get_paths()['include']}", str(bad / "_rle.c"), str(bad / "rle_core.c"),
                    "-o", str(ext)], check=True)  # fmt: skip
    _, ours = run_valgrind(ext, 1, tmp_path)
    assert any("Leak_DefinitelyLost" in e and "decoded_size" in e for e in ours), ours[:3]
