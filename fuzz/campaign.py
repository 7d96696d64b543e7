"""Run a fuzz campaign: a list of (target, runs), at most two targets at a time.

Usage::

    python fuzz/make_corpus.py                            # seeds first
    nohup nice -n 10 python fuzz/campaign.py > /tmp/fuzz-campaign.log 2>&1 &
    python fuzz/campaign.py --plan dcmread=200000,json=500000 --jobs 2
    python fuzz/campaign.py --probe 20                    # exec/s of every target, 20 s each

Each target runs ``fuzz/run_fuzz.py <target> -runs=N`` (the RLE C target ``rle_ext``
runs ``fuzz/rle/fuzz_decode.py`` on the instrumented extension with ASan, see
fuzz/rle/README.md). libFuzzer stops at the first finding; the campaign then records
it (artifact, signature, traceback), adds its signature to
``/tmp/fuzz-known/<target>.txt`` so the restarted target does not report it again,
minimises the input (in a subprocess, without atheris), stores it under
``tests/hardening/fuzz_regressions/<target>/`` and restarts the target with the
runs that are left (at most ``--max-restarts`` times).

Executions are counted from libFuzzer's final ``stat::number_of_executed_units`` /
``Done N runs`` lines, or from the count file the wrapper keeps when a finding ends
the process. The summary goes to ``/tmp/fuzz-campaign.json`` and a table is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
CORPUS = Path("/tmp/fuzz-corpus")
ARTIFACTS = Path("/tmp/fuzz-artifacts")
KNOWN = Path("/tmp/fuzz-known")
LOGS = Path("/tmp/fuzz-logs")
SUMMARY = Path("/tmp/fuzz-campaign.json")
FINDINGS_MD = Path("/tmp/fuzz-findings.md")
REGRESSIONS = REPO / "tests" / "hardening" / "fuzz_regressions"
RLE_EXT_DIR = Path("/tmp/fuzz-rle-ext")

# target -> (runs, max_len, max seconds); sized from a 20-s probe of every target on the
# shared 2-core machine (fuzz/campaign.py --probe 20): a target stops at its runs or its
# time, whichever comes first
DEFAULT_PLAN: list[tuple[str, int, int, int]] = [
    ("rle_ext", 6_000_000, 4096, 3000),
    ("encaps", 3_000_000, 4096, 1200),
    ("json", 2_000_000, 4096, 1200),
    ("dcmread", 300_000, 4096, 900),
    ("deflate", 200_000, 4096, 500),
    ("framereader", 200_000, 4096, 500),
    ("dicomdir", 200_000, 8192, 500),
    ("codec_native_numpy", 400_000, 4096, 200),
    ("codec_native_encapsulated", 400_000, 4096, 200),
    ("codec_native_deflate", 400_000, 4096, 200),
    ("codec_rle_c", 400_000, 4096, 200),
    ("codec_rle_pylibjpeg", 400_000, 4096, 200),
    ("codec_pylibjpeg_rle", 400_000, 4096, 200),
    ("codec_jpeg_turbo", 400_000, 4096, 200),
    ("codec_jpeg_libjpeg", 400_000, 4096, 200),
    ("codec_pylibjpeg_libjpeg", 400_000, 4096, 200),
    ("codec_jpeg2k_openjpeg", 400_000, 4096, 200),
    ("codec_jpeg2k_imagecodecs", 400_000, 4096, 200),
    ("codec_pylibjpeg_openjpeg", 400_000, 4096, 200),
    ("codec_jpegls_charls", 400_000, 4096, 200),
    ("codec_jpegls_imagecodecs", 400_000, 4096, 200),
    ("codec_jpegls_libjpeg", 400_000, 4096, 200),
]

_lock = threading.Lock()


def log(msg: str) -> None:
    with _lock:
        print(time.strftime("%H:%M:%S"), msg, flush=True)


# ----------------------------------------------------------------- commands
def rle_ext_env() -> dict[str, str]:
    """Environment of the instrumented RLE target (built on first use)."""
    import atheris

    ext = sorted(RLE_EXT_DIR.glob("_rle*.so"))
    if not ext:
        subprocess.run([PY, str(HERE / "rle" / "build_fuzz_ext.py"), str(RLE_EXT_DIR)], check=True)
        ext = sorted(RLE_EXT_DIR.glob("_rle*.so"))
    env = dict(os.environ)
    env["LD_PRELOAD"] = os.path.join(atheris.path(), "asan_with_fuzzer.so")
    env["ASAN_OPTIONS"] = "detect_leaks=0:allocator_may_return_null=1"
    env["DICODEC_RLE_FUZZ_EXT"] = str(ext[0])
    return env


def ensure_rle_seeds() -> None:
    seeds = CORPUS / "rle_ext"
    if not seeds.is_dir() or not any(seeds.iterdir()):
        subprocess.run(
            [PY, str(HERE / "rle" / "make_seeds.py"), str(seeds), "--max-bytes", "100000"],
            check=True,
        )


def command(
    target: str, runs: int, max_len: int, max_time: int
) -> tuple[list[str], dict[str, str]]:
    art = ARTIFACTS / target
    art.mkdir(parents=True, exist_ok=True)
    corpus = CORPUS / target
    corpus.mkdir(parents=True, exist_ok=True)
    flags = [
        f"-runs={runs}",
        f"-max_len={max_len}",
        "-timeout=10",
        "-rss_limit_mb=2048",
        f"-max_total_time={max_time}",
        f"-artifact_prefix={art}/",
        "-print_final_stats=1",
        str(corpus),
    ]
    if target == "rle_ext":
        ensure_rle_seeds()
        return [
            PY,
            str(HERE / "rle" / "fuzz_decode.py"),
            "-use_value_profile=1",
            *flags,
        ], rle_ext_env()
    env = dict(os.environ)
    env["RUST_BACKTRACE"] = (
        "0"  # a Rust codec's panic (wrapped in CodecError) need not print a backtrace
    )
    KNOWN.mkdir(parents=True, exist_ok=True)
    env["DICODEC_FUZZ_KNOWN"] = str(KNOWN / f"{target}.txt")
    env["DICODEC_FUZZ_COUNT"] = str(LOGS / f"{target}.count")
    return [PY, str(HERE / "run_fuzz.py"), target, *flags], env


# ----------------------------------------------------------------- parsing
def executed(text: str) -> int | None:
    m = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
    if m:
        return int(m[-1])
    m = re.findall(r"Done (\d+) runs", text)
    if m:
        return int(m[-1])
    return None


def last_progress(text: str) -> int:
    m = re.findall(r"^#(\d+)\s", text, re.M)
    return int(m[-1]) if m else 0


def finding_of(text: str) -> dict[str, str]:
    sig = re.findall(r"FUZZ-SIGNATURE: (.+)", text)
    tb = ""
    m = re.search(r"=== Uncaught Python exception: ===\n(.*?)(?:\n==\d+==|\nMS:|\Z)", text, re.S)
    if m:
        tb = m.group(1).strip()
    kind = "crash"
    if "libFuzzer: timeout" in text:
        kind = "timeout"
    elif "out-of-memory" in text:
        kind = "oom"
    elif "deadly signal" in text:
        kind = "signal"
    elif "ERROR: AddressSanitizer" in text:
        kind = "asan"
    art = re.findall(r"Test unit written to (\S+)", text)
    return {
        "kind": kind,
        "signature": sig[-1].strip() if sig else kind,
        "traceback": tb,
        "artifact": art[-1] if art else "",
    }


# ----------------------------------------------------------------- minimising
MINIMIZER = r"""
import sys, time
sys.path.insert(0, {here!r})
sys.setrecursionlimit(5000)
import targets, run_fuzz
func = targets.TARGETS[{target!r}]
want = {sig!r}
data = open({src!r}, 'rb').read()
deadline = time.time() + {budget}
def fails(d):
    try:
        func(d)
    except Exception as exc:
        return run_fuzz.signature(exc) == want
    return False
if not fails(data):
    print('NOT-REPRODUCED'); sys.exit(0)
chunk = max(1, len(data) // 2)
while chunk >= 1 and time.time() < deadline:
    i, progress = 0, False
    while i < len(data) and time.time() < deadline:
        cand = data[:i] + data[i + chunk:]
        if cand and fails(cand):
            data, progress = cand, True
        else:
            i += chunk
    if not progress:
        chunk //= 2
for i in range(len(data)):  # zero bytes where possible (more readable)
    if time.time() > deadline:
        break
    if data[i]:
        cand = data[:i] + b'\0' + data[i + 1:]
        if fails(cand):
            data = cand
open({dst!r}, 'wb').write(data)
print('MINIMIZED', len(data))
"""


def minimize(target: str, src: str, sig: str, dst: Path, budget: int = 90) -> bool:
    code = MINIMIZER.format(
        here=str(HERE), target=target, sig=sig, src=src, dst=str(dst), budget=budget
    )
    try:
        out = subprocess.run(
            [PY, "-c", code],
            capture_output=True,
            text=True,
            timeout=budget + 60,
        ).stdout
    except subprocess.TimeoutExpired:
        return False
    return "MINIMIZED" in out


def slug(sig: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", sig).strip("_")[:60]


def record(target: str, info: dict[str, str], log_path: Path) -> dict[str, str]:
    """Store the (minimised) input as a regression file and note the finding."""
    art = info["artifact"]
    entry = dict(info, target=target, log=str(log_path), regression="")
    if not art or not os.path.exists(art):
        return entry
    data = Path(art).read_bytes()
    sha = hashlib.sha1(data).hexdigest()[:10]
    dest_dir = REGRESSIONS / target
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"{slug(info['signature'])}-{sha}.bin"
    if (
        target != "rle_ext"
        and info["kind"] == "crash"
        and minimize(target, art, info["signature"], dest)
    ):
        entry["minimized"] = "yes"
    else:
        shutil.copyfile(art, dest)
        entry["minimized"] = "no"
    entry["regression"] = str(dest.relative_to(REPO))
    entry["size"] = str(dest.stat().st_size)
    with _lock, open(FINDINGS_MD, "a") as fh:
        fh.write(
            f"\n## {target}: {info['kind']} {info['signature']}\n\n"
            f"- regression input: `{entry['regression']}` ({entry['size']} bytes, minimised: {entry['minimized']})\n"
            f"- libFuzzer artifact: `{art}`; log: `{log_path}`\n"
            f"- reproduce: `python -c \"import sys; sys.path.insert(0, 'fuzz'); import targets; "
            f"targets.TARGETS['{target}'](open('{entry['regression']}', 'rb').read())\"`\n\n"
            "```\n"
            + (info["traceback"][-3000:] or "(no Python traceback: see the log)")
            + "\n```\n"
        )
    return entry


# ----------------------------------------------------------------- running
def run_target(
    target: str, runs: int, max_len: int, max_time: int, max_restarts: int
) -> dict[str, object]:
    LOGS.mkdir(parents=True, exist_ok=True)
    total = 0
    findings: list[dict[str, str]] = []
    start = time.time()
    attempt = 0
    while total < runs and attempt <= max_restarts:
        left_time = int(max_time - (time.time() - start))
        if left_time < 15:
            break
        count_file = LOGS / f"{target}.count"
        count_file.unlink(missing_ok=True)
        cmd, env = command(target, runs - total, max_len, left_time)
        log_path = LOGS / f"{target}.{attempt}.log"
        log(f"start {target} attempt {attempt}: {runs - total} runs, <= {left_time} s")
        with open(log_path, "w") as fh:
            proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd="/tmp")
        text = log_path.read_text(errors="replace")
        n = executed(text)
        if n is None:
            n = last_progress(text)
            if count_file.exists():
                try:
                    n = max(n, int(count_file.read_text() or 0))
                except ValueError:
                    pass
        total += n
        if proc.returncode == 0:
            break
        info = finding_of(text)
        if not info["artifact"]:
            log(f"{target}: exit {proc.returncode} without an artifact, see {log_path}")
            break
        log(f"FINDING {target}: {info['kind']} {info['signature']} ({info['artifact']})")
        if info["kind"] == "crash" and target != "rle_ext":
            with open(KNOWN / f"{target}.txt", "a") as fh:
                fh.write(info["signature"] + "\n")
        findings.append(record(target, info, log_path))
        attempt += 1
        if info["kind"] != "crash" and attempt > 2:  # repeated hangs / OOMs cannot be skipped: stop
            break
    wall = time.time() - start
    result = {
        "target": target,
        "planned_runs": runs,
        "executions": total,
        "wall_s": round(wall, 1),
        "exec_per_s": round(total / wall, 1) if wall else 0,
        "max_len": max_len,
        "restarts": attempt,
        "findings": findings,
    }
    log(f"done {target}: {total} executions in {wall:.0f} s, {len(findings)} findings")
    return result


def write_summary(results: list[dict[str, object]], started: float) -> None:
    total = sum(int(r["executions"]) for r in results)  # type: ignore[call-overload]
    SUMMARY.write_text(
        json.dumps(
            {
                "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
                "wall_s": round(time.time() - started, 1),
                "total_executions": total,
                "targets": results,
            },
            indent=1,
        )
    )


def table(results: list[dict[str, object]]) -> str:
    lines = [f"{'target':28s} {'executions':>12s} {'wall s':>8s} {'exec/s':>8s} {'findings':>8s}"]
    for r in results:
        lines.append(
            f"{r['target']!s:28s} {r['executions']:>12,} {r['wall_s']:>8} {r['exec_per_s']:>8} {len(r['findings']):>8}"  # type: ignore[arg-type]
        )
    total = sum(int(r["executions"]) for r in results)  # type: ignore[call-overload]
    lines.append(f"{'TOTAL':28s} {total:>12,}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--plan", help="target=runs[:max_len[:seconds]],... (default: the built-in plan)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--max-time", type=int, default=900, help="seconds per target in --plan without its own"
    )
    parser.add_argument("--max-restarts", type=int, default=8)
    parser.add_argument(
        "--resume", action="store_true", help="keep the runs already in the summary, add these"
    )
    parser.add_argument(
        "--probe", type=int, default=0, help="only measure exec/s: this many seconds per target"
    )
    args = parser.parse_args()
    plan = DEFAULT_PLAN
    if args.plan:
        plan = []
        for part in args.plan.split(","):
            name, _, rest = part.partition("=")
            fields = rest.split(":")
            runs = int(fields[0])
            max_len = int(fields[1]) if len(fields) > 1 else 4096
            seconds = int(fields[2]) if len(fields) > 2 else args.max_time
            plan.append((name.strip(), runs, max_len, seconds))
    if args.probe:
        plan = [(t, 10**9, ml, args.probe) for t, _, ml, _ in plan]
    started = time.time()
    results: list[dict[str, object]] = []
    if args.resume and SUMMARY.exists():
        previous = json.loads(SUMMARY.read_text())
        results = list(previous["targets"])
        started -= float(previous.get("wall_s", 0))
        log(
            f"resuming: {len(results)} earlier runs kept, {previous['total_executions']} executions"
        )

    def job(item: tuple[str, int, int, int]) -> None:
        target, runs, max_len, seconds = item
        res = run_target(target, runs, max_len, seconds, 0 if args.probe else args.max_restarts)
        with _lock:
            results.append(res)
            write_summary(results, started)

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        list(pool.map(job, plan))
    order = {t: i for i, (t, _, _, _) in enumerate(DEFAULT_PLAN)}
    results.sort(key=lambda r: order.get(str(r["target"]), len(order)))
    write_summary(results, started)
    print(table(results), flush=True)


if __name__ == "__main__":
    main()
