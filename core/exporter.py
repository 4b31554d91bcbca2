"""Export the whole working state (the plan's reference data and the store) and restore it again.

- ``export_workbook``: one .xlsx with one sheet per data/ file, in this order: ``plan`` (plan.yaml
  as key / value rows, each value written as YAML text), ``groups``, ``goals``, ``subgoals``,
  ``indicators``, ``series``, ``observations`` (from the store), ``subgoal_indicators``,
  ``actors``, ``measures`` (from the store, deleted ones left out, columns of
  ``core.loader.columns_of(Measure)``), ``evaluations`` and ``events`` (from the store).
- ``export_csv_zip``: a zip of the same tables as CSV files in exactly the data/ format (UTF-8,
  written with the csv module, ``\\n`` line ends, columns of ``core.loader.CSV_FILES``' models)
  plus plan.yaml, evaluations.csv and events.csv. Unzipped, it is a valid data/ folder.
- ``import_workbook`` / ``import_csv_zip``: back to ``{file name: DataFrame}`` where every cell
  is the text it has in the CSV files (both give identical tables for the same state).
- ``plan_from_tables`` validates them into a Plan (same checks as the data/ loader);
  ``restore_store`` fills an EMPTY store from them in one transaction.

Numbers are written to the workbook as numbers and text as text (never as formulas). A text
cell that a spreadsheet could run as a formula (starting with =, +, -, @, tab or CR) gets a
leading ``'`` in the workbook and in the CSV files (``core.cells.neutralise_formula``); reading
the app's own backup strips exactly that quote, and so does the data/ loader. Characters
that an .xlsx cannot hold (control characters, carriage returns) are written as Excel's
``_xHHHH_`` escapes and read back, so text survives the round trip unchanged.
Reading a workbook reads every row whatever its dimension record says, and refuses formula cells.
``csv_download`` / ``xlsx_download`` write any table for people (the Toimenpiteet downloads)
with the same formula neutralising; their .xlsx never fails on control characters.
Limits: ``MAX_BACKUP_BYTES`` for an imported file, ``MAX_UNZIPPED_BYTES`` for a zip's content.
A refusal is a ``BackupError`` whose problems are ``core.i18n.Msg``s (keys ``exporter.*``, and the
loader's own ``loader.*``):
Finnish text as strings, any language through ``text(lang)``.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
import typing
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel

from core.cells import neutralise_formula, restore_formula, xlsx_display_text
from core.i18n import DEFAULT_LANG, Msg, t
from core.loader import (
    CSV_FILES,
    PLAN_META_FILE,
    DataProblem,
    check_references,
    columns_of,
    plan_from_rows,
    read_csv_rows,
)
from core.model import Plan
from core.rules import subgoal_sort_key
from core.storage import (
    Editor,
    InvalidEdit,
    Store,
    clean_evaluation_values,
    clean_event_values,
)

MAX_BACKUP_BYTES = 100 * 1024 * 1024  # an imported backup file (.xlsx or .zip)
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # total size of a zip's files once unpacked
MAX_ZIP_MEMBERS = 1000
MAX_XLSX_CELL = 32_767  # Excel's limit for one cell's text
YEAR_MIN, YEAR_MAX = 1990, 2100
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

EVALUATIONS_FILE = "evaluations.csv"
EVENTS_FILE = "events.csv"
EVALUATION_COLUMNS = ["measure_id", "year", "rating", "comment", "evaluator", "evaluated_on"]
EVENT_COLUMNS = ["event_id", "title", "months", "owner", "description"]
PLAN_COLUMNS = ["key", "value"]

# file name → columns, in the order of the workbook's sheets (after 'plan')
FILE_COLUMNS: dict[str, list[str]] = {
    **{name: columns_of(model) for name, model in CSV_FILES.items()},
    EVALUATIONS_FILE: EVALUATION_COLUMNS,
    EVENTS_FILE: EVENT_COLUMNS,
}
ALL_FILES: list[str] = [PLAN_META_FILE, *FILE_COLUMNS]
SHEETS: dict[str, str] = {"plan": PLAN_META_FILE, **{name.removesuffix(".csv"): name for name in FILE_COLUMNS}}
OPTIONAL_FILES = (EVALUATIONS_FILE, EVENTS_FILE)  # a plain data/ folder has neither
REQUIRED_EXTRA_COLUMNS = {EVALUATIONS_FILE: ("measure_id", "year"), EVENTS_FILE: ("event_id", "title", "months")}
STORE_FILES = ("observations.csv", "measures.csv", EVALUATIONS_FILE, EVENTS_FILE)  # these come from the store


class BackupError(ValueError):
    """A backup that cannot be read or restored; ``problems`` are Messages, ``text(lang)`` lists them."""

    MAX_LISTED = 50

    def __init__(self, problems: list[Msg] | Msg):
        self.problems: list[Msg] = [problems] if isinstance(problems, Msg) else list(problems)
        super().__init__(self.text())

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The refusal and its problems (the first 50) in ``lang``."""
        lines = [t("exporter.refused", lang), *(f"- {p.text(lang)}" for p in self.problems[: self.MAX_LISTED])]
        if len(self.problems) > self.MAX_LISTED:
            lines.append(t("exporter.more", lang, n=len(self.problems) - self.MAX_LISTED))
        return "\n".join(lines)


def _where(place: str | Msg, row: int | None = None, column: str | None = None, key: str | None = None) -> str | Msg:
    """Where a problem is: a file or sheet, then its row, column or plan.yaml key ("groups.csv, rivi 3")."""
    where = place
    if row is not None:
        where = Msg("exporter.where.row", where=where, row=row)
    if column:
        where = Msg("exporter.where.column", where=where, column=column)
    if key:
        where = Msg("exporter.where.key", where=where, key=key)
    return where


def _problem(where: str | Msg, problem: str | Msg) -> Msg:
    """A problem line: "<where>: <problem>"."""
    return Msg("exporter.problem", where=where, problem=problem)


# ------------------------------------------------------------------------------------------
# Cells as text


def _numeric_fields(model: type[BaseModel]) -> set[str]:
    """The fields of a row model that hold numbers (written to Excel as numbers)."""
    out = set()
    for name, fld in model.model_fields.items():
        args = typing.get_args(fld.annotation) or (fld.annotation,)
        if bool not in args and any(a in (int, float) for a in args):
            out.add(name)
    return out


NUMERIC_COLUMNS: dict[str, set[str]] = {
    **{name: _numeric_fields(model) for name, model in CSV_FILES.items()},
    EVALUATIONS_FILE: {"year", "rating"},
    EVENTS_FILE: set(),
    PLAN_META_FILE: set(),
}


def cell_text(value: object) -> str:
    """A value as it is written in the data/ CSV files ('' for empty, 'true'/'false', whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return ""
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def yaml_text(value: object) -> str:
    """One plan.yaml value as YAML text (a plain string stays as it is where YAML allows)."""
    text = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10**6)
    return text.removesuffix("\n...\n").rstrip("\n")


def _frame(rows: list[list[str]], columns: list[str]) -> pd.DataFrame:
    """A DataFrame of text cells."""
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _meta_frame(meta: Mapping[str, object]) -> pd.DataFrame:
    """plan.yaml's top-level keys as key / YAML-text rows."""
    return _frame([[str(k), yaml_text(v)] for k, v in meta.items()], PLAN_COLUMNS)


def _natural(text: object) -> list[tuple[int, int, str]]:
    """Sort key where 'e2' comes before 'e10'."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", str(text))]


# ------------------------------------------------------------------------------------------
# Export


def export_tables(plan: Plan, store: Store) -> dict[str, pd.DataFrame]:
    """Every file of the export as a DataFrame of CSV text cells (store data from the store)."""
    tables: dict[str, pd.DataFrame] = {PLAN_META_FILE: _meta_frame(plan.meta)}
    from_plan = {
        "groups.csv": plan.groups,
        "goals.csv": plan.goals,
        "subgoals.csv": plan.subgoals,
        "indicators.csv": plan.indicators,
        "series.csv": plan.series,
        "subgoal_indicators.csv": plan.subgoal_indicators,
        "actors.csv": plan.actors,
    }
    for name, cols in FILE_COLUMNS.items():
        if name in from_plan:
            tables[name] = _frame([[cell_text(getattr(m, c)) for c in cols] for m in from_plan[name]], cols)
    obs = store.observations().sort_values("id")
    tables["observations.csv"] = _store_frame(obs, FILE_COLUMNS["observations.csv"])
    ms = store.measures(include_deleted=False)
    actor_order = {a.actor_id: i for i, a in enumerate(plan.actors)}
    if not ms.empty:
        ms = ms.assign(
            _a=ms["actor_id"].map(actor_order).fillna(len(actor_order)),
            _s=ms["subgoal_id"].map(subgoal_sort_key),
        ).sort_values(["_a", "actor_id", "_s", "seq"], kind="stable")
    tables["measures.csv"] = _store_frame(ms, FILE_COLUMNS["measures.csv"])
    ev = store.evaluations().sort_values(["measure_id", "year"], kind="stable")
    tables[EVALUATIONS_FILE] = _store_frame(ev, EVALUATION_COLUMNS)
    evs = store.events(include_deleted=False)
    if not evs.empty:
        evs = evs.iloc[sorted(range(len(evs)), key=lambda i: _natural(evs["event_id"].iloc[i]))]
    tables[EVENTS_FILE] = _store_frame(evs, EVENT_COLUMNS)
    return {name: tables[name] for name in ALL_FILES}


def _store_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Store rows as text cells in the given columns."""
    rows = [[cell_text(r.get(c)) for c in columns] for r in frame.to_dict("records")]
    return _frame(rows, columns)


_XLSX_ESCAPE_RE = re.compile("_(?=x[0-9A-Fa-f]{4})|[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")
_UNESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_escape(text: str) -> str:
    """Text an .xlsx can hold: control characters and CR as _xHHHH_, an '_' before 'xHHHH' as '_x005F_'."""
    return _XLSX_ESCAPE_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def xlsx_unescape(text: str) -> str:
    """Undo ``xlsx_escape`` (and Excel's own _xHHHH_ escapes)."""
    return _UNESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def tables_to_workbook(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Write export tables as an .xlsx (one sheet per file, numbers as numbers, text never as formulas)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet, name in SHEETS.items():
        frame = tables[name]
        columns = [str(c) for c in frame.columns]
        numeric = NUMERIC_COLUMNS.get(name, set())
        ws = wb.create_sheet(sheet)
        header = []
        for c in columns:
            cell = WriteOnlyCell(ws, value=c)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for line, rec in enumerate(frame.itertuples(index=False, name=None), start=2):
            row = []
            for col, raw in zip(columns, rec, strict=False):
                text = cell_text(raw)
                if text == "":
                    row.append(None)
                elif col in numeric and re.fullmatch(r"-?\d+", text):
                    row.append(int(text))
                elif col in numeric:
                    try:
                        row.append(float(text))
                    except ValueError:
                        row.append(_text_cell(ws, text, sheet, line, col))
                else:
                    row.append(_text_cell(ws, text, sheet, line, col))
            ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _text_cell(ws: object, text: str, sheet: str, line: int, col: str) -> object:
    """A text cell that Excel shows as text (escaped, never a formula); BackupError if too long."""
    from openpyxl.cell import WriteOnlyCell

    escaped = xlsx_escape(str(neutralise_formula(text)))
    if len(escaped) > MAX_XLSX_CELL:
        raise BackupError(
            Msg("exporter.cell_too_long", sheet=sheet, row=line, column=col, count=len(escaped), limit=MAX_XLSX_CELL)
        )
    cell = WriteOnlyCell(ws, value=escaped)  # type: ignore[arg-type]
    cell.data_type = "s"  # text starting with '=' stays text, never a formula
    return cell


def export_workbook(plan: Plan, store: Store) -> bytes:
    """The whole working state as one .xlsx, one sheet per data/ file (see the module docstring)."""
    return tables_to_workbook(export_tables(plan, store))


def _csv_text(rows: typing.Iterable[list[str]]) -> str:
    """CSV text with '\\n' line ends and minimal quoting; a row with a lone CR is quoted whole, since the csv
    module quotes only the line terminator's characters and a bare CR would end the record when read back."""
    buf = io.StringIO()
    minimal = csv.writer(buf, lineterminator="\n")
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in rows:
        (quoted if any("\r" in c for c in row) else minimal).writerow(row)
    return buf.getvalue()


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as data/-format CSV bytes (UTF-8, '\\n' line ends, minimal quoting, formulas quoted)."""
    rows = ([str(neutralise_formula(cell_text(v))) for v in rec] for rec in frame.itertuples(index=False, name=None))
    return _csv_text(itertools.chain([[str(c) for c in frame.columns]], rows)).encode("utf-8")


def _meta_from_frame(frame: pd.DataFrame, problems: list[Msg]) -> dict:
    """The key / YAML-text rows back to the plan.yaml mapping; problems are appended."""
    meta: dict = {}
    for line, r in enumerate(frame.to_dict("records"), start=2):
        key = cell_text(r.get("key")).strip()
        if not key:
            problems.append(_problem(_where(PLAN_META_FILE, line), Msg("exporter.meta.key_missing")))
            continue
        if key in meta:
            problems.append(_problem(_where(PLAN_META_FILE, line), Msg("exporter.meta.key_twice", key=key)))
            continue
        try:
            meta[key] = yaml.safe_load(cell_text(r.get("value")))
        except (RecursionError, ValueError) as exc:  # nested too deep, a number too long
            problems.append(
                _problem(_where(PLAN_META_FILE, line, key=key), Msg("exporter.meta.not_yaml", error=type(exc).__name__))
            )
        except yaml.YAMLError as exc:
            problems.append(
                _problem(_where(PLAN_META_FILE, line, key=key), Msg("exporter.meta.not_yaml", error=str(exc)))
            )
    return meta


def tables_to_zip(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """Write export tables as a zip of plan.yaml and data/-format CSV files."""
    problems: list[Msg] = []
    meta = _meta_from_frame(tables[PLAN_META_FILE], problems)
    if problems:
        raise BackupError(problems)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            PLAN_META_FILE, yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")
        )
        for name in FILE_COLUMNS:
            zf.writestr(name, _csv_bytes(tables[name]))
    return out.getvalue()


def export_csv_zip(plan: Plan, store: Store) -> bytes:
    """The whole working state as a zip of data/-format CSV files plus plan.yaml, evaluations.csv, events.csv."""
    return tables_to_zip(export_tables(plan, store))


# ------------------------------------------------------------------------------------------
# Downloads for people (any table)


def csv_download(frame: pd.DataFrame) -> bytes:
    """A table as CSV for a spreadsheet (UTF-8 with BOM), text cells that could run as formulas quoted."""
    rows = ([str(neutralise_formula(cell_text(v))) for v in rec] for rec in frame.itertuples(index=False, name=None))
    return _csv_text(itertools.chain([[str(c) for c in frame.columns]], rows)).encode("utf-8-sig")


def xlsx_download(frame: pd.DataFrame, sheet: str) -> bytes:
    """A table as an .xlsx: numbers as numbers, text always as text (quoted if it could run as a formula,
    control characters cleaned), so writing it never fails on what a user typed or pasted."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    bold = Font(bold=True)
    header = []
    for c in frame.columns:
        cell = WriteOnlyCell(ws, value=xlsx_display_text(str(c)))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for rec in frame.itertuples(index=False, name=None):
        row: list[object] = []
        for value in rec:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                row.append(None)
            elif isinstance(value, (bool, np.bool_, int, np.integer, float, np.floating)):
                row.append(value.item() if isinstance(value, np.generic) else value)
            else:
                text = str(neutralise_formula(xlsx_display_text(cell_text(value))))[:MAX_XLSX_CELL]
                cell = WriteOnlyCell(ws, value=text)  # type: ignore[arg-type]
                cell.data_type = "s"  # never a formula
                row.append(cell)
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------------------------------
# Import


def _check_size(content: bytes) -> None:
    """Refuse an empty or too large backup file."""
    if not content:
        raise BackupError(Msg("exporter.file.empty"))
    if len(content) > MAX_BACKUP_BYTES:
        raise BackupError(
            Msg("exporter.file.too_large", size=len(content) / 1024 / 1024, max=MAX_BACKUP_BYTES // 1024 // 1024)
        )


def _rows_to_frame(
    rows: list[list[str]], where: str | Msg, problems: list[Msg], first_line: int = 1
) -> pd.DataFrame | None:
    """Header + body rows (text) → DataFrame; blank rows dropped, short rows padded."""
    if not rows or all(c.strip() == "" for c in rows[0]):
        problems.append(_problem(where, Msg("exporter.table.no_header")))
        return None
    header = [c.replace("\ufeff", "").strip() for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    body: list[list[str]] = []
    for n, cells in enumerate(rows[1:], start=first_line + 1):
        if all(c.strip() == "" for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(_problem(_where(where, n), Msg("exporter.table.extra_cells")))
            continue
        cells = cells[: len(header)]
        body.append(cells + [""] * (len(header) - len(cells)))
    return _frame(body, header)


def _check_columns(tables: dict[str, pd.DataFrame], problems: list[Msg]) -> None:
    """Every table's columns are known and the required ones are there."""
    for name, frame in tables.items():
        header = [str(c) for c in frame.columns]
        if len(set(header)) != len(header):
            problems.append(_problem(name, Msg("exporter.table.repeated_column")))
        if name == PLAN_META_FILE:
            expected, required = PLAN_COLUMNS, tuple(PLAN_COLUMNS)
        elif name in CSV_FILES:
            model = CSV_FILES[name]
            expected = FILE_COLUMNS[name]
            required = tuple(n for n, f in model.model_fields.items() if f.is_required())
        else:
            expected, required = FILE_COLUMNS[name], REQUIRED_EXTRA_COLUMNS[name]
        for col in required:
            if col not in header:
                problems.append(_problem(name, Msg("exporter.table.required_column", column=col)))
        for col in header:
            if col not in expected:
                problems.append(
                    _problem(name, Msg("exporter.table.unknown_column", column=col, allowed=", ".join(expected)))
                )


def _xlsx_value_text(value: object) -> str:
    """A workbook cell as CSV text (escapes and the formula quote undone)."""
    if isinstance(value, str):
        return str(restore_formula(xlsx_unescape(value)))
    return cell_text(value)


def _sheet_rows(ws: object, sheet: str, problems: list[Msg]) -> list[list[str]]:
    """Every row of a read-only sheet as text, to its real end; a formula cell is a problem, never empty text."""
    ws.reset_dimensions()  # type: ignore[attr-defined]  # a stale dimension record would cut rows and columns
    rows: list[list[str]] = []
    for line, cells in enumerate(ws.iter_rows(), start=1):  # type: ignore[attr-defined]
        row = []
        for cell in cells:
            if getattr(cell, "data_type", None) == "f":
                column = getattr(cell, "column_letter", "?")
                problems.append(Msg("exporter.xlsx.formula", sheet=sheet, row=line, column=column))
                row.append("")
            else:
                row.append(_xlsx_value_text(cell.value))
        rows.append(row)
    return rows


def import_workbook(content: bytes) -> dict[str, pd.DataFrame]:
    """Read a workbook written by ``export_workbook`` back to ``{file name: DataFrame of text}``; BackupError if invalid."""
    from openpyxl import load_workbook

    _check_size(content)
    if not content.startswith(b"PK\x03\x04"):
        raise BackupError(Msg("exporter.xlsx.not_xlsx"))
    try:
        # data_only=False: a formula cell is seen as one (its cached value may be missing, read as empty)
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise BackupError(Msg("exporter.xlsx.cannot_open", error=type(exc).__name__)) from exc
    problems: list[Msg] = []
    tables: dict[str, pd.DataFrame] = {}
    try:
        for sheet, name in SHEETS.items():
            if sheet not in wb.sheetnames:
                if name in OPTIONAL_FILES:
                    tables[name] = _frame([], FILE_COLUMNS[name])
                else:
                    problems.append(Msg("exporter.xlsx.sheet_missing", sheet=sheet, file=name))
                continue
            try:
                rows = _sheet_rows(wb[sheet], sheet, problems)
            except XLSX_READ_ERRORS as exc:  # a cell openpyxl cannot read (e.g. a number of 5,000 digits)
                problems.append(Msg("exporter.xlsx.sheet_unreadable", sheet=sheet, error=type(exc).__name__))
                continue
            frame = _rows_to_frame(rows, Msg("exporter.xlsx.sheet", sheet=sheet), problems)
            if frame is not None:
                tables[name] = frame
    finally:
        wb.close()
    _check_columns(tables, problems)
    if problems:
        raise BackupError(problems)
    return {name: tables[name] for name in ALL_FILES}


def import_csv_zip(content: bytes) -> dict[str, pd.DataFrame]:
    """Read a zip written by ``export_csv_zip`` (or a zipped data/ folder) to ``{file name: DataFrame of text}``."""
    _check_size(content)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise BackupError(Msg("exporter.zip.not_zip")) from exc
    problems: list[Msg] = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise BackupError(Msg("exporter.zip.too_many", n=len(infos), max=MAX_ZIP_MEMBERS))
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
            raise BackupError(Msg("exporter.zip.too_large", max=MAX_UNZIPPED_BYTES // 1024 // 1024))
        by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            base = info.filename.rsplit("/", 1)[-1]
            if base in ALL_FILES:
                by_name.setdefault(base, []).append(info)
        tables: dict[str, pd.DataFrame] = {}
        for name in ALL_FILES:
            found = by_name.get(name, [])
            if not found:
                if name in OPTIONAL_FILES:
                    tables[name] = _frame([], FILE_COLUMNS[name])
                else:
                    problems.append(Msg("exporter.zip.file_missing", file=name))
                continue
            if len(found) > 1:
                problems.append(Msg("exporter.zip.repeated", file=name, names=", ".join(i.filename for i in found)))
                continue
            try:
                text = zf.read(found[0]).decode("utf-8-sig")
            except UnicodeDecodeError:
                problems.append(_problem(name, Msg("exporter.zip.not_utf8")))
                continue
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                problems.append(_problem(name, Msg("exporter.zip.cannot_unpack", error=type(exc).__name__)))
                continue
            if name == PLAN_META_FILE:
                try:
                    meta = yaml.safe_load(text)
                except (RecursionError, ValueError) as exc:  # nested too deep, a number too long
                    problems.append(_problem(name, Msg("exporter.zip.not_yaml", error=type(exc).__name__)))
                    continue
                except yaml.YAMLError as exc:
                    problems.append(_problem(name, Msg("exporter.zip.not_yaml", error=str(exc))))
                    continue
                if not isinstance(meta, dict):
                    problems.append(_problem(name, Msg("exporter.zip.not_mapping")))
                    continue
                tables[name] = _meta_frame(meta)
                continue
            try:
                rows = list(csv.reader(io.StringIO(text, newline="")))
            except csv.Error as exc:
                problems.append(_problem(name, Msg("exporter.zip.bad_csv", error=str(exc))))
                continue
            rows = [[str(restore_formula(c)) for c in cells] for cells in rows]
            frame = _rows_to_frame(rows, name, problems)
            if frame is not None:
                tables[name] = frame
    _check_columns(tables, problems)
    if problems:
        raise BackupError(problems)
    return {name: tables[name] for name in ALL_FILES}


def read_backup(content: bytes, filename: str) -> dict[str, pd.DataFrame]:
    """``import_workbook`` for .xlsx, ``import_csv_zip`` for .zip; BackupError for anything else."""
    lower = (filename or "").lower()
    if lower.endswith(".xlsx"):
        return import_workbook(content)
    if lower.endswith(".zip"):
        return import_csv_zip(content)
    raise BackupError(Msg("exporter.backup_type"))


# ------------------------------------------------------------------------------------------
# Restore


def _loader_problem(p: DataProblem) -> Msg:
    """A data/ loader problem (its own catalogue message) as a problem line."""
    return _problem(_where(p.file, p.row, p.column), p.problem)


def _frame_csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV text for the data/ loader."""
    return _csv_bytes(frame).decode("utf-8")


def plan_from_tables(tables: Mapping[str, pd.DataFrame]) -> Plan:
    """Validate imported tables like the data/ loader does and return the Plan; BackupError lists every problem."""
    problems: list[Msg] = []
    missing = [name for name in ALL_FILES if name not in tables and name not in OPTIONAL_FILES]
    if missing:
        raise BackupError([Msg("exporter.file.missing", file=name) for name in missing])
    meta = _meta_from_frame(tables[PLAN_META_FILE], problems)
    for key in ("name", "period_start", "period_end", "region"):
        if key not in meta:
            problems.append(_problem(PLAN_META_FILE, Msg("exporter.meta.required_key", key=key)))
    data_problems: list[DataProblem] = []
    rows: dict[str, list[tuple[int, BaseModel]]] = {}
    for name, model in CSV_FILES.items():
        rows[name] = read_csv_rows(_frame_csv_text(tables[name]), name, model, data_problems)
    check_references(rows, data_problems)
    problems += [_loader_problem(p) for p in data_problems]
    if problems:
        raise BackupError(problems)
    return plan_from_rows(meta, rows)


def _clean_evaluations(frame: pd.DataFrame, measure_ids: set[str], problems: list[Msg]) -> list[dict]:
    """Check evaluations.csv rows with the store's own rules."""
    out: list[dict] = []
    seen: dict[tuple[str, int], int] = {}
    for line, r in enumerate(frame.to_dict("records"), start=2):
        measure_id = cell_text(r.get("measure_id")).strip()
        if measure_id not in measure_ids:
            problems.append(
                _problem(
                    _where(EVALUATIONS_FILE, line, "measure_id"),
                    Msg("exporter.evaluation.unknown_measure", id=measure_id),
                )
            )
            continue
        year_text = cell_text(r.get("year")).strip()
        if not re.fullmatch(r"\d{4}", year_text) or not YEAR_MIN <= int(year_text) <= YEAR_MAX:
            problems.append(
                _problem(
                    _where(EVALUATIONS_FILE, line, "year"),
                    Msg("exporter.evaluation.year", min=YEAR_MIN, max=YEAR_MAX, value=year_text),
                )
            )
            continue
        try:
            clean = clean_evaluation_values(
                {c: cell_text(r.get(c)) for c in ("rating", "comment", "evaluator", "evaluated_on")}
            )
        except InvalidEdit as exc:
            problems.append(_problem(_where(EVALUATIONS_FILE, line, exc.field), exc.message))
            continue
        key = (measure_id, int(year_text))
        if key in seen:
            problems.append(
                _problem(
                    _where(EVALUATIONS_FILE, line),
                    Msg("exporter.evaluation.repeated", id=measure_id, year=year_text, row=seen[key]),
                )
            )
            continue
        seen[key] = line
        out.append({"measure_id": measure_id, "year": int(year_text), **clean})
    return out


def _clean_events(frame: pd.DataFrame, problems: list[Msg]) -> list[dict]:
    """Check events.csv rows with the store's own rules."""
    out: list[dict] = []
    seen: dict[str, int] = {}
    for line, r in enumerate(frame.to_dict("records"), start=2):
        event_id = cell_text(r.get("event_id")).strip()
        if not event_id or len(event_id) > 80:
            problems.append(_problem(_where(EVENTS_FILE, line, "event_id"), Msg("exporter.event.bad_id")))
            continue
        if event_id in seen:
            problems.append(
                _problem(
                    _where(EVENTS_FILE, line, "event_id"),
                    Msg("exporter.event.repeated_id", id=event_id, row=seen[event_id]),
                )
            )
            continue
        try:
            clean = clean_event_values({c: cell_text(r.get(c)) for c in ("title", "months", "owner", "description")})
        except InvalidEdit as exc:
            problems.append(_problem(_where(EVENTS_FILE, line, exc.field), exc.message))
            continue
        seen[event_id] = line
        out.append({"event_id": event_id, **clean})
    return out


def restore_store(tables: Mapping[str, pd.DataFrame], url: str = "sqlite://", editor: Editor | None = None) -> Store:
    """Fill an EMPTY store at ``url`` from imported tables in one transaction; BackupError if anything is invalid.

    Measures keep their follow-up fields exactly (no schedule parsing); the store is marked seeded
    so it is not seeded again from data/. Use ``plan_from_tables`` for the matching Plan.
    """
    plan = plan_from_tables(tables)
    problems: list[Msg] = []
    measure_ids = {m.measure_id for m in plan.measures}
    empty_ev = _frame([], EVALUATION_COLUMNS)
    empty_events = _frame([], EVENT_COLUMNS)
    eval_rows = _clean_evaluations(tables.get(EVALUATIONS_FILE, empty_ev), measure_ids, problems)
    event_rows = _clean_events(tables.get(EVENTS_FILE, empty_events), problems)
    if problems:
        raise BackupError(problems)
    who = editor or Editor("Palautus varmuuskopiosta")
    store = Store.open(url)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    stamp = {"version": 1, "updated_at": now, "updated_by": who.name}
    with store.transaction() as uow:
        if not uow.is_empty():
            raise BackupError(Msg("exporter.restore.not_empty"))
        measure_rows = [{**m.model_dump(mode="json"), "deleted": False, **stamp} for m in plan.measures]
        uow.insert_measures(measure_rows)
        obs_rows = [{**o.model_dump(), **stamp} for o in plan.observations]
        uow.insert_observations(obs_rows)
        uow.insert_evaluations([{**r, **stamp} for r in eval_rows])
        uow.insert_events([{**r, "deleted": False, **stamp} for r in event_rows])
        uow.mark_seeded(now)
        counts = {
            "measures": len(measure_rows),
            "observations": len(obs_rows),
            "evaluations": len(eval_rows),
            "events": len(event_rows),
        }
        uow.record("store", "*", "*", None, json.dumps(counts), "restore", who, now)
    return store
