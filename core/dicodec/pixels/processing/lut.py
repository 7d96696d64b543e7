"""The grayscale pipeline: Modality LUT / rescale, VOI LUT / windowing, Presentation LUT.

PS3.3 C.11 defines the order: stored values → Modality LUT or Rescale Slope and
Intercept (C.11.1) → VOI LUT or windowing (C.11.2) → Presentation LUT (C.11.6)
→ P-values, where a higher value is brighter. Each function here is one stage;
apply them in that order.

Enhanced multi-frame data sets keep these attributes in functional groups: Pixel
Value Transformation (0028,9145) and Frame VOI LUT (0028,9132), in the
Shared Functional Groups Sequence or per frame. The functions look there when the
top level has none, apply each frame's own values to a ``(frames, rows, columns)``
array, and take ``frame_index=`` for a single frame cut from such a data set.

Output types (the same as pydicom 3.0 unless noted):

=========================  ===================================================
function                   result
=========================  ===================================================
apply_modality_lut         LUT: ``uint8`` (≤ 8 bits per entry) or ``uint16``;
                           rescale: ``float64`` (``dtype=`` to change);
                           neither present: ``arr`` itself
apply_voi                  ``uint8`` / ``uint16`` from the LUT descriptor
apply_windowing            ``float64`` in the range of the input values
                           (``out_range=`` and ``dtype=`` to change, e.g.
                           ``(0, 255)`` and ``numpy.uint8`` for display)
apply_voi_lut              one of the two above
apply_presentation_lut     LUT: ``uint8`` / ``uint16`` P-values; shape
                           INVERSE: ``arr``'s dtype; IDENTITY: ``arr``
=========================  ===================================================

MONOCHROME1 (minimum white): the Modality and VOI stages keep the data's
polarity, as the standard has them; the Presentation LUT stage makes the
inversion. :func:`apply_presentation_lut` applies the implied INVERSE shape to a
MONOCHROME1 data set that has no Presentation LUT module (pydicom returns such
data unchanged), so its output is always "higher is brighter".

Examples
--------
>>> import numpy as np
>>> from dicodec import examples
>>> from dicodec.pixels.processing import apply_modality_lut, apply_voi_lut
>>> ds = examples.ct
>>> hu = apply_modality_lut(ds.pixel_array, ds)
>>> hu.dtype
dtype('float64')
>>> shown = apply_voi_lut(hu, ds, index=0)  # window 40/400, output in the input's range
>>> float(shown.min()), float(shown.max()), shown.dtype
(-33792.0, 31743.0, dtype('float64'))
>>> apply_voi_lut(hu, ds, index=1).shape  # the second window, 'lung'
(512, 512)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._common import ProcessingError, apply_table, is_little_endian, lut_descriptor, lut_values

if TYPE_CHECKING:  # pragma: no cover
    from ...dataset import Dataset

__all__ = [
    "apply_modality_lut",
    "apply_presentation_lut",
    "apply_rescale",
    "apply_voi",
    "apply_voi_lut",
    "apply_windowing",
    "voi_output_range",
]

_PIXEL_VALUE_TRANSFORMATION = "PixelValueTransformationSequence"
_FRAME_VOI_LUT = "FrameVOILUTSequence"
_CHUNK = 1 << 18


# --------------------------------------------------------------------------- frames
def _number_of_frames(ds: Dataset) -> int:
    try:
        return max(1, int(ds.get("NumberOfFrames", 1) or 1))
    except (TypeError, ValueError):
        return 1


def _group_item(ds: Dataset, macro: str, frame: int) -> Dataset | None:
    """The first item of functional-group ``macro`` for ``frame`` (per-frame, then shared)."""
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if per_frame is not None and 0 <= frame < len(per_frame):
        seq = per_frame[frame].get(macro)
        if seq:
            return seq[0]
    shared = ds.get("SharedFunctionalGroupsSequence")
    if shared:
        seq = shared[0].get(macro)
        if seq:
            return seq[0]
    return None


def _source(ds: Dataset, macro: str, keys: tuple[str, ...], frame: int) -> Any:
    """Where a frame's attributes live: the top level if it has any of ``keys``, else its group."""
    if any(k in ds for k in keys):
        return ds
    return _group_item(ds, macro, frame) or ds


def _frame_layout(arr: np.ndarray, ds: Dataset, frame_index: int | None) -> list[int] | None:
    """The frame numbers along axis 0 of ``arr``, or ``None`` when ``arr`` is one frame."""
    if frame_index is not None:
        return None
    frames = _number_of_frames(ds)
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    if frames > 1 and arr.ndim == (4 if samples > 1 else 3) and arr.shape[0] == frames:
        return list(range(frames))
    return None


@dataclass(frozen=True)
class _PerFrame:
    """The parameter source for each frame, grouped so equal sources are applied once."""

    groups: list[tuple[Any, list[int] | None]]

    @classmethod
    def of(
        cls,
        arr: np.ndarray,
        ds: Dataset,
        macro: str,
        keys: tuple[str, ...],
        frame_index: int | None,
        key: Callable[[Any, int], Any],
    ) -> _PerFrame:
        frames = _frame_layout(arr, ds, frame_index)
        if frames is None:
            return cls([(_source(ds, macro, keys, frame_index or 0), None)])
        groups: dict[Any, tuple[Any, list[int]]] = {}
        for f in frames:
            src = _source(ds, macro, keys, f)
            k = key(src, f)
            groups.setdefault(k, (src, []))[1].append(f)
        if len(groups) == 1:
            return cls([(next(iter(groups.values()))[0], None)])
        return cls([(src, fs) for src, fs in groups.values()])


def _value(elem_value: Any, index: int) -> float:
    if isinstance(elem_value, str | bytes | int | float) or not hasattr(elem_value, "__len__"):
        return float(elem_value)
    if len(elem_value) == 0:
        raise ProcessingError("an empty Window Center / Window Width value")
    return float(elem_value[index] if len(elem_value) > 1 else elem_value[0])


# --------------------------------------------------------------------------- modality
def _modality_lut_item(ds: Any) -> Any:
    seq = ds.get("ModalityLUTSequence")
    if not seq:
        return None
    item = seq[0]
    if item.get("LUTDescriptor") is None or item.get("LUTData") is None:
        return None  # an empty item (seen in the wild): as if absent
    return item


def _lut_from_item(item: Any, ds: Dataset, name: str, signed: bool) -> tuple[np.ndarray, int, int]:
    entries, first, bits = lut_descriptor(item.get("LUTDescriptor"), f"{name} LUT Descriptor", signed)
    values = lut_values(item.get("LUTData"), entries, bits, is_little_endian(ds), f"{name} LUT Data")
    if bits <= 8 and (values.size == 0 or int(values.max()) <= 0xFF):
        values = values.astype(np.uint8)
    else:
        values = values.astype(np.uint16)
    return values, first, bits


def _rescale_of(src: Any) -> tuple[float, float] | None:
    slope, intercept = src.get("RescaleSlope"), src.get("RescaleIntercept")
    if slope is None or intercept is None:
        return None
    return float(slope), float(intercept)


def apply_modality_lut(
    arr: np.ndarray, ds: Dataset, *, frame_index: int | None = None, dtype: Any = np.float64
) -> np.ndarray:
    """Apply the Modality LUT or the rescale (slope and intercept) of ``ds`` to stored values.

    Parameters
    ----------
    arr : numpy.ndarray
        Stored values: one frame, or ``(frames, rows, columns)`` of a multi-frame
        data set.
    ds : Dataset
        With the Modality LUT module: (0028,3000) *Modality LUT Sequence* or
        (0028,1052) *Rescale Intercept* and (0028,1053) *Rescale Slope*, at the
        top level or (enhanced multi-frame) in the Pixel Value Transformation
        functional group, shared or per frame.
    frame_index : int, optional
        Which frame of ``ds`` a single-frame ``arr`` is (for per-frame values).
    dtype : numpy dtype, optional
        Output type of a rescale (default ``float64``, as pydicom); ignored for a LUT.

    Returns
    -------
    numpy.ndarray
        A LUT gives ``uint8`` (entries of at most 8 bits) or ``uint16``; a rescale
        gives ``arr * slope + intercept`` as ``dtype``; with neither, ``arr``
        itself. The polarity (MONOCHROME1 or 2) is unchanged.

    Notes
    -----
    A Modality LUT Sequence item without LUT Descriptor or LUT Data is treated
    as absent (pydicom 3.0 raises a ``TypeError`` on such files).

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec import Dataset
    >>> ds = Dataset(RescaleSlope=2, RescaleIntercept=-1024)
    >>> apply_modality_lut(np.array([0, 512, 1000], dtype=np.int16), ds).tolist()
    [-1024.0, 0.0, 976.0]
    """
    arr = np.asarray(arr)
    if _modality_lut_item(ds) is not None:
        item = _modality_lut_item(ds)
        signed = int(ds.get("PixelRepresentation", 0) or 0) == 1
        table, first, _ = _lut_from_item(item, ds, "Modality", signed)
        return apply_table(arr, table, first)
    keys = ("RescaleSlope", "RescaleIntercept")
    plan = _PerFrame.of(arr, ds, _PIXEL_VALUE_TRANSFORMATION, keys, frame_index, lambda src, _: _rescale_of(src))
    if all(_rescale_of(src) is None for src, _ in plan.groups):
        return arr
    out = np.empty(arr.shape, dtype=dtype)
    for src, frames in plan.groups:
        slope, intercept = _rescale_of(src) or (1.0, 0.0)
        if frames is None:
            _rescale_into(arr, out, slope, intercept)
        else:
            for f in frames:
                _rescale_into(arr[f], out[f], slope, intercept)
    return out


def _rescale_into(src: np.ndarray, dst: np.ndarray, slope: float, intercept: float) -> None:
    """``dst = src * slope + intercept`` computed in float64 by chunks (pydicom's arithmetic)."""
    flat_in = src.reshape(-1)
    flat_out = dst.reshape(-1)
    if dst.dtype == np.float64:
        np.multiply(flat_in, slope, out=flat_out, dtype=np.float64, casting="unsafe")
        flat_out += intercept
        return
    for start in range(0, flat_in.size, _CHUNK):
        part = flat_in[start : start + _CHUNK].astype(np.float64) * slope
        part += intercept
        if dst.dtype.kind in "iu":
            np.floor(part + 0.5, out=part)
        flat_out[start : start + _CHUNK] = part


apply_rescale = apply_modality_lut
"""Alias of :func:`apply_modality_lut`."""


# --------------------------------------------------------------------------- VOI
def _voi_lut_item(src: Any, index: int) -> Any:
    seq = src.get("VOILUTSequence")
    if not seq:
        return None
    if not 0 <= index < len(seq):
        raise ProcessingError(f"VOI LUT Sequence has {len(seq)} item(s); index {index} is out of range")
    item = seq[index]
    if item.get("LUTDescriptor") is None or item.get("LUTData") is None:
        return None
    return item


def _window_of(src: Any) -> tuple[Any, Any, str] | None:
    center, width = src.get("WindowCenter"), src.get("WindowWidth")
    if center is None or width is None:
        return None
    function = str(src.get("VOILUTFunction", "") or "LINEAR").strip().upper() or "LINEAR"
    return center, width, function


def _window_key(src: Any) -> Any:
    w = _window_of(src)
    if w is None:
        return None
    center, width, function = w
    return (_floats(center), _floats(width), function)


def _floats(value: Any) -> Any:
    if hasattr(value, "__len__") and not isinstance(value, str | bytes):
        return tuple(float(v) for v in value)
    return float(value)


def voi_output_range(ds: Dataset, *, frame_index: int = 0, prefer_lut: bool = True) -> tuple[float, float]:
    """The range of values :func:`apply_voi_lut` produces for ``ds`` with default arguments.

    With a VOI LUT (when used): ``0`` to ``2**bits - 1`` of its descriptor.
    For windowing (as pydicom 3.0): the range of the windowing's input, i.e. of
    the stored values (from Bits Stored and Pixel Representation) or of the
    Modality LUT output, mapped through Rescale Slope and Intercept when present.

    Examples
    --------
    >>> from dicodec import Dataset
    >>> voi_output_range(Dataset(BitsStored=12, PixelRepresentation=0, RescaleSlope=1, RescaleIntercept=-1024))
    (-1024.0, 3071.0)
    """
    src = _source(ds, _FRAME_VOI_LUT, ("VOILUTSequence", "WindowCenter"), frame_index)
    item = _voi_lut_item(src, 0) if src.get("VOILUTSequence") else None
    if item is not None and (prefer_lut or _window_of(src) is None):
        _, _, bits = lut_descriptor(item.get("LUTDescriptor"), "VOI LUT Descriptor", False)
        return 0.0, float((1 << bits) - 1)
    return _windowing_range(ds, frame_index)


def _windowing_range(ds: Dataset, frame: int) -> tuple[float, float]:
    modality = _modality_lut_item(ds)
    if modality is not None:
        _, _, bits = lut_descriptor(modality.get("LUTDescriptor"), "Modality LUT Descriptor", False)
        low, high = 0.0, float((1 << bits) - 1)
    else:
        bits_stored = int(ds.get("BitsStored", 0) or 0) or int(ds.get("BitsAllocated", 16) or 16)
        if int(ds.get("PixelRepresentation", 0) or 0) == 0:
            low, high = 0.0, float((1 << bits_stored) - 1)
        else:
            low, high = float(-(1 << (bits_stored - 1))), float((1 << (bits_stored - 1)) - 1)
        rescale = _rescale_of(_source(ds, _PIXEL_VALUE_TRANSFORMATION, ("RescaleSlope", "RescaleIntercept"), frame))
        if rescale is not None:
            slope, intercept = rescale
            low, high = low * slope + intercept, high * slope + intercept
    return low, high


def apply_voi_lut(
    arr: np.ndarray,
    ds: Dataset,
    index: int = 0,
    prefer_lut: bool = True,
    *,
    frame_index: int | None = None,
) -> np.ndarray:
    """Apply the VOI LUT or the windowing of ``ds`` (PS3.3 C.11.2), whichever it has.

    Parameters
    ----------
    arr : numpy.ndarray
        Values after the Modality LUT / rescale stage.
    ds : Dataset
        With the VOI LUT module: (0028,3010) *VOI LUT Sequence* and/or (0028,1050)
        *Window Center* and (0028,1051) *Window Width* (with (0028,1056) *VOI LUT
        Function*), at the top level or in the Frame VOI LUT functional group.
    index : int, optional
        Which of several alternative views (LUT items / window values) to use.
    prefer_lut : bool, optional
        When both a LUT and a window are present, use the LUT (default) or the window.
    frame_index : int, optional
        Which frame of an enhanced multi-frame ``ds`` a single-frame ``arr`` is.

    Returns
    -------
    numpy.ndarray
        See :func:`apply_voi` and :func:`apply_windowing`; ``arr`` itself when
        ``ds`` has neither.

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec import Dataset
    >>> ds = Dataset(WindowCenter=128, WindowWidth=64, BitsStored=8, PixelRepresentation=0)
    >>> apply_voi_lut(np.array([0, 96, 128, 160, 255], dtype=np.uint8), ds).round(2).tolist()
    [0.0, 0.0, 129.52, 255.0, 255.0]
    """
    src = _source(ds, _FRAME_VOI_LUT, ("VOILUTSequence", "WindowCenter"), frame_index or 0)
    has_lut = _voi_lut_item(src, index) is not None if src.get("VOILUTSequence") else False
    plan = _PerFrame.of(arr, ds, _FRAME_VOI_LUT, ("WindowCenter", "VOILUTSequence"), frame_index,
                        lambda src, _: _window_key(src))
    has_window = any(_window_of(s) is not None for s, _ in plan.groups)
    if has_lut and (prefer_lut or not has_window):
        return apply_voi(arr, ds, index, frame_index=frame_index)
    if has_window:
        return apply_windowing(arr, ds, index, frame_index=frame_index)
    return arr


def apply_voi(arr: np.ndarray, ds: Dataset, index: int = 0, *, frame_index: int | None = None) -> np.ndarray:
    """Apply item ``index`` of the VOI LUT Sequence of ``ds``.

    Values below the first mapped value take the first entry and values past the
    end the last (PS3.3 C.11.2.1.1); float input is rounded to the nearest integer.

    Returns
    -------
    numpy.ndarray
        ``uint8`` when the descriptor gives at most 8 bits per entry, else
        ``uint16``; ``arr`` itself when ``ds`` has no VOI LUT Sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec import Dataset
    >>> item = Dataset(LUTDescriptor=[4, 10, 8], LUTData=[0, 50, 100, 250])
    >>> ds = Dataset(VOILUTSequence=[item])
    >>> apply_voi(np.array([0, 10, 12, 99], dtype=np.int16), ds).tolist()
    [0, 0, 100, 250]
    """
    src = _source(ds, _FRAME_VOI_LUT, ("VOILUTSequence",), frame_index or 0)
    if not src.get("VOILUTSequence"):
        return arr
    item = _voi_lut_item(src, index)
    if item is None:
        return arr
    signed = int(ds.get("PixelRepresentation", 0) or 0) == 1 and _modality_lut_item(ds) is None
    table, first, _ = _lut_from_item(item, ds, "VOI", signed)
    return apply_table(np.asarray(arr), table, first)


def apply_windowing(
    arr: np.ndarray,
    ds: Dataset,
    index: int = 0,
    *,
    frame_index: int | None = None,
    out_range: tuple[float, float] | None = None,
    dtype: Any = np.float64,
) -> np.ndarray:
    """Apply a Window Center / Width of ``ds`` with its VOI LUT Function (PS3.3 C.11.2.1.2-3).

    With ``c`` the center, ``w`` the width and ``[y_min, y_max]`` the output range:

    * ``LINEAR`` (default): ``x <= c - 0.5 - (w-1)/2`` → ``y_min``;
      ``x > c - 0.5 + (w-1)/2`` → ``y_max``; else
      ``((x - (c - 0.5)) / (w - 1) + 0.5) * (y_max - y_min) + y_min``.
    * ``LINEAR_EXACT``: the same with ``c`` and ``w`` unchanged.
    * ``SIGMOID``: ``(y_max - y_min) / (1 + exp(-4 (x - c) / w)) + y_min``.

    Parameters
    ----------
    arr : numpy.ndarray
        Values after the Modality LUT / rescale stage.
    ds : Dataset
        With Window Center and Window Width (top level or Frame VOI LUT group).
    index : int, optional
        Which of several window values to use (a single value serves every index).
    frame_index : int, optional
        Which frame of an enhanced multi-frame ``ds`` a single-frame ``arr`` is.
    out_range : (float, float), optional
        ``(y_min, y_max)``. Default, as pydicom: the range of the input values
        (see :func:`voi_output_range`).
    dtype : numpy dtype, optional
        Output type (default ``float64``); an integer type rounds half up.

    Returns
    -------
    numpy.ndarray
        ``arr`` itself when ``ds`` has no window.

    Raises
    ------
    ProcessingError (a ValueError)
        Width < 1 (LINEAR) or <= 0 (the others), an unknown VOI LUT Function, or
        a Photometric Interpretation other than MONOCHROME1 / MONOCHROME2.

    Notes
    -----
    Integer input of at most 16 bits is mapped with a table of every possible
    value, computed with the same float64 operations as pydicom's windowing, so
    the results are identical to pydicom's, at the speed of one gather.

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec import Dataset
    >>> ds = Dataset(WindowCenter=40, WindowWidth=400, BitsStored=16, PixelRepresentation=1)
    >>> x = np.array([-1000, 40, 1000], dtype=np.int16)
    >>> apply_windowing(x, ds, out_range=(0, 255), dtype=np.uint8).tolist()
    [0, 128, 255]
    """
    arr = np.asarray(arr)
    keys = ("WindowCenter", "VOILUTSequence")

    def key(src: Any, frame: int) -> Any:  # frames share a table when window and range agree
        return _window_key(src), None if out_range is not None else _windowing_range(ds, frame)

    plan = _PerFrame.of(arr, ds, _FRAME_VOI_LUT, keys, frame_index, key)
    if all(_window_of(src) is None for src, _ in plan.groups):
        return arr
    photometric = str(ds.get("PhotometricInterpretation", "") or "").strip().upper()
    if photometric and photometric not in ("MONOCHROME1", "MONOCHROME2"):
        raise ProcessingError(
            f"windowing applies to MONOCHROME1 and MONOCHROME2 data, not {photometric}"
        )
    out = np.empty(arr.shape, dtype=dtype)
    for src, frames in plan.groups:
        window = _window_of(src)
        if window is None:
            raise ProcessingError("some frames have a Window Center / Width and others none")
        center_v, width_v, function = window
        center, width = _value(center_v, index), _value(width_v, index)
        first_frame = (frame_index or 0) if frames is None else frames[0]
        y_min, y_max = out_range if out_range is not None else _windowing_range(ds, first_frame)
        fn = _window_function(function, center, width, float(y_min), float(y_max))
        selections: list[Any] = [Ellipsis] if frames is None else frames
        for sel in selections:
            _map_into(arr[sel], out[sel] if frames is not None else out, fn)
    return out


def _window_function(
    function: str, center: float, width: float, y_min: float, y_max: float
) -> Callable[[np.ndarray], np.ndarray]:
    """``f(float64 array) -> float64 array`` for one window, with pydicom's exact arithmetic."""
    y_range = y_max - y_min
    if function in ("LINEAR", "LINEAR_EXACT"):
        if function == "LINEAR":
            if width < 1:
                raise ProcessingError("Window Width must be greater than or equal to 1 for a 'LINEAR' windowing")
            center -= 0.5
            width -= 1
        elif width <= 0:
            raise ProcessingError("Window Width must be greater than 0 for a 'LINEAR_EXACT' windowing")
        low, high = center - width / 2, center + width / 2

        def linear(x: np.ndarray) -> np.ndarray:
            below = x <= low
            above = x > high
            y = ((x - center) / width + 0.5) * y_range + y_min if width else np.full_like(x, y_min)
            y[below] = y_min
            y[above] = y_max
            return y

        return linear
    if function == "SIGMOID":
        if width <= 0:
            raise ProcessingError("Window Width must be greater than 0 for a 'SIGMOID' windowing")

        def sigmoid(x: np.ndarray) -> np.ndarray:
            with np.errstate(over="ignore"):  # exp overflows to inf far below the center: y_min
                return y_range / (1 + np.exp(-4 * (x - center) / width)) + y_min

        return sigmoid
    raise ProcessingError(f"Unsupported (0028,1056) VOI LUT Function value {function!r}")


def _to_dtype(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = np.clip(np.floor(values + 0.5), info.min, info.max)
    return values.astype(dtype, copy=False)


def _map_into(src: np.ndarray, dst: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> None:
    """``dst[...] = fn(src)`` through a whole-range table for small integers, else by chunks."""
    if src.dtype.byteorder not in ("=", "|") and src.dtype.itemsize > 1:
        src = src.astype(src.dtype.newbyteorder("="))
    if src.dtype.kind in "iub" and src.dtype.itemsize <= 2:
        unsigned = np.dtype(f"u{src.dtype.itemsize}")
        values = np.arange(1 << (8 * src.dtype.itemsize), dtype=unsigned)
        if src.dtype.kind == "i":
            values = values.view(src.dtype)
        table = _to_dtype(fn(values.astype(np.float64)), dst.dtype)
        index = src.view(unsigned) if src.dtype.kind != "b" else src.view(np.uint8)
        if not (index.flags.c_contiguous and dst.flags.c_contiguous):
            np.take(table, index, out=dst, mode="wrap")
            return
        flat_index, flat_dst = index.reshape(-1), dst.reshape(-1)
        for start, stop in _spans(flat_index.size):  # take() converts indices to intp: by chunks
            np.take(table, flat_index[start:stop], out=flat_dst[start:stop], mode="wrap")
        return
    flat_in = src.reshape(-1)
    flat_out = dst.reshape(-1)
    for start, stop in _spans(flat_in.size):
        flat_out[start:stop] = _to_dtype(fn(flat_in[start:stop].astype(np.float64)), dst.dtype)


def _spans(size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, size, _CHUNK):
        yield start, min(size, start + _CHUNK)


# --------------------------------------------------------------------------- presentation
def apply_presentation_lut(
    arr: np.ndarray, ds: Dataset, *, in_range: tuple[float, float] | None = None
) -> np.ndarray:
    """Apply the Presentation LUT of ``ds`` (PS3.3 C.11.6) and return P-values.

    Parameters
    ----------
    arr : numpy.ndarray
        Values after the VOI stage.
    ds : Dataset
        With (2050,0010) *Presentation LUT Sequence* or (2050,0020) *Presentation
        LUT Shape*; a MONOCHROME1 data set with neither gets the implied INVERSE.
    in_range : (float, float), optional
        The range of ``arr`` values (default: :func:`voi_output_range` of ``ds``,
        right for the output of ``apply_voi_lut(arr, ds)``). A LUT maps this range
        linearly onto its entries (an integer range ``0 .. entries-1`` one to
        one); INVERSE maps ``x`` to ``low + high - x``.

    Returns
    -------
    numpy.ndarray
        A LUT gives ``uint8`` / ``uint16`` P-values (unused high bits cleared);
        INVERSE gives ``arr``'s dtype; IDENTITY (or nothing to do) ``arr`` itself.

    Notes
    -----
    pydicom 3.0 scales ``arr`` from its own minimum and maximum (so the result
    depends on the image content) and inverts around ``arr.max()``; here both use
    the nominal range, so equal values always give equal P-values.

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec import Dataset
    >>> ds = Dataset(PhotometricInterpretation="MONOCHROME1", BitsStored=8, PixelRepresentation=0)
    >>> apply_presentation_lut(np.array([0, 100, 255], dtype=np.uint8), ds).tolist()
    [255, 155, 0]
    """
    arr = np.asarray(arr)
    seq = ds.get("PresentationLUTSequence")
    if seq:
        item = seq[0]
        entries, first, bits = lut_descriptor(item.get("LUTDescriptor"), "Presentation LUT Descriptor", False)
        values = lut_values(item.get("LUTData"), entries, bits, is_little_endian(ds), "Presentation LUT Data")
        values = values & ((1 << bits) - 1)
        table = values.astype(np.uint8 if bits <= 8 else np.uint16)
        low, high = in_range if in_range is not None else voi_output_range(ds)
        if arr.dtype.kind in "iu" and low == first and high == first + entries - 1:
            return apply_table(arr, table, first)
        scale = (entries - 1) / (high - low) if high != low else 0.0
        index_fn = _scaler(float(low), scale)
        index = np.empty(arr.shape, dtype=np.int64)
        _map_into(arr, index, index_fn)
        return apply_table(index, table, 0)
    shape = str(ds.get("PresentationLUTShape", "") or "").strip().upper()
    if not shape and str(ds.get("PhotometricInterpretation", "")).strip().upper() == "MONOCHROME1":
        shape = "INVERSE"
    if shape in ("", "IDENTITY"):
        return arr
    if shape != "INVERSE":
        raise ProcessingError(f"a (2050,0020) Presentation LUT Shape of {shape!r} is not supported")
    low, high = in_range if in_range is not None else voi_output_range(ds)
    out = np.empty_like(arr)
    _map_into(arr, out, lambda x: (low + high) - np.clip(x, low, high))
    return out


def _scaler(low: float, scale: float) -> Callable[[np.ndarray], np.ndarray]:
    def fn(x: np.ndarray) -> np.ndarray:
        return (x - low) * scale

    return fn
