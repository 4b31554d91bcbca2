"""Muutoshistoria as users read it: the grid's words, Finnish local time, no database ids.

The store's ``changes`` table speaks database (``entity`` "measure", ``field`` "contact", UTC ISO
times, "true"/"false"); these functions turn its rows into what the page and its revert list show.
"""

from __future__ import annotations

import pandas as pd

from core.base.i18n import CATALOGUE, DEFAULT_LANG, key_part, t
from core.base.text import NAME_FIELDS, clean_name, strip_invisible
from core.base.timefmt import local_time
from core.store.history import REVERTIBLE

COLUMNS = ["changed_at", "changed_by", "entity", "entity_id", "field", "old_value", "new_value", "action"]
BOOLEAN_FIELDS = {"permanent", "deleted"}


def _has(key: str) -> bool:
    return key in CATALOGUE[DEFAULT_LANG]


def entity_label(entity: object, lang: str) -> str:
    """ "Toimenpide" for "measure", "Vuosiarvio" for "evaluation"…; an unknown kind as it is."""
    key = f"history.entity.{entity}"
    return t(key, lang) if _has(key) else str(entity)


def field_label(field: object, lang: str) -> str:
    """The grid's column header for a measure field ("Vastuuhenkilö" for "contact"), else the field's word."""
    for key in (f"history.field.{'row' if field == '*' else field}", f"col.{field}", f"field.{field}"):
        if _has(key):
            return t(key, lang)
    return str(field)


def action_label(action: object, lang: str) -> str:
    """ "muutos", "peruttu", "lisätty", "poistettu", "palautettu"."""
    key = f"history.action.{action}"
    return t(key, lang) if _has(key) else str(action)


def value_text(field: object, value: object, lang: str) -> str:
    """A recorded value in words: yes/no for a flag, the status word, "" for nothing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = str(value)
    if field in NAME_FIELDS:  # a row saved before names were cleaned
        text = strip_invisible(text)
    if field in BOOLEAN_FIELDS and text in ("true", "false"):
        return t(f"history.value.{text}", lang)
    if field == "status" and _has(f"timeline.chart.status.{key_part(text)}"):
        return t(f"timeline.chart.status.{key_part(text)}", lang)
    if field == "*":  # a whole row (created): its JSON is for the database, not for people
        return t("history.value.row", lang)
    return text


def history_table(hist: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The changes as a table with translated headers, words and local times (no change ids)."""
    rows = [
        {
            "changed_at": local_time(r["changed_at"], lang),
            "changed_by": clean_name(r["changed_by"]),  # rows saved before names were cleaned too
            "entity": entity_label(r["entity"], lang),
            "entity_id": r["entity_id"],
            "field": field_label(r["field"], lang),
            "old_value": value_text(r["field"], r["old_value"], lang),
            "new_value": value_text(r["field"], r["new_value"], lang),
            "action": action_label(r["action"], lang),
        }
        for r in hist.to_dict("records")
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.rename(columns={c: t(f"history.col.{c}", lang) for c in COLUMNS})


def change_line(change: dict, lang: str) -> str:
    """One change in a line: "1.12.2026 klo 0.19 · hamina-II.2-1 · Tila: suunniteltu → käynnissä"."""
    fld = change["field"]
    return " · ".join(
        [
            local_time(change["changed_at"], lang),
            str(change["entity_id"]),
            f"{field_label(fld, lang)}: {value_text(fld, change['old_value'], lang) or '–'} → "
            f"{value_text(fld, change['new_value'], lang) or '–'}",
        ]
    )


def change_text(change: dict, lang: str) -> str:
    """One change as plain text for the printable list of a measure's history."""
    fld = change["field"]
    return (
        f"{local_time(change['changed_at'], lang)} {clean_name(change['changed_by'])}: {field_label(fld, lang)} — "
        f"{action_label(change['action'], lang)}\n"
        f"  {t('history.col.old_value', lang)}: {value_text(fld, change['old_value'], lang)}\n"
        f"  {t('history.col.new_value', lang)}: {value_text(fld, change['new_value'], lang)}"
    )


REVERTIBLE_ACTIONS = ("update", "revert")


def revertible(hist: pd.DataFrame) -> pd.DataFrame:
    """The changes the history page offers to undo: one field's update, or an earlier undo of one, of a
    kind of row the store can write back (``Store.revert_change``: not a plan's own rows); not a whole
    row's add, delete or restore (field "*")."""
    if hist.empty:
        return hist
    return hist[
        (hist["field"] != "*") & hist["action"].isin(REVERTIBLE_ACTIONS) & hist["entity"].isin(list(REVERTIBLE))
    ]


def of_plan(
    hist: pd.DataFrame, plan_id: str, measure_ids: set[str], event_ids: set[str], evaluation_ids: set[str]
) -> pd.DataFrame:
    """The changes that belong to one plan: its measures, events, evaluations and own rows (the plan,
    ``<plan id>/…`` goals, sub-goals and indicator choices), and the indicator values every plan shares."""
    if hist.empty:
        return hist
    entity = hist["entity"].astype(str)
    ident = hist["entity_id"].astype(str)
    keep = (
        ((entity == "measure") & ident.isin(measure_ids))
        | ((entity == "event") & ident.isin(event_ids))
        | ((entity == "evaluation") & ident.isin(evaluation_ids))
        | ((entity == "plan") & (ident == plan_id))
        | (entity.str.startswith("plan_") & ident.str.startswith(f"{plan_id}/"))
        | (entity == "observation")
    )
    return hist[keep]
