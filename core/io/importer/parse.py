"""``parse_import``: a file of new observations recognised, read and checked whole."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from core.base.cells import XLSX_READ_ERRORS
from core.base.i18n import Msg
from core.io.importer.checks import _PlanIndex
from core.io.importer.results import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    SOTKANET_LABELS_FI,
    TEMPLATE_COLUMNS,
    ImportProblem,
    ImportResult,
    _refused,
)
from core.io.importer.sotkanet import _map_sotkanet, _resolve_mapping, _sotkanet_from_json, _sotkanet_from_records
from core.io.importer.tables import (
    _decode,
    _header_kind,
    _read_csv_table,
    _read_xlsx_table,
    _too_many_rows,
    _unrecognised_header,
)
from core.io.importer.template import _parse_template
from core.plan.model import Plan
from core.store import OBSERVATION_KEY


def _finish(rows: list[tuple[int, dict]], errors: list[ImportProblem], kind: str, notes: list[Msg]) -> ImportResult:
    """Check duplicate keys and build the result (refused if any problem)."""
    if not errors:
        seen: dict[tuple, int] = {}
        for line, r in rows:
            key = tuple(r[k] for k in OBSERVATION_KEY)
            if key in seen:
                series = Msg("importer.duplicate.series", series=r["series_id"]) if r["series_id"] else ""
                errors.append(
                    ImportProblem(
                        line,
                        None,
                        Msg(
                            "importer.duplicate",
                            first=seen[key],
                            indicator=r["indicator_id"],
                            series=series,
                            group=r["group_id"],
                            area=r["area"],
                            year=r["year"],
                        ),
                    )
                )
            else:
                seen[key] = line
    if not errors and not rows:
        errors.append(ImportProblem(None, None, Msg("importer.no_rows")))
    if errors:
        return _refused(errors, kind, notes)
    frame = pd.DataFrame([r for _, r in rows], columns=TEMPLATE_COLUMNS)
    frame = frame.astype({"indicator_id": "int64", "year": "int64", "value": "float64"})
    return ImportResult(frame, [], kind, notes, [line for line, _ in rows])


def _parse_records(
    records: list[tuple[int, list[object]]],
    delim: str | None,
    ctx: _PlanIndex,
    mapping: pd.DataFrame | None,
    kind: str,
    template_kind: str,
    sotkanet_kind: str,
) -> ImportResult:
    """Check a read table (header first, CSV or xlsx) as the template or a Sotkanet file and build the result.

    ``kind`` names the file in a refusal before its header is recognised; ``template_kind`` /
    ``sotkanet_kind`` name it once the header says which it is. ``delim`` is None for xlsx.
    """
    errors: list[ImportProblem] = []
    notes: list[Msg] = []
    header = records[0][1]
    which = _header_kind(header)
    if which is None:
        return _refused([_unrecognised_header(header)], kind)
    if len(records) - 1 > MAX_ROWS:
        return _refused([_too_many_rows(len(records) - 1)], kind)
    if which == "sotkanet":
        kind = sotkanet_kind
        mapper = _resolve_mapping(mapping, errors)
        if mapper is None:
            return _refused(errors, kind)
        items, labels = _sotkanet_from_records(records, errors)
        rows = _map_sotkanet(items, mapper, ctx, errors, notes, labels) if not errors else []
    else:
        kind = template_kind
        rows = _parse_template(records, delim, ctx, errors)
    return _finish(rows, errors, kind, notes)


def parse_import(content: bytes, filename: str, plan: Plan, mapping: pd.DataFrame | None = None) -> ImportResult:
    """Read and check a file of new observations (template CSV/xlsx, Sotkanet CSV/JSON); refuse it whole on any problem.

    ``mapping`` is the Sotkanet mapping table (default: data/sotkanet_mapping.csv, read only for
    Sotkanet files). A file that breaks the reader in a way not foreseen is refused too, never a traceback.
    """
    try:
        return _parse_import(content, filename, plan, mapping)
    except (*XLSX_READ_ERRORS, RecursionError, csv.Error) as exc:  # XML ParseError (SyntaxError) and zip errors too
        return _refused([ImportProblem(None, None, Msg("importer.unreadable", error=type(exc).__name__))])


def parse_one_value(
    plan: Plan, indicator_id: int, series_id: str, group_id: str, area: str, year: int, value: str
) -> ImportResult:
    """One value typed into the Uudet tiedot form, checked exactly as a one-row template file
    ("lomake.csv") would be: the same checks, problems and preview as an upload."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["indicator_id", "series_id", "group_id", "area", "year", "value"])
    w.writerow([indicator_id, series_id, group_id, area, int(year), value])
    return parse_import(buf.getvalue().encode("utf-8"), "lomake.csv", plan)


def _parse_import(content: bytes, filename: str, plan: Plan, mapping: pd.DataFrame | None) -> ImportResult:
    """``parse_import`` without its last-resort refusal."""
    errors: list[ImportProblem] = []
    notes: list[Msg] = []
    suffix = Path(filename or "").suffix.lower()
    if content is None or len(content) == 0:
        return _refused([ImportProblem(None, None, Msg("importer.empty"))])
    if len(content) > MAX_FILE_BYTES:
        size = len(content) / 1024 / 1024
        return _refused(
            [
                ImportProblem(
                    None, None, Msg("importer.too_big", size=f"{size:.1f}", limit=MAX_FILE_BYTES // 1024 // 1024)
                )
            ]
        )
    is_zip = content.startswith(b"PK\x03\x04")
    ctx = _PlanIndex(plan)

    if suffix == ".xls":
        return _refused([ImportProblem(None, None, Msg("importer.xls"))])
    if suffix == ".xlsx":
        kind = "malli (Excel)"
        if not is_zip:
            return _refused([ImportProblem(None, None, Msg("importer.xlsx_not_zip"))], kind)
        records, problems = _read_xlsx_table(content)
        if problems:
            return _refused(problems, kind)
        if not records:
            return _refused([ImportProblem(None, None, Msg("importer.xlsx_empty"))], kind)
        return _parse_records(records, None, ctx, mapping, kind, kind, "Sotkanet (Excel)")

    if suffix in (".csv", ".txt"):
        if is_zip:
            return _refused([ImportProblem(None, None, Msg("importer.zip_as_csv", suffix=suffix))])
        text, problem = _decode(content)
        if problem is not None:
            return _refused([problem], "CSV")
        assert text is not None
        if not text.strip():
            return _refused([ImportProblem(None, None, Msg("importer.empty"))], "CSV")
        records_s, delim, problems = _read_csv_table(text)
        if problems:
            return _refused(problems, "CSV")
        records = [(n, list(c)) for n, c in records_s]
        template_kind = "malli (CSV, erotin " + ("puolipiste)" if delim == ";" else "pilkku)")
        return _parse_records(records, delim, ctx, mapping, "CSV", template_kind, "Sotkanet (CSV)")

    if suffix == ".json":
        kind = "Sotkanet (JSON)"
        text, problem = _decode(content)
        if problem is not None:
            return _refused([problem], kind)
        assert text is not None
        if not text.strip():
            return _refused([ImportProblem(None, None, Msg("importer.empty"))], kind)
        items = _sotkanet_from_json(text, errors)
        if errors:
            return _refused(errors, kind)
        mapper = _resolve_mapping(mapping, errors)
        if mapper is None:
            return _refused(errors, kind)
        labels = {role: role for role in SOTKANET_LABELS_FI}
        rows = _map_sotkanet(items, mapper, ctx, errors, notes, labels)
        return _finish(rows, errors, kind, notes)

    shown: Msg | str = suffix or Msg("importer.no_suffix")
    return _refused([ImportProblem(None, None, Msg("importer.file_type", suffix=shown))])
