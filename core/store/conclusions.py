"""The working group's conclusions of a final evaluation: read and save, field by field.

One row per plan and scope (a main goal's id, or "plan"), three texts: what worked, what did not,
what to carry on. A save carries the texts the editor started from (``base``) and writes only the
fields the editor changed; a field is a conflict only when someone else changed it meanwhile to
something else (base ≠ stored ≠ mine). Every change goes into ``changes`` (entity "conclusion",
id "<plan id>/<scope>"), so the history page and the live updates see it like any other edit.
The conclusions stay writable after the plan has ended: nothing here asks for the plan's state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
from sqlalchemy import and_, select
from sqlalchemy.engine import Connection, Engine

from core.plan.validation import CONCLUSION_FIELDS, clean_conclusion_values
from core.store.edits import merge_fields
from core.store.errors import Conflict, ConflictError, InvalidEdit
from core.store.reads import frame
from core.store.schema import conclusions
from core.store.writes import (
    Editor,
    Names,
    clash_error,
    insert_recorded,
    merge_update,
    require_editor,
    stored_same,
    utc_now,
    write_retrying,
)

SAVE_ATTEMPTS = 5  # a row that changed between this save's read and write (another process) is read again


def conclusion_id(plan_id: str, scope: str) -> str:
    """The id of a conclusion row in the history: '<plan id>/<scope>'."""
    return f"{plan_id}/{scope}"


class ConclusionsMixin:
    """The Store's conclusions (``Store`` mixes this in)."""

    engine: Engine

    def conclusions(self, plan_id: str | None = None) -> pd.DataFrame:
        """The plan's conclusions (every plan's for None): one row per scope with the three texts,
        version and last writer."""
        q = select(conclusions).order_by(conclusions.c.plan_id, conclusions.c.scope)
        if plan_id is not None:
            q = q.where(conclusions.c.plan_id == plan_id)
        return frame(self.engine, q, conclusions)

    def save_conclusion(
        self,
        plan_id: str,
        scope: str,
        base: Mapping[str, object],
        mine: Mapping[str, object],
        editor: Editor | None,
        known_scopes: Iterable[str] | None = None,
    ) -> int:
        """Save the fields of ``mine`` that differ from ``base`` (what the editor read); return the version.

        Another editor's changes to other fields are kept. A field someone else changed meanwhile
        to another text than this editor's raises ConflictError (nothing saved): ``mine`` holds this
        editor's texts of those fields, ``current`` the stored row. To keep one's own text, save
        again with the stored texts as ``base``. An unknown scope is InvalidEdit; no editor,
        PermissionDenied.
        """
        editor = require_editor(editor)
        if known_scopes is not None and scope not in set(known_scopes):
            raise InvalidEdit("store.unknown_scope", "scope", id=scope)
        start = clean_conclusion_values({f: base.get(f, "") for f in CONCLUSION_FIELDS})
        wanted = clean_conclusion_values({f: mine[f] for f in CONCLUSION_FIELDS if f in mine})
        changed = {f: v for f, v in wanted.items() if v != start[f]}
        key = conclusion_id(plan_id, scope)
        at = utc_now()
        where = and_(conclusions.c.plan_id == plan_id, conclusions.c.scope == scope)
        names = Names("conclusion", key, key)

        def write(conn: Connection) -> int:
            cur = conn.execute(select(conclusions).where(where)).mappings().first()
            if cur is not None:
                cur = dict(cur)
                written = merge_update(conn, conclusions, where, cur, changed, start, cur["version"], names, editor, at)
                return int(cur["version"]) + (1 if written else 0)
            empty = {f: "" for f in CONCLUSION_FIELDS}
            diff, clashes = merge_fields(start, changed, empty, stored_same)
            if clashes:
                raise clash_error(conn, clashes, empty, 0, names)
            if not diff:
                return 0
            row = {"plan_id": plan_id, "scope": scope, **empty, **diff}
            insert_recorded(conn, conclusions, row, diff, entity="conclusion", history_id=key, editor=editor, at=at)
            return 1

        def clash() -> ConflictError:  # two first saves of one scope, or writes in between, kept clashing
            return ConflictError([Conflict("conclusion", key, 0, -1, changed, {})])

        return write_retrying(self.engine, write, clash, attempts=SAVE_ATTEMPTS)
