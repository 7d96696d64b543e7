"""Dataset, FileDataset and FileMetaDataset: the DICOM data set as a Python object.

A :class:`Dataset` maps tags to :class:`~dicodec.dataelem.DataElement` objects and
gives keyword access (``ds.PatientName``). Elements read from a file stay raw bytes
until first used.

Examples
--------
>>> from dicodec import Dataset
>>> ds = Dataset()
>>> ds.PatientName = "Doe^Jane"
>>> ds.Rows = 512
>>> ds[0x00280010].value
512
>>> "PatientName" in ds
True
"""

from __future__ import annotations

import copy as _copy
import io
import os
import warnings
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from .changes import changed
from .dataelem import DataElement, RawDataElement, convert_raw_element
from .errors import DicodecWarning, InvalidDicomError
from .tag import BaseTag, Tag

__all__ = ["Dataset", "FileDataset", "FileMetaDataset", "PrivateBlock"]

_INTERNAL = frozenset(
    {
        "_dict",
        "_parent_ref",
        "_source",
        "_read_encoding",
        "_read_charset",
        "_pixel_options",
        "_pixel_cache",
        "_charset_cache",
    }
)


def _tag_of(key: Any) -> int:
    if type(key) is int or type(key) is BaseTag:
        return key
    return Tag(key)


class PrivateBlock:
    """Access to one private creator's block of elements (PS3.5 7.8.1).

    Obtain it with :meth:`Dataset.private_block`.

    Examples
    --------
    >>> from dicodec import Dataset
    >>> ds = Dataset()
    >>> block = ds.private_block(0x0041, "My Creator", create=True)
    >>> block.add_new(0x01, "LO", "hello")
    >>> ds[0x00411001].value
    'hello'
    """

    def __init__(self, key: tuple[int, str], dataset: Dataset, private_creator_element: int) -> None:
        self.group, self.private_creator = key
        self.dataset = dataset
        self.block_start = private_creator_element << 8

    def get_tag(self, element_offset: int) -> BaseTag:
        """The full tag of ``element_offset`` (0x00-0xFF) in this block."""
        if not 0 <= element_offset <= 0xFF:
            raise ValueError("a private element offset must be in 0x00-0xFF")
        return BaseTag((self.group << 16) | self.block_start | element_offset)

    def __contains__(self, element_offset: int) -> bool:
        return self.get_tag(element_offset) in self.dataset

    def __getitem__(self, element_offset: int) -> DataElement:
        return self.dataset[self.get_tag(element_offset)]

    def __delitem__(self, element_offset: int) -> None:
        del self.dataset[self.get_tag(element_offset)]

    def add_new(self, element_offset: int, VR: str, value: Any) -> None:
        """Add an element at ``element_offset`` in this block."""
        self.dataset.add_new(self.get_tag(element_offset), VR, value)


class Dataset:
    """A DICOM data set: an ordered mapping of tags to data elements.

    Parameters
    ----------
    *args : Mapping, optional
        Initial elements, keyed by tag (values must be DataElement or raw elements).
    **kwargs : object
        Elements by keyword, e.g. ``Dataset(PatientName="A^B")``.

    Examples
    --------
    >>> from dicodec import Dataset
    >>> ds = Dataset(PatientID="12345", Modality="CT")
    >>> ds.Modality
    'CT'
    >>> [e.keyword for e in ds]
    ['Modality', 'PatientID']
    """

    __slots__ = (
        "__dict__",
        "__weakref__",
        "_charset_cache",
        "_dict",
        "_parent_ref",
        "_pixel_cache",
        "_pixel_options",
        "_read_charset",
        "_read_encoding",
        "_source",
    )

    def __init__(self, *args: Mapping[int, DataElement | RawDataElement], **kwargs: Any) -> None:
        sa = object.__setattr__
        sa(self, "_dict", dict(args[0]) if args else {})
        sa(self, "_parent_ref", None)
        sa(self, "_source", None)
        sa(self, "_read_encoding", None)
        sa(self, "_read_charset", None)
        sa(self, "_pixel_options", None)
        sa(self, "_pixel_cache", None)
        sa(self, "_charset_cache", None)
        for key, value in kwargs.items():
            setattr(self, key, value)

    # ------------------------------------------------------------ structure
    @property
    def parent(self) -> Dataset | None:
        """The data set whose sequence holds this item, if any."""
        ref = self._parent_ref
        return ref() if ref is not None else None

    @parent.setter
    def parent(self, value: Dataset | None) -> None:
        object.__setattr__(self, "_parent_ref", weakref.ref(value) if value is not None else None)

    @property
    def _character_set(self) -> list[str] | None:
        """Python codecs for this data set's Specific Character Set (inherited by items)."""
        ds: Dataset | None = self
        while ds is not None:
            raw = ds._dict.get(0x00080005)
            if raw is not None:
                cached = ds._charset_cache
                if cached is not None and cached[0] is raw:
                    return cached[1]
                value = raw.value if isinstance(raw, DataElement) else _raw_charset(raw)
                result = None
                if value:
                    from .charset import convert_encodings

                    result = convert_encodings(value)
                object.__setattr__(ds, "_charset_cache", (raw, result))
                return result
            ds = ds.parent
        return None

    def _private_creator_of(self, tag: int) -> str | None:
        creator_tag = (tag & 0xFFFF0000) | ((tag & 0xFF00) >> 8)
        if creator_tag not in self._dict:
            return None
        value = self[creator_tag].value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, list):
            value = value[0] if value else ""
        return str(value).strip(" \x00") if value is not None else None

    def _root(self) -> Dataset:
        ds: Dataset = self
        while ds.parent is not None:
            ds = ds.parent
        return ds

    def _read_deferred(self, raw: RawDataElement) -> bytes:
        root = self._root()
        source = root._source
        if source is None:
            raise InvalidDicomError("a deferred value cannot be read: the source is unknown", tag=raw.tag)
        if isinstance(source, (str, os.PathLike)):
            stamp = getattr(root, "timestamp", None)
            if stamp is not None and os.stat(source).st_mtime != stamp:
                warnings.warn(
                    f"{source} changed since it was read; the deferred value may be wrong",
                    DicodecWarning,
                    stacklevel=3,
                )
            with open(source, "rb") as fp:
                fp.seek(raw.value_tell)
                data = fp.read(raw.length)
        else:
            pos = source.tell()
            source.seek(raw.value_tell)
            data = source.read(raw.length)
            source.seek(pos)
        if len(data) != raw.length:
            raise InvalidDicomError(
                f"deferred value is truncated: {len(data)} of {raw.length} bytes",
                tag=raw.tag,
                offset=raw.value_tell,
            )
        return data

    # ------------------------------------------------------ mapping protocol
    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return self._slice(key)
        tag = _tag_of(key)
        elem = self._dict[tag]
        if type(elem) is RawDataElement:
            elem = convert_raw_element(elem, self)
            self._dict[tag] = elem
        return elem

    def get_item(self, key: Any, *, keep_deferred: bool = False) -> DataElement | RawDataElement | None:
        """The stored element without converting a raw one (``None`` if absent).

        With ``keep_deferred=False`` a deferred raw value is read in first.
        """
        if isinstance(key, slice):
            return self._slice(key)  # type: ignore[return-value]
        elem = self._dict.get(_tag_of(key))
        if type(elem) is RawDataElement and elem.value is None and not keep_deferred:
            elem = elem._replace(value=self._read_deferred(elem))
            self._dict[elem.tag] = elem
        return elem

    def _slice(self, key: slice) -> Dataset:
        start = _tag_of(key.start) if key.start is not None else 0
        stop = _tag_of(key.stop) if key.stop is not None else 0x100000000
        if key.step not in (None, 1):
            raise ValueError("tag slices do not take a step")
        out = Dataset()
        for tag in sorted(self._dict):
            if start <= tag < stop:
                out._dict[tag] = self._dict[tag]
        out.parent = self.parent
        return out

    def __setitem__(self, key: Any, elem: DataElement | RawDataElement) -> None:
        if isinstance(key, slice):
            raise NotImplementedError("assigning to a tag slice is not supported")
        if not isinstance(elem, (DataElement, RawDataElement)):
            raise TypeError("Dataset items must be DataElement instances; use ds.add_new() for values")
        tag = _tag_of(key)
        if tag != elem.tag:
            raise ValueError(f"the key {BaseTag(tag)} does not match the element's tag {BaseTag(elem.tag)}")
        if isinstance(elem, DataElement):
            if elem.VR == "SQ":
                for item in elem.value:
                    item.parent = self
            if elem.tag.is_private and elem.private_creator is None and not elem.tag.is_private_creator:
                elem.private_creator = self._private_creator_of(tag)
        self._dict[tag] = elem
        changed()

    def __delitem__(self, key: Any) -> None:
        if isinstance(key, slice):
            for tag in list(self._slice(key)._dict):
                del self._dict[tag]
            changed()
            return
        del self._dict[_tag_of(key)]
        changed()

    def __contains__(self, key: Any) -> bool:
        try:
            return _tag_of(key) in self._dict
        except (ValueError, TypeError, OverflowError):
            return False

    def __len__(self) -> int:
        return len(self._dict)

    def __bool__(self) -> bool:
        return True

    def __iter__(self) -> Iterator[DataElement]:
        for tag in sorted(self._dict):
            yield self[tag]

    def __reversed__(self) -> Iterator[DataElement]:
        for tag in sorted(self._dict, reverse=True):
            yield self[tag]

    def keys(self) -> list[BaseTag]:
        """The tags present, in ascending order."""
        return [BaseTag(t) for t in sorted(self._dict)]

    def values(self) -> list[DataElement]:
        """The elements, converted, in tag order."""
        return list(self)

    def items(self) -> list[tuple[BaseTag, DataElement]]:
        """(tag, element) pairs in tag order."""
        return [(e.tag, e) for e in self]

    def elements(self) -> Iterator[DataElement | RawDataElement]:
        """The stored elements in tag order, raw ones left unconverted."""
        for tag in sorted(self._dict):
            yield self._dict[tag]

    def get(self, key: Any, default: Any = None) -> Any:
        """A value by keyword, or an element by tag; ``default`` when absent.

        Examples
        --------
        >>> from dicodec import Dataset
        >>> Dataset(PatientID="7").get("PatientID"), Dataset().get("PatientID", "?")
        ('7', '?')
        """
        if isinstance(key, str) and not key.startswith(("0x", "(")) and not _looks_hex(key):
            try:
                return getattr(self, key)
            except AttributeError:
                return default
        try:
            return self[key]
        except KeyError:
            return default

    def pop(self, key: Any, *default: Any) -> Any:
        """Remove an element by tag or keyword and return it."""
        try:
            tag = _tag_of(key)
        except ValueError:
            if default:
                return default[0]
            raise KeyError(key) from None
        if tag in self._dict:
            elem = self[tag]
            del self._dict[tag]
            changed()
            return elem
        if default:
            return default[0]
        raise KeyError(key)

    def popitem(self) -> tuple[BaseTag, DataElement]:
        """Remove and return the element with the highest tag."""
        if not self._dict:
            raise KeyError("popitem(): the data set is empty")
        tag = max(self._dict)
        return BaseTag(tag), self.pop(tag)

    def setdefault(self, key: Any, default: Any = None) -> DataElement:
        """The element at ``key``, adding ``default`` there first if absent.

        ``default`` may be a DataElement or a value (the VR comes from the dictionary).
        """
        tag = _tag_of(key)
        if tag in self._dict:
            return self[tag]
        if isinstance(default, DataElement):
            self[tag] = default
            return default
        from .datadict import dictionary_VR

        try:
            vr = dictionary_VR(tag)
        except KeyError:
            vr = "UN"
        if " or " in vr:
            from .dataelem import resolve_ambiguous_vr

            vr = resolve_ambiguous_vr(tag, vr, self)
        elem = DataElement(tag, vr, default)
        self[tag] = elem
        return elem

    def update(self, other: Mapping[Any, Any] | Dataset | None = None, **kwargs: Any) -> None:
        """Add or replace elements from a Dataset, a mapping or keyword arguments.

        Mapping values may be DataElements (keyed by tag) or plain values (keyed by keyword).
        """
        pairs: list[tuple[Any, Any]] = []
        if isinstance(other, Dataset):
            pairs = [(tag, other._dict[tag]) for tag in other._dict]
        elif other is not None:
            pairs = list(other.items())
        pairs += list(kwargs.items())
        for key, value in pairs:
            if isinstance(key, str) and not _looks_hex(key):
                setattr(self, key, value)
            else:
                self[key] = value

    def clear(self) -> None:
        """Remove every element."""
        self._dict.clear()
        changed()

    def copy(self) -> Dataset:
        """A shallow copy (elements shared, sequences shared)."""
        return _copy.copy(self)

    def __copy__(self) -> Dataset:
        new = self.__class__.__new__(self.__class__)
        for name in Dataset.__slots__:
            if name not in ("__dict__", "__weakref__"):
                object.__setattr__(new, name, getattr(self, name))
        object.__setattr__(new, "_dict", dict(self._dict))
        object.__setattr__(new, "_pixel_cache", None)  # caches belong to one data set
        new.__dict__.update(self.__dict__)
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> Dataset:
        new = self.__class__.__new__(self.__class__)
        memo[id(self)] = new
        for name in Dataset.__slots__:
            if name in ("__dict__", "__weakref__", "_parent_ref"):
                continue
            if name in ("_pixel_cache", "_charset_cache"):
                object.__setattr__(new, name, None)
                continue
            value = getattr(self, name)
            if name == "_source" and not isinstance(value, (str, os.PathLike, type(None))):
                object.__setattr__(new, name, value)  # file objects are shared, not copied
            else:
                object.__setattr__(new, name, _copy.deepcopy(value, memo))
        object.__setattr__(new, "_parent_ref", None)
        for key, value in self.__dict__.items():
            if key in ("fileobj_type",) or hasattr(value, "read"):
                new.__dict__[key] = value
            else:
                new.__dict__[key] = _copy.deepcopy(value, memo)
        for elem in new._dict.values():
            if isinstance(elem, DataElement) and elem.VR == "SQ":
                for item in elem.value:
                    item.parent = new
        return new

    def __getstate__(self) -> dict[str, Any]:
        state = {n: getattr(self, n) for n in Dataset.__slots__ if n not in ("__dict__", "__weakref__")}
        state["_parent_ref"] = None
        state["_pixel_cache"] = None  # decoded state is rebuilt, never carried across
        if not isinstance(state["_source"], (str, os.PathLike, type(None))):
            state["_source"] = None
        return {"slots": state, "dict": dict(self.__dict__)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state["slots"].items():
            object.__setattr__(self, name, value)
        self.__dict__.update(state["dict"])
        for elem in self._dict.values():
            if isinstance(elem, DataElement) and elem.VR == "SQ":
                for item in elem.value:
                    item.parent = self

    # ------------------------------------------------------- keyword access
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not name[:1].isupper():
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        from .datadict import tag_for_keyword

        tag = tag_for_keyword(name)
        if tag is not None and tag in self._dict:
            return self[tag].value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _INTERNAL:
            object.__setattr__(self, name, value)
            if name == "_read_encoding" or name == "_dict":
                changed()
            return
        tag = None
        if name[:1].isupper():
            from .datadict import tag_for_keyword

            tag = tag_for_keyword(name)
        if tag is None:
            if name[:1].isupper() and name.isidentifier() and not hasattr(type(self), name):
                warnings.warn(
                    f"{name!r} is not a DICOM keyword; it is set as a plain attribute "
                    "and will not be written",
                    DicodecWarning,
                    stacklevel=2,
                )
            object.__setattr__(self, name, value)
            changed()  # file_meta, for one, decides how the pixel data is read
            return
        if tag in self._dict:
            elem = self[tag]
            elem.value = value
            if elem.VR == "SQ":
                for item in elem.value:
                    item.parent = self
            return
        if isinstance(value, DataElement):
            self[tag] = value
            return
        from .datadict import dictionary_VR

        vr = dictionary_VR(tag)
        if " or " in vr:
            from .dataelem import resolve_ambiguous_vr

            vr = resolve_ambiguous_vr(tag, vr, self)
        self[tag] = DataElement(tag, vr, value)

    def __delattr__(self, name: str) -> None:
        from .datadict import tag_for_keyword

        tag = tag_for_keyword(name) if name[:1].isupper() else None
        if tag is not None and tag in self._dict:
            del self._dict[tag]
        elif name in self.__dict__:
            del self.__dict__[name]
        else:
            raise AttributeError(name)
        changed()

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.dir()))

    def dir(self, *filters: str) -> list[str]:
        """Keywords of the elements present, optionally only those containing a filter.

        Examples
        --------
        >>> from dicodec import Dataset
        >>> Dataset(PatientID="1", PatientName="A", Modality="MR").dir("patient")
        ['PatientID', 'PatientName']
        """
        from .datadict import keyword_for_tag

        words = [w for w in (keyword_for_tag(t) for t in self._dict) if w]
        if filters:
            lowered = [f.lower() for f in filters]
            words = [w for w in words if any(f in w.lower() for f in lowered)]
        return sorted(words)

    def trait_names(self) -> list[str]:
        """Names for interactive completion (IPython)."""
        return self.__dir__()

    def data_element(self, name: str) -> DataElement | None:
        """The element for a keyword, or ``None``."""
        from .datadict import tag_for_keyword

        tag = tag_for_keyword(name)
        if tag is None or tag not in self._dict:
            return None
        return self[tag]

    # ------------------------------------------------------------- building
    def add(self, data_element: DataElement) -> None:
        """Add (or replace) an element."""
        self[data_element.tag] = data_element

    def add_new(self, tag: Any, VR: str, value: Any) -> None:
        """Create and add an element from a tag, VR and value.

        Examples
        --------
        >>> from dicodec import Dataset
        >>> ds = Dataset()
        >>> ds.add_new(0x00100020, "LO", "12345")
        >>> ds.PatientID
        '12345'
        """
        self.add(DataElement(tag, VR, value))

    def group_dataset(self, group: int) -> Dataset:
        """A new Dataset holding the elements of one group."""
        return self[(group << 16) : ((group + 1) << 16)]

    def update_raw_element(self, tag: Any, *, vr: str | None = None, value: bytes | None = None) -> None:
        """Change the VR or value bytes of an element that has not been converted yet.

        Useful to repair a file before its values are decoded.
        """
        if vr is None and value is None:
            raise ValueError("give 'vr' and/or 'value'")
        t = _tag_of(tag)
        raw = self._dict.get(t)
        if raw is None:
            raise KeyError(f"no element {BaseTag(t)} in the data set")
        if not isinstance(raw, RawDataElement):
            raise TypeError(f"{BaseTag(t)} has already been converted; set its value instead")
        if vr is not None:
            from .vr import ALL_VRS

            if vr not in ALL_VRS:
                raise ValueError(f"{vr!r} is not a valid VR")
            raw = raw._replace(VR=vr)
        if value is not None:
            raw = raw._replace(value=bytes(value), length=raw.length if raw.length == 0xFFFFFFFF else len(value))
        self._dict[t] = raw
        changed()

    # --------------------------------------------------------------- walking
    def iterall(self) -> Iterator[DataElement]:
        """Every element, depth first, including those inside sequence items."""
        stack: list[Iterator[DataElement]] = [iter(self)]
        while stack:
            try:
                elem = next(stack[-1])
            except StopIteration:
                stack.pop()
                continue
            yield elem
            if elem.VR == "SQ":
                stack.append(_items_elements(elem.value))

    def walk(self, callback: Callable[[Dataset, DataElement], None], recursive: bool = True) -> None:
        """Call ``callback(dataset, element)`` for every element, depth first, in tag order.

        With ``recursive`` the elements of sequence items are visited right after their
        sequence. The callback may delete the element it is given.
        """
        stack: list[Iterator[tuple[Dataset, int]]] = [((self, t) for t in sorted(self._dict))]
        while stack:
            pair = next(stack[-1], None)
            if pair is None:
                stack.pop()
                continue
            ds, tag = pair
            if tag not in ds._dict:
                continue
            elem = ds[tag]
            callback(ds, elem)
            if recursive and tag in ds._dict and elem.VR == "SQ":
                stack.append(_item_tags(elem.value))

    def decode(self) -> None:
        """Convert every element now, applying the Specific Character Set everywhere."""
        for _ in self.iterall():
            pass

    # ------------------------------------------------------------- private
    def private_creators(self, group: int) -> list[str]:
        """The private creator names reserved in an odd group."""
        if not group % 2:
            raise ValueError("private creators live in odd groups")
        out = []
        for elem in self[(group << 16) | 0x10 : (group << 16) | 0x100]:
            value = elem.value
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if value:
                out.append(str(value).strip(" \x00"))
        return out

    def private_block(self, group: int, private_creator: str, create: bool = False) -> PrivateBlock:
        """The block reserved by ``private_creator`` in ``group`` (created if asked)."""
        if not group % 2:
            raise ValueError("private blocks live in odd groups")
        if not private_creator:
            raise ValueError("the private creator name must not be empty")
        free = None
        for elem_no in range(0x10, 0x100):
            tag = (group << 16) | elem_no
            if tag not in self._dict:
                if free is None:
                    free = elem_no
                continue
            value = self[tag].value
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if str(value).strip(" \x00") == private_creator:
                return PrivateBlock((group, private_creator), self, elem_no)
        if not create:
            raise KeyError(f"private creator {private_creator!r} not found in group {group:04X}")
        if free is None:
            raise ValueError(f"group {group:04X} has no free private block")
        self.add_new((group << 16) | free, "LO", private_creator)
        return PrivateBlock((group, private_creator), self, free)

    def add_new_private(
        self, private_creator: str, group: int, element_offset: int, value: Any, VR: str | None = None
    ) -> None:
        """Add a private element, taking its VR from the private dictionary if not given."""
        block = self.private_block(group, private_creator, create=True)
        if VR is None:
            from .datadict import private_dictionary_VR

            try:
                VR = private_dictionary_VR(block.get_tag(element_offset), private_creator)
            except KeyError:
                raise KeyError(
                    f"{private_creator!r} element {element_offset:#04x} is not in the private "
                    "dictionary: give the VR"
                ) from None
        block.add_new(element_offset, VR, value)

    def get_private_item(self, group: int, element_offset: int, private_creator: str) -> DataElement:
        """The private element at ``element_offset`` of ``private_creator``'s block."""
        return self.private_block(group, private_creator)[element_offset]

    def remove_private_tags(self) -> None:
        """Delete every private element, in items too."""

        def drop(ds: Dataset, elem: DataElement) -> None:
            if elem.tag.is_private:
                del ds._dict[elem.tag]
                changed()

        self.walk(drop)

    # -------------------------------------------------------------- encoding
    @property
    def original_encoding(self) -> tuple[bool | None, bool | None]:
        """(is_implicit_VR, is_little_endian) the data set was read with."""
        return self._read_encoding or (None, None)

    @property
    def original_character_set(self) -> str | list[str] | None:
        """Specific Character Set as it was when read."""
        return self._read_charset

    @property
    def is_original_encoding(self) -> bool:
        """True when the encoding and character set are still those the data set was read with."""
        if self._read_encoding is None:
            return False
        current = self.get("SpecificCharacterSet")
        return _charset_key(current) == _charset_key(self._read_charset)

    def set_original_encoding(
        self,
        is_implicit_vr: bool | None,
        is_little_endian: bool | None,
        character_encoding: str | list[str] | None = None,
    ) -> None:
        """Record the encoding the data set (is deemed to have been) read with."""
        object.__setattr__(self, "_read_encoding", (is_implicit_vr, is_little_endian))
        object.__setattr__(self, "_read_charset", character_encoding)

    def ensure_file_meta(self) -> FileMetaDataset:
        """The ``file_meta`` attribute, created empty if missing."""
        meta = self.__dict__.get("file_meta")
        if meta is None:
            meta = FileMetaDataset()
            object.__setattr__(self, "file_meta", meta)
        return meta

    # -------------------------------------------------------------- printing
    def formatted_lines(
        self,
        element_format: str = "{tag} {name:<35.35} {VR}: {repval}",
        sequence_element_format: str = "{tag} {name:<35.35} {VR}: <Sequence, length {length}>",
        indent_format: str | None = None,
    ) -> Iterator[str]:
        """One formatted line per element, depth first, items indented.

        The formats are ``str.format`` templates over the element's ``tag``, ``name``,
        ``keyword``, ``VR``, ``VM``, ``value``, ``repval`` (and ``length`` for sequences).
        """
        stack: list[tuple[Iterator[DataElement], int]] = [(iter(self), 0)]
        while stack:
            it, depth = stack[-1]
            try:
                elem = next(it)
            except StopIteration:
                stack.pop()
                continue
            indent = (indent_format or "   ") * depth
            fields = {
                "tag": elem.tag,
                "name": elem.name,
                "keyword": elem.keyword,
                "VR": elem.VR,
                "VM": elem.VM,
                "value": elem.value,
            }
            if elem.VR == "SQ":
                fields["length"] = len(elem.value)
                yield indent + sequence_element_format.format(**fields)
                stack.append((_items_elements(elem.value), depth + 1))
            else:
                fields["repval"] = elem.repval
                yield indent + element_format.format(**fields)

    def _pretty_lines(self, top_level_only: bool = False) -> Iterator[str]:
        stack: list[tuple[Iterator[Any], int]] = [(iter(self), 0)]
        while stack:
            it, depth = stack[-1]
            try:
                entry = next(it)
            except StopIteration:
                stack.pop()
                continue
            indent = "  " * depth
            if isinstance(entry, str):
                yield indent + entry
                continue
            if isinstance(entry, Dataset):
                stack.append((iter(entry), depth))
                continue
            if entry.VR == "SQ":
                yield f"{indent}{entry.tag}  {entry.name}  {len(entry.value)} item(s) ---- "
                if not top_level_only:
                    marks: list[Any] = []
                    for i, item in enumerate(entry.value):
                        if i:
                            marks.append("---------")
                        marks.append(item)
                    stack.append((iter(marks), depth + 1))
            else:
                yield indent + str(entry)

    def top(self) -> str:
        """The top-level elements only, as text."""
        return "\n".join(self._pretty_lines(top_level_only=True))

    def __str__(self) -> str:
        lines = []
        meta = self.__dict__.get("file_meta")
        if meta is not None and len(meta):
            lines.append("Dataset.file_meta -------------------------------")
            lines.extend(meta._pretty_lines())
            lines.append("-------------------------------------------------")
        lines.extend(self._pretty_lines())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    # ------------------------------------------------------------ comparison
    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if not isinstance(other, Dataset):
            return NotImplemented
        if set(self._dict) != set(other._dict):
            return False
        return all(self[t] == other[t] for t in self._dict)

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = None  # type: ignore[assignment]

    # ---------------------------------------------------------------- pixels
    @property
    def pixel_array(self) -> Any:
        """The decoded pixel data as a numpy array (cached until Pixel Data changes).

        Options set with :meth:`pixel_array_options` apply.

        Examples
        --------
        >>> from dicodec import examples
        >>> examples.ct.pixel_array.shape
        (512, 512)
        """
        from .pixels import pixel_array
        from .pixels.source import source_for_dataset

        options = dict(self._pixel_options or {})
        # the pixel source is the same object exactly while nothing it was built from
        # changed (Pixel Data, Rows, transfer syntax, ...): the array is valid with it
        key = (source_for_dataset(self, None), repr(sorted(options.items())))
        cache = self._pixel_cache if isinstance(self._pixel_cache, dict) else None
        if cache is not None and cache.get("array_key") == key:
            return cache["array"]
        arr = pixel_array(self, **options)
        if cache is None:
            cache = {}
            object.__setattr__(self, "_pixel_cache", cache)
        cache["array_key"], cache["array"] = key, arr
        return arr

    def pixel_array_options(self, **kwargs: Any) -> None:
        """Set the options :attr:`pixel_array` decodes with (those of :func:`dicodec.pixels.pixel_array`).

        Examples
        --------
        >>> from dicodec import examples
        >>> ds = examples.rgb_color
        >>> ds.pixel_array_options(raw=True)
        """
        object.__setattr__(self, "_pixel_options", dict(kwargs))
        object.__setattr__(self, "_pixel_cache", None)

    def compress(self, transfer_syntax_uid: str, arr: Any = None, **kwargs: Any) -> Dataset:
        """Compress the pixel data in place; see :func:`dicodec.pixels.compress`."""
        from .pixels import compress

        return compress(self, transfer_syntax_uid, arr, **kwargs)

    def decompress(self, **kwargs: Any) -> Dataset:
        """Decode the pixel data in place to Explicit VR Little Endian; see :func:`dicodec.pixels.decompress`."""
        from .pixels import decompress

        return decompress(self, **kwargs)

    def set_pixel_data(self, arr: Any, photometric_interpretation: str, bits_stored: int, **kwargs: Any) -> None:
        """Replace the pixel data and its Image Pixel elements; see :func:`dicodec.pixels.set_pixel_data`."""
        from .pixels import set_pixel_data

        set_pixel_data(self, arr, photometric_interpretation, bits_stored, **kwargs)

    def overlay_array(self, group: int) -> Any:
        """The overlay plane of ``group`` (0x6000-0x601E) as uint8 0/1 (needs an overlay plugin)."""
        return self._bulk("overlay", group)

    def waveform_array(self, index: int) -> Any:
        """The multiplex group ``index`` of the waveform as (samples, channels) (needs a waveform plugin)."""
        return self._bulk("waveform", index)

    def _bulk(self, kind: str, arg: Any) -> Any:
        from .errors import NoCodecAvailableError
        from .plugins import get_registry

        handler = get_registry().bulk_handler(kind)
        if handler is None:
            raise NoCodecAvailableError(f"no {kind} handler is installed (pip install dicodec-{kind})")
        return handler(self, arg)

    # --------------------------------------------------------- input/output
    def save_as(
        self,
        filename: str | os.PathLike[str] | BinaryIO,
        /,
        implicit_vr: bool | None = None,
        little_endian: bool | None = None,
        enforce_file_format: bool = False,
        overwrite: bool = True,
        **kwargs: Any,
    ) -> None:
        """Write the data set; see :func:`dicodec.dcmwrite`."""
        from .filewriter import dcmwrite

        dcmwrite(
            filename,
            self,
            implicit_vr=implicit_vr,
            little_endian=little_endian,
            enforce_file_format=enforce_file_format,
            overwrite=overwrite,
            **kwargs,
        )

    def to_json_dict(
        self,
        bulk_data_threshold: int = 1024,
        bulk_data_element_handler: Callable[[DataElement], str] | None = None,
        suppress_invalid_tags: bool = False,
    ) -> dict[str, Any]:
        """The data set in the DICOM JSON model (PS3.18 Annex F) as a dict."""
        from .jsonrep import dataset_to_json_dict

        return dataset_to_json_dict(self, bulk_data_threshold, bulk_data_element_handler, suppress_invalid_tags)

    def to_json(
        self,
        bulk_data_threshold: int = 1024,
        bulk_data_element_handler: Callable[[DataElement], str] | None = None,
        dump_handler: Callable[[dict[str, Any]], str] | None = None,
        suppress_invalid_tags: bool = False,
    ) -> str:
        """The data set as a DICOM JSON string."""
        import json

        d = self.to_json_dict(bulk_data_threshold, bulk_data_element_handler, suppress_invalid_tags)
        if dump_handler is not None:
            return dump_handler(d)
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_json(
        cls,
        json_dataset: dict[str, Any] | str | bytes | bytearray,
        bulk_data_uri_handler: Callable[..., Any] | None = None,
    ) -> Dataset:
        """A Dataset from the DICOM JSON model (a dict or a JSON string)."""
        from .jsonrep import dataset_from_json

        return dataset_from_json(json_dataset, bulk_data_uri_handler, cls)


def _item_tags(seq: list[Dataset]) -> Iterator[tuple[Dataset, int]]:
    for item in seq:
        for tag in sorted(item._dict):
            yield item, tag


def _items_elements(seq: list[Dataset]) -> Iterator[DataElement]:
    for item in seq:
        yield from item


def _looks_hex(key: str) -> bool:
    return len(key) == 8 and all(c in "0123456789abcdefABCDEF" for c in key)


def _raw_charset(raw: RawDataElement) -> Any:
    value = raw.value
    if not value:
        return None
    parts = [p.strip(" \x00") for p in value.decode("latin-1").split("\\")]
    return parts[0] if len(parts) == 1 else parts


def _charset_key(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class FileMetaDataset(Dataset):
    """The File Meta Information (group 0x0002) of a Part 10 file.

    Examples
    --------
    >>> from dicodec.dataset import FileMetaDataset
    >>> meta = FileMetaDataset()
    >>> meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    >>> meta.TransferSyntaxUID.name
    'Explicit VR Little Endian'
    """

    __slots__ = ()

    def __setitem__(self, key: Any, elem: DataElement | RawDataElement) -> None:
        if _tag_of(key) >> 16 != 0x0002:
            raise ValueError(f"only group 0x0002 elements belong in the file meta, not {BaseTag(_tag_of(key))}")
        super().__setitem__(key, elem)


class FileDataset(Dataset):
    """A data set read from, or to be written as, a file.

    Parameters
    ----------
    filename_or_obj : str, PathLike, file-like or None
        Where the data set came from.
    dataset : Dataset or Mapping
        The elements.
    preamble : bytes, optional
        The 128-byte preamble, if the file had one.
    file_meta : FileMetaDataset, optional
        The group 0x0002 elements.
    is_implicit_VR, is_little_endian : bool
        The encoding the data set was read with.

    Examples
    --------
    >>> from dicodec import FileDataset, Dataset
    >>> fds = FileDataset("new.dcm", Dataset(PatientID="1"), preamble=b"\\0" * 128)
    >>> fds.filename
    'new.dcm'
    """

    __slots__ = ()

    def __init__(
        self,
        filename_or_obj: str | os.PathLike[str] | BinaryIO | None,
        dataset: Dataset | Mapping[int, Any],
        preamble: bytes | None = None,
        file_meta: FileMetaDataset | None = None,
        is_implicit_VR: bool = True,
        is_little_endian: bool = True,
    ) -> None:
        super().__init__(dataset._dict if isinstance(dataset, Dataset) else dataset)
        if isinstance(dataset, Dataset):
            object.__setattr__(self, "_read_encoding", dataset._read_encoding)
            object.__setattr__(self, "_read_charset", dataset._read_charset)
        d = self.__dict__
        d["preamble"] = preamble
        d["file_meta"] = file_meta if file_meta is not None else FileMetaDataset()
        d["timestamp"] = None
        d["buffer"] = None
        d["fileobj_type"] = None
        d["filename"] = None
        if isinstance(filename_or_obj, (str, os.PathLike)):
            d["filename"] = os.fspath(filename_or_obj)
            d["fileobj_type"] = open
            try:
                d["timestamp"] = os.stat(filename_or_obj).st_mtime
            except OSError:
                pass
            object.__setattr__(self, "_source", os.fspath(filename_or_obj))
        elif isinstance(filename_or_obj, (bytes, bytearray, memoryview)):
            d["buffer"] = filename_or_obj
            d["fileobj_type"] = io.BytesIO
        elif filename_or_obj is not None:
            d["fileobj_type"] = type(filename_or_obj)
            name = getattr(filename_or_obj, "name", None)
            d["filename"] = name if isinstance(name, str) else None
            if isinstance(filename_or_obj, io.BytesIO):
                d["buffer"] = filename_or_obj
            object.__setattr__(self, "_source", filename_or_obj)
        if self._read_encoding is None:
            object.__setattr__(self, "_read_encoding", (is_implicit_VR, is_little_endian))
        for elem in self._dict.values():
            if isinstance(elem, DataElement) and elem.VR == "SQ":
                for item in elem.value:
                    item.parent = self
