"""DICOM unique identifiers (UIDs), transfer syntaxes and UID generation.

:class:`UID` is a :class:`str` that can look itself up in the UID registry
(PS3.6 Table A-1, loaded on first use) and, for a transfer syntax, answer how
data sets and pixel data are encoded. Transfer-syntax facts come from a small
table in this module, so checking ``is_implicit_VR`` never loads the registry.

Examples
--------
>>> from dicodec.uid import UID, ExplicitVRBigEndian, JPEGBaseline8Bit
>>> ExplicitVRBigEndian.is_little_endian, ExplicitVRBigEndian.is_implicit_VR
(False, False)
>>> JPEGBaseline8Bit.is_compressed, JPEGBaseline8Bit.is_lossy
(True, True)
>>> UID("1.2.840.10008.5.1.4.1.1.2").name
'CT Image Storage'
>>> UID("1.2.3.4").is_transfer_syntax
False
"""

from __future__ import annotations

__all__ = [
    "DICODEC_ROOT_UID",
    "HEVCM10P51",
    "HEVCMP51",
    "HTJ2K",
    "IMPLEMENTATION_CLASS_UID",
    "IMPLEMENTATION_VERSION_NAME",
    "JPEG2000",
    "JPEG2000MC",
    "JPEGXL",
    "MPEG2MPHL",
    "MPEG2MPHLF",
    "MPEG2MPML",
    "MPEG2MPMLF",
    "MPEG4HP41",
    "MPEG4HP41BD",
    "MPEG4HP41BDF",
    "MPEG4HP41F",
    "MPEG4HP42STEREO",
    "MPEG4HP42STEREOF",
    "MPEG4HP422D",
    "MPEG4HP422DF",
    "MPEG4HP423D",
    "MPEG4HP423DF",
    "UID",
    "AllTransferSyntaxes",
    "DeflatedExplicitVRLittleEndian",
    "DeflatedImageFrameCompression",
    "EncapsulatedUncompressedExplicitVRLittleEndian",
    "ExplicitVRBigEndian",
    "ExplicitVRLittleEndian",
    "HTJ2KLossless",
    "HTJ2KLosslessRPCL",
    "ImplicitVRLittleEndian",
    "JPEG2000Lossless",
    "JPEG2000MCLossless",
    "JPEG2000TransferSyntaxes",
    "JPEGBaseline8Bit",
    "JPEGExtended12Bit",
    "JPEGLSLossless",
    "JPEGLSNearLossless",
    "JPEGLSTransferSyntaxes",
    "JPEGLossless",
    "JPEGLosslessSV1",
    "JPEGTransferSyntaxes",
    "JPEGXLJPEGRecompression",
    "JPEGXLLossless",
    "JPEGXLTransferSyntaxes",
    "JPIPHTJ2KReferenced",
    "JPIPHTJ2KReferencedDeflate",
    "JPIPReferenced",
    "JPIPReferencedDeflate",
    "MPEGTransferSyntaxes",
    "PrivateTransferSyntaxes",
    "RLELossless",
    "RLETransferSyntaxes",
    "SMPTEST211020UncompressedInterlacedActiveVideo",
    "SMPTEST211020UncompressedProgressiveActiveVideo",
    "SMPTEST211030PCMDigitalAudio",
    "TransferSyntaxInfo",
    "UncompressedTransferSyntaxes",
    "generate_uid",
    "register_transfer_syntax",
    "transfer_syntax_info",
]

_DICOM_ROOT = "1.2.840.10008"
_TS_TYPE = "Transfer Syntax"


class TransferSyntaxInfo:
    """How a transfer syntax encodes a data set and its pixel data.

    An immutable record, compared and hashed by value, like a frozen
    dataclass (written by hand so that importing :mod:`dicodec.uid` stays
    cheap).

    Attributes
    ----------
    uid : str
        The transfer syntax UID.
    name : str
        Its name (for standard syntaxes, as printed in PS3.6 Table A-1).
    keyword : str
        Its keyword, such as ``"ExplicitVRLittleEndian"`` (may be empty for a
        private syntax).
    implicit_vr : bool
        The data set uses implicit VR.
    little_endian : bool
        The data set is little endian.
    deflated : bool
        The whole data set (after the file meta information) is deflated.
    encapsulated : bool
        Pixel data is encapsulated (a sequence of fragments).
    lossy : bool
        The syntax allows lossy compression of pixel data.
    retired : bool
        The syntax is retired from the standard.

    Examples
    --------
    >>> info = transfer_syntax_info("1.2.840.10008.1.2.1.99")
    >>> info.deflated, info.implicit_vr, info.encapsulated
    (True, False, False)
    >>> info.lossy = True
    Traceback (most recent call last):
    ...
    AttributeError: TransferSyntaxInfo is immutable
    """

    __slots__ = (
        "deflated",
        "encapsulated",
        "implicit_vr",
        "keyword",
        "little_endian",
        "lossy",
        "name",
        "retired",
        "uid",
    )

    _FIELD_NAMES = ("uid", "name", "keyword", "implicit_vr", "little_endian", "deflated",
                  "encapsulated", "lossy", "retired")  # fmt: skip

    uid: str
    name: str
    keyword: str
    implicit_vr: bool
    little_endian: bool
    deflated: bool
    encapsulated: bool
    lossy: bool
    retired: bool

    def __init__(
        self,
        uid: str,
        name: str,
        keyword: str = "",
        implicit_vr: bool = False,
        little_endian: bool = True,
        deflated: bool = False,
        encapsulated: bool = True,
        lossy: bool = False,
        retired: bool = False,
    ) -> None:
        setter = object.__setattr__
        setter(self, "uid", str(uid))
        setter(self, "name", str(name))
        setter(self, "keyword", str(keyword))
        setter(self, "implicit_vr", bool(implicit_vr))
        setter(self, "little_endian", bool(little_endian))
        setter(self, "deflated", bool(deflated))
        setter(self, "encapsulated", bool(encapsulated))
        setter(self, "lossy", bool(lossy))
        setter(self, "retired", bool(retired))

    def _fields(self) -> tuple[str, str, str, bool, bool, bool, bool, bool, bool]:
        return (
            self.uid,
            self.name,
            self.keyword,
            self.implicit_vr,
            self.little_endian,
            self.deflated,
            self.encapsulated,
            self.lossy,
            self.retired,
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("TransferSyntaxInfo is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("TransferSyntaxInfo is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        inner = ", ".join(
            f"{n}={v!r}" for n, v in zip(self._FIELD_NAMES, self._fields(), strict=True)
        )
        return f"TransferSyntaxInfo({inner})"

    def __reduce__(self) -> tuple[type[TransferSyntaxInfo], tuple[object, ...]]:
        return (self.__class__, self._fields())


# Every transfer syntax of PS3.6 Table A-1 (2026), names as printed there.
# Columns: uid, keyword, name, implicit VR, little endian, deflated data set,
# encapsulated pixel data, lossy allowed, retired.
# fmt: off
_I, _E = True, False  # implicit / explicit VR
_STANDARD_ROWS: tuple[tuple[str, str, str, bool, bool, bool, bool, bool, bool], ...] = (
    ("1.2.840.10008.1.2", "ImplicitVRLittleEndian",
     "Implicit VR Little Endian: Default Transfer Syntax for DICOM",
     _I, True, False, False, False, False),
    ("1.2.840.10008.1.2.1", "ExplicitVRLittleEndian", "Explicit VR Little Endian",
     _E, True, False, False, False, False),
    ("1.2.840.10008.1.2.1.98", "EncapsulatedUncompressedExplicitVRLittleEndian",
     "Encapsulated Uncompressed Explicit VR Little Endian",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.1.99", "DeflatedExplicitVRLittleEndian",
     "Deflated Explicit VR Little Endian", _E, True, True, False, False, False),
    ("1.2.840.10008.1.2.2", "ExplicitVRBigEndian", "Explicit VR Big Endian (Retired)",
     _E, False, False, False, False, True),
    ("1.2.840.10008.1.2.4.50", "JPEGBaseline8Bit",
     "JPEG Baseline (Process 1): Default Transfer Syntax for Lossy JPEG 8 Bit Image Compression",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.51", "JPEGExtended12Bit",
     "JPEG Extended (Process 2 & 4): Default Transfer Syntax for Lossy JPEG 12 Bit Image "
     "Compression (Process 4 only)", _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.52", "JPEGExtended35", "JPEG Extended (Process 3 & 5) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.53", "JPEGSpectralSelectionNonHierarchical68",
     "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.54", "JPEGSpectralSelectionNonHierarchical79",
     "JPEG Spectral Selection, Non-Hierarchical (Process 7 & 9) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.55", "JPEGFullProgressionNonHierarchical1012",
     "JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.56", "JPEGFullProgressionNonHierarchical1113",
     "JPEG Full Progression, Non-Hierarchical (Process 11 & 13) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.57", "JPEGLossless", "JPEG Lossless, Non-Hierarchical (Process 14)",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.4.58", "JPEGLosslessNonHierarchical15",
     "JPEG Lossless, Non-Hierarchical (Process 15) (Retired)",
     _E, True, False, True, False, True),
    ("1.2.840.10008.1.2.4.59", "JPEGExtendedHierarchical1618",
     "JPEG Extended, Hierarchical (Process 16 & 18) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.60", "JPEGExtendedHierarchical1719",
     "JPEG Extended, Hierarchical (Process 17 & 19) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.61", "JPEGSpectralSelectionHierarchical2022",
     "JPEG Spectral Selection, Hierarchical (Process 20 & 22) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.62", "JPEGSpectralSelectionHierarchical2123",
     "JPEG Spectral Selection, Hierarchical (Process 21 & 23) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.63", "JPEGFullProgressionHierarchical2426",
     "JPEG Full Progression, Hierarchical (Process 24 & 26) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.64", "JPEGFullProgressionHierarchical2527",
     "JPEG Full Progression, Hierarchical (Process 25 & 27) (Retired)",
     _E, True, False, True, True, True),
    ("1.2.840.10008.1.2.4.65", "JPEGLosslessHierarchical28",
     "JPEG Lossless, Hierarchical (Process 28) (Retired)", _E, True, False, True, False, True),
    ("1.2.840.10008.1.2.4.66", "JPEGLosslessHierarchical29",
     "JPEG Lossless, Hierarchical (Process 29) (Retired)", _E, True, False, True, False, True),
    ("1.2.840.10008.1.2.4.70", "JPEGLosslessSV1",
     "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1]): "
     "Default Transfer Syntax for Lossless JPEG Image Compression",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.4.80", "JPEGLSLossless", "JPEG-LS Lossless Image Compression",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.4.81", "JPEGLSNearLossless",
     "JPEG-LS Lossy (Near-Lossless) Image Compression", _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.90", "JPEG2000Lossless", "JPEG 2000 Image Compression (Lossless Only)",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.4.91", "JPEG2000", "JPEG 2000 Image Compression",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.92", "JPEG2000MCLossless",
     "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.4.93", "JPEG2000MC", "JPEG 2000 Part 2 Multi-component Image Compression",
     _E, True, False, True, True, False),
    # JPIP: the pixel data is fetched from a JPIP server and may be lossy; the
    # "Deflate" variants deflate the data set (PS3.5 A.6 and A.7).
    ("1.2.840.10008.1.2.4.94", "JPIPReferenced", "JPIP Referenced",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.95", "JPIPReferencedDeflate", "JPIP Referenced Deflate",
     _E, True, True, True, True, False),
    ("1.2.840.10008.1.2.4.100", "MPEG2MPML", "MPEG2 Main Profile / Main Level",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.100.1", "MPEG2MPMLF", "Fragmentable MPEG2 Main Profile / Main Level",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.101", "MPEG2MPHL", "MPEG2 Main Profile / High Level",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.101.1", "MPEG2MPHLF", "Fragmentable MPEG2 Main Profile / High Level",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.102", "MPEG4HP41", "MPEG-4 AVC/H.264 High Profile / Level 4.1",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.102.1", "MPEG4HP41F",
     "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1", _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.103", "MPEG4HP41BD",
     "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.103.1", "MPEG4HP41BDF",
     "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.104", "MPEG4HP422D",
     "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.104.1", "MPEG4HP422DF",
     "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.105", "MPEG4HP423D",
     "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.105.1", "MPEG4HP423DF",
     "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.106", "MPEG4HP42STEREO",
     "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.106.1", "MPEG4HP42STEREOF",
     "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.107", "HEVCMP51", "HEVC/H.265 Main Profile / Level 5.1",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.108", "HEVCM10P51", "HEVC/H.265 Main 10 Profile / Level 5.1",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.110", "JPEGXLLossless", "JPEG XL Lossless",
     _E, True, False, True, False, False),
    # JPEG recompression reproduces a (lossy) JPEG bit stream exactly; the
    # pixel data has been through lossy compression.
    ("1.2.840.10008.1.2.4.111", "JPEGXLJPEGRecompression", "JPEG XL JPEG Recompression",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.112", "JPEGXL", "JPEG XL", _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.201", "HTJ2KLossless",
     "High-Throughput JPEG 2000 Image Compression (Lossless Only)",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.4.202", "HTJ2KLosslessRPCL",
     "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)",
     _E, True, False, True, False, False),
    ("1.2.840.10008.1.2.4.203", "HTJ2K", "High-Throughput JPEG 2000 Image Compression",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.204", "JPIPHTJ2KReferenced", "JPIP HTJ2K Referenced",
     _E, True, False, True, True, False),
    ("1.2.840.10008.1.2.4.205", "JPIPHTJ2KReferencedDeflate", "JPIP HTJ2K Referenced Deflate",
     _E, True, True, True, True, False),
    ("1.2.840.10008.1.2.5", "RLELossless", "RLE Lossless", _E, True, False, True, False, False),
    # Pseudo transfer syntaxes of DICOMDIR references to non-DICOM files.
    ("1.2.840.10008.1.2.6.1", "RFC2557MIMEEncapsulation",
     "RFC 2557 MIME encapsulation (Retired)", _E, True, False, False, False, True),
    ("1.2.840.10008.1.2.6.2", "XMLEncoding", "XML Encoding (Retired)",
     _E, True, False, False, False, True),
    # DICOM-RTV: the essence travels in an SMPTE ST 2110 stream, uncompressed.
    ("1.2.840.10008.1.2.7.1", "SMPTEST211020UncompressedProgressiveActiveVideo",
     "SMPTE ST 2110-20 Uncompressed Progressive Active Video",
     _E, True, False, False, False, False),
    ("1.2.840.10008.1.2.7.2", "SMPTEST211020UncompressedInterlacedActiveVideo",
     "SMPTE ST 2110-20 Uncompressed Interlaced Active Video",
     _E, True, False, False, False, False),
    ("1.2.840.10008.1.2.7.3", "SMPTEST211030PCMDigitalAudio",
     "SMPTE ST 2110-30 PCM Digital Audio", _E, True, False, False, False, False),
    # Each frame is deflated separately (encapsulated); the data set is not.
    ("1.2.840.10008.1.2.8.1", "DeflatedImageFrameCompression",
     "Deflated Image Frame Compression", _E, True, False, True, False, False),
    ("1.2.840.10008.1.20", "Papyrus3ImplicitVRLittleEndian",
     "Papyrus 3 Implicit VR Little Endian (Retired)", _I, True, False, False, False, True),
)
# fmt: on
del _I, _E

_TS: dict[str, TransferSyntaxInfo] = {
    uid: TransferSyntaxInfo(uid, name, keyword, *flags)
    for uid, keyword, name, *flags in _STANDARD_ROWS
}
_STANDARD_TS = frozenset(_TS)
_ENCAPSULATED_UNCOMPRESSED = "1.2.840.10008.1.2.1.98"

_REGISTRY: dict[str, tuple[str, str, str, bool]] | None = None


def _registry() -> dict[str, tuple[str, str, str, bool]]:
    global _REGISTRY
    if _REGISTRY is None:
        from ._uid_dict import UID_DICT

        _REGISTRY = UID_DICT
    return _REGISTRY


def _syntax_ok(value: str) -> bool:
    """True if ``value`` follows PS3.5 9.1: digits and dots, no leading zeros."""
    if not value or len(value) > 64:
        return False
    for part in value.split("."):
        if not part or not (part.isascii() and part.isdigit()):
            return False
        if len(part) > 1 and part[0] == "0":
            return False
    return True


class UID(str):
    """A DICOM UID: a :class:`str` with registry and transfer-syntax properties.

    Trailing NUL and space padding (as read from a file) is removed.

    Examples
    --------
    >>> uid = UID("1.2.840.10008.1.2.4.50")
    >>> uid.keyword, uid.type
    ('JPEGBaseline8Bit', 'Transfer Syntax')
    >>> uid.is_transfer_syntax, uid.is_encapsulated, uid.is_deflated
    (True, True, False)
    >>> UID("1.2.826.0.1.3680043.2.1125.1\\x00").is_private
    True
    >>> UID("1.02.3").is_valid
    False
    """

    __slots__ = ()

    def __new__(cls, val: str) -> UID:
        if type(val) is cls:
            return val
        if not isinstance(val, str):
            raise TypeError(f"a UID must be a str, not {type(val).__name__}")
        if val and val[-1] in "\x00 ":
            val = val.rstrip("\x00 ")
        return super().__new__(cls, val)

    def _ts(self) -> TransferSyntaxInfo:
        info = _TS.get(self)
        if info is None:
            raise ValueError(f"UID {str(self)!r} is not a transfer syntax")
        return info

    # ------------------------------------------------------------ registry
    @property
    def name(self) -> str:
        """The registry name, or the UID itself when it is not registered."""
        info = _TS.get(self)
        if info is not None:
            return info.name
        entry = _registry().get(self)
        return entry[0] if entry is not None else str(self)

    @property
    def type(self) -> str:
        """The registry type (``"SOP Class"``, ``"Transfer Syntax"``...), or ``''``."""
        if self in _TS:
            return _TS_TYPE
        entry = _registry().get(self)
        return entry[1] if entry is not None else ""

    @property
    def keyword(self) -> str:
        """The registry keyword, or ``''``."""
        info = _TS.get(self)
        if info is not None:
            return info.keyword
        entry = _registry().get(self)
        return entry[2] if entry is not None else ""

    @property
    def is_retired(self) -> bool:
        """True if the registry lists the UID as retired."""
        info = _TS.get(self)
        if info is not None:
            return info.retired
        entry = _registry().get(self)
        return entry[3] if entry is not None else False

    @property
    def is_valid(self) -> bool:
        """True if the UID follows PS3.5 9.1 (at most 64 characters, digits and dots)."""
        return _syntax_ok(self)

    @property
    def is_private(self) -> bool:
        """True if the UID is not under the DICOM root ``1.2.840.10008``."""
        return not (self == _DICOM_ROOT or self.startswith(_DICOM_ROOT + "."))

    # ----------------------------------------------------- transfer syntax
    @property
    def is_transfer_syntax(self) -> bool:
        """True for a standard transfer syntax or one added by :func:`register_transfer_syntax`."""
        return self in _TS

    @property
    def is_implicit_VR(self) -> bool:
        """True if the transfer syntax uses implicit VR.

        Raises
        ------
        ValueError
            If the UID is not a known transfer syntax (so for all the
            transfer-syntax properties below).
        """
        return self._ts().implicit_vr

    @property
    def is_little_endian(self) -> bool:
        """True if the transfer syntax is little endian."""
        return self._ts().little_endian

    @property
    def is_deflated(self) -> bool:
        """True if the data set itself is deflated (not for frame-wise deflate)."""
        return self._ts().deflated

    @property
    def is_encapsulated(self) -> bool:
        """True if pixel data is encapsulated (compressed, or 1.2.840.10008.1.2.1.98)."""
        return self._ts().encapsulated

    @property
    def is_compressed(self) -> bool:
        """True if pixel data is encapsulated and compressed."""
        return self._ts().encapsulated and self != _ENCAPSULATED_UNCOMPRESSED

    @property
    def is_lossy(self) -> bool:
        """True if the transfer syntax allows lossy compression."""
        return self._ts().lossy


def transfer_syntax_info(uid: str) -> TransferSyntaxInfo | None:
    """Return what is known about a transfer syntax, or ``None``.

    Examples
    --------
    >>> transfer_syntax_info("1.2.840.10008.1.2").implicit_vr
    True
    >>> transfer_syntax_info("1.2.3") is None
    True
    """
    return _TS.get(uid)


def register_transfer_syntax(
    uid: str,
    name: str,
    keyword: str = "",
    *,
    implicit_vr: bool = False,
    little_endian: bool = True,
    deflated: bool = False,
    encapsulated: bool = True,
    lossy: bool = False,
) -> UID:
    """Teach dicodec a private transfer syntax.

    Registering the same UID again replaces its description.

    Parameters
    ----------
    uid : str
        The transfer syntax UID; it must be a valid UID and not a standard
        transfer syntax.
    name : str
        A human readable name.
    keyword : str, optional
        A keyword for it.
    implicit_vr, little_endian, deflated, encapsulated, lossy : bool, optional
        How it encodes data sets and pixel data (see
        :class:`TransferSyntaxInfo`).

    Returns
    -------
    UID
        The UID, also appended to :data:`PrivateTransferSyntaxes`.

    Raises
    ------
    ValueError
        If ``uid`` is not a valid UID or is a standard transfer syntax.

    Examples
    --------
    >>> ts = register_transfer_syntax("1.2.3.4.5.6", "Vendor Deflate", deflated=True,
    ...                               encapsulated=False)
    >>> ts.is_transfer_syntax, ts.is_deflated, ts.name
    (True, True, 'Vendor Deflate')
    """
    text = str(uid)
    if not _syntax_ok(text):
        raise ValueError(f"{text!r} is not a valid UID")
    if text in _STANDARD_TS:
        raise ValueError(f"{text!r} is a standard transfer syntax and cannot be redefined")
    result = UID(text)
    _TS[text] = TransferSyntaxInfo(
        text, name, keyword, implicit_vr, little_endian, deflated, encapsulated, lossy
    )
    if result not in PrivateTransferSyntaxes:
        PrivateTransferSyntaxes.append(result)
    return result


# ------------------------------------------------------------- generation

DICODEC_ROOT_UID = "2.25."
"""dicodec has no organisation root: generated UIDs use the UUID arc 2.25 (PS3.5 B.2)."""


def generate_uid(
    prefix: str | None = DICODEC_ROOT_UID, entropy_srcs: list[str] | None = None
) -> UID:
    """Return a new UID.

    Parameters
    ----------
    prefix : str or None, optional
        The root to put in front. With the default ``"2.25."`` (also used for
        ``None``) the result is ``2.25.`` followed by the decimal value of a
        128-bit number: a random UUID (version 4), or 128 bits of the hash of
        ``entropy_srcs``. Any other prefix must be a valid UID root ending in
        ``"."`` and at most 63 characters; a decimal number made from a random
        UUID (or the hash) is appended, cut so that the UID has at most 64
        characters.
    entropy_srcs : list of str, optional
        Makes the result deterministic: the same sources always give the same
        UID. The sources are hashed with SHA-512, joined with NUL separators
        (so ``["ab", "c"]`` and ``["a", "bc"]`` differ).

    Returns
    -------
    UID
        A valid UID of at most 64 characters.

    Raises
    ------
    ValueError
        If ``prefix`` does not end with ``"."``, is longer than 63 characters
        or is not a valid UID root.

    Examples
    --------
    >>> uid = generate_uid()
    >>> uid.startswith("2.25.") and uid.is_valid
    True
    >>> generate_uid(entropy_srcs=["Study", "42"]) == generate_uid(entropy_srcs=["Study", "42"])
    True
    >>> len(generate_uid("1.2.826.0.1.3680043.9.9999.")) <= 64
    True
    """
    if prefix is None:
        prefix = DICODEC_ROOT_UID
    if not isinstance(prefix, str):
        raise TypeError(f"the prefix must be a str, not {type(prefix).__name__}")
    if not prefix.endswith("."):
        raise ValueError(f"the UID prefix {prefix!r} must end with '.'")
    if len(prefix) > 63:
        raise ValueError(f"the UID prefix {prefix!r} is longer than 63 characters")
    if not _syntax_ok(prefix[:-1]):
        raise ValueError(f"the UID prefix {prefix!r} is not a valid UID root")

    if entropy_srcs is None:
        import uuid

        number = uuid.uuid4().int
    else:
        import hashlib

        digest = hashlib.sha512(
            b"\x00".join(str(src).encode("utf-8") for src in entropy_srcs)
        ).digest()
        if prefix == DICODEC_ROOT_UID:
            number = int.from_bytes(digest[:16], "big")
        else:
            number = int.from_bytes(digest, "big")
    suffix = str(number)[: 64 - len(prefix)]
    return UID(prefix + suffix)


IMPLEMENTATION_CLASS_UID = UID("2.25.263009075158895367182973914569278196358")
"""dicodec's Implementation Class UID: ``2.25.`` + ``uuid5(NAMESPACE_URL, "dicodec").int``."""

IMPLEMENTATION_VERSION_NAME = "DICODEC_010"
"""dicodec's Implementation Version Name (at most 16 characters)."""


# -------------------------------------------------------------- constants

ImplicitVRLittleEndian = UID("1.2.840.10008.1.2")
"""1.2.840.10008.1.2: Implicit VR Little Endian."""
ExplicitVRLittleEndian = UID("1.2.840.10008.1.2.1")
"""1.2.840.10008.1.2.1: Explicit VR Little Endian."""
EncapsulatedUncompressedExplicitVRLittleEndian = UID("1.2.840.10008.1.2.1.98")
"""1.2.840.10008.1.2.1.98: Encapsulated Uncompressed Explicit VR Little Endian."""
DeflatedExplicitVRLittleEndian = UID("1.2.840.10008.1.2.1.99")
"""1.2.840.10008.1.2.1.99: Deflated Explicit VR Little Endian."""
ExplicitVRBigEndian = UID("1.2.840.10008.1.2.2")
"""1.2.840.10008.1.2.2: Explicit VR Big Endian (retired)."""
JPEGBaseline8Bit = UID("1.2.840.10008.1.2.4.50")
"""1.2.840.10008.1.2.4.50: JPEG Baseline (Process 1)."""
JPEGExtended12Bit = UID("1.2.840.10008.1.2.4.51")
"""1.2.840.10008.1.2.4.51: JPEG Extended (Process 2 & 4)."""
JPEGLossless = UID("1.2.840.10008.1.2.4.57")
"""1.2.840.10008.1.2.4.57: JPEG Lossless, Non-Hierarchical (Process 14)."""
JPEGLosslessSV1 = UID("1.2.840.10008.1.2.4.70")
"""1.2.840.10008.1.2.4.70: JPEG Lossless, Process 14, Selection Value 1."""
JPEGLSLossless = UID("1.2.840.10008.1.2.4.80")
"""1.2.840.10008.1.2.4.80: JPEG-LS Lossless."""
JPEGLSNearLossless = UID("1.2.840.10008.1.2.4.81")
"""1.2.840.10008.1.2.4.81: JPEG-LS Lossy (Near-Lossless)."""
JPEG2000Lossless = UID("1.2.840.10008.1.2.4.90")
"""1.2.840.10008.1.2.4.90: JPEG 2000 (Lossless Only)."""
JPEG2000 = UID("1.2.840.10008.1.2.4.91")
"""1.2.840.10008.1.2.4.91: JPEG 2000."""
JPEG2000MCLossless = UID("1.2.840.10008.1.2.4.92")
"""1.2.840.10008.1.2.4.92: JPEG 2000 Part 2 Multi-component (Lossless Only)."""
JPEG2000MC = UID("1.2.840.10008.1.2.4.93")
"""1.2.840.10008.1.2.4.93: JPEG 2000 Part 2 Multi-component."""
JPIPReferenced = UID("1.2.840.10008.1.2.4.94")
"""1.2.840.10008.1.2.4.94: JPIP Referenced."""
JPIPReferencedDeflate = UID("1.2.840.10008.1.2.4.95")
"""1.2.840.10008.1.2.4.95: JPIP Referenced Deflate."""
MPEG2MPML = UID("1.2.840.10008.1.2.4.100")
"""1.2.840.10008.1.2.4.100: MPEG2 Main Profile / Main Level."""
MPEG2MPMLF = UID("1.2.840.10008.1.2.4.100.1")
"""1.2.840.10008.1.2.4.100.1: Fragmentable MPEG2 Main Profile / Main Level."""
MPEG2MPHL = UID("1.2.840.10008.1.2.4.101")
"""1.2.840.10008.1.2.4.101: MPEG2 Main Profile / High Level."""
MPEG2MPHLF = UID("1.2.840.10008.1.2.4.101.1")
"""1.2.840.10008.1.2.4.101.1: Fragmentable MPEG2 Main Profile / High Level."""
MPEG4HP41 = UID("1.2.840.10008.1.2.4.102")
"""1.2.840.10008.1.2.4.102: MPEG-4 AVC/H.264 High Profile / Level 4.1."""
MPEG4HP41F = UID("1.2.840.10008.1.2.4.102.1")
"""1.2.840.10008.1.2.4.102.1: Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1."""
MPEG4HP41BD = UID("1.2.840.10008.1.2.4.103")
"""1.2.840.10008.1.2.4.103: MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1."""
MPEG4HP41BDF = UID("1.2.840.10008.1.2.4.103.1")
"""1.2.840.10008.1.2.4.103.1: Fragmentable MPEG-4 AVC/H.264 BD-compatible HP / Level 4.1."""
MPEG4HP422D = UID("1.2.840.10008.1.2.4.104")
"""1.2.840.10008.1.2.4.104: MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video."""
MPEG4HP422DF = UID("1.2.840.10008.1.2.4.104.1")
"""1.2.840.10008.1.2.4.104.1: Fragmentable MPEG-4 AVC/H.264 HP / Level 4.2 For 2D Video."""
MPEG4HP423D = UID("1.2.840.10008.1.2.4.105")
"""1.2.840.10008.1.2.4.105: MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video."""
MPEG4HP423DF = UID("1.2.840.10008.1.2.4.105.1")
"""1.2.840.10008.1.2.4.105.1: Fragmentable MPEG-4 AVC/H.264 HP / Level 4.2 For 3D Video."""
MPEG4HP42STEREO = UID("1.2.840.10008.1.2.4.106")
"""1.2.840.10008.1.2.4.106: MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2."""
MPEG4HP42STEREOF = UID("1.2.840.10008.1.2.4.106.1")
"""1.2.840.10008.1.2.4.106.1: Fragmentable MPEG-4 AVC/H.264 Stereo HP / Level 4.2."""
HEVCMP51 = UID("1.2.840.10008.1.2.4.107")
"""1.2.840.10008.1.2.4.107: HEVC/H.265 Main Profile / Level 5.1."""
HEVCM10P51 = UID("1.2.840.10008.1.2.4.108")
"""1.2.840.10008.1.2.4.108: HEVC/H.265 Main 10 Profile / Level 5.1."""
JPEGXLLossless = UID("1.2.840.10008.1.2.4.110")
"""1.2.840.10008.1.2.4.110: JPEG XL Lossless."""
JPEGXLJPEGRecompression = UID("1.2.840.10008.1.2.4.111")
"""1.2.840.10008.1.2.4.111: JPEG XL JPEG Recompression."""
JPEGXL = UID("1.2.840.10008.1.2.4.112")
"""1.2.840.10008.1.2.4.112: JPEG XL."""
HTJ2KLossless = UID("1.2.840.10008.1.2.4.201")
"""1.2.840.10008.1.2.4.201: High-Throughput JPEG 2000 (Lossless Only)."""
HTJ2KLosslessRPCL = UID("1.2.840.10008.1.2.4.202")
"""1.2.840.10008.1.2.4.202: High-Throughput JPEG 2000 with RPCL Options (Lossless Only)."""
HTJ2K = UID("1.2.840.10008.1.2.4.203")
"""1.2.840.10008.1.2.4.203: High-Throughput JPEG 2000."""
JPIPHTJ2KReferenced = UID("1.2.840.10008.1.2.4.204")
"""1.2.840.10008.1.2.4.204: JPIP HTJ2K Referenced."""
JPIPHTJ2KReferencedDeflate = UID("1.2.840.10008.1.2.4.205")
"""1.2.840.10008.1.2.4.205: JPIP HTJ2K Referenced Deflate."""
RLELossless = UID("1.2.840.10008.1.2.5")
"""1.2.840.10008.1.2.5: RLE Lossless."""
SMPTEST211020UncompressedProgressiveActiveVideo = UID("1.2.840.10008.1.2.7.1")
"""1.2.840.10008.1.2.7.1: SMPTE ST 2110-20 Uncompressed Progressive Active Video."""
SMPTEST211020UncompressedInterlacedActiveVideo = UID("1.2.840.10008.1.2.7.2")
"""1.2.840.10008.1.2.7.2: SMPTE ST 2110-20 Uncompressed Interlaced Active Video."""
SMPTEST211030PCMDigitalAudio = UID("1.2.840.10008.1.2.7.3")
"""1.2.840.10008.1.2.7.3: SMPTE ST 2110-30 PCM Digital Audio."""
DeflatedImageFrameCompression = UID("1.2.840.10008.1.2.8.1")
"""1.2.840.10008.1.2.8.1: Deflated Image Frame Compression."""

AllTransferSyntaxes: list[UID] = [UID(row[0]) for row in _STANDARD_ROWS]
"""Every standard transfer syntax (PS3.6 Table A-1), retired ones included."""

UncompressedTransferSyntaxes: list[UID] = [
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
]
"""The transfer syntaxes with native (not encapsulated) pixel data."""

JPEGTransferSyntaxes: list[UID] = [
    JPEGBaseline8Bit,
    JPEGExtended12Bit,
    JPEGLossless,
    JPEGLosslessSV1,
]
"""The JPEG (ISO/IEC 10918-1) transfer syntaxes that are not retired."""

JPEGLSTransferSyntaxes: list[UID] = [JPEGLSLossless, JPEGLSNearLossless]
"""The JPEG-LS (ISO/IEC 14495-1) transfer syntaxes."""

JPEG2000TransferSyntaxes: list[UID] = [
    JPEG2000Lossless,
    JPEG2000,
    JPEG2000MCLossless,
    JPEG2000MC,
    HTJ2KLossless,
    HTJ2KLosslessRPCL,
    HTJ2K,
]
"""The JPEG 2000 (ISO/IEC 15444) transfer syntaxes, High-Throughput JPEG 2000 included."""

JPEGXLTransferSyntaxes: list[UID] = [JPEGXLLossless, JPEGXLJPEGRecompression, JPEGXL]
"""The JPEG XL (ISO/IEC 18181) transfer syntaxes."""

MPEGTransferSyntaxes: list[UID] = [
    MPEG2MPML,
    MPEG2MPMLF,
    MPEG2MPHL,
    MPEG2MPHLF,
    MPEG4HP41,
    MPEG4HP41F,
    MPEG4HP41BD,
    MPEG4HP41BDF,
    MPEG4HP422D,
    MPEG4HP422DF,
    MPEG4HP423D,
    MPEG4HP423DF,
    MPEG4HP42STEREO,
    MPEG4HP42STEREOF,
    HEVCMP51,
    HEVCM10P51,
]
"""The video (MPEG-2, MPEG-4 AVC/H.264 and HEVC/H.265) transfer syntaxes."""

RLETransferSyntaxes: list[UID] = [RLELossless]
"""The RLE transfer syntaxes."""

PrivateTransferSyntaxes: list[UID] = []
"""Private transfer syntaxes added with :func:`register_transfer_syntax`."""
