"""Reading DICOM Part 10 files and bare data sets.

The parser is iterative: sequences nest to any depth without recursion. Values are
kept as raw bytes (:class:`~dicodec.dataelem.RawDataElement`) and converted on first
use, which is what makes reading fast.

Examples
--------
>>> import io, dicodec
>>> ds = dicodec.Dataset(PatientID="42")
>>> buf = io.BytesIO()
>>> dicodec.dcmwrite(buf, ds, implicit_vr=True, little_endian=True)
>>> dicodec.dcmread(buf.getvalue(), force=True).PatientID
'42'
"""

from __future__ import annotations

import io
import mmap
import os
import struct
import warnings
import zlib
from collections.abc import Iterable
from typing import Any, BinaryIO, NamedTuple, cast

from .config import limit_message, settings
from .dataelem import DataElement, RawDataElement
from .dataset import Dataset, FileDataset, FileMetaDataset
from .errors import DicodecError, DicodecWarning, InvalidDicomError, LimitExceeded
from .tag import Tag
from .vr import ALL_VRS, LONG_LENGTH_VRS

__all__ = ["PixelLocation", "dcmread", "read_dataset", "read_file_meta_info", "read_for_pixels"]

_VR_OF_BYTES: dict[bytes, str] = {v.encode(): v for v in ALL_VRS}
_PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})
_UNDEFINED = 0xFFFFFFFF
_ITEM, _ITEM_END, _SEQ_END = 0xFFFEE000, 0xFFFEE00D, 0xFFFEE0DD
_MMAP_THRESHOLD = 4 * 1024 * 1024
_BIG_VALUE = 1024 * 1024  # values this long are read from the file directly (mapped files only)

_SQ_TAGS: frozenset[int] | None = None
_LE_TAG = struct.Struct("<HH").unpack_from
_BE_TAG = struct.Struct(">HH").unpack_from
_LE_UL = struct.Struct("<L").unpack_from
_BE_UL = struct.Struct(">L").unpack_from
_IMP_LE = struct.Struct("<HHL").unpack_from
_IMP_BE = struct.Struct(">HHL").unpack_from
_EXP_LE = struct.Struct("<HH2sH").unpack_from
_EXP_BE = struct.Struct(">HH2sH").unpack_from


def _sq_tags() -> frozenset[int]:
    global _SQ_TAGS
    if _SQ_TAGS is None:
        from ._dictionary import DICOM_DICT

        _SQ_TAGS = frozenset(t for t, entry in DICOM_DICT.items() if entry[0] == "SQ")
    return _SQ_TAGS


class _Options:
    __slots__ = ("big_reader", "defer_size", "force", "specific", "specific_max", "stop_before_pixels", "strict")

    def __init__(
        self,
        stop_before_pixels: bool,
        defer_size: int | None,
        specific: frozenset[int] | None,
        force: bool,
    ) -> None:
        self.stop_before_pixels = stop_before_pixels
        self.defer_size = defer_size
        self.specific = specific
        self.specific_max = max(specific) if specific else 0
        self.force = force
        self.big_reader: Any = None
        from .config import RAISE, settings

        self.strict = not force and settings.reading_validation_mode == RAISE


class _SeqFrame:
    __slots__ = (
        "end", "implicit", "items", "little", "outer_implicit", "outer_little", "parent", "tag", "tell", "undefined", "vr"
    )

    def __init__(
        self,
        tag: int,
        vr: str,
        tell: int,
        end: int,
        parent: dict[int, Any],
        implicit: bool,
        little: bool,
        outer: tuple[bool, bool] | None = None,
    ) -> None:
        self.outer_implicit, self.outer_little = outer if outer is not None else (implicit, little)
        self.tag = tag
        self.vr = vr
        self.tell = tell
        self.end = end  # -1 for undefined length
        self.undefined = end < 0
        self.parent = parent
        self.items: list[Dataset] = []
        self.implicit = implicit
        self.little = little


class _ItemFrame:
    __slots__ = ("elements", "end", "implicit", "little")

    def __init__(self, end: int, implicit: bool, little: bool) -> None:
        self.elements: dict[int, Any] = {}
        self.end = end
        self.implicit = implicit
        self.little = little


def _too_deep(tag: int, offset: int) -> None:
    raise LimitExceeded(
        limit_message(
            f"sequence {Tag(tag)} at offset {offset} nests deeper than the limit",
            "max_sequence_depth",
            settings.max_sequence_depth,
        )
    )


def _cut_header(g: int, e: int, offset: int, frame_end: int, strict: bool) -> int:
    """A 12-byte element header cut short by the end of the data: raise or warn; where to go on."""
    if strict:
        raise InvalidDicomError("element header is cut short by the end of the data", tag=(g << 16) | e, offset=offset)
    _warn(f"the header of ({g:04X},{e:04X}) at offset {offset} is cut short by the end of the data: ignored")
    return frame_end


def _warn(message: str) -> None:
    warnings.warn(message, DicodecWarning, stacklevel=4)


def _scan_encapsulated(buf: Any, pos: int, end: int, little: bool, base: int, tag: int, strict: bool) -> int:
    """Return the offset of the Sequence Delimitation Item that ends encapsulated data."""
    unpack = struct.Struct("<HHL" if little else ">HHL").unpack_from
    p = pos
    while True:
        if p + 8 > end:
            if strict:
                raise InvalidDicomError(
                    "encapsulated data ends without a Sequence Delimitation Item", tag=tag, offset=base + p
                )
            _warn(f"encapsulated data of {Tag(tag)} ends without a Sequence Delimitation Item (offset {base + p})")
            return end
        g, e, length = unpack(buf, p)
        item = (g << 16) | e
        if item == _SEQ_END:
            return p
        if item != _ITEM:
            # Tolerate a damaged item list: search for the delimiter instead.
            delim = b"\xfe\xff\xdd\xe0" if little else b"\xff\xfe\xe0\xdd"
            found = bytes(buf[p:end]).find(delim)
            if found < 0:
                raise InvalidDicomError(
                    f"expected an Item tag in encapsulated data, found ({g:04X},{e:04X})",
                    tag=tag,
                    offset=base + p,
                )
            _warn(f"damaged item list in encapsulated Pixel Data at offset {base + p}")
            return p + found
        if length == _UNDEFINED:
            raise InvalidDicomError("a fragment has undefined length", tag=tag, offset=base + p)
        if p + 8 + length > end:
            if strict:
                raise InvalidDicomError("a fragment runs past the end of the data", tag=tag, offset=base + p)
            _warn(f"the last fragment of {Tag(tag)} is cut short at offset {base + p}")
            return end
        p += 8 + length


def _parse(
    buf: Any,
    pos: int,
    end: int,
    implicit: bool,
    little: bool,
    opts: _Options,
    base: int = 0,
    only_group: int | None = None,
    sequence_tag: int | None = None,
) -> tuple[dict[int, Any], int]:
    """Parse elements from ``buf[pos:end]``; return the top-level elements and where it stopped."""
    top: dict[int, Any] = {}
    elements = top
    stack: list[Any] = []  # alternating _SeqFrame / _ItemFrame
    if sequence_tag is not None:  # the buffer is the value of a sequence
        stack.append(_SeqFrame(sequence_tag, "SQ", base, end, top, implicit, little))
    frame_end = end
    le_tag = _LE_TAG
    be_tag = _BE_TAG
    le_ul = _LE_UL
    be_ul = _BE_UL
    imp_le = _IMP_LE
    imp_be = _IMP_BE
    exp_le = _EXP_LE
    exp_be = _EXP_BE
    vr_of = _VR_OF_BYTES
    long_vrs = LONG_LENGTH_VRS
    new_raw = tuple.__new__
    stop_pixels = opts.stop_before_pixels
    defer = opts.defer_size
    big_reader = opts.big_reader
    specific = opts.specific
    strict = opts.strict
    Raw = RawDataElement
    sq_tags: frozenset[int] | None = None
    max_stack = 2 * settings.max_sequence_depth  # the stack alternates sequence, item

    while True:
        # ------------------------------------------------ inside a sequence
        if stack and type(stack[-1]) is _SeqFrame:
            seq: _SeqFrame = stack[-1]
            done = False
            if not seq.undefined and pos >= seq.end:
                done = True
            elif pos + 8 > end:
                if strict:
                    raise InvalidDicomError("sequence is cut short by the end of the data", tag=seq.tag, offset=base + pos)
                _warn(f"sequence {Tag(seq.tag)} is cut short by the end of the data at offset {base + pos}")
                pos = end
                done = True
            if not done:
                if seq.little:
                    g, e = le_tag(buf, pos)
                    length = le_ul(buf, pos + 4)[0]
                else:
                    g, e = be_tag(buf, pos)
                    length = be_ul(buf, pos + 4)[0]
                t = (g << 16) | e
                if t == _SEQ_END:
                    pos += 8
                    done = True
                elif t == _ITEM:
                    item_end = -1 if length == _UNDEFINED else pos + 8 + length
                    if item_end > end:
                        if strict:
                            raise InvalidDicomError(
                                f"item length {length} runs past the end of the data", tag=seq.tag, offset=base + pos
                            )
                        item_end = end
                    pos += 8
                    frame = _ItemFrame(item_end, seq.implicit, seq.little)
                    stack.append(frame)
                    elements = frame.elements
                    implicit, little = seq.implicit, seq.little
                    frame_end = item_end if item_end >= 0 else end
                    continue
                elif t == _ITEM_END:
                    _warn(f"stray Item Delimitation Item in sequence {Tag(seq.tag)} at offset {base + pos}")
                    pos += 8
                    continue
                else:
                    if seq.undefined and strict:
                        raise InvalidDicomError(
                            f"expected an Item or Sequence Delimitation tag in a sequence, found ({g:04X},{e:04X})",
                            tag=seq.tag,
                            offset=base + pos,
                        )
                    _warn(
                        f"sequence {Tag(seq.tag)} ends without a delimiter before ({g:04X},{e:04X}) at offset {base + pos}"
                    )
                    done = True
            # close the sequence
            stack.pop()
            elem = DataElement._from_converted(seq.tag, "SQ", _make_sequence(seq.items), seq.tell)
            elem.is_undefined_length = seq.undefined
            if stack or specific is None or seq.tag in specific:
                seq.parent[seq.tag] = elem
            if stack:
                parent_item = cast(_ItemFrame, stack[-1])
                elements = parent_item.elements
                implicit, little = parent_item.implicit, parent_item.little
                frame_end = parent_item.end if parent_item.end >= 0 else end
                if not seq.undefined and seq.end > pos:
                    pos = seq.end
            else:
                elements = top
                implicit, little = seq.outer_implicit, seq.outer_little
                frame_end = end
                if not seq.undefined and seq.end > pos:
                    pos = seq.end
            continue

        # ---------------------------------------------- elements of a data set
        delimited = False
        if implicit:
            head = imp_le if little else imp_be
        else:
            head = exp_le if little else exp_be
        ul = le_ul if little else be_ul
        top_checks = not stack and (only_group is not None or stop_pixels or specific is not None)
        while pos < frame_end:
            if pos + 8 > frame_end:
                if any(bytes(buf[pos:frame_end])):
                    if strict:
                        raise InvalidDicomError("element header is cut short", offset=base + pos)
                    _warn(f"{frame_end - pos} bytes at offset {base + pos} are too short for an element: ignored")
                pos = frame_end
                break
            header = pos
            if only_group is not None and not stack and (le_tag if little else be_tag)(buf, pos)[0] != only_group:
                return top, header  # past the File Meta group: what follows may be deflated
            if implicit:
                g, e, length = head(buf, pos)
                vr = None
                pos += 8
            else:
                g, e, vrb, length = head(buf, pos)
                vr = vr_of.get(vrb)
                if vr is None:
                    if g == 0xFFFE:
                        length = ul(buf, pos + 4)[0]
                        pos += 8
                    elif vrb.isalpha() and vrb.isupper():
                        # Not a known VR: read it as UN, as PS3.5 6.2 asks of unknown VRs.
                        _warn(f"unknown VR {vrb!r} for ({g:04X},{e:04X}) at offset {base + pos}: read as UN")
                        vr = "UN"
                        if pos + 12 > frame_end:
                            pos = _cut_header(g, e, base + pos, frame_end, strict)
                            break
                        length = ul(buf, pos + 8)[0]
                        pos += 12
                    else:
                        # Real files switch to implicit VR for an element: read it so.
                        length = ul(buf, pos + 4)[0]
                        pos += 8
                elif vr in long_vrs:
                    if pos + 12 > frame_end:
                        pos = _cut_header(g, e, base + pos, frame_end, strict)
                        break
                    length = ul(buf, pos + 8)[0]
                    pos += 12
                else:
                    pos += 8
            tag = (g << 16) | e
            if g == 0xFFFE:
                if stack and (tag == _ITEM_END or tag == _SEQ_END):
                    if tag == _ITEM_END:
                        pos = header + 8
                    else:
                        # item without its delimiter: end it, let the sequence see the delimiter
                        _warn(f"item ends without an Item Delimitation Item at offset {base + header}")
                        pos = header
                    delimited = True
                    break
                if not stack and tag in (_ITEM_END, _SEQ_END):
                    _warn(f"stray delimiter ({g:04X},{e:04X}) at offset {base + header} skipped")
                    pos = header + 8
                    continue
            if top_checks:
                if only_group is not None and g != only_group:
                    return top, header
                if stop_pixels and tag in _PIXEL_TAGS:
                    return top, header
                if specific is not None and tag > opts.specific_max:
                    return top, header
            # ---- sequences (explicit SQ, implicit known SQ, undefined-length UN/implicit)
            if vr == "SQ":
                is_seq = True
            elif length == _UNDEFINED:
                if tag in _PIXEL_TAGS or vr == "OB" or vr == "OW":
                    delim = _scan_encapsulated(buf, pos, end, little, base, tag, strict)
                    if specific is None or tag in specific or stack:
                        elements[tag] = new_raw(Raw, (tag, vr or "OB", _UNDEFINED, bytes(buf[pos:delim]), base + pos, implicit, little))
                    pos = delim + 8
                    continue
                if vr == "UN" or vr is None:
                    # PS3.5 6.2.2: an undefined-length UN is a sequence in implicit VR LE.
                    if len(stack) >= max_stack:
                        _too_deep(tag, base + header)
                    stack.append(_SeqFrame(tag, "SQ", base + header, -1, elements, True, True, (implicit, little)))
                    break
                is_seq = True
            elif vr is None:
                if sq_tags is None:
                    sq_tags = _sq_tags()
                is_seq = tag in sq_tags
                if not is_seq and g & 1 and e >= 0x1000:
                    is_seq = _private_vr(elements, tag) == "SQ"
            elif vr == "UN" and length:
                if sq_tags is None:
                    sq_tags = _sq_tags()
                if tag in sq_tags:
                    value_end = pos + length
                    if value_end > end:
                        if strict:
                            raise InvalidDicomError(f"value length {length} runs past the end of the data", tag=tag, offset=base + header)
                        _warn(f"({g:04X},{e:04X}) at offset {base + header}: sequence value truncated")
                        value_end = end
                    if len(stack) >= max_stack:
                        _too_deep(tag, base + header)
                    stack.append(_SeqFrame(tag, "SQ", base + header, value_end, elements, True, True, (implicit, little)))
                    break
                is_seq = False
            else:
                is_seq = False
            if is_seq:
                seq_end = -1 if length == _UNDEFINED else pos + length
                if seq_end > end:
                    if strict:
                        raise InvalidDicomError(
                            f"sequence length {length} runs past the end of the data", tag=tag, offset=base + header
                        )
                    _warn(f"sequence {Tag(tag)} at offset {base + header} is cut short by the end of the data")
                    seq_end = end
                if len(stack) >= max_stack:
                    _too_deep(tag, base + header)
                stack.append(_SeqFrame(tag, "SQ", base + header, seq_end, elements, implicit, little))
                break
            # ---- ordinary values
            value_end = pos + length
            if value_end > end:
                if strict:
                    raise InvalidDicomError(
                        f"value length {length} runs past the end of the data ({end - pos} bytes left)",
                        tag=tag,
                        offset=base + header,
                    )
                _warn(f"({g:04X},{e:04X}) at offset {base + header}: value truncated to {end - pos} of {length} bytes")
                value_end = end
            if specific is not None and not stack and tag not in specific:
                pos = value_end
                continue
            if defer is not None and length > defer and value_end - pos == length:
                elements[tag] = new_raw(Raw, (tag, vr, length, None, base + pos, implicit, little))
            elif big_reader is not None and length >= _BIG_VALUE:
                # one copy from the page cache, without touching the mapping's pages
                value = big_reader(base + pos, value_end - pos)
                elements[tag] = new_raw(Raw, (tag, vr, len(value), value, base + pos, implicit, little))
            else:
                elements[tag] = new_raw(Raw, (tag, vr, value_end - pos, buf[pos:value_end], base + pos, implicit, little))
            pos = value_end
        # -------------------------------------------- end of the element loop
        if not stack:
            return top, pos
        frame = stack[-1]
        if type(frame) is _SeqFrame:
            continue  # a sequence was opened; its first item comes next
        # an item ended: defined length reached, a delimiter, or the end of the data
        stack.pop()
        if frame.end < 0 and not delimited:
            if pos >= end:
                if strict:
                    raise InvalidDicomError("item without delimiter at the end of the data", offset=base + pos)
                _warn(f"item without delimiter at the end of the data (offset {base + pos})")
        elif frame.end >= 0 and pos != frame.end:
            if pos > frame.end:
                if strict:
                    raise InvalidDicomError("item contents run past the item's length", offset=base + pos)
                _warn(f"item contents run past the item's length at offset {base + pos}")
            else:
                pos = frame.end
        seq = stack[-1]
        item = Dataset.__new__(Dataset)
        Dataset.__init__(item, frame.elements)
        object.__setattr__(item, "_read_encoding", (frame.implicit, frame.little))
        seq.items.append(item)
        implicit, little = seq.implicit, seq.little


def _private_vr(elements: dict[int, Any], tag: int) -> str | None:
    """The private dictionary VR of ``tag``, using the creator already read into ``elements``."""
    creator = elements.get((tag & 0xFFFF0000) | ((tag >> 8) & 0xFF))
    if type(creator) is not RawDataElement or not creator.value:
        return None
    from .datadict import private_dictionary_VR

    try:
        return private_dictionary_VR(tag, bytes(creator.value).decode("latin-1").strip(" \x00"))
    except KeyError:
        return None


def _make_sequence(items: list[Dataset]) -> Any:
    from .sequence import Sequence

    seq = Sequence.__new__(Sequence)
    list.extend(seq, items)
    return seq


def parse_sequence_value(tag: int, value: bytes, is_implicit_VR: bool, is_little_endian: bool) -> Any:
    """Parse the bytes of a sequence value (its items) into a Sequence.

    Used for elements whose VR turns out to be SQ only after reading (e.g. private
    sequences, or UN elements the dictionary knows as SQ).
    """
    opts = _Options(False, None, None, True)
    elements, _ = _parse(value, 0, len(value), is_implicit_VR, is_little_endian, opts, sequence_tag=tag)
    return elements[tag].value


def _link_parents(ds: Dataset) -> None:
    """Point every sequence item at the data set holding it (iteratively)."""
    stack = [ds]
    while stack:
        parent = stack.pop()
        for elem in parent._dict.values():
            if type(elem) is DataElement and elem.VR == "SQ":
                for item in elem.value:
                    item.parent = parent
                    stack.append(item)


def read_dataset(
    buf: bytes | bytearray | memoryview,
    is_implicit_VR: bool,
    is_little_endian: bool,
    *,
    stop_before_pixels: bool = False,
    force: bool = False,
) -> Dataset:
    """Parse a bare data set (no preamble, no file meta) from bytes.

    Examples
    --------
    >>> from dicodec.filereader import read_dataset
    >>> ds = read_dataset(b"\\x10\\x00\\x20\\x00\\x02\\x00\\x00\\x00AB", True, True)
    >>> ds.PatientID
    'AB'
    """
    data = bytes(buf)
    opts = _Options(stop_before_pixels, None, None, force)
    elements, _ = _parse(data, 0, len(data), is_implicit_VR, is_little_endian, opts)
    ds = Dataset(elements)
    ds.set_original_encoding(is_implicit_VR, is_little_endian, None)
    _link_parents(ds)
    return ds


def _looks_explicit(buf: Any, pos: int, end: int) -> bool:
    if pos + 6 > end:
        return False
    return bytes(buf[pos + 4 : pos + 6]) in _VR_OF_BYTES


def _looks_like_dataset(buf: Any, pos: int, end: int) -> bool:
    """Heuristic for files without the 'DICM' prefix: a plausible first element header."""
    if end - pos < 8:
        return False
    g_le, _e_le = struct.unpack_from("<HH", buf, pos)
    g_be = struct.unpack_from(">H", buf, pos)[0]
    if _looks_explicit(buf, pos, end):
        return g_le in (0x0002, 0x0008) or g_be in (0x0002, 0x0008) or g_le < 0x0100
    length = struct.unpack_from("<L", buf, pos + 4)[0]
    return g_le in (0x0000, 0x0002, 0x0008) and (length == _UNDEFINED or pos + 8 + length <= end)


def _guess_encoding(buf: Any, pos: int, end: int) -> tuple[bool, bool]:
    """(implicit, little) from the first element of a data set."""
    if end - pos < 8:
        return True, True
    explicit = _looks_explicit(buf, pos, end)
    g_le = struct.unpack_from("<H", buf, pos)[0]
    g_be = struct.unpack_from(">H", buf, pos)[0]
    little = not (g_be < g_le and g_be in (0x0002, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028))
    return (not explicit), little


class _Source:
    """The bytes to parse and how to release them."""

    def __init__(self, fp: Any) -> None:
        self.close_file: BinaryIO | None = None
        self.mm: mmap.mmap | None = None
        self.big_reader: Any = None
        self.base = 0
        self.origin: Any = None
        if isinstance(fp, (str, os.PathLike)):
            f = open(fp, "rb")
            self.origin = os.fspath(fp)
            size = os.fstat(f.fileno()).st_size
            if size >= _MMAP_THRESHOLD:
                self.mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                self.buf: Any = self.mm
                self.close_file = f
                fd = f.fileno()

                def big_reader(offset: int, n: int) -> bytes:
                    data = os.pread(fd, n, offset)
                    while len(data) < n:
                        more = os.pread(fd, n - len(data), offset + len(data))
                        if not more:
                            break
                        data += more
                    return data

                self.big_reader = big_reader
            else:
                self.buf = f.read()
                f.close()
        elif isinstance(fp, (bytes, bytearray, memoryview)):
            self.buf = bytes(fp)
        elif hasattr(fp, "read"):
            self.origin = fp
            try:
                self.base = fp.tell()
            except (OSError, AttributeError, ValueError):
                self.base = 0
            data = fp.read()
            if not isinstance(data, (bytes, bytearray)):
                raise TypeError("the file-like object must be opened in binary mode")
            self.buf = bytes(data)
        else:
            raise TypeError(f"dcmread() takes a path, a file-like object or bytes, not {type(fp).__name__}")
        self.end = len(self.buf)

    def close(self) -> None:
        if self.mm is not None:
            self.mm.close()
        if self.close_file is not None:
            self.close_file.close()


def _read_meta(buf: Any, pos: int, end: int, base: int, force: bool) -> tuple[FileMetaDataset, int]:
    opts = _Options(False, None, None, True)
    implicit = not _looks_explicit(buf, pos, end)
    if implicit:
        _warn("the File Meta Information is encoded with implicit VR; it should be explicit VR")
    elements, new_pos = _parse(buf, pos, end, implicit, True, opts, base, only_group=0x0002)
    meta = FileMetaDataset.__new__(FileMetaDataset)
    Dataset.__init__(meta, elements)
    meta.set_original_encoding(False, True, None)
    return meta, new_pos


def _transfer_syntax_of(meta: FileMetaDataset) -> str | None:
    raw = meta._dict.get(0x00020010)
    if raw is None:
        return None
    value = meta[0x00020010].value
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value).strip("\x00 ") if value else None


def _inflate(data: Any, pos: int, base: int) -> bytes:
    body = bytes(data[pos:])
    limit = settings.max_inflated_bytes
    for wbits in (-zlib.MAX_WBITS, zlib.MAX_WBITS | 32):
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(body, limit)
        except zlib.error as exc:
            last: Exception = exc
            continue
        if inflater.unconsumed_tail or (len(out) >= limit and not inflater.eof):
            raise LimitExceeded(
                limit_message(f"the deflated data set at offset {base + pos} inflates to more bytes", "max_inflated_bytes", limit)
            )
        return out
    raise InvalidDicomError(f"the deflated data set cannot be inflated: {last}", offset=base + pos) from last


def dcmread(
    fp: str | os.PathLike[str] | BinaryIO | bytes | bytearray | memoryview,
    defer_size: int | str | float | None = None,
    stop_before_pixels: bool = False,
    force: bool = False,
    specific_tags: Iterable[Any] | None = None,
) -> FileDataset:
    """Read a DICOM file (Part 10, or a bare data set) into a :class:`FileDataset`.

    Parameters
    ----------
    fp : str, PathLike, file-like or bytes-like
        What to read. A file-like object is read from its current position.
    defer_size : int, str or float, optional
        Values longer than this many bytes (``"512 KB"``, ``"2 MB"`` accepted) are
        not read until used.
    stop_before_pixels : bool
        Stop before (7FE0,0010) Pixel Data (and Float / Double Float Pixel Data).
    force : bool
        Read files without the ``DICM`` prefix and keep going past damage where possible.
    specific_tags : iterable, optional
        Read only these tags (keywords or tags); Specific Character Set is always kept.

    Returns
    -------
    FileDataset

    Raises
    ------
    InvalidDicomError
        The data is not DICOM or is damaged; the message names the tag and offset.

    Examples
    --------
    >>> import dicodec
    >>> from dicodec import examples
    >>> ds = dicodec.dcmread(examples.get_path("ct"), stop_before_pixels=True)
    >>> ds.Modality
    'CT'
    """
    try:
        return _dcmread(fp, defer_size, stop_before_pixels, force, specific_tags)
    except DicodecError:
        raise
    except (struct.error, IndexError, ValueError, UnicodeDecodeError, OverflowError, zlib.error) as exc:
        raise InvalidDicomError(f"cannot read the data set: {type(exc).__name__}: {exc}") from exc


def _size_from(defer_size: int | str | float | None) -> int | None:
    if defer_size is None:
        return None
    if isinstance(defer_size, str):
        number, _, unit = defer_size.strip().partition(" ")
        scale = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}.get(unit.strip().upper())
        if scale is None:
            raise ValueError(f"cannot understand defer_size={defer_size!r}")
        return int(float(number) * scale)
    return int(defer_size)


def _dcmread(
    fp: Any,
    defer_size: int | str | float | None,
    stop_before_pixels: bool,
    force: bool,
    specific_tags: Iterable[Any] | None,
    locate: bool = False,
) -> Any:
    src = _Source(fp)
    try:
        buf, end, base = src.buf, src.end, src.base
        pos = 0
        preamble = None
        if end >= 132 and bytes(buf[128:132]) == b"DICM":
            preamble = bytes(buf[:128])
            pos = 132
        elif end >= 4 and bytes(buf[:4]) == b"DICM":
            pos = 4
        elif not force and not _looks_like_dataset(buf, 0, end):
            raise InvalidDicomError(
                "not a DICOM file: no 'DICM' prefix and the start does not look like a data set "
                "(use force=True to try anyway)",
                offset=base + 128 if end >= 132 else base,
            )
        meta: FileMetaDataset
        if pos + 8 <= end and struct.unpack_from("<H", buf, pos)[0] == 0x0002:
            meta, pos = _read_meta(buf, pos, end, base, force)
        else:
            meta = FileMetaDataset()
            if preamble is not None:
                _warn("the File Meta Information is missing")
        ts = _transfer_syntax_of(meta)
        guessed = _guess_encoding(buf, pos, end)
        deflated = False
        if ts is None:
            implicit, little = guessed
        else:
            from .uid import UID

            uid = UID(ts)
            if not uid.is_transfer_syntax:
                from .plugins.registry import ensure_transfer_syntaxes

                ensure_transfer_syntaxes()  # a plugin may declare it
            if uid.is_transfer_syntax:
                implicit, little, deflated = uid.is_implicit_VR, uid.is_little_endian, uid.is_deflated
            else:
                _warn(f"unknown transfer syntax {ts}: encoding guessed from the data")
                implicit, little = guessed
        source_origin = src.origin
        if deflated:
            buf = _inflate(buf, pos, base)
            pos, end, base = 0, len(buf), 0
            source_origin = None
            guessed = _guess_encoding(buf, 0, end)
        if end - pos >= 8 and not deflated:
            if implicit and not guessed[0]:
                _warn("the transfer syntax says implicit VR but the data set is explicit VR: read as explicit")
                implicit = False
            elif not implicit and guessed[0] and not _looks_explicit(buf, pos, end):
                _warn("the transfer syntax says explicit VR but the data set is implicit VR: read as implicit")
                implicit = True
        specific = None
        if specific_tags is not None:
            specific = frozenset([Tag(t) for t in specific_tags] + [0x00080005])
        dsize = _size_from(defer_size)
        if dsize is not None and source_origin is None:
            dsize = None  # nothing to re-read deferred values from
        if locate and deflated:
            stop_before_pixels = False  # cannot be read in place: parse it all, once
        opts = _Options(stop_before_pixels, dsize, specific, force)
        opts.big_reader = src.big_reader if not deflated else None
        elements, stop = _parse(buf, pos, end, implicit, little, opts, base)
        location = None
        if locate and not deflated and stop + 8 <= end:
            location = _pixel_location(buf, stop, end, implicit, little, base)
    finally:
        src.close()
    ds = FileDataset.__new__(FileDataset)
    Dataset.__init__(ds, elements)
    d = ds.__dict__
    d["preamble"] = preamble
    d["file_meta"] = meta
    d["filename"] = source_origin if isinstance(source_origin, str) else getattr(source_origin, "name", None)
    d["fileobj_type"] = open if isinstance(src.origin, str) else (type(fp) if src.origin is not None else io.BytesIO)
    d["buffer"] = fp if isinstance(fp, (bytes, bytearray, memoryview, io.BytesIO)) else None
    d["timestamp"] = os.stat(src.origin).st_mtime if isinstance(src.origin, str) else None
    object.__setattr__(ds, "_source", source_origin)
    charset = elements.get(0x00080005)
    ds.set_original_encoding(implicit, little, ds.SpecificCharacterSet if charset is not None else None)
    _link_parents(ds)
    if locate:
        return ds, location
    return ds


class PixelLocation(NamedTuple):
    """Where the pixel data element's value lies in a file."""

    tag: int
    vr: str | None
    offset: int  # absolute offset of the value
    length: int  # 0xFFFFFFFF for encapsulated data
    is_little_endian: bool
    is_implicit_VR: bool


def _pixel_location(buf: Any, pos: int, end: int, implicit: bool, little: bool, base: int) -> PixelLocation | None:
    bo = "<" if little else ">"
    g, e = struct.unpack_from(bo + "HH", buf, pos)
    tag = (g << 16) | e
    if tag not in _PIXEL_TAGS:
        return None
    if implicit:
        length = struct.unpack_from(bo + "L", buf, pos + 4)[0]
        return PixelLocation(tag, None, base + pos + 8, length, little, implicit)
    vrb = bytes(buf[pos + 4 : pos + 6])
    vr = _VR_OF_BYTES.get(vrb)
    if vr in LONG_LENGTH_VRS:
        length = struct.unpack_from(bo + "L", buf, pos + 8)[0]
        return PixelLocation(tag, vr, base + pos + 12, length, little, implicit)
    length = struct.unpack_from(bo + "H", buf, pos + 6)[0]
    return PixelLocation(tag, vr, base + pos + 8, length, little, implicit)


def read_for_pixels(path: str | os.PathLike[str] | BinaryIO) -> tuple[FileDataset, PixelLocation | None]:
    """Read everything before the pixel data, and say where the pixel data is.

    The location is ``None`` when the file has no pixel data or it cannot be read in
    place (a deflated data set). From a file object, offsets are absolute positions
    in it. Damage the reader cannot get past is an :class:`InvalidDicomError`.
    """
    try:
        result: tuple[FileDataset, PixelLocation | None] = _dcmread(path, None, True, False, None, locate=True)
    except DicodecError:
        raise
    except (struct.error, IndexError, ValueError, UnicodeDecodeError, OverflowError, zlib.error) as exc:
        raise InvalidDicomError(f"cannot read the data set: {type(exc).__name__}: {exc}") from exc
    return result


def read_file_meta_info(filename: str | os.PathLike[str]) -> FileMetaDataset:
    """Read only the File Meta Information of a Part 10 file."""
    with open(filename, "rb") as f:
        head = f.read(132 + 8)
        if len(head) < 132 or head[128:132] != b"DICM":
            raise InvalidDicomError(f"{os.fspath(filename)} has no 'DICM' prefix")
        length = struct.unpack_from("<L", head, 140 - 4)[0] if head[132:136] == b"\x02\x00\x00\x00" else 0
        f.seek(0)
        data = f.read(132 + 12 + length + 65536) if length else f.read()
    meta, _ = _read_meta(data, 132, len(data), 0, False)
    return meta
