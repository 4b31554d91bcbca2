"""What a measures grid sends back: the user's changes added to the pending (unsaved) edits, each field
with the value it started from, and the row the user clicked."""

from __future__ import annotations

import pandas as pd

from core.base.rules import is_yes
from core.store.edits import diff_rows, normalise, same_value, version_of
from ui.grid_columns import EDITABLE


def nodes_frame(component_value: object) -> pd.DataFrame | None:
    """The rows a grid component last reported (its raw session-state value), or None."""
    if not isinstance(component_value, dict):
        return None
    nodes = component_value.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        return None
    return pd.DataFrame([n.get("data", {}) for n in nodes if isinstance(n, dict) and not n.get("group")])


def _same(a: object, b: object, fld: str) -> bool:
    """Whether a grid cell is unchanged: the shared rule (core.store.edits), a yes/no and a whole year read as such."""
    if fld == "permanent":
        return is_yes(normalise(a)) == is_yes(normalise(b))
    a, b = normalise(a), normalise(b)
    if fld in ("start_year", "end_year") and a is not None and b is not None:
        try:
            return int(float(a)) == int(float(b))
        except (TypeError, ValueError):
            return str(a) == str(b)
    return same_value(a, b)


def collect_edits(
    shown: pd.DataFrame, returned: pd.DataFrame | None, pending: dict, older: tuple[pd.DataFrame, ...] = ()
) -> dict:
    """Add to ``pending`` what the user changed in the grid relative to what it was shown.

    Comparing with the *shown* rows (not the current store) means a value someone else saved
    meanwhile is never mistaken for this user's edit. Each field keeps the value it was first shown
    with (``base``): the store merges per field against it, so only a field someone else changed
    too is a conflict. Rows the grid did not show, or did not send back, are no edits here
    (measures are added and removed with their own forms). A grid keeps its rows while others' saves
    arrive (keep_place), so a row it sends back may still be one it was shown earlier: ``older`` are
    the frames it showed before, and such a row is compared with the one of its own version (else a
    value saved meanwhile by someone else would look like this user's change back).
    """
    if returned is None or returned.empty or "measure_id" not in returned.columns:
        return pending
    # plain dicts: this runs on every rerun
    after = returned.to_dict("records")
    before = _shown_rows(shown.to_dict("records"), after, older)
    diff = diff_rows(before, after, "measure_id", EDITABLE, same=_same)
    for change in diff.changed:
        entry = pending.setdefault(change.key, {"version": change.version, "values": {}, "base": {}})
        base = entry.setdefault("base", {})
        for fld in change.fields:
            value, started = change.values[fld], change.started_from[fld]
            if fld == "permanent":
                value, started = is_yes(value), is_yes(started)
            if fld not in entry["values"]:  # the first edit of a field: the grid showed the stored value
                base[fld] = started
            if fld in base and _same(value, base[fld], fld):  # typed back as it was: no edit left to save
                entry["values"].pop(fld, None)
                base.pop(fld)
                continue
            entry["values"][fld] = "" if value is None and fld not in ("start_year", "end_year") else value
        if not entry["values"]:
            del pending[change.key]
    return pending


def _shown_rows(shown: list[dict], returned: list[dict], older: tuple[pd.DataFrame, ...]) -> list[dict]:
    """``shown`` with each row the grid sent back from an older version replaced by that older row."""
    if not older:
        return shown
    by_id = {str(r.get("measure_id")): r for r in shown}
    for row in returned:
        mid = str(row.get("measure_id"))
        now = by_id.get(mid)
        if now is None or version_of(now.get("version")) == version_of(row.get("version")):
            continue
        for frame in older:
            hit = frame[frame["measure_id"] == mid]
            if len(hit) and version_of(hit.iloc[0]["version"]) == version_of(row.get("version")):
                by_id[mid] = hit.iloc[0].to_dict()
                break
    return list(by_id.values())


def selected_id(component_value: object) -> str | None:
    """The measure of the row the user clicked in the grid (its selected node), if any."""
    if not isinstance(component_value, dict):
        return None
    for node in component_value.get("nodes") or []:
        if isinstance(node, dict) and node.get("isSelected") and isinstance(node.get("data"), dict):
            mid = node["data"].get("measure_id")
            return str(mid) if mid else None
    return None
