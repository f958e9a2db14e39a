"""The one error base of the application and the handlers that render every error as a problem.

    AppError                     (4xx/5xx with a message a user can act on)
    ├── NotFound                 404
    ├── Conflict                 409
    ├── InvalidInput             422 (with per-field messages)
    ├── Unauthorized             401
    ├── Forbidden                403
    └── ServiceUnavailable       503

Domains subclass these (`ArrUnreachable(ServiceUnavailable)`, `BudgetExhausted(Conflict)`...).
A database that cannot serve (disk full, locked by another process, file missing or damaged,
server unreachable: `db.failures`) is a 503 `database_<kind>` with a sentence saying what to do,
or, for a page, a form post or htmx, the same sentence on the HTML error page.
The body is always `{"error": kind, "detail": message, "fields"?: {...}}`; an unexpected error
becomes a 500 that names the request id and nothing else. That 500 is rendered inside the
middleware stack (`UnexpectedErrorMiddleware`), not by Starlette's outermost error middleware, so
it still carries the request id and the security headers like every other response.
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

__all__ = [
    "AppError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "ServiceUnavailable",
    "Unauthorized",
    "UnexpectedErrorMiddleware",
    "database_failure_response",
    "install_error_handlers",
    "problem",
]

log = structlog.get_logger(__name__)


class AppError(Exception):
    status_code = 400
    kind = "bad_request"

    def __init__(self, detail: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields


class NotFound(AppError):
    status_code = 404
    kind = "not_found"


class Conflict(AppError):
    status_code = 409
    kind = "conflict"


class InvalidInput(AppError):
    status_code = 422
    kind = "validation"


class Unauthorized(AppError):
    status_code = 401
    kind = "unauthorized"


class Forbidden(AppError):
    status_code = 403
    kind = "forbidden"


class ServiceUnavailable(AppError):
    status_code = 503
    kind = "unavailable"


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


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [
        str(part) for part in location if part not in ("body", "query", "path", "header", "cookie")
    ]
    return ".".join(parts) or "body"


def _validation_fields(exc: RequestValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in exc.errors():
        name = _field_name(tuple(error.get("loc", ())))
        fields.setdefault(name, str(error.get("msg", "invalid")).removeprefix("Value error, "))
    return fields


def _page_error(request: Request, status: int, detail: str) -> Response | None:
    """The HTML error page for a browser navigating pages (see `web.errors`), else None."""
    from vibe_quality_searcharr.web.errors import render_error_page, wants_page

    return render_error_page(request, status, detail) if wants_page(request) else None


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    page = _page_error(request, exc.status_code, exc.detail) if exc.status_code < 500 else None
    return page or problem(exc.status_code, exc.kind, exc.detail, exc.fields)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = _validation_fields(exc)
    summary = "; ".join(f"{name}: {message}" for name, message in fields.items())
    return problem(422, "validation", f"Invalid input. {summary}", fields)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404 and (page := _page_error(request, 404, "There is no such page.")):
        return page
    kind = _HTTP_KINDS.get(exc.status_code, "error")
    return problem(exc.status_code, kind, str(exc.detail), headers=getattr(exc, "headers", None))


def _internal_error(request_id: str) -> JSONResponse:
    return problem(
        500, "internal", f"Unexpected error. Quote request id {request_id} when reporting it."
    )


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
    from vibe_quality_searcharr.web.errors import render_error_page, wants_html

    if wants_html(request):
        return render_error_page(
            request, 503, failure.message, heading="Database unavailable", headers=headers
        )
    return problem(503, f"database_{failure.kind.value}", failure.message, headers=headers)


async def _database_error(request: Request, exc: Exception) -> Response:
    response = database_failure_response(request, exc)
    if response is None:  # a query bug or a constraint: not the database's availability
        return await _unexpected_error(request, exc)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """Last resort, for a failure inside a middleware; routes fail into the middleware below."""
    request_id = getattr(request.state, "request_id", "unknown")
    log.error("unhandled_error", path=request.url.path, request_id=request_id, exc_info=exc)
    return _internal_error(request_id)


class UnexpectedErrorMiddleware:
    """Turns an exception no handler took into the 500 problem, logged with its traceback."""

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
            await _internal_error(request_id)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Call before adding other middleware: the 500 renderer must be the innermost one."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(DatabaseError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(UnexpectedErrorMiddleware)
