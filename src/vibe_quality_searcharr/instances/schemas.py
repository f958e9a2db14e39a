"""What the instances API accepts and returns. No output model has a field for the API key:
responses only say whether one is stored (`api_key_set`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.inputs import StrictInput
from vibe_quality_searcharr.instances.urls import BlockedAddress, normalize_url

__all__ = [
    "ConnectionTestRequest",
    "ConnectionTestResult",
    "HealthEventRead",
    "HealthRead",
    "InstanceCreate",
    "InstancePage",
    "InstanceRead",
    "InstanceTestOverrides",
    "InstanceUpdate",
]

Name = Annotated[str, Field(min_length=1, max_length=100)]
ApiKey = SecretStr


def _clean_url(value: str) -> str:
    try:
        return normalize_url(value)
    except BlockedAddress as exc:
        raise ValueError(str(exc)) from None


def _clean_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("enter a name, e.g. 'Sonarr 4K'")
    return value


def _clean_key(value: SecretStr) -> SecretStr:
    """*arr keys are hex; anything outside printable ASCII cannot even be sent as a header."""
    text = value.get_secret_value().strip()
    printable = text.isascii() and text.isprintable()
    if not 8 <= len(text) <= 200 or not printable or any(ch.isspace() for ch in text):
        raise ValueError("paste the API key from the app: Settings > General > Security > API Key")
    return SecretStr(text)


class _Input(StrictInput):
    pass


class InstanceCreate(_Input):
    name: Name
    app: ArrApp
    url: str = Field(max_length=2048)
    api_key: ApiKey
    enabled: bool = True

    _name = field_validator("name")(_clean_name)
    _url = field_validator("url")(_clean_url)
    _key = field_validator("api_key")(_clean_key)


class InstanceUpdate(_Input):
    """Every field optional; leaving `api_key` out keeps the stored key."""

    name: Name | None = None
    app: ArrApp | None = None
    url: str | None = Field(None, max_length=2048)
    api_key: ApiKey | None = None
    enabled: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _clean_name(value)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _clean_url(value)

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else _clean_key(value)


class ConnectionTestRequest(_Input):
    """Test an address and key before saving them."""

    app: ArrApp
    url: str = Field(max_length=2048)
    api_key: ApiKey
    name: str | None = Field(None, max_length=100)

    _url = field_validator("url")(_clean_url)
    _key = field_validator("api_key")(_clean_key)


class InstanceTestOverrides(_Input):
    """Optional edits to try on a saved instance (the stored key is used when none is given)."""

    app: ArrApp | None = None
    url: str | None = Field(None, max_length=2048)
    api_key: ApiKey | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _clean_url(value)

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else _clean_key(value)


class ConnectionTestResult(BaseModel):
    """Either `ok` with what answered, or one error a user can act on."""

    ok: bool
    app: ArrApp
    name: str | None = None
    app_name: str | None = None
    version: str | None = None
    instance_name: str | None = None
    latency_ms: int | None = None
    error: str | None = None
    detail: str | None = None


class HealthRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    paused_by_health: bool
    disk_low: bool
    consecutive_failures: int
    consecutive_successes: int
    last_checked_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None
    latency_ms: int | None
    version: str | None
    free_space_bytes: int | None


class InstanceRead(BaseModel):
    id: int
    name: str
    app: ArrApp
    url: str
    enabled: bool
    api_key_set: bool
    created_at: datetime
    updated_at: datetime
    health: HealthRead | None = None


class InstancePage(BaseModel):
    items: list[InstanceRead]
    total: int
    page: int
    page_size: int


class HealthEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    at: datetime
    detail: str
    paused_by_health: bool
