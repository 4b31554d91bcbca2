"""core.views.history.of_plan: which recorded changes belong to one plan (the history page of the chosen plan)."""

from __future__ import annotations

import pandas as pd
import pytest

from core.views.history import of_plan, revertible

PLAN = "kymenlaakso-2026-2029"


@pytest.mark.parametrize(
    ("entity", "entity_id", "kept"),
    [
        ("measure", "poliisi-I.1-2", True),  # one of the plan's measures
        ("measure", "poliisi-I.1-1", False),  # the ended plan's measure it was carried from
        ("event", "e17", True),
        ("event", "e1", False),
        ("evaluation", "5", True),
        ("evaluation", "4", False),
        ("plan", PLAN, True),
        ("plan", "kymenlaakso-2020-2025", False),
        ("plan_subgoal", f"{PLAN}/I.3", True),
        ("plan_indicator", "kymenlaakso-2020-2025/7", False),
        ("observation", "123", True),  # indicator values belong to every plan
    ],
)
def test_a_change_belongs_to_the_plan_of_its_row(entity, entity_id, kept):
    hist = pd.DataFrame({"change_id": [1], "entity": [entity], "entity_id": [entity_id]})
    shown = of_plan(hist, PLAN, {"poliisi-I.1-2"}, {"e17"}, {"5"})
    assert len(shown) == (1 if kept else 0)


def test_no_changes_stay_none():
    empty = pd.DataFrame(columns=["change_id", "entity", "entity_id"])
    assert of_plan(empty, PLAN, set(), set(), set()).empty


@pytest.mark.parametrize(
    ("action", "field", "offered"),
    [
        ("update", "toimenpide", True),
        ("revert", "status", True),  # an undo can itself be undone
        ("update", "*", False),  # a whole row
        ("add", "*", False),
        ("delete", "*", False),
        ("restore", "*", False),
        ("add", "toimenpide", False),
    ],
)
def test_only_one_fields_update_or_undo_is_offered_to_undo(action, field, offered):
    hist = pd.DataFrame([{"change_id": 1, "entity": "measure", "entity_id": "m", "field": field, "action": action}])
    assert list(revertible(hist)["change_id"]) == ([1] if offered else [])


@pytest.mark.parametrize(
    ("entity", "offered"),
    [
        ("measure", True),
        ("event", True),
        ("evaluation", True),
        ("observation", True),
        ("conclusion", True),
        ("plan", False),  # a plan's own rows: the store cannot write them back, so no undo is offered
        ("plan_goal", False),
        ("plan_indicator", False),
    ],
)
def test_undo_is_offered_only_for_rows_the_store_can_write_back(entity, offered):
    hist = pd.DataFrame([{"change_id": 1, "entity": entity, "entity_id": "x", "field": "name", "action": "update"}])
    assert list(revertible(hist)["change_id"]) == ([1] if offered else [])
