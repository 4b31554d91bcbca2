"""Who may edit: the policy, without Streamlit (the UI supplies the facts).

- OIDC configured in secrets ([auth]): a signed-in user edits, named by their account.
- Else an editor passcode configured: a person who gives it edits, under the name they type.
- Else nothing configured: only connections from this machine (loopback) may edit, so a
  locally started app works at once and a shared deployment stays read-only.
"""

from __future__ import annotations

import hmac
import ipaddress
from enum import StrEnum


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


def passcode_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an empty expected passcode never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def clean_editor_name(name: str | None) -> str:
    """A display name for the history: trimmed, one line, at most 80 characters."""
    text = " ".join((name or "").split())
    return text[:80]
