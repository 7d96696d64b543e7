"""The threads that decode and encode frames in parallel: one pool, kept for the process.

Creating threads for every multi-frame call costs time and, with glibc, memory: each
new thread gets its own malloc arena, and what a codec frees there stays resident.
One lazily created pool, grown when a call asks for more workers, avoids both.
Calls from many threads share it (their tasks queue); a task running on the pool
never waits for other pool tasks, so sharing cannot deadlock. A call made from a
pool thread itself runs serially. After ``fork()`` the child starts a pool of its own.

Examples
--------
>>> from dicodec.pixels.workers import run_parallel
>>> results = []
>>> run_parallel(lambda k: results.append(k), 3)
>>> sorted(results)
[0, 1, 2]
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

__all__ = ["default_workers", "in_pool_thread", "run_parallel", "submit"]

_PREFIX = "dicodec-worker"
_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_size = 0
_pool_threads: set[int] = set()

T = TypeVar("T")


def default_workers() -> int:
    """The default number of workers: the CPU count, at most 8."""
    return max(1, min(os.cpu_count() or 1, 8))


def in_pool_thread() -> bool:
    """Whether the calling thread is one of the pool's (so must not wait for the pool)."""
    return threading.get_ident() in _pool_threads


def _register_thread() -> None:
    _pool_threads.add(threading.get_ident())


def _get_pool(size: int) -> ThreadPoolExecutor:
    global _pool, _size
    with _lock:
        if _pool is None or size > _size:
            old = _pool
            _pool = ThreadPoolExecutor(size, thread_name_prefix=_PREFIX, initializer=_register_thread)
            _size = size
            if old is not None:
                old.shutdown(wait=False)  # its running tasks finish; its threads then exit
        return _pool


def submit(size: int, fn: Callable[..., T], *args: Any) -> Future[T]:
    """Run ``fn(*args)`` on the shared pool (of at least ``size`` threads)."""
    return _get_pool(size).submit(fn, *args)


def run_parallel(task: Callable[[int], None], count: int) -> None:
    """Run ``task(0) .. task(count - 1)`` on ``count`` pool threads; re-raise the first error.

    From a pool thread (a nested call), the tasks run one after the other in the caller.
    """
    if count <= 1 or in_pool_thread():
        for k in range(count):
            task(k)
        return
    pool = _get_pool(count)
    futures = [pool.submit(task, k) for k in range(count)]
    error: BaseException | None = None
    for future in futures:  # wait for all, even after a failure: they write into the caller's arrays
        exc = future.exception()
        if exc is not None and error is None:
            error = exc
    if error is not None:
        raise error


def _reset_after_fork() -> None:
    global _pool, _size, _lock
    _pool, _size = None, 0
    _pool_threads.clear()
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
