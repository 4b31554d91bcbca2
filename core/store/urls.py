"""Database URLs: how one may be shown, and the file of a SQLite one."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url


def shown_url(url: str) -> str:
    """A database URL as it may be shown (password hidden); "?" for one that cannot be parsed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (sa_exc.SQLAlchemyError, ValueError):
        return "?"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (``sqlite:///path``, ``sqlite:///file:path?mode=ro&uri=true``), or None."""
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite"):
        return None
    name = parsed.database or ""
    if name.startswith("file:"):
        if parsed.query.get("mode") == "memory":
            return None
        name = name[len("file:") :]
    if not name or name == ":memory:":
        return None
    return Path(name)
