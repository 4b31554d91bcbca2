"""AppTest: the edit flow with a simulated grid value, for a viewer and for an editor.

AgGrid is a custom component (its return value is None under AppTest), so an edit is
simulated by setting the component's value in session state, as the browser would.
"""

from __future__ import annotations

import html
import os

import pytest
from streamlit.testing.v1 import AppTest

from core.store import Store

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


def detail_panel_text(at: AppTest) -> str:
    """The HTML of what the detail panel below the grid shows (its container's key is mpanel_grid_all)."""

    def find(node):
        if getattr(getattr(node, "proto", None), "id", "").endswith("-mpanel_grid_all"):
            return node
        for child in getattr(node, "children", {}).values():
            if (found := find(child)) is not None:
                return found
        return None

    panel = find(at.main)
    assert panel is not None, "no detail panel"
    return "\n".join(h.proto.body for h in panel.get("html"))


def test_row_click_opens_the_whole_measure_below_the_grid():
    at = measures_page()
    clicked = store().measure("poliisi-II.1-1")
    assert at.selectbox(key="w_grid_all_detail").value is None
    assert "Toimenpide:" not in detail_panel_text(at)  # no measure open yet
    rows = at.session_state["_grid_shown_grid_all"][1].to_dict("records")
    nodes = [
        {"id": str(i), "rowIndex": i, "data": row, "isSelected": row["measure_id"] == clicked["measure_id"]}
        for i, row in enumerate(rows)
    ]
    # the value the grid sends when a row is clicked
    at.session_state[grid_key(at)] = {
        "nodes": nodes,
        "eventData": {"streamlitRerunEventTriggerName": "selectionChanged"},
    }
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="w_grid_all_detail").value == clicked["measure_id"]
    panel = detail_panel_text(at)
    for field in ("toimenpide", "mittari", "seuranta"):  # the whole texts, not the grid's four lines
        assert html.escape(clicked[field]) in panel, field
    assert any(c.value.startswith("Kaakkois-Suomen poliisilaitos") and "II.1 " in c.value for c in at.caption)


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
    from core.store import Editor, MeasureEdit

    s = store()
    row = s.measure("poliisi-II.4-1")
    s.save_measure_edits([MeasureEdit("poliisi-II.4-1", row["version"], {"seuranta": "Pekan arvo"})], Editor("Pekka"))
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert any("Joku muu on muuttanut samoja kenttiä" in e.value for e in at.error)
    table = at.table[0].value
    assert "Maijan arvo" in table.to_string() and "Pekan arvo" in table.to_string()
    next(b for b in at.button if b.label == "Pidä oma arvoni").click().run()
    assert store().measure("poliisi-II.4-1")["seuranta"] == "Maijan arvo"


def test_conflict_take_theirs_keeps_the_saved_value_and_drops_mine(passcode):
    at = measures_page()
    sign_in(at, "Maija", PASS)
    simulate_edit(at, "poliisi-II.4-1", mittari="Maijan mittari")
    from core.store import Editor, MeasureEdit

    s = store()
    row = s.measure("poliisi-II.4-1")
    s.save_measure_edits([MeasureEdit("poliisi-II.4-1", row["version"], {"mittari": "Pekan mittari"})], Editor("Pekka"))
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert any("Joku muu on muuttanut samoja kenttiä" in e.value for e in at.error)
    assert any("poliisi-II.4-1" in m.value and "Pekka" in m.value for m in at.markdown)  # which row, who saved it
    next(b for b in at.button if b.label == "Käytä tallennettua arvoa").click().run()
    assert not at.exception, at.exception
    assert store().measure("poliisi-II.4-1")["mittari"] == "Pekan mittari"
    assert "poliisi-II.4-1" not in at.session_state["pending_edits"]  # mine is dropped, nothing left to save
    assert not at.error and not at.table


def test_the_chooser_lists_just_the_field_both_changed(passcode):
    """Maija changes Toimenpide and Mittari; Pekka meanwhile saves Toimenpide and Seuranta: only Toimenpide
    clashes, and keep-mine writes Maija's two fields without undoing Pekka's Seuranta."""
    at = measures_page()
    sign_in(at, "Maija", PASS)
    mid = "poliisi-II.4-1"
    s = store()
    start = s.measure(mid)
    simulate_edit(at, mid, toimenpide="Maijan toimenpide", mittari="Maijan mittari")
    from core.store import Editor, MeasureEdit

    s.save_measure_edits(
        [
            MeasureEdit(
                mid,
                start["version"],
                {"toimenpide": "Pekan toimenpide", "seuranta": "Pekan seuranta"},
                {"toimenpide": start["toimenpide"], "seuranta": start["seuranta"]},
            )
        ],
        Editor("Pekka"),
    )
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert any("Joku muu on muuttanut samoja kenttiä" in e.value for e in at.error)
    [table] = at.table
    frame = table.value
    assert list(frame.index) == ["Toimenpide"]  # just the clashing field, never Mittari or Seuranta
    assert frame.iloc[0].tolist() == ["Maijan toimenpide", "Pekan toimenpide", "Pekka"]
    next(b for b in at.button if b.label == "Pidä oma arvoni").click().run()
    assert not at.exception, at.exception
    row = store().measure(mid)
    assert (row["toimenpide"], row["mittari"], row["seuranta"]) == (
        "Maijan toimenpide",
        "Maijan mittari",
        "Pekan seuranta",
    )
    assert at.session_state["pending_edits"] == {}


def test_different_fields_of_one_measure_save_without_a_chooser(passcode):
    at = measures_page()
    sign_in(at, "Maija", PASS)
    mid = "poliisi-II.4-1"
    s = store()
    start = s.measure(mid)
    simulate_edit(at, mid, mittari="Maijan toinen mittari")
    from core.store import Editor, MeasureEdit

    s.save_measure_edits(
        [MeasureEdit(mid, start["version"], {"seuranta": "Pekan toinen seuranta"}, {"seuranta": start["seuranta"]})],
        Editor("Pekka"),
    )
    next(b for b in at.button if b.label == "Tallenna muutokset").click().run()
    assert not at.error and not at.table
    row = store().measure(mid)
    assert (row["mittari"], row["seuranta"]) == ("Maijan toinen mittari", "Pekan toinen seuranta")


def test_two_editors_of_one_name_are_told_of_each_others_saves(passcode):
    """The notice follows the session: a second "Maija" saving is news to the first, her own save is not."""
    first = measures_page()
    sign_in(first, "Maija", PASS)
    simulate_edit(first, "poliisi-II.4-1", seuranta="Ensimmäisen Maijan luonnos")
    assert not [i for i in first.info if "tallensi muutoksia" in i.value]
    second = measures_page()
    sign_in(second, "Maija", PASS)
    simulate_edit(second, "poliisi-II.3-1", mittari="Toisen Maijan mittari")
    next(b for b in second.button if b.label == "Tallenna muutokset").click().run()
    assert not second.exception, second.exception
    assert store().measure("poliisi-II.3-1")["mittari"] == "Toisen Maijan mittari"
    first.run()
    notices = [i.value for i in first.info if "tallensi muutoksia" in i.value]
    assert notices and "Maija" in notices[0] and "poliisi-II.3-1" in notices[0], [i.value for i in first.info]


@pytest.mark.parametrize(
    ("pekka_changes", "clash"),
    [({"toimenpide": "Pekan toimenpide paneelin aikana"}, False), ({"mittari": "Pekan mittari paneelin aikana"}, True)],
)
def test_the_detail_panel_sends_what_it_started_from(passcode, pekka_changes, clash):
    """The detail panel's save merges by field too: Pekka's other field stays; his same field is asked about."""
    at = measures_page()
    sign_in(at, "Maija", PASS)
    mid = "poliisi-I.2-1"
    at.selectbox(key="w_grid_all_detail").set_value(mid).run()
    mine = f"Maijan mittari paneelista ({'sama kenttä' if clash else 'eri kenttä'})"  # the store is shared
    at.text_area(key=f"w_grid_all_d_{mid}_mittari").input(mine).run()
    from core.store import Editor, MeasureEdit

    s = store()
    start = s.measure(mid)
    s.save_measure_edits(
        [MeasureEdit(mid, start["version"], pekka_changes, {f: start[f] for f in pekka_changes})], Editor("Pekka")
    )
    at.run()
    at.button(key="grid_all_d_save").click().run()
    assert not at.exception, at.exception
    row = store().measure(mid)
    if not clash:
        assert not at.table
        assert (row["mittari"], row["toimenpide"]) == (mine, pekka_changes["toimenpide"])
        return
    [table] = at.table
    assert list(table.value.index) == ["Mittari / toteutuminen"]
    assert row["mittari"] == pekka_changes["mittari"]  # nothing saved before the choice
    next(b for b in at.button if b.label == "Pidä oma arvoni").click().run()
    assert store().measure(mid)["mittari"] == mine


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
