"""Header parsing speed: dicodec.dcmread vs pydicom.dcmread on the same files, same run.

The files are the shared harness's parse set: 2,000 small CT files (69 top-level
elements, two sequences, an 8 KB private blob, 128x128 int16 pixels, ~43 kB each).
Each timed sample reads every file and touches SOPInstanceUID, ImagePositionPatient
and Rows (as the harness's ``parse`` section does), so lazy conversion is paid for.

Variants, each for both libraries:

* ``stop_before_pixels=True``  (the headline number)
* full read
* ``defer_size="1 KB"``

Samples are taken round-robin (the contender order rotates every pass), the page
cache is warm, warnings are silenced. Reported: files/s as the median of the
passes (with min-max), and for each variant the paired ratio pydicom time / dicodec
time, as the median of the per-pass ratios (machine drift cancels out).

If the parse set is missing it is generated with the shared generator
(``../shared/bench/gen_data.py --scale full``), which needs pydicom and numpy; run it
from the harness's environment so the other workloads are complete too.

Examples
--------
From the repository root, with the dev environment::

    python tests/benchmarks/bench_parse.py                    # 7 passes over 2,000 files
    python tests/benchmarks/bench_parse.py --passes 3 --files 500 --json /tmp/parse.json
    python tests/benchmarks/bench_parse.py --profile          # + cProfile of dicodec
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
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SHARED_BENCH = REPO.parent / "shared" / "bench"
DEFAULT_DATA = Path(os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data"))
TOUCHED = ("SOPInstanceUID", "ImagePositionPatient", "Rows")
VARIANTS: dict[str, dict[str, Any]] = {
    "stop_before_pixels": {"stop_before_pixels": True},
    "full": {},
    "defer_size='1 KB'": {"defer_size": "1 KB"},
}


def parse_files(data_dir: Path) -> list[str]:
    """The parse-set files, generating the data first if needed."""
    folder = data_dir / "parse"
    files = sorted(str(p) for p in folder.glob("*.dcm"))
    if files:
        return files
    generator = SHARED_BENCH / "gen_data.py"
    if not generator.is_file():
        sys.exit(f"no parse set in {folder} and no generator at {generator}")
    cmd = [sys.executable, str(generator), "--scale", "full", "--data-dir", str(data_dir)]
    print("generating the benchmark data: " + " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return sorted(str(p) for p in folder.glob("*.dcm"))


def reader(read: Callable[..., Any], files: list[str], kwargs: dict[str, Any]) -> Callable[[], None]:
    """A sample: read every file and touch a few elements."""

    def run() -> None:
        for path in files:
            ds = read(path, **kwargs)
            for keyword in TOUCHED:
                getattr(ds, keyword)

    return run


def round_robin(contenders: dict[str, Callable[[], None]], passes: int) -> dict[str, list[float]]:
    """Seconds per sample for each contender; the order rotates every pass."""
    names = list(contenders)
    times: dict[str, list[float]] = {n: [] for n in names}
    for name in names:  # warm-up (imports, caches), not kept
        contenders[name]()
    for i in range(passes):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            gc.collect()
            t0 = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - t0)
    return times


def profile_dicodec(files: list[str], top: int = 25) -> None:
    """Print the cProfile hot spots of dicodec's stop_before_pixels read."""
    import cProfile
    import pstats

    import dicodec

    run = reader(dicodec.dcmread, files, {"stop_before_pixels": True})
    run()
    prof = cProfile.Profile()
    prof.enable()
    run()
    prof.disable()
    print(f"\ncProfile of dicodec.dcmread(path, stop_before_pixels=True) over {len(files)} files")
    stats = pstats.Stats(prof).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; returns 0."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="harness data (default %(default)s)")
    ap.add_argument("--passes", type=int, default=7, help="timed passes per contender (default 7)")
    ap.add_argument("--files", type=int, default=0, help="use only the first N files")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of: " + ", ".join(VARIANTS))
    ap.add_argument("--json", type=Path, help="also write the raw samples here")
    ap.add_argument("--profile", action="store_true", help="cProfile dicodec's stop_before_pixels read afterwards")
    args = ap.parse_args(argv)

    import pydicom

    import dicodec

    files = parse_files(args.data_dir)
    if args.files:
        files = files[: args.files]
    for path in files:  # warm the page cache
        with open(path, "rb") as fh:
            fh.read()
    warnings.simplefilter("ignore")

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    contenders: dict[str, Callable[[], None]] = {}
    for variant in variants:
        kwargs = VARIANTS[variant]
        contenders[f"dicodec  {variant}"] = reader(dicodec.dcmread, files, kwargs)
        contenders[f"pydicom  {variant}"] = reader(pydicom.dcmread, files, kwargs)

    print(
        f"{len(files)} files from {args.data_dir / 'parse'}; {args.passes} passes; "
        f"Python {platform.python_version()}, dicodec {dicodec.__version__}, pydicom {pydicom.__version__}, "
        f"{os.cpu_count()} CPUs",
        flush=True,
    )
    t0 = time.perf_counter()
    times = round_robin(contenders, args.passes)
    n = len(files)
    print(f"\n{'contender':<36} {'files/s median':>15} {'(min - max)':>19} {'us/file':>9}")
    for name, samples in times.items():
        med = statistics.median(samples)
        print(f"{name:<36} {n / med:>15,.0f} ({n / max(samples):>7,.0f} - {n / min(samples):>7,.0f}) {med / n * 1e6:>9.1f}")
    print(f"\n{'variant':<24} {'speed-up (pydicom time / dicodec time), median of per-pass ratios':<}")
    ratios = {}
    for variant in variants:
        ours, theirs = times[f"dicodec  {variant}"], times[f"pydicom  {variant}"]
        per_pass = [b / a for a, b in zip(ours, theirs, strict=True)]
        ratios[variant] = per_pass
        print(f"{variant:<24} {statistics.median(per_pass):.2f}x  (per pass {min(per_pass):.2f} - {max(per_pass):.2f})")
    print(f"\ntotal {time.perf_counter() - t0:.1f}s")
    if args.json:
        args.json.write_text(json.dumps({"files": n, "seconds": times, "ratios": ratios}, indent=1))
    if args.profile:
        profile_dicodec(files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
