"""Which process owns a `running` run, and whether that process is still alive.

Every run records its owner (`SearchRun.owner`): the id of the process executing it. The
reconciliation closes a run only when its owner is gone, so a replica that starts, or takes the
scheduler leadership, never interrupts a run another live replica is carrying out right now.

PostgreSQL: each process holds, for its whole life, a session-level advisory lock keyed on its
own owner id, on a connection of its own. "Is the owner alive?" is then
`pg_try_advisory_xact_lock(key)` from any other session: granted means nobody holds the key, so
the owner's session is gone. This was chosen over a heartbeat column because liveness is then
exactly the liveness of the owner's database session, the same signal the leader election uses:

- no clock: replicas' clocks may differ (and tests inject a fast one), a heartbeat compares them;
- nothing to tune: a heartbeat's staleness limit is either short (a GC pause or a slow database
  makes a live run look dead, and a second process then reconciles it while it is still
  sending) or long (a dead leader's run stays `running` for that long);
- no writes: a heartbeat writes a row every few seconds from every replica, forever.
A process killed with -9 loses its session (and the lock) as soon as PostgreSQL sees the socket
close. The cost is one idle connection per process. A live process whose lock connection
breaks (a database restart) looks dead to the others, which may then close its run; the
executor checks its run is still `running`, under a row lock, before each intent
(`recording.write_intent`), so such a run stops sending rather than racing the next one.

The owner id is random per process (`host:pid:token`): host and pid alone repeat (a restarted
container is pid 1 on the same host name again) and would make a dead process's runs look like
the new process's own.

SQLite is one process per database file: a run is alive only when this process owns it, so a
start interrupts every run left `running`, as before owners existed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
from collections.abc import Collection, Iterator
from typing import Protocol

import structlog
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.engine import Database

__all__ = [
    "LocalOwners",
    "PostgresOwners",
    "RunOwners",
    "new_owner_id",
    "owner_lock_key",
    "owners_for",
]

log = structlog.get_logger(__name__)

# The two-key advisory lock that makes reconciliations one at a time, per schema
# (0x56515300 is the migration lock, 0x56515301 the scheduler leadership).
_RECONCILE_CLASS = 0x56515302
_RECONCILE_WAIT = "30s"


def new_owner_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_lock_key(owner: str) -> int:
    """The single-key (bigint) advisory lock of an owner: 64 bits of a hash, so two live
    processes never collide in practice (the one-key form never meets the two-key locks)."""
    return int.from_bytes(hashlib.sha256(owner.encode()).digest()[:8], "big", signed=True)


class RunOwners(Protocol):
    """This process's owner id and the liveness of the others'."""

    me: str
    shared: bool  # other processes may own runs in this database

    def hold(self) -> None:
        """Announce this process alive (before it starts any run)."""

    def release(self) -> None: ...

    def alive(self, session: Session, owners: Collection[str | None]) -> set[str]:
        """The owners in `owners` whose process is alive (this one included)."""

    def exclusive(self) -> contextlib.AbstractContextManager[bool]:
        """Held around a reconciliation so two replicas never reconcile the same rows at once;
        yields False when it could not be had in time (skip; the next try does it)."""


class LocalOwners:
    shared = False

    def __init__(self, me: str | None = None) -> None:
        self.me = me or new_owner_id()

    def hold(self) -> None:
        return None

    def release(self) -> None:
        return None

    def alive(self, session: Session, owners: Collection[str | None]) -> set[str]:
        return {self.me} if self.me in owners else set()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[bool]:
        yield True


class PostgresOwners:
    shared = True

    def __init__(self, database: Database, me: str | None = None) -> None:
        self.me = me or new_owner_id()
        self._database = database
        self._connection: Connection | None = None

    def hold(self) -> None:
        if self._connection is not None:
            return
        connection = self._database.engine.connect()
        try:
            connection.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": owner_lock_key(self.me)}
            )
            connection.commit()
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        log.info("run_owner_registered", owner=self.me)

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(SQLAlchemyError):
            connection.invalidate()  # closing the session drops the lock; never pool it
            connection.close()

    def alive(self, session: Session, owners: Collection[str | None]) -> set[str]:
        """An owner is alive while its lock is held. The transaction-level probe is released
        when the caller's transaction ends; while it is held the owner cannot come back, but
        owners never do (a new process has a new id)."""
        found: set[str] = set()
        for owner in {o for o in owners if o is not None}:
            if owner == self.me:  # this process runs its own; never reconcile them
                found.add(owner)
                continue
            free = session.execute(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": owner_lock_key(owner)}
            ).scalar()
            if not free:
                found.add(owner)
        return found

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[bool]:
        connection = self._database.engine.connect()
        try:
            try:
                connection.execute(text(f"SET lock_timeout = '{_RECONCILE_WAIT}'"))
                connection.execute(
                    text("SELECT pg_advisory_lock(:cls, hashtext(current_schema()))"),
                    {"cls": _RECONCILE_CLASS},
                )
                connection.commit()
            except SQLAlchemyError:
                log.warning("search_reconcile_busy", detail="another replica is reconciling")
                yield False
                return
            try:
                yield True
            finally:
                with contextlib.suppress(SQLAlchemyError):
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:cls, hashtext(current_schema()))"),
                        {"cls": _RECONCILE_CLASS},
                    )
                    connection.commit()
        finally:
            connection.invalidate()
            connection.close()


def owners_for(database: Database) -> RunOwners:
    if database.sqlite_path is not None:
        return LocalOwners()
    return PostgresOwners(database)
