"""The app as a local server for browser tests and load benchmarks: ``streamlit run app.py`` on a
free loopback port with its own database, ready once ``/_stcore/health`` answers ``ok``.

Used by tests/browser/conftest.py (``from bench.server import AppServer``) and bench/load.py,
bench/live_load.py, so a change in how the app is started is made once.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
# Chromium for benches and browser tests: Debian's, without the background work that makes timings noisy
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
START_TIMEOUT_S = 90  # a loaded 2-core machine starts the server slowly


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def put_plan_in_force(db_url: str) -> None:
    """Seed the store at ``db_url`` as the app does and put data/'s plan in force. That plan has ended,
    and an ended plan is read-only: the browser tests and load runs that edit edit a plan in force."""
    from core.base import config  # noqa: PLC0415 - only for the callers that start a server
    from core.plan.loader import load_plan  # noqa: PLC0415
    from core.store import Editor, Store  # noqa: PLC0415
    from core.views.vuosikello import load_default_events  # noqa: PLC0415

    plan = load_plan()
    store = Store.open(db_url)
    try:
        events = None if store.is_seeded() else load_default_events(config.DATA_DIR / "events.csv")
        store.seed(plan, events_rows=events)
        store.set_plan_state(plan.plan_id, "in_force", Editor("Ylläpito"))
    finally:
        store.close()


class AppServer:
    """A `streamlit run app.py` process on a free loopback port with its own database.

    ``env`` is added to this process's environment (e.g. ``KYMLAPSET_EDITOR_PASSCODE``); the
    server's output goes to ``log_path`` if given, else nowhere. It runs in a session of its own,
    so ``stop()`` ends it and every process it started, and nothing else.
    """

    def __init__(self, db_url: str, env: dict[str, str] | None = None, log_path: Path | None = None):
        self.db_url = db_url
        self.extra_env = env or {}
        self.log_path = log_path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log: IO[str] | None = None

    def start(self) -> AppServer:
        """Start the server and wait until it answers its health check; RuntimeError if it does not."""
        env = {**os.environ, "KYMLAPSET_DATABASE_URL": self.db_url, **self.extra_env}
        if self.log_path is not None:
            self.log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(self.port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self.log else subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.time() + START_TIMEOUT_S
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode() == "ok":
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        where = f"; see {self.log_path}" if self.log_path else ""
        raise RuntimeError(f"the app server did not start{where}")

    def stop(self) -> None:
        """End the server's process group (the one ``start`` made), then close the log."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None
