"""What ui/streamlit_costs.py keeps once per process gives exactly what Streamlit's own code gives:
the theme every whole-page run sends the browser, and a cached function's argument names (its
cache key), so a session sees the same theme and gets the same cached values as without it."""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import threading
import time
import types

import pytest
from streamlit import config, type_util
from streamlit.proto.NewSession_pb2 import CustomThemeConfig
from streamlit.runtime import app_session

from tests.threads import in_a_thread
from ui import streamlit_costs

SECTIONS = ("theme", "theme.light", "theme.dark", "theme.sidebar", "theme.light.sidebar", "theme.dark.sidebar")


def streamlits_theme(section: str) -> bytes:
    msg = CustomThemeConfig()
    streamlits_theme.original(msg, section)
    return msg.SerializeToString()


streamlits_theme.original = getattr(app_session._populate_theme_msg, "__wrapped__", app_session._populate_theme_msg)


@pytest.fixture
def themed(monkeypatch):
    """A theme with colours, fonts and a sidebar of its own, as a config.toml would give."""
    config.get_config_options()
    for option, value in {
        "theme.primaryColor": "#0b5cad",
        "theme.base": "light",
        "theme.font": "sans-serif",
        "theme.chartCategoricalColors": ["#0072b2", "#e69f00"],
        "theme.sidebar.backgroundColor": "#f0f2f6",
    }.items():
        before = config._config_options[option]
        monkeypatch.setitem(config._config_options, option, copy.copy(before))
        config._config_options[option].set_value(value, "test")
    streamlit_costs._themes.clear()
    yield
    streamlit_costs._themes.clear()


@pytest.mark.parametrize("section", SECTIONS)
def test_the_kept_theme_is_the_theme_streamlit_sends(themed, section: str) -> None:
    kept = streamlit_costs.kept_theme(streamlits_theme.original)
    for _ in range(2):  # filled the first time, copied the second
        msg = CustomThemeConfig()
        kept(msg, section)
        assert msg.SerializeToString() == streamlits_theme(section)
    assert streamlits_theme("theme") != b""  # the test's theme is really there


def test_a_reparsed_config_gives_its_own_theme(themed, monkeypatch) -> None:
    kept = streamlit_costs.kept_theme(streamlits_theme.original)
    before = CustomThemeConfig()
    kept(before, "theme")
    monkeypatch.setattr(config, "_config_options", dict(config._config_options))  # what a reparse does: a new dict
    config._config_options["theme.primaryColor"] = copy.copy(config._config_options["theme.primaryColor"])
    config._config_options["theme.primaryColor"].set_value("#aa0000", "test")
    after = CustomThemeConfig()
    kept(after, "theme")
    assert before.primary_color == "#0b5cad" and after.primary_color == "#aa0000"


def test_a_cached_functions_parameters_are_streamlits_own() -> None:
    def measures(source, version: int, lang: str = "fi", *rest, _ids=(), **more) -> None: ...

    original = getattr(type_util.get_func_parameters, "__wrapped__", type_util.get_func_parameters)
    kept = streamlit_costs.kept_parameters(original)
    assert kept(measures) == original(measures) == kept(measures)
    assert [p.name for p in kept(measures)] == ["source", "version", "lang", "rest", "_ids", "more"]


def test_install_patches_streamlit_once() -> None:
    streamlit_costs.install()
    theme, parameters = app_session._populate_theme_msg, type_util.get_func_parameters
    streamlit_costs.install()
    assert app_session._populate_theme_msg is theme and type_util.get_func_parameters is parameters
    assert getattr(theme, streamlit_costs._MARK) and getattr(parameters, streamlit_costs._MARK)
    assert getattr(app_session.AppSession._call_soon_on_event_loop, streamlit_costs._MARK)
    from streamlit.components.v1 import custom_component  # noqa: PLC0415

    dumps = custom_component.json.dumps
    streamlit_costs.install()
    assert custom_component.json.dumps is dumps and getattr(dumps, streamlit_costs._MARK)
    assert custom_component.json.loads is json.loads  # the rest of the module is json's own


LONG = 'rows: [{"toimenpide": "Hyvinvointi \\"kouluun\\" – ä, ö, å\n\t\u2028 <b>&</b>", "n": 1.5}] ' * 80


@pytest.mark.parametrize(
    "args",
    [
        {"data": None, "gridOptions": {"columnDefs": [{"field": "ä", "width": 200}], "rowData": LONG}, "key": "g"},
        {"data": LONG, "gridOptions": {"a": {"b": {"c": LONG}}, "n": {1: LONG}, "e": {}}, "height": 560},
        {"a": LONG, "b": LONG, "c": None, "d": True, "e": float("nan"), "f": [1, "x", {"y": LONG}]},
        {"only": LONG},
        {"short": "ä" * 10, "n": 1},
        {},
    ],
)
def test_component_arguments_are_the_json_text_streamlit_makes(args: dict) -> None:
    kept = streamlit_costs.kept_long_texts(json.dumps)
    for _ in range(2):  # encoded the first time, the long text reused the second
        assert kept(args) == json.dumps(args)


def test_anything_but_a_plain_dict_is_encoded_by_json_itself() -> None:
    kept = streamlit_costs.kept_long_texts(json.dumps)
    for obj in ([LONG, LONG], LONG, {1: LONG, "a": 2}, None):
        assert kept(obj) == json.dumps(obj)
    assert kept({"a": LONG}, sort_keys=True, indent=1) == json.dumps({"a": LONG}, sort_keys=True, indent=1)
    with pytest.raises(TypeError):  # what cannot be encoded fails as it does in json (Streamlit reports it)
        kept({"a": LONG, "b": {1, 2}})


def test_a_long_text_is_encoded_once_per_text_object() -> None:
    calls: list[object] = []

    def counting(obj, *args, **kwargs):
        calls.append(obj)
        return json.dumps(obj, *args, **kwargs)

    kept = streamlit_costs.kept_long_texts(counting)
    text = "x" * streamlit_costs.LONG_TEXT + "'"
    kept({"data": text, "key": "a"})
    kept({"gridOptions": {"rowData": text}, "key": "b"})  # where streamlit-aggrid puts the rows
    assert sum(1 for c in calls if c is text) == 1
    other = "".join(["x" * streamlit_costs.LONG_TEXT, "!"])  # another text: encoded for itself
    assert json.loads(kept({"data": other})) == {"data": other}


class _Session:
    """What AppSession's hand-over to the event loop uses of the session: its loop."""

    def __init__(self, loop) -> None:
        self._event_loop = loop


def _streamlits_call_soon():
    from streamlit.runtime.app_session import AppSession

    method = AppSession._call_soon_on_event_loop
    return getattr(method, "__wrapped__", method)


def test_a_sessions_hand_overs_all_run_in_order_with_one_wake_up_per_batch() -> None:
    """Three script threads hand over 300 callbacks each to their sessions: every one runs, each
    session's in the order handed over, and the loop is woken far fewer times than once per callback."""
    loop = asyncio.new_event_loop()
    wakeups = []
    threadsafe = loop.call_soon_threadsafe

    def counted(*args, **kwargs):
        wakeups.append(1)
        return threadsafe(*args, **kwargs)

    loop.call_soon_threadsafe = counted
    runner = threading.Thread(target=loop.run_forever)
    runner.start()
    call_soon = streamlit_costs.batched_calls(_streamlits_call_soon())
    sessions = [_Session(loop) for _ in range(3)]
    ran: dict[int, list[int]] = {i: [] for i in range(3)}
    slow = threading.Event()

    def hand_over(i: int) -> None:
        for n in range(300):
            call_soon(sessions[i], functools.partial(ran[i].append, n))
            if n == 10:
                slow.wait(0.05)  # a run that pauses between elements

    threads = [threading.Thread(target=hand_over, args=(i,)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    done = threading.Event()
    loop.call_soon_threadsafe(done.set)
    assert done.wait(10)
    deadline = time.monotonic() + 10
    while any(len(r) < 300 for r in ran.values()) and time.monotonic() < deadline:
        time.sleep(0.01)
    loop.call_soon_threadsafe(loop.stop)
    runner.join(10)
    loop.close()
    assert all(r == list(range(300)) for r in ran.values())
    assert len(wakeups) < 3 * 300 / 2


def test_a_failing_callback_is_reported_and_the_rest_still_run() -> None:
    in_a_thread(_a_failing_callback_is_reported_and_the_rest_still_run)


def _a_failing_callback_is_reported_and_the_rest_still_run() -> None:
    loop = asyncio.new_event_loop()
    reported, ran = [], []
    loop.set_exception_handler(lambda _loop, context: reported.append(context["exception"]))
    call_soon = streamlit_costs.batched_calls(_streamlits_call_soon())
    session = _Session(loop)

    def fails() -> None:
        raise ValueError("broken")

    call_soon(session, fails)
    call_soon(session, lambda: ran.append("after"))
    loop.call_soon(loop.stop)
    loop.run_forever()
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    assert ran == ["after"] and isinstance(reported[0], ValueError)


def test_a_message_handed_over_on_the_loop_sets_the_send_flag_there() -> None:
    """Runtime's "messages are waiting" flag: set directly on the loop, through the loop from elsewhere."""
    in_a_thread(_a_message_handed_over_on_the_loop_sets_the_send_flag_there)


def _a_message_handed_over_on_the_loop_sets_the_send_flag_there() -> None:
    loop = asyncio.new_event_loop()
    objs = types.SimpleNamespace(eventloop=loop, need_send_data=asyncio.Event())
    through_loop = []

    class Runtime:
        def _get_async_objs(self):
            return objs

        def _enqueued_some_message(self):
            through_loop.append(1)
            objs.eventloop.call_soon_threadsafe(objs.need_send_data.set)

    enqueued = streamlit_costs.enqueued_on_loop(Runtime._enqueued_some_message)

    async def on_loop() -> bool:
        enqueued(Runtime())
        return objs.need_send_data.is_set()

    assert loop.run_until_complete(on_loop()) and through_loop == []
    objs.need_send_data.clear()
    enqueued(Runtime())  # not on the loop (a script thread): through the loop, as Streamlit does
    loop.run_until_complete(asyncio.sleep(0))
    assert through_loop == [1] and objs.need_send_data.is_set()
    loop.close()
