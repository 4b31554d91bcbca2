"""Reading an uploaded file into rows: UTF-8 text, CSV (delimiter sniffed) or an .xlsx sheet, and the header and row-shape problems."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from core.base.cells import XLSX_READ_ERRORS
from core.base.i18n import Msg
from core.io.importer.parsing import _cell_text, _is_blank, _norm_header, parse_number
from core.io.importer.results import (
    _SOTKANET_ONLY,
    _TEMPLATE_ONLY,
    MAX_ROWS,
    REQUIRED_COLUMNS,
    SOTKANET_ALIASES,
    TEMPLATE_COLUMNS,
    TEMPLATE_SHEET,
    ImportProblem,
)
from core.io.untrusted import Deadline, FileRefused, check_xlsx


def _decode(content: bytes) -> tuple[str | None, ImportProblem | None]:
    """UTF-8 text (BOM removed) or a Finnish problem; never guesses another encoding."""
    advice = Msg("importer.utf8_advice")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, ImportProblem(None, None, Msg("importer.utf16", advice=advice))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return None, ImportProblem(line, None, Msg("importer.not_utf8", line=line, advice=advice))
    if "\x00" in text:
        return None, ImportProblem(None, None, Msg("importer.binary"))
    return text, None


def _sniff_delimiter(first_line: str) -> tuple[str, list[str]]:
    """Pick ',' or ';' by the number of known column names (then of cells) in the header line."""
    best: tuple[tuple[int, int], str, list[str]] | None = None
    known = set(TEMPLATE_COLUMNS) | set(SOTKANET_ALIASES)
    for delim in (";", ","):
        cells = next(csv.reader([first_line], delimiter=delim))
        score = (sum(1 for c in cells if _norm_header(c) in known), len(cells))
        if best is None or score > best[0]:
            best = (score, delim, cells)
    assert best is not None
    return best[1], best[2]


def _one_column_problem(header_line: str) -> ImportProblem:
    """The wrong-delimiter message, naming the delimiter the file seems to use."""
    if "\t" in header_line:
        what: Msg | str = Msg("importer.one_column.tab")
    elif "|" in header_line:
        what = Msg("importer.one_column.pipe")
    else:
        what = ""
    shown = header_line if len(header_line) <= 60 else header_line[:57] + "…"
    return ImportProblem(1, None, Msg("importer.one_column", shown=shown, what=what))


def _split_number_hint(cells: list[str], prefer: int | None = None) -> str | None:
    """A '12,5' that a comma-separated row split into '12' and '5', if any (the value column first)."""
    starts = list(range(len(cells) - 1))
    if prefer is not None and 0 <= prefer < len(cells) - 1:
        starts.remove(prefer)
        starts.insert(0, prefer)
    for i in starts:
        a, b = cells[i], cells[i + 1]
        if re.fullmatch(r"\s*-?\d+\s*", a) and re.fullmatch(r"\d+\s*%?\s*", b):
            return f"{a.strip()},{b.strip()}"
    return None


def _read_csv_table(text: str) -> tuple[list[tuple[int, list[str]]], str, list[ImportProblem]]:
    """(row number, cells) of every non-blank record incl. the header, the delimiter, and problems."""
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    try:
        delim, header_cells = _sniff_delimiter(first)
    except csv.Error:  # e.g. a header cell longer than the csv module's field limit (131 072)
        return [], ",", [ImportProblem(1, None, Msg("importer.csv_unreadable"))]
    known = set(TEMPLATE_COLUMNS) | set(SOTKANET_ALIASES)
    if len(header_cells) == 1 and _norm_header(header_cells[0]) not in known:
        return [], delim, [_one_column_problem(first)]
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if _is_blank(cells):
                continue
            records.append((number, cells))
            if len(records) > MAX_ROWS + 1:
                break
    except csv.Error:
        line = number + 1
        return [], delim, [ImportProblem(line, None, Msg("importer.csv_unreadable"))]
    return records, delim, []


def _read_xlsx_table(content: bytes) -> tuple[list[tuple[int, list[object]]], list[ImportProblem]]:
    """(row number, cells) of every non-blank row of the data sheet incl. the header, and problems."""
    from openpyxl import load_workbook

    deadline = Deadline()
    try:
        check_xlsx(content, deadline)  # unpacked size, DTDs, row width and cells before openpyxl sees it
    except FileRefused as exc:
        return [], [ImportProblem(None, None, exc.message)]
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except XLSX_READ_ERRORS as exc:  # incl. an XML ParseError (a SyntaxError)
        return [], [ImportProblem(None, None, Msg("importer.xlsx_unreadable", error=type(exc).__name__))]
    try:
        records: list[tuple[int, list[object]]] = []
        blank_run = 0
        try:
            names = wb.sheetnames
            ws = wb[TEMPLATE_SHEET] if TEMPLATE_SHEET in names else wb.worksheets[0]
            ws.reset_dimensions()  # read to the sheet's real end: a stale dimension record would cut rows
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                deadline.check()
                cells = list(row)
                if _is_blank(cells):
                    blank_run += 1
                    if blank_run > 10_000:  # formatted but empty rows to the end of the sheet
                        break
                    continue
                blank_run = 0
                records.append((number, cells))
                if len(records) > MAX_ROWS + 1:
                    break
        except FileRefused as exc:
            return [], [ImportProblem(None, None, exc.message)]
        except XLSX_READ_ERRORS as exc:  # a cell openpyxl cannot read (e.g. a number of 5,000 digits)
            return [], [ImportProblem(None, None, Msg("importer.xlsx_unreadable", error=type(exc).__name__))]
    finally:
        wb.close()
    return records, []


def _too_many_rows(n_data: int) -> ImportProblem:
    """The row-limit message."""
    limit = f"{MAX_ROWS:,}".replace(",", " ")
    return ImportProblem(None, None, Msg("importer.too_many_rows", limit=limit))


def _looks_like_data(header: list[object]) -> bool:
    """Whether a 'header' holds numbers, i.e. the file has no header row."""
    return sum(1 for c in header if parse_number(c) is not None) >= 2


def _unrecognised_header(header: list[object]) -> ImportProblem:
    """The message for a header that is neither the template nor Sotkanet."""
    shown = ", ".join(f"'{_cell_text(c).strip()}'" for c in header[:8])
    if _looks_like_data(header):
        return ImportProblem(1, None, Msg("importer.header_is_data"))
    return ImportProblem(1, None, Msg("importer.header_unknown", shown=shown, columns=", ".join(TEMPLATE_COLUMNS)))


def _header_kind(header: list[object]) -> str | None:
    """'template', 'sotkanet' or None, by the column names found."""
    names = {_norm_header(c) for c in header}
    template = len(names & _TEMPLATE_ONLY)
    sotkanet = len(names & _SOTKANET_ONLY)
    if template and template >= sotkanet:
        return "template"
    if sotkanet:
        return "sotkanet"
    if names & set(REQUIRED_COLUMNS):  # e.g. only 'year' and 'value': a template with columns missing
        return "template"
    return None


_DECIMAL_ADVICE = Msg("importer.decimal_advice")


def _extra_cells_problem(
    line: int, cells: list[str], n_header: int, delim: str | None, value_index: int | None = None, strict: bool = False
) -> ImportProblem | None:
    """A row longer than the header: refused (strict: even if the extra cells are empty), with a decimal-comma hint."""
    extra = cells[n_header:]
    if not extra or (_is_blank(extra) and not strict):
        return None
    split = _split_number_hint([_cell_text(c) for c in cells], value_index) if delim == "," else None
    hint = (
        Msg("importer.extra_cells.decimal", number=split, advice=_DECIMAL_ADVICE)
        if split
        else Msg("importer.extra_cells.check")
    )
    return ImportProblem(line, None, Msg("importer.extra_cells", n=len(cells), n_header=n_header, hint=hint))


def _split_value_problem(line: int, cells: list[str], positions: Mapping[str, int]) -> ImportProblem | None:
    """A short comma-separated row where '88,5' became value '88' and a next text column '5'."""
    vi = positions["value"]
    following = [name for name, i in positions.items() if i == vi + 1]
    if not following or following[0] not in ("value_as_printed", "flag", "note") or vi + 1 >= len(cells):
        return None
    value, nxt = cells[vi].strip(), cells[vi + 1].strip()
    if not re.fullmatch(r"-?\d+", value) or not re.fullmatch(r"\d+\s*%?", nxt):
        return None
    if parse_number(nxt.rstrip("% ")) == parse_number(value):  # e.g. value 88, value_as_printed '88 %'
        return None
    return ImportProblem(line, "value", Msg("importer.split_value", value=value, next=nxt, advice=_DECIMAL_ADVICE))
