"""What `GET /api/v1/system/database` answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["DatabaseReport", "IntegrityReport"]


class IntegrityReport(BaseModel):
    check: Literal["quick_check", "integrity_check", "none"]
    ok: bool | None = Field(description="None when the backend has no such check (PostgreSQL).")
    problems: list[str] = Field(
        default_factory=list, description="At most 20, as SQLite words them."
    )
    detail: str = ""


class DatabaseReport(BaseModel):
    backend: Literal["sqlite", "postgresql"]
    size_bytes: int = Field(
        description="File plus WAL for SQLite; pg_database_size for PostgreSQL."
    )
    file_bytes: int | None = None
    wal_bytes: int | None = None
    revision: str | None
    head_revision: str
    migrations_pending: bool
    integrity: IntegrityReport
