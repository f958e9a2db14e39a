"""Why a backup, restore or key rotation refused to go on. Each message says what to do.

BackupError
├── BackupUnsupported        PostgreSQL: use pg_dump
├── DatabaseInUse            the server (or another process) has the database open
├── BackupRejected           a file offered to restore fails a check
│   ├── NotADatabase
│   ├── ForeignBackup        does not decrypt with this install's key
│   ├── CorruptBackup        integrity_check is not ok
│   └── IncompatibleSchema   no schema version, or one newer than this build
└── RotationError            a key rotation cannot proceed (nothing was lost)
"""

from __future__ import annotations

__all__ = [
    "BackupError",
    "BackupRejected",
    "BackupUnsupported",
    "CorruptBackup",
    "DatabaseInUse",
    "ForeignBackup",
    "IncompatibleSchema",
    "NotADatabase",
    "RotationError",
]

PG_DUMP_HINT = (
    "the database is PostgreSQL: back it up with PostgreSQL's own tools, e.g. "
    '`pg_dump --format=custom --file=vqs.dump "$DATABASE_URL"` (restore with pg_restore), '
    "and keep the secrets directory (master_secret, pepper) with the dump"
)


class BackupError(Exception):
    """The operation stopped before changing anything it could not undo."""


class BackupUnsupported(BackupError):
    def __init__(self) -> None:
        super().__init__(PG_DUMP_HINT)


class DatabaseInUse(BackupError):
    pass


class BackupRejected(BackupError):
    pass


class NotADatabase(BackupRejected):
    pass


class ForeignBackup(BackupRejected):
    pass


class CorruptBackup(BackupRejected):
    pass


class IncompatibleSchema(BackupRejected):
    pass


class RotationError(BackupError):
    pass
