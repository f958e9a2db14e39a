"""Random bearer secrets (session ids, API tokens, recovery codes) and how they are stored.

Session ids and API tokens carry 256 random bits, so a plain SHA-256 digest is a safe way to
store them: nothing short of the token itself matches the digest. Recovery codes are shorter
(to be typed), so they are HMAC-ed with the pepper, which never enters the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "API_TOKEN_PREFIX",
    "digest",
    "new_api_token",
    "new_recovery_code",
    "new_session_token",
    "normalize_recovery_code",
    "recovery_code_digest",
]

API_TOKEN_PREFIX = "vqs_"  # noqa: S105 (a label, not a secret)
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read back


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_recovery_code() -> str:
    """Twelve characters of a 31-letter alphabet: 59 bits, shown as xxxx-xxxx-xxxx."""
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_code_digest(pepper: str, code: str) -> str:
    normalized = normalize_recovery_code(code)
    return hmac.new(pepper.encode(), b"recovery:" + normalized.encode(), hashlib.sha256).hexdigest()
