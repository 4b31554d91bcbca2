"""AppTest for issue #19 items 3–5 on the pages: hostile .xlsx on Uudet tiedot, noisy links, invisible names."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.base.i18n import Msg
from tests import hostile_files as hf
from tests.background import finish_jobs

PASS = "vihamielinen-2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture()
def editor_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", PASS)
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", f"sqlite:///{tmp_path / 'plan.db'}")


def _app(page: str, **params: str) -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _sign_in(at: AppTest, name: str) -> str:
    at.session_state["w_signin_open"] = True  # open the sign-in expander (AppTest cannot click one)
    at.run()
    at.sidebar.text_input(key="signin_name").input(name)
    at.sidebar.text_input(key="signin_code").input(PASS)
    next(b for b in at.sidebar.button if b.label == "Kirjaudu muokkaajaksi").click().run()
    assert not at.exception, at.exception
    return " ".join(e.value for e in at.sidebar.error)


def _everything(at: AppTest) -> str:
    parts = [e.value for kind in ("error", "warning", "info", "success", "markdown", "code") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda: hf.xlsx_with_doctype("laughs", "shared"), "untrusted.xml_declarations"),
        (lambda: hf.xlsx_with_doctype("xxe", "workbook"), "untrusted.xml_declarations"),
        (lambda: hf.xlsx_wide_rows(300, 16_384), "untrusted.too_many_columns"),
    ],
    ids=["billion-laughs", "xxe", "300x16384-cells"],
)
def test_hostile_xlsx_on_uudet_tiedot_gives_a_finnish_message_and_no_traceback(editor_env, make, key):
    from core.io import untrusted

    at = _app("pages/tiedot.py")
    assert _sign_in(at, "Maija") == ""
    at.file_uploader(key="import_file").upload("tiedot.xlsx", make(), XLSX).run()
    finish_jobs(at)  # the file is read beside the page
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [Msg("data.refused", n=1).text("fi")]
    shown = [c.value for c in at.code]
    message = Msg(key, max=untrusted.MAX_XLSX_COLUMNS).text("fi")
    assert shown == [f"- {message}"]
    page = _everything(at)
    assert "Traceback" not in page and "site-packages" not in page and "/work" not in page
    assert "import_preview" not in at.session_state  # nothing waits to be saved


def test_a_link_with_500_junk_parameters_gives_one_notice(editor_env):
    at = AppTest.from_file("../../app.py", default_timeout=90)
    for i in range(500):
        at.query_params[f"roska{i}"] = "x"
    at.run()
    assert not at.exception, at.exception
    infos = [i.value for i in at.info]
    about_link = [i for i in infos if "Linki" in i]
    assert len(about_link) == 1, about_link
    assert about_link[0] == (
        "Linkistä ohitettiin 500 parametria tai arvoa, joita ei tunnistettu (ensimmäiset: 'roska0', 'roska1', 'roska2')."
    )


def test_a_100_kb_parameter_name_is_echoed_short(editor_env):
    at = AppTest.from_file("../../app.py", default_timeout=90)
    at.query_params["A" * 100_000] = "1"
    at.run()
    assert not at.exception, at.exception
    infos = [i.value for i in at.info if "Linkin parametria" in i.value]
    assert len(infos) == 1 and len(infos[0]) < 200, [len(i) for i in infos]
    assert "A" * 39 + "…" in infos[0] and "A" * 41 not in infos[0]


def test_a_sign_in_name_of_invisible_characters_is_refused(editor_env):
    at = _app("pages/historia.py")
    refusal = _sign_in(at, "\u200b\u2060\u202e")
    assert refusal == Msg("auth.name_required").text("fi")
    assert "editor_ok" not in at.session_state or not at.session_state["editor_ok"]


def test_a_sign_in_name_with_invisible_characters_is_kept_clean(editor_env):
    at = _app("pages/historia.py")
    assert _sign_in(at, "Mat\u200bti\u202e") == ""
    assert at.session_state["editor_name"] == "Matti"


def test_a_local_editor_name_of_invisible_characters_says_so(monkeypatch, tmp_path):
    """Without a passcode a browser on this machine edits; its name field refuses an invisible-only name too."""
    monkeypatch.setenv("KYMLAPSET_EDITOR_PASSCODE", "")
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", f"sqlite:///{tmp_path / 'plan.db'}")
    monkeypatch.setattr("core.serving.auth.is_local_connection", lambda ip, headers: True)
    at = _app("pages/historia.py")
    at.session_state["w_signin_open"] = True
    at.run()
    at.sidebar.text_input(key="w_editor_name").input("\u200b\u202e").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.sidebar.error] == [Msg("auth.name_required").text("fi")]
    at.sidebar.text_input(key="w_editor_name").input("Mat\u200bti").run()
    assert [e.value for e in at.sidebar.error] == []
