"""The one error base of the application: what can go wrong, as a tree, and nothing else.

    AppError                     (4xx/5xx with a message a user can act on)
    ├── NotFound                 404
    ├── Conflict                 409
    ├── InvalidInput             422 (with per-field messages)
    ├── Unauthorized             401
    ├── Forbidden                403
    └── ServiceUnavailable       503

Domains subclass these (`ArrUnreachable(ServiceUnavailable)`, `BudgetExhausted(Conflict)`...).
This module imports nothing but the standard library, so code far from HTTP (the *arr clients,
the command line, jobs) can raise these without loading the web framework. Rendering them as
HTTP answers (JSON problems, HTML pages, htmx toasts) is `error_handlers`' job.
"""

from __future__ import annotations

__all__ = [
    "AppError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "ServiceUnavailable",
    "Unauthorized",
]


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
