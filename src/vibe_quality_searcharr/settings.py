"""Every setting of the service, read from `VQS_*` variables and validated before anything starts.

Secrets can also come from files (`VQS_<NAME>_FILE`), the Docker and Kubernetes way, so that they
never sit in an environment listing. When none is given, `security.keyfiles.ensure_secrets`
generates them into the data directory on first start and reuses them afterwards.
"""

from __future__ import annotations

import ipaddress
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

__all__ = ["SECRET_FIELDS", "ConfigError", "Settings", "get_settings", "load_settings"]

ENV_PREFIX = "VQS_"
SECRET_FIELDS = (
    "master_secret",
    "database_key",
    "pepper",
    "database_url",
    "metrics_token",
    "oidc_client_secret",
)
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")


class ConfigError(Exception):
    """Raised when the configuration cannot start the service; holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _FileSecretsSource(PydanticBaseSettingsSource):
    """Reads `VQS_<NAME>_FILE` for every secret field: the file's content, stripped, is the value."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        env_name = f"{ENV_PREFIX}{field_name.upper()}_FILE"
        path = os.environ.get(env_name)
        if not path or field_name not in SECRET_FIELDS:
            return None, field_name, False
        direct = env_name.removesuffix("_FILE")
        if os.environ.get(direct):
            raise ConfigError([f"{direct} and {env_name} are both set; fix: keep only one of them"])
        try:
            return Path(path).read_text(encoding="utf-8").strip(), field_name, False
        except OSError as exc:
            raise ConfigError(
                [
                    f"{env_name}: cannot read {path} ({exc.strerror}); fix: point it at a readable file"
                ]
            ) from None

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, name)
            if value is not None:
                values[key] = value
        return values


class Settings(BaseSettings):
    """The service's configuration. Defaults are safe for indexers and for a home network."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    data_dir: Path = Field(
        Path("./data"), description="Where the database, secrets, logs and backups live."
    )
    host: str = Field("127.0.0.1", description="Address to listen on; 0.0.0.0 to serve the LAN.")
    port: int = Field(7337, ge=1, le=65535, description="TCP port of the web UI and API.")
    base_url: str | None = Field(
        None, description="Public URL when behind a proxy, e.g. https://vqs.example.lan."
    )
    environment: Literal["production", "development"] = Field(
        "production",
        description="development relaxes nothing security-related; it only prettifies logs.",
    )

    database_url: SecretStr | None = Field(
        None,
        description="postgresql+psycopg://user:pass@host/db for PostgreSQL; unset for encrypted SQLite.",
    )
    database_key: SecretStr | None = Field(
        None, description="64 hex digits: the SQLCipher key. Generated on first start when unset."
    )
    master_secret: SecretStr | None = Field(
        None, description="Encrypts stored API keys (at least 32 characters). Generated when unset."
    )
    pepper: SecretStr | None = Field(
        None,
        description="Mixed into password hashes, kept outside the database. Generated when unset.",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token (32+ characters) for Prometheus: opens GET /metrics and nothing else.",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level logged: DEBUG, INFO, WARNING or ERROR."
    )
    log_format: Literal["console", "json"] = Field(
        "console", description="console (readable) or json (one object per line, for log shippers)."
    )
    log_file_max_mb: int = Field(
        10,
        ge=1,
        le=1024,
        description="Rotate logs/vqs.log (JSON lines, in the data directory) at this size.",
    )
    log_file_backups: int = Field(
        5, ge=0, le=100, description="How many rotated log files to keep."
    )

    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated CIDRs of reverse proxies whose X-Forwarded-* and auth headers are believed.",
    )
    scheduler_enabled: bool = Field(True, description="Run scheduled jobs in this process.")
    scheduler_tick_seconds: float = Field(
        15,
        ge=0.2,
        le=300,
        description="Seconds between leadership checks of the scheduler (failover takes a few).",
    )
    feedback_delay_minutes: int = Field(
        15,
        ge=1,
        le=1440,
        description="Minutes after a search completes before its grabs and imports are re-checked.",
    )
    health_check_minutes: int = Field(
        5, ge=1, le=1440, description="Minutes between health checks of each *arr instance."
    )
    library_sync_hours: int = Field(
        6, ge=1, le=168, description="Hours between library syncs of each *arr instance."
    )
    update_check_url: AnyHttpUrl | None = Field(
        None,
        description='Off when unset. A releases feed answering {"tag_name": "v1.2.3"} (e.g. '
        "a GitHub releases/latest API URL), read daily to publish update.available.",
    )
    health_min_free_gib: float = Field(
        10.0,
        ge=0,
        description="Pause searching an instance when its root folders have less free space (GiB).",
    )
    backup_schedule: Literal["off", "hourly", "daily", "weekly"] = Field(
        "daily",
        description="How often the running service backs up the SQLite database into <data>/backups (off, hourly, daily, weekly).",
    )
    backup_keep: int = Field(
        7, ge=1, le=1000, description="How many scheduled backups to keep; older ones are deleted."
    )

    session_idle_minutes: int = Field(
        720, ge=5, le=43_200, description="Sign a browser out after this long without a request."
    )
    session_absolute_hours: int = Field(
        168,
        ge=1,
        le=8_760,
        description="Sign a browser out this long after sign-in, active or not.",
    )
    audit_retention_days: int = Field(
        365, ge=7, le=3650, description="Delete security audit events older than this."
    )
    proxy_auth_header: str | None = Field(
        None,
        description="Header naming the signed-in user set by an auth proxy (e.g. Remote-User); needs VQS_TRUSTED_PROXIES.",
    )
    oidc_issuer: str | None = Field(
        None, description="OpenID Connect issuer URL; enables OIDC sign-in with the two below."
    )
    oidc_client_id: str | None = Field(None, description="OIDC client id.")
    oidc_client_secret: SecretStr | None = Field(None, description="OIDC client secret.")
    oidc_username_claim: str = Field(
        "preferred_username", description="ID-token claim that becomes the username."
    )
    oidc_groups_claim: str = Field("groups", description="ID-token claim listing the groups.")
    oidc_admin_groups: str = Field("", description="Comma-separated groups signed in as admin.")
    oidc_viewer_groups: str = Field("", description="Comma-separated groups signed in as viewer.")
    oidc_allowed_users: str = Field(
        "", description="Comma-separated usernames allowed in (as viewers) without a group."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, _FileSecretsSource(settings_cls), env_settings)

    @field_validator("database_key")
    @classmethod
    def _raw_sqlcipher_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _HEX_KEY.match(value.get_secret_value()):
            raise ValueError(
                "must be exactly 64 hex digits; generate one with `openssl rand -hex 32`"
            )
        return value

    @field_validator("master_secret", "pepper", "metrics_token")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError(
                "must be at least 32 characters; generate one with `openssl rand -hex 32`"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("postgresql+psycopg://"):
            raise ValueError(
                "must start with postgresql+psycopg:// (leave it unset for the built-in encrypted SQLite)"
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// URL such as https://vqs.example.lan")
        return value.rstrip("/") if value is not None else None

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_cidrs(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ValueError(
                    f"{cidr!r} is not an address or CIDR such as 172.18.0.0/16"
                ) from None
        return value

    @field_validator("proxy_auth_header")
    @classmethod
    def _header_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9-]{1,64}", value):
            raise ValueError("must be a plain header name such as Remote-User")
        return value

    @model_validator(mode="after")
    def _proxy_auth_needs_trusted_proxies(self) -> Settings:
        # A user-name header believed from anyone lets anyone sign in as anyone.
        if self.proxy_auth_header and not self.trusted_proxies:
            raise ValueError(
                "VQS_PROXY_AUTH_HEADER is set but VQS_TRUSTED_PROXIES is empty: list the proxy's addresses"
            )
        return self

    @model_validator(mode="after")
    def _oidc_complete(self) -> Settings:
        if self.oidc_issuer is None:
            return self
        if not self.oidc_client_id or self.oidc_client_secret is None:
            raise ValueError(
                "VQS_OIDC_ISSUER is set: VQS_OIDC_CLIENT_ID and VQS_OIDC_CLIENT_SECRET are needed too"
            )
        local = re.match(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", self.oidc_issuer)
        if not self.oidc_issuer.startswith("https://") and not local:
            raise ValueError("VQS_OIDC_ISSUER must be an https:// URL")
        if not (self.oidc_admin_groups or self.oidc_viewer_groups or self.oidc_allowed_users):
            raise ValueError(
                "OIDC needs VQS_OIDC_ADMIN_GROUPS, VQS_OIDC_VIEWER_GROUPS or VQS_OIDC_ALLOWED_USERS: "
                "otherwise anyone with an account at the provider could sign in"
            )
        return self

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @model_validator(mode="after")
    def _absolute_data_dir(self) -> Settings:
        object.__setattr__(self, "data_dir", self.data_dir.expanduser().resolve())
        return self

    @property
    def uses_postgres(self) -> bool:
        return self.database_url is not None

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "vqs.db"

    @property
    def secrets_dir(self) -> Path:
        return self.data_dir / "secrets"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"


def _describe(error: dict[str, Any]) -> str:
    if not error["loc"]:  # a rule across fields: its message names the variables, never the input
        return str(error["msg"]).removeprefix("Value error, ")
    field = str(error["loc"][0])
    variable = f"{ENV_PREFIX}{field.upper()}"
    message = str(error["msg"]).removeprefix("Value error, ")
    shown = "" if field in SECRET_FIELDS else f" (got {error.get('input')!r})"
    hint = Settings.model_fields[field].description if field in Settings.model_fields else None
    fix = f"; expected: {hint}" if hint and "generate" not in message else ""
    return f"{variable}: {message}{shown}{fix}"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, turning every validation error into a readable line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError([_describe(dict(error)) for error in exc.errors()]) from None
    except SettingsError as exc:  # a value pydantic-settings could not even parse
        raise ConfigError([f"configuration: {exc}"]) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
