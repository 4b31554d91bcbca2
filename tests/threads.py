"""Event-loop tests beside the browser tests: Playwright keeps an event loop running in the test
process's main thread, where no other loop may run, so such a test runs its loop in a thread of its own."""

from __future__ import annotations

import asyncio
import threading


def in_a_thread(body) -> None:
    """Run ``body()`` in a thread of its own (at most 30 s) and hand its failure on to the test."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            body()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the loop's thread did not end within 30 s"
    if failure:
        raise failure[0]


def run_loop(scenario) -> None:
    """``asyncio.run(scenario())`` in a thread of its own."""
    in_a_thread(lambda: asyncio.run(scenario()))
