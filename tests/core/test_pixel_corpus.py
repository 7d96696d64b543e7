"""Native pixel data of the real-world corpus decodes to the reference arrays.

Every ``pixels`` row whose transfer syntax is native (Implicit/Explicit VR Little
Endian, Explicit VR Big Endian, Deflated Explicit VR Little Endian, Deflated Image
Frame Compression, and the files without a transfer syntax) is decoded from a path,
from a Dataset and from a file-like, with the checks of ``../shared/tools/conformance.py``
(shape, dtype, then sha256 or the tolerance against ``reference/<sha1>.npz``); the
frames of ``iter_pixels`` must equal ``pixel_array``. Every ``decode-error`` row must
raise a :class:`dicodec.DicodecError`. Without ``../shared`` everything is skipped.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import numpy as np
import pytest

import dicodec
from dicodec.pixels import get_decoder, iter_pixels, pixel_array
from tests.corpus import CORPUS, corpus_path, corpus_rows, params

NATIVE = {
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.1.99",
    "1.2.840.10008.1.2.8.1",
}

NATIVE_ROWS = [
    r
    for r in corpus_rows("pixels")
    if r["transfer_syntax"] in NATIVE or r["transfer_syntax"].startswith("(none")
]
ERROR_ROWS = corpus_rows("decode-error")


def check(arr: np.ndarray, row: dict[str, str]) -> None:
    """The checks of conformance.py: shape, dtype, then hash or tolerance."""
    arr = np.ascontiguousarray(arr)
    shape = "x".join(map(str, arr.shape))
    assert (shape, str(arr.dtype)) == (row["ref_shape"], row["ref_dtype"])
    tolerance = int(row["tolerance"] or 0)
    if tolerance == 0:
        assert hashlib.sha256(arr.tobytes()).hexdigest() == row["ref_sha256"], (
            "pixel values differ from the reference"
        )
    else:
        key = hashlib.sha1(row["relpath"].encode()).hexdigest()
        ref = np.load(CORPUS / "reference" / f"{key}.npz")["ref"]
        diff = int(np.abs(arr.astype(np.int64) - ref.astype(np.int64)).max())
        assert diff <= tolerance, f"max abs difference {diff} > tolerance {tolerance}"


def quiet(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Real-world files warn about many things; the values are what is tested here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


@pytest.mark.parametrize("row", params(NATIVE_ROWS))
def test_from_path(row: dict[str, str]) -> None:
    check(quiet(pixel_array, corpus_path(row)), row)


@pytest.mark.parametrize("row", params(NATIVE_ROWS))
def test_from_dataset(row: dict[str, str]) -> None:
    ds = quiet(dicodec.dcmread, corpus_path(row))
    check(quiet(pixel_array, ds), row)
    check(quiet(lambda: ds.pixel_array), row)


@pytest.mark.parametrize("row", params(NATIVE_ROWS))
def test_from_file_like(row: dict[str, str]) -> None:
    with open(corpus_path(row), "rb") as fh:
        check(quiet(pixel_array, fh), row)


@pytest.mark.parametrize("row", params(NATIVE_ROWS))
def test_iter_pixels_equals_pixel_array(row: dict[str, str]) -> None:
    path = corpus_path(row)
    whole = quiet(pixel_array, path)
    frames = quiet(lambda: list(iter_pixels(path)))
    if len(frames) == 1:  # a single frame has no frame axis
        np.testing.assert_array_equal(frames[0], whole)
    else:
        assert len(frames) == whole.shape[0]
        for i, frame in enumerate(frames):
            np.testing.assert_array_equal(frame, whole[i])


@pytest.mark.parametrize("row", params(NATIVE_ROWS))
def test_last_frame_by_index(row: dict[str, str]) -> None:
    """Random access from a path and from a data set gives the same last frame."""
    path = corpus_path(row)
    whole = np.ascontiguousarray(quiet(pixel_array, path))
    last = quiet(pixel_array, path, index=-1)
    expected = whole[-1] if last.ndim < whole.ndim else whole
    np.testing.assert_array_equal(last, expected)
    ds = quiet(dicodec.dcmread, path)
    uid = ds.file_meta.TransferSyntaxUID if "TransferSyntaxUID" in ds.file_meta else None
    if uid:
        arr, meta = quiet(get_decoder(uid).as_array, ds, index=-1)
        np.testing.assert_array_equal(arr, expected)
        assert meta["number_of_frames"] == 1


@pytest.mark.parametrize("row", params(ERROR_ROWS))
def test_decode_error_rows_raise_dicodec_errors(row: dict[str, str]) -> None:
    path = corpus_path(row)
    with pytest.raises(dicodec.DicodecError):
        quiet(pixel_array, path)
    try:
        ds = quiet(dicodec.dcmread, path)
    except dicodec.DicodecError:
        return  # refusing to read the data set is a clear error too
    with pytest.raises(dicodec.DicodecError):
        quiet(pixel_array, ds)
    with pytest.raises(dicodec.DicodecError):
        quiet(lambda: list(iter_pixels(path)))
