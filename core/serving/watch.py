"""A watcher: one thread that reads a value every few tenths of a second and reports each change.

The live updates (ui/live.py) use one per app process: it reads the store's marker of saved data
(one cheap query) and, when someone saved, has every open page of the process look at once. Each
page polling by itself would take a script run per page per poll (sixty pages every 3 s: twenty runs
a second) and show a save only at its next poll (on average half the poll, at worst all of it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

LOG = logging.getLogger(__name__)
T = TypeVar("T")


class Watcher(Generic[T]):
    """Calls ``changed(value)`` from its own thread whenever ``read()`` returns something new.

    The first reading is the baseline (no call). A ``read`` or ``changed`` that raises is logged and
    the watcher goes on at the next tick (a store that is briefly locked or away must not end it).
    """

    def __init__(
        self, read: Callable[[], T], changed: Callable[[T], None], period: float, name: str = "watcher"
    ) -> None:
        if period <= 0:
            raise ValueError("a watcher needs a positive period")
        self.period = period
        self._read = read
        self._changed = changed
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.last: T | None = None

    def start(self) -> Watcher[T]:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 5.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                value = self._read()
            except Exception:  # noqa: BLE001 - try again at the next tick
                LOG.debug("watcher %s: read failed", self._thread.name, exc_info=True)
            else:
                if first:
                    first = False
                    self.last = value
                elif value != self.last:
                    self.last = value
                    try:
                        self._changed(value)
                    except Exception:  # noqa: BLE001 - one failed report must not end the watching
                        LOG.exception("watcher %s: reporting a change failed", self._thread.name)
            self._stop.wait(self.period)
