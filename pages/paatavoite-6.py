"""The plan's main goal 6 (päätavoite 6), whatever its id; one file per number: see ui/router.py."""

from ui.goal_page import render_number

render_number(6)
