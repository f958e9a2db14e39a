"""The queues API: CRUD round trips, status, clone, pause/resume, bulk, presets, roles."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.search.conftest import add_instance, count_rows, make_queue
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.models import (
    SearchCommand,
    SearchCycleItem,
    SearchQueue,
    SearchRun,
)


def interval(minutes: int) -> dict[str, object]:
    """A stored interval schedule with the default zone, jitter and no windows."""
    return {
        "kind": "interval",
        "minutes": minutes,
        "timezone": "UTC",
        "jitter_minutes": 5.0,
        "windows": [],
    }


def new_queue(instance_id: int, **overrides: Any) -> dict[str, Any]:
    return {"name": "Missing episodes", "instance_id": instance_id} | overrides


def create(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/queues", json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/api/v1/queues/{created['id']}"
    return created


def test_create_with_defaults_and_read_back(admin_client: TestClient, context: AppContext) -> None:
    instance_id = add_instance(context)
    created = create(admin_client, new_queue(instance_id, name="  Missing episodes  "))
    assert created["name"] == "Missing episodes"  # trimmed
    assert created["strategy"] == "missing"
    assert created["batch_size"] == 10
    assert created["order"] == "priority"
    assert created["enabled"] is True
    assert created["paused"] is False
    assert created["status"] == "active"
    assert created["schedule"] == interval(60)
    assert created["instance_name"] == "Sonarr"
    assert created["instance_app"] == "sonarr"
    assert created["preset"] is None
    assert created["run_count"] == 0
    assert created["last_run_at"] is None
    assert created["cycle_number"] is None
    assert created["options"]["grace_hours"] == 6
    assert created["options"]["custom"]["monitored"] == "any"
    read = admin_client.get(f"/api/v1/queues/{created['id']}")
    assert read.status_code == 200
    assert read.json() == created


def test_every_field_round_trips(admin_client: TestClient, context: AppContext) -> None:
    instance_id = add_instance(context, app="radarr", name="Radarr")
    options = {
        "custom": {
            "sources": ["missing", "cutoff_unmet"],
            "year_min": 1990,
            "year_max": 2005,
            "quality_profile_ids": [4],
            "statuses": ["released"],
            "include_tags": [2],
            "monitored": "only",
        },
        "exclude_tags": [3],
        "grace_hours": 2,
        "cooldown": {"mode": "flat", "flat_hours": 48, "doubling": False, "cap_days": 10},
        "cycle": {"enabled": True, "min_days": 3},
        "ids_per_command": 5,
        "max_download_queue": None,
        "max_unfinished_commands": 1,
        "delay_seconds": 10,
    }
    created = create(
        admin_client,
        new_queue(
            instance_id,
            strategy="custom",
            batch_size=25,
            order="least_recently_searched",
            enabled=False,
            options=options,
            schedule={"kind": "interval", "minutes": 15},
        ),
    )
    assert created["status"] == "disabled"
    assert created["batch_size"] == 25
    assert created["order"] == "least_recently_searched"
    assert created["schedule"] == interval(15)
    for key, value in options.items():
        if isinstance(value, dict):
            assert created["options"][key] | value == created["options"][key], key
        else:
            assert created["options"][key] == value, key


def test_schedule_kind_may_be_left_out(admin_client: TestClient, context: AppContext) -> None:
    created = create(admin_client, new_queue(add_instance(context), schedule={"minutes": 30}))
    assert created["schedule"] == interval(30)


def test_list_is_paged_and_filtered(admin_client: TestClient, context: AppContext) -> None:
    sonarr = add_instance(context)
    radarr = add_instance(context, name="Radarr", app="radarr")
    with context.database.session_scope() as session:
        make_queue(session, sonarr, name="A")
        make_queue(session, sonarr, name="B", paused=True)
        make_queue(session, radarr, name="C", enabled=False)
    page = admin_client.get("/api/v1/queues", params={"page": 2, "page_size": 2}).json()
    assert (page["total"], page["page"], page["page_size"]) == (3, 2, 2)
    assert [item["name"] for item in page["items"]] == ["C"]

    def names(**params: Any) -> list[str]:
        response = admin_client.get("/api/v1/queues", params=params)
        assert response.status_code == 200
        return [item["name"] for item in response.json()["items"]]

    assert names(instance_id=sonarr) == ["A", "B"]
    assert names(enabled="false") == ["C"]
    assert names(paused="true") == ["B"]
    assert names(paused="false", enabled="true") == ["A"]
    assert admin_client.get("/api/v1/queues", params={"page_size": 500}).status_code == 422


def test_status_says_why_a_queue_does_not_run(
    admin_client: TestClient, context: AppContext
) -> None:
    healthy = add_instance(context)
    down = add_instance(context, name="Down", paused_by_health=True)
    off = add_instance(context, name="Off", enabled=False)
    with context.database.session_scope() as session:
        ids = {
            "active": make_queue(session, healthy, name="1").id,
            "paused": make_queue(session, down, name="2", paused=True).id,
            "disabled": make_queue(session, down, name="3", enabled=False).id,
            "instance_paused": make_queue(session, down, name="4").id,
            "instance_off": make_queue(session, off, name="5").id,
        }
    status = {
        key: admin_client.get(f"/api/v1/queues/{queue_id}").json()["status"]
        for key, queue_id in ids.items()
    }
    assert status == {
        "active": "active",
        "paused": "paused",
        "disabled": "disabled",
        "instance_paused": "instance_paused",
        "instance_off": "instance_paused",
    }


def test_patch_and_put_change_only_the_given_fields(
    admin_client: TestClient, context: AppContext
) -> None:
    instance_id = add_instance(context)
    created = create(admin_client, new_queue(instance_id, options={"grace_hours": 2}))
    patched = admin_client.patch(
        f"/api/v1/queues/{created['id']}",
        json={"batch_size": 5, "options": {"cooldown": {"mode": "flat"}}},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["batch_size"] == 5
    assert body["name"] == "Missing episodes"
    assert body["options"]["grace_hours"] == 2  # merged, not replaced
    assert body["options"]["cooldown"]["mode"] == "flat"
    assert body["options"]["cooldown"]["cap_days"] == 14
    put = admin_client.put(
        f"/api/v1/queues/{created['id']}",
        json={"name": "Renamed", "schedule": {"kind": "interval", "minutes": 120}},
    )
    assert put.status_code == 200, put.text
    assert put.json()["name"] == "Renamed"
    assert put.json()["batch_size"] == 5
    assert put.json()["schedule"]["minutes"] == 120
    assert admin_client.patch("/api/v1/queues/999", json={"batch_size": 3}).status_code == 404


def test_leaving_the_custom_strategy_drops_its_filters(
    admin_client: TestClient, context: AppContext
) -> None:
    created = create(
        admin_client,
        new_queue(
            add_instance(context),
            strategy="custom",
            options={"custom": {"sources": ["cutoff_unmet"], "year_min": 2000}},
        ),
    )
    changed = admin_client.patch(f"/api/v1/queues/{created['id']}", json={"strategy": "missing"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["options"]["custom"]["sources"] == ["missing"]
    assert changed.json()["options"]["custom"]["year_min"] is None


def test_moving_a_queue_to_another_instance_resets_its_cycle(
    admin_client: TestClient, context: AppContext
) -> None:
    first = add_instance(context)
    second = add_instance(context, name="Sonarr 2")
    with context.database.session_scope() as session:
        queue = make_queue(session, first, cycle_number=3)
        session.add(SearchCycleItem(queue_id=queue.id, item_id=42))
        queue_id = queue.id
    response = admin_client.patch(f"/api/v1/queues/{queue_id}", json={"instance_id": second})
    assert response.status_code == 200, response.text
    assert response.json()["cycle_number"] is None
    with context.database.session_scope() as session:
        assert session.scalars(select(SearchCycleItem)).all() == []


def test_delete_keeps_history_rows_with_their_names(
    admin_client: TestClient, context: AppContext
) -> None:
    instance_id = add_instance(context)
    with context.database.session_scope() as session:
        queue = make_queue(session, instance_id, name="Old queue")
        run = SearchRun(
            queue_id=queue.id,
            queue_name=queue.name,
            instance_id=instance_id,
            instance_name="Sonarr",
            strategy="missing",
            order="priority",
        )
        session.add(run)
        session.flush()
        session.add(
            SearchCommand(
                run_id=run.id,
                queue_id=queue.id,
                queue_name=queue.name,
                instance_id=instance_id,
                instance_name="Sonarr",
                strategy="missing",
                kind="EpisodeSearch",
                item_ids=[1, 2],
            )
        )
        queue_id = queue.id
    assert admin_client.delete(f"/api/v1/queues/{queue_id}").status_code == 204
    assert admin_client.get(f"/api/v1/queues/{queue_id}").status_code == 404
    assert admin_client.delete(f"/api/v1/queues/{queue_id}").status_code == 404
    with context.database.session_scope() as session:
        run_row = session.scalars(select(SearchRun)).one()
        command = session.scalars(select(SearchCommand)).one()
        assert (run_row.queue_id, run_row.queue_name) == (None, "Old queue")
        assert (command.queue_id, command.queue_name, command.item_ids) == (
            None,
            "Old queue",
            [1, 2],
        )
        assert command.run_id == run_row.id


def test_clone_copies_the_configuration_paused_with_a_unique_name(
    admin_client: TestClient, context: AppContext
) -> None:
    instance_id = add_instance(context)
    original = create(
        admin_client, new_queue(instance_id, batch_size=7, options={"grace_hours": 1})
    )
    first = admin_client.post(f"/api/v1/queues/{original['id']}/clone")
    assert first.status_code == 201, first.text
    copy = first.json()
    assert first.headers["location"] == f"/api/v1/queues/{copy['id']}"
    assert copy["name"] == "Missing episodes (copy)"
    assert copy["paused"] is True
    assert copy["status"] == "paused"
    assert copy["batch_size"] == 7
    assert copy["options"] == original["options"]
    assert copy["run_count"] == 0
    second = admin_client.post(f"/api/v1/queues/{original['id']}/clone", json={}).json()
    assert second["name"] == "Missing episodes (copy 2)"
    named = admin_client.post(f"/api/v1/queues/{original['id']}/clone", json={"name": "Mine"})
    assert named.status_code == 201
    assert named.json()["name"] == "Mine"
    taken = admin_client.post(f"/api/v1/queues/{original['id']}/clone", json={"name": "Mine"})
    assert taken.status_code == 409
    assert taken.json()["fields"] == {"name": "already in use"}
    assert count_rows(context, SearchQueue) == 4


def test_clone_of_a_long_name_stays_within_the_limit(
    admin_client: TestClient, context: AppContext
) -> None:
    created = create(admin_client, new_queue(add_instance(context), name="x" * 100))
    copy = admin_client.post(f"/api/v1/queues/{created['id']}/clone").json()
    assert len(copy["name"]) <= 100
    assert copy["name"].endswith(" (copy)")


def test_pause_and_resume(admin_client: TestClient, context: AppContext) -> None:
    created = create(admin_client, new_queue(add_instance(context)))
    paused = admin_client.post(f"/api/v1/queues/{created['id']}/pause")
    assert paused.status_code == 200
    assert (paused.json()["paused"], paused.json()["status"]) == (True, "paused")
    again = admin_client.post(f"/api/v1/queues/{created['id']}/pause")
    assert again.json()["paused"] is True  # idempotent
    resumed = admin_client.post(f"/api/v1/queues/{created['id']}/resume")
    assert (resumed.json()["paused"], resumed.json()["status"]) == (False, "active")
    assert admin_client.post("/api/v1/queues/999/pause").status_code == 404


def _states(context: AppContext) -> dict[str, tuple[bool, bool]]:
    with context.database.session_scope() as session:
        return {q.name: (q.enabled, q.paused) for q in session.scalars(select(SearchQueue))}


def test_bulk_actions(admin_client: TestClient, context: AppContext) -> None:
    instance_id = add_instance(context)
    with context.database.session_scope() as session:
        ids = [make_queue(session, instance_id, name=name).id for name in ("A", "B", "C")]
    a, b, c = ids
    pause = admin_client.post("/api/v1/queues/bulk", json={"ids": [a, b], "action": "pause"})
    assert pause.status_code == 200, pause.text
    assert pause.json()["ids"] == [a, b]
    assert [item["status"] for item in pause.json()["items"]] == ["paused", "paused"]
    admin_client.post("/api/v1/queues/bulk", json={"ids": [b], "action": "resume"})
    admin_client.post("/api/v1/queues/bulk", json={"ids": [c, c], "action": "disable"})
    assert _states(context) == {"A": (True, True), "B": (True, False), "C": (False, False)}
    admin_client.post("/api/v1/queues/bulk", json={"ids": [c], "action": "enable"})
    assert _states(context)["C"] == (True, False)
    deleted = admin_client.post("/api/v1/queues/bulk", json={"ids": [a, c], "action": "delete"})
    assert deleted.status_code == 200
    assert deleted.json() == {"action": "delete", "ids": [a, c], "items": []}
    assert set(_states(context)) == {"B"}


def test_bulk_with_an_unknown_id_changes_nothing(
    admin_client: TestClient, context: AppContext
) -> None:
    instance_id = add_instance(context)
    with context.database.session_scope() as session:
        known = make_queue(session, instance_id, name="A").id
    for action in ("pause", "delete"):
        response = admin_client.post(
            "/api/v1/queues/bulk", json={"ids": [known, 9001, 9002], "action": action}
        )
        assert response.status_code == 422
        assert response.json()["fields"]["ids"] == (
            "no queue has id 9001, 9002; nothing was changed"
        )
    assert _states(context) == {"A": (True, False)}
    assert (
        admin_client.post("/api/v1/queues/bulk", json={"ids": [], "action": "pause"}).status_code
        == 422
    )
    bad_action = admin_client.post("/api/v1/queues/bulk", json={"ids": [known], "action": "run"})
    assert bad_action.status_code == 422


def test_viewer_reads_but_cannot_change(viewer_client: TestClient, context: AppContext) -> None:
    instance_id = add_instance(context)
    with context.database.session_scope() as session:
        queue_id = make_queue(session, instance_id).id
    assert viewer_client.get("/api/v1/queues").json()["total"] == 1
    assert viewer_client.get(f"/api/v1/queues/{queue_id}").status_code == 200
    assert viewer_client.get("/api/v1/queues/presets").status_code == 200
    attempts = [
        viewer_client.post("/api/v1/queues", json=new_queue(instance_id, name="V")),
        viewer_client.patch(f"/api/v1/queues/{queue_id}", json={"batch_size": 1}),
        viewer_client.delete(f"/api/v1/queues/{queue_id}"),
        viewer_client.post(f"/api/v1/queues/{queue_id}/pause"),
        viewer_client.post(f"/api/v1/queues/{queue_id}/clone"),
        viewer_client.post("/api/v1/queues/bulk", json={"ids": [queue_id], "action": "delete"}),
    ]
    assert [response.status_code for response in attempts] == [403] * len(attempts)
    assert _states(context) == {"Queue": (True, False)}
    with context.database.session_scope() as session:
        assert session.get(SearchQueue, queue_id).batch_size == 10  # type: ignore[union-attr]


def test_anonymous_callers_are_refused(anon_client: TestClient) -> None:
    assert anon_client.get("/api/v1/queues").status_code == 401
    assert anon_client.get("/api/v1/queues/presets").status_code == 401
