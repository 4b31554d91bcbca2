"""Tests of core.exporter: workbook and CSV zip exports, their import, restore, and the exact round trip."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from sqlalchemy import update

from core import exporter
from core.exporter import (
    ALL_FILES,
    EVALUATION_COLUMNS,
    EVENT_COLUMNS,
    SHEETS,
    BackupError,
    export_csv_zip,
    export_tables,
    export_workbook,
    import_csv_zip,
    import_workbook,
    plan_from_tables,
    read_backup,
    restore_store,
    xlsx_escape,
    xlsx_unescape,
)
from core.i18n import Msg
from core.importer import apply_import, parse_import
from core.loader import CSV_FILES, columns_of, load_plan
from core.model import Measure, Observation
from core.storage import Editor, MeasureEdit, Store
from core.storage import measures as measures_table

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini"
MEASURE_COLUMNS = columns_of(Measure)
OBS_COLUMNS = columns_of(Observation)


@pytest.fixture(scope="module")
def plan():
    return load_plan(MINI)


@pytest.fixture
def editor():
    return Editor("Testi")


@pytest.fixture
def store(plan, editor):
    """The mini plan's store after a year of use: edits, a new and a deleted measure, imports, evaluations, events."""
    s = Store.open("sqlite://", plan)
    m = s.measure("kymsote-I.1-1")
    s.save_measure_edits([MeasureEdit("kymsote-I.1-1", m["version"], {
        "status": "käynnissä", "end_year": 2024, "contact": "=SUM(A1) Liisa", "seuranta": "- Seuranta\n- 2 krt/v",
    })], editor)
    new_id = s.add_measure("hamina", "I.2", {"toimenpide": "Perhekahvila _x0041_ ja\tsarkain", "aikataulu": "2021–2023"},
                           editor)
    assert new_id == "hamina-I.2-1"
    s.delete_measure("hamina-II.1-1", s.measure("hamina-II.1-1")["version"], editor)
    with s.engine.begin() as conn:  # text that only data/ can bring: CR and a control character
        conn.execute(update(measures_table).where(measures_table.c.measure_id == "hamina-I.1-1")
                     .values(toimenpide="Rivi 1\r\nRivi 2\x0bloppu"))
    s.save_evaluation("kymsote-I.1-1", 2021, {"rating": 3, "comment": "Hyvin edennyt", "evaluator": "Arvioija",
                                              "evaluated_on": "2022-01-15"}, None, editor)
    s.save_evaluation("hamina-I.2-1", 2022, {"rating": "", "comment": "Ei vielä arvioitu"}, None, editor)
    s.save_event(None, {"title": "Vuosiarviointi", "months": "1,2", "owner": "Kymsote", "description": "Kaikki"},
                 None, editor)
    e2 = s.save_event(None, {"title": "Poistuva", "months": "5"}, None, editor)
    s.save_event(None, {"title": "Syysseminaari", "months": "9–10"}, None, editor)
    s.delete_event(e2, 1, editor)
    result = parse_import(b"indicator_id,group_id,area,year,value,value_as_printed\n"
                          b"31,lk4_5,kymenlaakso,2021,6.4,\"6,4 %\"\n7,lk4_5,kymenlaakso,2019,88.5,\n",
                          "uudet.csv", plan)
    apply_import(s, result, editor)
    return s


def store_data(store: Store) -> dict[str, pd.DataFrame]:
    """The store's content without bookkeeping (ids, versions, timestamps), in a stable order."""
    ms = store.measures()[MEASURE_COLUMNS].sort_values("measure_id").reset_index(drop=True)
    obs = store.observations()[OBS_COLUMNS].sort_values(["indicator_id", "series_id", "group_id", "area", "year"])
    ev = store.evaluations()[EVALUATION_COLUMNS].sort_values(["measure_id", "year"])
    events = store.events()[EVENT_COLUMNS].sort_values("event_id")
    return {"measures": ms, "observations": obs.reset_index(drop=True), "evaluations": ev.reset_index(drop=True),
            "events": events.reset_index(drop=True)}


def assert_same_data(a: Store, b: Store) -> None:
    da, db = store_data(a), store_data(b)
    for name in da:
        pd.testing.assert_frame_equal(da[name], db[name], check_dtype=False, obj=name)


# ------------------------------------------------------------------------------------------
# Export formats


def test_workbook_has_one_sheet_per_file(plan, store):
    wb = load_workbook(io.BytesIO(export_workbook(plan, store)))
    assert wb.sheetnames == list(SHEETS) == ["plan", "groups", "goals", "subgoals", "indicators", "series",
                                             "observations", "subgoal_indicators", "actors", "measures",
                                             "evaluations", "events"]

    def header(ws):
        return [c.value for c in ws[1]]

    for sheet, name in SHEETS.items():
        expected = ["key", "value"] if name == "plan.yaml" else exporter.FILE_COLUMNS[name]
        assert header(wb[sheet]) == expected, sheet
    assert header(wb["measures"]) == MEASURE_COLUMNS
    plan_rows = {r[0]: r[1] for r in wb["plan"].iter_rows(min_row=2, values_only=True)}
    assert plan_rows["name"] == "Testisuunnitelma" and yaml.safe_load(plan_rows["status_legend"])["hyva"] == "hyvä"
    ids = [r[0] for r in wb["measures"].iter_rows(min_row=2, values_only=True)]
    assert "hamina-II.1-1" not in ids  # deleted
    assert ids == ["kymsote-I.1-1", "hamina-I.1-1", "hamina-I.2-1"]  # plan order: actor, sub-goal, seq
    assert len(ids) == len(store.measures())
    obs = list(wb["observations"].iter_rows(min_row=2, values_only=True))
    assert len(obs) == len(store.observations()) == len(plan.observations) + 1  # from the STORE
    assert (7, None, "lk4_5", "kymenlaakso", 2019, 88.5, "88 %", None, None) in obs
    row = next(r for r in wb["measures"].iter_rows(min_row=2) if r[0].value == "kymsote-I.1-1")
    contact = row[MEASURE_COLUMNS.index("contact")]
    assert contact.value == "=SUM(A1) Liisa" and contact.data_type == "s"  # text, never a formula
    assert row[MEASURE_COLUMNS.index("status")].value == "käynnissä"
    assert row[MEASURE_COLUMNS.index("end_year")].value == 2024
    assert [r[2] for r in wb["evaluations"].iter_rows(min_row=2, values_only=True)] == [None, 3]
    assert [r[1] for r in wb["events"].iter_rows(min_row=2, values_only=True)] == ["Vuosiarviointi", "Syysseminaari"]


def test_zip_is_a_valid_data_folder(plan, store, tmp_path):
    content = export_csv_zip(plan, store)
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        assert sorted(zf.namelist()) == sorted(ALL_FILES)
        zf.extractall(tmp_path)
    for name, model in CSV_FILES.items():
        raw = (tmp_path / name).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw.replace(b"Rivi 1\r\nRivi 2", b"")
        with open(tmp_path / name, newline="", encoding="utf-8") as f:
            assert next(csv.reader(f)) == columns_of(model), name
    with open(tmp_path / "evaluations.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == EVALUATION_COLUMNS
    with open(tmp_path / "events.csv", newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == EVENT_COLUMNS
    assert yaml.safe_load((tmp_path / "plan.yaml").read_text(encoding="utf-8")) == plan.meta
    loaded = load_plan(tmp_path)  # the data/ loader accepts the export as it is
    for part in ("groups", "goals", "subgoals", "indicators", "series", "subgoal_indicators", "actors"):
        assert getattr(loaded, part) == getattr(plan, part), part
    assert len(loaded.measures) == 3 and len(loaded.observations) == len(plan.observations) + 1
    measure = next(m for m in loaded.measures if m.measure_id == "kymsote-I.1-1")
    assert (measure.status.value, measure.end_year, measure.start_year, measure.contact) == (
        "käynnissä", 2024, 2020, "=SUM(A1) Liisa")


# ------------------------------------------------------------------------------------------
# Round trip


@pytest.mark.parametrize("export,read", [(export_workbook, import_workbook), (export_csv_zip, import_csv_zip)],
                         ids=["xlsx", "zip"])
def test_round_trip_gives_identical_data(plan, store, export, read):
    tables = read(export(plan, store))
    original = export_tables(plan, store)
    assert list(tables) == list(original)
    for name in original:
        pd.testing.assert_frame_equal(tables[name], original[name], obj=name)
    restored = restore_store(tables, "sqlite://", Editor("Palauttaja"))
    assert_same_data(store, restored)
    restored_plan = plan_from_tables(tables)
    assert restored_plan.meta == plan.meta
    for part in ("groups", "goals", "subgoals", "indicators", "series", "subgoal_indicators", "actors"):
        assert getattr(restored_plan, part) == getattr(plan, part), part
    again = export_tables(restored_plan, restored)
    for name in original:
        pd.testing.assert_frame_equal(again[name], original[name], obj=name)
    # the text that an .xlsx cannot hold as such survives too
    m = restored.measure("hamina-I.1-1")
    assert m["toimenpide"] == "Rivi 1\r\nRivi 2\x0bloppu"
    assert restored.measure("hamina-I.2-1")["toimenpide"] == "Perhekahvila _x0041_ ja\tsarkain"
    assert restored.measure("kymsote-I.1-1")["permanent"] is False
    assert restored.is_seeded()
    assert restored.history().iloc[0]["action"] == "restore"
    assert restored.history().iloc[0]["changed_by"] == "Palauttaja"


def test_workbook_and_zip_give_the_same_tables(plan, store):
    a = import_workbook(export_workbook(plan, store))
    b = read_backup(export_csv_zip(plan, store), "varmuuskopio.ZIP")
    for name in ALL_FILES:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)


def test_restored_store_can_be_edited(plan, store, editor):
    restored = restore_store(import_csv_zip(export_csv_zip(plan, store)))
    m = restored.measure("kymsote-I.1-1")
    assert restored.save_measure_edits([MeasureEdit("kymsote-I.1-1", m["version"], {"status": "vakiintunut"})],
                                       editor) == 1
    assert restored.save_evaluation("kymsote-I.1-1", 2021, {"rating": 4}, 1, editor) == 2
    assert restored.add_measure("hamina", "I.2", {"toimenpide": "Uusi"}, editor) == "hamina-I.2-2"


def test_zipped_plain_data_folder_restores(plan):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path in MINI.iterdir():
            zf.write(path, f"data/{path.name}")
    tables = import_csv_zip(buf.getvalue())
    assert tables["evaluations.csv"].empty and tables["events.csv"].empty
    restored = restore_store(tables)
    assert sorted(restored.measures()["measure_id"]) == sorted(m.measure_id for m in plan.measures)
    assert len(restored.observations()) == len(plan.observations)


def test_xlsx_escape_round_trip():
    for text in ["", "tavallinen", "a\r\nb", "\x00\x01\x1f", "_x0041_", "_x005F_x0041_", "x_x00_y", "\ufffe", "ä\tö\n",
                 "_x0041\x01", "_x00\x01", "__x0041__", "_X0041_"]:
        escaped = xlsx_escape(text)
        assert "\r" not in escaped and "\x00" not in escaped
        assert xlsx_unescape(escaped) == text


# ------------------------------------------------------------------------------------------
# Refusals


def _zip_with(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _zip_files(plan, store) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(export_csv_zip(plan, store))) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_import_refusals(plan, store):
    files = _zip_files(plan, store)
    cases: list[tuple[bytes, object, str]] = [
        (b"", import_csv_zip, "tyhjä"),
        (b"not a zip", import_csv_zip, "ei ole zip-paketti"),
        (b"not an xlsx", import_workbook, "ei ole Excel-työkirja"),
        (b"PK\x03\x04" + b"\x00" * 100, import_workbook, "ei voitu avata"),
        (_zip_with({k: v for k, v in files.items() if k != "measures.csv"}), import_csv_zip, "measures.csv puuttuu"),
        (_zip_with({**files, "groups.csv": files["groups.csv"].decode().encode("utf-16")}), import_csv_zip, "UTF-8"),
        (_zip_with({**files, "plan.yaml": b"name: [unclosed"}), import_csv_zip, "YAML"),
        (_zip_with({**files, "goals.csv": b"goal_id,numero\nI,1\n"}), import_csv_zip, "tuntematon sarake 'numero'"),
        (_zip_with({**files, "x/goals.csv": files["goals.csv"]}), import_csv_zip, "useita tiedostoja"),
    ]
    for content, fn, expected in cases:
        with pytest.raises(BackupError) as exc:
            fn(content)  # type: ignore[operator]
        assert expected in str(exc.value), (expected, str(exc.value))
    with pytest.raises(BackupError, match="liian suuri"):
        import_workbook(b"PK\x03\x04" + b"\x00" * (exporter.MAX_BACKUP_BYTES + 1))
    with pytest.raises(BackupError, match=r"\.xlsx\) tai zip"):
        read_backup(b"x", "a.csv")
    # a workbook without a sheet
    wb = load_workbook(io.BytesIO(export_workbook(plan, store)))
    del wb["actors"]
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(BackupError, match="Välilehti 'actors'"):
        import_workbook(out.getvalue())


def test_restore_refuses_invalid_content(plan, store):
    tables = import_csv_zip(export_csv_zip(plan, store))

    def broken(name: str, row: int, col: str, value: str) -> dict[str, pd.DataFrame]:
        copy = {k: v.copy() for k, v in tables.items()}
        copy[name].loc[row, col] = value
        return copy

    cases = [
        (broken("measures.csv", 0, "actor_id", "tuntematon"), "tuntematon toimija"),
        (broken("measures.csv", 0, "start_year", "vuosi"), "ei ole kokonaisluku"),
        (broken("observations.csv", 0, "value", "150"), "0–100"),
        (broken("evaluations.csv", 0, "rating", "7"), "Arvio"),
        (broken("evaluations.csv", 0, "measure_id", "ei-ole-I.1-1"), "tuntematon toimenpide"),
        (broken("events.csv", 1, "event_id", "e1"), "on jo rivillä 2"),
        (broken("events.csv", 0, "months", "13"), "1–12"),
        (broken("plan.yaml", 0, "key", ""), "avain puuttuu"),
    ]
    for bad, expected in cases:
        with pytest.raises(BackupError) as exc:
            restore_store(bad)
        assert expected in str(exc.value), (expected, str(exc.value))


def test_backup_refusals_in_english(plan, store):
    tables = import_csv_zip(export_csv_zip(plan, store))
    bad = {k: v.copy() for k, v in tables.items()}
    bad["measures.csv"].loc[0, "start_year"] = "vuosi"  # a loader problem (translated from the loader's wording)
    bad["plan.yaml"].loc[0, "key"] = ""
    with pytest.raises(BackupError) as exc:
        restore_store(bad)
    assert str(exc.value) == exc.value.text("fi") and str(exc.value).startswith("Varmuuskopiota ei voitu käyttää:\n")
    assert "rivi 2, sarake 'start_year': ei ole kokonaisluku: 'vuosi'" in str(exc.value)
    assert exc.value.text("en").splitlines() == [
        "The backup could not be used:",
        "- plan.yaml, row 2: the key is missing.",
        "- plan.yaml: the required key 'name' is missing.",
        "- measures.csv, row 2, column 'start_year': not a whole number: 'vuosi'",
    ]
    bad = {k: v.copy() for k, v in tables.items()}
    bad["evaluations.csv"].loc[0, "rating"] = "7"  # a store rule: the store's own message, in the same language
    with pytest.raises(BackupError) as exc:
        restore_store(bad)
    assert exc.value.text("en") == ("The backup could not be used:\n"
                                    "- evaluations.csv, row 2, column 'rating': The field 'Rating' must be 1–4, not 7.")
    for content, read, english in [
        (b"not a zip", import_csv_zip, "The file is not a zip archive."),
        (b"x", lambda c: read_backup(c, "a.csv"), "A backup must be an Excel workbook (.xlsx) or a zip archive (.zip)."),
        (_zip_with({**_zip_files(plan, store), "goals.csv": b"goal_id,numero\nI,1\n"}), import_csv_zip,
         "goals.csv: unknown column 'numero' (allowed: "),
    ]:
        with pytest.raises(BackupError) as exc:
            read(content)  # type: ignore[operator]
        assert english in exc.value.text("en"), exc.value.text("en")
        assert not re.search(r"\b(rivi|sarake|tiedosto|puuttuu|tuntematon)\b", exc.value.text("en"), re.I)
    many = BackupError([Msg("exporter.file.missing", file=f"f{i}.csv") for i in range(51)])
    assert many.text("en").endswith("- The file f49.csv is missing.\n… and 1 more.")
    assert str(many).endswith("- Tiedosto f49.csv puuttuu.\n… ja 1 muu.")  # singular for one


def test_restore_refuses_a_store_that_is_not_empty(plan, store, tmp_path):
    url = f"sqlite:///{tmp_path / 'tila.db'}"
    target = Store.open(url, plan)
    before = store_data(target)
    with pytest.raises(BackupError, match="ei ole tyhjä"):
        restore_store(import_csv_zip(export_csv_zip(plan, store)), url)
    after = store_data(target)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])
    # an empty file database is fine, and keeps the data after reopening
    url2 = f"sqlite:///{tmp_path / 'uusi.db'}"
    restore_store(import_workbook(export_workbook(plan, store)), url2)
    assert_same_data(store, Store.open(url2, plan))  # already seeded: not seeded again from the plan
