"""Dependencies of the accounts routes and pages: keys, client address, the caller's account."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response

from vibe_quality_searcharr.deps import DbSession
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.users import repository
from vibe_quality_searcharr.users.errors import UserNotFound
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import User

__all__ = [
    "Account",
    "ClientIp",
    "Keys",
    "PageParams",
    "Pages",
    "clear_session_cookie",
    "set_session_cookie",
]


def get_keys(request: Request) -> AuthKeys:
    keys: AuthKeys | None = getattr(request.app.state, "auth_keys", None)
    if keys is None:
        keys = AuthKeys.from_secrets(request.app.state.context.secrets)
        request.app.state.auth_keys = keys
    return keys


def get_client_ip(request: Request) -> str:
    return str(getattr(request.state, "client_ip", ""))


def get_account(principal: CurrentUser, session: DbSession) -> User:
    user = repository.get_user(session, principal.user_id)
    if user is None:
        raise UserNotFound()
    return user


class PageParams:
    def __init__(
        self,
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> None:
        self.page = page
        self.page_size = page_size

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=getattr(request.state, "scheme", request.url.scheme) == "https",
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        SESSION_COOKIE,
        httponly=True,
        samesite="lax",
        secure=getattr(request.state, "scheme", request.url.scheme) == "https",
        path="/",
    )


Keys = Annotated[AuthKeys, Depends(get_keys)]
ClientIp = Annotated[str, Depends(get_client_ip)]
Account = Annotated[User, Depends(get_account)]
Pages = Annotated[PageParams, Depends()]
