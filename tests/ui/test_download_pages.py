"""Downloads never fail silently (#12 items 1, 2): a Word vertical tab in a measure, and any failure, in the UI."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from core.base.i18n import Msg
from core.io import exporter
from core.store import Store
from ui import downloads


def measures_page(lang: str = "fi") -> AppTest:
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("pages/toimenpiteet.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def own_store(plan, tmp_path, monkeypatch, past_the_store):
    """A store of its own (the real plan) whose first measure has Word's vertical tab and a formula in it."""
    url = f"sqlite:///{tmp_path / 'lataus.db'}"
    monkeypatch.setenv("KYMLAPSET_DATABASE_URL", url)
    store = Store.open(url, plan)
    first = plan.measures[0].measure_id
    past_the_store.update_measure(  # as an older version of the app could have saved it
        store, first, toimenpide="Rivi\x0btoinen rivi", mittari='=HYPERLINK("http://evil.example","klikkaa")'
    )
    return store


def test_excel_download_of_a_measure_with_a_vertical_tab_works(own_store, monkeypatch):
    built: list[bytes] = []
    real = exporter.xlsx_download
    monkeypatch.setattr(exporter, "xlsx_download", lambda frame, sheet: built.append(real(frame, sheet)) or built[-1])
    at = measures_page()
    at.get("download_button")[1].click().run()  # "Lataa Excel": the page builds the file once more after a click
    assert not at.exception and not at.error, [e.value for e in at.error]
    ws = load_workbook(io.BytesIO(built[-1])).active
    texts = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "Rivi\ntoinen rivi" in texts
    assert '\'=HYPERLINK("http://evil.example","klikkaa")' in texts
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fi", "Ladattavaa tiedostoa ei voitu luoda (RuntimeError)"),
        ("en", "The file to download could not be made (RuntimeError)"),
    ],
)
def test_a_failing_download_says_so_in_the_users_language(own_store, monkeypatch, lang, expected):
    def broken(frame, sheet):
        raise RuntimeError("/srv/app/secret/path")

    monkeypatch.setattr(exporter, "xlsx_download", broken)
    at = measures_page(lang)
    at.get("download_button")[1].click().run()
    assert not at.exception
    assert [e.value for e in at.error] and expected in at.error[0].value
    assert "/srv/app" not in at.error[0].value


def test_failure_text_of_a_backup_refusal_is_its_own_message():
    exc = exporter.BackupError(
        Msg("exporter.cell_too_long", sheet="measures", row=2, column="toimenpide", count=40000, limit=32767)
    )
    assert downloads.failure_text(exc, "en").startswith("The backup could not be used:")
    assert downloads.failure_text(ValueError("x"), "fi").startswith("Ladattavaa tiedostoa ei voitu luoda")
