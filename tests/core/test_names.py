"""Look-alike and invisible names (issue #19, item 3): one cleaning (core.base.text.clean_name) wherever a name is typed
or shown — sign-in, the history's changed_by, evaluator, owner, contact, the minutes CSV and Word file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pandas as pd
import pytest
from docx import Document

from core.base.text import INVISIBLE, clean_name, strip_invisible
from core.documents import minutes
from core.serving import auth
from core.store import Editor, EventChange, InvalidEdit, MeasureEdit, PermissionDenied
from core.views import history

ZWSP, ZWNJ, ZWJ, WJ, BOM = "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"
RLO, LRO, PDF, LRE, RLE = "\u202e", "\u202d", "\u202c", "\u202a", "\u202b"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Matti Meikäläinen", "Matti Meikäläinen"),
        (f"Mat{ZWSP}ti", "Matti"),  # looked exactly like Matti's name in the history
        (f"Mat{ZWJ}ti{WJ}", "Matti"),
        (f"{BOM}Matti{ZWNJ}", "Matti"),
        (f"{RLO}ittaM", "ittaM"),  # was shown reversed ("Matti") in the app, the CSV and Word
        (f"{LRE}{RLE}{LRO}Matti{PDF}", "Matti"),
        (f"{LRI}Matti{PDI} {RLI}{FSI}x{PDI}", "Matti x"),
        ("Ma\u0308tti", "Mätti"),  # decomposed ä (a + combining diaeresis) is the same name as composed
        ("  Matti \n\t Meikäläinen ", "Matti Meikäläinen"),
        ("Matti\x00\x1bMeikäläinen", "Matti Meikäläinen"),
        (f"{ZWSP}{WJ}{RLO}", ""),  # nothing visible: refused by the caller
        (f" {ZWSP} ", ""),
        ("", ""),
        (None, ""),
        ("x" * 100, "x" * 80),
    ],
)
def test_clean_name(typed, kept):
    assert clean_name(typed) == kept
    assert auth.clean_editor_name(typed) == kept


def test_every_listed_character_is_removed():
    for ch in "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert ch in INVISIBLE
        assert clean_name(f"A{ch}B") == "AB"
    assert strip_invisible(f"rivi 1\nrivi{ZWSP} 2") == "rivi 1\nrivi 2"  # line breaks stay in a contact text


def test_editor_name_is_stored_clean_and_an_invisible_one_is_refused(mini_store):
    m = mini_store.measures().iloc[0]
    mini_store.save_measure_edits(
        [MeasureEdit(m["measure_id"], int(m["version"]), {"mittari": "uusi"})], Editor(f"Mat{ZWSP}ti{RLO}")
    )
    assert "Matti" in set(mini_store.history()["changed_by"])
    assert not set("".join(mini_store.history()["changed_by"])) & INVISIBLE
    assert mini_store.measure(m["measure_id"])["updated_by"] == "Matti"
    assert Editor(f"{ZWSP}{RLO}").name == ""
    m = mini_store.measures().iloc[0]
    with pytest.raises(PermissionDenied):
        mini_store.save_measure_edits(
            [MeasureEdit(m["measure_id"], int(m["version"]), {"mittari": "toinen"})], Editor(f"{ZWSP}{WJ}")
        )
    assert mini_store.measure(m["measure_id"])["mittari"] == "uusi"


def test_contact_evaluator_and_owner_are_cleaned(mini_store):
    who = Editor("Maija")
    m = mini_store.measures().iloc[0]
    mini_store.save_measure_edits(
        [MeasureEdit(m["measure_id"], int(m["version"]), {"contact": f"{RLO}Pekka{ZWSP} Virtanen"})], who
    )
    assert mini_store.measure(m["measure_id"])["contact"] == "Pekka Virtanen"
    mini_store.save_evaluation(m["measure_id"], 2025, {"rating": 3, "evaluator": f"Ma{ZWJ}ija"}, None, who)
    evals = mini_store.evaluations()
    assert evals[evals["measure_id"] == m["measure_id"]]["evaluator"].tolist() == ["Maija"]
    event_id = mini_store.save_events(
        [EventChange(None, {"title": "Kokous", "months": "3", "owner": f"{LRI}Kymsote{PDI}"})], who
    )[0]
    events = mini_store.events()
    assert events[events["event_id"] == event_id]["owner"].tolist() == ["Kymsote"]


@pytest.mark.parametrize(
    ("save", "field"),
    [
        (
            lambda s, m, w: s.save_measure_edits(
                [MeasureEdit(m["measure_id"], int(m["version"]), {"contact": ZWSP})], w
            ),
            "contact",
        ),
        (lambda s, m, w: s.save_evaluation(m["measure_id"], 2025, {"evaluator": f"{RLO}{WJ}"}, None, w), "evaluator"),
        (lambda s, m, w: s.save_events([EventChange(None, {"title": "x", "months": "3", "owner": BOM})], w), "owner"),
    ],
    ids=["contact", "evaluator", "owner"],
)
def test_a_name_of_invisible_characters_only_is_refused_with_a_message(mini_store, save, field):
    m = mini_store.measures().iloc[0]
    before = len(mini_store.history())
    with pytest.raises(InvalidEdit) as exc:
        save(mini_store, m, Editor("Maija"))
    assert exc.value.field == field
    assert "vain näkymättömiä merkkejä" in exc.value.text("fi")
    assert "only invisible characters" in exc.value.text("en")
    assert len(mini_store.history()) == before


def _old_rows() -> pd.DataFrame:
    """History rows written before names were cleaned (straight from the database, not through Editor)."""
    row = {
        "change_id": 1,
        "entity": "measure",
        "entity_id": "kymsote-I.1-1",
        "field": "contact",
        "old_value": f"{RLO}ittaM",
        "new_value": f"Mat{ZWSP}ti",
        "action": "update",
        "changed_by": f"Mat{ZWSP}ti{RLO}",
        "changed_at": "2026-12-01T10:00:00+00:00",
        "reverts": None,
    }
    return pd.DataFrame([row])


def test_minutes_csv_and_word_show_names_without_invisible_characters():
    now = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
    window = minutes.window_today(now)
    rows = minutes.changes_between(_old_rows(), window.start, window.end, "fi")
    table = list(csv.reader(io.StringIO(minutes.minutes_csv(rows, "fi").decode("utf-8-sig")), delimiter=";"))
    assert table[1][1] == "Matti" and table[1][7:] == ["ittaM", "Matti"]
    doc = Document(io.BytesIO(minutes.minutes_docx(rows, window, "fi")))
    cells = [c.text for c in doc.tables[0].rows[1].cells]
    assert cells[1] == "Matti" and cells[7:] == ["ittaM", "Matti"]
    raw = minutes.minutes_csv(rows, "fi").decode("utf-8-sig") + "".join(
        c.text for r in doc.tables[0].rows for c in r.cells
    )
    assert not set(raw) & INVISIBLE


def test_history_table_shows_names_without_invisible_characters():
    shown = history.history_table(_old_rows(), "fi")
    assert shown.iloc[0].tolist()[1] == "Matti"
    assert not set("".join(map(str, shown.iloc[0].tolist()))) & INVISIBLE
    assert "Matti:" in history.change_text(_old_rows().iloc[0].to_dict(), "fi")
