"""Database errors users can act on.

DatabaseError
├── DatabaseKeyError        the SQLCipher key does not open the file
└── DatabaseUnavailable     the file or server cannot be reached
"""

from __future__ import annotations

__all__ = ["DatabaseError", "DatabaseKeyError", "DatabaseUnavailable"]


class DatabaseError(Exception):
    """A database problem with a message that says what to do."""


class DatabaseKeyError(DatabaseError):
    pass


class DatabaseUnavailable(DatabaseError):
    pass
