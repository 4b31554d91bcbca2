"""How every write of the store goes: who writes (``Editor``), one transaction tried again when a
simultaneous writer took the same new id or moved the row (``write_retrying``), the plan it writes
into still open (``plan_writable``), and the one versioned update that merges an edit per field,
writes only the changed fields, bumps the row's version and records each field in ``changes``
(``merge_update``, its write step ``versioned_update``; ``insert_recorded`` for a new row)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from core.base.text import clean_name
from core.store.edits import FieldClash, merge_fields, same_value
from core.store.errors import Conflict, ConflictError, InvalidEdit, NotFound, PermissionDenied, StoreError
from core.store.schema import changes, plans


@dataclass(frozen=True)
class Editor:
    """Who is writing: a verified editor's display name and their session (both go into the history;
    two people signed in under one name are told apart by the session).

    The name is kept as ``core.base.text.clean_name`` leaves it, so no history row can carry a
    zero-width or direction character; one with nothing visible left is refused on writing."""

    name: str
    can_edit: bool = True
    session: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_name(self.name))


def utc_now() -> str:
    """The time of a write as stored (UTC ISO text of one fixed form, so texts compare as times)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def today_in_finland() -> date:
    """Today in Finland (which plan is in force is a Finnish calendar question)."""
    return datetime.now(ZoneInfo("Europe/Helsinki")).date()


def stored_text(value: object) -> str | None:
    """A value as the history stores it (``changes.old_value`` / ``new_value``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def require_editor(editor: Editor | None) -> Editor:
    """The editor, or PermissionDenied for none, a viewer or a name with nothing visible."""
    if editor is None or not editor.can_edit or not editor.name.strip():
        raise PermissionDenied("store.editor_required")
    return editor


def record(
    conn: Connection,
    entity: str,
    entity_id: str,
    fld: str,
    old: object,
    new: object,
    action: str,
    editor: Editor,
    at: str,
    reverts: int | None = None,
) -> None:
    """One line of history (``changes``)."""
    conn.execute(
        insert(changes).values(
            entity=entity,
            entity_id=entity_id,
            field=fld,
            old_value=stored_text(old),
            new_value=stored_text(new),
            action=action,
            changed_by=editor.name,
            changed_at=at,
            reverts=reverts,
            session_id=editor.session[:64] or None,
        )
    )


def plan_writable(conn: Connection, plan_id: str) -> None:
    """Refuse a write to a plan that does not exist or has ended (read-only but its final evaluation)."""
    state = conn.execute(select(plans.c.state).where(plans.c.plan_id == plan_id)).scalar()
    if state is None:
        raise NotFound("plan.not_found", id=plan_id)
    if state == "ended":
        raise InvalidEdit("plan.read_only", id=plan_id)


class PlanGuard:
    """Remembers the plans a transaction has checked, so a batch asks once per plan."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.ok: set[str] = set()

    def check(self, plan_id: str) -> None:
        if plan_id not in self.ok:
            plan_writable(self.conn, plan_id)
            self.ok.add(plan_id)


# ------------------------------------------------------------------------------------------
# Simultaneous writes. A new row's id or key is computed inside its transaction from what is
# already stored (measure ``actor-subgoal-seq``, event ``e<n>``, evaluation measure+year), so two
# writers at the same moment can pick the same one: the later INSERT fails on the unique key once
# the first commits. An update names the version it read, so a row another writer saved between
# this read and this write is not overwritten (``RowMoved``). The whole write then runs again in a
# fresh transaction, which sees the winner's row, a bounded number of times; a clash that remains
# becomes a ConflictError, never a raw IntegrityError.

CREATE_ATTEMPTS = 25
T = TypeVar("T")


class RowMoved(Exception):  # noqa: N818 - not an error: a row changed between this transaction's read and write
    """Another writer saved the row between this transaction's read and its write: read it again."""


def write_retrying(
    engine: Engine, body: Callable[[Connection], T], clash: Callable[[], StoreError], attempts: int = CREATE_ATTEMPTS
) -> T:
    """``body(conn)`` in one transaction, again in a new one after a unique-key clash; then ``clash()``."""
    if not isinstance(engine, Engine):  # a caller's shared transaction: it cannot be retried here
        attempts = 1
    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                return body(conn)
        except (IntegrityError, RowMoved):
            if attempt + 1 >= attempts:
                raise clash() from None
            time.sleep(random.uniform(0, 0.003 * (attempt + 1)))  # noqa: S311 - spreads the losers' next tries
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------
# The versioned update of every edit kind.


class Names(NamedTuple):
    """How a row is named: its entity kind, its id in conflicts, its id in the history."""

    entity: str
    entity_id: str
    history_id: str


def stored_same(a: object, b: object, fld: str = "") -> bool:
    """Whether two values of a stored field are the same (an empty text and a missing value too)."""
    return same_value(a, b, fld)


def _last_change(conn: Connection, entity: str, history_id: str, fld: str) -> tuple[str, str]:
    """(who, when) of the latest recorded change of one field: who a conflict says changed it."""
    row = conn.execute(
        select(changes.c.changed_by, changes.c.changed_at)
        .where(and_(changes.c.entity == entity, changes.c.entity_id == history_id, changes.c.field.in_([fld, "*"])))
        .order_by(changes.c.change_id.desc())
        .limit(1)
    ).first()
    return (str(row[0]), str(row[1])) if row is not None else ("", "")


_OWN_CHAIN = 20  # how many of one field's latest changes are followed back to the editor's base


def _only_mine_since(conn: Connection, names: Names, fld: str, base: object, editor: Editor) -> bool:
    """Whether every change of field ``fld`` since it held ``base`` was made by this editor's session.

    A page can still show a row from before its own last save (a grid that waits while a cell editor
    is open, a table drawn just before): the editor's next edit of that field then starts from the
    value before their save. That is no conflict: nobody else changed the field. Any change by another
    session, or a whole-row change, on the way back to ``base`` keeps it a conflict.
    """
    session = editor.session[:64]
    if not session:
        return False
    rows = conn.execute(
        select(changes.c.field, changes.c.old_value, changes.c.session_id)
        .where(and_(changes.c.entity == names.entity, changes.c.entity_id == names.history_id))
        .where(changes.c.field.in_([fld, "*"]))
        .order_by(changes.c.change_id.desc())
        .limit(_OWN_CHAIN)
    ).all()
    for field, old, by in rows:
        if field != fld or by != session:
            return False
        if stored_same(old, stored_text(base), fld):
            return True
    return False


def clash_error(
    conn: Connection, clashes: list[FieldClash], cur: Mapping[str, object], expected_version: int | None, names: Names
) -> ConflictError:
    """The ConflictError of the fields someone else changed meanwhile: each with its base, the editor's
    value, the stored one and who stored it (from the history)."""
    clashes = [
        c._replace(by=by, at=at)
        for c in clashes
        for by, at in [_last_change(conn, names.entity, names.history_id, c.field)]
    ]
    mine = {c.field: c.mine for c in clashes}
    version = int(cur.get("version") or 0)
    return ConflictError(
        [Conflict(names.entity, names.entity_id, int(expected_version or 0), version, mine, dict(cur), clashes)]
    )


def versioned_update(
    conn: Connection,
    table,
    where,
    cur: Mapping[str, object],
    write: Mapping[str, object],
    *,
    entity: str,
    history_id: str,
    editor: Editor,
    at: str,
    action: str = "update",
    reverts: int | None = None,
) -> None:
    """Write the fields ``write`` over the row ``cur`` read in this transaction: its version one up, each
    field recorded in ``changes``. Raises RowMoved when another transaction wrote the row meanwhile."""
    res = conn.execute(
        update(table)
        .where(and_(where, table.c.version == cur["version"]))
        .values(**write, version=cur["version"] + 1, updated_at=at, updated_by=editor.name)
    )
    if res.rowcount != 1:
        raise RowMoved
    for fld, new in write.items():
        record(conn, entity, history_id, fld, cur.get(fld), new, action, editor, at, reverts)


def merge_update(
    conn: Connection,
    table,
    where,
    cur: Mapping[str, object],
    mine: Mapping[str, object],
    base: Mapping[str, object] | None,
    expected_version: int | None,
    names: Names,
    editor: Editor,
    at: str,
) -> dict:
    """The one versioned update of every edit kind: merge per field, write only the editor's fields, record them.

    ``mine`` (checked values) and ``base`` (what each started from) are the fields this editor
    changed. A field someone else changed meanwhile raises ConflictError naming it (``clash_error``);
    a row written by another transaction between this read and this write raises RowMoved (the
    caller reads again). Returns the fields written.
    """
    if base is None:  # an older caller: every field started from the row of the version it saw
        base = cur if cur.get("version") == expected_version else {}
    write, clashes = merge_fields(base, mine, cur, stored_same)
    for c in [c for c in clashes if c.field in base and _only_mine_since(conn, names, c.field, c.base, editor)]:
        write[c.field] = c.mine  # the value in between was this session's own earlier save: nobody else's
        clashes.remove(c)
    if clashes:
        raise clash_error(conn, clashes, cur, expected_version, names)
    if write:
        versioned_update(
            conn, table, where, cur, write, entity=names.entity, history_id=names.history_id, editor=editor, at=at
        )
    return write


def insert_recorded(
    conn: Connection,
    table,
    row: Mapping[str, object],
    recorded: Mapping[str, object],
    *,
    entity: str,
    history_id: str | None,
    editor: Editor,
    at: str,
) -> str:
    """Insert a new row at version 1 and record the fields ``recorded`` as created; return its history id
    (``history_id``, or the new row's own id for None)."""
    res = conn.execute(insert(table).values(**row, version=1, updated_at=at, updated_by=editor.name))
    if history_id is None:
        history_id = str(res.inserted_primary_key[0])
    for fld, new in recorded.items():
        record(conn, entity, history_id, fld, None, new, "create", editor, at)
    return history_id
