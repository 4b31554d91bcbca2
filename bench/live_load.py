"""Workshop capacity: many live sessions on one server, measured at Streamlit's protocol level.

A workshop of 60 participants keeps the Toimenpiteet page open while some of them save edits;
every page should show the others' saves within seconds. Real browsers on a 2-core machine
measure browser queueing more than the server (see bench/load.py), so most sessions here are
browserless: each speaks Streamlit's own protocol (``BackMsg``/``ForwardMsg`` protobufs from the
``streamlit`` package) over the ``/_stcore/stream`` WebSocket, like the frontend does:

- it asks for the page (``rerun_script`` with ``page_name`` ``toimenpiteet`` and the query
  string), then reruns it every ``--rerun-min``–``--rerun-max`` s with the page's
  ``page_script_hash`` (interaction time = rerun sent → ``script_finished``);
- it answers the server's ``auto_rerun`` messages as the frontend does: a ``st.fragment
  (run_every=…)`` makes the server send ``auto_rerun`` and the client then sends a fragment
  rerun (``fragment_id``, ``is_auto_rerun``) every interval. This is how the live update works
  (the fragment sees a new ``data_version`` and reruns the app); without such a fragment a
  session sees a save at its own next rerun;
- it scans every message it receives for the savers' unique tokens (the AgGrid component's
  arguments carry the rows, measure texts included) and notes when it first saw each.

``--savers`` of the protocol sessions also save: every ``--save-every`` s (±50 %) each writes a
new token into the Toimenpide text of one of its own measures through ``core.store.Store`` on
the server's database, with the version it read, and retries after a ConflictError (re-read).
``--browsers`` real Chromium editors (Playwright, Debian's /usr/bin/chromium) type tokens into
the grid on ``/toimenpiteet?toimija=…`` and press "Tallenna muutokset", as in bench/load.py. An
editor page that Streamlit's frontend breaks (a page error: the page turns white and loses its
connection) fails the run; bench/page_trace.py keeps what each page saw.

Reported: server peak memory (RSS of the streamlit process tree, sampled every 0.5 s; target
≤ 690 MB, Community Cloud's smallest app), time from a confirmed save to its first appearance in
each other session, p50/p95 (target p95 ≤ 3 s up to 60 sessions, ≤ 5 s for 120), interaction time
p50/p95 (target p95 ≤ 2 s up to 60 sessions), with ``--pdf [N]`` the rise of that p95 for saves made
while a viewer's PDF report was being made (target ≤ 0.5 s; beside it the same rise for windows as
long without a report, the figure's noise), lost updates (a save
confirmed to a saver or shown as saved in a browser that is missing from the ``changes`` history,
or a measure whose stored text is not its last confirmed save; target 0), and the machine's load
(``/proc/loadavg``, CPU busy %, CPU seconds of the server and of this client) during the run.
Everything is on 127.0.0.1, in a temporary SQLite database; every loop and wait is bounded.

    .venv/bin/python bench/live_load.py                    # 60 sessions, 10 savers, 2 browsers, 300 s
    .venv/bin/python bench/live_load.py --quick            # 10 sessions, 2 savers, 1 browser, 30 s
    .venv/bin/python bench/live_load.py --trace /tmp/trace # a failed editor step writes what its page saw
    .venv/bin/python bench/live_load.py --pdf              # the default, one PDF report in the middle
    .venv/bin/python bench/live_load.py --pdf 0            # … PDF reports back to back from the middle
    .venv/bin/python bench/live_load.py --idle-burn 20     # no report: 20 s of idle-priority CPU burn (the rise's baseline)
    .venv/bin/python bench/live_load.py --sessions 120 --browsers 0
    .venv/bin/python bench/live_load.py --sessions 30 --seconds 120 --browsers 0
    # through a running cluster (deploy/cluster.sh prints these three):
    .venv/bin/python bench/live_load.py --browsers 0 --url http://127.0.0.1:8580 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:54339/lapset --server-pid 12345
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import load as browser_load  # noqa: E402 - bench/load.py: /proc sampling, grid helpers

from bench.page_trace import PageTrace  # noqa: E402 - what a Chromium page saw
from bench.server import AppServer, put_plan_in_force  # noqa: E402 - the app on a free port (shared with the browser tests)

MEMORY_TARGET_MB = 690.0
# Issue #20: a workshop of up to 60 sessions sees a save within 3 s (p95) and answers a click within 2 s
# (p95); 120 sessions within 5 s. A PDF report made during the run raises the others' p95 by ≤ 0.5 s.
LATENCY_TARGET_S = 3.0
LATENCY_TARGET_LARGE_S = 5.0
LARGE_FROM = 61
INTERACTION_TARGET_S = 2.0
PDF_RISE_TARGET_S = 0.5
PAGE = "toimenpiteet"
FIELD = "toimenpide"
RUN_TAG = secrets.token_hex(3)
TOKEN_RE = re.compile(rb"LL" + RUN_TAG.encode() + rb"x[0-9]{2,3}n[0-9]{4}")

# script_finished values (ForwardMsg.ScriptFinishedStatus)
FINISHED_OK, FINISHED_COMPILE_ERROR, FINISHED_EARLY, FINISHED_FRAGMENT = 0, 1, 2, 3


def token(writer: int, n: int) -> str:
    """A unique, searchable word: LL<run>x<writer>n<count>."""
    return f"LL{RUN_TAG}x{writer:02d}n{n:04d}"


@dataclass
class Session:
    """One browserless session and what it saw."""

    idx: int
    saver: bool
    page_hash: str = ""
    ready_at: float = float("nan")  # perf_counter when the first full run finished
    load_s: float = float("nan")
    grid_seen: bool = False
    interactions: list[float] = field(default_factory=list)  # rerun sent → script_finished (s)
    runs: list[tuple[float, float]] = field(default_factory=list)  # (sent, finished) of its own reruns
    timeouts: int = 0
    fragment_runs: int = 0  # auto reruns sent (live-update fragment)
    app_runs: int = 0  # full runs finished (asked for or not)
    seen: dict[str, float] = field(default_factory=dict)  # token → perf_counter first seen
    # token → how it came first: "asked" (in a rerun this session had asked for and not yet seen end) or
    # "live" (in a run the server started: a live-update push, or the page's own poll)
    via: dict[str, str] = field(default_factory=dict)
    asking_since: float | None = None  # perf_counter of the own rerun in flight (None: none)
    bytes_in: int = 0
    msgs_in: int = 0
    error: str = ""
    closed_at: float = float("nan")
    recent: list[str] = field(default_factory=list)  # last message kinds (shown for a rerun that timed out)
    timeout_notes: list[str] = field(default_factory=list)
    cached: set[str] = field(default_factory=set)  # hashes of cacheable messages received (the frontend's cache)
    refs_in: int = 0  # messages the server sent as a reference to one cached here


@dataclass
class Save:
    """One confirmed save: who, which measure, the text, when it was confirmed."""

    writer: str
    measure_id: str
    text: str
    token: str
    confirmed_at: float


@dataclass
class Window:
    """The measuring window, shared by every loop: ``end`` moves to start + seconds when it opens."""

    end: float
    start: float = float("nan")


@dataclass
class Run:
    sessions: list[Session] = field(default_factory=list)
    pdf_builds: list[tuple[float, float]] = field(default_factory=list)  # (asked, ready) of each PDF report
    pdf_errors: list[str] = field(default_factory=list)
    saves: list[Save] = field(default_factory=list)
    save_conflicts: int = 0
    save_errors: list[str] = field(default_factory=list)
    browser_events: list[tuple[str, float, str]] = field(default_factory=list)  # (kind, seconds, outcome)
    browser_errors: list[str] = field(default_factory=list)
    traces: list = field(default_factory=list)  # PageTrace of each Chromium editor page
    browser_unconfirmed: list[tuple[str, str]] = field(default_factory=list)
    load: list[tuple[float, float]] = field(default_factory=list)  # (wall time, 1-min loadavg)
    browsers_ready: int = 0
    browsers_done: int = 0  # ready or failed to load


# ---------------------------------------------------------------------------------------------
# The protocol client


def rerun_msg(
    page_hash: str,
    page_name: str,
    query: str,
    fragment_id: str = "",
    auto: bool = False,
    cached: set[str] = frozenset(),
) -> bytes:
    """A BackMsg rerun_script as the frontend sends it (no widget changes), with the hashes of the large
    messages it keeps, so the server sends an unchanged element as a short reference, as to a browser."""
    from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: PLC0415

    msg = BackMsg()
    cs = msg.rerun_script
    cs.query_string = query
    cs.page_script_hash = page_hash
    cs.page_name = page_name if not page_hash else ""
    cs.widget_states.SetInParent()
    if fragment_id:
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
    cs.cached_message_hashes.extend(sorted(cached))
    cs.context_info.timezone = "Europe/Helsinki"
    cs.context_info.locale = "fi-FI"
    return msg.SerializeToString()


async def session_loop(
    s: Session, ws_url: str, query: str, args, start_gate: asyncio.Event, win: Window, connect_sem: asyncio.Semaphore
) -> None:
    """Connect, load the page, then rerun every few seconds until the deadline; all waits bounded."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: PLC0415
    from websockets.asyncio.client import connect  # noqa: PLC0415

    finished = asyncio.Event()
    fragments: dict[str, asyncio.Task] = {}
    timeout = args.timeout

    async def send(ws, data: bytes) -> None:
        await asyncio.wait_for(ws.send(data), timeout)

    async def fragment_timer(ws, fragment_id: str, interval: float) -> None:
        while time.perf_counter() < win.end:
            await asyncio.sleep(max(0.2, interval))
            s.fragment_runs += 1
            await send(ws, rerun_msg(s.page_hash, PAGE, query, fragment_id, auto=True, cached=s.cached))

    async def reader(ws) -> None:
        async for raw in ws:
            now = time.perf_counter()
            if isinstance(raw, str):
                continue
            s.bytes_in += len(raw)
            s.msgs_in += 1
            for m in TOKEN_RE.findall(raw):
                if m.decode() not in s.seen:
                    s.seen[m.decode()] = now
                    s.via[m.decode()] = "asked" if s.asking_since is not None else "live"
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                s.cached.add(msg.hash)  # the frontend keeps such a message and names it in its next rerun
            elif kind == "ref_hash":
                s.refs_in += 1
            s.recent = [*s.recent[-5:], f"{kind}{'=' + str(msg.script_finished) if kind == 'script_finished' else ''}"]
            if kind == "navigation":  # st.navigation: the page that ran (as the frontend keeps it)
                s.page_hash = msg.navigation.page_script_hash or s.page_hash
            elif kind == "delta" and not s.grid_seen and b"st_aggrid" in raw:
                s.grid_seen = True
            elif kind == "auto_rerun":
                fid, interval = msg.auto_rerun.fragment_id, float(msg.auto_rerun.interval)
                if fid and fid not in fragments:
                    fragments[fid] = asyncio.create_task(fragment_timer(ws, fid, interval))
            elif kind == "stop_auto_rerun":
                for fid in msg.stop_auto_rerun.fragment_ids:
                    task = fragments.pop(fid, None)
                    if task:
                        task.cancel()
            elif kind == "script_finished" and msg.script_finished in (FINISHED_OK, FINISHED_COMPILE_ERROR):
                s.app_runs += 1
                finished.set()

    ws = read_task = None
    try:
        async with connect_sem:
            ws = await asyncio.wait_for(
                connect(
                    ws_url,
                    subprotocols=["streamlit"],
                    max_size=None,
                    ping_interval=None,
                    open_timeout=timeout,
                    close_timeout=5,
                ),
                timeout,
            )
            read_task = asyncio.create_task(reader(ws))
            t0 = time.perf_counter()
            finished.clear()
            await send(ws, rerun_msg("", PAGE, query))
            await asyncio.wait_for(finished.wait(), timeout)
            s.load_s = time.perf_counter() - t0
            s.ready_at = time.perf_counter()
        await asyncio.wait_for(start_gate.wait(), max(1.0, win.end - time.perf_counter()))
        while time.perf_counter() < win.end and not read_task.done():
            await asyncio.sleep(random.uniform(args.rerun_min, args.rerun_max))  # noqa: S311
            if time.perf_counter() >= win.end:
                break
            finished.clear()
            t0 = s.asking_since = time.perf_counter()
            await send(ws, rerun_msg(s.page_hash, PAGE, query, cached=s.cached))
            try:
                await asyncio.wait_for(finished.wait(), timeout)
                s.interactions.append(time.perf_counter() - t0)
                s.runs.append((t0, time.perf_counter()))
            except TimeoutError:
                s.timeouts += 1
                s.timeout_notes.append(", ".join(s.recent))
            finally:
                s.asking_since = None
        if read_task.done() and not read_task.cancelled() and read_task.exception():
            s.error = f"connection: {type(read_task.exception()).__name__}"
    except Exception as exc:  # noqa: BLE001 - one broken session is a figure, not the end of the run
        s.error = s.error or f"{type(exc).__name__}: {str(exc)[:120]}"
    finally:
        s.closed_at = time.perf_counter()
        for task in fragments.values():
            task.cancel()
        if read_task is not None:
            read_task.cancel()
        if ws is not None:
            try:
                await asyncio.wait_for(ws.close(), 10)
            except Exception:  # noqa: BLE001, S110 - closing a broken connection
                pass


# ---------------------------------------------------------------------------------------------
# Savers through the store, and real Chromium editors


def saver_measures(db_url: str, savers: int, per_saver: int, avoid_actors: set[str]) -> list[list[tuple[str, str]]]:
    """Each saver's own measures (id, original text), from actors the browsers do not edit."""
    from core.store import Store  # noqa: PLC0415

    store = Store.open(db_url)
    df = store.measures()
    store.close()
    df = df[(df["row_kind"] == "measure") & ~df["actor_id"].isin(avoid_actors)].sort_values("measure_id")
    rows = list(zip(df["measure_id"], df[FIELD], strict=True))
    random.Random(7).shuffle(rows)
    need = savers * per_saver
    if len(rows) < need:
        raise SystemExit(f"only {len(rows)} measures for {savers} savers × {per_saver}")
    return [rows[i * per_saver : (i + 1) * per_saver] for i in range(savers)]


async def saver_loop(
    i: int, store, own: list[tuple[str, str]], run: Run, args, start_gate: asyncio.Event, win: Window
) -> None:
    """Save a new token into one of this saver's measures every --save-every s (±50 %)."""
    from core.store import ConflictError, Editor, MeasureEdit  # noqa: PLC0415

    editor = Editor(f"Kuormitus {i:02d}")
    n = 0
    await asyncio.wait_for(start_gate.wait(), max(1.0, win.end - time.perf_counter()))
    await asyncio.sleep(random.uniform(0, args.save_every))  # noqa: S311 - savers out of step
    while time.perf_counter() < win.end - 1:
        mid, original = own[n % len(own)]
        n += 1
        tok = token(i, n)
        text = f"{tok} {original}"[:3900]

        def save(mid: str = mid, text: str = text) -> bool:
            for _ in range(5):  # bounded: re-read after a conflict and try again
                version = int(store.measure(mid)["version"])
                try:
                    store.save_measure_edits([MeasureEdit(mid, version, {FIELD: text})], editor)
                    return True
                except ConflictError:
                    run.save_conflicts += 1
            return False

        try:
            ok = await asyncio.wait_for(asyncio.to_thread(save), args.timeout)
        except Exception as exc:  # noqa: BLE001
            run.save_errors.append(f"saver {i}: {type(exc).__name__}: {str(exc)[:100]}")
            ok = False
        if ok:
            run.saves.append(Save(f"saver {i}", mid, text, tok, time.perf_counter()))
        await asyncio.sleep(args.save_every * random.uniform(0.5, 1.5))  # noqa: S311


async def browser_editor(i: int, browser, url: str, run: Run, args, start_gate: asyncio.Event, win: Window) -> None:
    """A real Chromium editor on its own grid rows: type a token, save, note when "saved" shows."""
    timeout_ms = args.timeout * 1000
    ctx = await browser.new_context(viewport={"width": 1500, "height": 1000})
    try:
        await ctx.add_init_script(browser_load.INIT_JS)
        page = await ctx.new_page()
        traced = PageTrace(page, f"editor{i}")
        run.traces.append(traced)
        ed = browser_load.EditorState(idx=i, team=0, member=1, url=url)
        try:
            await browser_load.open_measures(ed, page, timeout_ms)
            run.browsers_ready += 1
        finally:
            run.browsers_done += 1
        rows = sorted(ed.rows)
        await asyncio.wait_for(start_gate.wait(), max(1.0, win.end - time.perf_counter()))
        n = 0
        while time.perf_counter() < win.end - 2:
            await asyncio.sleep(args.save_every * random.uniform(0.5, 1.5) * (0.3 if n == 0 else 1))  # noqa: S311
            row = rows[n % len(rows)]
            n += 1
            mid = ed.rows[row]
            tok = token(90 + i, n)
            value = f"{tok} selaimesta"
            try:
                await browser_load.cell(page, row, FIELD).dblclick(timeout=timeout_ms)
                box = browser_load.cell_editor(page)
                await box.wait_for(state="visible", timeout=timeout_ms)
                done0 = (await browser_load.state_of(page))["done"]
                await box.fill(value, timeout=timeout_ms)
                await box.press("Tab", timeout=timeout_ms)
                await page.wait_for_function(browser_load.PENDING_JS, arg=done0, polling=250, timeout=timeout_ms)
                await browser_load.wait_idle(page, timeout_ms)
                done0 = (await browser_load.state_of(page))["done"]
                t0 = time.perf_counter()
                await page.get_by_role("button", name=browser_load.SAVE_BTN).click(timeout=timeout_ms)
                outcome, latency, _settled = await browser_load.wait_outcome(page, done0, False, t0, timeout_ms)
                run.browser_events.append(("save", latency, outcome))
                if outcome == "saved":
                    run.saves.append(Save(f"browser {i}", mid, value, tok, t0 + latency))
                else:
                    run.browser_unconfirmed.append((mid, value))
                    if outcome == "conflict":  # not expected (own rows): give the value up and go on
                        await page.get_by_role("button", name=browser_load.KEEP_THEIRS).first.click(timeout=timeout_ms)
                        await browser_load.wait_idle(page, timeout_ms)
            except Exception as exc:  # noqa: BLE001 - note it, reload the page, go on
                run.browser_errors.append(f"browser {i}: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
                if args.trace:
                    written = await traced.write(Path(args.trace), str(exc).splitlines()[0][:200])
                    run.browser_errors.append(f"  what the page saw: {written}")
                run.browser_unconfirmed.append((mid, value))
                if time.perf_counter() >= win.end - 2:
                    break
                await browser_load.open_measures(ed, page, timeout_ms)
    except Exception as exc:  # noqa: BLE001
        run.browser_errors.append(f"browser {i} stopped: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
    finally:
        await ctx.close()


async def pdf_maker(browser, url: str, run: Run, args, start_gate: asyncio.Event, win: Window) -> None:
    """A viewer on Raportit makes goal reports (HTML + PDF + PNG) from the middle of the window: ``--pdf N``
    of them one after another (0: until the window ends), so saves confirmed while a report is being
    made compare with the others."""
    timeout_ms = args.timeout * 1000
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        page = await ctx.new_page()
        await page.goto(f"{url}/raportit", timeout=timeout_ms)
        await browser_load.wait_idle(page, timeout_ms)
        await asyncio.wait_for(start_gate.wait(), max(1.0, win.end - time.perf_counter()))
        await asyncio.sleep(max(0.0, win.start + args.seconds / 2 - time.perf_counter()))
        n = 0
        while time.perf_counter() < win.end - 5 and (args.pdf == 0 or n < args.pdf):
            box = page.get_by_test_id("stMainBlockContainer").get_by_role("combobox").first
            await box.click(timeout=timeout_ms)
            options = page.get_by_role("option")
            await options.nth(n % max(1, await options.count())).click(timeout=timeout_ms)
            n += 1
            await browser_load.wait_idle(page, timeout_ms)
            t0 = time.perf_counter()
            await page.get_by_role("button", name="Tee raportti").click(timeout=timeout_ms)
            pdf_button = page.get_by_test_id("stDownloadButton").filter(has_text="PDF")
            await pdf_button.first.wait_for(state="visible", timeout=timeout_ms)
            run.pdf_builds.append((t0, time.perf_counter()))
    except Exception as exc:  # noqa: BLE001 - noted in the report
        run.pdf_errors.append(f"PDF maker: {type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
    finally:
        await ctx.close()


async def idle_burner(run: Run, args, start_gate: asyncio.Event, win: Window) -> None:
    """``--idle-burn S``: from the middle of the window a process outside the app keeps one CPU busy
    for S seconds at Linux idle priority (as the reports' Chromium runs), measured as a report would
    be: what work that only takes spare processor time costs the others on this machine."""
    await asyncio.wait_for(start_gate.wait(), max(1.0, win.end - time.perf_counter()))
    await asyncio.sleep(max(0.0, win.start + args.seconds / 2 - time.perf_counter()))
    loop = f"import time\nend = time.monotonic() + {args.idle_burn}\nwhile time.monotonic() < end: pass"
    t0 = time.perf_counter()
    proc = await asyncio.create_subprocess_exec("chrt", "--idle", "0", sys.executable, "-c", loop)
    await proc.wait()
    run.pdf_builds.append((t0, time.perf_counter()))


# ---------------------------------------------------------------------------------------------
# The run


async def run_all(args, server, db_url: str, sampler, info: dict) -> Run:
    """Connect every session, open the browsers, then run the window; every wait bounded."""
    from core.plan.loader import load_plan  # noqa: PLC0415
    from core.store import Store  # noqa: PLC0415

    run = Run()
    actors = [a.actor_id for a in load_plan().actors]
    browser_actors = actors[: args.browsers]
    own = saver_measures(db_url, args.savers, args.per_saver, set(browser_actors))
    store = Store.open(db_url)
    ws_url = server.url.replace("http://", "ws://") + "/_stcore/stream"
    start_gate = asyncio.Event()
    connect_sem = asyncio.Semaphore(args.connect_concurrency)
    setup_end = time.perf_counter() + args.timeout * (2 + args.sessions / args.connect_concurrency)
    win = Window(end=setup_end + args.seconds)
    run.sessions = [Session(i, i < args.savers) for i in range(args.sessions)]

    async def load_sampler() -> None:
        while time.perf_counter() < win.end + 5:
            run.load.append((time.time(), os.getloadavg()[0]))
            await asyncio.sleep(1)

    sampler_task = asyncio.create_task(load_sampler())
    sampler.phase = "connecting"
    t_connect = time.perf_counter()
    tasks = [
        asyncio.create_task(session_loop(s, ws_url, args.query, args, start_gate, win, connect_sem))
        for s in run.sessions
    ]

    pw_cm = browser = None
    browser_tasks: list[asyncio.Task] = []
    if args.browsers:
        from playwright.async_api import async_playwright  # noqa: PLC0415

        pw_cm = async_playwright()
        pw = await pw_cm.__aenter__()
        browser = await pw.chromium.launch(executable_path=browser_load.CHROMIUM, args=browser_load.CHROMIUM_ARGS)
        for i in range(args.browsers):
            url = f"{server.url}/{PAGE}?toimija={browser_actors[i]}"
            browser_tasks.append(asyncio.create_task(browser_editor(i, browser, url, run, args, start_gate, win)))
    if args.pdf is not None:
        if browser is None:
            from playwright.async_api import async_playwright  # noqa: PLC0415

            pw_cm = async_playwright()
            pw = await pw_cm.__aenter__()
            browser = await pw.chromium.launch(executable_path=browser_load.CHROMIUM, args=browser_load.CHROMIUM_ARGS)
        browser_tasks.append(asyncio.create_task(pdf_maker(browser, server.url, run, args, start_gate, win)))
    elif args.idle_burn:
        browser_tasks.append(asyncio.create_task(idle_burner(run, args, start_gate, win)))

    while time.perf_counter() < setup_end:  # every session loaded (or failed)
        done = sum(1 for s in run.sessions if s.ready_at == s.ready_at or s.error)
        if done >= args.sessions:
            break
        await asyncio.sleep(0.5)
    info["connect_s"] = time.perf_counter() - t_connect
    info["rss_loaded"] = sampler.current()
    browsers_end = time.perf_counter() + 2 * args.timeout
    while args.browsers and run.browsers_done < args.browsers and time.perf_counter() < browsers_end:
        await asyncio.sleep(0.5)  # the browsers' first page load (bounded)
    win.start = time.perf_counter()
    win.end = win.start + args.seconds
    info["window_start_wall"] = time.time()
    info["cpu0"] = (browser_load.cpu_seconds_tree(server.proc.pid), browser_load.machine_cpu(), sum(os.times()[:2]))
    sampler.phase = "window"
    start_gate.set()
    saver_tasks = [
        asyncio.create_task(saver_loop(i, store, own[i], run, args, start_gate, win)) for i in range(args.savers)
    ]
    await asyncio.wait([*tasks, *saver_tasks], timeout=args.seconds + args.timeout + 10)
    info["window_end"] = time.perf_counter()
    info["window_end_wall"] = time.time()
    info["cpu1"] = (browser_load.cpu_seconds_tree(server.proc.pid), browser_load.machine_cpu(), sum(os.times()[:2]))
    if browser_tasks:
        await asyncio.wait(browser_tasks, timeout=args.timeout + 10)
    for t in [*tasks, *saver_tasks, *browser_tasks, sampler_task]:
        t.cancel()
    info["rss_end"] = sampler.current()
    info["window"] = win
    if browser is not None:
        await browser.close()
        await pw_cm.__aexit__(None, None, None)
    store.close()
    return run


class RunningApp:
    """An app started elsewhere (``--url``): its address and the pid of its process tree; not stopped here."""

    def __init__(self, url: str, pid: int) -> None:
        self.url = url
        self.proc = type("Proc", (), {"pid": pid})()

    def stop(self) -> None:
        pass


def verify(db_url: str, saves: list[Save], unconfirmed: list[tuple[str, str]] = ()) -> dict:
    """Lost updates: every confirmed save in the history; every measure's stored text = its last confirmed save.

    A Chromium editor's save whose "saved" the bench did not see in time (``unconfirmed``) may still have
    landed after the last confirmed one: a measure whose stored text is such a later attempt, recorded in
    the history, is counted apart ("landed unconfirmed"), not as lost."""
    from core.store import Store  # noqa: PLC0415

    store = Store.open(db_url)
    hist = [(h["entity_id"], h["new_value"]) for h in store.all_changes(entity="measure", field=FIELD)]
    stored = {r["measure_id"]: r[FIELD] for r in store.measures(include_deleted=True).to_dict("records")}
    store.close()
    in_history = {(mid, v) for mid, v in hist}
    lost = [sv for sv in saves if (sv.measure_id, sv.text) not in in_history]
    last: dict[str, Save] = {}
    for sv in sorted(saves, key=lambda x: x.confirmed_at):
        last[sv.measure_id] = sv
    tried = set(unconfirmed)
    wrong = [(mid, sv) for mid, sv in last.items() if stored.get(mid) != sv.text]
    landed = [
        (mid, sv.token) for mid, sv in wrong if (mid, stored.get(mid)) in tried and (mid, stored.get(mid)) in in_history
    ]
    final_wrong = [(mid, sv.token) for mid, sv in wrong if (mid, sv.token) not in landed]
    return {
        "history_rows": len(hist),
        "lost": lost,
        "final_wrong": final_wrong,
        "landed_unconfirmed": landed,
        # of the unconfirmed attempts, those the history has all the same (the rest never reached the store)
        "unconfirmed_in_history": sorted(tried & in_history),
        "measures": len(last),
    }


def appearance(run: Run) -> dict:
    """Save → first seen, per (token, other session connected at the save), and what was never seen.

    A token is "missed" by a session when a full run that the session asked for after the save
    finished without it and before the measure was saved again ("superseded" otherwise); a
    session that did not look again before the end is left out.
    """
    latencies: list[float] = []
    at: list[float] = []  # when each latency's save was confirmed
    by_way: dict[str, list[float]] = {"asked": [], "live": []}  # the same latencies, by how the token came
    missed = superseded = not_looked = 0
    by_measure: dict[str, list[Save]] = {}
    for sv in sorted(run.saves, key=lambda x: x.confirmed_at):
        by_measure.setdefault(sv.measure_id, []).append(sv)
    next_save: dict[str, float] = {}
    for lst in by_measure.values():
        for a, b in zip(lst, lst[1:], strict=False):
            next_save[a.token] = b.confirmed_at
    for sv in run.saves:
        for s in run.sessions:
            if sv.writer == f"saver {s.idx}" or not s.ready_at <= sv.confirmed_at <= s.closed_at:
                continue  # only the other sessions, connected when the save was confirmed
            seen = s.seen.get(sv.token)
            if seen is not None:
                latencies.append(max(0.0, seen - sv.confirmed_at))
                at.append(sv.confirmed_at)
                by_way[s.via.get(sv.token, "live")].append(latencies[-1])
                continue
            later = [sent for sent, _fin in s.runs if sent > sv.confirmed_at]
            if not later:
                not_looked += 1
            elif next_save.get(sv.token, float("inf")) < later[0]:
                superseded += 1
            else:
                missed += 1
    return {
        "latencies": latencies,
        "at": at,
        "by_way": by_way,
        "missed": missed,
        "superseded": superseded,
        "not_looked": not_looked,
    }


def placebo_rises(
    lat: list[float], at: list[float], builds: list[tuple[float, float]], step: float = 5.0
) -> list[float]:
    """The report's rise measured the same way for windows as long as the builds that hold no report,
    every ``step`` seconds through the run: what the figure is without any report, its noise."""
    if not builds or not at:
        return []
    length = sum(b - a for a, b in builds) / len(builds)

    def building(t: float) -> bool:
        return any(a <= t <= b for a, b in builds)

    rises: list[float] = []
    start = min(at)
    while start + length <= max(at):
        end = start + length
        if not any(a <= end and start <= b for a, b in builds):
            inside = [x for x, t in zip(lat, at, strict=True) if start <= t <= end]
            rest = [x for x, t in zip(lat, at, strict=True) if not start <= t <= end and not building(t)]
            if len(inside) >= 100 and rest:
                rises.append(browser_load.pct(inside, 95) - browser_load.pct(rest, 95))
        start += step
    return rises


def main() -> int:  # noqa: PLR0915 - one report
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=60, help="browserless protocol sessions (default 60)")
    ap.add_argument("--savers", type=int, default=10, help="of them, sessions that also save through the store")
    ap.add_argument("--browsers", type=int, default=2, help="real Chromium editors saving in the grid (default 2)")
    ap.add_argument("--seconds", type=float, default=300, help="length of the measuring window (default 300)")
    ap.add_argument("--rerun-min", type=float, default=3.0, help="a session reruns every min–max s")
    ap.add_argument("--rerun-max", type=float, default=5.0)
    ap.add_argument("--save-every", type=float, default=10.0, help="mean seconds between one saver's saves")
    ap.add_argument("--per-saver", type=int, default=3, help="measures each saver cycles through")
    ap.add_argument("--query", default="", help="query string of the page (e.g. 'toimija=kymsote')")
    ap.add_argument("--connect-concurrency", type=int, default=5, help="sessions loading the page at a time")
    ap.add_argument("--timeout", type=float, default=60, help="bound on every single wait, seconds")
    ap.add_argument(
        "--pdf",
        type=int,
        nargs="?",
        const=1,
        default=None,
        help="a viewer makes N PDF reports one after another from the middle of the window (0: until its end)",
    )
    ap.add_argument(
        "--idle-burn",
        type=float,
        default=0,
        metavar="S",
        help="instead of a report, one CPU kept busy S seconds at idle priority from the middle (the rise's baseline)",
    )
    ap.add_argument("--quick", action="store_true", help="10 sessions, 2 savers, 1 browser, 30 s")
    ap.add_argument("--keep", action="store_true", help="keep the temporary DB and server log")
    ap.add_argument(
        "--trace",
        default="",
        help="folder: on a failed step a Chromium editor writes what its page saw (bench/page_trace.py)",
    )
    ap.add_argument("--url", default="", help="an app already running (e.g. the balancer of deploy/cluster.sh)")
    ap.add_argument("--database-url", default="", help="with --url: the store it uses (the savers write there)")
    ap.add_argument("--server-pid", type=int, default=0, help="with --url: the pid whose process tree is sampled")
    args = ap.parse_args()
    if args.quick:
        args.sessions, args.savers, args.browsers, args.seconds = 10, 2, 1, 30
    if not (
        1 <= args.sessions <= 200
        and 0 <= args.savers <= args.sessions
        and 0 <= args.browsers <= 5
        and 5 <= args.seconds <= 1800
        and 0.5 <= args.rerun_min <= args.rerun_max <= 120
        and 1 <= args.save_every <= 300
        and 1 <= args.per_saver <= 20
        and 1 <= args.connect_concurrency <= 60
        and 5 <= args.timeout <= 600
    ):
        ap.error(
            "keep --sessions 1–200, --savers ≤ sessions, --browsers 0–5, --seconds 5–1800, "
            "0.5 ≤ --rerun-min ≤ --rerun-max ≤ 120, --save-every 1–300, --timeout 5–600"
        )
    if args.browsers and not Path(browser_load.CHROMIUM).exists():
        ap.error(f"{browser_load.CHROMIUM} not found (apt-get install chromium), or use --browsers 0")

    if args.url and not (args.database_url and args.server_pid):
        ap.error("--url needs --database-url and --server-pid")
    tmp = Path(tempfile.mkdtemp(prefix="bench_live_"))
    db_url = args.database_url or f"sqlite:///{tmp / 'live.db'}"
    fingerprint = browser_load.code_fingerprint()
    load_before = os.getloadavg()
    t_all = time.time()
    # 127.0.0.1 only, its own temp DB, no passcode (loopback may edit)
    put_plan_in_force(db_url)  # the sessions edit: data/'s plan has ended (read-only)
    if args.url:  # a running cluster (deploy/cluster.sh) on that database
        server = RunningApp(args.url.rstrip("/"), args.server_pid)
    else:
        server = AppServer(db_url, {"KYMLAPSET_EDITOR_PASSCODE": ""}, tmp / "server.log").start()
    sampler = browser_load.Sampler(server.proc.pid)
    sampler.start()
    rss_idle = sampler.current()
    info: dict = {}
    try:
        # warm up: one protocol session loads "/" and the page, so the store is seeded and caches filled
        warm = Session(-1, False)
        warm_win = Window(end=time.perf_counter() + args.timeout)
        gate = asyncio.Event()

        async def warm_up() -> None:
            gate.set()
            warm_win.end = time.perf_counter() + 0.1
            await session_loop(
                warm,
                server.url.replace("http://", "ws://") + "/_stcore/stream",
                args.query,
                args,
                gate,
                warm_win,
                asyncio.Semaphore(1),
            )

        t0 = time.perf_counter()
        asyncio.run(warm_up())
        info["warmup_s"] = time.perf_counter() - t0
        info["warm_grid"] = warm.grid_seen
        info["rss_warm"] = sampler.current()
        run = asyncio.run(run_all(args, server, db_url, sampler, info))
    finally:
        sampler.stop_event.set()
        sampler.join(timeout=5)
        server.stop()
    result = verify(db_url, run.saves, run.browser_unconfirmed)
    win: Window = info["window"]
    app = appearance(run)

    # ---- figures
    def f(x: float, d: int = 2) -> str:
        return "—" if x != x else f"{x:.{d}f}"  # noqa: PLR0124

    pct = browser_load.pct
    window_s = info["window_end"] - win.start
    ready = [s for s in run.sessions if s.ready_at == s.ready_at]
    inter = [x for s in run.sessions for x in s.interactions]
    timeouts = sum(s.timeouts for s in run.sessions)
    lat = app["latencies"]
    peak_rss = max((mb for _, mb in sampler.samples), default=float("nan"))
    peak = max((mb for _, mb in sampler.pss_samples), default=float("nan"))  # the target is on PSS
    win_peak = max(
        (mb for t, mb in sampler.pss_samples if info["window_start_wall"] <= t <= info["window_end_wall"]),
        default=float("nan"),
    )
    loads = [la for t, la in run.load if info["window_start_wall"] <= t <= info["window_end_wall"]]
    (srv0, mach0, me0), (srv1, mach1, me1) = info["cpu0"], info["cpu1"]
    busy = 100 * (mach1[0] - mach0[0]) / max(1, mach1[1] - mach0[1])
    server_cpu = 100 * (srv1 - srv0) / window_s
    client_cpu = 100 * (me1 - me0) / window_s
    lost = len(result["lost"]) + len(result["final_wrong"])
    store_saves = sum(1 for sv in run.saves if sv.writer.startswith("saver"))
    browser_saves = sum(1 for sv in run.saves if sv.writer.startswith("browser"))
    fragment_runs = sum(s.fragment_runs for s in run.sessions)
    p95 = pct(lat, 95)
    lat_target = LATENCY_TARGET_S if args.sessions < LARGE_FROM else LATENCY_TARGET_LARGE_S
    mem_ok, lat_ok, lost_ok = peak <= MEMORY_TARGET_MB, p95 <= lat_target, lost == 0
    inter_p95 = pct(inter, 95)
    inter_ok = args.sessions >= LARGE_FROM or inter_p95 <= INTERACTION_TARGET_S  # the 120 run: seen only

    def building(t: float) -> bool:
        return any(a <= t <= b for a, b in run.pdf_builds)

    during = [x for x, t in zip(lat, app["at"], strict=True) if building(t)]
    outside = [x for x, t in zip(lat, app["at"], strict=True) if not building(t)]
    pdf_rise = pct(during, 95) - pct(outside, 95)
    pdf_ok = (args.pdf is None and not args.idle_burn) or (bool(run.pdf_builds) and pdf_rise <= PDF_RISE_TARGET_S)
    placebo = placebo_rises(lat, app["at"], run.pdf_builds)
    live = fragment_runs > 0

    print()
    print(
        f"## Live load: {len(ready)} protocol sessions + {args.browsers} Chromium editor(s) on "
        f"/{PAGE}{'?' + args.query if args.query else ''}, {args.seconds:g} s window"
    )
    print()
    print(
        f"Code fingerprint {fingerprint} (sha256 of app.py, pages/, ui/, core/). Machine: {os.cpu_count()} CPUs, "
        f"load average before {load_before[0]:.2f}. "
        + (
            f"Server {args.url} (already running; store {args.database_url.split('@')[-1]}; memory and CPU of "
            f"process tree {args.server_pid})."
            if args.url
            else "Server `python -m streamlit run app.py` on 127.0.0.1, SQLite in a temp dir."
        )
        + f" Sessions rerun every {args.rerun_min:g}–{args.rerun_max:g} s; {args.savers} of them save "
        f"through core.store every ~{args.save_every:g} s; live-update fragment "
        + (
            f"seen (the sessions sent {fragment_runs} auto reruns)."
            if live
            else "NOT seen (no auto_rerun from the server): a session sees a save at its own next rerun."
        )
    )
    print()
    print("| Measure | Value | Target | Result |")
    print("|---|---:|---|---|")
    print(
        f"| Protocol sessions loaded the page | {len(ready)} of {args.sessions} (grid in the first load: "
        f"{sum(s.grid_seen for s in run.sessions)}) | all | {'PASS' if len(ready) == args.sessions else 'FAIL'} |"
    )
    print(f"| Saves confirmed (store / Chromium) | {store_saves} / {browser_saves} | | |")
    print(
        f"| Save → appearance in the other sessions p50 / p95 (n = {len(lat)} pairs) | "
        f"{f(pct(lat, 50))} / {f(p95)} s | p95 ≤ {lat_target:g} s | {'PASS' if lat_ok else 'FAIL'} |"
    )
    print(
        f"| … missed by a later rerun / overwritten first / no later look | {app['missed']} / "
        f"{app['superseded']} / {app['not_looked']} | 0 / – / – | "
        f"{'PASS' if app['missed'] == 0 else 'FAIL'} |"
    )
    print(
        f"| Interaction (rerun → script_finished) p50 / p95 (n = {len(inter)}) | {f(pct(inter, 50))} / "
        f"{f(inter_p95)} s | "
        + (
            f"p95 ≤ {INTERACTION_TARGET_S:g} s | {'PASS' if inter_ok else 'FAIL'} |"
            if args.sessions < LARGE_FROM
            else "| |"
        )
    )
    if args.pdf is not None or args.idle_burn:
        builds = [b - a for a, b in run.pdf_builds]
        what = "PDF reports made" if args.pdf is not None else "Idle-priority burns (no report)"
        print(
            f"| {what} from the middle of the window (asked → PDF offered p50) | {len(builds)} "
            f"({f(pct(builds, 50), 1)} s) | ≥ 1 | {'PASS' if builds else 'FAIL'} |"
        )
        print(
            f"| Save → seen p95, saves while no report was made (n = {len(outside)}) / while one was "
            f"(n = {len(during)}) / rise | {f(pct(outside, 95))} / {f(pct(during, 95))} / {f(pdf_rise)} s | "
            f"rise ≤ {PDF_RISE_TARGET_S:g} s | "
            f"{'PASS' if pdf_ok else 'FAIL'} |"
        )
        if placebo:
            print(
                f"| … the same rise for windows as long without a report (n = {len(placebo)}, every 5 s): "
                f"p50 / p90 / max, share over {PDF_RISE_TARGET_S:g} s | {f(pct(placebo, 50))} / "
                f"{f(pct(placebo, 90))} / {f(max(placebo))} s, {sum(r > PDF_RISE_TARGET_S for r in placebo)} "
                f"of {len(placebo)} | (the figure's noise) | |"
            )
    print(
        f"| Reruns without an answer within {args.timeout:g} s | {timeouts} | 0 | {'PASS' if not timeouts else 'FAIL'} |"
    )
    print(
        f"| LOST UPDATES (confirmed but not in history, or not the stored text) | {lost} | 0 | "
        f"{'PASS' if lost_ok else 'FAIL'} |"
    )
    print(
        f"| Server peak memory (PSS of the process tree, shared pages once), whole run | {f(peak, 0)} MB | "
        f"≤ {MEMORY_TARGET_MB:g} MB | {'PASS' if mem_ok else 'FAIL'} |"
    )
    print(
        f"| … RSS summed over the tree (shared pages in every process; runs before 2026-12-05 gave this) | "
        f"{f(peak_rss, 0)} MB | | |"
    )
    print(f"| … during the window | {f(win_peak, 0)} MB | | |")
    print(
        f"| Machine load average (1 min) during the window, min / mean / max | "
        f"{f(min(loads, default=float('nan')))} / {f(statistics.fmean(loads) if loads else float('nan'))} / "
        f"{f(max(loads, default=float('nan')))} | | |"
    )
    print(
        f"| CPU busy, whole machine / server / this client | {f(busy, 0)} % of {os.cpu_count()} CPUs / "
        f"{f(server_cpu, 0)} % / {f(client_cpu, 0)} % of one core | | |"
    )
    print()
    print("Details:")
    print(
        f"- server RSS {f(rss_idle, 0)} MB at start, {f(info['rss_warm'], 0)} MB after the warm-up "
        f"({f(info['warmup_s'], 1)} s, grid seen: {info['warm_grid']}), {f(info['rss_loaded'], 0)} MB with every "
        f"session loaded, {f(info['rss_end'], 0)} MB at the end"
    )
    loads_s = [s.load_s for s in ready]
    print(
        f"- connecting and loading all sessions took {f(info['connect_s'], 1)} s ({args.connect_concurrency} at a "
        f"time; first load p50 {f(pct(loads_s, 50))} s, p95 {f(pct(loads_s, 95))} s)"
    )
    mb_in = sum(s.bytes_in for s in run.sessions) / 1e6
    print(
        f"- received {f(mb_in, 1)} MB in {sum(s.msgs_in for s in run.sessions)} messages "
        f"({sum(s.refs_in for s in run.sessions)} of them references to a message the session kept); full runs finished "
        f"{sum(s.app_runs for s in run.sessions)}, fragment auto reruns sent {fragment_runs}; window "
        f"{f(window_s, 1)} s; saver conflicts retried {run.save_conflicts}"
    )
    ways = app["by_way"]
    print(
        "- how a save first reached the other sessions: in a live-update run the server started (a push, or the "
        f"page's own poll) {len(ways['live'])} times, p50 {f(pct(ways['live'], 50))} / p95 {f(pct(ways['live'], 95))} s; "
        f"in a rerun the session had asked for {len(ways['asked'])} times, p50 {f(pct(ways['asked'], 50))} / p95 "
        f"{f(pct(ways['asked'], 95))} s"
    )
    broken = [e for tr in run.traces for e in tr.page_errors]  # a broken page is a failure for its user
    if args.browsers:
        bl = [x for k, x, o in run.browser_events if o == "saved"]
        print(
            f"- Chromium editors ready {run.browsers_ready} of {args.browsers}; "
            f"{len(run.browser_events)} save clicks, {browser_saves} saved, click → saved p50 "
            f"{f(pct(bl, 50))} s, p95 {f(pct(bl, 95))} s; unconfirmed {len(run.browser_unconfirmed)} "
            f"(of them landed all the same, the stored text at the end: {len(result['landed_unconfirmed'])}; "
            f"in the history: {len(result['unconfirmed_in_history'])}); what the page showed instead of "
            f"saved: {dict(Counter(o for _k, _x, o in run.browser_events if o != 'saved')) or 'nothing'}"
        )
        print(
            f"- Chromium editor pages the frontend broke (page errors, the page white until reloaded): {len(broken)}"
            + "".join(f"; {e[:80]}" for e in dict.fromkeys(broken))
        )
    print(
        f"- history rows for '{FIELD}' {result['history_rows']}; measures written {result['measures']}; "
        f"load average after {os.getloadavg()[0]:.2f}; total run {time.time() - t_all:.0f} s"
    )
    problems = [
        *run.pdf_errors,
        *run.browser_errors,
        *run.save_errors,
        *(f"session {s.idx}: {s.error}" for s in run.sessions if s.error),
        *(f"session {s.idx}: rerun unanswered; last messages: {n}" for s in run.sessions for n in s.timeout_notes),
    ]
    for p in problems[:12]:
        print(f"  - {p}")
    for sv in result["lost"][:10]:
        print(f"  - LOST: {sv.writer} {sv.measure_id} {sv.token}")
    for mid, tok in result["final_wrong"][:10]:
        print(f"  - NOT THE STORED TEXT: {mid} (last confirmed {tok})")
    ok = (
        mem_ok
        and lat_ok
        and inter_ok
        and pdf_ok
        and lost_ok
        and len(ready) == args.sessions
        and not timeouts
        and app["missed"] == 0
        and run.browsers_ready == args.browsers
        and not broken
    )
    print(
        f"\nOverall: {'PASS' if ok else 'FAIL'} (peak {f(peak, 0)} MB, save → seen p95 {f(p95)} s, "
        f"lost updates {lost}, sessions {len(ready)}/{args.sessions})"
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
