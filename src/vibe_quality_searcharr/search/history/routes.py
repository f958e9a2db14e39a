"""JSON API of the search history under /api/v1/history: one row per search command, its CSV
export and the record of one item. Read-only; any signed-in user."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from vibe_quality_searcharr.deps import Context, DbSession, ResourceId
from vibe_quality_searcharr.errors import InvalidInput
from vibe_quality_searcharr.search.history.bounds import (
    BOUND_HELP,
    BoundError,
    Bounds,
    parse_bound,
    resolve,
)
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
from vibe_quality_searcharr.web.time_zone import user_zone

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/history", tags=["history"])

OptionalId = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
StrategyName = Literal["missing", "cutoff_unmet", "format_upgrade", "recent", "custom"]
StatusName = Literal["intent", "sent", "completed", "failed", "not_sent", "unknown"]


_SINCE = Query(max_length=40, description=f"From (inclusive): {BOUND_HELP}")
_UNTIL = Query(
    max_length=40,
    description=f"To (inclusive; a day includes all of it, to its local midnight): {BOUND_HELP}",
)


def _bound(raw: str | None, name: str) -> date | datetime | None:
    if raw is None or not raw.strip():
        return None
    try:
        return parse_bound(raw)
    except BoundError as error:
        raise InvalidInput(f"{name}: {error}", fields={name: str(error)}) from None


def history_filter(
    session: DbSession,
    instance_id: OptionalId = None,
    queue_id: OptionalId = None,
    strategy: StrategyName | None = None,
    status: StatusName | None = None,
    item_id: OptionalId = None,
    since: Annotated[str | None, _SINCE] = None,
    until: Annotated[str | None, _UNTIL] = None,
) -> HistoryFilter:
    """Days are read in the configured time zone, like the page's, so the page, its CSV link
    and the API list the same rows."""
    first, last = _bound(since, "since"), _bound(until, "until")
    bounds = Bounds()
    if first is not None or last is not None:
        try:
            bounds = resolve(first, last, user_zone(session))
        except BoundError as error:
            raise InvalidInput(str(error), fields={"since": str(error)}) from None
    return HistoryFilter(
        instance_id, queue_id, strategy, status, item_id, bounds.since, bounds.before
    )


Filters = Annotated[HistoryFilter, Depends(history_filter)]


@router.get("", response_model=HistoryPage)
def list_history(
    _user: CurrentUser,
    session: DbSession,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> HistoryPage:
    """Newest first. `since` and `until` take either a day, YYYY-MM-DD, meaning that day in the
    time zone set in Settings > General (the zone the pages show; from local midnight to the
    next, 23 or 25 hours when the clocks change), or an ISO 8601 date and time with an offset,
    taken as that exact instant. Numbers are refused (422)."""
    rows, total = history_page_rows(session, filters, (page - 1) * page_size, page_size)
    return HistoryPage.model_construct(items=rows, total=total, page=page, page_size=page_size)


@router.get("/export.csv", response_class=StreamingResponse)
def export_history(
    _user: CurrentUser, context: Context, filters: Filters, now: Now
) -> StreamingResponse:
    """The same rows as CSV (newest first), streamed; the same filters, with the same meaning
    of `since` and `until` as the list."""

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
