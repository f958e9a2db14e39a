"""The library API: items and parents pages with filters, sorting and badges; the sync
endpoints; who may do what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tests.conftest import SignedInClient
from tests.library.conftest import add_instance, sim_connector
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.db.engine import Database
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent
from vibe_quality_searcharr.library.sync import LibrarySync
from vibe_quality_searcharr.search.models import Exclusion, SearchItemState
from vibe_quality_searcharr.simulator.testing import RunningSimulator


@pytest.fixture
def app(context: AppContext) -> FastAPI:
    application = create_app(context=context)
    application.state.library_sync.connector = sim_connector()
    return application


def run_sync(client: SignedInClient, instance_id: int) -> dict[str, Any]:
    response = client.post(f"/api/v1/instances/{instance_id}/sync")
    assert response.status_code == 202, response.text
    assert response.json()["running"] is True
    syncer: LibrarySync = client.app.state.library_sync  # type: ignore[attr-defined]
    client.portal.call(syncer.wait_idle)  # type: ignore[union-attr]
    state = client.get(f"/api/v1/instances/{instance_id}/sync").json()
    assert state["status"] == "ok", state
    return state


@pytest.fixture
def sonarr(
    context: AppContext,
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
) -> int:
    sim = simulator_factory("sonarr", size=200)
    instance_id = add_instance(context, sim, name="Sonarr")
    run_sync(admin_client, instance_id)
    return instance_id


def items(client: SignedInClient, instance_id: int, **params: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/library/{instance_id}/items", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_items_are_paged_with_labels_and_filters(
    admin_client: SignedInClient, database: Database, sonarr: int
) -> None:
    first = items(admin_client, sonarr, page_size=20)
    total = first["total"]
    assert total > 100
    assert len(first["items"]) == 20
    assert first["page"] == 1
    seen = {item["id"] for page in range(1, total // 200 + 2)
            for item in items(admin_client, sonarr, page=page, page_size=200)["items"]}  # fmt: skip
    assert len(seen) == total
    item = first["items"][0]
    assert item["label"].startswith(item["label"].split(" S")[0])
    assert f"S{item['season_number']:02d}E{item['episode_number']:02d}" in item["label"]

    missing = items(admin_client, sonarr, wanted="missing", page_size=200)
    cutoff = items(admin_client, sonarr, wanted="cutoff_unmet", page_size=200)
    upgrades = items(admin_client, sonarr, wanted="format_upgrade", page_size=200)
    assert all(not i["has_file"] for i in missing["items"])
    assert all(i["has_file"] and i["cutoff_unmet"] for i in cutoff["items"])
    assert upgrades["total"] > 0
    assert all(i["format_upgrade"] for i in upgrades["items"])
    assert missing["total"] + cutoff["total"] <= total

    unmonitored = items(admin_client, sonarr, monitored=False, page_size=200)
    assert all(not (i["monitored"] and i["parent_monitored"]) for i in unmonitored["items"])
    monitored = items(admin_client, sonarr, monitored=True)
    assert monitored["total"] + unmonitored["total"] == total

    parent_id = item["parent_id"]
    one_series = items(admin_client, sonarr, parent_id=parent_id, page_size=200)
    assert one_series["total"] >= 1
    assert {i["parent_id"] for i in one_series["items"]} == {parent_id}
    word = item["title"].split()[-1]
    found = items(admin_client, sonarr, q=word.upper(), page_size=200)
    assert item["id"] in {i["id"] for i in found["items"]}
    assert items(admin_client, sonarr, q="%")["total"] == 0  # a literal, not a wildcard

    released = items(admin_client, sonarr, sort="released", direction="desc", page_size=200)
    dates = [i["released_at"] for i in released["items"] if i["released_at"]]
    assert dates == sorted(dates, reverse=True)


def test_exclusions_and_search_records_show_on_items(
    admin_client: SignedInClient, database: Database, sonarr: int
) -> None:
    page = items(admin_client, sonarr, wanted="missing", page_size=5)["items"]
    excluded_item, searched_item = page[0], page[1]
    now = utcnow()
    with database.session_scope() as session:
        series_id = session.scalar(
            select(LibraryParent.arr_id)
            .where(LibraryParent.arr_id != excluded_item["parent_id"])
            .limit(1)
        )
        session.add(
            Exclusion(
                instance_id=sonarr,
                scope="item",
                arr_id=excluded_item["id"],
                reason="bad releases",
                expires_at=now + timedelta(days=7),
            )
        )
        session.add(
            Exclusion(instance_id=sonarr, scope="parent", arr_id=series_id, reason="ended badly")
        )
        session.add(
            Exclusion(
                instance_id=sonarr,
                scope="item",
                arr_id=searched_item["id"],
                reason="expired",
                expires_at=now - timedelta(days=1),
            )
        )
        session.add(SearchItemState(instance_id=sonarr, item_id=searched_item["id"],
                                    last_searched_at=now, attempts=3, grabs=1))  # fmt: skip
        in_series = session.scalar(
            select(func_count()).select_from(LibraryItem).where(LibraryItem.parent_id == series_id)
        )
    listed = {
        i["id"]: i for i in items(admin_client, sonarr, wanted="missing", page_size=5)["items"]
    }
    assert listed[excluded_item["id"]]["exclusion"]["reason"] == "bad releases"
    assert listed[searched_item["id"]]["exclusion"] is None  # expired
    assert listed[searched_item["id"]]["search"]["attempts"] == 3
    assert listed[searched_item["id"]]["search"]["grabs"] == 1

    excluded = items(admin_client, sonarr, excluded=True, page_size=200)
    assert excluded["total"] == 1 + in_series
    assert all(i["exclusion"] for i in excluded["items"])
    not_excluded = items(admin_client, sonarr, excluded=False)
    assert not_excluded["total"] + excluded["total"] == items(admin_client, sonarr)["total"]


def func_count() -> Any:
    from sqlalchemy import func

    return func.count()


def test_parents_show_completion(admin_client: SignedInClient, sonarr: int) -> None:
    response = admin_client.get(f"/api/v1/library/{sonarr}/parents", params={"page_size": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(body["items"]) > 0
    series = body["items"][0]
    assert series["kind"] == "series"
    assert series["total"] >= series["files"]
    wanted = items(admin_client, sonarr, parent_id=series["id"])["total"]
    assert series["wanted"] == wanted
    assert series["poster_path"].startswith("/MediaCover/")


def test_every_parent_on_every_page_counts_its_own_wanted_items(
    admin_client: SignedInClient, sonarr: int
) -> None:
    """The counts are aggregated per page of parents: each page, not just the first, must
    carry each parent's own wanted, missing and cutoff-unmet numbers."""
    url = f"/api/v1/library/{sonarr}/parents"
    first = admin_client.get(url, params={"page_size": 2}).json()
    assert first["total"] > 2
    seen = []
    for page in range(1, -(-first["total"] // 2) + 1):
        body = admin_client.get(url, params={"page_size": 2, "page": page}).json()
        for series in body["items"]:
            seen.append(series["id"])
            assert series["wanted"] == items(admin_client, sonarr, parent_id=series["id"])["total"]
            missing = items(admin_client, sonarr, parent_id=series["id"], wanted="missing")
            assert series["missing"] == missing["total"]
            cutoff = items(admin_client, sonarr, parent_id=series["id"], wanted="cutoff_unmet")
            assert series["cutoff_unmet"] == cutoff["total"]
    assert len(seen) == len(set(seen)) == first["total"]
    everything = admin_client.get(url, params={"page_size": 200}).json()["items"]
    assert any(series["wanted"] > 0 for series in everything)


@pytest.mark.parametrize(
    "params",
    [
        {"wanted": "everything"},
        {"sort": "size"},
        {"page": 0},
        {"page_size": 500},
        {"monitored": "perhaps"},
        {"parent_id": 0},
        {"q": "x" * 201},
    ],
)
def test_bad_filters_are_422(
    admin_client: SignedInClient, sonarr: int, params: dict[str, Any]
) -> None:
    response = admin_client.get(f"/api/v1/library/{sonarr}/items", params=params)
    assert response.status_code == 422
    assert response.json()["error"] == "validation"


def test_unknown_instances_are_404(admin_client: SignedInClient) -> None:
    for path in ("/api/v1/library/999/items", "/api/v1/library/999/parents",
                 "/api/v1/instances/999/sync"):  # fmt: skip
        assert admin_client.get(path).status_code == 404
    assert admin_client.post("/api/v1/instances/999/sync").status_code == 404


def test_viewers_read_but_cannot_start_a_sync(viewer_client: SignedInClient, sonarr: int) -> None:
    assert viewer_client.get(f"/api/v1/library/{sonarr}/items").status_code == 200
    state = viewer_client.get(f"/api/v1/instances/{sonarr}/sync")
    assert state.status_code == 200
    assert state.json()["status"] == "ok"
    assert viewer_client.post(f"/api/v1/instances/{sonarr}/sync").status_code == 403


def test_prowlarr_and_disabled_instances_are_not_synced(
    admin_client: SignedInClient,
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
) -> None:
    prowlarr = add_instance(context, simulator_factory("prowlarr"), name="Prowlarr")
    disabled = add_instance(
        context, simulator_factory("radarr", size=20), name="Off", enabled=False
    )
    for instance_id in (prowlarr, disabled):
        response = admin_client.post(f"/api/v1/instances/{instance_id}/sync")
        assert response.status_code == 409
        assert admin_client.get(f"/api/v1/instances/{instance_id}/sync").json()["status"] == "never"


def test_adding_an_instance_syncs_it(
    admin_client: SignedInClient, simulator_factory: Callable[..., RunningSimulator]
) -> None:
    sim = simulator_factory("radarr", size=40)
    syncer: LibrarySync = admin_client.app.state.library_sync  # type: ignore[attr-defined]
    syncer.sync_new_instances = True  # as in the process that runs the scheduler
    response = admin_client.post(
        "/api/v1/instances",
        json={"name": "Radarr", "app": "radarr", "url": sim.base_url, "api_key": sim.api_key},
    )
    assert response.status_code == 201, response.text
    instance_id = response.json()["id"]
    admin_client.portal.call(syncer.wait_idle)  # type: ignore[union-attr]
    state = admin_client.get(f"/api/v1/instances/{instance_id}/sync").json()
    assert state["status"] == "ok"
    assert state["item_count"] > 0
