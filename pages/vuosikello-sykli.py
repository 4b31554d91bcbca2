"""Vuosikello: the shared annual clock of the monitoring cycle, editable by editors."""

import pandas as pd
import streamlit as st

from core.base.i18n import t
from core.base.text import md_escape
from core.store import EventChange
from core.store.edits import RowDiff
from ui import data, live, state, views
from ui.edit_table import TableKeys, TableTexts, edit_table
from ui.router import page_context

EVENT_COLUMNS = ("event_id", "title", "months", "owner", "description", "version")

ctx = page_context()
lang = ctx.lang
st.title(t("vk.title", lang))
st.info(t("vk.default_note", lang), icon=":material/edit_calendar:")
store = data.store()


def clock_view() -> None:
    """The wheel full width (at least ~600 px on a projector), its key and what comes next below it."""
    clock, upcoming, key = views.vuosikello(lang)
    if clock is None:
        st.info(t("measures.none", lang))
    else:
        views.show_chart(clock, key="vuosikello", lang=lang)
        st.caption(t("vuosikello.clock.hint", lang))
        st.subheader(t("vk.key", lang))
        # as text, not a table: a long title wraps on a phone instead of being cut
        st.markdown(
            "  \n".join(f"**{r.number}.** {md_escape(r.title)} — {md_escape(r.months)}" for r in key.itertuples())
        )
    st.subheader(t("vk.upcoming", lang))
    for r in upcoming.itertuples():
        st.markdown(f"**{md_escape(r.when)}**")
        st.text(f"{r.title}\n{r.owner}")


live.shows()  # the rest shows no stored data: others' saves redraw only the parts below
live.part("vuosikello_clock", ("event",), clock_view)


def event_rows() -> pd.DataFrame:
    """The events as the editor shows them (cached per data version)."""
    events = data.events()
    return events[list(EVENT_COLUMNS)].copy() if not events.empty else pd.DataFrame(columns=EVENT_COLUMNS)


def save(diff: RowDiff) -> int:
    """Changed, added and removed events in one transaction: all rows or none; of a changed row only the
    fields this editor changed, each with the value it was shown with (the store merges per field)."""
    batch = [EventChange(c.key, c.mine, c.version, c.started_from) for c in diff.changed]
    batch += [EventChange(None, values) for values in diff.added]
    batch += [EventChange(key, None, version) for key, version in diff.deleted]
    store.save_events(batch, ctx.editor, plan_id=ctx.plan.plan_id)  # new events belong to the plan shown
    return len(batch)


def table_view() -> None:
    """The events to edit, with Save (editors only)."""
    st.subheader(t("vk.edit", lang))
    labels = {f: t(f"vk.col.{f}", lang) for f in ("title", "months", "owner", "description")}
    edit_table(
        event_rows,
        keys=TableKeys(prefix="vk", base="_vk_base", generation="_vk_generation", editor="vk_editor"),
        texts=TableTexts(save="vk.save", saved="vk.saved", changed_meanwhile="vk.changed_meanwhile"),
        row_key="event_id",
        fields=tuple(labels),
        labels=labels,
        column_config={
            "event_id": None,
            "version": None,
            "title": st.column_config.TextColumn(labels["title"], required=True, max_chars=200),
            "months": st.column_config.TextColumn(labels["months"], required=True, max_chars=40),
            "owner": st.column_config.TextColumn(labels["owner"], max_chars=200),
            "description": st.column_config.TextColumn(labels["description"], max_chars=4000),
        },
        save=save,
        lang=lang,
        editable=True,
        add_and_delete=True,
        names=lambda rows: dict(zip(rows["event_id"], rows["title"], strict=True)),
    )


if ctx.editor is not None:
    live.part("vuosikello_table", ("event",), table_view)
state.sync_url()
