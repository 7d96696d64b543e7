"""Many DICOM files, or the frames of many files, as one lazy dask array.

The headers are read once, up front, in parallel (one small task per batch of files:
:class:`dicodec.framereader.FrameInfo` is a small JSON-able record), then every chunk
of the array opens its file, reads its frames with positioned reads and decodes them
through dicodec's codec registry. Nothing is decoded until the array is computed.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _sources

if TYPE_CHECKING:  # pragma: no cover
    import dask.array

    from dicodec.framereader import FrameInfo

__all__ = ["FrameStack", "frames"]

AUTO_MIN_CHUNK_BYTES = 4 << 20
"""``chunks="auto"`` groups consecutive small files until a chunk decodes to this many
bytes: a dask task costs a millisecond or more of scheduling, which would dominate
chunks of a few kilobytes."""

_DEFLATED = "1.2.840.10008.1.2.1.99"  # Deflated Explicit VR Little Endian

# Image Pixel module elements a frame description needs (as FrameInfo.image_pixel keeps them).
_IMAGE_PIXEL_TAGS = (
    0x00280002, 0x00280004, 0x00280006, 0x00280008, 0x00280010, 0x00280011,
    0x00280100, 0x00280101, 0x00280102, 0x00280103,
)


def _read_infos(batch: Sequence[Any], storage_options: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The frame info (as a JSON-able dict) of each file of ``batch``: one task."""
    from dicodec.errors import InvalidDicomError
    from dicodec.framereader import FrameReader

    out = []
    for src in batch:
        try:
            with _sources.opened(src, storage_options) as fh:
                try:
                    with FrameReader(fh) as reader:
                        out.append(reader.frame_info.to_dict())
                except InvalidDicomError as exc:  # a deflated data set? else ``exc`` again
                    out.append(_whole_file_info(fh, exc))
        except Exception as exc:
            raise _sources.wrap_error(exc, src) from exc
    return out


def _whole_file_info(fh: Any, cause: Exception) -> dict[str, Any]:
    """A frame info for a deflated data set, whose pixel data cannot be read in place.

    Its locations are -1: such a file is decoded whole, by :func:`dicodec.pixels.pixel_array`.
    Any other file raises ``cause`` (what :class:`FrameReader` found wrong).
    """
    from dicodec.dataset import Dataset
    from dicodec.filereader import dcmread
    from dicodec.framereader import FrameInfo
    from dicodec.jsonrep import dataset_to_json_dict
    from dicodec.pixels.description import describe

    if not isinstance(fh, str):
        fh.seek(0)
    ds = dcmread(fh)
    meta = getattr(ds, "file_meta", None)
    deflated = meta is not None and str(meta.get("TransferSyntaxUID", "")) == _DEFLATED
    tag = next((t for t in (0x7FE00010, 0x7FE00008, 0x7FE00009) if t in ds), None)
    if not deflated or tag is None:
        raise cause
    desc = describe(ds, None, pixel_tag=tag)
    image = Dataset()
    for t in _IMAGE_PIXEL_TAGS:
        if t in ds:
            image[t] = ds[t]
    return FrameInfo(
        transfer_syntax=desc.transfer_syntax,
        pixel_data_location=-1,
        value_location=-1,
        first_frame_location=-1,
        number_of_frames=desc.number_of_frames,
        image_pixel=dataset_to_json_dict(image, 1 << 30, None, False),
        pixel_tag=tag,
    ).to_dict()


def _gather_infos(
    sources: Sequence[Any],
    storage_options: Mapping[str, Any] | None,
    client: Any,
    batch_size: int | None,
) -> list[dict[str, Any]]:
    """Read every header in parallel: on ``client``, or on dask's default scheduler."""
    n = len(sources)
    if batch_size is None:
        # A header takes about half a millisecond to read, less than scheduling a task:
        # two batches per thread of the cluster keep every thread busy at little cost.
        batch_size = max(1, math.ceil(n / max(8, 2 * _cluster_threads(client))))
    batches = [list(sources[i : i + batch_size]) for i in range(0, n, batch_size)]
    if client is not None:
        futures = client.map(_read_infos, batches, storage_options=storage_options, pure=False)
        results = client.gather(futures)
    else:
        import dask

        results = dask.compute(*[dask.delayed(_read_infos)(b, storage_options) for b in batches])
    return [info for batch in results for info in batch]


def _cluster_threads(client: Any) -> int:
    """Threads of ``client``'s cluster, else of the default ``Client``, else CPUs here."""
    if client is None and "distributed" in sys.modules:  # no Client can exist otherwise
        try:
            from distributed import default_client

            client = default_client()
        except ValueError:
            client = None
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:  # an unusual client: fall back on the local count
            pass
    return os.cpu_count() or 1


def _frame_layout(info: FrameInfo) -> tuple[tuple[int, ...], np.dtype[Any]]:
    """The decoded frame shape and the (native byte order) dtype the info describes."""
    from dicodec.pixels.description import describe

    spec = describe(info.dataset(), info.transfer_syntax, info.pixel_tag).spec
    return tuple(spec.shape), np.dtype(spec.dtype).newbyteorder("=")


class FrameStack:
    """The frames of many DICOM files, stacked along a first axis, read on demand.

    An array-like (``shape``, ``dtype``, ``ndim``, ``__getitem__``) that
    :func:`dask.array.from_array` wraps: each chunk opens its file and decodes only
    the frames it covers. It is picklable and small (one :class:`FrameInfo` per file),
    so a dask cluster ships it to each worker once. Use :func:`frames` for the dask
    array; build a ``FrameStack`` directly to keep the per-file bookkeeping
    (:attr:`sources`, :attr:`frame_counts`, :meth:`locate`).

    Parameters
    ----------
    sources : sequence
        Absolute local paths, fsspec URLs or fsspec ``OpenFile`` objects (see
        :meth:`open`, which expands globs and reads the headers).
    infos : sequence of FrameInfo or dict
        One per source, as :attr:`FrameReader.frame_info` gives it (or its ``to_dict()``).
    storage_options : dict, optional
        fsspec options used to open URLs.
    **decode_options
        ``decoding_plugin``, ``raw``, ``as_rgb``, ``fallback`` and codec options, passed
        to :meth:`dicodec.framereader.FrameReader.read_frame`.

    Raises
    ------
    ValueError
        No source, or a file whose frames differ in rows, columns, samples per pixel or
        dtype from the first file's (the message names both).

    Examples
    --------
    >>> from dicodec import examples
    >>> stack = FrameStack.open([examples.get_path("multiframe"), examples.get_path("mr")])
    Traceback (most recent call last):
    ...
    ValueError: ...mr...dcm has frames of shape (256, 256) uint16, but the first file ...
    >>> stack = FrameStack.open([examples.get_path("multiframe")] * 2)
    >>> stack.shape, stack.dtype, stack.frame_counts
    ((20, 64, 64), dtype('uint16'), (10, 10))
    >>> stack.locate(13)
    (1, 3)
    >>> int(stack[13].sum()) == int(stack[3].sum())
    True
    """

    def __init__(
        self,
        sources: Sequence[Any],
        infos: Sequence[FrameInfo | Mapping[str, Any]],
        *,
        storage_options: Mapping[str, Any] | None = None,
        **decode_options: Any,
    ) -> None:
        from dicodec.framereader import FrameInfo

        if len(sources) != len(infos):
            raise ValueError(f"{len(sources)} sources but {len(infos)} frame infos")
        if not sources:
            raise ValueError("no files: give at least one path or URL")
        self.sources: tuple[Any, ...] = tuple(sources)
        self.infos: tuple[FrameInfo, ...] = tuple(
            i if isinstance(i, FrameInfo) else FrameInfo.from_dict(dict(i)) for i in infos
        )
        self.storage_options: dict[str, Any] | None = dict(storage_options) if storage_options else None
        self.decode_options: dict[str, Any] = dict(decode_options)
        layouts: dict[str, tuple[tuple[int, ...], np.dtype[Any]]] = {}  # files of a series share one

        def layout(info: FrameInfo) -> tuple[tuple[int, ...], np.dtype[Any]]:
            key = json.dumps([info.transfer_syntax, info.pixel_tag, info.image_pixel], sort_keys=True)
            if key not in layouts:
                layouts[key] = _frame_layout(info)
            return layouts[key]

        first_shape, first_dtype = layout(self.infos[0])
        for src, info in zip(self.sources[1:], self.infos[1:], strict=True):
            shape, dtype = layout(info)
            if shape != first_shape or dtype != first_dtype:
                raise ValueError(
                    f"{_sources.name_of(src)} has frames of shape {shape} {dtype}, but the first file "
                    f"{_sources.name_of(self.sources[0])} has {first_shape} {first_dtype}: all files must "
                    "share rows, columns, samples per pixel and dtype"
                )
        self.frame_shape: tuple[int, ...] = first_shape
        self.dtype: np.dtype[Any] = first_dtype
        self.frame_counts: tuple[int, ...] = tuple(int(i.number_of_frames) for i in self.infos)
        self._starts = np.concatenate([[0], np.cumsum(self.frame_counts, dtype=np.int64)])
        self.shape: tuple[int, ...] = (int(self._starts[-1]), *self.frame_shape)
        self.ndim = len(self.shape)

    # ------------------------------------------------------------ creation
    @classmethod
    def open(
        cls,
        paths_or_urls: Any,
        *,
        storage_options: Mapping[str, Any] | None = None,
        client: Any = None,
        header_batch_size: int | None = None,
        **decode_options: Any,
    ) -> FrameStack:
        """Read the headers of ``paths_or_urls`` in parallel and stack their frames.

        Parameters
        ----------
        paths_or_urls : str, PathLike, OpenFile or iterable of them
            Local paths, fsspec URLs (``"s3://..."``, ``"file://..."``,
            ``"memory://..."``) or ``fsspec.open(...)`` objects; a single string with
            ``*``/``?``/``[`` is a glob, expanded in sorted order.
        storage_options : dict, optional
            fsspec options for URLs.
        client : distributed.Client, optional
            Read the headers on this cluster. Default: dask's current scheduler (the
            default ``Client`` if one exists, else local threads).
        header_batch_size : int, optional
            Files per header task (default: two tasks per thread of the cluster).
        **decode_options
            As for :class:`FrameStack`.

        Returns
        -------
        FrameStack
        """
        sources = _sources.expand(paths_or_urls, storage_options)
        if not sources:
            raise ValueError("no files: give at least one path or URL")
        infos = _gather_infos(sources, storage_options, client, header_batch_size)
        return cls(sources, infos, storage_options=storage_options, **decode_options)

    # ----------------------------------------------------------- array-like
    def __len__(self) -> int:
        return self.shape[0]

    def __repr__(self) -> str:
        return f"FrameStack({len(self.sources)} files, shape={self.shape}, dtype={self.dtype})"

    def __dask_tokenize__(self) -> Any:
        return (
            "dicodec_dask.FrameStack",
            tuple(_sources.name_of(s) for s in self.sources),
            tuple(repr(sorted(i.to_dict().items())) for i in self.infos),
            repr(sorted((self.storage_options or {}).items())),
            repr(sorted(self.decode_options.items())),
        )

    def locate(self, index: int) -> tuple[int, int]:
        """``(file number, frame number in that file)`` of frame ``index`` of the stack.

        Raises
        ------
        IndexError
            ``index`` is out of range.
        """
        n = self.shape[0]
        if not -n <= index < n:
            raise IndexError(f"frame {index} is out of range: the stack has {n} frames")
        index %= n
        f = int(np.searchsorted(self._starts, index, side="right")) - 1
        return f, int(index - self._starts[f])

    def __getitem__(self, key: Any) -> np.ndarray:
        """Decode the frames ``key`` selects along the first axis, then apply the rest.

        Integers, slices (any step), integer lists/arrays and boolean masks select
        frames; later axes take anything numpy takes.
        """
        if not isinstance(key, tuple):
            key = (key,)
        if any(k is Ellipsis for k in key):
            at = next(i for i, k in enumerate(key) if k is Ellipsis)
            fill = self.ndim - (len(key) - 1 - sum(k is None for k in key))
            key = key[:at] + (slice(None),) * max(fill, 0) + key[at + 1 :]
        if key and key[0] is None:
            return self[key[1:]][None]
        first, rest = (key[0], key[1:]) if key else (slice(None), ())
        n = self.shape[0]
        if isinstance(first, (int, np.integer)):
            if not -n <= first < n:
                raise IndexError(f"frame {first} is out of range: the stack has {n} frames")
            wanted = np.array([int(first) % n], dtype=np.int64)
            post: Any = 0
        elif isinstance(first, slice):
            wanted = np.arange(n, dtype=np.int64)[first]
            post = slice(None)
        else:
            index = np.asarray(first)
            if index.size == 0 and index.dtype.kind not in "iub":
                index = index.astype(np.intp)  # [] selects no frame
            wanted = np.arange(n, dtype=np.int64)[index]
            post = slice(None)
        out = np.empty((len(wanted), *self.frame_shape), dtype=self.dtype)
        self._decode_into(wanted, out)
        if not rest and not isinstance(post, int):
            return out
        where = (post, *rest)
        return out[where]

    def _decode_into(self, wanted: np.ndarray, out: np.ndarray) -> None:
        """Decode global frames ``wanted`` into ``out``, opening each file once."""
        if not len(wanted):
            return
        files = np.searchsorted(self._starts, wanted, side="right") - 1
        for f in dict.fromkeys(files.tolist()):
            positions = np.flatnonzero(files == f)
            self._decode_file(f, (wanted[positions] - self._starts[f]).tolist(), out, positions.tolist())

    def _decode_file(self, f: int, local: list[int], out: np.ndarray, positions: list[int]) -> None:
        from dicodec.framereader import FrameReader

        src = self.sources[f]
        info = self.infos[f]
        try:
            with _sources.opened(src, self.storage_options) as fh:
                if info.value_location < 0:  # not readable in place: decode from the whole data set
                    from dicodec.pixels import pixel_array

                    out[positions] = pixel_array(fh, indices=local, **self.decode_options)
                    return
                with FrameReader(fh, frame_info=info) as reader:
                    for pos, i in zip(positions, local, strict=True):
                        out[pos] = reader.read_frame(i, **self.decode_options)
        except Exception as exc:
            raise _sources.wrap_error(exc, src) from exc

    # ----------------------------------------------------------------- dask
    def chunks_for(self, chunks: str | int = "auto") -> tuple[int, ...]:
        """The chunk sizes along the frame axis for ``chunks`` (see :func:`frames`)."""
        if isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool):
            if chunks < 1:
                raise ValueError(f"chunks must be at least 1 frame, not {chunks}")
            n, size = self.shape[0], int(chunks)
            return tuple(min(size, n - i) for i in range(0, n, size))
        if chunks == "frame":
            return (1,) * self.shape[0]
        if chunks == "file":
            return self.frame_counts
        if chunks == "auto":
            import dask
            from dask.utils import parse_bytes

            per_frame = max(1, int(np.prod(self.frame_shape)) * self.dtype.itemsize)
            most = max(1, parse_bytes(dask.config.get("array.chunk-size")) // per_frame)
            least = min(most, max(1, AUTO_MIN_CHUNK_BYTES // per_frame))
            out: list[int] = []
            for count in self.frame_counts:
                if out and out[-1] < least and out[-1] + count <= most:
                    out[-1] += count  # a small file joins the previous small chunk
                    continue
                while count > most:  # a big file is split
                    out.append(most)
                    count -= most
                out.append(count)
            return tuple(out)
        raise ValueError(f"chunks must be 'auto', 'file', 'frame' or a number of frames, not {chunks!r}")

    def to_dask(self, chunks: str | int = "auto") -> dask.array.Array:
        """This stack as a lazy dask array; see :func:`frames` for ``chunks``."""
        import dask.array as da
        from dask.base import tokenize

        along = self.chunks_for(chunks)
        name = "dicodec-frames-" + tokenize(self, along)
        return da.from_array(
            self,
            chunks=(along, *((s,) for s in self.frame_shape)),
            name=name,
            asarray=False,
            lock=False,
            fancy=False,
            meta=np.empty((0,) * self.ndim, dtype=self.dtype),
        )


def frames(
    paths_or_urls: Any,
    *,
    chunks: str | int = "auto",
    storage_options: Mapping[str, Any] | None = None,
    client: Any = None,
    decoding_plugin: str | Sequence[str] | None = None,
    raw: bool = False,
    as_rgb: bool = True,
    header_batch_size: int | None = None,
    **codec_options: Any,
) -> dask.array.Array:
    """The frames of many DICOM files as one lazy dask array.

    Headers are read once, now, in parallel; pixel data is read and decoded when the
    array (or a part of it) is computed, each chunk in its own task, through the
    dicodec codec registry of the process that runs the task.

    Parameters
    ----------
    paths_or_urls : str, PathLike, OpenFile or iterable of them
        Local paths, fsspec URLs or ``fsspec.open(...)`` objects; one string with
        ``*``/``?``/``[`` is a glob (sorted). On a cluster every worker must reach
        them (a shared file system or an object store).
    chunks : {"auto", "file", "frame"} or int
        ``"file"``: one chunk per file; ``"frame"``: one chunk per frame; an int: that
        many frames per chunk (across files); ``"auto"`` (default): one chunk per file,
        except that consecutive files smaller than ``AUTO_MIN_CHUNK_BYTES`` (4 MiB
        decoded) share a chunk up to that size, and a file larger than dask's
        ``array.chunk-size`` is split into runs of frames.
    storage_options : dict, optional
        fsspec options for URLs.
    client : distributed.Client, optional
        Read the headers on this cluster (default: dask's current scheduler).
    decoding_plugin, raw, as_rgb
        As for :func:`dicodec.pixels.pixel_array`.
    header_batch_size : int, optional
        Files per header-reading task.
    **codec_options
        Passed to the codec.

    Returns
    -------
    dask.array.Array
        Shape ``(total frames, rows, columns)`` or ``(total frames, rows, columns,
        samples)``; native byte order.

    Raises
    ------
    ValueError
        The files differ in rows, columns, samples per pixel or dtype: the message
        names the first file that differs.
    dicodec.DicodecError, OSError
        A header cannot be read (the message names the file).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec import examples
    >>> from dicodec.pixels import pixel_array
    >>> path = examples.get_path("multiframe")
    >>> arr = frames([path, path, path], chunks="file")
    >>> arr.shape, arr.chunks[0]
    ((30, 64, 64), (10, 10, 10))
    >>> frames([path, path, path]).chunks[0]  # "auto": small files share a chunk
    (30,)
    >>> bool((arr[10:20].compute() == pixel_array(path)).all())
    True
    >>> int(arr.sum().compute()) == 3 * int(pixel_array(path).sum())
    True
    """
    options: dict[str, Any] = dict(codec_options)
    if decoding_plugin is not None:
        options["decoding_plugin"] = decoding_plugin
    if raw:
        options["raw"] = True
    if not as_rgb:
        options["as_rgb"] = False
    stack = FrameStack.open(
        paths_or_urls,
        storage_options=storage_options,
        client=client,
        header_batch_size=header_batch_size,
        **options,
    )
    return stack.to_dask(chunks)
