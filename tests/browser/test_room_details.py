"""What was left of the room (#22), in Chromium at a 1280×720 projector and a 390×844 phone.

Aikajana writes each measure in whole words and says once that statuses are missing; Etusivu's actor ×
goal counts keep their cells and level goal numbers on a phone, and Plotly's icons stay off the charts'
headers; goal III's service mix shows "15 %" whole; a phone's card list has one count; a fresh server's
first deep link never lists the raw page file names in the sidebar.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from bench.server import AppServer
from tests.browser.conftest import page_at, wait_idle

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("viewport", [PROJECTOR, PHONE], ids=["projector", "phone"])
PAGE_FILES = {"app", "aikajana", "arviointi", "historia", "indikaattorit", "loppuarviointi", "overview", "tiedot"}

# the lines of text of one chart (a text's own lines apart, without Plotly's icons): [text, left, top, right, bottom]
CHART_TEXTS = """chart => [...chart.querySelectorAll('svg text')]
    .filter(e => !e.closest('.modebar') && e.textContent.trim())
    .flatMap(e => e.querySelector('tspan.line') ? [...e.querySelectorAll('tspan.line')] : [e])
    .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.left, r.top, r.right, r.bottom]; })"""


def chart(page, index: int = 0):
    box = page.locator('[data-testid="stPlotlyChart"]').nth(index)
    expect(box.locator(".main-svg").first).to_be_visible(timeout=30000)
    return box


@SIZES
def test_timeline_measures_read_in_whole_words_and_no_bar_says_a_status_is_missing(browser, app_server, viewport):
    page = page_at(browser, viewport)
    page.goto(app_server.url + "/aikajana")
    wait_idle(page)
    texts = [t[0] for t in chart(page).evaluate(CHART_TEXTS)]
    page.close()
    assert "Tilaa ei ole kirjattu" in texts  # said once, in the legend
    assert not [x for x in texts if x.startswith("?") or "tila puuttuu" in x]  # not a '?' on every bar
    # the measures' lines: "I.1 · Lapsen/nuoren mielipiteen" and its next line, longer than the old ~30 characters
    first = next(x for x in texts if x.startswith("I.1 · "))
    following = texts[texts.index(first) + 1]
    assert len(first) + len(following) > 45, (first, following)
    assert first.split()[-1] in "I.1 · Lapsen/nuoren mielipiteen kuuleminen"  # cut between words


def test_phone_overview_counts_keep_their_cells_and_level_goal_numbers(browser, app_server):
    page = page_at(browser, PHONE)
    page.goto(app_server.url + "/")
    wait_idle(page)
    counts = chart(page, page.locator('[data-testid="stPlotlyChart"]').count() - 1)
    counts.scroll_into_view_if_needed()
    heads = counts.evaluate(
        """c => [...c.querySelectorAll('.xtick text')].map(e => {
            const r = e.getBoundingClientRect(); return [e.textContent, r.width, r.height]; })"""
    )
    assert [h[0] for h in heads] == ["I", "II", "III"]
    assert all(w <= h * 2 for _, w, h in heads)  # level, not turned on end
    cells = counts.locator(".heatmaplayer image, .heatmaplayer").first.bounding_box()
    assert cells["width"] >= 300, cells  # the grid takes the phone's width (it was ~70 px)
    assert "Kaakkois-Suomen poliisilaitos," in [t[0] for t in counts.evaluate(CHART_TEXTS)]
    # no chart icons on a phone: a tap showed them over the charts' headers
    assert page.locator(".modebar-container:visible").count() == 0
    page.close()


def test_projector_chart_icons_stay_below_the_chart_headers(browser, app_server):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(app_server.url + "/")
    wait_idle(page)
    for k in range(page.locator('[data-testid="stPlotlyChart"]').count()):
        box = chart(page, k)
        box.scroll_into_view_if_needed()
        box.hover()
        icons = box.locator(".modebar").bounding_box()
        frame = box.bounding_box()
        texts = box.evaluate(CHART_TEXTS)
        assert icons and icons["y"] > frame["y"] + frame["height"] - 40, (k, icons, frame)
        overlapping = [
            t[0]
            for t in texts
            if t[1] < icons["x"] + icons["width"]
            and t[3] > icons["x"]
            and t[2] < icons["y"] + icons["height"]
            and t[4] > icons["y"]
        ]
        assert not overlapping, (k, overlapping)
    page.close()


@SIZES
def test_goal_iii_service_mix_shows_every_share_whole(browser, app_server, viewport):
    page = page_at(browser, viewport)
    page.goto(app_server.url + "/")
    wait_idle(page)
    mix = chart(page, 1)
    mix.scroll_into_view_if_needed()
    frame = mix.bounding_box()
    shares = {t[0]: t for t in mix.evaluate(CHART_TEXTS) if t[0].endswith("%") and t[0][0].isdigit()}
    page.close()
    assert {"15 %", "5 %", "20 %"} <= set(shares)
    for text, left, _top, right, _bottom in shares.values():
        assert frame["x"] <= left and right <= frame["x"] + frame["width"], text  # inside the chart, not cut


def test_phone_card_list_has_one_count(browser, app_server):
    page = page_at(browser, PHONE)
    page.goto(app_server.url + "/toimenpiteet?toimija=kymsote")
    wait_idle(page)
    expect(page.get_by_role("button", name=re.compile("Avaa")).first).to_be_visible(timeout=30000)
    captions = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    page.close()
    counts = [c for c in captions if re.search(r"\d+ toimenpide", c)]
    assert len(counts) == 1, captions
    assert not [c for c in captions if re.search(r"Näytetään \d+ ?/ ?\d+", c)], captions
    assert any(re.fullmatch(r"Sivu 1/\d+", c.strip()) for c in captions), captions


def test_first_deep_link_on_a_fresh_server_never_lists_page_files(browser, tmp_path):
    server = AppServer(f"sqlite:///{tmp_path / 'fresh.db'}", {"KYMLAPSET_EDITOR_PASSCODE": ""}).start()
    try:
        page = browser.new_page(viewport=PROJECTOR)
        page.goto(server.url + "/aikajana", wait_until="commit")
        seen: list[list[str]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            names = page.evaluate(
                """() => [...document.querySelectorAll('[data-testid="stSidebarNav"] a')]
                    .map(a => a.textContent.trim())"""
            )
            if names:
                seen.append(names)
            if any("Aikajana" in n for n in names):
                break
            page.wait_for_timeout(25)
        wait_idle(page)
        assert seen and any("Etusivu" in n for n in seen[-1])  # the app's own navigation
        raw = [names for names in seen if PAGE_FILES & {n.lower() for n in names}]
        assert not raw, raw[0]
        expect(page.get_by_role("heading", name="Toimenpiteiden aikajana")).to_be_visible()
        assert page.locator('[role="dialog"]').count() == 0
        page.close()
    finally:
        server.stop()
