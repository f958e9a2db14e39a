"""Readarr: wanted lists hold books; searches are per book or per author."""

from __future__ import annotations

from pydantic import TypeAdapter

from vibe_quality_searcharr.arr.clients.base import MediaClient
from vibe_quality_searcharr.arr.schemas.common import Command, Page
from vibe_quality_searcharr.arr.schemas.media import Author, Book
from vibe_quality_searcharr.arr.versions import ArrApp

__all__ = ["ReadarrClient"]

_BOOK_PAGE = TypeAdapter(Page[Book])
_BOOKS = TypeAdapter(list[Book])
_AUTHORS = TypeAdapter(list[Author])


class ReadarrClient(MediaClient[Book]):
    app = ArrApp.READARR
    parent_include = "includeAuthor"

    def _page_adapter(self) -> TypeAdapter[Page[Book]]:
        return _BOOK_PAGE

    async def authors(self) -> list[Author]:
        return await self.http.get("author", _AUTHORS)

    async def books(self, *, author_id: int | None = None) -> list[Book]:
        return await self.http.get("book", _BOOKS, {"authorId": author_id})

    async def search_items(self, item_ids: list[int]) -> Command:
        return await self.search_books(item_ids)

    async def search_books(self, book_ids: list[int]) -> Command:
        return await self.send_command("BookSearch", bookIds=list(book_ids))

    async def search_author(self, author_id: int) -> Command:
        return await self.send_command("AuthorSearch", authorId=author_id)
