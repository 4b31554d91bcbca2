"""A trend chart section (years on the x axis), shared by the indicator and goal pages."""

from __future__ import annotations

import streamlit as st

from core import queries
from core.i18n import t
from ui import views


def trend_section(ctx, pairs: list[tuple[int, str]], key: str) -> None:
    """Pick one indicator (or series) and draw Kymenlaakso beside the whole country over the years."""
    lang, plan = ctx.lang, ctx.plan
    if not pairs:
        return
    st.subheader(t("data.trend", lang))
    labels = {p: queries.indicator_label(plan, p[0], p[1], lang) for p in pairs}
    choice = st.selectbox(t("data.trend.pick", lang), pairs, key=f"{key}_trend_pick", format_func=lambda p: labels[p],
                          placeholder=t("widget.placeholder", lang))
    fig = views.trend(choice[0], choice[1], ctx.filters.group, lang)
    if fig is None:
        st.info(t("indicators.no_values", lang))
        return
    st.plotly_chart(fig, width="stretch", key=f"{key}_trend")
