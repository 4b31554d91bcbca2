"""The status rule and the trend rule, as tables of cases."""

import math

import pytest

from core.plan.model import Direction, Status, Trend, Unit
from core.plan.status import status_vs_national, trend_since_baseline

H, L, C = Direction.HIGHER_BETTER, Direction.LOWER_BETTER, Direction.CONTEXT
P, N = Unit.PERCENT, Unit.COUNT


@pytest.mark.parametrize(
    ("value", "national", "direction", "unit", "expected"),
    [
        # percentages: ±2 points is neutral, edges included
        (88, 89.5, H, P, Status.NEUTRAL),
        (76, 75.2, H, P, Status.NEUTRAL),
        (80, 78, H, P, Status.NEUTRAL),  # exactly +2.0 → neutral
        (80.01, 78, H, P, Status.GOOD),
        (75.99, 78, H, P, Status.CONCERN),
        (76, 78, H, P, Status.NEUTRAL),  # exactly −2.0 → neutral
        (41, 42.1, H, P, Status.NEUTRAL),
        (25, 27.9, L, P, Status.GOOD),  # lower is better, 2.9 points lower
        (19, 17.1, L, P, Status.NEUTRAL),
        (10, 3.4, L, P, Status.CONCERN),
        (91, 23.2, H, P, Status.GOOD),  # the document's suspected typo still gives a status
        # counts and rates: ±10 % of the national value
        (110, 100, L, N, Status.NEUTRAL),
        (111, 100, L, N, Status.CONCERN),
        (89, 100, L, N, Status.GOOD),
        (4.8, 3.3, L, Unit.PER_10000, Status.CONCERN),
        # context indicators have no good direction
        (-26, -16.3, C, Unit.PERCENT_CHANGE, Status.NEUTRAL),
        # missing references
        (81, None, H, P, Status.NO_REFERENCE),
        (None, 80, H, P, Status.NO_REFERENCE),
        (81, math.nan, H, P, Status.NO_REFERENCE),
    ],
)
def test_status_vs_national(value, national, direction, unit, expected):
    assert status_vs_national(value, national, direction, unit, band=2.0, relative_band=0.10) is expected


def test_band_is_a_setting(monkeypatch):
    monkeypatch.setenv("KYMLAPSET_NEUTRAL_BAND", "5")
    assert status_vs_national(80, 76, H, P) is Status.NEUTRAL
    monkeypatch.setenv("KYMLAPSET_NEUTRAL_BAND", "1")
    assert status_vs_national(80, 76, H, P) is Status.GOOD


def test_negative_band_is_refused():
    with pytest.raises(ValueError):
        status_vs_national(1, 2, H, P, band=-1)


@pytest.mark.parametrize(
    ("baseline", "latest", "direction", "unit", "expected"),
    [
        (80, 85, H, P, Trend.IMPROVING),
        (80, 82, H, P, Trend.UNCHANGED),  # +2.0 on the threshold → unchanged
        (80, 77.5, H, P, Trend.WORSENING),
        (10, 7, L, P, Trend.IMPROVING),
        (10, 13, L, P, Trend.WORSENING),
        (3514, 3600, L, N, Trend.UNCHANGED),  # +2.4 % of the baseline
        (3514, 4000, L, N, Trend.WORSENING),
        (3514, 3000, L, N, Trend.IMPROVING),
        (37, 30, C, Unit.PER_1000, Trend.UNCHANGED),
        (None, 80, H, P, Trend.NO_TREND),
        (80, None, H, P, Trend.NO_TREND),
    ],
)
def test_trend_since_baseline(baseline, latest, direction, unit, expected):
    assert trend_since_baseline(baseline, latest, direction, unit, threshold=2.0, relative_threshold=0.10) is expected
