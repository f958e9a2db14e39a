"""The stored secrets themselves: read and re-encrypt every registered column, in chunks.

Identifiers come from `security.encrypted_columns` (code, never input), so quoting them into
the SQL is safe; values are always bound. Rows are walked by primary key, 500 at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from vibe_quality_searcharr.backups.errors import RotationError
from vibe_quality_searcharr.security.crypto import DecryptionError, SecretBox
from vibe_quality_searcharr.security.encrypted_columns import ENCRYPTED_COLUMNS, EncryptedColumn

__all__ = ["Undecryptable", "count_undecryptable", "reencrypt_all"]

CHUNK = 500


@dataclass(frozen=True)
class Undecryptable:
    column: EncryptedColumn
    row_ids: tuple[int, ...]

    def describe(self) -> str:
        ids = ", ".join(str(row) for row in self.row_ids[:10])
        more = "..." if len(self.row_ids) > 10 else ""
        return f"{self.column.table}.{self.column.column} (rows {ids}{more})"


def _rows(session: Session, column: EncryptedColumn) -> Iterator[tuple[int, str]]:
    table, value, key = (f'"{name}"' for name in (column.table, column.column, column.key))
    query = text(
        f"SELECT {key}, {value} FROM {table} WHERE {value} IS NOT NULL AND {key} > :after "  # noqa: S608
        f"ORDER BY {key} LIMIT {CHUNK}"
    )
    after = 0
    while True:
        chunk = [(int(row[0]), str(row[1])) for row in session.execute(query, {"after": after})]
        yield from chunk
        if len(chunk) < CHUNK:
            return
        after = chunk[-1][0]


def _update(session: Session, column: EncryptedColumn, row_id: int, token: str) -> None:
    table, value, key = (f'"{name}"' for name in (column.table, column.column, column.key))
    session.execute(
        text(f"UPDATE {table} SET {value} = :token WHERE {key} = :id"),  # noqa: S608
        {"token": token, "id": row_id},
    )


def _undecryptable(session: Session, masters: Sequence[str]) -> list[Undecryptable]:
    found: list[Undecryptable] = []
    for column in ENCRYPTED_COLUMNS:
        box = SecretBox(masters, column.purpose)
        bad: list[int] = []
        for row_id, token in _rows(session, column):
            try:
                box.decrypt(token)
            except DecryptionError:
                bad.append(row_id)
        if bad:
            found.append(Undecryptable(column, tuple(bad)))
    return found


def count_undecryptable(
    session: Session, masters: Sequence[str]
) -> tuple[int, list[Undecryptable]]:
    """How many stored secrets there are, and which ones no given master secret opens."""
    total = sum(sum(1 for _ in _rows(session, column)) for column in ENCRYPTED_COLUMNS)
    return total, _undecryptable(session, masters)


def reencrypt_all(session: Session, new_master: str, old_masters: Sequence[str]) -> int:
    """Re-encrypt every stored secret under `new_master` (tokens already under it are simply
    re-encrypted again, which makes this safe to repeat). Refuses, changing nothing, when any
    token opens with neither key: that secret would otherwise be lost silently."""
    masters = [new_master, *old_masters]
    lost = _undecryptable(session, masters)
    if lost:
        raise RotationError(
            "some stored secrets decrypt with neither the old nor the new master secret: "
            + "; ".join(item.describe() for item in lost)
            + ". Re-enter them (or delete those instances / turn 2FA off for those users), "
            "then run this again"
        )
    count = 0
    for column in ENCRYPTED_COLUMNS:
        box = SecretBox(masters, column.purpose)
        for row_id, token in _rows(session, column):
            _update(session, column, row_id, box.rotate(token))
            count += 1
    session.flush()
    return count
