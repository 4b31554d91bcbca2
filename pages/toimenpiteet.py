"""Toimenpiteet: all measures across goals, filtered and searchable; each actor's whole table."""

import pandas as pd
import streamlit as st

from core.base.i18n import name, t
from core.base.text import md_escape
from core.io import exporter
from core.views import queries
from ui import downloads, live, measure_forms, measures_grid, state, views
from ui.frame import PageContext, goal_filter, view_tabs
from ui.router import page_context
from ui.tables import WRAPPED_ROW_HEIGHT


def filtered(ctx: PageContext) -> None:
    """Every goal's measures filtered by goal, sub-goal and free text, in the grid, with downloads."""
    plan, lang = ctx.plan, ctx.lang
    c1, c2, c3 = st.columns([1, 2, 2])
    goal = goal_filter(ctx, "w_goal", c1)
    subs = [None] + [s.subgoal_id for s in plan.subgoals if goal in (None, s.goal_id)]
    sub_now = ctx.filters.subgoal if ctx.filters.subgoal in subs else None
    titles = {s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}" for s in plan.subgoals}
    c2.selectbox(
        t("goal.subgoal_filter", lang),
        subs,
        index=subs.index(sub_now),
        key="w_subgoal_all",
        placeholder=t("widget.placeholder", lang),
        format_func=lambda s: t("goal.subgoal_filter.all", lang) if s is None else titles[s],
        on_change=state.mirror,
        args=("w_subgoal_all", state.SUBGOAL),
    )
    sub = st.session_state.get("w_subgoal_all", sub_now)
    c3.text_input(
        t("measures.search", lang),
        value=ctx.filters.search,
        key="w_search",
        max_chars=200,
        on_change=state.mirror,
        args=("w_search", state.SEARCH),
    )
    search = st.session_state.get("w_search", ctx.filters.search)

    filters = queries.Filters(actors=ctx.filters.actors, goal=goal, subgoal=sub, search=search, lang=lang)
    live.shows()  # the filters above show no stored data: others' saves redraw only the part below
    live.part("measures_all", ("measure",), lambda: measures_part(ctx, filters))


def measures_part(ctx: PageContext, filters: queries.Filters) -> None:
    """The filtered measures in the grid, with downloads: redrawn alone when measures change (ui.live)."""
    plan, lang = ctx.plan, ctx.lang
    measures = views.filtered_measures(filters)
    st.caption(views.measures_caption(filters, lang))
    measures_grid.render(ctx, measures, key="grid_all")
    measure_forms.add_and_remove(ctx, measures, key="edit_all")

    def export_frame() -> pd.DataFrame:
        """The filtered measures as in the grid (built only when a download is clicked)."""
        return queries.measures_download(plan, measures, lang)

    d1, d2 = st.columns(2)
    downloads.download(
        d1,
        t("measures.download_csv", lang),
        lambda: exporter.csv_download(export_frame()),
        "toimenpiteet.csv",
        "text/csv",
        "dl_csv",
        lang,
    )
    downloads.download(
        d2,
        t("measures.download_xlsx", lang),
        lambda: exporter.xlsx_download(export_frame(), "toimenpiteet"),
        "toimenpiteet.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "dl_xlsx",
        lang,
    )


def whole_table(ctx: PageContext) -> None:
    """One actor's whole table as in the plan: every sub-goal, whatever the filters of the other tab."""
    plan, lang = ctx.plan, ctx.lang
    everything = views.measures_display(lang)  # cached per data version, in plan order
    counts = queries.real_measures(everything)["actor_id"].value_counts()  # real measures, as everywhere
    table_actors = [a.actor_id for a in plan.actors if not ctx.filters.actors or a.actor_id in ctx.filters.actors]
    actor_id = st.selectbox(
        t("measures.actor_pick", lang),
        table_actors,
        placeholder=t("widget.placeholder", lang),
        key="w_actor_table",
        format_func=lambda a: f"{plan.actor(a).section} {name(plan.actor(a), lang)} ({int(counts.get(a, 0))})",
    )
    if actor_id is None:
        return
    actor = plan.actor(actor_id)
    if actor.current_name:
        st.caption(md_escape(actor.current_name))
    mine = everything[everything["actor_id"] == actor_id]
    columns = ["subgoal", "toimenpide", "mittari", "aikataulu", "toimijat", "seuranta", "row_kind_label"]
    st.dataframe(
        mine[columns].rename(
            columns={c: t(f"col.{c}", lang) for c in columns[:-1]} | {"row_kind_label": t("col.row_kind", lang)}
        ),
        hide_index=True,
        width="stretch",
        # the sub-goal (pinned, narrow) and the measure in words first; the rest scrolls sideways
        column_config={
            t("col.subgoal", lang): st.column_config.Column(width=110, pinned=True),
            t("col.toimenpide", lang): st.column_config.Column(width=240),
            **{t(f"col.{c}", lang): st.column_config.Column(width=220) for c in ("mittari", "toimijat", "seuranta")},
        },
        row_height=WRAPPED_ROW_HEIGHT * 2,
    )


ctx = page_context()
st.title(t("measures.title", ctx.lang))
view, tab = view_tabs(list(state.MEASURES_VIEWS), ctx.lang, key="measures")
with tab:
    if view == "toimenpiteet":
        filtered(ctx)
    else:
        whole_table(ctx)
state.sync_url(state.VIEW, state.GOAL, state.SUBGOAL, state.SEARCH)
