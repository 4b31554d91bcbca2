"""Indikaattorit: all 32 indicators with definitions, sources, values and data flags."""

import pandas as pd
import streamlit as st

from core.base.i18n import name, t
from core.base.text import md_escape
from core.views import queries
from ui import state, views
from ui.frame import view_tabs
from ui.router import page_context
from ui.tables import WRAPPED_ROW_HEIGHT
from ui.trends import trend_section

ctx = page_context()
plan, lang, group = ctx.plan, ctx.lang, ctx.filters.group
st.title(t("indicators.title", lang))
dropped = plan.dropped_indicators()
if dropped:  # a dropped indicator is named with its reason, so readers know it was a choice
    st.markdown(
        f"**{t('indicators.dropped', lang)}**\n\n"
        + "\n".join(
            f"- {c.indicator_id} {md_escape(name(plan.indicator(c.indicator_id), lang))}: {md_escape(c.reason)}"
            for c in dropped
        )
    )

categories = [None] + list(dict.fromkeys(i.category for i in plan.indicators_in_order()))
current = ctx.filters.category if ctx.filters.category in categories else None
st.selectbox(
    t("indicators.category", lang),
    categories,
    index=categories.index(current),
    key="w_category",
    placeholder=t("widget.placeholder", lang),
    format_func=lambda c: t("indicators.category.all", lang) if c is None else c,
    on_change=state.mirror,
    args=("w_category", state.CATEGORY),
)
category = st.session_state.get("w_category", current)
indicators = [i for i in plan.indicators_in_order() if category in (None, i.category)]

pairs = plan.indicator_pairs(i.indicator_id for i in indicators)
# a link naming an indicator (?indikaattori=) opens its definition unless it names a tab too
view, tab = view_tabs(
    list(state.INDICATORS_VIEWS), lang, key="indicators", default="arvot" if state.get(state.INDICATOR) else None
)
frame = views.comparison(pairs, group, lang)


def charts_view() -> None:
    """Kymenlaakso beside the whole country, one chart per unit, and the trend of a chosen indicator."""
    if frame.empty:
        st.info(t("indicators.no_values", lang))
    else:
        shown = None  # a long set is split per category, each part under its heading
        for k, (heading, unit, fig) in enumerate(views.comparison_figures(pairs, group, lang, by="category")):
            if heading and heading != shown:
                views.chart_heading(heading)
                shown = heading
            views.show_chart(fig, key=f"ind_all_{unit}_{k}", lang=lang)

    trend_section(ctx, pairs, key="ind_page")


def values_layout(lang: str) -> dict:
    """Which indicator and group (pinned), then its value, the country's and the status: the table's point."""
    first = ["col.indicator", "col.value", "col.national", "col.status", "col.group", "col.year"]
    widths = {"col.indicator": 120, "col.value": 80, "col.national": 70, "col.status": 85, "col.group": 110}
    return {
        "column_order": [t(k, lang) for k in first]
        + [t(k, lang) for k in ("col.diff", "col.trend", "col.flag", "col.source")],
        "column_config": {
            t(k, lang): st.column_config.Column(t(k, lang), width=w, pinned=k == "col.indicator")
            for k, w in widths.items()
        },
        "row_height": WRAPPED_ROW_HEIGHT,
        "height": 560,
        "placeholder": "–",  # a missing difference is a dash, not the English "None"
    }


def values_view() -> None:
    """Every value in one table, and the chosen indicator's definition."""
    st.subheader(t("indicators.table", lang))
    table = frame[
        [
            "label",
            "group_label",
            "year",
            "value_as_printed",
            "national_as_printed",
            "diff",
            "status_label",
            "trend_label",
            "source",
            "flag_text",
        ]
    ].rename(
        columns={
            "label": t("col.indicator", lang),
            "group_label": t("col.group", lang),
            "year": t("col.year", lang),
            "value_as_printed": t("col.value", lang),
            "national_as_printed": t("col.national", lang),
            "diff": t("col.diff", lang),
            "status_label": t("col.status", lang),
            "trend_label": t("col.trend", lang),
            "source": t("col.source", lang),
            "flag_text": t("col.flag", lang),
        }
    )
    diff = t("col.diff", lang)
    table[diff] = pd.to_numeric(table[diff], errors="coerce")  # a missing difference is blank, not "None"
    st.dataframe(table, hide_index=True, width="stretch", **values_layout(lang))

    st.subheader(t("indicators.detail", lang))
    if indicators:  # one at a time, chosen here or by the link's ?indikaattori=
        ids = [str(i.indicator_id) for i in indicators]
        current = state.get(state.INDICATOR)
        current = current if current in ids else ids[0]
        st.selectbox(
            t("indicators.pick", lang),
            ids,
            index=ids.index(current),
            key="w_indicator",
            placeholder=t("widget.placeholder", lang),
            format_func=lambda i: f"{i} {name(plan.indicator(int(i)), lang)}",
            on_change=state.mirror,
            args=("w_indicator", state.INDICATOR),
        )
        chosen = st.session_state.get("w_indicator", current)
        ind = plan.indicator(int(chosen if chosen in ids else current))
        st.markdown(
            f"**{ind.indicator_id} {md_escape(name(ind, lang))}**  \n"
            f"**{t('col.category', lang)}:** {md_escape(ind.category)}  \n"
            f"**{t('col.source', lang)}:** {md_escape(ind.source)}, {md_escape(ind.year)}  \n"
            f"**{t('col.unit', lang)}:** {t('unit.' + ind.unit.value, lang)} · "
            f"**{t('col.direction', lang)}:** {t('direction.' + ind.direction.value, lang)}"
        )
        st.text(ind.definition)
        flags = queries.indicator_flag_texts(plan, ind.indicator_id, lang)  # never ind.note: that is for maintainers
        if flags:
            st.caption(f"**{t('indicators.flags', lang)}:** " + "; ".join(flags) + ".")


with tab:
    if view == "kaaviot":
        charts_view()
    else:
        values_view()
state.sync_url(state.VIEW, state.CATEGORY, state.INDICATOR)
