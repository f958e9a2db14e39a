"""Imports a configuration document: a preview of what would be created, updated and skipped,
or the same work applied, atomically.

Every entry runs inside its own savepoint through the owning domain's service (its validation,
its rules), and the whole import inside one more: a dry run, or any entry that fails, rolls the
outer savepoint back, so a preview is exactly what an apply would do and a failed apply changes
nothing. Matching is by name (see `schemas`). Secrets are never taken from the exported fields:
a new instance needs its key in `secrets.instances`, a new notification target its URL in
`secrets.notifications`, or it is skipped with the reason; existing ones keep what is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.config_io.repository import ConfigRepository
from vibe_quality_searcharr.config_io.schemas import (
    REDACTED,
    ConfigDocument,
    ExclusionEntry,
    ImportAction,
    ImportResult,
    InstanceEntry,
    NotificationEntry,
    QueueEntry,
)
from vibe_quality_searcharr.db.settings_store import read_setting, write_setting
from vibe_quality_searcharr.errors import AppError
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.schemas import InstanceCreate, InstanceUpdate
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.notifications.schemas import NotificationCreate, NotificationUpdate
from vibe_quality_searcharr.notifications.service import NotificationService
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.search.exclusions.schemas import ExclusionCreate, ExclusionUpdate
from vibe_quality_searcharr.search.exclusions.service import ExclusionService
from vibe_quality_searcharr.search.queues.schemas import QueueCreate, QueueUpdate
from vibe_quality_searcharr.search.queues.service import QueueService
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = ["ConfigImporter"]


class _Skip(Exception):
    """The entry is left out, for the reason given (not an error)."""


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"])
    if isinstance(exc, AppError):
        extra = "; ".join(f"{k}: {v}" for k, v in (exc.fields or {}).items())
        return f"{exc.detail}" + (f" ({extra})" if extra else "")
    return str(exc)


class ConfigImporter:
    def __init__(
        self, session: Session, api_key_box: SecretBox, url_box: SecretBox, now: datetime
    ) -> None:
        self.session = session
        self.repo = ConfigRepository(session)
        self.instances = InstanceService(session, api_key_box)
        self.notifications = NotificationService(session, url_box)
        self.queues = QueueService(session)
        self.exclusions = ExclusionService(session)
        self.now = now
        self.actions: list[ImportAction] = []

    def run(self, document: ConfigDocument, *, dry_run: bool) -> ImportResult:
        """Preview (`dry_run`) or apply. Never commits; an apply with any error changes
        nothing (the caller's transaction is left as it was) and says which entries failed."""
        self.actions = []
        outer = self.session.begin_nested()
        try:
            for entry in document.instances:
                self._one("instance", entry.name, partial(self._instance, entry, document))
            by_name = {row.name: row for row in self.repo.instances()}
            for entry in document.instances:  # limits may name a Prowlarr created above
                if entry.limits is not None and entry.name in by_name:
                    self._limits(by_name[entry.name], entry, by_name)
            for target in document.notifications:
                self._one(
                    "notification", target.name, partial(self._notification, target, document)
                )
            for queue in document.queues:
                self._one("queue", queue.name, partial(self._queue, queue, by_name))
            for exclusion in document.exclusions:
                label = f"{exclusion.instance} {exclusion.scope} {exclusion.arr_id}"
                self._one("exclusion", label, partial(self._exclusion, exclusion, by_name))
            for key, value in sorted(document.settings.items()):
                self._one("setting", key, partial(self._setting, key, value))
        except BaseException:
            outer.rollback()
            raise
        errors = sum(1 for action in self.actions if action.action == "error")
        applied = not dry_run and errors == 0
        if applied:
            outer.commit()
        else:
            outer.rollback()
        return ImportResult(
            dry_run=dry_run,
            applied=applied,
            created=self._count("create"),
            updated=self._count("update"),
            skipped=self._count("skip"),
            errors=errors,
            actions=self.actions,
        )

    def _count(self, action: str) -> int:
        return sum(1 for entry in self.actions if entry.action == action)

    def _one(self, kind: Any, name: str, work: Callable[[], tuple[str, list[str]]]) -> None:
        savepoint = self.session.begin_nested()
        try:
            action, changed = work()
        except _Skip as exc:
            savepoint.rollback()
            self.actions.append(ImportAction(kind=kind, name=name, action="skip", detail=str(exc)))
            return
        except (AppError, ValidationError, ValueError) as exc:
            savepoint.rollback()
            self.actions.append(
                ImportAction(kind=kind, name=name, action="error", detail=_message(exc))
            )
            return
        savepoint.commit()
        detail = "unchanged" if action == "skip" else ""
        self.actions.append(
            ImportAction(kind=kind, name=name, action=action, detail=detail, fields=changed)
        )

    # --- one entry each ---------------------------------------------------------------------

    def _instance(self, entry: InstanceEntry, document: ConfigDocument) -> tuple[str, list[str]]:
        existing = next((row for row in self.repo.instances() if row.name == entry.name), None)
        if existing is None:
            secret = document.secrets.instances.get(entry.name)
            if secret is None or not secret.get_secret_value().strip():
                raise _Skip(
                    f"no API key for {entry.name!r}: add it under secrets.instances to import it"
                )
            data = InstanceCreate.model_validate(
                {"name": entry.name, "app": entry.app, "url": entry.url, "api_key": secret,
                 "enabled": entry.enabled}
            )  # fmt: skip
            self.instances.create(data)
            return "create", []
        update = InstanceUpdate.model_validate(
            {"app": entry.app, "url": entry.url, "enabled": entry.enabled}
        )
        changed = [
            name
            for name, new, old in (
                ("app", update.app.value if update.app else None, existing.app),
                ("url", update.url, existing.url),
                ("enabled", update.enabled, existing.enabled),
            )
            if new != old
        ]
        if not changed:
            return "skip", []
        self.instances.update(existing.id, update)  # the stored API key is kept
        return "update", changed

    def _limits(
        self, instance: Instance, entry: InstanceEntry, by_name: dict[str, Instance]
    ) -> None:
        limits = entry.limits
        assert limits is not None
        prowlarr_id: int | None = None
        if limits.prowlarr is not None:
            prowlarr = by_name.get(limits.prowlarr)
            if prowlarr is None:
                self.actions.append(
                    ImportAction(
                        kind="instance", name=entry.name, action="error",
                        detail=f"limits.prowlarr: no instance named {limits.prowlarr!r}",
                    )
                )  # fmt: skip
                return
            prowlarr_id = prowlarr.id
        row = self.repo.limits_of(instance.id)
        if row is None:
            row = InstanceLimits(instance_id=instance.id)
            self.repo.add_limits(row)
        row.hourly_cap = limits.hourly_cap
        row.daily_cap = limits.daily_cap
        row.headroom_percent = limits.headroom_percent
        row.prowlarr_id = prowlarr_id
        self.session.flush()

    def _notification(
        self, entry: NotificationEntry, document: ConfigDocument
    ) -> tuple[str, list[str]]:
        existing = next((row for row in self.repo.notifications() if row.name == entry.name), None)
        if existing is None:
            url = document.secrets.notifications.get(entry.name)
            if url is None:
                raise _Skip(
                    f"no URL for {entry.name!r}: add it under secrets.notifications to import it"
                )
            data = NotificationCreate.model_validate(
                {"name": entry.name, "url": url, "events": entry.events, "enabled": entry.enabled}
            )
            self.notifications.create(data)
            return "create", []
        update = NotificationUpdate.model_validate(
            {"events": entry.events, "enabled": entry.enabled}
        )
        new_events = [event.value for event in update.events or []]
        changed = [
            name
            for name, differs in (
                ("events", sorted(new_events) != sorted(existing.events or [])),
                ("enabled", update.enabled != existing.enabled),
            )
            if differs
        ]
        if not changed:
            return "skip", []
        self.notifications.update(existing.id, update)
        return "update", changed

    def _queue(self, entry: QueueEntry, by_name: dict[str, Instance]) -> tuple[str, list[str]]:
        instance = by_name.get(entry.instance)
        if instance is None:
            raise _Skip(f"its instance {entry.instance!r} is not configured here")
        fields: dict[str, Any] = {
            "name": entry.name, "instance_id": instance.id, "strategy": entry.strategy,
            "order": entry.order, "batch_size": entry.batch_size, "enabled": entry.enabled,
            "options": entry.options, "schedule": entry.schedule,
        }  # fmt: skip
        existing = next((row for row in self.repo.queues() if row.name == entry.name), None)
        if existing is None:
            read = self.queues.create(QueueCreate.model_validate(fields))
            queue = self.queues.get(read.id)
            queue.preset = entry.preset
            if entry.paused:
                self.queues.set_paused(queue.id, True)
            self.session.flush()
            return "create", []
        update = QueueUpdate.model_validate({k: v for k, v in fields.items() if k != "name"})
        before = _queue_facts(existing)
        self.queues.update(existing.id, update)
        if existing.paused != entry.paused:
            self.queues.set_paused(existing.id, entry.paused)
        existing.preset = entry.preset
        self.session.flush()
        after = _queue_facts(existing)
        changed = [name for name in after if after[name] != before[name]]
        return ("update", changed) if changed else ("skip", [])

    def _exclusion(
        self, entry: ExclusionEntry, by_name: dict[str, Instance]
    ) -> tuple[str, list[str]]:
        instance = by_name.get(entry.instance)
        if instance is None:
            raise _Skip(f"its instance {entry.instance!r} is not configured here")
        if entry.expires_at is not None and entry.expires_at <= self.now:
            raise _Skip("it has expired")
        existing = next(
            (
                row
                for row in self.repo.exclusions()
                if row.instance_id == instance.id
                and row.scope == entry.scope
                and row.arr_id == entry.arr_id
            ),
            None,
        )
        if existing is None:
            data = ExclusionCreate.model_validate(
                {"instance_id": instance.id, "scope": entry.scope, "arr_id": entry.arr_id,
                 "reason": entry.reason, "title": entry.title or None,
                 "expires_at": entry.expires_at}
            )  # fmt: skip
            self.exclusions.create(data, self.now, "config import")
            return "create", []
        changed = [
            name
            for name, differs in (
                ("reason", existing.reason != entry.reason),
                ("expires_at", existing.expires_at != entry.expires_at),
            )
            if differs
        ]
        if not changed:
            return "skip", []
        self.exclusions.update(
            existing.id,
            ExclusionUpdate.model_validate(
                {"reason": entry.reason, "expires_at": entry.expires_at}
            ),
            self.now,
        )
        return "update", changed

    def _setting(self, key: str, value: Any) -> tuple[str, list[str]]:
        if value == REDACTED:
            raise _Skip("its value was redacted in the export; set it again by hand")
        if len(key) > 100:
            raise ValueError("a setting name is at most 100 characters")
        missing = object()
        old = read_setting(self.session, key, missing)
        if old is missing:
            write_setting(self.session, key, value)
            self.session.flush()
            return "create", []
        if old == value:
            return "skip", []
        write_setting(self.session, key, value)
        self.session.flush()
        return "update", ["value"]


def _queue_facts(queue: Any) -> dict[str, Any]:
    return {
        "instance": queue.instance_id, "strategy": queue.strategy, "order": queue.order,
        "batch_size": queue.batch_size, "enabled": queue.enabled, "paused": queue.paused,
        "preset": queue.preset, "options": dict(queue.options or {}),
        "schedule": dict(queue.schedule or {}),
    }  # fmt: skip
