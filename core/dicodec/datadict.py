"""Look up data elements in the DICOM data dictionary and the private dictionary.

Every function takes a tag as an int or as anything :func:`~dicodec.tag.Tag`
accepts. The tables (:mod:`dicodec._dictionary`, :mod:`dicodec._private_dict`)
are loaded the first time a function needs them, not when this module is
imported.

A public entry is the tuple ``(VR, VM, name, is_retired, keyword)``; a private
entry is ``(VR, VM, name, is_retired)``. Besides the tags listed in PS3.6, the
public lookups know:

* repeating groups such as (60xx,3000) *Overlay Data* and (50xx,3000)
  *Curve Data*, for even groups only (odd groups are private);
* a generic group length ``(gggg,0000)`` for any group:
  ``("UL", "1", "Group Length", False, "")``;
* private creator elements ``(gggg,0010)`` to ``(gggg,00FF)`` in odd groups:
  ``("LO", "1", "Private Creator", False, "")``.

The item and delimitation items (FFFE,E000/E00D/E0DD) have the pseudo-VR
``"NONE"``. Some VRs are ambiguous and read ``"US or SS"``, ``"OB or OW"`` or
``"US or SS or OW"``; the data set resolves them.

Examples
--------
>>> from dicodec import datadict
>>> datadict.dictionary_VR(0x00100010)
'PN'
>>> datadict.get_entry("OverlayData")
('OB or OW', '1', 'Overlay Data', False, 'OverlayData')
>>> datadict.tag_for_keyword("PatientID") == 0x00100020
True
>>> datadict.get_private_entry(0x00091001, "GEMS_IDEN_01")
('LO', '1', 'Full Fidelity', False)
"""

from __future__ import annotations

from .tag import BaseTag, Tag, TagLike

__all__ = [
    "DictEntry",
    "PrivateDictEntry",
    "add_dict_entries",
    "add_dict_entry",
    "add_private_dict_entries",
    "add_private_dict_entry",
    "dictionary_VM",
    "dictionary_VR",
    "dictionary_description",
    "dictionary_has_tag",
    "dictionary_is_retired",
    "dictionary_keyword",
    "get_entry",
    "get_private_entry",
    "keyword_for_tag",
    "private_dictionary_VM",
    "private_dictionary_VR",
    "private_dictionary_description",
    "repeater_has_keyword",
    "repeater_has_tag",
    "tag_for_keyword",
]

DictEntry = tuple[str, str, str, bool, str]
"""A public dictionary entry: ``(VR, VM, name, is_retired, keyword)``."""
PrivateDictEntry = tuple[str, str, str, bool]
"""A private dictionary entry: ``(VR, VM, name, is_retired)``."""

_GROUP_LENGTH: DictEntry = ("UL", "1", "Group Length", False, "")
_PRIVATE_CREATOR: DictEntry = ("LO", "1", "Private Creator", False, "")

# Lazily loaded state. ``_VR`` doubles as the fast path of dictionary_VR and as
# the cache of repeating-group matches; it is empty until the first load.
_loaded = False
_DICT: dict[int, DictEntry] = {}
_REPEATERS: dict[str, DictEntry] = {}
_REPEATER_KEYWORD_TAGS: dict[str, int] = {}
# (and_mask, value, mask string): a tag matches when tag & and_mask == value.
_MASKS: list[tuple[int, int, str]] = []
_VR: dict[int, str] = {}
_REPEATER_CACHE: dict[int, str | None] = {}
_REPEATER_CACHE_MAX = 200_000
_KEYWORDS: dict[str, int] | None = None
_PRIVATE: dict[str, dict[str, PrivateDictEntry]] | None = None


def _mask_pair(mask: str) -> tuple[int, int]:
    """``(and_mask, value)`` for an 8-character mask such as ``"60xx3000"``."""
    and_mask = int("".join("0" if c in "xX" else "F" for c in mask), 16)
    value = int(mask.replace("x", "0").replace("X", "0"), 16)
    return and_mask, value


def _load() -> None:
    """Load the public dictionary, once."""
    global _loaded, _DICT, _REPEATERS, _REPEATER_KEYWORD_TAGS, _MASKS, _VR
    if _loaded:
        return
    from ._dictionary import DICOM_DICT, REPEATING_DICT, REPEATING_KEYWORD_TAGS

    masks = [(*_mask_pair(m), m) for m in REPEATING_DICT]
    # Most specific first (fewest wildcard nibbles), then by mask text.
    masks.sort(key=lambda item: (item[2].count("x"), item[2]))
    vr = {tag: entry[0] for tag, entry in DICOM_DICT.items()}
    # Publish: the private copies keep add_dict_entry from touching the module.
    _DICT = dict(DICOM_DICT)
    _REPEATERS = dict(REPEATING_DICT)
    _REPEATER_KEYWORD_TAGS = dict(REPEATING_KEYWORD_TAGS)
    _MASKS = masks
    _VR = vr
    _loaded = True


def _as_int(tag: object) -> int:
    if type(tag) is int:
        return tag
    if type(tag) is BaseTag:
        return int(tag)
    return int(Tag(tag))  # type: ignore[arg-type]


def _match_repeater(tag: int) -> str | None:
    """The repeating-group mask that describes ``tag``, or ``None``."""
    try:
        return _REPEATER_CACHE[tag]
    except KeyError:
        pass
    found = None
    if not (tag >> 16) & 1:
        for and_mask, value, mask in _MASKS:
            if tag & and_mask == value:
                found = mask
                break
    if len(_REPEATER_CACHE) < _REPEATER_CACHE_MAX:
        _REPEATER_CACHE[tag] = found
    return found


def _lookup(tag: int) -> DictEntry | None:
    """The public entry for an int tag, or ``None``."""
    if not _loaded:
        _load()
    entry = _DICT.get(tag)
    if entry is not None:
        return entry
    elem = tag & 0xFFFF
    if elem == 0:
        return _GROUP_LENGTH
    if (tag >> 16) & 1:
        return _PRIVATE_CREATOR if 0x0010 <= elem <= 0x00FF else None
    mask = _match_repeater(tag)
    if mask is not None:
        return _REPEATERS[mask]
    return None


def _unknown(tag: int) -> KeyError:
    return KeyError(f"tag {BaseTag(tag)} is not in the DICOM data dictionary")


def get_entry(tag: TagLike) -> DictEntry:
    """Return the dictionary entry for a public tag.

    Parameters
    ----------
    tag : int, str or tuple
        The tag, in any form :func:`~dicodec.tag.Tag` accepts.

    Returns
    -------
    tuple of (str, str, str, bool, str)
        ``(VR, VM, name, is_retired, keyword)``.

    Raises
    ------
    KeyError
        If the dictionary does not describe the tag (private data elements
        are never described: see :func:`get_private_entry`).

    Examples
    --------
    >>> get_entry(0x00100010)
    ('PN', '1', "Patient's Name", False, 'PatientName')
    >>> get_entry(0x60023000)[4]
    'OverlayData'
    >>> get_entry(0x00090000)
    ('UL', '1', 'Group Length', False, '')
    """
    t = _as_int(tag)
    entry = _lookup(t)
    if entry is None:
        raise _unknown(t)
    return entry


def dictionary_has_tag(tag: TagLike) -> bool:
    """Return True if :func:`get_entry` knows ``tag``.

    Examples
    --------
    >>> dictionary_has_tag(0x00100010), dictionary_has_tag(0x00091001)
    (True, False)
    """
    return _lookup(_as_int(tag)) is not None


def dictionary_VR(tag: TagLike) -> str:
    """Return the VR of a public tag (possibly ambiguous, e.g. ``"US or SS"``).

    This is on the implicit VR reading path: a plain ``int`` tag already looked
    up costs one dictionary access.

    Raises
    ------
    KeyError
        If the dictionary does not describe the tag.

    Examples
    --------
    >>> dictionary_VR(0x00280010), dictionary_VR(0x60003000), dictionary_VR(0x00280106)
    ('US', 'OB or OW', 'US or SS')
    """
    if type(tag) is int:
        try:
            return _VR[tag]
        except KeyError:
            pass
    elif type(tag) is BaseTag:
        # A plain int key avoids BaseTag.__eq__ inside the dict lookup.
        try:
            return _VR[int(tag)]
        except KeyError:
            pass
    t = _as_int(tag)
    entry = _lookup(t)
    if entry is None:
        raise _unknown(t)
    if t in _REPEATER_CACHE and len(_VR) < len(_DICT) + _REPEATER_CACHE_MAX:
        _VR[t] = entry[0]
    return entry[0]


def dictionary_VM(tag: TagLike) -> str:
    """Return the VM (value multiplicity) of a public tag, e.g. ``"1-n"``.

    Raises
    ------
    KeyError
        If the dictionary does not describe the tag.

    Examples
    --------
    >>> dictionary_VM("ImageType")
    '2-n'
    """
    return get_entry(tag)[1]


def dictionary_description(tag: TagLike) -> str:
    """Return the human readable name of a public tag.

    Raises
    ------
    KeyError
        If the dictionary does not describe the tag.

    Examples
    --------
    >>> dictionary_description(0x00100010)
    "Patient's Name"
    """
    return get_entry(tag)[2]


def dictionary_keyword(tag: TagLike) -> str:
    """Return the keyword of a public tag (``''`` for group lengths and creators).

    Raises
    ------
    KeyError
        If the dictionary does not describe the tag.

    Examples
    --------
    >>> dictionary_keyword(0x7FE00010)
    'PixelData'
    """
    return get_entry(tag)[4]


def dictionary_is_retired(tag: TagLike) -> bool:
    """Return True if the tag is retired in the standard.

    Raises
    ------
    KeyError
        If the dictionary does not describe the tag.

    Examples
    --------
    >>> dictionary_is_retired(0x00100010), dictionary_is_retired(0x00080040)
    (False, True)
    """
    return get_entry(tag)[3]


def keyword_for_tag(tag: TagLike) -> str:
    """Return the keyword of a tag, or ``''`` if it has none or is unknown.

    Examples
    --------
    >>> keyword_for_tag(0x00100010), keyword_for_tag(0x00091001)
    ('PatientName', '')
    """
    try:
        t = _as_int(tag)
    except (TypeError, ValueError):
        return ""
    entry = _lookup(t)
    return "" if entry is None else entry[4]


def _keywords() -> dict[str, int]:
    global _KEYWORDS
    if _KEYWORDS is None:
        if not _loaded:
            _load()
        keywords = dict(_REPEATER_KEYWORD_TAGS)
        for tag, entry in _DICT.items():
            if entry[4]:
                keywords[entry[4]] = tag
        _KEYWORDS = keywords
    return _KEYWORDS


def tag_for_keyword(keyword: str) -> int | None:
    """Return the tag for a keyword, or ``None`` if the keyword is unknown.

    A repeating-group keyword gives the tag in its first group, for example
    ``"OverlayData"`` gives ``0x60003000``.

    Examples
    --------
    >>> hex(tag_for_keyword("PatientName"))
    '0x100010'
    >>> hex(tag_for_keyword("OverlayData"))
    '0x60003000'
    >>> tag_for_keyword("NotAKeyword") is None
    True
    """
    keywords = _KEYWORDS if _KEYWORDS is not None else _keywords()
    return keywords.get(keyword)


def repeater_has_tag(tag: TagLike) -> bool:
    """Return True if a repeating-group entry (e.g. (60xx,3000)) describes ``tag``.

    A tag with an entry of its own, such as (0028,0400) which falls inside the
    mask (0028,04x0), gives False.

    Examples
    --------
    >>> repeater_has_tag(0x60023000), repeater_has_tag(0x00100010)
    (True, False)
    """
    t = _as_int(tag)
    if not _loaded:
        _load()
    if t in _DICT:
        return False
    return _match_repeater(t) is not None


def repeater_has_keyword(keyword: str) -> bool:
    """Return True if ``keyword`` names a repeating-group element.

    Examples
    --------
    >>> repeater_has_keyword("OverlayData"), repeater_has_keyword("PatientName")
    (True, False)
    """
    if not _loaded:
        _load()
    return keyword in _REPEATER_KEYWORD_TAGS


# ------------------------------------------------------------- private tags


def _private() -> dict[str, dict[str, PrivateDictEntry]]:
    global _PRIVATE
    if _PRIVATE is None:
        from ._private_dict import PRIVATE_DICT

        _PRIVATE = {creator: dict(entries) for creator, entries in PRIVATE_DICT.items()}
    return _PRIVATE


def get_private_entry(tag: TagLike, private_creator: str) -> PrivateDictEntry:
    """Return the private dictionary entry for a private data element.

    Matching ignores the block byte (the high byte of the element, which
    depends on where the creator was placed), so ``(0009,1001)`` and
    ``(0009,1201)`` with the same creator find the same entry. A few entries
    are tied to one block; they are tried first.

    Parameters
    ----------
    tag : int, str or tuple
        The tag of the private data element.
    private_creator : str
        The value of its private creator element.

    Returns
    -------
    tuple of (str, str, str, bool)
        ``(VR, VM, name, is_retired)``.

    Raises
    ------
    KeyError
        If the creator or the element is not in the private dictionary.

    Examples
    --------
    >>> get_private_entry(0x00191008, "PHILIPS MR/PART")[:3]
    ('IS', '1', 'Patient Position')
    """
    t = _as_int(tag)
    table = _private()
    entries = table.get(private_creator)
    if entries is None and isinstance(private_creator, str):
        entries = table.get(private_creator.strip())
    if entries is None:
        raise KeyError(f"private creator {private_creator!r} is not in the private dictionary")
    group = t >> 16
    elem = t & 0xFFFF
    low = elem & 0xFF
    for key in (
        f"{group:04X}{elem:04X}",
        f"{group:04X}xx{low:02X}",
        f"{group >> 8:02X}xxxx{low:02X}",
    ):
        entry = entries.get(key)
        if entry is not None:
            return entry
    raise KeyError(f"tag {BaseTag(t)} is not in the private dictionary for {private_creator!r}")


def private_dictionary_VR(tag: TagLike, private_creator: str) -> str:
    """Return the VR of a private data element.

    Raises
    ------
    KeyError
        If the creator or the element is not in the private dictionary.

    Examples
    --------
    >>> private_dictionary_VR(0x00431001, "GEMS_PARM_01")
    'SS'
    """
    return get_private_entry(tag, private_creator)[0]


def private_dictionary_VM(tag: TagLike, private_creator: str) -> str:
    """Return the VM of a private data element.

    Raises
    ------
    KeyError
        If the creator or the element is not in the private dictionary.

    Examples
    --------
    >>> private_dictionary_VM(0x00431001, "GEMS_PARM_01")
    '1'
    """
    return get_private_entry(tag, private_creator)[1]


def private_dictionary_description(tag: TagLike, private_creator: str) -> str:
    """Return the human readable name of a private data element.

    Raises
    ------
    KeyError
        If the creator or the element is not in the private dictionary.

    Examples
    --------
    >>> private_dictionary_description(0x00091001, "GEMS_IDEN_01")
    'Full Fidelity'
    """
    return get_private_entry(tag, private_creator)[2]


# ----------------------------------------------------------------- updating


def add_dict_entry(
    tag: TagLike,
    VR: str,
    keyword: str,
    description: str,
    VM: str = "1",
    is_retired: bool = False,
) -> None:
    """Add or replace a public dictionary entry.

    Parameters
    ----------
    tag : int, str or tuple
        The tag; it must not be private (use :func:`add_private_dict_entry`).
    VR : str
        The value representation.
    keyword : str
        The keyword, usable afterwards with :func:`tag_for_keyword` and as a
        data set attribute.
    description : str
        The human readable name.
    VM : str, optional
        The value multiplicity (default ``"1"``).
    is_retired : bool, optional
        Whether the element is retired (default False).

    Raises
    ------
    ValueError
        If the tag is private.

    Examples
    --------
    >>> add_dict_entry(0x10011001, "UL", "TestOne", "Test One")
    Traceback (most recent call last):
    ...
    ValueError: private tags cannot be added to the public dictionary: (1001,1001)
    >>> add_dict_entry(0x00F00010, "LO", "DicodecDocExample", "Dicodec Doc Example")
    >>> dictionary_VR("DicodecDocExample")
    'LO'
    """
    add_dict_entries({tag: (VR, VM, description, is_retired, keyword)})


def add_dict_entries(
    mapping: dict[int, DictEntry] | dict[str, DictEntry] | dict[TagLike, DictEntry],
) -> None:
    """Add or replace several public dictionary entries.

    Parameters
    ----------
    mapping : dict
        ``{tag: (VR, VM, description, is_retired, keyword)}``, the tuple in the
        order :func:`get_entry` returns.

    Raises
    ------
    ValueError
        If any tag is private; nothing is added then.

    Examples
    --------
    >>> add_dict_entries({0x00F00011: ("US", "1", "Dicodec Example Two", False, "DicodecTwo")})
    >>> get_entry(0x00F00011)[4]
    'DicodecTwo'
    """
    global _KEYWORDS
    new: dict[int, DictEntry] = {}
    for tag, entry in mapping.items():
        t = Tag(tag)
        if t.is_private:
            raise ValueError(f"private tags cannot be added to the public dictionary: {t}")
        vr, vm, description, is_retired, keyword = entry
        new[int(t)] = (str(vr), str(vm), str(description), bool(is_retired), str(keyword))
    if not _loaded:
        _load()
    keywords = _keywords()
    for value, entry in new.items():
        old = _DICT.get(value)
        if old is not None and old[4] and keywords.get(old[4]) == value:
            del keywords[old[4]]
        _DICT[value] = entry
        _VR[value] = entry[0]
        if entry[4]:
            keywords[entry[4]] = value
    _REPEATER_CACHE.clear()


def _private_key(tag: object) -> str:
    """The private dictionary key for a tag or an 8-character mask."""
    if isinstance(tag, str) and len(tag) == 8 and "x" in tag.lower():
        text = tag[:4].upper() + tag[4:6].lower() + tag[6:].upper()
        if (
            text[4:6] == "xx"
            and all(c in "0123456789ABCDEFx" for c in text)
            and "x" not in text[6:]
        ):
            return text.replace("X", "x")
        raise ValueError(f"{tag!r} is not a private tag mask such as '0009xx01'")
    t = Tag(tag)  # type: ignore[arg-type]
    if not t.is_private:
        raise ValueError(f"{t} is not a private tag")
    return f"{t.group:04X}xx{t.element & 0xFF:02X}"


def add_private_dict_entry(
    private_creator: str,
    tag: TagLike,
    VR: str,
    description: str,
    VM: str = "1",
) -> None:
    """Add or replace an entry in the private dictionary.

    Parameters
    ----------
    private_creator : str
        The private creator the element belongs to.
    tag : int, str or tuple
        The element's tag, in any block (only the low byte of the element is
        kept), or a mask such as ``"0009xx01"``.
    VR : str
        The value representation.
    description : str
        The human readable name.
    VM : str, optional
        The value multiplicity (default ``"1"``).

    Raises
    ------
    ValueError
        If the tag is not private.

    Examples
    --------
    >>> add_private_dict_entry("DICODEC EXAMPLE", 0x00111001, "DS", "Example Value")
    >>> private_dictionary_VR(0x00111201, "DICODEC EXAMPLE")
    'DS'
    """
    add_private_dict_entries(private_creator, {tag: (VR, VM, description, False)})


def add_private_dict_entries(
    private_creator: str,
    mapping: dict[int, PrivateDictEntry]
    | dict[str, PrivateDictEntry]
    | dict[TagLike, PrivateDictEntry],
) -> None:
    """Add or replace several private dictionary entries of one creator.

    Parameters
    ----------
    private_creator : str
        The private creator the elements belong to.
    mapping : dict
        ``{tag: (VR, VM, description, is_retired)}``; keys as for
        :func:`add_private_dict_entry`.

    Raises
    ------
    ValueError
        If any tag is not private; nothing is added then.

    Examples
    --------
    >>> add_private_dict_entries("DICODEC EXAMPLE", {0x00111002: ("US", "1", "Two", False)})
    >>> get_private_entry(0x00111002, "DICODEC EXAMPLE")
    ('US', '1', 'Two', False)
    """
    new = {
        _private_key(tag): (str(vr), str(vm), str(description), bool(is_retired))
        for tag, (vr, vm, description, is_retired) in mapping.items()
    }
    _private().setdefault(private_creator, {}).update(new)
