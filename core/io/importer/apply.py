"""What applying a checked import would change (the preview), and applying it in one transaction."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import pandas as pd

from core.base.i18n import DEFAULT_LANG, key_part, t
from core.io.importer.results import (
    ADDED,
    CHANGED,
    CHUNK_SIZE,
    TEMPLATE_COLUMNS,
    UNCHANGED,
    ImportRefused,
    ImportResult,
)
from core.store import OBSERVATION_KEY, Editor, Store, require_editor

PREVIEW_COLUMNS = ["row", *TEMPLATE_COLUMNS, "old_value", "action", "changed_fields"]


def _key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns with the types the store uses (series '' not NaN)."""
    out = frame.copy()
    out["series_id"] = out["series_id"].fillna("").astype(str)
    out["indicator_id"] = out["indicator_id"].astype("int64")
    out["year"] = out["year"].astype("int64")
    out["group_id"] = out["group_id"].astype(str)
    out["area"] = out["area"].astype(str)
    return out


def preview(result: ImportResult, current: pd.DataFrame) -> pd.DataFrame:
    """What applying would do to ``current`` (the store's observations): action 'lisätään' / 'muuttuu' / 'ei muutosta'.

    Follows ``Store.upsert_observations``: a value that differs, or a non-empty text field
    (value_as_printed, flag, note) that differs, is a change; an empty text field keeps the old one.
    """
    if result.errors or result.rows.empty:
        return pd.DataFrame(columns=PREVIEW_COLUMNS)
    new = _key_frame(result.rows)
    new["row"] = result.source_rows if len(result.source_rows) == len(new) else range(2, len(new) + 2)
    key = list(OBSERVATION_KEY)
    wanted = [*key, "value", "value_as_printed", "flag", "note"]
    if current is None or current.empty:
        cur = pd.DataFrame(
            {
                "indicator_id": pd.Series(dtype="int64"),
                "series_id": pd.Series(dtype=object),
                "group_id": pd.Series(dtype=object),
                "area": pd.Series(dtype=object),
                "year": pd.Series(dtype="int64"),
                "value": pd.Series(dtype="float64"),
                "value_as_printed": pd.Series(dtype=object),
                "flag": pd.Series(dtype=object),
                "note": pd.Series(dtype=object),
            }
        )
    else:
        cur = _key_frame(current[wanted])
    cur = cur.rename(
        columns={"value": "old_value", "value_as_printed": "_old_printed", "flag": "_old_flag", "note": "_old_note"}
    )
    merged = new.merge(cur, on=key, how="left", indicator=True)
    actions: list[str] = []
    changed: list[str] = []
    for r in merged.to_dict("records"):
        if r["_merge"] == "left_only":
            actions.append(ADDED)
            changed.append("")
            continue
        diff = []
        if float(r["old_value"]) != float(r["value"]):
            diff.append("value")
        for col, old in (("value_as_printed", "_old_printed"), ("flag", "_old_flag"), ("note", "_old_note")):
            new_text = r[col] if isinstance(r[col], str) else ""
            old_text = r[old] if isinstance(r[old], str) else ""
            if new_text and new_text != old_text:
                diff.append(col)
        actions.append(CHANGED if diff else UNCHANGED)
        changed.append(", ".join(diff))
    merged["action"] = actions
    merged["changed_fields"] = changed
    merged["old_value"] = merged["old_value"].astype("float64")
    return merged[PREVIEW_COLUMNS].reset_index(drop=True)


def _plain(row: Mapping[str, object]) -> dict:
    """One row with plain Python types, as Store.upsert_observations expects."""
    return {
        "indicator_id": int(row["indicator_id"]),  # type: ignore[call-overload]
        "series_id": str(row["series_id"] or ""),
        "group_id": str(row["group_id"]),
        "area": str(row["area"]),
        "year": int(row["year"]),  # type: ignore[call-overload]
        "value": float(row["value"]),  # type: ignore[arg-type]
        **{
            k: (
                ""
                if row.get(k) is None or (isinstance(row.get(k), float) and math.isnan(row[k]))  # type: ignore[arg-type]
                else str(row[k])
            )
            for k in ("value_as_printed", "flag", "note")
        },
    }


def apply_import(
    store: Store,
    result: ImportResult,
    editor: Editor | None,
    progress: Callable[[float], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> dict[str, int]:
    """Write a checked import with ``Store.upsert_observations`` in chunks, all in ONE transaction.

    Calls ``progress(fraction)`` after each chunk (0 < fraction ≤ 1). Returns counts
    added / changed / unchanged. Raises ImportRefused for a refused file (nothing written) and
    rolls everything back if any chunk (or the progress callback) fails.
    """
    if result.errors:
        raise ImportRefused(result.errors)
    editor = require_editor(editor)
    rows = [_plain(r) for r in result.rows.to_dict("records")]
    totals = {"added": 0, "changed": 0, "unchanged": 0}
    if not rows:
        if progress:
            progress(1.0)
        return totals
    size = max(1, int(chunk_size))
    with store.transaction() as uow:
        for start in range(0, len(rows), size):
            counts = uow.upsert_observations(rows[start : start + size], editor)
            for k in totals:
                totals[k] += counts.get(k, 0)
            if progress:
                progress(min(1.0, (start + size) / len(rows)))
    return totals


def preview_counts(frame: pd.DataFrame) -> dict[str, int]:
    """How many rows of a ``preview()`` would be added, changed or stay unchanged."""
    counts = frame["action"].value_counts() if "action" in frame.columns else {}
    return {
        "added": int(counts.get(ADDED, 0)),
        "changed": int(counts.get(CHANGED, 0)),
        "same": int(counts.get(UNCHANGED, 0)),
    }


def preview_for_display(frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``preview()`` with the action in words and the added columns named for people, in ``lang``."""
    out = frame.copy()
    out["action"] = [t(f"importer.action.{key_part(a)}", lang) for a in out["action"]]
    return out.rename(
        columns={c: t(f"importer.preview.{c}", lang) for c in ("row", "old_value", "action", "changed_fields")}
    )
