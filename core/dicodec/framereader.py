"""Read single frames from a file without loading its pixel data.

:class:`FrameReader` parses the data set up to the pixel data once, builds the frame
offset table (from the Extended or Basic Offset Table, or by scanning item headers —
never fragment contents), and then reads any frame with positioned reads: memory
holds one frame plus the table, and several threads may read frames at once.
:class:`FrameInfo` is everything needed to read frames later, as a JSON-friendly dict.

Examples
--------
>>> import json
>>> from dicodec import examples
>>> from dicodec.framereader import FrameReader, FrameInfo
>>> with FrameReader(examples.get_path("multiframe")) as reader:
...     n = reader.number_of_frames
...     raw = reader.read_frame_raw(n - 1)
...     frame = reader.read_frame(n - 1)
...     info = json.dumps(reader.frame_info.to_dict())
>>> n, frame.shape, len(raw) == frame.nbytes
(10, (64, 64), True)
>>> FrameInfo.from_dict(json.loads(info)).number_of_frames
10
"""

from __future__ import annotations

import io
import os
import struct
import threading
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from .encaps import FrameTable, build_frame_table, scan_items
from .errors import InvalidDicomError

__all__ = ["DicomFileLike", "FrameInfo", "FrameReader"]

_IMAGE_PIXEL_TAGS = (
    0x00280002, 0x00280004, 0x00280006, 0x00280008, 0x00280010, 0x00280011, 0x00280100,
    0x00280101, 0x00280102, 0x00280103, 0x7FE00001, 0x7FE00002,
)


class _Positioned:
    """Positioned reads: ``os.pread`` on a path, or seek+read under a lock on a file-like."""

    def __init__(self, src: str | os.PathLike[str] | BinaryIO) -> None:
        self.lock = threading.Lock()
        if isinstance(src, (str, os.PathLike)):
            self.path: str | None = os.fspath(src)
            self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            self.fp: BinaryIO = os.fdopen(os.dup(self.fd), "rb")
            self.size = os.fstat(self.fd).st_size
            self.owned = True
        elif hasattr(src, "read") and hasattr(src, "seek"):
            self.path = None
            self.fd = -1
            self.fp = src
            pos = src.tell()
            self.size = src.seek(0, io.SEEK_END)
            src.seek(pos)
            self.owned = False
        else:
            raise TypeError(f"FrameReader reads a path or a seekable binary file-like, not {type(src).__name__}")

    def read(self, offset: int, n: int) -> bytes:
        if offset < 0 or n < 0 or offset + n > self.size:
            raise InvalidDicomError(f"a read of {n} bytes at offset {offset} runs past the end ({self.size} bytes)")
        if self.fd >= 0:
            data = os.pread(self.fd, n, offset)
            while len(data) < n:
                more = os.pread(self.fd, n - len(data), offset + len(data))
                if not more:
                    raise InvalidDicomError("the file ended early", offset=offset + len(data))
                data += more
            return data
        with self.lock:
            self.fp.seek(offset)
            data = self.fp.read(n)
        if len(data) != n:
            raise InvalidDicomError("the file ended early", offset=offset + len(data))
        return data

    def close(self) -> None:
        if self.owned:
            self.fp.close()
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1


class DicomFileLike:
    """A file wrapper that reads DICOM tags and lengths in the data set's byte order.

    Examples
    --------
    >>> import io
    >>> f = DicomFileLike(io.BytesIO(b"\\xe0\\x7f\\x10\\x00\\x08\\x00\\x00\\x00"), True)
    >>> hex(f.read_tag()), f.read_UL()
    ('0x7fe00010', 8)
    """

    def __init__(self, fp: BinaryIO, is_little_endian: bool = True) -> None:
        self.fp = fp
        self.is_little_endian = is_little_endian
        self._bo = "<" if is_little_endian else ">"

    def read(self, n: int) -> bytes:
        """``n`` bytes (fewer at the end)."""
        return self.fp.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move in the file."""
        return self.fp.seek(offset, whence)

    def tell(self) -> int:
        """The position in the file."""
        return self.fp.tell()

    def _exact(self, n: int) -> bytes:
        pos = self.fp.tell()
        data = self.fp.read(n)
        if len(data) != n:
            raise InvalidDicomError(f"expected {n} bytes, the file ended", offset=pos)
        return data

    def read_tag(self) -> int:
        """A (group, element) tag as one int."""
        g, e = struct.unpack(self._bo + "HH", self._exact(4))
        return (g << 16) | e

    def read_UL(self) -> int:
        """An unsigned 32-bit value."""
        return int(struct.unpack(self._bo + "L", self._exact(4))[0])

    def read_US(self) -> int:
        """An unsigned 16-bit value."""
        return int(struct.unpack(self._bo + "H", self._exact(2))[0])


@dataclass
class FrameInfo:
    """Where the frames of one file are, and what they are.

    Offsets in ``fragments`` are relative to the start of the Pixel Data value, so
    the same info reads frames from a copy holding only the Pixel Data bytes.

    Attributes
    ----------
    transfer_syntax : str
    pixel_data_location : int
        Absolute offset of the Pixel Data element (its tag) in the file.
    value_location : int
        Absolute offset of the Pixel Data value.
    first_frame_location : int
        Absolute offset of the first byte of frame 0.
    number_of_frames : int
    frame_length : int
        Bytes per native frame (0 for encapsulated data).
    fragments : list of list of (offset, length)
        Encapsulated data: each frame's fragments, relative to ``value_location``.
    image_pixel : dict
        The Image Pixel elements in the DICOM JSON model.
    pixel_tag : int
        (7FE0,0010), (7FE0,0008) or (7FE0,0009).
    is_little_endian : bool
    """

    transfer_syntax: str
    pixel_data_location: int
    value_location: int
    first_frame_location: int
    number_of_frames: int
    frame_length: int = 0
    fragments: list[list[tuple[int, int]]] = field(default_factory=list)
    image_pixel: dict[str, Any] = field(default_factory=dict)
    pixel_tag: int = 0x7FE00010
    is_little_endian: bool = True
    word_swapped: bool = False
    """8-bit native data in a big-endian OW element: bytes are swapped in 16-bit words."""

    def to_dict(self) -> dict[str, Any]:
        """A dict of plain JSON types (round-trips through :func:`json.dumps`)."""
        return {
            "transfer_syntax": self.transfer_syntax,
            "pixel_data_location": self.pixel_data_location,
            "value_location": self.value_location,
            "first_frame_location": self.first_frame_location,
            "number_of_frames": self.number_of_frames,
            "frame_length": self.frame_length,
            "fragments": [[[o, n] for o, n in frame] for frame in self.fragments],
            "image_pixel": self.image_pixel,
            "pixel_tag": f"{self.pixel_tag:08X}",
            "is_little_endian": self.is_little_endian,
            "word_swapped": self.word_swapped,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FrameInfo:
        """The inverse of :meth:`to_dict`."""
        try:
            return cls(
                transfer_syntax=str(d["transfer_syntax"]),
                pixel_data_location=int(d["pixel_data_location"]),
                value_location=int(d["value_location"]),
                first_frame_location=int(d["first_frame_location"]),
                number_of_frames=int(d["number_of_frames"]),
                frame_length=int(d.get("frame_length", 0)),
                fragments=[[(int(o), int(n)) for o, n in frame] for frame in d.get("fragments", [])],
                image_pixel=dict(d.get("image_pixel", {})),
                pixel_tag=int(str(d.get("pixel_tag", "7FE00010")), 16),
                is_little_endian=bool(d.get("is_little_endian", True)),
                word_swapped=bool(d.get("word_swapped", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            from .errors import InvalidValueError

            raise InvalidValueError(f"not a FrameInfo dict: {exc}") from exc

    def dataset(self) -> Any:
        """The Image Pixel elements as a Dataset (with file meta for the transfer syntax)."""
        from .dataset import Dataset

        ds = Dataset.from_json(self.image_pixel)
        meta = ds.ensure_file_meta()
        meta.TransferSyntaxUID = self.transfer_syntax
        return ds


class _ReaderFrames:
    """Frame access for the pixel pipeline, over a FrameReader."""

    def __init__(self, reader: FrameReader, desc: Any) -> None:
        self.reader = reader
        self.desc = desc
        self.frame_length = reader.frame_info.frame_length

    @property
    def identity_layout(self) -> bool:
        from .pixels.frames import _identity

        return _identity(self.desc)

    def get(self, index: int) -> bytes:
        return self.reader.read_frame_raw(index)

    def read_into(self, first: int, out: Any) -> None:
        import numpy as np

        n = out.shape[0] if out.ndim > len(self.desc.spec.shape) else 1
        data = b"".join(self.reader.read_frame_raw(first + k) for k in range(n))
        out[...] = np.frombuffer(data, dtype=out.dtype).reshape(out.shape)

    def close(self) -> None:
        """The reader owns the file."""


class FrameReader:
    """Read frames one at a time from a path or a seekable file-like.

    Parameters
    ----------
    src : str, PathLike or binary file-like
        The DICOM file, or (with ``frame_info``) any copy of it, or a copy holding only
        the Pixel Data value when ``offset=0``.
    frame_info : FrameInfo, optional
        Skip parsing: use this (e.g. from :meth:`FrameInfo.from_dict`).
    offset : int, optional
        With ``frame_info``: where the Pixel Data value starts in ``src`` (default:
        ``frame_info.value_location``).

    Raises
    ------
    InvalidDicomError
        No pixel data, or the offset table and the data disagree (naming the frame).
    """

    def __init__(self, src: str | os.PathLike[str] | BinaryIO, frame_info: FrameInfo | None = None, offset: int | None = None):
        self._io = _Positioned(src)
        self._pixel_source: Any = None  # built on the first read_frame, then reused with its plans
        try:
            if frame_info is None:
                frame_info = self._scan(src)
            self.frame_info = frame_info
            self._base = frame_info.value_location if offset is None else int(offset)
        except BaseException:
            self._io.close()
            raise

    # --------------------------------------------------------------- set-up
    def _scan(self, src: Any) -> FrameInfo:
        from .filereader import read_for_pixels
        from .jsonrep import dataset_to_json_dict
        from .pixels.description import describe

        if self._io.path is not None:
            ds, loc = read_for_pixels(self._io.path)
        else:
            pos = self._io.fp.tell()
            ds, loc = read_for_pixels(self._io.fp)  # offsets are absolute
            self._io.fp.seek(pos)
        if loc is None:
            raise InvalidDicomError("the file has no Pixel Data that can be read in place (none, or a deflated data set)")
        desc = describe(ds, None, pixel_tag=loc.tag)
        header = loc.offset - (8 if loc.is_implicit_VR or loc.vr not in ("OB", "OW", "OF", "OD", "UN", "OV", "OL") else 12)
        from .dataset import Dataset

        image = Dataset()
        for tag in _IMAGE_PIXEL_TAGS:
            if tag in ds:
                image[tag] = ds[tag]
        info = FrameInfo(
            transfer_syntax=desc.transfer_syntax,
            pixel_data_location=header,
            value_location=loc.offset,
            first_frame_location=loc.offset,
            number_of_frames=desc.number_of_frames,
            image_pixel=dataset_to_json_dict(image, 1 << 30, None, False),
            pixel_tag=loc.tag,
            is_little_endian=loc.is_little_endian,
        )
        if desc.encapsulated:
            # Number of Frames is trusted when present; without it, the markers decide.
            declared = desc.number_of_frames if 0x00280008 in ds else None
            table = self._table(loc.offset, loc.length, desc, declared)
            info.fragments = [[(off - loc.offset, n) for off, n in frame] for frame in table.frames[: desc.number_of_frames]]
            info.first_frame_location = table.frames[0][0][0]
        else:
            from .pixels.frames import swapped_words

            info.word_swapped = swapped_words(desc, loc.vr or "OW")
            info.frame_length = desc.spec.native_length
            available = self._io.size - loc.offset if loc.length == 0xFFFFFFFF else min(loc.length, self._io.size - loc.offset)
            from .pixels.frames import _check_native_length

            _check_native_length(available, desc)
        return info

    def _table(self, offset: int, length: int, desc: Any, declared: int | None) -> FrameTable:
        end = self._io.size if length == 0xFFFFFFFF else min(self._io.size, offset + length)
        read = self._io.read
        items = scan_items(read, offset, end)
        bot = read(items[0][0], items[0][1]) if items[0][1] else b""
        table = build_frame_table(
            items, bot, declared, read, extended_offsets=desc.extended_offsets, extended_lengths=desc.extended_lengths
        )
        if len(table) < desc.number_of_frames:
            raise InvalidDicomError(
                f"the Pixel Data holds {len(table)} frames but Number of Frames is {desc.number_of_frames}: "
                f"frame {len(table)} is missing"
            )
        return table

    # ------------------------------------------------------------------ API
    @property
    def number_of_frames(self) -> int:
        """How many frames the pixel data holds."""
        return self.frame_info.number_of_frames

    @property
    def pixel_data_location(self) -> int:
        """Absolute offset of the Pixel Data element in the file."""
        return self.frame_info.pixel_data_location

    @property
    def first_frame_location(self) -> int:
        """Absolute offset of the first byte of frame 0."""
        return self.frame_info.first_frame_location

    @property
    def fp(self) -> BinaryIO:
        """The underlying binary file object."""
        return self._io.fp

    @property
    def dicom_file_like(self) -> DicomFileLike:
        """The file wrapped with ``read_tag()`` / ``read_UL()`` in the data set's byte order."""
        return DicomFileLike(self._io.fp, self.frame_info.is_little_endian)

    def read_frame_raw(self, index: int) -> bytes:
        """The encoded bytes of frame ``index`` (fragments joined; native: the frame's bytes)."""
        info = self.frame_info
        n = info.number_of_frames
        if not -n <= index < n:
            raise IndexError(f"frame {index} is out of range: there are {n} frames")
        index %= n
        if info.fragments:
            parts = info.fragments[index]
            return b"".join(self._io.read(self._base + off, length) for off, length in parts)
        if info.frame_length == 0:
            raise InvalidDicomError("the frame info has neither fragments nor a frame length")
        desc = self._description()
        spec = desc.spec
        if spec.bits_allocated == 1:
            from .pixels.frames import _shift_bits

            start = index * spec.pixels
            first, shift = divmod(start, 8)
            last = (start + spec.pixels + 7) // 8
            chunk = self._read_native(first, last - first)
            return _shift_bits(chunk, shift, spec.pixels) if shift else chunk
        return self._read_native(index * info.frame_length, info.frame_length)

    def _read_native(self, start: int, n: int) -> bytes:
        """``n`` bytes of the native value from ``start``, undoing a 16-bit word swap if any."""
        if not self.frame_info.word_swapped:
            return self._io.read(self._base + start, n)
        from .pixels.frames import read_unswapped

        return read_unswapped(lambda off, k: self._io.read(self._base + off, k), start, n, self._io.size - self._base)

    def read_frame(self, index: int, **options: Any) -> Any:
        """Frame ``index`` decoded through the codec registry.

        Takes the options of :func:`dicodec.pixels.pixel_array` (``decoding_plugin``,
        ``raw``, ``as_rgb``, ``fallback`` and codec options).
        """
        from .pixels.decoder import plan_for

        n = self.number_of_frames
        if not -n <= index < n:
            raise IndexError(f"frame {index} is out of range: there are {n} frames")
        source = self._pixel_source
        if source is None:
            from .pixels.source import PixelSource

            desc = self._description()
            source = self._pixel_source = PixelSource(desc, _ReaderFrames(self, desc), None)  # type: ignore[arg-type]
        plan = plan_for(  # reused while the options, preferences and codecs stay the same
            source,
            options.pop("decoding_plugin", None),
            options.pop("raw", False),
            options.pop("as_rgb", True),
            options.pop("fallback", True),
            options or None,
        )
        return plan.one(index % n)[0]

    def _description(self) -> Any:
        desc = getattr(self, "_desc", None)
        if desc is None:
            from .pixels.description import describe

            desc = describe(self.frame_info.dataset(), self.frame_info.transfer_syntax, self.frame_info.pixel_tag)
            self._desc = desc
        return desc

    def close(self) -> None:
        """Close the file if the reader opened it."""
        self._io.close()

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
