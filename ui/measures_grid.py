"""The measures grid (streamlit-aggrid): read-only for viewers, editable for editors.

Edits are kept as *pending* in session state until saved, so changing filters or pages never
drops them; the grid shows pending values over the stored ones. Each pending field keeps the value
the editor started from, so a save merges per field: someone else's change of another field lands
beside it, and only a field someone else changed too shows both values for the editor to choose.

The grid's parts: its columns and options (ui.grid_columns), its rows (ui.grid_rows), what it sends
back (ui.grid_edits), the save and conflicts (ui.grid_save), the add/remove forms (ui.measure_forms).
"""

from __future__ import annotations

import copy
import time

import pandas as pd
import streamlit as st
from st_aggrid import AgGrid, GridUpdateMode

from core.base import config
from core.base.i18n import Msg, t
from core.plan.model import MAX_TEXT_LENGTH
from ui import data, live, measure_panel, state
from ui.frame import PageContext
from ui.grid_columns import grid_options, keep_place, room_css
from ui.grid_edits import collect_edits, nodes_frame, selected_id
from ui.grid_rows import PreparedRows, apply_pending, grid_frame, grid_types, ids_signature
from ui.grid_save import GRID_GENERATION, reset_grids, resolve_conflicts, save_pending, shown_saved, too_long


def stable_grid_key(key: str, lang: str, ids_sig: str) -> str:
    """The grid component's key: the same while only the data changes (a live update keeps the grid)."""
    return f"{key}_{st.session_state.get(GRID_GENERATION, 0)}_{lang}_{ids_sig}"


def held_version(key: str) -> tuple[int, int]:
    """(data version grid ``key`` shows, the store's): it follows the store unless a cell editor is open
    in it, then it waits, so nothing being typed is disturbed, and follows once the editor closes."""
    version_key, current = f"_grid_version_{key}", data.version()
    grid_version = st.session_state.get(version_key)
    if grid_version is None or (grid_version != current and not cell_editor_open(key)):
        grid_version = st.session_state[version_key] = current
    return grid_version, current


def shown_history(previous: tuple | None, grid_key: str, grid_version: int) -> tuple[pd.DataFrame, ...]:
    """The last few frames grid ``grid_key`` showed with older data (collect_edits compares late rows with them)."""
    if not previous or previous[0] != grid_key or len(previous) < 5:
        return ()
    if previous[3] == grid_version:
        return previous[4]
    return (previous[1], *previous[4])[:3]


def render(ctx: PageContext, measures: pd.DataFrame, key: str, height: int = 560) -> None:
    """Draw the grid for ``measures`` (already filtered) with save/discard for editors."""
    lang = ctx.lang
    if measures.empty:
        st.info(t("measures.none", lang))
        return
    editable = ctx.editor is not None
    ids_sig = ids_signature(measures)
    grid_key = stable_grid_key(key, lang, ids_sig)
    grid_version, current = held_version(key)
    memo_key = f"_grid_shown_{key}"
    pending = dict(st.session_state.get(state.PENDING) or {})
    previous = st.session_state.get(memo_key)
    if editable and previous and previous[0] != grid_key:
        # another grid (a filter, a discard, the language): keep the edits the user made in the one
        # before, before it is replaced by a fresh one
        pending = collect_edits(previous[1], nodes_frame(st.session_state.get(previous[0])), pending)
        st.session_state[state.PENDING] = pending
    if previous and previous[0] == grid_key and previous[3] == grid_version:
        # the same rows as the last run (or an editor is open and the grid waits): the rows it was
        # built from plus the pending edits, and this session's saves that those rows predate
        base = previous[2]
        over = shown_saved(grid_version, pending) if grid_version != current else pending
        frame = grid_types(apply_pending(base, over)) if any(m in over for m in base["measure_id"].tolist()) else base
    else:
        base = frame = grid_frame(ctx, measures, ids_sig)
    shown_before = shown_history(previous, grid_key, grid_version)
    if len(measures) > len(frame):
        st.info(t("edit.too_many", lang, shown=len(frame), n=len(measures)))
    st.session_state[memo_key] = (grid_key, frame, base, grid_version, shown_before)
    if measure_panel.on_phone():  # one card per measure, a page at a time; no grid
        measure_panel.style()
        with st.container(key=f"mcards_{key}"):
            measure_panel.cards(lang, frame, key)
    else:
        _grid(frame, lang, editable, height, key, grid_key)
    # Edits and row clicks arrive as a new component value; the value stays the same object across
    # reruns until the grid sends another, so look only at new ones.
    raw, seen_key = st.session_state.get(grid_key), f"_grid_seen_{key}"
    if raw is not None and raw is not st.session_state.get(seen_key):
        st.session_state[seen_key] = raw
        event = (raw.get("eventData") or {}).get("streamlitRerunEventTriggerName") if isinstance(raw, dict) else None
        st.session_state[f"_grid_editing_{key}"] = time.monotonic() if event == "cellEditingStarted" else None
        chosen = selected_id(raw) if event == "selectionChanged" else None
        if chosen is not None:
            measure_panel.open_in_panel(key, chosen)
        if editable:
            updated = collect_edits(frame, nodes_frame(raw), copy.deepcopy(pending), shown_before)
            if updated != pending:
                st.session_state[state.PENDING] = updated
                st.rerun()
        if event != "cellEditingStarted" and grid_version != current:
            st.rerun()  # the editor closed while the grid waited with older rows: follow the store now
    if editable:
        save_bar(ctx, key)
    else:
        st.caption(t("edit.readonly_hint", lang))
    measure_panel.detail_panel(lang, frame, key, editable, on_save=lambda: save_pending(ctx))


def _grid(frame: pd.DataFrame, lang: str, editable: bool, height: int, key: str, grid_key: str) -> None:
    """The measures grid itself (any screen but a phone's): its place ``key``, the component's ``grid_key``."""
    with st.container(key=f"mgrid_{key}"):
        AgGrid(
            PreparedRows(frame),  # the rows as JSON text, made once per frame (rows_json)
            gridOptions=keep_place(grid_options(frame, lang, editable)),  # a fresh dict: AgGrid writes the rows into it
            height=height,
            update_mode=GridUpdateMode.VALUE_CHANGED,
            update_on=["cellValueChanged", "selectionChanged", "cellEditingStarted", "cellEditingStopped"],
            key=grid_key,
            allow_unsafe_jscode=True,  # only keep_place's own function; row data is never read as code
            server_sync_strategy="server_wins",  # rows from each run replace the grid's, by row id (keep_place)
            show_toolbar=False,
            show_download_button=False,
            theme="streamlit",
            custom_css=room_css(),
            use_json_serialization=True,  # rows as one JSON text: no per-run hashing and Arrow conversion
        )


def cell_editor_open(key: str) -> bool:
    """Whether the user has a cell editor open in grid ``key`` (the grid reported it started, not stopped)."""
    since = st.session_state.get(f"_grid_editing_{key}")
    return since is not None and time.monotonic() - since < config.number("cell_editing_timeout_s")


def save_bar(ctx: PageContext, key: str) -> None:
    """Pending-edit status with Save and Discard, and the conflict chooser after a clash."""
    lang = ctx.lang
    pending = st.session_state.get(state.PENDING) or {}
    conflicts = st.session_state.get(state.CONFLICTS) or []
    if conflicts:
        resolve_conflicts(ctx, key)
        return
    live.show_notices(lang)
    if not pending:
        st.caption("✓ " + t("edit.all_saved", lang))
        return
    n = sum(len(e["values"]) for e in pending.values())
    st.warning(t("edit.pending", lang, n=n, rows=Msg("count.on_rows", n=len(pending))))
    for mid, fld, count in too_long(pending):  # said before anything is sent: the store refuses, never cuts
        st.error(
            t("edit.too_long_pending", lang, field=t(f"col.{fld}", lang), id=mid, count=count, limit=MAX_TEXT_LENGTH)
        )
    c1, c2 = st.columns([1, 1])
    if c1.button(t("edit.save", lang), key=f"{key}_save", type="primary"):
        save_pending(ctx)
    if c2.button(t("edit.discard", lang), key=f"{key}_discard"):
        st.session_state[state.PENDING] = {}
        reset_grids()
        st.rerun()
