"""Turns the credentials of a request into a `Principal`, for the authentication layer.

Three ways in, checked in this order: an `Authorization: Bearer` API token, the auth proxy's
user header (only when the socket peer is a trusted proxy), the session cookie. A bearer token
or proxy header that is present but wrong is refused outright instead of falling back to
another method, so a broken integration fails loudly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.db.failures import FailureKind, classify
from vibe_quality_searcharr.security.principal import AuthMethod, Principal, Role
from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.users import api_tokens, repository, sessions
from vibe_quality_searcharr.users.sessions import SessionPolicy

__all__ = ["Credentials", "Resolution", "resolve_principal", "session_policy", "still_signed_in"]

# Failures after which reads still work but writes do not.
WRITES_REFUSED = frozenset({FailureKind.BUSY, FailureKind.DISK_FULL, FailureKind.READ_ONLY})
READ_ONLY_FOR = timedelta(seconds=30)


@dataclass(frozen=True)
class Credentials:
    bearer: str | None
    session_cookie: str | None
    proxy_user: str | None


@dataclass(frozen=True)
class Resolution:
    principal: Principal | None = None
    rejected: str | None = None
    # What the CSRF token of this principal is bound to (None: no CSRF needed or possible).
    csrf_binding: str | None = None
    # A session cookie's answer: until when it holds if nothing is committed meanwhile.
    good_until: datetime | None = None


def session_policy(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_absolute_hours),
    )


def _role(value: str) -> Role:
    return "admin" if value == "admin" else "viewer"


def resolve_principal(
    database: Database, settings: Settings, credentials: Credentials, now: datetime
) -> Resolution:
    """Who is asking. Resolving may write (a once-a-minute "last seen"); while the database
    takes no writes (another process's lock, a full disk) it is read without writing, so pages
    that only read keep working, and after one failed attempt the next requests of the next
    `READ_ONLY_FOR` do not wait for the lock again.

    A session cookie is read without the write lock first: only once a minute (the touch) or
    for a dead session is there anything to write, and taking SQLite's write lock on every
    page view queued all the readers behind each other and behind every running search."""
    if credentials.session_cookie and credentials.bearer is None and not credentials.proxy_user:
        with database.session_scope(read_only=True) as session:
            found = _resolve(session, settings, credentials, now, touch=False)
        if found.principal is not None and found.good_until is not None and now < found.good_until:
            return found  # live, and no touch due: exactly what the writing pass would answer
    if not database.failures.recently(WRITES_REFUSED, READ_ONLY_FOR):
        try:
            with database.session_scope() as session:
                return _resolve(session, settings, credentials, now, touch=True)
        except (SQLAlchemyError, DatabaseError) as exc:
            failure = classify(exc)
            if failure is None or failure.kind not in WRITES_REFUSED:
                raise
    with database.session_scope(read_only=True) as session:
        return _resolve(session, settings, credentials, now, touch=False)


def still_signed_in(
    database: Database,
    settings: Settings,
    credentials: Credentials,
    principal: Principal,
    now: datetime,
) -> bool:
    """Whether the credentials of a long-lived response (the event stream) still name the same
    user: a sign-out, a revoked session or token, or a disabled account ends the stream. Read
    without writing, so an open tab alone never keeps an idle session alive."""
    with database.session_scope(read_only=True) as session:
        current = _resolve(session, settings, credentials, now, touch=False).principal
    return current is not None and current.user_id == principal.user_id


def _resolve(
    session: Session, settings: Settings, credentials: Credentials, now: datetime, *, touch: bool
) -> Resolution:
    if credentials.bearer is not None:
        found = api_tokens.resolve(session, credentials.bearer, now=now, touch=touch)
        if found is None:
            return Resolution(rejected="The API token is not valid or has expired.")
        return Resolution(
            Principal(
                user_id=found.user.id,
                username=found.user.username,
                role=_role(found.user.role),
                method="token",
                scope="full" if found.token.scope == "full" else "read",
            )
        )
    if credentials.proxy_user is not None:
        user = repository.get_user_by_username(session, credentials.proxy_user.strip().lower())
        if user is None or user.disabled:
            return Resolution(rejected="The user named by the sign-in proxy has no account here.")
        return Resolution(
            Principal(
                user_id=user.id, username=user.username, role=_role(user.role), method="proxy"
            ),
            csrf_binding=f"proxy:{user.id}:{user.password_changed_at.isoformat()}",
        )
    if credentials.session_cookie:
        policy = session_policy(settings)
        live = sessions.resolve(
            session, credentials.session_cookie, now=now, policy=policy, touch=touch
        )
        if live is not None:
            row, user = live
            method: AuthMethod = "oidc" if row.method == "oidc" else "session"
            return Resolution(
                Principal(
                    user_id=user.id,
                    username=user.username,
                    role=_role(user.role),
                    method=method,
                    session_id=row.id,
                ),
                csrf_binding=f"session:{credentials.session_cookie}",
                good_until=sessions.good_until(row, policy),
            )
    return Resolution()
