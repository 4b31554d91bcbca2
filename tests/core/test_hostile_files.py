"""Hostile uploads (issue #19, item 4): refused with a message, nothing written, no traceback or server path.

The files are the issue's cases, built small in memory (tests/hostile_files.py). How long each
refusal takes is measured by bench/hostile_files.py; here the refusal must come from the cheap
check before any parser reads the file (its message says which).
"""

from __future__ import annotations

import pytest

from core.base.i18n import Msg
from core.io import importer, untrusted
from core.io.exporter import BackupError, import_workbook, read_backup
from tests import hostile_files as hf


def _text(key: str, **values: object) -> str:
    return Msg(key, **values).text("fi")


DECLARATIONS = _text("untrusted.xml_declarations")
COLUMNS = _text("untrusted.too_many_columns", max=untrusted.MAX_XLSX_COLUMNS)
CELLS = _text("untrusted.too_many_cells", max="1 000 000")
DAMAGED = _text("untrusted.damaged", error="BadZipFile")

CASES = [
    *[
        pytest.param(lambda k=kind, p=part: hf.xlsx_with_doctype(k, p), DECLARATIONS, id=f"{kind}-in-{part}")
        for kind in ("laughs", "xxe")
        for part in ("sheet", "shared", "workbook")
    ],
    pytest.param(hf.xlsx_utf16_doctype, DECLARATIONS, id="laughs-in-utf16"),
    pytest.param(lambda: hf.xlsx_wide_rows(300, 16_384), COLUMNS, id="300x16384-cells-without-references"),
    pytest.param(hf.xlsx_far_cell, COLUMNS, id="one-cell-in-column-XFD"),
    pytest.param(lambda: hf.xlsx_wide_rows(4_000, 251), CELLS, id="4000x251-cells"),
    pytest.param(lambda: hf.xlsx_lying_header(2 * 1024**3, 1024), DAMAGED, id="workbook-part-2GB-claims-1KB"),
]


@pytest.fixture(scope="module")
def real_plan():
    from core.plan.loader import load_plan

    return load_plan()


@pytest.mark.parametrize(("make", "message"), CASES)
def test_hostile_xlsx_import_is_refused_with_a_message(real_plan, make, message):
    content = make()
    assert len(content) < 3 * 1024 * 1024  # small files: the work they cause is the attack
    result = importer.parse_import(content, "tiedot.xlsx", real_plan)
    assert not result.ok and len(result.rows) == 0
    assert [p.message for p in result.errors] == [message]
    shown = importer.problems_text(result.errors, "fi")
    assert message in shown and "/" not in shown  # no server path


@pytest.mark.parametrize(("make", "message"), CASES)
def test_hostile_xlsx_backup_is_refused_with_a_message(make, message):
    with pytest.raises(BackupError) as exc:
        import_workbook(make())
    assert exc.value.text("fi").splitlines()[1:] == [f"- {message}"]


def test_english_message_too(real_plan):
    result = importer.parse_import(hf.xlsx_with_doctype("xxe"), "tiedot.xlsx", real_plan)
    assert "DOCTYPE or ENTITY declarations, which Excel never writes" in importer.problems_text(result.errors, "en")


@pytest.mark.parametrize(("kind", "part"), [("laughs", "sheet"), ("laughs", "workbook"), ("xxe", "shared")])
def test_parser_errors_behind_the_check_are_messages_too(real_plan, monkeypatch, kind, part):
    """If a declaration got past the byte check, the XML parser's own refusal (ParseError, lxml's
    XMLSyntaxError) is still a message: the importer's and the backup's 'cannot open' text."""
    monkeypatch.setattr("core.io.importer.tables.check_xlsx", lambda content, deadline=None: None)
    monkeypatch.setattr("core.io.exporter.backup.check_xlsx", lambda content, deadline=None: None)
    content = hf.xlsx_with_doctype(kind, part)
    result = importer.parse_import(content, "tiedot.xlsx", real_plan)
    assert len(result.errors) == 1
    assert result.errors[0].message.startswith("Excel-tiedostoa ei voitu avata: se on vaurioitunut")
    with pytest.raises(BackupError) as exc:
        import_workbook(content)
    assert "Excel" in exc.value.text("fi") and "Error" in exc.value.text("fi")


def test_reading_stops_when_its_time_is_spent(real_plan, monkeypatch):
    """The time bound: with no time left, even an honest workbook is refused with the time message."""
    honest = importer.template_xlsx(real_plan, "fi")  # the empty template: read whole, then "no rows"
    result = importer.parse_import(honest, "pohja.xlsx", real_plan)
    assert [p.message for p in result.errors] == [_text("importer.header_only")]
    monkeypatch.setattr(untrusted, "XLSX_READ_SECONDS", -1.0)
    result = importer.parse_import(honest, "pohja.xlsx", real_plan)
    assert [p.message for p in result.errors] == [_text("untrusted.too_slow", seconds=-1)]


@pytest.fixture(scope="module")
def lying_zip() -> bytes:
    return hf.zip_lying_header(2 * 1024**3, 1024)


def test_zip_member_that_lies_about_its_size_is_never_inflated_whole(lying_zip):
    """2 MB whose header claims 1 KB and that inflates to 2 GB: read in chunks, so it stops at the claim."""
    import tracemalloc

    assert len(lying_zip) < 3 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(BackupError) as exc:
            read_backup(lying_zip, "varmuuskopio.zip")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "observations.csv: tiedostoa ei voitu purkaa (BadZipFile)." in exc.value.text("fi")
    assert peak < 100 * 1024 * 1024


def test_read_member_counts_what_comes_out():
    """The count of bytes inflated, not the header, is what the limit is checked against."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.csv", b"x" * 3_000_000)
    with zipfile.ZipFile(buf) as z:
        assert len(untrusted.read_member(z, z.infolist()[0], 3_000_000)) == 3_000_000
        with pytest.raises(untrusted.FileRefused):
            untrusted.read_member(z, z.infolist()[0], 2_999_999)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda: hf.xlsx_with_doctype("laughs", "shared"), DECLARATIONS, id="laughs.xlsx"),
        pytest.param(lambda: hf.xlsx_with_doctype("xxe", "workbook"), DECLARATIONS, id="xxe.xlsx"),
        pytest.param(lambda: hf.xlsx_wide_rows(300, 16_384), COLUMNS, id="wide.xlsx"),
        pytest.param(lambda: hf.zip_lying_header(2 * 1024**3, 1024), "tiedostoa ei voitu purkaa", id="lying.zip"),
    ],
)
def test_cli_restore_refuses_hostile_files_without_writing(tmp_path, capsys, make, message):
    from core.__main__ import main

    suffix = "zip" if "purkaa" in message else "xlsx"
    backup = tmp_path / f"varmuuskopio.{suffix}"
    backup.write_bytes(make())
    db = tmp_path / "tyhja.db"
    code = main(["restore", str(backup), "--database-url", f"sqlite:///{db}"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert message in err and "Palautus hylättiin; tietokantaan ei kirjoitettu mitään." in err
    assert "Traceback" not in err and str(tmp_path) not in err
    assert not db.exists()


def test_a_utf16_part_without_declarations_is_read(real_plan):
    """SharePoint writes customXml parts in UTF-16: decoded and checked, not refused for the encoding."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(importer.template_xlsx(real_plan, "fi"))) as src:
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
            for info in src.infolist():
                out.writestr(info, src.read(info))
            item = '<?xml version="1.0" encoding="utf-16"?><b:Sources xmlns:b="urn:x"/>'
            out.writestr("customXml/item1.xml", item.encode("utf-16"))
    result = importer.parse_import(buf.getvalue(), "pohja.xlsx", real_plan)
    assert [p.message for p in result.errors] == [_text("importer.header_only")]


def test_an_xml_error_anywhere_in_the_import_is_still_a_message(real_plan, monkeypatch):
    """The importer's last resort names XML and zip errors too: whatever reader raises one, no traceback."""
    from xml.etree.ElementTree import ParseError

    def broken(content):
        raise ParseError("undefined entity &xxe;: line 5, column 287")

    monkeypatch.setattr("core.io.importer.parse._read_xlsx_table", broken)
    result = importer.parse_import(hf.xlsx_with_doctype("xxe"), "tiedot.xlsx", real_plan)
    assert len(result.errors) == 1 and "ParseError" in result.errors[0].message
    assert "line 5" not in result.errors[0].message
