"""dicodec.examples: the built-in example data sets, the registry and the file cache."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import dicodec
from dicodec import examples
from dicodec.dataset import FileDataset

BUILTIN = ["ct", "mr", "rgb_color", "ybr_color", "palette", "overlay", "multiframe", "waveform"]
IMAGES = [n for n in BUILTIN if n != "waveform"]
EXPLICIT_VR_LE = "1.2.840.10008.1.2.1"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the example cache at a temporary folder."""
    monkeypatch.setenv("DICODEC_CACHE", str(tmp_path))
    return tmp_path / "examples"


def pixels(ds: FileDataset) -> np.ndarray:
    """The native Pixel Data of an example as an array, without dicodec.pixels."""
    dtype = np.dtype(f"<{'i' if ds.PixelRepresentation else 'u'}{ds.BitsAllocated // 8}")
    shape: tuple[int, ...] = (ds.Rows, ds.Columns)
    if ds.SamplesPerPixel > 1:
        shape += (ds.SamplesPerPixel,)
    if "NumberOfFrames" in ds:
        shape = (int(ds.NumberOfFrames), *shape)
    count = int(np.prod(shape))
    return np.frombuffer(ds.PixelData, dtype, count=count).reshape(shape)


def test_names_lists_the_builtins() -> None:
    assert set(BUILTIN) <= set(examples.names())
    assert examples.names() == sorted(examples.names())
    assert set(BUILTIN) <= set(dir(examples))


@pytest.mark.parametrize("name", BUILTIN)
def test_example_is_a_complete_file_dataset(name: str) -> None:
    ds = getattr(examples, name)
    assert isinstance(ds, FileDataset)
    meta = ds.file_meta
    assert meta.TransferSyntaxUID == EXPLICIT_VR_LE
    assert meta.MediaStorageSOPClassUID == ds.SOPClassUID
    assert meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert ds.preamble == b"\x00" * 128
    for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
        assert dicodec.UID(getattr(ds, keyword)).is_valid
    assert ds.StudyInstanceUID != ds.SeriesInstanceUID != ds.SOPInstanceUID


@pytest.mark.parametrize("name", BUILTIN)
def test_example_round_trips_through_a_file(name: str) -> None:
    ds = examples.get(name)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    data = buf.getvalue()
    assert data[128:132] == b"DICM"
    back = dicodec.dcmread(data)
    assert back == ds
    assert back.file_meta.TransferSyntaxUID == EXPLICIT_VR_LE
    assert back.original_encoding == (False, True)


@pytest.mark.parametrize("name", IMAGES)
def test_pixel_data_length_matches_the_image_pixel_module(name: str) -> None:
    ds = examples.get(name)
    frames = int(ds.get("NumberOfFrames", 1))
    expected = ds.Rows * ds.Columns * ds.SamplesPerPixel * frames * ds.BitsAllocated // 8
    assert len(ds.PixelData) == expected + expected % 2
    assert ds.HighBit == ds.BitsStored - 1
    assert pixels(ds).max() < 2**ds.BitsStored


def test_each_access_is_a_fresh_copy() -> None:
    first = examples.ct
    assert first is not examples.ct
    first.PatientName = "Changed^Name"
    first.WindowCenter = ["1", "2"]
    del first.Rows
    again = examples.ct
    assert str(again.PatientName) == "Example^CT"
    assert again.Rows == 512
    assert [float(v) for v in again.WindowCenter] == [40.0, -600.0]


def test_examples_are_deterministic_across_processes() -> None:
    code = (
        "import hashlib; from dicodec import examples; ds = examples.get('ct'); "
        "print(ds.StudyInstanceUID, ds.SOPInstanceUID, hashlib.sha1(ds.PixelData).hexdigest())"
    )
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        for _ in range(2)
    }
    assert len(outputs) == 1
    ds = examples.get("ct")
    study, instance, _ = outputs.pop().split()
    assert (study, instance) == (ds.StudyInstanceUID, ds.SOPInstanceUID)


def test_ct_values() -> None:
    ds = examples.ct
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
    assert (ds.Modality, ds.Rows, ds.Columns, ds.BitsAllocated, ds.PixelRepresentation) == ("CT", 512, 512, 16, 1)
    arr = pixels(ds)
    assert arr.dtype == np.int16
    hu = arr.astype(np.float64) * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    inside = arr != ds.PixelPaddingValue
    assert (arr[~inside] == -2000).all() and (~inside).any()
    assert -1100 < np.median(hu[inside][hu[inside] < -900]) < -900  # air
    assert hu[inside].max() > 700  # bone
    assert len(ds.WindowCenter) == len(ds.WindowWidth) == 2


def test_mr_is_12_bit_and_latin1() -> None:
    ds = examples.mr
    assert (ds.BitsAllocated, ds.BitsStored, ds.PixelRepresentation) == (16, 12, 0)
    assert pixels(ds).dtype == np.uint16
    assert str(ds.PatientName) == "Müller^Anna"
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    assert "Müller".encode("latin-1") in buf.getvalue()
    assert str(dicodec.dcmread(buf.getvalue()).PatientName) == "Müller^Anna"


def test_ybr_is_the_integer_conversion_of_rgb() -> None:
    rgb, ybr = examples.rgb_color, examples.ybr_color
    assert (rgb.PhotometricInterpretation, ybr.PhotometricInterpretation) == ("RGB", "YBR_FULL")
    assert rgb.PlanarConfiguration == ybr.PlanarConfiguration == 0
    converted = examples._rgb_to_ybr_full(pixels(rgb))
    assert np.array_equal(converted, pixels(ybr))
    grey = pixels(rgb)[-1]  # the grey ramp in the last rows
    assert (pixels(ybr)[-1, :, 1:] == 128).all()
    assert np.array_equal(pixels(ybr)[-1, :, 0], grey[:, 0])


def test_rgb_to_ybr_full_matches_the_standard_equations() -> None:
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, (1000, 3), dtype=np.uint8)
    r, g, b = (rgb[:, i].astype(np.float64) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    exact = np.clip(np.rint(np.stack([y, cb, cr], -1)), 0, 255)
    assert np.abs(examples._rgb_to_ybr_full(rgb).astype(int) - exact).max() <= 1


def test_palette_luts() -> None:
    ds = examples.palette
    assert ds.PhotometricInterpretation == "PALETTE COLOR"
    for colour in ("Red", "Green", "Blue"):
        assert list(getattr(ds, f"{colour}PaletteColorLookupTableDescriptor")) == [256, 0, 16]
        lut = np.frombuffer(getattr(ds, f"{colour}PaletteColorLookupTableData"), "<u2")
        assert lut.size == 256 and lut[0] == 0 and lut[-1] == 65535
        assert (np.diff(lut.astype(int)) >= 0).all()
    assert pixels(ds).min() == 0 and pixels(ds).max() == 255


def test_overlay_is_bit_packed_little_endian() -> None:
    ds = examples.overlay
    elem = ds[0x6000, 0x3000]
    assert elem.VR == "OW"
    rows, columns = ds[0x6000, 0x0010].value, ds[0x6000, 0x0011].value
    assert (rows, columns) == (ds.Rows, ds.Columns)
    assert ds[0x6000, 0x0100].value == 1 and ds[0x6000, 0x0102].value == 0
    assert ds[0x6000, 0x0040].value == "G"
    bits = np.unpackbits(np.frombuffer(elem.value, np.uint8), bitorder="little")[: rows * columns]
    bits = bits.reshape(rows, columns)
    assert bits[8, 8:-8].all() and not bits[0].any()
    assert examples._pack_bits_le(bits) == elem.value
    assert ds.StudyInstanceUID == examples.mr.StudyInstanceUID
    assert ds.SeriesInstanceUID != examples.mr.SeriesInstanceUID


def test_pack_bits_le_bit_order() -> None:
    assert examples._pack_bits_le(np.array([0, 1, 0, 0, 0, 0, 0, 0])) == b"\x02\x00"
    assert examples._pack_bits_le(np.ones(16)) == b"\xff\xff"


def test_multiframe_functional_groups() -> None:
    ds = examples.multiframe
    assert int(ds.NumberOfFrames) == 10
    arr = pixels(ds)
    assert arr.shape == (10, 64, 64) and arr.dtype == np.uint16
    assert len(ds.PerFrameFunctionalGroupsSequence) == 10
    z = [float(item.PlanePositionSequence[0].ImagePositionPatient[2]) for item in ds.PerFrameFunctionalGroupsSequence]
    assert z == sorted(z) and len(set(z)) == 10
    shared = ds.SharedFunctionalGroupsSequence[0]
    assert [float(v) for v in shared.PixelMeasuresSequence[0].PixelSpacing] == [4.0, 4.0]
    assert not np.array_equal(arr[0], arr[5])


def test_waveform_samples() -> None:
    ds = examples.waveform
    group = ds.WaveformSequence[0]
    channels, samples = group.NumberOfWaveformChannels, group.NumberOfWaveformSamples
    assert (channels, samples) == (3, 1000)
    assert len(group.ChannelDefinitionSequence) == channels
    data = np.frombuffer(group.WaveformData, "<i2").reshape(samples, channels)
    assert data[:, 1].max() > 800  # R waves on lead II
    assert np.abs(data[:, 2] - (data[:, 1] - data[:, 0])).max() < 60  # Einthoven, with noise


@pytest.mark.parametrize("name", BUILTIN)
def test_pydicom_reads_the_same_file(name: str, cache: Path) -> None:
    """pydicom (test-only oracle) reads the written files and sees the same values."""
    pydicom = pytest.importorskip("pydicom")
    path = examples.get_path(name)
    ours = examples.get(name)
    theirs = pydicom.dcmread(path)
    assert theirs.file_meta.TransferSyntaxUID == EXPLICIT_VR_LE
    assert theirs.SOPInstanceUID == ours.SOPInstanceUID
    assert str(theirs.PatientName) == str(ours.PatientName)
    if name in IMAGES:
        from pydicom.pixels import pixel_array

        assert np.array_equal(pixel_array(path, as_rgb=False), pixels(ours))
    if name == "ybr_color":  # pydicom's own YBR_FULL -> RGB gives the card back
        rgb = pixels(examples.rgb_color).astype(int)
        assert np.abs(theirs.pixel_array.astype(int) - rgb).max() <= 2
    if name == "overlay":
        bits = theirs.overlay_array(0x6000)
        assert examples._pack_bits_le(bits) == ours[0x6000, 0x3000].value
    if name == "waveform":
        group = ours.WaveformSequence[0]
        expected = np.frombuffer(group.WaveformData, "<i2").reshape(-1, 3)
        assert np.allclose(theirs.waveform_array(0), expected)


def test_get_path_writes_once_into_the_cache(cache: Path) -> None:
    path = Path(examples.get_path("mr"))
    assert path.is_file() and cache in path.parents
    assert dicodec.__version__ in path.parts
    stamp = path.stat().st_mtime_ns
    assert examples.get_path("mr") == str(path)
    assert path.stat().st_mtime_ns == stamp
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary leftovers
    assert dicodec.dcmread(path) == examples.mr


def test_cache_dir_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DICODEC_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert examples.cache_dir() == tmp_path / "dicodec" / "examples"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert examples.cache_dir() == Path.home() / ".cache" / "dicodec" / "examples"


def test_unknown_name() -> None:
    with pytest.raises(KeyError, match="no example named 'nope'"):
        examples.get("nope")
    with pytest.raises(KeyError):
        examples.get_path("nope")
    with pytest.raises(AttributeError):
        _ = examples.nope


def test_register_adds_an_attribute() -> None:
    calls = []

    def build() -> FileDataset:
        calls.append(1)
        ds = examples.get("mr")
        ds.SeriesDescription = "from a plugin"
        return ds

    spec = examples.register("plugin_demo", build, description="demo", origin="dicodec-demo")
    try:
        assert spec.name == "plugin_demo"
        assert "plugin_demo" in examples.names()
        assert examples.plugin_demo.SeriesDescription == "from a plugin"
        assert examples.plugin_demo.SeriesDescription == "from a plugin"
        assert calls == [1]  # built once, copied afterwards
        with pytest.raises(ValueError, match="already registered"):
            examples.register("plugin_demo", build)
        examples.register("plugin_demo", build, replace=True)
    finally:
        examples.unregister("plugin_demo")
    assert "plugin_demo" not in examples.names()


@pytest.mark.parametrize("bad", ["", "1abc", "with-dash", "_private", "get", "names"])
def test_register_rejects_bad_names(bad: str) -> None:
    with pytest.raises(ValueError):
        examples.register(bad, lambda: examples.get("ct"))


def test_importing_examples_does_not_import_numpy() -> None:
    code = "import sys, dicodec.examples; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_python_m_dicodec_examples_lists_every_path(tmp_path: Path) -> None:
    env = {**os.environ, "DICODEC_CACHE": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "dicodec.examples"], capture_output=True, text=True, env=env, check=True
    ).stdout
    first_lines = [line.split(maxsplit=1) for line in out.splitlines() if line and not line.startswith(" ")]
    assert [row[0] for row in first_lines] == examples.names()
    for name, where in first_lines:
        if where.startswith("(not available:"):
            # a compressed example whose codec is not installed says so, with the install hint
            assert "pip install" in where, name
            continue
        assert Path(where).is_file() and str(tmp_path) in where


def test_python_m_dicodec_examples_unknown_name(tmp_path: Path) -> None:
    env = {**os.environ, "DICODEC_CACHE": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "dicodec.examples", "nope"], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "unknown example" in proc.stderr
