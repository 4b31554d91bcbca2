"""The final evaluation in a real browser: a conclusion an editor saves shows in a viewer's session
without a reload, and the page's Word download carries it."""

from __future__ import annotations

import io
import time

from playwright.sync_api import expect

from tests.browser.conftest import running, wait_idle
from tests.browser.test_live import LIVE_LIMIT_MS, sign_in

CODE = "loppu"


def open_final(page, url: str) -> None:
    page.goto(f"{url}/loppuarviointi", timeout=90000)
    wait_idle(page)
    expect(page.get_by_role("heading", name="Johtopäätökset seuraavaan suunnitelmaan")).to_be_visible(timeout=60000)


def save_plan_conclusion(page, field: str, text: str) -> None:
    """Write ``text`` in the whole plan's conclusion ``field`` (the last, after the main goals') and save it."""
    box = page.get_by_label(field).last
    box.fill(text)
    box.blur()
    wait_idle(page)
    page.get_by_role("button", name="Tallenna johtopäätökset").last.click()
    wait_idle(page)
    expect(page.get_by_text("Johtopäätökset tallennettu.")).to_be_visible(timeout=20000)


def download_word(page):
    """Make the Word document (beside the page, ui.background) and download it once it is offered."""
    page.get_by_role("button", name="Word (.docx)").click()
    ready = page.locator('[data-testid="stDownloadButton"]').get_by_role("button", name="Word (.docx)")
    expect(ready).to_be_visible(timeout=90000)
    with page.expect_download(timeout=60000) as got:
        ready.click()
    return got.value


def test_conclusion_is_live_and_in_the_word_download(browser, tmp_path):
    db = f"sqlite:///{tmp_path / 'final.db'}"
    with running(db, {"KYMLAPSET_EDITOR_PASSCODE": CODE}, browser) as server:
        contexts = [
            browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True) for _ in range(2)
        ]
        editor, viewer = (c.new_page() for c in contexts)
        for page in (editor, viewer):
            open_final(page, server.url)
        sign_in(editor, "Eeva", CODE)
        token = f"Lapsen kuuleminen vakiintui {int(time.time())}"
        save_plan_conclusion(editor, "Mikä toimi", token)
        # the viewer reads it without a reload, and has no text areas to write in
        expect(viewer.get_by_text(token)).to_be_visible(timeout=LIVE_LIMIT_MS + 5000)
        assert viewer.get_by_label("Mikä toimi").count() == 0
        # the Word download of the page carries the conclusion and a source line
        from docx import Document

        doc = Document(io.BytesIO(download_word(viewer).path().read_bytes()))
        paragraphs = [p.text for p in doc.paragraphs]
        assert any(token in p for p in paragraphs)
        assert any(p.startswith("Lähde: toimijoiden vuosiarviot 2020–2025") for p in paragraphs)
        for c in contexts:
            c.close()
