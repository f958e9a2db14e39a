"""At most one message per subscription per target per window (5 minutes), nothing lost silently.

    first message of a kind ───────────────► sent at once; the window opens
    more of that kind inside the window ───► folded: kept (up to `max_listed`) or counted
    the window ends (`due`) ───────────────► one digest: "Instance down: 4 events" + one line
                                             each, "... and N more", then a new window opens
    a message after a quiet window ────────► sent at once (with any digest still waiting)

Pure logic with the clock passed in: the dispatcher decides, tests advance time by hand. State
is in memory, per process: a restart forgets open windows, which can only send one message
early. A failed delivery still opens the window, so a broken service is not hammered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vibe_quality_searcharr.notifications.kinds import SUBSCRIPTION_TITLES, Subscription
from vibe_quality_searcharr.notifications.messages import Level, Message

__all__ = ["DEFAULT_WINDOW", "Key", "RateLimiter", "fold"]

DEFAULT_WINDOW = timedelta(minutes=5)
Key = tuple[int, Subscription]
_SEVERITY: dict[Level, int] = {"info": 0, "success": 1, "warning": 2, "failure": 3}


@dataclass
class _Folded:
    messages: list[Message] = field(default_factory=list)
    uncounted: int = 0  # folded beyond `max_listed`: only counted

    @property
    def total(self) -> int:
        return len(self.messages) + self.uncounted


def fold(messages: list[Message], uncounted: int = 0) -> Message:
    """One message standing for several of the same subscription."""
    if len(messages) == 1 and not uncounted:
        return messages[0]
    subscription = messages[0].subscription
    total = len(messages) + uncounted
    lines = [f"- {message.line}" for message in messages]
    if uncounted:
        lines.append(f"... and {uncounted:,} more")
    level = max((m.level for m in messages), key=lambda lvl: _SEVERITY[lvl])
    return Message(
        subscription,
        f"{SUBSCRIPTION_TITLES[subscription]}: {total:,} events",
        "\n".join(lines),
        level,
    )


class RateLimiter:
    def __init__(self, window: timedelta = DEFAULT_WINDOW, max_listed: int = 20) -> None:
        self.window = window
        self.max_listed = max_listed
        self._last_sent: dict[Key, datetime] = {}
        self._folded: dict[Key, _Folded] = {}

    def offer(self, key: Key, message: Message, now: datetime) -> Message | None:
        """The message to send now, or None when it was folded into the next digest."""
        if key[1] == Subscription.TEST:
            return message
        last = self._last_sent.get(key)
        if last is not None and now - last < self.window:
            folded = self._folded.setdefault(key, _Folded())
            if len(folded.messages) < self.max_listed:
                folded.messages.append(message)
            else:
                folded.uncounted += 1
            return None
        waiting = self._folded.pop(key, None)
        self._last_sent[key] = now
        if waiting is None:
            return message
        keep = [*waiting.messages, message][-self.max_listed :]
        dropped = waiting.total + 1 - len(keep)
        return fold(keep, dropped)

    def due(self, now: datetime) -> list[tuple[Key, Message]]:
        """Digests whose window has ended; each opens a new window."""
        ready: list[tuple[Key, Message]] = []
        for key, folded in list(self._folded.items()):
            if now - self._last_sent[key] >= self.window:
                del self._folded[key]
                self._last_sent[key] = now
                ready.append((key, fold(folded.messages, folded.uncounted)))
        return ready

    def next_due(self) -> datetime | None:
        """When the earliest waiting digest may go out (None: nothing waits)."""
        times = [self._last_sent[key] + self.window for key in self._folded]
        return min(times) if times else None

    def waiting(self, key: Key) -> int:
        folded = self._folded.get(key)
        return folded.total if folded else 0

    def forget(self, target_id: int) -> None:
        for key in [k for k in self._last_sent if k[0] == target_id]:
            self._last_sent.pop(key, None)
            self._folded.pop(key, None)
