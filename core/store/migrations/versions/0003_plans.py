"""Plans have periods: the ``plans`` table, each plan's own goals, sub-goals, indicator tiles and
indicator choices, and ``plan_id`` on measures and vuosikello events (measures also ``carried_from``).

Everything a store held before belongs to the one plan it knew, ``kymenlaakso-2020-2025`` (data/,
ended): its measures and events are tagged with that id here. The plan's row and its goals,
sub-goals and tiles are written from data/ when the store opens (``Store.seed``), the same code that
seeds a new store; evaluations, values and history need no change (evaluations follow their
measure, values are the region's facts shared by every plan, history names the rows it changed).

Revision ID: 0003_plans
Revises: 0002_signin_failures
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_plans"
down_revision = "0002_signin_failures"
branch_labels = None
depends_on = None

FIRST_PLAN = "kymenlaakso-2020-2025"  # the plan every earlier store belongs to


def _audit() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("plan_id", sa.String(80), primary_key=True),
        sa.Column("name_fi", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("period_start", sa.Integer, nullable=False),
        sa.Column("period_end", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("source_plan_id", sa.String(80)),
        sa.Column("meta", sa.Text, nullable=False),
        *_audit(),
    )
    op.create_table(
        "plan_goals",
        sa.Column("plan_id", sa.String(80), sa.ForeignKey("plans.plan_id"), nullable=False),
        sa.Column("goal_id", sa.String(10), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title_fi", sa.Text, nullable=False),
        sa.Column("title_en", sa.Text, nullable=False),
        sa.Column("preventive_pct", sa.Float, nullable=False),
        sa.Column("early_support_pct", sa.Float, nullable=False),
        sa.Column("intensive_pct", sa.Float, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("plan_id", "goal_id", name="pk_plan_goals"),
    )
    op.create_table(
        "plan_subgoals",
        sa.Column("plan_id", sa.String(80), sa.ForeignKey("plans.plan_id"), nullable=False),
        sa.Column("subgoal_id", sa.String(20), nullable=False),
        sa.Column("goal_id", sa.String(10), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("title_fi", sa.Text, nullable=False),
        sa.Column("title_en", sa.Text, nullable=False),
        sa.Column("difficulty", sa.String(20), nullable=False),
        sa.Column("impact", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("plan_id", "subgoal_id", name="pk_plan_subgoals"),
    )
    op.create_table(
        "plan_subgoal_indicators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(80), sa.ForeignKey("plans.plan_id"), nullable=False, index=True),
        sa.Column("subgoal_id", sa.String(20), nullable=False),
        sa.Column("indicator_id", sa.Integer, nullable=False),
        sa.Column("series_id", sa.String(50), nullable=False),
        sa.Column("sort_order", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.UniqueConstraint("plan_id", "subgoal_id", "indicator_id", "series_id", name="uq_plan_subgoal_indicator"),
    )
    op.create_table(
        "plan_indicators",
        sa.Column("plan_id", sa.String(80), sa.ForeignKey("plans.plan_id"), nullable=False),
        sa.Column("indicator_id", sa.Integer, nullable=False),
        sa.Column("choice", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        *_audit(),
        sa.PrimaryKeyConstraint("plan_id", "indicator_id", name="pk_plan_indicators"),
    )
    for table, extra in (("measures", [sa.Column("carried_from", sa.String(80))]), ("events", [])):
        # added with the first plan's id as default, so every existing row gets it; the default is
        # then dropped (new rows always name their plan)
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("plan_id", sa.String(80), nullable=False, server_default=FIRST_PLAN))
            for column in extra:
                batch.add_column(column)
        with op.batch_alter_table(table) as batch:
            batch.alter_column("plan_id", server_default=None, existing_type=sa.String(80), existing_nullable=False)
            batch.create_index(f"ix_{table}_plan_id", ["plan_id"])


def downgrade() -> None:
    for table, extra in (("measures", ["carried_from"]), ("events", [])):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_plan_id")
            batch.drop_column("plan_id")
            for name in extra:
                batch.drop_column(name)
    for name in ("plan_indicators", "plan_subgoal_indicators", "plan_subgoals", "plan_goals", "plans"):
        op.drop_table(name)
