"""OpenID Connect sign-in against a real (tiny) provider on loopback: state, nonce and PKCE."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from tests.conftest import make_user
from tests.integration.users.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.settings import ConfigError, load_settings
from vibe_quality_searcharr.users.keys import AuthKeys


@pytest.fixture
def provider() -> Iterator[Provider]:
    with Provider() as running:
        yield running


@pytest.fixture
def oidc_app(context: AppContext, provider: Provider) -> FastAPI:
    context.settings = context.settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_admin_groups": "media-admins",
            "oidc_viewer_groups": "media-viewers",
            "oidc_allowed_users": "guest",
        }
    )
    return create_app(context=context)


def _to_provider(client: TestClient) -> tuple[str, dict[str, str]]:
    start = client.get("/auth/oidc/login?next=/queues", follow_redirects=False)
    assert start.status_code == 303
    authorize = start.headers["location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert query["state"]
    assert query["nonce"]
    assert query["redirect_uri"] == "http://testserver/auth/oidc/callback"
    back = httpx.get(authorize, follow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["location"])
    return f"{callback.path}?{callback.query}", query


def test_sign_in_creates_the_account_with_the_groups_role(
    oidc_app: FastAPI, provider: Provider, context: AppContext, auth_keys: AuthKeys
) -> None:
    with context.database.session_scope() as session:
        make_user(session, username="local", role="admin", keys=auth_keys)
    with TestClient(oidc_app) as client:
        assert 'href="/auth/oidc/login"' in client.get("/login").text
        callback, query = _to_provider(client)
        done = client.get(callback, follow_redirects=False)
        assert done.status_code == 303
        assert done.headers["location"] == "/queues"
        me = client.get("/api/v1/auth/me").json()
        assert (me["username"], me["role"]) == ("dana", "admin")
    verifier = provider.token_requests[-1]["code_verifier"]
    assert len(verifier) >= 43
    assert verifier not in str(query)  # only its S256 hash went through the browser


def test_role_follows_the_groups_at_each_sign_in(oidc_app: FastAPI, provider: Provider) -> None:
    with TestClient(oidc_app) as client:
        client.get(_to_provider(client)[0])
    provider.claims["groups"] = ["media-viewers"]
    with TestClient(oidc_app) as client:
        client.get(_to_provider(client)[0])
        assert client.get("/api/v1/auth/me").json()["role"] == "viewer"
    provider.claims["groups"] = ["other"]
    with TestClient(oidc_app) as client:
        refused = client.get(_to_provider(client)[0])
        assert refused.status_code == 401
        assert "not allowed" in refused.text
        assert client.get("/api/v1/auth/me").status_code == 401


def test_wrong_state_is_refused(oidc_app: FastAPI) -> None:
    with TestClient(oidc_app) as client:
        callback, query = _to_provider(client)
        forged = callback.replace(query["state"], "forged-state")
        assert client.get(forged).status_code == 401
    with TestClient(oidc_app) as other_browser:  # no flow cookie: a login CSRF attempt
        assert other_browser.get(callback).status_code == 401
        assert other_browser.get("/api/v1/auth/me").status_code == 401


def test_nonce_mismatch_is_refused(oidc_app: FastAPI, provider: Provider) -> None:
    provider.nonce_override = "replayed-nonce"
    with TestClient(oidc_app) as client:
        refused = client.get(_to_provider(client)[0])
        assert refused.status_code == 401
        assert "ID token is not valid" in refused.text


def test_a_code_cannot_be_used_twice(oidc_app: FastAPI) -> None:
    with TestClient(oidc_app) as client:
        callback, _ = _to_provider(client)
        sealed = client.cookies.get("vqs_oidc")
        assert client.get(callback, follow_redirects=False).status_code == 303
    with TestClient(oidc_app, cookies={"vqs_oidc": sealed or ""}) as replay:
        assert replay.get(callback).status_code == 401


def test_a_provider_user_cannot_take_over_a_local_account(
    oidc_app: FastAPI, provider: Provider, context: AppContext, auth_keys: AuthKeys
) -> None:
    with context.database.session_scope() as session:
        make_user(session, username="admin", role="admin", keys=auth_keys)
    provider.claims.update({"sub": "attacker", "preferred_username": "Admin"})
    with TestClient(oidc_app) as client:
        refused = client.get(_to_provider(client)[0])
        assert refused.status_code == 401
        assert "already exists" in refused.text


def test_oidc_is_404_when_not_configured(anon_client: TestClient) -> None:
    assert anon_client.get("/auth/oidc/login").status_code == 404
    assert anon_client.get("/auth/oidc/callback?code=x&state=y").status_code == 404


def test_configuration_is_checked_at_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError):
        load_settings(data_dir=tmp_path, oidc_issuer="https://id.example")
    with pytest.raises(ConfigError):
        load_settings(
            data_dir=tmp_path,
            oidc_issuer="http://id.example",
            oidc_client_id="a",
            oidc_client_secret="b" * 32,
            oidc_viewer_groups="v",
        )
    with pytest.raises(ConfigError):  # nobody allowed: anyone at the provider would get in
        load_settings(
            data_dir=tmp_path,
            oidc_issuer="https://id.example",
            oidc_client_id="a",
            oidc_client_secret="b" * 32,
        )
