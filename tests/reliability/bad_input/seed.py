"""A realistic configuration to aim bad input at, built through the public API as a user would.

Two simulated apps (Sonarr and Radarr on one frozen clock) with their libraries synced, queues of
several strategies, exclusions, limits, notification targets, more users, API tokens, a finished
search run with its history and a spare browser session. Updates and deletes then have real
targets, so "a refused edit changes nothing" is tested against rows that exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from tests.conftest import SignedInClient
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.runs.wiring import registry_of
from vibe_quality_searcharr.simulator.clock import SimClock
from vibe_quality_searcharr.simulator.testing import RunningSimulator
from vibe_quality_searcharr.users import sessions
from vibe_quality_searcharr.users.models import User
from vibe_quality_searcharr.users.resolver import session_policy

__all__ = ["Seeded", "seed_config", "settle"]


WELL_FORMED_BACKUP = "vqs-backup-20260101T000000Z.db"
"""A name of the backups' pattern that no backup has (PostgreSQL installs take none)."""


@dataclass
class Seeded:
    """The ids of what was created, by kind, and the secrets that must never be sent back."""

    instances: list[int] = field(default_factory=list)
    queues: list[int] = field(default_factory=list)
    exclusions: list[int] = field(default_factory=list)
    notifications: list[int] = field(default_factory=list)
    users: list[int] = field(default_factory=list)  # other accounts (never the fuzzing admin)
    tokens: list[int] = field(default_factory=list)  # spare tokens (never the fuzzing one)
    sessions: list[int] = field(default_factory=list)  # spare sessions of the fuzzing admin
    runs: list[int] = field(default_factory=list)
    items: list[tuple[int, int]] = field(default_factory=list)  # (instance_id, library item id)
    parents: list[tuple[int, int]] = field(default_factory=list)
    backup: str = WELL_FORMED_BACKUP  # a real backup's name on SQLite
    token: str = ""  # a full-scope admin API token for the fuzzer
    secrets: list[str] = field(default_factory=list)


def _ok(response: Any, status: int = 201) -> Any:
    assert response.status_code == status, (response.request.url, response.text[:500])
    return response.json()


def settle(app: FastAPI, client: SignedInClient) -> None:
    """Finish the background work a request may have started (syncs, runs, notifications), so
    the next snapshot sees only what the next request does. Needs `notifications.threaded`
    off (the `world` fixture does it): queued messages are then delivered here, in order."""

    async def idle() -> None:
        await app.state.library_sync.wait_idle()
        await registry_of(app).wait_idle()

    client.portal.call(idle)  # type: ignore[union-attr]
    app.state.notifications.process_pending()


def seed_config(
    app: FastAPI,
    context: AppContext,
    admin: SignedInClient,
    sims: list[RunningSimulator],
    clock: SimClock,
) -> Seeded:
    seeded = Seeded()
    for number, sim in enumerate(sims):
        created = _ok(
            admin.post(
                "/api/v1/instances",
                json={
                    "name": f"{sim.app.title()} {number}",
                    "app": sim.app,
                    "url": sim.base_url,
                    "api_key": sim.api_key,
                },
            )
        )
        seeded.instances.append(created["id"])
        seeded.secrets.append(sim.api_key)
        _ok(admin.post(f"/api/v1/instances/{created['id']}/sync"), 202)
        limits = {"hourly_cap": 50, "daily_cap": 400, "headroom_percent": 20}
        _ok(admin.put(f"/api/v1/instances/{created['id']}/limits", json=limits), 200)
    disabled = _ok(
        admin.post(
            "/api/v1/instances",
            json={
                "name": "Lidarr (off)",
                "app": "lidarr",
                "url": "http://192.168.1.60:8686",
                "api_key": "lidarr-key-0123456789",
                "enabled": False,
            },
        )
    )
    seeded.instances.append(disabled["id"])
    seeded.secrets.append("lidarr-key-0123456789")
    settle(app, admin)

    for instance_id in seeded.instances[:2]:
        page = _ok(admin.get(f"/api/v1/library/{instance_id}/items?page_size=5"), 200)
        seeded.items += [(instance_id, item["id"]) for item in page["items"]]
        parents = _ok(admin.get(f"/api/v1/library/{instance_id}/parents?page_size=3"), 200)
        seeded.parents += [(instance_id, parent["id"]) for parent in parents["items"]]
        for strategy in ("missing", "cutoff_unmet"):
            queue = _ok(
                admin.post(
                    "/api/v1/queues",
                    json={
                        "name": f"{strategy} {instance_id}",
                        "instance_id": instance_id,
                        "strategy": strategy,
                        "batch_size": 3,
                        "schedule": {"kind": "interval", "minutes": 120},
                    },
                )
            )
            seeded.queues.append(queue["id"])
        for item in page["items"][:2]:
            exclusion = _ok(
                admin.post(
                    "/api/v1/exclusions",
                    json={
                        "instance_id": instance_id,
                        "scope": "item",
                        "arr_id": item["id"],
                        "reason": "seeded",
                        "expires_in_days": 30,
                    },
                )
            )
            seeded.exclusions.append(exclusion["id"])

    for name in ("ops chat", "mail"):
        url = f"json://127.0.0.1:9/{name.replace(' ', '-')}-hook-secret-0123"
        target = _ok(admin.post("/api/v1/notifications", json={"name": name, "url": url}))
        seeded.notifications.append(target["id"])
        seeded.secrets.append(url)

    for username, role in (("alice", "viewer"), ("bob", "admin")):
        password = f"{username} long seeded passphrase"
        user = _ok(
            admin.post(
                "/api/v1/users", json={"username": username, "password": password, "role": role}
            )
        )
        seeded.users.append(user["id"])
        seeded.secrets.append(password)

    for name, scope in (("spare read", "read"), ("spare full", "full")):
        token = _ok(admin.post("/api/v1/tokens", json={"name": name, "scope": scope}))
        seeded.tokens.append(token["id"])
        seeded.secrets.append(token["token"])
    fuzz = _ok(admin.post("/api/v1/tokens", json={"name": "fuzzer", "scope": "full"}))
    seeded.token = fuzz["token"]
    seeded.secrets.append(fuzz["token"])

    with context.database.session_scope() as session:
        user = session.get(User, admin.user_id)
        assert user is not None
        for _ in range(2):  # the admin signed in elsewhere too: targets for "revoke"
            token, row = sessions.start(
                session, user, now=clock.now(), policy=session_policy(context.settings)
            )
            session.flush()
            seeded.sessions.append(row.id)
            seeded.secrets.append(token)

    if context.database.backend == "sqlite":
        seeded.backup = _ok(admin.post("/api/v1/backups"))["name"]

    started = _ok(admin.post(f"/api/v1/queues/{seeded.queues[0]}/run"), 202)
    seeded.runs.append(started["run_id"])
    settle(app, admin)
    return seeded
