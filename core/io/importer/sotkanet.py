"""Sotkanet files (CSV, .xlsx, JSON): their rows mapped to the plan's ids by the mapping table."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from core.base.i18n import Msg
from core.io.importer.checks import _check_row, _PlanIndex
from core.io.importer.mapping import load_mapping, validate_mapping
from core.io.importer.parsing import _cell_text, _norm_header, norm_gender, norm_source_key
from core.io.importer.results import (
    MAPPING_FILE,
    MAX_JSON_NUMBER,
    MAX_ROWS,
    SOTKANET_ALIASES,
    SOTKANET_LABELS_FI,
    SOTKANET_REQUIRED,
    ImportProblem,
    MappingError,
)
from core.io.importer.tables import _extra_cells_problem, _too_many_rows


@dataclass
class _Mapper:
    """Sotkanet (indicator, region, gender) → plan ids, from the mapping table's 'sotkanet' rows."""

    exact: dict[tuple[str, str, str], dict]
    any_region: dict[tuple[str, str], dict]
    indicators: set[str]

    @classmethod
    def from_frame(cls, mapping: pd.DataFrame) -> _Mapper:
        """Index the validated mapping's usable rows."""
        exact: dict[tuple[str, str, str], dict] = {}
        any_region: dict[tuple[str, str], dict] = {}
        indicators: set[str] = set()
        for r in mapping.to_dict("records"):
            if r["source"] != "sotkanet":
                continue
            ind = norm_source_key(r["source_indicator"])
            indicators.add(ind)
            region = norm_source_key(r["source_region"])
            if region:
                exact[(ind, region, r["gender"])] = r
            else:
                any_region[(ind, r["gender"])] = r
        return cls(exact, any_region, indicators)

    def find(self, indicator: object, region: object, gender: str) -> dict | None:
        """The mapping row for one Sotkanet value, or None."""
        ind, reg = norm_source_key(indicator), norm_source_key(region)
        return self.exact.get((ind, reg, gender)) or self.any_region.get((ind, gender))


def _map_sotkanet(
    items: list[tuple[int, dict[str, object]]],
    mapper: _Mapper,
    ctx: _PlanIndex,
    errors: list[ImportProblem],
    notes: list[str],
    labels: Mapping[str, str],
) -> list[tuple[int, dict]]:
    """Map Sotkanet rows (role → value) to template rows and check them."""
    out: list[tuple[int, dict]] = []
    skipped: dict[str, int] = {}
    role_of = {
        "indicator_id": "indicator",
        "series_id": "indicator",
        "group_id": "region",
        "area": "region",
        "year": "year",
        "value": "value",
    }

    def column_name(col: str) -> str | None:
        role = role_of.get(col)
        return labels.get(role) if role else None

    for line, raw in items:
        missing = [role for role in SOTKANET_REQUIRED if _cell_text(raw.get(role)).strip() == ""]
        if missing:
            for role in missing:
                errors.append(
                    ImportProblem(
                        line,
                        labels.get(role),
                        Msg("importer.required_missing", label=SOTKANET_LABELS_FI[role]).capitalised(),
                    )
                )
            continue
        gender = norm_gender(raw.get("gender"))
        hit = mapper.find(raw["indicator"], raw["region"], gender)
        if hit is None:
            if gender != "total":
                label = _cell_text(raw.get("gender")).strip() or gender
                skipped[label] = skipped.get(label, 0) + 1
                continue
            ind_text = _cell_text(raw["indicator"]).strip()
            if norm_source_key(ind_text) not in mapper.indicators:
                errors.append(
                    ImportProblem(
                        line,
                        labels.get("indicator"),
                        Msg("importer.sotkanet.unmapped", indicator=ind_text, file=MAPPING_FILE),
                    )
                )
            else:
                errors.append(
                    ImportProblem(
                        line,
                        labels.get("region"),
                        Msg(
                            "importer.sotkanet.region_unmapped",
                            region=_cell_text(raw["region"]).strip(),
                            indicator=ind_text,
                            file=MAPPING_FILE,
                        ),
                    )
                )
            continue
        values = {
            "indicator_id": hit["indicator_id"],
            "series_id": hit["series_id"],
            "group_id": hit["group_id"],
            "area": hit["area"],
            "year": raw["year"],
            "value": raw["value"],
        }
        row = _check_row(
            values,
            line,
            ctx,
            errors,
            column_name,
            context=Msg("importer.sotkanet.mapping_row", file=MAPPING_FILE, line=hit["_line"])
            if not _row_values_ok(values, ctx)
            else None,
        )
        if row is not None:
            out.append((line, row))
    for gender, n in skipped.items():
        notes.append(Msg("importer.sotkanet.skipped_gender", n=n, gender=gender))
    return out


def _row_values_ok(values: Mapping[str, object], ctx: _PlanIndex) -> bool:
    """Whether the mapped ids exist in the plan (else the mapping row is named in the message)."""
    try:
        indicator_id = int(values["indicator_id"])  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False
    return not ctx.reference_problems(indicator_id, str(values["series_id"]), str(values["group_id"]))


def _sotkanet_from_records(
    records: list[tuple[int, list[object]]], errors: list[ImportProblem]
) -> tuple[list[tuple[int, dict[str, object]]], dict[str, str]]:
    """Sotkanet CSV/xlsx records → (file row, role → cell) items and the header's labels."""
    header_line, header_cells = records[0]
    roles: dict[str, int] = {}
    labels: dict[str, str] = {}
    for i, c in enumerate(header_cells):
        role = SOTKANET_ALIASES.get(_norm_header(c))
        if role and role not in roles:
            roles[role] = i
            labels[role] = _cell_text(c).replace("\ufeff", "").strip()
    for role in SOTKANET_REQUIRED:
        if role not in roles:
            errors.append(
                ImportProblem(
                    header_line,
                    SOTKANET_LABELS_FI[role],
                    Msg("importer.sotkanet.column_missing", column=SOTKANET_LABELS_FI[role], role=role),
                )
            )
    if errors:
        return [], labels
    body = records[1:]
    if not body:
        errors.append(ImportProblem(None, None, Msg("importer.header_only")))
        return [], labels
    if len(body) > MAX_ROWS:
        errors.append(_too_many_rows(len(body)))
        return [], labels
    items = []
    for line, cells in body:
        if len(cells) > len(header_cells):
            problem = _extra_cells_problem(
                line, [_cell_text(c) for c in cells], len(header_cells), ",", roles.get("value")
            )
            if problem is not None:
                errors.append(problem)
                continue
        items.append((line, {role: (cells[i] if i < len(cells) else None) for role, i in roles.items()}))
    return items, labels


class _NumberTooLong(ValueError):
    """A JSON number with more digits than any real value has."""

    def __init__(self, digits: int):
        super().__init__(digits)
        self.digits = digits


def _json_number(kind: type) -> Callable[[str], object]:
    """A json.loads hook that refuses numbers longer than MAX_JSON_NUMBER characters (no huge ints or floats)."""

    def parse(text: str) -> object:
        if len(text) > MAX_JSON_NUMBER:
            raise _NumberTooLong(len(text))
        return kind(text)

    return parse


def _sotkanet_from_json(text: str, errors: list[ImportProblem]) -> list[tuple[int, dict[str, object]]]:
    """Sotkanet JSON text → (position, role → value) items."""
    try:
        data = json.loads(text, parse_int=_json_number(int), parse_float=_json_number(float))
    except json.JSONDecodeError as exc:
        errors.append(ImportProblem(exc.lineno, None, Msg("importer.json.invalid", line=exc.lineno, col=exc.colno)))
        return []
    except _NumberTooLong as exc:
        errors.append(
            ImportProblem(None, None, Msg("importer.json.number_too_long", n=exc.digits, limit=MAX_JSON_NUMBER))
        )
        return []
    except RecursionError:
        errors.append(ImportProblem(None, None, Msg("importer.json.too_deep")))
        return []
    if not isinstance(data, list):
        errors.append(ImportProblem(None, None, Msg("importer.json.not_list")))
        return []
    if not data:
        errors.append(ImportProblem(None, None, Msg("importer.json.empty")))
        return []
    if len(data) > MAX_ROWS:
        errors.append(_too_many_rows(len(data)))
        return []
    items = []
    for n, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            errors.append(ImportProblem(n, None, Msg("importer.json.not_object", n=n)))
            continue
        lower = {str(k).lower(): v for k, v in obj.items()}
        for key in SOTKANET_REQUIRED:
            if key not in lower:
                errors.append(ImportProblem(n, key, Msg("importer.json.key_missing", n=n, key=key)))
        if any(key not in lower for key in SOTKANET_REQUIRED):
            continue
        item = {role: lower.get(role) for role in ("indicator", "region", "year", "gender", "value")}
        if isinstance(item["value"], (list, dict)) or isinstance(item["year"], (list, dict)):
            errors.append(ImportProblem(n, "value", Msg("importer.json.value_not_number", n=n)))
            continue
        items.append((n, item))
    return items


def _resolve_mapping(mapping: pd.DataFrame | None, errors: list[ImportProblem]) -> _Mapper | None:
    """The mapping to use (default file or the given frame), or None with its problems added."""
    try:
        if mapping is None:
            frame = load_mapping()
        else:
            frame, problems = validate_mapping(mapping.drop(columns=["_line"], errors="ignore"))
            if problems:
                raise MappingError(problems)
    except MappingError as exc:
        errors.extend(exc.problems)
        errors.append(ImportProblem(None, None, Msg("importer.sotkanet.fix_mapping_first")))
        return None
    return _Mapper.from_frame(frame)
