"""Raportit in a real browser: a report is made beside the page, in the worker's own process, and
its HTML, PDF and PNG download as the files a board report needs."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import wait_idle


def download(page, label: str) -> bytes:
    button = page.locator('[data-testid="stDownloadButton"]').get_by_role("button", name=label)
    with page.expect_download(timeout=60000) as got:
        button.click()
    return got.value.path().read_bytes()


def test_a_goal_report_is_made_beside_the_page_and_downloads_as_html_pdf_and_png(browser, app_server):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{app_server.url}/raportit", timeout=90000)
    wait_idle(page)
    page.get_by_role("button", name="Tee raportti").click()
    expect(page.get_by_text("Raportti on valmis.", exact=True)).to_be_visible(timeout=120000)
    html_text = download(page, "Lataa HTML").decode("utf-8")
    assert "<html" in html_text.lower() and "Päätavoite I" in html_text
    assert download(page, "Lataa PDF").startswith(b"%PDF")
    assert download(page, "Lataa kuva (PNG)").startswith(b"\x89PNG")
    context.close()
