"""Around the measures grid: one card per measure on a phone, and the detail panel that shows one
whole measure in large text areas (read, or edit and save) on any screen.

The grid caps its row height, so long measures are read and edited here. A phone gets the cards and
no grid, any other browser the grid and no cards (``on_phone``: what the browser says it is, as
Python never learns the viewport width). Until 2026-12-06 both were drawn on every screen and CSS
hid one: the hidden cards were thirteen of a busy page's ~thirty elements on every run of every
session, and under a workshop's load (bench/live_load.py) each element's hand-over costs time that
everyone waits for (save -> seen p95 3.2 s with them, 2.6 s without; docs/benchmarks.md). Panel edits
go through the same pending edits, save and conflict flow as the grid.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from core.base.i18n import key_part, t
from core.plan.model import MAX_TEXT_LENGTH, MEASURE_TEXT_FIELDS, MeasureStatus
from ui import state
from ui.grid_rows import once_per_frame

CARDS_PER_PAGE = 6  # about two phone screens; each card is two elements on every run of a phone's page
FOLLOW_UP = ("status", "start_year", "end_year", "permanent", "contact")
PANEL_FIELDS = (*MEASURE_TEXT_FIELDS, *FOLLOW_UP)

# The cards' look: the class names are those of st.container(key=…) and st.button(key=…).
_CSS = """<style>
/* a card is its text (one st.html) and its button under it, drawn as one box: no container per card,
   each of which cost as much as the card's text (two-fifths of the cards' time in a busy room) */
.mcard { border: 1px solid rgba(49, 51, 63, 0.2); border-bottom: none; border-radius: .5rem .5rem 0 0;
         padding: .75rem 1rem .1rem 1rem; }
[class*="st-key-mcards_"] [class*="st-key-mcardbtn_"] { margin-top: -1rem; border: 1px solid rgba(49, 51, 63, 0.2);
  border-top: none; border-radius: 0 0 .5rem .5rem; padding: 0 1rem .75rem 1rem; width: 100% !important;
  box-sizing: border-box; }
.mcard-meta { font-size: 0.9rem; color: #31333f; margin: 0 0 .25rem 0; }
.mcard-text { font-size: 1rem; line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 .4rem 0; }
.mcard-label { font-weight: 600; }
</style>"""


def style() -> None:
    """The cards' CSS (once per run that draws them)."""
    st.html(_CSS)


_PHONE = "_on_phone"  # session state: what this session's browser said it is (its headers do not change)


def phone_browser(user_agent: str, mobile_hint: str) -> bool:
    """Whether a browser with these headers is a phone: its client hint says so (``Sec-CH-UA-Mobile: ?1``,
    Chromium's), or its User-Agent has "Mobi" (Safari, Firefox and Chrome on phones; tablets leave it out
    and get the grid, which fits their width)."""
    return mobile_hint.strip() == "?1" or "Mobi" in user_agent


def on_phone() -> bool:
    """Whether this session's browser is a phone (``phone_browser``), read once per session."""
    known = st.session_state.get(_PHONE)
    if known is None:
        try:
            headers = st.context.headers
            known = phone_browser(headers.get("User-Agent") or "", headers.get("Sec-CH-UA-Mobile") or "")
        except Exception:  # noqa: BLE001 - no request headers (a test's runner): not a phone
            known = False
        st.session_state[_PHONE] = known
    return known


def panel_key(key: str) -> str:
    """The detail panel's measure chooser (a widget key): the grid and the cards set it."""
    return f"w_{key}_detail"


def open_in_panel(key: str, measure_id: str) -> None:
    """Show ``measure_id`` in the detail panel (used as a button callback)."""
    st.session_state[panel_key(key)] = measure_id


def _open_from_card(key: str, measure_id: str) -> None:
    """Card button callback: open the measure and remember the card, which then says where it opened."""
    open_in_panel(key, measure_id)
    st.session_state[f"_card_opened_{key}"] = measure_id


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def cards(lang: str, frame: pd.DataFrame, key: str) -> None:
    """The measures as cards, a page at a time (phones)."""
    n = len(frame)
    pages = max(1, -(-n // CARDS_PER_PAGE))
    page_key = f"w_{key}_cardpage"
    if st.session_state.get(page_key, 1) > pages:
        st.session_state[page_key] = 1
    if pages > 1:
        st.number_input(t("grid.cards.page", lang, pages=pages), min_value=1, max_value=pages, step=1, key=page_key)
    page = int(st.session_state.get(page_key, 1))
    opened = st.session_state.pop(f"_card_opened_{key}", None)  # the card just tapped (this run only)
    rows = frame.iloc[(page - 1) * CARDS_PER_PAGE : page * CARDS_PER_PAGE]
    card_fields = ["measure_id", "actor", "subgoal", "toimenpide", "mittari", "aikataulu"]
    columns = {c: rows[c].tolist() if c in rows.columns else [None] * len(rows) for c in card_fields}
    # six columns as lists: a records dict of every column cost as much as drawing the cards
    for row in ({c: columns[c][i] for c in card_fields} for i in range(len(rows))):
        meta = " · ".join(
            x for x in (_text(row.get("measure_id")), _text(row.get("actor")), _text(row.get("subgoal"))) if x
        )
        parts = [f'<div class="mcard"><p class="mcard-meta">{html.escape(meta)}</p>']
        for fld in ("toimenpide", "mittari", "aikataulu"):
            value = _text(row.get(fld)).strip()
            if value:
                parts.append(
                    f'<p class="mcard-text"><span class="mcard-label">{html.escape(t(f"col.{fld}", lang))}:'
                    f"</span> {html.escape(value)}</p>"
                )
        st.html("".join(parts) + "</div>")
        st.button(  # its key names its element, which the CSS above draws as the card's foot
            t("grid.open", lang),
            key=f"mcardbtn_{key}_{row['measure_id']}",
            on_click=_open_from_card,
            args=(key, row["measure_id"]),
        )
        if row["measure_id"] == opened:  # feedback where the phone user tapped: the panel is far below
            st.caption(t("grid.opened_below", lang))
    if pages > 1:  # the page's own count above says how many; this says only where in the list one is,
        # with no second count beside it (counted otherwise, "6 / 16" beside "14 measures" read as a contradiction)
        st.caption(t("grid.cards.count", lang, page=page, pages=pages))


def _base_values(row: dict) -> dict:
    out = {}
    for fld in PANEL_FIELDS:
        value = row.get(fld)
        if fld in ("start_year", "end_year"):
            out[fld] = None if value is None or pd.isna(value) else int(value)
        elif fld == "permanent":
            out[fld] = bool(value) if value is not None and not pd.isna(value) else False
        else:
            out[fld] = _text(value)
    return out


def _choices(frame: pd.DataFrame) -> tuple[tuple[str, ...], dict[str, str]]:
    """The panel chooser's measure ids and their labels ("id · the measure's text, cut"), from two columns
    only (a dict of every whole row on every run was a tenth of the Toimenpiteet page's time). Shared:
    read only."""
    ids = tuple(frame["measure_id"].tolist())
    texts = frame["toimenpide"].tolist()
    return ids, {m: f"{m} · {_text(v)[:70]}" for m, v in zip(ids, texts, strict=True)}


def detail_panel(lang: str, frame: pd.DataFrame, key: str, editable: bool, on_save) -> None:
    """One whole measure in large text: read for viewers; edit, then save (with pending edits) for editors.

    The values the panel started from are remembered, and go with each changed field as its base, so
    a save merges per field (someone else's change of another field stays) and only a field someone
    else changed meanwhile becomes the usual conflict choice; nothing typed here is lost when the
    store changes under it.
    """
    ids, labels = once_per_frame(frame, "panel_choices", _choices)
    if not ids:
        return
    chooser = panel_key(key)
    if st.session_state.get(chooser) not in ids:
        st.session_state.pop(chooser, None)
    with st.container(border=True, key=f"mpanel_{key}"):
        st.subheader(t("grid.detail.title", lang))
        mid = st.selectbox(
            t("grid.detail.choose", lang),
            ids,
            key=chooser,
            index=None,
            placeholder=t("grid.detail.placeholder", lang),
            format_func=labels.__getitem__,
        )
        if mid is None:
            return
        row = frame.iloc[[ids.index(mid)]].to_dict("records")[0]  # native Python values, as before
        st.caption(f"{_text(row.get('actor'))} · {_text(row.get('subgoal'))}")
        if not editable:
            for fld in PANEL_FIELDS:
                value = (
                    _text(row.get(fld))
                    if fld != "permanent"
                    else (t("grid.yes", lang) if row.get(fld) else t("grid.no", lang))
                )
                if value.strip():
                    st.html(
                        f'<p class="mcard-text"><span class="mcard-label">{html.escape(t(f"col.{fld}", lang))}:'
                        f"</span> {html.escape(value)}</p>"
                    )
            return
        _edit_form(lang, row, key, on_save)


def _edit_form(lang: str, row: dict, key: str, on_save) -> None:
    mid = row["measure_id"]
    base_key = f"_{key}_detail_base_{mid}"
    shown = _base_values(row)
    base = st.session_state.get(base_key)
    widget = {fld: f"w_{key}_d_{mid}_{fld}" for fld in PANEL_FIELDS}
    touched = base is not None and any(
        widget[f] in st.session_state and st.session_state[widget[f]] != base["values"][f] for f in PANEL_FIELDS
    )
    if base is None or (not touched and (base["version"] != row.get("version") or base["values"] != shown)):
        # first view, or the row changed (saved here or elsewhere) while nothing was typed: show it fresh
        base = st.session_state[base_key] = {"version": row.get("version"), "values": shown}
        for fld in PANEL_FIELDS:
            st.session_state[widget[fld]] = shown[fld]
    elif touched and base["values"] != shown:
        st.info(t("grid.detail.changed_meanwhile", lang))
    for fld in MEASURE_TEXT_FIELDS:
        st.text_area(t(f"col.{fld}", lang), key=widget[fld], height=170 if fld == "toimenpide" else 120)
        length = len(st.session_state.get(widget[fld]) or "")
        if length > MAX_TEXT_LENGTH:
            st.error(t("edit.too_long_here", lang, count=length, limit=MAX_TEXT_LENGTH))
    c1, c2, c3 = st.columns(3)
    statuses = [s.value for s in MeasureStatus]
    if st.session_state.get(widget["status"]) not in statuses:
        st.session_state[widget["status"]] = ""
    c1.selectbox(
        t("col.status", lang),
        statuses,
        key=widget["status"],
        format_func=lambda s: t(f"timeline.chart.status.{key_part(s)}", lang),
    )
    c2.number_input(
        t("col.start_year", lang),
        min_value=2000,
        max_value=2100,
        step=1,
        key=widget["start_year"],
        placeholder=t("grid.detail.no_year", lang),
    )
    c3.number_input(
        t("col.end_year", lang),
        min_value=2000,
        max_value=2100,
        step=1,
        key=widget["end_year"],
        placeholder=t("grid.detail.no_year", lang),
    )
    st.checkbox(t("col.permanent", lang), key=widget["permanent"])
    st.text_input(t("col.contact", lang), key=widget["contact"])
    changed = {
        f: st.session_state.get(widget[f]) for f in PANEL_FIELDS if st.session_state.get(widget[f]) != base["values"][f]
    }
    b1, b2 = st.columns(2)
    if b1.button(t("grid.detail.save", lang), key=f"{key}_d_save", type="primary", disabled=not changed):
        pending = st.session_state.get(state.PENDING) or {}
        entry = pending.setdefault(mid, {"version": int(base["version"]), "values": {}, "base": {}})
        started = entry.setdefault("base", {})
        for fld, value in changed.items():
            if fld not in entry["values"]:  # a field the grid changed first keeps the grid's base
                started[fld] = base["values"][fld]
            entry["values"][fld] = value
        st.session_state[state.PENDING] = pending
        st.session_state.pop(base_key, None)  # the saved row becomes the new starting point
        on_save()
    if b2.button(t("grid.detail.reset", lang), key=f"{key}_d_reset", disabled=not changed):
        st.session_state.pop(base_key, None)
        for fld in PANEL_FIELDS:
            st.session_state.pop(widget[fld], None)
        st.rerun()
