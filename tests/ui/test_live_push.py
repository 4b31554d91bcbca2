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
    runner = FakeRunner()
    s = session(runner)
    assert live._push(s) is True
    (asked,) = runner.asked
    assert asked.fragment_id_queue == ["poll-1"] and asked.is_auto_rerun
    assert asked.page_script_hash == "page-hash" and asked.query_string == "toimija=kotka"
    assert asked.widget_states is None  # None: the session's widget values stay as they are


def test_a_session_without_a_runner_gets_one_for_the_push() -> None:
    s = session(None)
    assert live._push(s) is True
    (created,) = s.created
    assert created.fragment_id_queue == ["poll-1"]


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
