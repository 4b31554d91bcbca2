"""AppTest for the yearly-cycle pages: evaluation, vuosikello, reports, new data."""

from __future__ import annotations

import base64
import html as html_mod
import io
import json
import os
import zipfile

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.plan.loader import load_plan
from core.store import Store
from core.views.evaluation import rating_label, scale
from tests.background import finish_jobs, jobs_of

PASS = "vuosi-2026"


# data/'s plan has ended (read-only); these tests edit it as while it was in force
pytestmark = pytest.mark.usefixtures("plan_in_force")


@pytest.fixture()
def editor_env(monkeypatch):
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)


def store() -> Store:
    return Store.open(os.environ["KYMLAPSET_DATABASE_URL"])


def signed_in(page: str) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page(page).run()
    at.session_state["w_signin_open"] = True  # open the sign-in expander (AppTest cannot click one)
    at.run()
    at.sidebar.text_input(key="signin_name").input("Eeva Arvioija")
    at.sidebar.text_input(key="signin_code").input(PASS)
    next(b for b in at.sidebar.button if b.label == "Kirjaudu muokkaajaksi").click().run()
    assert not at.exception, at.exception
    return at


def test_evaluation_saved_with_history(editor_env):
    at = signed_in("pages/arviointi.py")
    at.selectbox(key="w_year").set_value(2025).run()
    at.selectbox(key="w_eval_actor").set_value("mll").run()
    key = next(k for k in at.session_state if str(k).startswith("eval_editor_mll_2025"))
    at.session_state[key] = {
        "edited_rows": {0: {"rating": rating_label(3), "comment": "Hyvä vuosi"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    next(b for b in at.button if b.label == "Tallenna arviot").click().run()
    assert not at.exception, at.exception
    assert any("1 arvio tallennettu." in s.value for s in at.success), [s.value for s in at.success]
    ev = store().evaluations(2025)
    row = ev[ev["measure_id"].str.startswith("mll-")].iloc[0]
    assert row["rating"] == 3 and row["comment"] == "Hyvä vuosi" and row["evaluator"] == "Eeva Arvioija"
    assert not store().history(entity="evaluation").empty


def test_evaluation_page_explains_the_scale_step_by_step():
    """The scale's expander names each of the four steps with what it means, in the chosen language."""
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/arviointi.py").run()
    scale_text = next(e for e in at.expander if e.label == "Arviointiasteikko").markdown[0].value
    for step in scale("fi"):
        assert f"**{step['rating']} – {step['label']}**  \n{step['description']}" in scale_text


def _summary_rows(at: AppTest) -> dict[str, int]:
    """The evaluation chart's rows as the reader sees them (label -> measures in the bar), top to bottom."""
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("eval_summary"))
    order = [label.replace("<br>", " ") for label in spec["layout"]["yaxis"]["categoryarray"]]
    totals = dict.fromkeys(order, 0)
    for trace in spec["data"]:
        for label, n in zip(trace["y"], _numbers(trace["x"]), strict=True):
            totals[label.replace("<br>", " ")] += int(n)
    return totals


def _numbers(value) -> list:
    """A Plotly JSON array: plain, or base64 {"dtype", "bdata"} as Streamlit sends numbers."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    return list(value)


def test_evaluation_summary_groups_by_actor_goal_or_sub_goal(editor_env):
    at = signed_in("pages/arviointi.py")
    at.session_state["w_view_evaluation"] = "Yhteenveto"  # the tab (AppTest cannot click one)
    at.run()
    measures = store().measures()
    real = measures[(measures["row_kind"] == "measure") & ~measures["deleted"].fillna(False).astype(bool)]
    plan = load_plan()
    expected = {
        # one bar per actor / goal / sub-goal with measures, in plan order, as long as its measures
        "actor": {a.name_fi: int((real["actor_id"] == a.actor_id).sum()) for a in plan.actors},
        "goal": {
            f"{g.goal_id} {g.title_fi}": int(real["subgoal_id"].str.startswith(f"{g.goal_id}.").sum())
            for g in plan.goals
        },
        "subgoal": {
            f"{s.subgoal_id} {s.title_fi}": int((real["subgoal_id"] == s.subgoal_id).sum()) for s in plan.subgoals
        },
    }
    for by in ("actor", "goal", "subgoal"):
        at.radio(key="w_eval_by").set_value(by).run()
        assert not at.exception
        want = {label: n for label, n in expected[by].items() if n}
        assert _summary_rows(at) == want, by
        assert list(_summary_rows(at)) == list(want), by
    unevaluated = len(real) - len(store().evaluations(2025).query("rating.notna()"))
    assert any(e.label == f"Arvioimatta vuodelta 2025: {unevaluated} toimenpidettä" for e in at.expander)


def test_vuosikello_edit_and_refusal(editor_env):
    at = signed_in("pages/vuosikello-sykli.py")
    events = store().events()
    at.session_state["vk_editor_0"] = {"edited_rows": {0: {"months": "13"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "Tallenna vuosikello").click().run()
    assert any("1–12" in e.value for e in at.error)
    assert store().history(entity="event").empty
    at.session_state["vk_editor_0"] = {
        "edited_rows": {0: {"owner": "Uusi vastuutaho"}},
        "added_rows": [{"title": "Uusi tapahtuma", "months": "6"}],
        "deleted_rows": [],
    }
    at.run()
    next(b for b in at.button if b.label == "Tallenna vuosikello").click().run()
    assert not at.exception, at.exception
    after = store().events()
    assert len(after) == len(events) + 1
    assert after.iloc[0]["owner"] == "Uusi vastuutaho"
    assert "Uusi tapahtuma" in set(after["title"])


def test_vuosikello_refusal_follows_the_language(editor_env):
    at = signed_in("pages/vuosikello-sykli.py")
    at.sidebar.radio(key="w_lang").set_value("en").run()
    recorded = len(store().history(entity="event"))
    at.session_state["vk_editor_0"] = {"edited_rows": {0: {"months": "13"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    next(b for b in at.button if b.label == "Save the annual clock").click().run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert "Months must be given as numbers 1–12, not '13'." in errors, errors
    assert len(store().history(entity="event")) == recorded  # nothing saved


def test_reports_build_in_the_background_and_are_offered_when_ready(editor_env):
    at = AppTest.from_file("../../app.py", default_timeout=180).run()
    at.switch_page("pages/raportit.py").run()
    at.selectbox(key="w_report_goal").set_value("II").run()
    next(b for b in at.button if b.label == "Tee raportti").click().run()
    assert not at.exception, at.exception
    [job] = jobs_of(at)
    if not job.done:  # while it is made: progress, no downloads yet, and the button waits
        assert not at.get("download_button")
        assert next(b for b in at.button if b.label == "Tee raportti").disabled
    finish_jobs(at)
    assert not at.exception, at.exception
    assert any("Raportti on valmis" in s.value for s in at.success)
    html = next(d for d in at.get("download_button") if d.proto.label == "Lataa HTML")
    assert html.proto.label == "Lataa HTML"
    # the next person asking for the same report (same data version) gets it at once, without a build
    other = AppTest.from_file("../../app.py", default_timeout=180).run()
    other.switch_page("pages/raportit.py").run()
    other.selectbox(key="w_report_goal").set_value("II").run()
    assert any("Raportti on valmis" in s.value for s in other.success)
    assert jobs_of(other)[0] is job
    html_text = job.result()[0]  # what "Lataa HTML" downloads: the chosen goal's report
    plan = load_plan()
    assert f"<title>Päätavoite II: {html_mod.escape(plan.goal('II').title_fi)}" in html_text
    assert all(html_mod.escape(s.title_fi) in html_text for s in plan.subgoals_of("II"))
    assert not any(html_mod.escape(s.title_fi) in html_text for s in plan.subgoals_of("I"))


def test_data_page_viewer_sees_export_only():
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/tiedot.py").run()
    assert not at.exception
    assert any("vaativat kirjautumisen" in i.value for i in at.info)
    # the whole working state can be taken out; nothing can be brought in (no file to choose, no templates)
    # (each backup is made beside the page on a click, then offered for download)
    assert [b.label for b in at.button] == ["Lataa Excel-työkirja", "Lataa CSV-tiedostot (zip)"]
    assert not at.get("file_uploader")
    assert [h.value for h in at.subheader] == ["Vie koko työtila"]


def test_evaluation_conflict_shows_both_and_saves_nothing(editor_env):
    at = signed_in("pages/arviointi.py")
    at.selectbox(key="w_year").set_value(2024).run()
    at.selectbox(key="w_eval_actor").set_value("poliisi").run()
    key = next(k for k in at.session_state if str(k).startswith("eval_editor_poliisi_2024"))
    at.session_state[key] = {
        "edited_rows": {0: {"rating": rating_label(4), "comment": "Eevan arvio"}, 1: {"rating": rating_label(2)}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    from core.store import Editor

    first = store().measures().query("actor_id == 'poliisi' and row_kind == 'measure'").sort_values("measure_id")
    shown = at.session_state["eval_base_poliisi_2024"][1]  # (data version, rows shown)
    clash = shown.iloc[0]["measure_id"]
    store().save_evaluation(clash, 2024, {"rating": 1, "comment": "Pekan arvio"}, None, Editor("Pekka"))
    next(b for b in at.button if b.label == "Tallenna arviot").click().run()
    assert any("Joku muu on muuttanut samoja kenttiä" in e.value for e in at.error)
    assert any(clash in m.value and "Pekka" in m.value for m in at.markdown)  # which row, and who saved it
    table = at.table[0].value.to_string()
    assert "Pekan arvio" in table and "Eevan arvio" in table
    saved = store().evaluations(2024)
    assert set(saved["measure_id"]) == {clash}  # the other row was not saved either: all or nothing
    next(b for b in at.button if b.label == "Pidä oma arvoni").click().run()
    saved = store().evaluations(2024).set_index("measure_id")
    assert saved.loc[clash, "comment"] == "Eevan arvio" and len(saved) == 2
    assert len(first) >= 2


def test_single_value_form_opens_on_demand_and_previews(editor_env):
    at = signed_in("pages/tiedot.py")
    assert not at.get("number_input")  # the closed form is not built
    at.session_state["w_add_value_open"] = True  # the expander (AppTest cannot click one)
    at.run()
    at.selectbox(key="add_ind").set_value(7)
    at.selectbox(key="add_group").set_value("lukio")
    at.number_input(key="add_year").set_value(2031)
    at.text_input(key="add_value").input("71,5")
    next(b for b in at.button if b.label == "Tarkista").click().run()
    assert not at.exception, at.exception
    assert any("Esikatselu: 1 lisätään, 0 muuttuu, 0 ennallaan." in i.value for i in at.info)
    before = len(store().observations())
    next(b for b in at.button if b.label == "Vahvista ja tallenna").click().run()
    finish_jobs(at)  # the import is written beside the page
    assert any("Tallennettu: 1 lisätty, 0 muutettu." in s.value for s in at.success)
    obs = store().observations()
    assert len(obs) == before + 1
    assert set(obs[(obs["year"] == 2031) & (obs["indicator_id"] == 7)]["value"]) == {71.5}


def test_evaluation_rows_follow_the_store_until_the_user_edits():
    from core.store import Editor  # noqa: PLC0415

    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/arviointi.py").run()
    at.selectbox(key="w_year").set_value(2022).run()
    at.selectbox(key="w_eval_actor").set_value("hamina").run()
    shown = at.session_state["eval_base_hamina_2022"][1]
    first = shown.iloc[0]["measure_id"]
    assert pd.isna(shown.iloc[0]["rating"])  # an empty cell
    # someone else rates the first measure: a viewer without unsaved changes sees it on the next run
    store().save_evaluations(
        [
            (
                first,
                2022,
                {"rating": 2, "comment": "Toisen arvio", "evaluator": "Pekka", "evaluated_on": "2022-12-01"},
                None,
            )
        ],
        Editor("Pekka"),
    )
    at.run()
    assert not at.exception, at.exception
    now = at.session_state["eval_base_hamina_2022"][1]
    assert now.iloc[0]["rating"] == rating_label(2) and now.iloc[0]["comment"] == "Toisen arvio"
    # the changed cells are marked and a note under the table names the row (ui.edit_table)
    cells, _at = at.session_state["eval_base_hamina_2022_marked"]
    assert cells == {(first, f) for f in ("rating", "comment", "evaluator", "evaluated_on")}
    assert any(c.value.startswith("🔄 Muutettu juuri toisaalla (1): ") for c in at.caption), [
        c.value for c in at.caption
    ]


def test_single_value_form_in_english_refuses_and_previews_in_english(editor_env):
    at = signed_in("pages/tiedot.py")
    at.sidebar.radio(key="w_lang").set_value("en").run()
    at.session_state["w_add_value_open"] = True
    at.run()
    at.selectbox(key="add_ind").set_value(7)
    at.selectbox(key="add_group").set_value("lukio")
    at.text_input(key="add_value").input("12 %")
    next(b for b in at.button if b.label == "Check").click().run()
    assert not at.exception, at.exception
    refusal = "\n".join(c.value for c in at.code)
    assert "Row 2, column 'value': The value '12 %' is not a number. Write the number alone" in refusal
    assert "Rivi" not in refusal and "sarake" not in refusal  # no Finnish left in the English UI
    at.text_input(key="add_value").input("71.5")
    next(b for b in at.button if b.label == "Check").click().run()
    preview = at.dataframe[0].value
    assert {"row", "change", "old value"} <= set(preview.columns) and list(preview["change"]) == ["added"]


def test_vuosikello_edits_stay_on_their_row_when_others_save_meanwhile(editor_env):
    """A live update must not move an unsaved edit onto another row, nor save over a change unseen."""
    from core.store import Editor, EventChange

    at = signed_in("pages/vuosikello-sykli.py")
    generation = at.session_state["_vk_generation"] if "_vk_generation" in at.session_state else 0
    key = f"vk_editor_{generation}"
    first = store().events().iloc[0]
    at.session_state[key] = {"edited_rows": {0: {"owner": "Oma muokkaus"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    # meanwhile someone else edits the same event
    store().save_events(
        [
            EventChange(
                first["event_id"],
                {
                    "title": first["title"],
                    "months": first["months"],
                    "owner": "Toisen muokkaus",
                    "description": first["description"],
                },
                int(first["version"]),
            )
        ],
        Editor("Toinen"),
    )
    at.run()
    assert any("sillä välin" in i.value for i in at.info)
    next(b for b in at.button if b.label == "Tallenna vuosikello").click().run()
    assert not at.exception, at.exception
    assert any("muuttanut" in e.value or "muutettu" in e.value or "Joku muu" in e.value for e in at.error)
    assert store().events().set_index("event_id").loc[first["event_id"], "owner"] == "Toisen muokkaus"


def test_evaluation_conflict_take_theirs_keeps_the_saved_and_saves_the_rest(editor_env):
    from core.store import Editor  # noqa: PLC0415

    at = signed_in("pages/arviointi.py")
    at.selectbox(key="w_year").set_value(2023).run()
    at.selectbox(key="w_eval_actor").set_value("poliisi").run()
    key = next(k for k in at.session_state if str(k).startswith("eval_editor_poliisi_2023"))
    at.session_state[key] = {
        "edited_rows": {0: {"rating": rating_label(4), "comment": "Eevan arvio"}, 1: {"comment": "Eevan toinen"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    shown = at.session_state["eval_base_poliisi_2023"][1]
    clash, other = shown.iloc[0]["measure_id"], shown.iloc[1]["measure_id"]
    store().save_evaluation(clash, 2023, {"rating": 1, "comment": "Pekan arvio"}, None, Editor("Pekka"))
    next(b for b in at.button if b.label == "Tallenna arviot").click().run()
    assert any("Joku muu on muuttanut samoja kenttiä" in e.value for e in at.error)
    assert set(store().evaluations(2023)["measure_id"]) == {clash}  # nothing of Eeva's yet
    next(b for b in at.button if b.label == "Käytä tallennettua arvoa").click().run()
    assert not at.exception, at.exception
    saved = store().evaluations(2023).set_index("measure_id")
    assert saved.loc[clash, "comment"] == "Pekan arvio" and saved.loc[clash, "rating"] == 1  # theirs stays
    assert saved.loc[other, "comment"] == "Eevan toinen"  # the row without a clash is saved
    assert any("1 arvio tallennettu." in s.value for s in at.success), [s.value for s in at.success]
    assert not at.error and not at.table  # the choice is made: no conflict left on the page
    now = at.session_state["eval_base_poliisi_2023"][1].set_index("measure_id")
    assert now.loc[clash, "comment"] == "Pekan arvio"  # the editor shows the stored rows again


@pytest.mark.parametrize(("choice", "kept"), [("Pidä oma arvoni", "mine"), ("Käytä tallennettua arvoa", "theirs")])
def test_vuosikello_conflict_keep_mine_or_take_theirs(editor_env, choice, kept):
    from core.store import Editor, EventChange  # noqa: PLC0415

    mine, theirs = f"Oma muokkaus ({choice})", f"Toisen muokkaus ({choice})"  # new values in this session's store
    owner = mine if kept == "mine" else theirs
    at = signed_in("pages/vuosikello-sykli.py")
    generation = at.session_state["_vk_generation"] if "_vk_generation" in at.session_state else 0
    events = store().events()
    first, second = events.iloc[0], events.iloc[1]
    at.session_state[f"vk_editor_{generation}"] = {
        "edited_rows": {0: {"owner": mine}, 1: {"description": f"Oma kuvaus ({choice})"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    values = {k: first[k] for k in ("title", "months", "description")}
    store().save_events(
        [EventChange(first["event_id"], {**values, "owner": theirs}, int(first["version"]))],
        Editor("Toinen"),
    )
    at.run()
    next(b for b in at.button if b.label == "Tallenna vuosikello").click().run()
    assert any("Joku muu on muuttanut samoja kenttiä" in e.value for e in at.error)
    table = at.table[0].value.to_string()
    assert mine in table and theirs in table
    assert any(first["title"] in m.value and "Toinen" in m.value for m in at.markdown)  # the row by its title, and who
    assert store().events().set_index("event_id").loc[second["event_id"], "description"] != f"Oma kuvaus ({choice})"
    next(b for b in at.button if b.label == choice).click().run()
    assert not at.exception, at.exception
    after = store().events().set_index("event_id")
    assert after.loc[first["event_id"], "owner"] == owner
    assert after.loc[second["event_id"], "description"] == f"Oma kuvaus ({choice})"  # the rest is saved in the same go
    assert not at.error and not at.table
    assert any("Vuosikello tallennettu" in s.value for s in at.success), [s.value for s in at.success]
    shown = at.session_state["_vk_base"][1].set_index("event_id")
    assert shown.loc[first["event_id"], "owner"] == owner  # fresh rows from the store


def test_vuosikello_chooser_lists_just_the_clashing_field_and_keep_mine_keeps_the_others_title(editor_env):
    from core.store import Editor, EventChange  # noqa: PLC0415

    at = signed_in("pages/vuosikello-sykli.py")
    generation = at.session_state["_vk_generation"] if "_vk_generation" in at.session_state else 0
    first = store().events().iloc[0]
    at.session_state[f"vk_editor_{generation}"] = {
        "edited_rows": {0: {"owner": "Oma vastuutaho", "description": "Oma kuvaus kentittäin"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    store().save_events(
        [
            EventChange(
                first["event_id"],
                {"title": "Toisen otsikko", "owner": "Toisen vastuutaho"},
                int(first["version"]),
                {"title": first["title"], "owner": first["owner"]},
            )
        ],
        Editor("Toinen"),
    )
    at.run()
    next(b for b in at.button if b.label == "Tallenna vuosikello").click().run()
    [table] = at.table
    assert list(table.value.index) == ["Vastuutaho"]  # the title and description do not clash: not listed
    assert table.value.iloc[0].tolist() == ["Oma vastuutaho", "Toisen vastuutaho", "Toinen"]
    next(b for b in at.button if b.label == "Pidä oma arvoni").click().run()
    assert not at.exception, at.exception
    row = store().events().set_index("event_id").loc[first["event_id"]]
    assert (row["title"], row["owner"], row["description"]) == (
        "Toisen otsikko",  # the other editor's title is not written back over
        "Oma vastuutaho",
        "Oma kuvaus kentittäin",
    )


def test_vuosikello_removed_row_changed_meanwhile_is_a_conflict(editor_env):
    from core.store import Editor, EventChange  # noqa: PLC0415

    at = signed_in("pages/vuosikello-sykli.py")
    generation = at.session_state["_vk_generation"] if "_vk_generation" in at.session_state else 0
    first = store().events().iloc[0]
    at.session_state[f"vk_editor_{generation}"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}
    at.run()
    values = {k: first[k] for k in ("title", "months", "description")}
    store().save_events(
        [EventChange(first["event_id"], {**values, "owner": "Toisen muokkaus ennen poistoa"}, int(first["version"]))],
        Editor("Toinen"),
    )
    at.run()
    next(b for b in at.button if b.label == "Tallenna vuosikello").click().run()
    assert any("Poistit tämän rivin" in c.value for c in at.caption)
    assert first["event_id"] in set(store().events()["event_id"])
    next(b for b in at.button if b.label == "Pidä oma arvoni").click().run()
    assert not at.exception, at.exception
    assert first["event_id"] not in set(store().events()["event_id"])  # removed over their change, as chosen


def test_backup_is_made_beside_the_page_and_offered_when_ready():
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/tiedot.py").run()
    at.button(key="exp_zip_make").click().run()
    assert not at.exception, at.exception
    finish_jobs(at)
    [offered] = [d for d in at.get("download_button") if d.proto.label == "Lataa CSV-tiedostot (zip)"]
    [job] = jobs_of(at)
    with zipfile.ZipFile(io.BytesIO(job.result())) as zf:  # the bytes offered are a whole backup
        assert "measures.csv" in zf.namelist()
    assert offered.proto.url  # the file is in Streamlit's media store, ready to download
