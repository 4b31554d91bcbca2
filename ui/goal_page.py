"""One main goal's page: service-level mix, sub-goals, indicator charts, measures grid."""

from __future__ import annotations

import streamlit as st

from core.base.i18n import name, t
from core.base.text import md_escape
from core.views import chart_style, queries
from ui import data, live, measure_forms, measures_grid, state, tables, views
from ui.frame import PageContext, view_tabs
from ui.trends import trend_section


def indicator_section(ctx, pairs: list[tuple[int, str]], key: str, goal_id: str | None = None) -> None:
    """Charts of Kymenlaakso vs the whole country for the selected group, one per unit.

    A long set (goal I draws 45 bars) is split per sub-goal of ``goal_id``, each under its heading.
    """
    lang, group = ctx.lang, ctx.filters.group
    frame = views.comparison(pairs, group, lang)
    if group:
        missing = queries.missing_for_group(ctx.plan, data.observations(), pairs, group, lang)
        group_name = next(name(g, lang) for g in ctx.plan.groups if g.group_id == group)
        if frame.empty:
            st.info(t("goal.indicators.none", lang, group=md_escape(group_name)))
            return
        if missing:
            st.caption(t("goal.indicators.missing", lang, names=md_escape(", ".join(missing))))
    if frame.empty:
        st.info(t("indicators.no_values", lang))
        return
    figures = list(views.comparison_figures(pairs, group, lang, by=goal_id))
    part = jump(figures, key, lang)
    with st.container(key=f"{key}_charts"):  # a stable hook for browser tests and print CSS
        shown = None
        for k, (heading, unit, fig) in enumerate(figures):
            if part is not None and _part(heading) != part:
                continue
            if heading and heading != shown:
                views.chart_heading(heading)
            elif k and figures[k - 1][0] == heading:  # the part's chart of another unit: a heading of its own
                axis = chart_style.value_axis_title(unit, lang)
                views.chart_heading(t("goal.indicators.unit_part", lang, part=heading, unit=axis) if heading else axis)
            shown = heading
            views.show_chart(fig, key=f"{key}_{unit}_{k}", lang=lang)


def _part(heading: str | None) -> str:
    """The sub-goal or category a chart heading names, without its "(osa 1/2)" (the first word: I.1)."""
    return (heading or "").split(" ")[0]


def jump(figures: list, key: str, lang: str) -> str | None:
    """A long page's way to jump: one choice per sub-goal heading (None: show them all)."""
    parts = list(dict.fromkeys(_part(h) for h, _, _ in figures if h))
    if len(parts) < 3:  # two parts fit a screen or two: nothing to jump over
        return None
    titles = {_part(h): h.split(" (")[0] for h, _, _ in figures if h}
    chosen = st.pills(
        t("goal.indicators.jump", lang),
        parts,
        key=f"{key}_jump",
        format_func=lambda p: p,
        help=t("goal.indicators.jump.help", lang),
    )
    if chosen in titles:
        st.caption(md_escape(titles[chosen]))
    return chosen if chosen in parts else None


def goal_section(ctx, goal_id: str) -> None:
    """The goal's service-level mix and its sub-goals, on the difficulty × impact axes and as a table."""
    plan, lang = ctx.plan, ctx.lang
    left, right = st.columns([1, 1])
    with left:
        st.subheader(t("goal.service_mix", lang))
        views.show_chart(views.service_mix((goal_id,), lang), key=f"mix_{goal_id}", lang=lang)
    with right:
        st.subheader(t("goal.matrix", lang))
        views.show_chart(views.subgoal_matrix(goal_id, lang), key=f"matrix_{goal_id}", lang=lang)
    st.subheader(t("goal.subgoals", lang))
    # full width, plain HTML: every column in view (no scroll box), rows stack into cards on a phone
    tables.show(
        queries.subgoal_table(plan, goal_id, lang).rename(
            columns={
                "subgoal_id": t("col.subgoal", lang),
                "title": t("col.title", lang),
                "difficulty": t("col.difficulty", lang),
                "impact": t("col.impact", lang),
                "indicators": t("col.indicators", lang),
            }
        )
    )


def measures_section(ctx, goal_id: str) -> None:
    """The goal's measures in the grid, filtered by actor (sidebar) and sub-goal (here)."""
    plan, lang = ctx.plan, ctx.lang
    subs = [None] + [s.subgoal_id for s in plan.subgoals_of(goal_id)]
    current = ctx.filters.subgoal if ctx.filters.subgoal in subs else None
    titles = {s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}" for s in plan.subgoals_of(goal_id)}
    st.selectbox(
        t("goal.subgoal_filter", lang),
        subs,
        index=subs.index(current),
        key=f"w_subgoal_{goal_id}",
        placeholder=t("widget.placeholder", lang),
        format_func=lambda s: t("goal.subgoal_filter.all", lang) if s is None else titles[s],
        on_change=state.mirror,
        args=(f"w_subgoal_{goal_id}", state.SUBGOAL),
    )
    selected = st.session_state.get(f"w_subgoal_{goal_id}", current)
    filters = queries.Filters(actors=ctx.filters.actors, goal=goal_id, subgoal=selected, lang=lang)
    live.shows()  # the header and filter show no stored data: others' saves redraw only the part below
    live.part(f"measures_{goal_id}", ("measure",), lambda: measures_part(ctx, goal_id, filters))


def measures_part(ctx, goal_id: str, filters: queries.Filters) -> None:
    """The goal's filtered measures in the grid: redrawn alone when measures change (ui.live)."""
    lang = ctx.lang
    measures = views.filtered_measures(filters)
    st.caption(views.measures_caption(filters, lang))
    measures_grid.render(ctx, measures, key=f"grid_{goal_id}")
    measure_forms.add_and_remove(ctx, measures, key=f"edit_{goal_id}", goal_id=goal_id)


def render_number(ctx: PageContext, number: int) -> None:
    """Draw the page of the chosen plan's main goal ``number`` (pages/paatavoite-<number>.py)."""
    goal = next((g for g in ctx.plan.goals if g.number == number), None)
    if goal is None:  # a link to a goal this plan does not have (another plan's page, say)
        st.info(t("plans.goal_missing", ctx.lang, number=number, n=len(ctx.plan.goals)))
        st.page_link("pages/overview.py", label=t("nav.overview", ctx.lang), query_params=state.plan_link())
        state.sync_url()
        return
    render(goal.goal_id, ctx)


def render(goal_id: str, ctx: PageContext) -> None:
    """Draw the page of päätavoite ``goal_id``."""
    plan, lang = ctx.plan, ctx.lang
    goal = plan.goal(goal_id)
    st.header(t("goal.header", lang, goal=md_escape(goal_id), title=md_escape(name(goal, lang, "title"))))

    view, tab = view_tabs(list(state.GOAL_VIEWS), lang, key="goal")
    with tab:
        if view == "tavoite":
            goal_section(ctx, goal_id)
        elif view == "indikaattorit":
            st.subheader(t("goal.indicators", lang))
            pairs = queries.linked_indicators(plan, goal_id)
            indicator_section(ctx, pairs, key=f"ind_{goal_id}", goal_id=goal_id)
            trend_section(ctx, pairs, key=f"trend_{goal_id}")
        else:
            measures_section(ctx, goal_id)
    state.sync_url(state.VIEW, state.SUBGOAL)
