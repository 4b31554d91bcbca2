"""Vuosikello: the shared annual clock of the monitoring cycle, editable by editors."""


import pandas as pd
import streamlit as st

from core.i18n import t
from core.storage import ConflictError, EventChange, StoreError
from core.text import md_escape
from ui import data, state, views
from ui.frame import page_context

ctx = page_context()
lang = ctx.lang
st.title(t("vk.title", lang))
st.info(t("vk.default_note", lang), icon=":material/edit_calendar:")
store = data.store()
clock, upcoming = views.vuosikello(lang)

left, right = st.columns([3, 2])
with left:
    if clock is None:
        st.info(t("measures.none", lang))
    else:
        st.plotly_chart(clock, width="stretch", key="vuosikello")
with right:
    st.subheader(t("vk.upcoming", lang))
    for r in upcoming.itertuples():
        st.markdown(f"**{md_escape(r.when)}**")
        st.text(f"{r.title}\n{r.owner}")

if ctx.editor is not None:
    st.subheader(t("vk.edit", lang))
    events = data.events()  # cached per data version
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
        fields = ("title", "months", "owner", "description")
        before = frame.set_index("event_id") if not frame.empty else pd.DataFrame()
        batch, kept = [], set()
        for row in edited.to_dict("records"):
            values = {k: row.get(k) for k in fields}
            eid = row.get("event_id")
            if isinstance(eid, str) and eid in before.index:
                kept.add(eid)
                if any(str(before.loc[eid][k] or "") != str(values[k] or "") for k in fields):
                    batch.append(EventChange(eid, values, int(before.loc[eid]["version"])))
            elif any(values.values()):
                batch.append(EventChange(None, values))
        batch += [EventChange(eid, None, int(before.loc[eid]["version"])) for eid in set(before.index) - kept]
        try:
            store.save_events(batch, ctx.editor)  # one transaction: all rows or none
        except ConflictError as exc:
            st.error(t("edit.conflict", lang) + " " + md_escape(", ".join(c.entity_id for c in exc.conflicts)))
        except StoreError as exc:
            st.error(md_escape(exc.text(lang)))
        else:
            st.success(t("vk.saved", lang, n=len(batch)))
            st.rerun()
state.sync_url()
