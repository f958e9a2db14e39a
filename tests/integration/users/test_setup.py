"""First run: setup creates the first admin exactly once, then is gone for good."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.users import service
from vibe_quality_searcharr.users.keys import AuthKeys
from vibe_quality_searcharr.users.models import User

GOOD = "a long and unusual passphrase"


def _user_count(database: Database) -> int:
    with database.session_scope() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def test_setup_creates_the_admin_and_signs_in(client: TestClient, database: Database) -> None:
    response = client.post("/api/v1/setup", json={"username": "Alice", "password": GOOD})
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert body["user"]["role"] == "admin"
    assert len(body["csrf_token"]) == 64
    assert client.get("/api/v1/auth/me").json()["username"] == "alice"
    assert "password" not in response.text
    assert GOOD not in response.text


def test_setup_answers_404_once_a_user_exists(client: TestClient, database: Database) -> None:
    assert (
        client.post("/api/v1/setup", json={"username": "alice", "password": GOOD}).status_code
        == 201
    )
    fresh = TestClient(client.app)
    again = fresh.post("/api/v1/setup", json={"username": "mallory", "password": GOOD})
    assert again.status_code == 404
    assert fresh.get("/setup", headers={"Accept": "text/html"}).status_code == 404
    assert _user_count(database) == 1


def test_setup_refuses_weak_and_common_passwords(client: TestClient, database: Database) -> None:
    short = client.post("/api/v1/setup", json={"username": "alice", "password": "short"})
    assert short.status_code == 422
    assert short.json()["fields"]["password"]
    common = client.post("/api/v1/setup", json={"username": "alice", "password": "Password1234!"})
    assert common.status_code == 422
    assert _user_count(database) == 0
    # Nothing was stored by the failures: setup is still open.
    assert (
        client.post("/api/v1/setup", json={"username": "alice", "password": GOOD}).status_code
        == 201
    )


def test_concurrent_setups_exactly_one_wins(database: Database, auth_keys: AuthKeys) -> None:
    contenders = 6
    barrier = threading.Barrier(contenders)
    results: list[str] = []

    def attempt(index: int) -> None:
        barrier.wait()
        try:
            with database.session_scope() as session:
                service.setup_first_admin(
                    session,
                    auth_keys,
                    username=f"admin{index}",
                    password=GOOD,
                    now=utcnow(),
                    client_ip="",
                )
            results.append("won")
        except AppError as exc:
            results.append(f"lost:{exc.status_code}")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("won") == 1, results
    assert sorted(results)[:-1] == ["lost:404"] * (contenders - 1)
    assert _user_count(database) == 1


def test_creating_a_user_from_the_cli_path_closes_setup(
    database: Database, auth_keys: AuthKeys
) -> None:
    with database.session_scope() as session:
        service.create_user(
            session,
            auth_keys,
            username="ops",
            password=GOOD,
            role="admin",
            now=utcnow(),
            actor="cli",
        )
    with database.session_scope() as session:
        assert not service.setup_open(session)


def test_setup_page_flow(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/setup"
    form = client.get("/setup")
    assert form.status_code == 200
    assert '<label for="username">' in form.text
    assert "<script" not in form.text
    bad = client.post("/setup", data={"username": "alice", "password": "tiny"})
    assert bad.status_code == 422
    assert "at least 12" in bad.text
    done = client.post(
        "/setup", data={"username": "alice", "password": GOOD}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/setup/instance"  # the wizard goes on
    assert client.get("/api/v1/auth/me").json()["role"] == "admin"
