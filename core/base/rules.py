"""Small rules the whole app shares, each written once: what counts as yes, the plan order of
sub-goals, and which rows of the plan's tables are real measures.

Every reader of a yes/no cell (the loader's model, an edit in the grid, an imported file, a
setting), every sort by sub-goal and every count of measures goes through here, so two parts of
the app can never disagree (as "x" and "kylla" once did).
"""

from __future__ import annotations

import math

import pandas as pd

# What a yes/no cell may say, lower-cased and trimmed. "x" is a spreadsheet tick mark; "kylla" is
# "kyllä" typed without the umlaut. An empty cell means no.
YES_WORDS = ("true", "1", "yes", "on", "x", "kyllä", "kylla")
NO_WORDS = ("false", "0", "no", "off", "ei", "")


def parse_yes_no(value: object) -> bool:
    """True or False from a yes/no cell: a bool, a number 1/0, None/NaN (no) or one of YES_WORDS / NO_WORDS.

    Raises ``ValueError`` for anything else, so a typo is reported instead of silently meaning no.
    """
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return False
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"not a yes/no value: {value!r}")
    try:
        if pd.isna(value):  # pd.NA, NaT, numpy NaN
            return False
    except (TypeError, ValueError):
        pass
    text = str(value).strip().lower()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def is_yes(value: object) -> bool:
    """``parse_yes_no`` for display and comparison: anything it does not recognise counts as no."""
    try:
        return parse_yes_no(value)
    except ValueError:
        return False


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}


def goal_rank(goal_id: object) -> int:
    """The order of a goal id, whatever a plan uses: roman (I, II, … XX) or arabic numerals; else last."""
    text = str(goal_id).strip()
    if text.isdigit():
        return int(text)
    if text and all(c in _ROMAN for c in text):
        total = 0
        for i, c in enumerate(text):
            value = _ROMAN[c]
            total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
        return total
    return 999


def subgoal_sort_key(subgoal_id: object) -> tuple[int, int]:
    """The plan order of a välitavoite id: 'II.3' → (1, 3); anything unrecognised sorts last, (999, 0)."""
    goal, _, num = str(subgoal_id).partition(".")
    rank = goal_rank(goal)
    if rank == 999 or not num.isdigit():
        return (999, 0)
    return (rank - 1, int(num))


REAL_MEASURE = "measure"  # row_kind of a real measure; the other kinds are rows of the plan's tables


def real_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """The real measures of a measures frame: row_kind 'measure', not removed.

    The plan's tables also hold references to another row, empty and dash rows and "not this
    actor's task" notes; they are shown as rows but never counted or evaluated as measures. Every
    count of measures goes through here, so Etusivu, Toimenpiteet, the goal pages, Aikajana,
    Vuosiarviointi and the reports agree.
    """
    keep = measures["row_kind"] == REAL_MEASURE
    if "deleted" in measures.columns:
        keep &= ~measures["deleted"].fillna(False).astype(bool)
    return measures[keep]
