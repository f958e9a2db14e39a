"""The budget API's service: read and replace an instance's limits; its budget now, with
Prowlarr read live. Never commits (the request's session does)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import InvalidInput, NotFound
from vibe_quality_searcharr.instances.connection import Connect
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.instances.service import InstanceService
from vibe_quality_searcharr.search.budgets.latest import ProwlarrViews
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.search.budgets.schemas import (
    BudgetRead,
    LimitRead,
    LimitsRead,
    LimitsUpdate,
)
from vibe_quality_searcharr.search.budgets.service import (
    active_backoff,
    load_snapshot,
    prowlarr_target,
    read_prowlarr_into,
)
from vibe_quality_searcharr.search.budgets.snapshot import BudgetSnapshot, instance_limits
from vibe_quality_searcharr.search.budgets.usage import limit_usage
from vibe_quality_searcharr.security.crypto import SecretBox

__all__ = ["BudgetInputs", "budget_inputs", "budget_read", "read_limits", "replace_limits"]


def _media_instance(session: Session, instance_id: int) -> Instance:
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"Instance {instance_id} does not exist.")
    if instance.app == "prowlarr":
        raise InvalidInput(
            f"{instance.name} is a Prowlarr: its indexers' limits are read from it; set limits "
            "on the *arr instances it serves"
        )
    return instance


def _to_read(row: InstanceLimits, is_default: bool) -> LimitsRead:
    return LimitsRead(
        instance_id=row.instance_id,
        hourly_cap=row.hourly_cap,
        daily_cap=row.daily_cap,
        headroom_percent=row.headroom_percent,
        prowlarr_id=row.prowlarr_id,
        is_default=is_default,
    )


def read_limits(session: Session, instance_id: int) -> LimitsRead:
    _media_instance(session, instance_id)
    stored = session.get(InstanceLimits, instance_id)
    return _to_read(stored or instance_limits(session, instance_id), stored is None)


def replace_limits(session: Session, instance_id: int, data: LimitsUpdate) -> LimitsRead:
    _media_instance(session, instance_id)
    if data.prowlarr_id is not None:
        prowlarr = session.get(Instance, data.prowlarr_id)
        if prowlarr is None or prowlarr.app != "prowlarr":
            raise InvalidInput(
                "prowlarr_id must name a Prowlarr instance",
                fields={"prowlarr_id": f"instance {data.prowlarr_id} is not a Prowlarr instance"},
            )
    row = session.get(InstanceLimits, instance_id)
    if row is None:
        # Flushed first: on INSERT a None would be replaced by the column's default cap.
        row = InstanceLimits(instance_id=instance_id)
        session.add(row)
        session.flush()
    row.hourly_cap = data.hourly_cap
    row.daily_cap = data.daily_cap
    row.headroom_percent = data.headroom_percent
    row.prowlarr_id = data.prowlarr_id
    session.flush()
    return _to_read(row, False)


class BudgetInputs:
    """What the live budget read needs from the database, gathered in one session."""

    def __init__(self, session: Session, box: SecretBox, instance_id: int, now: datetime) -> None:
        instance = _media_instance(session, instance_id)
        self.instance_id = instance_id
        self.name = instance.name
        self.app = instance.app
        self.url = InstanceService(session, box).target(instance).url
        self.snapshot: BudgetSnapshot = load_snapshot(session, instance_id, now)
        self.prowlarr = prowlarr_target(session, box, instance_id)
        self.prowlarr_name = self.prowlarr.name if self.prowlarr is not None else None
        backoff = active_backoff(session, instance_id, now)
        self.paused_until = backoff.until if backoff is not None else None


def budget_inputs(
    session: Session, box: SecretBox, instance_id: int, now: datetime
) -> BudgetInputs:
    return BudgetInputs(session, box, instance_id, now)


async def budget_read(
    inputs: BudgetInputs, connect: Connect, now: datetime, views: ProwlarrViews | None = None
) -> BudgetRead:
    """Every limit now; Prowlarr (when one applies) is read live, five calls, and the view
    is kept in `views` for the dashboard."""
    if inputs.prowlarr is not None:
        await read_prowlarr_into(
            inputs.snapshot,
            inputs.prowlarr,
            connect,
            app=inputs.app,
            url=inputs.url,
            now=now,
            views=views,
            instance_id=inputs.instance_id,
        )
    usages = limit_usage(inputs.snapshot, now, inputs.name)
    tightest = inputs.snapshot.budget(now).tightest()
    return BudgetRead(
        instance_id=inputs.instance_id,
        live=inputs.prowlarr is not None,
        read_at=now,
        prowlarr=inputs.prowlarr_name,
        prowlarr_error=inputs.snapshot.prowlarr_error,
        paused_until=inputs.paused_until,
        remaining=tightest.remaining if tightest is not None else None,
        limits=[
            LimitRead(
                name=u.name,
                kind="instance" if u.kind == "instance" else "indexer",
                subject=u.subject,
                window="hour" if u.window == "hour" else "day",
                used=u.used,
                limit=u.limit,
                usable=u.usable,
                remaining=u.remaining,
                resets_at=u.resets_at,
            )
            for u in usages
        ],
    )
