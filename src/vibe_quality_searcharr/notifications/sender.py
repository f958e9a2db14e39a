"""Delivers one message to one Apprise URL, in a worker thread, within a wall-clock timeout.

Apprise is blocking (requests, smtplib), so it never runs on the event loop. Each call runs on
a small thread pool and the caller waits at most `timeout` seconds; Apprise's own socket
timeouts end a stuck thread soon after. Apprise reports failures only through its logger, so
the lines it logs from the sending thread are captured to explain a failure; they pass the
redactor, which already knows the URL's secret pieces.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol

from vibe_quality_searcharr.notifications.apprise_urls import instantiate
from vibe_quality_searcharr.notifications.messages import Message
from vibe_quality_searcharr.observability.redaction import registry

__all__ = ["AppriseSender", "Delivery", "Sender"]

_MAX_ERROR = 500


@dataclass(frozen=True)
class Delivery:
    ok: bool
    error: str | None = None


class Sender(Protocol):
    def send(self, url: str, message: Message) -> Delivery: ...


class _ThreadLines(logging.Handler):
    """Collects the warnings Apprise logs from one thread (other threads' lines are theirs)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            try:
                self.lines.append(record.getMessage())
            except Exception:
                self.lines.append(str(record.msg))


def _notify(url: str, message: Message) -> Delivery:
    from apprise import NotifyFormat, NotifyType

    plugin = instantiate(url)
    if plugin is None:
        return Delivery(False, "Apprise cannot use this URL any more; edit the target")
    capture = _ThreadLines()
    apprise_log = logging.getLogger("apprise")
    apprise_log.addHandler(capture)
    try:
        ok = bool(
            plugin.notify(
                body=message.body,
                title=message.title,
                notify_type=NotifyType(message.level),
                body_format=NotifyFormat.TEXT,
            )
        )
    except Exception as exc:  # a plugin bug must not escape as anything but a failure
        capture.lines.append(f"{type(exc).__name__}: {exc}")
        ok = False
    finally:
        apprise_log.removeHandler(capture)
    if ok:
        return Delivery(True)
    reason = "; ".join(capture.lines[-3:]) or f"{plugin.service_name} did not accept the message"
    return Delivery(False, registry.scrub(reason)[:_MAX_ERROR])


class AppriseSender:
    def __init__(self, timeout: float = 30.0, workers: int = 2) -> None:
        self.timeout = timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="apprise")

    def send(self, url: str, message: Message) -> Delivery:
        future = self._pool.submit(_notify, url, message)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout:
            return Delivery(False, f"no answer within {self.timeout:g} s")
        except Exception as exc:
            return Delivery(False, registry.scrub(f"{type(exc).__name__}: {exc}")[:_MAX_ERROR])

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
