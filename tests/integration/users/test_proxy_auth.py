"""Reverse-proxy sign-in: the user header is believed only from VQS_TRUSTED_PROXIES."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_user
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.settings import ConfigError, load_settings
from vibe_quality_searcharr.users.keys import AuthKeys


def _proxy_app(context: AppContext):  # type: ignore[no-untyped-def]
    context.settings = context.settings.model_copy(
        update={"trusted_proxies": ["10.0.0.0/8"], "proxy_auth_header": "Remote-User"}
    )
    return create_app(context=context)


def test_start_up_refuses_proxy_auth_without_trusted_proxies(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as raised:
        load_settings(data_dir=tmp_path, proxy_auth_header="Remote-User")
    assert "VQS_TRUSTED_PROXIES" in str(raised.value)
    assert load_settings(
        data_dir=tmp_path, proxy_auth_header="Remote-User", trusted_proxies="172.18.0.0/16"
    )


def test_header_from_the_trusted_proxy_signs_in(context: AppContext, auth_keys: AuthKeys) -> None:
    with context.database.session_scope() as session:
        make_user(session, username="alice", role="admin", keys=auth_keys)
    app = _proxy_app(context)
    with TestClient(app, client=("10.0.0.2", 1234)) as proxy:
        me = proxy.get("/api/v1/auth/me", headers={"Remote-User": "Alice"})
        assert me.status_code == 200
        assert me.json()["username"] == "alice"
        unknown = proxy.get("/api/v1/auth/me", headers={"Remote-User": "mallory"})
        assert unknown.status_code == 401
        # Cookie-like: a browser behind the proxy still needs the CSRF token to change things.
        csrf = proxy.get("/api/v1/auth/csrf", headers={"Remote-User": "alice"}).json()["csrf_token"]
        body = {"name": "t", "scope": "read"}
        assert (
            proxy.post("/api/v1/tokens", json=body, headers={"Remote-User": "alice"}).status_code
            == 403
        )
        ok = proxy.post(
            "/api/v1/tokens", json=body, headers={"Remote-User": "alice", "X-CSRF-Token": csrf}
        )
        assert ok.status_code == 201


def test_header_from_anyone_else_is_ignored(context: AppContext, auth_keys: AuthKeys) -> None:
    with context.database.session_scope() as session:
        make_user(session, username="alice", role="admin", keys=auth_keys)
    app = _proxy_app(context)
    with TestClient(app, client=("192.168.1.50", 1234)) as direct:
        response = direct.get(
            "/api/v1/auth/me", headers={"Remote-User": "alice", "X-Forwarded-For": "10.0.0.2"}
        )
        assert response.status_code == 401
