"""Transcode many DICOM files on a dask cluster, one result record per file.

Every file is a task (or part of a batch task) that reads it, decodes it if it is
compressed, encodes it in the target transfer syntax and writes the output through a
temporary name renamed into place. A task is idempotent: running it again (dask
reschedules the tasks of a worker that died; :func:`transcode` retries failures)
rewrites the same output with the same bytes. Inputs are never written to.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import queue
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from . import _sources

__all__ = ["TranscodeResult", "transcode"]

_Outcome = tuple[str, "str | None", bool]  # status, error message, permanent


@dataclass(frozen=True)
class TranscodeResult:
    """What happened to one input file.

    Attributes
    ----------
    path : str
        The input: an absolute local path or a URL.
    output : str or None
        The file written (or left in place with ``skip_existing``); ``None`` on error.
    status : {"ok", "skipped", "error"}
        ``"skipped"``: the output existed and ``skip_existing=True``.
    error : str or None
        ``"ExceptionClass: message"`` of the last attempt when ``status == "error"``.
    attempts : int
        How many times :func:`transcode` submitted the file (1 when it worked at once;
        dask's own re-runs of tasks lost with a worker are not counted).

    Examples
    --------
    >>> r = TranscodeResult("/in/a.dcm", "/out/a.dcm", "ok", None, 1)
    >>> r.ok, r.to_dict()["status"]
    (True, 'ok')
    """

    path: str
    output: str | None
    status: str
    error: str | None
    attempts: int

    @property
    def ok(self) -> bool:
        """Whether the output is there (``"ok"`` or ``"skipped"``)."""
        return self.status != "error"

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict (for JSON, pandas, ...)."""
        return asdict(self)


# --------------------------------------------------------------------- tasks


def _resolve_ts(name: str) -> str:
    """A transfer syntax UID from a UID or a keyword such as ``"RLELossless"``."""
    from dicodec import uid as uid_module

    text = str(name).strip()
    if text[:1].isdigit():
        uid = uid_module.UID(text)
    else:
        value = getattr(uid_module, text, None)
        if isinstance(value, str):
            uid = uid_module.UID(str(value))
        else:
            found = [ts for ts in uid_module.AllTransferSyntaxes if text.lower() in (ts.keyword.lower(), ts.name.lower())]
            if not found:
                raise ValueError(
                    f"unknown transfer syntax {name!r}: give a UID or a keyword such as 'RLELossless', "
                    "'JPEG2000Lossless' or 'ExplicitVRLittleEndian'"
                )
            uid = uid_module.UID(str(found[0]))
    if not uid.is_transfer_syntax:
        from dicodec.plugins.registry import ensure_transfer_syntaxes

        ensure_transfer_syntaxes()  # a plugin may declare it
    if not uid.is_transfer_syntax:
        raise ValueError(f"{uid} is not a transfer syntax dicodec knows")
    return str(uid)


def _lossy_state(ds: Any) -> tuple[str, str, str]:
    return tuple(str(ds.get(k, "")) for k in ("LossyImageCompression", "LossyImageCompressionMethod", "LossyImageCompressionRatio"))  # type: ignore[return-value]


def _convert(ds: Any, ts: str, settings: Mapping[str, Any]) -> None:
    """Change ``ds`` in place to transfer syntax ``ts``."""
    from dicodec.uid import UID, generate_uid

    target = UID(ts)
    meta = ds.ensure_file_meta() if hasattr(ds, "ensure_file_meta") else ds.file_meta
    current = str(meta.get("TransferSyntaxUID") or "")
    before = _lossy_state(ds)
    if current != ts:
        if current and UID(current).is_compressed:
            ds.decompress(generate_instance_uid=False, decoding_plugin=settings["decoding_plugin"])
        if target.is_encapsulated:
            ds.compress(
                ts,
                generate_instance_uid=False,
                encoding_plugin=settings["encoding_plugin"],
                **settings["codec_options"],
            )
        else:
            ds.file_meta.TransferSyntaxUID = target
    new_uid = settings["new_instance_uid"]
    made_lossy = _lossy_state(ds) != before and str(ds.get("LossyImageCompression", "")) == "01"
    if new_uid or (new_uid is None and made_lossy):
        # Derived, not random: a re-run (retry, rescheduled task) writes the same bytes.
        old = str(ds.get("SOPInstanceUID", "")) or str(meta.get("MediaStorageSOPInstanceUID", ""))
        value = generate_uid(entropy_srcs=[old, ts, repr(sorted(settings["codec_options"].items()))])
        ds.SOPInstanceUID = value
        ds.file_meta.MediaStorageSOPInstanceUID = value


def _transcode_one(src: Any, target: str, ts: str, settings: Mapping[str, Any]) -> _Outcome:
    """Transcode one file; never raises an ``Exception`` (the outcome says what failed)."""
    from dicodec.errors import DicodecError, WriteError
    from dicodec.filereader import dcmread

    storage_options = settings["storage_options"]
    try:
        if settings["skip_existing"] and _sources.exists(target, storage_options):
            return ("skipped", None, True)
        with _sources.opened(src, storage_options) as fh:
            ds = dcmread(fh)
            _convert(ds, ts, settings)
            _sources.write_dataset(ds, target, storage_options)
        return ("ok", None, True)
    except DicodecError as exc:
        # the data or the codec give the same answer every time; a write that failed
        # on I/O (a WriteError caused by OSError or a storage backend) may not
        transient = isinstance(exc, WriteError) and exc.__cause__ is not None and not isinstance(exc.__cause__, DicodecError)
        return ("error", f"{type(exc).__name__}: {exc}", not transient)
    except Exception as exc:  # I/O and the unexpected: worth another attempt
        return ("error", f"{type(exc).__name__}: {exc}", False)


def _transcode_unit(items: Sequence[tuple[Any, str]], ts: str, settings: Mapping[str, Any]) -> list[_Outcome]:
    """One task: transcode ``(source, target)`` pairs in turn."""
    return [_transcode_one(src, target, ts, settings) for src, target in items]


# -------------------------------------------------------------------- driver


class _InlineExecutor:
    """Runs each task at once in the calling thread (the serial mode)."""

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Nothing to stop."""


def _client_threads(client: Any) -> int:
    try:
        return max(1, sum(client.nthreads().values()))
    except Exception:  # an unusual client: assume a small cluster
        return 4


def _plan_targets(
    sources: Sequence[Any], out_dir: str, root: str | None
) -> list[str]:
    """The output of each input; refuses collisions and outputs that are inputs."""
    targets = [_sources.target_for(src, out_dir, root) for src in sources]

    def key(name: str) -> str:
        return name if _sources.is_url(name) else os.path.normcase(os.path.realpath(name))

    inputs = {key(_sources.name_of(s)): _sources.name_of(s) for s in sources}
    seen: dict[str, str] = {}
    for src, target in zip(sources, targets, strict=True):
        k = key(target)
        if k in inputs:
            raise ValueError(
                f"the output for {_sources.name_of(src)} would be {target}, which is the input "
                f"{inputs[k]}: choose another out_dir (inputs are never overwritten)"
            )
        if k in seen:
            raise ValueError(
                f"{seen[k]} and {_sources.name_of(src)} would both be written to {target}: "
                "pass root= (the common folder, whose sub-folders are kept in out_dir)"
            )
        seen[k] = _sources.name_of(src)
    return targets


def transcode(
    paths: Any,
    out_dir: str | os.PathLike[str],
    transfer_syntax: str,
    client: Any = None,
    *,
    retries: int = 2,
    workers: int = 1,
    batch_size: int | None = None,
    root: str | os.PathLike[str] | None = None,
    skip_existing: bool = False,
    new_instance_uid: bool | None = None,
    encoding_plugin: str | Sequence[str] | None = None,
    decoding_plugin: str | Sequence[str] | None = None,
    storage_options: Mapping[str, Any] | None = None,
    progress: Callable[[TranscodeResult], None] | None = None,
    **codec_options: Any,
) -> list[TranscodeResult]:
    """Transcode many files to ``transfer_syntax``, on a dask cluster or locally.

    Each input gets one :class:`TranscodeResult`, in input order: nothing is dropped,
    whether it worked, failed, or its worker died. Outputs appear whole or not at all
    (temporary file, then rename), and inputs are never written.

    Parameters
    ----------
    paths : str, PathLike, OpenFile or iterable of them
        Local paths or fsspec URLs (one string with ``*``/``?``/``[`` is a glob). On a
        cluster every worker must reach them.
    out_dir : str or PathLike
        Output folder (local path or fsspec URL), created if missing. Each output is
        named like its input (see ``root``).
    transfer_syntax : str
        A UID or keyword: ``"RLELossless"``, ``"JPEG2000Lossless"``,
        ``"ExplicitVRLittleEndian"``, ...
    client : distributed.Client, optional
        Run on this cluster. Without one the files are done in this process:
        one at a time (``workers=1``, the default) or in ``workers`` threads.
    retries : int
        How many more times a file is tried after a failure that is not a
        :class:`dicodec.DicodecError` (an ``OSError``, a task lost with its worker
        more often than dask's ``allowed-failures``, ...). A ``DicodecError`` (the
        data or the codec is at fault) is reported at once.
    workers : int
        Threads, without a ``client``.
    batch_size : int, optional
        Files per task. Default: 1 without a ``client``; on a cluster, enough files per
        task for about 8 tasks per worker thread (at most 64 files), since each task
        costs a few milliseconds of scheduling. ``1`` gives the finest progress and the
        least work redone when a worker dies.
    root : str or PathLike, optional
        Keep the inputs' folders below ``root`` in ``out_dir``. Without it, outputs
        are named by base name and two inputs with the same base name are an error.
    skip_existing : bool
        Leave an existing output alone (status ``"skipped"``): resumes a run.
    new_instance_uid : bool, optional
        Give outputs a new SOP Instance UID. Default: only when this transcoding made
        the image lossy. The new UID is derived from the old one, the transfer syntax
        and the codec options, so a re-run writes the same bytes.
    encoding_plugin, decoding_plugin : str or list of str, optional
        Only these codecs.
    storage_options : dict, optional
        fsspec options for URL inputs and outputs.
    progress : callable, optional
        Called in the calling thread with each file's final :class:`TranscodeResult`.
    **codec_options
        Encoder options (``j2k_cr=``, ``jls_error=``, ...).

    Returns
    -------
    list of TranscodeResult
        One per input, in input order.

    Raises
    ------
    ValueError
        Unknown transfer syntax, two inputs with the same output, or an output that
        would overwrite an input.

    Examples
    --------
    >>> import os, tempfile
    >>> import dicodec
    >>> from dicodec import examples
    >>> out = tempfile.mkdtemp()
    >>> [r] = transcode([examples.get_path("ct")], out, "RLELossless")
    >>> r.status, r.attempts, os.path.dirname(r.output) == out
    ('ok', 1, True)
    >>> dicodec.dcmread(r.output).file_meta.TransferSyntaxUID.keyword
    'RLELossless'
    """
    if retries < 0:
        raise ValueError(f"retries must be 0 or more, not {retries}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    ts = _resolve_ts(transfer_syntax)
    sources = _sources.expand(paths, storage_options)
    out_text = os.fspath(out_dir)
    out_text = _sources.local_or_url(out_text, storage_options)
    root_text = None if root is None else _sources.local_or_url(os.fspath(root), storage_options)
    targets = _plan_targets(sources, out_text, root_text)
    if not sources:
        return []
    _sources.make_dirs(out_text, storage_options)
    settings = {
        "storage_options": dict(storage_options) if storage_options else None,
        "encoding_plugin": encoding_plugin,
        "decoding_plugin": decoding_plugin,
        "codec_options": dict(codec_options),
        "new_instance_uid": new_instance_uid,
        "skip_existing": skip_existing,
    }
    n = len(sources)
    if batch_size is None:
        batch_size = 1 if client is None else max(1, min(64, n // (8 * _client_threads(client))))
    names = [_sources.name_of(s) for s in sources]
    records: list[TranscodeResult | None] = [None] * n
    attempts = [0] * n
    done: queue.SimpleQueue[tuple[Any, list[int]]] = queue.SimpleQueue()
    pending: dict[int, Any] = {}  # id -> future: keeps distributed futures alive
    todo: deque[list[int]] = deque(list(range(i, min(i + batch_size, n))) for i in range(0, n, batch_size))
    run_id = uuid.uuid4().hex[:12]

    def watch(future: Any, indices: list[int]) -> None:
        pending[id(future)] = future
        future.add_done_callback(lambda f, idx=indices: done.put((f, idx)))

    def items(indices: list[int]) -> list[tuple[Any, str]]:
        for i in indices:
            attempts[i] += 1
        return [(sources[i], targets[i]) for i in indices]

    def key(indices: list[int]) -> str:
        return f"dicodec-transcode-{run_id}-{indices[0]}-a{attempts[indices[0]]}"

    executor: Any = None
    if client is None:
        executor = _InlineExecutor() if workers <= 1 else concurrent.futures.ThreadPoolExecutor(max_workers=workers)
        in_flight = 1 if workers <= 1 else 2 * workers
    else:
        units = list(todo)
        todo.clear()
        payloads = [items(u) for u in units]
        futures = client.map(
            _transcode_unit, payloads, ts=ts, settings=settings, key=[key(u) for u in units], pure=False
        )
        for future, unit in zip(futures, units, strict=True):
            watch(future, unit)

    def finish(i: int, status: str, error: str | None) -> None:
        record = TranscodeResult(names[i], targets[i] if status != "error" else None, status, error, attempts[i])
        records[i] = record
        if progress is not None:
            progress(record)

    try:
        while todo or pending:
            while executor is not None and todo and len(pending) < in_flight:
                unit = todo.popleft()
                watch(executor.submit(_transcode_unit, items(unit), ts, settings), unit)
            future, unit = done.get()
            pending.pop(id(future), None)
            try:
                outcomes = future.result()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # the task itself was lost: KilledWorker, cancelled, ...
                outcomes = [("error", f"{type(exc).__name__}: {exc}", False)] * len(unit)
            again: list[int] = []
            for i, (status, error, permanent) in zip(unit, outcomes, strict=True):
                if status == "error" and not permanent and attempts[i] <= retries:
                    again.append(i)
                else:
                    finish(i, status, error)
            for start in range(0, len(again), batch_size):
                retry = again[start : start + batch_size]
                if executor is not None:
                    todo.append(retry)
                    continue
                try:
                    watch(client.submit(_transcode_unit, items(retry), ts, settings, key=key(retry), pure=False), retry)
                except Exception as exc:  # the cluster is gone: say so for each file, lose none
                    for i in retry:
                        finish(i, "error", f"{type(exc).__name__}: {exc}")
            del future
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        elif pending:
            with contextlib.suppress(Exception):
                client.cancel(list(pending.values()))
    return [r for r in records if r is not None]
