"""Muutoshistoria: every recorded change, per measure or for the whole plan; revert and restore."""

import streamlit as st

from core.base.i18n import t
from core.base.text import md_escape
from core.store import StoreError
from core.views.history import change_line, change_text, history_table, of_plan, revertible
from ui import data, state, views
from ui.router import page_context
from ui.tables import POINT, WRAPPED_ROW_HEIGHT

ctx = page_context()
lang = ctx.lang
st.title(t("nav.history", lang))
store = data.store()
done = st.session_state.pop(state.FLASH, None)  # the confirmation of a revert/restore, kept over its rerun
if done:
    st.success(t(done["key"], lang, **done.get("values", {})), icon=":material/check_circle:")

# this plan's history: its measures (removed ones too), events, evaluations and own rows
plan_measures = store.measures(include_deleted=True, plan_id=ctx.plan.plan_id)
all_ids = sorted(plan_measures["measure_id"].astype(str))
deleted = sorted(plan_measures.loc[plan_measures["deleted"].fillna(False).astype(bool), "measure_id"].astype(str))
shown = views.measures_display(lang).set_index("measure_id")


def measure_label(measure_id: str) -> str:
    """A measure as a person names it: actor · sub-goal · the start of its text, with its id last in
    brackets (typing the id still finds it; the raw id alone if the measure is gone)."""
    if measure_id not in shown.index:
        return measure_id
    m = shown.loc[measure_id]
    text = " ".join(str(m["toimenpide"] or "").split())
    short = f"{text[:60]}{'…' if len(text) > 60 else ''}"
    return f"{m['actor']} · {str(m['subgoal']).split(' ')[0]} · {short} ({measure_id})"


target = st.selectbox(
    t("history.measure", lang),
    [None, *all_ids],
    key="w_hist_measure",
    placeholder=t("widget.placeholder", lang),
    format_func=lambda m: t("history.all", lang) if m is None else measure_label(m),
)
hist = store.history(entity="measure" if target else None, entity_id=target)
if not target:
    hist = of_plan(
        hist,
        ctx.plan.plan_id,
        set(all_ids),
        set(store.events(include_deleted=True, plan_id=ctx.plan.plan_id)["event_id"].astype(str)),
        set(store.evaluations(plan_id=ctx.plan.plan_id)["id"].astype(str)),
    )
if hist.empty:
    st.info(t("history.none", lang))
else:
    # the field and its new value first (the field pinned): what changed is the page's point, then when and who
    cols = {c: t(f"history.col.{c}", lang) for c in ("field", "new_value", "old_value", "entity_id", "changed_at")}
    st.dataframe(
        history_table(hist, lang),
        hide_index=True,
        width="stretch",
        column_order=[cols[c] for c in ("field", "new_value", "old_value", "changed_at", "entity_id")]
        + [t(f"history.col.{c}", lang) for c in ("changed_by", "entity", "action")],
        column_config={
            cols["field"]: st.column_config.Column(width=110, pinned=True),
            cols["new_value"]: st.column_config.Column(width=POINT + 65),
            cols["old_value"]: st.column_config.Column(width=POINT + 65),
        },
        row_height=WRAPPED_ROW_HEIGHT,
    )
    if target:  # one measure: each change also as plain text (readable, printable, never HTML)
        for r in hist.to_dict("records"):
            st.text(change_text(r, lang))

if ctx.editor is not None and not hist.empty:
    st.subheader(t("history.revert", lang))
    by_id = {int(r["change_id"]): r for r in revertible(hist).to_dict("records")}
    if by_id:
        chosen = st.selectbox(
            t("history.revert_which", lang),
            list(by_id),
            key="w_revert",
            placeholder=t("widget.placeholder", lang),
            format_func=lambda c: change_line(by_id[c], lang),
        )
        if st.button(t("history.revert_submit", lang), key="revert_go"):
            try:
                store.revert_change(int(chosen), ctx.editor)
            except StoreError as exc:
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.session_state[state.FLASH] = {
                    "key": "history.reverted_what",
                    "values": {"what": md_escape(change_line(by_id[chosen], lang))},
                }
                st.rerun()
    if deleted:
        st.subheader(t("history.restore", lang))
        rid = st.selectbox(
            t("history.restore_which", lang), deleted, key="w_restore", placeholder=t("widget.placeholder", lang)
        )
        if st.button(t("history.restore_submit", lang), key="restore_go"):
            try:
                store.restore_measure(rid, ctx.editor)
            except StoreError as exc:
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.session_state[state.FLASH] = {"key": "history.restored", "values": {"id": md_escape(rid)}}
                st.rerun()
state.sync_url()
