"""Aikajana: a Gantt-style timeline of the measures' start and end years."""

import streamlit as st

from core import queries
from core.i18n import t
from core.timeline import timeline_figure, undated_measures
from ui import data, state
from ui.frame import page_context

MAX_ROWS = 120  # a taller chart stops being readable on a projector

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("timeline.title", lang))
st.caption(t("timeline.intro", lang))

goals = [None] + [g.goal_id for g in sorted(plan.goals, key=lambda g: g.number)]
goal_now = ctx.filters.goal if ctx.filters.goal in goals else None
st.selectbox(t("measures.goal", lang), goals, index=goals.index(goal_now), key="w_goal_tl",
             format_func=lambda g: t("measures.goal.all", lang) if g is None else t("nav.goal", lang, goal=g),
             on_change=state.mirror, args=("w_goal_tl", state.GOAL))
goal = st.session_state.get("w_goal_tl", goal_now)
measures = queries.filter_measures(data.measures(), queries.Filters(actors=ctx.filters.actors, goal=goal))
measures = measures[measures["row_kind"] == "measure"]
dated = measures[measures["start_year"].notna()]
if len(dated) > MAX_ROWS:
    st.info(t("timeline.too_many", lang, shown=MAX_ROWS, n=len(dated)))
    dated = dated.head(MAX_ROWS)
if dated.empty:
    st.info(t("measures.none", lang))
else:
    st.plotly_chart(timeline_figure(plan, dated, lang), width="stretch", key="timeline")
undated = undated_measures(measures, plan, lang)
with st.expander(t("timeline.undated", lang, n=len(undated))):
    st.dataframe(undated, hide_index=True, width="stretch")
state.sync_url()
