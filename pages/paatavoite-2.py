"""Päätavoite II page."""

from ui.goal_page import render

render("II")
