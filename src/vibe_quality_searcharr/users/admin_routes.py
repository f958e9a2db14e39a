"""JSON API for admins: /api/v1/users (manage accounts) and /api/v1/audit (the security trail)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser
from vibe_quality_searcharr.users import repository, service
from vibe_quality_searcharr.users.deps import ClientIp, Keys, Pages
from vibe_quality_searcharr.users.errors import UserNotFound
from vibe_quality_searcharr.users.schemas import (
    AuditEventRead,
    Page,
    UserCreate,
    UserRead,
    UserUpdate,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["users"])

_PROBLEM = {"description": "Problem", "content": {"application/json": {}}}


@router.get("/users", response_model=Page[UserRead])
def list_users(db: DbSession, _admin: AdminUser, pages: Pages) -> Page[UserRead]:
    """Every account."""
    rows, total = repository.list_users(db, offset=pages.offset, limit=pages.page_size)
    return Page(
        items=[UserRead.model_validate(row) for row in rows],
        total=total,
        page=pages.page,
        page_size=pages.page_size,
    )


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserRead,
    responses={409: _PROBLEM, 422: _PROBLEM},
)
def create_user(
    body: UserCreate, db: DbSession, keys: Keys, admin: WriteUser, now: Now, client_ip: ClientIp
) -> UserRead:
    """Add an account (role `viewer` unless said otherwise)."""
    user = service.create_user(
        db,
        keys,
        username=body.username,
        password=body.password,
        role=body.role,
        now=now,
        actor=admin.username,
        client_ip=client_ip,
    )
    return UserRead.model_validate(user)


@router.get("/users/{user_id}", response_model=UserRead, responses={404: _PROBLEM})
def get_user(user_id: ResourceId, db: DbSession, _admin: AdminUser) -> UserRead:
    user = repository.get_user(db, user_id)
    if user is None:
        raise UserNotFound()
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserRead, responses={404: _PROBLEM, 409: _PROBLEM})
def update_user(
    user_id: ResourceId,
    body: UserUpdate,
    db: DbSession,
    admin: WriteUser,
    now: Now,
    client_ip: ClientIp,
) -> UserRead:
    """Change role or disable; the account's sessions end. The last admin stays an admin."""
    user = service.update_user(
        db,
        user_id,
        role=body.role,
        disabled=body.disabled,
        now=now,
        actor=admin.username,
        client_ip=client_ip,
    )
    return UserRead.model_validate(user)


@router.delete(
    "/users/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: _PROBLEM, 409: _PROBLEM},
)
def delete_user(
    user_id: ResourceId, db: DbSession, admin: WriteUser, now: Now, client_ip: ClientIp
) -> None:
    """Delete an account with its sessions and tokens. The last admin cannot be deleted."""
    service.delete_user(db, user_id, now=now, actor=admin.username, client_ip=client_ip)


@router.post("/users/{user_id}/reset-2fa", response_model=UserRead, responses={404: _PROBLEM})
def reset_two_factor(
    user_id: ResourceId, db: DbSession, admin: WriteUser, now: Now, client_ip: ClientIp
) -> UserRead:
    """Turn off a user's two-factor sign-in (lost phone); their sessions end."""
    user = service.reset_two_factor(db, user_id, now=now, actor=admin.username, client_ip=client_ip)
    return UserRead.model_validate(user)


@router.get("/audit", response_model=Page[AuditEventRead])
def list_audit_events(
    db: DbSession,
    _admin: AdminUser,
    pages: Pages,
    kind: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z0-9_]+$")] = None,
) -> Page[AuditEventRead]:
    """Security events, newest first: sign-ins, failures, lockouts, 2FA and token changes."""
    rows, total = repository.list_audit_events(
        db, kind=kind, offset=pages.offset, limit=pages.page_size
    )
    return Page(
        items=[AuditEventRead.model_validate(row) for row in rows],
        total=total,
        page=pages.page,
        page_size=pages.page_size,
    )
