"""Whole-process import cost: ``python -c "import dicodec"`` against bare Python and pydicom.

Each command is run in a fresh interpreter with ``subprocess.run`` and timed with
``perf_counter`` around it. The commands are alternated round-robin (the order
rotates every round) and the first round is a discarded warm-up. Reported: the
median wall time with min-max, and the cost above ``python -c pass`` as the median
of the per-round differences.

``PYTHONDONTWRITEBYTECODE`` is removed from the children's environment, as on a
user's machine: otherwise an editable install recompiles dicodec's sources at every
start while pydicom's installed ``.pyc`` files are used, which is not a fair
comparison. The warm-up round writes the ``__pycache__`` folders.

Examples
--------
From the repository root::

    python tests/benchmarks/bench_import.py             # 25 rounds
    python tests/benchmarks/bench_import.py --rounds 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass": "pass",
    'python -c "import dicodec"': "import dicodec",
    "import dicodec + dcmread (reader loaded)": "import dicodec; dicodec.dcmread",
    'python -c "import pydicom"': "import pydicom",
}


def main(argv: list[str] | None = None) -> int:
    """Run the rounds and print the table; returns 0 (1 if a command fails)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=25, help="timed rounds (default 25)")
    args = ap.parse_args(argv)

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    labels = list(COMMANDS)
    for label in labels:  # fail early, write the bytecode caches, warm the file system cache
        proc = subprocess.run([sys.executable, "-c", COMMANDS[label]], capture_output=True, text=True, env=env)
        if proc.returncode:
            print(f"{label} failed:\n{proc.stderr}", file=sys.stderr)
            return 1
    times: dict[str, list[float]] = {label: [] for label in labels}
    for i in range(args.rounds):
        k = i % len(labels)
        for label in labels[k:] + labels[:k]:
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-c", COMMANDS[label]], capture_output=True, env=env)
            times[label].append(time.perf_counter() - t0)

    bare = times[labels[0]]
    print(f"{args.rounds} rounds, {sys.executable} ({sys.version.split()[0]})\n")
    print(f"{'command':<42} {'wall ms median':>15} {'(min - max)':>17} {'ms above bare':>14}")
    for label in labels:
        samples = times[label]
        above = statistics.median(a - b for a, b in zip(samples, bare, strict=True)) * 1e3
        print(
            f"{label:<42} {statistics.median(samples) * 1e3:>15.1f} "
            f"({min(samples) * 1e3:>6.1f} - {max(samples) * 1e3:>6.1f}) {above:>14.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
