"""The measures grid's columns and options (streamlit-aggrid): labels, widths, the room's column order and
type sizes, AG Grid's own texts in the UI language, and the options that keep a grid in place for live updates."""

from __future__ import annotations

import pandas as pd
from st_aggrid import GridOptionsBuilder, JsCode

from core.base.i18n import CATALOGUE, DEFAULT_LANG, t
from core.plan.model import MEASURE_TEXT_FIELDS, MeasureStatus

EDITABLE = (*MEASURE_TEXT_FIELDS, "status", "start_year", "end_year", "permanent", "contact")


_OPTIONS: dict[tuple, dict] = {}  # built grid options per language, role and column types (read only)


def grid_options(df: pd.DataFrame, lang: str, editable: bool) -> dict:
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
        **{f: t(f"col.{f}", lang) for f in EDITABLE},
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
