"""The instances pages against a simulated Sonarr: add and edit with the connection test run
before saving, the key never sent back, bad input shown next to its field with nothing stored,
delete with a confirmation, health history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import SignedInClient
from tests.instances.conftest import API_KEY, make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import Instance, InstanceHealthEvent
from vibe_quality_searcharr.instances.service import api_key_box
from vibe_quality_searcharr.library.sync import LibrarySync
from vibe_quality_searcharr.simulator.testing import RunningSimulator

WRONG_KEY = "0" * 32


def _count(context: AppContext) -> int:
    with context.database.session_scope() as session:
        return session.scalar(select(func.count()).select_from(Instance)) or 0


def _stored_key(context: AppContext, instance_id: int) -> str:
    with context.database.session_scope() as session:
        instance = session.get(Instance, instance_id)
        assert instance is not None
        return api_key_box(context.secrets.master_secret).decrypt(instance.api_key_encrypted)


def _form(sim: RunningSimulator, **overrides: str) -> dict[str, str]:
    values = {
        "name": "Living-room Sonarr",
        "app": "sonarr",
        "url": sim.base_url,
        "api_key": sim.api_key,
        "enabled": "on",
        "action": "save",
    }
    values.update(overrides)
    return values


def test_adding_an_instance_tests_it_then_saves_it(
    admin_client: SignedInClient,
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    mode: Mode,
) -> None:
    response = mode.post(admin_client, "/instances/new", data=_form(sonarr_simulator))
    location = mode.redirected_to(response)
    assert location.startswith("/instances/")
    page = mode.page(mode.get(admin_client, location))
    assert "Added Living-room Sonarr." in page
    assert "Health history" in page
    assert sonarr_simulator.api_key not in page
    assert _stored_key(context, int(location.rsplit("/", 1)[1])) == sonarr_simulator.api_key


def test_a_wrong_key_is_shown_next_to_the_key_and_nothing_is_saved(
    admin_client: SignedInClient,
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    mode: Mode,
) -> None:
    data = _form(sonarr_simulator, api_key=WRONG_KEY)
    page = mode.page(mode.post(admin_client, "/instances/new", data=data), 422)
    assert 'id="api_key-error"' in page
    assert 'aria-invalid="true" aria-describedby="api_key-error"' in page
    assert "Save even though the connection test failed" in page
    assert WRONG_KEY not in page
    assert 'value="Living-room Sonarr"' in page  # what was typed stays, except the key
    assert _count(context) == 0


def test_bad_values_are_shown_next_to_their_fields(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    data = {"name": " ", "app": "sonarr", "url": "ftp://nas", "api_key": "short", "action": "save"}
    page = mode.page(mode.post(admin_client, "/instances/new", data=data), 422)
    assert 'id="name-error"' in page
    assert 'id="url-error"' in page
    assert 'id="api_key-error"' in page
    unknown = dict(data, name="x", url="http://192.168.1.5:8989", api_key=API_KEY, app="plex")
    assert 'id="app-error"' in mode.page(
        mode.post(admin_client, "/instances/new", data=unknown), 422
    )
    metadata = dict(unknown, app="sonarr", url="http://169.254.169.254/")
    assert 'id="url-error"' in mode.page(
        mode.post(admin_client, "/instances/new", data=metadata), 422
    )
    assert _count(context) == 0


def test_a_taken_name_is_shown_next_to_the_name(
    admin_client: SignedInClient,
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    mode: Mode,
) -> None:
    with context.database.session_scope() as session:
        make_instance(session, context, name="Living-room Sonarr")
    page = mode.page(mode.post(admin_client, "/instances/new", data=_form(sonarr_simulator)), 422)
    assert 'id="name-error"' in page
    assert _count(context) == 1


def test_an_unreachable_instance_can_be_saved_anyway_with_a_warning(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    data = {
        "name": "Down for maintenance",
        "app": "radarr",
        "url": "http://127.0.0.1:9",
        "api_key": API_KEY,
        "action": "save",
        "save_anyway": "on",
    }
    location = mode.redirected_to(mode.post(admin_client, "/instances/new", data=data))
    page = mode.page(mode.get(admin_client, location))
    assert "did not answer the connection test" in page
    assert _count(context) == 1


def test_the_test_button_reports_without_saving(
    admin_client: SignedInClient,
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    mode: Mode,
) -> None:
    data = _form(sonarr_simulator, action="test")
    page = mode.page(mode.post(admin_client, "/instances/new", data=data))
    assert "Connected to Sonarr" in page
    assert sonarr_simulator.api_key not in page
    if mode.htmx:  # just the result box, for hx-target="#connection-result"
        assert "<form" not in page
    else:  # the whole form again, so it works without JavaScript
        assert '<form method="post" action="/instances/new"' in page
    failed = mode.page(
        mode.post(admin_client, "/instances/new", data=dict(data, api_key=WRONG_KEY)),
        200 if mode.htmx else 422,
    )
    assert "Connection test failed" in failed
    assert _count(context) == 0


def test_editing_keeps_the_key_when_left_blank_and_never_shows_it(
    admin_client: SignedInClient,
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    mode: Mode,
) -> None:
    with context.database.session_scope() as session:
        instance_id = make_instance(
            session, context, url=sonarr_simulator.base_url, api_key=sonarr_simulator.api_key
        ).id
    form = mode.page(mode.get(admin_client, f"/instances/{instance_id}/edit"))
    assert "Key set" in form
    assert sonarr_simulator.api_key not in form
    data = _form(sonarr_simulator, name="Renamed", api_key="")
    tested = mode.page(
        mode.post(admin_client, f"/instances/{instance_id}/edit", data=dict(data, action="test"))
    )
    assert "Connected to Sonarr" in tested  # with the stored key
    location = mode.redirected_to(
        mode.post(admin_client, f"/instances/{instance_id}/edit", data=data)
    )
    assert location == f"/instances/{instance_id}"
    assert "Renamed" in mode.page(mode.get(admin_client, location))
    assert _stored_key(context, instance_id) == sonarr_simulator.api_key


def test_a_failing_edit_changes_nothing(
    admin_client: SignedInClient,
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    mode: Mode,
) -> None:
    with context.database.session_scope() as session:
        instance_id = make_instance(
            session, context, url=sonarr_simulator.base_url, api_key=sonarr_simulator.api_key
        ).id
    data = _form(sonarr_simulator, name="Should not stick", api_key=WRONG_KEY)
    page = mode.page(mode.post(admin_client, f"/instances/{instance_id}/edit", data=data), 422)
    assert 'id="api_key-error"' in page
    with context.database.session_scope() as session:
        instance = session.get(Instance, instance_id)
        assert instance is not None
        assert instance.name == "Sonarr"
    assert _stored_key(context, instance_id) == sonarr_simulator.api_key


def test_delete_asks_first_then_deletes(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    with context.database.session_scope() as session:
        instance_id = make_instance(session, context, name="Old Radarr").id
    confirm = mode.page(mode.get(admin_client, f"/instances/{instance_id}/delete"))
    assert "Delete Old Radarr?" in confirm
    assert _count(context) == 1
    location = mode.redirected_to(mode.post(admin_client, f"/instances/{instance_id}/delete"))
    assert location == "/instances"
    page = mode.page(mode.get(admin_client, location))
    assert "Deleted Old Radarr." in page
    assert "No instance yet" in page
    assert _count(context) == 0


def test_detail_lists_the_health_history_newest_first(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    with context.database.session_scope() as session:
        instance_id = make_instance(session, context).id
        for day, kind, detail in ((1, "down", "3 failed checks"), (2, "up", "answering again")):
            session.add(
                InstanceHealthEvent(
                    instance_id=instance_id,
                    kind=kind,
                    at=datetime(2026, 5, day, 12, tzinfo=UTC),
                    detail=detail,
                    paused_by_health=kind == "down",
                )
            )
    page = mode.page(mode.get(admin_client, f"/instances/{instance_id}"))
    assert page.index("answering again") < page.index("3 failed checks")
    assert "Went down" in page
    assert "Came back" in page


def test_viewers_see_instances_but_cannot_change_them(
    viewer_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    with context.database.session_scope() as session:
        instance_id = make_instance(session, context).id
    page = mode.page(mode.get(viewer_client, "/instances"))
    assert "Sonarr" in page
    assert "/edit" not in page
    assert "Add instance" not in page
    assert mode.post(viewer_client, f"/instances/{instance_id}/delete").status_code == 403
    assert _count(context) == 1


@pytest.mark.parametrize("path", ["/instances/new", "/setup/instance"])
def test_an_instance_added_on_a_page_has_its_library_synced(
    admin_client: SignedInClient,
    simulator_factory: Callable[..., RunningSimulator],
    mode: Mode,
    path: str,
) -> None:
    """As one added through the API: the pages used to skip the `instance.created` event, so
    the library stayed empty until the next scheduled sync."""
    sim = simulator_factory("radarr", size=20)
    syncer: LibrarySync = admin_client.app.state.library_sync  # type: ignore[attr-defined]
    syncer.sync_new_instances = True  # as in the process that runs the scheduler
    form = _form(sim, name="Den Radarr", app="radarr")
    mode.redirected_to(mode.post(admin_client, path, data=form))
    admin_client.portal.call(syncer.wait_idle)  # type: ignore[union-attr]
    (instance,) = admin_client.get("/api/v1/instances").json()["items"]
    state = admin_client.get(f"/api/v1/instances/{instance['id']}/sync").json()
    assert state["status"] == "ok"
    assert state["item_count"] > 0
    page = mode.page(mode.get(admin_client, "/library"))
    assert f"{state['item_count']} wanted items, synced" in page
