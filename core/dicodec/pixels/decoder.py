"""Decoding frames through the codec registry.

:class:`Decoder` is what :func:`get_decoder` returns; :func:`~dicodec.pixels.pixel_array`
and :func:`~dicodec.pixels.iter_pixels` are built on it.

Examples
--------
>>> from dicodec import examples
>>> from dicodec.pixels import get_decoder
>>> ds = examples.ct
>>> arr, meta = get_decoder(ds.file_meta.TransferSyntaxUID).as_array(ds)
>>> arr.shape, meta["codecs"][0]
((512, 512), 'native.numpy')
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import changes as _changes
from .. import config
from ..dataset import Dataset
from ..errors import CodecError, DicodecError, NoCodecAvailableError
from ..plugins.records import DecodedFrame, FrameSpec
from ..plugins.registry import CodecEntry, get_registry
from .corrections import correct_unused_bits, finish_frame
from .description import PixelDescription, check_allocation
from .frames import MemoryFrames
from .source import PixelSource, open_source, source_for_dataset
from .workers import default_workers, run_parallel

__all__ = ["Decoder", "FrameDecoder", "get_decoder"]

_NATIVE = frozenset(
    ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99"]
)


class FrameDecoder:
    """Decodes single frames of one image description, trying codecs in order."""

    def __init__(
        self,
        desc: PixelDescription,
        decoding_plugin: str | Sequence[str] | None = None,
        fallback: bool = True,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.desc = desc
        self.spec = desc.spec
        # the spec codecs see when the caller wants RGB: they may convert YCbCr themselves
        self.rgb_spec = self.spec.replace(as_rgb=True) if self.spec.samples_per_pixel == 3 else self.spec
        self.fallback = fallback
        self.options = options or {}
        registry = get_registry()
        ts = desc.transfer_syntax
        candidates = registry.candidates(ts, "decode", decoding_plugin)
        usable: list[CodecEntry] = []
        self.skipped: list[tuple[str, str]] = []
        for entry in candidates:
            if not entry.available:
                self.skipped.append((entry.name, entry.unavailable_reason()))
                continue
            refusal = entry.spec.capabilities.refusal(self.spec)
            if refusal:
                self.skipped.append((entry.name, refusal))
                continue
            usable.append(entry)
        if not usable:
            from ..uid import UID

            name = UID(ts).name
            if self.skipped:
                detail = "; ".join(f"{n}: {why}" for n, why in self.skipped)
                raise NoCodecAvailableError(f"no installed codec can decode {name} ({ts}) for this image: {detail}")
            blocked = registry.blocked_codecs(ts, "decode")
            if blocked:
                raise NoCodecAvailableError(
                    f"every codec for {name} ({ts}) is blocked: {', '.join(blocked)} "
                    "(dicodec.plugins.unblock() or DICODEC_BLOCK)"
                )
            hint = _install_hint(ts)
            raise NoCodecAvailableError(
                f"no codec is registered for {name} ({ts})" + (f": {hint}" if hint else "")
            )
        self.codecs = usable
        self.native = ts in _NATIVE
        # what finish_frame would check on every frame, decided once
        self._in_place_done = not (self.native and self.spec.bits_stored < self.spec.bits_allocated)
        self._colour = self.spec.samples_per_pixel == 3
        self._ybr = self.spec.photometric_interpretation in _YBR
        self._first_kwargs: dict[str, Any] | None = None

    @property
    def releases_gil(self) -> bool:
        """Whether the first-choice codec releases the GIL (frames may run in parallel)."""
        caps = self.codecs[0].spec.capabilities
        return caps.releases_gil and caps.thread_safe

    def decode(
        self, index: int, src: bytes | bytearray | memoryview, out: np.ndarray, raw: bool, as_rgb: bool
    ) -> tuple[str, str]:
        """Decode frame ``index`` into ``out``; return (codec name, photometric interpretation)."""
        spec = self.rgb_spec if as_rgb and not raw else self.spec
        first = self.codecs[0]
        func = first._decode
        if func is not None:
            # the common case, kept short: it runs once per frame, and small frames take microseconds
            kwargs = self._first_kwargs
            if kwargs is None:  # the options the first codec takes, filtered once
                kwargs = self._first_kwargs = dict(_accepted(func, self.options)) if self.options else {}
            try:
                result = func(src, spec, out, **kwargs) if kwargs else func(src, spec, out)
            except (KeyboardInterrupt, SystemExit, GeneratorExit):
                raise
            except BaseException as exc:  # a codec may raise anything, even a Rust panic
                return self._decode_from(1, [(first.name, exc)], index, src, out, raw, as_rgb, spec)
            if result is out and self._in_place_done and (raw or not as_rgb or not self._colour or not self._ybr):
                return first.name, spec.photometric_interpretation  # "exactly as specified, in out"
            if (  # finish_frame's own shortcut, without the call
                type(result) is DecodedFrame
                and result.array is out
                and result.pixel_representation is None
                and not result.planar_configuration
                and self._in_place_done
                and (raw or not as_rgb or not self._colour or result.photometric_interpretation not in _YBR)
            ):
                return first.name, result.photometric_interpretation  # decoded in place, nothing to correct
            try:
                return first.name, finish_frame(result, spec, out, raw=raw, as_rgb=as_rgb, native=self.native)
            except (KeyboardInterrupt, SystemExit, GeneratorExit):
                raise
            except BaseException as exc:
                return self._decode_from(1, [(first.name, exc)], index, src, out, raw, as_rgb, spec)
        return self._decode_from(0, [], index, src, out, raw, as_rgb, spec)

    def _decode_from(
        self,
        start: int,
        attempts: list[tuple[str, BaseException]],
        index: int,
        src: bytes | bytearray | memoryview,
        out: np.ndarray,
        raw: bool,
        as_rgb: bool,
        spec: FrameSpec,
    ) -> tuple[str, str]:
        """Try the codecs from ``start`` on (after ``attempts`` failed); raise if none succeeds."""
        options = self.options
        if not (attempts and not self.fallback):
            for entry in self.codecs[start:]:
                try:
                    func = entry._decode or entry.function("decode")  # resolved once, then cached
                    if options:
                        result = func(src, spec, out, **_accepted(func, options))
                    else:
                        result = func(src, spec, out)
                    return entry.name, finish_frame(result, spec, out, raw=raw, as_rgb=as_rgb, native=self.native)
                except (KeyboardInterrupt, SystemExit, GeneratorExit):
                    raise
                except BaseException as exc:  # a codec may raise anything, even a Rust panic
                    attempts.append((entry.name, exc))
                    if not self.fallback:
                        break
        tried = "; ".join(f"{name}: {type(exc).__name__}: {exc}" for name, exc in attempts)
        if self.skipped:
            tried += "; not tried: " + "; ".join(f"{n} ({why})" for n, why in self.skipped)
        err = CodecError(f"frame {index} could not be decoded ({tried})")
        err.attempts = attempts  # type: ignore[attr-defined]
        raise err from attempts[-1][1]


_YBR = ("YBR_FULL", "YBR_FULL_422")

_ACCEPTS: dict[Any, tuple[bool, frozenset[str]]] = {}


def _accepted(func: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The codec options ``func`` can take: all with ``**kwargs``, else those it names."""
    found = _ACCEPTS.get(func)
    if found is None:
        import inspect

        try:
            params = inspect.signature(func).parameters.values()
        except (TypeError, ValueError):
            found = (True, frozenset())
        else:
            var_kw = any(p.kind is p.VAR_KEYWORD for p in params)
            found = (var_kw, frozenset(p.name for p in params))
        _ACCEPTS[func] = found
    if found[0]:
        return options
    return {k: v for k, v in options.items() if k in found[1]}


def _install_hint(ts: str) -> str:
    hints = {
        "1.2.840.10008.1.2.5": "pip install dicodec-rle",
        "1.2.840.10008.1.2.4.80": "pip install dicodec-jpegls",
        "1.2.840.10008.1.2.4.81": "pip install dicodec-jpegls",
        "1.2.840.10008.1.2.4.90": "pip install dicodec-jpeg2k",
        "1.2.840.10008.1.2.4.91": "pip install dicodec-jpeg2k",
        "1.2.840.10008.1.2.4.201": "pip install dicodec-jpeg2k",
        "1.2.840.10008.1.2.4.202": "pip install dicodec-jpeg2k",
        "1.2.840.10008.1.2.4.203": "pip install dicodec-jpeg2k",
        "1.2.840.10008.1.2.4.50": "pip install dicodec-jpeg",
        "1.2.840.10008.1.2.4.51": "pip install dicodec-jpeg",
        "1.2.840.10008.1.2.4.57": "pip install dicodec-jpeg",
        "1.2.840.10008.1.2.4.70": "pip install dicodec-jpeg",
    }
    if ts in _NATIVE or ts in ("1.2.840.10008.1.2.1.98", "1.2.840.10008.1.2.8.1"):
        return "pip install dicodec-native"
    return hints.get(ts, "")


def _frame_shape(spec: FrameSpec, n: int | None) -> tuple[int, ...]:
    return spec.shape if n is None else (n, *spec.shape)


def _meta(desc: PixelDescription, pi: str, codecs: list[str], count: int) -> dict[str, Any]:
    spec = desc.spec
    return {
        "rows": spec.rows,
        "columns": spec.columns,
        "samples_per_pixel": spec.samples_per_pixel,
        "bits_allocated": spec.bits_allocated,
        "bits_stored": spec.bits_stored,
        "pixel_representation": spec.pixel_representation,
        "photometric_interpretation": pi,
        "planar_configuration": 0,
        "number_of_frames": count,
        "transfer_syntax": desc.transfer_syntax,
        "codecs": codecs,
    }


def _resolve_indices(index: int | None, indices: Iterable[int] | None, total: int) -> tuple[list[int], bool]:
    """(frame list, squeeze) where squeeze means return a single frame without the frame axis."""
    if index is not None and indices is not None:
        raise ValueError("give index= or indices=, not both")
    if index is not None:
        idx = int(index)
        if idx < 0:
            idx += total
        if not 0 <= idx < total:
            raise IndexError(f"frame index {index} is out of range for {total} frames")
        return [idx], True
    if indices is not None:
        out = []
        for i in indices:
            j = int(i) + (total if int(i) < 0 else 0)
            if not 0 <= j < total:
                raise IndexError(f"frame index {i} is out of range for {total} frames")
            out.append(j)
        return out, False
    return list(range(total)), total == 1




class DecodePlan:
    """Everything decided once per source: the direct-read shortcut or the codec chain."""

    def __init__(
        self,
        source: PixelSource,
        decoding_plugin: str | Sequence[str] | None,
        raw: bool,
        as_rgb: bool,
        fallback: bool,
        options: dict[str, Any] | None,
    ) -> None:
        self.source = source
        self.desc = source.desc
        self.spec = source.desc.spec
        self.raw = raw
        self.as_rgb = as_rgb
        self.direct = (
            source.identity_layout
            and not raw_needs_codec(self.desc, raw, as_rgb)
            and _native_codec_allowed(self.desc, decoding_plugin)
        )
        self.mask_bits = self.spec.bits_stored < self.spec.bits_allocated and np.dtype(self.spec.dtype).kind in "ui"
        self.signed = bool(self.spec.pixel_representation)
        self.dtype = np.dtype(self.spec.dtype)
        self.mask = self.dtype.type((1 << self.spec.bits_stored) - 1) if self.mask_bits and not self.signed else None
        self.decoder = None if self.direct else FrameDecoder(self.desc, decoding_plugin, fallback, options)
        self._meta_base = _meta(self.desc, self.spec.photometric_interpretation, [], 1)
        self.total = self.desc.number_of_frames
        self._frame_shape = (1, *self.spec.shape)
        self._copy_frame = getattr(source.frames, "copy_frame", None) if self.direct else None
        self._volume = source.frames.volume if self._copy_frame is not None else None  # type: ignore[union-attr]
        self._get = source.frames.get  # the frame source's own method: one call less per frame
        if self.decoder is not None:
            self.one = self._codec_one()  # type: ignore[method-assign]

    def _codec_one(self) -> Any:
        """:meth:`one` for codec-decoded frames, with everything it needs bound once."""
        decode, get, empty = self.decoder.decode, self._get, np.empty  # type: ignore[union-attr]
        shape, dtype, raw, as_rgb = self.spec.shape, self.dtype, self.raw, self.as_rgb
        frames = self.source.frames
        table = frames.table if type(frames) is MemoryFrames else None
        if table is not None:
            spans, view = table.frames, frames._view  # type: ignore[union-attr]

            def one(index: int) -> tuple[np.ndarray, str, str]:
                parts = spans[index]
                if len(parts) == 1:  # one fragment in memory: sliced here, as MemoryFrames.get would
                    off, length = parts[0]
                    src = view[off : off + length]
                else:
                    src = get(index)
                out = empty(shape, dtype)
                codec, pi = decode(index, src, out, raw, as_rgb)
                return out, codec, pi

        else:

            def one(index: int) -> tuple[np.ndarray, str, str]:
                out = empty(shape, dtype)
                codec, pi = decode(index, get(index), out, raw, as_rgb)
                return out, codec, pi

        one.__doc__ = DecodePlan.one.__doc__
        return one

    def meta(self, pi: str, codecs: list[str]) -> dict[str, Any]:
        """The metadata dict of a one-frame result."""
        return {**self._meta_base, "photometric_interpretation": pi, "codecs": codecs}

    def one(self, index: int) -> tuple[np.ndarray, str, str]:
        """Decode one frame into a new array: (array, codec, photometric interpretation)."""
        spec = self.spec
        if self.decoder is None:
            copy_frame = self._copy_frame
            if copy_frame is not None:
                if self.mask is not None and self._volume is not None:  # copy and clear unused bits in one pass
                    out = np.empty(spec.shape, dtype=self.dtype)  # the plan's byte order, as every other path
                    np.bitwise_and(self._volume[index], self.mask, out=out)
                    return out, "native.numpy", spec.photometric_interpretation
                out = copy_frame(index)
            else:
                out = np.empty(spec.shape, dtype=self.dtype)
                self.source.read_into(index, out.reshape(self._frame_shape))
            self.finish_native(out)
            return out, "native.numpy", spec.photometric_interpretation
        out = np.empty(spec.shape, dtype=self.dtype)
        codec, pi = self.decoder.decode(index, self._get(index), out, self.raw, self.as_rgb)
        return out, codec, pi

    def finish_native(self, out: np.ndarray) -> None:
        """Clear or sign-extend the bits above Bits Stored of directly read native frames."""
        if self.mask is not None:
            np.bitwise_and(out, self.mask, out=out)
        elif self.mask_bits:
            correct_unused_bits(out, self.spec.bits_stored, True)

    def iter_frames(self, frames: list[int]) -> Iterator[np.ndarray]:
        """Decode ``frames`` one by one; consecutive native frames are read in blocks."""
        if len(frames) > 1 and hasattr(self.source.frames, "read_ahead"):
            self.source.frames.read_ahead = True  # sequential: fewer, larger reads
        if self.decoder is not None:
            one = self.one  # the plan's own one-frame function, with everything bound once
            for i in frames:
                yield one(i)[0]
            return
        if not frames:
            return
        spec = self.spec
        per_block = max(1, min(64, (1 << 20) // max(spec.decoded_length, 1)))
        k = 0
        while k < len(frames):
            run = 1
            while run < per_block and k + run < len(frames) and frames[k + run] == frames[k] + run:
                run += 1
            block = np.empty((run, *spec.shape), dtype=self.dtype)
            self.source.read_into(frames[k], block)
            self.finish_native(block)
            yield from block  # each frame a view of its own block (at most about 1 MB)
            k += run


def plan_for(
    source: PixelSource,
    decoding_plugin: str | Sequence[str] | None,
    raw: bool,
    as_rgb: bool,
    fallback: bool,
    options: dict[str, Any] | None,
) -> DecodePlan:
    """The decode plan for these options, reused from the source while nothing changed."""
    registry = get_registry()
    if not registry._loaded:
        registry.ensure_loaded()
    if decoding_plugin is None and not options:
        # the common case: a short key
        fast = (raw, as_rgb, fallback, config.preference_for(source.desc.transfer_syntax), registry.generation)
        plan = source.plans.get(fast)
        if plan is None:
            plan = DecodePlan(source, None, raw, as_rgb, fallback, None)
            source.plans[fast] = plan
        return plan
    try:
        key = (
            decoding_plugin if not isinstance(decoding_plugin, list) else tuple(decoding_plugin),
            raw,
            as_rgb,
            fallback,
            tuple(sorted(options.items())) if options else (),
            config.preference_for(source.desc.transfer_syntax),
            registry.generation,
        )
        hash(key)
    except TypeError:  # unhashable options: no caching
        return DecodePlan(source, decoding_plugin, raw, as_rgb, fallback, options)
    plan = source.plans.get(key)
    if plan is None:
        plan = DecodePlan(source, decoding_plugin, raw, as_rgb, fallback, options)
        source.plans[key] = plan
    return plan


def decode_frames(
    source: PixelSource,
    frames: list[int],
    *,
    decoding_plugin: str | Sequence[str] | None = None,
    raw: bool = False,
    as_rgb: bool = True,
    fallback: bool = True,
    workers: int | None = None,
    out: np.ndarray | None = None,
    squeeze: bool = False,
    options: dict[str, Any] | None = None,
) -> tuple[np.ndarray, dict[str, Any]]:
    """Decode the listed frames of ``source`` into one array (allocated once)."""
    desc = source.desc
    spec = desc.spec
    n = len(frames)
    shape = _frame_shape(spec, None if squeeze else n)
    if out is None:
        check_allocation(spec, n)
        out = np.empty(shape, dtype=spec.dtype)
    elif (
        out.shape != shape
        or out.dtype != np.dtype(spec.dtype)
        or not out.flags.c_contiguous
        or not out.flags.writeable
    ):
        raise ValueError(f"out must be a writable C-contiguous {spec.dtype} array of shape {shape}")
    frame_views = out.reshape((n, *spec.shape))
    plan = plan_for(source, decoding_plugin, raw, as_rgb, fallback, options)
    if plan.decoder is None:
        consecutive = frames == list(range(frames[0], frames[0] + n))
        if consecutive:
            source.read_into(frames[0], frame_views)
        else:
            for k, i in enumerate(frames):
                source.read_into(i, frame_views[k : k + 1])
        plan.finish_native(frame_views)
        return out, _meta(desc, spec.photometric_interpretation, ["native.numpy"] * n, n)
    decoder = plan.decoder
    if n > 1 and hasattr(source.frames, "read_ahead"):
        source.frames.read_ahead = True  # many frames: fewer, larger reads
    codecs: list[str] = [""] * n
    pis: list[str] = [spec.photometric_interpretation] * n

    def work(k: int) -> None:
        i = frames[k]
        codecs[k], pis[k] = decoder.decode(i, source.get(i), frame_views[k], raw, as_rgb)

    nworkers = workers if workers is not None else (default_workers() if decoder.releases_gil else 1)
    if workers is None:  # a pool task costs more than decoding a small frame: about 1 MB per worker
        nworkers = min(nworkers, max(1, n * spec.decoded_length // (1 << 20)))
    nworkers = min(nworkers, n)
    if nworkers > 1 and decoder.releases_gil:

        def batch(first: int) -> None:
            for k in range(first, n, nworkers):  # one task per worker, frames interleaved
                work(k)

        run_parallel(batch, nworkers)
    else:
        for k in range(n):
            work(k)
    return out, _meta(desc, pis[0] if pis else spec.photometric_interpretation, codecs, n)


def raw_needs_codec(desc: PixelDescription, raw: bool, as_rgb: bool) -> bool:
    """Whether native data still needs processing after a plain copy."""
    spec = desc.spec
    return (
        not raw
        and as_rgb
        and spec.samples_per_pixel == 3
        and spec.photometric_interpretation in ("YBR_FULL", "YBR_FULL_422")
    )


def _native_codec_allowed(desc: PixelDescription, decoding_plugin: str | Sequence[str] | None) -> bool:
    """The direct-read shortcut stands in for the native codec: only when it would be chosen."""
    registry = get_registry()
    try:
        candidates = registry.candidates(desc.transfer_syntax, "decode", decoding_plugin)
    except DicodecError:
        return False
    for entry in candidates:
        if entry.available and entry.spec.capabilities.refusal(desc.spec) is None:
            return entry.name == "native.numpy"
    return False


class _LastPlan(NamedTuple):
    """The plan of a Decoder's last one-frame call, and what it was valid for."""

    plan: Any  # a weak reference: the plan lives in its data set's cache
    changes: int  # dicodec.changes generation when the plan was looked up
    context: Any  # the prefer() layers in force then (held, so the identity stays unique)
    fallback: bool
    decoding_plugin: str | Sequence[str] | None  # only None, a str or a tuple are kept
    options: dict[str, Any]


class Decoder:
    """Decoding for one transfer syntax, from a Dataset, a path or a file-like.

    Obtain it with :func:`get_decoder`.
    """

    def __init__(self, transfer_syntax: str) -> None:
        from ..uid import UID

        self.transfer_syntax = UID(transfer_syntax)
        self._ts = str(self.transfer_syntax)
        self._last: _LastPlan | None = None

    def __repr__(self) -> str:
        return f"<Decoder for {self.transfer_syntax.name}>"

    @property
    def available_plugins(self) -> list[str]:
        """Names of the installed codecs that can decode this transfer syntax."""
        return [
            e.name for e in get_registry().candidates(str(self.transfer_syntax), "decode") if e.available
        ]

    @property
    def is_available(self) -> bool:
        """Whether any installed codec decodes this transfer syntax."""
        return bool(self.available_plugins)

    def as_array(
        self,
        src: Any,
        *,
        index: int | None = None,
        indices: Iterable[int] | None = None,
        decoding_plugin: str | Sequence[str] | None = None,
        raw: bool = False,
        as_rgb: bool = True,
        fallback: bool = True,
        workers: int | None = None,
        out: np.ndarray | None = None,
        view_only: bool = False,
        **options: Any,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Decode frames of ``src`` into one array; return ``(array, meta)``.

        ``meta`` holds the image description of the result (photometric
        interpretation after conversion, number of frames, ...) and ``codecs``, the
        codec that produced each frame.
        """
        if index is not None and indices is None and out is None and not view_only and isinstance(src, Dataset):
            # one frame of an in-memory data set: the cached source and plan do it all
            plan = None
            last = self._last
            if last is not None:
                plan = last.plan()
                if plan is not None and not (
                    last.changes == _changes._current  # no data set, codec or preference changed
                    and last.context is config._context_prefs.get()  # nor this thread's prefer() blocks
                    and plan.source.dataset is src
                    and plan.raw == raw
                    and plan.as_rgb == as_rgb
                    and last.fallback == fallback
                    and last.decoding_plugin == decoding_plugin
                    and ((not options and not last.options) or (_plain_options(options) and last.options == options))
                ):
                    plan = None
            if plan is None:
                now, context = _changes._current, config._context_prefs.get()
                source = source_for_dataset(src, self._ts)
                plan = plan_for(source, decoding_plugin, raw, as_rgb, fallback, options)
                if _plain_options(options) and (decoding_plugin is None or type(decoding_plugin) in (str, tuple)):
                    # the same data set again next time: skip both lookups while nothing changed
                    self._last = _LastPlan(
                        weakref.ref(plan), now, context, fallback, decoding_plugin, dict(options)
                    )
            total = plan.total
            idx = index + total if index < 0 else index
            if not 0 <= idx < total:
                raise IndexError(f"frame index {index} is out of range for {total} frames")
            arr, codec, pi = plan.one(idx)
            return arr, {**plan._meta_base, "photometric_interpretation": pi, "codecs": [codec]}
        with open_source(src, self.transfer_syntax) as source:
            return decode_source(
                source,
                index,
                indices,
                decoding_plugin=decoding_plugin,
                raw=raw,
                as_rgb=as_rgb,
                fallback=fallback,
                workers=workers,
                out=out,
                view_only=view_only,
                options=options,
            )

    def iter_array(
        self,
        src: Any,
        *,
        indices: Iterable[int] | None = None,
        decoding_plugin: str | Sequence[str] | None = None,
        raw: bool = False,
        as_rgb: bool = True,
        fallback: bool = True,
        **options: Any,
    ) -> Iterator[tuple[np.ndarray, dict[str, Any]]]:
        """Yield ``(frame, meta)`` one frame at a time (one frame in memory)."""
        with open_source(src, self.transfer_syntax) as source:
            frames, _ = _resolve_indices(None, indices, source.desc.number_of_frames)
            plan = plan_for(source, decoding_plugin, raw, as_rgb, fallback, options)
            for i in frames:
                arr, codec, pi = plan.one(i)
                yield arr, _meta(source.desc, pi, [codec], 1)

    def as_buffer(self, src: Any, *, index: int | None = None, **kwargs: Any) -> tuple[memoryview, dict[str, Any]]:
        """Like :meth:`as_array` with ``raw=True``, returning the decoded bytes."""
        kwargs["raw"] = True
        arr, meta = self.as_array(src, index=index, **kwargs)
        return arr.data.cast("B"), meta

    def iter_buffer(self, src: Any, **kwargs: Any) -> Iterator[tuple[memoryview, dict[str, Any]]]:
        """Like :meth:`iter_array` with ``raw=True``, yielding the decoded bytes."""
        kwargs["raw"] = True
        for arr, meta in self.iter_array(src, **kwargs):
            yield arr.data.cast("B"), meta


def decode_source(
    source: PixelSource,
    index: int | None,
    indices: Iterable[int] | None,
    *,
    view_only: bool = False,
    **decode_options: Any,
) -> tuple[np.ndarray, dict[str, Any]]:
    """The frames ``index`` / ``indices`` of an open source as one array, and its meta.

    What :func:`~dicodec.pixels.pixel_array` and :meth:`Decoder.as_array` share: the
    frames are resolved, a view is returned when ``view_only`` allows one, else the
    frames are decoded with :func:`decode_frames`, which takes ``decode_options``
    (``decoding_plugin``, ``raw``, ``as_rgb``, ``fallback``, ``workers``, ``out``,
    ``options``).
    """
    frames, squeeze = _resolve_indices(index, indices, source.desc.number_of_frames)
    if view_only:
        raw, as_rgb = decode_options.get("raw", False), decode_options.get("as_rgb", True)
        view = source.view(frames, squeeze, raw, as_rgb)
        if view is not None:
            return view, _meta(source.desc, source.desc.spec.photometric_interpretation, ["view"], len(frames))
    return decode_frames(source, frames, squeeze=squeeze, **decode_options)


_PLAIN_TYPES = frozenset([int, float, str, bool, type(None)])


def _plain_options(options: dict[str, Any]) -> bool:
    """Whether every option value compares safely and cheaply (no arrays, no containers)."""
    return not options or all(type(v) in _PLAIN_TYPES for v in options.values())


def get_decoder(transfer_syntax: str) -> Decoder:
    """The :class:`Decoder` for a transfer syntax.

    Examples
    --------
    >>> from dicodec.pixels import get_decoder
    >>> get_decoder("1.2.840.10008.1.2.1")
    <Decoder for Explicit VR Little Endian>
    """
    return Decoder(transfer_syntax)
