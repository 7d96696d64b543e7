"""JPEG 2000 / HTJ2K decoding speed: dicodec-jpeg2k vs pydicom 3 and the raw libraries.

Workloads are the shared harness's files (``/tmp/dcmbench-data``, override with
``$DCMBENCH_DATA``): ``mf/htj2k.dcm`` and ``mf/j2k.dcm`` are 200 frames of 512 × 512
int16 (HTJ2K Lossless, JPEG 2000 Lossless); ``mf/j2k_lossy.dcm`` is the lossy J2K
volume; ``rgb/*.dcm`` 30 frames of 480 × 640 × 3.

Sections (``--sections``, comma separated, default all):

``htj2k``
    HTJ2K Lossless, whole file, from a path (as the shared harness measures pydicom's
    140 MB/s) and from a data set in memory: pydicom ``pixel_array`` (pylibjpeg),
    dicodec ``pixel_array`` with the default workers and with ``workers=1``, and
    OpenJPH called directly on pre-extracted frames (single thread).
    Target: dicodec ≥ 2.5 × pydicom.
``j2k``
    JPEG 2000 Lossless, whole file from memory: pydicom with GDCM and with pylibjpeg,
    dicodec with ``workers=2`` and ``workers=1``, raw OpenJPEG (1 thread).
    Target: dicodec ``workers=2`` ≥ 1.8 × pydicom's best plugin.
``overhead``
    Framework overhead on 512 × 512 frames: time per frame of
    ``get_decoder(ts).as_array(ds, index=i)`` (interleaved frame by frame with the
    codec call, and in blocks), of ``as_array(ds, indices, workers=1)`` and of the
    same into a given ``out`` against the codec call alone on the same frames.
    Measured as CPU time of the calling thread (every call is single-threaded
    here), so other processes on the machine do not count. Target: ≤ 3 % of the
    codec's own time.
``priorities``
    ``jpeg2k.imagecodecs`` (one thread, and ``workers=2``) vs ``jpeg2k.openjpeg`` per syntax group:
    JPEG 2000 lossless / lossy, HTJ2K lossless, HTJ2K lossy, grey and RGB. This is
    what the default priorities are set from.

Method: contenders of one cell run round-robin (the order rotates every round);
MB/s (10^6 bytes of decoded pixels per second) is the median over rounds, with
min-max; ratios are medians of per-round paired ratios, so machine drift cancels.
The machine is shared: read the ranges, rerun when they are wide. CPU ms/call is
the process's CPU time: a ``workers=2`` call that costs as much CPU as the
``workers=1`` call but does not halve the wall time found no free core.

Examples
--------
From the repository root, with the dev environment::

    python tests/benchmarks/bench_jpeg2k.py                      # everything, ~4 min
    python tests/benchmarks/bench_jpeg2k.py --sections htj2k,overhead --rounds 9
    python tests/benchmarks/bench_jpeg2k.py --json /tmp/j2k.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import dicodec
from dicodec.encaps import generate_frames
from dicodec.pixels import get_decoder, pixel_array

DATA = Path(os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data"))
HTJ2K_LOSSY = "1.2.840.10008.1.2.4.203"
FRAME = (512, 512)

Timed = Callable[[], Any]


def rounds_of(
    contenders: dict[str, Timed], rounds: int, nbytes: int, warm: bool = True, clock: Callable[[], float] = time.perf_counter
) -> dict[str, list[float]]:
    """Seconds per call of each contender, round-robin, first call discarded."""
    names = list(contenders)
    if warm:
        for name in names:
            contenders[name]()
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            c0 = time.process_time()
            t0 = clock()
            contenders[name]()
            times[name].append(clock() - t0)
            CPU.setdefault(name, []).append(time.process_time() - c0)
    return times


CPU: dict[str, list[float]] = {}
"""Process CPU seconds of every timed call, by contender (for the cpu/wall column)."""


def summarise(title: str, times: dict[str, list[float]], nbytes: int, baseline: str | None = None) -> dict[str, Any]:
    print(f"\n### {title}\n")
    print("| contender | MB/s median (min-max) | ms/call | CPU ms/call | cpu/wall | ratio vs " + (baseline or "-") + " (paired) |")
    print("|---|---|---|---|---|---|")
    out: dict[str, Any] = {}
    for name, ts in times.items():
        mbs = [nbytes / t / 1e6 for t in ts]
        ratio = None
        if baseline and baseline in times and name != baseline:
            ratio = statistics.median(b / t for b, t in zip(times[baseline], ts, strict=True))
        out[name] = {"mbs": statistics.median(mbs), "min": min(mbs), "max": max(mbs), "ratio": ratio, "samples": ts}
        ratio_s = f"{ratio:.2f}" if ratio is not None else ""
        cpu = statistics.median(CPU.get(name, ts)[-len(ts) :])
        wall = statistics.median(ts)
        out[name]["cpu"] = cpu
        print(
            f"| {name} | {statistics.median(mbs):,.0f} ({min(mbs):,.0f}-{max(mbs):,.0f}) | {wall * 1e3:,.1f} "
            f"| {cpu * 1e3:,.1f} | {cpu / wall:.2f} | {ratio_s} |"
        )
    return out


def load(path: Path) -> tuple[Any, Any, list[bytes]]:
    """(dicodec data set, pydicom data set, frames) with everything in memory."""
    import pydicom

    raw = path.read_bytes()
    ds = dicodec.dcmread(io.BytesIO(raw))
    pds = pydicom.dcmread(io.BytesIO(raw))
    frames = list(generate_frames(ds.PixelData, number_of_frames=int(ds.get("NumberOfFrames", 1) or 1)))
    return ds, pds, frames


def pydicom_array(pds: Any, plugin: str | None = None) -> Timed:
    from pydicom.pixels import pixel_array as pd_pixel_array

    def run() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if plugin:
                return pd_pixel_array(pds, decoding_plugin=plugin)
            return pd_pixel_array(pds)

    return run


def section_htj2k(args: argparse.Namespace) -> dict[str, Any]:
    import imagecodecs

    ds, pds, frames = load(DATA / "mf" / "htj2k.dcm")
    ref = pixel_array(ds)
    out = np.empty_like(ref)

    def raw() -> None:
        for k, f in enumerate(frames):
            imagecodecs.htj2k_decode(f, out=out[k])

    path = str(DATA / "mf" / "htj2k.dcm")
    from pydicom.pixels import pixel_array as pd_pixel_array

    contenders = {
        "pydicom pixel_array(ds) (pylibjpeg)": pydicom_array(pds),
        "pydicom pixel_array(path) (pylibjpeg)": lambda: pd_pixel_array(path),
        "dicodec pixel_array(ds) (default workers)": lambda: pixel_array(ds),
        "dicodec pixel_array(path) (default workers)": lambda: pixel_array(path),
        "dicodec pixel_array(ds) workers=1": lambda: pixel_array(ds, workers=1),
        "raw imagecodecs.htj2k_decode (OpenJPH, 1 thread)": raw,
    }
    assert np.array_equal(contenders["dicodec pixel_array(path) (default workers)"](), ref)
    times = rounds_of(contenders, args.rounds, ref.nbytes)
    res = summarise("mf HTJ2K Lossless, 200 × 512 × 512 int16 (target: dicodec ≥ 2.5 × pydicom)", times, ref.nbytes, "pydicom pixel_array(path) (pylibjpeg)")
    for a, b in (("dicodec pixel_array(ds) (default workers)", "pydicom pixel_array(ds) (pylibjpeg)"),
                 ("dicodec pixel_array(path) (default workers)", "pydicom pixel_array(path) (pylibjpeg)")):
        ratio = statistics.median(x / y for x, y in zip(times[b], times[a], strict=True))
        print(f"{a} ÷ {b}: {ratio:.2f} (paired)")
        res[f"{a} vs {b}"] = ratio
    return res


def section_j2k(args: argparse.Namespace) -> dict[str, Any]:
    import imagecodecs

    ds, pds, frames = load(DATA / "mf" / "j2k.dcm")
    ref = pixel_array(ds, workers=2)
    out = np.empty_like(ref)

    def raw() -> None:
        for k, f in enumerate(frames):
            imagecodecs.jpeg2k_decode(f, numthreads=1, out=out[k])

    contenders = {
        "pydicom pixel_array (gdcm)": pydicom_array(pds, "gdcm"),
        "pydicom pixel_array (pylibjpeg)": pydicom_array(pds, "pylibjpeg"),
        "dicodec pixel_array workers=2": lambda: pixel_array(ds, workers=2),
        "dicodec pixel_array workers=1": lambda: pixel_array(ds, workers=1),
        "raw imagecodecs.jpeg2k_decode (OpenJPEG, 1 thread)": raw,
    }
    rounds = max(2, args.rounds // 2)
    times = rounds_of(contenders, rounds, ref.nbytes, warm=False)
    res = summarise("mf JPEG 2000 Lossless, 200 × 512 × 512 int16 (target: workers=2 ≥ 1.8 × pydicom's best)", times, ref.nbytes, "pydicom pixel_array (gdcm)")
    best = max(("pydicom pixel_array (gdcm)", "pydicom pixel_array (pylibjpeg)"), key=lambda n: res[n]["mbs"])
    ratio = statistics.median(
        b / t for b, t in zip(times[best], times["dicodec pixel_array workers=2"], strict=True)
    )
    print(f"\ndicodec workers=2 ÷ pydicom's best ({best}): {ratio:.2f} (paired)")
    res["vs_best"] = {"best": best, "ratio": ratio}
    return res


def section_overhead(args: argparse.Namespace) -> dict[str, Any]:
    import imagecodecs

    results: dict[str, Any] = {}
    for name, ts_file, call in (
        ("HTJ2K", "htj2k.dcm", lambda f, o: imagecodecs.htj2k_decode(f, out=o)),
        ("JPEG 2000", "j2k.dcm", lambda f, o: imagecodecs.jpeg2k_decode(f, numthreads=1, out=o)),
    ):
        ds, _, frames = load(DATA / "mf" / ts_file)
        n = args.frames if name == "HTJ2K" else max(4, args.frames // 8)
        frames = frames[:n]
        decoder = get_decoder(ds.file_meta.TransferSyntaxUID)
        touched = np.zeros((n, *FRAME), np.int16)  # pre-touched: no page faults in either contender

        def raw_new_frame(frames: list[bytes] = frames, call: Any = call) -> None:
            for f in frames:
                call(f, np.empty(FRAME, np.int16))

        def dicodec_index(decoder: Any = decoder, ds: Any = ds, n: int = n) -> None:
            for i in range(n):
                decoder.as_array(ds, index=i, j2k_threads=1)

        def raw_new_array(frames: list[bytes] = frames, call: Any = call, n: int = n) -> None:
            out = np.empty((n, *FRAME), np.int16)
            for k, f in enumerate(frames):
                call(f, out[k])

        def dicodec_whole(decoder: Any = decoder, ds: Any = ds, n: int = n) -> None:
            decoder.as_array(ds, indices=range(n), workers=1, j2k_threads=1)

        def raw_into(frames: list[bytes] = frames, call: Any = call, out: np.ndarray = touched) -> None:
            for k, f in enumerate(frames):
                call(f, out[k])

        def dicodec_into(decoder: Any = decoder, ds: Any = ds, n: int = n, out: np.ndarray = touched) -> None:
            decoder.as_array(ds, indices=range(n), workers=1, out=out, j2k_threads=1)

        nbytes = n * 512 * 512 * 2
        # per frame, interleaved (A B, B A, ...): drift between the two cancels best.
        # Everything here runs in this thread (workers=1, j2k_threads=1), so CPU time
        # of the thread is measured: other processes on the shared machine do not count.
        pc = time.thread_time
        ratios: list[float] = []
        diffs: list[float] = []
        for r in range(args.rounds):
            raw_t = ours_t = 0.0
            for i, f in enumerate(frames):
                first_raw = (i + r) % 2 == 0
                for which in ((0, 1) if first_raw else (1, 0)):
                    t0 = pc()
                    if which == 0:
                        call(f, np.empty(FRAME, np.int16))
                    else:
                        decoder.as_array(ds, index=i, j2k_threads=1)
                    dt = pc() - t0
                    if which == 0:
                        raw_t += dt
                    else:
                        ours_t += dt
            ratios.append(ours_t / raw_t)
            diffs.append((ours_t - raw_t) / n * 1e6)
        print(f"\n### framework overhead, {name} 512 × 512 int16 ({n} frames, paired against the codec alone)\n")
        print("| path | codec alone µs/frame (CPU) | dicodec µs/frame (CPU) | time ratio (paired median) | overhead µs/frame |")
        print("|---|---|---|---|---|")
        interleaved = statistics.median(ratios)
        print(f"| as_array(ds, index=i) vs codec, interleaved frame by frame | | | {interleaved:.3f} ({100 * (interleaved - 1):+.1f} %) | {statistics.median(diffs):+,.0f} |")
        results[name] = {"interleaved": {"ratio": interleaved, "overhead_us": statistics.median(diffs)}}
        pairs = {
            "as_array(ds, index=i): a new array per frame": (raw_new_frame, dicodec_index),
            "as_array(ds, indices, workers=1): one new array": (raw_new_array, dicodec_whole),
            "as_array(ds, indices, workers=1, out=...): pre-touched array": (raw_into, dicodec_into),
        }
        for label, (raw_fn, ours) in pairs.items():
            t = rounds_of({"raw": raw_fn, "dicodec": ours}, args.rounds * 2, nbytes, clock=time.thread_time)
            ratio = statistics.median(a / b for a, b in zip(t["dicodec"], t["raw"], strict=True))
            raw_us = statistics.median(t["raw"]) / n * 1e6
            ours_us = statistics.median(t["dicodec"]) / n * 1e6
            diff_us = statistics.median(a - b for a, b in zip(t["dicodec"], t["raw"], strict=True)) / n * 1e6
            print(f"| {label} | {raw_us:,.0f} | {ours_us:,.0f} | {ratio:.3f} ({100 * (ratio - 1):+.1f} %) | {diff_us:+,.0f} |")
            results[name][label] = {"ratio": ratio, "raw_us": raw_us, "dicodec_us": ours_us, "overhead_us": diff_us}
    return results


def section_priorities(args: argparse.Namespace) -> dict[str, Any]:
    cells: list[tuple[str, Any, int]] = []
    for group, file_ in (("mf", "j2k.dcm"), ("mf", "j2k_lossy.dcm"), ("mf", "htj2k.dcm"), ("rgb", "j2k.dcm"), ("rgb", "htj2k.dcm")):
        path = DATA / group / file_
        if path.exists():
            ds = dicodec.dcmread(path)
            n = 8 if "j2k" in file_ and "ht" not in file_ else 40
            n = min(n, int(ds.get("NumberOfFrames", 1) or 1))
            cells.append((f"{group}/{file_}", ds, n))
    mf = dicodec.dcmread(DATA / "mf" / "native.dcm")
    cells.append(("mf HTJ2K lossy (j2k_cr=10, 20 frames)", _htj2k_lossy_subset(mf, 20), 20))
    rgb = dicodec.dcmread(DATA / "rgb" / "native.dcm")
    cells.append(("rgb HTJ2K lossy (j2k_cr=10, 10 frames)", _htj2k_lossy_subset(rgb, 10), 10))
    results: dict[str, Any] = {}
    for title, ds, n in cells:
        ts = ds.file_meta.TransferSyntaxUID
        decoder = get_decoder(ts)
        nbytes = n * int(ds.Rows) * int(ds.Columns) * int(ds.SamplesPerPixel) * (2 if int(ds.BitsAllocated) > 8 else 1)
        contenders = {
            "jpeg2k.imagecodecs (1 thread)": lambda decoder=decoder, ds=ds, n=n: decoder.as_array(
                ds, indices=range(n), workers=1, decoding_plugin="jpeg2k.imagecodecs", j2k_threads=1
            ),
            "jpeg2k.imagecodecs (workers=2)": lambda decoder=decoder, ds=ds, n=n: decoder.as_array(
                ds, indices=range(n), workers=2, decoding_plugin="jpeg2k.imagecodecs"
            ),
            "jpeg2k.openjpeg": lambda decoder=decoder, ds=ds, n=n: decoder.as_array(
                ds, indices=range(n), workers=1, decoding_plugin="jpeg2k.openjpeg"
            ),
        }
        times = rounds_of(contenders, max(3, args.rounds // 2), nbytes)
        results[title] = summarise(f"priorities: {title} ({ts.name})", times, nbytes, "jpeg2k.openjpeg")
    return results


def _htj2k_lossy_subset(ds: Any, n: int) -> Any:
    """The first ``n`` frames of a native multi-frame data set, as lossy HTJ2K."""
    from dicodec import examples

    arr = pixel_array(ds, indices=range(n))
    out = examples.mr
    pi = str(ds.PhotometricInterpretation)
    out.set_pixel_data(arr, pi, int(ds.BitsStored))
    return out.compress(HTJ2K_LOSSY, j2k_cr=[10], encoding_plugin="jpeg2k.imagecodecs")


SECTIONS = {"htj2k": section_htj2k, "j2k": section_j2k, "overhead": section_overhead, "priorities": section_priorities}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--rounds", type=int, default=7, help="round-robin rounds per cell (J2K whole-file cells use half)")
    ap.add_argument("--frames", type=int, default=100, help="frames of the overhead section (HTJ2K; J2K uses 1/8)")
    ap.add_argument("--json", help="write every sample here")
    args = ap.parse_args()
    if not (DATA / "mf" / "htj2k.dcm").exists():
        print(f"no benchmark data in {DATA}: run ../shared/bench/gen_data.py first", file=sys.stderr)
        return 2
    import imagecodecs
    import openjpeg
    import pydicom

    print(f"# bench_jpeg2k: {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
    print(f"pydicom {pydicom.__version__}, imagecodecs {imagecodecs.__version__} "
          f"(openjpeg {imagecodecs.jpeg2k_version()}, {imagecodecs.htj2k_version()}), pylibjpeg-openjpeg {openjpeg.__version__}")
    results: dict[str, Any] = {}
    for name in args.sections.split(","):
        results[name] = SECTIONS[name.strip()](args)
    print(f"\nload at end {os.getloadavg()}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
