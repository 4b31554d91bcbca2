"""What an editor changed in a table, and what to show when someone else changed it first.

One set of rules for every edit flow (the measures grid, the evaluations and the vuosikello
tables): a value is compared after ``normalise`` (an empty cell is empty however a widget sends
it), a row is changed, added or deleted relative to the rows the user was *shown* (never the
current store, so someone else's save is not mistaken for this user's edit), and each changed
row carries, per changed field, the value the user started from (``base``) and the new one
(``mine``). The store merges per field (``merge_fields``): a field conflicts only when someone
else changed that same field meanwhile; different fields of one row both land.
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
    base: dict | None = None  # the changed fields as the user was shown them (what they started from)

    @property
    def mine(self) -> dict:
        """The changed fields only, with the user's new values: all a save may write."""
        return {f: self.values[f] for f in self.fields}

    @property
    def started_from(self) -> dict:
        """The changed fields as the user was shown them (empty when unknown)."""
        return {f: (self.base or {}).get(f) for f in self.fields}


@dataclass(frozen=True)
class RowDiff:
    """A table's edits: changed rows, added rows (values only) and deleted rows (key, version seen)."""

    changed: list[RowChange] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    deleted: list[tuple[str, int | None]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.changed) + len(self.added) + len(self.deleted)

    def keeping_mine(self, kept: Mapping[str, tuple[int | None, Mapping[str, object]]]) -> RowDiff:
        """The edits saved over what is stored now where the editor chose "keep mine".

        ``kept`` maps a row to (stored version, {field: stored value}): those fields start from the
        stored value, so the save writes the editor's value there and nowhere else.
        """

        def over(c: RowChange) -> RowChange:
            if c.key not in kept:
                return c
            version, stored = kept[c.key]
            return c._replace(version=version, base={**(c.base or {}), **stored})

        return replace(
            self,
            changed=[over(c) for c in self.changed],
            deleted=[(k, kept[k][0] if k in kept else v) for k, v in self.deleted],
        )

    def taking_theirs(self, taken: Mapping[str, Iterable[str]]) -> RowDiff:
        """The edits without the fields where the editor chose the stored value ("take theirs").

        ``taken`` maps a row to the fields given up; a row left without changed fields, or a
        removal (any entry), is dropped.
        """
        changed = []
        for c in self.changed:
            drop = set(taken.get(c.key, ()))
            fields = tuple(f for f in c.fields if f not in drop)
            if fields:
                changed.append(c._replace(fields=fields))
        return replace(self, changed=changed, deleted=[(k, v) for k, v in self.deleted if k not in taken])


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
            base = {f: normalise(seen.get(f)) for f in differ}
            changed.append(RowChange(k, values, version_of(seen.get(version)), differ, base))
    deleted = [(k, version_of(row.get(version))) for k, row in shown.items() if k not in kept]
    return RowDiff(changed, added, deleted)


class FieldClash(NamedTuple):
    """One field someone else changed meanwhile: what the editor started from, typed and found stored."""

    field: str
    base: object  # the value the editor started from
    mine: object  # the value the editor typed
    stored: object  # the value stored now (someone else's)
    by: str = ""  # who stored it, and when (from the history; empty if it does not say)
    at: str = ""


def changed_fields(base: Mapping[str, object], mine: Mapping[str, object], same: Same = same_value) -> dict:
    """The fields of ``mine`` whose value differs from ``base`` (what an editor really changed)."""
    return {f: v for f, v in mine.items() if not same(v, base.get(f), f)}


def merge_fields(
    base: Mapping[str, object],
    mine: Mapping[str, object],
    stored: Mapping[str, object],
    same: Same = same_value,
) -> tuple[dict, list[FieldClash]]:
    """Three-way merge of one row, per field: (fields to write, fields that clash).

    A field of ``mine`` that already holds the editor's value needs no write; one still as the
    editor found it (``stored`` == ``base``) takes the editor's value; one that someone else
    changed meanwhile (``stored`` differs from ``base`` and from ``mine``) clashes. A field
    without a base clashes unless it already holds the editor's value. Fields not in ``mine``
    are never written, whatever they hold.
    """
    write: dict = {}
    clashes: list[FieldClash] = []
    for f, new in mine.items():
        now = stored.get(f)
        if same(new, now, f):
            continue
        if f in base and same(base[f], now, f):
            write[f] = new
        else:
            clashes.append(FieldClash(f, base.get(f), new, now))
    return write, clashes


@dataclass(frozen=True)
class RowConflict:
    """One row where someone else changed what the user changed: just the clashing fields."""

    key: str
    clashes: tuple[FieldClash, ...]  # the fields that truly clash (empty for a removal)
    version: int  # the stored version: "keep mine" saves over this one
    by: str = ""  # who saved the row last, and when (empty if the store does not say)
    at: str = ""
    deleted: bool = False  # the user removed the row

    @property
    def stored(self) -> dict:
        """{field: stored value} of the clashing fields (what "keep mine" now starts from)."""
        return {c.field: c.stored for c in self.clashes}

    @property
    def fields(self) -> list[str]:
        """The clashing fields."""
        return [c.field for c in self.clashes]


def row_conflicts(conflicts: Iterable[Any]) -> list[RowConflict]:
    """The store's conflicts (``entity_id``, ``mine``, ``current``, ``current_version``, ``fields``) as the
    chooser shows them."""
    out = []
    for c in conflicts:
        current = dict(c.current or {})
        deleted = dict(c.mine or {}) == {"deleted": True}
        clashes = () if deleted else tuple(getattr(c, "fields", None) or ())
        by = next((x.by for x in clashes if x.by), "") or str(current.get("updated_by") or "")
        at = next((x.at for x in clashes if x.at), "") or str(current.get("updated_at") or "")
        out.append(RowConflict(str(c.entity_id), clashes, int(c.current_version), by, at, deleted))
    return out


def conflict_rows(conflict: RowConflict, fields: Sequence[str] = ()) -> list[FieldClash]:
    """The clashing fields of a row, in the order of ``fields`` then any others.

    Only fields the user changed and someone else changed too are there: a value the user never
    typed is never listed as theirs. A removed row lists nothing: the chooser says it was removed.
    """
    if conflict.deleted:
        return []
    rank = {f: i for i, f in enumerate(fields)}
    return sorted(conflict.clashes, key=lambda c: rank.get(c.field, len(rank)))
