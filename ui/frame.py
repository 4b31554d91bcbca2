"""The shared frame of every page: state, sidebar filters, legend, notices, sign-in."""

from __future__ import annotations

import json
import logging
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from core.base import config
from core.base.i18n import LANGS, name, t, tn
from core.base.text import md_escape
from core.plan.loader import error_text
from core.plan.model import Plan, PlanInfo, PlanState
from core.serving import auth
from core.store import Editor, StoreError
from core.views.chart_style import STATUS_ORDER, status_text
from core.views.queries import Filters
from ui import data, filter_line, state

log = logging.getLogger("kymlapset.auth")


@dataclass(frozen=True)
class PageContext:
    """What a page needs: the plan, the language, the filters and the editor (None = viewer, or a plan
    that has ended: it is read-only). ``signed_in`` is the editor whatever the plan's state: the only
    page that writes to an ended plan (its final evaluation) and the import of indicator values
    (shared by every plan) go by it."""

    plan: Plan
    lang: str
    filters: Filters
    editor: Editor | None
    signed_in: Editor | None = None


def oidc_configured() -> bool:
    """Whether an [auth] section for st.login is in the secrets."""
    return bool(data.secret("auth"))


def configured_passcode() -> str:
    """Editor passcode (setting editor_passcode: secrets [editing] passcode, else KYMLAPSET_EDITOR_PASSCODE)."""
    return str(data.setting("editor_passcode") or "")


def local_editing_allowed() -> bool:
    """Setting local_editing: secrets [editing] local_editing, else KYMLAPSET_LOCAL_EDITING (default on).
    A value that is not a yes/no switches local editing off (the safe side)."""
    try:
        return config.parse_bool(data.setting("local_editing"))
    except ValueError:
        log.warning("local_editing is not true/false; local editing is off")
        return False


def trusted_proxies() -> tuple:
    """Setting trusted_proxies: secrets [editing] trusted_proxies, else KYMLAPSET_TRUSTED_PROXIES.
    An entry that is not an address trusts no proxy at all (the safe side)."""
    try:
        return auth.parse_networks(data.setting("trusted_proxies"))
    except ValueError:
        log.warning("trusted_proxies has an entry that is not an address or network; no proxy is trusted")
        return ()


def signin_seconds() -> float:
    """Setting signin_hours (secrets [editing] signin_hours, else KYMLAPSET_SIGNIN_HOURS), in seconds."""
    try:
        hours = float(data.setting("signin_hours"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        log.warning("signin_hours is not a number; a sign-in lasts until the tab is closed")
        return 0.0
    return max(0.0, min(hours, 24.0)) * 3600


_EDITOR_THIS_RUN = "_editor_this_run"
_LOCAL_REQUEST = "_local_request"  # whether this session's connection comes from this machine
_UNSET = object()


def current_editor() -> Editor | None:
    """The signed-in editor, or None for a viewer (see core.serving.auth for the policy)."""
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
        return _passcode_editor()
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
_CLIENT_KEY = "_signin_client"  # this session's client (its address), worked out once
_DAY_SIGNIN = "_signin_day"  # the day's token of this session's passcode sign-in (its cookie value)
_COOKIE_SEEN = "_signin_cookie_seen"  # the cookie value this session has already looked at
_COOKIE_TODO = "_signin_cookie_todo"  # a cookie to set ((value, max-age)) or clear (("", 0)) next run


# ---------------------------------------------------------------- signed in for the day
def _passcode_editor() -> Editor | None:
    """The passcode editor of this session: signed in here, or by a valid token in the browser's cookie.

    A session's own sign-in is checked against its token every run, so that a sign-out in another
    tab or a changed passcode ends it too. A token that cannot be checked just now (the database
    is away) neither signs anyone in nor out.
    """
    if st.session_state.get(state.EDITOR_OK) and st.session_state.get(state.EDITOR_NAME):
        value = st.session_state.get(_DAY_SIGNIN)
        try:
            ended = bool(value) and _valid_token(value) is None
        except StoreError as exc:
            log.warning("a sign-in token could not be checked (%s)", exc.key)
            ended = False
        if ended:
            _end_session_sign_in()
            return None
        return Editor(auth.clean_editor_name(st.session_state[state.EDITOR_NAME]), session=state.session_id())
    cookie = (st.context.cookies or {}).get(auth.EDITOR_COOKIE)  # sent with this session's connection
    if not cookie or st.session_state.get(_COOKIE_SEEN) == cookie:
        return None
    try:
        token = _valid_token(cookie)
    except StoreError as exc:  # looked at again at the next run
        log.warning("a sign-in token could not be checked (%s)", exc.key)
        return None
    st.session_state[_COOKIE_SEEN] = cookie  # looked at once per session: a signed-out cookie stays out
    if token is None:  # expired, signed out, or made under an old passcode: the browser forgets it
        st.session_state[_COOKIE_TODO] = ("", 0)
        return None
    st.session_state[state.EDITOR_NAME] = token.name
    st.session_state[state.EDITOR_OK] = True
    st.session_state[_DAY_SIGNIN] = cookie
    return Editor(token.name, session=state.session_id())


def _valid_token(value: str) -> auth.EditorToken | None:
    """The token if it is genuine, unexpired, made under today's passcode and not signed out
    (StoreError when the store cannot say)."""
    token = auth.read_editor_token(value, data.store().signin_secret(), configured_passcode(), time.time())
    if token is not None and data.store().signin_token_ended(token.token_id):
        return None
    return token


def _new_token(name: str) -> str | None:
    """A signed token for a day's sign-in as ``name``; None when sign-ins last only the session."""
    seconds = signin_seconds()
    if seconds <= 0:
        return None
    token = auth.EditorToken(name, secrets.token_hex(16), time.time() + seconds)
    try:
        return auth.make_editor_token(token, data.store().signin_secret(), configured_passcode())
    except StoreError as exc:
        log.warning("no sign-in token could be made (%s); the sign-in lasts this session", exc.key)
        return None


def _sign_in(name: str) -> None:
    """Sign this session in as ``name`` and have the browser keep the day's token."""
    st.session_state[state.EDITOR_NAME] = auth.clean_editor_name(name)
    st.session_state[state.EDITOR_OK] = True
    value = _new_token(name)
    st.session_state[_DAY_SIGNIN] = value
    if value:
        st.session_state[_COOKIE_TODO] = (value, int(signin_seconds()))


def _end_session_sign_in() -> None:
    st.session_state[state.EDITOR_OK] = False
    st.session_state[_DAY_SIGNIN] = None
    st.session_state[_COOKIE_TODO] = ("", 0)


def sign_out() -> None:
    """End this browser's passcode sign-in: the token is ended in the store and its cookie removed."""
    value = st.session_state.get(_DAY_SIGNIN)
    token = auth.read_editor_token(value, _secret_or_empty(), configured_passcode(), time.time()) if value else None
    if token is not None:
        try:
            data.store().end_signin_token(token.token_id, token.expires)
        except StoreError as exc:  # the cookie is removed all the same; the token expires by itself
            log.warning("a sign-out could not be recorded (%s)", exc.key)
    _end_session_sign_in()


def _secret_or_empty() -> str:
    try:
        return data.store().signin_secret()
    except StoreError:
        return ""


def _write_cookie() -> None:
    """Set or clear the sign-in cookie in the browser, if a sign-in or sign-out asked for it.

    Streamlit cannot answer with a Set-Cookie header, so a script does it (``st.html`` runs it in
    the page itself); the next connection of this browser (a reload, a new tab) sends it.
    """
    todo = st.session_state.pop(_COOKIE_TODO, None)
    if todo is None:
        return
    value, max_age = todo
    cookie = f"{auth.EDITOR_COOKIE}={value}; Max-Age={int(max_age)}; Path=/; SameSite=Strict"
    # The value is made of base64url characters and dots only (auth.make_editor_token).
    st.sidebar.html(
        "<script>document.cookie = "
        + json.dumps(cookie)
        + ' + (location.protocol === "https:" ? "; Secure" : "");</script>',
        unsafe_allow_javascript=True,
        width="content",
    )


# ---------------------------------------------------------------- passcode guessing
def _client_key() -> str:
    """This session's client, for counting its wrong passcodes: its address (see auth.client_address)."""
    key = st.session_state.get(_CLIENT_KEY)
    if key is None:  # a session's address and headers are those of its connection: worked out once
        peer = getattr(st.context, "ip_address", None)
        headers = st.context.headers
        address = auth.client_address(
            peer if isinstance(peer, str) else None,  # None: loopback (or no connection, as under AppTest)
            headers if isinstance(headers, Mapping) else {},
            trusted_proxies(),
        )
        key = st.session_state[_CLIENT_KEY] = auth.CLIENT_PREFIX + address
    return key


def _duration_text(seconds: float, lang: str) -> str:
    if seconds < 120:
        return t("auth.seconds", lang, n=math.ceil(seconds))
    return t("auth.minutes", lang, n=math.ceil(seconds / 60))


def _wait_text(wait: auth.SignInWait, lang: str) -> str:
    key = "auth.wait_server" if wait.reason is auth.WaitReason.SERVER_DELAY else "auth.wait_client"
    return t(key, lang, wait=_duration_text(wait.seconds, lang))


def _passcode_wait(keys: list[str], now: float, withdrawn: float | None = None) -> auth.SignInWait:
    """How long this client waits before its next try, from the failures in the store (raises
    StoreError when they cannot be read). ``withdrawn``: one failure at that time is this try's own."""
    times = data.store().signin_failure_times(keys, now - auth.HISTORY_S)
    if withdrawn is not None:
        for key in keys:
            if withdrawn in times[key]:
                times[key].remove(withdrawn)
    client, session, server = (times[k] for k in keys)
    return auth.signin_wait(client, session, server, now)


def try_passcode(who: str, code: str, lang: str) -> str | None:
    """Check a passcode under the guessing limits; sign in and rerun, or return the refusal to show.

    A try while the client must wait is refused without looking at the code (and is no failure).
    Otherwise the try is counted as a failure first, for the client, the session and the server,
    and only then is the code looked at: a try that cannot be counted (a read-only store, a full
    disk) is refused, so guessing is never free. A right code takes its count back.
    """
    session_key = auth.SESSION_PREFIX + st.session_state.setdefault(_SIGNIN_KEY, secrets.token_hex(8))
    client_key = _client_key()
    keys = [client_key, session_key, auth.SERVER_KEY]
    now = time.time()
    store = data.store()
    try:
        wait = _passcode_wait(keys, now)
        if not wait.allowed:
            return _wait_text(wait, lang)
        store.record_signin_failure(keys, now, now - auth.HISTORY_S)
        # Another app process may have counted a try of this client at the same moment.
        wait = _passcode_wait(keys, now, withdrawn=now)
        if not wait.allowed:
            store.withdraw_signin_failure(keys, now)
            return _wait_text(wait, lang)
    except StoreError as exc:
        log.warning("passcode sign-in refused: wrong passcodes cannot be counted (%s)", exc.key)
        return t("auth.cannot_count", lang)
    if auth.passcode_matches(code, configured_passcode()):
        try:
            store.withdraw_signin_failure(keys, now)
            store.clear_signin_failures(session_key)
            store.clear_signin_failures(client_key)
        except StoreError as exc:
            log.warning("a right passcode's count could not be taken back (%s)", exc.key)
        _sign_in(who)
        st.rerun()
    try:
        after = _passcode_wait(keys, now + 0.001)
    except StoreError:
        after = auth.SignInWait(auth.WaitReason.NONE, 0.0)
    log.warning(
        "editor sign-in failed (%s, session %s)%s",
        client_key,
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
                if st.session_state.get(_DAY_SIGNIN):  # kept in a cookie (signin_hours > 0)
                    st.caption(t("auth.signed_in_day", lang))
                if st.button(t("auth.logout", lang), key="logout"):
                    sign_out()
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


def setup() -> Plan:
    """The one setup of a page run, done once per run (the router does it first; a page alone, as under
    AppTest, through ui.router.page_context): the plan this run shows — the link's ?suunnitelma= on a
    session's first run, then the sidebar's choice; without either, or for an unknown id, the plan in
    force today (else the newest) — and the session's state for it. Broken data: a message, stop."""
    memo = st.session_state.get(state.PLAN_THIS_RUN)
    if memo is not None:
        return memo
    lang = state.lang()
    try:
        data.data_plan()  # a broken data/ (the catalogue every plan shares) is said at once
        known = {p.plan_id for p in data.plans()}
        plan_id = state.init_plan(known, data.default_plan_id())
        plan = data.plan_at(data.source()._replace(plan_id=plan_id), data.version())
    except ValueError as exc:  # PlanDataError: the plan's data is broken: say so in Finnish, do not crash
        st.error(t("notice.data_error", lang, error=md_escape(error_text(exc, lang)[:2000])))
        st.stop()
    state.fit_to_plan(plan)
    state.init_state(plan)
    st.session_state[state.PLAN_THIS_RUN] = plan
    return plan


def plan_label(info: PlanInfo, lang: str) -> str:
    """A plan as the picker shows it: period and state first, where a narrow sidebar still shows them
    ("2020–2025 · päättynyt · Kymenlaakson …"), then its name."""
    title = info.name_en if lang == "en" and info.name_en else info.name_fi
    return f"{info.period_start}–{info.period_end} · {t(f'plans.state.{info.state}', lang)} · {title}"


def _plan_picker(plan: Plan, lang: str) -> None:
    """The sidebar's plan choice; a new choice reruns the page for that plan (and names it in the link)."""
    infos = data.plans()
    ids = [p.plan_id for p in infos]
    labels = {p.plan_id: plan_label(p, lang) for p in infos}
    key = f"w_plan_{lang}"
    if st.session_state.get(key) != plan.plan_id:  # the plan came from a link or a page (a new draft)
        st.session_state[key] = plan.plan_id
    st.sidebar.selectbox(
        t("plans.picker", lang),
        ids,
        format_func=lambda p: labels.get(p, p),
        key=key,
        on_change=state.mirror,
        args=(key, state.PLAN),
    )


def plan_banner(plan: Plan, lang: str) -> None:
    """An ended plan is read-only (but its final evaluation); a draft is not in force yet: say so."""
    if plan.state == PlanState.ENDED:
        st.info(t("plans.banner.ended", lang, start=plan.period_start, end=plan.period_end), icon=":material/lock:")
    elif plan.state == PlanState.DRAFT:
        st.warning(t("plans.banner.draft", lang), icon=":material/edit_note:")


def sidebar(plan: Plan) -> None:
    """The shared sidebar: plan, language, age group, actors, legend, sign-in."""
    lang = state.lang()
    sb = st.sidebar
    _plan_picker(plan, lang)
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
    groups = [None] + [g.group_id for g in plan.groups_in_order() if g.kind == "survey"]
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
    _write_cookie()  # last in the sidebar: its (empty) element moves nothing the user sees


def context(plan: Plan) -> PageContext:
    """What a page of ``plan`` is given (ui.router.page_context): the link's notices shown, the filters, the editor."""
    lang = state.lang()
    unknown_plan = state.plan_notice()
    if unknown_plan is not None:  # the link named a plan the store does not have: the default opened
        st.info(
            t(
                unknown_plan.key,
                lang,
                value=md_escape(unknown_plan.value),
                plan=md_escape(plan_label(plan.info, lang)),
            ),
            icon="ℹ️",
        )
    plan_banner(plan, lang)
    notices = st.session_state.get(state.NOTICES) or []
    ignored = st.session_state.get(state.NOTICES_IGNORED) or len(notices)
    if ignored > len(notices):  # a link full of junk: one sentence with a count, not a box each
        examples = ", ".join(f"'{md_escape(n.param)}'" for n in notices)
        st.info(tn("notice.many_params", ignored, lang, examples=examples), icon="ℹ️")
    else:
        for notice in notices:  # core.serving.urlstate.Notice: an unknown parameter, or an unknown value of one
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
    signed_in = current_editor() if editor is _UNSET else editor
    return PageContext(
        plan=plan,
        lang=lang,
        filters=filters,
        editor=None if plan.state == PlanState.ENDED else signed_in,
        signed_in=signed_in,
    )


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
    goals = [None] + [g.goal_id for g in ctx.plan.goals_in_order()]
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
