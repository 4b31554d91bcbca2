"""The store: the one code that reads and writes the working state, through SQLAlchemy.

Default: a SQLite file in the git-ignored ``.local/`` folder, created and seeded from data/ on
first start. Any SQLAlchemy URL (e.g. PostgreSQL) can be given instead. Every write is one
transaction; every change is recorded in ``changes`` (who, when, field, old → new); every
editable row carries a ``version`` for optimistic concurrency, so a save over a row that
changed since it was loaded raises ``ConflictError`` instead of overwriting silently.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

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

from core import config
from core.cells import clean_control_chars
from core.i18n import CATALOGUE, DEFAULT_LANG, Msg, t
from core.model import (
    MAX_CONTACT_LENGTH,
    MAX_TEXT_LENGTH,
    MEASURE_TEXT_FIELDS,
    MEASURE_YEAR_MAX,
    MEASURE_YEAR_MIN,
    MeasureStatus,
    Plan,
    RowKind,
)
from core.rules import parse_yes_no
from core.schedule import parse_schedule
from core.store.migrate import current_revision, flock, upgrade_schema
from core.store.schema import (
    changes,
    evaluations,
    events,
    measures,
    observations,
    schema_info,
    signin_failures,
)

SCHEMA_VERSION = 2

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
    "store.write_failed",
)
_STORE_PROBLEMS = (
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
    """One row that changed since the editor loaded it: their values vs the stored ones."""

    entity: str
    entity_id: str
    expected_version: int
    current_version: int
    mine: dict
    current: dict


class ConflictError(StoreError):
    """A save over rows that changed meanwhile; nothing was saved."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__("store.conflict", ids=", ".join(c.entity_id for c in conflicts))
        self.conflicts = conflicts


@dataclass(frozen=True)
class Editor:
    """Who is writing: a verified editor's display name (goes into the history)."""

    name: str
    can_edit: bool = True


@dataclass
class MeasureEdit:
    """Changed fields of one measure, with the version the editor saw."""

    measure_id: str
    expected_version: int
    values: dict = field(default_factory=dict)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
            text = (
                ""
                if raw is None or (isinstance(raw, float) and pd.isna(raw))
                else clean_control_chars(str(raw)).strip()
            )
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
                out[fld] = parse_yes_no(raw)  # the model's rule (core.rules)
            except ValueError as exc:
                raise InvalidEdit("store.not_allowed", fld, value=raw) from exc
    merged = {**(current or {}), **out}
    start, end = merged.get("start_year"), merged.get("end_year")
    if start is not None and end is not None and int(end) < int(start):
        raise InvalidEdit("store.end_before_start", "end_year")
    if merged.get("row_kind", "measure") == "measure" and "toimenpide" in out and not out["toimenpide"]:
        raise InvalidEdit("store.required", "toimenpide")
    return out


# ------------------------------------------------------------------------------------------
# Simultaneous creates. A new row's id or key is computed inside its transaction from what is
# already stored (measure ``actor-subgoal-seq``, event ``e<n>``, evaluation measure+year), so two
# writers at the same moment can pick the same one: the later INSERT fails on the unique key once
# the first commits. The whole write then runs again in a fresh transaction, which sees the
# winner's row (a new id, or for an evaluation a ConflictError with the stored values), a bounded
# number of times; a clash that remains becomes a ConflictError, never a raw IntegrityError.

CREATE_ATTEMPTS = 25
T = TypeVar("T")


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
        except IntegrityError:
            if attempt + 1 >= attempts:
                raise clash() from None
            time.sleep(random.uniform(0, 0.003 * (attempt + 1)))  # noqa: S311 - spreads the losers' next tries
    raise AssertionError("unreachable")


# ------------------------------------------------------------------------------------------
# Observations, evaluations and vuosikello events: the yearly cycle (same guarantees).


@dataclass
class EventChange:
    """One vuosikello row to save: values None removes it; event_id None creates it."""

    event_id: str | None
    values: Mapping[str, object] | None
    expected_version: int | None = None


OBSERVATION_KEY = ("indicator_id", "series_id", "group_id", "area", "year")
EVALUATION_SCALE = (1, 2, 3, 4)


def _obs_entity_id(row: Mapping) -> str:
    return "/".join(str(row[k]) for k in OBSERVATION_KEY)


class _CycleMixin:
    engine: Engine

    # observations ---------------------------------------------------------
    def observations(self) -> pd.DataFrame:
        """Every observation (seeded and added) as a DataFrame."""
        with self.engine.connect() as conn:
            return pd.DataFrame(
                conn.execute(select(observations)).mappings().all(), columns=[c.name for c in observations.columns]
            )

    def upsert_observations(self, rows: list[Mapping], editor: Editor | None) -> dict[str, int]:
        """Add or change observations by key (indicator, series, group, area, year) in one transaction.

        Rows must already be validated (see core.importer). Returns counts of added/changed/same.
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
    def evaluations(self, year: int | None = None) -> pd.DataFrame:
        """Annual evaluations of measures (optionally one year's)."""
        q = select(evaluations)
        if year is not None:
            q = q.where(evaluations.c.year == year)
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
        self, items: list[tuple[str, int, Mapping[str, object], int | None]], editor: Editor | None
    ) -> list[int]:
        """Save several evaluations (measure, year, values, version seen) in ONE transaction.

        Every row is checked first (InvalidEdit names the field); if any row changed since the
        evaluator saw it, ConflictError lists all such rows and nothing is saved.
        """
        editor = _require_editor(editor)
        cleaned = [(m, int(y), clean_evaluation_values(v), ver) for m, y, v, ver in items]
        now = _now()

        def write(conn: Connection) -> list[int]:
            versions: list[int] = []
            conflicts: list[Conflict] = []
            for measure_id, year, clean, expected in cleaned:
                try:
                    versions.append(self._save_evaluation(conn, measure_id, year, clean, expected, editor, now))
                except ConflictError as exc:
                    conflicts += exc.conflicts
            if conflicts:
                raise ConflictError(conflicts)  # rolls the whole batch back
            return versions

        # Two first evaluations of one measure and year are the same row: the later INSERT clashes,
        # and the second try finds the row and raises the usual ConflictError (keep mine / theirs).
        def clash() -> ConflictError:
            creates = [c for c in cleaned if not c[3]] or cleaned
            return ConflictError([Conflict("evaluation", m, ver or 0, -1, clean, {}) for m, _y, clean, ver in creates])

        return _write_retrying(self.engine, write, clash, attempts=3)

    def _save_evaluation(
        self,
        conn: Connection,
        measure_id: str,
        year: int,
        clean: dict,
        expected_version: int | None,
        editor: Editor,
        now: str,
    ) -> int:
        if conn.execute(select(measures.c.measure_id).where(measures.c.measure_id == measure_id)).first() is None:
            raise InvalidEdit("store.unknown_measure", "measure_id", id=measure_id)
        cond = and_(evaluations.c.measure_id == measure_id, evaluations.c.year == year)
        cur = conn.execute(select(evaluations).where(cond)).mappings().first()
        if cur is None:
            if expected_version not in (None, 0):
                raise ConflictError([Conflict("evaluation", measure_id, expected_version or 0, 0, clean, {})])
            res = conn.execute(
                insert(evaluations).values(
                    measure_id=measure_id, year=year, **clean, version=1, updated_at=now, updated_by=editor.name
                )
            )
            new_id = res.inserted_primary_key[0]
            for fld, new in clean.items():
                self._record(conn, "evaluation", str(new_id), fld, None, new, "create", editor, now)
            return 1
        if expected_version is None or cur["version"] != expected_version:
            raise ConflictError(
                [Conflict("evaluation", measure_id, expected_version or 0, cur["version"], clean, dict(cur))]
            )
        diff = {k: v for k, v in clean.items() if cur[k] != v}
        if not diff:
            return int(cur["version"])
        conn.execute(
            update(evaluations)
            .where(evaluations.c.id == cur["id"])
            .values(**diff, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
        )
        for fld, new in diff.items():
            self._record(conn, "evaluation", str(cur["id"]), fld, cur[fld], new, "update", editor, now)
        return int(cur["version"]) + 1

    # vuosikello events ----------------------------------------------------
    def events(self, include_deleted: bool = False) -> pd.DataFrame:
        """The annual clock's events."""
        q = select(events)
        if not include_deleted:
            q = q.where(events.c.deleted.is_(False))
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in events.columns])

    def save_event(
        self, event_id: str | None, values: Mapping[str, object], expected_version: int | None, editor: Editor | None
    ) -> str:
        """Create (event_id None) or update a vuosikello event; return its id."""
        return self.save_events([EventChange(event_id, values, expected_version)], editor)[0]

    def delete_event(self, event_id: str, expected_version: int, editor: Editor | None) -> None:
        """Remove a vuosikello event (recoverable through history revert)."""
        self.save_events([EventChange(event_id, None, expected_version)], editor)

    def save_events(self, items: list[EventChange], editor: Editor | None) -> list[str]:
        """Create, update and remove vuosikello events in ONE transaction; return their ids.

        Every row is checked first; if any row changed since the editor saw it, ConflictError
        lists all such rows and nothing is saved.
        """
        editor = _require_editor(editor)
        cleaned = [(i, None if i.values is None else clean_event_values(i.values)) for i in items]
        now = _now()

        def write(conn: Connection) -> list[str]:
            ids: list[str] = []
            conflicts: list[Conflict] = []
            for item, clean in cleaned:
                try:
                    ids.append(self._save_event(conn, item.event_id, clean, item.expected_version, editor, now))
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
    ) -> str:
        if event_id is None:
            if clean is None:
                raise InvalidEdit("store.event_not_selected", "event_id")
            # the next free e<n>; a writer that took the same one meanwhile makes the INSERT clash,
            # and save_events tries again in a new transaction that sees its row
            n = conn.execute(select(func.count()).select_from(events)).scalar_one()
            event_id = f"e{n + 1}"
            while conn.execute(select(events.c.event_id).where(events.c.event_id == event_id)).first():
                n += 1
                event_id = f"e{n + 1}"
            conn.execute(
                insert(events).values(
                    event_id=event_id, **clean, deleted=False, version=1, updated_at=now, updated_by=editor.name
                )
            )
            self._record(
                conn, "event", event_id, "*", None, json.dumps(clean, ensure_ascii=False), "create", editor, now
            )
            return event_id
        cur = conn.execute(select(events).where(events.c.event_id == event_id)).mappings().first()
        if cur is None:
            raise NotFound("store.event_not_found", id=event_id)
        if cur["version"] != expected_version:
            raise ConflictError(
                [
                    Conflict(
                        "event",
                        event_id,
                        expected_version or 0,
                        cur["version"],
                        clean if clean is not None else {"deleted": True},
                        dict(cur),
                    )
                ]
            )
        diff = {"deleted": True} if clean is None else {k: v for k, v in clean.items() if cur[k] != v}
        if diff:
            conn.execute(
                update(events)
                .where(events.c.event_id == event_id)
                .values(**diff, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
            )
            for fld, new in diff.items():
                self._record(
                    conn, "event", event_id, fld, cur[fld], new, "delete" if clean is None else "update", editor, now
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


class Store(_CycleMixin):
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
        url = url or str(config.get("database_url") or "") or config.default_sqlite_url()
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
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        engine = create_engine(url, **kwargs)
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
        """Load data/ into an empty store (once); return True if it seeded now."""
        if self.is_seeded():
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
            uow.insert_measures(rows)
            uow.insert_observations(obs_rows)
            uow.insert_events(
                [{**dict(e), "deleted": False, "version": 1, "updated_at": now, "updated_by": "data/"} for e in ev_rows]
            )
            uow.mark_seeded(now)

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

    def measures(self, include_deleted: bool = False) -> pd.DataFrame:
        """All measures (not deleted ones unless asked) as a DataFrame, with version."""
        q = select(measures)
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
            )
        )

    # ---------------------------------------------------------------- measure writes
    def save_measure_edits(self, edits: list[MeasureEdit], editor: Editor | None) -> int:
        """Apply edits of several measures in one transaction; return the number of fields changed.

        Raises InvalidEdit (nothing saved) or ConflictError listing every row that changed since
        the editor's version (nothing saved).
        """
        editor = _require_editor(editor)
        now = _now()
        changed = 0
        with self.engine.begin() as conn:
            conflicts: list[Conflict] = []
            plans: list[tuple[dict, dict]] = []
            for e in edits:
                cur = conn.execute(select(measures).where(measures.c.measure_id == e.measure_id)).mappings().first()
                if cur is None or cur["deleted"]:
                    raise NotFound("store.measure_gone", id=e.measure_id)
                cur = dict(cur)
                clean = clean_measure_values(e.values, cur)
                diff = {k: v for k, v in clean.items() if cur.get(k) != v}
                if not diff:
                    continue
                if cur["version"] != e.expected_version:
                    # a conflict only where the other person changed what this person changed
                    conflicts.append(Conflict("measure", e.measure_id, e.expected_version, cur["version"], diff, cur))
                    continue
                plans.append((cur, diff))
            if conflicts:
                raise ConflictError(conflicts)
            for cur, diff in plans:
                res = conn.execute(
                    update(measures)
                    .where(and_(measures.c.measure_id == cur["measure_id"], measures.c.version == cur["version"]))
                    .values(**diff, version=cur["version"] + 1, updated_at=now, updated_by=editor.name)
                )
                if res.rowcount != 1:  # changed between our read and write (another process)
                    raise ConflictError([Conflict("measure", cur["measure_id"], cur["version"], -1, diff, cur)])
                for fld, new in diff.items():
                    self._record(conn, "measure", cur["measure_id"], fld, cur.get(fld), new, "update", editor, now)
                    changed += 1
        return changed

    def add_measure(
        self,
        actor_id: str,
        subgoal_id: str,
        values: Mapping[str, object],
        editor: Editor | None,
        known_actors: Iterable[str] | None = None,
        known_subgoals: Iterable[str] | None = None,
    ) -> str:
        """Create a measure for an actor and sub-goal; return its id (actor-subgoal-seq)."""
        editor = _require_editor(editor)
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
            if table is None or ch["field"] == "*":
                raise InvalidEdit("store.cannot_revert", ch["field"])
            col_key = table.c[key]
            ident: object = int(ch["entity_id"]) if key == "id" else ch["entity_id"]
            cur = conn.execute(select(table).where(col_key == ident)).mappings().first()
            if cur is None:
                raise NotFound("store.row_gone")
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
                .where(col_key == ident)
                .values({fld: restored, "version": cur["version"] + 1, "updated_at": now, "updated_by": editor.name})
            )
            self._record(
                conn, ch["entity"], ch["entity_id"], fld, cur[fld], restored, "revert", editor, now, reverts=change_id
            )


class UnitOfWork:
    """The writes of one transaction (``Store.transaction()``): import, restore and seed use it, so no
    caller ever holds a database connection. Rows must be checked already (core.importer,
    core.exporter); every write here lands, or none does."""

    def __init__(self, store: Store, conn: Connection):
        self._store = store
        self._conn = conn

    def is_empty(self) -> bool:
        """No measures, observations, evaluations or events, and never seeded (a restore's target)."""
        used = sum(
            self._conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (measures, observations, evaluations, events)
        )
        seeded = self._conn.execute(select(schema_info.c.value).where(schema_info.c.key == "seeded_at")).first()
        return not used and seeded is None

    def _insert(self, table, rows: Iterable[Mapping]) -> int:
        rows = [dict(r) for r in rows]
        if rows:
            self._conn.execute(insert(table), rows)
        return len(rows)

    def insert_measures(self, rows: Iterable[Mapping]) -> int:
        """Insert whole measure rows (every column, with version and audit fields); return the count."""
        return self._insert(measures, rows)

    def insert_observations(self, rows: Iterable[Mapping]) -> int:
        """Insert whole observation rows; return the count."""
        return self._insert(observations, rows)

    def insert_evaluations(self, rows: Iterable[Mapping]) -> int:
        """Insert whole evaluation rows; return the count."""
        return self._insert(evaluations, rows)

    def insert_events(self, rows: Iterable[Mapping]) -> int:
        """Insert whole vuosikello event rows; return the count."""
        return self._insert(events, rows)

    def measure_rows(self) -> list[dict]:
        """Every stored measure row (deleted ones too), as plain dicts."""
        return [dict(r) for r in self._conn.execute(select(measures)).mappings().all()]

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
