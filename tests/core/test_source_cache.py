"""The per-data-set pixel source cache and the one-frame fast path.

A data set's pixel source (description, frame table) and decode plans are reused
while nothing has changed; :mod:`dicodec.changes` makes "nothing changed" a single
comparison. These tests change a data set in every public way and check that the
next decode sees the change, and that reuse really happens when nothing changed.
They also cover the short form of the decode contract (a codec returning ``out``).
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest

from dicodec import Dataset, changes, config
from dicodec.dataelem import DataElement
from dicodec.errors import CodecError, DicodecWarning
from dicodec.pixels import compress, get_decoder, iter_pixels, pixel_array, set_pixel_data
from dicodec.pixels import source as source_module
from dicodec.plugins import register, unregister
from dicodec.plugins.records import CodecSpec, DecodedFrame, FrameSpec, TransferSyntaxSpec

pytest.importorskip("dicodec_native")

EVRLE = "1.2.840.10008.1.2.1"
ENCAPSULATED_UNCOMPRESSED = "1.2.840.10008.1.2.1.98"
PRIVATE_TS = "1.2.826.0.1.3680043.9.9999.77"


def frames(n: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 4096, (n, 8, 10), dtype=np.uint16)


def make_ds(arr: np.ndarray) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.10.1.2"
    set_pixel_data(ds, arr, "MONOCHROME2", 16, generate_instance_uid=False)
    return ds


@pytest.fixture
def encaps_ds() -> Dataset:
    """Six 8x10 frames, encapsulated (one fragment each), so a codec and a frame table run."""
    ds = make_ds(frames())
    compress(ds, ENCAPSULATED_UNCOMPRESSED)
    return ds


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often a pixel source is built from a data set."""
    calls: list[int] = []
    real = source_module._build_from_dataset

    def counting(ds: Any, ts: Any) -> Any:
        calls.append(1)
        return real(ds, ts)

    monkeypatch.setattr(source_module, "_build_from_dataset", counting)
    return calls


def one(ds: Dataset, i: int) -> np.ndarray:
    ts = str(ds.file_meta.TransferSyntaxUID)
    return get_decoder(ts).as_array(ds, index=i)[0]


# ------------------------------------------------------------------ the counter


def test_every_public_change_moves_the_generation() -> None:
    ds = make_ds(frames(1))
    elem = ds["Rows"]
    actions = [
        lambda: setattr(ds, "Rows", 8),
        lambda: setattr(elem, "value", 8),
        lambda: setattr(elem, "VR", "US"),
        lambda: elem.clear(),
        lambda: ds.__setitem__(0x00280010, DataElement(0x00280010, "US", 8)),
        lambda: ds.__delitem__(0x00280010),
        lambda: setattr(ds, "Rows", 8),
        lambda: ds.pop(0x00280010),
        lambda: setattr(ds, "Rows", 8),
        lambda: delattr(ds, "Rows"),
        lambda: setattr(ds, "file_meta", ds.file_meta),
        lambda: ds.update({"Columns": 10}),
        lambda: ds.clear(),
    ]
    for action in actions:
        before = changes.generation()
        action()
        assert changes.generation() != before, action


# ------------------------------------------------------------------ reuse


def test_unchanged_data_set_builds_its_source_once(encaps_ds: Dataset, builds: list[int]) -> None:
    for i in range(6):
        one(encaps_ds, i)
    assert len(builds) == 1


def test_index_calls_and_iteration_do_not_evict_each_other(encaps_ds: Dataset, builds: list[int]) -> None:
    # as_array names the transfer syntax, iter_pixels does not: each keeps its own source
    for _ in range(3):
        one(encaps_ds, 0)
        list(iter_pixels(encaps_ds))
    assert len(builds) == 2


def test_an_unrelated_change_costs_no_rebuild(encaps_ds: Dataset, builds: list[int]) -> None:
    one(encaps_ds, 0)
    encaps_ds.PatientName = "Someone^Else"
    Dataset(PatientID="1").PatientID = "2"  # another data set entirely
    one(encaps_ds, 1)
    assert len(builds) == 1


# ------------------------------------------------------------------ invalidation


def test_new_pixel_data_is_seen_by_the_one_frame_path(encaps_ds: Dataset) -> None:
    one(encaps_ds, 0)
    replacement = frames(seed=9)
    encaps_ds.PixelData = make_ds(replacement).PixelData
    encaps_ds.file_meta.TransferSyntaxUID = EVRLE
    np.testing.assert_array_equal(one(encaps_ds, 2), replacement[2])


def test_changed_geometry_is_seen(encaps_ds: Dataset) -> None:
    full = pixel_array(encaps_ds)
    assert one(encaps_ds, 0).shape == (8, 10)
    encaps_ds.Rows, encaps_ds.Columns = 10, 8
    assert one(encaps_ds, 0).shape == (10, 8)
    np.testing.assert_array_equal(one(encaps_ds, 0).reshape(-1), full[0].reshape(-1))


def test_changed_value_through_the_element_is_seen() -> None:
    ds = make_ds(frames(2))
    assert one(ds, 1).shape == (8, 10)
    ds["NumberOfFrames"].value = 1
    with pytest.warns(DicodecWarning, match="Number of Frames is 1"), pytest.raises(
        IndexError, match="out of range for 1 frames"
    ):
        one(ds, 1)


def test_replaced_file_meta_is_seen(encaps_ds: Dataset) -> None:
    arr = pixel_array(encaps_ds)
    native = make_ds(arr)
    encaps_ds.PixelData = native.PixelData
    encaps_ds.file_meta = native.file_meta  # a new transfer syntax arrives with it
    np.testing.assert_array_equal(pixel_array(encaps_ds), arr)
    assert list(iter_pixels(encaps_ds))[3].tolist() == arr[3].tolist()


def test_a_copy_never_sees_the_originals_cache(encaps_ds: Dataset) -> None:
    first = one(encaps_ds, 0)
    twin = copy.copy(encaps_ds)  # shallow: the elements are shared, so replace them, not their values
    twin[0x00280010] = DataElement(0x00280010, "US", 10)
    twin[0x00280011] = DataElement(0x00280011, "US", 8)
    assert one(twin, 0).shape == (10, 8)
    assert one(encaps_ds, 0).shape == (8, 10)
    np.testing.assert_array_equal(one(encaps_ds, 0), first)


def test_an_unpickled_data_set_starts_without_a_cache(encaps_ds: Dataset) -> None:
    one(encaps_ds, 0)
    back = pickle.loads(pickle.dumps(encaps_ds))
    assert back._pixel_cache is None
    np.testing.assert_array_equal(one(back, 4), one(encaps_ds, 4))


# ------------------------------------------------------------------ plans follow preferences


@pytest.fixture
def two_codecs() -> Any:
    """Two codecs for a private transfer syntax; each stamps its name into the frame."""

    def make(name: str, value: int) -> CodecSpec:
        def decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None) -> Any:
            assert out is not None
            out[...] = value
            return out

        return CodecSpec(name, (PRIVATE_TS,), decode=decode, priority=value)

    class Plugin:
        DICODEC_API_VERSION = 1

        def dicodec_transfer_syntaxes(self) -> list[TransferSyntaxSpec]:
            return [TransferSyntaxSpec(PRIVATE_TS, "Cache Test", keyword="CacheTest")]

        def dicodec_codecs(self) -> list[CodecSpec]:
            return [make("cachetest.low", 10), make("cachetest.high", 20)]

    from dicodec.plugins import hookimpl

    Plugin.dicodec_transfer_syntaxes = hookimpl(Plugin.dicodec_transfer_syntaxes)  # type: ignore[method-assign]
    Plugin.dicodec_codecs = hookimpl(Plugin.dicodec_codecs)  # type: ignore[method-assign]
    register(Plugin(), name="cachetest")
    ds = make_ds(frames(3))
    ds.PixelData = b"".join(
        [b"\xfe\xff\x00\xe0\x00\x00\x00\x00"]
        + [b"\xfe\xff\x00\xe0\x02\x00\x00\x00\x00\x00"] * 3
        + [b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"]
    )
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = PRIVATE_TS
    yield ds
    unregister("cachetest")


def test_the_one_frame_path_follows_a_prefer_context(two_codecs: Dataset) -> None:
    dec = get_decoder(PRIVATE_TS)
    arr, meta = dec.as_array(two_codecs, index=0)
    assert meta["codecs"] == ["cachetest.high"] and (arr == 20).all()
    with config.prefer("cachetest.low"):
        arr, meta = dec.as_array(two_codecs, index=1)
        assert meta["codecs"] == ["cachetest.low"] and (arr == 10).all()
    arr, meta = dec.as_array(two_codecs, index=2)
    assert meta["codecs"] == ["cachetest.high"]


def test_the_one_frame_path_follows_set_preference(two_codecs: Dataset) -> None:
    dec = get_decoder(PRIVATE_TS)
    assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.high"]
    config.set_preference("cachetest.low", PRIVATE_TS)
    try:
        assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.low"]
    finally:
        config.set_preference(None, PRIVATE_TS)
    assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.high"]


def test_the_one_frame_path_follows_blocking(two_codecs: Dataset) -> None:
    from dicodec.plugins import block, unblock

    dec = get_decoder(PRIVATE_TS)
    assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.high"]
    block("cachetest.high")
    try:
        assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.low"]
    finally:
        unblock("cachetest.high")
    assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.high"]


def test_the_one_frame_path_follows_a_prefer_context_in_another_thread(two_codecs: Dataset) -> None:
    """One Decoder shared by two threads: a prefer() block in one is not seen by the other."""
    import threading

    dec = get_decoder(PRIVATE_TS)
    assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.high"]
    seen: list[list[str]] = []

    def inside() -> None:
        with config.prefer("cachetest.low"):
            seen.append(dec.as_array(two_codecs, index=0)[1]["codecs"])

    thread = threading.Thread(target=inside)
    thread.start()
    thread.join(10)
    assert seen == [["cachetest.low"]]
    assert dec.as_array(two_codecs, index=0)[1]["codecs"] == ["cachetest.high"]


def test_the_one_frame_path_follows_options(two_codecs: Dataset) -> None:
    dec = get_decoder(PRIVATE_TS)
    dec.as_array(two_codecs, index=0)
    meta = dec.as_array(two_codecs, index=0, decoding_plugin="cachetest.low")[1]
    assert meta["codecs"] == ["cachetest.low"]


# ------------------------------------------------------------------ the short form of decode


@pytest.fixture
def short_form() -> Any:
    """A codec for a private syntax whose decode result the test chooses."""
    state: dict[str, Any] = {"answer": "out"}

    def decode(src: Any, spec: FrameSpec, out: np.ndarray | None = None) -> Any:
        assert out is not None
        out.reshape(-1).view(np.uint8)[:] = np.frombuffer(bytes(src), np.uint8)[: out.nbytes]
        if state["answer"] == "out":
            return out
        if state["answer"] == "copy":
            return out.copy()  # a bare array that is not out: the core cannot know what it is
        return DecodedFrame(out, spec.photometric_interpretation)

    class Plugin:
        DICODEC_API_VERSION = 1

    from dicodec.plugins import hookimpl

    Plugin.dicodec_transfer_syntaxes = hookimpl(  # type: ignore[attr-defined]
        lambda self: [TransferSyntaxSpec(PRIVATE_TS, "Short Form", keyword="ShortForm")]
    )
    Plugin.dicodec_codecs = hookimpl(  # type: ignore[attr-defined]
        lambda self: [CodecSpec("shortform.copy", (PRIVATE_TS,), decode=decode)]
    )
    register(Plugin(), name="shortform")
    yield state
    unregister("shortform")


def ybr_ds(ts: str) -> tuple[Dataset, np.ndarray]:
    """One 4x4 YBR_FULL frame encapsulated in one fragment under ``ts``."""
    ybr = np.random.default_rng(3).integers(0, 256, (4, 4, 3), dtype=np.uint8)
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.10.1.3"
    set_pixel_data(ds, ybr, "YBR_FULL", 8, generate_instance_uid=False)
    compress(ds, ENCAPSULATED_UNCOMPRESSED)
    ds.file_meta.TransferSyntaxUID = ts
    return ds, ybr


def test_returning_out_is_read_as_the_spec(short_form: dict[str, Any]) -> None:
    ds, ybr = ybr_ds(PRIVATE_TS)
    raw, meta = get_decoder(PRIVATE_TS).as_array(ds, raw=True)
    assert meta["photometric_interpretation"] == "YBR_FULL"
    np.testing.assert_array_equal(raw, ybr)
    # the short form does not skip what the core does: YBR_FULL still becomes RGB
    rgb, meta = get_decoder(PRIVATE_TS).as_array(ds)
    assert meta["photometric_interpretation"] == "RGB"
    short_form["answer"] = "frame"
    expected, _ = get_decoder(PRIVATE_TS).as_array(ds)
    np.testing.assert_array_equal(rgb, expected)


def test_returning_another_bare_array_is_refused(short_form: dict[str, Any]) -> None:
    ds, _ = ybr_ds(PRIVATE_TS)
    short_form["answer"] = "copy"
    with pytest.raises(CodecError, match=r"frame 0 .*shortform.copy: TypeError: decode returned ndarray") as info:
        pixel_array(ds)
    assert isinstance(info.value.__cause__, TypeError)


# ------------------------------------------------------------------ reading frames from a path


def test_read_ahead_windows_belong_to_each_thread(tmp_path: Any) -> None:
    """Two workers reading interleaved frames, one far behind the other, keep their own windows.

    With one shared window each read of the slower worker replaced the faster one's
    window and every frame became a fresh 1 MiB read.
    """
    import threading

    from dicodec.pixels.frames import FileFrames
    from dicodec.pixels.source import open_source

    arr = np.random.default_rng(4).integers(0, 65535, (40, 128, 256), dtype=np.uint16)  # 64 KiB frames
    ds = make_ds(arr)
    compress(ds, ENCAPSULATED_UNCOMPRESSED)
    path = tmp_path / "frames.dcm"
    ds.save_as(path, enforce_file_format=True)
    with open_source(path) as source:
        frames = source.frames
        assert isinstance(frames, FileFrames)
        frames.read_ahead = True
        reads: list[int] = []
        real_read = frames.read

        def counting_read(offset: int, n: int) -> bytes:
            reads.append(n)
            return real_read(offset, n)

        frames.read = counting_read  # type: ignore[method-assign]
        # worker 0 takes the even frames, worker 1 the odd ones 20 frames later: strictly alternating
        order = [(k % 2, k // 2 * 2 + (0 if k % 2 == 0 else 1)) for k in range(40)]
        schedule = [(w, f if w == 0 else (f + 20) % 40) for w, f in order]
        turns = [threading.Semaphore(0), threading.Semaphore(0)]
        got: dict[int, bytes] = {}

        def worker(me: int) -> None:
            for k, (who, frame) in enumerate(schedule):
                if who != me:
                    continue
                turns[me].acquire()
                got[frame] = bytes(frames.get(frame))
                if k + 1 < len(schedule):
                    turns[schedule[k + 1][0]].release()

        threads = [threading.Thread(target=worker, args=(i,)) for i in (0, 1)]
        for t in threads:
            t.start()
        turns[schedule[0][0]].release()
        for t in threads:
            t.join(10)
        worker_reads = len(reads)
        assert len(got) == 40 and all(frames.get(i) == got[i] for i in range(40))
    # 64 KiB frames, 1 MiB windows: each worker reads 40 * 64 KiB / 1 MiB windows of its own
    assert worker_reads <= 8, f"{worker_reads} reads for 40 frames"


# ------------------------------------------------------------------ the Dataset.pixel_array property


def test_the_pixel_array_property_follows_geometry_and_transfer_syntax(encaps_ds: Dataset) -> None:
    first = encaps_ds.pixel_array
    assert encaps_ds.pixel_array is first  # cached while nothing changed
    encaps_ds.PatientName = "Other^Name"
    assert encaps_ds.pixel_array is first  # an unrelated change keeps it
    encaps_ds.Rows, encaps_ds.Columns = 10, 8  # before, the cache key did not look at Rows
    second = encaps_ds.pixel_array
    assert second.shape == (6, 10, 8)
    np.testing.assert_array_equal(second.reshape(6, -1), first.reshape(6, -1))
    native = make_ds(frames(seed=5))
    encaps_ds.PixelData = native.PixelData
    encaps_ds.file_meta = native.file_meta
    encaps_ds.Rows, encaps_ds.Columns = 8, 10
    np.testing.assert_array_equal(encaps_ds.pixel_array, frames(seed=5))
