"""FrameReader vs pydicom's get_frame loop on a 3,000-frame encapsulated file without a BOT.

Run: ``python tests/benchmarks/bench_framereader.py`` (needs pydicom for the comparison).
Both sides read the same 200 random frames' encoded bytes; pydicom's ``get_frame``
walks the fragments from the start on every call, FrameReader scans the item headers
once. Medians of paired rounds; the ratio is the median of per-round ratios.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time

import numpy as np

import dicodec
from dicodec import encaps, examples
from dicodec.framereader import FrameReader

FRAMES = 3000
PICKS = 200
ROUNDS = 7


def make_file(folder: str) -> str:
    ds = examples.multiframe
    ds.NumberOfFrames = FRAMES
    rng = np.random.default_rng(3)
    size = ds.Rows * ds.Columns * 2
    frames = [rng.integers(0, 4096, size // 2, dtype="<u2").tobytes() for _ in range(FRAMES)]
    ds.PixelData = encaps.encapsulate(frames, has_bot=False)
    ds[0x7FE00010].VR = "OB"
    ds[0x7FE00010].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1.98"  # Encapsulated Uncompressed
    path = os.path.join(folder, "botless_3000.dcm")
    ds.save_as(path, enforce_file_format=True)
    return path


def run() -> None:
    import pydicom
    from pydicom.encaps import get_frame

    with tempfile.TemporaryDirectory() as folder:
        path = make_file(folder)
        picks = random.Random(7).sample(range(FRAMES), PICKS)
        pds = pydicom.dcmread(path)
        value = pds.PixelData

        def ours() -> list[bytes]:
            with FrameReader(path) as reader:
                return [reader.read_frame_raw(i) for i in picks]

        def theirs() -> list[bytes]:
            return [get_frame(value, i, number_of_frames=FRAMES) for i in picks]

        assert ours() == theirs(), "the two disagree on frame contents"
        t_ours, t_theirs, ratios = [], [], []
        for r in range(ROUNDS):
            order = [ours, theirs] if r % 2 == 0 else [theirs, ours]
            times = {}
            for fn in order:
                t0 = time.perf_counter()
                fn()
                times[fn] = time.perf_counter() - t0
            t_ours.append(times[ours])
            t_theirs.append(times[theirs])
            ratios.append(times[theirs] / times[ours])
        print(f"dicodec {dicodec.__version__}, pydicom {pydicom.__version__}, {FRAMES} frames, {PICKS} random reads")
        print(f"FrameReader (open + header scan + {PICKS} reads): {statistics.median(t_ours) * 1e3:8.2f} ms")
        print(f"pydicom get_frame loop (data already in memory):  {statistics.median(t_theirs) * 1e3:8.2f} ms")
        print(f"speed-up (median of paired ratios): {statistics.median(ratios):.1f}x  (goal >= 20x)")


if __name__ == "__main__":
    sys.exit(run())
