"""The look every figure shares: DataFrames in, Plotly figures out (core.views.charts: indicators beside the
country; core.views.heatmaps: status grids; core.views.plan_charts: the plan's own figures).

Colours are the Okabe–Ito palette (safe for the common colour-vision deficiencies), and every
status is also carried by a symbol, a text label and a bar pattern, so colour is never the only
carrier. Every chart text is at least ``SMALL_FONT_SIZE`` px in near-black ink, readable on a
projector; labels are wrapped at word boundaries and written *above* their bar or cell row, so a
chart reads the same at a phone's width as on a projector (Python never learns the viewport).
"""

from __future__ import annotations

import html
import textwrap

import plotly.graph_objects as go

from core.base.i18n import t
from core.plan.model import Status

FONT_SIZE = 16  # the one chart font size: ticks, titles, legends, annotations, hover
SMALL_FONT_SIZE = FONT_SIZE - 2  # the smallest chart text anywhere (≥ 14 px)
INK = "#1a1a1a"  # chart text on white: about 17:1 contrast
GRID = "#D9D9D9"
TEMPLATE = "plotly_white"  # the figure's own look; pages draw with theme=None (Streamlit's is 12 px grey)
LABEL_WIDTH = 32  # characters per line of a wrapped label: about 290 px of 16 px text, a phone's width
LINE_PX = 22  # the height of one line of FONT_SIZE text (Plotly's 1.3 line spacing, rounded up)
STATUS_STYLE: dict[str, dict[str, str]] = {
    Status.GOOD.value: {"color": "#0072B2", "symbol": "✓", "pattern": ""},
    Status.NEUTRAL.value: {"color": "#BBBBBB", "symbol": "≈", "pattern": "."},
    Status.CONCERN.value: {"color": "#D55E00", "symbol": "!", "pattern": "x"},
    Status.NO_REFERENCE.value: {"color": "#D9D9D9", "symbol": "?", "pattern": "/"},
}
STATUS_ORDER = [Status.GOOD.value, Status.NEUTRAL.value, Status.CONCERN.value, Status.NO_REFERENCE.value]
NBSP = "\u00a0"  # keeps '88 %' on one line when a label is wrapped


def value_axis_title(unit: str | None, lang: str) -> str:
    """The value axis' title: a share, a change in per cent (population change), a count, a rate, or a value."""
    if unit == "percent":
        return t("chart.share_axis", lang)
    if unit == "percent_change":
        return t("chart.change_axis", lang)
    if unit == "count":
        return t("chart.number_axis", lang)
    if unit in ("per_1000", "per_10000"):
        return t(f"chart.{unit}_axis", lang)
    return t("chart.value_axis", lang)


def status_text(status: str, lang: str) -> str:
    """'✓ hyvä' — the symbol and word that accompany a status colour."""
    return f"{STATUS_STYLE[status]['symbol']} {t(f'status.{status}', lang)}"


def wrap_label(label: str, width: int = LABEL_WIDTH) -> str:
    """Plain text → HTML-escaped lines of at most ``width`` characters, broken at word boundaries."""
    lines = textwrap.wrap(str(label), width, break_long_words=False, break_on_hyphens=False)
    return "<br>".join(html.escape(line) for line in lines) or html.escape(str(label))


def line_count(wrapped: str) -> int:
    """How many lines a ``wrap_label`` text has."""
    return wrapped.count("<br>") + 1


def axis_font() -> dict:
    return {"size": FONT_SIZE, "color": INK}


def base_layout(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    """The shared look of every figure: the template, ink, font sizes, margins, legend on top, hover."""
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "font": {"size": FONT_SIZE + 2, "color": INK}} if title else None,
        height=height,
        font={"size": FONT_SIZE, "color": INK},
        margin={"l": 10, "r": 30, "t": 60 if title else 20, "b": 40},
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0,
            "font": {"size": FONT_SIZE, "color": INK},
        },
        plot_bgcolor="white",
        hoverlabel={"font": {"size": FONT_SIZE, "color": INK}, "bgcolor": "white", "align": "left"},
        uniformtext={"minsize": SMALL_FONT_SIZE, "mode": "hide"},  # never shrink bar text below 14 px
    )
    fig.update_xaxes(tickfont=axis_font(), title_font=axis_font(), linecolor="#555555")
    fig.update_yaxes(tickfont=axis_font(), title_font=axis_font(), linecolor="#555555")
    return fig
