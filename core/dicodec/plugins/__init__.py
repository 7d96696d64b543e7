"""Codec plugins: hook specifications, discovery, registry and selection.

See :mod:`dicodec.plugins.hookspecs` for how to write a plugin.

Examples
--------
>>> import dicodec.plugins as plugins
>>> names = [p["name"] for p in plugins.report()]
"""

from __future__ import annotations

from typing import Any

from .hookspecs import API_VERSION, hookimpl, hookspec
from .records import (
    BulkDataSpec,
    Capabilities,
    CodecSpec,
    DecodedFrame,
    EncodedFrame,
    FrameSpec,
    TransferSyntaxSpec,
)
from .registry import CodecEntry, PluginInfo, Registry, get_registry, reset_registry

__all__ = [
    "API_VERSION",
    "BulkDataSpec",
    "Capabilities",
    "CodecEntry",
    "CodecSpec",
    "DecodedFrame",
    "EncodedFrame",
    "FrameSpec",
    "PluginInfo",
    "Registry",
    "TransferSyntaxSpec",
    "block",
    "get_registry",
    "hookimpl",
    "hookspec",
    "register",
    "report",
    "reset_registry",
    "unblock",
    "unregister",
]


def register(plugin: Any, name: str | None = None) -> PluginInfo:
    """Register a plugin module or object explicitly.

    Works with ``DICODEC_DISABLE_AUTOLOAD=1`` (e.g. in frozen applications).

    Examples
    --------
    >>> import types
    >>> from dicodec.plugins import register, unregister, hookimpl, CodecSpec
    >>> mod = types.ModuleType("my_codecs")
    >>> mod.DICODEC_API_VERSION = 1
    >>> mod.dicodec_codecs = hookimpl(lambda: [CodecSpec("mine.demo", ("1.2.3.4",), decode=print)])
    >>> register(mod).codecs
    ['mine.demo']
    >>> unregister("my_codecs")
    """
    return get_registry().register(plugin, name)


def unregister(name: str) -> None:
    """Remove a registered plugin and its codecs."""
    get_registry().unregister(name)


def block(name: str) -> None:
    """Never use the plugin or codec ``name`` (also: ``DICODEC_BLOCK=a,b``)."""
    get_registry().block(name)


def unblock(name: str) -> None:
    """Undo :func:`block`."""
    get_registry().unblock(name)


def report() -> list[dict[str, Any]]:
    """Every plugin and codec: version, distribution, syntaxes, available or why not."""
    return get_registry().report()
