"""The plan's domain model: goals, sub-goals, indicators, observations, actors, measures.

Identifiers are English; the Finnish domain words (päätavoite, välitavoite, toimenpide, mittari)
live in the data and the UI catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.base.rules import parse_yes_no


class Status(StrEnum):
    """A regional value relative to the whole country."""

    GOOD = "hyva"
    NEUTRAL = "neutraali"
    CONCERN = "huolestuttava"
    NO_REFERENCE = "ei_vertailua"


class Trend(StrEnum):
    """Direction of change since the baseline year, judged by the indicator's good direction."""

    IMPROVING = "paranee"
    UNCHANGED = "ennallaan"
    WORSENING = "heikkenee"
    NO_TREND = "ei_trendia"


class Direction(StrEnum):
    """Which way an indicator is good."""

    HIGHER_BETTER = "higher_better"
    LOWER_BETTER = "lower_better"
    CONTEXT = "context"


class Unit(StrEnum):
    """Unit of an indicator's values."""

    PERCENT = "percent"
    COUNT = "count"
    PER_1000 = "per_1000"
    PER_10000 = "per_10000"
    PERCENT_CHANGE = "percent_change"


class Area(StrEnum):
    """Where a value was measured: the whole country, or the plan's own region (``Plan.region_area``,
    named in data/plan.yaml) or a municipality ``kunta:<name>``."""

    COUNTRY = "koko_maa"


class PlanState(StrEnum):
    """Where a plan is in its life: drafted, in force, or ended (then read-only but its final evaluation)."""

    DRAFT = "draft"
    IN_FORCE = "in_force"
    ENDED = "ended"


class IndicatorChoice(StrEnum):
    """What a plan did with an indicator of the plan it was drafted from."""

    KEPT = "kept"
    DROPPED = "dropped"  # a reason is required and shown
    ADDED = "added"


class RowKind(StrEnum):
    """What a row of an actor's measures table is."""

    MEASURE = "measure"
    REFERENCE = "reference"  # only refers to another row ("Ks. edellinen kohta")
    EMPTY = "empty"
    DASH = "dash"
    OUT_OF_SCOPE = "out_of_scope"  # says the item is outside the actor's remit


class MeasureStatus(StrEnum):
    """Follow-up status of a measure (not in the plan; added for monitoring)."""

    UNKNOWN = ""
    PLANNED = "suunniteltu"
    ONGOING = "käynnissä"
    ESTABLISHED = "vakiintunut"
    ENDED = "päättynyt"


class Difficulty(StrEnum):
    EASY = "helppo"
    MEDIUM = "keskivaikea"
    HARD = "vaikea"


class Impact(StrEnum):
    HIGH = "korkea"
    FAIRLY_HIGH = "melko korkea"


# Ids come from the plan's data: any number of goals, with any short id (the first plan's are I, II, III).
GOAL_ID_PATTERN = r"[A-Za-z0-9_]{1,6}"
_GOAL_RE = re.compile(rf"^{GOAL_ID_PATTERN}$")
_SUBGOAL_RE = re.compile(rf"^{GOAL_ID_PATTERN}\.[1-9]\d*$")
MEASURE_ID_PATTERN = rf"^[a-z0-9_]+-{GOAL_ID_PATTERN}\.\d+-\d+$"
AREA_RE = re.compile(r"^([a-z0-9_]+|kunta:[a-zåäö_-]+)$")  # the region (plan.yaml region_area), koko_maa, kunta:


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


class Group(_Row):
    """A respondent group or population band (4.–5. lk, lukio, 4-v. huoltajat, väestö…)."""

    group_id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_fi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: str = Field(pattern=r"^(survey|population)$")
    sort_order: int


class Goal(_Row):
    """A päätavoite with its service-level mix (shares of preventive, early-support, intensive)."""

    goal_id: str
    number: int
    title_fi: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    preventive_pct: float = Field(ge=0, le=100)
    early_support_pct: float = Field(ge=0, le=100)
    intensive_pct: float = Field(ge=0, le=100)
    note: str = ""

    @field_validator("goal_id")
    @classmethod
    def _known_goal(cls, v: str) -> str:
        if not _GOAL_RE.match(v):
            raise ValueError("goal_id must be a short id of letters and digits, like 'I' or '1'")
        return v

    @model_validator(mode="after")
    def _mix_sums_to_100(self) -> Goal:
        total = self.preventive_pct + self.early_support_pct + self.intensive_pct
        if abs(total - 100) > 0.5:
            raise ValueError(f"service-level shares must sum to 100, got {total:g}")
        return self


class SubGoal(_Row):
    """A välitavoite, rated by how hard the change is and how high its impact."""

    subgoal_id: str
    goal_id: str
    number: int = Field(ge=1)
    title_fi: str = Field(min_length=1)
    title_en: str = Field(min_length=1)
    difficulty: Difficulty | None = None
    impact: Impact | None = None
    note: str = ""

    @field_validator("subgoal_id")
    @classmethod
    def _id_form(cls, v: str) -> str:
        if not _SUBGOAL_RE.match(v):
            raise ValueError("subgoal_id must look like 'I.3'")
        return v

    @field_validator("difficulty", "impact", mode="before")
    @classmethod
    def _empty_is_none(cls, v: object) -> object:
        return None if v == "" else v

    @model_validator(mode="after")
    def _id_matches(self) -> SubGoal:
        if self.subgoal_id != f"{self.goal_id}.{self.number}":
            raise ValueError(f"subgoal_id {self.subgoal_id} does not match {self.goal_id}.{self.number}")
        return self


class Indicator(_Row):
    """One of the plan's 32 numbered indicators."""

    indicator_id: int = Field(ge=1)
    name_fi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    category: str = Field(min_length=1)
    definition: str = ""
    source: str = ""
    year: str = ""
    unit: Unit
    direction: Direction
    note: str = ""


class Series(_Row):
    """A distinct measure under one indicator number (e.g. indicator 16's counts)."""

    indicator_id: int
    series_id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_fi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    unit: Unit
    direction: Direction


class Observation(_Row):
    """One printed value: indicator × series × group × area × year."""

    indicator_id: int
    series_id: str = ""
    group_id: str
    area: str
    year: int = Field(ge=1990, le=2100)
    value: float
    value_as_printed: str = ""
    flag: str = ""
    note: str = ""

    @field_validator("area")
    @classmethod
    def _area_form(cls, v: str) -> str:
        if not AREA_RE.match(v):
            raise ValueError("area must be the region's id (e.g. 'kymenlaakso'), 'koko_maa' or 'kunta:<name>'")
        return v


class SubGoalIndicator(_Row):
    """An indicator tile shown under a sub-goal."""

    subgoal_id: str
    indicator_id: int
    series_id: str = ""
    sort_order: int = 0
    note: str = ""


class Actor(_Row):
    """An organisation that wrote a measures table in section 2 of the plan."""

    actor_id: str = Field(pattern=r"^[a-z0-9_]+$")
    section: str
    name_fi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: str = Field(pattern=r"^(hyvinvointialue|kunta|seurakunta|jarjesto|poliisi|muu)$")
    current_name: str = ""
    evidence: str = ""
    note: str = ""


MEASURE_TEXT_FIELDS = ("toimenpide", "mittari", "aikataulu", "toimijat", "seuranta")
MAX_TEXT_LENGTH = 4000
MAX_CONTACT_LENGTH = 200
MEASURE_YEAR_MIN, MEASURE_YEAR_MAX = (
    2000,
    2100,
)  # a measure's start/end year; the store's edit check uses the same limits


class Measure(_Row):
    """A toimenpide of one actor for one sub-goal, with the plan's five columns and follow-up fields."""

    measure_id: str = Field(pattern=MEASURE_ID_PATTERN)
    actor_id: str
    subgoal_id: str
    seq: int = Field(ge=1)
    row_kind: RowKind
    toimenpide: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    mittari: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    aikataulu: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    toimijat: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    seuranta: str = Field(default="", max_length=MAX_TEXT_LENGTH)
    status: MeasureStatus = MeasureStatus.UNKNOWN
    start_year: int | None = Field(default=None, ge=MEASURE_YEAR_MIN, le=MEASURE_YEAR_MAX)
    end_year: int | None = Field(default=None, ge=MEASURE_YEAR_MIN, le=MEASURE_YEAR_MAX)
    permanent: bool = False
    contact: str = Field(default="", max_length=MAX_CONTACT_LENGTH)
    source_line_start: int | None = None
    source_line_end: int | None = None
    note: str = ""

    @field_validator("start_year", "end_year", "source_line_start", "source_line_end", mode="before")
    @classmethod
    def _empty_int(cls, v: object) -> object:
        return None if v == "" else v

    @field_validator("permanent", mode="before")
    @classmethod
    def _bool_text(cls, v: object) -> bool:
        return parse_yes_no(v)  # the app's one yes/no rule; anything else is a clear ValueError

    @model_validator(mode="after")
    def _years_in_order(self) -> Measure:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValueError("end_year is before start_year")
        return self


class PlanIndicatorChoice(_Row):
    """A plan's choice about one indicator: kept, dropped (with the reason shown) or added."""

    indicator_id: int
    choice: IndicatorChoice
    reason: str = ""


class PlanInfo(_Row):
    """A plan's identity: id, name, period (first and last year), state, and the plan it was drafted from."""

    plan_id: str
    name_fi: str
    name_en: str
    period_start: int
    period_end: int
    state: PlanState
    source_plan_id: str | None = None


def is_region_area(area: object) -> bool:
    """A value of the plan's region (not the whole country, not one municipality): the data of one
    store has one region, named in plan.yaml."""
    text = str(area)
    return text != Area.COUNTRY.value and not text.startswith("kunta:")


def region_area_of(meta: dict) -> str:
    """The area id of the plan's region values: plan.yaml ``region_area``, else its region name as an id."""
    given = str(meta.get("region_area") or "").strip()
    if given:
        return given
    return re.sub(r"[^a-z0-9_]+", "_", str(meta.get("region") or "alue").strip().lower()).strip("_") or "alue"


class Plan(BaseModel):
    """One plan: its identity and period, its goals, sub-goals and indicator tiles, the shared catalogue
    (groups, indicators, series, actors) and its measures and the observations."""

    model_config = ConfigDict(frozen=True)

    meta: dict
    plan_id: str = ""
    period_start: int = 0
    period_end: int = 0
    state: PlanState = PlanState.IN_FORCE
    source_plan_id: str | None = None
    region: str = ""
    region_area: str = ""
    indicator_choices: tuple[PlanIndicatorChoice, ...] = ()
    groups: tuple[Group, ...]
    goals: tuple[Goal, ...]
    subgoals: tuple[SubGoal, ...]
    indicators: tuple[Indicator, ...]
    series: tuple[Series, ...]
    observations: tuple[Observation, ...]
    subgoal_indicators: tuple[SubGoalIndicator, ...]
    actors: tuple[Actor, ...]
    measures: tuple[Measure, ...]

    @model_validator(mode="before")
    @classmethod
    def _identity_from_meta(cls, data: object) -> object:
        """data/plan.yaml names the plan; fields not given are taken from it."""
        if not isinstance(data, dict):
            return data
        meta = data.get("meta") or {}
        out = dict(data)
        out.setdefault("period_start", int(meta.get("period_start") or 0))
        out.setdefault("period_end", int(meta.get("period_end") or 0))
        out.setdefault("region", str(meta.get("region") or ""))
        out.setdefault("region_area", region_area_of(meta))
        out.setdefault("state", str(meta.get("state") or PlanState.IN_FORCE))
        if not out.get("plan_id"):
            out["plan_id"] = str(
                meta.get("plan_id") or f"{out['region_area']}-{out['period_start']}-{out['period_end']}"
            )
        return out

    @property
    def info(self) -> PlanInfo:
        """The plan's identity."""
        return PlanInfo(
            plan_id=self.plan_id,
            name_fi=str(self.meta.get("name") or self.plan_id),
            name_en=str(self.meta.get("name_en") or self.meta.get("name") or self.plan_id),
            period_start=self.period_start,
            period_end=self.period_end,
            state=self.state,
            source_plan_id=self.source_plan_id,
        )

    @property
    def read_only(self) -> bool:
        """An ended plan is browsed, not edited (except its final evaluation)."""
        return self.state == PlanState.ENDED

    def dropped_indicators(self) -> list[PlanIndicatorChoice]:
        """The indicators this plan dropped, each with its reason."""
        return [c for c in self.indicator_choices if c.choice == IndicatorChoice.DROPPED]

    def goal(self, goal_id: str) -> Goal:
        """The päätavoite with this id."""
        for g in self.goals:
            if g.goal_id == goal_id:
                return g
        raise KeyError(goal_id)

    def goals_in_order(self) -> list[Goal]:
        """The päätavoitteet by number (I, II, III…): the order every page, report and export lists them in."""
        return sorted(self.goals, key=lambda g: g.number)

    def indicators_in_order(self) -> list[Indicator]:
        """The indicators by number: the order the plan prints them in, and every list of them here."""
        return sorted(self.indicators, key=lambda i: i.indicator_id)

    def groups_in_order(self) -> list[Group]:
        """The age groups and population bands in the plan's sort order."""
        return sorted(self.groups, key=lambda g: g.sort_order)

    def _series_by_indicator(self) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for s in self.series:
            out.setdefault(s.indicator_id, []).append(s.series_id)
        return out

    def indicator_pairs(self, indicator_ids: Iterable[int]) -> list[tuple[int, str]]:
        """(indicator, series) for each indicator in turn: one pair per series it has, (indicator, "") without."""
        series_of = self._series_by_indicator()
        return [(i, s) for i in indicator_ids for s in series_of.get(i, [""])]

    def link_pairs(self, links: Iterable[SubGoalIndicator]) -> list[tuple[int, str]]:
        """The (indicator, series) pairs ``links`` show, in their order, without repeats.

        A link without a series to an indicator that has series stands for all its series.
        """
        series_of = self._series_by_indicator()
        out: list[tuple[int, str]] = []
        for link in links:
            pairs = (
                [(link.indicator_id, link.series_id)]
                if link.series_id or link.indicator_id not in series_of
                else [(link.indicator_id, s) for s in series_of[link.indicator_id]]
            )
            out.extend(p for p in pairs if p not in out)
        return out

    def subgoals_of(self, goal_id: str) -> list[SubGoal]:
        """The välitavoitteet of one goal, in order."""
        return sorted((s for s in self.subgoals if s.goal_id == goal_id), key=lambda s: s.number)

    def indicator(self, indicator_id: int) -> Indicator:
        """The indicator with this number."""
        for i in self.indicators:
            if i.indicator_id == indicator_id:
                return i
        raise KeyError(indicator_id)

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        for a in self.actors:
            if a.actor_id == actor_id:
                return a
        raise KeyError(actor_id)
