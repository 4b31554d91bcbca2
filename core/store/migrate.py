"""Schema migrations: Alembic, run from code when a store opens (no alembic.ini needed at runtime).

``upgrade_schema(engine)`` brings any store to the newest schema (``head``):

- an empty database gets every migration from the baseline on;
- a store made before migrations existed (the app's tables but no ``alembic_version``) is
  stamped at the baseline — the schema of release 343a1bf — and then upgraded; a later
  migration that adds what such a store may already have (``signin_failures``) checks first;
- a store at head is left as it is (nothing is written).

Two processes starting at once never migrate at the same time: on PostgreSQL the upgrade runs
under a transaction-wide advisory lock (per schema); on SQLite under an exclusive ``flock`` of
the database file (the second waits, then finds the store at head); ``Store.open`` also holds one
on the file's folder while it checks, creates and migrates a file, so a second process never
mistakes the first one's new, still empty file for a damaged store.

A maintainer adds a migration with ``alembic -c core/store/alembic.ini revision -m "what"``
(see README, "Schema migrations").
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from core.store.urls import sqlite_file

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("kymlapset.storage")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001_baseline"
APP_TABLE = "schema_info"  # every store of this app, since the first release, has it
_PG_LOCK_KEY = 741_2020  # advisory lock class id: "the store's schema upgrade"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations inside this package (and at ``connection``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@lru_cache(maxsize=1)
def script_directory() -> ScriptDirectory:
    """The migrations folder as Alembic reads it (read once per process)."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """The newest migration's id."""
    head = script_directory().get_current_head()
    assert head is not None
    return head


def current_revision(conn: Connection) -> str | None:
    """The revision recorded in the database, or None (never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()


@contextlib.contextmanager
def flock(path: Path | None) -> Iterator[None]:
    """Hold an exclusive ``flock`` on a file or folder (independent of SQLite's own locks) while in
    the block; another process (or thread) doing the same waits. No lock where there is no ``fcntl``
    or the path cannot be opened."""
    if fcntl is None or path is None:
        yield
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _sqlite_path(engine: Engine) -> Path | None:
    return sqlite_file(engine.url.render_as_string(hide_password=False))


def _upgrade(conn: Connection) -> bool:
    """Stamp a pre-migrations store at the baseline and upgrade to head; True if anything was run."""
    rev = current_revision(conn)
    if rev == head_revision():
        return False
    cfg = alembic_config(conn)
    if rev is None and APP_TABLE in set(inspect(conn).get_table_names()):
        log.info("store made before schema migrations: stamping the baseline %s", BASELINE)
        command.stamp(cfg, BASELINE)
    command.upgrade(cfg, "head")
    return True


def upgrade_schema(engine: Engine) -> bool:
    """Bring the store at ``engine`` to the newest schema; True if a migration ran (or a stamp)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            # released at the end of this transaction; a second process waits here, then sees head
            conn.execute(text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": _PG_LOCK_KEY})
            return _upgrade(conn)
    if engine.dialect.name == "sqlite":
        with engine.connect() as first:  # creates the file of a new store, so it can be locked
            if current_revision(first) == head_revision():
                return False
        with flock(_sqlite_path(engine)), engine.begin() as conn:
            return _upgrade(conn)
    with engine.begin() as conn:
        return _upgrade(conn)
