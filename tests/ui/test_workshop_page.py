"""AppTest: the Työpaja page — a sub-goal from the link, next/previous, actor filter, and the minutes tab."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import UTC, datetime, time

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from core.documents.minutes import HELSINKI
from core.plan.loader import load_plan
from core.store import Editor, MeasureEdit, Store
from core.views import workshop
from ui.data import default_events

PAGE = "pages/tyopaja.py"


# data/'s plan has ended (read-only); these tests edit it as while it was in force
pytestmark = pytest.mark.usefixtures("plan_in_force")


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def opened(view: str | None = None, **params: str) -> AppTest:
    """A fresh session opened by a link to the Työpaja page with these query parameters."""
    at = AppTest.from_file("../../app.py", default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    if view:
        at.query_params["nakyma"] = view
    at.run()
    at.switch_page(PAGE).run()
    no_errors(at)
    return at


def shown_subgoal(at: AppTest) -> str:
    return at.title[0].value.split(" ", 1)[0]


def measures_heading(at: AppTest) -> int:
    heading = next(h.value for h in at.subheader if h.value.startswith(("Toimenpiteet", "Measures")))
    return int(heading.rsplit("(", 1)[1].rstrip(")"))


def store() -> Store:
    """The test session's store, seeded as the app seeds it (a test may run before any page has)."""
    s = Store.open(os.environ["KYMLAPSET_DATABASE_URL"])
    if not s.is_seeded():
        s.seed(load_plan(), events_rows=default_events())
    return s


def expected_measures(subgoal: str, actors: tuple[str, ...] = ()) -> int:
    """The sub-goal's real measures (README: every count of measures counts row_kind 'measure' only;
    its references and notes are shown as cards but not counted)."""
    rows = store().measures()
    rows = rows[(rows["subgoal_id"] == subgoal) & (rows["row_kind"] == "measure")]
    return int(rows["actor_id"].isin(actors).sum()) if actors else len(rows)


def test_the_page_opened_on_its_own_shows_the_first_sub_goal():
    # a fresh server's first visit runs the page file itself (README: the first shared link)
    at = AppTest.from_file(f"../../{PAGE}", default_timeout=60).run()
    no_errors(at)
    assert shown_subgoal(at) == "I.1"
    assert measures_heading(at) == expected_measures("I.1") > 0
    assert group_bars(at)  # its indicators against the whole country


def test_without_a_sub_goal_the_first_is_shown_and_named_in_the_link():
    at = opened()
    assert shown_subgoal(at) == "I.1"
    assert at.query_params["valitavoite"] in ("I.1", ["I.1"])
    assert at.button(key="ws_prev").disabled and not at.button(key="ws_next").disabled


def test_a_link_opens_its_sub_goal_with_ratings_indicators_and_measures(plan):
    at = opened(valitavoite="II.3")
    assert shown_subgoal(at) == "II.3"
    assert at.title[0].value.startswith("II.3 Hyvin saavutettavat")
    assert at.selectbox(key="w_ws_subgoal_fi").value == "II.3"
    ratings = next(m.value for m in at.markdown if "Toteutettavuus:" in m.value)
    assert "Vaikuttavuus:" in ratings and f"/ {len(workshop.subgoal_order(plan))}" in ratings
    assert at.get("plotly_chart")  # its indicators against the whole country
    assert measures_heading(at) == expected_measures("II.3")


def test_next_and_previous_move_and_update_the_link(plan):
    order = workshop.subgoal_order(plan)
    at = opened(valitavoite="I.7")
    at.button(key="ws_next").click().run()
    no_errors(at)
    assert shown_subgoal(at) == "II.1"
    assert at.query_params["valitavoite"] in ("II.1", ["II.1"])
    assert at.selectbox(key="w_ws_subgoal_fi").value == "II.1"
    at.button(key="ws_prev").click().run()
    at.button(key="ws_prev").click().run()
    no_errors(at)
    assert shown_subgoal(at) == "I.6"
    assert at.query_params["valitavoite"] in ("I.6", ["I.6"])
    at.selectbox(key="w_ws_subgoal_fi").set_value(order[-1]).run()
    assert shown_subgoal(at) == order[-1]
    assert at.button(key="ws_next").disabled
    assert at.query_params["valitavoite"] in (order[-1], [order[-1]])


@pytest.mark.parametrize("actors", [["kymsote"], ["hamina", "poliisi"]])
def test_sidebar_actors_narrow_the_measures(actors):
    at = opened(valitavoite="I.1")
    every = measures_heading(at)
    at.sidebar.multiselect(key="w_actors_fi").set_value(actors).run()
    no_errors(at)
    assert measures_heading(at) == expected_measures("I.1", tuple(actors)) < every
    assert any(c.value.startswith("Rajattu sivupalkin toimijoihin") for c in at.caption)


def group_bars(at: AppTest) -> set[tuple[int, str]]:
    """(indicator, group) of every Kymenlaakso bar on the page, read from the bars' hover labels ('17 Name · Group')."""
    bars = set()
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec)["data"]:
            if trace.get("type") == "bar":
                for row in trace.get("customdata", []):
                    label = str(row[-1]).replace("<br>", " ")
                    bars.add((int(label.split()[0]), label.rsplit(" · ", 1)[1]))
    return bars


def expected_bars(subgoal: str, group: str | None, lang: str) -> set[tuple[int, str]]:
    """(indicator, group name) of the sub-goal's indicators with a Kymenlaakso value, from the plan's links and raw rows."""
    plan = load_plan()
    linked = {link.indicator_id for link in plan.subgoal_indicators if link.subgoal_id == subgoal}
    group_name = {g.group_id: (g.name_en if lang == "en" else g.name_fi) for g in plan.groups}
    obs = store().observations()
    rows = obs[(obs["area"] == "kymenlaakso") & obs["indicator_id"].isin(linked)]
    if group:
        rows = rows[rows["group_id"] == group]
    return {(int(r.indicator_id), group_name[r.group_id]) for r in rows.itertuples()}


@pytest.mark.parametrize("group", [None, "lk8_9", "huoltajat_4v"])
def test_each_age_group_and_english(group):
    at = opened(valitavoite="III.1")
    at.sidebar.selectbox(key="w_group_fi").set_value(group).run()
    at.sidebar.radio(key="w_lang").set_value("en").run()
    no_errors(at)
    assert shown_subgoal(at) == "III.1"
    assert at.button(key="ws_next").label == "Next"
    assert at.selectbox(key="w_ws_subgoal_en").value == "III.1"
    # the indicator bars are the chosen group's (every group's without one), named in English
    expected = expected_bars("III.1", group, "en")
    assert expected and group_bars(at) == expected
    if group is None:
        assert len({g for _, g in expected}) > 1


def test_store_texts_are_shown_as_plain_text_not_markdown():
    s = store()
    m = s.measures().query("subgoal_id == 'II.5' and row_kind == 'measure'").iloc[0]
    text = "**Ei lihavoitu** <b>ei html</b> [linkki](http://example.org)"
    s.save_measure_edits([MeasureEdit(m["measure_id"], int(m["version"]), {"toimenpide": text})], Editor("Testi"))
    at = opened(valitavoite="II.5")
    assert text in [x.value for x in at.text]
    assert not any("Ei lihavoitu" in md.value for md in at.markdown)


def test_summary_lists_a_change_and_offers_both_documents():
    s = store()
    m = s.measures().query("subgoal_id == 'I.2' and row_kind == 'measure'").iloc[0]
    s.save_measure_edits(
        [MeasureEdit(m["measure_id"], int(m["version"]), {"mittari": "=työpajan mittari"})], Editor("Sihteeri")
    )
    at = opened(view="yhteenveto")
    assert at.query_params["nakyma"] in ("yhteenveto", ["yhteenveto"])
    table = at.dataframe[0].value
    # the field and its new value first (in view on a phone too), then the old one, when and who
    assert list(table.columns)[:5] == ["Kenttä", "Jälkeen", "Ennen", "Aika", "Muuttaja"]
    row = table[table["Muuttaja"] == "Sihteeri"].iloc[-1]
    assert (row["Tunniste"], row["Kenttä"], row["Jälkeen"]) == (
        m["measure_id"],
        "Mittari / toteutuminen",
        "=työpajan mittari",
    )
    assert any(md.value.startswith("**Työpajan muutokset") for md in at.markdown)
    buttons = at.get("download_button")
    assert len(buttons) == 2
    # the documents themselves (AppTest has no download; the bytes are the core builders', tested in core)
    from core.documents import minutes  # noqa: PLC0415

    now = datetime.now(UTC)
    window = minutes.window_today(now)
    rows = minutes.changes_between(
        s.history_between(window.start, window.end), window.start, window.end, "fi", s.measures(include_deleted=True)
    )
    read = list(csv.reader(io.StringIO(minutes.minutes_csv(rows, "fi").decode("utf-8-sig")), delimiter=";"))
    assert ["Sihteeri", "'=työpajan mittari"] == [read[-1][1], read[-1][-1]]
    doc = Document(io.BytesIO(minutes.minutes_docx(rows, window, "fi")))
    assert doc.tables[0].rows[-1].cells[-1].text == "=työpajan mittari"


def test_summary_refuses_a_time_still_to_come():
    at = opened(view="yhteenveto")
    at.radio(key="w_ws_window_fi").set_value("since").run()
    now = datetime.now(UTC).astimezone(HELSINKI)
    if now.hour >= 23:
        pytest.skip("no later time today")
    at.time_input(key="w_ws_since").set_value(time(now.hour + 1, 0)).run()
    no_errors(at)
    assert any("on vasta tulossa" in w.value for w in at.warning)
    at.time_input(key="w_ws_since").set_value(time(0, 0)).run()
    assert not at.warning


def test_summary_last_hours_in_english():
    s = store()
    m = s.measures().query("subgoal_id == 'III.2' and row_kind == 'measure'").iloc[0]
    s.save_measure_edits([MeasureEdit(m["measure_id"], int(m["version"]), {"aikataulu": "syksy"})], Editor("Kirjuri"))
    at = opened(view="yhteenveto", lang="en")
    at.radio(key="w_ws_window_en").set_value("hours").run()
    at.number_input(key="w_ws_hours").set_value(2).run()
    no_errors(at)
    # the heading says which two hours (local 'HH.MM–HH.MM', Markdown-escaped); the change just made is in them
    title = next(md.value for md in at.markdown if md.value.startswith("**Workshop changes"))
    start, end = (int(hh) * 60 + int(mm) for hh, mm in re.findall(r"(\d{1,2})\\?\.(\d{2})", title)[-2:])
    assert (end - start) % (24 * 60) in (119, 120, 121), title
    table = at.dataframe[0].value
    assert ((table == "Kirjuri").any(axis=1) & (table == "syksy").any(axis=1)).any(), table
