"""AppTest: broken data/ files stop the app with every problem in Finnish, not a traceback or English."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def broken_data(monkeypatch, tmp_path):
    """A copy of data/ whose first Hamina measure names an actor that does not exist."""
    from core.base import config
    from ui import data

    dest = tmp_path / "data"
    shutil.copytree(ROOT / "data", dest)
    path = dest / "measures.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nhamina-I.1-1,hamina,", "\nhamina-I.1-1,kuopio,", 1), encoding="utf-8")
    monkeypatch.setattr(config, "DATA_DIR", dest)
    data.data_plan.clear()
    yield dest
    data.data_plan.clear()


def test_broken_data_is_named_in_finnish(broken_data):
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in at.error)
    assert "Suunnitelman tiedoissa on virhe" in shown
    assert "Suunnitelman tiedoissa on 2 ongelmaa:" in shown  # the unknown actor, and its measure_id
    assert "tuntematon toimija 'kuopio'" in shown and "measures.csv, rivi 18, sarake" in shown
    assert "unknown actor" not in shown and "Traceback" not in shown
