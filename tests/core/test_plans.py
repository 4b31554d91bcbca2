"""Plans have periods (issue #17): the rules (core/plan/plans.py), the store's plans (drafting the next plan,
states, read-only ended plans, editing a draft) on SQLite and PostgreSQL, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from core.plan import plans as rules
from core.plan.model import PlanInfo, PlanState
from core.store import ConflictError, Editor, EventChange, InvalidEdit, MeasureEdit, NotFound, Store, StoreError

ROOT = Path(__file__).resolve().parents[2]
ED = Editor("Suunnittelija")
FIRST = "kymenlaakso-2020-2025"  # the mini plan's id: its region and period (plan.yaml names none)
NEXT = "kymenlaakso-2026-2029"


def _info(pid: str, start: int, end: int, state: str) -> PlanInfo:
    return PlanInfo(plan_id=pid, name_fi=pid, name_en=pid, period_start=start, period_end=end, state=PlanState(state))


# ------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    ("plan_id", "ok"),
    [("kymenlaakso-2026-2029", True), ("a_b", True), ("ab", False), ("Iso-2026", False), ("-x-2026", False),
     ("välitavoite", False), ("x" * 81, False), ("", False)],
)  # fmt: skip
def test_plan_id_form(plan_id, ok):
    if ok:
        assert rules.check_plan_id(plan_id) == plan_id
    else:
        with pytest.raises(rules.PlanRuleError) as err:
            rules.check_plan_id(plan_id)
        assert err.value.key == "plan.id_malformed"


@pytest.mark.parametrize(
    ("start", "end", "key"),
    [(2029, 2026, "plan.period_order"), (2025, 2029, "plan.period_overlap"), (2019, 2020, "plan.period_overlap"),
     ("vuosi", 2029, "plan.year_not_number"), (1990, 2029, "plan.year_range"), (2026, 2029, None),
     (2016, 2019, None)],
)  # fmt: skip
def test_period_checks(start, end, key):
    source = _info(FIRST, 2020, 2025, "ended")
    if key is None:
        assert rules.check_period(start, end, source) == (int(start), int(end))
    else:
        with pytest.raises(rules.PlanRuleError) as err:
            rules.check_period(start, end, source)
        assert err.value.key == key


def test_default_plan_is_the_one_in_force_today_else_the_newest():
    ended, draft = _info(FIRST, 2020, 2025, "ended"), _info(NEXT, 2026, 2029, "draft")
    assert rules.default_plan([ended], date(2026, 12, 5)).plan_id == FIRST
    assert rules.default_plan([ended, draft], date(2026, 12, 5)).plan_id == NEXT  # the newest
    in_force = _info(NEXT, 2026, 2029, "in_force")
    later = _info("kymenlaakso-2030-2033", 2030, 2033, "draft")
    assert rules.default_plan([ended, in_force, later], date(2027, 1, 1)).plan_id == NEXT
    assert rules.default_plan([], date(2027, 1, 1)) is None
    assert [p.plan_id for p in rules.order([ended, later, in_force])] == ["kymenlaakso-2030-2033", NEXT, FIRST]


@pytest.mark.parametrize(
    ("measure", "continuing"),
    [({"permanent": True, "end_year": None}, True), ({"permanent": False, "end_year": 2026}, True),
     ({"permanent": False, "end_year": 2025}, False), ({"permanent": False, "end_year": None}, False),
     ({"permanent": False, "end_year": ""}, False)],
)  # fmt: skip
def test_continuing_measures(measure, continuing):
    assert rules.is_continuing(measure, 2026) is continuing


def test_a_dropped_indicator_needs_a_reason():
    with pytest.raises(rules.PlanRuleError) as err:
        rules.check_reason("dropped", "  ", 7)
    assert err.value.key == "plan.drop_reason_required"
    assert rules.check_reason("dropped", " Kysely loppui ", 7) == "Kysely loppui"
    assert rules.check_reason("kept", "", 7) == ""


# ------------------------------------------------------------------ the store


def test_the_seeded_plan_and_its_structure(store, mini_plan):
    [info] = store.plans()
    assert (info.plan_id, info.period_start, info.period_end, info.state) == (FIRST, 2020, 2025, PlanState.IN_FORCE)
    assert store.plan_info(FIRST) == info
    assert store.default_plan_id(date(2026, 12, 5)) == FIRST
    plan = store.load_plan(FIRST)
    assert plan.goals == mini_plan.goals and plan.subgoals == mini_plan.subgoals
    assert plan.subgoal_indicators == mini_plan.subgoal_indicators
    assert plan.indicators == mini_plan.indicators and plan.actors == mini_plan.actors
    assert sorted(m.measure_id for m in plan.measures) == sorted(m.measure_id for m in mini_plan.measures)
    assert plan.region_area == "kymenlaakso" and plan.region == "Kymenlaakso"
    with pytest.raises(NotFound) as err:
        store.plan_info("ei-ole")
    assert err.value.key == "plan.not_found"
    with pytest.raises(NotFound):
        store.load_plan("ei-ole")


def test_drafting_the_next_plan_carries_continuing_measures_and_drops_an_indicator(store):
    store.save_evaluation("hamina-I.1-1", 2025, {"rating": 3, "comment": "Vakiintui"}, None, ED)
    report = store.create_plan_from(
        FIRST, NEXT, "Hyvinvointisuunnitelma 2026–2029", 2026, 2029, "continuing", ED,
        indicator_choices={31: ("dropped", "Väestöennuste ei ole tavoitteen mittari"), 16: "kept"},
    )  # fmt: skip
    assert report.plan.state == PlanState.DRAFT and report.plan.source_plan_id == FIRST
    # hamina-I.1-1 is permanent; kymsote-I.1-1 has no end year; the reference row is no measure
    assert [old for old, _new in report.carried] == ["hamina-I.1-1"]
    [(old, new)] = report.carried
    assert new == "hamina-I.1-2"  # actor-subgoal-seq, seq counted over every plan: never used twice
    assert report.left == ["kymsote-I.1-1"]
    assert report.dropped == [(31, "Väestöennuste ei ole tavoitteen mittari")] and sorted(report.kept) == [7, 16]
    assert (report.goals, report.subgoals) == (3, 4)

    measures = store.measures(plan_id=NEXT).set_index("measure_id")
    assert list(measures.index) == [new]
    assert measures.loc[new, "carried_from"] == old and measures.loc[new, "plan_id"] == NEXT
    assert store.measure(old)["plan_id"] == FIRST  # the earlier plan keeps its measure
    assert store.evaluations(plan_id=NEXT).empty and len(store.evaluations(plan_id=FIRST)) == 1
    draft = store.load_plan(NEXT)
    assert [c.indicator_id for c in draft.dropped_indicators()] == [31]
    assert {li.indicator_id for li in draft.subgoal_indicators} == {7, 16}  # 31 left the tiles
    assert store.followed_indicators(NEXT) == [7, 16]
    assert [g.goal_id for g in draft.goals] == ["I", "II", "III"]
    assert (
        draft.region_area == "kymenlaakso"
        and draft.meta["status_legend"] == store.load_plan(FIRST).meta["status_legend"]
    )
    assert (draft.meta["name"], draft.period_start, draft.period_end) == (
        "Hyvinvointisuunnitelma 2026–2029",
        2026,
        2029,
    )
    history = store.history(entity="plan")
    assert list(history["entity_id"]) == [NEXT] and history.iloc[0]["action"] == "create"
    assert [p.plan_id for p in store.plans()] == [NEXT, FIRST]
    assert store.default_plan_id(date(2026, 12, 5)) == FIRST  # the draft is not in force
    store.set_plan_state(FIRST, "ended", ED)
    store.set_plan_state(NEXT, "in_force", ED)
    assert store.default_plan_id(date(2026, 12, 5)) == NEXT
    assert store.plan_info(NEXT).state == PlanState.IN_FORCE


def test_carry_all_none_and_per_measure_choices(store):
    all_ = store.create_plan_from(FIRST, "kaikki-2026-2029", "Kaikki", 2026, 2029, "all", ED)
    assert sorted(o for o, _ in all_.carried) == ["hamina-I.1-1", "kymsote-I.1-1"]
    none = store.create_plan_from(
        FIRST, "ei-mitaan-2026-2029", "Ei mitään", 2026, 2029, "none", ED,
        measure_choices={"kymsote-I.1-1": {"choice": "carry_changed", "values": {"toimenpide": "Uudistettu"}}},
    )  # fmt: skip
    assert none.carried == [] and none.left == ["hamina-I.1-1"]
    [(old, new)] = none.carried_changed
    assert old == "kymsote-I.1-1" and store.measure(new)["toimenpide"] == "Uudistettu"
    assert store.measure(old)["toimenpide"] != "Uudistettu"
    ids = store.measure_ids()
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [({"new_id": FIRST}, "plan.id_exists"), ({"new_id": "X"}, "plan.id_malformed"),
     ({"start": 2029, "end": 2026}, "plan.period_order"), ({"start": 2024, "end": 2027}, "plan.period_overlap"),
     ({"indicator_choices": {31: "dropped"}}, "plan.drop_reason_required"),
     ({"indicator_choices": {31: ("dropped", " ")}}, "plan.drop_reason_required"),
     ({"indicator_choices": {99: "added"}}, "plan.unknown_indicator"),
     ({"indicator_choices": {7: "added"}}, "plan.indicator_already_followed"),
     ({"measure_choices": {"ei-ole-I.1-1": "carry"}}, "plan.unknown_measure"),
     ({"carry": "jotain"}, "plan.unknown_carry"), ({"name": " "}, "plan.name_required")],
)  # fmt: skip
def test_bad_input_changes_nothing_and_says_why_in_both_languages(store, kwargs, key):
    args = {"new_id": NEXT, "name": "Uusi", "start": 2026, "end": 2029, "carry": "all"} | kwargs
    before = (store.plans(), store.measure_ids(), store.data_version())
    with pytest.raises(StoreError) as err:
        store.create_plan_from(
            FIRST, args["new_id"], args["name"], args["start"], args["end"], args["carry"], ED,
            indicator_choices=args.get("indicator_choices"), measure_choices=args.get("measure_choices"),
        )  # fmt: skip
    assert err.value.key == key
    assert err.value.text("fi") != err.value.text("en") and "{" not in err.value.text("en")
    assert (store.plans(), store.measure_ids(), store.data_version()) == before


def test_an_ended_plan_is_read_only_but_its_evaluations_and_the_values(store):
    measure = store.measure("hamina-I.1-1")
    event_id = store.save_event(None, {"title": "Kevättyöpaja", "months": "3"}, None, ED, plan_id=FIRST)
    store.set_plan_state(FIRST, "ended", ED)
    attempts = [
        lambda: store.save_measure_edits([MeasureEdit("hamina-I.1-1", measure["version"], {"toimenpide": "x"})], ED),
        lambda: store.add_measure("hamina", "I.1", {"toimenpide": "Uusi"}, ED, plan_id=FIRST),
        lambda: store.delete_measure("hamina-I.1-1", measure["version"], ED),
        lambda: store.save_events([EventChange(event_id, {"title": "Syystyöpaja"}, 1)], ED),
        lambda: store.save_event(None, {"title": "Uusi", "months": "5"}, None, ED, plan_id=FIRST),
        lambda: store.save_plan_subgoal(FIRST, "I.1", {"title_fi": "Uusi nimi"}, ED),
        lambda: store.set_indicator_choice(FIRST, 31, "dropped", "syy", ED),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidEdit) as err:
            attempt()
        assert err.value.key == "plan.read_only"
        assert "ended" in err.value.text("en") and "päättynyt" in err.value.text("fi")
    assert store.measure("hamina-I.1-1")["toimenpide"] == measure["toimenpide"]
    # its yearly evaluations (the last year is evaluated after the end) and the region's values go on
    assert store.save_evaluation("hamina-I.1-1", 2025, {"rating": 4}, None, ED) == 1
    row = {"indicator_id": 7, "series_id": "", "group_id": "lk4_5", "area": "kymenlaakso", "year": 2027}
    assert store.upsert_observations([{**row, "value": 80.0}], ED)["added"] == 1


def test_editing_a_drafts_goals_subgoals_and_indicator_choices_is_recorded(store):
    store.create_plan_from(FIRST, NEXT, "Uusi", 2026, 2029, "none", ED)
    store.save_plan_goal(NEXT, "I", {"title_fi": "Arki sujuu"}, ED)
    store.save_plan_subgoal(NEXT, "I.1", {"title_fi": "Lapset kuulluksi", "difficulty": "vaikea"}, ED)
    new_sub = store.add_plan_subgoal(NEXT, "II", {"title_fi": "Uusi välitavoite", "title_en": "New sub-goal"}, ED)
    assert new_sub == "II.2"
    store.set_indicator_choice(NEXT, 31, "dropped", "Ei enää käytössä", ED)
    draft = store.load_plan(NEXT)
    assert draft.goal("I").title_fi == "Arki sujuu"
    assert next(s for s in draft.subgoals if s.subgoal_id == "I.1").difficulty == "vaikea"
    assert [s.subgoal_id for s in draft.subgoals_of("II")] == ["II.1", "II.2"]
    assert [(c.indicator_id, c.reason) for c in draft.dropped_indicators()] == [(31, "Ei enää käytössä")]
    earlier = store.load_plan(FIRST)  # the copies are the draft's own
    assert earlier.goal("I").title_fi != "Arki sujuu" and len(earlier.subgoals_of("II")) == 1
    fields = set(store.history(limit=50)["field"])
    assert {"title_fi", "difficulty", "choice"} <= fields
    store.add_plan_goal(NEXT, "IV", {"title_fi": "Neljäs", "title_en": "Fourth", "preventive_pct": 50,
                                     "early_support_pct": 30, "intensive_pct": 20}, ED)  # fmt: skip
    assert [g.goal_id for g in store.load_plan(NEXT).goals] == ["I", "II", "III", "IV"]
    with pytest.raises(InvalidEdit) as err:
        store.add_plan_goal(NEXT, "IV", {"title_fi": "x", "title_en": "x", "preventive_pct": 100,
                                         "early_support_pct": 0, "intensive_pct": 0}, ED)  # fmt: skip
    assert err.value.key == "plan.goal_exists"
    store.set_subgoal_indicators(NEXT, "II.2", [(7, ""), (16, "ilmoitukset")], ED)
    tiles = [
        (li.indicator_id, li.series_id) for li in store.load_plan(NEXT).subgoal_indicators if li.subgoal_id == "II.2"
    ]
    assert tiles == [(7, ""), (16, "ilmoitukset")]
    with pytest.raises(InvalidEdit) as err:
        store.set_subgoal_indicators(NEXT, "II.2", [(31, "")], ED)  # dropped above
    assert err.value.key == "plan.indicator_not_followed"
    with pytest.raises(InvalidEdit) as err:
        store.set_indicator_choice(NEXT, 7, "dropped", "", ED)
    assert err.value.key == "plan.drop_reason_required"
    with pytest.raises(InvalidEdit) as err:
        store.save_plan_goal(NEXT, "I", {"preventive_pct": 99}, ED)  # the shares no longer sum to 100
    assert err.value.key == "plan.invalid_row"


def test_new_measures_and_events_go_to_the_plan_in_force(store):
    store.create_plan_from(FIRST, NEXT, "Uusi", 2026, 2029, "none", ED)
    store.set_plan_state(FIRST, "ended", ED)
    store.set_plan_state(NEXT, "in_force", ED)
    mid = store.add_measure("hamina", "I.1", {"toimenpide": "Uusi kausi"}, ED)
    assert store.measure(mid)["plan_id"] == NEXT and mid == "hamina-I.1-2"
    eid = store.save_event(None, {"title": "Työpaja", "months": "2"}, None, ED)
    assert set(store.events(plan_id=NEXT)["event_id"]) >= {eid}
    assert eid not in set(store.events(plan_id=FIRST)["event_id"])


def test_two_editors_creating_the_same_plan_at_once(store):
    """Both press "create" at the same moment: one draft is made, the other gets a clear refusal."""
    from tests.core.test_storage import _race

    for i in range(5):
        new_id = f"rinnakkain-{i}"
        results = _race(
            lambda k, new_id=new_id: store.create_plan_from(FIRST, new_id, f"Luonnos {k}", 2026, 2029, "all", ED)
        )
        kinds = sorted(kind for kind, _ in results)
        assert kinds == ["error", "ok"], results
        [error] = [r for kind, r in results if kind == "error"]
        assert isinstance(error, InvalidEdit) and not isinstance(error, ConflictError)
        assert error.key == "plan.id_exists"
        assert len(store.measures(plan_id=new_id)) == 2  # one draft, carried once
    ids = store.measure_ids()
    assert len(ids) == len(set(ids))


def test_two_editors_drafting_different_plans_at_once_get_distinct_measure_ids(store):
    from tests.core.test_storage import _race

    results = _race(lambda k: store.create_plan_from(FIRST, f"luonnos-{k}", "L", 2026, 2029, "all", ED))
    assert all(kind == "ok" for kind, _ in results), results
    ids = store.measure_ids()
    assert len(ids) == len(set(ids)) == 3 + 2 * 2  # the seeded rows, and two carried into each draft


# ------------------------------------------------------------------ the command line


def _cli(*args: str, url: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "KYMLAPSET_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture()
def cli_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def test_cli_plans_and_plan_new(cli_url):
    res = _cli("plans", url=cli_url)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        "kymenlaakso-2020-2025\tKymenlaakson maakunnallinen lasten ja nuorten hyvinvointisuunnitelma\t2020–2025\tended"
    ]
    res = _cli("plan-new", "--from", FIRST, "--id", NEXT, "--name", "Hyvinvointisuunnitelma 2026–2029",
               "--start", "2026", "--end", "2029", "--carry", "continuing", url=cli_url)  # fmt: skip
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"Luonnos {NEXT} (2026–2029) laadittiin suunnitelmasta {FIRST}: 3 päätavoitetta")
    carried = [line.strip().split(" → ") for line in lines[1:]]
    assert carried and all(len(pair) == 2 and pair[0] != pair[1] for pair in carried)
    listed = json.loads(_cli("plans", "--json", url=cli_url).stdout)
    assert listed == [
        {"id": NEXT, "name": "Hyvinvointisuunnitelma 2026–2029", "period_start": 2026, "period_end": 2029,
         "state": "draft"},
        {"id": FIRST, "name": "Kymenlaakson maakunnallinen lasten ja nuorten hyvinvointisuunnitelma",
         "period_start": 2020, "period_end": 2025, "state": "ended"},
    ]  # fmt: skip
    doc = json.loads(_cli("export", "--json", "--plan", NEXT, url=cli_url).stdout)
    assert doc["schema_version"] == 2
    assert {k: doc["plan"][k] for k in ("plan_id", "period_start", "period_end", "state")} == {
        "plan_id": NEXT, "period_start": 2026, "period_end": 2029, "state": "draft"}  # fmt: skip
    assert sorted((m["carried_from"], m["measure_id"]) for m in doc["measures"]) == sorted(map(tuple, carried))
    # bad input: a message, exit 1, nothing written
    for bad, words in (
        (["--id", NEXT, "--start", "2030", "--end", "2033"], "on jo olemassa"),
        (["--id", "k-2024", "--start", "2024", "--end", "2027"], "päällekkäin"),
        (["--id", "k-2031", "--start", "2031", "--end", "2030"], "päättyy ennen"),
        (["--id", "Iso Kirjain", "--start", "2030", "--end", "2033"], "ei kelpaa"),
    ):
        res = _cli("plan-new", "--from", FIRST, "--name", "X", "--carry", "all", *bad, url=cli_url)
        assert res.returncode == 1 and words in res.stderr, res.stderr
        assert "Traceback" not in res.stderr
    assert len(json.loads(_cli("plans", "--json", url=cli_url).stdout)) == 2


def test_cli_export_without_a_plan_gives_data_plans_identity():
    res = _cli("export", "--json", url="sqlite://")
    doc = json.loads(res.stdout)
    assert (doc["plan"]["plan_id"], doc["plan"]["state"], doc["plan"]["period_start"]) == (FIRST, "ended", 2020)


def _template_file(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "uusi_kierros.csv"
    path.write_text("indicator_id,series_id,group_id,area,year,value\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_cli_import_previews_then_applies_all_or_nothing(cli_url, tmp_path):
    good = _template_file(tmp_path, ["7,,lk4_5,kymenlaakso,2027,84.5", "7,,lk4_5,koko_maa,2027,86"])
    res = _cli("import", str(good), url=cli_url)
    assert res.returncode == 0, res.stderr
    assert "Esikatselu: 2 lisätään, 0 muuttuu, 0 ennallaan." in res.stdout and "--apply" in res.stdout
    res = _cli("import", str(good), "--apply", url=cli_url)
    assert res.returncode == 0, res.stderr
    assert "2 lisättiin" in res.stdout
    again = _cli("import", str(good), url=cli_url)
    assert "0 lisätään, 0 muuttuu, 2 ennallaan" in again.stdout
    bad = _template_file(tmp_path, ["7,,lk4_5,kymenlaakso,2028,84.5", "7,,ei_ryhmaa,kymenlaakso,2028,80"])
    res = _cli("import", str(bad), "--apply", url=cli_url)
    assert res.returncode == 1 and "Rivi 3" in res.stderr and "ei_ryhmaa" in res.stderr
    assert "Traceback" not in res.stderr
    doc = json.loads(_cli("export", "--json", "--plan", FIRST, url=cli_url).stdout)
    ind7 = next(i for i in doc["indicators"] if i["indicator_id"] == 7)
    years = {(o["area"], o["year"]) for o in ind7["observations"]}
    assert ("kymenlaakso", 2027) in years and ("kymenlaakso", 2028) not in years  # all or nothing
    res = _cli("import", str(tmp_path / "ei_ole.csv"), url=cli_url)
    assert res.returncode == 1 and "Traceback" not in res.stderr


def test_cli_backup_and_restore_are_a_pair(cli_url, tmp_path):
    for name in ("varmuuskopio.xlsx", "varmuuskopio.zip"):
        res = _cli("backup", str(tmp_path / name), url=cli_url)
        assert res.returncode == 0, res.stderr
        assert (tmp_path / name).stat().st_size > 0
        target = f"sqlite:///{tmp_path / ('palautettu-' + name + '.db')}"
        res = _cli("restore", str(tmp_path / name), url=target)
        assert res.returncode == 0, res.stderr
        source = json.loads(_cli("export", "--json", "--plan", FIRST, url=cli_url).stdout)
        restored = json.loads(_cli("export", "--json", "--plan", FIRST, url=target).stdout)
        assert restored["measures"] == source["measures"]
        assert restored["goals"] == source["goals"] and restored["plan"]["state"] == "ended"
    res = _cli("backup", str(tmp_path / "varmuuskopio.txt"), url=cli_url)
    assert res.returncode == 1 and ".xlsx" in res.stderr


def test_cli_main_in_process_lists_plans(cli_url, capsys, monkeypatch):
    from core.__main__ import main

    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", cli_url)
    assert main(["plans", "--lang", "en"]) == 0
    assert capsys.readouterr().out.startswith(f"{FIRST}\t")
    assert main(["export", "--json", "--plan", "ei-ole", "--lang", "en"]) == 1
    assert "There is no plan ei-ole." in capsys.readouterr().err


# ------------------------------------------------------------------ one model for every plan


def test_another_region_with_four_goals_works_the_same(tmp_path):
    """Nothing assumes Kymenlaakso, three goals or roman numerals: they come from the plan's data."""
    import shutil

    from core.io.importer import parse_import
    from core.plan.loader import load_plan
    from core.views import queries

    data = tmp_path / "data"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini", data)
    meta = (data / "plan.yaml").read_text(encoding="utf-8")
    meta = meta.replace("region: Kymenlaakso", "plan_id: etela-karjala-2022-2025\nregion: Etelä-Karjala\n"
                        "region_area: etela_karjala\nstate: in_force")  # fmt: skip
    (data / "plan.yaml").write_text(meta, encoding="utf-8")
    obs = data / "observations.csv"
    obs.write_text(obs.read_text(encoding="utf-8").replace(",kymenlaakso,", ",etela_karjala,"), encoding="utf-8")
    with (data / "goals.csv").open("a", encoding="utf-8") as f:
        f.write("IV,4,Neljäs tavoite,Fourth goal,40,40,20,\n")
    with (data / "subgoals.csv").open("a", encoding="utf-8") as f:
        f.write("IV.1,IV,1,Uusi välitavoite,New sub-goal,helppo,korkea,\n")

    plan = load_plan(data)
    assert (plan.plan_id, plan.region, plan.region_area, plan.state) == (
        "etela-karjala-2022-2025", "Etelä-Karjala", "etela_karjala", PlanState.IN_FORCE)  # fmt: skip
    store = Store.open("sqlite://", plan)
    stored = store.load_plan(plan.plan_id)
    assert [g.goal_id for g in stored.goals] == ["I", "II", "III", "IV"]
    assert sorted(s.subgoal_id for s in stored.subgoals)[-1] == "IV.1"
    assert queries.subgoal_sort_key("IV.1") > queries.subgoal_sort_key("III.1")
    frame = queries.comparison_frame(stored, store.observations(), queries.linked_indicators(stored), lang="fi")
    assert not frame.empty and frame["value"].notna().any()  # the region's values are found by its area id
    trend = queries.trend_frame(stored, store.observations(), 7, "", None, "fi")
    assert "Etelä-Karjala" in set(trend["area_label"])
    # an import names the region by its own area id; the old region's id is refused
    good = b"indicator_id,series_id,group_id,area,year,value\n7,,lk4_5,etela_karjala,2024,80\n"
    assert not parse_import(good, "uusi.csv", stored).errors
    wrong = b"indicator_id,series_id,group_id,area,year,value\n7,,lk4_5,kymenlaakso,2024,80\n"
    [problem] = parse_import(wrong, "uusi.csv", stored).errors
    assert problem.column == "area" and "etela_karjala" in problem.text("fi")
    # data/ naming another area than its region is a loader problem
    obs.write_text(obs.read_text(encoding="utf-8").replace(",etela_karjala,", ",kymenlaakso,", 1), encoding="utf-8")
    from core.plan.loader import validate

    _plan, problems = validate(data)
    assert any(p.column == "area" and "etela_karjala" in p.message for p in problems)
