"""Annual evaluation of measures: the four-step scale, summaries, what is missing, and a chart.

Only rows with ``row_kind == "measure"`` are evaluated; references, empty rows, dashes and
out-of-scope rows never count as missing. A stored evaluation without a rating counts as
"ei arvioitu" (not evaluated), like a measure with no evaluation row at all.
"""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from core.base.i18n import name, t
from core.base.numbers import number_text
from core.base.rules import real_measures, subgoal_sort_key
from core.plan.model import Plan
from core.views.chart_style import FONT_SIZE, SMALL_FONT_SIZE
from core.views.palette import ink_for

NOT_EVALUATED = 0
RATINGS: tuple[int, ...] = (1, 2, 3, 4)
BY_OPTIONS = ("actor", "goal", "subgoal")


# An ordered, colour-blind-safe scale from the Okabe–Ito palette (warm = weak, blue = strong),
# each step also carried by its number in the legend, its pattern and its fixed place in the stack.
RATING_STYLE: dict[int, dict[str, str]] = {
    1: {"color": "#D55E00", "pattern": "x"},
    2: {"color": "#E69F00", "pattern": "/"},
    3: {"color": "#56B4E9", "pattern": "."},
    4: {"color": "#0072B2", "pattern": ""},
    NOT_EVALUATED: {"color": "#D9D9D9", "pattern": "\\"},
}


def text(key: str, lang: str = "fi", **values: object) -> str:
    """A text of this module in Finnish or English."""
    return t(f"evaluation.{key}", lang, **values)


def rating_label(rating: int | None, lang: str = "fi", with_number: bool = True) -> str:
    """'3 toteutunut hyvin' (or 'ei arvioitu' for None/0)."""
    r = _rating_or_zero(rating)
    label = text(f"rating.{r}", lang)
    return f"{r} {label}" if with_number and r else label


def scale(lang: str = "fi") -> list[dict]:
    """The four-step scale: [{rating, label, description}] from 1 to 4 (for forms and legends)."""
    return [
        {"rating": r, "label": text(f"rating.{r}", lang), "description": text(f"rating_desc.{r}", lang)}
        for r in RATINGS
    ]


def _rating_or_zero(value: object) -> int:
    if value is None:
        return NOT_EVALUATED
    try:
        if pd.isna(value):
            return NOT_EVALUATED
        r = int(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return NOT_EVALUATED
    return r if r in RATINGS else NOT_EVALUATED


def ratings_for(measures_df: pd.DataFrame, evaluations_df: pd.DataFrame, year: int) -> pd.DataFrame:
    """Real measures with the year's ``rating`` (0 = not evaluated), ``comment`` and ``evaluation_version``."""
    real = real_measures(measures_df).copy()
    ev = evaluations_df
    if ev is not None and not ev.empty:
        ev = ev[pd.to_numeric(ev["year"], errors="coerce") == int(year)]
        ev = ev.drop_duplicates("measure_id", keep="last").set_index("measure_id")
        real["rating"] = real["measure_id"].map(ev["rating"]).map(_rating_or_zero)
        real["comment"] = real["measure_id"].map(ev["comment"]).fillna("") if "comment" in ev else ""
        real["evaluation_version"] = real["measure_id"].map(ev["version"]) if "version" in ev else pd.NA
    else:
        real["rating"] = NOT_EVALUATED
        real["comment"] = ""
        real["evaluation_version"] = pd.NA
    real["rating"] = real["rating"].astype("int64")
    return real


def _keys(plan: Plan | None, by: str, lang: str) -> tuple[dict[str, str], dict[str, int]]:
    """Labels and plan order of the grouping keys."""
    if plan is None:
        return {}, {}
    if by == "actor":
        return ({a.actor_id: name(a, lang) for a in plan.actors}, {a.actor_id: i for i, a in enumerate(plan.actors)})
    if by == "goal":
        goals = plan.goals_in_order()
        return (
            {g.goal_id: f"{g.goal_id} {name(g, lang, 'title')}" for g in goals},
            {g.goal_id: i for i, g in enumerate(goals)},
        )
    subs = sorted(plan.subgoals, key=lambda s: subgoal_sort_key(s.subgoal_id))
    return (
        {s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}" for s in subs},
        {s.subgoal_id: i for i, s in enumerate(subs)},
    )


def evaluation_summary(
    measures_df: pd.DataFrame,
    evaluations_df: pd.DataFrame,
    plan: Plan | None = None,
    by: str = "actor",
    year: int | None = None,
    lang: str = "fi",
) -> pd.DataFrame:
    """Counts of measures per rating (1–4 and 0 = 'ei arvioitu') for each actor, goal or sub-goal.

    Long format, one row per key × rating (zeros included), in plan order. Columns: key, label,
    rating, rating_label, count, total, share (0–100). Keys without any real measure are left out.
    """
    if by not in BY_OPTIONS:
        raise ValueError(f"by must be one of {BY_OPTIONS}, not {by!r}")
    if year is None:
        raise ValueError("year is required")
    columns = ["key", "label", "rating", "rating_label", "count", "total", "share"]
    rated = ratings_for(measures_df, evaluations_df, year)
    if rated.empty:
        return pd.DataFrame(columns=columns)
    if by == "actor":
        rated["key"] = rated["actor_id"]
    elif by == "goal":
        rated["key"] = rated["subgoal_id"].str.split(".").str[0]
    else:
        rated["key"] = rated["subgoal_id"]
    labels, order = _keys(plan, by, lang)
    keys = sorted(rated["key"].unique(), key=lambda k: (order.get(k, 10_000), k))
    counts = rated.groupby(["key", "rating"]).size()
    rows = []
    for k in keys:
        total = int(counts.loc[k].sum())
        for r in (*RATINGS, NOT_EVALUATED):
            n = int(counts.get((k, r), 0))
            rows.append(
                {
                    "key": k,
                    "label": labels.get(k, k),
                    "rating": r,
                    "rating_label": rating_label(r, lang),
                    "count": n,
                    "total": total,
                    "share": round(100 * n / total, 1) if total else 0.0,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def missing_evaluations(
    measures_df: pd.DataFrame, evaluations_df: pd.DataFrame, year: int, plan: Plan | None = None
) -> pd.DataFrame:
    """Real measures (row_kind 'measure', not deleted) that have no rating for ``year``.

    Keeps the measure's columns and adds ``has_evaluation_row`` (a comment saved without a rating).
    Sorted by actor, sub-goal and seq (in plan order when ``plan`` is given).
    """
    rated = ratings_for(measures_df, evaluations_df, year)
    missing = rated[rated["rating"] == NOT_EVALUATED].copy()
    have_row: set[str] = set()
    if evaluations_df is not None and not evaluations_df.empty:
        ev = evaluations_df[pd.to_numeric(evaluations_df["year"], errors="coerce") == int(year)]
        have_row = set(ev["measure_id"])
    missing["has_evaluation_row"] = missing["measure_id"].isin(have_row)
    _, actor_order = _keys(plan, "actor", "fi")
    _, sub_order = _keys(plan, "subgoal", "fi")
    missing["_a"] = missing["actor_id"].map(lambda a: (actor_order.get(a, 10_000), a))
    missing["_s"] = missing["subgoal_id"].map(lambda s: (sub_order.get(s, 10_000), s))
    missing = missing.sort_values(["_a", "_s", "seq"]).drop(columns=["_a", "_s", "rating"])
    return missing.reset_index(drop=True)


def evaluation_figure(
    summary: pd.DataFrame, lang: str = "fi", title: str | None = None, note: bool = True
) -> go.Figure:
    """Stacked horizontal bars per actor/goal: ratings 1→4 then 'ei arvioitu', the count in each segment.

    ``note`` writes how to read the chart under it (a printed report); a page says it in a caption
    instead, which wraps to any screen's width."""
    fig = go.Figure()
    labels = list(dict.fromkeys(summary["label"])) if not summary.empty else []
    wrapped = {
        lab: "<br>".join(html.escape(x) for x in textwrap.wrap(str(lab), 24)) or html.escape(str(lab)) for lab in labels
    }
    for r in (*RATINGS, NOT_EVALUATED):
        part = summary[summary["rating"] == r] if not summary.empty else summary
        style = RATING_STYLE[r]
        ink = ink_for(style["color"])
        hover = [
            text("chart.hover", lang, n=int(n), total=int(tot)) + f" ({number_text(s, 'percent', lang)})"
            for n, tot, s in zip(part["count"], part["total"], part["share"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                y=[wrapped[lab] for lab in part["label"]],
                x=list(part["count"]),
                orientation="h",
                name=rating_label(r, lang),
                legendrank=r if r else 99,
                text=[str(int(n)) if n > 0 else "" for n in part["count"]],
                textposition="inside",
                insidetextanchor="middle",
                constraintext="none",
                textfont={"color": ink, "size": FONT_SIZE},
                marker={
                    "color": style["color"],
                    "line": {"color": "#333333", "width": 1},
                    "pattern": {"shape": style["pattern"], "fillmode": "overlay", "fgcolor": ink, "fgopacity": 0.3},
                },
                customdata=hover,
                hovertemplate="%{y}<br>" + html.escape(rating_label(r, lang)) + ": %{customdata}<extra></extra>",
                meta={"rating": r},
            )
        )
    fig.update_layout(
        barmode="stack",
        title=title,
        font={"size": FONT_SIZE},
        plot_bgcolor="white",
        height=max(280, 190 + sum(16 + 24 * max(2, w.count("<br>") + 1) for w in wrapped.values())),
        margin={"l": 10, "r": 30, "t": 110 if title else 80, "b": 170},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "traceorder": "normal"},
        hoverlabel={"font_size": SMALL_FONT_SIZE},
        uniformtext={"minsize": SMALL_FONT_SIZE, "mode": "hide"},  # a count that does not fit is left to the hover
    )
    fig.update_yaxes(
        categoryorder="array", categoryarray=[wrapped[lab] for lab in labels], autorange="reversed", automargin=True
    )
    fig.update_xaxes(title=text("chart.axis", lang), gridcolor="#E5E5E5", rangemode="tozero")
    if labels and not note:
        fig.update_layout(margin={"b": 70})
        return fig
    note_text = "<br>".join(
        html.escape(x) for x in textwrap.wrap(text("chart.note" if labels else "chart.empty", lang), 42)
    )
    fig.add_annotation(
        text=note_text,
        showarrow=False,
        align="left",
        xref="paper",
        yref="paper",
        x=0,
        y=0 if labels else 0.5,
        yanchor="top",
        xanchor="left",
        yshift=-70 if labels else 0,
        font={"size": SMALL_FONT_SIZE},
    )
    return fig
