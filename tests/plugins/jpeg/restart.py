"""Build DCT JPEG codestreams with restart markers from libjpeg-turbo strip encodes.

imagecodecs cannot ask libjpeg-turbo for restart markers, but a restart interval is
exactly an independently coded run of MCUs: the DC predictions start again from 0
and the coded data ends on a byte boundary. Encoding each MCU row as its own image
with the same (standard) tables and splicing the entropy-coded segments together
with ``RSTn`` markers gives a valid stream with one restart interval per MCU row,
whose decoding must equal the strips decoded one by one.
"""

from __future__ import annotations

import struct

import imagecodecs
import numpy as np

from dicodec_jpeg.markers import parse_header


def _split(stream: bytes) -> tuple[bytes, bytes]:
    header = parse_header(stream)
    end = stream.rindex(b"\xff\xd9")
    return stream[: header.header_length], stream[header.header_length : end]


def encode_with_restarts(arr: np.ndarray, quality: int = 90, subsampling: str = "444") -> tuple[bytes, np.ndarray]:
    """(codestream with one restart interval per MCU row, expected decoded image).

    8-bit greyscale or RGB input; rows a multiple of 8, columns a multiple of 16.
    """
    rows, cols = arr.shape[:2]
    kwargs = {"subsampling": subsampling} if arr.ndim == 3 else {}
    strips = [
        bytes(imagecodecs.jpeg8_encode(np.ascontiguousarray(arr[r : r + 8]), quality, optimize=False, **kwargs))
        for r in range(0, rows, 8)
    ]
    head, _ = _split(strips[0])
    first = head
    sof = head.index(b"\xff\xc0")
    # the full height in the frame header, and a DRI segment before it
    head = head[: sof + 5] + struct.pack(">H", rows) + head[sof + 7 :]
    mcus_per_row = cols // (16 if arr.ndim == 3 and subsampling == "422" else 8)
    head = head[:sof] + b"\xff\xdd" + struct.pack(">HH", 4, mcus_per_row) + head[sof:]
    body = bytearray()
    for k, strip in enumerate(strips):
        h, data = _split(strip)
        assert h == first, "the strips must share one header (same tables and size)"
        if k:
            body += bytes([0xFF, 0xD0 + (k - 1) % 8])
        body += data
    expected = np.concatenate(
        [imagecodecs.jpeg8_decode(s, **({"colorspace": "YCbCr", "outcolorspace": "YCbCr"} if arr.ndim == 3 else {})) for s in strips]
    )
    return head + bytes(body) + b"\xff\xd9", expected
