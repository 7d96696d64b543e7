"""Overlay Plane and Multi-frame Overlay data (PS3.3 C.9.2, C.9.3) as numpy arrays.

An overlay is a 1-bit plane in the repeating group ``60xx`` (``xx`` even,
0x6000-0x601E): (60xx,0010) *Overlay Rows*, (60xx,0011) *Overlay Columns*,
(60xx,0050) *Overlay Origin* (1-based row and column of the image pixel under
the overlay's first pixel), (60xx,0100) *Overlay Bits Allocated*, (60xx,0102)
*Overlay Bit Position* and (60xx,3000) *Overlay Data*: the bits packed
least-significant first, frames back to back without padding. A multi-frame
overlay adds (60xx,0015) *Number of Frames in Overlay* and (60xx,0051) *Image
Frame Origin* (the 1-based image frame its first frame belongs to).

Older data sets (the retired form) have no Overlay Data: the plane is bit
*Overlay Bit Position* of each Pixel Data word, in the bits above High Bit, with
Overlay Bits Allocated equal to Bits Allocated. :func:`get_overlay_array` reads
both forms.

Examples
--------
>>> from dicodec import examples
>>> from dicodec_overlay.handler import get_overlay_array, overlay_groups
>>> ds = examples.overlay
>>> overlay_groups(ds)
[24576]
>>> arr = get_overlay_array(ds, 0x6000)
>>> arr.shape, arr.dtype, int(arr.max())
((256, 256), dtype('uint8'), 1)
"""

from __future__ import annotations

import importlib.util
import warnings
from typing import TYPE_CHECKING, Any

from dicodec import DicodecError, DicodecWarning

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from dicodec import Dataset

__all__ = [
    "HANDLER_NAME",
    "InvalidOverlayError",
    "InvalidOverlayGroupError",
    "MissingOverlayElementError",
    "OverlayLengthError",
    "get_expected_length",
    "get_overlay_array",
    "is_available",
    "overlay_groups",
    "overlay_origin",
    "place_overlay",
    "reshape_overlay_array",
    "set_overlay_array",
]

HANDLER_NAME = "Numpy Overlay"

_ROWS, _COLUMNS, _FRAMES, _ORIGIN, _FRAME_ORIGIN = 0x0010, 0x0011, 0x0015, 0x0050, 0x0051
_TYPE, _BITS_ALLOCATED, _BIT_POSITION, _DATA = 0x0040, 0x0100, 0x0102, 0x3000
_NATIVE = {"1.2.840.10008.1.2": True, "1.2.840.10008.1.2.1": True, "1.2.840.10008.1.2.1.99": True}
_BIG_ENDIAN = "1.2.840.10008.1.2.2"


class MissingOverlayElementError(DicodecError, AttributeError):
    """A required element of the overlay group is missing (also an ``AttributeError``)."""


class InvalidOverlayError(DicodecError, ValueError):
    """The overlay elements are inconsistent or unusable (also a ``ValueError``)."""


class OverlayLengthError(InvalidOverlayError):
    """The Overlay Data is shorter than its rows, columns and frames need (also a ``ValueError``)."""


class InvalidOverlayGroupError(InvalidOverlayError):
    """The group is not an overlay group 0x6000-0x601E with an even number (also a ``ValueError``)."""


def is_available() -> bool:
    """Whether the handler can work (numpy is importable).

    Examples
    --------
    >>> is_available()
    True
    """
    return importlib.util.find_spec("numpy") is not None


def _check_group(group: int) -> int:
    try:
        group = int(group)
    except (TypeError, ValueError) as exc:
        raise InvalidOverlayGroupError(f"an overlay group must be an int, got {group!r}") from exc
    if not 0x6000 <= group <= 0x601E or group % 2:
        raise InvalidOverlayGroupError(
            f"0x{group:04X} is not an overlay group: use an even group from 0x6000 to 0x601E"
        )
    return group


def overlay_groups(ds: Dataset) -> list[int]:
    """The overlay groups present in ``ds`` (those with Overlay Rows), in order.

    Examples
    --------
    >>> from dicodec import examples
    >>> [hex(g) for g in overlay_groups(examples.overlay)]
    ['0x6000']
    """
    return [g for g in range(0x6000, 0x6020, 2) if (g << 16 | _ROWS) in ds]


def _value(ds: Dataset, group: int, element: int) -> Any:
    elem = ds.get((group, element))
    if elem is None:
        return None
    value = elem.value
    if value is None or (isinstance(value, str | bytes) and len(value) == 0):
        return None
    return value


def get_expected_length(elem: dict[str, Any], unit: str = "bytes") -> int:
    """The expected length of Overlay Data, in whole bytes (no padding) or in pixels.

    Parameters
    ----------
    elem : dict
        ``{"OverlayRows": ..., "OverlayColumns": ..., "NumberOfFramesInOverlay": ...}``
        (the number of frames defaults to 1 when missing).
    unit : {"bytes", "pixels"}, optional
        Default ``"bytes"``: ``ceil(rows * columns * frames / 8)``, without the
        padding byte that makes an odd length even.

    Returns
    -------
    int

    Examples
    --------
    >>> get_expected_length({"OverlayRows": 3, "OverlayColumns": 5, "NumberOfFramesInOverlay": 2})
    4
    >>> get_expected_length({"OverlayRows": 3, "OverlayColumns": 5}, unit="pixels")
    15
    """
    if unit not in ("bytes", "pixels"):
        raise ValueError(f"unit must be 'bytes' or 'pixels', not {unit!r}")
    pixels = int(elem["OverlayRows"]) * int(elem["OverlayColumns"]) * int(elem.get("NumberOfFramesInOverlay", 1) or 1)
    if unit == "pixels":
        return pixels
    return (pixels + 7) // 8


def reshape_overlay_array(elem: dict[str, Any], arr: np.ndarray) -> np.ndarray:
    """Reshape a 1-D overlay array to ``(rows, columns)`` or ``(frames, rows, columns)``.

    Parameters
    ----------
    elem : dict
        As for :func:`get_expected_length`.
    arr : numpy.ndarray
        One value per pixel.

    Raises
    ------
    ValueError
        Number of Frames in Overlay below 1, or ``arr`` of the wrong size.

    Examples
    --------
    >>> import numpy as np
    >>> d = {"OverlayRows": 2, "OverlayColumns": 3, "NumberOfFramesInOverlay": 2}
    >>> reshape_overlay_array(d, np.zeros(12, dtype=np.uint8)).shape
    (2, 2, 3)
    """
    frames = elem.get("NumberOfFramesInOverlay")
    frames = 1 if frames is None or frames == "" else int(frames)
    rows, columns = int(elem["OverlayRows"]), int(elem["OverlayColumns"])
    if frames < 1:
        raise OverlayLengthError(
            f"Unable to reshape the overlay array: (60xx,0015) Number of Frames in Overlay is {frames}"
        )
    if frames > 1:
        return arr.reshape(frames, rows, columns)
    return arr.reshape(rows, columns)


def _describe(ds: Dataset, group: int) -> dict[str, Any]:
    elem = {
        "OverlayRows": _value(ds, group, _ROWS),
        "OverlayColumns": _value(ds, group, _COLUMNS),
        "OverlayBitsAllocated": _value(ds, group, _BITS_ALLOCATED),
    }
    missing = [k for k, v in elem.items() if v is None]
    if missing:
        raise MissingOverlayElementError(
            f"Unable to convert the overlay data of group 0x{group:04X}: the following required "
            f"elements are missing from the dataset: {', '.join(missing)}"
        )
    elem["NumberOfFramesInOverlay"] = int(_value(ds, group, _FRAMES) or 1)
    elem["OverlayBitPosition"] = _value(ds, group, _BIT_POSITION)
    elem["OverlayData"] = _value(ds, group, _DATA)
    elem["ImageFrameOrigin"] = int(_value(ds, group, _FRAME_ORIGIN) or 1)
    for key in ("OverlayRows", "OverlayColumns", "NumberOfFramesInOverlay"):
        if int(elem[key]) < 1:
            raise OverlayLengthError(f"group 0x{group:04X}: {key} is {elem[key]}, must be at least 1")
    return elem


def get_overlay_array(ds: Dataset, group: int) -> np.ndarray:
    """The overlay plane(s) of ``group`` as ``uint8`` 0/1 values.

    Parameters
    ----------
    ds : Dataset
        With an Overlay Plane (and optionally Multi-frame Overlay) module.
    group : int
        An even group from 0x6000 to 0x601E.

    Returns
    -------
    numpy.ndarray
        ``(rows, columns)``, or ``(frames, rows, columns)`` when Number of Frames
        in Overlay is more than 1; ``uint8``. A new, writeable array.

    Raises
    ------
    MissingOverlayElementError (an AttributeError)
        Overlay Rows, Overlay Columns or Overlay Bits Allocated is missing (or
        empty), or Overlay Data is missing and the overlay is not one in Pixel Data.
    OverlayLengthError (a ValueError)
        Overlay Data (or Pixel Data) is too short.
    InvalidOverlayError (a ValueError)
        An overlay in Pixel Data with a bit position inside the stored bits or
        Overlay Bits Allocated different from Bits Allocated.
    InvalidOverlayGroupError (a ValueError)
        ``group`` is not an overlay group.

    Notes
    -----
    Overlay Data of odd length without its padding byte is accepted with a
    :class:`dicodec.DicodecWarning`; extra bytes beyond the expected length (plus
    padding) are ignored with a warning.

    Examples
    --------
    >>> from dicodec import examples
    >>> get_overlay_array(examples.overlay, 0x6000)[40, 100:108].tolist()
    [0, 0, 0, 0, 0, 0, 0, 0]
    """
    import numpy as np

    from dicodec.pixels import unpack_bits

    group = _check_group(group)
    elem = _describe(ds, group)
    data = elem["OverlayData"]
    if data is None:
        return _embedded(ds, group, elem)
    expected = get_expected_length(elem)
    actual = len(data)
    padded = expected + expected % 2
    if actual < padded:
        if actual == expected:
            warnings.warn(
                f"the Overlay Data of group 0x{group:04X} has an odd length and misses its padding byte",
                DicodecWarning,
                stacklevel=2,
            )
        else:
            raise OverlayLengthError(
                f"The length of the overlay data of group 0x{group:04X} ({actual} bytes) doesn't match "
                f"the expected length ({padded} bytes) for {elem['NumberOfFramesInOverlay']} frame(s) "
                f"of {elem['OverlayRows']} x {elem['OverlayColumns']}"
            )
    elif actual > padded:
        warnings.warn(
            f"the Overlay Data of group 0x{group:04X} holds {actual} bytes, {actual - expected} more than "
            f"needed; the excess is ignored",
            DicodecWarning,
            stacklevel=2,
        )
    pixels = get_expected_length(elem, unit="pixels")
    arr = unpack_bits(bytes(data[:expected]), count=pixels)
    assert isinstance(arr, np.ndarray)
    return reshape_overlay_array(elem, arr)


def _transfer_syntax(ds: Dataset) -> str:
    meta = ds.__dict__.get("file_meta")
    ts = None if meta is None else meta.get("TransferSyntaxUID")
    if ts is not None:
        return str(ts)
    implicit, little = ds.original_encoding
    if little is False:
        return _BIG_ENDIAN
    return "1.2.840.10008.1.2" if implicit else "1.2.840.10008.1.2.1"


def _pixel_words(ds: Dataset, first: int, count: int) -> np.ndarray:
    """Frames ``first .. first+count-1`` of Pixel Data with every bit kept, ``(count, rows, cols)``."""
    import numpy as np

    from dicodec import Dataset as _Dataset
    from dicodec.pixels import pixel_array

    rows, columns = int(ds.Rows), int(ds.Columns)
    bits = int(ds.BitsAllocated)
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    if samples != 1:
        raise InvalidOverlayError("an overlay in Pixel Data needs single-sample (grayscale) pixel data")
    ts = _transfer_syntax(ds)
    frame_pixels = rows * columns
    if ts in _NATIVE or ts == _BIG_ENDIAN:
        dtype = np.dtype(f"u{bits // 8}").newbyteorder(">" if ts == _BIG_ENDIAN else "<")
        data = ds.PixelData
        needed = (first + count) * frame_pixels * dtype.itemsize
        if len(data) < needed:
            raise OverlayLengthError(
                f"Pixel Data holds {len(data)} bytes, fewer than the {needed} the embedded overlay needs"
            )
        words = np.frombuffer(data, dtype=dtype, count=(first + count) * frame_pixels)
        return words[first * frame_pixels :].reshape(count, rows, columns)
    # encapsulated: decode a copy whose description keeps every bit of each word
    copy = _Dataset()
    for keyword in ("Rows", "Columns", "SamplesPerPixel", "PhotometricInterpretation", "NumberOfFrames",
                    "BitsAllocated"):
        if keyword in ds:
            setattr(copy, keyword, ds.get(keyword))
    copy.BitsStored = bits
    copy.HighBit = bits - 1
    copy.PixelRepresentation = 0
    copy.add_new(0x7FE00010, "OB", ds.PixelData)
    copy.ensure_file_meta()
    copy.file_meta.TransferSyntaxUID = ts
    arr = pixel_array(copy, indices=range(first, first + count))
    return arr.reshape(count, rows, columns)


def _embedded(ds: Dataset, group: int, elem: dict[str, Any]) -> np.ndarray:
    import numpy as np

    position = elem["OverlayBitPosition"]
    if int(elem["OverlayBitsAllocated"]) == 1 or position is None:
        raise MissingOverlayElementError(
            f"Unable to convert the overlay data of group 0x{group:04X}: the following required elements "
            "are missing from the dataset: OverlayData (an overlay in the Pixel Data bits would need "
            "Overlay Bits Allocated > 1 and Overlay Bit Position)"
        )
    if "PixelData" not in ds:
        raise MissingOverlayElementError(
            f"group 0x{group:04X} has no Overlay Data and the dataset has no Pixel Data to hold the overlay"
        )
    rows, columns = int(elem["OverlayRows"]), int(elem["OverlayColumns"])
    if (rows, columns) != (int(ds.Rows), int(ds.Columns)):
        raise InvalidOverlayError(
            f"an overlay in Pixel Data must have the image's size: {rows} x {columns} "
            f"vs {int(ds.Rows)} x {int(ds.Columns)}"
        )
    bits = int(ds.BitsAllocated)
    position = int(position)
    high_bit = int(ds.get("HighBit", int(ds.get("BitsStored", bits)) - 1))
    if int(elem["OverlayBitsAllocated"]) != bits:
        raise InvalidOverlayError(
            f"group 0x{group:04X}: an overlay in Pixel Data needs Overlay Bits Allocated equal to Bits "
            f"Allocated ({bits}), not {elem['OverlayBitsAllocated']}"
        )
    if not high_bit < position < bits:
        raise InvalidOverlayError(
            f"group 0x{group:04X}: Overlay Bit Position {position} must be an unused bit of the {bits}-bit "
            f"Pixel Data words, above High Bit {high_bit}"
        )
    frames = int(elem["NumberOfFramesInOverlay"])
    first = int(elem["ImageFrameOrigin"]) - 1
    words = _pixel_words(ds, first, frames)
    plane = ((words >> position) & 1).astype(np.uint8)
    return reshape_overlay_array(elem, plane.reshape(-1))


def overlay_origin(ds: Dataset, group: int) -> tuple[int, int]:
    """(row, column) of the image pixel under the overlay's first pixel; 1-based, default (1, 1).

    Examples
    --------
    >>> from dicodec import examples
    >>> overlay_origin(examples.overlay, 0x6000)
    (1, 1)
    """
    group = _check_group(group)
    origin = _value(ds, group, _ORIGIN)
    if origin is None:
        return 1, 1
    values = list(origin) if not isinstance(origin, int) else [origin]
    if len(values) != 2:
        raise InvalidOverlayError(f"(0x{group:04X},0050) Overlay Origin must have 2 values, got {values}")
    return int(values[0]), int(values[1])


def place_overlay(ds: Dataset, group: int, *, shape: tuple[int, int] | None = None) -> np.ndarray:
    """The overlay of ``group`` on its image's pixel grid, using Overlay Origin and Image Frame Origin.

    Parameters
    ----------
    ds : Dataset
        The image with the overlay.
    group : int
        The overlay group.
    shape : (int, int), optional
        ``(rows, columns)`` of the image (default: the data set's Rows and Columns).

    Returns
    -------
    numpy.ndarray
        ``uint8``, ``(rows, columns)`` of the image; for a data set with Number of
        Frames > 1, ``(frames, rows, columns)`` with the overlay frames placed from
        Image Frame Origin. Overlay pixels outside the image are dropped (an origin
        of (0, 0) puts the first overlay row and column above and left of the image).

    Examples
    --------
    >>> from dicodec import Dataset
    >>> from dicodec.pixels import pack_bits
    >>> ds = Dataset(Rows=3, Columns=4)
    >>> ds.add_new(0x60000010, "US", 2); ds.add_new(0x60000011, "US", 2)
    >>> ds.add_new(0x60000050, "SS", [2, 3]); ds.add_new(0x60000100, "US", 1)
    >>> ds.add_new(0x60003000, "OW", pack_bits([1, 1, 1, 1]))
    >>> place_overlay(ds, 0x6000).tolist()
    [[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]
    """
    import numpy as np

    overlay = get_overlay_array(ds, group)
    if overlay.ndim == 2:
        overlay = overlay[None]
    rows, columns = shape if shape is not None else (int(ds.Rows), int(ds.Columns))
    image_frames = int(ds.get("NumberOfFrames", 1) or 1)
    out = np.zeros((image_frames, rows, columns), dtype=np.uint8)
    row0, col0 = overlay_origin(ds, group)
    row0 -= 1
    col0 -= 1
    frame0 = int(_value(ds, group, _FRAME_ORIGIN) or 1) - 1
    dst_r = slice(max(0, row0), min(rows, row0 + overlay.shape[1]))
    dst_c = slice(max(0, col0), min(columns, col0 + overlay.shape[2]))
    src_r = slice(dst_r.start - row0, dst_r.stop - row0)
    src_c = slice(dst_c.start - col0, dst_c.stop - col0)
    for k in range(overlay.shape[0]):
        f = frame0 + k
        if 0 <= f < image_frames and dst_r.start < dst_r.stop and dst_c.start < dst_c.stop:
            out[f, dst_r, dst_c] = overlay[k, src_r, src_c]
    return out[0] if image_frames == 1 else out


def set_overlay_array(
    ds: Dataset,
    group: int,
    arr: Any,
    *,
    origin: tuple[int, int] | None = None,
    overlay_type: str | None = None,
) -> None:
    """Store ``arr`` (0/1, ``(rows, columns)`` or ``(frames, rows, columns)``) as the overlay of ``group``.

    Writes Overlay Data (bit-packed with :func:`dicodec.pixels.pack_bits`),
    Overlay Rows / Columns, Number of Frames in Overlay (multi-frame only),
    Overlay Bits Allocated 1 and Bit Position 0; sets Overlay Origin (default
    (1, 1) when absent) and Overlay Type (default ``"G"`` when absent).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec import Dataset
    >>> ds = Dataset()
    >>> set_overlay_array(ds, 0x6002, np.eye(3, dtype=np.uint8))
    >>> get_overlay_array(ds, 0x6002).tolist()
    [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    """
    import numpy as np

    from dicodec.pixels import pack_bits

    group = _check_group(group)
    a = np.asarray(arr)
    if a.ndim not in (2, 3):
        raise InvalidOverlayError(f"an overlay array must be (rows, columns) or (frames, rows, columns), not {a.shape}")
    frames = a.shape[0] if a.ndim == 3 else 1
    rows, columns = a.shape[-2:]
    tag = group << 16
    ds.add_new(tag | _ROWS, "US", int(rows))
    ds.add_new(tag | _COLUMNS, "US", int(columns))
    if a.ndim == 3:
        ds.add_new(tag | _FRAMES, "IS", str(frames))
        if (tag | _FRAME_ORIGIN) not in ds:
            ds.add_new(tag | _FRAME_ORIGIN, "US", 1)
    elif (tag | _FRAMES) in ds:
        del ds[tag | _FRAMES]
    if overlay_type is not None or (tag | _TYPE) not in ds:
        ds.add_new(tag | _TYPE, "CS", overlay_type or "G")
    if origin is not None or (tag | _ORIGIN) not in ds:
        ds.add_new(tag | _ORIGIN, "SS", list(origin or (1, 1)))
    ds.add_new(tag | _BITS_ALLOCATED, "US", 1)
    ds.add_new(tag | _BIT_POSITION, "US", 0)
    ds.add_new(tag | _DATA, "OW", pack_bits(a))
