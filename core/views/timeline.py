"""A Gantt-style timeline of measures from their start year, end year and 'pysyvä' (permanent) flag.

One row per real measure (row_kind 'measure'), grouped under a bold header row per actor.
A bar covers whole years (start year to end year inclusive). Open-ended measures (permanent, or a
start year without an end year) are drawn to the plan's last year or a given horizon and marked
with '→ pysyvä' / '→ jatkuu' in the bar text. Measures without a start year are not drawn; they
are listed by ``undated_measures`` and counted in a note under the chart.
Bars are coloured by follow-up status and carry the status word, so colour is never needed; a
measure without a status says so once, in the legend, not with a '?' on every bar.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from core.base.i18n import key_part, name, t
from core.base.rules import is_yes, real_measures, subgoal_sort_key
from core.plan.model import MeasureStatus, Plan
from core.views.chart_style import FONT_SIZE, SMALL_FONT_SIZE
from core.views.palette import ink_for

ROW_HEIGHT = 100  # three lines of text above each bar: names need no left margin, so a phone keeps the width
LABEL_CHARS = 34  # an actor's line that fits a phone's chart width at 16 px
MEASURE_CHARS = 40  # a measure's line that fits a phone's chart width at 14 px
MEASURE_LINES = 2  # a measure's text above its bar (the whole text is in the hover)
HOVER_TEXT_MAX = 700


# Okabe–Ito colours, a pattern and a symbol per status; the status word is written on every bar.
STATUS_STYLE: dict[str, dict[str, str]] = {
    MeasureStatus.PLANNED.value: {"color": "#E69F00", "pattern": "/", "symbol": "◔"},
    MeasureStatus.ONGOING.value: {"color": "#0072B2", "pattern": "", "symbol": "▶"},
    MeasureStatus.ESTABLISHED.value: {"color": "#009E73", "pattern": ".", "symbol": "●"},
    MeasureStatus.ENDED.value: {"color": "#8C8C8C", "pattern": "x", "symbol": "■"},
    MeasureStatus.UNKNOWN.value: {"color": "#D9D9D9", "pattern": "\\", "symbol": "?"},
}
STATUS_ORDER = [
    MeasureStatus.PLANNED.value,
    MeasureStatus.ONGOING.value,
    MeasureStatus.ESTABLISHED.value,
    MeasureStatus.ENDED.value,
    MeasureStatus.UNKNOWN.value,
]


def text(key: str, lang: str = "fi", **values: object) -> str:
    """A text of this module in Finnish or English."""
    return t(f"timeline.chart.{key}", lang, **values)


def status_label(status: object, lang: str = "fi") -> str:
    """'▶ käynnissä' — the symbol and word of a measure status ('? tila puuttuu' if empty/unknown)."""
    s = _status(status)
    return f"{STATUS_STYLE[s]['symbol']} {text('status.' + key_part(s), lang)}"


def _status(value: object) -> str:
    s = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    return s if s in STATUS_STYLE else MeasureStatus.UNKNOWN.value


def _year(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        if pd.isna(value):
            return None
        return int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def short_label(toimenpide: str, width: int = 48) -> str:
    """The first line of a measure's text without list dashes, shortened with '…' (not escaped)."""
    lines = [ln.strip().lstrip("-•–").strip() for ln in str(toimenpide or "").splitlines()]
    first = next((ln for ln in lines if ln), "")
    return textwrap.shorten(first, width=width, placeholder="…") if first else "–"


def hover_text(value: object, limit: int = HOVER_TEXT_MAX, width: int = 70) -> str:
    """User text made safe for a Plotly hover: shortened, HTML-escaped, line breaks as <br>."""
    raw = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if len(raw) > limit:
        raw = raw[:limit].rstrip() + "…"
    lines: list[str] = []
    for para in raw.splitlines():
        lines += textwrap.wrap(para, width) or [""]
    return "<br>".join(html.escape(ln) for ln in lines).strip() or "–"


def default_horizon(plan: Plan | None, measures_df: pd.DataFrame | None = None) -> int:
    """The plan's last year (plan.yaml period_end), or the latest year of any measure, or this year."""
    if plan is not None and plan.meta.get("period_end"):
        return int(plan.meta["period_end"])
    years = []
    if measures_df is not None and not measures_df.empty:
        for col in ("start_year", "end_year"):
            years += [y for y in (_year(v) for v in measures_df[col]) if y]
    return max(years) if years else date.today().year


def timeline_frame(
    plan: Plan | None, measures_df: pd.DataFrame, lang: str = "fi", horizon: int | None = None
) -> pd.DataFrame:
    """Dated real measures in actor / sub-goal / seq order with computed bar years and labels.

    Columns: measure_id, actor_id, actor, subgoal_id, seq, label, toimenpide, aikataulu, status,
    status_label, start, end (last year drawn, inclusive), open_ended, permanent, marker, years_text.
    ``label``/``actor`` are plain text (not escaped).
    """
    columns = [
        "measure_id",
        "actor_id",
        "actor",
        "subgoal_id",
        "seq",
        "label",
        "toimenpide",
        "aikataulu",
        "status",
        "status_label",
        "start",
        "end",
        "open_ended",
        "permanent",
        "marker",
        "years_text",
    ]
    horizon = horizon or default_horizon(plan, measures_df)
    actor_names = {a.actor_id: name(a, lang) for a in plan.actors} if plan else {}
    actor_order = {a.actor_id: i for i, a in enumerate(plan.actors)} if plan else {}
    rows = []
    for _, m in real_measures(measures_df).iterrows():
        start = _year(m.get("start_year"))
        if start is None:
            continue
        end = _year(m.get("end_year"))
        permanent = is_yes(m.get("permanent"))
        status = _status(m.get("status"))
        open_ended = permanent or (end is None and status != MeasureStatus.ENDED.value)
        if permanent:
            last = max(horizon, end or start, start)
            marker = text("marker.permanent", lang)
        elif end is None and open_ended:
            last = max(horizon, start)
            marker = text("marker.open", lang)
        elif end is None:  # ended, end year unknown: only the start year is certain
            last = start
            marker = text("marker.no_end", lang)
        else:
            last = end
            marker = ""
        years_text = f"{start}–{end}" if (end and end != start and not open_ended) else f"{start}"
        rows.append(
            {
                "measure_id": m["measure_id"],
                "actor_id": m["actor_id"],
                "actor": actor_names.get(m["actor_id"], m["actor_id"]),
                "subgoal_id": m["subgoal_id"],
                "seq": int(m.get("seq") or 0),
                "label": f"{m['subgoal_id']} · {short_label(m.get('toimenpide', ''), width=400)}",
                "toimenpide": str(m.get("toimenpide") or ""),
                "aikataulu": str(m.get("aikataulu") or ""),
                "status": status,
                "status_label": status_label(status, lang),
                "start": start,
                "end": last,
                "open_ended": open_ended,
                "permanent": permanent,
                "marker": marker,
                "years_text": years_text,
            }
        )
    df = pd.DataFrame(rows, columns=columns)
    if df.empty:
        return df
    df["_a"] = df["actor_id"].map(lambda a: (actor_order.get(a, 10_000), a))
    df["_s"] = df["subgoal_id"].map(subgoal_sort_key)
    return df.sort_values(["_a", "_s", "seq"]).drop(columns=["_a", "_s"]).reset_index(drop=True)


def timeline_rows(measures_df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the real measures, those of them with a start year): what the timeline counts, and what it draws."""
    real = real_measures(measures_df)
    return real, real[real["start_year"].notna()]


def undated_measures(measures_df: pd.DataFrame, plan: Plan | None = None, lang: str = "fi") -> pd.DataFrame:
    """Real measures without a start year (not drawn on the timeline), with a readable actor column."""
    real = real_measures(measures_df)
    undated = real[[_year(v) is None for v in real["start_year"]]].copy()
    actor_names = {a.actor_id: name(a, lang) for a in plan.actors} if plan else {}
    actor_order = {a.actor_id: i for i, a in enumerate(plan.actors)} if plan else {}
    undated["actor"] = undated["actor_id"].map(lambda a: actor_names.get(a, a))
    undated["_a"] = undated["actor_id"].map(lambda a: (actor_order.get(a, 10_000), a))
    undated["_s"] = undated["subgoal_id"].map(subgoal_sort_key)
    return undated.sort_values(["_a", "_s", "seq"]).drop(columns=["_a", "_s"]).reset_index(drop=True)


def timeline_figure(
    plan: Plan | None,
    measures_df: pd.DataFrame,
    lang: str = "fi",
    horizon: int | None = None,
    today: date | None = None,
    title: str | None = None,
) -> go.Figure:
    """Gantt-style bars per measure, grouped by actor, coloured + labelled by status, hover HTML-escaped.

    ``horizon`` is the last year drawn for open-ended measures (default: the plan's last year).
    ``today`` adds a dotted 'nyt' line. Trace ``meta`` holds the status and the drawn measure ids.
    """
    horizon = horizon or default_horizon(plan, measures_df)
    frame = timeline_frame(plan, measures_df, lang, horizon)
    undated_n = len(undated_measures(measures_df, plan, lang))
    fig = go.Figure()
    rows = _Rows.of(frame)
    for status in STATUS_ORDER:
        part = frame[frame["status"] == status]
        if not part.empty:
            fig.add_trace(_status_bars(part, status, rows.y_of, lang))
    if len(fig.data) == 1 and fig.data[0].meta["status"] == MeasureStatus.UNKNOWN.value:
        fig.data[0].name = text("legend.none_all", lang)  # the data has no statuses at all: say that once
    if frame.empty:
        first, last = (horizon - 5, horizon)
        fig.add_annotation(
            text=text("empty", lang),
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            font={"size": FONT_SIZE},
        )
    else:
        first, last = int(frame["start"].min()), max(int(frame["end"].max()), horizon)
    for y in rows.header_rows[1:]:
        fig.add_hline(y=y - 0.5, line={"color": "#999999", "width": 1})
    if today is not None and first <= today.year <= last:
        x_now = today.year + (today.timetuple().tm_yday - 1) / 365
        fig.add_vline(x=x_now, line={"color": "#000000", "dash": "dot", "width": 2})
        fig.add_annotation(
            x=x_now,
            y=0,
            yref="paper",
            yanchor="top",
            text=text("now", lang),
            showarrow=False,
            font={"size": SMALL_FONT_SIZE},
        )
    if undated_n:
        fig.add_annotation(
            text="<br>".join(html.escape(x) for x in _wrap(text("undated_note", lang, n=undated_n))),
            showarrow=False,
            xref="paper",
            align="left",
            yref="paper",
            x=0,
            y=0,
            yanchor="top",
            yshift=-48,
            xanchor="left",
            font={"size": SMALL_FONT_SIZE},
        )
    _timeline_axes(fig, rows, first, last)
    height = max(300, 210 + ROW_HEIGHT * max(rows.count, 1))
    top = 120 if title else 80
    fig.update_layout(
        barmode="overlay",
        bargap=0.25,
        font={"size": FONT_SIZE},
        plot_bgcolor="white",
        height=height,
        title={"text": title, "y": 1 - 12 / height, "yanchor": "top", "yref": "container"} if title else None,
        margin={"l": 10, "r": 30, "t": top, "b": 110 if undated_n else 30},
        legend={
            "orientation": "h",
            "xanchor": "left",
            "x": 0,
            "yref": "container",
            "yanchor": "top",
            "y": 1 - (52 if title else 8) / height,
            "traceorder": "normal",
        },
        hoverlabel={"font_size": SMALL_FONT_SIZE, "align": "left"},
        showlegend=not frame.empty,
    )
    return fig


@dataclass
class _Rows:
    """The timeline's rows, top to bottom: a header row per actor, then its measures."""

    y_of: dict[str, int] = field(default_factory=dict)  # measure_id → row
    tickvals: list[int] = field(default_factory=list)
    ticktext: list[str] = field(default_factory=list)  # the line written above each row (escaped)
    header_rows: list[int] = field(default_factory=list)
    count: int = 0

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Rows:
        """Rows for a ``timeline_frame``: actor names in bold (wrapped), then each measure's label and
        status word (HTML-escaped), written above its bar."""
        rows = cls()
        for _actor_id, part in frame.groupby("actor_id", sort=False):
            rows._add("<b>" + "<br>".join(html.escape(x) for x in _wrap(str(part["actor"].iloc[0]))[:2]) + "</b>")
            rows.header_rows.append(rows.count - 1)
            for _, r in part.iterrows():
                rows.y_of[r["measure_id"]] = rows.count
                known = r["status"] != MeasureStatus.UNKNOWN.value  # a missing status is said in the legend
                detail = " ".join(x for x in (r["status_label"] if known else "", r["years_text"], r["marker"]) if x)
                label = _wrap(r["label"], MEASURE_CHARS)
                if len(label) > MEASURE_LINES:
                    label = label[: MEASURE_LINES - 1] + [_cut(label[MEASURE_LINES - 1], MEASURE_CHARS)]
                rows._add("<br>".join(html.escape(x) for x in [*label, detail]))
        return rows

    def _add(self, tick: str) -> None:
        self.tickvals.append(self.count)
        self.ticktext.append(tick)
        self.count += 1


def _wrap(text_: str, width: int = LABEL_CHARS) -> list[str]:
    """Words in lines of at most ``width`` characters."""
    lines: list[str] = []
    for word in text_.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _cut(line: str, width: int) -> str:
    """``line`` with '…' at its end, cut at a word if it would be longer than ``width``."""
    words = line.split()
    while words and len(" ".join(words)) + 1 > width:
        words.pop()
    return " ".join(words or [line[: width - 1]]) + "…"


def _bar_hover(r: pd.Series, label: str, lang: str) -> str:
    """A measure's hover: actor, sub-goal, toimenpide, aikataulu, years and status (texts escaped)."""
    return (
        f"<b>{text('hover.actor', lang)}:</b> {html.escape(r['actor'])}<br>"
        f"<b>{text('hover.subgoal', lang)}:</b> {html.escape(r['subgoal_id'])}<br>"
        f"<b>{text('hover.toimenpide', lang)}:</b><br>{hover_text(r['toimenpide'])}<br>"
        f"<b>{text('hover.aikataulu', lang)}:</b> {hover_text(r['aikataulu'], 300)}<br>"
        f"<b>{text('hover.years', lang)}:</b> {r['years_text']} {html.escape(r['marker'])}<br>"
        f"<b>{text('hover.status', lang)}:</b> {label}"
    )


def _status_bars(part: pd.DataFrame, status: str, y_of: dict[str, int], lang: str) -> go.Bar:
    """The bars of one status: colour and pattern (the status word is in the row's line above the bar;
    the years are on the axis and in the hover)."""
    style = STATUS_STYLE[status]
    ink = ink_for(style["color"])
    label = status_label(status, lang)
    name_ = label if status != MeasureStatus.UNKNOWN.value else text("legend.none", lang)
    return go.Bar(
        y=[y_of[mid] + BAR_SHIFT for mid in part["measure_id"]],
        width=BAR_WIDTH,
        x=[int(e) + 1 - int(s) for s, e in zip(part["start"], part["end"], strict=True)],
        base=[int(s) for s in part["start"]],
        orientation="h",
        name=name_,
        marker={
            "color": style["color"],
            "line": {"color": "#333333", "width": 1},
            "pattern": {"shape": style["pattern"], "fillmode": "overlay", "fgcolor": ink, "fgopacity": 0.25},
        },
        customdata=[_bar_hover(r, label, lang) for _, r in part.iterrows()],
        hovertemplate="%{customdata}<extra></extra>",
        meta={"status": status, "measure_ids": list(part["measure_id"])},
    )


BAR_WIDTH, BAR_SHIFT = 0.26, 0.2  # a bar in the lower part of its row, its line of text above it


def _timeline_axes(fig: go.Figure, rows: _Rows, first: int, last: int) -> None:
    """Each row's line of text above its bar (rows top to bottom), a year tick in the middle of each
    year, and year lines. No tick labels on the left: the plot keeps the whole width on a phone."""
    fig.update_yaxes(range=[max(rows.count, 1) - 0.5 + BAR_SHIFT, -0.5], showticklabels=False, showgrid=False)
    headers = set(rows.header_rows)
    fig.update_layout(
        annotations=[
            *fig.layout.annotations,
            *(
                {
                    "text": tick,
                    "x": 0,
                    "xref": "paper",
                    "xanchor": "left",
                    "y": row if row in headers else row - 0.02,
                    "yref": "y",
                    "yanchor": "middle" if row in headers else "bottom",
                    "showarrow": False,
                    "align": "left",
                    "font": {"size": FONT_SIZE if row in headers else SMALL_FONT_SIZE, "color": "#1a1a1a"},
                }
                for row, tick in zip(rows.tickvals, rows.ticktext, strict=True)
            ),
        ]
    )
    years = list(range(first, last + 1))
    fig.update_xaxes(
        tickmode="array",
        tickvals=[y + 0.5 for y in years],
        ticktext=[str(y) for y in years],
        range=[first, last + 1],
        showgrid=False,
        side="top",
        tickfont={"size": SMALL_FONT_SIZE, "color": "#1a1a1a"},
    )
    for y in years[1:]:
        fig.add_vline(x=y, line={"color": "#E5E5E5", "width": 1}, layer="below")
