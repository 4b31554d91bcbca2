"""AppTest: the plan chosen in the sidebar and named in the link (?suunnitelma=), goal pages from the
plan's goals, an ended plan read-only, and the drafting page's refusals (issue #17).

Each test has a store of its own with the plan of data/ (2020–2025, ended) and a draft drafted from it.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from core.base.i18n import t
from core.plan.loader import load_plan
from core.store import Editor, Store
from ui import drafting

OLD = "kymenlaakso-2020-2025"
NEW = "kymenlaakso-2026-2029"
PASS = "suunnitelma-2026"
CARRIED = ["poliisi-I.1-1", "poliisi-I.2-1", "mll-III.2-1"]


@pytest.fixture()
def two_plans(monkeypatch, tmp_path) -> Store:
    """A store of its own: the ended plan of data/ and a draft of 2026–2029 carrying three measures."""
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", url)
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)
    store = Store.open(url)
    store.seed(load_plan())
    old = store.measures(plan_id=OLD)
    carried = [m for m in CARRIED if m in set(old["measure_id"])]
    assert len(carried) == 3, "the measures this test carries are in data/"
    store.create_plan_from(
        OLD,
        NEW,
        "Kymenlaakson lasten ja nuorten hyvinvointisuunnitelma 2026–2029",
        2026,
        2029,
        "none",
        Editor("Testi"),
        measure_choices={m: "carry" for m in carried},
    )
    return store


def add_fourth_goal(store: Store, plan_id: str, title_fi: str, title_en: str) -> None:
    """A fourth main goal, with one sub-goal, added to a draft as an editor adds one."""
    editor = Editor("Testi")
    shares = {"preventive_pct": 40.0, "early_support_pct": 40.0, "intensive_pct": 20.0}
    store.add_plan_goal(plan_id, "IV", {"title_fi": title_fi, "title_en": title_en, **shares}, editor)
    store.add_plan_subgoal(
        plan_id, "IV", {"title_fi": f"{title_fi}: ensimmäinen", "title_en": f"{title_en}: first"}, editor
    )


def app(**params: str) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def picker(at: AppTest):
    return at.sidebar.selectbox(key="w_plan_fi")


def texts(at: AppTest) -> list[str]:
    return [e.value for e in (*at.info, *at.warning, *at.error, *at.success)]


def measure_count_caption(at: AppTest) -> str:
    return at.caption[0].value


def sign_in(at: AppTest) -> None:
    at.session_state["w_signin_open"] = True  # open the sign-in expander (AppTest cannot click one)
    at.run()
    at.sidebar.text_input(key="signin_name").input("Riikka Suunnittelija")
    at.sidebar.text_input(key="signin_code").input(PASS)
    next(b for b in at.sidebar.button if b.label == "Kirjaudu muokkaajaksi").click().run()
    no_errors(at)


# ------------------------------------------------------------------ the plan in the link and the sidebar
def test_a_link_naming_a_plan_opens_that_plan(two_plans):
    at = app(suunnitelma=NEW)
    no_errors(at)
    assert picker(at).value == NEW
    assert at.query_params["suunnitelma"] == [NEW] or at.query_params["suunnitelma"] == NEW
    assert any(t("plans.banner.draft", "fi") in s for s in texts(at))  # a draft says so
    at = app(suunnitelma=OLD)
    assert picker(at).value == OLD
    assert any(s.startswith("Tämä suunnitelma (2020–2025) on päättynyt") for s in texts(at))


def test_an_unknown_plan_in_a_link_opens_the_default_and_says_so(two_plans):
    default = two_plans.default_plan_id(date.today())
    odd = "<b>ei-tällaista</b>" + "x" * 100
    at = app(suunnitelma=odd)
    no_errors(at)
    assert picker(at).value == default
    notice = next(s for s in texts(at) if s.startswith("Linkin suunnitelmaa"))
    assert "<b>" not in notice and "\\<b\\>" in notice  # escaped: shown as written, never as markup
    assert "x" * 41 not in notice  # the value cut short
    assert "näytetään" in notice
    at.run()  # the notice is said once
    assert not [s for s in texts(at) if s.startswith("Linkin suunnitelmaa")]


def test_without_a_plan_in_the_link_the_default_opens_and_the_link_names_it(two_plans):
    default = two_plans.default_plan_id(date.today())
    at = app()
    no_errors(at)
    assert picker(at).value == default
    assert at.query_params["suunnitelma"] in (default, [default])  # every link the app makes names the plan


def test_the_sidebar_choice_changes_what_the_pages_show(two_plans):
    at = app(suunnitelma=OLD)
    at.switch_page("pages/toimenpiteet.py").run()
    no_errors(at)
    old_caption = measure_count_caption(at)
    picker(at).set_value(NEW).run()
    no_errors(at)
    assert at.session_state["plan"] == NEW
    assert at.query_params["suunnitelma"] in (NEW, [NEW])
    assert measure_count_caption(at).startswith("3 toimenpidettä"), measure_count_caption(at)
    assert measure_count_caption(at) != old_caption
    picker(at).set_value(OLD).run()
    assert measure_count_caption(at) == old_caption


# ------------------------------------------------------------------ goal pages from the plan
def test_a_goal_page_of_a_plan_with_four_goals(two_plans):
    add_fourth_goal(two_plans, NEW, "Neljäs päätavoite", "Fourth main goal")
    at = app(suunnitelma=NEW)
    at.switch_page("pages/paatavoite-4.py").run()
    no_errors(at)
    assert at.header[0].value.startswith("Päätavoite IV: Neljäs päätavoite")
    at = app(suunnitelma=OLD)  # the ended plan has three: its page 4 says so, without an error
    at.switch_page("pages/paatavoite-4.py").run()
    no_errors(at)
    assert any(s.startswith("Tässä suunnitelmassa ei ole päätavoitetta 4; siinä on 3") for s in texts(at))


# ------------------------------------------------------------------ an ended plan is read-only
EDIT_CONTROLS = ("Tallenna", "Lisää", "Poista", "Palauta", "Peru")


def edit_controls(at: AppTest) -> list[str]:
    """The labels of buttons and expanders that change something (save, add, remove, revert)."""
    labels = [b.label for b in at.button] + [b.label for b in at.get("form_submit_button")]
    return [x for x in labels + [e.label for e in at.expander] if x.startswith(EDIT_CONTROLS)]


@pytest.mark.parametrize(
    "page",
    ["pages/toimenpiteet.py", "pages/vuosikello-sykli.py", "pages/historia.py"],
)
def test_an_ended_plan_shows_no_edit_controls_even_to_an_editor(two_plans, page):
    at = app(suunnitelma=OLD)
    at.switch_page(page).run()
    sign_in(at)
    no_errors(at)
    assert any(s.startswith("Tämä suunnitelma (2020–2025) on päättynyt") for s in texts(at))
    assert not edit_controls(at), edit_controls(at)
    picker(at).set_value(NEW).run()  # the same page of the draft: the editor edits there
    no_errors(at)
    assert not any(s.startswith("Tämä suunnitelma (2020–2025) on päättynyt") for s in texts(at))
    if page != "pages/historia.py":  # (history offers a revert only where something changed)
        assert edit_controls(at)


def test_an_ended_plans_yearly_evaluations_stay_open_to_an_editor_but_not_to_a_viewer(two_plans):
    """Its last year is evaluated after the period ends: the evaluations belong to its final evaluation."""
    at = app(suunnitelma=OLD)
    at.switch_page("pages/arviointi.py").run()
    no_errors(at)
    assert not edit_controls(at)
    sign_in(at)
    no_errors(at)
    assert any(s.startswith("Tämä suunnitelma (2020–2025) on päättynyt") for s in texts(at))
    assert edit_controls(at) == ["Tallenna arviot"]


# ------------------------------------------------------------------ the drafting page
def drafting_page(two_plans) -> AppTest:
    at = app(suunnitelma=OLD)
    at.switch_page("pages/uusi-suunnitelma.py").run()
    sign_in(at)
    return at


def preview(at: AppTest, **fields) -> list[str]:
    for key, value in fields.items():
        widget = next(w for w in (*at.text_input, *at.number_input) if w.key.startswith(f"w_np_{key}"))
        widget.set_value(value)
    at.run()
    at.button(key="np_preview").click().run()
    no_errors(at)
    return [e.value for e in at.error]


def test_the_drafting_page_is_for_editors(two_plans):
    at = app(suunnitelma=OLD)
    at.switch_page("pages/uusi-suunnitelma.py").run()
    no_errors(at)
    assert any(s.startswith("Vain muokkaajat voivat laatia") for s in texts(at))
    assert not [b for b in at.button if b.key == "np_preview"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": NEW, "start": 2030, "end": 2033}, t("plan.id_exists", "fi", id=NEW)),
        ({"id": "kymenlaakso-2030-2027", "start": 2030, "end": 2027}, None),  # ends before it starts
        ({"id": "kymenlaakso-2024-2027", "start": 2024, "end": 2027}, None),  # overlaps 2020–2025
        ({"id": "Iso Kirjain!", "start": 2030, "end": 2033}, None),
    ],
)
def test_the_drafting_page_refuses_bad_input_and_changes_nothing(two_plans, fields, message):
    at = drafting_page(two_plans)
    before = [p.plan_id for p in two_plans.plans()]
    errors = preview(at, **fields)
    assert errors, "a refusal is shown"
    if message:
        assert any(e.startswith(message) for e in errors), errors
    assert not [b for b in at.button if b.key == "np_create"]  # nothing to create while anything is wrong
    assert [p.plan_id for p in two_plans.plans()] == before


def test_a_dropped_indicator_needs_its_reason(two_plans):
    at = drafting_page(two_plans)
    key = next(k for k in at.session_state if str(k).startswith("w_np_ind_"))
    at.session_state[key] = {
        "edited_rows": {0: {"choice": t("plans.indicator.dropped", "fi")}},
        "added_rows": [],
        "deleted_rows": [],
    }
    errors = preview(at, id="kymenlaakso-2030-2033", start=2030, end=2033)
    first = min(link.indicator_id for link in two_plans.load_plan(OLD).subgoal_indicators)  # the table's first row
    assert errors == [t("plan.drop_reason_required", "fi", id=first)]
    at.session_state[key] = {
        "edited_rows": {0: {"choice": t("plans.indicator.dropped", "fi"), "reason": "Kysymys poistui kyselystä"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="np_preview").click().run()
    assert not at.error
    assert any("Kysymys poistui kyselystä" in m.value for m in at.markdown)  # the reason is in the preview
    at.button(key="np_create").click().run()
    no_errors(at)
    made = two_plans.load_plan("kymenlaakso-2030-2033")
    assert [(c.reason) for c in made.dropped_indicators()] == ["Kysymys poistui kyselystä"]
    assert at.session_state["plan"] == "kymenlaakso-2030-2033"  # the sidebar shows the new draft


def test_two_editors_creating_the_same_plan_one_is_told(two_plans):
    at = drafting_page(two_plans)
    assert not preview(at, id="kymenlaakso-2030-2033", start=2030, end=2033)
    # another editor creates the same plan between this one's preview and create
    two_plans.create_plan_from(OLD, "kymenlaakso-2030-2033", "Toisen luonnos", 2030, 2033, "none", Editor("Toinen"))
    at.button(key="np_create").click().run()
    no_errors(at)
    assert any("kymenlaakso-2030-2033" in e.value for e in at.error), [e.value for e in at.error]
    assert two_plans.plan_info("kymenlaakso-2030-2033").name_fi == "Toisen luonnos"  # the first one stands


def test_an_editor_puts_a_draft_in_force(two_plans):
    at = drafting_page(two_plans)
    at.button(key=f"activate_{NEW}").click().run()
    no_errors(at)
    assert two_plans.plan_info(NEW).state == "in_force"
    assert any(s.endswith("on nyt voimassa.") for s in texts(at))


def test_an_editor_renames_a_copied_goal_of_the_draft(two_plans):
    at = app(suunnitelma=NEW)
    at.switch_page("pages/uusi-suunnitelma.py").run()
    sign_in(at)
    key = next(k for k in at.session_state if str(k).startswith("w_np_goals_"))
    at.session_state[key] = {
        "edited_rows": {1: {"title_fi": "Osallisuus ja yhteisöllisyys"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key="np_structure_save").click().run()
    no_errors(at)
    assert two_plans.load_plan(NEW).goal("II").title_fi == "Osallisuus ja yhteisöllisyys"
    assert (
        two_plans.load_plan(OLD).goal("II").title_fi != "Osallisuus ja yhteisöllisyys"
    )  # the ended plan keeps its own
    assert any(s.startswith("1 tavoitteen muutokset tallennettu") for s in texts(at))
    at.switch_page("pages/paatavoite-2.py").run()
    assert at.header[0].value == "Päätavoite II: Osallisuus ja yhteisöllisyys"


def test_an_editor_adds_a_fourth_main_goal_and_its_page_appears(two_plans):
    at = app(suunnitelma=NEW)
    at.switch_page("pages/uusi-suunnitelma.py").run()
    sign_in(at)
    at.text_input(key="w_np_goal_id").input("IV")
    at.text_input(key="w_np_goal_title_fi").input("Nuoret osallistuvat")
    at.text_input(key="w_np_goal_title_en").input("Young people take part")
    for key, share in (("preventive", 50.0), ("early_support", 30.0), ("intensive", 10.0)):  # 90 %, not 100
        at.number_input(key=f"w_np_goal_{key}").set_value(share)
    submit = next(b for b in at.get("form_submit_button") if b.label == t("plans.goal_add.submit", "fi"))
    submit.click().run()
    no_errors(at)
    assert at.error, "shares that do not make 100 % are refused"
    assert [g.goal_id for g in two_plans.load_plan(NEW).goals] == ["I", "II", "III"]
    at.number_input(key="w_np_goal_intensive").set_value(20.0)
    next(b for b in at.get("form_submit_button") if b.label == t("plans.goal_add.submit", "fi")).click().run()
    no_errors(at)
    assert [g.goal_id for g in two_plans.load_plan(NEW).goals] == ["I", "II", "III", "IV"]
    at.switch_page("pages/paatavoite-4.py").run()
    assert at.header[0].value == "Päätavoite IV: Nuoret osallistuvat"


def draft_page(two_plans) -> AppTest:
    at = app(suunnitelma=NEW)
    at.switch_page("pages/uusi-suunnitelma.py").run()
    sign_in(at)
    return at


def submit(at: AppTest, key: str) -> None:
    next(b for b in at.get("form_submit_button") if b.label == t(key, "fi")).click().run()
    no_errors(at)


def goal_table(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def test_an_editor_adds_a_sub_goal_and_chooses_its_tiles_and_the_goal_page_shows_them(two_plans):
    at = draft_page(two_plans)
    at.selectbox(key="w_np_sub_goal").set_value("II")
    at.text_input(key="w_np_sub_title_fi").input("Nuoret vaikuttavat kunnassa")
    at.text_input(key="w_np_sub_title_en").input("Young people influence their municipality")
    at.selectbox(key="w_np_sub_difficulty").set_value("keskivaikea")
    submit(at, "plans.subgoal_add.submit")
    new_id = f"II.{len(two_plans.load_plan(OLD).subgoals_of('II')) + 1}"
    assert t("plans.subgoal_add.done", "fi", id=new_id) in texts(at)
    added = next(s for s in two_plans.load_plan(NEW).subgoals if s.subgoal_id == new_id)
    assert (added.title_fi, added.difficulty.value) == ("Nuoret vaikuttavat kunnassa", "keskivaikea")
    assert new_id not in {s.subgoal_id for s in two_plans.load_plan(OLD).subgoals}  # the ended plan keeps its own

    at.selectbox(key="w_np_tiles_subgoal").set_value(new_id).run()
    tiles = next(m for m in at.multiselect if m.key.startswith("w_np_tiles_"))
    assert tiles.value == []
    first, second = tiles.options[1], tiles.options[0]  # chosen out of the list's order: the order is kept
    tiles.select(first).select(second).run()
    at.button(key="np_tiles_save").click().run()
    no_errors(at)
    assert t("plans.tiles.saved", "fi", id=new_id) in texts(at)
    links = [x for x in two_plans.load_plan(NEW).subgoal_indicators if x.subgoal_id == new_id]
    chosen = [f"{x.indicator_id}/{x.series_id}" for x in sorted(links, key=lambda x: x.sort_order)]
    assert [drafting.tile_label(two_plans.load_plan(NEW), k, "fi") for k in chosen] == [first, second]

    at.switch_page("pages/paatavoite-2.py").run()
    no_errors(at)
    table = goal_table(at)
    assert "Nuoret vaikuttavat kunnassa" in table
    row = table[table.index(new_id) :]
    assert str(links[0].indicator_id) in row[: row.index("</tr>")]  # the tile is on the sub-goal's row


def test_a_sub_goal_without_a_name_is_refused_in_finnish_and_nothing_is_lost(two_plans):
    at = draft_page(two_plans)
    before = len(two_plans.load_plan(NEW).subgoals)
    at.text_input(key="w_np_sub_title_fi").input("Vain suomeksi")
    submit(at, "plans.subgoal_add.submit")
    assert [e.value for e in at.error] == [t("plans.subgoal_add.title_required", "fi")]
    assert len(two_plans.load_plan(NEW).subgoals) == before
    assert at.text_input(key="w_np_sub_title_fi").value == "Vain suomeksi"  # what was typed stays


def test_a_tile_the_plan_dropped_meanwhile_is_refused_in_finnish(two_plans):
    at = draft_page(two_plans)
    tiles = next(m for m in at.multiselect if m.key.startswith("w_np_tiles_"))
    extra = next(o for o in tiles.options if o not in tiles.value)  # options are shown as labels
    tiles.select(extra).run()
    plan = two_plans.load_plan(NEW)
    key = next(k for k in drafting.tile_options(plan, two_plans.followed_indicators(NEW))
               if drafting.tile_label(plan, k, "fi") == extra)  # fmt: skip
    indicator = drafting.tile_of(key)[0]
    two_plans.set_indicator_choice(NEW, indicator, "dropped", "Ei enää mitata", Editor("Toinen"))  # another editor
    at.button(key="np_tiles_save").click().run()
    no_errors(at)
    assert [e.value for e in at.error] == [t("plan.indicator_not_followed", "fi", id=indicator)]
    assert key in next(m for m in at.multiselect if m.key.startswith("w_np_tiles_")).value  # the choice stays


def test_the_ended_plan_offers_no_goal_controls(two_plans):
    def goal_controls(at: AppTest) -> set[str]:
        keys = {w.key for w in (*at.text_input, *at.selectbox, *at.multiselect, *at.button) if w.key}
        return {k for k in keys if k.startswith(("w_np_sub_", "w_np_tiles", "w_np_goal", "np_tiles", "np_structure"))}

    assert goal_controls(draft_page(two_plans)), "the draft has them"
    assert not goal_controls(drafting_page(two_plans))  # signed in, the ended plan chosen


def test_the_measure_table_names_actors_and_sub_goals(two_plans):
    at = drafting_page(two_plans)
    plan = two_plans.load_plan(OLD)
    table = next(d.value for d in at.dataframe if "measure" in d.value.columns)
    for label, mid in zip(table["measure"], table["measure_id"], strict=True):
        measure = next(m for m in plan.measures if m.measure_id == mid)
        assert label.startswith(f"{plan.actor(measure.actor_id).name_fi} · {measure.subgoal_id} · "), label
        assert label.endswith(f"({mid})")
    assert set(table["actor"]) <= {a.name_fi for a in plan.actors}  # names, not ids


def test_the_indicators_page_names_a_dropped_indicator_with_its_reason(two_plans):
    """THL's advice: a dropped indicator is named with the reason, so readers know it was a choice."""
    two_plans.set_indicator_choice(NEW, 31, "dropped", "Väestöennuste ei mittaa tavoitetta", Editor("Testi"))
    named = f"31 {load_plan().indicator(31).name_fi}: Väestöennuste ei mittaa tavoitetta"
    at = app(suunnitelma=NEW)
    at.switch_page("pages/indikaattorit.py").run()
    no_errors(at)
    shown = [m.value for m in at.markdown]
    assert any(t("indicators.dropped", "fi") in m and named in m for m in shown), shown
    at = app(suunnitelma=OLD)  # the ended plan dropped nothing
    at.switch_page("pages/indikaattorit.py").run()
    no_errors(at)
    assert not any(t("indicators.dropped", "fi") in m.value for m in at.markdown)
