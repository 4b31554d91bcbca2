"""The store: the one code that reads and writes the working state, through SQLAlchemy.

Default: a SQLite file in the git-ignored ``.local/`` folder, created and seeded from data/ on
first start. Any SQLAlchemy URL (e.g. PostgreSQL) can be given instead. Every write is one
transaction; every change is recorded in ``changes`` (who, when, field, old → new, session).
An edit says, per field, what the editor started from and what they typed; a save writes only
those fields and merges per field (``core.store.edits.merge_fields``): someone else's change of
another field of the row stays, and only a field someone else changed meanwhile raises
``ConflictError`` (naming it) instead of being overwritten silently. Every editable row carries
a ``version``, so a write between this transaction's read and its write is never lost either.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    Column,
    and_,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError

from core.base import config
from core.base.cells import clean_control_chars
from core.base.i18n import CATALOGUE, DEFAULT_LANG, Msg, t
from core.base.rules import parse_yes_no
from core.base.text import clean_name, strip_invisible
from core.plan.model import (
    MAX_CONTACT_LENGTH,
    MAX_TEXT_LENGTH,
    MEASURE_TEXT_FIELDS,
    MEASURE_YEAR_MAX,
    MEASURE_YEAR_MIN,
    MeasureStatus,
    Plan,
    RowKind,
)
from core.plan.schedule import parse_schedule
from core.store.conclusions import ConclusionsMixin
from core.store.edits import FieldClash, merge_fields, same_value
from core.store.migrate import current_revision, flock, upgrade_schema
from core.store.schema import (
    changes,
    conclusions,
    evaluations,
    events,
    measures,
    observations,
    plans,
    schema_info,
    signin_failures,
)

SCHEMA_VERSION = 3

MEASURE_EDITABLE = (*MEASURE_TEXT_FIELDS, "status", "start_year", "end_year", "permanent", "contact", "row_kind")
MAX_CONTACT = MAX_CONTACT_LENGTH  # the model's limit: one source for both


def field_label(fld: str, lang: str = DEFAULT_LANG) -> str:
    """The name of a stored field as the messages give it (catalogue key ``field.<name>``)."""
    return t(f"field.{fld}", lang)


class StoreError(ValueError):
    """Base class of the store's refusals: a catalogue key (``store.*``) and its values.

    ``message`` (and ``str(exc)``) is the Finnish text; ``text(lang)`` gives it in any UI language.
    A ``{label}`` in the text is the name of ``field``; a value that is itself a StoreError is
    shown in the same language.
    """

    def __init__(self, key: str, field: str | None = None, **values: object):
        self.key = key
        self.field = field
        self.values = values
        shown = {k: v.message if isinstance(v, StoreError) else v for k, v in values.items()}
        if field is not None and f"field.{field}" in CATALOGUE[DEFAULT_LANG]:
            shown.setdefault("label", Msg(f"field.{field}"))
        self.message = Msg(key, **shown)  # the Finnish text; a caller may show it in any language later
        super().__init__(self.message)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The refusal in ``lang`` ("fi" or "en")."""
        return self.message.text(lang)


class InvalidEdit(StoreError):
    """An edit that breaks a rule (required, length, allowed values); nothing was saved."""


class NotFound(StoreError):
    """The row does not exist (any more)."""


class PermissionDenied(StoreError):
    """The caller is not an editor."""


class StoreUnavailable(StoreError):
    """The store cannot be opened, read or written (damaged, read-only, full, busy, unreachable).

    Raised instead of the database driver's error, whose text (SQL, parameters, file paths) is
    never shown; nothing was saved. ``key`` says what happened (``store.damaged``…).
    """


log = logging.getLogger("kymlapset.storage")

# Every message of StoreUnavailable; what a driver's error text says happened -> one of them (first match wins).
STORE_PROBLEM_KEYS = (
    "store.damaged",
    "store.unavailable",
    "store.read_only",
    "store.disk_full",
    "store.busy",
    "store.timeout",
    "store.write_failed",
)
_STORE_PROBLEMS = (
    ("store.timeout", ("statement timeout", "lock_timeout", "canceling statement")),
    ("store.read_only", ("readonly", "read-only", "read only", "permission denied")),
    ("store.disk_full", ("disk is full", "no space left", "disk full", "diskfull")),
    ("store.busy", ("database is locked", "table is locked", "database is busy", "lock timeout", "deadlock")),
    ("store.damaged", ("not a database", "malformed", "corrupt")),
)
_WRITE_VERBS = ("insert", "update", "delete", "create", "alter", "drop", "replace")


def store_problem_key(error_text: str, statement: str | None = None, operational: bool = True) -> str | None:
    """The ``store.*`` message key for a database error, or None for one that is not about the store
    itself (a constraint or a programming error stays a bug and is not dressed up)."""
    text = error_text.lower()
    for key, needles in _STORE_PROBLEMS:
        if any(n in text for n in needles):
            return key
    if not operational:
        return None
    verb = (statement or "").lstrip().split(" ", 1)[0].lower()
    return "store.write_failed" if verb in _WRITE_VERBS else "store.unavailable"


def _translate_db_error(context) -> None:
    """SQLAlchemy ``handle_error`` hook: a failure of the store itself becomes StoreUnavailable."""
    if getattr(context, "is_pre_ping", False):
        return  # the pool reconnects on its own
    err = context.sqlalchemy_exception
    if isinstance(err, sa_exc.IntegrityError):
        return
    operational = isinstance(err, (sa_exc.OperationalError, sa_exc.InterfaceError)) or type(err) is sa_exc.DatabaseError
    if not isinstance(err, sa_exc.DBAPIError) and not operational:
        return
    key = store_problem_key(str(context.original_exception), context.statement, operational)
    if key is None:
        return
    log.warning("store error (%s): %s", key, type(context.original_exception).__name__)
    raise StoreUnavailable(key) from context.original_exception


def _limit_statements(engine: Engine, seconds: float) -> None:
    """Every PostgreSQL connection stops a statement (or its wait for a lock) after ``seconds`` (0: never),
    so one slow query or a held lock cannot hang a page; the error becomes StoreUnavailable("store.timeout")."""
    if seconds <= 0:
        return

    @event.listens_for(engine, "connect")
    def _set_timeout(dbapi_connection, _record) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET outside any transaction: it stays for the connection
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = {int(seconds * 1000)}")
        dbapi_connection.autocommit = autocommit


DatabaseError = sa_exc.SQLAlchemyError  # any error of the database layer (for callers that report, not handle)


def shown_url(url: str) -> str:
    """A database URL as it may be shown (password hidden); "?" for one that cannot be parsed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (sa_exc.SQLAlchemyError, ValueError):
        return "?"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``sqlite:///path``, ``sqlite:///file:path?mode=ro&uri=true``), or None."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite"):
        return None
    name = parsed.database or ""
    if name.startswith("file:"):
        if parsed.query.get("mode") == "memory":
            return None
        name = name[len("file:") :]
    if not name or name == ":memory:":
        return None
    return Path(name)


@dataclass
class Conflict:
    """One row where someone else changed what the editor changed: ``fields`` names each clashing
    field with the editor's base and value, the stored value and who stored it."""

    entity: str
    entity_id: str
    expected_version: int
    current_version: int
    mine: dict  # the clashing fields with the editor's values ({"deleted": True} for a removal)
    current: dict  # the stored row
    fields: list[FieldClash] = field(default_factory=list)


class ConflictError(StoreError):
    """A save over rows that changed meanwhile; nothing was saved."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__("store.conflict", ids=", ".join(c.entity_id for c in conflicts))
        self.conflicts = conflicts


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


@dataclass
class MeasureEdit:
    """Changed fields of one measure: the new ``values``, the ``base`` each started from, the version seen.

    Without ``base`` (older callers) every field counts as started from the row of the version seen.
    """

    measure_id: str
    expected_version: int
    values: dict = field(default_factory=dict)
    base: dict | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _today() -> date:
    """Today in Finland (which plan is in force is a Finnish calendar question)."""
    return datetime.now(ZoneInfo("Europe/Helsinki")).date()


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _require_editor(editor: Editor | None) -> Editor:
    if editor is None or not editor.can_edit or not editor.name.strip():
        raise PermissionDenied("store.editor_required")
    return editor


def _name_text(raw: object, fld: str) -> str:
    """A field shown as a person's or a body's name (contact, evaluator, owner): its line breaks kept,
    invisible and direction characters removed (``core.base.text.strip_invisible``); InvalidEdit if that
    leaves nothing of a text that was not blank."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return ""
    typed = clean_control_chars(str(raw)).strip()
    text = strip_invisible(typed).strip()
    if typed and not text:
        raise InvalidEdit("store.name_invisible", fld)
    return text


def _int_or_none(value: object, fld: str) -> int | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError as exc:
        raise InvalidEdit("store.year_not_number", fld, value=value) from exc
    if number != int(number):
        raise InvalidEdit("store.year_not_whole", fld)
    return int(number)


def clean_measure_values(values: Mapping[str, object], current: Mapping[str, object] | None = None) -> dict:
    """Check and normalise edited measure fields; raise InvalidEdit naming the field."""
    out: dict[str, object] = {}
    for fld, raw in values.items():
        if fld not in MEASURE_EDITABLE:
            raise InvalidEdit("store.not_editable", fld, name=fld)
        if fld in MEASURE_TEXT_FIELDS:
            text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)
            text = clean_control_chars(text).strip()  # \v from Word and other controls: no .xlsx could hold them
            if len(text) > MAX_TEXT_LENGTH:
                raise InvalidEdit("store.too_long_count", fld, count=len(text), limit=MAX_TEXT_LENGTH)
            out[fld] = text
        elif fld == "contact":
            text = _name_text(raw, fld)
            if len(text) > MAX_CONTACT:
                raise InvalidEdit("store.too_long", fld, limit=MAX_CONTACT)
            out[fld] = text
        elif fld == "status":
            text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw).strip()
            allowed = [s.value for s in MeasureStatus]
            if text not in allowed:
                raise InvalidEdit(
                    "store.not_allowed_values", fld, value=text, allowed=", ".join(a for a in allowed if a)
                )
            out[fld] = text
        elif fld == "row_kind":
            allowed = [k.value for k in RowKind]
            if str(raw) not in allowed:
                raise InvalidEdit("store.not_allowed", fld, value=raw)
            out[fld] = str(raw)
        elif fld in ("start_year", "end_year"):
            year = _int_or_none(raw, fld)
            if year is not None and not MEASURE_YEAR_MIN <= year <= MEASURE_YEAR_MAX:
                raise InvalidEdit("store.year_range", fld, value=year)
            out[fld] = year
        elif fld == "permanent":
            try:
                out[fld] = parse_yes_no(raw)  # the model's rule (core.base.rules)
            except ValueError as exc:
                raise InvalidEdit("store.not_allowed", fld, value=raw) from exc
    merged = {**(current or {}), **out}
    start, end = merged.get("start_year"), merged.get("end_year")
    if start is not None and end is not None and int(end) < int(start):
        raise InvalidEdit("store.end_before_start", "end_year")
    if merged.get("row_kind", "measure") == "measure" and "toimenpide" in out and not out["toimenpide"]:
        raise InvalidEdit("store.required", "toimenpide")
    return out


def plan_writable(conn: Connection, plan_id: str) -> None:
    """Refuse a write to a plan that does not exist or has ended (read-only but its final evaluation)."""
    state = conn.execute(select(plans.c.state).where(plans.c.plan_id == plan_id)).scalar()
    if state is None:
        raise NotFound("plan.not_found", id=plan_id)
    if state == "ended":
        raise InvalidEdit("plan.read_only", id=plan_id)


class _PlanGuard:
    """Remembers the plans a transaction has checked, so a batch asks once per plan."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.ok: set[str] = set()

    def check(self, plan_id: str) -> None:
        if plan_id not in self.ok:
            plan_writable(self.conn, plan_id)
            self.ok.add(plan_id)


# ------------------------------------------------------------------------------------------
# Simultaneous creates. A new row's id or key is computed inside its transaction from what is
# already stored (measure ``actor-subgoal-seq``, event ``e<n>``, evaluation measure+year), so two
# writers at the same moment can pick the same one: the later INSERT fails on the unique key once
# the first commits. The whole write then runs again in a fresh transaction, which sees the
# winner's row (a new id, or for an evaluation a ConflictError with the stored values), a bounded
# number of times; a clash that remains becomes a ConflictError, never a raw IntegrityError.

CREATE_ATTEMPTS = 25
T = TypeVar("T")


class _RowMoved(Exception):  # noqa: N818 - not an error: a row changed between this transaction's read and write
    """Another writer saved the row between this transaction's read and its write: read it again."""


def _write_retrying(
    engine: Engine, body: Callable[[Connection], T], clash: Callable[[], StoreError], attempts: int = CREATE_ATTEMPTS
) -> T:
    """``body(conn)`` in one transaction, again in a new one after a unique-key clash; then ``clash()``."""
    if not isinstance(engine, Engine):  # a caller's shared transaction: it cannot be retried here
        attempts = 1
    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                return body(conn)
        except (IntegrityError, _RowMoved):
            if attempt + 1 >= attempts:
                raise clash() from None
            time.sleep(random.uniform(0, 0.003 * (attempt + 1)))  # noqa: S311 - spreads the losers' next tries
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------
# Observations, evaluations and vuosikello events: the yearly cycle (same guarantees).


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


def _first_month(months: object) -> int:
    """The first month of a stored "3,4" (13 for none: such an event goes last)."""
    head = str(months or "").split(",", 1)[0].strip()
    return int(head) if head.isdigit() else 13


def _lenient(clean: Callable[[Mapping[str, object]], dict], values: Mapping[str, object]) -> dict:
    """Each value as ``clean`` stores it, or as it is where ``clean`` refuses it (a base is only compared)."""
    out = {}
    for fld, value in values.items():
        try:
            out[fld] = clean({fld: value}).get(fld, value)
        except InvalidEdit:
            out[fld] = value
    return out


def _stored_same(a: object, b: object, fld: str = "") -> bool:
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


def _merge_update(
    conn: Connection,
    table,
    where,
    cur: Mapping[str, object],
    mine: Mapping[str, object],
    base: Mapping[str, object] | None,
    expected_version: int | None,
    *,
    entity: str,
    entity_id: str,
    history_id: str,
    editor: Editor,
    now: str,
) -> dict:
    """The one versioned update of every edit kind: merge per field, write only the editor's fields, record them.

    ``mine`` (checked values) and ``base`` (what each started from) are the fields this editor
    changed. A field someone else changed meanwhile raises ConflictError naming it, its base, the
    editor's value, the stored one and who stored it; a row written by another transaction between
    this read and this write raises _RowMoved (the caller reads again). Returns the fields written.
    """
    if base is None:  # an older caller: every field started from the row of the version it saw
        base = cur if cur["version"] == expected_version else {}
    write, clashes = merge_fields(base, mine, cur, _stored_same)
    if clashes:
        clashes = [
            c._replace(by=by, at=at) for c in clashes for by, at in [_last_change(conn, entity, history_id, c.field)]
        ]
        raise ConflictError(
            [
                Conflict(
                    entity,
                    entity_id,
                    int(expected_version or 0),
                    int(cur["version"]),
                    {c.field: c.mine for c in clashes},
                    dict(cur),
                    clashes,
                )
            ]
        )
    if write:
        res = conn.execute(
            update(table)
            .where(and_(where, table.c.version == cur["version"]))
            .values(**write, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
        )
        if res.rowcount != 1:
            raise _RowMoved
        for fld, new in write.items():
            Store._record(conn, entity, history_id, fld, cur.get(fld), new, "update", editor, now)
    return write


OBSERVATION_KEY = ("indicator_id", "series_id", "group_id", "area", "year")
EVALUATION_SCALE = (1, 2, 3, 4)


def _obs_entity_id(row: Mapping) -> str:
    return "/".join(str(row[k]) for k in OBSERVATION_KEY)


class _CycleMixin:
    engine: Engine

    # observations ---------------------------------------------------------
    def observations(self) -> pd.DataFrame:
        """Every observation (seeded and added) as a DataFrame, in the order they were stored (id)."""
        with self.engine.connect() as conn:
            return pd.DataFrame(
                conn.execute(select(observations).order_by(observations.c.id)).mappings().all(),
                columns=[c.name for c in observations.columns],
            )

    def upsert_observations(self, rows: list[Mapping], editor: Editor | None) -> dict[str, int]:
        """Add or change observations by key (indicator, series, group, area, year) in one transaction.

        Rows must already be validated (see core.io.importer). Returns counts of added/changed/same.
        """
        editor = _require_editor(editor)
        now = _now()
        keys = [_obs_entity_id(r) for r in rows]
        clash = lambda: ConflictError([Conflict("observation", k, 0, -1, {}, {}) for k in keys[:10]])  # noqa: E731
        return _write_retrying(self.engine, lambda conn: self._upsert_observations(conn, rows, editor, now), clash)

    def _upsert_observations(self, conn: Connection, rows: list[Mapping], editor: Editor, now: str) -> dict[str, int]:
        counts = {"added": 0, "changed": 0, "unchanged": 0}
        for r in rows:
            key = {k: r[k] for k in OBSERVATION_KEY}
            cond = and_(*[observations.c[k] == v for k, v in key.items()])
            cur = conn.execute(select(observations).where(cond)).mappings().first()
            vals = {k: r.get(k, "") for k in ("value", "value_as_printed", "flag", "note")}
            vals["value"] = float(r["value"])
            if cur is None:
                res = conn.execute(
                    insert(observations).values(**key, **vals, version=1, updated_at=now, updated_by=editor.name)
                )
                new_id = res.inserted_primary_key[0]
                self._record(conn, "observation", str(new_id), "value", None, vals["value"], "create", editor, now)
                counts["added"] += 1
                continue
            diff = {k: v for k, v in vals.items() if cur[k] != v and not (k != "value" and v in (None, ""))}
            if not diff:
                counts["unchanged"] += 1
                continue
            conn.execute(
                update(observations)
                .where(observations.c.id == cur["id"])
                .values(**diff, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
            )
            for fld, new in diff.items():
                self._record(conn, "observation", str(cur["id"]), fld, cur[fld], new, "update", editor, now)
            counts["changed"] += 1
        return counts

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
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in evaluations.columns])

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
        editor = _require_editor(editor)
        changes_ = [i if isinstance(i, EvaluationChange) else EvaluationChange(*i) for i in items]
        cleaned = [
            (
                c,
                clean_evaluation_values(c.values),
                None if c.base is None else _lenient(clean_evaluation_values, c.base),
                clean_evaluation_values(c.fill or {}),
            )
            for c in changes_
        ]
        now = _now()

        def write(conn: Connection) -> list[int]:
            versions: list[int] = []
            conflicts: list[Conflict] = []
            for change, clean, base, fill in cleaned:
                try:
                    versions.append(self._save_evaluation(conn, change, clean, base, fill, editor, now))
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

        return _write_retrying(self.engine, write, clash, attempts=3)

    def _save_evaluation(
        self,
        conn: Connection,
        change: EvaluationChange,
        clean: dict,
        base: dict | None,
        fill: dict,
        editor: Editor,
        now: str,
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
            res = conn.execute(
                insert(evaluations).values(
                    measure_id=measure_id, year=year, **row, version=1, updated_at=now, updated_by=editor.name
                )
            )
            new_id = res.inserted_primary_key[0]
            for fld, new in row.items():
                self._record(conn, "evaluation", str(new_id), fld, None, new, "create", editor, now)
            return 1
        cur = dict(cur)
        if base is None and not expected_version:  # an older caller that saw no row: it started from empty
            base = dict.fromkeys(clean)
        mine, base = dict(clean), None if base is None else dict(base)
        for fld, value in fill.items():  # a default only where the field is still empty: never a clash
            if fld not in mine and _stored_same(cur.get(fld), None):
                mine[fld] = value
                if base is not None:
                    base[fld] = cur.get(fld)
        written = _merge_update(
            conn,
            evaluations,
            evaluations.c.id == cur["id"],
            cur,
            mine,
            base,
            expected_version,
            entity="evaluation",
            entity_id=measure_id,
            history_id=str(cur["id"]),
            editor=editor,
            now=now,
        )
        return int(cur["version"]) + (1 if written else 0)

    # vuosikello events ----------------------------------------------------
    def events(self, include_deleted: bool = False, plan_id: str | None = None) -> pd.DataFrame:
        """The annual clock's events (of one plan, or of every plan) in calendar order: by first month,
        then title, then id (the same on every database, so a row just saved stays where it was)."""
        q = select(events).order_by(events.c.event_id)
        if plan_id is not None:
            q = q.where(events.c.plan_id == plan_id)
        if not include_deleted:
            q = q.where(events.c.deleted.is_(False))
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
        editor = _require_editor(editor)
        cleaned = [(i, None if i.values is None else clean_event_values(i.values)) for i in items]
        bases = [None if i.base is None else _lenient(clean_event_values, i.base) for i in items]
        now = _now()
        if plan_id is None and any(i.event_id is None for i in items):
            plan_id = self.default_plan_id(_today())

        def write(conn: Connection) -> list[str]:
            ids: list[str] = []
            conflicts: list[Conflict] = []
            guard = _PlanGuard(conn)
            for (item, clean), base in zip(cleaned, bases, strict=True):
                try:
                    ids.append(
                        self._save_event(
                            conn, item.event_id, clean, item.expected_version, editor, now, guard, plan_id, base
                        )
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

        return _write_retrying(self.engine, write, clash)

    def _save_event(
        self,
        conn: Connection,
        event_id: str | None,
        clean: dict | None,
        expected_version: int | None,
        editor: Editor,
        now: str,
        guard: _PlanGuard,
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
            conn.execute(
                insert(events).values(
                    event_id=event_id,
                    **clean,
                    deleted=False,
                    plan_id=plan_id,
                    version=1,
                    updated_at=now,
                    updated_by=editor.name,
                )
            )
            self._record(
                conn, "event", event_id, "*", None, json.dumps(clean, ensure_ascii=False), "create", editor, now
            )
            return event_id
        cur = conn.execute(select(events).where(events.c.event_id == event_id)).mappings().first()
        if cur is None:
            raise NotFound("store.event_not_found", id=event_id)
        cur = dict(cur)
        guard.check(cur["plan_id"])
        if clean is None:  # a removal: only of the row as the editor saw it
            if cur["version"] != expected_version:
                raise ConflictError(
                    [Conflict("event", event_id, expected_version or 0, cur["version"], {"deleted": True}, cur)]
                )
            res = conn.execute(
                update(events)
                .where(and_(events.c.event_id == event_id, events.c.version == cur["version"]))
                .values(deleted=True, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
            )
            if res.rowcount != 1:
                raise _RowMoved
            self._record(conn, "event", event_id, "deleted", cur["deleted"], True, "delete", editor, now)
            return event_id
        _merge_update(
            conn,
            events,
            events.c.event_id == event_id,
            cur,
            clean,
            base,
            expected_version,
            entity="event",
            entity_id=event_id,
            history_id=event_id,
            editor=editor,
            now=now,
        )
        return event_id


def clean_evaluation_values(values: Mapping[str, object]) -> dict:
    """Check an evaluation: rating 1–4 (or empty), comment ≤ 4000, evaluator, date YYYY-MM-DD."""
    out: dict[str, object] = {}
    for fld, raw in values.items():
        if fld == "rating":
            if raw in (None, "") or (isinstance(raw, float) and pd.isna(raw)):
                out[fld] = None
                continue
            try:
                rating = int(float(str(raw)))
            except ValueError as exc:
                raise InvalidEdit("store.rating_not_number", fld, value=raw) from exc
            if rating not in EVALUATION_SCALE:
                raise InvalidEdit("store.rating_range", fld, value=rating)
            out[fld] = rating
        elif fld in ("comment", "evaluator"):
            if fld == "evaluator":
                text = _name_text(raw, fld)
            else:
                text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw).strip()
            limit = MAX_TEXT_LENGTH if fld == "comment" else MAX_CONTACT
            if len(text) > limit:
                raise InvalidEdit("store.too_long", fld, limit=limit)
            out[fld] = text
        elif fld == "evaluated_on":
            text = "" if raw is None else str(raw).strip()[:10]
            if text:
                try:
                    datetime.strptime(text, "%Y-%m-%d")
                except ValueError as exc:
                    raise InvalidEdit("store.date_format", fld, value=text) from exc
            out[fld] = text
        else:
            raise InvalidEdit("store.not_editable", fld, name=fld)
    return out


def parse_months(raw: object) -> list[int]:
    """'3,4' or '3–4' or [3, 4] → [3, 4]; raises InvalidEdit for anything outside 1–12."""
    if isinstance(raw, (list, tuple)):
        parts = [str(x) for x in raw]
    else:
        text = str(raw or "").replace(" ", "")
        parts = []
        for chunk in text.replace(";", ",").split(","):
            if not chunk:
                continue
            if "-" in chunk or "–" in chunk:
                a, b = chunk.replace("–", "-").split("-", 1)
                if not (a.isdigit() and b.isdigit()):
                    raise InvalidEdit("store.months_numbers", "months", value=chunk)
                parts += [str(m) for m in range(int(a), int(b) + 1)]
            else:
                parts.append(chunk)
    months = []
    for p in parts:
        if not p.isdigit() or not 1 <= int(p) <= 12:
            raise InvalidEdit("store.months_numbers", "months", value=p)
        if int(p) not in months:
            months.append(int(p))
    if not months:
        raise InvalidEdit("store.required", "months")
    return sorted(months)


def clean_event_values(values: Mapping[str, object]) -> dict:
    """Check a vuosikello event: title required, months 1–12, lengths."""
    out: dict[str, object] = {}
    for fld, raw in values.items():
        if fld == "months":
            out[fld] = ",".join(str(m) for m in parse_months(raw))
        elif fld in ("title", "owner", "description"):
            if fld == "owner":
                text = _name_text(raw, fld)
            else:
                text = "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw).strip()
            limit = 200 if fld != "description" else MAX_TEXT_LENGTH
            if len(text) > limit:
                raise InvalidEdit("store.too_long", fld, limit=limit)
            out[fld] = text
        else:
            raise InvalidEdit("store.not_editable", fld, name=fld)
    if "title" in out and not out["title"]:
        raise InvalidEdit("store.required", "title")
    return out


class Store(_CycleMixin, ConclusionsMixin):
    """Read and write the working state; one instance per database URL."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.problem: StoreUnavailable | None = None  # set when the store can be read but not written
        if isinstance(engine, Engine) and not event.contains(engine, "handle_error", _translate_db_error):
            event.listen(engine, "handle_error", _translate_db_error)  # (not on the importer's one-transaction wrapper)

    # ---------------------------------------------------------------- set-up
    @classmethod
    def open(cls, url: str | None = None, plan: Plan | None = None) -> Store:
        """Connect, create or upgrade the schema, and seed from ``plan`` if the store is empty.

        An existing SQLite file is never created over: an empty (0-byte), corrupt or foreign file
        raises StoreUnavailable("store.damaged"), an unreachable database "store.unavailable".
        A store that can be read but not written opens with ``problem`` set.
        """
        url = config.store_url(url)
        path = sqlite_file(url)
        # processes starting together: one checks, creates and migrates a new file at a time
        with flock(path.parent if path is not None else None):
            store = cls._open(url, path)
        try:
            if plan is not None:
                store.seed(plan)
        except StoreUnavailable:
            store.close()
            raise
        return store

    @classmethod
    def _open(cls, url: str, path: Path | None) -> Store:
        existed = path is not None and path.exists()
        if existed and path.is_file() and path.stat().st_size == 0:
            log.error("the store's SQLite file is empty (0 bytes); not seeding over it")
            raise StoreUnavailable("store.damaged")
        kwargs: dict = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):  # a write waits this long for a file another process locked
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": float(config.get("sqlite_busy_timeout"))}
        engine = create_engine(url, **kwargs)
        if engine.dialect.name == "postgresql":
            _limit_statements(engine, float(config.get("statement_timeout")))
        store = cls(engine)
        try:
            if existed:
                store.check_existing_file()
            store.migrate()
        except StoreUnavailable:
            engine.dispose()
            raise
        return store

    def check_existing_file(self) -> None:
        """An existing SQLite file must be an intact store of this app (or a database without tables)."""
        with self.engine.connect() as conn:
            verdict = conn.exec_driver_sql("PRAGMA quick_check").scalar()
            tables = set(inspect(conn).get_table_names())
        if str(verdict).lower() != "ok" or (tables and schema_info.name not in tables):
            log.error("the store's SQLite file is damaged or not this app's (quick_check: %s)", str(verdict)[:80])
            raise StoreUnavailable("store.damaged")

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic, ``core/store/migrations``) and record
        the schema version; a store made before migrations is stamped at the baseline first.

        A store that can be read but not written (a read-only file or user) is left as it is:
        ``problem`` says so, and every write raises StoreUnavailable("store.read_only").
        """
        try:
            upgrade_schema(self.engine)
            with self.engine.begin() as conn:
                row = conn.execute(select(schema_info.c.value).where(schema_info.c.key == "schema_version")).first()
                if row is None:
                    conn.execute(insert(schema_info).values(key="schema_version", value=str(SCHEMA_VERSION)))
                elif int(row[0]) < SCHEMA_VERSION:
                    conn.execute(
                        update(schema_info)
                        .where(schema_info.c.key == "schema_version")
                        .values(value=str(SCHEMA_VERSION))
                    )
        except StoreUnavailable as exc:
            if exc.key != "store.read_only" or not self._has_schema():
                raise
            self.problem = exc
            return
        found = self.write_problem()  # only a lasting problem is remembered (not a busy moment)
        self.problem = found if found is not None and found.key == "store.read_only" else None

    def schema_revision(self) -> str | None:
        """The migration the store is at (``alembic_version``), None if never migrated."""
        with self.engine.connect() as conn:
            return current_revision(conn)

    def close(self) -> None:
        """Close the store's connections (a new call opens them again)."""
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[UnitOfWork]:
        """One unit of work: everything done through it commits together at the end of the ``with``
        block, or nothing does (an exception rolls it all back)."""
        with self.engine.begin() as conn:
            yield UnitOfWork(self, conn)

    def _has_schema(self) -> bool:
        with self.engine.connect() as conn:
            return schema_info.name in set(inspect(conn).get_table_names())

    def write_problem(self) -> StoreUnavailable | None:
        """A health check: try a write that changes nothing (rolled back); the problem if it fails."""
        try:
            with self.engine.connect() as conn:
                conn.execute(update(schema_info).where(schema_info.c.key == "-write-check-").values(value=""))
                conn.rollback()
        except StoreUnavailable as exc:
            return exc
        return None

    def is_seeded(self) -> bool:
        """Whether the seed from data/ has been loaded."""
        with self.engine.connect() as conn:
            row = conn.execute(select(schema_info.c.value).where(schema_info.c.key == "seeded_at")).first()
        return row is not None

    # ---------------------------------------------------------------- sign-in failures
    # Written for viewers too (a wrong passcode is typed by someone who is not an editor yet); they
    # are not plan data: no history, no data version.
    def record_signin_failure(self, keys: Iterable[str], at: float, forget_before: float) -> None:
        """Count one wrong passcode under each key (the session's, "server") at ``at`` (epoch seconds);
        failures older than ``forget_before`` are dropped."""
        rows = [{"key": str(k)[:80], "failed_at": float(at)} for k in keys]
        with self.engine.begin() as conn:
            if rows:
                conn.execute(insert(signin_failures), rows)
            conn.execute(delete(signin_failures).where(signin_failures.c.failed_at < forget_before))

    def signin_failure_times(self, keys: Iterable[str], since: float) -> dict[str, list[float]]:
        """Times of the failures under each key since ``since``, oldest first."""
        wanted = [str(k)[:80] for k in keys]
        out: dict[str, list[float]] = {k: [] for k in wanted}
        q = (
            select(signin_failures.c.key, signin_failures.c.failed_at)
            .where(and_(signin_failures.c.key.in_(wanted), signin_failures.c.failed_at >= since))
            .order_by(signin_failures.c.failed_at)
        )
        with self.engine.connect() as conn:
            for key, at in conn.execute(q):
                out[key].append(float(at))
        return out

    def clear_signin_failures(self, key: str) -> None:
        """Forget a session's failures (after it gave the right passcode); the server's count stays."""
        with self.engine.begin() as conn:
            conn.execute(delete(signin_failures).where(signin_failures.c.key == str(key)[:80]))

    def withdraw_signin_failure(self, keys: Iterable[str], at: float) -> None:
        """Take back the failure counted under ``keys`` at ``at`` (a try is counted before the code is
        looked at, so that it is counted at all; a right code or a refused try is then withdrawn)."""
        wanted = [str(k)[:80] for k in keys]
        with self.engine.begin() as conn:
            conn.execute(
                delete(signin_failures).where(
                    and_(signin_failures.c.key.in_(wanted), signin_failures.c.failed_at == float(at))
                )
            )

    # A sign-out ends a day's sign-in token before its time: its id is kept (in the same table, under
    # "signout:<id>" at the token's expiry) until the token would have expired anyway.
    def end_signin_token(self, token_id: str, expires: float) -> None:
        """Record that the sign-in token ``token_id`` (valid until ``expires``) has been signed out."""
        with self.engine.begin() as conn:
            conn.execute(insert(signin_failures).values(key=f"signout:{token_id}"[:80], failed_at=float(expires)))

    def signin_token_ended(self, token_id: str) -> bool:
        """Whether the sign-in token ``token_id`` has been signed out."""
        q = select(signin_failures.c.id).where(signin_failures.c.key == f"signout:{token_id}"[:80]).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(q).first() is not None

    def signin_secret(self) -> str:
        """The key that signs sign-in tokens: made once, kept in the store so every app process agrees.
        Raises StoreUnavailable when it does not exist yet and cannot be written."""
        known = getattr(self, "_signin_secret", None)  # it never changes once made: read once per process
        if known:
            return known
        q = select(schema_info.c.value).where(schema_info.c.key == "signin_secret")
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is not None:
            self._signin_secret = str(row[0])
            return self._signin_secret
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(schema_info).values(key="signin_secret", value=secrets.token_hex(32)))
        except IntegrityError:  # another process made it at the same moment: theirs counts
            pass
        with self.engine.connect() as conn:
            self._signin_secret = str(conn.execute(q).one()[0])
        return self._signin_secret

    def seed(self, plan: Plan, events_rows: Iterable[Mapping] | None = None) -> bool:
        """Load data/ into an empty store (once); return True if it seeded now.

        A store seeded before plans had periods (upgraded by migration 0003) gets its plan's row,
        goals, sub-goals and tiles from ``plan`` here, once."""
        if self.is_seeded():
            self._ensure_first_plan(plan)
            return False
        now = _now()
        try:
            self._seed(plan, events_rows, now)
        except IntegrityError:  # another process seeded the same empty store at the same moment
            if self.is_seeded():
                return False
            raise ConflictError([Conflict("store", "seed", 0, -1, {}, {})]) from None
        return True

    def _seed(self, plan: Plan, events_rows: Iterable[Mapping] | None, now: str) -> None:
        rows = []
        for m in plan.measures:
            d = m.model_dump(mode="json")
            if d["start_year"] is None and d["end_year"] is None and not d["permanent"]:
                s = parse_schedule(d["aikataulu"])
                d.update(start_year=s.start_year, end_year=s.end_year, permanent=s.permanent)
            rows.append({**d, "deleted": False, "version": 1, "updated_at": now, "updated_by": "data/"})
        obs_rows = [
            {**o.model_dump(), "version": 1, "updated_at": now, "updated_by": "data/"} for o in plan.observations
        ]
        ev_rows = list(events_rows or plan.meta.get("_events", []) or [])
        with self.transaction() as uow:
            uow.insert_plan(plan, now)
            uow.insert_measures(rows, plan.plan_id)
            uow.insert_observations(obs_rows)
            uow.insert_events(
                [
                    {**dict(e), "deleted": False, "version": 1, "updated_at": now, "updated_by": "data/"}
                    for e in ev_rows
                ],
                plan.plan_id,
            )
            uow.mark_seeded(now)

    def _ensure_first_plan(self, plan: Plan) -> None:
        """Write ``plan``'s structure into a seeded store that has no plan yet (upgraded from before plans)."""
        with self.engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(plans)).scalar_one():
                return
        try:
            with self.transaction() as uow:
                uow.insert_plan(plan, _now())
        except IntegrityError:  # another process did it at the same moment
            pass

    # ---------------------------------------------------------------- reads
    def data_version(self) -> int:
        """A number that grows with every committed write (for cache keys and live updates).

        The highest change id plus the number of changes: on PostgreSQL a transaction can commit
        after one that took a higher id, which the highest id alone would never show.
        """
        with self.engine.connect() as conn:
            top, count = conn.execute(
                select(func.coalesce(func.max(changes.c.change_id), 0), func.count(changes.c.change_id))
            ).one()
            return int(top) + int(count)

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
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in changes.columns])

    def measures(self, include_deleted: bool = False, plan_id: str | None = None) -> pd.DataFrame:
        """The measures of one plan (or of every plan), not deleted ones unless asked, with version, by id
        (pages sort them into plan order; the store's order is only defined, the same on every database)."""
        q = select(measures).order_by(measures.c.measure_id)
        if plan_id is not None:
            q = q.where(measures.c.plan_id == plan_id)
        if not include_deleted:
            q = q.where(measures.c.deleted.is_(False))
        with self.engine.connect() as conn:
            df = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in measures.columns])
        return df

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

    def history(self, entity: str | None = None, entity_id: str | None = None, limit: int = 1000) -> pd.DataFrame:
        """Recorded changes, newest first."""
        q = select(changes).order_by(changes.c.change_id.desc()).limit(limit)
        if entity:
            q = q.where(changes.c.entity == entity)
        if entity_id:
            q = q.where(changes.c.entity_id == entity_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in changes.columns])

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
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in changes.columns])

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _record(
        conn: Connection,
        entity: str,
        entity_id: str,
        fld: str,
        old: object,
        new: object,
        action: str,
        editor: Editor,
        now: str,
        reverts: int | None = None,
    ) -> None:
        conn.execute(
            insert(changes).values(
                entity=entity,
                entity_id=entity_id,
                field=fld,
                old_value=_text(old),
                new_value=_text(new),
                action=action,
                changed_by=editor.name,
                changed_at=now,
                reverts=reverts,
                session_id=editor.session[:64] or None,
            )
        )

    # ---------------------------------------------------------------- measure writes
    def save_measure_edits(self, edits: list[MeasureEdit], editor: Editor | None) -> int:
        """Apply edits of several measures in one transaction; return the number of fields changed.

        Writes only the fields each edit changed, merged per field with what others saved meanwhile.
        Raises InvalidEdit (nothing saved) or ConflictError listing every field someone else changed
        meanwhile (nothing saved).
        """
        editor = _require_editor(editor)
        now = _now()

        def write(conn: Connection) -> int:
            changed = 0
            conflicts: list[Conflict] = []
            guard = _PlanGuard(conn)
            for e in edits:
                cur = conn.execute(select(measures).where(measures.c.measure_id == e.measure_id)).mappings().first()
                if cur is None or cur["deleted"]:
                    raise NotFound("store.measure_gone", id=e.measure_id)
                cur = dict(cur)
                guard.check(cur["plan_id"])
                clean = clean_measure_values(e.values, cur)
                base = None if e.base is None else _lenient(clean_measure_values, e.base)
                try:
                    written = _merge_update(
                        conn,
                        measures,
                        measures.c.measure_id == e.measure_id,
                        cur,
                        clean,
                        base,
                        e.expected_version,
                        entity="measure",
                        entity_id=e.measure_id,
                        history_id=e.measure_id,
                        editor=editor,
                        now=now,
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

        return _write_retrying(self.engine, write, moved)

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
        editor = _require_editor(editor)
        if plan_id is None:
            plan_id = self.default_plan_id(_today())
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
        now = _now()
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
            conn.execute(
                insert(measures).values(
                    measure_id=measure_id,
                    actor_id=actor_id,
                    subgoal_id=subgoal_id,
                    seq=seq,
                    deleted=False,
                    plan_id=plan_id,
                    version=1,
                    updated_at=now,
                    updated_by=editor.name,
                    **row,
                )
            )
            self._record(
                conn, "measure", measure_id, "*", None, json.dumps(row, ensure_ascii=False), "create", editor, now
            )
            return measure_id

        def clash() -> ConflictError:
            return ConflictError([Conflict("measure", f"{actor_id}-{subgoal_id}-{tried[0]}", 0, -1, row, {})])

        return _write_retrying(self.engine, write, clash)

    def delete_measure(self, measure_id: str, expected_version: int, editor: Editor | None) -> None:
        """Remove a measure (recoverable: it is only marked deleted and recorded)."""
        self._set_deleted(measure_id, expected_version, editor, True)

    def restore_measure(self, measure_id: str, editor: Editor | None) -> None:
        """Bring back a removed measure."""
        cur = self.measure(measure_id)
        self._set_deleted(measure_id, cur["version"], editor, False)

    def _set_deleted(self, measure_id: str, expected_version: int, editor: Editor | None, deleted: bool) -> None:
        editor = _require_editor(editor)
        now = _now()
        with self.engine.begin() as conn:
            cur = conn.execute(select(measures).where(measures.c.measure_id == measure_id)).mappings().first()
            if cur is None:
                raise NotFound("store.measure_not_found", id=measure_id)
            plan_writable(conn, cur["plan_id"])
            if cur["version"] != expected_version:
                raise ConflictError(
                    [Conflict("measure", measure_id, expected_version, cur["version"], {"deleted": deleted}, dict(cur))]
                )
            conn.execute(
                update(measures)
                .where(measures.c.measure_id == measure_id)
                .values(deleted=deleted, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
            )
            self._record(
                conn,
                "measure",
                measure_id,
                "deleted",
                cur["deleted"],
                deleted,
                "delete" if deleted else "restore",
                editor,
                now,
            )

    def revert_change(self, change_id: int, editor: Editor | None) -> None:
        """Undo one recorded field change, if the field still holds the value it was changed to."""
        editor = _require_editor(editor)
        now = _now()
        with self.engine.begin() as conn:
            ch = conn.execute(select(changes).where(changes.c.change_id == change_id)).mappings().first()
            if ch is None:
                raise NotFound("store.change_not_found", id=change_id)
            table, key = {"measure": (measures, "measure_id"), "event": (events, "event_id")}.get(
                ch["entity"], (None, None)
            )
            if ch["entity"] == "evaluation":
                table, key = evaluations, "id"
            if ch["entity"] == "observation":
                table, key = observations, "id"
            if ch["entity"] == "conclusion":  # id '<plan id>/<scope>': the row's two-column key
                table, key = conclusions, "plan_id"
            if table is None or ch["field"] == "*":
                raise InvalidEdit("store.cannot_revert", ch["field"])
            ident: object = int(ch["entity_id"]) if key == "id" else ch["entity_id"]
            where = table.c[key] == ident
            if table is conclusions:
                plan_id, _, scope = str(ch["entity_id"]).rpartition("/")
                where = and_(conclusions.c.plan_id == plan_id, conclusions.c.scope == scope)
            cur = conn.execute(select(table).where(where)).mappings().first()
            if cur is None:
                raise NotFound("store.row_gone")
            if table is measures or table is events:
                plan_writable(conn, cur["plan_id"])
            fld = ch["field"]
            if _text(cur[fld]) != ch["new_value"]:
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
            restored = _restore_type(table.c[fld], ch["old_value"])
            conn.execute(
                update(table)
                .where(where)
                .values({fld: restored, "version": cur["version"] + 1, "updated_at": now, "updated_by": editor.name})
            )
            self._record(
                conn, ch["entity"], ch["entity_id"], fld, cur[fld], restored, "revert", editor, now, reverts=change_id
            )


class UnitOfWork:
    """The writes of one transaction (``Store.transaction()``): import, restore and seed use it, so no
    caller ever holds a database connection. Rows must be checked already (core.io.importer,
    core.io.exporter); every write here lands, or none does."""

    def __init__(self, store: Store, conn: Connection):
        self._store = store
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
        from core.store.plan_rows import plan_rows  # noqa: PLC0415 - plan_rows imports this module's helpers

        for table, rows in plan_rows(plan, now, by):
            self._insert(table, rows)

    def mark_seeded(self, now: str) -> None:
        """Mark the store as filled (from data/ or a backup), so it is never seeded again."""
        self._conn.execute(insert(schema_info).values(key="seeded_at", value=now))

    def record(
        self, entity: str, entity_id: str, fld: str, old: object, new: object, action: str, editor: Editor, now: str
    ) -> None:
        """One line of history (``changes``)."""
        Store._record(self._conn, entity, entity_id, fld, old, new, action, editor, now)

    def upsert_observations(self, rows: list[Mapping], editor: Editor | None) -> dict[str, int]:
        """``Store.upsert_observations`` inside this transaction: a key another writer added meanwhile
        is a ConflictError (the whole unit rolls back), never a retry or a raw IntegrityError."""
        editor = _require_editor(editor)
        try:
            return self._store._upsert_observations(self._conn, rows, editor, _now())
        except IntegrityError:
            raise ConflictError(
                [Conflict("observation", _obs_entity_id(r), 0, -1, {}, {}) for r in rows[:10]]
            ) from None


def _in_plan(rows: Iterable[Mapping], plan_id: str | None) -> list[dict]:
    out = [dict(r) for r in rows]
    for r in out:
        if not r.get("plan_id"):
            if plan_id is None:
                raise ValueError("a measure or event row without its plan")
            r["plan_id"] = plan_id
    return out


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
