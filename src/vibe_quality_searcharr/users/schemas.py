"""What the accounts API accepts and returns. Nothing here ever carries a stored secret back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AuditEventRead",
    "LoginRequest",
    "LoginResponse",
    "Page",
    "PasswordChange",
    "PasswordConfirm",
    "RecoveryCodes",
    "SessionRead",
    "SetupRequest",
    "TokenCreate",
    "TokenCreated",
    "TokenRead",
    "TotpCode",
    "TotpDisable",
    "TotpEnrollment",
    "UserCreate",
    "UserRead",
    "UserUpdate",
]

T = TypeVar("T")
Username = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
Password = Field(min_length=1, max_length=1024)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL; refuse it here as bad input rather than fail later.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    role: Literal["admin", "viewer"]
    disabled: bool
    totp_enabled: bool
    created_at: datetime


class SetupRequest(_Strict):
    username: str = Username
    password: str = Password

    @field_validator("username")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class UserCreate(SetupRequest):
    role: Literal["admin", "viewer"] = "viewer"


class UserUpdate(_Strict):
    role: Literal["admin", "viewer"] | None = None
    disabled: bool | None = None


class LoginRequest(_Strict):
    username: str = Field(min_length=1, max_length=200)
    password: str = Password
    totp: str | None = Field(None, max_length=20, description="Six-digit code when 2FA is on.")
    recovery_code: str | None = Field(None, max_length=40, description="Instead of a TOTP code.")


class LoginResponse(BaseModel):
    csrf_token: str
    user: UserRead


class PasswordChange(_Strict):
    current_password: str = Password
    new_password: str = Password


class PasswordConfirm(_Strict):
    password: str = Password


class TotpCode(_Strict):
    code: str = Field(min_length=1, max_length=20)


class TotpDisable(_Strict):
    password: str = Password
    code: str = Field(min_length=1, max_length=40, description="A TOTP or a recovery code.")


class TotpEnrollment(BaseModel):
    secret: str
    otpauth_uri: str
    qr_svg: str


class RecoveryCodes(BaseModel):
    recovery_codes: list[str]


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    client_ip: str
    user_agent: str
    current: bool = False


class TokenCreate(_Strict):
    name: str = Field(min_length=1, max_length=100)
    scope: Literal["read", "full"] = "read"
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    scope: Literal["read", "full"]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="Shown once; store it now.")


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    kind: str
    actor: str
    subject: str
    client_ip: str
    detail: dict[str, Any]
