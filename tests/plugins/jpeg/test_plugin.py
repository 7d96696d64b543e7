"""The dicodec-jpeg plugin's declarations, discovery and packaging."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

import dicodec.plugins
from dicodec.plugins import get_registry
from dicodec.plugins.records import FrameSpec

pytest.importorskip("dicodec_jpeg")

from dicodec_jpeg import plugin

from .helpers import JPEG_SYNTAXES


def test_entry_point_is_discoverable() -> None:
    eps = importlib.metadata.entry_points(group="dicodec.plugins")
    assert any(ep.name == "jpeg" and ep.value == "dicodec_jpeg.plugin" for ep in eps)
    report = {p["name"]: p for p in dicodec.plugins.report()}
    assert report["jpeg"]["status"] == "loaded"
    assert {c["name"] for c in report["jpeg"]["codecs"]} == {"jpeg.turbo", "jpeg.libjpeg"}


def test_declarations_are_lazy_strings() -> None:
    assert plugin.DICODEC_API_VERSION == 1
    for spec in plugin.dicodec_codecs():
        assert set(spec.transfer_syntaxes) == set(JPEG_SYNTAXES)
        assert isinstance(spec.decode, str) and spec.decode.startswith("dicodec_jpeg.")
        assert spec.encode is None or isinstance(spec.encode, str)


def test_plugin_module_imports_no_codec_library() -> None:
    code = (
        "import sys, dicodec_jpeg.plugin as p; p.dicodec_codecs(); "
        "bad = [m for m in ('imagecodecs', 'libjpeg', 'numpy', 'dicodec_jpeg.turbo') if m in sys.modules]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_selection_order_and_functions() -> None:
    registry = get_registry()
    for ts in JPEG_SYNTAXES:
        names = [e.name for e in registry.candidates(ts, "decode")]
        assert names.index("jpeg.turbo") < names.index("jpeg.libjpeg")
        assert next(e.name for e in registry.candidates(ts, "encode")) == "jpeg.turbo"
    entry = registry.codecs["jpeg.turbo"]
    from dicodec_jpeg import turbo

    assert entry.function("decode") is turbo.decode and entry.function("encode") is turbo.encode


def test_capabilities_are_honest() -> None:
    specs = {c.name: c for c in plugin.dicodec_codecs()}
    caps = specs["jpeg.turbo"].capabilities
    assert caps.releases_gil and caps.thread_safe
    assert not specs["jpeg.libjpeg"].capabilities.releases_gil
    ok = FrameSpec(8, 8, 3, 8, 8, photometric_interpretation="YBR_FULL_422", transfer_syntax=JPEG_SYNTAXES[0])
    assert caps.refusal(ok) is None
    assert caps.refusal(ok.replace(bits_allocated=32, bits_stored=32)) is not None
    assert caps.refusal(ok.replace(samples_per_pixel=4)) is not None
    assert caps.refusal(ok.replace(photometric_interpretation="YBR_ICT")) is not None


def test_gpl_backend_is_an_extra_only() -> None:
    requires = importlib.metadata.requires("dicodec-jpeg") or []
    libjpeg = [r for r in requires if r.lower().startswith("pylibjpeg-libjpeg")]
    assert libjpeg and all('extra == "libjpeg"' in r for r in libjpeg)
    assert any(r.startswith("imagecodecs") and "extra" not in r for r in requires)


def test_unavailable_libjpeg_says_what_to_install() -> None:
    spec = {c.name: c for c in plugin.dicodec_codecs()}["jpeg.libjpeg"]
    assert spec.install_hint == "pip install dicodec-jpeg[libjpeg]"
    assert spec.requires[0] == "pylibjpeg-libjpeg"
