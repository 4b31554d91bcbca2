"""Reports asked for at once: how many are refused as busy, and how many Chromium processes the server keeps.

Four Chromium pages (Playwright) each pick another actor's report on Raportit and press "Tee raportti"
together. With ``jobs_at_once`` 2 (the default) two are made beside the page and two are told that
the server is busy; every process Chromium starts under the server is counted every 0.3 s (Kaleido's
one shared browser for chart images, and the PDF printer, one at a time). Prints one line.

    .venv/bin/python bench/reports_at_once.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load  # noqa: E402 - /proc sampling
from playwright.sync_api import expect, sync_playwright  # noqa: E402

from bench.server import AppServer  # noqa: E402
from tests.browser.conftest import wait_idle  # noqa: E402

PAGES = 4


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="bench_reports_"))
    srv = AppServer(f"sqlite:///{tmp / 'r.db'}", {"KYMLAPSET_EDITOR_PASSCODE": ""}).start()
    peak = {"chromium": 0, "mb": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.3):
            tree = load.descendants(srv.proc.pid)
            n = 0
            for pid in tree:
                try:
                    n += "chrom" in Path(f"/proc/{pid}/comm").read_text()
                except OSError:
                    pass
            peak["chromium"] = max(peak["chromium"], n)
            peak["mb"] = max(peak["mb"], sum(load.rss_kb(p) for p in tree) / 1024)

    threading.Thread(target=sample, daemon=True).start()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=load.CHROMIUM, args=["--no-sandbox"])
            warm = browser.new_page()
            warm.goto(srv.url)
            wait_idle(warm)
            warm.close()
            pages = []
            for i in range(PAGES):
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(f"{srv.url}/raportit")
                wait_idle(page)
                page.get_by_text("Toimijan raportti").click()
                wait_idle(page)
                page.get_by_test_id("stMainBlockContainer").get_by_role("combobox", name="Toimija").click()
                page.get_by_role("option").nth(i + 1).click()
                wait_idle(page)
                pages.append(page)
            t0 = time.time()
            for page in pages:
                page.get_by_role("button", name="Tee raportti").click()
            time.sleep(3)
            busy = sum(page.get_by_text("Palvelin on kiireinen").count() for page in pages)
            for page in pages:
                try:
                    expect(page.get_by_test_id("stDownloadButton").first).to_be_visible(timeout=300000)
                except AssertionError:
                    pass  # told busy: no downloads
            ready = sum(page.get_by_test_id("stDownloadButton").count() > 0 for page in pages)
            print(
                f"{PAGES} reports asked at once: {busy} told the server is busy, {ready} ready in "
                f"{time.time() - t0:.0f} s; peak Chromium processes under the server {peak['chromium']}, "
                f"peak RSS of the server tree {peak['mb']:.0f} MB (shared pages counted in every process)"
            )
            browser.close()
    finally:
        stop.set()
        srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
