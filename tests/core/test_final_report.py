"""The final evaluation's downloads read back: Word (python-docx), HTML, and the PDF's text."""

from __future__ import annotations

import html
import io
import os
import shutil
import subprocess

import pytest

from core.base.i18n import name
from core.documents import chromium
from core.documents import final_report as fr
from core.views import final_evaluation as fe

PLAN = "kymenlaakso-2020-2025"
EVIL = "Kuuleminen toimi <script>alert(1)</script>"
SECTIONS = ("section.summary", "section.wellbeing", "section.measures", "section.strengths", "section.conclusions")


@pytest.fixture()
def evaluation(mini_plan, mini_store, editor):
    """The mini plan after the period: a new survey round, two years of ratings and a conclusion."""
    mini_store.upsert_observations(
        [
            {"indicator_id": 7, "series_id": "", "group_id": "lk4_5", "area": a, "year": 2023, "value": v}
            for a, v in (("kymenlaakso", 93.0), ("koko_maa", 88.0))
        ],
        editor,
    )
    mini_store.save_evaluation("kymsote-I.1-1", 2021, {"rating": 2}, None, editor)
    mini_store.save_evaluation("kymsote-I.1-1", 2024, {"rating": 4}, None, editor)
    mini_store.save_conclusion(PLAN, "plan", {}, {"worked": EVIL, "carry_on": "Lapsivaikutusten arviointi"}, editor)
    return fe.final_evaluation(
        mini_plan,
        mini_store.observations(),
        mini_store.measures(),
        mini_store.evaluations(),
        mini_store.conclusions(PLAN),
    )


def _expected(lang: str) -> dict[str, str]:
    """What the documents must say about indicator 7, grades 4–5, in ``lang``."""
    country = "koko maa" if lang == "fi" else "whole country"
    return {
        "first": f"2019: 88 % ({country} 89,5 %)",
        "latest": f"2023: 93 % ({country} 88 %)",
        "source": "Kouluterveyskysely, 2019–2023",
        "measures_source": fe.text("doc.measures_source", lang, start=2020, end=2025, date="")[:30],
    }


def _word_text(data: bytes) -> tuple[list[str], list[str], list[str]]:
    """(headings, other paragraphs, table cells) of a Word document."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    paragraphs = [p.text for p in doc.paragraphs if not p.style.name.startswith(("Heading", "Title"))]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return headings, paragraphs, cells


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_word_document_reads_back(mini_plan, evaluation, lang):
    headings, paragraphs, cells = _word_text(fr.final_docx(mini_plan, evaluation, lang))
    want = _expected(lang)
    assert headings[0] == fe.text("doc.heading", lang, start=2020, end=2025)
    sections = [fe.text(k, lang) for k in SECTIONS]
    assert [h for h in headings if h in sections] == sections  # the order such evaluations are written in
    assert want["first"] in " ".join(cells) and want["latest"] in " ".join(cells)
    assert want["source"] in cells
    assert any(p.startswith(want["measures_source"]) for p in paragraphs)
    assert any(EVIL in p for p in paragraphs)  # the group's own words, as written
    assert any("Lapsivaikutusten arviointi" in p for p in paragraphs)
    # the measure rated 2 then 4 was carried out; the other real measure was not evaluated
    goal_i = cells.index(f"I {name(mini_plan.goal('I'), lang, 'title')}")
    assert cells[goal_i + 1 : goal_i + 5] == ["1 / 2", "0 / 2", "0 / 2", "1 / 2"]


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_html_reads_back_escaped(mini_plan, evaluation, lang):
    html_text = fr.final_html(
        mini_plan, evaluation, lang, figures=fr.default_figures(mini_plan, evaluation, lang), static=False
    )
    sources = fe.text("doc.chart_sources", lang, years="2019–2023", start=2020, end=2025)
    assert html.escape(sources) in html_text  # the charts' sources and years under them
    want = _expected(lang)
    for key in ("first", "latest", "source"):
        assert want[key] in html_text
    assert "<script>alert" not in html_text and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    order = [html_text.index(fe.text(k, lang)) for k in SECTIONS]
    assert order == sorted(order)


@pytest.mark.skipif(
    (chromium.chromium_path() is None or not shutil.which("pdftotext")) and not os.environ.get("CI"),
    reason="no Chromium or pdftotext (scripts/test.sh installs both; in CI this test must run)",
)
def test_pdf_text_reads_back(mini_plan, evaluation, tmp_path):
    pdf = fr.final_pdf(fr.final_html(mini_plan, evaluation, "fi"))
    assert pdf is not None and pdf.startswith(b"%PDF")
    (tmp_path / "f.pdf").write_bytes(pdf)
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(tmp_path / "f.pdf"), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    want = _expected("fi")
    assert "Loppuarviointi 2020–2025" in words
    assert want["first"] in words and want["latest"] in words
    assert want["source"] in words
    assert EVIL in words and "Lapsivaikutusten arviointi" in words
