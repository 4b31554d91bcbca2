"""The fix for Streamlit's lost run ends (ui/streamlit_fixes.py): a rerun that finds the session's runner
stopping waits for its shutdown, in order, instead of starting a runner whose arrival drops the old
runner's "finished" (bench/live_load.py: reruns the browser never heard the end of)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

from tests.threads import run_loop
from ui import streamlit_fixes


def runner(stopped: bool) -> SimpleNamespace:
    requests = ScriptRequests()
    if stopped:
        requests.on_scriptrunner_ready()  # no request pending: the runner's state becomes STOP
    else:
        requests.request_rerun(RerunData())
    return SimpleNamespace(_requests=requests)


class Session:
    def __init__(self, runner) -> None:
        self._scriptrunner = runner


def test_a_rerun_waits_for_a_stopping_runner_and_keeps_the_order() -> None:
    handled: list[tuple[object, str]] = []

    def original(session, client_state) -> None:
        handled.append((session._scriptrunner, client_state))

    request_rerun = streamlit_fixes.guard(original)
    session = Session(runner(stopped=True))

    async def scenario() -> None:
        request_rerun(session, "click")
        request_rerun(session, "fragment")
        assert handled == []  # the old runner's last events are still to come: nothing starts yet
        assert streamlit_fixes.settling(session)
        await asyncio.sleep(0.05)
        assert handled == []  # still stopping: still waiting
        session._scriptrunner = None  # the old runner's shutdown was handled
        await asyncio.sleep(0.05)

    run_loop(scenario)
    assert handled == [(None, "click"), (None, "fragment")]  # both, in the order they came
    assert not streamlit_fixes.settling(session)


def test_a_rerun_to_a_running_or_absent_runner_goes_straight_through() -> None:
    handled: list[str] = []
    request_rerun = streamlit_fixes.guard(lambda session, cs: handled.append(cs))

    async def scenario() -> None:
        request_rerun(Session(runner(stopped=False)), "to the running one")
        request_rerun(Session(None), "to a new one")

    run_loop(scenario)
    assert handled == ["to the running one", "to a new one"]


def test_a_runner_that_never_shuts_down_gets_the_request_the_old_way(monkeypatch) -> None:
    monkeypatch.setattr(streamlit_fixes, "MAX_WAIT_S", 0.05)
    handled: list[str] = []
    request_rerun = streamlit_fixes.guard(lambda session, cs: handled.append(cs))

    async def scenario() -> None:
        request_rerun(Session(runner(stopped=True)), "late")
        await asyncio.sleep(0.2)

    run_loop(scenario)
    assert handled == ["late"]


@pytest.mark.parametrize("method", ["request_rerun", "_handle_scriptrunner_event_on_event_loop", "flush_browser_queue"])
def test_install_patches_streamlit_once(method: str) -> None:
    from streamlit.runtime.app_session import AppSession

    streamlit_fixes.install()
    patched = getattr(AppSession, method)
    streamlit_fixes.install()
    assert getattr(AppSession, method) is patched
    assert getattr(patched, streamlit_fixes._MARK)


def test_the_end_of_a_whole_page_run_is_noted_and_a_fragments_end_is_not() -> None:
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunnerEvent

    handled: list[object] = []
    handle = streamlit_fixes.note_page_run_end(lambda self, sender, event, *a, **k: handled.append(event))
    current, old = object(), object()
    session = Session(current)

    handle(session, current, ScriptRunnerEvent.FRAGMENT_STOPPED_WITH_SUCCESS)
    assert streamlit_fixes.page_run_ended_at(session) is None
    handle(session, old, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS)  # a runner that is gone: Streamlit ignores it
    assert streamlit_fixes.page_run_ended_at(session) is None
    handle(session, current, ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS)
    assert streamlit_fixes.page_run_ended_at(session) is not None
    assert len(handled) == 3  # Streamlit's own handling always runs


def timer_tick(fragment_id: str = "poll") -> object:
    from streamlit.proto.ClientState_pb2 import ClientState

    return ClientState(fragment_id=fragment_id, is_auto_rerun=True)


def busy_session() -> Session:
    from streamlit.runtime.app_session import AppSessionState

    session = Session(None)
    session._state = AppSessionState.APP_IS_RUNNING
    return session


def test_a_fragment_timer_waits_until_the_page_runs_end_has_left_for_the_browser(monkeypatch) -> None:
    """The live fragment's own timer fires while a page run goes on: its run does not start the moment
    the page run ends (the browser would get it in the same breath as the page's end, which can blank
    the page), but once that end has been sent and AFTER_PAGE_S has passed; a person's click goes at once."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.app_session import AppSessionState

    monkeypatch.setattr(streamlit_fixes, "AFTER_PAGE_S", 0.1)
    monkeypatch.setattr(streamlit_fixes, "TIMER_RETRY_S", 0.01)
    handled: list[object] = []
    request_rerun = streamlit_fixes.guard(lambda session, cs: handled.append(cs))
    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    session = busy_session()
    session.flush_browser_queue = lambda: [finished]
    flush = streamlit_fixes.note_page_end_sent(lambda s: s.flush_browser_queue())
    tick, click = timer_tick(), "click"

    async def scenario() -> None:
        request_rerun(session, tick)
        request_rerun(session, timer_tick())  # a second tick while waiting: still one run
        request_rerun(session, click)
        assert handled == [click]
        session.__dict__[streamlit_fixes._PAGE_RUN_ENDED] = time.monotonic()
        session._state = AppSessionState.APP_NOT_RUNNING
        await asyncio.sleep(0.05)
        assert handled == [click]  # the page run's end has not left yet
        flush(session)
        await asyncio.sleep(0.05)
        assert handled == [click]  # it has just left
        await asyncio.sleep(0.15)

    run_loop(scenario)
    assert handled == [click, timer_tick()]


def test_only_a_whole_page_runs_end_is_noted_as_sent() -> None:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    fragment_end = ForwardMsg()
    fragment_end.script_finished = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    session = Session(None)
    session.flush_browser_queue = lambda: [fragment_end]
    flush = streamlit_fixes.note_page_end_sent(lambda s: s.flush_browser_queue())
    assert flush(session) == [fragment_end]
    assert streamlit_fixes._PAGE_END_SENT not in session.__dict__
    assert streamlit_fixes.quiet(session)  # no page run ended yet: nothing to wait for


def test_install_patches_the_message_queue_once() -> None:
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    streamlit_fixes.install()
    patched = ForwardMsgQueue.clear
    streamlit_fixes.install()
    assert ForwardMsgQueue.clear is patched
    assert getattr(patched, streamlit_fixes._MARK)


def _delta(path: list[int], fragment: str, text: str):
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.metadata.delta_path[:] = path
    msg.delta.new_element.markdown.body = text
    msg.delta.fragment_id = fragment
    return msg


def _lifecycle(kind: str):
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    if kind == "start":
        msg.new_session.main_script_path = "app.py"
    else:
        msg.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    return msg


def _queue_of(*messages):
    """A session's queue of messages for the browser, with the fix installed."""
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    streamlit_fixes.install()
    queue = ForwardMsgQueue()
    for msg in messages:
        queue.enqueue(msg)
    return queue


def _what(queue) -> list[str]:
    return [
        m.delta.new_element.markdown.body if m.WhichOneof("type") == "delta" else m.WhichOneof("type") for m in queue
    ]


def test_a_fragment_run_starting_keeps_what_a_finished_page_run_drew_for_the_browser() -> None:
    # a whole-page run drew the part (a fragment) and finished; its messages still wait for the browser
    # when the part's own run starts: all of them go, in order (without the grid, the browser would
    # take the grid out as stale and the part's run would put a new one back)
    queue = _queue_of(
        _lifecycle("start"), _delta([0, 0], "part", "caption"), _delta([0, 1], "part", "grid"), _lifecycle("end")
    )
    queue.clear(retain_lifecycle_msgs=True, fragment_ids_this_run=["part"])
    assert _what(queue._queue) == ["new_session", "caption", "grid", "script_finished"]
    # the part's run then draws after them, none of its elements merged into the page run's
    queue.enqueue(_delta([0, 1], "part", "grid again"))
    assert _what(queue.flush()) == ["new_session", "caption", "grid", "script_finished", "grid again"]


def test_a_fragment_run_starting_still_clears_the_parts_messages_after_the_page_run() -> None:
    queue = _queue_of(
        _lifecycle("start"),
        _delta([0, 0], "part", "page run's caption"),
        _lifecycle("end"),
        _delta([0, 1], "part", "an interrupted part run's grid"),
        _delta([1, 0], "other", "another part"),
    )
    queue.clear(retain_lifecycle_msgs=True, fragment_ids_this_run=["part"])
    assert _what(queue._queue) == ["new_session", "page run's caption", "script_finished", "another part"]


def test_without_a_finished_page_run_the_queue_is_cleared_as_streamlit_does() -> None:
    for fragments in (["part"], None):
        queue = _queue_of(_lifecycle("start"), _delta([0, 0], "part", "caption"), _delta([1, 0], "other", "x"))
        queue.clear(retain_lifecycle_msgs=True, fragment_ids_this_run=fragments)
        assert _what(queue._queue) == (["new_session", "x"] if fragments else ["new_session"])
    queue = _queue_of(_lifecycle("start"), _delta([0, 0], "part", "caption"), _lifecycle("end"))
    queue.clear()  # a plain clear (a flush) empties it
    assert queue._queue == []
