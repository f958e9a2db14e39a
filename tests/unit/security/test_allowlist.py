"""Huntarr finding 13: the allow-list matches whole paths only."""

from __future__ import annotations

import pytest

from vibe_quality_searcharr.security.allowlist import is_public, is_self_service


@pytest.mark.parametrize(
    "path", ["/login", "/api/v1/auth/login", "/health/live", "/static/css/base.css"]
)
def test_listed_paths_are_public(path: str) -> None:
    assert is_public(path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/settings/login",
        "/api/v1/users/login",
        "/login/../api/v1/users",
        "/loginx",
        "/login/",
        "/api/v1/auth/login/../../users",
        "/x/health/live",
        "/health/live/extra",
        "/api/v1/users?next=/login",
        "/static/../api/v1/users",
        "/static",
        "/staticfoo",
        "/LOGIN",
        "/api/v1/users/static/x",
        "/api/v1/users%2flogin",
    ],
)
def test_look_alikes_are_not_public(path: str) -> None:
    assert not is_public(path)


def test_self_service_matches_whole_paths() -> None:
    assert is_self_service("DELETE", "/api/v1/tokens/12")
    assert not is_self_service("DELETE", "/api/v1/tokens/12/../../users/1")
    assert not is_self_service("DELETE", "/api/v1/users/1/api/v1/tokens/1")
    assert not is_self_service("POST", "/api/v1/tokens/extra")
    assert not is_self_service("PUT", "/api/v1/tokens")
