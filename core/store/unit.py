"""The unit of work: the writes of one transaction (``with store.transaction() as uow:``), for import,
restore and seed, so no caller ever holds a database connection. Rows must be checked already
(core.io.importer, core.io.exporter); every write here lands, or none does."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from core.plan.model import Plan
from core.store.cycle import observation_id, upsert_observation_rows
from core.store.errors import Conflict, ConflictError
from core.store.plan_rows import plan_rows
from core.store.schema import conclusions, evaluations, events, measures, observations, plans, schema_info
from core.store.writes import Editor, RowMoved, record, require_editor, utc_now


class UnitOfWork:
    """The writes of one transaction (``Store.transaction()``): import, restore and seed use it, so no
    caller ever holds a database connection. Rows must be checked already (core.io.importer,
    core.io.exporter); every write here lands, or none does."""

    def __init__(self, conn: Connection):
        self._conn = conn

    def is_empty(self) -> bool:
        """No measures, observations, evaluations, events or conclusions, and never seeded (a restore's target)."""
        used = sum(
            self._conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (measures, observations, evaluations, events, conclusions, plans)
        )
        seeded = self._conn.execute(select(schema_info.c.value).where(schema_info.c.key == "seeded_at")).first()
        return not used and seeded is None

    def _insert(self, table, rows: Iterable[Mapping]) -> int:
        rows = [dict(r) for r in rows]
        if rows:
            self._conn.execute(insert(table), rows)
        return len(rows)

    def insert_measures(self, rows: Iterable[Mapping], plan_id: str | None = None) -> int:
        """Insert whole measure rows (every column, with version and audit fields); return the count.
        Rows without a ``plan_id`` belong to ``plan_id``."""
        return self._insert(measures, _in_plan(rows, plan_id))

    def insert_observations(self, rows: Iterable[Mapping]) -> int:
        """Insert whole observation rows; return the count."""
        return self._insert(observations, rows)

    def insert_evaluations(self, rows: Iterable[Mapping]) -> int:
        """Insert whole evaluation rows; return the count."""
        return self._insert(evaluations, rows)

    def insert_events(self, rows: Iterable[Mapping], plan_id: str | None = None) -> int:
        """Insert whole vuosikello event rows; return the count. Rows without a ``plan_id`` belong to ``plan_id``."""
        return self._insert(events, _in_plan(rows, plan_id))

    def insert_conclusions(self, rows: Iterable[Mapping]) -> int:
        """Insert whole conclusion rows (plan, scope, the three texts, version and audit fields); return the count."""
        return self._insert(conclusions, rows)

    def measure_rows(self) -> list[dict]:
        """Every stored measure row (deleted ones too), as plain dicts."""
        return [dict(r) for r in self._conn.execute(select(measures).order_by(measures.c.measure_id)).mappings().all()]

    def insert_plan(self, plan: Plan, now: str, by: str = "data/") -> None:
        """Insert a whole plan's own rows: the plan, its goals, sub-goals, indicator tiles and choices."""
        for table, rows in plan_rows(plan, now, by):
            self._insert(table, rows)

    def mark_seeded(self, now: str) -> None:
        """Mark the store as filled (from data/ or a backup), so it is never seeded again."""
        self._conn.execute(insert(schema_info).values(key="seeded_at", value=now))

    def record(
        self, entity: str, entity_id: str, fld: str, old: object, new: object, action: str, editor: Editor, now: str
    ) -> None:
        """One line of history (``changes``)."""
        record(self._conn, entity, entity_id, fld, old, new, action, editor, now)

    def upsert_observations(self, rows: list[Mapping], editor: Editor | None) -> dict[str, int]:
        """``Store.upsert_observations`` inside this transaction: a key another writer added (or a row
        another writer changed) meanwhile is a ConflictError (the whole unit rolls back), never a retry
        or a raw IntegrityError."""
        editor = require_editor(editor)
        try:
            return upsert_observation_rows(self._conn, rows, editor, utc_now())
        except (IntegrityError, RowMoved):
            raise ConflictError(
                [Conflict("observation", observation_id(r), 0, -1, {}, {}) for r in rows[:10]]
            ) from None


def _in_plan(rows: Iterable[Mapping], plan_id: str | None) -> list[dict]:
    out = [dict(r) for r in rows]
    for r in out:
        if not r.get("plan_id"):
            if plan_id is None:
                raise ValueError("a measure or event row without its plan")
            r["plan_id"] = plan_id
    return out
