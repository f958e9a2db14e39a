from __future__ import annotations

from fastapi.testclient import TestClient


def test_vendored_assets_are_served_locally(client: TestClient) -> None:
    for path in ("/static/vendor/htmx/htmx.min.js", "/static/vendor/pico/pico.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"


def test_static_does_not_escape_its_directory(client: TestClient) -> None:
    response = client.get("/static/../settings.py")
    assert response.status_code == 404
    response = client.get("/static/%2e%2e/settings.py")
    assert response.status_code == 404
