"""AppTest at the edges (issue #12): passcode guessing limits, and a broken store.

Each test points the app at a store of its own (a temporary SQLite file), so counts of wrong
passcodes and damaged files never reach the other tests.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from core import auth
from core.storage import Editor, Store

PASS = "reuna-2026"
SIGN_IN = "Kirjaudu muokkaajaksi"


@pytest.fixture()
def own_store(monkeypatch, tmp_path):
    """The app's store: a new SQLite file of this test's own; returns its path."""
    path = tmp_path / "plan.db"
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", f"sqlite:///{path}")
    return path


@pytest.fixture()
def passcode(monkeypatch):
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)


@pytest.fixture()
def clock(monkeypatch):
    """The sign-in's clock, moved by hand (the limits are in seconds and minutes)."""
    now = [time.time()]
    monkeypatch.setattr("ui.frame.time", SimpleNamespace(time=lambda: now[0]))
    return now


def app(page: str = "pages/historia.py") -> AppTest:
    """The app on ``page`` (under AppTest the start page loses its sidebar on a rerun: use another)."""
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def try_code(at: AppTest, code: str, name: str = "Maija") -> str:
    """Submit the sign-in form; return the error it shows ('' for none)."""
    at.session_state["w_signin_open"] = True  # open the sign-in expander (AppTest cannot click one)
    at.run()
    at.sidebar.text_input(key="signin_name").input(name)
    at.sidebar.text_input(key="signin_code").input(code)
    next(b for b in at.sidebar.button if b.label in (SIGN_IN, "Sign in as editor")).click().run()
    assert not at.exception, at.exception
    return " ".join(e.value for e in at.sidebar.error)


def signed_in(at: AppTest) -> bool:
    return bool(at.session_state["editor_ok"]) if "editor_ok" in at.session_state else False


# ------------------------------------------------------------------ passcode guessing
def test_wrong_passcodes_slow_down_then_lock_the_session(own_store, passcode, clock, caplog):
    caplog.set_level(logging.WARNING, logger="kymlapset.auth")
    at = app()
    for _ in range(2):
        assert try_code(at, "arvaus-1") == "Tunnuskoodi ei ole oikein."
    third = try_code(at, "arvaus-2")
    assert third.startswith("Tunnuskoodi ei ole oikein.") and "Odota 2 s" in third
    # the right code during the wait is not even looked at
    assert "Odota" in try_code(at, PASS) and not signed_in(at)
    clock[0] += 2.5
    assert "Odota 4 s" in try_code(at, "arvaus-3")
    for wait in (4, 8, 16, 32, 60, 60):
        clock[0] += wait + 0.5
        refusal = try_code(at, "arvaus-4")
    assert "lukittu tässä istunnossa" in refusal and "15 min" in refusal
    clock[0] += 14 * 60
    assert "lukittu tässä istunnossa" in try_code(at, PASS) and not signed_in(at)
    clock[0] += 61
    assert try_code(at, PASS) == "" and signed_in(at)  # the lock has passed: the right code works
    failures = [r.getMessage() for r in caplog.records if "editor sign-in failed" in r.getMessage()]
    assert len(failures) == 10 and all("(session " in m for m in failures)
    assert not any("arvaus" in r.getMessage() or PASS in r.getMessage() for r in caplog.records)


def test_a_new_session_starts_afresh_but_the_server_count_binds_all(own_store, passcode, clock):
    first = app()
    for _ in range(3):
        try_code(first, "väärä")
    second = app()  # another browser: its own count
    assert try_code(second, "väärä") == "Tunnuskoodi ei ole oikein."
    s = Store.open(str(f"sqlite:///{own_store}"))
    for _ in range(auth.SERVER_LOCK_FAILURES):
        s.record_signin_failure([auth.SERVER_KEY], clock[0], 0)
    third = app()
    refusal = try_code(third, PASS)
    assert "lukittu kaikilta" in refusal and "15 min" in refusal and not signed_in(third)
    third.sidebar.radio(key="w_lang").set_value("en").run()
    assert "locked for everyone" in try_code(third, PASS)
    clock[0] += auth.LOCK_S + 1
    assert try_code(third, PASS) == "" and signed_in(third)


# ------------------------------------------------------------------ a broken store
@pytest.mark.parametrize("content", [b"", b"SQLite format 3\x00" + b"\x00\x07rikki" * 500], ids=["emptied", "corrupt"])
def test_a_broken_store_shows_the_plan_read_only_with_a_banner(own_store, passcode, content):
    own_store.write_bytes(content)
    at = app()
    banner = " ".join(e.value for e in at.error)
    assert "Tietokantatiedosto on vioittunut, tyhjä" in banner and "palauta varmuuskopio" in banner
    assert "alkuperäiset tiedot vain luettavina" in banner
    at.switch_page("pages/toimenpiteet.py").run()
    assert not at.exception, at.exception
    assert any("toimenpide" in c.value for c in at.caption)  # the measures from data/ are shown
    assert any("vioittunut" in e.value for e in at.error)
    at.session_state["w_signin_open"] = True
    at.run()
    assert not [b for b in at.sidebar.button if b.label == SIGN_IN]  # nobody signs in to edit
    assert any("vain luettavissa" in c.value for c in at.sidebar.caption)
    assert not [b for b in at.button if b.label == "Tallenna muutokset"]
    assert own_store.read_bytes() == content  # never seeded over
    at.sidebar.radio(key="w_lang").set_value("en").run()
    assert any("The database file is damaged, empty" in e.value for e in at.error)


def test_a_read_only_store_keeps_edits_pending_with_a_clear_message(own_store, passcode, monkeypatch):
    Store.open(f"sqlite:///{own_store}").engine.dispose()  # a store of the app, made and seeded by it
    app()  # seeds it
    with_plan_in_force = Store.open(f"sqlite:///{own_store}")  # data/'s plan has ended: edits need one in force
    with_plan_in_force.set_plan_state(with_plan_in_force.plans()[0].plan_id, "in_force", Editor("Ylläpito"))
    with_plan_in_force.close()
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", f"sqlite:///file:{own_store}?mode=ro&uri=true")
    at = app("pages/toimenpiteet.py")
    assert any("Tietokanta on vain luettavissa" in w.value for w in at.warning)
    assert try_code(at, PASS) == "" and signed_in(at)
    at.sidebar.multiselect(key="w_actors_fi").set_value(["poliisi"]).run()
    shown = at.session_state["_grid_shown_grid_all"]
    rows = shown[1].to_dict("records")
    nodes = [
        {
            "id": str(i),
            "rowIndex": i,
            "data": {**r, "mittari": "Uusi mittari"} if r["measure_id"] == "poliisi-II.1-1" else dict(r),
        }
        for i, r in enumerate(rows)
    ]
    at.session_state[shown[0]] = {"nodes": nodes}
    at.run()
    before = own_store.read_bytes()
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert not at.exception, at.exception
    message = " ".join(e.value for e in at.error)
    assert "Tietokantaan ei voi kirjoittaa" in message and "Ota yhteyttä ylläpitoon" in message
    assert "UPDATE" not in message and "plan.db" not in message
    assert at.session_state["pending_edits"]["poliisi-II.1-1"]["values"]["mittari"] == "Uusi mittari"
    assert own_store.read_bytes() == before
    with sqlite3.connect(own_store) as conn:
        assert (
            conn.execute("SELECT mittari FROM measures WHERE measure_id='poliisi-II.1-1'").fetchone()[0]
            != "Uusi mittari"
        )
