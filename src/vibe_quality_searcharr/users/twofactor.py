"""TOTP enrolment and checks, and one-time recovery codes.

Only the signed-in user can enrol, and only after typing the password again: a stolen session
alone cannot attach an attacker's authenticator (Huntarr findings 4 and 5). The seed is stored
encrypted; recovery codes are shown once and stored as peppered HMACs.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import Conflict, InvalidInput
from vibe_quality_searcharr.security import totp
from vibe_quality_searcharr.security.tokens import new_recovery_code, recovery_code_digest
from vibe_quality_searcharr.users import audit, repository
from vibe_quality_searcharr.users.errors import WrongPassword
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import RecoveryCode, User

__all__ = [
    "RECOVERY_CODE_COUNT",
    "check_second_factor",
    "confirm",
    "disable",
    "enroll",
    "regenerate_recovery_codes",
]

RECOVERY_CODE_COUNT = 10


class WrongCode(InvalidInput):
    def __init__(self) -> None:
        super().__init__("The code is not correct.", fields={"code": "not correct"})


def enroll(
    session: Session, keys: AuthKeys, user: User, *, password: str, now: datetime
) -> tuple[str, str, str]:
    """Start enrolment: a new seed, pending until a code from it is confirmed."""
    if not keys.passwords.verify(user.password_hash, password):
        raise WrongPassword()
    if user.totp_enabled:
        raise Conflict("Two-factor sign-in is already on; turn it off first.")
    secret = totp.new_secret()
    user.totp_secret = keys.totp_box.encrypt(secret)
    user.totp_last_step = None
    user.updated_at = now
    session.flush()
    uri = totp.provisioning_uri(secret, user.username)
    return secret, uri, totp.qr_svg(uri)


def confirm(
    session: Session, keys: AuthKeys, user: User, *, code: str, now: datetime, client_ip: str = ""
) -> list[str]:
    if user.totp_enabled or user.totp_secret is None:
        raise Conflict("Start enrolment first.")
    step = totp.matching_step(keys.totp_box.decrypt(user.totp_secret), code, now, None)
    if step is None:
        raise WrongCode()
    user.totp_enabled = True
    user.totp_last_step = step
    user.updated_at = now
    codes = _replace_recovery_codes(session, keys, user)
    audit.record(
        session,
        "2fa_enabled",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=client_ip,
    )
    return codes


def _replace_recovery_codes(session: Session, keys: AuthKeys, user: User) -> list[str]:
    repository.delete_recovery_codes(session, user.id)
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        session.add(
            RecoveryCode(user_id=user.id, code_hash=recovery_code_digest(keys.pepper, code))
        )
    session.flush()
    return codes


def check_second_factor(
    session: Session, keys: AuthKeys, user: User, code: str, *, now: datetime
) -> bool:
    """Accept a fresh TOTP code or an unused recovery code; either is then spent."""
    if not user.totp_enabled or user.totp_secret is None:
        return False
    secret = keys.totp_box.decrypt(user.totp_secret)
    step = totp.matching_step(secret, code, now, user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        session.flush()
        return True
    wanted = recovery_code_digest(keys.pepper, code)
    for stored in repository.unused_recovery_codes(session, user.id):
        if hmac.compare_digest(stored.code_hash, wanted):
            return repository.mark_recovery_code_used(session, stored.id, now)
    return False


def disable(
    session: Session,
    keys: AuthKeys,
    user: User,
    *,
    password: str,
    code: str,
    now: datetime,
    client_ip: str = "",
) -> None:
    if not keys.passwords.verify(user.password_hash, password):
        raise WrongPassword()
    if not user.totp_enabled:
        raise Conflict("Two-factor sign-in is not on.")
    if not check_second_factor(session, keys, user, code, now=now):
        raise WrongCode()
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    user.updated_at = now
    repository.delete_recovery_codes(session, user.id)
    session.flush()
    audit.record(
        session,
        "2fa_disabled",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=client_ip,
    )


def regenerate_recovery_codes(
    session: Session,
    keys: AuthKeys,
    user: User,
    *,
    password: str,
    code: str,
    now: datetime,
    client_ip: str = "",
) -> list[str]:
    """New codes need the password and a current second factor (Huntarr finding 5)."""
    if not keys.passwords.verify(user.password_hash, password):
        raise WrongPassword()
    if not user.totp_enabled:
        raise Conflict("Turn on two-factor sign-in first.")
    if not check_second_factor(session, keys, user, code, now=now):
        raise WrongCode()
    codes = _replace_recovery_codes(session, keys, user)
    audit.record(
        session,
        "recovery_codes_regenerated",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=client_ip,
    )
    return codes
