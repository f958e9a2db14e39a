"""JSON API of the search history under /api/v1/history: one row per search command, its CSV
export and the record of one item. Read-only; any signed-in user."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.errors import InvalidInput
from vibe_quality_searcharr.search.history.export import csv_lines
from vibe_quality_searcharr.search.history.listing import HistoryFilter, iter_commands
from vibe_quality_searcharr.search.history.schemas import HistoryPage, HistoryRow, ItemHistoryRead
from vibe_quality_searcharr.search.history.views import (
    history_page_rows,
    history_rows,
    item_history,
)
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/history", tags=["history"])

OptionalId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
StrategyName = Literal["missing", "cutoff_unmet", "format_upgrade", "recent", "custom"]
StatusName = Literal["intent", "sent", "completed", "failed", "not_sent", "unknown"]


def history_filter(
    instance_id: OptionalId = None,
    queue_id: OptionalId = None,
    strategy: StrategyName | None = None,
    status: StatusName | None = None,
    item_id: OptionalId = None,
    since: Annotated[date | None, Query(description="first day (UTC), inclusive")] = None,
    until: Annotated[date | None, Query(description="last day (UTC), inclusive")] = None,
) -> HistoryFilter:
    if since is not None and until is not None and since > until:
        raise InvalidInput("since must not be after until", fields={"since": "after until"})
    return HistoryFilter(instance_id, queue_id, strategy, status, item_id, since, until)


Filters = Annotated[HistoryFilter, Depends(history_filter)]


@router.get("", response_model=HistoryPage)
def list_history(
    _user: CurrentUser,
    session: DbSession,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HistoryPage:
    """Newest first."""
    rows, total = history_page_rows(session, filters, (page - 1) * page_size, page_size)
    return HistoryPage.model_construct(items=rows, total=total, page=page, page_size=page_size)


@router.get("/export.csv", response_class=StreamingResponse)
def export_history(
    _user: CurrentUser, context: Context, filters: Filters, now: Now
) -> StreamingResponse:
    """The same rows as CSV (newest first), streamed."""

    def chunks() -> Iterator[Sequence[HistoryRow]]:
        with context.database.session_scope() as session:
            for rows in iter_commands(session, filters):
                yield history_rows(session, rows)

    name = f"search-history-{now:%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(
        csv_lines(chunks()),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/items/{instance_id}/{item_id}", response_model=ItemHistoryRead)
def read_item_history(
    _user: CurrentUser,
    session: DbSession,
    instance_id: ResourceId,
    item_id: ResourceId,
    now: Now,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ItemHistoryRead:
    return item_history(session, instance_id, item_id, now=now, limit=limit)
