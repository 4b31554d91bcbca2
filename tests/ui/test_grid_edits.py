"""What the grid reports back becomes pending edits: only real changes, with the version the user saw."""

from __future__ import annotations

import json
from io import StringIO

import pandas as pd

from ui.grid_edits import collect_edits
from ui.grid_rows import GRID_COLUMNS, apply_pending


def shown() -> pd.DataFrame:
    rows = []
    for i, version in ((1, 3), (2, 5)):
        row = {c: "" for c in GRID_COLUMNS}
        row.update(
            measure_id=f"m{i}",
            toimenpide=f"teksti {i}",
            start_year=2025,
            end_year=None,
            permanent=False,
            version=version,
            status="suunniteltu",
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


def test_unchanged_rows_make_no_edits():
    returned = shown().astype(object)
    returned["start_year"] = [2025.0, 2025.0]  # the browser sends numbers as floats
    returned["end_year"] = [None, float("nan")]  # and empties in more than one way
    assert collect_edits(shown(), returned, {}) == {}


def test_a_changed_cell_is_kept_with_the_version_shown():
    returned = shown().astype(object)  # as the grid sends it back
    returned.loc[1, "toimenpide"] = "uusi teksti"
    returned.loc[1, "permanent"] = "true"
    returned.loc[0, "end_year"] = 2027.0
    pending = collect_edits(shown(), returned, {})
    assert pending == {
        "m2": {
            "version": 5,
            "values": {"toimenpide": "uusi teksti", "permanent": True},
            "base": {"toimenpide": "teksti 2", "permanent": False},  # what the user started from
        },
        "m1": {"version": 3, "values": {"end_year": 2027}, "base": {"end_year": None}},
    }


def test_a_field_edited_again_keeps_the_value_it_started_from():
    first = shown().astype(object)
    first.loc[0, "toimenpide"] = "luonnos"
    pending = collect_edits(shown(), first, {})
    again_shown = apply_pending(shown(), pending)  # the next grid shows the pending value
    again = again_shown.astype(object)
    again.loc[0, "toimenpide"] = "valmis"
    again.loc[0, "mittari"] = "uusi mittari"
    pending = collect_edits(again_shown, again, pending)
    assert pending["m1"]["values"] == {"toimenpide": "valmis", "mittari": "uusi mittari"}
    assert pending["m1"]["base"] == {"toimenpide": "teksti 1", "mittari": None}


def test_a_row_sent_back_from_before_a_live_update_is_not_taken_for_an_edit():
    """The grid stays while others' saves arrive: a row it sends from the older rows (a late value,
    or an edit made just before the new rows reached it) is compared with those older rows."""
    older = shown()
    newer = shown()
    newer.loc[0, "mittari"] = "Annan mittari"  # Anna saved m1's mittari: version 3 -> 4
    newer.loc[0, "version"] = 4
    returned = older.astype(object)  # Ben's grid had not got the new rows yet when he edited m2
    returned.loc[1, "toimenpide"] = "Benin teksti"
    pending = collect_edits(newer, returned, {}, (older,))
    assert pending == {
        "m2": {"version": 5, "values": {"toimenpide": "Benin teksti"}, "base": {"toimenpide": "teksti 2"}}
    }
    assert collect_edits(newer, older.astype(object), {}) != {}  # without the older rows it would look like an edit


def test_rows_not_shown_are_ignored_and_earlier_pending_edits_stay():
    returned = pd.concat([shown(), shown().assign(measure_id="vieras", toimenpide="x")], ignore_index=True)
    before = {"m9": {"version": 1, "values": {"mittari": "m"}}}
    assert collect_edits(shown(), returned, dict(before)) == before


def test_pending_values_show_over_stored_ones():
    out = apply_pending(shown(), {"m1": {"version": 3, "values": {"toimenpide": "luonnos"}}})
    assert list(out["toimenpide"]) == ["luonnos", "teksti 2"]


def test_prepared_rows_give_the_grid_the_same_payload_as_the_frame(plan, tmp_path):
    """The rows made once per frame reach the grid as streamlit-aggrid would make them, except that
    each row's id is its measure id (so a live update changes rows in place, ui.grid_columns.keep_place)."""
    from st_aggrid.aggrid_utils import _parse_data_and_grid_options

    from core.store import Store
    from core.views.queries import measures_display
    from ui.grid_columns import grid_options
    from ui.grid_rows import PreparedRows, grid_types, rows_json

    store = Store.open(f"sqlite:///{tmp_path / 'grid.db'}")
    store.seed(plan)
    frame = grid_types(measures_display(plan, store.measures(), "fi"))
    frame.loc[0, "toimenpide"] = 'Lainausmerkit " ja <b>HTML</b>\nrivinvaihto, ääkköset'
    ours = _parse_data_and_grid_options(PreparedRows(frame), grid_options(frame, "fi", True), {}, False, True)
    theirs = _parse_data_and_grid_options(frame.copy(deep=False), grid_options(frame, "fi", True), {}, False, True)
    assert ours[0] is None and theirs[0] is None  # the rows travel as JSON text in gridOptions
    ours_rows, theirs_rows = json.loads(ours[1]["rowData"]), json.loads(theirs[1]["rowData"])
    assert [r.pop("::auto_unique_id::") for r in ours_rows] == list(frame["measure_id"])
    assert [r.pop("::auto_unique_id::") for r in theirs_rows] == [str(i) for i in range(len(frame))]
    assert ours_rows == theirs_rows
    assert {k: v for k, v in ours[1].items() if k != "rowData"} == {
        k: v for k, v in theirs[1].items() if k != "rowData"
    }
    assert len(pd.read_json(StringIO(ours[1]["rowData"]))) == len(frame) == 176
    assert rows_json(frame) is rows_json(frame)  # made once per frame
    assert "::auto_unique_id::" not in frame.columns  # the shown frame itself is not changed


def test_a_field_typed_back_as_it_was_is_no_edit():
    first = shown().astype(object)
    first.loc[0, "mittari"] = "luonnos"
    pending = collect_edits(shown(), first, {})
    again_shown = apply_pending(shown(), pending)
    back = again_shown.astype(object)
    back.loc[0, "mittari"] = ""  # as it was shown first
    assert collect_edits(again_shown, back, pending) == {}
