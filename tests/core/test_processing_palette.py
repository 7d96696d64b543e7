"""Palette colour LUTs and the well-known palettes: dicodec.pixels.processing.palette."""

from __future__ import annotations

import importlib.util
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dicodec
from dicodec import Dataset, DicodecError, examples
from dicodec.pixels.processing import (
    WELL_KNOWN_PALETTES,
    ProcessingError,
    apply_color_lut,
    expand_segmented_lut,
    get_palette,
    palette_color_luts,
)

from ..corpus import SHARED, corpus_path, corpus_rows, params

PALETTE_DIR = SHARED / "dictionary" / "palettes"
FILES = {
    "HOT_IRON": "hotiron.dcm",
    "PET": "pet.dcm",
    "HOT_METAL_BLUE": "hotmetalblue.dcm",
    "PET_20_STEP": "pet20step.dcm",
    "SPRING": "spring.dcm",
    "SUMMER": "summer.dcm",
    "FALL": "fall.dcm",
    "WINTER": "winter.dcm",
}
needs_palettes = pytest.mark.skipif(not PALETTE_DIR.exists(), reason="../shared/dictionary/palettes is absent")


def _reference_expand(data: list[int]) -> list[int]:
    """Discrete and linear segments, written from PS3.3 C.7.9.2 with exact fractions."""
    out: list[int] = []
    pos = 0
    while pos + 1 < len(data):
        opcode, length = data[pos], data[pos + 1]
        pos += 2
        if opcode == 0:
            out += data[pos : pos + length]
            pos += length
        elif opcode == 1:
            y0, y1 = out[-1], data[pos]
            pos += 1
            for i in range(1, length + 1):
                out.append(int((y0 + Fraction(y1 - y0) * i / length + Fraction(1, 2)).__floor__()))
        else:
            raise AssertionError(f"opcode {opcode} not used by the reference")
    return out


def _reference_lut(ds: Dataset) -> np.ndarray:
    columns = []
    for channel in ("Red", "Green", "Blue"):
        if f"{channel}PaletteColorLookupTableData" in ds:
            columns.append(list(bytes(ds[f"{channel}PaletteColorLookupTableData"].value)))
        else:
            columns.append(_reference_expand(list(bytes(ds[f"Segmented{channel}PaletteColorLookupTableData"].value))))
    return np.array(columns, dtype=np.uint8).T


# ---------------------------------------------------------------- well-known palettes
@needs_palettes
@pytest.mark.parametrize("name", list(FILES))
def test_palette_matches_its_file(name: str) -> None:
    ds = dicodec.dcmread(PALETTE_DIR / FILES[name])
    palette = get_palette(name)
    assert palette.uid == str(ds.SOPInstanceUID) == WELL_KNOWN_PALETTES[name]
    assert palette.label == str(ds.ContentLabel)
    assert palette.label.split()[0] == name
    table, first = palette_color_luts(ds)
    assert first == 0 and table.dtype == np.uint8
    assert np.array_equal(palette.lut, table)
    assert np.array_equal(palette.lut, _reference_lut(ds))
    assert get_palette(palette.uid) is palette
    assert np.array_equal(apply_color_lut(np.arange(256, dtype=np.uint8), palette=name), palette.lut)


@needs_palettes
def test_generated_module_is_up_to_date() -> None:
    tool = Path(__file__).resolve().parents[2] / "tools" / "gen_palettes.py"
    spec = importlib.util.spec_from_file_location("gen_palettes", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generated = Path(dicodec.__file__).parent / "pixels" / "processing" / "_palettes.py"
    assert module.generate(PALETTE_DIR) == generated.read_text(encoding="utf-8")


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns that "FALL" is not a UID
def test_fall_and_winter_follow_the_standard_not_pydicom() -> None:
    processing = pytest.importorskip("pydicom.pixels.processing")
    values = np.arange(256, dtype=np.uint8)
    assert get_palette("FALL").uid == "1.2.840.10008.1.5.7"
    assert get_palette("WINTER").uid == "1.2.840.10008.1.5.8"
    # pydicom 3.0 swaps the two names: its "FALL" is the WINTER palette
    assert np.array_equal(processing.apply_color_lut(values, palette="FALL"), get_palette("WINTER").lut)
    assert np.array_equal(processing.apply_color_lut(values, palette="WINTER"), get_palette("FALL").lut)


@pytest.mark.parametrize("uid", list(WELL_KNOWN_PALETTES.values()))
def test_palettes_against_pydicom_by_uid(uid: str) -> None:
    processing = pytest.importorskip("pydicom.pixels.processing")
    values = np.arange(256, dtype=np.uint8)
    ours = apply_color_lut(values, palette=uid)
    theirs = processing.apply_color_lut(values, palette=uid)
    differ = [tuple(int(x) for x in d) for d in np.argwhere(ours != theirs)]
    if get_palette(uid).name == "SUMMER":
        # blue 223 = 254 * 96 / 128 = 190.5: we round ties up, pydicom to even
        assert differ == [(223, 2)] and int(ours[223, 2]) == 191 and int(theirs[223, 2]) == 190
    else:
        assert differ == []


@pytest.mark.parametrize("name", ["hot iron", "Hot_Iron", "HOT-IRON", " PET_20_STEP "])
def test_palette_name_spellings(name: str) -> None:
    assert get_palette(name).name in WELL_KNOWN_PALETTES


def test_unknown_palette_lists_the_valid_ones() -> None:
    with pytest.raises(ProcessingError, match="HOT_IRON"):
        get_palette("AUTUMN")
    with pytest.raises(ValueError):
        apply_color_lut(np.zeros(2, np.uint8), palette="1.2.840.10008.1.5.99")
    with pytest.raises(DicodecError):
        apply_color_lut(np.zeros(2, np.uint8))


# ---------------------------------------------------------------- segmented expansion
def test_discrete_linear_indirect_16bit() -> None:
    data = [0, 3, 0, 10, 20, 1, 2, 40, 2, 2, 0, 0]  # indirect: repeat 2 segments from byte 0
    assert expand_segmented_lut(data).tolist() == [0, 10, 20, 30, 40, 0, 10, 20, 30, 40]


def test_indirect_8bit_offsets_use_four_entries() -> None:
    data = [0, 2, 1, 2, 1, 2, 5, 2, 1, 0, 0, 0, 0]  # offset 0: discrete then linear
    assert expand_segmented_lut(data, bits=8).tolist() == [1, 2, 4, 5, 1, 2]
    offset = 4  # indirect to the linear segment only, at byte 4
    data = [0, 2, 1, 2, 1, 2, 5, 2, 1, offset, 0, 0, 0]
    assert expand_segmented_lut(data, bits=8).tolist() == [1, 2, 4, 5, 5, 5]


def test_linear_rounds_ties_up_and_decreases() -> None:
    assert expand_segmented_lut([0, 1, 0, 1, 4, 2]).tolist() == [0, 1, 1, 2, 2]  # 0.5, 1.5 round up
    assert expand_segmented_lut([0, 1, 10, 1, 4, 8]).tolist() == [10, 10, 9, 9, 8]  # 9.5, 8.5 round up
    assert expand_segmented_lut([0, 1, 7, 1, 3, 7]).tolist() == [7, 7, 7, 7]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just(0), st.lists(st.integers(0, 255), min_size=1, max_size=6)),
            st.tuples(st.just(1), st.integers(1, 40), st.integers(0, 255)),
        ),
        min_size=1,
        max_size=8,
    ).filter(lambda segs: segs[0][0] == 0)
)
def test_segmented_expansion_against_reference(segments: list[tuple]) -> None:
    data: list[int] = []
    for seg in segments:
        if seg[0] == 0:
            data += [0, len(seg[1]), *seg[1]]
        else:
            data += [1, seg[1], seg[2]]
    expected = _reference_expand(data)
    assert expand_segmented_lut(data, bits=8).tolist() == expected
    assert expand_segmented_lut(np.array(data, np.uint16), bits=16, entries=len(expected)).tolist() == expected


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([1, 2, 5], "first segment"),
        ([2, 1, 0, 0], "first segment"),
        ([0, 1, 5, 7, 1, 0], "opcode 7"),
        ([0, 5, 1, 2], "past the end"),
        ([0, 1, 5, 1, 3], "past the end"),
        ([0, 1, 5, 2, 1, 2000, 0], "points past"),
        ([0, 1, 5, 2, 1, 6, 0], "too deeply"),  # an indirect segment pointing at itself
    ],
)
def test_segmented_errors(data: list[int], match: str) -> None:
    with pytest.raises(ProcessingError, match=match):
        expand_segmented_lut(data)


def test_segmented_wrong_length() -> None:
    with pytest.raises(ProcessingError, match="descriptor says 4"):
        expand_segmented_lut([0, 3, 1, 2, 3], entries=4)


# ---------------------------------------------------------------- data sets
def _palette_ds(entries: int, first: int, bits: int, data: dict[str, bytes], signed: bool = False,
                little: bool = True) -> Dataset:
    ds = Dataset()
    ds.PixelRepresentation = 1 if signed else 0
    ds.PhotometricInterpretation = "PALETTE COLOR"
    for channel in ("Red", "Green", "Blue"):
        ds.add_new(f"{channel}PaletteColorLookupTableDescriptor", "SS" if signed else "US", [entries, first, bits])
    for keyword, value in data.items():
        ds.add_new(keyword, "OW", value)
    ds.set_original_encoding(False, little)
    return ds


def test_normal_16bit_lut_with_first_mapped_value_and_clipping() -> None:
    red = np.array([100, 200, 300], "<u2").tobytes()
    green = np.array([1, 2, 3], "<u2").tobytes()
    blue = np.array([7, 8, 9], "<u2").tobytes()
    ds = _palette_ds(3, 10, 16, {"RedPaletteColorLookupTableData": red, "GreenPaletteColorLookupTableData": green,
                                 "BluePaletteColorLookupTableData": blue})
    arr = np.array([[0, 10, 11], [12, 13, 4000]], dtype=np.uint16)
    out = apply_color_lut(arr, ds)
    assert out.dtype == np.uint16 and out.shape == (2, 3, 3)
    assert out[..., 0].tolist() == [[100, 100, 200], [300, 300, 300]]


def test_negative_first_mapped_value_stored_as_us_for_signed_pixels() -> None:
    lut = np.array([5, 6, 7, 8], "<u2").tobytes()
    ds = _palette_ds(4, 0xFFFE, 16, {f"{c}PaletteColorLookupTableData": lut for c in ("Red", "Green", "Blue")})
    ds.PixelRepresentation = 1
    out = apply_color_lut(np.array([-5, -2, -1, 0, 1, 9], dtype=np.int16), ds)
    assert out[:, 1].tolist() == [5, 5, 6, 7, 8, 8]


def test_8bit_entries_big_endian_and_alpha() -> None:
    red = bytes([1, 2, 3, 4])
    swapped = bytes([2, 1, 4, 3])  # OW words written big endian
    data = {f"{c}PaletteColorLookupTableData": swapped for c in ("Red", "Green", "Blue", "Alpha")}
    ds = _palette_ds(4, 0, 8, data, little=False)
    out = apply_color_lut(np.arange(4, dtype=np.uint8), ds)
    assert out.dtype == np.uint8 and out.shape == (4, 4)
    assert out[:, 0].tolist() == list(red) and out[:, 3].tolist() == list(red)


def test_segmented_8bit_big_endian() -> None:
    seg = [0, 1, 0, 1, 3, 6, 0]  # discrete 0, linear to 6 over 3, padding
    little = bytes(seg + [0] * (len(seg) % 2))
    big = np.frombuffer(little, "<u2").byteswap().tobytes()
    data = {f"Segmented{c}PaletteColorLookupTableData": big for c in ("Red", "Green", "Blue")}
    ds = _palette_ds(4, 0, 8, data, little=False)
    assert apply_color_lut(np.arange(4, dtype=np.uint8), ds)[:, 2].tolist() == [0, 2, 4, 6]


def test_segmented_16bit_lut() -> None:
    seg = np.array([0, 1, 0, 1, 255, 65535], "<u2").tobytes()
    ds = _palette_ds(256, 0, 16, {f"Segmented{c}PaletteColorLookupTableData": seg for c in ("Red", "Green", "Blue")})
    table, _ = palette_color_luts(ds)
    assert table.dtype == np.uint16 and table[-1].tolist() == [65535] * 3 and table[0].tolist() == [0] * 3


def test_missing_and_supplemental_palettes_raise() -> None:
    with pytest.raises(ProcessingError, match="No suitable"):
        apply_color_lut(np.zeros(2, np.uint8), Dataset(PhotometricInterpretation="PALETTE COLOR"))
    ds = _palette_ds(2, 0, 8, {"RedPaletteColorLookupTableData": b"\x00\x01"})
    with pytest.raises(ProcessingError, match="Green"):
        apply_color_lut(np.zeros(2, np.uint8), ds)
    ds.PixelPresentation = "MIXED"
    with pytest.raises(ProcessingError, match="Supplemental"):
        apply_color_lut(np.zeros(2, np.uint8), ds)
    short = _palette_ds(8, 0, 16, {f"{c}PaletteColorLookupTableData": b"\x00\x01" for c in ("Red", "Green", "Blue")})
    with pytest.raises(ProcessingError, match="too few"):
        apply_color_lut(np.zeros(2, np.uint8), short)


def test_example_palette() -> None:
    ds = examples.palette
    rgb = apply_color_lut(ds.pixel_array, ds)
    table, _ = palette_color_luts(ds)
    assert rgb.shape == (128, 128, 3)
    assert np.array_equal(rgb, table[ds.pixel_array])


PALETTE_ROWS = [r for r in corpus_rows("pixels") if r["photometric_interpretation"] == "PALETTE COLOR"]


@pytest.mark.parametrize("row", params(PALETTE_ROWS))
def test_corpus_palettes_against_pydicom(row: dict[str, str]) -> None:
    pydicom = pytest.importorskip("pydicom")
    from pydicom.pixels.processing import apply_color_lut as pydicom_apply

    path = corpus_path(row)
    pds = pydicom.dcmread(path, force=True)
    ds = dicodec.dcmread(path, force=True)
    if "TransferSyntaxUID" not in pds.file_meta:  # a file without meta information
        implicit, little = ds.original_encoding
        pds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2" if implicit else (
            "1.2.840.10008.1.2.1" if little else "1.2.840.10008.1.2.2")
    arr = pds.pixel_array
    ours = apply_color_lut(arr, ds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pydicom_apply(arr, pds)
    assert ours.dtype == theirs.dtype
    if row["transfer_syntax"] == "1.2.840.10008.1.2.2":
        # pydicom reads big-endian OW LUT data as little endian (9472 becomes 37); we do not
        assert np.array_equal(ours, theirs.byteswap())
    else:
        assert np.array_equal(ours, theirs)
