"""Tests for the dicodec-overlay plugin (Overlay Plane and Multi-frame Overlay modules)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dicodec
from dicodec import Dataset, DicodecError, DicodecWarning, examples
from dicodec.encaps import encapsulate
from dicodec.pixels import pack_bits, pixel_array, unpack_bits

from ...corpus import corpus_path, corpus_rows, params

pytest.importorskip("dicodec_overlay")

from dicodec_overlay import handler, plugin
from dicodec_overlay.handler import (
    InvalidOverlayError,
    InvalidOverlayGroupError,
    MissingOverlayElementError,
    OverlayLengthError,
    get_expected_length,
    get_overlay_array,
    overlay_groups,
    overlay_origin,
    place_overlay,
    reshape_overlay_array,
    set_overlay_array,
)

GROUPS = list(range(0x6000, 0x6020, 2))


def _overlay_ds(group: int, plane: np.ndarray, origin: tuple[int, int] = (1, 1)) -> Dataset:
    ds = Dataset(Rows=plane.shape[-2], Columns=plane.shape[-1])
    set_overlay_array(ds, group, plane, origin=origin)
    return ds


def _image(rows: int = 6, columns: int = 10, frames: int = 1, bits_stored: int = 12) -> Dataset:
    ds = Dataset()
    ds.Rows, ds.Columns, ds.SamplesPerPixel = rows, columns, 1
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.ensure_file_meta()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = dicodec.generate_uid()
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


# ---------------------------------------------------------------- plugin wiring
def test_plugin_declares_the_overlay_handler() -> None:
    specs = plugin.dicodec_bulk_data_handlers()
    assert [(s.name, s.kind, s.function) for s in specs] == [
        ("overlay.numpy", "overlay", "dicodec_overlay.handler:get_overlay_array")
    ]
    from dicodec.plugins import get_registry

    assert get_registry().bulk_handler("overlay") is get_overlay_array


def test_dataset_overlay_array_uses_the_plugin() -> None:
    ds = examples.overlay
    arr = ds.overlay_array(0x6000)
    assert arr.shape == (256, 256) and arr.dtype == np.uint8 and set(np.unique(arr)) <= {0, 1}
    expected = unpack_bits(ds[0x6000, 0x3000].value)[: 256 * 256].reshape(256, 256)
    assert np.array_equal(arr, expected)
    assert str(ds[0x6000, 0x3000]).endswith("OW: Array of 8192 elements")


def test_is_available_and_reshape_helpers() -> None:
    assert handler.is_available() is True
    d = {"OverlayRows": 3, "OverlayColumns": 5, "NumberOfFramesInOverlay": 3}
    assert get_expected_length(d) == 6 and get_expected_length(d, unit="pixels") == 45
    assert reshape_overlay_array(d, np.zeros(45, np.uint8)).shape == (3, 3, 5)
    assert reshape_overlay_array({**d, "NumberOfFramesInOverlay": 1}, np.zeros(15, np.uint8)).shape == (3, 5)
    with pytest.raises(ValueError):
        reshape_overlay_array({**d, "NumberOfFramesInOverlay": 0}, np.zeros(15, np.uint8))
    with pytest.raises(ValueError):
        get_expected_length(d, unit="bits")


# ---------------------------------------------------------------- every group, every shape
def test_every_overlay_group() -> None:
    rng = np.random.default_rng(0)
    ds = Dataset(Rows=9, Columns=11)
    planes = {}
    for group in GROUPS:
        planes[group] = rng.integers(0, 2, (9, 11), dtype=np.uint8)
        set_overlay_array(ds, group, planes[group])
    assert overlay_groups(ds) == GROUPS
    for group in GROUPS:
        assert np.array_equal(ds.overlay_array(group), planes[group])


@pytest.mark.parametrize("group", [0x6001, 0x601F, 0x6020, 0x5FFE, 0x60FF, "x"])
def test_invalid_groups(group: object) -> None:
    with pytest.raises(InvalidOverlayGroupError) as info:
        get_overlay_array(examples.overlay, group)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and isinstance(info.value, DicodecError)


def test_multiframe_overlay_with_unaligned_frames() -> None:
    pydicom = pytest.importorskip("pydicom")
    rng = np.random.default_rng(1)
    planes = rng.integers(0, 2, (3, 5, 7), dtype=np.uint8)  # 35 bits per frame: frames share bytes
    ds = _overlay_ds(0x6004, planes)
    ds[0x6004, 0x0015].value = "3"
    arr = ds.overlay_array(0x6004)
    assert arr.shape == (3, 5, 7) and np.array_equal(arr, planes)
    pds = pydicom.Dataset.from_json(ds.to_json_dict())
    assert np.array_equal(pds.overlay_array(0x6004), arr)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hnp.arrays(
        np.uint8,
        st.one_of(
            st.tuples(st.integers(1, 20), st.integers(1, 20)),
            st.tuples(st.integers(2, 4), st.integers(1, 12), st.integers(1, 12)),
        ),
        elements=st.integers(0, 1),
    )
)
def test_set_and_get_round_trip(plane: np.ndarray) -> None:
    ds = Dataset()
    set_overlay_array(ds, 0x6010, plane)
    assert np.array_equal(get_overlay_array(ds, 0x6010), plane)
    assert len(ds[0x6010, 0x3000].value) % 2 == 0


# ---------------------------------------------------------------- errors and lengths
def test_missing_elements_raise_attribute_error() -> None:
    ds = examples.overlay.copy()
    del ds[0x6000, 0x0010]
    with pytest.raises(MissingOverlayElementError, match="OverlayRows") as info:
        get_overlay_array(ds, 0x6000)
    assert isinstance(info.value, AttributeError) and isinstance(info.value, DicodecError)
    with pytest.raises(AttributeError, match="OverlayRows, OverlayColumns, OverlayBitsAllocated"):
        get_overlay_array(Dataset(), 0x6002)


def test_overlay_without_data_and_one_bit_allocated() -> None:
    ds = Dataset(Rows=4, Columns=4)
    ds.add_new(0x60000010, "US", 4)
    ds.add_new(0x60000011, "US", 4)
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60000102, "US", 0)
    with pytest.raises(MissingOverlayElementError, match="OverlayData"):
        get_overlay_array(ds, 0x6000)


def test_length_checks() -> None:
    plane = np.ones((5, 5), np.uint8)  # 25 bits: 4 bytes
    ds = _overlay_ds(0x6000, plane)
    ds[0x6000, 0x3000].value = pack_bits(plane)[:2]
    with pytest.raises(OverlayLengthError, match="2 bytes") as info:
        get_overlay_array(ds, 0x6000)
    assert isinstance(info.value, ValueError) and isinstance(info.value, DicodecError)
    ds = _overlay_ds(0x6000, np.ones((3, 3), np.uint8))  # 9 bits: 2 bytes, even
    ds[0x6000, 0x3000].value = pack_bits(np.ones((3, 3), np.uint8)) + b"\x00\x00"
    with pytest.warns(DicodecWarning, match="ignored"):
        assert get_overlay_array(ds, 0x6000).sum() == 9
    odd = _overlay_ds(0x6000, np.ones((1, 5), np.uint8))  # 1 byte, odd, padding missing
    odd[0x6000, 0x3000].value = b"\x1f"
    with pytest.warns(DicodecWarning, match="padding"):
        assert get_overlay_array(odd, 0x6000).tolist() == [[1, 1, 1, 1, 1]]


# ---------------------------------------------------------------- corpus
OVERLAY_ROWS = [r for r in corpus_rows() if r["has_overlay"] == "True"]


@pytest.mark.parametrize("row", params(OVERLAY_ROWS))
def test_corpus_overlays(row: dict[str, str]) -> None:
    path = corpus_path(row)
    ds = dicodec.dcmread(path)
    groups = [int(g, 16) for g in re.findall(r"[0-9A-Fa-f]{4}", row["overlay_groups"])]
    assert groups
    for group in groups:
        elem = ds.get((group, 0x3000))
        if elem is None or elem.value is None:
            # an overlay group without Overlay Data and no overlay in Pixel Data (leadtools files
            # have every element empty; pydicom 3.0 raises TypeError for them)
            with pytest.raises(MissingOverlayElementError):
                ds.overlay_array(group)
            continue
        arr = ds.overlay_array(group)
        rows, columns = int(ds[group, 0x0010].value), int(ds[group, 0x0011].value)
        assert arr.shape == (rows, columns) and arr.dtype == np.uint8
        pydicom = pytest.importorskip("pydicom")
        assert np.array_equal(arr, pydicom.dcmread(path).overlay_array(group))


# ---------------------------------------------------------------- overlays in Pixel Data
def _embedded(frames: int, positions: dict[int, int], little: bool = True) -> tuple[Dataset, np.ndarray, dict]:
    rng = np.random.default_rng(2)
    ds = _image(6, 10, frames)
    pixels = rng.integers(0, 1 << 12, (frames, 6, 10), dtype=np.uint16)
    planes = {}
    for group, bit in positions.items():
        planes[group] = rng.integers(0, 2, (frames, 6, 10), dtype=np.uint16)
        pixels |= planes[group] << bit
        tag = group << 16
        ds.add_new(tag | 0x0010, "US", 6)
        ds.add_new(tag | 0x0011, "US", 10)
        ds.add_new(tag | 0x0040, "CS", "G")
        ds.add_new(tag | 0x0050, "SS", [1, 1])
        ds.add_new(tag | 0x0100, "US", 16)
        ds.add_new(tag | 0x0102, "US", bit)
        if frames > 1:
            ds.add_new(tag | 0x0015, "IS", str(frames))
    ds.add_new(0x7FE00010, "OW", pixels.astype("<u2" if little else ">u2").tobytes())
    if not little:
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.2"
    return ds, pixels, planes


def test_overlay_in_pixel_data_bits() -> None:
    ds, pixels, planes = _embedded(1, {0x6000: 12, 0x6002: 15})
    for group, plane in planes.items():
        arr = ds.overlay_array(group)
        assert arr.shape == (6, 10) and arr.dtype == np.uint8 and np.array_equal(arr, plane[0])
    assert np.array_equal(pixel_array(ds), pixels[0] & 0x0FFF)  # the image itself loses them


def test_overlay_in_big_endian_pixel_data(tmp_path: Path) -> None:
    ds, _, planes = _embedded(1, {0x6000: 13}, little=False)
    assert np.array_equal(ds.overlay_array(0x6000), planes[0x6000][0])


def test_multiframe_overlay_in_pixel_data_with_frame_origin() -> None:
    ds, _, planes = _embedded(4, {0x6000: 14})
    ds.add_new(0x60000015, "IS", "2")
    ds.add_new(0x60000051, "US", 3)  # the overlay covers image frames 3 and 4
    arr = ds.overlay_array(0x6000)
    assert arr.shape == (2, 6, 10) and np.array_equal(arr, planes[0x6000][2:])
    placed = place_overlay(ds, 0x6000)
    assert placed.shape == (4, 6, 10) and not placed[:2].any() and np.array_equal(placed[2:], arr)


def test_overlay_in_encapsulated_pixel_data() -> None:
    ds, _, planes = _embedded(2, {0x6000: 12})
    frames = [ds.PixelData[i * 120 : (i + 1) * 120] for i in range(2)]
    ds.add_new(0x7FE00010, "OB", encapsulate(frames))
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1.98"  # Encapsulated Uncompressed
    assert np.array_equal(ds.overlay_array(0x6000), planes[0x6000])


@pytest.mark.parametrize(("bits_allocated", "position", "match"), [(16, 11, "above High Bit"), (8, 13, "Bits Allocated")])
def test_invalid_overlay_in_pixel_data(bits_allocated: int, position: int, match: str) -> None:
    ds, _, _ = _embedded(1, {0x6000: 12})
    ds[0x6000, 0x0102].value = position
    ds[0x6000, 0x0100].value = bits_allocated
    with pytest.raises(InvalidOverlayError, match=match):
        ds.overlay_array(0x6000)


def test_short_pixel_data_for_an_embedded_overlay() -> None:
    ds, _, _ = _embedded(1, {0x6000: 12})
    ds.add_new(0x7FE00010, "OW", ds.PixelData[:50])
    with pytest.raises(OverlayLengthError, match="Pixel Data"):
        ds.overlay_array(0x6000)


# ---------------------------------------------------------------- placing on the image
@pytest.mark.parametrize(
    ("origin", "expected_rows", "expected_cols"),
    [((1, 1), slice(0, 2), slice(0, 3)), ((3, 2), slice(2, 4), slice(1, 4)), ((0, 0), slice(0, 1), slice(0, 2)),
     ((4, 5), slice(3, 4), slice(4, 5)), ((-5, 1), slice(0, 0), slice(0, 3))],
)
def test_place_overlay_uses_the_origin(origin: tuple[int, int], expected_rows: slice, expected_cols: slice) -> None:
    ds = Dataset(Rows=4, Columns=5)
    set_overlay_array(ds, 0x6000, np.ones((2, 3), np.uint8), origin=origin)
    assert overlay_origin(ds, 0x6000) == origin
    placed = place_overlay(ds, 0x6000)
    expected = np.zeros((4, 5), np.uint8)
    expected[expected_rows, expected_cols] = 1
    assert placed.shape == (4, 5) and np.array_equal(placed, expected)


def test_default_origin() -> None:
    ds = Dataset(Rows=2, Columns=2)
    set_overlay_array(ds, 0x6000, np.ones((2, 2), np.uint8))
    del ds[0x6000, 0x0050]
    assert overlay_origin(ds, 0x6000) == (1, 1)


# ---------------------------------------------------------------- writing back
def test_edit_pack_save_read_back(tmp_path: Path) -> None:
    ds = dicodec.dcmread(examples.get_path("overlay"))
    arr = ds.overlay_array(0x6000)
    arr[10, :] = 1
    arr[:, 3] = 0
    ds[0x6000, 0x3000].value = pack_bits(arr)
    target = tmp_path / "edited.dcm"
    ds.save_as(target)
    back = dicodec.dcmread(target)
    assert np.array_equal(back.overlay_array(0x6000), arr)
    assert bytes(back[0x6000, 0x3000].value) == pack_bits(arr)
    pydicom = pytest.importorskip("pydicom")
    assert np.array_equal(pydicom.dcmread(target).overlay_array(0x6000), arr)


def test_set_overlay_array_multiframe_save_read_back(tmp_path: Path) -> None:
    ds = dicodec.dcmread(examples.get_path("overlay"))
    planes = np.random.default_rng(4).integers(0, 2, (3, 17, 19), dtype=np.uint8)
    set_overlay_array(ds, 0x601E, planes, origin=(5, 6))
    target = tmp_path / "multi.dcm"
    ds.save_as(target)
    back = dicodec.dcmread(target)
    assert np.array_equal(back.overlay_array(0x601E), planes)
    assert overlay_origin(back, 0x601E) == (5, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.array_equal(back.overlay_array(0x6000), ds.overlay_array(0x6000))
