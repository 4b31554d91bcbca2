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

from core.serving import auth
from core.store import Editor, Store, StoreUnavailable

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


# ------------------------------------------------------------------ passcode guessing (issues #12, #19)
ATTACKER = "203.0.113.66"


def test_wrong_passcodes_slow_the_client_down_more_and_more_but_never_lock_it(own_store, passcode, clock, caplog):
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
    for wait in (4, 8, 16, 32, 64, 128, 256):
        clock[0] += wait + 0.5
        refusal = try_code(at, "arvaus-4")
    assert "Odota 5 min" in refusal and "lukittu" not in refusal  # at most 5 minutes; never a lock
    clock[0] += 5 * 60 + 1
    assert try_code(at, PASS) == "" and signed_in(at)  # after the wait, the right code works
    failures = [r.getMessage() for r in caplog.records if "editor sign-in failed" in r.getMessage()]
    assert len(failures) == 11 and all("client:127.0.0.1" in m and "session:" in m for m in failures)
    assert not any("arvaus" in r.getMessage() or PASS in r.getMessage() for r in caplog.records)


def test_the_client_delay_applies_across_new_sessions_from_the_same_address(own_store, passcode, clock):
    """Issue #19: each new session used to get three guesses answered at once."""
    first = app()
    for _ in range(3):
        try_code(first, "väärä")
    second = app()  # a new session from the same browser or address
    refusal = try_code(second, "väärä")
    assert refusal.startswith("Liian monta väärää yritystä") and "Odota 2 s" in refusal
    clock[0] += 2.5
    assert "Odota 4 s" in try_code(app(), "väärä")  # and a third: the count is the address's


@pytest.fixture()
def from_address(monkeypatch):
    """Let the sessions made inside ``with from_address(ip):`` come from ``ip`` (AppTest has no peer)."""
    from contextlib import contextmanager  # noqa: PLC0415

    @contextmanager
    def use(ip: str):
        with monkeypatch.context() as m:
            m.setattr("ui.frame.auth.client_address", lambda peer, headers, trusted: ip)
            yield

    return use


def test_fifty_wrong_guesses_from_seventeen_sessions_do_not_lock_out_the_real_editor(
    own_store, passcode, clock, from_address
):
    """Issue #19: 50 wrong guesses from 17 anonymous sessions took 6.3-6.9 s and then refused the real
    editor's right passcode for 15 minutes."""
    before = app()  # an editor signed in before the attack
    assert try_code(before, PASS, name="Ennen") == "" and signed_in(before)
    start = clock[0]
    with from_address(ATTACKER):
        sessions = [app() for _ in range(17)]
        for n in range(50):  # 50 wrong guesses, each from the next of 17 sessions, as soon as allowed
            while (refusal := try_code(sessions[n % 17], f"arvaus-{n}")).startswith("Liian monta"):
                clock[0] += 60  # told to wait: come back a minute later
            assert refusal.startswith("Tunnuskoodi ei ole oikein."), refusal
    hours = (clock[0] - start) / 3600
    assert hours > 2  # so under 25 guesses an hour from one address, not 50 in 7 seconds
    editor = app()  # the real editor, from their own browser: in at once
    assert try_code(editor, PASS, name="Eeva") == "" and signed_in(editor)
    before.run()
    assert signed_in(before)  # and the one signed in before never noticed
    with from_address(ATTACKER):  # the attacker's address still waits, even with the right code
        refusal = try_code(app(), PASS)
        assert refusal.startswith("Liian monta") and "Odota 5 min" in refusal


def test_many_failures_elsewhere_lengthen_the_wait_of_those_who_failed_but_lock_out_no_one(own_store, passcode, clock):
    s = Store.open(str(f"sqlite:///{own_store}"))
    for i in range(60):  # 60 wrong passcodes from 60 addresses in the last 10 minutes: a spread-out attack
        s.record_signin_failure([f"client:198.51.100.{i}", auth.SERVER_KEY], clock[0] - 600 + i * 10, 0)
    typo = app()
    refusal = try_code(typo, "vaara")  # a typo: answered at once, then a longer wait than on a quiet day
    assert refusal.startswith("Tunnuskoodi ei ole oikein. Palveluun on yritetty") and "Odota 3 min" in refusal
    assert try_code(typo, PASS).startswith("Palveluun") and not signed_in(typo)
    clock[0] += 150
    assert try_code(typo, PASS) == "" and signed_in(typo)
    editor = app()  # a client that has not been guessing: the right code goes through at once
    assert try_code(editor, PASS, name="Eeva") == "" and signed_in(editor)
    editor.sidebar.radio(key="w_lang").set_value("en").run()
    editor.session_state["w_signin_open"] = True
    editor.run()
    assert "stay signed in in this browser for the working day" in " ".join(c.value for c in editor.sidebar.caption)


@pytest.mark.parametrize("problem", ["read_only", "disk_full"])
def test_when_failures_cannot_be_counted_passcode_sign_in_is_refused_with_a_message(
    own_store, passcode, monkeypatch, problem
):
    """Issue #19: with a read-only store 102 guesses went uncounted and the right code then signed in."""
    Store.open(f"sqlite:///{own_store}").engine.dispose()
    app()  # made and seeded by the app
    if problem == "read_only":
        monkeypatch.setenv("KYMLAPSET_DATABASE_URL", f"sqlite:///file:{own_store}?mode=ro&uri=true")
    else:

        def full(self, *args, **kwargs):
            raise StoreUnavailable("store.disk_full")

        monkeypatch.setattr(Store, "record_signin_failure", full)
    at = app()
    before = own_store.read_bytes()
    for code in ("arvaus", PASS):  # the right code is refused too: otherwise guessing would be free
        refusal = try_code(at, code)
        assert refusal.startswith("Tunnuskoodilla ei voi nyt kirjautua") and "ylläpitoon" in refusal
        assert not signed_in(at)
    assert "plan.db" not in refusal and "INSERT" not in refusal
    at.sidebar.radio(key="w_lang").set_value("en").run()
    assert try_code(at, PASS).startswith("Passcode sign-in is not possible right now")
    assert own_store.read_bytes() == before


# ------------------------------------------------------------------ signed in for the day (issue #19 item 2)
def test_a_changed_passcode_ends_the_days_sign_in_and_a_sign_out_ends_its_token(own_store, passcode, monkeypatch):
    at = app()
    assert try_code(at, PASS) == "" and signed_in(at)
    token = at.session_state["_signin_day"]
    assert token and PASS not in token
    at.run()
    assert signed_in(at)
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", "uusi-koodi-2027")  # the passcode is changed
    at.run()
    assert not signed_in(at)  # the old sign-in ends at the next run
    assert try_code(at, PASS).startswith("Tunnuskoodi ei ole oikein.")
    assert try_code(at, "uusi-koodi-2027") == "" and signed_in(at)
    new_token = at.session_state["_signin_day"]
    next(b for b in at.sidebar.button if b.label == "Kirjaudu ulos").click().run()
    assert not signed_in(at) and not at.session_state["_signin_day"]
    token_id = new_token.split(".")[2]
    assert Store.open(f"sqlite:///{own_store}").signin_token_ended(token_id)


def test_with_signin_hours_zero_a_sign_in_lasts_only_the_session(own_store, passcode, monkeypatch):
    monkeypatch.setenv("KYMLAPSET_SIGNIN_HOURS", "0")
    at = app()
    assert try_code(at, PASS) == "" and signed_in(at)
    assert not at.session_state["_signin_day"]
    assert not any("työpäivän ajan" in c.value for c in at.sidebar.caption)


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
    at = app("pages/toimenpiteet.py")
    assert try_code(at, PASS) == "" and signed_in(at)  # signed in while the store could be written…
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", f"sqlite:///file:{own_store}?mode=ro&uri=true")
    at.run()  # …and then it turns read-only
    assert any("Tietokanta on vain luettavissa" in w.value for w in at.warning)
    assert signed_in(at)
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
