"""Responses, the key check and the endpoint wrapper shared by every simulated app.

`endpoint()` turns a plain synchronous handler into a Starlette endpoint that parses a JSON
body, takes the state lock, lets the dynamics catch up with the clock, and maps the simulator's
exceptions to the apps' status codes (400 bad request, 404 not found, 500 unknown command).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from vibe_quality_searcharr.simulator.commands import UnknownCommand
from vibe_quality_searcharr.simulator.paging import BadRequest

if TYPE_CHECKING:
    from vibe_quality_searcharr.simulator.state import SimState

__all__ = [
    "AuthMiddleware",
    "NotFound",
    "endpoint",
    "json_bytes",
    "json_response",
    "key_from_scope",
]

Handler = Callable[[Request, Any], Any]


class NotFound(Exception):
    """A resource id that does not exist."""


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json_bytes(data), status_code=status, media_type="application/json")


def endpoint(
    state: SimState, handler: Handler, *, status: int = 200
) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        body: Any = None
        if request.method in ("POST", "PUT"):
            try:
                raw = await request.body()
            except ClientDisconnect:  # the client hung up (killed) before its body arrived
                return Response(status_code=499)
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                return json_response({"message": "Invalid JSON body"}, 400)
        try:
            with state.lock:
                state.stats.requests += 1
                state.advance()
                result = handler(request, body)
        except BadRequest as exc:
            return json_response({"message": str(exc)}, 400)
        except NotFound as exc:
            return json_response({"message": "NotFound", "description": str(exc)}, 404)
        except UnknownCommand as exc:
            message = f"Couldn't find command {exc}"
            return json_response({"message": message, "description": message}, 500)
        if isinstance(result, Response):
            return result
        return json_response(result, status)

    return run


def key_from_scope(scope: Scope) -> str | None:
    """The key as the apps accept it: X-Api-Key header, apikey query, or Bearer token."""
    headers: dict[str, str] = {
        bytes(name).decode("latin-1").lower(): bytes(value).decode("latin-1")
        for name, value in scope["headers"]
    }
    if "x-api-key" in headers:
        return headers["x-api-key"]
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    from urllib.parse import parse_qs

    query: dict[str, list[str]] = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1"))
    for name, values in query.items():
        if name.lower() == "apikey" and values:
            return values[0]
    return None


class AuthMiddleware:
    """Every path but /ping needs the key; a wrong one is 401 with an empty body."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") == "/ping":
            await self.app(scope, receive, send)
            return
        import hmac

        key = key_from_scope(scope)
        accepted = key is not None and hmac.compare_digest(
            key.encode(), self.state.api_key.encode()
        )
        refused = self.state.key_refused and not scope["path"].startswith("/__sim")
        if not accepted or refused:
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)
