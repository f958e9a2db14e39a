"""Every read query of the library mirror: item and parent pages, labels, sync state.

Filters run in the database (the `excluded` filter is an EXISTS over `exclusion`); the per-page
joins (exclusion badges, search records) take the page's ids, at most a few hundred, in chunks
of `CHUNK`. Nothing binds a library-sized list.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Integer, Select, and_, cast, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.library.models import (
    LibraryItem,
    LibraryParent,
    LibraryProfile,
    LibrarySyncState,
)
from vibe_quality_searcharr.search.exclusions.loading import ITEM_SCOPE, PARENT_SCOPE
from vibe_quality_searcharr.search.models import Exclusion, SearchItemState

__all__ = [
    "CHUNK",
    "ItemFilters",
    "LibraryRepository",
    "chunked",
    "item_label",
    "item_labels",
]

CHUNK = 500
Wanted = Literal["missing", "cutoff_unmet", "format_upgrade"]
ItemSort = Literal["title", "released", "last_searched"]


def chunked(values: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    batch: list[int] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def item_label(
    kind: str | None,
    parent_title: str | None,
    title: str,
    season: int | None,
    episode: int | None,
    year: int | None,
) -> str:
    """ "Series S01E02 Episode", "Movie (2019)", "Artist - Album", "Author - Book"."""
    if kind == "series":
        if season is not None and episode is not None:
            code = f"S{season:02d}E{episode:02d}"
            return " ".join(part for part in (parent_title, code, title) if part)
        return " - ".join(part for part in (parent_title, title) if part)
    if kind in ("artist", "author"):
        return " - ".join(part for part in (parent_title, title) if part)
    if parent_title:  # an item whose parent is not (yet) mirrored
        return f"{parent_title} - {title}"
    return f"{title} ({year})" if year else title


_Parent = aliased(LibraryParent)
_LABEL_COLUMNS = (
    LibraryItem.arr_id,
    _Parent.kind,
    _Parent.title,
    LibraryItem.title,
    LibraryItem.season_number,
    LibraryItem.episode_number,
    LibraryItem.year,
)


def _with_parent(statement: Select[*tuple[Any, ...]], instance_id: int) -> Select[*tuple[Any, ...]]:
    return statement.outerjoin(
        _Parent,
        and_(_Parent.instance_id == instance_id, _Parent.arr_id == LibraryItem.parent_id),
    )


def item_labels(session: Session, instance_id: int, arr_ids: Iterable[int]) -> dict[int, str]:
    """Human labels of mirrored items by *arr id (ids not mirrored are left out)."""
    labels: dict[int, str] = {}
    for batch in chunked(sorted(set(arr_ids))):
        statement = _with_parent(select(*_LABEL_COLUMNS), instance_id).where(
            LibraryItem.instance_id == instance_id, LibraryItem.arr_id.in_(batch)
        )
        for arr_id, kind, parent_title, title, season, episode, year in session.execute(statement):
            labels[arr_id] = item_label(kind, parent_title, title, season, episode, year)
    return labels


@dataclass(frozen=True)
class ItemFilters:
    wanted: Wanted | None = None
    parent_id: int | None = None
    q: str | None = None
    monitored: bool | None = None
    excluded: bool | None = None
    sort: ItemSort = "title"
    descending: bool = False


@dataclass(frozen=True)
class Badge:
    scope: str
    reason: str
    expires_at: datetime | None


def _active(now: datetime) -> ColumnElement[bool]:
    return or_(Exclusion.expires_at.is_(None), Exclusion.expires_at > now)


class LibraryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def instance(self, instance_id: int) -> Instance | None:
        return self.session.get(Instance, instance_id)

    def sync_state(self, instance_id: int) -> LibrarySyncState | None:
        return self.session.get(LibrarySyncState, instance_id)

    def due_instance_ids(self, started_before: datetime) -> list[int]:
        """Enabled media instances never synced, or whose last sync started before the time."""
        statement = (
            select(Instance.id)
            .outerjoin(LibrarySyncState, LibrarySyncState.instance_id == Instance.id)
            .where(
                Instance.enabled.is_(True),
                Instance.app != "prowlarr",
                or_(
                    LibrarySyncState.started_at.is_(None),
                    LibrarySyncState.started_at <= started_before,
                ),
            )
            .order_by(Instance.id)
        )
        return list(self.session.scalars(statement))

    def _excluded(self, instance_id: int, now: datetime) -> ColumnElement[bool]:
        return exists().where(
            Exclusion.instance_id == instance_id,
            _active(now),
            or_(
                and_(Exclusion.scope == ITEM_SCOPE, Exclusion.arr_id == LibraryItem.arr_id),
                and_(Exclusion.scope == PARENT_SCOPE, Exclusion.arr_id == LibraryItem.parent_id),
            ),
        )

    def item_page(
        self, instance_id: int, filters: ItemFilters, now: datetime, offset: int, limit: int
    ) -> tuple[Sequence[Any], int]:
        """Rows of (LibraryItem, parent kind, parent title, profile cutoff score, profile
        upgrades allowed) and the total matching the filters."""
        conditions: list[ColumnElement[bool]] = [LibraryItem.instance_id == instance_id]
        if filters.wanted == "missing":
            conditions.append(LibraryItem.has_file.is_(False))
        elif filters.wanted == "cutoff_unmet":
            conditions.append(
                and_(LibraryItem.has_file.is_(True), LibraryItem.cutoff_unmet.is_(True))
            )
        elif filters.wanted == "format_upgrade":
            conditions.append(
                and_(
                    LibraryItem.has_file.is_(True),
                    LibraryItem.format_score.is_not(None),
                    LibraryProfile.upgrade_allowed.is_(True),
                    LibraryProfile.cutoff_format_score.is_not(None),
                    LibraryItem.format_score < LibraryProfile.cutoff_format_score,
                )
            )
        if filters.parent_id is not None:
            conditions.append(LibraryItem.parent_id == filters.parent_id)
        if filters.q:
            text = filters.q.lower()
            conditions.append(
                or_(
                    func.lower(LibraryItem.title).contains(text, autoescape=True),
                    func.lower(_Parent.title).contains(text, autoescape=True),
                )
            )
        if filters.monitored is True:
            conditions.append(
                and_(LibraryItem.monitored.is_(True), LibraryItem.parent_monitored.is_(True))
            )
        elif filters.monitored is False:
            conditions.append(
                or_(LibraryItem.monitored.is_(False), LibraryItem.parent_monitored.is_(False))
            )
        if filters.excluded is not None:
            excluded = self._excluded(instance_id, now)
            conditions.append(excluded if filters.excluded else ~excluded)

        def joined(statement: Select[*tuple[Any, ...]]) -> Select[*tuple[Any, ...]]:
            return _with_parent(statement, instance_id).outerjoin(
                LibraryProfile,
                and_(
                    LibraryProfile.instance_id == instance_id,
                    LibraryProfile.arr_id == LibraryItem.quality_profile_id,
                ),
            )

        # Both joins are outer joins on unique keys: they never add or drop an item, so the
        # count needs them only when a condition reads them (a fifth of the cost without).
        counting = select(func.count()).select_from(LibraryItem)
        if filters.q or filters.wanted == "format_upgrade":
            counting = joined(counting)
        total = self.session.scalar(counting.where(*conditions)) or 0
        if filters.sort == "released":
            keys: list[Any] = [LibraryItem.released_at]
        elif filters.sort == "last_searched":
            keys = [LibraryItem.arr_last_search]
        else:
            keys = [
                func.coalesce(_Parent.sort_title, LibraryItem.title),
                LibraryItem.season_number,
                LibraryItem.episode_number,
                LibraryItem.title,
            ]
        order = [key.desc() if filters.descending else key.asc() for key in keys]
        tiebreak = LibraryItem.arr_id.desc() if filters.descending else LibraryItem.arr_id.asc()
        rows = self.session.execute(
            joined(
                select(
                    LibraryItem,
                    _Parent.kind,
                    _Parent.title,
                    LibraryProfile.cutoff_format_score,
                    LibraryProfile.upgrade_allowed,
                )
            )
            .where(*conditions)
            .order_by(*order, tiebreak)
            .offset(offset)
            .limit(limit)
        ).all()
        return rows, total

    def badges(
        self, instance_id: int, scope: str, arr_ids: Iterable[int], now: datetime
    ) -> dict[int, Badge]:
        found: dict[int, Badge] = {}
        for batch in chunked(sorted(set(arr_ids))):
            rows = self.session.execute(
                select(Exclusion.arr_id, Exclusion.reason, Exclusion.expires_at).where(
                    Exclusion.instance_id == instance_id,
                    Exclusion.scope == scope,
                    Exclusion.arr_id.in_(batch),
                    _active(now),
                )
            )
            for arr_id, reason, expires_at in rows:
                found[arr_id] = Badge(scope, reason, expires_at)
        return found

    def search_records(
        self, instance_id: int, arr_ids: Iterable[int]
    ) -> dict[int, SearchItemState]:
        found: dict[int, SearchItemState] = {}
        for batch in chunked(sorted(set(arr_ids))):
            for state in self.session.scalars(
                select(SearchItemState).where(
                    SearchItemState.instance_id == instance_id, SearchItemState.item_id.in_(batch)
                )
            ):
                found[state.item_id] = state
        return found

    def parent_page(
        self, instance_id: int, q: str | None, offset: int, limit: int
    ) -> tuple[Sequence[Any], int]:
        """Rows of (LibraryParent, wanted, missing, cutoff unmet) by sort title.

        The page of parents is chosen first and the wanted counts are then aggregated for
        those parents only (a page-sized list, through the (instance, parent) index): grouping
        the whole library first cost tens of milliseconds per page on 50,000 items."""
        conditions: list[ColumnElement[bool]] = [LibraryParent.instance_id == instance_id]
        if q:
            conditions.append(func.lower(LibraryParent.title).contains(q.lower(), autoescape=True))
        total = (
            self.session.scalar(select(func.count()).select_from(LibraryParent).where(*conditions))
            or 0
        )
        parents = self.session.scalars(
            select(LibraryParent)
            .where(*conditions)
            .order_by(LibraryParent.sort_title, LibraryParent.arr_id)
            .offset(offset)
            .limit(limit)
        ).all()
        counts: dict[int, tuple[int, int, int]] = {}
        if parents:
            grouped = self.session.execute(
                select(
                    LibraryItem.parent_id,
                    func.count(),
                    func.coalesce(func.sum(cast(LibraryItem.missing, Integer)), 0),
                    func.coalesce(func.sum(cast(LibraryItem.cutoff_unmet, Integer)), 0),
                )
                .where(
                    LibraryItem.instance_id == instance_id,
                    LibraryItem.parent_id.in_([parent.arr_id for parent in parents]),
                )
                .group_by(LibraryItem.parent_id)
            ).all()
            counts = {
                parent_id: (int(wanted), int(missing), int(cutoff))
                for parent_id, wanted, missing, cutoff in grouped
                if parent_id is not None
            }
        rows = [(parent, *counts.get(parent.arr_id, (0, 0, 0))) for parent in parents]
        return rows, total
