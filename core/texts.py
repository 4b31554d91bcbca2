"""A tiny helper for the per-module text tables (key → {"fi": …, "en": …}) of the follow-up modules."""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("fi", "en")


def pick(table: Mapping[str, Mapping[str, str]], key: str, lang: str = "fi", **values: object) -> str:
    """The text for ``key`` in ``lang`` (Finnish if the language is unknown), formatted with ``values``."""
    entry = table[key]
    text = entry.get(lang) or entry["fi"]
    return text.format(**values) if values else text


def missing_translations(table: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Keys of ``table`` that lack a Finnish or an English text (for tests)."""
    return [k for k, v in table.items() if any(not v.get(lang) for lang in LANGS)]
