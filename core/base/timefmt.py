"""Times and years as users read them: Finnish local time, and the year a yearly page opens on.

The store records every time in UTC (ISO text); the working group lives in Finland, so a change
saved at 2026-11-30T22:19:00+00:00 is shown as "1.12.2026 klo 0.19" (English "1 Dec 2026 00:19").
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Helsinki")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def to_local(value: str | datetime) -> datetime | None:
    """A UTC ISO text or datetime as an aware datetime in Europe/Helsinki; None if unreadable.

    A time without a zone is taken as UTC (that is how the store writes times).
    """
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ)


def local_time(value: str | datetime | None, lang: str = "fi") -> str:
    """Finnish local time in the UI language: "1.12.2026 klo 0.19" / "1 Dec 2026 00:19".

    Text that is not a time is returned as it is (never an error on a page); None or "" gives "".
    """
    if value is None:
        return ""
    moment = to_local(value)
    if moment is None:
        return str(value)
    if lang == "en":
        return f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year} {moment:%H:%M}"
    return f"{moment.day}.{moment.month}.{moment.year} klo {moment.hour}.{moment:%M}"


def local_date(value: date | None = None, lang: str = "fi") -> str:
    """A date as people write it: "1.12.2026" / "1 Dec 2026" (today in Finland when None)."""
    day = value or datetime.now(TZ).date()
    if lang == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day}.{day.month}.{day.year}"


def default_evaluation_year(period_start: int, period_end: int, today: date | None = None) -> int:
    """The year a yearly evaluation or report opens on: the last finished year of the plan period.

    A year is evaluated after it has ended (in 2026 one evaluates 2025), and the plan covers
    ``period_start``–``period_end``: so last year, kept inside the period (after the period the
    plan's last year; before its first year has ended, the first year).
    """
    today = today or datetime.now(TZ).date()
    return max(period_start, min(today.year - 1, period_end))
