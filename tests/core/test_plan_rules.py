"""Rules that used to be written in several pages and views, now once in core: the order of goals and
groups, which (indicator, series) pairs a link or an indicator stands for, and how a number is written."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from core.base.numbers import NBSP, number_text
from core.plan.loader import load_plan
from core.plan.model import SubGoalIndicator
from core.views import queries
from core.views.timeline import timeline_rows

PLAN = load_plan()
SERIES_1 = [s.series_id for s in PLAN.series if s.indicator_id == 1]  # indicator 1 has series


def test_goals_come_in_number_order_whatever_order_the_plan_lists_them_in():
    shuffled = PLAN.model_copy(update={"goals": tuple(reversed(PLAN.goals))})
    assert [g.number for g in shuffled.goals_in_order()] == sorted(g.number for g in PLAN.goals)
    assert [g.goal_id for g in shuffled.goals_in_order()] == ["I", "II", "III"]


def test_indicators_come_in_number_order():
    shuffled = PLAN.model_copy(update={"indicators": tuple(reversed(PLAN.indicators))})
    ids = [i.indicator_id for i in shuffled.indicators_in_order()]
    assert ids == sorted(i.indicator_id for i in PLAN.indicators) and ids[0] == 1 and len(ids) == 32


def test_groups_come_in_their_sort_order():
    shuffled = PLAN.model_copy(update={"groups": tuple(reversed(PLAN.groups))})
    orders = [g.sort_order for g in shuffled.groups_in_order()]
    assert orders == sorted(orders) and shuffled.groups_in_order()[0].group_id == "lk4_5"


def _link(indicator_id: int, series_id: str = "") -> SubGoalIndicator:
    return SubGoalIndicator(subgoal_id="I.1", indicator_id=indicator_id, series_id=series_id)


LINKS = [
    ([_link(28)], [(28, "")]),  # an indicator without series: itself
    ([_link(1)], [(1, s) for s in SERIES_1]),  # a link without a series to one that has series: all of them
    ([_link(1, SERIES_1[1])], [(1, SERIES_1[1])]),  # a link naming a series: just that one
    ([_link(28), _link(10), _link(28)], [(28, ""), (10, "")]),  # in the links' order, no repeats
    ([_link(1, SERIES_1[1]), _link(1)], [(1, SERIES_1[1]), *((1, s) for s in SERIES_1 if s != SERIES_1[1])]),
    ([], []),
]


@pytest.mark.parametrize(("links", "expected"), LINKS)
def test_a_link_without_a_series_stands_for_all_its_series(links, expected):
    assert len(SERIES_1) >= 2
    assert PLAN.link_pairs(links) == expected


@pytest.mark.parametrize(
    ("indicators", "expected"),
    [([28], [(28, "")]), ([1, 28], [*((1, s) for s in SERIES_1), (28, "")]), ([], [])],
)
def test_each_indicator_stands_for_each_of_its_series_or_itself(indicators, expected):
    assert PLAN.indicator_pairs(indicators) == expected


NUMBERS = [
    (12.34, "count", "fi", "12,3"),
    (12.0, "count", "fi", "12"),
    (88, "percent", "fi", "88 %"),
    (-3.25, "percent_change", "fi", "-3,2 %"),
    (0.5, "per_1000", "fi", "0,5"),
    (-0.04, "count", "fi", "0"),  # rounded away: no "-0"
    (None, "percent", "fi", "–"),
    (math.nan, "count", "fi", "–"),
    (pd.NA, "count", "fi", "–"),
    (12.34, "count", "en", "12,3"),  # the catalogue's English form is the plan's own today
    (88, "percent", "en", "88 %"),
]


@pytest.mark.parametrize(("value", "unit", "lang", "expected"), NUMBERS)
def test_a_number_is_written_one_way_in_each_language(value, unit, lang, expected):
    assert number_text(value, unit, lang) == expected


def test_a_chart_keeps_a_percentage_on_one_line():
    assert number_text(88, "percent", "fi", nbsp=True) == f"88{NBSP}%"
    assert number_text(12.5, "count", "fi", nbsp=True) == "12,5"


def test_the_overview_shows_the_linked_pairs_first_then_the_others_with_values():
    linked = queries.linked_indicators(PLAN)
    every = pd.DataFrame(
        {"indicator_id": [99, linked[0][0], 98, 99], "series_id": ["", linked[0][1], "x", ""], "value": [1, 2, 3, 4]}
    )
    assert queries.overview_pairs(PLAN, every) == [*linked, (99, ""), (98, "x")]


@pytest.mark.parametrize(
    ("rows", "real", "dated"),
    [
        ([("measure", 2024.0), ("measure", None), ("reference", 2023.0), ("empty", None)], 2, 1),
        ([("reference", 2023.0)], 0, 0),
        ([("measure", 2025.0), ("measure", 2026.0)], 2, 2),
    ],
)
def test_the_timeline_counts_real_measures_and_draws_the_dated_ones(rows, real, dated):
    frame = pd.DataFrame(rows, columns=["row_kind", "start_year"])
    got_real, got_dated = timeline_rows(frame)
    assert (len(got_real), len(got_dated)) == (real, dated)
    assert set(got_dated["row_kind"]) <= {"measure"} and got_dated["start_year"].notna().all()
