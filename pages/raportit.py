"""Raportit: a printable report per goal or per actor, as HTML or PDF, and chart images as PNG."""

from datetime import date

import streamlit as st

from core.base.i18n import name, t
from core.documents import report
from ui import background, data, downloads, state
from ui.router import page_context
from ui.widgets import plan_period, year_picker

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("reports.title", lang))
store = data.store()

kind = st.radio(
    t("reports.kind", lang),
    ["goal", "actor"],
    horizontal=True,
    key="w_report_kind",
    format_func=lambda k: t(f"reports.kind.{k}", lang),
)
if kind == "goal":
    target = st.selectbox(
        t("measures.goal", lang),
        [g.goal_id for g in plan.goals_in_order()],
        placeholder=t("widget.placeholder", lang),
        key="w_report_goal",
        format_func=lambda g: f"{t('nav.goal', lang, goal=g)}: {name(plan.goal(g), lang, 'title')}",
    )
else:
    target = st.selectbox(
        t("col.actor", lang),
        [a.actor_id for a in plan.actors],
        placeholder=t("widget.placeholder", lang),
        key="w_report_actor",
        format_func=lambda a: name(plan.actor(a), lang),
    )
year = year_picker(plan, lang, range(date.today().year, plan_period(plan)[0] - 1, -1), key="w_report_year")


JOB = "report_job"  # background.Job building the chosen report


def build_work(kind: str, target: str, year: int, lang: str):
    """The report's work, run beside the page: HTML, PDF (or None), first chart as PNG (or None).

    The data is read here, in the page run (cached per data version); the thread gets plain frames.
    """
    measures, obs, evals = data.measures(), data.observations(), store.evaluations(year)
    return lambda progress: report.report_files(progress, plan, measures, obs, evals, kind, target, year, lang)


request = (plan.plan_id, kind, target, year, lang)  # the shown plan's report
# one build per report and data version, shared by everyone who asks and kept for the next one
key = ("report", *request, store.data_version())
background.forget_older("report", key[-1])
if st.session_state.get("report_request") != request:
    background.forget(JOB)
    kept = background.worker().kept(key)  # someone already made this one: offer it at once
    if kept is not None:
        st.session_state[JOB] = kept
        st.session_state["report_request"] = request
if st.button(t("reports.make", lang), key="report_make", type="primary", disabled=background.running(JOB)):
    if background.begin(JOB, build_work(kind, target, year, lang), lang, key=key):
        st.session_state["report_request"] = request
        st.rerun()  # drawn again with the button waiting and the progress
job = background.follow(JOB, t("reports.building", lang)) if st.session_state.get("report_request") == request else None
if job is not None:
    try:
        html_text, pdf, png = job.result()
    except Exception as exc:  # noqa: BLE001  # never a traceback: say the report could not be made
        downloads.LOG.exception("report %s %s could not be built", kind, target)
        st.error(downloads.failure_text(exc, lang))
        background.forget(JOB)
        st.session_state.pop("report_request", None)
        st.stop()
    st.success(t("reports.ready", lang))
    stem = f"raportti-{kind}-{target}-{year}"
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("reports.html", lang), html_text.encode("utf-8"), f"{stem}.html", "text/html", key="dl_html")
    if pdf:
        c2.download_button(t("reports.pdf", lang), pdf, f"{stem}.pdf", "application/pdf", key="dl_pdf")
    else:
        c2.caption(t("reports.pdf_missing", lang))
    if png:
        c3.download_button(t("reports.png", lang), png, f"{stem}.png", "image/png", key="dl_png")
    else:
        c3.caption(t("reports.png_missing", lang))
state.sync_url(state.YEAR)
