"""The notification target form of Settings > Notifications: parse, save, and "send test".

The Apprise URL is write-only, like an instance's API key: the form field is a password field,
a re-rendered form never carries it back, and leaving it blank when editing keeps the stored
one. "Send test" sends to what was typed without storing anything (or, when editing with the
URL left blank, to the stored URL, whose outcome is then kept on the target).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.notifications.dispatch import NotificationDispatcher
from vibe_quality_searcharr.notifications.kinds import (
    DEFAULT_SUBSCRIPTIONS,
    SUBSCRIPTION_TITLES,
    Subscription,
)
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.schemas import NotificationCreate, NotificationUpdate
from vibe_quality_searcharr.notifications.sender import Delivery
from vibe_quality_searcharr.notifications.service import NotificationService, check_url
from vibe_quality_searcharr.web.forms import app_error_fields, validation_fields

__all__ = ["EVENT_CHOICES", "TargetForm", "save_form", "test_form"]

EVENT_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (choice.value, SUBSCRIPTION_TITLES[choice])
    for choice in Subscription
    if choice is not Subscription.TEST
)


@dataclass
class TargetForm:
    """What the user typed, minus the URL: this is what a re-rendered form shows."""

    name: str = ""
    url: str = field(default="", repr=False)
    events: list[str] = field(default_factory=lambda: [s.value for s in DEFAULT_SUBSCRIPTIONS])
    enabled: bool = True
    url_set: bool = False
    service: str = ""

    @classmethod
    def of(cls, target: NotificationTarget) -> TargetForm:
        return cls(
            name=target.name,
            events=list(target.events or []),
            enabled=target.enabled,
            url_set=bool(target.url_encrypted),
            service=f"{target.service} ({target.scheme}://…)",
        )


def _fields(exc: Exception) -> dict[str, str]:
    if isinstance(exc, ValidationError):
        return validation_fields(exc)
    assert isinstance(exc, AppError)
    return app_error_fields(exc, "name")


def save_form(
    service: NotificationService, form: TargetForm, target: NotificationTarget | None
) -> tuple[NotificationTarget | None, dict[str, str]]:
    """Create or change a target through the service; the errors by field if it refused."""
    values: dict[str, object] = {
        "name": form.name,
        "events": form.events,
        "enabled": form.enabled,
    }
    try:
        if target is None:
            return service.create(
                NotificationCreate.model_validate({**values, "url": form.url})
            ), {}
        if form.url.strip():
            values["url"] = form.url
        return service.update(target.id, NotificationUpdate.model_validate(values)), {}
    except (ValidationError, AppError) as exc:
        return None, _fields(exc)


def test_form(
    dispatcher: NotificationDispatcher, form: TargetForm, target_id: int | None
) -> tuple[Delivery | None, dict[str, str]]:
    """Send the test message: to the typed URL (checked first), else to the stored one."""
    if not form.url.strip() and target_id is not None:
        return dispatcher.send_test(target_id), {}
    try:
        url, _found = check_url(form.url)
    except AppError as exc:
        return None, app_error_fields(exc, "url")
    return dispatcher.try_url(url, form.name.strip()), {}
