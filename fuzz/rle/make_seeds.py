"""Seeds for the RLE fuzzers: corpus RLE frames, synthetic and malformed ones.

Usage::

    python fuzz/rle/make_seeds.py [SEED_DIR] [--max-bytes N]   # atheris seeds
    python fuzz/rle/make_seeds.py --driver-records seeds.bin    # driver.c input

Every atheris seed is an input of fuzz_decode.py: the 8-byte geometry prefix
(see :func:`fuzz_decode.prefix`) followed by one RLE frame. Corpus frames come
from ``../shared/corpus`` (those whose decoded size is at most ``--max-bytes``,
default 600 000, to keep executions fast); synthetic frames cover every Bits
Allocated / Samples per Pixel combination, both segment orders.

``--driver-records`` writes the record file of ``driver.c`` instead (see
:func:`driver_records`), which tests/plugins/rle/test_sanitizers.py uses too.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import struct
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from fuzz_decode import BITS, prefix  # noqa: E402

RLE = "1.2.840.10008.1.2.5"
CORPUS = Path(os.environ.get("DICODEC_SHARED", HERE.parents[2] / "shared")) / "corpus"


def corpus_seeds(max_bytes: int, frames_per_file: int = 2) -> list[bytes]:
    """Frames of the corpus RLE files, prefixed with their geometry."""
    import dicodec
    from dicodec import encaps

    manifest = CORPUS / "manifest.csv"
    if not manifest.exists():
        return []
    seeds = []
    with open(manifest, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["transfer_syntax"] != RLE or row["expect"] != "pixels":
                continue
            ds = dicodec.dcmread(CORPUS / "files" / row["relpath"])
            rows, cols = int(ds.Rows), int(ds.Columns)
            spp, bits = int(ds.SamplesPerPixel), int(ds.BitsAllocated)
            if rows * cols * spp * max(bits // 8, 1) > max_bytes or rows > 65535 or cols > 65535:
                continue
            n = int(ds.get("NumberOfFrames", 1) or 1)
            for i, frame in enumerate(encaps.generate_frames(ds.PixelData, number_of_frames=n)):
                if i == frames_per_file:
                    break
                seeds.append(prefix(rows, cols, spp, bits, 0) + bytes(frame))
    return seeds


def synthetic_seeds() -> list[bytes]:
    """Small frames of every Bits Allocated / Samples per Pixel, both segment orders."""
    from dicodec_rle.codec import encode_frame

    rng = np.random.default_rng(7)
    seeds = []
    for bits in BITS:
        for spp in (1, 3):
            if bits == 64 and spp == 3:
                continue
            for rows, cols in ((3, 5), (16, 24)):
                shape = (rows, cols, spp) if spp == 3 else (rows, cols)
                if bits == 1:
                    arr = rng.integers(0, 2, shape, dtype=np.uint8)
                else:
                    arr = (rng.integers(0, 3, shape) * 77).astype(f"u{bits // 8}")
                for flags, order in ((0, ">"), (1, "<")):
                    frame = encode_frame(arr, bits_allocated=bits, rle_segment_order=order)
                    seeds.append(prefix(rows, cols, spp, bits, flags) + frame)
    return seeds


def _record(frame: bytes, rows: int, cols: int, samples: int, bits: int, flags: int = 0) -> bytes:
    return b"RLEF" + struct.pack("<6I", rows, cols, samples, bits, flags, len(frame)) + frame


def driver_records(frames_per_file: int = 2) -> tuple[bytes, int]:
    """The input of driver.c: ``(records, number of valid frames among them)``.

    Each record is ``b"RLEF"``, six little-endian uint32 (rows, columns, samples,
    bits allocated, flags, length) and the frame. Valid frames: the corpus RLE
    frames (``frames_per_file`` per file) and synthetic frames of every Bits
    Allocated / Samples per Pixel in both segment orders; then a few malformed ones.
    """
    from dicodec_rle.codec import encode_frame

    out, valid = [], 0
    for seed in corpus_seeds(1 << 62, frames_per_file):
        rows, cols, s, b, flags, _ = struct.unpack_from("<HHBBBB", seed)
        out.append(_record(seed[8:], rows, cols, 3 if s else 1, BITS[b], flags))
        valid += 1
    rng = np.random.default_rng(2024)
    for bits in BITS:
        for samples in (1, 3):
            if bits == 64 and samples == 3:
                continue
            for rows, cols in ((7, 9), (33, 70)):
                shape = (rows, cols, samples) if samples == 3 else (rows, cols)
                if bits == 1:
                    arr = rng.integers(0, 2, shape, dtype=np.uint8)
                else:
                    arr = (rng.integers(0, 3, shape) * rng.integers(1, 1 << 30)).astype(
                        f"u{bits // 8}"
                    )
                for order, flags in ((">", 0), ("<", 1)):
                    frame = encode_frame(arr, bits_allocated=bits, rle_segment_order=order)
                    out.append(_record(frame, rows, cols, samples, bits, flags))
                    valid += 1
    head = struct.pack("<II", 1, 64) + bytes(56)
    for bad in (
        b"",
        head[:30],
        head,
        head + b"\x7f\x01",
        head + b"\x81",
        struct.pack("<I", 15) + bytes(60),
    ):
        out.append(_record(bad, 4, 4, 1, 8))
    return b"".join(out), valid


def main() -> None:
    """Write the atheris seeds (files named by their sha1) or the driver records."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seed_dir", nargs="?", default="/tmp/dicodec-rle-seeds")
    parser.add_argument("--max-bytes", type=int, default=600_000)
    parser.add_argument(
        "--driver-records", metavar="FILE", help="write driver.c records here instead"
    )
    args = parser.parse_args()
    if args.driver_records:
        data, valid = driver_records()
        Path(args.driver_records).write_bytes(data)
        print(
            f"{valid} valid frames (and a few malformed ones), {len(data)} bytes, in {args.driver_records}"
        )
        return
    out = Path(args.seed_dir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = corpus_seeds(args.max_bytes) + synthetic_seeds()
    for seed in seeds:
        (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    print(f"{len(seeds)} seeds in {out}")


if __name__ == "__main__":
    main()
