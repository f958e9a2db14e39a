"""The keys the accounts domain works with, derived once per process from the runtime secrets."""

from __future__ import annotations

from dataclasses import dataclass

from vibe_quality_searcharr.security.crypto import SecretBox
from vibe_quality_searcharr.security.csrf import CsrfTokens
from vibe_quality_searcharr.security.keyfiles import RuntimeSecrets
from vibe_quality_searcharr.security.passwords import Passwords

__all__ = ["AuthKeys"]


@dataclass(frozen=True, repr=False)
class AuthKeys:
    passwords: Passwords
    totp_box: SecretBox
    csrf: CsrfTokens
    pepper: str

    def __repr__(self) -> str:
        return "AuthKeys(<redacted>)"

    @classmethod
    def from_secrets(cls, secrets: RuntimeSecrets) -> AuthKeys:
        return cls(
            passwords=Passwords(secrets.pepper),
            totp_box=SecretBox([secrets.master_secret], "totp"),
            csrf=CsrfTokens(secrets.master_secret),
            pepper=secrets.pepper,
        )
