"""Numbers as the app writes them, in one place: tables, charts, reports and the final evaluation agree.

The decimal mark and the percent form come from the catalogue (``number.decimal``, ``number.percent``),
so each language writes its own way; both write the plan's Finnish form today ("12,3", "88 %").
"""

from __future__ import annotations

import pandas as pd

from core.base.i18n import DEFAULT_LANG, t

NBSP = "\u00a0"  # keeps '88 %' on one line when a chart label is wrapped
PERCENT_UNITS = ("percent", "percent_change")


def number_text(value: object, unit: str | None = None, lang: str = DEFAULT_LANG, *, nbsp: bool = False) -> str:
    """'88 %' / '12,3' / '–': one decimal at most, a percentage with its sign, '–' for no value.

    ``nbsp``: a no-break space before '%' (a chart's wrapped label keeps the value whole).
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    text = f"{float(value):.1f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
    if text == "-0":  # a small negative rounded away is no value below zero
        text = "0"
    text = text.replace(".", t("number.decimal", lang))
    if unit in PERCENT_UNITS:
        text = t("number.percent", lang, value=text)
        if nbsp:
            text = text.replace(" ", NBSP)
    return text
