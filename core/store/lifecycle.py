"""A store's life: opening one (a SQLite file is never created over a damaged one), bringing its
schema to the newest migration, seeding it from data/ once, health checks, the unit of work and
closing it."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, insert, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from core.base import config
from core.plan.model import Plan
from core.plan.schedule import parse_schedule
from core.store.errors import Conflict, ConflictError, StoreUnavailable, limit_statements
from core.store.migrate import current_revision, flock, upgrade_schema
from core.store.schema import plans, schema_info
from core.store.unit import UnitOfWork
from core.store.urls import sqlite_file
from core.store.writes import utc_now

SCHEMA_VERSION = 3

log = logging.getLogger("kymlapset.storage")


class LifecycleMixin:
    """Opening, migrating, seeding and closing the Store (``Store`` mixes this in)."""

    engine: Engine
    problem: StoreUnavailable | None

    @classmethod
    def open(cls, url: str | None = None, plan: Plan | None = None):  # noqa: ANN206 - the Store class itself
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
    def _open(cls, url: str, path: Path | None):  # noqa: ANN206 - the Store class itself
        existed = path is not None and path.exists()
        if existed and path.is_file() and path.stat().st_size == 0:
            log.error("the store's SQLite file is empty (0 bytes); not seeding over it")
            raise StoreUnavailable("store.damaged")
        kwargs: dict = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):  # a write waits this long for a file another process locked
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": float(config.get("sqlite_busy_timeout"))}
        engine = create_engine(url, **kwargs)
        if engine.dialect.name == "postgresql":
            limit_statements(engine, float(config.get("statement_timeout")))
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
            yield UnitOfWork(conn)

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

    def seed(self, plan: Plan, events_rows: Iterable[Mapping] | None = None) -> bool:
        """Load data/ into an empty store (once); return True if it seeded now.

        A store seeded before plans had periods (upgraded by migration 0003) gets its plan's row,
        goals, sub-goals and tiles from ``plan`` here, once."""
        if self.is_seeded():
            self._ensure_first_plan(plan)
            return False
        now = utc_now()
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
                uow.insert_plan(plan, utc_now())
        except IntegrityError:  # another process did it at the same moment
            pass
