"""Real browser: a deep link connects to the app's own address at once (ui/deep_links.py), behind a
proxy's prefix too, and an address that is no page of the app is left to Streamlit's own search."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from core.serving.urlstate import VIEW_PARAM
from tests.browser.conftest import wait_idle
from tests.ui.test_deep_links import PAGES, STREAMLITS_INDEX
from tests.ui.test_page_preload import STATIC
from ui import deep_links, page_preload
from ui.state import GOAL_PAGE_PATH, table_links

SERVED = deep_links.index_html(STREAMLITS_INDEX, PAGES, GOAL_PAGE_PATH)
PRELOADED = page_preload.served_page(SERVED, STATIC, table_links(), VIEW_PARAM)


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


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("/arviointi", True),
        ("/arviointi?nakyma=arviointi&vuosi=2024", True),
        ("/arviointi?nakyma=yhteenveto", False),
        ("/indikaattorit", False),
        ("/indikaattorit?nakyma=arvot", True),
        ("/~/+/toimenpiteet/?nakyma=koko_taulukko#x", True),  # Community Cloud's prefix
        ("/toimenpiteet", False),
        ("/lapset/aikajana", True),  # server.baseUrlPath = "lapset"
        ("/paatavoite-1", False),
        ("/", False),
        ("/constructor", False),  # no page of ours, whatever the script's own objects hold
    ],
)
def test_only_a_link_to_a_table_view_asks_for_the_tables_code(browser, path, table):
    page = browser.new_page()
    asked = []
    page.route(
        "https://app.example/**",
        lambda route: (
            route.fulfill(body=PRELOADED, content_type="text/html")
            if route.request.resource_type == "document"
            else (asked.append(route.request.url), route.abort())
        ),
    )
    page.goto("https://app.example" + path)
    page.wait_for_load_state("load")
    dataframe = [url for url in asked if "/static/js/DataFrame." in url]
    assert bool(dataframe) is table
    # from where Streamlit's own files come: the address's folder, behind any prefix
    static = urljoin("https://app.example" + path.split("?")[0], "./static/")
    assert all(url.startswith(static) for url in asked)
    selectbox = [url for url in asked if "/static/js/Selectbox." in url]
    assert selectbox  # the frame's select on every page
    page.close()


def test_the_table_and_the_frames_widgets_are_fetched_before_the_page_connects(browser, app_server):
    # ui/page_preload.py: their files come while the page boots, not from a server busy running the page
    first = browser.new_page()
    first.goto(app_server.url)  # a server's first page is served before the app could change it
    wait_idle(first)
    first.close()
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    events, failed = [], []
    page.on("request", lambda r: events.append(r.url.rsplit("/", 1)[-1].split(".")[0]))
    page.on("websocket", lambda ws: events.append("connection"))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"{app_server.url}/arviointi")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Vuosiarviointi")).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"] canvas').first).to_be_attached()
    connected = events.index("connection")
    for module in ("DataFrame", "Selectbox", "Multiselect", "Radio"):
        assert events.index(module) < connected, module
    assert failed == []
    page.close()
