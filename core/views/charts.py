"""Indicator charts: Kymenlaakso's value per respondent group beside the whole country's, one bar per
(indicator, group) with its status, split into screens of at most ``MAX_BARS`` bars (the look:
core.views.chart_style)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from core.base.i18n import t
from core.base.numbers import number_text
from core.plan.model import Status
from core.views.chart_style import (
    FONT_SIZE,
    GRID,
    INK,
    LABEL_WIDTH,
    LINE_PX,
    NBSP,
    STATUS_ORDER,
    STATUS_STYLE,
    base_layout,
    line_count,
    status_text,
    value_axis_title,
    wrap_label,
)

MAX_BARS = 8  # a longer comparison chart is split (per sub-goal, category, then in parts): 8 bars
# with their labels are one 720 px projector screen
NATIONAL_COLOR = "#000000"

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
    fig = base_layout(fig, title, height=int(total) + top + 70)
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
