"""One indicator over the years: areas by dash + symbol, the trend word, single-year note."""

from __future__ import annotations

import pandas as pd
import pytest

from core.plan.model import Plan
from core.store import Editor, Store
from core.views import trends as tr
from core.views.queries import observations_frame, trend_frame


def _obs(plan: Plan, extra: list[tuple]) -> pd.DataFrame:
    """The mini plan's observations plus (indicator, group, area, year, value[, note]) rows."""
    rows = [
        {
            "indicator_id": i,
            "series_id": "",
            "group_id": g,
            "area": a,
            "year": y,
            "value": v,
            "value_as_printed": "",
            "flag": "",
            "note": (rest[0] if rest else ""),
        }
        for i, g, a, y, v, *rest in extra
    ]
    return pd.concat([observations_frame(plan), pd.DataFrame(rows)], ignore_index=True)


@pytest.mark.parametrize(
    ("later_value", "trend", "word"),
    [(92.0, "paranee", "↗ paranee"), (88.5, "ennallaan", "→ ennallaan"), (80.0, "heikkenee", "↘ heikkenee")],
)
def test_trend_word_in_legend_and_label(mini_plan, later_value, trend, word) -> None:
    obs = _obs(mini_plan, [(7, "lk4_5", "kymenlaakso", 2021, later_value), (7, "lk4_5", "koko_maa", 2021, 89.0)])
    fig = tr.trend_figure(trend_frame(mini_plan, obs, 7, group="lk4_5"), "fi", unit="percent")
    kym = next(t for t in fig.data if t.meta["area"] == "kymenlaakso")
    assert kym.meta["trend"] == trend
    assert kym.name.endswith(word)
    assert [a.text for a in fig.layout.annotations] == [word]
    assert list(kym.x) == [2019, 2021] and list(kym.y) == [88.0, later_value]


def test_areas_differ_by_dash_and_symbol_per_group(mini_plan) -> None:
    obs = _obs(
        mini_plan,
        [
            (7, "lk4_5", "kymenlaakso", 2021, 92),
            (7, "lk4_5", "koko_maa", 2021, 89),
            (7, "lk8_9", "kymenlaakso", 2021, 70),
            (7, "lk8_9", "koko_maa", 2021, 74),
        ],
    )
    fig = tr.trend_figure(trend_frame(mini_plan, obs, 7, lang="en"), "en", unit="percent")
    assert [(t.meta["group_id"], t.meta["area"]) for t in fig.data] == [
        ("lk4_5", "kymenlaakso"),
        ("lk4_5", "koko_maa"),
        ("lk8_9", "kymenlaakso"),
        ("lk8_9", "koko_maa"),
    ]
    styles = {(t.meta["group_id"], t.meta["area"]): (t.line.dash, t.marker.symbol, t.line.color) for t in fig.data}
    assert styles[("lk4_5", "kymenlaakso")][:2] == ("solid", "circle")
    assert styles[("lk4_5", "koko_maa")][:2] == ("dash", "diamond")
    assert styles[("lk4_5", "kymenlaakso")][2] == styles[("lk4_5", "koko_maa")][2]  # same group colour
    assert styles[("lk4_5", "kymenlaakso")][2] != styles[("lk8_9", "kymenlaakso")][2]
    assert fig.data[0].name == "Grades 4–5 · Kymenlaakso — ↗ improving"
    assert fig.data[1].name == "Grades 4–5 · Whole country"
    assert list(fig.layout.xaxis.tickvals) == [2019, 2021]
    assert fig.layout.yaxis.title.text == "Share, %"


def test_single_year_draws_no_trend_and_says_so(mini_plan) -> None:
    frame = trend_frame(mini_plan, observations_frame(mini_plan), 7)
    fig = tr.trend_figure(frame, "fi", unit="percent")
    assert len(fig.data) == 0  # no lone points posing as a trend
    assert [a.text for a in fig.layout.annotations] == [
        "Kehityskuvaa ei voi piirtää: yhdelläkään ryhmällä ei ole arvoja kahdelta vuodelta."
    ]
    assert not tr.has_series(frame)
    assert tr.single_year_groups(frame) == ["4.–5. lk", "8.–9. lk"]


def test_only_groups_with_two_years_get_a_line(mini_plan) -> None:
    obs = _obs(mini_plan, [(7, "lk4_5", "kymenlaakso", 2021, 92)])
    frame = trend_frame(mini_plan, obs, 7)
    fig = tr.trend_figure(frame, "fi", unit="percent")
    assert {t.meta["group_id"] for t in fig.data} == {"lk4_5"}  # lk8_9 has one year only: no trace at all
    kym = next(t for t in fig.data if t.meta["area"] == "kymenlaakso")
    assert kym.mode == "lines+markers" and list(kym.x) == [2019, 2021]
    assert tr.has_series(frame) and tr.single_year_groups(frame) == ["8.–9. lk"]


def test_trend_text_is_at_least_14_px(mini_plan) -> None:
    obs = _obs(mini_plan, [(7, "lk4_5", "kymenlaakso", 2021, 92), (7, "lk8_9", "kymenlaakso", 2021, 70)])
    fig = tr.trend_figure(trend_frame(mini_plan, obs, 7), "fi", unit="percent")
    assert fig.layout.font.size >= 14 and fig.layout.legend.font.size >= 14
    assert fig.layout.xaxis.tickfont.size >= 14 and fig.layout.yaxis.tickfont.size >= 14
    assert fig.layout.hoverlabel.font.size >= 14
    assert all(a.font.size is None or a.font.size >= 14 for a in fig.layout.annotations)
    assert fig.layout.font.color == "#1a1a1a"


def test_hover_escapes_flags_never_shows_notes_and_empty_frame(mini_plan) -> None:
    obs = _obs(mini_plan, [(7, "lk4_5", "kymenlaakso", 2021, 92, "<script>x</script>")])
    obs.loc[obs.index[-1], "flag"] = "<b>tarkista</b>"  # an editor's own flag text from an import
    fig = tr.trend_figure(trend_frame(mini_plan, obs, 7, group="lk4_5"), "fi", unit="percent")
    hover = " ".join(c for t in fig.data for c in t.customdata)
    assert "script" not in hover  # the observation's note is for maintainers (data/), never shown
    assert "<b>tarkista</b>" not in hover and "&lt;b&gt;tarkista&lt;/b&gt;" in hover
    assert "92 %" in hover and "88 %" in hover
    empty = tr.trend_figure(trend_frame(mini_plan, obs, 31, group="vaesto"), "fi")
    assert len(empty.data) == 0 and empty.layout.annotations[0].text == "Indikaattorilla ei ole arvoja."


def test_from_store_observations_count_unit(mini_plan) -> None:
    store = Store.open("sqlite://", mini_plan)
    row = {
        "indicator_id": 16,
        "series_id": "ilmoitukset",
        "group_id": "vaesto",
        "area": "kymenlaakso",
        "year": 2021,
        "value": 4000,
        "value_as_printed": "4000",
        "flag": "",
        "note": "",
    }
    store.upsert_observations([row], Editor("Testi"))
    frame = trend_frame(mini_plan, store.observations(), 16, "ilmoitukset")
    fig = tr.trend_figure(frame, "fi", unit="count")
    assert len(fig.data) == 1 and fig.data[0].meta["trend"] == "ennallaan"  # context indicator
    assert fig.layout.yaxis.title.text == "Lukumäärä"  # a count says what it counts, not "Arvo"


def test_pairs_with_series_are_those_with_two_kymenlaakso_years(mini_plan) -> None:
    pairs = [(31, ""), (7, "")]
    assert tr.pairs_with_series(observations_frame(mini_plan), pairs) == []  # the plan prints one year each
    obs = _obs(mini_plan, [(7, "lk4_5", "kymenlaakso", 2021, 92), (31, "lk4_5", "koko_maa", 2021, 5)])
    assert tr.pairs_with_series(obs, pairs) == [(7, "")]  # a second national year alone is no trend
    assert tr.pairs_with_series(obs, pairs, "lk4_5") == [(7, "")]
    assert tr.pairs_with_series(obs, pairs, "lk8_9") == []
