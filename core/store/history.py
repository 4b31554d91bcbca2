"""The history of every change (``changes``): reading it, the data version that grows with every
committed write (cache keys, live updates), and undoing one recorded change."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Column, and_, func, select
from sqlalchemy.engine import Connection, Engine

from core.store.errors import Conflict, ConflictError, InvalidEdit, NotFound
from core.store.reads import frame
from core.store.schema import changes, conclusions, evaluations, events, measures, observations
from core.store.writes import (
    Editor,
    plan_writable,
    require_editor,
    stored_text,
    utc_now,
    versioned_update,
    write_retrying,
)

# entity in the history -> (table, key column); a conclusion's id '<plan id>/<scope>' is its two-column key
REVERTIBLE = {
    "measure": (measures, "measure_id"),
    "event": (events, "event_id"),
    "evaluation": (evaluations, "id"),
    "observation": (observations, "id"),
    "conclusion": (conclusions, "plan_id"),
}


class HistoryMixin:
    """The Store's history and data version (``Store`` mixes this in)."""

    engine: Engine

    def data_version(self) -> int:
        """A number that grows with every committed write (for cache keys and live updates).

        The highest change id plus the number of changes: on PostgreSQL a transaction can commit
        after one that took a higher id, which the highest id alone would never show.
        """
        return self.live_marker()[0]

    def live_marker(self) -> tuple[int, int]:
        """(data_version(), highest change id) in one query: what a live session has seen."""
        with self.engine.connect() as conn:
            top, count = conn.execute(
                select(func.coalesce(func.max(changes.c.change_id), 0), func.count(changes.c.change_id))
            ).one()
        return int(top) + int(count), int(top)

    def changes_after(self, change_id: int, limit: int = 200) -> pd.DataFrame:
        """Changes with an id above ``change_id``, oldest first (for "who saved what" notices)."""
        q = select(changes).where(changes.c.change_id > change_id).order_by(changes.c.change_id).limit(limit)
        return frame(self.engine, q, changes)

    def history(self, entity: str | None = None, entity_id: str | None = None, limit: int = 1000) -> pd.DataFrame:
        """Recorded changes, newest first."""
        q = select(changes).order_by(changes.c.change_id.desc()).limit(limit)
        if entity:
            q = q.where(changes.c.entity == entity)
        if entity_id:
            q = q.where(changes.c.entity_id == entity_id)
        return frame(self.engine, q, changes)

    def all_changes(self, entity: str | None = None, field: str | None = None) -> list[dict]:
        """Every recorded change (of one entity kind, one field), oldest first, as plain dicts."""
        q = select(changes).order_by(changes.c.change_id)
        if entity:
            q = q.where(changes.c.entity == entity)
        if field:
            q = q.where(changes.c.field == field)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings().all()]

    def history_between(self, start: datetime, end: datetime, limit: int = 20000) -> pd.DataFrame:
        """Changes recorded in [start, end) (aware datetimes), oldest first: a workshop's minutes.

        ``changed_at`` is stored as UTC ISO text of one fixed form, so comparing texts compares times.
        """
        lo = start.astimezone(UTC).isoformat(timespec="seconds")
        hi = end.astimezone(UTC).isoformat(timespec="seconds")
        q = (
            select(changes)
            .where(changes.c.changed_at >= lo, changes.c.changed_at < hi)
            .order_by(changes.c.change_id)
            .limit(limit)
        )
        return frame(self.engine, q, changes)

    def revert_change(self, change_id: int, editor: Editor | None) -> None:
        """Undo one recorded field change, if the field still holds the value it was changed to."""
        editor = require_editor(editor)
        at = utc_now()

        def write(conn: Connection) -> None:
            ch = conn.execute(select(changes).where(changes.c.change_id == change_id)).mappings().first()
            if ch is None:
                raise NotFound("store.change_not_found", id=change_id)
            table, key = REVERTIBLE.get(ch["entity"], (None, None))
            if table is None or ch["field"] == "*":
                raise InvalidEdit("store.cannot_revert", ch["field"])
            where = _row_of(table, key, str(ch["entity_id"]))
            cur = conn.execute(select(table).where(where)).mappings().first()
            if cur is None:
                raise NotFound("store.row_gone")
            if table is measures or table is events:
                plan_writable(conn, cur["plan_id"])
            fld = ch["field"]
            if stored_text(cur[fld]) != ch["new_value"]:
                raise ConflictError(
                    [
                        Conflict(
                            ch["entity"],
                            ch["entity_id"],
                            cur["version"],
                            cur["version"],
                            {fld: ch["old_value"]},
                            dict(cur),
                        )
                    ]
                )
            versioned_update(
                conn, table, where, cur, {fld: _restore_type(table.c[fld], ch["old_value"])}, entity=ch["entity"],
                history_id=ch["entity_id"], editor=editor, at=at, action="revert", reverts=change_id,
            )  # fmt: skip

        def moved() -> ConflictError:  # another writer kept saving the row between this read and write
            return ConflictError([Conflict("change", str(change_id), 0, -1, {}, {})])

        write_retrying(self.engine, write, moved)


def _row_of(table, key: str, entity_id: str):
    """The WHERE of the row a history entity id names."""
    if table is conclusions:
        plan_id, _, scope = entity_id.rpartition("/")
        return and_(conclusions.c.plan_id == plan_id, conclusions.c.scope == scope)
    return table.c[key] == (int(entity_id) if key == "id" else entity_id)


def _restore_type(column: Column, text: str | None) -> object:
    if text is None:
        return None
    py = column.type.python_type
    if py is bool:
        return text == "true"
    if py is int:
        return int(text)
    if py is float:
        return float(text)
    return text
