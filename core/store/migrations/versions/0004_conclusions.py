"""The working group's conclusions of a plan's final evaluation (``conclusions``).

Revision ID: 0004_conclusions
Revises: 0003_change_session
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_conclusions"
down_revision = "0003_change_session"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conclusions",
        sa.Column("plan_id", sa.String(80), primary_key=True),
        sa.Column("scope", sa.String(20), primary_key=True),
        sa.Column("worked", sa.Text, nullable=False),
        sa.Column("did_not_work", sa.Text, nullable=False),
        sa.Column("carry_on", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("conclusions")
