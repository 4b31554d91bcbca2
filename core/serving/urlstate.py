"""Filters in the URL: parse query parameters into a view, and write a view back.

A link a colleague sends opens the same page with the same filters; a stale or nonsense
parameter is dropped with a notice, never an error. What a notice echoes is cut to
``MAX_SHOWN`` characters with invisible and direction characters removed (a 100 kB name once filled
the page), and only the first ``MAX_NOTICES`` get a notice of their own: ``UrlView.ignored``
counts them all, so a link of 500 junk parameters gives one sentence, not 500 boxes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from core.base.text import clean_name

VIEW_PARAM = "nakyma"  # the open view (tab) of a page with views

# parameter name in the URL → state key
PARAMS = {
    "lang": "lang",
    "ryhma": "group",
    "toimija": "actors",
    "valitavoite": "subgoal",
    "tavoite": "goal",
    "luokka": "category",
    "indikaattori": "indicator",
    "haku": "search",
    "vuosi": "year",
    VIEW_PARAM: "view",
    "suunnitelma": "plan",  # the plan shown (resolved first, by choose_plan: the other choices come from it)
}
PLAN_PARAM = "suunnitelma"
MULTI = {"actors"}
MAX_SEARCH = 200
MAX_SHOWN = 40  # characters of a parameter's name or value echoed in a notice
MAX_NOTICES = 3  # notices of their own; more ignored parameters are one summary


UNKNOWN_PARAM = "param"  # the parameter's name is not one of ours
BAD_VALUE = "value"  # a known parameter with a value that names nothing (?ryhma=xyz)
UNKNOWN_PLAN = "plan"  # ?suunnitelma= names no plan of the store: the default plan opens instead


class Notice(NamedTuple):
    """A part of a link that was ignored: the parameter, its value (cut short) and why."""

    param: str
    value: str
    reason: str

    @property
    def key(self) -> str:
        """The catalogue key of the message: an unknown parameter, or an unknown value of a known one."""
        return {BAD_VALUE: "notice.bad_value", UNKNOWN_PLAN: "notice.unknown_plan"}.get(self.reason, "notice.bad_param")


@dataclass
class UrlView:
    """The view a URL asks for, and notices about the parts that were ignored."""

    values: dict[str, object] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)  # the first MAX_NOTICES
    ignored: int = 0  # every ignored parameter or value, including those beyond ``notices``

    def note(self, param: str, value: str, reason: str) -> None:
        """Count an ignored part; keep a shortened notice for the first few."""
        self.ignored += 1
        if len(self.notices) < MAX_NOTICES:
            self.notices.append(Notice(shown(param), shown(value), reason))


def shown(text: str) -> str:
    """``text`` as a notice echoes it: visible characters only, at most MAX_SHOWN, '…' where cut."""
    clean = clean_name(text[: MAX_SHOWN * 4], limit=MAX_SHOWN * 4)
    return clean if len(clean) <= MAX_SHOWN and len(text) <= MAX_SHOWN * 4 else clean[: MAX_SHOWN - 1] + "…"


def parse_params(params: Mapping[str, object], choices: Mapping[str, set[str]]) -> UrlView:
    """Validate query parameters against the allowed ``choices`` per state key.

    ``choices`` lists allowed values for keys with a closed set (lang, group, actors…);
    keys not in ``choices`` (search) are free text, trimmed to a safe length.
    """
    view = UrlView()
    for raw_name, raw_value in params.items():
        if raw_name == PLAN_PARAM:  # chosen before the rest (choose_plan): the other choices depend on it
            continue
        value = raw_value[-1] if isinstance(raw_value, list) and raw_value else raw_value
        value = "" if value is None else str(value)
        key = PARAMS.get(raw_name)
        if key is None:
            view.note(raw_name, value, UNKNOWN_PARAM)
            continue
        if key in MULTI:
            items = [v for v in (s.strip() for s in value.split(",")) if v]
            good = [v for v in items if v in choices.get(key, set())]
            bad = [v for v in items if v not in choices.get(key, set())]
            if bad:
                view.note(raw_name, ",".join(bad), BAD_VALUE)
            if good:
                view.values[key] = list(dict.fromkeys(good))
            continue
        if key in choices:
            if value in choices[key]:
                view.values[key] = value
            else:
                view.note(raw_name, value, BAD_VALUE)
            continue
        view.values[key] = value[:MAX_SEARCH]
    return view


def to_params(values: Mapping[str, object], defaults: Mapping[str, object]) -> dict[str, str]:
    """Query parameters for a view, leaving out values equal to their default."""
    reverse = {v: k for k, v in PARAMS.items()}
    out: dict[str, str] = {}
    for key, value in values.items():
        if key not in reverse or value in (None, "", [], ()) or value == defaults.get(key):
            continue
        out[reverse[key]] = ",".join(value) if isinstance(value, (list, tuple)) else str(value)
    return out


def choose_plan(params: Mapping[str, object], known: Collection[str], default: str) -> tuple[str, Notice | None]:
    """The plan a link asks for (``?suunnitelma=``): a known id, else ``default`` with a notice (none when
    the link names no plan)."""
    raw = params.get(PLAN_PARAM)
    value = raw[-1] if isinstance(raw, list) and raw else raw
    if value is None or str(value).strip() == "":
        return default, None
    value = str(value).strip()
    if value in known:
        return value, None
    return default, Notice(PLAN_PARAM, value[:40], UNKNOWN_PLAN)
