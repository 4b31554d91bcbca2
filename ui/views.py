"""Cached views: comparison frames and Plotly figures, built once per data version and filter.

Building a figure (Plotly validates every property) and the comparison frame costs far more than
drawing it, and both depend only on the plan (immutable), the store's data version and the
filter values passed here as arguments. So they are cached at the edge:

- frames with ``st.cache_resource``, handed out as shallow copies: with pandas' copy-on-write a
  caller's changes never reach the cached frame, and no call unpickles a whole table;
- figures with ``st.cache_resource`` (one shared object; ``st.plotly_chart`` only reads it —
  it serialises a copy — so callers must not modify a figure they get from here). Each is
  passed through ``drawn_once`` so that drawing it again does not redo Plotly's ``to_dict()``.

Every cached function takes the data version as an argument, so a save (which bumps it) is
seen by every session at once; the ``max_entries`` bound the memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core.base.i18n import name, t
from core.base.text import md_escape
from core.views import charts, heatmaps, plan_charts, queries
from core.views.evaluation import evaluation_figure, evaluation_summary, missing_evaluations
from core.views.timeline import timeline_figure, timeline_rows, undated_measures
from core.views.trends import has_series, pairs_with_series, single_year_groups, trend_figure
from core.views.vuosikello import legend_rows, upcoming_events, vuosikello_figure
from ui import data

Pairs = str  # (indicator, series) pairs as one text ("1\x1f\x1e16\x1fcount"): a cheap cache key
_ITEM, _PAIR = "\x1e", "\x1f"


def drawn_once(fig: go.Figure | None) -> go.Figure | None:
    """Make a finished, shared figure cheap to draw again; returns the same object.

    ``st.plotly_chart`` calls ``fig.to_dict()`` on every run: a deep copy of every trace and
    annotation with each array re-encoded (5–10 ms for a chart here), though a cached figure never
    changes. Its dict is made once here and handed out on every later call; Streamlit only reads
    it (trace uids, which Streamlit's JSON export pops, are dropped here first).
    """
    if fig is None:
        return None
    as_dict = fig.to_dict()
    for trace in as_dict.get("data", []):
        trace.pop("uid", None)
    fig.to_dict = lambda: as_dict  # plotly lets a known attribute be set; this instance only
    return fig


# Plotly's toolbar: only "download as PNG" is kept; zooming a bar chart on a projector adds nothing
MODEBAR_REMOVE = [
    "zoom2d",
    "pan2d",
    "select2d",
    "lasso2d",
    "zoomIn2d",
    "zoomOut2d",
    "autoScale2d",
    "resetScale2d",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "toggleSpikelines",
    "zoomInGeo",
    "zoomOutGeo",
    "resetGeo",
    "hoverClosestGeo",
    "hoverClosestGl2d",
    "hoverClosestPie",
    "toggleHover",
    "resetViews",
    "resetViewMapbox",
    "resetViewMap",
    "zoomInMap",
    "zoomOutMap",
    "sendDataToCloud",
]
# Plotly's own English, by the texts it asks its locale for (Streamlit bundles no Plotly locale
# but "en"/"en-US", so the Finnish one travels in the config: Plotly's own "fi" locale has an
# empty dictionary anyway, only date names and number format)
_PLOTLY_TEXTS = {
    "Download plot as a PNG": "plotly.download_png",
    "Download plot": "plotly.download",
    "Preparing image - this may take a few seconds": "plotly.preparing",
    "Image download succeeded": "plotly.download_ok",
    "Sorry, there was a problem downloading your image!": "plotly.download_failed",
    "Double-click on legend to isolate one trace": "plotly.isolate",
    "Double-click to zoom back out": "plotly.zoom_back",
}
_FI_FORMAT = {
    "decimal": ",",
    "thousands": "\u00a0",
    "grouping": [3],
    "currency": ["", "\u00a0€"],
    "days": ["sunnuntai", "maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai"],
    "shortDays": ["su", "ma", "ti", "ke", "to", "pe", "la"],
    "months": [
        "tammikuu",
        "helmikuu",
        "maaliskuu",
        "huhtikuu",
        "toukokuu",
        "kesäkuu",
        "heinäkuu",
        "elokuu",
        "syyskuu",
        "lokakuu",
        "marraskuu",
        "joulukuu",
    ],
    "shortMonths": [
        "tammi",
        "helmi",
        "maalis",
        "huhti",
        "touko",
        "kesä",
        "heinä",
        "elo",
        "syys",
        "loka",
        "marras",
        "joulu",
    ],
    "date": "%d.%m.%Y",
}


def chart_config(lang: str) -> dict:
    """The one Plotly config of every chart: the fewest toolbar buttons, no logo, Plotly's texts in ``lang``."""
    config = {
        "displaylogo": False,
        "modeBarButtonsToRemove": MODEBAR_REMOVE,
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": t("plotly.filename", lang)},
        "scrollZoom": False,
    }
    if lang == "fi":
        config["locale"] = "fi"
        config["locales"] = {
            "fi": {"dictionary": {en: t(key, lang) for en, key in _PLOTLY_TEXTS.items()}, "format": _FI_FORMAT}
        }
    return config


def show_chart(fig: go.Figure, key: str, lang: str) -> None:
    """Draw a figure full width with the shared config and the figure's own fonts and colours.

    ``theme=None``: Streamlit's chart theme would set 12 px grey axis text over the figure's own.
    """
    st.plotly_chart(fig, width="stretch", key=key, theme=None, config=chart_config(lang))


def chart_heading(text: str) -> None:
    """A chart part's heading (a sub-goal, a category): text of the plan, markdown characters escaped."""
    st.markdown(f"#### {md_escape(text)}")


def _version() -> tuple[data.Source, int]:
    return data.source(), data.version()


def _pairs(pairs) -> Pairs | None:
    """The pairs as a cache key: Streamlit hashes one string far faster than a tuple of tuples."""
    return None if pairs is None else _ITEM.join(f"{int(i)}{_PAIR}{s}" for i, s in pairs)


def _unpack(pairs: Pairs | None) -> list[tuple[int, str]] | None:
    if pairs is None:
        return None
    return [(int(i), s) for i, s in (item.split(_PAIR, 1) for item in pairs.split(_ITEM))] if pairs else []


@st.cache_resource(show_spinner=False, max_entries=128)
def _comparison(src: data.Source, version: int, pairs: Pairs | None, group: str | None, lang: str) -> pd.DataFrame:
    """Shared, read only: ``comparison()`` hands out copies."""
    return queries.comparison_frame(
        data.plan_at(src, version), data.observations_at(src, version), _unpack(pairs), [group] if group else None, lang
    )


def comparison(pairs, group: str | None, lang: str) -> pd.DataFrame:
    """``queries.comparison_frame`` for these (indicator, series) pairs and one group (None = all).

    The caller's own frame: a shallow copy, which pandas' copy-on-write keeps apart from the cache.
    """
    return _comparison(*_version(), _pairs(pairs), group, lang).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=128)
def _comparison_figures(
    src: data.Source, version: int, pairs: Pairs | None, group: str | None, lang: str, by: str | None
) -> list[tuple[str | None, str, go.Figure]]:
    frame = _comparison(src, version, pairs, group, lang)
    plan = data.plan_at(src, version)
    if by == "category":
        sections = charts.category_sections(plan)
    elif by:
        sections = charts.subgoal_sections(plan, by, lang)
    else:
        sections = None
    # without a group filter every bar names its group, even in a part where all are one group's
    return [
        (
            heading,
            unit,
            drawn_once(charts.indicator_comparison_figure(part, lang, order=order, show_groups=group is None)),
        )
        for heading, unit, part, order in charts.split_comparison(frame, sections, lang=lang)
    ]


def comparison_figures(
    pairs, group: str | None, lang: str, by: str | None = None
) -> list[tuple[str | None, str, go.Figure]]:
    """(heading, unit, figure): Kymenlaakso beside the whole country, at most ``charts.MAX_BARS`` bars each.

    A longer set is split per sub-goal of goal ``by`` (or per category when ``by`` is "category"),
    then by unit; the heading (None when not split) names the part. Read-only figures.
    """
    return _comparison_figures(*_version(), _pairs(pairs), group, lang, by)


def _overview_frames(src: data.Source, version: int, group: str | None, lang: str) -> tuple[dict, pd.DataFrame]:
    plan = data.plan_at(src, version)
    by_goal = {
        g.goal_id: _comparison(src, version, _pairs(queries.linked_indicators(plan, g.goal_id)), group, lang)
        for g in plan.goals
    }
    every = _comparison(src, version, None, group, lang)
    return by_goal, _comparison(src, version, _pairs(queries.overview_pairs(plan, every)), group, lang)


@st.cache_resource(show_spinner=False, max_entries=16)  # 16 filter results; at 1x a few MB in all
def _filtered_measures(
    src: data.Source, version: int, actors: str, goal: str | None, subgoal: str | None, search: str
) -> pd.DataFrame:
    """Shared, read only: ``filtered_measures()`` hands out copies."""
    return queries.filter_measures(
        data.measures_at(src, version),
        queries.Filters(actors=tuple(a for a in actors.split(_ITEM) if a), goal=goal, subgoal=subgoal, search=search),
    )


def filtered_measures(filters: queries.Filters) -> pd.DataFrame:
    """``queries.filter_measures`` of the current measures (the caller's own copy), cached per filter.

    Slicing the 22-column measures frame costs a few ms a run; a page changing nothing but its
    view asks again for the same filter.
    """
    return _filtered_measures(
        *_version(), _ITEM.join(filters.actors), filters.goal, filters.subgoal, filters.search
    ).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=32)
def _measures_caption(
    src: data.Source, version: int, actors: str, goal: str | None, subgoal: str | None, search: str, lang: str
) -> str:
    return queries.measures_caption(_filtered_measures(src, version, actors, goal, subgoal, search), lang)


def measures_caption(filters: queries.Filters, lang: str) -> str:
    """``queries.measures_caption`` of ``filtered_measures(filters)``, counted once per data version."""
    return _measures_caption(
        *_version(), _ITEM.join(filters.actors), filters.goal, filters.subgoal, filters.search, lang
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _real_measure_count(src: data.Source, version: int, actors: str) -> int:
    return len(queries.real_measures(_filtered_measures(src, version, actors, None, None, "")))


def real_measure_count(actors: tuple[str, ...]) -> int:
    """How many real measures the actors have (all actors when empty), counted once per data version."""
    return _real_measure_count(*_version(), _ITEM.join(actors))


@st.cache_resource(show_spinner=False, max_entries=32)
def _status_chart_caption(src: data.Source, version: int, group: str | None, lang: str) -> str:
    plan = data.plan_at(src, version)
    by_goal = {
        g.goal_id: _comparison(src, version, _pairs(queries.linked_indicators(plan, g.goal_id)), group, lang)
        for g in plan.goals_in_order()
    }
    return queries.status_chart_caption(by_goal, lang)


def status_chart_caption(group: str | None, lang: str) -> str:
    """What the status-by-goal chart counts, per goal (``queries.status_chart_caption``), once per data version."""
    return _status_chart_caption(*_version(), group, lang)


@st.cache_resource(show_spinner=False, max_entries=8)
def shared_measures_display(src: data.Source, version: int, lang: str) -> pd.DataFrame:
    """Shared, read only (``measures_display()`` hands out copies)."""
    return queries.measures_display(data.plan_at(src, version), data.measures_at(src, version), lang)


def measures_display(lang: str) -> pd.DataFrame:
    """Every current measure in plan order with readable actor and sub-goal columns (the caller's own copy)."""
    return shared_measures_display(*_version(), lang).copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=32)
def _status_by_goal(src: data.Source, version: int, group: str | None, lang: str) -> go.Figure:
    plan = data.plan_at(src, version)
    by_goal, _ = _overview_frames(src, version, group, lang)
    titles = {g.goal_id: t("nav.goal", lang, goal=g.goal_id) for g in plan.goals}
    return drawn_once(heatmaps.status_by_goal_figure(queries.status_counts_by_goal(by_goal), titles, lang))


def status_by_goal(group: str | None, lang: str) -> go.Figure:
    """Overview: per goal, how many indicator values are in each status. Read-only figure."""
    return _status_by_goal(*_version(), group, lang)


@st.cache_resource(show_spinner=False, max_entries=32)
def _heatmap(src: data.Source, version: int, group: str | None, lang: str) -> list[tuple[str, go.Figure]]:
    plan = data.plan_at(src, version)
    _, frame_all = _overview_frames(src, version, group, lang)
    survey = [
        (g.group_id, name(g, lang))
        for g in plan.groups_in_order()
        if g.kind == "survey" and (group is None or g.group_id == group)
    ]
    heat = frame_all[frame_all["group_id"].isin([g for g, _ in survey])]
    chunks = heatmaps.heatmap_column_chunks(survey, set(heat["group_id"]))
    return [
        (
            t("chart.heatmap.part", lang, groups=", ".join(gname for _, gname in chunk)),
            drawn_once(
                heatmaps.status_heatmap(
                    heat[heat["group_id"].isin([g for g, _ in chunk])], chunk, lang, region=plan.region
                )
            ),
        )
        for chunk in chunks
    ]


def heatmap(group: str | None, lang: str) -> list[tuple[str, go.Figure]]:
    """Overview: indicator × survey group status grids, a few groups each ([] when no survey values)."""
    return _heatmap(*_version(), group, lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def _measure_counts(src: data.Source, version: int, actors: tuple[str, ...], lang: str) -> go.Figure:
    plan = data.plan_at(src, version)
    measures = queries.filter_measures(data.measures_at(src, version), queries.Filters(actors=actors))
    return drawn_once(heatmaps.measure_counts_figure(queries.measure_counts(plan, measures, lang), lang))


def measure_counts(actors: tuple[str, ...], lang: str) -> go.Figure:
    """Overview: real measures per actor × goal for the selected actors (all when empty)."""
    return _measure_counts(*_version(), tuple(actors), lang)


@st.cache_resource(show_spinner=False, max_entries=16)
def _service_mix(src: data.Source, version: int, goal_ids: tuple[str, ...], lang: str) -> go.Figure:
    plan = data.plan_at(src, version)
    return drawn_once(plan_charts.service_mix_figure([plan.goal(g) for g in goal_ids], lang))


def service_mix(goal_ids: tuple[str, ...], lang: str) -> go.Figure:
    """Service-level mix of these goals (plan data only). Read-only figure."""
    return _service_mix(*_version(), tuple(goal_ids), lang)


@st.cache_resource(show_spinner=False, max_entries=16)
def _subgoal_matrix(src: data.Source, version: int, goal_id: str, lang: str) -> go.Figure:
    return drawn_once(plan_charts.subgoal_matrix_figure(data.plan_at(src, version).subgoals_of(goal_id), lang))


def subgoal_matrix(goal_id: str, lang: str) -> go.Figure:
    """The goal's sub-goals on the difficulty × impact axes (plan data only). Read-only figure."""
    return _subgoal_matrix(*_version(), goal_id, lang)


@dataclass(frozen=True)
class TrendView:
    """One indicator's trend: the figure (None when no group has two years) and the single-year groups."""

    figure: go.Figure | None
    single_year: list[str]


@st.cache_resource(show_spinner=False, max_entries=128)
def _trend(
    src: data.Source, version: int, indicator_id: int, series_id: str, group: str | None, lang: str
) -> TrendView | None:
    plan = data.plan_at(src, version)
    frame = queries.trend_frame(plan, data.observations_at(src, version), indicator_id, series_id, group, lang)
    if frame.empty:
        return None
    figure = (
        drawn_once(trend_figure(frame, lang, unit=queries.unit_of(plan, indicator_id, series_id)))
        if has_series(frame)
        else None
    )
    return TrendView(figure, single_year_groups(frame))


def trend(indicator_id: int, series_id: str, group: str | None, lang: str) -> TrendView | None:
    """One indicator over the years (None when it has no values for the group). Read-only figure."""
    return _trend(*_version(), int(indicator_id), str(series_id), group, lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def _trend_pairs(src: data.Source, version: int, pairs: Pairs | None, group: str | None) -> Pairs:
    return _pairs(pairs_with_series(data.observations_at(src, version), _unpack(pairs) or [], group))


def trend_pairs(pairs, group: str | None) -> list[tuple[int, str]]:
    """The pairs (of these) with Kymenlaakso values from two or more years for some group: a trend to draw."""
    return _unpack(_trend_pairs(*_version(), _pairs(pairs), group)) or []


@dataclass(frozen=True)
class TimelineView:
    """The timeline page's content for one filter: figure (None if nothing dated), counts, undated rows."""

    figure: go.Figure | None
    n_dated: int
    shown: int
    undated: pd.DataFrame


@st.cache_resource(show_spinner=False, max_entries=64)
def _timeline(
    src: data.Source, version: int, actors: tuple[str, ...], goal: str | None, lang: str, max_rows: int, today: date
) -> TimelineView:
    plan = data.plan_at(src, version)
    measures = queries.filter_measures(data.measures_at(src, version), queries.Filters(actors=actors, goal=goal))
    measures, dated = timeline_rows(measures)
    shown = dated.head(max_rows)
    figure = None if shown.empty else drawn_once(timeline_figure(plan, shown, lang))
    return TimelineView(figure, len(dated), len(shown), undated_measures(measures, plan, lang))


def timeline(actors: tuple[str, ...], goal: str | None, lang: str, max_rows: int) -> TimelineView:
    """Gantt chart of the dated measures (at most ``max_rows``) and the undated ones. Read-only."""
    return _timeline(*_version(), tuple(actors), goal, lang, max_rows, date.today())


@st.cache_resource(show_spinner=False, max_entries=64)
def _evaluation(
    src: data.Source, version: int, year: int, actors: tuple[str, ...], by: str, lang: str
) -> tuple[go.Figure, pd.DataFrame]:
    plan = data.plan_at(src, version)
    measures = queries.filter_measures(data.measures_at(src, version), queries.Filters(actors=actors))
    evaluations = data.store().evaluations(year)
    summary = evaluation_summary(measures, evaluations, plan, by=by, year=year, lang=lang)
    return drawn_once(evaluation_figure(summary, lang, note=False)), missing_evaluations(
        measures, evaluations, year, plan
    )


def evaluation(year: int, actors: tuple[str, ...], by: str, lang: str) -> tuple[go.Figure, pd.DataFrame]:
    """The year's evaluation summary chart (per actor, goal or sub-goal) and the unevaluated measures."""
    return _evaluation(*_version(), int(year), tuple(actors), by, lang)


@st.cache_resource(show_spinner=False, max_entries=16)
def _vuosikello(
    src: data.Source, version: int, lang: str, today: date
) -> tuple[go.Figure | None, pd.DataFrame, pd.DataFrame]:
    events = data.events_at(src, version)
    if events.empty:
        return None, events, events
    return (
        drawn_once(vuosikello_figure(events, lang, today=today)),
        upcoming_events(events, today, n=6, lang=lang),
        legend_rows(events, lang),
    )


def vuosikello(lang: str) -> tuple[go.Figure | None, pd.DataFrame, pd.DataFrame]:
    """The annual clock as of today (None when no events), the next six events and the wheel's key. Read-only."""
    return _vuosikello(*_version(), lang, date.today())
