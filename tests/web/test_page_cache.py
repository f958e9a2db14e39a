"""The per-process caches of pages and sessions never show what is no longer true: after a new
history row, a command changing status, a new run, an exclusion or a revoked session, the very
next request sees it, whether the change came through the app, another connection of its pool
or another process. And they do save the work: a repeated page reads nothing from the database.
(On PostgreSQL there is no commit stamp and nothing is cached: the same tests hold trivially.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import delete, event, update

from tests.conftest import SignedInClient, sign_in_client
from tests.instances.conftest import make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent
from vibe_quality_searcharr.search.models import (
    Exclusion,
    SearchCommand,
    SearchCommandItem,
    SearchQueue,
    SearchRun,
)
from vibe_quality_searcharr.users.models import UserSession

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@contextmanager
def _statements(context: AppContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = context.database.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _history(context: AppContext) -> tuple[int, int]:
    """An instance with a queue, one run and one command; returns (instance id, command id)."""
    with context.database.session_scope() as session:
        instance = make_instance(session, context, name="Sonarr")
        queue = SearchQueue(
            name="Missing episodes",
            instance_id=instance.id,
            strategy="missing",
            order="oldest",
            schedule={"kind": "interval", "minutes": 60},
        )
        session.add(queue)
        session.flush()
        command = _command(session, instance.id, queue.id, "First S01E01", NOW - timedelta(hours=1))
        return instance.id, command.id


def _command(
    session: Any, instance_id: int, queue_id: int | None, label: str, at: datetime, **extra: Any
) -> SearchCommand:
    command = SearchCommand(
        instance_id=instance_id,
        instance_name="Sonarr",
        queue_id=queue_id,
        queue_name="Missing episodes",
        strategy="missing",
        kind="EpisodeSearch",
        item_ids=[1],
        label=label,
        status=extra.pop("status", "completed"),
        intent_at=at,
        **extra,
    )
    session.add(command)
    session.flush()
    session.add(
        SearchCommandItem(command_id=command.id, instance_id=instance_id, item_id=1, label=label)
    )
    session.flush()
    return command


def test_a_repeated_page_reads_nothing_until_something_is_committed(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, mode: Mode
) -> None:
    app.state.clock = lambda: NOW
    instance_id, _ = _history(context)
    assert "last 7 days: 1 item searched" in mode.page(mode.get(admin_client, "/"))
    for url in ("/", "/history", "/api/v1/history"):
        first = mode.get(admin_client, url)
        assert first.status_code == 200
        with _statements(context) as seen:
            again = mode.get(admin_client, url)
        assert again.text == first.text
        if context.database.backend == "sqlite":
            assert seen == [], (url, seen)  # neither the session nor the page hit the database
    with context.database.session_scope() as session:
        _command(session, instance_id, None, "Second S01E02", NOW - timedelta(minutes=5))
    history = mode.page(mode.get(admin_client, "/history"))
    assert "Second S01E02" in history
    assert '<option value="1">Missing episodes</option>' in history  # the queue filter
    assert "Second S01E02" in admin_client.get("/api/v1/history").text
    home = mode.page(mode.get(admin_client, "/"))
    assert "Second S01E02" in home.split('id="region-activity"')[1]
    assert "last 7 days: 2 items searched" in home.split('id="region-charts"')[1]


def test_history_shows_a_status_changed_in_place_and_a_new_run_at_once(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, mode: Mode
) -> None:
    app.state.clock = lambda: NOW
    instance_id, command_id = _history(context)
    with context.database.session_scope() as session:
        session.execute(
            update(SearchCommand).where(SearchCommand.id == command_id).values(status="sent")
        )
    assert admin_client.get("/api/v1/history").json()["items"][0]["status"] == "sent"
    assert "Sent" in mode.page(mode.get(admin_client, "/history", params={"status": "sent"}))
    with context.database.session_scope() as session:
        session.execute(
            update(SearchCommand).where(SearchCommand.id == command_id).values(status="failed")
        )
    assert admin_client.get("/api/v1/history").json()["items"][0]["status"] == "failed"
    home = mode.page(mode.get(admin_client, "/"))
    assert "Missing episodes</a>: running" not in home
    with context.database.session_scope() as session:
        session.add(
            SearchRun(
                queue_id=None,
                queue_name="Missing episodes",
                instance_id=instance_id,
                instance_name="Sonarr",
                strategy="missing",
                order="oldest",
                status="running",
                started_at=NOW - timedelta(seconds=10),
                planned_commands=2,
                summary="2 to search",
            )
        )
    running = mode.page(mode.get(admin_client, "/")).split('id="region-running"')[1]
    assert "0 of 2 searches done" in running.split("</section>")[0]


def test_the_library_pages_show_a_new_item_and_an_exclusion_at_once(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, mode: Mode
) -> None:
    app.state.clock = lambda: NOW
    with context.database.session_scope() as session:
        instance_id = make_instance(session, context, name="Sonarr").id
        session.add(
            LibraryParent(
                instance_id=instance_id, arr_id=7, kind="series", title="Show", sort_title="show"
            )
        )
        session.add(
            LibraryItem(
                instance_id=instance_id, arr_id=70, parent_id=7, title="Pilot", missing=True
            )
        )
    grid_url, items_url = f"/library/{instance_id}", f"/library/{instance_id}/items"
    assert "Excluded</span>" not in mode.page(mode.get(admin_client, grid_url))
    assert "Second one" not in mode.page(mode.get(admin_client, items_url))
    with context.database.session_scope() as session:
        session.add(
            LibraryItem(
                instance_id=instance_id, arr_id=71, parent_id=7, title="Second one", missing=True
            )
        )
    assert "Second one" in mode.page(mode.get(admin_client, items_url))
    with context.database.session_scope() as session:
        session.add(
            Exclusion(
                instance_id=instance_id, scope="parent", arr_id=7, title="Show", reason="",
                created_at=NOW, created_by="admin",
            )
        )  # fmt: skip
    assert "Excluded</span>" in mode.page(mode.get(admin_client, grid_url))
    assert "Excluded with its parent" in mode.page(mode.get(admin_client, items_url))


def test_users_never_get_each_others_pages(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, mode: Mode
) -> None:
    app.state.clock = lambda: NOW
    _history(context)
    admin_page = mode.page(mode.get(admin_client, "/history"))
    with sign_in_client(app, context, "viewer", username="viewer") as viewer:
        viewer_page = mode.page(mode.get(viewer, "/history"))
    assert admin_client.csrf_token is not None
    assert viewer.csrf_token is not None
    if not mode.htmx:  # the layout carries the user's name and CSRF token
        assert "viewer" in viewer_page
        assert admin_client.csrf_token in admin_page
        assert admin_client.csrf_token not in viewer_page
        assert viewer.csrf_token in viewer_page


def _refused(mode: Mode, client: SignedInClient, url: str) -> None:
    response = mode.get(client, url)
    assert response.status_code in (303, 401), (url, response.status_code)


def test_a_revoked_session_is_refused_on_the_next_request(
    app: FastAPI, context: AppContext, mode: Mode
) -> None:
    app.state.clock = lambda: NOW
    _history(context)
    with sign_in_client(app, context, "admin", username="first") as first:
        for url in ("/", "/history", "/settings"):
            assert first.get(url, headers=mode.headers).status_code == 200
            assert first.get(url, headers=mode.headers).status_code == 200  # now cached
        with sign_in_client(app, context, "admin", username="second") as second:
            assert second.get("/history", headers=mode.headers).status_code == 200
            # Revoked through the app ("sign out everywhere else" of the other user is not
            # it: the row goes), then in another connection, then by another process.
            with context.database.session_scope() as session:
                session.execute(delete(UserSession).where(UserSession.user_id == first.user_id))
            for url in ("/", "/history", "/settings", "/api/v1/history"):
                _refused(mode, first, url)
            assert second.get("/history", headers=mode.headers).status_code == 200
            if context.database.sqlite_path is not None:
                other = open_sqlcipher(context.database.sqlite_path, context.secrets.database_key)
                try:
                    with other.session_scope() as session:
                        session.execute(delete(UserSession))
                finally:
                    other.dispose()
                _refused(mode, second, "/history")
                _refused(mode, second, "/")


def test_signing_out_ends_the_session_at_once(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, mode: Mode
) -> None:
    app.state.clock = lambda: NOW
    assert admin_client.get("/", headers=mode.headers).status_code == 200
    assert admin_client.get("/", headers=mode.headers).status_code == 200
    cookie = admin_client.cookies.get("vqs_session")
    assert admin_client.post("/api/v1/auth/logout").status_code in (200, 204)
    admin_client.cookies.set("vqs_session", cookie or "")
    _refused(mode, admin_client, "/")


def test_a_session_past_its_idle_limit_is_refused_without_any_commit(
    app: FastAPI, context: AppContext, admin_client: SignedInClient, mode: Mode
) -> None:
    signed_in = datetime.now(UTC)  # when the fixture's session was started
    app.state.clock = lambda: signed_in
    assert admin_client.get("/history", headers=mode.headers).status_code == 200
    assert admin_client.get("/history", headers=mode.headers).status_code == 200
    idle = timedelta(minutes=context.settings.session_idle_minutes)
    app.state.clock = lambda: signed_in + idle + timedelta(seconds=1)
    _refused(mode, admin_client, "/history")
