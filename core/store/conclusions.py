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
from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from core.base.cells import clean_control_chars
from core.plan.model import MAX_TEXT_LENGTH
from core.store.schema import conclusions

CONCLUSION_FIELDS = ("worked", "did_not_work", "carry_on")
SAVE_ATTEMPTS = 5  # a row that changed between this save's read and write (another process) is read again


def conclusion_id(plan_id: str, scope: str) -> str:
    """The id of a conclusion row in the history: '<plan id>/<scope>'."""
    return f"{plan_id}/{scope}"


def clean_conclusion_values(values: Mapping[str, object]) -> dict[str, str]:
    """Check the texts (only the three fields, each ≤ 4 000 characters); control characters become spaces."""
    from core.store.store import InvalidEdit  # noqa: PLC0415 - store.py imports this module

    out: dict[str, str] = {}
    for fld, raw in values.items():
        if fld not in CONCLUSION_FIELDS:
            raise InvalidEdit("store.not_editable", fld, name=fld)
        text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)
        text = clean_control_chars(text).strip()
        if len(text) > MAX_TEXT_LENGTH:
            raise InvalidEdit("store.too_long_count", fld, count=len(text), limit=MAX_TEXT_LENGTH)
        out[fld] = text
    return out


class _Retry(Exception):
    """The row changed between this save's read and its write: read it again."""


class ConclusionsMixin:
    """The Store's conclusions (``Store`` mixes this in)."""

    engine: Engine

    def conclusions(self, plan_id: str | None = None) -> pd.DataFrame:
        """The plan's conclusions (every plan's for None): one row per scope with the three texts,
        version and last writer."""
        q = select(conclusions).order_by(conclusions.c.plan_id, conclusions.c.scope)
        if plan_id is not None:
            q = q.where(conclusions.c.plan_id == plan_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in conclusions.columns])

    def save_conclusion(
        self,
        plan_id: str,
        scope: str,
        base: Mapping[str, object],
        mine: Mapping[str, object],
        editor,
        known_scopes: Iterable[str] | None = None,
    ) -> int:
        """Save the fields of ``mine`` that differ from ``base`` (what the editor read); return the version.

        Another editor's changes to other fields are kept. A field someone else changed meanwhile
        to another text than this editor's raises ConflictError (nothing saved): ``mine`` holds this
        editor's texts of those fields, ``current`` the stored row. To keep one's own text, save
        again with the stored texts as ``base``. An unknown scope is InvalidEdit; no editor,
        PermissionDenied.
        """
        from core.store.store import (  # noqa: PLC0415 - store.py imports this module
            Conflict,
            ConflictError,
            InvalidEdit,
            _now,
            _require_editor,
        )

        editor = _require_editor(editor)
        if known_scopes is not None and scope not in set(known_scopes):
            raise InvalidEdit("store.unknown_scope", "scope", id=scope)
        start = clean_conclusion_values({f: base.get(f, "") for f in CONCLUSION_FIELDS})
        wanted = clean_conclusion_values({f: mine[f] for f in CONCLUSION_FIELDS if f in mine})
        changed = {f: v for f, v in wanted.items() if v != start[f]}
        key = conclusion_id(plan_id, scope)
        now = _now()

        def write(conn: Connection) -> int:
            cond = and_(conclusions.c.plan_id == plan_id, conclusions.c.scope == scope)
            cur = conn.execute(select(conclusions).where(cond)).mappings().first()
            stored = dict(cur) if cur is not None else {f: "" for f in CONCLUSION_FIELDS}
            clash = {f: v for f, v in changed.items() if stored[f] != start[f] and stored[f] != v}
            if clash:
                version = int(stored.get("version") or 0)
                raise ConflictError([Conflict("conclusion", key, version, version, clash, stored)])
            diff = {f: v for f, v in changed.items() if stored[f] != v}
            if not diff:
                return int(stored.get("version") or 0)
            if cur is None:
                row = {f: "" for f in CONCLUSION_FIELDS} | diff
                conn.execute(
                    insert(conclusions).values(
                        plan_id=plan_id, scope=scope, **row, version=1, updated_at=now, updated_by=editor.name
                    )
                )
                for fld, new in diff.items():
                    self._record(conn, "conclusion", key, fld, None, new, "create", editor, now)
                return 1
            res = conn.execute(
                update(conclusions)
                .where(and_(cond, conclusions.c.version == cur["version"]))
                .values(**diff, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
            )
            if res.rowcount != 1:
                raise _Retry
            for fld, new in diff.items():
                self._record(conn, "conclusion", key, fld, cur[fld], new, "update", editor, now)
            return int(cur["version"]) + 1

        for _attempt in range(SAVE_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    return write(conn)
            except (_Retry, IntegrityError):  # two first saves of one scope, or a write in between: read again
                continue
        raise ConflictError([Conflict("conclusion", key, 0, -1, changed, {})])
