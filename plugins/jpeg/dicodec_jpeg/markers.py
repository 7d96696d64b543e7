"""JPEG (ISO/IEC 10918-1) header parsing and the colour-space decision.

Everything here is pure Python and cheap: :func:`parse_header` reads the marker
segments up to the first Start Of Scan (a few hundred bytes) and
:func:`colour_space` decides, in one place, which colour space the decoded samples
are in. The codec modules (:mod:`dicodec_jpeg.turbo`, :mod:`dicodec_jpeg.libjpeg`)
ask both before they decode, tell their library to apply **no** colour transform,
and report the answer to dicodec, which converts YCbCr to RGB once (in
:func:`dicodec.pixels.corrections.finish_frame`) when the caller wants RGB.

Examples
--------
>>> from dicodec_jpeg.markers import parse_header, colour_space
>>> header = parse_header(bytes.fromhex(
...     "ffd8"                                  # SOI
...     "ffe000104a46494600010100000100010000"  # APP0 JFIF
...     "ffc0001108000200030301220002110003110" # SOF0: 8-bit, 2 x 3, 3 components
...     "0ffda000c03010002110311003f00"         # SOS
... ))
>>> header.process, header.precision, header.rows, header.columns, header.component_ids
('baseline', 8, 2, 3, (1, 2, 3))
>>> header.sampling
((2, 2), (1, 1), (1, 1))
>>> colour_space(header, "RGB")
'YCbCr'
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["JpegHeader", "colour_space", "parse_header", "repair_sequential_scans", "reported_photometric"]

#: Start Of Frame markers and the coding process each one names.
SOF_PROCESS = {
    0xC0: "baseline",
    0xC1: "extended",
    0xC2: "progressive",
    0xC3: "lossless",
    0xC5: "extended",  # differential (hierarchical) sequential
    0xC6: "progressive",  # differential progressive
    0xC7: "lossless",  # differential lossless
    0xC9: "extended",  # arithmetic coding from here on
    0xCA: "progressive",
    0xCB: "lossless",
    0xCD: "extended",
    0xCE: "progressive",
    0xCF: "lossless",
}

_MAX_GARBAGE = 65536  # extraneous bytes tolerated between two header segments
_STANDALONE = frozenset([0x01, *range(0xD0, 0xD8)])  # TEM, RST0-7: no length field


@dataclass(frozen=True)
class JpegHeader:
    """What the marker segments before the first scan say about a JPEG codestream.

    Attributes
    ----------
    sof : int
        The Start Of Frame marker (``0xC0`` baseline, ``0xC1`` extended Huffman,
        ``0xC3`` lossless, ...).
    precision : int
        Sample precision P in bits (8 or 12 for DCT processes, 2-16 for lossless).
    rows, columns : int
        Frame size Y and X (Y may be 0 when a DNL segment follows the first scan).
    component_ids : tuple of int
        The component identifiers C1..CNf in frame-header order.
    sampling : tuple of (int, int)
        ``(H, V)`` sampling factors of each component.
    jfif : bool
        An APP0 ``JFIF`` segment is present (it implies YCbCr or greyscale).
    adobe_transform : int or None
        The transform flag of an APP14 ``Adobe`` segment (0: none / RGB or CMYK,
        1: YCbCr, 2: YCCK), ``None`` without one.
    restart_interval : int
        From the last DRI segment before the scan; 0 without restarts.
    predictor, point_transform : int
        For lossless processes: the first scan's Ss (predictor selection value
        1-7) and Al (point transform); 0 otherwise.
    scan_components : tuple of int
        Component selectors of the first scan.
    header_length : int
        Offset of the first entropy-coded byte (just after the first SOS segment).
    """

    sof: int
    precision: int
    rows: int
    columns: int
    component_ids: tuple[int, ...]
    sampling: tuple[tuple[int, int], ...]
    jfif: bool = False
    adobe_transform: int | None = None
    restart_interval: int = 0
    predictor: int = 0
    point_transform: int = 0
    scan_components: tuple[int, ...] = field(default=())
    header_length: int = 0

    @property
    def process(self) -> str:
        """``"baseline"``, ``"extended"``, ``"progressive"`` or ``"lossless"``."""
        return SOF_PROCESS[self.sof]

    @property
    def lossless(self) -> bool:
        """Whether the codestream uses a lossless process (SOF3, SOF7, SOF11, SOF15)."""
        return self.process == "lossless"

    @property
    def components(self) -> int:
        """Number of components Nf."""
        return len(self.component_ids)

    @property
    def subsampled(self) -> bool:
        """Whether any component has sampling factors different from the others."""
        return len(set(self.sampling)) > 1


def _u16(buf: memoryview, pos: int) -> int:
    return (buf[pos] << 8) | buf[pos + 1]


def parse_header(src: bytes | bytearray | memoryview) -> JpegHeader:
    """Parse the marker segments of a JPEG codestream up to its first scan.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        The codestream, starting with SOI (``FF D8``). Bytes after the first SOS
        segment are not read.

    Returns
    -------
    JpegHeader

    Raises
    ------
    ValueError
        The data does not start with SOI, a segment runs past the end of the data,
        a segment is malformed, or no frame header / scan header is found.

    Examples
    --------
    >>> parse_header(b"\\x00\\x01")
    Traceback (most recent call last):
    ...
    ValueError: not a JPEG codestream: it starts with 00 01, not the SOI marker FF D8
    """
    buf = memoryview(src).cast("B") if not isinstance(src, bytes) else memoryview(src)
    n = len(buf)
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        raise ValueError(
            f"not a JPEG codestream: it starts with {bytes(buf[:2]).hex(' ').upper() or 'nothing'}, "
            "not the SOI marker FF D8"
        )
    pos = 2
    sof = None
    precision = rows = columns = 0
    ids: list[int] = []
    sampling: list[tuple[int, int]] = []
    jfif = False
    adobe: int | None = None
    restart = 0
    while True:
        # find the next marker: FF followed by a non-FF, non-zero byte (fill bytes allowed)
        start = pos
        while pos < n and buf[pos] != 0xFF:
            pos += 1  # tolerate garbage between segments, as libjpeg does, within reason
            if pos - start > _MAX_GARBAGE:
                raise ValueError(
                    f"no JPEG marker in the {_MAX_GARBAGE} bytes after offset {start}: the codestream is corrupt"
                )
        while pos < n and buf[pos] == 0xFF:
            pos += 1
        if pos >= n:
            raise ValueError("the JPEG codestream ends before its first scan (no SOS marker)")
        marker = buf[pos]
        pos += 1
        if marker in _STANDALONE or marker == 0x00:
            continue
        if marker == 0xD9:
            raise ValueError("the JPEG codestream ends (EOI) before its first scan")
        if marker == 0xD8:
            raise ValueError("a second SOI marker before the first scan: the JPEG codestream is corrupt")
        if pos + 2 > n:
            raise ValueError(f"the JPEG codestream ends inside the length of marker FF{marker:02X}")
        length = _u16(buf, pos)
        if length < 2 or pos + length > n:
            raise ValueError(
                f"marker segment FF{marker:02X} at byte {pos - 2} claims {length} bytes; "
                f"{n - pos} remain"
            )
        seg = pos + 2
        end = pos + length
        if marker in SOF_PROCESS:
            if sof is not None:
                raise ValueError("two frame headers (SOF markers) in one JPEG codestream")
            if length < 8:
                raise ValueError(f"the frame header (SOF marker FF{marker:02X}) is too short")
            sof = marker
            precision = buf[seg]
            rows = _u16(buf, seg + 1)
            columns = _u16(buf, seg + 3)
            nf = buf[seg + 5]
            if length != 8 + 3 * nf:
                raise ValueError(
                    f"the frame header declares {nf} components but is {length} bytes long"
                )
            for k in range(nf):
                c = seg + 6 + 3 * k
                ids.append(buf[c])
                sampling.append((buf[c + 1] >> 4, buf[c + 1] & 0x0F))
        elif marker == 0xE0 and bytes(buf[seg : seg + 5]) == b"JFIF\x00":
            jfif = True
        elif marker == 0xEE and bytes(buf[seg : seg + 5]) == b"Adobe" and length >= 14:
            adobe = buf[seg + 11]
        elif marker == 0xDD and length >= 4:
            restart = _u16(buf, seg)
        elif marker == 0xDA:
            if sof is None:
                raise ValueError("the JPEG codestream has a scan (SOS) before any frame header (SOF)")
            ns = buf[seg] if length > 2 else 0
            if length != 6 + 2 * ns:
                raise ValueError(f"the scan header declares {ns} components but is {length} bytes long")
            selectors = tuple(buf[seg + 1 + 2 * k] for k in range(ns))
            tail = seg + 1 + 2 * ns
            ss, approx = buf[tail], buf[tail + 2]
            lossless = SOF_PROCESS[sof] == "lossless"
            return JpegHeader(
                sof=sof,
                precision=precision,
                rows=rows,
                columns=columns,
                component_ids=tuple(ids),
                sampling=tuple(sampling),
                jfif=jfif,
                adobe_transform=adobe,
                restart_interval=restart,
                predictor=ss if lossless else 0,
                point_transform=(approx & 0x0F) if lossless else 0,
                scan_components=selectors,
                header_length=end,
            )
        pos = end


_RGB_IDS = ((0x52, 0x47, 0x42), (0x72, 0x67, 0x62))  # "RGB", "rgb"


def colour_space(header: JpegHeader, photometric_interpretation: str) -> str:
    """The colour space of a JPEG codestream's samples: the ONE place this is decided.

    The decoders in this package never let their library transform colour on its
    own (libjpeg-turbo, for one, converts YCbCr to RGB by default even when a
    marker-less stream holds RGB); they ask this function, decode the samples as
    they are, and report the answer so dicodec converts YCbCr to RGB exactly once.

    Rules, first match wins:

    1. One component: ``"GRAY"``. Two or four and more: ``"UNKNOWN"`` (samples
       as coded).
    2. Lossless processes (SOF3/7/11/15): JPEG lossless never transforms colour,
       so the samples are in the colour space the data set declares:
       ``"YCbCr"`` for ``YBR_FULL`` / ``YBR_FULL_422``, otherwise ``"RGB"``.
    3. An APP14 ``Adobe`` segment: transform 0 means ``"RGB"``, 1 (and, as
       libjpeg reads it, any other value) ``"YCbCr"``.
    4. An APP0 ``JFIF`` segment: ``"YCbCr"`` (JFIF allows nothing else).
    5. Component identifiers ``R G B`` (or ``r g b``): ``"RGB"``.
    6. No marker decides: the data set does (PS3.5 8.2.1: the Photometric
       Interpretation describes the compressed samples). ``"RGB"`` when it says
       ``RGB``, ``"YCbCr"`` otherwise. This holds even for subsampled components,
       which suggest YCbCr: pydicom, GDCM and the reference decodings of
       mislabelled files (e.g. pylibjpeg-data's ``SC_rgb_jpeg_lossy_gdcm.dcm``)
       all return such samples untransformed.

    Parameters
    ----------
    header : JpegHeader
        From :func:`parse_header`.
    photometric_interpretation : str
        The data set's (0028,0004) value.

    Returns
    -------
    str
        ``"GRAY"``, ``"RGB"``, ``"YCbCr"`` or ``"UNKNOWN"``.

    Examples
    --------
    >>> h = JpegHeader(0xC0, 8, 8, 8, (1, 2, 3), ((1, 1),) * 3)
    >>> colour_space(h, "RGB"), colour_space(h, "YBR_FULL_422")
    ('RGB', 'YCbCr')
    >>> colour_space(JpegHeader(0xC0, 8, 8, 8, (1, 2, 3), ((2, 1), (1, 1), (1, 1))), "RGB")
    'RGB'
    >>> colour_space(JpegHeader(0xC0, 8, 8, 8, (1, 2, 3), ((1, 1),) * 3, adobe_transform=0), "YBR_FULL")
    'RGB'
    >>> colour_space(JpegHeader(0xC3, 8, 8, 8, (1, 2, 3), ((1, 1),) * 3, jfif=True), "RGB")
    'RGB'
    """
    if header.components == 1:
        return "GRAY"
    if header.components != 3:
        return "UNKNOWN"
    pi = photometric_interpretation.strip().upper()
    declared_ybr = pi.startswith("YBR_FULL")
    if header.lossless:
        return "YCbCr" if declared_ybr else "RGB"
    if header.adobe_transform is not None:
        return "RGB" if header.adobe_transform == 0 else "YCbCr"
    if header.jfif:
        return "YCbCr"
    if header.component_ids in _RGB_IDS:
        return "RGB"
    return "RGB" if pi == "RGB" else "YCbCr"


def reported_photometric(space: str, photometric_interpretation: str) -> str:
    """The Photometric Interpretation to report for samples in ``space``.

    Examples
    --------
    >>> reported_photometric("YCbCr", "YBR_FULL_422"), reported_photometric("GRAY", "MONOCHROME1")
    ('YBR_FULL', 'MONOCHROME1')
    """
    if space == "YCbCr":
        return "YBR_FULL"
    if space == "RGB":
        return "RGB"
    return photometric_interpretation


def repair_sequential_scans(src: bytes | bytearray | memoryview, header: JpegHeader) -> bytes | None:
    """Fix scan headers of sequential DCT streams whose spectral selection is not 0-63.

    Sequential (Baseline and Extended) scans must have Ss = 0, Se = 63, Ah = Al = 0.
    Some 12-bit encoders wrote Se = 0 (the WG04 ``*_JPLY`` files, pydicom's
    ``JPEG-lossy.dcm``, ``RG2_JPLY.dcm``). libjpeg-turbo ignores the values for
    sequential scans; libjpeg refuses the stream. This returns a copy with every
    scan header corrected, or ``None`` when nothing needs fixing. The entropy-coded
    data is never changed: an ``FF DA`` pair can only be a marker there, because
    coded ``FF`` bytes are always followed by ``00`` or a restart marker.

    Examples
    --------
    >>> sos = bytes.fromhex("ffda0008010100000000")                # Ss=0, Se=0: wrong
    >>> data = bytes.fromhex("ffd8ffc1000b0c0001000101011100") + sos + bytes.fromhex("00ffd9")
    >>> fixed = repair_sequential_scans(data, parse_header(data))
    >>> fixed[len(data) - len(sos) - 3 + 7 : len(data) - 3].hex()
    '003f00'
    >>> repair_sequential_scans(fixed, parse_header(fixed)) is None
    True
    """
    if header.process not in ("baseline", "extended"):
        return None
    buf = bytes(src)
    out: bytearray | None = None
    pos = buf.find(b"\xff\xda", 2)
    while pos >= 0 and pos + 4 <= len(buf):
        end = pos + 2 + ((buf[pos + 2] << 8) | buf[pos + 3])
        if end > len(buf) or end - 3 < pos + 5:
            break
        if buf[end - 3 : end] != b"\x00\x3f\x00":
            if out is None:
                out = bytearray(buf)
            out[end - 3 : end] = b"\x00\x3f\x00"
        pos = buf.find(b"\xff\xda", end)
    return bytes(out) if out is not None else None
