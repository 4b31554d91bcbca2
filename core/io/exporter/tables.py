"""The backup's files, columns and limits, ``BackupError``, and cells as text: the CSV text, the .xlsx escapes and plan.yaml's key / value rows that writing and reading share."""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
import typing
from collections.abc import Mapping
from datetime import datetime
from enum import Enum

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel

from core.base.cells import neutralise_formula
from core.base.i18n import DEFAULT_LANG, Msg, t
from core.plan.loader import CSV_FILES, PLAN_META_FILE, columns_of

MAX_BACKUP_BYTES = 100 * 1024 * 1024  # an imported backup file (.xlsx or .zip)
MAX_UNZIPPED_BYTES = 300 * 1024 * 1024  # total size of a zip's files once unpacked
MAX_ZIP_MEMBERS = 1000
MAX_XLSX_CELL = 32_767  # Excel's limit for one cell's text
YEAR_MIN, YEAR_MAX = 1990, 2100

EVALUATIONS_FILE = "evaluations.csv"
EVENTS_FILE = "events.csv"
CONCLUSIONS_FILE = "conclusions.csv"  # the final evaluations' conclusions (per plan and scope)
EVALUATION_COLUMNS = ["measure_id", "year", "rating", "comment", "evaluator", "evaluated_on"]
EVENT_COLUMNS = ["event_id", "title", "months", "owner", "description"]
CONCLUSION_COLUMNS = ["plan_id", "scope", "worked", "did_not_work", "carry_on"]
PLAN_COLUMNS = ["key", "value"]

# file name → columns, in the order of the workbook's sheets (after 'plan')
FILE_COLUMNS: dict[str, list[str]] = {
    **{name: columns_of(model) for name, model in CSV_FILES.items()},
    EVALUATIONS_FILE: EVALUATION_COLUMNS,
    EVENTS_FILE: EVENT_COLUMNS,
    CONCLUSIONS_FILE: CONCLUSION_COLUMNS,
}
ALL_FILES: list[str] = [PLAN_META_FILE, *FILE_COLUMNS]
SHEETS: dict[str, str] = {"plan": PLAN_META_FILE, **{name.removesuffix(".csv"): name for name in FILE_COLUMNS}}
OPTIONAL_FILES = (EVALUATIONS_FILE, EVENTS_FILE, CONCLUSIONS_FILE)  # a plain data/ folder has none of them
REQUIRED_EXTRA_COLUMNS = {
    EVALUATIONS_FILE: ("measure_id", "year"),
    EVENTS_FILE: ("event_id", "title", "months"),
    CONCLUSIONS_FILE: ("plan_id", "scope"),
}
STORE_FILES = (
    "observations.csv",
    "measures.csv",
    EVALUATIONS_FILE,
    EVENTS_FILE,
    CONCLUSIONS_FILE,
)  # these come from the store


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
    CONCLUSIONS_FILE: set(),
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


_XLSX_ESCAPE_RE = re.compile("_(?=x[0-9A-Fa-f]{4})|[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff]")
_UNESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def xlsx_escape(text: str) -> str:
    """Text an .xlsx can hold: control characters and CR as _xHHHH_, an '_' before 'xHHHH' as '_x005F_'."""
    return _XLSX_ESCAPE_RE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)


def xlsx_unescape(text: str) -> str:
    """Undo ``xlsx_escape`` (and Excel's own _xHHHH_ escapes)."""
    return _UNESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


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
