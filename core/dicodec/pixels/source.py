"""Open a pixel data source: a Dataset, a path (reading only what is needed) or a file-like."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .. import changes as _changes
from ..dataelem import DataElement
from ..errors import InvalidDicomError
from .description import PixelDescription, describe
from .frames import FileFrames, MemoryFrames, swap_words, swapped_words

__all__ = ["PixelSource", "open_source", "source_for_dataset"]


class PixelSource:
    """The image description plus access to each frame's encoded bytes."""

    def __init__(self, desc: PixelDescription, frames: MemoryFrames | FileFrames, dataset: Any) -> None:
        self.desc = desc
        self.frames = frames
        self.dataset = dataset
        self.plans: dict[Any, Any] = {}  # decode plans by options, reused while the source is cached

    @property
    def identity_layout(self) -> bool:
        """Native frames whose bytes are the decoded array already."""
        return self.frames.identity_layout

    def get(self, index: int) -> bytes | bytearray | memoryview:
        """The encoded bytes of frame ``index``."""
        return self.frames.get(index)

    def read_into(self, first: int, out: np.ndarray) -> None:
        """Copy consecutive native frames into ``out`` (identity layout only)."""
        self.frames.read_into(first, out)

    def view(self, frames: list[int], squeeze: bool, raw: bool, as_rgb: bool) -> np.ndarray | None:
        """A zero-copy array of consecutive native frames, or ``None`` if impossible."""
        from .decoder import raw_needs_codec

        desc = self.desc
        spec = desc.spec
        if not self.identity_layout or raw_needs_codec(desc, raw, as_rgb) or spec.bits_stored < spec.bits_allocated:
            return None
        if frames != list(range(frames[0], frames[0] + len(frames))):
            return None
        shape = spec.shape if squeeze else (len(frames), *spec.shape)
        offset = frames[0] * self.frames.frame_length
        count = len(frames) * spec.pixels
        if isinstance(self.frames, FileFrames):
            arr: np.ndarray = np.memmap(
                self.frames.path, dtype=spec.dtype, mode="r", offset=self.frames.offset + offset, shape=shape
            )
            return arr
        arr = np.frombuffer(self.frames.value, dtype=spec.dtype, count=count, offset=offset).reshape(shape)
        arr.flags.writeable = False  # a view of the data set's bytes: never write through it
        return arr

    def close(self) -> None:
        """Release the file, if any."""
        self.frames.close()


_KEY_TAGS = (
    0x00280002, 0x00280004, 0x00280006, 0x00280008, 0x00280010, 0x00280011,
    0x00280100, 0x00280101, 0x00280103, 0x7FE00001, 0x7FE00002,
)


def _state_key(ds: Any, transfer_syntax: str | None) -> tuple[Any, ...]:
    """What the pixel description depends on: values (not element objects), cheap to compare.

    Raw elements are immutable tuples and converted elements are compared by value, so a
    changed Rows or a new Pixel Data value gives a different key.
    """
    d = ds._dict
    meta = ds.__dict__.get("file_meta")
    ts_elem = meta._dict.get(0x00020010) if meta is not None else None
    pixel = d.get(0x7FE00010) or d.get(0x7FE00008) or d.get(0x7FE00009)
    de = DataElement
    return (
        transfer_syntax,
        ts_elem._value if type(ts_elem) is de else ts_elem,
        ds._read_encoding,
        pixel._value if type(pixel) is de else pixel,
        pixel.VR if type(pixel) is de else None,
        *[e._value if type(e) is de else e for e in map(d.get, _KEY_TAGS)],
    )


def source_for_dataset(ds: Any, transfer_syntax: str | None) -> PixelSource:
    """The (cached) pixel source of an in-memory data set.

    One source is kept per ``transfer_syntax`` argument, so callers that name the
    transfer syntax and callers that do not never evict each other. A source is reused
    without looking at the data set while nothing anywhere has changed
    (:mod:`dicodec.changes`); after a change, only if the values it was built from are
    the same.
    """
    now = _changes._current
    cache = ds._pixel_cache
    sources = cache.get("sources") if type(cache) is dict else None
    if sources is not None:
        entry = sources.get(transfer_syntax)
        if entry is not None and entry[2].dataset is ds:
            if entry[0] == now:
                return entry[2]
            key = _state_key(ds, transfer_syntax)
            if entry[1] == key:
                sources[transfer_syntax] = (now, key, entry[2])
                return entry[2]
    key = _state_key(ds, transfer_syntax)
    source = _build_from_dataset(ds, transfer_syntax)
    if type(cache) is not dict:
        cache = {}
        object.__setattr__(ds, "_pixel_cache", cache)
    if sources is None:
        sources = cache["sources"] = {}
    sources[transfer_syntax] = (now, key, source)
    return source


def _build_from_dataset(ds: Any, transfer_syntax: str | None) -> PixelSource:
    desc = describe(ds, transfer_syntax)
    elem = ds[desc.pixel_tag]
    value = elem.value
    if value is None:
        raise InvalidDicomError("the pixel data element is empty", tag=desc.pixel_tag)
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise InvalidDicomError(f"the pixel data is a {type(value).__name__}, not bytes", tag=desc.pixel_tag)
    if swapped_words(desc, elem.VR):
        value = swap_words(value)  # in memory already: undo the swap once, for every frame
    return PixelSource(desc, MemoryFrames(value, desc), ds)


def _from_path(path: str | os.PathLike[str], transfer_syntax: str | None) -> PixelSource:
    from ..filereader import read_for_pixels

    ds, loc = read_for_pixels(path)
    if loc is None:
        # a deflated data set was parsed whole (it cannot be read in place)
        return source_for_dataset(ds, transfer_syntax)
    desc = describe(ds, transfer_syntax, pixel_tag=loc.tag)
    frames = FileFrames(path, loc.offset, loc.length, desc, swapped_words(desc, loc.vr or "OW"))
    return PixelSource(desc, frames, ds)


@contextmanager
def open_source(src: Any, transfer_syntax: str | None = None) -> Iterator[PixelSource]:
    """Open ``src`` (Dataset, path, bytes or file-like) for frame access.

    Examples
    --------
    >>> from dicodec import examples
    >>> from dicodec.pixels.source import open_source
    >>> with open_source(examples.get_path("ct")) as source:
    ...     source.desc.number_of_frames
    1
    """
    from ..dataset import Dataset
    from ..filereader import dcmread

    if isinstance(src, Dataset):
        source = source_for_dataset(src, transfer_syntax)
    elif isinstance(src, (str, os.PathLike)):
        source = _from_path(src, transfer_syntax)
    elif isinstance(src, (bytes, bytearray, memoryview)) or hasattr(src, "read"):
        source = source_for_dataset(dcmread(src), transfer_syntax)
    else:
        raise TypeError(f"cannot read pixels from a {type(src).__name__}: give a Dataset, a path or a file-like")
    try:
        yield source
    finally:
        source.close()
