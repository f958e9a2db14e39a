"""library mirror and search: mirrored items, parents, seasons, profiles, tags, sync state;
queues, cycles, runs, commands (history), search records (cooldowns), exclusions

Revision ID: 0004_library_search
Revises: 0003_instances
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import vibe_quality_searcharr.db.base

revision = "0004_library_search"
down_revision = "0003_instances"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exclusion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("arr_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expires_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_exclusion_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusion")),
        sa.UniqueConstraint(
            "instance_id", "scope", "arr_id", name=op.f("uq_exclusion_instance_id_scope_arr_id")
        ),
    )
    op.create_index(op.f("ix_exclusion_expires_at"), "exclusion", ["expires_at"], unique=False)
    op.create_table(
        "library_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("arr_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("season_number", sa.Integer(), nullable=True),
        sa.Column("episode_number", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("released_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("monitored", sa.Boolean(), nullable=False),
        sa.Column("parent_monitored", sa.Boolean(), nullable=False),
        sa.Column("has_file", sa.Boolean(), nullable=False),
        sa.Column("missing", sa.Boolean(), nullable=False),
        sa.Column("cutoff_unmet", sa.Boolean(), nullable=False),
        sa.Column("format_score", sa.Integer(), nullable=True),
        sa.Column("quality_profile_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=50), nullable=True),
        sa.Column("tags", sa.String(length=1000), nullable=False),
        sa.Column(
            "arr_last_search",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_library_item_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_item")),
        sa.UniqueConstraint(
            "instance_id", "arr_id", name=op.f("uq_library_item_instance_id_arr_id")
        ),
    )
    op.create_index(
        "ix_library_item_instance_parent",
        "library_item",
        ["instance_id", "parent_id"],
        unique=False,
    )
    op.create_table(
        "library_parent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("arr_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("sort_title", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=50), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("monitored", sa.Boolean(), nullable=False),
        sa.Column("quality_profile_id", sa.Integer(), nullable=True),
        sa.Column("tags", sa.String(length=1000), nullable=False),
        sa.Column("poster_path", sa.String(length=1000), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("files_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_library_parent_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_parent")),
        sa.UniqueConstraint(
            "instance_id", "arr_id", name=op.f("uq_library_parent_instance_id_arr_id")
        ),
    )
    op.create_table(
        "library_profile",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("arr_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("upgrade_allowed", sa.Boolean(), nullable=False),
        sa.Column("cutoff_format_score", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_library_profile_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", "arr_id", name=op.f("pk_library_profile")),
    )
    op.create_table(
        "library_season",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("season_number", sa.Integer(), nullable=False),
        sa.Column("monitored", sa.Boolean(), nullable=False),
        sa.Column("next_airing", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("last_aired", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("episode_count", sa.Integer(), nullable=False),
        sa.Column("episode_file_count", sa.Integer(), nullable=False),
        sa.Column("episodes_to_air", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_library_season_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "instance_id", "series_id", "season_number", name=op.f("pk_library_season")
        ),
    )
    op.create_table(
        "library_sync_state",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("finished_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column(
            "last_success_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=True,
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=40), nullable=True),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_library_sync_state_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", name=op.f("pk_library_sync_state")),
    )
    op.create_table(
        "library_tag",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("arr_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_library_tag_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", "arr_id", name=op.f("pk_library_tag")),
    )
    op.create_table(
        "search_item_state",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column(
            "last_searched_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("fruitless", sa.Integer(), nullable=False),
        sa.Column(
            "last_grabbed_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=True,
        ),
        sa.Column(
            "released_at_seen",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=True,
        ),
        sa.Column("profile_id_seen", sa.Integer(), nullable=True),
        sa.Column("grabs", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_search_item_state_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("instance_id", "item_id", name=op.f("pk_search_item_state")),
    )
    op.create_table(
        "search_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("strategy", sa.String(length=30), nullable=False),
        sa.Column("search_order", sa.String(length=40), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("preset", sa.String(length=40), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("run_count", sa.Integer(), nullable=False),
        sa.Column("last_run_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("cycle_number", sa.Integer(), nullable=True),
        sa.Column(
            "cycle_started_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=True,
        ),
        sa.Column(
            "created_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_search_queue_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_queue")),
        sa.UniqueConstraint("name", name=op.f("uq_search_queue_name")),
    )
    op.create_index(
        op.f("ix_search_queue_instance_id"), "search_queue", ["instance_id"], unique=False
    )
    op.create_table(
        "search_season_state",
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("season_number", sa.Integer(), nullable=False),
        sa.Column(
            "last_searched_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("fruitless", sa.Integer(), nullable=False),
        sa.Column(
            "last_grabbed_at",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=True,
        ),
        sa.Column(
            "released_at_seen",
            vibe_quality_searcharr.db.base.UTCDateTime(),
            nullable=True,
        ),
        sa.Column("profile_id_seen", sa.Integer(), nullable=True),
        sa.Column("grabs", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_search_season_state_instance_id_instance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "instance_id", "series_id", "season_number", name=op.f("pk_search_season_state")
        ),
    )
    op.create_table(
        "search_cycle_item",
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["search_queue.id"],
            name=op.f("fk_search_cycle_item_queue_id_search_queue"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("queue_id", "item_id", name=op.f("pk_search_cycle_item")),
    )
    op.create_table(
        "search_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("queue_name", sa.String(length=100), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("instance_name", sa.String(length=100), nullable=False),
        sa.Column("strategy", sa.String(length=30), nullable=False),
        sa.Column("search_order", sa.String(length=40), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("planned_commands", sa.Integer(), nullable=False),
        sa.Column("planned_items", sa.Integer(), nullable=False),
        sa.Column("sent_commands", sa.Integer(), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("grabbed", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("hold_code", sa.String(length=40), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_search_run_instance_id_instance"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["search_queue.id"],
            name=op.f("fk_search_run_queue_id_search_queue"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_run")),
    )
    op.create_index(op.f("ix_search_run_instance_id"), "search_run", ["instance_id"], unique=False)
    op.create_index(
        "ix_search_run_queue_started", "search_run", ["queue_id", "started_at"], unique=False
    )
    op.create_index(op.f("ix_search_run_started_at"), "search_run", ["started_at"], unique=False)
    op.create_index(op.f("ix_search_run_status"), "search_run", ["status"], unique=False)
    op.create_table(
        "search_command",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("queue_name", sa.String(length=100), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("instance_name", sa.String(length=100), nullable=False),
        sa.Column("strategy", sa.String(length=30), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("season_number", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("arr_command_id", sa.Integer(), nullable=True),
        sa.Column("arr_status", sa.String(length=20), nullable=True),
        sa.Column("arr_result", sa.String(length=20), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("intent_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=False),
        sa.Column("sent_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("finished_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("grabbed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["instance.id"],
            name=op.f("fk_search_command_instance_id_instance"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["search_queue.id"],
            name=op.f("fk_search_command_queue_id_search_queue"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["search_run.id"],
            name=op.f("fk_search_command_run_id_search_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_command")),
    )
    op.create_index(
        "ix_search_command_instance_intent",
        "search_command",
        ["instance_id", "intent_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_search_command_intent_at"), "search_command", ["intent_at"], unique=False
    )
    op.create_index(
        "ix_search_command_queue_intent", "search_command", ["queue_id", "intent_at"], unique=False
    )
    op.create_index(op.f("ix_search_command_run_id"), "search_command", ["run_id"], unique=False)
    op.create_index(op.f("ix_search_command_status"), "search_command", ["status"], unique=False)
    op.create_table(
        "search_command_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("command_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=500), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("grabbed", sa.Boolean(), nullable=False),
        sa.Column("grabbed_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.Column("imported_at", vibe_quality_searcharr.db.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["command_id"],
            ["search_command.id"],
            name=op.f("fk_search_command_item_command_id_search_command"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_command_item")),
    )
    op.create_index(
        op.f("ix_search_command_item_command_id"),
        "search_command_item",
        ["command_id"],
        unique=False,
    )
    op.create_index(
        "ix_search_command_item_instance_item",
        "search_command_item",
        ["instance_id", "item_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_search_command_item_instance_item", table_name="search_command_item")
    op.drop_index(op.f("ix_search_command_item_command_id"), table_name="search_command_item")
    op.drop_table("search_command_item")
    op.drop_index(op.f("ix_search_command_status"), table_name="search_command")
    op.drop_index(op.f("ix_search_command_run_id"), table_name="search_command")
    op.drop_index("ix_search_command_queue_intent", table_name="search_command")
    op.drop_index(op.f("ix_search_command_intent_at"), table_name="search_command")
    op.drop_index("ix_search_command_instance_intent", table_name="search_command")
    op.drop_table("search_command")
    op.drop_index(op.f("ix_search_run_status"), table_name="search_run")
    op.drop_index(op.f("ix_search_run_started_at"), table_name="search_run")
    op.drop_index("ix_search_run_queue_started", table_name="search_run")
    op.drop_index(op.f("ix_search_run_instance_id"), table_name="search_run")
    op.drop_table("search_run")
    op.drop_table("search_cycle_item")
    op.drop_table("search_season_state")
    op.drop_index(op.f("ix_search_queue_instance_id"), table_name="search_queue")
    op.drop_table("search_queue")
    op.drop_table("search_item_state")
    op.drop_table("library_tag")
    op.drop_table("library_sync_state")
    op.drop_table("library_season")
    op.drop_table("library_profile")
    op.drop_table("library_parent")
    op.drop_index("ix_library_item_instance_parent", table_name="library_item")
    op.drop_table("library_item")
    op.drop_index(op.f("ix_exclusion_expires_at"), table_name="exclusion")
    op.drop_table("exclusion")
