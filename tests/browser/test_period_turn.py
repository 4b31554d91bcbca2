"""The turn of the period in a real browser, as the working group does it (issue #17): an editor brings in
a new survey round, reads the final evaluation of 2020–2025 with the new values beside the old, writes a
conclusion, drafts 2026–2029 carrying three measures and dropping one indicator with its reason, puts it
in force, and both plans open from copied links in a fresh browser."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from docx import Document
from playwright.sync_api import expect

from core.base.numbers import number_text
from core.plan.loader import load_plan
from core.store import Store
from tests.browser.conftest import choose, running, wait_idle
from tests.browser.test_final_evaluation_browser import download_word, save_plan_conclusion
from tests.browser.test_live import sign_in

CODE = "vaihde"
OLD = "kymenlaakso-2020-2025"
NEW = "kymenlaakso-2026-2029"
PICKER = "Näytettävä suunnitelma"
REASON = "Kysymys poistui kouluterveyskyselystä"
# a new survey round: 2023 and 2025 for two indicators of grades 8–9, the region and the whole country
ROUND = {
    (7, 2023): (79, 77.1),
    (7, 2025): (81, 76.4),
    (12, 2023): (45, 45.9),
    (12, 2025): (52, 47.3),
}


def round_csv() -> bytes:
    lines = ["indicator_id,series_id,group_id,area,year,value"]
    for (indicator, year), (region, country) in ROUND.items():
        lines += [f"{indicator},,lk8_9,kymenlaakso,{year},{region}", f"{indicator},,lk8_9,koko_maa,{year},{country}"]
    return ("\n".join(lines) + "\n").encode()


def canvas_cell(page, grid, x: float, row: int):
    """Open the editor of a cell of a canvas data editor (rows 35 px under a 35 px header): select the
    cell with a click, then Enter (a double-click on a loaded machine was often taken as one click)."""
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + 35 + 17 + 35 * row)
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)


def pick_in_cell(page, grid, x: float, row: int, option: str) -> None:
    """Choose ``option`` in a selectbox cell, opening its list again if a rerun closed it."""
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        canvas_cell(page, grid, x, row)
        try:
            item.wait_for(state="visible", timeout=4000)
            break
        except Exception:  # noqa: BLE001 - the editor did not open: close whatever did and try again
            page.keyboard.press("Escape")
    item.click()
    wait_idle(page)


def type_in_cell(page, grid, x: float, row: int, text: str) -> None:
    editor = page.locator("textarea.gdg-input")
    for _ in range(3):
        canvas_cell(page, grid, x, row)
        try:
            editor.wait_for(state="visible", timeout=4000)
            break
        except Exception:  # noqa: BLE001 - a rerun took the focus: select the cell again
            continue
    editor.fill(text)
    editor.press("Enter")
    wait_idle(page)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext is not installed (apt-get install poppler-utils)")
def test_the_turn_of_the_period(browser, tmp_path):
    db = f"sqlite:///{tmp_path / 'turn.db'}"
    plan = load_plan()
    dropped = sorted({link.indicator_id for link in plan.subgoal_indicators})[0]  # the first row of the table
    with running(db, {"KYMLAPSET_EDITOR_PASSCODE": CODE}, browser, plan_in_force=False) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()

        # 1. the new survey round through Uudet tiedot: preview, then confirm
        page.goto(f"{server.url}/tiedot", timeout=90000)
        wait_idle(page)
        sign_in(page, "Eeva", CODE)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "kouluterveyskysely-2025.csv", "mimeType": "text/csv", "buffer": round_csv()}]
        )
        wait_idle(page)
        expect(page.get_by_text(f"Esikatselu: {2 * len(ROUND)} lisätään, 0 muuttuu, 0 ennallaan.")).to_be_visible(
            timeout=30000
        )
        page.get_by_role("button", name="Vahvista ja tallenna").click()
        wait_idle(page)
        expect(page.get_by_text(f"Tallennettu: {2 * len(ROUND)} lisätty, 0 muutettu.")).to_be_visible(timeout=30000)

        # 2. the final evaluation of 2020–2025: the new values beside the old, for both indicators
        page.goto(f"{server.url}/loppuarviointi?suunnitelma={OLD}", timeout=90000)
        wait_idle(page)
        expect(page.get_by_role("heading", name="Johtopäätökset seuraavaan suunnitelmaan")).to_be_visible(timeout=60000)
        observed = Store.open(db).observations()
        for indicator in {i for i, _y in ROUND}:
            unit = plan.indicator(indicator).unit
            old = observed[
                (observed["indicator_id"] == indicator)
                & (observed["group_id"] == "lk8_9")
                & (observed["area"] == "kymenlaakso")
                & (observed["year"] < 2023)
            ].sort_values("year")
            first = old.iloc[0]
            region, country = ROUND[(indicator, 2025)]
            between = ROUND[(indicator, 2023)][0]
            row = page.locator("tr").filter(
                has_text=f"{int(first['year'])}: {number_text(first['value'], unit, 'fi')} ("
            )
            row = row.filter(
                has_text=f"2025: {number_text(region, unit, 'fi')} (koko maa {number_text(country, unit, 'fi')})"
            )
            row = row.filter(has_text=f"2023: {number_text(between, unit, 'fi')}").filter(has_text="8.–9. lk")
            expect(row).to_have_count(1)

        # 3. a conclusion for the whole plan, saved
        conclusion = "Koulujen hyvinvointityö kantoi: jatketaan kuraattorien matalan kynnyksen vastaanottoja"
        save_plan_conclusion(page, "Mitä jatketaan seuraavaan suunnitelmaan", conclusion)
        saved = Store.open(db).conclusions(OLD)
        assert conclusion in set(saved.astype(str).stack())
        page.reload(timeout=90000)
        wait_idle(page)
        expect(page.get_by_label("Mitä jatketaan seuraavaan suunnitelmaan").last).to_have_value(
            conclusion, timeout=30000
        )

        # the page's Word and PDF downloads read back: the conclusion, and the new round beside the old
        new_value = f"2025: {number_text(ROUND[(7, 2025)][0], plan.indicator(7).unit, 'fi')}"
        word = Document(io.BytesIO(download_word(page).path().read_bytes()))
        cells = [c.text for table in word.tables for row in table.rows for c in row.cells]
        assert any(conclusion in p.text for p in word.paragraphs)
        assert any(new_value in c for c in cells), cells[:20]
        page.get_by_role("button", name="Tee ladattavat tiedostot").click()
        wait_idle(page)
        pdf_button = page.get_by_role("button", name="PDF", exact=True)
        expect(pdf_button).to_be_visible(timeout=120000)
        with page.expect_download(timeout=90000) as got:
            pdf_button.click()
        pdf = tmp_path / "loppuarviointi.pdf"
        got.value.save_as(pdf)
        read = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        flat = " ".join(read.split())  # lines wrap anywhere in a PDF
        assert conclusion in flat
        assert " ".join(new_value.split()) in flat  # as split() reads a no-break space

        # 4. the draft of 2026–2029: no measure by default, then three carried; one indicator dropped
        page.goto(f"{server.url}/uusi-suunnitelma?suunnitelma={OLD}", timeout=90000)
        wait_idle(page)
        expect(page.get_by_role("heading", name="Luonnos aiemman suunnitelman pohjalta")).to_be_visible(timeout=60000)
        page.get_by_text("ei mitään", exact=True).click()
        wait_idle(page)
        indicators, measures = (page.locator('[data-testid="stDataFrame"]').nth(k) for k in (0, 1))
        pick_in_cell(page, indicators, 75 + 37, 0, "pudotetaan")
        type_in_cell(page, indicators, 150 + 100, 0, REASON)
        for row in range(3):
            pick_in_cell(page, measures, 75 + 100, row, "jatkuu")
        page.get_by_role("button", name="Esikatsele").click()
        wait_idle(page)
        preview = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text=f"{dropped} ")
        expect(preview.filter(has_text=REASON).first).to_be_visible(timeout=30000)
        page.get_by_role("button", name="Luo luonnos").click()
        wait_idle(page)
        expect(page.get_by_text(f"Luonnos {NEW} on luotu")).to_be_visible(timeout=30000)
        store = Store.open(db)
        info = store.plan_info(NEW)
        assert (info.period_start, info.period_end, info.state) == (2026, 2029, "draft")
        carried = store.measures(plan_id=NEW)
        carried = carried[carried["toimenpide"].fillna("").astype(str).str.strip() != ""]
        assert len(carried) == 3
        assert [(c.indicator_id, c.reason) for c in store.load_plan(NEW).dropped_indicators()] == [(dropped, REASON)]

        # 5. put it in force
        page.get_by_role("button", name="Ota käyttöön").click()
        wait_idle(page)
        expect(page.get_by_text("on nyt voimassa.")).to_be_visible(timeout=30000)
        assert Store.open(db).plan_info(NEW).state == "in_force"

        # 6. both plans from links copied out of the address bar, opened in a fresh browser
        links = {}
        page.goto(f"{server.url}/indikaattorit", timeout=90000)
        wait_idle(page)
        for plan_id in (OLD, NEW):
            shown = Store.open(db).plan_info(plan_id)
            label = f"{shown.period_start}–{shown.period_end} · {'päättynyt' if plan_id == OLD else 'voimassa'}"
            choose(page, PICKER, f"{label} · {shown.name_fi}")
            expect(page).to_have_url(re.compile(rf"suunnitelma={plan_id}"))
            links[plan_id] = (page.url, label)
        context.close()
        fresh = browser.new_context(viewport={"width": 390, "height": 844})  # a colleague's phone, not signed in
        for plan_id, (url, label) in links.items():
            phone = fresh.new_page()
            phone.goto(url, timeout=90000)
            wait_idle(phone)
            assert phone.get_by_role("combobox", name=PICKER).input_value().startswith(label)
            assert f"suunnitelma={plan_id}" in phone.url
            named = phone.get_by_text(REASON)
            if plan_id == NEW:  # the new plan names the dropped indicator with its reason
                expect(named.first).to_be_visible(timeout=30000)
            else:
                expect(phone.get_by_text("päättynyt", exact=False).first).to_be_visible()
                assert named.count() == 0
            phone.close()
        fresh.close()
