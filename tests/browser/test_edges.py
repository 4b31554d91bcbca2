"""Trust at the edges in a real browser (issue #12): Markdown from links, and a reverse proxy.

- A link's parameters are shown literally: no live link, no outside image, in the app's own notice.
- Behind a reverse proxy on the same machine that rewrites Host to the upstream address and adds
  no X-Forwarded-For (nginx's plain ``proxy_pass``), a visitor is a viewer; a browser on this
  machine that opens the app directly is still an editor.
"""

from __future__ import annotations

import asyncio
import threading
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from bench.server import free_port
from core.serving import urlstate
from tests.browser.conftest import CHROMIUM, running, wait_idle

PHISH = "[Istunto vanhentunut – kirjaudu tästä](https://evil.example/login)"
PIXEL = "![x](http://evil.example/pixel.png)"
BARE = "https://evil.example www.evil.example"  # values are cut at 40 characters


def test_markdown_in_a_link_is_shown_literally(page, app_server):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{app_server.url}/?{quote(PHISH, safe='')}=1&kuva={quote(PIXEL, safe='')}&osoite={quote(BARE, safe='')}")
    wait_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    notices = page.locator('[data-testid="stAlert"]')
    expect(notices.first).to_be_visible()
    shown = " ".join(notices.all_inner_texts()).replace("\u2060", "")  # the invisible joiner that stops autolinks
    # each echoed as written (a long one shortened to what a notice shows), never as a link or image
    assert urlstate.shown(PHISH) in shown and PIXEL in shown and BARE in shown
    assert page.locator('a[href*="evil.example"]').count() == 0
    sources = page.eval_on_selector_all("img", "els => els.map(e => e.src)")
    assert [
        s for s in sources if "evil.example" in s or (s.startswith("http") and not s.startswith(app_server.url))
    ] == []
    assert [u for u in requested if "evil.example" in (urlsplit(u).hostname or "")] == []  # nothing fetched from it


# ------------------------------------------------------------------ behind a reverse proxy
class HostRewritingProxy:
    """A reverse proxy on loopback as nginx's plain ``proxy_pass`` behaves: each request (the
    WebSocket upgrade too) goes upstream with Host rewritten to the upstream address and no
    X-Forwarded-* header added; everything else (Origin, cookies) passes as it came."""

    def __init__(self, upstream_port: int):
        self.upstream = upstream_port
        self.port = free_port()
        self.upgrade_headers: list[list[str]] = []  # what the app was sent for each WebSocket
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()
            return
        upgrade = any(line.lower().startswith("upgrade:") for line in head[1:])
        lines = [head[0]]
        for line in head[1:]:
            name = line.split(":", 1)[0].strip().lower()
            if not line or (name == "connection" and not upgrade):
                continue
            lines.append(f"Host: 127.0.0.1:{self.upstream}" if name == "host" else line)
        if upgrade:
            self.upgrade_headers.append(lines[1:])
        else:
            lines.append("Connection: close")  # one request per connection: every Host is rewritten
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        up_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        tasks = [
            asyncio.ensure_future(self._pipe(reader, up_writer)),
            asyncio.ensure_future(self._pipe(up_reader, writer)),
        ]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
        for w in (writer, up_writer):
            w.close()

    def start(self) -> HostRewritingProxy:
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", self.port), self.loop
        ).result(timeout=10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


PUBLIC_NAME = "lapset.example"  # the visitor's browser resolves it to this machine (Chromium host rules)


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory, browser):
    """An app with nothing configured (loopback may edit), behind a Host-rewriting proxy."""
    db = tmp_path_factory.mktemp("proxydb") / "app.db"
    # Like any real deployment behind a proxy, the app accepts the public origin (CORS/XSRF for the
    # WebSocket); that setting is not what keeps the visitor read-only.
    env = {
        "KYMLAPSET_EDITOR_PASSCODE": "",
        "STREAMLIT_SERVER_ENABLE_CORS": "false",
        "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "false",
    }
    with running(f"sqlite:///{db}", env, browser) as server:
        proxy = HostRewritingProxy(server.port).start()
        try:
            yield server, proxy
        finally:
            proxy.stop()


@pytest.fixture()
def visitor_page(browser_type, behind_proxy):
    """A browser for which the public name leads to this machine (as DNS would for a visitor)."""
    browser = browser_type.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", f"--host-resolver-rules=MAP {PUBLIC_NAME} 127.0.0.1"],
    )
    page = browser.new_page()
    yield page
    browser.close()


READ_ONLY = "Vain luku. Muokkaaminen vaatii kirjautumisen"


def test_a_visitor_through_the_proxy_is_a_viewer(visitor_page, behind_proxy):
    server, proxy = behind_proxy
    visitor_page.goto(f"http://{PUBLIC_NAME}:{proxy.port}/toimenpiteet")
    wait_idle(visitor_page)
    expect(visitor_page.get_by_text(READ_ONLY)).to_be_visible()
    # what the app was told: Host rewritten to loopback, no proxy header, the visitor's Origin
    sent = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in proxy.upgrade_headers[-1]}
    assert sent["host"] == f"127.0.0.1:{server.port}" and sent["origin"] == f"http://{PUBLIC_NAME}:{proxy.port}"
    assert not {"x-forwarded-for", "x-real-ip", "forwarded", "via"} & set(sent)
    visitor_page.get_by_text("Muokkaajan kirjautuminen").click()
    expect(visitor_page.get_by_text("Tämä sovellus on vain luettavissa")).to_be_visible()


def test_a_browser_on_this_machine_is_still_an_editor(page, behind_proxy):
    server, _ = behind_proxy
    page.goto(f"{server.url}/toimenpiteet")
    wait_idle(page)
    expect(page.get_by_role("heading", name="Toimenpiteet").first).to_be_visible()
    expect(page.get_by_text(READ_ONLY)).to_have_count(0)
    page.get_by_text("Muokkaajan kirjautuminen").click()
    expect(page.get_by_label("Nimesi (näkyy muutoshistoriassa)")).to_be_visible()
