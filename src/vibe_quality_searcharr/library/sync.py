"""Sync of one instance's library mirror: read everything from the *arr, then write the diff in
one transaction.

    claim (running) ─► read the *arr (async, paged) ─► apply the diff + state ok (one commit)
                             │ any error                     │ any error (rolled back)
                             └──────────────► state failed, last_error; mirror untouched

The wanted endpoints have no "changed since", so every sync reads the lists whole; what is
incremental is the write (only changed rows) and the episode-file reads (only for series whose
file statistics or profile changed). One sync per instance runs at a time in this process, and
a `running` state younger than `STALE_AFTER` refuses a second one from another process.
Network work stays on the event loop; database work runs in worker threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
import structlog
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.clients import MediaClient
from vibe_quality_searcharr.arr.errors import ArrError
from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.db.failures import classify
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.instances.urls import BlockedAddress
from vibe_quality_searcharr.library.apply import apply_snapshot, previous_files_keys
from vibe_quality_searcharr.library.fetch_episodes import fetch_episodes
from vibe_quality_searcharr.library.fetch_movies import fetch_movies
from vibe_quality_searcharr.library.fetch_releases import fetch_albums, fetch_books
from vibe_quality_searcharr.library.fetching import FetchContext
from vibe_quality_searcharr.library.models import LibraryItem, LibrarySyncState, SyncStatus
from vibe_quality_searcharr.observability.redaction import registry
from vibe_quality_searcharr.security.crypto import DecryptionError, SecretBox

__all__ = [
    "FETCHERS",
    "STALE_AFTER",
    "LibrarySync",
    "SyncAlreadyRunning",
    "SyncNotPossible",
    "SyncOutcome",
    "release_interrupted_syncs",
]

log = structlog.get_logger(__name__)
STALE_AFTER = timedelta(hours=2)

FETCHERS: dict[ArrApp, Callable[[FetchContext], Awaitable[None]]] = {
    ArrApp.SONARR: fetch_episodes,
    ArrApp.WHISPARR: fetch_episodes,
    ArrApp.RADARR: fetch_movies,
    ArrApp.WHISPARR_V3: fetch_movies,
    ArrApp.LIDARR: fetch_albums,
    ArrApp.READARR: fetch_books,
}


INTERRUPTED_SYNC = "the service stopped during this sync; the next one starts over"


def release_interrupted_syncs(database: Database, now: datetime) -> list[int]:
    """At start, on SQLite only: a `running` sync state can only be left by a process that died
    (one process owns an SQLCipher file), and would otherwise refuse every sync of its instance
    for `STALE_AFTER`. Marked failed, so the next sync runs at once. (On PostgreSQL another
    replica may really be syncing; the stale rule stays.) The mirror itself is untouched: a
    sync writes it in one transaction at its end."""
    if database.backend != "sqlite":
        return []
    with database.session_scope() as session:
        states = session.scalars(
            select(LibrarySyncState).where(LibrarySyncState.status == SyncStatus.RUNNING)
        ).all()
        for state in states:
            state.status = SyncStatus.FAILED
            state.finished_at = now
            state.last_error = INTERRUPTED_SYNC
            state.phase = None
        return [state.instance_id for state in states]


class SyncAlreadyRunning(Exception):
    """A sync of this instance is running already (here or, recently, in another process)."""


class SyncNotPossible(Exception):
    """The instance cannot be synced (gone, disabled, Prowlarr, undecryptable key)."""


@dataclass(frozen=True)
class SyncOutcome:
    instance_id: int
    ok: bool
    items: int = 0
    counts: dict[str, Any] = field(default_factory=dict)
    duration_ms: int = 0
    error: str | None = None


@dataclass(frozen=True)
class _Claim:
    name: str
    app: ArrApp
    target: Any
    files_keys: dict[int, str]


def one_line(exc: BaseException) -> str:
    """A clear, single-line, secret-free message for `last_error` and events."""
    if isinstance(exc, ArrError):
        text = exc.detail
    elif isinstance(exc, BlockedAddress):
        text = f"the instance address is not allowed: {exc}"
    elif (failure := classify(exc)) is not None:
        text = f"{failure.message} The previous mirror is kept."
    elif isinstance(exc, SQLAlchemyError):
        text = f"the database refused the mirror update ({type(exc).__name__}); nothing was changed"
    else:
        text = f"the sync failed unexpectedly ({type(exc).__name__}: {exc})"
    return registry.scrub(" ".join(text.split()))[:1000]


# SQLite pages the sync's write connection may cache (KiB). SQLCipher's default is 8 MB: a
# write that streams every row once gains nothing from it, and it would be the largest single
# allocation of a sync; reads on the connection get their default back afterwards.
_WRITE_CACHE_KIB = 1000


@contextlib.contextmanager
def _small_page_cache(session: Session) -> Iterator[None]:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{_WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        if isinstance(previous, int):
            connection.exec_driver_sql(f"PRAGMA cache_size = {previous}")


class LibrarySync:
    """Runs syncs. One object per process (see `library.jobs.install_library_sync`)."""

    def __init__(
        self,
        database: Database,
        events: EventBus,
        box: SecretBox,
        *,
        connector: Connector | None = None,
        clock: Callable[[], datetime] = utcnow,
        monotonic: Callable[[], float] = time.perf_counter,
        max_file_fetches: int = 250,
    ) -> None:
        self.database = database
        self.events = events
        self.box = box
        self.connector = connector or Connector()
        self.clock = clock
        self.monotonic = monotonic
        self.max_file_fetches = max_file_fetches
        # Sync an instance as soon as it is added (set where the scheduler runs).
        self.sync_new_instances = False
        self._running: set[int] = set()
        self._tasks: set[asyncio.Task[SyncOutcome | None]] = set()
        # instance id -> latest progress of the sync running here (phase, done, total).
        self.progress: dict[int, dict[str, Any]] = {}

    def is_running(self, instance_id: int) -> bool:
        return instance_id in self._running

    def start(self, instance_id: int) -> bool:
        """Start a sync in the background on the running loop; False if one is running."""
        if instance_id in self._running:
            return False
        loop = asyncio.get_running_loop()
        self._running.add(instance_id)  # before the task runs: a second start sees it
        task = loop.create_task(self._background(instance_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def _background(self, instance_id: int) -> SyncOutcome | None:
        try:
            return await self._sync(instance_id)
        except (SyncAlreadyRunning, SyncNotPossible) as exc:
            log.info("library_sync_not_started", instance_id=instance_id, reason=str(exc))
            return None
        finally:
            self._running.discard(instance_id)
            self.progress.pop(instance_id, None)

    async def wait_idle(self) -> None:
        """Until every background sync of this process has ended (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def sync(self, instance_id: int) -> SyncOutcome:
        """Sync one instance now. Raises SyncAlreadyRunning / SyncNotPossible before starting;
        any failure after that is recorded and returned as a failed outcome."""
        if instance_id in self._running:
            raise SyncAlreadyRunning(f"instance {instance_id} is already being synced")
        self._running.add(instance_id)
        try:
            return await self._sync(instance_id)
        finally:
            self._running.discard(instance_id)
            self.progress.pop(instance_id, None)

    async def _sync(self, instance_id: int) -> SyncOutcome:
        started_at = self.clock()
        try:
            claim = await anyio.to_thread.run_sync(self._claim, instance_id, started_at)
        except (SQLAlchemyError, DatabaseError) as exc:
            if classify(exc) is None:
                raise
            return self._not_claimed(instance_id, one_line(exc))
        began = self.monotonic()
        self.events.publish(
            "library.sync.started", instance_id=instance_id, name=claim.name, app=claim.app.value
        )
        ctx: FetchContext | None = None
        try:
            async with await self.connector.connect(claim.target) as client:
                if not isinstance(client, MediaClient):
                    raise SyncNotPossible(f"{claim.app.value} has no library to mirror")
                ctx = FetchContext(
                    client=client,
                    now=started_at,
                    progress=self._reporter(instance_id),
                    previous_files_keys=claim.files_keys,
                    max_file_fetches=self.max_file_fetches,
                )
                await FETCHERS[claim.app](ctx)
            self._report(instance_id, "writing", len(ctx.snapshot.items), None)
            finished_at = self.clock()
            duration_ms = max(0, round((self.monotonic() - began) * 1000))
            counts = await anyio.to_thread.run_sync(
                self._write, instance_id, ctx, finished_at, duration_ms
            )
        except Exception as exc:
            message = one_line(exc)
            duration_ms = max(0, round((self.monotonic() - began) * 1000))
            calls = ctx.snapshot.api_calls if ctx else 0
            log.warning("library_sync_failed", instance_id=instance_id, error=message)
            await anyio.to_thread.run_sync(
                self._record_failure, instance_id, message, self.clock(), duration_ms, calls
            )
            self.events.publish(
                "library.sync.failed",
                instance_id=instance_id,
                name=claim.name,
                app=claim.app.value,
                error=message,
                duration_ms=duration_ms,
            )
            return SyncOutcome(instance_id, False, duration_ms=duration_ms, error=message)
        items = counts["items"]
        log.info("library_sync_finished", instance_id=instance_id, **counts)
        self.events.publish(
            "library.sync.finished",
            instance_id=instance_id,
            name=claim.name,
            app=claim.app.value,
            duration_ms=duration_ms,
            **counts,
        )
        return SyncOutcome(instance_id, True, items, counts, duration_ms)

    def _not_claimed(self, instance_id: int, message: str) -> SyncOutcome:
        """The database could not even mark the sync started (locked, full, gone): nothing was
        read or written; the log, the event and the next scheduled check say so."""
        log.error("library_sync_failed", instance_id=instance_id, error=message)
        self.events.publish(
            "library.sync.failed", instance_id=instance_id, name=f"instance {instance_id}",
            error=message, duration_ms=0,
        )  # fmt: skip
        return SyncOutcome(instance_id, False, error=message)

    def _reporter(self, instance_id: int) -> Callable[[str, int, int | None], None]:
        def report(phase: str, done: int, total: int | None) -> None:
            self._report(instance_id, phase, done, total)

        return report

    def _report(self, instance_id: int, phase: str, done: int, total: int | None) -> None:
        self.progress[instance_id] = {"phase": phase, "done": done, "total": total}
        self.events.publish(
            "library.sync.progress", instance_id=instance_id, phase=phase, done=done, total=total
        )

    # --- database work (worker threads) -------------------------------------------------------

    def _claim(self, instance_id: int, now: datetime) -> _Claim:
        with self.database.session_scope() as session:
            instance = session.get(Instance, instance_id)
            if instance is None:
                raise SyncNotPossible(f"instance {instance_id} does not exist")
            app = ArrApp(instance.app)
            if app not in FETCHERS:
                raise SyncNotPossible(f"{instance.name} is {app.value}: it has no library")
            if not instance.enabled:
                raise SyncNotPossible(f"{instance.name} is disabled")
            try:
                target = InstanceService(session, self.box).target(instance)
            except DecryptionError:
                raise SyncNotPossible(
                    f"the API key of {instance.name} cannot be decrypted"
                ) from None
            state = session.get(LibrarySyncState, instance_id, with_for_update=True)
            if state is None:
                state = LibrarySyncState(instance_id=instance_id, item_count=0, api_calls=0)
                session.add(state)
            elif (
                state.status == SyncStatus.RUNNING
                and state.started_at is not None
                and state.started_at > now - STALE_AFTER
            ):
                raise SyncAlreadyRunning(f"{instance.name} is already being synced")
            state.status = SyncStatus.RUNNING
            state.started_at = now
            state.phase = "starting"
            return _Claim(instance.name, app, target, previous_files_keys(session, instance_id))

    def _write(
        self, instance_id: int, ctx: FetchContext, now: datetime, duration_ms: int
    ) -> dict[str, Any]:
        snapshot = ctx.snapshot
        wanted = snapshot.wanted_counts  # before the write consumes the item rows
        with self.database.session_scope() as session, _small_page_cache(session):
            changes = apply_snapshot(session, instance_id, snapshot)
            items = (
                session.scalar(
                    select(func.count())
                    .select_from(LibraryItem)
                    .where(LibraryItem.instance_id == instance_id)
                )
                or 0
            )
            state = session.get(LibrarySyncState, instance_id)
            if state is None:  # the instance was deleted meanwhile: its rows went with it
                raise SyncNotPossible(f"instance {instance_id} was deleted during the sync")
            state.status = SyncStatus.OK
            state.finished_at = now
            state.last_success_at = now
            state.last_error = None
            state.item_count = items
            state.duration_ms = duration_ms
            state.phase = None
            state.api_calls = snapshot.api_calls
        item_changes = changes["items"]
        return {
            **wanted,
            "items": items,
            "parents": len(snapshot.parents),
            "seasons": len(snapshot.seasons),
            "inserted": item_changes.inserted,
            "updated": item_changes.updated,
            "deleted": item_changes.deleted,
            "api_calls": snapshot.api_calls,
            "file_fetches": snapshot.file_fetches,
        }

    def _record_failure(
        self, instance_id: int, message: str, now: datetime, duration_ms: int, calls: int
    ) -> None:
        try:
            with self.database.session_scope() as session:
                state = session.get(LibrarySyncState, instance_id)
                if state is None:
                    return
                state.status = SyncStatus.FAILED
                state.finished_at = now
                state.last_error = message
                state.duration_ms = duration_ms
                state.phase = None
                state.api_calls = calls
        except SQLAlchemyError:
            log.exception("library_sync_state_not_recorded", instance_id=instance_id)
