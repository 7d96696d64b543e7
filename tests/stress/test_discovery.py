"""Plugin discovery is thread-safe and happens once.

Each test starts a fresh interpreter (so discovery has not happened yet) running
``discovery_run.py``: 8 threads released together by a barrier enter discovery through
different public routes while ``importlib.metadata.entry_points`` and ``EntryPoint.load``
are counted. The ``dicodec.plugins`` group must be read exactly once and each plugin
loaded exactly once per registry, and every thread must see the same registry object, the
same codec lists and plugin statuses, equal to what a single thread sees. Four more rounds
per process race ``reset_registry()`` + rediscovery (plugin modules already imported).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def run(threads: int, rounds: int, seed: int) -> dict[str, Any]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DICODEC_DISABLE_AUTOLOAD", "DICODEC_BLOCK")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(
        [sys.executable, str(HERE / "discovery_run.py"), str(threads), str(rounds), str(seed)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("seed", [0, 3])
def test_discovery_from_many_threads_happens_once(seed: int) -> None:
    out = run(8, 4, seed)
    assert not out["errors"], "\n".join(out["errors"][:5])
    counts = out["cold_counts"]
    assert counts.get("entry_points(dicodec.plugins)") == 1, counts
    loads = {k: v for k, v in counts.items() if k.startswith("load:")}
    assert loads, counts
    assert set(loads.values()) == {1}, f"a plugin was loaded more than once: {loads}"
    truth = out["truth"]
    assert "rle.c" in truth["codecs"] and "native.numpy" in truth["codecs"]
    assert all(status == "loaded" for _, status, _ in truth["plugins"]), truth["plugins"]
    assert len(out["cold"]) == 8
    registries = {s["registry"] for s in out["cold"]}
    assert len(registries) == 1, "threads saw different registry objects"
    for rnd, seen in enumerate([out["cold"], *out["warm"]]):
        assert len(seen) == 8, f"round {rnd}: {len(seen)} threads reported"
        assert len({s["registry"] for s in seen}) == 1, f"round {rnd}: several registries"
        for s in seen:
            for key in ("codecs", "rle", "j2k", "plugins", "generation"):
                assert s[key] == truth[key], (
                    f"round {rnd}: a thread saw {key} = {s[key]}, one thread sees {truth[key]}"
                )
