"""Restoring a backup: its tables validated like data/ and written into an EMPTY store in one transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
from pydantic import BaseModel

from core.base.i18n import Msg
from core.io.exporter.tables import (
    ALL_FILES,
    CONCLUSION_COLUMNS,
    CONCLUSIONS_FILE,
    EVALUATION_COLUMNS,
    EVALUATIONS_FILE,
    EVENT_COLUMNS,
    EVENTS_FILE,
    OPTIONAL_FILES,
    YEAR_MAX,
    YEAR_MIN,
    BackupError,
    _csv_bytes,
    _frame,
    _meta_from_frame,
    _problem,
    _where,
    cell_text,
)
from core.plan.loader import CSV_FILES, PLAN_META_FILE, DataProblem, check_references, plan_from_rows, read_csv_rows
from core.plan.model import Plan, region_area_of
from core.plan.validation import clean_conclusion_values, clean_evaluation_values, clean_event_values
from core.store import Editor, InvalidEdit, Store


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
    check_references(rows, data_problems, region_area_of(meta))
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


def _clean_conclusions(frame: pd.DataFrame, problems: list[Msg]) -> list[dict]:
    """Check conclusions.csv rows with the store's own rules (plan and scope given, once each; texts ≤ 4 000)."""
    out: list[dict] = []
    seen: dict[tuple[str, str], int] = {}
    for line, r in enumerate(frame.to_dict("records"), start=2):
        key = (cell_text(r.get("plan_id")).strip(), cell_text(r.get("scope")).strip())
        for col, value, limit in (("plan_id", key[0], 80), ("scope", key[1], 20)):
            if not value or len(value) > limit:
                problems.append(_problem(_where(CONCLUSIONS_FILE, line, col), Msg("exporter.conclusion.bad_key")))
        if not all(key) or len(key[0]) > 80 or len(key[1]) > 20:
            continue
        if key in seen:
            problems.append(
                _problem(_where(CONCLUSIONS_FILE, line), Msg("exporter.conclusion.repeated", row=seen[key]))
            )
            continue
        try:
            clean = clean_conclusion_values({c: cell_text(r.get(c)) for c in CONCLUSION_COLUMNS[2:]})
        except InvalidEdit as exc:
            problems.append(_problem(_where(CONCLUSIONS_FILE, line, exc.field), exc.message))
            continue
        seen[key] = line
        out.append({"plan_id": key[0], "scope": key[1], **clean})
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
    conclusion_rows = _clean_conclusions(tables.get(CONCLUSIONS_FILE, _frame([], CONCLUSION_COLUMNS)), problems)
    if problems:
        raise BackupError(problems)
    who = editor or Editor("Palautus varmuuskopiosta")
    store = Store.open(url)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    stamp = {"version": 1, "updated_at": now, "updated_by": who.name}
    with store.transaction() as uow:
        if not uow.is_empty():
            raise BackupError(Msg("exporter.restore.not_empty"))
        uow.insert_plan(plan, now, who.name)
        measure_rows = [{**m.model_dump(mode="json"), "deleted": False, **stamp} for m in plan.measures]
        uow.insert_measures(measure_rows, plan.plan_id)
        obs_rows = [{**o.model_dump(), **stamp} for o in plan.observations]
        uow.insert_observations(obs_rows)
        uow.insert_evaluations([{**r, **stamp} for r in eval_rows])
        uow.insert_events([{**r, "deleted": False, **stamp} for r in event_rows], plan.plan_id)
        uow.insert_conclusions([{**r, **stamp} for r in conclusion_rows])
        uow.mark_seeded(now)
        counts = {
            "measures": len(measure_rows),
            "observations": len(obs_rows),
            "evaluations": len(eval_rows),
            "events": len(event_rows),
            "conclusions": len(conclusion_rows),
        }
        uow.record("store", "*", "*", None, json.dumps(counts), "restore", who, now)
    store.seed(plan)  # seeded already: only remembers the backup's catalogue
    return store
