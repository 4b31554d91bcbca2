"""ui/deep_links.py: the page Streamlit serves for a deep link names the server's address, so the
frontend connects without first asking a path that does not answer; anything unexpected is served as
Streamlit serves it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import streamlit
from starlette.staticfiles import StaticFiles

from ui import deep_links, page_preload
from ui.router import NAV
from ui.state import GOAL_PAGE_FILES, GOAL_PAGE_PATH, goal_page_path

STREAMLITS_INDEX = Path(os.path.dirname(streamlit.__file__), "static", "index.html").read_text(encoding="utf-8")
PAGES = [stem for _, stem, _, _ in NAV]


def test_the_goal_pages_pattern_names_every_goal_page_and_nothing_else():
    # the router's goal pages (any number a plan may have) and their files are the ones the script knows
    assert all(re.match(GOAL_PAGE_PATH, goal_page_path(n)) for n in (1, 3, 9, 12))
    assert [f"pages/{goal_page_path(n)}.py" for n in GOAL_PAGE_FILES] == list(GOAL_PAGE_FILES.values())
    assert not any(re.match(GOAL_PAGE_PATH, p) for p in ("paatavoite-", "paatavoite-1x", "x-paatavoite-1", *PAGES))


def test_the_script_goes_once_before_streamlits_own_script():
    html = deep_links.index_html(STREAMLITS_INDEX, PAGES, GOAL_PAGE_PATH)
    assert html is not None
    assert html.count("BACKEND_BASE_URL") == 1
    assert html.index("BACKEND_BASE_URL") < html.index('<script type="module"')
    # nothing else of Streamlit's page changes
    assert (
        html.replace(
            deep_links.SCRIPT
            % {"pages": page_preload.js_value(sorted(PAGES)), "pattern": page_preload.js_value(GOAL_PAGE_PATH)},
            "",
        )
        == STREAMLITS_INDEX
    )


def test_an_unexpected_page_is_left_as_it_is():
    assert deep_links.index_html("<html><head></head></html>", PAGES, GOAL_PAGE_PATH) is None
    once = deep_links.index_html(STREAMLITS_INDEX, PAGES, GOAL_PAGE_PATH)
    assert deep_links.index_html(once, PAGES, GOAL_PAGE_PATH) is None  # never twice


def test_a_page_name_cannot_end_the_script():
    html = deep_links.index_html(STREAMLITS_INDEX, ["</script><b>x"], GOAL_PAGE_PATH)
    assert "</script><b>" not in html
    assert "<\\/script><b>x" in html


class _StreamlitStaticFiles(StaticFiles):  # the name Streamlit's handler has (a class inside a function)
    def __init__(self, index: Path) -> None:
        self._index_path = str(index)


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(deep_links, "_done", {})


def test_install_points_the_handler_at_the_page_with_the_script(tmp_path, fresh):
    index = tmp_path / "index.html"
    index.write_text(STREAMLITS_INDEX, encoding="utf-8")
    handler = _StreamlitStaticFiles(index)

    assert deep_links.install(PAGES, GOAL_PAGE_PATH)

    served = Path(handler._index_path)
    assert served != index
    assert served.read_text(encoding="utf-8") == deep_links.index_html(STREAMLITS_INDEX, PAGES, GOAL_PAGE_PATH)
    assert index.read_text(encoding="utf-8") == STREAMLITS_INDEX  # Streamlit's own file untouched
    # once per process: a second call changes nothing
    handler._index_path = str(index)
    assert deep_links.install(PAGES, GOAL_PAGE_PATH)
    assert handler._index_path == str(index)


def test_a_changed_streamlit_page_is_served_unchanged(tmp_path, fresh):
    index = tmp_path / "index.html"
    index.write_text("<html><head><script>other()</script></head></html>", encoding="utf-8")
    handler = _StreamlitStaticFiles(index)

    assert not deep_links.install(PAGES, GOAL_PAGE_PATH)
    assert handler._index_path == str(index)
