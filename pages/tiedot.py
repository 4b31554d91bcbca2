"""Uudet tiedot: add a year's indicator values, import files with preview, export the working state."""

import csv
import io

import streamlit as st

from core import exporter, importer
from core.i18n import name, t, text_in
from core.storage import StoreError
from core.text import md_escape
from ui import data, downloads, state
from ui.frame import page_context

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("data.title", lang))
store = data.store()
PREVIEW = "import_preview"  # (file name, ImportResult, preview frame) waiting for confirmation


def show_result(result: importer.ImportResult, source: str) -> None:
    """Refusal with row-level messages, or a preview kept until the editor confirms."""
    if not result.ok:
        st.error(t("data.refused", lang, n=len(result.errors)))
        st.code(importer.problems_text(result.errors, lang), language=None)
        st.session_state.pop(PREVIEW, None)
        return
    st.session_state[PREVIEW] = (source, result, importer.preview(result, data.observations()))


# indicator values belong to no one plan: an ended plan's editor brings in a new survey round too
editor = ctx.signed_in
if editor is None:
    st.info(t("data.editor_only", lang))
else:
    adder = st.expander(t("data.add", lang), expanded=False, key="w_add_value_open", on_change="rerun")
    if adder.open:  # a lazy expander: the form is built only while open
        with adder, st.form("add_value"):
            ids = [i.indicator_id for i in sorted(plan.indicators, key=lambda i: i.indicator_id)]
            ind = st.selectbox(
                t("data.indicator", lang),
                ids,
                placeholder=t("widget.placeholder", lang),
                key="add_ind",
                format_func=lambda i: f"{i} {name(plan.indicator(i), lang)}",
            )
            series = [""] + [s.series_id for s in plan.series]
            ser = st.selectbox(
                t("data.series", lang),
                series,
                key="add_series",
                placeholder=t("widget.placeholder", lang),
                format_func=lambda s: "–" if not s else next(name(x, lang) for x in plan.series if x.series_id == s),
            )
            grp = st.selectbox(
                t("col.group", lang),
                [g.group_id for g in plan.groups],
                key="add_group",
                placeholder=t("widget.placeholder", lang),
                format_func=lambda g: next(name(x, lang) for x in plan.groups if x.group_id == g),
            )
            area = st.text_input(
                t("data.area", lang),
                value=plan.region_area,  # the shown plan's region, not a name written here
                key="add_area",
                help=f"{plan.region_area}, koko_maa, kunta:…",
            )
            year = st.number_input(
                t("col.year", lang), min_value=1990, max_value=2100, value=plan.period_end, step=1, key="add_year"
            )
            value = st.text_input(t("data.value", lang), key="add_value")
            if st.form_submit_button(t("data.check", lang)):
                buf = io.StringIO()
                w = csv.writer(buf)
                w.writerow(["indicator_id", "series_id", "group_id", "area", "year", "value"])
                w.writerow([ind, ser, grp, area, int(year), value])
                show_result(importer.parse_import(buf.getvalue().encode("utf-8"), "lomake.csv", plan), "lomake")

    st.subheader(t("data.import", lang))
    st.caption(t("data.import.help", lang))
    c1, c2 = st.columns(2)
    # the templates are built when clicked, not on every rerun (the workbook takes openpyxl a while)
    downloads.download(
        c1, t("data.template_csv", lang), importer.template_csv, "indikaattoripohja.csv", "text/csv", "tpl_csv", lang
    )
    downloads.download(
        c2,
        t("data.template_xlsx", lang),
        lambda: importer.template_xlsx(plan, lang),
        "indikaattoripohja.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "tpl_xlsx",
        lang,
    )
    upload = st.file_uploader(
        t("data.upload.label", lang),
        type=["csv", "xlsx", "json", "txt"],
        key="import_file",
        help=t("data.upload.help", lang),
    )  # the drop zone's own words are Streamlit's
    if upload is not None and st.session_state.get("import_seen") != (upload.name, upload.size):
        st.session_state["import_seen"] = (upload.name, upload.size)
        show_result(importer.parse_import(upload.getvalue(), upload.name, plan), upload.name)

    pending = st.session_state.get(PREVIEW)
    if pending:
        source, result, preview = pending
        st.info(t("data.preview", lang, **importer.preview_counts(preview)))
        for note in result.notes:
            st.caption(md_escape(text_in(note, lang)))
        st.dataframe(importer.preview_for_display(preview, lang), hide_index=True, width="stretch")
        b1, b2 = st.columns(2)
        if b1.button(t("data.confirm", lang), key="import_confirm", type="primary"):
            bar = st.progress(0.0, text=t("data.progress", lang))
            try:
                done = importer.apply_import(store, result, editor, progress=lambda f: bar.progress(min(1.0, f)))
            except (StoreError, importer.ImportRefused) as exc:
                st.error(md_escape(exc.text(lang)))
            else:
                st.session_state.pop(PREVIEW, None)
                data.clear()
                st.success(t("data.applied", lang, added=done.get("added", 0), changed=done.get("changed", 0)))
        if b2.button(t("data.cancel", lang), key="import_cancel"):
            st.session_state.pop(PREVIEW, None)
            st.rerun()

st.subheader(t("data.export", lang))
st.caption(t("data.export.help", lang))
e1, e2 = st.columns(2)
version = store.data_version()


@st.cache_data(show_spinner=False, max_entries=2)
def _workbook(v: int) -> bytes:
    return exporter.export_workbook(plan, store)


@st.cache_data(show_spinner=False, max_entries=2)
def _zip(v: int) -> bytes:
    return exporter.export_csv_zip(plan, store)


downloads.download(
    e1,
    t("data.export_xlsx", lang),
    lambda: _workbook(version),
    "hyvinvointisuunnitelma.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "exp_xlsx",
    lang,
)
downloads.download(
    e2,
    t("data.export_zip", lang),
    lambda: _zip(version),
    "hyvinvointisuunnitelma-data.zip",
    "application/zip",
    "exp_zip",
    lang,
)
state.sync_url()
