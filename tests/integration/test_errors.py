"""One error shape for everything: domain errors, validation, unknown routes and crashes."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from tests.conftest import sign_in_client
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.errors import (
    AppError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
)

INTERNAL_DETAIL = "password=hunter2 at /srv/secret/path.py line 42"


class Widget(BaseModel):
    name: str = Field(min_length=1)
    size: int = Field(ge=1)


def app_with_failing_routes(context: AppContext) -> FastAPI:
    app = create_app(context=context)

    @app.post("/test/widgets")
    def create_widget(widget: Widget) -> Widget:
        return widget

    @app.get("/test/raise/{kind}")
    def raise_error(kind: str) -> None:
        errors: dict[str, AppError] = {
            "not_found": NotFound("No such queue."),
            "conflict": Conflict("Queue name taken."),
            "invalid": InvalidInput("Bad schedule.", fields={"schedule": "not a cron expression"}),
            "unauthorized": Unauthorized("Sign in first."),
            "forbidden": Forbidden("Admins only."),
            "unavailable": ServiceUnavailable("Sonarr does not answer."),
        }
        raise errors[kind]

    @app.get("/test/crash")
    def crash() -> None:
        raise RuntimeError(INTERNAL_DETAIL)

    return app


@pytest.fixture
def failing(context: AppContext) -> Iterator[TestClient]:
    """Signed in as an admin (with CSRF), so each request reaches the route under test."""
    with sign_in_client(app_with_failing_routes(context), context, "admin") as client:
        yield client


def test_invalid_body_is_a_422_problem_naming_each_field(failing: TestClient) -> None:
    response = failing.post("/test/widgets", json={"name": "", "size": 0})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation"
    assert set(body["fields"]) == {"name", "size"}
    assert "at least 1 character" in body["fields"]["name"]
    assert body["detail"].startswith("Invalid input. ")


def test_a_body_that_is_not_json_is_a_422_problem(failing: TestClient) -> None:
    response = failing.post(
        "/test/widgets", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "validation"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("not_found", 404),
        ("conflict", 409),
        ("invalid", 422),
        ("unauthorized", 401),
        ("forbidden", 403),
        ("unavailable", 503),
    ],
)
def test_domain_errors_render_as_problems(failing: TestClient, kind: str, status: int) -> None:
    response = failing.get(f"/test/raise/{kind}")
    assert response.status_code == status
    body = response.json()
    assert set(body) <= {"error", "detail", "fields"}
    assert body["detail"].endswith(".")
    if kind == "invalid":
        assert body["fields"] == {"schedule": "not a cron expression"}


def test_an_unknown_route_is_a_404_problem(failing: TestClient) -> None:
    response = failing.get("/no/such/page")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not Found"}


def test_a_wrong_method_is_a_405_problem(failing: TestClient) -> None:
    response = failing.delete("/health/live")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_a_crash_is_a_500_with_the_request_id_and_no_internals(failing: TestClient) -> None:
    response = failing.get("/test/crash")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert response.json() == {
        "error": "internal",
        "detail": f"Unexpected error. Quote request id {request_id} when reporting it.",
    }
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)


def test_a_crash_response_still_has_the_security_headers(failing: TestClient) -> None:
    response = failing.get("/test/crash", headers={"X-Request-ID": "trace-1234abcd"})
    assert response.headers["X-Request-ID"] == "trace-1234abcd"
    assert "trace-1234abcd" in response.json()["detail"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
