"""Reading the header of a JPEG-LS codestream (ITU-T T.87 | ISO/IEC 14495-1).

Pure Python and cheap (a few microseconds): it walks the marker segments from
the start of image up to the first start of scan and reports what the decoders
will produce, so a codec can check a frame against its data set *before*
decoding it (and allocating anything), pick an output layout, and refuse
streams that are not JPEG-LS at all (a JPEG baseline stream handed to a decoder
that also speaks JPEG, for instance).

Markers read (T.87 Annex C): SOI ``FFD8``, SOF55 ``FFF7`` (frame header: P, Y,
X, Nf), LSE ``FFF8`` (preset parameters: MAXVAL; oversize image dimensions),
SOS ``FFDA`` (NEAR and ILV of the first scan); APPn, COM and DRI segments are
skipped. A SPIFF header (``APP8 'SPIFF'``, as CharLS writes it) is recognised
and reported. Nothing after the first SOS is read.

Examples
--------
>>> from dicodec_jpegls.codestream import parse_header
>>> stream = bytes.fromhex(
...     "ffd8"                                  # SOI
...     "fff7000b0c0004000601011100"            # SOF55: P=12, Y=4, X=6, Nf=1
...     "ffda000801010002000000")               # SOS: NEAR=2, ILV=0
>>> info = parse_header(stream)
>>> info.precision, info.rows, info.columns, info.components, info.near, info.interleave
(12, 4, 6, 1, 2, 0)
>>> info.interleave_name
'none'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INTERLEAVE_NAMES", "JlsInfo", "check_end", "parse_header", "strip_spiff"]

INTERLEAVE_NAMES = ("none", "line", "sample")
"""JPEG-LS interleave modes by ILV value: 0 none (one scan per component), 1 line, 2 sample."""

_SOI = 0xD8
_EOI = 0xD9
_SOS = 0xDA
_SOF55 = 0xF7
_LSE = 0xF8
# JPEG (ITU-T T.81) frame headers: a stream carrying one of these is not JPEG-LS.
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_SOF57 = 0xF9  # JPEG-LS Part 2 (extensions): not decodable by CharLS


@dataclass(frozen=True)
class JlsInfo:
    """What a JPEG-LS frame header and its first scan header say.

    Attributes
    ----------
    precision : int
        Sample precision P (2-16 bits).
    rows, columns : int
        Image height Y and width X (an LSE oversize-dimension segment wins over
        the 16-bit SOF55 fields). ``rows`` is 0 when the height is given later
        in a DNL segment.
    components : int
        Number of components Nf (samples per pixel).
    near : int
        NEAR of the first scan: 0 for lossless, the maximum absolute error otherwise.
    interleave : int
        ILV of the first scan: 0 none, 1 line, 2 sample.
    maxval : int
        MAXVAL from an LSE preset-parameters segment, or 0 for the default
        ``2**precision - 1``.
    spiff : bool
        Whether the stream starts with a SPIFF header.
    """

    precision: int
    rows: int
    columns: int
    components: int
    near: int
    interleave: int
    maxval: int = 0
    spiff: bool = False

    @property
    def interleave_name(self) -> str:
        """The interleave mode's name: ``'none'``, ``'line'`` or ``'sample'``."""
        return INTERLEAVE_NAMES[self.interleave] if 0 <= self.interleave <= 2 else str(self.interleave)

    @property
    def itemsize(self) -> int:
        """Bytes per decoded sample: 1 for P <= 8, else 2."""
        return 1 if self.precision <= 8 else 2

    @property
    def max_value(self) -> int:
        """The largest sample value the stream can hold (MAXVAL)."""
        return self.maxval or (1 << self.precision) - 1


def _u16(buf: memoryview, pos: int) -> int:
    return (buf[pos] << 8) | buf[pos + 1]


def parse_header(src: bytes | bytearray | memoryview) -> JlsInfo:
    """Parse the frame header and the first scan header of a JPEG-LS codestream.

    Parameters
    ----------
    src : bytes, bytearray or memoryview
        One frame's codestream, starting with the SOI marker (trailing padding
        after EOI is allowed).

    Returns
    -------
    JlsInfo

    Raises
    ------
    ValueError
        The data is not a JPEG-LS codestream (no SOI, a JPEG frame header, a
        segment running past the end, no SOF55 before the first scan, ...); the
        message names the marker and its byte offset.

    Examples
    --------
    >>> parse_header(b"\\xff\\xd8\\xff\\xc0\\x00\\x11")
    Traceback (most recent call last):
    ...
    ValueError: not a JPEG-LS codestream: JPEG frame header SOF0 (FFC0) at byte 2 (JPEG-LS uses SOF55, FFF7)
    >>> parse_header(b"DICM")
    Traceback (most recent call last):
    ...
    ValueError: not a JPEG-LS codestream: it starts with 44 49, not the start-of-image marker FF D8
    """
    buf = memoryview(src).cast("B") if not isinstance(src, (bytes, bytearray)) else memoryview(src)
    size = len(buf)
    if size < 4 or buf[0] != 0xFF or buf[1] != _SOI:
        head = " ".join(f"{b:02X}" for b in bytes(buf[:2])) or "nothing"
        raise ValueError(f"not a JPEG-LS codestream: it starts with {head}, not the start-of-image marker FF D8")
    pos = 2
    precision = rows = columns = components = 0
    maxval = 0
    spiff = False
    seen_sof = False
    while True:
        # markers may be preceded by any number of 0xFF fill bytes (T.87 C.1.1)
        if pos + 1 >= size:
            raise ValueError(f"the JPEG-LS codestream ends at byte {size} before its first scan (SOS)")
        if buf[pos] != 0xFF:
            raise ValueError(f"corrupt JPEG-LS header: expected a marker at byte {pos}, found {buf[pos]:02X}")
        marker = buf[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        start = pos
        if marker == _SOI:
            # a SPIFF end-of-directory entry ends with a second SOI; nothing else may
            if not spiff:
                raise ValueError(f"corrupt JPEG-LS header: a second start-of-image marker at byte {start}")
            pos += 2
            continue
        if marker == _EOI:
            raise ValueError(f"the JPEG-LS codestream ends (EOI at byte {start}) before its first scan")
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            raise ValueError(f"corrupt JPEG-LS header: marker FF{marker:02X} at byte {start} outside a scan")
        if marker in _JPEG_SOF:
            raise ValueError(
                f"not a JPEG-LS codestream: JPEG frame header SOF{marker - 0xC0} (FF{marker:02X}) at byte {start} "
                "(JPEG-LS uses SOF55, FFF7)"
            )
        if marker == _SOF57:
            raise ValueError(f"JPEG-LS Part 2 (SOF57, FFF9 at byte {start}) is not supported")
        if pos + 4 > size:
            raise ValueError(f"the JPEG-LS codestream is truncated in marker FF{marker:02X} at byte {start}")
        length = _u16(buf, pos + 2)
        end = pos + 2 + length
        if length < 2 or end > size:
            raise ValueError(
                f"corrupt JPEG-LS header: segment FF{marker:02X} at byte {start} has length {length}, "
                f"past the end of the {size}-byte codestream"
            )
        body = pos + 4
        if marker == _SOF55:
            if seen_sof:
                raise ValueError(f"corrupt JPEG-LS header: a second frame header (SOF55) at byte {start}")
            if length < 8:
                raise ValueError(f"corrupt JPEG-LS header: SOF55 at byte {start} is {length} bytes long")
            precision = buf[body]
            height, width = _u16(buf, body + 1), _u16(buf, body + 3)
            rows = height or rows  # 0: given by an LSE oversize segment (or a DNL)
            columns = width or columns
            components = buf[body + 5]
            if length != 8 + 3 * components:
                raise ValueError(
                    f"corrupt JPEG-LS header: SOF55 at byte {start} declares {components} components "
                    f"in {length} bytes"
                )
            if not 2 <= precision <= 16:
                raise ValueError(f"JPEG-LS sample precision {precision} is outside 2-16 (SOF55 at byte {start})")
            if components < 1:
                raise ValueError(f"corrupt JPEG-LS header: SOF55 at byte {start} declares no components")
            seen_sof = True
        elif marker == _LSE and length >= 3:
            kind = buf[body]
            if kind == 1 and length >= 13:
                maxval = _u16(buf, body + 1)
            elif kind == 4 and length >= 4:
                # oversize image dimensions: Wxy bytes per dimension, then Y and X
                wxy = buf[body + 1]
                if 2 <= wxy <= 4 and length >= 4 + 2 * wxy:
                    rows = int.from_bytes(buf[body + 2 : body + 2 + wxy], "big")
                    columns = int.from_bytes(buf[body + 2 + wxy : body + 2 + 2 * wxy], "big")
        elif marker == 0xE8 and length >= 7 and bytes(buf[body : body + 6]) == b"SPIFF\x00":
            spiff = True
        elif marker == _SOS:
            if not seen_sof:
                raise ValueError(f"corrupt JPEG-LS header: a scan (SOS at byte {start}) before the frame header")
            ns = buf[body] if length >= 3 else 0
            if ns < 1 or length != 6 + 2 * ns:
                raise ValueError(f"corrupt JPEG-LS header: SOS at byte {start} has length {length} for {ns} components")
            near = buf[body + 1 + 2 * ns]
            ilv = buf[body + 2 + 2 * ns]
            if ilv > 2:
                raise ValueError(f"corrupt JPEG-LS header: interleave mode {ilv} in SOS at byte {start}")
            return JlsInfo(precision, rows, columns, components, near, ilv, maxval, spiff)
        pos = end


def check_end(src: bytes | bytearray | memoryview) -> None:
    """Raise unless the codestream holds its end-of-image marker (a truncation check).

    Inside JPEG-LS scan data a 0xFF byte is always followed by a byte below
    0x80 (bit stuffing, T.87 A.1), so the bytes FF D9 can only be the EOI
    marker. A frame without it was cut short: CharLS rejects such a stream
    anyway ("the source buffer is too small"), but only after decoding up to
    the cut, which for some truncated streams takes CharLS 2.4 many seconds;
    libjpeg would return the damaged image without an error. Padding after EOI
    is allowed.

    Raises
    ------
    ValueError
        No EOI marker.

    Examples
    --------
    >>> check_end(b"\\xff\\xd8\\xff\\xf7\\x00\\x0b\\xff\\xd9\\x00")
    >>> check_end(b"\\xff\\xd8\\xff\\xf7\\x00\\x0b\\x12\\x34")
    Traceback (most recent call last):
    ...
    ValueError: the JPEG-LS codestream (8 bytes) has no end-of-image marker (FF D9): it is truncated
    """
    view = memoryview(src)
    if b"\xff\xd9" in bytes(view[-64:]):  # EOI, then at most a little padding
        return
    if isinstance(src, (bytes, bytearray)):
        found = src.rfind(b"\xff\xd9") >= 0
    else:
        found = b"\xff\xd9" in bytes(view)
    if not found:
        raise ValueError(
            f"the JPEG-LS codestream ({view.nbytes} bytes) has no end-of-image marker (FF D9): it is truncated"
        )


def strip_spiff(data: bytes) -> bytes | memoryview:
    """Drop a leading SPIFF header (as CharLS writes it) from a JPEG-LS codestream.

    DICOM's Pixel Data elements describe the image; a SPIFF header only repeats
    (or contradicts) them. A stream without one is returned unchanged.

    Parameters
    ----------
    data : bytes
        A codestream that may start ``FFD8 FFE8 .. 'SPIFF'``.

    Returns
    -------
    bytes or memoryview
        ``data`` itself, or a zero-copy view starting at a start-of-image marker.

    Examples
    --------
    >>> spiff = bytes.fromhex("ffd8ffe8000a5350494646000200" "ffe8000800000001ffd8" "fff7")
    >>> bytes(strip_spiff(spiff)).hex()
    'ffd8fff7'
    >>> strip_spiff(b"\\xff\\xd8\\xff\\xf7")
    b'\\xff\\xd8\\xff\\xf7'
    """
    if len(data) < 12 or data[2:4] != b"\xff\xe8" or data[6:12] != b"SPIFF\x00":
        return data
    pos = 2
    size = len(data)
    # skip the SPIFF header and its directory entries (APP8 segments); the
    # end-of-directory entry (tag 1) carries the SOI of the JPEG-LS stream proper
    while pos + 4 <= size and data[pos] == 0xFF and data[pos + 1] == 0xE8:
        length = (data[pos + 2] << 8) | data[pos + 3]
        end = pos + 2 + length
        if length == 8 and data[pos + 4 : pos + 8] == b"\x00\x00\x00\x01" and data[end - 2 : end] == b"\xff\xd8":
            return memoryview(data)[end - 2 :]
        pos = end
    return data
