"""dicodec on dask: the frames of many DICOM files as one lazy dask array, and
distributed transcoding with one result record per file.

* :func:`frames` — a lazy ``dask.array`` of shape ``(frames, rows, columns[, samples])``
  over local paths or fsspec URLs; headers are read once, up front, in parallel, and
  each chunk decodes one file (or frame) through dicodec's codec registry.
* :class:`FrameStack` — the array-like behind it (which file holds frame ``k``).
* :func:`transcode` — many files to another transfer syntax on a
  ``distributed.Client`` (or locally), atomic outputs, retries, a
  :class:`TranscodeResult` per input.

This package registers nothing with dicodec's codec registry, and ``import dicodec``
never imports it (nor dask). dask itself is imported on first use.

Examples
--------
>>> import dicodec_dask
>>> from dicodec import examples
>>> arr = dicodec_dask.frames([examples.get_path("ct")] * 4)
>>> arr.shape, str(arr.dtype)
((4, 512, 512), 'int16')
"""

from __future__ import annotations

from .array import FrameStack, frames
from .transcode import TranscodeResult, transcode

__version__ = "0.1.0"

__all__ = ["FrameStack", "TranscodeResult", "frames", "transcode"]
