"""Database size and integrity, for the admin API and the settings page.

`quick_check` (the default) verifies every page and index structure in a time proportional to
the file; `integrity_check` (`full`) also cross-checks each index against its table, which is
slower on a large library, so it is asked for explicitly. PostgreSQL checks its own pages
(data checksums, amcheck), so only its size and schema are reported.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.system import repository
from vibe_quality_searcharr.system.schemas import DatabaseReport, IntegrityReport

__all__ = ["database_report"]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def database_report(session: Session, database: Database, *, full: bool) -> DatabaseReport:
    revision, head = migrate.current_revision(database), migrate.head_revision()
    common = {"revision": revision, "head_revision": head, "migrations_pending": revision != head}
    path = database.sqlite_path
    if path is None:
        return DatabaseReport(
            backend="postgresql",
            size_bytes=repository.postgres_size(session),
            integrity=IntegrityReport(
                check="none",
                ok=None,
                detail="PostgreSQL verifies its own pages; run pg_amcheck for a deep check",
            ),
            **common,
        )
    problems = repository.integrity_problems(session, full=full)
    file_bytes, wal_bytes = _size(path), _size(path.with_name(path.name + "-wal"))
    return DatabaseReport(
        backend="sqlite",
        size_bytes=file_bytes + wal_bytes,
        file_bytes=file_bytes,
        wal_bytes=wal_bytes,
        integrity=IntegrityReport(
            check="integrity_check" if full else "quick_check", ok=not problems, problems=problems
        ),
        **common,
    )
