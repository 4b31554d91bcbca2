"""The whole working state out: its tables, as one workbook or as a zip of data/-format CSV files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping

import pandas as pd
import yaml

from core.base.cells import neutralise_formula
from core.base.i18n import Msg
from core.base.rules import subgoal_sort_key
from core.io.exporter.tables import (
    ALL_FILES,
    CONCLUSION_COLUMNS,
    CONCLUSIONS_FILE,
    EVALUATION_COLUMNS,
    EVALUATIONS_FILE,
    EVENT_COLUMNS,
    EVENTS_FILE,
    FILE_COLUMNS,
    MAX_XLSX_CELL,
    NUMERIC_COLUMNS,
    SHEETS,
    BackupError,
    _csv_bytes,
    _frame,
    _meta_frame,
    _meta_from_frame,
    cell_text,
    xlsx_escape,
)
from core.io.sotkanet.fetch import attribution, is_fetched
from core.plan.loader import PLAN_META_FILE
from core.plan.model import Plan
from core.store import Store

ATTRIBUTION_SHEET = "lahde"  # workbook sheet and zip file with THL's licence when fetched values are in it
ATTRIBUTION_FILE = "LAHDE.txt"


def _natural(text: object) -> list[tuple[int, int, str]]:
    """Sort key where 'e2' comes before 'e10'."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", str(text))]


def export_tables(plan: Plan, store: Store) -> dict[str, pd.DataFrame]:
    """Every file of the export of one plan as a DataFrame of CSV text cells: the plan's own rows,
    measures, evaluations and events, the shared catalogue and every indicator value."""
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
    ms = store.measures(include_deleted=False, plan_id=plan.plan_id)
    actor_order = {a.actor_id: i for i, a in enumerate(plan.actors)}
    if not ms.empty:
        ms = ms.assign(
            _a=ms["actor_id"].map(actor_order).fillna(len(actor_order)),
            _s=ms["subgoal_id"].map(subgoal_sort_key),
        ).sort_values(["_a", "actor_id", "_s", "seq"], kind="stable")
    tables["measures.csv"] = _store_frame(ms, FILE_COLUMNS["measures.csv"])
    ev = store.evaluations(plan_id=plan.plan_id).sort_values(["measure_id", "year"], kind="stable")
    tables[EVALUATIONS_FILE] = _store_frame(ev, EVALUATION_COLUMNS)
    evs = store.events(include_deleted=False, plan_id=plan.plan_id)
    if not evs.empty:
        evs = evs.iloc[sorted(range(len(evs)), key=lambda i: _natural(evs["event_id"].iloc[i]))]
    tables[EVENTS_FILE] = _store_frame(evs, EVENT_COLUMNS)
    tables[CONCLUSIONS_FILE] = _store_frame(store.conclusions(), CONCLUSION_COLUMNS)
    return {name: tables[name] for name in ALL_FILES}


def _store_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Store rows as text cells in the given columns."""
    rows = [[cell_text(r.get(c)) for c in columns] for r in frame.to_dict("records")]
    return _frame(rows, columns)


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
    licence = sotkanet_attribution(tables)
    if licence:  # a sheet the backup reader does not know is left alone, so the workbook still restores
        ws = wb.create_sheet(ATTRIBUTION_SHEET)
        ws.append([licence])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def sotkanet_attribution(tables: Mapping[str, pd.DataFrame]) -> str:
    """THL's licence and attribution when the observations hold values fetched from Sotkanet, else ''."""
    observations = tables.get("observations.csv")
    if observations is None or "note" not in observations.columns:
        return ""
    return attribution("fi") if any(is_fetched(n) for n in observations["note"]) else ""


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
        licence = sotkanet_attribution(tables)
        if licence:  # the backup reader reads only the data/ files, so this one does not stop a restore
            zf.writestr(ATTRIBUTION_FILE, (licence + "\n").encode("utf-8"))
    return out.getvalue()


def export_csv_zip(plan: Plan, store: Store) -> bytes:
    """The whole working state as a zip of data/-format CSV files plus plan.yaml, evaluations.csv, events.csv."""
    return tables_to_zip(export_tables(plan, store))
