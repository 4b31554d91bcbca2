"""The final evaluation's conclusions in the store, on SQLite and PostgreSQL: saved field by field,
a conflict only where someone else changed the same field, every change in the history."""

from __future__ import annotations

import pytest

from core.store import ConflictError, Editor, InvalidEdit, PermissionDenied
from core.views.history import entity_label, field_label

PLAN = "kymenlaakso-2020-2025"
SCOPES = ("I", "II", "III", "plan")
ED, OTHER = Editor("Testaaja"), Editor("Toinen")
EMPTY = {"worked": "", "did_not_work": "", "carry_on": ""}


def _row(store, scope="plan") -> dict:
    df = store.conclusions(PLAN)
    return df[df["scope"] == scope].iloc[0].to_dict()


def test_first_save_creates_the_row_and_records_each_field(store):
    version = store.save_conclusion(PLAN, "plan", EMPTY, {**EMPTY, "worked": "Kuuleminen toimi"}, ED, SCOPES)
    assert version == 1
    row = _row(store)
    assert (row["worked"], row["did_not_work"], row["version"], row["updated_by"]) == (
        "Kuuleminen toimi",
        "",
        1,
        "Testaaja",
    )
    hist = store.history(entity="conclusion")
    assert hist[["entity_id", "field", "new_value", "action"]].values.tolist() == [
        [f"{PLAN}/plan", "worked", "Kuuleminen toimi", "create"]
    ]


@pytest.mark.parametrize(
    ("theirs", "mine", "conflict", "stored"),
    [
        # different fields: both kept, no conflict
        ({"worked": "A"}, {"carry_on": "B"}, None, {"worked": "A", "carry_on": "B"}),
        # the same field to the same text: nothing to choose
        ({"worked": "A"}, {"worked": "A"}, None, {"worked": "A"}),
        # the same field to another text: a conflict naming only that field, nothing saved
        (
            {"worked": "A", "carry_on": "C"},
            {"worked": "B", "did_not_work": "D"},
            {"worked": "B"},
            {"worked": "A", "did_not_work": "", "carry_on": "C"},
        ),
    ],
)
def test_a_conflict_is_only_a_field_someone_else_changed(store, theirs, mine, conflict, stored):
    base = {**EMPTY, "worked": "alku"}
    store.save_conclusion(PLAN, "II", EMPTY, base, ED, SCOPES)
    store.save_conclusion(PLAN, "II", base, {**base, **theirs}, OTHER, SCOPES)  # saved while I was typing
    if conflict is None:
        store.save_conclusion(PLAN, "II", base, {**base, **mine}, ED, SCOPES)
    else:
        with pytest.raises(ConflictError) as caught:
            store.save_conclusion(PLAN, "II", base, {**base, **mine}, ED, SCOPES)
        (c,) = caught.value.conflicts
        assert (c.entity, c.entity_id, c.mine) == ("conclusion", f"{PLAN}/II", conflict)
        assert c.current["updated_by"] == "Toinen"
    row = _row(store, "II")
    assert {k: row[k] for k in stored} == stored


def test_keep_mine_after_a_conflict_saves_over_the_stored_text(store):
    store.save_conclusion(PLAN, "plan", EMPTY, {**EMPTY, "worked": "A"}, OTHER, SCOPES)
    with pytest.raises(ConflictError) as caught:
        store.save_conclusion(PLAN, "plan", EMPTY, {**EMPTY, "worked": "B"}, ED, SCOPES)
    stored = caught.value.conflicts[0].current
    store.save_conclusion(PLAN, "plan", stored, {**stored, "worked": "B"}, ED, SCOPES)  # "keep mine"
    assert _row(store)["worked"] == "B" and _row(store)["version"] == 2
    assert store.history(entity="conclusion", entity_id=f"{PLAN}/plan")["changed_by"].tolist() == ["Testaaja", "Toinen"]


def test_refusals_change_nothing(store):
    with pytest.raises(PermissionDenied):
        store.save_conclusion(PLAN, "plan", EMPTY, {"worked": "x"}, None, SCOPES)
    with pytest.raises(PermissionDenied):
        store.save_conclusion(PLAN, "plan", EMPTY, {"worked": "x"}, Editor("Katsoja", can_edit=False), SCOPES)
    with pytest.raises(InvalidEdit) as unknown:
        store.save_conclusion(PLAN, "IV", EMPTY, {"worked": "x"}, ED, SCOPES)
    assert "IV" in unknown.value.text("fi")
    with pytest.raises(InvalidEdit) as long:
        store.save_conclusion(PLAN, "plan", EMPTY, {"worked": "x" * 4001}, ED, SCOPES)
    assert "4000" in long.value.text("en").replace(" ", "")
    assert store.conclusions(PLAN).empty and store.history(entity="conclusion").empty


def test_other_plans_and_unchanged_saves(store):
    store.save_conclusion(PLAN, "I", EMPTY, {"worked": "Tämä"}, ED, SCOPES)
    store.save_conclusion("toinen-2026-2029", "I", EMPTY, {"worked": "Muu"}, ED, SCOPES)
    version = store.data_version()
    assert store.save_conclusion(PLAN, "I", {"worked": "Tämä"}, {"worked": "Tämä"}, ED, SCOPES) == 1
    assert store.data_version() == version  # nothing written, nobody's page reruns
    assert store.conclusions(PLAN)["worked"].tolist() == ["Tämä"]


def test_a_save_is_seen_by_live_updates_and_can_be_reverted(store):
    before = store.data_version()
    store.save_conclusion(PLAN, "plan", EMPTY, {"carry_on": "Jatketaan"}, ED, SCOPES)
    store.save_conclusion(PLAN, "plan", {"carry_on": "Jatketaan"}, {"carry_on": "Muutettu"}, OTHER, SCOPES)
    assert store.data_version() > before
    last = store.history(entity="conclusion").iloc[0]
    assert (last["field"], last["old_value"], last["new_value"]) == ("carry_on", "Jatketaan", "Muutettu")
    store.revert_change(int(last["change_id"]), ED)
    assert _row(store)["carry_on"] == "Jatketaan"
    assert entity_label("conclusion", "fi") == "Loppuarvioinnin johtopäätös"
    assert field_label("carry_on", "en") == "What to carry on"
