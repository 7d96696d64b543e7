"""``pixel_array`` and ``iter_pixels``: decoded frames from a Dataset, a path or a file-like.

Examples
--------
>>> from dicodec import examples
>>> from dicodec.pixels import pixel_array, iter_pixels
>>> path = examples.get_path("ct")
>>> pixel_array(path).shape
(512, 512)
>>> [f.shape for f in iter_pixels(path)]
[(512, 512)]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ..changes import changed
from .decoder import _resolve_indices, decode_source, plan_for
from .source import open_source

__all__ = ["iter_pixels", "pixel_array"]


def _fill_ds_out(ds_out: Any, source_ds: Any) -> None:
    if ds_out is None:
        return
    for tag, elem in source_ds._dict.items():
        ds_out._dict[tag] = elem
    meta = source_ds.__dict__.get("file_meta")
    if meta is not None:
        ds_out.__dict__["file_meta"] = meta
    changed()


def pixel_array(
    src: Any,
    *,
    index: int | None = None,
    indices: Iterable[int] | None = None,
    ds_out: Any = None,
    decoding_plugin: str | Sequence[str] | None = None,
    raw: bool = False,
    as_rgb: bool = True,
    view_only: bool = False,
    workers: int | None = None,
    out: np.ndarray | None = None,
    fallback: bool = True,
    **codec_options: Any,
) -> np.ndarray:
    """Decode pixel data to a numpy array.

    Parameters
    ----------
    src : Dataset, str, PathLike, bytes or file-like
        From a path only the elements before the pixel data and the frames asked for
        are read.
    index : int, optional
        One frame (0-based); the result has no frame axis.
    indices : iterable of int, optional
        Several frames, in this order.
    ds_out : Dataset, optional
        Receives the non-pixel elements read from ``src`` (useful with a path).
    decoding_plugin : str or list of str, optional
        Only these codecs (or plugins), in this order.
    raw : bool
        Return the codec's output without colour conversion.
    as_rgb : bool
        Convert YBR_FULL / YBR_FULL_422 to RGB (default).
    view_only : bool
        Return a read-only view of native data without copying when possible
        (a memory map from a path).
    workers : int, optional
        Threads for codecs that release the GIL (default: CPU count).
    out : numpy.ndarray, optional
        Decode into this array (C-contiguous, right shape and dtype).
    fallback : bool
        On a codec failure try the next codec (default).
    **codec_options
        Passed to the codec.

    Returns
    -------
    numpy.ndarray
        ``(rows, cols)``, ``(rows, cols, samples)``, ``(frames, rows, cols)`` or
        ``(frames, rows, cols, samples)``.

    Raises
    ------
    NoCodecAvailableError, CodecError, InvalidDicomError, LimitExceeded
    """
    with open_source(src) as source:
        _fill_ds_out(ds_out, source.dataset)
        arr, _ = decode_source(
            source,
            index,
            indices,
            decoding_plugin=decoding_plugin,
            raw=raw,
            as_rgb=as_rgb,
            fallback=fallback,
            workers=workers,
            out=out,
            view_only=view_only,
            options=codec_options,
        )
        return arr


def iter_pixels(
    src: Any,
    *,
    indices: Iterable[int] | None = None,
    ds_out: Any = None,
    decoding_plugin: str | Sequence[str] | None = None,
    raw: bool = False,
    as_rgb: bool = True,
    fallback: bool = True,
    **codec_options: Any,
) -> Iterator[np.ndarray]:
    """Yield decoded frames one at a time; from a path only one frame is in memory.

    Takes the same arguments as :func:`pixel_array` (without ``index``).
    """
    with open_source(src) as source:
        _fill_ds_out(ds_out, source.dataset)
        frames, _ = _resolve_indices(None, indices, source.desc.number_of_frames)
        plan = plan_for(source, decoding_plugin, raw, as_rgb, fallback, codec_options)
        yield from plan.iter_frames(frames)
