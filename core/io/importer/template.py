"""The app's own template: the empty CSV and workbook to fill in, and the checks of a filled-in one."""

from __future__ import annotations

import csv
import io

from core.base.cells import xlsx_safe_text
from core.base.i18n import DEFAULT_LANG, Msg, t
from core.base.i18n import name as name_in
from core.io.importer.checks import _check_row, _col_label, _PlanIndex
from core.io.importer.parsing import _cell_text, _norm_header
from core.io.importer.results import (
    EXAMPLE_ROW,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    TEMPLATE_COLUMNS,
    TEMPLATE_SHEET,
    YEAR_MAX,
    YEAR_MIN,
    ImportProblem,
)
from core.io.importer.tables import _extra_cells_problem, _split_value_problem, _too_many_rows
from core.plan.model import Plan, Series


def template_csv(delimiter: str = ",") -> bytes:
    """An empty template CSV: UTF-8 with BOM (so Excel shows ä and ö), the header row only.

    No example row is included: every row of a CSV would be imported. The example is in
    ``template_xlsx()``'s second sheet, with each column's help (``importer.template.help.*``).
    """
    if delimiter not in (",", ";"):
        raise ValueError("Erottimen pitää olla pilkku tai puolipiste.")
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerow(TEMPLATE_COLUMNS)
    return buf.getvalue().encode("utf-8-sig")


def template_xlsx(plan: Plan | None = None, lang: str = DEFAULT_LANG) -> bytes:
    """An empty template workbook: sheet 'havainnot' (header only), a help sheet (columns and an example row).

    With a plan, a third sheet lists the valid indicators, series and groups. The help and its sheet
    names are in ``lang`` ('ohje' / 'tunnisteet' in Finnish); the data sheet and the column names
    are the same in every language, and only that first sheet is read when the file is imported.
    """

    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    ws.append(TEMPLATE_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(TEMPLATE_COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = max(12, len(col) + 4)
    ws.freeze_panes = "A2"

    help_ws = wb.create_sheet(t("importer.template.help_sheet", lang))
    help_ws.append([t("importer.template.intro", lang, sheet=TEMPLATE_SHEET)])
    help_ws.append([])
    help_ws.append(
        [
            t("importer.template.column", lang),
            t("importer.template.required", lang),
            t("importer.template.description", lang),
        ]
    )
    for col in TEMPLATE_COLUMNS:
        required = t("importer.template.yes" if col in REQUIRED_COLUMNS else "importer.template.no", lang)
        help_ws.append([col, required, t(f"importer.template.help.{col}", lang, low=YEAR_MIN, high=YEAR_MAX)])
    help_ws.append([])
    help_ws.append([t("importer.template.example", lang)])
    help_ws.append(TEMPLATE_COLUMNS)
    example = {**EXAMPLE_ROW, **({"area": plan.region_area} if plan is not None else {})}  # the plan's region
    help_ws.append([example[c] for c in TEMPLATE_COLUMNS])
    help_ws.column_dimensions["A"].width = 18
    help_ws.column_dimensions["C"].width = 90

    if plan is not None:
        ids = wb.create_sheet(t("importer.template.ids_sheet", lang))
        ids.append(["indicator_id", "series_id", t("importer.template.name", lang), t("importer.template.unit", lang)])
        series_of: dict[int, list[Series]] = {}
        for s in plan.series:
            series_of.setdefault(s.indicator_id, []).append(s)
        for ind in plan.indicators_in_order():
            ids.append([ind.indicator_id, "", xlsx_safe_text(name_in(ind, lang)), ind.unit.value])
            for s in series_of.get(ind.indicator_id, []):
                ids.append([ind.indicator_id, s.series_id, xlsx_safe_text(name_in(s, lang)), s.unit.value])
        ids.append([])
        ids.append(["group_id", t("importer.template.group", lang)])
        for g in plan.groups_in_order():
            ids.append([g.group_id, xlsx_safe_text(name_in(g, lang))])
        ids.append([])
        ids.append(["area", t("importer.template.area", lang)])
        ids.append([plan.region_area, xlsx_safe_text(plan.region or plan.region_area)])
        ids.append(["koko_maa", t("area.koko_maa", lang)])
        ids.append([t("importer.template.municipality_id", lang), t("importer.template.municipality", lang)])
        ids.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _parse_template(
    records: list[tuple[int, list[object]]], delim: str | None, ctx: _PlanIndex, errors: list[ImportProblem]
) -> list[tuple[int, dict]]:
    """Check the template header and every row; return (file row, clean row) pairs."""
    header_line, header_cells = records[0]
    names = [_norm_header(c) for c in header_cells]
    positions: dict[str, int] = {}
    blank_columns: list[int] = []
    for i, name in enumerate(names):
        if name == "":
            blank_columns.append(i)
        elif name not in TEMPLATE_COLUMNS:
            column = _cell_text(header_cells[i]).strip()
            errors.append(
                ImportProblem(
                    header_line,
                    column,
                    Msg("importer.column_unknown", column=column, allowed=", ".join(TEMPLATE_COLUMNS)),
                )
            )
        elif name in positions:
            errors.append(ImportProblem(header_line, name, Msg("importer.column_twice", column=name)))
        else:
            positions[name] = i
    for col in REQUIRED_COLUMNS:
        if col not in positions:
            errors.append(
                ImportProblem(header_line, col, Msg("importer.column_missing", column=col, label=_col_label(col)))
            )
    if errors:
        return []
    body = records[1:]
    if not body:
        errors.append(ImportProblem(None, None, Msg("importer.header_only")))
        return []
    if len(body) > MAX_ROWS:
        errors.append(_too_many_rows(len(body)))
        return []
    out: list[tuple[int, dict]] = []
    n_header = len(header_cells)
    for line, cells in body:
        texts = [_cell_text(c) for c in cells]
        if delim is not None and len(texts) == 1 < n_header and any(d in texts[0] for d in ";,\t|"):
            errors.append(ImportProblem(line, None, Msg("importer.row_one_cell", n_header=n_header, delim=delim)))
            continue
        extra = _extra_cells_problem(line, texts, n_header, delim, positions.get("value"), strict=delim is not None)
        if extra is None and delim == ",":
            extra = _split_value_problem(line, texts, positions)
        if extra is not None:
            errors.append(extra)
            continue
        for i in blank_columns:
            if i < len(cells) and _cell_text(cells[i]).strip():
                errors.append(
                    ImportProblem(
                        line, None, Msg("importer.unnamed_column", n=i + 1, value=_cell_text(cells[i]).strip())
                    )
                )
        values = {col: (cells[i] if i < len(cells) else None) for col, i in positions.items()}
        row = _check_row(values, line, ctx, errors, lambda c: c)
        if row is not None:
            out.append((line, row))
    return out
