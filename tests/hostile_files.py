"""Small generators of hostile upload files (issue #19): nothing huge is committed, each is built in memory.

- ``xlsx_with_doctype(kind, part)``: a valid template workbook whose ``part`` (a sheet, the shared
  strings or the workbook) carries a billion-laughs (``"laughs"``) or an external-entity (``"xxe"``)
  declaration;
- ``xlsx_wide_rows(rows, cols)``: a sheet of ``rows`` × ``cols`` inline cells WITHOUT cell
  references (``<c>`` with no ``r=``), as in the issue: 300 × 16 384 is ~150 KB zipped;
- ``zip_lying_header(real_bytes, claimed)``: a backup .zip whose ``observations.csv`` member
  inflates to ``real_bytes`` while its headers claim ``claimed`` bytes (``xlsx_lying_header``: the
  same for an .xlsx's workbook part);
- ``xlsx_utf16_doctype()``, ``xlsx_far_cell()``: a DOCTYPE in UTF-16, a lone cell in column XFD.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)
_XXE = '<?xml version="1.0"?>\n<!DOCTYPE r [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
_ENTITY = {"laughs": "&lol9;", "xxe": "&xxe;"}

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_R_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
HEADER = ["indicator_id", "group_id", "area", "year", "value"]


def _workbook(prolog: str = "", sheet_name: str = "havainnot") -> str:
    return (
        prolog or '<?xml version="1.0" encoding="UTF-8"?>'
    ) + f'<workbook {_NS} {_R_NS}><sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'


def _shared_strings(prolog: str = "", entity: str = "") -> str:
    items = "".join(f"<si><t>{h}</t></si>" for h in HEADER) + (f"<si><t>{entity}</t></si>" if entity else "")
    return (prolog or '<?xml version="1.0" encoding="UTF-8"?>') + f"<sst {_NS}>{items}</sst>"


def _sheet(body: str, prolog: str = "") -> str:
    return (
        prolog or '<?xml version="1.0" encoding="UTF-8"?>'
    ) + f"<worksheet {_NS}><sheetData>{body}</sheetData></worksheet>"


def _header_row() -> str:
    return '<row r="1">' + "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADER))) + "</row>"


def _package(workbook: str, sheet: str, shared: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/sharedStrings.xml", shared)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def xlsx_with_doctype(kind: str, part: str = "sheet") -> bytes:
    """A template workbook with a billion-laughs ('laughs') or XXE ('xxe') DOCTYPE in ``part``."""
    prolog = _LAUGHS if kind == "laughs" else _XXE
    entity = _ENTITY[kind]
    row2 = f'<row r="2"><c r="A2" t="inlineStr"><is><t>{entity}</t></is></c></row>'
    if part == "sheet":
        return _package(_workbook(), _sheet(_header_row() + row2, prolog), _shared_strings())
    if part == "shared":
        return _package(_workbook(), _sheet(_header_row()), _shared_strings(prolog, entity))
    if part == "workbook":
        return _package(_workbook(prolog, sheet_name=entity), _sheet(_header_row()), _shared_strings())
    raise ValueError(part)


def xlsx_wide_rows(rows: int = 300, cols: int = 16_384) -> bytes:
    """A sheet of ``rows`` rows × ``cols`` inline number cells, none with a cell reference."""
    row = "<row>" + "<c><v>1</v></c>" * cols + "</row>"
    return _package(_workbook(), _sheet(_header_row() + row * rows), _shared_strings())


def _deflated_zeros(n: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b"0" * (1024 * 1024)
    parts = []
    while n > 0:
        parts.append(comp.compress(chunk[: min(n, len(chunk))]))
        n -= len(chunk)
    parts.append(comp.flush())
    return b"".join(parts)


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated data, CRC, size the headers claim), written by hand so the sizes can lie."""
    body = b""
    cd = b""
    for name, data, crc, claimed in members:
        raw = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), claimed, len(raw), 0)
        body += raw + data
        cd += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0,
            crc,
            len(data),
            claimed,
            len(raw),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        cd += raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd), len(body), 0)
    return body + cd + end


def _honest(name: str, text: str) -> tuple[str, bytes, int, int]:
    raw = text.encode()
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, comp.compress(raw) + comp.flush(), zlib.crc32(raw), len(raw)


def zip_lying_header(real_bytes: int = 2 * 1024**3, claimed: int = 1024) -> bytes:
    """A backup zip whose ``observations.csv`` inflates to ``real_bytes`` though its headers say ``claimed``.

    Built by hand: zipfile would write true sizes. The CRC is of nothing and never matches, but a
    reader that inflates the member in one go has used the memory before it gets to compare.
    """
    return _raw_zip([("observations.csv", _deflated_zeros(real_bytes), zlib.crc32(b""), claimed)])


def xlsx_lying_header(real_bytes: int = 2 * 1024**3, claimed: int = 1024) -> bytes:
    """A template workbook whose ``xl/workbook.xml`` inflates to ``real_bytes`` though its headers say ``claimed``."""
    return _raw_zip(
        [
            _honest("[Content_Types].xml", _CONTENT_TYPES),
            _honest("_rels/.rels", _ROOT_RELS),
            _honest("xl/_rels/workbook.xml.rels", _WB_RELS),
            ("xl/workbook.xml", _deflated_zeros(real_bytes), zlib.crc32(b""), claimed),
            _honest("xl/sharedStrings.xml", _shared_strings()),
            _honest("xl/worksheets/sheet1.xml", _sheet(_header_row())),
        ]
    )


def xlsx_utf16_doctype() -> bytes:
    """A template workbook whose sheet is UTF-16 XML with a billion-laughs DOCTYPE (invisible to a byte search)."""
    sheet = _sheet(_header_row(), _LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"'))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/workbook.xml", _workbook())
        z.writestr("xl/sharedStrings.xml", _shared_strings())
        z.writestr("xl/worksheets/sheet1.xml", sheet.encode("utf-16"))
    return buf.getvalue()


def xlsx_far_cell(column: str = "XFD") -> bytes:
    """A template workbook with one cell in ``column`` of row 2: openpyxl pads the row to that width."""
    row2 = f'<row r="2"><c r="{column}2"><v>1</v></c></row>'
    return _package(_workbook(), _sheet(_header_row() + row2), _shared_strings())
