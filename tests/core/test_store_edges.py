"""The store at the edges: sign-in failures shared by app processes, and a broken store.

SQLite always, PostgreSQL when KYMLAPSET_TEST_POSTGRES_URL is set (as in test_storage.py).
"""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from core.store import (
    STORE_PROBLEM_KEYS,
    Editor,
    MeasureEdit,
    Store,
    StoreError,
    StoreUnavailable,
    sqlite_file,
    store_problem_key,
)
from core.store.testing import postgres_schema, read_only_url

ED = Editor("Testaaja")


@pytest.fixture()
def pg_schema(postgres_url):
    """A schema of its own on the test PostgreSQL server: yields a URL whose connections use it."""
    with postgres_schema(postgres_url) as schema_url:
        yield schema_url


# ------------------------------------------------------------------ sign-in failures
def test_signin_failures_are_counted_per_key_and_forgotten(store):
    version = store.data_version()
    store.record_signin_failure(["s1", "server"], 1000.0, forget_before=0)
    store.record_signin_failure(["s1", "server"], 1001.5, forget_before=0)
    store.record_signin_failure(["s2", "server"], 1002.0, forget_before=0)
    times = store.signin_failure_times(["s1", "s2", "server", "s3"], since=0)
    assert times == {"s1": [1000.0, 1001.5], "s2": [1002.0], "server": [1000.0, 1001.5, 1002.0], "s3": []}
    assert store.signin_failure_times(["server"], since=1001.0) == {"server": [1001.5, 1002.0]}
    store.clear_signin_failures("s1")  # the right passcode: the session starts afresh, the server count stays
    assert store.signin_failure_times(["s1", "server"], since=0) == {"s1": [], "server": [1000.0, 1001.5, 1002.0]}
    store.record_signin_failure(["s2", "server"], 5000.0, forget_before=1001.8)  # old ones are dropped
    assert store.signin_failure_times(["s2", "server"], since=0) == {"s2": [1002.0, 5000.0], "server": [1002.0, 5000.0]}
    assert store.data_version() == version  # not plan data: no history, no new data version
    assert store.history().empty or "signin" not in set(store.history()["entity"])


def test_a_viewer_may_count_a_failure(store):
    store.record_signin_failure(["viewer-session", "server"], 10.0, forget_before=0)  # no Editor needed
    assert store.signin_failure_times(["viewer-session"], 0)["viewer-session"] == [10.0]


def test_a_try_counted_before_its_code_is_looked_at_can_be_withdrawn(store):
    store.record_signin_failure(["client:1.2.3.4", "session:a", "server"], 100.25, forget_before=0)
    store.record_signin_failure(["client:1.2.3.4", "session:b", "server"], 101.5, forget_before=0)
    store.withdraw_signin_failure(["client:1.2.3.4", "session:b", "server"], 101.5)  # the right code
    times = store.signin_failure_times(["client:1.2.3.4", "session:a", "session:b", "server"], since=0)
    assert times == {"client:1.2.3.4": [100.25], "session:a": [100.25], "session:b": [], "server": [100.25]}


def test_a_signed_out_token_stays_ended_and_the_secret_is_made_once(store, tmp_path):
    secret = store.signin_secret()
    assert len(secret) == 64 and store.signin_secret() == secret  # every process reads the same one
    assert not store.signin_token_ended("abc123")
    store.end_signin_token("abc123", expires=10_000.0)
    assert store.signin_token_ended("abc123") and not store.signin_token_ended("abc124")
    # kept until the token would have expired anyway, then dropped with old failures
    store.record_signin_failure(["server"], 9000.0, forget_before=9000.0 - 3600)
    assert store.signin_token_ended("abc123")
    store.record_signin_failure(["server"], 14000.0, forget_before=14000.0 - 3600)
    assert not store.signin_token_ended("abc123")
    assert store.signin_failure_times(["server"], 0) == {"server": [14000.0]}  # sign-outs are no failures


# ------------------------------------------------------------------ opening a store
def test_a_missing_file_is_created_and_seeded(tmp_path, mini_plan):
    path = tmp_path / "new" / "plan.db"
    path.parent.mkdir()
    s = Store.open(f"sqlite:///{path}", mini_plan)
    assert path.stat().st_size > 0 and s.is_seeded() and s.problem is None
    assert len(s.measures()) == len(mini_plan.measures)
    again = Store.open(f"sqlite:///{path}", mini_plan)  # an existing store of this app opens as it is
    assert again.problem is None and len(again.measures()) == len(mini_plan.measures)


def _refused(url: str, plan) -> StoreUnavailable:
    with pytest.raises(StoreUnavailable) as info:
        Store.open(url, plan)
    return info.value


def test_an_emptied_file_is_refused_not_seeded_over(tmp_path, mini_plan):
    path = tmp_path / "plan.db"
    path.write_bytes(b"")
    exc = _refused(f"sqlite:///{path}", mini_plan)
    assert exc.key == "store.damaged"
    assert "vioittunut, tyhjä" in exc.text("fi") and "restore a backup" in exc.text("en")
    assert path.read_bytes() == b""  # nothing was written over it


def test_a_corrupt_file_is_refused_and_left_as_it_is(tmp_path, mini_plan):
    path = tmp_path / "plan.db"
    junk = b"this is not a database " * 400
    path.write_bytes(junk)
    assert _refused(f"sqlite:///{path}", mini_plan).key == "store.damaged"
    assert path.read_bytes() == junk


def test_a_store_damaged_inside_is_refused(tmp_path, mini_plan):
    path = tmp_path / "plan.db"
    Store.open(f"sqlite:///{path}", mini_plan).close()
    raw = bytearray(path.read_bytes())
    page = 4096
    assert len(raw) > 3 * page
    raw[2 * page : 3 * page] = b"\xff" * page  # a whole page of the file overwritten (header intact)
    path.write_bytes(bytes(raw))
    assert _refused(f"sqlite:///{path}", mini_plan).key == "store.damaged"


def test_another_programs_database_is_not_taken_over(tmp_path, mini_plan):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    assert _refused(f"sqlite:///{path}", mini_plan).key == "store.damaged"
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")] == ["customers"]


def test_an_unreachable_database_says_so(mini_plan):
    exc = _refused("postgresql+psycopg://nobody@127.0.0.1:9/lapset?connect_timeout=2", mini_plan)
    assert exc.key == "store.unavailable"
    assert "127.0.0.1" not in exc.text("fi") and "yhteyttä" in exc.text("fi")


def _read_only_copy(tmp_path, mini_plan, drop_new_table: bool = False) -> tuple[str, str]:
    path = tmp_path / "plan.db"
    Store.open(f"sqlite:///{path}", mini_plan).close()
    if drop_new_table:  # a store made before the sign-in failure table existed
        with sqlite3.connect(path) as conn:
            conn.execute("DROP TABLE signin_failures")
    return f"sqlite:///file:{path}?mode=ro&uri=true", str(path)


@pytest.mark.parametrize("older", [False, True])
def test_a_read_only_file_opens_for_reading_and_refuses_writes_clearly(tmp_path, mini_plan, older):
    url, path = _read_only_copy(tmp_path, mini_plan, drop_new_table=older)
    before = open(path, "rb").read()
    s = Store.open(url, mini_plan)
    assert s.problem is not None and s.problem.key == "store.read_only"
    assert len(s.measures()) == len(mini_plan.measures)  # the working state stays readable
    mid = s.measures().iloc[0]["measure_id"]
    with pytest.raises(StoreUnavailable) as info:
        s.save_measure_edits([MeasureEdit(mid, 1, {"mittari": "uusi mittari"})], ED)
    exc = info.value
    assert isinstance(exc, StoreError) and exc.key == "store.read_only"
    for shown in (exc.text("fi"), exc.text("en"), str(exc)):
        assert "UPDATE" not in shown and "INSERT" not in shown and "plan.db" not in shown and "[SQL" not in shown
    assert "vain luettavissa" in exc.text("fi") and "still on this page" in exc.text("en")
    with pytest.raises(StoreUnavailable):
        s.record_signin_failure(["x", "server"], 1.0, 0.0)
    with pytest.raises(StoreUnavailable):  # no secret yet, and none can be kept: no day's sign-in token
        s.signin_secret()
    assert open(path, "rb").read() == before


def test_a_read_only_postgres_user_gets_the_same_message(pg_schema, mini_plan):
    Store.open(pg_schema, mini_plan).close()
    reader = Store.open(read_only_url(pg_schema))
    assert reader.problem is not None and reader.problem.key == "store.read_only"
    mid = reader.measures().iloc[0]["measure_id"]
    with pytest.raises(StoreUnavailable) as info:
        reader.save_measure_edits([MeasureEdit(mid, 1, {"mittari": "uusi"})], ED)
    assert info.value.key == "store.read_only" and "UPDATE" not in str(info.value)
    reader.close()


@pytest.mark.parametrize(
    ("text", "statement", "operational", "key"),
    [
        ("attempt to write a readonly database", "UPDATE measures SET …", True, "store.read_only"),
        ("cannot execute INSERT in a read-only transaction", "INSERT INTO …", False, "store.read_only"),
        ("permission denied for table measures", "UPDATE measures …", False, "store.read_only"),
        ("database or disk is full", "INSERT INTO changes …", True, "store.disk_full"),
        ("could not extend file: No space left on device", "INSERT …", True, "store.disk_full"),
        ("database is locked", "UPDATE …", True, "store.busy"),
        ("canceling statement due to statement timeout", "UPDATE measures …", True, "store.timeout"),
        ("file is not a database", "SELECT …", False, "store.damaged"),
        ("database disk image is malformed", "SELECT …", True, "store.damaged"),
        ("disk I/O error", "  insert into x", True, "store.write_failed"),
        ("connection refused", None, True, "store.unavailable"),
        ("duplicate key value violates unique constraint", "INSERT …", False, None),
        ("syntax error at or near", "SELEC", False, None),
    ],
)
def test_store_problem_key(text, statement, operational, key):
    assert store_problem_key(text, statement, operational) == key
    assert key is None or key in STORE_PROBLEM_KEYS


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///tmp/x.db", "tmp/x.db"),
        ("sqlite:////tmp/x.db", "/tmp/x.db"),
        ("sqlite:///file:/tmp/x.db?mode=ro&uri=true", "/tmp/x.db"),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("postgresql+psycopg://u@h/db", None),
    ],
)
def test_sqlite_file(url, path):
    found = sqlite_file(url)
    assert (str(found) if found else None) == path


def test_a_copy_of_a_store_opens_like_the_original(tmp_path, mini_plan):
    a = tmp_path / "a.db"
    Store.open(f"sqlite:///{a}", mini_plan).close()
    b = tmp_path / "b.db"
    shutil.copy(a, b)
    assert Store.open(f"sqlite:///{b}").is_seeded()


def test_a_full_disk_refuses_the_write_with_a_message(tmp_path, mini_plan, past_the_store):
    path = tmp_path / "plan.db"
    Store.open(f"sqlite:///{path}", mini_plan).close()

    def no_room(dbapi_conn):  # the file may not grow: SQLite answers "database or disk is full"
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    s = past_the_store.sqlite_store(path, on_connect=no_room)
    mid = s.measures().iloc[0]["measure_id"]
    with pytest.raises(StoreUnavailable) as info:
        s.save_measure_edits(
            [MeasureEdit(mid, 1, {"mittari": "x" * 3900, "seuranta": "y" * 3900, "toimijat": "z" * 3900})], ED
        )
    assert info.value.key == "store.disk_full" and "levy on täynnä" in info.value.text("fi")
    assert s.measure(mid)["version"] == 1  # nothing saved
    s.close()


def test_a_locked_database_says_try_again(tmp_path, mini_plan, past_the_store):
    path = tmp_path / "plan.db"
    Store.open(f"sqlite:///{path}", mini_plan).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process in the middle of a write
    try:
        s = past_the_store.sqlite_store(path, timeout=0.2)
        with pytest.raises(StoreUnavailable) as info:
            s.record_signin_failure(["x"], 1.0, 0.0)
        assert info.value.key == "store.busy" and "try again in a moment" in info.value.text("en")
    finally:
        other.execute("ROLLBACK")
        other.close()
    s.record_signin_failure(["x"], 1.0, 0.0)  # free again: the write goes through
    assert s.signin_failure_times(["x"], 0) == {"x": [1.0]}


def test_a_locked_sqlite_file_gives_up_after_the_declared_wait(tmp_path, mini_plan, monkeypatch):
    """``sqlite_busy_timeout`` bounds the wait: a save refused in about that long, with its message, not a hang."""
    import time  # noqa: PLC0415

    monkeypatch.setenv("KYMLAPSET_SQLITE_BUSY_TIMEOUT", "0.3")
    path = tmp_path / "plan.db"
    s = Store.open(f"sqlite:///{path}", mini_plan)
    row = s.measures().iloc[0]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the file
    try:
        began = time.monotonic()
        with pytest.raises(StoreUnavailable) as info:
            s.save_measure_edits([MeasureEdit(row["measure_id"], int(row["version"]), {"mittari": "x"})], ED)
        assert time.monotonic() - began < 5
        assert info.value.key == "store.busy" and "varattu" in info.value.text("fi")
    finally:
        other.execute("ROLLBACK")
        other.close()
    s.close()


def test_a_postgres_statement_held_by_a_lock_stops_at_the_statement_timeout(pg_schema, mini_plan, monkeypatch):
    """``statement_timeout``: a save waiting on a row another transaction holds is stopped, with its message."""
    import sqlalchemy as sa  # noqa: PLC0415

    monkeypatch.setenv("KYMLAPSET_STATEMENT_TIMEOUT", "0.5")
    s = Store.open(pg_schema, mini_plan)
    row = s.measures().iloc[0]
    holder = sa.create_engine(pg_schema)
    try:
        with holder.connect() as conn:
            conn.execute(sa.text("SELECT 1 FROM measures WHERE measure_id = :m FOR UPDATE"), {"m": row["measure_id"]})
            with pytest.raises(StoreUnavailable) as info:
                s.save_measure_edits([MeasureEdit(row["measure_id"], int(row["version"]), {"mittari": "x"})], ED)
            assert info.value.key == "store.timeout"
            assert "did not answer in time" in info.value.text("en") and "ajoissa" in info.value.text("fi")
            conn.rollback()
        assert s.measure(row["measure_id"])["mittari"] != "x"  # nothing saved
    finally:
        holder.dispose()
        s.close()
