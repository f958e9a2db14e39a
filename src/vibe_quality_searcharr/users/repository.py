"""Every query of the accounts domain."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from vibe_quality_searcharr.users.models import (
    ApiToken,
    AuditEvent,
    LoginThrottle,
    RecoveryCode,
    SetupMarker,
    User,
    UserSession,
)

__all__ = [
    "add_audit_event",
    "count_active_admins",
    "count_users",
    "delete_recovery_codes",
    "delete_sessions",
    "get_session_by_hash",
    "get_throttle",
    "get_token_by_hash",
    "get_user",
    "get_user_by_oidc_subject",
    "get_user_by_username",
    "list_audit_events",
    "list_sessions",
    "list_tokens",
    "list_users",
    "mark_recovery_code_used",
    "prune",
    "setup_completed",
    "unused_recovery_codes",
]


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def setup_completed(session: Session) -> bool:
    return session.get(SetupMarker, 1) is not None


def count_active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin", ~User.disabled)
    return session.scalar(query) or 0


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def get_user_by_oidc_subject(session: Session, subject: str) -> User | None:
    return session.scalar(select(User).where(User.oidc_subject == subject))


def list_users(session: Session, *, offset: int, limit: int) -> tuple[Sequence[User], int]:
    items = session.scalars(select(User).order_by(User.id).offset(offset).limit(limit)).all()
    return items, count_users(session)


def get_session_by_hash(session: Session, token_hash: str) -> UserSession | None:
    return session.scalar(select(UserSession).where(UserSession.token_hash == token_hash))


def list_sessions(
    session: Session, user_id: int, *, offset: int, limit: int
) -> tuple[Sequence[UserSession], int]:
    where = (UserSession.user_id == user_id, UserSession.stage == "full")
    items = session.scalars(
        select(UserSession)
        .where(*where)
        .order_by(UserSession.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(UserSession).where(*where)) or 0
    return items, total


def delete_sessions(session: Session, user_id: int, *, keep_id: int | None = None) -> int:
    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_id is not None:
        statement = statement.where(UserSession.id != keep_id)
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def get_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def list_tokens(
    session: Session, user_id: int, *, offset: int, limit: int
) -> tuple[Sequence[ApiToken], int]:
    where = ApiToken.user_id == user_id
    items = session.scalars(
        select(ApiToken).where(where).order_by(ApiToken.id.desc()).offset(offset).limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(ApiToken).where(where)) or 0
    return items, total


def unused_recovery_codes(session: Session, user_id: int) -> Sequence[RecoveryCode]:
    return session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).all()


def delete_recovery_codes(session: Session, user_id: int) -> None:
    session.execute(
        delete(RecoveryCode)
        .where(RecoveryCode.user_id == user_id)
        .execution_options(synchronize_session=False)
    )


def mark_recovery_code_used(session: Session, code_id: int, now: datetime) -> bool:
    """Marks it used only if still unused: two concurrent uses cannot both succeed."""
    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == code_id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def add_audit_event(session: Session, event: AuditEvent) -> None:
    session.add(event)


def list_audit_events(
    session: Session, *, kind: str | None, offset: int, limit: int
) -> tuple[Sequence[AuditEvent], int]:
    query = select(AuditEvent)
    count = select(func.count()).select_from(AuditEvent)
    if kind:
        query = query.where(AuditEvent.kind == kind)
        count = count.where(AuditEvent.kind == kind)
    items = session.scalars(query.order_by(AuditEvent.id.desc()).offset(offset).limit(limit)).all()
    return items, session.scalar(count) or 0


def get_throttle(session: Session, key: str) -> LoginThrottle | None:
    return session.get(LoginThrottle, key)


def prune(
    session: Session,
    *,
    now: datetime,
    idle_before: datetime,
    throttle_before: datetime,
    audit_before: datetime,
) -> dict[str, int]:
    """Delete expired sessions, forgotten throttle counters and audit events past retention."""

    def run(statement: Any) -> int:
        result = session.execute(statement.execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)

    return {
        "sessions": run(
            delete(UserSession).where(
                (UserSession.expires_at <= now) | (UserSession.last_seen_at <= idle_before)
            )
        ),
        "throttle": run(
            delete(LoginThrottle).where(
                LoginThrottle.last_failure_at <= throttle_before, LoginThrottle.blocked_until <= now
            )
        ),
        "audit": run(delete(AuditEvent).where(AuditEvent.at <= audit_before)),
    }
