"""What the "Running now" region shows, kept up to date from the event bus.

A listener folds the run events (run.started, run.planned, item.searched, command.finished,
run.finished) into one `RunningView` per run, so the SSE stream can render the region for every
subscriber without a database query per event. With several replicas on PostgreSQL the events
of the other replicas arrive through `events_postgres` and move the region too. The page itself
is rendered from the database at load (see `web.dashboard_data.running_runs`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from vibe_quality_searcharr.events import Event

__all__ = ["RECENT_RESULTS", "LiveRuns", "RunResult", "RunningView"]

# Results kept per run for the region (newest first); the history page has the rest.
RECENT_RESULTS = 8
# Finished runs kept so the region can show how the last one ended.
_FINISHED_KEPT = 3


@dataclass(frozen=True)
class RunResult:
    command_id: int
    label: str
    status: str
    grabbed: int = 0


@dataclass
class RunningView:
    run_id: int
    queue: str
    instance: str
    planned: int = 0
    sent: int = 0
    finished: int = 0
    current: str | None = None
    status: str = "running"
    summary: str = ""
    results: deque[RunResult] = field(default_factory=lambda: deque(maxlen=RECENT_RESULTS))
    labels: dict[int, str] = field(default_factory=dict)

    @property
    def percent(self) -> int:
        if self.status != "running":
            return 100
        if self.planned <= 0:
            return 0
        return min(100, round(100 * self.finished / self.planned))


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value) if value is not None else ""


class LiveRuns:
    """Folds run events into views; `running()` is what the region renders."""

    def __init__(self) -> None:
        self._runs: dict[int, RunningView] = {}
        self._finished: deque[int] = deque()

    def running(self) -> list[RunningView]:
        """Runs in progress first (oldest first), then the last few finished ones."""
        return sorted(self._runs.values(), key=lambda v: (v.status != "running", v.run_id))

    def queue_of(self, run_id: object) -> str | None:
        """The queue name of a run this process saw start (run.finished does not carry it)."""
        view = self._runs.get(run_id) if isinstance(run_id, int) else None
        return view.queue if view is not None and view.queue else None

    def on_event(self, event: Event) -> bool:
        """Apply one bus event; True when the region changed."""
        data = event.data
        run_id = data.get("run_id")
        if not isinstance(run_id, int) or not event.kind.startswith(("run.", "item.", "command.")):
            return False
        if event.kind == "run.started":
            self._runs[run_id] = RunningView(
                run_id=run_id, queue=_text(data, "queue"), instance=_text(data, "instance")
            )
            return True
        view = self._runs.get(run_id)
        if view is None:
            return False
        if event.kind == "run.planned":
            view.planned = int(data.get("commands") or 0)
            view.summary = _text(data, "summary")
        elif event.kind == "item.searched":
            view.sent += 1
            view.current = _text(data, "label")
            command_id = data.get("command_id")
            if isinstance(command_id, int):
                view.labels[command_id] = view.current
        elif event.kind == "command.finished":
            view.finished += 1
            command_id = data.get("command_id")
            grabbed = data.get("grabbed") or []
            label = view.labels.pop(command_id, "") if isinstance(command_id, int) else ""
            view.results.appendleft(
                RunResult(
                    command_id=command_id if isinstance(command_id, int) else 0,
                    label=label,
                    status=_text(data, "status"),
                    grabbed=len(grabbed) if isinstance(grabbed, list) else 0,
                )
            )
        elif event.kind == "run.finished":
            view.status = _text(data, "status") or "completed"
            view.current = None
            self._finished.append(run_id)
            while len(self._finished) > _FINISHED_KEPT:
                self._runs.pop(self._finished.popleft(), None)
        else:
            return False
        return True
