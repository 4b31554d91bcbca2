"""Figure builders: DataFrames in, Plotly figures out.

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies), and every
status is also carried by a symbol, a text label and a bar pattern, so colour is never the only
carrier. Every chart text is at least ``SMALL_FONT_SIZE`` px in near-black ink, readable on a
projector; labels are wrapped at word boundaries and written *above* their bar or cell row, so a
chart reads the same at a phone's width as on a projector (Python never learns the viewport).
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from core.base.i18n import key_part, t
from core.base.numbers import number_text
from core.plan.model import Status

FONT_SIZE = 16  # the one chart font size: ticks, titles, legends, annotations, hover
SMALL_FONT_SIZE = FONT_SIZE - 2  # the smallest chart text anywhere (≥ 14 px)
INK = "#1a1a1a"  # chart text on white: about 17:1 contrast
GRID = "#D9D9D9"
TEMPLATE = "plotly_white"  # the figure's own look; pages draw with theme=None (Streamlit's is 12 px grey)
LABEL_WIDTH = 32  # characters per line of a wrapped label: about 290 px of 16 px text, a phone's width
LINE_PX = 22  # the height of one line of FONT_SIZE text (Plotly's 1.3 line spacing, rounded up)
MAX_BARS = 8  # a longer comparison chart is split (per sub-goal, category, then in parts): 8 bars
# with their labels are one 720 px projector screen
MAX_HEAT_COLUMNS = 4  # columns of one heatmap: four fit a phone's width with room to spare
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
NBSP = "\u00a0"  # keeps '88 %' on one line when a label is wrapped


def value_axis_title(unit: str | None, lang: str) -> str:
    """The value axis' title: a share, a change in per cent (population change), a count, a rate, or a value."""
    if unit == "percent":
        return t("chart.share_axis", lang)
    if unit == "percent_change":
        return t("chart.change_axis", lang)
    if unit == "count":
        return t("chart.number_axis", lang)
    if unit in ("per_1000", "per_10000"):
        return t(f"chart.{unit}_axis", lang)
    return t("chart.value_axis", lang)


def status_text(status: str, lang: str) -> str:
    """'✓ hyvä' — the symbol and word that accompany a status colour."""
    return f"{STATUS_STYLE[status]['symbol']} {t(f'status.{status}', lang)}"


def wrap_label(label: str, width: int = LABEL_WIDTH) -> str:
    """Plain text → HTML-escaped lines of at most ``width`` characters, broken at word boundaries."""
    lines = textwrap.wrap(str(label), width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(html.escape(line) for line in lines) or html.escape(str(label))


def line_count(wrapped: str) -> int:
    """How many lines a ``wrap_label`` text has."""
    return wrapped.count("<br>") + 1


def _axis_font() -> dict:
    return {"size": FONT_SIZE, "color": INK}


def _base_layout(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "font": {"size": FONT_SIZE + 2, "color": INK}} if title else None,
        height=height,
        font={"size": FONT_SIZE, "color": INK},
        margin={"l": 10, "r": 30, "t": 60 if title else 20, "b": 40},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0,
            "font": {"size": FONT_SIZE, "color": INK},
        },
        plot_bgcolor="white",
        hoverlabel={"font": {"size": FONT_SIZE, "color": INK}, "bgcolor": "white", "align": "left"},
        uniformtext={"minsize": SMALL_FONT_SIZE, "mode": "hide"},  # never shrink bar text below 14 px
    )
    fig.update_xaxes(tickfont=_axis_font(), title_font=_axis_font(), linecolor="#555555")
    fig.update_yaxes(tickfont=_axis_font(), title_font=_axis_font(), linecolor="#555555")
    return fig


BAR_PX = 20  # thickness of one bar (the y axis counts pixels, so rows never crowd their labels)
ROW_TEXT_WIDTH = LABEL_WIDTH + 6  # characters per line of a bar's own text (group, value, status, ◆ country)


def _value_range(values: pd.Series, unit: str) -> list[float]:
    vals = values.dropna().astype(float)
    lo, hi = (float(vals.min()), float(vals.max())) if not vals.empty else (0.0, 1.0)
    if unit == "percent":
        return [0, min(105.0, max(10.0, hi * 1.12))]
    lo, hi = min(0.0, lo * 1.12), max(0.0, hi * 1.12)
    return [lo, hi if hi > lo else lo + 1]


def _row_text(row, unit: str, multi_group: bool, lang: str) -> str:
    """'4.–5. lk: 88 % ≈ neutraali · ◆ 89,5 %', wrapped; the value in bold (◆ = the whole country)."""
    value = number_text(row.value, unit, lang, nbsp=True)
    status = status_text(row.status, lang).replace(" ", NBSP)  # '≈ neutraali' stays on one line
    # the value between two marks that survive wrapping and escaping, then become <b>…</b>
    plain = (f"{row.group_label}: " if multi_group else "") + f"\x02{value}\x03 {status}"
    if row.national is not None and not pd.isna(row.national):
        plain += f" · ◆{NBSP}{number_text(row.national, unit, lang, nbsp=True)}"
    return wrap_label(plain, ROW_TEXT_WIDTH).replace("\x02", "<b>", 1).replace("\x03", "</b>", 1)


def indicator_comparison_figure(
    frame: pd.DataFrame,
    lang: str = "fi",
    title: str | None = None,
    order: Sequence[tuple[int, str]] | None = None,
    show_groups: bool | None = None,
) -> go.Figure:
    """The region (bars coloured, patterned and labelled by status) beside the whole country (◆).

    ``frame`` is ``core.views.queries.comparison_frame`` output of one unit kind; ``order`` lists the
    (indicator, series) pairs top to bottom (default: by number); ``show_groups`` writes the group
    before each value (default: when the frame has several groups). Each indicator's name is written
    above its bars (wrapped at ``LABEL_WIDTH``), each bar's group, value, status word and the
    country's value right above the bar, so nothing sits beside the bars to squeeze them on a phone.
    The y axis counts pixels: the figure's height follows the number of text lines.
    """
    df = _in_order(frame, order)
    unit = str(df["unit"].iloc[0]) if not df.empty else "percent"
    multi_group = df["group_id"].nunique() > 1 if show_groups is None else show_groups
    annotations, centers, total = _stacked_texts(df, unit, multi_group, lang)
    df["y"] = centers
    fig = go.Figure()
    for status in STATUS_ORDER:
        part = df[df["status"] == status]
        if not part.empty:
            fig.add_trace(_status_bars(part, status, unit, lang))
    nat = df[df["national"].notna()]
    if not nat.empty:
        fig.add_trace(_national_markers(nat, unit, lang))
    top = (60 if title else 0) + LINE_PX + 12
    # the key of the ◆ marker, above the first row (the status words are in every row's text)
    annotations.append(
        {
            "x": 0,
            "xref": "paper",
            "y": 1,
            "yref": "paper",
            "yshift": LINE_PX + 8,
            "xanchor": "left",
            "yanchor": "top",
            "align": "left",
            "showarrow": False,
            "text": t("chart.national_key", lang),
            "font": {"size": FONT_SIZE, "color": INK},
        }
    )
    fig.update_layout(barmode="overlay", annotations=annotations)  # one list: add_annotation re-validates all
    axis_title = value_axis_title(unit, lang)
    fig = _base_layout(fig, title, height=int(total) + top + 70)
    fig.update_yaxes(range=[total, 0], visible=False, fixedrange=True)
    fig.update_xaxes(
        title=axis_title,
        gridcolor=GRID,
        zeroline=True,
        zerolinecolor="#555555",
        automargin=False,
        range=_value_range(pd.concat([df["value"], df["national"]]), unit),
        fixedrange=True,
    )
    # fixed margins: the plot area's height is exactly ``total``, so a y unit is one pixel
    fig.update_layout(margin={"l": 10, "r": 24, "t": top, "b": 70, "autoexpand": False}, showlegend=False)
    return fig


def _in_order(frame: pd.DataFrame, order: Sequence[tuple[int, str]] | None) -> pd.DataFrame:
    """The rows top to bottom: pairs in ``order`` (others after, by number), groups in plan order."""
    df = frame.copy()
    df["pair"] = list(zip(df["indicator_id"].astype(int), df["series_id"].fillna("").astype(str), strict=True))
    rank = {tuple(p): k for k, p in enumerate(order or [])}
    df["rank"] = [rank.get(p, len(rank)) for p in df["pair"]]
    return df.sort_values(["rank", "indicator_id", "series_id", "group_order"], kind="stable")


def _text_annotation(y: float, text: str) -> dict:
    """A left-aligned text block whose top is at pixel ``y`` of the chart, on a white ground."""
    return {
        "x": 0,
        "xref": "paper",
        "y": y,
        "yref": "y",
        "xanchor": "left",
        "yanchor": "top",
        "align": "left",
        "showarrow": False,
        "text": text,
        "font": {"size": FONT_SIZE, "color": INK},
        "bgcolor": "rgba(255,255,255,0.9)",
    }


def _stacked_texts(df: pd.DataFrame, unit: str, multi_group: bool, lang: str) -> tuple[list[dict], list[float], float]:
    """Each indicator's name, then per row its text above its bar: annotations, bar centres and total height (px)."""
    annotations: list[dict] = []
    centers: list[float] = []
    cursor = 0.0
    for k, (_, part) in enumerate(df.groupby("pair", sort=False)):
        heading = wrap_label(str(part["label"].iloc[0]))
        cursor += 10 if k else 0
        annotations.append(_text_annotation(cursor, f"<b>{heading}</b>"))
        cursor += line_count(heading) * LINE_PX
        for row in part.itertuples():
            text = _row_text(row, unit, multi_group, lang)
            annotations.append(_text_annotation(cursor + 2, text))
            cursor += line_count(text) * LINE_PX + 2
            centers.append(cursor + BAR_PX / 2)
            cursor += BAR_PX + 6
    return annotations, centers, cursor + 4


def _trend_words(part: pd.DataFrame) -> list[str]:
    """'paranee (2017→)' per row: the trend word and its baseline year (the word alone without a trend)."""
    return [
        f"{tl} ({by}→)" if tr != "ei_trendia" else tl
        for tl, tr, by in zip(
            part.get("trend_label", [""] * len(part)),
            part.get("trend", [""] * len(part)),
            part.get("baseline_year", [""] * len(part)),
            strict=True,
        )
    ]


def _status_bars(part: pd.DataFrame, status: str, unit: str, lang: str) -> go.Bar:
    """The region's bars of one status: its colour and pattern, and a hover with the whole row."""
    style = STATUS_STYLE[status]
    custom = list(
        zip(
            [number_text(v, unit, lang, nbsp=True) for v in part["value"]],
            [number_text(v, unit, lang, nbsp=True) for v in part["national"]],
            [
                ("+" if (d or 0) > 0 else "") + number_text(d, unit, lang, nbsp=True)
                if d is not None and not pd.isna(d)
                else "–"
                for d in part["diff"]
            ],
            [html.escape(str(x)) for x in part["source"]],
            part["year"],
            [html.escape(f) if f else "–" for f in part.get("flag_text", part["flag"])],  # flags can come from imports
            part["status_label"],
            _trend_words(part),
            [wrap_label(f"{lab} · {grp}", 40) for lab, grp in zip(part["label"], part["group_label"], strict=True)],
            strict=True,
        )
    )
    return go.Bar(
        x=part["value"],
        y=part["y"],
        width=[BAR_PX] * len(part),
        base=0,
        orientation="h",
        showlegend=False,
        name=status_text(status, lang),
        marker={
            "color": style["color"],
            "line": {"color": "#333333", "width": 1},
            "pattern": {
                "shape": style["pattern"],
                "fillmode": "overlay",
                "fgcolor": "#FFFFFF" if status != Status.NO_REFERENCE.value else "#555555",
            },
        },
        customdata=custom,
        hovertemplate=(
            "<b>%{customdata[8]}</b><br>"
            + t("chart.hover.value", lang)
            + ": %{customdata[0]} (%{customdata[6]})<br>"
            + t("chart.hover.national", lang)
            + ": %{customdata[1]}<br>"
            + t("chart.hover.diff", lang)
            + ": %{customdata[2]}<br>"
            + t("chart.hover.source", lang)
            + ": %{customdata[3]}, %{customdata[4]}<br>"
            + t("col.trend", lang)
            + ": %{customdata[7]}<br>"
            + t("chart.hover.flag", lang)
            + ": %{customdata[5]}<extra></extra>"
        ),
    )


def _national_markers(nat: pd.DataFrame, unit: str, lang: str) -> go.Scatter:
    """The whole country's values as ◆ on the region's bars."""
    return go.Scatter(
        x=nat["national"],
        y=nat["y"],
        mode="markers",
        showlegend=False,
        name=t("area.koko_maa", lang),
        marker={"symbol": "diamond", "size": 16, "color": NATIONAL_COLOR, "line": {"color": "white", "width": 1.5}},
        customdata=[
            [wrap_label(f"{lab} · {grp}", 40), number_text(v, unit, lang, nbsp=True)]
            for lab, grp, v in zip(nat["label"], nat["group_label"], nat["national"], strict=True)
        ],
        hovertemplate="<b>%{customdata[0]}</b><br>" + t("area.koko_maa", lang) + ": %{customdata[1]}<extra></extra>",
    )


def split_by_unit(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Comparison rows split by unit, so each chart has one meaningful value axis."""
    return {str(u): part for u, part in frame.groupby("unit", sort=False)}


Section = tuple[str, list[tuple[int, str]]]  # a heading and its (indicator, series) pairs, in order


def subgoal_sections(plan, goal_id: str, lang: str = "fi") -> list[Section]:
    """One section per välitavoite of the goal: 'I.3 Title' and the pairs under it, in plan order.

    A link without a series to an indicator that has series stands for all its series (as in
    ``queries.linked_indicators``); an indicator shown under two sub-goals appears in both.
    """
    sections: list[Section] = []
    for sub in plan.subgoals_of(goal_id):
        pairs = plan.link_pairs(
            sorted((x for x in plan.subgoal_indicators if x.subgoal_id == sub.subgoal_id), key=lambda x: x.sort_order)
        )
        title = getattr(sub, f"title_{lang}", "") or sub.title_fi
        sections.append((f"{sub.subgoal_id} {title}", pairs))
    return sections


def category_sections(plan) -> list[Section]:
    """One section per indicator category (as printed in the plan), indicators in number order."""
    series_of: dict[int, list[str]] = {}
    for s in plan.series:
        series_of.setdefault(s.indicator_id, []).append(s.series_id)
    sections: dict[str, list[tuple[int, str]]] = {}
    for ind in plan.indicators_in_order():
        sections.setdefault(ind.category, []).extend(
            (ind.indicator_id, s) for s in series_of.get(ind.indicator_id, [""])
        )
    return list(sections.items())


def _greedy(sizes: list[tuple[tuple[int, str], int]], limit: int) -> list[list[tuple[int, str]]]:
    chunks: list[list[tuple[int, str]]] = [[]]
    count = 0
    for pair, n in sizes:
        if chunks[-1] and count + n > limit:
            chunks.append([])
            count = 0
        chunks[-1].append(pair)
        count += n
    return chunks


def _even_chunks(sizes: list[tuple[tuple[int, str], int]], max_bars: int) -> list[list[tuple[int, str]]]:
    """Consecutive pairs in as few parts of at most ``max_bars`` bars as possible, as even as possible."""
    fewest = len(_greedy(sizes, max_bars))
    total = sum(n for _, n in sizes)
    for limit in range(-(-total // fewest), max_bars + 1):
        chunks = _greedy(sizes, limit)
        if len(chunks) == fewest:
            return chunks
    return _greedy(sizes, max_bars)


def split_comparison(
    frame: pd.DataFrame, sections: Sequence[Section] | None = None, max_bars: int = MAX_BARS, lang: str = "fi"
) -> list[tuple[str | None, str, pd.DataFrame, list[tuple[int, str]]]]:
    """The charts to draw: (heading or None, unit, rows, pair order), each at most ``max_bars`` bars.

    A frame of at most ``max_bars`` rows is split by unit only. A longer one is split per section
    (sub-goal or category; rows in no section go last, under no heading), then by unit, and a part
    still too long into numbered parts that keep an indicator's bars together.
    """
    if frame.empty:
        return []
    pair_of = list(zip(frame["indicator_id"].astype(int), frame["series_id"].fillna("").astype(str), strict=True))
    keyed = frame.assign(_pair=pair_of)
    if len(frame) <= max_bars or not sections:
        order = sorted(set(pair_of))
        return [(None, unit, part.drop(columns="_pair"), order) for unit, part in split_by_unit(keyed).items()]
    out = []
    rest = [p for p in dict.fromkeys(pair_of) if all(p not in pairs for _, pairs in sections)]
    for heading, pairs in [*sections, (None, sorted(rest))]:
        rows = keyed[keyed["_pair"].isin(pairs)]
        if rows.empty:
            continue
        for unit, part in split_by_unit(rows).items():
            sizes = [(p, int((part["_pair"] == p).sum())) for p in pairs if p in set(part["_pair"])]
            chunks = _even_chunks(sizes, max_bars)
            for k, chunk in enumerate(chunks, start=1):
                label = heading
                if heading and len(chunks) > 1:
                    label = t("chart.part", lang, heading=heading, n=k, total=len(chunks))
                out.append((label, unit, part[part["_pair"].isin(chunk)].drop(columns="_pair"), chunk))
    return out


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
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(len(groups))),
            y=edges,
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=colorscale,
            zmin=-0.5,
            zmax=3.5,
            showscale=False,
            xgap=3,
            ygap=0,
            hoverongaps=False,
        )
    )
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
    fig = _base_layout(fig, title, height=int(total) + top + 2 * LINE_PX + 24)
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
    return _base_layout(fig, title, height=320)


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
    fig = _base_layout(fig, title, height=140 + 60 * len(goals))
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
    fig = _base_layout(fig, title, height=460 if unrated else 420)
    fig.update_layout(margin={"b": 140 if unrated else 110})
    return fig


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
        go.Heatmap(
            z=rows,
            x=list(range(len(goals))),
            y=edges,
            text=text,
            texttemplate="%{text}",
            textfont={"size": FONT_SIZE},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            colorscale=SEQUENTIAL,
            showscale=False,
            xgap=3,
            ygap=0,
            hoverongaps=False,
        )
    )
    fig.update_layout(annotations=annotations)
    top = 2 * LINE_PX + 16 + (50 if title else 0)  # the goal numbers and their axis title
    fig = _base_layout(fig, title, height=int(cursor) + top + 34)
    fig.update_yaxes(range=[cursor, 0], visible=False, fixedrange=True)
    _columns_on_top(fig, goals, tickangle=0, title=t("col.goal", lang))
    # the bottom margin holds Plotly's chart icons (ui/theme.py puts them in the bottom right corner)
    fig.update_layout(margin={"l": 4, "r": 4, "t": top, "b": 34, "autoexpand": False})
    return fig
