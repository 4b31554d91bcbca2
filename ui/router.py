"""The router: page config, navigation, the shared sidebar and live updates (app.py calls main()).

Page files are named by their URL path (pages/paatavoite-1.py is /paatavoite-1). The first session
of a fresh server process (a sleeping Community Cloud app woken by a shared deep link) runs in
Streamlit's old folder-based multipage mode, because a pages/ folder sits beside app.py: that mode
knows only the files' own names, so with these names it finds the linked page instead of showing
"Page not found", and the page hands over to the router (ensure_routed) before it draws anything.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException

from core import config
from core.i18n import t
from core.loader import error_text
from core.storage import StoreUnavailable
from core.text import md_escape
from core.turns import Turns
from ui import data, frame, live, state, theme

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

    st.set_page_config(
        page_title="Lasten ja nuorten hyvinvointisuunnitelma", page_icon=":material/family_restroom:", layout="wide"
    )

    try:
        plan = data.plan()
    except ValueError as exc:  # broken data/: say so in Finnish, do not crash
        st.error(t("notice.data_error", "fi", error=md_escape(error_text(exc, "fi")[:2000])))
        st.stop()
    data.begin_run()
    state.init_state(plan)
    lang = state.lang()

    pages = {
        t("nav.section.plan", lang): [
            st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/home:", default=True),
            st.Page(
                "pages/paatavoite-1.py",
                title=t("nav.goal", lang, goal="I"),
                icon=":material/looks_one:",
                url_path="paatavoite-1",
            ),
            st.Page(
                "pages/paatavoite-2.py",
                title=t("nav.goal", lang, goal="II"),
                icon=":material/looks_two:",
                url_path="paatavoite-2",
            ),
            st.Page(
                "pages/paatavoite-3.py",
                title=t("nav.goal", lang, goal="III"),
                icon=":material/looks_3:",
                url_path="paatavoite-3",
            ),
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
                "pages/vuosikello-sykli.py",
                title=t("nav.vuosikello", lang),
                icon=":material/event_repeat:",
                url_path="vuosikello-sykli",
            ),
            st.Page("pages/historia.py", title=t("nav.history", lang), icon=":material/history:", url_path="historia"),
        ],
    }
    navigation = st.navigation(pages, expanded=True)  # every page in view, no "View 3 more"
    frame.sidebar(plan)
    st.session_state[state.ROUTED] = True  # pages may link to each other only under the router
    theme.page_css()
    editor = frame.current_editor()
    live.watch(editor.name if editor else None)  # others' saves show within seconds
    try:
        navigation.run()
    except StoreUnavailable as exc:  # the store failed under a page (e.g. its file was damaged meanwhile)
        data.store_failed(exc)
        st.error(md_escape(exc.text(lang)))


def ensure_routed() -> None:
    """Run the router if Streamlit started a page without it (its folder mode: the first session of a
    server process, before any st.navigation); the router then runs this page itself."""
    if PagesManager.uses_pages_directory:
        main()
        st.stop()
