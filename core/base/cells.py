"""Spreadsheet cell safety shared by every export and import: formula neutralising and control characters.

- ``neutralise_formula`` / ``restore_formula``: a text cell that a spreadsheet would run as a
  formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, as OWASP lists
  for CSV injection) gets a leading ``'`` on export; the app's own imports strip exactly that
  quote again. Plain numbers ("-1.5", "+3") are never touched. A text that already starts with
  quotes before such a character gets one more, so the round trip is exact for every text.
- ``clean_control_chars``: what the store keeps of a pasted text (vertical tab and form feed as a
  line break, other C0 control characters as a space; newline and tab stay).
- ``xlsx_display_text``: text for a human-facing .xlsx (control characters cleaned, Excel's
  ``_xHHHH_`` escapes written so they show literally), so a download never fails on them;
  ``xlsx_safe_text`` is that text quoted as well if it could run as a formula.
- ``XLSX_READ_ERRORS``: what reading an uploaded .xlsx can raise, for the importer and the backup.
"""

from __future__ import annotations

import re
import zipfile

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
_LINE_BREAK_CONTROLS_RE = re.compile("\r\n|[\r\x0b\x0c]")
_OTHER_CONTROLS_RE = re.compile("[\x00-\x08\x0e-\x1f]")
_NOTABLE_CONTROLS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]|\r(?!\n)")
_XLSX_ESCAPE_LIKE_RE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
# what openpyxl raises on a damaged sheet or a cell it cannot convert (XML ParseError is a SyntaxError)
XLSX_READ_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    OSError,
    SyntaxError,
    EOFError,
    zipfile.BadZipFile,
)


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (after any leading quotes)."""
    rest = text.lstrip("'")
    return rest.startswith(FORMULA_TRIGGERS) and not _NUMBER_RE.fullmatch(rest)


def neutralise_formula(value: object) -> object:
    """A text cell with a leading ``'`` if a spreadsheet could run it as a formula; other values as they are."""
    if isinstance(value, str) and needs_quote(value):
        return "'" + value
    return value


def restore_formula(value: object) -> object:
    """Undo ``neutralise_formula``: strip exactly the one quote it added."""
    if isinstance(value, str) and value.startswith("'") and needs_quote(value):
        return value[1:]
    return value


def clean_control_chars(text: str) -> str:
    """CR LF, CR, vertical tab and form feed → a line break; other C0 control characters (not tab) → a space."""
    return _OTHER_CONTROLS_RE.sub(" ", _LINE_BREAK_CONTROLS_RE.sub("\n", text))


def has_control_chars(text: str) -> bool:
    """Whether ``clean_control_chars`` changes more than Windows line ends (so the user can be told)."""
    return bool(_NOTABLE_CONTROLS_RE.search(text))


def xlsx_display_text(text: str) -> str:
    """Text an .xlsx can hold and Excel shows as written: controls cleaned, a literal '_xHHHH_' kept literal."""
    return _XLSX_ESCAPE_LIKE_RE.sub("_x005F_", clean_control_chars(text))


def xlsx_safe_text(text: str) -> str:
    """``xlsx_display_text`` that a spreadsheet never runs as a formula (openpyxl writes '=…' as one)."""
    return str(neutralise_formula(xlsx_display_text(text)))
