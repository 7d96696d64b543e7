"""The dicodec-jpeg2k declarations: entry point, laziness, selection order."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys

import pytest

from dicodec.plugins import get_registry
from dicodec.plugins.records import FrameSpec

pytest.importorskip("dicodec_jpeg2k")

from dicodec_jpeg2k import plugin

SYNTAXES = plugin.SYNTAXES


def test_entry_point_is_registered() -> None:
    eps = importlib.metadata.entry_points(group="dicodec.plugins")
    assert any(ep.name == "jpeg2k" and ep.value == "dicodec_jpeg2k.plugin" for ep in eps)
    report = {p["name"]: p for p in get_registry().report()}
    assert report["jpeg2k"]["status"] == "loaded"
    assert {c["name"] for c in report["jpeg2k"]["codecs"]} == {"jpeg2k.imagecodecs", "jpeg2k.openjpeg"}


def test_discovery_imports_no_codec_library() -> None:
    code = (
        "import sys, dicodec\n"
        "from dicodec.plugins import get_registry\n"
        "reg = get_registry(); reg.ensure_loaded()\n"
        "assert 'jpeg2k.imagecodecs' in reg.codecs\n"
        "assert [e.available for e in reg.candidates('1.2.840.10008.1.2.4.202', 'decode')]\n"
        "bad = [m for m in ('imagecodecs', 'openjpeg', '_openjpeg', 'dicodec_jpeg2k.imagecodecs_backend') if m in sys.modules]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_declarations_are_honest() -> None:
    specs = {c.name: c for c in plugin.dicodec_codecs()}
    ic, oj = specs["jpeg2k.imagecodecs"], specs["jpeg2k.openjpeg"]
    assert ic.transfer_syntaxes == oj.transfer_syntaxes == SYNTAXES
    assert ic.capabilities.releases_gil and ic.capabilities.thread_safe
    assert not oj.capabilities.releases_gil
    assert ic.priority > oj.priority
    assert ic.encode_capabilities is not None and ic.encode_capabilities.bits_stored == (1, 16)
    htj2k = FrameSpec(8, 8, transfer_syntax="1.2.840.10008.1.2.4.201")
    assert oj.encode_capabilities is not None
    assert "only" in (oj.encode_capabilities.refusal(htj2k) or "")
    assert oj.encode_capabilities.refusal(htj2k.replace(transfer_syntax=SYNTAXES[0])) is None
    assert ic.capabilities.refusal(htj2k.replace(samples_per_pixel=4)) is not None
    assert "j2k_cr" in ic.options and "j2k_threads" in ic.options


@pytest.mark.parametrize("ts", SYNTAXES)
def test_selection_order(ts: str) -> None:
    names = [e.name for e in get_registry().candidates(ts, "decode")]
    assert names[:2] == ["jpeg2k.imagecodecs", "jpeg2k.openjpeg"]
    from dicodec import config

    with config.prefer("jpeg2k.openjpeg"):
        assert next(e.name for e in get_registry().candidates(ts, "decode")) == "jpeg2k.openjpeg"
