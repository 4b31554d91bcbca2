"""Schema migrations (core/store/migrations): a store written by an earlier release opens in this one
with nothing lost, on a real SQLite file and a real PostgreSQL schema.

The earlier releases' store code is kept verbatim in tests/fixtures/old_store/ (``storage_343a1bf.py.txt``:
the last landed release, no ``signin_failures``; ``storage_3b6fd13.py.txt``: main before migrations, which
added that table with create_all; ``storage_0001239.py.txt``: main at migration 0002, before plans had
periods). Each test makes a store with that code, edits it with that code,
then opens it with today's code. PostgreSQL runs when KYMLAPSET_TEST_POSTGRES_URL is set.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from core.store import BASELINE, Editor, MeasureEdit, Store, head_revision
from core.store.testing import postgres_schema, schema_differences, table_names

ROOT = Path(__file__).resolve().parents[2]
OLD = ROOT / "tests" / "fixtures" / "old_store"
RELEASES = ("343a1bf", "3b6fd13", "0001239")
FIRST_PLAN = "kymenlaakso-2020-2025"  # every store written before plans had periods belongs to it


def _old_module(release: str):
    """The store module of an earlier release, loaded under a name of its own."""
    name = f"_old_storage_{release}"
    if name in sys.modules:
        return sys.modules[name]
    # kept as text (.py.txt): a record of what ran then, not code of ours to lint or to share lines with
    loader = importlib.machinery.SourceFileLoader(name, str(OLD / f"storage_{release}.py.txt"))
    spec = importlib.util.spec_from_loader(name, loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with _old_import_paths():
        spec.loader.exec_module(module)
    return module


# Where the modules an earlier release imports live now (core/ was grouped into folders later).
_MOVED = {
    "config": "core.base.config",
    "cells": "core.base.cells",
    "i18n": "core.base.i18n",
    "rules": "core.base.rules",
    "model": "core.plan.model",
    "schedule": "core.plan.schedule",
}


@contextlib.contextmanager
def _old_import_paths():
    """The old module names, only while an old release's file is read (the files stay verbatim)."""
    import core

    for old, new in _MOVED.items():
        sys.modules[f"core.{old}"] = importlib.import_module(new)
        setattr(core, old, sys.modules[f"core.{old}"])
    try:
        yield
    finally:
        for old in _MOVED:
            del sys.modules[f"core.{old}"]
            delattr(core, old)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    with postgres_schema(request.getfixturevalue("postgres_url"), "mig") as schema_url:
        yield schema_url


def _snapshot(store) -> dict[str, pd.DataFrame]:
    """Everything a user's work lives in, sorted so two reads compare equal."""

    def tidy(frame: pd.DataFrame, key: str) -> pd.DataFrame:
        return frame.sort_values(key).reset_index(drop=True)

    return {
        "measures": tidy(store.measures(include_deleted=True), "measure_id"),
        "observations": tidy(store.observations(), "id"),
        "evaluations": tidy(store.evaluations(), "id"),
        "events": tidy(store.events(include_deleted=True), "event_id"),
        "changes": tidy(store.history(limit=100_000), "change_id"),
    }


def _work_with_old_code(old, url: str, mini_plan) -> dict:
    """Make and seed a store with an earlier release's code and edit it the way users do."""
    s = old.Store.open(url, mini_plan)
    ed = old.Editor("Vanha versio")
    first = s.measures().iloc[0]
    s.save_measure_edits(
        [
            old.MeasureEdit(
                first["measure_id"],
                int(first["version"]),
                {"toimenpide": "Muokattu vanhalla versiolla", "status": "käynnissä"},
            )
        ],
        ed,
    )
    new_id = s.add_measure("kymsote", "I.1", {"toimenpide": "Uusi toimenpide ennen päivitystä"}, ed)
    s.delete_measure(new_id, 1, ed)
    s.save_evaluation(
        first["measure_id"],
        2024,
        {"rating": 3, "comment": "Etenee", "evaluator": "Arvioija", "evaluated_on": "2024-12-01"},
        None,
        ed,
    )
    s.save_event(None, {"title": "Työpaja", "months": "3,4", "owner": "Ryhmä", "description": "Kevät"}, None, ed)
    s.upsert_observations(
        [
            {
                "indicator_id": 7,
                "series_id": "",
                "group_id": "lk4_5",
                "area": "kymenlaakso",
                "year": 2023,
                "value": 81.5,
                "value_as_printed": "81,5 %",
                "flag": "",
                "note": "",
            }
        ],
        ed,
    )
    s.revert_change(int(s.history(entity="measure", limit=1000).iloc[-1]["change_id"]), ed)
    if hasattr(s, "record_signin_failure"):
        s.record_signin_failure(["server"], 1_900_000_000.0, 0.0)
    before = _snapshot(s)
    s.engine.dispose()
    return before


@pytest.mark.parametrize("release", RELEASES)
def test_a_store_of_an_earlier_release_opens_with_nothing_lost(release, db_url, mini_plan):
    old = _old_module(release)
    before = _work_with_old_code(old, db_url, mini_plan)
    assert ("alembic_version" in table_names(db_url)) == (release == "0001239")  # migrations since 0001239
    assert ("signin_failures" in table_names(db_url)) == (release != "343a1bf")
    assert "plans" not in table_names(db_url)

    store = Store.open(db_url, mini_plan)  # as the app starts: migrate, and seed only an empty store
    after = _snapshot(store)
    for name, frame in before.items():
        # columns of later migrations stay empty on old rows, except the plan they all belong to
        added = [c for c in after[name].columns if c not in frame.columns and c != "plan_id"]
        assert after[name][added].isna().all().all(), f"{name}: {added} filled on old rows"
        pd.testing.assert_frame_equal(after[name][list(frame.columns)], frame, check_dtype=False, obj=name)
    # everything belongs to the one plan there was, which gets its goals and sub-goals from data/
    assert set(after["measures"]["plan_id"]) == {FIRST_PLAN}
    assert after["measures"]["carried_from"].isna().all()
    assert set(after["events"]["plan_id"]) == {FIRST_PLAN}
    assert [p.plan_id for p in store.plans()] == [FIRST_PLAN]
    plan = store.load_plan(FIRST_PLAN)
    assert [g.goal_id for g in plan.goals] == [g.goal_id for g in mini_plan.goals]
    assert len(plan.subgoals) == len(mini_plan.subgoals)
    assert len(plan.subgoal_indicators) == len(mini_plan.subgoal_indicators)
    assert len(store.measures(plan_id=FIRST_PLAN, include_deleted=True)) == len(before["measures"])
    assert len(store.evaluations(plan_id=FIRST_PLAN)) == len(before["evaluations"])
    assert store.schema_revision() == head_revision()
    assert schema_differences(db_url) == []  # the same tables as a store made today
    if release != "343a1bf":
        assert store.signin_failure_times(["server"], 0.0) == {"server": [1_900_000_000.0]}

    # the upgraded store works as a new one: edits, history, the new table
    ed = Editor("Uusi versio")
    row = store.measure(before["measures"].iloc[0]["measure_id"])
    assert store.save_measure_edits([MeasureEdit(row["measure_id"], row["version"], {"mittari": "Uusi"})], ed) == 1
    assert store.history(limit=1).iloc[0]["changed_by"] == "Uusi versio"
    store.record_signin_failure(["s1"], 1_900_000_100.0, 0.0)
    assert store.signin_failure_times(["s1"], 0.0) == {"s1": [1_900_000_100.0]}
    store.close()

    again = Store.open(db_url, mini_plan)  # a second start changes nothing
    assert again.schema_revision() == head_revision()
    assert len(again.measures(include_deleted=True)) == len(before["measures"])
    again.close()


def test_a_new_store_is_made_by_the_migrations(db_url, mini_plan):
    store = Store.open(db_url, mini_plan)
    assert store.schema_revision() == head_revision() != BASELINE
    assert schema_differences(db_url) == []  # migrations and core/store/schema.py agree
    assert {
        "measures",
        "observations",
        "evaluations",
        "events",
        "changes",
        "schema_info",
        "signin_failures",
        "alembic_version",
    } <= table_names(db_url)
    assert len(store.measures()) == len(mini_plan.measures)
    store.close()


def test_processes_starting_at_once_on_a_new_store_all_open_it(db_url):
    """Several app processes start together on an empty database: one migrates and seeds, the others
    wait for the lock and find the store ready; none fails."""
    code = (
        "import sys; from core.plan.loader import load_plan; from core.store import Store; "
        "s = Store.open(sys.argv[1], load_plan(sys.argv[2])); print(len(s.measures()), s.schema_revision())"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url, str(ROOT / "tests" / "fixtures" / "mini")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-2000:]
    assert len({out.strip() for out, _ in outs}) == 1
    assert outs[0][0].split()[1] == head_revision()


def test_a_store_at_head_is_not_written_on_open(tmp_path, mini_plan):
    """Opening a migrated store only reads the schema version: a read-only copy still opens."""
    path = tmp_path / "ro.db"
    Store.open(f"sqlite:///{path}", mini_plan).close()
    path.chmod(0o444)
    try:
        store = Store.open(f"sqlite:///{path}")
        assert store.schema_revision() == head_revision()
        assert len(store.measures()) == len(mini_plan.measures)
        store.close()
    finally:
        path.chmod(0o644)


def test_migrations_inside_the_package_only():
    """Every migration sits in core/store/migrations/versions and chains from the baseline."""
    from core.store.migrate import script_directory

    revisions = list(script_directory().walk_revisions())
    assert revisions[-1].revision == BASELINE
    assert len(script_directory().get_heads()) == 1
    for rev in revisions:
        assert Path(rev.path).parent == ROOT / "core" / "store" / "migrations" / "versions"
