"""Reading follow-up fields out of a measure's free-text aikataulu (timeline) cell."""

from __future__ import annotations

import re
from dataclasses import dataclass

_YEAR = re.compile(r"(?<!\d)(20[1-4]\d)(?!\d)")
_RANGE = re.compile(r"(?<!\d)(20[1-4]\d)\s*[–—-]\s*(20[1-4]\d)(?!\d)")
# Permanent (ongoing, no end year): "pysyvää", "jatkuva(a) toimintaa", an organisation's
# "perustoimintaa" (core work), and work that recurs every (school) year with no end in sight:
# "Vuosittain", "Lukuvuosittain" (inside a word, so no \b before "vuosittain").
_PERMANENT = re.compile(r"\b(pysyv|jatkuv|perustoimin)|vuosittain", re.IGNORECASE)
_FROM = re.compile(r"(20[1-4]\d)\s*(alkaen|lähtien|eteenpäin)|alkaen\s*(20[1-4]\d)", re.IGNORECASE)
# A start, not an end: "Aloitettu vuonna 2019", "toiminnan käynnistyminen vuoden 2020 aikana", "käyntiin 2021"
_STARTED = re.compile(
    r"\b(aloitettu|käynnistetty|alkanut|aloitetaan|käynnistetään|käynnisty\w*|käyntiin)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Schedule:
    """Start year, end year and whether the measure is permanent (pysyvä)."""

    start_year: int | None = None
    end_year: int | None = None
    permanent: bool = False


def parse_schedule(text: str) -> Schedule:
    """Best-effort reading of 'aikataulu': '2020 alkaen', '2020–2022', 'Pysyvää toimintaa'…

    Unreadable text gives an empty Schedule; the fields stay editable in the app.
    """
    if not text:
        return Schedule()
    permanent = bool(_PERMANENT.search(text))
    m = _RANGE.search(text)
    if m:
        a, b = int(m.group(1)), int(m.group(2))
        return Schedule(min(a, b), max(a, b), permanent)
    m = _FROM.search(text)
    if m:
        year = int(m.group(1) or m.group(3))
        return Schedule(year, None, permanent)
    years = sorted({int(y) for y in _YEAR.findall(text)})
    if len(years) == 1 and _STARTED.search(text):  # "Aloitettu vuonna 2019": started, still going
        return Schedule(years[0], None, permanent)
    if years:
        return Schedule(years[0], years[-1] if len(years) > 1 or not permanent else None, permanent)
    return Schedule(None, None, permanent)
