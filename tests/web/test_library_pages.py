"""The library pages against a synced simulated Sonarr and Radarr: poster grid, filters, item
detail with history, exclude/include, and the poster proxy that never shows the *arr."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from tests.library.conftest import add_instance, sim_connector
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent
from vibe_quality_searcharr.library.posters import PosterCache
from vibe_quality_searcharr.library.sync import LibrarySync, SyncOutcome
from vibe_quality_searcharr.search.models import Exclusion
from vibe_quality_searcharr.simulator.testing import RunningSimulator


@pytest.fixture
def run_sync(context: AppContext) -> Callable[[int], SyncOutcome]:
    syncer = LibrarySync(
        context.database,
        context.events,
        api_key_box(context.secrets.master_secret),
        connector=sim_connector(),
    )
    return lambda instance_id: anyio.run(syncer.sync, instance_id)


@pytest.fixture
def sonarr(
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Callable[[int], SyncOutcome],
) -> tuple[int, RunningSimulator]:
    sim = simulator_factory("sonarr", size=30)
    instance_id = add_instance(context, sim, name="Living-room Sonarr")
    assert run_sync(instance_id).ok
    return instance_id, sim


def _parent(context: AppContext, instance_id: int) -> LibraryParent:
    with context.database.session_scope() as session:
        parent = session.scalars(
            select(LibraryParent)
            .where(LibraryParent.instance_id == instance_id, LibraryParent.poster_path.is_not(None))
            .order_by(LibraryParent.sort_title)
        ).first()
        assert parent is not None
        session.expunge(parent)
        return parent


def _wanted_item(context: AppContext, instance_id: int, parent_id: int) -> LibraryItem:
    with context.database.session_scope() as session:
        item = session.scalars(
            select(LibraryItem).where(
                LibraryItem.instance_id == instance_id, LibraryItem.parent_id == parent_id
            )
        ).first()
        assert item is not None
        session.expunge(item)
        return item


def _no_arr(text: str, sim: RunningSimulator) -> None:
    assert sim.api_key not in text
    assert sim.base_url not in text
    assert f":{sim.base_url.rsplit(':', 1)[1]}" not in text


def test_the_library_lists_media_instances(
    admin_client: TestClient, sonarr: tuple[int, RunningSimulator], mode: Mode
) -> None:
    instance_id, sim = sonarr
    text = mode.page(mode.get(admin_client, "/library"))
    assert f'href="/library/{instance_id}"' in text
    assert "Living-room Sonarr" in text
    assert "wanted items, synced" in text
    _no_arr(text, sim)


def test_the_poster_grid_shows_parents_with_badges_and_completion(
    admin_client: TestClient, context: AppContext, sonarr: tuple[int, RunningSimulator], mode: Mode
) -> None:
    instance_id, sim = sonarr
    parent = _parent(context, instance_id)
    text = mode.page(mode.get(admin_client, f"/library/{instance_id}"))
    assert f'src="/library/{instance_id}/posters/{parent.arr_id}"' in text
    assert parent.title in text
    assert " missing</span>" in text
    assert f"{parent.file_count} of {parent.item_count} on disk" in text
    assert "MediaCover" not in text
    _no_arr(text, sim)
    narrowed = mode.page(
        mode.get(admin_client, f"/library/{instance_id}", params={"q": parent.title})
    )
    assert parent.title in narrowed
    assert "series matching" in narrowed


def test_item_filters_narrow_the_list(
    admin_client: TestClient, context: AppContext, sonarr: tuple[int, RunningSimulator], mode: Mode
) -> None:
    instance_id, _sim = sonarr
    with context.database.session_scope() as session:
        total = session.scalar(
            select(func.count())
            .select_from(LibraryItem)
            .where(LibraryItem.instance_id == instance_id)
        )
        missing = session.scalar(
            select(func.count())
            .select_from(LibraryItem)
            .where(LibraryItem.instance_id == instance_id, LibraryItem.has_file.is_(False))
        )
    text = mode.page(mode.get(admin_client, f"/library/{instance_id}/items"))
    assert f"{total} items." in text
    text = mode.page(
        mode.get(admin_client, f"/library/{instance_id}/items", params={"wanted": "missing"})
    )
    assert f"{missing} items." in text
    assert 'value="missing" selected' in text
    text = mode.page(
        mode.get(admin_client, f"/library/{instance_id}/items", params={"excluded": "yes"})
    )
    assert "0 items." in text
    bad = mode.get(admin_client, f"/library/{instance_id}/items", params={"wanted": "everything"})
    assert bad.status_code == 422


def test_exclude_and_include_an_item_from_its_page(
    admin_client: TestClient, context: AppContext, sonarr: tuple[int, RunningSimulator], mode: Mode
) -> None:
    instance_id, sim = sonarr
    parent = _parent(context, instance_id)
    item = _wanted_item(context, instance_id, parent.arr_id)
    url = f"/library/{instance_id}/items/{item.arr_id}"
    text = mode.page(mode.get(admin_client, url))
    assert "Exclude from searches" in text
    assert "Not searched by this app yet." in text
    _no_arr(text, sim)
    refused = mode.post(
        admin_client, f"{url}/exclude", data={"scope": "item", "expires_in_days": "45"}
    )
    page = mode.page(refused, 422)
    assert 'id="expires_in_days-error"' in page
    assert "7, 30 or 90" in page
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Exclusion)) == 0
    done = mode.post(
        admin_client,
        f"{url}/exclude",
        data={"scope": "parent", "reason": "bad release", "expires_in_days": "30"},
    )
    assert mode.redirected_to(done) == url
    with context.database.session_scope() as session:
        [exclusion] = session.scalars(select(Exclusion)).all()
        assert (exclusion.scope, exclusion.arr_id, exclusion.reason) == (
            "parent",
            parent.arr_id,
            "bad release",
        )
    text = mode.page(mode.get(admin_client, url))
    assert "Excluded with its series" in text
    assert "Include the whole series again" in text
    grid = mode.page(
        mode.get(
            admin_client,
            f"/library/{instance_id}/items",
            params={"excluded": "yes", "parent": parent.arr_id},
        )
    )
    assert "Excluded with its parent" in grid
    back = mode.post(admin_client, f"{url}/include", data={"scope": "parent"})
    assert mode.redirected_to(back) == url
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Exclusion)) == 0


def test_viewers_see_the_library_but_cannot_exclude(
    viewer_client: TestClient, context: AppContext, sonarr: tuple[int, RunningSimulator], mode: Mode
) -> None:
    instance_id, _sim = sonarr
    parent = _parent(context, instance_id)
    item = _wanted_item(context, instance_id, parent.arr_id)
    url = f"/library/{instance_id}/items/{item.arr_id}"
    text = mode.page(mode.get(viewer_client, url))
    assert "Exclude from searches" not in text
    assert mode.post(viewer_client, f"{url}/exclude", data={"scope": "item"}).status_code == 403
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Exclusion)) == 0


def test_a_movie_library_is_the_item_list(
    admin_client: TestClient,
    context: AppContext,
    simulator_factory: Callable[..., RunningSimulator],
    run_sync: Callable[[int], SyncOutcome],
    mode: Mode,
) -> None:
    sim = simulator_factory("radarr", size=20)
    instance_id = add_instance(context, sim, name="Radarr 4K")
    assert run_sync(instance_id).ok
    text = mode.page(mode.get(admin_client, f"/library/{instance_id}"))
    assert "Radarr 4K: wanted items" in text
    assert 'aria-label="Wanted items"' in text
    _no_arr(text, sim)


def test_the_poster_comes_through_the_app_and_is_cached(
    app: FastAPI,
    admin_client: TestClient,
    context: AppContext,
    sonarr: tuple[int, RunningSimulator],
    tmp_path: Path,
) -> None:
    instance_id, sim = sonarr
    parent = _parent(context, instance_id)
    url = f"/library/{instance_id}/posters/{parent.arr_id}"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    for value in (*response.headers.values(), response.text):
        _no_arr(value, sim)
    cache: PosterCache = app.state.poster_cache
    assert len(list(cache.directory.iterdir())) == 1
    sim.stop()  # a cache hit needs no *arr at all
    again = admin_client.get(url)
    assert again.status_code == 200
    assert again.content == response.content


def test_a_poster_that_is_not_an_image_is_refused(
    admin_client: TestClient, context: AppContext, sonarr: tuple[int, RunningSimulator]
) -> None:
    instance_id, sim = sonarr
    parent = _parent(context, instance_id)
    with context.database.session_scope() as session:
        session.execute(
            update(LibraryParent)
            .where(LibraryParent.instance_id == instance_id, LibraryParent.arr_id == parent.arr_id)
            .values(poster_path="/api/v3/system/status")
        )
    response = admin_client.get(f"/library/{instance_id}/posters/{parent.arr_id}")
    assert response.status_code == 502
    assert not response.headers["content-type"].startswith("image/")
    _no_arr(response.text, sim)
    with context.database.session_scope() as session:
        session.execute(
            update(LibraryParent)
            .where(LibraryParent.instance_id == instance_id, LibraryParent.arr_id == parent.arr_id)
            .values(poster_path="http://169.254.169.254/latest")
        )
    assert admin_client.get(f"/library/{instance_id}/posters/{parent.arr_id}").status_code == 502
    assert admin_client.get(f"/library/{instance_id}/posters/999999").status_code == 404


def test_the_poster_cache_keeps_within_its_size(tmp_path: Path) -> None:
    from vibe_quality_searcharr.library.posters import Poster

    cache = PosterCache(tmp_path / "posters", max_bytes=250)
    png = b"\x89PNG\r\n\x1a\n" + b"x" * 92
    for parent_id in range(1, 5):
        cache.put(1, parent_id, f"/MediaCover/{parent_id}/poster.jpg", Poster(png, "image/png"))
    files = list((tmp_path / "posters").iterdir())
    assert sum(f.stat().st_size for f in files) <= 250
    assert cache.get(1, 4, "/MediaCover/4/poster.jpg") == Poster(png, "image/png")
    assert cache.get(1, 4, "/MediaCover/4/poster.jpg?lastWrite=2") is None
