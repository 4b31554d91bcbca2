"""Workshop minutes: what changed during a working session, as rows and as CSV / Word documents.

The store records every change in ``changes`` with a UTC time (``core.store``); a workshop
thinks in Helsinki local time ("since 13.00", "today"). Everything here is pure: frames and
datetimes in, frames and bytes out.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from core.base.i18n import CATALOGUE, DEFAULT_LANG, t
from core.base.text import NAME_FIELDS, clean_name, strip_invisible

HELSINKI = ZoneInfo("Europe/Helsinki")
MAX_HOURS = 72  # "last N hours": a working session, not the whole history (Muutoshistoria has that)

# one row per recorded change, oldest first
COLUMNS = ["change_id", "when", "who", "entity", "actor", "subgoal", "target", "field", "old", "new"]
# cells a spreadsheet would read as a formula (or a DDE call) unless quoted
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Window:
    """A time window [start, end) as timezone-aware datetimes."""

    start: datetime
    end: datetime


class WindowError(ValueError):
    """A window the user asked for makes no sense (a catalogue key for the message)."""

    def __init__(self, key: str, **values: object):
        self.key, self.values = key, values
        super().__init__(key)

    def text(self, lang: str = DEFAULT_LANG) -> str:
        """The message in the user's language."""
        return t(self.key, lang, **self.values)


def _local(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(HELSINKI)


def _until(now: datetime) -> datetime:
    """The end of ``now``'s whole second: changes are stamped to the second, one stamped this second is inside."""
    return now.replace(microsecond=0) + timedelta(seconds=1)


def window_today(now: datetime) -> Window:
    """From local (Helsinki) midnight today until ``now``."""
    local = _local(now)
    return Window(datetime.combine(local.date(), time(0, 0), HELSINKI), _until(now))


def window_since(now: datetime, since: time) -> Window:
    """From ``since`` (local Helsinki time) today until ``now``; a time still ahead is refused."""
    local = _local(now)
    start = datetime.combine(local.date(), since.replace(tzinfo=None), HELSINKI)
    if start > local:
        raise WindowError("minutes.error.future", time=clock(start))
    return Window(start, _until(now))


def window_last_hours(now: datetime, hours: float) -> Window:
    """The last ``hours`` hours until ``now`` (1–MAX_HOURS)."""
    if not 0 < hours <= MAX_HOURS:
        raise WindowError("minutes.error.hours", max=MAX_HOURS)
    _local(now)
    return Window(now - timedelta(hours=hours), _until(now))


def clock(moment: datetime) -> str:
    """Local time of day as the Finns write it: '13.05'."""
    return _local(moment).strftime("%H.%M")


def local_text(moment: datetime, lang: str = DEFAULT_LANG) -> str:
    """A local date and time: '1.12.2026 13.05' (fi) or '2026-12-01 13:05' (en)."""
    local = _local(moment)
    if lang == "fi":
        return f"{local.day}.{local.month}.{local.year} {local:%H.%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def _day_text(moment: datetime, lang: str) -> str:
    local = _local(moment)
    return f"{local.day}.{local.month}.{local.year}" if lang == "fi" else f"{local:%Y-%m-%d}"


def minutes_title(window: Window, lang: str = DEFAULT_LANG) -> str:
    """'Työpajan muutokset 1.12.2026 klo 13.00–14.30' (both dates when the window spans midnight)."""
    start, end = _local(window.start), _local(window.end)
    if start.date() == end.date():
        return t("minutes.title", lang, date=_day_text(start, lang), start=clock(start), end=clock(end))
    return t(
        "minutes.title_span",
        lang,
        start_date=_day_text(start, lang),
        start=clock(start),
        end_date=_day_text(end, lang),
        end=clock(end),
    )


def _parse_utc(text: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _field_text(fld: str, action: str, lang: str) -> str:
    if fld == "*":
        return t("minutes.field.created", lang)
    if fld == "deleted":
        return t("minutes.field.deleted", lang)
    key = f"field.{fld}"
    label = t(key, lang) if key in CATALOGUE[DEFAULT_LANG] else fld
    return t("minutes.field.reverted", lang, field=label) if action == "revert" else label


def _value_text(fld: str, value: object, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if fld == "*":  # a created row is stored as JSON: its main text is what a reader needs
        try:
            row = json.loads(text)
        except ValueError:
            return text
        if isinstance(row, Mapping):
            return str(row.get("toimenpide") or row.get("title") or text)
        return text
    if text in ("true", "false"):
        return t(f"minutes.bool.{text}", lang)
    return strip_invisible(text) if fld in NAME_FIELDS else text  # a row saved before names were cleaned


def changes_between(
    changes: pd.DataFrame,
    start: datetime,
    end: datetime,
    lang: str = DEFAULT_LANG,
    measures: pd.DataFrame | None = None,
    evaluations: pd.DataFrame | None = None,
    actor_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The changes recorded in [start, end), oldest first, as readable rows (see COLUMNS).

    ``changes`` is the store's changes frame (``Store.history``); ``measures`` (with deleted
    ones) and ``evaluations`` let a row name its actor and sub-goal; ``actor_names`` gives
    actors by name. ``when`` is Helsinki local time, ``field`` is in the UI language.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if changes is None or changes.empty:
        return pd.DataFrame(columns=COLUMNS)
    where: dict[str, tuple[str, str]] = {}
    if measures is not None and not measures.empty:
        where = {
            str(m): (str(a), str(s))
            for m, a, s in measures[["measure_id", "actor_id", "subgoal_id"]].itertuples(index=False, name=None)
        }
    measure_of_eval: dict[str, str] = {}
    if evaluations is not None and not evaluations.empty:
        measure_of_eval = {
            str(i): str(m) for i, m in evaluations[["id", "measure_id"]].itertuples(index=False, name=None)
        }
    names = actor_names or {}
    rows = []
    for ch in changes.to_dict("records"):
        moment = _parse_utc(ch.get("changed_at"))
        if moment is None or not start <= moment < end:
            continue
        entity, entity_id, fld = str(ch["entity"]), str(ch["entity_id"]), str(ch["field"])
        measure_id = (
            entity_id if entity == "measure" else measure_of_eval.get(entity_id, "") if entity == "evaluation" else ""
        )
        actor_id, subgoal_id = where.get(measure_id, ("", ""))
        if measure_id and not actor_id and measure_id.count("-") >= 2:  # ids read actor-subgoal-seq
            actor_id, subgoal_id = measure_id.rsplit("-", 2)[:2]
        entity_key = f"minutes.entity.{entity}"
        rows.append(
            {
                "change_id": int(ch["change_id"]),
                "when": local_text(moment, lang),
                "who": clean_name(ch.get("changed_by")),  # rows saved before names were cleaned too
                "entity": t(entity_key, lang) if entity_key in CATALOGUE[DEFAULT_LANG] else entity,
                "actor": names.get(actor_id, actor_id),
                "subgoal": subgoal_id,
                "target": measure_id or entity_id,
                "field": _field_text(fld, str(ch.get("action") or ""), lang),
                "old": _value_text(fld, ch.get("old_value"), lang),
                "new": _value_text(fld, ch.get("new_value"), lang),
                "_at": moment,
            }
        )
    rows.sort(key=lambda r: (r["_at"], r["change_id"]))
    return pd.DataFrame([{k: r[k] for k in COLUMNS} for r in rows], columns=COLUMNS)


def headers(lang: str = DEFAULT_LANG) -> list[str]:
    """The column titles of the minutes in the UI language (without the change number)."""
    return [t(f"minutes.col.{c}", lang) for c in COLUMNS[1:]]


def formula_safe(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def minutes_csv(rows: pd.DataFrame, lang: str = DEFAULT_LANG) -> bytes:
    """The minutes as CSV: UTF-8 with a BOM (Excel reads the ä's), ';'-separated, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers(lang))
    for row in rows[COLUMNS[1:]].itertuples(index=False, name=None):
        writer.writerow([formula_safe(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def minutes_docx(rows: pd.DataFrame, window: Window, lang: str = DEFAULT_LANG) -> bytes:
    """The minutes as a Word document: the title, the window, and one table row per change."""
    from docx import Document  # noqa: PLC0415 - only the download needs it
    from docx.enum.section import WD_ORIENT  # noqa: PLC0415
    from docx.shared import Cm, Pt  # noqa: PLC0415

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE  # nine columns: landscape, narrow margins
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.add_heading(minutes_title(window, lang), level=1)
    doc.add_paragraph(t("minutes.doc.count", lang, n=len(rows)))
    if rows.empty:
        doc.add_paragraph(t("minutes.none", lang))
    else:
        table = doc.add_table(rows=1, cols=len(COLUMNS) - 1)
        table.style = "Table Grid"
        for cell, title in zip(table.rows[0].cells, headers(lang), strict=True):
            cell.text = title
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows[COLUMNS[1:]].itertuples(index=False, name=None):
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = _docx_text(value)
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = Pt(9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_text(value: object) -> str:
    """Text Word's XML can hold: control characters (other than tab and newline) dropped."""
    text = "" if value is None else str(value)
    return "".join(c for c in text if c in "\t\n" or ord(c) >= 32)
