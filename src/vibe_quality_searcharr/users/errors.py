"""Errors of the accounts domain, each mapped to a problem by the one handler."""

from __future__ import annotations

from vibe_quality_searcharr.errors import Conflict, Forbidden, NotFound

__all__ = ["LastAdmin", "SetupClosed", "UserNotFound", "WrongPassword"]


class SetupClosed(NotFound):
    """Setup exists only until the first account does; afterwards it is simply not there."""

    def __init__(self) -> None:
        super().__init__("Not found.")


class UserNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("No such user.")


class LastAdmin(Conflict):
    def __init__(self) -> None:
        super().__init__("This is the last admin: make another user an admin first.")


class WrongPassword(Forbidden):
    def __init__(self) -> None:
        super().__init__("The password is not correct.", fields={"password": "not correct"})
