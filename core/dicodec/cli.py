"""The ``dicodec`` command line.

Commands: ``show``, ``plugins``, ``info``, ``decode``, ``transcode``; ``dicodec CMD
--help`` shows an example for each. Exit status: 0 success, 1 when a file failed
(the others are still processed), 2 for a usage error.

Examples
--------
>>> from dicodec.cli import main
>>> from dicodec import examples
>>> main(["info", examples.get_path("ct")])  # doctest: +ELLIPSIS
file                .../ct.r1.dcm
transfer syntax     1.2.840.10008.1.2.1 (Explicit VR Little Endian)
...
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["main"]


def _show(args: argparse.Namespace) -> int:
    from .errors import DicodecError
    from .filereader import dcmread

    status = 0
    for path in args.files:
        try:
            ds = dcmread(path, force=args.force, stop_before_pixels=args.no_pixels)
        except BrokenPipeError:
            raise
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


def _resolve_ts(name: str) -> str:
    from . import uid as uid_module

    if name[:1].isdigit():
        return name
    value = getattr(uid_module, name, None)
    if isinstance(value, str):
        return str(value)
    for ts in uid_module.AllTransferSyntaxes:
        if ts.keyword.lower() == name.lower() or ts.name.lower() == name.lower():
            return str(ts)
    raise SystemExit(f"dicodec: unknown transfer syntax {name!r}: give a UID or a keyword such as RLELossless")


def _info(args: argparse.Namespace) -> int:
    from .errors import DicodecError
    from .framereader import FrameReader
    from .pixels.description import describe
    from .plugins import get_registry
    from .uid import UID

    status = 0
    for path in args.files:
        try:
            from .filereader import read_for_pixels

            ds, loc = read_for_pixels(path)
            meta = ds.file_meta
            ts = str(meta.get("TransferSyntaxUID") or "")
            print(f"{'file':<19} {path}")
            print(f"{'transfer syntax':<19} {ts} ({UID(ts).name if ts else 'unknown'})")
            print(f"{'SOP class':<19} {UID(str(ds.get('SOPClassUID') or '')).name}")
            if loc is None and not any(t in ds for t in (0x7FE00010, 0x7FE00008, 0x7FE00009)):
                print(f"{'pixel data':<19} none")
                continue
            desc = describe(ds, ts or None, pixel_tag=loc.tag if loc else None)
            spec = desc.spec
            print(
                f"{'image':<19} {desc.number_of_frames} frame(s) of {spec.rows}x{spec.columns}, "
                f"{spec.samples_per_pixel} sample(s), {spec.photometric_interpretation}"
            )
            print(
                f"{'samples':<19} Bits Allocated {spec.bits_allocated}, Bits Stored {spec.bits_stored}, "
                f"{'signed' if spec.pixel_representation else 'unsigned'}, decoded as {spec.dtype}"
            )
            if desc.encapsulated and loc is not None:
                with FrameReader(path) as reader:
                    frags = sum(len(f) for f in reader.frame_info.fragments)
                method = "Extended Offset Table" if desc.extended_offsets else None
                print(f"{'pixel data':<19} encapsulated, {frags} fragment(s) at offset {loc.offset}")
                print(f"{'offset table':<19} {method or _bot_kind(path, loc.offset)}")
            elif loc is not None:
                print(f"{'pixel data':<19} native, {spec.native_length} bytes per frame at offset {loc.offset}")
            candidates = [
                e for e in get_registry().candidates(desc.transfer_syntax, "decode")
                if e.available and e.spec.capabilities.refusal(spec) is None
            ]
            codec = candidates[0].name if candidates else "none installed"
            print(f"{'decoded by':<19} {codec}")
        except BrokenPipeError:
            raise
        except (DicodecError, OSError) as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            status = 1
    return status


def _bot_kind(path: str, offset: int) -> str:
    import struct

    with open(path, "rb") as f:
        f.seek(offset)
        _g, _e, n = struct.unpack("<HHL", f.read(8))
    return f"Basic Offset Table, {n // 4} entries" if n else "none (frames found by scanning item headers)"


def _to_png_array(arr: Any, ds: Any, frame: int | None = None) -> Any:
    """8-bit image for a PNG: greyscale through the Modality and VOI stages, or RGB.

    The VOI stage is the data set's VOI LUT or window (see
    :func:`dicodec.pixels.apply_voi_lut`); without one, the modality values' own
    range is stretched to 0-255. MONOCHROME1 is inverted so that the PNG looks as
    the image should.
    """
    import numpy as np

    from .pixels import apply_modality_lut, apply_voi_lut
    from .pixels.processing.lut import voi_output_range

    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[-1] == 3:
        if a.dtype != np.uint8:
            top = float(a.max()) or 1.0
            a = np.clip(a.astype(np.float32) * (255.0 / top), 0, 255).astype(np.uint8)
        return a
    values = apply_modality_lut(a, ds, frame_index=frame)
    try:
        shown = apply_voi_lut(values, ds, frame_index=frame)
        low, high = voi_output_range(ds, frame_index=frame or 0)
    except ValueError:  # an unusable window or LUT (e.g. width 0): show the values' range
        shown = values
    if shown is values or not high > low:  # no VOI: stretch the values' own range
        low, high = float(values.min()), float(values.max())
        shown = values
    out = (np.asarray(shown, np.float64) - low) * (255.0 / (high - low if high > low else 1.0))
    out = np.clip(out, 0, 255)
    if getattr(ds, "PhotometricInterpretation", "") == "MONOCHROME1":
        out = 255 - out
    return np.rint(out).astype(np.uint8)


def _decode(args: argparse.Namespace) -> int:
    import numpy as np

    from .dataset import Dataset
    from .errors import DicodecError
    from .pixels import pixel_array

    header = Dataset()
    try:
        arr = pixel_array(args.file, index=args.frame, ds_out=header)
    except (DicodecError, OSError, IndexError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    out = args.output
    if out.lower().endswith(".npy"):
        np.save(out, arr)
    elif out.lower().endswith(".png"):
        try:
            from PIL import Image
        except ImportError:
            print("dicodec: PNG output needs Pillow (pip install pillow); use .npy", file=sys.stderr)
            return 2
        frames = int(getattr(header, "NumberOfFrames", 1) or 1)
        if args.frame is None and frames > 1:
            arr = arr[0]
            print("dicodec: a PNG holds one frame: wrote frame 0 (use --frame N)", file=sys.stderr)
        img = _to_png_array(arr, header, args.frame if args.frame is not None else (0 if frames > 1 else None))
        Image.fromarray(img).save(out)
    else:
        print("dicodec: the output must end in .npy or .png", file=sys.stderr)
        return 2
    print(f"{args.file} -> {out}")
    return 0


def _transcode(args: argparse.Namespace) -> int:
    import os
    from concurrent.futures import ThreadPoolExecutor

    from .errors import DicodecError
    from .filereader import dcmread
    from .uid import UID

    ts = UID(_resolve_ts(args.ts))
    inputs = list(args.files)
    many = len(inputs) > 1 or os.path.isdir(args.output)
    if many:
        os.makedirs(args.output, exist_ok=True)

    def one(path: str) -> tuple[str, str | None]:
        target = os.path.join(args.output, os.path.basename(path)) if many else args.output
        try:
            ds = dcmread(path)
            current = str(ds.file_meta.get("TransferSyntaxUID") or "")
            if current != str(ts):
                if UID(current).is_compressed if current else False:
                    ds.decompress(generate_instance_uid=False)
                if ts.is_encapsulated:
                    ds.compress(str(ts), generate_instance_uid=False)
                else:
                    ds.file_meta.TransferSyntaxUID = ts
            ds.save_as(target, enforce_file_format=True)
            return path, None
        except (DicodecError, OSError, ValueError) as exc:
            return path, f"{type(exc).__name__}: {exc}"

    progress = _progress(len(inputs), args.quiet)
    failed = 0
    with ThreadPoolExecutor(max_workers=max(1, args.workers)) as pool:
        for path, error in pool.map(one, inputs):
            progress(path)
            if error:
                failed += 1
                print(f"{path}: {error}", file=sys.stderr)
    if not args.quiet:
        print(f"{len(inputs) - failed} of {len(inputs)} file(s) written as {ts.name}")
    return 1 if failed else 0


def _progress(total: int, quiet: bool) -> Callable[[str], None]:
    """A progress callback: tqdm or rich when installed, a plain counter otherwise."""
    if quiet or total < 2:
        return lambda path: None
    try:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=total, unit="file", file=sys.stderr)
        return lambda path: bar.update(1)
    except ImportError:
        pass
    done = [0]

    def tick(path: str) -> None:
        done[0] += 1
        print(f"\r{done[0]}/{total}", end="" if done[0] < total else "\n", file=sys.stderr)

    return tick


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``dicodec`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="dicodec", description="Read, write and transcode DICOM files.")
    parser.add_argument("--version", action="version", version=f"dicodec {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print a data set like str(ds)", epilog="example: dicodec show --top scan.dcm")
    show.add_argument("files", nargs="+", help="DICOM files")
    show.add_argument("--force", action="store_true", help="read files without the DICM prefix")
    show.add_argument("--top", action="store_true", help="top-level elements only")
    show.add_argument("--no-pixels", action="store_true", help="stop before Pixel Data")
    show.set_defaults(func=_show)
    plugins = sub.add_parser(
        "plugins",
        help="list plugins and codecs, and why any is unavailable",
        epilog="example: dicodec plugins --json",
    )
    plugins.add_argument("--json", action="store_true", help="machine-readable output")
    plugins.set_defaults(func=_plugins)
    info = sub.add_parser(
        "info",
        help="transfer syntax, image description, frames, offset table, the codec that would decode it",
        epilog="example: dicodec info scan.dcm",
    )
    info.add_argument("files", nargs="+")
    info.set_defaults(func=_info)
    decode = sub.add_parser(
        "decode",
        help="decode pixel data to .npy, or one frame to .png (windowed; needs Pillow)",
        epilog="example: dicodec decode ct.dcm -o ct.png   |   dicodec decode cine.dcm --frame 5 -o f5.npy",
    )
    decode.add_argument("file")
    decode.add_argument("--frame", type=int, default=None, help="one frame (0-based); default all")
    decode.add_argument("-o", "--output", required=True, help="out.npy or out.png")
    decode.set_defaults(func=_decode)
    transcode = sub.add_parser(
        "transcode",
        help="rewrite files in another transfer syntax",
        epilog="example: dicodec transcode in/*.dcm -o out/ --ts RLELossless --workers 2",
    )
    transcode.add_argument("files", nargs="+")
    transcode.add_argument("-o", "--output", required=True, help="output file, or a folder for several inputs")
    transcode.add_argument("--ts", required=True, help="transfer syntax keyword (RLELossless) or UID")
    transcode.add_argument("--workers", type=int, default=1, help="files converted at once (threads)")
    transcode.add_argument("-q", "--quiet", action="store_true", help="no progress or summary")
    transcode.set_defaults(func=_transcode)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        return 0
