"""The grid runs no code of ours but keep_place's (issue #20): st_aggrid's allow_unsafe_jscode turns every
``::JSCODE::`` string in gridOptions into a function in the browser, so no other option, no column
definition and no cell of row data may carry one (a measure text with that marker would be code)."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import UnknownElement

from core.store import Editor, MeasureEdit, Store
from ui import grid_columns, grid_rows
from ui.grid_columns import _KEEP_EDITOR_JS
from ui.state import PAGE_VIEWS

MARK = "::JSCODE::"
SHOWS_A_GRID = {("pages/toimenpiteet.py", "toimenpiteet"), ("pages/paatavoite-1.py", "toimenpiteet")}
PAGES = sorted({"pages/toimenpiteet.py", "pages/tyopaja.py", *PAGE_VIEWS})


def grids(at: AppTest) -> list[dict]:
    """The arguments of every AgGrid component on the page, as the browser gets them."""
    found: list[dict] = []

    def walk(node) -> None:
        if isinstance(node, UnknownElement) and "AgGrid" in getattr(node.proto, "component_name", ""):
            found.append(json.loads(node.proto.json_args))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def code_in(value: object, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every string the grid would run as code, with where it is: st_aggrid's browser side makes a function
    of any string holding ``::JSCODE::…::JSCODE::`` anywhere in gridOptions except its top-level rowData."""
    if path == ("gridOptions", "rowData"):
        return []
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in code_in(v, (*path, k))]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in code_in(v, (*path, i))]
    if isinstance(value, str) and MARK in value:
        return [(path, value)]
    return []


def open_page(page: str, view: str | None) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60)
    if view:
        at.session_state["view"] = view
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["fi", "en"])
@pytest.mark.parametrize("editable", [True, False])
def test_grid_options_carry_no_code_but_keep_place(lang, editable):
    frame = grid_rows.grid_types(pd.DataFrame({c: ["x"] for c in grid_rows.GRID_COLUMNS}))
    options = grid_columns.keep_place(grid_columns._build_grid_options(frame, lang, editable))
    hits = code_in({"gridOptions": options})
    assert hits == [(("gridOptions", "onGridReady"), _KEEP_EDITOR_JS)], hits


@pytest.mark.parametrize(("page", "view"), [(p, v) for p in PAGES for v in PAGE_VIEWS.get(p, (None,))])
def test_only_keep_place_code_reaches_a_grid(page, view):
    found = grids(open_page(page, view))
    assert found or (page, view) not in SHOWS_A_GRID
    for args in found:
        hits = code_in(args)
        assert [p for p, _ in hits] == [("gridOptions", "onGridReady")], hits
        assert hits[0][1] == _KEEP_EDITOR_JS


def test_a_measure_text_with_the_code_mark_stays_data(plan_in_force):
    """Someone types the mark into a measure: it reaches the grid only inside rowData, which is never run."""
    store = Store.open(os.environ["KYMLAPSET_DATABASE_URL"])
    open_page("pages/overview.py", None)  # seeds the store
    row = store.measures().query("row_kind == 'measure'").iloc[0]
    text = f"{MARK}function() {{ window.hacked = true; }}{MARK}"
    store.save_measure_edits(
        [MeasureEdit(row["measure_id"], int(row["version"]), {"toimenpide": text}, {"toimenpide": row["toimenpide"]})],
        Editor("Anna"),
    )
    [args] = grids(open_page("pages/toimenpiteet.py", None))
    assert [p for p, _ in code_in(args)] == [("gridOptions", "onGridReady")]
    assert any(r.get("toimenpide") == text for r in json.loads(args["gridOptions"]["rowData"]))
