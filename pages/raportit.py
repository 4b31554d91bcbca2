"""Raportit: a printable report per goal or per actor, as HTML or PDF, and chart images as PNG."""

from datetime import date

import streamlit as st

from core import report
from core.i18n import name, t
from ui import data, downloads, state
from ui.frame import page_context
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
        [g.goal_id for g in sorted(plan.goals, key=lambda g: g.number)],
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


@st.cache_data(show_spinner=False, max_entries=16)
def build(
    kind: str, target: str, year: int, lang: str, plan_id: str, version: int
) -> tuple[str, bytes | None, bytes | None]:
    """HTML, PDF (or None) and the first chart as PNG (or None), cached per data version."""
    measures, obs, evals = data.measures(), data.observations(), store.evaluations(year)
    if kind == "goal":
        figures = report.default_goal_figures(plan, measures, obs, target, lang, evaluations_df=evals, year=year)
        html_text = report.goal_report_html(
            plan, measures, obs, target, lang, figures=figures, evaluations_df=evals, year=year
        )
    else:
        figures = report.default_actor_figures(plan, measures, target, lang, evaluations_df=evals, year=year)
        html_text = report.actor_report_html(
            plan, measures, target, lang, figures=figures, evaluations_df=evals, year=year
        )
    png = report.figure_png(figures[0]) if figures and report.png_export_available() else None
    try:
        pdf = report.html_to_pdf(html_text)
    except RuntimeError:
        pdf = None
    return html_text, pdf, png


if st.button(t("reports.make", lang), key="report_make", type="primary"):
    st.session_state["report_request"] = (kind, target, year, lang)
request = st.session_state.get("report_request")
if request == (kind, target, year, lang):
    try:
        with st.spinner(t("data.progress", lang)):
            html_text, pdf, png = build(kind, target, year, lang, plan.plan_id, store.data_version())
    except Exception as exc:  # noqa: BLE001  # never a traceback: say the report could not be made
        downloads.LOG.exception("report %s %s could not be built", kind, target)
        st.error(downloads.failure_text(exc, lang))
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
