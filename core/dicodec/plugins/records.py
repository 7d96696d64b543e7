"""The records plugins hand to the core, and the frame-level contract of codecs.

Hooks *declare*: they return these records and the core decides what to run.

Examples
--------
>>> from dicodec.plugins.records import CodecSpec, Capabilities
>>> spec = CodecSpec(
...     name="demo.copy",
...     transfer_syntaxes=("1.2.840.10008.1.2.1.98",),
...     decode="mypackage.codec:decode",
...     capabilities=Capabilities(bits_allocated=frozenset({8, 16}), releases_gil=True),
... )
>>> spec.can_decode
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = [
    "BulkDataSpec",
    "Capabilities",
    "CodecSpec",
    "DecodedFrame",
    "EncodedFrame",
    "FrameSpec",
    "TransferSyntaxSpec",
]


@dataclass(frozen=True)
class FrameSpec:
    """An immutable description of one frame, as the data set declares it.

    Attributes
    ----------
    rows, columns, samples_per_pixel : int
        Frame geometry.
    bits_allocated, bits_stored : int
        Container and significant bits per sample.
    pixel_representation : int
        0 unsigned, 1 two's complement signed.
    photometric_interpretation : str
        As in (0028,0004), e.g. ``"MONOCHROME2"``, ``"YBR_FULL_422"``.
    planar_configuration : int
        0 colour-by-pixel, 1 colour-by-plane (native data).
    transfer_syntax : str
        The Transfer Syntax UID of the encoded data.
    number_of_frames : int
        Frames in the whole Pixel Data. The same FrameSpec describes every frame;
        the core names the frame index in errors.
    float_pixels : int
        0 for integer Pixel Data, 32 or 64 for Float / Double Float Pixel Data.
    as_rgb : bool
        Set on the spec handed to a decoder when the caller wants YCbCr
        (``YBR_FULL``, ``YBR_FULL_422``) returned as RGB. A codec whose library
        converts while decoding may then do so and report ``"RGB"``; any other codec
        ignores it, reports what it produced, and the core converts.
    """

    rows: int
    columns: int
    samples_per_pixel: int = 1
    bits_allocated: int = 16
    bits_stored: int = 16
    pixel_representation: int = 0
    photometric_interpretation: str = "MONOCHROME2"
    planar_configuration: int = 0
    transfer_syntax: str = "1.2.840.10008.1.2.1"
    number_of_frames: int = 1
    float_pixels: int = 0
    as_rgb: bool = False

    @property
    def dtype(self) -> str:
        """numpy dtype string of a decoded sample, e.g. ``'int16'``.

        1-bit data decodes to ``uint8``; floats to ``float32`` / ``float64``. Native
        Explicit VR Big Endian data keeps its byte order (``'>u2'``), as pydicom
        returns it: no byte swapping, and the values are the same.
        """
        if self.float_pixels:
            name = "float32" if self.float_pixels == 32 else "float64"
            size = self.float_pixels // 8
        elif self.bits_allocated == 1:
            return "uint8"
        else:
            size = 8 if self.bits_allocated > 32 else 4 if self.bits_allocated > 16 else 2 if self.bits_allocated > 8 else 1
            name = ("int" if self.pixel_representation else "uint") + str(size * 8)
        if size > 1 and self.transfer_syntax == "1.2.840.10008.1.2.2":
            return ">" + ("f" if self.float_pixels else "i" if self.pixel_representation else "u") + str(size)
        return name

    @property
    def itemsize(self) -> int:
        """Bytes per decoded sample."""
        if self.float_pixels:
            return self.float_pixels // 8
        if self.bits_allocated == 1:
            return 1
        return 8 if self.bits_allocated > 32 else 4 if self.bits_allocated > 16 else 2 if self.bits_allocated > 8 else 1

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of one decoded frame: ``(rows, columns)`` or ``(rows, columns, samples)``."""
        if self.samples_per_pixel == 1:
            return (self.rows, self.columns)
        return (self.rows, self.columns, self.samples_per_pixel)

    @property
    def pixels(self) -> int:
        """Samples in one frame."""
        return self.rows * self.columns * self.samples_per_pixel

    @property
    def decoded_length(self) -> int:
        """Bytes of one decoded frame."""
        return self.pixels * self.itemsize

    @property
    def native_length(self) -> int:
        """Bytes of one frame in native (uncompressed) Pixel Data, without padding.

        For 1-bit data this is a fractional-byte count rounded up for one frame;
        YBR_FULL_422 native data holds two samples per pixel (PS3.3 C.7.6.3.1.2).
        """
        if self.bits_allocated == 1:
            return (self.pixels + 7) // 8
        samples = self.pixels
        if self.photometric_interpretation == "YBR_FULL_422" and self.samples_per_pixel == 3:
            samples = self.rows * self.columns * 2
        return samples * (self.bits_allocated // 8)

    def replace(self, **changes: Any) -> FrameSpec:
        """A copy with some fields changed."""
        from dataclasses import replace

        return replace(self, **changes)


@dataclass
class DecodedFrame:
    """What a decoder actually produced.

    The core compares it with the :class:`FrameSpec` and applies corrections in
    one place (signedness, unused bits, colour space, planar configuration).

    Attributes
    ----------
    array : numpy.ndarray
        The frame: ``(rows, columns)`` or ``(rows, columns, samples)``; the decoder
        should write into the ``out`` array it was given when there was one and
        return it here.
    photometric_interpretation : str
        The colour space of ``array`` (e.g. ``"RGB"`` when the codec converted YCbCr).
    planar_configuration : int
        0 if samples are interleaved in ``array`` (the shape above), 1 if ``array``
        holds ``(samples, rows, columns)``.
    pixel_representation : int or None
        Signedness of the values in ``array`` when it differs from the data set's
        (JPEG-LS and some JPEG 2000 streams carry no sign); ``None`` = as specified.
    bits_stored : int or None
        Precision of the values in ``array`` as the codestream declares it, when the
        codec knows it. When ``pixel_representation`` differs from the data set's,
        the core reinterprets the values at this precision (two's complement in
        ``bits_stored`` bits) before keeping them to the data set's Bits Stored, so
        return the codestream's precision here, not the data set's.
    """

    array: np.ndarray
    photometric_interpretation: str
    planar_configuration: int = 0
    pixel_representation: int | None = None
    bits_stored: int | None = None


@dataclass
class EncodedFrame:
    """An encoded frame and the data set changes the caller must apply.

    Attributes
    ----------
    data : bytes, bytearray or memoryview
        The codestream of one frame (not yet itemised).
    changes : Mapping[str, Any]
        Keyword → new value for the data set, e.g.
        ``{"PhotometricInterpretation": "YBR_ICT", "LossyImageCompression": "01"}``.
    """

    data: bytes | bytearray | memoryview
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Capabilities:
    """What a codec accepts; ``None`` means no restriction.

    Attributes
    ----------
    bits_allocated : frozenset of int or None
    bits_stored : tuple (low, high) or None
        Inclusive range of Bits Stored.
    samples_per_pixel : frozenset of int or None
    photometric_interpretations : frozenset of str or None
    signed : bool
        Whether signed (Pixel Representation 1) data is accepted.
    planar_configurations : frozenset of int or None
    lossy : bool
        Whether encoding loses information.
    releases_gil : bool
        The decode/encode call releases the GIL, so frames can run in parallel threads.
    thread_safe : bool
        The call may run concurrently in several threads.
    """

    bits_allocated: frozenset[int] | None = None
    bits_stored: tuple[int, int] | None = None
    samples_per_pixel: frozenset[int] | None = None
    photometric_interpretations: frozenset[str] | None = None
    signed: bool = True
    planar_configurations: frozenset[int] | None = None
    lossy: bool = False
    releases_gil: bool = False
    thread_safe: bool = True

    def refusal(self, spec: FrameSpec) -> str | None:
        """Why this codec cannot take ``spec``, or ``None`` if it can.

        Examples
        --------
        >>> Capabilities(bits_allocated=frozenset({8})).refusal(FrameSpec(2, 2, bits_allocated=16))
        'Bits Allocated 16 is not one of [8]'
        """
        if self.bits_allocated is not None and spec.bits_allocated not in self.bits_allocated:
            return f"Bits Allocated {spec.bits_allocated} is not one of {sorted(self.bits_allocated)}"
        if self.bits_stored is not None and not self.bits_stored[0] <= spec.bits_stored <= self.bits_stored[1]:
            return f"Bits Stored {spec.bits_stored} is outside {self.bits_stored[0]}-{self.bits_stored[1]}"
        if self.samples_per_pixel is not None and spec.samples_per_pixel not in self.samples_per_pixel:
            return f"Samples per Pixel {spec.samples_per_pixel} is not one of {sorted(self.samples_per_pixel)}"
        if (
            self.photometric_interpretations is not None
            and spec.photometric_interpretation not in self.photometric_interpretations
        ):
            return f"Photometric Interpretation {spec.photometric_interpretation} is not supported"
        if not self.signed and spec.pixel_representation == 1:
            return "signed data is not supported"
        if self.planar_configurations is not None and spec.planar_configuration not in self.planar_configurations:
            return f"Planar Configuration {spec.planar_configuration} is not supported"
        return None


Reference = str | Callable[..., Any]
"""A codec function: a callable, or a lazy ``"package.module:function"`` string."""


@dataclass(frozen=True)
class CodecSpec:
    """A codec, as declared by a plugin's ``dicodec_codecs()`` hook.

    Attributes
    ----------
    name : str
        Unique, dotted by convention: ``"<plugin>.<backend>"`` (e.g. ``"jpeg2k.openjpeg"``).
    transfer_syntaxes : tuple of str
        The Transfer Syntax UIDs it serves.
    decode, encode : str or callable or None
        Frame functions (see :mod:`dicodec.plugins.hookspecs`): lazy
        ``"module:function"`` strings are imported on first use only.
    requires : tuple of str
        Import names or distribution names the codec needs; checked with
        :func:`importlib.util.find_spec` / package metadata, never by importing.
    capabilities : Capabilities
        What the decoder accepts.
    encode_capabilities : Capabilities or None
        What the encoder accepts (default: same as ``capabilities``).
    priority : int
        Higher wins when nothing else decides (default 50).
    install_hint : str
        What to install when a requirement is missing, e.g.
        ``"pip install dicodec-jpeg2k[openjpeg]"``.
    description : str
        One line for ``dicodec plugins``.
    options : Mapping[str, str]
        Codec options accepted (name → meaning), shown in reports.
    encode_transfer_syntaxes : tuple of str or None
        The syntaxes ``encode`` serves when they are fewer than ``transfer_syntaxes``
        (a library that decodes HTJ2K but encodes only JPEG 2000); ``None`` = all.
    """

    name: str
    transfer_syntaxes: tuple[str, ...]
    decode: Reference | None = None
    encode: Reference | None = None
    requires: tuple[str, ...] = ()
    capabilities: Capabilities = field(default_factory=Capabilities)
    encode_capabilities: Capabilities | None = None
    priority: int = 50
    install_hint: str = ""
    description: str = ""
    options: Mapping[str, str] = field(default_factory=dict)
    encode_transfer_syntaxes: tuple[str, ...] | None = None

    @property
    def can_decode(self) -> bool:
        """Whether a decode function is declared."""
        return self.decode is not None

    @property
    def can_encode(self) -> bool:
        """Whether an encode function is declared."""
        return self.encode is not None

    def serves(self, transfer_syntax: str, purpose: str) -> bool:
        """Whether this codec decodes (``purpose="decode"``) or encodes ``transfer_syntax``."""
        if purpose == "decode":
            return self.can_decode and transfer_syntax in self.transfer_syntaxes
        syntaxes = self.encode_transfer_syntaxes if self.encode_transfer_syntaxes is not None else self.transfer_syntaxes
        return self.can_encode and transfer_syntax in syntaxes


@dataclass(frozen=True)
class TransferSyntaxSpec:
    """A transfer syntax a plugin teaches the core (private UIDs, new standard ones).

    Examples
    --------
    >>> TransferSyntaxSpec("1.2.3.4.5.6", "Acme Compressed", keyword="AcmeCompressed").encapsulated
    True
    """

    uid: str
    name: str
    keyword: str = ""
    implicit_vr: bool = False
    little_endian: bool = True
    deflated: bool = False
    encapsulated: bool = True
    lossy: bool = False


@dataclass(frozen=True)
class BulkDataSpec:
    """A handler for non-pixel bulk data (overlays, waveforms, ...).

    Attributes
    ----------
    name : str
        Unique handler name, e.g. ``"overlay.numpy"``.
    kind : str
        What it handles: ``"overlay"``, ``"waveform"``, or a new kind.
    function : str or callable
        The handler, e.g. ``get_overlay_array(ds, group)``; lazy reference allowed.
    requires : tuple of str
        As for :class:`CodecSpec`.
    priority : int
        Higher wins.
    """

    name: str
    kind: str
    function: Reference
    requires: tuple[str, ...] = ()
    priority: int = 50
    description: str = ""
