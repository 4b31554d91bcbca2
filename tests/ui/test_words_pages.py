"""AppTest: the pages' numbers agree, links carry only their page's parameters, history reads as people talk."""

from __future__ import annotations

import os
import re

import pytest
from streamlit.testing.v1 import AppTest

from core.base.timefmt import default_evaluation_year
from core.store import Editor, MeasureEdit, Store
from core.views.queries import measure_row_counts

PASS = "sanat-2026"
COUNT = re.compile(r"(\d+) toimenpide(?:ttä)?(?: \(lisäksi (\d+) muu(?:ta)? taulukon rivi)?")


# data/'s plan has ended (read-only); these tests edit it as while it was in force
pytestmark = pytest.mark.usefixtures("plan_in_force")


def app(query: dict | None = None) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def store() -> Store:
    return Store.open(os.environ["KYMLAPSET_DATABASE_URL"])


def texts(at: AppTest) -> list[str]:
    return [e.value for kind in (at.caption, at.markdown, at.info, at.success) for e in kind]


def count_caption(at: AppTest) -> tuple[int, int]:
    """(real measures, other rows) from the page's "N toimenpidettä (lisäksi M …)" caption."""
    for c in at.caption:
        m = COUNT.match(c.value)
        if m:
            return int(m.group(1)), int(m.group(2) or 0)
    raise AssertionError([c.value for c in at.caption])


def test_measure_counts_agree_across_pages():
    """Etusivu, Toimenpiteet and the three goal pages count the same real measures (row_kind 'measure')."""
    at = app()  # seeds the store on first use
    assert not at.exception, at.exception
    real, other = measure_row_counts(store().measures())
    intro = next(m.value for m in at.markdown if "Suunnitelmakausi" in m.value)
    assert f" ja {real} toimenpidettä." in intro and "32 indikaattoria" in intro
    at.switch_page("pages/toimenpiteet.py").run()
    assert count_caption(at) == (real, other)
    per_goal = []
    for n in (1, 2, 3):
        at.session_state["view"] = "toimenpiteet"
        at.switch_page(f"pages/paatavoite-{n}.py").run()
        assert not at.exception, at.exception
        per_goal.append(count_caption(at))
    assert sum(r for r, _ in per_goal) == real and sum(o for _, o in per_goal) == other


def test_status_chart_says_it_counts_comparisons():
    at = app()
    caption = next(c.value for c in at.caption if "vertailuja" in c.value)
    assert "Palkit laskevat vertailuja, eivät indikaattoreita" in caption
    assert re.search(r"I: \d+ vertailua \d+ indikaattorista", caption)
    at.sidebar.radio(key="w_lang").set_value("en").run()
    assert any("The bars count comparisons, not indicators" in c.value for c in at.caption)


def test_unknown_value_is_not_an_unknown_parameter():
    at = app({"ryhma": "xyz", "foo": "1"})
    infos = [i.value for i in at.info]
    assert "Linkin parametrin 'ryhma' arvoa 'xyz' ei tunnistettu; se ohitettiin." in infos
    assert any("parametria 'foo' ei tunnistettu" in i for i in infos)
    assert not any("parametria 'ryhma'" in i for i in infos)


def test_links_carry_only_the_parameters_of_their_page():
    at = app({"vuosi": "2024", "nakyma": "arviointi", "ryhma": "lukio"})
    assert not at.info  # parameters the first page does not use are no error
    at.switch_page("pages/historia.py").run()
    plan = at.session_state["plan"]  # every link names the plan shown
    assert at.query_params == {"ryhma": "lukio", "suunnitelma": plan}  # not /historia?vuosi=2024&nakyma=arviointi
    at.switch_page("pages/arviointi.py").run()
    assert at.query_params.get("vuosi") == "2024" and at.query_params.get("nakyma") == "arviointi"
    assert at.selectbox(key="w_year").value == 2024  # the link's year is still the session's
    at.switch_page("pages/overview.py").run()
    assert at.query_params == {"ryhma": "lukio", "suunnitelma": plan}


@pytest.mark.parametrize(("page", "key"), [("pages/arviointi.py", "w_year"), ("pages/raportit.py", "w_report_year")])
def test_yearly_pages_open_on_the_last_finished_plan_year(page, key):
    at = app()
    at.switch_page(page).run()
    box = at.selectbox(key=key)
    assert box.value == default_evaluation_year(2020, 2025)
    assert "viimeisin päättynyt vuosi" in box.help and "2020–2025" in box.help
    assert any("viimeisin päättynyt vuosi (2025)" in c.value for c in at.caption)  # said on the page, too


def test_indicator_definition_shows_plain_flags_not_extraction_notes():
    at = app({"indikaattori": "15"})
    at.switch_page("pages/indikaattorit.py").run()
    shown = " ".join(texts(at))
    assert "koko maan vertailuarvo puuttuu suunnitelmasta" in shown
    assert "L1197" not in shown and "missing_national" not in shown
    at.selectbox(key="w_indicator").set_value("1").run()
    shown = " ".join(texts(at))
    assert "L971" not in shown and "group_mismatch" not in shown and "Kymenlaakson ja koko maan luvut" in shown
    values = at.dataframe[0].value
    assert not values["Huomio"].str.contains("_|L1", regex=True).any()


def test_history_in_the_grids_words_local_time_and_a_visible_revert(monkeypatch):
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)
    at = app()  # seeds the store on first use
    s = store()
    mid = s.measure_ids()[0]
    s.save_measure_edits(
        [MeasureEdit(mid, int(s.measure(mid)["version"]), {"contact": "Liisa Vastuu"})], Editor("Testi")
    )
    at.switch_page("pages/historia.py").run()
    at.session_state["w_signin_open"] = True
    at.run()
    at.sidebar.text_input(key="signin_name").input("Maija")
    at.sidebar.text_input(key="signin_code").input(PASS)
    next(b for b in at.sidebar.button if b.label == "Kirjaudu muokkaajaksi").click().run()
    at.selectbox(key="w_hist_measure").set_value(mid).run()
    table = at.dataframe[0].value
    assert "change_id" not in table.columns and "Aika" in table.columns
    first = table.iloc[0]
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d{2}", first["Aika"]), first["Aika"]
    assert first["Kohde"] == "Toimenpide" and first["Kenttä"] == "Vastuuhenkilö" and first["Toiminto"] == "muutettu"
    option = at.selectbox(key="w_revert")
    label = option.format_func(option.value)
    assert re.fullmatch(
        rf"\d{{1,2}}\.\d{{1,2}}\.\d{{4}} klo \d{{1,2}}\.\d{{2}} · {mid} · Vastuuhenkilö: .* → Liisa Vastuu", label
    ), label  # no "#change_id"
    at.button(key="revert_go").click().run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("Muutos peruttu: ") for m in at.success), [m.value for m in at.success]
    assert store().measure(mid)["contact"] != "Liisa Vastuu"
