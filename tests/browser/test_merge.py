"""Two editors on one measure in real browsers: different fields both land without a chooser; the same
field brings the chooser with just that field (merge by field, core.store.edits.merge_fields)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.store import Store
from tests.browser.conftest import running, wait_idle
from tests.browser.test_editing import cell, edit_cell, open_measures, save

MID = "poliisi-I.1-1"  # row 0 of the poliisi grid
WIDE = {"width": 1500, "height": 1000}


@pytest.fixture()
def fresh_db(tmp_path):
    return f"sqlite:///{tmp_path / 'merge.db'}"


def two_editors(browser, server):
    contexts = [browser.new_context(viewport=WIDE) for _ in range(2)]
    pages = [c.new_page() for c in contexts]
    for p in pages:
        open_measures(p, server.url)
    return contexts, pages


def stored(db_url: str) -> dict:
    s = Store.open(db_url)
    try:
        return s.measure(MID)
    finally:
        s.close()


def test_different_fields_of_one_measure_both_land_without_a_chooser(browser, fresh_db):
    with running(fresh_db, {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser) as server:
        contexts, (a, b) = two_editors(browser, server)
        edit_cell(a, 0, "toimenpide", "A:n toimenpide")
        edit_cell(b, 0, "mittari", "B:n mittari")  # B started before A saved
        b.keyboard.press("Escape")  # Tab opened the next cell's editor: close it, as a person would
        wait_idle(b)
        save(a)
        expect(a.get_by_text("Kaikki muutokset on tallennettu.")).to_be_visible()
        b.wait_for_timeout(3500)  # A's save has reached B's page by now
        wait_idle(b)
        save(b)
        expect(b.get_by_text("Kaikki muutokset on tallennettu.")).to_be_visible()
        expect(b.get_by_text("Joku muu on muuttanut samoja kenttiä")).to_have_count(0)
        expect(b.get_by_role("button", name="Pidä oma arvoni")).to_have_count(0)
        row = stored(fresh_db)
        assert (row["toimenpide"], row["mittari"]) == ("A:n toimenpide", "B:n mittari")
        expect(cell(b, 0, "toimenpide")).to_contain_text("A:n toimenpide", timeout=30000)
        expect(cell(b, 0, "mittari")).to_contain_text("B:n mittari")
        for c in contexts:
            c.close()


def test_the_same_field_brings_the_chooser_with_just_that_field(browser, fresh_db):
    with running(fresh_db, {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser) as server:
        contexts, (a, b) = two_editors(browser, server)
        edit_cell(a, 0, "mittari", "A:n mittari")
        edit_cell(b, 0, "mittari", "B:n mittari")
        edit_cell(b, 0, "seuranta", "B:n seuranta")
        b.keyboard.press("Escape")
        wait_idle(b)
        save(a)
        b.wait_for_timeout(3500)
        wait_idle(b)
        save(b)
        expect(b.get_by_text("Joku muu on muuttanut samoja kenttiä")).to_be_visible()
        table = b.locator('[data-testid="stTable"]')
        expect(table.locator("tbody tr")).to_have_count(1)  # just Mittari: B's Seuranta does not clash
        expect(table).to_contain_text("Mittari")
        expect(table).to_contain_text("A:n mittari")
        expect(table).to_contain_text("B:n mittari")
        expect(table).not_to_contain_text("Seuranta")
        b.get_by_role("button", name="Pidä oma arvoni").click()
        wait_idle(b)
        expect(b.get_by_text("Kaikki muutokset on tallennettu.")).to_be_visible()
        row = stored(fresh_db)
        assert (row["mittari"], row["seuranta"]) == ("B:n mittari", "B:n seuranta")
        for c in contexts:
            c.close()


def test_saving_one_cell_twice_is_no_conflict_with_oneself(browser, fresh_db):
    """An editor who saves a cell, then changes it again and saves, is never asked to choose between
    their own two values, also while someone else keeps saving other rows of the same grid."""
    with running(fresh_db, {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser) as server:
        contexts, (a, b) = two_editors(browser, server)
        for n in range(1, 4):
            edit_cell(a, 0, "mittari", f"A:n mittari {n}")  # Tab leaves the next cell's editor open
            save(a)
            expect(a.get_by_text("Kaikki muutokset on tallennettu.")).to_be_visible()
            edit_cell(b, 1 + n, "seuranta", f"B:n seuranta {n}")  # someone else saves other rows meanwhile
            save(b)
            expect(cell(a, 0, "mittari")).to_contain_text(f"A:n mittari {n}")
        expect(a.get_by_role("button", name="Pidä oma arvoni")).to_have_count(0)
        assert stored(fresh_db)["mittari"] == "A:n mittari 3"
        for c in contexts:
            c.close()
