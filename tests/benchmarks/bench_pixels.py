"""Pixel pipeline speed and memory: dicodec.pixels against pydicom 3 in the same run.

The files are the shared harness's native (Explicit VR Little Endian) workloads:

* ``mf/native.dcm``: 200 frames of 512x512 int16 (104.9 MB decoded);
* ``tiny/native.dcm``: 1,000 frames of 64x64 uint16, 12 bits stored (8.2 MB).

Sections, all in one run:

``throughput``
    ``pixel_array(path)`` of the mf file: dicodec, pydicom and the page-cache floor
    (``np.fromfile`` of the Pixel Data bytes at a known offset). GB/s of decoded
    output, and the paired speed-up pydicom time / dicodec time.
``perframe``
    Every frame of the tiny file, copied into one preallocated array as the harness
    does: ``iter_pixels(path)`` and ``get_decoder(uid).as_array(ds, index=i)`` (the
    data set read beforehand, not timed) for both libraries, against the floor.
    Per-frame overhead = (contender time - floor time) / frames, the median of the
    per-pass differences.
``memory``
    Peak RSS in a fresh subprocess per probe (``resource.getrusage`` ``ru_maxrss``
    after the imports and after the operation): ``pixel_array(path)``,
    ``iter_pixels(path)`` and ``pixel_array(path, view_only=True)`` of the mf file.
``view``
    ``view_only=True`` copies nothing: a read-only ``np.memmap`` from a path, a view
    sharing memory with ``ds.PixelData`` from a data set; tracemalloc peak and time.

Samples are taken round-robin (the contender order rotates every pass) with a warm
page cache; each figure is the median of the passes with min-max. The targets of the
issue are checked at the end (``PASS`` / ``MISS``); ``--profile`` adds cProfile hot
spots of the per-frame paths.

Examples
--------
From the repository root, with the dev environment::

    python tests/benchmarks/bench_pixels.py                  # ~1 minute
    python tests/benchmarks/bench_pixels.py --passes 5 --sections perframe --profile
    python tests/benchmarks/bench_pixels.py --json /tmp/pixels.json
    python tests/benchmarks/bench_pixels.py --clock cpu      # on a machine busy with other jobs
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
SHARED_BENCH = REPO.parent / "shared" / "bench"
DEFAULT_DATA = Path(os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data"))
SECTIONS = ("throughput", "perframe", "memory", "view")

# The targets (pydicom 3.0.2 on the 2-core VM in brackets).
TARGET_SPEEDUP = 2.3  # pixel_array(path) of mf, x pydicom (1.5 GB/s; page-cache floor 3.8 GB/s)
TARGET_ITER_US = 3.0  # iter_pixels(path) overhead per tiny frame (pydicom 16.5 us)
TARGET_INDEX_US = 5.0  # as_array(ds, index=i) overhead per tiny frame (pydicom 58 us)
TARGET_ARRAY_EXTRA_MB = 10.0  # pixel_array(path) peak above the decoded size (pydicom: 2x)
TARGET_ITER_EXTRA_MB = 5.0  # iter_pixels(path) peak above one frame


# ------------------------------------------------------------------ data


def workload(data_dir: Path, name: str) -> str:
    """The native file of a harness workload, generating the data first if needed."""
    path = data_dir / name / "native.dcm"
    if path.is_file():
        return str(path)
    generator = SHARED_BENCH / "gen_data.py"
    if not generator.is_file():
        sys.exit(f"no {path} and no generator at {generator}")
    cmd = [sys.executable, str(generator), "--scale", "full", "--data-dir", str(data_dir)]
    print("generating the benchmark data: " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return str(path)


def pixel_extent(path: str) -> tuple[int, int]:
    """(offset, length) of the Pixel Data value in the file."""
    from dicodec.filereader import read_for_pixels

    _, loc = read_for_pixels(path)
    if loc is None:
        sys.exit(f"{path}: the Pixel Data cannot be located in place")
    return loc.offset, loc.length


def warm(path: str) -> None:
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


# ------------------------------------------------------------------ timing


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
_clock: list[Callable[[], float]] = [time.perf_counter]


def round_robin(contenders: dict[str, Callable[[], Any]], passes: int) -> dict[str, list[float]]:
    """Seconds per sample for each contender; the order rotates every pass.

    The clock is wall time, or with ``--clock cpu`` this process's CPU time (user +
    system): on a machine shared with other jobs that is far less disturbed by the
    other jobs, while still counting the kernel's copies out of the page cache.
    """
    clock = _clock[0]
    names = list(contenders)
    times: dict[str, list[float]] = {n: [] for n in names}
    for name in names:  # warm-up (imports, caches), not kept
        contenders[name]()
    for i in range(passes):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            gc.collect()
            t0 = clock()
            contenders[name]()
            times[name].append(clock() - t0)
    return times


def med(samples: list[float]) -> float:
    return statistics.median(samples)


def paired(a: list[float], b: list[float], op: Callable[[float, float], float]) -> list[float]:
    return [op(x, y) for x, y in zip(a, b, strict=True)]


def fmt_range(samples: list[float], scale: float = 1.0, digits: int = 2) -> str:
    return f"{med(samples) * scale:.{digits}f} ({min(samples) * scale:.{digits}f} - {max(samples) * scale:.{digits}f})"


# ------------------------------------------------------------------ sections


def section_throughput(mf: str, passes: int, results: dict[str, Any]) -> None:
    import pydicom.pixels

    from dicodec.pixels import pixel_array

    offset, length = pixel_extent(mf)
    warm(mf)
    ours = pixel_array(mf)
    theirs = pydicom.pixels.pixel_array(mf)
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype or not np.array_equal(ours, theirs):
        sys.exit("throughput: dicodec and pydicom disagree on the mf file")
    decoded = ours.nbytes
    del ours, theirs
    contenders = {
        "np.fromfile(path, offset) [floor]": lambda: np.fromfile(
            mf, np.uint8, count=length, offset=offset
        ),
        "dicodec pixel_array(path)": lambda: pixel_array(mf),
        "pydicom pixel_array(path)": lambda: pydicom.pixels.pixel_array(mf),
    }
    times = round_robin(contenders, passes)
    print(
        f"\n## throughput: pixel_array(path) of {mf} ({decoded / 1e6:.1f} MB decoded), {passes} passes"
    )
    print(f"{'contender':<36} {'GB/s median (min - max)':>28} {'ms':>8}")
    for name, samples in times.items():
        rates = [decoded / s / 1e9 for s in samples]
        print(f"{name:<36} {fmt_range(rates):>28} {med(samples) * 1e3:>8.1f}")
    speedup = paired(
        times["dicodec pixel_array(path)"], times["pydicom pixel_array(path)"], lambda a, b: b / a
    )
    of_floor = paired(
        times["np.fromfile(path, offset) [floor]"],
        times["dicodec pixel_array(path)"],
        lambda f, a: f / a,
    )
    print(
        f"speed-up pydicom time / dicodec time: {fmt_range(speedup)} x   (target >= {TARGET_SPEEDUP})"
    )
    print(f"dicodec speed / floor speed:           {fmt_range(of_floor)}")
    results["throughput"] = {
        "decoded_bytes": decoded,
        "seconds": times,
        "speedup": speedup,
        "fraction_of_floor": of_floor,
    }


def section_perframe(tiny: str, passes: int, results: dict[str, Any]) -> None:
    import pydicom
    import pydicom.pixels

    import dicodec
    from dicodec.pixels import get_decoder, iter_pixels

    offset, length = pixel_extent(tiny)
    warm(tiny)
    ds = dicodec.dcmread(tiny)
    pds = pydicom.dcmread(tiny)
    uid = str(ds.file_meta.TransferSyntaxUID)
    decoder = get_decoder(uid)
    pdecoder = pydicom.pixels.get_decoder(pds.file_meta.TransferSyntaxUID)
    n = int(ds.NumberOfFrames)
    shape = (int(ds.Rows), int(ds.Columns))
    dtype = np.uint16

    def floor() -> np.ndarray:
        return np.fromfile(tiny, np.uint8, count=length, offset=offset)

    def iterate(func: Callable[[str], Any]) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            out = np.empty((n, *shape), dtype)
            for i, frame in enumerate(func(tiny)):
                out[i] = frame
            return out

        return run

    def indexed(get: Callable[[int], Any]) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            out = np.empty((n, *shape), dtype)
            for i in range(n):
                out[i] = get(i)[0]
            return out

        return run

    contenders: dict[str, Callable[[], Any]] = {
        "np.fromfile(path, offset) [floor]": floor,
        "dicodec iter_pixels(path)": iterate(iter_pixels),
        "pydicom iter_pixels(path)": iterate(pydicom.pixels.iter_pixels),
        "dicodec as_array(ds, index=i)": indexed(lambda i: decoder.as_array(ds, index=i)),
        "pydicom as_array(ds, index=i)": indexed(lambda i: pdecoder.as_array(pds, index=i)),
    }
    reference = contenders["pydicom iter_pixels(path)"]()
    for name in (
        "dicodec iter_pixels(path)",
        "dicodec as_array(ds, index=i)",
        "pydicom as_array(ds, index=i)",
    ):
        if not np.array_equal(contenders[name](), reference):
            sys.exit(f"perframe: {name} disagrees with pydicom iter_pixels")
    times = round_robin(contenders, passes)
    floor_t = times["np.fromfile(path, offset) [floor]"]
    print(f"\n## perframe: {n} frames of {shape[0]}x{shape[1]} uint16 from {tiny}, {passes} passes")
    print(f"{'contender':<36} {'us/frame median (min - max)':>30} {'overhead us/frame':>18}")
    overheads: dict[str, list[float]] = {}
    for name, samples in times.items():
        over = paired(samples, floor_t, lambda a, f: (a - f) / n * 1e6)
        overheads[name] = over
        print(f"{name:<36} {fmt_range([s / n for s in samples], 1e6):>30} {med(over):>18.2f}")
    for api, target in (
        ("iter_pixels(path)", TARGET_ITER_US),
        ("as_array(ds, index=i)", TARGET_INDEX_US),
    ):
        ours, theirs = overheads[f"dicodec {api}"], overheads[f"pydicom {api}"]
        ratio = paired(ours, theirs, lambda a, b: b / a if a > 0 else float("inf"))
        tratio = paired(times[f"dicodec {api}"], times[f"pydicom {api}"], lambda a, b: b / a)
        print(
            f"{api:<24} overhead dicodec {med(ours):.2f} us vs pydicom {med(theirs):.2f} us: "
            f"{med(ratio):.1f}x less (time ratio {fmt_range(tratio)}); target <= {target} us"
        )
    results["perframe"] = {"frames": n, "seconds": times, "overhead_us": overheads}


_CHILD_MODES = (
    "baseline",
    "dicodec_pixel_array",
    "dicodec_iter_pixels",
    "dicodec_view_only",
    "pydicom_pixel_array",
    "pydicom_iter_pixels",
)


def child(mode: str, path: str) -> None:
    """One peak-RSS probe (run in a fresh interpreter); prints one JSON line."""
    import resource

    import pydicom
    import pydicom.pixels

    import dicodec
    import dicodec.pixels

    warnings.simplefilter("ignore")
    dicodec.pixels.get_decoder("1.2.840.10008.1.2.1").is_available  # noqa: B018 (load the plugins)
    ds = dicodec.dcmread(path, stop_before_pixels=True)
    frames, rows, cols = int(ds.NumberOfFrames), int(ds.Rows), int(ds.Columns)
    del ds
    gc.collect()
    try:  # forget the high-water mark of the imports (e.g. the data dictionary's load)
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    checksum = 0
    count = 0
    keep: Any = None
    if mode == "dicodec_pixel_array":
        keep = dicodec.pixels.pixel_array(path)
        count, checksum = keep.shape[0], int(keep[-1, -1, -1])
    elif mode == "dicodec_view_only":
        keep = dicodec.pixels.pixel_array(path, view_only=True)
        count, checksum = keep.shape[0], int(keep[-1, -1, -1])
    elif mode == "pydicom_pixel_array":
        keep = pydicom.pixels.pixel_array(path)
        count, checksum = keep.shape[0], int(keep[-1, -1, -1])
    elif mode in ("dicodec_iter_pixels", "pydicom_iter_pixels"):
        it = (dicodec.pixels if mode.startswith("dicodec") else pydicom.pixels).iter_pixels(path)
        for frame in it:
            count += 1
            checksum += int(frame[0, 0])
    elif mode != "baseline":
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm = _vm_hwm_mb()
    del keep
    print(
        json.dumps(
            {
                "mode": mode,
                "before_mb": before / 1024,
                "peak_mb": after / 1024,
                "vm_hwm_mb": hwm,
                "delta_mb": (after - before) / 1024,
                "frames": count,
                "frame_mb": rows * cols * 2 / 2**20,
                "decoded_mb": frames * rows * cols * 2 / 2**20,
                "seconds": seconds,
                "checksum": checksum,
            }
        )
    )


def _launcher() -> list[str]:
    """A small shell between this process and the probe.

    Linux carries the RSS high-water mark of the process that calls exec() into the new
    program's ``ru_maxrss``: a probe started directly from this (large) process would
    report this process's peak. The shell forks the probe from its own small memory, so
    the probe's ``ru_maxrss`` starts clean. (``VmHWM`` is recorded as a cross-check.)
    """
    return ["/bin/sh", "-c", '"$0" "$@"; exit $?'] if os.path.exists("/bin/sh") else []


def _vm_hwm_mb() -> float:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def section_memory(mf: str, reps: int, results: dict[str, Any]) -> None:
    warm(mf)
    env = dict(os.environ)
    out: dict[str, list[dict[str, Any]]] = {m: [] for m in _CHILD_MODES}
    for _ in range(reps):
        for mode in _CHILD_MODES:
            proc = subprocess.run(
                [*_launcher(), sys.executable, __file__, "--child", mode, mf],
                capture_output=True,
                text=True,
                env=env,
            )
            if proc.returncode:
                print(f"memory probe {mode} failed:\n{proc.stderr}", file=sys.stderr)
                continue
            out[mode].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    first = next(v[0] for v in out.values() if v)
    decoded, frame = first["decoded_mb"], first["frame_mb"]
    print(f"\n## memory: peak RSS of one operation on {mf} in a fresh process, {reps} runs each")
    print(f"decoded array {decoded:.1f} MiB, one frame {frame:.2f} MiB (MiB = 2^20 bytes)")
    print(
        f"{'probe':<28} {'peak MiB':>10} {'above imports MiB':>18} {'minus result MiB':>17} {'s':>7}"
    )
    summary: dict[str, Any] = {}
    for mode, recs in out.items():
        if not recs:
            continue
        delta = med([r["delta_mb"] for r in recs])
        result = decoded if mode.endswith("pixel_array") else frame if "iter" in mode else 0.0
        summary[mode] = {
            "peak_mb": med([r["peak_mb"] for r in recs]),
            "delta_mb": delta,
            "excess_mb": delta - result,
        }
        print(
            f"{mode:<28} {summary[mode]['peak_mb']:>10.1f} {delta:>18.1f} {delta - result:>17.1f} "
            f"{med([r['seconds'] for r in recs]):>7.3f}"
        )
    results["memory"] = {"decoded_mb": decoded, "frame_mb": frame, "runs": out, "summary": summary}


def section_view(mf: str, results: dict[str, Any]) -> None:
    import dicodec
    from dicodec.pixels import pixel_array

    warm(mf)
    pixel_array(mf, view_only=True)

    def traced(func: Callable[[], Any]) -> tuple[Any, int, float]:
        tracemalloc.start()
        t0 = time.perf_counter()
        value = func()
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return value, peak, seconds

    def timed(func: Callable[[], Any], runs: int = 7) -> float:
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            func()
            samples.append(time.perf_counter() - t0)
        return med(samples)

    view, peak_path, _ = traced(lambda: pixel_array(mf, view_only=True))
    t_path = timed(lambda: pixel_array(mf, view_only=True))
    t_header = timed(lambda: dicodec.dcmread(mf, stop_before_pixels=True))
    ds = dicodec.dcmread(mf)
    buffer = np.frombuffer(ds.PixelData, np.uint8)
    dview, peak_ds, _ = traced(lambda: pixel_array(ds, view_only=True))
    t_ds = timed(lambda: pixel_array(ds, view_only=True))
    checks = {
        "path: np.memmap": isinstance(view, np.memmap),
        "path: read-only": not view.flags.writeable,
        "dataset: shares memory with ds.PixelData": bool(np.shares_memory(dview, buffer)),
        "dataset: read-only": not dview.flags.writeable,
        "same values": bool(np.array_equal(view[::37], dview[::37])),
    }
    print("\n## view_only=True on the mf file (105 MB)")
    print(
        f"from the path:    {t_path * 1e6:8.0f} us, tracemalloc peak {peak_path / 1024:8.1f} KiB "
        f"(reading the header alone: {t_header * 1e6:.0f} us; it holds 200 per-frame functional groups)"
    )
    print(f"from the dataset: {t_ds * 1e6:8.0f} us, tracemalloc peak {peak_ds / 1024:8.1f} KiB")
    for label, ok in checks.items():
        print(f"  {label:<44} {'yes' if ok else 'NO'}")
    results["view"] = {
        "path_peak_bytes": peak_path,
        "dataset_peak_bytes": peak_ds,
        "path_seconds": t_path,
        "header_seconds": t_header,
        "dataset_seconds": t_ds,
        "checks": checks,
    }


def profile(tiny: str, top: int) -> None:
    """cProfile hot spots of the two per-frame paths on the tiny file."""
    import cProfile
    import pstats

    import dicodec
    from dicodec.pixels import get_decoder, iter_pixels

    ds = dicodec.dcmread(tiny)
    decoder = get_decoder(str(ds.file_meta.TransferSyntaxUID))
    n = int(ds.NumberOfFrames)
    runs = {
        "iter_pixels(path)": lambda: [None for _ in iter_pixels(tiny)],
        "get_decoder(uid).as_array(ds, index=i)": lambda: [
            decoder.as_array(ds, index=i) for i in range(n)
        ],
    }
    for label, run in runs.items():
        run()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(3):
            run()
        prof.disable()
        print(f"\n## cProfile: {label}, 3 x {n} frames (sorted by tottime)")
        pstats.Stats(prof).strip_dirs().sort_stats("tottime").print_stats(top)


def verdict(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    rows: list[tuple[str, str, bool]] = []
    if "throughput" in results:
        s = med(results["throughput"]["speedup"])
        rows.append(
            (
                "pixel_array(path) mf, x pydicom",
                f"{s:.2f}x (>= {TARGET_SPEEDUP})",
                s >= TARGET_SPEEDUP,
            )
        )
    if "perframe" in results:
        o = results["perframe"]["overhead_us"]
        a = med(o["dicodec iter_pixels(path)"])
        b = med(o["dicodec as_array(ds, index=i)"])
        rows.append(
            (
                "iter_pixels(path) overhead/frame",
                f"{a:.2f} us (<= {TARGET_ITER_US})",
                a <= TARGET_ITER_US,
            )
        )
        rows.append(
            (
                "as_array(ds, index=i) overhead/frame",
                f"{b:.2f} us (<= {TARGET_INDEX_US})",
                b <= TARGET_INDEX_US,
            )
        )
    if "memory" in results:
        summ = results["memory"]["summary"]
        if "dicodec_pixel_array" in summ:
            e = summ["dicodec_pixel_array"]["excess_mb"]
            rows.append(
                (
                    "pixel_array(path) RSS above result",
                    f"{e:.1f} MiB (<= {TARGET_ARRAY_EXTRA_MB})",
                    e <= TARGET_ARRAY_EXTRA_MB,
                )
            )
        if "dicodec_iter_pixels" in summ:
            e = summ["dicodec_iter_pixels"]["excess_mb"]
            rows.append(
                (
                    "iter_pixels(path) RSS above one frame",
                    f"{e:.1f} MiB (<= {TARGET_ITER_EXTRA_MB})",
                    e <= TARGET_ITER_EXTRA_MB,
                )
            )
    if "view" in results:
        v = results["view"]
        ok = (
            all(v["checks"].values())
            and max(v["path_peak_bytes"], v["dataset_peak_bytes"]) < 1 << 20
        )
        rows.append(
            (
                "view_only=True copies nothing",
                f"peak {max(v['path_peak_bytes'], v['dataset_peak_bytes']) / 1024:.0f} KiB",
                ok,
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the sections and print the tables; returns 0."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA, help="harness data (default %(default)s)"
    )
    ap.add_argument(
        "--passes", type=int, default=15, help="timed passes per contender (default 15)"
    )
    ap.add_argument("--reps", type=int, default=3, help="runs per peak-RSS probe (default 3)")
    ap.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help="comma-separated subset of: " + ", ".join(SECTIONS),
    )
    ap.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall time (default) or process CPU time",
    )
    ap.add_argument("--json", type=Path, help="also write the raw samples here")
    ap.add_argument(
        "--profile", action="store_true", help="cProfile the per-frame paths afterwards"
    )
    ap.add_argument("--top", type=int, default=25, help="rows of each profile (default 25)")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0

    import pydicom

    import dicodec

    warnings.simplefilter("ignore")
    _clock[0] = CLOCKS[args.clock]
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    mf = workload(args.data_dir, "mf")
    tiny = workload(args.data_dir, "tiny")
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, dicodec {dicodec.__version__}, "
        f"pydicom {pydicom.__version__}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, "
        f"{args.clock} clock",
        flush=True,
    )
    results: dict[str, Any] = {}
    t0 = time.perf_counter()
    if "throughput" in sections:
        section_throughput(mf, args.passes, results)
    if "perframe" in sections:
        section_perframe(tiny, args.passes, results)
    if "memory" in sections:
        section_memory(mf, args.reps, results)
    if "view" in sections:
        section_view(mf, results)
    print(
        f"\n## targets (load {os.getloadavg()[0]:.2f} at the end, {time.perf_counter() - t0:.0f} s)"
    )
    for label, value, ok in verdict(results):
        print(f"{'PASS' if ok else 'MISS'}  {label:<40} {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))
    if args.profile:
        profile(tiny, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
