"""dicodec contenders for the shared benchmark harness (``../shared/bench``).

Load it with ``--adapter``::

    cd ../shared/bench
    python run_bench.py --adapter ../../main/tests/benchmarks/dicodec_adapter.py \\
        --sections decode,perframe,memory --only 'dicodec|pixel_array|numpy|zlib'

What is registered depends on what dicodec has today:

* always: ``dicodec.dcmread+frombuffer`` for Explicit VR LE and Deflated Explicit
  VR LE files: dicodec parses the file (inflating a deflated one) and the Pixel Data
  bytes are viewed with ``numpy.frombuffer``. This measures dicodec's reader on big
  files against pydicom's whole ``pixel_array`` path and the raw numpy/zlib floors.
* once :mod:`dicodec.pixels` exists (checked at load time, nothing fails before):
  ``dicodec.pixels.pixel_array(path)``, ``dicodec.pixels.iter_pixels(path)`` and
  ``dicodec.pixels.get_decoder(uid).as_array(ds, index=i)`` for every transfer syntax
  the harness knows; a syntax is offered only when ``get_decoder`` accepts its UID.

The harness's ``parse`` and ``import`` sections time pydicom only; dicodec's side of
those is ``tests/benchmarks/bench_parse.py`` and ``bench_import.py``.

The harness imports this file in its own interpreter: install dicodec there first
(``pip install -e <repo>``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from contenders import file_decoder, frame_iterator, indexed_decoder  # the harness's registry

import dicodec

ALL = ["native", "deflated", "rle", "jls", "j2k", "j2k_lossy", "htj2k", "jpeg_baseline", "jpeg_ll_sv1"]


# ------------------------------------------------------------ reader only


def _native_array(path: str) -> np.ndarray:
    ds = dicodec.dcmread(path)
    bits = int(ds.BitsAllocated)
    data = ds.PixelData
    if bits == 1:
        count = int(ds.Rows) * int(ds.Columns) * int(ds.get("NumberOfFrames", 1) or 1)
        return np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")[:count]
    kind = "i" if int(ds.PixelRepresentation) else "u"
    return np.frombuffer(data, np.dtype(f"<{kind}{bits // 8}"))


file_decoder(
    "dicodec.dcmread+frombuffer",
    syntaxes=["native"],
    layer="framework",
    backend="numpy",
)(_native_array)

file_decoder(
    "dicodec.dcmread+frombuffer[deflated]",
    syntaxes=["deflated"],
    layer="framework",
    backend="zlib",
)(_native_array)


# ------------------------------------------------- the pixel pipeline, later


def _pixels_module() -> Any:
    try:
        return importlib.import_module("dicodec.pixels")
    except ImportError:
        return None


pixels = _pixels_module()


def _decoder_for(uid: str) -> Any:
    try:
        return pixels.get_decoder(uid)
    except Exception:  # no decoder for this syntax (yet): the cell is not offered
        return None


def _offered(meta: dict[str, Any]) -> bool:
    decoder = _decoder_for(meta["transfer_syntax"])
    available = getattr(decoder, "is_available", True)
    return decoder is not None and bool(available() if callable(available) else available)


if pixels is not None and hasattr(pixels, "pixel_array"):

    @file_decoder(
        "dicodec.pixels.pixel_array(path)", syntaxes=ALL, layer="framework", backend="dicodec", supports=_offered
    )
    def pixel_array(path: str) -> np.ndarray:
        return np.asarray(pixels.pixel_array(path))


if pixels is not None and hasattr(pixels, "iter_pixels"):

    @frame_iterator(
        "dicodec.pixels.iter_pixels(path)", syntaxes=ALL, layer="framework", backend="dicodec", supports=_offered
    )
    def iter_pixels(path: str) -> Iterator[np.ndarray]:
        return iter(pixels.iter_pixels(path))


if pixels is not None and hasattr(pixels, "get_decoder"):

    @indexed_decoder(
        "dicodec.get_decoder(uid).as_array(ds, index=i)",
        syntaxes=ALL,
        layer="framework",
        backend="dicodec",
        supports=_offered,
    )
    def as_array(path: str) -> Callable[[int], np.ndarray]:
        ds = dicodec.dcmread(path)
        decoder = pixels.get_decoder(ds.file_meta.TransferSyntaxUID)

        def frame(i: int) -> np.ndarray:
            result = decoder.as_array(ds, index=i)
            return np.asarray(result[0] if isinstance(result, tuple) else result)

        return frame
