"""Two-factor sign-in pages: enrol with a QR code, confirm, get recovery codes, turn off.

The seed is on screen only while enrolment is pending (password typed, no code confirmed yet);
after confirmation no page shows it again. Recovery codes appear once, in the response to the
post that made them. The QR code is an SVG image in a `data:` URI (the CSP allows images from
data:, not inline markup with style), so nothing about it is fetched or cached.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from vibe_quality_searcharr.deps import DbSession
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.security import totp
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.users import twofactor
from vibe_quality_searcharr.users.deps import Account, ClientIp, Keys
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import User
from vibe_quality_searcharr.users.settings_views import render_settings
from vibe_quality_searcharr.web.flash import flash
from vibe_quality_searcharr.web.forms import app_error_fields
from vibe_quality_searcharr.web.templating import redirect

__all__ = ["qr_data_uri", "router"]

router = APIRouter(include_in_schema=False)

Password = Annotated[str, Form(max_length=1024)]
Code = Annotated[str, Form(max_length=40)]


def qr_data_uri(svg: str) -> str:
    """segno's inline SVG as a standalone image (an <img> needs the SVG namespace)."""
    if "xmlns=" not in svg:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _enrol_page(
    request: Request,
    keys: AuthKeys,
    account: User,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    """The pending enrolment: QR code, the seed for typing in, and the confirm form."""
    assert account.totp_secret is not None
    secret = keys.totp_box.decrypt(account.totp_secret)
    uri = totp.provisioning_uri(secret, account.username)
    return render_settings(
        request,
        "settings/twofactor_enrol.html",
        status_code,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr=qr_data_uri(totp.qr_svg(uri)),
        errors=errors or {},
    )


@router.get("/settings/2fa", response_class=HTMLResponse)
def two_factor_page(request: Request, account: Account) -> HTMLResponse:
    return render_settings(request, "settings/twofactor.html", account=account)


@router.post("/settings/2fa/enroll", response_class=HTMLResponse)
def enrol(
    request: Request,
    db: DbSession,
    keys: Keys,
    account: Account,
    now: Now,
    password: Password = "",
) -> Response:
    try:
        twofactor.enroll(db, keys, account, password=password, now=now)
    except AppError as exc:
        db.rollback()
        return render_settings(
            request,
            "settings/twofactor.html",
            exc.status_code if exc.status_code != 403 else 422,
            account=account,
            errors=app_error_fields(exc),
        )
    return _enrol_page(request, keys, account)


@router.post("/settings/2fa/confirm", response_class=HTMLResponse)
def confirm(
    request: Request,
    db: DbSession,
    keys: Keys,
    account: Account,
    now: Now,
    client_ip: ClientIp,
    code: Code = "",
) -> Response:
    if account.totp_enabled or account.totp_secret is None:
        flash(request, "Start enrolment first.", "warning")
        return redirect(request, "/settings/2fa")
    try:
        codes = twofactor.confirm(db, keys, account, code=code, now=now, client_ip=client_ip)
    except AppError as exc:
        db.rollback()
        return _enrol_page(request, keys, account, 422, app_error_fields(exc, "code"))
    flash(request, "Two-factor sign-in is on.")
    return render_settings(request, "settings/recovery_codes.html", codes=codes)


@router.post("/settings/2fa/disable", response_class=HTMLResponse)
def disable(
    request: Request,
    db: DbSession,
    keys: Keys,
    account: Account,
    now: Now,
    client_ip: ClientIp,
    password: Password = "",
    code: Code = "",
) -> Response:
    try:
        twofactor.disable(
            db, keys, account, password=password, code=code, now=now, client_ip=client_ip
        )
    except AppError as exc:
        return _refused(request, db, account, exc, "disable")
    flash(request, "Two-factor sign-in is off.")
    return redirect(request, "/settings/2fa")


def _refused(
    request: Request, db: DbSession, account: Account, exc: AppError, failed: str
) -> HTMLResponse:
    """The two-factor page again, with the error beside the form (`failed`) that caused it;
    nothing the refused action began is kept."""
    db.rollback()
    return render_settings(
        request,
        "settings/twofactor.html",
        422,
        account=account,
        errors=app_error_fields(exc),
        failed=failed,
    )


@router.post("/settings/2fa/recovery-codes", response_class=HTMLResponse)
def regenerate(
    request: Request,
    db: DbSession,
    keys: Keys,
    account: Account,
    now: Now,
    client_ip: ClientIp,
    password: Password = "",
    code: Code = "",
) -> Response:
    try:
        codes = twofactor.regenerate_recovery_codes(
            db, keys, account, password=password, code=code, now=now, client_ip=client_ip
        )
    except AppError as exc:
        return _refused(request, db, account, exc, "codes")
    flash(request, "New recovery codes made; the old ones no longer work.")
    return render_settings(request, "settings/recovery_codes.html", codes=codes)
