"""One connection pool to one *arr app: authentication, timeouts, retries and error mapping.

The API key travels only in the `X-Api-Key` header (never in a URL the app would log) and is
registered with the log redactor the moment a client is built. Reads are retried on connection
errors, 5xx and 429; anything else (a search command) is retried only when the connection was
never established, because once the request may have reached the app a retry could queue the
same search twice.

An optional observer (`ClientOptions.observer`) hears of every attempt: app, method, status,
duration and error kind. Metrics hook in there, so this package never imports them; the
observer sees no URL, path or key.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import structlog
from pydantic import TypeAdapter, ValidationError

from vibe_quality_searcharr import __version__
from vibe_quality_searcharr.arr.errors import (
    ArrAuthFailed,
    ArrBadResponse,
    ArrError,
    ArrNotFound,
    ArrRateLimited,
    ArrTimeout,
    ArrUnreachable,
)
from vibe_quality_searcharr.arr.retry import RetryPolicy, parse_retry_after
from vibe_quality_searcharr.observability.redaction import registry

__all__ = [
    "USER_AGENT",
    "ArrHttp",
    "ClientOptions",
    "Params",
    "RequestObserver",
    "RequestSample",
]

USER_AGENT = f"VibeQualitySearcharr/{__version__}"
Params = Mapping[str, str | int | float | bool | list[int] | None]
T = TypeVar("T")
log = structlog.get_logger(__name__)

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_SNIPPET = 200


@dataclass(frozen=True)
class RequestSample:
    """One attempt at one request, as an observer sees it (no URL, no path, no key)."""

    app: str
    method: str
    status: int | None  # None: no HTTP answer (connection error, timeout)
    seconds: float
    error: str | None  # the ArrError kind when the attempt failed, else None


RequestObserver = Callable[[RequestSample], None]


@dataclass(frozen=True)
class ClientOptions:
    """Timeouts in seconds and pool sizes; the defaults suit a home server on the LAN."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    write_timeout: float = 10.0
    pool_timeout: float = 5.0
    max_connections: int = 10
    max_keepalive_connections: int = 5
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    observer: RequestObserver | None = field(default=None, compare=False)

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.write_timeout,
            pool=self.pool_timeout,
        )


def _display_url(url: str) -> str:
    """The URL as shown in messages: no user info, no trailing slash."""
    parsed = httpx.URL(url)
    return str(parsed.copy_with(username=None, password=None, query=None)).rstrip("/")


def _snippet(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        text = str(body.get("message") or body.get("errorMessage") or body.get("title") or body)
    elif isinstance(body, list) and body and isinstance(body[0], dict):
        text = str(body[0].get("errorMessage") or body[0])
    else:
        text = response.text.strip()
    return registry.scrub(text[:_SNIPPET])


class ArrHttp:
    """The HTTP layer the per-family clients are built on. Use it as an async context manager."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        app_label: str,
        api_root: str,
        options: ClientOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        registry.add(api_key)
        self.options = options or ClientOptions()
        self.app_label = app_label
        self.url = _display_url(base_url)
        self._client = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}{api_root}/",
            headers={"X-Api-Key": api_key, "User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=self.options.timeout(),
            limits=httpx.Limits(
                max_connections=self.options.max_connections,
                max_keepalive_connections=self.options.max_keepalive_connections,
            ),
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"ArrHttp(app={self.app_label!r}, url={self.url!r})"

    async def __aenter__(self) -> ArrHttp:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, path: str, adapter: TypeAdapter[T], params: Params | None = None) -> T:
        """GET a JSON resource and validate it; retried on transient failures."""
        response = await self._send("GET", path, params=params, idempotent=True)
        return self._decode(response, path, adapter)

    async def post(self, path: str, adapter: TypeAdapter[T], body: Mapping[str, Any]) -> T:
        """POST once; retried only if the connection was never made."""
        response = await self._send("POST", path, json=dict(body), idempotent=False)
        return self._decode(response, path, adapter)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: dict[str, Any] | None = None,
        idempotent: bool,
    ) -> httpx.Response:
        retry = self.options.retry
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        attempt = 0
        while True:
            attempt += 1
            started = time.perf_counter()
            try:
                response = await self._client.request(method, path, params=clean_params, json=json)
            except httpx.TransportError as exc:
                error = self._transport_error(exc, path)
                self._observe(method, None, started, error.kind)
                retryable = idempotent or isinstance(exc, _NOT_SENT)
                if not retryable or attempt > retry.retries:
                    raise error from None
                await self._pause(retry.backoff(attempt), path, attempt, error)
                continue
            status = response.status_code
            if 200 <= status < 300:
                self._observe(method, status, started, None)
                return response
            error = self._status_error(response, method, path)
            self._observe(method, status, started, error.kind)
            transient = status == 429 or status >= 500
            if not (idempotent and transient) or attempt > retry.retries:
                raise error
            delay = retry.backoff(attempt)
            if isinstance(error, ArrRateLimited) and error.retry_after is not None:
                if error.retry_after > retry.retry_after_cap:
                    raise error
                delay = error.retry_after
            await self._pause(delay, path, attempt, error)

    def _observe(self, method: str, status: int | None, started: float, error: str | None) -> None:
        observer = self.options.observer
        if observer is None:
            return
        sample = RequestSample(
            app=self.app_label,
            method=method,
            status=status,
            seconds=time.perf_counter() - started,
            error=error,
        )
        with contextlib.suppress(Exception):  # metrics must never break a request
            observer(sample)

    async def _pause(self, delay: float, path: str, attempt: int, error: ArrError) -> None:
        log.warning(
            "arr_retry",
            app=self.app_label,
            url=self.url,
            path=path,
            attempt=attempt,
            delay=round(delay, 2),
            error=error.kind,
        )
        await self.options.retry.sleep(delay)

    def _transport_error(self, exc: httpx.TransportError, path: str) -> ArrError:
        label, url = self.app_label, self.url
        reached = not isinstance(exc, _NOT_SENT)
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return ArrTimeout(
                f"Could not connect to {label} at {url} within {self.options.connect_timeout:g} s. "
                f"Fix: check the host and port, that {label} is running, and that no firewall "
                "blocks this machine.",
                app=label,
                url=url,
                may_have_reached_server=False,
            )
        if isinstance(exc, httpx.TimeoutException):
            return ArrTimeout(
                f"{label} at {url} did not answer {path} within {self.options.read_timeout:g} s. "
                f"Fix: check that {label} is not overloaded (System > Tasks) and try again.",
                app=label,
                url=url,
                may_have_reached_server=True,
            )
        if isinstance(exc, httpx.RemoteProtocolError):
            return ArrBadResponse(
                f"{label} at {url} closed the connection before its answer to {path} was "
                "complete. Fix: check the reverse proxy in front of it, or try again later.",
                problem="truncated response",
                app=label,
                url=url,
            )
        reason = registry.scrub(str(exc)) or type(exc).__name__
        return ArrUnreachable(
            f"Cannot reach {label} at {url} ({reason}). Fix: check the host name and port, "
            f"and that {label} is running.",
            app=label,
            url=url,
            may_have_reached_server=reached,
        )

    def _status_error(self, response: httpx.Response, method: str, path: str) -> ArrError:
        label, url, status = self.app_label, self.url, response.status_code
        if status in (401, 403):
            return ArrAuthFailed(
                f"{label} at {url} refused the API key (HTTP {status}). Fix: copy the API key "
                f"from {label}: Settings > General > Security > API Key, and save it here.",
                app=label,
                url=url,
            )
        if status == 404:
            return ArrNotFound(
                f"{label} at {url} has no {path} (HTTP 404). Fix: check the URL and its URL "
                f"base ({label}: Settings > General > URL Base); if they are right, the item "
                "was deleted.",
                app=label,
                url=url,
            )
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            wait = f" for {retry_after:g} s" if retry_after is not None else ""
            return ArrRateLimited(
                f"{label} at {url} asked to slow down (HTTP 429){wait}. Fix: nothing; searches "
                "resume after the wait. Lower the queue's batch size if it keeps happening.",
                retry_after=retry_after,
                app=label,
                url=url,
            )
        if 300 <= status < 400:
            location = response.headers.get("Location", "another address")
            return ArrBadResponse(
                f"{label} at {url} redirected {path} to {location}. Fix: enter the final address "
                "as the URL (https, host and URL base as the app shows them).",
                problem=f"redirect {status}",
                status=status,
                app=label,
                url=url,
            )
        detail = _snippet(response)
        where = "failed on" if status >= 500 else "rejected"
        fix = f"check {label}'s logs (System > Logs)" if status >= 500 else "report this as a bug"
        return ArrBadResponse(
            f"{label} at {url} {where} {method} {path} (HTTP {status}: {detail}). Fix: {fix}.",
            problem=f"HTTP {status}: {detail}",
            status=status,
            app=label,
            url=url,
        )

    def _decode(self, response: httpx.Response, path: str, adapter: TypeAdapter[T]) -> T:
        label, url = self.app_label, self.url
        content_type = response.headers.get("Content-Type", "")
        if "html" in content_type:
            raise ArrBadResponse(
                f"{url} answered {path} with a web page, not {label}'s API. Fix: check the URL "
                "and URL base; a login page means a proxy sits in front, so use the app's own "
                "address.",
                problem="HTML instead of JSON",
                app=label,
                url=url,
            )
        # Parsed and validated in one pass by pydantic-core: no intermediate tree of Python
        # dicts, and fields the model does not name are skipped (a 1000-record page of a
        # library sync is ~2x faster and a fraction of the memory of json.loads + validate).
        try:
            return adapter.validate_json(response.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            if first["type"] == "json_invalid":
                raise ArrBadResponse(
                    f"{label} at {url} answered {path} with something that is not JSON "
                    "(empty, cut off or garbled). Fix: check any proxy in front of it and try "
                    "again.",
                    problem="invalid JSON",
                    app=label,
                    url=url,
                ) from None
            where = ".".join(str(part) for part in first["loc"]) or "body"
            # JSON-mode wording ("array", "object") said the Python way, as before.
            message = first["msg"].replace("valid array", "valid list")
            problem = f"{where}: {message}"
            raise ArrBadResponse(
                f"{label} at {url} answered {path} in an unexpected shape ({problem}). Fix: "
                f"check that this is {label} and that its version is supported.",
                problem=problem,
                app=label,
                url=url,
            ) from None
