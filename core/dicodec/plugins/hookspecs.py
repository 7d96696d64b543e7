"""Hook specifications: the plugin author's manual.

A dicodec plugin is a module (or any object) with functions marked ``@hookimpl``
and named after the hooks below, listed under the entry-point group
``dicodec.plugins`` of its distribution::

    [project.entry-points."dicodec.plugins"]
    acme = "dicodec_acme.plugin"

The module declares the hook API it was written for::

    DICODEC_API_VERSION = 1

A plugin written for another major API version is reported by
``dicodec plugins`` and not loaded.

Hooks **declare**, they do not act: each returns records
(:class:`~dicodec.plugins.records.CodecSpec`, ...) and the core decides which
codec runs, in what order, in which thread. A hook must be cheap: it must not
import the codec's backend library; give functions as lazy
``"package.module:function"`` strings instead.

The frame-level contract
------------------------
**decode** ``(src, spec, out) -> DecodedFrame``

* ``src`` — ``bytes`` or ``memoryview``: one frame's encoded data (all its
  fragments joined; for native data, the frame's bytes).
* ``spec`` — :class:`~dicodec.plugins.records.FrameSpec`: what the data set says
  the frame is.
* ``out`` — a writable, C-contiguous ``numpy.ndarray`` of ``spec.shape`` and
  ``spec.dtype`` to decode into, or ``None`` (then allocate). Writing into ``out``
  is what keeps a multi-frame decode to one allocation.
* returns :class:`~dicodec.plugins.records.DecodedFrame`: the array and what it
  really holds (colour space, signedness, precision). With ``out=None`` the array
  may be a read-only view of ``src`` when no conversion is needed.
* or returns ``out`` itself, when ``out`` was given and now holds the frame exactly
  as ``spec`` describes it (its photometric interpretation, interleaved samples, its
  signedness): the short form of ``DecodedFrame(out, spec.photometric_interpretation)``,
  which saves an object per frame where frames take microseconds.
* codec options the caller gave (``pixel_array(..., my_option=1)``) arrive as
  keyword arguments, and only when there are some: accept ``**options`` if your
  codec takes any. Do not correct signedness or
  colour yourself; report it, and the core corrects in one place.
* raise any exception on bad data; the core wraps it in
  :class:`~dicodec.errors.CodecError` naming the frame and keeps your exception as
  the cause, then tries the next codec unless ``fallback=False``.

**encode** ``(arr, spec, options) -> EncodedFrame``

* ``arr`` — one frame, ``spec.shape``, interleaved samples, native byte order.
* ``options`` — ``Mapping[str, Any]`` of codec options (``j2k_cr``, ``jls_error``, ...);
  ignore the ones you do not know.
* returns :class:`~dicodec.plugins.records.EncodedFrame`: the codestream and the
  data set changes it implies (e.g. ``PhotometricInterpretation``).

A complete, runnable plugin
---------------------------
>>> import numpy as np
>>> from dicodec.plugins import hookimpl, register, unregister
>>> from dicodec.plugins.records import CodecSpec, DecodedFrame, EncodedFrame, TransferSyntaxSpec
>>> XOR_TS = "1.2.826.0.1.3680043.9.9999.1"          # a private transfer syntax
>>> def xor_decode(src, spec, out):
...     data = np.frombuffer(bytes(src), dtype=spec.dtype).reshape(spec.shape) ^ 0x55
...     if out is None:
...         out = np.empty(spec.shape, spec.dtype)
...     out[...] = data
...     return DecodedFrame(out, spec.photometric_interpretation)
>>> def xor_encode(arr, spec, options):
...     return EncodedFrame((np.ascontiguousarray(arr) ^ 0x55).tobytes())
>>> class XorPlugin:
...     DICODEC_API_VERSION = 1
...     @hookimpl
...     def dicodec_transfer_syntaxes(self):
...         return [TransferSyntaxSpec(XOR_TS, "XOR Demo", keyword="XORDemo")]
...     @hookimpl
...     def dicodec_codecs(self):
...         return [CodecSpec("xor.numpy", (XOR_TS,), decode=xor_decode, encode=xor_encode)]
>>> plugin = XorPlugin()
>>> info = register(plugin, name="xor")
>>> from dicodec.plugins import get_registry
>>> [c.spec.name for c in get_registry().candidates(XOR_TS, "decode")]
['xor.numpy']
>>> unregister("xor")
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from .records import BulkDataSpec, CodecSpec, TransferSyntaxSpec

__all__ = ["API_VERSION", "hookimpl", "hookspec"]

PROJECT = "dicodec"
API_VERSION = 1
"""The hook API version of this dicodec; plugins declare ``DICODEC_API_VERSION``."""

hookspec = pluggy.HookspecMarker(PROJECT)
"""Marks the hook specifications below (used by dicodec itself)."""
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a plugin's implementation of a hook: ``@hookimpl def dicodec_codecs(): ...``."""


@hookspec
def dicodec_codecs() -> Iterable[CodecSpec]:
    """Declare the codecs this plugin provides.

    Returns
    -------
    iterable of CodecSpec
        One record per codec (one per backend library). Do not import the backend
        here: give ``decode`` / ``encode`` as ``"module:function"`` strings and list
        the backend in ``requires`` so availability is checked without importing it.

    Examples
    --------
    >>> from dicodec.plugins import hookimpl
    >>> from dicodec.plugins.records import CodecSpec, Capabilities
    >>> @hookimpl
    ... def dicodec_codecs():
    ...     return [CodecSpec(
    ...         name="rle.acme",
    ...         transfer_syntaxes=("1.2.840.10008.1.2.5",),
    ...         decode="acme_rle.codec:decode",
    ...         encode="acme_rle.codec:encode",
    ...         requires=("acme_rle",),
    ...         capabilities=Capabilities(bits_allocated=frozenset({8, 16}), releases_gil=True),
    ...         priority=40,
    ...         install_hint="pip install acme-rle",
    ...     )]
    >>> dicodec_codecs()[0].name
    'rle.acme'
    """
    raise NotImplementedError  # pragma: no cover


@hookspec
def dicodec_transfer_syntaxes() -> Iterable[TransferSyntaxSpec]:
    """Teach the core new Transfer Syntax UIDs (private ones, or newer standard ones).

    The core registers each with :func:`dicodec.uid.register_transfer_syntax`, so
    reading, writing and ``UID.is_compressed`` know them.

    Examples
    --------
    >>> from dicodec.plugins import hookimpl
    >>> from dicodec.plugins.records import TransferSyntaxSpec
    >>> @hookimpl
    ... def dicodec_transfer_syntaxes():
    ...     return [TransferSyntaxSpec("1.2.826.0.1.3680043.9.9999.2", "Acme Lossless",
    ...                                keyword="AcmeLossless")]
    >>> dicodec_transfer_syntaxes()[0].encapsulated
    True
    """
    raise NotImplementedError  # pragma: no cover


@hookspec
def dicodec_bulk_data_handlers() -> Iterable[BulkDataSpec]:
    """Declare handlers for non-pixel bulk data: overlays, waveforms, and new kinds.

    ``Dataset.overlay_array(group)`` asks for kind ``"overlay"`` (function
    ``(ds, group) -> ndarray``); ``Dataset.waveform_array(index)`` asks for kind
    ``"waveform"`` (function ``(ds, index) -> ndarray``).

    Examples
    --------
    >>> from dicodec.plugins import hookimpl
    >>> from dicodec.plugins.records import BulkDataSpec
    >>> @hookimpl
    ... def dicodec_bulk_data_handlers():
    ...     return [BulkDataSpec("overlay.acme", "overlay", "acme_overlay:get_overlay_array")]
    >>> dicodec_bulk_data_handlers()[0].kind
    'overlay'
    """
    raise NotImplementedError  # pragma: no cover
