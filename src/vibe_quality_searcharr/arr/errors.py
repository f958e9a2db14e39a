"""Everything that can go wrong talking to an *arr app, as one tree.

    ArrError                      (base; an AppError rendered as 502 unless a child says otherwise)
    ├── ArrUnreachable            nothing answered: DNS, refused, reset, TLS failure
    │   └── ArrTimeout            it did not answer within the timeout (504)
    ├── ArrAuthFailed             401/403: the API key was refused
    ├── ArrNotFound               404: wrong URL base, wrong app, or the item is gone
    ├── ArrRateLimited            429: carries `retry_after` seconds when the app sent one
    ├── ArrBadResponse            an answer we cannot use: 5xx, 4xx rejection, redirect,
    │                             HTML instead of JSON, truncated or mis-shaped JSON (`problem`)
    └── ArrUnsupportedVersion     the app or version is not one we can drive
        └── ArrWrongApp           the URL serves another app than the one configured

Every message names the app and the URL (never the API key) and ends with what to fix. Each
error also says whether the request may have reached the app (`may_have_reached_server`): the
executor uses that to decide whether a search command could already be queued there.
"""

from __future__ import annotations

from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.observability.redaction import registry

__all__ = [
    "ArrAuthFailed",
    "ArrBadResponse",
    "ArrError",
    "ArrNotFound",
    "ArrRateLimited",
    "ArrTimeout",
    "ArrUnreachable",
    "ArrUnsupportedVersion",
    "ArrWrongApp",
]


class ArrError(AppError):
    status_code = 502
    kind = "arr_error"

    def __init__(
        self,
        detail: str,
        *,
        app: str = "",
        url: str = "",
        may_have_reached_server: bool = True,
    ) -> None:
        # Defence in depth: a registered secret that slipped into a message is masked here too.
        super().__init__(registry.scrub(detail))
        self.app = app
        self.url = url
        self.may_have_reached_server = may_have_reached_server

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.detail!r})"


class ArrUnreachable(ArrError):
    kind = "arr_unreachable"


class ArrTimeout(ArrUnreachable):
    status_code = 504
    kind = "arr_timeout"


class ArrAuthFailed(ArrError):
    kind = "arr_auth_failed"


class ArrNotFound(ArrError):
    kind = "arr_not_found"


class ArrRateLimited(ArrError):
    status_code = 503
    kind = "arr_rate_limited"

    def __init__(
        self,
        detail: str,
        *,
        retry_after: float | None = None,
        app: str = "",
        url: str = "",
    ) -> None:
        super().__init__(detail, app=app, url=url, may_have_reached_server=True)
        self.retry_after = retry_after


class ArrBadResponse(ArrError):
    kind = "arr_bad_response"

    def __init__(
        self,
        detail: str,
        *,
        problem: str = "",
        status: int | None = None,
        app: str = "",
        url: str = "",
    ) -> None:
        super().__init__(detail, app=app, url=url, may_have_reached_server=True)
        self.problem = registry.scrub(problem)
        self.status = status


class ArrUnsupportedVersion(ArrError):
    kind = "arr_unsupported_version"


class ArrWrongApp(ArrUnsupportedVersion):
    kind = "arr_wrong_app"
