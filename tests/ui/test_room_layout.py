"""The measures grid and small tables as the room reads them: options and HTML, without a browser."""

from __future__ import annotations

import pandas as pd

from core.plan.model import MEASURE_TEXT_FIELDS
from ui import grid_columns, grid_edits, grid_rows, grid_save
from ui.tables import table_html


def _options(editable=True):
    frame = grid_rows.grid_types(pd.DataFrame({c: ["x"] for c in grid_rows.GRID_COLUMNS}))
    return grid_columns._build_grid_options(frame, "fi", editable)


def test_grid_scrolls_sideways_instead_of_squeezing_columns():
    options = _options()
    assert "autoSizeStrategy" not in options  # fitGridWidth squeezed 14 columns into the page
    widths = {c["field"]: c["width"] for c in options["columnDefs"] if not c.get("hide")}
    assert sum(widths.values()) > 1800  # wider than a 1280 px projector: a sideways scroll
    assert widths["toimenpide"] >= 300 and min(widths.values()) >= 100


def test_rows_are_capped_and_every_header_has_its_full_text_as_tooltip():
    options = _options()
    assert options["rowHeight"] <= 90 and options["defaultColDef"]["autoHeight"] is False
    for col in options["columnDefs"]:
        if not col.get("hide"):
            assert col["headerTooltip"] == col["headerName"]
    text_cols = [c for c in options["columnDefs"] if c["field"] in MEASURE_TEXT_FIELDS]
    assert all(c["tooltipField"] == c["field"] for c in text_cols)
    assert all("numericColumn" not in (c.get("type") or []) for c in text_cols)  # text reads left-aligned
    # the grid's editor never cuts a long paste (the store's limit is said before saving)
    assert all(c["cellEditorParams"]["maxLength"] > 4000 for c in text_cols)


def test_too_long_pending_texts_are_listed_before_saving():
    pending = {"a-I.1-1": {"version": 1, "values": {"toimenpide": "x" * 10_000, "mittari": "ok"}}}
    assert grid_save.too_long(pending) == [("a-I.1-1", "toimenpide", 10_000)]


def test_the_clicked_row_is_the_selected_node_of_the_grid_value():
    # what a click does on the page: tests/ui/test_edit_flow.py::test_row_click_opens_the_whole_measure_below_the_grid
    value = {
        "nodes": [
            {"id": "0", "data": {"measure_id": "a"}, "isSelected": False},
            {"id": "1", "data": {"measure_id": "b"}, "isSelected": True},
        ]
    }
    assert grid_edits.selected_id(value) == "b"
    assert grid_edits.selected_id({"nodes": []}) is None
    assert grid_edits.selected_id(None) is None


def test_tables_escape_every_cell_and_label_it_for_phones():
    html = table_html(pd.DataFrame({"Nimi": ["<img src=x onerror=alert(1)>"], "Indikaattorit": ["1, 2"]}))
    assert "<img" not in html and "&lt;img" in html
    assert 'data-label="Nimi"' in html and '<th scope="col">Indikaattorit</th>' in html


def test_phones_get_the_cards_and_every_other_browser_the_grid():
    """Which of the two a session is drawn, from what its browser says it is (ui.measure_panel.on_phone)."""
    from ui.measure_panel import phone_browser

    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"
    firefox_phone = "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0"
    tablet = (
        "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    )
    laptop = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    assert all(phone_browser(ua, "") for ua in (iphone, android, firefox_phone))
    assert phone_browser(laptop, "?1")  # Chromium's own hint wins (a phone asking for the desktop site)
    assert not any(phone_browser(ua, hint) for ua in (tablet, laptop, "") for hint in ("", "?0"))
