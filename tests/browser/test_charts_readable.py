"""Charts read on a projector (1280×720) and a phone (390×844): no text over text, text ≥ 14 px, dark ink.

Every visible, non-empty `svg text` of every Plotly chart on the page (tick labels, titles,
annotations, legend entries, text in bars and cells) is measured with getBoundingClientRect();
no two of one chart may intersect. Full-page screenshots go to /tmp/shots-h4/ to be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import wait_idle

SHOTS = Path("/tmp/shots-h4")
VIEWPORTS = {"projector": (1280, 720), "phone": (390, 844)}
PAGES = {
    "etusivu": "/",
    "tavoite-1-indikaattorit": "/paatavoite-1?nakyma=indikaattorit",
    "indikaattorit": "/indikaattorit",
    "vuosikello": "/vuosikello-sykli",
    "tavoite-1-tavoite": "/paatavoite-1?nakyma=tavoite",
    "aikajana": "/aikajana",
    "arviointi-yhteenveto": "/arviointi?nakyma=yhteenveto",
    "tyopaja": "/tyopaja?valitavoite=I.6",
}

# per chart: every visible non-empty text with its box, computed font size and fill colour
_COLLECT = """
() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((chart, c) =>
  [...chart.querySelectorAll('svg text')].filter(el => {
    if (!el.textContent.trim() || el.closest('.modebar')) return false;
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }).map(el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el), box = chart.getBoundingClientRect();
    return {chart: c, text: el.textContent, x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
            size: parseFloat(s.fontSize), fill: s.fill, cls: el.getAttribute('class') || '',
            left: box.left + scrollX, right: box.right + scrollX};
  }))
"""


def _luminance(rgb: str) -> float:
    parts = [float(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]

    def lin(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in parts)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _overlaps(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (
        a["x"] + slack < b["x"] + b["w"]
        and b["x"] + slack < a["x"] + a["w"]
        and a["y"] + slack < b["y"] + b["h"]
        and b["y"] + slack < a["y"] + a["h"]
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_chart_text_is_readable_and_never_overlaps(browser, app_server, name: str, viewport: str) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        page.goto(app_server.url + PAGES[name])
        wait_idle(page)
        charts = page.locator('[data-testid="stPlotlyChart"]')
        expect(charts.first).to_be_visible(timeout=30000)
        # every chart drawn (scrolling brings lazily measured ones into layout)
        page.mouse.wheel(0, 20000)
        page.wait_for_timeout(500)
        for k in range(charts.count()):
            expect(charts.nth(k).locator(".main-svg").first).to_be_attached(timeout=30000)
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        per_chart = page.evaluate(_COLLECT)
        texts = [t for chart in per_chart for t in chart]
        assert texts, "no chart text found"
        small = sorted({(t["text"][:40], t["size"]) for t in texts if t["size"] < 14})
        assert not small, f"chart text under 14 px: {small[:10]}"
        # dark ink on white; white text is only drawn on a coloured cell or bar (checked in core)
        pale = sorted(
            {
                (t["text"][:40], t["fill"])
                for t in texts
                if _luminance(t["fill"]) < 0.9 and (1.05 / (_luminance(t["fill"]) + 0.05)) < 4.5
            }
        )
        assert not pale, f"chart text under 4.5:1 contrast on white: {pale[:10]}"
        cut = sorted({t["text"][:40] for t in texts if t["x"] < t["left"] - 1 or t["x"] + t["w"] > t["right"] + 1})
        assert not cut, f"chart text cut at the chart's edge: {cut[:10]}"
        clashes = []
        for chart in per_chart:
            for i, a in enumerate(chart):
                for b in chart[i + 1 :]:
                    if _overlaps(a, b):
                        clashes.append((a["text"][:30], b["text"][:30]))
        assert not clashes, f"{len(clashes)} overlapping chart labels, e.g. {clashes[:8]}"
    finally:
        # the whole page as one picture: Streamlit scrolls inside its own container, so the
        # viewport is made as tall as the content (same width: the charts keep their layout)
        SHOTS.mkdir(parents=True, exist_ok=True)
        tall = page.evaluate(
            'Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
            '[data-testid="stAppViewContainer"]\')].map(e => e.scrollHeight), 0)'
        )
        page.set_viewport_size({"width": width, "height": min(max(height, int(tall)), 16000)})
        page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / f"{name}-{viewport}.png"), full_page=True)
        context.close()


def test_plotly_toolbar_speaks_finnish_and_keeps_only_download(browser, app_server) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(app_server.url + "/")
        wait_idle(page)
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        expect(chart).to_be_visible(timeout=30000)
        chart.hover()
        buttons = chart.locator(".modebar-btn")
        expect(buttons.first).to_be_attached()
        titles = [buttons.nth(k).get_attribute("data-title") for k in range(buttons.count())]
        # Plotly's one button left, in Finnish; Streamlit adds its own "Fullscreen" (its English is
        # hard-coded in Streamlit's frontend, outside Plotly's locale)
        assert [t for t in titles if t not in ("Fullscreen", "Close fullscreen")] == ["Lataa kaavio kuvana (PNG)"]
        expect(chart.locator(".modebar-btn--logo")).to_have_count(0)
    finally:
        context.close()
