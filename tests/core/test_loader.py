"""The loader accepts the data and rejects each kind of broken file with file, row and column."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.plan.loader import PlanDataError, load_plan, validate

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"


@pytest.fixture()
def data_copy(tmp_path):
    dest = tmp_path / "data"
    shutil.copytree(MINI, dest)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_real_data_loads():
    plan = load_plan(ROOT / "data")
    assert len(plan.indicators) == 32
    assert len(plan.subgoals) == 16
    assert len(plan.goals) == 3


def test_mini_fixture_loads():
    plan, problems = validate(MINI)
    assert problems == [] and plan is not None


@pytest.mark.parametrize(
    ("file", "old", "new", "row", "column", "words"),
    [
        ("measures.csv", "measure_id,actor_id,", "measure_id,", 1, "actor_id", "missing"),
        (
            "observations.csv",
            "7,,lk4_5,kymenlaakso,2019,88,",
            "7,,lk4_5,kymenlaakso,2019,kahdeksan,",
            2,
            "value",
            "not a number",
        ),
        ("observations.csv", "7,,lk4_5,kymenlaakso,2019,88,", "7,,lk4_5,kymenlaakso,2019,188,", 2, "value", "0–100"),
        ("measures.csv", "hamina-I.1-1,hamina,", "hamina-I.1-1,kotka,", 3, "actor_id", "unknown actor"),
        ("groups.csv", "lk8_9,8.–9. lk", "lk4_5,8.–9. lk", 3, "group_id", "duplicate"),
        ("subgoal_indicators.csv", "I.1,31,,2,", "I.1,99,,2,", 3, "indicator_id", "dangling"),
        ("observations.csv", "31,,lk4_5,kymenlaakso,2019", "31,,lk4_5,maakunta,2019", 6, "area", "area"),
        ("indicators.csv", "percent,higher_better", "prosentti,higher_better", 2, "unit", "Input should be"),
        (
            "goals.csv",
            "I,1,Arjen hyvinvointi lisääntyy,Everyday wellbeing increases,50,35,15",
            "I,1,Arjen hyvinvointi lisääntyy,Everyday wellbeing increases,50,35,25",
            2,
            None,
            "sum to 100",
        ),
        ("measures.csv", "hamina-I.1-1,hamina,I.1,1,", "hamina-I.1-9,hamina,I.1,1,", 3, "measure_id", "should be"),
        ("observations.csv", "7,,lk4_5,kymenlaakso,2019", "7,,lk4_5,kymenlaakso,vuosi", 2, "year", "whole number"),
    ],
)
def test_broken_file_is_rejected_with_place(data_copy, file, old, new, row, column, words):
    edit(data_copy / file, old, new)
    plan, problems = validate(data_copy)
    assert plan is None
    hits = [p for p in problems if p.file == file and p.row == row and (column is None or p.column == column)]
    assert hits, problems
    assert any(words.lower() in p.message.lower() for p in hits), hits
    with pytest.raises(PlanDataError) as err:
        load_plan(data_copy)
    assert file in str(err.value)


def test_subgoal_of_unknown_goal(data_copy):
    edit(data_copy / "goals.csv", "III,3,Verkostotyö kehittyy,Network work develops,50,30,20,\n", "")
    _, problems = validate(data_copy)
    assert any(
        p.file == "subgoals.csv" and p.row == 5 and p.column == "goal_id" and "unknown goal" in p.message
        for p in problems
    ), problems


def test_missing_file_and_bad_yaml(data_copy):
    (data_copy / "actors.csv").unlink()
    (data_copy / "plan.yaml").write_text("name: [unclosed", encoding="utf-8")
    _, problems = validate(data_copy)
    files = {p.file for p in problems}
    assert {"actors.csv", "plan.yaml"} <= files


def test_non_utf8_file(data_copy):
    (data_copy / "groups.csv").write_bytes("group_id,name_fi\nlk4_5,Äiti\n".encode("cp1252"))
    _, problems = validate(data_copy)
    assert any(p.file == "groups.csv" and "UTF-8" in p.message for p in problems)


def test_every_problem_is_reported_not_only_the_first(data_copy):
    edit(data_copy / "observations.csv", "7,,lk4_5,kymenlaakso,2019,88,", "7,,lk4_5,kymenlaakso,2019,188,")
    edit(data_copy / "measures.csv", "hamina-I.1-1,hamina,", "hamina-I.1-1,kotka,")
    _, problems = validate(data_copy)
    assert {p.file for p in problems} >= {"observations.csv", "measures.csv"}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core", *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


def test_cli_validate_ok():
    res = run_cli("validate")
    assert res.returncode == 0, res.stderr
    assert "32 indicators" in res.stdout


def test_cli_validate_reports_every_problem(data_copy):
    edit(data_copy / "observations.csv", "7,,lk4_5,kymenlaakso,2019,88,", "7,,lk4_5,kymenlaakso,2019,188,")
    edit(data_copy / "measures.csv", "hamina-I.1-1,hamina,", "hamina-I.1-1,kotka,")
    res = run_cli("--data", str(data_copy), "validate")
    assert res.returncode == 1
    assert "observations.csv, row 2, column 'value'" in res.stderr
    assert "measures.csv, row 3, column 'actor_id'" in res.stderr


def test_cli_export_json():
    import json

    res = run_cli("export", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["schema_version"] == 2
    assert [g["goal_id"] for g in doc["goals"]] == ["I", "II", "III"]
    assert sum(len(g["subgoals"]) for g in doc["goals"]) == 16
    assert len(doc["indicators"]) == 32
    ind7 = next(i for i in doc["indicators"] if i["indicator_id"] == 7)
    assert any(
        o["area"] == "koko_maa" and o["group_id"] == "lk4_5" and o["value"] == 89.5 for o in ind7["observations"]
    )
    assert len(doc["actors"]) == 11
    assert len(doc["measures"]) == 176
    assert all("indicators" in s for g in doc["goals"] for s in g["subgoals"])


# ------------------------------------------------------------------ problems as catalogue messages

BROKEN = [  # one of each kind of row problem, all at once
    ("observations.csv", "7,,lk4_5,kymenlaakso,2019,88,", "7,,lk4_5,kymenlaakso,2019,kahdeksan,"),
    ("measures.csv", "hamina-I.1-1,hamina,", "hamina-I.1-1,kotka,"),
    ("groups.csv", "lk8_9,8.–9. lk", "lk4_5,8.–9. lk"),
    ("subgoal_indicators.csv", "I.1,31,,2,", "I.1,99,,2,"),
    ("observations.csv", "31,,lk4_5,kymenlaakso,2019", "31,,lk4_5,maakunta,2019"),
    ("indicators.csv", "percent,higher_better", "prosentti,higher_better"),
    (
        "goals.csv",
        "I,1,Arjen hyvinvointi lisääntyy,Everyday wellbeing increases,50,35,15",
        "I,1,Arjen hyvinvointi lisääntyy,Everyday wellbeing increases,50,35,25",
    ),
]
# what `python -m core validate` printed for BROKEN when the loader still wrote English sentences
PRINTED_BEFORE = [
    "goals.csv, row 2: service-level shares must sum to 100, got 110",
    "indicators.csv, row 2, column 'unit': Input should be 'percent', 'count', 'per_1000', 'per_10000' or 'percent_change'",
    "observations.csv, row 2, column 'value': not a number: 'kahdeksan'",
    # the region comes from plan.yaml (region_area), so the area is checked against the plan
    "observations.csv, row 6, column 'area': unknown area 'maakunta': the area must be the plan's region "
    "'kymenlaakso', koko_maa or kunta:<name>",
    "groups.csv, row 3, column 'group_id': duplicate id 'lk4_5' (first on row 2)",
    "subgoals.csv, row 2, column 'goal_id': unknown goal 'I'",
    "subgoals.csv, row 3, column 'goal_id': unknown goal 'I'",
    "observations.csv, row 3, column 'indicator_id': unknown indicator 7",
    "observations.csv, row 4, column 'indicator_id': unknown indicator 7",
    "observations.csv, row 4, column 'group_id': unknown group 'lk8_9'",
    "observations.csv, row 5, column 'indicator_id': unknown indicator 7",
    "observations.csv, row 5, column 'group_id': unknown group 'lk8_9'",
    "subgoal_indicators.csv, row 2, column 'indicator_id': dangling indicator link: no indicator 7",
    "subgoal_indicators.csv, row 3, column 'indicator_id': dangling indicator link: no indicator 99",
    "measures.csv, row 3, column 'actor_id': unknown actor 'kotka'",
    "measures.csv, row 3, column 'measure_id': measure_id should be 'kotka-I.1-1' (actor-subgoal-seq)",
]


def test_cli_validate_prints_the_same_english_lines_as_before(data_copy):
    for file, old, new in BROKEN:
        edit(data_copy / file, old, new)
    res = run_cli("--data", str(data_copy), "validate")
    assert res.returncode == 1
    assert res.stderr.splitlines() == [*PRINTED_BEFORE, f"{len(PRINTED_BEFORE)} problem(s) found in {data_copy}"]


def test_problems_are_catalogue_messages_in_either_language(data_copy):
    """The loader says what is wrong as a message key and values; Finnish for the app, English for the CLI."""
    from core.base.i18n import Msg

    for file, old, new in BROKEN:
        edit(data_copy / file, old, new)
    _, problems = validate(data_copy)
    assert all(isinstance(p.problem, Msg) and p.problem.key.startswith("loader.") for p in problems)
    actor = next(p for p in problems if p.file == "measures.csv" and p.column == "actor_id")
    assert (actor.problem.key, actor.problem.values) == ("loader.unknown_actor", {"id": "'kotka'"})
    assert actor.problem.text("fi") == "tuntematon toimija 'kotka'"
    assert actor.message == actor.problem.text("en") == "unknown actor 'kotka'"
    duplicate = next(p for p in problems if p.file == "groups.csv")
    assert duplicate.problem.text("fi") == "sama tunniste 'lk4_5' on jo rivillä 2"


def test_the_exporter_no_longer_translates_english_sentences_back():
    src = "\n".join(f.read_text(encoding="utf-8") for f in sorted((ROOT / "core" / "exporter").glob("*.py")))
    assert "_LOADER_KEYS" not in src and "exporter.loader." not in src


def test_the_apps_notice_lists_the_problems_in_finnish_and_the_error_stays_english(data_copy):
    for file, old, new in BROKEN:
        edit(data_copy / file, old, new)
    with pytest.raises(PlanDataError) as err:
        load_plan(data_copy)
    n = len(PRINTED_BEFORE)
    assert str(err.value).startswith(f"{n} problem(s) in the plan data:\n- {PRINTED_BEFORE[0]}\n")
    fi = err.value.text("fi").splitlines()
    assert fi[0] == f"Suunnitelman tiedoissa on {n} ongelmaa:"
    assert "- measures.csv, rivi 3, sarake 'actor_id': tuntematon toimija 'kotka'" in fi
    assert err.value.text("en").splitlines()[1:] == [f"- {line}" for line in PRINTED_BEFORE]
