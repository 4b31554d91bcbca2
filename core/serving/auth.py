"""Who may edit: the policy, without Streamlit (the UI supplies the facts).

- OIDC configured in secrets ([auth]): a signed-in user edits, named by their account.
- Else an editor passcode configured: a person who gives it edits, under the name they type.
- Else nothing configured: only connections from this machine (loopback) may edit, so a
  locally started app works at once and a shared deployment stays read-only. A request that
  came through a proxy never counts as local (see ``is_local_connection``), and the setting
  ``local_editing`` switches local editing off altogether.

Passcode guessing is slowed down per client address and per session, more so while the whole
service sees many failures, but never locked (``signin_wait``); the failures live in the store,
shared by every app process. A passcode sign-in is kept for a working day in a signed cookie
(``make_editor_token``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from core.base.text import clean_name


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
# Passcode guessing: a growing wait, never a lock. Failures are counted in the store (one row per
# failure and key: the client's address, the session, "server"); this is only the policy: failure
# times in, how long to wait out. Nothing here can shut the group out: a client that has not been
# guessing is never made to wait, so the real editor's right passcode from their own browser goes
# through however many wrong ones come from elsewhere.

SERVER_KEY = "server"
CLIENT_PREFIX = "client:"
SESSION_PREFIX = "session:"
WINDOW_S = 60 * 60  # a client's and a session's failures are counted over the last hour
FREE_FAILURES = 3  # their first failures are answered at once (typos happen)
MAX_DELAY_S = 5 * 60  # the growing wait after them: 2, 4, 8 … s after the latest, at most 5 min
SERVER_WINDOW_S = 15 * 60  # failures over the whole service, over the last 15 minutes…
SERVER_FREE_FAILURES = 30  # …beyond this many lengthen the wait of every client that has failed
HISTORY_S = WINDOW_S  # how far back failures matter (older ones may be dropped)


class WaitReason(StrEnum):
    NONE = ""
    DELAY = "delay"  # this client or session failed a few times: wait a while
    SERVER_DELAY = "server"  # many failures over the whole service: every client that failed waits longer


@dataclass(frozen=True)
class SignInWait:
    """Whether a passcode may be tried now; if not, why and for how many seconds."""

    reason: WaitReason
    seconds: float

    @property
    def allowed(self) -> bool:
        return self.reason is WaitReason.NONE


def own_delay(failures: int) -> float:
    """The wait after a client's or session's latest failure, from how many it has in the window."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_S, 2.0 ** (failures - FREE_FAILURES + 1))


def server_delay(failures: int) -> float:
    """The least wait after a failing client's latest failure, from the service's recent failures:
    2 s at SERVER_FREE_FAILURES, doubling every 5 more, at most MAX_DELAY_S."""
    if failures < SERVER_FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_S, 2.0 ** ((failures - SERVER_FREE_FAILURES) / 5 + 1))


def signin_wait(
    client_failures: Iterable[float],
    session_failures: Iterable[float],
    server_failures: Iterable[float],
    now: float,
) -> SignInWait:
    """How long a client must wait before its next passcode try, from failure times (epoch seconds).

    The client's (its address's) and the session's own failures each ask for ``own_delay`` after
    their latest; when the whole service has seen many failures lately, a client that has failed
    itself waits at least ``server_delay`` after its latest. A client with no failures of its own
    never waits. The longest of these applies.
    """
    client = sorted(t for t in client_failures if now - WINDOW_S <= t <= now)
    session = sorted(t for t in session_failures if now - WINDOW_S <= t <= now)
    if not client and not session:
        return SignInWait(WaitReason.NONE, 0.0)
    waits = [(t[-1] + own_delay(len(t)) - now, WaitReason.DELAY) for t in (client, session) if t]
    latest = max(client[-1:] + session[-1:])
    server = sum(1 for t in server_failures if now - SERVER_WINDOW_S <= t <= now)
    waits.append((latest + server_delay(server) - now, WaitReason.SERVER_DELAY))
    left, reason = max(waits, key=lambda w: w[0])
    return SignInWait(reason, left) if left > 0 else SignInWait(WaitReason.NONE, 0.0)


# ------------------------------------------------------------------------------------------
# Whose failures: the client's address. Streamlit gives the connection's peer (the server,
# uvicorn, already replaces a loopback peer by the X-Forwarded-For it sends: a proxy on this
# machine); a forwarded address is believed only from a proxy the setting trusted_proxies names.


def parse_networks(raw: object) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses or networks from a comma- or space-separated text (or a list); ValueError on a bad one."""
    items = raw if isinstance(raw, list | tuple) else str(raw or "").replace(",", " ").split()
    return tuple(ipaddress.ip_network(str(item).strip(), strict=False) for item in items if str(item).strip())


def _ip(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        addr = ipaddress.ip_address(str(text).strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None
    return getattr(addr, "ipv4_mapped", None) or addr


def client_address(
    peer: str | None,
    headers: Mapping[str, str] | None,
    trusted: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network] = (),
) -> str:
    """The address a client's wrong passcodes are counted under.

    The peer (``None`` is Streamlit's loopback); only when the peer is a trusted proxy, the
    X-Forwarded-For entry nearest to it that is not itself a trusted proxy. An IPv6 client is its
    /64 network (one household or machine gets a whole /64).
    """
    trusted = tuple(trusted)
    addr = _ip(peer) if peer is not None else ipaddress.ip_address("127.0.0.1")

    def is_trusted(a) -> bool:
        return any(a.version == n.version and a in n for n in trusted)

    if addr is not None and is_trusted(addr):
        lowered = {str(k).lower(): v for k, v in (headers or {}).items()}
        hops = [h.strip() for h in str(lowered.get("x-forwarded-for") or "").split(",") if h.strip()]
        for hop in reversed(hops):  # the right end was written by our proxy; the left end by anyone
            hop_addr = _ip(hop)
            if hop_addr is None:
                break
            addr = hop_addr
            if not is_trusted(hop_addr):
                break
    if addr is None:
        return str(peer)[:60]
    if addr.version == 6:
        return str(ipaddress.ip_network(f"{addr}/64", strict=False))
    return str(addr)


# ------------------------------------------------------------------------------------------
# Signed in for the working day: a passcode sign-in is kept in a cookie as a signed, expiring
# token. It carries the editor's name, an id (so that signing out can end it) and its expiry;
# never the passcode. The key is derived from a secret kept in the store (every app process
# agrees) and the passcode's digest, so a changed passcode makes every old token worthless.

EDITOR_COOKIE = "kymlapset_editor"
_COOKIE_FORMAT = "1"


@dataclass(frozen=True)
class EditorToken:
    """What a valid token says: who, which sign-in, until when (epoch seconds)."""

    name: str
    token_id: str
    expires: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _token_mac(body: str, secret: str, passcode: str) -> bytes:
    key = hmac.new(secret.encode("utf-8"), hashlib.sha256(passcode.encode("utf-8")).digest(), "sha256").digest()
    return hmac.new(key, body.encode("ascii"), "sha256").digest()


def make_editor_token(token: EditorToken, secret: str, passcode: str) -> str:
    """The cookie value for ``token``: version, expiry, id and name, and their HMAC."""
    if not secret or not passcode:
        raise ValueError("a token needs the store's secret and a passcode")
    body = ".".join(
        [_COOKIE_FORMAT, str(int(token.expires)), token.token_id, _b64(clean_editor_name(token.name).encode())]
    )
    return body + "." + _b64(_token_mac(body, secret, passcode))


def read_editor_token(value: str | None, secret: str, passcode: str, now: float) -> EditorToken | None:
    """The token in a cookie value if it is genuine, made under this passcode and not expired; else None."""
    if not value or not secret or not passcode or len(value) > 400:
        return None
    parts = value.split(".")
    if len(parts) != 5 or parts[0] != _COOKIE_FORMAT:
        return None
    body = ".".join(parts[:4])
    try:
        good = hmac.compare_digest(_unb64(parts[4]), _token_mac(body, secret, passcode))
        expires = float(int(parts[1]))
        name = clean_editor_name(_unb64(parts[3]).decode("utf-8"))
    except (ValueError, UnicodeError):
        return None
    if not good or expires <= now or not name or not parts[2].isalnum():
        return None
    return EditorToken(name, parts[2], expires)


def clean_editor_name(name: str | None) -> str:
    """A display name for the history (``core.base.text.clean_name``): NFC, no invisible or direction
    characters, one line, at most 80 characters; empty if nothing visible is left."""
    return clean_name(name)
