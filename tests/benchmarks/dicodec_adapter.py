"""dicodec contenders for the shared benchmark harness (``../shared/bench``).

Load it with ``--adapter``::

    cd ../shared/bench
    python run_bench.py --adapter ../../main/tests/benchmarks/dicodec_adapter.py \\
        --sections decode,perframe,memory --only 'dicodec|pixel_array|numpy|zlib'

What it registers:

* ``dicodec.dcmread+frombuffer`` for Explicit VR LE and Deflated Explicit VR LE files:
  dicodec parses the file (inflating a deflated one) and the Pixel Data bytes are
  viewed with ``numpy.frombuffer``: dicodec's reader alone against the floors.
* the pixel pipeline, for every transfer syntax of the harness for which an installed
  dicodec codec exists (``get_decoder(uid).available_plugins``; nothing is offered,
  and nothing fails, for a syntax whose plugin is not installed):

  - ``dicodec.pixels.pixel_array(path)`` and ``dicodec.dcmread(path).pixel_array``
    (file decoders: ``decode``, ``perframe`` and the peak-RSS ``memory`` section);
  - ``dicodec.pixels.iter_pixels(path)`` (frame iterator: ``perframe``, ``memory``);
  - ``dicodec.get_decoder(uid).as_array(ds, index=i)`` (indexed decoder: ``perframe``
    and ``threads``; the data set is read in the untimed set-up);
  - ``dicodec.pixels.pixel_array(path, view_only=True)`` on native files (a read-only
    memory map: no copy);
  - where several codecs serve one syntax, the same three contenders once per codec,
    named ``...[codec]`` (``decoding_plugin=codec``), like pydicom's per-plugin rows.

  Native contenders declare the ``numpy`` backend, so the harness quotes their
  framework overhead against the ``np.fromfile`` floor, as it does for pydicom.

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

ALL = [
    "native",
    "deflated",
    "rle",
    "jls",
    "j2k",
    "j2k_lossy",
    "htj2k",
    "jpeg_baseline",
    "jpeg_ll_sv1",
]


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


# ------------------------------------------------------------ the pixel pipeline


def _pixels_module() -> Any:
    try:
        return importlib.import_module("dicodec.pixels")
    except ImportError:
        return None


pixels = _pixels_module()

# Load the data dictionary now, as ``import pydicom`` does for pydicom: the harness's
# peak-RSS probe reads its baseline after loading the adapters, and dicodec loads the
# dictionary lazily on the first read. Without a ``.pyc`` (``PYTHONDONTWRITEBYTECODE``)
# compiling it costs a ~32 MB transient that would be charged to the first decode.
dicodec.datadict.keyword_for_tag(0x00100010)


def _decoder_for(uid: str) -> Any:
    try:
        return pixels.get_decoder(uid)
    except Exception:  # no decoder for this syntax (yet): the cell is not offered
        return None


def _available(uid: str) -> list[str]:
    """Installed dicodec codecs for ``uid``, best first (empty when none)."""
    decoder = _decoder_for(uid)
    if decoder is None:
        return []
    try:
        return list(decoder.available_plugins)
    except Exception:
        return []


def _offered(meta: dict[str, Any]) -> bool:
    return bool(_available(meta["transfer_syntax"]))


def _codec_offered(codec: str) -> Callable[[dict[str, Any]], bool]:
    return lambda meta: codec in _available(meta["transfer_syntax"])


def _harness_syntaxes() -> dict[str, str]:
    """The harness's short keys -> UIDs (``common.TS``), or this file's fallback."""
    try:
        from common import TS  # the harness's table (on sys.path when it loads adapters)

        return {key: uid for key, (uid, _) in TS.items()}
    except ImportError:
        return {}


def _codec_variants() -> dict[str, list[str]]:
    """Codec name -> the short keys it can decode, for syntaxes with more than one codec."""
    out: dict[str, list[str]] = {}
    for key, uid in _harness_syntaxes().items():
        names = _available(uid)
        if len(names) > 1:
            for name in names:
                out.setdefault(name, []).append(key)
    return out


def _backend(name: str) -> dict[str, Any]:
    """The harness pairs framework and raw contenders by backend for the overhead tables."""
    return {"backend": "numpy" if name.startswith("native") else "dicodec"}


def _make_pixel_array(codec: str | None, **options: Any) -> Callable[[str], np.ndarray]:
    kwargs = dict(options, **({"decoding_plugin": codec} if codec else {}))

    def decode(path: str) -> np.ndarray:
        return np.asarray(pixels.pixel_array(path, **kwargs))

    return decode


def _make_iter(codec: str | None) -> Callable[[str], Iterator[np.ndarray]]:
    kwargs = {"decoding_plugin": codec} if codec else {}

    def frames(path: str) -> Iterator[np.ndarray]:
        return iter(pixels.iter_pixels(path, **kwargs))

    return frames


def _make_indexed(codec: str | None) -> Callable[[str], Callable[[int], np.ndarray]]:
    kwargs = {"decoding_plugin": codec} if codec else {}

    def setup(path: str) -> Callable[[int], np.ndarray]:
        ds = dicodec.dcmread(path)  # not timed
        decoder = pixels.get_decoder(ds.file_meta.TransferSyntaxUID)

        def frame(i: int) -> np.ndarray:
            return decoder.as_array(ds, index=i, **kwargs)[0]

        return frame

    return setup


def _dataset_pixel_array(path: str) -> np.ndarray:
    return np.asarray(dicodec.dcmread(path).pixel_array)


if pixels is not None and hasattr(pixels, "pixel_array"):
    # the defaults: dicodec picks the codec (decode, perframe, memory, threads sections)
    file_decoder(
        "dicodec.pixels.pixel_array(path)",
        syntaxes=ALL,
        layer="framework",
        supports=_offered,
        backend="dicodec",
    )(_make_pixel_array(None))
    frame_iterator(
        "dicodec.pixels.iter_pixels(path)",
        syntaxes=ALL,
        layer="framework",
        supports=_offered,
        backend="dicodec",
    )(_make_iter(None))
    indexed_decoder(
        "dicodec.get_decoder(uid).as_array(ds, index=i)",
        syntaxes=ALL,
        layer="framework",
        supports=_offered,
        backend="dicodec",
    )(_make_indexed(None))
    file_decoder(
        "dicodec.dcmread(path).pixel_array",
        syntaxes=ALL,
        layer="framework",
        supports=_offered,
        backend="dicodec",
    )(_dataset_pixel_array)
    # native data without a copy: a read-only memory map of the file
    file_decoder(
        "dicodec.pixels.pixel_array(path, view_only=True)",
        syntaxes=["native"],
        layer="framework",
        supports=_offered,
        backend="numpy",
    )(_make_pixel_array(None, view_only=True))
    # one contender per codec where a syntax has several (e.g. jpeg2k.openjpeg and gdcm)
    for _codec, _keys in _codec_variants().items():
        _kw = {"layer": "framework", "supports": _codec_offered(_codec), **_backend(_codec)}
        file_decoder(f"dicodec.pixels.pixel_array(path)[{_codec}]", syntaxes=_keys, **_kw)(
            _make_pixel_array(_codec)
        )
        frame_iterator(f"dicodec.pixels.iter_pixels(path)[{_codec}]", syntaxes=_keys, **_kw)(
            _make_iter(_codec)
        )
        indexed_decoder(
            f"dicodec.get_decoder(uid).as_array(ds, index=i)[{_codec}]", syntaxes=_keys, **_kw
        )(_make_indexed(_codec))
