"""Settings: declared once, the secrets first where a setting has a place there, then the environment,
then the default; and every setting is in the README's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.base import config

EDITING = {"editing": {"passcode": "salainen", "signin_hours": 2, "local_editing": "ei", "trusted_proxies": ""}}

CASES = [
    # (setting, secrets, environment, expected)
    ("editor_passcode", EDITING, "ympäristö", "salainen"),  # the secret wins over the environment
    ("editor_passcode", {}, "ympäristö", "ympäristö"),
    ("editor_passcode", None, None, ""),
    ("editor_passcode", {"editing": {"passcode": ""}}, "ympäristö", "ympäristö"),  # empty text: not there
    ("signin_hours", EDITING, "5", 2),  # as written in the secrets (TOML has numbers)
    ("signin_hours", {}, "5", 5.0),
    ("signin_hours", {}, None, 10.0),
    ("local_editing", EDITING, "true", "ei"),  # the caller parses it (a bad value switches editing off)
    ("local_editing", {"editing": {}}, "false", False),
    ("trusted_proxies", EDITING, "10.0.0.1", "10.0.0.1"),
    ("database_url", {"connections": {"plan": {"url": "sqlite:///x.db"}}}, "sqlite:///y.db", "sqlite:///x.db"),
    ("database_url", {"connections": "not a table"}, "sqlite:///y.db", "sqlite:///y.db"),
    ("page_run_wait_s", {"page_run_wait_s": 1}, None, 30.0),  # no place in the secrets: never read there
]


@pytest.mark.parametrize(("name", "secrets", "env", "expected"), CASES)
def test_a_setting_is_the_secret_then_the_environment_then_the_default(monkeypatch, name, secrets, env, expected):
    if env is None:
        monkeypatch.delenv(f"KYMLAPSET_{name.upper()}", raising=False)
    else:
        monkeypatch.setenv(f"KYMLAPSET_{name.upper()}", env)
    assert config.get(name, secrets) == expected


@pytest.mark.parametrize(
    ("given", "secrets", "env", "expected"),
    [
        ("sqlite:///a.db", {"connections": {"plan": {"url": "sqlite:///b.db"}}}, "sqlite:///c.db", "sqlite:///a.db"),
        (None, {"connections": {"plan": {"url": "sqlite:///b.db"}}}, "sqlite:///c.db", "sqlite:///b.db"),
        (None, {"connections": {"plan": {"url": 5}}}, "sqlite:///c.db", "sqlite:///c.db"),  # no text: no URL
        (None, None, "sqlite:///c.db", "sqlite:///c.db"),
        (None, None, "", config.default_sqlite_url()),
    ],
)
def test_the_store_url_has_one_fallback(monkeypatch, given, secrets, env, expected):
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", env)
    assert config.store_url(given, secrets) == expected


def test_every_setting_is_in_the_readme_table():
    readme = (Path(config.ROOT) / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", readme, re.M))
    assert set(config.SETTINGS) <= documented, set(config.SETTINGS) - documented
