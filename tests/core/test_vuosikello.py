"""The annual clock: default events, ring figure, upcoming events."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.store import InvalidEdit, Store
from core.views import vuosikello as vk


def _events(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"event_id": e, "title": ti, "months": m, "owner": "", "description": ""} for e, ti, m in rows]
    )


def test_default_events_load_and_validate() -> None:
    events = vk.load_default_events()
    assert 8 <= len(events) <= 12
    assert len({e["event_id"] for e in events}) == len(events)
    for e in events:
        assert set(e) == {"event_id", "title", "months", "owner", "description"}
        months = [int(m) for m in e["months"].split(",")]
        assert all(1 <= m <= 12 for m in months) and months == sorted(months)
        assert e["title"]
    titles = " ".join(e["title"] for e in events)
    for needle in ("Kouluterveyskysely", "FinLapset", "vuosiarviointi", "Lasten oikeuksien päivä", "Talousarvio"):
        assert needle.lower() in titles.lower()


def test_default_events_seed_a_store(mini_plan) -> None:
    store = Store.open("sqlite://")
    store.seed(mini_plan, events_rows=vk.load_default_events())
    assert len(store.events()) == len(vk.load_default_events())


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("event_id,title,months,owner,description\na,Otsikko,13,,\n", "1–12"),
        ("event_id,title,months,owner,description\na,,3,,\n", "Otsikko"),
        ("event_id,title,months,owner,description\na,X,3,,\na,Y,4,,\n", "toistuu"),
        ("event_id,title,months,owner,description\n,X,3,,\n", "tunnus"),
        ("event_id,title,months\na,X,3\n", "puuttuvat"),
    ],
)
def test_bad_event_files_are_refused(tmp_path, csv_text: str, message: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text(csv_text, encoding="utf-8")
    with pytest.raises(InvalidEdit) as exc:
        vk.load_default_events(path)
    assert message in exc.value.message


def test_bad_event_file_row_has_an_english_text(tmp_path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("event_id,title,months,owner,description\na,,3,,\n", encoding="utf-8")
    with pytest.raises(InvalidEdit) as exc:
        vk.load_default_events(path)
    assert exc.value.message == "events.csv, rivi 2: Kenttä 'Otsikko' on pakollinen."
    assert exc.value.field == "title"
    assert exc.value.text("en") == "events.csv, row 2: The field 'Title' is required."


def test_figure_places_events_in_their_months_sharing_rings_when_apart() -> None:
    df = _events(("b", "Syksy", "9,10"), ("a", "Kevät", "3"), ("c", "Vuodenvaihde", "12,1"), ("d", "Maaliskuu", "3,4"))
    fig = vk.vuosikello_figure(df, "fi")
    rings = [tr for tr in fig.data if tr.type == "barpolar"]
    assert [tr.name for tr in rings] == ["1. Vuodenvaihde", "2. Kevät", "3. Maaliskuu", "4. Syksy"]  # by first month
    thetas = {tr.name: list(tr.theta) for tr in rings}
    assert thetas["2. Kevät"] == [60]  # March: 2 × 30°
    assert thetas["4. Syksy"] == [240, 270]
    assert thetas["1. Vuodenvaihde"] == [0, 330]
    # events without a common month share a ring (the fullest one outermost); the two March events do not
    assert [tr.base[0] for tr in rings] == [1, 1, 0, 1]
    for a in rings:
        for b in rings:
            if a is not b and a.base[0] == b.base[0]:
                assert not set(a.theta) & set(b.theta)
    labels = [tr for tr in fig.data if tr.type == "scatterpolar"]
    # one number per run of consecutive months (December–January is one run), readable without colour
    assert [list(tr.text) for tr in labels] == [["1"], ["2"], ["3"], ["4"]]
    # each number in its own month (the second March event's number moves to April, off the first's)
    assert [list(tr.theta) for tr in labels] == [[330], [60], [90], [240]]
    assert all(tr.textfont.size >= 14 for tr in labels)
    polar = fig.layout.polar
    assert polar.angularaxis.rotation == 90 and polar.angularaxis.direction == "clockwise"
    assert polar.angularaxis.ticktext[0] == "tammi"  # short names around the wheel, full ones in the key
    assert fig.layout.height >= 600 and fig.layout.showlegend is False  # the key is drawn by the page as text
    key = vk.legend_rows(df, "fi")
    assert list(key["number"]) == [1, 2, 3, 4]
    assert list(key["months"])[0] == "tammikuu, joulukuu" and list(key["title"])[3] == "Syksy"


def test_figure_text_is_at_least_14_px() -> None:
    from datetime import date

    fig = vk.vuosikello_figure(pd.DataFrame(vk.load_default_events()), "fi", today=date(2026, 11, 28))
    assert fig.layout.font.size >= 14 and fig.layout.polar.angularaxis.tickfont.size >= 14
    assert fig.layout.hoverlabel.font.size >= 14
    assert max(tr.base[0] for tr in fig.data if tr.type == "barpolar" and tr.meta.get("role") != "today") <= 4


def test_figure_marks_the_current_month_and_speaks_english() -> None:
    df = _events(("a", "Kevät", "3"))
    fig = vk.vuosikello_figure(df, "en", today=date(2025, 11, 20))
    today = [tr for tr in fig.data if tr.meta and tr.meta.get("role") == "today"]
    assert len(today) == 1 and list(today[0].theta) == [300]
    assert "November" in today[0].name
    assert fig.layout.polar.angularaxis.ticktext[10] == "<b>▶ Nov</b>"
    assert fig.layout.polar.angularaxis.ticktext[0] == "Jan"


def test_figure_escapes_user_text_in_hover_and_legend() -> None:
    df = pd.DataFrame(
        [
            {
                "event_id": "x",
                "title": "<script>alert(1)</script>",
                "months": "5",
                "owner": "<b>Kunta</b>",
                "description": "a & b",
            }
        ]
    )
    fig = vk.vuosikello_figure(df, "fi")
    ring = fig.data[0]
    assert "<script>" not in ring.name and "&lt;script&gt;" in ring.name
    hover = ring.customdata[0]
    assert "&lt;script&gt;" in hover and "&lt;b&gt;Kunta&lt;/b&gt;" in hover and "a &amp; b" in hover


def test_figure_without_events_and_deleted_rows_are_ignored() -> None:
    df = _events(("a", "Pois", "3"))
    df["deleted"] = [True]
    fig = vk.vuosikello_figure(df, "fi")
    assert [tr for tr in fig.data if tr.type == "barpolar"] == []
    assert "ei ole tapahtumia" in fig.layout.annotations[0].text


@pytest.mark.parametrize(
    ("today", "expected_titles", "expected_until"),
    [
        (date(2025, 11, 5), ["Marras", "Joulu", "Tammi", "Maalis"], [0, 1, 2, 4]),
        (date(2025, 12, 31), ["Joulu", "Tammi", "Maalis", "Marras"], [0, 1, 3, 11]),
        (date(2026, 1, 1), ["Tammi", "Maalis", "Marras", "Joulu"], [0, 2, 10, 11]),
        (date(2025, 4, 1), ["Marras", "Joulu", "Tammi", "Maalis"], [7, 8, 9, 11]),
    ],
)
def test_upcoming_events_wrap_over_the_year_end(
    today: date, expected_titles: list[str], expected_until: list[int]
) -> None:
    df = _events(("t", "Tammi", "1"), ("m", "Maalis", "3"), ("n", "Marras", "11"), ("j", "Joulu", "12"))
    out = vk.upcoming_events(df, today, n=10)
    assert list(out["title"]) == expected_titles
    assert list(out["months_until"]) == expected_until


def test_upcoming_events_next_year_and_limit() -> None:
    df = _events(("a", "Kevät", "3,4"), ("b", "Syksy", "9,10,11"), ("c", "Joulu", "12"))
    out = vk.upcoming_events(df, date(2025, 10, 15), n=2)
    assert list(out["title"]) == ["Syksy", "Joulu"]
    assert out.loc[0, "when"] == "nyt (lokakuu)"
    assert out.loc[0, "next_month"] == 10 and out.loc[0, "next_year"] == 2025
    later = vk.upcoming_events(df, date(2025, 10, 15), n=5, lang="en")
    assert later.loc[2, "title"] == "Kevät" and later.loc[2, "next_year"] == 2026
    assert later.loc[2, "when"] == "March 2026"


def test_upcoming_events_from_the_store(mini_store, editor) -> None:
    store = mini_store
    store.save_event(None, {"title": "Kokous", "months": "2,5", "owner": "Työryhmä"}, None, editor)
    out = vk.upcoming_events(store.events(), date(2025, 3, 1))
    assert list(out["title"]) == ["Kokous"] and out.loc[0, "next_month"] == 5
    assert vk.upcoming_events(pd.DataFrame(columns=vk.EVENT_COLUMNS), date(2025, 3, 1)).empty
