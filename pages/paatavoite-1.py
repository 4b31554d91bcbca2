"""Päätavoite I page."""

from ui.goal_page import render

render("I")
