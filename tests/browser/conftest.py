"""Real-browser fixtures: Debian's Chromium via Playwright, and app servers started per test module
(bench/server.py starts them, for the load benchmarks too)."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.server import CHROMIUM_ARGS, AppServer, put_plan_in_force

# A shared 2-core machine under load can take several seconds for one rerun: assertions wait for
# what the user would see for up to 15 s (Playwright's default of 5 s made loaded runs flaky).
expect.set_options(timeout=15_000)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


# A phone as the app sees one (ui.measure_panel.on_phone): its size, touch, and a phone's User-Agent.
# A desktop browser narrowed to 390 px is not a phone to the app, and gets the grid.
PHONE_BROWSER = {
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
    "is_mobile": True,
    "has_touch": True,
}


def page_at(browser, viewport: dict, **options):
    """A new page at ``viewport``; one under 700 px wide is a phone's (PHONE_BROWSER)."""
    phone = PHONE_BROWSER if viewport["width"] < 700 else {}
    return browser.new_page(viewport=viewport, **phone, **options)


def pytest_collection_modifyitems(config, items):
    """Mark every test here as a browser test; without Chromium skip (but fail under CI)."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                if os.environ.get("CI"):
                    item.add_marker(pytest.mark.xfail(reason="Chromium missing under CI", strict=True, run=False))
                else:
                    item.add_marker(pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
    }


def warm_up(server: AppServer, browser) -> None:
    """Load the main page once: Streamlit's first visit after a start shows a spurious
    "Page not found" dialog on deep links (streamlit/streamlit#8860) until pages are registered."""
    page = browser.new_page()
    page.goto(server.url)
    wait_idle(page)
    page.close()


@contextmanager
def running(db_url: str, env: dict | None = None, browser=None, plan_in_force: bool = True):
    if plan_in_force:
        put_plan_in_force(db_url)
    server = AppServer(db_url, env).start()
    if browser is not None:
        warm_up(server, browser)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory, browser):
    """An app on the embedded default (no passcode, so loopback may edit)."""
    db = tmp_path_factory.mktemp("browserdb") / "app.db"
    with running(f"sqlite:///{db}", {"KYMLAPSET_EDITOR_PASSCODE": ""}, browser) as server:
        yield server


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current rerun."""
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stApp"]')).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=60000
    )
    page.wait_for_timeout(300)


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (retrying if a rerun swallowed the click)."""
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name=label)
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        wait_idle(page)
        box.click()
        try:
            item.wait_for(state="visible", timeout=4000)
            break
        except Exception:  # noqa: BLE001 - the list did not open: close and try again
            page.keyboard.press("Escape")
    expect(item).to_be_visible()
    item.click()
    wait_idle(page)
