"""atheris fuzz target for the RLE codec (dicodec_rle._rle).

An input is an 8-byte prefix, little-endian ``rows (u16), columns (u16),
samples selector (u8: odd = 3, even = 1), bits selector (u8: index into 1, 8,
16, 32, 64), flags (u8: bit 0 little-endian segment order, bit 1 lenient),
reserved (u8)``, followed by one RLE frame. The target decodes it; malformed
frames must raise ``ValueError`` and nothing else; a frame that decodes is
encoded and decoded again and must come back identical.

Run it (see README.md for the instrumented build)::

    python fuzz/rle/make_seeds.py /tmp/dicodec-rle-seeds
    python fuzz/rle/fuzz_decode.py /tmp/dicodec-rle-seeds -max_total_time=600

With ``DICODEC_RLE_FUZZ_EXT=/path/to/_rle...so`` (from build_fuzz_ext.py) and
``LD_PRELOAD=<site-packages>/asan_with_fuzzer.so``, the C code is fuzzed with
edge coverage and AddressSanitizer; without them, the installed extension is
fuzzed with coverage of the Python side only.
"""

from __future__ import annotations

import importlib.util
import os
import struct
import sys

BITS = (1, 8, 16, 32, 64)
MAX_DECODED = 1 << 22


def prefix(rows: int, columns: int, samples: int, bits: int, flags: int) -> bytes:
    """The 8-byte geometry prefix of a fuzz input."""
    return struct.pack(
        "<HHBBBB", rows, columns, 1 if samples == 3 else 0, BITS.index(bits), flags, 0
    )


def load_codec():  # type: ignore[no-untyped-def]
    """The instrumented extension named by DICODEC_RLE_FUZZ_EXT, or the installed one."""
    path = os.environ.get("DICODEC_RLE_FUZZ_EXT")
    if not path:
        from dicodec_rle import _rle

        return _rle
    spec = importlib.util.spec_from_file_location("dicodec_rle._rle", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_rle = load_codec()


def TestOneInput(data: bytes) -> None:  # atheris calls it by this name
    """Decode one input; round-trip it when it decodes."""
    if len(data) < 8:
        return
    rows, cols, s, b, flags, _ = struct.unpack_from("<HHBBBB", data)
    rows, cols = rows or 1, cols or 1
    samples = 3 if s & 1 else 1
    bits = BITS[b % len(BITS)]
    flags &= 3
    size = _rle.decoded_size(rows, cols, samples, bits)
    if size == 0 or size > MAX_DECODED:
        return
    frame = memoryview(data)[8:]
    out = bytearray(size)
    try:
        _rle.decode_into(frame, out, rows, cols, samples, bits, flags)
    except ValueError as exc:
        if not str(exc).startswith(("RLE segment", "the RLE")):
            raise AssertionError(f"unexpected message: {exc}") from exc
        return
    order = flags & 1
    again = bytearray(size)
    _rle.decode_into(
        _rle.encode(out, rows, cols, samples, bits, order), again, rows, cols, samples, bits, order
    )
    if again != out:
        raise AssertionError(f"round trip differs: {rows}x{cols} samples {samples} bits {bits}")


def main() -> None:
    """Start atheris (libFuzzer flags come from the command line)."""
    import atheris

    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
