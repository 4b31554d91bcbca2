"""Reading a backup (the workbook or the CSV zip) back to tables of text, refusing what is not one."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import yaml

from core.base.cells import XLSX_READ_ERRORS, restore_formula
from core.base.i18n import Msg
from core.io.exporter.tables import (
    ALL_FILES,
    FILE_COLUMNS,
    MAX_BACKUP_BYTES,
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_MEMBERS,
    OPTIONAL_FILES,
    PLAN_COLUMNS,
    REQUIRED_EXTRA_COLUMNS,
    SHEETS,
    BackupError,
    _frame,
    _meta_frame,
    _problem,
    _where,
    cell_text,
    xlsx_unescape,
)
from core.io.untrusted import Deadline, FileRefused, check_xlsx, read_member
from core.plan.loader import CSV_FILES, PLAN_META_FILE


def _check_size(content: bytes) -> None:
    """Refuse an empty or too large backup file."""
    if not content:
        raise BackupError(Msg("exporter.file.empty"))
    if len(content) > MAX_BACKUP_BYTES:
        raise BackupError(
            Msg("exporter.file.too_large", size=len(content) / 1024 / 1024, max=MAX_BACKUP_BYTES // 1024 // 1024)
        )


def _rows_to_frame(
    rows: list[list[str]], where: str | Msg, problems: list[Msg], first_line: int = 1
) -> pd.DataFrame | None:
    """Header + body rows (text) → DataFrame; blank rows dropped, short rows padded."""
    if not rows or all(c.strip() == "" for c in rows[0]):
        problems.append(_problem(where, Msg("exporter.table.no_header")))
        return None
    header = [c.replace("\ufeff", "").strip() for c in rows[0]]
    while header and header[-1] == "":
        header.pop()
    body: list[list[str]] = []
    for n, cells in enumerate(rows[1:], start=first_line + 1):
        if all(c.strip() == "" for c in cells):
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problems.append(_problem(_where(where, n), Msg("exporter.table.extra_cells")))
            continue
        cells = cells[: len(header)]
        body.append(cells + [""] * (len(header) - len(cells)))
    return _frame(body, header)


def _check_columns(tables: dict[str, pd.DataFrame], problems: list[Msg]) -> None:
    """Every table's columns are known and the required ones are there."""
    for name, frame in tables.items():
        header = [str(c) for c in frame.columns]
        if len(set(header)) != len(header):
            problems.append(_problem(name, Msg("exporter.table.repeated_column")))
        if name == PLAN_META_FILE:
            expected, required = PLAN_COLUMNS, tuple(PLAN_COLUMNS)
        elif name in CSV_FILES:
            model = CSV_FILES[name]
            expected = FILE_COLUMNS[name]
            required = tuple(n for n, f in model.model_fields.items() if f.is_required())
        else:
            expected, required = FILE_COLUMNS[name], REQUIRED_EXTRA_COLUMNS[name]
        for col in required:
            if col not in header:
                problems.append(_problem(name, Msg("exporter.table.required_column", column=col)))
        for col in header:
            if col not in expected:
                problems.append(
                    _problem(name, Msg("exporter.table.unknown_column", column=col, allowed=", ".join(expected)))
                )


def _xlsx_value_text(value: object) -> str:
    """A workbook cell as CSV text (escapes and the formula quote undone)."""
    if isinstance(value, str):
        return str(restore_formula(xlsx_unescape(value)))
    return cell_text(value)


def _sheet_rows(ws: object, sheet: str, problems: list[Msg], deadline: Deadline) -> list[list[str]]:
    """Every row of a read-only sheet as text, to its real end; a formula cell is a problem, never empty text."""
    ws.reset_dimensions()  # type: ignore[attr-defined]  # a stale dimension record would cut rows and columns
    rows: list[list[str]] = []
    for line, cells in enumerate(ws.iter_rows(), start=1):  # type: ignore[attr-defined]
        deadline.check()
        row = []
        for cell in cells:
            if getattr(cell, "data_type", None) == "f":
                column = getattr(cell, "column_letter", "?")
                problems.append(Msg("exporter.xlsx.formula", sheet=sheet, row=line, column=column))
                row.append("")
            else:
                row.append(_xlsx_value_text(cell.value))
        rows.append(row)
    return rows


def import_workbook(content: bytes) -> dict[str, pd.DataFrame]:
    """Read a workbook written by ``export_workbook`` back to ``{file name: DataFrame of text}``; BackupError if invalid."""
    from openpyxl import load_workbook

    _check_size(content)
    if not content.startswith(b"PK\x03\x04"):
        raise BackupError(Msg("exporter.xlsx.not_xlsx"))
    deadline = Deadline()
    try:
        check_xlsx(content, deadline)  # unpacked size, DTDs, row width and cells before openpyxl sees it
    except FileRefused as exc:
        raise BackupError(exc.message) from None
    try:
        # data_only=False: a formula cell is seen as one (its cached value may be missing, read as empty)
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except XLSX_READ_ERRORS as exc:  # incl. an XML ParseError (a SyntaxError)
        raise BackupError(Msg("exporter.xlsx.cannot_open", error=type(exc).__name__)) from None
    problems: list[Msg] = []
    tables: dict[str, pd.DataFrame] = {}
    try:
        try:
            sheetnames = wb.sheetnames
        except XLSX_READ_ERRORS as exc:
            raise BackupError(Msg("exporter.xlsx.cannot_open", error=type(exc).__name__)) from None
        for sheet, name in SHEETS.items():
            if sheet not in sheetnames:
                if name in OPTIONAL_FILES:
                    tables[name] = _frame([], FILE_COLUMNS[name])
                else:
                    problems.append(Msg("exporter.xlsx.sheet_missing", sheet=sheet, file=name))
                continue
            try:
                rows = _sheet_rows(wb[sheet], sheet, problems, deadline)
            except FileRefused as exc:
                raise BackupError(exc.message) from None
            except XLSX_READ_ERRORS as exc:  # a cell openpyxl cannot read (e.g. a number of 5,000 digits)
                problems.append(Msg("exporter.xlsx.sheet_unreadable", sheet=sheet, error=type(exc).__name__))
                continue
            frame = _rows_to_frame(rows, Msg("exporter.xlsx.sheet", sheet=sheet), problems)
            if frame is not None:
                tables[name] = frame
    finally:
        wb.close()
    _check_columns(tables, problems)
    if problems:
        raise BackupError(problems)
    return {name: tables[name] for name in ALL_FILES}


def import_csv_zip(content: bytes) -> dict[str, pd.DataFrame]:
    """Read a zip written by ``export_csv_zip`` (or a zipped data/ folder) to ``{file name: DataFrame of text}``."""
    _check_size(content)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise BackupError(Msg("exporter.zip.not_zip")) from exc
    problems: list[Msg] = []
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise BackupError(Msg("exporter.zip.too_many", n=len(infos), max=MAX_ZIP_MEMBERS))
        if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:  # what the headers claim; checked again below
            raise BackupError(Msg("exporter.zip.too_large", max=MAX_UNZIPPED_BYTES // 1024 // 1024))
        left = MAX_UNZIPPED_BYTES  # what really comes out, counted while inflating: headers can lie
        by_name: dict[str, list[zipfile.ZipInfo]] = {}
        for info in infos:
            base = info.filename.rsplit("/", 1)[-1]
            if base in ALL_FILES:
                by_name.setdefault(base, []).append(info)
        tables: dict[str, pd.DataFrame] = {}
        for name in ALL_FILES:
            found = by_name.get(name, [])
            if not found:
                if name in OPTIONAL_FILES:
                    tables[name] = _frame([], FILE_COLUMNS[name])
                else:
                    problems.append(Msg("exporter.zip.file_missing", file=name))
                continue
            if len(found) > 1:
                problems.append(Msg("exporter.zip.repeated", file=name, names=", ".join(i.filename for i in found)))
                continue
            try:
                raw = read_member(zf, found[0], left)
                left -= len(raw)
                text = raw.decode("utf-8-sig")
            except FileRefused:
                raise BackupError(Msg("exporter.zip.too_large", max=MAX_UNZIPPED_BYTES // 1024 // 1024)) from None
            except UnicodeDecodeError:
                problems.append(_problem(name, Msg("exporter.zip.not_utf8")))
                continue
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                problems.append(_problem(name, Msg("exporter.zip.cannot_unpack", error=type(exc).__name__)))
                continue
            if name == PLAN_META_FILE:
                try:
                    meta = yaml.safe_load(text)
                except (RecursionError, ValueError) as exc:  # nested too deep, a number too long
                    problems.append(_problem(name, Msg("exporter.zip.not_yaml", error=type(exc).__name__)))
                    continue
                except yaml.YAMLError as exc:
                    problems.append(_problem(name, Msg("exporter.zip.not_yaml", error=str(exc))))
                    continue
                if not isinstance(meta, dict):
                    problems.append(_problem(name, Msg("exporter.zip.not_mapping")))
                    continue
                tables[name] = _meta_frame(meta)
                continue
            try:
                rows = list(csv.reader(io.StringIO(text, newline="")))
            except csv.Error as exc:
                problems.append(_problem(name, Msg("exporter.zip.bad_csv", error=str(exc))))
                continue
            rows = [[str(restore_formula(c)) for c in cells] for cells in rows]
            frame = _rows_to_frame(rows, name, problems)
            if frame is not None:
                tables[name] = frame
    _check_columns(tables, problems)
    if problems:
        raise BackupError(problems)
    return {name: tables[name] for name in ALL_FILES}


def read_backup(content: bytes, filename: str) -> dict[str, pd.DataFrame]:
    """``import_workbook`` for .xlsx, ``import_csv_zip`` for .zip; BackupError for anything else."""
    lower = (filename or "").lower()
    if lower.endswith(".xlsx"):
        return import_workbook(content)
    if lower.endswith(".zip"):
        return import_csv_zip(content)
    raise BackupError(Msg("exporter.backup_type"))
