"""Tests a plugin author would ship: the codec alone, then the plugin inside dicodec.

Run with ``python -m pytest`` from the distribution's folder after installing it
(``pip install -e .[test]`` or ``pip install .``).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from dicodec_example_xor.codec import decode, encode
from dicodec_example_xor.plugin import RLE_LOSSLESS, XOR_KEY, XOR_TS

from dicodec import examples
from dicodec.plugins import get_registry, report
from dicodec.plugins.records import FrameSpec
from dicodec.uid import UID


# ------------------------------------------------------------ the codec alone
@pytest.mark.parametrize(
    ("dtype", "samples"),
    [("uint8", 1), ("uint8", 3), ("int16", 1), ("uint16", 1), ("int32", 1), ("float32", 1), ("float64", 3)],
)
def test_encode_decode_round_trip(dtype: str, samples: int) -> None:
    bits = np.dtype(dtype).itemsize * 8
    spec = FrameSpec(
        rows=3,
        columns=5,
        samples_per_pixel=samples,
        bits_allocated=bits,
        bits_stored=bits,
        pixel_representation=1 if np.dtype(dtype).kind == "i" else 0,
        photometric_interpretation="RGB" if samples == 3 else "MONOCHROME2",
        transfer_syntax=XOR_TS,
        float_pixels=bits if np.dtype(dtype).kind == "f" else 0,
    )
    rng = np.random.default_rng(7)
    arr = (rng.random(spec.shape) * 200 - (100 if np.dtype(dtype).kind in "if" else 0)).astype(dtype)
    data = encode(arr, spec, {}).data
    # the stream is the little-endian bytes XOR-ed with the key
    assert data == bytes(b ^ XOR_KEY for b in arr.astype(np.dtype(dtype).newbyteorder("<")).tobytes())
    out = np.empty(spec.shape, spec.dtype)
    frame = decode(data, spec, out)
    assert frame.array is out
    np.testing.assert_array_equal(out, arr)


def test_decode_accepts_a_pad_byte_and_rejects_a_wrong_length() -> None:
    spec = FrameSpec(rows=1, columns=3, bits_allocated=8, bits_stored=8, transfer_syntax=XOR_TS)
    data = encode(np.array([[1, 2, 3]], np.uint8), spec, {}).data
    assert decode(data + b"\x00", spec, None).array.tolist() == [[1, 2, 3]]
    with pytest.raises(ValueError, match="has 3 bytes, not 2"):
        decode(data[:2], spec, None)


def test_rle_is_refused_in_both_directions() -> None:
    spec = FrameSpec(rows=1, columns=2, bits_allocated=8, bits_stored=8, transfer_syntax=RLE_LOSSLESS)
    with pytest.raises(ValueError, match="cannot decode"):
        decode(b"\x00\x00", spec, None)
    with pytest.raises(ValueError, match="cannot encode"):
        encode(np.zeros((1, 2), np.uint8), spec, {})


# ------------------------------------------------------------ inside dicodec
def test_discovered_through_the_entry_point() -> None:
    rows = {row["name"]: row for row in report()}
    assert rows["xor"]["status"] == "loaded", rows["xor"]["error"]
    assert rows["xor"]["distribution"] == "dicodec-example-xor"
    assert [c["name"] for c in rows["xor"]["codecs"]] == ["xor.numpy"]


def test_transfer_syntax_is_known() -> None:
    get_registry().ensure_loaded()
    uid = UID(XOR_TS)
    assert uid.is_transfer_syntax and uid.is_compressed and not uid.is_lossy
    assert uid.name == "XOR 0x5A (dicodec example)"


@pytest.mark.parametrize("name", ["ct", "rgb_color", "multiframe"])
def test_data_set_round_trip(name: str) -> None:
    original = examples.get(name)
    ds = examples.get(name).compress(XOR_TS)
    assert ds.file_meta.TransferSyntaxUID == XOR_TS
    np.testing.assert_array_equal(ds.pixel_array, original.pixel_array)


def test_plugin_module_is_cheap_to_import() -> None:
    code = (
        "import sys, json; import dicodec_example_xor.plugin; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'dicodec_example_xor'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == ["dicodec_example_xor", "dicodec_example_xor.plugin"]
