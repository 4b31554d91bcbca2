"""The router: page config, navigation, the shared sidebar and live updates (app.py calls main()).

Page files are named by their URL path (pages/paatavoite-1.py is /paatavoite-1). The first session
of a fresh server process (a sleeping Community Cloud app woken by a shared deep link) runs in
Streamlit's old folder-based multipage mode, because a pages/ folder sits beside app.py: that mode
knows only the files' own names, so with these names it finds the linked page instead of showing
"Page not found", and the page hands over to the router (page_context) before it draws anything.
The goal pages follow the chosen plan (goal_pages): one file per goal number, pages/paatavoite-1.py …
-9.py, for the same reason.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager

from core.base.i18n import t
from core.base.text import md_escape
from core.plan.model import Plan
from core.store import StoreUnavailable
from ui import data, deep_links, frame, goal_page, live, state, streamlit_costs, streamlit_fixes, theme, turns

# The page icon is a file the app serves itself: a Material icon as page_icon is fetched by every
# browser from fonts.gstatic.com (each visitor's address to Google; no icon offline).
PAGE_ICON = Path(__file__).resolve().parent.parent / "assets" / "icon.png"  # scripts/make_icon.py draws it


def main() -> None:
    """Route this run, in one of the process's page-run turns (ui.turns)."""
    streamlit_fixes.install()  # once per process: a rerun must not lose the run before it
    streamlit_costs.install()  # once per process: what Streamlit recomputes every run, kept
    # once: a link connects at once, and its page fetches the code of its elements while it boots
    deep_links.install([stem for _, stem, _, _ in NAV], state.GOAL_PAGE_PATH, state.table_links())
    turns.run_page(_route)


# The navigation after Etusivu and the goal pages, in order: (section, the page's file in pages/ = its
# URL path, the title's catalogue key, its Material icon).
NAV = (
    ("nav.section.plan", "indikaattorit", "nav.indicators", "bar_chart"),
    ("nav.section.plan", "toimenpiteet", "nav.measures", "checklist"),
    ("nav.section.plan", "tyopaja", "nav.workshop", "co_present"),
    ("nav.section.follow", "aikajana", "nav.timeline", "view_timeline"),
    ("nav.section.follow", "arviointi", "nav.evaluation", "grading"),
    ("nav.section.follow", "tiedot", "nav.data_entry", "upload_file"),
    ("nav.section.follow", "raportit", "nav.reports", "description"),
    ("nav.section.follow", "loppuarviointi", "nav.final_evaluation", "fact_check"),
    ("nav.section.follow", "vuosikello-sykli", "nav.vuosikello", "event_repeat"),
    ("nav.section.follow", "historia", "nav.history", "history"),
    ("nav.section.follow", "uusi-suunnitelma", "plans.nav", "note_add"),
)


def _page(stem: str, title: str, icon: str, lang: str, default: bool = False) -> st.Page:
    """One page of the navigation; the default page (Etusivu) has no URL path of its own."""
    url = {} if default else {"url_path": stem}
    return st.Page(f"pages/{stem}.py", title=t(title, lang), icon=f":material/{icon}:", default=default, **url)


def _route() -> None:
    """Page config, navigation, sidebar, live updates, then the chosen page."""

    st.set_page_config(page_title="Lasten ja nuorten hyvinvointisuunnitelma", page_icon=str(PAGE_ICON), layout="wide")

    data.begin_run()
    plan = frame.setup()  # the one setup of this run (page_context takes the same)
    lang = state.lang()

    pages = {t("nav.section.plan", lang): [_page("overview", "nav.overview", "home", lang, default=True)]}
    pages[t("nav.section.plan", lang)] += goal_pages(plan, lang)
    for section, stem, title, icon in NAV:
        pages.setdefault(t(section, lang), []).append(_page(stem, title, icon, lang))
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
        out.append(st.Page(page, title=title, icon=icon, url_path=state.goal_page_path(n), visibility=visibility))
    return out


def _goal_page(number: int):
    def page() -> None:
        goal_page.render_number(page_context(), number)

    page.__name__ = f"paatavoite_{number}"
    return page


def page_context() -> frame.PageContext:
    """Every page's first call: the run's one setup (ui.frame.setup), the link's notices; the context.

    A page that Streamlit started without the router (its folder mode: the first session of a server
    process, before any st.navigation) hands over to the router here, which then runs this page itself.
    """
    if PagesManager.uses_pages_directory:
        main()
        st.stop()
    return frame.context(frame.setup())  # under the router the setup is done: its plan is taken
