"""A restore staged from the UI runs at the next start, once: a backup gone (or refused) by
then leaves the old database in place, the service starts, and the reason is kept."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.integration.backups.conftest import Install
from vibe_quality_searcharr.app import build_context
from vibe_quality_searcharr.backups import staged
from vibe_quality_searcharr.backups.catalog import entries
from vibe_quality_searcharr.backups.service import create_backup

TAKEN = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


def _start(install: Install) -> list[str]:
    context = build_context(install.settings, configure_logs=False)
    context.database.dispose()
    return install.instance_names()


def test_a_staged_backup_deleted_before_the_restart_is_reported_not_retried(
    install: Install,
) -> None:
    create_backup(install.settings, install.secrets.database_key, now=TAKEN)
    (entry,) = entries(install.settings.backups_dir)
    staged.stage_restore(
        install.settings, install.secrets.database_key, entry, now=TAKEN, by="admin"
    )
    entry.path.unlink()

    assert _start(install) == ["Radarr", "Sonarr"]
    outcome = staged.last_outcome(install.settings)
    assert outcome is not None
    assert not outcome.ok
    assert "no longer in" in outcome.detail
    assert staged.pending_restore(install.settings) is None
    assert _start(install) == ["Radarr", "Sonarr"]  # the next start does nothing more
    assert staged.last_outcome(install.settings) == outcome


def test_a_start_without_a_staged_restore_changes_nothing(install: Install) -> None:
    assert _start(install) == ["Radarr", "Sonarr"]
    assert staged.last_outcome(install.settings) is None
    assert entries(install.settings.backups_dir) == []
