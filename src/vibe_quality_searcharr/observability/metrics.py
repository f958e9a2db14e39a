"""Prometheus metrics of one running service, in its own registry.

Each app gets its own `CollectorRegistry` (never the global default), so several apps in one
process (the tests) do not share counters. Three ways in:

- bus events (`listen`): runs by outcome, searches sent, grabs, skips by reason, syncs,
  instance up/down, queue lag when a run says when it was due;
- the *arr transport's observer (`client_options(options, instance)`): request latency and
  errors per instance, for every client built with those options;
- functions other parts call: `set_budget_used` (budgets), `observe_queue_lag` (scheduler),
  `observe_sync` (library sync, when it does not publish an event).

Label values are names the user chose (queues, instances, indexers): bounded, no ids, no URLs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from vibe_quality_searcharr.arr.transport import ClientOptions, RequestObserver, RequestSample
from vibe_quality_searcharr.events import Event

__all__ = ["CONTENT_TYPE", "Metrics"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_SYNC_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
_LAG_BUCKETS = (0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900, 3600)


def _name(data: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:100]
    return "unknown"


def _count(data: Mapping[str, Any], *keys: str) -> int:
    for key in keys:
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return int(value)
    return 0


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        qi = ["queue", "instance"]
        self.runs = Counter(
            "vqs_runs", "Search runs finished, by outcome.", [*qi, "outcome"], registry=r
        )
        self.searches = Counter(
            "vqs_searches_sent", "Items searched (sent to the *arr).", qi, registry=r
        )
        self.commands = Counter("vqs_search_commands_sent", "Search commands sent.", qi, registry=r)
        self.grabs = Counter("vqs_items_grabbed", "Items grabbed after a search.", qi, registry=r)
        self.skips = Counter(
            "vqs_skips", "Items the planner skipped, by reason.", [*qi, "reason"], registry=r
        )
        self.arr_latency = Histogram(
            "vqs_arr_request_duration_seconds",
            "Duration of *arr API requests (every attempt).",
            ["instance", "app", "method"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.arr_errors = Counter(
            "vqs_arr_request_errors",
            "Failed *arr API requests, by kind.",
            ["instance", "app", "kind"],
            registry=r,
        )
        self.budget_used = Gauge(
            "vqs_budget_used",
            "Budget used in the current window.",
            ["indexer", "limit"],
            registry=r,
        )
        self.budget_limit = Gauge(
            "vqs_budget_limit", "Budget allowed per window.", ["indexer", "limit"], registry=r
        )
        self.budget_ratio = Gauge(
            "vqs_budget_used_ratio",
            "Share of the budget used (0-1).",
            ["indexer", "limit"],
            registry=r,
        )
        self.sync_duration = Histogram(
            "vqs_library_sync_duration_seconds",
            "Duration of library syncs.",
            ["instance", "outcome"],
            buckets=_SYNC_BUCKETS,
            registry=r,
        )
        self.sync_items = Gauge(
            "vqs_library_items", "Wanted items mirrored at the last sync.", ["instance"], registry=r
        )
        self.queue_lag = Histogram(
            "vqs_queue_lag_seconds",
            "How late a scheduled run started (actual - scheduled).",
            ["queue"],
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.instance_up = Gauge(
            "vqs_instance_up",
            "1 while the instance is healthy, 0 while down.",
            ["instance"],
            registry=r,
        )
        self.notifications = Counter(
            "vqs_notifications",
            "Notification deliveries, by outcome.",
            ["service", "outcome"],
            registry=r,
        )

    # -- functions other parts call ----------------------------------------------------------

    def set_budget_used(self, indexer: str, limit: str, used: int, maximum: int | None) -> None:
        """Budget use of one indexer (or instance) for one limit ("queries/day", ...)."""
        self.budget_used.labels(indexer, limit).set(used)
        if maximum:
            self.budget_limit.labels(indexer, limit).set(maximum)
            self.budget_ratio.labels(indexer, limit).set(used / maximum)

    def observe_queue_lag(self, queue: str, scheduled_at: datetime, started_at: datetime) -> None:
        """How late a scheduled run of `queue` started (early starts count as 0)."""
        lag = (started_at - scheduled_at).total_seconds()
        self.queue_lag.labels(queue).observe(max(lag, 0.0))

    def observe_sync(
        self, instance: str, seconds: float, ok: bool, items: int | None = None
    ) -> None:
        self.sync_duration.labels(instance, "ok" if ok else "failed").observe(max(seconds, 0.0))
        if ok and items is not None:
            self.sync_items.labels(instance).set(items)

    def delivery(self, service: str, _subscription: str, ok: bool) -> None:
        """The notifications dispatcher's delivery hook."""
        self.notifications.labels(service, "sent" if ok else "failed").inc()

    def arr_observer(self, instance: str) -> RequestObserver:
        def observe(sample: RequestSample) -> None:
            self.arr_latency.labels(instance, sample.app, sample.method).observe(sample.seconds)
            if sample.error is not None:
                self.arr_errors.labels(instance, sample.app, sample.error).inc()

        return observe

    def client_options(self, options: ClientOptions | None, instance: str) -> ClientOptions:
        """`options` with this registry observing every request made to `instance`."""
        return replace(options or ClientOptions(), observer=self.arr_observer(instance))

    def render(self) -> bytes:
        return generate_latest(self.registry)

    # -- bus events --------------------------------------------------------------------------

    def listen(self, event: Event) -> None:
        data = event.data if isinstance(event.data, Mapping) else {}
        handler = _HANDLERS.get(event.kind)
        if handler is not None:
            handler(self, data)

    def _run_finished(self, data: Mapping[str, Any]) -> None:
        queue = _name(data, "queue_name", "queue")
        instance = _name(data, "instance_name", "instance")
        self.runs.labels(queue, instance, _name(data, "status")).inc()
        self.searches.labels(queue, instance).inc(_count(data, "searches"))
        self.commands.labels(queue, instance).inc(_count(data, "sent_commands", "sent"))
        self.grabs.labels(queue, instance).inc(_count(data, "grabbed", "grabs"))
        skipped = data.get("skipped")
        if isinstance(skipped, Mapping):
            for reason, count in skipped.items():
                if isinstance(count, int) and not isinstance(count, bool) and count > 0:
                    self.skips.labels(queue, instance, str(reason)[:60]).inc(count)

    def _run_started(self, data: Mapping[str, Any]) -> None:
        scheduled, started = _time(data.get("scheduled_at")), _time(data.get("started_at"))
        if scheduled is not None and started is not None:
            self.observe_queue_lag(_name(data, "queue_name", "queue"), scheduled, started)

    def _grab(self, data: Mapping[str, Any]) -> None:
        queue = _name(data, "queue_name", "queue")
        instance = _name(data, "instance_name", "instance")
        self.grabs.labels(queue, instance).inc(_count(data, "count") or 1)

    def _sync(self, data: Mapping[str, Any], ok: bool) -> None:
        instance = _name(data, "instance_name", "instance", "name")
        millis = data.get("duration_ms")
        seconds = data.get("duration_seconds")
        if isinstance(millis, int | float) and not isinstance(millis, bool):
            seconds = millis / 1000
        items = data.get("item_count")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool):
            self.observe_sync(
                instance, float(seconds), ok, items if isinstance(items, int) else None
            )

    def _instance(self, data: Mapping[str, Any], up: bool) -> None:
        self.instance_up.labels(_name(data, "name", "instance_name", "instance")).set(
            1 if up else 0
        )


_HANDLERS: dict[str, Any] = {
    "run.finished": Metrics._run_finished,
    "run.started": Metrics._run_started,
    "grab.confirmed": Metrics._grab,
    "library.sync.finished": lambda m, d: m._sync(d, True),
    "library.sync.failed": lambda m, d: m._sync(d, False),
    "instance.down": lambda m, d: m._instance(d, False),
    "instance.up": lambda m, d: m._instance(d, True),
}
