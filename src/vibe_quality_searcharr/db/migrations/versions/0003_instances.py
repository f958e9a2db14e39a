"""instances: *arr instances with encrypted API keys, their health state and history

Revision ID: 0003_instances
Revises: 0001_initial (re-chained to 0002_users at merge)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import vibe_quality_searcharr.db.base

revision = "0003_instances"
down_revision = "0002_users"
branch_labels = None
depends_on = None

UTC = vibe_quality_searcharr.db.base.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "instance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("app", sa.String(length=20), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("api_key_encrypted", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", UTC(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance")),
        sa.UniqueConstraint("name", name=op.f("uq_instance_name")),
    )
    op.create_table(
        "instance_health",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("consecutive_successes", sa.Integer(), nullable=False),
        sa.Column("disk_low", sa.Boolean(), nullable=False),
        sa.Column("paused_by_health", sa.Boolean(), nullable=False),
        sa.Column("last_checked_at", UTC(), nullable=True),
        sa.Column("last_ok_at", UTC(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("version", sa.String(length=50), nullable=True),
        sa.Column("free_space_bytes", sa.BigInteger(), nullable=True),
        sa.Column("changed_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_instance_health_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_instance_health")),
    )
    op.create_index(
        op.f("ix_instance_health_paused_by_health"),
        "instance_health",
        ["paused_by_health"],
    )
    op.create_table(
        "instance_health_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("paused_by_health", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_instance_health_event_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_health_event")),
    )
    op.create_index(
        op.f("ix_instance_health_event_instance_id"), "instance_health_event", ["instance_id"]
    )
    op.create_index(op.f("ix_instance_health_event_at"), "instance_health_event", ["at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_instance_health_event_at"), table_name="instance_health_event")
    op.drop_index(op.f("ix_instance_health_event_instance_id"), table_name="instance_health_event")
    op.drop_table("instance_health_event")
    op.drop_index(op.f("ix_instance_health_paused_by_health"), table_name="instance_health")
    op.drop_table("instance_health")
    op.drop_table("instance")
