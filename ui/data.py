"""Data access for pages: thin cached wrappers around core loaders and the store.

Caches are keyed by the store's data version, so a save (which bumps it) is seen at once
by every session; ``clear()`` after a save drops stale frames.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import streamlit as st

from core.base import config
from core.plan.loader import load_plan
from core.plan.model import Plan, PlanInfo
from core.store import Store, StoreUnavailable
from ui import state

_secrets_memo: tuple[float, dict] | None = None


def secrets() -> dict:
    """A plain copy of the app's secrets ({} when there are none or the file is malformed).

    Re-read at most every ``secrets_ttl_s`` seconds (a setting): without a secrets file Streamlit looks for one
    on every access, and the sidebar and the data layer ask several times per run.
    """
    global _secrets_memo  # noqa: PLW0603 - one process-wide memo; a race only re-reads
    now = time.monotonic()
    if _secrets_memo is None or now - _secrets_memo[0] > config.number("secrets_ttl_s"):
        try:
            values = st.secrets.to_dict()
        except Exception:  # noqa: BLE001 - a missing or malformed secrets file must not stop a viewer
            values = {}
        _secrets_memo = (now, values if isinstance(values, dict) else {})
    return _secrets_memo[1]


def secret(*path: str) -> object:
    """The secret at ``path`` (e.g. "editing", "passcode"), or None."""
    node: object = secrets()
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def setting(name: str) -> object:
    """A setting as the app reads it: its value in the secrets first, then the environment, then its
    default (core.base.config.get)."""
    return config.get(name, secrets())


def database_url() -> str:
    """The store URL: secrets [connections.plan] url, else KYMLAPSET_DATABASE_URL, else SQLite (config.store_url)."""
    return config.store_url(None, secrets())


@st.cache_resource(show_spinner=False)
def data_plan() -> Plan:
    """The validated plan from data/ (immutable, shared by all sessions): the seed of a new store and
    the catalogue (groups, indicators, series, actors) every plan shares."""
    return load_plan()


@st.cache_resource(show_spinner=False, max_entries=8)
def _default_plan_id(url: str, version: int, today: date) -> str:
    return _store_at(url).default_plan_id(today)


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    store = Store.open(url)  # raises StoreUnavailable (never cached) for a damaged or unreachable store
    # a new store is seeded (an existing file is never seeded over: Store.open refuses it); a store
    # upgraded from before plans had periods gets its plan's goals and sub-goals from data/ once
    store.seed(data_plan(), events_rows=default_events() if not store.is_seeded() else None)
    return store


log = logging.getLogger("kymlapset.app")
_store_failures: dict[str, tuple[float, StoreUnavailable]] = {}


@st.cache_resource(show_spinner=False)
def _fallback_store() -> Store:
    """The plan from data/ in a private read-only store: what the app shows while its store is broken."""
    path = Path(tempfile.mkdtemp(prefix="kymlapset-fallback-")) / "plan.db"
    Store.open(f"sqlite:///{path}").seed(data_plan(), events_rows=default_events())
    fallback = Store.open(f"sqlite:///file:{path}?mode=ro&uri=true")
    fallback.seed(data_plan())  # only remembers the catalogue: the copy is seeded already
    return fallback


def _store_at(url: str) -> Store:
    """The store at ``url``; while it cannot be opened, the read-only fallback (see ``store_problem``)."""
    failed = _store_failures.get(url)
    if failed is not None and time.monotonic() - failed[0] < config.number("store_retry_s"):
        return _fallback_store()
    try:
        opened = _store(url)
    except StoreUnavailable as exc:
        log.error("the store could not be opened (%s); showing data/ read-only", exc.key)
        _store_failures[url] = (time.monotonic(), exc)
        return _fallback_store()
    _store_failures.pop(url, None)
    return opened


def store_failed(exc: StoreUnavailable) -> None:
    """A read of the open store failed (e.g. its file was damaged meanwhile): fall back from now on."""
    if exc.key in ("store.damaged", "store.unavailable"):
        _store_failures[database_url()] = (time.monotonic(), exc)
        _store.clear()


def store_problem() -> tuple[StoreUnavailable, bool] | None:
    """What is wrong with the store, if anything: (the problem, whether data/ is shown instead)."""
    url = database_url()
    opened = _store_at(url)
    failed = _store_failures.get(url)
    if failed is not None:
        return failed[1], True
    return (opened.problem, False) if opened.problem is not None else None


def default_events() -> list[dict]:
    """The seeded vuosikello cycle from data/events.csv (empty if the file is absent)."""
    path = config.DATA_DIR / "events.csv"
    if not path.exists():
        return []
    from core.views.vuosikello import load_default_events  # noqa: PLC0415 - the one checked reader (columns, ids, rows)

    return load_default_events(path)


def store() -> Store:
    """The shared store (SQLAlchemy engine) for this deployment (the read-only fallback while it is broken)."""
    return _store_at(database_url())


class Source(NamedTuple):
    """Which data a cached frame or figure is of: the store's URL and the plan shown."""

    url: str
    plan_id: str


def source() -> Source:
    """This run's store and plan (the plan chosen in the sidebar or the link; see ui.frame.setup)."""
    return Source(database_url(), str(st.session_state.get(state.PLAN) or "") or default_plan_id())


@st.cache_resource(show_spinner=False, max_entries=8)
def _plans_shared(url: str, version: int) -> tuple[PlanInfo, ...]:
    return tuple(_store_at(url).plans())


def plans() -> list[PlanInfo]:
    """Every plan of the store, newest first."""
    return list(_plans_shared(database_url(), version()))


def default_plan_id(today: date | None = None) -> str:
    """The plan in force today, else the newest: what a link without ?suunnitelma= opens."""
    return _default_plan_id(database_url(), version(), today or date.today())


# A plan changes only by a save, which bumps the data version: one Plan per (plan, version), shared.
@st.cache_resource(show_spinner=False, max_entries=8)
def _plan_shared(src: Source, version: int) -> Plan:
    return _store_at(src.url).load_plan(src.plan_id)


def plan_at(src: Source, version: int) -> Plan:
    """The plan ``src`` names, as of data ``version`` (immutable, shared)."""
    return _plan_shared(src, version)


def plan() -> Plan:
    """The plan this run shows (chosen in the sidebar or the link; pages take it from ui.router.page_context())."""
    return plan_at(source(), version())


# One frame per (plan, data version), shared by all sessions; each caller gets a shallow copy. With
# pandas' copy-on-write that copy is the caller's own (changing it never changes the shared
# frame), without cache_data's unpickling of the whole table on every call.
@st.cache_resource(show_spinner=False, max_entries=8)
def _measures_shared(src: Source, version: int) -> pd.DataFrame:
    return _store_at(src.url).measures(plan_id=src.plan_id)


@st.cache_resource(show_spinner=False, max_entries=8)
def _observations_shared(url: str, version: int) -> pd.DataFrame:
    return _store_at(url).observations()


@st.cache_resource(show_spinner=False, max_entries=8)
def _events_shared(src: Source, version: int) -> pd.DataFrame:
    return _store_at(src.url).events(plan_id=src.plan_id)


def measures_at(src: Source, version: int) -> pd.DataFrame:
    """Measures of the plan ``src`` names as of data ``version`` (the caller's own copy)."""
    return _measures_shared(src, version).copy(deep=False)


def observations_at(src: Source, version: int) -> pd.DataFrame:
    """Indicator values in the store of ``src`` as of data ``version`` (every plan's indicators share them;
    the caller's own copy)."""
    return _observations_shared(src.url, version).copy(deep=False)


_RUN_VERSION = "_data_version_this_run"


def begin_run() -> None:
    """Called by the router at the start of every run: the data version and the plan are read again."""
    st.session_state[_RUN_VERSION] = None
    st.session_state.pop(state.PLAN_THIS_RUN, None)


def version() -> int:
    """The store's data version, read once per run, so every part of a page shows the same data.

    Outside the router (no ``begin_run()`` this session) it is read on every call.
    """
    if _RUN_VERSION not in st.session_state:
        return _current_version()
    current = st.session_state[_RUN_VERSION]
    if current is None:
        current = st.session_state[_RUN_VERSION] = _current_version()
    return current


def live_marker() -> tuple[int, int]:
    """(data version, highest change id) of the store, read now; the run's data version is taken from
    it when the run has not read one yet (one query instead of two for the router's live check)."""
    url = database_url()
    opened = _store_at(url)
    marker = opened.live_marker()
    if url not in _store_failures and _RUN_VERSION in st.session_state and st.session_state[_RUN_VERSION] is None:
        st.session_state[_RUN_VERSION] = marker[0]
    return marker


_polled: dict[str, tuple[float, tuple[int, int]]] = {}  # url -> (monotonic time read, marker)


def polled_marker() -> tuple[float, tuple[int, int]]:
    """(when read, marker) for the live polls of every session of this process: one store query per
    ``live_poll_share_s`` (a setting) however many sessions poll (the marker itself lives in the store, so several app
    processes each read it and all see every save)."""
    url = database_url()
    hit = _polled.get(url)
    now = time.monotonic()
    if hit is not None and now - hit[0] < config.number("live_poll_share_s"):
        return hit
    hit = _polled[url] = (now, _store_at(url).live_marker())
    return hit


def marker_reader() -> tuple[str, Callable[[], tuple[int, int]]] | None:
    """(store URL, a reader of its live marker) for the process's watcher (ui.live), or None while the
    store cannot be opened (the read-only fallback has no saves to watch)."""
    url = database_url()
    opened = _store_at(url)
    if url in _store_failures:
        return None
    return url, opened.live_marker


def share_marker(url: str, marker: tuple[int, int]) -> None:
    """A marker the process's watcher just read: every session's poll takes it as the shared reading."""
    _polled[url] = (time.monotonic(), marker)


def _current_version() -> int:
    # the fallback's frames are cached under a version of their own (-1), never taken for the store's
    url = database_url()
    opened = _store_at(url)
    return -1 if url in _store_failures else opened.data_version()


def measures() -> pd.DataFrame:
    """The shown plan's current (not deleted) measures, with versions (the caller's own copy)."""
    return measures_at(source(), version())


def observations() -> pd.DataFrame:
    """All indicator values in the store (the caller's own copy)."""
    return observations_at(source(), version())


def events_at(src: Source, version: int) -> pd.DataFrame:
    """The vuosikello's events of the plan ``src`` names as of data ``version`` (the caller's own copy)."""
    return _events_shared(src, version).copy(deep=False)


def events() -> pd.DataFrame:
    """The shown plan's vuosikello events (the caller's own copy; every save of an event bumps the version)."""
    return events_at(source(), version())


def clear() -> None:
    """Drop cached frames after a write (views keyed by data version follow on their own)."""
    _plans_shared.clear()
    _plan_shared.clear()
    _measures_shared.clear()
    _observations_shared.clear()
    _events_shared.clear()
    _default_plan_id.clear()
    if _RUN_VERSION in st.session_state:
        st.session_state[_RUN_VERSION] = None  # the rest of this run sees the write
