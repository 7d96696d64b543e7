"""Helpers for codec authors: putting a library's decoded samples into the frame's array.

Most libraries return a new array; the core hands ``decode`` an ``out`` array of
``spec.shape`` and ``spec.dtype`` to fill. :func:`fill_out` does that copy in one place:
it checks the sample count, allocates ``out`` when the codec is called without one,
and reinterprets the bits when the library's signedness differs from the frame's (the
core then corrects the values from what the codec reports).

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec.plugins.frames import fill_out
>>> spec = FrameSpec(rows=2, columns=2, bits_allocated=16, bits_stored=12, pixel_representation=1)
>>> library = np.array([1, 2, 4095, 4094], dtype=np.uint16)  # no sign: 12-bit two's complement
>>> out = fill_out(None, library, spec, as_dtype=np.uint16)
>>> out.dtype, out.view(np.uint16).ravel().tolist()
(dtype('int16'), [1, 2, 4095, 4094])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .records import FrameSpec

__all__ = ["fill_out"]


def fill_out(
    out: np.ndarray | None,
    samples: np.ndarray,
    spec: FrameSpec,
    *,
    as_dtype: Any = None,
    library: str = "the library",
) -> np.ndarray:
    """Copy decoded ``samples`` into ``out`` (a new array when ``out`` is None); return it.

    Parameters
    ----------
    out : numpy.ndarray or None
        The frame's output array (``spec.shape``, ``spec.dtype``), as ``decode`` got it.
    samples : numpy.ndarray
        What the library decoded: ``spec.pixels`` samples in any shape that reshapes
        to ``spec.shape`` (interleaved).
    spec : FrameSpec
        The frame's description.
    as_dtype : numpy dtype, optional
        Write through ``out.view(as_dtype)`` (same item size): the library's own
        signedness, so its bits are kept as they are. Report that signedness in the
        DecodedFrame and the core reinterprets the values.
    library : str
        Named in the error message.

    Returns
    -------
    numpy.ndarray
        ``out``, filled.

    Raises
    ------
    ValueError
        The library produced a different number of samples than the frame holds.

    Examples
    --------
    >>> import numpy as np
    >>> spec = FrameSpec(rows=1, columns=3, bits_allocated=8, bits_stored=8)
    >>> fill_out(np.zeros((1, 3), np.uint8), np.array([[7], [8], [9]], np.uint8), spec).tolist()
    [[7, 8, 9]]
    >>> fill_out(None, np.zeros(4, np.uint8), spec, library="libfoo")
    Traceback (most recent call last):
    ...
    ValueError: libfoo decoded 4 samples, the frame has 3
    """
    expected = spec.pixels
    if samples.size != expected:
        raise ValueError(f"{library} decoded {samples.size} samples, the frame has {expected}")
    if out is None:
        out = np.empty(spec.shape, spec.dtype)
    target = out if as_dtype is None or np.dtype(as_dtype) == out.dtype else out.view(as_dtype)
    target[...] = samples.reshape(spec.shape)
    return out
