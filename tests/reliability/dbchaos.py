"""The disk/database scenario `bench/chaos.py` runs (through `test_disk_db.chaos_scenario`):
rounds of a full disk, another process's lock and the file moved away, on a fresh install."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import sign_in_client
from tests.reliability.dbfaults import (
    PageLimit,
    locked_by_another_process,
    queue_body,
    queue_count,
    readiness,
)
from tests.search.conftest import add_instance
from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.db import migrate
from vibe_quality_searcharr.db.engine import open_sqlcipher
from vibe_quality_searcharr.events import EventBus
from vibe_quality_searcharr.scheduling.scheduler import Scheduler
from vibe_quality_searcharr.security.keyfiles import ensure_secrets
from vibe_quality_searcharr.settings import load_settings

__all__ = ["chaos_scenario"]

BUSY_MS = 300


def chaos_scenario(rounds: int = 3) -> dict[str, Any]:
    """For `bench/chaos.py`: rounds of a full disk, another process's lock and the file moved
    away, on a fresh install; each episode must refuse with a 503, say so in readiness, save
    nothing of the refused write and work again once the cause is gone."""
    figures = {"episodes": 0, "refused with 503": 0, "readiness 503": 0, "recovered": 0}
    half_written = 0
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp) / "data", scheduler_enabled=False)
        secrets = ensure_secrets(settings)
        database = open_sqlcipher(
            settings.sqlite_path, secrets.database_key, busy_timeout_ms=BUSY_MS
        )
        migrate.upgrade(database)
        context = AppContext(settings, secrets, database, Scheduler(), EventBus())
        instance_id = add_instance(context)
        limit = PageLimit(database)
        path = settings.sqlite_path
        names = (f"Queue {n}" for n in range(1_000_000))
        with sign_in_client(create_app(context=context), context, "admin") as client:

            def post() -> int:
                body = queue_body(instance_id, next(names))
                return int(client.post("/api/v1/queues", json=body).status_code)

            for _ in range(rounds):
                for cause in ("disk full", "locked", "moved away"):
                    figures["episodes"] += 1
                    with contextlib.ExitStack() as stack:
                        if cause == "disk full":
                            limit.fill()
                            stack.callback(limit.lift)
                            while (before := queue_count(context)) < 10_000 and post() == 201:
                                pass
                        elif cause == "locked":
                            before = queue_count(context)
                            stack.enter_context(
                                locked_by_another_process(path, secrets.database_key)
                            )
                        else:
                            before = queue_count(context)
                            path.rename(path.with_name("away.db"))
                            stack.callback(path.with_name("away.db").rename, path)
                        figures["refused with 503"] += post() == 503
                        figures["readiness 503"] += readiness(client)[0] == 503
                    half_written += queue_count(context) != before
                    figures["recovered"] += readiness(client)[0] == 200 and post() == 201
        database.dispose()
    return {**figures, "rows half-written": half_written}
