"""The drafting page's tables and checks (pages/uusi-suunnitelma.py): what the editor chose for every
indicator and measure, checked by core.plan.plans' rules before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.base.i18n import Msg, name, t, tn
from core.base.rules import real_measures, subgoal_sort_key
from core.base.text import md_escape
from core.plan import plans as plan_rules
from core.plan.model import MAX_TEXT_LENGTH, Plan, PlanInfo
from core.store import Editor, Store

MEASURE_SHORT = 40  # characters of a measure's text in its label
INDICATOR_CHOICES = ("kept", "dropped")  # an added one comes from the "add" list
MEASURE_CHOICES = tuple(c.value for c in plan_rules.MeasureChoice)


@dataclass(frozen=True)
class Draft:
    """What the editor asked for: the new plan's identity and the choices per indicator and measure."""

    source_id: str
    new_id: str
    name: str
    start: int
    end: int
    carry: str
    indicators: tuple[tuple[int, str, str], ...]  # (indicator id, kept/dropped/added, reason)
    measures: tuple[tuple[str, str, str | None], ...]  # (measure id, carry/carry_changed/leave, changed text)


def suggested_id(source: Plan, start: int, end: int) -> str:
    """The new plan's id as the first plan's is made: region-first-last (``kymenlaakso-2026-2029``)."""
    return f"{source.region_area or 'suunnitelma'}-{start}-{end}"


def _linked_ids(plan: Plan) -> list[int]:
    return sorted({link.indicator_id for link in plan.subgoal_indicators})


def indicator_frame(source: Plan, lang: str) -> pd.DataFrame:
    """One row per indicator of ``source``'s tiles: kept by default, a reason to give when dropped."""
    ids = _linked_ids(source)
    return pd.DataFrame(
        {
            # the choice first: on a phone the columns that are edited are in view
            "indicator_id": ids,
            "choice": [t("plans.indicator.kept", lang)] * len(ids),
            "reason": [""] * len(ids),
            "indicator": [name(source.indicator(i), lang) for i in ids],
        }
    )


def indicator_columns(lang: str) -> dict:
    """The indicator table's columns: the choice as a list, the reason as free text."""
    return {
        "indicator_id": st.column_config.NumberColumn(t("plans.col.number", lang), width="small"),
        "indicator": st.column_config.TextColumn(t("col.indicator", lang), width="large"),
        "choice": st.column_config.SelectboxColumn(
            t("plans.col.choice", lang),
            options=[t(f"plans.indicator.{c}", lang) for c in INDICATOR_CHOICES],
            required=True,
            width="small",
        ),
        "reason": st.column_config.TextColumn(
            t("plans.col.reason", lang), max_chars=plan_rules.MAX_REASON, width="medium"
        ),
    }


def addable_indicators(source: Plan) -> list[int]:
    """Indicators of the catalogue that ``source`` has no tile for."""
    linked = set(_linked_ids(source))
    return [i.indicator_id for i in source.indicators if i.indicator_id not in linked]


def indicator_choices(rows: pd.DataFrame, added: list[int], lang: str) -> tuple[tuple[int, str, str], ...]:
    """The table's rows (and the added ids) as (id, choice, reason)."""
    by_label = {t(f"plans.indicator.{c}", lang): c for c in INDICATOR_CHOICES}
    out = [
        (int(r.indicator_id), by_label.get(r.choice, "kept"), str(r.reason or "").strip())
        for r in rows.itertuples(index=False)
    ]
    return tuple(out + [(int(i), "added", "") for i in added])


def measure_label(plan: Plan, actor_id: str, subgoal_id: str, text: str, measure_id: str, lang: str) -> str:
    """A measure as a person reads it: the actor's name, the sub-goal, a short text, the id last."""
    actor = _actor_name(plan, actor_id, lang)
    short = " ".join(str(text or "").split()).lstrip("•*-–· ")  # a list's bullet says nothing here
    if len(short) > MEASURE_SHORT:
        short = short[: MEASURE_SHORT - 1].rstrip() + "…"
    return " · ".join(p for p in (actor, subgoal_id, short) if p) + f" ({measure_id})"


def measure_frame(measures: pd.DataFrame, carry: str, start: int, lang: str, plan: Plan | None = None) -> pd.DataFrame:
    """One row per real measure of the earlier plan, in plan order, with what the ``carry`` rule does to it.
    With ``plan`` the rows are named by actor, sub-goal and text (the id last) instead of by the id."""
    real = real_measures(measures)
    real = real.iloc[sorted(range(len(real)), key=lambda k: (subgoal_sort_key(real.iloc[k]["subgoal_id"]), k))]
    chosen = plan_rules.carried_choices(real.to_dict("records"), carry, start)
    ids = real["measure_id"].astype(str).tolist()
    texts = real["toimenpide"].fillna("").astype(str).tolist()
    actors = real["actor_id"].astype(str).tolist()
    subgoals = real["subgoal_id"].astype(str).tolist()
    labels = (
        [measure_label(plan, a, s, x, m, lang) for a, s, x, m in zip(actors, subgoals, texts, ids, strict=True)]
        if plan is not None
        else ids
    )
    return pd.DataFrame(
        {
            # the choice first, as in the indicator table: on a phone the column that is edited is in view
            "choice": [t(f"plans.measure.{chosen[m]}", lang) for m in ids],
            "measure": labels,
            "toimenpide": texts,
            "actor": [_actor_name(plan, a, lang) for a in actors] if plan is not None else actors,
            "subgoal_id": subgoals,
            "measure_id": ids,  # what the choices are keyed by; hidden in the table (the label ends with it)
        }
    )


def _actor_name(plan: Plan, actor_id: str, lang: str) -> str:
    try:
        return name(plan.actor(actor_id), lang)
    except KeyError:  # an actor the catalogue no longer has: its id is all there is
        return actor_id


def measure_columns(lang: str) -> dict:
    """The measure table's columns: the choice as a list."""
    return {
        "measure": st.column_config.TextColumn(t("plans.col.measure", lang), width="large"),
        "measure_id": None,  # the label names it
        "actor": st.column_config.TextColumn(t("col.actor", lang), width="small"),
        "subgoal_id": st.column_config.TextColumn(t("col.subgoal", lang), width="small"),
        "choice": st.column_config.SelectboxColumn(
            t("plans.col.choice", lang),
            options=[t(f"plans.measure.{c}", lang) for c in MEASURE_CHOICES],
            required=True,
            width="medium",
        ),
        "toimenpide": st.column_config.TextColumn(
            t("col.toimenpide", lang), width="large", max_chars=MAX_TEXT_LENGTH, help=t("plans.col.text_help", lang)
        ),
    }


def measure_choices(rows: pd.DataFrame, original: pd.DataFrame, lang: str) -> tuple[tuple[str, str, str | None], ...]:
    """The table's rows as (measure id, choice, the changed text or None): a measure carried on with
    its text changed here is "carried on changed"."""
    by_label = {t(f"plans.measure.{c}", lang): c for c in MEASURE_CHOICES}
    before = dict(zip(original["measure_id"], original["toimenpide"], strict=True))
    out = []
    for r in rows.itertuples(index=False):
        choice = by_label.get(r.choice, "leave")
        text = str(r.toimenpide or "")
        changed = text if text.strip() and text != before.get(r.measure_id) else None
        if changed is not None and choice == "carry":
            choice = "carry_changed"
        out.append((str(r.measure_id), choice, changed if choice == "carry_changed" else None))
    return tuple(out)


def problems(draft: Draft, source: PlanInfo, existing: set[str]) -> list[Msg]:
    """Everything wrong with ``draft`` (nothing is written while there is any), as catalogue messages."""
    out: list[Msg] = []
    checks = [
        lambda: plan_rules.check_plan_id(draft.new_id),
        lambda: plan_rules.check_name(draft.name),
        lambda: plan_rules.check_period(draft.start, draft.end, source),
        *[(lambda c=c: plan_rules.check_reason(c[1], c[2], c[0])) for c in draft.indicators],
    ]
    for check in checks:
        try:
            check()
        except plan_rules.PlanRuleError as exc:
            out.append(Msg(exc.key, **exc.values))
    if draft.new_id in existing:
        out.insert(0, Msg("plan.id_exists", id=draft.new_id))
    return out


def preview_markdown(draft: Draft, source: Plan, lang: str) -> str:
    """What creating the draft will do, in a few lines (texts from the store escaped)."""
    by = {c: [i for i in draft.indicators if i[1] == c] for c in ("kept", "dropped", "added")}
    measures = {c: sum(1 for m in draft.measures if m[1] == c) for c in MEASURE_CHOICES}
    lines = [
        t(
            "plans.preview.head",
            lang,
            id=md_escape(draft.new_id),
            name=md_escape(draft.name),
            start=draft.start,
            end=draft.end,
        ),
        "- " + t("plans.new.goals_copied", lang, goals=len(source.goals), subgoals=len(source.subgoals)),
        "- " + tn("plans.preview.kept", len(by["kept"]), lang),
        "- " + tn("plans.preview.added", len(by["added"]), lang),
        "- " + tn("plans.preview.dropped", len(by["dropped"]), lang),
        *[
            f"  - {i} {md_escape(name(source.indicator(i), lang))}: {md_escape(reason)}"
            for i, _, reason in by["dropped"]
        ],
        "- "
        + t(
            "plans.preview.measures",
            lang,
            carry=measures["carry"],
            changed=measures["carry_changed"],
            leave=measures["leave"],
        ),
    ]
    return "\n".join(lines)


def create(store: Store, draft: Draft, editor: Editor):
    """Make the draft plan in one transaction of the store (which checks every rule again); return the
    store's report of what it copied and carried."""
    indicators: dict[int, object] = {}
    for iid, choice, reason in draft.indicators:
        if choice == "dropped":
            indicators[iid] = ("dropped", reason)
        elif choice == "added":
            indicators[iid] = "added"
    measures: dict[str, object] = {}
    for mid, choice, text in draft.measures:
        measures[mid] = {"choice": choice, "values": {"toimenpide": text}} if text is not None else choice
    return store.create_plan_from(
        draft.source_id,
        draft.new_id,
        draft.name,
        draft.start,
        draft.end,
        draft.carry,
        editor,
        indicator_choices=indicators,
        measure_choices=measures,
    )


def structure_frames(plan: Plan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A draft's main goals and sub-goals with their titles, to edit."""
    goals = pd.DataFrame(
        [(g.goal_id, g.title_fi, g.title_en) for g in plan.goals_in_order()],
        columns=["goal_id", "title_fi", "title_en"],
    )
    subgoals = pd.DataFrame(
        [
            (s.subgoal_id, s.title_fi, s.title_en)
            for s in sorted(plan.subgoals, key=lambda s: subgoal_sort_key(s.subgoal_id))
        ],
        columns=["subgoal_id", "title_fi", "title_en"],
    )
    return goals, subgoals


def structure_columns(key: str, lang: str) -> dict:
    """The columns of the goal and sub-goal tables: the id fixed, the titles edited."""
    return {
        key: st.column_config.TextColumn(
            t("measures.goal" if key == "goal_id" else "col.subgoal", lang), width="small"
        ),
        "title_fi": st.column_config.TextColumn(t("plans.col.title_fi", lang), width="large", required=True),
        "title_en": st.column_config.TextColumn(t("plans.col.title_en", lang), width="large", required=True),
    }


def changed_titles(before: pd.DataFrame, after: pd.DataFrame, key: str) -> list[tuple[str, dict[str, str]]]:
    """(id, {field: new title}) for each row whose titles the editor changed."""
    out = []
    for old, new in zip(before.to_dict("records"), after.to_dict("records"), strict=True):
        diff = {f: str(new[f] or "").strip() for f in ("title_fi", "title_en") if str(new[f] or "").strip() != old[f]}
        if diff:
            out.append((str(old[key]), diff))
    return out


def tile_key(indicator_id: int, series_id: str) -> str:
    """A tile as one value of a multiselect: ``"16/lkm"`` (``"7/"`` for an indicator without series)."""
    return f"{indicator_id}/{series_id}"


def tile_of(key: str) -> tuple[int, str]:
    """``tile_key`` undone."""
    indicator_id, _, series_id = key.partition("/")
    return int(indicator_id), series_id


def tile_options(plan: Plan, followed: list[int]) -> list[str]:
    """The tiles a sub-goal of ``plan`` can show: each series of each indicator the plan follows."""
    return [tile_key(i, s) for i, s in plan.indicator_pairs(sorted(followed))]


def subgoal_tiles(plan: Plan, subgoal_id: str) -> list[str]:
    """The sub-goal's tiles now, in their order."""
    links = sorted((x for x in plan.subgoal_indicators if x.subgoal_id == subgoal_id), key=lambda x: x.sort_order)
    return [tile_key(x.indicator_id, x.series_id) for x in links]


def tile_label(plan: Plan, key: str, lang: str) -> str:
    """A tile as a person reads it: the indicator's number and name, and the series' name when it has one."""
    indicator_id, series_id = tile_of(key)
    try:
        text = f"{indicator_id} {name(plan.indicator(indicator_id), lang)}"
    except KeyError:
        text = str(indicator_id)
    series = next((s for s in plan.series if s.indicator_id == indicator_id and s.series_id == series_id), None)
    return f"{text} – {name(series, lang)}" if series is not None else text
