"""Locate the shared real-world corpus; tests that need it skip cleanly without it."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("DICODEC_SHARED", Path(__file__).resolve().parents[2] / "shared"))
CORPUS = SHARED / "corpus"


def corpus_rows(*expects: str) -> list[dict[str, str]]:
    """Manifest rows (optionally only those with the given ``expect`` values)."""
    manifest = CORPUS / "manifest.csv"
    if not manifest.exists():
        return []
    with open(manifest, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if not expects or r["expect"] in expects]


def corpus_path(row: dict[str, str]) -> Path:
    return CORPUS / "files" / row["relpath"]


def params(rows: list[dict[str, str]]) -> list[object]:
    """pytest params with readable ids, or one skipped param when the corpus is absent."""
    if not rows:
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus is absent"))]
    return [pytest.param(r, id=r["relpath"]) for r in rows]
