"""Soak: does the server stay up for a day? Sessions open, edit and close for up to an hour.

Streamlit's full garbage collection after every script run is off (``runner.postScriptGC`` in
.streamlit/config.toml) because it took most of the server's CPU under load. Without it, memory
held in reference cycles is freed only by Python's generational collector; this script shows
whether the server's memory levels off while sessions keep coming and going.

Sessions speak Streamlit's protocol as in bench/live_load.py (its ``session_loop``): each opens the
Toimenpiteet page, reruns it every few seconds and answers the live-update poll for a random
20–90 s, closes, and opens again as a new session. ``--savers`` edit measures through the store
every ~10 s (as live_load's savers do), so every open session redraws others' saves. Every minute
the server's memory (RSS of the streamlit process tree) is printed with the sessions opened and
closed so far and the reruns that went unanswered within ``--timeout`` s.

    .venv/bin/python bench/soak.py --minutes 15            # 20 sessions at a time, 3 savers
    .venv/bin/python bench/soak.py --minutes 60 --sessions 30

Bounded: at most 60 minutes, every wait bounded; 127.0.0.1 only, a temporary SQLite database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import live_load  # noqa: E402 - the protocol session and the savers
import load as browser_load  # noqa: E402 - /proc sampling

from bench.server import AppServer, put_plan_in_force  # noqa: E402

MAX_MINUTES = 60
GROWTH_TARGET = 0.10  # after the first 10 minutes, memory grows by at most 10 %


async def soak(args, server: AppServer, db_url: str, sampler: browser_load.Sampler) -> dict:
    """Run sessions in waves until the end; print a line a minute. Returns the totals."""
    from core.store import Store  # noqa: PLC0415

    ws_url = server.url.replace("http://", "ws://") + "/_stcore/stream"
    end = time.perf_counter() + args.minutes * 60
    run = live_load.Run()
    opened: list[live_load.Session] = []
    gate = asyncio.Event()
    gate.set()
    # a first session seeds the store (the app seeds it from data/ at its first page run)
    warm = live_load.Session(-1, False)
    await live_load.session_loop(
        warm, ws_url, "", args, gate, live_load.Window(end=time.perf_counter() + 0.1), asyncio.Semaphore(1)
    )
    store = Store.open(db_url)
    own = live_load.saver_measures(db_url, args.savers, 3, set()) if args.savers else []
    connect_sem = asyncio.Semaphore(5)
    counter = iter(range(10**9))

    async def one_slot() -> None:
        """One place in the room: a session opens, stays 20–90 s, closes; then the next one comes."""
        while time.perf_counter() < end - 5:
            s = live_load.Session(next(counter), False)
            opened.append(s)
            win = live_load.Window(end=min(end, time.perf_counter() + random.uniform(20, 90)))  # noqa: S311
            await live_load.session_loop(s, ws_url, "", args, gate, win, connect_sem)
            await asyncio.sleep(random.uniform(0.5, 3))  # noqa: S311

    whole = live_load.Window(end=end)
    tasks = [asyncio.create_task(one_slot()) for _ in range(args.sessions)]
    tasks += [
        asyncio.create_task(live_load.saver_loop(i, store, own[i], run, args, gate, whole)) for i in range(args.savers)
    ]
    t0 = time.perf_counter()
    minutes: list[tuple[int, float]] = []
    print("| minute | server RSS MB | sessions opened / closed | reruns answered | unanswered | saves |")
    print("|---:|---:|---:|---:|---:|---:|")
    minute = 0
    while time.perf_counter() < end:
        await asyncio.sleep(min(60.0, max(0.1, t0 + 60 * (minute + 1) - time.perf_counter())))
        minute += 1
        mb = sampler.current()
        minutes.append((minute, mb))
        closed = sum(1 for s in opened if s.closed_at == s.closed_at)
        answered = sum(len(s.interactions) + (s.load_s == s.load_s) for s in opened)
        unanswered = sum(s.timeouts for s in opened) + sum(1 for s in opened if s.error)
        print(f"| {minute} | {mb:.0f} | {len(opened)} / {closed} | {answered} | {unanswered} | {len(run.saves)} |")
        sys.stdout.flush()
    await asyncio.wait(tasks, timeout=args.timeout + 10)
    for task in tasks:
        task.cancel()
    store.close()
    return {
        "minutes": minutes,
        "opened": len(opened),
        "answered": sum(len(s.interactions) + (s.load_s == s.load_s) for s in opened),
        "unanswered": sum(s.timeouts for s in opened),
        "errors": [f"session {s.idx}: {s.error}" for s in opened if s.error],
        "saves": len(run.saves),
        "save_errors": run.save_errors,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=15, help=f"how long (at most {MAX_MINUTES}; default 15)")
    ap.add_argument("--sessions", type=int, default=20, help="sessions open at a time (default 20)")
    ap.add_argument("--savers", type=int, default=3, help="editors saving through the store (default 3)")
    ap.add_argument("--rerun-min", type=float, default=3.0, help="an open session reruns every min–max s")
    ap.add_argument("--rerun-max", type=float, default=8.0)
    ap.add_argument("--save-every", type=float, default=10.0, help="mean seconds between one saver's saves")
    ap.add_argument("--timeout", type=float, default=60, help="bound on every single wait, seconds")
    args = ap.parse_args()
    if not (0.5 <= args.minutes <= MAX_MINUTES and 1 <= args.sessions <= 100 and 0 <= args.savers <= 20):
        ap.error(f"keep --minutes 0.5–{MAX_MINUTES}, --sessions 1–100, --savers 0–20")

    tmp = Path(tempfile.mkdtemp(prefix="bench_soak_"))
    db_url = f"sqlite:///{tmp / 'soak.db'}"
    print(
        f"# Soak: {args.sessions} sessions at a time (each open 20–90 s, then a new one), {args.savers} savers, "
        f"{args.minutes:g} min; code {browser_load.code_fingerprint()}; load average {os.getloadavg()[0]:.2f}"
    )
    put_plan_in_force(db_url)  # the savers edit: data/'s plan has ended, and an ended plan is read-only
    server = AppServer(db_url, {"KYMLAPSET_EDITOR_PASSCODE": ""}, tmp / "server.log").start()
    sampler = browser_load.Sampler(server.proc.pid)
    sampler.start()
    print(f"server RSS at start {sampler.current():.0f} MB")
    try:
        totals = asyncio.run(soak(args, server, db_url, sampler))
    finally:
        sampler.stop_event.set()
        sampler.join(timeout=5)
        server.stop()
    mins = dict(totals["minutes"])
    peak = max((mb for _, mb in sampler.samples), default=float("nan"))
    print()
    print(
        f"Sessions opened {totals['opened']}, reruns answered {totals['answered']}, unanswered within "
        f"{args.timeout:g} s {totals['unanswered']}, session errors {len(totals['errors'])}, saves {totals['saves']} "
        f"(errors {len(totals['save_errors'])}); peak RSS {peak:.0f} MB"
    )
    ok = totals["unanswered"] == 0 and not totals["errors"]
    ok = ok and (args.savers == 0 or (totals["saves"] > 0 and not totals["save_errors"]))  # live updates were tried
    if 10 in mins and len(mins) > 10:
        last = totals["minutes"][-1]
        growth = last[1] / mins[10] - 1
        ok = ok and growth <= GROWTH_TARGET
        print(
            f"Memory after minute 10: {mins[10]:.0f} MB -> {last[1]:.0f} MB at minute {last[0]} "
            f"({100 * growth:+.1f} %, target ≤ +{100 * GROWTH_TARGET:.0f} %)"
        )
    elif len(mins) >= 2:
        first, last = totals["minutes"][0], totals["minutes"][-1]
        print(f"Memory minute {first[0]} -> {last[0]}: {first[1]:.0f} -> {last[1]:.0f} MB (shorter than 10 minutes)")
    for line in [*totals["errors"], *totals["save_errors"]][:10]:
        print(f"  - {line}")
    print(f"\nOverall: {'PASS' if ok else 'FAIL'}")
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
