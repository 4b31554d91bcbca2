"""The store's tables (SQLAlchemy Core). The schema a database really has is made by the Alembic
migrations in ``core/store/migrations``; a test checks that they and these tables agree."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from core.plan.model import MEASURE_TEXT_FIELDS

metadata = MetaData()


def _audit_columns() -> list[Column]:
    """The optimistic-concurrency version and last writer, on every editable table."""
    return [
        Column("version", Integer, nullable=False, default=1),
        Column("updated_at", String(40), nullable=False, default=""),
        Column("updated_by", String(200), nullable=False, default=""),
    ]


schema_info = Table(
    "schema_info",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", String(200), nullable=False),
)

# ------------------------------------------------------------------ plans (0005_plans)
# A plan: its identity, period and state. Its goals, sub-goals, indicator tiles and indicator choices
# are its own rows (a drafted plan edits copies); the catalogue (groups, indicators, series, actors)
# is data/'s and shared. ``meta`` is plan.yaml's other content as JSON (legend, service levels…).
plans = Table(
    "plans",
    metadata,
    Column("plan_id", String(80), primary_key=True),
    Column("name_fi", String(200), nullable=False),
    Column("name_en", String(200), nullable=False, default=""),
    Column("period_start", Integer, nullable=False),
    Column("period_end", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    Column("source_plan_id", String(80)),
    Column("meta", Text, nullable=False, default="{}"),
    *_audit_columns(),
)

plan_goals = Table(
    "plan_goals",
    metadata,
    Column("plan_id", String(80), ForeignKey("plans.plan_id"), nullable=False),
    Column("goal_id", String(10), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title_fi", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("preventive_pct", Float, nullable=False),
    Column("early_support_pct", Float, nullable=False),
    Column("intensive_pct", Float, nullable=False),
    Column("note", Text, nullable=False, default=""),
    *_audit_columns(),
    PrimaryKeyConstraint("plan_id", "goal_id", name="pk_plan_goals"),
)

plan_subgoals = Table(
    "plan_subgoals",
    metadata,
    Column("plan_id", String(80), ForeignKey("plans.plan_id"), nullable=False),
    Column("subgoal_id", String(20), nullable=False),
    Column("goal_id", String(10), nullable=False),
    Column("number", Integer, nullable=False),
    Column("title_fi", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("difficulty", String(20), nullable=False, default=""),
    Column("impact", String(20), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    *_audit_columns(),
    PrimaryKeyConstraint("plan_id", "subgoal_id", name="pk_plan_subgoals"),
)

plan_subgoal_indicators = Table(
    "plan_subgoal_indicators",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", String(80), ForeignKey("plans.plan_id"), nullable=False, index=True),
    Column("subgoal_id", String(20), nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("series_id", String(50), nullable=False, default=""),
    Column("sort_order", Integer, nullable=False, default=0),
    Column("note", Text, nullable=False, default=""),
    UniqueConstraint("plan_id", "subgoal_id", "indicator_id", "series_id", name="uq_plan_subgoal_indicator"),
)

# kept / dropped (reason required, shown) / added, per plan and indicator
plan_indicators = Table(
    "plan_indicators",
    metadata,
    Column("plan_id", String(80), ForeignKey("plans.plan_id"), nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("choice", String(20), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    *_audit_columns(),
    PrimaryKeyConstraint("plan_id", "indicator_id", name="pk_plan_indicators"),
)

measures = Table(
    "measures",
    metadata,
    Column("measure_id", String(80), primary_key=True),
    Column("actor_id", String(50), nullable=False, index=True),
    Column("subgoal_id", String(10), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("row_kind", String(20), nullable=False),
    *[Column(f, Text, nullable=False, default="") for f in MEASURE_TEXT_FIELDS],
    Column("status", String(20), nullable=False, default=""),
    Column("start_year", Integer),
    Column("end_year", Integer),
    Column("permanent", Boolean, nullable=False, default=False),
    Column("contact", String(200), nullable=False, default=""),
    Column("source_line_start", Integer),
    Column("source_line_end", Integer),
    Column("note", Text, nullable=False, default=""),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("plan_id", String(80), nullable=False, index=True),
    Column("carried_from", String(80)),  # the measure of the earlier plan this one continues
    *_audit_columns(),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator_id", Integer, nullable=False),
    Column("series_id", String(50), nullable=False, default=""),
    Column("group_id", String(50), nullable=False),
    Column("area", String(80), nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", Float, nullable=False),
    Column("value_as_printed", String(100), nullable=False, default=""),
    Column("flag", String(100), nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    *_audit_columns(),
    UniqueConstraint("indicator_id", "series_id", "group_id", "area", "year", name="uq_observation"),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("measure_id", String(80), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("rating", Integer),
    Column("comment", Text, nullable=False, default=""),
    Column("evaluator", String(200), nullable=False, default=""),
    Column("evaluated_on", String(10), nullable=False, default=""),
    *_audit_columns(),
    UniqueConstraint("measure_id", "year", name="uq_evaluation"),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(80), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("months", String(40), nullable=False),
    Column("owner", String(200), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("plan_id", String(80), nullable=False, index=True),
    *_audit_columns(),
)

# The working group's own conclusions of a plan's final evaluation, per main goal and for the whole
# plan (scope = goal id or "plan"); editable after the plan has ended, every change in ``changes``.
conclusions = Table(
    "conclusions",
    metadata,
    Column("plan_id", String(80), primary_key=True),
    Column("scope", String(20), primary_key=True),
    Column("worked", Text, nullable=False, default=""),
    Column("did_not_work", Text, nullable=False, default=""),
    Column("carry_on", Text, nullable=False, default=""),
    *_audit_columns(),
)

changes = Table(
    "changes",
    metadata,
    Column("change_id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(20), nullable=False, index=True),
    Column("entity_id", String(200), nullable=False, index=True),
    Column("field", String(50), nullable=False),
    Column("old_value", Text),
    Column("new_value", Text),
    Column("action", String(20), nullable=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", String(40), nullable=False),
    Column("reverts", Integer),
    Column("session_id", String(64)),  # the editor's session: live notices tell apart two people of one name
)

# Wrong editor passcodes, one row per failure and key (a session's key, or "server"): shared by every
# app process on the same store, so guessing is slowed down and locked out across them (core.serving.auth).
signin_failures = Table(
    "signin_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(80), nullable=False, index=True),
    Column("failed_at", Float, nullable=False, index=True),
)
