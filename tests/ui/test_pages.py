"""AppTest: every page opens with default filters, each age group, and actor combinations."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from core.storage import Store
from ui.state import PAGE_VIEWS

PAGES = ["pages/overview.py", "pages/paatavoite-1.py", "pages/paatavoite-2.py", "pages/paatavoite-3.py", "pages/indikaattorit.py",
         "pages/toimenpiteet.py", "pages/aikajana.py", "pages/arviointi.py", "pages/tiedot.py", "pages/raportit.py",
         "pages/vuosikello-sykli.py", "pages/historia.py"]
GROUPS = [None, "lk4_5", "lk8_9", "lukio", "ammatillinen", "huoltajat_4v"]
ACTOR_SETS = [[], ["kymsote"], ["hamina", "poliisi"], ["seurakunnat", "jarjestot", "mll"]]


def app(timeout: float = 30) -> AppTest:
    return AppTest.from_file("../../app.py", default_timeout=timeout)


def open_page(page: str, view: str | None = None) -> AppTest:
    """The app (router + sidebar) showing ``page`` (its tab ``view``, as ?nakyma= would); overview is the default."""
    at = app()
    if view:
        at.session_state["view"] = view
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    return at


def targets(pages: list[str]) -> list[tuple[str, str | None]]:
    """(page, view) for every tab of pages with tabs (only the open tab runs), else (page, None)."""
    return [(p, v) for p in pages for v in (PAGE_VIEWS.get(p) or (None,))]


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize(("page", "view"), targets(PAGES))
def test_page_opens_with_defaults(page, view):
    at = open_page(page, view)
    no_errors(at)
    assert at.sidebar.selectbox(key="w_group_fi").value is None
    if view:
        assert at.session_state["view"] == view


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_its_own(page):
    at = AppTest.from_file(f"../../{page}", default_timeout=30).run()
    no_errors(at)


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize(("page", "view"), targets(["pages/overview.py", "pages/paatavoite-1.py", "pages/paatavoite-2.py",
                                                    "pages/paatavoite-3.py", "pages/indikaattorit.py"]))
def test_each_age_group(page, view, group):
    at = open_page(page, view)
    at.sidebar.selectbox(key="w_group_fi").set_value(group).run()
    no_errors(at)
    assert at.session_state["group"] == group


@pytest.mark.parametrize("actors", ACTOR_SETS)
@pytest.mark.parametrize(("page", "view"), targets(["pages/overview.py", "pages/paatavoite-1.py", "pages/toimenpiteet.py"]))
def test_actor_combinations(page, view, actors):
    at = open_page(page, view)
    at.sidebar.multiselect(key="w_actors_fi").set_value(actors).run()
    no_errors(at)
    assert list(at.session_state["actors"]) == actors


def opened_by_link(page: str, **params: str) -> AppTest:
    """A fresh session opened by a link with these query parameters, on ``page``."""
    at = app()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    no_errors(at)
    return at


def test_indicator_definition_follows_the_link_and_the_chooser():
    at = opened_by_link("pages/indikaattorit.py", indikaattori="16")
    chooser = at.selectbox(key="w_indicator")
    assert chooser.value == "16"
    assert any(m.value.startswith("**16 ") for m in at.markdown)
    chooser.set_value("7").run()
    no_errors(at)
    assert at.session_state["indicator"] == "7"
    assert at.query_params["indikaattori"] == "7"  # a copied link reopens this indicator
    assert any(m.value.startswith("**7 ") for m in at.markdown)


def test_actor_whole_table_shows_every_row_of_the_chosen_actor():
    at = open_page("pages/toimenpiteet.py")
    at.selectbox(key="w_goal").set_value("II").run()  # the filters of the other tab do not cut the actor's table
    at.session_state["w_view_measures"] = "Toimijan koko taulukko"  # the tab (AppTest cannot click one)
    at.run()
    at.selectbox(key="w_actor_table").set_value("poliisi").run()
    no_errors(at)
    stored = Store.open(os.environ["KYMLAPSET_DATABASE_URL"]).measures()
    assert len(at.dataframe[-1].value) == int((stored["actor_id"] == "poliisi").sum())


def test_a_link_opens_the_named_tab_of_a_goal_page():
    at = opened_by_link("pages/paatavoite-2.py", nakyma="toimenpiteet")
    assert "_grid_shown_grid_II" in at.session_state  # the measures grid ran…
    assert not at.get("plotly_chart")  # …and no chart of the other tabs did
    assert at.query_params["nakyma"] == "toimenpiteet"


def test_language_switch_keeps_the_filters_and_moves_on_without_error():
    at = open_page("pages/toimenpiteet.py")
    at.sidebar.selectbox(key="w_group_fi").set_value("lukio").run()
    at.sidebar.multiselect(key="w_actors_fi").set_value(["poliisi"]).run()
    at.sidebar.radio(key="w_lang").set_value("en").run()
    no_errors(at)
    assert at.sidebar.selectbox(key="w_group_en").value == "lukio"  # the English widget starts from the filter
    assert list(at.sidebar.multiselect(key="w_actors_en").value) == ["poliisi"]
    at.switch_page("pages/aikajana.py").run()
    no_errors(at)
    assert at.session_state["group"] == "lukio" and list(at.session_state["actors"]) == ["poliisi"]


def test_no_trend_chart_for_single_year_indicators_but_a_plain_sentence():
    """The plan prints one year per indicator: goal I's Indikaattorit tab offers no trend, and says why."""
    at = open_page("pages/paatavoite-1.py", "indikaattorit")
    no_errors(at)
    assert not [s for s in at.selectbox if s.key == "trend_I_trend_pick"]
    assert any(i.value.startswith("Kehitystä vuosittain ei voi vielä näyttää") for i in at.info)
