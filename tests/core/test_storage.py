"""Storage round trips on SQLite always, and on a real PostgreSQL server when one is given.

CI (.ci/run) starts PostgreSQL and sets KYMLAPSET_TEST_POSTGRES_URL; under CI a missing
server is a failure, not a skip.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.base.i18n import CATALOGUE, Msg
from core.plan.validation import MEASURE_EDITABLE
from core.store import (
    STORE_PROBLEM_KEYS,
    ConflictError,
    Editor,
    InvalidEdit,
    MeasureEdit,
    NotFound,
    PermissionDenied,
    Store,
    field_label,
)

ED = Editor("Testaaja")
OTHER = Editor("Toinen")


def test_seed_once(store, mini_plan):
    assert store.is_seeded()
    assert len(store.measures()) == len(mini_plan.measures)
    assert store.seed(mini_plan) is False  # a second start does not duplicate
    assert len(store.measures()) == len(mini_plan.measures)
    assert len(store.observations()) == len(mini_plan.observations)


def test_seed_fills_follow_up_fields_from_aikataulu(store):
    row = store.measure("kymsote-I.1-1")
    assert row["start_year"] == 2020
    assert store.measure("hamina-I.1-1")["permanent"] is True


def test_update_records_history_and_bumps_version(store):
    n = store.save_measure_edits(
        [MeasureEdit("hamina-I.1-1", 1, {"mittari": "Uusi mittari", "status": "käynnissä"})], ED
    )
    assert n == 2
    row = store.measure("hamina-I.1-1")
    assert row["mittari"] == "Uusi mittari" and row["version"] == 2 and row["updated_by"] == "Testaaja"
    hist = store.history(entity="measure", entity_id="hamina-I.1-1")
    assert set(hist["field"]) == {"mittari", "status"}
    assert hist[hist["field"] == "mittari"].iloc[0]["old_value"] == "Palaute"


def test_stale_version_is_a_conflict_and_nothing_is_lost(store):
    store.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"toimenpide": "A:n teksti"})], ED)
    with pytest.raises(ConflictError) as err:
        store.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"toimenpide": "B:n teksti"})], OTHER)
    conflict = err.value.conflicts[0]
    assert conflict.mine == {"toimenpide": "B:n teksti"}
    assert conflict.current["toimenpide"] == "A:n teksti"
    assert store.measure("hamina-I.1-1")["toimenpide"] == "A:n teksti"
    # B chooses to keep their value: saves against the current version
    store.save_measure_edits([MeasureEdit("hamina-I.1-1", conflict.current_version, conflict.mine)], OTHER)
    assert store.measure("hamina-I.1-1")["toimenpide"] == "B:n teksti"
    olds = list(store.history(entity_id="hamina-I.1-1")["old_value"])
    assert "A:n teksti" in olds  # A's value is still in the history


def test_batch_is_atomic(store):
    edits = [MeasureEdit("hamina-I.1-1", 1, {"mittari": "ok"}), MeasureEdit("kymsote-I.1-1", 1, {"start_year": "20x"})]
    with pytest.raises(InvalidEdit) as err:
        store.save_measure_edits(edits, ED)
    assert "Alkuvuosi" in err.value.message
    assert store.measure("hamina-I.1-1")["mittari"] == "Palaute"
    assert store.history().empty


@pytest.mark.parametrize(
    ("values", "field_word"),
    [
        ({"toimenpide": "x" * 4001}, "Toimenpide"),
        ({"status": "valmis"}, "Tila"),
        ({"start_year": 1999}, "Alkuvuosi"),
        ({"start_year": 2024, "end_year": 2022}, "Loppuvuosi"),
        ({"contact": "y" * 201}, "Vastuuhenkilö"),
        ({"toimenpide": "   "}, "Toimenpide"),
        ({"measure_id": "x"}, "measure_id"),
    ],
)
def test_invalid_edits_are_refused_in_finnish(store, values, field_word):
    with pytest.raises(InvalidEdit) as err:
        store.save_measure_edits([MeasureEdit("kymsote-I.1-1", 1, values)], ED)
    assert field_word in err.value.message
    assert store.measure("kymsote-I.1-1")["version"] == 1


def test_invalid_edit_is_finnish_and_has_an_english_text(store):
    with pytest.raises(InvalidEdit) as err:
        store.save_measure_edits([MeasureEdit("kymsote-I.1-1", 1, {"start_year": "20x"})], ED)
    exc = err.value
    assert exc.message == "Kentän 'Alkuvuosi' pitää olla vuosiluku, ei '20x'."  # as before the catalogue
    assert str(exc) == exc.message == exc.text() == exc.text("fi")
    assert (exc.key, exc.field) == ("store.year_not_number", "start_year")
    assert exc.text("en") == "The field 'Start year' must be a year, not '20x'."
    assert field_label("start_year", "en") in exc.text("en")
    with pytest.raises(InvalidEdit) as err:
        store.save_measure_edits([MeasureEdit("kymsote-I.1-1", 1, {"status": "valmis"})], ED)
    assert err.value.message == (
        "Kentän 'Tila' arvo 'valmis' ei ole sallittu (sallitut: suunniteltu, käynnissä, vakiintunut, päättynyt)."
    )
    assert "'Status'" in err.value.text("en") and "Tila" not in err.value.text("en")


def test_a_refusal_keeps_its_languages_when_passed_on(store):
    with pytest.raises(InvalidEdit) as err:
        store.save_measure_edits([MeasureEdit("kymsote-I.1-1", 1, {"start_year": "20x"})], ED)
    message = err.value.message  # what a caller (the backup restore) puts inside its own message
    assert isinstance(message, Msg) and message.text("en") == err.value.text("en")
    nested = InvalidEdit("vuosikello.file.row", "months", file="events.csv", row=3, error=err.value)
    assert nested.message == "events.csv, rivi 3: Kentän 'Alkuvuosi' pitää olla vuosiluku, ei '20x'."
    assert nested.text("en") == "events.csv, row 3: The field 'Start year' must be a year, not '20x'."


def test_not_found_and_permission_texts_in_both_languages(store):
    with pytest.raises(NotFound) as err:
        store.measure("ei-ole")
    assert err.value.message == "Toimenpidettä ei-ole ei löydy."
    assert err.value.text("en") == "Measure ei-ole was not found."
    with pytest.raises(PermissionDenied) as err:
        store.delete_measure("kymsote-I.1-1", 1, None)
    assert err.value.message == "Muokkaaminen vaatii kirjautumisen muokkaajana."
    assert "editor" in err.value.text("en")


def test_conflict_error_text_is_english_on_request(store):
    store.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"toimenpide": "A"})], ED)
    with pytest.raises(ConflictError) as err:
        store.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"toimenpide": "B"})], OTHER)
    assert err.value.message == (
        "Joku muu on muuttanut näitä rivejä sillä välin: hamina-I.1-1. Valitse, kumpi arvo jää voimaan."
    )
    assert err.value.text("en") == "Someone else changed these rows meanwhile: hamina-I.1-1. Choose which value stays."


def test_every_store_message_and_field_label_is_in_the_catalogue():
    core = Path(__file__).resolve().parents[2] / "core"
    src = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*sorted((core / "store").glob("*.py")), *(core / "plan" / f for f in ("plans.py", "validation.py"))]
    )
    # (\s*: the formatter may put the key on the next line)
    used = set(re.findall(r'\b(?:InvalidEdit|NotFound|PermissionDenied|StoreError|PlanRuleError)\(\s*"([^"]+)"', src))
    used |= set(re.findall(r'super\(\).__init__\(\s*"([^"]+)"', src))
    used |= set(STORE_PROBLEM_KEYS)  # StoreUnavailable's messages: what the database driver's error says
    in_catalogue = {k for k in CATALOGUE["fi"] if k.startswith(("store.", "plan."))}
    assert used == in_catalogue  # every refusal has a text, and no text is left unused
    assert not re.search(r'(?:InvalidEdit|NotFound|PermissionDenied)\(f"', src)  # no Finnish f-strings left
    for fld in (
        *MEASURE_EDITABLE,
        "actor_id",
        "subgoal_id",
        "rating",
        "comment",
        "evaluator",
        "evaluated_on",
        "year",
        "title",
        "months",
        "owner",
        "description",
        "value",
    ):
        assert field_label(fld, "fi") and field_label(fld, "en"), fld


def test_html_is_stored_as_text(store):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    store.save_measure_edits([MeasureEdit("kymsote-I.1-1", 1, {"toimenpide": evil})], ED)
    assert store.measure("kymsote-I.1-1")["toimenpide"] == evil


def test_sql_is_parameterised(store):
    sneaky = "x'); DROP TABLE measures; --"
    store.save_measure_edits([MeasureEdit("kymsote-I.1-1", 1, {"toimenpide": sneaky})], ED)
    assert store.measure("kymsote-I.1-1")["toimenpide"] == sneaky
    assert len(store.measures()) == 3


def test_viewer_cannot_write(store):
    for editor in (None, Editor("Katsoja", can_edit=False), Editor("  ")):
        with pytest.raises(PermissionDenied):
            store.save_measure_edits([MeasureEdit("kymsote-I.1-1", 1, {"mittari": "x"})], editor)
        with pytest.raises(PermissionDenied):
            store.add_measure("kymsote", "I.1", {"toimenpide": "x"}, editor)
        with pytest.raises(PermissionDenied):
            store.delete_measure("kymsote-I.1-1", 1, editor)
    assert store.history().empty


def test_add_delete_restore(store):
    mid = store.add_measure(
        "hamina",
        "I.1",
        {"toimenpide": "Uusi", "aikataulu": "2022–2024"},
        ED,
        known_actors=["hamina", "kymsote"],
        known_subgoals=["I.1", "I.2"],
    )
    assert mid == "hamina-I.1-2"
    row = store.measure(mid)
    assert (row["start_year"], row["end_year"]) == (2022, 2024)
    store.delete_measure(mid, 1, ED)
    assert mid not in set(store.measures()["measure_id"])
    assert mid in set(store.measures(include_deleted=True)["measure_id"])
    assert store.measure_ids(deleted=True) == [mid]  # what the history page offers to restore
    assert mid in store.measure_ids() and mid not in store.measure_ids(deleted=False)
    assert store.measure_ids() == sorted(store.measures(include_deleted=True)["measure_id"])
    store.restore_measure(mid, ED)
    assert store.measure_ids(deleted=True) == []
    assert mid in set(store.measures()["measure_id"])
    actions = list(store.history(entity_id=mid)["action"])
    assert actions == ["restore", "delete", "create"]
    with pytest.raises(InvalidEdit):
        store.add_measure("tuntematon", "I.1", {"toimenpide": "x"}, ED, known_actors=["hamina"])
    with pytest.raises(InvalidEdit):
        store.add_measure("hamina", "I.1", {"toimenpide": ""}, ED)


def test_editing_a_deleted_measure_is_refused(store):
    store.delete_measure("hamina-I.1-1", 1, ED)
    with pytest.raises(NotFound):
        store.save_measure_edits([MeasureEdit("hamina-I.1-1", 2, {"mittari": "x"})], ED)


def test_revert(store):
    store.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"mittari": "Muutettu", "end_year": 2025})], ED)
    hist = store.history(entity_id="hamina-I.1-1")
    for change_id in hist["change_id"]:
        store.revert_change(int(change_id), OTHER)
    row = store.measure("hamina-I.1-1")
    assert row["mittari"] == "Palaute" and row["end_year"] is None
    # reverting again conflicts: the field no longer holds the reverted-from value
    with pytest.raises(ConflictError):
        store.revert_change(int(hist["change_id"].iloc[-1]), OTHER)


def test_data_version_grows_with_writes(store):
    v0 = store.data_version()
    store.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"mittari": "x"})], ED)
    assert store.data_version() > v0


def test_evaluations_and_events(store):
    assert (
        store.save_evaluation(
            "hamina-I.1-1",
            2024,
            {"rating": 3, "comment": "hyvä", "evaluator": "A", "evaluated_on": "2024-11-30"},
            None,
            ED,
        )
        == 1
    )
    with pytest.raises(ConflictError):
        store.save_evaluation("hamina-I.1-1", 2024, {"rating": 4}, None, OTHER)
    assert store.save_evaluation("hamina-I.1-1", 2024, {"rating": 4}, 1, OTHER) == 2
    with pytest.raises(InvalidEdit):
        store.save_evaluation("hamina-I.1-1", 2025, {"rating": 5}, None, ED)
    ev = store.evaluations(2024)
    assert list(ev["rating"]) == [4]
    eid = store.save_event(None, {"title": "Kouluterveyskysely", "months": "3-4", "owner": "THL"}, None, ED)
    assert store.events().set_index("event_id").loc[eid, "months"] == "3,4"
    with pytest.raises(InvalidEdit):
        store.save_event(None, {"title": "x", "months": "13"}, None, ED)
    store.delete_event(eid, 1, ED)
    assert store.events().empty


def test_upsert_observations(store):
    row = {"indicator_id": 7, "series_id": "", "group_id": "lk4_5", "area": "kymenlaakso", "year": 2021, "value": 85.0}
    assert store.upsert_observations([row], ED) == {"added": 1, "changed": 0, "unchanged": 0}
    assert store.upsert_observations([{**row, "value": 86.0}], ED) == {"added": 0, "changed": 1, "unchanged": 0}
    assert store.upsert_observations([{**row, "value": 86.0}], ED)["unchanged"] == 1


def test_schema_survives_restart(mini_plan, tmp_path):
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    first = Store.open(url, mini_plan)
    first.save_measure_edits([MeasureEdit("hamina-I.1-1", 1, {"mittari": "pysyy"})], ED)
    first.engine.dispose()
    second = Store.open(url, mini_plan)
    assert second.measure("hamina-I.1-1")["mittari"] == "pysyy"


def test_evaluation_batch_is_all_or_nothing(store):
    store.save_evaluation("hamina-I.1-1", 2025, {"rating": 2}, None, OTHER)
    batch = [("kymsote-I.1-1", 2025, {"rating": 3}, None), ("hamina-I.1-1", 2025, {"rating": 4}, None)]
    with pytest.raises(ConflictError) as err:
        store.save_evaluations(batch, ED)
    assert [c.entity_id for c in err.value.conflicts] == ["hamina-I.1-1"]
    assert list(store.evaluations(2025)["measure_id"]) == ["hamina-I.1-1"]  # kymsote's row was not saved
    with pytest.raises(InvalidEdit):
        store.save_evaluations(
            [("kymsote-I.1-1", 2025, {"rating": 3}, None), ("hamina-I.1-1", 2025, {"rating": 9}, 1)], ED
        )
    assert len(store.evaluations(2025)) == 1


def test_event_batch_is_all_or_nothing(store):
    from core.store import EventChange

    a = store.save_event(None, {"title": "A", "months": "1"}, None, ED)
    b = store.save_event(None, {"title": "B", "months": "2"}, None, ED)
    store.save_event(b, {"title": "B muutettu", "months": "2"}, 1, OTHER)
    with pytest.raises(ConflictError):
        store.save_events(
            [
                EventChange(a, {"title": "A2", "months": "1"}, 1),
                EventChange(b, None, 1),
                EventChange(None, {"title": "C", "months": "3"}),
            ],
            ED,
        )
    ev = store.events().set_index("event_id")
    assert ev.loc[a, "title"] == "A" and ev.loc[b, "title"] == "B muutettu" and len(ev) == 2
    store.save_events(
        [
            EventChange(a, {"title": "A2", "months": "1"}, 1),
            EventChange(b, None, 2),
            EventChange(None, {"title": "C", "months": "3"}),
        ],
        ED,
    )
    assert sorted(store.events()["title"]) == ["A2", "C"]


# ------------------------------------------------------------------------------------------
# Simultaneous creates (issue #11 item 4): participants pressing save at the same moment.
# Every race starts its threads at a barrier and is repeated TRIES times, on a SQLite file and
# on PostgreSQL; before the fix 5–10 of 20 SQLite tries and 20 of 20 PostgreSQL tries raised a
# raw IntegrityError.

TRIES = 20


def _race(fn, n: int = 2) -> list[tuple[str, object]]:
    """Run ``fn(k)`` in n threads released together; each gives ("ok", value) or ("error", exception)."""
    import threading

    barrier = threading.Barrier(n)
    out: list[tuple[str, object]] = [("error", RuntimeError("did not finish"))] * n

    def run(k: int) -> None:
        barrier.wait(timeout=30)
        try:
            out[k] = ("ok", fn(k))
        except Exception as exc:  # noqa: BLE001 - the test looks at what escaped
            out[k] = ("error", exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    return out


def _no_integrity_error(results: list[tuple[str, object]]) -> None:
    escaped = [r for kind, r in results if kind == "error" and not isinstance(r, ConflictError)]
    assert not escaped, f"a write raised {escaped[0]!r}"


def test_simultaneous_new_measures_all_succeed_with_distinct_ids(store):
    made: list[str] = []
    for i in range(TRIES):
        results = _race(lambda k, i=i: store.add_measure("hamina", "I.1", {"toimenpide": f"uusi {i}/{k}"}, ED))
        _no_integrity_error(results)
        assert all(kind == "ok" for kind, _ in results), results
        made += [str(v) for _, v in results]
    assert len(set(made)) == 2 * TRIES
    assert all(re.fullmatch(r"hamina-I\.1-\d+", m) for m in made)  # the plan's actor-subgoal-seq form
    stored = store.measures().set_index("measure_id")
    assert set(made) <= set(stored.index)
    assert sorted(stored.loc[made, "toimenpide"]) == sorted(f"uusi {i}/{k}" for i in range(TRIES) for k in range(2))
    seqs = sorted(int(m.rsplit("-", 1)[1]) for m in made)
    assert seqs == list(range(2, 2 + 2 * TRIES))  # hamina-I.1-1 is seeded; no gaps, no repeats


def test_many_simultaneous_new_measures(store):
    results = _race(lambda k: store.add_measure("kymsote", "I.1", {"toimenpide": f"rinnakkain {k}"}, ED), n=8)
    _no_integrity_error(results)
    assert all(kind == "ok" for kind, _ in results)
    assert len({v for _, v in results}) == 8


def test_simultaneous_new_events_all_succeed_with_distinct_ids(store):
    from core.store import EventChange

    made: list[str] = []
    for i in range(TRIES):
        results = _race(
            lambda k, i=i: store.save_events([EventChange(None, {"title": f"Tapahtuma {i}/{k}", "months": "3"})], ED)[0]
        )
        _no_integrity_error(results)
        assert all(kind == "ok" for kind, _ in results), results
        made += [str(v) for _, v in results]
    assert len(set(made)) == 2 * TRIES
    titles = store.events().set_index("event_id").loc[made, "title"]
    assert sorted(titles) == sorted(f"Tapahtuma {i}/{k}" for i in range(TRIES) for k in range(2))


def test_simultaneous_first_evaluations_give_one_save_and_one_conflict(store):
    for i in range(TRIES):
        year = 2000 + i
        results = _race(
            lambda k, year=year: store.save_evaluation(
                "hamina-I.1-1", year, {"rating": 1 + k, "comment": f"arvioija {k}"}, None, ED if k == 0 else OTHER
            )
        )
        _no_integrity_error(results)
        oks = [k for k, (kind, _) in enumerate(results) if kind == "ok"]
        assert len(oks) == 1, results
        winner, loser = oks[0], 1 - oks[0]
        conflict = results[loser][1]
        assert isinstance(conflict, ConflictError)
        assert [c.entity_id for c in conflict.conflicts] == ["hamina-I.1-1"]
        c = conflict.conflicts[0]
        # the conflict flow can show theirs and keep mine: the stored row and its version are there
        assert c.current["rating"] == 1 + winner and c.current_version == 1
        assert c.mine["rating"] == 1 + loser
        stored = store.evaluations(year)
        assert list(stored["rating"]) == [1 + winner]
        if i == 0:  # "keep mine" saves over the winner's row with the version the conflict gave
            assert store.save_evaluation("hamina-I.1-1", year, dict(c.mine), c.current_version, OTHER) == 2
            assert list(store.evaluations(year)["rating"]) == [1 + loser]


def test_simultaneous_imports_of_a_new_observation_both_succeed(store):
    row = {"indicator_id": 7, "series_id": "", "group_id": "lk4_5", "area": "kymenlaakso", "year": 2022}
    before = len(store.observations())
    for i in range(5):
        results = _race(lambda k, i=i: store.upsert_observations([{**row, "year": 2010 + i, "value": 50.0 + k}], ED))
        _no_integrity_error(results)
        assert all(kind == "ok" for kind, _ in results), results
        assert sorted(r["added"] for _, r in results) == [0, 1]  # one added, the other changed or kept it
    assert len(store.observations()) == before + 5


def test_a_clash_that_remains_is_a_conflict_not_an_integrity_error(store, monkeypatch):
    from core.store.errors import Conflict
    from core.store.writes import write_retrying

    calls = []

    def always_clash(conn):
        calls.append(1)
        raise sa.exc.IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(ConflictError) as err:
        write_retrying(
            store.engine,
            always_clash,
            lambda: ConflictError([Conflict("measure", "x-I.1-3", 0, -1, {}, {})]),
            attempts=4,
        )
    assert len(calls) == 4  # bounded
    assert "x-I.1-3" in err.value.text("en") and "meanwhile" in err.value.text("en")


def test_simultaneous_first_seeds_of_one_store(mini_plan, tmp_path):
    url = f"sqlite:///{tmp_path / 'seed.db'}"
    stores = [Store.open(url), Store.open(url)]
    results = _race(lambda k: stores[k].seed(mini_plan))
    _no_integrity_error(results)
    assert sorted(v for _, v in results) == [False, True]
    assert len(stores[0].measures()) == len(mini_plan.measures)


def test_a_clash_inside_a_callers_transaction_is_a_conflict(store):
    """An import writes all its chunks in one transaction (core.io.importer): no retry there, a conflict."""
    row = {"indicator_id": 7, "series_id": "", "group_id": "lk4_5", "area": "kymenlaakso", "value": 40.0}

    def import_in_one_transaction(k: int, year: int) -> dict:
        with store.transaction() as uow:
            return uow.upsert_observations([{**row, "year": year, "value": 40.0 + k}], ED)

    for i in range(5):
        results = _race(lambda k, i=i: import_in_one_transaction(k, 1990 + i))
        _no_integrity_error(results)
        assert any(kind == "ok" for kind, _ in results)
