"""The plan's own figures: each goal's service-level mix and the sub-goals by difficulty and impact (the
look: core.views.chart_style)."""

from __future__ import annotations

import plotly.graph_objects as go

from core.base.i18n import key_part, t
from core.views.chart_style import (
    FONT_SIZE,
    INK,
    SMALL_FONT_SIZE,
    base_layout,
)

MIX_COLORS = {"preventive": "#009E73", "early_support": "#E69F00", "intensive": "#CC79A7"}


MIX_INSIDE_MIN = 18  # per cent: a narrower last segment writes its share outside the bar


def service_mix_figure(goals: list, lang: str = "fi", title: str | None = None) -> go.Figure:
    """Stacked 100 % bars of the preventive / early-support / intensive shares per goal."""
    fig = go.Figure()
    labels = [f"{t('nav.goal', lang, goal=g.goal_id)}" for g in goals]
    for key, attr, pattern in (
        ("preventive", "preventive_pct", ""),
        ("early_support", "early_support_pct", "/"),
        ("intensive", "intensive_pct", "x"),
    ):
        values = [getattr(g, attr) for g in goals]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=values,
                orientation="h",
                name=t(f"mix.{key}", lang),
                text=[f"{v:g} %" for v in values],
                # the last segment ends at 100 %: a narrow one ("5 %", "15 %") writes its share beyond the
                # bar's end, in the right margin kept for it, instead of cut by its own edges (a 15 % segment
                # of a phone's ~210 px plot is ~32 px, "15 %" at 16 px ~34 px) or cut at the axis end
                textposition=["outside" if key == "intensive" and v < MIX_INSIDE_MIN else "inside" for v in values],
                insidetextanchor="middle",
                textangle=0,
                constraintext="none",
                cliponaxis=False,
                marker={
                    "color": MIX_COLORS[key],
                    "pattern": {"shape": pattern, "fillmode": "overlay", "fgcolor": "#FFFFFF"},
                    "line": {"color": "#333333", "width": 1},
                },
                hovertemplate="%{y}: %{x:g} % " + t(f"mix.{key}", lang) + "<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 100], title=t("chart.share_axis", lang))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig = base_layout(fig, title, height=140 + 60 * len(goals))
    fig.update_layout(margin_r=max(fig.layout.margin.r or 0, 48))  # room for "15 %" past the 100 % end
    return fig


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
            x=xs,
            y=ys,
            mode="markers+text",
            text=texts,
            textposition="middle center",
            textfont={"size": SMALL_FONT_SIZE, "color": "white"},
            marker={"size": 46, "color": "#0072B2", "line": {"color": "#333333", "width": 1}},
            customdata=hovers,
            hovertemplate="%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    # "keskivaikea" is as wide as a third of a phone's plot: split it so the three labels never touch
    fig.update_xaxes(
        tickvals=[0, 1, 2],
        ticktext=[t(f"difficulty.{d}", lang).replace("keskivaikea", "keski-<br>vaikea") for d in difficulties],
        range=[-0.6, 2.6],
        title=t("chart.difficulty_axis", lang),
        showgrid=False,
    )
    fig.update_yaxes(
        tickvals=[0, 1],
        ticktext=[t(f"impact.{key_part(i)}", lang) for i in impacts],
        range=[-0.6, 1.6],
        title=t("chart.impact_axis", lang),
        showgrid=False,
    )
    for x in (0.5, 1.5):
        fig.add_vline(x=x, line={"color": "#CCCCCC", "dash": "dot"})
    fig.add_hline(y=0.5, line={"color": "#CCCCCC", "dash": "dot"})
    if unrated:
        fig.add_annotation(
            text=t("goal.no_rating", lang) + ": " + ", ".join(s.subgoal_id for s in unrated),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-96,
            showarrow=False,
            xanchor="left",
            yanchor="top",
            font={"size": FONT_SIZE, "color": INK},
        )
    fig = base_layout(fig, title, height=460 if unrated else 420)
    fig.update_layout(margin={"b": 140 if unrated else 110})
    return fig
