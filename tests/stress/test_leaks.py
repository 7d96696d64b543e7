"""Repeated decoding does not grow memory (no leaks in C code or caches).

Runs ``leak_run.py`` in a fresh process: every pass reads, parses and decodes the same
files (generated examples plus the smallest corpus files of every expectation), and the
resident set size after pass 1 (warm) is compared with the one after the last pass.
The CI version is short (``DICODEC_LEAK_PASSES``, default 6 passes, 30 corpus files);
the long version decodes the whole corpus 50 times::

    DICODEC_LEAK_PASSES=50 DICODEC_LEAK_ALL=1 python -m pytest tests/stress/test_leaks.py -s
    python tests/stress/leak_run.py --passes 50 --all --generated --progress

A second test checks that the harness sees a leak: a short run keeping 64 KiB per decode
alive must exceed the threshold.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ._data import env_flag, env_int

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PASSES = env_int("DICODEC_LEAK_PASSES", 6)
ALL = env_flag("DICODEC_LEAK_ALL")
MAX_GROWTH_PERCENT = 5.0


def leak_run(
    tmp_path: Path, *extra: str, passes: int = PASSES, max_files: int = 30
) -> dict[str, Any]:
    cmd = [sys.executable, str(HERE / "leak_run.py"), "--passes", str(passes), "--generated",
           "--tmp", str(tmp_path), "--json", *extra]  # fmt: skip
    cmd += ["--all"] if ALL else ["--max-files", str(max_files)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=24 * 3600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_repeated_decoding_does_not_grow_memory(tmp_path: Path) -> None:
    out = leak_run(tmp_path)
    summary = (
        f"{out['files']} files x {out['passes']} passes ({out['decodes_per_pass']} decodes per pass): "
        f"RSS {out['rss_after_pass_1_mib']} MiB after pass 1, {out['rss_after_last_pass_mib']} MiB "
        f"after the last, growth {out['growth_percent']} %, {out['wall_seconds']} s; "
        f"by pass {out['rss_mib_by_pass']} (untrimmed {out['untrimmed_rss_mib_by_pass']})"
    )
    print(summary, file=sys.stderr)
    assert out["decodes_per_pass"] >= 20, summary
    assert out["growth_percent"] < MAX_GROWTH_PERCENT, summary
    assert out["counts"]["unexpected"] == 0, (
        "files not behaving as the manifest says:\n" + "\n".join(out["unexpected"])
    )


def test_harness_sees_a_leak(tmp_path: Path) -> None:
    out = leak_run(tmp_path, "--inject-leak", "65536", passes=3, max_files=10)
    assert out["growth_percent"] > MAX_GROWTH_PERCENT, out
