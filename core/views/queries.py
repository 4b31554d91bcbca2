"""Table builders: plan data + filters in, pandas DataFrames out (no Streamlit).

Pages call these and draw what comes back; figure builders (``core.views.charts``, ``heatmaps``, ``plan_charts``) take the frames.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from core.base.i18n import Msg, key_part, name, t, tn
from core.base.rules import REAL_MEASURE, real_measures, subgoal_sort_key  # noqa: F401 - re-exported
from core.plan.model import Area, Direction, Plan, Status, Unit
from core.plan.status import status_vs_national, trend_since_baseline

OBSERVATION_COLUMNS = [
    "indicator_id",
    "series_id",
    "group_id",
    "area",
    "year",
    "value",
    "value_as_printed",
    "flag",
    "note",
]
MEASURE_COLUMNS = [
    "measure_id",
    "actor_id",
    "subgoal_id",
    "seq",
    "row_kind",
    "toimenpide",
    "mittari",
    "aikataulu",
    "toimijat",
    "seuranta",
    "status",
    "start_year",
    "end_year",
    "permanent",
    "contact",
    "source_line_start",
    "source_line_end",
    "note",
]


# Data flags under which a national value is shown but not used for a status.
UNTRUSTED_FLAGS = {"suspected_typo", "group_mismatch"}
# Flag codes of data/ with a plain explanation in the catalogue ("flag.<code>"). The observations'
# and indicators' ``note`` columns are the extraction notes for maintainers: never shown to users.
KNOWN_FLAGS = (
    "suspected_typo",
    "missing_national",
    "unit_mismatch",
    "group_mismatch",
    "inconsistent_definition",
    "shared_number",
)


def flag_text(flags: object, lang: str) -> str:
    """Plain words for a cell of flag codes ("missing_national; unit_mismatch") in ``lang``.

    A known code becomes its catalogue text; any other text (a flag typed into an imported file
    by an editor) is shown as it was written. Empty → "".
    """
    if _missing(flags) or not str(flags).strip():
        return ""
    out = []
    for code in (c.strip() for c in str(flags).split(";")):
        if code:
            out.append(t(f"flag.{code}", lang) if code in KNOWN_FLAGS else code)
    return "; ".join(dict.fromkeys(out))


def indicator_flag_texts(plan: Plan, indicator_id: int, lang: str) -> list[str]:
    """The plain explanations of every flag on an indicator's printed values (for its definition)."""
    codes = [o.flag for o in plan.observations if o.indicator_id == indicator_id and o.flag]
    return list(dict.fromkeys(flag_text(c, lang) for c in codes))


@dataclass(frozen=True)
class Filters:
    """What the user selected: one respondent group (None = all), actors (empty = all), etc."""

    group: str | None = None
    actors: tuple[str, ...] = ()
    goal: str | None = None
    subgoal: str | None = None
    category: str | None = None
    search: str = ""
    lang: str = "fi"
    extra: dict = field(default_factory=dict)


def observations_frame(plan: Plan) -> pd.DataFrame:
    """The plan's printed observations as a DataFrame."""
    rows = [o.model_dump() for o in plan.observations]
    return pd.DataFrame(rows, columns=OBSERVATION_COLUMNS)


def measures_frame(plan: Plan) -> pd.DataFrame:
    """The plan's seed measures as a DataFrame (the store serves the edited ones)."""
    rows = [m.model_dump(mode="json") for m in plan.measures]
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def goal_of(subgoal_id: str) -> str:
    """The päätavoite id of a välitavoite id ('II.3' → 'II')."""
    return subgoal_id.split(".", 1)[0]


def overview_pairs(plan: Plan, every: pd.DataFrame) -> list[tuple[int, str]]:
    """The overview's (indicator, series) pairs: those linked to the plan's goals, in plan order, then the
    other pairs that ``every`` (a comparison frame of all values) has, in its order."""
    linked = linked_indicators(plan)
    others = [
        p
        for p in every[["indicator_id", "series_id"]].drop_duplicates().itertuples(index=False, name=None)
        if p not in linked
    ]
    return linked + others


def linked_indicators(plan: Plan, goal_id: str | None = None) -> list[tuple[int, str]]:
    """(indicator, series) pairs shown under a goal's sub-goals, in plan order, without repeats.

    A link without a series to an indicator that has series stands for all its series.
    """
    links = sorted(plan.subgoal_indicators, key=lambda x: (subgoal_sort_key(x.subgoal_id), x.sort_order))
    return plan.link_pairs(x for x in links if not goal_id or goal_of(x.subgoal_id) == goal_id)


def indicator_label(plan: Plan, indicator_id: int, series_id: str, lang: str) -> str:
    """'7 Tyytyväinen elämäänsä' or, for a series, '16 Lastensuojelu: ilmoitukset'."""
    ind = plan.indicator(indicator_id)
    label = f"{indicator_id} {name(ind, lang)}"
    if series_id:
        for s in plan.series:
            if s.indicator_id == indicator_id and s.series_id == series_id:
                return f"{indicator_id} {name(s, lang)}"
    return label


def _unit_direction(plan: Plan, indicator_id: int, series_id: str) -> tuple[Unit, Direction]:
    for s in plan.series:
        if s.indicator_id == indicator_id and s.series_id == series_id:
            return s.unit, s.direction
    ind = plan.indicator(indicator_id)
    return ind.unit, ind.direction


def unit_of(plan: Plan, indicator_id: int, series_id: str = "") -> str:
    """The unit of an indicator or of one of its series, as a string."""
    return _unit_direction(plan, indicator_id, series_id)[0].value


COMPARISON_COLUMNS = [
    "indicator_id",
    "series_id",
    "group_id",
    "label",
    "group_label",
    "year",
    "value",
    "national",
    "diff",
    "value_as_printed",
    "national_as_printed",
    "unit",
    "direction",
    "status",
    "status_label",
    "source",
    "flag",
    "flag_text",
    "category",
    "group_order",
    "baseline_year",
    "trend",
    "trend_label",
]


def comparison_frame(
    plan: Plan,
    observations: pd.DataFrame,
    pairs: Sequence[tuple[int, str]] | None = None,
    groups: Iterable[str] | None = None,
    lang: str = "fi",
    band: float | None = None,
) -> pd.DataFrame:
    """The plan's region beside the whole country, one row per indicator × series × group.

    Uses each pair's latest year with a value of the region; the national value is the same
    group's in the same year. Columns include status, difference and a combined data flag.
    """
    if observations.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    group_of = {g.group_id: (name(g, lang), g.sort_order) for g in plan.groups}
    wanted_groups = set(groups) if groups is not None else None
    regional, national = _observation_index(observations, plan.region_area)
    if pairs is None:
        pairs = sorted({(int(r.indicator_id), str(r.series_id or "")) for r in observations.itertuples()})
    rows = []
    for indicator_id, series_id in pairs:
        about = _pair_facts(plan, indicator_id, series_id, lang)
        for group_id, g_rows in regional.get((indicator_id, series_id), {}).items():
            if wanted_groups is not None and group_id not in wanted_groups:
                continue
            ordered = sorted(g_rows, key=lambda r: r["year"])
            nat = national.get((indicator_id, series_id, group_id, int(ordered[-1]["year"])))
            group_label, group_order = group_of.get(group_id, (group_id, 99))
            rows.append(
                {
                    **about,
                    **_judged_row(ordered, nat, about, lang, band),
                    "group_id": group_id,
                    "group_label": group_label,
                    "group_order": group_order,
                }
            )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _observation_index(observations: pd.DataFrame, region_area: str) -> tuple[dict, dict]:
    """One pass over the observations into dict indexes (per-pair DataFrame filtering was the cost).

    Returns the region's rows per (indicator, series) and group, and the first national row per
    (indicator, series, group, year).
    """
    regional: dict[tuple[int, str], dict[str, list[dict]]] = {}
    national: dict[tuple[int, str, str, int], dict] = {}
    for r in observations.to_dict("records"):
        if _missing(r["group_id"]) or _missing(r["indicator_id"]):
            continue
        pair = (int(r["indicator_id"]), "" if _missing(r["series_id"]) else str(r["series_id"]))
        if r["area"] == region_area:
            regional.setdefault(pair, {}).setdefault(r["group_id"], []).append(r)
        elif r["area"] == Area.COUNTRY.value and not _missing(r["year"]):
            national.setdefault((*pair, r["group_id"], int(r["year"])), r)
    return regional, national


def _pair_facts(plan: Plan, indicator_id: int, series_id: str, lang: str) -> dict[str, object]:
    """What every row of one (indicator, series) shares: its label, unit, direction, source and category."""
    ind = plan.indicator(indicator_id)
    unit, direction = _unit_direction(plan, indicator_id, series_id)
    return {
        "indicator_id": indicator_id,
        "series_id": series_id,
        "label": indicator_label(plan, indicator_id, series_id, lang),
        "unit": unit,
        "direction": direction,
        "source": ind.source,
        "category": ind.category,
    }


def _judged_row(ordered: list[dict], nat: dict | None, about: dict, lang: str, band: float | None) -> dict[str, object]:
    """One group's latest value of the region against the country's: status, trend since the first year, flags."""
    unit, direction = about["unit"], about["direction"]
    latest, baseline = ordered[-1], ordered[0]
    value = float(latest["value"])
    trend = trend_since_baseline(float(baseline["value"]) if len(ordered) > 1 else None, value, direction, unit)
    nat_value = float(nat["value"]) if nat is not None else None
    status = status_vs_national(value, nat_value, direction, unit, band=band)
    if nat is not None and str(nat.get("flag") or "") in UNTRUSTED_FLAGS:
        # a national value the document itself gets wrong must not make a judgement
        status = Status.NO_REFERENCE
    # flag codes only: the observations' notes are for maintainers (data/, docs/), not users
    flags = [str(x) for x in (latest.get("flag"),) if not _missing(x) and str(x).strip()]
    if nat is not None:
        flags += [str(x) for x in (nat.get("flag"),) if not _missing(x) and str(x).strip()]
    return {
        "year": int(latest["year"]),
        "value": value,
        "national": nat_value,
        "diff": None if nat_value is None else round(value - nat_value, 2),
        "value_as_printed": str(latest.get("value_as_printed") or ""),
        "national_as_printed": "" if nat is None else str(nat.get("value_as_printed") or ""),
        "unit": unit.value,
        "direction": direction.value,
        "status": status.value,
        "status_label": t(f"status.{status.value}", lang),
        "baseline_year": int(baseline["year"]),
        "trend": trend.value,
        "trend_label": t(f"trend.{trend.value}", lang),
        "flag": "; ".join(dict.fromkeys(flags)),
        "flag_text": flag_text("; ".join(flags), lang),
    }


def area_label(plan: Plan, area: str, lang: str) -> str:
    """An area as shown: the plan's region by its name from data/, the whole country from the catalogue."""
    if area == plan.region_area:
        return plan.region or area
    if area == Area.COUNTRY.value:
        return t("area.koko_maa", lang)
    return area


def _missing(x: object) -> bool:
    """None, NaN or pandas' NA (how an empty cell reaches us from a frame)."""
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def missing_for_group(
    plan: Plan, observations: pd.DataFrame, pairs: Sequence[tuple[int, str]], group: str, lang: str
) -> list[str]:
    """Labels of the pairs that have no value of the plan's region for ``group``."""
    reg = observations[(observations["area"] == plan.region_area) & (observations["group_id"] == group)]
    have = {(int(r.indicator_id), str(r.series_id or "")) for r in reg.itertuples()}
    return [indicator_label(plan, i, s, lang) for i, s in pairs if (i, s) not in have]


def status_counts_by_goal(comparison_by_goal: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows goal × status with the number of indicator-group values in each status."""
    rows = []
    for goal_id, frame in comparison_by_goal.items():
        counts = frame["status"].value_counts() if not frame.empty else pd.Series(dtype=int)
        for status in Status:
            rows.append({"goal_id": goal_id, "status": status.value, "count": int(counts.get(status.value, 0))})
    return pd.DataFrame(rows, columns=["goal_id", "status", "count"])


def filter_measures(measures: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Measures matching actor, goal, sub-goal and free-text search (case-insensitive)."""
    df = measures
    if filters.actors:
        df = df[df["actor_id"].isin(filters.actors)]
    if filters.goal:  # goal_of(subgoal) == goal, vectorised: "II" or "II.<n>"
        sub = df["subgoal_id"]
        df = df[(sub == filters.goal) | sub.str.startswith(f"{filters.goal}.")]
    if filters.subgoal:
        df = df[df["subgoal_id"] == filters.subgoal]
    needle = filters.search.strip().casefold()
    if needle:
        text_cols = ["toimenpide", "mittari", "aikataulu", "toimijat", "seuranta", "contact"]
        hay = df[text_cols].fillna("").astype(str).agg("\n".join, axis=1).str.casefold()
        df = df[hay.str.contains(needle, regex=False)]
    return df


def measures_display(plan: Plan, measures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Measures sorted in plan order with readable actor and sub-goal columns for grids."""
    actor_names = {a.actor_id: name(a, lang) for a in plan.actors}
    actor_order = {a.actor_id: i for i, a in enumerate(plan.actors)}
    sub_titles = {s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}" for s in plan.subgoals}
    kind_labels = {k: t(f"row_kind.{k}", lang) for k in measures["row_kind"].dropna().unique()}
    df = measures.copy()
    actor_ids, subgoal_ids = df["actor_id"].tolist(), df["subgoal_id"].tolist()
    df["actor"] = [actor_names.get(a, a) for a in actor_ids]
    df["subgoal"] = [sub_titles.get(s, s) for s in subgoal_ids]
    df["row_kind_label"] = df["row_kind"].map(kind_labels)
    # plan order: actor, then sub-goal (I.1 … III.n), then the row's place in the plan
    seqs = df["seq"].tolist()
    order = sorted(
        range(len(df)), key=lambda i: (actor_order.get(actor_ids[i], 999), subgoal_sort_key(subgoal_ids[i]), seqs[i])
    )
    return df.iloc[order].reset_index(drop=True)


# The columns of a measures download (Toimenpiteet's CSV and Excel): readable actor and sub-goal,
# the plan's texts and the follow-up fields, without the grid's internal columns.
DOWNLOAD_COLUMNS = [
    "measure_id",
    "actor",
    "subgoal",
    *MEASURE_COLUMNS[MEASURE_COLUMNS.index("toimenpide") : MEASURE_COLUMNS.index("contact") + 1],
]


def measures_download(plan: Plan, measures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Measures as a download: ``measures_display`` (plan order) in ``DOWNLOAD_COLUMNS``."""
    return measures_display(plan, measures, lang)[DOWNLOAD_COLUMNS]


def measure_row_counts(measures: pd.DataFrame) -> tuple[int, int]:
    """(real measures, other rows) in a frame of table rows (removed rows not counted at all)."""
    rows = measures
    if "deleted" in rows.columns:
        rows = rows[~rows["deleted"].fillna(False).astype(bool)]
    real = len(real_measures(rows))
    return real, len(rows) - real


def measures_caption(measures: pd.DataFrame, lang: str) -> str:
    """ "160 toimenpidettä (lisäksi 16 muuta taulukon riviä…)" for a frame of table rows."""
    real, other = measure_row_counts(measures)
    if not other:
        return tn("measures.count", real, lang)
    return t(
        "measures.count.with_other",
        lang,
        measures=Msg("measures.count", n=real),
        other=Msg("measures.count.other_rows", n=other),
    )


def comparison_summary(comparison_by_goal: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per goal: how many indicator × group comparisons the status chart counts, from how many indicators."""
    rows = [
        {
            "goal_id": goal_id,
            "comparisons": len(frame),
            "indicators": int(frame["indicator_id"].nunique()) if not frame.empty else 0,
        }
        for goal_id, frame in comparison_by_goal.items()
    ]
    return pd.DataFrame(rows, columns=["goal_id", "comparisons", "indicators"])


def status_chart_caption(comparison_by_goal: dict[str, pd.DataFrame], lang: str) -> str:
    """What the status-by-goal chart counts: comparisons (indicator × respondent group), per goal."""
    parts = [
        t(
            "overview.by_status.goal",
            lang,
            goal=r.goal_id,
            comparisons=Msg("count.comparisons", n=r.comparisons),
            indicators=Msg("count.of_indicators", n=r.indicators),
        )
        for r in comparison_summary(comparison_by_goal).itertuples()
    ]
    return t("overview.by_status.caption", lang, goals=" · ".join(parts))


def measure_counts(plan: Plan, measures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Number of real measures (row_kind 'measure') per actor × goal, zeros included."""
    real = real_measures(measures)
    goals = [g.goal_id for g in plan.goals_in_order()]
    rows = []
    for a in plan.actors:
        mine = real[real["actor_id"] == a.actor_id]
        for g in goals:
            n = int((mine["subgoal_id"].map(goal_of) == g).sum()) if not mine.empty else 0
            rows.append({"actor_id": a.actor_id, "actor": name(a, lang), "goal_id": g, "count": n})
    return pd.DataFrame(rows, columns=["actor_id", "actor", "goal_id", "count"])


def subgoal_table(plan: Plan, goal_id: str, lang: str) -> pd.DataFrame:
    """The goal's sub-goals with difficulty, impact and linked indicator numbers."""
    links: dict[str, list[str]] = {}
    for link in sorted(plan.subgoal_indicators, key=lambda x: x.sort_order):
        links.setdefault(link.subgoal_id, [])
        if str(link.indicator_id) not in links[link.subgoal_id]:
            links[link.subgoal_id].append(str(link.indicator_id))
    rows = []
    for s in plan.subgoals_of(goal_id):
        rows.append(
            {
                "subgoal_id": s.subgoal_id,
                "title": name(s, lang, "title"),
                "difficulty": t(f"difficulty.{s.difficulty.value}", lang)
                if s.difficulty
                else t("goal.no_rating", lang),
                "impact": t(f"impact.{key_part(s.impact.value)}", lang) if s.impact else t("goal.no_rating", lang),
                "indicators": ", ".join(links.get(s.subgoal_id, [])),
            }
        )
    return pd.DataFrame(rows, columns=["subgoal_id", "title", "difficulty", "impact", "indicators"])


def trend_frame(
    plan: Plan,
    observations: pd.DataFrame,
    indicator_id: int,
    series_id: str = "",
    group: str | None = None,
    lang: str = "fi",
) -> pd.DataFrame:
    """Time series of one indicator (per group and area) with each group's trend since baseline."""
    unit, direction = _unit_direction(plan, indicator_id, series_id)
    df = observations[
        (observations["indicator_id"] == indicator_id) & (observations["series_id"].fillna("") == series_id)
    ]
    if group:
        df = df[df["group_id"] == group]
    df = df.sort_values("year").copy()
    group_names = {g.group_id: name(g, lang) for g in plan.groups}
    df["group_label"] = df["group_id"].map(group_names).fillna(df["group_id"])
    df["area_label"] = df["area"].map(lambda a: area_label(plan, a, lang))
    trends = {}
    for gid, g in df[df["area"] == plan.region_area].groupby("group_id"):
        g = g.sort_values("year")
        trends[gid] = trend_since_baseline(
            float(g.iloc[0]["value"]) if len(g) > 1 else None, float(g.iloc[-1]["value"]), direction, unit
        ).value
    df["trend"] = df["group_id"].map(trends).fillna("ei_trendia")
    return df.reset_index(drop=True)
