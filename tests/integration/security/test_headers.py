"""Baseline security headers on every response, whatever its status; HSTS only over https."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_baseline(headers: dict[str, str] | object) -> None:
    for name, value in EXPECTED.items():
        assert headers[name] == value, name  # type: ignore[index]
    policy = headers["Content-Security-Policy"]  # type: ignore[index]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/health/live", 200),
        ("GET", "/health/ready", 200),
        ("GET", "/nowhere", 404),
        ("POST", "/health/live", 405),
        ("GET", "/api/openapi.json", 200),
    ],
)
# Signed in, so that each path reaches its own handler rather than the sign-in wall.
def test_every_response_has_the_baseline(
    admin_client: TestClient, method: str, path: str, status: int
) -> None:
    client = admin_client
    response = client.request(method, path)
    assert response.status_code == status
    assert_baseline(response.headers)


def test_no_hsts_over_plain_http(client: TestClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/health/live").headers


def test_hsts_over_https(context: AppContext) -> None:
    with TestClient(create_app(context=context), base_url="https://vqs.example.lan") as client:
        response = client.get("/health/live")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_baseline(response.headers)


def test_the_server_does_not_announce_itself(client: TestClient) -> None:
    assert "Server" not in client.get("/health/live").headers


def test_the_sign_in_wall_has_the_baseline(client: TestClient) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 401
    assert_baseline(response.headers)
