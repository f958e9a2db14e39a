"""scheduling and budgets: per-instance query caps, *arr back-off, scheduled slot claims

Revision ID: 0005_scheduling_budgets
Revises: 0004_library_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import vibe_quality_searcharr.db.base

revision = "0005_scheduling_budgets"
down_revision = "0004_library_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_backoff",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("until", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_instance_backoff_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_instance_backoff")),
    )
    op.create_table(
        "instance_limits",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("hourly_cap", sa.Integer(), nullable=True),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("headroom_percent", sa.Integer(), nullable=False),
        sa.Column("prowlarr_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_instance_limits_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prowlarr_id"],
            ["instance.id"],
            name=op.f("fk_instance_limits_prowlarr_id_instance"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_instance_limits")),
    )
    op.create_table(
        "queue_slot_claim",
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("slot_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["search_queue.id"],
            name=op.f("fk_queue_slot_claim_queue_id_search_queue"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("queue_id", name=op.f("pk_queue_slot_claim")),
    )


def downgrade() -> None:
    op.drop_table("queue_slot_claim")
    op.drop_table("instance_limits")
    op.drop_table("instance_backoff")
