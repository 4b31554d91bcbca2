"""Printable reports per goal and per actor: self-contained HTML, PNG charts and PDF via Chromium.

The HTML has inline CSS (with ``@media print`` and page breaks) and no web addresses: charts are
embedded as base64 PNG images when Kaleido can render them (Chromium present), otherwise as
inline interactive Plotly HTML with plotly.js included once. Every text from the plan or the
store is escaped with ``html.escape``.

Static export needs Chromium (``/usr/bin/chromium`` from Debian, or ``BROWSER_PATH``). The first
``figure_png`` call probes Chromium once (a few seconds) and then starts Kaleido's shared server
(``start_sync_server(mathjax=False)``), after which an image takes ~0.1–0.3 s.
"""

from __future__ import annotations

import base64
import concurrent.futures
import html
import os
import re
import shutil
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from core.charts import status_text
from core.evaluation import rating_label, ratings_for
from core.i18n import name, t
from core.model import Plan
from core.queries import (
    comparison_frame,
    goal_of,
    linked_indicators,
    measures_display,
    subgoal_table,
    trend_frame,
)
from core.rules import real_measures
from core.timefmt import local_date
from core.timeline import status_label
from core.trends import trend_label

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PROBE_TIMEOUT_S = 90
PDF_TIMEOUT_S = 120


CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #bbb; --head: #eef2f6; }
* { box-sizing: border-box; }
body { font-family: "Liberation Sans", Arial, Helvetica, sans-serif; color: var(--ink); font-size: 11pt;
       line-height: 1.4; margin: 2em auto; max-width: 1100px; padding: 0 1em; }
h1 { font-size: 20pt; margin: 0.2em 0; } h2 { font-size: 15pt; margin-top: 1.6em; border-bottom: 2px solid var(--ink); }
h3 { font-size: 12.5pt; margin: 1.2em 0 0.4em; }
.kicker { color: var(--muted); margin: 0; font-size: 10pt; text-transform: uppercase; letter-spacing: .05em; }
.meta, .note, .muted { color: var(--muted); font-size: 9.5pt; }
table { width: 100%; border-collapse: collapse; margin: 0.4em 0 1em; font-size: 9.5pt; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: var(--head); }
td.num { text-align: right; white-space: nowrap; }
tr.other td { color: var(--muted); font-style: italic; }
figure { margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
table.indicators td:first-child { width: 28%; }
ul.mix { padding-left: 1.2em; }
@media print {
  @page { size: A4; margin: 14mm 12mm 16mm 12mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  .page-break { break-before: page; page-break-before: always; }
  thead { display: table-header-group; }
  tr, img, figure { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-height: 230mm; width: auto; }
  a { color: inherit; text-decoration: none; }
}
"""


def text(key: str, lang: str = "fi", **values: object) -> str:
    """A text of this module in Finnish or English."""
    return t(f"report.{key}", lang, **values)


# ------------------------------------------------------------------ Chromium and static images

_lock = threading.Lock()
_png_ok: bool | None = None


def chromium_path() -> str | None:
    """The Chromium/Chrome executable: ``BROWSER_PATH`` if it exists, else one found on PATH, else None."""
    env = os.environ.get("BROWSER_PATH")
    if env and Path(env).is_file() and os.access(env, os.X_OK):
        return env
    for candidate in ("/usr/bin/chromium", *CHROMIUM_CANDIDATES):
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _probe() -> bool:
    """Render a tiny figure once with a one-shot Kaleido (which reports errors instead of hanging)."""
    import kaleido

    data = kaleido.calc_fig_sync({"data": [{"type": "bar", "x": [1], "y": [1]}], "layout": {}},
                                 opts={"format": "png", "width": 60, "height": 40},
                                 kopts={"mathjax": False})
    return isinstance(data, bytes) and data.startswith(b"\x89PNG")


def png_export_available() -> bool:
    """Whether charts can be rendered to PNG here (Chromium works); checked once per process."""
    global _png_ok
    with _lock:
        if _png_ok is not None:
            return _png_ok
        path = chromium_path()
        if path is None:
            _png_ok = False
            return False
        os.environ["BROWSER_PATH"] = path  # where Kaleido (choreographer) looks for the browser
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        try:
            ok = pool.submit(_probe).result(timeout=PROBE_TIMEOUT_S)
        except Exception:  # noqa: BLE001 — missing or broken Chromium, timeout: fall back to interactive
            ok = False
        finally:
            pool.shutdown(wait=False)
        if ok:
            import kaleido

            kaleido.start_sync_server(mathjax=False, silence_warnings=True)
        _png_ok = ok
        return ok


def figure_png(fig: go.Figure, width: int | None = None, height: int | None = None, scale: float = 2.0) -> bytes:
    """The figure as PNG bytes (Kaleido + Chromium); RuntimeError when static export is unavailable."""
    if not png_export_available():
        raise RuntimeError("Static chart export needs Chromium (install 'chromium' or set BROWSER_PATH).")
    width = width or fig.layout.width or 1000
    height = height or fig.layout.height or 500
    with _lock, warnings.catch_warnings():  # Kaleido's shared server handles one request at a time
        # plotly passes per-call Kaleido options (headers) that the shared server ignores; it has mathjax=False
        warnings.filterwarnings("ignore", message="The kopts argument is ignored if using a server.")
        return fig.to_image(format="png", width=int(width), height=int(height), scale=scale)


def html_to_pdf(html_text: str, timeout: int = PDF_TIMEOUT_S) -> bytes | None:
    """Print HTML to PDF with headless Chromium; None if Chromium is missing, RuntimeError if it fails."""
    path = chromium_path()
    if path is None:
        return None
    with tempfile.TemporaryDirectory(prefix="kymlapset-pdf-", ignore_cleanup_errors=True) as tmp:
        src = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        src.write_text(html_text, encoding="utf-8")
        cmd = [
            path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions",
            f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
            f"--print-to-pdf={out}", src.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"Chromium did not finish the PDF in {timeout} s.") from exc
        if not out.is_file() or out.stat().st_size == 0:
            tail = proc.stderr.decode("utf-8", "replace")[-600:]
            raise RuntimeError(f"Chromium made no PDF (exit {proc.returncode}): {tail}")
        return out.read_bytes()


# ------------------------------------------------------------------ HTML helpers

def esc(value: object) -> str:
    """User or plan text as safe HTML: escaped, empty/NaN as '', line breaks kept as <br>."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value)).replace("\r\n", "\n").replace("\n", "<br>\n")


def _strip_tags(value: str) -> str:
    return re.sub(r"<[^>]+>", " ", value or "").strip()


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], classes: Sequence[str] | None = None,
           row_classes: Sequence[str] | None = None, table_class: str = "") -> str:
    """An HTML table; ``headers`` are escaped here, cells must already be safe HTML."""
    head = "".join(f"<th scope=\"col\">{html.escape(h)}</th>" for h in headers)
    body = []
    for i, r in enumerate(rows):
        cls = f' class="{row_classes[i]}"' if row_classes and row_classes[i] else ""
        cells = "".join(
            f'<td class="{classes[j]}">{c}</td>' if classes and classes[j] else f"<td>{c}</td>"
            for j, c in enumerate(r)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    cls = f' class="{table_class}"' if table_class else ""
    return f"<table{cls}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def embed_figures(figures: Sequence[go.Figure] | None, lang: str = "fi", static: bool | None = None) -> str:
    """Figures as <figure> blocks: PNG data URIs if possible (or ``static=True``), else inline Plotly HTML.

    The interactive fallback includes plotly.js once (with the first figure); nothing is loaded
    from a web address.
    """
    figures = list(figures or [])
    if not figures:
        return ""
    if static is None:
        static = png_export_available()
    parts: list[str] = []
    plotlyjs_done = False
    if not static:
        parts.append(f'<p class="note">{html.escape(text("interactive_note", lang))}</p>')
    for i, fig in enumerate(figures, start=1):
        title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else ""
        alt = html.escape(_strip_tags(html.unescape(title)) or text("chart.alt", lang, n=i), quote=True)
        if static:
            data = base64.b64encode(figure_png(fig)).decode("ascii")
            parts.append(f'<figure><img alt="{alt}" src="data:image/png;base64,{data}"></figure>')
        else:
            div = fig.to_html(full_html=False, include_plotlyjs=not plotlyjs_done,
                              config={"displaylogo": False, "responsive": True}, default_width="100%")
            plotlyjs_done = True
            parts.append(f'<figure aria-label="{alt}">{div}</figure>')
    return "\n".join(parts)


def _document(title: str, body: str, lang: str, landscape: bool = False) -> str:
    page = "@media print { @page { size: A4 landscape; } figure img { max-height: 150mm; } }" if landscape else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}{page}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _header(plan: Plan, kicker: str, heading: str, lang: str, extra: Sequence[str] = ()) -> str:
    plan_name = plan.meta.get("name_en") if lang == "en" and plan.meta.get("name_en") else plan.meta.get("name", "")
    meta = [text("generated", lang, date=local_date(lang=lang))]  # "1.12.2026" / "1 Dec 2026", Finnish time
    if plan.meta.get("period_start") and plan.meta.get("period_end"):
        meta.append(text("period", lang, start=plan.meta["period_start"], end=plan.meta["period_end"]))
    meta += list(extra)
    return (
        f'<header><p class="kicker">{esc(plan_name)} · {esc(kicker)}</p><h1>{esc(heading)}</h1>'
        f'<p class="meta">{" · ".join(esc(m) for m in meta)}</p></header>'
    )


def _fmt(value: object, unit: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    s = f"{float(value):.1f}".rstrip("0").rstrip(".").replace(".", ",")  # type: ignore[arg-type]
    return f"{s} %" if unit in ("percent", "percent_change") else s


def _ratings(measures_df: pd.DataFrame, evaluations_df: pd.DataFrame | None, year: int | None,
             lang: str) -> dict[str, str]:
    """measure_id → rating cell HTML ('3 toteutunut hyvin' + comment) for the report tables."""
    if evaluations_df is None or year is None:
        return {}
    rated = ratings_for(measures_df, evaluations_df, year)
    out = {}
    for _, r in rated.iterrows():
        cell = esc(rating_label(int(r["rating"]), lang))
        if r.get("comment"):
            cell += f'<br><span class="muted">{esc(r["comment"])}</span>'
        out[r["measure_id"]] = cell
    return out


def _indicator_rows(plan: Plan, observations_df: pd.DataFrame, goal_id: str, lang: str) -> str:
    pairs = linked_indicators(plan, goal_id)
    comp = comparison_frame(plan, observations_df, pairs, lang=lang) if pairs else pd.DataFrame()
    if comp.empty:
        return f'<p class="note">{esc(text("indicators.none", lang))}</p>'
    trends: dict[tuple[int, str], dict[str, str]] = {}
    for ind, ser in pairs:
        tf = trend_frame(plan, observations_df, ind, ser, lang=lang)
        trends[(ind, ser)] = dict(zip(tf["group_id"], tf["trend"], strict=True)) if not tf.empty else {}
    rows = []
    for _, r in comp.iterrows():
        trend = trends.get((int(r["indicator_id"]), str(r["series_id"])), {}).get(r["group_id"], "ei_trendia")
        rows.append([
            esc(r["label"]), esc(r["group_label"]), esc(int(r["year"])), esc(_fmt(r["value"], r["unit"])),
            esc(_fmt(r["national"], r["unit"])), esc(status_text(r["status"], lang)), esc(trend_label(trend, lang)),
            esc(r.get("flag_text", r["flag"])),  # plain words, never the codes or extraction notes
        ])
    headers = [t("col.indicator", lang), t("col.group", lang), t("col.year", lang), t("col.value", lang),
               t("col.national", lang), text("col.status_vs", lang), text("col.trend", lang), t("col.flag", lang)]
    return _table(headers, rows, classes=["", "", "num", "num", "num", "", "", ""], table_class="indicators")


# ------------------------------------------------------------------ reports

def goal_report_html(plan: Plan, measures_df: pd.DataFrame, observations_df: pd.DataFrame, goal_id: str,
                     lang: str = "fi", figures: Sequence[go.Figure] | None = None,
                     evaluations_df: pd.DataFrame | None = None, year: int | None = None,
                     static: bool | None = None) -> str:
    """A printable, self-contained HTML report of one päätavoite.

    Sections: service-level mix, sub-goals, indicators (Kymenlaakso vs whole country, status,
    trend), the given figures, and the real measures per sub-goal (actor, toimenpide, mittari,
    aikataulu, status, and the ``year``'s rating when ``evaluations_df`` is given).
    ``static`` forces PNG (True) or interactive (False) charts; None decides by Chromium.
    """
    goal = plan.goal(goal_id)
    heading = text("goal.title", lang, goal=goal.goal_id, title=name(goal, lang, "title"))
    parts = [_header(plan, text("goal.report", lang), heading, lang)]
    parts.append(f"<h2>{esc(text('mix', lang))}</h2><ul class=\"mix\">"
                 + "".join(f"<li>{esc(t('mix.' + k, lang))}: {esc(f'{getattr(goal, a):g} %')}</li>"
                           for k, a in (("preventive", "preventive_pct"), ("early_support", "early_support_pct"),
                                        ("intensive", "intensive_pct")))
                 + "</ul>")
    subs = subgoal_table(plan, goal_id, lang)
    parts.append(f"<h2>{esc(text('subgoals', lang))}</h2>")
    parts.append(_table(
        [t("col.subgoal", lang), t("col.title", lang), t("col.difficulty", lang), t("col.impact", lang),
         t("col.indicators", lang)],
        [[esc(r.subgoal_id), esc(r.title), esc(r.difficulty), esc(r.impact), esc(r.indicators)]
         for r in subs.itertuples()],
    ))
    parts.append(f"<h2>{esc(text('indicators', lang))}</h2>")
    parts.append(_indicator_rows(plan, observations_df, goal_id, lang))
    charts = embed_figures(figures, lang, static)
    if charts:
        parts.append(f'<h2 class="page-break">{esc(text("charts", lang))}</h2>{charts}')
    display = measures_display(plan, measures_df, lang) if not measures_df.empty else measures_df
    real = real_measures(display) if not display.empty else display
    real = real[real["subgoal_id"].map(goal_of) == goal_id] if not real.empty else real
    ratings = _ratings(measures_df, evaluations_df, year, lang)
    parts.append(f'<h2 class="page-break">{esc(text("measures", lang))}</h2>')
    if real.empty:
        parts.append(f'<p class="note">{esc(text("measures.none", lang))}</p>')
    for s in plan.subgoals_of(goal_id):
        mine = real[real["subgoal_id"] == s.subgoal_id] if not real.empty else real
        if mine.empty:
            continue
        parts.append(f"<h3>{esc(s.subgoal_id)} {esc(name(s, lang, 'title'))} "
                     f"<span class=\"muted\">({esc(text('measures.count', lang, n=len(mine)))})</span></h3>")
        headers = [t("col.actor", lang), t("col.toimenpide", lang), t("col.mittari", lang), t("col.aikataulu", lang),
                   t("col.status", lang)]
        if ratings:
            headers.append(text("col.rating", lang, year=year))
        rows = []
        for _, m in mine.iterrows():
            row = [esc(m["actor"]), esc(m["toimenpide"]), esc(m["mittari"]), esc(m["aikataulu"]),
                   esc(status_label(m.get("status"), lang))]
            if ratings:
                row.append(ratings.get(m["measure_id"], esc(rating_label(0, lang))))
            rows.append(row)
        parts.append(_table(headers, rows))
    return _document(f"{heading} – {plan.meta.get('short_name', '')}".strip(" –"), "\n".join(parts), lang)


def actor_report_html(plan: Plan, measures_df: pd.DataFrame, actor_id: str, lang: str = "fi",
                      figures: Sequence[go.Figure] | None = None, evaluations_df: pd.DataFrame | None = None,
                      year: int | None = None, static: bool | None = None, landscape: bool = True) -> str:
    """A printable, self-contained HTML report of one actor's measures table, per goal and sub-goal.

    Real measures get toimenpide, mittari, aikataulu, toimijat, seuranta, status, contact (and the
    ``year``'s rating when ``evaluations_df`` is given); the table's other rows (references,
    out-of-scope notes) are listed muted so the report matches the plan's table. Prints on
    landscape A4 by default (the table has seven or eight columns).
    """
    actor = plan.actor(actor_id)
    heading = name(actor, lang)
    extra = [text("actor.section", lang, section=actor.section)]
    if actor.current_name:
        extra.append(text("actor.current", lang, name=actor.current_name))
    parts = [_header(plan, text("actor.report", lang), heading, lang, extra)]
    charts = embed_figures(figures, lang, static)
    if charts:
        parts.append(f"<h2>{esc(text('charts', lang))}</h2>{charts}")
    mine = measures_df[measures_df["actor_id"] == actor_id] if not measures_df.empty else measures_df
    if "deleted" in mine.columns:
        mine = mine[~mine["deleted"].fillna(False).astype(bool)]
    display = measures_display(plan, mine, lang) if not mine.empty else mine
    ratings = _ratings(mine, evaluations_df, year, lang)
    if display.empty:
        parts.append(f'<p class="note">{esc(text("measures.none", lang))}</p>')
    first_goal = True
    for goal in sorted(plan.goals, key=lambda g: g.number):
        in_goal = display[display["subgoal_id"].map(goal_of) == goal.goal_id] if not display.empty else display
        if in_goal.empty:
            continue
        cls = ' class="page-break"' if not first_goal or charts else ""
        first_goal = False
        parts.append(f"<h2{cls}>{esc(text('goal.title', lang, goal=goal.goal_id, title=name(goal, lang, 'title')))}"
                     "</h2>")
        for s in plan.subgoals_of(goal.goal_id):
            rows_df = in_goal[in_goal["subgoal_id"] == s.subgoal_id]
            if rows_df.empty:
                continue
            parts.append(f"<h3>{esc(s.subgoal_id)} {esc(name(s, lang, 'title'))}</h3>")
            headers = [t("col.toimenpide", lang), t("col.mittari", lang), t("col.aikataulu", lang),
                       t("col.toimijat", lang), t("col.seuranta", lang), t("col.status", lang), t("col.contact", lang)]
            if ratings:
                headers.append(text("col.rating", lang, year=year))
            rows, row_classes = [], []
            for _, m in rows_df.iterrows():
                real = m["row_kind"] == "measure"
                first = esc(m["toimenpide"]) if real else f"{esc(m['row_kind_label'])}: {esc(m['toimenpide'])}"
                row = [first, esc(m["mittari"]), esc(m["aikataulu"]), esc(m["toimijat"]), esc(m["seuranta"]),
                       esc(status_label(m.get("status"), lang)) if real else "", esc(m.get("contact", ""))]
                if ratings:
                    row.append(ratings.get(m["measure_id"], esc(rating_label(0, lang))) if real else "")
                rows.append(row)
                row_classes.append("" if real else "other")
            parts.append(_table(headers, rows, row_classes=row_classes))
    return _document(f"{heading} – {plan.meta.get('short_name', '')}".strip(" –"), "\n".join(parts), lang,
                     landscape=landscape)


# ------------------------------------------------------------------ default figures for the reports

def default_goal_figures(plan: Plan, measures_df: pd.DataFrame, observations_df: pd.DataFrame, goal_id: str,
                         lang: str = "fi", evaluations_df: pd.DataFrame | None = None,
                         year: int | None = None) -> list[go.Figure]:
    """Charts a goal report usually carries: the indicator × group status grid, and the year's ratings."""
    from core.charts import status_heatmap
    from core.evaluation import evaluation_figure, evaluation_summary
    from core.evaluation import text as eval_text

    figs: list[go.Figure] = []
    pairs = linked_indicators(plan, goal_id)
    comp = comparison_frame(plan, observations_df, pairs, lang=lang) if pairs else pd.DataFrame()
    if not comp.empty:
        groups = [(g.group_id, name(g, lang)) for g in sorted(plan.groups, key=lambda g: g.sort_order)]
        figs.append(status_heatmap(comp, groups, lang, title=text("indicators", lang)))
    if evaluations_df is not None and year is not None and not measures_df.empty:
        in_goal = measures_df[measures_df["subgoal_id"].map(goal_of) == goal_id]
        summary = evaluation_summary(in_goal, evaluations_df, plan, by="subgoal", year=year, lang=lang)
        if not summary.empty:
            figs.append(evaluation_figure(summary, lang, title=eval_text("chart.title", lang, year=year)))
    return figs


def default_actor_figures(plan: Plan, measures_df: pd.DataFrame, actor_id: str, lang: str = "fi",
                          evaluations_df: pd.DataFrame | None = None, year: int | None = None,
                          horizon: int | None = None) -> list[go.Figure]:
    """Charts an actor report usually carries: the actor's timeline and, if given, the year's ratings per goal."""
    from core.evaluation import evaluation_figure, evaluation_summary
    from core.evaluation import text as eval_text
    from core.timeline import text as timeline_text
    from core.timeline import timeline_figure, timeline_frame

    mine = measures_df[measures_df["actor_id"] == actor_id] if not measures_df.empty else measures_df
    figs: list[go.Figure] = []
    if not mine.empty and not timeline_frame(plan, mine, lang, horizon).empty:
        figs.append(timeline_figure(plan, mine, lang, horizon=horizon, title=timeline_text("title", lang)))
    if evaluations_df is not None and year is not None and not mine.empty:
        summary = evaluation_summary(mine, evaluations_df, plan, by="goal", year=year, lang=lang)
        if not summary.empty:
            figs.append(evaluation_figure(summary, lang, title=eval_text("chart.title", lang, year=year)))
    return figs
