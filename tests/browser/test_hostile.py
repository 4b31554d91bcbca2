"""Issue #19 in a real browser: nothing is fetched from another host, and a hostile .xlsx on Uudet tiedot is
answered with a Finnish message (no traceback, no server path)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from core.base.i18n import Msg
from tests import hostile_files as hf
from tests.browser.conftest import wait_idle

# a chart, the grid, the indicator charts, the workshop view, the import page and the history
PAGES = ["", "toimenpiteet", "paatavoite-1?nakyma=indikaattorit", "tyopaja", "tiedot", "historia"]


@pytest.fixture()
def outside(page):
    """Every request to a host other than the app's is refused and listed (fonts, icons, scripts, images)."""
    seen: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            seen.append(url)
            route.abort()

    page.context.route("**/*", handle)
    return seen


def _drawn(page, path: str) -> None:
    """Wait until the page's charts have their SVG and its grid its rows (what a user waits for)."""
    wait_idle(page)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    if charts.count():
        expect(charts.first.locator(".main-svg").first).to_be_attached(timeout=30000)
    if path == "toimenpiteet":
        grid = page.frame_locator('iframe[title="st_aggrid.AgGrid.agGrid"]').last
        expect(grid.locator(".ag-row").first).to_be_visible(timeout=30000)


def test_no_request_leaves_the_app(page, app_server, outside):
    drawn_charts = 0
    for path in PAGES:
        page.goto(f"{app_server.url}/{path}")
        _drawn(page, path)
        drawn_charts += page.locator('[data-testid="stPlotlyChart"] .main-svg').count()
        page.wait_for_timeout(1000)  # late requests: the favicon, fonts of a lazily drawn part
    assert drawn_charts > 0  # the check saw pages with charts (and the grid, waited for above)
    assert outside == []
    icon = page.evaluate("document.querySelector('link[rel~=\"icon\"]').href")  # resolved against the page
    assert urlsplit(icon).netloc == urlsplit(app_server.url).netloc  # the app's own address
    answer = page.request.get(icon)
    assert answer.status == 200 and answer.headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: hf.xlsx_with_doctype("laughs", "shared"), "untrusted.xml_declarations"),
        (lambda: hf.xlsx_wide_rows(300, 16_384), "untrusted.too_many_columns"),
    ],
    ids=["billion-laughs", "300x16384-cells"],
)
def test_hostile_xlsx_gets_a_finnish_message(page, app_server, tmp_path, make, key):
    from core.io import untrusted

    upload = tmp_path / "tiedot.xlsx"
    upload.write_bytes(make())
    page.goto(f"{app_server.url}/tiedot")
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    message = Msg(key, max=untrusted.MAX_XLSX_COLUMNS).text("fi")
    expect(page.get_by_text(Msg("data.refused", n=1).text("fi"))).to_be_visible(timeout=30000)
    expect(page.get_by_text(message, exact=False)).to_be_visible()
    wait_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "ParseError" not in body and "/work" not in body
