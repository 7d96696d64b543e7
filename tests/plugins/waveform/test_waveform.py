"""Tests for the dicodec-waveform plugin (Waveform module multiplex groups)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dicodec
from dicodec import Dataset, DicodecError, examples

pytest.importorskip("dicodec_waveform")

from dicodec_waveform import handler, plugin
from dicodec_waveform.handler import (
    WAVEFORM_DTYPES,
    MissingWaveformElementError,
    UnsupportedWaveformError,
    WaveformLengthError,
    alaw_to_linear,
    generate_multiplex,
    mulaw_to_linear,
    multiplex_array,
    waveform_array,
)

INTERPRETATIONS = [(bits, si) for (bits, si) in WAVEFORM_DTYPES if si not in ("MB", "AB")]


def _audioop():  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import audioop
        except ImportError:  # Python 3.13 removed it
            pytest.skip("audioop is not available")
    return audioop


def _group(samples: np.ndarray, bits: int, interpretation: str, *, little: bool = True,
           channels: list[dict[str, str]] | None = None, extra: bytes = b"") -> Dataset:
    item = Dataset()
    item.NumberOfWaveformChannels = samples.shape[1]
    item.NumberOfWaveformSamples = samples.shape[0]
    item.SamplingFrequency = "500"
    item.WaveformBitsAllocated = bits
    item.WaveformSampleInterpretation = interpretation
    dtype = np.dtype(WAVEFORM_DTYPES[(bits, interpretation)]).newbyteorder("<" if little else ">")
    item.add_new(0x54001010, "OB" if bits == 8 else "OW", samples.astype(dtype).tobytes() + extra)
    if channels is not None:
        definitions = []
        for values in channels:
            definition = Dataset()
            for keyword, value in values.items():
                setattr(definition, keyword, value)
            definitions.append(definition)
        item.ChannelDefinitionSequence = definitions
    return item


def _waveform_ds(*groups: Dataset, little: bool = True) -> Dataset:
    ds = Dataset()
    ds.WaveformSequence = list(groups)
    ds.set_original_encoding(False, little)
    return ds


def _to_pydicom(ds: Dataset, tmp_path: Path):  # type: ignore[no-untyped-def]
    pydicom = pytest.importorskip("pydicom")
    return pydicom.Dataset.from_json(ds.to_json_dict())


# ---------------------------------------------------------------- plugin wiring
def test_plugin_declares_the_waveform_handler() -> None:
    specs = plugin.dicodec_bulk_data_handlers()
    assert [(s.name, s.kind) for s in specs] == [("waveform.numpy", "waveform")]
    from dicodec.plugins import get_registry

    assert get_registry().bulk_handler("waveform") is waveform_array
    assert handler.is_available() is True


def test_example_waveform(tmp_path: Path) -> None:
    ds = examples.waveform
    arr = ds.waveform_array(0)
    raw = multiplex_array(ds, 0)
    assert arr.shape == raw.shape == (1000, 3)
    assert arr.dtype == np.float64 and raw.dtype == np.int16
    assert np.array_equal(arr, raw.astype(np.float64))  # sensitivity 1, factor 1, baseline 0
    pydicom = pytest.importorskip("pydicom")
    path = tmp_path / "ecg.dcm"
    ds.save_as(path)
    pds = pydicom.dcmread(path)
    assert np.array_equal(pds.waveform_array(0), arr)
    back = dicodec.dcmread(path)
    assert np.array_equal(back.waveform_array(0), arr)


# ---------------------------------------------------------------- interpretations
@pytest.mark.parametrize(("bits", "interpretation"), INTERPRETATIONS)
@pytest.mark.parametrize("little", [True, False])
def test_every_integer_interpretation(bits: int, interpretation: str, little: bool, tmp_path: Path) -> None:
    dtype = np.dtype(WAVEFORM_DTYPES[(bits, interpretation)])
    info = np.iinfo(dtype)
    rng = np.random.default_rng(bits)
    samples = rng.integers(max(info.min, -(2**40)), min(info.max, 2**40), (25, 4), endpoint=True).astype(dtype)
    samples[0] = [info.min, info.max, 0, 1]
    ds = _waveform_ds(_group(samples, bits, interpretation, little=little), little=little)
    raw = multiplex_array(ds, 0)
    assert raw.dtype == dtype and raw.dtype.isnative and raw.flags.writeable
    assert np.array_equal(raw, samples)
    scaled = ds.waveform_array(0)
    assert scaled.dtype == np.float64 and np.array_equal(scaled, samples.astype(np.float64))
    if little:
        pds = _to_pydicom(ds, tmp_path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pydicom.waveforms.numpy_handler import multiplex_array as pydicom_multiplex

            assert np.array_equal(pydicom_multiplex(pds, 0, as_raw=True), raw)


def test_mulaw_and_alaw_expansion_against_audioop() -> None:
    audioop = _audioop()
    codes = np.arange(256, dtype=np.uint8)
    expected_mu = np.frombuffer(audioop.ulaw2lin(codes.tobytes(), 2), dtype=np.int16)
    expected_a = np.frombuffer(audioop.alaw2lin(codes.tobytes(), 2), dtype=np.int16)
    assert np.array_equal(mulaw_to_linear(codes), expected_mu)
    assert np.array_equal(alaw_to_linear(codes), expected_a)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-32768, 32767), min_size=1, max_size=64))
def test_law_companding_round_trip(values: list[int]) -> None:
    audioop = _audioop()
    pcm = np.array(values, dtype=np.int16)
    mu_codes = np.frombuffer(audioop.lin2ulaw(pcm.tobytes(), 2), np.uint8)
    a_codes = np.frombuffer(audioop.lin2alaw(pcm.tobytes(), 2), np.uint8)
    ds = _waveform_ds(_group(mu_codes[:, None], 8, "MB"), _group(a_codes[:, None], 8, "AB"))
    mu = multiplex_array(ds, 0)[:, 0]
    alaw = multiplex_array(ds, 1)[:, 0]
    assert mu.dtype == alaw.dtype == np.int16
    # G.711 keeps ~13-14 significant bits: the error grows with the magnitude
    assert np.all(np.abs(mu.astype(int) - pcm) <= np.maximum(np.abs(pcm.astype(int)) // 16, 132))
    assert np.all(np.abs(alaw.astype(int) - pcm) <= np.maximum(np.abs(pcm.astype(int)) // 16, 16))
    assert np.array_equal(multiplex_array(ds, 0, expand=False)[:, 0], mu_codes)


def test_pydicom_scales_law_codes_we_expand_them() -> None:
    pydicom = pytest.importorskip("pydicom")
    codes = np.array([[0x00], [0x80], [0xFF]], dtype=np.uint8)
    ds = _waveform_ds(_group(codes, 8, "MB", channels=[{"ChannelSensitivity": "2"}]))
    ours = ds.waveform_array(0)
    assert ours[:, 0].tolist() == [-64248.0, 64248.0, 0.0]
    pds = pydicom.Dataset.from_json(ds.to_json_dict())
    from pydicom.waveforms.numpy_handler import multiplex_array as pydicom_multiplex

    assert pydicom_multiplex(pds, 0, as_raw=False)[:, 0].tolist() == [0.0, 256.0, 510.0]  # the codes, scaled


# ---------------------------------------------------------------- scaling
def test_sensitivity_correction_and_baseline(tmp_path: Path) -> None:
    samples = np.array([[0, 10, -4], [100, -20, 7]], dtype=np.int16)
    channels = [
        {"ChannelSensitivity": "2.5", "ChannelSensitivityCorrectionFactor": "0.5", "ChannelBaseline": "-1"},
        {"ChannelSensitivity": "0.1"},
        {"ChannelBaseline": "3"},
    ]
    ds = _waveform_ds(_group(samples, 16, "SS", channels=channels))
    out = ds.waveform_array(0)
    np.testing.assert_allclose(out[:, 0], samples[:, 0] * 2.5 * 0.5 - 1)
    np.testing.assert_allclose(out[:, 1], samples[:, 1] * 0.1)
    np.testing.assert_allclose(out[:, 2], samples[:, 2] + 3.0)
    pds = _to_pydicom(ds, tmp_path)
    assert np.allclose(pds.waveform_array(0), out)


def test_fewer_channel_definitions_than_channels() -> None:
    samples = np.array([[1, 2], [3, 4]], dtype=np.int16)
    ds = _waveform_ds(_group(samples, 16, "SS", channels=[{"ChannelSensitivity": "10"}]))
    assert ds.waveform_array(0).tolist() == [[10.0, 2.0], [30.0, 4.0]]


# ---------------------------------------------------------------- multiplex groups
def test_generator_over_multiplex_groups() -> None:
    first = np.arange(12, dtype=np.int16).reshape(6, 2)
    second = np.arange(9, dtype=np.uint8).reshape(3, 3)
    ds = _waveform_ds(_group(first, 16, "SS"), _group(second, 8, "UB", channels=[{"ChannelBaseline": "1"}] * 3))
    arrays = list(generate_multiplex(ds))
    assert [a.shape for a in arrays] == [(6, 2), (3, 3)]
    assert np.array_equal(arrays[0], first) and np.array_equal(arrays[1], second)
    scaled = list(generate_multiplex(ds, as_raw=False))
    assert np.array_equal(scaled[1], second + 1.0)
    assert np.array_equal(ds.waveform_array(-1), scaled[1])
    with pytest.raises(IndexError, match="2 multiplex group"):
        ds.waveform_array(2)


def test_padding_is_ignored_and_short_data_raises() -> None:
    samples = np.arange(6, dtype=np.int8).reshape(3, 2)
    ds = _waveform_ds(_group(samples, 8, "SB", extra=b"\x00\x00"))
    assert np.array_equal(multiplex_array(ds, 0), samples)
    item = ds.WaveformSequence[0]
    item.add_new(0x54001010, "OB", item.WaveformData[:4])
    with pytest.raises(WaveformLengthError, match="4 bytes") as info:
        ds.waveform_array(0)
    assert isinstance(info.value, ValueError) and isinstance(info.value, DicodecError)


def test_missing_and_unsupported() -> None:
    with pytest.raises(MissingWaveformElementError, match="Waveform Sequence") as info:
        Dataset().waveform_array(0)
    assert isinstance(info.value, AttributeError) and isinstance(info.value, DicodecError)
    with pytest.raises(MissingWaveformElementError):
        list(generate_multiplex(Dataset()))
    item = _group(np.zeros((2, 1), np.int16), 16, "SS")
    del item.WaveformBitsAllocated
    with pytest.raises(MissingWaveformElementError, match="WaveformBitsAllocated"):
        _waveform_ds(item).waveform_array(0)
    odd = _group(np.zeros((2, 1), np.int16), 16, "SS")
    odd.WaveformSampleInterpretation = "SB"
    with pytest.raises(UnsupportedWaveformError, match="16 with Sample Interpretation 'SB'"):
        _waveform_ds(odd).waveform_array(0)
