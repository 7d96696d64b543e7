"""Decode the same files many times in one process and report how the memory grows.

Usage::

    python tests/stress/leak_run.py [--passes N] [--all | --max-files K] [--generated]
                                    [--all-codecs] [--inject-leak BYTES] [--json] [--progress]
    python tests/stress/leak_run.py --per-codec N

One pass, for every file: read and parse it whole (``dcmread``, every element's value
converted, sequences included), read only the header (``stop_before_pixels``), then decode
its pixels from the path (``pixel_array``) and from the data set, one frame at a time
(``iter_pixels``) and, with ``--all-codecs``, once with every installed codec for its
transfer syntax. Files the corpus manifest expects to fail must raise a
:class:`~dicodec.errors.DicodecError` (anything else is counted as ``unexpected``).
``--generated`` adds the images of ``dicodec.examples`` (compressed ones included).

The resident set size (RSS, from ``/proc/self/statm``) is measured at the end of every
pass after ``gc.collect()`` and glibc's ``malloc_trim(0)`` (free heap memory the allocator
kept is not a leak; the untrimmed RSS is reported too). The result: RSS after pass 1 (everything warm: plugins,
codec libraries, caches), after the last pass, and the growth between them in percent.
``--inject-leak`` keeps BYTES per decode alive on purpose (to check that the harness sees
a leak). ``--per-codec N`` instead decodes every generated compressed example N times with
each installed codec and prints the RSS growth per codec (a leak probe per codec). Prints a short report, or one JSON object with ``--json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """Resident set size of this process."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except OSError:  # pragma: no cover - not Linux
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def trim_heap() -> None:
    """Give free heap memory back to the system (glibc ``malloc_trim``), where available.

    Without it RSS counts memory that is free but kept by the allocator: glibc's dynamic
    mmap threshold moves large arrays (a 24 MiB multi-frame output) from ``mmap`` to the
    heap after the first one is freed, and a freed block below the top of the heap stays
    resident. That is fragmentation, not a leak; trimming separates the two.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def select_files(all_files: bool, max_files: int) -> list[tuple[Path, str]]:
    """(path, expect) of corpus files: all, or the smallest ``max_files`` spread over expectations."""
    from tests.corpus import corpus_path, corpus_rows

    rows = [r for r in corpus_rows() if corpus_path(r).is_file()]
    files = [(corpus_path(r), r["expect"]) for r in rows]
    if all_files:
        return files
    files.sort(key=lambda f: (f[0].stat().st_size, str(f[0])))
    # the smallest files of each expectation, round robin, so errors are exercised too
    by_expect: dict[str, list[tuple[Path, str]]] = {}
    for f in files:
        by_expect.setdefault(f[1], []).append(f)
    chosen: list[tuple[Path, str]] = []
    while len(chosen) < max_files and any(by_expect.values()):
        for group in by_expect.values():
            if group and len(chosen) < max_files:
                chosen.append(group.pop(0))
    return chosen


def generated_files(folder: Path) -> list[tuple[Path, str]]:
    from dicodec import examples
    from dicodec.errors import DicodecError

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in examples.names():
        try:
            ds = examples.get(name)
        except DicodecError:
            continue
        path = folder / f"{name}.dcm"
        ds.save_as(path, enforce_file_format=True)
        out.append((path, "pixels" if "PixelData" in ds else "no-pixels"))
    return out


def touch_all(ds: Any) -> int:
    """Convert every element's value (sequences too); return how many were visited."""
    n = 0
    for elem in ds.iterall():
        _ = elem.value
        n += 1
    return n


class Pass:
    def __init__(self, all_codecs: bool, inject: int) -> None:
        self.all_codecs = all_codecs
        self.inject = inject
        self.kept: list[bytes] = []
        self.counts = {"files": 0, "decodes": 0, "expected_errors": 0, "unexpected": 0}
        self.unexpected: list[str] = []

    def decoded(self) -> None:
        self.counts["decodes"] += 1
        if self.inject:
            self.kept.append(os.urandom(self.inject))

    def run(self, files: list[tuple[Path, str]]) -> None:
        from dicodec.errors import DicodecError
        from dicodec.filereader import dcmread
        from dicodec.pixels import get_decoder, iter_pixels, pixel_array
        from dicodec.pixels.source import open_source
        from dicodec.plugins import get_registry

        registry = get_registry()
        for path, expect in files:
            self.counts["files"] += 1
            try:
                ds = dcmread(path)
                touch_all(ds)
                dcmread(path, stop_before_pixels=True)
            except DicodecError:
                if expect != "read-error":
                    self.fail(path, expect, "reading raised")
                self.counts["expected_errors"] += 1
                continue
            if expect == "no-pixels":
                continue
            try:
                arr = pixel_array(path)
                self.decoded()
                pixel_array(ds)
                self.decoded()
                for _ in iter_pixels(path):
                    pass
                self.decoded()
                del arr
            except DicodecError:
                if expect == "pixels":
                    self.fail(path, expect, "decoding raised")
                self.counts["expected_errors"] += 1
                continue
            except Exception as exc:  # a non-library error is a finding, but keep measuring
                self.fail(path, expect, f"{type(exc).__name__}: {exc}")
                continue
            if self.all_codecs:
                with open_source(ds) as source:
                    ts = source.desc.transfer_syntax
                for entry in registry.candidates(ts, "decode"):
                    if not entry.available:
                        continue
                    try:
                        get_decoder(ts).as_array(path, decoding_plugin=entry.name)
                        self.decoded()
                    except DicodecError:
                        pass  # a codec that refuses this image: fine

    def fail(self, path: Path, expect: str, what: str) -> None:
        self.counts["unexpected"] += 1
        if len(self.unexpected) < 20:
            self.unexpected.append(f"{path} (expect {expect}): {what}")


def per_codec(repeats: int) -> list[dict[str, Any]]:
    """Every codec on its generated example, ``repeats`` times after 200 warm decodes."""
    from dicodec import examples
    from dicodec.errors import DicodecError
    from dicodec.pixels import get_decoder
    from dicodec.plugins import get_registry

    registry = get_registry()
    rows = []
    for name in examples.names():
        try:
            ds = examples.get(name)
        except DicodecError:
            continue
        ts = str(ds.file_meta.TransferSyntaxUID)
        if "PixelData" not in ds or ts == "1.2.840.10008.1.2.1":
            continue
        for entry in registry.candidates(ts, "decode"):
            if not entry.available:
                continue
            decoder = get_decoder(ts)
            for _ in range(200):
                decoder.as_array(ds, decoding_plugin=entry.name)
            gc.collect()
            trim_heap()
            before = rss_bytes()
            for _ in range(repeats):
                decoder.as_array(ds, decoding_plugin=entry.name)
            gc.collect()
            trim_heap()
            grown = rss_bytes() - before
            rows.append(
                {
                    "example": name,
                    "codec": entry.name,
                    "decodes": repeats,
                    "grown_kib": grown // 1024,
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--passes", type=int, default=int(os.environ.get("DICODEC_LEAK_PASSES", "50"))
    )
    parser.add_argument(
        "--all", action="store_true", default=os.environ.get("DICODEC_LEAK_ALL", "") == "1"
    )
    parser.add_argument("--max-files", type=int, default=40)
    parser.add_argument("--generated", action="store_true")
    parser.add_argument("--all-codecs", action="store_true")
    parser.add_argument("--inject-leak", type=int, default=0)
    parser.add_argument("--tmp", default="")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--progress", action="store_true", help="one line per pass on stderr")
    parser.add_argument(
        "--per-codec", type=int, default=0, metavar="N",
        help="instead: decode each generated example N times with every codec, RSS growth per codec",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.per_codec:
        rows = per_codec(args.per_codec)
        if args.json:
            print(json.dumps(rows))
        for row in rows if not args.json else []:
            print(
                f"{row['example']:16} {row['codec']:20} {row['grown_kib']:+6d} KiB over {row['decodes']} decodes"
            )
        return 0

    import tempfile
    import warnings

    warnings.simplefilter("ignore")  # the corpus has many files dicodec warns about
    started = time.monotonic()
    files = select_files(args.all, args.max_files)
    if args.generated:
        files += generated_files(Path(args.tmp or tempfile.mkdtemp(prefix="dicodec-leak-")))
    if not files:
        print("no files (the corpus is absent; use --generated)", file=sys.stderr)
        return 2
    runner = Pass(args.all_codecs, args.inject_leak)
    rss: list[int] = []
    raw: list[int] = []
    times: list[float] = []
    for _ in range(args.passes):
        t = time.monotonic()
        runner.run(files)
        gc.collect()
        raw.append(rss_bytes())
        trim_heap()
        rss.append(rss_bytes())
        times.append(time.monotonic() - t)
        if args.progress:
            print(
                f"pass {len(rss)}: {rss[-1] / 2**20:.1f} MiB, {times[-1]:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    first, last = rss[0], rss[-1]
    result = {
        "files": len(files),
        "passes": args.passes,
        "decodes_per_pass": runner.counts["decodes"] // max(args.passes, 1),
        "counts": runner.counts,
        "unexpected": runner.unexpected,
        "rss_after_pass_1_mib": round(first / 2**20, 1),
        "rss_after_last_pass_mib": round(last / 2**20, 1),
        "rss_max_mib": round(max(rss) / 2**20, 1),
        "growth_percent": round(100.0 * (last - first) / first, 2),
        "rss_mib_by_pass": [round(r / 2**20, 1) for r in rss],
        "untrimmed_rss_mib_by_pass": [round(r / 2**20, 1) for r in raw],
        "seconds_per_pass": [round(t, 2) for t in times],
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key in ("files", "passes", "decodes_per_pass", "counts", "rss_after_pass_1_mib",
                    "rss_after_last_pass_mib", "rss_max_mib", "growth_percent", "wall_seconds"):  # fmt: skip
            print(f"{key:24} {result[key]}")
        print(f"{'rss_mib_by_pass':24} {result['rss_mib_by_pass']}")
        for line in runner.unexpected:
            print("unexpected:", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
