"""Downloads for people: any table as CSV or .xlsx, formulas neutralised, never failing on what was typed."""

from __future__ import annotations

import io
import itertools
import math

import numpy as np
import pandas as pd

from core.base.cells import neutralise_formula, xlsx_display_text, xlsx_safe_text
from core.io.exporter.tables import MAX_XLSX_CELL, _csv_text, cell_text


def csv_download(frame: pd.DataFrame) -> bytes:
    """A table as CSV for a spreadsheet (UTF-8 with BOM), text cells that could run as formulas quoted."""
    rows = ([str(neutralise_formula(cell_text(v))) for v in rec] for rec in frame.itertuples(index=False, name=None))
    return _csv_text(itertools.chain([[str(c) for c in frame.columns]], rows)).encode("utf-8-sig")


def xlsx_download(frame: pd.DataFrame, sheet: str) -> bytes:
    """A table as an .xlsx: numbers as numbers, text always as text (quoted if it could run as a formula,
    control characters cleaned), so writing it never fails on what a user typed or pasted."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31])
    bold = Font(bold=True)
    header = []
    for c in frame.columns:
        cell = WriteOnlyCell(ws, value=xlsx_display_text(str(c)))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for rec in frame.itertuples(index=False, name=None):
        row: list[object] = []
        for value in rec:
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
                row.append(None)
            elif isinstance(value, (bool, np.bool_, int, np.integer, float, np.floating)):
                row.append(value.item() if isinstance(value, np.generic) else value)
            else:
                text = xlsx_safe_text(cell_text(value))[:MAX_XLSX_CELL]
                cell = WriteOnlyCell(ws, value=text)  # type: ignore[arg-type]
                cell.data_type = "s"  # never a formula
                row.append(cell)
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
