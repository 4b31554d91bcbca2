"""The plan's main goal 9 (päätavoite 9), whatever its id; one file per number: see ui/router.py."""

from ui.goal_page import render_number

render_number(9)
