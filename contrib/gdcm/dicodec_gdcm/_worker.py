"""The GDCM worker process (``python -m dicodec_gdcm._worker``); see :mod:`dicodec_gdcm.isolation`.

It reads requests from stdin and answers on the original stdout; anything GDCM
prints goes to stderr, which the parent keeps to explain a crash.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main() -> int:
    """Serve requests until stdin closes."""
    import numpy as np

    from dicodec.plugins.records import FrameSpec

    from . import codec
    from .isolation import receive, send

    requests = os.fdopen(os.dup(0), "rb", buffering=0)
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # C-level writes to stdout must not corrupt the replies
    while True:
        try:
            header, payload = receive(requests)
        except EOFError:
            return 0
        reply: dict[str, Any]
        data: bytes | memoryview = b""
        try:
            spec = FrameSpec(**header["spec"])
            options = header.get("options") or {}
            if header["op"] == "decode":
                result = codec.decode_here(payload, spec, None)
                arr = np.ascontiguousarray(result.array)
                reply = {
                    "ok": True,
                    "dtype": arr.dtype.str,
                    "shape": list(arr.shape),
                    "photometric_interpretation": result.photometric_interpretation,
                    "planar_configuration": result.planar_configuration,
                    "pixel_representation": result.pixel_representation,
                    "bits_stored": result.bits_stored,
                }
                data = arr.reshape(-1).view(np.uint8).data
            elif header["op"] == "encode":
                arr = np.frombuffer(payload, dtype=np.dtype(spec.dtype).newbyteorder("<")).reshape(spec.shape)
                frame = codec.encode_here(arr, spec, options)
                reply = {"ok": True, "changes": dict(frame.changes)}
                data = bytes(frame.data)
            else:
                reply = {"ok": False, "type": "ValueError", "error": f"unknown request {header['op']!r}"}
        except Exception as exc:  # reported to the parent, which re-raises it
            reply = {"ok": False, "type": type(exc).__name__, "error": str(exc)}
        send(replies, reply, data)


if __name__ == "__main__":
    sys.exit(main())
