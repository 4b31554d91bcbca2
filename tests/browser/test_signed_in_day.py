"""Signed in for the working day (issue #19 item 2), in a real browser: a passcode sign-in survives a
reload and a new tab of the same browser, signing out ends it everywhere, and the cookie carries no
passcode. Screenshots of the sign-in box (1280x720, 390x844) go to /tmp/shots-signin/ to be looked at.
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import expect

from core.serving import auth
from tests.browser.conftest import running, wait_idle

PASS = "tyopaja-2026"
SHOTS = Path("/tmp/shots-signin")
PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
BOX = "Muokkaajan kirjautuminen"
SIGNED_IN = "Muokkaat nimellä Tiina Testaaja."


def open_box(page) -> None:
    """Open the sign-in box in the sidebar (on a phone, the sidebar first)."""
    wait_idle(page)
    if not page.get_by_text(BOX).is_visible():
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_text(BOX).click()
    wait_idle(page)


def sign_in(page, name: str = "Tiina Testaaja", code: str = PASS) -> None:
    open_box(page)
    page.get_by_label("Nimesi (näkyy muutoshistoriassa)").fill(name)
    page.get_by_label("Muokkaajan tunnuskoodi").fill(code)
    page.get_by_role("button", name="Kirjaudu muokkaajaksi").click()
    wait_idle(page)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def editor_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == auth.EDITOR_COOKIE), None)


def test_a_sign_in_lasts_through_reloads_and_new_tabs_until_signed_out(browser, tmp_path):
    with running(f"sqlite:///{tmp_path / 'day.db'}", {"KYMLAPSET_EDITOR_PASSCODE": PASS}, browser) as server:
        context = browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        page.goto(f"{server.url}/historia")
        open_box(page)
        shot(page, "signed-out-1280x720")
        page.get_by_text(BOX).click()  # closed again: sign_in opens it
        sign_in(page)
        expect(page.get_by_text(SIGNED_IN)).to_be_visible()
        expect(page.get_by_text("Kirjautuminen säilyy tässä selaimessa työpäivän ajan")).to_be_visible()
        shot(page, "signed-in-1280x720")
        cookie = editor_cookie(context)
        assert cookie is not None and PASS not in cookie["value"] and cookie["sameSite"] == "Strict"
        assert 9 * 3600 < cookie["expires"] - time.time() <= 10 * 3600  # a working day

        page.reload()  # a reload is a new session: the cookie signs it in
        open_box(page)
        expect(page.get_by_text(SIGNED_IN)).to_be_visible()

        tab = context.new_page()  # a new tab of the same browser, on a page with the grid
        tab.goto(f"{server.url}/toimenpiteet?toimija=poliisi")
        wait_idle(tab)
        expect(tab.get_by_role("button", name="Tallenna muutokset")).to_have_count(0)
        expect(tab.get_by_text("Vain luku.")).to_have_count(0)  # editable: no read-only note
        open_box(tab)
        expect(tab.get_by_text(SIGNED_IN)).to_be_visible()

        other = browser.new_context(viewport=PROJECTOR)  # another browser: not signed in
        stranger = other.new_page()
        stranger.goto(f"{server.url}/historia")
        open_box(stranger)
        expect(stranger.get_by_label("Muokkaajan tunnuskoodi")).to_be_visible()

        tab.get_by_role("button", name="Kirjaudu ulos").click()  # signing out in the new tab…
        wait_idle(tab)
        expect(tab.get_by_label("Muokkaajan tunnuskoodi")).to_be_visible()
        expect(tab.get_by_text(SIGNED_IN)).to_have_count(0)
        assert editor_cookie(context) is None
        tab.reload()
        open_box(tab)
        expect(tab.get_by_label("Muokkaajan tunnuskoodi")).to_be_visible()

        page.get_by_text(BOX).click()  # …ends it in the first tab at its next rerun
        page.get_by_text(BOX).click()
        wait_idle(page)
        expect(page.get_by_label("Muokkaajan tunnuskoodi")).to_be_visible()

        # the old cookie, kept by someone and sent again, is worth nothing after the sign-out
        stranger.context.add_cookies([{**cookie, "expires": -1}])
        stranger.reload()
        open_box(stranger)
        expect(stranger.get_by_label("Muokkaajan tunnuskoodi")).to_be_visible()
        expect(stranger.get_by_text(SIGNED_IN)).to_have_count(0)
        other.close()
        context.close()


def test_the_sign_in_box_on_a_phone(browser, tmp_path):
    with running(f"sqlite:///{tmp_path / 'phone.db'}", {"KYMLAPSET_EDITOR_PASSCODE": PASS}, browser) as server:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{server.url}/historia")
        open_box(page)
        page.get_by_label("Nimesi (näkyy muutoshistoriassa)").fill("Tiina Testaaja")
        page.get_by_label("Muokkaajan tunnuskoodi").fill("vaara")
        page.get_by_role("button", name="Kirjaudu muokkaajaksi").click()
        wait_idle(page)
        expect(page.get_by_text("Tunnuskoodi ei ole oikein.")).to_be_visible()
        shot(page, "wrong-390x844")
        page.get_by_label("Muokkaajan tunnuskoodi").fill(PASS)
        page.get_by_role("button", name="Kirjaudu muokkaajaksi").click()
        wait_idle(page)
        if not page.get_by_text(SIGNED_IN).is_visible():  # the sidebar may close on a phone after the rerun
            open_box(page)
        expect(page.get_by_text(SIGNED_IN)).to_be_visible()
        page.get_by_role("button", name="Kirjaudu ulos").scroll_into_view_if_needed()
        shot(page, "signed-in-390x844")
        page.reload()
        open_box(page)
        expect(page.get_by_text(SIGNED_IN)).to_be_visible()
        context.close()
