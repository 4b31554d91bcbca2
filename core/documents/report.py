"""Printable reports per goal and per actor: self-contained HTML, PNG charts and PDF via Chromium.

The HTML has inline CSS (with ``@media print`` and page breaks) and no web addresses: charts are
embedded as base64 PNG images when Kaleido can render them (Chromium present), otherwise as
inline interactive Plotly HTML with plotly.js included once. The pages are Jinja2 templates in
``core/documents/templates/report/`` with autoescape: every text from the plan or the store is escaped on
output, and only Plotly's own chart markup goes in as it is.

Chart images and the PDF come from Chromium (core/documents/chromium.py: Kaleido's shared browser
and the PDF printer, one at a time per process).
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from core.base.i18n import name, t
from core.base.numbers import number_text
from core.base.rules import real_measures
from core.base.timefmt import local_date
from core.documents.chromium import figure_png, html_to_pdf, png_export_available
from core.io.sotkanet.fetch import attribution, is_fetched
from core.plan.model import Plan
from core.views.chart_style import status_text
from core.views.evaluation import rating_label, ratings_for
from core.views.queries import (
    comparison_frame,
    goal_of,
    linked_indicators,
    measures_display,
    subgoal_table,
    trend_frame,
)
from core.views.timeline import status_label
from core.views.trends import trend_label

LOG = logging.getLogger(__name__)


def text(key: str, lang: str = "fi", **values: object) -> str:
    """A text of this module in Finnish or English."""
    return t(f"report.{key}", lang, **values)


# ------------------------------------------------------------------ templates

TEMPLATES = Path(__file__).resolve().parent / "templates" / "report"


def _plain(value: object) -> str:
    """A cell's text: empty for None/NaN, else ``str``."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _escape(value: object) -> object:
    """Every ``{{ value }}``: escaped as ``html.escape`` writes it (``&#x27;``, ``&quot;``); markup as is.

    Jinja's autoescape would escape too, with other entities (``&#39;``); doing it here keeps the
    reports' HTML as it was. Values that are already markup (``Markup``) pass unchanged.
    """
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(_plain(value)))  # noqa: S704 — escaped right here


def _br(value: object) -> object:
    """Text from the plan or the store as HTML: escaped, line breaks kept as ``<br>``."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(_plain(value)).replace("\r\n", "\n").replace("\n", "<br>\n"))  # noqa: S704


@dataclass(frozen=True)
class Rating:
    """A rating cell: '3 toteutunut hyvin' and the evaluator's comment under it."""

    label: str
    comment: str = ""


@dataclass(frozen=True)
class Row:
    """A table row: its cells (plain text or a Rating) and an optional CSS class ('other' rows are muted)."""

    cells: list[object]
    css_class: str = ""


@dataclass(frozen=True)
class Table:
    """A report table: column headers, rows, per-column cell classes ('num') and the table's class."""

    headers: list[str]
    rows: list[Row]
    cell_classes: Sequence[str] = ()
    css_class: str = ""


def environment(*folders: Path) -> Environment:
    """The Jinja environment of the reports: ``folders`` first, then the report templates (their frame
    and macros); autoescape, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader([*folders, TEMPLATES]),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        finalize=_escape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["br"] = _br
    env.tests["rating"] = lambda value: isinstance(value, Rating)
    return env


_env = environment()


def _render(template: str, lang: str, **context: object) -> str:
    """A report template rendered with this module's texts in ``lang``."""
    return _env.get_template(template).render(lang=lang, text=partial(text, lang=lang), **context)


# ------------------------------------------------------------------ HTML parts


def _strip_tags(value: str) -> str:
    return re.sub(r"<[^>]+>", " ", value or "").strip()


def _charts(figures: Sequence[go.Figure] | None, lang: str, static: bool | None) -> tuple[list[dict], bool]:
    """Each figure's alt text and PNG (base64) or Plotly HTML, and whether they are static images."""
    figures = list(figures or [])
    if figures and static is None:
        static = png_export_available()
    charts = []
    for i, fig in enumerate(figures, start=1):
        title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
        chart = {"alt": _strip_tags(html.unescape(title)) or text("chart.alt", lang, n=i), "png": "", "html": ""}
        if static:
            chart["png"] = base64.b64encode(figure_png(fig)).decode("ascii")
        else:  # Plotly's own div and script for the figure: markup by design, the one value not escaped
            chart["html"] = Markup(  # noqa: S704 — Plotly's output, not text from the plan or store
                fig.to_html(
                    full_html=False,
                    include_plotlyjs=i == 1,
                    default_width="100%",
                    config={"displaylogo": False, "responsive": True},
                )
            )
        charts.append(chart)
    return charts, bool(static)


def embed_figures(figures: Sequence[go.Figure] | None, lang: str = "fi", static: bool | None = None) -> str:
    """Figures as <figure> blocks: PNG data URIs if possible (or ``static=True``), else inline Plotly HTML.

    The interactive fallback includes plotly.js once (with the first figure); nothing is loaded
    from a web address.
    """
    charts, static = _charts(figures, lang, static)
    if not charts:
        return ""
    module = _env.get_template("figures.html.j2").make_module({"text": partial(text, lang=lang)})
    return str(module.figures(charts, static)).strip("\n")


def _charts_context(figures: Sequence[go.Figure] | None, lang: str, static: bool | None) -> dict[str, object]:
    """The charts of a report as the templates take them (``charts``, ``static``)."""
    charts, static = _charts(figures, lang, static)
    return {"charts": charts, "static": static}


def _frame(plan: Plan, kicker: str, heading: str, lang: str, extra: Sequence[str] = ()) -> dict[str, object]:
    """What the frame of a report (base.html.j2) shows: title, plan name, kicker, heading, date and period."""
    plan_name = plan.meta.get("name_en") if lang == "en" and plan.meta.get("name_en") else plan.meta.get("name", "")
    meta = [text("generated", lang, date=local_date(lang=lang))]  # "1.12.2026" / "1 Dec 2026", Finnish time
    if plan.meta.get("period_start") and plan.meta.get("period_end"):
        meta.append(text("period", lang, start=plan.meta["period_start"], end=plan.meta["period_end"]))
    title = f"{heading} – {plan.meta.get('short_name', '')}".strip(" –")
    return {"title": title, "plan_name": plan_name, "kicker": kicker, "heading": heading, "meta": meta + list(extra)}


def _ratings(
    measures_df: pd.DataFrame, evaluations_df: pd.DataFrame | None, year: int | None, lang: str
) -> dict[str, Rating]:
    """measure_id → rating ('3 toteutunut hyvin' + comment) for the report tables."""
    if evaluations_df is None or year is None:
        return {}
    rated = ratings_for(measures_df, evaluations_df, year)
    return {
        r["measure_id"]: Rating(rating_label(int(r["rating"]), lang), _plain(r.get("comment")))
        for _, r in rated.iterrows()
    }


def _attribution(plan: Plan, observations_df: pd.DataFrame, goal_id: str, lang: str) -> str:
    """THL's licence and attribution when any of the goal's indicators has values fetched from Sotkanet, else ''."""
    pairs = set(linked_indicators(plan, goal_id))
    if observations_df is None or observations_df.empty or not pairs or "note" not in observations_df.columns:
        return ""
    keys = zip(observations_df["indicator_id"].astype(int), observations_df["series_id"].fillna(""), strict=True)
    shown = [(k in pairs) for k in keys]
    return attribution(lang) if any(is_fetched(n) for n in observations_df.loc[shown, "note"]) else ""


def _indicator_table(plan: Plan, observations_df: pd.DataFrame, goal_id: str, lang: str) -> Table | None:
    """The goal's indicators: the region vs the whole country, status, trend and flag; None if no values."""
    pairs = linked_indicators(plan, goal_id)
    comp = comparison_frame(plan, observations_df, pairs, lang=lang) if pairs else pd.DataFrame()
    if comp.empty:
        return None
    trends: dict[tuple[int, str], dict[str, str]] = {}
    for ind, ser in pairs:
        tf = trend_frame(plan, observations_df, ind, ser, lang=lang)
        trends[(ind, ser)] = dict(zip(tf["group_id"], tf["trend"], strict=True)) if not tf.empty else {}
    rows = []
    for _, r in comp.iterrows():
        trend = trends.get((int(r["indicator_id"]), str(r["series_id"])), {}).get(r["group_id"], "ei_trendia")
        rows.append(
            Row(
                [
                    r["label"],
                    r["group_label"],
                    int(r["year"]),
                    number_text(r["value"], r["unit"], lang),
                    number_text(r["national"], r["unit"], lang),
                    status_text(r["status"], lang),
                    trend_label(trend, lang),
                    r.get("flag_text", r["flag"]),  # plain words, never the codes or extraction notes
                ]
            )
        )
    headers = [
        t("col.indicator", lang),
        t("col.group", lang),
        t("col.year", lang),
        t("col.value", lang),
        t("col.national", lang),
        text("col.status_vs", lang),
        text("col.trend", lang),
        t("col.flag", lang),
    ]
    return Table(headers, rows, cell_classes=["", "", "num", "num", "num", "", "", ""], css_class="indicators")


def _subgoal_table(plan: Plan, goal_id: str, lang: str) -> Table:
    """The goal's sub-goals with difficulty, impact and indicator numbers."""
    headers = [
        t("col.subgoal", lang),
        t("col.title", lang),
        t("col.difficulty", lang),
        t("col.impact", lang),
        t("col.indicators", lang),
    ]
    return Table(
        headers,
        [
            Row([r.subgoal_id, r.title, r.difficulty, r.impact, r.indicators])
            for r in subgoal_table(plan, goal_id, lang).itertuples()
        ],
    )


def _goal_measure_sections(
    plan: Plan, measures_df: pd.DataFrame, goal_id: str, lang: str, ratings: dict[str, Rating], year: int | None
) -> list[dict[str, object]]:
    """The goal's real measures per sub-goal: actor, toimenpide, mittari, aikataulu, status (and rating)."""
    display = measures_display(plan, measures_df, lang) if not measures_df.empty else measures_df
    real = real_measures(display) if not display.empty else display
    real = real[real["subgoal_id"].map(goal_of) == goal_id] if not real.empty else real
    headers = [
        t("col.actor", lang),
        t("col.toimenpide", lang),
        t("col.mittari", lang),
        t("col.aikataulu", lang),
        t("col.status", lang),
    ] + ([text("col.rating", lang, year=year)] if ratings else [])
    sections = []
    for s in plan.subgoals_of(goal_id):
        mine = real[real["subgoal_id"] == s.subgoal_id] if not real.empty else real
        if mine.empty:
            continue
        rows = [
            Row(
                [m["actor"], m["toimenpide"], m["mittari"], m["aikataulu"], status_label(m.get("status"), lang)]
                + ([ratings.get(m["measure_id"], Rating(rating_label(0, lang)))] if ratings else [])
            )
            for _, m in mine.iterrows()
        ]
        sections.append(
            {
                "subgoal_id": s.subgoal_id,
                "title": name(s, lang, "title"),
                "count": len(mine),
                "table": Table(headers, rows),
            }
        )
    return sections


def _actor_row(m: pd.Series, lang: str, ratings: dict[str, Rating]) -> Row:
    """One row of an actor's table; a reference or out-of-scope row says what it is and is muted."""
    real = m["row_kind"] == "measure"
    first = _plain(m["toimenpide"]) if real else f"{_plain(m['row_kind_label'])}: {_plain(m['toimenpide'])}"
    cells = [
        first,
        m["mittari"],
        m["aikataulu"],
        m["toimijat"],
        m["seuranta"],
        status_label(m.get("status"), lang) if real else "",
        m.get("contact", ""),
    ]
    if ratings:
        cells.append(ratings.get(m["measure_id"], Rating(rating_label(0, lang))) if real else "")
    return Row(cells, "" if real else "other")


def _actor_goals(
    plan: Plan, display: pd.DataFrame, lang: str, ratings: dict[str, Rating], year: int | None
) -> list[dict[str, object]]:
    """An actor's rows per päätavoite and välitavoite, in the plan's order; goals without rows left out."""
    headers = [
        t("col.toimenpide", lang),
        t("col.mittari", lang),
        t("col.aikataulu", lang),
        t("col.toimijat", lang),
        t("col.seuranta", lang),
        t("col.status", lang),
        t("col.contact", lang),
    ]
    if ratings:
        headers.append(text("col.rating", lang, year=year))
    goals = []
    for goal in plan.goals_in_order():
        in_goal = display[display["subgoal_id"].map(goal_of) == goal.goal_id] if not display.empty else display
        sections = [
            {
                "subgoal_id": s.subgoal_id,
                "title": name(s, lang, "title"),
                "table": Table(headers, [_actor_row(m, lang, ratings) for _, m in rows_df.iterrows()]),
            }
            for s in plan.subgoals_of(goal.goal_id)
            if not (rows_df := in_goal[in_goal["subgoal_id"] == s.subgoal_id]).empty
        ]
        if sections:
            goals.append(
                {
                    "heading": text("goal.title", lang, goal=goal.goal_id, title=name(goal, lang, "title")),
                    "sections": sections,
                }
            )
    return goals


# ------------------------------------------------------------------ reports


def goal_report_html(
    plan: Plan,
    measures_df: pd.DataFrame,
    observations_df: pd.DataFrame,
    goal_id: str,
    lang: str = "fi",
    figures: Sequence[go.Figure] | None = None,
    evaluations_df: pd.DataFrame | None = None,
    year: int | None = None,
    static: bool | None = None,
) -> str:
    """A printable, self-contained HTML report of one päätavoite.

    Sections: service-level mix, sub-goals, indicators (the region vs the whole country, status,
    trend), the given figures, and the real measures per sub-goal (actor, toimenpide, mittari,
    aikataulu, status, and the ``year``'s rating when ``evaluations_df`` is given).
    ``static`` forces PNG (True) or interactive (False) charts; None decides by Chromium.
    """
    goal = plan.goal(goal_id)
    heading = text("goal.title", lang, goal=goal.goal_id, title=name(goal, lang, "title"))
    mix = [
        {"label": t(f"mix.{key}", lang), "share": f"{getattr(goal, f'{key}_pct'):g} %"}
        for key in ("preventive", "early_support", "intensive")
    ]
    ratings = _ratings(measures_df, evaluations_df, year, lang)
    return _render(
        "goal.html.j2",
        lang,
        **_frame(plan, text("goal.report", lang), heading, lang),
        landscape=False,
        mix=mix,
        subgoals=_subgoal_table(plan, goal_id, lang),
        indicators=_indicator_table(plan, observations_df, goal_id, lang),
        attribution=_attribution(plan, observations_df, goal_id, lang),
        **_charts_context(figures, lang, static),
        sections=_goal_measure_sections(plan, measures_df, goal_id, lang, ratings, year),
    )


def actor_report_html(
    plan: Plan,
    measures_df: pd.DataFrame,
    actor_id: str,
    lang: str = "fi",
    figures: Sequence[go.Figure] | None = None,
    evaluations_df: pd.DataFrame | None = None,
    year: int | None = None,
    static: bool | None = None,
    landscape: bool = True,
) -> str:
    """A printable, self-contained HTML report of one actor's measures table, per goal and sub-goal.

    Real measures get toimenpide, mittari, aikataulu, toimijat, seuranta, status, contact (and the
    ``year``'s rating when ``evaluations_df`` is given); the table's other rows (references,
    out-of-scope notes) are listed muted so the report matches the plan's table. Prints on
    landscape A4 by default (the table has seven or eight columns).
    """
    actor = plan.actor(actor_id)
    extra = [text("actor.section", lang, section=actor.section)]
    if actor.current_name:
        extra.append(text("actor.current", lang, name=actor.current_name))
    mine = measures_df[measures_df["actor_id"] == actor_id] if not measures_df.empty else measures_df
    if "deleted" in mine.columns:
        mine = mine[~mine["deleted"].fillna(False).astype(bool)]
    display = measures_display(plan, mine, lang) if not mine.empty else mine
    ratings = _ratings(mine, evaluations_df, year, lang)
    return _render(
        "actor.html.j2",
        lang,
        **_frame(plan, text("actor.report", lang), name(actor, lang), lang, extra),
        landscape=landscape,
        **_charts_context(figures, lang, static),
        goals=_actor_goals(plan, display, lang, ratings, year),
    )


# ------------------------------------------------------------------ default figures for the reports


def default_goal_figures(
    plan: Plan,
    measures_df: pd.DataFrame,
    observations_df: pd.DataFrame,
    goal_id: str,
    lang: str = "fi",
    evaluations_df: pd.DataFrame | None = None,
    year: int | None = None,
) -> list[go.Figure]:
    """Charts a goal report usually carries: the indicator × group status grid, and the year's ratings."""
    from core.views.evaluation import evaluation_figure, evaluation_summary
    from core.views.evaluation import text as eval_text
    from core.views.heatmaps import status_heatmap

    figs: list[go.Figure] = []
    pairs = linked_indicators(plan, goal_id)
    comp = comparison_frame(plan, observations_df, pairs, lang=lang) if pairs else pd.DataFrame()
    if not comp.empty:
        groups = [(g.group_id, name(g, lang)) for g in plan.groups_in_order()]
        figs.append(status_heatmap(comp, groups, lang, title=text("indicators", lang), region=plan.region))
    if evaluations_df is not None and year is not None and not measures_df.empty:
        in_goal = measures_df[measures_df["subgoal_id"].map(goal_of) == goal_id]
        summary = evaluation_summary(in_goal, evaluations_df, plan, by="subgoal", year=year, lang=lang)
        if not summary.empty:
            figs.append(evaluation_figure(summary, lang, title=eval_text("chart.title", lang, year=year)))
    return figs


def default_actor_figures(
    plan: Plan,
    measures_df: pd.DataFrame,
    actor_id: str,
    lang: str = "fi",
    evaluations_df: pd.DataFrame | None = None,
    year: int | None = None,
    horizon: int | None = None,
) -> list[go.Figure]:
    """Charts an actor report usually carries: the actor's timeline and, if given, the year's ratings per goal."""
    from core.views.evaluation import evaluation_figure, evaluation_summary
    from core.views.evaluation import text as eval_text
    from core.views.timeline import text as timeline_text
    from core.views.timeline import timeline_figure, timeline_frame

    mine = measures_df[measures_df["actor_id"] == actor_id] if not measures_df.empty else measures_df
    figs: list[go.Figure] = []
    if not mine.empty and not timeline_frame(plan, mine, lang, horizon).empty:
        figs.append(timeline_figure(plan, mine, lang, horizon=horizon, title=timeline_text("title", lang)))
    if evaluations_df is not None and year is not None and not mine.empty:
        summary = evaluation_summary(mine, evaluations_df, plan, by="goal", year=year, lang=lang)
        if not summary.empty:
            figs.append(evaluation_figure(summary, lang, title=eval_text("chart.title", lang, year=year)))
    return figs


# ------------------------------------------------------------------ a whole report (made in the background worker)


def report_files(
    progress: Callable[[float], None],
    plan: Plan,
    measures_df: pd.DataFrame,
    observations_df: pd.DataFrame,
    evaluations_df: pd.DataFrame,
    kind: str,
    target: str,
    year: int,
    lang: str = "fi",
) -> tuple[str, bytes | None, bytes | None]:
    """A goal (``kind`` "goal") or actor report: its HTML, its PDF (None without Chromium or when
    printing fails) and its first chart as PNG (None without Chromium).

    ``progress`` is told how far it is (0–1).
    """
    if kind == "goal":
        figures = default_goal_figures(
            plan, measures_df, observations_df, target, lang, evaluations_df=evaluations_df, year=year
        )
        progress(0.2)
        html_text = goal_report_html(
            plan, measures_df, observations_df, target, lang, figures=figures, evaluations_df=evaluations_df, year=year
        )
    else:
        figures = default_actor_figures(plan, measures_df, target, lang, evaluations_df=evaluations_df, year=year)
        progress(0.2)
        html_text = actor_report_html(
            plan, measures_df, target, lang, figures=figures, evaluations_df=evaluations_df, year=year
        )
    progress(0.5)
    png = figure_png(figures[0]) if figures and png_export_available() else None
    progress(0.6)
    try:
        pdf = html_to_pdf(html_text)
    except RuntimeError:
        LOG.exception("report %s %s: no PDF", kind, target)
        pdf = None
    progress(1.0)
    return html_text, pdf, png
