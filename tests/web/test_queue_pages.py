"""The queues pages: create from a preset with the forecast, every bad value shown next to its
field with nothing stored, edit, clone, pause/resume, bulk (all or nothing), delete with a
confirmation; viewers read only; every POST needs the CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from tests.conftest import SignedInClient, sign_in_client
from tests.search.conftest import add_instance, count_rows, make_queue
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.library.models import LibraryItem
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.queues.presets import PresetName
from vibe_quality_searcharr.search.queues.views import new_queue_values


def _form(instance_id: int, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = dict(new_queue_values(PresetName.STEADY_MISSING, instance_id).items())
    values.update(overrides)
    # what a browser posts: unchecked boxes are absent, lists are repeated keys
    return {
        key: value for key, value in values.items() if value is not False and value is not True
    } | {key: "on" for key, value in values.items() if value is True}


def _queue(context: AppContext, queue_id: int) -> SearchQueue:
    with context.database.session_scope() as session:
        queue = session.get(SearchQueue, queue_id)
        assert queue is not None
        session.expunge(queue)
        return queue


def _mirror(context: AppContext, instance_id: int, missing: int) -> None:
    with context.database.session_scope() as session:
        for number in range(1, missing + 1):
            session.add(
                LibraryItem(
                    instance_id=instance_id, arr_id=number, title=f"E{number}", missing=True
                )
            )


def test_no_instance_means_the_list_guides_to_adding_one(
    admin_client: SignedInClient, mode: Mode
) -> None:
    page = mode.page(mode.get(admin_client, "/queues"))
    assert "No queue yet" in page
    assert 'href="/instances/new"' in page


def test_a_queue_is_created_from_a_preset_after_seeing_the_forecast(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context, name="Living-room Sonarr", version="4.0.0")
    _mirror(context, instance_id, 120)
    page = mode.page(mode.get(admin_client, "/queues/new?preset=steady_missing"))
    assert 'value="Steady missing"' in page
    # 120 missing, 10 per hour = 240 per day but the default daily cap is 100
    assert "120 items, 100 searches per day (limited by the daily budget)" in page
    assert "first full pass in about 1.2 days" in page

    response = mode.post(admin_client, "/queues/new", data=_form(instance_id, name="Missing"))
    location = mode.redirected_to(response)
    queue_id = int(location.rsplit("/", 1)[1])
    queue = _queue(context, queue_id)
    assert (queue.name, queue.preset, queue.batch_size) == ("Missing", "steady_missing", 10)
    assert queue.schedule["minutes"] == 60
    detail = mode.page(mode.get(admin_client, location))
    assert "Created Missing." in detail
    assert "every 60 minutes" in detail
    listing = mode.page(mode.get(admin_client, "/queues"))
    assert "Living-room Sonarr" in listing
    assert "Active" in listing


def test_the_forecast_button_recomputes_without_saving(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context, version="4.0.0")
    _mirror(context, instance_id, 30)
    data = _form(instance_id, name="X", action="forecast", **{"schedule.minutes": "720"})
    page = mode.page(mode.post(admin_client, "/queues/new", data=data))
    assert "30 items, 20 searches per day (limited by batch size and schedule)" in page
    assert count_rows(context, SearchQueue) == 0


def test_bad_values_are_shown_next_to_their_fields_and_nothing_is_stored(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context, version="4.0.0")
    data = _form(
        instance_id,
        name="Bad",
        strategy="custom",
        **{
            "options.custom.year_min": "2020",
            "options.custom.year_max": "1999",
            "schedule.minutes": "2",
            "batch_size": "many",
            "schedule.timezone": "Mars/Olympus",
        },
    )
    page = mode.page(mode.post(admin_client, "/queues/new", data=data), 422)
    for name in ("batch_size", "schedule.minutes", "schedule.timezone"):
        assert f'aria-invalid="true" aria-describedby="{name}-error"' in page, name
    assert "Enter a whole number" in page
    assert "Unknown time zone" in page
    assert count_rows(context, SearchQueue) == 0
    # the years only fail together, once the rest is fixed
    fixed = {**data, "batch_size": "5", "schedule.minutes": "60", "schedule.timezone": "UTC"}
    page = mode.page(mode.post(admin_client, "/queues/new", data=fixed), 422)
    assert 'id="options.custom.year_max-error"' in page
    assert "swap them" in page
    assert "<details open>" in page
    assert count_rows(context, SearchQueue) == 0


def test_a_taken_name_is_refused_next_to_the_name(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context, version="4.0.0")
    with context.database.session_scope() as session:
        make_queue(session, instance_id, name="Taken")
    page = mode.page(
        mode.post(admin_client, "/queues/new", data=_form(instance_id, name="Taken")), 422
    )
    assert 'id="name-error"' in page
    assert "already exists" in page
    assert count_rows(context, SearchQueue) == 1


def test_edit_clone_pause_resume_and_delete(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context, version="4.0.0")
    with context.database.session_scope() as session:
        queue_id = make_queue(session, instance_id, name="Nightly").id
    page = mode.page(mode.get(admin_client, f"/queues/{queue_id}/edit"))
    assert 'value="Nightly"' in page
    data = _form(
        instance_id,
        name="Nightly",
        batch_size="7",
        **{"schedule.kind": "daily", "schedule.at": "01:30"},
    )
    assert (
        mode.redirected_to(mode.post(admin_client, f"/queues/{queue_id}/edit", data=data))
        == f"/queues/{queue_id}"
    )
    queue = _queue(context, queue_id)
    assert queue.batch_size == 7
    assert queue.schedule["kind"] == "daily"
    assert queue.schedule["at"] == "01:30"

    bad = {**data, "schedule.at": "25:00"}
    page = mode.page(mode.post(admin_client, f"/queues/{queue_id}/edit", data=bad), 422)
    assert 'id="schedule.at-error"' in page
    assert _queue(context, queue_id).schedule["at"] == "01:30"

    copy_location = mode.redirected_to(mode.post(admin_client, f"/queues/{queue_id}/clone"))
    copy_id = int(copy_location.split("/")[2])
    assert _queue(context, copy_id).name == "Nightly (copy)"
    assert _queue(context, copy_id).paused

    mode.redirected_to(mode.post(admin_client, f"/queues/{queue_id}/pause"))
    assert _queue(context, queue_id).paused
    assert (
        mode.redirected_to(mode.post(admin_client, f"/queues/{queue_id}/resume?next=/queues"))
        == "/queues"
    )
    assert not _queue(context, queue_id).paused

    confirm = mode.page(mode.get(admin_client, f"/queues/{queue_id}/delete"))
    assert "Delete Nightly?" in confirm
    assert mode.redirected_to(mode.post(admin_client, f"/queues/{queue_id}/delete")) == "/queues"
    assert count_rows(context, SearchQueue) == 1


def test_bulk_actions_are_all_or_nothing(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context, version="4.0.0")
    with context.database.session_scope() as session:
        ids = [make_queue(session, instance_id, name=f"Q{n}").id for n in range(3)]
    data = {"ids": [str(ids[0]), "99999"], "action": "pause"}
    assert mode.redirected_to(mode.post(admin_client, "/queues/bulk", data=data)) == "/queues"
    page = mode.page(mode.get(admin_client, "/queues"))
    assert "no queue has id 99999; nothing was changed" in page
    assert not _queue(context, ids[0]).paused
    data = {"ids": [str(ids[0]), str(ids[1])], "action": "pause"}
    mode.redirected_to(mode.post(admin_client, "/queues/bulk", data=data))
    assert "Paused 2 queues." in mode.page(mode.get(admin_client, "/queues"))
    assert [_queue(context, i).paused for i in ids] == [True, True, False]
    mode.redirected_to(mode.post(admin_client, "/queues/bulk", data={"action": "delete"}))
    assert "Choose at least one queue" in mode.page(mode.get(admin_client, "/queues"))
    assert count_rows(context, SearchQueue) == 3


def test_viewers_read_but_change_nothing(
    viewer_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    instance_id = add_instance(context, version="4.0.0")
    with context.database.session_scope() as session:
        queue_id = make_queue(session, instance_id, name="Mine").id
    page = mode.page(mode.get(viewer_client, "/queues"))
    assert "Mine" in page
    assert "New queue" not in page
    assert 'name="ids"' not in page
    assert mode.get(viewer_client, "/queues/new").status_code == 403
    for path in (
        "/queues/new",
        f"/queues/{queue_id}/pause",
        f"/queues/{queue_id}/delete",
        "/queues/bulk",
        f"/queues/{queue_id}/run",
    ):
        assert mode.post(viewer_client, path, data=_form(instance_id)).status_code == 403, path
    assert count_rows(context, SearchQueue) == 1
    assert not _queue(context, queue_id).paused


def test_every_post_needs_the_csrf_token(app: FastAPI, context: AppContext, mode: Mode) -> None:
    instance_id = add_instance(context, version="4.0.0")
    with context.database.session_scope() as session:
        queue_id = make_queue(session, instance_id, name="Q").id
    with sign_in_client(app, context, "admin", send_csrf=False) as client:
        for path in (
            "/queues/new", f"/queues/{queue_id}/edit", f"/queues/{queue_id}/pause",
            f"/queues/{queue_id}/clone", f"/queues/{queue_id}/delete", "/queues/bulk",
            f"/queues/{queue_id}/run", "/exclusions", "/setup/queue",
        ):  # fmt: skip
            assert mode.post(client, path, data=_form(instance_id)).status_code == 403, path
    with context.database.session_scope() as session:
        assert len(session.scalars(select(SearchQueue)).all()) == 1
