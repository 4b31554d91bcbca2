"""Vuosiarviointi: each actor evaluates its measures every year on a four-step scale."""

from datetime import date

import pandas as pd
import streamlit as st

from core import queries
from core.evaluation import rating_label, scale
from core.i18n import name, t
from core.storage import ConflictError, StoreError
from core.text import md_escape
from core.timefmt import default_evaluation_year
from ui import data, state, views
from ui.frame import page_context, view_tabs

ctx = page_context()
plan, lang = ctx.plan, ctx.lang
st.title(t("eval.title", lang))
store = data.store()

start, end = int(plan.meta.get("period_start", 2020)), int(plan.meta.get("period_end", 2025))
years = list(range(start, date.today().year + 2))
default_year = default_evaluation_year(start, end)  # the last finished year of the plan period
linked = int(state.get(state.YEAR) or default_year)  # a year from the link (?vuosi=) or chosen before
why = t("year.default_help", lang, year=default_year, start=start, end=end)
year = st.selectbox(
    t("eval.year", lang),
    years,
    index=years.index(linked if linked in years else default_year),
    placeholder=t("widget.placeholder", lang),
    key="w_year",
    help=why,
)
if year == default_year:
    st.caption(why)
st.session_state[state.YEAR] = str(year)

with st.expander(t("eval.scale", lang)):
    for step in scale(lang):
        st.markdown(f"**{step['rating']} – {md_escape(step['label'])}**")
        st.caption(md_escape(step["description"]))


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
    return pd.DataFrame(
        rows,
        columns=["measure_id", "subgoal", "toimenpide", "rating", "comment", "evaluator", "evaluated_on", "version"],
    )


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
    """One actor's measures with their rating for the year; editors change them and save at once."""
    st.subheader(t("eval.grid", lang))
    actors = [a.actor_id for a in plan.actors if not ctx.filters.actors or a.actor_id in ctx.filters.actors]
    actor = st.selectbox(
        t("eval.actor", lang),
        actors,
        key="w_eval_actor",
        format_func=lambda a: name(plan.actor(a), lang),
        placeholder=t("widget.placeholder", lang),
    )
    labels = [rating_label(r["rating"], lang) for r in scale(lang)]
    # The rows (and versions) the user was shown stay fixed while they have unsaved changes, so a
    # value someone else saves meanwhile is detected as a conflict instead of being overwritten
    # silently; without unsaved changes the rows follow the store (a new data version).
    base_key, gen_key = f"eval_base_{actor}_{year}", "eval_generation"
    version = store.data_version()
    base = st.session_state.get(base_key)
    editor_state = st.session_state.get(f"eval_editor_{actor}_{year}_{st.session_state.get(gen_key, 0)}") or {}
    if base is None or (base[0] != version and not editor_state.get("edited_rows")):
        if base is not None:  # a fresh editor widget for the fresh rows
            st.session_state[gen_key] = st.session_state.get(gen_key, 0) + 1
        st.session_state[base_key] = base = (version, evaluation_rows(actor))
    frame = base[1]
    edited = st.data_editor(
        frame,
        key=f"eval_editor_{actor}_{year}_{st.session_state.get(gen_key, 0)}",
        hide_index=True,
        width="stretch",
        disabled=ctx.editor is None or ["measure_id", "subgoal", "toimenpide"],
        column_config={
            "measure_id": st.column_config.TextColumn("ID", width="small"),
            "subgoal": st.column_config.TextColumn(t("col.subgoal", lang)),
            "toimenpide": st.column_config.TextColumn(t("col.toimenpide", lang), width="large"),
            "rating": st.column_config.SelectboxColumn(t("eval.col.rating", lang), options=labels),
            "comment": st.column_config.TextColumn(t("eval.col.comment", lang), max_chars=4000, width="large"),
            "evaluator": st.column_config.TextColumn(t("eval.col.evaluator", lang), max_chars=200),
            "evaluated_on": st.column_config.DateColumn(t("eval.col.date", lang), format="YYYY-MM-DD"),
            "version": None,
        },
    )
    if ctx.editor is None:
        st.caption(t("edit.readonly_hint", lang))
    else:

        def changed_rows(force_version: dict | None = None) -> list[tuple[str, dict, int | None, dict]]:
            out = []
            for before, after in zip(frame.to_dict("records"), edited.to_dict("records"), strict=True):
                keys = ("rating", "comment", "evaluator", "evaluated_on")
                if all(str(before[k] or "") == str(after[k] or "") for k in keys):
                    continue
                rating = next(
                    (r["rating"] for r in scale(lang) if rating_label(r["rating"], lang) == after["rating"]), None
                )
                when = after["evaluated_on"] or date.today()
                values = {
                    "rating": rating,
                    "comment": after["comment"] or "",
                    "evaluator": after["evaluator"] or ctx.editor.name,
                    "evaluated_on": str(when)[:10],
                }
                version = (force_version or {}).get(after["measure_id"], before["version"] or None)
                out.append((after["measure_id"], values, version, after))
            return out

        def save(force_version: dict | None = None) -> None:
            """Save every changed row in one transaction; on a clash show both values, save nothing."""
            todo = changed_rows(force_version)
            if not todo:
                st.info(t("eval.nothing", lang))
                return
            try:
                store.save_evaluations([(m, year, values, version) for m, values, version, _ in todo], ctx.editor)
            except ConflictError as exc:
                st.session_state["eval_conflicts"] = {c.entity_id: c.current_version for c in exc.conflicts}
                st.error(t("eval.conflict", lang, ids=md_escape(", ".join(c.entity_id for c in exc.conflicts))))
                st.table(
                    pd.DataFrame(
                        [
                            {
                                "ID": c.entity_id,
                                t(
                                    "edit.theirs", lang
                                ): f"{rating_label(c.current.get('rating'), lang)} {c.current.get('comment', '')}",
                                t(
                                    "edit.mine", lang
                                ): f"{rating_label(c.mine.get('rating'), lang)} {c.mine.get('comment', '')}",
                            }
                            for c in exc.conflicts
                        ]
                    )
                )
                return
            except StoreError as exc:
                st.error(md_escape(exc.text(lang)))
                return
            st.success(t("eval.saved", lang, n=len(todo)))
            del st.session_state[base_key]  # everything saved: show fresh rows next time
            st.session_state[gen_key] = st.session_state.get(gen_key, 0) + 1
            st.session_state.pop("eval_conflicts", None)

        if st.button(t("eval.save", lang), key="eval_save", type="primary"):
            save()
        if st.session_state.get("eval_conflicts") and st.button(t("eval.keep_mine", lang), key="eval_keep"):
            save(st.session_state.pop("eval_conflicts"))


view, tab = view_tabs(list(state.EVALUATION_VIEWS), lang, key="evaluation")
with tab:
    if view == "arviointi":
        grid_view()
    else:
        summary_view()
state.sync_url(state.VIEW, state.YEAR)
