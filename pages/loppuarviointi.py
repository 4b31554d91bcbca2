"""Loppuarviointi: the final evaluation of the ended plan — wellbeing then and now, what the measures
achieved, strengths and areas to develop, the group's conclusions, and the documents to download."""

import pandas as pd
import streamlit as st

from core.base.i18n import t
from core.base.text import md_escape
from core.documents import final_report as fr
from core.views import final_evaluation as fe
from core.views.evaluation import RATINGS, rating_label
from ui import background, conclusions, data, downloads, live, state, tables, views
from ui.frame import goal_filter
from ui.router import page_context

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
plan_id, start, end = fe.plan_scope(plan)
store = data.store()
st.title(fe.text("title", lang, start=start, end=end))
st.caption(fe.text("intro", lang, start=start, end=end))


@st.cache_data(show_spinner=False, max_entries=8)
def evaluation(plan_id: str, lang: str, version: int) -> fe.FinalEvaluation:
    """The final evaluation as of data ``version`` (every save changes it, so it is never stale)."""
    del version  # the cache key: the frames below are read at this version
    return fe.final_evaluation(
        plan, data.observations(), data.measures(), store.evaluations(), store.conclusions(plan_id), lang
    )


ev = evaluation(plan_id, lang, data.version())
goal = goal_filter(ctx, "w_goal_final")

# ---- summary
st.header(fe.text("section.summary", lang))
for line in ev.summary_lines(lang):
    st.markdown(line)
views.show_chart(fe.status_shift_figure(ev.indicators, lang), key="final_status", lang=lang)

# ---- wellbeing then and now
st.header(fe.text("section.wellbeing", lang))
st.caption(fe.text("how_first", lang, start=start, end=end))
rows = ev.indicators
if goal is not None and not rows.empty:
    rows = rows[rows["goals"].str.split(", ").map(lambda goals: goal in goals)]
if rows.empty:
    st.info(fe.text("wellbeing.none", lang))
else:
    tables.show(fr.wellbeing_table(rows, lang))

# ---- what the measures achieved
st.header(fe.text("section.measures", lang))
st.caption(fe.text("measures.how", lang))
outcomes = ev.outcomes if goal is None else ev.outcomes[ev.outcomes["goal_id"] == goal]
if outcomes.empty:
    st.info(fe.text("measures.none", lang))
else:
    views.show_chart(fe.outcome_figure(plan, outcomes, lang), key="final_outcomes", lang=lang)
    by_subgoal = ev.by_subgoal if goal is None else ev.by_subgoal[ev.by_subgoal["goal_id"] == goal]
    totals = by_subgoal[by_subgoal["actor_id"] == ""]
    tables.show(fe.outcome_table(plan, totals, lang).drop(columns=[fe.text("col.actor", lang)]))
    with st.expander(fe.text("col.actor", lang) + " – " + fe.text("col.subgoal", lang)):
        tables.show(fe.outcome_table(plan, by_subgoal[by_subgoal["actor_id"] != ""], lang))
    yearly = fe.yearly_ratings(plan, outcomes)
    rated = yearly[yearly["rating"] != 0].groupby(["subgoal_id", "year"])["count"].sum()
    with st.expander(fe.text("measures.yearly", lang)):
        shown = rated[rated > 0].index
        if len(shown) == 0:
            st.info(fe.text("measures.no_ratings", lang))
        else:
            wide = yearly.pivot_table(index=["subgoal_id", "year"], columns="rating", values="count", aggfunc="sum")
            wide = wide.loc[shown]
            table = pd.DataFrame(
                {
                    fe.text("col.subgoal", lang): [s for s, _y in wide.index],
                    fe.text("col.year", lang): [y for _s, y in wide.index],
                    **{rating_label(r, lang): wide[r].astype(int).tolist() for r in (*reversed(RATINGS), 0)},
                }
            )
            tables.show(table)

# ---- strengths and areas to develop
st.header(fe.text("section.strengths", lang))
doc = fr.document(plan, ev, lang)
for heading, lines in doc.strengths:
    st.subheader(heading)
    st.markdown("\n".join(f"- {md_escape(line)}" for line in lines) if lines else fe.text("strengths.none", lang))

# ---- conclusions
st.header(fe.text("section.conclusions", lang))


def conclusions_view() -> None:
    """The group's conclusions as stored now (a part: others' saves redraw only this, typed text stays)."""
    saved = {str(r["scope"]): r for r in store.conclusions(plan_id).to_dict("records")}
    conclusions.show(plan, plan_id, saved, ctx.signed_in, lang)  # open on an ended plan: its final evaluation


live.shows("observation", "measure", "evaluation")  # what the sections above show
live.part("final_conclusions", ("conclusion",), conclusions_view)

# ---- downloads: made beside the page (ui.background), once per plan, language and data version and
# shared by everyone who asks; the page run only starts the work and offers the files
st.header(fe.text("downloads", lang))
stem = f"loppuarviointi-{plan_id}"
PRINT_JOB = "final_print_job"  # background.Job making the HTML and PDF


def word_work(current: fe.FinalEvaluation):
    """The Word document of ``current`` (the evaluation read in this run, so the thread reads no store)."""
    return lambda: fr.final_docx(plan, current, lang)


def print_work(current: fe.FinalEvaluation):
    """The HTML (charts as images where Chromium can draw them) and its PDF, or None without Chromium."""
    return lambda progress: fr.print_files(progress, plan, current, lang)


def downloads_view() -> None:
    """The documents of the current data version (a part: a save by anyone offers them afresh)."""
    version = data.version()
    current = evaluation(plan_id, lang, version)
    c1, c2, c3 = st.columns(3)
    background.download(
        c1,
        fe.text("download.word", lang),
        word_work(current),
        f"{stem}.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="final_docx",
        lang=lang,
        shared=("final_docx", plan_id, lang, version),
    )
    printed = background.current(PRINT_JOB, ("final_print", plan_id, lang, version))
    if printed is None:
        if c2.button(fe.text("make", lang), key="final_make"):
            if background.begin(PRINT_JOB, print_work(current), lang, key=("final_print", plan_id, lang, version)):
                st.rerun()  # drawn again with the progress
    else:
        with c2:
            job = background.follow(PRINT_JOB, t("background.working", lang))
        if job is not None:
            try:
                html_text, pdf = job.result()
            except Exception as exc:  # noqa: BLE001 - never a traceback: say the document could not be made
                downloads.LOG.exception("final evaluation %s could not be built", plan_id)
                st.error(downloads.failure_text(exc, lang))
                background.forget(PRINT_JOB)
            else:
                c2.download_button(
                    fe.text("download.html", lang),
                    html_text.encode("utf-8"),
                    f"{stem}.html",
                    "text/html",
                    key="final_html",
                )
                if pdf:
                    c3.download_button(
                        fe.text("download.pdf", lang), pdf, f"{stem}.pdf", "application/pdf", key="final_pdf"
                    )
                else:
                    c3.caption(fe.text("download.pdf_missing", lang))


live.part("final_downloads", ("observation", "measure", "evaluation", "conclusion"), downloads_view)
state.sync_url(state.GOAL)
