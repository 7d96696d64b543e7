"""``import dicodec`` stays cheap: no numpy, no pluggy, no plugin.

Checked in a fresh interpreter, by the modules it loads (not by timing, which is
noisy); the timing lives in tests/benchmarks/bench_import.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pluggy")


def loaded_modules(code: str) -> set[str]:
    """The names in ``sys.modules`` after running ``code`` in a new interpreter."""
    script = f"import sys\n{code}\nprint(__import__('json').dumps(sorted(sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(
        m
        for m in modules
        if m.split(".")[0] in HEAVY or m.startswith("dicodec_") or m.split(".")[0] in ("pydicom", "imagecodecs")
    )


def test_import_dicodec_loads_no_numpy_pluggy_or_plugin() -> None:
    modules = loaded_modules("import dicodec")
    assert "dicodec" in modules
    assert heavy_in(modules) == []


@pytest.mark.parametrize(
    "code",
    [
        "import dicodec; dicodec.__version__; dicodec.DicodecError",
        "from dicodec import Dataset, FileDataset, Tag, dcmread, dcmwrite",
        "import dicodec.cli; dicodec.cli.build_parser()",
    ],
)
def test_core_entry_points_load_no_numpy_pluggy_or_plugin(code: str) -> None:
    assert heavy_in(loaded_modules(code)) == []
