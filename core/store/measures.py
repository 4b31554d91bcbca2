"""Measures in the store: reading them, saving edits field by field, adding, removing and restoring
one. Values are checked by ``core.plan.validation``; every write is merged per field, versioned and
recorded (``core.store.writes``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection, Engine

from core.plan.model import MEASURE_TEXT_FIELDS
from core.plan.schedule import parse_schedule
from core.plan.validation import clean_measure_values, lenient
from core.store.errors import Conflict, ConflictError, InvalidEdit, NotFound
from core.store.reads import frame, plan_query
from core.store.schema import measures
from core.store.writes import (
    Editor,
    Names,
    PlanGuard,
    insert_recorded,
    merge_update,
    plan_writable,
    require_editor,
    today_in_finland,
    utc_now,
    versioned_update,
    write_retrying,
)


@dataclass
class MeasureEdit:
    """Changed fields of one measure: the new ``values``, the ``base`` each started from, the version seen.

    Without ``base`` (older callers) every field counts as started from the row of the version seen.
    """

    measure_id: str
    expected_version: int
    values: dict = field(default_factory=dict)
    base: dict | None = None


class MeasuresMixin:
    """The Store's measures (``Store`` mixes this in)."""

    engine: Engine

    def measures(self, include_deleted: bool = False, plan_id: str | None = None) -> pd.DataFrame:
        """The measures of one plan (or of every plan), not deleted ones unless asked, with version, by id
        (pages sort them into plan order; the store's order is only defined, the same on every database)."""
        return frame(self.engine, plan_query(measures, "measure_id", plan_id, include_deleted), measures)

    def measure_ids(self, deleted: bool | None = None) -> list[str]:
        """Measure ids, sorted by code point (as in Python, whatever the database's collation):
        all (None), only removed (True) or only current (False) ones."""
        q = select(measures.c.measure_id)
        if deleted is not None:
            q = q.where(measures.c.deleted.is_(deleted))
        with self.engine.connect() as conn:
            return sorted(str(r[0]) for r in conn.execute(q))

    def measure(self, measure_id: str) -> dict:
        """One measure as a dict; NotFound if there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(select(measures).where(measures.c.measure_id == measure_id)).mappings().first()
        if row is None:
            raise NotFound("store.measure_not_found", id=measure_id)
        return dict(row)

    def save_measure_edits(self, edits: list[MeasureEdit], editor: Editor | None) -> int:
        """Apply edits of several measures in one transaction; return the number of fields changed.

        Writes only the fields each edit changed, merged per field with what others saved meanwhile.
        Raises InvalidEdit (nothing saved) or ConflictError listing every field someone else changed
        meanwhile (nothing saved).
        """
        editor = require_editor(editor)
        at = utc_now()

        def write(conn: Connection) -> int:
            changed = 0
            conflicts: list[Conflict] = []
            guard = PlanGuard(conn)
            for e in edits:
                cur = conn.execute(select(measures).where(measures.c.measure_id == e.measure_id)).mappings().first()
                if cur is None or cur["deleted"]:
                    raise NotFound("store.measure_gone", id=e.measure_id)
                cur = dict(cur)
                guard.check(cur["plan_id"])
                clean = clean_measure_values(e.values, cur)
                base = None if e.base is None else lenient(clean_measure_values, e.base)
                try:
                    written = merge_update(
                        conn,
                        measures,
                        measures.c.measure_id == e.measure_id,
                        cur,
                        clean,
                        base,
                        e.expected_version,
                        Names("measure", e.measure_id, e.measure_id),
                        editor,
                        at,
                    )
                except ConflictError as exc:
                    conflicts += exc.conflicts
                    continue
                changed += len(written)
            if conflicts:
                raise ConflictError(conflicts)  # rolls the whole batch back
            return changed

        def moved() -> ConflictError:  # other writers kept changing the rows between read and write
            return ConflictError(
                [Conflict("measure", e.measure_id, e.expected_version, -1, dict(e.values), {}) for e in edits]
            )

        return write_retrying(self.engine, write, moved)

    def add_measure(
        self,
        actor_id: str,
        subgoal_id: str,
        values: Mapping[str, object],
        editor: Editor | None,
        known_actors: Iterable[str] | None = None,
        known_subgoals: Iterable[str] | None = None,
        plan_id: str | None = None,
    ) -> str:
        """Create a measure for an actor and sub-goal of ``plan_id`` (default: the plan in force today,
        else the newest); return its id (actor-subgoal-seq, seq counted over every plan, so an id is
        never used twice)."""
        editor = require_editor(editor)
        if plan_id is None:
            plan_id = self.default_plan_id(today_in_finland())
        if known_actors is not None and actor_id not in set(known_actors):
            raise InvalidEdit("store.unknown_actor", "actor_id", id=actor_id)
        if known_subgoals is not None and subgoal_id not in set(known_subgoals):
            raise InvalidEdit("store.unknown_subgoal", "subgoal_id", id=subgoal_id)
        clean = clean_measure_values({"row_kind": "measure", **values})
        if not clean.get("toimenpide"):
            raise InvalidEdit("store.required", "toimenpide")
        if "aikataulu" in clean and not any(k in values for k in ("start_year", "end_year", "permanent")):
            s = parse_schedule(str(clean["aikataulu"]))
            clean.update(start_year=s.start_year, end_year=s.end_year, permanent=s.permanent)
        at = utc_now()
        row = {f: "" for f in MEASURE_TEXT_FIELDS} | {"status": "", "contact": "", "permanent": False, "note": ""}
        row.update(clean)
        tried = [0]  # the last seq tried: a retry never goes back to it, even if the clash was not a seq

        def write(conn: Connection) -> str:
            plan_writable(conn, plan_id)
            # the next seq after the stored ones; another writer taking it meanwhile makes the
            # INSERT clash on the id, and the next try (new transaction) sees that writer's row
            stored = conn.execute(
                select(func.coalesce(func.max(measures.c.seq), 0)).where(
                    and_(measures.c.actor_id == actor_id, measures.c.subgoal_id == subgoal_id)
                )
            ).scalar_one()
            seq = tried[0] = max(int(stored), tried[0]) + 1
            measure_id = f"{actor_id}-{subgoal_id}-{seq}"
            ident = {"measure_id": measure_id, "actor_id": actor_id, "subgoal_id": subgoal_id, "seq": seq}
            return insert_recorded(
                conn,
                measures,
                {**ident, "deleted": False, "plan_id": plan_id, **row},
                {"*": json.dumps(row, ensure_ascii=False)},
                entity="measure",
                history_id=measure_id,
                editor=editor,
                at=at,
            )

        def clash() -> ConflictError:
            return ConflictError([Conflict("measure", f"{actor_id}-{subgoal_id}-{tried[0]}", 0, -1, row, {})])

        return write_retrying(self.engine, write, clash)

    def delete_measure(self, measure_id: str, expected_version: int, editor: Editor | None) -> None:
        """Remove a measure (recoverable: it is only marked deleted and recorded)."""
        self._set_deleted(measure_id, expected_version, editor, True)

    def restore_measure(self, measure_id: str, editor: Editor | None) -> None:
        """Bring back a removed measure."""
        cur = self.measure(measure_id)
        self._set_deleted(measure_id, cur["version"], editor, False)

    def _set_deleted(self, measure_id: str, expected_version: int, editor: Editor | None, deleted: bool) -> None:
        editor = require_editor(editor)
        at = utc_now()

        def write(conn: Connection) -> None:
            cur = conn.execute(select(measures).where(measures.c.measure_id == measure_id)).mappings().first()
            if cur is None:
                raise NotFound("store.measure_not_found", id=measure_id)
            plan_writable(conn, cur["plan_id"])
            if cur["version"] != expected_version:
                raise ConflictError(
                    [Conflict("measure", measure_id, expected_version, cur["version"], {"deleted": deleted}, dict(cur))]
                )
            versioned_update(
                conn, measures, measures.c.measure_id == measure_id, cur, {"deleted": deleted}, entity="measure",
                history_id=measure_id, editor=editor, at=at, action="delete" if deleted else "restore",
            )  # fmt: skip

        def moved() -> ConflictError:  # another writer saved the row between this read and write
            return ConflictError([Conflict("measure", measure_id, expected_version, -1, {"deleted": deleted}, {})])

        write_retrying(self.engine, write, moved)
