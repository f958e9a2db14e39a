"""Walks a paged *arr list (wanted/*, queue, history) to the end, or fails loudly.

Large pages (1000 by default) keep round trips few. The walk stops once `totalRecords` records
have been read. A failure on any page raises: a caller never gets a silently partial list and
mistakes it for the whole backlog. A server that ignores `page` (answering page 1 again) or
runs dry before its own total is reported as a bad response rather than looped on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from vibe_quality_searcharr.arr.errors import ArrBadResponse
from vibe_quality_searcharr.arr.schemas.common import Page

__all__ = ["DEFAULT_PAGE_SIZE", "FetchPage", "collect_pages", "iter_pages"]

DEFAULT_PAGE_SIZE = 1000
T = TypeVar("T")
FetchPage = Callable[[int, int], Awaitable[Page[T]]]


async def iter_pages(
    fetch: FetchPage[T],
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    app: str = "",
    url: str = "",
) -> AsyncIterator[Page[T]]:
    """Yield each page in order; `fetch(page, page_size)` requests one page."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    seen = 0
    number = 1
    while True:
        page = await fetch(number, page_size)
        if page.page not in (number, 0):
            raise ArrBadResponse(
                f"{app} at {url} answered page {page.page} when page {number} was asked for. "
                "Fix: update the app; this version ignores paging.",
                problem="paging ignored",
                app=app,
                url=url,
            )
        seen += len(page.records)
        yield page
        if seen >= page.total_records:
            return
        if not page.records:
            raise ArrBadResponse(
                f"{app} at {url} ran out of records after {seen} of {page.total_records}; the "
                "list changed while it was being read. Fix: nothing; the next sync reads it again.",
                problem="list shorter than totalRecords",
                app=app,
                url=url,
            )
        number += 1


async def collect_pages(
    fetch: FetchPage[T],
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    app: str = "",
    url: str = "",
) -> list[T]:
    """Every record of every page, or an exception."""
    records: list[T] = []
    async for page in iter_pages(fetch, page_size=page_size, app=app, url=url):
        records.extend(page.records)
    return records
