"""Wrong editor passcodes shared by every app process (``signin_failures``, main 3b6fd13).

That commit added the table with ``create_all`` before migrations existed, so a store stamped at
the baseline may have it already: it is only created where it is missing.

Revision ID: 0002_signin_failures
Revises: 0001_baseline
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_signin_failures"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "signin_failures" in sa.inspect(op.get_bind()).get_table_names():
        return
    op.create_table(
        "signin_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(80), nullable=False, index=True),
        sa.Column("failed_at", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("signin_failures")
