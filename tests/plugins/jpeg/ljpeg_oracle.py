"""An independent, deliberately simple JPEG Lossless (Process 14) encoder for tests.

Written from ITU-T T.81 Annex H in plain Python so the decoders under test meet
codestreams no library under test produced: any predictor 1-7, any point transform,
restart intervals, one or three interleaved components, 2-16 bits. Slow (one
Python step per sample): meant for small frames only.
"""

from __future__ import annotations

import struct

import numpy as np

# one Huffman table: the 17 difference categories SSSS 0..16, each coded on 5 bits
_BITS = [0, 0, 0, 0, 17] + [0] * 11
_SYMBOLS = list(range(17))
_CODES = {s: (i, 5) for i, s in enumerate(_SYMBOLS)}  # canonical: 00000, 00001, ...


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        for k in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> k) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc = self.n = 0

    def flush(self) -> None:
        if self.n:
            pad = 8 - self.n
            self.write((1 << pad) - 1, pad)  # pad with 1-bits


def _predict(p: int, ra: int, rb: int, rc: int) -> int:
    if p == 1:
        return ra
    if p == 2:
        return rb
    if p == 3:
        return rc
    if p == 4:
        return ra + rb - rc
    if p == 5:
        return ra + ((rb - rc) >> 1)
    if p == 6:
        return rb + ((ra - rc) >> 1)
    return (ra + rb) >> 1


def encode_lossless(
    arr: np.ndarray,
    precision: int,
    predictor: int = 1,
    point_transform: int = 0,
    restart_rows: int = 0,
    component_ids: tuple[int, ...] | None = None,
    app: bytes = b"",
) -> bytes:
    """Encode ``arr`` (rows, cols) or (rows, cols, 3) of unsigned ``precision``-bit samples.

    ``restart_rows`` > 0 puts a restart marker every that many rows. The decoded
    samples are ``(arr >> point_transform) << point_transform``.
    """
    a = np.asarray(arr, dtype=np.int64)
    if a.ndim == 2:
        a = a[..., None]
    rows, cols, nc = a.shape
    ids = component_ids or tuple(range(1, nc + 1))
    x = a >> point_transform
    out = bytearray(b"\xff\xd8") + app
    out += b"\xff\xc3" + struct.pack(">HBHHB", 8 + 3 * nc, precision, rows, cols, nc)
    for c in range(nc):
        out += bytes([ids[c], 0x11, 0])
    out += b"\xff\xc4" + struct.pack(">HB", 2 + 1 + 16 + len(_SYMBOLS), 0x00) + bytes(_BITS) + bytes(_SYMBOLS)
    if restart_rows:
        out += b"\xff\xdd" + struct.pack(">HH", 4, restart_rows * cols)
    out += b"\xff\xda" + struct.pack(">HB", 6 + 2 * nc, nc)
    for c in range(nc):
        out += bytes([ids[c], 0x00])
    out += bytes([predictor, 0, point_transform])
    start = 1 << (precision - point_transform - 1)
    w = _BitWriter()
    marker = 0
    first_row = 0  # the row where the current restart interval began
    for r in range(rows):
        if restart_rows and r and r % restart_rows == 0:
            w.flush()
            out += w.out + bytes([0xFF, 0xD0 + marker])
            marker = (marker + 1) % 8
            w = _BitWriter()
            first_row = r
        for col in range(cols):
            for c in range(nc):
                if r == first_row:
                    px = start if col == 0 else int(x[r, col - 1, c])
                elif col == 0:
                    px = int(x[r - 1, col, c])
                else:
                    px = _predict(predictor, int(x[r, col - 1, c]), int(x[r - 1, col, c]), int(x[r - 1, col - 1, c]))
                diff = (int(x[r, col, c]) - px) & 0xFFFF
                if diff >= 0x8000:
                    diff -= 0x10000
                if diff == -32768:  # category 16 is +32768 modulo 2^16, no extra bits
                    code, length = _CODES[16]
                    w.write(code, length)
                    continue
                ssss = abs(diff).bit_length()
                code, length = _CODES[ssss]
                w.write(code, length)
                if ssss:
                    extra = diff if diff > 0 else diff + (1 << ssss) - 1
                    w.write(extra, ssss)
    w.flush()
    out += w.out + b"\xff\xd9"
    return bytes(out)
