"""The whole plan as one JSON document (schema documented in the README)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from core.plan.model import Plan

SCHEMA_VERSION = 2  # 2: "plan" names the plan's id, period and state; measures carry plan_id and carried_from


def plan_to_dict(plan: Plan, carried_from: Mapping[str, str | None] | None = None) -> dict:
    """Nest the plan: goals → sub-goals → indicator links; indicators → series, observations.
    ``carried_from``: measure id → the measure of the earlier plan it continues (from the store)."""
    obs_by_ind: dict[int, list[dict]] = defaultdict(list)
    for o in plan.observations:
        obs_by_ind[o.indicator_id].append(o.model_dump(exclude={"indicator_id"}))
    series_by_ind: dict[int, list[dict]] = defaultdict(list)
    for s in plan.series:
        series_by_ind[s.indicator_id].append(s.model_dump(exclude={"indicator_id"}))
    links: dict[str, list[dict]] = defaultdict(list)
    for link in sorted(plan.subgoal_indicators, key=lambda x: (x.subgoal_id, x.sort_order)):
        links[link.subgoal_id].append(
            {"indicator_id": link.indicator_id, "series_id": link.series_id, "note": link.note}
        )
    goals = []
    for g in plan.goals_in_order():
        gd = g.model_dump()
        gd["subgoals"] = [
            {**s.model_dump(exclude={"goal_id"}), "indicators": links[s.subgoal_id]}
            for s in plan.subgoals_of(g.goal_id)
        ]
        goals.append(gd)
    return {
        "schema_version": SCHEMA_VERSION,
        "plan": {
            **{k: v for k, v in plan.meta.items() if not str(k).startswith("_")},
            "plan_id": plan.plan_id,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "state": plan.state.value,
            "source_plan_id": plan.source_plan_id,
            "indicator_choices": [c.model_dump(mode="json") for c in plan.indicator_choices],
        },
        "groups": [g.model_dump() for g in plan.groups],
        "goals": goals,
        "indicators": [
            {
                **i.model_dump(),
                "series": series_by_ind[i.indicator_id],
                "observations": obs_by_ind[i.indicator_id],
            }
            for i in plan.indicators_in_order()
        ],
        "actors": [a.model_dump() for a in plan.actors],
        "measures": [
            {
                **m.model_dump(mode="json"),
                "plan_id": plan.plan_id,
                "carried_from": (carried_from or {}).get(m.measure_id),
            }
            for m in plan.measures
        ],
    }
