"""The router: page config, navigation, the shared sidebar and live updates (app.py calls main()).

Page files are named by their URL path (pages/paatavoite-1.py is /paatavoite-1). The first session
of a fresh server process (a sleeping Community Cloud app woken by a shared deep link) runs in
Streamlit's old folder-based multipage mode, because a pages/ folder sits beside app.py: that mode
knows only the files' own names, so with these names it finds the linked page instead of showing
"Page not found", and the page hands over to the router (ensure_routed) before it draws anything.
The goal pages follow the chosen plan (goal_pages): one file per goal number, pages/paatavoite-1.py …
-9.py, for the same reason.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from core.base import config
from core.base.i18n import t
from core.base.text import md_escape
from core.plan.model import Plan
from core.serving.turns import Turns
from core.store import StoreUnavailable
from ui import data, frame, goal_page, live, state, theme

# The page icon is a file the app serves itself: a Material icon as page_icon is fetched by every
# browser from fonts.gstatic.com (each visitor's address to Google; no icon offline).
PAGE_ICON = Path(__file__).resolve().parent.parent / "assets" / "icon.png"  # scripts/make_icon.py draws it
_ASKED_AT = "_run_asked_at"


@st.cache_resource(show_spinner=False)
def _run_turns(n: int) -> Turns:
    """The process's page-run turns (config ``page_runs_at_once``), shared by every session."""
    return Turns(n)


def main() -> None:
    """Route this run, taking one of the process's page-run turns while it runs.

    A workshop's sessions rerun together after each save; admitting a few runs at a time, first come
    first served, keeps the server answering (a waiting run does not compete for Python's one
    running thread), and a session's newer request replaces its run as soon as that run starts.
    A person's own action goes ahead of the reruns that live updates start in the background
    (those only redraw others' saves, a second later does no harm). A run that waited
    ``page_run_wait_s`` without a turn does not run: the person is told the server is busy, so the
    limit holds under the load it exists for.
    """
    background = bool(st.session_state.pop(live.BACKGROUND_RUN, False))
    n = int(config.number("page_runs_at_once"))  # a mistyped setting must not stop every page: the default then
    if n <= 0:
        _route()
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
            _route()
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


def _route() -> None:
    """Page config, navigation, sidebar, live updates, then the chosen page."""

    st.set_page_config(page_title="Lasten ja nuorten hyvinvointisuunnitelma", page_icon=str(PAGE_ICON), layout="wide")

    data.begin_run()
    plan = frame.current_plan()  # the one place the plan is resolved (page_context takes the same)
    state.init_state(plan)
    lang = state.lang()

    pages = {
        t("nav.section.plan", lang): [
            st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/home:", default=True),
            *goal_pages(plan, lang),
            st.Page(
                "pages/indikaattorit.py",
                title=t("nav.indicators", lang),
                icon=":material/bar_chart:",
                url_path="indikaattorit",
            ),
            st.Page(
                "pages/toimenpiteet.py",
                title=t("nav.measures", lang),
                icon=":material/checklist:",
                url_path="toimenpiteet",
            ),
            st.Page(
                "pages/tyopaja.py", title=t("nav.workshop", lang), icon=":material/co_present:", url_path="tyopaja"
            ),
        ],
        t("nav.section.follow", lang): [
            st.Page(
                "pages/aikajana.py", title=t("nav.timeline", lang), icon=":material/view_timeline:", url_path="aikajana"
            ),
            st.Page(
                "pages/arviointi.py", title=t("nav.evaluation", lang), icon=":material/grading:", url_path="arviointi"
            ),
            st.Page(
                "pages/tiedot.py", title=t("nav.data_entry", lang), icon=":material/upload_file:", url_path="tiedot"
            ),
            st.Page(
                "pages/raportit.py", title=t("nav.reports", lang), icon=":material/description:", url_path="raportit"
            ),
            st.Page(
                "pages/loppuarviointi.py",
                title=t("nav.final_evaluation", lang),
                icon=":material/fact_check:",
                url_path="loppuarviointi",
            ),
            st.Page(
                "pages/vuosikello-sykli.py",
                title=t("nav.vuosikello", lang),
                icon=":material/event_repeat:",
                url_path="vuosikello-sykli",
            ),
            st.Page("pages/historia.py", title=t("nav.history", lang), icon=":material/history:", url_path="historia"),
            st.Page(
                "pages/uusi-suunnitelma.py",
                title=t("plans.nav", lang),
                icon=":material/note_add:",
                url_path="uusi-suunnitelma",
            ),
        ],
    }
    # .streamlit/config.toml hides the folder mode's list of raw file names; this navigation is shown
    st.set_option("client.showSidebarNavigation", True)
    navigation = st.navigation(pages, expanded=True)  # every page in view, no "View 3 more"
    frame.sidebar(plan)
    st.session_state[state.ROUTED] = True  # pages may link to each other only under the router
    theme.page_css()
    live.watch()  # others' saves show within seconds
    try:
        navigation.run()
    except StoreUnavailable as exc:  # the store failed under a page (e.g. its file was damaged meanwhile)
        data.store_failed(exc)
        st.error(md_escape(exc.text(lang)))


_GOAL_ICONS = {1: "looks_one", 2: "looks_two", 3: "looks_3", 4: "looks_4", 5: "looks_5", 6: "looks_6"}


def goal_pages(plan: Plan, lang: str) -> list[StreamlitPage]:
    """One page per main goal of ``plan`` (as many as it has), at /paatavoite-<number>.

    A goal number with a page file (pages/paatavoite-<n>.py) uses it, so the first link after a server
    start finds it (see the module's docstring); a number beyond the files is a page of its own here,
    which works as soon as the router has run once in the process. The files of numbers this plan does
    not have stay registered but hidden: a link to goal 4 of another plan, or a session that chooses a
    three-goal plan on goal 4's page, gets a sentence instead of Streamlit's "Page not found".
    """
    goals = {g.number: g for g in plan.goals}
    out = []
    for n in sorted(set(goals) | set(state.GOAL_PAGE_FILES)):
        goal = goals.get(n)
        title = t("nav.goal", lang, goal=goal.goal_id if goal else str(n))
        icon = f":material/{_GOAL_ICONS.get(n, 'flag')}:"
        page = state.GOAL_PAGE_FILES.get(n) or _goal_page(n)
        visibility = "visible" if goal else "hidden"
        out.append(st.Page(page, title=title, icon=icon, url_path=f"paatavoite-{n}", visibility=visibility))
    return out


def _goal_page(number: int):
    def page() -> None:
        goal_page.render_number(number)

    page.__name__ = f"paatavoite_{number}"
    return page


def ensure_routed() -> None:
    """Run the router if Streamlit started a page without it (its folder mode: the first session of a
    server process, before any st.navigation); the router then runs this page itself."""
    if PagesManager.uses_pages_directory:
        main()
        st.stop()


@contextmanager
def part_turn() -> Iterator[bool]:
    """A live page part's own run (ui.live.part, a fragment run after others' saves) takes a page-run
    turn like a whole page's run: after a save every open page redraws its grid part at once, and
    without turns those runs crowded out the people's own clicks (bench/live_load.py). A part redrawn
    for others' saves waits behind people's clicks; one that got no turn in ``page_run_wait_s`` says
    the server is busy instead of drawing (``got`` False)."""
    background = bool(st.session_state.pop(live.BACKGROUND_RUN, False))
    n = int(config.number("page_runs_at_once"))
    if n <= 0:
        yield True
        return
    wait = config.number("page_run_wait_s")
    with _run_turns(n).turn(wait, time.monotonic(), priority=1 if background else 0) as got:
        if not got:
            _busy(wait)
        yield got
