"""Settings > General: the time zone is validated against the IANA names (errors next to the
field, nothing stored), and once set the history and the dashboard show their times in it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI

from tests.conftest import SignedInClient
from tests.instances.conftest import make_instance
from tests.search.harness import add_command
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.settings_store import read_setting
from vibe_quality_searcharr.web.time_zone import TIME_ZONE_SETTING

PAGE = "/settings/general"
SEARCHED = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)  # 23:30 on 9 March in Honolulu


def _stored(context: AppContext) -> object:
    with context.database.session_scope() as session:
        return read_setting(session, TIME_ZONE_SETTING)


def _search(context: AppContext) -> None:
    with context.database.session_scope() as session:
        instance = make_instance(session, context)
        add_command(session, instance.id, SEARCHED, instance_name=instance.name)


def test_a_bad_time_zone_is_refused_next_to_the_field(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    page = mode.page(mode.get(admin_client, PAGE))
    assert 'value="UTC"' in page
    assert '<option value="Europe/Berlin">' in page
    for bad in ("Mars/Olympus_Mons", "", "../../etc/passwd", "localtime"):
        refused = mode.page(mode.post(admin_client, PAGE, data={"time_zone": bad}), 422)
        assert 'id="time_zone-error"' in refused, bad
        assert 'aria-invalid="true"' in refused
    assert _stored(context) is None


def test_the_chosen_zone_is_used_for_history_times(
    app: FastAPI, admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    app.state.clock = lambda: SEARCHED
    _search(context)
    before = mode.page(mode.get(admin_client, "/history"))
    assert "2026-03-10 09:30 UTC" in before

    saved = mode.post(admin_client, PAGE, data={"time_zone": " Pacific/Honolulu "})
    assert mode.redirected_to(saved) == PAGE
    assert _stored(context) == "Pacific/Honolulu"
    page = mode.page(mode.get(admin_client, PAGE))
    assert "Time zone set to Pacific/Honolulu" in page
    assert "2026-03-09 23:30 HST" in page  # "now" on the page, in the zone

    after = mode.page(mode.get(admin_client, "/history"))
    assert "2026-03-09 23:30 HST" in after
    assert "09:30 UTC" not in after
    dashboard = mode.page(mode.get(admin_client, "/"))  # its recent searches follow too
    assert "2026-03-09 23:30 HST" in dashboard


def test_viewers_cannot_change_the_time_zone(
    viewer_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    assert mode.get(viewer_client, PAGE).status_code == 403
    response = mode.post(viewer_client, PAGE, data={"time_zone": "Europe/Berlin"})
    assert response.status_code == 403
    assert _stored(context) is None
