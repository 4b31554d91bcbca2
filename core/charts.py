"""Figure builders: DataFrames in, Plotly figures out.

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies), and every
status is also carried by a symbol, a text label and a bar pattern, so colour is never the only
carrier. Fonts are large enough for a projector.
"""

from __future__ import annotations

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go

from core.i18n import t
from core.model import Status

FONT_SIZE = 16
STATUS_STYLE: dict[str, dict[str, str]] = {
    Status.GOOD.value: {"color": "#0072B2", "symbol": "✓", "pattern": ""},
    Status.NEUTRAL.value: {"color": "#BBBBBB", "symbol": "≈", "pattern": "."},
    Status.CONCERN.value: {"color": "#D55E00", "symbol": "!", "pattern": "x"},
    Status.NO_REFERENCE.value: {"color": "#D9D9D9", "symbol": "?", "pattern": "/"},
}
STATUS_ORDER = [Status.GOOD.value, Status.NEUTRAL.value, Status.CONCERN.value, Status.NO_REFERENCE.value]
NATIONAL_COLOR = "#000000"
MIX_COLORS = {"preventive": "#009E73", "early_support": "#E69F00", "intensive": "#CC79A7"}
SEQUENTIAL = [[0, "#F7FBFF"], [1, "#08519C"]]


def status_text(status: str, lang: str) -> str:
    """'✓ hyvä' — the symbol and word that accompany a status colour."""
    return f"{STATUS_STYLE[status]['symbol']} {t(f'status.{status}', lang)}"


def _base_layout(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        font={"size": FONT_SIZE},
        margin={"l": 10, "r": 30, "t": 60 if title else 20, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        plot_bgcolor="white",
        hoverlabel={"font_size": FONT_SIZE - 2},
    )
    return fig


def _wrap(label: str, width: int = 38) -> str:
    return "<br>".join(textwrap.wrap(label, width)) or label


def _fmt(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text} %" if unit in ("percent", "percent_change") else text


def indicator_comparison_figure(frame: pd.DataFrame, lang: str = "fi", title: str | None = None) -> go.Figure:
    """Kymenlaakso (bars coloured, patterned and labelled by status) beside the whole country (◆).

    ``frame`` is ``core.queries.comparison_frame`` output of one unit kind.
    """
    df = frame.copy()
    multi_group = df["group_id"].nunique() > 1
    df["y"] = [
        _wrap(html.escape(f"{lab} · {grp}" if multi_group else lab))
        for lab, grp in zip(df["label"], df["group_label"], strict=True)
    ]
    df = df.sort_values(["indicator_id", "series_id", "group_order"], ascending=[False, False, False])
    fig = go.Figure()
    unit = df["unit"].iloc[0] if not df.empty else "percent"
    for status in STATUS_ORDER:
        part = df[df["status"] == status]
        if part.empty:
            continue
        style = STATUS_STYLE[status]
        custom = list(
            zip(
                [_fmt(v, unit) for v in part["value"]],
                [_fmt(v, unit) for v in part["national"]],
                [("+" if (d or 0) > 0 else "") + _fmt(d, unit) if d is not None and not pd.isna(d) else "–" for d in part["diff"]],
                [html.escape(str(x)) for x in part["source"]],
                part["year"],
                [html.escape(f) if f else "–" for f in part.get("flag_text", part["flag"])],  # flags can come from imports
                part["status_label"],
                [f"{tl} ({by}→)" if tr != "ei_trendia" else tl
                 for tl, tr, by in zip(part.get("trend_label", [""] * len(part)), part.get("trend", [""] * len(part)),
                                       part.get("baseline_year", [""] * len(part)), strict=True)],
                strict=True,
            )
        )
        fig.add_trace(
            go.Bar(
                x=part["value"],
                y=part["y"],
                orientation="h",
                name=status_text(status, lang),
                marker={"color": style["color"], "line": {"color": "#333333", "width": 1},
                        "pattern": {"shape": style["pattern"], "fillmode": "overlay", "fgcolor": "#FFFFFF" if status != Status.NO_REFERENCE.value else "#555555"}},
                customdata=custom,
                hovertemplate=(
                    "<b>%{y}</b><br>"
                    + t("chart.hover.value", lang) + ": %{customdata[0]} (%{customdata[6]})<br>"
                    + t("chart.hover.national", lang) + ": %{customdata[1]}<br>"
                    + t("chart.hover.diff", lang) + ": %{customdata[2]}<br>"
                    + t("chart.hover.source", lang) + ": %{customdata[3]}, %{customdata[4]}<br>"
                    + t("col.trend", lang) + ": %{customdata[7]}<br>"
                    + t("chart.hover.flag", lang) + ": %{customdata[5]}<extra></extra>"
                ),
            )
        )
    nat = df[df["national"].notna()]
    if not nat.empty:
        fig.add_trace(
            go.Scatter(
                x=nat["national"],
                y=nat["y"],
                mode="markers",
                name=t("area.koko_maa", lang),
                marker={"symbol": "diamond", "size": 14, "color": NATIONAL_COLOR, "line": {"color": "white", "width": 1.5}},
                hovertemplate="<b>%{y}</b><br>" + t("area.koko_maa", lang) + ": %{x}<extra></extra>",
            )
        )
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig.update_yaxes(categoryorder="array", categoryarray=list(dict.fromkeys(df["y"])), automargin=True)
    # a text column at the right: the value, its status symbol and the country's value, so the
    # chart reads without colour and the labels never collide with the ◆ markers
    # (set as one list: Plotly re-validates every earlier annotation on each add_annotation call)
    country = t("area.koko_maa", lang).lower()
    fig.update_layout(annotations=[
        {"x": 1.01, "xref": "paper", "y": row.y, "yref": "y", "xanchor": "left", "showarrow": False,
         "align": "left", "font": {"size": FONT_SIZE - 1, "color": "#222222"},
         "text": f"<b>{_fmt(row.value, unit)}</b> {STATUS_STYLE[row.status]['symbol']}"
                 + ("" if row.national is None or pd.isna(row.national) else f" · {country} {_fmt(row.national, unit)}")}
        for row in df.itertuples()
    ])
    axis_title = t("chart.share_axis", lang) if unit == "percent" else t("chart.value_axis", lang)
    fig.update_xaxes(title=axis_title, gridcolor="#E5E5E5", zeroline=True, zerolinecolor="#999999",
                     rangemode="tozero")
    if unit == "percent":
        fig.update_xaxes(range=[0, min(105, max(10.0, float(pd.concat([df["value"], df["national"].dropna()]).max()) * 1.18))])
    fig = _base_layout(fig, title, height=max(260, 46 * len(df["y"].unique()) + 140))
    fig.update_layout(margin={"r": 230})
    return fig


def split_by_unit(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Comparison rows split by unit, so each chart has one meaningful value axis."""
    return {str(u): part for u, part in frame.groupby("unit", sort=False)}


def status_heatmap(frame: pd.DataFrame, group_order: list[tuple[str, str]], lang: str = "fi",
                   title: str | None = None) -> go.Figure:
    """Indicator × respondent group grid; each cell coloured and labelled by its status symbol."""
    codes = {Status.GOOD.value: 3, Status.NEUTRAL.value: 2, Status.CONCERN.value: 1, Status.NO_REFERENCE.value: 0}
    labels = list(dict.fromkeys(frame.sort_values(["indicator_id", "series_id"])["label"]))
    groups = [g for g in group_order if g[0] in set(frame["group_id"])]
    cells: dict[tuple[str, str], dict] = {}
    for r in frame.to_dict("records"):
        cells.setdefault((r["label"], r["group_id"]), r)  # the first row of each cell, as shown
    z, text, hover = [], [], []
    for lab in labels:
        zrow, trow, hrow = [], [], []
        for gid, gname in groups:
            r = cells.get((lab, gid))
            if r is None:
                zrow.append(None)
                trow.append("")
                hrow.append(f"{lab} · {gname}: –")
                continue
            zrow.append(codes[r["status"]])
            trow.append(f"{STATUS_STYLE[r['status']]['symbol']} {_fmt(r['value'], r['unit'])}")
            hrow.append(
                f"{lab} · {gname}<br>{t('area.kymenlaakso', lang)}: {_fmt(r['value'], r['unit'])}"
                f"<br>{t('area.koko_maa', lang)}: {_fmt(r['national'], r['unit'])}<br>{status_text(r['status'], lang)}"
            )
        z.append(zrow)
        text.append(trow)
        hover.append(hrow)
    # codes 0..3 over zmin −0.5 … zmax 3.5: each code owns a quarter of the scale
    colorscale = [
        [0.0, STATUS_STYLE["ei_vertailua"]["color"]], [0.25, STATUS_STYLE["ei_vertailua"]["color"]],
        [0.25, STATUS_STYLE["huolestuttava"]["color"]], [0.5, STATUS_STYLE["huolestuttava"]["color"]],
        [0.5, STATUS_STYLE["neutraali"]["color"]], [0.75, STATUS_STYLE["neutraali"]["color"]],
        [0.75, STATUS_STYLE["hyva"]["color"]], [1.0, STATUS_STYLE["hyva"]["color"]],
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[g[1] for g in groups], y=[_wrap(html.escape(lab), 46) for lab in labels],
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
            colorscale=colorscale, zmin=-0.5, zmax=3.5, showscale=False, xgap=2, ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top")
    inks = {3: "#FFFFFF", 2: "#000000", 1: "#000000", 0: "#000000"}  # contrast on each status colour
    annotations = [
        {"x": xi, "y": yi, "text": label, "showarrow": False, "font": {"size": FONT_SIZE - 2, "color": inks[code]}}
        for yi, (zrow, trow) in enumerate(zip(z, text, strict=True))
        for xi, (code, label) in enumerate(zip(zrow, trow, strict=True)) if label
    ]
    # the legend as text beside the grid, so the colours are explained on screen and on paper
    legend = "   ".join(status_text(s, lang) for s in STATUS_ORDER)
    annotations.append({"text": legend, "xref": "paper", "yref": "paper", "x": 0, "y": -0.02, "yanchor": "top",
                        "showarrow": False, "font": {"size": FONT_SIZE - 2}})
    fig.update_layout(annotations=annotations)  # one list: add_annotation re-validates all earlier ones
    fig = _base_layout(fig, title, height=max(320, 46 * len(labels) + 170))
    fig.update_layout(margin={"b": 60})
    return fig


def status_by_goal_figure(counts: pd.DataFrame, goal_titles: dict[str, str], lang: str = "fi",
                          title: str | None = None) -> go.Figure:
    """Stacked bars: per goal, how many indicator values are good, neutral, concerning."""
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = counts[counts["status"] == status]
        style = STATUS_STYLE[status]
        fig.add_trace(
            go.Bar(
                y=[goal_titles.get(g, g) for g in part["goal_id"]], x=part["count"], orientation="h",
                name=status_text(status, lang), text=part["count"].where(part["count"] > 0, None),
                textposition="inside", insidetextanchor="middle",
                marker={"color": style["color"], "pattern": {"shape": style["pattern"], "fillmode": "overlay", "fgcolor": "#FFFFFF"},
                        "line": {"color": "#333333", "width": 1}},
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _base_layout(fig, title, height=320)


def service_mix_figure(goals: list, lang: str = "fi", title: str | None = None) -> go.Figure:
    """Stacked 100 % bars of the preventive / early-support / intensive shares per goal."""
    fig = go.Figure()
    labels = [f"{t('nav.goal', lang, goal=g.goal_id)}" for g in goals]
    for key, attr, pattern in (("preventive", "preventive_pct", ""), ("early_support", "early_support_pct", "/"),
                               ("intensive", "intensive_pct", "x")):
        values = [getattr(g, attr) for g in goals]
        fig.add_trace(
            go.Bar(
                y=labels, x=values, orientation="h", name=t(f"mix.{key}", lang),
                text=[f"{v:g} %" for v in values], textposition="inside", insidetextanchor="middle", textangle=0,
                constraintext="none",
                marker={"color": MIX_COLORS[key], "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": "#FFFFFF"},
                        "line": {"color": "#333333", "width": 1}},
                hovertemplate="%{y}: %{x:g} % " + t(f"mix.{key}", lang) + "<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100], title=t("chart.share_axis", lang))
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _base_layout(fig, title, height=140 + 60 * len(goals))


def subgoal_matrix_figure(subgoals: list, lang: str = "fi", title: str | None = None) -> go.Figure:
    """The plan's difficulty × impact axes with each sub-goal placed in its cell."""
    difficulties = ["helppo", "keskivaikea", "vaikea"]
    impacts = ["melko korkea", "korkea"]
    cells: dict[tuple[int, int], list] = {}
    unrated = []
    for s in subgoals:
        if s.difficulty is None or s.impact is None:
            unrated.append(s)
            continue
        cells.setdefault((difficulties.index(s.difficulty.value), impacts.index(s.impact.value)), []).append(s)
    xs, ys, texts, hovers = [], [], [], []
    for (xi, yi), members in cells.items():
        n = len(members)
        for k, s in enumerate(members):
            offset = (k - (n - 1) / 2) * 0.22
            xs.append(xi + offset)
            ys.append(yi + (0.12 if k % 2 else -0.12) * (n > 1))
            texts.append(s.subgoal_id)
            hovers.append(f"{s.subgoal_id} {getattr(s, 'title_' + lang, s.title_fi)}")
    fig = go.Figure(
        go.Scatter(
            x=xs, y=ys, mode="markers+text", text=texts, textposition="middle center",
            textfont={"size": FONT_SIZE - 3, "color": "white"},
            marker={"size": 46, "color": "#0072B2", "line": {"color": "#333333", "width": 1}},
            customdata=hovers, hovertemplate="%{customdata}<extra></extra>", showlegend=False,
        )
    )
    fig.update_xaxes(tickvals=[0, 1, 2], ticktext=[t(f"difficulty.{d}", lang) for d in difficulties],
                     range=[-0.6, 2.6], title=t("chart.difficulty_axis", lang), showgrid=False)
    fig.update_yaxes(tickvals=[0, 1], ticktext=[t(f"impact.{i}", lang) for i in impacts],
                     range=[-0.6, 1.6], title=t("chart.impact_axis", lang), showgrid=False)
    for x in (0.5, 1.5):
        fig.add_vline(x=x, line={"color": "#CCCCCC", "dash": "dot"})
    fig.add_hline(y=0.5, line={"color": "#CCCCCC", "dash": "dot"})
    if unrated:
        fig.add_annotation(
            text=t("goal.no_rating", lang) + ": " + ", ".join(s.subgoal_id for s in unrated),
            xref="paper", yref="paper", x=0, y=-0.22, showarrow=False, xanchor="left", yanchor="top",
        )
    fig = _base_layout(fig, title, height=420)
    fig.update_layout(margin={"b": 110})
    return fig


def measure_counts_figure(counts: pd.DataFrame, lang: str = "fi", title: str | None = None) -> go.Figure:
    """Actor × goal grid of the number of measures, with the number written in each cell."""
    actors = list(dict.fromkeys(counts["actor"]))
    goals = list(dict.fromkeys(counts["goal_id"]))
    z = [[int(counts[(counts["actor"] == a) & (counts["goal_id"] == g)]["count"].sum()) for g in goals] for a in actors]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=[t("nav.goal", lang, goal=g) for g in goals], y=actors, text=z, texttemplate="%{text}",
            textfont={"size": FONT_SIZE}, colorscale=SEQUENTIAL, showscale=False, xgap=2, ygap=2,
            hovertemplate="%{y} · %{x}: %{z}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top")
    return _base_layout(fig, title, height=max(300, 34 * len(actors) + 120))
