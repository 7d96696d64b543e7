"""Shared helpers of the dicodec-jpeg tests: data sets from codestreams, GDCM, PSNR."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dicodec import Dataset, encaps
from dicodec.dataelem import DataElement
from dicodec.plugins.records import FrameSpec

from ...corpus import CORPUS

BASELINE = "1.2.840.10008.1.2.4.50"
EXTENDED = "1.2.840.10008.1.2.4.51"
LOSSLESS = "1.2.840.10008.1.2.4.57"
LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_SYNTAXES = (BASELINE, EXTENDED, LOSSLESS, LOSSLESS_SV1)
SC_CLASS = "1.2.840.10008.5.1.4.1.1.7"


@dataclass(frozen=True)
class HintSpec(FrameSpec):
    """A FrameSpec with the ``as_rgb`` hint of the proposed core change."""

    as_rgb: bool = False


def jpeg_dataset(
    frames: Sequence[bytes],
    *,
    rows: int,
    columns: int,
    samples: int = 1,
    bits_allocated: int = 8,
    bits_stored: int | None = None,
    signed: int = 0,
    photometric: str = "MONOCHROME2",
    transfer_syntax: str = BASELINE,
    fragments_per_frame: int = 1,
) -> Dataset:
    """A data set whose encapsulated Pixel Data holds ``frames``."""
    ds = Dataset()
    ds.SOPClassUID = SC_CLASS
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.9.9999.7." + str(abs(hash(frames[0])) % 10**12)
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored or bits_allocated
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = signed
    if samples > 1:
        ds.PlanarConfiguration = 0
    if len(frames) > 1:
        ds.NumberOfFrames = len(frames)
    value = encaps.encapsulate(list(frames), fragments_per_frame=fragments_per_frame)
    ds[0x7FE00010] = DataElement(0x7FE00010, "OB", value, is_undefined_length=True, validate=False)
    meta = ds.ensure_file_meta()
    meta.TransferSyntaxUID = transfer_syntax
    meta.MediaStorageSOPClassUID = ds.SOPClassUID
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return ds


def gdcm_decode(path: Path, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """Decode a file with GDCM (test-only oracle), returning its buffer as ``dtype``."""
    import gdcm

    reader = gdcm.ImageReader()
    reader.SetFileName(str(path))
    if not reader.Read():
        raise RuntimeError(f"GDCM cannot read {path}")
    buf = reader.GetImage().GetBuffer().encode("utf-8", "surrogateescape")
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


def psnr(a: np.ndarray, b: np.ndarray, peak: float) -> float:
    """Peak signal-to-noise ratio in dB."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(peak**2 / mse)


def reference(row: dict[str, str]) -> np.ndarray:
    """The corpus reference array of a manifest row with a tolerance."""
    key = hashlib.sha1(row["relpath"].encode()).hexdigest()
    return np.load(CORPUS / "reference" / (key + ".npz"))["ref"]


def smooth_rgb(rows: int, columns: int, seed: int = 0) -> np.ndarray:
    """A smooth, photo-like RGB test image (JPEG-friendly)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:columns].astype(np.float64)
    r = 128 + 90 * np.sin(x / 11.0) * np.cos(y / 17.0)
    g = 100 + 80 * np.cos((x + y) / 23.0)
    b = 140 + 70 * np.sin(y / 9.0)
    rgb = np.stack([r, g, b], -1) + rng.normal(0, 2, (rows, columns, 3))
    return rgb.clip(0, 255).astype(np.uint8)


def smooth_grey(rows: int, columns: int, bits: int = 8, seed: int = 0) -> np.ndarray:
    """A smooth greyscale test image of ``bits`` bits."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:columns].astype(np.float64)
    top = (1 << bits) - 1
    img = top * (0.5 + 0.35 * np.sin(x / 13.0) * np.cos(y / 7.0)) + rng.normal(0, top / 200, (rows, columns))
    return img.clip(0, top).astype(np.uint8 if bits <= 8 else np.uint16)
