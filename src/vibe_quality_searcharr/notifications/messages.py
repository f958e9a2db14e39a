"""The one place where a bus event becomes a notification message (or nothing).

Event data comes from other parts of the service and may grow or change, so every field is
read defensively: a missing or odd field gives a plainer message, never an error. Text from
events is shortened and scrubbed of registered secrets before it leaves the process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from vibe_quality_searcharr.events import Event
from vibe_quality_searcharr.notifications.kinds import BusEvent, Subscription
from vibe_quality_searcharr.observability.redaction import registry

__all__ = ["Level", "Message", "message_for", "test_message"]

Level = Literal["info", "success", "warning", "failure"]
_MAX_TEXT = 300
_MAX_LABELS = 10


@dataclass(frozen=True)
class Message:
    """What is sent: `line` is the one-line form used when several messages are folded."""

    subscription: Subscription
    title: str
    body: str
    level: Level = "info"

    @property
    def line(self) -> str:
        return self.body.splitlines()[0] if self.body else self.title


def _text(data: Mapping[str, Any], *names: str, default: str = "") -> str:
    for name in names:
        value = data.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return registry.scrub(str(value).strip())[:_MAX_TEXT]
    return default


def _number(data: Mapping[str, Any], *names: str) -> int | None:
    for name in names:
        value = data.get(name)
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            return int(value)
    return None


def _labels(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if not isinstance(value, list | tuple):
        return []
    return [registry.scrub(str(v))[:_MAX_TEXT] for v in value[:_MAX_LABELS] if str(v).strip()]


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (plural or word + 's')}"


def _run_finished(data: Mapping[str, Any]) -> Message | None:
    queue = _text(data, "queue_name", "queue", default="a queue")
    instance = _text(data, "instance_name", "instance", default="its instance")
    status = _text(data, "status", default="completed")
    run_id = _number(data, "run_id", "id")
    run = f"Run {run_id}" if run_id is not None else "A run"
    if status == "failed":
        reason = _text(data, "error", "summary", default="no reason given")
        return Message(
            Subscription.QUEUE_FAILED,
            f"Queue {queue} failed",
            f"{run} of queue {queue} on {instance} failed: {reason}",
            "failure",
        )
    grabbed = _number(data, "grabbed", "grabs") or 0
    if grabbed <= 0:
        return None
    searches = _number(data, "searches", "sent_items", "sent") or 0
    planned = _number(data, "planned_items", "planned")
    planned_text = f" (planned {planned:,})" if planned is not None else ""
    lines = [
        f"{run} of queue {queue} on {instance}: {_plural(searches, 'search', 'searches')} sent"
        f"{planned_text}, {_plural(grabbed, 'item')} grabbed."
    ]
    labels = _labels(data, "grabbed_labels")
    lines.extend(f"- {label}" for label in labels)
    if grabbed > len(labels) > 0:
        lines.append(f"... and {grabbed - len(labels):,} more")
    return Message(
        Subscription.RUN_GRABS, f"{queue}: {_plural(grabbed, 'grab')}", "\n".join(lines), "success"
    )


def _instance(kind: BusEvent, data: Mapping[str, Any]) -> Message:
    name = _text(data, "name", "instance_name", "instance", default="An instance")
    detail = _text(data, "detail")
    suffix = f" ({detail})" if detail else ""
    if kind == BusEvent.INSTANCE_DOWN:
        return Message(
            Subscription.INSTANCE_DOWN,
            f"{name} is down",
            f"{name} stopped answering{suffix}. Searching it is paused until it is back.",
            "failure",
        )
    if kind == BusEvent.INSTANCE_DISK_LOW:
        return Message(
            Subscription.INSTANCE_DOWN,
            f"{name}: disk space low",
            f"{name} is low on disk space{suffix}. Searching it is paused.",
            "warning",
        )
    if kind == BusEvent.INSTANCE_UP:
        return Message(
            Subscription.INSTANCE_UP,
            f"{name} is back",
            f"{name} answers again{suffix}. Searching resumes.",
            "success",
        )
    return Message(
        Subscription.INSTANCE_UP,
        f"{name}: disk space OK",
        f"{name} has enough disk space again{suffix}. Searching resumes.",
        "success",
    )


def _sync(kind: BusEvent, data: Mapping[str, Any]) -> Message:
    name = _text(data, "instance_name", "instance", "name", default="an instance")
    if kind == BusEvent.SYNC_FAILED:
        reason = _text(data, "error", "detail", default="no reason given")
        return Message(
            Subscription.SYNC_FAILED,
            f"Library sync of {name} failed",
            f"The library sync of {name} failed: {reason}. The previous mirror is kept.",
            "failure",
        )
    items = _number(data, "item_count", "items")
    millis = _number(data, "duration_ms")
    seconds = _number(data, "duration_seconds", "duration_s")
    took = (
        f" in {millis / 1000:.1f} s"
        if millis is not None
        else (f" in {seconds} s" if seconds is not None else "")
    )
    counted = f": {_plural(items, 'wanted item')}" if items is not None else ""
    return Message(
        Subscription.SYNC_FINISHED,
        f"Library sync of {name} finished",
        f"The library of {name} was synced{took}{counted}.",
        "info",
    )


def _grab(data: Mapping[str, Any]) -> Message:
    label = _text(data, "label", "item_label", "title", default="An item")
    queue = _text(data, "queue_name", "queue")
    instance = _text(data, "instance_name", "instance")
    where = " ".join(
        part
        for part in (f"by queue {queue}" if queue else "", f"on {instance}" if instance else "")
    ).strip()
    imported = data.get("imported") is True
    verb = "grabbed and imported" if imported else "grabbed"
    return Message(
        Subscription.GRAB_CONFIRMED,
        f"Grabbed: {label}",
        f"{label} was {verb} after a search{(' ' + where) if where else ''}.",
        "success",
    )


def _budget(data: Mapping[str, Any]) -> Message:
    name = _text(data, "name", "limit_name", "indexer", default="A budget")
    used = _number(data, "used")
    limit = _number(data, "limit", "maximum")
    if used is not None and limit:
        amount = f"{used:,} of {limit:,} used ({used * 100 // limit} %)"
    else:
        amount = "at least 80 % used"
    return Message(
        Subscription.BUDGET_LOW,
        f"{name}: budget nearly spent",
        f"{name}: {amount}. Searches that need it wait for the window to reset.",
        "warning",
    )


def _update(data: Mapping[str, Any]) -> Message:
    version = _text(data, "version", "latest", default="A new version")
    current = _text(data, "current_version", "current")
    running = f" (running {current})" if current else ""
    return Message(
        Subscription.UPDATE_AVAILABLE,
        f"Update available: {version}",
        f"Vibe-Quality-Searcharr {version} is available{running}.",
        "info",
    )


def message_for(event: Event) -> Message | None:
    """The message an event gives rise to, or None when it is not worth a notification."""
    data = event.data if isinstance(event.data, Mapping) else {}
    try:
        kind = BusEvent(event.kind)
    except ValueError:
        return None
    if kind == BusEvent.RUN_FINISHED:
        return _run_finished(data)
    if kind in (
        BusEvent.INSTANCE_DOWN,
        BusEvent.INSTANCE_UP,
        BusEvent.INSTANCE_DISK_LOW,
        BusEvent.INSTANCE_DISK_OK,
    ):
        return _instance(kind, data)
    if kind in (BusEvent.SYNC_FINISHED, BusEvent.SYNC_FAILED):
        return _sync(kind, data)
    if kind == BusEvent.GRAB_CONFIRMED:
        return _grab(data)
    if kind == BusEvent.BUDGET_LOW:
        return _budget(data)
    if kind == BusEvent.UPDATE_AVAILABLE:
        return _update(data)
    return None  # run.started, run.planned, item.searched, command.finished: never per item


def test_message(target_name: str) -> Message:
    return Message(
        Subscription.TEST,
        "Vibe-Quality-Searcharr test",
        f"This is a test message for the notification target {target_name!r}. It works.",
        "info",
    )
