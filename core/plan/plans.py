"""The rules of plans and their periods, pure (no store, no Streamlit): what a plan id looks like,
which periods are allowed, which plan is the default, which measures carry on into the next plan.

A refusal is a ``PlanRuleError`` with a catalogue key (``plan.*``) and its values; the store raises
the same keys as StoreError, so a page and the command line show the same sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum

from core.plan.model import PlanInfo, PlanState

PLAN_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,78}[a-z0-9]$")
YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_NAME = 200
MAX_REASON = 2000


class Carry(StrEnum):
    """Which measures a new plan takes over from the plan it is drafted from."""

    ALL = "all"
    CONTINUING = "continuing"  # permanent, or ending at or after the new plan's first year
    NONE = "none"


class MeasureChoice(StrEnum):
    """What the drafter does with one measure of the earlier plan."""

    CARRY = "carry"  # carried on as it is, linked to the measure it came from
    CARRY_CHANGED = "carry_changed"  # carried on with changed texts
    LEAVE = "leave"  # stays in the earlier plan only


class PlanRuleError(ValueError):
    """A plan rule broken: ``key`` is a catalogue key (``plan.*``), ``values`` its placeholders."""

    def __init__(self, key: str, **values: object):
        self.key = key
        self.values = values
        super().__init__(key)


def check_plan_id(plan_id: object) -> str:
    """A plan id: lower-case letters, digits, '-' and '_', 3–80 characters (``kymenlaakso-2026-2029``)."""
    text = str(plan_id or "").strip()
    if not PLAN_ID_RE.match(text):
        raise PlanRuleError("plan.id_malformed", id=text)
    return text


def check_name(name: object) -> str:
    """A plan's name: required, at most MAX_NAME characters."""
    text = str(name or "").strip()
    if not text:
        raise PlanRuleError("plan.name_required")
    if len(text) > MAX_NAME:
        raise PlanRuleError("plan.name_too_long", limit=MAX_NAME)
    return text


def _year(value: object) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise PlanRuleError("plan.year_not_number", value=value) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise PlanRuleError("plan.year_range", value=year, low=YEAR_MIN, high=YEAR_MAX)
    return year


def check_period(start: object, end: object, source: PlanInfo | None = None) -> tuple[int, int]:
    """(first year, last year) of a new plan: whole years, in order, not overlapping the plan it comes from."""
    first, last = _year(start), _year(end)
    if last < first:
        raise PlanRuleError("plan.period_order", start=first, end=last)
    if source is not None and first <= source.period_end and last >= source.period_start:
        raise PlanRuleError(
            "plan.period_overlap", source=source.plan_id, start=source.period_start, end=source.period_end
        )
    return first, last


def check_reason(choice: str, reason: object, indicator_id: object) -> str:
    """A dropped indicator needs its reason (shown in the plan); others may have one."""
    text = str(reason or "").strip()
    if choice == "dropped" and not text:
        raise PlanRuleError("plan.drop_reason_required", id=indicator_id)
    if len(text) > MAX_REASON:
        raise PlanRuleError("plan.reason_too_long", id=indicator_id, limit=MAX_REASON)
    return text


def order(plans: Iterable[PlanInfo]) -> list[PlanInfo]:
    """Plans newest first: by first year, then last year, then id (the order every list shows)."""
    return sorted(plans, key=lambda p: (-p.period_start, -p.period_end, p.plan_id))


def default_plan(plans: Iterable[PlanInfo], today: date) -> PlanInfo | None:
    """The plan in force today (its period covers this year), else any in force, else the newest."""
    ordered = order(plans)
    in_force = [p for p in ordered if p.state == PlanState.IN_FORCE]
    for p in in_force:
        if p.period_start <= today.year <= p.period_end:
            return p
    if in_force:
        return in_force[0]
    return ordered[0] if ordered else None


def is_continuing(measure: Mapping[str, object], new_start: int) -> bool:
    """A measure carries on into a plan starting ``new_start``: permanent, or its end year is at or after it."""
    if bool(measure.get("permanent")):
        return True
    end = measure.get("end_year")
    try:
        return end is not None and str(end) != "" and int(float(str(end))) >= new_start
    except ValueError:
        return False


def carried_choices(
    measures: Iterable[Mapping[str, object]], carry: str, new_start: int, chosen: Mapping[str, str] | None = None
) -> dict[str, MeasureChoice]:
    """measure id → what happens to it: ``chosen`` (per measure) wins over the ``carry`` rule."""
    rule = Carry(carry)
    out: dict[str, MeasureChoice] = {}
    for m in measures:
        mid = str(m["measure_id"])
        if rule == Carry.ALL or (rule == Carry.CONTINUING and is_continuing(m, new_start)):
            out[mid] = MeasureChoice.CARRY
        else:
            out[mid] = MeasureChoice.LEAVE
    for mid, choice in (chosen or {}).items():
        if mid not in out:
            raise PlanRuleError("plan.unknown_measure", id=mid)
        try:
            out[mid] = MeasureChoice(choice)
        except ValueError:
            raise PlanRuleError("plan.unknown_choice", id=mid, value=choice) from None
    return out
