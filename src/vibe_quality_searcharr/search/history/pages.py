"""The history pages: the filterable, paged table of search commands (newest first) with a CSV
link carrying the same filters, and one item's record. (`history/views.py` holds the read
models the API and these pages share.)

Filters come from a plain GET form, so every value arrives as text: they are parsed here and a
bad one is shown next to its field (status 422) instead of a JSON problem.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from vibe_quality_searcharr.deps import DbSession, ResourceId
from vibe_quality_searcharr.search.history.bounds import BoundError, Bounds, parse_day, resolve
from vibe_quality_searcharr.search.history.listing import HistoryFilter
from vibe_quality_searcharr.search.history.schemas import HistoryRow
from vibe_quality_searcharr.search.history.views import history_page_rows, item_history
from vibe_quality_searcharr.search.queues.pagedata import instance_choices
from vibe_quality_searcharr.search.queues.repository import QueueRepository
from vibe_quality_searcharr.security.clock import Now
from vibe_quality_searcharr.security.principal import CurrentUser
from vibe_quality_searcharr.web.templating import render
from vibe_quality_searcharr.web.time_zone import user_zone

__all__ = ["parse_filters", "router"]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 50
STRATEGIES = ("missing", "cutoff_unmet", "format_upgrade", "recent", "custom")
STATUSES = ("intent", "sent", "completed", "failed", "not_sent", "unknown")
_FIELDS = ("instance_id", "queue_id", "strategy", "status", "item_id", "since", "until")
Text = Annotated[str, Query(max_length=40)]


def _id(raw: str, name: str, errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    if raw.isdigit() and 1 <= int(raw) <= 2**31 - 1:
        return int(raw)
    errors[name] = "Enter a positive whole number"
    return None


def _day(raw: str, name: str, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        return parse_day(raw)
    except BoundError as error:
        errors[name] = str(error)
        return None


def _choice(raw: str, name: str, allowed: tuple[str, ...], errors: dict[str, str]) -> str | None:
    if not raw:
        return None
    if raw in allowed:
        return raw
    errors[name] = f"Choose one of: {', '.join(allowed)}"
    return None


def parse_filters(raw: dict[str, str], zone: ZoneInfo) -> tuple[HistoryFilter, dict[str, str]]:
    """The filter the form asks for, and a message per field it could not read. The days are
    days of `zone` (see `history.bounds`)."""
    errors: dict[str, str] = {}
    since = _day(raw["since"], "since", errors)
    until = _day(raw["until"], "until", errors)
    bounds = Bounds()
    if since and until and since > until:
        errors["since"] = "The first day is after the last day; swap them"
    elif not errors:
        try:
            bounds = resolve(since, until, zone)
        except BoundError as error:
            errors["since" if since else "until"] = str(error)
    found = HistoryFilter(
        instance_id=_id(raw["instance_id"], "instance_id", errors),
        queue_id=_id(raw["queue_id"], "queue_id", errors),
        strategy=_choice(raw["strategy"], "strategy", STRATEGIES, errors),
        status=_choice(raw["status"], "status", STATUSES, errors),
        item_id=_id(raw["item_id"], "item_id", errors),
        since=bounds.since,
        before=bounds.before,
    )
    return found, errors


@router.get("/history", response_class=HTMLResponse)
def history_page(
    request: Request,
    _user: CurrentUser,
    session: DbSession,
    instance_id: Text = "",
    queue_id: Text = "",
    strategy: Text = "",
    status: Text = "",
    item_id: Text = "",
    since: Text = "",
    until: Text = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    raw = dict(
        zip(_FIELDS, (instance_id, queue_id, strategy, status, item_id, since, until), strict=True)
    )
    raw = {key: value.strip() for key, value in raw.items()}
    zone = user_zone(session)
    filters, errors = parse_filters(raw, zone)
    rows: list[HistoryRow] = []
    total = 0
    if not errors:
        rows, total = history_page_rows(session, filters, (page - 1) * _PAGE_SIZE, _PAGE_SIZE)
    query = urlencode({key: value for key, value in raw.items() if value})
    queues = QueueRepository(session).choices(200)
    return render(
        request,
        "history/list.html",
        422 if errors else 200,
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // _PAGE_SIZE)),
        raw=raw,
        query=query,
        errors=errors,
        instances=[("", "Any instance"), *instance_choices(session)],
        queues=[("", "Any queue"), *((str(queue_id), name) for queue_id, name in queues)],
        strategies=[
            ("", "Any strategy"),
            *((s, s.replace("_", " ").capitalize()) for s in STRATEGIES),
        ],
        statuses=[("", "Any status"), *((s, s.replace("_", " ").capitalize()) for s in STATUSES)],
        zone=zone,
    )


@router.get("/history/items/{instance_id}/{item_id}", response_class=HTMLResponse)
def item_page(
    request: Request,
    _user: CurrentUser,
    session: DbSession,
    now: Now,
    instance_id: ResourceId,
    item_id: ResourceId,
) -> HTMLResponse:
    record = item_history(session, instance_id, item_id, now=now, limit=100)
    return render(request, "history/item.html", record=record, zone=user_zone(session))
