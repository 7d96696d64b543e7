"""Writing data sets as DICOM Part 10 files or bare data sets.

Raw elements that were never touched are written back byte for byte; sequences
and items are written with undefined length; a path is written through a
temporary file that is renamed into place, so a failure (an I/O error or a
``KeyboardInterrupt``, at any point) leaves the previous file as it was and no
temporary file behind.

Examples
--------
>>> import io, dicodec
>>> ds = dicodec.Dataset(PatientID="1", SOPClassUID="1.2.840.10008.5.1.4.1.1.7",
...                      SOPInstanceUID="1.2.3.4")
>>> buf = io.BytesIO()
>>> dicodec.dcmwrite(buf, ds, implicit_vr=False, enforce_file_format=True)
>>> buf.getvalue()[128:132]
b'DICM'
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import stat
import struct
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from .dataelem import DataElement, RawDataElement, _implicit_vr
from .dataset import Dataset, FileMetaDataset
from .errors import DicodecError, WriteError
from .values import encode_value
from .vr import ALL_VRS, BYTES_VRS, LONG_LENGTH_VRS

__all__ = ["dcmwrite", "write_dataset", "write_file_meta_info"]

_UNDEFINED = 0xFFFFFFFF
_ITEM_START = {True: struct.pack("<HHL", 0xFFFE, 0xE000, _UNDEFINED), False: struct.pack(">HHL", 0xFFFE, 0xE000, _UNDEFINED)}
_ITEM_END = {True: struct.pack("<HHL", 0xFFFE, 0xE00D, 0), False: struct.pack(">HHL", 0xFFFE, 0xE00D, 0)}
_SEQ_END = {True: struct.pack("<HHL", 0xFFFE, 0xE0DD, 0), False: struct.pack(">HHL", 0xFFFE, 0xE0DD, 0)}


def _header(tag: int, vr: str, length: int, implicit: bool, little: bool) -> bytes:
    bo = "<" if little else ">"
    if implicit:
        return struct.pack(bo + "HHL", tag >> 16, tag & 0xFFFF, length)
    if vr in LONG_LENGTH_VRS:
        return struct.pack(bo + "HH2s2xL", tag >> 16, tag & 0xFFFF, vr.encode(), length)
    return struct.pack(bo + "HH2sH", tag >> 16, tag & 0xFFFF, vr.encode(), length)


def _write_value(out: BinaryIO, tag: int, vr: str, data: bytes, implicit: bool, little: bool, undefined: bool) -> None:
    if undefined:
        out.write(_header(tag, vr, _UNDEFINED, implicit, little))
        out.write(data)
        out.write(_SEQ_END[little])
        return
    if not implicit and vr not in LONG_LENGTH_VRS and len(data) > 0xFFFF:
        vr = "UN"  # PS3.5 6.2.2: too long for a 16-bit length
    out.write(_header(tag, vr, len(data), implicit, little))
    out.write(data)


def write_dataset(out: BinaryIO, ds: Dataset, implicit_vr: bool, little_endian: bool) -> None:
    """Write the elements of ``ds`` (no preamble or file meta) in the given encoding.

    Examples
    --------
    >>> import io
    >>> from dicodec import Dataset
    >>> from dicodec.filewriter import write_dataset
    >>> buf = io.BytesIO()
    >>> write_dataset(buf, Dataset(PatientID="AB"), True, True)
    >>> buf.getvalue()
    b'\\x10\\x00 \\x00\\x02\\x00\\x00\\x00AB'
    """
    little = little_endian
    stack: list[tuple[Iterator[int], Dataset, bool]] = [(iter(sorted(ds._dict)), ds, False)]
    while stack:
        tags, current, in_item = stack[-1]
        tag = next(tags, None)
        if tag is None:
            stack.pop()
            if in_item:
                out.write(_ITEM_END[little])
            continue
        stored = current._dict[tag]
        if type(stored) is RawDataElement and stored.value is not None:
            raw = stored
            if raw.is_little_endian == little:
                vr = raw.VR
                if vr is None:
                    vr = "UN" if implicit_vr else _implicit_vr(tag, current, current._private_creator_of(tag) if tag >> 16 & 1 else None, raw.length)
                elif vr not in ALL_VRS:
                    vr = "UN"
                _write_value(out, tag, vr, raw.value or b"", implicit_vr, little, raw.length == _UNDEFINED)
                continue
            stored = current[tag]
        elem = stored if isinstance(stored, DataElement) else current[tag]
        if elem.VR == "SQ":
            out.write(_header(tag, "SQ", _UNDEFINED, implicit_vr, little))
            # the delimiter goes under the items on the stack, so it is written after them
            stack.append((_SeqEnd(out, little), current, False))
            for item in reversed(list(elem.value)):
                stack.append((_ItemStart(out, little, item), item, True))
            continue
        if elem.VR in BYTES_VRS and elem.file_tell is not None and isinstance(elem.value, bytes):
            data = elem.value  # read from a file: written back byte for byte, odd length and all
        else:
            data = encode_value(elem.VR, elem.value, little, current._character_set)
        _write_value(out, tag, elem.VR, data, implicit_vr, little, elem.is_undefined_length and tag == 0x7FE00010)


class _SeqEnd:
    """An iterator that writes a Sequence Delimitation Item when exhausted."""

    def __init__(self, out: BinaryIO, little: bool) -> None:
        self.out, self.little = out, little

    def __iter__(self) -> _SeqEnd:
        return self

    def __next__(self) -> int:
        self.out.write(_SEQ_END[self.little])
        raise StopIteration


class _ItemStart:
    """An iterator over an item's tags that writes the Item header first."""

    def __init__(self, out: BinaryIO, little: bool, item: Dataset) -> None:
        self.out, self.little = out, little
        self.tags: Iterator[int] | None = None
        self.item = item

    def __iter__(self) -> _ItemStart:
        return self

    def __next__(self) -> int:
        if self.tags is None:
            self.out.write(_ITEM_START[self.little])
            self.tags = iter(sorted(self.item._dict))
        return next(self.tags)


def write_file_meta_info(out: BinaryIO, file_meta: FileMetaDataset, enforce_standard: bool = True) -> None:
    """Write group 0x0002 as explicit VR little endian, with a recomputed group length."""
    body = io.BytesIO()
    meta = Dataset()
    for tag in sorted(file_meta._dict):
        if tag != 0x00020000:
            meta._dict[tag] = file_meta._dict[tag]
    if enforce_standard:
        if 0x00020001 not in meta._dict:
            meta.add_new(0x00020001, "OB", b"\x00\x01")
        missing = [k for k, t in (("MediaStorageSOPClassUID", 0x00020002), ("MediaStorageSOPInstanceUID", 0x00020003), ("TransferSyntaxUID", 0x00020010)) if t not in meta._dict]
        if missing:
            raise WriteError("the File Meta Information lacks " + ", ".join(missing))
        if 0x00020012 not in meta._dict:
            from .uid import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

            meta.add_new(0x00020012, "UI", IMPLEMENTATION_CLASS_UID)
            if 0x00020013 not in meta._dict:
                meta.add_new(0x00020013, "SH", IMPLEMENTATION_VERSION_NAME)
    write_dataset(body, meta, False, True)
    data = body.getvalue()
    out.write(_header(0x00020000, "UL", 4, False, True) + struct.pack("<L", len(data)))
    out.write(data)


_NATIVE_TS = {(True, True): "1.2.840.10008.1.2", (False, True): "1.2.840.10008.1.2.1", (False, False): "1.2.840.10008.1.2.2"}


def dcmwrite(
    filename: str | os.PathLike[str] | BinaryIO,
    dataset: Dataset,
    /,
    *,
    implicit_vr: bool | None = None,
    little_endian: bool | None = None,
    enforce_file_format: bool = False,
    overwrite: bool = True,
    deflate_level: int = 6,
) -> None:
    """Write ``dataset`` to a path or a writable binary file-like.

    Parameters
    ----------
    filename : str, PathLike or file-like
        Where to write. A path is written through a temporary file in the same folder,
        renamed into place: if the write fails, the previous file (if any) is left as
        it was and no partial file remains; a replaced file keeps its permissions. A
        file object gets the whole file in one ``write`` call (repeated if a raw
        stream takes only part of it) once it is fully encoded, so an encoding error
        writes nothing; an I/O error may leave it holding a prefix of the file, which
        dicodec cannot undo.
    dataset : Dataset
        What to write.
    implicit_vr, little_endian : bool, optional
        The encoding. By default the file meta's Transfer Syntax UID decides, then the
        encoding the data set was read with.
    enforce_file_format : bool
        Write a conformant Part 10 file: preamble, ``DICM``, complete File Meta
        Information (created from the data set where missing).
    overwrite : bool
        If False, refuse to replace an existing file.
    deflate_level : int
        zlib level for Deflated Explicit VR Little Endian.

    Raises
    ------
    WriteError
        The encoding is unknown or inconsistent, or the byte order would change; or
        the file could not be written (the :class:`OSError` is ``__cause__`` and the
        message names the path). With ``overwrite=False`` and an existing file, a
        WriteError that is also a :class:`FileExistsError`.
    InvalidValueError
        A value cannot be encoded in its VR (nothing was written).

    Examples
    --------
    >>> import dicodec, tempfile, os
    >>> ds = dicodec.Dataset(PatientID="1")
    >>> path = os.path.join(tempfile.mkdtemp(), "x.dcm")
    >>> dicodec.dcmwrite(path, ds, implicit_vr=True, little_endian=True)
    >>> dicodec.dcmread(path, force=True).PatientID
    '1'
    """
    from .uid import UID

    meta: FileMetaDataset | None = getattr(dataset, "file_meta", None)
    ts_value = meta.get("TransferSyntaxUID") if meta is not None else None
    ts = UID(str(ts_value)) if ts_value else None
    deflated = False
    if ts is not None and ts.is_transfer_syntax:
        if implicit_vr is not None and implicit_vr != ts.is_implicit_VR:
            raise WriteError(f"implicit_vr={implicit_vr} contradicts the Transfer Syntax UID {ts} ({ts.name})")
        if little_endian is not None and little_endian != ts.is_little_endian:
            raise WriteError(f"little_endian={little_endian} contradicts the Transfer Syntax UID {ts} ({ts.name})")
        implicit_vr, little_endian, deflated = ts.is_implicit_VR, ts.is_little_endian, ts.is_deflated
    orig_implicit, orig_little = dataset.original_encoding
    if implicit_vr is None:
        implicit_vr = orig_implicit
    if little_endian is None:
        little_endian = orig_little if orig_little is not None else (True if implicit_vr is not None else None)
    if implicit_vr is None or little_endian is None:
        raise WriteError(
            "the encoding is unknown: set file_meta.TransferSyntaxUID or pass implicit_vr= and little_endian="
        )
    if implicit_vr and not little_endian:
        raise WriteError("implicit VR big endian is not a DICOM encoding")
    if orig_little is not None and orig_little != little_endian and _has_raw_or_binary(dataset):
        raise WriteError(
            "cannot change the byte order of a data set read as "
            f"{'little' if orig_little else 'big'} endian: binary values (Pixel Data, OW, ...) "
            "would need a reinterpretation dicodec does not guess; decode and rebuild them instead"
        )
    preamble = getattr(dataset, "preamble", None)
    if enforce_file_format:
        meta = _complete_meta(dataset, meta, ts, implicit_vr, little_endian)
        preamble = preamble if preamble is not None else b"\x00" * 128
    if preamble is not None and len(preamble) != 128:
        raise WriteError(f"the preamble must be 128 bytes, not {len(preamble)}")
    buf = io.BytesIO()
    if preamble is not None:
        buf.write(preamble)
        buf.write(b"DICM")
    if meta is not None and len(meta):
        write_file_meta_info(buf, meta, enforce_standard=enforce_file_format)
    if deflated:
        body = io.BytesIO()
        write_dataset(body, dataset, False, True)
        comp = zlib.compressobj(deflate_level, zlib.DEFLATED, -zlib.MAX_WBITS)
        data = comp.compress(body.getvalue()) + comp.flush()
        buf.write(data + (b"\x00" if len(data) % 2 else b""))
    else:
        write_dataset(buf, dataset, implicit_vr, little_endian)
    _emit(filename, buf.getvalue(), overwrite)


def _has_raw_or_binary(ds: Dataset) -> bool:
    for elem in ds._dict.values():
        if type(elem) is RawDataElement:
            return True
    return any(e.VR in ("OW", "OB", "OF", "OD", "OL", "OV", "UN") for e in ds.iterall())


def _complete_meta(
    ds: Dataset, meta: FileMetaDataset | None, ts: Any, implicit: bool, little: bool
) -> FileMetaDataset:
    new = FileMetaDataset()
    if meta is not None:
        for tag in meta._dict:
            new._dict[tag] = meta._dict[tag]
    if 0x00020010 not in new._dict:
        new.add_new(0x00020010, "UI", _NATIVE_TS[(implicit, little)])
    for meta_tag, ds_tag, name in ((0x00020002, 0x00080016, "SOPClassUID"), (0x00020003, 0x00080018, "SOPInstanceUID")):
        if meta_tag not in new._dict:
            if ds_tag not in ds._dict:
                raise WriteError(f"enforce_file_format needs {name} in the data set (or its file meta equivalent)")
            new.add_new(meta_tag, "UI", str(ds[ds_tag].value))
    return new


class _FileExistsWriteError(WriteError, FileExistsError):
    """``overwrite=False`` and the file exists: both a WriteError and a FileExistsError."""


def _describe(target: Any) -> str:
    """How an error message names a file object: its ``name`` if it has one."""
    name = getattr(target, "name", None)
    if isinstance(name, (str, os.PathLike)):
        return os.fspath(name)
    return f"the {type(target).__name__}"


def _emit(target: Any, data: bytes, overwrite: bool) -> None:
    """Write ``data`` to a path (atomically) or a file object, wrapping I/O errors in WriteError."""
    if isinstance(target, (str, os.PathLike)):
        path = os.fspath(target)
        if os.path.islink(path):
            # write where the link points, as open() would: the link itself stays a link
            path = os.path.realpath(path)
        if not overwrite and os.path.exists(path):
            raise _FileExistsWriteError(errno.EEXIST, "the file exists and overwrite=False", path)
        try:
            _write_atomically(path, data, exclusive=not overwrite)
        except FileExistsError as exc:
            if overwrite:  # pragma: no cover - os.replace does not raise it
                raise WriteError(f"cannot write {path}: {exc}") from exc
            raise _FileExistsWriteError(errno.EEXIST, "the file exists and overwrite=False", path) from exc
        except OSError as exc:
            raise WriteError(f"cannot write {path}: {exc}") from exc
        return
    if not hasattr(target, "write"):
        raise TypeError(f"cannot write to a {type(target).__name__}")
    try:
        written = target.write(data)
        # a raw stream (pipe, socket, RawIOBase) may take less than it was given
        while isinstance(written, int) and 0 <= written < len(data):
            if written == 0:
                raise WriteError(f"cannot write to {_describe(target)}: it accepted no bytes")
            data = data[written:]
            written = target.write(data)
    except (OSError, ValueError) as exc:
        if isinstance(exc, DicodecError):
            raise
        raise WriteError(f"cannot write to {_describe(target)}: {exc}") from exc


def _create_temporary(folder: str) -> tuple[int, str]:
    """Create a new empty file with a unique hidden name in ``folder``.

    Unlike :func:`tempfile.mkstemp` (mode 0o600) the file gets the permissions a
    newly created file normally gets (0o666 less the umask).

    Returns
    -------
    tuple of int and str
        The open descriptor (write only) and the file's path.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".dicodec-{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", folder)  # pragma: no cover


def _link_exclusively(tmp: str, path: str) -> None:
    """Give the complete file ``tmp`` the name ``path`` unless that name exists; drop ``tmp``."""
    try:
        os.link(tmp, path)  # atomic, and refuses an existing name
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS):
            raise
        # no hard links here (FAT, some network file systems): check, then rename
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "the file exists", path) from None
        os.replace(tmp, path)
        return
    try:
        os.unlink(tmp)
    except OSError:
        pass  # the file is in place under its name; a stray hidden temporary is harmless


def _write_atomically(path: str, data: bytes, *, durable: bool = False, exclusive: bool = False) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either as before or complete.

    The bytes go to a temporary file in the same folder, renamed over ``path`` once
    written; on any failure (``KeyboardInterrupt`` included) the temporary file is
    deleted and ``path`` is untouched. A replaced file's permission bits are kept.

    Parameters
    ----------
    path : str
        The destination.
    data : bytes
        Its new content.
    durable : bool
        Also ``fsync`` the data before the rename, so that a crash cannot leave an
        empty or partial file under ``path``.
    exclusive : bool
        Never replace an existing ``path``: the complete file is hard-linked to its
        name, which fails if the name exists, even when another process created it
        a moment ago. On file systems without hard links, the name is checked just
        before the rename instead.

    Raises
    ------
    FileExistsError
        ``exclusive`` and ``path`` exists; nothing was changed.
    OSError
        The file system refused; nothing was changed.
    """
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = _create_temporary(folder)
    try:
        try:
            fh = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        if exclusive:
            _link_exclusively(tmp, path)
            return
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            pass  # a new file keeps the default permissions
        else:
            try:
                os.chmod(tmp, mode)
            except OSError:
                pass  # best effort: the content matters more than the permission bits
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
