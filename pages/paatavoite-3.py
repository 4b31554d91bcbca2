"""Päätavoite III page."""

from ui.goal_page import render

render("III")
