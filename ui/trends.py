"""A trend chart section (years on the x axis), shared by the indicator and goal pages."""

from __future__ import annotations

import streamlit as st

from core.base.i18n import t
from core.views import queries
from ui import views


def trend_section(ctx, pairs: list[tuple[int, str]], key: str) -> None:
    """Pick one indicator (or series) with values from two or more years and draw its trend.

    Only indicators with a trend are offered; when none has, a plain sentence says so.
    """
    lang, plan = ctx.lang, ctx.plan
    if not pairs:
        return
    st.subheader(t("data.trend", lang))
    with_series = views.trend_pairs(pairs, ctx.filters.group)
    if not with_series:
        st.info(t("trends.page.none", lang))
        return
    labels = {p: queries.indicator_label(plan, p[0], p[1], lang) for p in with_series}
    if len(with_series) < len(pairs):
        st.caption(t("trends.page.only_these", lang))
    choice = st.selectbox(
        t("data.trend.pick", lang),
        with_series,
        key=f"{key}_trend_pick",
        format_func=lambda p: labels[p],
        placeholder=t("widget.placeholder", lang),
    )
    view = views.trend(choice[0], choice[1], ctx.filters.group, lang)
    if view is None:
        st.info(t("indicators.no_values", lang))
        return
    if view.figure is None:
        st.info(t("trends.none", lang))
    else:
        views.show_chart(view.figure, key=f"{key}_trend", lang=lang)
    if view.single_year:
        st.caption(t("trends.page.single_groups", lang, groups=", ".join(view.single_year)))
