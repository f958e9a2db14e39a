from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_vendored_assets_are_served_locally(client: TestClient) -> None:
    for path in ("/static/vendor/htmx/htmx.min.js", "/static/vendor/pico/pico.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/static/../settings.py", "/static/%2e%2e/settings.py"])
def test_static_does_not_escape_its_directory(admin_client: TestClient, path: str) -> None:
    response = admin_client.get(path)
    assert response.status_code in {401, 404}
    assert "BaseSettings" not in response.text
