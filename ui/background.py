"""Long work beside the page (STYLE lesson 13): a small thread pool, a job per session, polled by a fragment.

A page starts a job (a fetch from another service) and keeps its ``Job`` in the session; the
script thread only starts it and shows progress, so other sessions' page runs, which take turns,
never wait for it.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass, field

_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="background")


@dataclass
class Job:
    """A running or finished piece of work and its progress (0–1), set by the work itself."""

    future: concurrent.futures.Future
    progress: list[float] = field(default_factory=lambda: [0.0])

    @property
    def done(self) -> bool:
        return self.future.done()


def start(work: Callable[[Callable[[float], None]], object]) -> Job:
    """Run ``work(progress)`` in the pool; ``progress(fraction)`` may be called from the work as it goes."""
    progress = [0.0]

    def report(fraction: float) -> None:
        progress[0] = max(0.0, min(1.0, float(fraction)))

    return Job(_POOL.submit(work, report), progress)
