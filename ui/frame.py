"""The shared frame of every page: state, sidebar filters, legend, notices, sign-in."""

from __future__ import annotations

import logging
import math
import secrets
import time
from dataclasses import dataclass

import streamlit as st

from core import auth, config
from core.charts import STATUS_ORDER, status_text
from core.i18n import LANGS, name, t, tn
from core.loader import error_text
from core.model import Plan
from core.queries import Filters
from core.storage import Editor, StoreError
from core.text import md_escape
from ui import data, filter_line, state

log = logging.getLogger("kymlapset.auth")


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


def local_editing_allowed() -> bool:
    """Setting local_editing: secrets [editing] local_editing, else KYMLAPSET_LOCAL_EDITING (default on).
    A value that is not a yes/no switches local editing off (the safe side)."""
    raw = _secret(("editing", "local_editing"))
    try:
        return config.parse_bool(raw) if raw is not None else bool(config.get("local_editing"))
    except ValueError:
        log.warning("local_editing is not true/false; local editing is off")
        return False


_EDITOR_THIS_RUN = "_editor_this_run"
_LOCAL_REQUEST = "_local_request"  # whether this session's connection comes from this machine
_UNSET = object()


def current_editor() -> Editor | None:
    """The signed-in editor, or None for a viewer (see core.auth for the policy)."""
    if _showing_fallback():  # the store is broken: the plan from data/ is shown read-only to all
        return None
    mode = auth.edit_mode(oidc_configured(), configured_passcode())
    if mode is auth.EditMode.OIDC:
        user = getattr(st, "user", None)
        if user is not None and user.get("is_logged_in"):
            who = auth.clean_editor_name(user.get("name") or user.get("email") or "kirjautunut")
            return Editor(who, session=state.session_id())
        return None
    if mode is auth.EditMode.PASSCODE:
        if st.session_state.get(state.EDITOR_OK) and st.session_state.get(state.EDITOR_NAME):
            return Editor(auth.clean_editor_name(st.session_state[state.EDITOR_NAME]), session=state.session_id())
        return None
    local = st.session_state.get(_LOCAL_REQUEST)
    if local is None:  # a session's address and headers are those of its connection: ask once
        ip = getattr(st.context, "ip_address", None)
        headers = st.context.headers or {}  # the WebSocket upgrade request's: Host, Origin, any proxy's
        local = st.session_state[_LOCAL_REQUEST] = local_editing_allowed() and auth.is_local_connection(ip, headers)
    if local:
        who = auth.clean_editor_name(st.session_state.get(state.EDITOR_NAME)) or "paikallinen käyttäjä"
        return Editor(who, session=state.session_id())
    return None


def _showing_fallback() -> bool:
    """Whether the store is broken and the plan from data/ is shown read-only (nobody edits then)."""
    problem = data.store_problem()
    return problem is not None and problem[1]


SIGN_IN_OPEN = "w_signin_open"
_SIGNIN_KEY = "_signin_key"  # this session's key for counting wrong passcodes in the store


def _wait_text(wait: auth.SignInWait, lang: str) -> str:
    if wait.reason is auth.WaitReason.DELAY:
        return t("auth.wait_delay", lang, seconds=math.ceil(wait.seconds))
    key = "auth.locked_server" if wait.reason is auth.WaitReason.SERVER_LOCK else "auth.locked_session"
    return t(key, lang, minutes=max(1, math.ceil(wait.seconds / 60)))


def _passcode_wait(session_key: str, now: float) -> auth.SignInWait:
    """How long this session waits before its next try, from the failures in the store."""
    try:
        times = data.store().signin_failure_times([session_key, auth.SERVER_KEY], now - auth.HISTORY_S)
    except StoreError:  # the store cannot be read: no count to go by, so nothing to wait for
        return auth.SignInWait(auth.WaitReason.NONE, 0.0)
    return auth.signin_wait(times[session_key], times[auth.SERVER_KEY], now)


def try_passcode(who: str, code: str, lang: str) -> str | None:
    """Check a passcode under the guessing limits; sign in and rerun, or return the refusal to show.

    A try while the session must wait is refused without looking at the code (and is no failure);
    a wrong code is counted in the store for this session and the server, and logged without it.
    """
    session_key = st.session_state.setdefault(_SIGNIN_KEY, secrets.token_hex(8))
    now = time.time()
    wait = _passcode_wait(session_key, now)
    if not wait.allowed:
        return _wait_text(wait, lang)
    if auth.passcode_matches(code, configured_passcode()):
        try:
            data.store().clear_signin_failures(session_key)
        except StoreError:
            pass
        st.session_state[state.EDITOR_NAME] = auth.clean_editor_name(who)
        st.session_state[state.EDITOR_OK] = True
        st.rerun()
    try:
        data.store().record_signin_failure([session_key, auth.SERVER_KEY], now, now - auth.HISTORY_S)
    except StoreError as exc:
        log.warning("a wrong passcode could not be counted (%s)", exc.key)
    after = _passcode_wait(session_key, now)
    log.warning(
        "editor sign-in failed (session %s)%s",
        session_key,
        "" if after.allowed else f"; next try waits ({after.reason.value}) {math.ceil(after.seconds)} s",
    )
    return t("auth.wrong", lang) + ("" if after.allowed else " " + _wait_text(after, lang))


def _sign_in_box(lang: str) -> None:
    mode = auth.edit_mode(oidc_configured(), configured_passcode())
    editor = current_editor()
    st.session_state[_EDITOR_THIS_RUN] = editor  # page_context() takes it, instead of asking again
    box = st.sidebar.expander(t("auth.title", lang), expanded=False, key=SIGN_IN_OPEN, on_change="rerun")
    if not box.open:  # a lazy expander: its form is built only while it is open
        return
    with box:
        if _showing_fallback():
            st.caption(t("notice.store_read_only", lang))
            return
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
                    elif refusal := try_passcode(who, code, lang):
                        st.error(refusal)
            return
        if editor:  # the name lives under its own key: it must outlive the closed (unbuilt) expander
            st.text_input(
                t("auth.name", lang),
                value=st.session_state.get(state.EDITOR_NAME) or "",
                key="w_editor_name",
                max_chars=80,
                on_change=state.mirror,
                args=("w_editor_name", state.EDITOR_NAME),
            )
            typed = st.session_state.get(state.EDITOR_NAME) or ""
            if typed.strip() and not auth.clean_editor_name(typed):  # only invisible characters
                st.error(t("auth.name_required", lang))
        else:
            st.caption(t("auth.readonly", lang))


def sidebar(plan: Plan) -> None:
    """The shared sidebar: language, age group, actors, legend, sign-in."""
    lang = state.lang()
    sb = st.sidebar
    sb.markdown(f"**{md_escape(plan.meta.get('short_name') or plan.meta.get('name'))}**")
    sb.caption(
        md_escape(f"{plan.meta.get('region', '')} {plan.meta.get('period_start')}–{plan.meta.get('period_end')}")
    )
    sb.radio(
        t("sidebar.lang", lang),
        LANGS,
        index=LANGS.index(lang),
        horizontal=True,
        key="w_lang",
        format_func=lambda x: {"fi": "suomi", "en": "English"}[x],
        on_change=state.mirror,
        args=("w_lang", state.LANG),
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
        t("sidebar.group", lang),
        groups,
        index=groups.index(current) if current in groups else 0,
        format_func=lambda g: t("sidebar.group.all", lang) if g is None else group_names[g],
        key=f"w_group_{lang}",
        placeholder=t("widget.placeholder", lang),
        on_change=state.mirror,
        args=(f"w_group_{lang}", state.GROUP),
    )
    actor_ids = [a.actor_id for a in plan.actors]
    actor_names = {a.actor_id: name(a, lang) for a in plan.actors}
    chosen = [a for a in (state.get(state.ACTORS) or []) if a in actor_ids]
    sb.multiselect(
        t("sidebar.actor", lang),
        actor_ids,
        default=chosen,
        format_func=lambda a: actor_names[a],
        placeholder=t("sidebar.actor.placeholder", lang),
        key=f"w_actors_{lang}",
        on_change=state.mirror,
        args=(f"w_actors_{lang}", state.ACTORS),
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
    from ui.router import ensure_routed  # noqa: PLC0415 - the router imports this module

    ensure_routed()  # a page opened by Streamlit's folder mode (first deep link after a start)
    try:
        plan = data.plan()
    except ValueError as exc:  # PlanDataError: the data/ files are broken
        st.error(t("notice.data_error", state.lang(), error=md_escape(error_text(exc, state.lang())[:2000])))
        st.stop()
    state.init_state(plan)
    lang = state.lang()
    notices = st.session_state.get(state.NOTICES) or []
    ignored = st.session_state.get(state.NOTICES_IGNORED) or len(notices)
    if ignored > len(notices):  # a link full of junk: one sentence with a count, not a box each
        examples = ", ".join(f"'{md_escape(n.param)}'" for n in notices)
        st.info(tn("notice.many_params", ignored, lang, examples=examples), icon="ℹ️")
    else:
        for notice in notices:  # core.urlstate.Notice: an unknown parameter, or an unknown value of one
            st.info(t(notice.key, lang, param=md_escape(notice.param), value=md_escape(notice.value)), icon="ℹ️")
    st.session_state[state.NOTICES] = []
    st.session_state[state.NOTICES_IGNORED] = 0
    problem = data.store_problem()
    if problem is not None:  # a broken store: say what happened and what to do, and go on read-only
        exc, fallback = problem
        if fallback:
            st.error(t("notice.store_fallback", lang, problem=md_escape(exc.text(lang))), icon="⚠️")
        else:
            st.warning(t("notice.store_read_only", lang), icon="⚠️")
    filters = Filters(
        group=state.get(state.GROUP),
        actors=tuple(state.get(state.ACTORS) or ()),
        goal=state.get(state.GOAL),
        subgoal=state.get(state.SUBGOAL),
        category=state.get(state.CATEGORY),
        search=str(state.get(state.SEARCH) or ""),
        lang=lang,
    )
    filter_line.show(plan, filters, lang)  # the sidebar is hidden on a phone: say what is filtered
    editor = st.session_state.pop(_EDITOR_THIS_RUN, _UNSET)  # set by the sidebar earlier in this run
    return PageContext(plan=plan, lang=lang, filters=filters, editor=current_editor() if editor is _UNSET else editor)


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
    tabs = st.tabs(
        labels,
        key=widget_key,
        default=labels[views.index(current)],
        on_change=_view_changed,
        args=(widget_key, dict(zip(labels, views, strict=True))),
    )
    for view, tab in zip(views, tabs, strict=True):
        if tab.open:
            return view, tab
    return current, tabs[views.index(current)]


def goal_filter(ctx: PageContext, key: str, where=st) -> str | None:
    """A "main goal" selectbox (None = all) that remembers its choice in state.GOAL (and the link)."""
    lang = ctx.lang
    goals = [None] + [g.goal_id for g in sorted(ctx.plan.goals, key=lambda g: g.number)]
    current = ctx.filters.goal if ctx.filters.goal in goals else None
    where.selectbox(
        t("measures.goal", lang),
        goals,
        index=goals.index(current),
        key=key,
        placeholder=t("widget.placeholder", lang),
        format_func=lambda g: t("measures.goal.all", lang) if g is None else t("nav.goal", lang, goal=g),
        on_change=state.mirror,
        args=(key, state.GOAL),
    )
    return st.session_state.get(key, current)
