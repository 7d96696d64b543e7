"""The ``dicodec`` console script and ``python -m dicodec``: the ``show`` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dicodec import examples
from dicodec.cli import main
from tests.corpus import CORPUS, corpus_path, corpus_rows


def console_script() -> str:
    """The installed ``dicodec`` script next to this interpreter (or on PATH)."""
    found = shutil.which("dicodec", path=str(Path(sys.executable).parent)) or shutil.which("dicodec")
    if found is None:
        pytest.skip("the dicodec console script is not installed (pip install -e .)")
    return found


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload, no-any-return]


@pytest.fixture(scope="module")
def ct_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "ct.dcm"
    examples.get("ct").save_as(path, enforce_file_format=True)
    return str(path)


@pytest.fixture(scope="module")
def multiframe_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cli") / "mf.dcm"
    examples.get("multiframe").save_as(path, enforce_file_format=True)
    return str(path)


@pytest.fixture
def not_dicom(tmp_path: Path) -> str:
    path = tmp_path / "notes.txt"
    path.write_text("This is a text file, not a DICOM file.\n" * 20)
    return str(path)


def check_ct_output(out: str) -> None:
    assert "Dataset.file_meta" in out
    assert "(0002,0010) Transfer Syntax UID" in out and "Explicit VR Little Endian" in out
    assert "(0010,0010) Patient's Name" in out and "Example^CT" in out
    assert "(0028,0010) Rows" in out and "512" in out
    assert "(7FE0,0010) Pixel Data" in out


def test_console_script_show(ct_path: str) -> None:
    proc = run([console_script(), "show", ct_path])
    assert proc.returncode == 0, proc.stderr
    check_ct_output(proc.stdout)
    assert proc.stderr == ""


def test_python_m_dicodec_show(ct_path: str) -> None:
    proc = run([sys.executable, "-m", "dicodec", "show", ct_path])
    assert proc.returncode == 0, proc.stderr
    check_ct_output(proc.stdout)


def test_show_no_pixels_and_top(multiframe_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--no-pixels", multiframe_path]) == 0
    out = capsys.readouterr().out
    assert "Pixel Data" not in out
    assert "In-Stack Position Number" in out  # items are shown by default
    assert main(["show", "--top", multiframe_path]) == 0
    out = capsys.readouterr().out
    assert "Per-Frame Functional Groups Sequence  10 item(s)" in out
    assert "In-Stack Position Number" not in out


def test_show_several_files_labels_each(ct_path: str, multiframe_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", ct_path, multiframe_path]) == 0
    out = capsys.readouterr().out
    assert f"# {ct_path}" in out and f"# {multiframe_path}" in out


def test_show_non_dicom_file_fails_cleanly(not_dicom: str) -> None:
    proc = run([console_script(), "show", not_dicom])
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert not_dicom in proc.stderr
    assert "Traceback" not in proc.stderr


def test_show_missing_file_fails_cleanly(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.dcm")
    proc = run([sys.executable, "-m", "dicodec", "show", missing])
    assert proc.returncode == 1
    assert missing in proc.stderr and "Traceback" not in proc.stderr


def test_show_keeps_going_after_a_bad_file(ct_path: str, not_dicom: str) -> None:
    proc = run([sys.executable, "-m", "dicodec", "show", not_dicom, ct_path])
    assert proc.returncode == 1
    check_ct_output(proc.stdout)


def test_usage_errors() -> None:
    proc = run([sys.executable, "-m", "dicodec"])
    assert proc.returncode == 2 and "usage" in proc.stderr.lower()
    proc = run([sys.executable, "-m", "dicodec", "--version"])
    assert proc.returncode == 0 and proc.stdout.startswith("dicodec ")


# ---------------------------------------------------------------- the corpus


needs_corpus = pytest.mark.skipif(not corpus_rows(), reason=f"no corpus at {CORPUS} (../shared beside the clone)")


@needs_corpus
def test_console_script_shows_every_readable_corpus_file() -> None:
    """Every file the manifest calls readable is shown, in one run of the script."""
    rows = corpus_rows("pixels", "no-pixels", "decode-error")
    paths = [str(corpus_path(r)) for r in rows]
    proc = run([console_script(), "show", *paths])
    known = set(paths)
    failed = [line for line in proc.stderr.splitlines() if line.split(": ", 1)[0] in known]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert not failed, f"{len(failed)} readable file(s) refused:\n" + "\n".join(failed)
    assert proc.returncode == 0
    for path in paths:
        assert f"# {path}\n" in proc.stdout


@needs_corpus
def test_python_m_dicodec_show_on_damaged_corpus_files() -> None:
    """Files the manifest calls damaged give a clean error or a listing, never a traceback."""
    rows = corpus_rows("read-error")
    if not rows:
        pytest.skip("no read-error files in the corpus")
    for row in rows:
        path = str(corpus_path(row))
        proc = run([sys.executable, "-m", "dicodec", "show", path])
        assert proc.returncode in (0, 1), proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        if proc.returncode:
            assert path in proc.stderr


@needs_corpus
def test_show_no_pixels_on_corpus_with_and_without_meta(capsys: pytest.CaptureFixture[str]) -> None:
    rows = corpus_rows("pixels", "no-pixels")[:60]
    for row in rows:
        path = os.fspath(corpus_path(row))
        assert main(["show", "--no-pixels", "--force", path]) == 0, path
        out = capsys.readouterr().out
        assert "(7FE0,0010)" not in out, path
