"""Palette colour lookup tables: PALETTE COLOR images and the well-known palettes.

A palette maps each stored value to an RGB (or RGBA) triple (PS3.3 C.7.6.3.1.5,
C.7.9). The LUT data are either *normal* (one entry per value) or *segmented*
(C.7.9.2: discrete, linear and indirect segments). The eight well-known colour
palettes of PS3.6 Annex B are built in, generated from the standard's palette
files by ``tools/gen_palettes.py``.

Examples
--------
>>> import numpy as np
>>> from dicodec.pixels.processing import apply_color_lut, get_palette
>>> apply_color_lut(np.array([0, 128, 255], dtype=np.uint8), palette="HOT_IRON").tolist()
[[0, 0, 0], [255, 0, 0], [255, 255, 255]]
>>> get_palette("1.2.840.10008.1.5.7").name
'FALL'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import ProcessingError, apply_table, is_little_endian, lut_descriptor, lut_values

if TYPE_CHECKING:  # pragma: no cover
    from ...dataset import Dataset

__all__ = [
    "WELL_KNOWN_PALETTES",
    "Palette",
    "apply_color_lut",
    "expand_segmented_lut",
    "get_palette",
    "palette_color_luts",
]

_CHANNELS = ("Red", "Green", "Blue", "Alpha")
_MAX_INDIRECTION = 16


@dataclass(frozen=True)
class Palette:
    """A well-known colour palette of PS3.6 Annex B.

    Attributes
    ----------
    name : str
        The name used by the standard, e.g. ``"HOT_IRON"``.
    uid : str
        Its well-known SOP Instance UID, e.g. ``"1.2.840.10008.1.5.1"``.
    label : str
        (0070,0080) *Content Label* of the palette file.
    description : str
        (0070,0081) *Content Description* of the palette file.
    lut : numpy.ndarray
        ``(256, 3)`` ``uint8`` RGB entries for the values 0-255 (read-only).
    """

    name: str
    uid: str
    label: str
    description: str
    lut: np.ndarray


def _well_known() -> dict[str, Palette]:
    from ._palettes import PALETTES

    out = {}
    for name, (uid, label, description, hex_rgb) in PALETTES.items():
        lut = np.frombuffer(bytes.fromhex(hex_rgb), dtype=np.uint8).reshape(3, 256).T.copy()
        lut.flags.writeable = False
        out[name] = Palette(name, uid, label, description, lut)
    return out


_PALETTES: dict[str, Palette] = {}

WELL_KNOWN_PALETTES: dict[str, str] = {
    "HOT_IRON": "1.2.840.10008.1.5.1",
    "PET": "1.2.840.10008.1.5.2",
    "HOT_METAL_BLUE": "1.2.840.10008.1.5.3",
    "PET_20_STEP": "1.2.840.10008.1.5.4",
    "SPRING": "1.2.840.10008.1.5.5",
    "SUMMER": "1.2.840.10008.1.5.6",
    "FALL": "1.2.840.10008.1.5.7",
    "WINTER": "1.2.840.10008.1.5.8",
}
"""Name → well-known SOP Instance UID of the PS3.6 Annex B colour palettes.

Note that pydicom 3.0 maps the names ``"FALL"`` and ``"WINTER"`` to each other's
UID; here they follow the Content Label of the palette files and PS3.6.
"""


def get_palette(palette: str) -> Palette:
    """A well-known colour palette, by name (any case, ``"HOT IRON"`` works) or UID.

    Parameters
    ----------
    palette : str
        ``"HOT_IRON"``, ``"PET"``, ``"HOT_METAL_BLUE"``, ``"PET_20_STEP"``,
        ``"SPRING"``, ``"SUMMER"``, ``"FALL"``, ``"WINTER"`` or the
        corresponding UID ``"1.2.840.10008.1.5.1"`` … ``"1.2.840.10008.1.5.8"``.

    Returns
    -------
    Palette

    Raises
    ------
    ProcessingError (a ValueError)
        Unknown name or UID; the message lists the valid ones.

    Examples
    --------
    >>> p = get_palette("winter")
    >>> p.uid, p.lut.shape, p.lut[0].tolist(), p.lut[255].tolist()
    ('1.2.840.10008.1.5.8', (256, 3), [0, 0, 255], [127, 255, 128])
    """
    if not _PALETTES:
        _PALETTES.update(_well_known())
    key = str(palette).strip()
    by_uid = {p.uid: p for p in _PALETTES.values()}
    if key in by_uid:
        return by_uid[key]
    name = key.upper().replace(" ", "_").replace("-", "_")
    if name in _PALETTES:
        return _PALETTES[name]
    valid = ", ".join(f"{n} ({u})" for n, u in WELL_KNOWN_PALETTES.items())
    raise ProcessingError(f"Unknown palette {palette!r}: use one of {valid}")


def expand_segmented_lut(data: Any, bits: int = 16, *, entries: int | None = None) -> np.ndarray:
    """Expand segmented LUT data (PS3.3 C.7.9.2) into one entry per value.

    Parameters
    ----------
    data : sequence of int or numpy.ndarray
        The segments as entries of ``bits`` bits: opcode, length, payload, ...
        (already in logical order; see :func:`palette_color_luts` for OW bytes).
        A trailing padding entry is ignored.
    bits : int, optional
        Bits per entry, 8 or 16 (default 16): the width of the two offset words
        of an indirect segment.
    entries : int, optional
        Expected number of entries; the result is checked against it.

    Returns
    -------
    numpy.ndarray
        ``uint8`` (``bits=8``) or ``uint16`` entries.

    Notes
    -----
    * Discrete segment (opcode 0): ``length`` entries follow.
    * Linear segment (opcode 1): ``length`` entries on the straight line from the
      previous entry (exclusive) to ``y1`` (inclusive), rounded to the nearest
      integer, ties upward (pydicom 3.0 rounds ties to even, e.g. entry 223 of
      SUMMER's blue is 191 here and 190 there).
    * Indirect segment (opcode 2): repeat ``length`` segments starting at a byte
      offset (two 16-bit words, least significant first) into ``data``.

    Raises
    ------
    ProcessingError (a ValueError)
        An unknown opcode, a segment running past the data, a linear or indirect
        segment first, or a result of the wrong length.

    Examples
    --------
    >>> expand_segmented_lut([0, 2, 10, 20, 1, 4, 0]).tolist()
    [10, 20, 15, 10, 5, 0]
    >>> expand_segmented_lut([0, 2, 5, 6, 2, 1, 0, 0]).tolist()  # indirect: repeat segment at byte 0
    [5, 6, 5, 6]
    """
    if bits not in (8, 16):
        raise ProcessingError(f"segmented LUT entries must be 8 or 16 bits, not {bits}")
    values = [int(v) for v in np.asarray(data).reshape(-1).tolist()]
    out: list[int] = []
    _expand(values, 0, None, bits, out, 0)
    result = np.asarray(out, dtype=np.uint8 if bits == 8 else np.uint16)
    if entries is not None and result.size != entries:
        raise ProcessingError(
            f"the segmented LUT expands to {result.size} entries, the descriptor says {entries}"
        )
    return result


def _expand(data: list[int], pos: int, count: int | None, bits: int, out: list[int], depth: int) -> None:
    top = (1 << bits) - 1
    done = 0
    while pos + 1 < len(data) and (count is None or done < count):
        opcode, length = data[pos], data[pos + 1]
        pos += 2
        if opcode == 0:
            if pos + length > len(data):
                raise ProcessingError("a discrete segment runs past the end of the segmented LUT data")
            out.extend(data[pos : pos + length])
            pos += length
        elif opcode == 1:
            if not out:
                raise ProcessingError("the first segment of segmented LUT data cannot be a linear segment")
            if pos >= len(data):
                raise ProcessingError("a linear segment runs past the end of the segmented LUT data")
            y0, y1 = out[-1], data[pos]
            pos += 1
            if length:
                steps = np.arange(1, length + 1, dtype=np.int64)
                # round half up of y0 + (y1 - y0) * i / length, exactly
                line = y0 + (2 * (y1 - y0) * steps + length) // (2 * length)
                out.extend(np.clip(line, 0, top).tolist())
        elif opcode == 2:
            if not out:
                raise ProcessingError("the first segment of segmented LUT data cannot be an indirect segment")
            if depth >= _MAX_INDIRECTION:
                raise ProcessingError("indirect segments of segmented LUT data nest too deeply")
            width = 4 if bits == 8 else 2
            if pos + width > len(data):
                raise ProcessingError("an indirect segment runs past the end of the segmented LUT data")
            if bits == 8:
                low = data[pos] | data[pos + 1] << 8
                high = data[pos + 2] | data[pos + 3] << 8
            else:
                low, high = data[pos], data[pos + 1]
            pos += width
            offset = low | high << 16
            start = offset if bits == 8 else offset // 2
            if start >= len(data):
                raise ProcessingError(f"an indirect segment points past the segmented LUT data (byte {offset})")
            _expand(data, start, length, bits, out, depth + 1)
        else:
            raise ProcessingError(f"unknown segment opcode {opcode} in segmented LUT data")
        done += 1


def _segmented_entries(raw: Any, bits: int, little_endian: bool) -> np.ndarray:
    if isinstance(raw, bytes | bytearray | memoryview):
        raw = bytes(raw)
        if bits == 8:
            if not little_endian:
                even = len(raw) - len(raw) % 2
                raw = np.frombuffer(raw[:even], dtype="<u2").byteswap().tobytes() + raw[even:]
            return np.frombuffer(raw, dtype=np.uint8)
        usable = len(raw) - len(raw) % 2
        return np.frombuffer(raw[:usable], dtype="<u2" if little_endian else ">u2")
    return np.asarray(list(raw), dtype=np.int64)


def palette_color_luts(ds: Dataset) -> tuple[np.ndarray, int]:
    """The palette of ``ds`` as one ``(entries, 3 or 4)`` table, and its first mapped value.

    Parameters
    ----------
    ds : Dataset
        With the Palette Color Lookup Table module: (0028,1101-1103) descriptors
        and normal (0028,1201-1204) or segmented (0028,1221-1224) data.

    Returns
    -------
    table : numpy.ndarray
        RGB or RGBA columns; ``uint8`` when the entries are stored in 8 bits,
        ``uint16`` when they are stored in 16.
    first : int
        The first stored value the table maps (may be negative).

    Examples
    --------
    >>> from dicodec import examples
    >>> table, first = palette_color_luts(examples.palette)
    >>> table.shape, table.dtype, first
    ((256, 3), dtype('uint16'), 0)
    """
    descriptor = ds.get("RedPaletteColorLookupTableDescriptor")
    if descriptor is None:
        raise ProcessingError("No suitable Palette Color Lookup Table Module found: (0028,1101) is missing")
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
    entries, first, bits = lut_descriptor(descriptor, "(0028,1101) Red Palette Color Lookup Table Descriptor", signed)
    little = is_little_endian(ds)
    columns = []
    if "RedPaletteColorLookupTableData" in ds:
        for channel in _CHANNELS:
            value = ds.get(f"{channel}PaletteColorLookupTableData")
            if value is None:
                if channel == "Alpha":
                    continue
                raise ProcessingError(f"{channel} Palette Color Lookup Table Data is missing")
            columns.append(lut_values(value, entries, bits, little, f"{channel} Palette Color Lookup Table Data"))
    elif "SegmentedRedPaletteColorLookupTableData" in ds:
        width = 8 if bits <= 8 else 16
        for channel in _CHANNELS:
            value = ds.get(f"Segmented{channel}PaletteColorLookupTableData")
            if value is None:
                if channel == "Alpha":
                    continue
                raise ProcessingError(f"Segmented {channel} Palette Color Lookup Table Data is missing")
            data = _segmented_entries(value, width, little)
            columns.append(expand_segmented_lut(data, width, entries=entries))
    else:
        raise ProcessingError(
            "No suitable Palette Color Lookup Table Module found: neither normal nor segmented LUT data"
        )
    dtype = np.uint8 if all(c.dtype == np.uint8 for c in columns) else np.uint16
    table = np.stack([c.astype(dtype) for c in columns], axis=-1)
    return table, first


def apply_color_lut(arr: np.ndarray, ds: Dataset | None = None, palette: str | None = None) -> np.ndarray:
    """Map stored values through a palette colour LUT to RGB (or RGBA).

    Parameters
    ----------
    arr : numpy.ndarray
        Stored values (PALETTE COLOR pixel data, or any grayscale integers when
        ``palette`` is given), any shape.
    ds : Dataset, optional
        A data set with the Palette Color Lookup Table module (normal or
        segmented data, 8- or 16-bit entries, optional alpha). Required unless
        ``palette`` is given.
    palette : str, optional
        A well-known palette by name or UID (see :func:`get_palette`); then ``ds``
        is not used.

    Returns
    -------
    numpy.ndarray
        ``arr.shape + (3,)`` (or ``(4,)`` with an alpha table); ``uint8`` when
        the LUT entries are stored in 8 bits (all well-known palettes), else
        ``uint16`` (values as stored: 8-bit palettes declared as 16-bit are
        usually scaled to 0-65535). Values below the first mapped value take the
        first entry, values past the end the last entry.

    Raises
    ------
    ProcessingError (a ValueError)
        No palette module, inconsistent LUTs, or a Supplemental Palette
        (Pixel Presentation MIXED / COLOR), which needs the grayscale pipeline.

    Examples
    --------
    >>> from dicodec import examples
    >>> ds = examples.palette
    >>> rgb = apply_color_lut(ds.pixel_array, ds)
    >>> rgb.shape, rgb.dtype
    ((128, 128, 3), dtype('uint16'))
    >>> apply_color_lut(np.arange(3, dtype=np.uint8), palette="PET").tolist()
    [[0, 0, 0], [0, 2, 1], [0, 4, 3]]
    """
    if palette is None and ds is None:
        raise ProcessingError("Either 'ds' or 'palette' is required")
    if palette is not None:
        return apply_table(np.asarray(arr), get_palette(palette).lut, 0)
    assert ds is not None
    presentation = str(ds.get("PixelPresentation", "") or "").strip().upper()
    if presentation in ("MIXED", "COLOR"):
        raise ProcessingError(
            "a Supplemental Palette Color LUT (Pixel Presentation MIXED or COLOR) applies only to part of "
            "the value range and needs the grayscale pipeline; it is not supported by apply_color_lut"
        )
    table, first = palette_color_luts(ds)
    return apply_table(np.asarray(arr), table, first)
