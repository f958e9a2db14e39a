"""Settings > Backups: back up now, list, download, delete with a confirmation, and a restore
staged for the next start (the live database is never swapped under the running service),
which the next `build_context` applies. Bad names and damaged files change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from tests.conftest import SignedInClient
from tests.instances.conftest import make_instance
from tests.web.pages import Mode
from vibe_quality_searcharr.app import build_context
from vibe_quality_searcharr.backups import staged
from vibe_quality_searcharr.backups.sqlite import SQLITE_HEADER
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import Instance

PAGE = "/settings/backups"
START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def ticking(app: FastAPI) -> list[datetime]:
    """The app's clock, one second on at every read: each backup gets a name of its own."""
    moment = [START]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=1)
        return moment[0]

    app.state.clock = clock
    return moment


def _sqlite(context: AppContext) -> None:
    if context.database.sqlite_path is None:
        pytest.skip("file backups are SQLite only (PostgreSQL: pg_dump)")


def _names(context: AppContext) -> list[str]:
    return sorted(p.name for p in context.settings.backups_dir.glob("*.db"))


def _take(client: SignedInClient, mode: Mode) -> str:
    response = mode.post(client, PAGE)
    assert mode.redirected_to(response) == PAGE
    page = mode.page(mode.get(client, PAGE))
    assert "Backup vqs-backup-" in page
    return page.split("Backup ", 1)[1].split(" taken.", 1)[0]


def _staged(client: SignedInClient, context: AppContext, mode: Mode) -> str:
    """A backup taken and staged for restore through the page; its name."""
    _sqlite(context)
    name = _take(client, mode)
    assert mode.redirected_to(mode.post(client, f"{PAGE}/{name}/restore")) == PAGE
    return name


def test_back_up_now_then_download_and_delete(
    admin_client: SignedInClient, context: AppContext, ticking: list[datetime], mode: Mode
) -> None:
    _sqlite(context)
    assert "No backup yet" in mode.page(mode.get(admin_client, PAGE))
    name = _take(admin_client, mode)
    assert _names(context) == [name]
    listing = mode.page(mode.get(admin_client, PAGE))
    assert f"<code>{name}</code>" in listing
    assert "Daily, keeping the newest 7" in listing

    download = admin_client.get(f"{PAGE}/{name}/download")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/octet-stream"
    assert name in download.headers["content-disposition"]
    assert download.content == (context.settings.backups_dir / name).read_bytes()
    assert not download.content.startswith(SQLITE_HEADER)  # encrypted, page one included

    confirm = mode.page(mode.get(admin_client, f"{PAGE}/{name}/delete"))
    assert f"Delete {name}?" in confirm
    assert f'action="{PAGE}/{name}/delete"' in confirm
    assert f"Delete {name}</button>" in confirm
    assert _names(context) == [name]
    deleted = mode.post(admin_client, f"{PAGE}/{name}/delete")
    assert mode.redirected_to(deleted) == PAGE
    assert _names(context) == []
    assert f"Deleted {name}." in mode.page(mode.get(admin_client, PAGE))


def test_a_staged_restore_happens_at_the_next_start(
    admin_client: SignedInClient, context: AppContext, ticking: list[datetime], mode: Mode
) -> None:
    _sqlite(context)
    with context.database.session_scope() as session:
        make_instance(session, context, name="Before")
    name = _take(admin_client, mode)
    with context.database.session_scope() as session:
        make_instance(session, context, name="After")

    confirm = mode.page(mode.get(admin_client, f"{PAGE}/{name}/restore"))
    assert f"Restore {name}?" in confirm
    assert f'action="{PAGE}/{name}/restore"' in confirm
    assert "Restore at next start</button>" in confirm
    assert f"vqs restore {context.settings.backups_dir.resolve() / name}" in confirm
    response = mode.post(admin_client, f"{PAGE}/{name}/restore")
    assert mode.redirected_to(response) == PAGE
    page = mode.page(mode.get(admin_client, PAGE))
    assert "will be restored when the service next starts" in page
    assert "Restore waiting for a restart" in page
    assert "restore pending" in page
    # Nothing changed in the running service.
    with context.database.session_scope() as session:
        assert sorted(session.scalars(select(Instance.name))) == ["After", "Before"]
    # A staged backup cannot be deleted from under the restore.
    refused = mode.post(admin_client, f"{PAGE}/{name}/delete")
    assert "cancel that first" in mode.page(refused, 409)

    # The service stops and starts again.
    context.database.dispose()
    restarted = build_context(context.settings, configure_logs=False)
    try:
        with restarted.database.session_scope() as session:
            assert sorted(session.scalars(select(Instance.name))) == ["Before"]
    finally:
        restarted.database.dispose()
    assert staged.pending_restore(context.settings) is None
    outcome = staged.last_outcome(context.settings)
    assert outcome is not None
    assert (outcome.ok, outcome.name) == (True, name)
    assert any(n.startswith("replaced-") for n in _names(context))


def test_a_staged_restore_can_be_cancelled(
    admin_client: SignedInClient, context: AppContext, ticking: list[datetime], mode: Mode
) -> None:
    _staged(admin_client, context, mode)
    assert staged.pending_restore(context.settings) is not None
    cancelled = mode.post(admin_client, f"{PAGE}/restore/cancel")
    assert mode.redirected_to(cancelled) == PAGE
    assert staged.pending_restore(context.settings) is None
    assert "restore is cancelled" in mode.page(mode.get(admin_client, PAGE))


def test_bad_names_and_damaged_backups_change_nothing(
    admin_client: SignedInClient, context: AppContext, ticking: list[datetime], mode: Mode
) -> None:
    _sqlite(context)
    backups: Path = context.settings.backups_dir
    backups.mkdir(parents=True, exist_ok=True)
    damaged = "vqs-backup-20250101T000000Z.db"
    (backups / damaged).write_bytes(b"\x01" * 4096)
    (backups / "notes.db").write_bytes(b"x")
    listing = mode.page(mode.get(admin_client, PAGE))
    assert damaged in listing
    assert "notes.db" not in listing

    refused = mode.post(admin_client, f"{PAGE}/{damaged}/restore")
    assert "cannot be restored" in mode.page(refused, 422)
    assert staged.pending_restore(context.settings) is None
    for path in ("notes.db", "vqs-backup-20990101T000000Z.db"):
        assert mode.get(admin_client, f"{PAGE}/{path}/download").status_code in (404, 422)
        assert mode.post(admin_client, f"{PAGE}/{path}/delete").status_code in (404, 422)
    assert admin_client.get(f"{PAGE}/..%2Fsecrets%2Fmaster_secret/download").status_code in (
        404,
        422,
    )
    assert sorted(p.name for p in backups.iterdir()) == ["notes.db", damaged]


def test_postgres_installs_are_told_to_use_pg_dump(
    admin_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    if context.database.sqlite_path is not None:
        pytest.skip("PostgreSQL only")
    page = mode.page(mode.get(admin_client, PAGE))
    assert "pg_dump" in page
    assert "pg_dump" in mode.page(mode.post(admin_client, PAGE), 409)


def test_viewers_cannot_see_or_take_backups(
    viewer_client: SignedInClient, context: AppContext, mode: Mode
) -> None:
    assert mode.get(viewer_client, PAGE).status_code == 403
    assert (
        mode.get(viewer_client, f"{PAGE}/vqs-backup-20250101T000000Z.db/download").status_code
        == 403
    )
    assert mode.post(viewer_client, PAGE).status_code == 403
    assert _names(context) == []


def test_a_second_start_beside_the_running_service_leaves_the_restore_staged(
    admin_client: SignedInClient, context: AppContext, ticking: list[datetime], mode: Mode
) -> None:
    _staged(admin_client, context, mode)
    with context.database.session_scope() as session:
        make_instance(session, context, name="Kept")
        # This service still has the database open while another process starts on it.
        assert (
            staged.apply_pending(context.settings, context.secrets.database_key, now=START) is None
        )
    assert staged.pending_restore(context.settings) is not None
    assert staged.last_outcome(context.settings) is None
    with context.database.session_scope() as session:
        assert list(session.scalars(select(Instance.name))) == ["Kept"]
