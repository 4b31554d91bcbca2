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
clock, upcoming, key = views.vuosikello(lang)

# the wheel full width (at least ~600 px on a projector), its key and what comes next below it
if clock is None:
    st.info(t("measures.none", lang))
else:
    views.show_chart(clock, key="vuosikello", lang=lang)
    st.caption(t("vuosikello.clock.hint", lang))
    st.subheader(t("vk.key", lang))
    # as text, not a table: a long title wraps on a phone instead of being cut
    st.markdown("  \n".join(f"**{r.number}.** {md_escape(r.title)} — {md_escape(r.months)}" for r in key.itertuples()))
st.subheader(t("vk.upcoming", lang))
for r in upcoming.itertuples():
    st.markdown(f"**{md_escape(r.when)}**")
    st.text(f"{r.title}\n{r.owner}")

if ctx.editor is not None:
    st.subheader(t("vk.edit", lang))
    # The rows (and versions) the user edits stay as they were while there are unsaved changes, so a
    # live update never moves an edit onto another row or saves over someone's change unseen; without
    # unsaved changes the rows follow the store.
    editor_key = f"vk_editor_{st.session_state.get('_vk_generation', 0)}"
    editor_state = st.session_state.get(editor_key) or {}
    has_edits = any(editor_state.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))
    version, base = data.version(), st.session_state.get("_vk_base")
    if base is None or (base[0] != version and not has_edits):
        events = data.events()  # cached per data version
        cols = ["event_id", "title", "months", "owner", "description", "version"]
        base = st.session_state["_vk_base"] = (
            version,
            events[cols].copy() if not events.empty else pd.DataFrame(columns=cols),
        )
    elif base[0] != version:
        st.info(t("vk.changed_meanwhile", lang))
    frame = base[1]
    edited = st.data_editor(
        frame,
        key=editor_key,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "event_id": None,
            "version": None,
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
            st.session_state.pop("_vk_base", None)
            st.session_state["_vk_generation"] = st.session_state.get("_vk_generation", 0) + 1
            st.toast(t("vk.saved", lang, n=len(batch)), icon="✅")
            st.rerun()
state.sync_url()
