"""AppTest: every page opens with default filters, each age group, and actor combinations."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

PAGES = ["pages/overview.py", "pages/goal_1.py", "pages/goal_2.py", "pages/goal_3.py", "pages/indicators.py",
         "pages/measures.py", "pages/timeline.py", "pages/evaluation.py", "pages/data_io.py", "pages/reports.py",
         "pages/vuosikello.py", "pages/history.py"]
GROUPS = [None, "lk4_5", "lk8_9", "lukio", "ammatillinen", "huoltajat_4v"]
ACTOR_SETS = [[], ["kymsote"], ["hamina", "poliisi"], ["seurakunnat", "jarjestot", "mll"]]


def app(timeout: float = 30) -> AppTest:
    return AppTest.from_file("../../app.py", default_timeout=timeout)


def open_page(page: str) -> AppTest:
    """The app (router + sidebar) showing ``page``; the overview is the default page."""
    at = app().run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    return at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_with_defaults(page):
    at = open_page(page)
    no_errors(at)
    assert at.sidebar.selectbox(key="w_group").value is None


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_its_own(page):
    at = AppTest.from_file(f"../../{page}", default_timeout=30).run()
    no_errors(at)


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/goal_1.py", "pages/goal_2.py", "pages/goal_3.py",
                                  "pages/indicators.py"])
def test_each_age_group(page, group):
    at = open_page(page)
    at.sidebar.selectbox(key="w_group").set_value(group).run()
    no_errors(at)
    assert at.session_state["group"] == group


@pytest.mark.parametrize("actors", ACTOR_SETS)
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/goal_1.py", "pages/measures.py"])
def test_actor_combinations(page, actors):
    at = open_page(page)
    at.sidebar.multiselect(key="w_actors").set_value(actors).run()
    no_errors(at)
    assert list(at.session_state["actors"]) == actors
