"""Data access for pages: thin cached wrappers around core loaders and the store.

Caches are keyed by the store's data version, so a save (which bumps it) is seen at once
by every session; ``clear()`` after a save drops stale frames.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from core import config
from core.loader import load_plan
from core.model import Plan
from core.storage import Store


def database_url() -> str:
    """The store URL: secrets [connections.plan] url, else KYMLAPSET_DATABASE_URL, else SQLite."""
    try:
        url = st.secrets.get("connections", {}).get("plan", {}).get("url", "")
    except (FileNotFoundError, KeyError, AttributeError):
        url = ""
    except Exception:  # noqa: BLE001 - a malformed secrets file must not stop a viewer
        url = ""
    return url or os.environ.get("KYMLAPSET_DATABASE_URL", "") or config.default_sqlite_url()


@st.cache_resource(show_spinner=False)
def plan() -> Plan:
    """The validated plan from data/ (immutable, shared by all sessions)."""
    return load_plan()


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    store = Store.open(url)
    if not store.is_seeded():
        store.seed(plan(), events_rows=default_events())
    return store


def default_events() -> list[dict]:
    """The seeded vuosikello cycle from data/events.csv (empty if the file is absent)."""
    path = config.DATA_DIR / "events.csv"
    if not path.exists():
        return []
    import csv  # noqa: PLC0415

    from core.storage import clean_event_values  # noqa: PLC0415

    with path.open(encoding="utf-8") as f:
        return [{"event_id": r["event_id"], **clean_event_values({k: r[k] for k in ("title", "months", "owner", "description")})}
                for r in csv.DictReader(f)]


def store() -> Store:
    """The shared store (SQLAlchemy engine) for this deployment."""
    return _store(database_url())


@st.cache_data(show_spinner=False, max_entries=8)
def _measures(url: str, version: int) -> pd.DataFrame:
    return _store(url).measures()


@st.cache_data(show_spinner=False, max_entries=8)
def _observations(url: str, version: int) -> pd.DataFrame:
    return _store(url).observations()


def measures() -> pd.DataFrame:
    """Current (not deleted) measures, with versions."""
    s = store()
    return _measures(database_url(), s.data_version()).copy()


def observations() -> pd.DataFrame:
    """All indicator values in the store."""
    s = store()
    return _observations(database_url(), s.data_version()).copy()


def clear() -> None:
    """Drop cached frames after a write."""
    _measures.clear()
    _observations.clear()
