"""A cheap fingerprint of everything stored, to prove a refused request changed nothing.

Every table is read in primary-key order and hashed, except what a refused request is meant to
write: the audit trail (a failed sign-in or a refused action is recorded there on purpose), the
sign-in throttle (a wrong password must count against the attempt), and the "last seen/used"
stamps a credential gets on every request it authenticates, refused or not.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import MetaData, Table, select

from vibe_quality_searcharr.db.engine import Database

__all__ = ["IGNORED_COLUMNS", "IGNORED_TABLES", "Snapshotter"]

IGNORED_TABLES = frozenset(
    {
        "audit_events",  # records refused and failed attempts by design
        "login_throttle",  # the sign-in rate-limit counters
    }
)
IGNORED_COLUMNS = {
    "user_sessions": frozenset({"last_seen_at"}),  # touched by every authenticated request
    "api_tokens": frozenset({"last_used_at"}),
    # A test message's delivery record: written when the attempt fails too (the page says so).
    "notification_target": frozenset(
        {"last_sent_at", "last_error", "last_error_at", "sent_count", "failures", "updated_at"}
    ),
}


class Snapshotter:
    """Per-table digests of one database; the schema is reflected once."""

    def __init__(self, database: Database) -> None:
        self.database = database
        metadata = MetaData()
        metadata.reflect(database.engine)
        self.tables: list[Table] = [
            table for table in metadata.sorted_tables if table.name not in IGNORED_TABLES
        ]
        assert {"instance", "search_queue", "exclusion", "users"} <= {t.name for t in self.tables}

    def take(self) -> dict[str, str]:
        digests: dict[str, str] = {}
        with self.database.engine.connect() as connection:
            for table in self.tables:
                ignored = IGNORED_COLUMNS.get(table.name, frozenset())
                columns = [column for column in table.columns if column.name not in ignored]
                order = list(table.primary_key.columns) or columns
                digest = hashlib.sha256()
                for row in connection.execute(select(*columns).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
                digests[table.name] = digest.hexdigest()
        return digests

    @staticmethod
    def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
        """The tables whose rows differ between two snapshots."""
        return sorted(
            name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
        )
