"""Uudet tiedot: add a year's indicator values, import files with preview, export the working state."""

from datetime import date

import streamlit as st

from core.base.i18n import name, t, text_in
from core.base.text import md_escape
from core.io import exporter, importer, sotkanet
from core.store import Editor, StoreError
from ui import background, data, downloads, state
from ui.router import page_context

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("data.title", lang))
store = data.store()
PREVIEW = "import_preview"  # (file name, ImportResult, preview frame) waiting for confirmation
SOTKANET_JOB = "sotkanet_job"  # background.Job of a running fetch from Sotkanet
SOTKANET_FETCH = "sotkanet_fetch"  # the finished fetch (sotkanet.SotkanetFetch) waiting for confirmation


PARSE_JOB = "import_parse_job"  # background.Job reading an uploaded file into a preview
APPLY_JOB = "import_apply_job_"  # + the preview's key: background.Job writing a confirmed preview


def show_result(result: importer.ImportResult, source: str, preview=None) -> None:
    """Refusal with row-level messages, or a preview kept until the editor confirms."""
    if not result.ok:
        st.error(t("data.refused", lang, n=len(result.errors)))
        st.code(importer.problems_text(result.errors, lang), language=None, wrap_lines=True)  # readable on a phone
        st.session_state.pop(PREVIEW, None)
        return
    if preview is None:
        preview = importer.preview(result, data.observations())
    st.session_state[PREVIEW] = (source, result, preview)


def parse_upload(raw: bytes, file_name: str) -> None:
    """Read an uploaded file and make its preview beside the page (a large file takes seconds)."""
    current = data.observations()

    def work(progress):
        result = importer.parse_import(raw, file_name, plan)
        progress(0.7)
        return result, (importer.preview(result, current) if result.ok else None)

    st.session_state.pop(PREVIEW, None)
    background.begin(PARSE_JOB, work, lang)


def parsed_upload(file_name: str) -> None:
    """The upload's preview once read (progress while it is read)."""
    job = background.follow(PARSE_JOB, t("data.reading", lang))
    if job is None:
        return
    background.forget(PARSE_JOB)
    try:
        result, preview = job.result()
    except Exception as exc:  # noqa: BLE001 - an unforeseen failure is a message, never a traceback
        downloads.LOG.exception("import of %s could not be read", file_name)
        st.error(downloads.failure_text(exc, lang))
        return
    show_result(result, file_name, preview)


def confirm_or_cancel(result: importer.ImportResult, editor: Editor | None, pending_key: str, prefix: str) -> None:
    """The confirm and cancel buttons of a preview: confirm writes it all in one transaction
    (apply_import) beside the page, with its progress shown until it is done."""
    slot = APPLY_JOB + pending_key
    if slot in st.session_state:
        job = background.follow(slot, t("data.progress", lang))
        if job is None:
            return
        background.forget(slot)
        try:
            done = job.result()
        except (StoreError, importer.ImportRefused) as exc:
            st.error(md_escape(exc.text(lang)))
        except Exception as exc:  # noqa: BLE001 - never a traceback
            downloads.LOG.exception("import could not be saved")
            st.error(downloads.failure_text(exc, lang))
        else:
            st.session_state.pop(pending_key, None)
            data.clear()
            st.success(t("data.applied", lang, added=done.get("added", 0), changed=done.get("changed", 0)))
            return
    b1, b2 = st.columns(2)
    if b1.button(t("data.confirm", lang), key=f"{prefix}_confirm", type="primary"):

        def work(progress):
            return importer.apply_import(store, result, editor, progress=progress)

        if background.begin(slot, work, lang):
            st.rerun()  # the page shows the progress instead of the buttons
    if b2.button(t("data.cancel", lang), key=f"{prefix}_cancel"):
        st.session_state.pop(pending_key, None)
        st.rerun()


# indicator values belong to no one plan: an ended plan's editor brings in a new survey round too
editor = ctx.signed_in
if editor is None:
    st.info(t("data.editor_only", lang))
else:
    adder = st.expander(t("data.add", lang), expanded=False, key="w_add_value_open", on_change="rerun")
    if adder.open:  # a lazy expander: the form is built only while open
        with adder, st.form("add_value"):
            ids = [i.indicator_id for i in plan.indicators_in_order()]
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
                show_result(importer.parse_one_value(plan, ind, ser, grp, area, int(year), value), "lomake")

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
        parse_upload(upload.getvalue(), upload.name)
    if upload is not None:
        parsed_upload(upload.name)

    pending = st.session_state.get(PREVIEW)
    if pending:
        source, result, preview = pending
        st.info(t("data.preview", lang, **importer.preview_counts(preview)))
        for note in result.notes:
            st.caption(md_escape(text_in(note, lang)))
        st.dataframe(importer.preview_for_display(preview, lang), hide_index=True, width="stretch")
        confirm_or_cancel(result, editor, PREVIEW, "import")


def sotkanet_section() -> None:
    """Fetch the mapped indicators from Sotkanet beside the page, preview them, and import all or nothing."""
    st.subheader(t("sotkanet.title", lang))
    st.caption(t("sotkanet.help", lang))
    try:
        mapping = importer.load_mapping()
    except importer.MappingError as exc:
        st.error(md_escape(exc.text(lang)))
        return
    this_year = date.today().year
    suggested = sotkanet.default_years(plan, data.observations(), mapping)
    years = st.multiselect(
        t("sotkanet.years", lang),
        list(range(this_year, 2009, -1)),
        default=sorted(suggested, reverse=True),
        key="sotkanet_years",
        help=t("sotkanet.years.help", lang),
        placeholder=t("widget.placeholder", lang),
    )
    if st.button(t("sotkanet.fetch", lang), key="sotkanet_fetch_button", disabled=background.running(SOTKANET_JOB)):
        st.session_state.pop(SOTKANET_FETCH, None)
        current, chosen = data.observations(), list(years)
        base = data.setting("sotkanet_url")  # the secrets' sotkanet_url, else the environment's, else THL's

        def work(progress):
            with sotkanet.SotkanetClient(base if isinstance(base, str) and base else None) as client:
                return sotkanet.fetch_plan_values(plan, current, chosen, client, mapping, progress)

        background.begin(SOTKANET_JOB, work, lang)
    if background.running(SOTKANET_JOB):
        background.follow(SOTKANET_JOB, t("sotkanet.fetching", lang))  # the page runs again when it is done
        return
    job = background.follow(SOTKANET_JOB, "")
    if job is not None:
        background.forget(SOTKANET_JOB)
        try:
            st.session_state[SOTKANET_FETCH] = job.result()
        except Exception:  # noqa: BLE001 - an unforeseen failure of the fetch is a message, never a traceback
            downloads.LOG.exception("the Sotkanet fetch failed")
            st.session_state[SOTKANET_FETCH] = None
            st.error(t("sotkanet.error.request", lang, error="?"))
            return
    fetched = st.session_state.get(SOTKANET_FETCH)
    if fetched is not None:
        _show_fetch(fetched)


def _show_fetch(fetched: sotkanet.SotkanetFetch) -> None:
    """The refusal with every problem, or the preview with Sotkanet's titles and the confirm buttons."""
    if not fetched.ok:
        st.error(t("sotkanet.refused", lang, n=len(fetched.result.errors)))
        # wrapped: each problem names the indicator, its title and what to try, and must be read whole on a phone
        st.code(importer.problems_text(fetched.result.errors, lang), language=None, wrap_lines=True)
        return
    counts = importer.preview_counts(fetched.preview)
    st.info(t("sotkanet.preview", lang, years=", ".join(map(str, fetched.years)), **counts))
    left_out = sotkanet.ignored_texts(fetched, lang)
    if left_out:
        st.caption("\n".join(f"- {md_escape(line)}" for line in left_out))
    st.caption(md_escape(sotkanet.attribution(lang)))
    shown = sotkanet.preview_for_display(fetched, plan, lang)
    narrow = {t(f"sotkanet.col.{c}", lang): "small" for c in ("year", "action")}
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        # the values and the change in view on a phone too; the long titles scroll sideways
        column_config={t("sotkanet.col.indicator", lang): st.column_config.TextColumn(width="medium")}
        | {label: st.column_config.Column(width=w) for label, w in narrow.items()},
    )
    assert editor is not None
    # the history's "who" says the values came from Sotkanet
    confirm_or_cancel(
        fetched.result,
        Editor(t("sotkanet.editor", lang, name=editor.name), session=editor.session),
        SOTKANET_FETCH,
        "sotkanet",
    )


if editor is not None:
    sotkanet_section()

st.subheader(t("data.export", lang))
st.caption(t("data.export.help", lang))
e1, e2 = st.columns(2)
version = store.data_version()


# a backup of the whole store takes seconds at size: made beside the page, shared per data version
background.download(
    e1,
    t("data.export_xlsx", lang),
    lambda: exporter.export_workbook(plan, store),
    "hyvinvointisuunnitelma.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "exp_xlsx",
    lang,
    shared=("export_xlsx", plan.plan_id, version),
)
background.download(
    e2,
    t("data.export_zip", lang),
    lambda: exporter.export_csv_zip(plan, store),
    "hyvinvointisuunnitelma-data.zip",
    "application/zip",
    "exp_zip",
    lang,
    shared=("export_zip", plan.plan_id, version),
)
state.sync_url()
