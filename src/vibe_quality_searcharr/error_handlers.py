"""Every error rendered as an HTTP answer, in one place: a problem for the API, HTML for a browser.

The body of a problem is always `{"error": kind, "detail": message, "fields"?: {...}}`. What a
browser shows (a page, a form post, an htmx request; never /api/) is asked of `web.errors`
instead: the error page, or for htmx a toast retargeted to the page's toast region, with the
same plain sentence. A request refused by FastAPI's own validation (a missing field, a value too
long, letters in a number) is a 422 naming the field either way, and changes nothing.

A database that cannot serve (disk full, locked by another process, file missing or damaged,
server unreachable: `db.failures`) is a 503 `database_<kind>` with a sentence saying what to do.
An unexpected error becomes a 500 that names the request id and nothing else. That 500 is
rendered inside the middleware stack (`UnexpectedErrorMiddleware`), not by Starlette's outermost
error middleware, so it still carries the request id and the security headers like every other
response.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vibe_quality_searcharr.db.errors import DatabaseError
from vibe_quality_searcharr.db.failures import FailureKind, classify
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.web.errors import browser_error, wants_page

__all__ = [
    "UnexpectedErrorMiddleware",
    "database_failure_response",
    "error_response",
    "install_error_handlers",
    "problem",
    "validation_sentence",
]

log = structlog.get_logger(__name__)

_HTTP_KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation",
    429: "rate_limited",
    503: "unavailable",
}
_LOCATIONS = ("body", "query", "path", "header", "cookie")


def problem(
    status: int,
    kind: str,
    detail: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error": kind, "detail": detail}
    if fields:
        body["fields"] = fields
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(
    request: Request,
    status: int,
    kind: str,
    detail: str,
    *,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    heading: str | None = None,
) -> Response:
    """HTML for what a browser shows (see `web.errors.browser_error`), else the JSON problem."""
    shown = browser_error(request, status, detail, heading=heading, headers=headers)
    return shown or problem(status, kind, detail, fields, headers)


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in _LOCATIONS]
    return ".".join(parts) or "body"


def _validation_fields(exc: RequestValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = _field_name(tuple(error.get("loc", ())))
        fields.setdefault(name, str(error.get("msg", "invalid")).removeprefix("Value error, "))
    return fields


def validation_sentence(fields: dict[str, str], *, changed_nothing: bool) -> str:
    """What a person reads when a field never reached the page's own checks: each field named,
    with what was wrong with it (`The field "name": String should have at most 100
    characters.`)."""
    parts = [
        f"The field “{name}”: {message.rstrip('.')}." if name != "body" else f"{message}."
        for name, message in fields.items()
    ]
    ending = " Nothing was changed." if changed_nothing else ""
    return " ".join(parts)[:600] + ending


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error_response(request, exc.status_code, exc.kind, exc.detail, fields=exc.fields)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = _validation_fields(exc)
    reading = request.method in ("GET", "HEAD")
    shown = browser_error(request, 422, validation_sentence(fields, changed_nothing=not reading))
    if shown is not None:
        return shown
    summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
    return problem(422, "validation", f"Invalid input. {summary}", fields)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    kind = _HTTP_KINDS.get(exc.status_code, "error")
    detail = str(exc.detail)
    if exc.status_code == 404 and wants_page(request):
        detail = "There is no such page."
    return error_response(request, exc.status_code, kind, detail, headers=headers)


def _internal_error(request: Request | None, request_id: str) -> Response:
    detail = f"Unexpected error. Quote request id {request_id} when reporting it."
    if request is not None:
        try:
            shown = browser_error(request, 500, detail)
        except Exception as exc:  # the page itself failed: the JSON problem still says it
            log.error("error_page_failed", request_id=request_id, exc_info=exc)
        else:
            if shown is not None:
                return shown
    return problem(500, "internal", detail)


_RETRY_AFTER = {FailureKind.BUSY: "5", FailureKind.DISK_FULL: "60", FailureKind.UNREACHABLE: "30"}


def database_failure_response(request: Request, exc: BaseException) -> Response | None:
    """The 503 for a database that cannot serve (HTML for what a browser shows), or None when
    `exc` is not about availability. Also used by the authentication middleware, which reads
    the database before any route runs."""
    failure = classify(exc)
    if failure is None:
        return None
    log.warning("request_database_failure", path=request.url.path, kind=failure.kind.value)
    retry = _RETRY_AFTER.get(failure.kind)
    headers = {"Retry-After": retry} if retry else None
    return error_response(
        request,
        503,
        f"database_{failure.kind.value}",
        failure.message,
        headers=headers,
        heading="Database unavailable",
    )


async def _database_error(request: Request, exc: Exception) -> Response:
    response = database_failure_response(request, exc)
    if response is None:  # a query bug or a constraint: not the database's availability
        return await _unexpected_error(request, exc)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    """Last resort, for a failure inside a middleware; routes fail into the middleware below."""
    request_id = getattr(request.state, "request_id", "unknown")
    log.error("unhandled_error", path=request.url.path, request_id=request_id, exc_info=exc)
    return _internal_error(request, request_id)


class UnexpectedErrorMiddleware:
    """Turns an exception no handler took into the 500 answer, logged with its traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:  # too late for a clean answer; let the server close the connection
                raise
            request_id = scope.get("state", {}).get("request_id", "unknown")
            log.error("unhandled_error", path=scope["path"], exc_info=exc)
            await _internal_error(Request(scope), request_id)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Call before adding other middleware: the 500 renderer must be the innermost one."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(DatabaseError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(UnexpectedErrorMiddleware)
