"""Fuzz findings stay fixed: every stored input, run through its fuzz target.

The targets live in ``fuzz/targets.py`` (imported by path; atheris is not needed).
Each input under ``fuzz_regressions/<target>/`` was found by the fuzz campaign
(docs/fuzzing.md) and minimised; the only acceptable outcomes are a result or a
:class:`dicodec.DicodecError`, which the target swallows, so the test simply calls it.
The hand-made inputs below (truncation, a deflate bomb, deep nesting, ...) are built
here and must stay green too.
"""

from __future__ import annotations

import importlib.util
import io
import json
import struct
import subprocess
import sys
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import dicodec

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REGRESSIONS = HERE / "fuzz_regressions"


def _load_targets() -> ModuleType:
    name = "dicodec_fuzz_targets"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "fuzz" / "targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


targets = _load_targets()


@pytest.fixture(autouse=True)
def fuzz_limits() -> Iterator[None]:
    """The targets' small limits and silenced warnings, restored afterwards."""
    settings = dicodec.config.settings
    saved = {n: getattr(settings, n) for n in targets.LIMITS if hasattr(settings, n)}
    targets._CONFIGURED = False
    with warnings.catch_warnings():
        yield
    for n, v in saved.items():
        setattr(settings, n, v)
    targets._CONFIGURED = False


def _stored() -> list[object]:
    paths = sorted(REGRESSIONS.glob("*/*.bin"))
    if not paths:
        return [pytest.param(None, marks=pytest.mark.skip(reason="no stored fuzz findings"))]
    return [pytest.param(p, id=f"{p.parent.name}/{p.stem}") for p in paths]


# inputs that killed the fuzzer's process (a signal), hung it or ran it out of memory:
# replayed in a child process so that a regression fails this test, not the test run
_PROCESS_KILLERS = ("signal-", "asan-", "timeout-", "oom-")

_REPLAY = """
import importlib.util, resource, sys, warnings
resource.setrlimit(resource.RLIMIT_AS, (3 << 29, 3 << 29))
spec = importlib.util.spec_from_file_location("t", sys.argv[1])
t = importlib.util.module_from_spec(spec)
spec.loader.exec_module(t)
t.TARGETS[sys.argv[2]](open(sys.argv[3], "rb").read())
print("REPLAY-OK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""
PEAK_RSS_MB = 1024
"""The fuzzer allowed 2 GiB; no input of these targets (at most 64 KiB, frames of at most
1 MiB, 64 MiB limits) has a reason to come near 1 GiB."""


@pytest.mark.parametrize("path", _stored())
def test_stored_finding(path: Path) -> None:
    target = path.parent.name
    assert target in targets.TARGETS, f"{path}: no fuzz target {target!r}"
    if path.name.startswith(_PROCESS_KILLERS):
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    _REPLAY,
                    str(REPO / "fuzz" / "targets.py"),
                    target,
                    str(path),
                ],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"{path.name}: {target} still hangs (60 s)")
        assert proc.returncode == 0 and "REPLAY-OK" in proc.stdout, (
            f"{path.name}: {target} ended with exit status {proc.returncode}\n{proc.stderr[-3000:]}"
        )
        peak = int(proc.stdout.split("REPLAY-OK")[1].split()[0])
        assert peak < PEAK_RSS_MB, f"{path.name}: {target} needed {peak} MiB of memory"
        return
    targets.TARGETS[target](path.read_bytes())  # raises on anything but a result or DicodecError


def test_every_codec_has_a_target() -> None:
    assert targets.missing_codec_targets() == []


# ----------------------------------------------------------------- hand-made inputs
def _element(group: int, elem: int, vr: bytes, value: bytes) -> bytes:
    if vr in (b"OB", b"OW", b"UN", b"SQ", b"UT"):
        return struct.pack("<HH2sHL", group, elem, vr, 0, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr, len(value)) + value


def _small_file(transfer_syntax: str = "1.2.840.10008.1.2.1") -> bytes:
    ds = dicodec.Dataset()
    ds.file_meta = dicodec.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = transfer_syntax
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4"
    ds.PatientName = "Fuzz^Seed"
    ds.Rows, ds.Columns, ds.SamplesPerPixel = 4, 4, 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.add_new(0x7FE00010, "OB", bytes(range(16)))
    buf = io.BytesIO()
    dicodec.dcmwrite(buf, ds)
    return buf.getvalue()


@pytest.mark.parametrize(
    "transfer_syntax", ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"]
)
def test_truncated_files(transfer_syntax: str) -> None:
    data = _small_file(transfer_syntax)
    for cut in range(0, len(data), 7):
        targets.fuzz_dcmread(data[:cut])
        targets.fuzz_framereader(data[:cut])


def test_deflate_bomb() -> None:
    """A deflated body that inflates to 128 MiB of one element value."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [comp.compress(_element(0x0009, 0x0010, b"LO", b"BOMB")[:0])]
    parts.append(comp.compress(struct.pack("<HH2sHL", 0x0011, 0x1010, b"OB", 0, 128 * 1024 * 1024)))
    zeros = bytes(1024 * 1024)
    for _ in range(128):
        parts.append(comp.compress(zeros))
    parts.append(comp.flush())
    body = b"".join(parts)
    assert len(body) < 200_000
    targets.fuzz_deflate(b"\0" + body)


def test_deflate_garbage() -> None:
    targets.fuzz_deflate(b"\0" + bytes(range(256)) * 4)
    targets.fuzz_deflate(b"\0")
    targets.fuzz_deflate(b"\1" + _small_file()[132:])


def _nested_sequences(depth: int) -> bytes:
    head = b""
    tail = b""
    item_start = struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
    item_end = struct.pack("<HHL", 0xFFFE, 0xE00D, 0)
    seq_end = struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)
    seq = struct.pack("<HH2sHL", 0x0008, 0x1115, b"SQ", 0, 0xFFFFFFFF)
    head = (seq + item_start) * depth
    tail = (item_end + seq_end) * depth
    return head + tail


@pytest.mark.parametrize("depth", [50, 3000])
def test_deeply_nested_sequences(depth: int) -> None:
    body = _nested_sequences(depth)
    targets.fuzz_dcmread(targets.part10_header("1.2.840.10008.1.2.1") + body)
    targets.fuzz_dcmread(body)  # a bare data set (force=True)
    targets.fuzz_deflate(b"\1" + body)


@pytest.mark.parametrize("depth", [50, 3000])
def test_deeply_nested_json(depth: int) -> None:
    text = '{"00100010": {"vr": "PN", "Value": [{"Alphabetic": "A^B"}]}}'
    for _ in range(depth):
        text = '{"00081115": {"vr": "SQ", "Value": [' + text + "]}}"
    targets.fuzz_json(text.encode())


def test_json_odd_inputs() -> None:
    for data in (
        b"",
        b"\xff\xfe",
        b"[]",
        b"null",
        b"1e999",
        b'{"0010": {}}',
        b'{"00100010": {"vr": "XX"}}',
        json.dumps({"7FE00010": {"vr": "OB", "InlineBinary": "!!!"}}).encode(),
    ):
        targets.fuzz_json(data)


def test_encapsulated_oddities() -> None:
    item = struct.pack("<HHL", 0xFFFE, 0xE000, 0)
    for data in (
        b"",
        b"\0\0" + item,
        b"\2\0" + item + struct.pack("<HHL", 0xFFFE, 0xE000, 0xFFFFFFF0),
        b"\3\0"
        + struct.pack("<HHL", 0xFFFE, 0xE000, 8)
        + struct.pack("<2L", 0, 0xFFFFFFF8)
        + item * 3,
        b"\xff\x80" + item * 2000,
        b"\2\3\1" + struct.pack("<QQ", 0, 1 << 63) + item + item,
    ):
        targets.fuzz_encaps(data)


def test_dicomdir_oddities() -> None:
    targets.fuzz_dicomdir(b"")
    targets.fuzz_dicomdir(_small_file())
    targets.fuzz_dicomdir(_small_file()[:200])


def test_codec_frames_of_nothing() -> None:
    header = targets.frame_header(8, 8)
    for target in targets.CODEC_TARGETS:
        targets.TARGETS[target](header)
        targets.TARGETS[target](header + b"\xff" * 64)
