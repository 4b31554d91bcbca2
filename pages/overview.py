"""Etusivu: the plan at a glance."""

import streamlit as st

from core.base.i18n import Msg, name, t
from core.base.text import md_escape
from ui import state, views
from ui.router import page_context

ctx = page_context()
plan, lang, group = ctx.plan, ctx.lang, ctx.filters.group
meta = plan.meta
st.title(md_escape(meta.get("name_en") if lang == "en" and meta.get("name_en") else meta.get("name", "")))
st.write(
    t(
        "overview.intro",
        lang,
        start=meta.get("period_start"),
        end=meta.get("period_end"),
        indicators=Msg("count.indicators", n=len(plan.indicators)),
        goals=Msg("count.goals", n=len(plan.goals)),
        subgoals=Msg("count.subgoals", n=len(plan.subgoals)),
        actors=Msg("count.actors", n=len(plan.actors)),
        measures=Msg("measures.count", n=views.real_measure_count(ctx.filters.actors)),
    )
)

c1, c2 = st.columns(2)
with c1:
    st.subheader(t("overview.by_status", lang))
    views.show_chart(views.status_by_goal(group, lang), key="status_by_goal", lang=lang)
    # the bars count indicator × respondent-group comparisons, not indicators: say so, with the numbers
    st.caption(views.status_chart_caption(group, lang))
with c2:
    st.subheader(t("overview.service_mix", lang))
    views.show_chart(
        views.service_mix(tuple(g.goal_id for g in plan.goals_in_order()), lang),
        key="service_mix",
        lang=lang,
    )

st.subheader(t("overview.heatmap", lang))
heatmaps = views.heatmap(group, lang)  # a few groups per grid, so the cells keep apart on a phone
if not heatmaps:
    st.info(t("indicators.no_values", lang))
for k, (heading, fig) in enumerate(heatmaps):
    if len(heatmaps) > 1:
        views.chart_heading(heading)
    views.show_chart(fig, key=f"heatmap_{k}", lang=lang)

st.subheader(t("overview.measures_matrix", lang))
views.show_chart(views.measure_counts(ctx.filters.actors, lang), key="measure_counts", lang=lang)

cols = st.columns(len(plan.goals)) if plan.goals else []
for col, g in zip(cols, plan.goals_in_order(), strict=True):
    if st.session_state.get(state.ROUTED) and g.number in state.GOAL_PAGE_FILES:
        col.page_link(
            state.GOAL_PAGE_FILES[g.number],
            label=t("overview.goal_link", lang, goal=g.goal_id),
            icon=":material/arrow_forward:",
            query_params=state.plan_link(),  # the link names the plan
        )
    col.caption(md_escape(name(g, lang, "title")))
state.sync_url()
