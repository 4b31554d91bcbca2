"""Export the whole working state (the plan's reference data and the store) and restore it again.

- ``export_workbook``: one .xlsx with one sheet per data/ file, in this order: ``plan`` (plan.yaml
  as key / value rows, each value written as YAML text), ``groups``, ``goals``, ``subgoals``,
  ``indicators``, ``series``, ``observations`` (from the store), ``subgoal_indicators``,
  ``actors``, ``measures`` (from the store, deleted ones left out, columns of
  ``core.plan.loader.columns_of(Measure)``), ``evaluations``, ``events`` and ``conclusions`` (the final
  evaluations' conclusions; from the store).
- ``export_csv_zip``: a zip of the same tables as CSV files in exactly the data/ format (UTF-8,
  written with the csv module, ``\\n`` line ends, columns of ``core.plan.loader.CSV_FILES``' models)
  plus plan.yaml, evaluations.csv, events.csv and conclusions.csv. Unzipped, it is a valid data/ folder.
- ``import_workbook`` / ``import_csv_zip``: back to ``{file name: DataFrame}`` where every cell
  is the text it has in the CSV files (both give identical tables for the same state).
- ``plan_from_tables`` validates them into a Plan (same checks as the data/ loader);
  ``restore_store`` fills an EMPTY store from them in one transaction.

Numbers are written to the workbook as numbers and text as text (never as formulas). A text
cell that a spreadsheet could run as a formula (starting with =, +, -, @, tab or CR) gets a
leading ``'`` in the workbook and in the CSV files (``core.base.cells.neutralise_formula``); reading
the app's own backup strips exactly that quote, and so does the data/ loader. Characters
that an .xlsx cannot hold (control characters, carriage returns) are written as Excel's
``_xHHHH_`` escapes and read back, so text survives the round trip unchanged.
Reading a workbook reads every row whatever its dimension record says, and refuses formula cells.
``csv_download`` / ``xlsx_download`` write any table for people (the Toimenpiteet downloads)
with the same formula neutralising; their .xlsx never fails on control characters.
Limits: ``MAX_BACKUP_BYTES`` for an imported file, ``MAX_UNZIPPED_BYTES`` for a zip's content.
A refusal is a ``BackupError`` whose problems are ``core.base.i18n.Msg``s (keys ``exporter.*``, and the
loader's own ``loader.*``):
Finnish text as strings, any language through ``text(lang)``.

The package, one module a concern (every public name is re-exported here, so
``from core.io.exporter import export_workbook`` and ``exporter.xlsx_download`` work as before):

- ``tables``: the files, columns and limits; ``BackupError``; cells as text, CSV text, .xlsx escapes;
- ``export``: ``export_tables``, ``export_workbook``, ``export_csv_zip``;
- ``downloads``: ``csv_download``, ``xlsx_download``;
- ``backup``: ``import_workbook``, ``import_csv_zip``, ``read_backup``;
- ``restore``: ``plan_from_tables``, ``restore_store``.
"""

from __future__ import annotations

from core.base.cells import XLSX_READ_ERRORS
from core.io.exporter.backup import import_csv_zip, import_workbook, read_backup
from core.io.exporter.downloads import csv_download, xlsx_download
from core.io.exporter.export import export_csv_zip, export_tables, export_workbook, tables_to_workbook, tables_to_zip
from core.io.exporter.restore import plan_from_tables, restore_store
from core.io.exporter.tables import (
    ALL_FILES,
    CONCLUSION_COLUMNS,
    CONCLUSIONS_FILE,
    EVALUATION_COLUMNS,
    EVALUATIONS_FILE,
    EVENT_COLUMNS,
    EVENTS_FILE,
    FILE_COLUMNS,
    MAX_BACKUP_BYTES,
    MAX_UNZIPPED_BYTES,
    MAX_XLSX_CELL,
    MAX_ZIP_MEMBERS,
    NUMERIC_COLUMNS,
    OPTIONAL_FILES,
    PLAN_COLUMNS,
    REQUIRED_EXTRA_COLUMNS,
    SHEETS,
    STORE_FILES,
    BackupError,
    cell_text,
    xlsx_escape,
    xlsx_unescape,
    yaml_text,
)

__all__ = [
    "MAX_BACKUP_BYTES",
    "MAX_UNZIPPED_BYTES",
    "MAX_ZIP_MEMBERS",
    "MAX_XLSX_CELL",
    "XLSX_READ_ERRORS",
    "EVALUATIONS_FILE",
    "EVENTS_FILE",
    "EVALUATION_COLUMNS",
    "EVENT_COLUMNS",
    "PLAN_COLUMNS",
    "FILE_COLUMNS",
    "ALL_FILES",
    "CONCLUSIONS_FILE",
    "CONCLUSION_COLUMNS",
    "SHEETS",
    "OPTIONAL_FILES",
    "REQUIRED_EXTRA_COLUMNS",
    "STORE_FILES",
    "BackupError",
    "NUMERIC_COLUMNS",
    "cell_text",
    "yaml_text",
    "xlsx_escape",
    "xlsx_unescape",
    "export_tables",
    "tables_to_workbook",
    "export_workbook",
    "tables_to_zip",
    "export_csv_zip",
    "csv_download",
    "xlsx_download",
    "import_workbook",
    "import_csv_zip",
    "read_backup",
    "plan_from_tables",
    "restore_store",
]
