"""Live updates: every open session sees other people's saves within seconds, without a reload.

One watcher per app process (core/serving/watch.py) asks the store every ``live_push_s`` seconds
(core/base/config.py) for its marker of saved data (one cheap query; the marker lives in the database,
so it works across several app processes). When someone saved, it has every open page of the process
look at once: their small live fragment runs (``_push``), as if its own timer had fired. That timer
(``live_poll_s``) is the safety net: a page also looks by itself every few seconds, with the process's
shared reading. When the marker changed, only what shows changed data is drawn again: a page
that says what it shows (``shows``) and draws its live data in parts (``part``, a fragment each)
gets just those parts redrawn, or nothing at all when no part shows what changed; a page that says
nothing reruns whole, as before. Unsaved edits are never touched: they live in session
state, and the measures grid keeps a cell that is being edited open (ui.measures_grid). A session
with unsaved edits is told who saved which rows: every save but this session's own (the history
records each save's session, so two editors signed in under one name still see each other's).
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable

import pandas as pd
import streamlit as st

from core.base import config
from core.base.i18n import t
from core.base.text import md_escape
from core.serving.watch import Watcher
from ui import data, state, streamlit_fixes, turns

LOG = logging.getLogger(__name__)
_SEEN = "_live_seen"  # (data version, highest change id) this session's page was last drawn with
_SEEN_AT = "_live_seen_at"  # when that was read (time.monotonic())
NOTICES = "_live_notices"  # [{"by": name, "rows": [ids], "overlap": [ids]}] for sessions with unsaved edits
MAX_IDS = 6
_SHOWS = "_live_shows"  # the stored data (change entities) this page run shows outside its parts; None: anything
_PARTS = "_live_parts"  # {fragment key: entities} of the page's parts drawn this run
_DRAWN = "_live_drawn"  # {fragment key: the data version the part was last drawn with}
POLL_KEY = "live_poll"  # the live fragment's key: the process's watcher names it to run it (_push)


def watch() -> None:
    """Once per full run (router): remember what this run draws, note others' saves, start polling."""
    try:
        read_at = time.monotonic()
        marker = data.live_marker()  # also the run's data version: one query
    except Exception:  # noqa: BLE001 - a store that cannot be read is reported by the page itself
        return
    seen = st.session_state.get(_SEEN)
    pending = st.session_state.get(state.PENDING) or {}
    if seen is not None and marker[1] > seen[1] and pending:
        _note_others(seen[1], pending)
    st.session_state[_SEEN] = marker
    st.session_state[_SEEN_AT] = read_at
    st.session_state[_SHOWS] = None  # until the page says what it shows, any change reruns it whole
    st.session_state[_PARTS] = {}
    st.session_state[_DRAWN] = {}
    st.session_state.pop(_PAGE_ASKED, None)  # this is the page run it asked for (or a newer one)
    st.fragment(_poll, run_every=max(0.5, config.number("live_poll_s")), key=POLL_KEY)()
    _start_watcher()


def shows(*entities: str) -> None:
    """The page says which stored data its content outside ``part``s shows (the history's entity names:
    "measure", "evaluation", "event", "observation", "conclusion"); a change of other data leaves it be."""
    st.session_state[_SHOWS] = set(st.session_state.get(_SHOWS) or ()) | set(entities)


def part(key: str, entities: Iterable[str], draw: Callable[[], None]) -> None:
    """Draw ``draw()`` as a part of the page that a change of ``entities`` redraws alone (a fragment).

    ``draw`` reads what it shows itself (the data of the current version), since a part runs again
    without the page around it. A widget inside the part reruns only the part, like any fragment.
    """
    st.session_state.setdefault(_PARTS, {})[f"live_{key}"] = set(entities)
    st.fragment(_run_part, key=f"live_{key}")(f"live_{key}", draw)


def _run_part(key: str, draw: Callable[[], None]) -> None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run:  # within the page's run (and its turn)
        draw()
        _drawn(key)
        return
    with turns.part_turn() as got:
        if got:
            data.begin_run()  # the part alone: read the store's version afresh
            draw()
            _drawn(key)


def _drawn(key: str) -> None:
    """Note the data version ``key`` was drawn with: a part that already shows a change (say, the one
    where this session just saved, with its confirmation) is not drawn again for it."""
    try:
        version = data.version()
    except Exception:  # noqa: BLE001 - not known: the next change redraws it
        return
    st.session_state.setdefault(_DRAWN, {})[key] = version


def _note_others(after_id: int, pending: dict) -> None:
    changes = data.store().changes_after(after_id)
    if changes.empty:
        return
    if "session_id" in changes.columns:  # this session's own saves are no news to it
        changes = changes[changes["session_id"].fillna("") != state.session_id()]
    notices = st.session_state.setdefault(NOTICES, [])
    for who, rows in changes.groupby("changed_by", sort=False):
        ids = list(dict.fromkeys(str(x) for x in rows["entity_id"]))
        overlap = [i for i in ids if i in pending]
        notices.append({"by": str(who), "rows": ids, "overlap": overlap})
    del notices[:-5]  # the latest few are enough


def _poll() -> None:
    seen = st.session_state.get(_SEEN)
    try:
        read_at, now = data.polled_marker()
    except Exception:  # noqa: BLE001 - try again at the next tick
        return
    # a shared reading older than the one this page was drawn with says nothing new: wait for the next
    if seen is None or now[0] == seen[0] or read_at < st.session_state.get(_SEEN_AT, 0.0):
        return
    page, parts = st.session_state.get(_SHOWS), st.session_state.get(_PARTS) or {}
    looked = _changed_entities(seen[1], now[1])
    changed = None if page is None or looked is None else frozenset(e for e, _sid in looked)
    # this session's own saves redraw the page themselves (each save flow reruns it): no second run that
    # would take the save's confirmation away; its parts follow the version they were drawn with below
    own = looked is not None and bool(looked) and all(sid == state.session_id() for _e, sid in looked)
    if (changed is None or changed & page) and not own:
        _rerun_page()
        return
    pending = st.session_state.get(state.PENDING) or {}
    if pending:
        _note_others(seen[1], pending)
    st.session_state[_SEEN] = now
    st.session_state[_SEEN_AT] = read_at
    drawn = st.session_state.get(_DRAWN) or {}
    if changed is None and looked is not None:  # a page that says nothing, with only its own saves
        changed = frozenset(e for e, _sid in looked)
    stale = [k for k, shown in parts.items() if changed and changed & shown and drawn.get(k) != now[0]]
    if stale:
        st.session_state[state.BACKGROUND_RUN] = True  # a redraw for others' saves: a click goes first
        _rerun_parts(stale)


def _changed_entities(after_id: int, upto_id: int) -> frozenset[tuple[str, str]] | None:
    """Which kinds of data changed after change ``after_id``, each with the session that saved it ("" if
    none, say a command-line import); None: not known (a restore or import that wrote no history rows,
    or more changes than one look reads)."""
    if upto_id <= after_id:
        return None
    key = (data.database_url(), after_id, upto_id)
    with _looked_lock:
        if key in _looked:
            return _looked[key]
    try:
        changes = data.store().changes_after(after_id, limit=CHANGES_LOOK)
    except Exception:  # noqa: BLE001 - not known: the page runs again and reports a store problem itself
        return None
    if changes.empty or len(changes) >= CHANGES_LOOK:
        found = None
    else:
        sessions = changes["session_id"] if "session_id" in changes.columns else [""] * len(changes)
        found = frozenset(
            (str(e), "" if pd.isna(sid) else str(sid)) for e, sid in zip(changes["entity"], sessions, strict=True)
        )
    with _looked_lock:  # the history only grows: what changed between two change ids stays what it was
        _looked[key] = found
        while len(_looked) > 64:
            del _looked[next(iter(_looked))]
    return found


# (store, after, upto) -> (kind of data, session) changed: after a save every page of the process asks the same
_looked: dict[tuple[str, int, int], frozenset[tuple[str, str]] | None] = {}
_looked_lock = threading.Lock()


CHANGES_LOOK = 500  # more changes at once than this (an import): the page reruns whole


def _rerun_parts(keys: list[str]) -> None:
    """Rerun just the page parts ``keys`` (their fragments) once this run (the live fragment's) has ended.

    Queued behind this run, not cutting it short as ``st.rerun(scope=...)`` would (a fragment run cut
    short can blank the page, see _rerun_page); from a fragment run Streamlit's public call refuses
    keys anyway. Should the fragments be unknown (a page run under way), the whole page is drawn again."""
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData  # noqa: PLC0415
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx = get_script_run_ctx()
    try:
        ids = ctx.fragment_storage.resolve_target(keys)
    except Exception:  # noqa: BLE001 - not registered (any more): draw the page again
        _rerun_page()
        return
    # queued behind this run, not cutting it short (not "fragment scoped"): see _rerun_page
    ctx.script_requests.request_rerun(
        RerunData(
            query_string=ctx.query_string,
            page_script_hash=ctx.page_script_hash,
            fragment_id_queue=ids,
            cached_message_hashes=ctx.cached_message_hashes,
            context_info=ctx.context_info,
        )
    )


def _rerun_page() -> None:
    """Have the whole page drawn again right after this run (the live fragment's) has ended.

    Not ``st.rerun()`` within the run: a fragment run that has drawn anything (a fragment always
    draws its own box) and is then cut short for another run can blank the page in Streamlit's
    frontend (1.67: "Cannot set a node at a delta path", the page white, its connection closed;
    bench/live_load.py's Chromium editors met it about once per 100 s). So the server's event loop
    asks for the run once this session's runner is done, as a browser would. Without a server (AppTest)
    the old way."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx  # noqa: PLC0415

    ctx, loop = get_script_run_ctx(), _server_loop()
    if ctx is None or loop is None:
        st.session_state[state.BACKGROUND_RUN] = True  # the router lets a click go first
        st.rerun(scope="app")
    asked = st.session_state.get(_PAGE_ASKED)
    if asked is not None and time.monotonic() - asked < _PAGE_AFTER_S:
        return  # asked already: that run is on its way
    st.session_state[_PAGE_ASKED] = time.monotonic()
    loop.call_soon_threadsafe(_page_after_run, ctx.session_id, time.monotonic() + _PAGE_AFTER_S)


_PAGE_ASKED = "_live_page_asked"  # when this session's live fragment asked for the whole page (time.monotonic())
_PAGE_AFTER_S = 10.0  # a page run waits at most this long for the session's runner to be done


def _page_after_run(session_id: str, give_up_at: float) -> None:
    """On the server's event loop: start a whole-page run of ``session_id`` once it runs nothing."""
    from streamlit.runtime import Runtime  # noqa: PLC0415
    from streamlit.runtime.app_session import AppSessionState  # noqa: PLC0415

    try:
        info = Runtime.instance()._session_mgr.get_active_session_info(session_id)
    except Exception:  # noqa: BLE001 - the server is stopping
        return
    session = None if info is None else info.session
    if session is None or session._state == AppSessionState.SHUTDOWN_REQUESTED:
        return
    if session._scriptrunner is not None or streamlit_fixes.settling(session):
        if time.monotonic() < give_up_at:  # a run goes on (a click, the fragment's own end): after it
            asyncio.get_running_loop().call_later(_RETRY_PAGE_S, _page_after_run, session_id, give_up_at)
        return  # busy for long: the next look asks again
    # the router lets a click go first (set here, not in the asking run: a click run before this one
    # would take the mark); no script runs in the session now, so its state is not being read
    session._session_state[state.BACKGROUND_RUN] = True
    session._create_scriptrunner(
        _rerun_data(session, cached_message_hashes=frozenset(session._client_state.cached_message_hashes))
    )


def _rerun_data(session, **extra):
    """A rerun of ``session`` at the page and address its browser last asked for, as its browser would ask
    (``extra``: the fragments to run, ...); widget states None: the session keeps what it has."""
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData  # noqa: PLC0415

    client = session._client_state
    return RerunData(
        query_string=client.query_string,
        page_script_hash=client.page_script_hash,
        context_info=client.context_info if client.HasField("context_info") else None,
        **extra,
    )


_RETRY_PAGE_S = 0.05


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The server's event loop, or None without a server around this run (AppTest)."""
    try:
        from streamlit.runtime import Runtime  # noqa: PLC0415

        loop = Runtime.instance()._get_async_objs().eventloop
    except Exception:  # noqa: BLE001
        return None
    return loop if isinstance(loop, asyncio.AbstractEventLoop) and not loop.is_closed() else None


def show_notices(lang: str) -> None:
    """Tell a session with unsaved edits that others saved (who, which rows), until it saves or discards."""
    if not st.session_state.get(state.PENDING):
        st.session_state.pop(NOTICES, None)
        return
    for note in st.session_state.get(NOTICES) or []:
        rows = ", ".join(note["rows"][:MAX_IDS]) + (" …" if len(note["rows"]) > MAX_IDS else "")
        text = t("live.others_saved", lang, by=md_escape(note["by"]), rows=md_escape(rows))
        if note["overlap"]:
            text += " " + t("live.overlap", lang, rows=md_escape(", ".join(note["overlap"][:MAX_IDS])))
        st.info(text, icon="🔄")


# ------------------------------------------------------------------ the process's watcher


def _start_watcher() -> None:
    """Make sure this process's watcher runs (setting ``live_push_s``; 0: only the pages' own polls)."""
    period = config.number("live_push_s")
    if period <= 0:
        return
    try:
        reader = data.marker_reader()
    except Exception:  # noqa: BLE001 - the page reports a store problem itself; the polls go on
        return
    if reader is not None:
        _watcher(reader[0], float(period), reader[1])


@st.cache_resource(show_spinner=False)
def _watcher(url: str, period: float, _read: Callable[[], tuple[int, int]]) -> Watcher | None:
    """One watcher per process and store: on a change it shares the reading and has every session look."""
    loop = _server_loop()
    if loop is None:
        return None  # no server around this run, or AppTest's stand-in: its runs are driven by the test

    def changed(marker: tuple[int, int]) -> None:
        data.share_marker(url, marker)
        loop.call_soon_threadsafe(_push_all)

    return Watcher(_read, changed, period, name="live-watch").start()


# Pacing, kept on the server's event loop (one thread, no locks): when each session's live fragment was
# last pushed, and the sessions whose next push is already set for later.
_pushed_at: dict[str, float] = {}
_push_later: set[str] = set()


def _push_all() -> None:
    """On the server's event loop: have every open session's live fragment run, at most one push per
    session per ``live_gap_s`` (about): a save shows at once in a quiet room, and under a stream of
    saves each page takes them in batches instead of redrawing for every single one."""
    try:
        from streamlit.runtime import Runtime  # noqa: PLC0415

        sessions = {info.session.id: info.session for info in Runtime.instance()._session_mgr.list_active_sessions()}
        loop = asyncio.get_running_loop()
    except Exception:  # noqa: BLE001 - the server is stopping
        return
    for gone in [sid for sid in _pushed_at if sid not in sessions]:
        del _pushed_at[gone]
    now = time.monotonic()
    gap = max(0.0, config.number("live_gap_s"))
    for sid, session in sessions.items():
        if sid in _push_later:
            continue  # its next push is set: it will read the newest marker then
        # the gap varies a little (0.8-1.2), so pages pushed together drift apart and take turns
        wait = _pushed_at.get(sid, float("-inf")) + gap * random.uniform(0.8, 1.2) - now  # noqa: S311
        if wait <= 0:
            _push_now(sid, session)
        else:
            _push_later.add(sid)
            loop.call_later(wait, _push_delayed, sid, session)


def _push_delayed(sid: str, session) -> None:
    _push_later.discard(sid)
    _push_now(sid, session)


def _push_now(sid: str, session) -> None:
    try:
        pushed = _push(session)
    except Exception:  # noqa: BLE001 - a session that is closing: its own poll is the net
        LOG.debug("live push to a session failed", exc_info=True)
        return
    if pushed:
        _pushed_at[sid] = time.monotonic()
    else:  # the session has a run waiting (a click): try again when that one has started
        _push_later.add(sid)
        asyncio.get_running_loop().call_later(_RETRY_S, _push_delayed, sid, session)


_RETRY_S = 0.1


def _push(session) -> bool:
    """Queue a run of ``session``'s live fragment, as its browser's timer would (Streamlit's own
    AppSession.request_rerun, minus the widget states: None keeps what the session has). False, and
    nothing queued, while the session is not quiet (ui.streamlit_fixes.quiet): a request of the session
    that waits to run would take this one's page and address when folded with it (a click that changed
    the page would go elsewhere), and a run straight behind a page run's end can blank the page.
    Runs on the server's event loop, where the sessions' own requests arrive too, so nothing comes
    between the look and the request."""
    from streamlit.runtime.app_session import AppSessionState  # noqa: PLC0415

    if session._state == AppSessionState.SHUTDOWN_REQUESTED:
        return True  # nothing to do, ever
    ids = _poll_ids(session._fragment_storage)
    if not ids:
        return True  # no live fragment (yet): its first page run reads the newest data anyway
    if not streamlit_fixes.quiet(session):
        return False  # a run goes on or waits, or a page run's end has just left: not straight after it
    session._create_scriptrunner(
        _rerun_data(session, fragment_id_queue=ids, is_auto_rerun=True)
    )  # no runner now (quiet)
    return True


def _poll_ids(storage) -> list[str]:
    try:
        return list(storage.resolve_target([POLL_KEY]))
    except Exception:  # noqa: BLE001 - no live fragment in this session (yet)
        return []
