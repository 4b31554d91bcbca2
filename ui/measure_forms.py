"""The forms beside a measures grid: add a measure for an actor and sub-goal, remove one (confirmed, recoverable)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.base.i18n import name, t
from core.plan.model import MEASURE_TEXT_FIELDS
from core.store import StoreError
from ui import data, state
from ui.frame import PageContext


def add_and_remove(ctx: PageContext, measures: pd.DataFrame, key: str, goal_id: str | None = None) -> None:
    """Forms to add a measure for an actor and sub-goal, and to remove one (confirmed, recoverable)."""
    lang = ctx.lang
    if ctx.editor is None:
        return
    plan = ctx.plan
    # lazy expanders: the forms are built only while open (they are not needed on most reruns)
    adder = st.expander(t("edit.add", lang), key=f"{key}_add_open", on_change="rerun")
    if adder.open:
        gen = st.session_state.get(f"_{key}_add_gen", 0)  # a new form (empty fields) only after a save
        done = st.session_state.pop(f"_{key}_added", None)
        if done:
            adder.success(t("edit.added", lang, id=done))
        # not clear_on_submit: a refused measure (too long, a clash) keeps every field as typed
        with adder, st.form(f"{key}_add_{gen}", clear_on_submit=False):
            actors = [a.actor_id for a in plan.actors]
            actor = st.selectbox(
                t("col.actor", lang),
                actors,
                key=f"{key}_add_actor",
                placeholder=t("widget.placeholder", lang),
                format_func=lambda a: name(plan.actor(a), lang),
            )
            subs = [s for s in plan.subgoals if goal_id is None or s.goal_id == goal_id]
            sub = st.selectbox(
                t("col.subgoal", lang),
                [s.subgoal_id for s in subs],
                key=f"{key}_add_sub",
                placeholder=t("widget.placeholder", lang),
                format_func=lambda s: (
                    f"{s} {next(x.title_fi if lang == 'fi' else x.title_en for x in subs if x.subgoal_id == s)}"
                ),
            )
            # no max_chars: the browser would cut a long paste silently; the store refuses it with a message
            values = {
                f: st.text_area(t(f"col.{f}", lang), key=f"{key}_add_{f}_{gen}", height=80) for f in MEASURE_TEXT_FIELDS
            }
            if st.form_submit_button(t("edit.add_submit", lang)):
                try:
                    mid = data.store().add_measure(
                        actor,
                        sub,
                        values,
                        ctx.editor,
                        known_actors=actors,
                        known_subgoals=[s.subgoal_id for s in plan.subgoals],
                        plan_id=plan.plan_id,  # the plan shown, not the store's default
                    )
                except StoreError as exc:
                    st.error(exc.text(lang))
                else:
                    data.clear()
                    st.session_state[f"_{key}_added"] = mid
                    st.session_state[f"_{key}_add_gen"] = gen + 1
                    st.rerun()
    remover = st.expander(t("edit.remove", lang), key=f"{key}_rm_open", on_change="rerun")
    if not remover.open:
        return
    with remover:
        ids = list(measures["measure_id"])
        if not ids:
            return
        target = st.selectbox(
            t("edit.remove_which", lang), ids, key=f"{key}_rm_id", placeholder=t("widget.placeholder", lang)
        )
        sure = st.checkbox(t("edit.remove_confirm", lang), key=f"{key}_rm_ok")
        if st.button(t("edit.remove_submit", lang), key=f"{key}_rm_go", disabled=not sure):
            row = measures[measures["measure_id"] == target].iloc[0]
            try:
                data.store().delete_measure(target, int(row["version"]), ctx.editor)
            except StoreError as exc:
                st.error(exc.text(lang))
            else:
                (st.session_state.get(state.PENDING) or {}).pop(target, None)
                data.clear()
                st.success(t("edit.removed", lang, id=target))
