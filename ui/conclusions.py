"""The working group's conclusions on the Loppuarviointi page: read by everyone, written by editors.

Each scope (a main goal, the whole plan) has three text areas. The texts an editor started from
(the *base*) are kept in the session with the typed ones, so a save writes only what this editor
changed, a field nobody here touched follows others' saves (live updates rerun the page), and a
conflict is only a field someone else changed meanwhile: the editor keeps their text or takes the
saved one. Typed text is never lost on a rerun: it lives in the widgets' session state.
"""

from __future__ import annotations

import streamlit as st

from core.base.i18n import name, t
from core.base.text import md_escape
from core.base.timefmt import local_time
from core.plan.model import Plan
from core.store import ConflictError, Editor, StoreError
from core.views import final_evaluation as fe
from ui import data, state

_BASE = "final_base_{scope}"  # {field: text} the editor started from
_CONFLICT = "final_conflict_{scope}"  # {"fields": {field: theirs}, "by": name, "current": {field: text}}


def _widget(scope: str, fld: str) -> str:
    return f"w_final_{scope}_{fld}"


def _stored(rows: dict[str, dict], scope: str) -> dict[str, str]:
    row = rows.get(scope) or {}
    return {f: str(row.get(f) or "") for f in fe.CONCLUSION_FIELDS}


def _follow_store(scope: str, stored: dict[str, str]) -> dict[str, str]:
    """The base of this scope, moved on to the stored texts wherever the editor typed nothing."""
    base_key = _BASE.format(scope=scope)
    base = st.session_state.get(base_key)
    if base is None:
        base = dict(stored)
    for fld in fe.CONCLUSION_FIELDS:
        key = _widget(scope, fld)
        typed = st.session_state.get(key)
        if typed is None or typed == base[fld]:  # untouched: show what others saved
            st.session_state[key] = stored[fld]
            base[fld] = stored[fld]
    st.session_state[base_key] = base
    return base


def _save(plan_id: str, scope: str, scopes: list[str], editor: Editor, base: dict[str, str] | None = None) -> None:
    """on_click: save this scope's typed texts over ``base`` (default: the texts the editor started from)."""
    base_key, conflict_key = _BASE.format(scope=scope), _CONFLICT.format(scope=scope)
    base = base if base is not None else st.session_state.get(base_key) or {}
    mine = {f: st.session_state.get(_widget(scope, f), "") for f in fe.CONCLUSION_FIELDS}
    store = data.store()
    try:
        store.save_conclusion(plan_id, scope, base, mine, editor, scopes)
    except ConflictError as exc:
        c = exc.conflicts[0]
        current = {f: str((c.current or {}).get(f) or "") for f in fe.CONCLUSION_FIELDS}
        st.session_state[conflict_key] = {
            "fields": {f: current[f] for f in c.mine},
            "by": str((c.current or {}).get("updated_by") or ""),
            "current": current,
        }
        return
    except StoreError as exc:
        st.session_state[state.FLASH] = {"error": exc.text(state.lang())}
        return
    st.session_state.pop(conflict_key, None)
    st.session_state[base_key] = dict(mine)  # what is stored now, as far as this editor knows
    st.session_state[state.FLASH] = {"key": "final.saved" if mine != base else "final.no_changes"}
    data.clear()


def _keep_mine(plan_id: str, scope: str, scopes: list[str], editor: Editor) -> None:
    """on_click: save the editor's texts over the stored ones that clashed."""
    conflict = st.session_state.pop(_CONFLICT.format(scope=scope), None) or {}
    base = dict(st.session_state.get(_BASE.format(scope=scope)) or {})
    base.update({f: conflict.get("current", {}).get(f, "") for f in conflict.get("fields", {})})
    _save(plan_id, scope, scopes, editor, base)


def _take_theirs(scope: str) -> None:
    """on_click: put the saved texts into the fields that clashed; the editor's other edits stay."""
    conflict = st.session_state.pop(_CONFLICT.format(scope=scope), None) or {}
    base = st.session_state.setdefault(_BASE.format(scope=scope), {})
    for fld, theirs in conflict.get("fields", {}).items():
        st.session_state[_widget(scope, fld)] = theirs
        base[fld] = theirs


def _heading(plan: Plan, scope: str, lang: str) -> str:
    if scope == fe.PLAN_SCOPE:
        return t("final.scope.plan", lang)
    return t("final.scope.goal", lang, goal=scope, title=name(plan.goal(scope), lang, "title"))


def show(plan: Plan, plan_id: str, rows: dict[str, dict], editor: Editor | None, lang: str) -> None:
    """Every scope's conclusions: text areas and a save button for editors, the texts for viewers."""
    scopes = fe.scopes(plan)
    flash = st.session_state.pop(state.FLASH, None)
    if flash and "error" in flash:
        st.error(md_escape(flash["error"]))
    elif flash and flash.get("key", "").startswith("final."):
        st.success(t(flash["key"], lang), icon=":material/check_circle:")
    elif flash:
        st.session_state[state.FLASH] = flash  # another page's confirmation: not ours to show
    if editor is None:
        st.caption(t("final.viewer_note", lang))
    for scope in scopes:
        stored = _stored(rows, scope)
        st.subheader(_heading(plan, scope, lang))
        row = rows.get(scope)
        if row and row.get("updated_by"):
            st.caption(
                t(
                    "final.last_saved",
                    lang,
                    who=md_escape(row["updated_by"]),
                    when=md_escape(local_time(row["updated_at"], lang)),
                )
            )
        if editor is None:
            for fld in fe.CONCLUSION_FIELDS:
                st.markdown(f"**{t(f'final.field.{fld}', lang)}**")
                body = stored[fld]
                st.markdown(
                    "  \n".join(md_escape(line) for line in body.splitlines()) if body else t("final.empty", lang)
                )
            continue
        _follow_store(scope, stored)
        for fld in fe.CONCLUSION_FIELDS:
            st.text_area(t(f"final.field.{fld}", lang), key=_widget(scope, fld), height=110)
        conflict = st.session_state.get(_CONFLICT.format(scope=scope))
        if conflict:
            st.warning(t("final.conflict", lang, who=md_escape(conflict["by"] or "?")), icon="⚠️")
            for fld, theirs in conflict["fields"].items():
                st.caption(
                    t("final.conflict.field", lang, field=t(f"final.field.{fld}", lang), theirs=md_escape(theirs))
                )
            c1, c2 = st.columns(2)
            c1.button(
                t("final.keep_mine", lang),
                key=f"final_keep_{scope}",
                on_click=_keep_mine,
                args=(plan_id, scope, scopes, editor),
            )
            c2.button(t("final.take_theirs", lang), key=f"final_theirs_{scope}", on_click=_take_theirs, args=(scope,))
        st.button(
            t("final.save", lang),
            key=f"final_save_{scope}",
            type="primary",
            on_click=_save,
            args=(plan_id, scope, scopes, editor),
        )
