"""Test helpers for dicodec-jpeg2k: an independent marker walker and frame strategies.

The walker here is deliberately separate from :mod:`dicodec_jpeg2k.codestream`:
the tests check the codestreams the plugin writes with their own reading of
ISO/IEC 15444-1 Annex A, including the tile-part structure the plugin's parser
never looks at.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from dicodec.plugins.records import FrameSpec

J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
J2K = "1.2.840.10008.1.2.4.91"
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
HTJ2K_RPCL = "1.2.840.10008.1.2.4.202"
HTJ2K = "1.2.840.10008.1.2.4.203"
LOSSLESS = (J2K_LOSSLESS, HTJ2K_LOSSLESS, HTJ2K_RPCL)
ALL = (J2K_LOSSLESS, J2K, HTJ2K_LOSSLESS, HTJ2K_RPCL, HTJ2K)

ORDERS = {0: "LRCP", 1: "RLCP", 2: "RPCL", 3: "PCRL", 4: "CPRL"}


@dataclass
class Walk:
    """Every marker of a codestream, main header and tile-parts."""

    main: list[tuple[int, bytes]] = field(default_factory=list)
    tile_parts: list[tuple[int, int, int, int]] = field(default_factory=list)  # Isot, Psot, TPsot, TNsot
    eoc: bool = False

    def segment(self, marker: int) -> bytes:
        """The body of the first main-header segment with this marker."""
        for m, body in self.main:
            if m == marker:
                return body
        raise AssertionError(f"no {marker:04X} marker segment in the main header")

    def has(self, marker: int) -> bool:
        return any(m == marker for m, _ in self.main)

    @property
    def progression(self) -> str:
        return ORDERS[self.segment(0xFF52)[1]]

    @property
    def reversible(self) -> bool:
        return self.segment(0xFF52)[9] == 1

    @property
    def mct(self) -> bool:
        return bool(self.segment(0xFF52)[4])

    @property
    def levels(self) -> int:
        return self.segment(0xFF52)[5]

    @property
    def layers(self) -> int:
        return struct.unpack(">H", self.segment(0xFF52)[2:4])[0]

    @property
    def precision(self) -> list[int]:
        siz = self.segment(0xFF51)
        count = struct.unpack(">H", siz[34:36])[0]
        return [(siz[36 + 3 * c] & 0x7F) + 1 for c in range(count)]

    @property
    def signed(self) -> list[bool]:
        siz = self.segment(0xFF51)
        count = struct.unpack(">H", siz[34:36])[0]
        return [bool(siz[36 + 3 * c] & 0x80) for c in range(count)]

    @property
    def rsiz(self) -> int:
        return struct.unpack(">H", self.segment(0xFF51)[:2])[0]


def walk(cs: bytes) -> Walk:
    """Walk a bare codestream: SOC, main header segments, then SOT-delimited tile-parts."""
    assert cs[:2] == b"\xff\x4f", "no SOC marker"
    out = Walk()
    pos = 2
    while True:
        marker, length = struct.unpack(">HH", cs[pos : pos + 4])
        if marker == 0xFF90:
            break
        out.main.append((marker, bytes(cs[pos + 4 : pos + 2 + length])))
        pos += 2 + length
    while pos < len(cs):
        marker = struct.unpack(">H", cs[pos : pos + 2])[0]
        if marker == 0xFFD9:
            out.eoc = True
            break
        assert marker == 0xFF90, f"expected SOT at byte {pos}, found {marker:04X}"
        isot, psot, tpsot, tnsot = struct.unpack(">HIBB", cs[pos + 4 : pos + 12])
        out.tile_parts.append((isot, psot, tpsot, tnsot))
        if psot == 0:  # the last tile-part may run to the EOC marker
            out.eoc = cs[-2:] == b"\xff\xd9"
            break
        pos += psot
    return out


def tlm_lengths(w: Walk) -> list[int]:
    """Tile-part lengths listed by the TLM marker segments (Ptlm), in order."""
    lengths: list[int] = []
    for marker, body in w.main:
        if marker != 0xFF55:
            continue
        stlm = body[1]
        st_size = (stlm >> 4) & 0x3
        sp_size = 4 if stlm & 0x40 else 2
        pos = 2
        while pos < len(body):
            pos += st_size
            lengths.append(int.from_bytes(body[pos : pos + sp_size], "big"))
            pos += sp_size
    return lengths


def value_range(bits_stored: int, signed: bool) -> tuple[int, int]:
    if signed:
        return -(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1
    return 0, (1 << bits_stored) - 1


@st.composite
def frames(
    draw: st.DrawFn,
    syntaxes: tuple[str, ...] = LOSSLESS,
    min_side: int = 1,
    max_side: int = 40,
) -> tuple[FrameSpec, np.ndarray]:
    """A frame description and matching samples: every Bits Allocated / Stored / sign / samples."""
    ts = draw(st.sampled_from(syntaxes))
    bits_allocated = draw(st.sampled_from([1, 8, 8, 16, 16]))
    if bits_allocated == 1:
        bits_stored, signed, samples = 1, False, 1
    else:
        bits_stored = draw(st.integers(1, bits_allocated))
        samples = draw(st.sampled_from([1, 1, 3]))
        signed = draw(st.booleans()) if samples == 1 else False
    if samples == 3:
        pi = draw(st.sampled_from(["RGB", "RGB", "YBR_FULL"]))
    else:
        pi = draw(st.sampled_from(["MONOCHROME2", "MONOCHROME1"]))
    rows = draw(st.integers(min_side, max_side))
    columns = draw(st.integers(min_side, max_side))
    spec = FrameSpec(
        rows=rows,
        columns=columns,
        samples_per_pixel=samples,
        bits_allocated=bits_allocated,
        bits_stored=bits_stored,
        pixel_representation=int(signed),
        photometric_interpretation=pi,
        transfer_syntax=ts,
    )
    lo, hi = value_range(bits_stored, signed)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["noise", "smooth", "extremes"]))
    if kind == "noise":
        arr = rng.integers(lo, hi + 1, size=spec.shape, dtype=np.int64)
    elif kind == "extremes":
        arr = rng.choice(np.array([lo, hi, lo, hi, (lo + hi) // 2]), size=spec.shape)
    else:
        y, x = np.mgrid[0:rows, 0:columns]
        base = (np.sin(x / 5.0) + np.cos(y / 7.0) + 2) / 4 * (hi - lo) + lo
        if samples == 3:
            base = np.stack([base, base[::-1], base[:, ::-1]], axis=-1)
        arr = np.clip(np.rint(base), lo, hi).astype(np.int64)
    return spec, arr.astype(spec.dtype)


def smooth_image(rows: int, columns: int, samples: int, bits: int, seed: int) -> np.ndarray:
    """A natural-looking image (smooth field plus mild noise) for lossy targets."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:columns] / max(rows, columns)
    hi = (1 << bits) - 1
    planes = []
    for c in range(samples):
        f = np.sin((3 + c) * x + 2 * y) * np.cos((2 + c) * y) * 0.4 + 0.5
        f = f * hi + rng.normal(0, hi * 0.01, f.shape)
        planes.append(np.clip(np.rint(f), 0, hi))
    arr = np.stack(planes, axis=-1) if samples > 1 else planes[0]
    return arr.astype(np.uint8 if bits <= 8 else np.uint16)
