"""The one loader of data/: reads the plan's CSV and YAML files and validates them.

Every problem is collected (not only the first) and names the file, the spreadsheet row
(the header is row 1) and the column, so a person editing data/ by hand can find it. A problem
is a catalogue message (``core.base.i18n.Msg``, keys ``loader.*``): ``python -m core validate`` prints
it in English, a refused backup (core/io/exporter/) in the user's language.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from core.base import config
from core.base.cells import restore_formula
from core.base.i18n import Msg, t
from core.plan.model import (
    Actor,
    Area,
    Goal,
    Group,
    Indicator,
    Measure,
    Observation,
    Plan,
    Series,
    SubGoal,
    SubGoalIndicator,
    Unit,
    region_area_of,
)


@dataclass(frozen=True)
class DataProblem:
    """One problem in one cell (or row, or file) of data/."""

    file: str
    row: int | None
    column: str | None
    problem: Msg

    @property
    def message(self) -> str:
        """The problem in English, as the command line prints it."""
        return self.problem.text("en")

    def text(self, lang: str) -> str:
        """Where and what in ``lang``: "groups.csv, rivi 3, sarake 'group_id': …"."""
        where: str | Msg = self.file
        if self.row is not None:
            where = Msg("loader.where.row", where=where, row=self.row)
        if self.column:
            where = Msg("loader.where.column", where=where, column=self.column)
        return Msg("loader.problem", where=where, problem=self.problem).text(lang)

    def __str__(self) -> str:
        return self.text("en")


class PlanDataError(ValueError):
    """Raised when data/ does not validate; carries every problem found."""

    def __init__(self, problems: list[DataProblem]):
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems[:50])
        more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the plan data:\n{lines}{more}")

    def text(self, lang: str) -> str:
        """Every problem (the first 50) in ``lang``, for the app's notice."""
        lines = [t("loader.refused", lang, n=len(self.problems)), *(f"- {p.text(lang)}" for p in self.problems[:50])]
        if len(self.problems) > 50:
            lines.append(t("loader.more", lang, n=len(self.problems) - 50))
        return "\n".join(lines)


# file name → row model, in load order (later files refer to earlier ones)
CSV_FILES: dict[str, type[BaseModel]] = {
    "groups.csv": Group,
    "goals.csv": Goal,
    "subgoals.csv": SubGoal,
    "indicators.csv": Indicator,
    "series.csv": Series,
    "observations.csv": Observation,
    "subgoal_indicators.csv": SubGoalIndicator,
    "actors.csv": Actor,
    "measures.csv": Measure,
}
PLAN_META_FILE = "plan.yaml"


def columns_of(model: type[BaseModel]) -> list[str]:
    """The CSV columns of a row model, in declaration order."""
    return list(model.model_fields)


def _friendly(err: dict) -> Msg:
    kind = err.get("type", "")
    if kind == "missing":
        return Msg("loader.value_missing")
    if kind in ("int_parsing", "int_type"):
        return Msg("loader.not_whole", value=repr(err.get("input")))
    if kind in ("float_parsing", "float_type"):
        return Msg("loader.not_number", value=repr(err.get("input")))
    if kind == "extra_forbidden":
        return Msg("loader.unknown_column")
    # the row model's own check (core/plan/model.py), in its own (English) words
    return Msg("loader.invalid", detail=err.get("msg", "invalid value").removeprefix("Value error, "))


def read_csv_rows(
    text: str, file: str, model: type[BaseModel], problems: list[DataProblem]
) -> list[tuple[int, BaseModel]]:
    """Parse CSV text into validated rows of ``model``; append problems instead of raising."""
    reader = csv.DictReader(io.StringIO(text))
    expected = columns_of(model)
    header = reader.fieldnames or []
    if not header:
        problems.append(DataProblem(file, None, None, Msg("loader.file_empty")))
        return []
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    missing = [c for c in required if c not in header]
    for col in missing:
        problems.append(DataProblem(file, 1, col, Msg("loader.required_column")))
    unknown = [c for c in header if c not in expected]
    for col in unknown:
        problems.append(DataProblem(file, 1, col, Msg("loader.unknown_column")))
    if missing or unknown:
        return []
    rows: list[tuple[int, BaseModel]] = []
    for line_no, raw in enumerate(reader, start=2):
        if None in raw:
            problems.append(DataProblem(file, line_no, None, Msg("loader.extra_cells")))
            continue
        # restore_formula: the quote an export put before a text like '=…' (core.base.cells) is not data
        values = {k: (restore_formula(v) if v is not None else "") for k, v in raw.items()}
        # optional columns left empty take the model's default
        values = {k: v for k, v in values.items() if not (v == "" and not model.model_fields[k].is_required())}
        try:
            rows.append((line_no, model.model_validate(values)))
        except ValidationError as exc:
            for err in exc.errors():
                loc = err.get("loc") or ()
                column = str(loc[0]) if loc else None
                problems.append(DataProblem(file, line_no, column, _friendly(err)))
    return rows


def _unique(rows: Iterable[tuple[int, BaseModel]], key, file: str, column: str, problems: list[DataProblem]) -> None:
    seen: dict[object, int] = {}
    for line_no, row in rows:
        k = key(row)
        if k in seen:
            problems.append(DataProblem(file, line_no, column, Msg("loader.duplicate_id", id=repr(k), row=seen[k])))
        else:
            seen[k] = line_no


def check_references(
    rows: dict[str, list[tuple[int, BaseModel]]], problems: list[DataProblem], region_area: str | None = None
) -> None:
    """Unique ids, every reference resolves, percentages within 0–100, consistent measure ids, and
    every value's area is the plan's region (``region_area``), the whole country or a municipality."""
    get = lambda f: rows.get(f, [])  # noqa: E731
    if region_area is not None:  # first, where the row's own checks used to say it
        for line, r in get("observations.csv"):
            if not (r.area in (region_area, Area.COUNTRY.value) or r.area.startswith("kunta:")):
                what = Msg("loader.unknown_area", id=f"'{r.area}'", region=f"'{region_area}'")
                problems.append(DataProblem("observations.csv", line, "area", what))
    _unique(get("groups.csv"), lambda r: r.group_id, "groups.csv", "group_id", problems)
    _unique(get("goals.csv"), lambda r: r.goal_id, "goals.csv", "goal_id", problems)
    _unique(get("subgoals.csv"), lambda r: r.subgoal_id, "subgoals.csv", "subgoal_id", problems)
    _unique(get("indicators.csv"), lambda r: r.indicator_id, "indicators.csv", "indicator_id", problems)
    _unique(get("series.csv"), lambda r: (r.indicator_id, r.series_id), "series.csv", "series_id", problems)
    _unique(get("actors.csv"), lambda r: r.actor_id, "actors.csv", "actor_id", problems)
    _unique(get("measures.csv"), lambda r: r.measure_id, "measures.csv", "measure_id", problems)
    _unique(
        get("observations.csv"),
        lambda r: (r.indicator_id, r.series_id, r.group_id, r.area, r.year),
        "observations.csv",
        "indicator_id",
        problems,
    )
    _unique(
        get("subgoal_indicators.csv"),
        lambda r: (r.subgoal_id, r.indicator_id, r.series_id),
        "subgoal_indicators.csv",
        "indicator_id",
        problems,
    )

    goals = {r.goal_id for _, r in get("goals.csv")}
    subgoals = {r.subgoal_id for _, r in get("subgoals.csv")}
    indicators = {r.indicator_id: r for _, r in get("indicators.csv")}
    series = {(r.indicator_id, r.series_id): r for _, r in get("series.csv")}
    groups = {r.group_id for _, r in get("groups.csv")}
    actors = {r.actor_id for _, r in get("actors.csv")}

    def need(ok: bool, file: str, line: int, col: str, what: Msg) -> None:
        if not ok:
            problems.append(DataProblem(file, line, col, what))

    for line, r in get("subgoals.csv"):
        need(r.goal_id in goals, "subgoals.csv", line, "goal_id", Msg("loader.unknown_goal", id=repr(r.goal_id)))
    for line, r in get("series.csv"):
        need(
            r.indicator_id in indicators,
            "series.csv",
            line,
            "indicator_id",
            Msg("loader.unknown_indicator", id=r.indicator_id),
        )
    for line, r in get("observations.csv"):
        f = "observations.csv"
        need(r.indicator_id in indicators, f, line, "indicator_id", Msg("loader.unknown_indicator", id=r.indicator_id))
        need(r.group_id in groups, f, line, "group_id", Msg("loader.unknown_group", id=repr(r.group_id)))
        if r.series_id:
            need(
                (r.indicator_id, r.series_id) in series,
                f,
                line,
                "series_id",
                Msg("loader.unknown_series", series=repr(r.series_id), indicator=r.indicator_id),
            )
        unit = effective_unit(indicators.get(r.indicator_id), series.get((r.indicator_id, r.series_id)))
        if unit is Unit.PERCENT:
            need(0 <= r.value <= 100, f, line, "value", Msg("loader.percent_range", value=f"{r.value:g}"))
        elif unit in (Unit.COUNT, Unit.PER_1000, Unit.PER_10000):
            need(r.value >= 0, f, line, "value", Msg("loader.negative", value=f"{r.value:g}"))
    for line, r in get("subgoal_indicators.csv"):
        f = "subgoal_indicators.csv"
        need(r.subgoal_id in subgoals, f, line, "subgoal_id", Msg("loader.unknown_subgoal", id=repr(r.subgoal_id)))
        need(r.indicator_id in indicators, f, line, "indicator_id", Msg("loader.dangling_indicator", id=r.indicator_id))
        if r.series_id:
            need(
                (r.indicator_id, r.series_id) in series,
                f,
                line,
                "series_id",
                Msg("loader.unknown_series", series=repr(r.series_id), indicator=r.indicator_id),
            )
    for line, r in get("measures.csv"):
        f = "measures.csv"
        need(r.actor_id in actors, f, line, "actor_id", Msg("loader.unknown_actor", id=repr(r.actor_id)))
        need(r.subgoal_id in subgoals, f, line, "subgoal_id", Msg("loader.unknown_subgoal", id=repr(r.subgoal_id)))
        expected_id = f"{r.actor_id}-{r.subgoal_id}-{r.seq}"
        need(r.measure_id == expected_id, f, line, "measure_id", Msg("loader.measure_id", id=repr(expected_id)))


def effective_unit(indicator: Indicator | None, series: Series | None) -> Unit | None:
    """The unit of a value: the series' unit if it has one, else the indicator's."""
    if series is not None:
        return series.unit
    return indicator.unit if indicator is not None else None


def read_meta(data_dir: Path, problems: list[DataProblem]) -> dict:
    """Read plan.yaml (name, period, region, status legend…)."""
    path = data_dir / PLAN_META_FILE
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        problems.append(DataProblem(PLAN_META_FILE, None, None, Msg("loader.file_missing")))
        return {}
    except yaml.YAMLError as exc:
        problems.append(DataProblem(PLAN_META_FILE, None, None, Msg("loader.not_yaml", error=str(exc))))
        return {}
    if not isinstance(meta, dict):
        problems.append(DataProblem(PLAN_META_FILE, None, None, Msg("loader.not_mapping")))
        return {}
    for key in ("name", "period_start", "period_end", "region"):
        if key not in meta:
            problems.append(DataProblem(PLAN_META_FILE, None, key, Msg("loader.required_key")))
    return meta


def plan_from_rows(meta: dict, rows: dict[str, list[tuple[int, BaseModel]]]) -> Plan:
    """The Plan of validated rows (``{file name: [(row, model)]}`` as ``read_csv_rows`` gives them)."""
    return Plan(
        meta=meta,
        groups=tuple(r for _, r in rows["groups.csv"]),
        goals=tuple(r for _, r in rows["goals.csv"]),
        subgoals=tuple(r for _, r in rows["subgoals.csv"]),
        indicators=tuple(r for _, r in rows["indicators.csv"]),
        series=tuple(r for _, r in rows["series.csv"]),
        observations=tuple(r for _, r in rows["observations.csv"]),
        subgoal_indicators=tuple(r for _, r in rows["subgoal_indicators.csv"]),
        actors=tuple(r for _, r in rows["actors.csv"]),
        measures=tuple(r for _, r in rows["measures.csv"]),
    )


def validate(data_dir: Path | None = None) -> tuple[Plan | None, list[DataProblem]]:
    """Read and check every file of data/; return the plan (if valid) and all problems."""
    data_dir = Path(data_dir or config.DATA_DIR)
    problems: list[DataProblem] = []
    meta = read_meta(data_dir, problems)
    rows: dict[str, list[tuple[int, BaseModel]]] = {}
    for name, model in CSV_FILES.items():
        path = data_dir / name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            problems.append(DataProblem(name, None, None, Msg("loader.file_missing")))
            continue
        except UnicodeDecodeError as exc:
            problems.append(DataProblem(name, None, None, Msg("loader.not_utf8", reason=exc.reason)))
            continue
        rows[name] = read_csv_rows(text, name, model, problems)
    check_references(rows, problems, region_area_of(meta))
    if problems:
        return None, problems
    return plan_from_rows(meta, rows), []


def error_text(exc: Exception, lang: str) -> str:
    """A broken data/'s problems in ``lang``; any other error as its own text."""
    return exc.text(lang) if isinstance(exc, PlanDataError) else str(exc)


def load_plan(data_dir: Path | None = None) -> Plan:
    """Load data/ and return the validated plan, or raise PlanDataError listing every problem."""
    plan, problems = validate(data_dir)
    if problems:
        raise PlanDataError(problems)
    assert plan is not None
    return plan
