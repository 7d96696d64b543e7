"""Pixel processing speed and memory: dicodec.pixels.processing vs pydicom 3.0, same run.

Workloads (from the shared harness data, ``$DCMBENCH_DATA`` or ``/tmp/dcmbench-data``):

* ``color``: ``convert_color_space(arr, "YBR_FULL", "RGB")`` on ``rgb/native.dcm``,
  30 frames of 480x640x3 uint8 (the RGB values are taken as YCbCr, as in a decoder).
  Contenders: pydicom's default (``per_frame=False``, a new array), pydicom
  ``per_frame=True`` (in place), dicodec's default (a new array) and
  ``per_frame=True`` (in place). In-place contenders get a fresh copy made before
  the timer starts.
* ``ybr-frame``: one 480x640 frame through the core's float32
  ``dicodec.pixels.corrections.ybr_to_rgb`` and through
  ``ybr_full_to_rgb_inplace`` (bit-identical results, checked here too).
* ``voi``: ``apply_voi_lut(arr, ds)`` windowing (Window Center 40 / Width 400,
  LINEAR) of ``mf/native.dcm``, 200 frames of 512x512 int16; both libraries get the
  same array and a data set with the same window; outputs compared bit for bit.

Timing: contenders run round-robin (the order rotates each round); reported are
the median time (min-max) and, against pydicom's default, the median of the
per-round ratios. Memory: the peak of numpy allocations above the input during one
call (``tracemalloc``), also in frames. The machine is shared, so run several
rounds and read the ratios, not the absolute times.

Examples
--------
From the repository root, with the dev environment::

    python tests/benchmarks/bench_processing.py                 # 7 rounds
    python tests/benchmarks/bench_processing.py --rounds 3 --only color --json /tmp/proc.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "core"))

DEFAULT_DATA = Path(os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data"))

Contender = tuple[str, Callable[[], Callable[[], Any]]]
"""(name, prepare): ``prepare()`` runs untimed and returns the timed call."""


def measure(contenders: list[Contender], rounds: int, baseline: str) -> dict[str, Any]:
    """Round-robin timing, paired ratios against ``baseline``."""
    times: dict[str, list[float]] = {name: [] for name, _ in contenders}
    ratios: dict[str, list[float]] = {name: [] for name, _ in contenders}
    for r in range(rounds):
        order = contenders[r % len(contenders) :] + contenders[: r % len(contenders)]
        this_round: dict[str, float] = {}
        for name, prepare in order:
            call = prepare()
            gc.collect()
            start = time.perf_counter()
            call()
            this_round[name] = time.perf_counter() - start
            del call
        for name, t in this_round.items():
            times[name].append(t)
            ratios[name].append(this_round[baseline] / t)
    return {
        name: {
            "median_s": statistics.median(ts),
            "min_s": min(ts),
            "max_s": max(ts),
            "speedup_vs_" + baseline: statistics.median(ratios[name]),
            "samples_s": ts,
        }
        for name, ts in times.items()
    }


def peak_memory(prepare: Callable[[], Callable[[], Any]]) -> int:
    """Peak bytes allocated (numpy included) during one call, beyond what existed before."""
    call = prepare()
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def report(title: str, results: dict[str, Any], baseline: str, frame_bytes: int,
           memory: dict[str, int]) -> None:
    print(f"\n## {title}\n")
    print(f"| contender | median ms (min-max) | speed-up vs {baseline} | peak extra memory |")
    print("|---|---|---|---|")
    for name, r in results.items():
        mem = memory.get(name)
        mem_text = "" if mem is None else f"{mem / 1e6:.1f} MB ({mem / frame_bytes:.2f} frames)"
        print(
            f"| {name} | {r['median_s'] * 1e3:.1f} ({r['min_s'] * 1e3:.1f}-{r['max_s'] * 1e3:.1f}) "
            f"| {r['speedup_vs_' + baseline]:.2f}x | {mem_text} |"
        )


def bench_color(data: Path, rounds: int) -> dict[str, Any]:
    import pydicom
    from pydicom.pixels.processing import convert_color_space as pydicom_convert

    from dicodec.pixels.processing import convert_color_space

    arr = pydicom.dcmread(data / "rgb" / "native.dcm").pixel_array
    assert arr.shape == (30, 480, 640, 3) and arr.dtype == np.uint8
    ours = convert_color_space(arr, "YBR_FULL", "RGB")
    theirs = pydicom_convert(arr, "YBR_FULL", "RGB")
    differ = int(np.count_nonzero(ours != theirs))
    print(f"color: values differing from pydicom: {differ} of {ours.size} (exact rounding of float32 ties)")

    def copy_then(fn: Callable[[np.ndarray], Any]) -> Callable[[], Callable[[], Any]]:
        def prepare() -> Callable[[], Any]:
            work = arr.copy()
            return lambda: fn(work)

        return prepare

    contenders: list[Contender] = [
        ("pydicom", lambda: lambda: pydicom_convert(arr, "YBR_FULL", "RGB")),
        ("pydicom per_frame", copy_then(lambda a: pydicom_convert(a, "YBR_FULL", "RGB", per_frame=True))),
        ("dicodec", lambda: lambda: convert_color_space(arr, "YBR_FULL", "RGB")),
        ("dicodec per_frame", copy_then(lambda a: convert_color_space(a, "YBR_FULL", "RGB", per_frame=True))),
    ]
    convert_color_space(arr[:1].copy(), "YBR_FULL", "RGB", per_frame=True)  # tables built
    results = measure(contenders, rounds, "pydicom")
    memory = {name: peak_memory(prepare) for name, prepare in contenders}
    report("convert_color_space YBR_FULL -> RGB, 30 x 480x640x3 uint8", results, "pydicom", arr[0].nbytes, memory)
    return {"results": results, "memory": memory, "frame_bytes": arr[0].nbytes, "differ_from_pydicom": differ}


def bench_ybr_frame(data: Path, rounds: int) -> dict[str, Any]:
    import pydicom

    from dicodec.pixels.corrections import ybr_to_rgb
    from dicodec.pixels.processing import ybr_full_to_rgb_inplace

    frame = pydicom.dcmread(data / "rgb" / "native.dcm").pixel_array[7].copy()
    a, b = frame.copy(), frame.copy()
    ybr_to_rgb(a, 8)
    ybr_full_to_rgb_inplace(b, 8)
    assert np.array_equal(a, b), "ybr_full_to_rgb_inplace must equal the float32 formulation"
    repeat = 20

    def prepare(fn: Callable[[np.ndarray], Any]) -> Callable[[], Callable[[], Any]]:
        def p() -> Callable[[], Any]:
            copies = [frame.copy() for _ in range(repeat)]
            return lambda: [fn(c) for c in copies]

        return p

    contenders: list[Contender] = [
        ("corrections.ybr_to_rgb (float32)", prepare(lambda f: ybr_to_rgb(f, 8))),
        ("ybr_full_to_rgb_inplace", prepare(lambda f: ybr_full_to_rgb_inplace(f, 8))),
    ]
    results = measure(contenders, rounds, "corrections.ybr_to_rgb (float32)")
    for r in results.values():  # per frame
        for key in ("median_s", "min_s", "max_s"):
            r[key] /= repeat
    def one(fn: Callable[[np.ndarray], Any]) -> Callable[[], Callable[[], Any]]:
        def p() -> Callable[[], Any]:
            work = frame.copy()
            return lambda: fn(work)

        return p

    memory = {
        "corrections.ybr_to_rgb (float32)": peak_memory(one(lambda f: ybr_to_rgb(f, 8))),
        "ybr_full_to_rgb_inplace": peak_memory(one(lambda f: ybr_full_to_rgb_inplace(f, 8))),
    }
    report("one 480x640 YBR_FULL frame to RGB, in place (per frame)", results,
           "corrections.ybr_to_rgb (float32)", frame.nbytes, memory)
    return {"results": results, "memory": memory, "frame_bytes": frame.nbytes}


def bench_voi(data: Path, rounds: int) -> dict[str, Any]:
    import pydicom
    from pydicom.pixels.processing import apply_voi_lut as pydicom_voi

    import dicodec
    from dicodec.pixels.processing import apply_voi_lut

    path = data / "mf" / "native.dcm"
    pds = pydicom.dcmread(path)
    arr = pds.pixel_array
    assert arr.shape == (200, 512, 512) and arr.dtype == np.int16
    pds.WindowCenter, pds.WindowWidth = 40, 400
    ds = dicodec.dcmread(path, stop_before_pixels=True)
    ds.WindowCenter, ds.WindowWidth = 40, 400
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = pydicom_voi(arr, pds)
    ours = apply_voi_lut(arr, ds)
    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), "windowing must equal pydicom's"
    del ours, theirs
    contenders: list[Contender] = [
        ("pydicom", lambda: lambda: pydicom_voi(arr, pds)),
        ("dicodec", lambda: lambda: apply_voi_lut(arr, ds)),
    ]
    results = measure(contenders, rounds, "pydicom")
    memory = {name: peak_memory(prepare) for name, prepare in contenders}
    report("apply_voi_lut windowing, 200 x 512x512 int16 -> float64", results, "pydicom",
           arr[0].nbytes * 4, memory)
    print("(memory in output-sized frames: one float64 frame = 2 MB; the result itself is 200 frames)")
    return {"results": results, "memory": memory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", choices=["color", "ybr-frame", "voi"], action="append")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not (args.data_dir / "rgb" / "native.dcm").exists():
        sys.exit(f"no harness data in {args.data_dir}: run ../shared/bench/gen_data.py --scale full")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    out: dict[str, Any] = {}
    sections = args.only or ["color", "ybr-frame", "voi"]
    if "color" in sections:
        out["color"] = bench_color(args.data_dir, args.rounds)
    if "ybr-frame" in sections:
        out["ybr-frame"] = bench_ybr_frame(args.data_dir, args.rounds)
    if "voi" in sections:
        out["voi"] = bench_voi(args.data_dir, args.rounds)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
