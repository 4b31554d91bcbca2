"""UI state: session-state keys (named once), defaults, and the sync with the URL."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import streamlit as st

from core.base.i18n import DEFAULT_LANG, LANGS
from core.plan.model import Plan
from core.serving.urlstate import PLAN_PARAM, Notice, choose_plan, parse_params, to_params

# Session-state keys. Widget keys are prefixed "w_"; the values they mirror live under the
# plain key so they survive pages where the widget is not drawn.
LANG = "lang"
GROUP = "group"
ACTORS = "actors"
SUBGOAL = "subgoal"
GOAL = "goal"
CATEGORY = "category"
INDICATOR = "indicator"
SEARCH = "search"
YEAR = "year"
PLAN = "plan"  # the plan shown: the sidebar's choice, ?suunnitelma= in every link
VIEW = "view"  # the open tab of a page with views (goal pages, measures, indicators…)
NOTICES = "url_notices"
NOTICES_IGNORED = "url_notices_ignored"  # how many parts of the link were ignored in all (NOTICES has the first few)
SESSION_ID = "_session_id"  # this session's id (session_id()): in the history with every save
PENDING = "pending_edits"  # {measure_id: {"version": int, "values": {field: new}, "base": {field: started from}}}
CONFLICTS = "save_conflicts"
EDITOR_NAME = "editor_name"
EDITOR_OK = "editor_ok"
FLASH = "flash_message"  # {"key": catalogue key, "values": {...}}: a confirmation shown after st.rerun()
_INITIALISED = "_state_initialised"
_PLAN_INITIALISED = "_plan_initialised"
PLAN_NOTICE = "_plan_notice"
ROUTED = "_routed"
PLAN_THIS_RUN = "_plan_this_run"  # the Plan this run shows, resolved once (ui.frame.setup)
BACKGROUND_RUN = "_live_background_run"  # set when a live poll reruns the page: a click goes first (ui.turns)

VIEW_KEYS = (PLAN, LANG, GROUP, ACTORS, SUBGOAL, GOAL, CATEGORY, INDICATOR, SEARCH, YEAR, VIEW)
# The sidebar's filters apply on every page; the other view keys only on pages that name them.
SHARED_KEYS = (PLAN, LANG, GROUP, ACTORS)
# The views (tabs) of pages that have them; a link names one with ?nakyma=… (ui.frame.view_tabs).
GOAL_VIEWS = ("tavoite", "indikaattorit", "toimenpiteet")
MEASURES_VIEWS = ("toimenpiteet", "koko_taulukko")
INDICATORS_VIEWS = ("kaaviot", "arvot")
EVALUATION_VIEWS = ("arviointi", "yhteenveto")
WORKSHOP_VIEWS = ("tyopaja", "yhteenveto")  # one sub-goal on the projector; the session's changes
# One page file per goal number (pages/paatavoite-4.py is the plan's 4th main goal): Streamlit's folder
# mode, which answers the first link after a server start, finds a page only by its file's name.
PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
GOAL_PAGE_PREFIX = "paatavoite-"  # a goal page's URL path and file name: paatavoite-<goal number>
GOAL_PAGE_PATH = rf"^{GOAL_PAGE_PREFIX}[0-9]+$"  # the same as a pattern (ui.deep_links)
GOAL_PAGE_FILES = {
    int(p.stem.removeprefix(GOAL_PAGE_PREFIX)): f"pages/{p.name}"
    for p in sorted(PAGES_DIR.glob(f"{GOAL_PAGE_PREFIX}*.py"))
    if re.match(GOAL_PAGE_PATH, p.stem)
}


def goal_page_path(number: int) -> str:
    """The URL path of the goal page of main goal ``number`` (no leading slash)."""
    return f"{GOAL_PAGE_PREFIX}{number}"


PAGE_VIEWS = {
    **{path: GOAL_VIEWS for path in GOAL_PAGE_FILES.values()},
    "pages/toimenpiteet.py": MEASURES_VIEWS,
    "pages/indikaattorit.py": INDICATORS_VIEWS,
    "pages/arviointi.py": EVALUATION_VIEWS,
    "pages/tyopaja.py": WORKSHOP_VIEWS,
}
VIEWS = tuple(dict.fromkeys(v for views in PAGE_VIEWS.values() for v in views))
# The views whose point is a table (None: a page without views): a link to one fetches the table's code
# while the page boots (ui.page_preload). tests/ui/test_pages.py checks that each draws a table.
TABLE_VIEWS = {
    "pages/arviointi.py": ("arviointi",),
    "pages/indikaattorit.py": ("arvot",),
    "pages/toimenpiteet.py": ("koko_taulukko",),
    "pages/aikajana.py": (None,),
}


def table_links() -> dict[str, list[str]]:
    """``TABLE_VIEWS`` as links name them: a page's URL name → its table views' ?nakyma= values, "" for a
    link without one (which opens the page's first view)."""
    links: dict[str, list[str]] = {}
    for file, views in TABLE_VIEWS.items():
        first = PAGE_VIEWS.get(file, (None,))[0]
        links[Path(file).stem] = sorted({v or "" for v in views} | ({""} if first in views else set()))
    return links


DEFAULTS: dict[str, object] = {
    PLAN: None,
    LANG: DEFAULT_LANG,
    GROUP: None,
    ACTORS: [],
    SUBGOAL: None,
    GOAL: None,
    CATEGORY: None,
    INDICATOR: None,
    SEARCH: "",
    YEAR: None,
    VIEW: None,
}


def choices(plan: Plan) -> dict[str, set[str]]:
    """Allowed values of each closed URL parameter, from the plan."""
    return {
        LANG: set(LANGS),
        GROUP: {g.group_id for g in plan.groups},
        ACTORS: {a.actor_id for a in plan.actors},
        SUBGOAL: {s.subgoal_id for s in plan.subgoals},
        GOAL: {g.goal_id for g in plan.goals},
        CATEGORY: {i.category for i in plan.indicators},
        INDICATOR: {str(i.indicator_id) for i in plan.indicators},
        YEAR: {str(y) for y in range(2015, 2041)},
        VIEW: set(VIEWS),
    }


def init_plan(known: set[str], default: str) -> str:
    """The plan id this run shows: on a session's first run the link's ?suunnitelma= (an unknown one is
    noted, and the default opens), then the sidebar's choice; a plan no longer in the store gives the default."""
    if not st.session_state.get(_PLAN_INITIALISED):
        chosen, notice = choose_plan(st.query_params.to_dict(), known, default)
        st.session_state[PLAN] = chosen
        st.session_state[PLAN_NOTICE] = notice
        st.session_state[_PLAN_INITIALISED] = True
    if st.session_state.get(PLAN) not in known:
        st.session_state[PLAN] = default
    return str(st.session_state[PLAN])


def plan_notice() -> Notice | None:
    """The link's unknown plan (once: the page shows it, then it is gone)."""
    return st.session_state.pop(PLAN_NOTICE, None)


def fit_to_plan(plan: Plan) -> None:
    """Drop remembered filters that name nothing in ``plan`` (a goal IV after choosing a three-goal plan)."""
    allowed = choices(plan)
    for key in (GROUP, SUBGOAL, GOAL, CATEGORY, INDICATOR):
        value = st.session_state.get(key)
        if value is not None and value not in allowed[key]:
            st.session_state[key] = DEFAULTS[key]
    actors = st.session_state.get(ACTORS)
    if actors and any(a not in allowed[ACTORS] for a in actors):
        st.session_state[ACTORS] = [a for a in actors if a in allowed[ACTORS]]


def init_state(plan: Plan) -> None:
    """Initialise once per session: defaults, then whatever the URL asks for."""
    if st.session_state.get(_INITIALISED):
        return
    for key, value in DEFAULTS.items():
        if key != PLAN:  # chosen already (init_plan)
            st.session_state.setdefault(key, value)
    st.session_state.setdefault(PENDING, {})
    st.session_state.setdefault(CONFLICTS, [])
    view = parse_params(st.query_params.to_dict(), choices(plan))
    for key, value in view.values.items():
        st.session_state[key] = value
    st.session_state[NOTICES] = view.notices
    st.session_state[NOTICES_IGNORED] = view.ignored
    st.session_state[_INITIALISED] = True


def session_id() -> str:
    """This browser session's own id (made once): it goes into the history with every save, so live
    notices tell this session's saves from another's, even under the same name."""
    sid = st.session_state.get(SESSION_ID)
    if not sid:
        sid = st.session_state[SESSION_ID] = uuid.uuid4().hex
    return str(sid)


def plan_link() -> dict[str, str]:
    """The query parameter naming the shown plan (``?suunnitelma=…``): every link the app makes carries it."""
    plan_id = st.session_state.get(PLAN)
    return {PLAN_PARAM: str(plan_id)} if plan_id else {}


def get(key: str) -> object:
    """A view value (falls back to its default)."""
    return st.session_state.get(key, DEFAULTS.get(key))


def lang() -> str:
    """The UI language."""
    value = st.session_state.get(LANG, DEFAULT_LANG)
    return value if value in LANGS else DEFAULT_LANG


def mirror(widget_key: str, state_key: str) -> None:
    """on_change callback: copy a widget's value to its persistent state key."""
    st.session_state[state_key] = st.session_state[widget_key]


def sync_url(*page_keys: str) -> None:
    """Write the current view into the query parameters (a copied link reopens it).

    Only the sidebar's filters and the ``page_keys`` this page uses (its tab, year, goal…) are
    written, so a link never carries another page's parameters (``/historia?vuosi=2026``). The
    values stay in the session: going back to that page finds them again.
    """
    keys = dict.fromkeys((*SHARED_KEYS, *page_keys))
    values = {k: st.session_state.get(k) for k in keys if k in VIEW_KEYS}
    wanted = to_params(values, DEFAULTS)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
