"""The plan's ids for fast look-ups, and the checks of one row in template columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.base.i18n import Msg
from core.io.importer.parsing import _cell_text, parse_number
from core.io.importer.results import MAX_SHORT_TEXT, REQUIRED_COLUMNS, YEAR_MAX, YEAR_MIN, ImportProblem
from core.plan.loader import effective_unit
from core.plan.model import AREA_RE, MAX_TEXT_LENGTH, Area, Indicator, Plan, Series, Unit


class _PlanIndex:
    """The plan's ids for fast checks."""

    def __init__(self, plan: Plan):
        self.indicators: dict[int, Indicator] = {i.indicator_id: i for i in plan.indicators}
        self.series: dict[tuple[int, str], Series] = {(s.indicator_id, s.series_id): s for s in plan.series}
        self.series_of: dict[int, list[str]] = {}
        for s in plan.series:
            self.series_of.setdefault(s.indicator_id, []).append(s.series_id)
        self.groups = [g.group_id for g in plan.groups_in_order()]
        self.region_area = plan.region_area  # the plan's region, from plan.yaml

    def reference_problems(self, indicator_id: int, series_id: str, group_id: str) -> list[tuple[str, Msg]]:
        """(column, message) for unknown indicator, series or group (messages start in lower case)."""
        out: list[tuple[str, Msg]] = []
        if indicator_id not in self.indicators:
            known = ", ".join(str(i) for i in sorted(self.indicators))
            out.append(("indicator_id", Msg("importer.indicator_unknown", id=indicator_id, known=known)))
        else:
            options = self.series_of.get(indicator_id, [])
            if series_id and (indicator_id, series_id) not in self.series:
                hint = (
                    Msg("importer.series_allowed", options=", ".join(options))
                    if options
                    else Msg("importer.series_none")
                )
                out.append(("series_id", Msg("importer.series_unknown", id=indicator_id, series=series_id, hint=hint)))
            elif not series_id and options:
                out.append(("series_id", Msg("importer.series_required", id=indicator_id, options=", ".join(options))))
        if group_id and group_id not in self.groups:
            out.append(("group_id", Msg("importer.group_unknown", group=group_id, allowed=", ".join(self.groups))))
        return out


def _col_label(col: str) -> Msg:
    """A template column's name for people ('indikaattorin numero' / 'indicator number')."""
    return Msg(f"importer.col.{col}")


def _check_row(
    values: Mapping[str, object],
    line: int,
    ctx: _PlanIndex,
    errors: list[ImportProblem],
    column_name: Callable[[str], str | None],
    context: Msg | None = None,
) -> dict | None:
    """Validate one row given in template columns; append problems and return the clean row or None."""
    before = len(errors)

    def bad(col: str, message: Msg) -> None:
        text = message.capitalised()
        if context is not None:
            text = Msg("importer.with_context", text=text, context=context)
        errors.append(ImportProblem(line, column_name(col), text))

    def text(col: str) -> str:
        return _cell_text(values.get(col)).strip()

    for col in REQUIRED_COLUMNS:
        if text(col) == "":
            bad(col, Msg("importer.required_missing", label=_col_label(col)))
    if len(errors) > before:
        return None

    indicator_id: int | None = None
    number = parse_number(values.get("indicator_id"))
    if number is None or not number.is_integer():
        bad("indicator_id", Msg("importer.indicator_not_whole", value=text("indicator_id")))
    else:
        indicator_id = int(number)

    series_id = text("series_id")
    group_id = text("group_id")
    if indicator_id is not None:
        for col, msg in ctx.reference_problems(indicator_id, series_id, group_id):
            bad(col, msg)
    elif group_id not in ctx.groups:
        bad("group_id", Msg("importer.group_unknown", group=group_id, allowed=", ".join(ctx.groups)))

    area = text("area").lower()
    if not AREA_RE.match(area) or not (area in (ctx.region_area, Area.COUNTRY.value) or area.startswith("kunta:")):
        hint = Msg("importer.area_hint_koko_maa") if area.replace(" ", "_") == "koko_maa" else ""
        bad("area", Msg("importer.area_invalid", value=text("area"), hint=hint, region=ctx.region_area))

    year: int | None = None
    ynum = parse_number(values.get("year"))
    if ynum is None or not ynum.is_integer():
        bad("year", Msg("importer.year_not_whole", value=text("year")))
    elif not YEAR_MIN <= ynum <= YEAR_MAX:
        bad("year", Msg("importer.year_range", low=YEAR_MIN, high=YEAR_MAX, value=int(ynum)))
    else:
        year = int(ynum)

    value = parse_number(values.get("value"))
    raw_value = text("value")
    if value is None:
        if "%" in raw_value:
            hint: Msg | str = Msg("importer.value_hint_percent")
        elif "," in raw_value and "." in raw_value:
            hint = Msg("importer.value_hint_thousands")
        else:
            hint = ""
        bad("value", Msg("importer.value_not_number", value=raw_value, hint=hint))
    elif indicator_id is not None and indicator_id in ctx.indicators:
        unit = effective_unit(ctx.indicators[indicator_id], ctx.series.get((indicator_id, series_id)))
        if unit is Unit.PERCENT and not 0 <= value <= 100:
            bad("value", Msg("importer.percent_range", value=f"{value:g}"))
        elif unit in (Unit.COUNT, Unit.PER_1000, Unit.PER_10000) and value < 0:
            bad("value", Msg("importer.negative", value=f"{value:g}"))

    clean_text: dict[str, str] = {}
    for col, limit in (("value_as_printed", MAX_SHORT_TEXT), ("flag", MAX_SHORT_TEXT), ("note", MAX_TEXT_LENGTH)):
        t = text(col)
        if len(t) > limit:
            bad(col, Msg("importer.too_long", label=_col_label(col), n=len(t), limit=limit))
        clean_text[col] = t

    if len(errors) > before:
        return None
    return {
        "indicator_id": indicator_id,
        "series_id": series_id,
        "group_id": group_id,
        "area": area,
        "year": year,
        "value": value,
        **clean_text,
    }
