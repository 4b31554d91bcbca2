"""The workshop view's content: sub-goals in plan order, one sub-goal's indicators and measures."""

from __future__ import annotations

import pandas as pd

from core.base.rules import subgoal_sort_key
from core.plan.model import Plan

# rows of an actor's table that say nothing on a projector ("–", an empty cell)
SILENT_ROW_KINDS = ("empty", "dash")


def subgoal_order(plan: Plan) -> list[str]:
    """Every välitavoite id in plan order: I.1, I.2 … III.n."""
    return [s.subgoal_id for s in sorted(plan.subgoals, key=lambda s: subgoal_sort_key(s.subgoal_id))]


def step(plan: Plan, current: str | None, delta: int) -> str:
    """The sub-goal ``delta`` places from ``current`` (clamped at the ends; the first when unknown)."""
    order = subgoal_order(plan)
    if current not in order:
        return order[0]
    return order[max(0, min(len(order) - 1, order.index(current) + delta))]


def subgoal_pairs(plan: Plan, subgoal_id: str) -> list[tuple[int, str]]:
    """The (indicator, series) pairs shown under one sub-goal, in its tiles' order.

    As in ``queries.linked_indicators``: a link without a series to an indicator that has series
    stands for all its series.
    """
    return plan.link_pairs(
        sorted((x for x in plan.subgoal_indicators if x.subgoal_id == subgoal_id), key=lambda x: x.sort_order)
    )


def subgoal_measures(measures: pd.DataFrame, subgoal_id: str, actors: tuple[str, ...] = ()) -> pd.DataFrame:
    """One sub-goal's rows from every actor (or the chosen ones), without empty and dash rows.

    ``measures`` is ``queries.measures_display`` (plan order, readable actor names).
    """
    rows = measures[(measures["subgoal_id"] == subgoal_id) & ~measures["row_kind"].isin(SILENT_ROW_KINDS)]
    if actors:
        rows = rows[rows["actor_id"].isin(actors)]
    return rows.reset_index(drop=True)


MAX_CARDS = 40  # cards on the projector at most (more than a room reads); the sidebar's actors narrow the rest


def cards_to_show(rows: pd.DataFrame, limit: int = MAX_CARDS) -> tuple[pd.DataFrame, int | None]:
    """The first ``limit`` rows for the workshop's cards, and the whole count when some were left out."""
    if len(rows) <= limit:
        return rows, None
    return rows.head(limit), len(rows)
