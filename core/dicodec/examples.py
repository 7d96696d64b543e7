"""Example data sets made by dicodec itself, for documentation, tests and demos.

Nothing here is downloaded: every example is synthesised (deterministically: same
pixels and UIDs on every machine and every run) and built with dicodec's own
:class:`~dicodec.dataset.Dataset` API. Each example is a
:class:`~dicodec.dataset.FileDataset` in Explicit VR Little Endian with complete File
Meta Information, so ``ds.save_as(path, enforce_file_format=True)`` works as is.

The examples are module attributes, built on first access; every access returns a
fresh copy that you may change freely:

* ``ct``: 512x512 int16 CT slice (HU = stored value - 1024), two VOI windows;
* ``mr``: 256x256 uint16 MR slice, 12 bits stored, Latin-1 patient name;
* ``rgb_color``: 100x100 RGB uint8 test card (Secondary Capture);
* ``ybr_color``: the same test card converted to YBR_FULL with integer arithmetic;
* ``palette``: 128x128 PALETTE COLOR 8-bit indices, 256-entry 16-bit LUTs;
* ``overlay``: the MR slice with a 1-bit overlay plane in group 0x6000;
* ``multiframe``: 10 frames of 64x64 uint16 (12 bits), Enhanced-MR-like functional groups;
* ``waveform``: 3-lead ECG, 2 s at 500 Hz, int16 samples.

Plugins add more names (compressed variants, for example) with :func:`register`.
:func:`get_path` writes an example once to a cache folder and returns its path,
for APIs that want a file. ``python -m dicodec.examples`` lists every example
with its path.

numpy is imported when an example is first built, never by ``import dicodec``.

Examples
--------
>>> from dicodec import examples
>>> ds = examples.ct
>>> ds.Modality, ds.Rows, ds.Columns
('CT', 512, 512)
>>> ds.PatientName = "Changed^Here"      # a copy: the next access is pristine again
>>> str(examples.ct.PatientName)
'Example^CT'
>>> "mr" in examples.names()
True
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from .dataset import Dataset, FileDataset

__all__ = [
    "ExampleSpec",
    "cache_dir",
    "get",
    "get_path",
    "main",
    "names",
    "register",
    "specs",
    "unregister",
]

# --------------------------------------------------------------------- registry


@dataclass(frozen=True)
class ExampleSpec:
    """The record behind one example name.

    Attributes
    ----------
    name : str
        A Python identifier; the example is reachable as ``dicodec.examples.<name>``.
    factory : callable
        Called with no arguments; returns a new
        :class:`~dicodec.dataset.FileDataset` with File Meta Information. It is
        called at most once per process: its result is encoded as a Part 10 file
        and every access reads a new data set from those bytes.
    description : str
        One line for listings.
    revision : int
        Bump it when the factory's output changes, so files cached by
        :func:`get_path` are written again.
    origin : str
        Who registered it (``"dicodec"`` or a plugin's distribution name).

    Examples
    --------
    >>> from dicodec.examples import specs
    >>> specs()["ct"].origin
    'dicodec'
    """

    name: str
    factory: Callable[[], FileDataset]
    description: str = ""
    revision: int = 1
    origin: str = "dicodec"


_REGISTRY: dict[str, ExampleSpec] = {}
_ENCODED: dict[str, bytes] = {}
_LOCK = threading.RLock()


def register(
    name: str,
    factory: Callable[[], FileDataset],
    *,
    description: str = "",
    revision: int = 1,
    origin: str = "dicodec",
    replace: bool = False,
) -> ExampleSpec:
    """Add an example generator under ``name``.

    Meant for plugins: a compression plugin can publish ``rle`` or ``jpeg2k``
    examples that start from a built-in one (``get("ct")``) and compress it.

    Parameters
    ----------
    name : str
        A Python identifier, not already taken (unless ``replace``).
    factory : callable
        Returns a new :class:`~dicodec.dataset.FileDataset` (with ``file_meta``).
    description : str
        One line for listings.
    revision : int
        Version of the factory's output (see :class:`ExampleSpec`).
    origin : str
        Who registers it, shown by ``python -m dicodec.examples``.
    replace : bool
        Allow replacing an existing name.

    Returns
    -------
    ExampleSpec
        The stored record.

    Raises
    ------
    ValueError
        If ``name`` is not an identifier or is already registered.

    Examples
    --------
    >>> from dicodec import examples
    >>> def tiny():
    ...     ds = examples.get("mr")
    ...     ds.SeriesDescription = "tiny copy"
    ...     return ds
    >>> _ = examples.register("my_tiny", tiny, description="demo", origin="doctest")
    >>> examples.my_tiny.SeriesDescription
    'tiny copy'
    >>> examples.unregister("my_tiny")
    """
    if not name.isidentifier() or name.startswith("_"):
        raise ValueError(f"an example name must be a public Python identifier, not {name!r}")
    if name in globals() and name not in _REGISTRY:
        raise ValueError(f"{name!r} clashes with a function of dicodec.examples")
    spec = ExampleSpec(name, factory, description, revision, origin)
    with _LOCK:
        if name in _REGISTRY and not replace:
            raise ValueError(f"the example {name!r} is already registered by {_REGISTRY[name].origin}")
        _REGISTRY[name] = spec
        _ENCODED.pop(name, None)
    return spec


def unregister(name: str) -> None:
    """Remove the example ``name`` (a ``KeyError`` if it is unknown).

    Examples
    --------
    >>> from dicodec import examples
    >>> examples.unregister("no_such_example")
    Traceback (most recent call last):
    ...
    KeyError: "no example named 'no_such_example'"
    """
    with _LOCK:
        if name not in _REGISTRY:
            raise KeyError(f"no example named {name!r}")
        del _REGISTRY[name]
        _ENCODED.pop(name, None)


def names() -> list[str]:
    """The names of every registered example, sorted.

    Examples
    --------
    >>> from dicodec.examples import names
    >>> "ct" in names() and "rle" in names()
    True
    """
    return sorted(_REGISTRY)


def specs() -> dict[str, ExampleSpec]:
    """A snapshot of the registry: name to :class:`ExampleSpec`.

    Examples
    --------
    >>> from dicodec.examples import specs
    >>> specs()["palette"].description
    '128x128 PALETTE COLOR, 8-bit indices, 256-entry 16-bit LUTs'
    """
    return dict(_REGISTRY)


def _spec(name: str) -> ExampleSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no example named {name!r}; known: {', '.join(names())}") from None


def _encoded(name: str) -> bytes:
    """The example as Part 10 bytes, built and encoded once per process."""
    spec = _spec(name)
    with _LOCK:
        data = _ENCODED.get(name)
        if data is None:
            import io

            buf = io.BytesIO()
            spec.factory().save_as(buf, enforce_file_format=True)
            data = _ENCODED[name] = buf.getvalue()
    return data


def get(name: str) -> FileDataset:
    """A fresh copy of the example ``name``.

    The example is built and encoded as a Part 10 file once per process; each call
    reads a new :class:`~dicodec.dataset.FileDataset` from those bytes (which is
    quick: values are converted only when used), so changing it never affects
    later calls.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    FileDataset

    Raises
    ------
    KeyError
        If no example has that name.

    Examples
    --------
    >>> from dicodec.examples import get
    >>> ds = get("rgb_color")
    >>> ds.PhotometricInterpretation, ds.SamplesPerPixel
    ('RGB', 3)
    """
    from .filereader import dcmread

    return dcmread(_encoded(name))


def __getattr__(name: str) -> Any:
    if name in _REGISTRY:
        return get(name)
    raise AttributeError(f"module 'dicodec.examples' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_REGISTRY))


# ------------------------------------------------------------------ file cache


def cache_dir() -> Path:
    """The folder :func:`get_path` writes to (not created by this call).

    ``$DICODEC_CACHE/examples`` when the environment variable ``DICODEC_CACHE`` is
    set, else ``$XDG_CACHE_HOME/dicodec/examples``, else
    ``~/.cache/dicodec/examples``. The environment is read at each call.

    Examples
    --------
    >>> from dicodec.examples import cache_dir
    >>> cache_dir().name
    'examples'
    """
    root = os.environ.get("DICODEC_CACHE")
    if root:
        return Path(root).expanduser() / "examples"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "dicodec" / "examples"


def get_path(name: str) -> str:
    """The path of the example ``name`` written as a Part 10 file.

    The file is written the first time it is asked for (through a temporary file
    renamed into place, so concurrent callers and interruptions never see a partial
    file) and reused afterwards. Its name carries the dicodec version and the
    example's revision, so an upgrade writes a new file instead of reusing a stale one.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    str
        An absolute path.

    Raises
    ------
    KeyError
        If no example has that name.
    OSError
        If the cache folder cannot be created or written (set ``DICODEC_CACHE``).

    Examples
    --------
    >>> import dicodec
    >>> from dicodec.examples import get_path
    >>> path = get_path("mr")
    >>> dicodec.dcmread(path).Modality
    'MR'
    """
    spec = _spec(name)
    from . import __version__

    folder = cache_dir() / __version__
    path = folder / f"{name}.r{spec.revision}.dcm"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        # dcmwrite writes a path through a temporary file in the same folder and
        # renames it into place, which makes this write atomic.
        get(name).save_as(path, enforce_file_format=True)
    return str(path.resolve())


# ------------------------------------------------------------- common pieces

_STUDY_DATE = "20240115"
_ENTROPY_ROOT = "dicodec.examples"

_SOP_CT = "1.2.840.10008.5.1.4.1.1.2"
_SOP_MR = "1.2.840.10008.5.1.4.1.1.4"
_SOP_ENHANCED_MR = "1.2.840.10008.5.1.4.1.1.4.1"
_SOP_SC = "1.2.840.10008.5.1.4.1.1.7"
_SOP_ECG = "1.2.840.10008.5.1.4.1.1.9.1.2"
_EXPLICIT_VR_LE = "1.2.840.10008.1.2.1"


def _uid(*parts: str) -> str:
    """A UID that is the same on every run: 2.25. + 128 bits of a hash of ``parts``."""
    from .uid import generate_uid

    return str(generate_uid(entropy_srcs=[_ENTROPY_ROOT, *parts]))


def _rng(name: str) -> np.random.Generator:
    import zlib

    import numpy as np

    return np.random.default_rng(zlib.crc32(f"{_ENTROPY_ROOT}:{name}".encode()))


def _patient_study_series(
    ds: Dataset,
    key: str,
    *,
    patient: str,
    patient_id: str,
    sex: str,
    birth_date: str,
    modality: str,
    study_description: str,
    series_description: str,
    series_number: int = 1,
) -> None:
    """Fill the Patient, General Study, General Series, Equipment and SOP Common basics."""
    ds.PatientName = patient
    ds.PatientID = patient_id
    ds.PatientBirthDate = birth_date
    ds.PatientSex = sex
    ds.StudyInstanceUID = _uid(key, "study")
    ds.StudyDate = _STUDY_DATE
    ds.StudyTime = "093000"
    ds.StudyID = "1"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = study_description
    ds.Modality = modality
    ds.SeriesInstanceUID = _uid(key, "series", str(series_number))
    ds.SeriesNumber = series_number
    ds.SeriesDate = _STUDY_DATE
    ds.SeriesTime = "093500"
    ds.SeriesDescription = series_description
    ds.Manufacturer = "dicodec"
    ds.ManufacturerModelName = "dicodec.examples"
    ds.SoftwareVersions = "dicodec examples"
    ds.InstitutionName = "Example Institution"


def _finish(ds: Dataset, key: str, sop_class: str) -> FileDataset:
    """Add the SOP identity and File Meta Information; wrap as a FileDataset."""
    from .dataset import FileDataset, FileMetaDataset
    from .uid import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

    instance = _uid(key, "instance")
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = instance
    ds.InstanceCreationDate = _STUDY_DATE
    ds.InstanceCreationTime = "094000"
    meta = FileMetaDataset()
    meta.add_new(0x00020001, "OB", b"\x00\x01")
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = instance
    meta.TransferSyntaxUID = _EXPLICIT_VR_LE
    meta.ImplementationClassUID = str(IMPLEMENTATION_CLASS_UID)
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    fds = FileDataset(None, ds, preamble=b"\x00" * 128, file_meta=meta, is_implicit_VR=False, is_little_endian=True)
    fds.set_original_encoding(False, True, ds.get("SpecificCharacterSet"))
    return fds


def _image_pixel(
    ds: Dataset,
    arr: np.ndarray,
    photometric: str,
    bits_stored: int,
    *,
    frames: int | None = None,
) -> None:
    """Set the Image Pixel module from ``arr`` (rows, cols[, samples]) or (frames, ...)."""
    shape = arr.shape[1:] if frames is not None else arr.shape
    samples = shape[2] if len(shape) == 3 else 1
    bits_allocated = arr.dtype.itemsize * 8
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples > 1:
        ds.PlanarConfiguration = 0
    if frames is not None:
        ds.NumberOfFrames = frames
    ds.Rows = int(shape[0])
    ds.Columns = int(shape[1])
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if arr.dtype.kind == "i" else 0
    data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
    if len(data) % 2:
        data += b"\x00"
    ds.add_new(0x7FE00010, "OB" if bits_allocated == 8 else "OW", data)


def _ellipse(
    yy: np.ndarray, xx: np.ndarray, cy: float, cx: float, ry: float, rx: float, angle: float = 0.0
) -> np.ndarray:
    import numpy as np

    c, s = np.cos(angle), np.sin(angle)
    dy, dx = yy - cy, xx - cx
    u = (dx * c + dy * s) / rx
    v = (-dx * s + dy * c) / ry
    return (u * u + v * v) <= 1.0


# ----------------------------------------------------------------- phantoms


def _ct_pixels(size: int = 512) -> np.ndarray:
    """An axial chest-like slice in stored values (HU + 1024), int16."""
    import numpy as np

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / size  # 0..1
    hu = np.full((size, size), -1000.0)  # air inside the field of view
    hu[_ellipse(yy, xx, 0.52, 0.5, 0.33, 0.44)] = -100.0  # subcutaneous fat
    hu[_ellipse(yy, xx, 0.52, 0.5, 0.30, 0.41)] = 40.0  # soft tissue
    hu[_ellipse(yy, xx, 0.48, 0.31, 0.19, 0.13, 0.15)] = -850.0  # right lung
    hu[_ellipse(yy, xx, 0.48, 0.69, 0.19, 0.13, -0.15)] = -850.0  # left lung
    hu[_ellipse(yy, xx, 0.50, 0.56, 0.10, 0.09, 0.4)] = 45.0  # heart
    hu[_ellipse(yy, xx, 0.50, 0.56, 0.045, 0.04)] = 180.0  # contrast in a chamber
    hu[_ellipse(yy, xx, 0.60, 0.46, 0.03, 0.03)] = 200.0  # aorta
    hu[_ellipse(yy, xx, 0.74, 0.5, 0.055, 0.06)] = 700.0  # vertebral body
    hu[_ellipse(yy, xx, 0.74, 0.5, 0.035, 0.04)] = 250.0  # cancellous bone
    hu[_ellipse(yy, xx, 0.23, 0.5, 0.015, 0.10)] = 900.0  # sternum
    for k in range(-4, 5):  # ribs
        if k:
            angle = 0.33 * k
            cy = 0.52 - 0.29 * np.cos(angle)
            cx = 0.5 + 0.39 * np.sin(angle)
            hu[_ellipse(yy, xx, cy, cx, 0.018, 0.012)] = 1000.0
    rng = _rng("ct")
    hu += rng.normal(0.0, 8.0, hu.shape)
    stored = np.rint(hu + 1024.0)
    outside = ((yy - 0.5) ** 2 + (xx - 0.5) ** 2) > 0.5**2
    stored[outside] = -2000  # outside the reconstruction circle: padding
    return stored.astype(np.int16)


def _mr_pixels(size: int = 256) -> np.ndarray:
    """An axial head-like T2 slice, uint16 in 0..4095."""
    import numpy as np

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / size
    img = np.zeros((size, size))
    img[_ellipse(yy, xx, 0.5, 0.5, 0.42, 0.35)] = 900.0  # scalp
    img[_ellipse(yy, xx, 0.5, 0.5, 0.39, 0.32)] = 150.0  # skull (dark)
    img[_ellipse(yy, xx, 0.5, 0.5, 0.37, 0.30)] = 1900.0  # CSF rim
    img[_ellipse(yy, xx, 0.5, 0.5, 0.35, 0.28)] = 1400.0  # grey matter
    img[_ellipse(yy, xx, 0.5, 0.5, 0.28, 0.21)] = 950.0  # white matter
    img[_ellipse(yy, xx, 0.45, 0.44, 0.10, 0.03, 0.25)] = 3000.0  # ventricles
    img[_ellipse(yy, xx, 0.45, 0.56, 0.10, 0.03, -0.25)] = 3000.0
    img[_ellipse(yy, xx, 0.66, 0.62, 0.03, 0.03)] = 2600.0  # a bright lesion
    shading = 1.0 + 0.15 * (xx - 0.5) - 0.1 * (yy - 0.5)  # coil sensitivity
    rng = _rng("mr")
    img = img * shading + np.abs(rng.normal(0.0, 25.0, img.shape))  # Rician-like floor
    return np.clip(np.rint(img), 0, 4095).astype(np.uint16)


def _rgb_pixels(size: int = 100) -> np.ndarray:
    """A colour test card: hue/value gradient, primary patches and a grey ramp."""
    import numpy as np

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) / (size - 1)
    hue = xx * 6.0
    # a continuous hue wheel from piecewise-linear channels
    r = np.clip(np.abs(hue - 3.0) - 1.0, 0.0, 1.0)
    g = np.clip(2.0 - np.abs(hue - 2.0), 0.0, 1.0)
    b = np.clip(2.0 - np.abs(hue - 4.0), 0.0, 1.0)
    img = np.stack([r, g, b], axis=-1) * (1.0 - 0.8 * yy)[..., None]
    img = np.rint(img * 255.0).astype(np.uint8)
    p = size // 5
    patches = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)]
    for i, colour in enumerate(patches):
        img[p // 2 : p // 2 + p // 2, i * p + 2 : (i + 1) * p - 2] = colour
    ramp = np.rint(np.linspace(0, 255, size)).astype(np.uint8)
    img[-p // 2 :, :, :] = ramp[None, :, None]
    return img


def _rgb_to_ybr_full(rgb: np.ndarray) -> np.ndarray:
    """Convert uint8 RGB to YBR_FULL with the integer form of PS3.3 C.7.6.3.1.2.

    The equations' coefficients are used as 16-bit fixed-point integers that sum
    exactly (Y: 65536, Cb and Cr: 0), results are rounded half up and clipped to
    0..255, so greys map to ``(v, 128, 128)`` exactly.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``uint8`` array whose last axis holds R, G, B.

    Returns
    -------
    numpy.ndarray
        ``uint8`` array of the same shape holding Y, Cb, Cr.

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.examples import _rgb_to_ybr_full
    >>> _rgb_to_ybr_full(np.array([[255, 255, 255], [255, 0, 0], [90, 90, 90]], np.uint8)).tolist()
    [[255, 128, 128], [76, 85, 255], [90, 128, 128]]
    """
    import numpy as np

    c = rgb.astype(np.int64)
    r, g, b = c[..., 0], c[..., 1], c[..., 2]
    half, offset = 1 << 15, 128 << 16
    y = (19595 * r + 38470 * g + 7471 * b + half) >> 16
    cb = (-11059 * r - 21709 * g + 32768 * b + offset + half) >> 16
    cr = (32768 * r - 27439 * g - 5329 * b + offset + half) >> 16
    return np.clip(np.stack([y, cb, cr], axis=-1), 0, 255).astype(np.uint8)


def _palette_luts(entries: int = 256) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 'hot metal'-like colour map as three 16-bit LUTs."""
    import numpy as np

    x = np.linspace(0.0, 1.0, entries)
    red = np.clip(3.0 * x, 0.0, 1.0)
    green = np.clip(3.0 * x - 1.0, 0.0, 1.0)
    blue = np.clip(3.0 * x - 2.0, 0.0, 1.0)
    to16 = lambda a: np.rint(a * 65535.0).astype(np.uint16)  # noqa: E731
    return to16(red), to16(green), to16(blue)


def _palette_pixels(size: int = 128) -> np.ndarray:
    """Palette indices: rings modulated by angle, uint8 covering 0..255."""
    import numpy as np

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    cy = cx = (size - 1) / 2.0
    radius = np.hypot(yy - cy, xx - cx) / (size / 2.0)
    angle = np.arctan2(yy - cy, xx - cx)
    value = 0.5 + 0.5 * np.cos(radius * 10.0 + 2.0 * angle)
    return np.rint(value * 255.0).astype(np.uint8)


def _overlay_bits(rows: int, columns: int) -> np.ndarray:
    """A 1-bit graphic: a frame, a cross-hair and a filled circle (uint8 0/1)."""
    import numpy as np

    bits = np.zeros((rows, columns), np.uint8)
    bits[8:10, 8:-8] = 1
    bits[-10:-8, 8:-8] = 1
    bits[8:-8, 8:10] = 1
    bits[8:-8, -10:-8] = 1
    cy, cx = rows // 2, columns // 2
    bits[cy, cx - 20 : cx + 21] = 1
    bits[cy - 20 : cy + 21, cx] = 1
    yy, xx = np.mgrid[0:rows, 0:columns]
    bits[(yy - 0.66 * rows) ** 2 + (xx - 0.62 * columns) ** 2 <= 12**2] = 1
    return bits


def _pack_bits_le(bits: np.ndarray) -> bytes:
    """Pack 0/1 values into bytes, first pixel in the least significant bit.

    This is the bit order of Overlay Data and of 1-bit Pixel Data (PS3.5 8.1.1).
    The result is padded with a zero byte to an even length, as DICOM values must be.

    Parameters
    ----------
    bits : numpy.ndarray
        Any shape; non-zero means set. Pixels are taken in C order.

    Returns
    -------
    bytes

    Examples
    --------
    >>> import numpy as np
    >>> from dicodec.examples import _pack_bits_le
    >>> _pack_bits_le(np.array([1, 0, 0, 0, 0, 0, 0, 0, 1, 1]))
    b'\\x01\\x03'
    """
    import numpy as np

    data = np.packbits(np.asarray(bits).ravel() != 0, bitorder="little").tobytes()
    return data + b"\x00" if len(data) % 2 else data


def _sphere_frames(frames: int = 10, size: int = 64) -> np.ndarray:
    """Slices through a ball with a bright core, uint16 12-bit, shape (frames, size, size)."""
    import numpy as np

    z = np.linspace(-0.9, 0.9, frames)[:, None, None]
    yy, xx = (np.mgrid[0:size, 0:size].astype(np.float64) - (size - 1) / 2.0) / (size / 2.0)
    r2 = xx[None] ** 2 + yy[None] ** 2 + z**2
    vol = np.where(r2 <= 0.8, 1500.0, 80.0) + np.where(r2 <= 0.15, 1800.0, 0.0)
    vol = vol + 400.0 * (z + 1.0)  # a gradient along the stack
    rng = _rng("multiframe")
    vol = vol + rng.normal(0.0, 20.0, vol.shape)
    return np.clip(np.rint(vol), 0, 4095).astype(np.uint16)


def _ecg_samples(seconds: float = 2.0, rate: int = 500) -> np.ndarray:
    """Three ECG-like leads (I, II, III = II - I) in microvolts, int16 (samples, 3)."""
    import numpy as np

    t = np.arange(int(seconds * rate)) / rate
    beat = 60.0 / 72.0  # 72 bpm
    phase = np.mod(t, beat) / beat

    def wave(centre: float, width: float, height: float) -> np.ndarray:
        return height * np.exp(-0.5 * ((phase - centre) / width) ** 2)

    lead2 = wave(0.18, 0.025, 150) + wave(0.30, 0.008, -120) + wave(0.32, 0.010, 1200)
    lead2 = lead2 + wave(0.34, 0.009, -250) + wave(0.58, 0.045, 300)
    lead1 = 0.6 * lead2 + 40.0 * np.sin(2 * np.pi * 0.3 * t)  # slow baseline wander
    lead3 = lead2 - lead1  # Einthoven
    leads = np.stack([lead1, lead2, lead3], axis=-1) + _rng("waveform").normal(0.0, 8.0, (t.size, 3))
    return np.rint(leads).astype(np.int16)


# ----------------------------------------------------------------- builders


def _make_ct() -> FileDataset:
    from .dataset import Dataset

    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    _patient_study_series(
        ds,
        "ct",
        patient="Example^CT",
        patient_id="DICODEC-CT-0001",
        sex="O",
        birth_date="19700101",
        modality="CT",
        study_description="CT CHEST",
        series_description="AXIAL 1.0 mm",
    )
    ds.PatientAge = "054Y"
    ds.BodyPartExamined = "CHEST"
    ds.FrameOfReferenceUID = _uid("ct", "frame-of-reference")
    ds.PositionReferenceIndicator = ""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.InstanceNumber = 1
    ds.AcquisitionNumber = 1
    ds.ContentDate = _STUDY_DATE
    ds.ContentTime = "093512"
    ds.PatientPosition = "HFS"
    ds.ScanOptions = "HELICAL MODE"
    ds.KVP = "120"
    ds.DataCollectionDiameter = "500"
    ds.ReconstructionDiameter = "384"
    ds.DistanceSourceToDetector = "1040"
    ds.DistanceSourceToPatient = "570"
    ds.GantryDetectorTilt = "0"
    ds.TableHeight = "160"
    ds.RotationDirection = "CW"
    ds.ExposureTime = 500
    ds.XRayTubeCurrent = 200
    ds.Exposure = 100
    ds.ConvolutionKernel = "STANDARD"
    ds.SliceThickness = "1.0"
    ds.SpacingBetweenSlices = "1.0"
    ds.ImagePositionPatient = ["-192.0", "-192.0", "-120.0"]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SliceLocation = "-120.0"
    ds.PixelSpacing = ["0.75", "0.75"]
    _image_pixel(ds, _ct_pixels(), "MONOCHROME2", 16)
    ds.PixelPaddingValue = -2000
    ds.RescaleIntercept = "-1024"
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    ds.WindowCenter = ["40", "-600"]
    ds.WindowWidth = ["400", "1500"]
    ds.WindowCenterWidthExplanation = ["SOFT TISSUE", "LUNG"]
    return _finish(ds, "ct", _SOP_CT)


def _mr_dataset(key: str, series_number: int, description: str) -> Dataset:
    from .dataset import Dataset

    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    _patient_study_series(
        ds,
        "mr",  # the overlay example shares the MR patient and study
        patient="Müller^Anna",
        patient_id="DICODEC-MR-0001",
        sex="F",
        birth_date="19810523",
        modality="MR",
        study_description="MR HEAD",
        series_description=description,
        series_number=series_number,
    )
    ds.SeriesInstanceUID = _uid(key, "series")
    ds.PatientAge = "042Y"
    ds.BodyPartExamined = "HEAD"
    ds.FrameOfReferenceUID = _uid("mr", "frame-of-reference")
    ds.PositionReferenceIndicator = ""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "ND"]
    ds.InstanceNumber = 1
    ds.ContentDate = _STUDY_DATE
    ds.ContentTime = "094012"
    ds.PatientPosition = "HFS"
    ds.ScanningSequence = "SE"
    ds.SequenceVariant = ["SK", "SP"]
    ds.ScanOptions = ""
    ds.MRAcquisitionType = "2D"
    ds.SequenceName = "tse2d1_15"
    ds.RepetitionTime = "4000"
    ds.EchoTime = "96"
    ds.EchoTrainLength = 15
    ds.NumberOfAverages = "1"
    ds.ImagingFrequency = "63.68"
    ds.ImagedNucleus = "1H"
    ds.MagneticFieldStrength = "1.5"
    ds.FlipAngle = "150"
    ds.SliceThickness = "5.0"
    ds.ImagePositionPatient = ["-120.0", "-120.0", "40.0"]
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.SliceLocation = "40.0"
    ds.PixelSpacing = ["0.9375", "0.9375"]
    _image_pixel(ds, _mr_pixels(), "MONOCHROME2", 12)
    ds.WindowCenter = "1500"
    ds.WindowWidth = "3000"
    return ds


def _make_mr() -> FileDataset:
    return _finish(_mr_dataset("mr", 2, "T2 TSE AXIAL"), "mr", _SOP_MR)


def _make_overlay() -> FileDataset:
    ds = _mr_dataset("overlay", 3, "T2 TSE AXIAL with graphics overlay")
    rows, columns = int(ds.Rows), int(ds.Columns)
    g = 0x6000 << 16
    ds.add_new(g | 0x0010, "US", rows)  # Overlay Rows
    ds.add_new(g | 0x0011, "US", columns)  # Overlay Columns
    ds.add_new(g | 0x0022, "LO", "Region of interest")  # Overlay Description
    ds.add_new(g | 0x0040, "CS", "G")  # Overlay Type: graphics
    ds.add_new(g | 0x0050, "SS", [1, 1])  # Overlay Origin (1-based row, column)
    ds.add_new(g | 0x0100, "US", 1)  # Overlay Bits Allocated
    ds.add_new(g | 0x0102, "US", 0)  # Overlay Bit Position
    ds.add_new(g | 0x1500, "LO", "ROI")  # Overlay Label
    ds.add_new(g | 0x3000, "OW", _pack_bits_le(_overlay_bits(rows, columns)))  # Overlay Data
    return _finish(ds, "overlay", _SOP_MR)


def _make_rgb() -> FileDataset:
    from .dataset import Dataset

    ds = Dataset()
    _patient_study_series(
        ds,
        "colour",
        patient="Example^Colour",
        patient_id="DICODEC-SC-0001",
        sex="O",
        birth_date="20000101",
        modality="OT",
        study_description="COLOUR TEST CARD",
        series_description="RGB",
    )
    ds.SeriesInstanceUID = _uid("rgb_color", "series")
    ds.ConversionType = "WSD"
    ds.InstanceNumber = 1
    ds.ImageType = ["DERIVED", "SECONDARY"]
    _image_pixel(ds, _rgb_pixels(), "RGB", 8)
    return _finish(ds, "rgb_color", _SOP_SC)


def _make_ybr() -> FileDataset:
    from .dataset import Dataset

    ds = Dataset()
    _patient_study_series(
        ds,
        "colour",
        patient="Example^Colour",
        patient_id="DICODEC-SC-0001",
        sex="O",
        birth_date="20000101",
        modality="OT",
        study_description="COLOUR TEST CARD",
        series_description="YBR_FULL",
        series_number=2,
    )
    ds.SeriesInstanceUID = _uid("ybr_color", "series")
    ds.ConversionType = "WSD"
    ds.InstanceNumber = 1
    ds.ImageType = ["DERIVED", "SECONDARY"]
    _image_pixel(ds, _rgb_to_ybr_full(_rgb_pixels()), "YBR_FULL", 8)
    return _finish(ds, "ybr_color", _SOP_SC)


def _make_palette() -> FileDataset:
    from .dataset import Dataset

    ds = Dataset()
    _patient_study_series(
        ds,
        "colour",
        patient="Example^Colour",
        patient_id="DICODEC-SC-0001",
        sex="O",
        birth_date="20000101",
        modality="OT",
        study_description="COLOUR TEST CARD",
        series_description="PALETTE COLOR",
        series_number=3,
    )
    ds.SeriesInstanceUID = _uid("palette", "series")
    ds.ConversionType = "WSD"
    ds.InstanceNumber = 1
    ds.ImageType = ["DERIVED", "SECONDARY"]
    _image_pixel(ds, _palette_pixels(), "PALETTE COLOR", 8)
    red, green, blue = _palette_luts()
    descriptor = [256, 0, 16]  # entries, first mapped value, bits per entry
    ds.add_new(0x00281101, "US", descriptor)
    ds.add_new(0x00281102, "US", descriptor)
    ds.add_new(0x00281103, "US", descriptor)
    ds.add_new(0x00281199, "UI", _uid("palette", "lut"))  # Palette Color Lookup Table UID
    ds.add_new(0x00281201, "OW", red.astype("<u2").tobytes())
    ds.add_new(0x00281202, "OW", green.astype("<u2").tobytes())
    ds.add_new(0x00281203, "OW", blue.astype("<u2").tobytes())
    return _finish(ds, "palette", _SOP_SC)


def _make_multiframe() -> FileDataset:
    from .dataset import Dataset

    frames_arr = _sphere_frames()
    frames, rows, _ = frames_arr.shape
    ds = Dataset()
    _patient_study_series(
        ds,
        "multiframe",
        patient="Example^Multiframe",
        patient_id="DICODEC-MF-0001",
        sex="O",
        birth_date="19900101",
        modality="MR",
        study_description="PHANTOM",
        series_description="3D sphere, 10 slices",
    )
    ds.FrameOfReferenceUID = _uid("multiframe", "frame-of-reference")
    ds.PositionReferenceIndicator = ""
    ds.ImageType = ["ORIGINAL", "PRIMARY", "M", "NONE"]
    ds.InstanceNumber = 1
    ds.ContentDate = _STUDY_DATE
    ds.ContentTime = "100000"
    ds.AcquisitionDateTime = _STUDY_DATE + "095900"
    ds.ContentQualification = "PRODUCT"
    ds.ImageComments = "Enhanced-MR-like example (not a complete Enhanced MR IOD)"
    ds.MRAcquisitionType = "3D"
    ds.MagneticFieldStrength = "3"
    ds.ImagedNucleus = "1H"
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"
    ds.PresentationLUTShape = "IDENTITY"

    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing = ["4.0", "4.0"]
    measures.SliceThickness = "6.0"
    shared.PixelMeasuresSequence = [measures]
    orientation = Dataset()
    orientation.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    shared.PlaneOrientationSequence = [orientation]
    voi = Dataset()
    voi.WindowCenter = "1800"
    voi.WindowWidth = "3600"
    shared.FrameVOILUTSequence = [voi]
    ds.SharedFunctionalGroupsSequence = [shared]

    dimension_uid = _uid("multiframe", "dimension-organization")
    organization = Dataset()
    organization.DimensionOrganizationUID = dimension_uid
    ds.DimensionOrganizationSequence = [organization]
    index = Dataset()
    index.DimensionOrganizationUID = dimension_uid
    index.DimensionIndexPointer = 0x00209057  # In-Stack Position Number
    index.FunctionalGroupPointer = 0x00209111  # Frame Content Sequence
    index.DimensionDescriptionLabel = "In-Stack Position"
    ds.DimensionIndexSequence = [index]

    per_frame = []
    half = (rows * 4.0) / 2.0
    for i in range(frames):
        item = Dataset()
        content = Dataset()
        content.StackID = "1"
        content.InStackPositionNumber = i + 1
        content.DimensionIndexValues = i + 1
        content.FrameAcquisitionNumber = 1
        item.FrameContentSequence = [content]
        position = Dataset()
        position.ImagePositionPatient = [f"{-half:.1f}", f"{-half:.1f}", f"{-27.0 + 6.0 * i:.1f}"]
        item.PlanePositionSequence = [position]
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = per_frame
    _image_pixel(ds, frames_arr, "MONOCHROME2", 12, frames=frames)
    return _finish(ds, "multiframe", _SOP_ENHANCED_MR)


def _coded(value: str, scheme: str, meaning: str) -> Dataset:
    from .dataset import Dataset

    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def _make_waveform() -> FileDataset:
    from .dataset import Dataset

    rate = 500
    samples = _ecg_samples(2.0, rate)
    ds = Dataset()
    _patient_study_series(
        ds,
        "waveform",
        patient="Example^ECG",
        patient_id="DICODEC-ECG-0001",
        sex="M",
        birth_date="19650312",
        modality="ECG",
        study_description="RESTING ECG",
        series_description="3-lead rhythm strip",
    )
    ds.InstanceNumber = 1
    ds.ContentDate = _STUDY_DATE
    ds.ContentTime = "101500"
    ds.AcquisitionDateTime = _STUDY_DATE + "101400"
    ds.AcquisitionContextSequence = []

    group = Dataset()
    group.MultiplexGroupTimeOffset = "0"
    group.WaveformOriginality = "ORIGINAL"
    group.NumberOfWaveformChannels = samples.shape[1]
    group.NumberOfWaveformSamples = samples.shape[0]
    group.SamplingFrequency = str(rate)
    group.MultiplexGroupLabel = "RHYTHM"
    channels = []
    for lead, code in (("Lead I", "5.6.3-9-1"), ("Lead II", "5.6.3-9-2"), ("Lead III", "5.6.3-9-61")):
        channel = Dataset()
        channel.ChannelLabel = lead
        channel.ChannelSourceSequence = [_coded(code, "SCPECG", lead)]
        channel.ChannelSensitivity = "1"
        channel.ChannelSensitivityUnitsSequence = [_coded("uV", "UCUM", "microvolt")]
        channel.ChannelSensitivityCorrectionFactor = "1"
        channel.ChannelBaseline = "0"
        channel.ChannelSampleSkew = "0"
        channel.WaveformBitsStored = 16
        channel.FilterLowFrequency = "0.05"
        channel.FilterHighFrequency = "150"
        channels.append(channel)
    group.ChannelDefinitionSequence = channels
    group.WaveformBitsAllocated = 16
    group.WaveformSampleInterpretation = "SS"
    group.add_new(0x54001010, "OW", samples.astype("<i2").tobytes())  # interleaved by sample
    ds.WaveformSequence = [group]
    return _finish(ds, "waveform", _SOP_ECG)


_BUILTINS: Sequence[tuple[str, Callable[[], FileDataset], str]] = (
    ("ct", _make_ct, "512x512 int16 CT slice, Rescale Intercept -1024, soft-tissue and lung windows"),
    ("mr", _make_mr, "256x256 uint16 MR slice, 12 bits stored, Latin-1 patient name"),
    ("rgb_color", _make_rgb, "100x100 RGB uint8 colour test card"),
    ("ybr_color", _make_ybr, "the RGB test card as YBR_FULL (integer conversion)"),
    ("palette", _make_palette, "128x128 PALETTE COLOR, 8-bit indices, 256-entry 16-bit LUTs"),
    ("overlay", _make_overlay, "the MR slice with a 1-bit graphics overlay in group 6000"),
    ("multiframe", _make_multiframe, "10 frames 64x64 uint16 (12 bits), Enhanced-MR-like functional groups"),
    ("waveform", _make_waveform, "3-lead ECG, 2 s at 500 Hz, int16 samples"),
)

for _name, _factory, _description in _BUILTINS:
    register(_name, _factory, description=_description)


def _compressed(base: str, transfer_syntax: str) -> Callable[[], FileDataset]:
    """A factory compressing the example ``base`` with whichever installed codec can."""

    def factory() -> FileDataset:
        ds = get(base)
        ds.compress(transfer_syntax, generate_instance_uid=False)
        return ds

    return factory


_COMPRESSED = [
    ("rle", "ct", "1.2.840.10008.1.2.5", "the CT example as RLE Lossless (needs an RLE codec: dicodec-rle)"),
    ("jpeg2k", "ct", "1.2.840.10008.1.2.4.90", "the CT example as JPEG 2000 Lossless (needs dicodec-jpeg2k)"),
    ("htj2k", "ct", "1.2.840.10008.1.2.4.201", "the CT example as HTJ2K Lossless (needs dicodec-jpeg2k)"),
    ("jpegls", "ct", "1.2.840.10008.1.2.4.80", "the CT example as JPEG-LS Lossless (needs dicodec-jpegls)"),
    ("jpeg_lossless", "ct", "1.2.840.10008.1.2.4.70", "the CT example as JPEG Lossless SV1 (needs dicodec-jpeg)"),
    ("jpeg_baseline", "rgb_color", "1.2.840.10008.1.2.4.50", "the RGB example as JPEG Baseline (needs dicodec-jpeg)"),
    ("deflated_frames", "mr", "1.2.840.10008.1.2.8.1", "the MR example with Deflated Image Frame Compression"),
]
for _name, _base, _ts, _description in _COMPRESSED:
    register(_name, _compressed(_base, _ts), description=_description)
del _name, _factory, _description


# ----------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    """List the examples and write each one to the cache (``python -m dicodec.examples``).

    Parameters
    ----------
    argv : sequence of str, optional
        Example names to list (default: all).

    Returns
    -------
    int
        0, or 2 when an unknown name was asked for.

    Examples
    --------
    >>> from dicodec.examples import main
    >>> main(["ct"])  # doctest: +ELLIPSIS
    ct          .../ct.r1.dcm
                512x512 int16 CT slice, Rescale Intercept -1024, soft-tissue and lung windows
    0
    """
    wanted = list(argv) if argv else names()
    unknown = [n for n in wanted if n not in _REGISTRY]
    if unknown:
        print(f"unknown example(s): {', '.join(unknown)}; known: {', '.join(names())}", file=sys.stderr)
        return 2
    from .errors import DicodecError

    for name in wanted:
        spec = _REGISTRY[name]
        origin = "" if spec.origin == "dicodec" else f" [{spec.origin}]"
        try:
            where = get_path(name)
        except DicodecError as exc:  # a compressed example whose codec is not installed
            where = f"(not available: {exc})"
        print(f"{name:<11} {where}")
        print(f"{'':<11} {spec.description}{origin}")
    return 0


if __name__ == "__main__":
    # Run the imported module's main, so examples registered by plugins (which
    # register into ``dicodec.examples``, not into ``__main__``) are listed too.
    from dicodec.examples import main as _main

    sys.exit(_main(sys.argv[1:]))
