"""The plan's indicators fetched from Sotkanet by id, mapped and checked like a file import, with a preview.

Which Sotkanet indicators and regions belong to which plan indicator, series, group and area is
the mapping table (data/sotkanet_mapping.csv): its 'sotkanet' rows whose source_indicator is a
number. The fetched rows go through the file import's own mapping and checks
(``core.io.importer.sotkanet``) and become an ``ImportResult`` that ``apply_import`` writes in one
transaction. Any problem with any indicator refuses the whole fetch: nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from core.base.i18n import DEFAULT_LANG, Msg, key_part, name, t
from core.io.importer.apply import preview
from core.io.importer.checks import _PlanIndex
from core.io.importer.parse import _finish
from core.io.importer.parsing import _cell_text, norm_gender, norm_source_key
from core.io.importer.results import ImportProblem, ImportResult, _refused
from core.io.importer.sotkanet import _map_sotkanet, _Mapper, _resolve_mapping
from core.io.sotkanet.client import SotkanetClient, SotkanetError
from core.plan.model import Plan
from core.views.queries import area_label

KIND = "Sotkanet (REST)"
ATTRIBUTION = "Lähde: THL, Sotkanet"  # THL's attribution, as THL asks for it (also in English texts)
LICENCE = "CC BY 4.0"
NOTE_PREFIX = ATTRIBUTION  # a fetched observation's note starts with it: reports and downloads find them by it
TOO_MANY_FACTOR = 10  # an answer with ten times the rows asked for is not Sotkanet's
IGNORED_REASONS = ("region", "gender", "indicator", "year", "no_value", "same_area")
DISPLAY_COLUMNS = ["indicator", "group", "area", "year", "value", "old_value", "action", "sotkanet", "source"]


@dataclass
class SotkanetFetch:
    """What a fetch brought: checked rows (``result``), the preview against the store, and what was left out."""

    years: list[int]
    result: ImportResult
    preview: pd.DataFrame  # importer.preview() plus the Sotkanet id of each row
    titles: dict[int, dict] = field(default_factory=dict)  # Sotkanet id → its title per language
    ignored: dict[str, int] = field(default_factory=dict)  # reason → rows left out
    failed: list[int] = field(default_factory=list)  # Sotkanet ids that failed

    @property
    def ok(self) -> bool:
        """Whether the fetch can be applied: no problem and at least one row."""
        return self.result.ok


def mapped_ids(mapping: pd.DataFrame) -> list[int]:
    """The Sotkanet indicator ids the mapping table maps ('sotkanet' rows with a numeric indicator)."""
    ids = set()
    for r in mapping.to_dict("records"):
        key = norm_source_key(r["source_indicator"])
        if r["source"] == "sotkanet" and key.isdigit():
            ids.add(int(key))
    return sorted(ids)


def default_years(plan: Plan, current: pd.DataFrame, mapping: pd.DataFrame, today: date | None = None) -> list[int]:
    """Every year after the newest stored value of a mapped plan indicator, up to this year."""
    this_year = (today or date.today()).year
    indicators = {int(r["indicator_id"]) for r in mapping.to_dict("records") if r["source"] == "sotkanet"}
    newest = None
    if current is not None and not current.empty:
        years = current.loc[current["indicator_id"].astype(int).isin(indicators), "year"]
        newest = int(years.max()) if not years.empty else None
    if newest is None:
        newest = max((o.year for o in plan.observations if o.indicator_id in indicators), default=this_year - 1)
    first = min(newest + 1, this_year)
    return list(range(first, this_year + 1))


def title_of(meta: Mapping, lang: str) -> str:
    """Sotkanet's title of an indicator in ``lang`` (Finnish if it has none in that language)."""
    title = meta.get("title") if isinstance(meta, Mapping) else None
    if isinstance(title, Mapping):
        return str(title.get(lang) or title.get("fi") or next(iter(title.values()), ""))
    return _cell_text(title)


def fetch_plan_values(
    plan: Plan,
    current: pd.DataFrame,
    years: Iterable[int],
    client: SotkanetClient,
    mapping: pd.DataFrame | None = None,
    progress: Callable[[float], None] | None = None,
) -> SotkanetFetch:
    """Fetch every mapped Sotkanet indicator for ``years``, map and check the rows, and preview them against ``current``.

    ``current`` is the store's observations. Any problem (a failed request, a bad answer, a row
    that does not pass the import's checks) refuses the whole fetch and names the indicator.
    """
    years = sorted({int(y) for y in years})
    errors: list[ImportProblem] = []
    if not years:
        errors.append(ImportProblem(None, None, Msg("sotkanet.no_years")))
        return _failed(years, errors)
    mapper = _resolve_mapping(mapping, errors)
    if mapper is None:
        return _failed(years, errors)
    if mapping is None:
        from core.io.importer.mapping import load_mapping

        mapping = load_mapping()
    ids = mapped_ids(mapping)
    if not ids:
        errors.append(ImportProblem(None, None, Msg("sotkanet.no_ids")))
        return _failed(years, errors)
    try:
        regions = client.regions()
    except SotkanetError as exc:
        errors.append(ImportProblem(None, None, Msg("sotkanet.regions_failed", problem=exc.message)))
        return _failed(years, errors)
    limit = TOO_MANY_FACTOR * max(1, len(regions)) * len(years)
    ctx = _PlanIndex(plan)
    titles: dict[int, dict] = {}
    ignored = dict.fromkeys(IGNORED_REASONS, 0)
    failed: list[int] = []
    rows: list[tuple[int, dict]] = []
    sources: list[int] = []
    line = 0  # one running number over all answers, so duplicate messages can name rows
    for step, sid in enumerate(ids, start=1):
        before = len(errors)
        try:
            meta = client.indicator(sid)
            titles[sid] = meta.get("title") if isinstance(meta.get("title"), dict) else {"fi": title_of(meta, "fi")}
            answer = client.data(sid, years)
        except SotkanetError as exc:
            errors.append(ImportProblem(None, None, _about(sid, titles, exc.message)))
        else:
            if len(answer) > limit:
                errors.append(
                    ImportProblem(
                        None, None, _about(sid, titles, Msg("sotkanet.error.too_many", n=len(answer), limit=limit))
                    )
                )
            else:
                got, line = _indicator_rows(sid, answer, years, mapper, ctx, titles, errors, ignored, line)
                rows += got
                sources += [sid] * len(got)
        if len(errors) > before:
            failed.append(sid)
        if progress:
            progress(step / len(ids))
    if failed:
        errors.append(ImportProblem(None, None, Msg("sotkanet.failed", n=len(failed), ids=", ".join(map(str, failed)))))
        return _failed(years, errors, titles, ignored, failed)
    notes = [Msg(f"sotkanet.ignored.{reason}", n=n) for reason, n in ignored.items() if n]
    if not rows:
        errors.append(ImportProblem(None, None, Msg("sotkanet.nothing", years=_years_text(years))))
        return _failed(years, errors, titles, ignored, failed)
    _keep_notes_of_equal_values(rows, current)
    result = _finish(rows, errors, KIND, notes)
    frame = preview(result, current)
    if not frame.empty:
        by_line = dict(zip([ln for ln, _ in rows], sources, strict=True))
        frame["sotkanet_id"] = [by_line.get(int(r), 0) for r in frame["row"]]
    return SotkanetFetch(years, result, frame, titles, ignored, failed)


def _indicator_rows(
    sid: int,
    answer: list,
    years: list[int],
    mapper: _Mapper,
    ctx: _PlanIndex,
    titles: dict[int, dict],
    errors: list[ImportProblem],
    ignored: dict[str, int],
    line: int,
) -> tuple[list[tuple[int, dict]], int]:
    """One indicator's answer → checked template rows; rows for other regions, genders, ids or years counted."""
    wanted_years = {str(y) for y in years}
    kept: dict[tuple, tuple[int, int, dict]] = {}  # plan key → (mapping line, answer row, item)
    for n, obj in enumerate(answer, start=1):
        line += 1
        if not isinstance(obj, dict):
            errors.append(ImportProblem(None, None, _about(sid, titles, Msg("sotkanet.row.not_object", n=n))))
            continue
        row = {str(k).lower(): v for k, v in obj.items()}
        for key in ("indicator", "region", "year"):
            if _cell_text(row.get(key)).strip() == "":
                errors.append(ImportProblem(None, None, _about(sid, titles, Msg(f"sotkanet.row.no_{key}", n=n))))
        if any(_cell_text(row.get(k)).strip() == "" for k in ("indicator", "region", "year")):
            continue
        if isinstance(row.get("value"), (list, dict)) or isinstance(row.get("year"), (list, dict)):
            errors.append(ImportProblem(None, None, _about(sid, titles, Msg("sotkanet.row.not_number", n=n))))
            continue
        if norm_source_key(row["indicator"]) != str(sid):
            ignored["indicator"] += 1
            continue
        gender = norm_gender(row.get("gender"))
        hit = mapper.find(row["indicator"], row["region"], gender)
        if hit is None:
            ignored["gender" if gender != "total" else "region"] += 1
            continue
        if norm_source_key(row["year"]) not in wanted_years and _cell_text(row["year"]).strip().isdigit():
            ignored["year"] += 1
            continue
        if row.get("value") is None:  # Sotkanet leaves out values it may not publish (too few respondents)
            ignored["no_value"] += 1
            continue
        item = {k: row.get(k) for k in ("indicator", "region", "year", "gender", "value")}
        key = (hit["indicator_id"], hit["series_id"], hit["group_id"], hit["area"], norm_source_key(row["year"]))
        if key in kept:
            # two Sotkanet regions for one area (maakunta and hyvinvointialue): the table's earlier row wins
            ignored["same_area"] += 1
            if hit["_line"] >= kept[key][0]:
                continue
        kept[key] = (hit["_line"], line, item)
    items = [(ln, item) for _, ln, item in kept.values()]
    found: list[ImportProblem] = []
    labels = {role: role for role in ("indicator", "region", "year", "gender", "value")}
    out = _map_sotkanet(items, mapper, ctx, found, [], labels)
    first_line = line - len(answer)
    for p in found:
        n = p.row - first_line if p.row is not None else None
        errors.append(
            ImportProblem(None, None, _about(sid, titles, Msg("sotkanet.row.problem", n=n, problem=p.message)))
        )
    for ln, r in out:
        item = next(i for l2, i in items if l2 == ln)
        r["note"] = f"{NOTE_PREFIX} ({LICENCE}), indikaattori {sid}, alue {_cell_text(item['region'])}"
    return out, line


def _keep_notes_of_equal_values(rows: list[tuple[int, dict]], current: pd.DataFrame) -> None:
    """A fetched value equal to the stored one changes nothing: its source note is dropped (the stored note stays)."""
    if current is None or current.empty:
        return
    stored = {
        (int(r["indicator_id"]), str(r["series_id"] or ""), str(r["group_id"]), str(r["area"]), int(r["year"])): r[
            "value"
        ]
        for r in current.to_dict("records")
    }
    for _, r in rows:
        old = stored.get((int(r["indicator_id"]), r["series_id"] or "", r["group_id"], r["area"], int(r["year"])))
        if old is not None and float(old) == float(r["value"]):
            r["note"] = ""


def _about(sid: int, titles: Mapping[int, dict], problem: Msg) -> Msg:
    """A problem naming the Sotkanet indicator (and its title once known)."""
    title = titles.get(sid, {}).get("fi", "") if titles.get(sid) else ""
    if title:
        return Msg("sotkanet.problem_titled", id=sid, title=title, problem=problem)
    return Msg("sotkanet.problem", id=sid, problem=problem)


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def _failed(
    years: list[int],
    errors: list[ImportProblem],
    titles: dict[int, dict] | None = None,
    ignored: dict[str, int] | None = None,
    failed: list[int] | None = None,
) -> SotkanetFetch:
    result = _refused(errors, KIND)
    return SotkanetFetch(years, result, preview(result, pd.DataFrame()), titles or {}, ignored or {}, failed or [])


def is_fetched(note: object) -> bool:
    """Whether an observation's note says it was fetched from Sotkanet (it then carries THL's attribution)."""
    return isinstance(note, str) and note.startswith(NOTE_PREFIX)


def attribution(lang: str = DEFAULT_LANG) -> str:
    """THL's licence and attribution line for downloads and reports of fetched values."""
    return t("sotkanet.attribution", lang, source=ATTRIBUTION, licence=LICENCE)


def preview_for_display(fetch: SotkanetFetch, plan: Plan, lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The preview as people read it: plan indicator, Sotkanet id and current title, group, area, year, values, action."""
    frame = fetch.preview
    if frame.empty:
        return pd.DataFrame(columns=[t(f"sotkanet.col.{c}", lang) for c in DISPLAY_COLUMNS])
    groups = {g.group_id: name(g, lang) for g in plan.groups}
    out = pd.DataFrame(
        {
            "indicator": [f"{int(i)} {name(plan.indicator(int(i)), lang)}" for i in frame["indicator_id"]],
            "group": [groups.get(g, g) for g in frame["group_id"]],
            "area": [area_label(plan, a, lang) for a in frame["area"]],
            "year": frame["year"].astype(int),
            "value": frame["value"].astype(float),
            # text, so a value not stored yet reads as a dash rather than "None"
            "old_value": ["–" if pd.isna(v) else f"{float(v):g}" for v in frame["old_value"]],
            "action": [t(f"importer.action.{key_part(a)}", lang) for a in frame["action"]],
            "sotkanet": [
                f"{sid} {title_of({'title': fetch.titles.get(int(sid), {})}, lang)}".strip()
                for sid in frame["sotkanet_id"]
            ],
            # every row says whose it is, so the table's own CSV download carries THL's attribution too
            "source": f"{ATTRIBUTION.split(': ', 1)[1]} ({LICENCE})",
        }
    )
    order = out.assign(_ind=frame["indicator_id"].astype(int)).sort_values(["_ind", "group", "area", "year"])
    return order.drop(columns="_ind").rename(columns={c: t(f"sotkanet.col.{c}", lang) for c in DISPLAY_COLUMNS})


def ignored_texts(fetch: SotkanetFetch, lang: str = DEFAULT_LANG) -> list[str]:
    """The rows left out, by reason, as sentences."""
    return [t(f"sotkanet.ignored.{reason}", lang, n=n) for reason, n in fetch.ignored.items() if n]
