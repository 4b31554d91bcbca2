"""The line above a page that says which sidebar filters are on, with a button that clears them.

On a phone the sidebar is hidden: without this line a filtered page looks like the whole plan.
"""

from __future__ import annotations

import html

import streamlit as st

from core.base.i18n import name, t
from core.plan.model import Plan
from core.views.queries import Filters
from ui import state


def _clear(lang: str) -> None:
    """Button callback: no group, no actors (the widgets too, before they are drawn again)."""
    st.session_state[state.GROUP] = None
    st.session_state[state.ACTORS] = []
    st.session_state[f"w_group_{lang}"] = None
    st.session_state[f"w_actors_{lang}"] = []


def show(plan: Plan, filters: Filters, lang: str) -> None:
    """One caption naming the group and actors chosen in the sidebar, and a clear button; nothing if none."""
    parts = []
    if filters.group:
        group = next((g for g in plan.groups if g.group_id == filters.group), None)
        parts.append(f"{t('sidebar.group', lang)}: {name(group, lang) if group else filters.group}")
    if filters.actors:
        names = {a.actor_id: name(a, lang) for a in plan.actors}
        parts.append(f"{t('sidebar.actor', lang)}: {', '.join(names.get(a, a) for a in filters.actors)}")
    if not parts:
        return
    with st.container(horizontal=True, vertical_alignment="center", key="filter_line"):
        # plain escaped HTML, not a caption: the page's own captions (its counts) keep their places
        text = html.escape(t("sidebar.filters_on", lang, filters=" · ".join(parts)))
        st.html(f'<p style="margin:0;font-size:0.95rem;color:#31333f">{text}</p>')
        st.button(
            t("sidebar.filters_clear", lang),
            key="filters_clear",
            icon=":material/filter_alt_off:",
            on_click=_clear,
            args=(lang,),
            type="tertiary",
        )
