"""Run one fuzz target of fuzz/targets.py under atheris (libFuzzer).

Usage::

    python fuzz/run_fuzz.py <target> [libFuzzer args] [corpus dirs]
    python fuzz/run_fuzz.py --list

for example::

    python fuzz/make_corpus.py                     # seeds in /tmp/fuzz-corpus/<target>/
    mkdir -p /tmp/fuzz-artifacts/dcmread
    python fuzz/run_fuzz.py dcmread -runs=200000 -max_len=65536 -timeout=10 \\
        -rss_limit_mb=2048 -artifact_prefix=/tmp/fuzz-artifacts/dcmread/ \\
        /tmp/fuzz-corpus/dcmread

dicodec and its plugin packages are instrumented for coverage (numpy and the codec
libraries are not). An exception other than DicodecError, a timeout or an
out-of-memory stops libFuzzer and writes ``crash-*`` / ``timeout-*`` / ``oom-*``
into the artifact prefix.

Environment (used by fuzz/campaign.py):

``DICODEC_FUZZ_KNOWN``
    A file of signatures (``Type@file:function``, one per line) of findings already
    recorded: inputs that fail with one of them are not reported again, so a
    restarted campaign looks for new bugs. The regression tests ignore it.
``DICODEC_FUZZ_COUNT``
    A file the wrapper writes its execution count to (every 1000 executions and on a
    finding), for crashes that end the process before libFuzzer's final stats.
"""

from __future__ import annotations

import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

INSTRUMENTED = [
    "dicodec",
    "dicodec_native",
    "dicodec_rle",
    "dicodec_jpeg",
    "dicodec_jpeg2k",
    "dicodec_jpegls",
    "dicodec_overlay",
    "dicodec_waveform",
    "dicodec_pylibjpeg",
]

# atheris instruments whole top-level packages; single modules can only be excluded
_DATA_TABLES = ["dicodec._dictionary", "dicodec._private_dict", "dicodec._uid_dict"]
_CORE_DATA_MODEL = [
    "dicodec.charset",
    "dicodec.datadict",
    "dicodec.dataelem",
    "dicodec.dataset",
    "dicodec.filereader",
    "dicodec.filewriter",
    "dicodec.fileset",
    "dicodec.jsonrep",
    "dicodec.sequence",
    "dicodec.tag",
    "dicodec.uid",
    "dicodec.valuerep",
    "dicodec.values",
    "dicodec.vr",
]

FOCUS_EXCLUDE = {
    "encaps": _CORE_DATA_MODEL,
    "codec": _CORE_DATA_MODEL,
}
"""Targets that leave the code they are not about uninstrumented: the codec targets build
a data set around the frame with uninstrumented core code, which makes them about twice
as fast (``DICODEC_FUZZ_INSTRUMENT_ALL=1`` instruments everything anyway)."""

_OURS = ("/core/dicodec/", "/plugins/", "/contrib/")


def excluded_modules(target: str) -> list[str]:
    """The dicodec modules atheris leaves uninstrumented for ``target``."""
    if os.environ.get("DICODEC_FUZZ_INSTRUMENT_ALL"):
        return list(_DATA_TABLES)
    key = "codec" if target.startswith("codec_") else target
    return _DATA_TABLES + FOCUS_EXCLUDE.get(key, [])


def signature(exc: BaseException) -> str:
    """``Type@file:function`` of the innermost frame in dicodec's own code (else the innermost)."""
    frames = traceback.extract_tb(exc.__traceback__)
    chosen = None
    for fr in frames:
        if any(part in fr.filename.replace(os.sep, "/") for part in _OURS):
            chosen = fr
    if chosen is None and frames:
        chosen = frames[-1]
    where = f"{os.path.basename(chosen.filename)}:{chosen.name}" if chosen else "?"
    return f"{type(exc).__name__}@{where}"


def install_guards() -> None:
    """Campaign only: stop inputs that would kill the process with a finding already recorded.

    A crash by signal cannot be skipped by signature like an exception: without these
    guards the restarted target would die on the same bug again and again. Each guard
    raises the library's own error for the input property of one recorded finding (see
    docs/fuzzing.md); the regression tests never install them.
    """
    import struct

    try:
        import imagecodecs
    except ImportError:
        return
    original = imagecodecs.htj2k_decode

    def htj2k_decode(data, *args, **kwargs):  # type: ignore[no-untyped-def]
        # finding F2: SIZ with XTsiz/YTsiz or XRsiz/YRsiz 0 -> SIGFPE in OpenJPH
        raw = bytes(data[:4096])
        at = raw.find(b"\xff\x51")
        if at >= 0 and len(raw) >= at + 40:
            xt, yt = struct.unpack_from(">II", raw, at + 22)
            (ncomp,) = struct.unpack_from(">H", raw, at + 38)
            sub = raw[at + 40 : at + 40 + 3 * ncomp]
            if xt == 0 or yt == 0 or any(sub[i] == 0 for i in range(len(sub)) if i % 3):
                raise imagecodecs.Htj2kError(
                    "fuzz guard: zero tile size or subsampling (finding F2)"
                )
        return original(data, *args, **kwargs)

    imagecodecs.htj2k_decode = htj2k_decode


def _known(path: str | None) -> set[str]:
    if not path or not os.path.exists(path):
        return set()
    with open(path) as fh:
        return {line.strip() for line in fh if line.strip()}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        raise SystemExit(0)
    import atheris
    import numpy  # noqa: F401 - imported before instrumentation: not instrumented

    with atheris.instrument_imports(include=INSTRUMENTED, exclude=excluded_modules(argv[1])):
        import targets

        import dicodec  # noqa: F401

        targets.preload()
    if argv[1] == "--list":
        print("\n".join(targets.TARGETS))
        return
    name = argv[1]
    if name not in targets.TARGETS:
        raise SystemExit(f"unknown target {name!r}; one of: {', '.join(targets.TARGETS)}")
    func = targets.TARGETS[name]
    known = _known(os.environ.get("DICODEC_FUZZ_KNOWN"))
    if os.environ.get("DICODEC_FUZZ_KNOWN") and not os.environ.get("DICODEC_FUZZ_NO_GUARDS"):
        install_guards()
    count_path = os.environ.get("DICODEC_FUZZ_COUNT")
    count = 0

    def write_count() -> None:
        if count_path:
            with open(count_path, "w") as fh:
                fh.write(str(count))

    def test_one_input(data: bytes) -> None:
        nonlocal count
        count += 1
        if count_path and count % 1000 == 0:
            write_count()
        try:
            func(data)
        except Exception as exc:
            sig = signature(exc)
            if sig in known:
                return
            write_count()
            sys.stderr.write(f"\nFUZZ-SIGNATURE: {sig}\n")
            sys.stderr.flush()
            raise

    atheris.Setup([argv[0], *argv[2:]], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
