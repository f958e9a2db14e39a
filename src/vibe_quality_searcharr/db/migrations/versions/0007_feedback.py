"""feedback: search_command.rechecked_at marks the delayed grab/import re-check as done

Revision ID: 0007_feedback
Revises: 0006_notifications
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import vibe_quality_searcharr.db.base

revision = "0007_feedback"
down_revision = "0006_notifications"
branch_labels = None
depends_on = None

UTC = vibe_quality_searcharr.db.base.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("search_command") as batch:
        batch.add_column(sa.Column("rechecked_at", UTC(), nullable=True))
        batch.create_index("ix_search_command_rechecked", ["status", "rechecked_at"])


def downgrade() -> None:
    with op.batch_alter_table("search_command") as batch:
        batch.drop_index("ix_search_command_rechecked")
        batch.drop_column("rechecked_at")
