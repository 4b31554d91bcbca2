"""The checks and limits of every edited value, beside the model: a measure's fields, an evaluation,
a vuosikello event, a final-evaluation conclusion. Each ``clean_*`` returns the values as they are
stored, or raises ``InvalidEdit`` naming the field; the store calls them before it writes, and a page
or the importer may call them to check a value early."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import pandas as pd

from core.base.cells import clean_control_chars
from core.base.errors import InvalidEdit
from core.base.rules import parse_yes_no
from core.base.text import strip_invisible
from core.plan.model import (
    MAX_CONTACT_LENGTH,
    MAX_TEXT_LENGTH,
    MEASURE_TEXT_FIELDS,
    MEASURE_YEAR_MAX,
    MEASURE_YEAR_MIN,
    MeasureStatus,
    RowKind,
)

MEASURE_EDITABLE = (*MEASURE_TEXT_FIELDS, "status", "start_year", "end_year", "permanent", "contact", "row_kind")
MAX_CONTACT = MAX_CONTACT_LENGTH  # the model's limit: one source for both
MAX_EVENT_TITLE = 200  # an event's title and owner
EVALUATION_SCALE = (1, 2, 3, 4)
CONCLUSION_FIELDS = ("worked", "did_not_work", "carry_on")


def _missing(raw: object) -> bool:
    return raw is None or (isinstance(raw, float) and pd.isna(raw))


def _plain_text(raw: object) -> str:
    return "" if _missing(raw) else str(raw).strip()


def name_text(raw: object, fld: str) -> str:
    """A field shown as a person's or a body's name (contact, evaluator, owner): its line breaks kept,
    invisible and direction characters removed (``core.base.text.strip_invisible``); InvalidEdit if that
    leaves nothing of a text that was not blank."""
    if _missing(raw):
        return ""
    typed = clean_control_chars(str(raw)).strip()
    text = strip_invisible(typed).strip()
    if typed and not text:
        raise InvalidEdit("store.name_invisible", fld)
    return text


def _long_text(raw: object, fld: str) -> str:
    """A free text of at most MAX_TEXT_LENGTH characters; \\v from Word and other controls become spaces
    (no .xlsx could hold them)."""
    text = clean_control_chars("" if _missing(raw) else str(raw)).strip()
    if len(text) > MAX_TEXT_LENGTH:
        raise InvalidEdit("store.too_long_count", fld, count=len(text), limit=MAX_TEXT_LENGTH)
    return text


def _int_or_none(value: object, fld: str) -> int | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError as exc:
        raise InvalidEdit("store.year_not_number", fld, value=value) from exc
    if number != int(number):
        raise InvalidEdit("store.year_not_whole", fld)
    return int(number)


def clean_measure_values(values: Mapping[str, object], current: Mapping[str, object] | None = None) -> dict:
    """Check and normalise edited measure fields; raise InvalidEdit naming the field."""
    out: dict[str, object] = {}
    for fld, raw in values.items():
        if fld not in MEASURE_EDITABLE:
            raise InvalidEdit("store.not_editable", fld, name=fld)
        if fld in MEASURE_TEXT_FIELDS:
            out[fld] = _long_text(raw, fld)
        elif fld == "contact":
            text = name_text(raw, fld)
            if len(text) > MAX_CONTACT:
                raise InvalidEdit("store.too_long", fld, limit=MAX_CONTACT)
            out[fld] = text
        elif fld == "status":
            text = _plain_text(raw)
            allowed = [s.value for s in MeasureStatus]
            if text not in allowed:
                raise InvalidEdit(
                    "store.not_allowed_values", fld, value=text, allowed=", ".join(a for a in allowed if a)
                )
            out[fld] = text
        elif fld == "row_kind":
            allowed = [k.value for k in RowKind]
            if str(raw) not in allowed:
                raise InvalidEdit("store.not_allowed", fld, value=raw)
            out[fld] = str(raw)
        elif fld in ("start_year", "end_year"):
            year = _int_or_none(raw, fld)
            if year is not None and not MEASURE_YEAR_MIN <= year <= MEASURE_YEAR_MAX:
                raise InvalidEdit("store.year_range", fld, value=year)
            out[fld] = year
        elif fld == "permanent":
            try:
                out[fld] = parse_yes_no(raw)  # the model's rule (core.base.rules)
            except ValueError as exc:
                raise InvalidEdit("store.not_allowed", fld, value=raw) from exc
    merged = {**(current or {}), **out}
    start, end = merged.get("start_year"), merged.get("end_year")
    if start is not None and end is not None and int(end) < int(start):
        raise InvalidEdit("store.end_before_start", "end_year")
    if merged.get("row_kind", "measure") == "measure" and "toimenpide" in out and not out["toimenpide"]:
        raise InvalidEdit("store.required", "toimenpide")
    return out


def clean_evaluation_values(values: Mapping[str, object]) -> dict:
    """Check an evaluation: rating 1–4 (or empty), comment ≤ 4000, evaluator, date YYYY-MM-DD."""
    out: dict[str, object] = {}
    for fld, raw in values.items():
        if fld == "rating":
            if raw in (None, "") or (isinstance(raw, float) and pd.isna(raw)):
                out[fld] = None
                continue
            try:
                rating = int(float(str(raw)))
            except ValueError as exc:
                raise InvalidEdit("store.rating_not_number", fld, value=raw) from exc
            if rating not in EVALUATION_SCALE:
                raise InvalidEdit("store.rating_range", fld, value=rating)
            out[fld] = rating
        elif fld in ("comment", "evaluator"):
            text = name_text(raw, fld) if fld == "evaluator" else _plain_text(raw)
            limit = MAX_TEXT_LENGTH if fld == "comment" else MAX_CONTACT
            if len(text) > limit:
                raise InvalidEdit("store.too_long", fld, limit=limit)
            out[fld] = text
        elif fld == "evaluated_on":
            text = "" if raw is None else str(raw).strip()[:10]
            if text:
                try:
                    datetime.strptime(text, "%Y-%m-%d")
                except ValueError as exc:
                    raise InvalidEdit("store.date_format", fld, value=text) from exc
            out[fld] = text
        else:
            raise InvalidEdit("store.not_editable", fld, name=fld)
    return out


def parse_months(raw: object) -> list[int]:
    """'3,4' or '3–4' or [3, 4] → [3, 4]; raises InvalidEdit for anything outside 1–12."""
    if isinstance(raw, (list, tuple)):
        parts = [str(x) for x in raw]
    else:
        text = str(raw or "").replace(" ", "")
        parts = []
        for chunk in text.replace(";", ",").split(","):
            if not chunk:
                continue
            if "-" in chunk or "–" in chunk:
                a, b = chunk.replace("–", "-").split("-", 1)
                if not (a.isdigit() and b.isdigit()):
                    raise InvalidEdit("store.months_numbers", "months", value=chunk)
                parts += [str(m) for m in range(int(a), int(b) + 1)]
            else:
                parts.append(chunk)
    months = []
    for p in parts:
        if not p.isdigit() or not 1 <= int(p) <= 12:
            raise InvalidEdit("store.months_numbers", "months", value=p)
        if int(p) not in months:
            months.append(int(p))
    if not months:
        raise InvalidEdit("store.required", "months")
    return sorted(months)


def clean_event_values(values: Mapping[str, object]) -> dict:
    """Check a vuosikello event: title required, months 1–12, lengths."""
    out: dict[str, object] = {}
    for fld, raw in values.items():
        if fld == "months":
            out[fld] = ",".join(str(m) for m in parse_months(raw))
        elif fld in ("title", "owner", "description"):
            text = name_text(raw, fld) if fld == "owner" else _plain_text(raw)
            limit = MAX_EVENT_TITLE if fld != "description" else MAX_TEXT_LENGTH
            if len(text) > limit:
                raise InvalidEdit("store.too_long", fld, limit=limit)
            out[fld] = text
        else:
            raise InvalidEdit("store.not_editable", fld, name=fld)
    if "title" in out and not out["title"]:
        raise InvalidEdit("store.required", "title")
    return out


def clean_conclusion_values(values: Mapping[str, object]) -> dict[str, str]:
    """Check the texts (only the three fields, each ≤ 4 000 characters); control characters become spaces."""
    out: dict[str, str] = {}
    for fld, raw in values.items():
        if fld not in CONCLUSION_FIELDS:
            raise InvalidEdit("store.not_editable", fld, name=fld)
        out[fld] = _long_text(raw, fld)
    return out


def lenient(clean: Callable[[Mapping[str, object]], dict], values: Mapping[str, object]) -> dict:
    """Each value as ``clean`` stores it, or as it is where ``clean`` refuses it (a base is only compared)."""
    out = {}
    for fld, value in values.items():
        try:
            out[fld] = clean({fld: value}).get(fld, value)
        except InvalidEdit:
            out[fld] = value
    return out
