"""Import new indicator values (observations) with a preview, from the app's template or Sotkanet.

Accepted files:

- the app's own template (``template_csv()`` / ``template_xlsx()``): CSV separated by commas or
  semicolons, UTF-8 with or without BOM, or Excel ``.xlsx`` (the sheet ``havainnot``, else the
  first sheet). Columns ``TEMPLATE_COLUMNS``; ``indicator_id, group_id, area, year, value`` are
  required, the others may be left out. A decimal comma is accepted wherever it is unambiguous
  (semicolon-separated files, quoted cells, Excel text cells);
- Sotkanet CSV exports: semicolon separated, decimal comma, columns such as
  ``Indikaattori;Alue;Vuosi;Sukupuoli;Arvo`` (or ``indicator, region, year, gender, value``; any
  case; other columns are ignored). The same columns in an .xlsx sheet are read too;
- Sotkanet JSON (the REST API's answer): a list of objects with the keys ``indicator, region,
  year, gender, value`` (other keys are ignored).

Sotkanet rows are turned into the plan's indicator / series / group / area by the mapping table
``data/sotkanet_mapping.csv`` (see ``load_mapping``). Only rows whose gender is total
(``total`` / ``yhteensä`` / empty) are imported, unless the mapping has a row for another gender.

Every row is checked. ANY problem refuses the whole file: ``ImportResult.rows`` is then empty and
``ImportResult.errors`` lists every problem in Finnish, with the row number as the user sees it
(the header is row 1; in JSON the object's position in the list, the first being 1).

Limits: ``MAX_FILE_BYTES`` (20 MB) and ``MAX_ROWS`` (50 000 data rows) per file; years
``YEAR_MIN``–``YEAR_MAX``; a JSON number of at most ``MAX_JSON_NUMBER`` characters. A file that
breaks a reader (JSON nested too deep, a CSV cell over the csv module's 131 072 characters, an
.xlsx cell openpyxl cannot convert) is refused with a message like any other problem; an .xlsx is
read to its real last row whatever its dimension record says. Applying goes through ``Store.upsert_observations`` in chunks of
``CHUNK_SIZE`` rows, all inside one transaction (``apply_import``).

The package, one module a concern (every public name is re-exported here, so
``from core.io.importer import parse_import`` and ``importer.parse_import`` work as before):

- ``results``: the limits and column names; ``ImportProblem``, ``ImportResult``, ``ImportRefused``, ``MappingError``;
- ``template``: the empty template (CSV, workbook) and the checks of a filled-in one;
- ``parsing``: small parsers of one cell (numbers, text, Sotkanet codes and genders);
- ``mapping``: the Sotkanet mapping table (``load_mapping``, ``validate_mapping``);
- ``checks``: the plan's ids and the checks of one row;
- ``tables``: reading a file into rows (UTF-8, CSV delimiter, .xlsx sheet) and its shape problems;
- ``sotkanet``: Sotkanet CSV/.xlsx/JSON rows mapped to the plan's ids;
- ``parse``: ``parse_import``, which recognises the file and puts the parts together;
- ``apply``: the preview and ``apply_import``.
"""

from __future__ import annotations

from core.base.cells import XLSX_READ_ERRORS
from core.io.importer.apply import PREVIEW_COLUMNS, apply_import, preview, preview_counts, preview_for_display
from core.io.importer.mapping import default_mapping_path, load_mapping, validate_mapping
from core.io.importer.parse import parse_import, parse_one_value
from core.io.importer.parsing import norm_gender, norm_source_key, parse_number
from core.io.importer.results import (
    ACTIONS,
    ADDED,
    CHANGED,
    CHUNK_SIZE,
    EXAMPLE_ROW,
    GENDER_WORDS,
    MAPPING_COLUMNS,
    MAPPING_FILE,
    MAPPING_SOURCES,
    MAX_ERRORS_LISTED,
    MAX_FILE_BYTES,
    MAX_JSON_NUMBER,
    MAX_ROWS,
    MAX_SHORT_TEXT,
    REQUIRED_COLUMNS,
    SOTKANET_ALIASES,
    SOTKANET_LABELS_FI,
    SOTKANET_REQUIRED,
    TEMPLATE_COLUMNS,
    TEMPLATE_SHEET,
    UNCHANGED,
    YEAR_MAX,
    YEAR_MIN,
    ImportProblem,
    ImportRefused,
    ImportResult,
    MappingError,
    problems_text,
)
from core.io.importer.template import template_csv, template_xlsx

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_ERRORS_LISTED",
    "YEAR_MIN",
    "YEAR_MAX",
    "CHUNK_SIZE",
    "MAX_SHORT_TEXT",
    "XLSX_READ_ERRORS",
    "MAX_JSON_NUMBER",
    "TEMPLATE_COLUMNS",
    "REQUIRED_COLUMNS",
    "TEMPLATE_SHEET",
    "MAPPING_FILE",
    "MAPPING_COLUMNS",
    "MAPPING_SOURCES",
    "ACTIONS",
    "ADDED",
    "CHANGED",
    "UNCHANGED",
    "EXAMPLE_ROW",
    "SOTKANET_ALIASES",
    "SOTKANET_REQUIRED",
    "SOTKANET_LABELS_FI",
    "GENDER_WORDS",
    "ImportProblem",
    "ImportResult",
    "ImportRefused",
    "MappingError",
    "problems_text",
    "template_csv",
    "template_xlsx",
    "parse_number",
    "norm_source_key",
    "norm_gender",
    "default_mapping_path",
    "validate_mapping",
    "load_mapping",
    "parse_import",
    "parse_one_value",
    "PREVIEW_COLUMNS",
    "preview",
    "apply_import",
    "preview_counts",
    "preview_for_display",
]
