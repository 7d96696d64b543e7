"""The ``pylibjpeg`` dicodec plugin: every installed pylibjpeg plugin, as a dicodec codec.

pylibjpeg plugins register one function per Transfer Syntax UID under the
entry-point groups ``pylibjpeg.pixel_data_decoders`` and
``pylibjpeg.pixel_data_encoders``. This bridge reads those groups itself (with
:mod:`importlib.metadata`, which imports nothing) and declares one dicodec codec
per distribution, named after it: ``pylibjpeg-openjpeg`` becomes
``pylibjpeg.openjpeg``, ``pylibjpeg-libjpeg`` ``pylibjpeg.libjpeg``,
``pylibjpeg-rle`` ``pylibjpeg.rle``; a distribution whose name does not start
with ``pylibjpeg-`` keeps its whole normalised name (``acme-codec`` →
``pylibjpeg.acme-codec``).

Each codec's ``decode`` / ``encode`` is a :class:`LazyFunction`: the entry point
of a syntax is loaded on the first frame of that syntax, each one on its own, so
one pylibjpeg plugin that fails to import only fails its own frames (dicodec then
falls back to the next codec) and never hides the others, unlike
``pylibjpeg.utils.get_pixel_data_decoders()``, which loads them all in one
comprehension. :func:`probe` loads every entry point now and reports which fail.

The bridge wraps whatever is installed and depends on none of the backends
(pylibjpeg-libjpeg, one of them, is GPL-3). Its codecs have a low default
priority (20): the first-party plugins use the same libraries directly.

Examples
--------
>>> from dicodec_pylibjpeg import plugin
>>> names = [c.name for c in plugin.dicodec_codecs()]
>>> all(n.startswith("pylibjpeg.") for n in names)
True
>>> plugin.codec_name("pylibjpeg-openjpeg"), plugin.codec_name("Acme_Codec")
('pylibjpeg.openjpeg', 'pylibjpeg.acme-codec')
"""

from __future__ import annotations

import importlib.metadata
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dicodec.plugins import hookimpl
from dicodec.plugins.records import Capabilities, CodecSpec, FrameSpec

__all__ = [
    "DECODER_GROUP",
    "DICODEC_API_VERSION",
    "ENCODER_GROUP",
    "BridgeCapabilities",
    "LazyFunction",
    "PylibjpegPlugin",
    "codec_name",
    "dicodec_codecs",
    "discover",
    "probe",
]

DICODEC_API_VERSION = 1
"""The dicodec hook API this plugin was written for."""

DECODER_GROUP = "pylibjpeg.pixel_data_decoders"
"""pylibjpeg's entry-point group of ``{Transfer Syntax UID: decode function}``."""
ENCODER_GROUP = "pylibjpeg.pixel_data_encoders"
"""pylibjpeg's entry-point group of ``{Transfer Syntax UID: encode function}``."""

PRIORITY = 20
"""Default priority of every bridged codec: below the first-party plugins."""

_UID = re.compile(r"^[0-9]+(\.[0-9]+)+$")


def codec_name(distribution: str) -> str:
    """The dicodec codec name for a pylibjpeg plugin distribution.

    Examples
    --------
    >>> codec_name("pylibjpeg-rle"), codec_name("pylibjpeg_libjpeg"), codec_name("pylibjpeg")
    ('pylibjpeg.rle', 'pylibjpeg.libjpeg', 'pylibjpeg.pylibjpeg')
    """
    norm = re.sub(r"[-_.]+", "-", distribution).lower().strip("-")
    short = norm[len("pylibjpeg-") :] if norm.startswith("pylibjpeg-") else norm
    return "pylibjpeg." + (short or "unnamed")


@dataclass
class PylibjpegPlugin:
    """One pylibjpeg plugin distribution, as found in the entry-point metadata.

    Attributes
    ----------
    distribution : str
        The distribution name (``"pylibjpeg-openjpeg"``), or the entry point's
        top-level module when the metadata names no distribution.
    version : str
        Its version, ``""`` when unknown.
    decoders, encoders : dict of str to EntryPoint
        Transfer Syntax UID → entry point (not loaded).
    skipped : list of str
        Entry points left out, with the reason (a name that is not a UID, a
        value that is not ``module:function``).
    """

    distribution: str
    version: str = ""
    decoders: dict[str, importlib.metadata.EntryPoint] = field(default_factory=dict)
    encoders: dict[str, importlib.metadata.EntryPoint] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The dicodec codec name (``"pylibjpeg.openjpeg"``)."""
        return codec_name(self.distribution)


def _entry_points(group: str) -> list[importlib.metadata.EntryPoint]:
    try:
        return list(importlib.metadata.entry_points(group=group))
    except Exception:  # pragma: no cover - broken metadata must not break discovery
        return []


def discover() -> list[PylibjpegPlugin]:
    """Every pylibjpeg plugin distribution installed, without importing any.

    Returns
    -------
    list of PylibjpegPlugin
        Sorted by codec name; distributions registering no pixel-data function are
        left out.

    Examples
    --------
    >>> plugins = {p.name: p for p in discover()}
    >>> all(uid.startswith("1.2.") for p in plugins.values() for uid in p.decoders)
    True
    """
    found: dict[str, PylibjpegPlugin] = {}
    for group, attr in ((DECODER_GROUP, "decoders"), (ENCODER_GROUP, "encoders")):
        for ep in _entry_points(group):
            dist = getattr(ep, "dist", None)
            dist_name = (getattr(dist, "name", None) or "") if dist is not None else ""
            if not dist_name:
                dist_name = ep.value.split(":")[0].split(".")[0].strip() or "unknown"
            plugin = found.get(codec_name(dist_name))
            if plugin is None:
                version = (getattr(dist, "version", None) or "") if dist is not None else ""
                plugin = found[codec_name(dist_name)] = PylibjpegPlugin(dist_name, version)
            uid = ep.name.strip()
            if not _UID.match(uid):
                plugin.skipped.append(f"{group}: {ep.name!r} is not a Transfer Syntax UID")
                continue
            module, _, func = ep.value.partition(":")
            if not module.strip() or not func.strip():
                plugin.skipped.append(f"{group}: {ep.value!r} is not 'module:function'")
                continue
            getattr(plugin, attr).setdefault(uid, ep)
    return sorted((p for p in found.values() if p.decoders or p.encoders), key=lambda p: p.name)


class LazyFunction:
    """A dicodec frame function that loads a pylibjpeg entry point on first use.

    One instance serves one distribution and one purpose (``"decode"`` or
    ``"encode"``). The entry point for a frame's transfer syntax is loaded once;
    a load failure is kept and raised again, naming the distribution, for every
    frame of that syntax (without trying the import each time), and does not
    touch the other syntaxes or distributions.

    Examples
    --------
    >>> import importlib.metadata as md
    >>> ep = md.EntryPoint("1.2.840.10008.1.2.5", "no_such_module_xyz:decode", "pylibjpeg.pixel_data_decoders")
    >>> f = LazyFunction("pylibjpeg-missing", "decode", {"1.2.840.10008.1.2.5": ep})
    >>> f.load("1.2.840.10008.1.2.5")
    Traceback (most recent call last):
    ...
    ImportError: pylibjpeg plugin pylibjpeg-missing failed to load no_such_module_xyz:decode for 1.2.840.10008.1.2.5: ModuleNotFoundError: No module named 'no_such_module_xyz'
    """

    def __init__(self, distribution: str, purpose: str, entry_points: Mapping[str, importlib.metadata.EntryPoint]) -> None:
        self.distribution = distribution
        self.purpose = purpose
        self.entry_points = dict(entry_points)
        self._loaded: dict[str, Callable[..., Any] | BaseException] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<pylibjpeg {self.purpose} of {self.distribution} for {len(self.entry_points)} syntaxes>"

    def load(self, transfer_syntax: str) -> Callable[..., Any]:
        """The pylibjpeg function for ``transfer_syntax`` (loaded now if needed).

        Raises
        ------
        ImportError
            The entry point failed to load (the cause is chained), or the
            distribution registers no function for this syntax.
        """
        found = self._loaded.get(transfer_syntax)
        if found is None:
            with self._lock:
                found = self._loaded.get(transfer_syntax)
                if found is None:
                    found = self._load(transfer_syntax)
                    self._loaded[transfer_syntax] = found
        if isinstance(found, BaseException):
            raise ImportError(str(found)) from found.__cause__
        return found

    def _load(self, transfer_syntax: str) -> Callable[..., Any] | BaseException:
        ep = self.entry_points.get(transfer_syntax)
        if ep is None:
            return ImportError(f"pylibjpeg plugin {self.distribution} has no {self.purpose} function for {transfer_syntax}")
        try:
            func = ep.load()
            if not callable(func):
                raise TypeError(f"{ep.value} is a {type(func).__name__}, not a function")
        except Exception as exc:  # isolation: one broken plugin never breaks the others
            err = ImportError(
                f"pylibjpeg plugin {self.distribution} failed to load {ep.value} for {transfer_syntax}: "
                f"{type(exc).__name__}: {exc}"
            )
            err.__cause__ = exc
            return err
        return func

    def __call__(self, *args: Any, **options: Any) -> Any:
        """Decode ``(src, spec, out)`` or encode ``(arr, spec, options)`` one frame."""
        from . import bridge

        spec: FrameSpec = args[1]
        func = self.load(spec.transfer_syntax)
        if self.purpose == "decode":
            src, _, out = (*args, None)[:3]
            return bridge.decode(func, src, spec, out, distribution=self.distribution, **options)
        arr, _, opts = (*args, None)[:3]
        return bridge.encode(func, arr, spec, {**(opts or {}), **options})


@dataclass(frozen=True)
class BridgeCapabilities(Capabilities):
    """:class:`Capabilities` that refuse syntaxes the wrapped plugin has no function for.

    The codec serves the union of the syntaxes its distribution decodes and
    encodes; a pylibjpeg plugin usually decodes more than it encodes.

    Examples
    --------
    >>> caps = BridgeCapabilities(transfer_syntaxes=("1.2.840.10008.1.2.4.90",))
    >>> caps.refusal(FrameSpec(8, 8, transfer_syntax="1.2.840.10008.1.2.4.201"))
    'the pylibjpeg plugin has no function for 1.2.840.10008.1.2.4.201'
    """

    transfer_syntaxes: tuple[str, ...] | None = None
    min_size: int = 1

    def refusal(self, spec: FrameSpec) -> str | None:
        """Why the bridged codec cannot take ``spec``, or ``None``."""
        if self.transfer_syntaxes is not None and spec.transfer_syntax not in self.transfer_syntaxes:
            return f"the pylibjpeg plugin has no function for {spec.transfer_syntax}"
        if min(spec.rows, spec.columns) < self.min_size:
            return f"the pylibjpeg plugin needs at least {self.min_size} rows and columns"
        return super().refusal(spec)


_OPTIONS = {
    "j2k_cr": "encode JPEG 2000 (openjpeg): compression ratio per quality layer",
    "j2k_psnr": "encode JPEG 2000 (openjpeg): PSNR in dB per quality layer",
    "use_mct": "encode JPEG 2000 RGB: colour transform to YBR_RCT / YBR_ICT (default True)",
}


KNOWN: dict[str, dict[str, dict[str, Any]]] = {
    # measured with the shared corpus and the round-trip tests (tests/contrib/pylibjpeg)
    "pylibjpeg-rle": {
        # pylibjpeg-rle 2.2 fails on 1-bit RLE frames written by other encoders
        "decode": {"bits_allocated": frozenset({8, 16, 32, 64})},
        "encode": {"bits_allocated": frozenset({8, 16, 32, 64})},
    },
    "pylibjpeg-openjpeg": {
        "decode": {"bits_allocated": frozenset({1, 8, 16, 32})},
        # OpenJPEG fails or mis-codes 1-bit samples, takes at most 24 bits, and always
        # writes 6 resolutions, which needs 32 rows and columns
        "encode": {"bits_allocated": frozenset({8, 16, 32}), "bits_stored": (2, 24), "min_size": 32},
    },
    "pylibjpeg-libjpeg": {
        "decode": {"bits_allocated": frozenset({8, 16})},
    },
}
"""Capabilities measured for the pylibjpeg plugins this project tests; others are not restricted."""


def _capabilities(distribution: str, purpose: str, syntaxes: Iterable[str]) -> BridgeCapabilities:
    known = KNOWN.get(re.sub(r"[-_.]+", "-", distribution).lower(), {}).get(purpose, {})
    return BridgeCapabilities(
        samples_per_pixel=frozenset({1, 3}),
        signed=True,
        releases_gil=False,  # unknown for an arbitrary plugin: assume not
        thread_safe=False,
        transfer_syntaxes=tuple(sorted(syntaxes)),
        **known,
    )


@hookimpl
def dicodec_codecs() -> list[CodecSpec]:
    """Declare one codec per installed pylibjpeg plugin distribution.

    Nothing is imported: the entry points are read from the package metadata and
    the functions are :class:`LazyFunction` objects.

    Returns
    -------
    list of CodecSpec

    Examples
    --------
    >>> specs = dicodec_codecs()
    >>> all(s.priority == PRIORITY and s.requires for s in specs)
    True
    """
    specs = []
    for plugin in discover():
        syntaxes = tuple(sorted(set(plugin.decoders) | set(plugin.encoders)))
        decode_caps = _capabilities(plugin.distribution, "decode", plugin.decoders or syntaxes)
        encode_caps = _capabilities(plugin.distribution, "encode", plugin.encoders or syntaxes)
        version = f" {plugin.version}" if plugin.version else ""
        specs.append(
            CodecSpec(
                name=plugin.name,
                transfer_syntaxes=syntaxes,
                decode=LazyFunction(plugin.distribution, "decode", plugin.decoders) if plugin.decoders else None,
                encode=LazyFunction(plugin.distribution, "encode", plugin.encoders) if plugin.encoders else None,
                requires=(plugin.distribution,),
                capabilities=decode_caps,
                encode_capabilities=encode_caps,
                priority=PRIORITY,
                install_hint=f"pip install {plugin.distribution}",
                description=f"pylibjpeg plugin {plugin.distribution}{version}, through the pylibjpeg bridge",
                options=_OPTIONS if plugin.encoders else {},
            )
        )
    return specs


def probe() -> dict[str, dict[str, str]]:
    """Load every pylibjpeg entry point now and say which ones work.

    Returns
    -------
    dict
        ``{codec name: {"decode 1.2.840...": "ok" | error message, ...}}``.

    Examples
    --------
    >>> report = probe()
    >>> all(isinstance(v, dict) for v in report.values())
    True
    """
    out: dict[str, dict[str, str]] = {}
    for plugin in discover():
        entry: dict[str, str] = {}
        for purpose, eps in (("decode", plugin.decoders), ("encode", plugin.encoders)):
            func = LazyFunction(plugin.distribution, purpose, eps)
            for uid in sorted(eps):
                try:
                    func.load(uid)
                    entry[f"{purpose} {uid}"] = "ok"
                except ImportError as exc:
                    entry[f"{purpose} {uid}"] = str(exc)
        for why in plugin.skipped:
            entry[f"skipped {len(entry)}"] = why
        out[plugin.name] = entry
    return out
