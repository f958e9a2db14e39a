"""The redactor: secret-named fields and registered secret values never survive into a log event."""

from __future__ import annotations

from typing import Any

import pytest

from vibe_quality_searcharr.observability.redaction import REDACTED, SecretRegistry, redact_event
from vibe_quality_searcharr.observability.redaction import registry as shared_registry

API_KEY = "9f86d081884c7d659a2feaa0c55ad015"


def redact(**event: Any) -> dict[str, Any]:
    return dict(redact_event(None, "info", dict(event)))


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "new_password",
        "passwd",
        "api_key",
        "apikey",
        "X-Api-Key",
        "token",
        "session_token",
        "secret",
        "client_secret",
        "authorization",
        "Cookie",
        "pepper",
        "totp",
        "key",
        "database_key",
    ],
)
def test_fields_named_like_secrets_are_masked(name: str) -> None:
    assert redact(**{name: "anything"})[name] == REDACTED


@pytest.mark.parametrize("name", ["event", "user", "instance", "status", "keyboard", "monkey"])
def test_ordinary_fields_are_kept(name: str) -> None:
    assert redact(**{name: "visible"})[name] == "visible"


def test_nested_secret_fields_are_masked() -> None:
    event = redact(request={"headers": {"X-Api-Key": "abc", "Accept": "json"}, "tries": [1, 2]})
    assert event["request"] == {
        "headers": {"X-Api-Key": REDACTED, "Accept": "json"},
        "tries": [1, 2],
    }


def test_registered_values_are_masked_inside_any_text() -> None:
    shared_registry.add(API_KEY)
    event = redact(
        event=f"GET /api/v3/series?apikey={API_KEY} failed",
        url=f"http://sonarr:8989/?k={API_KEY}",
        attempts=[f"try {API_KEY}", 3],
        detail=(f"{API_KEY}!",),
    )
    assert API_KEY not in repr(event)
    assert event["event"] == f"GET /api/v3/series?apikey={REDACTED} failed"
    assert event["attempts"] == [f"try {REDACTED}", 3]
    assert event["detail"] == (f"{REDACTED}!",)


def test_registered_values_are_masked_inside_exceptions() -> None:
    shared_registry.add(API_KEY)
    event = redact(error=ValueError(f"rejected key {API_KEY}"))
    assert event["error"] == f"ValueError('rejected key {REDACTED}')"


def test_overlapping_secrets_are_masked_whole() -> None:
    registry = SecretRegistry()
    registry.add("abcdef123")
    registry.add("abcdef123456789")
    assert registry.scrub("x abcdef123456789 y abcdef123 z") == f"x {REDACTED} y {REDACTED} z"


def test_values_too_short_to_be_secrets_are_not_registered() -> None:
    registry = SecretRegistry()
    registry.add("")
    registry.add(None)
    registry.add("abc")
    assert registry.scrub("abc is fine") == "abc is fine"


def test_a_discarded_value_is_no_longer_masked() -> None:
    registry = SecretRegistry()
    registry.add("rotated-away-key")
    registry.discard("rotated-away-key")
    assert registry.scrub("rotated-away-key") == "rotated-away-key"


def test_regex_characters_in_secrets_are_literal() -> None:
    registry = SecretRegistry()
    registry.add("a.b*c+d?")
    assert registry.scrub("a.b*c+d? aXbbbcd") == f"{REDACTED} aXbbbcd"
