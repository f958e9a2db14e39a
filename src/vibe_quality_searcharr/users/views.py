"""The sign-in pages: /login, /login/2fa, /setup and /logout (forms that work without JavaScript).

Failures are rendered, not raised, so that the failed attempt recorded for the throttle is
committed with the request.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from vibe_quality_searcharr.deps import Context, DbSession
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.passwords import MIN_LENGTH
from vibe_quality_searcharr.users import service, sessions, signin, twofactor
from vibe_quality_searcharr.users.deps import ClientIp, Keys, clear_session_cookie
from vibe_quality_searcharr.users.resolver import session_policy
from vibe_quality_searcharr.users.routes import start_browser_session
from vibe_quality_searcharr.web.templating import render
from vibe_quality_searcharr.web.wizard import WIZARD_STEPS, next_path

__all__ = ["PENDING_COOKIE", "router", "safe_next"]

router = APIRouter(include_in_schema=False)

PENDING_COOKIE = "vqs_2fa"
MAX_TOTP_FAILURES = 3


def safe_next(value: str | None) -> str:
    """A local path to go to after sign-in; anything else (other hosts, schemes) becomes "/"."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return "/"
    if ":" in value.split("?", 1)[0]:
        return "/"
    return value[:500]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, db: DbSession, next: str | None = None) -> Response:
    if service.setup_open(db):
        return _redirect("/setup")
    if getattr(request.state, "principal", None) is not None:
        return _redirect(safe_next(next))
    return render(
        request,
        "auth/login.html",
        next=safe_next(next),
        oidc_enabled=request.app.state.context.settings.oidc_enabled,
    )


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    db: DbSession,
    keys: Keys,
    context: Context,
    now: Now,
    client_ip: ClientIp,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    target = safe_next(next)
    if "\x00" in username:  # no account has one; PostgreSQL text cannot even store it
        return render(
            request, "auth/login.html", 401, next=target, error="Wrong username or password."
        )
    attempt = signin.Attempt(
        username=username, password=password, second_factor=None, client_ip=client_ip
    )
    outcome = signin.sign_in(db, keys, attempt, now=now)
    if outcome.result == "rate_limited":
        return render(
            request,
            "auth/login.html",
            429,
            next=target,
            username=username,
            error=f"Too many failed sign-ins; try again in {outcome.retry_after} seconds.",
        )
    if outcome.result == "failed" or outcome.user is None:
        return render(
            request,
            "auth/login.html",
            401,
            next=target,
            username=username,
            error="Wrong username or password.",
        )
    if outcome.result == "totp_required":
        token, _ = sessions.start(
            db,
            outcome.user,
            now=now,
            policy=session_policy(context.settings),
            stage="totp",
            client_ip=client_ip,
        )
        response = _redirect(f"/login/2fa?next={quote(target, safe='/')}")
        response.set_cookie(
            PENDING_COOKIE,
            token,
            max_age=int(sessions.PENDING_LIFETIME.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=getattr(request.state, "scheme", "http") == "https",
            path="/login",
        )
        return response
    response = _redirect(target)
    start_browser_session(request, response, db, keys, context, outcome.user, now, client_ip)
    return response


@router.get("/login/2fa", response_class=HTMLResponse)
def two_factor_page(
    request: Request, db: DbSession, context: Context, now: Now, next: str | None = None
) -> Response:
    pending = request.cookies.get(PENDING_COOKIE)
    policy = session_policy(context.settings)
    if not pending or sessions.resolve(db, pending, now=now, policy=policy, stage="totp") is None:
        return _redirect("/login")
    return render(request, "auth/login_2fa.html", next=safe_next(next))


@router.post("/login/2fa", response_class=HTMLResponse)
def two_factor_submit(
    request: Request,
    db: DbSession,
    keys: Keys,
    context: Context,
    now: Now,
    client_ip: ClientIp,
    code: Annotated[str, Form(max_length=40)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    target = safe_next(next)
    pending = request.cookies.get(PENDING_COOKIE)
    policy = session_policy(context.settings)
    live = sessions.resolve(db, pending, now=now, policy=policy, stage="totp") if pending else None
    if live is None:
        return _redirect("/login")
    row, user = live
    if twofactor.check_second_factor(db, keys, user, code, now=now):
        db.delete(row)
        signin.clear_account_failures(db, user.username)
        response = _redirect(target)
        response.delete_cookie(PENDING_COOKIE, path="/login")
        start_browser_session(request, response, db, keys, context, user, now, client_ip)
        return response
    attempt = signin.Attempt(
        username=user.username, password="", second_factor=code, client_ip=client_ip
    )
    signin.record_failure(
        db, attempt, now=now, policy=signin.DEFAULT_POLICY, reason="second_factor"
    )
    row.totp_failures += 1
    if row.totp_failures >= MAX_TOTP_FAILURES:
        # Three wrong codes end the half-signed-in state: back to the password.
        db.delete(row)
        page = render(
            request,
            "auth/login.html",
            401,
            next=target,
            error="Too many wrong codes; sign in again.",
        )
        page.delete_cookie(PENDING_COOKIE, path="/login")
        return page
    return render(
        request, "auth/login_2fa.html", 401, next=target, error="That code is not correct."
    )


@router.get("/setup", response_class=HTMLResponse)
def setup_page(request: Request, db: DbSession) -> Response:
    if not service.setup_open(db):
        return render(request, "auth/not_found.html", 404)
    return render(
        request,
        "auth/setup.html",
        min_length=MIN_LENGTH,
        steps=WIZARD_STEPS,
        current_step="account",
    )


@router.post("/setup", response_class=HTMLResponse)
def setup_submit(
    request: Request,
    db: DbSession,
    keys: Keys,
    context: Context,
    now: Now,
    client_ip: ClientIp,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    # No read before the insert: the database decides a race (see setup_first_admin).
    try:
        user = service.setup_first_admin(
            db, keys, username=username.lower(), password=password, now=now, client_ip=client_ip
        )
    except AppError as exc:
        if exc.status_code == 404:
            return render(request, "auth/not_found.html", 404)
        return render(
            request,
            "auth/setup.html",
            422,
            min_length=MIN_LENGTH,
            username=username,
            error=exc.detail,
            errors=exc.fields or {},
            steps=WIZARD_STEPS,
            current_step="account",
        )
    response = _redirect(next_path("account"))
    start_browser_session(request, response, db, keys, context, user, now, client_ip)
    return response


@router.post("/logout")
def logout_submit(request: Request, db: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.end_session(db, token)
    response = _redirect("/login")
    clear_session_cookie(request, response)
    return response
