"""Signing in: throttle, password, second factor, audit, in that order.

Every failure looks the same from outside ("wrong username or password"), an unknown name costs
the same Argon2 work as a known one, and both the address and the name are throttled, so neither
timing, wording nor lockouts tell which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from vibe_quality_searcharr.security.ratelimit import (
    ThrottlePolicy,
    ThrottleState,
    next_state,
    retry_after_seconds,
)
from vibe_quality_searcharr.users import audit, repository, twofactor
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import LoginThrottle, User

__all__ = [
    "DEFAULT_POLICY",
    "Attempt",
    "Outcome",
    "clear_account_failures",
    "record_failure",
    "sign_in",
]

DEFAULT_POLICY = ThrottlePolicy()
# Many people may share one address (NAT, a proxy without X-Forwarded-For): allow more there.
ADDRESS_SCALE = 3


@dataclass(frozen=True)
class Attempt:
    username: str
    password: str
    second_factor: str | None
    client_ip: str


@dataclass(frozen=True)
class Outcome:
    result: Literal["ok", "failed", "totp_required", "rate_limited"]
    user: User | None = None
    retry_after: int = 0


def _keys(attempt: Attempt) -> tuple[str, str]:
    return f"ip:{attempt.client_ip}"[:100], f"user:{attempt.username.lower()}"[:100]


def _state(row: LoginThrottle | None) -> ThrottleState | None:
    if row is None:
        return None
    return ThrottleState(row.failures, row.last_failure_at, row.blocked_until)


def _retry_after(session: Session, attempt: Attempt, now: datetime) -> int:
    return max(
        retry_after_seconds(_state(repository.get_throttle(session, key)), now)
        for key in _keys(attempt)
    )


def record_failure(
    session: Session, attempt: Attempt, *, now: datetime, policy: ThrottlePolicy, reason: str
) -> None:
    ip_key, user_key = _keys(attempt)
    for key, scale in ((ip_key, ADDRESS_SCALE), (user_key, 1)):
        row = repository.get_throttle(session, key)
        state = next_state(_state(row), now, policy, lockout_scale=scale)
        if row is None:
            row = LoginThrottle(key=key, last_failure_at=now, blocked_until=now)
            session.add(row)
        row.failures = state.failures
        row.last_failure_at = state.last_failure_at
        row.blocked_until = state.blocked_until
        if state.failures == policy.lockout_after * scale:
            audit.record(
                session,
                "lockout",
                now=now,
                subject=attempt.username[:64],
                client_ip=attempt.client_ip,
                key="address" if key == ip_key else "account",
                minutes=int(policy.lockout_for.total_seconds() // 60),
            )
    session.flush()
    audit.record(
        session,
        "login_failed",
        now=now,
        subject=attempt.username[:64],
        client_ip=attempt.client_ip,
        reason=reason,
    )


def clear_account_failures(session: Session, username: str) -> None:
    row = repository.get_throttle(session, f"user:{username.lower()}"[:100])
    if row is not None:
        session.delete(row)
        session.flush()


def sign_in(
    session: Session,
    keys: AuthKeys,
    attempt: Attempt,
    *,
    now: datetime,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> Outcome:
    """Check a sign-in. A correct password for a 2FA account without a code yields
    "totp_required": the API then asks for `totp`, the page for the code in a half-signed-in
    session."""
    wait = _retry_after(session, attempt, now)
    if wait:
        return Outcome("rate_limited", retry_after=wait)
    user = repository.get_user_by_username(session, attempt.username.lower())
    if user is None or user.disabled:
        keys.passwords.burn_time(attempt.password)
        record_failure(session, attempt, now=now, policy=policy, reason="password")
        return Outcome("failed")
    if not keys.passwords.verify(user.password_hash, attempt.password):
        record_failure(session, attempt, now=now, policy=policy, reason="password")
        return Outcome("failed")
    if user.totp_enabled:
        if not attempt.second_factor:
            return Outcome("totp_required", user=user)
        if not twofactor.check_second_factor(session, keys, user, attempt.second_factor, now=now):
            record_failure(session, attempt, now=now, policy=policy, reason="second_factor")
            return Outcome("failed")
    if keys.passwords.needs_rehash(user.password_hash):
        user.password_hash = keys.passwords.hash(attempt.password)
    clear_account_failures(session, user.username)
    audit.record(
        session,
        "login_ok",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=attempt.client_ip,
    )
    return Outcome("ok", user=user)
