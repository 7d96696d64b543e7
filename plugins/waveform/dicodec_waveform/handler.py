"""Waveform Data (PS3.3 C.10.9) of each multiplex group as a ``(samples, channels)`` array.

Each item of (5400,0100) *Waveform Sequence* is a multiplex group: (003A,0005)
*Number of Waveform Channels*, (003A,0010) *Number of Waveform Samples*,
(5400,1004) *Waveform Bits Allocated*, (5400,1006) *Waveform Sample
Interpretation* and (5400,1010) *Waveform Data*, the samples interleaved by
channel (C1S1, C2S1, ..., CnS1, C1S2, ...).

Sample interpretations:

====  ==========================  ======================================
SB    8-bit signed                ``int8``
UB    8-bit unsigned              ``uint8``
MB    8-bit µ-law (ITU-T G.711)   expanded to 16-bit linear PCM, ``int16``
AB    8-bit A-law (ITU-T G.711)   expanded to 16-bit linear PCM, ``int16``
SS    16-bit signed               ``int16``
US    16-bit unsigned             ``uint16``
SL    32-bit signed               ``int32``
UL    32-bit unsigned             ``uint32``
SV    64-bit signed               ``int64``
UV    64-bit unsigned             ``uint64``
====  ==========================  ======================================

µ-law and A-law codes are expanded as G.711 specifies, scaled to 16 bits the
way audio tools do (the results equal Python's ``audioop.ulaw2lin`` /
``alaw2lin`` with width 2): µ-law within ±32124, A-law within ±32256.

Examples
--------
>>> from dicodec import examples
>>> from dicodec_waveform.handler import multiplex_array, waveform_array
>>> ds = examples.waveform
>>> raw = multiplex_array(ds, 0)
>>> raw.shape, raw.dtype
((1000, 3), dtype('int16'))
>>> waveform_array(ds, 0).dtype
dtype('float64')
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dicodec import DicodecError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from dicodec import Dataset

__all__ = [
    "HANDLER_NAME",
    "WAVEFORM_DTYPES",
    "MissingWaveformElementError",
    "UnsupportedWaveformError",
    "WaveformLengthError",
    "alaw_to_linear",
    "generate_multiplex",
    "is_available",
    "mulaw_to_linear",
    "multiplex_array",
    "waveform_array",
]

HANDLER_NAME = "Numpy Waveform"

WAVEFORM_DTYPES: dict[tuple[int, str], str] = {
    (8, "SB"): "int8",
    (8, "UB"): "uint8",
    (8, "MB"): "uint8",
    (8, "AB"): "uint8",
    (16, "SS"): "int16",
    (16, "US"): "uint16",
    (32, "SL"): "int32",
    (32, "UL"): "uint32",
    (64, "SV"): "int64",
    (64, "UV"): "uint64",
}
"""(Waveform Bits Allocated, Waveform Sample Interpretation) → dtype of the stored samples."""

_REQUIRED = (
    "NumberOfWaveformChannels",
    "NumberOfWaveformSamples",
    "WaveformBitsAllocated",
    "WaveformSampleInterpretation",
    "WaveformData",
)


class MissingWaveformElementError(DicodecError, AttributeError):
    """The Waveform Sequence or a required element of a multiplex group is missing."""


class WaveformLengthError(DicodecError, ValueError):
    """Waveform Data is shorter than its samples and channels need (also a ``ValueError``)."""


class UnsupportedWaveformError(DicodecError, ValueError):
    """An unknown combination of Waveform Bits Allocated and Sample Interpretation."""


def is_available() -> bool:
    """Whether the handler can work (numpy is importable).

    Examples
    --------
    >>> is_available()
    True
    """
    return importlib.util.find_spec("numpy") is not None


def _law_tables() -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    code = np.arange(256, dtype=np.int32)
    # mu-law: codes are stored complemented; 3-bit exponent, 4-bit mantissa, bias 0x84
    u = ~code & 0xFF
    magnitude = (((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 0x07)
    mu = np.where(u & 0x80, 0x84 - magnitude, magnitude - 0x84)
    # A-law: even bits inverted (xor 0x55); a set sign bit means positive
    a = code ^ 0x55
    exponent = (a >> 4) & 0x07
    mantissa = (a & 0x0F) << 4
    magnitude = np.where(exponent == 0, mantissa + 8, (mantissa + 0x108) << np.maximum(exponent - 1, 0))
    alaw = np.where(a & 0x80, magnitude, -magnitude)
    return mu.astype(np.int16), alaw.astype(np.int16)


_TABLES: list[np.ndarray] = []


def mulaw_to_linear(codes: Any) -> np.ndarray:
    """Expand G.711 µ-law codes to 16-bit linear samples.

    Examples
    --------
    >>> import numpy as np
    >>> mulaw_to_linear(np.array([0x00, 0x7F, 0x80, 0xFF], dtype=np.uint8)).tolist()
    [-32124, 0, 32124, 0]
    """
    import numpy as np

    if not _TABLES:
        _TABLES.extend(_law_tables())
    return _TABLES[0][np.asarray(codes, dtype=np.uint8)]


def alaw_to_linear(codes: Any) -> np.ndarray:
    """Expand G.711 A-law codes to 16-bit linear samples.

    Examples
    --------
    >>> import numpy as np
    >>> alaw_to_linear(np.array([0x55, 0xD5, 0x2A, 0xAA], dtype=np.uint8)).tolist()
    [-8, 8, -32256, 32256]
    """
    import numpy as np

    if not _TABLES:
        _TABLES.extend(_law_tables())
    return _TABLES[1][np.asarray(codes, dtype=np.uint8)]


def _little_endian(ds: Dataset) -> bool:
    meta = ds.__dict__.get("file_meta")
    ts = None if meta is None else meta.get("TransferSyntaxUID")
    if ts is not None:
        return str(ts) != "1.2.840.10008.1.2.2"
    little = ds.original_encoding[1]
    return True if little is None else bool(little)


def _group(ds: Dataset, index: int) -> Any:
    seq = ds.get("WaveformSequence")
    if seq is None:
        raise MissingWaveformElementError("No (5400,0100) Waveform Sequence element found in the dataset")
    if not -len(seq) <= index < len(seq):
        raise IndexError(f"the Waveform Sequence has {len(seq)} multiplex group(s); index {index} is out of range")
    return seq[index]


def _decode_group(item: Any, index: int, little: bool, as_raw: bool, expand: bool) -> np.ndarray:
    import numpy as np

    missing = [k for k in _REQUIRED if item.get(k) is None]
    if missing:
        raise MissingWaveformElementError(
            f"Unable to convert the waveform multiplex group with index {index}: the following required "
            f"elements are missing from the sequence item: {', '.join(missing)}"
        )
    channels = int(item.NumberOfWaveformChannels)
    samples = int(item.NumberOfWaveformSamples)
    bits = int(item.WaveformBitsAllocated)
    interpretation = str(item.WaveformSampleInterpretation).strip().upper()
    name = WAVEFORM_DTYPES.get((bits, interpretation))
    if name is None:
        raise UnsupportedWaveformError(
            f"multiplex group {index}: Waveform Bits Allocated {bits} with Sample Interpretation "
            f"{interpretation!r} is not supported (valid: "
            + ", ".join(f"{b}/{s}" for b, s in WAVEFORM_DTYPES)
            + ")"
        )
    dtype = np.dtype(name)
    if dtype.itemsize > 1:
        dtype = dtype.newbyteorder("<" if little else ">")
    data = item.WaveformData
    expected = samples * channels * dtype.itemsize
    if len(data) < expected:
        raise WaveformLengthError(
            f"multiplex group {index}: Waveform Data holds {len(data)} bytes, fewer than the {expected} "
            f"of {samples} samples x {channels} channels x {dtype.itemsize} bytes"
        )
    arr = np.frombuffer(data, dtype=dtype, count=samples * channels).reshape(samples, channels)
    if expand and interpretation == "MB":
        arr = mulaw_to_linear(arr)
    elif expand and interpretation == "AB":
        arr = alaw_to_linear(arr)
    else:
        arr = arr.astype(dtype.newbyteorder("="))  # a writeable, native-order copy
    if as_raw:
        return arr
    out = arr.astype(np.float64)
    definitions = item.get("ChannelDefinitionSequence") or []
    for channel, definition in enumerate(list(definitions)[:channels]):
        sensitivity = definition.get("ChannelSensitivity")
        correction = definition.get("ChannelSensitivityCorrectionFactor")
        baseline = definition.get("ChannelBaseline")
        column = out[:, channel]
        if sensitivity is not None and sensitivity != "":
            column *= float(sensitivity)
        if correction is not None and correction != "":
            column *= float(correction)
        if baseline is not None and baseline != "":
            column += float(baseline)
    return out


def multiplex_array(ds: Dataset, index: int, as_raw: bool = True, *, expand: bool = True) -> np.ndarray:
    """The samples of multiplex group ``index`` as ``(samples, channels)``.

    Parameters
    ----------
    ds : Dataset
        With a Waveform module.
    index : int
        The item of the Waveform Sequence.
    as_raw : bool, optional
        ``True`` (default): the stored sample values, in the dtype of the table
        above (µ-law / A-law expanded). ``False``: ``float64`` in the units of
        (003A,0211) *Channel Sensitivity Units*: each channel's values multiplied
        by (003A,0210) *Channel Sensitivity* and (003A,0212) *Channel Sensitivity
        Correction Factor* and offset by (003A,0213) *Channel Baseline*, each when
        present.
    expand : bool, optional
        Expand MB / AB codes to linear samples (default). ``False`` returns the
        8-bit codes (what pydicom 3.0 returns, and scales, for MB and AB).

    Returns
    -------
    numpy.ndarray
        A new, writeable, native-order array.

    Raises
    ------
    MissingWaveformElementError (an AttributeError)
        No Waveform Sequence, or a required element missing from the group.
    WaveformLengthError (a ValueError)
        Waveform Data too short (excess bytes, such as padding, are ignored).
    UnsupportedWaveformError (a ValueError)
        Unknown Bits Allocated / Sample Interpretation pair.
    IndexError
        ``index`` out of range.

    Examples
    --------
    >>> from dicodec import examples
    >>> multiplex_array(examples.waveform, 0)[:2].tolist()
    [[-8, 14, 9], [11, -7, 3]]
    """
    item = _group(ds, index)
    return _decode_group(item, index, _little_endian(ds), as_raw, expand)


def waveform_array(ds: Dataset, index: int) -> np.ndarray:
    """``multiplex_array(ds, index, as_raw=False)``: what ``Dataset.waveform_array(index)`` returns.

    Examples
    --------
    >>> from dicodec import examples
    >>> waveform_array(examples.waveform, 0)[0].tolist()
    [-8.0, 14.0, 9.0]
    """
    return multiplex_array(ds, index, as_raw=False)


def generate_multiplex(ds: Dataset, as_raw: bool = True, *, expand: bool = True) -> Iterator[np.ndarray]:
    """Yield the ``(samples, channels)`` array of each multiplex group in turn.

    Parameters are those of :func:`multiplex_array`; groups are decoded one at a time.

    Examples
    --------
    >>> from dicodec import examples
    >>> [a.shape for a in generate_multiplex(examples.waveform)]
    [(1000, 3)]
    """
    seq = ds.get("WaveformSequence")
    if seq is None:
        raise MissingWaveformElementError("No (5400,0100) Waveform Sequence element found in the dataset")
    little = _little_endian(ds)
    for index, item in enumerate(seq):
        yield _decode_group(item, index, little, as_raw, expand)
