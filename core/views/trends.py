"""One indicator over the years: the region's beside the whole country, per respondent group.

Input is ``core.views.queries.trend_frame`` output. Each group has one colour (Okabe–Ito); the area is
carried by line dash AND marker symbol (the region's solid ●, whole country dashed ◆), and the
trend word (paranee / ennallaan / heikkenee, judged by ``core.plan.status.trend_since_baseline``) is
written in the legend (and, for a single group, beside its last point). Only a group whose
the region's values span two or more years is drawn: a single year is no trend, and the page says
so in words (``single_year_groups``, ``has_series``) instead of drawing a lone point.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from core.base.i18n import t
from core.base.numbers import number_text
from core.plan.model import is_region_area
from core.views.chart_style import FONT_SIZE, GRID, INK, SMALL_FONT_SIZE, TEMPLATE, value_axis_title
from core.views.palette import OKABE_ITO
from core.views.queries import flag_text

TREND_SYMBOL = {"paranee": "↗", "ennallaan": "→", "heikkenee": "↘", "ei_trendia": ""}
REGION_STYLE = {"dash": "solid", "symbol": "circle"}  # the plan's own region
AREA_STYLE: dict[str, dict[str, str]] = {
    "koko_maa": {"dash": "dash", "symbol": "diamond"},
}
OTHER_AREA_STYLES = [
    {"dash": "dot", "symbol": "square"},
    {"dash": "dashdot", "symbol": "triangle-up"},
    {"dash": "longdash", "symbol": "x"},
]


def text(key: str, lang: str = "fi", **values: object) -> str:
    """A text of this module in Finnish or English."""
    return t(f"trends.{key}", lang, **values)


def trend_label(trend: str, lang: str = "fi") -> str:
    """'↗ paranee' — arrow and word of a trend code ('ei aikasarjaa' for no trend)."""
    word = t(f"trend.{trend}", lang) if trend in TREND_SYMBOL else str(trend)
    sym = TREND_SYMBOL.get(trend, "")
    return f"{sym} {word}".strip()


def _region_years(df: pd.DataFrame) -> dict[str, int]:
    """Per group: how many distinct years have a value of the plan's region."""
    if df is None or df.empty:
        return {}
    kym = df[df["area"].map(is_region_area)]
    return {str(g): int(n) for g, n in kym.groupby("group_id")["year"].nunique().items()}


def has_series(trend_df: pd.DataFrame) -> bool:
    """True when at least one group has the region's values from two or more years (a trend to draw)."""
    return any(n >= 2 for n in _region_years(trend_df).values())


def pairs_with_series(
    observations: pd.DataFrame, pairs: list[tuple[int, str]], group: str | None = None
) -> list[tuple[int, str]]:
    """Those (indicator, series) pairs, in order, with the region's values from two or more years
    for some group (for ``group`` only, when given): the ones that have a trend to draw."""
    obs = observations[observations["area"].map(is_region_area) & observations["year"].notna()]
    if group:
        obs = obs[obs["group_id"] == group]
    if obs.empty:
        return []
    keys = list(
        zip(
            obs["indicator_id"].astype(int),
            obs["series_id"].fillna("").astype(str),
            obs["group_id"].astype(str),
            strict=True,
        )
    )
    years: dict[tuple[int, str, str], set] = {}
    for key, year in zip(keys, obs["year"], strict=True):
        years.setdefault(key, set()).add(int(year))
    with_series = {(i, s) for (i, s, _), ys in years.items() if len(ys) >= 2}
    return [p for p in pairs if (int(p[0]), str(p[1])) in with_series]


def single_year_groups(trend_df: pd.DataFrame) -> list[str]:
    """Labels of the groups with a value of the region from one year only (no line is drawn for them)."""
    years = _region_years(trend_df)
    if not years:
        return []
    df = trend_df if "group_label" in trend_df.columns else trend_df.assign(group_label=trend_df["group_id"])
    if "group_order" in df.columns:
        df = df.sort_values("group_order", kind="stable")
    labels = dict(zip(df["group_id"].astype(str), df["group_label"].astype(str), strict=False))
    return [labels[g] for g in dict.fromkeys(df["group_id"].astype(str)) if years.get(g, 0) == 1]


def _area_style(area: str, others: dict[str, dict[str, str]]) -> dict[str, str]:
    if is_region_area(area):
        return REGION_STYLE
    if area in AREA_STYLE:
        return AREA_STYLE[area]
    if area not in others:
        others[area] = OTHER_AREA_STYLES[len(others) % len(OTHER_AREA_STYLES)]
    return others[area]


def _message_figure(message: str, title: str | None) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font={"size": FONT_SIZE, "color": INK}
    )
    fig.update_layout(
        template=TEMPLATE, title=title, font={"size": FONT_SIZE, "color": INK}, height=320, plot_bgcolor="white"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def trend_figure(
    trend_df: pd.DataFrame, lang: str = "fi", unit: str | None = None, title: str | None = None
) -> go.Figure:
    """Lines per group × area over the years, the trend word in the legend and at the last point.

    ``unit`` ('percent', 'count', …) only sets the value axis title and number format.
    Trace ``meta`` has group_id, area and trend.
    """
    df = trend_df.copy() if trend_df is not None else pd.DataFrame()
    if df.empty:
        return _message_figure(text("empty", lang), title)
    df = _drawable(df)
    if df.empty:
        return _message_figure(text("none", lang), title)
    groups = list(dict.fromkeys(df.sort_values(["year"])["group_id"]))
    if "group_order" in df.columns:
        groups = sorted(groups, key=lambda g: df.loc[df["group_id"] == g, "group_order"].iloc[0])
    fig = go.Figure()
    other_styles: dict[str, dict[str, str]] = {}
    areas = sorted(df["area"].unique(), key=lambda a: (not is_region_area(a), a != "koko_maa", a))
    for gi, gid in enumerate(groups):
        gpart = df[df["group_id"] == gid]
        for area in areas:
            part = gpart[gpart["area"] == area].sort_values("year")
            if not part.empty:
                _add_line(
                    fig,
                    part,
                    str(gid),
                    str(area),
                    OKABE_ITO[gi % len(OKABE_ITO)],
                    _area_style(area, other_styles),
                    unit,
                    lang,
                    word_at_end=len(groups) == 1,
                )
    _trend_layout(fig, df, len(groups), unit, title, lang)
    return fig


def _drawable(df: pd.DataFrame) -> pd.DataFrame:
    """The rows to draw, by year, labels and trend filled in; only groups with the region's values from two years."""
    df["year"] = df["year"].astype(int)
    df = df.sort_values(["year"])
    if "group_label" not in df.columns:
        df["group_label"] = df["group_id"]
    if "area_label" not in df.columns:
        df["area_label"] = df["area"]
    if "trend" not in df.columns:
        df["trend"] = "ei_trendia"
    years_of = _region_years(df)
    return df[df["group_id"].astype(str).map(lambda g: years_of.get(g, 0) >= 2)]  # a trend needs two years


def _hover_texts(part: pd.DataFrame, heading: str, trend: str, unit: str | None, lang: str) -> list[str]:
    """Per point: group · area, year, the value as printed, the trend (the region's line) and the flag in words."""
    printed = [
        (str(p) if isinstance(p, str) and p.strip() else number_text(v, unit, lang))
        for p, v in zip(part.get("value_as_printed", [""] * len(part)), part["value"], strict=True)
    ]
    notes = []
    for _, r in part.iterrows():
        # the flag in plain words; the observation's note is for maintainers, never shown
        notes.append(html.escape(flag_text(r.get("flag"), lang)) or "–")
    return [
        f"<b>{heading}</b><br>"
        f"{text('hover.year', lang)}: {y}<br>{text('hover.value', lang)}: {html.escape(pv)}<br>"
        + (f"{text('hover.trend', lang)}: {trend_label(trend, lang)}<br>" if trend else "")
        + f"{text('hover.note', lang)}: {nt}"
        for y, pv, nt in zip(part["year"], printed, notes, strict=True)
    ]


def _add_line(
    fig: go.Figure,
    part: pd.DataFrame,
    gid: str,
    area: str,
    color: str,
    style: dict[str, str],
    unit: str | None,
    lang: str,
    word_at_end: bool,
) -> None:
    """One group's line in one area; the region's trend word in its name (and at its end if ``word_at_end``)."""
    region = is_region_area(area)
    trend = str(part["trend"].iloc[0]) if region else ""
    heading = f"{html.escape(str(part['group_label'].iloc[0]))} · {html.escape(str(part['area_label'].iloc[0]))}"
    name = heading + (f" — {trend_label(trend, lang)}" if region else "")
    one_point = part["year"].nunique() < 2
    fig.add_trace(
        go.Scatter(
            x=list(part["year"]),
            y=list(part["value"]),
            name=name,
            legendgroup=gid,
            mode="markers" if one_point else "lines+markers",
            line={"color": color, "dash": style["dash"], "width": 3},
            marker={
                "color": color if region else "white",
                "symbol": style["symbol"],
                "size": 13,
                "line": {"color": color, "width": 2.5},
            },
            customdata=_hover_texts(part, heading, trend, unit, lang),
            hovertemplate="%{customdata}<extra></extra>",
            meta={"group_id": gid, "area": area, "trend": trend},
        )
    )
    if region and trend and trend != "ei_trendia" and word_at_end:
        # one group: its trend word beside the last point (with more, labels could collide;
        # the legend carries every group's word)
        last = part.iloc[-1]
        fig.add_annotation(
            x=int(last["year"]),
            y=float(last["value"]),
            text=trend_label(trend, lang),
            showarrow=False,
            xanchor="left",
            xshift=12,
            font={"size": FONT_SIZE, "color": INK},
            bgcolor="rgba(255,255,255,0.8)",
        )


def _trend_layout(
    fig: go.Figure, df: pd.DataFrame, n_groups: int, unit: str | None, title: str | None, lang: str
) -> None:
    """Year ticks (room for the trend word when one group is drawn), the value axis, legend above, height."""
    years = sorted(df["year"].unique())
    y_title = value_axis_title(unit, lang)
    fig.update_xaxes(
        tickmode="array",
        tickvals=years,
        ticktext=[str(y) for y in years],
        range=[years[0] - 0.5, years[-1] + (1.2 if len(years) > 1 and n_groups == 1 else 0.5)],
        title=text("axis.year", lang),
        showgrid=False,
        tickfont={"size": FONT_SIZE, "color": INK},
        title_font={"size": FONT_SIZE, "color": INK},
    )
    fig.update_yaxes(
        title=y_title,
        gridcolor=GRID,
        tickfont={"size": FONT_SIZE, "color": INK},
        title_font={"size": FONT_SIZE, "color": INK},
        rangemode="tozero" if unit != "percent_change" else None,
        zeroline=True,
        zerolinecolor="#999999",
    )
    if unit == "percent":
        fig.update_yaxes(range=[0, min(105, max(10.0, float(df["value"].max()) * 1.15))])
    height = 420 + 28 * len(fig.data)
    fig.update_layout(
        title={"text": title, "y": 1 - 12 / height, "yanchor": "top", "yref": "container"} if title else None,
        template=TEMPLATE,
        font={"size": FONT_SIZE, "color": INK},
        plot_bgcolor="white",
        height=height,
        margin={"l": 10, "r": 30, "t": (60 if title else 20) + 28 * len(fig.data), "b": 80},
        legend={
            "orientation": "v",
            "x": 0,
            "xanchor": "left",
            "y": 1.02,
            "yanchor": "bottom",
            "traceorder": "normal",
            "font": {"size": FONT_SIZE, "color": INK},
        },
        hoverlabel={"font": {"size": SMALL_FONT_SIZE, "color": INK}, "bgcolor": "white", "align": "left"},
    )
