"""CSRF tokens in forms (urlencoded and multipart), HTMX headers, and HTMX sign-in redirects."""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form
from fastapi.testclient import TestClient

from tests.conftest import SignedInClient, sign_in_client
from vibe_quality_searcharr.context import AppContext


def test_form_field_token_is_accepted_urlencoded_and_multipart(
    app: FastAPI, context: AppContext
) -> None:
    @app.post("/api/v1/echo-form")
    def echo() -> dict[str, str]:
        return {"ok": "yes"}

    with sign_in_client(app, context, "admin") as admin:
        token = admin.csrf_token
        admin.csrf_token = None  # send it only in the body
        assert admin.post("/api/v1/echo-form", data={"csrf_token": token}).status_code == 200
        assert admin.post("/api/v1/echo-form", data={"csrf_token": "0" * 64}).status_code == 403
        multipart = admin.post(
            "/api/v1/echo-form", data={"csrf_token": token}, files={"f": ("a.txt", b"x")}
        )
        assert multipart.status_code == 200
        assert admin.post("/api/v1/echo-form", files={"f": ("a.txt", b"x")}).status_code == 403


def test_route_still_reads_the_form_after_the_check(app: FastAPI, context: AppContext) -> None:
    @app.post("/api/v1/echo-name")
    def echo(name: Annotated[str, Form()]) -> dict[str, str]:
        return {"name": name}

    with sign_in_client(app, context, "admin") as admin:
        token = admin.csrf_token
        admin.csrf_token = None
        response = admin.post("/api/v1/echo-name", data={"csrf_token": token, "name": "kept"})
        assert response.json() == {"name": "kept"}


def test_htmx_requests_get_a_sign_in_redirect_header(anon_client: TestClient) -> None:
    response = anon_client.get("/api/v1/users", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_signed_in_pages_hand_htmx_the_csrf_token(admin_client: SignedInClient) -> None:
    page = admin_client.get("/setup")  # setup is over: a plain page in the shared layout
    assert page.status_code == 404
    assert f'hx-headers=\'{{"X-CSRF-Token": "{admin_client.csrf_token}"}}\'' in page.text
    assert f'<meta name="csrf-token" content="{admin_client.csrf_token}">' in page.text
    assert "Signed in as admin" in page.text


def test_api_docs_are_served_without_inline_script(
    admin_client: SignedInClient, anon_client: TestClient
) -> None:
    docs = admin_client.get("/api/docs")
    assert docs.status_code == 200
    assert '<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>' in docs.text
    assert "<script>" not in docs.text
    assert anon_client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert anon_client.get("/static/js/api-docs.js").status_code == 200
    assert anon_client.get("/api/openapi.json").status_code == 401
    assert anon_client.get("/api/docs", follow_redirects=False).status_code == 401
