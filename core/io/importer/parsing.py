"""Small parsers of one cell: numbers, text, header names, Sotkanet codes and genders."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from core.io.importer.results import GENDER_WORDS

_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_THOUSANDS_RE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")


def parse_number(raw: object) -> float | None:
    """A finite number from a cell ('12,5', '12.5', '3 514', 12.5); None if it is not one."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        try:
            number = float(raw)
        except OverflowError:  # an int of hundreds of digits
            return None
        return number if math.isfinite(number) else None
    text = str(raw).strip().replace("\u2212", "-")
    text = _THOUSANDS_RE.sub("", text)
    if not _NUMBER_RE.match(text):
        return None
    number = float(text.replace(",", "."))
    return number if math.isfinite(number) else None


def _cell_text(value: object) -> str:
    """A cell (from CSV, Excel or JSON) as text; whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()  # dates typed into Excel
    return str(value)


def _norm_header(name: object) -> str:
    """A header cell for matching: no BOM, quotes or spaces, lower case."""
    return _cell_text(name).replace("\ufeff", "").strip().strip('"').strip().lower()


def norm_source_key(text: object) -> str:
    """Normalise a Sotkanet name or code for matching: case, spaces, dashes; codes as numbers ('08' → '8')."""
    s = _cell_text(text).strip().casefold()
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    s = re.sub(r"\s*-\s*", "-", s)
    s = re.sub(r"\s+", " ", s)
    if re.fullmatch(r"\d+(\.0+)?", s):
        s = str(int(s.split(".")[0]))  # codes compare as numbers: '08' = '8' = 8 = 8.0
    return s


def norm_gender(text: object) -> str:
    """'Yhteensä' / 'total' / '' → 'total', 'Miehet' → 'male', 'Naiset' → 'female'; else as is, lower case."""
    s = _cell_text(text).strip().casefold()
    return GENDER_WORDS.get(s, s)


def _is_blank(cells: Iterable[object]) -> bool:
    """Whether every cell is empty."""
    return all(_cell_text(c).strip() == "" for c in cells)
