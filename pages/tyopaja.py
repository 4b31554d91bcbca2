"""Työpaja: one sub-goal at a time for the projector, and the working session's changes as minutes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from core.base.i18n import key_part, name, t
from core.base.rules import REAL_MEASURE, real_measures
from core.base.text import md_escape
from core.documents import minutes
from core.views import workshop
from ui import data, live, state, views
from ui.frame import PageContext, view_tabs
from ui.router import page_context
from ui.tables import WRAPPED_ROW_HEIGHT

# Large type for the projector, scoped to this page's containers (a stable key gives the class).
_STYLE = """<style>
@media (min-width: 641px) { .stMainBlockContainer { padding-top: 2.5rem; } }  /* more room for the sub-goal */
.st-key-workshop_subgoal h1 { font-size: 2.6rem; line-height: 1.15; }
.st-key-workshop_subgoal [data-testid="stMarkdownContainer"] p { font-size: 1.45rem; }
.st-key-workshop_measures [data-testid="stText"], .st-key-workshop_measures [data-testid="stText"] * {
  font-size: 1.3rem; line-height: 1.45; font-family: inherit; white-space: pre-wrap; }
.st-key-workshop_measures [data-testid="stMarkdownContainer"] p { font-size: 1.3rem; }
.st-key-workshop_measures [data-testid="stCaptionContainer"] p { font-size: 1.05rem; }
/* the arrow icon says it once: the key hint Streamlit adds beside it repeated it (the page caption names the keys) */
.st-key-ws_prev kbd, .st-key-ws_next kbd { display: none; }
@media (max-width: 640px) {
  .st-key-workshop_subgoal h1 { font-size: 1.8rem; }
  .st-key-workshop_measures [data-testid="stText"], .st-key-workshop_measures [data-testid="stText"] * {
    font-size: 1.1rem; }
}
</style>"""

PICK = "w_ws_subgoal"  # + language: option labels depend on it (see ui.frame.sidebar)
WINDOW, SINCE, HOURS = "w_ws_window", "w_ws_since", "w_ws_hours"
WINDOWS = ("today", "since", "hours")


def _md(text: object) -> str:
    """Plain text made safe for a Markdown line: every Markdown/HTML character escaped."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~$&" else c for c in str(text)).replace("\n", " ")


def _go(target: str, pick_key: str) -> None:
    """Button callback: show ``target`` (the link follows at the end of the run)."""
    st.session_state[state.SUBGOAL] = target
    st.session_state[pick_key] = target


def _current(ctx: PageContext) -> str:
    order = workshop.subgoal_order(ctx.plan)
    current = ctx.filters.subgoal if ctx.filters.subgoal in order else order[0]
    st.session_state[state.SUBGOAL] = current  # the URL names the sub-goal even when none was asked for
    return current


def navigator(ctx: PageContext) -> str:
    """Previous / pick / next; arrow keys press the buttons. Returns the sub-goal to show."""
    plan, lang = ctx.plan, ctx.lang
    order = workshop.subgoal_order(plan)
    current = _current(ctx)
    pick_key = f"{PICK}_{lang}"
    if st.session_state.get(pick_key) != current:  # before the widget exists: the link or a button decides
        st.session_state[pick_key] = current
    titles = {s.subgoal_id: f"{s.subgoal_id} {name(s, lang, 'title')}" for s in plan.subgoals}
    prev_col, pick_col, next_col = st.columns([1, 4, 1], vertical_alignment="bottom")
    prev_col.button(
        t("workshop.prev", lang),
        key="ws_prev",
        icon=":material/arrow_back:",
        shortcut="Left",
        on_click=_go,
        args=(workshop.step(plan, current, -1), pick_key),
        disabled=current == order[0],
        width="stretch",
    )
    pick_col.selectbox(
        t("workshop.pick", lang),
        order,
        key=pick_key,
        format_func=titles.get,
        on_change=state.mirror,
        args=(pick_key, state.SUBGOAL),
    )
    next_col.button(
        t("workshop.next", lang),
        key="ws_next",
        icon=":material/arrow_forward:",
        shortcut="Right",
        on_click=_go,
        args=(workshop.step(plan, current, 1), pick_key),
        disabled=current == order[-1],
        width="stretch",
        icon_position="right",
    )
    return st.session_state.get(state.SUBGOAL, current)


def subgoal_view(ctx: PageContext, subgoal_id: str) -> None:
    """The sub-goal in large type: title, ratings, indicators against the country, every actor's measures."""
    plan, lang = ctx.plan, ctx.lang
    sub = next(s for s in plan.subgoals if s.subgoal_id == subgoal_id)
    order = workshop.subgoal_order(plan)
    with st.container(key="workshop_subgoal"):
        st.title(f"{subgoal_id} {name(sub, lang, 'title')}", anchor=False)
        rating = t("goal.no_rating", lang)
        st.markdown(
            " · ".join(
                [
                    t("workshop.position", lang, n=order.index(subgoal_id) + 1, total=len(order)),
                    t(
                        "workshop.difficulty",
                        lang,
                        value=t(f"difficulty.{sub.difficulty.value}", lang) if sub.difficulty else rating,
                    ),
                    t(
                        "workshop.impact",
                        lang,
                        value=t(f"impact.{key_part(sub.impact.value)}", lang) if sub.impact else rating,
                    ),
                ]
            )
        )
    # the measures the group discusses first (a card on the first screen of a projector), then the indicators,
    # stacked, not side by side: the charts' long indicator names need the whole width of a projector;
    # the cards are a live part of their own (others' saves redraw just them)
    live.shows("observation")  # the plan's texts and the charts
    live.part("workshop_cards", ("measure",), lambda: measures_cards(ctx, subgoal_id))
    st.subheader(t("workshop.indicators", lang), anchor=False)
    pairs = workshop.subgoal_pairs(plan, subgoal_id)
    if not pairs:
        st.info(t("workshop.indicators.none", lang))
    elif views.comparison(pairs, ctx.filters.group, lang).empty:
        st.info(t("workshop.indicators.no_values", lang))
    else:
        with st.container(key="workshop_charts"):
            for k, (heading, unit, fig) in enumerate(views.comparison_figures(pairs, ctx.filters.group, lang)):
                if heading:
                    st.markdown(f"**{md_escape(heading)}**")
                views.show_chart(fig, key=f"ws_{unit}_{k}", lang=lang)


def measures_cards(ctx: PageContext, subgoal_id: str) -> None:
    """One card per measure of the sub-goal (sidebar actors only), store texts shown as plain text."""
    lang = ctx.lang
    rows = workshop.subgoal_measures(views.measures_display(lang), subgoal_id, ctx.filters.actors)
    # the heading counts real measures (core.base.rules.real_measures), as every count does; the cards
    # show the sub-goal's other rows (references, notes) too
    st.subheader(t("workshop.measures", lang, n=len(real_measures(rows))), anchor=False)
    if ctx.filters.actors:
        actor_names = {a.actor_id: name(a, lang) for a in ctx.plan.actors}
        st.caption(
            t("workshop.measures.actors", lang, actors=", ".join(actor_names.get(a, a) for a in ctx.filters.actors))
        )
    if rows.empty:
        st.info(t("workshop.measures.none_actors" if ctx.filters.actors else "workshop.measures.none", lang))
        return
    empty = t("workshop.empty", lang)
    shown, total = workshop.cards_to_show(rows)  # each card is several elements on every run
    if total is not None:
        st.info(t("workshop.measures.capped", lang, shown=len(shown), n=total))
    with st.container(key="workshop_measures"):
        records = list(shown.itertuples(index=False))
        for i, r in enumerate(records):
            if i % 2 == 0:  # two cards a row on a projector; on a phone they stack, still in plan order
                columns = st.columns(2, gap="medium")
            with columns[i % 2].container(border=True, key=f"ws_card_{r.measure_id}"):
                kind = "" if r.row_kind == REAL_MEASURE else f" · {_md(r.row_kind_label)}"
                st.markdown(f"**{_md(r.actor)}**{kind}")
                st.text(str(r.toimenpide or "").strip() or empty)
                for fld in ("mittari", "aikataulu"):
                    value = str(getattr(r, fld) or "").strip()
                    if value not in ("", "-", "–"):  # a dash in the plan's cell says nothing on a projector
                        st.caption(t(f"col.{fld}", lang))
                        st.text(value)


def _window(lang: str, now: datetime) -> minutes.Window | None:
    """The window the secretary chose (None, with a message, when it makes no sense)."""
    labels = {w: t(f"minutes.window.{w}", lang) for w in WINDOWS}
    kind = st.radio(t("minutes.window", lang), WINDOWS, format_func=labels.get, horizontal=True, key=f"{WINDOW}_{lang}")
    local = now.astimezone(minutes.HELSINKI)
    try:
        if kind == "since":
            default = time(max(0, local.hour - 2), 0)
            since = st.time_input(t("minutes.since", lang), value=default, step=timedelta(minutes=15), key=SINCE)
            return minutes.window_since(now, since or default)
        if kind == "hours":
            hours = st.number_input(
                t("minutes.hours", lang), min_value=1, max_value=minutes.MAX_HOURS, value=3, step=1, key=HOURS
            )
            return minutes.window_last_hours(now, float(hours or 3))
        return minutes.window_today(now)
    except minutes.WindowError as exc:
        st.warning(exc.text(lang))
        return None


def summary_view(ctx: PageContext) -> None:
    """What changed in the chosen window: a table in the app, CSV and Word downloads."""
    lang = ctx.lang
    st.subheader(t("minutes.heading", lang), anchor=False)
    st.caption(t("minutes.intro", lang))
    window = _window(lang, datetime.now(UTC))
    if window is None:
        return
    store = data.store()
    changed = store.history_between(window.start, window.end)
    rows = minutes.changes_between(
        changed,
        window.start,
        window.end,
        lang,
        measures=store.measures(include_deleted=True) if not changed.empty else None,
        evaluations=store.evaluations() if (changed["entity"] == "evaluation").any() else None,
        actor_names={a.actor_id: name(a, lang) for a in ctx.plan.actors},
    )
    title = minutes.minutes_title(window, lang)
    st.markdown(f"**{_md(title)}**")
    if rows.empty:
        st.info(t("minutes.none", lang))
    else:
        st.caption(t("minutes.count", lang, n=len(rows)))
        titles = dict(zip(minutes.COLUMNS[1:], minutes.headers(lang), strict=True))
        # the field (pinned) and its new value first, then the old one, when and who: what the room reads,
        # on a phone too; long texts wrap in rows three lines high instead of being cut
        order = ["field", "new", "old", "when", "who", "target", "subgoal", "actor", "entity"]
        widths = {
            "field": 110,
            "new": 240,
            "old": 220,
            "when": 110,
            "who": 100,
            "target": 140,
            "subgoal": 80,
            "actor": 200,
            "entity": 120,
        }
        st.dataframe(
            rows[order].rename(columns=titles),
            hide_index=True,
            width="stretch",
            height=560,
            key="ws_minutes_table",
            row_height=WRAPPED_ROW_HEIGHT,
            column_config={
                titles[c]: st.column_config.TextColumn(titles[c], width=w, pinned=c == "field")
                for c, w in widths.items()
            },
        )
    stamp = pd.Timestamp(window.end.astimezone(minutes.HELSINKI)).strftime("%Y-%m-%d_%H%M")
    downloads = st.container(horizontal=True)
    downloads.download_button(
        t("minutes.download.csv", lang),
        minutes.minutes_csv(rows, lang),
        file_name=f"tyopajan_muutokset_{stamp}.csv",
        mime="text/csv",
        key="ws_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    downloads.download_button(
        t("minutes.download.docx", lang),
        minutes.minutes_docx(rows, window, lang),
        file_name=f"tyopajan_muutokset_{stamp}.docx",
        key="ws_docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/description:",
        on_click="ignore",
    )


ctx = page_context()
lang = ctx.lang
st.html(_STYLE)
view, tab = view_tabs(list(state.WORKSHOP_VIEWS), lang, key="workshop")
with tab:
    if view == "tyopaja":
        subgoal = navigator(ctx)
        subgoal_view(ctx, subgoal)
        st.caption(t("workshop.keys", lang))
    else:
        summary_view(ctx)
state.sync_url(state.VIEW, state.SUBGOAL)
