"""The one list of what may be reached without signing in, and of what viewers may still change.

Everything else is refused by the authentication layer before any route runs, so a route added
later that forgets to declare `CurrentUser` is still protected. Matching is exact (whole path,
after the server has decoded it): no prefix, suffix or substring tricks such as
`/api/v1/settings?x=/login` or `/api/v1/settings/login` (Huntarr finding 13). The single prefix,
`/static/`, serves files from one directory and nothing else.

One credential works on one path only: `VQS_METRICS_TOKEN`, presented as a bearer token, opens
`GET /metrics` (exactly that path and method, compared in constant time) and nothing else; the
same token anywhere else is an invalid API token (401).
"""

from __future__ import annotations

import hmac
import re

__all__ = [
    "METRICS_PATH",
    "PUBLIC_PATHS",
    "SELF_SERVICE",
    "STATIC_PREFIX",
    "is_public",
    "is_self_service",
    "metrics_token_allows",
]

PUBLIC_PATHS: frozenset[str] = frozenset(
    {
        "/login",
        "/login/2fa",
        "/logout",
        "/setup",  # the page and the API answer only while no user exists, 404 afterwards
        "/api/v1/setup",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/auth/oidc/login",
        "/auth/oidc/callback",
        "/health/live",
        "/health/ready",
    }
)
STATIC_PREFIX = "/static/"
METRICS_PATH = "/metrics"

# Changes a viewer (or any signed-in user) may make to their own account only. Patterns are
# matched against the whole path. Read-only API tokens may not use them.
SELF_SERVICE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (method, re.compile(pattern))
    for method, pattern in (
        ("POST", r"/api/v1/auth/logout"),
        ("POST", r"/api/v1/auth/password"),
        ("POST", r"/api/v1/auth/2fa/enroll"),
        ("POST", r"/api/v1/auth/2fa/confirm"),
        ("POST", r"/api/v1/auth/2fa/disable"),
        ("POST", r"/api/v1/auth/recovery-codes"),
        ("POST", r"/api/v1/auth/sessions/revoke-others"),
        ("DELETE", r"/api/v1/auth/sessions/[0-9]+"),
        ("POST", r"/api/v1/tokens"),
        ("DELETE", r"/api/v1/tokens/[0-9]+"),
        ("POST", r"/logout"),
        # The settings pages of one's own account (users.settings_views, users.twofactor_views)
        ("POST", r"/settings/theme"),
        ("POST", r"/settings/account/password"),
        ("POST", r"/settings/2fa/enroll"),
        ("POST", r"/settings/2fa/confirm"),
        ("POST", r"/settings/2fa/disable"),
        ("POST", r"/settings/2fa/recovery-codes"),
        ("POST", r"/settings/sessions/[0-9]+/revoke"),
        ("POST", r"/settings/sessions/revoke-others"),
        ("POST", r"/settings/tokens"),
        ("POST", r"/settings/tokens/[0-9]+/revoke"),
    )
)


def is_public(path: str) -> bool:
    if path in PUBLIC_PATHS:
        return True
    return path.startswith(STATIC_PREFIX) and ".." not in path and "\\" not in path


def is_self_service(method: str, path: str) -> bool:
    return any(method == allowed and pattern.fullmatch(path) for allowed, pattern in SELF_SERVICE)


def metrics_token_allows(method: str, path: str, bearer: str | None, token: str | None) -> bool:
    """True only for GET/HEAD of exactly /metrics with the configured metrics token."""
    if token is None or bearer is None or path != METRICS_PATH or method not in ("GET", "HEAD"):
        return False
    return hmac.compare_digest(bearer.encode(), token.encode())
