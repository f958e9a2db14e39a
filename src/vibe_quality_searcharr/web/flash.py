"""One-shot messages ("Instance saved.") that survive the redirect after a form post.

They travel in a short-lived cookie signed with a key derived from the master secret, so a
page can only ever show a message this server wrote (no one can plant text in someone else's
toast) and nothing is stored server-side. Messages are plain text, escaped when shown, and never
carry a secret: callers flash what happened, not the values involved.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Literal

from fastapi import Request, Response

from vibe_quality_searcharr.security.crypto import derive_key

__all__ = [
    "FLASH_COOKIE",
    "Flash",
    "FlashKind",
    "clear_cookie",
    "flash",
    "incoming",
    "outgoing",
    "write_cookie",
]

FLASH_COOKIE = "vqs_flash"
MAX_AGE_SECONDS = 120
_MAX_MESSAGES = 5
_MAX_TEXT = 300

FlashKind = Literal["success", "info", "warning", "error"]
_KINDS: frozenset[str] = frozenset({"success", "info", "warning", "error"})


@dataclass(frozen=True)
class Flash:
    kind: FlashKind
    text: str

    @property
    def role(self) -> str:
        """Errors interrupt a screen reader (alert); the rest wait their turn (status)."""
        return "alert" if self.kind == "error" else "status"


def _key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "flash_key", None)
    if key is None:
        key = derive_key(request.app.state.context.secrets.master_secret, "flash")
        request.app.state.flash_key = key
    return key


def _sign(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def flash(request: Request, text: str, kind: FlashKind = "success") -> None:
    """Queue a message for the next page this browser sees (or this one, if it renders)."""
    pending: list[Flash] = request.state.__dict__.setdefault("flash_out", [])
    if len(pending) < _MAX_MESSAGES:
        pending.append(Flash(kind, text[:_MAX_TEXT]))


def outgoing(request: Request) -> list[Flash]:
    return list(getattr(request.state, "flash_out", []))


def write_cookie(request: Request, response: Response, messages: list[Flash]) -> None:
    if not messages:
        return
    body = json.dumps(
        {"t": int(time.time()), "m": [[m.kind, m.text] for m in messages[:_MAX_MESSAGES]]},
        separators=(",", ":"),
    ).encode()
    payload = base64.urlsafe_b64encode(body)
    response.set_cookie(
        FLASH_COOKIE,
        f"{payload.decode('ascii')}.{_sign(_key(request), payload)}",
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=getattr(request.state, "scheme", request.url.scheme) == "https",
        path="/",
    )


def incoming(request: Request) -> list[Flash]:
    """The messages the previous response left, if the cookie is ours and fresh; else none."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or len(raw) > 4096 or "." not in raw:
        return []
    payload, _, signature = raw.rpartition(".")
    if not hmac.compare_digest(_sign(_key(request), payload.encode("ascii", "replace")), signature):
        return []
    try:
        data = json.loads(base64.urlsafe_b64decode(payload))
        if time.time() - float(data["t"]) > MAX_AGE_SECONDS:
            return []
        return [
            Flash(kind, str(text)[:_MAX_TEXT])
            for kind, text in data["m"][:_MAX_MESSAGES]
            if kind in _KINDS
        ]
    except (ValueError, KeyError, TypeError):
        return []


def clear_cookie(request: Request, response: Response) -> None:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax")
