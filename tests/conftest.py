"""Shared fixtures: a throw-away database per test session, the mini and real plans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture(scope="session", autouse=True)
def _isolated_database(tmp_path_factory):
    """Point the app's store at a temporary SQLite file so tests never touch .local/."""
    db = tmp_path_factory.mktemp("db") / "test.db"
    old = os.environ.get("KYMLAPSET_DATABASE_URL")
    os.environ["KYMLAPSET_DATABASE_URL"] = f"sqlite:///{db}"
    yield
    if old is None:
        os.environ.pop("KYMLAPSET_DATABASE_URL", None)
    else:
        os.environ["KYMLAPSET_DATABASE_URL"] = old


@pytest.fixture()
def plan_in_force():
    """The session store's plan (data/'s, which has ended and so is read-only) put in force for a test
    that edits it, and ended again afterwards."""
    from core.plan.loader import load_plan
    from core.store import Editor, Store
    from ui.data import default_events

    data_plan = load_plan()
    store = Store.open(os.environ["KYMLAPSET_DATABASE_URL"])
    store.seed(data_plan, events_rows=None if store.is_seeded() else default_events())
    admin = Editor("Ylläpito")
    store.set_plan_state(data_plan.plan_id, "in_force", admin)
    yield data_plan.plan_id
    store.set_plan_state(data_plan.plan_id, str(data_plan.state), admin)
    store.close()


@pytest.fixture(scope="session")
def plan():
    """The real plan from data/."""
    from core.plan.loader import load_plan

    return load_plan()


@pytest.fixture()
def mini_plan():
    """The small fixture plan."""
    from core.plan.loader import load_plan

    return load_plan(MINI)


@pytest.fixture()
def mini_store(mini_plan):
    """A fresh in-memory store seeded from the mini plan."""
    from core.store import Store

    return Store.open("sqlite://", mini_plan)


@pytest.fixture()
def editor():
    """A signed-in editor."""
    from core.store import Editor

    return Editor("Testi")


class PastTheStore:
    """Raw database access for the few tests that must reach past the store on purpose.

    The store (core/store/) is the only code that knows SQLAlchemy, and every other test goes
    through it. These tests need what the store itself never does: put into the database texts
    its checks and cleaning would change (as an older version of the app or a hand-edited data/
    could have left them), or break the database under it (a file that may not grow, a short
    lock timeout) to see the message a user gets. That access lives here, in one place.
    """

    @staticmethod
    def update_measure(store, measure_id: str, **values: object) -> None:
        """Write columns of one measure straight into the store's database, past its checks."""
        from sqlalchemy import update

        from core.store.schema import measures

        with store.engine.begin() as conn:
            conn.execute(update(measures).where(measures.c.measure_id == measure_id).values(**values))

    @staticmethod
    def sqlite_store(path: Path, on_connect=None, **connect_args: object):
        """A Store on the SQLite file ``path`` whose connections are made as given: ``connect_args``
        for the driver (e.g. a short lock ``timeout``), and ``on_connect(dbapi_connection)`` run on
        each new connection (e.g. to stop the file from growing)."""
        import sqlalchemy as sa

        from core.store import Store

        engine = sa.create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, **connect_args})
        if on_connect is not None:
            sa.event.listen(engine, "connect", lambda dbapi_conn, _record: on_connect(dbapi_conn))
        return Store(engine)


@pytest.fixture(scope="session")
def past_the_store() -> PastTheStore:
    """Raw database access past the store, for tests that must write or break what it never would."""
    return PastTheStore()
