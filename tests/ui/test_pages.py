"""AppTest: every page and tab opens in both languages, and each sidebar filter changes what the page shows.

The filter tests read what a user would read: the Plotly figures the page sends (decoded from the
chart's JSON), the rows handed to the AgGrid grid, the captions and tables, and compare them with
the store's own rows.
"""

from __future__ import annotations

import base64
import json
import os
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import UnknownElement

from core.base.i18n import name, t, tn
from core.plan.loader import load_plan
from core.store import Store
from ui.state import PAGE_VIEWS, TABLE_VIEWS, table_links

PAGES = [
    "pages/overview.py",
    "pages/paatavoite-1.py",
    "pages/paatavoite-2.py",
    "pages/paatavoite-3.py",
    "pages/indikaattorit.py",
    "pages/toimenpiteet.py",
    "pages/aikajana.py",
    "pages/arviointi.py",
    "pages/tiedot.py",
    "pages/raportit.py",
    "pages/vuosikello-sykli.py",
    "pages/historia.py",
    "pages/tyopaja.py",
    "pages/uusi-suunnitelma.py",
]
TAB_KEYS = {
    "pages/toimenpiteet.py": "measures",
    "pages/indikaattorit.py": "indicators",
    "pages/arviointi.py": "evaluation",
    "pages/tyopaja.py": "workshop",
    **{f"pages/paatavoite-{n}.py": "goal" for n in (1, 2, 3)},
}
PLAN = load_plan()


def app(timeout: float = 30) -> AppTest:
    return AppTest.from_file("../../app.py", default_timeout=timeout)


def open_page(page: str, view: str | None = None, lang: str | None = None) -> AppTest:
    """The app (router + sidebar) showing ``page`` (its tab ``view``, as ?nakyma= would); overview is the default."""
    at = app()
    if view:
        at.session_state["view"] = view
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    no_errors(at)
    return at


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def stored_measures() -> pd.DataFrame:
    """The measures in the test session's store (what every page should be showing)."""
    rows = Store.open(os.environ["KYMLAPSET_DATABASE_URL"]).measures()
    return rows[~rows["deleted"].fillna(False).astype(bool)] if "deleted" in rows.columns else rows


def _array(value: object) -> list:
    """A Plotly JSON array: plain, or base64 ``{"dtype", "bdata"}`` as Streamlit sends numbers."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"]).tolist()
    if isinstance(value, dict) and "_inputArray" in value:  # 2-D typed arrays
        return [_array(v) for k, v in sorted(value["_inputArray"].items(), key=lambda kv: int(kv[0])) if k.isdigit()]
    return list(value) if value is not None else []


def charts(at: AppTest, key: str | None = None) -> list[dict]:
    """The figures on the page as Plotly JSON (those whose element key ends with ``key``)."""
    out = []
    for c in at.get("plotly_chart"):
        if key is None or c.proto.id.endswith(key) or f"-{key}" in c.proto.id:
            out.append(json.loads(c.proto.spec))
    return out


def grid_rows(at: AppTest) -> list[dict]:
    """The rows handed to the measures grid (the AgGrid component's arguments)."""
    found: list[UnknownElement] = []

    def walk(node) -> None:
        if isinstance(node, UnknownElement) and "AgGrid" in getattr(node.proto, "component_name", ""):
            found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    assert len(found) == 1, f"{len(found)} grids on the page"
    row_data = json.loads(found[0].proto.json_args)["gridOptions"]["rowData"]
    return json.loads(row_data) if isinstance(row_data, str) else row_data


def tabs(at: AppTest) -> dict[str, bool]:
    """The page's tab labels, each with whether it has content (only the open tab runs)."""
    (container,) = at.get("tab_container")
    return {tab.label: bool(tab.children) for tab in container.children.values()}


def headings(at: AppTest) -> list[str]:
    return [e.value for e in (*at.title, *at.header, *at.subheader)]


def expected_heading(page: str, view: str | None, lang: str) -> str:
    """The heading a user sees on ``page`` (tab ``view``) in ``lang``."""
    fixed = {
        "pages/indikaattorit.py": "indicators.title",
        "pages/toimenpiteet.py": "measures.title",
        "pages/aikajana.py": "timeline.title",
        "pages/arviointi.py": "eval.title",
        "pages/tiedot.py": "data.title",
        "pages/raportit.py": "reports.title",
        "pages/vuosikello-sykli.py": "vk.title",
        "pages/historia.py": "nav.history",
        "pages/uusi-suunnitelma.py": "plans.new.title",
    }
    if page in fixed:
        return t(fixed[page], lang)
    if page == "pages/overview.py":
        return PLAN.meta["name_en"] if lang == "en" and PLAN.meta.get("name_en") else PLAN.meta["name"]
    if page == "pages/tyopaja.py":
        return t("workshop.indicators" if view == "tyopaja" else "minutes.heading", lang)
    goal = PLAN.goal(("I", "II", "III")[int(page[-4]) - 1])
    return t("goal.header", lang, goal=goal.goal_id, title=name(goal, lang, "title"))


# ---------------------------------------------------------------------------------------------
# Every page and every tab opens, through the router and on its own, in Finnish and English.


@pytest.mark.parametrize("lang", ["fi", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_and_tab_opens_in_both_languages(page, lang):
    at = open_page(page, lang=lang)
    assert at.sidebar.radio(key="w_lang").value == lang
    views = PAGE_VIEWS.get(page) or (None,)
    for view in views:
        if view is not None:  # open the tab as a click would (AppTest has no tab accessor)
            at.session_state[f"w_view_{TAB_KEYS[page]}"] = t(f"view.{view}", lang)
            at.run()
            no_errors(at)
            labels = {t(f"view.{v}", lang): v == view for v in views}
            assert tabs(at) == labels  # every tab named in the language, only the chosen one drawn
        assert expected_heading(page, view, lang) in headings(at), (view, headings(at))
    alone = AppTest.from_file(f"../../{page}", default_timeout=30)  # a first visit straight to the page
    alone.query_params["lang"] = lang
    alone.run()
    no_errors(alone)
    assert expected_heading(page, views[0], lang) in headings(alone)


@pytest.mark.parametrize(("page", "view"), [(page, view) for page, views in TABLE_VIEWS.items() for view in views])
def test_a_view_that_fetches_the_tables_code_draws_a_table(page, view):
    # ui.page_preload: a link to one of these views fetches the table's code while the page boots
    at = open_page(page, view)
    assert at.dataframe, (page, view)
    if view is None or view == PAGE_VIEWS.get(page, (None,))[0]:
        # the view a link without ?nakyma= opens (ui.state.table_links names it with "")
        assert "" in table_links()[page.removeprefix("pages/").removesuffix(".py")]


# ---------------------------------------------------------------------------------------------
# The age group (sidebar) changes the charts and tables.

SURVEY_GROUPS = ["lk4_5", "lk8_9", "lukio", "ammatillinen"]


def _status_totals(at: AppTest) -> dict[str, int]:
    """Comparisons per main goal in Etusivu's status chart (the stacked bars summed)."""
    (fig,) = charts(at, "status_by_goal")
    totals: dict[str, int] = {}
    for trace in fig["data"]:
        for goal, n in zip(_array(trace["y"]), _array(trace["x"]), strict=True):
            totals[goal] = totals.get(goal, 0) + int(n)
    return totals


def _heatmap_columns(at: AppTest) -> list[str]:
    cols = []
    for fig in charts(at, "heatmap_"):
        cols += [str(c).replace("<br>", " ") for c in fig["layout"]["xaxis"].get("ticktext", [])]
    return cols


@pytest.mark.parametrize("group", ["lk8_9", "lukio", "huoltajat_4v"])
def test_age_group_narrows_the_overview_status_chart_and_heatmap(group):
    at = open_page("pages/overview.py")
    everyone, columns_all = _status_totals(at), _heatmap_columns(at)
    at.sidebar.selectbox(key="w_group_fi").set_value(group).run()
    no_errors(at)
    chosen = _status_totals(at)
    assert sum(chosen.values()) < sum(everyone.values())
    assert all(chosen[g] <= everyone[g] for g in chosen)
    # the caption under the chart counts the same comparisons, goal by goal
    start = t("overview.by_status.caption", "fi", goals="")[:30]
    caption = next(c.value for c in at.caption if c.value.startswith(start))
    for goal, n in chosen.items():
        assert tn("count.comparisons", n, "fi") in caption, (goal, n, caption)
    group_name = next(name(g, "fi") for g in PLAN.groups if g.group_id == group)
    assert len(columns_all) > 1
    assert _heatmap_columns(at) == [group_name]


def _bars(at: AppTest) -> list[str]:
    """The hover label of every Kymenlaakso bar in the comparison charts ('12 Name · Lukio')."""
    labels = []
    for fig in charts(at):
        for trace in fig["data"]:
            if trace.get("type") == "bar":
                labels += [str(row[-1]).replace("<br>", " ") for row in trace.get("customdata", [])]
    return labels


def _goal_indicators_with_a_value(goal_id: str, group: str) -> tuple[set[int], set[int]]:
    """(indicators linked to the goal, those of them with a Kymenlaakso value for the group), read from
    the plan's links and the store's raw observation rows: what a reader of the plan expects to see."""
    subgoals = {s.subgoal_id for s in PLAN.subgoals if s.goal_id == goal_id}
    linked = {link.indicator_id for link in PLAN.subgoal_indicators if link.subgoal_id in subgoals}
    obs = Store.open(os.environ["KYMLAPSET_DATABASE_URL"]).observations()
    rows = obs[(obs["area"] == "kymenlaakso") & (obs["group_id"] == group)]
    return linked, linked & {int(i) for i in rows["indicator_id"]}


@pytest.mark.parametrize("group", ["lk4_5", "lukio", "huoltajat_4v"])
def test_age_group_chooses_the_bars_of_the_goal_page_indicator_charts(group):
    at = open_page("pages/paatavoite-1.py", "indikaattorit")
    all_bars = _bars(at)
    at.sidebar.selectbox(key="w_group_fi").set_value(group).run()
    no_errors(at)
    group_name = next(name(g, "fi") for g in PLAN.groups if g.group_id == group)
    linked, with_value = _goal_indicators_with_a_value("I", group)
    assert with_value and linked - with_value  # the data has both kinds for each group tested here
    bars = _bars(at)
    assert len(bars) < len(all_bars)
    # one bar per indicator with a value for the group (an indicator under two sub-goals is drawn twice), all of it
    assert {int(b.split()[0]) for b in bars} == with_value
    assert all(b.endswith(f"· {group_name}") for b in bars), bars
    # the caption under the charts names exactly the goal's indicators that have no value for the group
    prefix = t("goal.indicators.missing", "fi", names="")
    caption = next(c.value for c in at.caption if c.value.startswith(prefix))
    named = {int(n) for n in re.findall(r"(?:^|, )(\d+) ", caption.removeprefix(prefix))}
    assert named == linked - with_value, caption


def test_age_group_filters_the_indicator_value_table():
    at = open_page("pages/indikaattorit.py", "arvot")
    everyone = at.dataframe[0].value
    at.sidebar.selectbox(key="w_group_fi").set_value("lukio").run()
    no_errors(at)
    lukio = at.dataframe[0].value
    assert 0 < len(lukio) < len(everyone)
    assert set(lukio[t("col.group", "fi")]) == {"Lukio"}
    assert len(set(everyone[t("col.group", "fi")])) > 1


# ---------------------------------------------------------------------------------------------
# The actors (sidebar) narrow the measures: counts, the grid's rows, the charts.

ACTOR_SETS = [["kymsote"], ["hamina", "poliisi"], ["seurakunnat", "jarjestot", "mll"]]


def _expected_caption(rows: pd.DataFrame) -> str:
    real = int((rows["row_kind"] == "measure").sum())
    return tn("measures.count", real, "fi")


@pytest.mark.parametrize("actors", ACTOR_SETS)
def test_actors_narrow_the_measures_caption_and_grid_rows(actors):
    at = open_page("pages/toimenpiteet.py")
    stored = stored_measures()
    assert len(grid_rows(at)) == len(stored)
    at.sidebar.multiselect(key="w_actors_fi").set_value(actors).run()
    no_errors(at)
    mine = stored[stored["actor_id"].isin(actors)]
    assert at.caption[0].value.startswith(_expected_caption(mine))
    rows = grid_rows(at)
    assert sorted(r["measure_id"] for r in rows) == sorted(mine["measure_id"])
    assert {r["actor"] for r in rows} == {name(PLAN.actor(a), "fi") for a in actors if a in set(mine["actor_id"])}


def test_actors_narrow_the_goal_page_measures_and_the_sub_goal_filter_narrows_further():
    at = open_page("pages/paatavoite-1.py", "toimenpiteet")
    at.sidebar.multiselect(key="w_actors_fi").set_value(["kymsote"]).run()
    no_errors(at)
    stored = stored_measures()
    mine = stored[(stored["actor_id"] == "kymsote") & stored["subgoal_id"].str.startswith("I.")]
    assert at.caption[0].value.startswith(_expected_caption(mine))
    assert sorted(r["measure_id"] for r in grid_rows(at)) == sorted(mine["measure_id"])
    at.selectbox(key="w_subgoal_I").set_value("I.2").run()
    no_errors(at)
    sub = mine[mine["subgoal_id"] == "I.2"]
    assert at.caption[0].value.startswith(_expected_caption(sub))
    assert sorted(r["measure_id"] for r in grid_rows(at)) == sorted(sub["measure_id"])


def test_actors_narrow_the_overview_count_and_measure_matrix():
    at = open_page("pages/overview.py")
    at.sidebar.multiselect(key="w_actors_fi").set_value(["hamina", "poliisi"]).run()
    no_errors(at)
    stored = stored_measures()
    real = stored[(stored["row_kind"] == "measure") & stored["actor_id"].isin(["hamina", "poliisi"])]
    assert any(tn("measures.count", len(real), "fi") in m.value for m in at.markdown)
    (fig,) = charts(at, "measure_counts")
    (heat,) = [tr for tr in fig["data"] if tr["type"] == "heatmap"]
    # each actor's name is written above its row of cells (a band of empty cells between the rows)
    names = [a for a in fig["layout"]["annotations"] if a.get("xref") == "paper" and a.get("yref") == "y"]
    actors = [str(a["text"]).replace("<br>", " ") for a in names]
    cells = [row for row in _array(heat["z"]) if any(v is not None for v in row)]
    per_actor = dict(zip(actors, (sum(row) for row in cells), strict=True))
    chosen = {name(PLAN.actor(a), "fi") for a in ("hamina", "poliisi")}
    assert sum(per_actor.values()) == len(real)
    assert all(n == 0 for a, n in per_actor.items() if a not in chosen)


@pytest.mark.parametrize("actors", [["hamina", "mll"], ["poliisi"]])
def test_actors_narrow_the_timeline_and_its_undated_list(actors):
    at = open_page("pages/aikajana.py")
    at.sidebar.multiselect(key="w_actors_fi").set_value(actors).run()
    no_errors(at)
    stored = stored_measures()
    real = stored[stored["actor_id"].isin(actors) & (stored["row_kind"] == "measure")]
    dated, undated = real[real["start_year"].notna()], real[real["start_year"].isna()]
    drawn = [
        m for fig in charts(at, "timeline") for tr in fig["data"] for m in (tr.get("meta") or {}).get("measure_ids", [])
    ]
    assert sorted(drawn) == sorted(dated["measure_id"])
    if dated.empty:  # poliisi has no years in the plan: no empty chart, a sentence instead
        assert any(i.value == t("measures.none", "fi") for i in at.info)
    assert len(at.dataframe[0].value) == len(undated)


# ---------------------------------------------------------------------------------------------
# Links, tabs and the language switch.


def opened_by_link(page: str, **params: str) -> AppTest:
    """A fresh session opened by a link with these query parameters, on ``page``."""
    at = app()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    no_errors(at)
    return at


def test_indicator_definition_follows_the_link_and_the_chooser():
    at = opened_by_link("pages/indikaattorit.py", indikaattori="16")
    chooser = at.selectbox(key="w_indicator")
    assert chooser.value == "16"
    assert any(m.value.startswith("**16 ") for m in at.markdown)
    chooser.set_value("7").run()
    no_errors(at)
    assert at.session_state["indicator"] == "7"
    assert at.query_params["indikaattori"] == "7"  # a copied link reopens this indicator
    assert any(m.value.startswith("**7 ") for m in at.markdown)


def test_actor_whole_table_shows_every_row_of_the_chosen_actor():
    at = open_page("pages/toimenpiteet.py")
    at.selectbox(key="w_goal").set_value("II").run()  # the filters of the other tab do not cut the actor's table
    at.session_state["w_view_measures"] = "Toimijan koko taulukko"  # the tab (AppTest cannot click one)
    at.run()
    at.selectbox(key="w_actor_table").set_value("poliisi").run()
    no_errors(at)
    stored = Store.open(os.environ["KYMLAPSET_DATABASE_URL"]).measures()
    assert len(at.dataframe[-1].value) == int((stored["actor_id"] == "poliisi").sum())


def test_a_link_opens_the_named_tab_of_a_goal_page():
    at = opened_by_link("pages/paatavoite-2.py", nakyma="toimenpiteet")
    assert "_grid_shown_grid_II" in at.session_state  # the measures grid ran…
    assert not at.get("plotly_chart")  # …and no chart of the other tabs did
    assert at.query_params["nakyma"] == "toimenpiteet"


def test_language_switch_keeps_the_filters_and_moves_on_without_error():
    at = open_page("pages/toimenpiteet.py")
    at.sidebar.selectbox(key="w_group_fi").set_value("lukio").run()
    at.sidebar.multiselect(key="w_actors_fi").set_value(["poliisi"]).run()
    fi_caption = at.caption[0].value
    at.sidebar.radio(key="w_lang").set_value("en").run()
    no_errors(at)
    assert at.sidebar.selectbox(key="w_group_en").value == "lukio"  # the English widget starts from the filter
    assert list(at.sidebar.multiselect(key="w_actors_en").value) == ["poliisi"]
    stored = stored_measures()
    n = int(((stored["actor_id"] == "poliisi") & (stored["row_kind"] == "measure")).sum())
    assert fi_caption.startswith(tn("measures.count", n, "fi"))
    assert at.caption[0].value.startswith(tn("measures.count", n, "en"))  # the same count, now in English
    at.switch_page("pages/aikajana.py").run()
    no_errors(at)
    assert at.session_state["group"] == "lukio" and list(at.session_state["actors"]) == ["poliisi"]


def test_no_trend_chart_for_single_year_indicators_but_a_plain_sentence(monkeypatch, tmp_path):
    """The plan prints one year per indicator: goal I's Indikaattorit tab offers no trend, and says why.

    On a store of its own: other tests import a second year of values into the shared one."""
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", f"sqlite:///{tmp_path / 'plan_only.db'}")
    at = open_page("pages/paatavoite-1.py", "indikaattorit")
    assert not [s for s in at.selectbox if s.key == "trend_I_trend_pick"]
    assert any(i.value.startswith("Kehitystä vuosittain ei voi vielä näyttää") for i in at.info)


def _in_order(node) -> list:
    """The elements under ``node`` top to bottom (AppTest keeps a block's children by position)."""
    children = getattr(node, "children", None)
    if children is None:
        return [node]
    return [e for _, child in sorted(children.items()) for e in _in_order(child)]


def test_every_indicator_chart_of_goal_iii_has_a_heading_and_its_axis_says_what_it_counts():
    at = open_page("pages/paatavoite-3.py", view="indikaattorit")
    seen, headings, unheaded = [], [], []
    for el in _in_order(at.main):
        if el.type == "markdown" and str(el.value).startswith("#### "):
            headings.append(el.value[5:])
            seen.append("heading")
        elif el.type == "plotly_chart" and "ind_III" in el.proto.id:
            if not seen or seen[-1] != "heading":
                unheaded.append(el.proto.id)
            seen.append("chart")
    assert seen.count("chart") >= 4 and not unheaded, (unheaded, headings)
    # the child protection notifications are a count: its own heading, and an axis that says so, not "Arvo"
    assert any(h.endswith(": Lukumäärä") and h.startswith("III.2") for h in headings), headings
    axes = [fig["layout"]["xaxis"]["title"]["text"] for fig in charts(at, None) if "xaxis" in fig["layout"]]
    assert "Lukumäärä" in axes and "Arvo" not in axes
