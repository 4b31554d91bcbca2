"""Row diffing shared by every edit flow (core/store/edits.py): tables of rows shown → rows returned → edits."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from core.store.edits import (
    FieldClash,
    RowChange,
    RowConflict,
    RowDiff,
    changed_fields,
    conflict_rows,
    diff_rows,
    merge_fields,
    normalise,
    row_conflicts,
    same_value,
)

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
        RowDiff(
            changed=[
                RowChange("e2", {"title": "Kokous", "months": "3", "owner": "Uusi"}, 2, ("owner",), {"owner": None})
            ]
        ),
        id="a changed row carries every field, the version shown and the base of the changed field",
    ),
    pytest.param(
        [row("e1", version=4)],
        [row("e1", owner="x", version=9)],
        RowDiff(
            changed=[RowChange("e1", {"title": "Kokous", "months": "3", "owner": "x"}, 4, ("owner",), {"owner": None})]
        ),
        id="the version is the one shown, not the one returned",
    ),
    pytest.param(
        [row("e1", title="Kokous", months="3", version=2)],
        [row("e1", title="Kevätkokous", months="4", version=2)],
        RowDiff(
            changed=[
                RowChange(
                    "e1",
                    {"title": "Kevätkokous", "months": "4", "owner": None},
                    2,
                    ("title", "months"),
                    {"title": "Kokous", "months": "3"},
                )
            ]
        ),
        id="the base is what was shown of each changed field only",
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
    assert diff.changed == [
        RowChange("m1", {"evaluated_on": "2024-05-02"}, 0, ("evaluated_on",), {"evaluated_on": "2024-05-01"})
    ]


def test_a_rule_of_the_caller_decides_what_is_the_same():
    def same(a, b, fld):
        return str(a).lower() == str(b).lower() if fld == "title" else same_value(a, b)

    assert (
        diff_rows([row("e1", title="Kokous")], [row("e1", title="KOKOUS")], "event_id", FIELDS, same=same) == RowDiff()
    )


def test_keep_mine_and_take_theirs_on_a_diff():
    diff = RowDiff(
        changed=[
            RowChange("a", {"x": 1, "y": 5}, 1, ("x", "y"), {"x": 0, "y": 4}),
            RowChange("b", {"x": 2}, 1, ("x",), {"x": 0}),
        ],
        added=[{"x": 3}],
        deleted=[("c", 1)],
    )
    assert len(diff) == 4
    assert diff.changed[0].mine == {"x": 1, "y": 5} and diff.changed[0].started_from == {"x": 0, "y": 4}
    # keep mine: the clashing field starts from the stored value; the other field keeps its own base
    mine = diff.keeping_mine({"a": (7, {"x": 9}), "c": (9, {})})
    assert [c.version for c in mine.changed] == [7, 1] and mine.deleted == [("c", 9)]
    assert mine.changed[0].started_from == {"x": 9, "y": 4} and mine.changed[0].mine == {"x": 1, "y": 5}
    # take theirs: just that field is given up; a row left without changes, or a removal, goes
    theirs = diff.taking_theirs({"a": ["x"], "b": ["x"], "c": []})
    assert [(c.key, c.mine) for c in theirs.changed] == [("a", {"y": 5})]
    assert theirs.deleted == [] and theirs.added == [{"x": 3}]
    assert len(RowDiff()) == 0 and not RowDiff()


def test_changed_fields_are_those_that_differ_from_the_base():
    assert changed_fields({"a": "x", "b": None, "c": 3}, {"a": "x", "b": "", "c": "4", "d": "uusi"}) == {
        "c": "4",
        "d": "uusi",
    }


# (base, mine, stored) per field -> (written, clashing fields)
MERGES = [
    pytest.param({"a": 1}, {"a": 2}, {"a": 1}, {"a": 2}, [], id="untouched by others: written"),
    pytest.param({"a": 1}, {"a": 2}, {"a": 2}, {}, [], id="already holds my value: nothing to write"),
    pytest.param({"a": 1}, {"a": 2}, {"a": 3}, {}, ["a"], id="someone else changed the same field: a clash"),
    pytest.param(
        {"a": 1}, {"a": 2}, {"a": 1, "b": "theirs"}, {"a": 2}, [], id="someone else changed another field: merged"
    ),
    pytest.param(
        {"a": 1, "b": "x"},
        {"a": 2, "b": "y"},
        {"a": 3, "b": "x"},
        {"b": "y"},
        ["a"],
        id="only the field changed by both clashes",
    ),
    pytest.param({"a": None}, {"a": "uusi"}, {"a": ""}, {"a": "uusi"}, [], id="empty text and None are the same base"),
    pytest.param({"a": "3"}, {"a": 4}, {"a": 3}, {"a": 4}, [], id="a number shown as text is the same base"),
    pytest.param({}, {"a": 2}, {"a": 1}, {}, ["a"], id="a field without a base clashes"),
    pytest.param({}, {"a": 2}, {"a": 2}, {}, [], id="a field without a base that holds my value does not"),
]


@pytest.mark.parametrize(("base", "mine", "stored", "written", "clashing"), MERGES)
def test_merge_fields(base, mine, stored, written, clashing):
    write, clashes = merge_fields(base, mine, stored)
    assert write == written
    assert [c.field for c in clashes] == clashing
    for c in clashes:
        assert (c.base, c.mine, c.stored) == (base.get(c.field), mine[c.field], stored.get(c.field))


@dataclass
class StoreConflict:  # the fields of core.store's Conflict that the chooser reads
    entity_id: str
    mine: dict
    current: dict
    current_version: int
    fields: list = field(default_factory=list)


def test_conflicts_as_the_chooser_shows_them():
    stored = {
        "rating": 1,
        "comment": "Pekan",
        "evaluator": "Pekka",
        "updated_by": "Pekka",
        "updated_at": "2026-01-02T10:00:00+00:00",
    }
    clashes = [
        FieldClash("rating", 2, 4, 1, "Liisa", "2026-01-02T09:00:00+00:00"),
        FieldClash("comment", "", "Eevan", "Pekan", "Pekka", "2026-01-02T10:00:00+00:00"),
    ]
    [c] = row_conflicts([StoreConflict("m1", {"rating": 4, "comment": "Eevan"}, stored, 3, clashes)])
    assert c == RowConflict("m1", tuple(clashes), 3, "Liisa", "2026-01-02T09:00:00+00:00")
    assert c.stored == {"rating": 1, "comment": "Pekan"} and c.fields == ["rating", "comment"]
    # just the clashing fields, in the order of the fields given, each with who changed it
    assert [(x.field, x.mine, x.stored, x.by) for x in conflict_rows(c, ["comment", "rating", "evaluator"])] == [
        ("comment", "Eevan", "Pekan", "Pekka"),
        ("rating", 4, 1, "Liisa"),
    ]


def test_a_removed_row_lists_no_fields():
    [c] = row_conflicts([StoreConflict("e1", {"deleted": True}, {"title": "Kokous", "updated_by": "Pekka"}, 2)])
    assert c.deleted and conflict_rows(c) == [] and c.by == "Pekka"


def test_a_conflict_without_a_stored_row_says_no_one():
    [c] = row_conflicts([StoreConflict("m1", {"rating": 2}, {}, 0)])
    assert (c.by, c.at, c.version, c.clashes) == ("", "", 0, ())
