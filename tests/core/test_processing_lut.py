"""The grayscale pipeline: dicodec.pixels.processing.lut (and ICC profiles)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dicodec
from dicodec import Dataset, DicodecError, examples
from dicodec.pixels.processing import (
    MissingDependencyError,
    ProcessingError,
    apply_icc_profile,
    apply_modality_lut,
    apply_presentation_lut,
    apply_rescale,
    apply_voi,
    apply_voi_lut,
    apply_windowing,
    have_pillow_cms,
    voi_output_range,
)

from ..corpus import CORPUS

FILES = CORPUS / "files"


def _pydicom_processing():  # type: ignore[no-untyped-def]
    return pytest.importorskip("pydicom.pixels.processing")


def _pydicom_ds(ds: Dataset):  # type: ignore[no-untyped-def]
    """The same data set as pydicom sees it (through the JSON model)."""
    pydicom = pytest.importorskip("pydicom")
    return pydicom.Dataset.from_json(ds.to_json_dict())


# ---------------------------------------------------------------- windowing: the formulas
def _standard_window(x: float, c: float, w: float, function: str, y_min: float, y_max: float) -> float:
    """PS3.3 C.11.2.1.2.1 / C.11.2.1.3.1 / C.11.2.1.3.2, one value at a time."""
    if function == "LINEAR":
        if x <= c - 0.5 - (w - 1) / 2:
            return y_min
        if x > c - 0.5 + (w - 1) / 2:
            return y_max
        return ((x - (c - 0.5)) / (w - 1) + 0.5) * (y_max - y_min) + y_min
    if function == "LINEAR_EXACT":
        if x <= c - w / 2:
            return y_min
        if x > c + w / 2:
            return y_max
        return (x - c) / w * (y_max - y_min) + (y_min + y_max) / 2
    exponent = -4 * (x - c) / w
    if exponent > 700:  # exp would overflow: the curve is at y_min
        return y_min
    return (y_max - y_min) / (1 + math.exp(exponent)) + y_min


@settings(max_examples=150, deadline=None)
@given(
    function=st.sampled_from(["LINEAR", "LINEAR_EXACT", "SIGMOID"]),
    center=st.floats(-2000, 2000, allow_nan=False),
    width=st.floats(1.5, 5000, allow_nan=False),
    values=hnp.arrays(np.int16, st.integers(1, 40), elements=st.integers(-4000, 4000)),
    as_float=st.booleans(),
    out_range=st.sampled_from([None, (0.0, 255.0), (-1.0, 1.0)]),
)
def test_windowing_follows_the_standard(
    function: str, center: float, width: float, values: np.ndarray, as_float: bool,
    out_range: tuple[float, float] | None,
) -> None:
    ds = Dataset(WindowCenter=center, WindowWidth=width, VOILUTFunction=function,
                 BitsStored=16, PixelRepresentation=1)
    arr = values.astype(np.float64) if as_float else values
    out = apply_windowing(arr, ds, out_range=out_range)
    y_min, y_max = out_range or (-32768.0, 32767.0)
    expected = [_standard_window(float(x), center, width, function, y_min, y_max) for x in values]
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, expected, rtol=1e-9, atol=1e-9 * (y_max - y_min))


def test_windowing_to_uint8_for_display() -> None:
    ds = Dataset(WindowCenter=40, WindowWidth=400, BitsStored=16, PixelRepresentation=1)
    x = np.array([-1000, -160, 40, 239, 1000], dtype=np.int16)
    out = apply_windowing(x, ds, out_range=(0, 255), dtype=np.uint8)
    assert out.dtype == np.uint8 and out.tolist() == [0, 0, 128, 255, 255]


@pytest.mark.parametrize("function", ["LINEAR", "LINEAR_EXACT", "SIGMOID"])
@pytest.mark.parametrize("dtype", [np.int16, np.uint16, np.uint8, np.int32, np.float32, np.float64])
def test_windowing_identical_to_pydicom(function: str, dtype: type) -> None:
    processing = _pydicom_processing()
    ds = Dataset(WindowCenter=[100, 40], WindowWidth=[300, 80], VOILUTFunction=function,
                 BitsStored=12, PixelRepresentation=0, RescaleSlope=1, RescaleIntercept=-1024,
                 PhotometricInterpretation="MONOCHROME2")
    rng = np.random.default_rng(5)
    info = np.iinfo(dtype) if np.dtype(dtype).kind in "iu" else None
    low, high = (max(info.min, -3000), min(info.max, 3000)) if info else (-3000, 3000)
    arr = rng.integers(low, high, (3, 17, 19)).astype(dtype)
    pds = _pydicom_ds(ds)
    for index in (0, 1):
        ours = apply_windowing(arr, ds, index)
        theirs = processing.apply_windowing(arr, pds, index)
        assert ours.dtype == theirs.dtype
        assert np.array_equal(ours, theirs)


def test_windowing_invalid_widths_and_function() -> None:
    x = np.zeros(3, np.int16)
    with pytest.raises(ProcessingError, match="RGB"):
        apply_windowing(x, Dataset(WindowCenter=0, WindowWidth=10, PhotometricInterpretation="RGB"))
    with pytest.raises(ProcessingError, match="LINEAR"):
        apply_windowing(x, Dataset(WindowCenter=0, WindowWidth=0.5))
    with pytest.raises(ValueError, match="LINEAR_EXACT"):
        apply_windowing(x, Dataset(WindowCenter=0, WindowWidth=0, VOILUTFunction="LINEAR_EXACT"))
    with pytest.raises(DicodecError, match="SIGMOID"):
        apply_windowing(x, Dataset(WindowCenter=0, WindowWidth=-1, VOILUTFunction="SIGMOID"))
    with pytest.raises(ProcessingError, match="CUBIC"):
        apply_windowing(x, Dataset(WindowCenter=0, WindowWidth=10, VOILUTFunction="CUBIC"))


def test_width_one_linear_is_a_threshold() -> None:
    ds = Dataset(WindowCenter=10, WindowWidth=1, BitsStored=8, PixelRepresentation=0)
    assert apply_windowing(np.array([9, 10, 11], np.uint8), ds).tolist() == [0.0, 255.0, 255.0]


def test_no_window_returns_the_input() -> None:
    arr = np.arange(4)
    assert apply_windowing(arr, Dataset()) is arr
    assert apply_voi_lut(arr, Dataset()) is arr
    assert apply_voi(arr, Dataset()) is arr


# ---------------------------------------------------------------- VOI LUT
def _voi_ds(descriptor: list[int], data: object, vr: str = "US", **kwargs: object) -> Dataset:
    item = Dataset()
    item.add_new("LUTDescriptor", "US", descriptor)
    item.add_new("LUTData", vr, data)
    ds = Dataset(**kwargs)
    ds.VOILUTSequence = [item]
    return ds


def test_voi_lut_first_mapped_and_clipping() -> None:
    ds = _voi_ds([4, 10, 8], [0, 50, 100, 250])
    out = apply_voi(np.array([-3, 10, 11, 12, 13, 500], dtype=np.int16), ds)
    assert out.dtype == np.uint8 and out.tolist() == [0, 0, 50, 100, 250, 250]
    floats = apply_voi(np.array([10.4, 10.6, 12.5]), ds)
    assert floats.tolist() == [0, 50, 100]


def test_voi_lut_ow_16bit_little_and_big_endian() -> None:
    values = np.array([0, 1000, 4095], dtype=np.uint16)
    little = _voi_ds([3, 0, 12], values.astype("<u2").tobytes(), vr="OW")
    out = apply_voi(np.array([0, 1, 2, 3], np.uint16), little)
    assert out.dtype == np.uint16 and out.tolist() == [0, 1000, 4095, 4095]
    big = _voi_ds([3, 0, 12], values.astype(">u2").tobytes(), vr="OW")
    big.set_original_encoding(False, False)
    assert apply_voi(np.array([0, 1, 2], np.uint16), big).tolist() == [0, 1000, 4095]


def test_voi_lut_prefer_lut_and_index() -> None:
    ds = _voi_ds([2, 0, 8], [7, 9], WindowCenter=[1, 2], WindowWidth=[10, 20], BitsStored=8, PixelRepresentation=0)
    second = Dataset()
    second.add_new("LUTDescriptor", "US", [2, 0, 8])
    second.add_new("LUTData", "US", [1, 3])
    ds.VOILUTSequence.append(second)
    x = np.array([0, 1], np.uint8)
    assert apply_voi_lut(x, ds).tolist() == [7, 9]
    assert apply_voi_lut(x, ds, index=1).tolist() == [1, 3]
    assert apply_voi_lut(x, ds, prefer_lut=False).dtype == np.float64
    assert np.array_equal(apply_voi_lut(x, ds, index=1, prefer_lut=False), apply_windowing(x, ds, 1))
    with pytest.raises(ProcessingError, match="out of range"):
        apply_voi(x, ds, index=5)


def test_voi_against_pydicom_corpus() -> None:
    processing = _pydicom_processing()
    pydicom = pytest.importorskip("pydicom")
    path = FILES / "pydicom-data" / "data" / "vlut_04.dcm"
    if not path.exists():
        pytest.skip("corpus absent")
    pds = pydicom.dcmread(path)
    ds = dicodec.dcmread(path)
    arr = pds.pixel_array
    ours = apply_voi_lut(arr, ds)
    theirs = processing.apply_voi_lut(arr, pds)
    assert ours.dtype == theirs.dtype == np.uint16 and np.array_equal(ours, theirs)


# ---------------------------------------------------------------- modality
def test_rescale_like_pydicom() -> None:
    processing = _pydicom_processing()
    ds = Dataset(RescaleSlope="0.5", RescaleIntercept="-100.25")
    arr = np.array([[0, 1, 2], [-7, 300, 32767]], dtype=np.int16)
    ours = apply_modality_lut(arr, ds)
    assert ours.dtype == np.float64
    assert np.array_equal(ours, processing.apply_modality_lut(arr, _pydicom_ds(ds)))
    assert apply_rescale is apply_modality_lut
    assert apply_modality_lut(arr, ds, dtype=np.float32).dtype == np.float32
    assert apply_modality_lut(arr, ds, dtype=np.int32).tolist() == [[-100, -100, -99], [-104, 50, 16283]]
    assert apply_modality_lut(arr, Dataset()) is arr


@pytest.mark.parametrize("name", ["mlut_18.dcm"])
def test_modality_lut_corpus_against_pydicom(name: str) -> None:
    processing = _pydicom_processing()
    pydicom = pytest.importorskip("pydicom")
    path = FILES / "pydicom-data" / "data" / name
    if not path.exists():
        pytest.skip("corpus absent")
    pds = pydicom.dcmread(path)
    ds = dicodec.dcmread(path)
    ours = apply_modality_lut(pds.pixel_array, ds)
    theirs = processing.apply_modality_lut(pds.pixel_array, pds)
    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    assert np.array_equal(apply_voi_lut(ours, ds), processing.apply_voi_lut(theirs, pds))


def test_modality_lut_signed_first_value_and_8bit_entries() -> None:
    item = Dataset()
    item.add_new("LUTDescriptor", "US", [3, 0xFFFF, 8])  # first mapped -1, stored as US
    item.add_new("LUTData", "US", [10, 20, 30])
    ds = Dataset(PixelRepresentation=1, ModalityLUTSequence=[item])
    out = apply_modality_lut(np.array([-9, -1, 0, 1, 9], np.int16), ds)
    assert out.dtype == np.uint8 and out.tolist() == [10, 10, 20, 30, 30]


def test_empty_modality_lut_item_is_ignored() -> None:
    empty = Dataset()
    empty.add_new("LUTDescriptor", "US", None)
    empty.add_new("LUTData", "US", None)
    ds = Dataset(ModalityLUTSequence=[empty], RescaleSlope=2, RescaleIntercept=1)
    assert apply_modality_lut(np.array([1, 2]), ds).tolist() == [3.0, 5.0]
    path = FILES / "dwv" / "data" / "leadtools-flowers-8-mono2-rle.dcm"
    if path.exists():
        real = dicodec.dcmread(path)
        arr = np.arange(5, dtype=np.uint8)
        assert apply_modality_lut(arr, real) is arr  # pydicom 3.0 raises TypeError here
        assert apply_voi_lut(arr, real) is arr


# ---------------------------------------------------------------- enhanced multi-frame
def _enhanced(slopes: list[float], windows: list[tuple[float, float]] | None, shared_window: tuple | None = None) -> Dataset:
    ds = Dataset(NumberOfFrames=len(slopes), Rows=2, Columns=2, SamplesPerPixel=1, BitsStored=16,
                 PixelRepresentation=1, PhotometricInterpretation="MONOCHROME2")
    frames = []
    for i, slope in enumerate(slopes):
        transform = Dataset(RescaleSlope=slope, RescaleIntercept=-10 * i, RescaleType="US")
        item = Dataset(PixelValueTransformationSequence=[transform])
        if windows is not None:
            item.FrameVOILUTSequence = [Dataset(WindowCenter=windows[i][0], WindowWidth=windows[i][1])]
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = frames
    shared = Dataset()
    if shared_window is not None:
        shared.FrameVOILUTSequence = [Dataset(WindowCenter=shared_window[0], WindowWidth=shared_window[1])]
    ds.SharedFunctionalGroupsSequence = [shared]
    return ds


def test_per_frame_rescale_and_windows() -> None:
    ds = _enhanced([1, 2, 3], [(0, 100), (50, 20), (0, 100)])
    arr = np.arange(12, dtype=np.int16).reshape(3, 2, 2)
    hu = apply_modality_lut(arr, ds)
    assert hu[0].tolist() == [[0, 1], [2, 3]]
    assert hu[1].tolist() == [[-2, 0], [2, 4]]  # 2x - 10
    assert hu[2].tolist() == [[4, 7], [10, 13]]  # 3x - 20
    assert apply_modality_lut(arr[1], ds, frame_index=1).tolist() == hu[1].tolist()
    shown = apply_voi_lut(hu, ds, prefer_lut=False)
    for f, (c, w) in enumerate([(0, 100), (50, 20), (0, 100)]):
        single = Dataset(WindowCenter=c, WindowWidth=w, BitsStored=16, PixelRepresentation=1,
                         RescaleSlope=[1, 2, 3][f], RescaleIntercept=-10 * f)
        assert np.array_equal(shown[f], apply_windowing(hu[f], single))
        assert np.array_equal(apply_windowing(hu[f], ds, frame_index=f), shown[f])


def test_shared_window_of_the_multiframe_example() -> None:
    ds = examples.multiframe
    arr = ds.pixel_array
    out = apply_voi_lut(arr, ds)
    assert out.dtype == np.float64 and out.shape == arr.shape
    flat = Dataset(WindowCenter=1800, WindowWidth=3600, BitsStored=12, PixelRepresentation=0)
    assert np.array_equal(out, apply_windowing(arr, flat))


# ---------------------------------------------------------------- presentation
def test_presentation_lut_sequence() -> None:
    item = Dataset()
    item.add_new("LUTDescriptor", "US", [256, 0, 10])
    item.add_new("LUTData", "US", list(range(0, 1024, 4)))
    ds = Dataset(PresentationLUTSequence=[item], BitsStored=8, PixelRepresentation=0)
    out = apply_presentation_lut(np.array([0, 1, 255], np.uint8), ds)
    assert out.dtype == np.uint16 and out.tolist() == [0, 4, 1020]
    scaled = apply_presentation_lut(np.array([-1.0, 0.0, 1.0]), ds, in_range=(-1, 1))
    assert scaled.tolist() == [0, 512, 1020]


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({"PresentationLUTShape": "IDENTITY"}, None),
        ({"PresentationLUTShape": "INVERSE"}, [4095, 4094, 0]),
        ({"PhotometricInterpretation": "MONOCHROME1"}, [4095, 4094, 0]),
        ({"PhotometricInterpretation": "MONOCHROME2"}, None),
    ],
)
def test_presentation_lut_shape(attrs: dict[str, str], expected: list[int] | None) -> None:
    ds = Dataset(BitsStored=12, PixelRepresentation=0, **attrs)
    arr = np.array([0, 1, 4095], np.uint16)
    out = apply_presentation_lut(arr, ds)
    if expected is None:
        assert out is arr
    else:
        assert out.dtype == np.uint16 and out.tolist() == expected


def test_presentation_unknown_shape() -> None:
    with pytest.raises(ProcessingError, match="LOG"):
        apply_presentation_lut(np.zeros(2), Dataset(PresentationLUTShape="LOG"))


def test_monochrome1_pipeline_ends_higher_is_brighter() -> None:
    pydicom = pytest.importorskip("pydicom")
    path = FILES / "dicom-test-files" / "data" / "WG04" / "REF" / "RG3_UNC"
    if not path.exists():
        pytest.skip("corpus absent")
    ds = dicodec.dcmread(path)
    arr = pydicom.dcmread(path).pixel_array
    assert ds.PhotometricInterpretation == "MONOCHROME1"
    voi = apply_voi_lut(apply_modality_lut(arr, ds), ds)
    low, high = voi_output_range(ds)
    p_values = apply_presentation_lut(voi, ds)
    assert np.array_equal(p_values, low + high - voi)
    # the darkest stored value (display white for MONOCHROME1) gets the highest P-value
    assert p_values[np.unravel_index(np.argmin(arr), arr.shape)] == p_values.max()


# ---------------------------------------------------------------- paths agree
@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.int16, st.integers(1, 30), elements=st.integers(-32768, 32767)))
def test_table_and_chunked_paths_agree(values: np.ndarray) -> None:
    ds = Dataset(WindowCenter=-100, WindowWidth=1234, VOILUTFunction="SIGMOID", BitsStored=16, PixelRepresentation=1)
    assert np.array_equal(apply_windowing(values, ds), apply_windowing(values.astype(np.int32), ds))
    assert np.array_equal(apply_windowing(values, ds), apply_windowing(values.astype(">i2"), ds))


# ---------------------------------------------------------------- ICC profiles
@pytest.mark.skipif(not have_pillow_cms(), reason="Pillow with ImageCms is not installed")
def test_icc_profile_with_pillow() -> None:  # pragma: no cover - needs Pillow
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    ds = Dataset()
    ds.add_new("ICCProfile", "OB", profile)
    arr = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 3), dtype=np.uint8)
    out = apply_icc_profile(arr.copy(), ds)
    assert out.shape == arr.shape and int(np.abs(out.astype(int) - arr).max()) <= 2
    with pytest.raises(ProcessingError):
        apply_icc_profile(arr, ds, transform=object())
    with pytest.raises(ProcessingError):
        apply_icc_profile(arr.astype(np.uint16), ds)
    with pytest.raises(ProcessingError, match="color space"):
        apply_icc_profile(arr.copy(), ds, color_space="CMYK")
    palette_file = CORPUS.parent / "dictionary" / "palettes" / "hotiron.dcm"
    pydicom = pytest.importorskip("pydicom")
    if palette_file.exists():  # a real profile (3 KB, from the PS3.6 palette files), against pydicom
        from pydicom.pixels.processing import apply_icc_profile as pydicom_icc

        ours = apply_icc_profile(arr.copy(), dicodec.dcmread(palette_file))
        theirs = pydicom_icc(arr.copy(), pydicom.dcmread(palette_file))
        assert np.array_equal(ours, theirs)


@pytest.mark.skipif(have_pillow_cms(), reason="Pillow is installed")
def test_icc_profile_without_pillow_names_what_to_install() -> None:
    with pytest.raises(MissingDependencyError, match="pip install pillow"):
        apply_icc_profile(np.zeros((2, 2, 3), np.uint8), Dataset())
    with pytest.raises(ImportError):
        apply_icc_profile(np.zeros((2, 2, 3), np.uint8), Dataset())


def test_warnings_are_not_raised_by_processing() -> None:
    ds = examples.ct
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds)
