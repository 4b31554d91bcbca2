"""Uudet tiedot: the fetch from Sotkanet (against the local stand-in server), its preview and import."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.store import Store
from tests.background import finish_jobs
from tests.sotkanet_server import start

PASS = "sotkanet-2026"


@pytest.fixture()
def env(monkeypatch, tmp_path):
    stub, srv = start()
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)
    monkeypatch.setenv("KYMLAPSET_SOTKANET_URL", stub.url)
    monkeypatch.setenv("KYMLAPSET_SOTKANET_CACHE_HOURS", "0")
    url = f"sqlite:///{tmp_path / 'page.db'}"
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", url)  # its own store: the import must not reach other tests
    yield stub, url
    srv.shutdown()


def signed_in(lang: str = "fi") -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/tiedot.py").run()
    at.session_state["w_signin_open"] = True
    at.run()
    at.sidebar.text_input(key="signin_name").input("Sanna Tuoja")
    at.sidebar.text_input(key="signin_code").input(PASS)
    next(b for b in at.sidebar.button if b.label == "Kirjaudu muokkaajaksi").click().run()
    if lang != "fi":
        at.sidebar.radio(key="w_lang").set_value(lang).run()
    assert not at.exception, at.exception
    return at


def fetch(at: AppTest, years: list[int]) -> AppTest:
    at.multiselect(key="sotkanet_years").set_value(years).run()
    finish_jobs(at.button(key="sotkanet_fetch_button").click().run())  # the fetch runs beside the page
    assert not at.exception, at.exception
    return at


def test_viewer_sees_no_fetch(env):
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/tiedot.py").run()
    assert not [b for b in at.button if b.key == "sotkanet_fetch_button"]


def test_fetch_previews_and_imports_with_history_from_sotkanet(env):
    _, url = env
    at = signed_in()
    assert at.multiselect(key="sotkanet_years").value[-1] == 2020  # the year after the newest stored value
    at = fetch(at, [2021, 2023])
    info = " ".join(i.value for i in at.info)
    assert "Esikatselu, vuodet 2021, 2023:" in info and "0 muuttuu" in info
    preview = next(d.value for d in at.dataframe if "Haettu arvo" in d.value.columns)
    assert {"Indikaattori", "Sotkanet: tunniste ja nykyinen otsikko", "Tallennettu arvo", "Muutos"} <= set(
        preview.columns
    )
    assert set(preview["Muutos"]) == {"lisätään"}
    captions = " ".join(c.value for c in at.caption)
    assert "Ohitettiin" in captions and "muilta alueilta" in captions
    assert "Lähde: THL, Sotkanet" in captions and "CC BY 4.0" in captions
    before = len(Store.open(url).observations())
    finish_jobs(at.button(key="sotkanet_confirm").click().run())  # written beside the page
    assert not at.exception, at.exception
    assert any("Tallennettu:" in s.value for s in at.success)
    store = Store.open(url)
    assert len(store.observations()) == before + len(preview)
    assert set(store.history("observation")["changed_by"]) == {"Sanna Tuoja (Sotkanet)"}


def test_a_failed_indicator_refuses_all_in_english(env):
    stub, url = env
    stub.fault("data:328", status=503)
    at = signed_in("en")
    before = len(Store.open(url).observations())
    at = fetch(at, [2023])
    assert any("were not imported" in e.value for e in at.error)
    problems = "\n".join(c.value for c in at.code)
    assert (
        "Sotkanet indicator 328" in problems
        and "HTTP 503" in problems
        and "Fetching failed for 1 indicator (328)" in problems
    )
    assert not [b for b in at.button if b.key == "sotkanet_confirm"]
    assert len(Store.open(url).observations()) == before


def test_after_the_import_the_indicator_page_draws_trends_with_the_new_years(env):
    at = signed_in()
    at.switch_page("pages/indikaattorit.py").run()
    assert not [s for s in at.selectbox if s.key == "ind_page_trend_pick"]  # the plan alone has one year each
    at.switch_page("pages/tiedot.py").run()
    at = fetch(at, [2021, 2023])
    finish_jobs(at.button(key="sotkanet_confirm").click().run())
    at.switch_page("pages/indikaattorit.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="ind_page_trend_pick").set_value((25, "")).run()
    assert at.selectbox(key="ind_page_trend_pick").value == (25, "")  # drunk monthly: offered now it has a trend
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    years = {x for trace in spec["data"] for x in trace.get("x", []) if isinstance(x, (int, float))}
    assert {2019, 2021, 2023} <= years
