"""Fixtures for the instances tests.

STOP-GAP (the lead removes `admin_client`, `viewer_client`, `anon_client` and `_as_principal`
at merge, when the security branch's signed-in clients from tests/conftest.py take over): until
the authentication layer lands, a tiny test middleware puts a fixed `Principal` on
`request.state.principal`, which is exactly what the real layer does. Routes are unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.security.principal import Principal

API_KEY = "f3a1c9e07b2d4a6c8e0f1a2b3c4d5e6f"

RESOLVED: dict[str, list[str]] = {"metadata-alias.lan": ["169.254.169.254"]}


def fake_resolver(host: str) -> list[str]:
    """No real DNS in tests: names resolve to a LAN address unless listed above."""
    return RESOLVED.get(host, ["192.168.1.50"])


def offline_connector() -> Connector:
    # Real HTTP stack (respx intercepts it), no DNS, no retry waits.
    return Connector(options=ClientOptions(retry=RetryPolicy(retries=0)), resolver=fake_resolver)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _as_principal(context: AppContext, principal: Principal | None) -> FastAPI:
    app = create_app(context=context)
    app.state.arr_connector = offline_connector()

    @app.middleware("http")
    async def inject(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if principal is not None:
            request.state.principal = principal
        return await call_next(request)

    return app


@pytest.fixture
def admin_client(context: AppContext) -> Iterator[TestClient]:
    admin = Principal(user_id=1, username="admin", role="admin", method="session")
    with TestClient(_as_principal(context, admin)) as client:
        yield client


@pytest.fixture
def viewer_client(context: AppContext) -> Iterator[TestClient]:
    viewer = Principal(user_id=2, username="viewer", role="viewer", method="session")
    with TestClient(_as_principal(context, viewer)) as client:
        yield client


@pytest.fixture
def anon_client(context: AppContext) -> Iterator[TestClient]:
    with TestClient(_as_principal(context, None)) as client:
        yield client


def make_instance(session: Session, context: AppContext, **overrides: Any) -> Instance:
    key = overrides.pop("api_key", API_KEY)
    values: dict[str, Any] = {
        "name": "Sonarr",
        "app": "sonarr",
        "url": "http://192.168.1.50:8989",
        "enabled": True,
        "api_key_encrypted": api_key_box(context.secrets.master_secret).encrypt(key),
    }
    values.update(overrides)
    instance = Instance(**values)
    session.add(instance)
    session.flush()
    return instance


def status_json(app: str = "Sonarr", version: str = "4.0.14.2939") -> dict[str, Any]:
    return {"appName": app, "instanceName": f"{app} (home)", "version": version}
