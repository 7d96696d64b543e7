"""Build an instrumented ``dicodec_rle._rle`` for fuzz_decode.py (gcc, Linux).

The codec and its binding are compiled with AddressSanitizer instrumentation and
gcc's ``-fsanitize-coverage=trace-pc,trace-cmp``; ``cov_shim.c`` feeds the edge
coverage to libFuzzer. The shared object is linked WITHOUT gcc's ASan runtime:
the ASan + libFuzzer runtime is atheris' ``asan_with_fuzzer.so``, preloaded
with ``LD_PRELOAD`` when the fuzzer runs (see README.md).

Usage::

    python fuzz/rle/build_fuzz_ext.py [OUTPUT_DIR]      # default /tmp/dicodec-rle-fuzz

Prints the path of the built module; pass it to fuzz_decode.py through the
environment variable ``DICODEC_RLE_FUZZ_EXT``.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "plugins" / "rle" / "src"


def build(out_dir: Path) -> Path:
    """Compile the instrumented extension into ``out_dir``; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    include = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    target = out_dir / f"_rle{suffix}"
    common = [
        "-std=c99",
        "-g",
        "-O1",
        "-fPIC",
        "-fno-omit-frame-pointer",
        f"-I{SRC}",
        f"-I{include}",
    ]
    objects = []
    for name in ("rle_core.c", "_rle.c"):
        obj = out_dir / (name + ".o")
        subprocess.run(
            ["gcc", *common, "-fsanitize=address", "-fsanitize-coverage=trace-pc,trace-cmp",
             "-c", str(SRC / name), "-o", str(obj)],
            check=True,
        )  # fmt: skip
        objects.append(str(obj))
    shim = out_dir / "cov_shim.o"
    subprocess.run(["gcc", *common, "-c", str(HERE / "cov_shim.c"), "-o", str(shim)], check=True)
    # no -fsanitize at link time: __asan_* and __sanitizer_cov_* come from the preloaded runtime
    subprocess.run(["gcc", "-shared", *objects, str(shim), "-o", str(target)], check=True)
    return target


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/dicodec-rle-fuzz")))
