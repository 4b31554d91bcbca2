"""The final evaluation as documents: a Word file (python-docx) and printable HTML/PDF (Jinja2, the
reports' frame, PDF through the same Chromium as the reports: core/documents/chromium.py).

Both follow the way such evaluations are written — summary; wellbeing then and now; what the
measures achieved; strengths and areas to develop; conclusions for the next plan — and give every
figure its source and year. Built from ``core.views.final_evaluation.FinalEvaluation``.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from core.base.i18n import name, t
from core.base.numbers import number_text
from core.base.timefmt import local_date
from core.documents import report
from core.documents.minutes import _docx_text  # the one rule for text Word's XML can hold
from core.plan.model import Plan
from core.views import final_evaluation as fe
from core.views.chart_style import status_text

LOG = logging.getLogger(__name__)
TEMPLATES = Path(__file__).resolve().parent / "templates" / "final"
_env = report.environment(TEMPLATES)
text = fe.text


@dataclass(frozen=True)
class Document:
    """What both documents say, in order, as plain texts and tables (header row + rows)."""

    title: str
    plan_name: str
    generated: str
    summary: list[str]
    how_first: str
    wellbeing: pd.DataFrame
    measures_how: str
    measures_source: str
    by_goal: pd.DataFrame
    by_subgoal: pd.DataFrame
    strengths: list[tuple[str, list[str]]]
    conclusions: list[tuple[str, list[tuple[str, str]]]]


def _source_years(row: dict) -> str:
    years = sorted({row["first_year"], row["latest_year"]})
    return "–".join(str(y) for y in years)


def _all_years(indicators: pd.DataFrame) -> str:
    """The span of years the then-and-now figures come from ('2017–2025')."""
    years = sorted({int(y["year"]) for ys in indicators.get("years", []) for y in ys})
    if not years:
        return "–"
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


def wellbeing_table(indicators: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The then-and-now table (``indicator_changes`` rows), its source column naming the source and
    the years of its figures."""
    table = fe.indicator_table(indicators, lang)
    if not table.empty:
        table.iloc[:, -1] = [f"{r['source'] or '–'}, {_source_years(r)}" for r in indicators.to_dict("records")]
    return table


def _strength_line(row: dict, lang: str) -> str:
    unit = row["unit"]
    line = text(
        "strength.line",
        lang,
        label=row["label"],
        group=row["group_label"],
        value=number_text(row["latest_value"], unit, lang),
        year=row["latest_year"],
        national=number_text(row["latest_national"], unit, lang),
        status=status_text(row["latest_status"], lang),
        trend=t(f"trend.{row['trend']}", lang),
    )
    source = text("doc.source_line", lang, source=row["source"] or "–", years=_source_years(row))
    return f"{line}. {source}"


def _by_goal(plan: Plan, ev: fe.FinalEvaluation, lang: str) -> pd.DataFrame:
    totals = fe.outcome_totals(ev.outcomes, by="goal_id").set_index("goal_id")
    cols = [t("evaluation.by.goal", lang), *(text(f"col.{o}", lang) for o in fe.OUTCOMES), text("col.continuing", lang)]
    rows = []
    for g in plan.goals_in_order():
        if g.goal_id not in totals.index:
            continue
        r = totals.loc[g.goal_id]
        rows.append(
            [f"{g.goal_id} {name(g, lang, 'title')}"]
            + [f"{int(r[o])} / {int(r['total'])}" for o in (*fe.OUTCOMES, "continuing")]
        )
    return pd.DataFrame(rows, columns=cols)


def document(plan: Plan, ev: fe.FinalEvaluation, lang: str = "fi") -> Document:
    """The contents of the final evaluation's documents in ``lang``."""
    plan_name = plan.meta.get("name_en") if lang == "en" and plan.meta.get("name_en") else plan.meta.get("name", "")
    today = local_date(lang=lang)
    conclusions = []
    for scope in fe.scopes(plan):
        if scope == fe.PLAN_SCOPE:
            heading = text("scope.plan", lang)
        else:
            heading = text("scope.goal", lang, goal=scope, title=name(plan.goal(scope), lang, "title"))
        saved = ev.conclusions.get(scope, {})
        conclusions.append((heading, [(text(f"field.{f}", lang), saved.get(f, "")) for f in fe.CONCLUSION_FIELDS]))
    return Document(
        title=text("doc.heading", lang, start=ev.start, end=ev.end),
        plan_name=str(plan_name),
        generated=text("doc.generated", lang, date=today),
        summary=ev.summary_lines(lang),
        how_first=text("how_first", lang, start=ev.start, end=ev.end),
        wellbeing=wellbeing_table(ev.indicators, lang),
        measures_how=text("measures.how", lang),
        measures_source=text("doc.measures_source", lang, start=ev.start, end=ev.end, date=today),
        by_goal=_by_goal(plan, ev, lang),
        by_subgoal=fe.outcome_table(plan, ev.by_subgoal, lang),
        strengths=[
            (text("strengths.good", lang), [_strength_line(r, lang) for r in ev.strengths().to_dict("records")]),
            (text("strengths.develop", lang), [_strength_line(r, lang) for r in ev.to_develop().to_dict("records")]),
        ],
        conclusions=conclusions,
    )


def default_figures(plan: Plan, ev: fe.FinalEvaluation, lang: str = "fi") -> list[go.Figure]:
    """The charts the documents carry: statuses then and now, and the measures' results per goal."""
    return [
        fe.status_shift_figure(ev.indicators, lang, title=text("chart.status_title", lang)),
        fe.outcome_figure(plan, ev.outcomes, lang, title=text("chart.outcome_title", lang)),
    ]


def _table(df: pd.DataFrame) -> report.Table:
    return report.Table(list(df.columns), [report.Row(list(r)) for r in df.itertuples(index=False)])


def final_html(
    plan: Plan,
    ev: fe.FinalEvaluation,
    lang: str = "fi",
    figures: Sequence[go.Figure] | None = None,
    static: bool | None = None,
) -> str:
    """The final evaluation as one self-contained, printable HTML page (every text escaped)."""
    doc = document(plan, ev, lang)
    # the charts' own markup (PNG data or Plotly's HTML), made by core/documents/report.py: the one unescaped value
    charts = Markup(report.embed_figures(figures, lang, static)) if figures else ""  # noqa: S704
    return _env.get_template("final.html.j2").render(
        lang=lang,
        text=partial(report.text, lang=lang),
        final=partial(text, lang=lang),
        title=doc.title,
        plan_name=doc.plan_name,
        kicker=text("doc.kicker", lang),
        heading=doc.title,
        meta=[doc.generated],
        landscape=False,
        summary=doc.summary,
        charts=charts,
        chart_sources=text("doc.chart_sources", lang, years=_all_years(ev.indicators), start=ev.start, end=ev.end),
        how_first=doc.how_first,
        wellbeing=_table(doc.wellbeing),
        measures_how=doc.measures_how,
        measures_source=doc.measures_source,
        by_goal=_table(doc.by_goal),
        by_subgoal=_table(doc.by_subgoal),
        strengths=[{"heading": h, "lines": lines} for h, lines in doc.strengths],
        conclusions=[
            {"heading": h, "fields": [{"label": label, "text": body} for label, body in fields]}
            for h, fields in doc.conclusions
        ],
        any_conclusion=any(body for _h, fields in doc.conclusions for _label, body in fields),
    )


def final_pdf(html_text: str) -> bytes | None:
    """The HTML printed to PDF by Chromium (None when Chromium is missing; RuntimeError if it fails)."""
    return report.html_to_pdf(html_text)


def print_files(
    progress: Callable[[float], None], plan: Plan, ev: fe.FinalEvaluation, lang: str = "fi"
) -> tuple[str, bytes | None]:
    """The HTML (charts as images where Chromium can draw them) and its PDF, or None without Chromium
    or when printing fails; ``progress`` is told how far it is (0–1)."""
    figures = default_figures(plan, ev, lang)
    progress(0.3)
    html_text = final_html(plan, ev, lang, figures=figures)
    progress(0.6)
    try:
        pdf = final_pdf(html_text)
    except RuntimeError:
        LOG.exception("final evaluation %s: no PDF", plan.plan_id)
        pdf = None
    progress(1.0)
    return html_text, pdf


def final_docx(plan: Plan, ev: fe.FinalEvaluation, lang: str = "fi") -> bytes:
    """The final evaluation as a Word document, in the same order as the HTML."""
    from docx import Document as WordDocument  # noqa: PLC0415 - only the download needs it
    from docx.shared import Cm, Pt  # noqa: PLC0415

    doc = document(plan, ev, lang)
    word = WordDocument()
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(word.sections[0], side, Cm(2))
    word.add_paragraph(_docx_text(doc.plan_name))
    word.add_heading(_docx_text(doc.title), level=0)
    word.add_paragraph(_docx_text(doc.generated))

    def note(body: str) -> None:
        run = word.add_paragraph().add_run(_docx_text(body))
        run.italic = True
        run.font.size = Pt(9)

    def table(df: pd.DataFrame) -> None:
        grid = word.add_table(rows=1, cols=len(df.columns))
        grid.style = "Table Grid"
        for cell, title in zip(grid.rows[0].cells, df.columns, strict=True):
            cell.text = _docx_text(title)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in df.itertuples(index=False):
            for cell, value in zip(grid.add_row().cells, row, strict=True):
                cell.text = _docx_text(value)
        for row in grid.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)

    word.add_heading(text("section.summary", lang), level=1)
    for line in doc.summary:
        word.add_paragraph(_docx_text(line))
    word.add_heading(text("section.wellbeing", lang), level=1)
    note(doc.how_first)
    if doc.wellbeing.empty:
        word.add_paragraph(text("wellbeing.none", lang))
    else:
        table(doc.wellbeing)
    word.add_heading(text("section.measures", lang), level=1)
    note(doc.measures_how)
    word.add_heading(text("doc.by_goal", lang), level=2)
    table(doc.by_goal)
    note(doc.measures_source)
    word.add_heading(text("doc.by_subgoal", lang), level=2)
    table(doc.by_subgoal)
    note(doc.measures_source)
    word.add_heading(text("section.strengths", lang), level=1)
    for heading, lines in doc.strengths:
        word.add_heading(_docx_text(heading), level=2)
        for line in lines or [text("strengths.none", lang)]:
            word.add_paragraph(_docx_text(line), style="List Bullet" if lines else None)
    word.add_heading(text("section.conclusions", lang), level=1)
    if not any(body for _h, fields in doc.conclusions for _label, body in fields):
        note(text("doc.conclusions_missing", lang))
    for heading, fields in doc.conclusions:
        word.add_heading(_docx_text(heading), level=2)
        for label, body in fields:
            p = word.add_paragraph()
            p.add_run(_docx_text(label)).bold = True
            p.add_run("\n" + _docx_text(body or text("empty", lang)))
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
