"""The users page (admins only): add an account, change a role, disable or enable one.

Calls the same service as `/api/v1/users`, so the last-admin guard and the audit trail hold
here too; every change of privilege ends that user's sessions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import AdminUser, WriteUser
from vibe_quality_searcharr.users import repository, service
from vibe_quality_searcharr.users.deps import ClientIp, Keys
from vibe_quality_searcharr.users.settings_views import render_settings
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.forms import app_error_fields
from vibe_quality_searcharr.web.templating import redirect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_LIST_LIMIT = 200


def _users_page(
    request: Request, db: DbSession, status_code: int = 200, **values: Any
) -> HTMLResponse:
    rows, total = repository.list_users(db, offset=0, limit=_LIST_LIMIT)
    values.setdefault("form", {"username": "", "role": "viewer"})
    return render_settings(
        request, "settings/users.html", status_code, rows=rows, total=total, **values
    )


@router.get("/settings/users", response_class=HTMLResponse)
def users_page(request: Request, db: DbSession, _admin: AdminUser) -> HTMLResponse:
    return _users_page(request, db)


@router.post("/settings/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    db: DbSession,
    keys: Keys,
    admin: WriteUser,
    now: Now,
    client_ip: ClientIp,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    role: Annotated[Literal["admin", "viewer"], Form()] = "viewer",
) -> Response:
    try:
        user = service.create_user(
            db,
            keys,
            username=username.strip(),
            password=password,
            role=role,
            now=now,
            actor=admin.username,
            client_ip=client_ip,
        )
    except AppError as exc:
        db.rollback()
        return _users_page(
            request,
            db,
            422,
            form={"username": username, "role": role},
            errors=app_error_fields(exc, "username"),
        )
    flash(request, f"Added {user.username} ({user.role}).")
    return redirect(request, "/settings/users")


@router.post("/settings/users/{user_id}", response_class=HTMLResponse)
def change_user(
    request: Request,
    user_id: ResourceId,
    db: DbSession,
    admin: WriteUser,
    now: Now,
    client_ip: ClientIp,
    role: Annotated[Literal["admin", "viewer"], Form()],
    status: Annotated[Literal["active", "disabled"], Form()],
) -> Response:
    try:
        user = service.update_user(
            db,
            user_id,
            role=role,
            disabled=status == "disabled",
            now=now,
            actor=admin.username,
            client_ip=client_ip,
        )
    except AppError as exc:
        db.rollback()
        if exc.status_code == 404:
            raise
        flash(request, exc.detail, "error")
        return _users_page(request, db, 409)
    flash(
        request, f"Saved {user.username}: {user.role}, {'disabled' if user.disabled else 'active'}."
    )
    return redirect(request, "/settings/users")
