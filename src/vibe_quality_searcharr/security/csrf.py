"""Cross-site request forgery defences for cookie-authenticated requests.

The token is an HMAC of the session id under a key derived from the master secret: it changes
with every session, needs no storage, and cannot be computed without the session id (which
JavaScript never sees: the cookie is httpOnly). Origin/Referer, when a browser sends them, must
name this application's own origin.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from vibe_quality_searcharr.security.crypto import derive_key

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "CsrfTokens", "same_origin"]

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class CsrfTokens:
    def __init__(self, master_secret: str) -> None:
        self._key = derive_key(master_secret, "csrf")

    def for_binding(self, binding: str) -> str:
        """The token for a session id (or, for proxy sign-in, a stable per-user binding)."""
        return hmac.new(self._key, binding.encode(), hashlib.sha256).hexdigest()

    def valid(self, binding: str, presented: str | None) -> bool:
        if not presented:
            return False
        return hmac.compare_digest(self.for_binding(binding), presented)


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin(origin: str | None, referer: str | None, allowed: set[str]) -> bool:
    """Origin first, Referer second; when a browser sends neither, the token alone decides."""
    if origin is not None:
        return origin.lower() in allowed
    if referer is not None:
        return _origin_of(referer) in allowed
    return True
