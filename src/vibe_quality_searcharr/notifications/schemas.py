"""What the notifications API accepts and returns. No output model has a field for the URL:
it holds tokens, so responses say `url_set` and name the service (`scheme`, `service`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, SecretStr, field_validator

from vibe_quality_searcharr.inputs import StrictInput
from vibe_quality_searcharr.notifications.apprise_urls import MAX_URL_LENGTH
from vibe_quality_searcharr.notifications.kinds import DEFAULT_SUBSCRIPTIONS, Subscription

__all__ = [
    "Choice",
    "NotificationCreate",
    "NotificationPage",
    "NotificationRead",
    "NotificationUpdate",
    "TestResult",
]

Name = Annotated[str, Field(min_length=1, max_length=100)]
# "test" is an action, not something to subscribe to.
Choice = Annotated[Subscription, Field(description="an event to be told about")]


def _clean_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("enter a name, e.g. 'Discord #media'")
    return value


def _clean_events(value: list[Subscription]) -> list[Subscription]:
    if Subscription.TEST in value:
        raise ValueError("'test' is not an event; use POST /api/v1/notifications/{id}/test")
    return sorted(set(value), key=list(Subscription).index)


class _Input(StrictInput):
    pass


class NotificationCreate(_Input):
    name: Name
    url: SecretStr = Field(
        description="An Apprise URL, e.g. discord://webhook_id/webhook_token",
        json_schema_extra={"maxLength": MAX_URL_LENGTH},
    )
    events: list[Choice] = Field(default_factory=lambda: list(DEFAULT_SUBSCRIPTIONS))
    enabled: bool = True

    _name = field_validator("name")(_clean_name)
    _events = field_validator("events")(_clean_events)


class NotificationUpdate(_Input):
    """Every field optional; leaving `url` out keeps the stored URL."""

    name: Name | None = None
    url: SecretStr | None = Field(None, json_schema_extra={"maxLength": MAX_URL_LENGTH})
    events: list[Choice] | None = None
    enabled: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _clean_name(value)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[Subscription] | None) -> list[Subscription] | None:
        return None if value is None else _clean_events(value)


class NotificationRead(BaseModel):
    id: int
    name: str
    scheme: str
    service: str
    url_set: bool
    events: list[str]
    enabled: bool
    last_sent_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    sent_count: int
    failures: int
    created_at: datetime
    updated_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    page: int
    page_size: int


class TestResult(BaseModel):
    ok: bool
    error: str | None = None
