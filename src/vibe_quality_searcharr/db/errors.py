"""Database errors users can act on.

DatabaseError
├── DatabaseKeyError        the SQLCipher key does not open the file
├── DatabaseCorrupt         the file is damaged: restore a backup
└── DatabaseUnavailable     the file or server cannot be reached
    └── DatabaseMissing     the SQLite file vanished (or never came back): it is not re-created
"""

from __future__ import annotations

__all__ = [
    "DatabaseCorrupt",
    "DatabaseError",
    "DatabaseKeyError",
    "DatabaseMissing",
    "DatabaseUnavailable",
]


class DatabaseError(Exception):
    """A database problem with a message that says what to do."""


class DatabaseKeyError(DatabaseError):
    pass


class DatabaseCorrupt(DatabaseError):
    pass


class DatabaseUnavailable(DatabaseError):
    pass


class DatabaseMissing(DatabaseUnavailable):
    pass
