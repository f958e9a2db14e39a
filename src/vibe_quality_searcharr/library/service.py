"""The library's read side: pages of mirrored items and parents with their badges, and the
sync state. Takes a session, never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from vibe_quality_searcharr.errors import NotFound
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.library.loading import parse_tags
from vibe_quality_searcharr.library.models import SyncStatus
from vibe_quality_searcharr.library.repository import (
    Badge,
    ItemFilters,
    LibraryRepository,
    item_label,
)
from vibe_quality_searcharr.library.schemas import (
    ExclusionBadge,
    ItemPage,
    LibraryItemRead,
    ParentPage,
    ParentRead,
    SearchRecordRead,
    SyncProgress,
    SyncStateRead,
)
from vibe_quality_searcharr.search.exclusions.loading import ITEM_SCOPE, PARENT_SCOPE

__all__ = ["LibraryService"]


def _badge(badge: Badge | None) -> ExclusionBadge | None:
    if badge is None:
        return None
    return ExclusionBadge(scope=badge.scope, reason=badge.reason, expires_at=badge.expires_at)


class LibraryService:
    def __init__(self, session: Session) -> None:
        self.repo = LibraryRepository(session)

    def instance(self, instance_id: int) -> Instance:
        instance = self.repo.instance(instance_id)
        if instance is None:
            raise NotFound(f"Instance {instance_id} does not exist.")
        return instance

    def sync_state(
        self, instance_id: int, *, running: bool, progress: dict[str, Any] | None
    ) -> SyncStateRead:
        self.instance(instance_id)
        state = self.repo.sync_state(instance_id)
        read = SyncStateRead(instance_id=instance_id, status=SyncStatus.NEVER, running=running)
        if state is not None:
            read = SyncStateRead(
                instance_id=instance_id,
                status=state.status,
                running=running,
                started_at=state.started_at,
                finished_at=state.finished_at,
                last_success_at=state.last_success_at,
                last_error=state.last_error,
                item_count=state.item_count,
                duration_ms=state.duration_ms,
                api_calls=state.api_calls,
            )
        if running:
            read.status = SyncStatus.RUNNING
            read.progress = SyncProgress(**progress) if progress else None
        return read

    def items(
        self, instance_id: int, filters: ItemFilters, now: datetime, page: int, page_size: int
    ) -> ItemPage:
        self.instance(instance_id)
        rows, total = self.repo.item_page(
            instance_id, filters, now, (page - 1) * page_size, page_size
        )
        ids = [row[0].arr_id for row in rows]
        parent_ids = [row[0].parent_id for row in rows if row[0].parent_id is not None]
        item_badges = self.repo.badges(instance_id, ITEM_SCOPE, ids, now)
        parent_badges = self.repo.badges(instance_id, PARENT_SCOPE, parent_ids, now)
        records = self.repo.search_records(instance_id, ids)
        items: list[LibraryItemRead] = []
        for item, kind, parent_title, cutoff_score, upgrades in rows:
            badge = item_badges.get(item.arr_id) or (
                parent_badges.get(item.parent_id) if item.parent_id is not None else None
            )
            record = records.get(item.arr_id)
            format_upgrade = bool(
                item.has_file
                and upgrades
                and item.format_score is not None
                and cutoff_score is not None
                and item.format_score < cutoff_score
            )
            items.append(
                LibraryItemRead(
                    id=item.arr_id,
                    label=item_label(
                        kind,
                        parent_title,
                        item.title,
                        item.season_number,
                        item.episode_number,
                        item.year,
                    ),
                    title=item.title,
                    parent_id=item.parent_id,
                    season_number=item.season_number,
                    episode_number=item.episode_number,
                    released_at=item.released_at,
                    monitored=item.monitored,
                    parent_monitored=item.parent_monitored,
                    has_file=item.has_file,
                    missing=item.missing,
                    cutoff_unmet=item.cutoff_unmet,
                    format_upgrade=format_upgrade,
                    format_score=item.format_score,
                    quality_profile_id=item.quality_profile_id,
                    year=item.year,
                    status=item.status,
                    tags=sorted(parse_tags(item.tags)),
                    arr_last_search=item.arr_last_search,
                    exclusion=_badge(badge),
                    search=SearchRecordRead(
                        attempts=record.attempts,
                        last_searched_at=record.last_searched_at,
                        grabs=record.grabs,
                        last_grabbed_at=record.last_grabbed_at,
                    )
                    if record
                    else None,
                )
            )
        return ItemPage(items=items, total=total, page=page, page_size=page_size)

    def parents(
        self, instance_id: int, q: str | None, now: datetime, page: int, page_size: int
    ) -> ParentPage:
        self.instance(instance_id)
        rows, total = self.repo.parent_page(instance_id, q, (page - 1) * page_size, page_size)
        badges = self.repo.badges(instance_id, PARENT_SCOPE, [row[0].arr_id for row in rows], now)
        items = [
            ParentRead(
                id=parent.arr_id,
                kind=parent.kind,
                title=parent.title,
                status=parent.status,
                year=parent.year,
                monitored=parent.monitored,
                quality_profile_id=parent.quality_profile_id,
                tags=sorted(parse_tags(parent.tags)),
                poster_path=parent.poster_path,
                total=parent.item_count,
                files=parent.file_count,
                wanted=int(wanted),
                missing=int(missing),
                cutoff_unmet=int(cutoff),
                exclusion=_badge(badges.get(parent.arr_id)),
            )
            for parent, wanted, missing, cutoff in rows
        ]
        return ParentPage(items=items, total=total, page=page, page_size=page_size)
