"""Every validation rule of the queues API: a 422 naming the field with a message a user can act
on, and nothing stored (creates add no row, updates change none)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.search.conftest import add_instance, count_rows, make_queue
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.library.models import LibraryProfile, LibraryTag
from vibe_quality_searcharr.search.models import SearchQueue


def refused(
    client: TestClient, body: dict[str, Any], field: str, fragment: str, status: int = 422
) -> dict[str, Any]:
    response = client.post("/api/v1/queues", json=body)
    assert response.status_code == status, response.text
    problem: dict[str, Any] = response.json()
    assert field in problem["fields"], problem
    assert fragment in problem["fields"][field], problem["fields"][field]
    assert fragment in problem["detail"] or status == 409
    return problem


@pytest.fixture
def sonarr(context: AppContext) -> int:
    return add_instance(context, version="4.0.14.2939")


# (name of the rule, body overrides, field, part of the message)
FIELD_RULES: list[tuple[str, dict[str, Any], str, str]] = [
    ("blank name", {"name": "   "}, "name", "enter a name"),
    ("long name", {"name": "x" * 101}, "name", "at most 100 characters"),
    ("unknown strategy", {"strategy": "everything"}, "strategy", "'missing'"),
    ("batch too small", {"batch_size": 0}, "batch_size", "greater than or equal to 1"),
    ("batch too large", {"batch_size": 101}, "batch_size", "less than or equal to 100"),
    ("unknown order", {"order": "alphabetical"}, "order", "'least_recently_searched'"),
    ("unknown preset", {"preset": "turbo"}, "preset", "'steady_missing'"),
    ("unknown option", {"options": {"turbo": True}}, "options.turbo", "not permitted"),
    (
        "schedule too often",
        {"schedule": {"kind": "interval", "minutes": 4}},
        "schedule.interval.minutes",
        "greater than or equal to 5",
    ),
    (
        "schedule too rare",
        {"schedule": {"kind": "interval", "minutes": 10081}},
        "schedule.interval.minutes",
        "less than or equal to 10080",
    ),
    ("unknown schedule kind", {"schedule": {"kind": "hourly"}}, "schedule", "'interval'"),
    (
        "cron without expression",
        {"schedule": {"kind": "cron"}},
        "schedule.cron.expression",
        "Field required",
    ),
    (
        "years reversed",
        {"strategy": "custom", "options": {"custom": {"year_min": 2010, "year_max": 2000}}},
        "options.custom",
        "year_min (2010) is after year_max (2000)",
    ),
    (
        "no source",
        {"strategy": "custom", "options": {"custom": {"sources": []}}},
        "options.custom.sources",
        "at least 1 item",
    ),
    (
        "source twice",
        {"strategy": "custom", "options": {"custom": {"sources": ["missing", "missing"]}}},
        "options.custom.sources",
        "list each source once",
    ),
    (
        "unknown monitored filter",
        {"strategy": "custom", "options": {"custom": {"monitored": "unmonitored"}}},
        "options.custom.monitored",
        "'any' or 'only'",
    ),
    ("negative grace", {"options": {"grace_hours": -1}}, "options.grace_hours", "greater than"),
    ("zero ids", {"options": {"ids_per_command": 0}}, "options.ids_per_command", "greater"),
    ("bad tag id", {"options": {"exclude_tags": [0]}}, "options.exclude_tags.0", "greater"),
    (
        "bad cooldown mode",
        {"options": {"cooldown": {"mode": "never"}}},
        "options.cooldown.mode",
        "'tiered' or 'flat'",
    ),
    (
        "cycle too long",
        {"options": {"cycle": {"enabled": True, "min_days": 400}}},
        "options.cycle.min_days",
        "less than or equal to 365",
    ),
    (
        "missing and cutoff mixed outside custom",
        {"strategy": "missing", "options": {"custom": {"sources": ["missing", "cutoff_unmet"]}}},
        "options.custom",
        "custom strategy only",
    ),
    (
        "tag both included and excluded",
        {
            "strategy": "custom",
            "options": {"custom": {"include_tags": [3, 5]}, "exclude_tags": [5]},
        },
        "options.exclude_tags",
        "a tag cannot be both included and excluded",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [rule[1:] for rule in FIELD_RULES],
    ids=[rule[0] for rule in FIELD_RULES],
)
def test_field_rule(
    admin_client: TestClient,
    context: AppContext,
    sonarr: int,
    overrides: dict[str, Any],
    field: str,
    fragment: str,
) -> None:
    body = {"name": "Q", "instance_id": sonarr} | overrides
    problem = refused(admin_client, body, field, fragment)
    assert problem["error"] == "validation"
    assert count_rows(context, SearchQueue) == 0


def test_unknown_instance(admin_client: TestClient, context: AppContext) -> None:
    refused(admin_client, {"name": "Q", "instance_id": 77}, "instance_id", "no instance has id 77")
    assert count_rows(context, SearchQueue) == 0


def test_prowlarr_is_not_a_library(admin_client: TestClient, context: AppContext) -> None:
    prowlarr = add_instance(context, name="Prowlarr", app="prowlarr")
    refused(admin_client, {"name": "Q", "instance_id": prowlarr}, "instance_id", "is Prowlarr")
    assert count_rows(context, SearchQueue) == 0


def test_name_taken_is_a_conflict(
    admin_client: TestClient, context: AppContext, sonarr: int
) -> None:
    with context.database.session_scope() as session:
        make_queue(session, sonarr, name="Taken")
    problem = refused(
        admin_client, {"name": " Taken ", "instance_id": sonarr}, "name", "already in use", 409
    )
    assert problem["error"] == "conflict"
    assert "choose another name" in problem["detail"]
    assert count_rows(context, SearchQueue) == 1


def test_format_upgrade_needs_custom_formats(admin_client: TestClient, context: AppContext) -> None:
    v3 = add_instance(context, name="Old Sonarr", version="3.0.10.1567")
    refused(
        admin_client,
        {"name": "Q", "instance_id": v3, "strategy": "format_upgrade"},
        "strategy",
        "Sonarr 3.0.10.1567, which has no custom formats",
    )
    refused(
        admin_client,
        {
            "name": "Q",
            "instance_id": v3,
            "strategy": "custom",
            "options": {"custom": {"sources": ["cutoff_unmet", "format_upgrade"]}},
        },
        "options.custom.sources",
        "upgrade Sonarr to v4",
    )
    refused(
        admin_client,
        {"name": "Q", "instance_id": v3, "preset": "weekly_upgrades"},
        "options.custom.sources",
        "no custom formats",
    )
    assert count_rows(context, SearchQueue) == 0
    # The preset works on Sonarr v3 once its format source is overridden.
    created = admin_client.post(
        "/api/v1/queues",
        json={
            "name": "Q",
            "instance_id": v3,
            "preset": "weekly_upgrades",
            "options": {"custom": {"sources": ["cutoff_unmet"]}},
        },
    )
    assert created.status_code == 201, created.text


@pytest.mark.parametrize(
    ("arr_app", "version"), [("sonarr", "4.0.14.2939"), ("sonarr", None), ("radarr", "3.2.2.5080")]
)
def test_format_upgrade_is_accepted_elsewhere(
    admin_client: TestClient, context: AppContext, arr_app: str, version: str | None
) -> None:
    instance_id = add_instance(context, app=arr_app, version=version)
    response = admin_client.post(
        "/api/v1/queues",
        json={"name": "Q", "instance_id": instance_id, "strategy": "format_upgrade"},
    )
    assert response.status_code == 201, response.text


def _mirror(context: AppContext, instance_id: int) -> None:
    with context.database.session_scope() as session:
        session.add_all(
            [
                LibraryProfile(instance_id=instance_id, arr_id=1, name="Any"),
                LibraryProfile(instance_id=instance_id, arr_id=4, name="HD-1080p"),
                LibraryTag(instance_id=instance_id, arr_id=2, label="kids"),
            ]
        )


def test_quality_profiles_must_exist_once_mirrored(
    admin_client: TestClient, context: AppContext, sonarr: int
) -> None:
    body = {
        "name": "Q",
        "instance_id": sonarr,
        "strategy": "custom",
        "options": {"custom": {"quality_profile_ids": [4, 9]}},
    }
    _mirror(context, sonarr)
    refused(
        admin_client,
        body,
        "options.custom.quality_profile_ids",
        "no quality profile 9 on this instance; known: 1 (Any), 4 (HD-1080p)",
    )
    assert count_rows(context, SearchQueue) == 0
    body["options"] = {"custom": {"quality_profile_ids": [4]}}
    assert admin_client.post("/api/v1/queues", json=body).status_code == 201


def test_ids_pass_before_the_first_sync(admin_client: TestClient, sonarr: int) -> None:
    body = {
        "name": "Q",
        "instance_id": sonarr,
        "strategy": "custom",
        "options": {"custom": {"quality_profile_ids": [9], "include_tags": [8]}},
    }
    assert admin_client.post("/api/v1/queues", json=body).status_code == 201


def test_tags_must_exist_once_mirrored(
    admin_client: TestClient, context: AppContext, sonarr: int
) -> None:
    _mirror(context, sonarr)
    refused(
        admin_client,
        {"name": "Q", "instance_id": sonarr, "options": {"exclude_tags": [2, 7]}},
        "options.exclude_tags",
        "no tag 7 on this instance; known: 2 (kids)",
    )
    refused(
        admin_client,
        {
            "name": "Q",
            "instance_id": sonarr,
            "strategy": "custom",
            "options": {"custom": {"include_tags": [6]}},
        },
        "options.custom.include_tags",
        "no tag 6",
    )
    assert count_rows(context, SearchQueue) == 0


def test_several_broken_rules_are_reported_together(
    admin_client: TestClient, context: AppContext
) -> None:
    v3 = add_instance(context, version="3.0.10.1567")
    _mirror(context, v3)
    problem = refused(
        admin_client,
        {
            "name": "Q",
            "instance_id": v3,
            "strategy": "custom",
            "options": {
                "custom": {"sources": ["format_upgrade"], "quality_profile_ids": [9]},
                "exclude_tags": [7],
            },
        },
        "options.custom.sources",
        "no custom formats",
    )
    assert set(problem["fields"]) == {
        "options.custom.sources",
        "options.custom.quality_profile_ids",
        "options.exclude_tags",
    }


def _stored(context: AppContext) -> tuple[str, str, int, dict[str, Any]]:
    with context.database.session_scope() as session:
        queue = session.scalars(select(SearchQueue)).one()
        return queue.name, queue.strategy, queue.batch_size, dict(queue.options)


def test_a_refused_update_changes_nothing(
    admin_client: TestClient, context: AppContext, sonarr: int
) -> None:
    created = admin_client.post(
        "/api/v1/queues",
        json={
            "name": "Q",
            "instance_id": sonarr,
            "strategy": "custom",
            "options": {"custom": {"year_max": 2000}},
        },
    ).json()
    with context.database.session_scope() as session:
        make_queue(session, sonarr, name="Other")
    before = _stored_one(context, created["id"])
    attempts = [
        ({"options": {"custom": {"year_min": 2010}}}, "options.custom", "year_min (2010)"),
        ({"name": "Other", "batch_size": 3}, "name", "already in use"),
        ({"batch_size": 0}, "batch_size", "greater than or equal to 1"),
        ({"instance_id": 999, "batch_size": 3}, "instance_id", "no instance has id 999"),
        (
            {"strategy": "missing", "options": {"custom": {"year_min": 1990}}},
            "options.custom",
            "custom strategy only",
        ),
    ]
    for body, field, fragment in attempts:
        response = admin_client.patch(f"/api/v1/queues/{created['id']}", json=body)
        assert response.status_code in (409, 422), (body, response.text)
        assert fragment in response.json()["fields"][field]
        assert _stored_one(context, created["id"]) == before


def _stored_one(context: AppContext, queue_id: int) -> tuple[Any, ...]:
    with context.database.session_scope() as session:
        queue = session.get(SearchQueue, queue_id)
        assert queue is not None
        return (
            queue.name,
            queue.strategy,
            queue.batch_size,
            queue.instance_id,
            dict(queue.options),
        )
