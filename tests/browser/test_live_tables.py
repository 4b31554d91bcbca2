"""Everyone keeps their place in the evaluation and vuosikello tables too (issue #20): another editor's
save changes the reader's table in place, within its live part only.

The reader has scrolled the table down (an editor may be typing in a cell); another editor saves a row
in view. The reader sees the new value, the table is not re-created (a mark set on its scroller stays),
and the scroll position and an open cell editor are kept.
Streamlit's tables draw on a canvas; the cells in view are also in an accessible table (``td``).
"""

from __future__ import annotations

import time

from playwright.sync_api import expect

from core.store import Store
from tests.browser.conftest import running, wait_idle
from tests.browser.test_keep_place import _finished
from tests.browser.test_live import sign_in

CODE = "taulukot"
LIVE_LIMIT_MS = 6000
ROW = 6  # of kymsote's measures: below the first rows, in view once the table is scrolled


def table(page, n: int = 0):
    return page.locator('[data-testid="stDataFrame"]').nth(n)


def scroller(page, n: int = 0):
    return table(page, n).locator(".dvn-scroller")


def type_into_cell(page, n: int, row: int, right: int, text: str, close: bool = True) -> None:
    """Type ``text`` into the cell ``right`` columns right of row ``row``'s first cell (keyboard, canvas grid);
    ``close``: and close the cell editor (Enter), else leave it open."""
    grid = table(page, n)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 80, box["y"] + 55)  # the first row's first cell (past a row checkbox)
    page.wait_for_timeout(300)
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    for _ in range(right):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator("textarea.gdg-input")
    expect(editor).to_be_visible(timeout=10000)
    editor.fill(text)
    if close:
        editor.press("Enter")
        wait_idle(page)


def keep_and_watch(page, n: int = 0, down: int = 320) -> float:
    """Scroll the table down, mark its scroller (a re-created table would lose the mark); the scroll top."""
    grid = scroller(page, n)
    expect(grid).to_be_attached(timeout=30000)
    table(page, n).scroll_into_view_if_needed()
    grid.evaluate(f"el => {{ el.scrollTop = {down}; }}")
    page.wait_for_timeout(500)
    top = grid.evaluate("el => { el.__kept = true; return el.scrollTop; }")
    assert top > 20, top  # really scrolled away from the top
    return top


def assert_kept(page, top: float, n: int = 0) -> None:
    grid = scroller(page, n)
    assert grid.evaluate("el => el.__kept === true"), "the table was re-created"
    after = grid.evaluate("el => el.scrollTop")
    assert abs(after - top) < 2, (top, after)


def test_reader_keeps_place_in_the_evaluation_table_while_another_editor_saves(browser, tmp_path):
    db = f"sqlite:///{tmp_path / 'eval.db'}"
    with running(db, {"KYMLAPSET_EDITOR_PASSCODE": CODE}, browser) as server:
        ca, cr = (browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(2))
        anna, reader = ca.new_page(), cr.new_page()
        runs: list[str] = []
        reader.on("websocket", lambda ws: ws.on("framereceived", lambda frame: runs.extend(_finished(frame))))
        for page in (anna, reader):
            page.goto(f"{server.url}/arviointi", timeout=90000)
            wait_idle(page)
        sign_in(anna, "Anna", CODE)
        top = keep_and_watch(reader)
        wait_idle(reader)
        runs.clear()

        token = f"Anna arvioi {int(time.time())}"
        type_into_cell(anna, 0, ROW, 2, token)  # the comment (after the measure and its rating)
        anna.get_by_role("button", name="Tallenna arviot").click()
        wait_idle(anna)
        expect(anna.get_by_text("Tallennettu").first).to_be_visible(timeout=20000)

        expect(table(reader).locator("td").filter(has_text=token)).to_have_count(1, timeout=LIVE_LIMIT_MS + 4000)
        wait_idle(reader)
        assert_kept(reader, top)
        # only the table's part of the page ran again (ui.live), never the whole page
        assert "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" in runs, runs
        assert "FINISHED_SUCCESSFULLY" not in runs, runs
        reader.screenshot(path=str(tmp_path / "eval_reader_after.png"))
        ca.close()
        cr.close()


def test_editor_keeps_place_in_the_vuosikello_table_while_another_editor_saves(browser, tmp_path):
    db = f"sqlite:///{tmp_path / 'vk.db'}"
    with running(db, {"KYMLAPSET_EDITOR_PASSCODE": CODE}, browser) as server:
        ca, cb = (browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(2))
        anna, ben = ca.new_page(), cb.new_page()
        runs: list[str] = []
        ben.on("websocket", lambda ws: ws.on("framereceived", lambda frame: runs.extend(_finished(frame))))
        for page, who in ((anna, "Anna"), (ben, "Ben")):
            page.goto(f"{server.url}/vuosikello-sykli", timeout=90000)
            wait_idle(page)
            sign_in(page, who, CODE)
        last = Store.open(db).events().shape[0] - 1
        type_into_cell(ben, 0, last - 1, 0, "Ben kirjoittaa yhä", close=False)  # Ben is typing in the row above
        top = keep_and_watch(ben, down=10_000)  # to the last events
        runs.clear()

        token = f"Annan vastuutaho {int(time.time())}"
        type_into_cell(anna, 0, last, 2, token)  # the owner (after the title and the months)
        anna.get_by_role("button", name="Tallenna vuosikello").click()
        wait_idle(anna)
        expect(anna.get_by_text("tallennettu").first).to_be_visible(timeout=20000)

        expect(table(ben).locator("td").filter(has_text=token)).to_have_count(1, timeout=LIVE_LIMIT_MS + 4000)
        wait_idle(ben)
        assert_kept(ben, top)
        typing = ben.locator("textarea.gdg-input")  # Ben's open cell editor stays, with what he typed
        expect(typing).to_be_visible()
        expect(typing).to_have_value("Ben kirjoittaa yhä")
        assert "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" in runs, runs
        assert "FINISHED_SUCCESSFULLY" not in runs, runs
        ben.screenshot(path=str(tmp_path / "vk_after.png"))
        ca.close()
        cb.close()


def test_vuosikello_open_for_adding_rows_stays_put_and_says_others_saved(browser, tmp_path):
    """A table open for adding and removing rows would be re-created (back at its top) by a change of its
    data: it stays as it is while others save, says so, and shows their save when the person is done."""
    db = f"sqlite:///{tmp_path / 'vk_rows.db'}"
    with running(db, {"KYMLAPSET_EDITOR_PASSCODE": CODE}, browser) as server:
        ca, cb = (browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(2))
        anna, ben = ca.new_page(), cb.new_page()
        runs: list[str] = []  # Ben's runs' ends, as the server sends them
        ben.on("websocket", lambda ws: ws.on("framereceived", lambda frame: runs.extend(_finished(frame))))
        for page, who in ((anna, "Anna"), (ben, "Ben")):
            page.goto(f"{server.url}/vuosikello-sykli", timeout=90000)
            wait_idle(page)
            sign_in(page, who, CODE)
        rows_toggle = ben.get_by_text("Lisää tai poista rivejä")
        ended = len(runs)
        rows_toggle.click()
        # the switch's run re-creates the table open for adding rows: mark that table, not the one before it
        # (on a busy machine the run starts later than wait_idle's first look)
        deadline = time.monotonic() + 30
        while len(runs) == ended and time.monotonic() < deadline:
            ben.wait_for_timeout(100)
        assert len(runs) > ended, "the switch's run did not end"
        wait_idle(ben)
        last = Store.open(db).events().shape[0] - 1
        top = keep_and_watch(ben, down=10_000)

        token = f"Annan vastuutaho {int(time.time())}"
        type_into_cell(anna, 0, last, 2, token)
        anna.get_by_role("button", name="Tallenna vuosikello").click()
        wait_idle(anna)
        expect(anna.get_by_text("tallennettu").first).to_be_visible(timeout=20000)

        expect(ben.get_by_text("Ne näkyvät, kun tallennat tai lopetat rivien lisäämisen")).to_be_visible(
            timeout=LIVE_LIMIT_MS + 4000
        )
        wait_idle(ben)
        assert_kept(ben, top)
        expect(table(ben).locator("td").filter(has_text=token)).to_have_count(0)
        ben.screenshot(path=str(tmp_path / "vk_rows_after.png"))

        rows_toggle.click()  # done adding: the table follows the store again
        wait_idle(ben)
        shown = table(ben).locator("td").filter(has_text=token)
        deadline = time.monotonic() + 30
        while shown.count() == 0 and time.monotonic() < deadline:  # the new table may still be drawing
            scroller(ben).evaluate("el => { el.scrollTop = 10000; }")
            ben.wait_for_timeout(300)
        expect(shown).to_have_count(1)
        ca.close()
        cb.close()
