"""The Sotkanet fetch against a local stand-in server (tests/sotkanet_server.py): no network."""

from __future__ import annotations

import json
from datetime import date

import pytest

from core.io import importer
from core.io.sotkanet import SotkanetClient, SotkanetError, default_years, fetch_plan_values, preview_for_display
from core.io.sotkanet.client import USER_AGENT
from core.store import Editor, Store
from core.views import queries
from core.views.trends import trend_figure
from tests.sotkanet_server import FIXTURES, start

ALL_YEARS = [2021, 2023]


@pytest.fixture(scope="module")
def server():
    stub, srv = start()
    yield stub
    srv.shutdown()


@pytest.fixture()
def sotkanet(server, tmp_path):
    """The stub with no faults, and a client of it that caches in tmp_path and does not wait between retries."""
    server.faults.clear()
    server.requests.clear()
    client = SotkanetClient(server.url, cache_path=tmp_path / "cache", timeout=2, backoff=0)
    yield server, client
    client.close()


@pytest.fixture()
def store(plan):
    return Store.open("sqlite://", plan)


def fetch(plan, store, client, years=ALL_YEARS):
    return fetch_plan_values(plan, store.observations(), years, client)


def problems(result, lang="fi"):
    return importer.problems_text(result.result.errors, lang)


def test_fetch_maps_every_indicator_and_previews_against_the_store(plan, store, sotkanet):
    server, client = sotkanet
    got = fetch(plan, store, client)
    assert got.ok, problems(got)
    rows = got.result.rows
    data = json.loads((FIXTURES / "data.json").read_text(encoding="utf-8"))
    # bullied weekly, 8.–9. lk, Kymenlaakso 2023 = Sotkanet 1514 region 494 (the maakunta row wins over 967)
    want = next(r["value"] for r in data["1514"] if r["region"] == 494 and r["year"] == 2023 and r["gender"] == "total")
    hit = rows[
        (rows.indicator_id == 31) & (rows.group_id == "lk8_9") & (rows.area == "kymenlaakso") & (rows.year == 2023)
    ]
    assert list(hit["value"]) == [want]
    assert hit["note"].iloc[0].startswith("Lähde: THL, Sotkanet (CC BY 4.0), indikaattori 1514, alue 494")
    # 16 sijoitetut_pct from 191, both areas; notifications 1085 only for Kymenlaakso
    assert set(rows[(rows.indicator_id == 16) & (rows.series_id == "sijoitetut_pct")]["area"]) == {
        "kymenlaakso",
        "koko_maa",
    }
    assert set(rows[(rows.indicator_id == 16) & (rows.series_id == "ilmoitukset_vuoden_aikana")]["area"]) == {
        "kymenlaakso"
    }
    # the fetch asked once per indicator for metadata and data, every year in one request
    assert sum("/rest/1.1/json" in r for r in server.requests) == 20
    assert all("years=2021&years=2023" in r and "genders=total" in r for r in server.requests if "/json" in r)
    assert set(server.user_agents) == {USER_AGENT} and "kymlapset" in USER_AGENT
    # rows left out are counted: other regions (Kotka, Helsinki), boys, a row without a value, the same area twice
    assert got.ignored["region"] > 0 and got.ignored["gender"] == 15 * 2 and got.ignored["no_value"] == 1
    assert got.ignored["same_area"] == 20  # every indicator's 2023 comes from both 494 and 967
    # all new years: every preview row is an addition, and the display names Sotkanet's current title
    assert set(got.preview["action"]) == {importer.ADDED}
    shown = preview_for_display(got, plan, "en")
    assert "Fetched value" in shown.columns and "Stored value" in shown.columns
    bullied = shown[shown["Sotkanet: id and current title"].str.startswith("1514 ")]
    assert bullied.iloc[0]["Sotkanet: id and current title"].startswith(
        "1514 Koulukiusattuna vähintään kerran viikossa"
    )


def test_preview_says_changed_and_unchanged_against_stored_values(plan, store, sotkanet):
    _, client = sotkanet
    data = json.loads((FIXTURES / "data.json").read_text(encoding="utf-8"))
    v2019 = next(r["value"] for r in data["289"] if r["region"] == 494 and r["year"] == 2019 and r["gender"] == "total")
    store.upsert_observations(
        [dict(indicator_id=25, series_id="", group_id="lk8_9", area="kymenlaakso", year=2019, value=v2019)],
        Editor("Testi"),
    )
    got = fetch(plan, store, client, [2019])
    assert got.ok, problems(got)
    p = got.preview
    same = p[(p.indicator_id == 25) & (p.group_id == "lk8_9") & (p.area == "kymenlaakso")]
    assert list(same["action"]) == [importer.UNCHANGED]
    changed = p[(p.indicator_id == 25) & (p.group_id == "lk8_9") & (p.area == "koko_maa")]  # the plan says 9.6
    assert list(changed["action"]) == [importer.CHANGED] and float(changed["old_value"].iloc[0]) == 9.6


def test_apply_goes_through_the_import_in_one_transaction_and_the_trend_gets_the_new_years(plan, store, sotkanet):
    _, client = sotkanet
    got = fetch(plan, store, client)
    before = store.observations()
    counts = importer.apply_import(store, got.result, Editor("Testi (Sotkanet)"))
    assert counts["added"] == len(got.result.rows)
    after = store.observations()
    assert len(after) == len(before) + counts["added"]
    history = store.history("observation")
    assert (history["changed_by"] == "Testi (Sotkanet)").sum() == counts["added"]
    trend = queries.trend_frame(plan, after, 25, "", None, "fi")
    ky = trend[(trend.area == "kymenlaakso") & (trend.group_id == "lk8_9")]
    assert list(ky["year"]) == [2019, 2021, 2023]
    fig = trend_figure(trend, "fi", "percent")
    lines = [
        tr for tr in fig.data if tr.meta and tr.meta.get("group_id") == "lk8_9" and tr.meta.get("area") == "kymenlaakso"
    ]
    assert lines and list(lines[0].x) == [2019, 2021, 2023]
    # fetching again changes nothing
    again = fetch(plan, store, client)
    assert set(again.preview["action"]) == {importer.UNCHANGED}


def test_answers_are_cached(plan, store, server, tmp_path):
    server.faults.clear()
    server.requests.clear()
    with SotkanetClient(server.url, cache_path=tmp_path / "c", timeout=2, backoff=0) as client:
        fetch(plan, store, client)
        n = len(server.requests)
        fetch(plan, store, client)
    assert len(server.requests) == n  # the second fetch came from the cache
    with SotkanetClient(server.url, cache_hours=0, timeout=2, backoff=0) as client:
        fetch(plan, store, client)
    assert len(server.requests) == 2 * n


BAD = [
    # (where, fault, words in the Finnish message)
    ("data:289", dict(status=403), "HTTP 403"),
    ("data:289", dict(status=429), "HTTP 429"),
    ("data:289", dict(status=503), "HTTP 503"),
    ("data:289", dict(status=500), "HTTP 500"),
    ("data:289", dict(body_file="not_json.html"), "ei ole JSONia"),
    ("data:289", dict(body_file="not_list.json"), "ei ole lista"),
    ("data:289", dict(body_file="row_without_year.json"), "2. riviltä puuttuu vuosi"),
    ("data:289", dict(body_file="value_not_number.json"), "1. rivi: Arvo 'n/a' ei ole luku"),
    ("data:289", dict(body_file="too_many_rows.json"), "yli kymmenkertaisesti"),
    ("indicator:289", dict(status=404), "ei ole tätä indikaattoria"),
    ("data:289", dict(delay=3), "ei vastannut 2 sekunnissa"),
]


@pytest.mark.parametrize(("where", "fault", "words"), BAD, ids=[f"{w}-{next(iter(f.values()))}" for w, f, _ in BAD])
def test_a_bad_answer_refuses_everything_and_names_the_indicator(plan, store, sotkanet, where, fault, words):
    server, client = sotkanet
    if "delay" in fault:
        client.session.adapters["http://"].max_retries.total = 0  # one timeout is enough to see the message
        client.session.adapters["http://"].max_retries.read = 0
    server.fault(where, **fault)
    got = fetch(plan, store, client)
    text = problems(got)
    assert not got.ok and got.result.rows.empty and got.preview.empty
    assert "Sotkanet-indikaattori 289" in text and words in text, text
    assert "Haku epäonnistui 1 indikaattorilla (289)" in text  # the others are not imported silently
    assert "Traceback" not in text
    assert "Fetching failed for 1 indicator (289)" in problems(got, "en")
    before = len(store.observations())
    with pytest.raises(importer.ImportRefused):
        importer.apply_import(store, got.result, Editor("Testi"))
    assert len(store.observations()) == before


def test_server_errors_are_retried_by_urllib3(plan, store, sotkanet):
    server, client = sotkanet
    server.fault("data:289", status=503)
    fetch(plan, store, client)
    assert sum("indicator=289&" in r for r in server.requests) == 3  # the first try and two retries
    server.requests.clear()
    server.fault("data:289", status=429)
    fetch(plan, store, client)
    assert sum("indicator=289&" in r for r in server.requests) == 1  # asked to slow down: not asked again


def test_no_network_is_a_clear_message(plan, store, tmp_path):
    with SotkanetClient("http://127.0.0.1:9", cache_path=tmp_path / "c", timeout=1, backoff=0) as client:
        got = fetch(plan, store, client)
        with pytest.raises(SotkanetError) as exc:
            client.regions()
    assert "ei saada yhteyttä" in problems(got) and "http://127.0.0.1:9" in problems(got)
    assert "cannot be reached" in exc.value.message.text("en")


def test_a_failed_region_list_is_named(plan, store, sotkanet):
    server, client = sotkanet
    server.fault("regions", status=502)
    got = fetch(plan, store, client)
    assert "Sotkanetin aluelistaa ei saatu" in problems(got) and "HTTP 502" in problems(got)


def test_years_with_no_values_yet_say_so(plan, store, sotkanet):
    _, client = sotkanet
    got = fetch(plan, store, client, [2026])
    assert not got.ok and "ei ole vielä" in problems(got) and "2026" in problems(got)


def test_a_broken_answer_is_not_cached(plan, store, sotkanet):
    server, client = sotkanet
    server.fault("data:289", body_file="not_json.html")
    assert not fetch(plan, store, client).ok
    server.faults.clear()
    assert fetch(plan, store, client).ok


def test_default_years_follow_the_newest_stored_value(plan, store):
    mapping = importer.load_mapping()
    assert default_years(plan, store.observations(), mapping, date(2026, 3, 1)) == list(range(2020, 2027))
    assert default_years(plan, store.observations(), mapping, date(2019, 3, 1)) == [2019]


def test_mapping_marks_differing_wordings_unmapped_with_the_reason():
    mapping = importer.load_mapping()
    unmapped = mapping[mapping["source"] == "ei_vastaa"]
    assert {12, 27, 16} <= set(unmapped["indicator_id"])
    assert unmapped["note"].str.len().min() > 40  # every one says why
    used = mapping[mapping["source"] == "sotkanet"]
    assert not set(used["indicator_id"]) & {12, 27}
    assert {"1086", "1245"} <= set(unmapped["source_indicator"]) and not {"1086", "1245"} & set(
        used["source_indicator"]
    )


def test_command_line_previews_applies_and_refuses(server, tmp_path, monkeypatch, capsys):
    from core.__main__ import main

    server.faults.clear()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("KYMLAPSET_SOTKANET_URL", server.url)
    monkeypatch.setenv("KYMLAPSET_SOTKANET_CACHE_HOURS", "0")
    assert main(["sotkanet", "--years", "2021", "2023", "--database-url", url]) == 0
    out = capsys.readouterr().out
    assert "Sotkanet, vuodet 2021, 2023:" in out and "lisätään" in out and "1514 Koulukiusattuna" in out
    assert "Mitään ei tallennettu; tallenna lisäämällä --apply." in out
    assert "Lähde: THL, Sotkanet (Terveyden ja hyvinvoinnin laitos), lisenssi CC BY 4.0." in out
    assert not (Store.open(url).observations()["year"] >= 2021).any()
    assert main(["sotkanet", "--years", "2021", "2023", "--database-url", url, "--apply", "--lang", "en"]) == 0
    assert "Saved (" in capsys.readouterr().out
    saved = Store.open(url).observations()
    assert set(saved[saved["year"] >= 2021]["year"]) == {2021, 2023}
    assert set(Store.open(url).history("observation")["changed_by"]) == {"command line (Sotkanet)"}
    server.fault("data:3905", status=502)
    before = len(saved)
    assert main(["sotkanet", "--years", "2024", "2025", "--database-url", url, "--apply"]) == 1
    err = capsys.readouterr().err
    assert "Sotkanet-indikaattori 3905" in err and "HTTP 502" in err and "mitään ei tallennettu" in err
    assert len(Store.open(url).observations()) == before


def test_command_line_without_network_says_so(tmp_path, monkeypatch, capsys):
    from core.__main__ import main

    monkeypatch.setenv("KYMLAPSET_SOTKANET_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("KYMLAPSET_SOTKANET_CACHE_HOURS", "0")
    assert main(["sotkanet", "--database-url", f"sqlite:///{tmp_path / 'x.db'}"]) == 1
    err = capsys.readouterr().err
    assert "ei saada yhteyttä" in err and "Traceback" not in err


def test_fetched_values_carry_thl_licence_into_reports_and_downloads(plan, store, sotkanet):
    import io
    import zipfile

    from openpyxl import load_workbook

    from core.documents import report
    from core.io import exporter

    _, client = sotkanet

    def goal_report(lang):
        return report.goal_report_html(plan, store.measures(), store.observations(), "I", lang, figures=[])

    assert "Sotkanet" not in goal_report("fi")
    assert "lahde" not in load_workbook(io.BytesIO(exporter.export_workbook(plan, store))).sheetnames
    importer.apply_import(store, fetch(plan, store, client).result, Editor("Testi (Sotkanet)"))
    assert "Lähde: THL, Sotkanet (Terveyden ja hyvinvoinnin laitos), lisenssi CC BY 4.0." in goal_report("fi")
    assert "Lähde: THL, Sotkanet (Finnish Institute for Health and Welfare), licence CC BY 4.0." in goal_report("en")
    book = exporter.export_workbook(plan, store)
    sheet = load_workbook(io.BytesIO(book))["lahde"]
    assert "Lähde: THL, Sotkanet" in sheet["A1"].value and "CC BY 4.0" in sheet["A1"].value
    archive = exporter.export_csv_zip(plan, store)
    assert "CC BY 4.0" in zipfile.ZipFile(io.BytesIO(archive)).read("LAHDE.txt").decode("utf-8")
    # the extra sheet and file do not stop a restore, and every fetched row keeps its source in its note
    for content, filename in ((book, "b.xlsx"), (archive, "b.zip")):
        obs = exporter.read_backup(content, filename)["observations.csv"]
        assert (obs["note"].str.startswith("Lähde: THL, Sotkanet (CC BY 4.0)")).sum() == (
            store.observations()["year"] >= 2021
        ).sum()


def test_a_cache_that_cannot_be_made_fetches_without_it(plan, store, server, tmp_path):
    server.faults.clear()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with SotkanetClient(server.url, cache_path=blocker / "cache", timeout=2, backoff=0) as client:
        assert fetch(plan, store, client).ok
