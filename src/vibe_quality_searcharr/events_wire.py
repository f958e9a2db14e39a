"""The wire format of bus events between replicas: one compact JSON text per NOTIFY.

PostgreSQL refuses a NOTIFY payload of 8000 bytes or more, so every payload is cut to fit
below `MAX_PAYLOAD_BYTES`: long texts and lists are shortened first, then only the fields that
identify what happened (run, queue, instance, command, status) are kept and the payload says it
was trimmed. Live events are a view (pages read the database), so a trimmed one still moves the
right region and the page shows the rest on its next load.

A field whose name suggests a secret (key, token, password, cookie, session, url...) never leaves
the process, at any depth: a payload passes through PostgreSQL, whose statement log may record it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog

from vibe_quality_searcharr.events import Event

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "RemoteEvent",
    "decode_payload",
    "encode_event",
    "public_fields",
]

log = structlog.get_logger(__name__)

# PostgreSQL's limit is 8000 bytes (in the server encoding); keep a margin for the envelope.
MAX_PAYLOAD_BYTES = 7900
_SECRET_NAME = re.compile(
    r"key|token|secret|passw|cookie|session|authoriz|credential|url|dsn|auth_header", re.I
)
_SHORT_TEXT = 300
_SHORT_LIST = 50
_MAX_DEPTH = 4
# What a trimmed event keeps: enough to know which run, queue or instance moved, and how.
_ESSENTIAL = (
    "run_id",
    "queue_id",
    "queue",
    "instance_id",
    "instance",
    "command_id",
    "status",
    "result",
    "name",
    "app",
)


@dataclass(frozen=True, slots=True)
class RemoteEvent:
    origin: str
    kind: str
    data: dict[str, Any]
    at: datetime


def public_fields(data: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """`data` without any field whose name suggests a secret, nested dicts and lists included."""
    return {
        str(key): _public_value(value, depth + 1)
        for key, value in data.items()
        if not _SECRET_NAME.search(str(key))
    }


def _public_value(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return public_fields(value, depth)
    if isinstance(value, list | tuple | set | frozenset):
        return [_public_value(item, depth + 1) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    # Enums and the like travel as their value; an arbitrary object's repr could hold anything.
    plain = getattr(value, "value", None)
    return plain if isinstance(plain, str | int | float) else None


def _shorten(value: Any) -> Any:
    if isinstance(value, str):
        return value[:_SHORT_TEXT]
    if isinstance(value, list):
        return [_shorten(item) for item in value[:_SHORT_LIST]]
    if isinstance(value, dict):
        return {key: _shorten(item) for key, item in list(value.items())[:_SHORT_LIST]}
    return value


def _dump(origin: str, event: Event, data: dict[str, Any]) -> str:
    envelope = {"o": origin, "k": event.kind[:100], "t": event.at.isoformat(), "d": data}
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)


def encode_event(event: Event, origin: str) -> str:
    """The payload of a local event, always under MAX_PAYLOAD_BYTES (trimmed when it must be)."""
    data = public_fields(event.data)
    payload = _dump(origin, event, data)
    size = len(payload.encode())
    if size <= MAX_PAYLOAD_BYTES:
        return payload
    essential = {key: _shorten(data[key]) for key in _ESSENTIAL if key in data}
    for candidate in (
        {key: _shorten(value) for key, value in data.items()},
        {**essential, "trimmed": True},
        {"trimmed": True},
    ):
        payload = _dump(origin, event, candidate)
        if len(payload.encode()) <= MAX_PAYLOAD_BYTES:
            break
    log.info("event_bridge_payload_trimmed", kind=event.kind[:100], bytes=size)
    return payload


def decode_payload(payload: str) -> RemoteEvent | None:
    """A payload heard on the channel, or None when it is not one of ours."""
    try:
        raw = json.loads(payload)
        origin, kind, data = raw["o"], raw["k"], raw["d"]
        at = datetime.fromisoformat(raw["t"])
    except (ValueError, TypeError, KeyError):
        return None
    if not (isinstance(origin, str) and isinstance(kind, str) and isinstance(data, dict)):
        return None
    return RemoteEvent(origin=origin, kind=kind, data=data, at=at)
