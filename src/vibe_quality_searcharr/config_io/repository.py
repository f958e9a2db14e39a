"""Every query of the configuration export/import (whole tables of configuration: small)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from vibe_quality_searcharr.db.settings_store import AppSetting
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.notifications.models import NotificationTarget
from vibe_quality_searcharr.search.budgets.models import InstanceLimits
from vibe_quality_searcharr.search.models import Exclusion, SearchQueue

__all__ = ["ConfigRepository"]


class ConfigRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def instances(self) -> Sequence[Instance]:
        return self.session.scalars(select(Instance).order_by(Instance.name)).all()

    def limits(self) -> dict[int, InstanceLimits]:
        return {row.instance_id: row for row in self.session.scalars(select(InstanceLimits))}

    def limits_of(self, instance_id: int) -> InstanceLimits | None:
        return self.session.get(InstanceLimits, instance_id)

    def add_limits(self, limits: InstanceLimits) -> None:
        self.session.add(limits)
        self.session.flush()

    def queues(self) -> Sequence[SearchQueue]:
        return self.session.scalars(select(SearchQueue).order_by(SearchQueue.name)).all()

    def exclusions(self) -> Sequence[Exclusion]:
        return self.session.scalars(
            select(Exclusion).order_by(Exclusion.instance_id, Exclusion.scope, Exclusion.arr_id)
        ).all()

    def notifications(self) -> Sequence[NotificationTarget]:
        return self.session.scalars(
            select(NotificationTarget).order_by(NotificationTarget.name)
        ).all()

    def settings(self) -> Sequence[AppSetting]:
        return self.session.scalars(select(AppSetting).order_by(AppSetting.key)).all()
