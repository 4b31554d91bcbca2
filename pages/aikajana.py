"""Aikajana: a Gantt-style timeline of the measures' start and end years."""

import streamlit as st

from core.base.i18n import t
from ui import state, views
from ui.frame import goal_filter
from ui.router import page_context

MAX_ROWS = 120  # a taller chart stops being readable on a projector

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("timeline.title", lang))
st.caption(t("timeline.intro", lang))

goal = goal_filter(ctx, "w_goal_tl")
view = views.timeline(ctx.filters.actors, goal, lang, MAX_ROWS)
if view.n_dated > view.shown:
    st.info(t("timeline.too_many", lang, shown=view.shown, n=view.n_dated))
if view.figure is None:
    st.info(t("measures.none", lang))
else:
    views.show_chart(view.figure, key="timeline", lang=lang)
with st.expander(t("timeline.undated", lang, n=len(view.undated))):
    st.dataframe(view.undated, hide_index=True, width="stretch")
state.sync_url(state.GOAL)
