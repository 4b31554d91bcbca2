"""Status rules: a regional value against the whole country, and change since a baseline.

Both rules use the indicator's good direction and a neutral band, so that a difference within
the band (rounding, sampling error of a regional survey) is not called good or bad.
The band is a documented setting (``core.base.config``): ±2 percentage points for percentages,
±10 % of the reference for counts and other rates. A value exactly on the band edge is neutral.
"""

from __future__ import annotations

import math

from core.base import config
from core.plan.model import Direction, Status, Trend, Unit

_POINT_UNITS = (Unit.PERCENT, Unit.PERCENT_CHANGE)


def _band(reference: float, unit: Unit, absolute: float, relative: float) -> float:
    """Width of the neutral band around ``reference`` for this unit."""
    if unit in _POINT_UNITS:
        return absolute
    return abs(reference) * relative


def _missing(x: float | None) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def status_vs_national(
    value: float | None,
    national: float | None,
    direction: Direction,
    unit: Unit,
    band: float | None = None,
    relative_band: float | None = None,
) -> Status:
    """hyvä / neutraali / huolestuttava of a value of the plan's region against the whole country.

    No national value (or no regional value) gives ``Status.NO_REFERENCE``. An indicator
    without a good direction (context, e.g. the population forecast) is always neutral.
    """
    if _missing(value) or _missing(national):
        return Status.NO_REFERENCE
    band = float(config.get("neutral_band")) if band is None else band
    relative_band = float(config.get("neutral_band_relative")) if relative_band is None else relative_band
    if band < 0 or relative_band < 0:
        raise ValueError("the neutral band cannot be negative")
    if direction is Direction.CONTEXT:
        return Status.NEUTRAL
    diff = float(value) - float(national)
    width = _band(float(national), unit, band, relative_band)
    if abs(diff) <= width + 1e-9:
        return Status.NEUTRAL
    better = diff > 0 if direction is Direction.HIGHER_BETTER else diff < 0
    return Status.GOOD if better else Status.CONCERN


def trend_since_baseline(
    baseline: float | None,
    latest: float | None,
    direction: Direction,
    unit: Unit,
    threshold: float | None = None,
    relative_threshold: float | None = None,
) -> Trend:
    """paranee / ennallaan / heikkenee: the change from the baseline year to the latest year."""
    if _missing(baseline) or _missing(latest):
        return Trend.NO_TREND
    threshold = float(config.get("trend_threshold")) if threshold is None else threshold
    relative_threshold = (
        float(config.get("trend_threshold_relative")) if relative_threshold is None else relative_threshold
    )
    if direction is Direction.CONTEXT:
        return Trend.UNCHANGED
    change = float(latest) - float(baseline)
    width = _band(float(baseline), unit, threshold, relative_threshold)
    if abs(change) <= width + 1e-9:
        return Trend.UNCHANGED
    better = change > 0 if direction is Direction.HIGHER_BETTER else change < 0
    return Trend.IMPROVING if better else Trend.WORSENING
