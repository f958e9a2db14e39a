"""Every database column holding a `SecretBox` token, with the purpose its key is derived for.

Key rotation (`vqs rotate-keys`) re-encrypts exactly these, and `vqs doctor` checks they all
decrypt; a domain that stores a new kind of secret adds one line here (the test beside the
rotation checks that each entry names a real column, and that columns named like secrets are
listed). Purposes are spelled out rather than imported so that this module depends on nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENCRYPTED_COLUMNS", "EncryptedColumn"]


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    column: str
    purpose: str
    key: str = "id"


ENCRYPTED_COLUMNS: tuple[EncryptedColumn, ...] = (
    EncryptedColumn("instance", "api_key_encrypted", "arr-api-key"),  # instances.API_KEY_PURPOSE
    EncryptedColumn("users", "totp_secret", "totp"),  # users.keys.AuthKeys.totp_box
    # notifications.service.URL_PURPOSE
    EncryptedColumn("notification_target", "url_encrypted", "notification-url"),
)
