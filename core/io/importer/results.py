"""The importer's limits and column names, and what an import returns: rows, problems, refusals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from core.base.i18n import DEFAULT_LANG, Msg, t
from core.plan.loader import columns_of
from core.plan.model import Observation

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MB: far above any real yearly update, small enough for memory
MAX_ROWS = 50_000  # data rows per file (the whole plan has a few hundred observations)
MAX_ERRORS_LISTED = 100  # more problems are summarised in one last line
YEAR_MIN, YEAR_MAX = 1990, 2100
CHUNK_SIZE = 500  # rows per upsert call in apply_import (progress is reported after each)
MAX_SHORT_TEXT = 100  # value_as_printed and flag (database column width)
MAX_JSON_NUMBER = 50  # characters of one JSON number (a real value has a handful)

TEMPLATE_COLUMNS: list[str] = columns_of(Observation)
REQUIRED_COLUMNS: tuple[str, ...] = ("indicator_id", "group_id", "area", "year", "value")
TEMPLATE_SHEET = "havainnot"
MAPPING_FILE = "sotkanet_mapping.csv"
MAPPING_COLUMNS: list[str] = [
    "source",
    "source_indicator",
    "source_region",
    "gender",
    "indicator_id",
    "series_id",
    "group_id",
    "area",
    "note",
]
# 'esimerkki' rows are documentation only; 'ei_vastaa' rows record a plan indicator whose wording differs from
# Sotkanet's, with the reason in the note: both are never used
MAPPING_SOURCES = ("sotkanet", "esimerkki", "ei_vastaa")
ACTIONS = ("lisätään", "muuttuu", "ei muutosta")  # preview actions: added, changed, unchanged
ADDED, CHANGED, UNCHANGED = ACTIONS

EXAMPLE_ROW = {
    "indicator_id": 7,
    "series_id": "",
    "group_id": "lk4_5",
    "area": "kymenlaakso",
    "year": 2021,
    "value": 88.5,
    "value_as_printed": "88,5 %",
    "flag": "",
    "note": "esimerkkirivi",
}

# Sotkanet column names (lower case) → role
SOTKANET_ALIASES = {
    "indicator": "indicator",
    "indikaattori": "indicator",
    "region": "region",
    "alue": "region",
    "year": "year",
    "vuosi": "year",
    "gender": "gender",
    "sukupuoli": "gender",
    "value": "value",
    "arvo": "value",
}
SOTKANET_REQUIRED = ("indicator", "region", "year", "value")
SOTKANET_LABELS_FI = {
    "indicator": "Indikaattori",
    "region": "Alue",
    "year": "Vuosi",
    "gender": "Sukupuoli",
    "value": "Arvo",
}
_TEMPLATE_ONLY = {"indicator_id", "series_id", "group_id", "area", "value_as_printed", "flag"}
_SOTKANET_ONLY = {"indicator", "indikaattori", "region", "alue", "gender", "sukupuoli", "arvo", "vuosi"}
GENDER_WORDS = {
    "": "total",
    "total": "total",
    "yhteensä": "total",
    "yhteensa": "total",
    "kaikki": "total",
    "male": "male",
    "miehet": "male",
    "mies": "male",
    "pojat": "male",
    "female": "female",
    "naiset": "female",
    "nainen": "female",
    "tytöt": "female",
}


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an imported file; ``row`` as the user sees it (header = row 1).

    ``message`` is a catalogue text (``core.base.i18n.Msg``): a Finnish ``str`` that ``text(lang)``
    renders, with the row and column, in any UI language; ``str()`` is the Finnish line.
    """

    row: int | None
    column: str | None
    message: Msg

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """'Rivi 3, sarake 'year': …' ('Row 3, column 'year': …' in English)."""
        where = []
        if self.row is not None:
            where.append(t("importer.where.row", lang, row=self.row))
        if self.column:
            where.append(t("importer.where.column", lang, column=self.column))
        message = self.message.text(lang) if isinstance(self.message, Msg) else str(self.message)
        if not where:
            return message
        place = ", ".join(where)
        return f"{place[0].upper()}{place[1:]}: {message}"

    def __str__(self) -> str:
        return self.text(DEFAULT_LANG)


@dataclass
class ImportResult:
    """Validated rows in ``TEMPLATE_COLUMNS`` (empty if any error) and every problem found."""

    rows: pd.DataFrame
    errors: list[ImportProblem]
    kind: str = ""  # which format was recognised, in Finnish (e.g. "Sotkanet (CSV)")
    notes: list[Msg] = field(default_factory=list)  # information that did not refuse the file
    source_rows: list[int] = field(default_factory=list)  # file row of each row in ``rows``

    @property
    def ok(self) -> bool:
        """Whether the file can be applied (no errors and at least one row)."""
        return not self.errors and not self.rows.empty


class ImportRefused(ValueError):
    """Raised when a refused import is applied; ``problems`` are the file's errors."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        self.message = Msg("importer.refused", n=len(problems))
        super().__init__(str(self.message))

    def text(self, lang: str = DEFAULT_LANG) -> str:
        return self.message.text(lang)


class MappingError(ValueError):
    """The Sotkanet mapping table is not valid; ``problems`` name its rows."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__(self.text())

    def text(self, lang: str = DEFAULT_LANG) -> str:
        lines = "\n".join(f"- {p.text(lang)}" for p in self.problems[:20])
        return t("importer.mapping.errors", lang, file=MAPPING_FILE, n=len(self.problems)) + "\n" + lines


def _empty_rows() -> pd.DataFrame:
    """An empty frame in the template columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TEMPLATE_COLUMNS})


def _refused(errors: list[ImportProblem], kind: str = "", notes: list[Msg] | None = None) -> ImportResult:
    """A refused result; more than MAX_ERRORS_LISTED problems are summarised in one line."""
    if len(errors) > MAX_ERRORS_LISTED:
        more = len(errors) - MAX_ERRORS_LISTED
        errors = errors[:MAX_ERRORS_LISTED] + [ImportProblem(None, None, Msg("importer.more_errors", n=more))]
    return ImportResult(_empty_rows(), errors, kind, list(notes or []))


def problems_text(problems: Iterable[ImportProblem], lang: str = DEFAULT_LANG) -> str:
    """Problems as lines for a page ('- Rivi 3, sarake 'year': …'; '- Row 3, column 'year': …' in English)."""
    return "\n".join(f"- {p.text(lang)}" for p in problems)
