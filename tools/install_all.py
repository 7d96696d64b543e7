"""Install the core and every package of this repository into the running Python.

One ``pip install`` call (one dependency resolution) with, in this order:

* the core, editable, with its ``test`` extra: ``-e .[test]``;
* every ``plugins/<name>/`` folder that has a ``pyproject.toml``, editable;
* every ``contrib/<name>/`` folder that has a ``pyproject.toml``, editable.

A plugin or contrib package that declares a ``test`` extra is installed with it,
so its own test suite finds what it needs. A contrib package brings the
dependencies it declares as required (its reason to exist: python-gdcm, dask, ...);
backends it lists only as optional extras are not installed, and their tests skip.
Pass ``--no-contrib`` for a lighter install without the contrib packages.

Empty ``plugins/`` and ``contrib/`` folders are fine: then only the core is
installed.

Examples
--------
From the repository root::

    python tools/install_all.py                 # core[test] + plugins + contrib
    python tools/install_all.py --no-contrib    # core[test] + plugins
    python tools/install_all.py --dry-run       # print the pip command only
    python tools/install_all.py -- --no-deps    # pass more arguments to pip
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
from pathlib import Path

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    tomllib = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parents[1]


def _has_test_extra(pyproject: Path) -> bool:
    """Whether ``[project.optional-dependencies]`` of ``pyproject`` has a ``test`` key."""
    text = pyproject.read_text(encoding="utf-8")
    if tomllib is not None:
        extras = tomllib.loads(text).get("project", {}).get("optional-dependencies", {})
        return "test" in extras
    # Python 3.10 has no TOML parser in the standard library: look for the table by hand.
    in_extras = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_extras = stripped == "[project.optional-dependencies]"
        elif in_extras and stripped.split("=", 1)[0].strip().strip("\"'") == "test":
            return True
    return False


def packages(include_contrib: bool = True) -> list[str]:
    """The pip requirement arguments, relative to the repository root.

    Parameters
    ----------
    include_contrib : bool
        Also list the ``contrib/*`` packages.

    Returns
    -------
    list of str
        ``["-e", ".[test]", "-e", "plugins/rle[test]", ...]``.
    """
    args = ["-e", ".[test]"]
    groups = ["plugins", "contrib"] if include_contrib else ["plugins"]
    for group in groups:
        folder = ROOT / group
        if not folder.is_dir():
            continue
        for pkg in sorted(p for p in folder.iterdir() if (p / "pyproject.toml").is_file()):
            target = f"{group}/{pkg.name}"
            if _has_test_extra(pkg / "pyproject.toml"):
                target += "[test]"
            args += ["-e", target]
    return args


def main(argv: list[str] | None = None) -> int:
    """Run pip; returns its exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-contrib", action="store_true", help="skip the contrib/* packages")
    parser.add_argument("--dry-run", action="store_true", help="print the pip command only")
    parser.add_argument("pip_args", nargs="*", help="more pip arguments (after --)")
    args = parser.parse_args(argv)
    cmd = [sys.executable, "-m", "pip", "install", *packages(not args.no_contrib), *args.pip_args]
    print("+ " + shlex.join(cmd), flush=True)
    if args.dry_run:
        return 0
    return subprocess.call(cmd, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
