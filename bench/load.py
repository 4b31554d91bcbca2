"""Load test: concurrent editors in real browsers against a locally started app.

Starts ``python -m streamlit run app.py`` on a free loopback port with its own temporary
SQLite DB and an empty editor passcode (so loopback connections may edit), warms it up by
loading "/" once (streamlit/streamlit#8860: the first deep link after a start can show
"Page not found"), then opens one Playwright browser context per editor in Debian's
Chromium, all on the Toimenpiteet page filtered to a few actors (``/toimenpiteet?toimija=…``).

Editors work in teams of ``--share`` (default 3). Team members look at the same actors and
share one cell (row 0, Toimenpide), so their saves collide; each member also has a private
cell (row 1+m). Every editor alternates shared/private edits: double-click the cell, type a
unique value, Tab, wait for the pending notice, click "Tallenna muutokset" and time the
answer: "Kaikki muutokset on tallennettu." (saved) or "Joku muu on muuttanut samoja rivejä"
(conflict). A conflict is resolved alternately with "Pidä oma arvoni" (a new save, timed too)
or "Käytä tallennettua arvoa" (the editor's value is given up).

Afterwards the database is checked (``core.store.Store`` on the same URL): every value an
editor saw confirmed as saved must be a ``new_value`` in the ``changes`` history (else it is a
LOST UPDATE), and each edited cell's history must chain (each change's old value = the
previous change's new value). The server's RSS (its process and children, from /proc) is
sampled every 0.5 s.

Targets: 0 lost updates; server peak memory ≤ 690 MB with all editors connected.

    source .venv/bin/activate && python bench/load.py                 # 30 editors, 60 s
    python bench/load.py --editors 6 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import CHROMIUM_ARGS, AppServer, put_plan_in_force  # noqa: E402 - the app on a free port (shared with the browser tests)

CHROMIUM = "/usr/bin/chromium"
GRID = 'iframe[title="st_aggrid.AgGrid.agGrid"]'
SAVED = "Kaikki muutokset on tallennettu."
CONFLICT = "Joku muu on muuttanut samoja rivejä"
PENDING = "Tallentamattomia muutoksia"
SAVE_BTN = "Tallenna muutokset"
KEEP_MINE = "Pidä oma arvoni"
KEEP_THEIRS = "Käytä tallennettua arvoa"
FIELD = "toimenpide"
MEMORY_TARGET_MB = 690.0


def _js(template: str) -> str:
    """A JS snippet with the Finnish texts put in as JS string literals."""
    for token, text in (("__SAVED__", SAVED), ("__PENDING__", PENDING), ("__CONFLICT__", CONFLICT)):
        template = template.replace(token, json.dumps(text))
    return template


# Counts finished script runs (transitions of stApp's data-test-script-state to notRunning), so a
# wait can tell "the rerun after my click has finished" from "nothing has started yet".
INIT_JS = """
(() => {
  if (window.top !== window) return;
  window.__stDone = 0;
  let last = null;
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      const v = r.target.getAttribute('data-test-script-state');
      if (v === 'notRunning' && last !== 'notRunning') window.__stDone++;
      last = v;
    }
  });
  const start = () => observer.observe(document.documentElement, {subtree: true, attributes: true,
                                                                  attributeFilter: ['data-test-script-state']});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

# What the main area says now: saved / pending / conflict, and whether the script is idle.
STATE_JS = _js("""
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  const text = main ? main.textContent : '';
  return {idle: !!app && app.getAttribute('data-test-script-state') === 'notRunning',
          done: window.__stDone || 0,
          saved: text.includes(__SAVED__), pending: text.includes(__PENDING__),
          conflict: text.includes(__CONFLICT__)};
}
""")

# Resolves (truthy) when the answer to a click is on the page. arg = [done count before the click,
# whether the conflict chooser was already showing]. A fresh conflict message counts as soon as it
# shows; with the chooser already up, only after the rerun that followed the click has finished.
OUTCOME_JS = _js("""
([done0, conflictBefore]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  const text = main ? main.textContent : '';
  const idle = !!app && app.getAttribute('data-test-script-state') === 'notRunning';
  const finished = (window.__stDone || 0) > done0 && idle;
  if (text.includes(__SAVED__)) return 'saved';
  if (!conflictBefore && text.includes(__CONFLICT__)) return 'conflict';
  if (finished) return text.includes(__CONFLICT__) ? 'conflict' : (text.includes(__PENDING__) ? 'pending' : 'other');
  return false;
}
""")

# Resolves when a finished rerun shows the pending-edits notice (the edit reached the server).
PENDING_JS = _js("""
(done0) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  const idle = !!app && app.getAttribute('data-test-script-state') === 'notRunning';
  return (window.__stDone || 0) > done0 && idle && !!main && main.textContent.includes(__PENDING__);
}
""")


def code_fingerprint() -> str:
    """A short hash of the app's code (app.py, pages/, ui/, core/), to tell which version was measured."""
    import hashlib  # noqa: PLC0415

    h = hashlib.sha256()
    for f in sorted([ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("core/*.py")]):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# /proc sampling (the server itself: bench/server.py)


def descendants(pid: int) -> list[int]:
    """pid and all its descendants, from /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def machine_cpu() -> tuple[int, int]:
    with open("/proc/stat", encoding="ascii") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


def mem_available_mb() -> float:
    with open("/proc/meminfo", encoding="ascii") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Sampler(threading.Thread):
    """Every 0.5 s: the server tree's RSS; every 5 s: the client tree's PSS and MemAvailable."""

    def __init__(self, server_pid: int):
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.stop_event = threading.Event()
        self.samples: list[tuple[float, float]] = []  # (time, server MB): RSS summed over the tree
        # (time, server MB) as PSS summed over the tree: shared pages counted once in all (the Chromium
        # processes that make chart images and PDFs share most of theirs), as a container's limit counts them
        self.pss_samples: list[tuple[float, float]] = []
        self.cpu: list[tuple[float, int, int]] = []  # (time, machine busy jiffies, total jiffies)
        self.client: list[tuple[float, float]] = []  # (time, client PSS MB)
        self.mem_avail_min = float("inf")
        self.phase_peaks: dict[str, float] = {}
        self.phase = "start"

    def run(self) -> None:
        last_client = 0.0
        while not self.stop_event.wait(0.5):
            now = time.time()
            tree = descendants(self.server_pid)
            mb = sum(rss_kb(p) for p in tree) / 1024
            self.samples.append((now, mb))
            self.pss_samples.append((now, sum(pss_kb(p) for p in tree) / 1024))
            self.cpu.append((now, *machine_cpu()))
            self.phase_peaks[self.phase] = max(self.phase_peaks.get(self.phase, 0.0), mb)
            if now - last_client >= 5:
                last_client = now
                server = set(descendants(self.server_pid))
                client = [p for p in descendants(os.getpid()) if p != os.getpid() and p not in server]
                self.client.append((now, sum(pss_kb(p) for p in client) / 1024))
                self.mem_avail_min = min(self.mem_avail_min, mem_available_mb())

    def busy_pct(self, t0: float, t1: float) -> float:
        """Share of all CPUs busy between wall times t0 and t1 (from the 0.5 s samples)."""
        inside = [c for c in self.cpu if t0 <= c[0] <= t1]
        if len(inside) < 2:
            return float("nan")
        busy, total = inside[-1][1] - inside[0][1], inside[-1][2] - inside[0][2]
        return 100 * busy / total if total else float("nan")

    def current(self) -> float:
        return sum(rss_kb(p) for p in descendants(self.server_pid)) / 1024


# ---------------------------------------------------------------------------------------------
# Editors


@dataclass
class Event:
    editor: int
    kind: str  # save | keep_mine | keep_theirs | edit
    t: float  # seconds since the window opened
    latency: float  # click → answer on the page (s)
    settled: float  # click → the rerun finished (s)
    outcome: str  # saved | conflict | pending | other | timeout | error


@dataclass
class EditorState:
    idx: int
    team: int
    member: int
    url: str
    rows: dict[int, str] = field(default_factory=dict)  # grid row → measure_id
    pending: dict[str, str] = field(default_factory=dict)  # measure_id → value typed, not yet saved
    confirmed: list[tuple[str, str]] = field(default_factory=list)  # (measure_id, value) seen saved
    given_up: list[tuple[str, str]] = field(default_factory=list)  # "Käytä tallennettua arvoa"
    unknown: list[tuple[str, str]] = field(default_factory=list)  # pending when a wait timed out
    events: list[Event] = field(default_factory=list)
    conflicts_seen: int = 0
    counter: int = 0
    reloads: int = 0
    load_s: float = float("nan")
    error: str = ""


def cell(page, row: int, col: str):
    return page.frame_locator(GRID).last.locator(f".ag-center-cols-container [row-index='{row}'] [col-id='{col}']")


def cell_editor(page):
    """The open cell editor of the measure text (a popup's text area, or an input in the cell)."""
    return page.frame_locator(GRID).last.locator(f".ag-popup-editor textarea, [col-id='{FIELD}'] input").first


async def state_of(page) -> dict:
    return await page.evaluate(STATE_JS)


async def wait_idle(page, timeout_ms: float) -> None:
    await page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return !!a && a.getAttribute('data-test-script-state') === 'notRunning'; }",
        polling=250,
        timeout=timeout_ms,
    )
    await page.wait_for_timeout(300)
    await page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return !!a && a.getAttribute('data-test-script-state') === 'notRunning'; }",
        polling=250,
        timeout=timeout_ms,
    )


async def open_measures(ed: EditorState, page, timeout_ms: float) -> None:
    await page.goto(ed.url, wait_until="domcontentloaded", timeout=timeout_ms)
    await wait_idle(page, timeout_ms)
    await cell(page, 0, FIELD).wait_for(state="visible", timeout=timeout_ms)
    pinned = page.frame_locator(GRID).last.locator(".ag-pinned-left-cols-container [row-index] [col-id='measure_id']")
    for r in range(0, 2 + ed.member):
        loc = page.frame_locator(GRID).last.locator(
            f".ag-pinned-left-cols-container [row-index='{r}'] [col-id='measure_id']"
        )
        if await loc.count():
            ed.rows[r] = (await loc.first.inner_text(timeout=timeout_ms)).strip()
    if not ed.rows:
        raise RuntimeError(f"no rows in the grid ({await pinned.count()} pinned cells)")


async def wait_outcome(
    page, done0: int, conflict_before: bool, t0: float, timeout_ms: float
) -> tuple[str, float, float]:
    """(outcome, latency, settled) after a click made at t0."""
    handle = await page.wait_for_function(OUTCOME_JS, arg=[done0, conflict_before], polling=200, timeout=timeout_ms)
    outcome = await handle.json_value()
    latency = time.perf_counter() - t0
    await wait_idle(page, timeout_ms)
    settled = time.perf_counter() - t0
    st = await state_of(page)  # what the finished run says (a saved caption is final; recheck a conflict)
    if st["conflict"]:
        outcome = "conflict"
    elif st["saved"]:
        outcome = "saved"
    return outcome, latency, settled


async def first_conflict_id(page) -> str | None:
    loc = page.locator('[data-testid="stMarkdownContainer"]', has_text=" — muuttanut").first
    try:
        text = await loc.inner_text(timeout=5000)
    except Exception:  # noqa: BLE001
        return None
    return text.split(" — ", 1)[0].strip().strip("*")


async def editor_loop(ed: EditorState, page, start: float, deadline: float, timeout_ms: float) -> None:
    """Edit, save and resolve until the deadline; every wait bounded by timeout_ms."""
    while time.perf_counter() < deadline:
        try:
            st = await state_of(page)
            if not st["idle"]:
                await wait_idle(page, timeout_ms)
                continue
            if st["conflict"]:
                ed.conflicts_seen += 1
                keep_mine = (ed.conflicts_seen + ed.idx) % 2 == 1  # alternate; half the editors start each way
                mid = await first_conflict_id(page)
                name = KEEP_MINE if keep_mine else KEEP_THEIRS
                button = page.get_by_role("button", name=name).first
                done0 = st["done"]
                t0 = time.perf_counter()
                await button.click(timeout=timeout_ms)
                outcome, latency, settled = await wait_outcome(page, done0, True, t0, timeout_ms)
                ed.events.append(
                    Event(ed.idx, "keep_mine" if keep_mine else "keep_theirs", t0 - start, latency, settled, outcome)
                )
                if keep_mine:
                    if outcome == "saved":
                        ed.confirmed += list(ed.pending.items())
                        ed.pending.clear()
                else:
                    if mid and mid in ed.pending:
                        ed.given_up.append((mid, ed.pending.pop(mid)))
                    if outcome == "saved" and ed.pending:  # the page has nothing pending any more
                        ed.unknown += list(ed.pending.items())
                        ed.pending.clear()
                continue
            if st["pending"]:
                done0 = st["done"]
                t0 = time.perf_counter()
                await page.get_by_role("button", name=SAVE_BTN).click(timeout=timeout_ms)
                outcome, latency, settled = await wait_outcome(page, done0, False, t0, timeout_ms)
                ed.events.append(Event(ed.idx, "save", t0 - start, latency, settled, outcome))
                if outcome == "saved":
                    ed.confirmed += list(ed.pending.items())
                    ed.pending.clear()
                continue
            # clean: make the next edit (alternate the team's shared row 0 and this editor's own row)
            shared = (ed.counter + ed.member) % 2 == 0
            row = 0 if shared or (1 + ed.member) not in ed.rows else 1 + ed.member
            ed.counter += 1
            value = f"LT{RUN_TAG} e{ed.idx:02d} n{ed.counter:04d}"
            t0 = time.perf_counter()
            await cell(page, row, FIELD).dblclick(timeout=timeout_ms)
            box = page.frame_locator(GRID).last.locator(f".ag-popup-editor textarea, [col-id='{FIELD}'] input").first
            await box.wait_for(state="visible", timeout=timeout_ms)
            done0 = (await state_of(page))["done"]
            await box.fill(value, timeout=timeout_ms)
            await box.press("Tab", timeout=timeout_ms)
            ed.pending[ed.rows[row]] = value
            await page.wait_for_function(PENDING_JS, arg=done0, polling=250, timeout=timeout_ms)
            await wait_idle(page, timeout_ms)
            ed.events.append(Event(ed.idx, "edit", t0 - start, time.perf_counter() - t0, 0.0, "pending"))
        except Exception as exc:  # noqa: BLE001 - a stuck page: record, reload (a new session), go on
            ed.events.append(
                Event(
                    ed.idx,
                    "error",
                    time.perf_counter() - start,
                    0.0,
                    0.0,
                    f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}",
                )
            )
            ed.unknown += list(ed.pending.items())
            ed.pending.clear()
            if time.perf_counter() >= deadline:
                break
            try:
                ed.reloads += 1
                await open_measures(ed, page, timeout_ms)
            except Exception as exc2:  # noqa: BLE001
                ed.error = f"reload failed: {type(exc2).__name__}"
                break
    ed.unknown += list(ed.pending.items())  # typed but not saved when time ran out
    ed.pending.clear()


RUN_TAG = secrets.token_hex(2)


async def run_browsers(args, server: AppServer, sampler: Sampler, actors: list[str]) -> tuple[list[EditorState], dict]:
    from playwright.async_api import async_playwright  # noqa: PLC0415

    timeout_ms = args.timeout * 1000
    info: dict = {}
    executable = CHROMIUM
    if args.client_nice:
        # Chromium (and every renderer it forks) at a lower CPU priority than the server under test
        wrapper = args.tmp / "chromium-nice.sh"
        wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/nice -n {args.client_nice} {CHROMIUM} "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
        executable = str(wrapper)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        # warm-up: "/" once, so deep links work (streamlit/streamlit#8860)
        sampler.phase = "warm-up"
        ctx = await browser.new_context(viewport={"width": 1500, "height": 1000})
        page = await ctx.new_page()
        await page.add_init_script(INIT_JS)
        t0 = time.perf_counter()
        await page.goto(server.url, timeout=timeout_ms)
        await wait_idle(page, timeout_ms)
        info["warmup_s"] = time.perf_counter() - t0
        await ctx.close()
        info["rss_after_warmup"] = sampler.current()

        editors: list[EditorState] = []
        for i in range(args.editors):
            team, member = divmod(i, args.share)
            a = team % len(actors)
            few = [actors[a]] + ([actors[a + 1]] if a + 1 < len(actors) else [])  # row 0.. are actors[a]'s
            editors.append(EditorState(i, team, member, f"{server.url}/toimenpiteet?toimija={','.join(few)}"))

        sampler.phase = "loading"
        sem = asyncio.Semaphore(args.load_concurrency)
        pages: dict[int, object] = {}
        contexts = []

        async def load(ed: EditorState) -> None:
            async with sem:
                c = await browser.new_context(viewport={"width": 1500, "height": 1000})
                contexts.append(c)
                await c.add_init_script(INIT_JS)
                p = await c.new_page()
                t = time.perf_counter()
                try:
                    await open_measures(ed, p, timeout_ms)
                    ed.load_s = time.perf_counter() - t
                    pages[ed.idx] = p
                except Exception as exc:  # noqa: BLE001
                    ed.error = f"load failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"

        t_load = time.perf_counter()
        await asyncio.gather(*(load(e) for e in editors))
        info["load_all_s"] = time.perf_counter() - t_load
        info["rss_loaded"] = sampler.current()
        ready = [e for e in editors if e.idx in pages]
        info["ready"] = len(ready)

        sampler.phase = "editing"
        start = time.perf_counter()
        info["window_start_wall"] = time.time()
        cpu0, machine0 = cpu_seconds_tree(server.proc.pid), machine_cpu()
        client0 = client_cpu_seconds(server.proc.pid)
        procs0 = cpu_by_process(server.proc.pid)
        self_cpu0 = sum(os.times()[:2])
        deadline = start + args.seconds
        await asyncio.gather(*(editor_loop(e, pages[e.idx], start, deadline, timeout_ms) for e in ready))
        info["window_s"] = time.perf_counter() - start
        info["window_end_wall"] = time.time()
        cpu1, machine1 = cpu_seconds_tree(server.proc.pid), machine_cpu()
        info["client_cpu_s"] = client_cpu_seconds(server.proc.pid) - client0
        procs1 = cpu_by_process(server.proc.pid)
        kinds: dict[str, list[float]] = {}
        for pid, (kind, sec) in procs1.items():
            kinds.setdefault(kind, []).append(sec - procs0.get(pid, (kind, 0.0))[1])
        kinds.setdefault("this script (asyncio Playwright client)", []).append(sum(os.times()[:2]) - self_cpu0)
        info["cpu_kinds"] = kinds
        info["server_cpu_s"] = cpu1 - cpu0
        info["server_cpu_pct"] = 100 * (cpu1 - cpu0) / info["window_s"]
        busy = machine1[0] - machine0[0]
        total = machine1[1] - machine0[1]
        info["machine_busy_pct"] = 100 * busy / total if total else float("nan")
        info["rss_end"] = sampler.current()
        sampler.phase = "closing"
        for c in contexts:
            await c.close()
        await browser.close()
    return editors, info


def cpu_seconds_tree(pid: int) -> float:
    return sum(cpu_seconds(p) for p in descendants(pid))


def process_kind(pid: int, server: set[int]) -> str:
    if pid in server:
        return "server"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if "chromium" in cmd:
        if "--type=" in cmd:
            kind = cmd.split("--type=", 1)[1].split()[0]
            if kind == "utility" and "--utility-sub-type=" in cmd:
                kind += ":" + cmd.split("--utility-sub-type=", 1)[1].split()[0].split(".")[0]
            return f"chromium {kind}"
        return "chromium browser"
    if "playwright" in cmd or "node" in cmd:
        return "playwright driver"
    return cmd.split()[0].rsplit("/", 1)[-1] if cmd else "?"


def cpu_by_process(server_pid: int) -> dict[int, tuple[str, float]]:
    """pid → (kind, CPU seconds so far) for the server and client trees (not this Python process)."""
    server = set(descendants(server_pid))
    return {p: (process_kind(p, server), cpu_seconds(p)) for p in descendants(os.getpid()) if p != os.getpid()}


def client_cpu_seconds(server_pid: int) -> float:
    """CPU seconds used so far by the live client processes (Playwright driver, Chromium)."""
    server = set(descendants(server_pid))
    return sum(cpu_seconds(p) for p in descendants(os.getpid()) if p != os.getpid() and p not in server)


# ---------------------------------------------------------------------------------------------
# Verification and report


def verify(db_url: str, editors: list[EditorState]) -> dict:
    from core.store import Store  # noqa: PLC0415

    store = Store.open(db_url)
    hist = store.all_changes(entity="measure")
    current = {r["measure_id"]: r for r in store.measures(include_deleted=True).to_dict("records")}
    saved_values = {(h["entity_id"], h["field"], h["new_value"]) for h in hist}
    any_row = {(h["field"], h["new_value"]) for h in hist}
    lost = [(e.idx, mid, v) for e in editors for mid, v in e.confirmed if (FIELD, v) not in any_row]
    wrong_row = [
        (e.idx, mid, v)
        for e in editors
        for mid, v in e.confirmed
        if (FIELD, v) in any_row and (mid, FIELD, v) not in saved_values
    ]
    given_up_present = [(e.idx, mid, v) for e in editors for mid, v in e.given_up if (mid, FIELD, v) in saved_values]
    unknown_present = sum(1 for e in editors for mid, v in e.unknown if (mid, FIELD, v) in saved_values)
    # each edited cell's history must chain: old value of change k = new value of change k-1;
    # and the stored value must be the last recorded new value
    chain_breaks = []
    by_cell: dict[tuple[str, str], list] = {}
    for h in hist:
        if h["action"] == "update":
            by_cell.setdefault((h["entity_id"], h["field"]), []).append(h)
    for (mid, fld), rows in by_cell.items():
        for prev, nxt in zip(rows, rows[1:], strict=False):
            if prev["new_value"] != nxt["old_value"]:
                chain_breaks.append((mid, fld, nxt["change_id"]))
        if str(current[mid][fld]) != rows[-1]["new_value"]:
            chain_breaks.append((mid, fld, "stored value differs from the last change"))
    store.close()
    return {
        "history_rows": len(hist),
        "cells": len(by_cell),
        "lost": lost,
        "wrong_row": wrong_row,
        "given_up_present": given_up_present,
        "unknown_present": unknown_present,
        "chain_breaks": chain_breaks,
    }


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(q / 100 * len(s) + 0.5)) - 1))  # nearest rank
    return s[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--editors", type=int, default=30, help="concurrent editors (browser contexts)")
    ap.add_argument("--seconds", type=float, default=60, help="length of the editing window")
    ap.add_argument("--share", type=int, default=3, help="editors per team sharing one cell")
    ap.add_argument("--load-concurrency", type=int, default=3, help="editors opening the page at a time")
    ap.add_argument("--timeout", type=float, default=90, help="bound on every single wait, seconds")
    ap.add_argument(
        "--client-nice",
        type=int,
        default=0,
        help="run Chromium at this nice level (default 0 = same priority as the server; on a 2-CPU "
        "machine a higher value starves the browsers, which are the bottleneck)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary DB and server log")
    args = ap.parse_args()
    if not 1 <= args.editors <= 60 or not 5 <= args.seconds <= 900 or not 1 <= args.share <= 10:
        ap.error("keep --editors 1–60, --seconds 5–900, --share 1–10")
    if not 0 <= args.client_nice <= 19:
        ap.error("--client-nice takes 0–19")
    if not Path(CHROMIUM).exists():
        ap.error(f"{CHROMIUM} not found (apt-get install chromium)")

    from core.plan.loader import load_plan  # noqa: PLC0415

    plan = load_plan()
    actors = [a.actor_id for a in plan.actors]
    tmp = Path(tempfile.mkdtemp(prefix="bench_load_"))
    args.tmp = tmp
    db_url = f"sqlite:///{tmp / 'load.db'}"
    load_before = os.getloadavg()
    t_all = time.time()
    fingerprint = code_fingerprint()
    put_plan_in_force(db_url)  # the sessions edit: data/'s plan has ended (read-only)
    server = AppServer(db_url, {"KYMLAPSET_EDITOR_PASSCODE": ""}, tmp / "server.log").start()
    sampler = Sampler(server.proc.pid)
    sampler.start()
    rss_idle = sampler.current()
    try:
        editors, info = asyncio.run(run_browsers(args, server, sampler, actors))
    finally:
        sampler.stop_event.set()
        sampler.join(timeout=5)
        server.stop()
    result = verify(db_url, editors)

    # ---- figures
    window = info["window_s"]
    ev = [e for ed in editors for e in ed.events]
    attempts = [e for e in ev if e.kind in ("save", "keep_mine") and e.outcome in ("saved", "conflict")]
    saved = [e for e in attempts if e.outcome == "saved"]
    conflicts = [e for e in attempts if e.outcome == "conflict"]
    lat = [e.latency for e in attempts]
    lat_saved = [e.latency for e in saved]
    lat_conflict = [e.latency for e in conflicts]
    settle = [e.settled for e in attempts]
    edits = [e for e in ev if e.kind == "edit"]
    errors = [e for e in ev if e.kind == "error" or (e.kind != "edit" and e.outcome in ("other", "pending"))]
    keep_mine = sum(1 for e in ev if e.kind == "keep_mine")
    keep_theirs = sum(1 for e in ev if e.kind == "keep_theirs")
    confirmed = sum(len(e.confirmed) for e in editors)
    given_up = sum(len(e.given_up) for e in editors)
    unknown = sum(len(e.unknown) for e in editors)
    win_peak = max(
        (mb for t, mb in sampler.samples if info["window_start_wall"] <= t <= info["window_end_wall"]),
        default=float("nan"),
    )
    peak = max((mb for _, mb in sampler.samples), default=float("nan"))
    client_peak = max((mb for _, mb in sampler.client), default=float("nan"))
    lost = len(result["lost"])
    mem_ok = peak <= MEMORY_TARGET_MB
    lost_ok = lost == 0
    ready = info["ready"]

    def f(x: float, d: int = 2) -> str:
        return "—" if x != x else f"{x:.{d}f}"  # noqa: PLR0124

    print()
    print(f"## Load test: {ready} concurrent editors in Chromium, {args.seconds:g} s editing window")
    print()
    now_fp = code_fingerprint()
    print(
        f"Code fingerprint {fingerprint} (sha256 of app.py, pages/, ui/, core/)"
        + (f"; CHANGED during the run, now {now_fp}" if now_fp != fingerprint else "")
        + "."
    )
    print(
        f"Machine: {os.cpu_count()} CPUs, load average before {load_before[0]:.2f}; server `python -m streamlit "
        f"run app.py` on 127.0.0.1, SQLite in a temp dir; {args.editors} browser contexts in one Chromium, teams "
        f"of {args.share} sharing a cell, each on `/toimenpiteet?toimija=…` (two actors), Chromium at nice "
        f"{args.client_nice}; pages opened "
        f"{args.load_concurrency} at a time ({f(info['load_all_s'], 1)} s for all, median "
        f"{f(statistics.median([e.load_s for e in editors if e.load_s == e.load_s] or [float('nan')]), 1)} s each)."
    )
    print()
    print("| Measure | Value | Target | Result |")
    print("|---|---:|---|---|")
    print(f"| Editors (browser contexts) | {ready} of {args.editors} | | |")
    print(f"| Editing window (until the last editor finished) | {f(window, 1)} s | | |")
    print(f"| Save attempts (Tallenna + Pidä oma arvoni) | {len(attempts)} | | |")
    print(f"| Saves/s (attempts / window) | {f(len(attempts) / window)} | | |")
    print(f"| Committed saves/s | {f(len(saved) / window)} | | |")
    print(
        f"| Save latency p50 / p95, click → saved or conflict message | {f(pct(lat, 50))} / {f(pct(lat, 95))} s | | |"
    )
    print(f"| … saved only p50 / p95 | {f(pct(lat_saved, 50))} / {f(pct(lat_saved, 95))} s | | |")
    print(f"| … conflict only p50 / p95 | {f(pct(lat_conflict, 50))} / {f(pct(lat_conflict, 95))} s | | |")
    print(f"| Click → rerun finished p50 / p95 | {f(pct(settle, 50))} / {f(pct(settle, 95))} s | | |")
    print(
        f"| Conflicts detected (chooser shown) | {len(conflicts)} | > 0 (sanity: cells are shared) | "
        f"{'PASS' if conflicts else 'FAIL'} |"
    )
    print(f"| … resolved with Pidä oma arvoni / Käytä tallennettua arvoa | {keep_mine} / {keep_theirs} | | |")
    print(f"| Values confirmed saved in the browser | {confirmed} | | |")
    print(f"| LOST UPDATES (confirmed but not in `changes`) | {lost} | 0 | {'PASS' if lost_ok else 'FAIL'} |")
    print(
        f"| … found under another row than the editor's (should be 0) | {len(result['wrong_row'])} | 0 | "
        f"{'PASS' if not result['wrong_row'] else 'FAIL'} |"
    )
    print(
        f"| History chain breaks (old ≠ previous new, or stored ≠ last) | {len(result['chain_breaks'])} | 0 | "
        f"{'PASS' if not result['chain_breaks'] else 'FAIL'} |"
    )
    print(
        f"| Server peak memory (RSS incl. children), whole run | {f(peak, 0)} MB | ≤ {MEMORY_TARGET_MB:g} MB | "
        f"{'PASS' if mem_ok else 'FAIL'} |"
    )
    print(f"| … during the editing window ({ready} sessions) | {f(win_peak, 0)} MB | | |")
    print()
    print("Details:")
    print(
        f"- server RSS: {f(rss_idle, 0)} MB at start, {f(info['rss_after_warmup'], 0)} MB after the warm-up, "
        f"{f(info['rss_loaded'], 0)} MB with all pages open, {f(info['rss_end'], 0)} MB at the end; "
        f"peaks per phase: " + ", ".join(f"{k} {f(v, 0)} MB" for k, v in sampler.phase_peaks.items())
    )
    nominal_end = info["window_start_wall"] + args.seconds
    print(
        f"- server CPU during the window: {f(info['server_cpu_pct'], 0)} % of one core; whole machine busy "
        f"{f(info['machine_busy_pct'], 0)} % over the window, "
        f"{f(sampler.busy_pct(info['window_start_wall'], nominal_end), 0)} % in its first {args.seconds:g} s "
        f"(all editors active), {f(sampler.busy_pct(nominal_end, info['window_end_wall']), 0)} % in the tail "
        f"while the last waits finish (Chromium, Playwright and the server share {os.cpu_count()} CPUs)"
    )
    n_actions = max(1, len(attempts) + len(edits))
    print(
        f"- CPU seconds during the window: server {f(info['server_cpu_s'], 0)}, browsers + Playwright "
        f"{f(info['client_cpu_s'], 0)} (≈ {f(info['client_cpu_s'] / n_actions, 1)} s per edit or save, "
        f"server ≈ {f(info['server_cpu_s'] / n_actions, 2)} s)"
    )
    w = info["window_s"]
    print(
        "- CPU by process during the window (seconds; % of one core; busiest single process): "
        + "; ".join(
            f"{k} ×{len(v)} {sum(v):.0f} s ({100 * sum(v) / w:.0f} %, max {100 * max(v) / w:.0f} %)"
            for k, v in sorted(info["cpu_kinds"].items(), key=lambda kv: -sum(kv[1]))
        )
    )
    print(
        f"- client side (Playwright driver + Chromium) peak PSS {f(client_peak, 0)} MB; lowest MemAvailable "
        f"{f(sampler.mem_avail_min, 0)} MB"
    )
    print(
        f"- edits typed {len(edits)} (dblclick → pending notice p50 {f(pct([e.latency for e in edits], 50))} s); "
        f"given up after a conflict {given_up} (of which found saved anyway: {len(result['given_up_present'])}); "
        f"typed but unconfirmed at a timeout/the end {unknown} (found saved: {result['unknown_present']})"
    )
    print(
        f"- errors/timeouts {len(errors)}, page reloads {sum(e.reloads for e in editors)}; history rows "
        f"{result['history_rows']} over {result['cells']} cells; load average after "
        f"{os.getloadavg()[0]:.2f}; total run {time.time() - t_all:.0f} s"
    )
    for e in errors[:8]:
        print(f"  - editor {e.editor} at {e.t:.1f} s: {e.kind} → {e.outcome}")
    for ed in editors:
        if ed.error:
            print(f"  - editor {ed.idx}: {ed.error}")
    for item in result["lost"][:20]:
        print(f"  - LOST: editor {item[0]} {item[1]} {item[2]!r}")
    for item in result["chain_breaks"][:20]:
        print(f"  - CHAIN BREAK: {item}")
    ok = lost_ok and mem_ok and not result["chain_breaks"] and not result["wrong_row"] and ready == args.editors
    print(
        f"\nOverall: {'PASS' if ok else 'FAIL'} (lost updates {lost}, peak {f(peak, 0)} MB ≤ {MEMORY_TARGET_MB:g} MB: "
        f"{'yes' if mem_ok else 'no'}, editors ready {ready}/{args.editors})"
    )
    if args.keep:
        print(f"kept: {tmp}")
    else:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
