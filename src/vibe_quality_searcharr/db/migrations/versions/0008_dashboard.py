"""dashboard: a covering index for the per-day totals of the history charts

Revision ID: 0008_dashboard
Revises: 0007_feedback
"""

from __future__ import annotations

from alembic import op

revision = "0008_dashboard"
down_revision = "0007_feedback"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # (intent_at, status, grabbed): the 30-day aggregate is a range scan of the index alone.
    op.create_index("ix_search_command_day", "search_command", ["intent_at", "status", "grabbed"])


def downgrade() -> None:
    op.drop_index("ix_search_command_day", table_name="search_command")
