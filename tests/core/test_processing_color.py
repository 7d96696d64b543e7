"""Colour-space conversion: dicodec.pixels.processing.color."""

from __future__ import annotations

import tracemalloc
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dicodec import examples
from dicodec.pixels import pixel_array
from dicodec.pixels.corrections import ybr_to_rgb
from dicodec.pixels.processing import (
    ProcessingError,
    convert_color_space,
    rgb_to_ybr_full_inplace,
    subsample_chroma_422_inplace,
    ybr_full_to_rgb_inplace,
)
from dicodec.pixels.processing.color import _exceptions

TIE = (78, 178)  # (Cb, Cr) whose exact G is a rounding tie that float32 decides by Y


def _cube() -> np.ndarray:
    """Every 8-bit triple: shape (256, 256, 256, 3), [a, b, c] = (a, b, c)."""
    cube = np.empty((256, 256, 256, 3), np.uint8)
    cube[..., 0] = np.arange(256)[:, None, None]
    cube[..., 1] = np.arange(256)[None, :, None]
    cube[..., 2] = np.arange(256)[None, None, :]
    return cube


@pytest.fixture(scope="module")
def cube() -> np.ndarray:
    return _cube()


def _float32_formulation(ybr: np.ndarray) -> np.ndarray:
    """The float32 conversion of pydicom 3.0 and of dicodec's decoder (PS3.3 matrix, floor(x+0.5))."""
    f = ybr.astype(np.float32)
    f[..., 1:] -= 128
    m = np.array(
        [[1.0, 1.0, 1.0], [0.0, -0.114 * 1.772 / 0.587, 1.772], [1.402, -0.299 * 1.402 / 0.587, 0.0]],
        dtype=np.float32,
    )
    out = np.floor(f @ m + np.float32(0.5))
    return np.clip(out, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def float32_reference(cube: np.ndarray) -> np.ndarray:
    """The float32 conversion of every YCbCr triple (one Y plane at a time)."""
    ref = np.empty_like(cube)
    for y in range(256):
        ref[y] = _float32_formulation(cube[y])
    return ref


def test_reference_is_the_core_and_pydicom_formulation(cube: np.ndarray, float32_reference: np.ndarray) -> None:
    processing = pytest.importorskip("pydicom.pixels.processing")
    for y in range(0, 256, 5):
        core = cube[y].copy()
        ybr_to_rgb(core, 8)
        assert np.array_equal(core, float32_reference[y])
        assert np.array_equal(processing.convert_color_space(cube[y], "YBR_FULL", "RGB"), float32_reference[y])


def _round_half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())


def _exact_to_rgb(y: int, cb: int, cr: int, bits: int) -> tuple[int, int, int]:
    half, top = 1 << (bits - 1), (1 << bits) - 1
    cb, cr = cb - half, cr - half
    r = y + _round_half_up(Fraction(1402, 1000) * cr)
    g = y + _round_half_up(Fraction(-202008 * cb - 419198 * cr, 587000))
    b = y + _round_half_up(Fraction(1772, 1000) * cb)
    return tuple(min(top, max(0, v)) for v in (r, g, b))  # type: ignore[return-value]


def _exact_to_ybr(r: int, g: int, b: int, bits: int) -> tuple[int, int, int]:
    half, top = 1 << (bits - 1), (1 << bits) - 1
    y = _round_half_up(Fraction(299 * r + 587 * g + 114 * b, 1000))
    cb = _round_half_up(Fraction(-299 * r - 587 * g + 886 * b, 1772)) + half
    cr = _round_half_up(Fraction(701 * r - 587 * g - 114 * b, 1402)) + half
    return tuple(min(top, max(0, v)) for v in (y, cb, cr))  # type: ignore[return-value]


# ---------------------------------------------------------------- identity with the core
def test_ybr_full_to_rgb_inplace_equals_float32_formulation_for_every_8bit_input(
    cube: np.ndarray, float32_reference: np.ndarray
) -> None:
    mine = ybr_full_to_rgb_inplace(cube.copy(), 8)
    assert np.array_equal(mine, float32_reference)


def test_exact_conversion_differs_from_float32_only_at_the_tie(
    cube: np.ndarray, float32_reference: np.ndarray
) -> None:
    exact = convert_color_space(cube, "YBR_FULL", "RGB")
    where = np.argwhere(exact != float32_reference)
    assert len(where) > 0
    assert {(int(cb), int(cr), int(ch)) for _, cb, cr, ch in where} == {(*TIE, 1)}
    ys = where[:, 0]
    # float32 rounds the exact value Y - 18.5 down for small Y (and up otherwise)
    assert ys.max() < 47
    assert np.all(exact[ys, TIE[0], TIE[1], 1] == float32_reference[ys, TIE[0], TIE[1], 1] + 1)


def test_exceptions_table_is_the_known_tie() -> None:
    table = _exceptions()
    assert set(table) == {TIE[0] | TIE[1] << 8}
    values = table[TIE[0] | TIE[1] << 8]
    assert values.shape == (256, 3) and not values.flags.writeable


def test_core_decoder_and_processing_agree_on_the_ybr_example() -> None:
    ds = examples.ybr_color
    raw = pixel_array(ds, raw=True)
    assert np.array_equal(ybr_full_to_rgb_inplace(raw.copy()), pixel_array(ds))


# ---------------------------------------------------------------- exactness
def test_rgb_ybr_rgb_round_trip_within_one_for_every_8bit_colour(cube: np.ndarray) -> None:
    ybr = convert_color_space(cube, "RGB", "YBR_FULL")
    back = convert_color_space(ybr, "YBR_FULL", "RGB")
    assert int(np.abs(back.astype(np.int16) - cube).max()) == 1


@settings(max_examples=60, deadline=None)
@given(
    bits=st.sampled_from([8, 10, 12, 16]),
    data=st.data(),
)
def test_round_trip_within_one_any_depth(bits: int, data: st.DataObject) -> None:
    dtype = np.uint8 if bits == 8 else np.uint16
    arr = data.draw(
        hnp.arrays(dtype, st.tuples(st.integers(1, 3), st.integers(1, 5), st.just(3)),
                   elements=st.integers(0, (1 << bits) - 1))
    )
    ybr = convert_color_space(arr, "RGB", "YBR_FULL", bits_stored=bits)
    back = convert_color_space(ybr, "YBR_FULL", "RGB", bits_stored=bits)
    assert int(np.abs(back.astype(np.int64) - arr).max()) <= 1


@settings(max_examples=80, deadline=None)
@given(bits=st.sampled_from([6, 8, 12, 16]), data=st.data())
def test_results_are_the_correctly_rounded_values(bits: int, data: st.DataObject) -> None:
    top = (1 << bits) - 1
    px = data.draw(st.lists(st.tuples(*[st.integers(0, top)] * 3), min_size=1, max_size=20))
    arr = np.array(px, dtype=np.uint8 if bits <= 8 else np.uint16)
    rgb = convert_color_space(arr, "YBR_FULL", "RGB", bits_stored=bits)
    ybr = convert_color_space(arr, "RGB", "YBR_FULL", bits_stored=bits)
    assert rgb.tolist() == [list(_exact_to_rgb(*p, bits)) for p in px]
    assert ybr.tolist() == [list(_exact_to_ybr(*p, bits)) for p in px]


def test_known_values() -> None:
    rgb = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0]], np.uint8)
    ybr = convert_color_space(rgb, "RGB", "YBR_FULL")
    assert ybr.tolist() == [[76, 85, 255], [150, 44, 21], [29, 255, 107], [255, 128, 128], [0, 128, 128]]


# ---------------------------------------------------------------- against pydicom
def test_against_pydicom_on_a_random_series() -> None:
    processing = pytest.importorskip("pydicom.pixels.processing")
    rng = np.random.default_rng(7)
    arr = rng.integers(0, 256, (3, 48, 64, 3), dtype=np.uint8)
    arr[0, 0, 0] = (20, *TIE)  # one tie pixel: pydicom is float32, like the core
    ours = convert_color_space(arr, "YBR_FULL", "RGB")
    theirs = processing.convert_color_space(arr, "YBR_FULL", "RGB")
    differ = np.argwhere(ours != theirs)
    assert [tuple(d) for d in differ] == [(0, 0, 0, 1)]
    assert np.array_equal(ybr_full_to_rgb_inplace(arr.copy()), theirs)
    forward = convert_color_space(arr, "RGB", "YBR_FULL")
    pyd = processing.convert_color_space(arr, "RGB", "YBR_FULL")
    # pydicom's float32 forward conversion is within 1 and rounds near-ties either way
    assert int(np.abs(forward.astype(int) - pyd).max()) <= 1
    assert np.mean(forward != pyd) < 1e-3


def test_pydicom_ignores_422_subsampling_we_do_not() -> None:
    processing = pytest.importorskip("pydicom.pixels.processing")
    rgb = np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8)
    assert processing.convert_color_space(rgb, "RGB", "YBR_FULL_422").tolist() == [[[76, 85, 255], [29, 255, 107]]]
    ours = convert_color_space(rgb, "RGB", "YBR_FULL_422")
    assert ours.tolist() == [[[76, 170, 181], [29, 170, 181]]]


# ---------------------------------------------------------------- behaviour
def test_per_frame_converts_in_place_and_default_copies() -> None:
    arr = np.full((2, 4, 6, 3), 128, np.uint8)
    arr[..., 0] = 77
    copy = convert_color_space(arr, "YBR_FULL", "RGB")
    assert copy is not arr and np.all(arr[..., 1:] == 128)
    same = convert_color_space(arr, "YBR_FULL", "RGB", per_frame=True)
    assert same is arr and np.array_equal(arr, copy)


@pytest.mark.parametrize("pair", [("RGB", "RGB"), ("YBR_FULL", "YBR_FULL"), ("YBR_FULL_422", "YBR_FULL")])
def test_no_change_pairs(pair: tuple[str, str]) -> None:
    arr = np.arange(36, dtype=np.uint8).reshape(2, 6, 3)
    out = convert_color_space(arr, *pair)
    assert out is not arr and np.array_equal(out, arr)
    assert convert_color_space(arr, *pair, per_frame=True) is arr


def test_full_to_422_subsamples_chroma() -> None:
    arr = np.array([[[9, 10, 20], [9, 13, 21], [9, 7, 7]]], dtype=np.uint8)
    out = convert_color_space(arr, "YBR_FULL", "YBR_FULL_422")
    assert out.tolist() == [[[9, 12, 21], [9, 12, 21], [9, 7, 7]]]
    f16 = np.array([[[0, 65535, 0], [0, 65534, 1]]], dtype=np.uint16)
    assert subsample_chroma_422_inplace(f16)[..., 1:].tolist() == [[[65535, 1], [65535, 1]]]


def test_non_contiguous_and_big_endian_inputs() -> None:
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, (4, 10, 12, 3), dtype=np.uint8)
    expected = convert_color_space(base, "YBR_FULL", "RGB")
    strided = np.asfortranarray(base)[:, :, ::1]
    assert not strided.flags.c_contiguous
    assert np.array_equal(convert_color_space(strided, "YBR_FULL", "RGB"), expected)
    assert np.array_equal(ybr_full_to_rgb_inplace(strided.copy(order="F")), ybr_full_to_rgb_inplace(base.copy()))
    sliced = base[:, ::2]
    assert np.array_equal(convert_color_space(sliced, "YBR_FULL", "RGB"), expected[:, ::2])
    wide = base.astype(np.uint16) << 4
    big = wide.astype(">u2")
    out = convert_color_space(big, "RGB", "YBR_FULL", bits_stored=12)
    assert out.dtype == np.dtype(">u2")
    assert np.array_equal(out, convert_color_space(wide, "RGB", "YBR_FULL", bits_stored=12))


def test_inplace_helpers_are_inverse_up_to_one() -> None:
    rgb = np.array([[10, 200, 30], [255, 255, 0]], dtype=np.uint8)
    ybr = rgb_to_ybr_full_inplace(rgb.copy())
    back = ybr_full_to_rgb_inplace(ybr)
    assert int(np.abs(back.astype(int) - rgb).max()) <= 1


def test_in_place_conversion_of_a_series_needs_less_than_one_frame() -> None:
    arr = np.random.default_rng(1).integers(0, 256, (3, 480, 640, 3), dtype=np.uint8)
    frame_bytes = arr[0].nbytes
    convert_color_space(arr[:1], "YBR_FULL", "RGB", per_frame=True)  # build the table first
    tracemalloc.start()
    try:
        convert_color_space(arr, "YBR_FULL", "RGB", per_frame=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < frame_bytes


@pytest.mark.parametrize(
    ("arr", "kwargs", "error"),
    [
        (np.zeros((2, 2, 3), np.int16), {}, ProcessingError),
        (np.zeros((2, 2, 3), np.float32), {}, ProcessingError),
        (np.zeros((2, 2, 4), np.uint8), {}, ProcessingError),
        (np.zeros(3, np.uint8), {}, ProcessingError),
        (np.zeros((2, 2, 3), np.uint8), {"bits_stored": 12}, ProcessingError),
    ],
)
def test_invalid_input(arr: np.ndarray, kwargs: dict[str, int], error: type[Exception]) -> None:
    with pytest.raises(error):
        convert_color_space(arr, "YBR_FULL", "RGB", **kwargs)
    with pytest.raises(ValueError):  # also a ValueError, as pydicom raises
        convert_color_space(arr, "YBR_FULL", "RGB", **kwargs)


def test_unsupported_colour_spaces() -> None:
    with pytest.raises(NotImplementedError, match="YBR_ICT"):
        convert_color_space(np.zeros((1, 1, 3), np.uint8), "YBR_ICT", "RGB")
