"""Page-run turns: a few at a time, first come first served, a bounded wait, a kept place in line."""

import threading
import time

import pytest

from core.serving.turns import Turns


def _run_all(turns: Turns, starts: list[tuple[int, float | None]], hold: float = 0.05) -> tuple[list[int], int]:
    """Start one thread per (name, since) a few ms apart; each holds a turn for ``hold`` s."""
    order, lock, active, peak = [], threading.Lock(), [0], [0]

    def work(name: int, since: float | None) -> None:
        with turns.turn(10, since):
            with lock:
                active[0] += 1
                peak[0] = max(peak[0], active[0])
                order.append(name)
            time.sleep(hold)
            with lock:
                active[0] -= 1

    threads = []
    for name, since in starts:
        th = threading.Thread(target=work, args=(name, since))
        th.start()
        threads.append(th)
        time.sleep(0.01)
    for th in threads:
        th.join(20)
    return order, peak[0]


def test_no_more_than_n_at_once_and_in_the_order_asked():
    order, peak = _run_all(Turns(2), [(i, None) for i in range(8)])
    assert peak == 2
    assert order == list(range(8))


def test_an_earlier_asker_keeps_its_place():
    turns = Turns(1)
    early = time.monotonic() - 5  # a run cut short five seconds ago asks again
    order, _ = _run_all(turns, [(0, None), (1, None), (2, None), (3, early)], hold=0.1)
    assert order[0] == 0  # the one already running is not interrupted
    assert order[1] == 3  # then the earliest asker, before the later ones
    assert sorted(order) == [0, 1, 2, 3]


def test_a_wait_that_runs_out_says_so_and_leaves_the_line():
    turns = Turns(1)
    assert turns.acquire()
    started = time.monotonic()
    assert turns.acquire(timeout=0.2) is False
    assert time.monotonic() - started >= 0.19
    assert turns.waiting == 0
    turns.release()
    assert turns.acquire(timeout=0.2) is True  # the turn is free again
    turns.release()
    assert turns.running == 0


def test_release_without_a_turn_is_an_error_and_at_least_one_turn():
    with pytest.raises(RuntimeError):
        Turns(1).release()
    with pytest.raises(ValueError):
        Turns(0)


def test_a_body_that_raises_gives_its_turn_back():
    turns = Turns(1)
    with pytest.raises(KeyError), turns.turn(1):
        raise KeyError("x")
    assert turns.running == 0


def test_under_churn_never_more_than_n_and_every_turn_comes_back():
    """Many short holders, some giving up while others release: the count stays right."""
    turns, lock, active, peak, gave_up = Turns(2), threading.Lock(), [0], [0], [0]

    def work(i: int) -> None:
        for _ in range(20):
            if turns.acquire(timeout=0.002 if i % 3 == 0 else 5):
                with lock:
                    active[0] += 1
                    peak[0] = max(peak[0], active[0])
                time.sleep(0.0005)
                with lock:
                    active[0] -= 1
                turns.release()
            else:
                with lock:
                    gave_up[0] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert peak[0] <= 2
    assert turns.running == 0 and turns.waiting == 0
    assert turns.acquire(timeout=0.1) and turns.acquire(timeout=0.1)  # both turns are free again


def test_a_persons_run_goes_ahead_of_background_runs_that_asked_earlier():
    turns, order = Turns(1), []
    turns.acquire()  # held, so everyone below waits in line

    def wait(name: str, priority: int) -> None:
        with turns.turn(10, priority=priority):
            order.append(name)

    threads = [threading.Thread(target=wait, args=(f"poll{i}", 1)) for i in range(3)]
    threads.append(threading.Thread(target=wait, args=("click", 0)))
    for th in threads:
        th.start()
        time.sleep(0.02)
    assert turns.waiting == 4
    turns.release()
    for th in threads:
        th.join(10)
    assert order == ["click", "poll0", "poll1", "poll2"]


def test_a_run_that_waited_too_long_gets_no_turn():
    turns = Turns(1)
    turns.acquire()
    t0 = time.monotonic()
    with turns.turn(0.2) as got:
        assert not got
    assert time.monotonic() - t0 < 2 and turns.running == 1 and turns.waiting == 0
