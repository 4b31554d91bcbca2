"""What live sessions ask the store: a version that moves with every committed write, and who saved what."""

from __future__ import annotations

from core.store import Editor, MeasureEdit

ANNA, BEN = Editor("Anna"), Editor("Ben")


def _edit(store, who, text):
    m = store.measures().sort_values("measure_id").iloc[0]
    store.save_measure_edits([MeasureEdit(m["measure_id"], int(m["version"]), {"toimenpide": text})], who)
    return m["measure_id"]


def test_marker_moves_with_each_write_and_lists_who_saved_which_rows(store):
    version, top = store.live_marker()
    assert store.data_version() == version
    mid = _edit(store, ANNA, "Annan teksti")
    v2, top2 = store.live_marker()
    assert v2 > version and top2 > top
    _edit(store, BEN, "Benin teksti")
    since = store.changes_after(top)
    assert list(since["changed_by"]) == ["Anna", "Ben"]
    assert set(since["entity_id"]) == {mid}
    assert list(since["new_value"]) == ["Annan teksti", "Benin teksti"]
    assert store.changes_after(store.live_marker()[1]).empty


def test_marker_without_writes_stays_the_same(store):
    assert store.live_marker() == store.live_marker()
