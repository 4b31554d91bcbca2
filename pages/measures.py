"""Toimenpiteet: all measures across goals, filtered and searchable; each actor's whole table."""

import io

import pandas as pd
import streamlit as st

from core import queries
from core.i18n import name, t
from ui import data, measures_grid, state
from ui.frame import page_context

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("measures.title", lang))

c1, c2, c3 = st.columns([1, 2, 2])
goals = [None] + [g.goal_id for g in sorted(plan.goals, key=lambda g: g.number)]
goal_now = ctx.filters.goal if ctx.filters.goal in goals else None
c1.selectbox(t("measures.goal", lang), goals, index=goals.index(goal_now), key="w_goal",
             format_func=lambda g: t("measures.goal.all", lang) if g is None else t("nav.goal", lang, goal=g),
             on_change=state.mirror, args=("w_goal", state.GOAL))
goal = st.session_state.get("w_goal", goal_now)
subs = [None] + [s.subgoal_id for s in plan.subgoals if goal in (None, s.goal_id)]
sub_now = ctx.filters.subgoal if ctx.filters.subgoal in subs else None
titles = {s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}" for s in plan.subgoals}
c2.selectbox(t("goal.subgoal_filter", lang), subs, index=subs.index(sub_now), key="w_subgoal_all",
             format_func=lambda s: t("goal.subgoal_filter.all", lang) if s is None else titles[s],
             on_change=state.mirror, args=("w_subgoal_all", state.SUBGOAL))
sub = st.session_state.get("w_subgoal_all", sub_now)
c3.text_input(t("measures.search", lang), value=ctx.filters.search, key="w_search", max_chars=200,
              on_change=state.mirror, args=("w_search", state.SEARCH))
search = st.session_state.get("w_search", ctx.filters.search)

filters = queries.Filters(actors=ctx.filters.actors, goal=goal, subgoal=sub, search=search, lang=lang)
measures = queries.filter_measures(data.measures(), filters)
st.caption(t("measures.count", lang, n=len(measures)))
measures_grid.render(ctx, measures, key="grid_all")
measures_grid.add_and_remove(ctx, measures, key="edit_all")

export = queries.measures_display(plan, measures, lang)[
    ["measure_id", "actor", "subgoal", "toimenpide", "mittari", "aikataulu", "toimijat", "seuranta", "status",
     "start_year", "end_year", "permanent", "contact"]]


def as_xlsx() -> bytes:
    """The filtered measures as an Excel sheet (built only when the button is clicked)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        export.to_excel(xw, index=False, sheet_name="toimenpiteet")
    return buf.getvalue()


d1, d2 = st.columns(2)
d1.download_button(t("measures.download_csv", lang), lambda: export.to_csv(index=False).encode("utf-8-sig"),
                   file_name="toimenpiteet.csv", mime="text/csv", key="dl_csv")
d2.download_button(t("measures.download_xlsx", lang), as_xlsx, file_name="toimenpiteet.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="dl_xlsx")

st.subheader(t("measures.actor_table", lang))
for actor in plan.actors:
    if ctx.filters.actors and actor.actor_id not in ctx.filters.actors:
        continue
    mine = queries.measures_display(plan, measures[measures["actor_id"] == actor.actor_id], lang)
    with st.expander(f"{actor.section} {name(actor, lang)} ({len(mine)})"):
        if actor.current_name:
            st.caption(actor.current_name)
        st.dataframe(mine[["subgoal", "toimenpide", "mittari", "aikataulu", "toimijat", "seuranta", "row_kind_label"]]
                     .rename(columns={c: t(f"col.{c}", lang) for c in ["subgoal", "toimenpide", "mittari", "aikataulu",
                                                                          "toimijat", "seuranta"]}
                             | {"row_kind_label": t("col.row_kind", lang)}),
                     hide_index=True, width="stretch")
state.sync_url()
