"""Tests for dicodec.pixels.bits: 1-bit packing (PS3.5 8.1.1, first pixel in the LSB)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dicodec.errors import DicodecError, InvalidValueError
from dicodec.pixels.bits import pack_bits, unpack_bits, unpack_bits_into

bit_arrays: st.SearchStrategy[np.ndarray] = hnp.arrays(np.uint8, st.integers(0, 300), elements=st.integers(0, 1))


# ---------------------------------------------------------------- pack_bits
def test_pack_bits_bit_order_is_lsb_first() -> None:
    assert pack_bits(np.array([1, 0, 0, 0, 0, 0, 0, 0]), pad=False) == b"\x01"
    assert pack_bits(np.array([0, 0, 0, 0, 0, 0, 0, 1]), pad=False) == b"\x80"
    assert pack_bits(np.array([1, 1, 0, 1, 0, 0, 0, 0, 1]), pad=False) == b"\x0b\x01"


def test_pack_bits_padding() -> None:
    assert pack_bits(np.ones(8, np.uint8)) == b"\xff\x00"
    assert pack_bits(np.ones(8, np.uint8), pad=False) == b"\xff"
    assert pack_bits(np.ones(16, np.uint8)) == b"\xff\xff"
    assert pack_bits(np.ones(9, np.uint8)) == b"\xff\x01"
    assert pack_bits(np.zeros(0, np.uint8)) == b""


@pytest.mark.parametrize("dtype", [bool, np.uint8, np.int8, np.uint16, np.int32, np.int64, np.float32, np.float64])
def test_pack_bits_accepts_numeric_dtypes(dtype: type) -> None:
    arr: np.ndarray = np.array([[1, 0, 1], [1, 1, 0]], dtype=dtype)
    assert pack_bits(arr, pad=False) == bytes([0b011101])


@pytest.mark.parametrize("bad", [[0, 2], [0, -1], [0.5, 1.0], [255, 0]])
def test_pack_bits_rejects_non_binary(bad: list[float]) -> None:
    dtype = np.float64 if isinstance(bad[0], float) else (np.int16 if min(bad) < 0 else np.uint8)
    with pytest.raises(InvalidValueError):
        pack_bits(np.array(bad, dtype=dtype))
    with pytest.raises(DicodecError):  # part of the dicodec hierarchy
        pack_bits(np.array(bad, dtype=dtype))


def test_pack_bits_rejects_strings() -> None:
    with pytest.raises(InvalidValueError):
        pack_bits(np.array(["1", "0"]))


@given(bit_arrays)
def test_pack_bits_matches_numpy(arr: np.ndarray) -> None:
    expected = np.packbits(arr, bitorder="little").tobytes()
    assert pack_bits(arr, pad=False) == expected
    padded = pack_bits(arr)
    assert len(padded) % 2 == 0 and padded[: len(expected)] == expected


def test_pack_bits_agrees_with_pydicom() -> None:
    from pydicom.pixels.utils import pack_bits as pd_pack_bits

    rng = np.random.default_rng(1)
    arr = rng.integers(0, 2, (3, 7, 11), dtype=np.uint8)
    assert pack_bits(arr) == pd_pack_bits(arr)
    assert pack_bits(arr, pad=False) == pd_pack_bits(arr, pad=False)


# ---------------------------------------------------------------- unpack_bits
def test_unpack_bits_basic() -> None:
    out = unpack_bits(b"\x01\x80")
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8
    assert out.tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert unpack_bits(b"\x03", as_array=False) == b"\x01\x01" + bytes(6)
    assert unpack_bits(b"\x03", count=3).tolist() == [1, 1, 0]  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "ndarray", "ndarray_u2"])
def test_unpack_bits_accepts_buffers(kind: str) -> None:
    raw = b"\xa5\x0f"
    src: object = {
        "bytes": raw,
        "bytearray": bytearray(raw),
        "memoryview": memoryview(raw),
        "ndarray": np.frombuffer(raw, np.uint8),
        "ndarray_u2": np.frombuffer(raw, np.uint16),
    }[kind]
    expected = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")
    np.testing.assert_array_equal(unpack_bits(src), expected)  # type: ignore[arg-type]


def test_unpack_bits_bad_count() -> None:
    with pytest.raises(ValueError, match="count"):
        unpack_bits(b"\x00", count=9)


@given(st.binary(max_size=200))
def test_unpack_bits_matches_numpy(raw: bytes) -> None:
    expected = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")
    np.testing.assert_array_equal(unpack_bits(raw), expected)
    assert unpack_bits(raw, as_array=False) == expected.tobytes()


@given(bit_arrays)
def test_pack_unpack_round_trip(arr: np.ndarray) -> None:
    packed = pack_bits(arr)
    np.testing.assert_array_equal(unpack_bits(packed, count=arr.size), arr)
    full = unpack_bits(packed)
    assert isinstance(full, np.ndarray)
    assert not full[arr.size :].any()  # unused bits are zero


def test_unpack_bits_agrees_with_pydicom() -> None:
    from pydicom.pixels.utils import unpack_bits as pd_unpack_bits

    raw = bytes(range(256))
    np.testing.assert_array_equal(unpack_bits(raw), pd_unpack_bits(raw))


# ---------------------------------------------------------------- unpack_bits_into
@given(
    st.integers(1, 40),  # frames
    st.integers(1, 13),  # rows
    st.integers(1, 13),  # columns
    st.data(),
)
@settings(max_examples=60)
def test_unpack_bits_into_frames_at_any_bit_offset(frames: int, rows: int, cols: int, data: st.DataObject) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    volume = rng.integers(0, 2, (frames, rows, cols), dtype=np.uint8)
    packed = pack_bits(volume)  # frames back to back, no byte alignment
    oracle = np.unpackbits(np.frombuffer(packed, np.uint8), bitorder="little")
    for i in range(frames):
        out = np.full((rows, cols), 7, np.uint8)
        result = unpack_bits_into(packed, out, bit_offset=i * rows * cols)
        assert result is out
        np.testing.assert_array_equal(out, volume[i])
        np.testing.assert_array_equal(out.ravel(), oracle[i * rows * cols : (i + 1) * rows * cols])


@given(st.binary(min_size=1, max_size=64), st.data())
def test_unpack_bits_into_matches_numpy_oracle(raw: bytes, data: st.DataObject) -> None:
    total = 8 * len(raw)
    offset = data.draw(st.integers(0, total))
    count = data.draw(st.integers(0, total - offset))
    out = np.full(count + 3, 9, np.uint8)
    unpack_bits_into(raw, out, bit_offset=offset, count=count)
    oracle = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")[offset : offset + count]
    np.testing.assert_array_equal(out[:count], oracle)
    assert (out[count:] == 9).all()  # elements after count are untouched


def test_unpack_bits_into_non_contiguous_out() -> None:
    raw = b"\xff\x00\xaa"
    base = np.zeros((4, 6), np.uint8)
    out = base[:, ::2]  # (4, 3), not contiguous
    unpack_bits_into(raw, out, bit_offset=4)
    oracle = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")[4:16].reshape(4, 3)
    np.testing.assert_array_equal(out, oracle)
    assert not base[:, 1::2].any()
    out2 = np.zeros((4, 6), np.uint8)[:, ::2]
    unpack_bits_into(raw, out2, count=5)
    assert out2.ravel()[:5].tolist() == [1, 1, 1, 1, 1] and not out2.ravel()[5:].any()


def test_unpack_bits_into_errors() -> None:
    out = np.empty(8, np.uint8)
    with pytest.raises(ValueError, match="holds 1 bytes"):
        unpack_bits_into(b"\xff", out, bit_offset=1)
    with pytest.raises(ValueError, match="uint8"):
        unpack_bits_into(b"\xff", np.empty(8, np.uint16))
    with pytest.raises(ValueError, match="count"):
        unpack_bits_into(b"\xff\xff", out, count=9)
    with pytest.raises(ValueError, match="bit_offset"):
        unpack_bits_into(b"\xff\xff", out, bit_offset=-1)
    assert unpack_bits_into(b"", np.empty(0, np.uint8)).size == 0


def test_bits_module_is_not_imported_by_dicodec() -> None:
    import subprocess
    import sys

    code = "import sys, dicodec; print('dicodec.pixels.bits' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
