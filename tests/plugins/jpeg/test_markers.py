"""Header parsing and the colour-space decision of dicodec-jpeg."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

imagecodecs = pytest.importorskip("imagecodecs")
pytest.importorskip("dicodec_jpeg")

from dicodec_jpeg.markers import (  # noqa: E402
    JpegHeader,
    colour_space,
    parse_header,
    repair_sequential_scans,
    reported_photometric,
)

from .ljpeg_oracle import encode_lossless  # noqa: E402

GREY = np.add.outer(np.arange(16), np.arange(24)).astype(np.uint8) * 5


def header(**kw: object) -> JpegHeader:
    base: dict[str, object] = dict(
        sof=0xC0, precision=8, rows=8, columns=8, component_ids=(1, 2, 3), sampling=((1, 1),) * 3
    )
    base.update(kw)
    return JpegHeader(**base)  # type: ignore[arg-type]


class TestParseHeader:
    def test_baseline_greyscale(self) -> None:
        h = parse_header(imagecodecs.jpeg8_encode(GREY, 90))
        assert (h.process, h.precision, h.rows, h.columns) == ("baseline", 8, 16, 24)
        assert h.component_ids == (1,) and h.jfif and h.adobe_transform is None
        assert not h.lossless and h.predictor == 0

    def test_extended_12_bit(self) -> None:
        h = parse_header(imagecodecs.jpeg8_encode(GREY.astype(np.uint16) * 16, 90, bitspersample=12))
        assert (h.process, h.precision, h.sof) == ("extended", 12, 0xC1)

    @pytest.mark.parametrize("predictor", range(1, 8))
    def test_lossless_predictor_and_precision(self, predictor: int) -> None:
        data = imagecodecs.jpeg8_encode(GREY, lossless=True, predictor=predictor, bitspersample=7)
        h = parse_header(data)
        assert h.lossless and h.sof == 0xC3
        assert (h.predictor, h.precision, h.point_transform) == (predictor, 7, 0)

    def test_point_transform_and_restart(self) -> None:
        h = parse_header(encode_lossless(GREY, 8, predictor=4, point_transform=2, restart_rows=3))
        assert (h.predictor, h.point_transform, h.restart_interval) == (4, 2, 3 * 24)

    def test_rgb_ycbcr_sampling(self) -> None:
        rgb = np.stack([GREY, GREY[::-1], 255 - GREY], -1)
        h = parse_header(imagecodecs.jpeg8_encode(rgb, 90, subsampling="422"))
        assert h.sampling == ((2, 1), (1, 1), (1, 1)) and h.subsampled and h.jfif
        h = parse_header(imagecodecs.jpeg8_encode(rgb, 90, outcolorspace="RGB"))
        assert h.component_ids == (82, 71, 66) and h.adobe_transform == 0 and not h.subsampled

    def test_trailing_bytes_ignored(self) -> None:
        data = imagecodecs.jpeg8_encode(GREY, 90)
        assert parse_header(data + b"\x00garbage") == parse_header(data)

    @pytest.mark.parametrize(
        "data, message",
        [
            (b"", "not a JPEG codestream"),
            (b"\x00\x00\x00\x00", "it starts with 00 00"),
            (b"\xff\xd8\xff\xd9", r"ends \(EOI\) before its first scan"),
            (b"\xff\xd8\xff\xdb\x00\x43\x00", "claims 67 bytes"),
            (b"\xff\xd8\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00", "before any frame header"),
            (b"\xff\xd8\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00", "ends before its first scan"),
        ],
    )
    def test_malformed(self, data: bytes, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            parse_header(data)

    def test_extraneous_bytes_between_segments(self) -> None:
        data = imagecodecs.jpeg8_encode(GREY, 90)
        dqt = data.index(b"\xff\xdb")
        padded = parse_header(data[:dqt] + b"\x00" * 100 + data[dqt:])
        assert padded.header_length == parse_header(data).header_length + 100
        assert (padded.rows, padded.columns, padded.component_ids) == (16, 24, (1,))
        with pytest.raises(ValueError, match="no JPEG marker in the 65536 bytes"):
            parse_header(data[:dqt] + b"\x00" * 70000 + data[dqt:])

    def test_bad_frame_header_length(self) -> None:
        data = bytearray(imagecodecs.jpeg8_encode(GREY, 90))
        sof = data.index(b"\xff\xc0")
        data[sof + 9] = 3  # claims three components in a one-component header
        with pytest.raises(ValueError, match="declares 3 components"):
            parse_header(bytes(data))

    @settings(max_examples=200, deadline=None)
    @given(st.binary(max_size=64))
    def test_never_crashes_on_garbage(self, data: bytes) -> None:
        try:
            parse_header(b"\xff\xd8" + data)
        except ValueError:
            pass

    @settings(max_examples=100, deadline=None)
    @given(st.integers(2, 400), st.integers(0, 255))
    def test_truncated_or_mutated_header(self, cut: int, value: int) -> None:
        data = bytearray(imagecodecs.jpeg8_encode(GREY, 90))
        data[cut % 200] = value
        try:
            parse_header(bytes(data[:cut]))
        except ValueError:
            pass


class TestColourSpace:
    def test_single_component_is_grey(self) -> None:
        h = header(component_ids=(1,), sampling=((1, 1),))
        assert colour_space(h, "MONOCHROME1") == "GRAY"
        assert reported_photometric("GRAY", "MONOCHROME1") == "MONOCHROME1"

    @pytest.mark.parametrize(
        "kw, pi, expected",
        [
            ({"adobe_transform": 0}, "YBR_FULL_422", "RGB"),  # the marker wins over the data set
            ({"adobe_transform": 1}, "RGB", "YCbCr"),
            ({"adobe_transform": 2}, "RGB", "YCbCr"),  # as libjpeg reads unknown transforms
            ({"jfif": True}, "RGB", "YCbCr"),
            ({"jfif": True, "adobe_transform": 0}, "YBR_FULL", "RGB"),  # APP14 is more specific
            ({"component_ids": (82, 71, 66)}, "YBR_FULL_422", "RGB"),
            ({"component_ids": (114, 103, 98)}, "YBR_FULL", "RGB"),
            ({}, "RGB", "RGB"),  # no marker: the data set decides
            ({"component_ids": (0, 1, 2)}, "RGB", "RGB"),
            ({"sampling": ((2, 1), (1, 1), (1, 1))}, "RGB", "RGB"),
            ({}, "YBR_FULL", "YCbCr"),
            ({}, "YBR_FULL_422", "YCbCr"),
            ({}, "PALETTE COLOR", "YCbCr"),
        ],
    )
    def test_lossy_rules(self, kw: dict[str, object], pi: str, expected: str) -> None:
        assert colour_space(header(**kw), pi) == expected

    @pytest.mark.parametrize("kw", [{}, {"jfif": True}, {"adobe_transform": 1}, {"component_ids": (82, 71, 66)}])
    def test_lossless_never_transforms(self, kw: dict[str, object]) -> None:
        h = header(sof=0xC3, **kw)
        assert colour_space(h, "RGB") == "RGB"
        assert colour_space(h, "YBR_FULL") == "YCbCr"

    def test_other_component_counts(self) -> None:
        h = header(component_ids=(1, 2, 3, 4), sampling=((1, 1),) * 4)
        assert colour_space(h, "RGB") == "UNKNOWN"

    def test_reported(self) -> None:
        assert reported_photometric("YCbCr", "YBR_FULL_422") == "YBR_FULL"
        assert reported_photometric("RGB", "YBR_FULL") == "RGB"


class TestRepair:
    def _broken(self) -> bytes:
        data = bytearray(imagecodecs.jpeg8_encode(GREY.astype(np.uint16) * 16, 90, bitspersample=12))
        end = parse_header(bytes(data)).header_length
        assert bytes(data[end - 3 : end]) == b"\x00\x3f\x00"
        data[end - 2] = 0  # Se = 0, as the WG04 12-bit files have it
        return bytes(data)

    def test_fixes_spectral_selection_only(self) -> None:
        broken = self._broken()
        fixed = repair_sequential_scans(broken, parse_header(broken))
        assert fixed is not None and len(fixed) == len(broken)
        diff = [i for i in range(len(fixed)) if fixed[i] != broken[i]]
        assert len(diff) == 1 and fixed[diff[0]] == 0x3F
        assert np.array_equal(imagecodecs.jpeg8_decode(fixed), imagecodecs.jpeg8_decode(broken))

    def test_leaves_good_and_lossless_streams(self) -> None:
        good = imagecodecs.jpeg8_encode(GREY, 90)
        assert repair_sequential_scans(good, parse_header(good)) is None
        ll = imagecodecs.jpeg8_encode(GREY, lossless=True)
        assert repair_sequential_scans(ll, parse_header(ll)) is None

    def test_every_scan_of_a_non_interleaved_stream(self) -> None:
        # three single-component scans, each with Se = 0
        good = imagecodecs.jpeg8_encode(np.stack([GREY] * 3, -1), 90, outcolorspace="RGB")
        h = parse_header(good)
        sos = good.index(b"\xff\xda")
        # scan headers only (the repair never looks at entropy-coded data)
        scans = [b"\xff\xda" + struct.pack(">HBBB", 8, 1, cid, 0) + b"\x00\x00\x00" for cid in h.component_ids]
        data = good[:sos] + b"".join(scans) + b"\xff\xd9"
        fixed = repair_sequential_scans(data, parse_header(data))
        assert fixed is not None and fixed.count(b"\x00\x3f\x00") == 3
