"""The shared frame of every page: state, sidebar filters, legend, notices, sign-in."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core import auth, config
from core.charts import STATUS_ORDER, status_text
from core.i18n import LANGS, name, t
from core.model import Plan
from core.queries import Filters
from core.storage import Editor
from core.text import md_escape
from ui import data, state


@dataclass(frozen=True)
class PageContext:
    """What a page needs: the plan, the language, the filters and the editor (None = viewer)."""

    plan: Plan
    lang: str
    filters: Filters
    editor: Editor | None


def _secret(path: tuple[str, ...]) -> object:
    return data.secret(*path)


def oidc_configured() -> bool:
    """Whether an [auth] section for st.login is in the secrets."""
    return bool(_secret(("auth",)))


def configured_passcode() -> str:
    """Editor passcode from secrets [editing] passcode, else KYMLAPSET_EDITOR_PASSCODE."""
    return str(_secret(("editing", "passcode")) or config.get("editor_passcode") or "")


_EDITOR_THIS_RUN = "_editor_this_run"
_LOCAL_REQUEST = "_local_request"  # whether this session's connection comes from this machine
_UNSET = object()


def current_editor() -> Editor | None:
    """The signed-in editor, or None for a viewer (see core.auth for the policy)."""
    mode = auth.edit_mode(oidc_configured(), configured_passcode())
    if mode is auth.EditMode.OIDC:
        user = getattr(st, "user", None)
        if user is not None and user.get("is_logged_in"):
            return Editor(auth.clean_editor_name(user.get("name") or user.get("email") or "kirjautunut"))
        return None
    if mode is auth.EditMode.PASSCODE:
        if st.session_state.get(state.EDITOR_OK) and st.session_state.get(state.EDITOR_NAME):
            return Editor(auth.clean_editor_name(st.session_state[state.EDITOR_NAME]))
        return None
    local = st.session_state.get(_LOCAL_REQUEST)
    if local is None:  # a session's address and headers are those of its connection: ask once
        ip = getattr(st.context, "ip_address", None)
        host = (st.context.headers or {}).get("Host")
        local = st.session_state[_LOCAL_REQUEST] = auth.is_local_request(ip, host)
    if local:
        who = auth.clean_editor_name(st.session_state.get(state.EDITOR_NAME)) or "paikallinen käyttäjä"
        return Editor(who)
    return None


SIGN_IN_OPEN = "w_signin_open"


def _sign_in_box(lang: str) -> None:
    mode = auth.edit_mode(oidc_configured(), configured_passcode())
    editor = current_editor()
    st.session_state[_EDITOR_THIS_RUN] = editor  # page_context() takes it, instead of asking again
    box = st.sidebar.expander(t("auth.title", lang), expanded=False, key=SIGN_IN_OPEN, on_change="rerun")
    if not box.open:  # a lazy expander: its form is built only while it is open
        return
    with box:
        if editor:
            st.caption(t("auth.signed_in", lang, name=md_escape(editor.name)))
        if mode is auth.EditMode.OIDC:
            if editor:
                if st.button(t("auth.logout", lang), key="logout"):
                    st.logout()
            elif st.button(t("auth.login", lang), key="login"):
                st.login()
            return
        if mode is auth.EditMode.PASSCODE:
            if editor:
                if st.button(t("auth.logout", lang), key="logout"):
                    st.session_state[state.EDITOR_OK] = False
                    st.rerun()
                return
            with st.form("signin", clear_on_submit=False):
                who = st.text_input(t("auth.name", lang), key="signin_name", max_chars=80)
                code = st.text_input(t("auth.passcode", lang), type="password", key="signin_code")
                if st.form_submit_button(t("auth.submit", lang)):
                    if not auth.clean_editor_name(who):
                        st.error(t("auth.name_required", lang))
                    elif auth.passcode_matches(code, configured_passcode()):
                        st.session_state[state.EDITOR_NAME] = auth.clean_editor_name(who)
                        st.session_state[state.EDITOR_OK] = True
                        st.rerun()
                    else:
                        st.error(t("auth.wrong", lang))
            return
        if editor:  # the name lives under its own key: it must outlive the closed (unbuilt) expander
            st.text_input(t("auth.name", lang), value=st.session_state.get(state.EDITOR_NAME) or "",
                          key="w_editor_name", max_chars=80, on_change=state.mirror,
                          args=("w_editor_name", state.EDITOR_NAME))
        else:
            st.caption(t("auth.readonly", lang))


def sidebar(plan: Plan) -> None:
    """The shared sidebar: language, age group, actors, legend, sign-in."""
    lang = state.lang()
    sb = st.sidebar
    sb.markdown(f"**{md_escape(plan.meta.get('short_name') or plan.meta.get('name'))}**")
    sb.caption(md_escape(f"{plan.meta.get('region', '')} {plan.meta.get('period_start')}–{plan.meta.get('period_end')}"))
    sb.radio(
        t("sidebar.lang", lang), LANGS, index=LANGS.index(lang), horizontal=True, key="w_lang",
        format_func=lambda x: {"fi": "suomi", "en": "English"}[x],
        on_change=state.mirror, args=("w_lang", state.LANG),
    )
    lang = state.lang()
    # Widgets whose option labels depend on the language get a key per language: the browser keeps a
    # widget's value as its label, and an old-language label sent back after a switch is no option.
    groups = [None] + [g.group_id for g in sorted(plan.groups, key=lambda g: g.sort_order) if g.kind == "survey"]
    if state.get(state.GROUP) and state.get(state.GROUP) not in groups:  # a population band from a link
        groups.append(state.get(state.GROUP))
    group_names = {g.group_id: name(g, lang) for g in plan.groups}
    current = state.get(state.GROUP)
    sb.selectbox(
        t("sidebar.group", lang), groups, index=groups.index(current) if current in groups else 0,
        format_func=lambda g: t("sidebar.group.all", lang) if g is None else group_names[g], key=f"w_group_{lang}",
        on_change=state.mirror, args=(f"w_group_{lang}", state.GROUP),
    )
    actor_ids = [a.actor_id for a in plan.actors]
    actor_names = {a.actor_id: name(a, lang) for a in plan.actors}
    chosen = [a for a in (state.get(state.ACTORS) or []) if a in actor_ids]
    sb.multiselect(
        t("sidebar.actor", lang), actor_ids, default=chosen, format_func=lambda a: actor_names[a],
        placeholder=t("sidebar.actor.placeholder", lang), key=f"w_actors_{lang}",
        on_change=state.mirror, args=(f"w_actors_{lang}", state.ACTORS),
    )
    sb.markdown(f"**{t('sidebar.legend', lang)}**")
    sb.caption("  \n".join(status_text(s, lang) for s in STATUS_ORDER) + "  \n◆ " + t("area.koko_maa", lang))
    pending = st.session_state.get(state.PENDING) or {}
    if pending:
        sb.warning(t("sidebar.pending", lang, n=len(pending)))
    _sign_in_box(lang)
    sb.caption(t("sidebar.link", lang))


def page_context() -> PageContext:
    """Set up a page: load the plan, initialise state, show URL notices; return the context."""
    try:
        plan = data.plan()
    except ValueError as exc:  # PlanDataError: the data/ files are broken
        st.error(t("notice.data_error", state.lang(), error=md_escape(str(exc)[:2000])))
        st.stop()
    state.init_state(plan)
    lang = state.lang()
    notices = st.session_state.get(state.NOTICES) or []
    for param, value in notices:
        st.info(t("notice.bad_param", lang, param=md_escape(param), value=md_escape(value)), icon="ℹ️")
    st.session_state[state.NOTICES] = []
    filters = Filters(
        group=state.get(state.GROUP),
        actors=tuple(state.get(state.ACTORS) or ()),
        goal=state.get(state.GOAL),
        subgoal=state.get(state.SUBGOAL),
        category=state.get(state.CATEGORY),
        search=str(state.get(state.SEARCH) or ""),
        lang=lang,
    )
    editor = st.session_state.pop(_EDITOR_THIS_RUN, _UNSET)  # set by the sidebar earlier in this run
    return PageContext(plan=plan, lang=lang, filters=filters,
                       editor=current_editor() if editor is _UNSET else editor)


def _view_changed(widget_key: str, views_by_label: dict[str, str]) -> None:
    st.session_state[state.VIEW] = views_by_label.get(st.session_state.get(widget_key), None)


def view_tabs(views: list[str], lang: str, key: str, default: str | None = None):
    """Tabs of which only the open one runs (Streamlit's lazy tabs); returns (view id, its container).

    The open view lives in state.VIEW and so in the link (?nakyma=…): a copied link reopens the
    same tab, and moving between pages of the same kind (goal I → goal II) keeps it.
    """
    labels = [t(f"view.{v}", lang) for v in views]
    current = state.get(state.VIEW)
    current = current if current in views else (default if default in views else views[0])
    widget_key = f"w_view_{key}"
    tabs = st.tabs(labels, key=widget_key, default=labels[views.index(current)], on_change=_view_changed,
                   args=(widget_key, dict(zip(labels, views, strict=True))))
    for view, tab in zip(views, tabs, strict=True):
        if tab.open:
            return view, tab
    return current, tabs[views.index(current)]


def goal_filter(ctx: PageContext, key: str, where=st) -> str | None:
    """A "main goal" selectbox (None = all) that remembers its choice in state.GOAL (and the link)."""
    lang = ctx.lang
    goals = [None] + [g.goal_id for g in sorted(ctx.plan.goals, key=lambda g: g.number)]
    current = ctx.filters.goal if ctx.filters.goal in goals else None
    where.selectbox(t("measures.goal", lang), goals, index=goals.index(current), key=key,
                    format_func=lambda g: t("measures.goal.all", lang) if g is None else t("nav.goal", lang, goal=g),
                    on_change=state.mirror, args=(key, state.GOAL))
    return st.session_state.get(key, current)
