"""A bounded memo keyed by an object's identity: what is made from a shared, read-only object (a
cached frame, a text) is made once for every session and run of the process.

The object is kept with what was made from it, so its id cannot be taken by another object while the
entry lives; the least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ByIdentity(Generic[T]):
    """``get(obj, make)``: ``make(obj)`` once per object (and ``what``), at most ``size`` kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[int, str], tuple[object, T]] = OrderedDict()

    def get(self, obj: object, make: Callable[[object], T], what: str = "") -> T:
        key = (id(obj), what)
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None and hit[0] is obj:
                self._kept.move_to_end(key)
                return hit[1]
        made = make(obj)  # outside the lock: two threads may both make it, the same either way
        with self._lock:
            self._kept[key] = (obj, made)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return made

    def __len__(self) -> int:
        return len(self._kept)
