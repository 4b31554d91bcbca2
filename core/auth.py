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
        return ipaddress.ip_address(ip.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def passcode_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an empty expected passcode never matches."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def clean_editor_name(name: str | None) -> str:
    """A display name for the history: trimmed, one line, at most 80 characters."""
    text = " ".join((name or "").split())
    return text[:80]
