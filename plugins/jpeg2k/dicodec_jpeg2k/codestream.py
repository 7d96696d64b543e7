"""Read the main header of a JPEG 2000 / HTJ2K codestream without decoding it.

The SIZ, COD, CAP and TLM marker segments say what a frame really holds
(precision, signedness, components, wavelet, progression order, colour
transform) before any decoder runs, so a frame that disagrees with its data set
is refused before a library sees it. :func:`dicodec_jpeg2k.common.reconcile`
compares them with the data set in one place. Parsing stops at the first SOT
marker: a few microseconds per frame.

A JP2 file (``jP  `` signature box, found in some non-conformant DICOM files)
is unwrapped to its contiguous codestream box first.

Examples
--------
>>> import struct
>>> def segment(marker, body):
...     return struct.pack(">HH", marker, len(body) + 2) + body
>>> siz = struct.pack(">HIIIIIIIIH", 0, 4, 3, 0, 0, 4, 3, 0, 0, 1) + bytes([11, 1, 1])
>>> cod = bytes([0, 2, 0, 1, 0, 5, 4, 4, 0, 1])
>>> cs = b"\\xff\\x4f" + segment(0xFF51, siz) + segment(0xFF52, cod) + b"\\xff\\x90"
>>> info = parse(cs)
>>> info.columns, info.rows, info.components, info.precision, info.signed
(4, 3, 1, 12, False)
>>> info.progression, info.reversible, info.mct, info.htj2k, info.tlm
('RPCL', True, False, False, False)
"""

from __future__ import annotations

import struct
from typing import NamedTuple

__all__ = [
    "PROGRESSION_ORDERS",
    "CodestreamInfo",
    "find_codestream",
    "parse",
]

SOC = 0xFF4F
SIZ = 0xFF51
COD = 0xFF52
CAP = 0xFF50
TLM = 0xFF55
SOT = 0xFF90
EOC = 0xFFD9

PROGRESSION_ORDERS = ("LRCP", "RLCP", "RPCL", "PCRL", "CPRL")
"""Progression orders by their COD ``SGcod`` code (ISO/IEC 15444-1 Table A.16)."""

_JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_MAX_HEADER_SEGMENTS = 4096


class CodestreamInfo(NamedTuple):
    """What the main header of one codestream declares.

    Attributes
    ----------
    columns, rows : int
        Image size on the reference grid (``Xsiz - XOsiz``, ``Ysiz - YOsiz``).
    components : int
        Number of components (``Csiz``).
    precisions : tuple of int
        Bit depth of each component (``Ssiz & 0x7F`` + 1).
    signs : tuple of bool
        Whether each component is signed (``Ssiz & 0x80``).
    subsampling : tuple of (int, int)
        ``(XRsiz, YRsiz)`` of each component.
    rsiz : int
        Capabilities (``Rsiz``); bit 14 set means Part 15 (HTJ2K) capabilities.
    progression : str
        Progression order from COD, e.g. ``"LRCP"`` or ``"RPCL"`` (``""`` without COD).
    layers : int
        Quality layers.
    mct : bool
        Whether the multiple component transform (RCT or ICT) is used.
    levels : int
        Wavelet decomposition levels.
    reversible : bool
        5/3 reversible wavelet (``True``) or 9/7 irreversible (``False``).
    codeblock : tuple of (int, int)
        Code-block width and height.
    htj2k : bool
        A CAP marker or ``Rsiz`` bit 14 marks a Part 15 (High-Throughput) codestream.
    tlm : bool
        A TLM (tile-part lengths) marker segment is in the main header.
    offset : int
        Where the codestream starts in the buffer (non-zero inside a JP2 file).
    jp2 : bool
        The buffer is a JP2 file rather than a bare codestream.
    markers : tuple of int
        The main header's marker codes, in order.
    """

    columns: int
    rows: int
    components: int
    precisions: tuple[int, ...]
    signs: tuple[bool, ...]
    subsampling: tuple[tuple[int, int], ...] = ()
    rsiz: int = 0
    progression: str = ""
    layers: int = 0
    mct: bool = False
    levels: int = 0
    reversible: bool = True
    codeblock: tuple[int, int] = (0, 0)
    htj2k: bool = False
    tlm: bool = False
    offset: int = 0
    jp2: bool = False
    markers: tuple[int, ...] = ()

    @property
    def precision(self) -> int:
        """Precision of the first component (all components share it in DICOM)."""
        return self.precisions[0]

    @property
    def signed(self) -> bool:
        """Signedness of the first component."""
        return self.signs[0]

    @property
    def uniform(self) -> bool:
        """Whether every component has the same precision, sign and no subsampling."""
        return (
            len(set(self.precisions)) == 1
            and len(set(self.signs)) == 1
            and all(s == (1, 1) for s in self.subsampling)
        )


def find_codestream(data: bytes | bytearray | memoryview) -> tuple[int, bool]:
    """Where the codestream starts: ``(offset, is_jp2)``.

    Parameters
    ----------
    data : bytes-like
        A bare codestream (starts with SOC ``FF 4F``) or a JP2 file.

    Raises
    ------
    ValueError
        Neither a codestream nor a JP2 file with a contiguous codestream box.

    Examples
    --------
    >>> find_codestream(b"\\xff\\x4f\\xff\\x51")
    (0, False)
    >>> find_codestream(b"GIF89a")
    Traceback (most recent call last):
    ...
    ValueError: not a JPEG 2000 codestream: it starts with 47 49 46 38, not the SOC marker FF 4F
    """
    mv = memoryview(data).cast("B")
    head = bytes(mv[:12])
    if head[:2] == b"\xff\x4f":
        return 0, False
    if head != _JP2_SIGNATURE:
        raise ValueError(
            "not a JPEG 2000 codestream: it starts with "
            + " ".join(f"{b:02X}" for b in head[:4])
            + ", not the SOC marker FF 4F"
        )
    pos, end = 0, len(mv)
    while pos + 8 <= end:
        length, kind = struct.unpack(">I4s", mv[pos : pos + 8])
        header = 8
        if length == 1:  # 64-bit extended length
            if pos + 16 > end:
                break
            length = struct.unpack(">Q", mv[pos + 8 : pos + 16])[0]
            header = 16
        elif length == 0:  # box runs to the end of the data
            length = end - pos
        if kind == b"jp2c":
            return pos + header, True
        if length < header:
            break
        pos += length
    raise ValueError("the JP2 file has no contiguous codestream box (jp2c)")


def parse(data: bytes | bytearray | memoryview) -> CodestreamInfo:
    """Parse the main header (up to the first SOT marker) of a codestream.

    Parameters
    ----------
    data : bytes-like
        One frame: a JPEG 2000 / HTJ2K codestream, or a JP2 file.

    Returns
    -------
    CodestreamInfo

    Raises
    ------
    ValueError
        The data is not a codestream, the main header is truncated, SIZ is
        missing or inconsistent (zero size, no components, precision above 38).

    Examples
    --------
    >>> parse(b"\\xff\\x4f\\xff\\x51\\x00")
    Traceback (most recent call last):
    ...
    ValueError: the JPEG 2000 main header is truncated at byte 2 (marker FF51)
    """
    buf = data if isinstance(data, bytes) else memoryview(data).cast("B")
    last = _last_header
    if last is not None:
        # the frames of one image usually share their main header byte for byte: then
        # the parse is the same too (checked: same bytes, and a tile starts right after)
        head = last[0]
        n = len(head)
        if buf[n : n + 2] == b"\xff\x90" and bytes(buf[:n]) == head:
            return last[1]
    offset, jp2 = (0, False) if buf[:2] == b"\xff\x4f" else find_codestream(buf)
    end = len(buf)
    pos = offset + 2
    siz: _Siz | None = None
    cod = _Cod()
    htj2k = False
    tlm = False
    seen: list[int] = []
    for _ in range(_MAX_HEADER_SEGMENTS):
        if pos + 2 > end:
            raise ValueError(f"the JPEG 2000 main header ends at byte {pos - offset} without a tile (SOT)")
        marker = (buf[pos] << 8) | buf[pos + 1]
        if marker == SOT or marker == EOC:
            break
        if marker >> 8 != 0xFF:
            raise ValueError(
                f"the JPEG 2000 main header is corrupt at byte {pos - offset}: "
                f"expected a marker, found {marker:04X}"
            )
        length = (buf[pos + 2] << 8) | buf[pos + 3] if pos + 4 <= end else 0
        body_end = pos + 2 + length
        if length < 2 or body_end > end:
            raise ValueError(f"the JPEG 2000 main header is truncated at byte {pos - offset} (marker {marker:04X})")
        seen.append(marker)
        if marker == SIZ:
            siz = _parse_siz(buf, pos + 4, body_end, pos - offset)
        elif marker == COD:
            cod = _parse_cod(buf, pos + 4, body_end, pos - offset)
        elif marker == CAP:
            htj2k = True
        elif marker == TLM:
            tlm = True
        pos = body_end
    else:
        raise ValueError("the JPEG 2000 main header has too many marker segments")
    if siz is None:
        raise ValueError("the JPEG 2000 codestream has no SIZ marker segment")
    info = CodestreamInfo(
        siz.columns, siz.rows, siz.components, siz.precisions, siz.signs, siz.subsampling, siz.rsiz,
        cod.progression, cod.layers, cod.mct, cod.levels, cod.reversible, cod.codeblock,
        htj2k or bool(siz.rsiz & 0x4000), tlm, offset, jp2, tuple(seen),
    )
    if offset == 0 and marker == SOT:
        _remember(bytes(buf[:pos]), info)
    return info


_last_header: tuple[bytes, CodestreamInfo] | None = None
"""The main header parsed last and its result (replaced whole, so threads see a pair)."""


def _remember(header: bytes, info: CodestreamInfo) -> None:
    global _last_header
    _last_header = (header, info)


class _Siz(NamedTuple):
    rsiz: int
    columns: int
    rows: int
    components: int
    precisions: tuple[int, ...]
    signs: tuple[bool, ...]
    subsampling: tuple[tuple[int, int], ...]


class _Cod(NamedTuple):
    progression: str = ""
    layers: int = 0
    mct: bool = False
    levels: int = 0
    codeblock: tuple[int, int] = (0, 0)
    reversible: bool = True


def _parse_siz(buf: bytes | memoryview, start: int, stop: int, at: int) -> _Siz:
    if stop - start < 36:
        raise ValueError(f"the SIZ marker segment at byte {at} is too short ({stop - start + 2} bytes)")
    rsiz, xsiz, ysiz, xo, yo, xt, yt, xto, yto, csiz = struct.unpack_from(">HIIIIIIIIH", buf, start)
    if xsiz <= xo or ysiz <= yo:
        raise ValueError(
            f"the SIZ marker segment declares an empty image "
            f"(Xsiz {xsiz}, XOsiz {xo}, Ysiz {ysiz}, YOsiz {yo})"
        )
    # ISO/IEC 15444-1 A.5.1: the tile grid must cover the image. Decoders divide by the
    # tile size (OpenJPH dies of SIGFPE on a zero), so refuse such grids before any of them runs.
    if xt == 0 or yt == 0 or xto > xo or yto > yo or xt + xto <= xo or yt + yto <= yo:
        raise ValueError(
            f"the SIZ marker segment declares an impossible tile grid (XTsiz {xt}, YTsiz {yt}, "
            f"XTOsiz {xto}, YTOsiz {yto}, XOsiz {xo}, YOsiz {yo})"
        )
    if not 1 <= csiz <= 16384:
        raise ValueError(f"the SIZ marker segment declares {csiz} components")
    if stop - start < 36 + 3 * csiz:
        raise ValueError(f"the SIZ marker segment is too short for its {csiz} components")
    comps = bytes(buf[start + 36 : start + 36 + 3 * csiz])
    ssiz, dx, dy = comps[0::3], comps[1::3], comps[2::3]
    precisions = tuple((s & 0x7F) + 1 for s in ssiz)
    for c, precision in enumerate(precisions):
        if precision > 38:
            raise ValueError(f"the SIZ marker segment declares a precision of {precision} bits for component {c}")
        if dx[c] == 0 or dy[c] == 0:
            raise ValueError(f"the SIZ marker segment declares a zero subsampling factor for component {c}")
    return _Siz(
        rsiz, xsiz - xo, ysiz - yo, csiz, precisions, tuple(bool(s & 0x80) for s in ssiz), tuple(zip(dx, dy, strict=True))
    )


def _parse_cod(buf: bytes | memoryview, start: int, stop: int, at: int) -> _Cod:
    if stop - start < 10:
        raise ValueError(f"the COD marker segment at byte {at} is too short ({stop - start + 2} bytes)")
    _scod, order, layers, mct, levels, xcb, ycb, _style, transform = struct.unpack_from(">BBHBBBBBB", buf, start)
    return _Cod(
        progression=PROGRESSION_ORDERS[order] if order < len(PROGRESSION_ORDERS) else f"unknown ({order})",
        layers=layers,
        mct=bool(mct),
        levels=levels,
        codeblock=(1 << ((xcb & 0x0F) + 2), 1 << ((ycb & 0x0F) + 2)),
        reversible=transform == 1,
    )
