"""The queries behind the database report: sizes and SQLite's own consistency checks."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["integrity_problems", "postgres_size"]

_MAX_PROBLEMS = 20


def integrity_problems(session: Session, *, full: bool) -> list[str]:
    """[] when SQLite finds nothing wrong; otherwise its messages (at most 20)."""
    pragma = "integrity_check" if full else "quick_check"
    rows = session.execute(text(f"PRAGMA {pragma}({_MAX_PROBLEMS})")).scalars().all()
    return [] if list(rows) == ["ok"] else [str(row) for row in rows]


def postgres_size(session: Session) -> int:
    return int(session.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
