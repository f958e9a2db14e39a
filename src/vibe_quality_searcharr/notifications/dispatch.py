"""From bus events to Apprise sends, off the event loop, never in the way of a run.

    bus listener (on the loop, cheap) ── message_for(event) ──► bounded queue ──► worker thread
    worker: targets subscribed (DB) ─► rate limiter (send / fold) ─► Apprise (timeout) ─► outcome
            stored on the target (last_sent_at, last_error, failures); digests sent when due

The listener only builds a message and queues it; a full queue drops the message with a log
line. The worker thread starts on the first message and ends when it has nothing left to do
(no queued message, no digest waiting), so an idle service holds no thread. Every failure is
logged (without the URL) and kept on the target; nothing here raises into the bus.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.notifications.apprise_urls import protect
from vibe_quality_searcharr.notifications.messages import Message, message_for, test_message
from vibe_quality_searcharr.notifications.ratelimit import RateLimiter
from vibe_quality_searcharr.notifications.repository import NotificationRepository
from vibe_quality_searcharr.notifications.sender import AppriseSender, Delivery, Sender
from vibe_quality_searcharr.notifications.service import NotificationService, record_delivery
from vibe_quality_searcharr.security.crypto import DecryptionError, SecretBox

__all__ = ["DeliveryHook", "NotificationDispatcher"]

log = structlog.get_logger(__name__)
DeliveryHook = Callable[[str, str, bool], None]  # (service, subscription, ok)
_MAX_IDLE_WAIT = 60.0


@dataclass(frozen=True)
class _Target:
    id: int
    name: str
    service: str
    url: str


class NotificationDispatcher:
    def __init__(
        self,
        database: Database,
        box: SecretBox,
        *,
        sender: Sender | None = None,
        clock: Callable[[], datetime] = utcnow,
        limiter: RateLimiter | None = None,
        queue_size: int = 200,
        threaded: bool = True,
        on_delivery: DeliveryHook | None = None,
    ) -> None:
        self.database = database
        self.box = box
        self.sender: Sender = sender or AppriseSender()
        self.clock = clock
        self.limiter = limiter or RateLimiter()
        self.threaded = threaded
        self.on_delivery = on_delivery
        self.dropped = 0
        self._queue: queue.Queue[Message] = queue.Queue(queue_size)
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None

    # -- on the event loop ------------------------------------------------------------------

    def listen(self, event: Event) -> None:
        """Bus listener: build the message, queue it, return at once."""
        message = message_for(event)
        if message is None:
            return
        try:
            self._queue.put_nowait(message)
        except queue.Full:
            self.dropped += 1
            log.warning(
                "notification_dropped", reason="queue full", subscription=message.subscription
            )
            return
        if self.threaded:
            self._ensure_worker()

    def _ensure_worker(self) -> None:
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="notifications", daemon=True)
                self._worker.start()

    # -- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                message = self._queue.get(timeout=self._wait_seconds())
            except queue.Empty:
                self._safely(self.flush_due)
                with self._lock:  # not through _waiting_digest: the lock is not reentrant
                    if self._queue.empty() and self.limiter.next_due() is None:
                        self._worker = None
                        return
                continue
            try:
                self._safely(functools.partial(self._handle, message))
                self._safely(self.flush_due)
            finally:
                self._queue.task_done()

    def _wait_seconds(self) -> float:
        due = self._waiting_digest()
        if due is None:
            return 0.5
        return min(max((due - self.clock()).total_seconds(), 0.05), _MAX_IDLE_WAIT)

    def _waiting_digest(self) -> datetime | None:
        with self._lock:
            return self.limiter.next_due()

    @staticmethod
    def _safely(work: Callable[[], object]) -> None:
        try:
            work()
        except Exception:
            log.exception("notification_dispatch_failed")

    def process_pending(self) -> int:
        """Handle every queued message now, in this thread (tests, and `threaded=False`)."""
        handled = 0
        while True:
            try:
                message = self._queue.get_nowait()
            except queue.Empty:
                return handled
            try:
                self._handle(message)
                handled += 1
            finally:
                self._queue.task_done()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued message was handled (for callers that must know)."""
        with self._queue.all_tasks_done:
            return self._queue.all_tasks_done.wait_for(
                lambda: self._queue.unfinished_tasks == 0, timeout
            )

    def flush_due(self) -> int:
        """Send the digests whose window has ended; return how many went out."""
        with self._lock:
            ready = self.limiter.due(self.clock())
        for (target_id, _subscription), message in ready:
            target = self._target(target_id)
            if target is None:
                log.info("notification_digest_dropped", target_id=target_id, reason="target gone")
                continue
            self._deliver(target, message)
        return len(ready)

    def _handle(self, message: Message) -> None:
        now = self.clock()
        for target in self._targets_for(message.subscription.value):
            with self._lock:
                outgoing = self.limiter.offer((target.id, message.subscription), message, now)
                waiting = self.limiter.waiting((target.id, message.subscription))
            if outgoing is None:
                log.info(
                    "notification_folded",
                    target=target.name,
                    subscription=message.subscription.value,
                    waiting=waiting,
                )
                continue
            self._deliver(target, outgoing)

    # -- database and delivery -------------------------------------------------------------

    def _targets_for(self, subscription: str) -> list[_Target]:
        with self.database.session_scope() as session:
            service = NotificationService(session, self.box)
            found = []
            for row in service.repo.enabled():
                if subscription not in (row.events or []):
                    continue
                target = self._decrypted(service, row.id)
                if target is not None:
                    found.append(target)
            return found

    def _target(self, target_id: int) -> _Target | None:
        with self.database.session_scope() as session:
            return self._decrypted(NotificationService(session, self.box), target_id)

    @staticmethod
    def _decrypted(service: NotificationService, target_id: int) -> _Target | None:
        row = service.repo.get(target_id)
        if row is None or not row.enabled:
            return None
        try:
            url = service.url(row)
        except DecryptionError:
            log.error("notification_url_undecryptable", target=row.name)
            return None
        return _Target(row.id, row.name, row.service, url)

    def _deliver(self, target: _Target, message: Message) -> Delivery:
        try:
            delivery = self.sender.send(target.url, message)
        except Exception as exc:  # a sender bug is a failed delivery, not a crash
            delivery = Delivery(False, f"{type(exc).__name__}")
        if delivery.ok:
            log.info(
                "notification_sent",
                target=target.name,
                service=target.service,
                subscription=message.subscription.value,
            )
        else:
            log.warning(
                "notification_failed",
                target=target.name,
                service=target.service,
                subscription=message.subscription.value,
                error=delivery.error,
            )
        hook = self.on_delivery
        if hook is not None:
            self._safely(lambda: hook(target.service, message.subscription.value, delivery.ok))
        self._store(target.id, delivery)
        return delivery

    def _store(self, target_id: int, delivery: Delivery) -> None:
        with self.database.session_scope() as session:
            row = NotificationRepository(session).get(target_id)
            if row is not None:
                record_delivery(row, delivery, self.clock())

    # -- actions ---------------------------------------------------------------------------

    def send_test(self, target_id: int) -> Delivery | None:
        """Send a test message now (no rate limit), record the outcome; None: no such target."""
        with self.database.session_scope() as session:
            service = NotificationService(session, self.box)
            row = service.repo.get(target_id)
            if row is None:
                return None
            try:
                url = service.url(row)
            except DecryptionError as exc:
                return Delivery(False, str(exc))
            target = _Target(row.id, row.name, row.service, url)
        return self._deliver(target, test_message(target.name))

    def try_url(self, url: str, name: str) -> Delivery:
        """Send a test message to a URL that is not stored (yet): "send test" before saving.
        Nothing is recorded; the URL's secret pieces are registered for redaction first."""
        protect(url)
        try:
            return self.sender.send(url, test_message(name or "new target"))
        except Exception as exc:  # a sender bug is a failed delivery, not a crash
            return Delivery(False, f"{type(exc).__name__}")

    def forget(self, target_id: int) -> None:
        """A target was deleted or changed: drop its windows and waiting digests."""
        with self._lock:
            self.limiter.forget(target_id)

    def close(self) -> None:
        close = getattr(self.sender, "close", None)
        if callable(close):
            close()
