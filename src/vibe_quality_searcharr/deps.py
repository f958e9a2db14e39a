"""FastAPI dependencies shared by every domain, as `Annotated` aliases.

The request is the unit of work: `DbSession` opens one session, commits it when the route
returns normally and rolls it back when anything raises. Services never commit.

The commit happens before the response is sent (`scope="function"`; FastAPI ends a dependency
with `yield` after the response by default): a browser following a post's redirect, or a client
asking another replica, reads what the post wrote, and a commit that fails (a full disk) is the
error response the client sees, never a success for a change that was lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from vibe_quality_searcharr.context import AppContext

__all__ = ["Context", "DbSession", "ResourceId", "get_context", "get_db"]


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_db(request: Request) -> Iterator[Session]:
    read_only = request.method in _READ_METHODS
    with get_context(request).database.session_scope(read_only=read_only) as session:
        yield session


Context = Annotated[AppContext, Depends(get_context)]
DbSession = Annotated[Session, Depends(get_db, scope="function")]

# A row id in a URL. Bounded so that a huge number is a 422, not a driver overflow (500):
# primary keys are INTEGER, 32-bit on PostgreSQL.
ResourceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
