"""Who is making a request, and the dependencies routes use to demand it.

Authentication (session cookie, API token, trusted proxy header) happens once, in the
authentication layer, which stores a `Principal` on `request.state.principal`. Routes only say
what they need: `CurrentUser`, `WriteUser` or `AdminUser`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request

from vibe_quality_searcharr.errors import Forbidden, Unauthorized

__all__ = ["AdminUser", "CurrentUser", "Principal", "Role", "WriteUser", "get_principal"]

Role = Literal["admin", "viewer"]
AuthMethod = Literal["session", "token", "proxy", "oidc"]


@dataclass(frozen=True)
class Principal:
    user_id: int
    username: str
    role: Role
    method: AuthMethod
    # An API token may be read-only even for an admin; sessions are always "full".
    scope: Literal["read", "full"] = "full"
    session_id: int | None = None

    @property
    def can_write(self) -> bool:
        return self.role == "admin" and self.scope == "full"


def get_principal(request: Request) -> Principal:
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthorized("Sign in first.")
    return principal


def require_write(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.scope != "full":
        raise Forbidden("This API token is read-only.")
    if principal.role != "admin":
        raise Forbidden("Viewers cannot change anything; ask an admin.")
    return principal


def require_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    if principal.role != "admin":
        raise Forbidden("Only admins can do this.")
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]
WriteUser = Annotated[Principal, Depends(require_write)]
AdminUser = Annotated[Principal, Depends(require_admin)]
