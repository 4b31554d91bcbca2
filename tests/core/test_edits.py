"""Row diffing shared by every edit flow (core/edits.py): tables of rows shown → rows returned → edits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from core.edits import RowChange, RowConflict, RowDiff, conflict_rows, diff_rows, normalise, row_conflicts, same_value

FIELDS = ("title", "months", "owner")


def row(key, title="Kokous", months="3", owner="", version=1):
    return {"event_id": key, "title": title, "months": months, "owner": owner, "version": version}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (math.nan, None),
        (np.nan, None),
        (pd.NA, None),
        (pd.NaT, None),
        ("", None),
        ("  \n", None),
        (" a ", " a "),
        (3.0, 3),
        (3.5, 3.5),
        (np.int64(7), 7),
        (np.float64(2025.0), 2025),
        (np.bool_(True), True),
        (True, True),
        (date(2024, 12, 31), "2024-12-31"),
        (datetime(2024, 12, 31), "2024-12-31"),
        (pd.Timestamp("2024-12-31"), "2024-12-31"),
        (datetime(2024, 12, 31, 10, 5), "2024-12-31T10:05:00"),
        ("2024-12-31", "2024-12-31"),
    ],
)
def test_normalise(value, expected):
    assert normalise(value) == expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (None, math.nan, True),
        (None, "", True),
        ("", math.nan, True),
        ("   ", None, True),
        (pd.NA, "", True),
        (3, "3", True),
        (3.0, 3, True),
        (date(2024, 1, 2), "2024-01-02", True),
        ("a", "a ", False),
        ("a", None, False),
        (0, None, False),
        (False, None, False),
        (True, "True", False),
        ("4", "5", False),
    ],
)
def test_same_value(a, b, same):
    assert same_value(a, b) is same
    assert same_value(b, a) is same


CASES = [
    pytest.param([row("e1")], [row("e1")], RowDiff(), id="unchanged rows make no edits"),
    pytest.param(
        [row("e1", owner=None)],
        [row("e1", owner=math.nan)],
        RowDiff(),
        id="NaN and None are the same empty cell",
    ),
    pytest.param([row("e1", owner="")], [row("e1", owner=None)], RowDiff(), id="empty text and None too"),
    pytest.param(
        [row("e1", version=4), row("e2", version=2)],
        [row("e1", version=4), row("e2", owner="Uusi", version=2)],
        RowDiff(changed=[RowChange("e2", {"title": "Kokous", "months": "3", "owner": "Uusi"}, 2, ("owner",))]),
        id="a changed row carries every field and the version shown",
    ),
    pytest.param(
        [row("e1", version=4)],
        [row("e1", owner="x", version=9)],
        RowDiff(changed=[RowChange("e1", {"title": "Kokous", "months": "3", "owner": "x"}, 4, ("owner",))]),
        id="the version is the one shown, not the one returned",
    ),
    pytest.param(
        [row("e1")],
        [row("e1"), row(None, title="Uusi", months="6", version=None)],
        RowDiff(added=[{"title": "Uusi", "months": "6", "owner": None}]),
        id="a row without a key is added",
    ),
    pytest.param(
        [row("e1")],
        [row("e1"), row(math.nan, title="Uusi", months="6", version=math.nan)],
        RowDiff(added=[{"title": "Uusi", "months": "6", "owner": None}]),
        id="a NaN key is no key",
    ),
    pytest.param(
        [row("e1")],
        [row("e1"), row(None, title="", months=None, owner="  ", version=None)],
        RowDiff(),
        id="an empty added row is ignored",
    ),
    pytest.param(
        [row("e1", version=3), row("e2", version=5)],
        [row("e2", version=5)],
        RowDiff(deleted=[("e1", 3)]),
        id="a missing row is deleted with its version",
    ),
    pytest.param(
        [row("e1", version=3)],
        [{"event_id": "e1", "title": "Kokous"}],
        RowDiff(),
        id="a field missing from the returned row is unchanged",
    ),
    pytest.param(
        [row("e1", months=3.0, version=1.0)],
        [row("e1", months="3", version=1)],
        RowDiff(),
        id="numbers as text or floats are the same",
    ),
]


@pytest.mark.parametrize(("before", "after", "expected"), CASES)
def test_diff_rows(before, after, expected):
    assert diff_rows(before, after, "event_id", FIELDS) == expected


def test_dates_compare_and_come_back_as_iso_text():
    before = [{"measure_id": "m1", "evaluated_on": date(2024, 5, 1), "version": 0}]
    assert (
        diff_rows(before, [{"measure_id": "m1", "evaluated_on": "2024-05-01"}], "measure_id", ["evaluated_on"])
        == RowDiff()
    )
    diff = diff_rows(before, [{"measure_id": "m1", "evaluated_on": date(2024, 5, 2)}], "measure_id", ["evaluated_on"])
    assert diff.changed == [RowChange("m1", {"evaluated_on": "2024-05-02"}, 0, ("evaluated_on",))]


def test_a_rule_of_the_caller_decides_what_is_the_same():
    def same(a, b, fld):
        return str(a).lower() == str(b).lower() if fld == "title" else same_value(a, b)

    assert (
        diff_rows([row("e1", title="Kokous")], [row("e1", title="KOKOUS")], "event_id", FIELDS, same=same) == RowDiff()
    )


def test_keep_mine_and_take_theirs_on_a_diff():
    diff = RowDiff(
        changed=[RowChange("a", {"x": 1}, 1, ("x",)), RowChange("b", {"x": 2}, 1, ("x",))],
        added=[{"x": 3}],
        deleted=[("c", 1)],
    )
    assert len(diff) == 4
    mine = diff.with_versions({"a": 7, "c": 9})
    assert [c.version for c in mine.changed] == [7, 1] and mine.deleted == [("c", 9)]
    theirs = diff.without({"b", "c"})
    assert [c.key for c in theirs.changed] == ["a"] and theirs.deleted == [] and theirs.added == [{"x": 3}]
    assert len(RowDiff()) == 0 and not RowDiff()


@dataclass
class StoreConflict:  # the fields of core.store's Conflict that the chooser reads
    entity_id: str
    mine: dict
    current: dict
    current_version: int


def test_conflicts_as_the_chooser_shows_them():
    stored = {
        "rating": 1,
        "comment": "Pekan",
        "evaluator": "Pekka",
        "updated_by": "Pekka",
        "updated_at": "2026-01-02T10:00:00+00:00",
    }
    [c] = row_conflicts([StoreConflict("m1", {"rating": 4, "comment": "Eevan", "evaluator": "Pekka"}, stored, 3)])
    assert c == RowConflict(
        "m1",
        {"rating": 4, "comment": "Eevan", "evaluator": "Pekka"},
        {"rating": 1, "comment": "Pekan", "evaluator": "Pekka"},
        3,
        "Pekka",
        "2026-01-02T10:00:00+00:00",
    )
    # only the values that differ, in the order of the fields given
    assert conflict_rows(c, ["comment", "rating", "evaluator"]) == [("comment", "Eevan", "Pekan"), ("rating", 4, 1)]


@pytest.mark.parametrize(
    ("mine", "current", "rows"),
    [
        ({"owner": "x"}, {"owner": "x"}, [("owner", "x", "x")]),  # none differ: all shown, never an empty table
        ({"owner": ""}, {"owner": None}, [("owner", "", None)]),
        ({"a": 1, "b": None}, {"a": 2}, [("a", 1, 2)]),
        ({"deleted": True}, {"title": "Kokous", "deleted": False}, []),  # a removed row: the chooser says so
    ],
)
def test_conflict_rows(mine, current, rows):
    [c] = row_conflicts([StoreConflict("e1", mine, current, 2)])
    assert conflict_rows(c) == rows
    assert c.deleted is (mine == {"deleted": True})


def test_a_conflict_without_a_stored_row_says_no_one():
    [c] = row_conflicts([StoreConflict("m1", {"rating": 2}, {}, 0)])
    assert (c.by, c.at, c.version, c.theirs) == ("", "", 0, {"rating": None})
