"""Saving a measures grid's pending edits: what is too long to send, the save in one transaction, and the
conflict chooser after a clash (mine or theirs, per field)."""

from __future__ import annotations

import streamlit as st

from core.base.cells import has_control_chars
from core.base.i18n import t
from core.plan.model import MAX_TEXT_LENGTH
from core.store import ConflictError, MeasureEdit, StoreError
from core.store.edits import row_conflicts
from ui import data, state
from ui.edit_table import conflict_chooser
from ui.frame import PageContext
from ui.grid_columns import EDITABLE

GRID_GENERATION = "_grid_generation"  # bumped to rebuild grids after discarding edits
SAVED = "_grid_saved"  # [(data version after the save, {measure_id: {field: value}})]: this session's last saves
_SAVES_KEPT = 10


def remember_saved(pending: dict, version: int) -> None:
    """Note what this session just saved, with the data version that holds it (``shown_saved``)."""
    kept = st.session_state.get(SAVED) or []
    rows = {mid: dict(e["values"]) for mid, e in pending.items()}
    st.session_state[SAVED] = [*kept[-(_SAVES_KEPT - 1) :], (version, rows)]


def shown_saved(grid_version: int, pending: dict) -> dict:
    """``pending`` with this session's saves that data version ``grid_version`` does not hold yet under it.

    A grid with an open cell editor keeps the rows of the version it shows (held_version); the
    editor's own save is newer, and the grid must not show the values from before it meanwhile
    (the editor would see their save undone, and their next edit of the cell would start from
    the value before it and clash with their own save). Pending values win over saved ones.
    """
    out: dict = {}
    for version, rows in st.session_state.get(SAVED) or []:
        if version > grid_version:
            for mid, values in rows.items():
                out.setdefault(mid, {"values": {}})["values"].update(values)
    for mid, entry in pending.items():
        out.setdefault(mid, {"values": {}})["values"].update(entry["values"])
    return out


def reset_grids() -> None:
    """Rebuild every grid from the store on the next run (after edits were discarded)."""
    st.session_state[GRID_GENERATION] = st.session_state.get(GRID_GENERATION, 0) + 1
    for k in [k for k in st.session_state if str(k).startswith("_grid_shown_")]:
        del st.session_state[k]


def too_long(pending: dict) -> list[tuple[str, str, int]]:
    """(measure, field, length) of pending texts longer than the store keeps."""
    return [
        (mid, fld, len(v))
        for mid, e in pending.items()
        for fld, v in e["values"].items()
        if isinstance(v, str) and len(v) > MAX_TEXT_LENGTH
    ]


def save_pending(ctx: PageContext) -> None:
    """Save every pending edit in one transaction; on conflict keep them and ask."""
    lang = ctx.lang
    pending = st.session_state.get(state.PENDING) or {}
    edits = [
        MeasureEdit(mid, e["version"], dict(e["values"]), dict(e["base"]) if "base" in e else None)
        for mid, e in pending.items()
    ]
    try:
        data.store().save_measure_edits(edits, ctx.editor)
    except ConflictError as exc:
        st.session_state[state.CONFLICTS] = row_conflicts(exc.conflicts)
        st.rerun()
    except StoreError as exc:  # a refusal, or a store that cannot be written: edits stay pending
        st.error(exc.text(lang))
        return
    st.session_state[state.PENDING] = {}
    data.clear()
    remember_saved(pending, data.version())
    st.toast(t("edit.saved", lang), icon="✅")
    if any(isinstance(v, str) and has_control_chars(v) for e in edits for v in e.values.values()):
        st.toast(t("edit.controls_cleaned", lang), icon="ℹ️")  # said so: the store cleaned them (core.base.cells)
    st.rerun()


def resolve_conflicts(ctx: PageContext, key: str) -> None:
    """Mine vs theirs for each clashing field (ui.edit_table's chooser); the editor keeps one or the other.

    Keep mine: those fields now start from the stored value, so the save writes the editor's value
    there (and their other fields), never anything of the other person's. Take theirs: just those
    fields are dropped from the pending edits. When every row is decided, the rest is saved at once.
    """
    lang = ctx.lang
    conflicts = st.session_state.get(state.CONFLICTS) or []
    labels = {f: t(f"col.{f}", lang) for f in EDITABLE}
    choice = conflict_chooser(conflicts, labels, lang, key)
    if choice is None:
        return
    i, which = choice
    c = conflicts[i]
    st.session_state[state.CONFLICTS] = rest = [x for j, x in enumerate(conflicts) if j != i]
    pending = st.session_state.get(state.PENDING) or {}
    entry = pending.get(c.key)
    if entry is not None and which == "mine":
        entry["version"] = c.version
        entry.setdefault("base", {}).update(c.stored)
    elif entry is not None:
        for fld in c.fields:
            entry["values"].pop(fld, None)
            entry.get("base", {}).pop(fld, None)
        if not entry["values"]:
            pending.pop(c.key, None)
        reset_grids()  # the grid shows the stored value of the fields given up
    if rest:
        st.rerun()
    if pending:
        save_pending(ctx)  # reruns, or shows why it could not save (the edits stay)
        return
    data.clear()
    st.rerun()
