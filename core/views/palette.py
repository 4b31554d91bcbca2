"""Colour helpers shared by the follow-up figures: the Okabe–Ito palette and a readable text colour."""

from __future__ import annotations

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
PATTERNS: tuple[str, ...] = ("", "/", ".", "x", "\\", "-", "|", "+")


def ink_for(color: str) -> str:
    """Black or white, whichever reads better on the background ``color`` ('#RRGGBB')."""
    c = color.lstrip("#")
    r, g, b = (int(c[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
    # contrast against black (lum+0.05)/0.05 vs against white 1.05/(lum+0.05)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#FFFFFF"
