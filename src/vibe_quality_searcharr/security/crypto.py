"""Encryption of stored secrets (*arr API keys, TOTP seeds, notification URLs).

Keys are derived with HKDF-SHA256 from the master secret, one per purpose, so a key leaked from
one purpose opens nothing else. `MultiFernet` decrypts with every known master secret and
encrypts with the first: rotation re-encrypts under the new one without downtime.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["DecryptionError", "SecretBox", "derive_key"]


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any known master secret."""


def derive_key(master_secret: str, purpose: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"vibe-quality-searcharr/v1",
        info=purpose.encode(),
    )
    return base64.urlsafe_b64encode(hkdf.derive(master_secret.encode()))


class SecretBox:
    """Encrypts and decrypts text for one purpose ("arr-api-key", "totp", ...)."""

    def __init__(self, master_secrets: Sequence[str], purpose: str) -> None:
        if not master_secrets:
            raise ValueError("at least one master secret is needed")
        self._fernet = MultiFernet(
            [Fernet(derive_key(secret, purpose)) for secret in master_secrets]
        )

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise DecryptionError(
                "a stored secret cannot be decrypted: the master secret changed; restore it or re-enter the secret"
            ) from None

    def rotate(self, token: str) -> str:
        """Re-encrypt under the first (newest) master secret."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError):
            raise DecryptionError("a stored secret cannot be decrypted for rotation") from None
