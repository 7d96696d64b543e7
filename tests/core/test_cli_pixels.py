"""The pixel commands of the CLI, end to end in subprocesses: info, decode, transcode."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dicodec
from dicodec import examples


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dicodec", *args], capture_output=True, text=True)


def test_help_shows_an_example_for_every_command() -> None:
    for cmd in ("show", "plugins", "info", "decode", "transcode"):
        out = run(cmd, "--help")
        assert out.returncode == 0
        assert "example: dicodec " + cmd in out.stdout.replace("\n", " "), cmd


def test_info_native_and_encapsulated(tmp_path: Path) -> None:
    out = run("info", examples.get_path("multiframe"), examples.get_path("deflated_frames"))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "Explicit VR Little Endian" in text and "10 frame(s) of 64x64" in text
    assert "native, 8192 bytes per frame" in text
    assert "Deflated Image Frame Compression" in text and "encapsulated, 1 fragment(s)" in text
    assert "decoded by          native.deflate" in text
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"not dicom at all" * 20)
    out = run("info", str(bad))
    assert out.returncode == 1 and "bad.dcm" in out.stderr


def test_decode_to_npy(tmp_path: Path) -> None:
    path = examples.get_path("multiframe")
    target = tmp_path / "all.npy"
    assert run("decode", path, "-o", str(target)).returncode == 0
    assert np.array_equal(np.load(target), dicodec.pixels.pixel_array(path))
    one = tmp_path / "f3.npy"
    assert run("decode", path, "--frame", "3", "-o", str(one)).returncode == 0
    assert np.array_equal(np.load(one), dicodec.pixels.pixel_array(path, index=3))
    assert run("decode", path, "-o", str(tmp_path / "x.txt")).returncode == 2
    assert run("decode", path, "--frame", "99", "-o", str(one)).returncode == 1


def test_decode_to_png_is_windowed(tmp_path: Path) -> None:
    pil = pytest.importorskip("PIL.Image")
    ds = examples.ct
    target = tmp_path / "ct.png"
    out = run("decode", examples.get_path("ct"), "-o", str(target))
    assert out.returncode == 0, out.stderr
    img = np.asarray(pil.open(target))
    assert img.shape == (512, 512) and img.dtype == np.uint8
    # the first window of the CT example applied by the PS3.3 LINEAR formula
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    c, w = float(ds.WindowCenter[0]), float(ds.WindowWidth[0])
    expected = np.clip(((hu - (c - 0.5)) / (w - 1) + 0.5) * 255, 0, 255).astype(np.uint8)
    assert np.abs(img.astype(int) - expected.astype(int)).max() <= 1
    assert 0 < img.mean() < 255


def test_transcode_many_files_with_workers(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    names = []
    for i in range(4):
        ds = examples.mr
        ds.InstanceNumber = i
        name = src / f"mr{i}.dcm"
        ds.save_as(name, enforce_file_format=True)
        names.append(str(name))
    broken = src / "broken.dcm"
    broken.write_bytes(b"\0" * 10)
    out_dir = tmp_path / "out"
    out = run("transcode", *names, str(broken), "-o", str(out_dir), "--ts", "DeflatedImageFrameCompression", "--workers", "2")
    assert out.returncode == 1  # one input failed, the others were written
    assert "broken.dcm" in out.stderr
    for name in names:
        written = out_dir / Path(name).name
        back = dicodec.dcmread(written)
        assert back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.8.1"
        assert np.array_equal(back.pixel_array, dicodec.dcmread(name).pixel_array)
    out = run("transcode", str(out_dir / "mr0.dcm"), "-o", str(tmp_path / "back.dcm"), "--ts", "1.2.840.10008.1.2.1")
    assert out.returncode == 0, out.stderr
    assert dicodec.dcmread(tmp_path / "back.dcm").file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    out = run("transcode", names[0], "-o", str(tmp_path / "x.dcm"), "--ts", "NoSuchSyntax")
    assert out.returncode != 0 and "unknown transfer syntax" in out.stderr
