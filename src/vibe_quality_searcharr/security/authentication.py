"""The authentication layer: one ASGI middleware in front of every route, mount and 404.

For each request it works out the real client address, resolves the principal (API token,
trusted proxy header or session cookie) and then applies three default-deny rules before any
route code runs:

1. anonymous requests reach only the allow-list (`security.allowlist`): 401, or a redirect to
   the sign-in page for a browser asking for a page;
2. state-changing requests carried by a cookie (session or proxy sign-in) need the CSRF token
   and, when the browser names one, this application's own origin;
3. state-changing requests need a principal that may write (an admin with a full-scope
   credential), except the few self-service account actions on the allow-list.

The metrics token (`VQS_METRICS_TOKEN`) is not a principal: it lets `GET /metrics` through and
nothing else (`allowlist.metrics_token_allows`), marked as `state.metrics_token`.

Routes still declare `CurrentUser`/`WriteUser`/`AdminUser`; this layer makes forgetting to do
so harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.error_handlers import database_failure_response, error_response
from vibe_quality_searcharr.security.allowlist import (
    STATIC_PREFIX,
    is_public,
    is_self_service,
    metrics_token_allows,
)
from vibe_quality_searcharr.security.client_address import TrustedProxies
from vibe_quality_searcharr.security.clock import app_clock
from vibe_quality_searcharr.security.csrf import CSRF_FIELD, CSRF_HEADER, CsrfTokens, same_origin
from vibe_quality_searcharr.security.session_cache import SessionCache
from vibe_quality_searcharr.security.tokens import digest
from vibe_quality_searcharr.users.resolver import Credentials, Resolution, resolve_principal

__all__ = ["SESSION_COOKIE", "AuthenticationMiddleware"]

SESSION_COOKIE = "vqs_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
COOKIE_METHODS = frozenset({"session", "proxy", "oidc"})
MAX_FORM_BYTES = 1024 * 1024
SHARED_LOOKUP_SECONDS = 5.0


def _refusal(scope: Scope, status: int, kind: str, detail: str) -> Response:
    """The JSON problem, or what a browser shows: the error page after a form post, a toast
    for htmx (`error_handlers.error_response`), so a refused button says why."""
    return error_response(Request(scope), status, kind, detail)


def _wants_page(method: str, path: str, headers: Headers) -> bool:
    return (
        method in ("GET", "HEAD")
        and (not path.startswith("/api/") or path == "/api/docs")
        and "text/html" in headers.get("accept", "")
    )


def _bearer(headers: Headers) -> str | None:
    """The bearer token, if any. Other schemes (a proxy's Basic auth) are not ours to judge."""
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._proxies: TrustedProxies | None = None
        self._csrf: CsrfTokens | None = None
        # Session-cookie answers, valid until any commit (see `security.session_cache`).
        self.sessions = SessionCache()
        # Lookups under way per cookie digest, with the stamp read before each started.
        self._resolving: dict[str, tuple[int, asyncio.Future[Resolution | None]]] = {}

    def _setup(self, context: AppContext) -> tuple[TrustedProxies, CsrfTokens]:
        if self._proxies is None or self._csrf is None:
            self._proxies = TrustedProxies(context.settings.trusted_proxies)
            self._csrf = CsrfTokens(context.secrets.master_secret)
        return self._proxies, self._csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            # The app streams with SSE over plain HTTP; no WebSocket may bypass this layer.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        application = scope["app"]
        context: AppContext = application.state.context
        proxies, csrf = self._setup(context)
        headers = Headers(scope=scope)
        method: str = scope["method"]
        path: str = scope["path"]
        state: dict[str, Any] = scope.setdefault("state", {})

        peer = scope["client"][0] if scope.get("client") else ""
        client = proxies.resolve(
            peer, scope["scheme"], headers.get("x-forwarded-for"), headers.get("x-forwarded-proto")
        )
        state["client_ip"] = client.ip
        state["scheme"] = client.scheme
        if client.via_trusted_proxy:
            # What uvicorn's proxy_headers would do, but only for VQS_TRUSTED_PROXIES: URLs,
            # cookies' Secure flag and HSTS then follow the scheme the browser really used.
            scope["scheme"] = client.scheme
            scope["client"] = (client.ip, 0)

        settings = context.settings
        proxy_user = None
        if settings.proxy_auth_header and client.via_trusted_proxy:
            proxy_user = headers.get(settings.proxy_auth_header) or None
        credentials = Credentials(
            bearer=_bearer(headers),
            session_cookie=_cookie(headers, SESSION_COOKIE),
            proxy_user=proxy_user,
        )
        now = app_clock(application)()
        metrics_token = settings.metrics_token
        metrics_grant = metrics_token_allows(
            method,
            path,
            credentials.bearer,
            metrics_token.get_secret_value() if metrics_token is not None else None,
        )
        state["metrics_token"] = metrics_grant
        if metrics_grant or (path.startswith(STATIC_PREFIX) and method in SAFE_METHODS):
            resolution = Resolution()  # static files, or the metrics token: no database lookup
        else:
            try:
                resolution = await self._resolve(context, credentials, now)
            except (SQLAlchemyError, DatabaseError) as exc:
                # The database cannot say who this is. Public routes (readiness, login) go on
                # as anonymous and answer for themselves; the rest get the 503 that says why.
                failed = database_failure_response(Request(scope), exc)
                if failed is None:
                    raise
                if not is_public(path):
                    await failed(scope, receive, send)
                    return
                resolution = Resolution()
        principal = resolution.principal
        state["principal"] = principal
        state["credentials"] = credentials  # for a stream to re-check them (`web.sse`)
        if resolution.csrf_binding is not None:
            state["csrf_token"] = csrf.for_binding(resolution.csrf_binding)

        public = is_public(path) or metrics_grant
        if resolution.rejected is not None and not public:
            await _refusal(scope, 401, "unauthorized", resolution.rejected)(scope, receive, send)
            return
        if principal is None and not public:
            await self._deny_anonymous(method, path, headers)(scope, receive, send)
            return

        if method not in SAFE_METHODS:
            origins = {f"{client.scheme}://{headers.get('host', '')}".lower()}
            if settings.base_url:
                parts = urlsplit(settings.base_url)
                origins.add(f"{parts.scheme}://{parts.netloc}".lower())
            cookie_borne = principal is None or principal.method in COOKIE_METHODS
            if cookie_borne and not same_origin(
                headers.get("origin"), headers.get("referer"), origins
            ):
                await _refusal(scope, 403, "forbidden", "Cross-site request refused.")(
                    scope, receive, send
                )
                return
            if principal is not None and resolution.csrf_binding is not None:
                presented = headers.get(CSRF_HEADER)
                if presented is None:
                    presented, receive = await _form_field(scope, receive, CSRF_FIELD)
                if not csrf.valid(resolution.csrf_binding, presented):
                    await _refusal(
                        scope,
                        403,
                        "csrf",
                        "Missing or wrong CSRF token; reload the page and try again.",
                    )(scope, receive, send)
                    return
            if (
                principal is not None
                and not public
                and not principal.can_write
                and not (is_self_service(method, path) and principal.scope == "full")
            ):
                detail = (
                    "This API token is read-only."
                    if principal.scope != "full"
                    else "Viewers cannot change anything; ask an admin."
                )
                await _refusal(scope, 403, "forbidden", detail)(scope, receive, send)
                return

        await self.app(scope, receive, send)

    async def _resolve(
        self, context: AppContext, credentials: Credentials, now: datetime
    ) -> Resolution:
        """A session cookie alone may be answered from the cache; the stamp is read first.

        After a commit every signed-in client misses at once; the misses of one cookie share
        one lookup (single flight) when it started at a stamp as new as theirs."""
        cookie = credentials.session_cookie
        cacheable = cookie and credentials.bearer is None and credentials.proxy_user is None
        stamp = context.database.data_stamp() if cacheable else None
        if not cookie or stamp is None:
            return await self._lookup(context, credentials, now)
        cached = self.sessions.get(cookie, stamp, now)
        if cached is not None:
            return cached
        key = digest(cookie)
        flight = self._resolving.get(key)
        if flight is not None and flight[0] >= stamp:
            shared = await self._shared(flight[1])
            if shared is not None and (shared.good_until is None or now < shared.good_until):
                return shared
            return await self._lookup(context, credentials, now)
        future: asyncio.Future[Resolution | None] = asyncio.get_running_loop().create_future()
        self._resolving[key] = (stamp, future)
        resolution: Resolution | None = None
        try:
            resolution = await self._lookup(context, credentials, now)
        finally:
            # None on a failure: the waiters then look up for themselves.
            future.set_result(resolution)
            if self._resolving.get(key, (0, None))[1] is future:
                del self._resolving[key]
        self.sessions.put(cookie, stamp, resolution)
        return resolution

    @staticmethod
    async def _lookup(context: AppContext, credentials: Credentials, now: datetime) -> Resolution:
        return await anyio.to_thread.run_sync(
            resolve_principal, context.database, context.settings, credentials, now
        )

    @staticmethod
    async def _shared(future: asyncio.Future[Resolution | None]) -> Resolution | None:
        """Another request's lookup of the same cookie, or None if it failed or took too long
        (then this request looks up for itself)."""
        try:
            return await asyncio.wait_for(asyncio.shield(future), SHARED_LOOKUP_SECONDS)
        except TimeoutError:
            return None

    @staticmethod
    def _deny_anonymous(method: str, path: str, headers: Headers) -> Response:
        if headers.get("hx-request"):
            return JSONResponse(
                {"error": "unauthorized", "detail": "Sign in first."},
                status_code=401,
                headers={"HX-Redirect": "/login"},
            )
        if _wants_page(method, path, headers):
            return RedirectResponse(f"/login?next={quote(path, safe='/')}", status_code=303)
        return JSONResponse({"error": "unauthorized", "detail": "Sign in first."}, status_code=401)


async def _form_field(scope: Scope, receive: Receive, name: str) -> tuple[str | None, Receive]:
    """Read one field of a form body, then hand the route a receive that replays the body."""
    content_type = Headers(scope=scope).get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None, receive
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None, receive
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None, receive
        chunks.append(chunk)
        more = message.get("more_body", False)
    body = b"".join(chunks)
    replay = _replaying(body, receive)
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), max_num_fields=200).get(name)
        return (values[0] if values else None), replay
    form = await Request(scope, _replaying(body, receive)).form(max_files=50, max_fields=200)
    value = form.get(name)
    return (value if isinstance(value, str) else None), replay


def _replaying(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
