"""JSON API of one's own account: password, sessions, two-factor sign-in, recovery codes.

These are the self-service actions viewers may take too (see `security.allowlist.SELF_SERVICE`);
each acts only on the caller's own account.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.users import repository, service, sessions, twofactor
from vibe_quality_searcharr.users.deps import Account, ClientIp, Keys, Pages
from vibe_quality_searcharr.users.routes import start_browser_session
from vibe_quality_searcharr.users.schemas import (
    Page,
    PasswordChange,
    PasswordConfirm,
    RecoveryCodes,
    SessionRead,
    TotpCode,
    TotpDisable,
    TotpEnrollment,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/auth", tags=["account"])

_PROBLEM = {"description": "Problem", "content": {"application/json": {}}}


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={403: _PROBLEM, 422: _PROBLEM},
)
def change_password(
    body: PasswordChange,
    request: Request,
    response: Response,
    db: DbSession,
    keys: Keys,
    context: Context,
    account: Account,
    principal: CurrentUser,
    now: Now,
    client_ip: ClientIp,
) -> None:
    """Change your password. Every session ends; this browser gets a new one."""
    service.change_password(
        db,
        keys,
        account,
        current_password=body.current_password,
        new_password=body.new_password,
        now=now,
        client_ip=client_ip,
    )
    if principal.method in ("session", "oidc"):
        csrf = start_browser_session(request, response, db, keys, context, account, now, client_ip)
        response.headers["X-CSRF-Token"] = csrf


@router.get("/sessions", response_model=Page[SessionRead])
def list_sessions(db: DbSession, principal: CurrentUser, pages: Pages) -> Page[SessionRead]:
    """Your signed-in browsers."""
    rows, total = repository.list_sessions(
        db, principal.user_id, offset=pages.offset, limit=pages.page_size
    )
    items = [
        SessionRead.model_validate(row).model_copy(
            update={"current": row.id == principal.session_id}
        )
        for row in rows
    ]
    return Page(items=items, total=total, page=pages.page, page_size=pages.page_size)


@router.delete(
    "/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: _PROBLEM}
)
def revoke_session(session_id: ResourceId, db: DbSession, principal: CurrentUser) -> None:
    """Sign one of your browsers out."""
    sessions.revoke_own(db, principal.user_id, session_id)


@router.post("/sessions/revoke-others")
def revoke_other_sessions(db: DbSession, principal: CurrentUser) -> dict[str, int]:
    """Sign out everywhere else (everywhere, when called with an API token)."""
    return {"revoked": sessions.revoke_others(db, principal.user_id, principal.session_id)}


@router.post("/2fa/enroll", response_model=TotpEnrollment, responses={403: _PROBLEM, 409: _PROBLEM})
def enroll_two_factor(
    body: PasswordConfirm, db: DbSession, keys: Keys, account: Account, now: Now
) -> TotpEnrollment:
    """Start two-factor enrolment (needs your password); confirm with a code next."""
    secret, uri, svg = twofactor.enroll(db, keys, account, password=body.password, now=now)
    return TotpEnrollment(secret=secret, otpauth_uri=uri, qr_svg=svg)


@router.post("/2fa/confirm", response_model=RecoveryCodes, responses={409: _PROBLEM, 422: _PROBLEM})
def confirm_two_factor(
    body: TotpCode, db: DbSession, keys: Keys, account: Account, now: Now, client_ip: ClientIp
) -> RecoveryCodes:
    """Turn two-factor sign-in on; returns 10 one-time recovery codes, shown only now."""
    codes = twofactor.confirm(db, keys, account, code=body.code, now=now, client_ip=client_ip)
    return RecoveryCodes(recovery_codes=codes)


@router.post(
    "/2fa/disable",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={403: _PROBLEM, 409: _PROBLEM, 422: _PROBLEM},
)
def disable_two_factor(
    body: TotpDisable, db: DbSession, keys: Keys, account: Account, now: Now, client_ip: ClientIp
) -> None:
    """Turn two-factor sign-in off (needs your password and a code)."""
    twofactor.disable(
        db, keys, account, password=body.password, code=body.code, now=now, client_ip=client_ip
    )


@router.post(
    "/recovery-codes",
    response_model=RecoveryCodes,
    responses={403: _PROBLEM, 409: _PROBLEM, 422: _PROBLEM},
)
def regenerate_recovery_codes(
    body: TotpDisable, db: DbSession, keys: Keys, account: Account, now: Now, client_ip: ClientIp
) -> RecoveryCodes:
    """Replace your recovery codes (needs your password and a code)."""
    codes = twofactor.regenerate_recovery_codes(
        db, keys, account, password=body.password, code=body.code, now=now, client_ip=client_ip
    )
    return RecoveryCodes(recovery_codes=codes)
