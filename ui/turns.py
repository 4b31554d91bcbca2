"""Page-run turns: a process admits a few page runs (and live parts' runs) at a time, first come first served.

A workshop's sessions rerun together after each save; admitting a few runs at a time keeps the server
answering (a waiting run does not compete for Python's one running thread). A person's own action goes
ahead of the reruns that live updates start in the background (state.BACKGROUND_RUN: those only redraw
others' saves, a second later does no harm). A run that waited ``page_run_wait_s`` without a turn does
not run: the person is told the server is busy, so the limit holds under the load it exists for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from core.base import config
from core.base.i18n import t
from core.serving.turns import Turns
from ui import state

_ASKED_AT = "_run_asked_at"


@st.cache_resource(show_spinner=False)
def _run_turns(n: int) -> Turns:
    """The process's page-run turns (config ``page_runs_at_once``), shared by every session."""
    return Turns(n)


def run_page(route: Callable[[], None]) -> None:
    """Run ``route()`` (a whole page run) in one of the process's page-run turns; busy: say so instead.

    A session's newer request replaces its run as soon as that run starts.
    """
    background = bool(st.session_state.pop(state.BACKGROUND_RUN, False))
    n = int(config.number("page_runs_at_once"))  # a mistyped setting must not stop every page: the default then
    if n <= 0:
        route()
        return
    # a run cut short by the session's next request (Streamlit's RerunException) leaves its time here,
    # so the next run keeps the place in line; a run that ends any other way clears it
    since = st.session_state.get(_ASKED_AT)
    if since is None:
        since = st.session_state[_ASKED_AT] = time.monotonic()
    wait = config.number("page_run_wait_s")
    with _run_turns(n).turn(wait, since, priority=1 if background else 0) as got:
        if not got:
            st.session_state.pop(_ASKED_AT, None)
            _busy(wait)
            return
        try:
            route()
        except RerunException:
            raise
        except BaseException:
            st.session_state.pop(_ASKED_AT, None)
            raise
        st.session_state.pop(_ASKED_AT, None)


def _busy(waited: float) -> None:
    """The run got no turn in time: say so (nothing else is drawn) and offer to try again."""
    lang = state.lang()
    st.warning(t("background.page_busy", lang, seconds=f"{waited:.0f}"), icon=":material/hourglass_top:")
    st.button(t("background.retry", lang), key="busy_retry", type="primary")  # a click reruns the page


@contextmanager
def part_turn() -> Iterator[bool]:
    """A live page part's own run (ui.live.part, a fragment run after others' saves) takes a page-run
    turn like a whole page's run: after a save every open page redraws its grid part at once, and
    without turns those runs crowded out the people's own clicks (bench/live_load.py). A part redrawn
    for others' saves waits behind people's clicks; one that got no turn in ``page_run_wait_s`` says
    the server is busy instead of drawing (``got`` False)."""
    background = bool(st.session_state.pop(state.BACKGROUND_RUN, False))
    n = int(config.number("page_runs_at_once"))
    if n <= 0:
        yield True
        return
    wait = config.number("page_run_wait_s")
    with _run_turns(n).turn(wait, time.monotonic(), priority=1 if background else 0) as got:
        if not got:
            _busy(wait)
        yield got
