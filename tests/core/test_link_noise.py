"""Noise in links (issue #19, item 5): what a notice echoes is short and visible, and many are one count."""

from __future__ import annotations

import pytest

from core.base.i18n import t, tn
from core.serving.urlstate import MAX_NOTICES, MAX_SHOWN, Notice, parse_params, shown

CHOICES = {"lang": {"fi", "en"}, "group": {"lukio"}, "actors": {"kymsote"}}


@pytest.mark.parametrize(
    ("text", "echo"),
    [
        ("foo", "foo"),
        ("x" * MAX_SHOWN, "x" * MAX_SHOWN),
        ("x" * (MAX_SHOWN + 1), "x" * (MAX_SHOWN - 1) + "…"),
        ("A" * 100_000, "A" * (MAX_SHOWN - 1) + "…"),  # a 100 kB name filled the page
        ("\u202etoor", "toor"),  # a direction override would show it reversed
        ("ro\u200bska", "roska"),
        ("\u200b" * 100_000, "…"),
    ],
)
def test_echo_is_short_and_visible(text, echo):
    assert shown(text) == echo


def test_a_100_kb_name_is_one_short_notice():
    view = parse_params({"A" * 100_000: "B" * 100_000}, CHOICES)
    assert view.ignored == 1
    (notice,) = view.notices
    assert notice == Notice("A" * (MAX_SHOWN - 1) + "…", "B" * (MAX_SHOWN - 1) + "…", "param")
    assert len(t(notice.key, "fi", param=notice.param, value=notice.value)) < 200


def test_500_junk_parameters_are_counted_not_listed():
    params = {f"roska{i}": "x" for i in range(500)} | {"ryhma": "lukio", "toimija": "kymsote,kotka"}
    view = parse_params(params, CHOICES)
    assert view.values == {"group": "lukio", "actors": ["kymsote"]}  # the good parts still apply
    assert view.ignored == 501  # 500 names and one unknown actor
    assert [n.param for n in view.notices] == ["roska0", "roska1", "roska2"] and len(view.notices) == MAX_NOTICES
    text = tn("notice.many_params", view.ignored, "fi", examples="'roska0', 'roska1', 'roska2'")
    assert text == (
        "Linkistä ohitettiin 501 parametria tai arvoa, joita ei tunnistettu (ensimmäiset: 'roska0', 'roska1', 'roska2')."
    )
    assert tn("notice.many_params", 501, "en", examples="'a'").startswith("501 link parameters or values were not")


def test_a_few_notices_stay_one_each():
    view = parse_params({"foo": "1", "ryhma": "xyz"}, CHOICES)
    assert view.ignored == 2 and len(view.notices) == 2
