"""Accounts: the first admin, user management by admins, and password changes.

Takes a session and never commits: the request or the CLI command is the unit of work.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import Conflict, InvalidInput
from vibe_quality_searcharr.security.passwords import check_password_policy
from vibe_quality_searcharr.users import audit, repository
from vibe_quality_searcharr.users.errors import LastAdmin, SetupClosed, UserNotFound, WrongPassword
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import SetupMarker, User

__all__ = [
    "change_password",
    "create_user",
    "delete_user",
    "reset_password",
    "reset_two_factor",
    "setup_first_admin",
    "setup_open",
    "update_user",
]


_USERNAME = re.compile(r"[a-z0-9._@-]{1,64}")


def _check_username(username: str) -> None:
    if not _USERNAME.fullmatch(username):
        raise InvalidInput(
            "A username is 1 to 64 letters, digits, dots, dashes, underscores or @.",
            fields={"username": "letters, digits and . _ @ - only"},
        )


def setup_open(session: Session) -> bool:
    return not repository.setup_completed(session) and repository.count_users(session) == 0


def setup_first_admin(
    session: Session, keys: AuthKeys, *, username: str, password: str, now: datetime, client_ip: str
) -> User:
    """Create the first admin, once. The singleton row decides races inside the database.

    The marker is inserted before anything is read, so on SQLite the transaction takes the write
    lock at once (a loser waits, then hits the primary key) and on PostgreSQL the second insert
    of id 1 blocks until the first commits and then fails.
    """
    username = username.lower()
    _check_username(username)
    check_password_policy(password, username=username)
    try:
        with session.begin_nested():
            session.add(SetupMarker(id=1, completed_at=now))
            session.flush()
    except IntegrityError:
        raise SetupClosed() from None
    if repository.count_users(session) > 0:
        raise SetupClosed()
    user = _new_user(keys, username=username, password=password, role="admin", now=now)
    session.add(user)
    session.flush()
    audit.record(session, "setup_completed", now=now, actor=username, client_ip=client_ip)
    return user


def _new_user(keys: AuthKeys, *, username: str, password: str, role: str, now: datetime) -> User:
    return User(
        username=username.lower(),
        password_hash=keys.passwords.hash(password),
        role=role,
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )


def create_user(
    session: Session,
    keys: AuthKeys,
    *,
    username: str,
    password: str,
    role: str,
    now: datetime,
    actor: str,
    client_ip: str = "",
) -> User:
    username = username.lower()
    _check_username(username)
    check_password_policy(password, username=username)
    if repository.get_user_by_username(session, username) is not None:
        raise Conflict("That username is taken.", fields={"username": "taken"})
    user = _new_user(keys, username=username, password=password, role=role, now=now)
    session.add(user)
    if not repository.setup_completed(session):
        session.add(SetupMarker(id=1, completed_at=now))  # an account exists: setup is over
    session.flush()
    audit.record(
        session,
        "user_created",
        now=now,
        actor=actor,
        subject=username,
        client_ip=client_ip,
        role=role,
    )
    return user


def _get(session: Session, user_id: int) -> User:
    user = repository.get_user(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


def _would_remove_last_admin(session: Session, user: User) -> bool:
    return (
        user.role == "admin" and not user.disabled and repository.count_active_admins(session) <= 1
    )


def update_user(
    session: Session,
    user_id: int,
    *,
    role: str | None,
    disabled: bool | None,
    now: datetime,
    actor: str,
    client_ip: str = "",
) -> User:
    user = _get(session, user_id)
    demoted = role is not None and role != user.role and role != "admin"
    disabling = disabled is True and not user.disabled
    if (demoted or disabling) and _would_remove_last_admin(session, user):
        raise LastAdmin()
    changed: dict[str, object] = {}
    if role is not None and role != user.role:
        user.role = role
        changed["role"] = role
    if disabled is not None and disabled != user.disabled:
        user.disabled = disabled
        changed["disabled"] = disabled
    if changed:
        user.updated_at = now
        # A change of privilege ends every session: the next sign-in gets a fresh one.
        repository.delete_sessions(session, user.id)
        audit.record(
            session,
            "user_updated",
            now=now,
            actor=actor,
            subject=user.username,
            client_ip=client_ip,
            **changed,
        )
    session.flush()
    return user


def delete_user(
    session: Session, user_id: int, *, now: datetime, actor: str, client_ip: str = ""
) -> None:
    user = _get(session, user_id)
    if _would_remove_last_admin(session, user):
        raise LastAdmin()
    username = user.username
    repository.delete_sessions(session, user.id)
    session.delete(user)
    session.flush()
    audit.record(
        session, "user_deleted", now=now, actor=actor, subject=username, client_ip=client_ip
    )


def change_password(
    session: Session,
    keys: AuthKeys,
    user: User,
    *,
    current_password: str,
    new_password: str,
    now: datetime,
    client_ip: str = "",
) -> None:
    """Change one's own password; every session of the account ends (the caller starts a new one)."""
    if not keys.passwords.verify(user.password_hash, current_password):
        raise WrongPassword()
    check_password_policy(new_password, username=user.username)
    _set_password(session, keys, user, new_password, now)
    audit.record(
        session,
        "password_changed",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=client_ip,
    )


def _set_password(
    session: Session, keys: AuthKeys, user: User, password: str, now: datetime
) -> None:
    user.password_hash = keys.passwords.hash(password)
    user.password_changed_at = now
    user.updated_at = now
    repository.delete_sessions(session, user.id)
    session.flush()


def reset_password(
    session: Session, keys: AuthKeys, username: str, *, now: datetime, actor: str
) -> str:
    """Give the account a random one-time password (printed by the CLI, never stored in clear)."""
    user = repository.get_user_by_username(session, username.lower())
    if user is None:
        raise UserNotFound()
    password = secrets.token_urlsafe(15)
    _set_password(session, keys, user, password, now)
    audit.record(session, "password_reset", now=now, actor=actor, subject=user.username)
    return password


def reset_two_factor(
    session: Session, user_id: int, *, now: datetime, actor: str, client_ip: str = ""
) -> User:
    user = _get(session, user_id)
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    user.updated_at = now
    repository.delete_recovery_codes(session, user.id)
    repository.delete_sessions(session, user.id)
    session.flush()
    audit.record(
        session, "2fa_reset", now=now, actor=actor, subject=user.username, client_ip=client_ip
    )
    return user
