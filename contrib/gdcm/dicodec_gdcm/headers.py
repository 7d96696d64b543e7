"""Codestream headers GDCM needs to be told about: pure Python, a few hundred bytes read.

GDCM decodes into the pixel container the caller describes (a ``gdcm.PixelFormat``),
so the container must match what the codestream holds, not what the data set
claims: JPEG 2000 and JPEG-LS decoders size their output by the codestream's
precision. These parsers read the frame headers before GDCM is called.

Examples
--------
>>> siz = bytes.fromhex(
...     "ff4f"                                          # SOC
...     "ff51002f0000" "00000004" "00000002"            # SIZ: 4 x 2 image
...     "00000000" "00000000" "00000004" "00000002"
...     "00000000" "00000000" "0001" "8b0101"           # 1 component, signed, 12 bits
... )
>>> j2k_header(siz)
J2KHeader(precision=12, signed=True, components=1, rows=2, columns=4)
>>> jpeg_header(bytes.fromhex("ffd8ffc0000b080002000301011100ffda0008010100003f00")).precision
8
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["J2KHeader", "JpegHeader", "j2k_header", "jpeg_header", "jpeg_photometric"]

_SOC_SIZ = b"\xff\x4f\xff\x51"
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xF7})
_LOSSLESS_SOF = frozenset({0xC3, 0xC7, 0xCB, 0xCF})
_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})


@dataclass(frozen=True)
class J2KHeader:
    """What the SIZ segment of a JPEG 2000 / HTJ2K codestream says (first component).

    Attributes
    ----------
    precision : int
        Bits per sample of component 0 (1-38).
    signed : bool
        Whether component 0 holds two's complement samples.
    components : int
        Number of components (Csiz).
    rows, columns : int
        Image height and width on the reference grid (Ysiz - YOsiz, Xsiz - XOsiz).
    """

    precision: int
    signed: bool
    components: int
    rows: int
    columns: int


@dataclass(frozen=True)
class JpegHeader:
    """What the frame header of a JPEG or JPEG-LS codestream says.

    Attributes
    ----------
    sof : int
        The Start Of Frame marker (``0xC0`` baseline ... ``0xF7`` JPEG-LS).
    precision : int
        Sample precision in bits.
    rows, columns : int
        Frame size.
    component_ids : tuple of int
        Component identifiers in frame-header order.
    sampling : tuple of (int, int)
        ``(H, V)`` sampling factors per component.
    jfif : bool
        An APP0 ``JFIF`` segment precedes the frame header.
    adobe_transform : int or None
        The APP14 ``Adobe`` colour transform flag, if any.
    """

    sof: int
    precision: int
    rows: int
    columns: int
    component_ids: tuple[int, ...]
    sampling: tuple[tuple[int, int], ...]
    jfif: bool = False
    adobe_transform: int | None = None

    @property
    def lossless(self) -> bool:
        """Whether a lossless JPEG process (SOF3/7/11/15) coded the frame."""
        return self.sof in _LOSSLESS_SOF

    @property
    def jpeg_ls(self) -> bool:
        """Whether this is a JPEG-LS frame (SOF55)."""
        return self.sof == 0xF7


def j2k_header(src: bytes | bytearray | memoryview) -> J2KHeader:
    """Parse the SIZ segment of a JPEG 2000 codestream (a JP2 wrapper is skipped).

    Raises
    ------
    ValueError
        No ``SOC SIZ`` marker pair in the first 64 KiB, or a truncated SIZ segment.

    Examples
    --------
    >>> j2k_header(b"not a codestream")
    Traceback (most recent call last):
    ...
    ValueError: no JPEG 2000 codestream: the SOC and SIZ markers (FF 4F FF 51) are missing
    """
    head = bytes(memoryview(src)[:65536])
    pos = head.find(_SOC_SIZ)
    if pos < 0:
        raise ValueError("no JPEG 2000 codestream: the SOC and SIZ markers (FF 4F FF 51) are missing")
    siz = pos + 4
    if len(head) < siz + 41:
        raise ValueError("the JPEG 2000 SIZ segment is truncated")
    u32 = lambda p: int.from_bytes(head[p : p + 4], "big")  # noqa: E731
    xsiz, ysiz, xo, yo = u32(siz + 4), u32(siz + 8), u32(siz + 12), u32(siz + 16)
    csiz = int.from_bytes(head[siz + 36 : siz + 38], "big")
    ssiz = head[siz + 38]
    if xsiz <= xo or ysiz <= yo or csiz == 0 or (ssiz & 0x7F) + 1 > 38:
        raise ValueError(
            f"the JPEG 2000 SIZ segment is invalid (Xsiz {xsiz}, XOsiz {xo}, Ysiz {ysiz}, YOsiz {yo}, "
            f"{csiz} components, precision {(ssiz & 0x7F) + 1})"
        )
    return J2KHeader(
        precision=(ssiz & 0x7F) + 1,
        signed=bool(ssiz & 0x80),
        components=csiz,
        rows=ysiz - yo,
        columns=xsiz - xo,
    )


def jpeg_header(src: bytes | bytearray | memoryview) -> JpegHeader:
    """Parse the marker segments of a JPEG / JPEG-LS codestream up to its frame header.

    Raises
    ------
    ValueError
        The data does not start with SOI, a segment is truncated, or no frame
        header comes before the first scan.

    Examples
    --------
    >>> jpeg_header(b"\\x00\\x00")
    Traceback (most recent call last):
    ...
    ValueError: not a JPEG codestream: it does not start with the SOI marker FF D8
    """
    buf = bytes(memoryview(src)[:1 << 20])
    n = len(buf)
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        raise ValueError("not a JPEG codestream: it does not start with the SOI marker FF D8")
    pos = 2
    jfif = False
    adobe: int | None = None
    while pos < n:
        if buf[pos] != 0xFF:
            pos += 1  # tolerate stray bytes between segments, as libjpeg does
            continue
        while pos < n and buf[pos] == 0xFF:
            pos += 1
        if pos >= n:
            break
        marker = buf[pos]
        pos += 1
        if marker in _STANDALONE or marker == 0x00:
            continue
        if marker in (0xD9, 0xDA):
            break
        if pos + 2 > n:
            break
        length = int.from_bytes(buf[pos : pos + 2], "big")
        seg = pos + 2
        if length < 2 or pos + length > n:
            raise ValueError(f"JPEG marker segment FF{marker:02X} at byte {pos - 2} is truncated")
        if marker in _SOF:
            if length < 8:
                raise ValueError(f"the JPEG frame header FF{marker:02X} is too short")
            nf = buf[seg + 5]
            if length < 8 + 3 * nf:
                raise ValueError(f"the JPEG frame header declares {nf} components but is {length} bytes long")
            if not 2 <= buf[seg] <= 16 or nf == 0:
                raise ValueError(f"the JPEG frame header declares precision {buf[seg]} and {nf} components")
            comps = [buf[seg + 6 + 3 * k : seg + 9 + 3 * k] for k in range(nf)]
            return JpegHeader(
                sof=marker,
                precision=buf[seg],
                rows=int.from_bytes(buf[seg + 1 : seg + 3], "big"),
                columns=int.from_bytes(buf[seg + 3 : seg + 5], "big"),
                component_ids=tuple(c[0] for c in comps),
                sampling=tuple((c[1] >> 4, c[1] & 0x0F) for c in comps),
                jfif=jfif,
                adobe_transform=adobe,
            )
        if marker == 0xE0 and buf[seg : seg + 5] == b"JFIF\x00":
            jfif = True
        elif marker == 0xEE and buf[seg : seg + 5] == b"Adobe" and length >= 14:
            adobe = buf[seg + 11]
        pos += length
    raise ValueError("the JPEG codestream has no frame header (SOF marker) before its first scan")


_RGB_IDS = ((0x52, 0x47, 0x42), (0x72, 0x67, 0x62))  # "RGB", "rgb"


def jpeg_photometric(header: JpegHeader, photometric_interpretation: str) -> str:
    """The colour space GDCM's JPEG output is in, as a Photometric Interpretation.

    GDCM returns the samples as coded (it never converts YCbCr to RGB), so the
    answer is what the codestream holds. Rules, first match wins: not three
    components: as declared; a lossless process: as declared (lossless JPEG
    never transforms colour); an APP14 ``Adobe`` segment: transform 0 is RGB,
    anything else YCbCr; an APP0 ``JFIF`` segment: YCbCr; component identifiers
    ``R G B``: RGB; otherwise the data set decides (``RGB`` stays RGB, anything
    else is YCbCr). YCbCr is reported as ``YBR_FULL`` (GDCM upsamples
    subsampled chroma), so dicodec converts it to RGB once.

    Examples
    --------
    >>> h = JpegHeader(0xC0, 8, 8, 8, (1, 2, 3), ((2, 2), (1, 1), (1, 1)), jfif=True)
    >>> jpeg_photometric(h, "RGB"), jpeg_photometric(h, "YBR_FULL_422")
    ('YBR_FULL', 'YBR_FULL')
    >>> jpeg_photometric(JpegHeader(0xC0, 8, 8, 8, (1, 2, 3), ((1, 1),) * 3, adobe_transform=0), "YBR_FULL")
    'RGB'
    >>> jpeg_photometric(JpegHeader(0xC0, 8, 8, 8, (1,), ((1, 1),)), "MONOCHROME1")
    'MONOCHROME1'
    """
    pi = photometric_interpretation.strip().upper()
    if len(header.component_ids) != 3:
        return photometric_interpretation
    if header.lossless or header.jpeg_ls:
        return photometric_interpretation
    if header.adobe_transform is not None:
        ybr = header.adobe_transform != 0
    elif header.jfif:
        ybr = True
    elif header.component_ids in _RGB_IDS:
        ybr = False
    else:
        ybr = pi != "RGB"
    return "YBR_FULL" if ybr else "RGB"
