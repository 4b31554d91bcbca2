"""The shared annual clock (vuosikello): default events, a 12-month ring figure and what comes next.

An event has ``event_id, title, months, owner, description``; ``months`` is text like ``"3,4"``
(1–12, see ``core.storage.parse_months``). The default cycle is in ``data/events.csv``; the app
seeds the store's ``events`` table from it (``Store.seed(plan, events_rows=load_default_events())``)
and editors change it from there.
"""

from __future__ import annotations

import csv
import html
import re
import textwrap
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from core import config
from core.i18n import t
from core.palette import OKABE_ITO, PATTERNS, ink_for
from core.storage import InvalidEdit, clean_event_values, parse_months

FONT_SIZE = 16
DEFAULT_EVENTS_PATH = config.DATA_DIR / "events.csv"
EVENT_COLUMNS = ["event_id", "title", "months", "owner", "description"]
_EVENT_ID_RE = re.compile(r"^[A-Za-z0-9_\-]{1,80}$")


def text(key: str, lang: str = "fi", **values: object) -> str:
    """A text of this module in Finnish or English."""
    return t(f"vuosikello.{key}", lang, **values)


def month_name(month: int, lang: str = "fi") -> str:
    """'maaliskuu' / 'March' for 3."""
    return text(f"month.{int(month)}", lang)


def load_default_events(path: Path | str | None = None) -> list[dict]:
    """Read the default vuosikello (``data/events.csv``), each row checked like an edit in the app.

    Raises ``InvalidEdit`` naming the file and row when a row is invalid or an id repeats.
    """
    path = Path(path or DEFAULT_EVENTS_PATH)
    rows: list[dict] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in EVENT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidEdit("vuosikello.file.columns_missing", missing[0], file=path.name, columns=", ".join(missing))
        for line_no, raw in enumerate(reader, start=2):
            event_id = (raw.get("event_id") or "").strip()
            if not _EVENT_ID_RE.match(event_id):
                raise InvalidEdit("vuosikello.file.bad_id", "event_id", file=path.name, row=line_no, id=event_id)
            if event_id in seen:
                raise InvalidEdit("vuosikello.file.repeated_id", "event_id", file=path.name, row=line_no, id=event_id)
            seen.add(event_id)
            try:
                clean = clean_event_values({k: raw.get(k) or "" for k in EVENT_COLUMNS[1:]})
            except InvalidEdit as exc:
                raise InvalidEdit("vuosikello.file.row", exc.field, file=path.name, row=line_no, error=exc) from exc
            rows.append({"event_id": event_id, **clean})
    return rows


def _months_of(value: object) -> list[int]:
    """The months of one event row, tolerant of a bad cell (gives [])."""
    try:
        return parse_months(value)
    except InvalidEdit:
        return []


def _active(events_df: pd.DataFrame) -> pd.DataFrame:
    """Rows not marked deleted, with a parsed ``_months`` list column; rows without months dropped."""
    df = events_df.copy()
    if "deleted" in df.columns:
        df = df.loc[~df["deleted"].fillna(False).astype(bool)]
    for col in EVENT_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    df["_months"] = [_months_of(m) for m in df["months"]]
    df = df.loc[df["_months"].map(bool).astype(bool)]
    for col in ("title", "owner", "description", "event_id"):
        df[col] = df[col].fillna("").astype(str)
    return df


def _ordered(events_df: pd.DataFrame) -> pd.DataFrame:
    """Active events in the order of the year (first month, then title), numbered from 1."""
    df = _active(events_df)
    df["_first"] = df["_months"].map(min)
    df = df.sort_values(["_first", "title"], kind="stable").reset_index(drop=True)
    df["number"] = range(1, len(df) + 1)
    return df


def _months_text(months: list[int], lang: str) -> str:
    return ", ".join(month_name(m, lang) for m in sorted(months))


def _wrap_hover(value: str, width: int = 60) -> str:
    """Escaped text with line breaks for a hover box (user text is HTML-escaped first)."""
    lines: list[str] = []
    for para in str(value).splitlines() or [""]:
        lines += textwrap.wrap(para, width) or [""]
    return "<br>".join(html.escape(line) for line in lines)


def vuosikello_figure(events_df: pd.DataFrame, lang: str = "fi", today: date | None = None,
                      title: str | None = None) -> go.Figure:
    """A 12-month ring (January at the top, clockwise), one numbered ring per event, this month marked.

    Each event is a ring of coloured, patterned segments in its months with its number written in
    every segment; the legend gives the number and title, the hover the title, months, owner and
    description (HTML-escaped). Colour is never the only carrier.
    """
    df = _ordered(events_df)
    fig = go.Figure()
    n = len(df)
    month_theta = [(m - 1) * 30 for m in range(1, 13)]
    for i, row in df.iterrows():
        k = int(row["number"])
        color = OKABE_ITO[(k - 1) % len(OKABE_ITO)]
        pattern = PATTERNS[((k - 1) // len(OKABE_ITO)) % len(PATTERNS)]
        months = sorted(row["_months"])
        title_txt = html.escape(textwrap.shorten(row["title"], 90, placeholder="…"))
        hover = (
            f"<b>{k}. {_wrap_hover(row['title'])}</b><br>"
            f"{text('hover.months', lang)}: {_months_text(months, lang)}<br>"
            f"{text('hover.owner', lang)}: {_wrap_hover(row['owner']) or '–'}<br>"
            f"{_wrap_hover(row['description'])}"
        )
        base = i
        fig.add_trace(
            go.Barpolar(
                r=[1] * len(months), base=[base] * len(months),
                theta=[(m - 1) * 30 for m in months], width=[28] * len(months),
                name=f"{k}. {title_txt}", legendgroup=f"e{k}",
                marker={"color": color, "line": {"color": "#333333", "width": 1},
                        "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": ink_for(color), "fgopacity": 0.35}},
                customdata=[hover] * len(months), hovertemplate="%{customdata}<extra></extra>",
                meta={"event_id": row["event_id"], "number": k, "months": months},
            )
        )
        fig.add_trace(
            go.Scatterpolar(
                r=[base + 0.5] * len(months), theta=[(m - 1) * 30 for m in months], mode="text",
                text=[str(k)] * len(months), textfont={"size": FONT_SIZE - 2, "color": ink_for(color)},
                legendgroup=f"e{k}", showlegend=False, hoverinfo="skip",
                meta={"event_id": row["event_id"], "number": k, "role": "label"},
            )
        )
    outer = max(n, 1)
    if today is not None:
        m = today.month
        now_month = month_name(m, lang)
        fig.add_trace(
            go.Barpolar(
                r=[outer], base=[0], theta=[(m - 1) * 30], width=[30],
                name=text("clock.now_legend", lang, month=now_month),
                marker={"color": "rgba(0,0,0,0.06)", "line": {"color": "#000000", "width": 3}},
                hovertemplate=text("clock.now_legend", lang, month=now_month) + "<extra></extra>",
                meta={"role": "today", "month": m},
            )
        )
    if n == 0:
        fig.add_annotation(text=text("clock.empty", lang), showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font={"size": FONT_SIZE})
    fig.update_layout(
        title=title if title is not None else text("clock.title", lang),
        font={"size": FONT_SIZE},
        height=620 + 24 * (n + 1),
        margin={"l": 110, "r": 110, "t": 70, "b": 50 + 24 * (n + 1)},
        legend={"orientation": "v", "x": 0, "xanchor": "left", "y": -0.07, "yanchor": "top",
                "traceorder": "normal", "font": {"size": FONT_SIZE - 2}},
        hoverlabel={"font_size": FONT_SIZE - 2, "align": "left"},
        showlegend=n > 0,
        polar={
            "bgcolor": "white",
            "hole": 0.22,
            "angularaxis": {
                "rotation": 90, "direction": "clockwise", "tickmode": "array",
                "tickvals": month_theta,
                "ticktext": [
                    f"<b>{text('clock.now', lang, month=month_name(m, lang))}</b>"
                    if today is not None and m == today.month else month_name(m, lang)
                    for m in range(1, 13)
                ],
                "showgrid": False, "linecolor": "#999999", "tickfont": {"size": FONT_SIZE - 1},
            },
            "radialaxis": {"range": [0, outer + 0.3], "showticklabels": False, "ticks": "",
                           "showgrid": False, "showline": False},
        },
    )
    if n:
        fig.add_annotation(text=text("clock.hint", lang), showarrow=False, xref="paper", yref="paper",
                           x=0, y=1.0, xanchor="left", yanchor="bottom", font={"size": FONT_SIZE - 4})
    return fig


def upcoming_events(events_df: pd.DataFrame, today: date, n: int = 5, lang: str = "fi") -> pd.DataFrame:
    """The next ``n`` events by month from ``today`` (this month first), wrapping over the year end.

    Columns: event_id, title, months (text), next_month, next_year, months_until (0 = going on now),
    when (readable), owner, description.
    """
    columns = ["event_id", "title", "months", "next_month", "next_year", "months_until", "when", "owner",
               "description"]
    df = _active(events_df)
    rows = []
    for _, r in df.iterrows():
        ahead = min(((m - today.month) % 12, m) for m in r["_months"])
        until, month = ahead
        year = today.year + (1 if month < today.month else 0)
        when = (text("upcoming.now", lang, month=month_name(month, lang)) if until == 0
                else text("upcoming.later", lang, month=month_name(month, lang), year=year))
        rows.append({
            "event_id": r["event_id"], "title": r["title"], "months": ",".join(str(m) for m in sorted(r["_months"])),
            "next_month": month, "next_year": year, "months_until": until, "when": when,
            "owner": r["owner"], "description": r["description"],
        })
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    out = out.sort_values(["months_until", "title"], kind="stable").head(n).reset_index(drop=True)
    return out.astype({"next_month": "int64", "next_year": "int64", "months_until": "int64"})
