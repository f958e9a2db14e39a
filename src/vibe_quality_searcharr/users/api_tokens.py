"""API tokens for scripts and dashboards: shown once, stored as digests, scoped, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.security.tokens import API_TOKEN_PREFIX, digest, new_api_token
from vibe_quality_searcharr.users import audit, repository
from vibe_quality_searcharr.users.models import ApiToken, User

__all__ = ["ResolvedToken", "create", "resolve", "revoke"]

_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ResolvedToken:
    token: ApiToken
    user: User


def create(
    session: Session,
    user: User,
    *,
    name: str,
    scope: str,
    expires_in_days: int | None,
    now: datetime,
    client_ip: str = "",
) -> tuple[str, ApiToken]:
    secret = new_api_token()
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        prefix=secret[: len(API_TOKEN_PREFIX) + 4],
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "token_created",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=client_ip,
        name=name,
        scope=scope,
    )
    return secret, row


def resolve(
    session: Session, secret: str, *, now: datetime, touch: bool = True
) -> ResolvedToken | None:
    if not secret.startswith(API_TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = repository.get_token_by_hash(session, digest(secret))
    if row is None or (row.expires_at is not None and now >= row.expires_at):
        return None
    user = repository.get_user(session, row.user_id)
    if user is None or user.disabled:
        return None
    if touch and (row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY):
        row.last_used_at = now
        session.flush()
    return ResolvedToken(token=row, user=user)


def revoke(
    session: Session, user: User, token_id: int, *, now: datetime, client_ip: str = ""
) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("No such token.")
    session.delete(row)
    session.flush()
    audit.record(
        session,
        "token_revoked",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=client_ip,
        name=row.name,
    )
