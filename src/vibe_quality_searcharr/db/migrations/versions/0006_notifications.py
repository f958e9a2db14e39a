"""notifications: Apprise targets with encrypted URLs, subscriptions and delivery state;
an index on search_command_item.grabbed_at for the widget's "grabs today"

Revision ID: 0006_notifications
Revises: 0005_scheduling_budgets
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import vibe_quality_searcharr.db.base

revision = "0006_notifications"
down_revision = "0005_scheduling_budgets"
branch_labels = None
depends_on = None

UTC = vibe_quality_searcharr.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "notification_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url_encrypted", sa.Text(), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("last_sent_at", UTC(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", UTC(), nullable=True),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UTC(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_target")),
        sa.UniqueConstraint("name", name=op.f("uq_notification_target_name")),
    )
    op.create_index(
        op.f("ix_search_command_item_grabbed_at"), "search_command_item", ["grabbed_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_search_command_item_grabbed_at"), table_name="search_command_item")
    op.drop_table("notification_target")
