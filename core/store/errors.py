"""The store's refusals and what a database failure becomes: ``StoreError`` and its family, the
conflict of a save over rows that changed meanwhile, and the translation of a driver's error into
``StoreUnavailable`` (its text — SQL, parameters, file paths — is never shown)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from core.base.errors import InvalidEdit, StoreError, field_label
from core.store.edits import FieldClash

__all__ = [
    "STORE_PROBLEM_KEYS",
    "Conflict",
    "ConflictError",
    "DatabaseError",
    "InvalidEdit",
    "NotFound",
    "PermissionDenied",
    "StoreError",
    "StoreUnavailable",
    "field_label",
    "limit_statements",
    "store_problem_key",
    "translate_db_error",
]

log = logging.getLogger("kymlapset.storage")


class NotFound(StoreError):
    """The row does not exist (any more)."""


class PermissionDenied(StoreError):
    """The caller is not an editor."""


class StoreUnavailable(StoreError):
    """The store cannot be opened, read or written (damaged, read-only, full, busy, unreachable).

    Raised instead of the database driver's error, whose text (SQL, parameters, file paths) is
    never shown; nothing was saved. ``key`` says what happened (``store.damaged``…).
    """


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


def translate_db_error(context) -> None:
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


def limit_statements(engine: Engine, seconds: float) -> None:
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
