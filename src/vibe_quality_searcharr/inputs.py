"""The base of every request body the API and the forms accept.

PostgreSQL text cannot hold NUL (0x00): a name, reason or title carrying one passed validation
and then failed inside the database driver, a 500 instead of a 422, on PostgreSQL only. Every
input model refuses NUL in any string it is given, nested ones (options, schedules, lists)
included, so the message names the field and nothing reaches the database; text query
parameters that reach a query (`LIKE`) use `refuse_nul`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

__all__ = ["NUL_MESSAGE", "StrictInput", "has_nul", "refuse_nul"]

NUL_MESSAGE = "must not contain NUL characters"


def has_nul(value: Any) -> bool:
    """Whether a NUL hides anywhere in a raw input value (strings, secrets, dicts, lists)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, SecretStr):
        return "\x00" in value.get_secret_value()
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple | set):
        return any(has_nul(item) for item in value)
    return False


def refuse_nul(value: str) -> str:
    """For a text query parameter: `Annotated[str, Query(...), AfterValidator(refuse_nul)]`."""
    if "\x00" in value:
        raise ValueError(NUL_MESSAGE)
    return value


class StrictInput(BaseModel):
    """Unknown fields are refused, and so is NUL in any string."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if has_nul(value):
            raise ValueError(NUL_MESSAGE)
        return value
