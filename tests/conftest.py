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


@pytest.fixture(scope="session")
def plan():
    """The real plan from data/."""
    from core.loader import load_plan

    return load_plan()


@pytest.fixture()
def mini_plan():
    """The small fixture plan."""
    from core.loader import load_plan

    return load_plan(MINI)


@pytest.fixture()
def mini_store(mini_plan):
    """A fresh in-memory store seeded from the mini plan."""
    from core.storage import Store

    return Store.open("sqlite://", mini_plan)


@pytest.fixture()
def editor():
    """A signed-in editor."""
    from core.storage import Editor

    return Editor("Testi")
