"""ui/page_preload.py: the page Streamlit serves fetches the modules of the frame's elements and of the
table up front (every file each needs, once, at low priority) and evaluates them after Streamlit's own
script; a Streamlit this does not recognise gets its page unchanged."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import streamlit

from ui import page_preload
from ui.state import table_links

STATIC = Path(os.path.dirname(streamlit.__file__), "static")
INDEX = (STATIC / "index.html").read_text(encoding="utf-8")
MAIN = (STATIC / "static" / "js" / page_preload.MAIN_SCRIPT.search(INDEX).group(1)).read_text(encoding="utf-8")
SERVED = page_preload.served_page(INDEX, STATIC, table_links(), "nakyma")


def _hrefs(html: str) -> list[str]:
    return re.findall(r'<link rel="(?:modulepreload|stylesheet)" crossorigin href="\./static/([^"]+)"', html)


def test_every_element_is_found_with_files_that_exist():
    # every element's module and file: a changed Streamlit would show here first
    modules, files = page_preload.element_files(MAIN)
    assert [m.split("/")[1].split(".")[0] for m in modules] == list(page_preload.ELEMENTS)
    assert set(modules) <= set(files)
    assert len(files) == len(set(files))
    assert all((STATIC / "static" / f).is_file() for f in files)
    # the table's style sheet is fetched with its code: Streamlit waits for it before drawing the table
    assert any(re.fullmatch(r"css/DataFrame\.[\w-]+\.css", f) for f in files)


def test_the_page_fetches_the_frames_files_once_and_imports_them_after_streamlits_script():
    served = SERVED
    modules, files = page_preload.element_files(MAIN, page_preload.FRAME)
    hrefs = _hrefs(served)
    assert len(hrefs) == len(set(hrefs))  # Streamlit's own files are not named twice
    assert set(files) <= set(hrefs)
    main = served.index(page_preload.MAIN_SCRIPT.search(served).group(0))
    for module in modules:
        assert main < served.index(f'import("./static/{module}")') < served.index("</head>")
    # ours at low priority; without them (and the two scripts) the page is Streamlit's own, line for line
    served = served.replace(
        re.search(r"<script>\n      \(function \(\) \{\n        var views.*?</script>\n    ", served, re.S)[0], ""
    )
    script = re.search(r'\n    <script type="module">.*?</script>', served, re.S)
    new = {f for f in files if f not in INDEX}
    ours = [line for line in served.replace(script.group(0), "").splitlines() if set(_hrefs(line)) & new]
    assert len(ours) == len(new)
    assert all('fetchpriority="low"' in line for line in ours if 'rel="modulepreload"' in line)
    assert "\n".join(line for line in served.replace(script.group(0), "").splitlines() if line not in ours) == (
        INDEX.rstrip("\n")
    )


def test_the_tables_files_are_asked_only_by_a_link_to_a_table_view():
    modules, files = page_preload.element_files(MAIN, page_preload.TABLES)
    frame_files = page_preload.element_files(MAIN, page_preload.FRAME)[1]
    own = [f for f in files if f'href="./static/{f}"' not in INDEX and f not in frame_files]
    assert modules[0] in own and any(f.endswith(".css") for f in own)  # the table's own files …
    assert not set(own) & set(_hrefs(SERVED))  # … are not in the head: a chart page does not need them
    script = re.search(r"var views = (\{.*?\}), files = (\[.*?\]), param", SERVED)
    assert json.loads(script[1]) == table_links()
    assert json.loads(script[2]) == own  # asked by the script, on a link to a table view
    assert f'if (window.__kymlapsetTableView) {{\n        import("./static/{modules[0]}")' in SERVED


def test_a_streamlit_this_does_not_know_gets_its_page_unchanged(tmp_path):
    assert page_preload.element_files("console.log(1)") == ([], [])
    assert page_preload.element_files("__vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=[oops])))") == ([], [])
    assert page_preload.served_page("<html><head></head><body></body></html>", STATIC, table_links(), "nakyma") == (
        "<html><head></head><body></body></html>"
    )
    assert page_preload.served_page(INDEX, tmp_path, table_links(), "nakyma") == INDEX  # no main script there
    unknown = tmp_path / "static" / "js"
    unknown.mkdir(parents=True)
    (unknown / page_preload.MAIN_SCRIPT.search(INDEX).group(1)).write_bytes(b"\xff\xfe not a script")
    assert page_preload.served_page(INDEX, tmp_path, table_links(), "nakyma") == INDEX


def test_a_listed_file_that_is_no_plain_file_name_is_not_put_in_the_page():
    # a list naming something that could leave the static folder or end the attribute: that element is skipped
    script = (
        '__vite__mapDeps=(i,m=__vite__mapDeps,d=(m.f||(m.f=["./Selectbox.a1.js","../../etc/x.js","./Radio.b2.js"])))'
        "=>i.map(i=>d[i]);"
        "a=lazy(()=>H(()=>import(`./Selectbox.a1.js`),__vite__mapDeps([0,1]),import.meta.url));"
        "b=lazy(()=>H(()=>import(`./Radio.b2.js`),__vite__mapDeps([2]),import.meta.url));"
    )
    assert page_preload.element_files(script, ("Selectbox", "Radio")) == (["js/Radio.b2.js"], ["js/Radio.b2.js"])
