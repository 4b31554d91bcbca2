"""Vuosiarviointi: each actor evaluates its measures every year on a four-step scale."""

from datetime import date

import pandas as pd
import streamlit as st

from core.base.i18n import name, t
from core.base.text import md_escape
from core.store import EvaluationChange
from core.store.edits import RowDiff
from core.views import queries
from core.views.evaluation import rating_label, scale
from ui import data, live, state, views
from ui.edit_table import TableKeys, TableTexts, edit_table, shown_value
from ui.frame import view_tabs
from ui.router import page_context
from ui.tables import POINT, WRAPPED_ROW_HEIGHT
from ui.widgets import plan_period, year_picker

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("eval.title", lang))
store = data.store()

year = year_picker(plan, lang, range(plan_period(plan)[0], date.today().year + 2), key="w_year")

with st.expander(t("eval.scale", lang)):  # one element: each costs the browser its drawing time
    st.markdown(
        "\n\n".join(
            f"**{s['rating']} – {md_escape(s['label'])}**  \n{md_escape(s['description'])}" for s in scale(lang)
        )
    )


# the fields an evaluator edits, with the catalogue key of each column's label
EDITABLE = {
    "rating": "eval.col.rating",
    "comment": "eval.col.comment",
    "evaluator": "eval.col.evaluator",
    "evaluated_on": "eval.col.date",
}


def evaluation_rows(actor: str) -> pd.DataFrame:
    """The actor's measures with this year's rating, comment, evaluator, date and version."""
    measures = views.filtered_measures(queries.Filters(actors=ctx.filters.actors))
    evaluations = store.evaluations(year)
    mine = queries.real_measures(measures[measures["actor_id"] == actor])
    ev = evaluations.set_index("measure_id") if not evaluations.empty else pd.DataFrame()
    rows = []
    for m in queries.measures_display(plan, mine, lang).itertuples():
        e = ev.loc[m.measure_id] if m.measure_id in ev.index else None
        rows.append(
            {
                "measure_id": m.measure_id,
                "subgoal": m.subgoal,
                "toimenpide": m.toimenpide[:200],
                "rating": None if e is None or pd.isna(e["rating"]) else rating_label(int(e["rating"]), lang),
                "comment": "" if e is None else e["comment"],
                "evaluator": "" if e is None else e["evaluator"],
                "evaluated_on": None if e is None or not e["evaluated_on"] else date.fromisoformat(e["evaluated_on"]),
                "version": 0 if e is None else int(e["version"]),
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=["measure_id", "subgoal", "toimenpide", "rating", "comment", "evaluator", "evaluated_on", "version"],
    )
    # a date column even while no row has a date: the table keeps its identity (and place) when one comes
    frame["evaluated_on"] = pd.to_datetime(frame["evaluated_on"])
    return frame


def summary_view() -> None:
    """The year's ratings summed up per actor, goal or sub-goal, and the measures still without one."""
    st.subheader(t("eval.summary", lang))
    by = st.radio(
        t("eval.by", lang),
        ["actor", "goal", "subgoal"],
        horizontal=True,
        key="w_eval_by",
        format_func=lambda b: t(f"eval.by.{b}", lang),
    )
    summary_figure, missing = views.evaluation(year, ctx.filters.actors, by, lang)
    views.show_chart(summary_figure, key="eval_summary", lang=lang)
    st.caption(t("evaluation.chart.note", lang))  # how to read it: a caption wraps on any screen
    with st.expander(t("eval.missing", lang, year=year, n=len(missing))):
        st.dataframe(missing, hide_index=True, width="stretch")


def grid_view() -> None:
    """One actor's measures with their rating for the year; editors change them and save them at once."""
    st.subheader(t("eval.grid", lang))
    actors = [a.actor_id for a in plan.actors if not ctx.filters.actors or a.actor_id in ctx.filters.actors]
    actor = st.selectbox(
        t("eval.actor", lang),
        actors,
        key="w_eval_actor",
        format_func=lambda a: name(plan.actor(a), lang),
        placeholder=t("widget.placeholder", lang),
    )
    ratings = {rating_label(r["rating"], lang): r["rating"] for r in scale(lang)}
    labels = {f: t(key, lang) for f, key in EDITABLE.items()}

    # the yearly evaluations stay open on an ended plan: its last year is evaluated after the period,
    # and they are part of its final evaluation (the store allows exactly that)
    evaluator = ctx.signed_in

    def save(diff: RowDiff) -> int:
        """The changed fields of each row in one transaction (the rating from its label), each with the value
        it was shown with, so the store merges per field; the evaluator and today fill a still empty row."""

        def stored(values: dict) -> dict:  # a rating as its label (from the table) or stored number (keep mine)
            return {f: ratings.get(v, v) if f == "rating" else (v or "") for f, v in values.items()}

        items = [
            EvaluationChange(
                c.key,
                year,
                stored(c.mine),
                c.version if c.version and c.version > 0 else None,  # 0: not evaluated yet
                stored(c.started_from),
                {"evaluator": evaluator.name, "evaluated_on": date.today().isoformat()},
            )
            for c in diff.changed
        ]
        store.save_evaluations(items, evaluator)
        return len(items)

    edit_table(
        lambda: evaluation_rows(actor),
        keys=TableKeys(
            prefix="eval",
            base=f"eval_base_{actor}_{year}",
            generation="eval_generation",
            editor=f"eval_editor_{actor}_{year}",
        ),
        texts=TableTexts(save="eval.save", saved="eval.saved", nothing="eval.nothing"),
        row_key="measure_id",
        fields=tuple(EDITABLE),
        labels=labels,
        # the measure (pinned) and its rating first: on a projector and a phone alike they are the page's point
        column_order=("toimenpide", "rating", "comment", "evaluator", "evaluated_on", "subgoal", "measure_id"),
        column_config={
            "measure_id": st.column_config.TextColumn("ID", width="small"),
            "subgoal": st.column_config.TextColumn(t("col.subgoal", lang), width="medium"),
            "toimenpide": st.column_config.TextColumn(t("col.toimenpide", lang), width=POINT, pinned=True),
            "rating": st.column_config.SelectboxColumn(labels["rating"], options=list(ratings), width=POINT),
            "comment": st.column_config.TextColumn(labels["comment"], max_chars=4000, width="large"),
            "evaluator": st.column_config.TextColumn(labels["evaluator"], max_chars=200),
            "evaluated_on": st.column_config.DateColumn(labels["evaluated_on"], format="YYYY-MM-DD"),
            "version": None,
        },
        row_height=WRAPPED_ROW_HEIGHT,
        names_column="toimenpide",
        save=save,
        lang=lang,
        editable=evaluator is not None,
        disabled=["measure_id", "subgoal", "toimenpide"],
        show=lambda f, v: rating_label(v, lang) if f == "rating" and v is not None else shown_value(f, v),
        names=lambda rows: dict(zip(rows["measure_id"], rows["toimenpide"].str.slice(0, 80), strict=True)),
    )


view, tab = view_tabs(list(state.EVALUATION_VIEWS), lang, key="evaluation")
live.shows()  # the year, the scale and the tabs show no stored data: others' saves redraw only the part
with tab:
    if view == "arviointi":
        live.part("evaluation_grid", ("evaluation", "measure"), grid_view)
    else:
        live.part("evaluation_summary", ("evaluation", "measure"), summary_view)
state.sync_url(state.VIEW, state.YEAR)
