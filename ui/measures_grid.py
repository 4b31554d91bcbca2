"""The measures grid (streamlit-aggrid): read-only for viewers, editable for editors.

Edits are kept as *pending* in session state until saved, so changing filters or pages never
drops them; the grid shows pending values over the stored ones. A save that meets a row
changed by someone else shows both values and lets the editor choose.
"""

from __future__ import annotations

import copy
import hashlib

import pandas as pd
import streamlit as st
from st_aggrid import AgGrid, GridOptionsBuilder, GridUpdateMode

from core.i18n import name, t
from core.model import MEASURE_TEXT_FIELDS, MeasureStatus
from core.queries import measures_display
from core.storage import ConflictError, MeasureEdit, StoreError
from core.text import md_escape
from ui import data, state, views
from ui.frame import PageContext

MAX_GRID_ROWS = 400  # more rows than a workshop can read; filters narrow the rest
GRID_GENERATION = "_grid_generation"  # bumped to rebuild grids after discarding edits
EDITABLE = (*MEASURE_TEXT_FIELDS, "status", "start_year", "end_year", "permanent", "contact")
GRID_COLUMNS = ["measure_id", "actor", "subgoal", *EDITABLE, "row_kind_label", "version"]


def _norm(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def apply_pending(df: pd.DataFrame, pending: dict) -> pd.DataFrame:
    """The frame with pending (unsaved) values shown over the stored ones."""
    if not pending or df.empty:
        return df
    out = df.copy()
    for measure_id, entry in pending.items():
        mask = out["measure_id"] == measure_id
        if not mask.any():
            continue
        for fld, value in entry["values"].items():
            if fld in out.columns:
                out[fld] = out[fld].astype(object)
                out.loc[mask, fld] = value
    return out


def nodes_frame(component_value: object) -> pd.DataFrame | None:
    """The rows a grid component last reported (its raw session-state value), or None."""
    if not isinstance(component_value, dict):
        return None
    nodes = component_value.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        return None
    return pd.DataFrame([n.get("data", {}) for n in nodes if isinstance(n, dict) and not n.get("group")])


def _same(a: object, b: object, fld: str) -> bool:
    a, b = _norm(a), _norm(b)
    if fld == "permanent":
        as_bool = lambda v: v.lower() in ("true", "1", "kyllä") if isinstance(v, str) else bool(v)  # noqa: E731
        return as_bool(a) == as_bool(b)
    if fld in ("start_year", "end_year") and a is not None and b is not None:
        try:
            return int(float(a)) == int(float(b))
        except (TypeError, ValueError):
            return str(a) == str(b)
    return (a in (None, "") and b in (None, "")) or a == b


def collect_edits(shown: pd.DataFrame, returned: pd.DataFrame | None, pending: dict) -> dict:
    """Add to ``pending`` what the user changed in the grid relative to what it was shown.

    Comparing with the *shown* rows (not the current store) means a value someone else saved
    meanwhile is never mistaken for this user's edit; the version recorded is the one the user
    saw, so saving over a newer row is detected as a conflict.
    """
    if returned is None or returned.empty or "measure_id" not in returned.columns:
        return pending
    base = {r["measure_id"]: r for r in shown.to_dict("records")}  # plain dicts: this runs on every rerun
    for row in returned.to_dict("records"):
        seen = base.get(row.get("measure_id"))
        if seen is None:
            continue
        mid = seen["measure_id"]
        for fld in EDITABLE:
            if fld not in row or _same(row[fld], seen[fld], fld):
                continue
            entry = pending.setdefault(mid, {"version": int(seen["version"]), "values": {}})
            value = _norm(row[fld])
            if fld == "permanent":
                value = _same(value, True, fld)
            entry["values"][fld] = "" if value is None and fld not in ("start_year", "end_year") else value
    return pending


_OPTIONS: dict[tuple, dict] = {}  # built grid options per language, role and column types (read only)


def _grid_options(df: pd.DataFrame, lang: str, editable: bool) -> dict:
    """The grid's column definitions and options: a fresh top-level dict (AgGrid adds the rows to it)."""
    sig = (lang, editable, tuple((str(c), str(d)) for c, d in df.dtypes.items()))
    built = _OPTIONS.get(sig)
    if built is None:
        built = _OPTIONS[sig] = _build_grid_options(df.head(0), lang, editable)
    return dict(built)


def _build_grid_options(df: pd.DataFrame, lang: str, editable: bool) -> dict:
    gb = GridOptionsBuilder.from_dataframe(df)
    gb.configure_default_column(resizable=True, filter=True, sortable=True, wrapText=True, autoHeight=True,
                                editable=False, cellStyle={"white-space": "pre-wrap", "line-height": "1.4"})
    gb.configure_column("measure_id", header_name="ID", width=130, pinned="left")
    gb.configure_column("actor", header_name=t("col.actor", lang), width=150)
    gb.configure_column("subgoal", header_name=t("col.subgoal", lang), width=180)
    widths = {"toimenpide": 320, "mittari": 240, "aikataulu": 140, "toimijat": 200, "seuranta": 220}
    for fld in MEASURE_TEXT_FIELDS:
        gb.configure_column(
            fld, header_name=t(f"col.{fld}", lang), width=widths[fld], editable=editable,
            cellEditor="agLargeTextCellEditor", cellEditorPopup=True,
            cellEditorParams={"maxLength": 4000, "rows": 10, "cols": 60},
        )
    gb.configure_column("status", header_name=t("col.status", lang), width=130, editable=editable,
                        cellEditor="agSelectCellEditor",
                        cellEditorParams={"values": [s.value for s in MeasureStatus]})
    gb.configure_column("start_year", header_name=t("col.start_year", lang), width=100, editable=editable,
                        type=["numericColumn"])
    gb.configure_column("end_year", header_name=t("col.end_year", lang), width=100, editable=editable,
                        type=["numericColumn"])
    gb.configure_column("permanent", header_name=t("col.permanent", lang), width=90, editable=editable,
                        cellEditor="agCheckboxCellEditor")
    gb.configure_column("contact", header_name=t("col.contact", lang), width=160, editable=editable)
    gb.configure_column("row_kind_label", header_name=t("col.row_kind", lang), width=120)
    gb.configure_column("version", hide=True)
    gb.configure_grid_options(enableCellTextSelection=True, ensureDomOrder=True,
                              stopEditingWhenCellsLoseFocus=True, undoRedoCellEditing=True)
    return gb.build()


def _grid_types(df: pd.DataFrame) -> pd.DataFrame:
    """Grid columns with the cell types AgGrid edits: whole years or None, text, a checkbox."""
    for col in GRID_COLUMNS:
        if col not in df.columns:
            df[col] = None
    out = df[GRID_COLUMNS].copy()
    for col in ("start_year", "end_year", "version"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64").astype(object).where(out[col].notna(), None)
    for col in (*MEASURE_TEXT_FIELDS, "status", "contact"):
        out[col] = out[col].fillna("").astype(str)
    out["permanent"] = out["permanent"].fillna(False).astype(bool)
    return out


@st.cache_resource(show_spinner=False, max_entries=8)
def _all_rows(url: str, version: int, lang: str) -> pd.DataFrame:
    """Every stored measure as grid rows in plan order, per data version (shared: read only)."""
    return _grid_types(views.shared_measures_display(url, version, lang))


@st.cache_resource(show_spinner=False, max_entries=64)
def _stored_rows(url: str, version: int, lang: str, ids_sig: str, _ids: tuple[str, ...]) -> pd.DataFrame | None:
    """The grid rows of ``_ids`` (at most MAX_GRID_ROWS, plan order) as stored at ``version``, or None
    if some of them are not rows of that version; one per filter result (shared: read only)."""
    rows = _all_rows(url, version, lang)
    wanted = rows["measure_id"].isin(_ids)
    if int(wanted.sum()) != len(_ids):
        return None
    return rows[wanted].head(MAX_GRID_ROWS).reset_index(drop=True)


def ids_signature(measures: pd.DataFrame) -> str:
    """A short fingerprint of which measures (in which order) a filter selected."""
    return hashlib.blake2b("\x1f".join(map(str, measures["measure_id"])).encode(), digest_size=8).hexdigest()


def grid_frame(ctx: PageContext, measures: pd.DataFrame, ids_sig: str | None = None) -> pd.DataFrame:
    """The rows and columns the grid shows (at most MAX_GRID_ROWS, pending edits applied)."""
    pending = st.session_state.get(state.PENDING) or {}
    out = _stored_rows(data.database_url(), data.version(), ctx.lang, ids_sig or ids_signature(measures),
                       tuple(measures["measure_id"]))
    if out is None:  # not rows of the current store (or it changed meanwhile)
        return _grid_types(measures_display(ctx.plan, apply_pending(measures, pending), ctx.lang)).head(MAX_GRID_ROWS)
    shown = set(out["measure_id"])
    if any(mid in shown for mid in pending):
        out = _grid_types(apply_pending(out, pending))  # copies: the cached rows stay as they are
    return out


def render(ctx: PageContext, measures: pd.DataFrame, key: str, height: int = 520) -> None:
    """Draw the grid for ``measures`` (already filtered) with save/discard for editors."""
    lang = ctx.lang
    if measures.empty:
        st.info(t("measures.none", lang))
        return
    editable = ctx.editor is not None
    # A new grid (new key) whenever what it should show changes: the data, a discard, the language or
    # the filter result. Rows are sent as JSON without a data hash, so the grid never swaps rows under
    # a user's edits (with a hash it would ignore new rows once edited, showing stale ones).
    ids_sig = ids_signature(measures)
    grid_key = f"{key}_{data.version()}_{st.session_state.get(GRID_GENERATION, 0)}_{lang}_{ids_sig}"
    memo_key = f"_grid_shown_{key}"
    pending = dict(st.session_state.get(state.PENDING) or {})
    previous = st.session_state.get(memo_key)
    if editable and previous and previous[0] != grid_key:
        # the data changed (a save, here or elsewhere) since the last run: keep edits the user
        # made in the grid as it was, before it is replaced by a fresh one
        pending = collect_edits(previous[1], nodes_frame(st.session_state.get(previous[0])), pending)
        st.session_state[state.PENDING] = pending
    frame = grid_frame(ctx, measures, ids_sig)
    if len(measures) > len(frame):
        st.info(t("edit.too_many", lang, shown=len(frame), n=len(measures)))
    st.session_state[memo_key] = (grid_key, frame)
    AgGrid(
        frame.copy(deep=False),  # AgGrid adds a row-id column to the frame it is given
        gridOptions=_grid_options(frame, lang, editable),
        height=height,
        update_mode=GridUpdateMode.VALUE_CHANGED,
        update_on=["cellValueChanged"],
        key=grid_key,
        allow_unsafe_jscode=False,
        show_toolbar=False,
        show_download_button=False,
        theme="streamlit",
        use_json_serialization=True,  # rows as one JSON text: no per-run hashing and Arrow conversion
    )
    if editable:
        # Edits arrive as a new component value (update_on cellValueChanged); the value stays the
        # same object across reruns until the grid sends another, so compare only new ones.
        raw, seen_key = st.session_state.get(grid_key), f"_grid_seen_{key}"
        if raw is not None and raw is not st.session_state.get(seen_key):
            st.session_state[seen_key] = raw
            updated = collect_edits(frame, nodes_frame(raw), copy.deepcopy(pending))
            if updated != pending:
                st.session_state[state.PENDING] = updated
                st.rerun()
        save_bar(ctx, key)
    else:
        st.caption(t("edit.readonly_hint", lang))


def reset_grids() -> None:
    """Rebuild every grid from the store on the next run (after edits were discarded)."""
    st.session_state[GRID_GENERATION] = st.session_state.get(GRID_GENERATION, 0) + 1
    for k in [k for k in st.session_state if str(k).startswith("_grid_shown_")]:
        del st.session_state[k]


def save_bar(ctx: PageContext, key: str) -> None:
    """Pending-edit status with Save and Discard, and the conflict chooser after a clash."""
    lang = ctx.lang
    pending = st.session_state.get(state.PENDING) or {}
    conflicts = st.session_state.get(state.CONFLICTS) or []
    if conflicts:
        resolve_conflicts(ctx, key)
        return
    if not pending:
        st.caption("✓ " + t("edit.all_saved", lang))
        return
    n = sum(len(e["values"]) for e in pending.values())
    st.warning(t("edit.pending", lang, n=n, rows=len(pending)))
    c1, c2 = st.columns([1, 1])
    if c1.button(t("edit.save", lang), key=f"{key}_save", type="primary"):
        save_pending(ctx)
    if c2.button(t("edit.discard", lang), key=f"{key}_discard"):
        st.session_state[state.PENDING] = {}
        reset_grids()
        st.rerun()


def save_pending(ctx: PageContext) -> None:
    """Save every pending edit in one transaction; on conflict keep them and ask."""
    lang = ctx.lang
    pending = st.session_state.get(state.PENDING) or {}
    edits = [MeasureEdit(mid, e["version"], dict(e["values"])) for mid, e in pending.items()]
    try:
        data.store().save_measure_edits(edits, ctx.editor)
    except ConflictError as exc:
        st.session_state[state.CONFLICTS] = [
            {"measure_id": c.entity_id, "mine": c.mine, "current": {k: c.current.get(k) for k in c.mine},
             "current_version": c.current_version, "by": c.current.get("updated_by", ""),
             "at": c.current.get("updated_at", "")}
            for c in exc.conflicts
        ]
        st.rerun()
    except StoreError as exc:  # a refusal, or a store that cannot be written: edits stay pending
        st.error(exc.text(lang))
        return
    st.session_state[state.PENDING] = {}
    data.clear()
    st.toast(t("edit.saved", lang), icon="✅")
    st.rerun()


def resolve_conflicts(ctx: PageContext, key: str) -> None:
    """Show mine vs theirs for each conflicting row; the editor keeps one or the other."""
    lang = ctx.lang
    conflicts = st.session_state.get(state.CONFLICTS) or []
    st.error(t("edit.conflict", lang))
    for i, c in enumerate(conflicts):
        st.markdown(f"**{md_escape(c['measure_id'])}** — " + t("edit.conflict_by", lang, by=md_escape(c["by"]), at=md_escape(c["at"])))
        rows = [{"field": t(f"col.{f}", lang), "mine": str(v), "theirs": str(c["current"].get(f))}
                for f, v in c["mine"].items()]
        table = pd.DataFrame(rows).rename(columns={"field": t("edit.field", lang), "mine": t("edit.mine", lang),
                                                   "theirs": t("edit.theirs", lang)})
        st.table(table.set_index(t("edit.field", lang)))  # small; plain text, both values side by side
        k1, k2 = st.columns(2)
        if k1.button(t("edit.keep_mine", lang), key=f"{key}_mine_{i}"):
            pending = st.session_state.get(state.PENDING) or {}
            if c["measure_id"] in pending:
                pending[c["measure_id"]]["version"] = c["current_version"]
            st.session_state[state.CONFLICTS] = [x for x in conflicts if x is not c]
            save_pending(ctx)
        if k2.button(t("edit.keep_theirs", lang), key=f"{key}_theirs_{i}"):
            pending = st.session_state.get(state.PENDING) or {}
            pending.pop(c["measure_id"], None)
            st.session_state[state.CONFLICTS] = [x for x in conflicts if x is not c]
            data.clear()
            reset_grids()
            st.rerun()


def add_and_remove(ctx: PageContext, measures: pd.DataFrame, key: str, goal_id: str | None = None) -> None:
    """Forms to add a measure for an actor and sub-goal, and to remove one (confirmed, recoverable)."""
    lang = ctx.lang
    if ctx.editor is None:
        return
    plan = ctx.plan
    # lazy expanders: the forms are built only while open (they are not needed on most reruns)
    adder = st.expander(t("edit.add", lang), key=f"{key}_add_open", on_change="rerun")
    if adder.open:
        with adder, st.form(f"{key}_add", clear_on_submit=True):
            actors = [a.actor_id for a in plan.actors]
            actor = st.selectbox(t("col.actor", lang), actors, key=f"{key}_add_actor",
                                 format_func=lambda a: name(plan.actor(a), lang))
            subs = [s for s in plan.subgoals if goal_id is None or s.goal_id == goal_id]
            sub = st.selectbox(t("col.subgoal", lang), [s.subgoal_id for s in subs], key=f"{key}_add_sub",
                               format_func=lambda s: f"{s} {next(x.title_fi if lang == 'fi' else x.title_en for x in subs if x.subgoal_id == s)}")
            values = {f: st.text_area(t(f"col.{f}", lang), key=f"{key}_add_{f}", max_chars=4000, height=80)
                      for f in MEASURE_TEXT_FIELDS}
            if st.form_submit_button(t("edit.add_submit", lang)):
                try:
                    mid = data.store().add_measure(actor, sub, values, ctx.editor,
                                                   known_actors=actors, known_subgoals=[s.subgoal_id for s in plan.subgoals])
                except StoreError as exc:
                    st.error(exc.text(lang))
                else:
                    data.clear()
                    st.success(t("edit.added", lang, id=mid))
    remover = st.expander(t("edit.remove", lang), key=f"{key}_rm_open", on_change="rerun")
    if not remover.open:
        return
    with remover:
        ids = list(measures["measure_id"])
        if not ids:
            return
        target = st.selectbox(t("edit.remove_which", lang), ids, key=f"{key}_rm_id")
        sure = st.checkbox(t("edit.remove_confirm", lang), key=f"{key}_rm_ok")
        if st.button(t("edit.remove_submit", lang), key=f"{key}_rm_go", disabled=not sure):
            row = measures[measures["measure_id"] == target].iloc[0]
            try:
                data.store().delete_measure(target, int(row["version"]), ctx.editor)
            except StoreError as exc:
                st.error(exc.text(lang))
            else:
                (st.session_state.get(state.PENDING) or {}).pop(target, None)
                data.clear()
                st.success(t("edit.removed", lang, id=target))
