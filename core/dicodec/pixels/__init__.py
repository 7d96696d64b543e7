"""The pixel pipeline: decode, encode, and process pixel data.

Examples
--------
>>> from dicodec import examples
>>> from dicodec.pixels import pixel_array
>>> pixel_array(examples.ct).dtype
dtype('int16')
"""

from __future__ import annotations

from .bits import pack_bits, unpack_bits
from .decoder import Decoder, get_decoder
from .encoder import Encoder, compress, decompress, get_encoder, set_pixel_data
from .pipeline import iter_pixels, pixel_array
from .processing import (
    apply_color_lut,
    apply_icc_profile,
    apply_modality_lut,
    apply_presentation_lut,
    apply_rescale,
    apply_voi,
    apply_voi_lut,
    apply_windowing,
    convert_color_space,
    create_icc_transform,
)

__all__ = [
    "Decoder",
    "Encoder",
    "apply_color_lut",
    "apply_icc_profile",
    "apply_modality_lut",
    "apply_presentation_lut",
    "apply_rescale",
    "apply_voi",
    "apply_voi_lut",
    "apply_windowing",
    "compress",
    "convert_color_space",
    "create_icc_transform",
    "decompress",
    "get_decoder",
    "get_encoder",
    "iter_pixels",
    "pack_bits",
    "pixel_array",
    "set_pixel_data",
    "unpack_bits",
]
