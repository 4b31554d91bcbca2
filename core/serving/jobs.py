"""Slow work beside the page runs: a few jobs at a time per process, finished results kept by key.

Reports, imports, backups and fetches take seconds; inside a page run they would hold every other
session's turn (core/serving/turns.py). A page submits such work here and polls the ``Job`` it gets back
(ui/background.py). The worker is bounded: at most ``at_once`` jobs run at a time, and when that
many are running a new one is refused with ``Busy`` at once instead of queueing work the server
cannot do (the page says the server is busy). A job with a key (say, a report with the data version
in its key) is shared: asking again for a key that is running joins it, and a finished result is
kept for the next person who asks for the same key, up to ``keep`` results, the least recently
used going first. Work without a key is never shared nor kept.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

Progress = Callable[[float], None]


class Busy(RuntimeError):
    """Every job slot of the worker is taken; try again in a moment."""


@dataclass(eq=False)  # a job is itself: hashable by identity, a key of the running jobs
class Job:
    """A running or finished job: its future and its progress (0–1), which the work itself sets."""

    future: concurrent.futures.Future
    progress: list[float] = field(default_factory=lambda: [0.0])
    key: Hashable | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> bool:
        return self.future.done()

    @property
    def failed(self) -> bool:
        return self.future.done() and self.future.exception() is not None

    def result(self) -> object:
        """The work's return value (raises what the work raised)."""
        return self.future.result()


class Worker:
    """A bounded pool of background jobs with a result cache by key (see the module docstring)."""

    def __init__(self, at_once: int, keep: int = 32) -> None:
        if at_once < 1:
            raise ValueError("a worker needs at least one job slot")
        self.at_once = at_once
        self.keep = max(0, keep)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=at_once, thread_name_prefix="job")
        self._lock = threading.Lock()
        self._running: dict[object, Job] = {}  # by key, or by the Job itself when it has none
        self._kept: OrderedDict[Hashable, Job] = OrderedDict()

    @property
    def running(self) -> int:
        with self._lock:
            return len(self._running)

    @property
    def busy(self) -> bool:
        """Whether a new job would be refused now."""
        return self.running >= self.at_once

    def kept(self, key: Hashable) -> Job | None:
        """The finished job kept for ``key``, or None."""
        with self._lock:
            job = self._kept.get(key)
            if job is not None:
                self._kept.move_to_end(key)
            return job

    def submit(self, work: Callable[[Progress], object], key: Hashable | None = None) -> Job:
        """Run ``work(progress)`` beside the page; ``Busy`` when every slot is taken.

        With a ``key``: a kept result or the running job of that key is handed out instead of
        starting the work again (neither takes a slot).
        """
        with self._lock:
            if key is not None:
                if key in self._kept:
                    self._kept.move_to_end(key)
                    return self._kept[key]
                if key in self._running:
                    return self._running[key]
            if len(self._running) >= self.at_once:
                raise Busy(f"{self.at_once} jobs are running")
            progress = [0.0]
            job = Job(concurrent.futures.Future(), progress, key)
            slot = key if key is not None else job
            self._running[slot] = job  # the slot is taken before the lock is let go: the limit holds

        def report(fraction: float) -> None:
            progress[0] = max(0.0, min(1.0, float(fraction)))

        def run() -> object:
            return work(report)

        def finished(future: concurrent.futures.Future) -> None:
            with self._lock:
                self._running.pop(slot, None)
                if key is not None and self.keep and future.exception() is None:
                    self._kept[key] = job
                    while len(self._kept) > self.keep:
                        self._kept.popitem(last=False)

        try:
            inner = self._pool.submit(run)
        except RuntimeError:  # the pool is shut down (the process is ending): give the slot back
            with self._lock:
                self._running.pop(slot, None)
            raise
        job.future = inner
        inner.add_done_callback(finished)
        return job

    def forget(self, match: Callable[[Hashable], bool]) -> None:
        """Drop kept results whose key matches (for example those of an older data version)."""
        with self._lock:
            for key in [k for k in self._kept if match(k)]:
                del self._kept[key]
