"""The sign-in throttle: growing delays after failures, then a temporary lockout.

Two keys are counted for every attempt: the client address (the socket peer, or the forwarded
address only from a trusted proxy, never a header anyone can write) and the account name, known
or not, so an unknown name is throttled exactly like a real one. The rule is a pure function of
the counter and `now`; nothing ever sleeps, the caller answers 429 with Retry-After instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["ThrottlePolicy", "ThrottleState", "next_state", "retry_after_seconds"]


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 3
    base_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(minutes=5)
    lockout_after: int = 10
    lockout_for: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    last_failure_at: datetime
    blocked_until: datetime


def retry_after_seconds(state: ThrottleState | None, now: datetime) -> int:
    """0 when an attempt may go ahead now, else the whole seconds to wait."""
    if state is None or state.blocked_until <= now:
        return 0
    return max(1, int((state.blocked_until - now).total_seconds() + 0.999))


def next_state(
    state: ThrottleState | None, now: datetime, policy: ThrottlePolicy, *, lockout_scale: int = 1
) -> ThrottleState:
    """The counter after one more failure. `lockout_scale` loosens per-address limits (shared NAT)."""
    failures = 1
    if state is not None and now - state.last_failure_at < policy.forget_after:
        failures = state.failures + 1
    blocked_until = now
    if failures >= policy.lockout_after * lockout_scale:
        blocked_until = now + policy.lockout_for
    elif failures > policy.free_failures:
        delay = policy.base_delay * (2 ** (failures - policy.free_failures - 1))
        blocked_until = now + min(delay, policy.max_delay)
    return ThrottleState(failures=failures, last_failure_at=now, blocked_until=blocked_until)
