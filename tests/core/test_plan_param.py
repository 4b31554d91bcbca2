"""core.serving.urlstate.choose_plan: the plan a link names (?suunnitelma=), else the default with a notice."""

from __future__ import annotations

import pytest

from core.serving.urlstate import UNKNOWN_PLAN, choose_plan, parse_params

KNOWN = {"kymenlaakso-2020-2025", "kymenlaakso-2026-2029"}
DEFAULT = "kymenlaakso-2026-2029"


@pytest.mark.parametrize(
    ("params", "chosen", "noted"),
    [
        ({}, DEFAULT, None),  # no parameter: the default, nothing to say
        ({"suunnitelma": ""}, DEFAULT, None),
        ({"suunnitelma": "kymenlaakso-2020-2025"}, "kymenlaakso-2020-2025", None),
        ({"suunnitelma": ["kymenlaakso-2026-2029", "kymenlaakso-2020-2025"]}, "kymenlaakso-2020-2025", None),
        ({"suunnitelma": " kymenlaakso-2020-2025 "}, "kymenlaakso-2020-2025", None),
        ({"suunnitelma": "kuopio-2020-2025"}, DEFAULT, "kuopio-2020-2025"),
        ({"suunnitelma": "x" * 100}, DEFAULT, "x" * 40),  # shortened
    ],
)
def test_choose_plan(params, chosen, noted):
    plan_id, notice = choose_plan(params, KNOWN, DEFAULT)
    assert plan_id == chosen
    if noted is None:
        assert notice is None
    else:
        assert notice.value == noted and notice.reason == UNKNOWN_PLAN and notice.key == "notice.unknown_plan"


def test_the_other_parameters_leave_the_plan_to_choose_plan():
    view = parse_params({"suunnitelma": "anything", "ryhma": "lukio"}, {"group": {"lukio"}})
    assert view.values == {"group": "lukio"} and view.notices == []
