"""The store's plans: reading a plan (its own rows from the store, the shared catalogue from data/),
drafting the next plan from an earlier one, changing a plan's state, and editing a draft's goals,
sub-goals and indicator choices. The rules themselves are in core/plan/plans.py.

Measure ids stay ``actor-subgoal-seq`` in every plan and are never used twice: ``seq`` counts over
all plans, so a measure carried into a new plan gets the next free number of its actor and sub-goal
(``kymsote-I.1-3`` carried into 2026–2029 becomes e.g. ``kymsote-I.1-9``), and ``carried_from``
names the measure it continues.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.engine import Connection

from core.plan import plans as rules
from core.plan.model import (
    IndicatorChoice,
    Measure,
    MeasureStatus,
    Observation,
    Plan,
    PlanInfo,
    PlanState,
    RowKind,
    SubGoal,
)
from core.plan.validation import MEASURE_EDITABLE, clean_measure_values
from core.store import plan_rows
from core.store.errors import Conflict, ConflictError, InvalidEdit, NotFound, StoreError
from core.store.schema import (
    events,
    measures,
    observations,
    plan_goals,
    plan_indicators,
    plan_subgoal_indicators,
    plan_subgoals,
    plans,
)
from core.store.store import Store as _BaseStore
from core.store.writes import (
    Editor,
    insert_recorded,
    plan_writable,
    record,
    require_editor,
    utc_now,
    versioned_update,
    write_retrying,
)


def _refusal(exc: rules.PlanRuleError) -> InvalidEdit:
    return InvalidEdit(exc.key, **exc.values)


@dataclass
class DraftReport:
    """What ``create_plan_from`` made: the new plan and what it took over."""

    plan: PlanInfo
    carried: list[tuple[str, str]] = field(default_factory=list)  # (earlier measure id, new id)
    carried_changed: list[tuple[str, str]] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # measures that stay in the earlier plan only
    goals: int = 0
    subgoals: int = 0
    kept: list[int] = field(default_factory=list)
    dropped: list[tuple[int, str]] = field(default_factory=list)
    added: list[int] = field(default_factory=list)
    events: int = 0


class Store(_BaseStore):
    """Read and write the working state of every plan; one instance per database URL."""

    _catalogue: Plan | None = None

    # ---------------------------------------------------------------- the shared catalogue
    def seed(self, plan: Plan, events_rows=None) -> bool:  # noqa: ANN001 - as the base
        """As the base, and remember ``plan`` (data/) as the catalogue every plan shares."""
        self._catalogue = plan
        return super().seed(plan, events_rows)

    def catalogue(self) -> Plan:
        """data/'s plan: its groups, indicators, series and actors are shared by every plan."""
        if self._catalogue is None:
            from core.plan.loader import load_plan  # noqa: PLC0415 - only when no plan was given

            self._catalogue = load_plan()
        return self._catalogue

    # ---------------------------------------------------------------- reads
    def plans(self) -> list[PlanInfo]:
        """Every plan, newest first (by first year, then last year, then id)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(plans)).mappings().all()
        return rules.order(plan_rows.info_of(r) for r in rows)

    def plan_info(self, plan_id: str) -> PlanInfo:
        """One plan's identity; NotFound for an unknown id."""
        with self.engine.connect() as conn:
            row = conn.execute(select(plans).where(plans.c.plan_id == plan_id)).mappings().first()
        if row is None:
            raise NotFound("plan.not_found", id=plan_id)
        return plan_rows.info_of(row)

    def default_plan_id(self, today: date) -> str:
        """The plan in force today, else one in force, else the newest; NotFound when there is none."""
        chosen = rules.default_plan(self.plans(), today)
        if chosen is None:
            raise NotFound("plan.none")
        return chosen.plan_id

    def load_plan(self, plan_id: str) -> Plan:
        """The whole plan: its own goals, sub-goals, tiles, choices and measures from the store, the
        catalogue (groups, indicators, series, actors) from data/, and every observation."""
        cat = self.catalogue()
        with self.engine.connect() as conn:
            row = conn.execute(select(plans).where(plans.c.plan_id == plan_id)).mappings().first()
            if row is None:
                raise NotFound("plan.not_found", id=plan_id)
            goals = conn.execute(select(plan_goals).where(plan_goals.c.plan_id == plan_id)).mappings().all()
            subs = conn.execute(select(plan_subgoals).where(plan_subgoals.c.plan_id == plan_id)).mappings().all()
            links = (
                conn.execute(select(plan_subgoal_indicators).where(plan_subgoal_indicators.c.plan_id == plan_id))
                .mappings()
                .all()
            )
            choices = conn.execute(select(plan_indicators).where(plan_indicators.c.plan_id == plan_id)).mappings().all()
            ms = (
                conn.execute(select(measures).where(and_(measures.c.plan_id == plan_id, measures.c.deleted.is_(False))))
                .mappings()
                .all()
            )
            obs = conn.execute(select(observations)).mappings().all()
        info = plan_rows.info_of(row)
        meta = plan_rows.meta_of(row)
        # rows the store checked when they were written: built without checking them again
        measure_fields = set(Measure.model_fields)
        obs_fields = set(Observation.model_fields)
        return Plan(
            meta=meta,
            plan_id=info.plan_id,
            period_start=info.period_start,
            period_end=info.period_end,
            state=info.state,
            source_plan_id=info.source_plan_id,
            groups=cat.groups,
            goals=tuple(sorted((plan_rows.goal_of(g) for g in goals), key=lambda g: g.number)),
            subgoals=tuple(sorted((plan_rows.subgoal_of(s) for s in subs), key=lambda s: (s.goal_id, s.number))),
            indicators=cat.indicators,
            series=cat.series,
            observations=tuple(
                Observation.model_construct(**{k: v for k, v in o.items() if k in obs_fields}) for o in obs
            ),
            subgoal_indicators=tuple(
                sorted((plan_rows.link_of(li) for li in links), key=lambda x: (x.subgoal_id, x.sort_order))
            ),
            actors=cat.actors,
            measures=tuple(_measure_of(m, measure_fields) for m in ms),
            indicator_choices=tuple(plan_rows.choice_of(c) for c in choices),
        )

    def followed_indicators(self, plan_id: str) -> list[int]:
        """The indicators a plan follows: those of its tiles and those it added, minus the dropped ones."""
        with self.engine.connect() as conn:
            return _followed(conn, plan_id)

    # ---------------------------------------------------------------- drafting the next plan
    def create_plan_from(
        self,
        source_id: str,
        new_id: str,
        name: str,
        start: int,
        end: int,
        carry: str,
        editor: Editor | None,
        indicator_choices: Mapping[int, object] | None = None,
        measure_choices: Mapping[str, object] | None = None,
        name_en: str | None = None,
    ) -> DraftReport:
        """Draft a new plan from ``source_id`` in ONE transaction: goals and sub-goals copied as
        drafts, every followed indicator kept unless ``indicator_choices`` drops it (with a reason:
        ``{7: ("dropped", "why")}``) or adds one (``{33: "added"}``), measures carried by ``carry``
        (all / continuing / none) unless ``measure_choices`` says otherwise per measure
        (``"carry"``, ``"leave"`` or ``{"choice": "carry_changed", "values": {...}}``); the
        vuosikello cycle is copied. Raises InvalidEdit (``plan.*``) on bad input; nothing is saved.
        """
        editor = require_editor(editor)
        try:
            new_id = rules.check_plan_id(new_id)
            name = rules.check_name(name)
            carry = rules.Carry(str(carry)).value
        except rules.PlanRuleError as exc:
            raise _refusal(exc) from None
        except ValueError:
            raise InvalidEdit("plan.unknown_carry", value=carry) from None
        source = self.plan_info(source_id)
        try:
            first, last = rules.check_period(start, end, source)
        except rules.PlanRuleError as exc:
            raise _refusal(exc) from None
        known = {i.indicator_id for i in self.catalogue().indicators}
        choices_in = _indicator_choices(indicator_choices or {})
        measure_in = {str(k): _measure_choice(v) for k, v in (measure_choices or {}).items()}
        now = utc_now()

        def write(conn: Connection) -> DraftReport:
            if conn.execute(select(plans.c.plan_id).where(plans.c.plan_id == new_id)).first() is not None:
                raise InvalidEdit("plan.id_exists", id=new_id)
            report = DraftReport(
                PlanInfo(
                    plan_id=new_id,
                    name_fi=name,
                    name_en=(name_en or name).strip() or name,
                    period_start=first,
                    period_end=last,
                    state=PlanState.DRAFT,
                    source_plan_id=source.plan_id,
                )
            )
            src_meta = conn.execute(select(plans.c.meta).where(plans.c.plan_id == source.plan_id)).scalar_one()
            stamp = plan_rows.audit(now, editor.name)
            shown = {"name": name, "period_start": first, "period_end": last, "source": source.plan_id, "carry": carry}
            insert_recorded(
                conn,
                plans,
                {
                    "plan_id": new_id,
                    "name_fi": name,
                    "name_en": report.plan.name_en,
                    "period_start": first,
                    "period_end": last,
                    "state": PlanState.DRAFT.value,
                    "source_plan_id": source.plan_id,
                    "meta": _draft_meta(src_meta),
                },
                {"*": json.dumps(shown, ensure_ascii=False)},
                entity="plan",
                history_id=new_id,
                editor=editor,
                at=now,
            )
            # goals and sub-goals: editable copies
            for table in (plan_goals, plan_subgoals):
                rows = conn.execute(select(table).where(table.c.plan_id == source.plan_id)).mappings().all()
                copies = [{**dict(r), "plan_id": new_id, **stamp} for r in rows]
                if copies:
                    conn.execute(insert(table), copies)
                if table is plan_goals:
                    report.goals = len(copies)
                else:
                    report.subgoals = len(copies)
            # indicators: kept, dropped (with the reason), added
            followed = _followed(conn, source.plan_id)
            for iid, (choice, _reason) in choices_in.items():
                if iid not in known:
                    raise InvalidEdit("plan.unknown_indicator", id=iid)
                if choice == IndicatorChoice.ADDED and iid in followed:
                    raise InvalidEdit("plan.indicator_already_followed", id=iid)
                if choice != IndicatorChoice.ADDED and iid not in followed:
                    raise InvalidEdit("plan.indicator_not_followed", id=iid)
            dropped = {i for i, (c, _r) in choices_in.items() if c == IndicatorChoice.DROPPED}
            choice_rows = []
            for iid in sorted(set(followed) | set(choices_in)):
                choice, reason = choices_in.get(iid, (IndicatorChoice.KEPT, ""))
                choice_rows.append(
                    {"plan_id": new_id, "indicator_id": iid, "choice": choice.value, "reason": reason, **stamp}
                )
                if choice == IndicatorChoice.KEPT:
                    report.kept.append(iid)
                elif choice == IndicatorChoice.ADDED:
                    report.added.append(iid)
                else:
                    report.dropped.append((iid, reason))
            if choice_rows:
                conn.execute(insert(plan_indicators), choice_rows)
            links = (
                conn.execute(select(plan_subgoal_indicators).where(plan_subgoal_indicators.c.plan_id == source.plan_id))
                .mappings()
                .all()
            )
            link_rows = [
                {k: v for k, v in dict(li).items() if k != "id"} | {"plan_id": new_id}
                for li in links
                if li["indicator_id"] not in dropped
            ]
            if link_rows:
                conn.execute(insert(plan_subgoal_indicators), link_rows)
            # measures
            src_measures = [
                dict(m)
                for m in conn.execute(
                    select(measures).where(
                        and_(
                            measures.c.plan_id == source.plan_id,
                            measures.c.deleted.is_(False),
                            measures.c.row_kind == "measure",
                        )
                    )
                )
                .mappings()
                .all()
            ]
            src_measures.sort(key=lambda m: (m["actor_id"], m["subgoal_id"], m["seq"]))
            try:
                decided = rules.carried_choices(src_measures, carry, first, {k: c for k, (c, _v) in measure_in.items()})
            except rules.PlanRuleError as exc:
                raise _refusal(exc) from None
            for m in src_measures:
                choice = decided[m["measure_id"]]
                if choice == rules.MeasureChoice.LEAVE:
                    report.left.append(m["measure_id"])
                    continue
                changed = clean_measure_values(measure_in.get(m["measure_id"], ("", {}))[1], m)
                seq = (
                    conn.execute(
                        select(func.coalesce(func.max(measures.c.seq), 0)).where(
                            and_(measures.c.actor_id == m["actor_id"], measures.c.subgoal_id == m["subgoal_id"])
                        )
                    ).scalar_one()
                    + 1
                )
                new_mid = f"{m['actor_id']}-{m['subgoal_id']}-{seq}"
                row = {**m, **changed, "measure_id": new_mid, "seq": seq, "plan_id": new_id}
                row.update(carried_from=m["measure_id"], source_line_start=None, source_line_end=None, **stamp)
                conn.execute(insert(measures).values(**row))
                shown = {k: row[k] for k in (*MEASURE_EDITABLE, "carried_from")}
                record(
                    conn, "measure", new_mid, "*", None, json.dumps(shown, ensure_ascii=False), "create", editor, now
                )
                pair = (m["measure_id"], new_mid)
                (report.carried_changed if choice == rules.MeasureChoice.CARRY_CHANGED else report.carried).append(pair)
            # the vuosikello cycle goes on
            cycle = (
                conn.execute(
                    select(events).where(and_(events.c.plan_id == source.plan_id, events.c.deleted.is_(False)))
                )
                .mappings()
                .all()
            )
            taken = {r[0] for r in conn.execute(select(events.c.event_id))}
            n = len(taken)
            for ev in cycle:
                n += 1
                while f"e{n}" in taken:
                    n += 1
                taken.add(f"e{n}")
                conn.execute(insert(events).values(**{**dict(ev), "event_id": f"e{n}", "plan_id": new_id, **stamp}))
                report.events += 1
            return report

        def clash() -> StoreError:
            return InvalidEdit("plan.id_exists", id=new_id)

        return write_retrying(self.engine, write, clash)

    # ---------------------------------------------------------------- state and drafts
    def set_plan_state(self, plan_id: str, state: str, editor: Editor | None) -> None:
        """Put a plan in force, end it, or take it back to a draft; recorded in the history."""
        editor = require_editor(editor)
        try:
            new = PlanState(str(state))
        except ValueError:
            raise InvalidEdit("plan.unknown_state", value=state) from None
        now = utc_now()

        def write(conn: Connection) -> None:
            cur = conn.execute(select(plans).where(plans.c.plan_id == plan_id)).mappings().first()
            if cur is None:
                raise NotFound("plan.not_found", id=plan_id)
            if cur["state"] == new.value:
                return
            versioned_update(
                conn, plans, plans.c.plan_id == plan_id, cur, {"state": new.value}, entity="plan", history_id=plan_id,
                editor=editor, at=now,
            )  # fmt: skip

        def moved() -> ConflictError:  # another writer kept saving the row between this read and write
            return ConflictError([Conflict("plan", plan_id, 0, -1, {}, {})])

        write_retrying(self.engine, write, moved)

    def save_plan_goal(self, plan_id: str, goal_id: str, values: Mapping[str, object], editor: Editor | None) -> None:
        """Change a goal of a plan that has not ended (titles, service-level shares, note)."""
        self._save_structure(plan_goals, "plan_goal", plan_id, "goal_id", goal_id, values, editor)

    def save_plan_subgoal(
        self, plan_id: str, subgoal_id: str, values: Mapping[str, object], editor: Editor | None
    ) -> None:
        """Change a sub-goal of a plan that has not ended (titles, difficulty, impact, note)."""
        self._save_structure(plan_subgoals, "plan_subgoal", plan_id, "subgoal_id", subgoal_id, values, editor)

    def add_plan_subgoal(self, plan_id: str, goal_id: str, values: Mapping[str, object], editor: Editor | None) -> str:
        """Add a sub-goal (the next number of its goal) to a plan that has not ended; return its id."""
        editor = require_editor(editor)
        now = utc_now()
        with self.engine.begin() as conn:
            plan_writable(conn, plan_id)
            if (
                conn.execute(
                    select(plan_goals.c.goal_id).where(
                        and_(plan_goals.c.plan_id == plan_id, plan_goals.c.goal_id == goal_id)
                    )
                ).first()
                is None
            ):
                raise NotFound("plan.goal_not_found", id=goal_id)
            number = (
                conn.execute(
                    select(func.coalesce(func.max(plan_subgoals.c.number), 0)).where(
                        and_(plan_subgoals.c.plan_id == plan_id, plan_subgoals.c.goal_id == goal_id)
                    )
                ).scalar_one()
                + 1
            )
            subgoal_id = f"{goal_id}.{number}"
            row = _checked(SubGoal, {"subgoal_id": subgoal_id, "goal_id": goal_id, "number": number, **values})
            insert_recorded(
                conn, plan_subgoals, {"plan_id": plan_id, **row}, {"*": json.dumps(row, ensure_ascii=False)},
                entity="plan_subgoal", history_id=f"{plan_id}/{subgoal_id}", editor=editor, at=now,
            )  # fmt: skip
        return subgoal_id

    def add_plan_goal(self, plan_id: str, goal_id: str, values: Mapping[str, object], editor: Editor | None) -> None:
        """Add a main goal (the next number) to a plan that has not ended: a plan has as many as it has."""
        editor = require_editor(editor)
        now = utc_now()
        with self.engine.begin() as conn:
            plan_writable(conn, plan_id)
            cond = and_(plan_goals.c.plan_id == plan_id, plan_goals.c.goal_id == goal_id)
            if conn.execute(select(plan_goals.c.goal_id).where(cond)).first() is not None:
                raise InvalidEdit("plan.goal_exists", id=goal_id)
            number = (
                conn.execute(
                    select(func.coalesce(func.max(plan_goals.c.number), 0)).where(plan_goals.c.plan_id == plan_id)
                ).scalar_one()
                + 1
            )
            from core.plan.model import Goal  # noqa: PLC0415

            row = _checked(Goal, {"goal_id": goal_id, "number": number, **values})
            insert_recorded(
                conn, plan_goals, {"plan_id": plan_id, **row}, {"*": json.dumps(row, ensure_ascii=False)},
                entity="plan_goal", history_id=f"{plan_id}/{goal_id}", editor=editor, at=now,
            )  # fmt: skip

    def set_subgoal_indicators(
        self, plan_id: str, subgoal_id: str, tiles: list[tuple[int, str]], editor: Editor | None
    ) -> None:
        """The indicator tiles (indicator, series) of a sub-goal of a plan that has not ended, in order.
        A tile must be an indicator the plan follows (kept or added, not dropped)."""
        editor = require_editor(editor)
        series = {(s.indicator_id, s.series_id) for s in self.catalogue().series}
        now = utc_now()
        with self.engine.begin() as conn:
            plan_writable(conn, plan_id)
            cond = and_(plan_subgoals.c.plan_id == plan_id, plan_subgoals.c.subgoal_id == subgoal_id)
            if conn.execute(select(plan_subgoals.c.subgoal_id).where(cond)).first() is None:
                raise NotFound("plan.row_not_found", id=subgoal_id)
            followed = set(_followed(conn, plan_id))
            added = {
                int(r[0])
                for r in conn.execute(
                    select(plan_indicators.c.indicator_id).where(
                        and_(plan_indicators.c.plan_id == plan_id, plan_indicators.c.choice == "added")
                    )
                )
            }
            for indicator_id, series_id in tiles:
                if indicator_id not in followed | added:
                    raise InvalidEdit("plan.indicator_not_followed", id=indicator_id)
                if series_id and (indicator_id, series_id) not in series:
                    raise InvalidEdit("plan.unknown_indicator", id=f"{indicator_id}/{series_id}")
            key = and_(plan_subgoal_indicators.c.plan_id == plan_id, plan_subgoal_indicators.c.subgoal_id == subgoal_id)
            old = [
                f"{r.indicator_id}/{r.series_id}"
                for r in conn.execute(
                    select(plan_subgoal_indicators).where(key).order_by(plan_subgoal_indicators.c.sort_order)
                )
            ]
            new = [f"{i}/{s}" for i, s in tiles]
            if old == new:
                return
            conn.execute(delete(plan_subgoal_indicators).where(key))
            rows = [
                {"plan_id": plan_id, "subgoal_id": subgoal_id, "indicator_id": int(i), "series_id": s or "",
                 "sort_order": n, "note": ""}
                for n, (i, s) in enumerate(tiles, start=1)
            ]  # fmt: skip
            if rows:
                conn.execute(insert(plan_subgoal_indicators), rows)
            record(
                conn, "plan_subgoal", f"{plan_id}/{subgoal_id}", "indicators", ", ".join(old), ", ".join(new),
                "update", editor, now,
            )  # fmt: skip

    def set_indicator_choice(
        self, plan_id: str, indicator_id: int, choice: str, reason: str, editor: Editor | None
    ) -> None:
        """Keep, drop (a reason is required) or add an indicator in a plan that has not ended."""
        editor = require_editor(editor)
        try:
            chosen = IndicatorChoice(str(choice))
            reason = rules.check_reason(chosen.value, reason, indicator_id)
        except rules.PlanRuleError as exc:
            raise _refusal(exc) from None
        except ValueError:
            raise InvalidEdit("plan.unknown_choice", id=indicator_id, value=choice) from None
        if indicator_id not in {i.indicator_id for i in self.catalogue().indicators}:
            raise InvalidEdit("plan.unknown_indicator", id=indicator_id)
        now = utc_now()

        def write(conn: Connection) -> None:
            plan_writable(conn, plan_id)
            key = and_(plan_indicators.c.plan_id == plan_id, plan_indicators.c.indicator_id == indicator_id)
            cur = conn.execute(select(plan_indicators).where(key)).mappings().first()
            entity_id = f"{plan_id}/{indicator_id}"
            if cur is None:
                insert_recorded(
                    conn, plan_indicators,
                    {"plan_id": plan_id, "indicator_id": indicator_id, "choice": chosen.value, "reason": reason},
                    {"choice": chosen.value}, entity="plan_indicator", history_id=entity_id, editor=editor, at=now,
                )  # fmt: skip
            else:
                diff = {k: v for k, v in {"choice": chosen.value, "reason": reason}.items() if cur[k] != v}
                if not diff:
                    return
                versioned_update(
                    conn, plan_indicators, key, cur, diff, entity="plan_indicator", history_id=entity_id, editor=editor,
                    at=now,
                )  # fmt: skip
            if chosen == IndicatorChoice.DROPPED:  # a dropped indicator leaves the plan's tiles
                conn.execute(
                    delete(plan_subgoal_indicators).where(
                        and_(
                            plan_subgoal_indicators.c.plan_id == plan_id,
                            plan_subgoal_indicators.c.indicator_id == indicator_id,
                        )
                    )
                )

        def moved() -> ConflictError:  # another writer kept saving the row between this read and write
            return ConflictError([Conflict("plan_indicator", f"{plan_id}/{indicator_id}", 0, -1, {}, {})])

        write_retrying(self.engine, write, moved)

    def _save_structure(
        self,
        table,
        entity: str,
        plan_id: str,
        key: str,
        ident: str,
        values: Mapping[str, object],
        editor: Editor | None,
    ) -> None:
        editor = require_editor(editor)
        allowed = {
            "plan_goals": ("title_fi", "title_en", "preventive_pct", "early_support_pct", "intensive_pct", "note"),
            "plan_subgoals": ("title_fi", "title_en", "difficulty", "impact", "note"),
        }[table.name]
        for fld in values:
            if fld not in allowed:
                raise InvalidEdit("store.not_editable", name=fld)
        now = utc_now()

        def write(conn: Connection) -> None:
            plan_writable(conn, plan_id)
            cond = and_(table.c.plan_id == plan_id, table.c[key] == ident)
            cur = conn.execute(select(table).where(cond)).mappings().first()
            if cur is None:
                raise NotFound("plan.row_not_found", id=ident)
            model = SubGoal if table is plan_subgoals else None
            merged = {**dict(cur), **values}
            if model is not None:
                checked = _checked(SubGoal, {k: merged[k] for k in SubGoal.model_fields if k in merged})
            else:
                from core.plan.model import Goal  # noqa: PLC0415

                checked = _checked(Goal, {k: merged[k] for k in Goal.model_fields if k in merged})
            diff = {k: checked[k] for k in values if cur[k] != checked[k]}
            if not diff:
                return
            versioned_update(
                conn, table, cond, cur, diff, entity=entity, history_id=f"{plan_id}/{ident}", editor=editor, at=now
            )

        def moved() -> ConflictError:  # another writer kept saving the row between this read and write
            return ConflictError([Conflict(entity, f"{plan_id}/{ident}", 0, -1, {}, {})])

        write_retrying(self.engine, write, moved)


def _draft_meta(source_meta: str) -> str:
    """The earlier plan's plan.yaml content for its draft successor: the region, legend and service levels
    carry on; the extraction notes (``*_note``) were about the earlier document and are left behind."""
    meta = json.loads(source_meta or "{}")
    return json.dumps({k: v for k, v in meta.items() if not str(k).endswith("_note")}, ensure_ascii=False)


def _measure_of(row: Mapping, fields: set[str]) -> Measure:
    """A stored measure as the model, without checking it again (the store checked it when written)."""
    values = {k: v for k, v in row.items() if k in fields}
    values["row_kind"] = RowKind(values["row_kind"])
    values["status"] = MeasureStatus(values.get("status") or "")
    values["permanent"] = bool(values.get("permanent"))
    return Measure.model_construct(**values)


def _checked(model, values: Mapping[str, object]) -> dict:
    """``values`` through the model's checks (a goal's shares sum to 100, titles required…)."""
    try:
        row = model(**values).model_dump(mode="json")
    except ValueError as exc:
        raise InvalidEdit("plan.invalid_row", problem=str(exc).splitlines()[-1][:200]) from None
    for k in ("difficulty", "impact"):
        if k in row and row[k] is None:
            row[k] = ""
    return row


def _followed(conn: Connection, plan_id: str) -> list[int]:
    linked = {
        int(r[0])
        for r in conn.execute(
            select(plan_subgoal_indicators.c.indicator_id).where(plan_subgoal_indicators.c.plan_id == plan_id)
        )
    }
    chosen = conn.execute(
        select(plan_indicators.c.indicator_id, plan_indicators.c.choice).where(plan_indicators.c.plan_id == plan_id)
    ).all()
    added = {int(i) for i, c in chosen if c in ("added", "kept")}
    dropped = {int(i) for i, c in chosen if c == "dropped"}
    return sorted((linked | added) - dropped)


def _indicator_choices(raw: Mapping[int, object]) -> dict[int, tuple[IndicatorChoice, str]]:
    """{id: "kept" | "added" | ("dropped", reason) | {"choice": …, "reason": …}} checked."""
    out: dict[int, tuple[IndicatorChoice, str]] = {}
    for key, value in raw.items():
        if isinstance(value, Mapping):
            choice, reason = value.get("choice"), value.get("reason", "")
        elif isinstance(value, (tuple, list)):
            choice, reason = (list(value) + [""])[:2]
        else:
            choice, reason = value, ""
        try:
            iid = int(key)
            chosen = IndicatorChoice(str(choice))
            out[iid] = (chosen, rules.check_reason(chosen.value, reason, iid))
        except rules.PlanRuleError as exc:
            raise _refusal(exc) from None
        except ValueError:
            raise InvalidEdit("plan.unknown_choice", id=key, value=choice) from None
    return out


def _measure_choice(value: object) -> tuple[str, dict]:
    if isinstance(value, Mapping):
        return str(value.get("choice", "")), dict(value.get("values") or {})
    return str(value), {}


__all__ = ["DraftReport", "Store"]
