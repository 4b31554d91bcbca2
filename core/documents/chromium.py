"""Chromium for the documents: chart images through Kaleido and PDFs printed by headless Chromium.

Static export needs Chromium (``/usr/bin/chromium`` from Debian, or ``BROWSER_PATH``). The first
``figure_png`` call probes Chromium once (a few seconds) and then starts Kaleido's shared server
(``start_sync_server(mathjax=False)``), after which an image takes ~0.1–0.3 s. That server is a
Chromium of ~200 MB and the PDF printer another: ``html_to_pdf`` stops Kaleido's server before it
prints, so the two never run at once and a server that has made a report goes back to its own size
(the next report's first image starts Kaleido again: 2–7 s here, in the background worker, so
nobody's page waits for it). A Chromium here is ~370–390 MB PSS, ~240 MB of it its own file pages
(docs/benchmarks.md, fifth sitting).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import warnings
from pathlib import Path

import plotly.graph_objects as go

from core.base import config

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


# One Chromium at work at a time per process: the one-time check, Kaleido's one shared browser for
# chart images and the PDF printer take turns (three viewers asking for reports at once kept 20
# Chromium processes, 1.6 GB, under the server); the work of a report waits in the worker, not a page.
_lock = threading.Lock()
_png_ok: bool | None = None
_chart_server_up = False  # Kaleido's shared Chromium is running (changed only under _lock)


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


_LOW_PRIORITY = Path(__file__).with_name("chromium-background")  # starts the browser with `nice`


def background_browser() -> str | None:
    """The browser that the background work starts (chart images, PDF): the real one through
    ``chromium-background``, which gives it only the processor time nothing else wants (setting
    ``background_idle``; off: as it is), or None if there is no browser.

    A report is made beside sixty page runs on a small server; at the same priority its Chromium took
    the processor from them (bench/live_load.py --pdf: the others' save -> seen p95 rose 1.0 s). A
    plain ``nice`` is not enough: Chromium sets its processes' niceness itself (as root even lower).
    """
    path = chromium_path()
    if path is None:
        return None
    try:
        idle = bool(config.get("background_idle"))
    except ValueError:  # a mistyped setting: the default
        idle = True
    if not idle or os.name != "posix" or not os.access(_LOW_PRIORITY, os.X_OK):
        return path  # off, or the wrapper lost its executable bit (say, an unzipped copy)
    os.environ["KYMLAPSET_CHROMIUM"] = path  # read by the wrapper (Kaleido passes the environment on)
    run, pause = duty_cycle(config.number("background_cpu_share"))
    if pause > 0:
        os.environ["KYMLAPSET_BACKGROUND_RUN_S"], os.environ["KYMLAPSET_BACKGROUND_PAUSE_S"] = (
            f"{run:.3f}",
            f"{pause:.3f}",
        )
    else:
        os.environ.pop("KYMLAPSET_BACKGROUND_PAUSE_S", None)
    return str(_LOW_PRIORITY)


DUTY_PERIOD_S = 0.4


def duty_cycle(share: float) -> tuple[float, float]:
    """(seconds running, seconds paused) of each ``DUTY_PERIOD_S`` for the background Chromium to use at
    most ``share`` of one processor; (period, 0) when ``share`` is 1 or more, or not a share at all."""
    if math.isnan(share) or share >= 1:  # not a share at all, or no limit
        return DUTY_PERIOD_S, 0.0
    share = max(share, 0.05)  # never paused for good
    return DUTY_PERIOD_S * share, DUTY_PERIOD_S * (1 - share)


def _probe() -> bool:
    """Render a tiny figure once with a one-shot Kaleido (which reports errors instead of hanging)."""
    import kaleido

    data = kaleido.calc_fig_sync(
        {"data": [{"type": "bar", "x": [1], "y": [1]}], "layout": {}},
        opts={"format": "png", "width": 60, "height": 40},
        kopts={"mathjax": False, "path": background_browser()},
    )
    return isinstance(data, bytes) and data.startswith(b"\x89PNG")


def png_export_available() -> bool:
    """Whether charts can be rendered to PNG here (Chromium works); checked once per process, except that
    a check that ran out of time is made again next time: the idle-scheduled Chromium may have had no
    processor time in a busy moment, and that must not leave the process without chart images."""
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
            ok = pool.submit(_probe).result(timeout=config.number("chromium_probe_timeout_s"))
        except concurrent.futures.TimeoutError:  # a busy machine: interactive charts now, asked again later
            return False
        except Exception:  # noqa: BLE001 — missing or broken Chromium: fall back to interactive
            ok = False
        finally:
            pool.shutdown(wait=False)
        _png_ok = ok
        return ok


def _chart_server(up: bool) -> None:
    """Start or stop Kaleido's shared Chromium; the caller holds ``_lock``."""
    global _chart_server_up
    if up == _chart_server_up:
        return
    import kaleido

    if up:
        kaleido.start_sync_server(mathjax=False, silence_warnings=True, path=background_browser())
    else:
        kaleido.stop_sync_server(silence_warnings=True)
    _chart_server_up = up


def figure_png(fig: go.Figure, width: int | None = None, height: int | None = None, scale: float = 2.0) -> bytes:
    """The figure as PNG bytes (Kaleido + Chromium); RuntimeError when static export is unavailable."""
    if not png_export_available():
        raise RuntimeError("Static chart export needs Chromium (install 'chromium' or set BROWSER_PATH).")
    width = width or fig.layout.width or 1000
    height = height or fig.layout.height or 500
    with _lock, warnings.catch_warnings():  # Kaleido's shared server handles one request at a time
        _chart_server(up=True)
        # plotly passes per-call Kaleido options (headers) that the shared server ignores; it has mathjax=False
        warnings.filterwarnings("ignore", message="The kopts argument is ignored if using a server.")
        return fig.to_image(format="png", width=int(width), height=int(height), scale=scale)


def html_to_pdf(html_text: str, timeout: float | None = None) -> bytes | None:
    """Print HTML to PDF with headless Chromium (one at a time per process); None if Chromium is
    missing, RuntimeError if it fails or takes longer than ``timeout`` (setting ``pdf_timeout_s``)."""
    path = background_browser()
    if path is None:
        return None
    timeout = config.number("pdf_timeout_s") if timeout is None else timeout
    with _lock:
        _chart_server(up=False)  # never two Chromiums at once (memory): the charts are made by now
        return _print_pdf(path, html_text, timeout)


def _print_pdf(path: str, html_text: str, timeout: float) -> bytes:
    with tempfile.TemporaryDirectory(prefix="kymlapset-pdf-", ignore_cleanup_errors=True) as tmp:
        src = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        src.write_text(html_text, encoding="utf-8")
        cmd = [
            path,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            # one process instead of ~10 (browser, zygotes, GPU, network, renderer): a PDF printer
            # needs no isolation between its parts, and the server's process count stays small
            "--single-process",
            "--no-zygote",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        # its own process group, so a Chromium that overruns is ended with every process it started
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"Chromium did not finish the PDF in {timeout:g} s.") from exc
        if not out.is_file() or out.stat().st_size == 0:
            tail = err.decode("utf-8", "replace")[-600:]
            raise RuntimeError(f"Chromium made no PDF (exit {proc.returncode}): {tail}")
        return out.read_bytes()
