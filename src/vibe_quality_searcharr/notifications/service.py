"""Notification targets: create, change, delete, and hand out decrypted URLs only to send.

The Apprise URL is checked by Apprise before anything is stored (an unknown service or a
malformed URL is a 422 and changes nothing), encrypted with a key derived for the purpose
"notification-url", and decrypted only to send; every decrypted URL is registered with the log
redactor, piece by piece. An update without a URL keeps the stored one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import Conflict, InvalidInput, NotFound
from vibe_quality_searcharr.notifications.apprise_urls import (
    AppriseTarget,
    InvalidAppriseUrl,
    inspect_url,
    protect,
)
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.notifications.repository import NotificationRepository
from vibe_quality_searcharr.notifications.schemas import (
    NotificationCreate,
    NotificationPage,
    NotificationRead,
    NotificationUpdate,
)
from vibe_quality_searcharr.notifications.sender import Delivery
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = [
    "URL_PURPOSE",
    "NotificationService",
    "check_url",
    "record_delivery",
    "to_read",
    "url_box",
]

URL_PURPOSE = "notification-url"


def url_box(master_secret: str) -> SecretBox:
    return SecretBox([master_secret], URL_PURPOSE)


def to_read(target: NotificationTarget) -> NotificationRead:
    return NotificationRead(
        id=target.id,
        name=target.name,
        scheme=target.scheme,
        service=target.service,
        url_set=bool(target.url_encrypted),
        events=list(target.events or []),
        enabled=target.enabled,
        last_sent_at=target.last_sent_at,
        last_error=target.last_error,
        last_error_at=target.last_error_at,
        sent_count=target.sent_count,
        failures=target.failures,
        created_at=target.created_at,
        updated_at=target.updated_at,
    )


def check_url(url: str) -> tuple[str, AppriseTarget]:
    """The URL, trimmed, and what Apprise makes of it; `InvalidInput` (field `url`) if unusable."""
    text = url.strip()
    try:
        return text, inspect_url(text)
    except InvalidAppriseUrl as exc:
        raise InvalidInput(
            f"The notification URL is not usable: {exc}.", fields={"url": str(exc)}
        ) from None


def record_delivery(target: NotificationTarget, delivery: Delivery, now: datetime) -> None:
    """Keep the outcome of one send on the target, for the UI."""
    if delivery.ok:
        target.last_sent_at = now
        target.sent_count = (target.sent_count or 0) + 1
        target.last_error = None
    else:
        target.failures = (target.failures or 0) + 1
        target.last_error = delivery.error or "delivery failed"
        target.last_error_at = now


class NotificationService:
    def __init__(self, session: Session, box: SecretBox) -> None:
        self.repo = NotificationRepository(session)
        self.box = box

    def list_page(self, page: int, page_size: int) -> NotificationPage:
        rows, total = self.repo.page((page - 1) * page_size, page_size)
        return NotificationPage(
            items=[to_read(row) for row in rows], total=total, page=page, page_size=page_size
        )

    def get(self, target_id: int) -> NotificationTarget:
        target = self.repo.get(target_id)
        if target is None:
            raise NotFound(f"Notification target {target_id} does not exist.")
        return target

    def create(self, data: NotificationCreate) -> NotificationTarget:
        self._name_is_free(data.name)
        url, checked = check_url(data.url.get_secret_value())
        target = NotificationTarget(
            name=data.name,
            url_encrypted=self.box.encrypt(url),
            scheme=checked.scheme,
            service=checked.service,
            events=[event.value for event in data.events],
            enabled=data.enabled,
        )
        try:
            return self.repo.add(target)
        except IntegrityError:
            raise self._taken(data.name) from None

    def update(self, target_id: int, data: NotificationUpdate) -> NotificationTarget:
        target = self.get(target_id)
        checked = check_url(data.url.get_secret_value()) if data.url is not None else None
        if data.name is not None and data.name != target.name:
            self._name_is_free(data.name)
            target.name = data.name
        if checked is not None:
            url, found = checked
            target.url_encrypted = self.box.encrypt(url)
            target.scheme, target.service = found.scheme, found.service
            target.last_error = None
        if data.events is not None:
            target.events = [event.value for event in data.events]
        if data.enabled is not None:
            target.enabled = data.enabled
        try:
            self.repo.session.flush()
        except IntegrityError:
            raise self._taken(target.name) from None
        return target

    def delete(self, target_id: int) -> None:
        self.repo.delete(self.get(target_id))

    def url(self, target: NotificationTarget) -> str:
        """The plaintext URL, for sending only. Registered for redaction first."""
        url = self.box.decrypt(target.url_encrypted)
        protect(url)
        return url

    def _name_is_free(self, name: str) -> None:
        if self.repo.get_by_name(name) is not None:
            raise self._taken(name)

    @staticmethod
    def _taken(name: str) -> Conflict:
        return Conflict(
            f"A notification target named {name!r} already exists; choose another name.",
            fields={"name": "already in use"},
        )
