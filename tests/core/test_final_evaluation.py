"""The final evaluation's tables: then and now per indicator and group, the measures' results over
the period, and the figures (core/views/final_evaluation.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from core.views import final_evaluation as fe
from core.views.queries import observations_frame

START, END = 2020, 2025  # the mini plan's period (tests/fixtures/mini/plan.yaml)


@pytest.mark.parametrize(
    ("years", "expected"),
    [
        ([2017, 2019, 2021, 2023], (2019, 2023)),  # the plan's own figures, then the latest of the period
        ([2021, 2024], (2021, 2024)),  # nothing before the period: its first year with data
        ([2019], (2019, 2019)),  # no newer value yet
        ([2018, 2019, 2026], (2019, 2019)),  # a value after the period belongs to the next plan
        ([2015, 2019, 2020, 2022], (2020, 2022)),  # the period's first year is its start
        ([2026, 2027], None),  # nothing up to the period's end
    ],
)
def test_first_and_latest_year(years, expected):
    assert fe._first_and_latest(years, START, END) == expected


def _obs(*rows):
    cols = ["indicator_id", "series_id", "group_id", "area", "year", "value"]
    return pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])


NEW_ROUNDS = _obs(
    (7, "", "lk4_5", "kymenlaakso", 2021, 90.0),
    (7, "", "lk4_5", "koko_maa", 2021, 89.0),
    (7, "", "lk4_5", "kymenlaakso", 2023, 93.0),
    (7, "", "lk4_5", "koko_maa", 2023, 88.0),
    (7, "", "lk4_5", "kymenlaakso", 2026, 99.0),  # after the period: not this plan's
    (31, "", "lk4_5", "kymenlaakso", 2023, 11.0),
    (31, "", "lk4_5", "koko_maa", 2023, 7.0),
)


@pytest.mark.parametrize(
    ("indicator", "group", "expected"),
    [
        # higher is better: 88 (country 89.5, neutral) → 93 (country 88, good), +5 points improving
        (
            7,
            "lk4_5",
            {
                "first_year": 2019,
                "first_value": 88.0,
                "first_national": 89.5,
                "first_status": "neutraali",
                "latest_year": 2023,
                "latest_value": 93.0,
                "latest_national": 88.0,
                "latest_status": "hyva",
                "change": 5.0,
                "trend": "paranee",
            },
        ),
        # no new round: the first value is also the latest, no change, no trend
        (
            7,
            "lk8_9",
            {"first_year": 2019, "latest_year": 2019, "latest_value": 76.0, "change": None, "trend": "ei_trendia"},
        ),
        # lower is better: 7.9 → 11.0 against 7.0 is worrying and worsening
        (
            31,
            "lk4_5",
            {"first_value": 7.9, "latest_value": 11.0, "latest_status": "huolestuttava", "trend": "heikkenee"},
        ),
        # no national value at all: no status either time
        (16, "vaesto", {"first_status": "ei_vertailua", "latest_status": "ei_vertailua", "first_national": None}),
    ],
)
def test_indicator_then_and_now(mini_plan, indicator, group, expected):
    obs = pd.concat([observations_frame(mini_plan), NEW_ROUNDS], ignore_index=True)
    df = fe.indicator_changes(mini_plan, obs)
    row = df[(df["indicator_id"] == indicator) & (df["group_id"] == group)].iloc[0].to_dict()
    for key, value in expected.items():
        if value is None:
            assert pd.isna(row[key]), key
        else:
            assert row[key] == (pytest.approx(value) if isinstance(value, float) else value), key


def test_every_year_in_between_is_listed_with_its_national_value(mini_plan):
    obs = pd.concat([observations_frame(mini_plan), NEW_ROUNDS], ignore_index=True)
    df = fe.indicator_changes(mini_plan, obs)
    years = df[(df["indicator_id"] == 7) & (df["group_id"] == "lk4_5")].iloc[0]["years"]
    assert [(y["year"], y["value"], y["national"]) for y in years] == [
        (2019, 88.0, 89.5),
        (2021, 90.0, 89.0),
        (2023, 93.0, 88.0),
    ]
    table = fe.indicator_table(df, "fi")
    row = table[table.iloc[:, 0].str.startswith("7 ")].iloc[0].tolist()
    assert row[1] == "2019: 88 % (koko maa 89,5 %) ≈ neutraali"
    assert row[2] == "2023: 93 % (koko maa 88 %) ✓ hyvä"
    assert row[3] == "+5 %-yks., paranee. Välissä: 2021: 90 % (koko maa 89 %)."


def test_indicator_rows_keep_plan_order_and_name_their_goals(mini_plan):
    df = fe.indicator_changes(mini_plan, observations_frame(mini_plan))
    assert list(zip(df["indicator_id"], df["group_id"], strict=True)) == [
        (7, "lk4_5"),
        (7, "lk8_9"),
        (16, "vaesto"),
        (31, "lk4_5"),
    ]
    assert dict(zip(df["indicator_id"], df["goals"], strict=False))[16] == "II"


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [(5.0, "percent", "+5 %-yks."), (-1.25, "count", "−1,2"), (0.0, "per_1000", "±0"), (None, "percent", "–")],
)
def test_change_is_written_with_its_sign(value, unit, expected):
    assert fe.fmt_change(value, unit, "fi") == expected


def _measures(*rows):
    base = {"row_kind": "measure", "deleted": False, "toimenpide": "x", "status": "", "permanent": False}
    cols = ["measure_id", "actor_id", "subgoal_id", "end_year", "permanent", "status"]
    return pd.DataFrame([base | dict(zip(cols, r, strict=True)) for r in rows])


def _evals(*rows):
    return pd.DataFrame(
        [{"measure_id": m, "year": y, "rating": r, "comment": "", "version": 1} for m, y, r in rows],
        columns=["measure_id", "year", "rating", "comment", "version"],
    )


MEASURES = _measures(
    ("a-I.1-1", "hamina", "I.1", 2025, False, ""),
    ("a-I.1-2", "hamina", "I.1", 2027, False, ""),
    ("b-I.1-1", "kymsote", "I.1", None, True, ""),
    ("b-I.1-2", "kymsote", "I.1", None, True, "päättynyt"),
    ("b-II.1-1", "kymsote", "II.1", 2024, False, "käynnissä"),
    ("b-II.1-2", "kymsote", "II.1", 2024, False, ""),
)
EVALS = _evals(
    ("a-I.1-1", 2021, 2),
    ("a-I.1-1", 2023, 4),  # the latest rating of the period counts: carried out
    ("a-I.1-2", 2020, 3),
    ("a-I.1-2", 2022, 1),  # carried out once, then not: not carried out
    ("b-I.1-1", 2022, 2),
    ("b-I.1-2", 2026, 4),  # after the period: not evaluated in it
    ("b-II.1-1", 2024, None),  # a comment without a rating: not evaluated
)


@pytest.mark.parametrize(
    ("measure_id", "outcome", "latest_year", "continuing"),
    [
        ("a-I.1-1", "carried_out", 2023, False),  # ends with the period
        ("a-I.1-2", "not_done", 2022, True),  # ends after the period
        ("b-I.1-1", "partly", 2022, True),  # permanent
        ("b-I.1-2", "not_evaluated", None, False),  # permanent but ended
        ("b-II.1-1", "not_evaluated", None, True),  # ongoing
        ("b-II.1-2", "not_evaluated", None, False),
    ],
)
def test_measure_result_over_the_period(mini_plan, measure_id, outcome, latest_year, continuing):
    out = fe.measure_outcomes(mini_plan, MEASURES, EVALS).set_index("measure_id")
    row = out.loc[measure_id]
    assert row["outcome"] == outcome
    assert (None if pd.isna(row["latest_year"]) else int(row["latest_year"])) == latest_year
    assert bool(row["continuing"]) is continuing
    assert sorted(row["ratings"]) == list(range(START, END + 1))


def test_counts_per_subgoal_and_actor_with_totals(mini_plan):
    summary = fe.subgoal_outcomes(mini_plan, fe.measure_outcomes(mini_plan, MEASURES, EVALS), "fi")
    got = {
        (r["subgoal_id"], r["actor_id"]): (
            r["carried_out"],
            r["partly"],
            r["not_done"],
            r["not_evaluated"],
            r["continuing"],
            r["total"],
        )
        for r in summary.to_dict("records")
    }
    assert got == {
        ("I.1", "kymsote"): (0, 1, 0, 1, 1, 2),
        ("I.1", "hamina"): (1, 0, 1, 0, 1, 2),
        ("I.1", ""): (1, 1, 1, 1, 2, 4),
        ("II.1", "kymsote"): (0, 0, 0, 2, 1, 2),
        ("II.1", ""): (0, 0, 0, 2, 1, 2),
    }
    assert list(summary["actor_id"][:2]) == ["kymsote", "hamina"]  # the plan's actor order
    assert summary[summary["actor_id"] == ""]["actor"].unique().tolist() == ["Yhteensä"]


def test_yearly_ratings_count_every_year_of_the_period(mini_plan):
    yearly = fe.yearly_ratings(mini_plan, fe.measure_outcomes(mini_plan, MEASURES, EVALS))
    i1 = yearly[yearly["subgoal_id"] == "I.1"]
    assert sorted(i1["year"].unique()) == list(range(START, END + 1))
    assert i1.groupby("year")["count"].sum().eq(4).all()  # every measure once a year, rated or not
    assert int(i1[(i1["year"] == 2023) & (i1["rating"] == 4)]["count"].iloc[0]) == 1


def test_figures_carry_the_counts(mini_plan):
    outcomes = fe.measure_outcomes(mini_plan, MEASURES, EVALS)
    fig = fe.outcome_figure(mini_plan, outcomes, "fi")
    by_outcome = {tr.meta["outcome"]: list(tr.x) for tr in fig.data}
    assert by_outcome == {"carried_out": [1, 0], "partly": [1, 0], "not_done": [1, 0], "not_evaluated": [1, 2]}
    obs = pd.concat([observations_frame(mini_plan), NEW_ROUNDS], ignore_index=True)
    changes = fe.indicator_changes(mini_plan, obs)
    shift = fe.status_shift_figure(changes, "fi")
    assert {tr.meta["status"]: list(tr.x) for tr in shift.data}["hyva"] == [0, 1]
    assert all(sum(tr.x[i] for tr in shift.data) == len(changes) for i in (0, 1))
    assert all(tr.textfont.size >= 14 for tr in [*fig.data, *shift.data])
    # colour, pattern and the count each carry the result; the pattern lies over the colour, never instead of it
    assert all(tr.marker.pattern.fillmode == "overlay" and tr.marker.pattern.shape is not None for tr in fig.data)
    assert [tr.marker.color for tr in fig.data] == [fe.OUTCOME_STYLE[o]["color"] for o in fe.OUTCOMES]


def test_summary_and_conclusions(mini_plan):
    obs = pd.concat([observations_frame(mini_plan), NEW_ROUNDS], ignore_index=True)
    conclusions = pd.DataFrame([{"scope": "plan", "worked": "Kuuleminen", "did_not_work": "", "carry_on": "Jatketaan"}])
    ev = fe.final_evaluation(mini_plan, obs, MEASURES, EVALS, conclusions, "en")
    assert ev.conclusions["plan"] == {"worked": "Kuuleminen", "did_not_work": "", "carry_on": "Jatketaan"}
    lines = ev.summary_lines("en")
    assert lines[0] == "Plan period 2020–2025."
    assert "4 comparisons" in lines[1] and "2 of them have a newer value" in lines[1]
    assert lines[-1].startswith("6 measures: carried out 1, partly 1, not carried out 1, not evaluated 3")
    assert set(ev.strengths()["indicator_id"]) == {7}
    assert set(ev.to_develop()["indicator_id"]) == {31}
    assert fe.scopes(mini_plan)[-1] == "plan"
