"""Who may edit: the policy, without Streamlit (the UI supplies the facts).

- OIDC configured in secrets ([auth]): a signed-in user edits, named by their account.
- Else an editor passcode configured: a person who gives it edits, under the name they type.
- Else nothing configured: only connections from this machine (loopback) may edit, so a
  locally started app works at once and a shared deployment stays read-only. A request that
  came through a proxy never counts as local (see ``is_local_connection``), and the setting
  ``local_editing`` switches local editing off altogether.

Passcode guessing is slowed down and then locked out per session and per server
(``signin_wait``); the failures themselves live in the store, shared by every app process.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from core.text import clean_name


class EditMode(StrEnum):
    OIDC = "oidc"
    PASSCODE = "passcode"
    LOOPBACK = "loopback"


def edit_mode(oidc_configured: bool, passcode: str | None) -> EditMode:
    """Which sign-in applies, from what is configured."""
    if oidc_configured:
        return EditMode.OIDC
    if passcode:
        return EditMode.PASSCODE
    return EditMode.LOOPBACK


def is_loopback(ip: str | None) -> bool:
    """True for 127.0.0.0/8 and ::1 (an unknown address is not loopback)."""
    if not ip:
        return False
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(addr, "ipv4_mapped", None)  # "::ffff:127.0.0.1" from a dual-stack listener
    return (mapped or addr).is_loopback


def host_is_loopback(host: str | None) -> bool:
    """True for a Host header naming this machine: localhost, 127.x.x.x or [::1], any port."""
    if not host:
        return False
    name = host.strip().lower()
    if name.startswith("["):  # [::1]:8501
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    return name == "localhost" or is_loopback(name)


def is_local_request(ip: str | None, host: str | None) -> bool:
    """Whether a request comes from this machine to this machine.

    Streamlit reports a loopback peer as ``None``, so an absent address counts only when the
    Host header names this machine too (a deployment behind a proxy is reached by its public
    name); both are required, so neither alone opens editing.
    """
    if ip is not None:
        return is_loopback(ip) and host_is_loopback(host)
    return host_is_loopback(host)


# Headers a reverse proxy adds. nginx's plain ``proxy_pass`` adds none of them (and rewrites Host
# to the upstream address), which is why the browser's Origin is checked as well.
PROXY_HEADERS = (
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-forwarded-port",
    "x-forwarded-server",
    "x-real-ip",
    "forwarded",
    "via",
    "x-original-forwarded-for",
)


def origin_is_loopback(origin: str | None) -> bool:
    """True for a browser Origin on this machine (http://localhost:8501, http://127.0.0.1…)."""
    if not origin:
        return False
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and host_is_loopback(parts.netloc)


def is_local_connection(ip: str | None, headers: Mapping[str, str] | None) -> bool:
    """Whether a connection comes from a browser or program on this machine, not through a proxy.

    All of: the peer address and the Host header are loopback (``is_local_request``); the
    browser's Origin, when sent, is loopback too (a proxy keeps the visitor's Origin even when it
    rewrites Host); and no proxy header at all is present (X-Forwarded-For, Forwarded, Via…).
    """
    lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
    if any(h in lowered for h in PROXY_HEADERS):
        return False
    if "origin" in lowered and not origin_is_loopback(lowered["origin"]):
        return False
    return is_local_request(ip, lowered.get("host"))


def passcode_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison (of digests, so not even the length leaks); an empty expected
    passcode never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(
        hashlib.sha256(given.encode("utf-8")).digest(), hashlib.sha256(expected.encode("utf-8")).digest()
    )


# ------------------------------------------------------------------------------------------
# Passcode guessing: after a few failures a growing wait, then a lock-out, per session and
# per server. Failures are counted in the store (one row per failure and key); this is only
# the policy: failure times in, how long to wait out.

SERVER_KEY = "server"
WINDOW_S = 15 * 60  # failures are counted over the last 15 minutes
FREE_FAILURES = 3  # a session's first failures are answered at once
MAX_DELAY_S = 60.0  # the growing wait after them: 2, 4, 8 … s, at most a minute
SESSION_LOCK_FAILURES = 10  # this many in the window locks the session's passcode sign-in…
SERVER_LOCK_FAILURES = 50  # …and this many over all sessions locks passcode sign-in everywhere
LOCK_S = 15 * 60  # for 15 minutes from the failure that reached the limit
HISTORY_S = WINDOW_S + LOCK_S  # how far back failures matter (older ones may be dropped)


class WaitReason(StrEnum):
    NONE = ""
    DELAY = "delay"  # this session failed a few times: wait a moment
    SESSION_LOCK = "session"  # this session failed too often: locked for a while
    SERVER_LOCK = "server"  # too many failures over all sessions: locked for everyone


@dataclass(frozen=True)
class SignInWait:
    """Whether a passcode may be tried now; if not, why and for how many seconds."""

    reason: WaitReason
    seconds: float

    @property
    def allowed(self) -> bool:
        return self.reason is WaitReason.NONE


def _locked_until(times: list[float], limit: int) -> float | None:
    """The end of a lock-out: LOCK_S after any failure that made ``limit`` within WINDOW_S."""
    until = None
    for i in range(limit - 1, len(times)):
        if times[i] - times[i - limit + 1] <= WINDOW_S:
            until = times[i] + LOCK_S
    return until


def signin_wait(session_failures: Iterable[float], server_failures: Iterable[float], now: float) -> SignInWait:
    """How long a session must wait before its next passcode try, from failure times (epoch seconds).

    Server lock first (it applies to every session), then the session's lock, then its delay:
    ``2 ** (n - FREE_FAILURES + 1)`` seconds after its latest failure once it has
    ``n >= FREE_FAILURES`` failures in the window, at most MAX_DELAY_S.
    """
    server = sorted(t for t in server_failures if now - HISTORY_S <= t <= now)
    until = _locked_until(server, SERVER_LOCK_FAILURES)
    if until is not None and until > now:
        return SignInWait(WaitReason.SERVER_LOCK, until - now)
    mine = sorted(t for t in session_failures if now - HISTORY_S <= t <= now)
    until = _locked_until(mine, SESSION_LOCK_FAILURES)
    if until is not None and until > now:
        return SignInWait(WaitReason.SESSION_LOCK, until - now)
    recent = [t for t in mine if t >= now - WINDOW_S and (until is None or t > until - LOCK_S)]
    if len(recent) >= FREE_FAILURES:
        delay = min(MAX_DELAY_S, 2.0 ** (len(recent) - FREE_FAILURES + 1))
        left = recent[-1] + delay - now
        if left > 0:
            return SignInWait(WaitReason.DELAY, left)
    return SignInWait(WaitReason.NONE, 0.0)


def clean_editor_name(name: str | None) -> str:
    """A display name for the history (``core.text.clean_name``): NFC, no invisible or direction
    characters, one line, at most 80 characters; empty if nothing visible is left."""
    return clean_name(name)
