"""Small tables as plain, accessible HTML: no scroll box to reach, rows stack into cards on a phone.

Every cell is escaped: text from data/ or the store is shown, never interpreted.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

# st.dataframe / st.data_editor rows three lines high: Streamlit wraps a long text inside them, so a measure
# reads as words on a projector and a phone instead of a line cut mid-word.
WRAPPED_ROW_HEIGHT = 72
# pixels for the first columns, chosen so the identifying column and the page's point fit side by side in a
# 390 px phone (about 350 px for a table) and on a 1280 px projector before any sideways scroll
NARROW, POINT = 150, 170

_CSS = """<style>
.rtable { width: 100%; border-collapse: collapse; font-size: 1rem; line-height: 1.4; color: #1f1f1f; }
.rtable caption { text-align: left; font-weight: 600; padding: 0 0 .4rem 0; }
.rtable th, .rtable td { text-align: left; vertical-align: top; padding: .45rem .6rem;
  border-bottom: 1px solid #c9cad1; overflow-wrap: break-word; }
.rtable th { font-weight: 600; background: #f0f2f6; }
@media (max-width: 700px) {
  .rtable thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  .rtable tr { display: block; border: 1px solid #c9cad1; border-radius: .5rem; margin: 0 0 .6rem 0; padding: .3rem 0; }
  .rtable td { display: block; border: 0; padding: .15rem .7rem; }
  .rtable td::before { content: attr(data-label) ": "; font-weight: 600; }
}
</style>"""


def table_html(df: pd.DataFrame, caption: str | None = None) -> str:
    """An escaped HTML table of ``df`` (column names as headers; every cell labelled for narrow screens)."""
    cols = [str(c) for c in df.columns]
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in cols)
    body = []
    for row in df.itertuples(index=False):
        cells = "".join(
            f'<td data-label="{html.escape(c, quote=True)}">{html.escape(_cell(v))}</td>'
            for c, v in zip(cols, row, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="rtable">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def show(df: pd.DataFrame, caption: str | None = None) -> None:
    """Draw ``df`` as a responsive HTML table."""
    st.html(_CSS + table_html(df, caption))
