"""The pixel pipeline: ``pixel_array``, ``iter_pixels``, ``get_decoder``, ``compress``,
``decompress``, ``set_pixel_data`` and the ``Dataset`` methods built on them.

Every input is generated here (``dicodec.examples`` or ``set_pixel_data``); nothing
is downloaded. Each behaviour is checked from the three kinds of source the API
takes: a Dataset, a path (read in place, only what is needed) and a file-like.
Tests marked ``xfail(strict=True)`` document a known bug (see their reason); they
start failing as soon as the bug is fixed, so the marker is removed with the fix.
"""

from __future__ import annotations

import io
import os
import re
import tracemalloc
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import dicodec
from dicodec import Dataset, config, encaps, examples
from dicodec.dataelem import DataElement
from dicodec.errors import (
    CodecError,
    DicodecError,
    DicodecWarning,
    InvalidDicomError,
    InvalidValueError,
    LimitExceeded,
    NoCodecAvailableError,
)
from dicodec.framereader import FrameReader
from dicodec.pixels import (
    compress,
    decompress,
    get_decoder,
    get_encoder,
    iter_pixels,
    pixel_array,
    set_pixel_data,
)

pytest.importorskip("dicodec_native")

IVRLE = "1.2.840.10008.1.2"
EVRLE = "1.2.840.10008.1.2.1"
EVRBE = "1.2.840.10008.1.2.2"
ENCAPSULATED_UNCOMPRESSED = "1.2.840.10008.1.2.1.98"
DEFLATED_FRAME = "1.2.840.10008.1.2.8.1"
COMPRESSED = (ENCAPSULATED_UNCOMPRESSED, DEFLATED_FRAME)

SOURCES = ("dataset", "path", "filelike", "bytes")


# ------------------------------------------------------------------ helpers


def make_ds(arr: np.ndarray, pi: str = "MONOCHROME2", bits_stored: int | None = None) -> Dataset:
    """A complete data set (Secondary Capture) holding ``arr`` as native pixel data."""
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.10.1.1"
    ds.PatientName = "Pixel^Test"
    ds.Modality = "OT"
    if bits_stored is None:
        bits_stored = 1 if arr.dtype == np.bool_ else arr.dtype.itemsize * 8
    set_pixel_data(ds, arr, pi, bits_stored, generate_instance_uid=False)
    return ds


def write(ds: Dataset, folder: Path, name: str = "pixels.dcm") -> Path:
    path = folder / name
    ds.save_as(path, enforce_file_format=True)
    return path


def as_source(kind: str, ds: Dataset, folder: Path) -> Any:
    """``ds`` as the requested kind of source (the file-like stays open until GC)."""
    if kind == "dataset":
        return ds
    path = write(ds, folder)
    if kind == "path":
        return path
    data = path.read_bytes()
    if kind == "bytes":
        return data
    return io.BytesIO(data)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def uint12_frames(frames: int = 4, rows: int = 6, cols: int = 8, seed: int = 0) -> np.ndarray:
    return rng(seed).integers(0, 4096, (frames, rows, cols), dtype=np.uint16)


@pytest.fixture
def mf_ds() -> Dataset:
    """10 frames of 64x64 uint16, 12 bits stored (the ``multiframe`` example)."""
    return examples.multiframe


@pytest.fixture
def mf16() -> np.ndarray:
    """5 frames of 6x8 int16 using all 16 bits (so views are possible)."""
    return rng(5).integers(-32768, 32767, (5, 6, 8), dtype=np.int16)


def _rchar() -> int | None:
    """Bytes this process has read through read(2)/pread(2) so far (Linux), or None."""
    try:
        with open("/proc/self/io") as fh:
            for line in fh:
                if line.startswith("rchar:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _peak_bytes(func: Callable[[], Any]) -> tuple[Any, int]:
    """(result, peak bytes traced by tracemalloc while running ``func``)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = func()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


# ------------------------------------------------------------------ sources


class TestSources:
    @pytest.mark.parametrize("kind", SOURCES)
    def test_every_source_kind_decodes_the_same(
        self, kind: str, mf_ds: Dataset, tmp_path: Path
    ) -> None:
        expected = pixel_array(mf_ds)
        got = pixel_array(as_source(kind, mf_ds, tmp_path))
        assert got.shape == (10, 64, 64)
        assert got.dtype == np.uint16
        np.testing.assert_array_equal(got, expected)

    def test_pathlike_and_str_paths(self, mf_ds: Dataset, tmp_path: Path) -> None:
        path = write(mf_ds, tmp_path)
        np.testing.assert_array_equal(pixel_array(str(path)), pixel_array(path))

    def test_example_path(self) -> None:
        path = examples.get_path("ct")
        arr = pixel_array(path)
        assert arr.shape == (512, 512) and arr.dtype == np.int16
        np.testing.assert_array_equal(arr, examples.ct.pixel_array)

    def test_unsupported_source_type(self) -> None:
        with pytest.raises(TypeError, match="Dataset, a path or a file-like"):
            pixel_array(12345)

    def test_no_pixel_data(self) -> None:
        ds = make_ds(uint12_frames(1)[0], bits_stored=12)
        del ds.PixelData
        with pytest.raises(InvalidDicomError, match="no Pixel Data"):
            pixel_array(ds)

    @pytest.mark.parametrize("kind", SOURCES)
    def test_iter_pixels_equals_pixel_array(
        self, kind: str, mf_ds: Dataset, tmp_path: Path
    ) -> None:
        expected = pixel_array(mf_ds)
        frames = list(iter_pixels(as_source(kind, mf_ds, tmp_path)))
        assert len(frames) == 10
        for i, frame in enumerate(frames):
            assert frame.shape == (64, 64)
            np.testing.assert_array_equal(frame, expected[i])

    def test_iter_pixels_frames_are_independent_arrays(
        self, mf_ds: Dataset, tmp_path: Path
    ) -> None:
        frames = list(iter_pixels(write(mf_ds, tmp_path)))
        assert not np.shares_memory(frames[0], frames[1])
        assert all(f.flags.writeable for f in frames)

    def test_iter_pixels_is_lazy(self, mf_ds: Dataset, tmp_path: Path) -> None:
        it = iter_pixels(write(mf_ds, tmp_path))
        assert isinstance(it, Iterator)
        first = next(it)
        np.testing.assert_array_equal(first, pixel_array(mf_ds, index=0))
        it.close()  # closing early releases the file

    def test_iter_pixels_single_frame(self) -> None:
        frames = list(iter_pixels(examples.ct))
        assert len(frames) == 1 and frames[0].shape == (512, 512)


# ------------------------------------------------------------------ indices


class TestIndices:
    @pytest.mark.parametrize("kind", ("dataset", "path", "filelike"))
    def test_index(self, kind: str, mf_ds: Dataset, tmp_path: Path) -> None:
        full = pixel_array(mf_ds)
        src = as_source(kind, mf_ds, tmp_path)
        for i in (0, 3, 9):
            if kind == "filelike":
                src.seek(0)
            frame = pixel_array(src, index=i)
            assert frame.shape == (64, 64)
            np.testing.assert_array_equal(frame, full[i])

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_negative_index(self, kind: str, mf_ds: Dataset, tmp_path: Path) -> None:
        full = pixel_array(mf_ds)
        src = as_source(kind, mf_ds, tmp_path)
        np.testing.assert_array_equal(pixel_array(src, index=-1), full[9])
        np.testing.assert_array_equal(pixel_array(src, index=-10), full[0])

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_indices_keep_order_and_duplicates(
        self, kind: str, mf_ds: Dataset, tmp_path: Path
    ) -> None:
        full = pixel_array(mf_ds)
        src = as_source(kind, mf_ds, tmp_path)
        got = pixel_array(src, indices=[7, 2, -1, 2])
        assert got.shape == (4, 64, 64)
        np.testing.assert_array_equal(got, full[[7, 2, 9, 2]])

    def test_indices_accept_any_iterable(self, mf_ds: Dataset) -> None:
        full = pixel_array(mf_ds)
        np.testing.assert_array_equal(pixel_array(mf_ds, indices=range(2, 5)), full[2:5])
        np.testing.assert_array_equal(pixel_array(mf_ds, indices=np.array([1, 0])), full[[1, 0]])

    def test_single_index_list_keeps_the_frame_axis(self, mf_ds: Dataset) -> None:
        assert pixel_array(mf_ds, indices=[4]).shape == (1, 64, 64)

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    @pytest.mark.parametrize("bad", (10, -11, 1000))
    def test_index_out_of_range(self, kind: str, bad: int, mf_ds: Dataset, tmp_path: Path) -> None:
        src = as_source(kind, mf_ds, tmp_path)
        with pytest.raises(IndexError, match=f"frame index {bad} is out of range for 10 frames"):
            pixel_array(src, index=bad)
        with pytest.raises(IndexError, match="out of range"):
            pixel_array(src, indices=[0, bad])
        with pytest.raises(IndexError, match="out of range"):
            list(iter_pixels(src, indices=[bad]))

    def test_index_and_indices_together(self, mf_ds: Dataset) -> None:
        with pytest.raises(ValueError, match="not both"):
            pixel_array(mf_ds, index=0, indices=[1])

    def test_single_frame_index(self) -> None:
        ct = examples.ct
        np.testing.assert_array_equal(pixel_array(ct, index=0), pixel_array(ct))
        np.testing.assert_array_equal(pixel_array(ct, index=-1), pixel_array(ct))
        with pytest.raises(IndexError):
            pixel_array(ct, index=1)

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_iter_pixels_indices(self, kind: str, mf_ds: Dataset, tmp_path: Path) -> None:
        full = pixel_array(mf_ds)
        frames = list(iter_pixels(as_source(kind, mf_ds, tmp_path), indices=[5, -1, 0]))
        assert len(frames) == 3
        for frame, i in zip(frames, (5, 9, 0), strict=True):
            np.testing.assert_array_equal(frame, full[i])

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_index_on_encapsulated(self, ts: str, tmp_path: Path) -> None:
        arr = uint12_frames(6)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ts)
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src, index=-2), arr[4])
            np.testing.assert_array_equal(pixel_array(src, indices=[5, 0]), arr[[5, 0]])
            with pytest.raises(IndexError):
                pixel_array(src, index=6)


# ------------------------------------------------------------------ ds_out / out / workers


class TestDsOut:
    def test_ds_out_from_path(self, mf_ds: Dataset, tmp_path: Path) -> None:
        path = write(mf_ds, tmp_path)
        ds_out = Dataset()
        arr = pixel_array(path, ds_out=ds_out)
        assert arr.shape == (10, 64, 64)
        assert ds_out.Rows == 64 and ds_out.Columns == 64
        assert ds_out.NumberOfFrames == 10
        assert ds_out.SOPInstanceUID == mf_ds.SOPInstanceUID
        assert ds_out.file_meta.TransferSyntaxUID == EVRLE
        assert "PixelData" not in ds_out  # only what was read before the pixel data

    def test_ds_out_from_dataset(self, mf_ds: Dataset) -> None:
        ds_out = Dataset()
        pixel_array(mf_ds, ds_out=ds_out)
        assert ds_out.PatientName == mf_ds.PatientName
        assert ds_out.BitsStored == 12

    def test_ds_out_from_iter_pixels(self, mf_ds: Dataset, tmp_path: Path) -> None:
        ds_out = Dataset()
        it = iter_pixels(write(mf_ds, tmp_path), ds_out=ds_out)
        next(it)
        assert ds_out.Rows == 64
        it.close()


class TestOut:
    def test_out_is_filled_and_returned(self, mf_ds: Dataset, tmp_path: Path) -> None:
        expected = pixel_array(mf_ds)
        for src in (mf_ds, write(mf_ds, tmp_path)):
            out = np.zeros((10, 64, 64), np.uint16)
            result = pixel_array(src, out=out)
            assert result is out
            np.testing.assert_array_equal(out, expected)

    def test_out_for_one_frame(self, mf_ds: Dataset) -> None:
        out = np.zeros((64, 64), np.uint16)
        assert pixel_array(mf_ds, index=3, out=out) is out
        np.testing.assert_array_equal(out, pixel_array(mf_ds, index=3))

    def test_out_for_indices(self, mf_ds: Dataset) -> None:
        out = np.zeros((2, 64, 64), np.uint16)
        assert pixel_array(mf_ds, indices=[1, 8], out=out) is out
        np.testing.assert_array_equal(out, pixel_array(mf_ds)[[1, 8]])

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_out_with_codec(self, ts: str) -> None:
        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ts)
        out = np.empty_like(arr)
        assert pixel_array(ds, out=out) is out
        np.testing.assert_array_equal(out, arr)

    @pytest.mark.parametrize(
        "make_out",
        [
            pytest.param(lambda: np.zeros((10, 64, 64), np.int16), id="wrong-dtype"),
            pytest.param(lambda: np.zeros((10, 64, 63), np.uint16), id="wrong-shape"),
            pytest.param(lambda: np.zeros((64, 64), np.uint16), id="frame-shape-for-volume"),
            pytest.param(
                lambda: np.zeros((10, 64, 128), np.uint16)[:, :, ::2], id="not-contiguous"
            ),
            pytest.param(lambda: np.zeros((10, 64, 64), np.uint16, order="F"), id="fortran-order"),
            pytest.param(lambda: np.zeros((10, 64, 64), np.uint32), id="wider-dtype"),
        ],
    )
    def test_bad_out_is_refused(self, make_out: Callable[[], np.ndarray], mf_ds: Dataset) -> None:
        out = make_out()
        before = out.copy()
        with pytest.raises(
            ValueError, match="out must be a writable C-contiguous uint16 array of shape"
        ):
            pixel_array(mf_ds, out=out)
        np.testing.assert_array_equal(out, before)

    def test_read_only_out_is_refused(self, mf_ds: Dataset) -> None:
        out = np.zeros((10, 64, 64), np.uint16)
        out.flags.writeable = False
        with pytest.raises(ValueError, match="writable"):
            pixel_array(mf_ds, out=out)


class TestWorkers:
    @pytest.mark.parametrize("workers", (None, 1, 2, 4, 64))
    def test_workers_give_the_same_result(self, workers: int | None) -> None:
        arr = uint12_frames(12, 16, 16, seed=3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(DEFLATED_FRAME)
        np.testing.assert_array_equal(pixel_array(ds, workers=workers), arr)

    def test_workers_use_a_thread_pool_for_gil_free_codecs(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from dicodec.pixels import decoder as decoder_module
        from dicodec.pixels import workers as workers_module

        calls: list[int] = []
        real = workers_module.run_parallel

        def counting(task: Any, count: int) -> None:
            calls.append(count)
            real(task, count)

        monkeypatch.setattr(decoder_module, "run_parallel", counting)
        arr = uint12_frames(6, seed=4)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(DEFLATED_FRAME)
        np.testing.assert_array_equal(pixel_array(ds, workers=3), arr)
        assert calls == [3]
        calls.clear()
        np.testing.assert_array_equal(pixel_array(ds, workers=1), arr)
        assert calls == []
        np.testing.assert_array_equal(pixel_array(ds, index=2, workers=3), arr[2])
        assert calls == []  # one frame: no pool

    def test_the_pool_is_shared_and_kept(self) -> None:
        import threading

        from dicodec.pixels import workers as workers_module

        arr = uint12_frames(8, seed=5)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(DEFLATED_FRAME)
        pixel_array(ds, workers=2)
        before = {t.ident for t in threading.enumerate() if t.name.startswith("dicodec-worker")}
        for _ in range(5):
            np.testing.assert_array_equal(pixel_array(ds, workers=2), arr)
            ds.compress(ENCAPSULATED_UNCOMPRESSED, workers=2)
            ds.compress(DEFLATED_FRAME, workers=2)
        after = {t.ident for t in threading.enumerate() if t.name.startswith("dicodec-worker")}
        assert before and after == before  # no new threads per call
        # a nested call from a pool thread runs serially instead of waiting for the pool
        seen: list[bool] = []
        workers_module.run_parallel(lambda k: seen.append(workers_module.in_pool_thread()), 2)
        assert seen == [True, True]
        nested: list[np.ndarray] = []
        workers_module.run_parallel(lambda k: nested.append(pixel_array(ds, workers=2)), 2)
        for got in nested:
            np.testing.assert_array_equal(got, arr)

    @pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
    def test_a_forked_child_gets_a_pool_of_its_own(self) -> None:
        arr = uint12_frames(4, seed=6)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(DEFLATED_FRAME)
        pixel_array(ds, workers=2)  # the parent's pool exists now
        pid = os.fork()
        if pid == 0:  # the child: its copy of the pool has no threads
            ok = False
            try:
                ok = bool((pixel_array(ds, workers=2) == arr).all())
            finally:
                os._exit(0 if ok else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0

    def test_a_failing_frame_in_the_pool_fails_the_call(self) -> None:
        from dicodec.pixels import workers as workers_module

        def task(k: int) -> None:
            if k == 1:
                raise CodecError("frame 1 failed")

        with pytest.raises(CodecError, match="frame 1"):
            workers_module.run_parallel(task, 3)

    def test_workers_on_native_data(self, mf_ds: Dataset, tmp_path: Path) -> None:
        expected = pixel_array(mf_ds)
        np.testing.assert_array_equal(pixel_array(write(mf_ds, tmp_path), workers=4), expected)


# ------------------------------------------------------------------ view_only


class TestViewOnly:
    def test_view_of_a_dataset_shares_memory(self, mf16: np.ndarray) -> None:
        ds = make_ds(mf16)
        view = pixel_array(ds, view_only=True)
        np.testing.assert_array_equal(view, mf16)
        assert np.shares_memory(view, np.frombuffer(ds.PixelData, np.uint8))
        assert not view.flags.writeable
        with pytest.raises(ValueError):
            view[0, 0, 0] = 1

    def test_view_from_a_path_is_a_read_only_memmap(self, mf16: np.ndarray, tmp_path: Path) -> None:
        path = write(make_ds(mf16), tmp_path)
        view = pixel_array(path, view_only=True)
        assert isinstance(view, np.memmap)
        assert Path(view.filename).resolve() == path.resolve()
        assert not view.flags.writeable
        np.testing.assert_array_equal(view, mf16)

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_view_of_one_frame_and_a_run_of_frames(
        self, kind: str, mf16: np.ndarray, tmp_path: Path
    ) -> None:
        ds = make_ds(mf16)
        src = as_source(kind, ds, tmp_path)
        one = pixel_array(src, index=3, view_only=True)
        np.testing.assert_array_equal(one, mf16[3])
        assert one.shape == (6, 8) and not one.flags.writeable
        run = pixel_array(src, indices=[1, 2, 3], view_only=True)
        np.testing.assert_array_equal(run, mf16[1:4])
        if kind == "dataset":
            assert np.shares_memory(one, np.frombuffer(ds.PixelData, np.uint8))
            assert np.shares_memory(run, np.frombuffer(ds.PixelData, np.uint8))
        else:
            assert isinstance(one, np.memmap) and isinstance(run, np.memmap)

    def test_view_copies_nothing(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        big = np.arange(64 * 256 * 256, dtype=np.uint16).reshape(64, 256, 256)  # 8 MiB
        ds = make_ds(big)
        path = write(ds, tmp_path)
        view, peak = _peak_bytes(lambda: pixel_array(ds, view_only=True))
        assert peak < 1 << 20
        np.testing.assert_array_equal(view, big)
        view, peak = _peak_bytes(lambda: pixel_array(path, view_only=True))
        assert peak < 1 << 20
        assert view[-1, -1, -1] == big[-1, -1, -1]

    def test_frames_out_of_order_still_decode(self, mf16: np.ndarray) -> None:
        ds = make_ds(mf16)
        got = pixel_array(ds, indices=[3, 1], view_only=True)
        np.testing.assert_array_equal(got, mf16[[3, 1]])

    def test_view_only_falls_back_when_a_view_is_impossible(self, tmp_path: Path) -> None:
        # planar configuration 1 must be interleaved: a copy, with the right values
        rgb = rng(2).integers(0, 256, (2, 4, 6, 3), dtype=np.uint8)
        ds = make_ds(rgb, "RGB", 8)
        ds.PixelData = np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)).tobytes()
        ds.PlanarConfiguration = 1
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src, view_only=True), rgb)
        # unused high bits must be masked: the values are still correct
        arr = uint12_frames(2)
        ds = make_ds(arr, bits_stored=12)
        raw = np.frombuffer(ds.PixelData, np.uint16) | np.uint16(0xF000)
        ds.PixelData = raw.tobytes()
        np.testing.assert_array_equal(pixel_array(ds, view_only=True), arr)
        # YBR_FULL is converted to RGB unless raw
        ybr = examples.ybr_color
        np.testing.assert_array_equal(pixel_array(ybr, view_only=True), pixel_array(ybr))
        raw_view = pixel_array(ybr, view_only=True, raw=True)
        assert np.shares_memory(raw_view, np.frombuffer(ybr.PixelData, np.uint8))

    def test_decoder_view_only_meta(self, mf16: np.ndarray) -> None:
        ds = make_ds(mf16)
        view, meta = get_decoder(EVRLE).as_array(ds, view_only=True)
        assert np.shares_memory(view, np.frombuffer(ds.PixelData, np.uint8))
        assert meta["number_of_frames"] == 5

    def test_view_of_a_bytearray_value_is_read_only(self, mf16: np.ndarray) -> None:
        ds = make_ds(mf16)
        ds.PixelData = bytearray(ds.PixelData)
        view = pixel_array(ds, view_only=True)
        assert np.shares_memory(view, np.frombuffer(ds.PixelData, np.uint8))
        assert not view.flags.writeable


# ------------------------------------------------------------------ colour


class TestColour:
    def test_ybr_full_is_converted_to_rgb(self) -> None:
        ybr, rgb = examples.ybr_color, pixel_array(examples.rgb_color)
        got = pixel_array(ybr)
        assert got.shape == (100, 100, 3) and got.dtype == np.uint8
        assert np.abs(got.astype(int) - rgb).max() <= 1

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_raw_and_as_rgb_false_return_the_stored_ybr(self, kind: str, tmp_path: Path) -> None:
        ybr = examples.ybr_color
        stored = np.frombuffer(ybr.PixelData, np.uint8).reshape(100, 100, 3)
        src = as_source(kind, ybr, tmp_path)
        np.testing.assert_array_equal(pixel_array(src, raw=True), stored)
        np.testing.assert_array_equal(pixel_array(src, as_rgb=False), stored)
        converted = pixel_array(src)
        assert not np.array_equal(converted, stored)
        frames = list(iter_pixels(src, raw=True))
        np.testing.assert_array_equal(frames[0], stored)

    def test_decoder_meta_reports_the_output_colour_space(self) -> None:
        ybr = examples.ybr_color
        dec = get_decoder(EVRLE)
        assert dec.as_array(ybr)[1]["photometric_interpretation"] == "RGB"
        assert dec.as_array(ybr, raw=True)[1]["photometric_interpretation"] == "YBR_FULL"
        assert dec.as_array(ybr, as_rgb=False)[1]["photometric_interpretation"] == "YBR_FULL"
        assert [m["photometric_interpretation"] for _, m in dec.iter_array(ybr)] == ["RGB"]
        assert dec.as_array(ybr)[1]["planar_configuration"] == 0

    def test_ybr_full_multiframe(self, tmp_path: Path) -> None:
        ybr = rng(9).integers(0, 256, (3, 4, 6, 3), dtype=np.uint8)
        ds = make_ds(ybr, "YBR_FULL", 8)
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src, raw=True), ybr)
            rgb = pixel_array(src)
            assert rgb.shape == ybr.shape
            np.testing.assert_array_equal(pixel_array(src, index=2), rgb[2])

    def test_native_ybr_full_422(self, tmp_path: Path) -> None:
        ybr = rng(7).integers(0, 256, (4, 6, 3), dtype=np.uint8)
        ybr[:, 1::2, 1:] = ybr[:, 0::2, 1:]  # both pixels of a pair share their chroma
        ds = make_ds(ybr, "YBR_FULL", 8)
        full = pixel_array(ds)
        pairs = ybr.reshape(-1, 2, 3)
        groups = np.empty((pairs.shape[0], 4), np.uint8)
        groups[:, 0:2] = pairs[:, :, 0]
        groups[:, 2] = pairs[:, 0, 1]
        groups[:, 3] = pairs[:, 0, 2]
        ds.PixelData = groups.tobytes()
        ds.PhotometricInterpretation = "YBR_FULL_422"
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src, raw=True), ybr)
            np.testing.assert_array_equal(pixel_array(src), full)


# ------------------------------------------------------------------ layouts


class TestOneBit:
    """Bits Allocated 1: frames of 3x5 = 15 bits are not byte aligned."""

    @pytest.fixture
    def bits(self) -> np.ndarray:
        return rng(11).integers(0, 2, (7, 3, 5), dtype=np.uint8)

    @pytest.mark.parametrize("kind", SOURCES)
    def test_multiframe_not_byte_aligned(self, kind: str, bits: np.ndarray, tmp_path: Path) -> None:
        ds = make_ds(bits, bits_stored=1)
        assert ds.BitsAllocated == 1
        assert len(ds.PixelData) == 14  # ceil(105 / 8) = 14 bytes, no per-frame padding
        got = pixel_array(as_source(kind, ds, tmp_path))
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, bits)

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_every_frame_by_index_and_iteration(
        self, kind: str, bits: np.ndarray, tmp_path: Path
    ) -> None:
        src = as_source(kind, make_ds(bits, bits_stored=1), tmp_path)
        for i in range(7):
            np.testing.assert_array_equal(pixel_array(src, index=i), bits[i])
        for i, frame in enumerate(iter_pixels(src)):
            np.testing.assert_array_equal(frame, bits[i])
        np.testing.assert_array_equal(pixel_array(src, indices=[6, 1, 4]), bits[[6, 1, 4]])
        np.testing.assert_array_equal(pixel_array(src, view_only=True), bits)

    def test_packing_is_lsb_first_across_frames(self) -> None:
        ds = make_ds(np.zeros((2, 1, 5), np.uint8), bits_stored=1)
        ds.PixelData = bytes([0b0010_0001, 0b0000_0000])  # pixel 0 and pixel 5 (frame 1, col 0)
        got = pixel_array(ds)
        np.testing.assert_array_equal(got, [[[1, 0, 0, 0, 0]], [[1, 0, 0, 0, 0]]])

    def test_single_odd_frame(self, tmp_path: Path) -> None:
        bits = rng(12).integers(0, 2, (3, 7), dtype=np.uint8)
        ds = make_ds(bits, bits_stored=1)
        assert len(ds.PixelData) == 4  # 21 bits: 3 bytes, padded to even length
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src), bits)

    def test_truncated_one_bit_data_names_the_frame(self, bits: np.ndarray) -> None:
        ds = make_ds(bits, bits_stored=1)
        ds.PixelData = ds.PixelData[:10]  # 80 bits: frames 0-4 complete, frame 5 is not
        with pytest.raises(InvalidDicomError, match=r"frame 5 is incomplete.*\(7FE0,0010\)"):
            pixel_array(ds)

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_one_bit_round_trip_through_codecs(
        self, ts: str, bits: np.ndarray, tmp_path: Path
    ) -> None:
        ds = make_ds(bits, bits_stored=1)
        ds.compress(ts)
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src), bits)
            np.testing.assert_array_equal(pixel_array(src, index=5), bits[5])
        ds.decompress()
        assert ds.BitsAllocated == 1
        np.testing.assert_array_equal(pixel_array(ds), bits)


def _big_endian(ds: Dataset, arr: np.ndarray) -> Dataset:
    """Turn ``ds`` (made by make_ds from ``arr``) into Explicit VR Big Endian."""
    keyword = next(k for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData") if k in ds)
    data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder(">")).tobytes()
    setattr(ds, keyword, data + (b"\x00" if len(data) % 2 else b""))
    ds.file_meta.TransferSyntaxUID = EVRBE
    ds.set_original_encoding(False, False, ds.original_character_set)
    return ds


BE_DTYPES = ("uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64")


class TestBigEndian:
    @pytest.mark.parametrize("dtype", BE_DTYPES)
    @pytest.mark.parametrize("kind", ("dataset", "path", "filelike"))
    def test_values(self, dtype: str, kind: str, tmp_path: Path) -> None:
        dt = np.dtype(dtype)
        r = rng(21)
        arr = (
            (r.standard_normal((3, 4, 5)) * 1000).astype(dt)
            if dt.kind == "f"
            else r.integers(np.iinfo(dt).min, np.iinfo(dt).max, (3, 4, 5), dtype=dt, endpoint=True)
        )
        ds = _big_endian(make_ds(arr), arr)
        src = as_source(kind, ds, tmp_path)
        got = pixel_array(src)
        assert got.dtype.newbyteorder("=") == dt
        np.testing.assert_array_equal(got, arr)
        if kind == "filelike":
            src.seek(0)
        np.testing.assert_array_equal(pixel_array(src, index=2), arr[2])
        if kind == "filelike":
            src.seek(0)
        for i, frame in enumerate(iter_pixels(src)):
            np.testing.assert_array_equal(frame, arr[i])

    def test_every_api_returns_the_same_byte_order(self, tmp_path: Path) -> None:
        # unused high bits: the single-frame path copies and masks in one pass
        arr = rng(25).integers(0, 4096, (3, 4, 5), dtype=np.uint16)
        ds = _big_endian(make_ds(arr), arr)
        ds.BitsStored, ds.HighBit = 12, 11
        path = write(ds, tmp_path)
        decoder = get_decoder(EVRBE)
        got = {
            "pixel_array(ds)": pixel_array(ds),
            "pixel_array(path)": pixel_array(path),
            "pixel_array(ds, index)": pixel_array(ds, index=1),
            "as_array(ds, index)": decoder.as_array(ds, index=1)[0],
            "as_array(path, index)": decoder.as_array(path, index=1)[0],
            "iter_array(ds)": next(decoder.iter_array(ds))[0],
            "iter_pixels(path)": next(iter_pixels(path)),
        }
        assert len({a.dtype.str for a in got.values()}) == 1, {k: a.dtype.str for k, a in got.items()}
        np.testing.assert_array_equal(got["as_array(ds, index)"], arr[1])

    def test_the_file_is_big_endian(self, tmp_path: Path) -> None:
        arr = np.array([[0x0102, 0x0304]], np.uint16)
        path = write(_big_endian(make_ds(arr), arr), tmp_path)
        read = dicodec.dcmread(path)
        assert read.file_meta.TransferSyntaxUID == EVRBE
        assert bytes(read.PixelData) == b"\x01\x02\x03\x04"
        np.testing.assert_array_equal(pixel_array(path), arr)

    def test_eight_bit_data_in_ow_is_word_swapped(self, tmp_path: Path) -> None:
        arr = rng(22).integers(0, 256, (2, 3, 6), dtype=np.uint8)
        ds = make_ds(arr)
        swapped = np.frombuffer(arr.tobytes(), np.uint16).byteswap().tobytes()
        ds[0x7FE00010] = DataElement(0x7FE00010, "OW", swapped, validate=False)
        ds.file_meta.TransferSyntaxUID = EVRBE
        ds.set_original_encoding(False, False, ds.original_character_set)
        np.testing.assert_array_equal(pixel_array(ds), arr)
        path = write(ds, tmp_path)
        np.testing.assert_array_equal(pixel_array(path), arr)
        np.testing.assert_array_equal(pixel_array(path, index=1), arr[1])
        np.testing.assert_array_equal(pixel_array(dicodec.dcmread(path)), arr)

    @pytest.mark.parametrize("shape", [(3, 3, 5), (1, 1, 1), (4, 1, 3)])
    def test_word_swapped_frames_at_odd_offsets(self, shape: tuple[int, ...], tmp_path: Path) -> None:
        # frames of an odd byte count start inside a swapped word; the value ends on a pad byte
        arr = rng(24).integers(0, 256, shape, dtype=np.uint8)
        ds = make_ds(arr)
        data = arr.tobytes() + b"\x00" * (arr.size % 2)
        swapped = np.frombuffer(data, np.uint16).byteswap().tobytes()
        ds[0x7FE00010] = DataElement(0x7FE00010, "OW", swapped, validate=False)
        ds.file_meta.TransferSyntaxUID = EVRBE
        ds.set_original_encoding(False, False, ds.original_character_set)
        path = write(ds, tmp_path)
        frames = arr if arr.ndim == 3 and shape[0] > 1 else arr.reshape((1, *shape[-2:]))
        np.testing.assert_array_equal(pixel_array(path), arr.reshape(pixel_array(ds).shape))
        for i, expected in enumerate(frames if shape[0] > 1 else []):
            np.testing.assert_array_equal(pixel_array(path, index=i), expected)
            np.testing.assert_array_equal(FrameReader(path).read_frame(i), expected)
        got = list(iter_pixels(path))
        assert len(got) == shape[0]
        for a, b in zip(got, frames, strict=True):
            np.testing.assert_array_equal(a, b.reshape(a.shape))

    def test_big_endian_view(self, tmp_path: Path) -> None:
        arr = rng(23).integers(-30000, 30000, (2, 3, 4), dtype=np.int16)
        ds = _big_endian(make_ds(arr), arr)
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src, view_only=True), arr)


class TestFloat:
    @pytest.mark.parametrize(
        ("dtype", "keyword", "vr"),
        [("float32", "FloatPixelData", "OF"), ("float64", "DoubleFloatPixelData", "OD")],
    )
    @pytest.mark.parametrize("kind", SOURCES)
    def test_float_pixel_data(
        self, dtype: str, keyword: str, vr: str, kind: str, tmp_path: Path
    ) -> None:
        arr = rng(31).standard_normal((3, 4, 5)).astype(dtype)
        arr[0, 0, :3] = [np.inf, -0.0, np.nan]
        ds = make_ds(arr)
        assert keyword in ds and "PixelData" not in ds
        assert ds[keyword].VR == vr
        assert "BitsStored" not in ds and "PixelRepresentation" not in ds
        got = pixel_array(as_source(kind, ds, tmp_path))
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, arr)  # NaN == NaN for assert_array_equal

    def test_float_index_iter_view(self, tmp_path: Path) -> None:
        arr = rng(32).standard_normal((4, 3, 2)).astype(np.float64)
        ds = make_ds(arr)
        path = write(ds, tmp_path)
        for src in (ds, path):
            np.testing.assert_array_equal(pixel_array(src, index=3), arr[3])
            np.testing.assert_array_equal(np.stack(list(iter_pixels(src))), arr)
            np.testing.assert_array_equal(pixel_array(src, view_only=True), arr)

    def test_float_bits_allocated_must_match(self) -> None:
        ds = make_ds(np.zeros((2, 2), np.float32))
        ds.BitsAllocated = 64
        with pytest.raises(
            InvalidDicomError,
            match=r"Bits Allocated 64 does not match FloatPixelData.*\(0028,0100\)",
        ):
            pixel_array(ds)


class TestPlanarConfiguration:
    @pytest.mark.parametrize("dtype", ("uint8", "uint16"))
    @pytest.mark.parametrize("kind", ("dataset", "path", "filelike"))
    def test_planar_one(self, dtype: str, kind: str, tmp_path: Path) -> None:
        info = np.iinfo(dtype)
        rgb = rng(41).integers(0, info.max, (3, 4, 6, 3), dtype=dtype, endpoint=True)
        ds = make_ds(rgb, "RGB")
        ds.PixelData = np.ascontiguousarray(rgb.transpose(0, 3, 1, 2)).tobytes()
        ds.PlanarConfiguration = 1
        src = as_source(kind, ds, tmp_path)
        got = pixel_array(src)
        assert got.shape == (3, 4, 6, 3)
        np.testing.assert_array_equal(got, rgb)
        if kind == "filelike":
            src.seek(0)
        np.testing.assert_array_equal(pixel_array(src, index=1), rgb[1])
        if kind == "filelike":
            src.seek(0)
        for i, frame in enumerate(iter_pixels(src)):
            np.testing.assert_array_equal(frame, rgb[i])
        meta = get_decoder(EVRLE).as_array(ds)[1]
        assert meta["planar_configuration"] == 0

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_planar_one_compress(self, ts: str) -> None:
        rgb = rng(42).integers(0, 256, (4, 6, 3), dtype=np.uint8)
        ds = make_ds(rgb, "RGB")
        ds.PixelData = np.ascontiguousarray(rgb.transpose(2, 0, 1)).tobytes()
        ds.PlanarConfiguration = 1
        np.testing.assert_array_equal(pixel_array(ds), rgb)
        ds.compress(ts)
        np.testing.assert_array_equal(pixel_array(ds), rgb)

    def test_planar_one_decompress(self) -> None:
        rgb = rng(43).integers(0, 256, (4, 6, 3), dtype=np.uint8)
        ds = make_ds(rgb, "RGB")
        ds.compress(DEFLATED_FRAME)
        ds.PlanarConfiguration = 1  # what a codec may declare; decoding gives interleaved
        ds.decompress()
        assert ds.PlanarConfiguration == 0


class TestOddLength:
    @pytest.mark.parametrize("shape", [(3, 5), (3, 3, 5)])
    @pytest.mark.parametrize("kind", SOURCES)
    def test_odd_number_of_bytes(self, shape: tuple[int, ...], kind: str, tmp_path: Path) -> None:
        arr = rng(51).integers(0, 256, shape, dtype=np.uint8)
        ds = make_ds(arr)
        assert len(ds.PixelData) == arr.size + 1  # padded to even length
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # one pad byte is not an excess frame
            np.testing.assert_array_equal(pixel_array(as_source(kind, ds, tmp_path)), arr)

    def test_unpadded_odd_value(self) -> None:
        arr = rng(52).integers(0, 256, (3, 3, 5), dtype=np.uint8)
        ds = make_ds(arr)
        ds.PixelData = arr.tobytes()  # 45 bytes, not padded
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            np.testing.assert_array_equal(pixel_array(ds), arr)
            np.testing.assert_array_equal(pixel_array(ds, index=2), arr[2])

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_odd_frames_through_codecs(self, ts: str, tmp_path: Path) -> None:
        arr = rng(53).integers(0, 256, (3, 3, 5), dtype=np.uint8)
        ds = make_ds(arr)
        ds.compress(ts)
        for _offset, length in encaps.parse_items(ds.PixelData)[1:]:
            assert length % 2 == 0
        for src in (ds, write(ds, tmp_path)):
            np.testing.assert_array_equal(pixel_array(src), arr)


# ------------------------------------------------------------------ damaged data


class TestExcessFrames:
    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_native_excess_frames_warn(self, kind: str, tmp_path: Path) -> None:
        arr = uint12_frames(4)
        ds = make_ds(arr, bits_stored=12)
        ds.NumberOfFrames = 3

        def fresh() -> Any:  # a data set warns once: its frame layout is cached
            return as_source(kind, dicodec.dcmread(io.BytesIO(_to_bytes(ds))), tmp_path)

        with pytest.warns(DicodecWarning, match="Number of Frames is 3; the excess is ignored"):
            got = pixel_array(fresh())
        np.testing.assert_array_equal(got, arr[:3])
        with pytest.warns(DicodecWarning, match="excess"):
            frames = list(iter_pixels(fresh()))
        assert len(frames) == 3
        with pytest.warns(DicodecWarning, match="excess"):
            with pytest.raises(IndexError):
                pixel_array(fresh(), index=3)

    @pytest.mark.parametrize("ts", COMPRESSED)
    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_encapsulated_excess_frames_warn(self, ts: str, kind: str, tmp_path: Path) -> None:
        arr = uint12_frames(4)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ts)  # with a Basic Offset Table of 4 frames
        ds.NumberOfFrames = 3
        src = as_source(kind, ds, tmp_path)
        with pytest.warns(DicodecWarning, match="holds 4 frames but Number of Frames is 3"):
            got = pixel_array(src)
        np.testing.assert_array_equal(got, arr[:3])
        if kind == "path":
            with pytest.warns(DicodecWarning, match="excess"):
                assert len(list(iter_pixels(src))) == 3

    def test_the_warning_points_at_the_caller(self) -> None:
        arr = uint12_frames(4)
        ds = make_ds(arr, bits_stored=12)
        ds.NumberOfFrames = 3
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pixel_array(ds)
        assert [Path(w.filename).name for w in caught] == [Path(__file__).name]


class TestTruncated:
    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_missing_frames_name_the_frame_and_tag(self, kind: str, tmp_path: Path) -> None:
        arr = uint12_frames(4)  # 96 bytes per frame
        ds = make_ds(arr, bits_stored=12)
        ds.NumberOfFrames = 6
        src = as_source(kind, ds, tmp_path)
        match = r"holds 384 bytes but 6 frames of 96 bytes need 576: frame 4 is incomplete at tag \(7FE0,0010\)"
        with pytest.raises(InvalidDicomError, match=match):
            pixel_array(src)
        with pytest.raises(InvalidDicomError, match="frame 4 is incomplete"):
            list(iter_pixels(src))

    def test_short_value_names_the_frame(self) -> None:
        arr = uint12_frames(4)
        ds = make_ds(arr, bits_stored=12)
        ds.PixelData = ds.PixelData[:-10]
        with pytest.raises(InvalidDicomError, match="frame 3 is incomplete"):
            pixel_array(ds)

    def test_truncated_file_names_the_frame(self, tmp_path: Path) -> None:
        arr = uint12_frames(4)
        path = write(make_ds(arr, bits_stored=12), tmp_path)
        path.write_bytes(path.read_bytes()[:-20])
        with pytest.raises(InvalidDicomError, match="frame 3 is incomplete"):
            pixel_array(path)
        with pytest.warns(DicodecWarning):  # the reader says the value is cut short
            ds = dicodec.dcmread(path)
        with pytest.raises(InvalidDicomError, match="frame 3 is incomplete"):
            pixel_array(ds)

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_truncated_encapsulated_file_names_the_frame(self, ts: str, tmp_path: Path) -> None:
        arr = uint12_frames(4)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ts)
        path = write(ds, tmp_path)
        path.write_bytes(path.read_bytes()[:-18])  # the delimiter and 10 bytes of the last frame
        with pytest.warns(DicodecWarning, match="cut short"):
            with pytest.raises(CodecError, match="frame 3 could not be decoded"):
                pixel_array(path)
        with pytest.warns(DicodecWarning, match="cut short"):
            np.testing.assert_array_equal(pixel_array(path, index=0), arr[0])

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_too_few_fragments(self, ts: str, tmp_path: Path) -> None:
        arr = uint12_frames(4)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ts)
        frames = list(encaps.generate_frames(ds.PixelData, number_of_frames=4))
        ds.NumberOfFrames = 5
        ds.PixelData = encaps.encapsulate(frames, has_bot=False)
        for src in (ds, write(ds, tmp_path)):
            with pytest.raises(InvalidDicomError, match=r"frame 4 onwards is missing"):
                pixel_array(src)
        ds.PixelData = encaps.encapsulate(frames, has_bot=True)
        with pytest.raises(InvalidDicomError, match="lists 4 frames but Number of Frames is 5"):
            pixel_array(ds)

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_damaged_item_names_the_offset(self, ts: str, tmp_path: Path) -> None:
        arr = uint12_frames(4)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ts)
        value = bytearray(ds.PixelData)
        second = encaps.parse_items(value)[2][0] - 8  # the header of the second fragment
        value[second : second + 4] = b"\x00\x00\x00\x00"
        ds.PixelData = bytes(value)
        with pytest.raises(InvalidDicomError, match=rf"found \(0000,0000\) at offset {second}$"):
            pixel_array(ds)
        with pytest.raises(InvalidDicomError, match=r"found \(0000,0000\) at offset \d+"):
            pixel_array(write(ds, tmp_path))

    def test_corrupt_deflate_frame_names_the_frame(self) -> None:
        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(DEFLATED_FRAME)
        frames = list(encaps.generate_frames(ds.PixelData, number_of_frames=3))
        frames[1] = b"\xff" * len(frames[1])
        ds.PixelData = encaps.encapsulate(frames)
        with pytest.raises(CodecError, match=r"frame 1 could not be decoded \(native.deflate"):
            pixel_array(ds)
        np.testing.assert_array_equal(pixel_array(ds, index=2), arr[2])


REQUIRED = [
    ("Rows", "(0028,0010)"),
    ("Columns", "(0028,0011)"),
    ("BitsAllocated", "(0028,0100)"),
    ("BitsStored", "(0028,0101)"),
    ("PixelRepresentation", "(0028,0103)"),
    ("PhotometricInterpretation", "(0028,0004)"),
]


class TestImageDescription:
    @pytest.mark.parametrize(("keyword", "tag"), REQUIRED)
    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_missing_required_element_names_the_tag(
        self, keyword: str, tag: str, kind: str, tmp_path: Path
    ) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        delattr(ds, keyword)
        src = as_source(kind, ds, tmp_path)
        pattern = "missing required element " + re.escape(tag) + ".* at tag " + re.escape(tag)
        with pytest.raises(InvalidDicomError, match=pattern):
            pixel_array(src)
        with pytest.raises(InvalidDicomError, match="missing required element"):
            list(iter_pixels(src))
        with pytest.raises(DicodecError):
            get_decoder(EVRLE).as_array(src, index=0)

    def test_empty_required_element(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        ds.Rows = None
        with pytest.raises(InvalidDicomError, match=r"\(0028,0010\) Rows is empty"):
            pixel_array(ds)

    def test_samples_per_pixel_defaults_to_one(self) -> None:
        arr = uint12_frames(2)
        ds = make_ds(arr, bits_stored=12)
        del ds.SamplesPerPixel
        np.testing.assert_array_equal(pixel_array(ds), arr)

    @pytest.mark.parametrize(
        ("keyword", "value", "match"),
        [
            (
                "BitsStored",
                17,
                r"Bits Stored 17 must be between 1 and Bits Allocated 16.*\(0028,0101\)",
            ),
            ("BitsAllocated", 12, r"Bits Allocated 12 is not supported.*\(0028,0100\)"),
            ("PixelRepresentation", 2, r"Pixel Representation 2 must be 0 or 1.*\(0028,0103\)"),
            ("Rows", 0, r"must be positive.*\(0028,0010\)"),
            ("SamplesPerPixel", 5, r"Samples per Pixel 5 is not supported.*\(0028,0002\)"),
        ],
    )
    def test_invalid_values_name_the_tag(self, keyword: str, value: int, match: str) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        setattr(ds, keyword, value)
        with pytest.raises(InvalidDicomError, match=match):
            pixel_array(ds)

    def test_invalid_planar_configuration(self) -> None:
        ds = make_ds(rng(1).integers(0, 256, (2, 2, 3), dtype=np.uint8), "RGB")
        ds.PlanarConfiguration = 2
        with pytest.raises(InvalidDicomError, match=r"Planar Configuration 2.*\(0028,0006\)"):
            pixel_array(ds)

    def test_non_integer_value(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        ds[0x00280008] = DataElement(0x00280008, "IS", "two", validate=False)
        with pytest.raises(InvalidDicomError, match=r"Number of Frames.*not an integer"):
            pixel_array(ds)

    def test_unknown_transfer_syntax(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        ds.file_meta.TransferSyntaxUID = "1.2.3.4.5"
        with pytest.raises(DicodecError, match="not a transfer syntax"):
            pixel_array(ds)

    def test_transfer_syntax_without_file_meta(self) -> None:
        arr = uint12_frames(2)
        ds = make_ds(arr, bits_stored=12)
        del ds.file_meta
        np.testing.assert_array_equal(pixel_array(ds), arr)  # from its original encoding

    def test_all_errors_are_dicodec_errors(self) -> None:
        for cls in (InvalidDicomError, LimitExceeded, CodecError, NoCodecAvailableError):
            assert issubclass(cls, DicodecError)


class TestLimits:
    @staticmethod
    def huge_header(rows: int = 8192, columns: int = 8192, frames: int = 100_000) -> Dataset:
        """A header claiming rows x columns x frames 16-bit pixels, with 96 bytes of data."""
        ds = make_ds(uint12_frames(1)[0], bits_stored=12)
        ds.Rows, ds.Columns, ds.NumberOfFrames = rows, columns, frames
        return ds

    def _forbid_allocation(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Fail the test if the pipeline allocates an output array."""
        from dicodec.pixels import decoder as decoder_module

        def no_empty(*args: Any, **kwargs: Any) -> None:
            raise AssertionError(f"an array was allocated before the limit check: {args}")

        monkeypatch.setattr(decoder_module.np, "empty", no_empty)

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_default_limit_refuses_a_huge_header(
        self, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        src = as_source(kind, self.huge_header(), tmp_path)  # claims 13 TB
        self._forbid_allocation(monkeypatch)

        def attempt() -> None:
            with pytest.raises(LimitExceeded):
                pixel_array(src)

        _, peak = _peak_bytes(attempt)
        assert peak < 1 << 20

    def test_message_names_the_setting(self) -> None:
        with pytest.raises(LimitExceeded, match=r"dicodec\.config\.settings\.max_array_bytes"):
            pixel_array(self.huge_header())

    def test_configured_limit(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        arr = uint12_frames(4)  # 384 bytes decoded
        ds = make_ds(arr, bits_stored=12)
        path = write(ds, tmp_path)
        monkeypatch.setattr(config.settings, "max_array_bytes", 383)
        for src in (ds, path):
            with pytest.raises(
                LimitExceeded, match=r"4 frames of 6x8x1 would take 384 bytes.*\(383\)"
            ):
                pixel_array(src)
        with pytest.raises(LimitExceeded):
            ds.pixel_array  # noqa: B018
        monkeypatch.setattr(config.settings, "max_array_bytes", 384)
        np.testing.assert_array_equal(pixel_array(path), arr)

    def test_limit_with_encapsulated_data(self, monkeypatch: pytest.MonkeyPatch) -> None:
        ds = make_ds(uint12_frames(4), bits_stored=12)
        ds.compress(DEFLATED_FRAME)
        ds.Rows = ds.Columns = 60_000
        ds.NumberOfFrames = 4
        self._forbid_allocation(monkeypatch)
        with pytest.raises(LimitExceeded):
            pixel_array(ds)

    def test_frame_limit(self, monkeypatch: pytest.MonkeyPatch) -> None:
        ds = self.huge_header(64, 64, 10)
        monkeypatch.setattr(config.settings, "max_frames", 9)
        with pytest.raises(LimitExceeded, match="max_frames"):
            pixel_array(ds)

    def test_frame_bytes_limit(self) -> None:
        ds = self.huge_header(60_000, 60_000, 1)  # 7.2 GB in one frame
        with pytest.raises(LimitExceeded, match="max_frame_bytes"):
            pixel_array(ds)

    def test_limit_applies_to_what_is_allocated(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        arr = uint12_frames(4)
        path = write(make_ds(arr, bits_stored=12), tmp_path)
        monkeypatch.setattr(config.settings, "max_array_bytes", 200)  # one frame is 96 bytes
        np.testing.assert_array_equal(pixel_array(path, index=1), arr[1])
        assert len(list(iter_pixels(path))) == 4


# ------------------------------------------------------------------ partial reads


class TestPartialReads:
    FRAMES, ROWS, COLS = 64, 128, 256  # 64 KiB per frame, 4 MiB in all

    @pytest.fixture
    def volume(self) -> np.ndarray:
        arr = np.empty((self.FRAMES, self.ROWS, self.COLS), np.uint16)
        arr[...] = np.arange(self.FRAMES, dtype=np.uint16)[:, None, None]
        arr[:, 0, :] = np.arange(self.COLS, dtype=np.uint16)
        return arr

    @pytest.fixture
    def counted(self, monkeypatch: pytest.MonkeyPatch) -> list[int]:
        """Bytes requested through os.pread / os.preadv while the test runs."""
        from dicodec.pixels import frames as frames_module

        requested: list[int] = []
        real_pread, real_preadv = os.pread, os.preadv

        def pread(fd: int, n: int, offset: int) -> bytes:
            requested.append(n)
            return real_pread(fd, n, offset)

        def preadv(fd: int, buffers: list[Any], offset: int) -> int:
            requested.append(sum(memoryview(b).nbytes for b in buffers))
            return real_preadv(fd, buffers, offset)

        monkeypatch.setattr(frames_module.os, "pread", pread)
        monkeypatch.setattr(frames_module.os, "preadv", preadv)
        return requested

    def test_one_frame_reads_one_frame(
        self, volume: np.ndarray, counted: list[int], tmp_path: Path
    ) -> None:
        path = write(make_ds(volume), tmp_path)
        frame_bytes = self.ROWS * self.COLS * 2
        got = pixel_array(path, index=37)
        np.testing.assert_array_equal(got, volume[37])
        assert sum(counted) <= frame_bytes + 4096
        counted.clear()
        got = pixel_array(path, indices=[3, 60])
        np.testing.assert_array_equal(got, volume[[3, 60]])
        assert sum(counted) <= 2 * frame_bytes + 4096

    @pytest.mark.skipif(_rchar() is None, reason="needs /proc/self/io")
    @pytest.mark.parametrize("ts", (None, *COMPRESSED))
    def test_whole_file_is_not_read(self, ts: str | None, tmp_path: Path) -> None:
        volume = rng(81).integers(0, 65536, (self.FRAMES, self.ROWS, self.COLS), dtype=np.uint16)
        ds = make_ds(volume)  # noise: deflate cannot shrink it
        if ts:
            ds.compress(ts)
        path = write(ds, tmp_path)
        size = path.stat().st_size
        pixel_array(path, index=0)  # warm up imports and caches
        before = _rchar()
        got = pixel_array(path, index=41)
        read = _rchar() - before  # type: ignore[operator]
        np.testing.assert_array_equal(got, volume[41])
        frame_bytes = self.ROWS * self.COLS * 2
        # one frame + item headers + the data set header, never the whole file
        assert read < frame_bytes + 16 * self.FRAMES + 8192 < size

    @pytest.mark.skipif(_rchar() is None, reason="needs /proc/self/io")
    def test_no_bot_is_scanned_without_reading_fragments(
        self, volume: np.ndarray, tmp_path: Path
    ) -> None:
        ds = make_ds(volume)
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        frames = list(encaps.generate_frames(ds.PixelData, number_of_frames=self.FRAMES))
        ds.PixelData = encaps.encapsulate(frames, has_bot=False)
        path = write(ds, tmp_path)
        pixel_array(path, index=0)
        before = _rchar()
        np.testing.assert_array_equal(pixel_array(path, index=63), volume[63])
        assert _rchar() - before < self.ROWS * self.COLS * 2 + 16 * self.FRAMES + 8192  # type: ignore[operator]

    def test_view_only_reads_nothing(
        self, volume: np.ndarray, counted: list[int], tmp_path: Path
    ) -> None:
        path = write(make_ds(volume), tmp_path)
        view = pixel_array(path, view_only=True)
        assert sum(counted) == 0
        assert view[50, 1, 0] == 50

    def test_iter_pixels_holds_one_frame(self, volume: np.ndarray, tmp_path: Path) -> None:
        path = write(make_ds(volume), tmp_path)
        frame_bytes = self.ROWS * self.COLS * 2

        def consume() -> int:
            n = 0
            for frame in iter_pixels(path):
                assert frame[1, 0] == n
                n += 1
            return n

        consume()
        count, peak = _peak_bytes(consume)
        assert count == self.FRAMES
        # frames are read in blocks of at most 1 MiB (one syscall per block), well inside the
        # issue's "one frame + 5 MB"
        assert peak < 3 * frame_bytes + (2 << 20) + (256 << 10)

    def test_pixel_array_allocates_the_result_once(
        self, volume: np.ndarray, tmp_path: Path
    ) -> None:
        path = write(make_ds(volume), tmp_path)
        pixel_array(path)
        arr, peak = _peak_bytes(lambda: pixel_array(path))
        np.testing.assert_array_equal(arr, volume)
        assert peak < volume.nbytes + (512 << 10)

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_iter_pixels_of_encapsulated_file_holds_one_frame(
        self, ts: str, volume: np.ndarray, tmp_path: Path
    ) -> None:
        ds = make_ds(volume)
        ds.compress(ts)
        path = write(ds, tmp_path)
        frame_bytes = self.ROWS * self.COLS * 2
        list(iter_pixels(path, indices=[0]))
        count, peak = _peak_bytes(lambda: sum(1 for _ in iter_pixels(path)))
        assert count == self.FRAMES
        # sequential reads go through a read-ahead window of at most 1 MiB
        # (well inside the "one frame + 5 MB")
        assert peak < 4 * frame_bytes + (2 << 20) + (256 << 10)  # old + new window while replacing


# ------------------------------------------------------------------ Decoder


class TestDecoder:
    def test_repr_and_availability(self) -> None:
        dec = get_decoder(EVRLE)
        assert repr(dec) == "<Decoder for Explicit VR Little Endian>"
        assert dec.is_available
        assert "native.numpy" in dec.available_plugins
        assert "native.deflate" in get_decoder(DEFLATED_FRAME).available_plugins

    @pytest.mark.parametrize("kind", ("dataset", "path", "filelike"))
    def test_as_array(self, kind: str, mf_ds: Dataset, tmp_path: Path) -> None:
        expected = pixel_array(mf_ds)
        src = as_source(kind, mf_ds, tmp_path)
        arr, meta = get_decoder(EVRLE).as_array(src)
        np.testing.assert_array_equal(arr, expected)
        assert meta["number_of_frames"] == 10
        assert meta["codecs"] == ["native.numpy"] * 10
        assert meta["rows"] == 64 and meta["columns"] == 64
        assert meta["bits_stored"] == 12 and meta["bits_allocated"] == 16
        assert meta["transfer_syntax"] == EVRLE
        assert meta["photometric_interpretation"] == "MONOCHROME2"

    def test_as_array_index(self, mf_ds: Dataset) -> None:
        dec = get_decoder(EVRLE)
        expected = pixel_array(mf_ds)
        for i in (0, 4, -1):
            arr, meta = dec.as_array(mf_ds, index=i)
            np.testing.assert_array_equal(arr, expected[i])
            assert meta["number_of_frames"] == 1
        arr, meta = dec.as_array(mf_ds, indices=[2, 3])
        np.testing.assert_array_equal(arr, expected[2:4])
        assert meta["number_of_frames"] == 2

    def test_as_array_frames_are_writable_copies(self, mf16: np.ndarray) -> None:
        ds = make_ds(mf16)
        arr, _ = get_decoder(EVRLE).as_array(ds, index=1)
        assert arr.flags.writeable and arr.flags.c_contiguous
        assert not np.shares_memory(arr, np.frombuffer(ds.PixelData, np.uint8))

    @pytest.mark.parametrize("kind", ("dataset", "path"))
    def test_iter_array(self, kind: str, mf_ds: Dataset, tmp_path: Path) -> None:
        expected = pixel_array(mf_ds)
        pairs = list(get_decoder(EVRLE).iter_array(as_source(kind, mf_ds, tmp_path)))
        assert len(pairs) == 10
        for i, (arr, meta) in enumerate(pairs):
            np.testing.assert_array_equal(arr, expected[i])
            assert meta["number_of_frames"] == 1 and meta["codecs"] == ["native.numpy"]
        pairs = list(get_decoder(EVRLE).iter_array(mf_ds, indices=[9, 0]))
        np.testing.assert_array_equal(pairs[0][0], expected[9])

    def test_as_buffer_and_iter_buffer(self, mf_ds: Dataset) -> None:
        dec = get_decoder(EVRLE)
        expected = pixel_array(mf_ds)
        buf, meta = dec.as_buffer(mf_ds, index=2)
        assert isinstance(buf, memoryview) and buf.format == "B"
        assert bytes(buf) == expected[2].tobytes()
        assert meta["number_of_frames"] == 1
        whole, _ = dec.as_buffer(mf_ds)
        assert bytes(whole) == expected.tobytes()
        chunks = list(dec.iter_buffer(mf_ds))
        assert [bytes(b) for b, _ in chunks] == [f.tobytes() for f in expected]

    def test_as_buffer_is_raw(self) -> None:
        ybr = examples.ybr_color
        buf, meta = get_decoder(EVRLE).as_buffer(ybr)
        assert bytes(buf) == bytes(ybr.PixelData)
        assert meta["photometric_interpretation"] == "YBR_FULL"

    @pytest.mark.parametrize("ts", COMPRESSED)
    def test_codec_names_in_meta(self, ts: str) -> None:
        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ts)
        got, meta = get_decoder(ts).as_array(ds)
        np.testing.assert_array_equal(got, arr)
        name = "native.deflate" if ts == DEFLATED_FRAME else "native.encapsulated"
        assert meta["codecs"] == [name] * 3

    def test_codec_options_reach_the_codec(self) -> None:
        # a codec that names an option receives it; one that does not is not broken by it
        import types

        import dicodec.plugins as plugins
        from dicodec.plugins.records import CodecSpec, DecodedFrame

        seen: dict[str, object] = {}

        def decode(src, spec, out, *, gain=1):  # type: ignore[no-untyped-def]
            seen["gain"] = gain
            out[...] = np.frombuffer(bytes(src), dtype=spec.dtype).reshape(spec.shape) * gain
            return DecodedFrame(out, spec.photometric_interpretation)

        mod = types.ModuleType("gain_codec")
        mod.DICODEC_API_VERSION = 1  # type: ignore[attr-defined]
        mod.dicodec_codecs = plugins.hookimpl(  # type: ignore[attr-defined]
            lambda: [CodecSpec("gain.test", ("1.2.840.10008.1.2.1.98",), decode=decode, priority=0)]
        )
        plugins.register(mod)
        try:
            ds = make_compressed()
            ds.decompress()
            ds.compress("1.2.840.10008.1.2.1.98")
            plain = pixel_array(ds, decoding_plugin="native.encapsulated")
            assert np.array_equal(pixel_array(ds, decoding_plugin="gain.test", gain=2), plain * 2)
            assert seen["gain"] == 2
            # the native codec takes no options: an unknown one is not passed to it
            assert np.array_equal(pixel_array(ds, decoding_plugin="native.encapsulated", gain=2), plain)
        finally:
            plugins.unregister("gain_codec")

    def test_decoding_plugin(self, mf_ds: Dataset) -> None:
        np.testing.assert_array_equal(
            pixel_array(mf_ds, decoding_plugin="native.numpy"), pixel_array(mf_ds)
        )
        np.testing.assert_array_equal(
            pixel_array(mf_ds, decoding_plugin=["native.numpy"]), pixel_array(mf_ds)
        )
        with pytest.raises(
            DicodecError, match=r"unknown codec 'no-such-codec'; valid names: .*native\.numpy"
        ):
            pixel_array(mf_ds, decoding_plugin="no-such-codec")

    def test_codec_not_serving_the_syntax(self, mf_ds: Dataset) -> None:
        with pytest.raises(NoCodecAvailableError):
            pixel_array(mf_ds, decoding_plugin="native.deflate")

    def test_no_codec_for_a_syntax_names_what_to_install(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"  # MPEG2: nobody decodes it
        with pytest.raises(NoCodecAvailableError, match="MPEG2"):
            pixel_array(ds)


def make_compressed() -> Dataset:
    ds = make_ds(uint12_frames(2), bits_stored=12)
    ds.compress(DEFLATED_FRAME)
    return ds


# ------------------------------------------------------------------ Dataset methods


class TestDatasetMethods:
    def test_pixel_array_is_cached(self, mf_ds: Dataset) -> None:
        first = mf_ds.pixel_array
        assert mf_ds.pixel_array is first
        np.testing.assert_array_equal(first, pixel_array(mf_ds))

    def test_cache_is_invalidated_by_new_pixel_data(self, mf_ds: Dataset) -> None:
        first = mf_ds.pixel_array
        mf_ds.PixelData = bytes(len(mf_ds.PixelData))
        second = mf_ds.pixel_array
        assert second is not first and not second.any()
        arr = uint12_frames(2, 3, 3)
        mf_ds.set_pixel_data(arr, "MONOCHROME2", 12)
        np.testing.assert_array_equal(mf_ds.pixel_array, arr)

    def test_pixel_array_options(self) -> None:
        ybr = examples.ybr_color
        converted = ybr.pixel_array
        ybr.pixel_array_options(raw=True)
        raw = ybr.pixel_array
        assert raw is not converted
        np.testing.assert_array_equal(
            raw, np.frombuffer(ybr.PixelData, np.uint8).reshape(100, 100, 3)
        )
        ybr.pixel_array_options()
        np.testing.assert_array_equal(ybr.pixel_array, converted)

    def test_pixel_array_options_index(self, mf_ds: Dataset) -> None:
        full = pixel_array(mf_ds)
        mf_ds.pixel_array_options(index=-1)
        np.testing.assert_array_equal(mf_ds.pixel_array, full[-1])
        mf_ds.pixel_array_options(indices=[0, 2])
        np.testing.assert_array_equal(mf_ds.pixel_array, full[[0, 2]])

    def test_pixel_array_options_decoding_plugin(self, mf_ds: Dataset) -> None:
        mf_ds.pixel_array_options(decoding_plugin="no-such-codec")
        with pytest.raises(DicodecError, match="unknown codec"):
            mf_ds.pixel_array  # noqa: B018

    def test_methods_return_the_dataset(self, mf_ds: Dataset) -> None:
        assert mf_ds.compress(DEFLATED_FRAME) is mf_ds
        assert mf_ds.decompress() is mf_ds
        assert mf_ds.set_pixel_data(uint12_frames(1)[0], "MONOCHROME2", 12) is None


# ------------------------------------------------------------------ compress / decompress


def _roundtrip_cases() -> list[Any]:
    r = rng(61)
    cases = {
        "uint16-12bit": (r.integers(0, 4096, (3, 8, 10), dtype=np.uint16), "MONOCHROME2", 12),
        "int16": (r.integers(-32768, 32767, (3, 8, 10), dtype=np.int16), "MONOCHROME2", 16),
        "int16-12bit": (r.integers(-2048, 2047, (3, 8, 10), dtype=np.int16), "MONOCHROME1", 12),
        "uint8-odd": (r.integers(0, 256, (3, 3, 5), dtype=np.uint8), "MONOCHROME2", 8),
        "int8": (r.integers(-128, 127, (2, 3, 5), dtype=np.int8), "MONOCHROME2", 8),
        "uint32": (r.integers(0, 2**32 - 1, (2, 4, 5), dtype=np.uint32), "MONOCHROME2", 32),
        "int32": (r.integers(-(2**31), 2**31 - 1, (2, 4, 5), dtype=np.int32), "MONOCHROME2", 32),
        "rgb": (r.integers(0, 256, (2, 4, 6, 3), dtype=np.uint8), "RGB", 8),
        "rgb16": (r.integers(0, 65536, (2, 4, 6, 3), dtype=np.uint16), "RGB", 16),
        "single-frame": (r.integers(0, 4096, (8, 10), dtype=np.uint16), "MONOCHROME2", 12),
        "single-rgb": (r.integers(0, 256, (4, 6, 3), dtype=np.uint8), "RGB", 8),
        "1-bit": (r.integers(0, 2, (5, 3, 5), dtype=np.uint8), "MONOCHROME2", 1),
    }
    return [pytest.param(*v, id=k) for k, v in cases.items()]


class TestCompress:
    @pytest.mark.parametrize("ts", COMPRESSED)
    @pytest.mark.parametrize(("arr", "pi", "bits_stored"), _roundtrip_cases())
    def test_round_trip(
        self, ts: str, arr: np.ndarray, pi: str, bits_stored: int, tmp_path: Path
    ) -> None:
        ds = make_ds(arr, pi, bits_stored)
        frames = arr.shape[0] if arr.ndim == (4 if pi == "RGB" else 3) else 1
        result = ds.compress(ts)
        assert result is ds
        assert ds.file_meta.TransferSyntaxUID == ts
        assert ds["PixelData"].VR == "OB"
        assert encaps.get_nr_fragments(ds.PixelData) == frames
        assert len(encaps.parse_basic_offsets(ds.PixelData)) == frames
        assert "ExtendedOffsetTable" not in ds
        np.testing.assert_array_equal(pixel_array(ds), arr)
        path = write(ds, tmp_path)
        np.testing.assert_array_equal(pixel_array(path), arr)
        np.testing.assert_array_equal(pixel_array(dicodec.dcmread(path)), arr)
        for i, frame in enumerate(iter_pixels(path)):
            np.testing.assert_array_equal(frame, arr[i] if frames > 1 else arr)
        ds.decompress()
        assert ds.file_meta.TransferSyntaxUID == EVRLE
        assert "ExtendedOffsetTable" not in ds
        assert ds.PhotometricInterpretation == pi
        np.testing.assert_array_equal(pixel_array(ds), arr)
        np.testing.assert_array_equal(pixel_array(write(ds, tmp_path, "back.dcm")), arr)

    def test_functional_forms(self) -> None:
        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        assert compress(ds, DEFLATED_FRAME, deflate_level=1) is ds
        assert ds.file_meta.TransferSyntaxUID == DEFLATED_FRAME
        np.testing.assert_array_equal(pixel_array(ds), arr)
        assert decompress(ds, generate_instance_uid=False) is ds
        assert ds.file_meta.TransferSyntaxUID == EVRLE
        np.testing.assert_array_equal(pixel_array(ds), arr)

    def test_encapsulated_uncompressed_holds_the_native_bytes(self) -> None:
        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        frames = list(encaps.generate_frames(ds.PixelData, number_of_frames=3))
        assert frames == [f.astype("<u2").tobytes() for f in arr]

    def test_deflated_frames_are_raw_deflate(self) -> None:
        import zlib

        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(DEFLATED_FRAME, deflate_level=9)
        for frame, expected in zip(
            encaps.generate_frames(ds.PixelData, number_of_frames=3), arr, strict=True
        ):
            out = zlib.decompressobj(-15).decompress(frame)
            assert out == expected.astype("<u2").tobytes()

    def test_transcode_between_encapsulated_syntaxes(self) -> None:
        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ENCAPSULATED_UNCOMPRESSED).compress(DEFLATED_FRAME)
        assert ds.file_meta.TransferSyntaxUID == DEFLATED_FRAME
        np.testing.assert_array_equal(pixel_array(ds), arr)

    def test_compress_an_array(self) -> None:
        arr = uint12_frames(3)
        other = arr[::-1].copy()
        ds = make_ds(arr, bits_stored=12)
        ds.compress(DEFLATED_FRAME, other)
        np.testing.assert_array_equal(pixel_array(ds), other)
        with pytest.raises(InvalidValueError, match=r"arr has shape \(2, 6, 8\)"):
            make_ds(arr, bits_stored=12).compress(DEFLATED_FRAME, arr[:2])

    def test_big_endian_source(self) -> None:
        arr = rng(62).integers(0, 65536, (2, 3, 4), dtype=np.uint16)
        ds = _big_endian(make_ds(arr), arr)
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        np.testing.assert_array_equal(pixel_array(ds), arr)

    def test_ybr_full(self) -> None:
        ybr = rng(63).integers(0, 256, (2, 4, 6, 3), dtype=np.uint8)
        ds = make_ds(ybr, "YBR_FULL", 8)
        rgb = pixel_array(ds)
        ds.compress(DEFLATED_FRAME)
        assert ds.PhotometricInterpretation == "YBR_FULL"
        np.testing.assert_array_equal(pixel_array(ds, raw=True), ybr)
        np.testing.assert_array_equal(pixel_array(ds), rgb)
        copy = dicodec.dcmread(io.BytesIO(_to_bytes(ds)))
        copy.decompress(as_rgb=False)
        assert copy.PhotometricInterpretation == "YBR_FULL"
        np.testing.assert_array_equal(pixel_array(copy, raw=True), ybr)
        ds.decompress()  # as_rgb=True by default, like pydicom
        assert ds.PhotometricInterpretation == "RGB"
        np.testing.assert_array_equal(pixel_array(ds), rgb)

    def test_instance_uid(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        uid = ds.SOPInstanceUID
        ds.compress(DEFLATED_FRAME, generate_instance_uid=False)
        assert ds.SOPInstanceUID == uid
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        assert ds.SOPInstanceUID != uid
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        new = ds.SOPInstanceUID
        ds.decompress(generate_instance_uid=False)
        assert ds.SOPInstanceUID == new

    def test_extended_offset_table_on_request(self, tmp_path: Path) -> None:
        arr = uint12_frames(3)
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ENCAPSULATED_UNCOMPRESSED, encapsulate_ext=True)
        assert encaps.parse_basic_offsets(ds.PixelData) == []
        offsets = np.frombuffer(ds.ExtendedOffsetTable, "<u8")
        lengths = np.frombuffer(ds.ExtendedOffsetTableLengths, "<u8")
        assert offsets.tolist() == [0, 104, 208]
        assert lengths.tolist() == [96, 96, 96]
        np.testing.assert_array_equal(pixel_array(ds), arr)
        path = write(ds, tmp_path)
        np.testing.assert_array_equal(pixel_array(path, index=2), arr[2])
        ds.decompress()
        assert "ExtendedOffsetTable" not in ds and "ExtendedOffsetTableLengths" not in ds
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        assert "ExtendedOffsetTable" not in ds

    def test_extended_offset_table_chosen_past_four_gib(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        arr = uint12_frames(4)
        monkeypatch.setattr(encaps, "MAX_BOT_OFFSET", 200)  # pretend 200 bytes is 2**32 - 1
        ds = make_ds(arr, bits_stored=12)
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        assert "ExtendedOffsetTable" in ds
        assert encaps.parse_basic_offsets(ds.PixelData) == []
        np.testing.assert_array_equal(pixel_array(ds), arr)
        small = make_ds(arr[:1], bits_stored=12)
        small.compress(ENCAPSULATED_UNCOMPRESSED)
        assert "ExtendedOffsetTable" not in small

    def test_not_an_encapsulated_syntax(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        with pytest.raises(InvalidValueError, match="not an encapsulated transfer syntax"):
            ds.compress(EVRLE)

    def test_no_encoder(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        with pytest.raises(NoCodecAvailableError, match="MPEG2"):
            ds.compress("1.2.840.10008.1.2.4.100")
        assert ds.file_meta.TransferSyntaxUID == EVRLE  # unchanged

    def test_bad_option_is_a_codec_error(self) -> None:
        ds = make_ds(uint12_frames(2), bits_stored=12)
        with pytest.raises(CodecError, match=r"frame 0 could not be encoded.*deflate_level"):
            ds.compress(DEFLATED_FRAME, deflate_level=42)

    def test_compress_streams_frames(self) -> None:
        # 8 MiB of highly compressible frames: a streaming transcoder never holds them all
        arr = np.zeros((64, 256, 256), np.uint16)
        arr[:, ::7, ::5] = 7
        ds = make_ds(arr)
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        frame_bytes = 256 * 256 * 2
        _, peak = _peak_bytes(lambda: ds.compress(DEFLATED_FRAME, workers=1))
        assert peak < 8 * frame_bytes  # a frame or two plus zlib's state, never the 64 frames
        np.testing.assert_array_equal(pixel_array(ds), arr)
        ds.compress(ENCAPSULATED_UNCOMPRESSED)
        _, peak = _peak_bytes(lambda: ds.compress(DEFLATED_FRAME, workers=4))
        # up to workers + 1 batches of ~256 KiB in flight, each worker with its own zlib
        # state and output: bounded by the workers, not by the 64 frames (8 MiB)
        from dicodec.pixels.encoder import _BATCH_BYTES

        per_task = max(1, _BATCH_BYTES // frame_bytes)
        assert peak < 5 * per_task * frame_bytes + 4 * (512 << 10) + (1 << 20) < 64 * frame_bytes
        np.testing.assert_array_equal(pixel_array(ds), arr)

    @pytest.mark.parametrize("workers", (1, 3))
    def test_parallel_compress_keeps_frame_order(self, workers: int) -> None:
        arr = rng(7).integers(0, 4096, (23, 16, 16), dtype=np.uint16)
        ds = make_ds(arr)
        ds.compress(DEFLATED_FRAME, workers=workers)
        np.testing.assert_array_equal(pixel_array(ds), arr)
        serial = make_ds(arr).compress(DEFLATED_FRAME, workers=1)
        assert ds.PixelData == serial.PixelData

    def test_parallel_compress_reports_the_failing_frame(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from dicodec.pixels import encoder as encoder_module

        original = encoder_module.Encoder.encode

        def failing(self: Any, arr: np.ndarray, spec: Any, *, index: int = 0, **kwargs: Any) -> Any:
            if index == 5:
                raise CodecError("frame 5 could not be encoded (test)")
            return original(self, arr, spec, index=index, **kwargs)

        monkeypatch.setattr(encoder_module.Encoder, "encode", failing)
        arr = rng(8).integers(0, 255, (9, 8, 8), dtype=np.uint16)
        ds = make_ds(arr)
        before = ds.PixelData
        with pytest.raises(CodecError, match="frame 5"):
            ds.compress(DEFLATED_FRAME, workers=3)
        assert ds.PixelData == before  # nothing changed on failure
        assert ds.file_meta.TransferSyntaxUID != DEFLATED_FRAME

    def test_decompress_holds_the_output_once(self) -> None:
        arr = np.zeros((64, 256, 256), np.uint16)
        arr[:, ::7, ::5] = 7
        ds = make_ds(arr)
        ds.compress(DEFLATED_FRAME)
        _, peak = _peak_bytes(lambda: ds.decompress())
        # the output once, plus one frame and the codec's per-frame scratch (inflate buffers)
        assert peak < arr.nbytes + (1 << 20)
        np.testing.assert_array_equal(pixel_array(ds), arr)

    @pytest.mark.parametrize("dtype", ("float32", "float64"))
    def test_float_pixel_data_is_refused_or_kept(self, dtype: str) -> None:
        arr = rng(64).standard_normal((2, 3, 4)).astype(dtype)
        ds = make_ds(arr)
        try:
            ds.compress(DEFLATED_FRAME)
        except DicodecError:
            return  # refusing is fine (encapsulation is for Pixel Data only)
        np.testing.assert_array_equal(pixel_array(ds), arr)


def _to_bytes(ds: Dataset) -> bytes:
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


class TestEncoder:
    def test_get_encoder(self) -> None:
        enc = get_encoder(DEFLATED_FRAME)
        assert repr(enc) == "<Encoder for Deflated Image Frame Compression>"
        assert enc.is_available
        assert enc.available_plugins == ["native.deflate"]
        assert get_encoder(ENCAPSULATED_UNCOMPRESSED).available_plugins == ["native.encapsulated"]
        assert not get_encoder("1.2.840.10008.1.2.4.100").is_available

    def test_encode_one_frame(self) -> None:
        from dicodec.plugins.records import FrameSpec

        arr = uint12_frames(1)[0]
        spec = FrameSpec(
            rows=6, columns=8, bits_stored=12, transfer_syntax=ENCAPSULATED_UNCOMPRESSED
        )
        frame, codec = get_encoder(ENCAPSULATED_UNCOMPRESSED).encode(arr, spec)
        assert codec == "native.encapsulated"
        assert frame.data == arr.astype("<u2").tobytes()

    def test_codecs_for_unknown_plugin(self) -> None:
        from dicodec.plugins.records import FrameSpec

        spec = FrameSpec(rows=2, columns=2, transfer_syntax=DEFLATED_FRAME)
        with pytest.raises(DicodecError):
            get_encoder(DEFLATED_FRAME).codecs_for(spec, "no-such-codec")


# ------------------------------------------------------------------ set_pixel_data


ALL_DTYPES = (
    "uint8",
    "int8",
    "uint16",
    "int16",
    "uint32",
    "int32",
    "uint64",
    "int64",
    "float32",
    "float64",
    "bool",
)


class TestSetPixelData:
    @pytest.mark.parametrize("dtype", ALL_DTYPES)
    @pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)], ids=["single", "multi"])
    def test_every_dtype(self, dtype: str, shape: tuple[int, ...], tmp_path: Path) -> None:
        dt = np.dtype(dtype)
        r = rng(71)
        if dt.kind in "iu":
            arr = r.integers(np.iinfo(dt).min, np.iinfo(dt).max, shape, dtype=dt, endpoint=True)
        elif dt.kind == "b":
            arr = r.integers(0, 2, shape).astype(bool)
        else:
            arr = r.standard_normal(shape).astype(dt)
        bits_stored = 1 if dt.kind == "b" else dt.itemsize * 8
        ds = Dataset()
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        set_pixel_data(ds, arr, "MONOCHROME2", bits_stored)
        assert ds.Rows == 3 and ds.Columns == 4 and ds.SamplesPerPixel == 1
        assert ds.PhotometricInterpretation == "MONOCHROME2"
        assert ds.file_meta.TransferSyntaxUID == EVRLE
        assert ds.get("NumberOfFrames", 1) == (shape[0] if len(shape) == 3 else 1)
        assert "PlanarConfiguration" not in ds
        if dt.kind == "f":
            keyword = "FloatPixelData" if dt.itemsize == 4 else "DoubleFloatPixelData"
            assert keyword in ds and "PixelData" not in ds
            assert ds.BitsAllocated == dt.itemsize * 8
        else:
            bits = 1 if dt.kind == "b" else dt.itemsize * 8
            assert ds.BitsAllocated == bits and ds.BitsStored == bits and ds.HighBit == bits - 1
            assert ds.PixelRepresentation == (1 if dt.kind == "i" else 0)
            assert ds["PixelData"].VR == ("OB" if bits <= 8 else "OW")
            assert len(ds.PixelData) % 2 == 0
        expected = arr.astype(np.uint8) if dt.kind == "b" else arr
        got = pixel_array(ds)
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(pixel_array(write(ds, tmp_path)), expected)

    def test_colour_and_bits_stored(self) -> None:
        rgb = rng(72).integers(0, 4096, (2, 3, 4, 3), dtype=np.uint16)
        ds = make_ds(rgb, "RGB", 12)
        assert ds.SamplesPerPixel == 3 and ds.PlanarConfiguration == 0
        assert ds.BitsAllocated == 16 and ds.BitsStored == 12 and ds.HighBit == 11
        assert ds.NumberOfFrames == 2
        np.testing.assert_array_equal(pixel_array(ds), rgb)

    def test_non_native_byte_order_input(self) -> None:
        arr = np.arange(12, dtype=">u2").reshape(3, 4)
        ds = make_ds(arr)
        assert ds.PixelData[:4] == b"\x00\x00\x01\x00"  # stored little endian
        np.testing.assert_array_equal(pixel_array(ds), arr)

    def test_non_contiguous_input(self) -> None:
        arr = np.arange(48, dtype=np.uint16).reshape(6, 8)[::2, ::2]
        np.testing.assert_array_equal(pixel_array(make_ds(arr)), arr)

    def test_replaces_previous_pixel_data(self) -> None:
        ds = make_ds(uint12_frames(3), bits_stored=12)
        ds.compress(ENCAPSULATED_UNCOMPRESSED, encapsulate_ext=True)
        arr = rng(73).standard_normal((2, 2)).astype(np.float32)
        ds.set_pixel_data(arr, "MONOCHROME2", 32)
        assert "PixelData" not in ds and "ExtendedOffsetTable" not in ds
        assert "NumberOfFrames" in ds and ds.NumberOfFrames == 1
        assert ds.file_meta.TransferSyntaxUID == EVRLE
        np.testing.assert_array_equal(pixel_array(ds), arr)
        rgb = rng(74).integers(0, 256, (2, 2, 3), dtype=np.uint8)
        ds.set_pixel_data(rgb, "RGB", 8)
        assert "FloatPixelData" not in ds
        np.testing.assert_array_equal(pixel_array(ds), rgb)
        ds.set_pixel_data(rgb[..., 0], "MONOCHROME2", 8)
        assert "PlanarConfiguration" not in ds

    @pytest.mark.parametrize(
        ("arr", "pi", "bits_stored", "match"),
        [
            (np.array([[4096]], np.uint16), "MONOCHROME2", 12, r"outside \[0, 4095\]"),
            (np.array([[-2049]], np.int16), "MONOCHROME2", 12, r"outside \[-2048, 2047\]"),
            (np.zeros((2, 3), np.uint8), "RGB", 8, "last axis of 3 samples"),
            (np.zeros((2, 3, 4, 5, 6), np.uint8), "MONOCHROME2", 8, "does not hold"),
            (np.zeros((2, 3), np.float16), "MONOCHROME2", 16, "float32 or float64"),
            (np.zeros((2, 3), np.complex64), "MONOCHROME2", 32, "cannot store complex64"),
            (np.zeros((2, 3), np.uint8), "MONOCHROME2", 9, "does not fit"),
            (np.full((2, 3), 2, np.uint8), "MONOCHROME2", 1, "only 0 and 1"),
        ],
    )
    def test_invalid(self, arr: np.ndarray, pi: str, bits_stored: int, match: str) -> None:
        ds = Dataset()
        with pytest.raises(InvalidValueError, match=match):
            set_pixel_data(ds, arr, pi, bits_stored)
        assert "PixelData" not in ds


# ------------------------------------------------------------------ pydicom parity


class TestPydicomParity:
    """pydicom 3 (the test oracle) decodes the files dicodec writes to the same arrays."""

    @pytest.mark.parametrize(
        ("arr", "pi", "bits_stored"),
        [p for p in _roundtrip_cases() if p.id not in ("int8",)],
    )
    def test_native_files(self, arr: np.ndarray, pi: str, bits_stored: int, tmp_path: Path) -> None:
        pydicom = pytest.importorskip("pydicom")
        path = write(make_ds(arr, pi, bits_stored), tmp_path)
        theirs = pydicom.dcmread(path).pixel_array
        ours = pixel_array(path)
        assert ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)
