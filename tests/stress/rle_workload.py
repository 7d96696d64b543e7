"""A workload for the RLE C extension (``dicodec_rle._rle``) under valgrind or LeakSanitizer.

Usage::

    python tests/stress/rle_workload.py [--ext PATH/_rle....so] [--rounds N] [--seed S]

Pure Python plus the extension (no numpy, no dicodec: a fast start under valgrind).
Every round encodes and decodes frames of every layout (Bits Allocated 1, 8, 16, 32, 64;
1 and 3 samples; several geometries; both segment orders; lenient and strict), checks
the round trip, then feeds the decoder broken frames (truncated, header counts and
offsets corrupted, random bytes, wrong output sizes) and every function bad arguments,
so every error path of ``_rle.c`` and ``rle_core.c`` runs. After an error the buffers
passed in must be resizable again (a buffer export left unreleased would forbid it).
The last line printed is a summary: ``ops N roundtrips R errors E``.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import random
import struct
import sys
from types import ModuleType
from typing import Any

LAYOUTS = [(bits, samples) for bits in (1, 8, 16, 32, 64) for samples in (1, 3)]
GEOMETRIES = [(1, 1), (1, 2), (2, 3), (3, 5), (7, 130), (16, 16), (33, 17)]


def load(path: str | None) -> ModuleType:
    """The extension from ``path`` (a build of src/_rle.c), or the installed one."""
    if not path:
        from dicodec_rle import _rle

        return _rle
    loader = importlib.machinery.ExtensionFileLoader("dicodec_rle._rle", path)
    spec = importlib.util.spec_from_file_location("dicodec_rle._rle", path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def pixels(rng: random.Random, rows: int, cols: int, samples: int, bits: int) -> bytearray:
    """Decoded-layout bytes with runs and noise (one byte 0/1 per sample for 1-bit)."""
    if bits == 1:
        n = rows * cols * samples
        out = bytearray()
        while len(out) < n:
            out += bytes([rng.randrange(2)]) * rng.choice([1, 1, 2, 5, 40, 300])
        return out[:n]
    n = rows * cols * samples * (bits // 8)
    out = bytearray()
    while len(out) < n:
        kind = rng.random()
        if kind < 0.4:
            out += bytes([rng.randrange(256)]) * rng.randrange(1, 300)
        elif kind < 0.8:
            out += rng.randbytes(rng.randrange(1, 200))
        else:
            out += bytes(rng.randrange(1, 20))
    return out[:n]


class Workload:
    def __init__(self, rle: ModuleType, rng: random.Random) -> None:
        self.rle = rle
        self.rng = rng
        self.ops = 0
        self.roundtrips = 0
        self.errors = 0

    def expect_error(
        self, exc_types: tuple[type[BaseException], ...], func: Any, *args: Any
    ) -> None:
        self.ops += 1
        try:
            func(*args)
        except exc_types:
            self.errors += 1
            return
        except Exception as exc:
            raise AssertionError(
                f"{func.__name__}{args[2:]!r}: {type(exc).__name__} instead of {exc_types}"
            ) from exc

    def maybe(self, func: Any, *args: Any) -> bool:
        """Call; a ValueError (malformed data) is fine. True when it succeeded."""
        self.ops += 1
        try:
            func(*args)
        except ValueError:
            self.errors += 1
            return False
        return True

    def check_released(self, *buffers: bytearray) -> None:
        for buf in buffers:
            buf.append(0)  # BufferError if an export was never released
            del buf[-1]

    def roundtrip(self, rows: int, cols: int, samples: int, bits: int) -> None:
        rle, rng = self.rle, self.rng
        size = rle.decoded_size(rows, cols, samples, bits)
        segments = samples * max(bits // 8, 1)
        if segments > rle.MAX_SEGMENTS:
            data = bytearray(rows * cols * samples * (bits // 8))
            self.expect_error((ValueError,), rle.encode, data, rows, cols, samples, bits)
            self.expect_error(
                (ValueError,),
                rle.decode_into,
                bytes(64),
                bytearray(len(data)),
                rows,
                cols,
                samples,
                bits,
            )
            self.check_released(data)
            return
        src = pixels(rng, rows, cols, samples, bits)
        assert size == len(src), (rows, cols, samples, bits, size, len(src))
        for flags in (0, rle.FLAG_LE_SEGMENTS):
            frame = rle.encode(src, rows, cols, samples, bits, flags)
            self.ops += 1
            out = bytearray(size)
            rle.decode_into(frame, out, rows, cols, samples, bits, flags)
            self.ops += 1
            assert out == src, (
                f"round trip differs: {rows}x{cols} samples {samples} bits {bits} flags {flags}"
            )
            self.roundtrips += 1
            self.broken(bytearray(frame), rows, cols, samples, bits, flags, size)

    def broken(
        self, frame: bytearray, rows: int, cols: int, samples: int, bits: int, flags: int, size: int
    ) -> None:
        rle, rng = self.rle, self.rng
        out = bytearray(size)
        dec = rle.decode_into
        # truncated anywhere, header included
        for cut in {0, 1, 63, 64, 65, len(frame) // 2, len(frame) - 1}:
            if 0 <= cut < len(frame):
                self.maybe(dec, bytes(frame[:cut]), out, rows, cols, samples, bits, flags)
        # a wrong segment count, offsets into the header, past the end, out of order
        count = struct.unpack_from("<I", frame, 0)[0]
        for value in (0, count + 1, 15, 16, 0xFFFFFFFF):
            bad = bytearray(frame)
            struct.pack_into("<I", bad, 0, value)
            self.maybe(dec, bad, out, rows, cols, samples, bits, flags)
        for slot in range(1, min(count, 15) + 1):
            for value in (0, 8, 63, len(frame), len(frame) + 7, 0xFFFFFFF0):
                bad = bytearray(frame)
                struct.pack_into("<I", bad, 4 * slot, value)
                self.maybe(dec, bad, out, rows, cols, samples, bits, flags)
        if count >= 2:
            bad = bytearray(frame)
            a, b = struct.unpack_from("<2I", bad, 4)
            struct.pack_into("<2I", bad, 4, b, a)
            self.maybe(dec, bad, out, rows, cols, samples, bits, flags)
        # random bytes in the segments (extreme run headers included), then lenient
        for _ in range(4):
            bad = bytearray(frame)
            for _ in range(rng.randrange(1, 6)):
                if len(bad) > 64:
                    bad[rng.randrange(64, len(bad))] = rng.choice(
                        [0x80, 0x81, 0x7F, 0x00, 0xFF, rng.randrange(256)]
                    )
            self.maybe(dec, bad, out, rows, cols, samples, bits, flags)
            self.maybe(dec, bad, out, rows, cols, samples, bits, flags | rle.FLAG_LENIENT)
        # trailing garbage
        self.maybe(
            dec,
            bytes(frame) + rng.randbytes(rng.randrange(1, 300)),
            out,
            rows,
            cols,
            samples,
            bits,
            flags,
        )
        # the wrong output size, the wrong geometry
        for wrong in (size - 1, size + 1, 0):
            if wrong >= 0:
                self.expect_error(
                    (ValueError,),
                    dec,
                    bytes(frame),
                    bytearray(wrong),
                    rows,
                    cols,
                    samples,
                    bits,
                    flags,
                )
        self.maybe(
            dec,
            bytes(frame),
            bytearray(rle.decoded_size(rows + 1, cols, samples, bits)),
            rows + 1,
            cols,
            samples,
            bits,
            flags,
        )
        self.check_released(frame, out)

    def bad_arguments(self) -> None:
        rle = self.rle
        frame = bytearray(rle.encode(bytes(12), 3, 4, 1, 8))
        out = bytearray(12)
        dec, enc = rle.decode_into, rle.encode
        self.expect_error((TypeError,), dec, frame, out, 3, 4, 1)  # too few
        self.expect_error((TypeError,), dec, frame, out, 3, 4, 1, 8, 0, 0)  # too many
        self.expect_error((TypeError,), enc, out, 3, 4)
        self.expect_error((TypeError,), rle.decoded_size, 3, 4, 1)
        self.expect_error((ValueError,), dec, frame, out, 0, 4, 1, 8)
        self.expect_error((ValueError,), dec, frame, out, 3, -4, 1, 8)
        self.expect_error((ValueError, OverflowError), dec, frame, out, 3, 4, 70000, 8)
        self.expect_error((ValueError,), dec, frame, out, 3, 4, 1, 12)
        self.expect_error((ValueError,), dec, frame, out, 3, 4, 2, 8)
        self.expect_error((ValueError,), dec, frame, out, 3, 4, 1, 8, -1)
        self.expect_error((OverflowError, ValueError), dec, frame, out, 1 << 70, 4, 1, 8)
        self.expect_error(
            (ValueError, OverflowError, MemoryError), dec, frame, out, (1 << 62), (1 << 62), 1, 8
        )
        self.expect_error((TypeError,), dec, frame, out, "3", 4, 1, 8)
        self.expect_error((TypeError,), dec, 12345, out, 3, 4, 1, 8)  # not a buffer
        self.expect_error(
            (TypeError, BufferError), dec, frame, bytes(12), 3, 4, 1, 8
        )  # read-only out
        self.expect_error(
            (TypeError, BufferError), dec, frame, memoryview(out)[::2], 3, 4, 1, 8
        )  # not contiguous
        self.expect_error((ValueError,), enc, bytes(11), 3, 4, 1, 8)  # short source
        self.expect_error((ValueError,), enc, bytes(13), 3, 4, 1, 8)  # long source
        self.expect_error((ValueError,), enc, bytes(12), 3, 4, 1, 7)
        self.expect_error((ValueError, OverflowError), enc, bytes(12), 1 << 40, 1 << 40, 3, 64)
        self.expect_error((TypeError,), enc, object(), 3, 4, 1, 8)
        self.ops += 2
        assert rle.decoded_size(3, 4, 1, 12) == 0
        assert rle.decoded_size(3, 4, 3, 16) == 72
        self.check_released(frame, out)

    def round(self) -> None:
        for bits, samples in LAYOUTS:
            for rows, cols in GEOMETRIES:
                self.roundtrip(rows, cols, samples, bits)
        self.bad_arguments()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ext", default="")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    work = Workload(load(args.ext or None), random.Random(args.seed))
    for _ in range(args.rounds):
        work.round()
    print(f"ops {work.ops} roundtrips {work.roundtrips} errors {work.errors}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
