"""Check a running cluster (deploy/cluster.sh) through its balancer, in Chromium, as people use it.

    KYMLAPSET_EDITOR_PASSCODE=… deploy/cluster.sh start 2
    KYMLAPSET_EDITOR_PASSCODE=… .venv/bin/python deploy/check.py http://127.0.0.1:8580

1. Two browsers pinned to *different* app processes (nginx's X-Kymlapset-Upstream header tells
   which): an editor saves a measure in one, and the other shows it live, without a reload.
2. Nobody behind the balancer is a local editor: the editor signs in with the passcode.
3. An upload works through the balancer: a CSV import is read, previewed and saved.
4. A download works through the balancer: a report is made beside the page and its HTML downloaded.

Prints each step and PASS/FAIL; exit status 0 when all passed. Every wait is bounded.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.browser.conftest import wait_idle  # noqa: E402
from tests.browser.test_editing import cell, open_measures, save  # noqa: E402
from tests.browser.test_live import edit_and_leave, sign_in  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]


def context_on(browser, url: str, avoid: str | None = None):
    """A browser context (1280x720) and the app process nginx pinned it to, other than ``avoid``."""
    for _ in range(20):  # bounded: the route cookie is random, so another process comes up soon
        ctx = browser.new_context(viewport={"width": 1280, "height": 720}, accept_downloads=True)
        upstream = ctx.request.get(f"{url}/_stcore/health").headers.get("x-kymlapset-upstream", "")
        if upstream and upstream != avoid:
            return ctx, upstream
        ctx.close()
    raise SystemExit(f"no second app process behind {url} (is the cluster started with N >= 2?)")


def signed_in_again(page, who: str, code: str) -> str:
    """After a reload: the day's sign-in cookie usually carries over (then nothing to do); else sign in."""
    page.get_by_text("Muokkaajan kirjautuminen").click()  # the lazy expander shows who is signed in
    wait_idle(page)
    already = page.get_by_text(f"Muokkaat nimellä {who}.")
    name_box = page.get_by_label("Nimesi (näkyy muutoshistoriassa)")
    expect(already.or_(name_box)).to_be_visible(timeout=20000)
    if already.is_visible():
        return "signed in by the day's cookie"
    name_box.fill(who)
    page.get_by_label("Muokkaajan tunnuskoodi").fill(code)
    page.get_by_role("button", name="Kirjaudu muokkaajaksi").click()
    wait_idle(page)
    expect(already).to_be_visible(timeout=20000)
    return "signed in again"


def main() -> int:
    url = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8580").rstrip("/")
    code = os.environ.get("KYMLAPSET_EDITOR_PASSCODE", "")
    if not code:
        raise SystemExit("set KYMLAPSET_EDITOR_PASSCODE to the cluster's passcode")
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:  # noqa: S310 - the cluster's own address
        assert r.read() == b"ok"
    db_url = os.environ.get("KYMLAPSET_DATABASE_URL", "")
    if db_url:  # the recipe's own check database (deploy/cluster.sh prints it): data/'s plan has ended, and
        # an ended plan is read-only, so its editing steps need the plan in force, as the browser tests do
        from bench.server import put_plan_in_force  # noqa: PLC0415

        put_plan_in_force(db_url)
    results: list[tuple[str, bool, str]] = []

    def step(name: str, fn) -> None:
        t0 = time.monotonic()
        try:
            detail = fn() or ""
            results.append((name, True, f"{detail} ({time.monotonic() - t0:.1f} s)"))
        except Exception as exc:  # noqa: BLE001 - a failed step is reported, the others still run
            results.append((name, False, f"{type(exc).__name__}: {str(exc)[:300]}"))
        print(f"{'PASS' if results[-1][1] else 'FAIL'}  {name}: {results[-1][2]}", flush=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        a_ctx, a_up = context_on(browser, url)
        b_ctx, b_up = context_on(browser, url, avoid=a_up)
        print(f"editor's browser on {a_up}, viewer's browser on {b_up}")
        anna, viewer = a_ctx.new_page(), b_ctx.new_page()
        token = f"Tasapainottimen takaa {int(time.time())}"

        def live() -> str:
            open_measures(viewer, url)
            open_measures(anna, url)
            sign_in(anna, "Anna", code)
            edit_and_leave(anna, 0, "toimenpide", token)
            save(anna)
            expect(anna.get_by_text("Kaikki muutokset on tallennettu.")).to_be_visible(timeout=30000)
            saved = time.monotonic()
            expect(cell(viewer, 0, "toimenpide")).to_contain_text(token, timeout=15000)
            return f"seen on {b_up} {time.monotonic() - saved:.1f} s after the save on {a_up}"

        def not_local() -> str:
            page = b_ctx.new_page()
            open_measures(page, url)
            expect(page.get_by_text("Muokkaajan kirjautuminen")).to_be_visible(timeout=10000)
            page.close()
            return "a visitor without the passcode is offered the sign-in, not editing"

        def upload() -> str:
            anna.goto(f"{url}/tiedot")  # a new page load is a new session (on whichever process nginx pins)
            wait_idle(anna)
            how = signed_in_again(anna, "Anna", code)
            year = 2040 + int(time.time()) % 60  # a year not imported before, so the value is new
            csv = f"indicator_id,series_id,group_id,area,year,value\n7,,lukio,kymenlaakso,{year},70.5\n".encode()
            anna.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                files=[{"name": "tasapainotin.csv", "mimeType": "text/csv", "buffer": csv}]
            )
            expect(anna.get_by_text("Esikatselu: 1 lisätään")).to_be_visible(timeout=60000)
            anna.get_by_role("button", name="Vahvista ja tallenna").click()
            expect(anna.get_by_text("Tallennettu: 1 lisätty")).to_be_visible(timeout=60000)
            return f"{how}; CSV uploaded, previewed and saved"

        def download() -> str:
            viewer.goto(f"{url}/raportit")
            wait_idle(viewer)
            viewer.get_by_role("button", name="Tee raportti").click()
            expect(viewer.get_by_test_id("stDownloadButton").first).to_be_visible(timeout=180000)  # ready
            with viewer.expect_download(timeout=60000) as dl:
                viewer.get_by_role("button", name="Lataa HTML").click()
            body = Path(dl.value.path()).read_text(encoding="utf-8")
            assert "<html" in body.lower(), body[:200]
            return f"report built beside the page and {len(body) // 1024} KB of HTML downloaded"

        step("live update crosses processes", live)
        step("behind the balancer editing needs the passcode", not_local)
        step("upload through the balancer", upload)
        step("download through the balancer", download)
        browser.close()
    ok = all(r[1] for r in results)
    print(f"\nOverall: {'PASS' if ok else 'FAIL'} ({sum(r[1] for r in results)} of {len(results)} steps)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
