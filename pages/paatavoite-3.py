"""The plan's main goal 3 (päätavoite 3), whatever its id; one file per number: see ui/router.py."""

from ui.goal_page import render_number
from ui.router import page_context

render_number(page_context(), 3)
