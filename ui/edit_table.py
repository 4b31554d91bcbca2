"""One edit flow for table-shaped data (evaluations, the vuosikello), and the conflict chooser
shared with the measures grid.

The rows the user edits stay as they were shown while there are unsaved edits, so a live update
(another session's save) never moves an edit onto another row, and a row someone else saved
meanwhile is merged per field; without unsaved edits the rows follow the store. A save sends, per
changed field, the value shown (the base) and the new one, in one transaction (``core.store.edits`` says
what changed); only a field someone else changed meanwhile is a conflict, and the chooser shows
just those fields, who changed them, and lets the editor keep theirs or the stored value.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.base.i18n import t
from core.base.text import md_escape
from core.base.timefmt import local_time
from core.store import ConflictError, StoreError
from core.store.edits import RowConflict, RowDiff, conflict_rows, diff_rows, normalise, row_conflicts
from ui import data

Shown = Callable[[str, object], str]  # (field, value) -> the value as the chooser shows it


def shown_value(_field: str, value: object) -> str:
    """A value as plain text: an empty cell shows empty."""
    value = normalise(value)
    return "" if value is None else str(value)


def conflict_chooser(
    conflicts: Sequence[RowConflict],
    labels: Mapping[str, str],
    lang: str,
    key: str,
    show: Shown = shown_value,
    names: Mapping[str, str] | None = None,
) -> tuple[int, str] | None:
    """Each conflicting row: just the fields that clash, mine vs the stored value and who stored it, and
    the two choices.

    ``labels`` names the fields (in the order shown). Returns (index of the row, "mine" or
    "theirs") when the editor chose for a row on this run, else None.
    """
    st.error(t("edit.conflict", lang))
    choice = None
    for i, c in enumerate(conflicts):
        title = f"**{md_escape(c.key)}**"
        if names and names.get(c.key):
            title += " " + md_escape(names[c.key])
        if c.by:
            title += " — " + t("edit.conflict_by", lang, by=md_escape(c.by), at=md_escape(local_time(c.at, lang)))
        st.markdown(title)
        if c.deleted:
            st.caption(t("edit.conflict_removed", lang))
        rows = conflict_rows(c, list(labels))
        if rows:
            table = pd.DataFrame(
                [
                    {
                        t("edit.field", lang): labels.get(x.field, x.field),
                        t("edit.mine", lang): show(x.field, x.mine),
                        t("edit.theirs", lang): show(x.field, x.stored),
                        t("edit.changed_by", lang): x.by,
                    }
                    for x in rows
                ]
            )
            st.table(table.set_index(t("edit.field", lang)))  # small; plain text, both values side by side
        k1, k2 = st.columns(2)
        if k1.button(t("edit.keep_mine", lang), key=f"{key}_mine_{i}"):
            choice = (i, "mine")
        if k2.button(t("edit.keep_theirs", lang), key=f"{key}_theirs_{i}"):
            choice = (i, "theirs")
    return choice


@dataclass(frozen=True)
class TableKeys:
    """Where a table keeps its state; ``prefix`` names its buttons (``{prefix}_save``, ``{prefix}_mine_0``…)."""

    prefix: str
    base: str  # (data version, rows shown)
    generation: str  # bumped for a fresh editor widget when fresh rows are shown
    editor: str  # the editor widget is f"{editor}_{generation}"

    @property
    def conflicts(self) -> str:
        return f"{self.base}_conflicts"

    @property
    def decided(self) -> str:
        return f"{self.base}_decided"

    @property
    def saved(self) -> str:
        return f"{self.base}_saved"

    @property
    def marked(self) -> str:
        return f"{self.base}_marked"


@dataclass(frozen=True)
class TableTexts:
    """Catalogue keys of a table's texts: the save button, its confirmation (a count ``n``) and the rest."""

    save: str
    saved: str
    nothing: str = "edit.nothing"
    changed_meanwhile: str = "edit.changed_meanwhile"


def steady(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns typed as text even while every cell is empty: a keyed table's identity includes its
    columns' types, so an empty column that first gets a value would re-create the table (scrolled to
    the top) instead of changing the cell in place. Date columns come typed from the page (datetime64)."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object and values.map(lambda v: v is None or isinstance(v, str) or v != v).all():
            out[col] = values.astype("string")
    return out


MARK_S = 8.0  # how long after a live update its changed cells stay marked (the note fades as long, ui/theme.py)
MARK_STYLE = "background-color: #fff3b0"  # the changed cells of a live update (the note's colour, ui/theme.py)


def changed_cells(before: pd.DataFrame, after: pd.DataFrame, row_key: str, fields: Sequence[str]) -> set:
    """(row key, field) of every cell of ``after`` that differs from ``before``; a new row: all its fields."""
    diff = diff_rows(before.to_dict("records"), after.to_dict("records"), row_key, fields)
    cells = {(c.key, f) for c in diff.changed for f in c.fields}
    known = {str(k) for k in before[row_key]}
    cells |= {(str(k), f) for k in after[row_key] if str(k) not in known for f in fields}
    return cells


def _marking(frame: pd.DataFrame, marked: set, row_key: str, names_column: str | None):
    """The rows as a Styler (always one: the table's identity includes its data's format), changed cells
    marked; Streamlit shows styles only in cells that cannot be edited, hence also ``names_column``."""
    rows = {k for k, _f in marked}
    keys = frame[row_key].astype(str)

    def column(values: pd.Series) -> list[str]:
        hit = [(k, values.name) in marked or (values.name == names_column and k in rows) for k in keys]
        return [MARK_STYLE if h else "" for h in hit]

    return frame.style.apply(column, axis=0)


def _note(marked: set, version: int, names: Mapping[str, str], lang: str) -> None:
    """Under the table, which rows others just changed; it fades (CSS in ui/theme.py, a fresh key per change)."""
    rows = list(dict.fromkeys(k for k, _f in sorted(marked)))
    if rows:
        shown = ", ".join(md_escape(str(names.get(k) or k))[:80] for k in rows[:6]) + (" …" if len(rows) > 6 else "")
        with st.container(key=f"live_note_{version}"):
            st.caption(t("edit.updated_live", lang, n=len(rows), rows=shown))


def edit_table(
    rows: Callable[[], pd.DataFrame],
    *,
    keys: TableKeys,
    texts: TableTexts,
    row_key: str,
    fields: Sequence[str],
    labels: Mapping[str, str],
    column_config: Mapping[str, object],
    save: Callable[[RowDiff], int],
    lang: str,
    editable: bool,
    add_and_delete: bool = False,
    disabled: Sequence[str] = (),
    show: Shown = shown_value,
    names: Callable[[pd.DataFrame], Mapping[str, str]] | None = None,
    column_order: Sequence[str] | None = None,
    row_height: int | None = None,
    names_column: str | None = None,
) -> None:
    """Draw ``rows()`` in an editable table with Save; ``save(diff)`` writes one transaction and returns a count.

    ``save`` raises ConflictError when rows changed meanwhile (the chooser follows) and StoreError
    for a refusal (shown in the user's language; the edits stay). Rows others changed are marked
    when the table follows the store: their changed cells (and ``names_column``, which an editor
    cannot edit, so the mark shows there too) and a note under the table that fades.
    """
    ss = st.session_state
    version = data.version()
    widget = f"{keys.editor}_{ss.get(keys.generation, 0)}"
    edits = ss.get(widget) or {}
    has_edits = any(edits.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))
    base = ss.get(keys.base)
    # a table that may grow (add and delete rows) is re-created by every change of its data, back at its
    # top: while it is open so, others' saves wait (said below) instead of moving it under the person
    adding = add_and_delete and editable and bool(ss.get(f"{keys.prefix}_rows"))
    # always in place, empty or not: a notice appearing above the table must not move it down a place
    # (Streamlit draws a table that changed places anew, back at its top)
    notice = st.empty()
    if base is None or (base[0] != version and not has_edits and not adding and not ss.get(keys.conflicts)):
        # the same editor widget (its key) with the fresh rows: a keyed table of fixed rows keeps its
        # identity while only values change, so a live update keeps its scroll position (issue #20)
        ss.pop(keys.decided, None)
        fresh = steady(rows())
        # what others changed since this session last drew the table (its own saves start afresh: no base)
        cells = set() if base is None else changed_cells(base[1], fresh, row_key, fields)
        ss[keys.marked] = (cells, time.monotonic())
        base = ss[keys.base] = (version, fresh)
    elif base[0] != version:
        notice.info(t("edit.changed_while_adding" if adding and not has_edits else texts.changed_meanwhile, lang))
    frame = base[1]
    # Rows are added and removed only when asked for: a keyed table of fixed rows keeps its identity (and
    # scroll position) while values change, one that may grow is re-created by every change of its data.
    dynamic = add_and_delete and editable and st.toggle(t("edit.add_and_delete", lang), key=f"{keys.prefix}_rows")
    cells, marked_at = ss.get(keys.marked) or (set(), 0.0)
    marked = cells if time.monotonic() - marked_at < MARK_S else set()  # a brief mark: gone at a later redraw
    edited = st.data_editor(
        _marking(frame, marked, row_key, names_column),
        key=widget,
        num_rows="dynamic" if dynamic else "fixed",
        hide_index=True,
        width="stretch",
        disabled=not editable or list(disabled),
        column_config=dict(column_config),
        column_order=column_order,
        row_height=row_height,
        placeholder="",  # an empty cell is empty, not the English "None"
    )
    _note(marked, base[0], {str(k): v for k, v in names(frame).items()} if names else {}, lang)
    if not editable:
        st.caption(t("edit.readonly_hint", lang))
        return

    def diff() -> RowDiff:
        decided = ss.get(keys.decided) or {"mine": {}, "theirs": {}}
        found = diff_rows(frame.to_dict("records"), edited.to_dict("records"), row_key, fields)
        return found.taking_theirs(decided["theirs"]).keeping_mine(decided["mine"])

    conflicts = ss.get(keys.conflicts)
    if conflicts:
        choice = conflict_chooser(conflicts, labels, lang, keys.prefix, show, names(frame) if names else None)
        if choice is not None:
            i, which = choice
            c = conflicts[i]
            decided = ss.setdefault(keys.decided, {"mine": {}, "theirs": {}})
            if which == "mine":  # the clashing fields start from the stored value: only mine are written
                decided["mine"][c.key] = (c.version, {**decided["mine"].get(c.key, (0, {}))[1], **c.stored})
            else:  # just those fields go back to the stored value; the row's other edits stay
                decided["theirs"][c.key] = [*decided["theirs"].get(c.key, []), *c.fields]
            ss[keys.conflicts] = rest = [c for j, c in enumerate(conflicts) if j != i]
            if rest:
                st.rerun()
            _save(diff(), save, keys, texts, lang, quiet=True)  # every row decided: save the rest at once
        else:
            return
    if st.button(t(texts.save, lang), key=f"{keys.prefix}_save", type="primary"):
        _save(diff(), save, keys, texts, lang)
    done = ss.pop(keys.saved, None)
    if done:
        st.success(done)


def _fresh_editor(keys: TableKeys) -> None:
    ss = st.session_state
    ss[keys.generation] = ss.get(keys.generation, 0) + 1
    for k in (keys.base, keys.conflicts, keys.decided):
        ss.pop(k, None)


def _save(
    diff: RowDiff, save: Callable[[RowDiff], int], keys: TableKeys, texts: TableTexts, lang: str, quiet: bool = False
) -> None:
    """One transaction; on success fresh rows and a confirmation, on a conflict the chooser, else the refusal."""
    ss = st.session_state
    if not len(diff):
        if quiet:  # the editor took the stored values of every conflicting row: show them
            _fresh_editor(keys)
            st.rerun()
        st.info(t(texts.nothing, lang))
        return
    try:
        n = save(diff)
    except ConflictError as exc:
        ss[keys.conflicts] = row_conflicts(exc.conflicts)
        st.rerun()
    except StoreError as exc:  # a refusal, or a store that cannot be written: the edits stay
        st.error(md_escape(exc.text(lang)))
        return
    data.clear()
    _fresh_editor(keys)
    ss[keys.saved] = t(texts.saved, lang, n=n)  # shown after the rerun, under the fresh rows
    st.rerun()
