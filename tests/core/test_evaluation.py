"""Annual evaluation: the scale, per-actor/goal/sub-goal summaries, missing evaluations, the chart."""

from __future__ import annotations

import pandas as pd
import pytest

from core.plan.model import Plan
from core.store import Editor, Store
from core.views import evaluation as ev

YEAR = 2024


def test_scale_has_four_steps_with_descriptions_in_both_languages() -> None:
    fi = ev.scale("fi")
    assert [s["rating"] for s in fi] == [1, 2, 3, 4]
    assert [s["label"] for s in fi] == [
        "ei toteutunut",
        "toteutunut osittain",
        "toteutunut hyvin",
        "toteutunut erinomaisesti",
    ]
    en = ev.scale("en")
    for step in fi + en:
        assert step["description"].endswith(".") and len(step["description"]) > 30
    assert ev.rating_label(None) == "ei arvioitu"
    assert ev.rating_label(3.0, "en") == "3 well implemented"


def _store_with(plan: Plan, ratings: dict[str, object]) -> Store:
    store = Store.open("sqlite://", plan)
    for measure_id, rating in ratings.items():
        store.save_evaluation(measure_id, YEAR, {"rating": rating, "comment": "kommentti"}, None, Editor("Testi"))
    return store


@pytest.mark.parametrize(
    ("ratings", "by", "expected"),
    [
        # nothing evaluated: both real measures are 'ei arvioitu'; the reference row never counts
        ({}, "actor", {("kymsote", 0): 1, ("hamina", 0): 1}),
        ({"kymsote-I.1-1": 3}, "actor", {("kymsote", 3): 1, ("hamina", 0): 1}),
        # a saved row without a rating is still 'ei arvioitu'
        ({"kymsote-I.1-1": 4, "hamina-I.1-1": None}, "actor", {("kymsote", 4): 1, ("hamina", 0): 1}),
        ({"kymsote-I.1-1": 1, "hamina-I.1-1": 2}, "goal", {("I", 1): 1, ("I", 2): 1}),
        ({"kymsote-I.1-1": 2, "hamina-I.1-1": 2}, "subgoal", {("I.1", 2): 2}),
        # an evaluation of the reference row (not a measure) is ignored
        ({"hamina-II.1-1": 4}, "goal", {("I", 0): 2}),
    ],
)
def test_summary_counts(mini_plan, ratings, by, expected) -> None:
    store = _store_with(mini_plan, ratings)
    out = ev.evaluation_summary(store.measures(), store.evaluations(YEAR), mini_plan, by=by, year=YEAR)
    assert set(out["rating"]) == {0, 1, 2, 3, 4}
    got = {(k, r): n for k, r, n in zip(out["key"], out["rating"], out["count"], strict=True) if n}
    assert got == expected
    totals = out.groupby("key")["count"].sum()
    assert (out.groupby("key")["total"].first() == totals).all()


def test_summary_labels_order_and_other_years(mini_plan) -> None:
    store = _store_with(mini_plan, {"kymsote-I.1-1": 3})
    store.save_evaluation("hamina-I.1-1", YEAR - 1, {"rating": 4}, None, Editor("Testi"))
    out = ev.evaluation_summary(store.measures(), store.evaluations(), mini_plan, by="actor", year=YEAR, lang="en")
    assert list(dict.fromkeys(out["key"])) == ["kymsote", "hamina"]  # plan order
    assert list(dict.fromkeys(out["label"])) == ["Kymsote", "City of Hamina"]
    hamina = out[out["key"] == "hamina"].set_index("rating")["count"]
    assert hamina[0] == 1 and hamina[4] == 0  # last year's rating does not count for this year
    assert out[(out["key"] == "kymsote") & (out["rating"] == 3)]["share"].iloc[0] == 100.0
    with pytest.raises(ValueError):
        ev.evaluation_summary(store.measures(), store.evaluations(), mini_plan, by="colour", year=YEAR)


def test_missing_evaluations_only_real_measures(mini_plan) -> None:
    store = _store_with(mini_plan, {"kymsote-I.1-1": 2, "hamina-I.1-1": None})
    missing = ev.missing_evaluations(store.measures(), store.evaluations(YEAR), YEAR, mini_plan)
    assert list(missing["measure_id"]) == ["hamina-I.1-1"]
    assert bool(missing["has_evaluation_row"].iloc[0]) is True
    none_yet = ev.missing_evaluations(store.measures(), store.evaluations(YEAR + 1), YEAR + 1, mini_plan)
    assert list(none_yet["measure_id"]) == ["kymsote-I.1-1", "hamina-I.1-1"]
    assert "hamina-II.1-1" not in set(none_yet["measure_id"])  # a reference row is never missing


def test_missing_evaluations_skip_deleted_measures(mini_plan, editor) -> None:
    store = Store.open("sqlite://", mini_plan)
    store.delete_measure("hamina-I.1-1", 1, editor)
    missing = ev.missing_evaluations(store.measures(include_deleted=True), store.evaluations(), YEAR)
    assert list(missing["measure_id"]) == ["kymsote-I.1-1"]


def test_figure_stacks_ratings_in_order_with_counts_written(mini_plan) -> None:
    store = _store_with(mini_plan, {"kymsote-I.1-1": 4})
    summary = ev.evaluation_summary(store.measures(), store.evaluations(YEAR), mini_plan, by="actor", year=YEAR)
    fig = ev.evaluation_figure(summary, "fi", title="Arviointi")
    assert fig.layout.barmode == "stack"
    assert [tr.meta["rating"] for tr in fig.data] == [1, 2, 3, 4, 0]
    assert [tr.name for tr in fig.data] == [
        "1 ei toteutunut",
        "2 toteutunut osittain",
        "3 toteutunut hyvin",
        "4 toteutunut erinomaisesti",
        "ei arvioitu",
    ]
    by_rating = {tr.meta["rating"]: tr for tr in fig.data}
    assert list(by_rating[4].x) == [1, 0] and list(by_rating[4].text) == ["1", ""]
    assert list(by_rating[0].x) == [0, 1] and list(by_rating[0].text) == ["", "1"]
    colours = [tr.marker.color for tr in fig.data]
    assert len(set(colours)) == 5
    patterns = [tr.marker.pattern.shape for tr in fig.data]
    assert len(set(patterns)) == 5  # colour is not the only carrier


def test_figure_escapes_labels_and_handles_empty() -> None:
    summary = pd.DataFrame(
        [
            {
                "key": "x",
                "label": "<script>x</script>",
                "rating": r,
                "rating_label": "",
                "count": 1,
                "total": 5,
                "share": 20.0,
            }
            for r in (1, 2, 3, 4, 0)
        ]
    )
    fig = ev.evaluation_figure(summary, "en")
    assert all("<script>" not in y for tr in fig.data for y in tr.y)
    empty = ev.evaluation_figure(pd.DataFrame(columns=summary.columns), "fi")
    assert "Ei arvioitavia" in empty.layout.annotations[0].text
