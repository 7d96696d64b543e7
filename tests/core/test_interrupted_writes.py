"""Interrupted writes leave nothing half-written (dcmwrite, Dataset.save_as, FileSet.write).

The fault injector below patches the file-system calls the writers use (``open`` /
``os.fdopen`` and the file objects they return, ``tempfile.mkstemp``, ``os.open``
with ``O_CREAT``, ``os.replace`` ...) and fails exactly one of them: the n-th
operation, or the write that would take the output past byte k. A clean run first
counts the operations and bytes, then the write is repeated failing at every
operation and at every byte boundary of interest. After each failure:

* writing to a path: the destination is byte-identical to before (or still absent),
  nothing else appeared in its folder, and the error is a
  :class:`~dicodec.errors.WriteError` naming the path with the injected
  :class:`OSError` as ``__cause__``; a ``KeyboardInterrupt`` propagates unchanged;
* writing to a caller's file object: dicodec cannot undo what the stream took, but
  the error surfaces the same way (``WriteError`` from the ``OSError``), short
  writes are completed, and an encoding error touches the stream not at all;
* ``FileSet.write``: the previous DICOMDIR and every previously written file are
  byte-identical, no stray file or folder exists, and writing again succeeds.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import dicodec
from dicodec import examples
from dicodec.dataset import Dataset, FileDataset, FileMetaDataset
from dicodec.errors import DicodecError, WriteError
from dicodec.fileset import FileSet
from dicodec.filewriter import dcmwrite
from dicodec.uid import generate_uid

CT = "1.2.840.10008.5.1.4.1.1.2"

_real_open = builtins.open
_real_os_open = os.open
_real_replace = os.replace
_real_rename = os.rename
_real_link = os.link
_real_mkdir = os.mkdir
_real_chmod = os.chmod
_real_mkstemp = tempfile.mkstemp


# ----------------------------------------------------------------- fault injection
def _no_fsync(fd: int) -> None:
    """Durability is not under test here, and a real fsync costs milliseconds."""


@pytest.fixture(autouse=True)
def _fast_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", _no_fsync)


class Faults:
    """Counts file-system operations and bytes written; fails the chosen one.

    Parameters
    ----------
    op : int, optional
        Fail the operation with this index (0-based, in call order).
    byte : int, optional
        Fail the write call that would take the total written past this many bytes,
        after writing the bytes up to it (a partial write, as a full disk does).
    exc : callable
        Makes the exception to raise from the name of the failing operation.
    """

    def __init__(
        self,
        op: int | None = None,
        byte: int | None = None,
        exc: Callable[[str], BaseException] | None = None,
    ) -> None:
        self.op = op
        self.byte = byte
        self.make = exc or enospc
        self.ops: list[str] = []
        self.written = 0
        self.write_starts: list[int] = []  # the running byte count at each write call
        self.raised: BaseException | None = None
        self.failed_at: str | None = None

    def step(self, name: str) -> None:
        index = len(self.ops)
        self.ops.append(name)
        if index == self.op:
            self.fail(name)

    def fail(self, name: str) -> None:
        self.failed_at = name
        self.raised = self.make(name)
        raise self.raised


def enospc(name: str) -> OSError:
    return OSError(errno.ENOSPC, f"No space left on device (injected in {name})")


def interrupt(name: str) -> KeyboardInterrupt:
    return KeyboardInterrupt(f"injected in {name}")


class FailingFile:
    """A writable file object whose write / flush / close go through :class:`Faults`."""

    def __init__(self, raw: Any, faults: Faults) -> None:
        self._raw = raw
        self._faults = faults

    def write(self, data: Any) -> int:
        faults = self._faults
        data = bytes(data)
        faults.write_starts.append(faults.written)
        if faults.byte is not None and faults.written <= faults.byte < faults.written + len(data):
            part = faults.byte - faults.written
            self._raw.write(data[:part])
            faults.written += part
            faults.fail(f"write at byte {faults.byte}")
        self._raw.write(data)
        faults.written += len(data)
        return len(data)

    def flush(self) -> None:
        self._faults.step("flush")
        self._raw.flush()

    def close(self) -> None:
        if self._raw.closed:
            return
        try:
            self._faults.step("close")
        finally:
            self._raw.close()  # the descriptor is released even when close() fails

    def __enter__(self) -> FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


@contextlib.contextmanager
def inject(faults: Faults) -> Iterator[Faults]:
    """Route the file-system calls dicodec's writers make through ``faults``."""

    def fake_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if not any(c in mode for c in "wax+"):
            return _real_open(file, mode, *args, **kwargs)
        faults.step(f"open({file!r}, {mode!r})")
        return FailingFile(_real_open(file, mode, *args, **kwargs), faults)

    def fake_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & os.O_CREAT:
            faults.step("os.open")
        return _real_os_open(path, flags, *args, **kwargs)

    def before(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            faults.step(name)
            return real(*args, **kwargs)

        return call

    def fake_copyfile(src: Any, dst: Any, *, follow_symlinks: bool = True) -> Any:
        faults.step("copyfile")
        with _real_open(src, "rb") as fin, builtins.open(dst, "wb") as fout:
            while chunk := fin.read(256):  # small chunks: many write calls to fail in
                fout.write(chunk)
        return dst

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(builtins, "open", fake_open)
        mp.setattr(io, "open", fake_open)  # os.fdopen goes through io.open
        mp.setattr(os, "open", fake_os_open)
        mp.setattr(tempfile, "mkstemp", before("mkstemp", _real_mkstemp))
        mp.setattr(os, "replace", before("replace", _real_replace))
        mp.setattr(os, "rename", before("rename", _real_rename))
        mp.setattr(os, "link", before("link", _real_link))
        mp.setattr(os, "mkdir", before("mkdir", _real_mkdir))
        mp.setattr(os, "fsync", before("fsync", _no_fsync))
        mp.setattr(os, "chmod", before("chmod", _real_chmod))
        mp.setattr(shutil, "copyfile", fake_copyfile)
        yield faults


def byte_points(
    faults: Faults, every_up_to: int, samples: int = 48, near: bool = True
) -> list[int]:
    """Failure points: every byte up to ``every_up_to``, write-call boundaries, a spread.

    With ``near``, also the bytes either side of each write call's first byte.
    """
    total = faults.written
    points = set(range(min(total, every_up_to)))
    for start in faults.write_starts:
        around = (start - 1, start, start + 1) if near else (start,)
        points.update(p for p in around if 0 <= p < total)
    points.update(total * i // samples for i in range(samples))
    points.add(total - 1)
    return sorted(points)


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (``None``) under ``root``."""
    return {
        str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(root.rglob("*"))
    }


def check_write_error(exc: BaseException, faults: Faults, path: str | os.PathLike[str]) -> None:
    assert isinstance(exc, WriteError), repr(exc)
    assert isinstance(exc, DicodecError)
    assert exc.__cause__ is faults.raised, (exc.__cause__, faults.raised)
    assert os.fspath(path) in str(exc)
    assert "No space left on device" in str(exc)


# --------------------------------------------------------------------- data sets
def small_ds(number: int = 1, patient: str = "PAT1", series: int = 1) -> FileDataset:
    """A small CT instance without pixel data."""
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.PatientName = f"Test^{patient}"
    ds.PatientID = patient
    ds.StudyInstanceUID = generate_uid(entropy_srcs=["iw-test", patient])
    ds.StudyDate = "20240101"
    ds.StudyTime = "120000"
    ds.StudyID = "S1"
    ds.Modality = "CT"
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=["iw-test", patient, str(series)])
    ds.SeriesNumber = series
    ds.InstanceNumber = number
    ds.SOPClassUID = CT
    ds.SOPInstanceUID = generate_uid(entropy_srcs=["iw-test", patient, str(series), str(number)])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CT
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    return FileDataset(None, ds, preamble=b"\x00" * 128, file_meta=meta, is_implicit_VR=False)


def deflated_ds() -> FileDataset:
    ds = small_ds(7)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1.99"
    return ds


DATASETS: dict[str, tuple[Callable[[], Dataset], int]] = {
    # name: (factory, fail at every byte below this; sampled above)
    "small": (small_ds, 4096),
    "deflated": (deflated_ds, 4096),
    "waveform": (lambda: examples.get("waveform"), 256),
    "ct": (lambda: examples.get("ct"), 0),
}


def save(target: Any, ds: Dataset, how: str, **kwargs: Any) -> None:
    if how == "dcmwrite":
        dcmwrite(target, ds, enforce_file_format=True, **kwargs)
    else:
        ds.save_as(target, enforce_file_format=True, **kwargs)


# --------------------------------------------------------------- writing a path
@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A folder on tmpfs where there is one: these tests make and delete hundreds of
    folders, and rmdir costs milliseconds on some disks (ext4 mounted with discard)."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="dicodec-test-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("existed", [True, False], ids=["replace", "create"])
@pytest.mark.parametrize("name", list(DATASETS))
def test_path_write_fails_at_every_point(scratch: Path, name: str, existed: bool) -> None:
    factory, every = DATASETS[name]
    ds = factory()
    dest = scratch / "out.dcm"
    (scratch / "neighbour.txt").write_bytes(b"not mine")
    old = b"the previous file\x00" * 3
    if existed:
        dest.write_bytes(old)
        os.chmod(dest, 0o640)
    before = tree(scratch)

    with inject(Faults()) as counted:
        save(dest, ds, "dcmwrite")
    expected = dest.read_bytes()
    assert counted.written == len(expected)
    assert counted.ops, "the writer went round the patched calls"
    if existed:
        assert stat.S_IMODE(dest.stat().st_mode) == 0o640  # the permissions survive
        dest.write_bytes(old)
        os.chmod(dest, 0o640)
    else:
        dest.unlink()
    assert tree(scratch) == before

    cases: list[Faults] = [Faults(op=i) for i in range(len(counted.ops))]
    cases += [Faults(op=i, exc=interrupt) for i in range(len(counted.ops))]
    cases += [Faults(byte=k) for k in byte_points(counted, every)]
    cases += [Faults(byte=k, exc=interrupt) for k in byte_points(counted, 0, samples=8)]
    for faults in cases:
        how = "save_as" if (faults.op or faults.byte or 0) % 2 else "dcmwrite"
        try:
            with inject(faults):
                save(dest, ds, how)
        except BaseException as exc:
            assert faults.raised is not None, f"{exc!r}: nothing was injected"
            if isinstance(faults.raised, KeyboardInterrupt):
                assert exc is faults.raised
            else:
                check_write_error(exc, faults, dest)
            assert tree(scratch) == before, f"left behind after failing in {faults.failed_at}"
        else:
            # keeping the replaced file's permission bits is best effort
            assert faults.failed_at == "chmod", faults.failed_at
            assert dest.read_bytes() == expected
            dest.write_bytes(old)
            os.chmod(dest, 0o640)

    save(dest, ds, "dcmwrite")  # and a clean write still works
    assert dest.read_bytes() == expected


def test_new_file_gets_default_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        dcmwrite(tmp_path / "a.dcm", small_ds(), enforce_file_format=True)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "a.dcm").stat().st_mode) == 0o644


def test_overwrite_false(tmp_path: Path) -> None:
    dest = tmp_path / "x.dcm"
    dest.write_bytes(b"old")
    with pytest.raises(FileExistsError) as info:
        dcmwrite(dest, small_ds(), enforce_file_format=True, overwrite=False)
    assert isinstance(info.value, WriteError) and str(dest) in str(info.value)
    assert tree(tmp_path) == {"x.dcm": b"old"}


def test_overwrite_false_holds_when_the_file_appears_during_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process creates the file after dicodec looked: the hard link refuses it."""
    dest = tmp_path / "x.dcm"
    real_exists = os.path.exists

    def exists_then_created(path: Any) -> bool:
        found = real_exists(path)
        if os.fspath(path) == str(dest):
            dest.write_bytes(b"theirs")  # the other process wins the race
        return found

    monkeypatch.setattr(os.path, "exists", exists_then_created)
    with pytest.raises(FileExistsError) as info:
        dcmwrite(dest, small_ds(), enforce_file_format=True, overwrite=False)
    assert isinstance(info.value, WriteError) and str(dest) in str(info.value)
    assert tree(tmp_path) == {"x.dcm": b"theirs"}


@pytest.mark.parametrize("code", [errno.EPERM, errno.EXDEV])
def test_overwrite_false_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """A file system without hard links: checked just before the rename instead."""

    def no_links(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(code, "hard links are not supported here")

    monkeypatch.setattr(os, "link", no_links)
    dest = tmp_path / "new.dcm"
    dcmwrite(dest, small_ds(), enforce_file_format=True, overwrite=False)
    assert dicodec.dcmread(dest).PatientName == small_ds().PatientName
    assert [p.name for p in tmp_path.iterdir()] == ["new.dcm"]
    with pytest.raises(FileExistsError):
        dcmwrite(dest, small_ds(), enforce_file_format=True, overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == ["new.dcm"]


def test_overwrite_false_leaves_one_file_with_its_data(tmp_path: Path) -> None:
    dest = tmp_path / "new.dcm"
    dcmwrite(dest, small_ds(), enforce_file_format=True, overwrite=False)
    assert [p.name for p in tmp_path.iterdir()] == ["new.dcm"]  # no hidden temporary left
    assert os.stat(dest).st_nlink == 1
    assert dicodec.dcmread(dest).SOPInstanceUID == small_ds().SOPInstanceUID


def test_missing_folder_is_a_write_error(tmp_path: Path) -> None:
    dest = tmp_path / "no" / "such" / "x.dcm"
    with pytest.raises(WriteError, match=r"x\.dcm") as info:
        dcmwrite(dest, small_ds(), enforce_file_format=True)
    assert isinstance(info.value.__cause__, FileNotFoundError)
    assert list(tmp_path.iterdir()) == []


def test_encoding_error_touches_nothing(tmp_path: Path) -> None:
    ds = small_ds()
    ds.add_new(0x00280011, "US", 70000)  # cannot be encoded as US
    dest = tmp_path / "x.dcm"
    dest.write_bytes(b"old")
    buf = io.BytesIO(b"")
    with pytest.raises(dicodec.InvalidValueError):
        dcmwrite(dest, ds, enforce_file_format=True)
    with pytest.raises(dicodec.InvalidValueError):
        dcmwrite(buf, ds, enforce_file_format=True)
    assert tree(tmp_path) == {"x.dcm": b"old"}
    assert buf.getvalue() == b""


# ---------------------------------------------------------- writing a file object
class FailingBuffer(io.BytesIO):
    """A BytesIO that takes ``limit`` bytes, then fails (a full disk or a dropped pipe)."""

    def __init__(self, limit: int, exc: BaseException) -> None:
        super().__init__()
        self.limit = limit
        self.exc = exc

    def write(self, data: Any) -> int:
        data = bytes(data)
        room = self.limit - self.tell()
        if len(data) > room:
            super().write(data[: max(room, 0)])
            raise self.exc
        return super().write(data)


@pytest.mark.parametrize("how", ["dcmwrite", "save_as"])
def test_stream_write_fails_at_every_point(how: str) -> None:
    ds = small_ds()
    good = io.BytesIO()
    save(good, ds, how)
    expected = good.getvalue()
    for k in range(len(expected)):
        cause = OSError(errno.ENOSPC, "No space left on device")
        stream = FailingBuffer(k, cause)
        with pytest.raises(WriteError) as info:
            save(stream, ds, how)
        assert info.value.__cause__ is cause
        # documented: what the stream took stays there, and it is a prefix of the file
        assert stream.getvalue() == expected[:k]
    stream = FailingBuffer(len(expected) // 2, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        save(stream, ds, how)


def test_stream_error_names_the_stream(tmp_path: Path) -> None:
    path = tmp_path / "named.dcm"
    with _real_open(path, "wb") as fh:
        fh.close()
        with pytest.raises(WriteError, match=r"named\.dcm") as info:
            dcmwrite(fh, small_ds(), enforce_file_format=True)
    assert isinstance(info.value.__cause__, ValueError)  # I/O operation on closed file


class Trickle(io.RawIOBase):
    """A raw stream that takes at most ``chunk`` bytes per call (a pipe, a socket)."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self.data = bytearray()
        self.calls = 0

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.calls += 1
        taken = bytes(b)[: self.chunk]
        self.data += taken
        return len(taken)


def test_short_writes_are_completed() -> None:
    ds = small_ds()
    good = io.BytesIO()
    dcmwrite(good, ds, enforce_file_format=True)
    stream = Trickle(100)
    dcmwrite(stream, ds, enforce_file_format=True)
    assert bytes(stream.data) == good.getvalue()
    assert stream.calls == -(-len(good.getvalue()) // 100)
    stuck = Trickle(0)
    with pytest.raises(WriteError, match="no bytes"):
        dcmwrite(stuck, ds, enforce_file_format=True)


# ------------------------------------------------------------------- FileSet.write
# failures FileSet.write gets round: a hard link falls back to a copy, and keeping a
# copied file's permission bits is best effort
ABSORBED = {"link", "chmod"}


def _pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A written File-set and a Part 10 file to add by path."""
    base = tmp_path_factory.mktemp("pristine")
    fs = FileSet()
    fs.ID = "INTERRUPT"
    for n in range(3):
        fs.add(small_ds(n, series=1))
    fs.add(small_ds(1, patient="PAT2"))
    fs.write(base / "fs")
    extra = base / "extra.dcm"
    dcmwrite(extra, small_ds(9, series=2), enforce_file_format=True)
    return base / "fs", extra


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _pristine(tmp_path_factory)


def _staged(root: Path, extra: Path) -> FileSet:
    """The File-set at ``root`` with additions (by data set and by path) and a removal."""
    fs = FileSet(root)
    fs.remove(fs.find(PatientID="PAT2"))
    fs.add(small_ds(5, series=1))
    fs.add(small_ds(1, patient="PAT3"))
    fs.add(extra)
    return fs


@pytest.mark.parametrize("restructure", [False, True], ids=["in-place", "restructure"])
def test_fileset_write_fails_at_every_point(
    pristine: tuple[Path, Path], scratch: Path, restructure: bool
) -> None:
    source, extra = pristine
    before = tree(source)
    reference = scratch / "reference"
    shutil.copytree(source, reference)
    fs = _staged(reference, extra)
    with inject(Faults()) as counted:
        fs.write(restructure=restructure)
    expected = tree(reference)
    assert "DICOMDIR" in expected
    assert counted.ops and counted.written

    cases: list[Faults] = [Faults(op=i) for i in range(len(counted.ops))]
    cases += [Faults(byte=k) for k in byte_points(counted, 0, samples=8, near=False)]
    if restructure:  # the in-place operations are a subset of these
        cases += [Faults(op=i, exc=interrupt) for i in range(len(counted.ops))]
    for i, faults in enumerate(cases):
        root = scratch / f"case{i}"
        shutil.copytree(source, root)
        fs = _staged(root, extra)
        try:
            with inject(faults):
                fs.write(restructure=restructure)
        except BaseException as exc:
            assert faults.raised is not None, exc
            if isinstance(faults.raised, KeyboardInterrupt):
                assert exc is faults.raised
            else:
                assert isinstance(exc, WriteError), repr(exc)
                assert exc.__cause__ is faults.raised
                assert str(root) in str(exc)
            assert tree(root) == before, f"changed after failing in {faults.failed_at}"
            fs.write(restructure=restructure)  # the staged changes are intact
        else:
            assert faults.failed_at in ABSORBED, faults.failed_at
        assert tree(root) == expected, f"wrong result after failing in {faults.failed_at}"
        shutil.rmtree(root)
    assert len(FileSet(reference)) == 6


def test_new_fileset_failure_leaves_no_folder(scratch: Path) -> None:
    fs = FileSet()
    fs.add(small_ds())
    root = scratch / "new" / "fs"
    with inject(Faults()) as counted:
        fs.write(root)
    shutil.rmtree(scratch / "new")
    for i in range(len(counted.ops)):
        fs = FileSet()
        fs.add(small_ds())
        faults = Faults(op=i)
        try:
            with inject(faults):
                fs.write(root)
        except WriteError as exc:
            assert exc.__cause__ is faults.raised
            assert list(scratch.iterdir()) == [], f"left behind after failing in {faults.failed_at}"
            fs.write(root)
        else:
            assert faults.failed_at in ABSORBED, faults.failed_at
        assert len(FileSet(root)) == 1
        shutil.rmtree(scratch / "new")


def test_fileset_copy_failure_leaves_nothing(pristine: tuple[Path, Path], scratch: Path) -> None:
    source, extra = pristine
    work = scratch / "work"
    shutil.copytree(source, work)
    before = tree(work)
    fs = _staged(work, extra)
    with inject(Faults()) as counted:
        fs.copy(scratch / "copy")
    expected = tree(scratch / "copy")
    shutil.rmtree(scratch / "copy")
    for i in range(len(counted.ops)):
        faults = Faults(op=i)
        try:
            with inject(faults):
                fs.copy(scratch / "copy")
        except WriteError as exc:
            assert exc.__cause__ is faults.raised
            assert sorted(p.name for p in scratch.iterdir()) == ["work"]
        else:
            assert faults.failed_at in ABSORBED, faults.failed_at
            assert tree(scratch / "copy") == expected
            shutil.rmtree(scratch / "copy")
        assert tree(work) == before
    assert fs.is_staged


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_writing_through_a_symbolic_link_updates_its_target(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    target = tmp_path / "data" / "real.dcm"
    target.write_bytes(b"old")
    link = tmp_path / "link.dcm"
    try:
        link.symlink_to(target)
    except OSError:
        pytest.skip("symbolic links are not allowed here")
    dcmwrite(link, small_ds(), enforce_file_format=True)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert dicodec.dcmread(target).PatientID == small_ds().PatientID
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["real.dcm"]  # no temporary left
    with pytest.raises(FileExistsError):
        dcmwrite(link, small_ds(), enforce_file_format=True, overwrite=False)
