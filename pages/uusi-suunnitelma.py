"""Uusi suunnitelma: an editor drafts the next plan from an earlier one, previews it, creates the draft
and puts a draft in force. The rules (id, period, reasons, which measures carry on) are core.plan.plans';
the store checks them again inside its transaction, so two editors cannot make the same plan."""

from __future__ import annotations

import streamlit as st

from core.base.i18n import key_part, name, t
from core.base.rules import subgoal_sort_key
from core.base.text import md_escape
from core.plan import plans as plan_rules
from core.plan.model import Difficulty, Impact, PlanState
from core.store import StoreError
from ui import data, drafting, state
from ui.frame import plan_label
from ui.router import page_context

ctx = page_context()
lang = ctx.lang
st.title(t("plans.new.title", lang))
st.caption(t("plans.new.intro", lang))

done = st.session_state.pop(state.FLASH, None)  # the confirmation of a create / put in force, kept over its rerun
if done:
    st.success(t(done["key"], lang, **done.get("values", {})))

editor = ctx.signed_in  # drafting from an ended plan is allowed: it writes the new plan, not the ended one
if editor is None:
    st.info(t("plans.new.editor_only", lang))
    state.sync_url()
    st.stop()
store = data.store()
infos = data.plans()

drafts = [p for p in infos if p.state == PlanState.DRAFT]
if drafts:
    st.subheader(t("plans.drafts.title", lang))
    for info in drafts:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.markdown(md_escape(plan_label(info, lang)) + f"  \n`{md_escape(info.plan_id)}`")
        if right.button(t("plans.drafts.activate", lang), key=f"activate_{info.plan_id}", type="primary"):
            try:
                store.set_plan_state(info.plan_id, PlanState.IN_FORCE.value, editor)
            except StoreError as exc:
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.session_state[state.FLASH] = {
                    "key": "plans.drafts.activated",
                    "values": {"plan": md_escape(plan_label(info, lang))},
                }
                st.rerun()

if ctx.plan.state == PlanState.DRAFT:  # the draft shown: its copied goals and sub-goals are edited here
    st.subheader(t("plans.structure.title", lang, id=md_escape(ctx.plan.plan_id)))
    st.caption(t("plans.structure.help", lang))
    goals_before, subgoals_before = drafting.structure_frames(ctx.plan)
    generation = f"{ctx.plan.plan_id}_{data.version()}_{lang}"  # a save starts the tables from the store
    goals_after = st.data_editor(
        goals_before,
        key=f"w_np_goals_{generation}",
        hide_index=True,
        width="stretch",
        disabled=["goal_id"],
        column_config=drafting.structure_columns("goal_id", lang),
    )
    subgoals_after = st.data_editor(
        subgoals_before,
        key=f"w_np_subgoals_{generation}",
        hide_index=True,
        width="stretch",
        disabled=["subgoal_id"],
        column_config=drafting.structure_columns("subgoal_id", lang),
    )
    if st.button(t("plans.structure.save", lang), key="np_structure_save"):
        saved = 0
        try:
            for goal_id, values in drafting.changed_titles(goals_before, goals_after, "goal_id"):
                store.save_plan_goal(ctx.plan.plan_id, goal_id, values, editor)
                saved += 1
            for subgoal_id, values in drafting.changed_titles(subgoals_before, subgoals_after, "subgoal_id"):
                store.save_plan_subgoal(ctx.plan.plan_id, subgoal_id, values, editor)
                saved += 1
        except StoreError as exc:  # a required title left empty, say: that row and the rest are not saved
            st.error(md_escape(exc.text(lang)))
        if saved:
            data.clear()
            st.session_state[state.FLASH] = {"key": "plans.structure.saved", "values": {"n": saved}}
            st.rerun()

    with st.form("np_add_goal", clear_on_submit=False):  # a plan has as many main goals as it has
        st.markdown(f"**{t('plans.goal_add.title', lang)}**")
        goal_id = st.text_input(t("plans.goal_add.id", lang), max_chars=10, key="w_np_goal_id")
        titles = {f: st.text_input(t(f"plans.col.{f}", lang), key=f"w_np_goal_{f}") for f in ("title_fi", "title_en")}
        shares = dict(
            zip(
                ("preventive_pct", "early_support_pct", "intensive_pct"),
                (
                    col.number_input(t(f"plans.goal_add.{f}", lang), 0.0, 100.0, 0.0, 5.0, key=f"w_np_goal_{f}")
                    for col, f in zip(st.columns(3), ("preventive", "early_support", "intensive"), strict=True)
                ),
                strict=True,
            )
        )
        if st.form_submit_button(t("plans.goal_add.submit", lang)):
            try:
                store.add_plan_goal(ctx.plan.plan_id, goal_id.strip(), {**titles, **shares}, editor)
            except StoreError as exc:  # an id taken, a title missing, shares that do not make 100 %
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.session_state[state.FLASH] = {"key": "plans.goal_add.done", "values": {"id": md_escape(goal_id)}}
                st.rerun()

    goal_titles = {g.goal_id: f"{g.goal_id} {name(g, lang, 'title')}" for g in ctx.plan.goals_in_order()}
    if goal_titles:
        with st.form("np_add_subgoal", clear_on_submit=False):  # a refusal keeps what was typed
            st.markdown(f"**{t('plans.subgoal_add.title', lang)}**")
            parent = st.selectbox(
                t("plans.subgoal_add.goal", lang), list(goal_titles), format_func=goal_titles.get, key="w_np_sub_goal"
            )
            sub_titles = {
                f: st.text_input(t(f"plans.col.{f}", lang), key=f"w_np_sub_{f}") for f in ("title_fi", "title_en")
            }
            rate_left, rate_right = st.columns(2)
            difficulty = rate_left.selectbox(
                t("col.difficulty", lang),
                ["", *(d.value for d in Difficulty)],
                format_func=lambda d: t(f"difficulty.{d}", lang) if d else t("goal.no_rating", lang),
                key="w_np_sub_difficulty",
            )
            impact = rate_right.selectbox(
                t("col.impact", lang),
                ["", *(i.value for i in Impact)],
                format_func=lambda i: t(f"impact.{key_part(i)}", lang) if i else t("goal.no_rating", lang),
                key="w_np_sub_impact",
            )
            if st.form_submit_button(t("plans.subgoal_add.submit", lang)):
                if not all(v.strip() for v in sub_titles.values()):  # said in Finnish here, not by the model
                    st.error(t("plans.subgoal_add.title_required", lang))
                else:
                    values = {f: v.strip() for f, v in sub_titles.items()}
                    values.update(difficulty=difficulty, impact=impact)
                    try:
                        added_id = store.add_plan_subgoal(ctx.plan.plan_id, parent, values, editor)
                    except StoreError as exc:  # the plan ended meanwhile, the goal is gone…
                        st.error(md_escape(exc.text(lang)))
                    else:
                        data.clear()
                        st.session_state[state.FLASH] = {
                            "key": "plans.subgoal_add.done",
                            "values": {"id": md_escape(added_id)},
                        }
                        st.rerun()

    subgoal_titles = {
        s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}"
        for s in sorted(ctx.plan.subgoals, key=lambda s: subgoal_sort_key(s.subgoal_id))
    }
    if subgoal_titles:
        st.markdown(f"**{t('plans.tiles.title', lang)}**")
        st.caption(t("plans.tiles.help", lang))
        tiles_of = st.selectbox(
            t("col.subgoal", lang), list(subgoal_titles), format_func=subgoal_titles.get, key="w_np_tiles_subgoal"
        )
        current = drafting.subgoal_tiles(ctx.plan, tiles_of)
        options = drafting.tile_options(ctx.plan, store.followed_indicators(ctx.plan.plan_id))
        tiles_key = f"w_np_tiles_{ctx.plan.plan_id}_{tiles_of}"  # not renewed by a save: nothing chosen is lost
        shown_tiles = [*current, *st.session_state.get(tiles_key, [])]  # a tile for all series; one dropped meanwhile
        options += [k for k in dict.fromkeys(shown_tiles) if k not in options]
        tiles = st.multiselect(
            t("plans.tiles.choose", lang),
            options,
            default=current,
            format_func=lambda k: drafting.tile_label(ctx.plan, k, lang),
            placeholder=t("widget.placeholder", lang),
            key=tiles_key,
        )
        if st.button(t("plans.tiles.save", lang), key="np_tiles_save"):
            try:
                store.set_subgoal_indicators(ctx.plan.plan_id, tiles_of, [drafting.tile_of(k) for k in tiles], editor)
            except StoreError as exc:  # an indicator the plan dropped meanwhile: the choice stays on screen
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.session_state.pop(tiles_key, None)  # shown again as the store has it
                st.session_state[state.FLASH] = {"key": "plans.tiles.saved", "values": {"id": md_escape(tiles_of)}}
                st.rerun()

st.subheader(t("plans.new.form", lang))
ids = [p.plan_id for p in infos]
labels = {p.plan_id: plan_label(p, lang) for p in infos}
source_id = st.selectbox(
    t("plans.new.source", lang),
    ids,
    index=ids.index(ctx.plan.plan_id) if ctx.plan.plan_id in ids else 0,
    format_func=lambda p: labels.get(p, p),
    key="w_np_source",
)
source_info = next(p for p in infos if p.plan_id == source_id)
source = data.plan_at(data.source()._replace(plan_id=source_id), data.version())

# the next period by default: from the year after the earlier plan, four years
start, end = (
    col.number_input(
        t(f"plans.new.{which}", lang),
        min_value=plan_rules.YEAR_MIN,
        max_value=plan_rules.YEAR_MAX,
        value=min(plan_rules.YEAR_MAX, source_info.period_end + offset),
        step=1,
        key=f"w_np_{which}_{source_id}",
    )
    for col, which, offset in zip(st.columns(2), ("start", "end"), (1, 4), strict=True)
)
new_id = st.text_input(
    t("plans.new.id", lang),
    value=drafting.suggested_id(source, int(start), int(end)),
    max_chars=80,
    help=t("plans.new.id_help", lang),
    key=f"w_np_id_{source_id}",
)
new_name = st.text_input(
    t("plans.new.name", lang),
    value=source_info.name_fi,
    max_chars=plan_rules.MAX_NAME,
    key=f"w_np_name_{source_id}",
)

st.markdown(f"**{t('plans.new.goals', lang)}**")
st.caption(
    t("plans.new.goals_copied", lang, goals=len(source.goals), subgoals=len(source.subgoals))
    + " "
    + "; ".join(f"{g.goal_id} {md_escape(name(g, lang, 'title'))}" for g in source.goals_in_order())
)

st.markdown(f"**{t('plans.new.indicators', lang)}**")
st.caption(t("plans.new.indicators_help", lang))
indicator_rows = st.data_editor(
    drafting.indicator_frame(source, lang),
    key=f"w_np_ind_{source_id}_{lang}",
    hide_index=True,
    width="stretch",
    disabled=["indicator_id", "indicator"],
    column_config=drafting.indicator_columns(lang),
)
added = st.multiselect(
    t("plans.new.add_indicators", lang),
    drafting.addable_indicators(source),
    format_func=lambda i: f"{i} {name(source.indicator(i), lang)}",
    placeholder=t("widget.placeholder", lang),
    key=f"w_np_add_{source_id}",
)

st.markdown(f"**{t('plans.new.measures', lang)}**")
carry = st.radio(
    t("plans.new.carry", lang),
    [c.value for c in plan_rules.Carry],
    index=1,
    horizontal=True,
    format_func=lambda c: t(f"plans.carry.{c}", lang),
    key="w_np_carry",
)
source_measures = drafting.measure_frame(
    data.measures_at(data.source()._replace(plan_id=source_id), data.version()), carry, int(start), lang, source
)
measure_rows = st.data_editor(
    source_measures,
    key=f"w_np_meas_{source_id}_{carry}_{int(start)}_{lang}",
    hide_index=True,
    width="stretch",
    disabled=["measure", "actor", "subgoal_id", "measure_id"],
    column_config=drafting.measure_columns(lang),
)

draft = drafting.Draft(
    source_id=source_id,
    new_id=new_id.strip(),
    name=new_name.strip(),
    start=int(start),
    end=int(end),
    carry=carry,
    indicators=drafting.indicator_choices(indicator_rows, added, lang),
    measures=drafting.measure_choices(measure_rows, source_measures, lang),
)
PREVIEW = "_np_preview"
if st.button(t("plans.new.preview", lang), key="np_preview"):
    st.session_state[PREVIEW] = draft
shown = st.session_state.get(PREVIEW)
if shown is not None and shown != draft:  # the form changed after the preview: preview again
    st.session_state.pop(PREVIEW, None)
    shown = None
if shown is not None:
    problems = drafting.problems(draft, source_info, set(ids))
    if problems:
        for problem in problems:
            st.error(problem.text(lang))
    else:
        st.markdown(drafting.preview_markdown(draft, source, lang))
        if st.button(t("plans.new.create", lang), key="np_create", type="primary"):
            try:
                drafting.create(store, draft, editor)
            except StoreError as exc:  # e.g. another editor made the same plan a moment ago: nothing changed
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.session_state.pop(PREVIEW, None)
                st.session_state[state.PLAN] = draft.new_id  # the sidebar shows the new draft
                st.session_state[state.FLASH] = {"key": "plans.new.created", "values": {"id": md_escape(draft.new_id)}}
                st.rerun()
state.sync_url()
