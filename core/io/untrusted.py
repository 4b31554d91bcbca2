"""Bounds on the work an uploaded zip or .xlsx can cause, checked before a parser sees it.

A zip's headers say how large a member is, but nothing makes them true: a 2 MB member that claims
1 KB can inflate to 2 GB. So members are inflated in chunks and counted as they come
(``read_member``), and an .xlsx is inflated once that way before openpyxl opens it
(``check_xlsx``). The same pass refuses what an honest spreadsheet never has:

- a DOCTYPE (entity declarations: billion laughs, external entities — OOXML has no DTDs), also
  in a part written in UTF-16 or UTF-32 (decoded first);
- a row wider than ``MAX_XLSX_COLUMNS``, or more than ``MAX_XLSX_CELLS`` cells (counted the way
  openpyxl pads rows: a lone cell in column XFD makes a row 16 384 wide), or more shared strings
  than that — reading such a sheet took openpyxl minutes;
- more than ``MAX_XLSX_UNZIPPED`` bytes unpacked in all, or a member whose content does not match
  its header (openpyxl reads some members whole, in one inflation as large as the data).

``XLSX_READ_SECONDS`` bounds the reading that follows (``Deadline``). Every refusal is a
``FileRefused`` carrying a catalogue message.
"""

from __future__ import annotations

import codecs
import io
import re
import time
import zipfile

from core.base.i18n import Msg

MAX_XLSX_UNZIPPED = 200 * 1024 * 1024  # all members of an .xlsx, unpacked
MAX_XLSX_MEMBERS = 10_000
MAX_XLSX_COLUMNS = 256  # the template has 9 columns, a backup sheet at most 17
MAX_XLSX_CELLS = 1_000_000  # 50 000 template rows are 450 000 cells
XLSX_READ_SECONDS = 60.0  # honest-shaped reading: 50 000 template rows took 20 s on a loaded 2-core machine
CHUNK = 1024 * 1024
_TAG_TAIL = 4096  # an unfinished tag at a chunk's end is kept for the next chunk, up to this length

_DOCTYPE = re.compile(rb"<!\s*(?i:doctype|entity)")
# a cell or row start tag, with an optional namespace prefix: <c r="B2" t="s">, <x:row r="1">
_CELL_OR_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?(c|row)(?=[\s/>])([^<>]{0,2000})")
_CELL_REF = re.compile(rb"""\br\s*=\s*["']\s*([A-Za-z]{1,3})\d""")
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?si(?=[\s/>])")


class FileRefused(ValueError):
    """An uploaded file refused before parsing; ``message`` is the catalogue message."""

    def __init__(self, message: Msg) -> None:
        super().__init__(str(message))
        self.message = message


class Deadline:
    """A time budget for reading one file: ``check()`` raises FileRefused once it is spent."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = XLSX_READ_SECONDS if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        """Refuse when the budget is spent."""
        if time.monotonic() > self.end:
            raise FileRefused(Msg("untrusted.too_slow", seconds=round(self.seconds)))


def _mb(n: int) -> int:
    return n // 1024 // 1024


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, inflated in chunks; FileRefused as soon as more than ``limit`` bytes come out."""
    out = bytearray()
    with zf.open(info) as f:
        while chunk := f.read(CHUNK):
            out += chunk
            if len(out) > limit:
                raise FileRefused(Msg("untrusted.unzipped_too_large", max=_mb(limit)))
    return bytes(out)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


class _SheetCounter:
    """Cells and row widths of XML streamed in chunks, counted as openpyxl would lay them out."""

    def __init__(self) -> None:
        self.cells = 0
        self.shared = 0
        self.row_width = 0
        self.column = 0

    def feed(self, text: bytes) -> None:
        for m in _CELL_OR_ROW.finditer(text):
            if m.group(1) == b"row":
                self.row_width = self.column = 0
                continue
            ref = _CELL_REF.search(m.group(2))
            self.column = _column_number(ref.group(1)) if ref else self.column + 1
            if self.column > MAX_XLSX_COLUMNS:
                raise FileRefused(Msg("untrusted.too_many_columns", max=MAX_XLSX_COLUMNS))
            if self.column > self.row_width:
                self.cells += self.column - self.row_width
                self.row_width = self.column
                if self.cells > MAX_XLSX_CELLS:
                    raise FileRefused(Msg("untrusted.too_many_cells", max=f"{MAX_XLSX_CELLS:,}".replace(",", " ")))
        self.shared += sum(1 for _ in _SHARED_STRING.finditer(text))
        if self.shared > MAX_XLSX_CELLS:
            raise FileRefused(Msg("untrusted.too_many_cells", max=f"{MAX_XLSX_CELLS:,}".replace(",", " ")))


def _wide_encoding(head: bytes) -> str | None:
    """The codec of XML in UTF-16 or UTF-32 (by its BOM, or '<' beside zero bytes), else None.

    Such a part (SharePoint writes customXml in UTF-16) is decoded before it is checked: a byte
    search would not see a DOCTYPE in it."""
    head = head.lstrip(b" \t\r\n")
    for prefix, codec in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"<\x00\x00\x00", "utf-32-le"),
        (b"\x00\x00\x00<", "utf-32-be"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
        (b"<\x00", "utf-16-le"),
        (b"\x00<", "utf-16-be"),
    ):
        if head.startswith(prefix):
            return codec
    return None


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, deadline: Deadline) -> int:
    """Inflate one member in chunks, checking it; return the bytes it took."""
    counter = _SheetCounter()
    total = 0
    tail = b""
    decoder = None
    first = True
    with zf.open(info) as f:
        while chunk := f.read(CHUNK):
            total += len(chunk)
            if total > budget:
                raise FileRefused(Msg("untrusted.unzipped_too_large", max=_mb(MAX_XLSX_UNZIPPED)))
            if first and (codec := _wide_encoding(chunk[:64])):
                decoder = codecs.getincrementaldecoder(codec)(errors="replace")
            first = False
            if decoder is not None:
                chunk = decoder.decode(chunk).encode("utf-8")
            text = tail + chunk
            cut = text.rfind(b"<")
            if cut < 0 or len(text) - cut > _TAG_TAIL:
                cut = len(text)
            body, tail = text[:cut], text[cut:]
            if _DOCTYPE.search(body):
                raise FileRefused(Msg("untrusted.xml_declarations"))
            counter.feed(body)
            deadline.check()
    if tail:
        if _DOCTYPE.search(tail):
            raise FileRefused(Msg("untrusted.xml_declarations"))
        counter.feed(tail)
    return total


def check_xlsx(content: bytes, deadline: Deadline | None = None) -> None:
    """Refuse an .xlsx whose unpacked size, XML declarations, row width or cell count is hostile.

    A file that is not a zip at all passes: openpyxl's own refusal says so.
    """
    deadline = deadline or Deadline()
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_XLSX_MEMBERS:
            raise FileRefused(Msg("untrusted.too_many_members", max=MAX_XLSX_MEMBERS))
        left = MAX_XLSX_UNZIPPED
        for info in infos:
            if info.is_dir():
                continue
            try:
                left -= _scan_member(zf, info, left, deadline)
            except FileRefused:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
                # damaged (e.g. a CRC that does not match: the header lied about the size), encrypted or
                # compressed in a way zipfile cannot read; openpyxl would inflate such a member whole
                raise FileRefused(Msg("untrusted.damaged", error=type(exc).__name__)) from None
