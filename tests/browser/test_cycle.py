"""The yearly cycle in a real browser: import with preview → confirm, and editing the vuosikello."""

from __future__ import annotations

from playwright.sync_api import expect

from core.store import Store
from tests.browser.conftest import running, wait_idle

GOOD = b"indicator_id,series_id,group_id,area,year,value\n7,,lk8_9,kymenlaakso,2021,74\n7,,lk8_9,koko_maa,2021,73.5\n"
BAD = b"indicator_id;series_id;group_id;area;year;value\n7;;lk8_9;kymenlaakso;2021;174\n99;;lk8_9;kymenlaakso;2021;5\n"


def test_import_preview_then_confirm(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'imp.db'}"
    with running(url, {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser) as server:
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        page.goto(f"{server.url}/tiedot")
        wait_idle(page)
        # a bad file is refused whole, with row-level Finnish messages, and nothing changes
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "huono.csv", "mimeType": "text/csv", "buffer": BAD}]
        )
        wait_idle(page)
        expect(page.get_by_text("Tiedostoa ei tuotu: 2 virhettä")).to_be_visible(timeout=30000)
        expect(page.get_by_text("Rivi 2", exact=False).first).to_be_visible()
        before = len(Store.open(url).observations())
        # a good file shows a preview; nothing changes until confirmed
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            files=[{"name": "uudet.csv", "mimeType": "text/csv", "buffer": GOOD}]
        )
        wait_idle(page)
        expect(page.get_by_text("Esikatselu: 2 lisätään, 0 muuttuu, 0 ennallaan.")).to_be_visible(timeout=30000)
        assert len(Store.open(url).observations()) == before
        page.get_by_role("button", name="Vahvista ja tallenna").click()
        wait_idle(page)
        expect(page.get_by_text("Tallennettu: 2 lisätty, 0 muutettu.")).to_be_visible(timeout=30000)
        obs = Store.open(url).observations()
        assert len(obs) == before + 2
        assert set(obs[(obs["year"] == 2021) & (obs["indicator_id"] == 7)]["value"]) == {74.0, 73.5}
        page.close()


def test_vuosikello_edit(browser, tmp_path):
    url = f"sqlite:///{tmp_path / 'vk.db'}"
    with running(url, {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser) as server:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(f"{server.url}/vuosikello-sykli")
        wait_idle(page)
        expect(page.locator('[data-testid="stPlotlyChart"]').first).to_be_visible(timeout=30000)
        expect(page.get_by_text("Tämä on ehdotettu oletussykli")).to_be_visible()
        first = Store.open(url).events().iloc[0]  # the editor lists events in the store's order
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        box = grid.bounding_box()

        def type_into(x_share: float, text: str) -> None:  # a canvas grid: double-click opens a textarea editor
            editor = page.locator("textarea.gdg-input")
            for _ in range(3):  # the first double-click may only focus the canvas
                page.mouse.dblclick(box["x"] + box["width"] * x_share, box["y"] + 55)
                page.wait_for_timeout(500)
                if editor.is_visible():
                    break
            expect(editor).to_be_visible(timeout=10000)
            editor.fill(text)
            editor.press("Enter")
            wait_idle(page)

        # a month outside 1–12 is refused with a Finnish message, and nothing is saved
        type_into(0.48, "13")
        page.get_by_role("button", name="Tallenna vuosikello").click()
        wait_idle(page)
        expect(page.get_by_text("Kuukaudet pitää antaa numeroina 1–12")).to_be_visible()
        assert Store.open(url).history(entity="event").empty
        type_into(0.48, first["months"])
        # the first event's owner
        type_into(0.75, "Uusi vastuutaho")
        page.get_by_role("button", name="Tallenna vuosikello").click()
        wait_idle(page)
        events = Store.open(url).events().set_index("event_id")
        changed = events[
            events.apply(
                lambda r: (
                    "Uusi vastuutaho" in (str(r["owner"]) + str(r["months"]) + str(r["title"]) + str(r["description"]))
                ),
                axis=1,
            )
        ]
        assert len(changed) == 1, events
        assert changed.index[0] == first["event_id"]
        hist = Store.open(url).history(entity="event")
        assert "Uusi vastuutaho" in set(hist["new_value"])
        page.close()
