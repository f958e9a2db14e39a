"""Settings pages of one's own account: password, browser sessions and API tokens.

Every action here is self-service (listed in `security.allowlist.SELF_SERVICE`): viewers may
take it too, and it only ever touches the caller's own account. A refused form is rolled back
and rendered again with the reason next to the field, so a failed attempt changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser, Principal
from vibe_quality_searcharr.users import api_tokens, repository, service, sessions
from vibe_quality_searcharr.users.deps import Account, ClientIp, Keys
from vibe_quality_searcharr.users.routes import start_browser_session
from vibe_quality_searcharr.users.schemas import TokenCreate
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.forms import app_error_fields, validation_fields
from vibe_quality_searcharr.web.templating import redirect, render

__all__ = ["SETTINGS_SECTIONS", "SettingsSection", "render_settings", "router"]

router = APIRouter(include_in_schema=False)

_LIST_LIMIT = 200


@dataclass(frozen=True)
class SettingsSection:
    """One entry of the settings menu; a new section is one line here."""

    label: str
    path: str
    admin_only: bool = False


SETTINGS_SECTIONS: tuple[SettingsSection, ...] = (
    SettingsSection("Account", "/settings/account"),
    SettingsSection("Two-factor sign-in", "/settings/2fa"),
    SettingsSection("Sessions", "/settings/sessions"),
    SettingsSection("API tokens", "/settings/tokens"),
    SettingsSection("Users", "/settings/users", admin_only=True),
    SettingsSection("General", "/settings/general", admin_only=True),
    SettingsSection("Notifications", "/settings/notifications", admin_only=True),
    SettingsSection("Database", "/settings/database", admin_only=True),
    SettingsSection("Backups", "/settings/backups", admin_only=True),
    SettingsSection("Configuration", "/settings/configuration", admin_only=True),
)


def render_settings(
    request: Request, template: str, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """A settings page: the shared side menu with the current section marked."""
    principal: Principal = request.state.principal
    sections = [s for s in SETTINGS_SECTIONS if not s.admin_only or principal.role == "admin"]
    return render(
        request,
        template,
        status_code,
        sections=sections,
        section_path=request.url.path,
        **values,
    )


@router.get("/settings")
def settings_index(_user: CurrentUser) -> Response:
    return RedirectResponse("/settings/account", status_code=303)


@router.get("/settings/account", response_class=HTMLResponse)
def account_page(request: Request, account: Account) -> HTMLResponse:
    return render_settings(request, "settings/account.html", account=account)


@router.post("/settings/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    db: DbSession,
    keys: Keys,
    context: Context,
    account: Account,
    principal: CurrentUser,
    now: Now,
    client_ip: ClientIp,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    new_password: Annotated[str, Form(max_length=1024)] = "",
    confirm_password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    errors: dict[str, str] = {}
    if new_password != confirm_password:
        errors["confirm_password"] = "The two new passwords differ."  # noqa: S105 (a message)
    else:
        try:
            service.change_password(
                db,
                keys,
                account,
                current_password=current_password,
                new_password=new_password,
                now=now,
                client_ip=client_ip,
            )
        except AppError as exc:
            errors = {
                (
                    "current_password"
                    if name == "password" and exc.status_code == 403
                    else "new_password"
                    if name == "password"
                    else name
                ): message
                for name, message in app_error_fields(exc).items()
            }
    if errors:
        db.rollback()
        return render_settings(
            request, "settings/account.html", 422, account=account, errors=errors
        )
    flash(request, "Password changed. Every other browser has been signed out.")
    response = redirect(request, "/settings/account")
    if principal.method in ("session", "oidc"):
        start_browser_session(request, response, db, keys, context, account, now, client_ip)
    return response


@router.get("/settings/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, db: DbSession, principal: CurrentUser) -> HTMLResponse:
    rows, total = repository.list_sessions(db, principal.user_id, offset=0, limit=_LIST_LIMIT)
    return render_settings(
        request,
        "settings/sessions.html",
        rows=rows,
        total=total,
        current_id=principal.session_id,
    )


@router.post("/settings/sessions/{session_id}/revoke", response_class=HTMLResponse)
def revoke_session(
    request: Request, session_id: ResourceId, db: DbSession, principal: CurrentUser
) -> Response:
    if session_id == principal.session_id:
        flash(request, "That is this browser: use Sign out instead.", "warning")
        return redirect(request, "/settings/sessions")
    sessions.revoke_own(db, principal.user_id, session_id)
    flash(request, "That browser has been signed out.")
    return redirect(request, "/settings/sessions")


@router.post("/settings/sessions/revoke-others", response_class=HTMLResponse)
def revoke_other_sessions(request: Request, db: DbSession, principal: CurrentUser) -> Response:
    count = sessions.revoke_others(db, principal.user_id, principal.session_id)
    flash(request, f"Signed out {count} other browser{'' if count == 1 else 's'}.")
    return redirect(request, "/settings/sessions")


def _tokens_page(
    request: Request,
    db: DbSession,
    principal: Principal,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    rows, total = repository.list_tokens(db, principal.user_id, offset=0, limit=_LIST_LIMIT)
    values.setdefault("form", {"name": "", "scope": "read", "expires_in_days": ""})
    return render_settings(
        request, "settings/tokens.html", status_code, rows=rows, total=total, **values
    )


@router.get("/settings/tokens", response_class=HTMLResponse)
def tokens_page(request: Request, db: DbSession, principal: CurrentUser) -> HTMLResponse:
    return _tokens_page(request, db, principal)


@router.post("/settings/tokens", response_class=HTMLResponse)
def create_token(
    request: Request,
    db: DbSession,
    account: Account,
    principal: CurrentUser,
    now: Now,
    client_ip: ClientIp,
    name: Annotated[str, Form(max_length=200)] = "",
    scope: Annotated[str, Form(max_length=10)] = "read",
    expires_in_days: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {"name": name, "scope": scope, "expires_in_days": expires_in_days}
    try:
        data = TokenCreate.model_validate(
            {
                "name": name.strip(),
                "scope": scope,
                "expires_in_days": int(expires_in_days) if expires_in_days.strip() else None,
            }
        )
    except ValueError as exc:
        errors = (
            validation_fields(exc)
            if isinstance(exc, ValidationError)
            else {"expires_in_days": "Enter a whole number of days, or leave it blank."}
        )
        return _tokens_page(request, db, principal, 422, form=form, errors=errors)
    secret, row = api_tokens.create(
        db,
        account,
        name=data.name,
        scope=data.scope,
        expires_in_days=data.expires_in_days,
        now=now,
        client_ip=client_ip,
    )
    # Shown on this response only: no redirect, so a reload cannot show it again (the page
    # is never cached: Cache-Control no-store).
    return render_settings(request, "settings/token_created.html", 201, token=row, secret=secret)


@router.post("/settings/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(
    request: Request,
    token_id: ResourceId,
    db: DbSession,
    account: Account,
    now: Now,
    client_ip: ClientIp,
) -> Response:
    api_tokens.revoke(db, account, token_id, now=now, client_ip=client_ip)
    flash(request, "Token revoked; it stops working at once.")
    return redirect(request, "/settings/tokens")
