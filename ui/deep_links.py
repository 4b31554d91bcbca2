"""A shared link to a page (/arviointi, /paatavoite-2 …) connects to the server at once.

Streamlit's frontend (1.67) does not know whether the last part of the address it was opened at is a
page or part of the path the app is served under. At /arviointi it first asks
/arviointi/_stcore/health and /arviointi/_stcore/host-config, gets 404 for both, waits 100 ms and asks
/_stcore/health again: every deep link waits that round (in Chromium on this machine the WebSocket
opened ~0.1 s later than at /, and the page was drawn ~0.13 s later; bench/drawn.py's table pages are
all deep links).

The frontend reads the server's address from ``window.__streamlit.BACKEND_BASE_URL`` when a page sets
it before Streamlit's own script runs. The page Streamlit serves for a deep link (its index.html,
``_index_path`` of its static-file handler) gets one small script here that sets it, and only when the
last part of the address is one of this app's pages: the address without that part is then the app's
own, behind any proxy prefix (Community Cloud serves the app under /~/+/). Any other address is left to
Streamlit's own search. The address Streamlit's frontend needs is the one it finds by itself; the
script saves the round that does not answer.

The same page also fetches the code of the elements every page draws while it boots (ui.page_preload).

The handler exists before the first script run, so the first link after a server start is served as
before; every later one gets the script.
"""

from __future__ import annotations

import atexit
import gc
import logging
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from core.serving.urlstate import VIEW_PARAM
from ui import page_preload

LOG = logging.getLogger(__name__)

# Streamlit's index.html sets this before its own module script; ours goes right after it
ANCHOR = "window.prerenderReady = false\n    </script>"

SCRIPT = """
    <script>
      (function () {
        var pages = %(pages)s, pattern = new RegExp(%(pattern)s);
        var parts = window.location.pathname.replace(/\\/+$/, "").split("/");
        var last = parts[parts.length - 1];
        if (pages.indexOf(last) < 0 && !pattern.test(last)) return;
        parts.pop();
        var base = new URL(window.location.href);
        base.pathname = parts.join("/") || "/";
        base.search = "";
        base.hash = "";
        window.__streamlit = Object.assign({}, window.__streamlit, { BACKEND_BASE_URL: base.href });
      })();
    </script>"""

_done: dict[str, bool] = {}  # "installed": the outcome of the one try per process


def index_html(html: str, pages: Iterable[str], pattern: str) -> str | None:
    """Streamlit's index.html with the script that names the server's address on a page's deep link;
    None when the page is not the one this was written for (a changed Streamlit): served unchanged then."""
    if html.count(ANCHOR) != 1 or "BACKEND_BASE_URL" in html:
        return None
    script = SCRIPT % {"pages": page_preload.js_value(sorted(pages)), "pattern": page_preload.js_value(pattern)}
    return html.replace(ANCHOR, ANCHOR + script)


def _static_handlers() -> list:
    """Streamlit's handlers of its static files (in 1.67 a subclass of Starlette's StaticFiles defined
    inside a function, reachable only through its instance)."""
    try:
        from starlette.staticfiles import StaticFiles  # noqa: PLC0415
    except ImportError:
        return []
    found = []
    for cls in StaticFiles.__subclasses__():
        if cls.__name__ != "_StreamlitStaticFiles":
            continue
        found += [obj for obj in gc.get_referrers(cls) if isinstance(obj, cls) and hasattr(obj, "_index_path")]
    return found


def install(pages: Iterable[str], pattern: str, table_views: dict[str, list[str]] | None = None) -> bool:
    """Serve deep links (the handler's index.html for paths that are no file) with the script, and every
    page with the preload of ui.page_preload (the table's code on a link to one of ``table_views``: a
    page's URL name → its views as ?nakyma= names them, "" for none); once per process. False (and
    Streamlit's own page) when the handler or its page is not what this expects, or when there is no
    server (a test's AppTest)."""
    if "installed" not in _done:
        _done["installed"] = _install(pages, pattern, table_views or {})
    return _done["installed"]


def _install(pages: Iterable[str], pattern: str, table_views: dict[str, list[str]]) -> bool:
    handlers = _static_handlers()
    for handler in handlers:
        try:
            original = Path(handler._index_path)
            html = index_html(original.read_text(encoding="utf-8"), pages, pattern)
            if html is None:
                LOG.warning("deep links: Streamlit's index.html is not the expected one; served as it is")
                return False
            html = page_preload.served_page(html, original.parent, table_views, VIEW_PARAM)
            # in a folder of this process's own (no other user of the machine can put a page there),
            # removed when the process ends
            folder = tempfile.mkdtemp(prefix="kymlapset-index-")
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            target = Path(folder) / "index.html"
            target.write_text(html, encoding="utf-8")
            handler._index_path = str(target)
        except OSError as exc:
            LOG.warning("deep links: index.html not replaced (%s)", type(exc).__name__)
            return False
    return bool(handlers)
