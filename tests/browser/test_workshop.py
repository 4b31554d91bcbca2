"""The Työpaja page in a real browser at projector size: arrow keys, the link, the minutes download."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

from docx import Document
from playwright.sync_api import expect

from core.store import Editor, MeasureEdit, Store
from tests.browser.conftest import wait_idle

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("KYMLAPSET_SHOTS", "/tmp/shots-h6"))


def heading(page):
    return page.locator(".st-key-workshop_subgoal h1")


def ready(page) -> None:
    """The run is over and its widgets and style are drawn: Streamlit loads each element's code lazily and
    shows a grey skeleton meanwhile, which on a busy machine outlasts the run by seconds."""
    wait_idle(page)
    # the page's own style block (the app adds its shared one too)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stHtml] style')]"
        ".some(s => s.textContent.includes('st-key-workshop_subgoal'))",
        timeout=30000,
    )
    if page.locator(".st-key-workshop_subgoal").count():
        expect(page.get_by_role("combobox", name="Välitavoite")).to_be_visible(timeout=30000)
        expect(page.get_by_role("button", name=re.compile("Seuraava"))).to_be_visible(timeout=30000)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))  # the viewport: what the room sees


def test_arrow_keys_step_through_sub_goals_and_the_link_reopens_the_same(browser, app_server):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(f"{app_server.url}/tyopaja?valitavoite=II.2")
    ready(page)
    expect(heading(page)).to_have_text(re.compile(r"^II\.2 "))
    expect(page.locator(".st-key-workshop_charts [data-testid='stPlotlyChart']").first).to_be_visible(timeout=30000)
    shot(page, "workshop_1280x720")
    page.locator(".st-key-workshop_measures").scroll_into_view_if_needed()
    shot(page, "workshop_measures_1280x720")
    heading(page).click()  # focus on the page, not on a widget
    page.keyboard.press("ArrowRight")
    expect(heading(page)).to_have_text(re.compile(r"^II\.3 "))
    expect(page).to_have_url(re.compile(r"valitavoite=II\.3"))
    wait_idle(page)
    page.keyboard.press("ArrowLeft")
    expect(heading(page)).to_have_text(re.compile(r"^II\.2 "))
    wait_idle(page)
    page.keyboard.press("ArrowLeft")
    expect(heading(page)).to_have_text(re.compile(r"^II\.1 "))
    expect(page).to_have_url(re.compile(r"valitavoite=II\.1"))
    wait_idle(page)

    link = page.url
    fresh = browser.new_page(viewport=PROJECTOR)  # a colleague opens the link
    fresh.goto(link)
    ready(fresh)
    expect(heading(fresh)).to_have_text(heading(page).inner_text())
    expect(fresh.get_by_role("combobox", name="Välitavoite")).to_have_value(re.compile(r"^II\.1 "))
    fresh.close()
    page.close()


def test_measure_cards_fit_a_phone(browser, app_server):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{app_server.url}/tyopaja?valitavoite=II.3")
    ready(page)
    expect(heading(page)).to_have_text(re.compile(r"^II\.3 "))
    cards = page.locator(".st-key-workshop_measures [data-testid='stText']")
    expect(cards.first).to_be_visible(timeout=30000)
    too_wide = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not too_wide  # no sideways scrolling on a phone
    shot(page, "workshop_390x844")
    page.locator(".st-key-workshop_measures").scroll_into_view_if_needed()
    shot(page, "workshop_measures_390x844")
    page.close()


def test_summary_download_reads_back(browser, app_server):
    store = Store.open(app_server.db_url)
    m = store.measures().query("subgoal_id == 'I.3' and row_kind == 'measure'").iloc[0]
    store.save_measure_edits(
        [MeasureEdit(m["measure_id"], int(m["version"]), {"aikataulu": "+ syksy 2026"})], Editor("Sihteeri")
    )
    page = browser.new_page(viewport=PROJECTOR, accept_downloads=True)
    page.goto(f"{app_server.url}/tyopaja?nakyma=yhteenveto")
    ready(page)
    expect(page.get_by_role("button", name="Lataa CSV")).to_be_visible(timeout=30000)
    expect(page.get_by_text(re.compile(r"^Työpajan muutokset \d+\.\d+\.\d{4} klo "))).to_be_visible()
    shot(page, "workshop_summary_1280x720")
    with page.expect_download() as info:
        page.get_by_role("button", name="Lataa CSV").click()
    csv_path = info.value.path()
    assert info.value.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(csv_path).read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Aika", "Muuttaja"]
    mine = [r for r in rows[1:] if r[1] == "Sihteeri"]
    assert mine and mine[-1][5:] == [m["measure_id"], "Aikataulu", m["aikataulu"], "'+ syksy 2026"]

    with page.expect_download() as info:
        page.get_by_role("button", name="Lataa pöytäkirjan liite (Word)").click()
    doc = Document(info.value.path())
    assert doc.paragraphs[0].text.startswith("Työpajan muutokset")
    cells = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert ["Sihteeri", "+ syksy 2026"] == [cells[-1][1], cells[-1][-1]]
    page.set_viewport_size(PHONE)
    wait_idle(page)
    shot(page, "workshop_summary_390x844")
    page.close()
