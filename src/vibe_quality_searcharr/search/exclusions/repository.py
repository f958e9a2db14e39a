"""Every query of the exclusions domain (the planner's read is `loading.load_exclusions`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.library.models import LibraryItem, LibraryParent
from vibe_quality_searcharr.search.models import Exclusion

__all__ = ["ExclusionFilters", "ExclusionRepository"]


@dataclass(frozen=True)
class ExclusionFilters:
    instance_id: int | None = None
    scope: str | None = None
    active: bool | None = None


def _active_at(now: datetime) -> ColumnElement[bool]:
    return or_(Exclusion.expires_at.is_(None), Exclusion.expires_at > now)


class ExclusionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, exclusion_id: int) -> Exclusion | None:
        return self.session.get(Exclusion, exclusion_id)

    def find(self, instance_id: int, scope: str, arr_id: int) -> Exclusion | None:
        return self.session.scalar(
            select(Exclusion).where(
                Exclusion.instance_id == instance_id,
                Exclusion.scope == scope,
                Exclusion.arr_id == arr_id,
            )
        )

    def page(
        self, filters: ExclusionFilters, now: datetime, offset: int, limit: int
    ) -> tuple[list[Exclusion], int]:
        conditions: list[ColumnElement[bool]] = []
        if filters.instance_id is not None:
            conditions.append(Exclusion.instance_id == filters.instance_id)
        if filters.scope is not None:
            conditions.append(Exclusion.scope == filters.scope)
        if filters.active is True:
            conditions.append(_active_at(now))
        elif filters.active is False:
            conditions.append(and_(Exclusion.expires_at.is_not(None), Exclusion.expires_at <= now))
        total = (
            self.session.scalar(select(func.count()).select_from(Exclusion).where(*conditions)) or 0
        )
        rows = self.session.scalars(
            select(Exclusion)
            .where(*conditions)
            .order_by(Exclusion.created_at.desc(), Exclusion.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return list(rows), total

    def add(self, exclusion: Exclusion) -> Exclusion:
        self.session.add(exclusion)
        self.session.flush()
        return exclusion

    def delete(self, exclusion: Exclusion) -> None:
        self.session.delete(exclusion)
        self.session.flush()

    def instance(self, instance_id: int) -> Instance | None:
        return self.session.get(Instance, instance_id)

    def mirrored_title(self, instance_id: int, scope: str, arr_id: int) -> str | None:
        """The title the library mirror holds for the excluded thing, if it holds it."""
        model = LibraryParent if scope == "parent" else LibraryItem
        return self.session.scalar(
            select(model.title).where(model.instance_id == instance_id, model.arr_id == arr_id)
        )
