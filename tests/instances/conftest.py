"""Fixtures for the instances tests: an app whose *arr connector is offline (respx answers).

The signed-in `admin_client`, `viewer_client` and `anon_client` come from tests/conftest.py and
use this module's `app`.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.arr.retry import RetryPolicy
from vibe_quality_searcharr.arr.transport import ClientOptions
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.connection import Connector
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import api_key_box

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


@pytest.fixture
def app(context: AppContext) -> FastAPI:
    """The real app, with an *arr connector that does no DNS and no retry waits."""
    application = create_app(context=context)
    application.state.arr_connector = offline_connector()
    return application


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
