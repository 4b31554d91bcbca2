"""Turns: at most N holders at a time, served in the order they asked (first come, first served).

The app's page runs take a turn each (ui/router.py). Python runs one thread at a time, so many
page runs at once each get a small share and all finish late; a few at a time finish in turn. A
plain semaphore wakes an arbitrary waiter, so under a steady load one session could wait behind
later ones again and again; tickets keep the order. A holder that asked earlier and was cut short
(a newer request of the same session replaced its run) may ask again with its first time, and
keeps its place in the line. A holder may ask with a lower priority (a page run that a background
poll started rather than a person's click): every waiter of a higher priority goes first.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Turns:
    """A first-come-first-served counting semaphore with a bounded wait.

    A released turn is handed straight to the first in line, and only that waiter is woken: with
    fifty sessions waiting, waking them all on every release (a shared condition) costs more of the
    one Python thread than the runs themselves.
    """

    def __init__(self, n: int) -> None:
        if n < 1:
            raise ValueError("Turns needs at least one turn")
        self.n = n
        self._lock = threading.Lock()
        self._running = 0
        # (priority, asked at, ticket number, wake-up), in order: 0 before 1, then first come first served
        self._queue: list[tuple[int, float, int, threading.Event]] = []
        self._numbers = itertools.count()

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def acquire(self, timeout: float | None = None, since: float | None = None, priority: int = 0) -> bool:
        """Wait for a turn (at most ``timeout`` s); True if one was taken, False if the wait ran out.

        ``since`` (``time.monotonic()``): when this holder first asked; the line is ordered by it
        within a ``priority`` (0 first, then 1 …).
        """
        now = time.monotonic()
        ticket = (priority, now if since is None else min(since, now), next(self._numbers), threading.Event())
        with self._lock:
            if self._running < self.n:  # someone waits only while every turn is taken
                self._running += 1
                return True
            bisect.insort(self._queue, ticket)  # (time, number) are unique: the Event is never compared
        if ticket[3].wait(timeout):
            return True
        with self._lock:
            if ticket[3].is_set():  # handed a turn just as the wait ran out
                return True
            self._queue.remove(ticket)
            return False

    def release(self) -> None:
        with self._lock:
            if self._running <= 0:
                raise RuntimeError("release without a turn")
            if self._queue:
                self._queue.pop(0)[3].set()  # the turn passes to the first in line
            else:
                self._running -= 1

    @contextmanager
    def turn(self, timeout: float | None = None, since: float | None = None, priority: int = 0) -> Iterator[bool]:
        """``with turns.turn(30) as got:`` - the body runs either way; ``got`` says whether it got its turn."""
        got = self.acquire(timeout, since, priority)
        try:
            yield got
        finally:
            if got:
                self.release()
