"""run owner: search_run.owner names the process carrying out a run, so a replica that starts
(or takes the scheduler leadership) reconciles only runs whose owner is gone

Revision ID: 0009_run_owner
Revises: 0008_dashboard
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_run_owner"
down_revision = "0008_dashboard"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("search_run") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("search_run") as batch:
        batch.drop_column("owner")
