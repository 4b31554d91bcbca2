"""AppTest: the edit flow with a simulated grid value, for a viewer and for an editor.

AgGrid is a custom component (its return value is None under AppTest), so an edit is
simulated by setting the component's value in session state, as the browser would.
"""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from core.storage import Store

PASS = "tyopaja-2026"


# data/'s plan has ended (read-only); these tests edit it as while it was in force
pytestmark = pytest.mark.usefixtures("plan_in_force")


@pytest.fixture()
def passcode(monkeypatch):
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)


def store() -> Store:
    return Store.open(os.environ["KYMLAPSET_DATABASE_URL"])


def measures_page() -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=30).run()
    at.switch_page("pages/toimenpiteet.py").run()
    at.sidebar.multiselect(key="w_actors_fi").set_value(["poliisi"]).run()
    assert not at.exception, at.exception
    return at


def grid_key(at: AppTest) -> str:
    assert "_grid_shown_grid_all" in at.session_state, "the measures grid was not drawn"
    return at.session_state["_grid_shown_grid_all"][0]


def simulate_edit(at: AppTest, measure_id: str, **changes) -> None:
    shown = at.session_state["_grid_shown_grid_all"][1]
    rows = shown.to_dict("records")
    nodes = []
    for i, row in enumerate(rows):
        data = dict(row)
        if data["measure_id"] == measure_id:
            data.update(changes)
        nodes.append({"id": str(i), "rowIndex": i, "data": data})
    at.session_state[grid_key(at)] = {"nodes": nodes}
    at.run()


def sign_in(at: AppTest, name: str, code: str) -> None:
    at.session_state["w_signin_open"] = True  # open the sign-in expander (AppTest cannot click one)
    at.run()
    at.sidebar.text_input(key="signin_name").input(name)
    at.sidebar.text_input(key="signin_code").input(code)
    next(b for b in at.sidebar.button if b.label == "Kirjaudu muokkaajaksi").click().run()


def test_viewer_cannot_edit(passcode):
    at = measures_page()
    assert any("Vain luku" in c.value for c in at.caption)
    before = store().measure("poliisi-II.1-1")
    simulate_edit(at, "poliisi-II.1-1", mittari="Katsojan yritys")
    assert not at.exception
    assert not [b for b in at.button if b.label == "Tallenna muutokset"]
    assert store().measure("poliisi-II.1-1")["mittari"] == before["mittari"]


def test_wrong_passcode_stays_viewer(passcode):
    at = measures_page()
    sign_in(at, "Maija", "väärä")
    assert any("Tunnuskoodi ei ole oikein" in e.value for e in at.error)
    assert any("Vain luku" in c.value for c in at.caption)


def test_editor_edits_and_saves(passcode):
    at = measures_page()
    sign_in(at, "Maija Muokkaaja", PASS)
    assert not at.exception
    simulate_edit(at, "poliisi-II.1-1", mittari="Uusi mittari työpajasta", status="käynnissä")
    assert any("Tallentamattomia muutoksia: 2 kenttää 1 rivillä" in w.value for w in at.warning)
    # pending edits survive a page change and a filter change
    at.switch_page("pages/indikaattorit.py").run()
    assert at.session_state["pending_edits"]["poliisi-II.1-1"]["values"]["mittari"] == "Uusi mittari työpajasta"
    at.switch_page("pages/toimenpiteet.py").run()
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert not at.exception
    row = store().measure("poliisi-II.1-1")
    assert row["mittari"] == "Uusi mittari työpajasta" and row["status"] == "käynnissä"
    assert row["updated_by"] == "Maija Muokkaaja"
    assert at.session_state["pending_edits"] == {}


def test_invalid_edit_is_refused_with_field_name(passcode):
    at = measures_page()
    sign_in(at, "Maija", PASS)
    simulate_edit(at, "poliisi-II.3-1", end_year=1999)
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert any("Loppuvuosi" in e.value for e in at.error)
    assert store().measure("poliisi-II.3-1")["end_year"] != 1999
    assert "poliisi-II.3-1" in at.session_state["pending_edits"]  # nothing lost: still pending


def test_conflict_shows_both_values(passcode):
    at = measures_page()
    sign_in(at, "Maija", PASS)
    simulate_edit(at, "poliisi-II.4-1", seuranta="Maijan arvo")
    # someone else saves the same cell first
    from core.storage import Editor, MeasureEdit

    s = store()
    row = s.measure("poliisi-II.4-1")
    s.save_measure_edits([MeasureEdit("poliisi-II.4-1", row["version"], {"seuranta": "Pekan arvo"})], Editor("Pekka"))
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert any("Joku muu on muuttanut samoja rivejä" in e.value for e in at.error)
    table = at.table[0].value
    assert "Maijan arvo" in table.to_string() and "Pekan arvo" in table.to_string()
    next(b for b in at.button if b.label == "Pidä oma arvoni").click().run()
    assert store().measure("poliisi-II.4-1")["seuranta"] == "Maijan arvo"


def test_conflict_take_theirs_keeps_the_saved_value_and_drops_mine(passcode):
    at = measures_page()
    sign_in(at, "Maija", PASS)
    simulate_edit(at, "poliisi-II.4-1", mittari="Maijan mittari")
    from core.storage import Editor, MeasureEdit

    s = store()
    row = s.measure("poliisi-II.4-1")
    s.save_measure_edits([MeasureEdit("poliisi-II.4-1", row["version"], {"mittari": "Pekan mittari"})], Editor("Pekka"))
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert any("Joku muu on muuttanut samoja rivejä" in e.value for e in at.error)
    assert any("poliisi-II.4-1" in m.value and "Pekka" in m.value for m in at.markdown)  # which row, who saved it
    next(b for b in at.button if b.label == "Käytä tallennettua arvoa").click().run()
    assert not at.exception, at.exception
    assert store().measure("poliisi-II.4-1")["mittari"] == "Pekan mittari"
    assert "poliisi-II.4-1" not in at.session_state["pending_edits"]  # mine is dropped, nothing left to save
    assert not at.error and not at.table


def test_add_and_remove_forms_open_on_demand(passcode):
    at = measures_page()
    sign_in(at, "Maija", PASS)
    assert not at.get("text_area")  # closed forms are not built
    at.session_state["edit_all_add_open"] = True  # the expander (AppTest cannot click one)
    at.run()
    at.selectbox(key="edit_all_add_actor").set_value("poliisi")
    at.selectbox(key="edit_all_add_sub").set_value("II.2")
    at.text_area(key="edit_all_add_toimenpide_0").input("Jalkautuva <b>poliisi</b> kouluille")
    next(b for b in at.button if b.label == "Lisää").click().run()
    assert not at.exception, at.exception
    added = store().measures()
    new = added[added["toimenpide"] == "Jalkautuva <b>poliisi</b> kouluille"]
    assert len(new) == 1 and new.iloc[0]["subgoal_id"] == "II.2"  # the text is kept as typed, never as HTML
    mid = new.iloc[0]["measure_id"]
    assert any(mid in s.value for s in at.success)

    at.session_state["edit_all_rm_open"] = True
    at.run()
    at.selectbox(key="edit_all_rm_id").set_value(mid)
    at.checkbox(key="edit_all_rm_ok").check().run()
    next(b for b in at.button if b.key == "edit_all_rm_go").click().run()
    assert not at.exception, at.exception
    assert mid not in set(store().measures()["measure_id"])
    assert mid in store().measure_ids(deleted=True)  # recoverable from the history page


def test_a_long_paste_is_refused_with_a_message_and_kept_as_typed(passcode):
    """Nothing is cut silently: 10,000 characters stay in the field and the user is told the limit."""
    at = measures_page()
    sign_in(at, "Maija", PASS)
    at.session_state["edit_all_add_open"] = True
    at.run()
    before = len(store().measures())
    long_text = "pitkä " * 1700  # over 10,000 characters
    at.text_area(key="edit_all_add_toimenpide_0").input(long_text)
    next(b for b in at.button if b.label == "Lisää").click().run()
    assert not at.exception, at.exception
    assert any("4000" in e.value or "4 000" in e.value for e in at.error), [e.value for e in at.error]
    assert at.text_area(key="edit_all_add_toimenpide_0").value == long_text
    assert len(store().measures()) == before
