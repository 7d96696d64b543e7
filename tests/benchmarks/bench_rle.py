"""RLE Lossless: dicodec-rle against pydicom 3.0.2's plugins and the raw libraries, in one run.

Plain script for the dev virtualenv (pydicom, imagecodecs, pylibjpeg-rle and
python-gdcm installed), on the shared benchmark data (``/tmp/dcmbench-data``, made
by ``../shared/bench/gen_data.py``)::

    python tests/benchmarks/bench_rle.py                  # everything, ~10 min on 2 cores
    python tests/benchmarks/bench_rle.py --quick          # fewer rounds and frames
    python tests/benchmarks/bench_rle.py --sections decode,encode --json rle.json

Sections
--------
decode
    Raw frame decoders, frames pre-extracted, one preallocated output (except
    where a library allocates its own): dicodec ``_rle.decode_into`` and the
    plugin function ``codec.decode``, imagecodecs ``dicomrle_decode`` (as the shared
    harness calls it, and with ``out=``), pylibjpeg-rle ``decode_frame``, pydicom's
    own decoder, GDCM per frame. Targets: dicodec >= 1.3x imagecodecs on mf and rgb.
file
    Whole files: ``dicodec.pixels.pixel_array(path)`` (1 worker and 2) against
    ``pydicom.pixels.pixel_array(path, decoding_plugin=...)``.
threads
    The mf frames through a 2-thread pool against 1 thread (dicodec raw and
    ``pixel_array(workers=2)`` vs ``workers=1``). Target >= 1.8x on two cores.
perframe
    64x64 frames: ``get_decoder(uid).as_array(ds, index=i)`` and ``iter_pixels`` per
    frame minus the raw C decode per frame. Target <= 2 us.
encode
    dicodec (raw ``_rle.encode`` and ``Dataset.compress``) against GDCM, pylibjpeg-rle
    and pydicom's ``Dataset.compress`` with each plugin. Target >= 2x GDCM.

Every contender's output is checked against the generator's reference array (encoders:
decoded again) before timing. Contenders of a cell run round-robin; figures are medians
over rounds, and ratios are medians of per-round ratios, so drift of the shared machine
cancels out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

warnings.filterwarnings("ignore")

RLE = "1.2.840.10008.1.2.5"
DATA = Path(os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data"))

import dicodec  # noqa: E402
from dicodec import encaps  # noqa: E402
from dicodec.pixels import get_decoder, iter_pixels  # noqa: E402
from dicodec.pixels import pixel_array as dc_pixel_array  # noqa: E402
from dicodec.plugins.records import FrameSpec  # noqa: E402
from dicodec_rle import _rle, codec  # noqa: E402

try:
    import imagecodecs
except ImportError:  # pragma: no cover
    imagecodecs = None
try:
    import rle as pylibjpeg_rle
    from rle.rle import decode_frame as plj_decode_frame
except ImportError:  # pragma: no cover
    pylibjpeg_rle = None
try:
    import gdcm
except ImportError:  # pragma: no cover
    gdcm = None
try:
    import pydicom
    from pydicom.pixels import pixel_array as pd_pixel_array
    from pydicom.pixels.decoders.rle import _rle_decode_frame as pd_rle_decode_frame
except ImportError:  # pragma: no cover
    pydicom = None


# ------------------------------------------------------------------ workloads


class Workload:
    """One benchmark file: its frames, geometry and reference array."""

    def __init__(self, key: str, max_frames: int | None) -> None:
        self.key = key
        self.path = DATA / key / "rle.dcm"
        ds = dicodec.dcmread(self.path)
        self.ds = ds
        self.rows, self.columns = int(ds.Rows), int(ds.Columns)
        self.samples = int(ds.SamplesPerPixel)
        self.bits = int(ds.BitsAllocated)
        self.bits_stored = int(ds.BitsStored)
        self.signed = int(ds.get("PixelRepresentation", 0))
        self.pi = str(ds.PhotometricInterpretation)
        n = int(ds.get("NumberOfFrames", 1) or 1)
        self.total_frames = n
        frames = [bytes(f) for f in encaps.generate_frames(ds.PixelData, number_of_frames=n)]
        self.frames = frames[: max_frames or n]
        self.n = len(self.frames)
        self.spec = FrameSpec(
            rows=self.rows, columns=self.columns, samples_per_pixel=self.samples,
            bits_allocated=self.bits, bits_stored=self.bits_stored, pixel_representation=self.signed,
            photometric_interpretation=self.pi, transfer_syntax=RLE, number_of_frames=n,
        )  # fmt: skip
        self.dtype = np.dtype(self.spec.dtype)
        ref = np.load(DATA / "ref" / f"{key}.npy")
        self.ref = ref.reshape((n, *self.spec.shape))
        self.frame_bytes = self.spec.decoded_length

    def out(self) -> np.ndarray:
        """A pre-touched output for the frames."""
        arr = np.empty((self.n, *self.spec.shape), self.dtype)
        arr.fill(0)
        return arr

    def check(self, arr: Any, name: str, frames: int | None = None) -> None:
        n = frames or self.n
        got = np.asarray(arr).reshape(self.ref[:n].shape)
        if not np.array_equal(got, self.ref[:n]):
            raise AssertionError(f"{name} decoded {self.key} wrongly")


# --------------------------------------------------------------------- timing


CPU: dict[str, list[float]] = {}
"""Process CPU time of the last round_robin's samples (cpu / wall > 1: several threads ran)."""


def round_robin(cands: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Time each candidate once per round, rotating the order; a warm-up call first."""
    for fn in cands.values():
        fn()
    names = list(cands)
    times: dict[str, list[float]] = {n: [] for n in names}
    CPU.clear()
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for n in order:
            c0 = time.process_time()
            t0 = time.perf_counter()
            cands[n]()
            times[n].append(time.perf_counter() - t0)
            CPU.setdefault(n, []).append(time.process_time() - c0)
    return times


def ratio(times: dict[str, list[float]], slow: str, fast: str) -> float:
    """Median over rounds of time(slow) / time(fast)."""
    return statistics.median(a / b for a, b in zip(times[slow], times[fast], strict=True))


def spread(samples: list[float]) -> float:
    """(max - min) / median: how noisy a cell was."""
    med = statistics.median(samples)
    return (max(samples) - min(samples)) / med if med else 0.0


RESULTS: dict[str, Any] = {}


def report(section: str, title: str, times: dict[str, list[float]], nbytes: int, ours: str,
           base: str | None = None, unit: str = "MB/s") -> dict[str, Any]:  # fmt: skip
    """Print one cell: rate per contender, and dicodec's speed-up by wall clock and CPU time.

    On a shared machine the CPU-time ratio (process CPU time of the same rounds) is the
    steadier figure for single-threaded contenders: waiting for a core does not count.
    """
    cpu = dict(CPU)
    print(f"\n### {title}")
    print(f"  {'contender':58s} {unit:>9s}  spread  dicodec faster by: wall   CPU")
    rows = []
    for name, ts in sorted(times.items(), key=lambda kv: statistics.median(kv[1])):
        med = statistics.median(ts)
        rate = nbytes / med / 1e6
        vs = ratio(times, name, ours) if name != ours else 1.0
        vs_cpu = ratio(cpu, name, ours) if name != ours else 1.0
        rows.append({"contender": name, "mb_s": rate, "median_s": med, "spread": spread(ts),
                     "ours_speedup": vs, "ours_speedup_cpu": vs_cpu,
                     "cpu_mb_s": nbytes / statistics.median(cpu[name]) / 1e6})  # fmt: skip
        print(f"  {name:58s} {rate:9.0f}  {spread(ts):5.0%}  {vs:20.2f}x {vs_cpu:5.2f}x")
    cell: dict[str, Any] = {"title": title, "rows": rows}
    if base is not None and base in times:
        cell["target_ratio"] = ratio(times, base, ours)
        cell["target_ratio_cpu"] = ratio(cpu, base, ours)
        print(
            f"  -> dicodec vs {base}: {cell['target_ratio']:.2f}x wall, {cell['target_ratio_cpu']:.2f}x CPU"
        )
    RESULTS.setdefault(section, []).append(cell)
    return cell


# --------------------------------------------------------------- contenders


def gdcm_frame(w: Workload, frame: bytes) -> np.ndarray:
    """GDCM's RLE codec on one frame (the calls pydicom's gdcm plugin makes)."""
    fragment = gdcm.Fragment()
    fragment.SetByteStringValue(frame)
    frags = gdcm.SequenceOfFragments.New()
    frags.AddFragment(fragment)
    elem = gdcm.DataElement(gdcm.Tag(0x7FE0, 0x0010))
    elem.SetValue(frags.__ref__())
    img = gdcm.Image()
    img.SetNumberOfDimensions(2)
    img.SetDimensions((w.columns, w.rows, 1))
    img.SetDataElement(elem)
    img.SetPhotometricInterpretation(
        gdcm.PhotometricInterpretation(gdcm.PhotometricInterpretation.GetPIType(w.pi))
    )
    if w.samples > 1:
        img.SetPlanarConfiguration(0)
    img.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.GetTSType(RLE)))
    img.SetPixelFormat(
        gdcm.PixelFormat(w.samples, w.bits, w.bits_stored, w.bits_stored - 1, w.signed)
    )
    buf = img.GetBuffer().encode("utf-8", "surrogateescape")
    return np.frombuffer(buf, w.dtype)


def planar_to_frame(buf: Any, w: Workload) -> np.ndarray:
    a = np.frombuffer(buf, w.dtype.newbyteorder("<"))
    if w.samples == 1:
        return a.reshape(w.rows, w.columns)
    return a.reshape(w.samples, w.rows, w.columns).transpose(1, 2, 0)  # a view, as the harness does


def decode_section(keys: list[str], rounds: int, quick: bool) -> None:
    limits = {"mf": 50, "rgb": 10, "tiny": 250, "seg": 100, "ct": None, "mammo": None}
    if quick:
        limits.update(mf=12, rgb=4, tiny=100, seg=30)
    for key in keys:
        decode_cell(Workload(key, limits.get(key)), rounds)


def decode_cell(w: Workload, rounds: int) -> None:
    key = w.key
    nbytes = w.n * w.frame_bytes
    out = w.out()
    frames, R, C, S, B = w.frames, w.rows, w.columns, w.samples, w.bits
    spec = w.spec
    cands: dict[str, Callable[[], Any]] = {}

    def ours() -> np.ndarray:
        for i, f in enumerate(frames):
            _rle.decode_into(f, out[i], R, C, S, B)
        return out

    def ours_plugin() -> np.ndarray:
        for i, f in enumerate(frames):
            codec.decode(f, spec, out[i])
        return out

    w.check(ours(), "dicodec")
    cands["dicodec rle.c _rle.decode_into (raw)"] = ours
    cands["dicodec rle.c codec.decode(src, spec, out)"] = ours_plugin
    if imagecodecs is not None and B > 1:
        dt = w.dtype.newbyteorder("<")
        flat = out.reshape(w.n, -1).view(np.uint8)

        def ic() -> list[np.ndarray]:
            return [planar_to_frame(imagecodecs.dicomrle_decode(f, dt), w) for f in frames]

        def ic_out() -> np.ndarray:
            for i, f in enumerate(frames):
                imagecodecs.dicomrle_decode(f, dt, out=flat[i])
            return out

        w.check(np.stack(ic()), "imagecodecs")
        cands["imagecodecs.dicomrle_decode (as the harness)"] = ic
        if S == 1:  # with out= the planes stay planar: only comparable for 1 sample
            w.check(ic_out(), "imagecodecs out=")
            cands["imagecodecs.dicomrle_decode(out=)"] = ic_out
    if pylibjpeg_rle is not None and B > 1:

        def plj() -> list[np.ndarray]:
            return [planar_to_frame(plj_decode_frame(f, R * C, B, "<"), w) for f in frames]

        w.check(np.stack(plj()), "pylibjpeg-rle")
        cands["pylibjpeg-rle decode_frame"] = plj
    if pydicom is not None and B > 1:

        def pdr() -> list[np.ndarray]:
            return [planar_to_frame(pd_rle_decode_frame(f, R, C, S, B, ">"), w) for f in frames]

        w.check(np.stack(pdr()), "pydicom rle")
        cands["pydicom _rle_decode_frame (pure Python)"] = pdr
    if gdcm is not None and B > 1:

        def gd() -> list[np.ndarray]:
            return [gdcm_frame(w, f) for f in frames]

        w.check(np.stack(gd()), "gdcm")
        cands["GDCM per frame"] = gd
    base = "imagecodecs.dicomrle_decode (as the harness)"
    times = round_robin(cands, rounds)
    cell = report("decode", f"decode {key}: {w.n} x {R}x{C}x{S} {B}-bit, {nbytes / 1e6:.1f} MB",
                  times, nbytes, "dicodec rle.c _rle.decode_into (raw)", base)  # fmt: skip
    if "imagecodecs.dicomrle_decode(out=)" in times:
        pair = ("imagecodecs.dicomrle_decode(out=)", "dicodec rle.c _rle.decode_into (raw)")
        cell["ratio_vs_imagecodecs_out"] = ratio(times, *pair)
        cell["ratio_vs_imagecodecs_out_cpu"] = ratio(CPU, *pair)
        print(f"  -> dicodec vs imagecodecs(out=): {cell['ratio_vs_imagecodecs_out']:.2f}x wall, "
              f"{cell['ratio_vs_imagecodecs_out_cpu']:.2f}x CPU")  # fmt: skip


def file_section(keys: list[str], rounds: int) -> None:
    for key in keys:
        file_cell(Workload(key, 1), rounds)


def file_cell(w: Workload, rounds: int) -> None:
    key = w.key
    path = str(w.path)
    nbytes = w.total_frames * w.frame_bytes
    cands: dict[str, Callable[[], Any]] = {
        "dicodec pixel_array(path, workers=1)": lambda: dc_pixel_array(path, workers=1),
        "dicodec pixel_array(path) (default workers)": lambda: dc_pixel_array(path),
    }
    ref = np.load(DATA / "ref" / f"{key}.npy")
    got = dc_pixel_array(path)
    if not np.array_equal(got.reshape(ref.shape), ref):
        raise AssertionError(f"dicodec pixel_array decoded {key} wrongly")
    if pydicom is not None:
        for plugin in ("pylibjpeg", "gdcm", "pydicom"):
            if key == "seg" and plugin != "pylibjpeg":
                continue  # pydicom's own decoder and GDCM cannot decode 1-bit RLE
            if key == "mf" and plugin == "pydicom":
                continue  # ~1 s per round trip of pure Python: decode section covers it
            try:
                arr = pd_pixel_array(path, decoding_plugin=plugin)
            except Exception as exc:  # report and skip
                print(f"  (pydicom[{plugin}] cannot decode {key}: {type(exc).__name__})")
                continue
            if not np.array_equal(arr.reshape(ref.shape), ref):
                print(f"  (pydicom[{plugin}] decodes {key} differently: skipped)")
                continue
            cands[f"pydicom pixel_array(path)[{plugin}]"] = lambda p=plugin: pd_pixel_array(
                path, decoding_plugin=p
            )
    times = round_robin(cands, rounds)
    report(
        "file",
        f"pixel_array(path) {key}: {w.total_frames} frames, {nbytes / 1e6:.1f} MB",
        times,
        nbytes,
        "dicodec pixel_array(path) (default workers)",
        "pydicom pixel_array(path)[pylibjpeg]",
    )


def gil_free_fraction(
    work: Callable[[int], Any], n_items: int, duration: float = 0.3, reps: int = 3
) -> float:
    """Progress of a pure-Python loop while another thread calls ``work`` back to back.

    Relative to the loop alone (median of ``reps``), with the switch interval at 100 us:
    ~1 when ``work`` releases the GIL and a second core is free, ~0.5 when it releases
    the GIL but the two threads share one core, near 0 when it holds the GIL.
    """
    import threading

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)

    def count(dur: float) -> int:
        n, end = 0, time.perf_counter() + dur
        while time.perf_counter() < end:
            n += 1
        return n

    try:
        fractions = []
        for _ in range(reps):
            alone = count(duration)
            stop = threading.Event()

            def worker(stop: threading.Event = stop) -> None:
                i = 0
                while not stop.is_set():
                    work(i % n_items)
                    i += 1

            thread = threading.Thread(target=worker)
            thread.start()
            time.sleep(0.02)
            together = count(duration)
            stop.set()
            thread.join()
            fractions.append(together / alone)
        return statistics.median(fractions)
    finally:
        sys.setswitchinterval(old)


def threads_section(keys: list[str], rounds: int) -> None:
    for key in keys:
        threads_cell(Workload(key, None), rounds)


def threads_cell(w: Workload, rounds: int) -> None:
    key = w.key
    out = w.out()
    frames, R, C, S, B = w.frames, w.rows, w.columns, w.samples, w.bits

    def work(i: int) -> None:
        _rle.decode_into(frames[i], out[i], R, C, S, B)

    pool2 = ThreadPoolExecutor(2)
    pool1 = ThreadPoolExecutor(1)
    ds = dicodec.dcmread(w.path)
    dc_pixel_array(ds)  # cache the source
    dst = np.empty((w.n, *w.spec.shape), w.dtype)
    dst.fill(0)
    cands = {
        "raw decode_into, 1 thread": lambda: list(pool1.map(work, range(w.n))),
        "raw decode_into, 2 threads": lambda: list(pool2.map(work, range(w.n))),
        "dicodec pixel_array(ds, workers=1)": lambda: dc_pixel_array(ds, workers=1, out=dst),
        "dicodec pixel_array(ds, workers=2)": lambda: dc_pixel_array(ds, workers=2, out=dst),
    }
    times = round_robin(cands, rounds)
    nbytes = w.n * w.frame_bytes
    cell = report(
        "threads", f"threads {key}: {w.n} frames", times, nbytes, "raw decode_into, 2 threads"
    )
    cell["raw_speedup"] = ratio(times, "raw decode_into, 1 thread", "raw decode_into, 2 threads")
    cell["pixel_array_speedup"] = ratio(
        times, "dicodec pixel_array(ds, workers=1)", "dicodec pixel_array(ds, workers=2)"
    )
    for name in ("raw decode_into, 2 threads", "dicodec pixel_array(ds, workers=2)"):
        cell[f"cpu_per_wall[{name}]"] = statistics.median(
            c / t for c, t in zip(CPU[name], times[name], strict=True)
        )
    print(f"  -> 2 threads vs 1: raw {cell['raw_speedup']:.2f}x, "
          f"pixel_array {cell['pixel_array_speedup']:.2f}x (target >= 1.8x); process CPU / wall "
          f"with 2 threads: {cell['cpu_per_wall[raw decode_into, 2 threads]']:.2f} (raw), "
          f"{cell['cpu_per_wall[dicodec pixel_array(ds, workers=2)]']:.2f} (pixel_array)")  # fmt: skip
    pool1.shutdown()
    pool2.shutdown()
    probes: dict[str, Callable[[int], Any]] = {"dicodec rle.c": work}
    if imagecodecs is not None:
        dt = w.dtype.newbyteorder("<")
        probes["imagecodecs.dicomrle_decode"] = lambda i: imagecodecs.dicomrle_decode(frames[i], dt)
    if pylibjpeg_rle is not None:
        probes["pylibjpeg-rle decode_frame"] = lambda i: plj_decode_frame(frames[i], R * C, B, "<")
    cell["gil_free"] = {name: gil_free_fraction(fn, w.n) for name, fn in probes.items()}
    print("  -> GIL-free fraction (Python loop progress while the decoder runs in another thread): "
          + ", ".join(f"{k} {v:.2f}" for k, v in cell["gil_free"].items()))  # fmt: skip


def perframe_section(rounds: int) -> None:
    w = Workload("tiny", None)
    ds = dicodec.dcmread(w.path)
    dec = get_decoder(RLE)
    out = w.out()
    frames, R, C, S, B = w.frames, w.rows, w.columns, w.samples, w.bits
    n = w.n
    spec = w.spec

    def raw() -> None:
        for i in range(n):
            _rle.decode_into(frames[i], out[i], R, C, S, B)

    def raw_alloc() -> None:
        for i in range(n):
            a = np.empty((R, C), w.dtype)
            _rle.decode_into(frames[i], a, R, C, S, B)

    def plugin_fn() -> None:
        for i in range(n):
            codec.decode(frames[i], spec, out[i])

    def indexed() -> None:
        for i in range(n):
            dec.as_array(ds, index=i)

    def iterate() -> None:
        for _ in iter_pixels(ds):
            pass

    for i in (0, n // 2, n - 1):
        if not np.array_equal(dec.as_array(ds, index=i)[0], w.ref[i]):
            raise AssertionError("as_array(index) decoded tiny wrongly")
    cands = {
        "raw _rle.decode_into, preallocated": raw,
        "raw np.empty + _rle.decode_into": raw_alloc,
        "codec.decode(src, spec, out)": plugin_fn,
        "get_decoder(uid).as_array(ds, index=i)": indexed,
        "iter_pixels(ds)": iterate,
    }
    times = round_robin(cands, rounds)
    cpu = dict(CPU)
    print(f"\n### per-frame cost, tiny: {n} x {R}x{C} {B}-bit (wall clock, and process CPU time;"
          " overhead = paired difference to the raw decode into a fresh array)")
    # our calls allocate each frame's array, so the fair baseline allocates too (a fresh small
    # array stays in cache, which makes it faster than writing into one large preallocated array)
    base = "raw np.empty + _rle.decode_into"
    cell: dict[str, Any] = {"frames": n, "rows": [], "baseline": base}
    for name, ts in times.items():
        per = statistics.median(ts) / n
        # paired per-round differences against the raw decode (wall and CPU)
        over = statistics.median((a - b) / n for a, b in zip(ts, times[base], strict=True))
        over_cpu = statistics.median((a - b) / n for a, b in zip(cpu[name], cpu[base], strict=True))
        per_cpu = statistics.median(cpu[name]) / n
        cell["rows"].append({"contender": name, "us_per_frame": per * 1e6, "overhead_us": over * 1e6,
                             "cpu_us_per_frame": per_cpu * 1e6, "cpu_overhead_us": over_cpu * 1e6,
                             "spread": spread(ts)})  # fmt: skip
        print(f"  {name:42s} {per * 1e6:7.2f} us/frame, overhead {over * 1e6:6.2f} us | "
              f"CPU {per_cpu * 1e6:7.2f} us/frame, overhead {over_cpu * 1e6:6.2f} us  (spread {spread(ts):4.0%})")  # fmt: skip
    print("  -> target: as_array(index) / iter_pixels overhead <= 2 us")
    RESULTS.setdefault("perframe", []).append(cell)


def encode_section(keys: list[str], rounds: int, quick: bool) -> None:
    limits = {"mf": 12, "rgb": 6, "tiny": 200, "seg": 100, "ct": None, "mammo": None}
    if quick:
        limits.update(mf=4, rgb=2, tiny=50, seg=20)
    for key in keys:
        encode_cell(Workload(key, limits.get(key)), rounds, quick)


def encode_cell(w: Workload, rounds: int, quick: bool) -> None:
    key = w.key
    arr = np.ascontiguousarray(w.ref[: w.n])
    R, C, S, B = w.rows, w.columns, w.samples, w.bits
    nbytes = w.n * w.frame_bytes

    def ours() -> list[bytes]:
        return [_rle.encode(f, R, C, S, B) for f in arr]

    def check(encoded: list[bytes], name: str) -> None:
        got = np.stack([codec.decode_frame(e, R, C, S, B, w.signed) for e in encoded])
        if not np.array_equal(got, arr):
            raise AssertionError(f"{name} encoded {key} wrongly")

    def dc_compress() -> Any:
        ds = dicodec.Dataset()
        ds.set_pixel_data(
            arr if w.n > 1 else arr[0], w.pi, w.bits_stored, generate_instance_uid=False
        )
        ds.compress(RLE, generate_instance_uid=False)
        return ds

    check(ours(), "dicodec")
    ds = dc_compress()
    check(
        [bytes(f) for f in encaps.generate_frames(ds.PixelData, number_of_frames=w.n)], "compress"
    )
    cands: dict[str, Callable[[], Any]] = {
        "dicodec rle.c _rle.encode (raw)": ours,
        "dicodec Dataset.compress(RLELossless)": dc_compress,
    }
    if gdcm is not None and B > 1:

        def gd() -> list[bytes]:
            return gdcm_encode(arr, w)

        check(gd(), "gdcm")
        cands["GDCM ImageChangeTransferSyntax"] = gd
    if pylibjpeg_rle is not None:

        def plj() -> list[bytes]:
            res = []
            for f in arr:
                src = np.packbits(f.ravel(), bitorder="little").tobytes() if B == 1 else f.tobytes()
                res.append(pylibjpeg_rle.encode_pixel_data(src, rows=R, columns=C, samples_per_pixel=S,
                                                           bits_allocated=B, byteorder="<"))  # fmt: skip
            return res

        if B > 1:
            check(plj(), "pylibjpeg-rle")
        cands[
            "pylibjpeg-rle encode_pixel_data" + (" (1 byte/pixel, non-standard)" if B == 1 else "")
        ] = plj
    if pydicom is not None and B > 1:
        for plugin in ("pylibjpeg", "gdcm", "pydicom"):

            def pd_compress(p: str = plugin) -> Any:
                return pydicom_compress(arr, w, p)

            pds = pd_compress()
            check([bytes(f) for f in encaps.generate_frames(pds.PixelData, number_of_frames=w.n)],
                  f"pydicom[{plugin}]")  # fmt: skip
            cands[f"pydicom Dataset.compress[{plugin}]"] = pd_compress
    times = round_robin(cands, rounds)
    report(
        "encode",
        f"encode {key}: {w.n} x {R}x{C}x{S} {B}-bit, {nbytes / 1e6:.1f} MB",
        times,
        nbytes,
        "dicodec rle.c _rle.encode (raw)",
        "GDCM ImageChangeTransferSyntax" if B > 1 else None,
    )
    if B > 1 and "GDCM ImageChangeTransferSyntax" in times:
        pair = ("GDCM ImageChangeTransferSyntax", "dicodec Dataset.compress(RLELossless)")
        r, rc = ratio(times, *pair), ratio(CPU, *pair)
        RESULTS["encode"][-1]["compress_vs_gdcm"] = r
        RESULTS["encode"][-1]["compress_vs_gdcm_cpu"] = rc
        print(f"  -> dicodec Dataset.compress vs GDCM: {r:.2f}x wall, {rc:.2f}x CPU")


def gdcm_encode(arr: np.ndarray, w: Workload) -> list[bytes]:
    """GDCM ImageChangeTransferSyntax on the whole multi-frame image (as the shared harness)."""
    frames = arr.shape[0]
    writer = gdcm.ImageWriter()
    image = writer.GetImage()
    image.SetNumberOfDimensions(3 if frames > 1 else 2)
    image.SetDimensions((w.columns, w.rows, frames))
    image.SetPhotometricInterpretation(
        gdcm.PhotometricInterpretation(gdcm.PhotometricInterpretation.GetPIType(w.pi))
    )
    image.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.ExplicitVRLittleEndian))
    image.SetPixelFormat(
        gdcm.PixelFormat(w.samples, w.bits, w.bits_stored, w.bits_stored - 1, w.signed)
    )
    if w.samples > 1:
        image.SetPlanarConfiguration(0)
    elem = gdcm.DataElement(gdcm.Tag(0x7FE0, 0x0010))
    elem.SetByteStringValue(arr.tobytes())
    image.SetDataElement(elem)
    conv = gdcm.ImageChangeTransferSyntax()
    conv.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.GetTSType(RLE)))
    conv.SetInput(image)
    if not conv.Change():
        raise RuntimeError("gdcm ImageChangeTransferSyntax.Change() failed")
    seq = conv.GetOutput().GetDataElement().GetSequenceOfFragments()
    return [seq.GetFragment(i).GetByteValue().GetBuffer().encode("utf-8", "surrogateescape")
            for i in range(seq.GetNumberOfFragments())]  # fmt: skip


def pydicom_compress(arr: np.ndarray, w: Workload, plugin: str) -> Any:
    from pydicom.dataset import Dataset, FileMetaDataset

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4"
    ds.Rows, ds.Columns = w.rows, w.columns
    ds.SamplesPerPixel = w.samples
    ds.PhotometricInterpretation = w.pi
    if w.samples > 1:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = w.bits, w.bits_stored, w.bits_stored - 1
    ds.PixelRepresentation = w.signed
    ds.NumberOfFrames = arr.shape[0]
    ds.compress(
        RLE,
        arr[0] if arr.shape[0] == 1 else arr,
        encoding_plugin=plugin,
        generate_instance_uid=False,
    )
    return ds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and frames")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--sections", default="decode,file,threads,perframe,encode")
    parser.add_argument("--workloads", default=None, help="comma list, e.g. mf,rgb")
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args()
    if not (DATA / "manifest.json").exists():
        sys.exit(f"no benchmark data in {DATA}: run ../shared/bench/gen_data.py first")
    rounds = args.rounds or (3 if args.quick else 9)
    sections = args.sections.split(",")
    pick = (
        (lambda ks: [k for k in ks if k in args.workloads.split(",")])
        if args.workloads
        else (lambda ks: ks)
    )
    print(f"dicodec-rle benchmark: {os.cpu_count()} CPUs, rounds={rounds}, data={DATA}")
    print(
        f"versions: numpy {np.__version__}, pydicom {getattr(pydicom, '__version__', '-')}, "
        f"imagecodecs {getattr(imagecodecs, '__version__', '-')}, "
        f"pylibjpeg-rle {getattr(pylibjpeg_rle, '__version__', '-')}, gdcm {gdcm.Version.GetVersion() if gdcm else '-'}"
    )
    t0 = time.perf_counter()
    if "decode" in sections:
        decode_section(pick(["mf", "rgb", "tiny", "seg", "ct", "mammo"]), rounds, args.quick)
    if "file" in sections:
        file_section(pick(["mf", "rgb", "tiny", "seg"]), max(3, rounds // 3))
    if "threads" in sections:
        threads_section(pick(["mf", "rgb"]), rounds)
    if "perframe" in sections:
        perframe_section(rounds)
    if "encode" in sections:
        encode_section(pick(["mf", "rgb", "tiny", "seg", "mammo"]), max(3, rounds // 2), args.quick)
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(RESULTS, indent=1))


if __name__ == "__main__":
    main()
