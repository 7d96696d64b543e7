"""A first real run of dicodec: build, write, read back, show.

1. builds the CT example (:mod:`dicodec.examples`, synthesised by dicodec, no download);
2. writes it as a Part 10 file into a temporary folder;
3. reads it back with :func:`dicodec.dcmread` and checks that every element survived;
4. prints it with the installed ``dicodec show`` console script.

Exit status 0 on success. Run it after installing (see the README).

Examples
--------
From the repository root::

    python tools/example.py            # the CT example
    python tools/example.py mr         # any name of dicodec.examples.names()
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile


def main(argv: list[str] | None = None) -> int:
    """Run the demonstration for one example name (default ``ct``)."""
    import dicodec
    from dicodec import examples

    args = sys.argv[1:] if argv is None else argv
    name = args[0] if args else "ct"
    ds = examples.get(name)
    with tempfile.TemporaryDirectory(prefix="dicodec-example-") as tmp:
        path = os.path.join(tmp, f"{name}.dcm")
        ds.save_as(path, enforce_file_format=True)
        back = dicodec.dcmread(path)
        if back != ds or back.file_meta.TransferSyntaxUID != ds.file_meta.TransferSyntaxUID:
            print(f"example {name!r}: the file read back differs from what was written", file=sys.stderr)
            return 1
        size = os.path.getsize(path)
        print(f"wrote {path} ({size} bytes, {len(back)} elements) and read it back identical\n", flush=True)
        script = shutil.which("dicodec", path=os.path.dirname(sys.executable)) or shutil.which("dicodec")
        cmd = [script] if script else [sys.executable, "-m", "dicodec"]
        cmd += ["show", path]
        print("+ " + " ".join(["dicodec", *cmd[-2:]]), flush=True)
        return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
