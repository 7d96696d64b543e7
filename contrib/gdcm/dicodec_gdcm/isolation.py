"""Run GDCM in a child process, so that a crash in GDCM never takes the caller down.

GDCM's codecs turn many malformed codestreams into C++ exceptions thrown through
C code (libjpeg's and OpenJPEG's error callbacks), which end in
``std::terminate``: the *whole process* aborts. Measured on mutated JPEG, JPEG
Lossless, JPEG-LS, JPEG 2000 and HTJ2K frames (``tests/contrib/gdcm``). Because
dicodec falls back to the next codec when one fails, a corrupt frame that every
other codec rejects reaches GDCM last, and would abort the process exactly where
the caller expected a :class:`dicodec.CodecError`.

So by default each GDCM call runs in one long-lived worker process
(``python -m dicodec_gdcm._worker``) fed over pipes: the frame goes in, the
decoded samples (or codestream) come back. When GDCM crashes, only the worker
dies; the call raises :class:`GdcmCrashed` with GDCM's last words, and the next
call starts a fresh worker. A call that runs longer than :data:`TIMEOUT` seconds
kills the worker too (a hang is a crash).

Set ``DICODEC_GDCM_ISOLATION=0`` (or ``dicodec_gdcm.isolation.ENABLED = False``, or
the codec option ``gdcm_isolation=False``) to call GDCM in-process: faster for
small frames, for trusted data only.

Examples
--------
>>> import numpy as np
>>> from dicodec.plugins.records import FrameSpec
>>> spec = FrameSpec(32, 32, bits_allocated=8, bits_stored=8, transfer_syntax="1.2.840.10008.1.2.4.80")
>>> frame = call("encode", spec, np.full((32, 32), 9, np.uint8).tobytes(), {})
>>> decoded = call("decode", spec, frame.data, {})
>>> int(decoded.array.max())
9
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from dicodec.plugins.records import DecodedFrame, EncodedFrame, FrameSpec

__all__ = ["ENABLED", "TIMEOUT", "GdcmCrashed", "call", "enabled", "shutdown"]

ENABLED = os.environ.get("DICODEC_GDCM_ISOLATION", "1").strip().lower() not in ("0", "false", "no", "off")
"""Whether GDCM runs in a worker process (default; ``DICODEC_GDCM_ISOLATION=0`` turns it off)."""

TIMEOUT = float(os.environ.get("DICODEC_GDCM_TIMEOUT", "300"))
"""Seconds one GDCM call may take before the worker is killed."""

_HEADER = struct.Struct("<IQ")  # JSON header length, payload length


class GdcmCrashed(RuntimeError):
    """GDCM crashed (or hung) in the worker process; the frame is the likely cause."""


def enabled(options: dict[str, Any] | None = None) -> bool:
    """Whether this call runs isolated: the ``gdcm_isolation`` option, else :data:`ENABLED`.

    Examples
    --------
    >>> enabled({"gdcm_isolation": False})
    False
    """
    if options and "gdcm_isolation" in options:
        return bool(options["gdcm_isolation"])
    return ENABLED


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def send(stream: Any, header: dict[str, Any], payload: bytes | bytearray | memoryview) -> None:
    """Write one message: a fixed prefix, a JSON header, the payload bytes."""
    raw = json.dumps(header, default=_json_default).encode()
    view = memoryview(payload)
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    stream.write(_HEADER.pack(len(raw), view.nbytes))
    stream.write(raw)
    stream.write(view)
    stream.flush()


def _read_exact(stream: Any, n: int) -> bytes:
    chunks = []
    while n:
        chunk = stream.read(n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _read_into(stream: Any, target: memoryview) -> None:
    done = 0
    while done < len(target):
        n = stream.readinto(target[done:])
        if not n:
            raise EOFError
        done += n


def receive(
    stream: Any, into: Callable[[dict[str, Any], int], memoryview | None] | None = None
) -> tuple[dict[str, Any], bytes | memoryview]:
    """Read one message written by :func:`send`.

    ``into(header, nbytes)`` may return a writable byte view of exactly ``nbytes``
    to read the payload straight into (no intermediate copy); the view is returned.

    Raises
    ------
    EOFError
        The other side closed the pipe (it exited or crashed).
    """
    hlen, plen = _HEADER.unpack(_read_exact(stream, _HEADER.size))
    header = json.loads(_read_exact(stream, hlen))
    if not plen:
        return header, b""
    target = into(header, plen) if into is not None else None
    if target is None:
        target = memoryview(bytearray(plen))
    _read_into(stream, target)
    return header, target


class _Worker:
    """The worker process, started on first use and again after a crash."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.stderr_fd: int | None = None
        self.registered = False
        self.owner = os.getpid()

    def _start(self) -> subprocess.Popen[bytes]:
        if self.stderr_fd is None:
            fd, path = tempfile.mkstemp(prefix="dicodec-gdcm-", suffix=".log")
            os.unlink(path)
            try:
                import fcntl

                fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
            except (ImportError, OSError):  # pragma: no cover - not POSIX
                pass
            self.stderr_fd = fd
        if not self.registered:
            atexit.register(self.shutdown)  # close the pipes and reap the worker at exit
            self.registered = True
        env = dict(os.environ, DICODEC_GDCM_ISOLATION="0", PYTHONUNBUFFERED="1")
        # the worker imports what this process imports, wherever it came from
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and os.path.isdir(p))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dicodec_gdcm._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr_fd,
            env=env,
            close_fds=True,
        )
        return self.proc

    def _stderr_tail(self) -> str:
        if self.stderr_fd is None:
            return ""
        size = os.fstat(self.stderr_fd).st_size
        data = os.pread(self.stderr_fd, 2000, max(0, size - 2000)) if hasattr(os, "pread") else b""
        text = data.replace(b"\x00", b"").decode("utf-8", "replace").strip()
        return " ".join(text.split())[-600:]

    def _forget_stderr(self) -> None:
        if self.stderr_fd is not None:
            os.ftruncate(self.stderr_fd, 0)

    def _died(self, proc: subprocess.Popen[bytes], why: str) -> GdcmCrashed:
        if proc.poll() is None:
            proc.kill()
        code = proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                try:
                    pipe.close()
                except OSError:
                    pass
        self.proc = None
        if code < 0:
            try:
                how = f"signal {signal.Signals(-code).name}"
            except ValueError:  # pragma: no cover
                how = f"signal {-code}"
        else:
            how = f"exit status {code}"
        tail = self._stderr_tail()
        self._forget_stderr()
        return GdcmCrashed(
            f"GDCM {why} ({how}) in its worker process, so only the worker died; "
            f"the frame is most likely malformed" + (f". GDCM said: {tail}" if tail else "")
        )

    def request(
        self,
        header: dict[str, Any],
        payload: bytes | bytearray | memoryview,
        into: Callable[[dict[str, Any], int], memoryview | None] | None = None,
    ) -> tuple[dict[str, Any], bytes | memoryview]:
        with self.lock:
            if self.owner != os.getpid():  # a forked child must not share its parent's worker
                self.proc, self.stderr_fd, self.owner = None, None, os.getpid()
            proc = self.proc if self.proc is not None and self.proc.poll() is None else self._start()
            assert proc.stdin is not None and proc.stdout is not None
            try:
                send(proc.stdin, header, payload)
            except (BrokenPipeError, OSError) as exc:
                raise self._died(proc, "exited before it took the frame") from exc
            if os.name != "nt":  # no select() on pipes on Windows: no time limit there
                with selectors.DefaultSelector() as sel:
                    sel.register(proc.stdout, selectors.EVENT_READ)
                    if not sel.select(TIMEOUT):
                        raise self._died(proc, f"did not answer within {TIMEOUT:g} s")
            try:
                reply = receive(proc.stdout, into)
            except (EOFError, OSError, ValueError) as exc:
                raise self._died(proc, "crashed") from exc
            self._forget_stderr()
            return reply

    def shutdown(self) -> None:
        with self.lock:
            proc, self.proc = self.proc, None
            if proc is not None:
                try:
                    if proc.stdin is not None:
                        proc.stdin.close()  # the worker exits at end of input
                    proc.wait(timeout=5)
                except (OSError, subprocess.TimeoutExpired):
                    proc.kill()
                    proc.wait()
                if proc.stdout is not None:
                    proc.stdout.close()
            if self.stderr_fd is not None:
                os.close(self.stderr_fd)
                self.stderr_fd = None


_WORKER = _Worker()


def shutdown() -> None:
    """Stop the worker process (it is started again on the next call).

    Examples
    --------
    >>> shutdown()
    """
    _WORKER.shutdown()


def call(
    op: str,
    spec: FrameSpec,
    payload: bytes | bytearray | memoryview,
    options: dict[str, Any],
    out: Any = None,
) -> DecodedFrame | EncodedFrame:
    """Run ``decode`` (payload: the codestream) or ``encode`` (payload: native samples) in the worker.

    Parameters
    ----------
    op : str
        ``"decode"`` or ``"encode"``.
    spec : FrameSpec
        The frame.
    payload : bytes-like
        The codestream, or the frame's native little-endian samples.
    options : dict
        Encoder options.
    out : numpy.ndarray, optional
        Decode: the samples are read from the pipe straight into ``out`` when the
        worker's answer has ``out``'s dtype and size (then ``DecodedFrame.array``
        is ``out``).

    Returns
    -------
    DecodedFrame or EncodedFrame
        As :func:`dicodec_gdcm.codec.decode_here` / :func:`~dicodec_gdcm.codec.encode_here`
        would return in-process.

    Raises
    ------
    GdcmCrashed
        GDCM crashed or hung.
    ValueError, RuntimeError
        GDCM (or the codec around it) refused the frame; the worker's exception
        is re-raised with its message.
    """
    import numpy as np

    header = {"op": op, "spec": asdict(spec), "options": {k: v for k, v in options.items() if k != "gdcm_isolation"}}
    direct: list[bool] = []

    def into(reply: dict[str, Any], nbytes: int) -> memoryview | None:
        if (
            out is not None
            and reply.get("ok")
            and reply.get("planar_configuration") == 0
            and np.dtype(reply["dtype"]) == out.dtype
            and out.nbytes == nbytes
            and out.flags.c_contiguous
        ):
            direct.append(True)
            return memoryview(out.reshape(-1).view(np.uint8))
        return None

    reply, data = _WORKER.request(header, payload, into if op == "decode" else None)
    if not reply.get("ok"):
        kind = {"ValueError": ValueError, "TypeError": TypeError, "MemoryError": MemoryError}.get(reply.get("type", ""), RuntimeError)
        raise kind(reply.get("error", "GDCM failed in its worker process"))
    if op == "encode":
        return EncodedFrame(bytes(data), reply.get("changes", {}))
    arr = out if direct else np.frombuffer(data, dtype=np.dtype(reply["dtype"])).reshape(reply["shape"])
    return DecodedFrame(
        arr,
        reply["photometric_interpretation"],
        planar_configuration=reply["planar_configuration"],
        pixel_representation=reply["pixel_representation"],
        bits_stored=reply["bits_stored"],
    )
