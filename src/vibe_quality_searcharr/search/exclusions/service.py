"""Exclusions: keep an item, or a whole series/artist/author, out of every queue of its
instance, for 7, 30 or 90 days or for good.

`now` is passed in (the request's clock), so expiry presets and `active` are computed from a
time tests can freeze. Expired exclusions are kept and listed as inactive: the user sees what
was excluded and can extend it; the planner's read (`load_exclusions`) ignores them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from vibe_quality_searcharr.arr.versions import ArrApp
from vibe_quality_searcharr.errors import Conflict, InvalidInput, NotFound
from vibe_quality_searcharr.search.exclusions.repository import (
    ExclusionFilters,
    ExclusionRepository,
)
from vibe_quality_searcharr.search.exclusions.schemas import (
    ExclusionCreate,
    ExclusionPage,
    ExclusionRead,
    ExclusionUpdate,
    ExpiryDays,
)
from vibe_quality_searcharr.search.models import Exclusion

__all__ = ["MAX_EXPIRY", "ExclusionService", "to_read"]

# Beyond this an expiry is a typo more likely than a plan; "permanent" says it better.
MAX_EXPIRY = timedelta(days=3660)
_MOVIE_APPS = frozenset({ArrApp.RADARR.value, ArrApp.WHISPARR_V3.value})
_PARENT_NOUN = {
    ArrApp.SONARR.value: "series",
    ArrApp.WHISPARR.value: "series",
    ArrApp.LIDARR.value: "artist",
    ArrApp.READARR.value: "author",
}


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"Invalid input. {field}: {message}", fields={field: message})


def to_read(exclusion: Exclusion, now: datetime) -> ExclusionRead:
    return ExclusionRead(
        id=exclusion.id,
        instance_id=exclusion.instance_id,
        scope="parent" if exclusion.scope == "parent" else "item",
        arr_id=exclusion.arr_id,
        title=exclusion.title,
        reason=exclusion.reason,
        expires_at=exclusion.expires_at,
        active=exclusion.expires_at is None or exclusion.expires_at > now,
        created_at=exclusion.created_at,
        created_by=exclusion.created_by,
    )


def _expiry(days: ExpiryDays | None, at: datetime | None, now: datetime) -> datetime | None:
    if days is not None:
        return now + timedelta(days=days)
    if at is None:
        return None
    if at <= now:
        raise _invalid(
            "expires_at",
            f"must be in the future (now is {now:%Y-%m-%d %H:%M} UTC); "
            "delete the exclusion to end it now",
        )
    if at - now > MAX_EXPIRY:
        raise _invalid("expires_at", "at most 10 years ahead; leave it out to exclude for good")
    return at


class ExclusionService:
    def __init__(self, session: Session) -> None:
        self.repo = ExclusionRepository(session)

    def list_page(
        self, filters: ExclusionFilters, now: datetime, page: int, page_size: int
    ) -> ExclusionPage:
        rows, total = self.repo.page(filters, now, (page - 1) * page_size, page_size)
        return ExclusionPage(
            items=[to_read(row, now) for row in rows], total=total, page=page, page_size=page_size
        )

    def get(self, exclusion_id: int) -> Exclusion:
        exclusion = self.repo.get(exclusion_id)
        if exclusion is None:
            raise NotFound(f"Exclusion {exclusion_id} does not exist.")
        return exclusion

    def create(self, data: ExclusionCreate, now: datetime, created_by: str) -> Exclusion:
        instance = self.repo.instance(data.instance_id)
        if instance is None:
            raise _invalid(
                "instance_id", f"no instance has id {data.instance_id}; add it under Instances"
            )
        if instance.app == ArrApp.PROWLARR.value:
            raise _invalid(
                "instance_id", f"{instance.name} is Prowlarr, which has no library to exclude from"
            )
        if data.scope == "parent" and instance.app in _MOVIE_APPS:
            raise _invalid("scope", "a movie has no parent; exclude it with scope 'item'")
        expires_at = _expiry(data.expires_in_days, data.expires_at, now)
        existing = self.repo.find(instance.id, data.scope, data.arr_id)
        if existing is not None:
            raise self._duplicate(existing, now)
        title = self.repo.mirrored_title(instance.id, data.scope, data.arr_id)
        exclusion = Exclusion(
            instance_id=instance.id,
            scope=data.scope,
            arr_id=data.arr_id,
            title=title or data.title or "",
            reason=data.reason,
            expires_at=expires_at,
            created_at=now,
            created_by=created_by[:64],
        )
        try:
            return self.repo.add(exclusion)
        except IntegrityError:  # a concurrent request excluded it first
            raise Conflict(
                "It was excluded by another request just now; reload the list.",
                fields={"arr_id": "already excluded"},
            ) from None

    def update(self, exclusion_id: int, data: ExclusionUpdate, now: datetime) -> Exclusion:
        exclusion = self.get(exclusion_id)
        if data.changes_expiry:
            exclusion.expires_at = _expiry(data.expires_in_days, data.expires_at, now)
        if data.reason is not None:
            exclusion.reason = data.reason
        self.repo.session.flush()
        return exclusion

    def delete(self, exclusion_id: int) -> None:
        self.repo.delete(self.get(exclusion_id))

    @staticmethod
    def _duplicate(existing: Exclusion, now: datetime) -> Conflict:
        state = "active" if existing.expires_at is None or existing.expires_at > now else "expired"
        what = "item" if existing.scope == "item" else "parent"
        return Conflict(
            f"This {what} is already excluded (exclusion {existing.id}, {state}); "
            "change that one with PATCH instead.",
            fields={"arr_id": "already excluded"},
        )
