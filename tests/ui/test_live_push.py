"""The process's watcher pushes a look to each open page (ui/live.py ``_push``), the way the page's own
timer would, without taking anything from a click that waits to run."""

from __future__ import annotations

from types import SimpleNamespace

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSessionState
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData, ScriptRequests

from ui import live


class FakeStorage:
    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    def resolve_target(self, names):
        assert list(names) == [live.POLL_KEY]
        if not self.ids:
            raise KeyError("no fragment of that key")
        return list(self.ids)


class FakeRunner:
    def __init__(self) -> None:
        self._requests = ScriptRequests()
        self.asked: list[RerunData] = []

    def request_rerun(self, data: RerunData) -> bool:
        self.asked.append(data)
        return self._requests.request_rerun(data)


def session(runner=None, ids=("poll-1",), page="page-hash", query="toimija=kotka"):
    client = ClientState()
    client.page_script_hash = page
    client.query_string = query
    created: list[RerunData] = []
    return SimpleNamespace(
        _state=AppSessionState.APP_NOT_RUNNING,
        _fragment_storage=FakeStorage(list(ids)),
        _scriptrunner=runner,
        _client_state=client,
        _create_scriptrunner=created.append,
        created=created,
    )


def test_a_push_runs_the_live_fragment_on_the_page_shown_and_keeps_the_widgets() -> None:
    s = session(None)
    assert live._push(s) is True
    (asked,) = s.created
    assert asked.fragment_id_queue == ["poll-1"] and asked.is_auto_rerun
    assert asked.page_script_hash == "page-hash" and asked.query_string == "toimija=kotka"
    assert asked.widget_states is None  # None: the session's widget values stay as they are


def test_a_push_waits_while_the_session_has_a_runner() -> None:
    """A runner that has just started a run (the session does not say it runs yet) may rerun the whole
    page from it: a push folded in would run straight behind that page run, which can blank the page."""
    runner = FakeRunner()
    runner._requests.request_rerun(RerunData())
    runner._requests.on_scriptrunner_ready()  # the runner has taken its run: running, nothing waiting
    s = session(runner)
    assert live._push(s) is False
    assert runner.asked == [] and s.created == []


def test_a_click_waiting_to_run_is_not_joined_by_a_push() -> None:
    """A pending request (say, a click that opens another page) would take the later request's page and
    address when the two are folded: the push waits instead, and the click's run shows the newest data."""
    runner = FakeRunner()
    click = RerunData(page_script_hash="other-page", query_string="")
    runner._requests.request_rerun(click)
    s = session(runner)
    assert live._push(s) is False
    assert runner.asked == []


def test_nothing_is_pushed_to_a_page_without_a_live_fragment_or_a_closing_session() -> None:
    runner = FakeRunner()
    assert live._push(session(runner, ids=())) is True
    closing = session(runner)
    closing._state = AppSessionState.SHUTDOWN_REQUESTED
    assert live._push(closing) is True
    assert runner.asked == []


def page_session(monkeypatch, runner=None):
    """A session the server knows (Runtime's session manager), for ``_page_after_run``."""
    import streamlit.runtime as runtime

    s = session(runner)
    s.id = "sid-1"
    s._session_state = {}
    s._client_state.cached_message_hashes.extend(["h1", "h2"])
    manager = SimpleNamespace(get_active_session_info=lambda sid: SimpleNamespace(session=s) if sid == s.id else None)
    monkeypatch.setattr(runtime.Runtime, "instance", staticmethod(lambda: SimpleNamespace(_session_mgr=manager)))
    return s


def test_a_whole_page_redraw_starts_once_the_session_runs_nothing(monkeypatch) -> None:
    """The live fragment asks for the page from the event loop: a full run of the page and address
    shown, with the messages the browser kept, marked as a background run (a click goes first)."""
    s = page_session(monkeypatch)
    live._page_after_run(s.id, give_up_at=float("inf"))
    (created,) = s.created
    assert not created.fragment_id_queue  # the whole page
    assert (created.page_script_hash, created.query_string) == ("page-hash", "toimija=kotka")
    assert created.cached_message_hashes == frozenset({"h1", "h2"})
    assert created.widget_states is None
    assert s._session_state[live.state.BACKGROUND_RUN] is True


def test_a_whole_page_redraw_does_not_join_a_run_under_way(monkeypatch) -> None:
    s = page_session(monkeypatch, runner=FakeRunner())
    live._page_after_run(s.id, give_up_at=0.0)  # busy, and past its time: the next look asks again
    assert s.created == [] and s._scriptrunner.asked == []
    live._page_after_run("a-closed-session", give_up_at=float("inf"))
    assert s.created == []
