"""Merge by field in the store, on SQLite and PostgreSQL: two editors who change different fields of
one row both keep their change; only a field both changed is a conflict, and "keep mine" writes only
the editor's own fields. Measures, evaluations and vuosikello events go through one merge. (``store``:
tests/core/conftest.py, on SQLite and PostgreSQL.)"""

from __future__ import annotations

import pytest

from core.store import ConflictError, Editor, EvaluationChange, EventChange, MeasureEdit

AINO = Editor("Aino", session="s-aino")
BERTIL = Editor("Bertil", session="s-bertil")
MID = "kymsote-I.1-1"


def authors(store, entity: str, entity_id: str) -> dict[str, str]:
    """{field: who changed it last} from the history."""
    h = store.history(entity, entity_id)
    return {r["field"]: r["changed_by"] for r in h.sort_values("change_id").to_dict("records")}


# ---------------------------------------------------------------- measures


def test_measures_different_fields_of_one_row_both_land(store):
    start = store.measure(MID)
    v = start["version"]
    store.save_measure_edits(
        [MeasureEdit(MID, v, {"toimenpide": "Ainon toimenpide"}, {"toimenpide": start["toimenpide"]})], AINO
    )
    # Bertil loaded the row before Aino saved: his version is old, but he changed another field
    store.save_measure_edits(
        [MeasureEdit(MID, v, {"mittari": "Bertilin mittari"}, {"mittari": start["mittari"]})], BERTIL
    )
    row = store.measure(MID)
    assert (row["toimenpide"], row["mittari"]) == ("Ainon toimenpide", "Bertilin mittari")
    assert authors(store, "measure", MID) == {"toimenpide": "Aino", "mittari": "Bertil"}


def test_measures_the_same_field_is_a_conflict_naming_just_it(store):
    start = store.measure(MID)
    v = start["version"]
    store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "Ainon mittari"}, {"mittari": start["mittari"]})], AINO)
    edit = MeasureEdit(
        MID,
        v,
        {"mittari": "Bertilin mittari", "seuranta": "Bertilin seuranta"},
        {"mittari": start["mittari"], "seuranta": start["seuranta"]},
    )
    with pytest.raises(ConflictError) as exc:
        store.save_measure_edits([edit], BERTIL)
    [c] = exc.value.conflicts
    assert (c.entity, c.entity_id) == ("measure", MID)
    [clash] = c.fields
    assert (clash.field, clash.base, clash.mine, clash.stored, clash.by) == (
        "mittari",
        start["mittari"],
        "Bertilin mittari",
        "Ainon mittari",
        "Aino",
    )
    assert c.mine == {"mittari": "Bertilin mittari"}  # nothing he did not type
    assert store.measure(MID)["seuranta"] == start["seuranta"]  # nothing saved


def test_measures_keep_mine_writes_only_the_editors_own_fields(store):
    start = store.measure(MID)
    v = start["version"]
    store.save_measure_edits(
        [
            MeasureEdit(
                MID,
                v,
                {"mittari": "Ainon mittari", "toimijat": "Ainon toimijat"},
                {"mittari": start["mittari"], "toimijat": start["toimijat"]},
            )
        ],
        AINO,
    )
    with pytest.raises(ConflictError) as exc:
        store.save_measure_edits(
            [MeasureEdit(MID, v, {"mittari": "Bertilin mittari"}, {"mittari": start["mittari"]})], BERTIL
        )
    [c] = exc.value.conflicts
    # keep mine: the clashing field now starts from the stored value
    base = {"mittari": c.fields[0].stored}
    assert (
        store.save_measure_edits([MeasureEdit(MID, c.current_version, {"mittari": "Bertilin mittari"}, base)], BERTIL)
        == 1
    )
    row = store.measure(MID)
    assert (row["mittari"], row["toimijat"]) == ("Bertilin mittari", "Ainon toimijat")  # Aino's other change stays
    assert authors(store, "measure", MID) == {"mittari": "Bertil", "toimijat": "Aino"}


def test_measures_an_edit_without_a_base_still_sees_a_newer_row(store):
    v = store.measure(MID)["version"]
    store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "A"})], AINO)
    with pytest.raises(ConflictError):
        store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "B"})], BERTIL)


def test_history_records_the_session(store):
    start = store.measure(MID)
    store.save_measure_edits(
        [MeasureEdit(MID, start["version"], {"mittari": "A"}, {"mittari": start["mittari"]})], AINO
    )
    assert store.history("measure", MID)["session_id"].iloc[0] == "s-aino"


def test_measures_a_second_edit_from_before_ones_own_save_is_no_conflict(store):
    """A page still showing the row from before this session's own save (a grid waiting while a cell
    editor is open): the next edit of the field starts from the old value, and lands."""
    start = store.measure(MID)
    v = start["version"]
    store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "eka"}, {"mittari": start["mittari"]})], AINO)
    store.save_measure_edits([MeasureEdit(MID, v, {"toimijat": "Bertilin"}, {"toimijat": start["toimijat"]})], BERTIL)
    store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "toka"}, {"mittari": start["mittari"]})], AINO)
    row = store.measure(MID)
    assert (row["mittari"], row["toimijat"]) == ("toka", "Bertilin")
    assert authors(store, "measure", MID) == {"mittari": "Aino", "toimijat": "Bertil"}


def test_measures_someone_else_in_between_ones_own_saves_is_a_conflict(store):
    """Own saves do not hide another person's change of the same field, even under the same name."""
    other_aino = Editor("Aino", session="s-aino-2")  # a second person signed in as Aino
    start = store.measure(MID)
    v = start["version"]
    store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "eka"}, {"mittari": start["mittari"]})], AINO)
    store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "toisen"}, {"mittari": "eka"})], other_aino)
    with pytest.raises(ConflictError) as exc:
        store.save_measure_edits([MeasureEdit(MID, v, {"mittari": "toka"}, {"mittari": start["mittari"]})], AINO)
    [c] = exc.value.conflicts
    assert [(f.field, f.mine, f.stored) for f in c.fields] == [("mittari", "toka", "toisen")]
    assert store.measure(MID)["mittari"] == "toisen"


# ---------------------------------------------------------------- evaluations

HAM = "hamina-I.1-1"
EMPTY = {"rating": None, "comment": "", "evaluator": "", "evaluated_on": ""}


def evaluation(store, year=2025) -> dict:
    ev = store.evaluations(year)
    return ev[ev["measure_id"] == HAM].iloc[0].to_dict()


def test_evaluations_different_fields_both_land(store):
    store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 2, "comment": "alku"}, None, EMPTY)], AINO)
    seen = evaluation(store)
    store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 4}, seen["version"], {"rating": 2})], AINO)
    # Bertil saw the row before Aino's second save and changed only the comment
    store.save_evaluations(
        [EvaluationChange(HAM, 2025, {"comment": "Bertilin"}, seen["version"], {"comment": "alku"})], BERTIL
    )
    row = evaluation(store)
    assert (row["rating"], row["comment"]) == (4, "Bertilin")
    assert authors(store, "evaluation", str(row["id"])) == {"rating": "Aino", "comment": "Bertil"}


def test_evaluations_same_field_conflicts_and_keep_mine_keeps_the_others_work(store):
    store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 2, "comment": "alku"}, None, EMPTY)], AINO)
    seen = evaluation(store)
    store.save_evaluations(
        [
            EvaluationChange(
                HAM, 2025, {"rating": 4, "comment": "Ainon"}, seen["version"], {"rating": 2, "comment": "alku"}
            )
        ],
        AINO,
    )
    with pytest.raises(ConflictError) as exc:
        store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 3}, seen["version"], {"rating": 2})], BERTIL)
    [c] = exc.value.conflicts
    assert [(f.field, f.base, f.mine, f.stored, f.by) for f in c.fields] == [("rating", 2, 3, 4, "Aino")]
    store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 3}, c.current_version, {"rating": 4})], BERTIL)
    row = evaluation(store)
    assert (row["rating"], row["comment"]) == (3, "Ainon")  # Aino's comment survives Bertil's keep-mine
    changes = store.history("evaluation", str(row["id"]))
    assert set(changes[changes["field"] == "comment"]["changed_by"]) == {"Aino"}


def test_evaluations_a_second_edit_from_before_ones_own_save_is_no_conflict(store):
    store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 2, "comment": "alku"}, None, EMPTY)], AINO)
    seen = evaluation(store)
    store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 4}, seen["version"], {"rating": 2})], AINO)
    store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 1}, seen["version"], {"rating": 2})], AINO)
    assert evaluation(store)["rating"] == 1
    with pytest.raises(ConflictError):  # Bertil's table from before both saves: his change clashes
        store.save_evaluations([EvaluationChange(HAM, 2025, {"rating": 3}, seen["version"], {"rating": 2})], BERTIL)


def test_two_first_evaluations_merge_by_field(store):
    store.save_evaluations(
        [EvaluationChange(HAM, 2025, {"rating": 2}, None, {"rating": None}, {"evaluator": "Aino"})], AINO
    )
    # Bertil also saw no evaluation: his comment lands beside Aino's rating, the filled evaluator stays
    store.save_evaluations(
        [EvaluationChange(HAM, 2025, {"comment": "Bertilin"}, None, {"comment": ""}, {"evaluator": "Bertil"})], BERTIL
    )
    row = evaluation(store)
    assert (row["rating"], row["comment"], row["evaluator"]) == (2, "Bertilin", "Aino")


# ---------------------------------------------------------------- vuosikello events


def event(store, eid) -> dict:
    ev = store.events()
    return ev[ev["event_id"] == eid].iloc[0].to_dict()


def test_events_different_fields_both_land(store):
    eid = store.save_event(None, {"title": "Kokous", "months": "3", "owner": "THL"}, None, AINO)
    v = event(store, eid)["version"]
    store.save_events([EventChange(eid, {"title": "Kevätkokous"}, v, {"title": "Kokous"})], AINO)
    store.save_events([EventChange(eid, {"months": "4,5"}, v, {"months": "3"})], BERTIL)
    row = event(store, eid)
    assert (row["title"], row["months"], row["owner"]) == ("Kevätkokous", "4,5", "THL")
    changed = authors(store, "event", eid)
    assert (changed["title"], changed["months"]) == ("Aino", "Bertil")


def test_events_same_field_conflicts_and_keep_mine_writes_only_mine(store):
    eid = store.save_event(None, {"title": "Kokous", "months": "3", "owner": "THL"}, None, AINO)
    v = event(store, eid)["version"]
    store.save_events(
        [EventChange(eid, {"title": "Ainon", "owner": "Kunnat"}, v, {"title": "Kokous", "owner": "THL"})], AINO
    )
    with pytest.raises(ConflictError) as exc:
        store.save_events([EventChange(eid, {"title": "Bertilin"}, v, {"title": "Kokous"})], BERTIL)
    [c] = exc.value.conflicts
    assert [(f.field, f.mine, f.stored, f.by) for f in c.fields] == [("title", "Bertilin", "Ainon", "Aino")]
    store.save_events([EventChange(eid, {"title": "Bertilin"}, c.current_version, {"title": "Ainon"})], BERTIL)
    row = event(store, eid)
    assert (row["title"], row["owner"]) == ("Bertilin", "Kunnat")


def test_events_a_second_edit_from_before_ones_own_save_is_no_conflict(store):
    eid = store.save_event(None, {"title": "Kokous", "months": "3"}, None, AINO)
    v = event(store, eid)["version"]
    store.save_events([EventChange(eid, {"title": "Kevätkokous"}, v, {"title": "Kokous"})], AINO)
    store.save_events([EventChange(eid, {"title": "Kevään kokous"}, v, {"title": "Kokous"})], AINO)
    assert event(store, eid)["title"] == "Kevään kokous"


def test_removing_an_event_someone_changed_meanwhile_is_a_conflict(store):
    eid = store.save_event(None, {"title": "Kokous", "months": "3"}, None, AINO)
    v = event(store, eid)["version"]
    store.save_events([EventChange(eid, {"owner": "THL"}, v, {"owner": ""})], AINO)
    with pytest.raises(ConflictError) as exc:
        store.delete_event(eid, v, BERTIL)
    assert exc.value.conflicts[0].mine == {"deleted": True}
    assert eid in set(store.events()["event_id"])


# ---------------------------------------------------------------- defined order


def test_events_come_in_calendar_order_and_a_saved_row_stays_in_place(store):
    for title, months in [("Syksy", "9"), ("Alku", "1,2"), ("Kevät", "3"), ("Toinen kevät", "3")]:
        store.save_event(None, {"title": title, "months": months}, None, AINO)
    before = list(store.events()["title"])
    assert before == sorted(before, key=lambda t: {"Alku": 1, "Kevät": 3, "Toinen kevät": 3.5, "Syksy": 9}[t])
    first = store.events().iloc[1].to_dict()
    store.save_events([EventChange(first["event_id"], {"owner": "THL"}, first["version"], {"owner": ""})], AINO)
    assert list(store.events()["title"]) == before


def test_measures_and_evaluations_come_in_a_defined_order(store):
    ids = list(store.measures()["measure_id"])
    assert ids == sorted(ids)
    start = store.measure(ids[0])
    store.save_measure_edits(
        [MeasureEdit(ids[0], start["version"], {"mittari": "x"}, {"mittari": start["mittari"]})], AINO
    )
    assert list(store.measures()["measure_id"]) == ids
    store.save_evaluations([(m, 2025, {"rating": 2}, None) for m in reversed(ids[:3])], AINO)
    store.save_evaluations([(ids[0], 2024, {"rating": 3}, None)], AINO)
    ev = store.evaluations()
    assert list(zip(ev["year"], ev["measure_id"])) == sorted(zip(ev["year"], ev["measure_id"]))
    obs = store.observations()
    assert list(obs["id"]) == sorted(obs["id"])
