"""The Image Pixel description of a data set, checked before anything is allocated.

Examples
--------
>>> from dicodec import Dataset
>>> from dicodec.pixels.description import describe
>>> ds = Dataset(Rows=2, Columns=3, BitsAllocated=16, BitsStored=12, SamplesPerPixel=1,
...              PixelRepresentation=0, PhotometricInterpretation="MONOCHROME2")
>>> ds.add_new(0x7FE00010, "OW", bytes(12))
>>> d = describe(ds, "1.2.840.10008.1.2.1")
>>> d.spec.shape, d.spec.dtype, d.number_of_frames
((2, 3), 'uint16', 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InvalidDicomError, LimitExceeded, UnsupportedTransferSyntaxError
from ..plugins.records import FrameSpec

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Dataset

__all__ = ["PIXEL_KEYWORDS", "PixelDescription", "describe", "transfer_syntax_of"]

PIXEL_KEYWORDS = {0x7FE00010: "PixelData", 0x7FE00008: "FloatPixelData", 0x7FE00009: "DoubleFloatPixelData"}

_NATIVE_BY_ENCODING = {
    (True, True): "1.2.840.10008.1.2",
    (False, True): "1.2.840.10008.1.2.1",
    (False, False): "1.2.840.10008.1.2.2",
}


@dataclass(frozen=True)
class PixelDescription:
    """What the data set says about its pixels.

    Attributes
    ----------
    spec : FrameSpec
        One frame (the same for every frame).
    number_of_frames : int
    pixel_tag : int
        (7FE0,0010), (7FE0,0008) or (7FE0,0009).
    transfer_syntax : str
    encapsulated : bool
        Whether frames are items of encapsulated data.
    extended_offsets, extended_lengths : bytes or None
        (7FE0,0001) and (7FE0,0002) when present.
    """

    spec: FrameSpec
    number_of_frames: int
    pixel_tag: int
    transfer_syntax: str
    encapsulated: bool
    extended_offsets: bytes | None = None
    extended_lengths: bytes | None = None

    @property
    def frame_shape(self) -> tuple[int, ...]:
        """Shape of one decoded frame."""
        return self.spec.shape

    @property
    def array_bytes(self) -> int:
        """Bytes of all decoded frames."""
        return self.number_of_frames * self.spec.decoded_length


def check_allocation(spec: FrameSpec, frames: int) -> None:
    """Refuse (before allocating) an array of ``frames`` frames larger than the configured limit.

    Raises
    ------
    LimitExceeded
        More than ``dicodec.config.settings.max_array_bytes``.
    """
    from ..config import limit_message, settings

    total = spec.decoded_length * frames
    if total > settings.max_array_bytes:
        raise LimitExceeded(
            limit_message(
                f"{frames} frames of {spec.rows}x{spec.columns}x{spec.samples_per_pixel} would take {total} bytes",
                "max_array_bytes",
                settings.max_array_bytes,
            )
            + ", or decode fewer frames at once (index=, indices=, iter_pixels)"
        )


def transfer_syntax_of(ds: Dataset) -> str:
    """The Transfer Syntax UID of a data set: file meta, else how it was read.

    Raises
    ------
    UnsupportedTransferSyntaxError
        Neither is known.
    """
    meta = ds.__dict__.get("file_meta")
    if meta is not None and 0x00020010 in meta._dict:
        value = meta[0x00020010].value
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if value:
            return str(value).strip("\x00 ")
    implicit, little = ds.original_encoding
    if implicit is not None and little is not None:
        pixel = ds._dict.get(0x7FE00010)
        undefined = getattr(pixel, "length", None) == 0xFFFFFFFF or getattr(pixel, "is_undefined_length", False)
        if undefined:
            raise UnsupportedTransferSyntaxError(
                "the Pixel Data is encapsulated but the data set has no Transfer Syntax UID "
                "(set ds.file_meta.TransferSyntaxUID)"
            )
        return _NATIVE_BY_ENCODING[(implicit, little)]
    raise UnsupportedTransferSyntaxError(
        "the transfer syntax is unknown: set ds.file_meta.TransferSyntaxUID"
    )


def _required(ds: Dataset, tag: int, name: str) -> Any:
    if tag not in ds._dict:
        raise InvalidDicomError(f"the Image Pixel module is missing required element {name}", tag=tag)
    value = ds[tag].value
    if value is None or value == "":
        raise InvalidDicomError(f"required element {name} is empty", tag=tag)
    return value


def _int(ds: Dataset, tag: int, name: str, default: int | None = None) -> int:
    if tag not in ds._dict or ds[tag].value in (None, ""):
        if default is None:
            return int(_required(ds, tag, name))
        return default
    value = ds[tag].value
    if isinstance(value, list):
        value = value[0] if value else default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidDicomError(f"{name} has the value {value!r}, which is not an integer", tag=tag) from None


def describe(ds: Dataset, transfer_syntax: str | None = None, pixel_tag: int | None = None) -> PixelDescription:
    """Read and check the Image Pixel elements of ``ds``.

    Raises
    ------
    InvalidDicomError
        A required element is missing or out of range; the message names the tag.
    LimitExceeded
        The decoded array would exceed :data:`dicodec.config.settings` limits.
    """
    from ..config import limit_message, settings
    from ..uid import UID

    if pixel_tag is None:
        pixel_tag = next((t for t in (0x7FE00010, 0x7FE00008, 0x7FE00009) if t in ds._dict), None)
    if pixel_tag is None:
        raise InvalidDicomError("the data set has no Pixel Data, Float Pixel Data or Double Float Pixel Data")
    ts = transfer_syntax or transfer_syntax_of(ds)
    uid = UID(ts)
    if not uid.is_transfer_syntax:
        from ..plugins.registry import ensure_transfer_syntaxes

        ensure_transfer_syntaxes()  # a plugin may declare it
    if not uid.is_transfer_syntax:
        raise UnsupportedTransferSyntaxError(f"{ts} is not a transfer syntax dicodec knows (a plugin may teach it)")
    rows = _int(ds, 0x00280010, "(0028,0010) Rows")
    columns = _int(ds, 0x00280011, "(0028,0011) Columns")
    float_pixels = {0x7FE00008: 32, 0x7FE00009: 64}.get(pixel_tag, 0)
    bits_allocated = _int(ds, 0x00280100, "(0028,0100) Bits Allocated", float_pixels or None)
    bits_stored = _int(ds, 0x00280101, "(0028,0101) Bits Stored", bits_allocated if float_pixels else None)
    samples = _int(ds, 0x00280002, "(0028,0002) Samples per Pixel", 1)
    pixel_rep = _int(ds, 0x00280103, "(0028,0103) Pixel Representation", 0 if float_pixels else None)
    photometric = str(_required(ds, 0x00280004, "(0028,0004) Photometric Interpretation")).strip()
    planar = _int(ds, 0x00280006, "(0028,0006) Planar Configuration", 0) if samples > 1 else 0
    frames = _int(ds, 0x00280008, "(0028,0008) Number of Frames", 1) or 1
    if rows <= 0 or columns <= 0:
        raise InvalidDicomError(f"Rows {rows} and Columns {columns} must be positive", tag=0x00280010)
    if bits_allocated not in (1, 8, 16, 32, 64) and not (bits_allocated % 8 == 0 and 0 < bits_allocated <= 64):
        raise InvalidDicomError(f"Bits Allocated {bits_allocated} is not supported", tag=0x00280100)
    if float_pixels and bits_allocated != float_pixels:
        raise InvalidDicomError(
            f"Bits Allocated {bits_allocated} does not match {PIXEL_KEYWORDS[pixel_tag]}", tag=0x00280100
        )
    if not 1 <= bits_stored <= bits_allocated:
        raise InvalidDicomError(
            f"Bits Stored {bits_stored} must be between 1 and Bits Allocated {bits_allocated}", tag=0x00280101
        )
    if samples not in (1, 2, 3, 4):
        raise InvalidDicomError(f"Samples per Pixel {samples} is not supported", tag=0x00280002)
    if pixel_rep not in (0, 1):
        raise InvalidDicomError(f"Pixel Representation {pixel_rep} must be 0 or 1", tag=0x00280103)
    if planar not in (0, 1):
        raise InvalidDicomError(f"Planar Configuration {planar} must be 0 or 1", tag=0x00280006)
    if frames < 0:
        raise InvalidDicomError(f"Number of Frames {frames} is negative", tag=0x00280008)
    if frames > settings.max_frames:
        raise LimitExceeded(limit_message(f"Number of Frames is {frames}", "max_frames", settings.max_frames))
    spec = FrameSpec(
        rows=rows,
        columns=columns,
        samples_per_pixel=samples,
        bits_allocated=bits_allocated,
        bits_stored=bits_stored,
        pixel_representation=pixel_rep,
        photometric_interpretation=photometric,
        planar_configuration=planar,
        transfer_syntax=str(uid),
        number_of_frames=frames,
        float_pixels=float_pixels,
    )
    if spec.decoded_length > settings.max_frame_bytes:
        raise LimitExceeded(
            limit_message(
                f"one frame of {rows}x{columns}x{samples} would take {spec.decoded_length} bytes",
                "max_frame_bytes",
                settings.max_frame_bytes,
            )
        )
    eot = ds[0x7FE00001].value if 0x7FE00001 in ds._dict else None
    eot_lengths = ds[0x7FE00002].value if 0x7FE00002 in ds._dict else None
    return PixelDescription(
        spec=spec,
        number_of_frames=frames,
        pixel_tag=pixel_tag,
        transfer_syntax=str(uid),
        encapsulated=bool(uid.is_encapsulated),
        extended_offsets=eot or None,
        extended_lengths=eot_lengths or None,
    )
