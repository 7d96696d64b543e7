"""ICC profile colour management (PS3.3 C.11.15) with Pillow's ImageCms, when installed.

Pillow is optional: it is imported on the first call, and a missing Pillow is
reported as :class:`~dicodec.pixels.processing.MissingDependencyError` (also an
``ImportError``) naming what to install.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

import numpy as np

from ...errors import DicodecError
from ._common import ProcessingError

if TYPE_CHECKING:  # pragma: no cover
    from ...dataset import Dataset

__all__ = ["MissingDependencyError", "apply_icc_profile", "create_icc_transform", "have_pillow_cms"]

_CMS_SPACES = {"SRGB": "sRGB", "XYZ": "XYZ", "LAB": "LAB"}
_INTENTS = {0: "perceptual", 1: "relative colorimetric", 2: "saturation", 3: "absolute colorimetric"}


class MissingDependencyError(DicodecError, ImportError):
    """An optional library needed for this operation is not installed."""


def have_pillow_cms() -> bool:
    """Whether Pillow with ImageCms (LittleCMS) can be imported.

    Examples
    --------
    >>> isinstance(have_pillow_cms(), bool)
    True
    """
    try:
        from PIL import ImageCms  # noqa: F401
    except Exception:
        return False
    return True


def _cms() -> Any:
    try:
        from PIL import Image, ImageCms
    except Exception as exc:
        raise MissingDependencyError(
            "applying an ICC profile needs Pillow with ImageCms (pip install pillow)"
        ) from exc
    return Image, ImageCms


def create_icc_transform(
    ds: Dataset | None = None,
    icc_profile: bytes = b"",
    intent: int | None = None,
    color_space: str | None = None,
) -> Any:
    """A Pillow colour transform from the ICC profile of ``ds`` (or ``icc_profile``) to sRGB.

    Parameters
    ----------
    ds : Dataset, optional
        With (0028,2000) *ICC Profile* (and optionally (0028,2002) *Color Space*).
    icc_profile : bytes, optional
        The profile itself, instead of ``ds``.
    intent : int, optional
        Rendering intent: 0 perceptual, 1 relative colorimetric, 2 saturation,
        3 absolute colorimetric; default: the profile's own. (pydicom 3.0 treats
        ``intent=0`` as "not given".)
    color_space : str, optional
        Output space: ``"sRGB"`` (default, or the data set's Color Space),
        ``"XYZ"`` or ``"LAB"``.

    Returns
    -------
    PIL.ImageCms.ImageCmsTransform

    Raises
    ------
    MissingDependencyError
        Pillow is not installed.
    ProcessingError (a ValueError)
        No profile, both sources given, or an unsupported intent or colour space.
    """
    _, cms = _cms()
    if ds is None and not icc_profile:
        raise ProcessingError("Either 'ds' or 'icc_profile' must be supplied")
    if ds is not None and icc_profile:
        raise ProcessingError("Only one of 'ds' and 'icc_profile' should be used, not both")
    profile_bytes = bytes(icc_profile) if ds is None else ds.get("ICCProfile")
    if not profile_bytes:
        raise ProcessingError("No (0028,2000) ICC Profile element was found in 'ds'")
    space = color_space or (ds.get("ColorSpace") if ds is not None else None) or "sRGB"
    key = str(space).strip().upper()
    if key not in _CMS_SPACES:
        raise ProcessingError(f"Unsupported color space {space!r}: use 'sRGB', 'XYZ' or 'LAB'")
    profile = cms.ImageCmsProfile(BytesIO(bytes(profile_bytes)))
    if intent is None:
        intent = int(cms.getDefaultIntent(profile))
    if intent not in _INTENTS:
        raise ProcessingError(f"Invalid rendering intent {intent!r}: use 0, 1, 2 or 3")
    return cms.buildTransform(
        outputProfile=cms.createProfile(_CMS_SPACES[key]),
        inputProfile=profile,
        inMode="RGB",
        outMode="RGB",
        renderingIntent=cms.Intent(intent),
    )


def apply_icc_profile(
    arr: np.ndarray,
    ds: Dataset | None = None,
    transform: Any = None,
    intent: int | None = None,
    color_space: str | None = None,
) -> np.ndarray:
    """Apply an ICC profile (from ``ds`` or a prepared ``transform``) to 8-bit RGB, in place.

    Parameters
    ----------
    arr : numpy.ndarray
        ``uint8`` ``(rows, columns, 3)`` or ``(frames, rows, columns, 3)``;
        converted frame by frame, in place.
    ds : Dataset, optional
        With (0028,2000) *ICC Profile*; required unless ``transform`` is given.
    transform : PIL.ImageCms.ImageCmsTransform, optional
        From :func:`create_icc_transform`; reuse it for many arrays.
    intent, color_space
        As for :func:`create_icc_transform`, when ``ds`` is used.

    Returns
    -------
    numpy.ndarray
        ``arr``.

    Raises
    ------
    MissingDependencyError
        Pillow is not installed.
    ProcessingError (a ValueError)
        Wrong shape or dtype, or neither / both of ``ds`` and ``transform``.
    """
    image_mod, cms = _cms()
    if ds is None and transform is None:
        raise ProcessingError("Either 'ds' or 'transform' must be supplied")
    if ds is not None and transform is not None:
        raise ProcessingError("Only one of 'ds' and 'transform' should be used, not both")
    if arr.dtype != np.uint8:
        raise ProcessingError(f"an ICC profile applies to uint8 RGB data, not {arr.dtype}")
    if arr.ndim not in (3, 4) or arr.shape[-1] != 3:
        raise ProcessingError(
            f"Invalid ndarray shape, must be (rows, columns, 3) or (frames, rows, columns, 3), not {arr.shape}"
        )
    if transform is None:
        transform = create_icc_transform(ds=ds, intent=intent, color_space=color_space)
    for frame in arr if arr.ndim == 4 else (arr,):
        image = image_mod.fromarray(np.ascontiguousarray(frame))
        cms.applyTransform(image, transform, inPlace=True)
        frame[...] = np.asarray(image)
    return arr
