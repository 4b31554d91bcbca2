"""The background worker: a few jobs at a time, a busy refusal beyond that, results kept per key."""

import threading

import pytest

from core.serving.jobs import Busy, Worker


def _blocked(gate: threading.Event, value: object = "done"):
    """Work that waits for ``gate`` (bounded), reports half its progress, then returns ``value``."""

    def work(progress):
        progress(0.5)
        assert gate.wait(10)
        return value

    return work


def test_no_more_than_at_once_run_and_the_next_is_refused_as_busy():
    worker, gate = Worker(2), threading.Event()
    first, second = worker.submit(_blocked(gate)), worker.submit(_blocked(gate))
    assert worker.running == 2 and worker.busy
    with pytest.raises(Busy):
        worker.submit(_blocked(gate))
    gate.set()
    assert (first.future.result(10), second.future.result(10)) == ("done", "done")
    third = worker.submit(lambda progress: 3)  # a slot is free again
    assert third.future.result(10) == 3 and not worker.busy


def test_progress_is_what_the_work_reported_within_0_and_1():
    worker, gate = Worker(1), threading.Event()
    job = worker.submit(_blocked(gate))
    for _ in range(100):
        if job.progress[0]:
            break
        gate.wait(0.01)
    assert job.progress[0] == 0.5 and not job.done
    gate.set()
    job.future.result(10)
    assert job.done and not job.failed


def test_the_same_key_joins_the_running_job_without_a_second_slot():
    worker, gate = Worker(1), threading.Event()
    calls = []

    def work(progress):
        calls.append(1)
        assert gate.wait(10)
        return "report"

    job = worker.submit(work, key=("report", "I", 7))
    assert worker.submit(work, key=("report", "I", 7)) is job  # no Busy although the one slot is taken
    gate.set()
    assert job.result() == "report" and calls == [1]


def test_finished_results_are_kept_per_data_version_and_the_oldest_go_first():
    worker = Worker(1, keep=2)
    calls = []

    def work_for(version):
        def work(progress):
            calls.append(version)
            return f"report v{version}"

        return work

    first = worker.submit(work_for(1), key=("report", 1))
    first.future.result(10)
    again = worker.submit(work_for(1), key=("report", 1))
    assert again is first and calls == [1]  # the same data version: kept, not made again
    newer = worker.submit(work_for(2), key=("report", 2))  # a save made a new version: a new report
    assert newer.result() == "report v2" and calls == [1, 2]
    worker.submit(work_for(3), key=("report", 3)).future.result(10)
    assert worker.kept(("report", 1)) is None  # only two kept: the least recently used went
    assert worker.kept(("report", 3)) is not None


def test_a_failed_job_is_not_kept_and_frees_its_slot():
    worker = Worker(1)

    def broken(progress):
        raise ValueError("no")

    job = worker.submit(broken, key="k")
    with pytest.raises(ValueError):
        job.future.result(10)
    assert job.failed and worker.kept("k") is None
    assert worker.submit(lambda progress: "ok", key="k").future.result(10) == "ok"


def test_work_without_a_key_is_never_shared():
    worker, gate = Worker(2), threading.Event()
    a, b = worker.submit(_blocked(gate)), worker.submit(_blocked(gate))
    assert a is not b
    gate.set()
    a.future.result(10), b.future.result(10)


def test_forget_drops_kept_results_of_older_versions():
    worker = Worker(1)
    worker.submit(lambda p: 1, key=("r", 1)).future.result(10)
    worker.submit(lambda p: 2, key=("r", 2)).future.result(10)
    worker.forget(lambda key: key[1] < 2)
    assert worker.kept(("r", 1)) is None and worker.kept(("r", 2)) is not None


def test_a_worker_needs_a_slot():
    with pytest.raises(ValueError):
        Worker(0)
