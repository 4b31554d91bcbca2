"""Passcode guessing at Streamlit's protocol level (issue #19 item 1): the forwarded address counts only
from a proxy the setting trusted_proxies names. Sessions speak the WebSocket protocol as the browser
does (bench/passcode_guessing.py), each with an X-Forwarded-For of its own.

The server itself (uvicorn) believes X-Forwarded-For from a loopback peer unless told otherwise; here
FORWARDED_ALLOW_IPS is empty, so the app's own setting alone decides, as for a proxy on another host.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.passcode_guessing import ProtocolSession
from core.store import Store
from tests.browser.conftest import running

PASS = "valvottu-2026"


async def guesses(url: str, forwarded_for: str, n: int) -> list[str]:
    """``n`` wrong passcodes, each from a new session with this X-Forwarded-For; the answers' kinds."""
    kinds = []
    for i in range(n):
        async with ProtocolSession(url, forwarded_for) as session:
            kinds.append((await session.try_code(f"arvaus-{i}")).kind)
    return kinds


async def right_code(url: str, forwarded_for: str) -> str:
    async with ProtocolSession(url, forwarded_for) as session:
        return (await session.try_code(PASS, name="Eeva")).kind


def run(coro):  # noqa: ANN001, ANN201 - a coroutine and its result
    """Run ``coro`` on an event loop of its own thread: Playwright's sync API keeps one running in this
    thread when the browser tests run in the same pytest session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.mark.parametrize(("trusted", "believed"), [("", False), ("127.0.0.1", True), ("10.9.9.9", False)])
def test_a_forwarded_address_counts_only_from_a_trusted_proxy(tmp_path, trusted, believed):
    db = f"sqlite:///{tmp_path / 'proxy.db'}"
    env = {"KYMLAPSET_EDITOR_PASSCODE": PASS, "KYMLAPSET_TRUSTED_PROXIES": trusted, "FORWARDED_ALLOW_IPS": ""}
    with running(db, env) as server:
        assert run(guesses(server.url, "198.51.100.7", 1)) == ["wrong"]
        counted = "client:198.51.100.7" if believed else "client:127.0.0.1"  # the proxy's own address
        store = Store.open(db)
        times = store.signin_failure_times(["client:198.51.100.7", "client:127.0.0.1"], 0)
        assert len(times[counted]) == 1 and sum(len(v) for v in times.values()) == 1
        now = time.time()
        for i in range(8):  # that client keeps guessing: it now waits minutes
            store.record_signin_failure([counted, "server"], now - 8 + i, 0)
        # a new session from the same forwarded address waits too, right code or not
        assert run(right_code(server.url, "198.51.100.7")) == "wait"
        # another forwarded address is a client of its own only when the proxy is trusted
        assert run(right_code(server.url, "192.0.2.44")) == ("signed_in" if believed else "wait")
