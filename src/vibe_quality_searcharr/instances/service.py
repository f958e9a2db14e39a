"""Instance management: create, change, delete, and hand out decrypted keys only to connect.

The API key is encrypted with a key derived for the purpose "arr-api-key" and decrypted only to
build a client; every decrypted key is registered with the log redactor. An update without a key
keeps the stored one, so editing a name never requires pasting the key again.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.errors import Conflict, NotFound
from vibe_quality_searcharr.instances.connection import ConnectionTarget
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.repository import InstanceRepository
from vibe_quality_searcharr.instances.schemas import (
    HealthRead,
    InstanceCreate,
    InstancePage,
    InstanceRead,
    InstanceTestOverrides,
    InstanceUpdate,
)
from vibe_quality_searcharr.observability.redaction import registry
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = ["API_KEY_PURPOSE", "InstanceService", "api_key_box", "to_read"]

API_KEY_PURPOSE = "arr-api-key"


def api_key_box(master_secret: str) -> SecretBox:
    return SecretBox([master_secret], API_KEY_PURPOSE)


def to_read(instance: Instance) -> InstanceRead:
    return InstanceRead(
        id=instance.id,
        name=instance.name,
        app=ArrApp(instance.app),
        url=instance.url,
        enabled=instance.enabled,
        api_key_set=bool(instance.api_key_encrypted),
        created_at=instance.created_at,
        updated_at=instance.updated_at,
        health=HealthRead.model_validate(instance.health) if instance.health else None,
    )


class InstanceService:
    def __init__(self, session: Session, box: SecretBox) -> None:
        self.repo = InstanceRepository(session)
        self.box = box

    def list_page(self, page: int, page_size: int) -> InstancePage:
        rows, total = self.repo.page((page - 1) * page_size, page_size)
        return InstancePage(
            items=[to_read(row) for row in rows], total=total, page=page, page_size=page_size
        )

    def get(self, instance_id: int) -> Instance:
        instance = self.repo.get(instance_id)
        if instance is None:
            raise NotFound(f"Instance {instance_id} does not exist.")
        return instance

    def create(self, data: InstanceCreate) -> Instance:
        self._name_is_free(data.name)
        instance = Instance(
            name=data.name,
            app=data.app.value,
            url=data.url,
            api_key_encrypted=self.box.encrypt(data.api_key.get_secret_value()),
            enabled=data.enabled,
        )
        try:
            return self.repo.add(instance)
        except IntegrityError:  # a concurrent create took the name first
            raise self._taken(data.name) from None

    def update(self, instance_id: int, data: InstanceUpdate) -> Instance:
        instance = self.get(instance_id)
        if data.name is not None and data.name != instance.name:
            self._name_is_free(data.name)
            instance.name = data.name
        if data.app is not None:
            instance.app = data.app.value
        if data.url is not None:
            instance.url = data.url
        if data.api_key is not None:
            instance.api_key_encrypted = self.box.encrypt(data.api_key.get_secret_value())
        if data.enabled is not None:
            instance.enabled = data.enabled
        try:
            self.repo.session.flush()
        except IntegrityError:
            raise self._taken(instance.name) from None
        return instance

    def delete(self, instance_id: int) -> None:
        self.repo.delete(self.get(instance_id))

    def api_key(self, instance: Instance) -> str:
        """The plaintext key, for building a client only. Registered for redaction first."""
        key = self.box.decrypt(instance.api_key_encrypted)
        registry.add(key)
        return key

    def target(
        self, instance: Instance, overrides: InstanceTestOverrides | None = None
    ) -> ConnectionTarget:
        edits = overrides or InstanceTestOverrides()
        key = edits.api_key.get_secret_value() if edits.api_key else self.api_key(instance)
        registry.add(key)
        return ConnectionTarget(
            app=edits.app or ArrApp(instance.app),
            url=edits.url or instance.url,
            api_key=key,
            name=instance.name,
        )

    def _name_is_free(self, name: str) -> None:
        if self.repo.get_by_name(name) is not None:
            raise self._taken(name)

    @staticmethod
    def _taken(name: str) -> Conflict:
        return Conflict(
            f"An instance named {name!r} already exists; choose another name.",
            fields={"name": "already in use"},
        )
