"""JSON API of setup and sign-in: /api/v1/setup, /api/v1/auth/login, /api/v1/auth/logout."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from vibe_quality_searcharr.deps import Context, DbSession
from vibe_quality_searcharr.error_handlers import problem
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.users import service, sessions, signin
from vibe_quality_searcharr.users.deps import (
    Account,
    ClientIp,
    Keys,
    clear_session_cookie,
    set_session_cookie,
)
from vibe_quality_searcharr.users.models import User
from vibe_quality_searcharr.users.resolver import session_policy
from vibe_quality_searcharr.users.schemas import LoginRequest, LoginResponse, SetupRequest, UserRead

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["auth"])

_PROBLEM = {"description": "Problem", "content": {"application/json": {}}}


def start_browser_session(
    request: Request,
    response: Response,
    db: DbSession,
    keys: Keys,
    context: Context,
    user: User,
    now: Now,
    client_ip: str,
    method: str = "session",
) -> str:
    """Start a fresh session (ending the one the browser came with) and return its CSRF token."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        sessions.end_session(db, old)
    policy = session_policy(context.settings)
    token, _ = sessions.start(
        db,
        user,
        now=now,
        policy=policy,
        method=method,
        client_ip=client_ip,
        user_agent=request.headers.get("user-agent", ""),
    )
    set_session_cookie(request, response, token, int(policy.absolute.total_seconds()))
    return keys.csrf.for_binding(f"session:{token}")


@router.post(
    "/setup",
    status_code=status.HTTP_201_CREATED,
    response_model=LoginResponse,
    responses={404: _PROBLEM, 422: _PROBLEM},
)
def setup(
    body: SetupRequest,
    request: Request,
    response: Response,
    db: DbSession,
    keys: Keys,
    context: Context,
    now: Now,
    client_ip: ClientIp,
) -> LoginResponse:
    """Create the first admin and sign in. Answers 404 once any account exists."""
    user = service.setup_first_admin(
        db, keys, username=body.username, password=body.password, now=now, client_ip=client_ip
    )
    csrf = start_browser_session(request, response, db, keys, context, user, now, client_ip)
    return LoginResponse(csrf_token=csrf, user=UserRead.model_validate(user))


@router.post(
    "/auth/login",
    response_model=LoginResponse,
    responses={401: _PROBLEM, 422: _PROBLEM, 429: _PROBLEM},
)
def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    db: DbSession,
    keys: Keys,
    context: Context,
    now: Now,
    client_ip: ClientIp,
) -> LoginResponse | Response:
    """Sign in with a password (and `totp` or `recovery_code` when 2FA is on)."""
    attempt = signin.Attempt(
        username=body.username,
        password=body.password,
        second_factor=body.totp or body.recovery_code,
        client_ip=client_ip,
    )
    outcome = signin.sign_in(db, keys, attempt, now=now)
    # Failures are answered, not raised, so the recorded failure is committed with the request.
    if outcome.result == "rate_limited":
        return problem(
            429,
            "rate_limited",
            f"Too many failed sign-ins; try again in {outcome.retry_after} seconds.",
            headers={"Retry-After": str(outcome.retry_after)},
        )
    if outcome.result == "totp_required":
        return problem(401, "totp_required", "Enter the code from your authenticator app.")
    if outcome.result == "failed" or outcome.user is None:
        return problem(401, "unauthorized", "Wrong username or password.")
    csrf = start_browser_session(request, response, db, keys, context, outcome.user, now, client_ip)
    return LoginResponse(csrf_token=csrf, user=UserRead.model_validate(outcome.user))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, db: DbSession) -> Response:
    """End this browser's session. Harmless without one."""
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.end_session(db, token)
    clear_session_cookie(request, response)
    return response


@router.get("/auth/me", response_model=UserRead)
def me(account: Account, principal: CurrentUser) -> UserRead:
    """The signed-in account."""
    return UserRead.model_validate(account)


@router.get("/auth/csrf")
def csrf_token(request: Request, _principal: CurrentUser) -> dict[str, str | None]:
    """The CSRF token for this browser (null for API tokens, which need none)."""
    return {"csrf_token": getattr(request.state, "csrf_token", None)}
