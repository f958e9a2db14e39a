"""At shutdown the scheduler stops before the runs do: no tick, slot or job can fire between the
two and claim a slot that the stopping registry then refuses (a slot lost, logged as coalesced)
or start work on a process that is going away."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from vibe_quality_searcharr.app import create_app
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.search.runs.wiring import registry_of


def test_the_scheduler_is_stopped_before_the_runs_are(
    context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    context.settings = context.settings.model_copy(update={"scheduler_enabled": True})
    app = create_app(context=context)
    registry = registry_of(app)
    stop_runs = registry.shutdown
    seen: dict[str, object] = {}

    async def shutdown_watched() -> None:
        seen["scheduler_running"] = context.scheduler.running
        seen["registry_accepting"] = not registry._stopping
        await stop_runs()

    monkeypatch.setattr(registry, "shutdown", shutdown_watched)
    with TestClient(app) as client:
        assert context.scheduler.running
        assert client.get("/health/live").status_code == 200
    # When the runs start stopping, nothing fires any more, and not before.
    assert seen == {"scheduler_running": False, "registry_accepting": True}
