"""Pixel processing after decoding: colour spaces, palettes, the grayscale LUT pipeline.

==============================  =====================================================
colour                          :func:`convert_color_space` (RGB ⇄ YBR_FULL /
                                YBR_FULL_422, integer arithmetic, frame by frame),
                                :func:`ybr_full_to_rgb_inplace`,
                                :func:`rgb_to_ybr_full_inplace`
palettes                        :func:`apply_color_lut` (normal and segmented LUTs,
                                the PS3.6 well-known palettes), :func:`get_palette`
grayscale pipeline (in order)   :func:`apply_modality_lut` (= :func:`apply_rescale`),
                                :func:`apply_voi_lut` (:func:`apply_voi`,
                                :func:`apply_windowing`), :func:`apply_presentation_lut`
colour management               :func:`apply_icc_profile`, :func:`create_icc_transform`
                                (need Pillow)
1-bit data                      :func:`pack_bits`, :func:`unpack_bits`
==============================  =====================================================

Every function takes numpy arrays as :func:`dicodec.pixels.pixel_array` returns
them and a :class:`~dicodec.Dataset` for the attributes; errors for bad input are
:class:`ProcessingError` (a :class:`dicodec.DicodecError` and a ``ValueError``).

Examples
--------
>>> import numpy as np
>>> from dicodec import examples
>>> from dicodec.pixels import processing
>>> from dicodec.pixels import pixel_array
>>> ds = examples.ybr_color
>>> ybr = pixel_array(ds, raw=True)
>>> rgb = processing.convert_color_space(ybr, ds.PhotometricInterpretation, "RGB")
>>> rgb.shape, bool(np.array_equal(rgb, pixel_array(ds)))
((100, 100, 3), True)
"""

from __future__ import annotations

from ..bits import pack_bits, unpack_bits
from ._common import ProcessingError, apply_table
from .color import (
    convert_color_space,
    rgb_to_ybr_full_inplace,
    subsample_chroma_422_inplace,
    ybr_full_to_rgb_inplace,
)
from .icc import MissingDependencyError, apply_icc_profile, create_icc_transform, have_pillow_cms
from .lut import (
    apply_modality_lut,
    apply_presentation_lut,
    apply_rescale,
    apply_voi,
    apply_voi_lut,
    apply_windowing,
    voi_output_range,
)
from .palette import (
    WELL_KNOWN_PALETTES,
    Palette,
    apply_color_lut,
    expand_segmented_lut,
    get_palette,
    palette_color_luts,
)

__all__ = [
    "WELL_KNOWN_PALETTES",
    "MissingDependencyError",
    "Palette",
    "ProcessingError",
    "apply_color_lut",
    "apply_icc_profile",
    "apply_modality_lut",
    "apply_presentation_lut",
    "apply_rescale",
    "apply_table",
    "apply_voi",
    "apply_voi_lut",
    "apply_windowing",
    "convert_color_space",
    "create_icc_transform",
    "expand_segmented_lut",
    "get_palette",
    "have_pillow_cms",
    "pack_bits",
    "palette_color_luts",
    "rgb_to_ybr_full_inplace",
    "subsample_chroma_422_inplace",
    "unpack_bits",
    "voi_output_range",
    "ybr_full_to_rgb_inplace",
]
