"""The exclusions API with a frozen clock: expiry presets, inactive expired rows, duplicates,
titles from the mirror, roles, and what the planner reads (`load_exclusions`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.search.conftest import add_instance, count_rows
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent
from vibe_quality_searcharr.search.exclusions.loading import load_exclusions
from vibe_quality_searcharr.search.models import Exclusion

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(app: FastAPI) -> list[datetime]:
    """The app's clock, frozen at NOW; tests move it by assigning clock[0]."""
    now = [NOW]
    app.state.clock = lambda: now[0]
    return now


def create(client: TestClient, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = client.post("/api/v1/exclusions", json=body)
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("days", [7, 30, 90])
def test_expiry_presets_count_from_now(
    admin_client: TestClient, context: AppContext, clock: list[datetime], days: int
) -> None:
    sonarr = add_instance(context)
    body = create(
        admin_client,
        {"instance_id": sonarr, "scope": "item", "arr_id": 5, "expires_in_days": days},
    )
    assert when(body["expires_at"]) == NOW + timedelta(days=days)
    assert body["active"] is True
    assert body["created_by"] == "admin"
    assert when(body["created_at"]) == NOW


def test_permanent_and_explicit_expiry(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    sonarr = add_instance(context)
    permanent = create(
        admin_client,
        {"instance_id": sonarr, "scope": "parent", "arr_id": 12, "reason": "  never  "},
    )
    assert permanent["expires_at"] is None
    assert permanent["reason"] == "never"
    explicit = create(
        admin_client,
        {
            "instance_id": sonarr,
            "scope": "item",
            "arr_id": 6,
            "expires_at": "2026-12-01T02:00:00+02:00",
        },
    )
    assert when(explicit["expires_at"]) == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    read = admin_client.get(f"/api/v1/exclusions/{explicit['id']}")
    assert read.status_code == 200
    assert read.json() == explicit


def test_title_comes_from_the_mirror_then_the_request(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    sonarr = add_instance(context)
    with context.database.session_scope() as session:
        session.add(LibraryItem(instance_id=sonarr, arr_id=5, title="Pilot"))
        session.add(LibraryParent(instance_id=sonarr, arr_id=12, kind="series", title="Lost"))
    item = create(
        admin_client,
        {"instance_id": sonarr, "scope": "item", "arr_id": 5, "title": "ignored"},
    )
    parent = create(admin_client, {"instance_id": sonarr, "scope": "parent", "arr_id": 12})
    given = create(
        admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 99, "title": "Mine"}
    )
    blank = create(admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 98})
    assert [item["title"], parent["title"], given["title"], blank["title"]] == [
        "Pilot",
        "Lost",
        "Mine",
        "",
    ]


def test_duplicate_is_a_conflict_even_when_expired(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    sonarr = add_instance(context)
    first = create(
        admin_client,
        {"instance_id": sonarr, "scope": "item", "arr_id": 5, "expires_in_days": 7},
    )
    clock[0] = NOW + timedelta(days=8)
    problem = create(admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 5}, 409)
    assert problem["fields"] == {"arr_id": "already excluded"}
    assert f"exclusion {first['id']}, expired" in problem["detail"]
    # Same id in another scope or on another instance is a different exclusion.
    create(admin_client, {"instance_id": sonarr, "scope": "parent", "arr_id": 5})
    other = add_instance(context, name="Sonarr 2")
    create(admin_client, {"instance_id": other, "scope": "item", "arr_id": 5})
    assert count_rows(context, Exclusion) == 3


def test_expired_exclusions_stay_listed_as_inactive(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    sonarr = add_instance(context)
    radarr = add_instance(context, name="Radarr", app="radarr")
    week = create(
        admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 1, "expires_in_days": 7}
    )
    month = create(
        admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 2, "expires_in_days": 30}
    )
    forever = create(admin_client, {"instance_id": sonarr, "scope": "parent", "arr_id": 3})
    movie = create(admin_client, {"instance_id": radarr, "scope": "item", "arr_id": 4})
    clock[0] = NOW + timedelta(days=7)  # exactly at expiry: no longer in force

    def ids(**params: Any) -> list[int]:
        response = admin_client.get("/api/v1/exclusions", params=params)
        assert response.status_code == 200
        return sorted(item["id"] for item in response.json()["items"])

    listing = admin_client.get("/api/v1/exclusions").json()
    assert listing["total"] == 4
    active = {item["id"]: item["active"] for item in listing["items"]}
    assert active == {week["id"]: False, month["id"]: True, forever["id"]: True, movie["id"]: True}
    assert ids(active="false") == [week["id"]]
    assert ids(active="true") == sorted([month["id"], forever["id"], movie["id"]])
    assert ids(instance_id=radarr) == [movie["id"]]
    assert ids(scope="parent") == [forever["id"]]
    assert ids(instance_id=sonarr, scope="item", active="true") == [month["id"]]
    page = admin_client.get("/api/v1/exclusions", params={"page": 2, "page_size": 3}).json()
    assert (len(page["items"]), page["total"]) == (1, 4)


def test_load_exclusions_gives_the_planner_only_active_ones(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    sonarr = add_instance(context)
    other = add_instance(context, name="Other")
    create(
        admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 1, "expires_in_days": 7}
    )
    create(
        admin_client,
        {
            "instance_id": sonarr,
            "scope": "item",
            "arr_id": 2,
            "expires_in_days": 30,
            "reason": "bad",
        },
    )
    create(admin_client, {"instance_id": sonarr, "scope": "parent", "arr_id": 3})
    create(admin_client, {"instance_id": other, "scope": "item", "arr_id": 4})
    later = NOW + timedelta(days=10)
    with context.database.session_scope() as session:
        loaded = load_exclusions(session, sonarr, later)
    assert set(loaded.items) == {2}
    assert loaded.items[2].reason == "bad"
    assert loaded.items[2].expires_at == NOW + timedelta(days=30)
    assert set(loaded.parents) == {3}
    assert loaded.parents[3].expires_at is None


def test_patch_changes_reason_and_expiry(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    sonarr = add_instance(context)
    created = create(
        admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 1, "expires_in_days": 7}
    )
    url = f"/api/v1/exclusions/{created['id']}"
    clock[0] = NOW + timedelta(days=10)  # expired; extending brings it back
    extended = admin_client.patch(url, json={"expires_in_days": 30}).json()
    assert when(extended["expires_at"]) == NOW + timedelta(days=40)
    assert extended["active"] is True
    reason = admin_client.patch(url, json={"reason": "fake releases"}).json()
    assert reason["reason"] == "fake releases"
    assert reason["expires_at"] == extended["expires_at"]  # untouched
    permanent = admin_client.patch(url, json={"expires_in_days": None}).json()
    assert permanent["expires_at"] is None
    dated = admin_client.patch(url, json={"expires_at": "2027-01-01T00:00:00Z"}).json()
    assert when(dated["expires_at"]) == datetime(2027, 1, 1, tzinfo=UTC)
    assert admin_client.patch("/api/v1/exclusions/999", json={"reason": "x"}).status_code == 404


def test_delete(admin_client: TestClient, context: AppContext, clock: list[datetime]) -> None:
    created = create(
        admin_client, {"instance_id": add_instance(context), "scope": "item", "arr_id": 1}
    )
    assert admin_client.delete(f"/api/v1/exclusions/{created['id']}").status_code == 204
    assert admin_client.get(f"/api/v1/exclusions/{created['id']}").status_code == 404
    assert admin_client.delete(f"/api/v1/exclusions/{created['id']}").status_code == 404
    assert count_rows(context, Exclusion) == 0


RULES: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown scope", {"scope": "season"}, "scope", "'item' or 'parent'"),
    ("bad id", {"arr_id": 0}, "arr_id", "greater than or equal to 1"),
    ("other expiry preset", {"expires_in_days": 14}, "expires_in_days", "7, 30 or 90"),
    (
        "both expiries",
        {"expires_in_days": 7, "expires_at": "2027-01-01T00:00:00Z"},
        "body",
        "not both",
    ),
    ("past expiry", {"expires_at": "2026-11-22T11:59:00Z"}, "expires_at", "must be in the future"),
    ("naive expiry", {"expires_at": "2027-01-01T00:00:00"}, "expires_at", "timezone"),
    ("far expiry", {"expires_at": "2040-01-01T00:00:00Z"}, "expires_at", "at most 10 years"),
    ("overflowing offset", {"expires_at": "9999-12-31T23:00:00-05:00"}, "expires_at", "year"),
    ("long reason", {"reason": "x" * 501}, "reason", "at most 500 characters"),
    ("unknown field", {"note": "x"}, "note", "not permitted"),
    ("unknown instance", {"instance_id": 999}, "instance_id", "no instance has id 999"),
]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_validation_rule(
    admin_client: TestClient,
    context: AppContext,
    clock: list[datetime],
    overrides: dict[str, Any],
    field: str,
    fragment: str,
) -> None:
    body = {"instance_id": add_instance(context), "scope": "item", "arr_id": 1} | overrides
    problem = create(admin_client, body, 422)
    assert fragment in problem["fields"][field], problem
    assert count_rows(context, Exclusion) == 0


def test_a_movie_has_no_parent_and_prowlarr_no_library(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    radarr = add_instance(context, name="Radarr", app="radarr")
    prowlarr = add_instance(context, name="Prowlarr", app="prowlarr")
    movie = create(admin_client, {"instance_id": radarr, "scope": "parent", "arr_id": 1}, 422)
    assert "exclude it with scope 'item'" in movie["fields"]["scope"]
    indexer = create(admin_client, {"instance_id": prowlarr, "scope": "item", "arr_id": 1}, 422)
    assert "Prowlarr" in indexer["fields"]["instance_id"]
    assert count_rows(context, Exclusion) == 0


def test_a_refused_patch_changes_nothing(
    admin_client: TestClient, context: AppContext, clock: list[datetime]
) -> None:
    created = create(
        admin_client,
        {"instance_id": add_instance(context), "scope": "item", "arr_id": 1, "reason": "r"},
    )
    url = f"/api/v1/exclusions/{created['id']}"
    for body in (
        {"expires_at": "2020-01-01T00:00:00Z", "reason": "changed"},
        {"expires_in_days": 3},
        {"expires_in_days": 7, "expires_at": "2027-01-01T00:00:00Z"},
    ):
        assert admin_client.patch(url, json=body).status_code == 422
    with context.database.session_scope() as session:
        row = session.scalars(select(Exclusion)).one()
        assert (row.reason, row.expires_at) == ("r", None)


def test_viewer_reads_but_cannot_change(
    admin_client: TestClient,
    viewer_client: TestClient,
    context: AppContext,
    clock: list[datetime],
) -> None:
    sonarr = add_instance(context)
    created = create(admin_client, {"instance_id": sonarr, "scope": "item", "arr_id": 1})
    assert viewer_client.get("/api/v1/exclusions").json()["total"] == 1
    assert viewer_client.get(f"/api/v1/exclusions/{created['id']}").status_code == 200
    url = f"/api/v1/exclusions/{created['id']}"
    attempts = [
        viewer_client.post(
            "/api/v1/exclusions", json={"instance_id": sonarr, "scope": "item", "arr_id": 2}
        ),
        viewer_client.patch(url, json={"reason": "viewer"}),
        viewer_client.delete(url),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403]
    assert count_rows(context, Exclusion) == 1
    assert admin_client.get(url).json()["reason"] == ""
