"""Server-side browser sessions: opaque 256-bit tokens, stored as digests, with two expiries.

Idle expiry ends a session nobody uses; absolute expiry ends every session eventually, used or
not. A session in stage "totp" proves only the password and is good for the second factor alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.security.tokens import digest, new_session_token
from vibe_quality_searcharr.users import repository
from vibe_quality_searcharr.users.models import User, UserSession

__all__ = [
    "PENDING_LIFETIME",
    "TOUCH_EVERY",
    "SessionPolicy",
    "end_session",
    "good_until",
    "resolve",
    "revoke_others",
    "revoke_own",
    "start",
]

PENDING_LIFETIME = timedelta(minutes=5)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta


def start(
    session: Session,
    user: User,
    *,
    now: datetime,
    policy: SessionPolicy,
    stage: str = "full",
    method: str = "session",
    client_ip: str = "",
    user_agent: str = "",
) -> tuple[str, UserSession]:
    token = new_session_token()
    lifetime = policy.absolute if stage == "full" else PENDING_LIFETIME
    row = UserSession(
        user_id=user.id,
        token_hash=digest(token),
        stage=stage,
        method=method,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        client_ip=client_ip[:64],
        user_agent=user_agent[:200],
    )
    session.add(row)
    session.flush()
    return token, row


def resolve(
    session: Session,
    token: str,
    *,
    now: datetime,
    policy: SessionPolicy,
    stage: str = "full",
    touch: bool = True,
) -> tuple[UserSession, User] | None:
    """The live session and its active user for a cookie value, or None (and stale rows go).
    Without `touch` nothing is written (the database cannot take writes just now)."""
    row = repository.get_session_by_hash(session, digest(token))
    if row is None or row.stage != stage:
        return None
    user = repository.get_user(session, row.user_id)
    idle_limit = policy.idle if stage == "full" else PENDING_LIFETIME
    if (
        now >= row.expires_at
        or now - row.last_seen_at >= idle_limit
        or user is None
        or user.disabled
    ):
        if touch:
            session.delete(row)
            session.flush()
        return None
    if touch and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return row, user


def good_until(row: UserSession, policy: SessionPolicy) -> datetime:
    """Until when the answer `resolve` just gave stays true without asking the database again,
    if nothing is committed meanwhile (`security.session_cache`): the absolute expiry, the idle
    expiry, and the next touch of `last_seen_at` (which must reach the database), whichever is
    first."""
    return min(row.expires_at, row.last_seen_at + min(TOUCH_EVERY, policy.idle))


def end_session(session: Session, token: str) -> None:
    row = repository.get_session_by_hash(session, digest(token))
    if row is not None:
        session.delete(row)
        session.flush()


def revoke_own(session: Session, user_id: int, session_id: int) -> None:
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != user_id:
        raise NotFound("No such session.")
    session.delete(row)
    session.flush()


def revoke_others(session: Session, user_id: int, keep_id: int | None) -> int:
    return repository.delete_sessions(session, user_id, keep_id=keep_id)
