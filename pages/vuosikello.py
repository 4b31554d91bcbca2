"""Vuosikello: the shared annual clock of the monitoring cycle, editable by editors."""

from datetime import date

import pandas as pd
import streamlit as st

from core.i18n import t
from core.storage import StoreError, clean_event_values
from core.vuosikello import upcoming_events, vuosikello_figure
from ui import data, state
from ui.frame import page_context

ctx = page_context()
lang = ctx.lang
st.title(t("vk.title", lang))
st.info(t("vk.default_note", lang), icon=":material/edit_calendar:")
store = data.store()
events = store.events()
today = date.today()

left, right = st.columns([3, 2])
with left:
    if events.empty:
        st.info(t("measures.none", lang))
    else:
        st.plotly_chart(vuosikello_figure(events, lang, today=today), width="stretch", key="vuosikello")
with right:
    st.subheader(t("vk.upcoming", lang))
    if not events.empty:
        up = upcoming_events(events, today, n=6, lang=lang)
        for r in up.itertuples():
            st.markdown(f"**{r.when}**")
            st.text(f"{r.title}\n{r.owner}")

if ctx.editor is not None:
    st.subheader(t("vk.edit", lang))
    cols = ["event_id", "title", "months", "owner", "description", "version"]
    frame = events[cols].copy() if not events.empty else pd.DataFrame(columns=cols)
    edited = st.data_editor(
        frame, key="vk_editor", num_rows="dynamic", hide_index=True, width="stretch",
        column_config={
            "event_id": None, "version": None,
            "title": st.column_config.TextColumn(t("vk.col.title", lang), required=True, max_chars=200),
            "months": st.column_config.TextColumn(t("vk.col.months", lang), required=True, max_chars=40),
            "owner": st.column_config.TextColumn(t("vk.col.owner", lang), max_chars=200),
            "description": st.column_config.TextColumn(t("vk.col.description", lang), max_chars=4000),
        },
    )
    if st.button(t("vk.save", lang), key="vk_save", type="primary"):
        changes = 0
        try:
            for row in edited.to_dict("records"):  # check every row first: refuse all or save all
                if any(row.get(k) for k in ("title", "months", "owner", "description")):
                    clean_event_values({k: row.get(k) for k in ("title", "months", "owner", "description")})
            before = frame.set_index("event_id") if not frame.empty else pd.DataFrame()
            kept = set()
            for row in edited.to_dict("records"):
                values = {k: row.get(k) for k in ("title", "months", "owner", "description")}
                eid = row.get("event_id")
                if isinstance(eid, str) and eid in before.index:
                    kept.add(eid)
                    old = before.loc[eid]
                    if any(str(old[k] or "") != str(values[k] or "") for k in values):
                        store.save_event(eid, values, int(old["version"]), ctx.editor)
                        changes += 1
                elif any(values.values()):
                    store.save_event(None, values, None, ctx.editor)
                    changes += 1
            for eid in set(before.index) - kept:
                store.delete_event(eid, int(before.loc[eid]["version"]), ctx.editor)
                changes += 1
        except StoreError as exc:
            st.error(exc.message)
        else:
            st.success(t("vk.saved", lang, n=changes))
            st.rerun()
state.sync_url()
