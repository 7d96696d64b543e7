"""Type stubs of the C extension dicodec_rle._rle (src/_rle.c)."""

from typing import Any

FLAG_LE_SEGMENTS: int
FLAG_LENIENT: int
PAD_TOLERANCE: int
MAX_SEGMENTS: int

def decode_into(
    src: Any,
    out: Any,
    rows: int,
    columns: int,
    samples: int,
    bits_allocated: int,
    flags: int = 0,
    /,
) -> None: ...
def encode(
    src: Any, rows: int, columns: int, samples: int, bits_allocated: int, flags: int = 0, /
) -> bytes: ...
def decoded_size(rows: int, columns: int, samples: int, bits_allocated: int, /) -> int: ...
