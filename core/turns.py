"""Turns: at most N holders at a time, served in the order they asked (first come, first served).

The app's page runs take a turn each (ui/router.py). Python runs one thread at a time, so many
page runs at once each get a small share and all finish late; a few at a time finish in turn. A
plain semaphore wakes an arbitrary waiter, so under a steady load one session could wait behind
later ones again and again; tickets keep the order. A holder that asked earlier and was cut short
(a newer request of the same session replaced its run) may ask again with its first time, and
keeps its place in the line.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """A first-come-first-served counting semaphore with a bounded wait."""

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("Turns needs at least one turn")
        self.n = n
        self._cond = threading.Condition()
        self._running = 0
        self._queue: list[tuple[float, int]] = []  # (asked at, ticket number), in order
        self._numbers = itertools.count()

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def acquire(self, timeout: float | None = None, since: float | None = None) -> bool:
        """Wait for a turn (at most ``timeout`` s); True if one was taken, False if the wait ran out.

        ``since`` (``time.monotonic()``): when this holder first asked; the line is ordered by it.
        """
        now = time.monotonic()
        ticket = (now if since is None else min(since, now), next(self._numbers))
        deadline = None if timeout is None else now + timeout
        with self._cond:
            bisect.insort(self._queue, ticket)
            try:
                while not (self._running < self.n and self._queue[0] == ticket):
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        return False
                    self._cond.wait(left)
                self._running += 1
                return True
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()  # the next in line may go now (or after a waiter gave up)

    def release(self) -> None:
        with self._cond:
            if self._running <= 0:
                raise RuntimeError("release without a turn")
            self._running -= 1
            self._cond.notify_all()

    @contextmanager
    def turn(self, timeout: float | None = None, since: float | None = None) -> Iterator[bool]:
        """``with turns.turn(30) as got:`` - the body runs either way; ``got`` says whether it waited its turn."""
        got = self.acquire(timeout, since)
        try:
            yield got
        finally:
            if got:
                self.release()
