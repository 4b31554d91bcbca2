"""Every table shows its point on the first screen of a 1280×720 projector and a 390×844 phone.

For each table the columns that carry the page's point are reached without scrolling sideways, no text
is under 14 px, the measures grid's filter menu is Finnish, and the workshop shows a measure card first.

Streamlit's tables (st.dataframe / st.data_editor) draw on a canvas: where a column sits is read by
selecting the first cell and stepping right with the arrow key; the table scrolls sideways only when a
selected column is not in view, so ``scrollLeft`` still 0 on each point column means it was in view.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.base.i18n import t
from core.store import Editor, MeasureEdit, Store
from tests.browser.conftest import page_at, wait_idle
from tests.browser.test_editing import GRID

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("viewport", [PROJECTOR, PHONE], ids=["projector", "phone"])

# page → the columns that carry its point (the row's identifier first)
TABLES = {
    "/arviointi": ["col.toimenpide", "eval.col.rating"],
    "/indikaattorit?nakyma=arvot": ["col.indicator", "col.value", "col.national", "col.status"],
    "/historia": ["history.col.field", "history.col.new_value"],
    "/toimenpiteet?nakyma=koko_taulukko": ["col.subgoal", "col.toimenpide"],
    "/tyopaja?nakyma=yhteenveto": ["minutes.col.field", "minutes.col.new"],
}
# English that AG Grid shows in its menus unless localeText replaces it
ENGLISH = re.compile(
    r"\b(Contains|Equals|Filter|Begins with|Ends with|Does not|Blank|Not blank|AND|OR|Apply|Reset|Clear|"
    r"Select All|Search|Sort|Pin|Choose|Between|Less than|Greater than)\b"
)


@pytest.fixture(scope="module")
def changed(app_server):
    """One saved change, so the history and the workshop's summary have rows."""
    store = Store.open(app_server.db_url)
    m = store.measures().query("subgoal_id == 'I.2' and row_kind == 'measure'").iloc[0]
    store.save_measure_edits(
        [MeasureEdit(m["measure_id"], int(m["version"]), {"aikataulu": "Syksyllä 2026, kun uusi malli on valmis"})],
        Editor("Sihteeri"),
    )
    return app_server


def small_text(page) -> list[tuple[str, str]]:
    """Visible texts of the page's main area under 14 px (tag and text)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] *')]
        .filter(e => e.childElementCount === 0 && e.textContent.trim() && e.getClientRects().length
                     && getComputedStyle(e).visibility !== 'hidden')
        .filter(e => parseFloat(getComputedStyle(e).fontSize) < 14)
        .map(e => [e.tagName, e.textContent.trim().slice(0, 40)])"""
    )


def point_columns_in_view(page, headers: list[str], viewport: dict) -> None:
    table = page.locator('[data-testid="stDataFrame"]').first
    expect(table.locator("th").first).to_be_attached(timeout=30000)
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1, box  # the table itself fits
    shown = table.locator("th[role=columnheader]").all_inner_texts()
    wanted = [shown.index(h) + 1 for h in headers]  # aria-colindex is 1-based
    assert wanted == sorted(wanted) and wanted[0] == 1, shown  # the identifier first, the point after it
    page.mouse.click(box["x"] + 20, box["y"] + 55)  # the first row's first cell (under the header)
    scroller = table.locator(".dvn-scroller")
    selected = "e => [...e.querySelectorAll('td[aria-selected=true]')].map(c => +c.getAttribute('aria-colindex'))"
    page.wait_for_timeout(300)
    for col in range(1, wanted[-1] + 1):
        if col > 1:
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(250)
        assert table.evaluate(selected) == [col], (col, shown)
        if col in wanted:
            assert scroller.evaluate("e => e.scrollLeft") == 0, f"{shown[col - 1]} needed a sideways scroll"
    page.keyboard.press("Escape")


@SIZES
@pytest.mark.parametrize("path", list(TABLES))
def test_table_point_is_in_view_without_sideways_scroll(browser, changed, viewport, path):
    page = page_at(browser, viewport)
    page.goto(changed.url + path)
    wait_idle(page)
    point_columns_in_view(page, [t(k) for k in TABLES[path]], viewport)
    assert not small_text(page)
    assert not page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    page.close()


@SIZES
def test_measures_grid_shows_the_measure_and_its_follow_up(browser, app_server, viewport):
    page = page_at(browser, viewport)
    page.goto(app_server.url + "/toimenpiteet")
    wait_idle(page)
    if viewport is PHONE:  # a phone gets one card per measure: the measure's text in full width
        text = page.locator('[class*="st-key-mcards_"] .mcard-text').first
        expect(text).to_be_visible(timeout=30000)
        b = text.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"]
        assert not small_text(page)
        page.close()
        return
    grid = page.frame_locator(GRID)
    expect(grid.locator(".ag-center-cols-container [row-index='0']")).to_be_visible(timeout=30000)
    frame = page.locator(GRID).bounding_box()
    right = min(frame["x"] + frame["width"], viewport["width"])
    for col in ("measure_id", "toimenpide", "mittari", "aikataulu"):
        b = grid.locator(f".ag-header-cell[col-id='{col}']").bounding_box()
        assert b and b["x"] + b["width"] <= right + 1, (col, b, frame)  # page coordinates
    assert grid.locator(".ag-center-cols-viewport").evaluate("e => e.scrollLeft") == 0
    sizes = grid.locator(".ag-cell, .ag-header-cell-text").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 14, min(sizes)
    opacity = grid.locator(".ag-header-cell-text").first.evaluate("e => getComputedStyle(e).opacity")
    assert float(opacity) == 1
    assert not small_text(page)
    page.close()


def test_grid_filter_menu_has_no_english(browser, app_server):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(app_server.url + "/toimenpiteet")
    wait_idle(page)
    grid = page.frame_locator(GRID)
    expect(grid.locator(".ag-center-cols-container [row-index='0']")).to_be_visible(timeout=30000)
    header = grid.locator(".ag-header-cell[col-id='mittari']")
    header.hover()
    header.locator(".ag-header-cell-filter-button, .ag-header-cell-menu-button").first.click()
    popup = grid.locator(".ag-popup")
    expect(popup).to_contain_text("Sisältää")
    popup.locator(".ag-picker-field-wrapper").first.click()  # the list of conditions
    expect(grid.locator(".ag-list-item").first).to_be_visible()
    texts = grid.locator(".ag-popup, .ag-select-list").all_inner_texts()
    attrs = grid.locator(".ag-popup [placeholder], .ag-popup [aria-label]").evaluate_all(
        "els => els.map(e => (e.getAttribute('placeholder') || '') + ' ' + (e.getAttribute('aria-label') || ''))"
    )
    english = [s for s in [*texts, *attrs] if ENGLISH.search(s)]
    assert not english, english
    assert "Suodata…" in attrs[0] or any("Suodata" in a for a in attrs)
    page.close()


def test_workshop_shows_a_measure_card_on_its_first_screen(browser, app_server):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(app_server.url + "/tyopaja?valitavoite=I.1")
    wait_idle(page)
    card = page.locator('.st-key-workshop_measures [class*="st-key-ws_card_"]').first
    expect(card).to_be_visible(timeout=30000)
    page.evaluate("window.scrollTo(0, 0)")
    top = card.bounding_box()["y"]
    assert top < PROJECTOR["height"] - 120, top  # the card's heading and first lines are on the first screen
    for name in ("Edellinen", "Seuraava"):  # one arrow each: the icon, not the key hint beside it
        button = page.get_by_role("button", name=re.compile(name))
        shown = " ".join(button.inner_text().split())  # the icon is a ligature: its name is its text
        assert shown in (f"arrow_back {name}", f"{name} arrow_forward"), shown
        assert button.locator("kbd").evaluate_all("els => els.filter(e => e.getClientRects().length).length") == 0
    page.close()


def test_a_filtered_page_says_so_and_clears_on_a_phone(browser, app_server):
    page = page_at(browser, PHONE)  # the sidebar is hidden: the line is the only sign
    page.goto(app_server.url + "/toimenpiteet?toimija=kymsote")
    wait_idle(page)
    line = page.locator(".st-key-filter_line")
    expect(line).to_contain_text("Rajattu sivupalkista: Toimija: Kymsote")
    line.get_by_role("button", name="Poista rajaukset").click()
    wait_idle(page)
    expect(line).to_have_count(0)
    expect(page).not_to_have_url(re.compile("toimija="))
    page.close()


def test_a_card_says_where_its_measure_opened_on_a_phone(browser, app_server):
    page = page_at(browser, PHONE)
    page.goto(app_server.url + "/toimenpiteet?toimija=poliisi")
    wait_idle(page)
    cards = page.locator('[class*="st-key-mcards_"]')
    button = cards.get_by_role("button", name="Avaa koko toimenpide").first
    button.click()
    wait_idle(page)
    note = cards.get_by_text("Avattu sivun alaosaan")
    expect(note).to_have_count(1)
    note.scroll_into_view_if_needed()
    assert abs(note.bounding_box()["y"] - button.bounding_box()["y"]) < 200  # beside the tapped button
    page.close()
