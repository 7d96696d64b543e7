"""Tests for dicodec-dask: frames() as a lazy dask array, distributed transcode().

One ``LocalCluster`` (2 worker processes, loopback only) serves the module; the
corpus is a few hundred small files generated in a temporary folder.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.metadata
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dicodec
from dicodec import examples, uid
from dicodec.pixels import pixel_array

dicodec_dask = pytest.importorskip("dicodec_dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
fsspec = pytest.importorskip("fsspec")

import dask  # noqa: E402

from dicodec_dask import FrameStack, TranscodeResult, _sources, frames, transcode  # noqa: E402

ROWS, COLS = 24, 20
N_FILES = 300
SYNTAXES = (uid.ExplicitVRLittleEndian, uid.ImplicitVRLittleEndian, uid.RLELossless, uid.DeflatedExplicitVRLittleEndian)


# ------------------------------------------------------------------ fixtures


def _base() -> Any:
    ds = examples.ct
    ds.set_pixel_data(np.zeros((ROWS, COLS), np.int16), "MONOCHROME2", 16)
    return ds


def _write(path: Path, base: Any, arr: np.ndarray, ts: str, key: str) -> None:
    ds = copy.deepcopy(base)
    ds.set_pixel_data(arr, "MONOCHROME2", 16)
    value = uid.generate_uid(entropy_srcs=["dicodec-dask-test", key])
    ds.SOPInstanceUID = value
    ds.file_meta.MediaStorageSOPInstanceUID = value
    if uid.UID(ts).is_encapsulated:
        ds.compress(ts, generate_instance_uid=False)
    else:
        ds.file_meta.TransferSyntaxUID = ts
    ds.save_as(path, enforce_file_format=True)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], np.ndarray]:
    """N_FILES files, 1 to 3 frames each, in four transfer syntaxes; and their frames."""
    folder = tmp_path_factory.mktemp("dask-corpus")
    base = _base()
    rng = np.random.default_rng(20260)
    paths, stacks = [], []
    for i in range(N_FILES):
        n = 1 + (i % 7 == 3) + (i % 11 == 5)
        arr = rng.integers(-2000, 3000, (n, ROWS, COLS)).astype(np.int16)
        path = folder / f"f{i:04d}.dcm"
        _write(path, base, arr if n > 1 else arr[0], SYNTAXES[i % len(SYNTAXES)], str(i))
        paths.append(str(path))
        stacks.append(arr)
    return paths, np.concatenate(stacks)


@pytest.fixture(scope="module")
def cluster() -> Any:
    with contextlib.ExitStack() as stack:
        cl = stack.enter_context(
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
            )
        )
        client = stack.enter_context(distributed.Client(cl, set_as_default=False))
        yield cl, client


# --------------------------------------------------------------- import cost


def test_import_dicodec_never_imports_dask() -> None:
    code = (
        "import sys, dicodec, dicodec.plugins\n"
        "dicodec.plugins.report()\n"
        "import dicodec.pixels\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed', 'dicodec_dask')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_registers_no_plugin() -> None:
    dist = importlib.metadata.distribution("dicodec-dask")
    assert not [ep for ep in dist.entry_points if ep.group == "dicodec.plugins"]


def test_import_dicodec_dask_is_lazy_about_dask() -> None:
    code = "import sys, dicodec_dask; print('dask' in sys.modules, 'distributed' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -------------------------------------------------------------------- frames


def test_frames_matches_dicodec(corpus: tuple[list[str], np.ndarray]) -> None:
    paths, expected = corpus
    arr = frames(paths, chunks="file")
    assert isinstance(arr, da.Array)
    assert arr.shape == expected.shape and arr.dtype == np.int16
    assert arr.chunks[0] == tuple(pixel_array(p).reshape(-1, ROWS, COLS).shape[0] for p in paths)
    got = arr.compute(scheduler="threads")
    np.testing.assert_array_equal(got, expected)
    # and each file against dicodec itself
    for k in (0, 3, 5, 7):
        one = pixel_array(paths[k])
        stack = FrameStack.open(paths[: k + 1])
        f = stack.frame_counts[k]
        np.testing.assert_array_equal(stack[len(stack) - f :].reshape(one.shape), one)


@pytest.mark.parametrize("chunks", ["file", "frame", 7, "auto"])
def test_frames_chunking(corpus: tuple[list[str], np.ndarray], chunks: Any) -> None:
    paths, expected = corpus
    paths, n = paths[:40], sum(1 + (i % 7 == 3) + (i % 11 == 5) for i in range(40))
    arr = frames(paths, chunks=chunks)
    if chunks == "frame":
        assert set(arr.chunks[0]) == {1}
    elif chunks == "file":
        assert arr.chunks[0] == FrameStack.open(paths).frame_counts
    elif chunks == "auto":
        assert arr.chunks[0] == (n,)  # 1 KB files: grouped into one chunk
    else:
        assert max(arr.chunks[0]) == 7
    assert arr.chunks[1:] == ((ROWS,), (COLS,))
    np.testing.assert_array_equal(arr.compute(scheduler="sync"), expected[:n])
    np.testing.assert_array_equal(arr[n - 3 : n - 1, 2:5].compute(scheduler="sync"), expected[n - 3 : n - 1, 2:5])


def test_frames_auto_splits_big_files(corpus: tuple[list[str], np.ndarray]) -> None:
    paths, _ = corpus
    with dask.config.set({"array.chunk-size": f"{ROWS * COLS * 2 * 2}B"}):  # two frames
        arr = frames(paths[:12], chunks="auto")
    assert max(arr.chunks[0]) == 2
    assert sum(arr.chunks[0]) == arr.shape[0]


def test_frames_distributed_equals_serial(corpus: tuple[list[str], np.ndarray], cluster: Any) -> None:
    paths, expected = corpus
    _, client = cluster
    arr = frames(paths, client=client, chunks=16)  # headers read on the cluster too
    serial = arr.compute(scheduler="sync")
    on_cluster = client.compute(arr).result()
    np.testing.assert_array_equal(on_cluster, serial)
    np.testing.assert_array_equal(serial, expected)
    total = client.compute(arr.astype(np.int64).sum()).result()
    assert int(total) == int(expected.astype(np.int64).sum())
    means = client.compute(arr.mean(axis=(1, 2))).result()
    np.testing.assert_allclose(means, expected.mean(axis=(1, 2)))


def test_frames_mismatch_names_the_first_file_that_differs(tmp_path: Path, corpus: tuple[list[str], np.ndarray]) -> None:
    paths, _ = corpus
    base = _base()
    other = tmp_path / "other_shape.dcm"
    _write(other, base, np.zeros((ROWS + 1, COLS), np.int16), uid.ExplicitVRLittleEndian, "x")
    also = tmp_path / "also_differs.dcm"
    _write(also, base, np.zeros((ROWS, COLS), np.uint16), uid.ExplicitVRLittleEndian, "y")
    with pytest.raises(ValueError, match=r"other_shape\.dcm has frames of shape") as info:
        frames([*paths[:5], str(other), str(also)])
    assert paths[0] in str(info.value) and "also_differs" not in str(info.value)
    with pytest.raises(ValueError, match=r"also_differs.dcm has frames of shape \(24, 20\) uint16"):
        frames([*paths[:3], str(also), str(other)])


def test_frames_unreadable_header_names_the_file(tmp_path: Path, corpus: tuple[list[str], np.ndarray]) -> None:
    paths, _ = corpus
    bad = tmp_path / "not_dicom.dcm"
    bad.write_bytes(b"\x00" * 200 + b"nonsense")
    with pytest.raises(dicodec.DicodecError, match=r"not_dicom\.dcm"):
        frames([paths[0], str(bad)])
    with pytest.raises(FileNotFoundError):
        frames([str(tmp_path / "missing.dcm")])
    with pytest.raises(ValueError, match="no files"):
        frames([])


def test_frames_fsspec_urls(corpus: tuple[list[str], np.ndarray]) -> None:
    paths, expected = corpus
    subset = paths[:25]
    n = sum(1 + (i % 7 == 3) + (i % 11 == 5) for i in range(25))
    fs = fsspec.filesystem("memory")
    urls = []
    for p in subset:
        url = f"memory://dicodec-dask-test/{os.path.basename(p)}"
        fs.pipe_file(url, Path(p).read_bytes())
        urls.append(url)
    try:
        as_memory = frames(urls).compute(scheduler="threads")
        as_glob = frames("memory://dicodec-dask-test/f00*.dcm").compute(scheduler="sync")
        as_file = frames([Path(p).as_uri() for p in subset]).compute(scheduler="sync")
        as_openfile = frames([fsspec.open(u) for u in urls], chunks="frame").compute(scheduler="sync")
    finally:
        fs.rm("/dicodec-dask-test", recursive=True)
    for got in (as_memory, as_glob, as_file, as_openfile):
        np.testing.assert_array_equal(got, expected[:n])


def test_frame_stack_is_small_to_pickle(corpus: tuple[list[str], np.ndarray]) -> None:
    import pickle

    paths, _ = corpus
    stack = FrameStack.open(paths)
    assert len(pickle.dumps(stack)) < 4096 * len(paths)
    assert stack.locate(-1) == (len(paths) - 1, stack.frame_counts[-1] - 1)
    with pytest.raises(IndexError, match="out of range"):
        stack.locate(len(stack))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_frame_stack_indexing_like_numpy(corpus: tuple[list[str], np.ndarray], data: st.DataObject) -> None:
    paths, expected = corpus
    stack = _small_stack(tuple(paths[:12]))
    ref = expected[: len(stack)]
    n = len(stack)
    first = data.draw(
        st.one_of(
            st.integers(-n, n - 1),
            st.builds(slice, st.none() | st.integers(-n - 2, n + 2), st.none() | st.integers(-n - 2, n + 2), st.sampled_from([None, 1, 2, 3, -1, -2])),
            st.lists(st.integers(-n, n - 1), max_size=6),
        )
    )
    second = data.draw(st.sampled_from([slice(None), slice(2, 9), 3, slice(None, None, -2)]))
    key = data.draw(st.sampled_from([(first,), (first, second), (first, Ellipsis, 1), first]))
    np.testing.assert_array_equal(stack[key], ref[key])


_STACKS: dict[tuple[str, ...], FrameStack] = {}


def _small_stack(paths: tuple[str, ...]) -> FrameStack:
    if paths not in _STACKS:
        _STACKS[paths] = FrameStack.open(list(paths))
    return _STACKS[paths]


# ----------------------------------------------------------------- transcode


def _outputs(results: list[TranscodeResult]) -> dict[str, bytes]:
    return {os.path.basename(r.output): Path(r.output).read_bytes() for r in results if r.output}


def _corpus_with_bad(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> list[str]:
    paths, _ = corpus
    bad = tmp_path / "in" / "zz_broken.dcm"
    bad.parent.mkdir()
    good = Path(paths[0]).read_bytes()
    bad.write_bytes(good[:-200])  # native pixel data cut short
    return [*paths, str(bad)]


def test_transcode_distributed_equals_serial(corpus: tuple[list[str], np.ndarray], cluster: Any, tmp_path: Path) -> None:
    _, client = cluster
    inputs = _corpus_with_bad(corpus, tmp_path)
    serial = transcode(inputs, tmp_path / "serial", "RLELossless")
    dist = transcode(inputs, tmp_path / "dist", "RLELossless", client=client)
    assert len(serial) == len(dist) == len(inputs)
    assert [r.path for r in serial] == inputs == [r.path for r in dist]
    strip = [(r.path, r.status, r.error, r.attempts, r.output and os.path.basename(r.output)) for r in serial]
    assert strip == [(r.path, r.status, r.error, r.attempts, r.output and os.path.basename(r.output)) for r in dist]
    assert _outputs(serial) == _outputs(dist)
    assert [r.status for r in serial].count("ok") == len(inputs) - 1
    broken = serial[-1]
    assert broken.status == "error" and broken.output is None and broken.attempts == 1
    assert broken.error.startswith("InvalidDicomError: ") and "frame 0 is incomplete" in broken.error
    assert not (tmp_path / "dist" / "zz_broken.dcm").exists()
    # the outputs decode to the inputs' pixels (lossless), in RLE
    for r in serial[:: 37]:
        if r.status == "ok":
            out = dicodec.dcmread(r.output)
            assert out.file_meta.TransferSyntaxUID == uid.RLELossless
            np.testing.assert_array_equal(out.pixel_array, dicodec.dcmread(r.path).pixel_array)
            assert out.SOPInstanceUID == dicodec.dcmread(r.path).SOPInstanceUID  # lossless: same instance


def test_transcode_survives_a_killed_worker(corpus: tuple[list[str], np.ndarray], cluster: Any, tmp_path: Path) -> None:
    paths, _ = corpus
    _, client = cluster
    client.wait_for_workers(2, timeout=60)
    pids = client.run(os.getpid)
    victim = sorted(pids)[0]
    killed: list[int] = []
    in_flight: list[int] = []

    def progress(record: TranscodeResult) -> None:
        if len(killed) == 0 and progress.count >= 20:  # type: ignore[attr-defined]
            in_flight.append(len(client.processing(workers=[victim]).get(victim, ())))
            os.kill(pids[victim], signal.SIGKILL)  # a worker process dies with tasks in flight
            killed.append(pids[victim])
        progress.count += 1  # type: ignore[attr-defined]

    progress.count = 0  # type: ignore[attr-defined]
    inputs = paths * 1  # 300 files
    results = transcode(inputs, tmp_path / "out", "JPEGLSLossless", client=client, progress=progress)
    assert killed, "the worker was not killed"
    assert in_flight[0] > 0, "the killed worker had no task"
    assert len(results) == len(inputs)
    failed = [r for r in results if r.status != "ok"]
    assert not failed, failed[:3]
    serial = transcode(inputs, tmp_path / "serial", "JPEGLSLossless")
    assert _outputs(results) == _outputs(serial)
    for r in results[::50]:
        np.testing.assert_array_equal(dicodec.dcmread(r.output).pixel_array, dicodec.dcmread(r.path).pixel_array)
    # the nanny restarts the worker: the cluster is whole again, with a new process
    client.wait_for_workers(2, timeout=60)
    deadline = time.monotonic() + 60
    while pids[victim] in client.run(os.getpid).values() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert pids[victim] not in client.run(os.getpid).values()


def _install_flaky_open(marker_dir: str) -> None:
    """On a worker: the first open of each source raises OSError (a marker file remembers)."""
    import contextlib as _contextlib
    import hashlib as _hashlib
    import os as _os

    from dicodec_dask import _sources as s

    real = getattr(s, "_real_opened", s.opened)
    s._real_opened = real  # type: ignore[attr-defined]

    @_contextlib.contextmanager
    def flaky(src: Any, storage_options: Any) -> Any:
        marker = _os.path.join(marker_dir, _hashlib.sha1(str(src).encode()).hexdigest())
        try:
            fd = _os.open(marker, _os.O_CREAT | _os.O_EXCL | _os.O_WRONLY)
        except FileExistsError:
            pass
        else:
            _os.close(fd)
            raise OSError(f"injected failure opening {src}")
        with real(src, storage_options) as fh:
            yield fh

    s.opened = flaky


def _remove_flaky_open() -> None:
    from dicodec_dask import _sources as s

    real = getattr(s, "_real_opened", None)
    if real is not None:
        s.opened = real


def test_transcode_retries_on_the_cluster(corpus: tuple[list[str], np.ndarray], cluster: Any, tmp_path: Path) -> None:
    paths, _ = corpus
    _, client = cluster
    client.wait_for_workers(2, timeout=60)
    markers = tmp_path / "markers"
    markers.mkdir()
    client.run(_install_flaky_open, str(markers))
    try:
        results = transcode(paths[:30], tmp_path / "out", "RLELossless", client=client, batch_size=4)
    finally:
        client.run(_remove_flaky_open)
    assert [r.status for r in results] == ["ok"] * 30
    assert [r.attempts for r in results] == [2] * 30
    assert all(Path(r.output).is_file() for r in results)


def test_transcode_retries_locally(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    paths, _ = corpus
    markers = tmp_path / "markers"
    markers.mkdir()
    _install_flaky_open(str(markers))
    try:
        once = transcode(paths[:6], tmp_path / "a", "RLELossless", workers=2)
        (markers / "x").touch()
        never = transcode(paths[:3], tmp_path / "b", "RLELossless", retries=0)
    finally:
        _remove_flaky_open()
    assert [(r.status, r.attempts) for r in once] == [("ok", 2)] * 6
    assert [(r.status, r.attempts) for r in never] == [("ok", 1)] * 3  # markers exist now: no failure
    # a failure that never goes away: retried, then reported with the last message
    with _always_failing_open():
        results = transcode(paths[:2], tmp_path / "c", "RLELossless", retries=3)
    assert [(r.status, r.attempts) for r in results] == [("error", 4)] * 2
    assert results[0].error.startswith("OSError: always") and results[0].output is None
    assert not list((tmp_path / "c").iterdir())


@contextlib.contextmanager
def _always_failing_open() -> Any:
    real = _sources.opened

    @contextlib.contextmanager
    def failing(src: Any, storage_options: Any) -> Any:
        raise OSError(f"always failing: {src}")
        yield

    _sources.opened = failing
    try:
        yield
    finally:
        _sources.opened = real


def test_transcode_dicodec_errors_are_not_retried(tmp_path: Path, corpus: tuple[list[str], np.ndarray]) -> None:
    bad = tmp_path / "bad.dcm"
    bad.write_bytes(b"DICM but not really" * 10)
    results = transcode([str(bad), corpus[0][0]], tmp_path / "out", "RLELossless", retries=5)
    assert results[0].status == "error" and results[0].attempts == 1
    assert results[0].error.split(":")[0] in ("InvalidDicomError",)
    assert results[1].status == "ok"


def test_transcode_progress_and_records(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    paths, _ = corpus
    seen: list[TranscodeResult] = []
    results = transcode(paths[:9], tmp_path / "out", "ExplicitVRLittleEndian", progress=seen.append, workers=3, batch_size=2)
    assert sorted(r.path for r in seen) == sorted(paths[:9])
    assert [r.path for r in results] == paths[:9]
    assert results[0].to_dict() == {
        "path": paths[0],
        "output": str(tmp_path / "out" / os.path.basename(paths[0])),
        "status": "ok",
        "error": None,
        "attempts": 1,
    }
    for r in results:
        assert dicodec.dcmread(r.output).file_meta.TransferSyntaxUID == uid.ExplicitVRLittleEndian


def test_transcode_never_overwrites_an_input(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    paths, _ = corpus
    folder = os.path.dirname(paths[0])
    before = Path(paths[0]).read_bytes()
    with pytest.raises(ValueError, match="inputs are never overwritten"):
        transcode(paths[:3], folder, "RLELossless")
    assert Path(paths[0]).read_bytes() == before


def test_transcode_name_collisions_and_root(tmp_path: Path, corpus: tuple[list[str], np.ndarray]) -> None:
    paths, _ = corpus
    for sub in ("a", "b/c"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        (tmp_path / "in" / sub / "same.dcm").write_bytes(Path(paths[0]).read_bytes())
    inputs = [str(tmp_path / "in" / "a" / "same.dcm"), str(tmp_path / "in" / "b" / "c" / "same.dcm")]
    with pytest.raises(ValueError, match="would both be written to"):
        transcode(inputs, tmp_path / "out", "RLELossless")
    results = transcode(inputs, tmp_path / "out", "RLELossless", root=tmp_path / "in")
    assert [r.output for r in results] == [str(tmp_path / "out" / "a" / "same.dcm"), str(tmp_path / "out" / "b" / "c" / "same.dcm")]
    assert all(r.status == "ok" for r in results)
    with pytest.raises(ValueError, match="is not below root"):
        transcode(inputs, tmp_path / "out2", "RLELossless", root=tmp_path / "in" / "a")


def test_transcode_skip_existing(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    paths, _ = corpus
    first = transcode(paths[:4], tmp_path / "out", "RLELossless")
    Path(first[1].output).write_bytes(b"left alone")
    again = transcode(paths[:4], tmp_path / "out", "RLELossless", skip_existing=True)
    assert [r.status for r in again] == ["skipped"] * 4
    assert Path(first[1].output).read_bytes() == b"left alone"


def test_transcode_unknown_syntax() -> None:
    with pytest.raises(ValueError, match="unknown transfer syntax 'NoSuchSyntax'"):
        transcode([], "/tmp/never", "NoSuchSyntax")


def test_transcode_fsspec_in_and_out(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    paths, _ = corpus
    fs = fsspec.filesystem("memory")
    for p in paths[:5]:
        fs.pipe_file(f"memory://dd-in/{os.path.basename(p)}", Path(p).read_bytes())
    try:
        results = transcode("memory://dd-in/*.dcm", "memory://dd-out", "RLELossless")
        local = transcode(paths[:5], tmp_path / "local", "RLELossless")
        assert [r.status for r in results] == ["ok"] * 5
        assert results[0].output == "memory://dd-out/" + os.path.basename(paths[0])
        assert [fs.cat_file(r.output) for r in results] == [Path(r.output).read_bytes() for r in local]
        from_file_urls = transcode([Path(p).as_uri() for p in paths[:2]], (tmp_path / "f").as_uri(), "RLELossless")
        assert [Path(r.output).read_bytes() for r in from_file_urls] == [Path(r.output).read_bytes() for r in local[:2]]
    finally:
        for folder in ("/dd-in", "/dd-out"):
            if fs.exists(folder):
                fs.rm(folder, recursive=True)


def test_transcode_lossy_gets_a_derived_instance_uid(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    paths, _ = corpus
    try:
        a = transcode(paths[:2], tmp_path / "a", "JPEGLSNearLossless", jls_error=2)
    except Exception as exc:  # pragma: no cover - no JPEG-LS encoder installed
        pytest.skip(str(exc))
    if a[0].status != "ok":
        pytest.skip(f"no JPEG-LS near-lossless encoder: {a[0].error}")
    b = transcode(paths[:2], tmp_path / "b", "JPEGLSNearLossless", jls_error=2)
    old = dicodec.dcmread(paths[0])
    new = dicodec.dcmread(a[0].output)
    assert new.LossyImageCompression == "01"
    assert new.SOPInstanceUID != old.SOPInstanceUID
    assert new.file_meta.MediaStorageSOPInstanceUID == new.SOPInstanceUID
    assert _outputs(a) == _outputs(b)  # deterministic: a re-run writes the same bytes
    kept = transcode(paths[:1], tmp_path / "c", "JPEGLSNearLossless", jls_error=2, new_instance_uid=False)
    assert dicodec.dcmread(kept[0].output).SOPInstanceUID == old.SOPInstanceUID


@pytest.mark.parametrize("module", ["dicodec_dask", "dicodec_dask.array", "dicodec_dask.transcode", "dicodec_dask._sources"])
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    mod = importlib.import_module(module)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0


def test_bad_arguments_are_refused(corpus: tuple[list[str], np.ndarray], tmp_path: Path) -> None:
    paths, _ = corpus
    stack = _small_stack(tuple(paths[:12]))
    with pytest.raises(ValueError, match="chunks must be"):
        stack.to_dask("nonsense")
    with pytest.raises(ValueError, match="at least 1 frame"):
        stack.to_dask(0)
    with pytest.raises(ValueError, match="retries must be 0 or more"):
        transcode(paths[:1], tmp_path, "RLELossless", retries=-1)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        transcode(paths[:1], tmp_path, "RLELossless", batch_size=0)
    with pytest.raises(TypeError, match="expected a path, a URL or an fsspec OpenFile"):
        frames([paths[0], 42])
    with pytest.raises(FileNotFoundError, match="no file matches"):
        frames(str(tmp_path / "*.nothing"))
    with pytest.raises(ValueError, match="2 sources but 1 frame infos"):
        FrameStack(paths[:2], stack.infos[:1])


def test_a_failed_write_is_retried_and_leaves_nothing(
    corpus: tuple[list[str], np.ndarray], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, _ = corpus
    real_replace = os.replace
    failed: set[str] = set()

    def full_disk_once(src: Any, dst: Any) -> None:
        if str(dst) not in failed:  # each target fails on its first attempt
            failed.add(str(dst))
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_disk_once)
    results = transcode(paths[:3], tmp_path / "out", "RLELossless", retries=1)
    assert [(r.status, r.attempts) for r in results] == [("ok", 2)] * 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(Path(r.output).name for r in results)
    # a data problem is not retried
    broken = tmp_path / "broken.dcm"
    broken.write_bytes(b"\0" * 300)
    (result,) = transcode([str(broken)], tmp_path / "out2", "RLELossless", retries=3)
    assert result.status == "error" and result.attempts == 1
