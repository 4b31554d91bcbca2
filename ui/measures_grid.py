"""The measures grid (streamlit-aggrid): read-only for viewers, editable for editors.

Edits are kept as *pending* in session state until saved, so changing filters or pages never
drops them; the grid shows pending values over the stored ones. Each pending field keeps the value
the editor started from, so a save merges per field: someone else's change of another field lands
beside it, and only a field someone else changed too shows both values for the editor to choose.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections import OrderedDict

import pandas as pd
import streamlit as st
from st_aggrid import AgGrid, GridOptionsBuilder, GridUpdateMode, JsCode

from core.base.cells import has_control_chars
from core.base.i18n import CATALOGUE, DEFAULT_LANG, Msg, name, t
from core.base.rules import is_yes
from core.plan.model import MAX_TEXT_LENGTH, MEASURE_TEXT_FIELDS, MeasureStatus
from core.store import ConflictError, MeasureEdit, StoreError
from core.store.edits import diff_rows, normalise, row_conflicts, same_value, version_of
from core.views.queries import measures_display
from ui import data, live, measure_panel, state, views
from ui.edit_table import conflict_chooser
from ui.frame import PageContext

MAX_GRID_ROWS = 400  # more rows than a workshop can read; filters narrow the rest
GRID_GENERATION = "_grid_generation"  # bumped to rebuild grids after discarding edits
EDITABLE = (*MEASURE_TEXT_FIELDS, "status", "start_year", "end_year", "permanent", "contact")
GRID_COLUMNS = ["measure_id", "actor", "subgoal", *EDITABLE, "row_kind_label", "version"]


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
    """Whether a grid cell is unchanged: the shared rule (core.store.edits), a yes/no and a whole year read as such."""
    if fld == "permanent":
        return is_yes(normalise(a)) == is_yes(normalise(b))
    a, b = normalise(a), normalise(b)
    if fld in ("start_year", "end_year") and a is not None and b is not None:
        try:
            return int(float(a)) == int(float(b))
        except (TypeError, ValueError):
            return str(a) == str(b)
    return same_value(a, b)


def collect_edits(
    shown: pd.DataFrame, returned: pd.DataFrame | None, pending: dict, older: tuple[pd.DataFrame, ...] = ()
) -> dict:
    """Add to ``pending`` what the user changed in the grid relative to what it was shown.

    Comparing with the *shown* rows (not the current store) means a value someone else saved
    meanwhile is never mistaken for this user's edit. Each field keeps the value it was first shown
    with (``base``): the store merges per field against it, so only a field someone else changed
    too is a conflict. Rows the grid did not show, or did not send back, are no edits here
    (measures are added and removed with their own forms). A grid keeps its rows while others' saves
    arrive (keep_place), so a row it sends back may still be one it was shown earlier: ``older`` are
    the frames it showed before, and such a row is compared with the one of its own version (else a
    value saved meanwhile by someone else would look like this user's change back).
    """
    if returned is None or returned.empty or "measure_id" not in returned.columns:
        return pending
    # plain dicts: this runs on every rerun
    after = returned.to_dict("records")
    before = _shown_rows(shown.to_dict("records"), after, older)
    diff = diff_rows(before, after, "measure_id", EDITABLE, same=_same)
    for change in diff.changed:
        entry = pending.setdefault(change.key, {"version": change.version, "values": {}, "base": {}})
        base = entry.setdefault("base", {})
        for fld in change.fields:
            value, started = change.values[fld], change.started_from[fld]
            if fld == "permanent":
                value, started = is_yes(value), is_yes(started)
            if fld not in entry["values"]:  # the first edit of a field: the grid showed the stored value
                base[fld] = started
            if fld in base and _same(value, base[fld], fld):  # typed back as it was: no edit left to save
                entry["values"].pop(fld, None)
                base.pop(fld)
                continue
            entry["values"][fld] = "" if value is None and fld not in ("start_year", "end_year") else value
        if not entry["values"]:
            del pending[change.key]
    return pending


def _shown_rows(shown: list[dict], returned: list[dict], older: tuple[pd.DataFrame, ...]) -> list[dict]:
    """``shown`` with each row the grid sent back from an older version replaced by that older row."""
    if not older:
        return shown
    by_id = {str(r.get("measure_id")): r for r in shown}
    for row in returned:
        mid = str(row.get("measure_id"))
        now = by_id.get(mid)
        if now is None or version_of(now.get("version")) == version_of(row.get("version")):
            continue
        for frame in older:
            hit = frame[frame["measure_id"] == mid]
            if len(hit) and version_of(hit.iloc[0]["version"]) == version_of(row.get("version")):
                by_id[mid] = hit.iloc[0].to_dict()
                break
    return list(by_id.values())


_OPTIONS: dict[tuple, dict] = {}  # built grid options per language, role and column types (read only)


def _grid_options(df: pd.DataFrame, lang: str, editable: bool) -> dict:
    """The grid's column definitions and options: a fresh top-level dict (AgGrid adds the rows to it)."""
    sig = (lang, editable, tuple((str(c), str(d)) for c, d in df.dtypes.items()))
    built = _OPTIONS.get(sig)
    if built is None:
        built = _OPTIONS[sig] = _build_grid_options(df.head(0), lang, editable)
    return dict(built)


ROW_HEIGHT = 84  # four lines of text: long measures are capped here and read whole in the detail panel
HEADER_HEIGHT = 56  # two lines: every header readable at full length
# Column widths that keep text in lines of normal length; the grid scrolls sideways instead of squeezing.
WIDTHS = {
    "measure_id": 120,
    "actor": 170,
    "subgoal": 190,
    "toimenpide": 340,
    "mittari": 260,
    "aikataulu": 150,
    "toimijat": 200,
    "seuranta": 240,
    "status": 130,
    "start_year": 110,
    "end_year": 110,
    "permanent": 100,
    "contact": 170,
    "row_kind_label": 130,
}
TEXT_EDITOR_MAX = 100_000  # the grid never cuts a paste; the save bar says what is over the store's limit


def _build_grid_options(df: pd.DataFrame, lang: str, editable: bool) -> dict:
    gb = GridOptionsBuilder.from_dataframe(df)
    gb.configure_default_column(
        resizable=True,
        filter=True,
        sortable=True,
        wrapText=True,
        autoHeight=False,
        editable=False,
        wrapHeaderText=True,
        autoHeaderHeight=False,
        type=[],
        suppressSizeToFit=True,
        cellStyle={"white-space": "pre-wrap", "line-height": "1.35", "overflow": "hidden"},
    )
    labels = {
        "measure_id": "ID",
        "actor": t("col.actor", lang),
        "subgoal": t("col.subgoal", lang),
        "row_kind_label": t("col.row_kind", lang),
        **{
            f: t(f"col.{f}", lang)
            for f in (*MEASURE_TEXT_FIELDS, "status", "start_year", "end_year", "permanent", "contact")
        },
    }

    def column(fld: str, **kw) -> None:
        gb.configure_column(
            fld,
            header_name=labels[fld],
            headerTooltip=labels[fld],
            width=WIDTHS[fld],
            minWidth=min(WIDTHS[fld], 100),
            **kw,
        )

    column("measure_id", pinned="left", tooltipField="measure_id")
    column("actor", tooltipField="actor")
    column("subgoal", tooltipField="subgoal")
    for fld in MEASURE_TEXT_FIELDS:
        column(
            fld,
            editable=editable,
            tooltipField=fld,
            cellEditor="agLargeTextCellEditor",
            cellEditorPopup=True,
            cellEditorParams={"maxLength": TEXT_EDITOR_MAX, "rows": 12, "cols": 70},
        )
    column(
        "status",
        editable=editable,
        cellEditor="agSelectCellEditor",
        cellEditorParams={"values": [s.value for s in MeasureStatus]},
    )
    column("start_year", editable=editable, type=["numericColumn"])
    column("end_year", editable=editable, type=["numericColumn"])
    column("permanent", editable=editable, cellEditor="agCheckboxCellEditor")
    column("contact", editable=editable, tooltipField="contact")
    column("row_kind_label")
    gb.configure_column("version", hide=True)
    gb.configure_grid_options(
        enableCellTextSelection=True,
        ensureDomOrder=True,
        rowHeight=ROW_HEIGHT,
        headerHeight=HEADER_HEIGHT,
        tooltipShowDelay=400,
        tooltipHideDelay=30000,
        stopEditingWhenCellsLoseFocus=True,
        undoRedoCellEditing=True,
        rowSelection={"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
    )
    options = gb.build()
    options.pop("autoSizeStrategy", None)  # fitGridWidth squeezed all 14 columns into the page width
    options["columnDefs"] = room_columns(options["columnDefs"])
    options["localeText"] = locale_text(lang)
    return options


# --- readable in the room: column order and widths, font sizes, the grid's own texts -------------------

# The measure and what tells whether it happens come first, after the pinned id: on a 1280 px projector the
# id, the measure, Mittari and Aikataulu are in view; the sub-goal, Toimijat and Seuranta follow. (The
# measure is not pinned: the id identifies the row, and tests and row clicks find the measure's cells in
# the scrolling part.)
ROOM_ORDER = ("measure_id", "toimenpide", "mittari", "aikataulu", "subgoal", "toimijat", "seuranta", "status", "actor")
ROOM_WIDTHS = {"measure_id": 110, "toimenpide": 320, "mittari": 220, "aikataulu": 140}


def room_columns(defs: list[dict]) -> list[dict]:
    """The column definitions in room order, the first ones narrowed to fit a projector side by side."""
    rank = {f: i for i, f in enumerate(ROOM_ORDER)}
    ordered = sorted(defs, key=lambda d: rank.get(d.get("field"), len(rank)))  # stable: the rest keep theirs
    out = []
    for d in ordered:
        fld = d.get("field")
        d = dict(d)
        if fld in ROOM_WIDTHS:
            d["width"] = ROOM_WIDTHS[fld]
        out.append(d)
    return out


def locale_text(lang: str) -> dict[str, str]:
    """AG Grid's own texts (filter and column menus, aria labels) from the catalogue, in the UI language."""
    return {_camel(k): t(f"grid.locale.{k}", lang) for k in GRID_LOCALE_KEYS}


def _camel(key: str) -> str:
    """The catalogue's select_all as AG Grid's selectAll (catalogue keys are lower-case)."""
    first, *rest = key.split("_")
    return first + "".join(w.capitalize() for w in rest)


GRID_LOCALE_KEYS = tuple(
    k.removeprefix("grid.locale.") for k in CATALOGUE[DEFAULT_LANG] if k.startswith("grid.locale.")
)


def room_css() -> dict:
    """Text a projector reads: 15 px cells and headers at full contrast (the theme's 12 px at 60 % was not)."""
    return {
        ".ag-root-wrapper": {"--ag-font-size": "15px", "font-size": "15px"},
        ".ag-cell": {"font-size": "15px"},
        ".ag-header-cell-text": {"font-size": "15px", "opacity": "1", "color": "#1f1f1f", "font-weight": "600"},
        ".ag-header-cell-label": {"opacity": "1"},
        ".ag-popup, .ag-menu, .ag-filter": {"font-size": "15px"},
        ".ag-tooltip": {"font-size": "15px"},
    }


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
def _all_rows(src: data.Source, version: int, lang: str) -> pd.DataFrame:
    """Every stored measure as grid rows in plan order, per data version (shared: read only)."""
    return _grid_types(views.shared_measures_display(src, version, lang))


@st.cache_resource(show_spinner=False, max_entries=64)
def _stored_rows(src: data.Source, version: int, lang: str, ids_sig: str, _ids: tuple[str, ...]) -> pd.DataFrame | None:
    """The grid rows of ``_ids`` (at most MAX_GRID_ROWS, plan order) as stored at ``version``, or None
    if some of them are not rows of that version; one per filter result (shared: read only)."""
    rows = _all_rows(src, version, lang)
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
    out = _stored_rows(
        data.source(), data.version(), ctx.lang, ids_sig or ids_signature(measures), tuple(measures["measure_id"])
    )
    if out is None:  # not rows of the current store (or it changed meanwhile)
        return _grid_types(measures_display(ctx.plan, apply_pending(measures, pending), ctx.lang)).head(MAX_GRID_ROWS)
    shown = set(out["measure_id"])
    if any(mid in shown for mid in pending):
        out = _grid_types(apply_pending(out, pending))  # copies: the cached rows stay as they are
    return out


ROW_ID = "::auto_unique_id::"  # streamlit-aggrid's row id column (its getRowId): the measure id
_rows_json: OrderedDict[int, tuple[pd.DataFrame, str]] = OrderedDict()  # id(frame) -> (frame, its rows as JSON)
_rows_json_lock = threading.Lock()


def rows_json(frame: pd.DataFrame) -> str:
    """The grid's rows as streamlit-aggrid sends them (records with its row id column), once per frame.

    The same frame object (a shared cached one, or the one a session keeps while its grid stays) is
    serialised once for every session and run; handing AgGrid this text instead of the frame also
    skips its per-run copy, type inference and dtype text, a third of the Toimenpiteet page's time.
    """
    with _rows_json_lock:
        hit = _rows_json.get(id(frame))
        if hit is not None and hit[0] is frame:
            _rows_json.move_to_end(id(frame))
            return hit[1]
    out = frame.copy(deep=False)
    out[ROW_ID] = out["measure_id"].astype(str)  # the row id AG Grid keeps a row by (keep_place)
    text = out.to_json(orient="records")
    with _rows_json_lock:
        _rows_json[id(frame)] = (frame, text)  # the frame is kept with it, so its id is not reused meanwhile
        while len(_rows_json) > 64:
            _rows_json.popitem(last=False)
    return text


class PreparedRows:
    """Rows already serialised by ``rows_json``, handed to ``AgGrid`` in place of the frame.

    streamlit-aggrid (pinned, 1.2.x) asks the data it is given for ``dtypes``, ``shape``, adds its
    row id column and calls ``to_json(orient="records")``; this answers those from the text made
    once, so a rerun does not copy, re-type and re-serialise 176 rows. The payload the grid gets is
    the same as from the frame itself (tests/ui/test_grid_edits.py holds them against each other).
    """

    dtypes = None

    def __init__(self, frame: pd.DataFrame) -> None:
        self.text = rows_json(frame)
        self.shape = frame.shape

    def __setitem__(self, column: str, values: object) -> None:
        if column != ROW_ID:
            raise KeyError(column)  # the row id column is in the text already; nothing else is expected

    def to_json(self, orient: str = "records") -> str:
        if orient != "records":
            raise ValueError(orient)
        return self.text


# --- Keeping everyone's place (issue #20): how rows reach a grid that stays -----------------------
# The grid component stays (a stable key) while the data changes; each run hands it the current rows,
# which streamlit-aggrid sets as the grid's rowData (server_wins). AG Grid matches them to its rows by
# row id (the measure id, rows_json), so it updates the cells that changed in place and flashes them,
# and scroll position, selection, sort, filters, column widths and the open detail panel stay.

# streamlit-aggrid cancels an open cell editor whenever rows arrive (server_wins); the rows are held
# back while an editor is open (held_version), so such a cancel could only throw away typing.
_KEEP_EDITOR_JS = JsCode(
    """function(e) {
  const stop = e.api.stopEditing.bind(e.api);
  e.api.stopEditing = function(cancel) { if (cancel !== true) { stop(cancel); } };
}"""
).js_code


def keep_place(options: dict) -> dict:
    """Grid options for live updates in place: changed cells flash, an open cell editor is never cancelled."""
    options["defaultColDef"] = {**options.get("defaultColDef", {}), "enableCellChangeFlash": True}
    options["onGridReady"] = _KEEP_EDITOR_JS
    return options


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
        # built from plus the pending edits
        base = previous[2]
        frame = _grid_types(apply_pending(base, pending)) if any(m in pending for m in base["measure_id"]) else base
    else:
        base = frame = grid_frame(ctx, measures, ids_sig)
    shown_before = shown_history(previous, grid_key, grid_version)
    if len(measures) > len(frame):
        st.info(t("edit.too_many", lang, shown=len(frame), n=len(measures)))
    st.session_state[memo_key] = (grid_key, frame, base, grid_version, shown_before)
    measure_panel.style()
    with st.container(key=f"mgrid_{key}"):  # wide screens (CSS in measure_panel)
        AgGrid(
            PreparedRows(frame),  # the rows as JSON text, made once per frame (rows_json)
            gridOptions=keep_place(
                _grid_options(frame, lang, editable)
            ),  # a fresh dict: AgGrid writes the rows into it
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
    with st.container(key=f"mcards_{key}"):  # narrow screens: one card per measure
        measure_panel.cards(lang, frame, key)
    if editable:
        save_bar(ctx, key)
    else:
        st.caption(t("edit.readonly_hint", lang))
    measure_panel.detail_panel(lang, frame, key, editable, on_save=lambda: save_pending(ctx))


EDITING_TIMEOUT_S = 900  # a cell editor reported open longer than this is taken as closed


def cell_editor_open(key: str) -> bool:
    """Whether the user has a cell editor open in grid ``key`` (the grid reported it started, not stopped)."""
    since = st.session_state.get(f"_grid_editing_{key}")
    return since is not None and time.monotonic() - since < EDITING_TIMEOUT_S


def selected_id(component_value: object) -> str | None:
    """The measure of the row the user clicked in the grid (its selected node), if any."""
    if not isinstance(component_value, dict):
        return None
    for node in component_value.get("nodes") or []:
        if isinstance(node, dict) and node.get("isSelected") and isinstance(node.get("data"), dict):
            mid = node["data"].get("measure_id")
            return str(mid) if mid else None
    return None


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


def add_and_remove(ctx: PageContext, measures: pd.DataFrame, key: str, goal_id: str | None = None) -> None:
    """Forms to add a measure for an actor and sub-goal, and to remove one (confirmed, recoverable)."""
    lang = ctx.lang
    if ctx.editor is None:
        return
    plan = ctx.plan
    # lazy expanders: the forms are built only while open (they are not needed on most reruns)
    adder = st.expander(t("edit.add", lang), key=f"{key}_add_open", on_change="rerun")
    if adder.open:
        gen = st.session_state.get(f"_{key}_add_gen", 0)  # a new form (empty fields) only after a save
        done = st.session_state.pop(f"_{key}_added", None)
        if done:
            adder.success(t("edit.added", lang, id=done))
        # not clear_on_submit: a refused measure (too long, a clash) keeps every field as typed
        with adder, st.form(f"{key}_add_{gen}", clear_on_submit=False):
            actors = [a.actor_id for a in plan.actors]
            actor = st.selectbox(
                t("col.actor", lang),
                actors,
                key=f"{key}_add_actor",
                placeholder=t("widget.placeholder", lang),
                format_func=lambda a: name(plan.actor(a), lang),
            )
            subs = [s for s in plan.subgoals if goal_id is None or s.goal_id == goal_id]
            sub = st.selectbox(
                t("col.subgoal", lang),
                [s.subgoal_id for s in subs],
                key=f"{key}_add_sub",
                placeholder=t("widget.placeholder", lang),
                format_func=lambda s: (
                    f"{s} {next(x.title_fi if lang == 'fi' else x.title_en for x in subs if x.subgoal_id == s)}"
                ),
            )
            # no max_chars: the browser would cut a long paste silently; the store refuses it with a message
            values = {
                f: st.text_area(t(f"col.{f}", lang), key=f"{key}_add_{f}_{gen}", height=80) for f in MEASURE_TEXT_FIELDS
            }
            if st.form_submit_button(t("edit.add_submit", lang)):
                try:
                    mid = data.store().add_measure(
                        actor,
                        sub,
                        values,
                        ctx.editor,
                        known_actors=actors,
                        known_subgoals=[s.subgoal_id for s in plan.subgoals],
                        plan_id=plan.plan_id,  # the plan shown, not the store's default
                    )
                except StoreError as exc:
                    st.error(exc.text(lang))
                else:
                    data.clear()
                    st.session_state[f"_{key}_added"] = mid
                    st.session_state[f"_{key}_add_gen"] = gen + 1
                    st.rerun()
    remover = st.expander(t("edit.remove", lang), key=f"{key}_rm_open", on_change="rerun")
    if not remover.open:
        return
    with remover:
        ids = list(measures["measure_id"])
        if not ids:
            return
        target = st.selectbox(
            t("edit.remove_which", lang), ids, key=f"{key}_rm_id", placeholder=t("widget.placeholder", lang)
        )
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
