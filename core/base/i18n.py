"""The UI catalogue: every user-visible text, in Finnish (default) and English.

The texts are data: ``core/base/locales/fi.yaml`` and ``core/base/locales/en.yaml``, one flat mapping of
dotted ASCII keys per language, grouped by area. They are read once at import and checked: a
malformed file, a key missing from one language, a bad plural or a ``{placeholder}`` that differs
between languages raises ``CatalogueError`` then (so the tests and the app's start fail loudly).

``t(key, lang, **values)`` formats a text; a missing key raises KeyError so a typo fails in
tests rather than showing a raw key to users. A key segment made from a data value goes through
``key_part`` ("melko korkea" → "melko_korkea", "käynnissä" → "kaynnissa").

Plurals: a text that counts something is a mapping of forms, ``{one: "{n} toimenpide", other:
"{n} toimenpidettä"}``, and the value ``n`` chooses the form ("one" for exactly 1, else "other" —
the rule of both Finnish and English). ``tn(key, n, lang)`` is the short way to say it; a second
count inside the text is passed as a ``Msg`` (``rows=Msg("count.rows", n=2)``), which renders
itself in the same language.
"""

from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path

import yaml

LANGS = ("fi", "en")
DEFAULT_LANG = "fi"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
PLURAL_FORMS = ("one", "other")
KEY_RE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")

Entry = str | dict[str, str]


class CatalogueError(ValueError):
    """A catalogue file that cannot be used: every problem found, one per line."""


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, but a key given twice is an error rather than silently the last one."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise CatalogueError(f"key {key!r} is given twice (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _read(path: Path) -> dict[str, Entry]:
    """One language's file: a mapping of key → text or {one, other}; CatalogueError on anything else."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, CatalogueError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path.name}: must be a mapping of key: text")
    problems = []
    for key, entry in data.items():
        if not isinstance(key, str) or not KEY_RE.fullmatch(key):
            problems.append(f"{key!r}: a key is dotted lower-case ASCII without spaces")
        if isinstance(entry, dict):
            if set(entry) != set(PLURAL_FORMS) or not all(isinstance(v, str) and v.strip() for v in entry.values()):
                problems.append(f"{key}: a plural text has exactly the non-empty forms one and other")
            elif "n" not in _placeholders(entry["one"]) | _placeholders(entry["other"]):
                problems.append(f"{key}: a plural text is chosen by its count {{n}}")
        elif not isinstance(entry, str) or not entry.strip():
            problems.append(f"{key}: the text is empty or not text")
    if problems:
        raise CatalogueError(f"{path.name}:\n" + "\n".join(f"- {p}" for p in problems))
    return data


def load_catalogue(directory: Path = LOCALES_DIR, langs: tuple[str, ...] = LANGS) -> dict[str, dict[str, Entry]]:
    """Every language's texts from ``<directory>/<lang>.yaml``, checked against each other."""
    catalogue = {lang: _read(directory / f"{lang}.yaml") for lang in langs}
    first, *others = langs
    problems = []
    for lang in others:
        for key in catalogue[first].keys() - catalogue[lang].keys():
            problems.append(f"{key}: missing from {lang}.yaml")
        for key in catalogue[lang].keys() - catalogue[first].keys():
            problems.append(f"{key}: missing from {first}.yaml")
    for key in catalogue[first]:
        every = [
            (lang, _placeholders(v)) for lang in langs if key in catalogue[lang] for v in forms(catalogue[lang][key])
        ]
        if any(names != every[0][1] for _, names in every):
            shown = ", ".join(f"{lang} {sorted(names)}" for lang, names in every)
            problems.append(f"{key}: the placeholders differ ({shown})")
    if problems:
        raise CatalogueError("the catalogue files do not agree:\n" + "\n".join(f"- {p}" for p in sorted(problems)))
    return catalogue


def forms(entry: Entry) -> list[str]:
    """Every form of a catalogue entry (one for a plain text, "one" and "other" for a plural)."""
    return [entry[f] for f in PLURAL_FORMS] if isinstance(entry, dict) else [entry]


def key_part(value: object) -> str:
    """A data value as a key segment: ASCII, lower case, "_" for spaces, "none" for nothing."""
    text = unicodedata.normalize("NFKD", str(value if value is not None else "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]+", "_", text.strip().lower()) or "none"


CATALOGUE: dict[str, dict[str, Entry]] = load_catalogue()


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The text for ``key`` in ``lang``, formatted with ``values`` (a plural text by ``n``)."""
    template = form(key, lang, values.get("n"))
    if not values:
        return template
    return template.format(**{k: v.text(lang) if isinstance(v, Msg) else v for k, v in values.items()})


def tn(key: str, n: int, lang: str = DEFAULT_LANG, **values: object) -> str:
    """A counting text: ``tn("count.measures", 1)`` → "1 toimenpide", 2 → "2 toimenpidettä"."""
    return t(key, lang, n=n, **values)


def plural_form(n: object) -> str:
    """ "one" for exactly one (1, 1.0, -1), else "other": the rule of Finnish and English alike."""
    try:
        return "one" if abs(float(n)) == 1 else "other"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "other"


def form(key: str, lang: str, n: object = None) -> str:
    """The unformatted text of ``key``: for a plural text, the form that fits ``n``."""
    entry = CATALOGUE.get(lang, CATALOGUE[DEFAULT_LANG])[key]
    if isinstance(entry, dict):
        return entry[plural_form(n)]
    return entry


class Msg(str):
    """A catalogue text with its values: a ``str`` (the Finnish text) that can render itself in any UI
    language with ``text(lang)``. Values may be Msg themselves (a hint inside a message).

    Core code that reports problems (the importer) returns these, so a page shows them in the
    user's language while everything that treats them as plain Finnish strings keeps working.
    """

    key: str
    values: dict[str, object]
    capital: bool

    def __new__(cls, key: str, /, *, capital: bool = False, **values: object) -> Msg:
        obj = super().__new__(cls, _render(key, DEFAULT_LANG, values, capital))
        obj.key, obj.values, obj.capital = key, values, capital
        return obj

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:  # pickling (session state may be persisted)
        return (self.key,), {"capital": self.capital, **self.values}

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The text in ``lang`` ("fi" or "en")."""
        return _render(self.key, lang, self.values, self.capital)

    def capitalised(self) -> Msg:
        """The same text with its first letter in upper case (a message that starts a sentence)."""
        return Msg(self.key, capital=True, **self.values)


def _render(key: str, lang: str, values: dict[str, object], capital: bool) -> str:
    template = form(key, lang, values.get("n"))  # always formatted: "{{" is a brace
    text = template.format(**{k: v.text(lang) if isinstance(v, Msg) else v for k, v in values.items()})
    return text[:1].upper() + text[1:] if capital else text


def text_in(value: object, lang: str) -> str:
    """A Msg in ``lang``; any other value as its plain text."""
    return value.text(lang) if isinstance(value, Msg) else str(value)


def name(obj: object, lang: str, field: str = "name") -> str:
    """The Finnish or English name attribute of a model (``name_fi``/``name_en``, ``title_fi``…)."""
    value = getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_fi")
    return str(value)
