"""The final evaluation of an ended plan: wellbeing then and now, what the measures achieved, and
the group's own conclusions, for the page and the downloads (core/documents/final_report.py).

Pure: the plan, the store's observations, measures and evaluations in; frames and figures out.
The period and the plan id come from ``plan_scope`` only, so the plan model can change in one place.

* **Then and now.** For every indicator × series × respondent group with Kymenlaakso values:
  the *first* value is the situation when the plan started — the latest year at or before the
  period's first year (the plan was written on those figures), else the first year inside the
  period; the *latest* is the latest year at or before the period's last year. Values after the
  period belong to the next plan. Every year with data in between is listed, each beside the
  whole country's value of the same group and year, with its status (core/plan/status.py).
* **What the measures achieved.** A measure's result over the period is its latest yearly rating
  in the period (the scale of core/views/evaluation.py): 3–4 carried out, 2 partly, 1 not, none = not
  evaluated. *Continuing* is not a rating: it comes from the measure's follow-up fields (permanent,
  ends after the period, or its status is ongoing/established, unless it has ended), so it is
  counted beside the result, and a measure can be both carried out and continuing.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import partial

import pandas as pd
import plotly.graph_objects as go

from core.base.i18n import name, t, tn
from core.base.numbers import number_text
from core.base.rules import real_measures, subgoal_sort_key
from core.plan.model import Area, MeasureStatus, Plan, Status, Trend
from core.plan.status import status_vs_national, trend_since_baseline
from core.plan.validation import CONCLUSION_FIELDS
from core.views.chart_style import FONT_SIZE, INK, SMALL_FONT_SIZE, STATUS_ORDER, STATUS_STYLE, status_text, wrap_label
from core.views.evaluation import NOT_EVALUATED, RATINGS, ratings_for
from core.views.palette import ink_for
from core.views.queries import UNTRUSTED_FLAGS, goal_of, indicator_label, linked_indicators
from core.views.queries import _unit_direction as unit_direction  # the one rule for a pair's unit and direction

PLAN_SCOPE = "plan"  # the conclusions of the whole plan; a main goal's conclusions use its goal id
OUTCOMES = ("carried_out", "partly", "not_done", "not_evaluated")
# the latest rating in the period → the result over the period (README: The final evaluation)
OUTCOME_OF_RATING = {4: "carried_out", 3: "carried_out", 2: "partly", 1: "not_done", NOT_EVALUATED: "not_evaluated"}
OUTCOME_STYLE = {  # Okabe–Ito as the yearly rating chart: warm = not done, blue = done; patterns too
    "carried_out": {"color": "#0072B2", "pattern": ""},
    "partly": {"color": "#E69F00", "pattern": "/"},
    "not_done": {"color": "#D55E00", "pattern": "x"},
    "not_evaluated": {"color": "#D9D9D9", "pattern": "\\"},
}
_CONTINUING_STATUS = {MeasureStatus.ONGOING.value, MeasureStatus.ESTABLISHED.value}


def text(key: str, lang: str = "fi", **values: object) -> str:
    """A text of the final evaluation in Finnish or English."""
    return t(f"final.{key}", lang, **values)


def plan_scope(plan: Plan) -> tuple[str, int, int]:
    """(plan id, first year, last year) of the plan: the one place that reads them from the plan."""
    return plan.plan_id, plan.period_start, plan.period_end


def scopes(plan: Plan) -> list[str]:
    """The conclusion scopes of a plan: each main goal in order, then the whole plan."""
    return [g.goal_id for g in plan.goals_in_order()] + [PLAN_SCOPE]


def fmt_change(change: object, unit: str, lang: str) -> str:
    """'+3 %-yks.' / '−1,5' / '–': a change with its sign (percentages in points)."""
    if change is None or (isinstance(change, float) and pd.isna(change)):
        return "–"
    v = float(change)  # type: ignore[arg-type]
    s = number_text(abs(v), None, lang)
    sign = "+" if v > 0 else "−" if v < 0 else "±"
    return f"{sign}{s}" + (" %-yks." if unit in ("percent", "percent_change") else "")


# ------------------------------------------------------------------ wellbeing then and now

INDICATOR_COLUMNS = [
    "indicator_id",
    "series_id",
    "label",
    "group_id",
    "group_label",
    "group_order",
    "goals",
    "unit",
    "direction",
    "source",
    "first_year",
    "first_value",
    "first_national",
    "first_status",
    "latest_year",
    "latest_value",
    "latest_national",
    "latest_status",
    "change",
    "trend",
    "years",
]


def _status(value: float, nat: dict | None, unit, direction) -> str:
    """The status of one year's value; a national value the document itself gets wrong makes none."""
    if nat is None or str(nat.get("flag") or "") in UNTRUSTED_FLAGS:
        return Status.NO_REFERENCE.value
    return status_vs_national(value, float(nat["value"]), direction, unit).value


def _first_and_latest(years: list[int], start: int, end: int) -> tuple[int, int] | None:
    """The baseline year and the latest year of the period among ``years`` (None if none fall in it)."""
    upto = sorted(y for y in years if y <= end)
    if not upto:
        return None
    before = [y for y in upto if y <= start]
    return (before[-1] if before else upto[0]), upto[-1]


def indicator_changes(plan: Plan, observations: pd.DataFrame, lang: str = "fi") -> pd.DataFrame:
    """Then and now per indicator × series × group: first and latest value beside the country's,
    the change, the status then and now, the trend, and every year in between (``years``: a list of
    {year, value, national, status}). In plan order: indicator number, series, group."""
    _plan_id, start, end = plan_scope(plan)
    if observations is None or observations.empty:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    goals_of: dict[tuple[int, str], list[str]] = {}
    for g in plan.goals_in_order():
        for pair in linked_indicators(plan, g.goal_id):
            goals_of.setdefault(pair, []).append(g.goal_id)
    groups = {g.group_id: (name(g, lang), g.sort_order) for g in plan.groups}
    known = {i.indicator_id for i in plan.indicators}
    regional: dict[tuple[int, str, str], dict[int, dict]] = {}
    national: dict[tuple[int, str, str, int], dict] = {}
    for r in observations.to_dict("records"):
        if pd.isna(r.get("year")) or pd.isna(r.get("value")) or int(r["indicator_id"]) not in known:
            continue
        series = "" if r.get("series_id") is None or pd.isna(r.get("series_id")) else str(r["series_id"])
        key = (int(r["indicator_id"]), series, str(r["group_id"]))
        if r["area"] == plan.region_area:
            regional.setdefault(key, {})[int(r["year"])] = r
        elif r["area"] == Area.COUNTRY.value:
            national.setdefault((*key, int(r["year"])), r)
    rows = []
    for (indicator_id, series_id, group_id), by_year in regional.items():
        span = _first_and_latest(list(by_year), start, end)
        if span is None:
            continue
        first, latest = span
        unit, direction = unit_direction(plan, indicator_id, series_id)
        years = []
        for y in sorted(y for y in by_year if first <= y <= latest):
            value = float(by_year[y]["value"])
            nat = national.get((indicator_id, series_id, group_id, y))
            years.append(
                {
                    "year": y,
                    "value": value,
                    "national": None if nat is None else float(nat["value"]),
                    "status": _status(value, nat, unit, direction),
                }
            )
        a, b = years[0], years[-1]
        changed = latest > first
        group_label, group_order = groups.get(group_id, (group_id, 99))
        rows.append(
            {
                "indicator_id": indicator_id,
                "series_id": series_id,
                "label": indicator_label(plan, indicator_id, series_id, lang),
                "group_id": group_id,
                "group_label": group_label,
                "group_order": group_order,
                "goals": ", ".join(goals_of.get((indicator_id, series_id), [])),
                "unit": unit.value,
                "direction": direction.value,
                "source": plan.indicator(indicator_id).source,
                "first_year": first,
                "first_value": a["value"],
                "first_national": a["national"],
                "first_status": a["status"],
                "latest_year": latest,
                "latest_value": b["value"],
                "latest_national": b["national"],
                "latest_status": b["status"],
                "change": round(b["value"] - a["value"], 2) if changed else None,
                "trend": (
                    trend_since_baseline(a["value"], b["value"], direction, unit).value
                    if changed
                    else Trend.NO_TREND.value
                ),
                "years": years,
            }
        )
    out = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    if out.empty:
        return out
    return out.sort_values(["indicator_id", "series_id", "group_order", "group_id"]).reset_index(drop=True)


def _value_cell(year: int, value: float, nat: float | None, status: str, unit: str, lang: str) -> str:
    """'2019: 88 % (koko maa 89,5 %) ≈ neutraali' — one year of one comparison."""
    return text(
        "cell.value",
        lang,
        year=year,
        value=number_text(value, unit, lang),
        national=number_text(nat, unit, lang),
        status=status_text(status, lang),
    )


def indicator_table(changes: pd.DataFrame, lang: str = "fi") -> pd.DataFrame:
    """The then-and-now rows as people read them: one text per column, sources and years named."""
    cols = [text(f"col.{c}", lang) for c in ("indicator", "then", "now", "change", "source")]
    rows = []
    for r in changes.to_dict("records"):
        unit = r["unit"]
        when = partial(_value_cell, unit=unit, lang=lang)
        between = [
            text(
                "cell.year_value",
                lang,
                year=y["year"],
                value=number_text(y["value"], unit, lang),
                national=number_text(y["national"], unit, lang),
            )
            for y in r["years"][1:-1]
        ]
        now = when(r["latest_year"], r["latest_value"], r["latest_national"], r["latest_status"])
        if r["latest_year"] == r["first_year"]:
            now = text("cell.no_new", lang)
        change = (
            text("cell.change", lang, change=fmt_change(r["change"], unit, lang), trend=t(f"trend.{r['trend']}", lang))
            if not pd.isna(r["change"])
            else "–"
        )
        if between:
            change += ". " + text("cell.between", lang, years="; ".join(between))
        rows.append(
            [
                f"{r['label']} · {r['group_label']}",
                when(r["first_year"], r["first_value"], r["first_national"], r["first_status"]),
                now,
                change,
                r["source"] or "–",
            ]
        )
    return pd.DataFrame(rows, columns=cols)


def status_shift(changes: pd.DataFrame) -> pd.DataFrame:
    """How many indicator × group comparisons were in each status then and now (zeros included)."""
    rows = []
    for when in ("first", "latest"):
        counts = changes[f"{when}_status"].value_counts() if not changes.empty else pd.Series(dtype=int)
        rows += [{"when": when, "status": s, "count": int(counts.get(s, 0))} for s in STATUS_ORDER]
    return pd.DataFrame(rows, columns=["when", "status", "count"])


def _stacked_figure(
    y: list[str], parts: list[tuple[str, list[int], dict[str, str], dict]], axis: str, title: str | None, height: int
) -> go.Figure:
    """Horizontal stacked bars: one trace per part (name, counts, colour + pattern, meta), counts written
    inside, the legend in the parts' order above; the charts' one font size and ink."""
    fig = go.Figure()
    for label, counts, style, meta in parts:
        ink = ink_for(style["color"])
        fig.add_trace(
            go.Bar(
                y=y,
                x=counts,
                orientation="h",
                name=label,
                text=[str(n) if n else "" for n in counts],
                textposition="inside",
                insidetextanchor="middle",
                textfont={"size": FONT_SIZE, "color": ink},
                marker={
                    "color": style["color"],
                    "line": {"color": "#333333", "width": 1},
                    "pattern": {"shape": style["pattern"], "fillmode": "overlay", "fgcolor": ink, "fgopacity": 0.3},
                },
                hovertemplate="%{y}: %{x}<extra>" + html.escape(label) + "</extra>",
                meta=meta,
            )
        )
    fig.update_layout(
        barmode="stack",
        title={"text": title, "font": {"size": FONT_SIZE + 2, "color": INK}} if title else None,
        font={"size": FONT_SIZE, "color": INK},
        plot_bgcolor="white",
        height=height,
        margin={"l": 10, "r": 20, "t": 120 if title else 90, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0, "traceorder": "normal"},
        hoverlabel={"font_size": SMALL_FONT_SIZE},
        uniformtext={"minsize": SMALL_FONT_SIZE, "mode": "hide"},
    )
    fig.update_yaxes(categoryorder="array", categoryarray=y, autorange="reversed", automargin=True)
    fig.update_xaxes(title=axis, gridcolor="#E5E5E5", rangemode="tozero")
    return fig


def status_shift_figure(changes: pd.DataFrame, lang: str = "fi", title: str | None = None) -> go.Figure:
    """Two stacked bars — the period's start and its end — of comparisons by status (colour, symbol, pattern)."""
    shift = status_shift(changes)
    # two short lines each: the label must leave a phone's width to the bars
    bars = {
        "first": text("chart.then", lang, years="<br>" + _span(changes, "first_year")),
        "latest": text("chart.now", lang, years="<br>" + _span(changes, "latest_year")),
    }
    parts = []
    for s in STATUS_ORDER:
        part = shift[shift["status"] == s].set_index("when")["count"]
        parts.append((status_text(s, lang), [int(part[w]) for w in bars], STATUS_STYLE[s], {"status": s}))
    return _stacked_figure(list(bars.values()), parts, text("chart.comparisons", lang), title, 330)


def _span(changes: pd.DataFrame, col: str) -> str:
    """The years a column covers: '2019' or '2017–2019' (– if none)."""
    years = sorted({int(y) for y in changes[col]}) if not changes.empty else []
    if not years:
        return "–"
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


# ------------------------------------------------------------------ what the measures achieved


def _continuing(row: dict, end: int) -> bool:
    """Whether a measure goes on after the period (its follow-up fields; README)."""
    status = str(row.get("status") or "")
    if status == MeasureStatus.ENDED.value:
        return False
    end_year = row.get("end_year")
    ends_later = end_year is not None and not pd.isna(end_year) and int(end_year) > end
    return bool(row.get("permanent")) is True or ends_later or status in _CONTINUING_STATUS


def measure_outcomes(plan: Plan, measures: pd.DataFrame, evaluations: pd.DataFrame) -> pd.DataFrame:
    """Every real measure with its rating per year of the period (``ratings``: {year: 0–4}), its
    latest rated year and rating, its result over the period (OUTCOMES) and whether it continues."""
    _plan_id, start, end = plan_scope(plan)
    real = real_measures(measures).copy()
    years = list(range(start, end + 1))
    per_year = {y: ratings_for(real, evaluations, y).set_index("measure_id")["rating"] for y in years}
    rows = []
    for m in real.to_dict("records"):
        ratings = {y: int(per_year[y].get(m["measure_id"], NOT_EVALUATED)) for y in years}
        rated = [y for y in years if ratings[y] in RATINGS]
        latest = rated[-1] if rated else None
        rating = ratings[latest] if latest is not None else NOT_EVALUATED
        rows.append(
            {
                "measure_id": m["measure_id"],
                "actor_id": m["actor_id"],
                "subgoal_id": m["subgoal_id"],
                "goal_id": goal_of(str(m["subgoal_id"])),
                "toimenpide": m.get("toimenpide", ""),
                "ratings": ratings,
                "latest_year": latest,
                "latest_rating": rating,
                "outcome": OUTCOME_OF_RATING[rating],
                "continuing": _continuing(m, end),
            }
        )
    columns = [
        "measure_id",
        "actor_id",
        "subgoal_id",
        "goal_id",
        "toimenpide",
        "ratings",
        "latest_year",
        "latest_rating",
        "outcome",
        "continuing",
    ]
    return pd.DataFrame(rows, columns=columns)


OUTCOME_COLUMNS = ["subgoal_id", "goal_id", "actor_id", "actor", *OUTCOMES, "continuing", "total"]


def subgoal_outcomes(plan: Plan, outcomes: pd.DataFrame, lang: str = "fi") -> pd.DataFrame:
    """Per sub-goal and actor (plan order): how many measures were carried out, partly, not, not
    evaluated, and continuing, of how many; an ``actor_id`` of "" is the sub-goal's total."""
    if outcomes.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    actor_order = {a.actor_id: i for i, a in enumerate(plan.actors)}
    actor_name = {a.actor_id: name(a, lang) for a in plan.actors}
    rows = []

    def count(part: pd.DataFrame, sub: str, actor_id: str, label: str) -> dict:
        out = {"subgoal_id": sub, "goal_id": goal_of(sub), "actor_id": actor_id, "actor": label}
        out |= {o: int((part["outcome"] == o).sum()) for o in OUTCOMES}
        out |= {"continuing": int(part["continuing"].sum()), "total": len(part)}
        return out

    for sub in sorted(outcomes["subgoal_id"].unique(), key=subgoal_sort_key):
        in_sub = outcomes[outcomes["subgoal_id"] == sub]
        actors = sorted(in_sub["actor_id"].unique(), key=lambda a: (actor_order.get(a, 10_000), a))
        rows += [count(in_sub[in_sub["actor_id"] == a], sub, a, actor_name.get(a, a)) for a in actors]
        rows.append(count(in_sub, sub, "", text("total", lang)))
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def outcome_totals(outcomes: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The same counts for the whole plan (``by`` None) or per goal ("goal_id") or actor ("actor_id")."""
    keys = [by] if by else []
    frame = outcomes.assign(_all="") if not by else outcomes
    group = by or "_all"
    rows = []
    for key, part in frame.groupby(group, sort=False) if not frame.empty else []:
        row = {group: key} | {o: int((part["outcome"] == o).sum()) for o in OUTCOMES}
        rows.append(row | {"continuing": int(part["continuing"].sum()), "total": len(part)})
    columns = [*keys, *OUTCOMES, "continuing", "total"]
    if not rows:
        return pd.DataFrame([{o: 0 for o in columns}] if not by else [], columns=columns)
    return pd.DataFrame(rows).drop(columns=[] if by else ["_all"])[columns]


def outcome_table(plan: Plan, summary: pd.DataFrame, lang: str = "fi") -> pd.DataFrame:
    """The sub-goal × actor counts as people read them ('3 / 5' and words, no codes)."""
    titles = {s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}" for s in plan.subgoals}
    cols = [text(f"col.{c}", lang) for c in ("subgoal", "actor", *OUTCOMES, "continuing")]
    rows = [
        [titles.get(r["subgoal_id"], r["subgoal_id"]), r["actor"]]
        + [f"{r[o]} / {r['total']}" for o in OUTCOMES]
        + [f"{r['continuing']} / {r['total']}"]
        for r in summary.to_dict("records")
    ]
    return pd.DataFrame(rows, columns=cols)


def yearly_ratings(plan: Plan, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per sub-goal, year of the period and rating (0–4): how many measures got it (zeros included)."""
    _plan_id, start, end = plan_scope(plan)
    rows = []
    for sub in sorted(outcomes["subgoal_id"].unique(), key=subgoal_sort_key) if not outcomes.empty else []:
        part = outcomes[outcomes["subgoal_id"] == sub]
        for y in range(start, end + 1):
            got = part["ratings"].map(lambda r, y=y: r.get(y, NOT_EVALUATED))
            rows += [{"subgoal_id": sub, "year": y, "rating": r, "count": int((got == r).sum())} for r in (*RATINGS, 0)]
    return pd.DataFrame(rows, columns=["subgoal_id", "year", "rating", "count"])


def outcome_figure(plan: Plan, outcomes: pd.DataFrame, lang: str = "fi", title: str | None = None) -> go.Figure:
    """Stacked bars per main goal: measures carried out, partly, not and not evaluated (counts in the bars)."""
    totals = outcome_totals(outcomes, by="goal_id")
    order = [g.goal_id for g in plan.goals_in_order() if g.goal_id in set(totals["goal_id"])]
    totals = totals.set_index("goal_id").reindex(order)
    labels = [wrap_label(t("nav.goal", lang, goal=g)) for g in order]  # short: the titles are in the tables
    parts = [
        (text(f"outcome.{o}", lang), [int(n) for n in totals[o]], OUTCOME_STYLE[o], {"outcome": o}) for o in OUTCOMES
    ]
    lines = sum(label.count("<br>") + 1 for label in labels)
    height = max(300, 190 + 26 * lines + 24 * len(labels))
    return _stacked_figure(labels, parts, text("chart.measures", lang), title, height)


# ------------------------------------------------------------------ the whole evaluation


@dataclass(frozen=True)
class FinalEvaluation:
    """Everything the page and the downloads show about one ended plan."""

    plan_id: str
    start: int
    end: int
    indicators: pd.DataFrame  # indicator_changes()
    outcomes: pd.DataFrame  # measure_outcomes()
    by_subgoal: pd.DataFrame  # subgoal_outcomes()
    conclusions: dict[str, dict[str, str]] = field(default_factory=dict)  # scope → {worked, did_not_work, carry_on}

    def _where(self, status: Status, trend: Trend) -> pd.DataFrame:
        df = self.indicators
        return df if df.empty else df[(df["latest_status"] == status.value) | (df["trend"] == trend.value)]

    def strengths(self) -> pd.DataFrame:
        """Comparisons good now, or improving over the period."""
        return self._where(Status.GOOD, Trend.IMPROVING)

    def to_develop(self) -> pd.DataFrame:
        """Comparisons worrying now, or worsening over the period."""
        return self._where(Status.CONCERN, Trend.WORSENING)

    def summary_lines(self, lang: str = "fi") -> list[str]:
        """The summary's sentences: what was compared, how the statuses and the measures came out."""
        df, totals = self.indicators, outcome_totals(self.outcomes).iloc[0]
        lines = [text("summary.period", lang, start=self.start, end=self.end)]
        if df.empty:
            lines.append(text("summary.no_values", lang))
        else:
            newer = int((df["latest_year"] > df["first_year"]).sum())
            lines.append(tn("final.summary.comparisons", len(df), lang, newer=newer))
            trends = df["trend"].value_counts()
            lines.append(
                text(
                    "summary.trends",
                    lang,
                    better=int(trends.get(Trend.IMPROVING.value, 0)),
                    same=int(trends.get(Trend.UNCHANGED.value, 0)),
                    worse=int(trends.get(Trend.WORSENING.value, 0)),
                )
            )
            now = df["latest_status"].value_counts()
            lines.append(
                text(
                    "summary.status_now",
                    lang,
                    good=int(now.get(Status.GOOD.value, 0)),
                    neutral=int(now.get(Status.NEUTRAL.value, 0)),
                    concern=int(now.get(Status.CONCERN.value, 0)),
                )
            )
        lines.append(
            tn(
                "final.summary.measures",
                int(totals["total"]),
                lang,
                done=int(totals["carried_out"]),
                partly=int(totals["partly"]),
                not_done=int(totals["not_done"]),
                not_evaluated=int(totals["not_evaluated"]),
                continuing=int(totals["continuing"]),
            )
        )
        return lines


def final_evaluation(
    plan: Plan,
    observations: pd.DataFrame,
    measures: pd.DataFrame,
    evaluations: pd.DataFrame,
    conclusions: pd.DataFrame | None = None,
    lang: str = "fi",
) -> FinalEvaluation:
    """The final evaluation of ``plan`` from the store's frames (conclusions: ``Store.conclusions``)."""
    plan_id, start, end = plan_scope(plan)
    outcomes = measure_outcomes(plan, measures, evaluations)
    texts: dict[str, dict[str, str]] = {}
    if conclusions is not None and not conclusions.empty:
        for r in conclusions.to_dict("records"):
            texts[str(r["scope"])] = {f: str(r.get(f) or "") for f in CONCLUSION_FIELDS}
    return FinalEvaluation(
        plan_id=plan_id,
        start=start,
        end=end,
        indicators=indicator_changes(plan, observations, lang),
        outcomes=outcomes,
        by_subgoal=subgoal_outcomes(plan, outcomes, lang),
        conclusions=texts,
    )
