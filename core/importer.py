"""Import new indicator values (observations) with a preview, from the app's template or Sotkanet.

Accepted files:

- the app's own template (``template_csv()`` / ``template_xlsx()``): CSV separated by commas or
  semicolons, UTF-8 with or without BOM, or Excel ``.xlsx`` (the sheet ``havainnot``, else the
  first sheet). Columns ``TEMPLATE_COLUMNS``; ``indicator_id, group_id, area, year, value`` are
  required, the others may be left out. A decimal comma is accepted wherever it is unambiguous
  (semicolon-separated files, quoted cells, Excel text cells);
- Sotkanet CSV exports: semicolon separated, decimal comma, columns such as
  ``Indikaattori;Alue;Vuosi;Sukupuoli;Arvo`` (or ``indicator, region, year, gender, value``; any
  case; other columns are ignored). The same columns in an .xlsx sheet are read too;
- Sotkanet JSON (the REST API's answer): a list of objects with the keys ``indicator, region,
  year, gender, value`` (other keys are ignored).

Sotkanet rows are turned into the plan's indicator / series / group / area by the mapping table
``data/sotkanet_mapping.csv`` (see ``load_mapping``). Only rows whose gender is total
(``total`` / ``yhteensä`` / empty) are imported, unless the mapping has a row for another gender.

Every row is checked. ANY problem refuses the whole file: ``ImportResult.rows`` is then empty and
``ImportResult.errors`` lists every problem in Finnish, with the row number as the user sees it
(the header is row 1; in JSON the object's position in the list, the first being 1).

Limits: ``MAX_FILE_BYTES`` (20 MB) and ``MAX_ROWS`` (50 000 data rows) per file; years
``YEAR_MIN``–``YEAR_MAX``; a JSON number of at most ``MAX_JSON_NUMBER`` characters. A file that
breaks a reader (JSON nested too deep, a CSV cell over the csv module's 131 072 characters, an
.xlsx cell openpyxl cannot convert) is refused with a message like any other problem; an .xlsx is
read to its real last row whatever its dimension record says. Applying goes through ``Store.upsert_observations`` in chunks of
``CHUNK_SIZE`` rows, all inside one transaction (``apply_import``).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from core import config
from core.cells import neutralise_formula, xlsx_display_text
from core.i18n import DEFAULT_LANG, Msg, key_part, t
from core.i18n import name as name_in
from core.loader import columns_of, effective_unit
from core.model import AREA_RE, MAX_TEXT_LENGTH, Indicator, Observation, Plan, Series, Unit
from core.storage import OBSERVATION_KEY, Editor, Store, _require_editor

# ------------------------------------------------------------------------------------------
# Limits and column names

MAX_FILE_BYTES = 20 * 1024 * 1024  # 20 MB: far above any real yearly update, small enough for memory
MAX_ROWS = 50_000  # data rows per file (the whole plan has a few hundred observations)
MAX_ERRORS_LISTED = 100  # more problems are summarised in one last line
YEAR_MIN, YEAR_MAX = 1990, 2100
CHUNK_SIZE = 500  # rows per upsert call in apply_import (progress is reported after each)
MAX_SHORT_TEXT = 100  # value_as_printed and flag (database column width)
# what openpyxl raises on a damaged sheet or a cell it cannot convert (XML ParseError is a SyntaxError)
XLSX_READ_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    OSError,
    SyntaxError,
    EOFError,
    zipfile.BadZipFile,
)
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
MAPPING_SOURCES = ("sotkanet", "esimerkki")  # 'esimerkki' rows are documentation only, never used
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


# ------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an imported file; ``row`` as the user sees it (header = row 1).

    ``message`` is a catalogue text (``core.i18n.Msg``): a Finnish ``str`` that ``text(lang)``
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


# ------------------------------------------------------------------------------------------
# Templates


def template_csv(delimiter: str = ",") -> bytes:
    """An empty template CSV: UTF-8 with BOM (so Excel shows ä and ö), the header row only.

    No example row is included: every row of a CSV would be imported. The example is in
    ``template_xlsx()``'s second sheet, with each column's help (``importer.template.help.*``).
    """
    if delimiter not in (",", ";"):
        raise ValueError("Erottimen pitää olla pilkku tai puolipiste.")
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerow(TEMPLATE_COLUMNS)
    return buf.getvalue().encode("utf-8-sig")


def _sheet_text(text: str) -> str:
    """A plan name for a template sheet: never a formula (openpyxl writes '=…' as one), never an illegal character."""
    return str(neutralise_formula(xlsx_display_text(text)))


def template_xlsx(plan: Plan | None = None, lang: str = DEFAULT_LANG) -> bytes:
    """An empty template workbook: sheet 'havainnot' (header only), a help sheet (columns and an example row).

    With a plan, a third sheet lists the valid indicators, series and groups. The help and its sheet
    names are in ``lang`` ('ohje' / 'tunnisteet' in Finnish); the data sheet and the column names
    are the same in every language, and only that first sheet is read when the file is imported.
    """

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    ws.append(TEMPLATE_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(TEMPLATE_COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = max(12, len(col) + 4)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet(t("importer.template.help_sheet", lang))
    help_ws.append([t("importer.template.intro", lang, sheet=TEMPLATE_SHEET)])
    help_ws.append([])
    help_ws.append(
        [
            t("importer.template.column", lang),
            t("importer.template.required", lang),
            t("importer.template.description", lang),
        ]
    )
    for col in TEMPLATE_COLUMNS:
        required = t("importer.template.yes" if col in REQUIRED_COLUMNS else "importer.template.no", lang)
        help_ws.append([col, required, t(f"importer.template.help.{col}", lang, low=YEAR_MIN, high=YEAR_MAX)])
    help_ws.append([])
    help_ws.append([t("importer.template.example", lang)])
    help_ws.append(TEMPLATE_COLUMNS)
    help_ws.append([EXAMPLE_ROW[c] for c in TEMPLATE_COLUMNS])
    help_ws.column_dimensions["A"].width = 18
    help_ws.column_dimensions["C"].width = 90

    if plan is not None:
        ids = wb.create_sheet(t("importer.template.ids_sheet", lang))
        ids.append(["indicator_id", "series_id", t("importer.template.name", lang), t("importer.template.unit", lang)])
        series_of: dict[int, list[Series]] = {}
        for s in plan.series:
            series_of.setdefault(s.indicator_id, []).append(s)
        for ind in sorted(plan.indicators, key=lambda i: i.indicator_id):
            ids.append([ind.indicator_id, "", _sheet_text(name_in(ind, lang)), ind.unit.value])
            for s in series_of.get(ind.indicator_id, []):
                ids.append([ind.indicator_id, s.series_id, _sheet_text(name_in(s, lang)), s.unit.value])
        ids.append([])
        ids.append(["group_id", t("importer.template.group", lang)])
        for g in sorted(plan.groups, key=lambda g: g.sort_order):
            ids.append([g.group_id, _sheet_text(name_in(g, lang))])
        ids.append([])
        ids.append(["area", t("importer.template.area", lang)])
        ids.append(["kymenlaakso", t("area.kymenlaakso", lang)])
        ids.append(["koko_maa", t("area.koko_maa", lang)])
        ids.append([t("importer.template.municipality_id", lang), t("importer.template.municipality", lang)])
        ids.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------
# Small parsers

_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")


def parse_number(raw: object) -> float | None:
    """A finite number from a cell ('12,5', '12.5', '3 514', 12.5); None if it is not one."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        try:
            number = float(raw)
        except OverflowError:  # an int of hundreds of digits
            return None
        return number if math.isfinite(number) else None
    text = str(raw).strip().replace("\u2212", "-")
    text = _THOUSANDS_RE.sub("", text)
    if not _NUMBER_RE.match(text):
        return None
    number = float(text.replace(",", "."))
    return number if math.isfinite(number) else None


def _cell_text(value: object) -> str:
    """A cell (from CSV, Excel or JSON) as text; whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()  # dates typed into Excel
    return str(value)


def _norm_header(name: object) -> str:
    """A header cell for matching: no BOM, quotes or spaces, lower case."""
    return _cell_text(name).replace("\ufeff", "").strip().strip('"').strip().lower()


def norm_source_key(text: object) -> str:
    """Normalise a Sotkanet name or code for matching: case, spaces, dashes; codes as numbers ('08' → '8')."""
    s = _cell_text(text).strip().casefold()
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s+", " ", s)
    if re.fullmatch(r"\d+(\.0+)?", s):
        s = str(int(s.split(".")[0]))  # codes compare as numbers: '08' = '8' = 8 = 8.0
    return s


def norm_gender(text: object) -> str:
    """'Yhteensä' / 'total' / '' → 'total', 'Miehet' → 'male', 'Naiset' → 'female'; else as is, lower case."""
    s = _cell_text(text).strip().casefold()
    return GENDER_WORDS.get(s, s)


def _is_blank(cells: Iterable[object]) -> bool:
    """Whether every cell is empty."""
    return all(_cell_text(c).strip() == "" for c in cells)


# ------------------------------------------------------------------------------------------
# Mapping table (data/sotkanet_mapping.csv)


def default_mapping_path() -> Path:
    """Where the Sotkanet mapping table lives: data/sotkanet_mapping.csv."""
    return Path(config.DATA_DIR) / MAPPING_FILE


def validate_mapping(frame: pd.DataFrame, plan: Plan | None = None) -> tuple[pd.DataFrame, list[ImportProblem]]:
    """Check and normalise a mapping table; with a plan also check its ids. Rows: header = row 1."""
    problems: list[ImportProblem] = []

    def in_mapping(message: Msg) -> Msg:
        return Msg("importer.mapping.problem", file=MAPPING_FILE, problem=message)

    header = [str(c) for c in frame.columns]
    missing = [c for c in MAPPING_COLUMNS if c not in header]
    unknown = [c for c in header if c not in MAPPING_COLUMNS]
    for col in missing:
        problems.append(ImportProblem(1, col, in_mapping(Msg("importer.mapping.column_missing", column=col))))
    for col in unknown:
        problems.append(
            ImportProblem(
                1,
                col,
                in_mapping(Msg("importer.mapping.column_unknown", column=col, allowed=", ".join(MAPPING_COLUMNS))),
            )
        )
    if problems:
        return pd.DataFrame(columns=MAPPING_COLUMNS), problems
    ctx = _PlanIndex(plan) if plan is not None else None
    out: list[dict] = []
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(frame.to_dict("records")):
        line = i + 2
        r = {c: _cell_text(raw.get(c)).strip() for c in MAPPING_COLUMNS}
        if _is_blank(r.values()):
            continue
        bad = len(problems)
        source = r["source"].lower()
        if source not in MAPPING_SOURCES:
            problems.append(
                ImportProblem(
                    line,
                    "source",
                    in_mapping(
                        Msg(
                            "importer.mapping.source",
                            first=MAPPING_SOURCES[0],
                            second=MAPPING_SOURCES[1],
                            value=r["source"],
                        )
                    ),
                )
            )
        if not r["source_indicator"]:
            problems.append(
                ImportProblem(line, "source_indicator", in_mapping(Msg("importer.mapping.source_indicator")))
            )
        gender = norm_gender(r["gender"])
        if gender not in ("total", "male", "female"):
            problems.append(
                ImportProblem(line, "gender", in_mapping(Msg("importer.mapping.gender", value=r["gender"])))
            )
        number = parse_number(r["indicator_id"])
        if number is None or not number.is_integer():
            problems.append(
                ImportProblem(
                    line, "indicator_id", in_mapping(Msg("importer.indicator_not_whole", value=r["indicator_id"]))
                )
            )
        if not re.fullmatch(r"[a-z0-9_]*", r["series_id"]):
            problems.append(
                ImportProblem(line, "series_id", in_mapping(Msg("importer.mapping.series_id", value=r["series_id"])))
            )
        if not re.fullmatch(r"[a-z0-9_]+", r["group_id"]):
            problems.append(
                ImportProblem(line, "group_id", in_mapping(Msg("importer.mapping.group_id", value=r["group_id"])))
            )
        area = r["area"].lower()
        if not AREA_RE.match(area):
            problems.append(ImportProblem(line, "area", in_mapping(Msg("importer.mapping.area", value=r["area"]))))
        if len(problems) > bad:
            continue
        indicator_id = int(number)  # type: ignore[arg-type]
        if ctx is not None:
            for col, msg in ctx.reference_problems(indicator_id, r["series_id"], r["group_id"]):
                problems.append(ImportProblem(line, col, in_mapping(msg)))
        key = (source, norm_source_key(r["source_indicator"]), norm_source_key(r["source_region"]), gender)
        if key in seen:
            problems.append(
                ImportProblem(line, "source_indicator", in_mapping(Msg("importer.mapping.repeated", first=seen[key])))
            )
            continue
        seen[key] = line
        out.append({**r, "source": source, "gender": gender, "indicator_id": indicator_id, "area": area, "_line": line})
    frame_out = pd.DataFrame(out, columns=[*MAPPING_COLUMNS, "_line"])
    return frame_out, problems


def load_mapping(path: Path | str | None = None, plan: Plan | None = None) -> pd.DataFrame:
    """Read and validate the Sotkanet mapping table (default data/sotkanet_mapping.csv); MappingError if invalid.

    Columns: source (sotkanet | esimerkki), source_indicator (Sotkanet name or code),
    source_region (name or code; empty = any region, mapped to ``area``), gender (empty / total /
    male / female), indicator_id, series_id, group_id, area, note. Names and codes are matched
    case-insensitively. Rows with source 'esimerkki' are documentation and never used.
    """
    path = Path(path) if path is not None else default_mapping_path()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise MappingError([ImportProblem(None, None, Msg("importer.mapping.not_found", path=str(path)))]) from exc
    except UnicodeDecodeError as exc:
        raise MappingError([ImportProblem(None, None, Msg("importer.mapping.not_utf8", path=str(path)))]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        raise MappingError([ImportProblem(None, None, Msg("importer.mapping.empty", path=str(path)))])
    header = [h.strip() for h in rows[0]]
    problems: list[ImportProblem] = []
    body = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) > len(header):
            problems.append(
                ImportProblem(
                    i,
                    None,
                    Msg("importer.mapping.problem", file=MAPPING_FILE, problem=Msg("importer.mapping.long_row")),
                )
            )
            continue
        body.append(r + [""] * (len(header) - len(r)))
    frame = pd.DataFrame(body, columns=header, dtype=object)
    mapping, more = validate_mapping(frame, plan)
    problems += more
    if problems:
        raise MappingError(problems)
    return mapping


# ------------------------------------------------------------------------------------------
# Plan look-ups and the checks of one row


class _PlanIndex:
    """The plan's ids for fast checks."""

    def __init__(self, plan: Plan):
        self.indicators: dict[int, Indicator] = {i.indicator_id: i for i in plan.indicators}
        self.series: dict[tuple[int, str], Series] = {(s.indicator_id, s.series_id): s for s in plan.series}
        self.series_of: dict[int, list[str]] = {}
        for s in plan.series:
            self.series_of.setdefault(s.indicator_id, []).append(s.series_id)
        self.groups = [g.group_id for g in sorted(plan.groups, key=lambda g: g.sort_order)]

    def reference_problems(self, indicator_id: int, series_id: str, group_id: str) -> list[tuple[str, Msg]]:
        """(column, message) for unknown indicator, series or group (messages start in lower case)."""
        out: list[tuple[str, Msg]] = []
        if indicator_id not in self.indicators:
            known = ", ".join(str(i) for i in sorted(self.indicators))
            out.append(("indicator_id", Msg("importer.indicator_unknown", id=indicator_id, known=known)))
        else:
            options = self.series_of.get(indicator_id, [])
            if series_id and (indicator_id, series_id) not in self.series:
                hint = (
                    Msg("importer.series_allowed", options=", ".join(options))
                    if options
                    else Msg("importer.series_none")
                )
                out.append(("series_id", Msg("importer.series_unknown", id=indicator_id, series=series_id, hint=hint)))
            elif not series_id and options:
                out.append(("series_id", Msg("importer.series_required", id=indicator_id, options=", ".join(options))))
        if group_id and group_id not in self.groups:
            out.append(("group_id", Msg("importer.group_unknown", group=group_id, allowed=", ".join(self.groups))))
        return out


def _col_label(col: str) -> Msg:
    """A template column's name for people ('indikaattorin numero' / 'indicator number')."""
    return Msg(f"importer.col.{col}")


def _check_row(
    values: Mapping[str, object],
    line: int,
    ctx: _PlanIndex,
    errors: list[ImportProblem],
    column_name: Callable[[str], str | None],
    context: Msg | None = None,
) -> dict | None:
    """Validate one row given in template columns; append problems and return the clean row or None."""
    before = len(errors)

    def bad(col: str, message: Msg) -> None:
        text = message.capitalised()
        if context is not None:
            text = Msg("importer.with_context", text=text, context=context)
        errors.append(ImportProblem(line, column_name(col), text))

    def text(col: str) -> str:
        return _cell_text(values.get(col)).strip()

    for col in REQUIRED_COLUMNS:
        if text(col) == "":
            bad(col, Msg("importer.required_missing", label=_col_label(col)))
    if len(errors) > before:
        return None

    indicator_id: int | None = None
    number = parse_number(values.get("indicator_id"))
    if number is None or not number.is_integer():
        bad("indicator_id", Msg("importer.indicator_not_whole", value=text("indicator_id")))
    else:
        indicator_id = int(number)

    series_id = text("series_id")
    group_id = text("group_id")
    if indicator_id is not None:
        for col, msg in ctx.reference_problems(indicator_id, series_id, group_id):
            bad(col, msg)
    elif group_id not in ctx.groups:
        bad("group_id", Msg("importer.group_unknown", group=group_id, allowed=", ".join(ctx.groups)))

    area = text("area").lower()
    if not AREA_RE.match(area):
        hint = Msg("importer.area_hint_koko_maa") if area.replace(" ", "_") == "koko_maa" else ""
        bad("area", Msg("importer.area_invalid", value=text("area"), hint=hint))

    year: int | None = None
    ynum = parse_number(values.get("year"))
    if ynum is None or not ynum.is_integer():
        bad("year", Msg("importer.year_not_whole", value=text("year")))
    elif not YEAR_MIN <= ynum <= YEAR_MAX:
        bad("year", Msg("importer.year_range", low=YEAR_MIN, high=YEAR_MAX, value=int(ynum)))
    else:
        year = int(ynum)

    value = parse_number(values.get("value"))
    raw_value = text("value")
    if value is None:
        if "%" in raw_value:
            hint: Msg | str = Msg("importer.value_hint_percent")
        elif "," in raw_value and "." in raw_value:
            hint = Msg("importer.value_hint_thousands")
        else:
            hint = ""
        bad("value", Msg("importer.value_not_number", value=raw_value, hint=hint))
    elif indicator_id is not None and indicator_id in ctx.indicators:
        unit = effective_unit(ctx.indicators[indicator_id], ctx.series.get((indicator_id, series_id)))
        if unit is Unit.PERCENT and not 0 <= value <= 100:
            bad("value", Msg("importer.percent_range", value=f"{value:g}"))
        elif unit in (Unit.COUNT, Unit.PER_1000, Unit.PER_10000) and value < 0:
            bad("value", Msg("importer.negative", value=f"{value:g}"))

    clean_text: dict[str, str] = {}
    for col, limit in (("value_as_printed", MAX_SHORT_TEXT), ("flag", MAX_SHORT_TEXT), ("note", MAX_TEXT_LENGTH)):
        t = text(col)
        if len(t) > limit:
            bad(col, Msg("importer.too_long", label=_col_label(col), n=len(t), limit=limit))
        clean_text[col] = t

    if len(errors) > before:
        return None
    return {
        "indicator_id": indicator_id,
        "series_id": series_id,
        "group_id": group_id,
        "area": area,
        "year": year,
        "value": value,
        **clean_text,
    }


# ------------------------------------------------------------------------------------------
# Reading the file


def _decode(content: bytes) -> tuple[str | None, ImportProblem | None]:
    """UTF-8 text (BOM removed) or a Finnish problem; never guesses another encoding."""
    advice = Msg("importer.utf8_advice")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, ImportProblem(None, None, Msg("importer.utf16", advice=advice))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return None, ImportProblem(line, None, Msg("importer.not_utf8", line=line, advice=advice))
    if "\x00" in text:
        return None, ImportProblem(None, None, Msg("importer.binary"))
    return text, None


def _sniff_delimiter(first_line: str) -> tuple[str, list[str]]:
    """Pick ',' or ';' by the number of known column names (then of cells) in the header line."""
    best: tuple[tuple[int, int], str, list[str]] | None = None
    known = set(TEMPLATE_COLUMNS) | set(SOTKANET_ALIASES)
    for delim in (";", ","):
        cells = next(csv.reader([first_line], delimiter=delim))
        score = (sum(1 for c in cells if _norm_header(c) in known), len(cells))
        if best is None or score > best[0]:
            best = (score, delim, cells)
    assert best is not None
    return best[1], best[2]


def _one_column_problem(header_line: str) -> ImportProblem:
    """The wrong-delimiter message, naming the delimiter the file seems to use."""
    if "\t" in header_line:
        what: Msg | str = Msg("importer.one_column.tab")
    elif "|" in header_line:
        what = Msg("importer.one_column.pipe")
    else:
        what = ""
    shown = header_line if len(header_line) <= 60 else header_line[:57] + "…"
    return ImportProblem(1, None, Msg("importer.one_column", shown=shown, what=what))


def _split_number_hint(cells: list[str], prefer: int | None = None) -> str | None:
    """A '12,5' that a comma-separated row split into '12' and '5', if any (the value column first)."""
    starts = list(range(len(cells) - 1))
    if prefer is not None and 0 <= prefer < len(cells) - 1:
        starts.remove(prefer)
        starts.insert(0, prefer)
    for i in starts:
        a, b = cells[i], cells[i + 1]
        if re.fullmatch(r"\s*-?\d+\s*", a) and re.fullmatch(r"\d+\s*%?\s*", b):
            return f"{a.strip()},{b.strip()}"
    return None


def _read_csv_table(text: str) -> tuple[list[tuple[int, list[str]]], str, list[ImportProblem]]:
    """(row number, cells) of every non-blank record incl. the header, the delimiter, and problems."""
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    try:
        delim, header_cells = _sniff_delimiter(first)
    except csv.Error:  # e.g. a header cell longer than the csv module's field limit (131 072)
        return [], ",", [ImportProblem(1, None, Msg("importer.csv_unreadable"))]
    known = set(TEMPLATE_COLUMNS) | set(SOTKANET_ALIASES)
    if len(header_cells) == 1 and _norm_header(header_cells[0]) not in known:
        return [], delim, [_one_column_problem(first)]
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if _is_blank(cells):
                continue
            records.append((number, cells))
            if len(records) > MAX_ROWS + 1:
                break
    except csv.Error:
        line = number + 1
        return [], delim, [ImportProblem(line, None, Msg("importer.csv_unreadable"))]
    return records, delim, []


def _read_xlsx_table(content: bytes) -> tuple[list[tuple[int, list[object]]], list[ImportProblem]]:
    """(row number, cells) of every non-blank row of the data sheet incl. the header, and problems."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        return [], [ImportProblem(None, None, Msg("importer.xlsx_unreadable", error=type(exc).__name__))]
    try:
        names = wb.sheetnames
        ws = wb[TEMPLATE_SHEET] if TEMPLATE_SHEET in names else wb.worksheets[0]
        ws.reset_dimensions()  # read to the sheet's real end: a stale dimension record would cut rows
        records: list[tuple[int, list[object]]] = []
        blank_run = 0
        try:
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = list(row)
                if _is_blank(cells):
                    blank_run += 1
                    if blank_run > 10_000:  # formatted but empty rows to the end of the sheet
                        break
                    continue
                blank_run = 0
                records.append((number, cells))
                if len(records) > MAX_ROWS + 1:
                    break
        except XLSX_READ_ERRORS as exc:  # a cell openpyxl cannot read (e.g. a number of 5,000 digits)
            return [], [ImportProblem(None, None, Msg("importer.xlsx_unreadable", error=type(exc).__name__))]
    finally:
        wb.close()
    return records, []


def _too_many_rows(n_data: int) -> ImportProblem:
    """The row-limit message."""
    limit = f"{MAX_ROWS:,}".replace(",", " ")
    return ImportProblem(None, None, Msg("importer.too_many_rows", limit=limit))


def _looks_like_data(header: list[object]) -> bool:
    """Whether a 'header' holds numbers, i.e. the file has no header row."""
    return sum(1 for c in header if parse_number(c) is not None) >= 2


def _unrecognised_header(header: list[object]) -> ImportProblem:
    """The message for a header that is neither the template nor Sotkanet."""
    shown = ", ".join(f"'{_cell_text(c).strip()}'" for c in header[:8])
    if _looks_like_data(header):
        return ImportProblem(1, None, Msg("importer.header_is_data"))
    return ImportProblem(1, None, Msg("importer.header_unknown", shown=shown, columns=", ".join(TEMPLATE_COLUMNS)))


def _header_kind(header: list[object]) -> str | None:
    """'template', 'sotkanet' or None, by the column names found."""
    names = {_norm_header(c) for c in header}
    template = len(names & _TEMPLATE_ONLY)
    sotkanet = len(names & _SOTKANET_ONLY)
    if template and template >= sotkanet:
        return "template"
    if sotkanet:
        return "sotkanet"
    if names & set(REQUIRED_COLUMNS):  # e.g. only 'year' and 'value': a template with columns missing
        return "template"
    return None


_DECIMAL_ADVICE = Msg("importer.decimal_advice")


def _extra_cells_problem(
    line: int, cells: list[str], n_header: int, delim: str | None, value_index: int | None = None, strict: bool = False
) -> ImportProblem | None:
    """A row longer than the header: refused (strict: even if the extra cells are empty), with a decimal-comma hint."""
    extra = cells[n_header:]
    if not extra or (_is_blank(extra) and not strict):
        return None
    split = _split_number_hint([_cell_text(c) for c in cells], value_index) if delim == "," else None
    hint = (
        Msg("importer.extra_cells.decimal", number=split, advice=_DECIMAL_ADVICE)
        if split
        else Msg("importer.extra_cells.check")
    )
    return ImportProblem(line, None, Msg("importer.extra_cells", n=len(cells), n_header=n_header, hint=hint))


def _split_value_problem(line: int, cells: list[str], positions: Mapping[str, int]) -> ImportProblem | None:
    """A short comma-separated row where '88,5' became value '88' and a next text column '5'."""
    vi = positions["value"]
    following = [name for name, i in positions.items() if i == vi + 1]
    if not following or following[0] not in ("value_as_printed", "flag", "note") or vi + 1 >= len(cells):
        return None
    value, nxt = cells[vi].strip(), cells[vi + 1].strip()
    if not re.fullmatch(r"-?\d+", value) or not re.fullmatch(r"\d+\s*%?", nxt):
        return None
    if parse_number(nxt.rstrip("% ")) == parse_number(value):  # e.g. value 88, value_as_printed '88 %'
        return None
    return ImportProblem(line, "value", Msg("importer.split_value", value=value, next=nxt, advice=_DECIMAL_ADVICE))


def _parse_template(
    records: list[tuple[int, list[object]]], delim: str | None, ctx: _PlanIndex, errors: list[ImportProblem]
) -> list[tuple[int, dict]]:
    """Check the template header and every row; return (file row, clean row) pairs."""
    header_line, header_cells = records[0]
    names = [_norm_header(c) for c in header_cells]
    positions: dict[str, int] = {}
    blank_columns: list[int] = []
    for i, name in enumerate(names):
        if name == "":
            blank_columns.append(i)
        elif name not in TEMPLATE_COLUMNS:
            column = _cell_text(header_cells[i]).strip()
            errors.append(
                ImportProblem(
                    header_line,
                    column,
                    Msg("importer.column_unknown", column=column, allowed=", ".join(TEMPLATE_COLUMNS)),
                )
            )
        elif name in positions:
            errors.append(ImportProblem(header_line, name, Msg("importer.column_twice", column=name)))
        else:
            positions[name] = i
    for col in REQUIRED_COLUMNS:
        if col not in positions:
            errors.append(
                ImportProblem(header_line, col, Msg("importer.column_missing", column=col, label=_col_label(col)))
            )
    if errors:
        return []
    body = records[1:]
    if not body:
        errors.append(ImportProblem(None, None, Msg("importer.header_only")))
        return []
    if len(body) > MAX_ROWS:
        errors.append(_too_many_rows(len(body)))
        return []
    out: list[tuple[int, dict]] = []
    n_header = len(header_cells)
    for line, cells in body:
        texts = [_cell_text(c) for c in cells]
        if delim is not None and len(texts) == 1 < n_header and any(d in texts[0] for d in ";,\t|"):
            errors.append(ImportProblem(line, None, Msg("importer.row_one_cell", n_header=n_header, delim=delim)))
            continue
        extra = _extra_cells_problem(line, texts, n_header, delim, positions.get("value"), strict=delim is not None)
        if extra is None and delim == ",":
            extra = _split_value_problem(line, texts, positions)
        if extra is not None:
            errors.append(extra)
            continue
        for i in blank_columns:
            if i < len(cells) and _cell_text(cells[i]).strip():
                errors.append(
                    ImportProblem(
                        line, None, Msg("importer.unnamed_column", n=i + 1, value=_cell_text(cells[i]).strip())
                    )
                )
        values = {col: (cells[i] if i < len(cells) else None) for col, i in positions.items()}
        row = _check_row(values, line, ctx, errors, lambda c: c)
        if row is not None:
            out.append((line, row))
    return out


@dataclass
class _Mapper:
    """Sotkanet (indicator, region, gender) → plan ids, from the mapping table's 'sotkanet' rows."""

    exact: dict[tuple[str, str, str], dict]
    any_region: dict[tuple[str, str], dict]
    indicators: set[str]

    @classmethod
    def from_frame(cls, mapping: pd.DataFrame) -> _Mapper:
        """Index the validated mapping's usable rows."""
        exact: dict[tuple[str, str, str], dict] = {}
        any_region: dict[tuple[str, str], dict] = {}
        indicators: set[str] = set()
        for r in mapping.to_dict("records"):
            if r["source"] != "sotkanet":
                continue
            ind = norm_source_key(r["source_indicator"])
            indicators.add(ind)
            region = norm_source_key(r["source_region"])
            if region:
                exact[(ind, region, r["gender"])] = r
            else:
                any_region[(ind, r["gender"])] = r
        return cls(exact, any_region, indicators)

    def find(self, indicator: object, region: object, gender: str) -> dict | None:
        """The mapping row for one Sotkanet value, or None."""
        ind, reg = norm_source_key(indicator), norm_source_key(region)
        return self.exact.get((ind, reg, gender)) or self.any_region.get((ind, gender))


def _map_sotkanet(
    items: list[tuple[int, dict[str, object]]],
    mapper: _Mapper,
    ctx: _PlanIndex,
    errors: list[ImportProblem],
    notes: list[str],
    labels: Mapping[str, str],
) -> list[tuple[int, dict]]:
    """Map Sotkanet rows (role → value) to template rows and check them."""
    out: list[tuple[int, dict]] = []
    skipped: dict[str, int] = {}
    role_of = {
        "indicator_id": "indicator",
        "series_id": "indicator",
        "group_id": "region",
        "area": "region",
        "year": "year",
        "value": "value",
    }

    def column_name(col: str) -> str | None:
        role = role_of.get(col)
        return labels.get(role) if role else None

    for line, raw in items:
        missing = [role for role in SOTKANET_REQUIRED if _cell_text(raw.get(role)).strip() == ""]
        if missing:
            for role in missing:
                errors.append(
                    ImportProblem(
                        line,
                        labels.get(role),
                        Msg("importer.required_missing", label=SOTKANET_LABELS_FI[role]).capitalised(),
                    )
                )
            continue
        gender = norm_gender(raw.get("gender"))
        hit = mapper.find(raw["indicator"], raw["region"], gender)
        if hit is None:
            if gender != "total":
                label = _cell_text(raw.get("gender")).strip() or gender
                skipped[label] = skipped.get(label, 0) + 1
                continue
            ind_text = _cell_text(raw["indicator"]).strip()
            if norm_source_key(ind_text) not in mapper.indicators:
                errors.append(
                    ImportProblem(
                        line,
                        labels.get("indicator"),
                        Msg("importer.sotkanet.unmapped", indicator=ind_text, file=MAPPING_FILE),
                    )
                )
            else:
                errors.append(
                    ImportProblem(
                        line,
                        labels.get("region"),
                        Msg(
                            "importer.sotkanet.region_unmapped",
                            region=_cell_text(raw["region"]).strip(),
                            indicator=ind_text,
                            file=MAPPING_FILE,
                        ),
                    )
                )
            continue
        values = {
            "indicator_id": hit["indicator_id"],
            "series_id": hit["series_id"],
            "group_id": hit["group_id"],
            "area": hit["area"],
            "year": raw["year"],
            "value": raw["value"],
        }
        row = _check_row(
            values,
            line,
            ctx,
            errors,
            column_name,
            context=Msg("importer.sotkanet.mapping_row", file=MAPPING_FILE, line=hit["_line"])
            if not _row_values_ok(values, ctx)
            else None,
        )
        if row is not None:
            out.append((line, row))
    for gender, n in skipped.items():
        notes.append(Msg("importer.sotkanet.skipped_gender", n=n, gender=gender))
    return out


def _row_values_ok(values: Mapping[str, object], ctx: _PlanIndex) -> bool:
    """Whether the mapped ids exist in the plan (else the mapping row is named in the message)."""
    try:
        indicator_id = int(values["indicator_id"])  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
    return not ctx.reference_problems(indicator_id, str(values["series_id"]), str(values["group_id"]))


def _sotkanet_from_records(
    records: list[tuple[int, list[object]]], errors: list[ImportProblem]
) -> tuple[list[tuple[int, dict[str, object]]], dict[str, str]]:
    """Sotkanet CSV/xlsx records → (file row, role → cell) items and the header's labels."""
    header_line, header_cells = records[0]
    roles: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i, c in enumerate(header_cells):
        role = SOTKANET_ALIASES.get(_norm_header(c))
        if role and role not in roles:
            roles[role] = i
            labels[role] = _cell_text(c).replace("\ufeff", "").strip()
    for role in SOTKANET_REQUIRED:
        if role not in roles:
            errors.append(
                ImportProblem(
                    header_line,
                    SOTKANET_LABELS_FI[role],
                    Msg("importer.sotkanet.column_missing", column=SOTKANET_LABELS_FI[role], role=role),
                )
            )
    if errors:
        return [], labels
    body = records[1:]
    if not body:
        errors.append(ImportProblem(None, None, Msg("importer.header_only")))
        return [], labels
    if len(body) > MAX_ROWS:
        errors.append(_too_many_rows(len(body)))
        return [], labels
    items = []
    for line, cells in body:
        if len(cells) > len(header_cells):
            problem = _extra_cells_problem(
                line, [_cell_text(c) for c in cells], len(header_cells), ",", roles.get("value")
            )
            if problem is not None:
                errors.append(problem)
                continue
        items.append((line, {role: (cells[i] if i < len(cells) else None) for role, i in roles.items()}))
    return items, labels


class _NumberTooLong(ValueError):
    """A JSON number with more digits than any real value has."""

    def __init__(self, digits: int):
        super().__init__(digits)
        self.digits = digits


def _json_number(kind: type) -> Callable[[str], object]:
    """A json.loads hook that refuses numbers longer than MAX_JSON_NUMBER characters (no huge ints or floats)."""

    def parse(text: str) -> object:
        if len(text) > MAX_JSON_NUMBER:
            raise _NumberTooLong(len(text))
        return kind(text)

    return parse


def _sotkanet_from_json(text: str, errors: list[ImportProblem]) -> list[tuple[int, dict[str, object]]]:
    """Sotkanet JSON text → (position, role → value) items."""
    try:
        data = json.loads(text, parse_int=_json_number(int), parse_float=_json_number(float))
    except json.JSONDecodeError as exc:
        errors.append(ImportProblem(exc.lineno, None, Msg("importer.json.invalid", line=exc.lineno, col=exc.colno)))
        return []
    except _NumberTooLong as exc:
        errors.append(
            ImportProblem(None, None, Msg("importer.json.number_too_long", n=exc.digits, limit=MAX_JSON_NUMBER))
        )
        return []
    except RecursionError:
        errors.append(ImportProblem(None, None, Msg("importer.json.too_deep")))
        return []
    if not isinstance(data, list):
        errors.append(ImportProblem(None, None, Msg("importer.json.not_list")))
        return []
    if not data:
        errors.append(ImportProblem(None, None, Msg("importer.json.empty")))
        return []
    if len(data) > MAX_ROWS:
        errors.append(_too_many_rows(len(data)))
        return []
    items = []
    for n, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            errors.append(ImportProblem(n, None, Msg("importer.json.not_object", n=n)))
            continue
        lower = {str(k).lower(): v for k, v in obj.items()}
        for key in SOTKANET_REQUIRED:
            if key not in lower:
                errors.append(ImportProblem(n, key, Msg("importer.json.key_missing", n=n, key=key)))
        if any(key not in lower for key in SOTKANET_REQUIRED):
            continue
        item = {role: lower.get(role) for role in ("indicator", "region", "year", "gender", "value")}
        if isinstance(item["value"], (list, dict)) or isinstance(item["year"], (list, dict)):
            errors.append(ImportProblem(n, "value", Msg("importer.json.value_not_number", n=n)))
            continue
        items.append((n, item))
    return items


def _resolve_mapping(mapping: pd.DataFrame | None, errors: list[ImportProblem]) -> _Mapper | None:
    """The mapping to use (default file or the given frame), or None with its problems added."""
    try:
        if mapping is None:
            frame = load_mapping()
        else:
            frame, problems = validate_mapping(mapping.drop(columns=["_line"], errors="ignore"))
            if problems:
                raise MappingError(problems)
    except MappingError as exc:
        errors.extend(exc.problems)
        errors.append(ImportProblem(None, None, Msg("importer.sotkanet.fix_mapping_first")))
        return None
    return _Mapper.from_frame(frame)


def _finish(rows: list[tuple[int, dict]], errors: list[ImportProblem], kind: str, notes: list[Msg]) -> ImportResult:
    """Check duplicate keys and build the result (refused if any problem)."""
    if not errors:
        seen: dict[tuple, int] = {}
        for line, r in rows:
            key = tuple(r[k] for k in OBSERVATION_KEY)
            if key in seen:
                series = Msg("importer.duplicate.series", series=r["series_id"]) if r["series_id"] else ""
                errors.append(
                    ImportProblem(
                        line,
                        None,
                        Msg(
                            "importer.duplicate",
                            first=seen[key],
                            indicator=r["indicator_id"],
                            series=series,
                            group=r["group_id"],
                            area=r["area"],
                            year=r["year"],
                        ),
                    )
                )
            else:
                seen[key] = line
    if not errors and not rows:
        errors.append(ImportProblem(None, None, Msg("importer.no_rows")))
    if errors:
        return _refused(errors, kind, notes)
    frame = pd.DataFrame([r for _, r in rows], columns=TEMPLATE_COLUMNS)
    frame = frame.astype({"indicator_id": "int64", "year": "int64", "value": "float64"})
    return ImportResult(frame, [], kind, notes, [line for line, _ in rows])


def _parse_records(
    records: list[tuple[int, list[object]]],
    delim: str | None,
    ctx: _PlanIndex,
    mapping: pd.DataFrame | None,
    kind: str,
    template_kind: str,
    sotkanet_kind: str,
) -> ImportResult:
    """Check a read table (header first, CSV or xlsx) as the template or a Sotkanet file and build the result.

    ``kind`` names the file in a refusal before its header is recognised; ``template_kind`` /
    ``sotkanet_kind`` name it once the header says which it is. ``delim`` is None for xlsx.
    """
    errors: list[ImportProblem] = []
    notes: list[Msg] = []
    header = records[0][1]
    which = _header_kind(header)
    if which is None:
        return _refused([_unrecognised_header(header)], kind)
    if len(records) - 1 > MAX_ROWS:
        return _refused([_too_many_rows(len(records) - 1)], kind)
    if which == "sotkanet":
        kind = sotkanet_kind
        mapper = _resolve_mapping(mapping, errors)
        if mapper is None:
            return _refused(errors, kind)
        items, labels = _sotkanet_from_records(records, errors)
        rows = _map_sotkanet(items, mapper, ctx, errors, notes, labels) if not errors else []
    else:
        kind = template_kind
        rows = _parse_template(records, delim, ctx, errors)
    return _finish(rows, errors, kind, notes)


def parse_import(content: bytes, filename: str, plan: Plan, mapping: pd.DataFrame | None = None) -> ImportResult:
    """Read and check a file of new observations (template CSV/xlsx, Sotkanet CSV/JSON); refuse it whole on any problem.

    ``mapping`` is the Sotkanet mapping table (default: data/sotkanet_mapping.csv, read only for
    Sotkanet files). A file that breaks the reader in a way not foreseen is refused too, never a traceback.
    """
    try:
        return _parse_import(content, filename, plan, mapping)
    except (RecursionError, ValueError, OverflowError, TypeError, KeyError, IndexError, csv.Error) as exc:
        return _refused([ImportProblem(None, None, Msg("importer.unreadable", error=type(exc).__name__))])


def _parse_import(content: bytes, filename: str, plan: Plan, mapping: pd.DataFrame | None) -> ImportResult:
    """``parse_import`` without its last-resort refusal."""
    errors: list[ImportProblem] = []
    notes: list[Msg] = []
    suffix = Path(filename or "").suffix.lower()
    if content is None or len(content) == 0:
        return _refused([ImportProblem(None, None, Msg("importer.empty"))])
    if len(content) > MAX_FILE_BYTES:
        size = len(content) / 1024 / 1024
        return _refused(
            [
                ImportProblem(
                    None, None, Msg("importer.too_big", size=f"{size:.1f}", limit=MAX_FILE_BYTES // 1024 // 1024)
                )
            ]
        )
    is_zip = content.startswith(b"PK\x03\x04")
    ctx = _PlanIndex(plan)

    if suffix == ".xls":
        return _refused([ImportProblem(None, None, Msg("importer.xls"))])
    if suffix == ".xlsx":
        kind = "malli (Excel)"
        if not is_zip:
            return _refused([ImportProblem(None, None, Msg("importer.xlsx_not_zip"))], kind)
        records, problems = _read_xlsx_table(content)
        if problems:
            return _refused(problems, kind)
        if not records:
            return _refused([ImportProblem(None, None, Msg("importer.xlsx_empty"))], kind)
        return _parse_records(records, None, ctx, mapping, kind, kind, "Sotkanet (Excel)")

    if suffix in (".csv", ".txt"):
        if is_zip:
            return _refused([ImportProblem(None, None, Msg("importer.zip_as_csv", suffix=suffix))])
        text, problem = _decode(content)
        if problem is not None:
            return _refused([problem], "CSV")
        assert text is not None
        if not text.strip():
            return _refused([ImportProblem(None, None, Msg("importer.empty"))], "CSV")
        records_s, delim, problems = _read_csv_table(text)
        if problems:
            return _refused(problems, "CSV")
        records = [(n, list(c)) for n, c in records_s]
        template_kind = "malli (CSV, erotin " + ("puolipiste)" if delim == ";" else "pilkku)")
        return _parse_records(records, delim, ctx, mapping, "CSV", template_kind, "Sotkanet (CSV)")

    if suffix == ".json":
        kind = "Sotkanet (JSON)"
        text, problem = _decode(content)
        if problem is not None:
            return _refused([problem], kind)
        assert text is not None
        if not text.strip():
            return _refused([ImportProblem(None, None, Msg("importer.empty"))], kind)
        items = _sotkanet_from_json(text, errors)
        if errors:
            return _refused(errors, kind)
        mapper = _resolve_mapping(mapping, errors)
        if mapper is None:
            return _refused(errors, kind)
        labels = {role: role for role in SOTKANET_LABELS_FI}
        rows = _map_sotkanet(items, mapper, ctx, errors, notes, labels)
        return _finish(rows, errors, kind, notes)

    shown: Msg | str = suffix or Msg("importer.no_suffix")
    return _refused([ImportProblem(None, None, Msg("importer.file_type", suffix=shown))])


# ------------------------------------------------------------------------------------------
# Preview and apply

PREVIEW_COLUMNS = ["row", *TEMPLATE_COLUMNS, "old_value", "action", "changed_fields"]


def _key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns with the types the store uses (series '' not NaN)."""
    out = frame.copy()
    out["series_id"] = out["series_id"].fillna("").astype(str)
    out["indicator_id"] = out["indicator_id"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out["group_id"] = out["group_id"].astype(str)
    out["area"] = out["area"].astype(str)
    return out


def preview(result: ImportResult, current: pd.DataFrame) -> pd.DataFrame:
    """What applying would do to ``current`` (the store's observations): action 'lisätään' / 'muuttuu' / 'ei muutosta'.

    Follows ``Store.upsert_observations``: a value that differs, or a non-empty text field
    (value_as_printed, flag, note) that differs, is a change; an empty text field keeps the old one.
    """
    if result.errors or result.rows.empty:
        return pd.DataFrame(columns=PREVIEW_COLUMNS)
    new = _key_frame(result.rows)
    new["row"] = result.source_rows if len(result.source_rows) == len(new) else range(2, len(new) + 2)
    key = list(OBSERVATION_KEY)
    wanted = [*key, "value", "value_as_printed", "flag", "note"]
    if current is None or current.empty:
        cur = pd.DataFrame(
            {
                "indicator_id": pd.Series(dtype="int64"),
                "series_id": pd.Series(dtype=object),
                "group_id": pd.Series(dtype=object),
                "area": pd.Series(dtype=object),
                "year": pd.Series(dtype="int64"),
                "value": pd.Series(dtype="float64"),
                "value_as_printed": pd.Series(dtype=object),
                "flag": pd.Series(dtype=object),
                "note": pd.Series(dtype=object),
            }
        )
    else:
        cur = _key_frame(current[wanted])
    cur = cur.rename(
        columns={"value": "old_value", "value_as_printed": "_old_printed", "flag": "_old_flag", "note": "_old_note"}
    )
    merged = new.merge(cur, on=key, how="left", indicator=True)
    actions: list[str] = []
    changed: list[str] = []
    for r in merged.to_dict("records"):
        if r["_merge"] == "left_only":
            actions.append(ADDED)
            changed.append("")
            continue
        diff = []
        if float(r["old_value"]) != float(r["value"]):
            diff.append("value")
        for col, old in (("value_as_printed", "_old_printed"), ("flag", "_old_flag"), ("note", "_old_note")):
            new_text = r[col] if isinstance(r[col], str) else ""
            old_text = r[old] if isinstance(r[old], str) else ""
            if new_text and new_text != old_text:
                diff.append(col)
        actions.append(CHANGED if diff else UNCHANGED)
        changed.append(", ".join(diff))
    merged["action"] = actions
    merged["changed_fields"] = changed
    merged["old_value"] = merged["old_value"].astype("float64")
    return merged[PREVIEW_COLUMNS].reset_index(drop=True)


def _plain(row: Mapping[str, object]) -> dict:
    """One row with plain Python types, as Store.upsert_observations expects."""
    return {
        "indicator_id": int(row["indicator_id"]),  # type: ignore[call-overload]
        "series_id": str(row["series_id"] or ""),
        "group_id": str(row["group_id"]),
        "area": str(row["area"]),
        "year": int(row["year"]),  # type: ignore[call-overload]
        "value": float(row["value"]),  # type: ignore[arg-type]
        **{
            k: (
                ""
                if row.get(k) is None or (isinstance(row.get(k), float) and math.isnan(row[k]))  # type: ignore[arg-type]
                else str(row[k])
            )
            for k in ("value_as_printed", "flag", "note")
        },
    }


def apply_import(
    store: Store,
    result: ImportResult,
    editor: Editor | None,
    progress: Callable[[float], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> dict[str, int]:
    """Write a checked import with ``Store.upsert_observations`` in chunks, all in ONE transaction.

    Calls ``progress(fraction)`` after each chunk (0 < fraction ≤ 1). Returns counts
    added / changed / unchanged. Raises ImportRefused for a refused file (nothing written) and
    rolls everything back if any chunk (or the progress callback) fails.
    """
    if result.errors:
        raise ImportRefused(result.errors)
    editor = _require_editor(editor)
    rows = [_plain(r) for r in result.rows.to_dict("records")]
    totals = {"added": 0, "changed": 0, "unchanged": 0}
    if not rows:
        if progress:
            progress(1.0)
        return totals
    size = max(1, int(chunk_size))
    with store.transaction() as uow:
        for start in range(0, len(rows), size):
            counts = uow.upsert_observations(rows[start : start + size], editor)
            for k in totals:
                totals[k] += counts.get(k, 0)
            if progress:
                progress(min(1.0, (start + size) / len(rows)))
    return totals


def problems_text(problems: Iterable[ImportProblem], lang: str = DEFAULT_LANG) -> str:
    """Problems as lines for a page ('- Rivi 3, sarake 'year': …'; '- Row 3, column 'year': …' in English)."""
    return "\n".join(f"- {p.text(lang)}" for p in problems)


def preview_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many rows of a ``preview()`` would be added, changed or stay unchanged."""
    counts = frame["action"].value_counts() if "action" in frame.columns else {}
    return {
        "added": int(counts.get(ADDED, 0)),
        "changed": int(counts.get(CHANGED, 0)),
        "same": int(counts.get(UNCHANGED, 0)),
    }


def preview_for_display(frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``preview()`` with the action in words and the added columns named for people, in ``lang``."""
    out = frame.copy()
    out["action"] = [t(f"importer.action.{key_part(a)}", lang) for a in out["action"]]
    return out.rename(
        columns={c: t(f"importer.preview.{c}", lang) for c in ("row", "old_value", "action", "changed_fields")}
    )
