"""Everyone keeps their place (issue #20): another editor's save changes the reader's grid in place.

The reader has scrolled down, clicked a row (selected, open in the detail panel); Anna saves that
row. The reader sees the new value without the grid being re-created: the same scroll position, the
row still selected and open, and the changed cell briefly marked.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from tests.browser.conftest import running, wait_idle
from tests.browser.test_editing import GRID, cell, open_measures, save
from tests.browser.test_live import edit_and_leave, sign_in

ROW = 12  # of poliisi's 16 measures: well below the first screenful of the grid
LIVE_LIMIT_MS = 6000


def viewport(page):
    return page.frame_locator(GRID).last.locator(".ag-body-viewport")


def test_reader_keeps_scroll_selection_and_panel_while_another_editor_saves(browser, tmp_path):
    db = f"sqlite:///{tmp_path / 'place.db'}"
    with running(db, {"KYMLAPSET_EDITOR_PASSCODE": "työpaja"}, browser) as server:
        ca, cr = (browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(2))
        anna, reader = ca.new_page(), cr.new_page()
        runs = []  # how each of the reader's runs finished: the whole page, or only a part (a fragment)
        reader.on("websocket", lambda ws: ws.on("framereceived", lambda frame: runs.extend(_finished(frame))))
        open_measures(anna, server.url)
        open_measures(reader, server.url)
        sign_in(anna, "Anna", "työpaja")

        # the reader scrolls down to a row and opens it
        target = cell(reader, ROW, "toimenpide")
        target.scroll_into_view_if_needed()
        target.click()
        wait_idle(reader)
        selected = reader.frame_locator(GRID).last.locator(f".ag-center-cols-container [row-index='{ROW}']")
        expect(selected).to_have_class(_has("ag-row-selected"))
        id_cell = reader.frame_locator(GRID).last.locator(
            f".ag-pinned-left-cols-container [row-index='{ROW}'] [col-id='measure_id']"
        )
        measure_id = id_cell.inner_text().strip()
        panel = reader.locator(".st-key-mpanel_grid_all")
        chosen = panel.get_by_role("combobox")  # the panel's chooser shows the clicked measure
        expect(chosen).to_have_value(_has(measure_id, whole=False))
        expect(panel).to_contain_text(target.inner_text().strip()[:40])
        scroll_before = viewport(reader).evaluate("el => el.scrollTop")
        assert scroll_before > 300, scroll_before  # really scrolled away from the top
        # a mark in the grid's document: a grid re-created (a new iframe) would not have it
        viewport(reader).evaluate(
            """el => {
                window.__keptGrid = true;
                window.__flashed = 0;
                new MutationObserver(ms => ms.forEach(m => {
                    if (m.target.classList && m.target.classList.contains('ag-cell-data-changed')) window.__flashed++;
                })).observe(el.ownerDocument.body, {subtree: true, attributes: true, attributeFilter: ['class']});
            }"""
        )

        wait_idle(reader)
        runs.clear()
        token = f"Annan muutos {int(time.time())}"
        edit_and_leave(anna, ROW, "toimenpide", token)
        save(anna)
        expect(anna.get_by_text("Kaikki muutokset on tallennettu.")).to_be_visible()

        # the reader sees the new value in place, in the grid and in the open panel
        expect(cell(reader, ROW, "toimenpide")).to_contain_text(token, timeout=LIVE_LIMIT_MS + 4000)
        expect(panel).to_contain_text(token)
        wait_idle(reader)
        assert viewport(reader).evaluate("el => window.__keptGrid === true"), "the grid was re-created"
        assert viewport(reader).evaluate("el => window.__flashed") > 0, "the changed cell was not marked"
        scroll_after = viewport(reader).evaluate("el => el.scrollTop")
        assert abs(scroll_after - scroll_before) < 2, (scroll_before, scroll_after)
        expect(selected).to_have_class(_has("ag-row-selected"))
        expect(id_cell).to_have_text(measure_id)  # the same measure in the same place
        expect(chosen).to_have_value(_has(measure_id, whole=False))
        # only the part of the page that shows measures ran again (ui.live), never the whole page
        assert "FINISHED_FRAGMENT_RUN_SUCCESSFULLY" in runs, runs
        assert "FINISHED_SUCCESSFULLY" not in runs, runs
        reader.screenshot(path=str(tmp_path / "reader_after_update.png"))
        ca.close()
        cr.close()


def _finished(frame) -> list[str]:
    """The run status in a Streamlit message from the server, if it is a run's end."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if not isinstance(frame, bytes):
        return []
    try:
        msg = ForwardMsg.FromString(frame)
    except Exception:  # noqa: BLE001 - not one message: not a run's end
        return []
    if msg.WhichOneof("type") != "script_finished":
        return []
    return [ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)]


def _has(text: str, whole: bool = True):
    """A pattern for a class among others (whole) or for text within a value."""
    return re.compile(rf"(^|\s){re.escape(text)}(\s|$)" if whole else re.escape(text))
