"""The ``dicodec`` command line.

Examples
--------
>>> from dicodec.cli import main
>>> main(["--version"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _show(args: argparse.Namespace) -> int:
    from .errors import DicodecError
    from .filereader import dcmread

    status = 0
    for path in args.files:
        try:
            ds = dcmread(path, force=args.force, stop_before_pixels=args.no_pixels)
        except (DicodecError, OSError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 1
            continue
        if len(args.files) > 1:
            print(f"# {path}")
        print(ds.top() if args.top else str(ds))
    return status


def _plugins(args: argparse.Namespace) -> int:
    from .plugins import report
    from .uid import UID

    rows = report()
    if args.json:
        import json

        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("no dicodec plugins are installed (pip install dicodec-native, dicodec-rle, ...)")
        return 0
    for plugin in rows:
        where = plugin["distribution"] or "registered in code"
        version = f" {plugin['version']}" if plugin["version"] else ""
        print(f"{plugin['name']}  [{where}{version}]  {plugin['status']}")
        if plugin["error"]:
            print(f"    error: {plugin['error']}")
        for codec in plugin["codecs"]:
            roles = "/".join(r for r in ("decode", "encode") if codec[r])
            state = "available" if codec["available"] else f"unavailable: {codec['reason']}"
            if codec["blocked"]:
                state = "blocked"
            gil = ", releases the GIL" if codec["releases_gil"] else ""
            print(f"  {codec['name']}  {roles}  priority {codec['priority']}  {state}{gil}")
            for ts in codec["transfer_syntaxes"]:
                print(f"      {ts}  {UID(ts).name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``dicodec`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="dicodec", description="Read, write and transcode DICOM files.")
    parser.add_argument("--version", action="version", version=f"dicodec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print a data set like str(ds)")
    show.add_argument("files", nargs="+", help="DICOM files")
    show.add_argument("--force", action="store_true", help="read files without the DICM prefix")
    show.add_argument("--top", action="store_true", help="top-level elements only")
    show.add_argument("--no-pixels", action="store_true", help="stop before Pixel Data")
    show.set_defaults(func=_show)
    plugins = sub.add_parser("plugins", help="list plugins and codecs, and why any is unavailable")
    plugins.add_argument("--json", action="store_true", help="machine-readable output")
    plugins.set_defaults(func=_plugins)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        return 0
