"""The Sotkanet mapping table (data/sotkanet_mapping.csv): reading and validating it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from core.base import config
from core.base.i18n import Msg
from core.io.importer.checks import _PlanIndex
from core.io.importer.parsing import _cell_text, _is_blank, norm_gender, norm_source_key, parse_number
from core.io.importer.results import MAPPING_COLUMNS, MAPPING_FILE, MAPPING_SOURCES, ImportProblem, MappingError
from core.plan.model import AREA_RE, Plan


def default_mapping_path() -> Path:
    """Where the Sotkanet mapping table lives: data/sotkanet_mapping.csv."""
    return Path(config.DATA_DIR) / MAPPING_FILE


def validate_mapping(frame: pd.DataFrame, plan: Plan | None = None) -> tuple[pd.DataFrame, list[ImportProblem]]:
    """Check and normalise a mapping table; with a plan also check its ids. Rows: header = row 1."""
    problems: list[ImportProblem] = []

    def in_mapping(message: Msg) -> Msg:
        return Msg("importer.mapping.problem", file=MAPPING_FILE, problem=message)

    header = [str(c) for c in frame.columns]
    missing = [c for c in MAPPING_COLUMNS if c not in header]
    unknown = [c for c in header if c not in MAPPING_COLUMNS]
    for col in missing:
        problems.append(ImportProblem(1, col, in_mapping(Msg("importer.mapping.column_missing", column=col))))
    for col in unknown:
        problems.append(
            ImportProblem(
                1,
                col,
                in_mapping(Msg("importer.mapping.column_unknown", column=col, allowed=", ".join(MAPPING_COLUMNS))),
            )
        )
    if problems:
        return pd.DataFrame(columns=MAPPING_COLUMNS), problems
    ctx = _PlanIndex(plan) if plan is not None else None
    out: list[dict] = []
    seen: dict[tuple, int] = {}
    for i, raw in enumerate(frame.to_dict("records")):
        line = i + 2
        r = {c: _cell_text(raw.get(c)).strip() for c in MAPPING_COLUMNS}
        if _is_blank(r.values()):
            continue
        bad = len(problems)
        source = r["source"].lower()
        if source not in MAPPING_SOURCES:
            problems.append(
                ImportProblem(
                    line,
                    "source",
                    in_mapping(
                        Msg(
                            "importer.mapping.source",
                            allowed=", ".join(MAPPING_SOURCES),
                            value=r["source"],
                        )
                    ),
                )
            )
        if not r["source_indicator"]:
            problems.append(
                ImportProblem(line, "source_indicator", in_mapping(Msg("importer.mapping.source_indicator")))
            )
        gender = norm_gender(r["gender"])
        if gender not in ("total", "male", "female"):
            problems.append(
                ImportProblem(line, "gender", in_mapping(Msg("importer.mapping.gender", value=r["gender"])))
            )
        number = parse_number(r["indicator_id"])
        if number is None or not number.is_integer():
            problems.append(
                ImportProblem(
                    line, "indicator_id", in_mapping(Msg("importer.indicator_not_whole", value=r["indicator_id"]))
                )
            )
        if not re.fullmatch(r"[a-z0-9_]*", r["series_id"]):
            problems.append(
                ImportProblem(line, "series_id", in_mapping(Msg("importer.mapping.series_id", value=r["series_id"])))
            )
        if not re.fullmatch(r"[a-z0-9_]+", r["group_id"]):
            problems.append(
                ImportProblem(line, "group_id", in_mapping(Msg("importer.mapping.group_id", value=r["group_id"])))
            )
        area = r["area"].lower()
        if not AREA_RE.match(area):
            problems.append(ImportProblem(line, "area", in_mapping(Msg("importer.mapping.area", value=r["area"]))))
        if len(problems) > bad:
            continue
        indicator_id = int(number)  # type: ignore[arg-type]
        if ctx is not None:
            for col, msg in ctx.reference_problems(indicator_id, r["series_id"], r["group_id"]):
                problems.append(ImportProblem(line, col, in_mapping(msg)))
        key = (source, norm_source_key(r["source_indicator"]), norm_source_key(r["source_region"]), gender)
        if key in seen:
            problems.append(
                ImportProblem(line, "source_indicator", in_mapping(Msg("importer.mapping.repeated", first=seen[key])))
            )
            continue
        seen[key] = line
        out.append({**r, "source": source, "gender": gender, "indicator_id": indicator_id, "area": area, "_line": line})
    frame_out = pd.DataFrame(out, columns=[*MAPPING_COLUMNS, "_line"])
    return frame_out, problems


def load_mapping(path: Path | str | None = None, plan: Plan | None = None) -> pd.DataFrame:
    """Read and validate the Sotkanet mapping table (default data/sotkanet_mapping.csv); MappingError if invalid.

    Columns: source (sotkanet | esimerkki | ei_vastaa), source_indicator (Sotkanet name or code),
    source_region (name or code; empty = any region, mapped to ``area``), gender (empty / total /
    male / female), indicator_id, series_id, group_id, area, note. Names and codes are matched
    case-insensitively. Rows with source 'esimerkki' (examples) or 'ei_vastaa' (a plan indicator
    whose wording differs from Sotkanet's; the reason in ``note``) are never used.
    """
    path = Path(path) if path is not None else default_mapping_path()
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise MappingError([ImportProblem(None, None, Msg("importer.mapping.not_found", path=str(path)))]) from exc
    except UnicodeDecodeError as exc:
        raise MappingError([ImportProblem(None, None, Msg("importer.mapping.not_utf8", path=str(path)))]) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = list(reader)
    if not rows:
        raise MappingError([ImportProblem(None, None, Msg("importer.mapping.empty", path=str(path)))])
    header = [h.strip() for h in rows[0]]
    problems: list[ImportProblem] = []
    body = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) > len(header):
            problems.append(
                ImportProblem(
                    i,
                    None,
                    Msg("importer.mapping.problem", file=MAPPING_FILE, problem=Msg("importer.mapping.long_row")),
                )
            )
            continue
        body.append(r + [""] * (len(header) - len(r)))
    frame = pd.DataFrame(body, columns=header, dtype=object)
    mapping, more = validate_mapping(frame, plan)
    problems += more
    if problems:
        raise MappingError(problems)
    return mapping
