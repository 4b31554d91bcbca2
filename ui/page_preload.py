"""The page Streamlit serves fetches the code of the elements its page will draw while it boots.

Streamlit's frontend (1.67) loads each kind of element's code (a select, a table …) only when it first
draws one: after the page's first message, while the server is running the page's script. The same
server answers those files, and it answered them late while it ran the page (Chromium, /arviointi,
first visits: the selects' files asked at 0.87–1.00 s and answered up to 1.21 s, the table's asked at
1.07–1.16 s, when a bare page with only the table had drawn it). The table was drawn last.

Here the served page names those files up front, as Streamlit names its own: every file an element's
module needs (the list Streamlit's main script keeps for its lazy imports), asked at low priority in the
page's first half second while the server is idle, and the modules evaluated once Streamlit's own script
has run. Streamlit's files, and its health check that opens the connection, still go first: at normal
priority the same preload made the table pages slower (1.29× against 1.24×). When Streamlit draws the
element its code is there: bench/drawn.py's table pages, 15 rounds, both servers taking turns, 1.21× /
1.20× / 1.20× the bare page before, 1.16× / 1.17× / 1.15× with this (docs/benchmarks.md).

Anything this does not recognise (another Streamlit, another file layout) leaves the page as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

# The elements of the shared frame, fetched on every page (the sidebar's selects and language radio, its
# HTML, the filter line's button) …
FRAME = ("Selectbox", "Multiselect", "Radio", "Html", "Button")
# … and the table's, only on a link to a view whose point is a table (ui.state.TABLE_VIEWS): on a chart
# page its ~0.5 MB of code took the charts' turn (/paatavoite-1, 13 visits: 2.26 s against 2.16 s)
TABLES = ("DataFrame",)
ELEMENTS = FRAME + TABLES

MAIN_SCRIPT = re.compile(r'<script type="module" crossorigin src="\./static/js/(index\.[\w-]+\.js)"></script>')
DEPENDENCIES = re.compile(r"__vite__mapDeps=\(i,m=__vite__mapDeps,d=\(m\.f\|\|\(m\.f=(\[[^\]]*\])\)\)\)")
FILE = re.compile(r"\./[\w.-]+\.js|\.\./css/[\w.-]+\.css")  # a dependency as the main script names it
LAZY = r"import\(`\./({element}\.[\w-]+\.js)`\)[^;]{{0,80}}?__vite__mapDeps\(\[([\d,]*)\]\)"


def element_files(main_script: str, elements: Iterable[str] = ELEMENTS) -> tuple[list[str], list[str]]:
    """The modules of ``elements`` (``js/DataFrame.-f9-1zS0.js`` …) and every file they need (modules and
    style sheets, each once), as paths under Streamlit's static folder; nothing for a script without
    the lists this expects."""
    listed = DEPENDENCIES.search(main_script)
    if listed is None:
        return [], []
    try:
        names = json.loads(listed.group(1))
    except ValueError:
        return [], []
    modules: list[str] = []
    files: dict[str, None] = {}
    for element in elements:
        lazy = re.search(LAZY.format(element=re.escape(element)), main_script)
        if lazy is None:
            continue
        try:
            needed = [names[int(i)] for i in lazy.group(2).split(",") if i]
        except (IndexError, ValueError):
            continue
        if not all(isinstance(n, str) and FILE.fullmatch(n) for n in needed):
            continue
        modules.append(f"js/{lazy.group(1)}")
        for name in needed:
            files[_static_path(name)] = None
    return modules, list(files)


def _static_path(name: str) -> str:
    """``./X.js`` → ``js/X.js``, ``../css/Y.css`` → ``css/Y.css`` (the main script lives in static/js)."""
    return name[len("../") :] if name.startswith("../") else "js/" + name[len("./") :]


# Run as the page is read: on a link to a table view, the table's files are asked at once (as the links
# in the head are) and its modules evaluated after Streamlit's script (``TABLE_IMPORTS``)
TABLE_LINKS = """
    <script>
      (function () {
        var views = %(views)s, files = %(files)s, param = %(param)s;
        var page = window.location.pathname.replace(/\\/+$/, "").split("/").pop();
        if (!Object.prototype.hasOwnProperty.call(views, page)) return;
        if (views[page].indexOf(new URLSearchParams(window.location.search).get(param) || "") < 0) return;
        window.__kymlapsetTableView = true;
        files.forEach(function (file) {
          var link = document.createElement("link");
          link.rel = /\\.css$/.test(file) ? "stylesheet" : "modulepreload";
          if (link.rel === "modulepreload") link.setAttribute("fetchpriority", "low");
          link.crossOrigin = "";
          link.href = "./static/" + file;
          document.head.appendChild(link);
        });
      })();
    </script>"""
TABLE_IMPORTS = "\n      if (window.__kymlapsetTableView) {%s\n      }"


def js_value(value: object) -> str:
    """A JSON value that cannot end the script it stands in."""
    return json.dumps(value).replace("</", "<\\/")


def with_preload(
    html: str,
    modules: Iterable[str],
    files: Iterable[str],
    table: tuple[list[str], list[str]] = ([], []),
    table_views: dict[str, list[str]] | None = None,
    view_param: str = "",
) -> str:
    """``html`` (Streamlit's page) fetching ``files`` at once and evaluating ``modules`` right after
    Streamlit's own script; on a link to one of ``table_views`` (a page's URL name → its views as
    ``view_param`` names them, "" for a link without it) the same for ``table`` (modules, files) too.
    Unchanged without Streamlit's main script or ``</head>``."""
    main = MAIN_SCRIPT.search(html)
    if main is None or html.count("</head>") != 1:
        return html
    files = list(files)
    links = []
    for path in files:
        href = f"./static/{path}"
        if f'href="{href}"' in html:
            continue
        if path.endswith(".css"):  # a style sheet the element would load (and wait for) when first drawn
            links.append(f'    <link rel="stylesheet" crossorigin href="{href}">\n')
        else:
            # low: Streamlit's own files, and the server's health check that opens the connection, go first
            links.append(f'    <link rel="modulepreload" crossorigin href="{href}" fetchpriority="low">\n')
    imports = "".join(f'\n      import("./static/{m}").catch(function () {{}});' for m in modules)
    table_modules, table_files = table
    asks = ""
    if table_views and table_modules:
        table_files = [f for f in table_files if f'href="./static/{f}"' not in html and f not in files]
        values = {"views": js_value(table_views), "files": js_value(table_files), "param": js_value(view_param)}
        asks = (TABLE_LINKS % values).strip() + "\n    "
        imports += TABLE_IMPORTS % "".join(
            f'\n        import("./static/{m}").catch(function () {{}});' for m in table_modules
        )
    script = f'\n    <script type="module">{imports}\n    </script>' if imports else ""
    head_end = html.rfind("\n", 0, html.index("</head>")) + 1  # the start of the line that ends the head
    # put in from the end of the head backwards, so that ``main``'s places still hold
    html = html[:head_end] + "".join(links) + html[head_end:]
    html = html[: main.end()] + script + html[main.end() :]
    return html[: main.start()] + asks + html[main.start() :]


def served_page(html: str, static_folder: Path, table_views: dict[str, list[str]], view_param: str) -> str:
    """Streamlit's page ``html`` with the preload of ``FRAME`` (and of ``TABLES`` on a link to one of
    ``table_views``: see ``with_preload``), read from the main script in ``static_folder`` (Streamlit's
    static/); unchanged when that script cannot be read."""
    main = MAIN_SCRIPT.search(html)
    if main is None:
        return html
    try:
        script = (static_folder / "static" / "js" / main.group(1)).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return html
    modules, files = element_files(script, FRAME)
    return with_preload(html, modules, files, element_files(script, TABLES), table_views, view_param)
