"""Fixtures of the core tests: the mini plan's store on each database."""

from __future__ import annotations

import os

import pytest

from core.store import Store
from core.store.testing import postgres_schema


@pytest.fixture()
def postgres_url() -> str:
    """The test PostgreSQL server's URL; without one the test is skipped (and fails in CI, which must have one)."""
    url = os.environ.get("KYMLAPSET_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the storage tests against PostgreSQL: KYMLAPSET_TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server (set KYMLAPSET_TEST_POSTGRES_URL)")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, mini_plan, tmp_path):
    """The mini plan's store on SQLite and, when a server is given, on PostgreSQL (a module may define its own)."""
    if request.param == "sqlite":
        s = Store.open(f"sqlite:///{tmp_path / 'store.db'}", mini_plan)
        yield s
        s.close()
        return
    with postgres_schema(request.getfixturevalue("postgres_url")) as schema_url:
        s = Store.open(schema_url, mini_plan)
        yield s
        s.close()
