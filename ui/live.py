"""Live updates: every open session sees other people's saves within seconds, without a reload.

A small fragment asks the store every ``live_poll_s`` seconds (core/config.py) for its data version (one cheap query, shared
by all sessions of a process for half a second; the version lives in the database, so it works
across several app processes). When it changed, the whole page reruns and draws the new data. Unsaved edits are never touched: they live in session
state, and the measures grid keeps a cell that is being edited open (ui.measures_grid). A session
with unsaved edits is told who saved which rows.
"""

from __future__ import annotations

import time

import streamlit as st

from core import config
from core.i18n import t
from core.text import md_escape
from ui import data, state

BACKGROUND_RUN = "_live_background_run"  # set when the poll reruns the page: the router lets a click go first
_SEEN = "_live_seen"  # (data version, highest change id) this session's page was last drawn with
_SEEN_AT = "_live_seen_at"  # when that was read (time.monotonic())
NOTICES = "_live_notices"  # [{"by": name, "rows": [ids], "overlap": [ids]}] for sessions with unsaved edits
MAX_IDS = 6


def _own_name() -> str | None:
    editor = st.session_state.get("_live_editor_name")
    return str(editor) if editor else None


def watch(editor_name: str | None) -> None:
    """Once per full run (router): remember what this run draws, note others' saves, start polling."""
    st.session_state["_live_editor_name"] = editor_name
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
    st.fragment(_poll, run_every=max(0.5, config.number("live_poll_s")))()


def _note_others(after_id: int, pending: dict) -> None:
    changes = data.store().changes_after(after_id)
    if changes.empty:
        return
    mine = _own_name()
    notices = st.session_state.setdefault(NOTICES, [])
    for who, rows in changes.groupby("changed_by", sort=False):
        if mine and who == mine:
            continue
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
    if seen is not None and now[0] != seen[0] and read_at >= st.session_state.get(_SEEN_AT, 0.0):
        st.session_state[BACKGROUND_RUN] = True
        st.rerun(scope="app")


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
