"""A saturated server says so instead of starting more work (#20 item 4): page runs and background jobs."""

from __future__ import annotations

import threading

import pytest
from streamlit.testing.v1 import AppTest

from tests.background import jobs_of
from ui import background
from ui import turns as ui_turns


def reports_page() -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=120).run()
    at.switch_page("pages/raportit.py").run()
    assert not at.exception, at.exception
    return at


def test_a_report_asked_for_while_every_job_slot_is_taken_is_refused_with_a_message(monkeypatch):
    monkeypatch.setenv("KYMLAPSET_JOBS_AT_ONCE", "1")
    at = reports_page()
    gate = threading.Event()
    holder = background.worker().submit(lambda progress: gate.wait(30))  # someone's import, say
    try:
        next(b for b in at.button if b.label == "Tee raportti").click().run()
        assert not at.exception, at.exception
        assert any("Palvelin on kiireinen" in w.value for w in at.warning)
        assert jobs_of(at) == [] and not at.get("download_button")  # nothing started, nothing offered
    finally:
        gate.set()
        holder.future.result(30)
    next(b for b in at.button if b.label == "Tee raportti").click().run()  # a moment later it starts
    assert not any("Palvelin on kiireinen" in w.value for w in at.warning)
    assert len(jobs_of(at)) == 1


@pytest.mark.parametrize(("lang", "expected"), [("fi", "Palvelin on kiireinen"), ("en", "The server is busy")])
def test_a_page_run_that_waited_too_long_says_the_server_is_busy_instead_of_running(monkeypatch, lang, expected):
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    monkeypatch.setenv("KYMLAPSET_PAGE_RUN_WAIT_S", "0.3")
    turns = ui_turns._run_turns(1)
    assert turns.acquire(5)  # a slow run of another session holds the one turn
    try:
        at.run()
        assert not at.exception, at.exception
        assert [w.value for w in at.warning if expected in w.value]
        assert not at.get("plotly_chart") and not at.title  # the page was not run
    finally:
        turns.release()
    at.run()  # the turn is free again: the page runs
    assert not at.warning and at.title
