"""What every *arr client shares: detection, tags, commands; and, for the media apps, the
wanted lists, queue, history, profiles and disk space behind one interface.

A family client only says which item type its wanted lists hold and which search commands it
sends; the planner and the sync code can drive any media app through `MediaClient`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from vibe_quality_searcharr.arr.paging import DEFAULT_PAGE_SIZE, collect_pages, iter_pages
from vibe_quality_searcharr.arr.schemas.common import (
    Command,
    DiskSpace,
    HistoryRecord,
    Page,
    QualityProfile,
    QueueRecord,
    QueueStatus,
    RootFolder,
    SystemStatus,
    Tag,
)
from vibe_quality_searcharr.arr.transport import ArrHttp, ClientOptions, Params
from vibe_quality_searcharr.arr.versions import (
    API_ROOTS,
    DISPLAY_NAMES,
    ArrApp,
    ServerInfo,
    detect_server,
)

__all__ = ["ArrClient", "MediaClient", "WantedKind"]

ItemT = TypeVar("ItemT", bound=BaseModel)
WantedKind = Literal["missing", "cutoff"]

_STATUS = TypeAdapter(SystemStatus)
_TAGS = TypeAdapter(list[Tag])
_COMMAND = TypeAdapter(Command)
_COMMANDS = TypeAdapter(list[Command])
_PROFILES = TypeAdapter(list[QualityProfile])
_DISKS = TypeAdapter(list[DiskSpace])
_ROOTS = TypeAdapter(list[RootFolder])
_QUEUE = TypeAdapter(Page[QueueRecord])
_QUEUE_STATUS = TypeAdapter(QueueStatus)
_HISTORY = TypeAdapter(Page[HistoryRecord])
_HISTORY_LIST = TypeAdapter(list[HistoryRecord])


class ArrClient:
    """Base of every family client. Close it (or use `async with`) to release its connections."""

    app: ClassVar[ArrApp]

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        options: ClientOptions | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = ArrHttp(
            url,
            api_key,
            app_label=DISPLAY_NAMES[self.app],
            api_root=API_ROOTS[self.app],
            options=options,
            transport=transport,
        )
        self._server: ServerInfo | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(url={self.http.url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    @property
    def label(self) -> str:
        return self.http.app_label

    async def system_status(self) -> SystemStatus:
        return await self.http.get("system/status", _STATUS)

    async def server_info(self, *, refresh: bool = False) -> ServerInfo:
        """The app and version at this URL; raises ArrWrongApp/ArrUnsupportedVersion. Cached."""
        if self._server is None or refresh:
            status = await self.system_status()
            self._server = detect_server(self.app, status, url=self.http.url)
        return self._server

    async def tags(self) -> list[Tag]:
        return await self.http.get("tag", _TAGS)

    async def command(self, command_id: int) -> Command:
        """One command's state; poll it until `is_finished`."""
        return await self.http.get(f"command/{command_id}", _COMMAND)

    async def commands(self) -> list[Command]:
        """Every command the app knows; count the unfinished ones for back-pressure."""
        return await self.http.get("command", _COMMANDS)

    async def send_command(self, name: str, **body: Any) -> Command:
        """POST a command once. Never retried after it may have reached the app."""
        return await self.http.post("command", _COMMAND, {"name": name, **body})


class MediaClient(ArrClient, Generic[ItemT]):
    """A Sonarr-, Radarr-, Lidarr- or Readarr-like app: it has wanted lists and a library."""

    # The wanted-list flag that embeds each item's parent (None: items have no parent).
    parent_include: ClassVar[str | None] = None

    def _page_adapter(self) -> TypeAdapter[Page[ItemT]]:
        raise NotImplementedError

    async def search_items(self, item_ids: list[int]) -> Command:
        """Search the given wanted items (episodes, movies, albums or books) in one command, so
        an executor can drive any family without knowing its command names."""
        raise NotImplementedError

    async def _wanted_sort(self) -> dict[str, str]:
        """Sort parameters for walking the wanted lists (an explicit, stable order)."""
        return {}

    async def wanted_page(
        self,
        kind: WantedKind,
        page: int = 1,
        page_size: int = DEFAULT_PAGE_SIZE,
        *,
        monitored: bool = True,
        include_parent: bool = False,
    ) -> Page[ItemT]:
        """One page of wanted/missing or wanted/cutoff. `include_parent` embeds each item's
        series/artist/author (one call instead of a lookup per item; bigger pages)."""
        params: dict[str, Any] = {
            "page": page,
            "pageSize": page_size,
            "monitored": monitored,
            **(await self._wanted_sort()),
        }
        if include_parent and self.parent_include:
            params[self.parent_include] = True
        return await self.http.get(f"wanted/{kind}", self._page_adapter(), params)

    async def iter_wanted(
        self,
        kind: WantedKind,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        monitored: bool = True,
        include_parent: bool = False,
    ) -> AsyncIterator[Page[ItemT]]:
        """The wanted list page by page, for incremental sync with progress."""

        async def fetch(page: int, size: int) -> Page[ItemT]:
            return await self.wanted_page(
                kind, page, size, monitored=monitored, include_parent=include_parent
            )

        async for page in iter_pages(fetch, page_size=page_size, app=self.label, url=self.http.url):
            yield page

    async def wanted(
        self,
        kind: WantedKind,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        monitored: bool = True,
        include_parent: bool = False,
    ) -> list[ItemT]:
        """The whole wanted list (every page), or an exception."""

        async def fetch(page: int, size: int) -> Page[ItemT]:
            return await self.wanted_page(
                kind, page, size, monitored=monitored, include_parent=include_parent
            )

        return await collect_pages(fetch, page_size=page_size, app=self.label, url=self.http.url)

    async def wanted_missing(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> list[ItemT]:
        """Every monitored item without a file (the whole list, or an exception)."""
        return await self.wanted("missing", page_size=page_size)

    async def wanted_cutoff(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> list[ItemT]:
        """Every monitored item whose file is below the profile's quality cutoff."""
        return await self.wanted("cutoff", page_size=page_size)

    async def quality_profiles(self) -> list[QualityProfile]:
        return await self.http.get("qualityprofile", _PROFILES)

    async def disk_space(self) -> list[DiskSpace]:
        return await self.http.get("diskspace", _DISKS)

    async def root_folders(self) -> list[RootFolder]:
        return await self.http.get("rootfolder", _ROOTS)

    async def queue_page(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE
    ) -> Page[QueueRecord]:
        return await self.http.get("queue", _QUEUE, {"page": page, "pageSize": page_size})

    async def queue(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> list[QueueRecord]:
        """Every download in the queue (skip items already downloading)."""
        return await collect_pages(
            self.queue_page, page_size=page_size, app=self.label, url=self.http.url
        )

    async def queue_status(self) -> QueueStatus:
        """Queue totals in one cheap call (back-pressure: skip a run above a size)."""
        return await self.http.get("queue/status", _QUEUE_STATUS)

    async def history_page(
        self, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, *, event_type: int | None = None
    ) -> Page[HistoryRecord]:
        """Newest first. `event_type` is the app's integer (Sonarr: 1 grabbed)."""
        params: Params = {
            "page": page,
            "pageSize": page_size,
            "sortKey": "date",
            "sortDirection": "descending",
            "eventType": event_type,
        }
        return await self.http.get("history", _HISTORY, params)

    async def iter_history(
        self, *, event_type: int | None = None, page_size: int = DEFAULT_PAGE_SIZE
    ) -> AsyncIterator[Page[HistoryRecord]]:
        """History newest first, page by page; stop iterating once pages get older than needed."""

        async def fetch(page: int, size: int) -> Page[HistoryRecord]:
            return await self.history_page(page, size, event_type=event_type)

        async for page in iter_pages(fetch, page_size=page_size, app=self.label, url=self.http.url):
            yield page

    async def history_since(
        self, since: datetime, *, event_type: str | None = None
    ) -> list[HistoryRecord]:
        """Every history record after `since`; `event_type` is the name here ("grabbed")."""
        params: Params = {"date": since.isoformat(), "eventType": event_type}
        return await self.http.get("history/since", _HISTORY_LIST, params)
