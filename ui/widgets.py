"""Small widgets several pages share."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from core.base.i18n import t
from core.base.timefmt import default_evaluation_year
from core.plan.model import Plan
from ui import state


def plan_period(plan: Plan) -> tuple[int, int]:
    """The first and last year of the plan period (plan.yaml)."""
    return plan.period_start, plan.period_end


def year_picker(plan: Plan, lang: str, years: Sequence[int], key: str) -> int:
    """The evaluation year: the link's (?vuosi=) or the session's, else the last finished year of the
    plan period, with the reason for that default; the choice is kept for the other pages."""
    start, end = plan_period(plan)
    default_year = default_evaluation_year(start, end)
    linked = int(state.get(state.YEAR) or default_year)  # a year from the link or chosen on another page
    why = t("year.default_help", lang, year=default_year, start=start, end=end)
    years = list(years)
    year = st.selectbox(
        t("eval.year", lang),
        years,
        index=years.index(linked if linked in years else default_year),
        placeholder=t("widget.placeholder", lang),
        key=key,
        help=why,
    )
    if year == default_year:
        st.caption(why)
    st.session_state[state.YEAR] = str(year)
    return year
