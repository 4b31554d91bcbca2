"""Refresh only what changed (issue #20): pages say what they show, and the live poll tells which
kinds of data others changed, so only the parts showing them are drawn again."""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest

from core.store import Editor, MeasureEdit, Store
from ui import live


def run(page: str) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=30).run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_the_measures_page_is_one_live_part_and_shows_nothing_else_stored():
    at = run("pages/toimenpiteet.py")
    assert at.session_state["_live_parts"] == {"live_measures_all": {"measure"}}
    assert at.session_state["_live_shows"] == set()
    assert "_grid_shown_grid_all" in at.session_state  # the grid was drawn, inside the part


def test_a_page_that_says_nothing_reruns_whole():
    at = run("pages/overview.py")
    assert at.session_state["_live_shows"] is None
    assert at.session_state["_live_parts"] == {}


def test_the_kinds_of_data_changed_since_a_change(monkeypatch, plan_in_force):
    store = Store.open(os.environ["KYMLAPSET_DATABASE_URL"])
    run("pages/overview.py")  # seeds the store
    monkeypatch.setattr(live.data, "store", lambda: store)
    before = store.live_marker()[1]
    row = store.measures().iloc[0]
    store.save_measure_edits(
        [MeasureEdit(row["measure_id"], int(row["version"]), {"mittari": "uusi"}, {"mittari": row["mittari"]})],
        Editor("Anna"),
    )
    # the kind of data, and the session that saved it (none here: saved straight through the store)
    assert live._changed_entities(before, store.live_marker()[1]) == {("measure", "")}
    assert live._changed_entities(before, before) is None  # the version moved without history: not known


def test_the_evaluation_vuosikello_and_final_pages_redraw_only_their_parts():
    at = run("pages/arviointi.py")
    assert at.session_state["_live_parts"] == {"live_evaluation_grid": {"evaluation", "measure"}}
    assert at.session_state["_live_shows"] == set()
    at = run("pages/vuosikello-sykli.py")
    assert at.session_state["_live_parts"] == {"live_vuosikello_clock": {"event"}}  # the table is for editors
    assert at.session_state["_live_shows"] == set()
    at = run("pages/loppuarviointi.py")
    assert at.session_state["_live_parts"] == {
        "live_final_conclusions": {"conclusion"},
        "live_final_downloads": {"observation", "measure", "evaluation", "conclusion"},
    }
    assert at.session_state["_live_shows"] == {"observation", "measure", "evaluation"}
