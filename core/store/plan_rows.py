"""A Plan's own rows in the store (plans, plan_goals, plan_subgoals, plan_subgoal_indicators,
plan_indicators) and back: the one mapping between the model and those tables."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import Table

from core.plan.model import Goal, PlanIndicatorChoice, PlanInfo, PlanState, SubGoal, SubGoalIndicator
from core.store.schema import plan_goals, plan_indicators, plan_subgoal_indicators, plan_subgoals, plans

# plan.yaml keys that are the plan's identity (kept in columns, not in ``meta``)
IDENTITY_KEYS = ("plan_id", "name", "name_en", "period_start", "period_end", "state")


def meta_json(meta: Mapping) -> str:
    """plan.yaml's content without the identity and private (``_``) keys, as JSON."""
    kept = {k: v for k, v in meta.items() if k not in IDENTITY_KEYS and not str(k).startswith("_")}
    return json.dumps(kept, ensure_ascii=False, default=str)


def audit(now: str, by: str) -> dict:
    return {"version": 1, "updated_at": now, "updated_by": by}


def plan_rows(plan, now: str, by: str) -> list[tuple[Table, list[dict]]]:
    """Every row of ``plan``'s own tables, in an order the foreign keys accept."""
    info = plan.info
    stamp = audit(now, by)
    return [
        (
            plans,
            [
                {
                    "plan_id": info.plan_id,
                    "name_fi": info.name_fi,
                    "name_en": info.name_en,
                    "period_start": info.period_start,
                    "period_end": info.period_end,
                    "state": str(info.state),
                    "source_plan_id": info.source_plan_id,
                    "meta": meta_json(plan.meta),
                    **stamp,
                }
            ],
        ),
        (plan_goals, [{"plan_id": info.plan_id, **g.model_dump(), **stamp} for g in plan.goals]),
        (
            plan_subgoals,
            [
                {
                    "plan_id": info.plan_id,
                    **s.model_dump(mode="json"),
                    "difficulty": s.difficulty.value if s.difficulty else "",
                    "impact": s.impact.value if s.impact else "",
                    **stamp,
                }
                for s in plan.subgoals
            ],
        ),
        (plan_subgoal_indicators, [{"plan_id": info.plan_id, **li.model_dump()} for li in plan.subgoal_indicators]),
        (
            plan_indicators,
            [{"plan_id": info.plan_id, **c.model_dump(mode="json"), **stamp} for c in plan.indicator_choices],
        ),
    ]


def info_of(row: Mapping) -> PlanInfo:
    """A ``plans`` row as PlanInfo."""
    return PlanInfo(
        plan_id=row["plan_id"],
        name_fi=row["name_fi"],
        name_en=row["name_en"] or row["name_fi"],
        period_start=int(row["period_start"]),
        period_end=int(row["period_end"]),
        state=PlanState(row["state"]),
        source_plan_id=row["source_plan_id"],
    )


def meta_of(row: Mapping) -> dict:
    """plan.yaml's content of a ``plans`` row, with its identity put back."""
    meta = json.loads(row["meta"] or "{}")
    meta.update(
        plan_id=row["plan_id"],
        name=row["name_fi"],
        name_en=row["name_en"],
        period_start=int(row["period_start"]),
        period_end=int(row["period_end"]),
        state=row["state"],
    )
    return meta


def _fields(model, row: Mapping) -> dict:
    return {k: row[k] for k in model.model_fields if k in row}


def goal_of(row: Mapping) -> Goal:
    return Goal(**_fields(Goal, row))


def subgoal_of(row: Mapping) -> SubGoal:
    return SubGoal(**_fields(SubGoal, row))


def link_of(row: Mapping) -> SubGoalIndicator:
    return SubGoalIndicator(**_fields(SubGoalIndicator, row))


def choice_of(row: Mapping) -> PlanIndicatorChoice:
    return PlanIndicatorChoice(**_fields(PlanIndicatorChoice, row))
