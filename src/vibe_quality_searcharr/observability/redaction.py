"""Keeps secrets out of log lines: by the name of a field, and by any value registered as secret.

Every secret the process knows (its own keys, each *arr API key once decrypted, session tokens as
they are issued) is registered here, and every string in a log event is scrubbed of them.
"""

from __future__ import annotations

import re
import threading
from collections.abc import MutableMapping
from typing import Any

__all__ = ["REDACTED", "SecretRegistry", "redact_event", "registry"]

REDACTED = "***"
_SECRET_KEY_NAME = re.compile(
    r"(pass(word|wd|phrase)?|secret|token|api[_-]?key|apikey|^key$|_key$|authorization|cookie|pepper|otp|totp)",
    re.IGNORECASE,
)
_MIN_SECRET_LENGTH = 6


class SecretRegistry:
    """A set of secret values, matched with one compiled pattern rebuilt only when it changes."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, value: str | None) -> None:
        if not value or len(value) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if value not in self._values:
                self._values.add(value)
                self._pattern = None

    def discard(self, value: str) -> None:
        with self._lock:
            self._values.discard(value)
            self._pattern = None

    def scrub(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None:
            with self._lock:
                if not self._values:
                    return text
                ordered = sorted(self._values, key=len, reverse=True)
                pattern = self._pattern = re.compile("|".join(map(re.escape, ordered)))
        return pattern.sub(REDACTED, text)


registry = SecretRegistry()


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return registry.scrub(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if _is_secret_name(key) else _clean(item) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_clean(item) for item in value)
    if isinstance(value, BaseException):
        return registry.scrub(repr(value))
    return value


def _is_secret_name(name: Any) -> bool:
    return isinstance(name, str) and bool(_SECRET_KEY_NAME.search(name))


def redact_event(
    _logger: Any, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: mask secret-named fields and registered secret values everywhere."""
    for key in list(event):
        if _is_secret_name(key):
            event[key] = REDACTED
        else:
            event[key] = _clean(event[key])
    return event
