"""/auth/oidc/login and /auth/oidc/callback: the browser side of OpenID Connect sign-in."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from vibe_quality_searcharr.deps import Context, DbSession
from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.users.deps import ClientIp, Keys
from vibe_quality_searcharr.users.oidc import (
    FLOW_COOKIE,
    FLOW_LIFETIME_SECONDS,
    OidcFailed,
    OidcProvider,
)
from vibe_quality_searcharr.users.oidc_accounts import account_for_claims
from vibe_quality_searcharr.users.routes import start_browser_session
from vibe_quality_searcharr.users.views import safe_next
from vibe_quality_searcharr.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _provider(request: Request, context: Context) -> OidcProvider:
    if not context.settings.oidc_enabled:
        raise NotFound("Not found.")
    provider: OidcProvider | None = getattr(request.app.state, "oidc_provider", None)
    if provider is None:
        provider = OidcProvider(context.settings, context.secrets.master_secret)
        request.app.state.oidc_provider = provider
    return provider


def _redirect_uri(request: Request, context: Context) -> str:
    if context.settings.base_url:
        return context.settings.base_url.rstrip("/") + "/auth/oidc/callback"
    scheme = getattr(request.state, "scheme", request.url.scheme)
    return f"{scheme}://{request.headers.get('host', 'localhost')}/auth/oidc/callback"


@router.get("/auth/oidc/login")
def oidc_login(request: Request, context: Context, next: str | None = None) -> Response:
    provider = _provider(request, context)
    try:
        url, sealed = provider.start(_redirect_uri(request, context), safe_next(next))
    except OidcFailed as exc:
        return render(request, "auth/login.html", 502, next=safe_next(next), error=exc.detail)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        sealed,
        max_age=FLOW_LIFETIME_SECONDS,
        httponly=True,
        samesite="lax",
        secure=getattr(request.state, "scheme", "http") == "https",
        path="/auth/oidc",
    )
    return response


@router.get("/auth/oidc/callback")
def oidc_callback(
    request: Request,
    db: DbSession,
    keys: Keys,
    context: Context,
    now: Now,
    client_ip: ClientIp,
    code: str = "",
    state: str = "",
) -> Response:
    provider = _provider(request, context)
    try:
        if not code or not state or len(code) > 2000 or len(state) > 200:
            raise OidcFailed("The identity provider did not complete the sign-in.")
        flow = provider.open_flow(request.cookies.get(FLOW_COOKIE), state)
        claims = provider.finish(flow, code, _redirect_uri(request, context))
        user = account_for_claims(db, keys, context.settings, claims, now=now, client_ip=client_ip)
    except OidcFailed as exc:
        page = render(
            request, "auth/login.html", 401, next="/", error=exc.detail, oidc_enabled=True
        )
        page.delete_cookie(FLOW_COOKIE, path="/auth/oidc")
        return page
    response = RedirectResponse(flow.next, status_code=303)
    response.delete_cookie(FLOW_COOKIE, path="/auth/oidc")
    start_browser_session(request, response, db, keys, context, user, now, client_ip, method="oidc")
    return response
