"""Which local account an OpenID Connect sign-in becomes, and with which role.

The role comes from the provider's group claim on every sign-in. An account is found by the
provider's stable subject id, never by a name alone: a provider-side user who picks the name of
an existing local account ("admin") is refused instead of taking that account over.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vibe_quality_searcharr.settings import Settings
from vibe_quality_searcharr.users import audit, repository
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import SetupMarker, User
from vibe_quality_searcharr.users.oidc import OidcFailed

__all__ = ["account_for_claims"]


def _split(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def _role(settings: Settings, username: str, groups: set[str]) -> str | None:
    if groups & _split(settings.oidc_admin_groups):
        return "admin"
    if groups & _split(settings.oidc_viewer_groups):
        return "viewer"
    if username in _split(settings.oidc_allowed_users):
        return "viewer"
    return None


def account_for_claims(
    session: Session,
    keys: AuthKeys,
    settings: Settings,
    claims: dict[str, Any],
    *,
    now: datetime,
    client_ip: str,
) -> User:
    subject = f"{claims['iss']}|{claims['sub']}"[:255]
    raw_name = str(claims.get(settings.oidc_username_claim) or claims["sub"]).lower()
    username = re.sub(r"[^a-z0-9._@-]", "-", raw_name)[:64]
    raw_groups = claims.get(settings.oidc_groups_claim) or []
    groups = {str(g).lower() for g in ([raw_groups] if isinstance(raw_groups, str) else raw_groups)}
    role = _role(settings, username, groups)
    if role is None:
        audit.record(
            session,
            "login_failed",
            now=now,
            subject=username,
            client_ip=client_ip,
            reason="oidc_not_allowed",
        )
        raise OidcFailed("Your account at the identity provider is not allowed to use this app.")
    user = repository.get_user_by_oidc_subject(session, subject)
    if user is None:
        if repository.get_user_by_username(session, username) is not None:
            audit.record(
                session,
                "login_failed",
                now=now,
                subject=username,
                client_ip=client_ip,
                reason="oidc_name_taken",
            )
            raise OidcFailed(f"A local account named {username} already exists; ask an admin.")
        user = User(
            username=username,
            password_hash=keys.passwords.hash(secrets.token_urlsafe(32)),  # no usable password
            role=role,
            oidc_subject=subject,
            password_changed_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        if not repository.setup_completed(session):
            session.add(SetupMarker(id=1, completed_at=now))
        session.flush()
        audit.record(
            session,
            "user_created",
            now=now,
            actor="oidc",
            subject=username,
            client_ip=client_ip,
            role=role,
        )
    if user.disabled:
        raise OidcFailed("This account is disabled.")
    if user.role != role:
        user.role = role
        user.updated_at = now
        repository.delete_sessions(session, user.id)
        audit.record(
            session,
            "user_updated",
            now=now,
            actor="oidc",
            subject=user.username,
            client_ip=client_ip,
            role=role,
        )
    audit.record(
        session,
        "login_ok",
        now=now,
        actor=user.username,
        subject=user.username,
        client_ip=client_ip,
        method="oidc",
    )
    session.flush()
    return user
