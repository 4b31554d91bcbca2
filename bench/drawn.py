"""Benchmark: time to drawn in Chromium of the table pages, beside a bare ``st.dataframe`` page.

What a user waits for (shared/TESTING.md): from ``page.goto(url)`` until the script state is
``notRunning`` and every table on the page has drawn its canvas (a grid its first row). The bare page
is a separate Streamlit server showing the same measures from the same database with one
``st.dataframe`` and nothing else. Pages and bare page take turns in every round, so a busy moment of
the shared machine falls on both; the median of the rounds is printed with the ratio page/bare.

Target (issue 22): Vuosiarviointi, Indikaattorit › Arvot and Toimijan koko taulukko within 1.25×.

    .venv/bin/python bench/drawn.py --rounds 7
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import START_TIMEOUT_S, AppServer, free_port  # noqa: E402

PAGES = {
    "Vuosiarviointi": "/arviointi",
    "Indikaattorit › Arvot": "/indikaattorit?nakyma=arvot",
    "Toimijan koko taulukko": "/toimenpiteet?nakyma=koko_taulukko",
}
TARGET = 1.25

BARE = """import streamlit as st
from core.store import Store

st.dataframe(Store.open({url!r}).measures(), hide_index=True)
"""

DRAWN = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const tables = [...document.querySelectorAll('[data-testid="stDataFrame"]')];
  return tables.length > 0 && tables.every(t => t.querySelector('canvas'));
}"""


def start_bare(db_url: str, folder: Path, source: str | None = None) -> tuple[subprocess.Popen, str]:
    """A Streamlit server running only the bare page (or ``source``); returns the process and its URL."""
    script = folder / "bare.py"
    script.write_text(BARE.format(url=db_url) if source is None else source, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
        + ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + START_TIMEOUT_S
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode() == "ok":
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the bare page's server did not start")


def drawn_seconds(browser, url: str, tables: bool = True) -> float:
    """Seconds from goto to every table drawn (``tables``; else the run over), in a fresh 1280×720 page.

    ``browser`` is a Browser (every visit a new context: a first visit, nothing cached) or a BrowserContext
    (``--returning``: the app's scripts and fonts cached, as for someone who has opened the app before)."""
    viewport = {"width": 1280, "height": 720}
    page = browser.new_page(viewport=viewport) if hasattr(browser, "new_context") else browser.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(DRAWN if tables else DRAWN.replace("tables.length > 0 &&", ""), timeout=120_000, polling=25)
    took = time.perf_counter() - start
    page.close()
    return took


def take_turns(visits, urls: dict[str, str], rounds: int) -> dict[str, list[float]]:
    """Each URL's time to drawn in ``rounds`` rounds, the URLs taking turns in every round (a busy moment
    of the shared machine falls on all of them), after one visit each that warms the server's caches."""
    for url in urls.values():
        drawn_seconds(visits, url)
    times: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(rounds):
        for name, url in urls.items():
            times[name].append(drawn_seconds(visits, url))
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7, help="timed visits of each page (median is reported)")
    ap.add_argument(
        "--returning",
        action="store_true",
        help="one browser context for every visit: the frontend's files come from the browser's cache",
    )
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="drawn_"))
    db_url = f"sqlite:///{folder / 'app.db'}"
    app = AppServer(db_url, {"KYMLAPSET_EDITOR_PASSCODE": ""}).start()
    bare_proc = None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox"]
            )
            visits = browser.new_context(viewport={"width": 1280, "height": 720}) if args.returning else browser
            drawn_seconds(visits, app.url, tables=False)  # the app seeds its database on the first visit
            bare_proc, bare_url = start_bare(db_url, folder)
            urls = {"bare st.dataframe": bare_url, **{k: app.url + v for k, v in PAGES.items()}}
            times = take_turns(visits, urls, args.rounds)
            browser.close()
    finally:
        app.stop()
        if bare_proc is not None:
            bare_proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
    bare = statistics.median(times["bare st.dataframe"])
    visit = "returning visits (files cached)" if args.returning else "first visits (nothing cached)"
    print(f"time to drawn, Chromium 1280x720, {visit}, median of {args.rounds} rounds (target ≤ {TARGET}× bare)")
    print(f"{'page':28} {'median s':>9} {'ratio':>6}")
    worst = 0.0
    for name, values in times.items():
        m = statistics.median(values)
        ratio = m / bare
        if name in PAGES:
            worst = max(worst, ratio)
        print(f"{name:28} {m:9.2f} {ratio:6.2f}{'' if name not in PAGES or ratio <= TARGET else '  over target'}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
