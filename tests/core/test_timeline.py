"""The measures' Gantt timeline: bars from start/end/permanent, undated list, status, escaping."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.store import MeasureEdit
from core.views import timeline as tl


def _measures(*rows: dict) -> pd.DataFrame:
    base = {
        "actor_id": "kymsote",
        "subgoal_id": "I.1",
        "row_kind": "measure",
        "toimenpide": "Teksti",
        "aikataulu": "",
        "status": "",
        "start_year": None,
        "end_year": None,
        "permanent": False,
    }
    out = []
    for i, r in enumerate(rows, start=1):
        row = {**base, "seq": i, **r}
        row.setdefault("measure_id", f"{row['actor_id']}-{row['subgoal_id']}-{row['seq']}")
        out.append(row)
    return pd.DataFrame(out)


@pytest.mark.parametrize(
    ("row", "start", "end", "marker", "open_ended"),
    [
        ({"start_year": 2021, "end_year": 2023}, 2021, 2023, "", False),
        ({"start_year": 2021, "end_year": 2021}, 2021, 2021, "", False),
        ({"start_year": 2020, "permanent": True}, 2020, 2025, "→ pysyvä", True),
        ({"start_year": 2020, "permanent": "true"}, 2020, 2025, "→ pysyvä", True),
        ({"start_year": 2022}, 2022, 2025, "→ jatkuu", True),
        ({"start_year": 2022, "status": "päättynyt"}, 2022, 2022, "loppuvuosi puuttuu", False),
        ({"start_year": 2020, "end_year": 2027, "permanent": True}, 2020, 2027, "→ pysyvä", True),
        ({"start_year": 2027}, 2027, 2027, "→ jatkuu", True),
    ],
)
def test_bar_years(mini_plan, row, start, end, marker, open_ended) -> None:
    frame = tl.timeline_frame(mini_plan, _measures(row), "fi")
    r = frame.iloc[0]
    assert (r["start"], r["end"], r["marker"], bool(r["open_ended"])) == (start, end, marker, open_ended)


def row_lines(fig) -> list[tuple[int, str]]:
    """(row, text) of the lines written above the timeline's rows (actor names and measure labels)."""
    return [(round(a.y), a.text) for a in fig.layout.annotations if a.yref == "y"]


def line_of(fig, measure_id: str) -> str:
    """The text written above a measure's bar."""
    y = {mid: round(y - tl.BAR_SHIFT) for tr in fig.data for mid, y in zip(tr.meta["measure_ids"], tr.y, strict=True)}
    return dict(row_lines(fig))[y[measure_id]]


def test_horizon_overrides_the_plan_end(mini_plan) -> None:
    df = _measures({"start_year": 2020, "permanent": True})
    assert tl.timeline_frame(mini_plan, df, horizon=2030).iloc[0]["end"] == 2030
    fig = tl.timeline_figure(mini_plan, df, "fi", horizon=2030)
    assert fig.data[0].base[0] == 2020 and fig.data[0].x[0] == 11  # 2020…2030 inclusive
    assert "→ pysyvä" in line_of(fig, fig.data[0].meta["measure_ids"][0])
    assert tuple(fig.layout.xaxis.range) == (2020, 2031)


def test_only_dated_real_measures_are_drawn_and_undated_are_listed(mini_plan) -> None:
    df = _measures(
        {"start_year": 2021, "end_year": 2022},
        {"start_year": None, "permanent": True, "toimenpide": "Ilman vuotta"},
        {"row_kind": "reference", "start_year": 2021},
        {"start_year": 2020, "deleted": True},
    )
    df["deleted"] = df["deleted"].fillna(False).astype(bool)
    frame = tl.timeline_frame(mini_plan, df)
    assert list(frame["measure_id"]) == ["kymsote-I.1-1"]
    undated = tl.undated_measures(df, mini_plan)
    assert list(undated["toimenpide"]) == ["Ilman vuotta"] and undated["actor"].iloc[0] == "Kymsote"
    fig = tl.timeline_figure(mini_plan, df, "fi")
    drawn = [mid for tr in fig.data for mid in tr.meta["measure_ids"]]
    assert drawn == ["kymsote-I.1-1"]
    assert any("1 toimenpide ilman alkuvuotta ei näy" in a.text.replace("<br>", " ") for a in fig.layout.annotations)


def test_rows_grouped_by_actor_in_plan_order(mini_plan) -> None:
    df = _measures(
        {"actor_id": "hamina", "subgoal_id": "II.1", "start_year": 2020, "toimenpide": "H2"},
        {"actor_id": "hamina", "subgoal_id": "I.1", "start_year": 2020, "toimenpide": "H1"},
        {"actor_id": "kymsote", "subgoal_id": "I.2", "start_year": 2021, "toimenpide": "K1"},
    )
    fig = tl.timeline_figure(mini_plan, df, "en")
    ticks = [text.split("<br>")[0] for _, text in sorted(row_lines(fig))]
    assert ticks == ["<b>Kymsote</b>", "I.2 · K1", "<b>City of Hamina</b>", "I.1 · H1", "II.1 · H2"]
    assert line_of(fig, "kymsote-I.2-3").startswith("I.2 · K1")  # each bar under its own line
    assert line_of(fig, "hamina-II.1-1").startswith("II.1 · H2")


def test_status_traces_colours_and_labels(mini_plan) -> None:
    statuses = ["suunniteltu", "käynnissä", "vakiintunut", "päättynyt", ""]
    df = _measures(*({"start_year": 2020, "end_year": 2021, "status": s} for s in statuses))
    fig = tl.timeline_figure(mini_plan, df, "fi")
    assert [tr.meta["status"] for tr in fig.data] == statuses
    assert [tr.name for tr in fig.data] == [
        "◔ suunniteltu",
        "▶ käynnissä",
        "● vakiintunut",
        "■ päättynyt",
        "tila ei kirjattu",
    ]
    assert len({tr.marker.color for tr in fig.data}) == 5
    for tr in fig.data[:4]:  # the status word is written with the bar (readable without colour)
        assert tr.name in line_of(fig, tr.meta["measure_ids"][0])
    # a missing status is said once, in the legend, not with a '?' above the bar
    missing = line_of(fig, fig.data[4].meta["measure_ids"][0])
    assert "?" not in missing and "tila" not in missing and "2020–2021" in missing


def test_a_plan_without_any_status_says_so_once(mini_plan) -> None:
    fig = tl.timeline_figure(mini_plan, _measures({"start_year": 2020}, {"start_year": 2021}), "fi")
    assert [tr.name for tr in fig.data] == ["Tilaa ei ole kirjattu"]
    assert fig.layout.showlegend
    assert all("?" not in line_of(fig, mid) for mid in fig.data[0].meta["measure_ids"])


def test_a_long_measure_reads_in_whole_words_over_two_lines(mini_plan) -> None:
    long = "Lapsen ja nuoren mielipiteen kuuleminen ja huomioiminen omissa asioissa ja päätöksenteossa aina"
    fig = tl.timeline_figure(mini_plan, _measures({"start_year": 2020, "toimenpide": long}), "fi")
    first, second, detail = line_of(fig, "kymsote-I.1-1").split("<br>")
    assert first == "I.1 · Lapsen ja nuoren mielipiteen"  # more than the old ~30 characters
    assert second.endswith("…") and len(second) <= tl.MEASURE_CHARS
    assert (first + " " + second[:-1]).replace("I.1 · ", "") in long  # cut between words, not inside one
    assert detail.startswith("2020")
    assert long.split()[-1] in fig.data[0].customdata[0]  # the whole text is in the hover


def test_hover_and_labels_escape_user_text(mini_plan) -> None:
    evil = "<script>alert('x')</script>\nToinen rivi & muuta"
    fig = tl.timeline_figure(mini_plan, _measures({"start_year": 2020, "toimenpide": evil, "aikataulu": "<i>2020</i>"}))
    hover = fig.data[0].customdata[0]
    assert "<script>" not in hover and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in hover
    assert "<br>Toinen rivi &amp; muuta" in hover
    assert "&lt;i&gt;2020&lt;/i&gt;" in hover
    assert all("<script>" not in text for _, text in row_lines(fig))
    assert fig.data[0].hovertemplate == "%{customdata}<extra></extra>"


def test_today_line_and_empty_figure(mini_plan) -> None:
    fig = tl.timeline_figure(mini_plan, _measures({"start_year": 2020, "end_year": 2024}), "fi", today=date(2023, 7, 1))
    assert any(s.type == "line" and s.line.dash == "dot" and 2023 < s.x0 < 2024 for s in fig.layout.shapes)
    empty = tl.timeline_figure(mini_plan, _measures({"start_year": None}), "fi")
    assert len(empty.data) == 0
    assert any("Ei aikataulutettuja" in a.text for a in empty.layout.annotations)


def test_with_the_store_after_an_edit(mini_plan, mini_store, editor) -> None:
    store = mini_store
    store.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"start_year": 2021, "status": "vakiintunut"})], editor)
    frame = tl.timeline_frame(mini_plan, store.measures(), "fi")
    assert list(frame["measure_id"]) == ["kymsote-I.1-1", "hamina-I.1-1"]
    hamina = frame.set_index("measure_id").loc["hamina-I.1-1"]
    assert hamina["marker"] == "→ pysyvä" and hamina["status"] == "vakiintunut"
    assert tl.undated_measures(store.measures(), mini_plan).empty
