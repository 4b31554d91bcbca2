"""The rules the app shares (core/base/rules.py): every reader agrees on yes/no, sub-goal order and real measures."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest
from pydantic import ValidationError

from core.base import config, rules
from core.io.exporter import export_tables
from core.plan.model import Measure
from core.plan.validation import clean_measure_values
from core.store import Editor, InvalidEdit, MeasureEdit, Store
from core.views import chart_style, evaluation, queries, timeline, workshop

YES_NO = [
    (True, True),
    (False, False),
    (1, True),
    (0, False),
    (None, False),
    (math.nan, False),
    (pd.NA, False),
    ("true", True),
    ("TRUE", True),
    (" 1 ", True),
    ("yes", True),
    ("on", True),
    ("x", True),
    ("X", True),
    ("kyllä", True),
    ("Kyllä", True),
    ("kylla", True),
    ("false", False),
    ("0", False),
    ("no", False),
    ("off", False),
    ("ei", False),
    ("EI", False),
    ("", False),
    ("  ", False),
]
NOT_YES_NO = ["maybe", "2", 2, "kyl", "ok", -1]


@pytest.mark.parametrize(("value", "expected"), YES_NO)
def test_yes_no_table(value, expected) -> None:
    assert rules.parse_yes_no(value) is expected
    assert rules.is_yes(value) is expected


@pytest.mark.parametrize("value", NOT_YES_NO)
def test_unknown_yes_no_is_an_error_not_a_silent_no(value) -> None:
    with pytest.raises(ValueError):
        rules.parse_yes_no(value)
    assert rules.is_yes(value) is False  # display/comparison: unknown counts as no


def _measure(permanent: object) -> dict:
    return {
        "measure_id": "kymsote-I.1-1",
        "actor_id": "kymsote",
        "subgoal_id": "I.1",
        "seq": 1,
        "row_kind": "measure",
        "permanent": permanent,
    }


@pytest.mark.parametrize(
    ("value", "expected"), [(v, e) for v, e in YES_NO if not isinstance(v, float) and v is not pd.NA and v is not None]
)
def test_every_reader_of_a_yes_no_cell_agrees(value, expected, mini_plan) -> None:
    """The data model, an edit in the store, the timeline and a setting read the same cell the same way."""
    assert Measure(**_measure(value)).permanent is expected
    assert clean_measure_values({"permanent": value})["permanent"] is expected
    frame = timeline.timeline_frame(
        mini_plan,
        pd.DataFrame(
            [
                {
                    **_measure(value),
                    "toimenpide": "T",
                    "aikataulu": "",
                    "status": "",
                    "start_year": 2021,
                    "end_year": None,
                }
            ]
        ),
    )
    assert frame.iloc[0]["marker"].endswith("pysyvä") is expected
    assert config.parse_bool(value) is expected


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_every_reader_refuses_an_unknown_yes_no_word(value) -> None:
    with pytest.raises(ValidationError):
        Measure(**_measure(value))
    with pytest.raises(InvalidEdit) as err:
        clean_measure_values({"permanent": value})
    assert err.value.field == "permanent"
    with pytest.raises(ValueError, match="must be true or false"):
        config.parse_bool(value, "KYMLAPSET_X")


@pytest.mark.parametrize(
    ("subgoal_id", "key"),
    [
        ("I.1", (0, 1)),
        ("I.10", (0, 10)),
        ("II.3", (1, 3)),
        ("III.2", (2, 2)),
        ("IV.1", (3, 1)),  # a plan may have more than three goals
        ("4.2", (3, 2)),  # or number them in arabic
        ("", (999, 0)),
        ("II", (999, 0)),
        ("II.x", (999, 0)),
        ("tavoite.1", (999, 0)),
        (None, (999, 0)),
    ],
)
def test_subgoal_sort_key(subgoal_id, key) -> None:
    assert rules.subgoal_sort_key(subgoal_id) == key


def test_subgoals_sort_numerically_in_plan_order() -> None:
    assert sorted(["II.1", "I.10", "III.1", "I.2", "I.1"], key=rules.subgoal_sort_key) == [
        "I.1",
        "I.2",
        "I.10",
        "II.1",
        "III.1",
    ]


def test_every_sub_goal_ordering_is_the_plan_order(plan) -> None:
    """The workshop's steps, the evaluation chart's rows and the indicator links all follow the one key."""
    expected = sorted((s.subgoal_id for s in plan.subgoals), key=rules.subgoal_sort_key)
    assert expected[0] == "I.1" and expected[-1].startswith("III.")
    assert workshop.subgoal_order(plan) == expected
    labels, order = evaluation._keys(plan, "subgoal", "fi")
    assert sorted(order, key=order.get) == expected
    linked = [
        x.subgoal_id
        for x in sorted(plan.subgoal_indicators, key=lambda x: (rules.subgoal_sort_key(x.subgoal_id), x.sort_order))
    ]
    assert linked == sorted(linked, key=rules.subgoal_sort_key)


def _rows() -> pd.DataFrame:
    base = {
        "actor_id": "kymsote",
        "subgoal_id": "I.1",
        "toimenpide": "T",
        "aikataulu": "",
        "status": "",
        "start_year": 2021,
        "end_year": 2022,
        "permanent": False,
        "deleted": False,
    }
    kinds = ["measure", "measure", "reference", "empty", "dash", "out_of_scope", "measure"]
    rows = [{**base, "measure_id": f"kymsote-I.1-{i}", "seq": i, "row_kind": k} for i, k in enumerate(kinds, start=1)]
    rows[-1]["deleted"] = True
    return pd.DataFrame(rows)


def test_real_measures_are_measure_rows_not_removed() -> None:
    assert list(rules.real_measures(_rows())["measure_id"]) == ["kymsote-I.1-1", "kymsote-I.1-2"]
    assert list(rules.real_measures(_rows().drop(columns="deleted"))["seq"]) == [1, 2, 7]
    assert queries.real_measures is rules.real_measures


def test_counts_timeline_and_evaluation_agree_on_real_measures(mini_plan) -> None:
    rows = _rows()
    assert queries.measure_row_counts(rows) == (2, 4)
    assert len(timeline.timeline_frame(mini_plan, rows)) == 2
    assert len(evaluation.ratings_for(rows, pd.DataFrame(), 2024)) == 2
    assert len(evaluation.missing_evaluations(rows, pd.DataFrame(columns=["measure_id", "year", "rating"]), 2024)) == 2


@pytest.mark.parametrize(
    ("fld", "value", "ok"),
    [
        ("contact", "x" * 200, True),
        ("contact", "x" * 201, False),
        ("toimenpide", "x" * 4000, True),
        ("toimenpide", "x" * 4001, False),
        ("start_year", 2000, True),
        ("start_year", 1999, False),
        ("end_year", 2100, True),
        ("end_year", 2101, False),
    ],
)
def test_model_and_store_share_the_measure_limits(fld, value, ok) -> None:
    """One limit for a field, whether the value comes from data/ (the model) or an edit (the store)."""
    try:
        Measure(**{**_measure(False), fld: value})
        model_ok = True
    except ValidationError:
        model_ok = False
    try:
        clean_measure_values({fld: value})
        store_ok = True
    except InvalidEdit:
        store_ok = False
    assert (model_ok, store_ok) == (ok, ok)


def test_every_chart_uses_the_one_font_size(mini_plan) -> None:
    """Timeline and evaluation charts take their sizes from core.views.chart_style: nothing under SMALL_FONT_SIZE."""
    assert timeline.FONT_SIZE is chart_style.FONT_SIZE and evaluation.FONT_SIZE is chart_style.FONT_SIZE
    rows = _rows().assign(start_year=[2021, None, 2021, None, None, None, 2021])
    tl = timeline.timeline_figure(mini_plan, rows, "fi", today=date(2022, 6, 1))
    summary = pd.DataFrame(
        [
            {"key": "a", "label": "A", "rating": r, "rating_label": str(r), "count": 1, "total": 5, "share": 20.0}
            for r in (1, 2, 3, 4, 0)
        ]
    )
    ev = evaluation.evaluation_figure(summary, "fi")
    for fig in (tl, ev):
        sizes = [fig.layout.font.size, fig.layout.hoverlabel.font.size]
        sizes += [a.font.size for a in fig.layout.annotations if a.font.size is not None]
        sizes += [tr.textfont.size for tr in fig.data if tr.textfont.size is not None]
        assert min(sizes) >= chart_style.SMALL_FONT_SIZE, sizes
    assert len(tl.layout.annotations) >= 2  # the "now" mark and the undated note were checked too


def test_default_events_in_the_app_use_the_checked_reader(tmp_path, monkeypatch) -> None:
    """ui/data.default_events() reads data/events.csv through core/views/vuosikello.py: a repeated id is refused."""
    from core.views.vuosikello import load_default_events
    from ui import data as ui_data

    assert ui_data.default_events() == load_default_events()
    bad = tmp_path / "events.csv"
    bad.write_text("event_id,title,months,owner,description\ne1,A,1,,\ne1,B,2,,\n", encoding="utf-8")
    monkeypatch.setattr(config, "DATA_DIR", tmp_path)
    with pytest.raises(InvalidEdit) as err:
        ui_data.default_events()
    assert err.value.key == "vuosikello.file.repeated_id" and "events.csv" in err.value.text("fi")
    (tmp_path / "events.csv").unlink()
    assert ui_data.default_events() == []  # no file: an empty cycle, as before


def test_store_round_trip_of_permanent_words(mini_plan) -> None:
    """An edit typed as 'x' or 'kylla' is stored as yes and exported as 'true'."""
    store = Store.open("sqlite://", mini_plan)
    mid = store.measures()["measure_id"].iloc[0]
    version = int(store.measure(mid)["version"])
    store.save_measure_edits([MeasureEdit(mid, version, {"permanent": "x"})], Editor("Testi"))
    assert store.measure(mid)["permanent"] is True
    ms = export_tables(mini_plan, store)["measures.csv"]
    assert ms.loc[ms["measure_id"] == mid, "permanent"].iloc[0] == "true"
