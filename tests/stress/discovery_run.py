"""Plugin discovery hit by many threads at once; run in a fresh process by test_discovery.py.

Usage: ``python tests/stress/discovery_run.py [THREADS] [ROUNDS] [SEED]``; prints one JSON
object. Before anything of dicodec is imported, ``importlib.metadata.entry_points`` and
``EntryPoint.load`` are wrapped to count calls (with a short sleep that widens any race
window), so the counts say how often the ``dicodec.plugins`` group was read and each
plugin loaded. THREADS threads then wait on a barrier and enter discovery together, each
through a different public door (``codec_names``, ``report``, ``candidates``,
``get_decoder(...).available_plugins``, a transfer-syntax lookup, ``import`` of a plugin
module, decoding an example, ...), and record what they see. After the first (cold)
round, ROUNDS more rounds start from ``reset_registry()`` (modules already imported:
only the registry lock is raced). dicodec's own modules are imported first, in the main
thread, without starting discovery; plugin modules are first imported by the threads.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections import Counter
from typing import Any

RLE = "1.2.840.10008.1.2.5"
J2K = "1.2.840.10008.1.2.4.90"


def install_counters(counts: Counter[str]) -> None:
    import importlib.metadata as md

    real_entry_points = md.entry_points
    real_load = md.EntryPoint.load
    lock = threading.Lock()

    def entry_points(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("group") == "dicodec.plugins":
            with lock:
                counts["entry_points(dicodec.plugins)"] += 1
            time.sleep(0.02)
        return real_entry_points(*args, **kwargs)

    def load(self: Any) -> Any:
        if self.group == "dicodec.plugins":
            with lock:
                counts[f"load:{self.name}"] += 1
            time.sleep(0.005)
        return real_load(self)

    md.entry_points = entry_points  # type: ignore[assignment]
    md.EntryPoint.load = load  # type: ignore[method-assign]


def snapshot() -> dict[str, Any]:
    """What one thread sees of the registry, once discovery is done."""
    from dicodec.plugins import get_registry

    reg = get_registry()
    return {
        "registry": id(reg),
        "codecs": reg.codec_names(),
        "rle": [e.name for e in reg.candidates(RLE, "decode")],
        "j2k": [e.name for e in reg.candidates(J2K, "decode")],
        "plugins": sorted(
            (p["name"], p["status"], tuple(c["name"] for c in p["codecs"])) for p in reg.report()
        ),
        "generation": reg.generation,
    }


def door(k: int) -> None:
    """Enter discovery through one of several public routes (k picks which)."""
    route = k % 8
    if route == 0:
        from dicodec.plugins import get_registry

        get_registry().codec_names()
    elif route == 1:
        from dicodec.plugins import get_registry

        get_registry().report()
    elif route == 2:
        from dicodec.plugins import get_registry

        get_registry().candidates(RLE, "decode")
    elif route == 3:
        from dicodec.pixels import get_decoder

        assert get_decoder(J2K).available_plugins
    elif route == 4:
        from dicodec.plugins.registry import ensure_transfer_syntaxes

        ensure_transfer_syntaxes()
    elif route == 5:
        import dicodec_rle.plugin  # noqa: F401  (importing a plugin module while discovery runs)
        from dicodec.plugins import get_registry

        get_registry().codec_names(RLE)
    elif route == 6:
        from dicodec import examples
        from dicodec.pixels import pixel_array

        pixel_array(examples.get("rle"))  # encodes, then decodes: two registry users
    else:
        from dicodec.pixels import get_encoder

        assert get_encoder(RLE).available_plugins


def run_round(threads: int, offset: int, errors: list[str]) -> list[dict[str, Any]]:
    barrier = threading.Barrier(threads)
    seen: list[dict[str, Any] | None] = [None] * threads

    def work(k: int) -> None:
        try:
            barrier.wait(timeout=60)
            door(k + offset)
            seen[k] = snapshot()
        except BaseException:
            errors.append(f"thread {k} (route {(k + offset) % 8}):\n{traceback.format_exc()}")

    pool = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    hung = [k for k, t in enumerate(pool) if t.is_alive()]
    if hung:
        import faulthandler

        faulthandler.dump_traceback(sys.stderr, all_threads=True)
        errors.append(f"threads {hung} did not finish within 120 s (deadlock?)")
    return [s for s in seen if s is not None]


def main(argv: list[str]) -> int:
    threads = int(argv[0]) if argv else 8
    rounds = int(argv[1]) if len(argv) > 1 else 10
    seed = int(argv[2]) if len(argv) > 2 else 0
    counts: Counter[str] = Counter()
    install_counters(counts)
    assert "dicodec.plugins.registry" not in sys.modules
    # dicodec's own modules are imported here, in one thread: importing a package and
    # its submodules for the first time from several threads at once is racy in
    # CPython's import system itself; what is raced below is discovery
    import dicodec.examples
    import dicodec.pixels
    import dicodec.plugins.registry
    import dicodec.uid

    if counts or dicodec.plugins.registry._REGISTRY is not None:
        print(json.dumps({"errors": [f"importing dicodec started discovery: {dict(counts)}"]}))
        return 0
    errors: list[str] = []
    cold = run_round(threads, seed, errors)
    cold_counts = dict(counts)
    from dicodec.plugins.registry import reset_registry

    warm: list[list[dict[str, Any]]] = []
    for r in range(rounds):
        reset_registry()
        counts.clear()
        warm.append(run_round(threads, seed + r + 1, errors))
        warm_counts = dict(counts)
        if warm_counts != cold_counts:
            errors.append(
                f"round {r + 1}: counts {warm_counts} differ from the first round's {cold_counts}"
            )
    # the sequential truth: a fresh registry, one thread
    reset_registry()
    truth = snapshot()
    print(
        json.dumps(
            {
                "cold": cold,
                "cold_counts": cold_counts,
                "warm": warm,
                "truth": truth,
                "errors": errors,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
