"""Plugin discovery and the codec registry.

Discovery reads the ``dicodec.plugins`` entry-point group once, on first need,
under a lock. Every ``load()`` is isolated: a plugin that fails to import, or was
written for another hook API, is recorded with its error and skipped.

Examples
--------
>>> from dicodec.plugins import get_registry
>>> reg = get_registry()
>>> isinstance(reg.report(), list)
True
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pluggy

from ..changes import changed
from ..errors import PluginError
from . import hookspecs
from .records import BulkDataSpec, CodecSpec, TransferSyntaxSpec

__all__ = ["CodecEntry", "PluginInfo", "Registry", "get_registry"]

ENTRY_POINT_GROUP = "dicodec.plugins"


@dataclass
class PluginInfo:
    """One plugin as discovered: where it came from and whether it loaded."""

    name: str
    distribution: str = ""
    version: str = ""
    value: str = ""
    status: str = "loaded"  # loaded | failed | incompatible | blocked
    error: str = ""
    codecs: list[str] = field(default_factory=list)


@dataclass
class CodecEntry:
    """A registered codec: its spec, its plugin, and resolved functions."""

    spec: CodecSpec
    plugin: PluginInfo
    _decode: Callable[..., Any] | None = None
    _encode: Callable[..., Any] | None = None
    _missing: list[str] | None = None

    @property
    def name(self) -> str:
        """The codec name."""
        return self.spec.name

    @property
    def missing(self) -> list[str]:
        """Requirements that are not installed (checked without importing them)."""
        if self._missing is None:
            self._missing = [r for r in self.spec.requires if not _is_installed(r)]
        return self._missing

    @property
    def available(self) -> bool:
        """Whether every requirement is installed."""
        return not self.missing

    def unavailable_reason(self) -> str:
        """Why the codec cannot run, with the install hint, or ``''``."""
        if self.available:
            return ""
        hint = self.spec.install_hint or "pip install " + " ".join(self.missing)
        return f"missing {', '.join(self.missing)} ({hint})"

    def function(self, purpose: str) -> Callable[..., Any]:
        """The resolved ``decode`` or ``encode`` function (imported on first use)."""
        if purpose == "decode":
            if self._decode is None:
                self._decode = _resolve(self.spec.decode, self.name, purpose)
            return self._decode
        if self._encode is None:
            self._encode = _resolve(self.spec.encode, self.name, purpose)
        return self._encode


def _resolve(ref: Any, name: str, purpose: str) -> Callable[..., Any]:
    if ref is None:
        raise PluginError(f"codec {name!r} declares no {purpose} function")
    if callable(ref):
        return ref
    module_name, _, attr = str(ref).partition(":")
    module = importlib.import_module(module_name)
    obj: Any = module
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    if not callable(obj):
        raise PluginError(f"codec {name!r}: {ref!r} is not callable")
    return obj


def _is_installed(requirement: str) -> bool:
    name = requirement.split("[")[0].strip()
    module = name.replace("-", "_")
    try:
        if importlib.util.find_spec(module) is not None:
            return True
    except (ImportError, ValueError):
        pass
    try:
        importlib.metadata.distribution(name)
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


class Registry:
    """Every plugin and codec known to this process."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._loaded = False
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self.codecs: dict[str, CodecEntry] = {}
        self.transfer_syntaxes: list[TransferSyntaxSpec] = []
        self.bulk_handlers: list[tuple[BulkDataSpec, PluginInfo]] = []
        self.blocked: set[str] = set(
            n.strip() for n in os.environ.get("DICODEC_BLOCK", "").split(",") if n.strip()
        )
        self._objects: dict[str, Any] = {}
        self.generation = 0
        """Incremented on every change (loading, register, block, ...): cached plans check it."""

    # ------------------------------------------------------------ discovery
    def ensure_loaded(self) -> None:
        """Load the entry-point plugins once (unless ``DICODEC_DISABLE_AUTOLOAD`` is set)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            if os.environ.get("DICODEC_DISABLE_AUTOLOAD", "").strip() not in ("", "0", "false", "False"):
                self._loaded = True
                return
            for ep in _entry_points():
                dist = getattr(ep, "dist", None)
                info = PluginInfo(
                    name=ep.name,
                    distribution=getattr(dist, "name", "") or "",
                    version=getattr(dist, "version", "") or "",
                    value=ep.value,
                )
                if ep.name in self.plugins:
                    other = self.plugins[ep.name]
                    info.status, info.error = "failed", (
                        f"plugin name {ep.name!r} is also used by {other.distribution or other.value}"
                    )
                    self.plugins[f"{ep.name} ({info.distribution})"] = info
                    continue
                if ep.name in self.blocked:
                    info.status = "blocked"
                    self.plugins[ep.name] = info
                    continue
                try:
                    obj = ep.load()
                except Exception as exc:  # isolation: a broken plugin never breaks dicodec
                    info.status, info.error = "failed", f"{type(exc).__name__}: {exc}"
                    self.plugins[ep.name] = info
                    continue
                try:
                    self._add(obj, info)
                except PluginError as exc:  # e.g. a duplicate codec name: skip this plugin
                    info.status, info.error = "failed", str(exc)
                    self.plugins[ep.name] = info
            self._loaded = True

    def _add(self, obj: Any, info: PluginInfo) -> None:
        """Check and register one plugin object; a broken one is recorded, never half-added."""
        try:
            self._add_checked(obj, info)
        finally:
            self._bump()  # after the change: a plan made meanwhile sees the next number

    def _add_checked(self, obj: Any, info: PluginInfo) -> None:
        version = getattr(obj, "DICODEC_API_VERSION", None)
        try:
            compatible = version is not None and int(version) == hookspecs.API_VERSION
        except (TypeError, ValueError):
            compatible = False
        if not compatible:
            info.status = "incompatible"
            info.error = (
                f"written for hook API {version!r}; this dicodec speaks {hookspecs.API_VERSION} "
                "(set DICODEC_API_VERSION = 1 in the plugin module)"
            )
            self.plugins[info.name] = info
            return
        from ..uid import register_transfer_syntax, transfer_syntax_info

        registered = False
        try:
            self.pm.register(obj, name=info.name)
            registered = True
            codecs = _collect(self.pm.hook.dicodec_codecs, obj)
            syntaxes = _collect(self.pm.hook.dicodec_transfer_syntaxes, obj)
            handlers = _collect(self.pm.hook.dicodec_bulk_data_handlers, obj)
            for spec in codecs:
                if not isinstance(spec, CodecSpec):
                    raise TypeError(f"dicodec_codecs returned {type(spec).__name__}, not CodecSpec")
            for ts in syntaxes:
                if not isinstance(ts, TransferSyntaxSpec):
                    raise TypeError(f"dicodec_transfer_syntaxes returned {type(ts).__name__}, not TransferSyntaxSpec")
            for handler in handlers:
                if not isinstance(handler, BulkDataSpec):
                    raise TypeError(f"dicodec_bulk_data_handlers returned {type(handler).__name__}, not BulkDataSpec")
            for spec in codecs:
                if spec.name in self.codecs:
                    other = self.codecs[spec.name].plugin
                    raise PluginError(
                        f"codec name {spec.name!r} is declared twice: by {other.distribution or other.name} "
                        f"and by {info.distribution or info.name}"
                    )
            new_syntaxes = []
            for ts in syntaxes:
                known = transfer_syntax_info(ts.uid)
                if known is not None and str(ts.uid).startswith("1.2.840.10008."):
                    raise PluginError(
                        f"{info.name}: transfer syntax {ts.uid} is a standard one ({known.name}); "
                        "plugins declare codecs for it, they cannot redefine it"
                    )
                if known is not None:
                    same = (
                        known.implicit_vr == ts.implicit_vr
                        and known.little_endian == ts.little_endian
                        and known.deflated == ts.deflated
                        and known.encapsulated == ts.encapsulated
                    )
                    if not same:
                        raise PluginError(
                            f"transfer syntax {ts.uid} is already known ({known.name}) with different properties"
                        )
                    continue  # re-declaring a known syntax the same way is harmless
                new_syntaxes.append(ts)
        except Exception as exc:
            if registered and self.pm.is_registered(obj):
                self.pm.unregister(obj)
            if isinstance(exc, PluginError):
                info.status, info.error = "failed", str(exc)
                self.plugins[info.name] = info
                raise
            info.status, info.error = "failed", f"{type(exc).__name__}: {exc}"
            self.plugins[info.name] = info
            return
        for ts in new_syntaxes:
            register_transfer_syntax(
                ts.uid,
                ts.name,
                ts.keyword,
                implicit_vr=ts.implicit_vr,
                little_endian=ts.little_endian,
                deflated=ts.deflated,
                encapsulated=ts.encapsulated,
                lossy=ts.lossy,
            )
            self.transfer_syntaxes.append(ts)
        for spec in codecs:
            self.codecs[spec.name] = CodecEntry(spec, info)
            info.codecs.append(spec.name)
        for handler in handlers:
            self.bulk_handlers.append((handler, info))
        self.plugins[info.name] = info
        self._objects[info.name] = obj

    # ------------------------------------------------------------ explicit
    def register(self, obj: Any, name: str | None = None) -> PluginInfo:
        """Register a plugin module or object explicitly (works with autoload off).

        Raises
        ------
        PluginError
            A codec name is already taken, or the name is already registered.
        """
        self.ensure_loaded()
        with self._lock:
            name = name or getattr(obj, "__name__", None) or type(obj).__name__
            if name in self.plugins and self.plugins[name].status == "loaded":
                raise PluginError(f"a plugin named {name!r} is already registered")
            module = getattr(obj, "__module__", "") if not hasattr(obj, "__file__") else obj.__name__
            dist = _distribution_of(module)
            info = PluginInfo(name=name, distribution=dist[0], version=dist[1], value=f"{module}")
            self._add(obj, info)
            if info.status != "loaded":
                raise PluginError(f"plugin {name!r} not loaded: {info.error}")
            return info

    def unregister(self, name: str) -> None:
        """Remove a plugin and its codecs."""
        with self._lock:
            info = self.plugins.pop(name, None)
            if info is None:
                raise KeyError(f"no plugin named {name!r}")
            for codec in info.codecs:
                self.codecs.pop(codec, None)
            self.bulk_handlers = [(h, p) for h, p in self.bulk_handlers if p is not info]
            obj = self._objects.pop(name, None)
            if obj is not None and self.pm.is_registered(obj):
                self.pm.unregister(obj)
            self._bump()

    def block(self, name: str) -> None:
        """Never use this plugin or codec (by name) from now on."""
        with self._lock:
            self.blocked.add(name)
            self._bump()

    def unblock(self, name: str) -> None:
        """Undo :meth:`block`."""
        with self._lock:
            self.blocked.discard(name)
            self._bump()

    def _bump(self) -> None:
        """Record a change of the codecs on offer, once it is made: plans made before are stale."""
        self.generation += 1
        changed()

    def is_blocked(self, entry: CodecEntry) -> bool:
        """Whether the codec or its plugin is blocked."""
        return entry.name in self.blocked or entry.plugin.name in self.blocked

    # ------------------------------------------------------------ queries
    def codec_names(self, transfer_syntax: str | None = None, purpose: str | None = None) -> list[str]:
        """Names of the registered codecs, optionally only those serving a syntax/purpose."""
        self.ensure_loaded()
        out = []
        for entry in self.codecs.values():
            if transfer_syntax is not None and not any(
                entry.spec.serves(transfer_syntax, p) for p in ((purpose,) if purpose else ("decode", "encode"))
            ):
                continue
            if purpose == "decode" and not entry.spec.can_decode:
                continue
            if purpose == "encode" and not entry.spec.can_encode:
                continue
            out.append(entry.name)
        return sorted(out)

    def candidates(
        self,
        transfer_syntax: str,
        purpose: str,
        requested: str | Iterable[str] | None = None,
    ) -> list[CodecEntry]:
        """Codecs for a transfer syntax in the order they will be tried.

        Order: ``requested`` (only those, in the given order) > context preference
        (:func:`dicodec.config.prefer`) > configured preference > priority > name.
        Blocked codecs are left out; unavailable ones are kept (so errors can say
        what to install) but sorted last.
        """
        from .. import config

        self.ensure_loaded()
        pool = [
            e
            for e in self.codecs.values()
            if e.spec.serves(transfer_syntax, purpose)
        ]
        if requested is not None:
            names = [requested] if isinstance(requested, str) else list(requested)
            known = set(self.codecs) | {p.name for p in self.plugins.values()}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise PluginError(
                    f"unknown codec {', '.join(map(repr, unknown))}; valid names: "
                    + ", ".join(sorted(self.codecs))
                )
            chosen: list[CodecEntry] = []
            for n in names:
                for e in sorted(pool, key=lambda e: (-e.spec.priority, e.name)):
                    if (e.name == n or e.plugin.name == n) and e not in chosen and not self.is_blocked(e):
                        chosen.append(e)
            return chosen
        preference = config.preference_for(transfer_syntax, purpose)
        rank = {n: i for i, n in enumerate(preference)}

        def key(e: CodecEntry) -> tuple[int, int, int, str]:
            r = rank.get(e.name, rank.get(e.plugin.name, len(rank)))
            return (0 if e.available else 1, r, -e.spec.priority, e.name)

        return sorted((e for e in pool if not self.is_blocked(e)), key=key)

    def blocked_codecs(self, transfer_syntax: str, purpose: str) -> list[str]:
        """Names of blocked codecs that would otherwise serve this syntax and purpose."""
        self.ensure_loaded()
        return sorted(
            e.name
            for e in self.codecs.values()
            if transfer_syntax in e.spec.transfer_syntaxes
            and (e.spec.can_decode if purpose == "decode" else e.spec.can_encode)
            and self.is_blocked(e)
        )

    def bulk_handler(self, kind: str) -> Callable[..., Any] | None:
        """The best available handler function for a bulk-data kind, or ``None``."""
        self.ensure_loaded()
        found = [
            (h, p)
            for h, p in self.bulk_handlers
            if h.kind == kind and h.name not in self.blocked and p.name not in self.blocked
            and all(_is_installed(r) for r in h.requires)
        ]
        if not found:
            return None
        spec = sorted(found, key=lambda hp: (-hp[0].priority, hp[0].name))[0][0]
        return _resolve(spec.function, spec.name, kind)

    def report(self) -> list[dict[str, Any]]:
        """One dict per plugin: name, distribution, version, status, error, and its codecs."""
        self.ensure_loaded()
        out = []
        for info in sorted(self.plugins.values(), key=lambda p: p.name):
            codecs = []
            for name in info.codecs:
                entry = self.codecs.get(name)
                if entry is None:
                    continue
                codecs.append(
                    {
                        "name": name,
                        "transfer_syntaxes": list(entry.spec.transfer_syntaxes),
                        "decode": entry.spec.can_decode,
                        "encode": entry.spec.can_encode,
                        "priority": entry.spec.priority,
                        "available": entry.available,
                        "reason": entry.unavailable_reason(),
                        "blocked": self.is_blocked(entry),
                        "releases_gil": entry.spec.capabilities.releases_gil,
                    }
                )
            out.append(
                {
                    "name": info.name,
                    "distribution": info.distribution,
                    "version": info.version,
                    "status": "blocked" if info.name in self.blocked else info.status,
                    "error": info.error,
                    "codecs": codecs,
                }
            )
        return out


def _collect(hook: Any, obj: Any) -> list[Any]:
    impls = [i for i in hook.get_hookimpls() if i.plugin is obj]
    out: list[Any] = []
    for impl in impls:
        result = impl.function()
        if result:
            out.extend(result)
    return out


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    try:
        eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # pragma: no cover - broken metadata must not break dicodec
        return []
    return sorted(eps, key=lambda ep: ep.name)


def _distribution_of(module: str) -> tuple[str, str]:
    top = module.split(".")[0]
    try:
        names = importlib.metadata.packages_distributions().get(top, [])
    except Exception:  # pragma: no cover
        names = []
    if not names:
        return "", ""
    try:
        return names[0], importlib.metadata.version(names[0])
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return names[0], ""


_REGISTRY: Registry | None = None
_REGISTRY_LOCK = threading.Lock()


def ensure_transfer_syntaxes() -> None:
    """Load the plugins (once), so transfer syntaxes they declare are known to :mod:`dicodec.uid`."""
    get_registry().ensure_loaded()


def get_registry() -> Registry:
    """The process-wide registry (created on first use)."""
    global _REGISTRY
    if _REGISTRY is None:
        with _REGISTRY_LOCK:
            if _REGISTRY is None:
                _REGISTRY = Registry()
    return _REGISTRY


def reset_registry() -> None:
    """Forget every plugin; the next use discovers them again (for tests)."""
    global _REGISTRY
    with _REGISTRY_LOCK:
        _REGISTRY = None
    changed()
