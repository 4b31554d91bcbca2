"""Fixes for two races in Streamlit (1.67): AppSession losing a run's end, or its last elements, and the
message queue dropping a finished page run's elements of a part when the part's own run starts
(``keep_finished_page_run``); and a note of when each session's last whole-page run ended (``note_page_run_end``), which ui.live's push
reads so that a fragment run never reaches the browser straight after a page run (ui/live.py's
``_AFTER_PAGE_S``: that sequence could blank the page in Streamlit's frontend).

A session's script runner sends everything a run makes (elements, "finished") as events that the
server's event loop handles in order, and the loop drops events of a runner that is no longer the
session's current one. When a rerun request reaches the loop just after the runner has finished its
run but before the loop has handled that run's last events, Streamlit starts a new runner at once, and
the old runner's "finished" (and any elements still on their way) are dropped: the browser never
hears that the run ended. Live updates make such moments frequent (a fragment rerun right after a
page run); bench/live_load.py saw 6-60 of ~3,000 reruns unanswered per 300 s, each one exactly so
(instrumented: "REQ … runner_state=STOP NEW runner", then "SCRIPT_STOPPED_WITH_SUCCESS IGNORED").

The fix waits: a request that finds the runner stopping is kept, in order with any later ones of
the session, and handed to Streamlit once the old runner's last event (its shutdown) has been
handled, a few milliseconds later. Nothing is dropped or reordered; a runner that does not shut down
within ``MAX_WAIT_S`` gets the request the old way.

The quiet time after a page run (``quiet``, ``AFTER_PAGE_S``) counts from when the run's end left
for the browser (``flush_browser_queue``), not from when the run ended: under load the server's
event loop delivers a session's messages up to ~0.6 s late, and a fragment run asked for 0.3 s after
the end then reached the browser in the same breath as it (bench/live_load.py page traces, a
sitecustomize logging every rerun request). And a fragment's own timer (the live fragment's
``run_every``) that fires while a page run goes on would have its run start the moment the page run
ends: such a request waits until the session is quiet too (``defer_timer_rerun``).
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable

RETRY_S = 0.005
MAX_WAIT_S = 2.0
_WAITING = "_kymlapset_waiting_reruns"
_MARK = "_kymlapset_waits_for_stopping_runner"


def stopping(runner: object) -> bool:
    """Whether ``runner`` has finished for good (its requests are STOP) while still the session's runner."""
    if runner is None:
        return False
    from streamlit.runtime.scriptrunner_utils.script_requests import ScriptRequestType  # noqa: PLC0415

    return getattr(getattr(runner, "_requests", None), "_state", None) == ScriptRequestType.STOP


def settling(session: object) -> bool:
    """Whether ``session`` has requests waiting for its old runner's shutdown, or a runner stopping:
    a request made now from the server's side (ui.live's push) must wait too, to keep their order."""
    return bool(getattr(session, "__dict__", {}).get(_WAITING)) or stopping(getattr(session, "_scriptrunner", None))


def guard(original: Callable) -> Callable:
    """``AppSession.request_rerun`` that waits for a stopping runner's shutdown (see the module docstring)."""

    @functools.wraps(original)
    def request_rerun(self, client_state=None) -> None:
        waiting = self.__dict__.setdefault(_WAITING, [])
        if waiting:  # earlier requests of this session wait: this one goes after them
            waiting.append(client_state)
            return
        if _timer_rerun(client_state) and not quiet(self) and defer_timer_rerun(self, original, client_state):
            return
        if not stopping(self._scriptrunner):
            original(self, client_state)
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop (never so in the server): the old way
            original(self, client_state)
            return
        waiting.append(client_state)
        loop.call_later(RETRY_S, _drain, self, original, loop, loop.time() + MAX_WAIT_S)

    setattr(request_rerun, _MARK, True)
    return request_rerun


def _drain(session, original: Callable, loop: asyncio.AbstractEventLoop, give_up_at: float) -> None:
    if stopping(session._scriptrunner) and loop.time() < give_up_at:
        loop.call_later(RETRY_S, _drain, session, original, loop, give_up_at)
        return
    waiting = session.__dict__.get(_WAITING) or []
    while waiting:
        original(session, waiting.pop(0))


_PAGE_RUN_ENDED = "_kymlapset_page_run_ended"
_PAGE_END_SENT = "_kymlapset_page_run_end_sent"
_TIMERS = "_kymlapset_deferred_timer_reruns"
AFTER_PAGE_S = 0.3  # a fragment run reaches the browser at least this long after a page run's end
TIMER_RETRY_S = 0.1
TIMER_MAX_WAIT_S = 10.0  # a timer rerun still not run by then is dropped: the timer fires again


def _timer_rerun(client_state: object) -> bool:
    """Whether a browser's request is a fragment's own timer (``run_every``), not a person's action."""
    return bool(getattr(client_state, "is_auto_rerun", False) and getattr(client_state, "fragment_id", ""))


def quiet(session: object) -> bool:
    """Whether a fragment run may start for ``session`` now: no script runner at all (none running,
    starting, with a request waiting or stopping), no request waiting for one, and its last page
    run's end delivered at least ``AFTER_PAGE_S`` ago.

    Streamlit's frontend (1.67) can lose the whole page ("Cannot set a node at a delta path", the page
    white, its connection closed) when a fragment run arrives right behind a page run's end. A runner
    that exists is enough to wait for: the session says it is running only once the event loop has
    handled the run's start, and a request given to a runner that has just started (a fragment's run
    that then reruns the page) would run straight behind that page run.
    """
    from streamlit.runtime.app_session import AppSessionState  # noqa: PLC0415

    if getattr(session, "_state", None) == AppSessionState.APP_IS_RUNNING or settling(session):
        return False
    if getattr(session, "_scriptrunner", None) is not None:
        return False
    ended, sent = page_run_ended_at(session), getattr(session, "__dict__", {}).get(_PAGE_END_SENT)
    if ended is None:
        return True
    if sent is None or sent < ended:  # its end has not left for the browser yet
        return False
    return time.monotonic() - sent >= AFTER_PAGE_S


def defer_timer_rerun(session, original: Callable, client_state) -> bool:
    """Keep a fragment timer's rerun until ``session`` is quiet, then ask Streamlit for it; one per
    fragment (a later tick replaces a kept one). False off the event loop (then it goes at once)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return False
    timers = session.__dict__.setdefault(_TIMERS, {})
    fresh = client_state.fragment_id not in timers
    timers[client_state.fragment_id] = client_state
    if fresh:
        loop.call_later(
            TIMER_RETRY_S, _timer_due, session, original, client_state.fragment_id, loop.time() + TIMER_MAX_WAIT_S
        )
    return True


def _timer_due(session, original: Callable, fragment_id: str, give_up_at: float) -> None:
    from streamlit.runtime.app_session import AppSessionState  # noqa: PLC0415

    timers = session.__dict__.get(_TIMERS) or {}
    if fragment_id not in timers:
        return
    if getattr(session, "_state", None) == AppSessionState.SHUTDOWN_REQUESTED or time.monotonic() > give_up_at:
        timers.pop(fragment_id, None)  # closed, or busy for long: the timer fires again
        return
    if not quiet(session):  # (quiet includes no request waiting for a stopping runner)
        asyncio.get_running_loop().call_later(TIMER_RETRY_S, _timer_due, session, original, fragment_id, give_up_at)
        return
    original(session, timers.pop(fragment_id))


def note_page_end_sent(original: Callable) -> Callable:
    """``AppSession.flush_browser_queue`` that notes when a page run's end left for the browser."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: PLC0415

    @functools.wraps(original)
    def flush(self):
        msgs = original(self)
        for msg in msgs:
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.__dict__[_PAGE_END_SENT] = time.monotonic()
        return msgs

    setattr(flush, _MARK, True)
    return flush


def note_page_run_end(original: Callable) -> Callable:
    """``AppSession._handle_scriptrunner_event_on_event_loop`` that notes when the session's last
    whole-page run ended (its end handed to the browser), for ``page_run_ended_at``."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunnerEvent  # noqa: PLC0415

    @functools.wraps(original)
    def handle(self, sender, event, *args, **kwargs) -> None:
        current = sender is self._scriptrunner
        original(self, sender, event, *args, **kwargs)
        if current and event == ScriptRunnerEvent.SCRIPT_STOPPED_WITH_SUCCESS:
            self.__dict__[_PAGE_RUN_ENDED] = time.monotonic()

    setattr(handle, _MARK, True)
    return handle


def page_run_ended_at(session: object) -> float | None:
    """When (time.monotonic()) ``session``'s last whole-page run ended, if known."""
    return getattr(session, "__dict__", {}).get(_PAGE_RUN_ENDED)


def keep_finished_page_run(original: Callable) -> Callable:
    """``ForwardMsgQueue.clear`` that keeps a finished whole-page run's messages when a fragment run starts.

    When a fragment run starts, Streamlit (1.67) drops that fragment's messages still waiting in the
    session's queue for the browser, keeping the lifecycle ones. If a whole-page run has just finished
    and its end waits in the queue too, the browser then hears "finished successfully" without the
    part's later elements, removes them as stale, and the fragment run draws them anew: the measures
    grid's iframe was taken out and put back, an open cell editor and the scroll place gone
    (bench/editor_stress.py, ~1-3 % of cycles with saves every 0.3 s; the WebSocket showed exactly this).
    Everything up to the last finished whole-page run is what that run drew: it stays, in order; only
    what comes after it is cleared as before."""

    @functools.wraps(original)
    def clear(self, retain_lifecycle_msgs: bool = False, fragment_ids_this_run: list[str] | None = None) -> None:
        finished = _last_finished_page_run(self._queue) if retain_lifecycle_msgs and fragment_ids_this_run else None
        if finished is None:
            original(self, retain_lifecycle_msgs, fragment_ids_this_run)
            return
        done, self._queue = self._queue[: finished + 1], self._queue[finished + 1 :]
        original(self, retain_lifecycle_msgs, fragment_ids_this_run)
        self._queue = done + self._queue  # later messages append after them (the index map is empty)

    setattr(clear, _MARK, True)
    return clear


def _last_finished_page_run(queue: list) -> int | None:
    """Where the last "whole-page run finished successfully" of ``queue`` is, if it has one."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: PLC0415

    for i in range(len(queue) - 1, -1, -1):
        msg = queue[i]
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
            return i
    return None


def install() -> None:
    """Patch Streamlit's AppSession and its message queue once per process (idempotent)."""
    from streamlit.runtime.app_session import AppSession  # noqa: PLC0415
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue  # noqa: PLC0415

    if not getattr(ForwardMsgQueue.clear, _MARK, False):
        ForwardMsgQueue.clear = keep_finished_page_run(ForwardMsgQueue.clear)

    if not getattr(AppSession.request_rerun, _MARK, False):
        AppSession.request_rerun = guard(AppSession.request_rerun)
    handler = AppSession._handle_scriptrunner_event_on_event_loop
    if not getattr(handler, _MARK, False):
        AppSession._handle_scriptrunner_event_on_event_loop = note_page_run_end(handler)
    if not getattr(AppSession.flush_browser_queue, _MARK, False):
        AppSession.flush_browser_queue = note_page_end_sent(AppSession.flush_browser_queue)
