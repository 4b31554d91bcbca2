"""Printable goal and actor reports: self-contained HTML, escaping, PNG/interactive charts, PDF."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import plotly.graph_objects as go
import pytest

from core.documents import chromium, report
from core.store import MeasureEdit

EVIL = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
needs_chromium = pytest.mark.skipif(chromium.chromium_path() is None, reason="Chromium is not installed")


@pytest.fixture()
def evil_store(mini_store, editor):
    """The mini store with <script> in a measure's toimenpide, mittari and status, and an evaluation."""
    store = mini_store
    store.save_measure_edits(
        [MeasureEdit("kymsote-I.1-1", 1, {"toimenpide": EVIL, "mittari": "a < b & c", "status": "käynnissä"})], editor
    )
    store.save_evaluation("kymsote-I.1-1", 2024, {"rating": 3, "comment": EVIL}, None, editor)
    return store


def _fig() -> go.Figure:
    return go.Figure(go.Bar(x=[1, 2], y=[3, 4]), layout={"title": {"text": "Testikaavio <b>"}, "height": 300})


def _no_web_addresses(html_text: str) -> None:
    assert not re.search(r"<script[^>]+src=", html_text)
    assert not re.search(r"<link[^>]+href=", html_text)
    assert not re.search(r"<img[^>]+src=\"http", html_text)


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_goal_report_escapes_and_lists_measures(mini_plan, evil_store, lang) -> None:
    html_text = report.goal_report_html(
        mini_plan,
        evil_store.measures(),
        evil_store.observations(),
        "I",
        lang,
        figures=[],
        evaluations_df=evil_store.evaluations(),
        year=2024,
    )
    assert html_text.startswith("<!DOCTYPE html>")
    assert "<script" not in html_text  # no charts: no script at all, and the measure text is escaped
    assert html_text.count(ESCAPED) == 2  # toimenpide and evaluation comment
    assert "a &lt; b &amp; c" in html_text
    assert "@media print" in html_text and "page-break" in html_text
    assert ("Päätavoite I" if lang == "fi" else "Main goal I") in html_text
    # the measures table carries mittari and aikataulu columns and both real measures of goal I
    assert ("Mittari / toteutuminen" if lang == "fi" else "Metric") in html_text
    assert "2020 alkaen" in html_text and "Lapsivaikutusten arviointi" in html_text
    assert "Ks. edellinen kohta" not in html_text  # a reference row is no measure (and belongs to goal II)
    assert ("3 toteutunut hyvin" if lang == "fi" else "3 well implemented") in html_text
    # indicators of goal I: 7 and 31 with status words
    assert "7 Tyytyväinen elämäänsä" in html_text or "7 Satisfied with life" in html_text
    _no_web_addresses(html_text)


def test_actor_report_lists_all_rows_and_escapes(mini_plan, evil_store) -> None:
    html_text = report.actor_report_html(mini_plan, evil_store.measures(), "hamina", "fi", figures=[])
    assert "Haminan kaupunki" in html_text
    assert "Lapsivaikutusten arviointi" in html_text and "Ks. edellinen kohta." in html_text
    assert 'class="other"' in html_text  # the reference row is shown muted
    assert "size: A4 landscape" in html_text
    own = report.actor_report_html(
        mini_plan,
        evil_store.measures(),
        "kymsote",
        "en",
        figures=[],
        evaluations_df=evil_store.evaluations(),
        year=2024,
    )
    assert "<script" not in own and own.count(ESCAPED) == 2
    assert "▶ ongoing" in own and "Rating 2024" in own


def test_interactive_fallback_includes_plotly_once_and_no_address(mini_plan, evil_store) -> None:
    html_text = report.goal_report_html(
        mini_plan, evil_store.measures(), evil_store.observations(), "I", "fi", figures=[_fig(), _fig()], static=False
    )
    assert html_text.count("plotly.js v") == 1  # the library inlined once, for the first chart
    assert html_text.count('class="plotly-graph-div"') == 2
    assert ESCAPED in html_text and EVIL not in html_text
    _no_web_addresses(html_text)


def test_without_chromium_falls_back_and_pdf_is_none(monkeypatch, mini_plan, mini_store) -> None:
    monkeypatch.setattr(chromium, "chromium_path", lambda: None)
    monkeypatch.setattr(chromium, "_png_ok", None)
    assert report.png_export_available() is False
    with pytest.raises(RuntimeError):
        report.figure_png(_fig())
    html_text = report.actor_report_html(mini_plan, mini_store.measures(), "kymsote", "fi", figures=[_fig()])
    assert "plotly.js v" in html_text and "<img " not in html_text
    assert report.html_to_pdf("<p>x</p>") is None


def test_a_probe_that_ran_out_of_time_is_made_again(monkeypatch) -> None:
    # a busy moment must not leave the process without chart images for good
    monkeypatch.setenv("BROWSER_PATH", os.environ.get("BROWSER_PATH", ""))  # restored after the test
    monkeypatch.setattr(chromium, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(chromium, "_png_ok", None)
    number = chromium.config.number
    monkeypatch.setattr(chromium.config, "number", lambda n: 0.05 if n == "chromium_probe_timeout_s" else number(n))
    monkeypatch.setattr(chromium, "_probe", lambda: time.sleep(0.5) or True)
    assert report.png_export_available() is False
    monkeypatch.setattr(chromium, "_probe", lambda: True)
    assert report.png_export_available() is True
    monkeypatch.setattr(chromium, "_probe", lambda: False)
    assert report.png_export_available() is True  # a check that answered is kept


@needs_chromium
def test_figure_png() -> None:
    png = report.figure_png(_fig())
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def _chromium_children() -> int:
    """Chromium processes running under this one (Kaleido's shared server, a PDF printer)."""
    import os

    parent: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            pass
    under, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        kids = [k for k, pp in parent.items() if pp == pid and k not in under]
        under.update(kids)
        todo.extend(kids)
    found = 0
    for pid in under:
        try:
            found += "chrom" in Path(f"/proc/{pid}/comm").read_text()
        except OSError:
            pass
    return found


@needs_chromium
def test_a_report_leaves_no_chromium_running_after_its_pdf() -> None:
    """Memory: the chart images' Chromium is stopped before the PDF is printed, and nothing is left
    after it (a server that made a report goes back to its own size; 1 GB on Community Cloud)."""
    report.html_to_pdf("<p>x</p>")  # an earlier test's images may have left Kaleido running
    before = _chromium_children()  # a browser test's Chromium may run under this process too
    report.figure_png(_fig())
    assert _chromium_children() > before  # Kaleido's shared server made the image
    pdf = report.html_to_pdf("<h1>Raportti</h1>")
    assert pdf is not None and pdf.startswith(b"%PDF")
    assert _chromium_children() == before
    assert report.figure_png(_fig()).startswith(b"\x89PNG")  # the next image starts it again


@needs_chromium
def test_static_charts_are_base64_png(mini_plan, evil_store) -> None:
    figs = report.default_goal_figures(
        mini_plan, evil_store.measures(), evil_store.observations(), "I", "fi", evil_store.evaluations(), 2024
    )
    assert len(figs) == 2  # status grid and the year's ratings
    html_text = report.goal_report_html(
        mini_plan, evil_store.measures(), evil_store.observations(), "I", "fi", figures=figs
    )
    assert html_text.count('<img alt="') == 2 and html_text.count('src="data:image/png;base64,') == 2
    assert "<script" not in html_text
    _no_web_addresses(html_text)


@needs_chromium
def test_html_to_pdf(mini_plan, evil_store) -> None:
    figs = report.default_actor_figures(mini_plan, evil_store.measures(), "kymsote", "fi")
    html_text = report.actor_report_html(mini_plan, evil_store.measures(), "kymsote", "fi", figures=figs)
    pdf = report.html_to_pdf(html_text)
    assert pdf is not None and pdf.startswith(b"%PDF-") and len(pdf) > 5000


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_huomio_column_in_plain_words_never_codes_or_extraction_notes(plan, lang) -> None:
    """The board report's Huomio column explains a flag in the reader's language; data/'s notes stay out."""
    from core.base.i18n import t
    from core.views.queries import KNOWN_FLAGS, measures_frame, observations_frame

    pages = " ".join(
        report.goal_report_html(plan, measures_frame(plan), observations_frame(plan), g, lang, figures=[], static=False)
        for g in ("I", "II", "III")
    )
    assert not any(code in pages for code in KNOWN_FLAGS)
    assert not re.search(r"\(L\d{3,4}", pages) and "1.5 prints" not in pages and "Tile " not in pages
    assert sum(html_escape(t(f"flag.{code}", lang)) in pages for code in KNOWN_FLAGS) >= 2


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


# ------------------------------------------------------------------ templates (issue #13, item 6)

SCRIPT = "<script>alert(1)</script>"
JINJA = "{{ 7*7 }} {% if true %}yes{% endif %}"


@pytest.fixture()
def evil_plan(tmp_path):
    """The mini plan with markup and template syntax in a goal title, an actor's names and the plan name."""
    import shutil

    from core.plan.loader import load_plan
    from tests.conftest import MINI

    root = tmp_path / "plan"
    shutil.copytree(MINI, root)
    goals = (
        (root / "goals.csv")
        .read_text(encoding="utf-8")
        .replace("Arjen hyvinvointi lisääntyy,Everyday wellbeing increases", f'"{SCRIPT} {JINJA}","{SCRIPT} {JINJA}"')
    )
    (root / "goals.csv").write_text(goals, encoding="utf-8")
    actors = (root / "actors.csv").read_text(encoding="utf-8")
    (root / "actors.csv").write_text(
        actors.replace("Kymenlaakson hyvinvointialue", f'"{JINJA}"').replace("2.1,Kymsote,", f"2.1,{SCRIPT},"),
        encoding="utf-8",
    )
    meta = (root / "plan.yaml").read_text(encoding="utf-8")
    evil_name = "'Plan <b>&amp; {{ 7*7 }}'"
    (root / "plan.yaml").write_text(
        meta.replace("name: Testisuunnitelma", f"name: {evil_name}").replace(
            "name_en: Test plan", f"name_en: {evil_name}"
        ),
        encoding="utf-8",
    )
    return load_plan(root)


def _literal(html_text: str) -> None:
    """No markup or template syntax from the data ran: the texts are there, escaped, and nothing computed."""
    assert SCRIPT not in html_text and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text
    assert JINJA in html_text  # template syntax in data is only text: never evaluated
    assert "49" not in html_text and ">yes<" not in html_text


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_data_and_store_texts_come_out_escaped_and_literal(evil_plan, editor, lang) -> None:
    """Markup or {{ }} in data/ or in the store is shown as written, in every report kind."""
    from core.store import Store

    store = Store.open("sqlite://", evil_plan)
    store.save_measure_edits(
        [MeasureEdit("kymsote-I.1-1", 1, {"toimenpide": SCRIPT, "mittari": JINJA, "contact": f"{SCRIPT}\n{JINJA}"})],
        editor,
    )
    store.save_evaluation("kymsote-I.1-1", 2024, {"rating": 2, "comment": f"{JINJA}\n{SCRIPT}"}, None, editor)
    measures, evals = store.measures(), store.evaluations()
    goal = report.goal_report_html(
        evil_plan, measures, store.observations(), "I", lang, figures=[], evaluations_df=evals, year=2024
    )
    actor = report.actor_report_html(evil_plan, measures, "kymsote", lang, figures=[], evaluations_df=evals, year=2024)
    for html_text in (goal, actor):
        _literal(html_text)
        assert "<script" not in html_text
        assert "Plan &lt;b&gt;&amp;amp; {{ 7*7 }}" in html_text  # the plan's name, escaped once, not run
    assert "<title>Päätavoite I: &lt;script&gt;" in goal or "<title>Main goal I: &lt;script&gt;" in goal
    # a line break in store text stays a line break; the comment sits muted under the rating
    assert f"&lt;script&gt;alert(1)&lt;/script&gt;<br>\n{JINJA}" in actor
    assert f'<br><span class="muted">{JINJA}<br>\n&lt;script&gt;' in goal


def test_figure_titles_in_alt_text_are_escaped(monkeypatch, mini_plan, mini_store) -> None:
    """A chart's title from the data goes into the image's alt text escaped, quotes included."""
    fig = go.Figure(go.Bar(x=[1], y=[1]), layout={"title": {"text": 'Otsikko "<x>" {{ 7*7 }}'}})
    monkeypatch.setattr(report, "figure_png", lambda *_a, **_k: b"\x89PNG")
    html_text = report.actor_report_html(mini_plan, mini_store.measures(), "kymsote", "fi", figures=[fig], static=True)
    assert '<img alt="Otsikko &quot; &quot; {{ 7*7 }}"' in html_text  # tags stripped, quotes escaped


def test_templates_escape_and_never_mark_data_safe() -> None:
    """Every report template autoescapes, a missing value is an error (not an empty cell), no |safe."""
    import jinja2

    for path in report.TEMPLATES.glob("*.j2"):
        assert "|safe" not in path.read_text(encoding="utf-8").replace(" ", ""), path.name
        assert report._env.get_template(path.name).environment.autoescape
    with pytest.raises(jinja2.UndefinedError):
        report._render("goal.html.j2", "fi", title="x")


def test_pdf_printing_runs_one_chromium_at_a_time(monkeypatch) -> None:
    """Three reports asked at once print one after another: one Chromium printing per process."""
    import threading
    import time

    active, peak, lock = [0], [0], threading.Lock()

    def slow_print(path: str, html_text: str, timeout: float) -> bytes:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.1)
        with lock:
            active[0] -= 1
        return b"%PDF-1.4"

    monkeypatch.setattr(chromium, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(chromium, "_print_pdf", slow_print)
    threads = [threading.Thread(target=report.html_to_pdf, args=("<p>x</p>",)) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert peak[0] == 1


def test_pdf_timeout_is_the_declared_setting(monkeypatch) -> None:
    seen: list[float] = []
    monkeypatch.setenv("KYMLAPSET_PDF_TIMEOUT_S", "7")
    monkeypatch.setattr(chromium, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(chromium, "_print_pdf", lambda path, html_text, timeout: seen.append(timeout) or b"%PDF")
    report.html_to_pdf("<p>x</p>")
    assert seen == [7.0]


@pytest.mark.skipif(os.name != "posix" or shutil.which("nice") is None, reason="needs Unix `nice`")
def test_background_browser_takes_only_spare_processor_time(monkeypatch) -> None:
    """The browser the background work starts (Kaleido's, the PDF printer) gets only the processor time
    nothing else wants: the wrapper starts the real browser, with its arguments, under Linux's idle
    scheduling (or, without ``chrt``, at the lowest niceness)."""
    import subprocess
    import sys

    monkeypatch.setattr(chromium, "chromium_path", lambda: sys.executable)  # a "browser" that reports its priority
    browser = chromium.background_browser()
    assert browser is not None and browser != sys.executable
    probe = "import os; print(os.sched_getscheduler(0) == os.SCHED_IDLE, os.nice(0))"
    out = subprocess.run([browser, "-c", probe], capture_output=True, text=True, timeout=30, check=True)
    idle, nice = out.stdout.split()
    assert idle == "True" or int(nice) == 19, out.stdout
    if shutil.which("chrt"):
        assert idle == "True"

    monkeypatch.setenv("KYMLAPSET_BACKGROUND_IDLE", "false")
    assert chromium.background_browser() == sys.executable  # off: the browser itself, as it is


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs Linux /proc")
def test_background_browser_uses_at_most_its_share_of_a_processor(monkeypatch) -> None:
    """With ``background_cpu_share`` 0.25 the wrapper pauses and resumes the browser in turns: a "browser"
    that keeps a processor busy for 2 s of wall time gets well under all of it, and its output and exit
    reach the caller as without the pauses."""
    import subprocess
    import sys

    monkeypatch.setattr(chromium, "chromium_path", lambda: sys.executable)
    busy = "import time; t = time.monotonic()\nwhile time.monotonic() - t < 2: pass\nprint(time.process_time())"

    monkeypatch.setenv("KYMLAPSET_BACKGROUND_CPU_SHARE", "0.25")
    browser = chromium.background_browser()
    out = subprocess.run([browser, "-c", busy], capture_output=True, text=True, timeout=60, check=True)
    assert float(out.stdout) < 0.6 * 2, out.stdout  # about a quarter of 2 s; never nearly all of it
    assert chromium.duty_cycle(0.25) == pytest.approx((0.1, 0.3))

    monkeypatch.setenv("KYMLAPSET_BACKGROUND_CPU_SHARE", "1")
    chromium.background_browser()
    assert "KYMLAPSET_BACKGROUND_PAUSE_S" not in os.environ  # no limit: never paused
    assert chromium.duty_cycle(float("nan")) == (chromium.DUTY_PERIOD_S, 0.0)
    assert chromium.duty_cycle(0) == pytest.approx((0.02, 0.38))  # never paused for good


def test_report_files_without_chromium_give_the_html_with_interactive_charts_and_no_pdf_or_png(
    monkeypatch, mini_plan, evil_store
) -> None:
    monkeypatch.setattr(chromium, "chromium_path", lambda: None)
    monkeypatch.setattr(chromium, "_png_ok", None)
    seen: list[float] = []
    for kind, target in (("goal", "I"), ("actor", "kymsote")):
        html_text, pdf, png = report.report_files(
            seen.append,
            mini_plan,
            evil_store.measures(),
            evil_store.observations(),
            evil_store.evaluations(),
            kind,
            target,
            2024,
        )
        assert pdf is None and png is None  # the page says the PDF and the image need Chromium
        assert ESCAPED in html_text and EVIL not in html_text and "plotly.js v" in html_text
        assert seen[-1] == 1.0 and seen == sorted(seen)  # the progress bar only moves forward, to the end
        seen.clear()
