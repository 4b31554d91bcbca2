"""Real browser: the plan chosen in the sidebar is in the link, and a copied link opens the same plan;
the first visit to a fresh server may be a deep link to a goal page beyond three (issue #17)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.plan.loader import load_plan
from core.store import Editor, Store
from tests.browser.conftest import choose, running, wait_idle
from tests.ui.test_plans_pages import add_fourth_goal

OLD = "kymenlaakso-2020-2025"
NEW = "kymenlaakso-2026-2029"
PICKER = "Näytettävä suunnitelma"


def two_plans(path) -> str:
    """A store with the ended plan of data/ and a draft of 2026–2029 that has a fourth main goal."""
    url = f"sqlite:///{path}"
    store = Store.open(url)
    store.seed(load_plan())
    store.create_plan_from(OLD, NEW, "Hyvinvointisuunnitelma 2026–2029", 2026, 2029, "continuing", Editor("Testi"))
    add_fourth_goal(store, NEW, "Nuorten osallisuus vahvistuu", "Young people take part")
    return url


def picked(page) -> str:
    return page.get_by_role("combobox", name=PICKER).input_value()


def test_first_deep_link_to_a_fourth_goal_on_a_fresh_server(browser, tmp_path):
    """The very first visit after a start is a link to goal IV of the draft: no "Page not found"."""
    with running(
        two_plans(tmp_path / "fresh.db"), {"KYMLAPSET_EDITOR_PASSCODE": ""}, plan_in_force=False
    ) as server:  # no warm-up
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{server.url}/paatavoite-4?suunnitelma={NEW}&nakyma=tavoite")
        wait_idle(page)
        page.wait_for_timeout(1000)
        assert page.locator('[role="dialog"]').count() == 0  # no "Page not found"
        expect(page.get_by_role("heading", name="Päätavoite IV: Nuorten osallisuus vahvistuu").first).to_be_visible()
        assert "/paatavoite-4" in page.url and f"suunnitelma={NEW}" in page.url
        page.close()


def test_both_plans_open_from_copied_links(browser, tmp_path):
    with running(
        two_plans(tmp_path / "links.db"), {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser, plan_in_force=False
    ) as server:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{server.url}/toimenpiteet")
        wait_idle(page)
        links = {}
        for plan_id, label in ((OLD, "päättynyt"), (NEW, "luonnos")):
            info = Store.open(server.db_url).plan_info(plan_id)
            choose(page, PICKER, f"{info.period_start}–{info.period_end} · {label} · {info.name_fi}")
            expect(page).to_have_url(re.compile(rf"suunnitelma={plan_id}"))
            links[plan_id] = (page.url, picked(page), caption(page))
        assert links[OLD][2] != links[NEW][2]  # the pages show each plan's own measures
        for plan_id, (url, label, shown) in links.items():
            fresh = browser.new_page(viewport={"width": 390, "height": 844})  # as on a colleague's phone
            fresh.goto(url)
            wait_idle(fresh)
            assert picked(fresh) == label
            assert caption(fresh) == shown
            assert f"suunnitelma={plan_id}" in fresh.url
            fresh.close()
        # a link to goal II made on the draft's pages names the draft
        page.get_by_role("link", name="Päätavoite II", exact=True).click()
        wait_idle(page)
        expect(page).to_have_url(re.compile(rf"/paatavoite-2\?.*suunnitelma={NEW}"))
        page.close()


def caption(page) -> str:
    """The measures page's count ("N toimenpidettä …")."""
    return page.get_by_text(re.compile(r"^\d+ toimenpide")).first.inner_text()
