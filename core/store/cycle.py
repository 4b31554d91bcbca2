"""The yearly cycle in the store: observations (indicator values), the annual evaluations of
measures and the vuosikello events. Every write is checked (``core.plan.validation``), merged per
field with what others saved meanwhile and recorded (``core.store.writes``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection, Engine

from core.plan.validation import clean_evaluation_values, clean_event_values, lenient
from core.store.errors import Conflict, ConflictError, InvalidEdit, NotFound
from core.store.reads import frame, plan_query
from core.store.schema import evaluations, events, measures, observations
from core.store.writes import (
    Editor,
    Names,
    PlanGuard,
    insert_recorded,
    merge_update,
    require_editor,
    stored_same,
    today_in_finland,
    utc_now,
    versioned_update,
    write_retrying,
)

OBSERVATION_KEY = ("indicator_id", "series_id", "group_id", "area", "year")


@dataclass
class EventChange:
    """One vuosikello row to save: values None removes it; event_id None creates it.

    ``values`` are the changed fields, ``base`` what each started from (see ``MeasureEdit``).
    """

    event_id: str | None
    values: Mapping[str, object] | None
    expected_version: int | None = None
    base: Mapping[str, object] | None = None


@dataclass
class EvaluationChange:
    """One measure's evaluation for a year: the changed fields, what each started from, the version seen
    (None or 0: the editor saw none). ``fill`` gives values for fields still empty when saved (the
    evaluator and date by default), written without ever clashing."""

    measure_id: str
    year: int
    values: Mapping[str, object]
    expected_version: int | None = None
    base: Mapping[str, object] | None = None
    fill: Mapping[str, object] | None = None


def observation_id(row: Mapping) -> str:
    """An observation's id in conflicts: its key joined by '/'."""
    return "/".join(str(row[k]) for k in OBSERVATION_KEY)


def _first_month(months: object) -> int:
    """The first month of a stored "3,4" (13 for none: such an event goes last)."""
    head = str(months or "").split(",", 1)[0].strip()
    return int(head) if head.isdigit() else 13


def upsert_observation_rows(conn: Connection, rows: list[Mapping], editor: Editor, at: str) -> dict[str, int]:
    """Add or change observations by key in the transaction ``conn``; counts of added/changed/unchanged."""
    counts = {"added": 0, "changed": 0, "unchanged": 0}
    for r in rows:
        key = {k: r[k] for k in OBSERVATION_KEY}
        cond = and_(*[observations.c[k] == v for k, v in key.items()])
        cur = conn.execute(select(observations).where(cond)).mappings().first()
        vals = {k: r.get(k, "") for k in ("value", "value_as_printed", "flag", "note")}
        vals["value"] = float(r["value"])
        if cur is None:
            insert_recorded(
                conn,
                observations,
                {**key, **vals},
                {"value": vals["value"]},
                entity="observation",
                history_id=None,
                editor=editor,
                at=at,
            )
            counts["added"] += 1
            continue
        diff = {k: v for k, v in vals.items() if cur[k] != v and not (k != "value" and v in (None, ""))}
        if not diff:
            counts["unchanged"] += 1
            continue
        versioned_update(
            conn,
            observations,
            observations.c.id == cur["id"],
            cur,
            diff,
            entity="observation",
            history_id=str(cur["id"]),
            editor=editor,
            at=at,
        )
        counts["changed"] += 1
    return counts


class CycleMixin:
    """The Store's observations, evaluations and vuosikello events (``Store`` mixes this in)."""

    engine: Engine

    # observations ---------------------------------------------------------
    def observations(self) -> pd.DataFrame:
        """Every observation (seeded and added) as a DataFrame, in the order they were stored (id)."""
        return frame(self.engine, select(observations).order_by(observations.c.id), observations)

    def upsert_observations(self, rows: list[Mapping], editor: Editor | None) -> dict[str, int]:
        """Add or change observations by key (indicator, series, group, area, year) in one transaction.

        Rows must already be validated (see core.io.importer). Returns counts of added/changed/same.
        """
        editor = require_editor(editor)
        at = utc_now()
        keys = [observation_id(r) for r in rows]
        clash = lambda: ConflictError([Conflict("observation", k, 0, -1, {}, {}) for k in keys[:10]])  # noqa: E731
        return write_retrying(self.engine, lambda conn: upsert_observation_rows(conn, rows, editor, at), clash)

    # evaluations ----------------------------------------------------------
    def evaluations(self, year: int | None = None, plan_id: str | None = None) -> pd.DataFrame:
        """Annual evaluations of measures (optionally one year's, of one plan's measures), by year then measure."""
        q = select(evaluations).order_by(evaluations.c.year, evaluations.c.measure_id)
        if year is not None:
            q = q.where(evaluations.c.year == year)
        if plan_id is not None:
            q = q.where(
                evaluations.c.measure_id.in_(select(measures.c.measure_id).where(measures.c.plan_id == plan_id))
            )
        return frame(self.engine, q, evaluations)

    def save_evaluation(
        self,
        measure_id: str,
        year: int,
        values: Mapping[str, object],
        expected_version: int | None,
        editor: Editor | None,
    ) -> int:
        """Create (expected_version None) or update one measure's evaluation for a year; return version."""
        return self.save_evaluations([(measure_id, year, values, expected_version)], editor)[0]

    def save_evaluations(
        self,
        items: list[EvaluationChange | tuple[str, int, Mapping[str, object], int | None]],
        editor: Editor | None,
    ) -> list[int]:
        """Save several evaluations (``EvaluationChange``, or (measure, year, values, version seen)) in ONE transaction.

        Every row is checked first (InvalidEdit names the field); fields are merged per field with
        what others saved meanwhile; if someone else changed a field this evaluator changed,
        ConflictError lists all such fields and nothing is saved.
        """
        editor = require_editor(editor)
        changes_ = [i if isinstance(i, EvaluationChange) else EvaluationChange(*i) for i in items]
        cleaned = [
            (
                c,
                clean_evaluation_values(c.values),
                None if c.base is None else lenient(clean_evaluation_values, c.base),
                clean_evaluation_values(c.fill or {}),
            )
            for c in changes_
        ]
        at = utc_now()

        def write(conn: Connection) -> list[int]:
            versions: list[int] = []
            conflicts: list[Conflict] = []
            for change, clean, base, fill in cleaned:
                try:
                    versions.append(_save_evaluation(conn, change, clean, base, fill, editor, at))
                except ConflictError as exc:
                    conflicts += exc.conflicts
            if conflicts:
                raise ConflictError(conflicts)  # rolls the whole batch back
            return versions

        # Two first evaluations of one measure and year are the same row: the later INSERT clashes,
        # and the second try finds the row and merges into it per field (a conflict only where both
        # gave one field different values).
        def clash() -> ConflictError:
            creates = [c for c in cleaned if not c[0].expected_version] or cleaned
            return ConflictError(
                [
                    Conflict("evaluation", c.measure_id, c.expected_version or 0, -1, clean, {})
                    for c, clean, *_ in creates
                ]
            )

        return write_retrying(self.engine, write, clash, attempts=3)

    # vuosikello events ----------------------------------------------------
    def events(self, include_deleted: bool = False, plan_id: str | None = None) -> pd.DataFrame:
        """The annual clock's events (of one plan, or of every plan) in calendar order: by first month,
        then title, then id (the same on every database, so a row just saved stays where it was)."""
        q = plan_query(events, "event_id", plan_id, include_deleted)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings().all()]
        rows.sort(key=lambda r: (_first_month(r["months"]), str(r["title"]).casefold(), r["event_id"]))
        return pd.DataFrame(rows, columns=[c.name for c in events.columns])

    def save_event(
        self,
        event_id: str | None,
        values: Mapping[str, object],
        expected_version: int | None,
        editor: Editor | None,
        plan_id: str | None = None,
    ) -> str:
        """Create (event_id None, in ``plan_id`` or the default plan) or update a vuosikello event; return its id."""
        return self.save_events([EventChange(event_id, values, expected_version)], editor, plan_id=plan_id)[0]

    def delete_event(self, event_id: str, expected_version: int, editor: Editor | None) -> None:
        """Remove a vuosikello event (recoverable through history revert)."""
        self.save_events([EventChange(event_id, None, expected_version)], editor)

    def save_events(self, items: list[EventChange], editor: Editor | None, plan_id: str | None = None) -> list[str]:
        """Create, update and remove vuosikello events in ONE transaction; return their ids.

        New events belong to ``plan_id`` (default: the plan in force today, else the newest); an
        ended plan's events are read-only. Every row is checked first; changed fields are merged per
        field with what others saved meanwhile; if someone else changed a field this editor changed
        (or a row this editor removes), ConflictError lists all such rows and nothing is saved.
        """
        editor = require_editor(editor)
        cleaned = [(i, None if i.values is None else clean_event_values(i.values)) for i in items]
        bases = [None if i.base is None else lenient(clean_event_values, i.base) for i in items]
        at = utc_now()
        if plan_id is None and any(i.event_id is None for i in items):
            plan_id = self.default_plan_id(today_in_finland())

        def write(conn: Connection) -> list[str]:
            ids: list[str] = []
            conflicts: list[Conflict] = []
            guard = PlanGuard(conn)
            for (item, clean), base in zip(cleaned, bases, strict=True):
                try:
                    ids.append(
                        _save_event(conn, item.event_id, clean, item.expected_version, editor, at, guard, plan_id, base)
                    )
                except ConflictError as exc:
                    conflicts += exc.conflicts
            if conflicts:
                raise ConflictError(conflicts)  # rolls the whole batch back
            return ids

        def clash() -> ConflictError:  # new ids kept clashing with other writers' (practically never)
            return ConflictError(
                [
                    Conflict("event", str((c or {}).get("title", "")), 0, -1, c or {}, {})
                    for i, c in cleaned
                    if i.event_id is None
                ]
            )

        return write_retrying(self.engine, write, clash)


def _save_evaluation(
    conn: Connection,
    change: EvaluationChange,
    clean: dict,
    base: dict | None,
    fill: dict,
    editor: Editor,
    at: str,
) -> int:
    measure_id, year, expected_version = change.measure_id, int(change.year), change.expected_version
    if conn.execute(select(measures.c.measure_id).where(measures.c.measure_id == measure_id)).first() is None:
        raise InvalidEdit("store.unknown_measure", "measure_id", id=measure_id)
    cond = and_(evaluations.c.measure_id == measure_id, evaluations.c.year == year)
    cur = conn.execute(select(evaluations).where(cond)).mappings().first()
    if cur is None:
        if expected_version not in (None, 0):
            raise ConflictError([Conflict("evaluation", measure_id, expected_version or 0, 0, clean, {})])
        row = {**fill, **clean}
        insert_recorded(
            conn,
            evaluations,
            {"measure_id": measure_id, "year": year, **row},
            row,
            entity="evaluation",
            history_id=None,
            editor=editor,
            at=at,
        )
        return 1
    cur = dict(cur)
    if base is None and not expected_version:  # an older caller that saw no row: it started from empty
        base = dict.fromkeys(clean)
    mine, base = dict(clean), None if base is None else dict(base)
    for fld, value in fill.items():  # a default only where the field is still empty: never a clash
        if fld not in mine and stored_same(cur.get(fld), None):
            mine[fld] = value
            if base is not None:
                base[fld] = cur.get(fld)
    written = merge_update(
        conn,
        evaluations,
        evaluations.c.id == cur["id"],
        cur,
        mine,
        base,
        expected_version,
        Names("evaluation", measure_id, str(cur["id"])),
        editor,
        at,
    )
    return int(cur["version"]) + (1 if written else 0)


def _save_event(
    conn: Connection,
    event_id: str | None,
    clean: dict | None,
    expected_version: int | None,
    editor: Editor,
    at: str,
    guard: PlanGuard,
    plan_id: str | None,
    base: Mapping[str, object] | None = None,
) -> str:
    if event_id is None:
        if clean is None:
            raise InvalidEdit("store.event_not_selected", "event_id")
        assert plan_id is not None
        guard.check(plan_id)
        # the next free e<n>; a writer that took the same one meanwhile makes the INSERT clash,
        # and save_events tries again in a new transaction that sees its row
        n = conn.execute(select(func.count()).select_from(events)).scalar_one()
        event_id = f"e{n + 1}"
        while conn.execute(select(events.c.event_id).where(events.c.event_id == event_id)).first():
            n += 1
            event_id = f"e{n + 1}"
        return insert_recorded(
            conn,
            events,
            {"event_id": event_id, **clean, "deleted": False, "plan_id": plan_id},
            {"*": json.dumps(clean, ensure_ascii=False)},
            entity="event",
            history_id=event_id,
            editor=editor,
            at=at,
        )
    cur = conn.execute(select(events).where(events.c.event_id == event_id)).mappings().first()
    if cur is None:
        raise NotFound("store.event_not_found", id=event_id)
    cur = dict(cur)
    guard.check(cur["plan_id"])
    where = events.c.event_id == event_id
    if clean is None:  # a removal: only of the row as the editor saw it
        if cur["version"] != expected_version:
            raise ConflictError(
                [Conflict("event", event_id, expected_version or 0, cur["version"], {"deleted": True}, cur)]
            )
        versioned_update(
            conn, events, where, cur, {"deleted": True}, entity="event", history_id=event_id, editor=editor, at=at,
            action="delete",
        )  # fmt: skip
        return event_id
    merge_update(
        conn,
        events,
        where,
        cur,
        clean,
        base,
        expected_version,
        Names("event", event_id, event_id),
        editor,
        at,
    )
    return event_id
