"""Benchmark the dicodec-gdcm fallback codec against pydicom's GDCM plugin, in one run.

Plain script for the development environment (pydicom 3.0.2 and python-gdcm
installed). Data: the shared harness's workloads in ``$DCMBENCH_DATA`` (default
``/tmp/dcmbench-data``): ``ct/`` (one 512 x 512 int16 frame), the first frames of
``mf/`` (512 x 512 int16) and ``rgb/`` (480 x 640 x 3 uint8).

Every contender of a cell is timed round-robin (the first contender rotates each
round) after a validated warm-up; figures are medians with min-max, and ratios are
medians of per-round (paired) ratios, so machine drift cancels out.

Decode contenders (read, parse, decode the listed frames into one array):

* ``dicodec[gdcm]``: ``pixel_array(path, decoding_plugin="gdcm")``, GDCM in its
  worker process (the default: :mod:`dicodec_gdcm.isolation`);
* ``dicodec[gdcm, in-process]``: the same with ``gdcm_isolation=False``;
* ``pydicom[gdcm]``: ``pydicom.pixels.pixel_array(path, decoding_plugin="gdcm")``,
  frame by frame for the multi-frame cells (pydicom's GDCM plugin has no RLE);
* ``dicodec[default]``: ``pixel_array(path)`` with the first-party codec dicodec
  picks, for scale (GDCM is a fallback, not a contender for the default).

Encode contenders (``Dataset.compress`` of the first frames): ``dicodec[gdcm]``
(isolated), ``dicodec[gdcm, in-process]`` and ``dicodec[default]``.

There is no target for GDCM in the issue; the script reports what isolation costs
and where dicodec's GDCM path stands against pydicom's.

Usage::

    python tests/benchmarks/bench_gdcm.py                  # ~2 min
    python tests/benchmarks/bench_gdcm.py --rounds 9 --json /tmp/gdcm.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data"))

# (workload, file, frames decoded)
DECODE_CELLS = [
    ("ct", "j2k", 1),
    ("ct", "jls", 1),
    ("ct", "rle", 1),
    ("ct", "jpeg_ll_sv1", 1),
    ("ct", "htj2k", 1),
    ("mf", "j2k", 8),
    ("mf", "jls", 8),
    ("mf", "rle", 8),
    ("rgb", "jpeg_baseline", 5),
    ("rgb", "j2k", 3),
]
ENCODE_CELLS = [
    ("mf", "1.2.840.10008.1.2.5", 4),
    ("mf", "1.2.840.10008.1.2.4.80", 4),
    ("mf", "1.2.840.10008.1.2.4.90", 2),
    ("rgb", "1.2.840.10008.1.2.4.70", 2),
]

Setup = Callable[[], Callable[[], Any]]


def round_robin(contenders: dict[str, Setup], rounds: int, check: Callable[[str, Any], None]) -> dict[str, list[float]]:
    """Time every contender ``rounds`` times, rotating the order; setup is not timed."""
    names = list(contenders)
    times: dict[str, list[float]] = {n: [] for n in names}
    for name in names:
        check(name, contenders[name]()())
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            run = contenders[name]()
            gc.collect()
            gc.disable()
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
            gc.enable()
    return times


def paired(times: dict[str, list[float]], a: str, b: str) -> tuple[float, float, float]:
    """Median (min, max) over rounds of time[b] / time[a] (> 1: ``a`` is faster)."""
    ratios = [times[b][i] / times[a][i] for i in range(len(times[a]))]
    return statistics.median(ratios), min(ratios), max(ratios)


def table(title: str, times: dict[str, list[float]], nbytes: int) -> None:
    print(f"\n### {title}\n")
    print("| contender | MB/s median (min-max) | ms/call |")
    print("|---|---|---|")
    for name, ts in sorted(times.items(), key=lambda kv: statistics.median(kv[1])):
        med = statistics.median(ts)
        print(f"| {name} | {nbytes / med / 1e6:,.1f} ({nbytes / max(ts) / 1e6:,.1f}-{nbytes / min(ts) / 1e6:,.1f}) | {med * 1e3:,.1f} |")


def decode_cell(workload: str, key: str, frames: int, rounds: int) -> dict[str, Any]:
    import pydicom
    import pydicom.pixels

    import dicodec
    from dicodec.pixels import pixel_array

    path = DATA / workload / f"{key}.dcm"
    ds = dicodec.dcmread(path, stop_before_pixels=True)
    total = int(getattr(ds, "NumberOfFrames", 1) or 1)
    idx = list(range(min(frames, total)))
    multi = total > 1
    ts = str(ds.file_meta.TransferSyntaxUID)
    ref = pixel_array(path, indices=idx) if multi else pixel_array(path)
    lossy = ts in ("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.203")

    def check(name: str, arr: Any) -> None:
        arr = np.asarray(arr).reshape(ref.shape)
        diff = int(np.abs(arr.astype(np.int64) - ref.astype(np.int64)).max())
        if diff > (3 if lossy else 0):
            raise SystemExit(f"{name} decoded {workload}/{key} wrongly (max difference {diff})")

    def dicodec_gdcm(isolated: bool) -> Setup:
        opts = {} if isolated else {"gdcm_isolation": False}
        if multi:
            return lambda: lambda: pixel_array(path, indices=idx, decoding_plugin="gdcm", **opts)
        return lambda: lambda: pixel_array(path, decoding_plugin="gdcm", **opts)

    contenders: dict[str, Setup] = {
        "dicodec[gdcm]": dicodec_gdcm(True),
        "dicodec[gdcm, in-process]": dicodec_gdcm(False),
        "dicodec[default]": (lambda: lambda: pixel_array(path, indices=idx)) if multi else (lambda: lambda: pixel_array(path)),
    }
    from pydicom.pixels.decoders.gdcm import DECODER_DEPENDENCIES

    if ts in DECODER_DEPENDENCIES:  # pydicom's GDCM plugin decodes neither RLE nor HTJ2K
        if multi:
            contenders["pydicom[gdcm]"] = lambda: lambda: np.stack(
                [pydicom.pixels.pixel_array(str(path), index=i, decoding_plugin="gdcm") for i in idx]
            )
        else:
            contenders["pydicom[gdcm]"] = lambda: lambda: pydicom.pixels.pixel_array(str(path), decoding_plugin="gdcm")
    times = round_robin(contenders, rounds, check)
    nbytes = ref.nbytes
    table(f"decode {workload}/{key} ({len(idx)} frame(s), {nbytes / 1e6:.1f} MB)", times, nbytes)
    out: dict[str, Any] = {"cell": f"{workload}/{key}", "nbytes": nbytes, "times": times}
    iso = paired(times, "dicodec[gdcm, in-process]", "dicodec[gdcm]")
    print(f"\nisolation costs x{iso[0]:.2f} ({iso[1]:.2f}-{iso[2]:.2f}) against in-process GDCM")
    out["isolation_cost"] = iso
    if "pydicom[gdcm]" in times:
        r = paired(times, "dicodec[gdcm]", "pydicom[gdcm]")
        print(f"dicodec[gdcm] (isolated) vs pydicom[gdcm]: x{r[0]:.2f} ({r[1]:.2f}-{r[2]:.2f}) (> 1: dicodec faster)")
        out["vs_pydicom"] = r
    d = paired(times, "dicodec[default]", "dicodec[gdcm]")
    print(f"dicodec's default codec is x{d[0]:.2f} ({d[1]:.2f}-{d[2]:.2f}) faster than the GDCM fallback")
    out["default_vs_gdcm"] = d
    return out


def encode_cell(workload: str, ts: str, frames: int, rounds: int) -> dict[str, Any]:
    import dicodec
    from dicodec.pixels import pixel_array, set_pixel_data

    path = DATA / workload / "native.dcm"
    src = dicodec.dcmread(path, stop_before_pixels=True)
    arr = np.ascontiguousarray(pixel_array(path, indices=range(frames)))
    pi = str(src.PhotometricInterpretation)

    def fresh() -> Any:
        ds = dicodec.Dataset()
        set_pixel_data(ds, arr, pi, int(src.BitsStored))
        return ds

    def check(name: str, ds: Any) -> None:
        back = pixel_array(ds)
        if not np.array_equal(back.reshape(arr.shape), arr):
            raise SystemExit(f"{name} did not round-trip {workload} as {ts}")

    def setup(**kw: Any) -> Setup:
        def make() -> Callable[[], Any]:
            ds = fresh()
            return lambda: ds.compress(ts, **kw)

        return make

    contenders = {
        "dicodec[gdcm]": setup(encoding_plugin="gdcm"),
        "dicodec[gdcm, in-process]": setup(encoding_plugin="gdcm", gdcm_isolation=False),
        "dicodec[default]": setup(),
    }
    times = round_robin(contenders, rounds, check)
    table(f"encode {workload} as {ts} ({frames} frame(s), {arr.nbytes / 1e6:.1f} MB)", times, arr.nbytes)
    iso = paired(times, "dicodec[gdcm, in-process]", "dicodec[gdcm]")
    print(f"\nisolation costs x{iso[0]:.2f} ({iso[1]:.2f}-{iso[2]:.2f}) against in-process GDCM")
    return {"cell": f"encode {workload} {ts}", "nbytes": arr.nbytes, "times": times, "isolation_cost": iso}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--json", help="write the raw samples here")
    ap.add_argument("--no-encode", action="store_true")
    args = ap.parse_args()
    if not (DATA / "manifest.json").exists():
        print(f"no benchmark data in {DATA}: run ../shared/bench/gen_data.py first", file=sys.stderr)
        return 1
    import gdcm

    print(f"python-gdcm {gdcm.Version.GetVersion()}, {os.cpu_count()} CPUs, {args.rounds} rounds")
    results = [decode_cell(w, k, n, args.rounds) for w, k, n in DECODE_CELLS]
    if not args.no_encode:
        results += [encode_cell(w, ts, n, args.rounds) for w, ts, n in ENCODE_CELLS]
    print("\n### summary\n")
    print("| cell | isolation cost | dicodec[gdcm] vs pydicom[gdcm] | default codec vs gdcm |")
    print("|---|---|---|---|")
    for r in results:
        vs = r.get("vs_pydicom")
        dv = r.get("default_vs_gdcm")
        print(
            f"| {r['cell']} | x{r['isolation_cost'][0]:.2f} | {f'x{vs[0]:.2f}' if vs else 'n/a'} "
            f"| {f'x{dv[0]:.1f}' if dv else 'n/a'} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
