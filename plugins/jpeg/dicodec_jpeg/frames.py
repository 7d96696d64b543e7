"""What the libjpeg-turbo and libjpeg decoders share: checking a header against the frame spec.

Examples
--------
>>> from dicodec.plugins.records import FrameSpec
>>> from dicodec_jpeg.frames import produced_sign
>>> produced_sign(FrameSpec(2, 2, pixel_representation=1))
0
"""

from __future__ import annotations

from dicodec.plugins.records import FrameSpec

from .markers import JpegHeader

__all__ = ["check_geometry", "produced_sign"]


def check_geometry(header: JpegHeader, spec: FrameSpec) -> None:
    """Raise ``ValueError`` when the codestream and the data set disagree on the frame.

    Examples
    --------
    >>> from dicodec_jpeg.markers import JpegHeader
    >>> check_geometry(JpegHeader(0xC0, 8, 8, 9, (1,), ((1, 1),)), FrameSpec(8, 8, bits_allocated=8))
    Traceback (most recent call last):
    ...
    ValueError: the JPEG frame is 8 x 9 (rows x columns) with 1 component(s); the data set describes 8 x 8 with 1 sample(s) per pixel
    """
    if header.rows == 0:
        # a height defined later by a DNL marker: no DICOM encoder writes it, and a
        # decoder given one grows its buffers line by line (pylibjpeg-libjpeg reached
        # 3 GB on a 199-byte fuzzed stream), so it is refused before any library runs
        raise ValueError("the JPEG frame header declares 0 rows (height from a DNL marker): not supported")
    if any(not (1 <= h <= 4 and 1 <= v <= 4) for h, v in header.sampling):
        raise ValueError(f"the JPEG frame header declares impossible sampling factors {header.sampling}")
    if (
        header.columns != spec.columns
        or header.rows != spec.rows
        or header.components != spec.samples_per_pixel
    ):
        raise ValueError(
            f"the JPEG frame is {header.rows} x {header.columns} (rows x columns) with "
            f"{header.components} component(s); the data set describes {spec.rows} x "
            f"{spec.columns} with {spec.samples_per_pixel} sample(s) per pixel"
        )
    if header.precision > spec.itemsize * 8:
        raise ValueError(
            f"the JPEG samples have {header.precision} bits of precision, more than Bits "
            f"Allocated {spec.bits_allocated} holds"
        )


def produced_sign(spec: FrameSpec) -> int | None:
    """The ``DecodedFrame.pixel_representation`` to report: JPEG samples are unsigned.

    For signed data this is 0, so dicodec reinterprets the samples as two's
    complement numbers of Bits Stored bits. For unsigned data it is ``None``
    ("as specified"): the values stay as decoded, and a lossy decode that
    overshoots Bits Stored (a 10-bit image in a 12-bit process) is not wrapped
    round by masking, as libjpeg-turbo and the reference decodings return it.

    Examples
    --------
    >>> produced_sign(FrameSpec(1, 1, pixel_representation=1)), produced_sign(FrameSpec(1, 1))
    (0, None)
    """
    return 0 if spec.pixel_representation else None
