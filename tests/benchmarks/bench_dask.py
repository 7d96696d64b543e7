"""dicodec-dask: scaling from 1 to 2 dask workers on this machine.

Run: ``python tests/benchmarks/bench_dask.py [--rounds 5] [--files 2000] [--wait-quiet]``.

Workloads (from the shared harness's parse set, ``$DCMBENCH_DATA/parse``: 2,000 CT
files of 128x128 int16, native, ~43 kB each):

* ``frames-native``: ``frames(paths).sum()`` over the native files (read-bound);
* ``frames-j2k``: the same over JPEG 2000 Lossless copies (decode-bound; the copies
  are made once, with ``transcode``, into ``$TMPDIR/dicodec-bench-dask-j2k``);
* ``transcode-j2k``: ``transcode(paths, out, "JPEG2000Lossless")`` of the native files
  (encode-bound), ``--transcode-files`` of them (default 600).

Contenders, alternated round-robin in each round: ``serial`` (no dask: a plain loop
over ``pixel_array`` / ``transcode(client=None)``), ``2 processes`` (the control: the
serial loop over two halves in a 2-process pool, no dask), and ``LocalCluster`` with 1
and 2 worker processes (1 thread each, loopback). Reported: medians, and the medians of
the per-round ratios ``1 worker / 2 workers`` (the speed-up dask gets from the second
worker), ``serial / 2 processes`` (the speed-up the machine can give at all while other
jobs share its cores: the ceiling for the previous column) and ``serial / 2 workers``. ``frames-*`` times ``frames(paths, client=...)`` (headers read
on the cluster) plus the sum; the header part is also shown on its own.

The machine has 2 cores shared with other jobs: the load average is printed at the
start and end; numbers taken under load are noisy.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

DATA = os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data")


def _native_files(n: int) -> list[str]:
    files = sorted(glob.glob(os.path.join(DATA, "parse", "*.dcm")))
    if len(files) < n:
        sys.exit(f"need {n} files in {DATA}/parse (run ../shared/bench/gen_data.py --scale full)")
    return files[:n]


def _j2k_files(native: list[str]) -> list[str]:
    from dicodec_dask import transcode

    folder = os.path.join(tempfile.gettempdir(), "dicodec-bench-dask-j2k")  # kept between runs
    wanted = [os.path.join(folder, os.path.basename(p)) for p in native]
    missing = [p for p, w in zip(native, wanted, strict=True) if not os.path.exists(w)]
    if missing:
        print(f"making {len(missing)} JPEG 2000 Lossless copies in {folder} ...", flush=True)
        results = transcode(missing, folder, "JPEG2000Lossless", workers=2)
        bad = [r for r in results if r.status != "ok"]
        if bad:
            sys.exit(f"could not make the JPEG 2000 copies: {bad[0].error}")
    return wanted


def _serial_sum(paths: list[str]) -> int:
    from dicodec.pixels import pixel_array

    return int(sum(int(pixel_array(p, workers=1).sum(dtype=np.int64)) for p in paths))


def _transcode_part(paths: list[str], out: str) -> int:
    from dicodec_dask import transcode

    return sum(r.status == "ok" for r in transcode(paths, out, "JPEG2000Lossless"))


def _halves(paths: list[str]) -> list[list[str]]:
    return [paths[0::2], paths[1::2]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--transcode-files", type=int, default=600)
    ap.add_argument("--wait-quiet", type=float, nargs="?", const=1.5, metavar="LOAD",
                    help="first wait (up to 10 min) for the 1-minute load average to fall below LOAD")
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    if args.wait_quiet is not None:
        deadline = time.time() + 600
        while os.getloadavg()[0] > args.wait_quiet and time.time() < deadline:
            time.sleep(5)

    import dask
    import distributed

    from dicodec_dask import FrameStack, frames, transcode

    native = _native_files(args.files)
    j2k = _j2k_files(native)
    to_transcode = native[: args.transcode_files]
    print(
        f"# bench_dask: python {sys.version.split()[0]}, dask {dask.__version__}, distributed "
        f"{distributed.__version__}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} at start; "
        f"{len(native)} files of 128x128 int16, {args.rounds} rounds",
        flush=True,
    )

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # The control: the same work split over 2 plain processes, no dask. Its speed-up over
    # serial is what this machine can give right now (other jobs share the 2 cores).
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    list(pool.map(_serial_sum, _halves(native[:8])))
    clusters: dict[str, Any] = {}
    clients: dict[str, Any] = {}
    for n in (1, 2):
        cl = distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        clusters[f"{n} worker{'s' if n > 1 else ''}"] = cl
        clients[f"{n} worker{'s' if n > 1 else ''}"] = distributed.Client(cl, set_as_default=False)
    names = ["serial", "2 processes", *clients]
    expected = {"frames-native": _serial_sum(native), "frames-j2k": _serial_sum(j2k)}
    out_root = tempfile.mkdtemp(prefix="bench-dask-")

    # warm every worker (imports, plugin discovery) before timing
    for client in clients.values():
        FrameStack.open(native[:8], client=client).to_dask().sum().compute(scheduler=client)

    samples: dict[tuple[str, str], list[float]] = {}

    def timed(workload: str, name: str, fn: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        value = fn()
        samples.setdefault((workload, name), []).append(time.perf_counter() - t)
        return value

    try:
        for r in range(args.rounds):
            order = names[r % len(names):] + names[: r % len(names)]  # rotate who goes first
            for name in order:
                client = clients.get(name)
                for workload, paths in (("frames-native", native), ("frames-j2k", j2k)):
                    if name == "serial":
                        total = timed(workload, name, lambda paths=paths: _serial_sum(paths))
                    elif name == "2 processes":
                        total = timed(workload, name, lambda paths=paths: sum(pool.map(_serial_sum, _halves(paths))))
                    else:
                        def run(paths: list[str] = paths, client: Any = client, workload: str = workload, name: str = name) -> int:
                            arr = timed(f"headers ({workload[7:]})", name, lambda: frames(paths, client=client))
                            return int(arr.sum(dtype=np.int64).compute(scheduler=client))

                        total = timed(workload, name, run)
                    assert total == expected[workload], (workload, name, total, expected[workload])
                out = os.path.join(out_root, f"{name.replace(' ', '_')}-{r}")
                if name == "2 processes":
                    done = timed(
                        "transcode-j2k", name,
                        lambda out=out: sum(pool.map(_transcode_part, _halves(to_transcode), [out, out])),
                    )
                    assert done == len(to_transcode)
                else:
                    results = timed(
                        "transcode-j2k", name,
                        lambda out=out, client=client: transcode(to_transcode, out, "JPEG2000Lossless", client=client),
                    )
                    assert all(x.status == "ok" for x in results), [x for x in results if x.status != "ok"][:2]
                shutil.rmtree(out)
            print(f"round {r + 1}/{args.rounds} done, load {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        pool.shutdown()
        for client in clients.values():
            client.close()
        for cl in clusters.values():
            cl.close()
        shutil.rmtree(out_root, ignore_errors=True)

    print()
    print("| workload | serial (s) | 2 processes (s) | 1 worker (s) | 2 workers (s) | dask 1->2 workers | "
          "control: serial / 2 processes | serial / 2 workers |")
    print("|---|---|---|---|---|---|---|---|")
    for workload, count in (
        ("frames-native", len(native)), ("headers (native)", len(native)),
        ("frames-j2k", len(j2k)), ("headers (j2k)", len(j2k)),
        ("transcode-j2k", len(to_transcode)),
    ):
        med = {n: statistics.median(samples[(workload, n)]) for n in names if (workload, n) in samples}
        one, two = samples[(workload, "1 worker")], samples[(workload, "2 workers")]
        scale = statistics.median(a / b for a, b in zip(one, two, strict=True))
        serial = samples.get((workload, "serial"))
        procs = samples.get((workload, "2 processes"))
        vs_serial = f"{statistics.median(a / b for a, b in zip(serial, two, strict=True)):.2f}x" if serial else "-"
        control = f"{statistics.median(a / b for a, b in zip(serial, procs, strict=True)):.2f}x" if serial and procs else "-"
        cells = " | ".join(f"{med[n]:.3f}" if n in med else "-" for n in names)
        print(f"| {workload} ({count} files) | {cells} | {scale:.2f}x | {control} | {vs_serial} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (2 cores shared with other jobs: "
          "noisy when it is above ~1)")


if __name__ == "__main__":
    main()
