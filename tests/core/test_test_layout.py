"""The suite's own layout: pytest imports test modules by file name, so two with one name break collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def test_test_module_names_are_unique_across_folders():
    names = Counter(p.name for p in Path(__file__).resolve().parents[1].rglob("test_*.py"))
    assert [n for n, c in names.items() if c > 1] == []
