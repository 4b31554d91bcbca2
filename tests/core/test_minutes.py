"""Workshop minutes: time windows in Helsinki time, readable change rows, CSV and Word documents."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import pytest
from docx import Document

from core.documents import minutes
from core.documents.minutes import HELSINKI, Window
from core.store import Editor, MeasureEdit
from core.views import workshop

# 1 Dec 2026 14.30 in Helsinki (EET, UTC+2) is 12.30 UTC
NOW = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)


def change(
    change_id,
    at_utc,
    entity="measure",
    entity_id="kymsote-I.1-1",
    field="toimenpide",
    old="a",
    new="b",
    action="update",
    who="Maija",
):
    return {
        "change_id": change_id,
        "entity": entity,
        "entity_id": entity_id,
        "field": field,
        "old_value": old,
        "new_value": new,
        "action": action,
        "changed_by": who,
        "changed_at": at_utc,
        "reverts": None,
    }


CHANGES = pd.DataFrame(
    [
        change(1, "2026-11-30T21:59:59+00:00", old="yesterday"),  # 23.59.59 local on 30 Nov
        change(2, "2026-11-30T22:00:00+00:00", old="midnight"),  # 00.00 local on 1 Dec
        change(3, "2026-12-01T10:59:00+00:00", field="status", old="", new="käynnissä"),  # 12.59 local
        change(4, "2026-12-01T11:00:00+00:00", field="mittari", old="=SUM(A1)", new="+1", who="Pekka"),  # 13.00
        change(5, "2026-12-01T12:30:00+00:00", field="permanent", old="false", new="true"),  # 14.30, "now"
        change(
            6,
            "2026-12-01T11:30:00+00:00",
            entity="evaluation",
            entity_id="7",
            field="rating",
            old=None,
            new="3",
            action="create",
        ),
    ]
)


SECOND = timedelta(seconds=1)  # changes are stamped to the second: the window ends after now's second


@pytest.mark.parametrize(
    ("make", "start_local", "end_utc"),
    [
        (lambda: minutes.window_today(NOW), datetime(2026, 12, 1, 0, 0, tzinfo=HELSINKI), NOW + SECOND),
        (lambda: minutes.window_since(NOW, time(13, 0)), datetime(2026, 12, 1, 13, 0, tzinfo=HELSINKI), NOW + SECOND),
        (lambda: minutes.window_last_hours(NOW, 2), datetime(2026, 12, 1, 12, 30, tzinfo=HELSINKI), NOW + SECOND),
        (
            lambda: minutes.window_today(NOW + timedelta(microseconds=5)),
            datetime(2026, 12, 1, 0, 0, tzinfo=HELSINKI),
            NOW + SECOND,
        ),
    ],
)
def test_windows_are_in_helsinki_time(make, start_local, end_utc):
    window = make()
    assert window.start == start_local
    assert window.end == end_utc


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda: minutes.window_since(NOW, time(15, 0)), "minutes.error.future"),
        (lambda: minutes.window_last_hours(NOW, 0), "minutes.error.hours"),
        (lambda: minutes.window_last_hours(NOW, minutes.MAX_HOURS + 1), "minutes.error.hours"),
    ],
)
def test_senseless_windows_are_refused_with_a_message(call, key):
    with pytest.raises(minutes.WindowError) as info:
        call()
    assert info.value.key == key
    assert info.value.text("fi") and info.value.text("en")
    if key == "minutes.error.future":
        assert "15.00" in info.value.text("fi")


@pytest.mark.parametrize(
    ("window", "expected_ids"),
    [
        (minutes.window_today(NOW), [2, 3, 4, 6, 5]),  # oldest first; midnight is today, 23.59.59 is not
        (minutes.window_since(NOW, time(13, 0)), [4, 6, 5]),  # 13.00 exactly is inside, 12.59 is not
        (minutes.window_last_hours(NOW, 1), [6, 5]),  # 13.30 local, exactly an hour ago, is inside
        (Window(datetime(2026, 12, 1, 13, 0, tzinfo=HELSINKI), datetime(2026, 12, 1, 13, 30, tzinfo=HELSINKI)), [4]),
    ],
)
def test_changes_between_keeps_the_window_oldest_first(window, expected_ids):
    rows = minutes.changes_between(CHANGES, window.start, window.end)
    assert list(rows["change_id"]) == expected_ids


def test_rows_say_who_when_what_where_from_what_to_what():
    measures = pd.DataFrame(
        [
            {"measure_id": "kymsote-I.1-1", "actor_id": "kymsote", "subgoal_id": "I.1"},
            {"measure_id": "hamina-II.2-4", "actor_id": "hamina", "subgoal_id": "II.2"},
        ]
    )
    evaluations = pd.DataFrame([{"id": 7, "measure_id": "hamina-II.2-4", "year": 2026}])
    window = minutes.window_today(NOW)
    fi = minutes.changes_between(
        CHANGES, window.start, window.end, "fi", measures, evaluations, {"kymsote": "Kymsote", "hamina": "Hamina"}
    ).set_index("change_id")
    assert fi.loc[4, "when"] == "1.12.2026 13.00"
    assert fi.loc[4, "who"] == "Pekka"
    assert (fi.loc[4, "entity"], fi.loc[4, "actor"], fi.loc[4, "subgoal"], fi.loc[4, "target"]) == (
        "Toimenpide",
        "Kymsote",
        "I.1",
        "kymsote-I.1-1",
    )
    assert (fi.loc[4, "field"], fi.loc[4, "old"], fi.loc[4, "new"]) == ("Mittari / toteutuminen", "=SUM(A1)", "+1")
    assert (fi.loc[5, "field"], fi.loc[5, "old"], fi.loc[5, "new"]) == ("Pysyvä", "ei", "kyllä")
    # an evaluation names the measure it rates, and so its actor and sub-goal
    assert (fi.loc[6, "entity"], fi.loc[6, "actor"], fi.loc[6, "subgoal"], fi.loc[6, "target"], fi.loc[6, "old"]) == (
        "Vuosiarviointi",
        "Hamina",
        "II.2",
        "hamina-II.2-4",
        "",
    )
    en = minutes.changes_between(CHANGES, window.start, window.end, "en").set_index("change_id")
    assert en.loc[4, "when"] == "2026-12-01 13:00"
    assert (en.loc[4, "field"], en.loc[5, "new"], en.loc[4, "entity"]) == ("Metric / achievement", "yes", "Measure")
    assert en.loc[4, "actor"] == "kymsote"  # no names given: the id read from the measure id


def test_created_rows_show_their_text_not_json():
    created = pd.DataFrame(
        [
            change(
                1,
                "2026-12-01T11:00:00+00:00",
                field="*",
                old=None,
                new='{"toimenpide": "Uusi kerho", "mittari": ""}',
                action="create",
            )
        ]
    )
    row = minutes.changes_between(created, *minutes.window_today(NOW).__dict__.values()).iloc[0]
    assert (row["field"], row["new"]) == ("Uusi rivi", "Uusi kerho")


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        minutes.changes_between(CHANGES, datetime(2026, 12, 1), NOW)


@pytest.mark.parametrize(
    ("window", "lang", "title"),
    [
        (
            Window(datetime(2026, 12, 1, 13, 0, tzinfo=HELSINKI), datetime(2026, 12, 1, 14, 30, tzinfo=HELSINKI)),
            "fi",
            "Työpajan muutokset 1.12.2026 klo 13.00–14.30",
        ),
        (
            Window(datetime(2026, 12, 1, 13, 0, tzinfo=HELSINKI), datetime(2026, 12, 1, 14, 30, tzinfo=HELSINKI)),
            "en",
            "Workshop changes 2026-12-01 13.00–14.30",
        ),
        (
            Window(datetime(2026, 11, 30, 22, 0, tzinfo=HELSINKI), datetime(2026, 12, 1, 1, 5, tzinfo=HELSINKI)),
            "fi",
            "Työpajan muutokset 30.11.2026 klo 22.00 – 1.12.2026 klo 01.05",
        ),
    ],
)
def test_title_names_the_date_and_the_hours(window, lang, title):
    assert minutes.minutes_title(window, lang) == title


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Maija", "Maija"),
        ("", ""),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_formula_safe(value, safe):
    assert minutes.formula_safe(value) == safe


def _rows():
    window = minutes.window_today(NOW)
    return window, minutes.changes_between(CHANGES, window.start, window.end, "fi")


def test_csv_reads_back_with_headers_and_quoted_formulas():
    _, rows = _rows()
    raw = minutes.minutes_csv(rows, "fi")
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Aika", "Muuttaja", "Kohde", "Toimija", "Välitavoite", "Tunniste", "Kenttä", "Ennen", "Jälkeen"]
    assert len(table) == 1 + len(rows)
    by_who = {r[1]: r for r in table[1:]}
    assert by_who["Pekka"][7:] == ["'=SUM(A1)", "'+1"]
    assert by_who["Pekka"][0] == "1.12.2026 13.00"


def test_docx_has_the_title_and_one_table_row_per_change():
    window, rows = _rows()
    doc = Document(io.BytesIO(minutes.minutes_docx(rows, window, "fi")))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Työpajan muutokset 1.12.2026 klo 00.00–14.30"
    table = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][:3] == ["Aika", "Muuttaja", "Kohde"]
    assert len(cells) == 1 + len(rows)
    pekka = next(r for r in cells if r[1] == "Pekka")
    assert pekka[6:] == ["Mittari / toteutuminen", "=SUM(A1)", "+1"]  # Word shows text as it is


def test_docx_without_changes_says_so():
    window = minutes.window_last_hours(NOW, 1)
    empty = minutes.changes_between(CHANGES.iloc[:0], window.start, window.end)
    doc = Document(io.BytesIO(minutes.minutes_docx(empty, window, "en")))
    assert "No changes were made in this time window." in [p.text for p in doc.paragraphs]
    assert not doc.tables


# ``store``: tests/core/conftest.py (SQLite, and PostgreSQL when a server is given)


def test_store_history_between_reads_the_window(store):
    before = datetime.now(UTC) - timedelta(seconds=1)
    m = store.measures().iloc[0]
    store.save_measure_edits(
        [MeasureEdit(m["measure_id"], int(m["version"]), {"mittari": "uusi mittari"})], Editor("Testi")
    )
    window = minutes.window_last_hours(datetime.now(UTC), 1)
    changed = store.history_between(window.start, window.end)
    assert list(changed["new_value"]) == ["uusi mittari"]
    assert store.history_between(window.start - timedelta(hours=2), before).empty
    rows = minutes.changes_between(changed, window.start, window.end, "fi", store.measures(include_deleted=True))
    assert (rows.iloc[0]["who"], rows.iloc[0]["target"], rows.iloc[0]["new"]) == (
        "Testi",
        m["measure_id"],
        "uusi mittari",
    )


# the workshop view's content -------------------------------------------------------------------------


def test_subgoals_step_in_plan_order_and_stop_at_the_ends(plan):
    order = workshop.subgoal_order(plan)
    assert order[:2] == ["I.1", "I.2"] and order[-1].startswith("III.")
    assert workshop.step(plan, "I.7", 1) == "II.1"
    assert workshop.step(plan, "II.1", -1) == "I.7"
    assert workshop.step(plan, order[0], -1) == order[0]
    assert workshop.step(plan, order[-1], 1) == order[-1]
    assert workshop.step(plan, "IX.9", 1) == order[0]


def test_subgoal_pairs_follow_the_tiles(plan):
    assert workshop.subgoal_pairs(plan, "I.1") == [(28, ""), (10, ""), (9, ""), (12, ""), (14, "")]
    assert (16, "avohuolto_vuoden_aikana") in workshop.subgoal_pairs(plan, "I.6")
    assert (16, "ilmoitukset_vuoden_aikana") not in workshop.subgoal_pairs(plan, "I.6")


def test_subgoal_measures_every_actor_or_the_chosen_ones():
    frame = pd.DataFrame(
        [
            {"measure_id": "a-I.1-1", "actor_id": "a", "subgoal_id": "I.1", "row_kind": "measure"},
            {"measure_id": "b-I.1-1", "actor_id": "b", "subgoal_id": "I.1", "row_kind": "reference"},
            {"measure_id": "c-I.1-1", "actor_id": "c", "subgoal_id": "I.1", "row_kind": "dash"},
            {"measure_id": "a-I.2-1", "actor_id": "a", "subgoal_id": "I.2", "row_kind": "measure"},
        ]
    )
    assert list(workshop.subgoal_measures(frame, "I.1")["measure_id"]) == ["a-I.1-1", "b-I.1-1"]
    assert list(workshop.subgoal_measures(frame, "I.1", ("b",))["measure_id"]) == ["b-I.1-1"]


def test_workshop_cards_stop_at_a_readable_number_and_say_how_many_there_are():
    rows = pd.DataFrame({"measure_id": [f"m{i}" for i in range(100)]})
    shown, total = workshop.cards_to_show(rows)
    assert len(shown) == workshop.MAX_CARDS == 40 and total == 100
    assert list(shown["measure_id"][:2]) == ["m0", "m1"]  # plan order kept
    few, none = workshop.cards_to_show(rows.head(12))
    assert len(few) == 12 and none is None
