"""The rows a measures grid shows: the stored measures of a data version as grid cells, pending (unsaved)
edits shown over them, serialised to JSON once per frame for every session."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.base.memo import ByIdentity, T
from core.plan.model import MEASURE_TEXT_FIELDS
from core.views.queries import measures_display
from ui import data, state, views
from ui.frame import PageContext
from ui.grid_columns import EDITABLE

MAX_GRID_ROWS = 400  # more rows than a workshop can read; filters narrow the rest
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


def grid_types(df: pd.DataFrame) -> pd.DataFrame:
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
    return grid_types(views.shared_measures_display(src, version, lang))


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
    ids = measures["measure_id"].tolist()  # a list at once: iterating pandas 3's Arrow strings goes value by value
    return hashlib.blake2b("\x1f".join(map(str, ids)).encode(), digest_size=8).hexdigest()


def grid_frame(ctx: PageContext, measures: pd.DataFrame, ids_sig: str | None = None) -> pd.DataFrame:
    """The rows and columns the grid shows (at most MAX_GRID_ROWS, pending edits applied)."""
    pending = st.session_state.get(state.PENDING) or {}
    out = _stored_rows(
        data.source(),
        data.version(),
        ctx.lang,
        ids_sig or ids_signature(measures),
        tuple(measures["measure_id"].tolist()),
    )
    if out is None:  # not rows of the current store (or it changed meanwhile)
        return grid_types(measures_display(ctx.plan, apply_pending(measures, pending), ctx.lang)).head(MAX_GRID_ROWS)
    shown = set(out["measure_id"].tolist())
    if any(mid in shown for mid in pending):
        out = grid_types(apply_pending(out, pending))  # copies: the cached rows stay as they are
    return out


ROW_ID = "::auto_unique_id::"  # streamlit-aggrid's row id column (its getRowId): the measure id
_PER_FRAME: ByIdentity[object] = ByIdentity(128)


def once_per_frame(frame: pd.DataFrame, what: str, make: Callable[[pd.DataFrame], T]) -> T:
    """``make(frame)``, made once per frame object and ``what``, for every session and run.

    A grid's frame is shared while the data stays (a cached one of a data version, or the one a session
    keeps while its grid stays), so sixty sessions showing one version build what is derived from it
    once. Read only, like the frame.
    """
    return _PER_FRAME.get(frame, make, what)


def rows_json(frame: pd.DataFrame) -> str:
    """The grid's rows as streamlit-aggrid sends them (records with its row id column), once per frame.

    Handing AgGrid this text instead of the frame also skips its per-run copy, type inference and dtype
    text, a third of the Toimenpiteet page's time.
    """
    return once_per_frame(frame, "rows_json", _rows_json)


def _rows_json(frame: pd.DataFrame) -> str:
    out = frame.copy(deep=False)
    out[ROW_ID] = out["measure_id"].astype(str)  # the row id AG Grid keeps a row by (keep_place)
    return out.to_json(orient="records")


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
