"""Real browser: a deep link connects to the app's own address at once (ui/deep_links.py), behind a
proxy's prefix too, and an address that is no page of the app is left to Streamlit's own search."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_idle
from tests.ui.test_deep_links import PAGES, STREAMLITS_INDEX
from ui import deep_links
from ui.state import GOAL_PAGE_PATH

SERVED = deep_links.index_html(STREAMLITS_INDEX, PAGES, GOAL_PAGE_PATH)


@pytest.mark.parametrize(
    ("path", "address"),
    [
        ("/arviointi", "https://app.example/"),
        ("/toimenpiteet/?nakyma=koko_taulukko#x", "https://app.example/"),
        ("/paatavoite-4", "https://app.example/"),
        ("/~/+/paatavoite-2?vuosi=2025", "https://app.example/~/+"),  # Community Cloud's prefix
        ("/lapset/historia", "https://app.example/lapset"),  # server.baseUrlPath = "lapset"
        ("/", None),
        ("/lapset", None),
        ("/paatavoite-x", None),
        ("/vanha-sivu", None),
    ],
)
def test_the_address_the_script_names(browser, path, address):
    page = browser.new_page()
    # Streamlit's page with the script, its own scripts and files left out: only the script runs
    page.route(
        "https://app.example/**",
        lambda route: (
            route.fulfill(body=SERVED, content_type="text/html")
            if route.request.resource_type == "document"
            else route.abort()
        ),
    )
    page.goto("https://app.example" + path)
    assert page.evaluate("window.__streamlit ? window.__streamlit.BACKEND_BASE_URL : null") == address
    page.close()


def test_a_deep_link_asks_the_app_and_no_other_address(browser, app_server):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/_stcore/" in r.url else None)
    page.goto(f"{app_server.url}/arviointi?vuosi=2024")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Vuosiarviointi")).to_be_visible()
    assert f"{app_server.url}/_stcore/health" in asked
    assert not [url for url in asked if "/arviointi/_stcore/" in url]
    page.close()
