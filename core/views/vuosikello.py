"""The shared annual clock (vuosikello): default events, a 12-month ring figure and what comes next.

An event has ``event_id, title, months, owner, description``; ``months`` is text like ``"3,4"``
(1–12, see ``core.plan.validation.parse_months``). The default cycle is in ``data/events.csv``; the app
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

from core.base import config
from core.base.errors import InvalidEdit
from core.base.i18n import t
from core.plan.validation import clean_event_values, parse_months
from core.views.chart_style import FONT_SIZE, INK, SMALL_FONT_SIZE, TEMPLATE
from core.views.palette import OKABE_ITO, PATTERNS, ink_for

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


def _rings(df: pd.DataFrame) -> list[int]:
    """A ring per event, shared by events that have no month in common (first fit, in year order)."""
    taken: list[set[int]] = []
    out = []
    for months in df["_months"]:
        ring = next((k for k, used in enumerate(taken) if not used & set(months)), len(taken))
        if ring == len(taken):
            taken.append(set())
        taken[ring] |= set(months)
        out.append(ring)
    return out


def _runs(months: list[int]) -> list[list[int]]:
    """Consecutive months as runs, December–January counted as consecutive: [1, 2, 12] → [[12, 1, 2]]."""
    ms = sorted(set(months))
    runs: list[list[int]] = []
    for m in ms:
        if runs and runs[-1][-1] == m - 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    if len(runs) > 1 and runs[0][0] == 1 and runs[-1][-1] == 12:
        runs[0] = runs.pop() + runs[0]
    return runs


def _label_months(runs_by_event: list[tuple[int, list[list[int]]]]) -> list[list[int]]:
    """One month per run for each event's number, kept off the neighbouring months of its own ring
    and off the same month of the rings next to it (so no two numbers touch even on a phone)."""
    placed: set[tuple[int, int]] = set()  # (ring, month)
    out = []
    for ring, runs in runs_by_event:
        months = []
        for run in runs:
            middle = (len(run) - 1) / 2
            candidates = sorted(range(len(run)), key=lambda i: abs(i - middle))
            free = [
                run[i]
                for i in candidates
                if not {
                    (ring, (run[i] % 12) + 1),
                    (ring, ((run[i] - 2) % 12) + 1),
                    (ring - 1, run[i]),
                    (ring + 1, run[i]),
                }
                & placed
            ]
            month = free[0] if free else run[candidates[0]]
            placed.add((ring, month))
            months.append(month)
        out.append(months)
    return out


def legend_rows(events_df: pd.DataFrame, lang: str = "fi") -> pd.DataFrame:
    """The wheel's key: number, title and months of each event, numbered as in the figure."""
    df = _ordered(events_df)
    return pd.DataFrame(
        {
            "number": df["number"].astype("int64"),
            "title": df["title"],
            "months": [_months_text(m, lang) for m in df["_months"]],
        }
    )


def vuosikello_figure(
    events_df: pd.DataFrame, lang: str = "fi", today: date | None = None, title: str | None = None
) -> go.Figure:
    """A 12-month wheel (January at the top, clockwise), events on rings, this month marked.

    Events that share no month share a ring, so the rings stay few and wide enough for their
    numbers; each event's number is written once per run of consecutive months (in its middle).
    The key (number → title) is ``legend_rows`` (drawn by the page as text, which wraps on a
    phone); the hover gives the title, months, owner and description (HTML-escaped). Every event
    has a colour *and* a pattern *and* a number: colour is never the only carrier.
    """
    df = _ordered(events_df)
    fig = go.Figure()
    n = len(df)
    rings = _rings(df) if n else []
    n_rings = max(rings, default=-1) + 1
    # the fullest ring outermost, where a month's arc is longest
    rings = [n_rings - 1 - r for r in rings]
    label_months = _label_months([(r, _runs(sorted(m))) for r, m in zip(rings, df["_months"], strict=True)])
    month_theta = [(m - 1) * 30 for m in range(1, 13)]
    for (_, row), ring, at in zip(df.iterrows(), rings, label_months, strict=True):
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
        fig.add_trace(
            go.Barpolar(
                r=[1] * len(months),
                base=[ring] * len(months),
                theta=[(m - 1) * 30 for m in months],
                width=[28] * len(months),
                name=f"{k}. {title_txt}",
                legendgroup=f"e{k}",
                showlegend=False,
                marker={
                    "color": color,
                    "line": {"color": "#333333", "width": 1},
                    "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": ink_for(color), "fgopacity": 0.35},
                },
                customdata=[hover] * len(months),
                hovertemplate="%{customdata}<extra></extra>",
                meta={"event_id": row["event_id"], "number": k, "months": months, "ring": ring},
            )
        )
        fig.add_trace(
            go.Scatterpolar(
                r=[ring + 0.5] * len(at),
                theta=[(m - 1) * 30 for m in at],
                mode="text",
                text=[str(k)] * len(at),
                textfont={"size": FONT_SIZE, "color": ink_for(color), "weight": "bold"},
                legendgroup=f"e{k}",
                showlegend=False,
                hoverinfo="skip",
                meta={"event_id": row["event_id"], "number": k, "role": "label"},
            )
        )
    outer = max(n_rings, 1)
    if today is not None:
        m = today.month
        now_month = month_name(m, lang)
        fig.add_trace(
            go.Barpolar(
                r=[outer],
                base=[0],
                theta=[(m - 1) * 30],
                width=[30],
                showlegend=False,
                name=text("clock.now_legend", lang, month=now_month),
                marker={"color": "rgba(0,0,0,0.06)", "line": {"color": "#000000", "width": 3}},
                hovertemplate=text("clock.now_legend", lang, month=now_month) + "<extra></extra>",
                meta={"role": "today", "month": m},
            )
        )
    if n == 0:
        fig.add_annotation(
            text=text("clock.empty", lang),
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            font={"size": FONT_SIZE, "color": INK},
        )
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "font": {"size": FONT_SIZE + 2, "color": INK}} if title else None,
        font={"size": FONT_SIZE, "color": INK},
        height=680,
        # room for the month names around the wheel; the wheel itself takes the rest of the width
        margin={"l": 56, "r": 56, "t": 60 if title else 40, "b": 30},
        hoverlabel={"font": {"size": SMALL_FONT_SIZE, "color": INK}, "bgcolor": "white", "align": "left"},
        showlegend=False,
        polar={
            "bgcolor": "white",
            "hole": 0.2,
            "angularaxis": {
                "rotation": 90,
                "direction": "clockwise",
                "tickmode": "array",
                "tickvals": month_theta,
                "ticktext": [
                    f"<b>{text('clock.now', lang, month=text(f'month_short.{m}', lang))}</b>"
                    if today is not None and m == today.month
                    else text(f"month_short.{m}", lang)  # short: the wheel stays large on a phone
                    for m in range(1, 13)
                ],
                "showgrid": False,
                "linecolor": "#555555",
                "tickfont": {"size": SMALL_FONT_SIZE, "color": INK},
            },
            "radialaxis": {
                "range": [0, outer],
                "showticklabels": False,
                "ticks": "",
                "showgrid": False,
                "showline": False,
            },
        },
    )
    return fig


def upcoming_events(events_df: pd.DataFrame, today: date, n: int = 5, lang: str = "fi") -> pd.DataFrame:
    """The next ``n`` events by month from ``today`` (this month first), wrapping over the year end.

    Columns: event_id, title, months (text), next_month, next_year, months_until (0 = going on now),
    when (readable), owner, description.
    """
    columns = ["event_id", "title", "months", "next_month", "next_year", "months_until", "when", "owner", "description"]
    df = _active(events_df)
    rows = []
    for _, r in df.iterrows():
        ahead = min(((m - today.month) % 12, m) for m in r["_months"])
        until, month = ahead
        year = today.year + (1 if month < today.month else 0)
        when = (
            text("upcoming.now", lang, month=month_name(month, lang))
            if until == 0
            else text("upcoming.later", lang, month=month_name(month, lang), year=year)
        )
        rows.append(
            {
                "event_id": r["event_id"],
                "title": r["title"],
                "months": ",".join(str(m) for m in sorted(r["_months"])),
                "next_month": month,
                "next_year": year,
                "months_until": until,
                "when": when,
                "owner": r["owner"],
                "description": r["description"],
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    if out.empty:
        return out
    out = out.sort_values(["months_until", "title"], kind="stable").head(n).reset_index(drop=True)
    return out.astype({"next_month": "int64", "next_year": "int64", "months_until": "int64"})
