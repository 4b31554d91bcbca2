"""Etusivu: the plan at a glance."""

import streamlit as st

from core import queries
from core.i18n import name, t
from core.text import md_escape
from ui import state, views
from ui.frame import page_context

ctx = page_context()
plan, lang, group = ctx.plan, ctx.lang, ctx.filters.group
meta = plan.meta
st.title(md_escape(meta.get("name_en") if lang == "en" and meta.get("name_en") else meta.get("name", "")))
measures = views.filtered_measures(queries.Filters(actors=ctx.filters.actors))
st.write(t("overview.intro", lang, start=meta.get("period_start"), end=meta.get("period_end"),
           n_ind=len(plan.indicators), n_goals=len(plan.goals), n_sub=len(plan.subgoals),
           n_act=len(plan.actors), n_meas=int((measures["row_kind"] == "measure").sum())))

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("overview.by_status", lang))
    st.plotly_chart(views.status_by_goal(group, lang), width="stretch", key="status_by_goal")
with c2:
    st.subheader(t("overview.service_mix", lang))
    st.plotly_chart(views.service_mix(tuple(g.goal_id for g in sorted(plan.goals, key=lambda g: g.number)), lang),
                    width="stretch", key="service_mix")

st.subheader(t("overview.heatmap", lang))
heatmap = views.heatmap(group, lang)
if heatmap is None:
    st.info(t("indicators.no_values", lang))
else:
    st.plotly_chart(heatmap, width="stretch", key="heatmap")

st.subheader(t("overview.measures_matrix", lang))
st.plotly_chart(views.measure_counts(ctx.filters.actors, lang), width="stretch", key="measure_counts")

cols = st.columns(len(plan.goals))
for col, g in zip(cols, sorted(plan.goals, key=lambda g: g.number), strict=True):
    if st.session_state.get(state.ROUTED):
        col.page_link(f"pages/goal_{g.number}.py", label=t("overview.goal_link", lang, goal=g.goal_id),
                      icon=":material/arrow_forward:")
    col.caption(md_escape(name(g, lang, "title")))
state.sync_url()
