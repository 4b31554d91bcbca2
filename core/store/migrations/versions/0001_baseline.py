"""Baseline: the schema of release 343a1bf (schema_info version 2), before migrations existed.

A store made by that release (or by any later one before migrations) has exactly these tables;
``core.store.migrate`` stamps it at this revision instead of running it. The columns are written
out here, not taken from ``core.store.schema``, so later changes of the tables never change what
this migration makes.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

MEASURE_TEXT_FIELDS = ("toimenpide", "mittari", "aikataulu", "toimijat", "seuranta")


def _audit() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "schema_info",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "measures",
        sa.Column("measure_id", sa.String(80), primary_key=True),
        sa.Column("actor_id", sa.String(50), nullable=False, index=True),
        sa.Column("subgoal_id", sa.String(10), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("row_kind", sa.String(20), nullable=False),
        *[sa.Column(f, sa.Text, nullable=False) for f in MEASURE_TEXT_FIELDS],
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("start_year", sa.Integer),
        sa.Column("end_year", sa.Integer),
        sa.Column("permanent", sa.Boolean, nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("source_line_start", sa.Integer),
        sa.Column("source_line_end", sa.Integer),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        *_audit(),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator_id", sa.Integer, nullable=False),
        sa.Column("series_id", sa.String(50), nullable=False),
        sa.Column("group_id", sa.String(50), nullable=False),
        sa.Column("area", sa.String(80), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("value_as_printed", sa.String(100), nullable=False),
        sa.Column("flag", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        *_audit(),
        sa.UniqueConstraint("indicator_id", "series_id", "group_id", "area", "year", name="uq_observation"),
    )
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("measure_id", sa.String(80), nullable=False, index=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("rating", sa.Integer),
        sa.Column("comment", sa.Text, nullable=False),
        sa.Column("evaluator", sa.String(200), nullable=False),
        sa.Column("evaluated_on", sa.String(10), nullable=False),
        *_audit(),
        sa.UniqueConstraint("measure_id", "year", name="uq_evaluation"),
    )
    op.create_table(
        "events",
        sa.Column("event_id", sa.String(80), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("months", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        *_audit(),
    )
    op.create_table(
        "changes",
        sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(20), nullable=False, index=True),
        sa.Column("entity_id", sa.String(200), nullable=False, index=True),
        sa.Column("field", sa.String(50), nullable=False),
        sa.Column("old_value", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.String(40), nullable=False),
        sa.Column("reverts", sa.Integer),
    )


def downgrade() -> None:
    for name in ("changes", "events", "evaluations", "observations", "measures", "schema_info"):
        op.drop_table(name)
