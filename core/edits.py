"""What an editor changed in a table, and what to show when someone else changed it first.

One set of rules for every edit flow (the measures grid, the evaluations and the vuosikello
tables): a value is compared after ``normalise`` (an empty cell is empty however a widget sends
it), a row is changed, added or deleted relative to the rows the user was *shown* (never the
current store, so someone else's save is not mistaken for this user's edit), and each changed
row carries the version the user saw, so saving over a newer row is a conflict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, NamedTuple

import pandas as pd

Same = Callable[[object, object, str], bool]  # (after, before, field) -> unchanged?


def blank(value: object) -> bool:
    """Whether a cell is empty: None, NaN, pandas' NA/NaT, or text of only whitespace."""
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))  # NaN, pandas' NA and NaT, numpy's NaN


def normalise(value: object) -> object:
    """A cell as plain Python: blanks → None, whole floats → int, dates → ISO text, numpy scalars unwrapped."""
    if blank(value):
        return None
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()
    if isinstance(value, datetime):
        midnight = (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def same_value(a: object, b: object, fld: str = "") -> bool:
    """Whether two cells hold the same value (``3`` and ``"3"`` too: text columns send text)."""
    a, b = normalise(a), normalise(b)
    if a == b:
        return True
    if a is None or b is None or isinstance(a, bool) or isinstance(b, bool):
        return False
    return str(a) == str(b)


def version_of(value: object) -> int | None:
    """A row's version as an int, or None for a row without one."""
    value = normalise(value)
    return None if value is None else int(value)


class RowChange(NamedTuple):
    """One kept row whose values differ from what the user was shown."""

    key: str
    values: dict  # every field of the row (normalised), as the user left it
    version: int | None  # the version the user saw
    fields: tuple[str, ...]  # the fields that differ


@dataclass(frozen=True)
class RowDiff:
    """A table's edits: changed rows, added rows (values only) and deleted rows (key, version seen)."""

    changed: list[RowChange] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    deleted: list[tuple[str, int | None]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.changed) + len(self.added) + len(self.deleted)

    def with_versions(self, versions: Mapping[str, int | None]) -> RowDiff:
        """The same edits saved over the given versions (the editor chose "keep mine" for those rows)."""
        return replace(
            self,
            changed=[c._replace(version=versions.get(c.key, c.version)) for c in self.changed],
            deleted=[(k, versions.get(k, v)) for k, v in self.deleted],
        )

    def without(self, keys: Iterable[str]) -> RowDiff:
        """The edits but those of ``keys`` (the editor chose "take theirs" for those rows)."""
        drop = set(keys)
        return replace(
            self,
            changed=[c for c in self.changed if c.key not in drop],
            deleted=[(k, v) for k, v in self.deleted if k not in drop],
        )


def _key(value: object) -> str | None:
    value = normalise(value)
    return None if value is None else str(value)


def diff_rows(
    before: Iterable[Mapping[str, Any]],
    after: Iterable[Mapping[str, Any]],
    key: str,
    fields: Sequence[str],
    *,
    version: str = "version",
    same: Same = same_value,
) -> RowDiff:
    """What changed from the rows shown (``before``) to the rows returned (``after``).

    A row of ``after`` whose key is among ``before`` is changed when a field differs (a field
    missing from it counts as unchanged); a row without such a key is added unless all its
    fields are empty; a row of ``before`` missing from ``after`` is deleted. Rows keep the
    order of ``after``; deletions the order of ``before``.
    """
    shown: dict[str, Mapping[str, Any]] = {}
    for row in before:
        k = _key(row.get(key))
        if k is not None:
            shown[k] = row
    changed: list[RowChange] = []
    added: list[dict] = []
    kept: set[str] = set()
    for row in after:
        k = _key(row.get(key))
        seen = shown.get(k) if k is not None else None
        if seen is None:
            values = {f: normalise(row.get(f)) for f in fields}
            if any(v is not None for v in values.values()):
                added.append(values)
            continue
        kept.add(k)
        differ = tuple(f for f in fields if f in row and not same(row[f], seen.get(f), f))
        if differ:
            values = {f: normalise(row[f] if f in row else seen.get(f)) for f in fields}
            changed.append(RowChange(k, values, version_of(seen.get(version)), differ))
    deleted = [(k, version_of(row.get(version))) for k, row in shown.items() if k not in kept]
    return RowDiff(changed, added, deleted)


@dataclass(frozen=True)
class RowConflict:
    """One row someone else saved first: the user's values against the stored ones."""

    key: str
    mine: dict  # the values the user tried to save
    theirs: dict  # the stored values of the same fields
    version: int  # the stored version: "keep mine" saves over this one
    by: str = ""  # who saved it, and when (empty if the store does not say)
    at: str = ""
    deleted: bool = False  # the user removed the row


def row_conflicts(conflicts: Iterable[Any]) -> list[RowConflict]:
    """The store's conflicts (``entity_id``, ``mine``, ``current``, ``current_version``) as the chooser shows them."""
    out = []
    for c in conflicts:
        current = dict(c.current or {})
        deleted = dict(c.mine or {}) == {"deleted": True}
        mine = {} if deleted else dict(c.mine or {})
        out.append(
            RowConflict(
                key=str(c.entity_id),
                mine=mine,
                theirs={k: current.get(k) for k in mine},
                version=int(c.current_version),
                by=str(current.get("updated_by") or ""),
                at=str(current.get("updated_at") or ""),
                deleted=deleted,
            )
        )
    return out


def conflict_rows(conflict: RowConflict, fields: Sequence[str] = ()) -> list[tuple[str, object, object]]:
    """(field, mine, theirs) for the fields the user saved, in the order of ``fields`` then any others.

    Only fields whose values differ are listed, unless none do (then all are, so the row is never
    shown empty). A removed row lists nothing: the chooser says it was removed.
    """
    if conflict.deleted:
        return []
    order = [f for f in fields if f in conflict.mine] + [f for f in conflict.mine if f not in fields]
    rows = [(f, conflict.mine[f], conflict.theirs.get(f)) for f in order]
    differ = [r for r in rows if not same_value(r[1], r[2])]
    return differ or rows
