"""The editor's session in every line of history (``changes.session_id``).

Live notices ("someone else saved the rows you are editing") follow the session, not the display
name, so two editors signed in under the same name still notice each other. Older lines have none.

Revision ID: 0003_change_session
Revises: 0002_signin_failures
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_change_session"
down_revision = "0002_signin_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.add_column(sa.Column("session_id", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("changes") as batch:
        batch.drop_column("session_id")
