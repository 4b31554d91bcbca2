"""Muutoshistoria: every recorded change, per measure or for the whole plan; revert and restore."""

import streamlit as st

from core.i18n import t
from core.storage import StoreError
from core.text import md_escape
from ui import data, state
from ui.frame import page_context

ctx = page_context()
lang = ctx.lang
st.title(t("nav.history", lang))
store = data.store()

all_ids = store.measure_ids()
target = st.selectbox(t("history.measure", lang), [None, *all_ids], key="w_hist_measure",
                      format_func=lambda m: t("history.all", lang) if m is None else m)
hist = store.history(entity="measure" if target else None, entity_id=target)
if hist.empty:
    st.info(t("history.none", lang))
else:
    view = hist[["change_id", "changed_at", "changed_by", "entity", "entity_id", "field", "old_value", "new_value",
                 "action"]].rename(columns={c: t(f"history.col.{c}", lang) for c in
                                            ["changed_at", "changed_by", "entity", "entity_id", "field", "old_value",
                                             "new_value", "action"]})
    st.dataframe(view, hide_index=True, width="stretch")
    if target:  # one measure: each change also as plain text (readable, printable, never HTML)
        for r in hist.itertuples():
            st.text(f"#{r.change_id} {r.changed_at} {r.changed_by}: {r.field} — {r.action}\n"
                    f"  {t('history.col.old_value', lang)}: {r.old_value}\n  {t('history.col.new_value', lang)}: {r.new_value}")

if ctx.editor is not None and not hist.empty:
    st.subheader(t("history.revert", lang))
    revertible = hist[(hist["field"] != "*") & (hist["action"].isin(["update", "revert"]))]
    options = list(revertible["change_id"])
    if options:
        chosen = st.selectbox(t("history.revert_which", lang), options, key="w_revert",
                              format_func=lambda c: f"#{c} " + " · ".join(
                                  str(x) for x in hist[hist["change_id"] == c][["entity_id", "field"]].iloc[0]))
        if st.button(t("history.revert_submit", lang), key="revert_go"):
            try:
                store.revert_change(int(chosen), ctx.editor)
            except StoreError as exc:
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.success(t("history.reverted", lang))
                st.rerun()
    deleted = store.measure_ids(deleted=True)
    if deleted:
        st.subheader(t("history.restore", lang))
        rid = st.selectbox(t("history.restore_which", lang), deleted, key="w_restore")
        if st.button(t("history.restore_submit", lang), key="restore_go"):
            try:
                store.restore_measure(rid, ctx.editor)
            except StoreError as exc:
                st.error(md_escape(exc.text(lang)))
            else:
                data.clear()
                st.success(t("history.restored", lang, id=md_escape(rid)))
                st.rerun()
state.sync_url()
