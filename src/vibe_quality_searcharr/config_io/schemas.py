"""The configuration document: what `export` writes and `import` reads.

Objects are matched by name (instances, queues, notification targets), by (instance, scope,
arr id) for exclusions and by key for settings, never by database id, so a document moves
between installs. Secrets never appear in an export: each is replaced by `REDACTED`; an import
takes the secrets it needs from its own `secrets` section.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = [
    "FORMAT",
    "MAX_DOCUMENT_BYTES",
    "REDACTED",
    "ConfigDocument",
    "ExclusionEntry",
    "ImportAction",
    "ImportResult",
    "InstanceEntry",
    "LimitsEntry",
    "NotificationEntry",
    "QueueEntry",
    "Secrets",
    "is_secret_setting",
]

FORMAT = "vqs-config"
REDACTED = "**redacted**"
MAX_DOCUMENT_BYTES = 1024 * 1024

_SECRET_WORDS = ("key", "token", "secret", "password", "url")


def is_secret_setting(key: str) -> bool:
    """A setting whose name says it may hold a credential is exported redacted."""
    lowered = key.lower()
    return any(word in lowered for word in _SECRET_WORDS)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LimitsEntry(_Entry):
    hourly_cap: int | None = Field(default=None, ge=1, le=100_000)
    daily_cap: int | None = Field(default=None, ge=1, le=1_000_000)
    headroom_percent: int = Field(default=20, ge=0, le=90)
    prowlarr: str | None = Field(default=None, description="name of the Prowlarr instance")


class InstanceEntry(_Entry):
    name: str = Field(min_length=1, max_length=100)
    app: str
    url: str = Field(max_length=2048)
    enabled: bool = True
    api_key: str | None = Field(default=None, description=f"always {REDACTED!r} in an export")
    limits: LimitsEntry | None = None


class QueueEntry(_Entry):
    name: str = Field(min_length=1, max_length=100)
    instance: str
    strategy: str
    order: str
    batch_size: int
    enabled: bool = True
    paused: bool = False
    preset: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    schedule: dict[str, Any] = Field(default_factory=dict)


class ExclusionEntry(_Entry):
    instance: str
    scope: str
    arr_id: int
    title: str = ""
    reason: str = ""
    expires_at: datetime | None = None


class NotificationEntry(_Entry):
    name: str = Field(min_length=1, max_length=100)
    url: str | None = Field(default=None, description=f"always {REDACTED!r} in an export")
    events: list[str] = Field(default_factory=list)
    enabled: bool = True


class Secrets(_Entry):
    """Re-entered secrets, by name: an instance's API key, a notification target's URL."""

    instances: dict[str, SecretStr] = Field(default_factory=dict)
    notifications: dict[str, SecretStr] = Field(default_factory=dict)


class ConfigDocument(_Entry):
    format: Literal["vqs-config"] = "vqs-config"
    version: Literal[1] = 1
    exported_at: datetime | None = None
    instances: list[InstanceEntry] = Field(default_factory=list, max_length=1000)
    queues: list[QueueEntry] = Field(default_factory=list, max_length=10_000)
    exclusions: list[ExclusionEntry] = Field(default_factory=list, max_length=100_000)
    notifications: list[NotificationEntry] = Field(default_factory=list, max_length=1000)
    settings: dict[str, Any] = Field(default_factory=dict)
    secrets: Secrets = Field(default_factory=Secrets)


Kind = Literal["instance", "queue", "exclusion", "notification", "setting"]
Action = Literal["create", "update", "skip", "error"]


class ImportAction(BaseModel):
    kind: Kind
    name: str
    action: Action
    detail: str = ""
    fields: list[str] = Field(default_factory=list, description="what an update changes")


class ImportResult(BaseModel):
    dry_run: bool
    applied: bool
    created: int
    updated: int
    skipped: int
    errors: int
    actions: list[ImportAction]
