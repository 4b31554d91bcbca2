"""Status heatmaps: indicators (rows) by respondent group (columns), each cell its status symbol and value;
the actors' statuses per goal, and the measures counted per actor and goal (the look: core.views.chart_style)."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from core.base.i18n import t
from core.base.numbers import number_text
from core.plan.model import Status
from core.views.chart_style import (
    FONT_SIZE,
    INK,
    LINE_PX,
    STATUS_ORDER,
    STATUS_STYLE,
    base_layout,
    line_count,
    status_text,
    wrap_label,
)

MAX_HEAT_COLUMNS = 4  # columns of one heatmap: four fit a phone's width with room to spare
SEQUENTIAL = [[0, "#F7FBFF"], [1, "#08519C"]]  # the measure counts' one-hue scale
CELL_PX = 34  # height of one heatmap cell row


def heatmap_column_chunks(
    group_order: list[tuple[str, str]], present: set[str], width: int = MAX_HEAT_COLUMNS
) -> list[list[tuple[str, str]]]:
    """The groups that have values, ``width`` at a time: each chunk is one heatmap."""
    groups = [g for g in group_order if g[0] in present]
    return [groups[k : k + width] for k in range(0, len(groups), width)]


def _row_name(heading: str, y: float) -> dict:
    """The annotation writing a grid row's name (wrapped HTML) at the left, above its cells from ``y`` down."""
    return {
        "x": 0,
        "xref": "paper",
        "y": y + 4,
        "yref": "y",
        "xanchor": "left",
        "yanchor": "top",
        "align": "left",
        "showarrow": False,
        "text": heading,
        "font": {"size": FONT_SIZE, "color": INK},
    }


def _columns_on_top(fig: go.Figure, headers: list[str], **axis: object) -> None:
    """A grid's columns 0…n-1 named by ``headers`` above the cells; no zoom, no grid lines."""
    fig.update_xaxes(
        side="top",
        tickmode="array",
        tickvals=list(range(len(headers))),
        ticktext=headers,
        range=[-0.5, len(headers) - 0.5],
        showgrid=False,
        automargin=False,
        fixedrange=True,
        ticks="",
        zeroline=False,
        **axis,
    )


def _banded(
    z: list, n_columns: int, edges: list[float], hover: list, colorscale: object, **extra: object
) -> go.Heatmap:
    """A grid whose rows are bands between ``edges`` (a name's band, then its cells), columns 0…n-1,
    the hover text from ``hover`` and no colour bar: the shape both grids of this module share."""
    return go.Heatmap(
        z=z,
        x=list(range(n_columns)),
        y=edges,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>",
        colorscale=colorscale,
        showscale=False,
        xgap=3,
        ygap=0,
        hoverongaps=False,
        **extra,
    )


def status_heatmap(
    frame: pd.DataFrame,
    group_order: list[tuple[str, str]],
    lang: str = "fi",
    title: str | None = None,
    region: str = "",
) -> go.Figure:
    """Indicator × respondent group grid; each cell coloured and labelled by its status symbol and value.

    Each indicator's name is written above its row of cells (wrapped), so the cells span the whole
    width: at most ``MAX_HEAT_COLUMNS`` columns keep a cell's text apart from its neighbours' even
    on a phone. Indicators without a value in these groups are left out. ``region``: the plan's region
    by name (its values' label in the hover).
    """
    codes = {Status.GOOD.value: 3, Status.NEUTRAL.value: 2, Status.CONCERN.value: 1, Status.NO_REFERENCE.value: 0}
    groups = [g for g in group_order if g[0] in set(frame["group_id"])]
    frame = frame[frame["group_id"].isin([g for g, _ in groups])]
    labels = list(dict.fromkeys(frame.sort_values(["indicator_id", "series_id"])["label"]))
    cells: dict[tuple[str, str], dict] = {}
    for r in frame.to_dict("records"):
        cells.setdefault((r["label"], r["group_id"]), r)  # the first row of each cell, as shown
    z, hover, edges, annotations = [], [], [0.0], []
    inks = {3: "#FFFFFF", 2: "#000000", 1: "#000000", 0: "#000000"}  # contrast on each status colour
    cursor = 0.0
    for lab in labels:
        heading = wrap_label(lab, 36)
        annotations.append(_row_name(heading, cursor))
        cursor += line_count(heading) * LINE_PX + 6
        edges.append(cursor)  # the label's band: an empty row of the grid
        z.append([None] * len(groups))
        hover.append([""] * len(groups))
        zrow, hrow = [], []
        for xi, (gid, gname) in enumerate(groups):
            r = cells.get((lab, gid))
            if r is None:
                zrow.append(None)
                hrow.append(f"{html.escape(lab)} · {html.escape(gname)}: –")
                continue
            code = codes[r["status"]]
            zrow.append(code)
            hrow.append(
                f"{html.escape(lab)} · {html.escape(gname)}<br>{html.escape(region or t('area.region', lang))}: {number_text(r['value'], r['unit'], lang, nbsp=True)}"
                f"<br>{t('area.koko_maa', lang)}: {number_text(r['national'], r['unit'], lang, nbsp=True)}<br>{status_text(r['status'], lang)}"
            )
            annotations.append(
                {
                    "x": xi,
                    "y": cursor + CELL_PX / 2,
                    "yref": "y",
                    "showarrow": False,
                    "text": f"{STATUS_STYLE[r['status']]['symbol']} {number_text(r['value'], r['unit'], lang, nbsp=True)}",
                    "font": {"size": FONT_SIZE, "color": inks[code]},
                }
            )
        cursor += CELL_PX
        edges.append(cursor)
        z.append(zrow)
        hover.append(hrow)
        cursor += 4
    total = cursor
    # codes 0..3 over zmin −0.5 … zmax 3.5: each code owns a quarter of the scale
    colorscale = [
        [0.0, STATUS_STYLE["ei_vertailua"]["color"]],
        [0.25, STATUS_STYLE["ei_vertailua"]["color"]],
        [0.25, STATUS_STYLE["huolestuttava"]["color"]],
        [0.5, STATUS_STYLE["huolestuttava"]["color"]],
        [0.5, STATUS_STYLE["neutraali"]["color"]],
        [0.75, STATUS_STYLE["neutraali"]["color"]],
        [0.75, STATUS_STYLE["hyva"]["color"]],
        [1.0, STATUS_STYLE["hyva"]["color"]],
    ]
    headers = [wrap_label(g[1], 12) for g in groups]
    fig = go.Figure(_banded(z, len(groups), edges, hover, colorscale, zmin=-0.5, zmax=3.5))
    # the legend as text under the grid (two lines fit a phone), so the colours are explained on paper too
    legend = (
        f"{status_text(STATUS_ORDER[0], lang)} · {status_text(STATUS_ORDER[1], lang)}<br>"
        f"{status_text(STATUS_ORDER[2], lang)} · {status_text(STATUS_ORDER[3], lang)}"
    )
    annotations.append(
        {
            "text": legend,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": 0,
            "yshift": -8,
            "xanchor": "left",
            "yanchor": "top",
            "align": "left",
            "showarrow": False,
            "font": {"size": FONT_SIZE, "color": INK},
        }
    )
    fig.update_layout(annotations=annotations)  # one list: add_annotation re-validates all earlier ones
    top = max(line_count(h) for h in headers) * LINE_PX + 16 + (50 if title else 0) if groups else 20
    fig = base_layout(fig, title, height=int(total) + top + 2 * LINE_PX + 24)
    fig.update_yaxes(range=[total, 0], visible=False, fixedrange=True)
    _columns_on_top(fig, headers)
    fig.update_layout(margin={"l": 4, "r": 4, "t": top, "b": 2 * LINE_PX + 24, "autoexpand": False})
    return fig


def status_by_goal_figure(
    counts: pd.DataFrame, goal_titles: dict[str, str], lang: str = "fi", title: str | None = None
) -> go.Figure:
    """Stacked bars: per goal, how many indicator values are good, neutral, concerning."""
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = counts[counts["status"] == status]
        style = STATUS_STYLE[status]
        fig.add_trace(
            go.Bar(
                y=[goal_titles.get(g, g) for g in part["goal_id"]],
                x=part["count"],
                orientation="h",
                name=status_text(status, lang),
                text=part["count"].where(part["count"] > 0, None),
                textposition="inside",
                insidetextanchor="middle",
                marker={
                    "color": style["color"],
                    "pattern": {"shape": style["pattern"], "fillmode": "overlay", "fgcolor": "#FFFFFF"},
                    "line": {"color": "#333333", "width": 1},
                },
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return base_layout(fig, title, height=320)


def measure_counts_figure(counts: pd.DataFrame, lang: str = "fi", title: str | None = None) -> go.Figure:
    """Actor × goal grid of the number of measures, with the number written in each cell.

    Each actor's name is written above its row of cells (as in ``status_heatmap``) and the columns are
    the goals' own numbers under one axis title: with the names in a left margin a phone's grid was
    ~70 px wide, its "Päätavoite III" headers turned vertical.
    """
    actors = list(dict.fromkeys(counts["actor"]))
    goals = list(dict.fromkeys(counts["goal_id"]))
    z = [[int(counts[(counts["actor"] == a) & (counts["goal_id"] == g)]["count"].sum()) for g in goals] for a in actors]
    goal_names = [t("nav.goal", lang, goal=g) for g in goals]
    rows, text, hover, edges, annotations = [], [], [], [0.0], []
    cursor = 0.0
    for actor, counts_row in zip(actors, z, strict=True):
        heading = wrap_label(actor, 36)
        annotations.append(_row_name(heading, cursor))
        cursor += line_count(heading) * LINE_PX + 6
        edges.append(cursor)  # the name's band: an empty row of the grid
        rows.append([None] * len(goals))
        text.append([""] * len(goals))
        hover.append([""] * len(goals))
        cursor += CELL_PX
        edges.append(cursor)
        rows.append(counts_row)
        text.append([str(v) for v in counts_row])
        hover.append([f"{html.escape(actor)} · {g}: {v}" for g, v in zip(goal_names, counts_row, strict=True)])
        cursor += 4
    fig = go.Figure(
        _banded(
            rows, len(goals), edges, hover, SEQUENTIAL, text=text, texttemplate="%{text}", textfont={"size": FONT_SIZE}
        )
    )
    fig.update_layout(annotations=annotations)
    top = 2 * LINE_PX + 16 + (50 if title else 0)  # the goal numbers and their axis title
    fig = base_layout(fig, title, height=int(cursor) + top + 34)
    fig.update_yaxes(range=[cursor, 0], visible=False, fixedrange=True)
    _columns_on_top(fig, goals, tickangle=0, title=t("col.goal", lang))
    # the bottom margin holds Plotly's chart icons (ui/theme.py puts them in the bottom right corner)
    fig.update_layout(margin={"l": 4, "r": 4, "t": top, "b": 34, "autoexpand": False})
    return fig
