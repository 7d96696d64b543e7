"""Benchmark dicodec-jpegls against pydicom 3 and the raw CharLS libraries, in one run.

Plain script for the development environment (pydicom 3.0.2, pyjpegls, imagecodecs,
python-gdcm installed). Data: the shared harness's workloads in ``$DCMBENCH_DATA``
(default ``/tmp/dcmbench-data``): ``mf/jls.dcm`` (200 x 512 x 512 int16),
``rgb/jls.dcm`` (30 x 480 x 640 x 3 uint8), ``tiny/jls.dcm`` (1000 x 64 x 64 uint16,
Bits Stored 12), and their ``native.dcm`` for encoding.

Every contender of a table is timed round-robin (the starting contender rotates each
round), its first call is a validated warm-up, and figures are medians with min-max.
Ratios are medians of per-round (paired) time ratios, so machine drift cancels out.

Decode contenders (whole file, all frames, into one array):

* ``raw imagecodecs.jpegls_decode(out=)`` / ``raw pyjpegls decode_from_buffer``: the
  CharLS builds called directly on pre-extracted frames, decoding into (or copying
  into) one preallocated array; "raw CharLS" is the faster of the two in each round;
* ``dicodec pixel_array(path, workers=1|2)``: read, parse, decode, correct; and
  with ``out=`` a preallocated array (as the raw contenders have);
* ``pydicom pixel_array(path)[plugin]``: pydicom's JPEG-LS plugins (pyjpegls, gdcm;
  pylibjpeg with ``--all``).

Encode contenders (the first frames of the native file, lossless):

* ``pydicom Dataset.compress[pyjpegls]``: as the shared harness times it;
* ``dicodec Dataset.compress``: the core's compress (frames one after another);
* ``dicodec Encoder.encode x2 threads``: the same codec calls spread over two
  threads with the public ``Encoder.encode`` (what a ``compress(workers=2)`` in the
  core would do); ``dicodec Dataset.compress(workers=2)`` when the core has it;
* ``raw imagecodecs.jpegls_encode`` / ``raw pyjpegls encode_buffer``.

Targets checked at the end (from the plugin's issue): decode single-threaded >= 0.95x
raw CharLS; decode with ``workers=2`` >= 1.8x pydicom's best; encode >= 1.5x
pydicom's pyjpegls path.

Usage::

    python tests/benchmarks/bench_jpegls.py                 # mf, rgb, tiny; ~3 min
    python tests/benchmarks/bench_jpegls.py --workloads mf --rounds 9 --sections decode,encode
    python tests/benchmarks/bench_jpegls.py --json /tmp/jls.json
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(os.environ.get("DCMBENCH_DATA", "/tmp/dcmbench-data"))
JLS = "1.2.840.10008.1.2.4.80"
ENCODE_FRAMES = {"mf": 24, "rgb": 6, "tiny": 200}

Runner = Callable[[], Any]
Setup = Callable[[], Runner]


# --------------------------------------------------------------------------- timing
def round_robin(contenders: dict[str, Setup], rounds: int, check: Callable[[str, Any], None]) -> dict[str, list[float]]:
    """Time every contender ``rounds`` times, rotating the order; setup is not timed."""
    names = list(contenders)
    times: dict[str, list[float]] = {n: [] for n in names}
    for name in names:  # warm-up + validation
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


def paired(times: dict[str, list[float]], a: str, b: str | list[str]) -> tuple[float, float, float]:
    """Median (min, max) over rounds of time[b] / time[a] (> 1: ``a`` is faster).

    With a list for ``b``, each round uses the fastest of them.
    """
    bs = [b] if isinstance(b, str) else b
    ratios = [min(times[x][i] for x in bs) / times[a][i] for i in range(len(times[a]))]
    return statistics.median(ratios), min(ratios), max(ratios)


def table(title: str, times: dict[str, list[float]], nbytes: int, frames: int) -> None:
    print(f"\n### {title}\n")
    print("| contender | MB/s median (min-max) | ms/call | µs/frame |")
    print("|---|---|---|---|")
    for name, ts in sorted(times.items(), key=lambda kv: statistics.median(kv[1])):
        med = statistics.median(ts)
        print(
            f"| {name} | {nbytes / med / 1e6:,.0f} ({nbytes / max(ts) / 1e6:,.0f}-{nbytes / min(ts) / 1e6:,.0f}) "
            f"| {med * 1e3:,.1f} | {med / frames * 1e6:,.0f} |"
        )


# --------------------------------------------------------------------------- data
def workload(key: str) -> dict[str, Any]:
    manifest = json.loads((DATA / "manifest.json").read_text())
    info = manifest["workloads"][key]
    info["ref_array"] = np.load(info["ref"], mmap_mode="r")
    return info


def jls_frames(path: Path) -> tuple[list[bytes], Any]:
    import dicodec
    from dicodec import encaps

    ds = dicodec.dcmread(path)
    n = int(getattr(ds, "NumberOfFrames", 1) or 1)
    return list(encaps.generate_frames(ds.PixelData, number_of_frames=n)), ds


# --------------------------------------------------------------------------- decode
def decode_contenders(key: str, info: dict[str, Any], plugins: list[str]) -> tuple[dict[str, Setup], int, int]:
    import imagecodecs
    import jpeg_ls
    import pydicom.pixels

    from dicodec.pixels import pixel_array

    path = DATA / key / "jls.dcm"
    frames, _ = jls_frames(path)
    ref = info["ref_array"]
    shape = ref.shape if len(frames) > 1 else (1, *ref.shape)
    dtype = ref.dtype
    unsigned = np.dtype(f"u{dtype.itemsize}")
    out = np.empty(shape, dtype)
    out.fill(0)  # pre-touched
    view = out.view(unsigned)

    def raw_imagecodecs() -> Runner:
        def run() -> np.ndarray:
            for i, f in enumerate(frames):
                imagecodecs.jpegls_decode(f, out=view[i])
            return out

        return run

    def raw_pyjpegls() -> Runner:
        def run() -> np.ndarray:
            for i, f in enumerate(frames):
                view[i] = np.frombuffer(jpeg_ls.decode_from_buffer(f), unsigned).reshape(view.shape[1:])
            return out

        return run

    def dicodec_pa(workers: int) -> Setup:
        return lambda: (lambda: pixel_array(str(path), workers=workers))

    def dicodec_pa_out() -> Runner:
        return lambda: pixel_array(str(path), workers=1, out=out.reshape(ref.shape))

    def pydicom_pa(plugin: str) -> Setup:
        return lambda: (lambda: pydicom.pixels.pixel_array(str(path), decoding_plugin=plugin))

    contenders: dict[str, Setup] = {
        "raw imagecodecs.jpegls_decode(out=)": raw_imagecodecs,
        "raw pyjpegls decode_from_buffer": raw_pyjpegls,
        "dicodec pixel_array(path, workers=1)": dicodec_pa(1),
        "dicodec pixel_array(path, workers=2)": dicodec_pa(2),
        "dicodec pixel_array(path, workers=1, out=buf)": dicodec_pa_out,
    }
    for plugin in plugins:
        contenders[f"pydicom pixel_array(path)[{plugin}]"] = pydicom_pa(plugin)
    return contenders, int(ref.nbytes), len(frames)


def per_frame_contenders(key: str) -> tuple[dict[str, Setup], int]:
    """Framework overhead per frame: one frame at a time from a data set in memory."""
    import imagecodecs

    import dicodec
    from dicodec.pixels import get_decoder, iter_pixels

    path = DATA / key / "jls.dcm"
    frames, _ = jls_frames(path)
    ds = dicodec.dcmread(path)
    decoder = get_decoder(JLS)
    n = len(frames)
    decoder.as_array(ds, index=0)  # builds the cached source and plan

    def raw() -> Runner:
        def run() -> None:
            for f in frames:
                imagecodecs.jpegls_decode(f)

        return run

    def indexed() -> Runner:
        def run() -> None:
            for i in range(n):
                decoder.as_array(ds, index=i)

        return run

    def iterate() -> Runner:
        def run() -> None:
            for _ in iter_pixels(str(path)):
                pass

        return run

    return {
        "raw imagecodecs.jpegls_decode (new array per frame)": raw,
        "dicodec get_decoder().as_array(ds, index=i)": indexed,
        "dicodec iter_pixels(path)": iterate,
    }, n


# --------------------------------------------------------------------------- encode
def encode_contenders(key: str, info: dict[str, Any]) -> tuple[dict[str, Setup], np.ndarray]:
    import imagecodecs
    import jpeg_ls
    from pydicom.dataset import Dataset as PDataset
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import UID

    from dicodec import Dataset, encaps
    from dicodec.pixels import compress, get_encoder, set_pixel_data

    nframes = ENCODE_FRAMES[key]
    ref = np.asarray(info["ref_array"])
    arr = np.ascontiguousarray(ref[:nframes])  # every workload here is multi-frame
    spp = info["samples_per_pixel"]
    pi = info["photometric_interpretation"] if spp == 1 else "RGB"
    bits_stored = info["bits_stored"]
    signed = info["pixel_representation"]

    def pydicom_compress() -> Runner:
        ds = PDataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.SOPInstanceUID = "1.2.3.4"
        ds.Rows, ds.Columns = arr.shape[1], arr.shape[2]
        ds.SamplesPerPixel = spp
        ds.PhotometricInterpretation = pi
        if spp > 1:
            ds.PlanarConfiguration = 0
        ds.BitsAllocated = arr.dtype.itemsize * 8
        ds.BitsStored = bits_stored
        ds.HighBit = bits_stored - 1
        ds.PixelRepresentation = signed
        ds.NumberOfFrames = arr.shape[0]

        def run() -> Any:
            ds.compress(UID(JLS), arr, encoding_plugin="pyjpegls", generate_instance_uid=False)
            return ds.PixelData

        return run

    def dicodec_ds() -> Any:
        ds = Dataset()
        set_pixel_data(ds, arr, pi, bits_stored, generate_instance_uid=False)
        return ds

    def dicodec_compress() -> Runner:
        ds = dicodec_ds()

        def run() -> Any:
            ds.compress(JLS, arr, generate_instance_uid=False)
            return ds.PixelData

        return run

    def dicodec_compress_workers() -> Runner:
        ds = dicodec_ds()

        def run() -> Any:
            ds.compress(JLS, arr, generate_instance_uid=False, workers=2)
            return ds.PixelData

        return run

    def dicodec_threads() -> Runner:
        from dicodec.pixels.encoder import _spec_for_array

        ds = dicodec_ds()
        spec, _ = _spec_for_array(ds, arr, JLS)
        encoder = get_encoder(JLS)
        codecs = encoder.codecs_for(spec)

        def one(i: int) -> bytes:
            return bytes(encoder.encode(arr[i], spec, index=i, codecs=codecs)[0].data)

        def run() -> Any:
            with ThreadPoolExecutor(2) as pool:
                return encaps.encapsulate(list(pool.map(one, range(arr.shape[0]))))

        return run

    unsigned = np.dtype(f"u{arr.dtype.itemsize}")

    def raw_imagecodecs() -> Runner:
        return lambda: [imagecodecs.jpegls_encode(f.view(unsigned)) for f in arr]

    def raw_pyjpegls() -> Runner:
        rows, cols = arr.shape[1], arr.shape[2]
        ilv = 2 if spp > 1 else 0
        return lambda: [jpeg_ls.encode_buffer(f.tobytes(), rows, cols, spp, bits_stored, 0, ilv) for f in arr]

    contenders: dict[str, Setup] = {
        "pydicom Dataset.compress[pyjpegls]": pydicom_compress,
        "dicodec Dataset.compress": dicodec_compress,
        "dicodec Encoder.encode x2 threads": dicodec_threads,
        "raw imagecodecs.jpegls_encode": raw_imagecodecs,
        "raw pyjpegls encode_buffer": raw_pyjpegls,
    }
    if "workers" in inspect.signature(compress).parameters:  # the proposed core change
        contenders["dicodec Dataset.compress(workers=2)"] = dicodec_compress_workers
    return contenders, arr


def check_encoded(arr: np.ndarray) -> Callable[[str, Any], None]:
    import imagecodecs

    from dicodec import encaps

    def check(name: str, result: Any) -> None:
        if isinstance(result, (bytes, bytearray)):
            frames = list(encaps.generate_frames(result, number_of_frames=arr.shape[0]))
        else:
            frames = [bytes(f) for f in result]
        got = np.stack([imagecodecs.jpegls_decode(f) for f in frames]).reshape(arr.shape)
        if not np.array_equal(got.view(arr.dtype), arr):
            raise AssertionError(f"{name}: the encoded frames do not decode to the input")

    return check


def check_decoded(ref: np.ndarray) -> Callable[[str, Any], None]:
    def check(name: str, result: Any) -> None:
        if result is None:
            return
        got = np.asarray(result).reshape(ref.shape)
        if got.dtype != ref.dtype or not np.array_equal(got, ref):
            raise AssertionError(f"{name}: decoded pixels differ from the reference")

    return check


# --------------------------------------------------------------------------- sections
Verdict = tuple[str, float, float, float, float]


def decode_section(key: str, info: dict[str, Any], args: Any, results: dict[str, Any], verdicts: list[Verdict]) -> None:
    ref = np.asarray(info["ref_array"])
    plugins = [p.strip() for p in args.pydicom_plugins.split(",") if p.strip()]
    contenders, nbytes, nframes = decode_contenders(key, info, plugins)
    times = round_robin(contenders, args.rounds, check_decoded(ref))
    table(f"{key}: decode {nframes} frame(s), {nbytes / 1e6:.1f} MB", times, nbytes, nframes)
    raw = ["raw imagecodecs.jpegls_decode(out=)", "raw pyjpegls decode_from_buffer"]
    pyd = [n for n in times if n.startswith("pydicom")]
    one = paired(times, "dicodec pixel_array(path, workers=1)", raw)
    one_out = paired(times, "dicodec pixel_array(path, workers=1, out=buf)", raw)
    one_pyd = paired(times, "dicodec pixel_array(path, workers=1)", pyd)
    two = paired(times, "dicodec pixel_array(path, workers=2)", pyd)
    fastest_raw = statistics.median([min(times[r][i] for r in raw) for i in range(args.rounds)])
    overhead = (statistics.median(times["dicodec pixel_array(path, workers=1)"]) - fastest_raw) / nframes
    print(
        f"\nworkers=1 vs raw CharLS (speed ratio, paired): {one[0]:.2f} ({one[1]:.2f}-{one[2]:.2f}); "
        f"framework overhead {overhead * 1e6:,.0f} µs/frame"
    )
    print(f"workers=1 into a preallocated out= vs raw CharLS: {one_out[0]:.2f} ({one_out[1]:.2f}-{one_out[2]:.2f})")
    if pyd:
        print(f"workers=1 vs pydicom's best: {one_pyd[0]:.2f} ({one_pyd[1]:.2f}-{one_pyd[2]:.2f})")
        print(f"workers=2 vs pydicom's best: {two[0]:.2f} ({two[1]:.2f}-{two[2]:.2f})")
        verdicts.append((f"{key} decode workers=2 vs pydicom's best", *two, 1.8))
    verdicts.append((f"{key} decode workers=1 vs raw CharLS", *one, 0.95))
    verdicts.append((f"{key} decode workers=1, out= vs raw CharLS", *one_out, 0.95))
    results[f"{key}/decode"] = times


def perframe_section(key: str, args: Any, results: dict[str, Any]) -> None:
    contenders, n = per_frame_contenders(key)
    times = round_robin(contenders, args.rounds, lambda name, result: None)
    print(f"\n{key}: one frame at a time (framework overhead)")
    base = statistics.median(times["raw imagecodecs.jpegls_decode (new array per frame)"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"- {name}: {med / n * 1e6:,.1f} µs/frame ({(med - base) / n * 1e6:+,.1f} vs raw)")
    results[f"{key}/perframe"] = times


def encode_section(key: str, info: dict[str, Any], args: Any, results: dict[str, Any], verdicts: list[Verdict]) -> None:
    contenders, arr = encode_contenders(key, info)
    times = round_robin(contenders, args.rounds, check_encoded(arr))
    table(f"{key}: encode {arr.shape[0]} frame(s) lossless, {arr.nbytes / 1e6:.1f} MB in", times, arr.nbytes, arr.shape[0])
    seq = paired(times, "dicodec Dataset.compress", "pydicom Dataset.compress[pyjpegls]")
    threaded = next(n for n in ("dicodec Dataset.compress(workers=2)", "dicodec Encoder.encode x2 threads") if n in times)
    thr = paired(times, threaded, "pydicom Dataset.compress[pyjpegls]")
    print(f"\ndicodec compress vs pydicom compress[pyjpegls]: {seq[0]:.2f} ({seq[1]:.2f}-{seq[2]:.2f})")
    print(f"{threaded} vs pydicom compress[pyjpegls]: {thr[0]:.2f} ({thr[1]:.2f}-{thr[2]:.2f})")
    verdicts.append((f"{key} encode compress() vs pydicom[pyjpegls]", *seq, 1.5))
    verdicts.append((f"{key} encode {threaded} vs pydicom[pyjpegls]", *thr, 1.5))
    results[f"{key}/encode"] = times


# --------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", default="mf,rgb,tiny")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument(
        "--pydicom-plugins", default="pyjpegls,gdcm", help="pydicom decoding plugins to time (pylibjpeg is slow)"
    )
    ap.add_argument("--sections", default="decode,perframe,encode", help="any of decode, perframe, encode")
    ap.add_argument("--json", help="write the raw samples here")
    args = ap.parse_args()

    import imagecodecs
    import jpeg_ls
    import pydicom

    import dicodec

    print(f"# JPEG-LS benchmark ({time.strftime('%Y-%m-%d %H:%M')})\n")
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
        f"dicodec {dicodec.__version__}, pydicom {pydicom.__version__}, imagecodecs {imagecodecs.__version__} "
        f"({imagecodecs.jpegls_version()}), pyjpegls {jpeg_ls.__version__}; {args.rounds} rounds"
    )
    sections = {s.strip() for s in args.sections.split(",")}
    results: dict[str, Any] = {}
    verdicts: list[Verdict] = []
    for key in [k.strip() for k in args.workloads.split(",") if k.strip()]:
        info = workload(key)
        if "decode" in sections:
            decode_section(key, info, args, results, verdicts)
        if "perframe" in sections and (key == "tiny" or int(info.get("frames", 1)) >= 100):
            perframe_section(key, args, results)
        if "encode" in sections:
            encode_section(key, info, args, results, verdicts)

    print("\n### Targets\n")
    print("| measure | ratio median (min-max) | target | met |")
    print("|---|---|---|---|")
    for name, med, lo, hi, target in verdicts:
        print(f"| {name} | {med:.2f} ({lo:.2f}-{hi:.2f}) | >= {target} | {'yes' if med >= target else 'NO'} |")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (2 cores shared: numbers are noisy when it is high)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
