"""Queue management: create (optionally from a preset), change, clone, pause, bulk actions.

Every change is first resolved into the complete configuration it would store (`QueueConfig`),
then checked as a whole (`validation.check_config`), and only then written: bad input changes
nothing. The service never commits; the request's unit of work does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.db.base import utcnow
from vibe_quality_searcharr.errors import Conflict, NotFound
from vibe_quality_searcharr.scheduling.schedules import next_runs, parse_schedule
from vibe_quality_searcharr.search.models import SearchQueue
from vibe_quality_searcharr.search.planner import Order, Strategy
from vibe_quality_searcharr.search.queues.options import QueueOptions
from vibe_quality_searcharr.search.queues.presets import PRESETS
from vibe_quality_searcharr.search.queues.repository import QueueFilters, QueueRepository, QueueRow
from vibe_quality_searcharr.search.queues.schemas import (
    PresetRead,
    QueueBulk,
    QueueBulkResult,
    QueueClone,
    QueueCreate,
    QueuePage,
    QueueRead,
    QueueStatus,
    QueueUpdate,
)
from vibe_quality_searcharr.search.queues.validation import QueueConfig, check_config, invalid

__all__ = ["QueueService", "deep_merge", "list_presets", "queue_status", "to_read"]

_NAME_LIMIT = 100


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`overrides` onto `base`, recursing into nested objects; lists and values replace."""
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _options(raw: dict[str, Any]) -> QueueOptions:
    """Options merged from several places, validated again as a whole (a merge can break a rule
    that each part kept, e.g. a year_min from the request after a stored year_max)."""
    try:
        return QueueOptions.model_validate(raw)
    except ValidationError as exc:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name = ".".join(["options", *(str(part) for part in error["loc"])])
            fields.setdefault(name, str(error["msg"]).removeprefix("Value error, "))
        raise invalid(fields) from None


def _given_options(options: QueueOptions) -> dict[str, Any]:
    return options.model_dump(mode="json", exclude_unset=True)


def queue_status(row: QueueRow) -> QueueStatus:
    if not row.queue.enabled:
        return "disabled"
    if row.queue.paused:
        return "paused"
    if not row.instance_enabled or row.paused_by_health:
        return "instance_paused"
    return "active"


def to_read(row: QueueRow) -> QueueRead:
    queue = row.queue
    return QueueRead(
        id=queue.id,
        name=queue.name,
        instance_id=queue.instance_id,
        instance_name=row.instance_name,
        instance_app=ArrApp(row.instance_app),
        strategy=Strategy(queue.strategy),
        batch_size=queue.batch_size,
        order=Order(queue.order),
        enabled=queue.enabled,
        paused=queue.paused,
        status=queue_status(row),
        options=QueueOptions.model_validate(queue.options or {}),
        schedule=parse_schedule(queue.schedule),
        preset=queue.preset,
        run_count=queue.run_count,
        last_run_at=queue.last_run_at,
        cycle_number=queue.cycle_number,
        cycle_started_at=queue.cycle_started_at,
        created_at=queue.created_at,
        updated_at=queue.updated_at,
        next_runs=_next_runs(row),
    )


def _next_runs(row: QueueRow) -> list[datetime]:
    """Shown for a queue that will run (enabled, not paused); see `scheduling.schedules`."""
    queue = row.queue
    if not queue.enabled or queue.paused:
        return []
    schedule = parse_schedule(queue.schedule)
    return next_runs(schedule, utcnow(), count=3, anchor=queue.created_at)


def list_presets() -> list[PresetRead]:
    return [
        PresetRead(
            name=preset.name,
            title=preset.title,
            description=preset.description,
            strategy=preset.strategy,
            order=preset.order,
            batch_size=preset.batch_size,
            options=QueueOptions.model_validate(preset.options),
            schedule=parse_schedule(preset.schedule),
        )
        for preset in PRESETS.values()
    ]


class QueueService:
    def __init__(self, session: Session) -> None:
        self.repo = QueueRepository(session)

    # --- reading -------------------------------------------------------------------------

    def list_page(self, filters: QueueFilters, page: int, page_size: int) -> QueuePage:
        rows, total = self.repo.page(filters, (page - 1) * page_size, page_size)
        return QueuePage(
            items=[to_read(row) for row in rows], total=total, page=page, page_size=page_size
        )

    def get(self, queue_id: int) -> SearchQueue:
        queue = self.repo.get(queue_id)
        if queue is None:
            raise NotFound(f"Queue {queue_id} does not exist.")
        return queue

    def read(self, queue_id: int) -> QueueRead:
        row = self.repo.row(queue_id)
        if row is None:
            raise NotFound(f"Queue {queue_id} does not exist.")
        return to_read(row)

    # --- writing -------------------------------------------------------------------------

    def create(self, data: QueueCreate) -> QueueRead:
        given = data.model_fields_set
        preset = PRESETS[data.preset] if data.preset is not None else None
        if preset is None:
            config = QueueConfig(
                data.name,
                data.instance_id,
                data.strategy,
                data.batch_size,
                data.order,
                data.enabled,
                data.options,
            )
            schedule = data.schedule
        else:
            raw_options = preset.options
            if "options" in given:
                raw_options = deep_merge(raw_options, _given_options(data.options))
            config = QueueConfig(
                data.name,
                data.instance_id,
                data.strategy if "strategy" in given else preset.strategy,
                data.batch_size if "batch_size" in given else preset.batch_size,
                data.order if "order" in given else preset.order,
                data.enabled,
                _options(raw_options),
            )
            schedule = data.schedule if "schedule" in given else parse_schedule(preset.schedule)
        check_config(config, self.repo)
        self._name_is_free(config.name)
        queue = SearchQueue(
            name=config.name,
            instance_id=config.instance_id,
            strategy=config.strategy.value,
            order=config.order.value,
            batch_size=config.batch_size,
            enabled=config.enabled,
            paused=False,
            preset=preset.name.value if preset is not None else None,
            options=config.options.model_dump(mode="json"),
            schedule=schedule.model_dump(mode="json"),
        )
        self._add(queue)
        return self.read(queue.id)

    def update(self, queue_id: int, data: QueueUpdate) -> QueueRead:
        queue = self.get(queue_id)
        stored = QueueOptions.model_validate(queue.options or {}).model_dump(mode="json")
        strategy = data.strategy or Strategy(queue.strategy)
        raw_options = stored
        given_options = _given_options(data.options) if data.options is not None else {}
        if (
            strategy is not Strategy.CUSTOM
            and queue.strategy == Strategy.CUSTOM.value
            and "custom" not in given_options
        ):
            # Leaving the custom strategy drops its filters instead of refusing the change.
            raw_options = {key: value for key, value in stored.items() if key != "custom"}
        config = QueueConfig(
            data.name if data.name is not None else queue.name,
            data.instance_id if data.instance_id is not None else queue.instance_id,
            strategy,
            data.batch_size if data.batch_size is not None else queue.batch_size,
            data.order or Order(queue.order),
            data.enabled if data.enabled is not None else queue.enabled,
            _options(deep_merge(raw_options, given_options)),
        )
        check_config(config, self.repo)
        if config.name != queue.name:
            self._name_is_free(config.name)
        if config.instance_id != queue.instance_id:
            self.repo.reset_cycle(queue)
        queue.name = config.name
        queue.instance_id = config.instance_id
        queue.strategy = config.strategy.value
        queue.order = config.order.value
        queue.batch_size = config.batch_size
        queue.enabled = config.enabled
        queue.options = config.options.model_dump(mode="json")
        if data.schedule is not None:
            queue.schedule = data.schedule.model_dump(mode="json")
        self._flush(queue.name)
        return self.read(queue.id)

    def delete(self, queue_id: int) -> None:
        self.repo.delete(self.get(queue_id))

    def clone(self, queue_id: int, data: QueueClone) -> QueueRead:
        """A copy of the configuration, not of the history (run count, cycle). It starts
        paused, so copying a busy queue never doubles the searches before it is edited."""
        source = self.get(queue_id)
        if data.name is not None:
            self._name_is_free(data.name)
            name = data.name
        else:
            name = self._copy_name(source.name)
        copy = SearchQueue(
            name=name,
            instance_id=source.instance_id,
            strategy=source.strategy,
            order=source.order,
            batch_size=source.batch_size,
            enabled=source.enabled,
            paused=True,
            preset=source.preset,
            options=dict(source.options or {}),
            schedule=dict(source.schedule or {}),
        )
        self._add(copy)
        return self.read(copy.id)

    def set_paused(self, queue_id: int, paused: bool) -> QueueRead:
        queue = self.get(queue_id)
        queue.paused = paused
        self.repo.session.flush()
        return self.read(queue_id)

    def bulk(self, data: QueueBulk) -> QueueBulkResult:
        """All or nothing: one unknown id refuses the whole request before anything changes."""
        ids = list(dict.fromkeys(data.ids))
        unknown = sorted(set(ids) - self.repo.existing_ids(ids))
        if unknown:
            raise invalid(
                {"ids": f"no queue has id {', '.join(map(str, unknown))}; nothing was changed"}
            )
        if data.action == "delete":
            self.repo.delete_many(ids)
            return QueueBulkResult(action=data.action, ids=ids, items=[])
        rows = self.repo.rows(ids)
        for row in rows:
            if data.action in ("pause", "resume"):
                row.queue.paused = data.action == "pause"
            else:
                row.queue.enabled = data.action == "enable"
        self.repo.session.flush()
        return QueueBulkResult(action=data.action, ids=ids, items=[to_read(row) for row in rows])

    # --- helpers -------------------------------------------------------------------------

    def _copy_name(self, name: str) -> str:
        """ "<name> (copy)", then "(copy 2)", "(copy 3)"...; the original is shortened if the
        suffix would pass the 100-character limit."""
        suffixes = [" (copy)", *(f" (copy {n})" for n in range(2, 1000))]
        base = name[: _NAME_LIMIT - len(" (copy 999)")].rstrip() if len(name) > 88 else name
        taken = self.repo.names_like(base)
        for suffix in suffixes:
            candidate = base + suffix
            if candidate not in taken:
                return candidate
        raise Conflict(
            f"Too many copies of {name!r}; give the copy a name.", fields={"name": "already in use"}
        )

    def _add(self, queue: SearchQueue) -> None:
        try:
            self.repo.add(queue)
        except IntegrityError:  # a concurrent request took the name first
            raise self._taken(queue.name) from None

    def _flush(self, name: str) -> None:
        try:
            self.repo.session.flush()
        except IntegrityError:
            raise self._taken(name) from None

    def _name_is_free(self, name: str) -> None:
        if self.repo.get_by_name(name) is not None:
            raise self._taken(name)

    @staticmethod
    def _taken(name: str) -> Conflict:
        return Conflict(
            f"A queue named {name!r} already exists; choose another name.",
            fields={"name": "already in use"},
        )
