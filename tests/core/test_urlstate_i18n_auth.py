"""URL parameters, the UI catalogue, and the editing policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.base.i18n import CATALOGUE, forms, t
from core.serving import auth
from core.serving.urlstate import parse_params, to_params

CHOICES = {
    "lang": {"fi", "en"},
    "group": {"lk4_5", "lukio"},
    "actors": {"kymsote", "hamina"},
    "subgoal": {"I.1", "II.2"},
}


@pytest.mark.parametrize(
    ("params", "values", "notices"),
    [
        ({}, {}, []),
        ({"ryhma": "lukio", "lang": "en"}, {"group": "lukio", "lang": "en"}, []),
        ({"toimija": "kymsote,hamina"}, {"actors": ["kymsote", "hamina"]}, []),
        ({"toimija": "kymsote,kotka"}, {"actors": ["kymsote"]}, [("toimija", "kotka", "value")]),
        ({"ryhma": "<script>"}, {}, [("ryhma", "<script>", "value")]),
        ({"ryhma": "xyz"}, {}, [("ryhma", "xyz", "value")]),  # a known parameter: only its value is unknown
        ({"foo": "bar"}, {}, [("foo", "bar", "param")]),
        ({"valitavoite": "IX.9"}, {}, [("valitavoite", "IX.9", "value")]),
        ({"haku": "x" * 500}, {"search": "x" * 200}, []),
        ({"ryhma": ["lk4_5", "lukio"]}, {"group": "lukio"}, []),
    ],
)
def test_parse_params(params, values, notices):
    view = parse_params(params, CHOICES)
    assert view.values == values
    assert view.notices == notices


def test_to_params_round_trip():
    values = {"lang": "fi", "group": "lukio", "actors": ["kymsote", "hamina"], "search": "", "subgoal": None}
    params = to_params(values, {"lang": "fi", "group": None, "actors": [], "search": "", "subgoal": None})
    assert params == {"ryhma": "lukio", "toimija": "kymsote,hamina"}
    assert parse_params(params, CHOICES).values == {"group": "lukio", "actors": ["kymsote", "hamina"]}


def test_catalogue_has_the_same_keys_in_both_languages():
    assert set(CATALOGUE["fi"]) == set(CATALOGUE["en"])
    assert all(v.strip() for lang in CATALOGUE.values() for entry in lang.values() for v in forms(entry))
    # a plural text has exactly the forms "one" and "other"
    assert all(set(e) == {"one", "other"} for lang in CATALOGUE.values() for e in lang.values() if isinstance(e, dict))


def module_source(module: str) -> str:
    """The source of the module core/…/<module>.py, or of every file of the package core/…/<module>/."""
    core = Path(__file__).resolve().parents[2] / "core"
    (path,) = [p for p in core.glob(f"*/{module}*") if p.stem == module]
    files = sorted(path.glob("*.py")) if path.is_dir() else [path]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


@pytest.mark.parametrize(
    ("module", "prefix"),
    [
        ("evaluation", "evaluation"),
        ("report", "report"),
        ("timeline", "timeline.chart"),
        ("trends", "trends"),
        ("vuosikello", "vuosikello"),
    ],
)
def test_module_texts_come_from_the_one_catalogue(module, prefix):
    src = module_source(module)
    used = set(re.findall(r'\btext\("([^"{}]+)"', src))
    assert used, module
    assert sorted(k for k in used if f"{prefix}.{k}" not in CATALOGUE["fi"]) == []
    assert "TEXTS" not in src  # no second table of user-visible texts


@pytest.mark.parametrize("module", ["importer", "exporter", "loader"])
def test_every_message_key_of_a_module_is_in_the_catalogue_and_used(module):
    src = module_source(module)
    used = set(re.findall(rf'"({module}\.[a-z0-9_.]+)"', src))
    built = re.findall(rf'f"({module}\.[a-z0-9_.]+\.)\{{', src)  # f"importer.col.{col}"
    keys = {k for k in CATALOGUE["fi"] if k.startswith(f"{module}.")}
    assert keys and sorted(used - keys) == []
    assert sorted(k for k in keys - used if not any(k.startswith(prefix) for prefix in built)) == []
    assert all(any(k.startswith(prefix) for k in keys) for prefix in built)


def test_placeholders_match():
    import string

    for key, fi in CATALOGUE["fi"].items():
        names = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
        every = [names(v) for lang in ("fi", "en") for v in forms(CATALOGUE[lang][key])]
        assert all(n == every[0] for n in every), key  # each form of each language, the same placeholders
        if isinstance(fi, dict) or isinstance(CATALOGUE["en"][key], dict):
            assert "n" in every[0], key  # a plural text is chosen by its count n


def test_t_formats_and_unknown_key_fails():
    assert t("nav.goal", "fi", goal="II") == "Päätavoite II"
    assert t("nav.goal", "en", goal="II") == "Main goal II"
    with pytest.raises(KeyError):
        t("no.such.key")


@pytest.mark.parametrize(
    ("oidc", "passcode", "mode"),
    [
        (True, "x", auth.EditMode.OIDC),
        (False, "x", auth.EditMode.PASSCODE),
        (False, "", auth.EditMode.LOOPBACK),
        (False, None, auth.EditMode.LOOPBACK),
    ],
)
def test_edit_mode(oidc, passcode, mode):
    assert auth.edit_mode(oidc, passcode) is mode


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("192.168.1.5", False),
        ("10.0.0.1", False),
        ("", False),
        (None, False),
        ("not-an-ip", False),
        ("::ffff:8.8.8.8", False),
        ("::ffff:127.0.0.1", True),
    ],
)
def test_loopback(ip, expected):
    assert auth.is_loopback(ip) is expected


@pytest.mark.parametrize(
    ("ip", "host", "expected"),
    [
        (None, "localhost:8501", True),
        (None, "127.0.0.1:38131", True),
        (None, "[::1]:8501", True),
        ("127.0.0.1", "localhost", True),
        (None, "lapset.streamlit.app", False),
        (None, None, False),
        ("203.0.113.5", "localhost:8501", False),
        ("127.0.0.1", "lapset.streamlit.app", False),
        (None, "localhost.evil.example", False),
        ("::ffff:127.0.0.1", "127.0.0.1:8501", True),
    ],
)
def test_local_request(ip, host, expected):
    assert auth.is_local_request(ip, host) is expected


def test_passcode():
    assert auth.passcode_matches("salainen", "salainen")
    assert not auth.passcode_matches("väärä", "salainen")
    assert not auth.passcode_matches("", "")
    assert not auth.passcode_matches(None, "salainen")
    assert auth.clean_editor_name("  Matti \n Meikäläinen ") == "Matti Meikäläinen"


def test_msg_is_the_finnish_text_and_renders_in_english():
    import pickle

    from core.base.i18n import Msg, text_in

    hint = Msg("importer.series_allowed", options="a, b")
    m = Msg("importer.series_unknown", id=16, series="x", hint=hint)
    assert m == "indikaattorilla 16 ei ole sarjaa 'x'. Sallitut sarjat: a, b." and isinstance(m, str)
    assert m.text("en") == "indicator 16 has no series 'x'. Allowed series: a, b."
    assert m.capitalised().text("en").startswith("Indicator 16") and m.capitalised().startswith("Indikaattorilla")
    again = pickle.loads(pickle.dumps(m))
    assert again == m and again.text("en") == m.text("en")
    assert text_in(m, "en") == m.text("en") and text_in("plain", "en") == "plain"
    assert Msg("importer.json.not_list").startswith('JSON-tiedoston pitää olla lista Sotkanetin havaintoja, esim. [{"')


# ------------------------------------------------------------------ trust at the edges (issue #12)
LOCAL = {"Host": "localhost:8501", "Origin": "http://localhost:8501"}


@pytest.mark.parametrize(
    ("ip", "headers", "expected"),
    [
        (None, LOCAL, True),
        ("127.0.0.1", {"host": "127.0.0.1:8501", "origin": "http://127.0.0.1:8501"}, True),
        (None, {"Host": "[::1]:8501", "Origin": "http://[::1]:8501"}, True),
        (None, {"Host": "localhost:8501"}, True),  # no Origin: not a browser; peer and Host decide
        # nginx's plain proxy_pass: Host rewritten to the upstream, no X-Forwarded-For, the visitor's Origin kept
        (None, {"Host": "127.0.0.1:8501", "Origin": "https://lapset.example.fi"}, False),
        ("127.0.0.1", {"Host": "127.0.0.1:8501", "Origin": "null"}, False),
        *[
            (None, {**LOCAL, h: v}, False)
            for h, v in [
                ("X-Forwarded-For", "203.0.113.9"),
                ("X-Forwarded-Host", "lapset.example.fi"),
                ("X-Real-IP", "1.2.3.4"),
                ("Forwarded", "for=203.0.113.9"),
                ("Via", "1.1 proxy"),
                ("x-forwarded-proto", "https"),
                ("X-Forwarded-For", "127.0.0.1"),
            ]
        ],
        (None, {"Host": "lapset.example.fi", "Origin": "http://localhost:8501"}, False),
        ("203.0.113.5", LOCAL, False),
        (None, {}, False),
        (None, None, False),
        (None, {"Host": "localhost:8501", "Origin": "http://localhost.evil.example"}, False),
    ],
)
def test_local_connection(ip, headers, expected):
    assert auth.is_local_connection(ip, headers) is expected


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("http://localhost:8501", True),
        ("https://127.0.0.1", True),
        ("http://[::1]:8501", True),
        ("http://lapset.example.fi", False),
        ("null", False),
        ("", False),
        (None, False),
        ("file://localhost", False),
        ("http://127.0.0.1.nip.io", False),
    ],
)
def test_origin_is_loopback(origin, expected):
    assert auth.origin_is_loopback(origin) is expected


def test_passcode_comparison_is_of_digests():
    assert auth.passcode_matches("a" * 1000, "a" * 1000)
    assert not auth.passcode_matches("salainen ", "salainen")
    assert not auth.passcode_matches("x", None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("On", True),
        ("kyllä", True),
        ("0", False),
        ("false", False),
        ("off", False),
        ("ei", False),
        (True, True),
        (False, False),
    ],
)
def test_parse_bool(raw, expected):
    from core.base import config

    assert config.parse_bool(raw) is expected


def test_local_editing_setting(monkeypatch):
    from core.base import config

    assert config.get("local_editing") is True
    monkeypatch.setenv("KYMLAPSET_LOCAL_EDITING", "false")
    assert config.get("local_editing") is False
    monkeypatch.setenv("KYMLAPSET_LOCAL_EDITING", "maybe")
    with pytest.raises(ValueError, match="KYMLAPSET_LOCAL_EDITING"):
        config.get("local_editing")
