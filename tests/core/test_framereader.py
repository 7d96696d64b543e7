"""FrameReader and FrameInfo."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

import dicodec
from dicodec import encaps, examples
from dicodec.errors import InvalidDicomError
from dicodec.framereader import FrameInfo, FrameReader
from dicodec.pixels import pixel_array
from tests.corpus import corpus_path, corpus_rows, params

ENCAPSULATED = {"1.2.840.10008.1.2.5", "1.2.840.10008.1.2.1.98", "1.2.840.10008.1.2.8.1"} | {
    f"1.2.840.10008.1.2.4.{n}" for n in (50, 51, 57, 70, 80, 81, 90, 91, 201, 202, 203)
}
NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"}


def _rows(kinds: set[str]) -> list[dict[str, str]]:
    return [r for r in corpus_rows("pixels") if r["transfer_syntax"] in kinds]


@pytest.mark.parametrize("row", params(_rows(ENCAPSULATED)))
def test_raw_frames_match_encaps(row: dict[str, str]) -> None:
    path = corpus_path(row)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = dicodec.dcmread(path)
        n = int(ds.get("NumberOfFrames") or 1)
        expected = list(encaps.generate_frames(ds.PixelData, number_of_frames=n))
        with FrameReader(path) as reader:
            assert reader.number_of_frames == n
            got = [reader.read_frame_raw(i) for i in range(n)]
    assert got == expected[:n]


@pytest.mark.parametrize("row", params(_rows(NATIVE)))
def test_native_frames_match_pixel_array(row: dict[str, str]) -> None:
    path = corpus_path(row)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        whole = pixel_array(path)
        with FrameReader(path) as reader:
            frames = [reader.read_frame(i) for i in range(reader.number_of_frames)]
    assert all(f.dtype == whole.dtype for f in frames)
    stacked = frames[0] if len(frames) == 1 else np.stack(frames)  # (np.stack makes it native-endian)
    assert np.array_equal(stacked, whole)


def test_frame_info_json_and_pixel_data_only_copy(tmp_path: Path) -> None:
    path = examples.get_path("multiframe")
    with FrameReader(path) as reader:
        info = reader.frame_info
        last = reader.read_frame(reader.number_of_frames - 1)
        assert reader.pixel_data_location < reader.first_frame_location
        f = reader.dicom_file_like
        f.seek(reader.pixel_data_location)
        assert f.read_tag() == 0x7FE00010
    text = json.dumps(info.to_dict())
    again = FrameInfo.from_dict(json.loads(text))
    assert again == info
    data = Path(path).read_bytes()
    pixel_only = io.BytesIO(data[info.value_location :])
    with FrameReader(pixel_only, frame_info=again, offset=0) as reader:
        assert np.array_equal(reader.read_frame(reader.number_of_frames - 1), last)
    with pytest.raises(dicodec.InvalidValueError):
        FrameInfo.from_dict({"transfer_syntax": "1.2"})


def test_bot_less_multi_fragment_and_missing_number_of_frames(tmp_path: Path) -> None:
    ds = examples.multiframe
    frames = [bytes([i]) * 40 for i in range(ds.NumberOfFrames)]
    # JPEG-like markers so boundaries can be found without a table
    frames = [b"\xff\xd8" + f + b"\xff\xd9" for f in frames]
    ds.PixelData = encaps.encapsulate(frames, fragments_per_frame=3, has_bot=False)
    ds[0x7FE00010].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50"
    path = tmp_path / "botless.dcm"
    ds.save_as(path, enforce_file_format=True)
    with FrameReader(path) as reader:
        assert [reader.read_frame_raw(i).rstrip(b"\x00") for i in range(len(frames))] == frames
    del ds.NumberOfFrames
    ds.save_as(path, enforce_file_format=True)
    with FrameReader(path) as reader:
        assert reader.number_of_frames == 1  # without Number of Frames the data set says one frame
        assert reader.read_frame_raw(0).startswith(frames[0])


def test_table_mismatch_names_the_frame(tmp_path: Path) -> None:
    ds = examples.multiframe
    frames = [b"\xff\xd8" + bytes(20) + b"\xff\xd9" for _ in range(ds.NumberOfFrames - 2)]
    ds.PixelData = encaps.encapsulate(frames, has_bot=False)
    ds[0x7FE00010].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.50"
    path = tmp_path / "short.dcm"
    ds.save_as(path, enforce_file_format=True)
    with pytest.raises(InvalidDicomError, match="frame"):
        FrameReader(path)
    with FrameReader(examples.get_path("multiframe")) as reader, pytest.raises(IndexError):
        reader.read_frame_raw(reader.number_of_frames)


def test_parallel_reads_from_a_path() -> None:
    path = examples.get_path("multiframe")
    expected = pixel_array(path)
    results: dict[int, np.ndarray] = {}
    with FrameReader(path) as reader:

        def work(i: int) -> None:
            for _ in range(20):
                results[i] = reader.read_frame(i)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(reader.number_of_frames)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for i, arr in results.items():
        assert np.array_equal(arr, expected[i])


def _write_huge_native(path: Path, frames: int, rows: int, cols: int) -> None:
    ds = examples.mr
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, cols, frames
    ds.BitsStored, ds.HighBit = 16, 15
    del ds.PixelData
    head = io.BytesIO()
    ds.save_as(head, enforce_file_format=True)
    frame_len = rows * cols * 2
    total = frames * frame_len
    with open(path, "wb") as f:
        f.write(head.getvalue())
        f.write(struct.pack("<HH2s2xL", 0x7FE0, 0x0010, b"OW", total))
        start = f.tell()
        f.seek(start + total - frame_len)  # sparse: only the last frame is written
        f.write(np.arange(rows * cols, dtype="<u2").tobytes())


def test_last_frame_of_a_2gb_file_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.dcm"
    frames, rows, cols = 1100, 1024, 1000  # 2.2e9 bytes of pixel data
    try:
        _write_huge_native(path, frames, rows, cols)
    except OSError as exc:  # pragma: no cover - no room for a sparse file
        pytest.skip(f"cannot write a 2 GB sparse file here: {exc}")
    assert path.stat().st_size > 2 * 1024**3
    code = textwrap.dedent(
        f"""
        import resource, sys
        import numpy as np
        from dicodec.framereader import FrameReader
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with FrameReader({str(path)!r}) as r:
            frame = r.read_frame(r.number_of_frames - 1)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert np.array_equal(frame.ravel(), np.arange({rows * cols}, dtype="<u2")), "wrong frame"
        print((after - before) * 1024)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    grown = int(out.stdout.strip())
    assert grown < 64 * 1024**2, f"reading one 2 MB frame grew the process by {grown} bytes"
    os.unlink(path)


def test_read_frame_reuses_its_plan_and_follows_preferences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The decode plan is built once per set of options, and again when preferences change."""
    pytest.importorskip("dicodec_rle")
    from dicodec import config
    from dicodec.pixels import compress
    from dicodec.pixels import decoder as decoder_module

    ds = examples.multiframe
    expected = pixel_array(ds)
    compress(ds, "1.2.840.10008.1.2.5")
    path = tmp_path / "rle.dcm"
    ds.save_as(path, enforce_file_format=True)
    built: list[tuple[object, ...]] = []

    class CountingPlan(decoder_module.DecodePlan):
        def __init__(self, *args: object) -> None:
            built.append(args[1:])
            super().__init__(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(decoder_module, "DecodePlan", CountingPlan)
    with FrameReader(path) as reader:
        for i in range(reader.number_of_frames):
            assert np.array_equal(reader.read_frame(i), expected[i])
        assert len(built) == 1
        reader.read_frame(0, raw=True)
        reader.read_frame(1, raw=True)
        assert len(built) == 2
        with config.prefer("rle.pylibjpeg", "rle.c"):
            assert np.array_equal(reader.read_frame(2), expected[2])
        assert len(built) == 3
        reader.read_frame(3)
        assert len(built) == 3  # the first plan again
