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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        return 0
