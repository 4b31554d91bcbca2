"""AppTest: the Loppuarviointi page shows the evaluation from the store, and editors write conclusions."""

from __future__ import annotations

import io
import os

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from core.base.numbers import number_text
from core.plan.loader import load_plan
from core.store import Editor, Store
from core.views import final_evaluation as fe
from tests.background import finish_jobs, jobs_of

PASS = "loppu-2026"
PLAN = load_plan()
PLAN_ID, START, END = fe.plan_scope(PLAN)


@pytest.fixture()
def passcode(monkeypatch):
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)


def store() -> Store:
    return Store.open(os.environ["KYMLAPSET_DATABASE_URL"])


def final_page(lang: str | None = None) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/loppuarviointi.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at: AppTest, name: str) -> None:
    at.session_state["w_signin_open"] = True
    at.run()
    at.sidebar.text_input(key="signin_name").input(name)
    at.sidebar.text_input(key="signin_code").input(PASS)
    next(b for b in at.sidebar.button if b.label == "Kirjaudu muokkaajaksi").click().run()


def html_text(at: AppTest) -> str:
    return " ".join(str(h.proto.body) for h in at.get("html"))


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_page_shows_sections_tables_and_charts(lang):
    at = final_page(lang)
    headers = [h.value for h in at.header]
    assert headers[:4] == [
        fe.text(k, lang) for k in ("section.summary", "section.wellbeing", "section.measures", "section.strengths")
    ]
    assert at.title[0].value == fe.text("title", lang, start=START, end=END)
    ev = fe.final_evaluation(PLAN, store().observations(), store().measures(), store().evaluations())
    first = ev.indicators.iloc[0]
    assert number_text(first["first_value"], first["unit"], "fi") in html_text(at)
    assert any(ev.summary_lines(lang)[-1] == m.value for m in at.markdown)
    keys = [c.proto.id for c in at.get("plotly_chart")]
    assert any("final_status" in k for k in keys) and any("final_outcomes" in k for k in keys)
    assert not at.text_area  # a viewer reads the conclusions, and is told who writes them
    assert fe.text("viewer_note", lang) in [c.value for c in at.caption]


def test_goal_filter_keeps_only_that_goals_rows():
    at = final_page()
    at.selectbox(key="w_goal_final").set_value("III").run()
    assert not at.exception
    ev = fe.final_evaluation(PLAN, store().observations(), store().measures(), store().evaluations())
    other = ev.indicators[~ev.indicators["goals"].str.contains("III")]
    shown = html_text(at)
    assert other.empty or f"{other.iloc[0]['label']} · {other.iloc[0]['group_label']}" not in shown


def test_editor_writes_a_conclusion_and_others_see_it(passcode):
    at = final_page()
    sign_in(at, "Loppu Testaaja")
    key = "w_final_plan_carry_on"
    at.text_area(key=key).input("Kuulemista jatketaan").run()
    at.button(key="final_save_plan").click().run()
    assert not at.exception
    row = store().conclusions(PLAN_ID).set_index("scope").loc["plan"]
    assert row["carry_on"] == "Kuulemista jatketaan" and row["updated_by"] == "Loppu Testaaja"
    assert any(s.value == fe.text("saved", "fi") for s in at.success)
    # someone else saves another field meanwhile: it shows here without touching what was typed
    at.text_area(key="w_final_plan_worked").input("Oma luonnos").run()
    saved = {"worked": "", "did_not_work": "", "carry_on": "Kuulemista jatketaan"}
    store().save_conclusion(PLAN_ID, "plan", saved, {**saved, "did_not_work": "Muiden teksti"}, Editor("Toinen"))
    at.run()
    assert at.text_area(key="w_final_plan_did_not_work").value == "Muiden teksti"
    assert at.text_area(key="w_final_plan_worked").value == "Oma luonnos"
    # and the same field: a conflict, the editor keeps their own text
    store().save_conclusion(PLAN_ID, "plan", saved, {**saved, "worked": "Toisen teksti"}, Editor("Toinen"))
    at.button(key="final_save_plan").click().run()
    assert any("Toinen" in w.value for w in at.warning)
    assert store().conclusions(PLAN_ID).set_index("scope").loc["plan"]["worked"] == "Toisen teksti"
    at.button(key="final_keep_plan").click().run()
    assert store().conclusions(PLAN_ID).set_index("scope").loc["plan"]["worked"] == "Oma luonnos"
    hist = store().history(entity="conclusion", entity_id=f"{PLAN_ID}/plan")
    assert {"Loppu Testaaja", "Toinen"} <= set(hist["changed_by"])


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_a_first_visit_straight_to_the_page_opens_it(lang):
    alone = AppTest.from_file("../../pages/loppuarviointi.py", default_timeout=60)  # a shared deep link
    alone.query_params["lang"] = lang
    alone.run()
    assert not alone.exception, [e.value for e in alone.exception]
    assert alone.title[0].value == fe.text("title", lang, start=START, end=END)


def test_the_documents_are_made_beside_the_page_and_offered_when_ready():
    """Word, HTML and PDF are built by the background worker (not in the page run), with the conclusions
    of the data version shown, and the next person asking for the same ones gets them at once."""
    text = "Kuraattorien vastaanotot jatkuvat"
    saved = store().conclusions(PLAN_ID).set_index("scope")
    fields = ("worked", "did_not_work", "carry_on")
    base = {f: str(saved.loc["plan"][f]) if "plan" in saved.index else "" for f in fields}
    store().save_conclusion(PLAN_ID, "plan", base, {**base, "carry_on": text}, Editor("Toinen"))
    at = final_page()
    assert not jobs_of(at) and not at.get("download_button")  # nothing is built just by opening the page
    at.button(key="final_docx_make").click().run()
    at.button(key="final_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(jobs_of(at)) == 2
    finish_jobs(at)
    assert not at.exception, [e.value for e in at.exception]
    offered = {d.proto.label for d in at.get("download_button")}
    assert {fe.text("download.word", "fi"), fe.text("download.html", "fi")} <= offered
    word, printed = sorted(jobs_of(at), key=lambda j: j.key[0])
    assert word.key == ("final_docx", PLAN_ID, "fi", store().data_version())
    doc = Document(io.BytesIO(word.result()))
    assert any(text in p.text for p in doc.paragraphs)
    html_doc, pdf = printed.result()
    assert text in html_doc
    assert (fe.text("download.pdf", "fi") in offered) == (pdf is not None)
    # another session of the same plan, language and data version: offered at once, from the same jobs
    other = final_page()
    assert {d.proto.label for d in other.get("download_button")} == offered
    assert set(map(id, jobs_of(other))) == {id(word), id(printed)}
    # a save makes a new data version: the documents are offered to be made afresh
    store().save_conclusion(PLAN_ID, "plan", {**base, "carry_on": text}, {**base, "carry_on": "Uusi"}, Editor("T"))
    other.run()
    assert not other.get("download_button")
