"""The process's watcher of saved data (core/serving/watch.py): every change reported once, in order."""

from __future__ import annotations

import threading
import time

import pytest

from core.serving.watch import Watcher


def _wait(cond, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def test_each_change_is_reported_once_and_the_first_reading_is_the_baseline() -> None:
    value = [1]
    seen: list[int] = []
    w = Watcher(lambda: value[0], seen.append, period=0.01).start()
    try:
        time.sleep(0.05)
        assert seen == []  # nothing changed since it started
        value[0] = 2
        assert _wait(lambda: seen == [2])
        time.sleep(0.05)
        assert seen == [2]  # not again while it stays
        value[0] = 3
        assert _wait(lambda: seen == [2, 3])
    finally:
        w.stop()
    assert not w.alive


def test_a_failing_read_or_report_does_not_end_the_watching() -> None:
    state = {"n": 0, "fail_read": True}
    seen: list[int] = []

    def read() -> int:
        if state["fail_read"]:
            state["fail_read"] = False
            raise OSError("database is locked")
        return state["n"]

    def changed(v: int) -> None:
        seen.append(v)
        if v == 1:
            raise RuntimeError("a session went away")

    w = Watcher(read, changed, period=0.01).start()
    try:
        assert _wait(lambda: w.last == 0)  # the baseline, after the failed first read
        state["n"] = 1
        assert _wait(lambda: seen == [1])
        state["n"] = 2
        assert _wait(lambda: seen == [1, 2])
        assert w.alive
    finally:
        w.stop()


def test_the_reports_come_from_the_watcher_thread_not_the_caller() -> None:
    value = [0]
    threads: list[str] = []
    w = Watcher(lambda: value[0], lambda v: threads.append(threading.current_thread().name), 0.01, name="live-watch")
    w.start()
    try:
        value[0] = 1
        assert _wait(lambda: threads == ["live-watch"])
    finally:
        w.stop()


def test_a_period_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Watcher(lambda: 0, lambda v: None, 0)
