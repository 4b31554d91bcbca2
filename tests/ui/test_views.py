"""Cached views: a figure drawn again gives exactly what a fresh one would, and grid options."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools

from core.plan.loader import load_plan
from core.views import charts, queries
from ui.grid_columns import grid_options
from ui.grid_rows import grid_types
from ui.views import _pairs, _unpack, drawn_once


def test_a_drawn_once_figure_serialises_as_the_original():
    plan = load_plan()
    frame = queries.comparison_frame(plan, queries.observations_frame(plan), None, ["lk8_9"], "fi")
    for part in charts.split_by_unit(frame).values():
        fresh = charts.indicator_comparison_figure(part, "fi")
        cached = drawn_once(charts.indicator_comparison_figure(part, "fi"))
        # what st.plotly_chart does with a figure: to_dict via plotly.tools, then to_json
        once = plotly.tools.return_figure_from_figure_or_data(cached, validate_figure=True)
        assert once is plotly.tools.return_figure_from_figure_or_data(cached, validate_figure=True)
        assert pio.to_json(once, validate=False) == pio.to_json(fresh.to_dict(), validate=False)
        assert cached.data == fresh.data and cached.layout == fresh.layout  # the figure itself is unchanged


def test_drawn_once_keeps_none_and_drops_trace_uids():
    assert drawn_once(None) is None
    fig = drawn_once(go.Figure(go.Bar(x=[1], y=[2], uid="abc")))
    assert "uid" not in fig.to_dict()["data"][0]


def test_pairs_key_round_trip():
    for pairs in (None, [], [(1, ""), (16, "count"), (2, "a:b")]):
        assert _unpack(_pairs(pairs)) == pairs


def test_grid_options_are_built_once_and_handed_out_as_fresh_dicts():
    frame = grid_types(queries.measures_display(load_plan(), queries.measures_frame(load_plan()), "fi"))
    a, b = grid_options(frame, "fi", True), grid_options(frame, "fi", True)
    assert a == b and a is not b
    a["rowData"] = "[]"  # what AgGrid adds to the dict it gets
    assert "rowData" not in grid_options(frame, "fi", True)
    editable = {c["field"]: c.get("editable") for c in a["columnDefs"]}
    assert editable["mittari"] is True and editable["measure_id"] is not True
    read_only = {c["field"]: c.get("editable") for c in grid_options(frame, "fi", False)["columnDefs"]}
    assert not any(read_only.values())
    assert {c["field"]: c["headerName"] for c in grid_options(frame, "en", False)["columnDefs"]}["actor"] == "Actor"


def test_a_callers_copy_of_the_measures_is_its_own(tmp_path):
    from ui import data

    url = f"sqlite:///{tmp_path / 'own.db'}"
    store = data._store(url)
    version = store.data_version()
    src = data.Source(url, store.plans()[0].plan_id)
    mine = data.measures_at(src, version)
    first = mine.loc[0, "mittari"]
    mine.loc[0, "mittari"] = "muutettu vain tässä"  # a page changing its own frame in place
    mine["toimenpide"] = "x"
    again = data.measures_at(src, version)
    assert again.loc[0, "mittari"] == first and (again["toimenpide"] != "x").all()


def test_filtered_measures_are_the_filters_rows_and_each_callers_own():
    from ui import data, views

    filters = queries.Filters(actors=("poliisi", "mll"), goal="II")
    mine = views.filtered_measures(filters)
    expected = queries.filter_measures(data.measures(), filters)
    assert list(mine["measure_id"]) == list(expected["measure_id"]) and len(mine) > 0
    mine.loc[mine.index[0], "mittari"] = "vain minun kopiossani"
    assert (views.filtered_measures(filters)["mittari"] != "vain minun kopiossani").all()


def test_one_plotly_config_for_every_chart_in_the_users_language():
    """Every page draws through ``views.show_chart``; its config keeps only Plotly's download button,
    no logo, and in Finnish passes a Finnish locale (Streamlit bundles only Plotly's English)."""
    import json
    from pathlib import Path

    from ui.views import MODEBAR_REMOVE, chart_config

    fi, en = chart_config("fi"), chart_config("en")
    for config in (fi, en):
        assert config["displaylogo"] is False and "toImage" not in MODEBAR_REMOVE
        assert {"zoom2d", "pan2d", "autoScale2d", "resetScale2d", "select2d", "lasso2d"} <= set(
            config["modeBarButtonsToRemove"]
        )
        json.dumps(config)  # st.plotly_chart sends it as JSON
    assert fi["locale"] == "fi" and "locale" not in en
    dictionary = fi["locales"]["fi"]["dictionary"]
    assert dictionary["Download plot as a PNG"] == "Lataa kaavio kuvana (PNG)"
    assert fi["locales"]["fi"]["format"]["decimal"] == ","
    assert en["toImageButtonOptions"]["filename"] == "chart"
    root = Path(__file__).resolve().parents[2]
    callers = [
        p
        for p in [*root.glob("pages/*.py"), *root.glob("ui/*.py"), root / "app.py"]
        if "st.plotly_chart(" in p.read_text(encoding="utf-8")
    ]
    assert [p.name for p in callers] == ["views.py"]  # no page draws a chart around the shared config
