"""Etusivu: the plan at a glance."""

import streamlit as st

from core import charts, queries
from core.i18n import name, t
from ui import data, state
from ui.frame import page_context

ctx = page_context()
plan, lang, group = ctx.plan, ctx.lang, ctx.filters.group
meta = plan.meta
st.title(meta.get("name_en") if lang == "en" and meta.get("name_en") else meta.get("name", ""))
measures = queries.filter_measures(data.measures(), queries.Filters(actors=ctx.filters.actors))
st.write(t("overview.intro", lang, start=meta.get("period_start"), end=meta.get("period_end"),
           n_ind=len(plan.indicators), n_goals=len(plan.goals), n_sub=len(plan.subgoals),
           n_act=len(plan.actors), n_meas=int((measures["row_kind"] == "measure").sum())))

obs = data.observations()
groups = [group] if group else None
by_goal = {g.goal_id: queries.comparison_frame(plan, obs, queries.linked_indicators(plan, g.goal_id), groups, lang)
           for g in plan.goals}
titles = {g.goal_id: t("nav.goal", lang, goal=g.goal_id) for g in plan.goals}

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("overview.by_status", lang))
    st.plotly_chart(charts.status_by_goal_figure(queries.status_counts_by_goal(by_goal), titles, lang),
                    width="stretch", key="status_by_goal")
with c2:
    st.subheader(t("overview.service_mix", lang))
    st.plotly_chart(charts.service_mix_figure(sorted(plan.goals, key=lambda g: g.number), lang),
                    width="stretch", key="service_mix")

st.subheader(t("overview.heatmap", lang))
all_pairs = queries.linked_indicators(plan) + [
    p for p in queries.comparison_frame(plan, obs, None, groups, lang)[["indicator_id", "series_id"]]
    .drop_duplicates().itertuples(index=False, name=None) if p not in queries.linked_indicators(plan)]
frame_all = queries.comparison_frame(plan, obs, all_pairs, groups, lang)
survey = [(g.group_id, name(g, lang)) for g in sorted(plan.groups, key=lambda g: g.sort_order)
          if g.kind == "survey" and (group is None or g.group_id == group)]
heat = frame_all[frame_all["group_id"].isin([g for g, _ in survey])]
if heat.empty:
    st.info(t("indicators.no_values", lang))
else:
    st.plotly_chart(charts.status_heatmap(heat, survey, lang), width="stretch", key="heatmap")

st.subheader(t("overview.measures_matrix", lang))
st.plotly_chart(charts.measure_counts_figure(queries.measure_counts(plan, measures, lang), lang),
                width="stretch", key="measure_counts")

cols = st.columns(len(plan.goals))
for col, g in zip(cols, sorted(plan.goals, key=lambda g: g.number), strict=True):
    if st.session_state.get(state.ROUTED):
        col.page_link(f"pages/goal_{g.number}.py", label=t("overview.goal_link", lang, goal=g.goal_id),
                      icon=":material/arrow_forward:")
    col.caption(name(g, lang, "title"))
state.sync_url()
