"""Shared fixtures: settings in a temporary data directory and a fresh migrated database per test.

Database tests run on SQLCipher always and on PostgreSQL when VQS_TEST_POSTGRES_URL is set; with
VQS_REQUIRE_POSTGRES=1 (CI) a missing server fails the run instead of skipping.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import Database, open_postgres, open_sqlcipher
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import Settings, load_settings
from vibe_quality_searcharr.simulator.testing import RunningSimulator, start_simulator

POSTGRES_URL = os.environ.get("VQS_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("VQS_REQUIRE_POSTGRES") == "1"


@pytest.fixture(autouse=True)
def _clean_vqs_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own VQS_* configuration."""
    for name in list(os.environ):
        if (
            name.startswith("VQS_")
            and not name.startswith("VQS_TEST_")
            and name != "VQS_REQUIRE_POSTGRES"
        ):
            monkeypatch.delenv(name)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", scheduler_enabled=False)


def _postgres_available() -> bool:
    if not POSTGRES_URL:
        return False
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def require_postgres() -> str:
    if _postgres_available():
        assert POSTGRES_URL is not None
        return POSTGRES_URL
    if REQUIRE_POSTGRES:
        pytest.fail(
            "VQS_REQUIRE_POSTGRES=1 but PostgreSQL at VQS_TEST_POSTGRES_URL does not answer"
        )
    pytest.skip("PostgreSQL not configured (set VQS_TEST_POSTGRES_URL)")


@pytest.fixture
def postgres_schema() -> Iterator[tuple[str, str]]:
    """A fresh, empty PostgreSQL schema for one test: (url, schema)."""
    url = require_postgres()
    schema = f"t_{secrets.token_hex(6)}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Database]:
    """A fresh database at the migration head, on each backend."""
    if request.param == "sqlite":
        keys = ensure_secrets(settings)
        db = open_sqlcipher(settings.sqlite_path, keys.database_key)
    else:
        url, schema = request.getfixturevalue("postgres_schema")
        db = open_postgres(url, schema=schema)
    migrate.upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session_scope() as db_session:
        yield db_session


@pytest.fixture
def context(settings: Settings, database: Database) -> AppContext:
    return AppContext(
        settings=settings,
        secrets=ensure_secrets(settings),
        database=database,
        scheduler=Scheduler(),
        events=EventBus(),
    )


@pytest.fixture
def app(context: AppContext) -> FastAPI:
    return create_app(context=context)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


# --- Accounts and security (issue 3) ---------------------------------------------------------

from datetime import datetime  # noqa: E402

from vibe_quality_searcharr.db.base import utcnow  # noqa: E402
from vibe_quality_searcharr.security import passwords as _passwords  # noqa: E402
from vibe_quality_searcharr.security.authentication import SESSION_COOKIE  # noqa: E402
from vibe_quality_searcharr.users import sessions as _sessions  # noqa: E402
from vibe_quality_searcharr.users.keys import AuthKeys  # noqa: E402
from vibe_quality_searcharr.users.models import User  # noqa: E402
from vibe_quality_searcharr.users.resolver import session_policy  # noqa: E402

CHEAP_COST = _passwords.HashCost(time_cost=1, memory_kib=8, parallelism=1)
TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at the lowest cost so the suite stays fast. Production cost is asserted in
    tests/unit/security/test_passwords.py against `PRODUCTION_COST`, which this leaves alone."""
    monkeypatch.setattr(_passwords, "active_cost", CHEAP_COST)


@pytest.fixture
def auth_keys(context: AppContext) -> AuthKeys:
    return AuthKeys.from_secrets(context.secrets)


_user_numbers = iter(range(1, 1_000_000))


def make_user(session: Session, **overrides: Any) -> User:
    """A saved user. Pass `keys=` (the `auth_keys` fixture) and `password=` to sign in with it."""
    keys: AuthKeys | None = overrides.pop("keys", None)
    password: str = overrides.pop("password", TEST_PASSWORD)
    now: datetime = overrides.pop("now", utcnow())
    values: dict[str, Any] = {
        "username": f"user{next(_user_numbers)}",
        "role": "viewer",
        "password_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    values.update(overrides)
    if "password_hash" not in values:
        hasher = keys.passwords if keys else _passwords.Passwords(secrets.token_hex(32))
        values["password_hash"] = hasher.hash(password)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


class SignedInClient(TestClient):
    """A TestClient holding a session cookie; sends the CSRF header on unsafe methods if given one."""

    csrf_token: str | None = None
    user_id: int = 0
    username: str = ""

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self.csrf_token and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", self.csrf_token)
            kwargs["headers"] = headers
        return super().request(method, url, **kwargs)


def sign_in_client(
    app: FastAPI,
    context: AppContext,
    role: str,
    *,
    send_csrf: bool = True,
    username: str | None = None,
) -> SignedInClient:
    keys = AuthKeys.from_secrets(context.secrets)
    with context.database.session_scope() as db:
        user = make_user(db, role=role, keys=keys, **({"username": username} if username else {}))
        token, _ = _sessions.start(
            db, user, now=app_clock_now(app), policy=session_policy(context.settings)
        )
        user_id, name = user.id, user.username
    client = SignedInClient(app)
    client.cookies.set(SESSION_COOKIE, token)
    client.user_id, client.username = user_id, name
    if send_csrf:
        client.csrf_token = keys.csrf.for_binding(f"session:{token}")
    return client


def app_clock_now(app: FastAPI) -> datetime:
    clock = getattr(app.state, "clock", utcnow)
    result: datetime = clock()
    return result


@pytest.fixture
def admin_client(app: FastAPI, context: AppContext) -> Iterator[SignedInClient]:
    with sign_in_client(app, context, "admin", username="admin") as test_client:
        yield test_client


@pytest.fixture
def viewer_client(app: FastAPI, context: AppContext) -> Iterator[SignedInClient]:
    with sign_in_client(app, context, "viewer", username="viewer") as test_client:
        yield test_client


@pytest.fixture
def anon_client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


# --- Simulated *arr apps (vibe_quality_searcharr.simulator.testing) ---------------------------


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., RunningSimulator]]:
    """`simulator_factory(app="sonarr", **options)` starts a simulated app on a free loopback
    port (options as `start_simulator`: api_key, seed, size, version, speed, start, clock, pool,
    app_tags); every app started is stopped after the test. The clock is frozen unless `speed`."""
    started: list[RunningSimulator] = []

    def start(app: str = "sonarr", **options: Any) -> RunningSimulator:
        sim = start_simulator(app, **options)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def sonarr_simulator(simulator_factory: Callable[..., RunningSimulator]) -> RunningSimulator:
    return simulator_factory("sonarr")


@pytest.fixture
def radarr_simulator(simulator_factory: Callable[..., RunningSimulator]) -> RunningSimulator:
    return simulator_factory("radarr")


@pytest.fixture
def prowlarr_simulator(simulator_factory: Callable[..., RunningSimulator]) -> RunningSimulator:
    return simulator_factory("prowlarr")
