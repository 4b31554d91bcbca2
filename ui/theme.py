"""App-wide CSS for the rooms the app is used in: a 1280×720 projector and a phone."""

from __future__ import annotations

import streamlit as st

# Less empty space above the page (Streamlit's default is 6rem), headings sized for a projector.
_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-bottom: 3rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; line-height: 1.25; padding-top: .25rem; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.5rem; }
[data-testid="stMainBlockContainer"] h3 { font-size: 1.25rem; }
/* captions in a darker grey: Streamlit's default is under 4.5:1 on white (axe color-contrast) */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #4a4d57; opacity: 1; }
/* Plotly's chart icons in the chart's bottom left corner, under the category labels and left of the
   first axis label: at the top right they covered the charts' own headers (a heatmap's column names, a
   legend), at the bottom right the last axis label; on a phone (no hover, a tap shows them) not at all */
[data-testid="stPlotlyChart"] .modebar-container { top: auto !important; bottom: 0; left: 0; right: auto !important; }
[data-testid="stPlotlyChart"] .modebar { top: auto !important; bottom: 2px; left: 2px; right: auto !important; }
/* a table's note of what others just changed (ui/edit_table.py): shown marked, then fades */
[class*="st-key-live_note_"] { animation: live-note 8s ease-in forwards; }
[class*="st-key-live_note_"] p { background: #fff3b0; padding: .1rem .4rem; border-radius: .25rem; }
@keyframes live-note { 0%, 70% { opacity: 1; } 100% { opacity: 0; } }
@media (max-width: 700px) {
  [data-testid="stPlotlyChart"] .modebar-container { display: none; }
  [data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-left: .8rem; padding-right: .8rem; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.6rem; }
}
</style>"""


def page_css() -> None:
    """Add the app's CSS to this run's page."""
    st.html(_CSS)
