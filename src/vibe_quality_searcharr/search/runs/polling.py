"""Waiting for a sent command to end, and reading what it grabbed.

Polling is bounded twice: a fixed interval between looks and an overall deadline, both read
through the injected sleeper and clock so tests move time instead of waiting for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vibe_quality_searcharr.arr.clients import ArrClient, MediaClient
from vibe_quality_searcharr.arr.schemas.common import Command as ArrCommand
from vibe_quality_searcharr.search.planner import Family
from vibe_quality_searcharr.search.runs.inputs import ITEM_ID_FIELDS

__all__ = ["PollSettings", "Sleeper", "grabbed_ids", "poll_to_end"]

Sleeper = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class PollSettings:
    interval_seconds: float = 5.0
    timeout_seconds: float = 30 * 60.0


async def poll_to_end(
    client: ArrClient,
    command_id: int,
    *,
    settings: PollSettings,
    sleep: Sleeper,
    clock: Clock,
) -> tuple[ArrCommand, bool]:
    """The command's last known state and whether it ended before the deadline."""
    deadline = clock() + timedelta(seconds=settings.timeout_seconds)
    state = await client.command(command_id)
    while not state.is_finished:
        if clock() >= deadline:
            return state, False
        await sleep(settings.interval_seconds)
        state = await client.command(command_id)
    return state, True


async def grabbed_ids(
    client: MediaClient[Any], family: Family, since: datetime, covered: Collection[int]
) -> set[int]:
    """The covered ids the *arr's history shows grabbed since `since` (the *arr's own time of
    queueing the command, so clock skew between the two hosts does not matter)."""
    field = ITEM_ID_FIELDS[family]
    wanted = set(covered)
    found: set[int] = set()
    for record in await client.history_since(since, event_type="grabbed"):
        if record.event_type and record.event_type.lower() != "grabbed":
            continue
        value = getattr(record, field)
        if value in wanted:
            found.add(value)
    return found
